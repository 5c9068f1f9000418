// gdb-multiarch in batch mode against hvemu's GDB stub and the bundled
// guests (tests/debug/gdb_session.sh runs one session): a full-system
// guest and a hosted VM. A missing gdb-multiarch or guest fails the test.
#include <catch2/catch.hpp>

#include "tests/debug/gdb_session.hpp"

namespace {

using hvemu::test::gdb_guest;

std::string session(const std::string& elf, const std::string& gdb_commands, const std::string& hvemu_args) {
    return hvemu::test::gdb_session(elf, gdb_commands, hvemu_args);
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

} // namespace

TEST_CASE("gdb-multiarch: full-system guest, break at main, registers, memory, step, continue", "[debug][gdb]") {
    const std::string elf = gdb_guest("riscv64", "hello.elf");
    const std::string out = session(elf, R"GDB(break *main
continue
printf "at-main %d\n", $pc == (long)&main
set $t0 = 0x1234abcd
printf "t0 %lx\n", $t0
set {long}($sp - 64) = 0x5566778899
printf "mem %lx\n", *(long*)($sp - 64)
set $before = $pc
stepi
printf "stepped %d\n", $pc != $before
monitor help
delete
continue
)GDB",
                                    "--machine riscv64-virt --bios none");
    INFO(out);
    CHECK(contains(out, "Breakpoint 1, "));
    CHECK(contains(out, "at-main 1"));
    CHECK(contains(out, "t0 1234abcd"));
    CHECK(contains(out, "mem 5566778899"));
    CHECK(contains(out, "stepped 1"));
    CHECK(contains(out, "step-interrupts on|off"));
    CHECK(contains(out, "exited normally"));
    CHECK(contains(out, "hvemu-status 0"));
}

TEST_CASE("gdb-multiarch: hosted VM, break on an MMIO exit, virtualization registers, step across MMIO",
          "[debug][gdb]") {
    const std::string elf = gdb_guest("riscv64-vm", "uart.elf");
    // uart.elf's main stores the UART scratch register with `sb a3, 7(a0)`
    // then reads it back with `lb a5, 7(a0)`: each is an MMIO exit.
    const std::string out = session(elf, R"GDB(monitor vmexit-break MmioWrite
continue
printf "scause %lx\n", $scause
printf "htinst-nonzero %d\n", $htinst != 0
printf "htval %lx\n", $htval
monitor exit
monitor stats
monitor walk 0x80200000
monitor vmexit-break off
python
import re
dis = gdb.execute("disassemble main", to_string=True)
m = re.search(r"(0x[0-9a-f]+) <\+\d+>:\s+sb\s+a3,7\(a0\)", dis)
gdb.execute("tbreak *" + m.group(1))
end
continue
x/i $pc
set $sb = $pc
stepi
printf "after-sb %d\n", $pc == $sb + 4
stepi
printf "a5 %ld\n", $a5
stepi
printf "a4 %lu\n", $a4
monitor exit
continue
)GDB",
                                    "--arch riscv64");
    INFO(out);
    CHECK(contains(out, "SIGTRAP"));
    CHECK(contains(out, "scause 17"));   // store/AMO guest-page fault
    CHECK(contains(out, "htinst-nonzero 1"));
    CHECK(contains(out, "htval 4000000"));   // the UART at 0x10000000, shifted right by 2
    CHECK(contains(out, "MmioWrite"));
    CHECK(contains(out, "G : 0x80200000 -> 0x"));   // the walk's G-stage leaf
    CHECK(contains(out, "hvemu:   MmioWrite "));  // monitor stats
    CHECK(contains(out, "after-sb 1"));
    CHECK(contains(out, "a5 -91"));
    CHECK(contains(out, "a4 165"));
    CHECK(contains(out, "exited normally"));
    CHECK(contains(out, "hvemu-status 0"));
}

TEST_CASE("gdb-multiarch: stepping a hosted VM does not enter the timer handler", "[debug][gdb]") {
    const std::string elf = gdb_guest("riscv64-vm", "timer.elf");
    // timer.elf enables the timer interrupt and waits in a WFI loop; with
    // the ticks pending, 400 steps never reach the trap vector.
    const std::string out = session(elf, R"GDB(break *main
continue
delete
python
trap = int(gdb.parse_and_eval("(long)&vm_trap_entry"))
hits = 0
for _ in range(400):
    gdb.execute("stepi", to_string=True)
    hits += int(gdb.parse_and_eval("$pc")) == trap
print("trap-hits", hits)
end
printf "ticks %u\n", ticks
continue
)GDB",
                                    "--arch riscv64");
    INFO(out);
    CHECK(contains(out, "trap-hits 0"));
    CHECK(contains(out, "ticks 0"));
    CHECK(contains(out, "5 ticks"));
    CHECK(contains(out, "exited normally"));
    CHECK(contains(out, "hvemu-status 0"));
}
