// Builds small ELF64 executables in memory: a few PT_LOAD segments and an
// optional symbol table. For tests and tools that need an image without a
// cross toolchain (the loader's own tests mutate what it produces).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvemu::emu {

struct ElfWriterSegment {
    uint64_t paddr = 0;
    std::vector<uint8_t> data;
    uint64_t memsz = 0;          // 0: data.size()
    uint32_t flags = 5;          // PF_R | PF_X
};

struct ElfWriterSymbol {
    std::string name;
    uint64_t value = 0;
};

struct ElfWriterInput {
    uint16_t machine = 243;      // EM_RISCV
    uint64_t entry = 0;
    std::vector<ElfWriterSegment> segments;
    std::vector<ElfWriterSymbol> symbols;   // written as global absolute (SHN_ABS) symbols
};

// Layout: ELF header, program headers, segment bytes, then (with symbols)
// .symtab, .strtab, .shstrtab and the section header table.
std::vector<uint8_t> write_elf(const ElfWriterInput& in);

} // namespace hvemu::emu
