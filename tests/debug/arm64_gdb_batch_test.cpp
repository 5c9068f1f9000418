// gdb-multiarch in batch mode against hvemu's GDB stub on the aarch64-virt
// machine and the bundled AArch64 guests (tests/debug/gdb_session.sh runs
// one session): registers (vectors and cpsr included), memory, steps,
// the EL2 syndrome registers at an exception handler, `monitor walk`
// through both stages, and a read watchpoint.
#include <catch2/catch.hpp>

#include "tests/debug/gdb_session.hpp"

namespace {

using hvemu::test::gdb_guest;
using hvemu::test::gdb_session;

std::string session(const std::string& name, const std::string& gdb_commands) {
    return gdb_session(gdb_guest("aarch64", name), "set architecture aarch64\n" + gdb_commands, "--machine aarch64-virt");
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

} // namespace

TEST_CASE("gdb-multiarch aarch64: break at main, registers, vectors, memory, step, EL1 and the HVC handler",
          "[debug][gdb][arm64]") {
    // hello.elf runs main at EL2, calls at_el1() at EL1, which makes an
    // HVC that on_hvc() serves at EL2.
    const std::string out = session("hello.elf", R"GDB(break *main
continue
printf "at-main %d\n", $pc == (long)&main
printf "el %d\n", ($cpsr >> 2) & 3
set $x9 = 0x1234abcd
printf "x9 %lx\n", $x9
set {long}($sp - 64) = 0x5566778899
printf "mem %lx\n", *(long*)($sp - 64)
set $v7.d.u[1] = 0xfeedfacecafef00d
set $v7.d.u[0] = 0x0102030405060708
p/x $v7.q.u
printf "d7 %lx\n", $v7.d.u[0]
set $before = $pc
stepi
printf "stepped %d\n", $pc == $before + 4
monitor el
monitor help
break at_el1
continue
printf "el1 %d\n", ($cpsr >> 2) & 3
break on_hvc
continue
printf "ec %lx\n", $esr_el2 >> 26
printf "hvc-imm %lx\n", $esr_el2 & 0xffff
printf "spsr-el %d\n", ($spsr_el2 >> 2) & 3
delete
continue
)GDB");
    INFO(out);
    CHECK(contains(out, "Breakpoint 1, main ()"));
    CHECK(contains(out, "at-main 1"));
    CHECK(contains(out, "el 2"));
    CHECK(contains(out, "x9 1234abcd"));
    CHECK(contains(out, "mem 5566778899"));
    CHECK(contains(out, "= {0xfeedfacecafef00d0102030405060708}"));
    CHECK(contains(out, "d7 102030405060708"));
    CHECK(contains(out, "stepped 1"));
    CHECK(contains(out, "EL2h (cpsr 0x"));
    CHECK(contains(out, "sysregs"));   // the target's monitor commands in help
    CHECK(contains(out, "el1 1"));
    CHECK(contains(out, "ec 16"));       // HVC from AArch64
    CHECK(contains(out, "hvc-imm 42"));
    CHECK(contains(out, "spsr-el 1"));
    CHECK(contains(out, "PASS: hello"));
    CHECK(contains(out, "exited normally"));
    CHECK(contains(out, "hvemu-status 0"));
}

TEST_CASE("gdb-multiarch aarch64: a stage 2 abort at EL2, the walk through both stages, a read watchpoint",
          "[debug][gdb][arm64]") {
    // stage2.elf turns stage 2 on, then runs el1_main() at EL1 with its own
    // stage 1: mmio_loads() loads from an IPA stage 2 does not map (a data
    // abort to on_abort() at EL2), then el1_main reads a page stage 2 maps
    // read-only, at VA = IPA 0x40410000, holding 0x0123456789abcdef at +8.
    const std::string out = session("stage2.elf", R"GDB(break mmio_loads
continue
printf "el %d vm %d vmid %d\n", ($cpsr >> 2) & 3, $hcr_el2 & 1, $vttbr_el2 >> 48
printf "ro %lx\n", *(long*)0x40410008
monitor walk 0x40410008
monitor walk 0x40411018
monitor phys on
printf "phys %lx\n", *(long*)0x40410008
monitor phys off
break on_abort
continue
printf "abort-ec %lx far %lx hpfar %lx\n", $esr_el2 >> 26, $far_el2, $hpfar_el2
printf "abort-el %d\n", ($cpsr >> 2) & 3
monitor sysregs
delete
rwatch *(long*)0x40410008
continue
printf "after-load %d\n", ((*(unsigned*)($pc - 4)) & 0xffc00000) == 0xf9400000
delete
continue
)GDB");
    INFO(out);
    CHECK(contains(out, "el 1 vm 1 vmid 1"));
    CHECK(contains(out, "ro 123456789abcdef"));
    CHECK(contains(out, "S1 L3: entry 0x10 at 0x40402080 = "));
    CHECK(contains(out, "S2 L3: entry 0x10 at "));
    CHECK(contains(out, "S2AP r-"));
    CHECK(contains(out, "pe: 0x40410008 -> 0x40410008\n"));
    CHECK(contains(out, "S2 L3: entry 0x11 at "));   // the lazily mapped page: not yet
    CHECK(contains(out, "pe: translation fault, level 3, stage 2 (IPA 0x40411018)"));
    CHECK(contains(out, "phys 123456789abcdef"));
    CHECK(contains(out, "abort-ec 24 far c000010 hpfar c0000"));   // data abort from EL1 at the unmapped IPA
    CHECK(contains(out, "abort-el 2"));
    CHECK(contains(out, "hpfar_el2     0x00000000000c0000"));
    // The stop (0x0123456789abcdef was read), after GDB stepped over the load.
    CHECK(contains(out, "Hardware read watchpoint 3: *(long*)0x40410008\n\nValue = 81985529216486895"));
    CHECK(contains(out, "after-load 1"));   // GDB stepped over the load (ldr x, [x, #imm]) itself
    CHECK(contains(out, "PASS: stage2"));
    CHECK(contains(out, "exited normally"));
    CHECK(contains(out, "hvemu-status 0"));
}
