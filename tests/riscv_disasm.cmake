# Listings for the RISC-V disassembler test: each tests/data/riscv_disasm/*.S
# is assembled with clang and disassembled by llvm-objdump, with and without
# aliases, at build time; riscv_disasm_test.cpp compares them line by line.
# Included from tests/CMakeLists.txt after hvemu_tests is defined. Run with
# `cmake -P` (by the rules below) it writes one llvm-objdump listing to a file.

if(CMAKE_SCRIPT_MODE_FILE)
  set(args -d --mattr=+m,+a,+f,+d,+c)
  if(MODE STREQUAL "noalias")
    list(APPEND args -M no-aliases)
  endif()
  execute_process(COMMAND ${OBJDUMP} ${args} ${OBJ} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE ${OUT})
    message(FATAL_ERROR "${OBJDUMP} failed on ${OBJ}")
  endif()
  return()
endif()

# The expected text is llvm-objdump 14's (Debian 12); prefer it by name.
find_program(HVEMU_RV_CLANG NAMES clang-14 clang REQUIRED)
find_program(HVEMU_RV_OBJDUMP NAMES llvm-objdump-14 llvm-objdump REQUIRED)

set(HVEMU_RV_DISASM_SCRIPT ${CMAKE_CURRENT_LIST_FILE})
set(HVEMU_RV_DISASM_DIR ${CMAKE_CURRENT_BINARY_DIR}/riscv_disasm)
file(GLOB HVEMU_RV_DISASM_INPUTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/data/riscv_disasm/*.S)
set(HVEMU_RV_DISASM_LISTINGS)
foreach(src IN LISTS HVEMU_RV_DISASM_INPUTS)
  get_filename_component(name ${src} NAME_WE)
  set(obj ${HVEMU_RV_DISASM_DIR}/${name}.o)
  # -mno-relax: branches to local labels are resolved, not left to the linker.
  add_custom_command(OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${HVEMU_RV_DISASM_DIR}
    COMMAND ${HVEMU_RV_CLANG} --target=riscv64-unknown-elf -march=rv64gc -mno-relax -c ${src} -o ${obj}
    DEPENDS ${src}
    COMMENT "Assembling ${name}.S for the disassembler test"
    VERBATIM)
  foreach(mode noalias alias)
    set(listing ${HVEMU_RV_DISASM_DIR}/${name}.${mode}.txt)
    add_custom_command(OUTPUT ${listing}
      COMMAND ${CMAKE_COMMAND} -DOBJDUMP=${HVEMU_RV_OBJDUMP} -DOBJ=${obj} -DOUT=${listing} -DMODE=${mode}
              -P ${HVEMU_RV_DISASM_SCRIPT}
      DEPENDS ${obj} ${HVEMU_RV_DISASM_SCRIPT}
      VERBATIM)
    list(APPEND HVEMU_RV_DISASM_LISTINGS ${listing})
  endforeach()
endforeach()

add_custom_target(hvemu_riscv_disasm_listings DEPENDS ${HVEMU_RV_DISASM_LISTINGS})
add_dependencies(hvemu_tests hvemu_riscv_disasm_listings)
target_compile_definitions(hvemu_tests PRIVATE HVEMU_RISCV_DISASM_DIR="${HVEMU_RV_DISASM_DIR}")
