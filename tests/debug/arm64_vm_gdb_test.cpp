// gdb-multiarch in batch mode against hvemu's GDB stub on a hosted Arm VM
// (tests/debug/gdb_session.sh runs one session): vCPUs as threads, break
// at main in the guest, the guest's registers (EL1), a step, vmexit-break
// on an MMIO exit with ESR_EL2 in the virtualization feature, and
// `monitor walk` through the guest's translation.
#include <catch2/catch.hpp>

#include "tests/debug/gdb_session.hpp"

namespace {

using hvemu::test::gdb_guest;
using hvemu::test::gdb_session;

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

std::string session(const std::string& name, const std::string& gdb_commands, const std::string& args) {
    return gdb_session(gdb_guest("aarch64-vm", name), "set architecture aarch64\n" + gdb_commands, args);
}

} // namespace

TEST_CASE("gdb-multiarch: hosted Arm VM, break at main, EL1 registers, vmexit-break on MMIO with ESR_EL2",
          "[debug][gdb][arm64]") {
    const std::string out = session("hello.elf", R"GDB(info threads
break *main
continue
printf "at-main %d\n", $pc == (long)&main
printf "el %d\n", ($cpsr >> 2) & 3
set $x9 = 0x1234abcd
printf "x9 %lx\n", $x9
set $before = $pc
stepi
printf "stepped %d\n", $pc == $before + 4
monitor vmexit-break MmioWrite
continue
printf "ec %lx\n", $esr_el2 >> 26
printf "wnr %ld\n", ($esr_el2 >> 6) & 1
printf "hpfar %lx\n", $hpfar_el2
monitor walk 0x40200000
monitor vmexit-break off
monitor exit
continue
)GDB",
                                    "--arch aarch64 --smp 2");
    INFO(out);
    CHECK(contains(out, "vcpu 0"));
    CHECK(contains(out, "vcpu 1"));
    CHECK(contains(out, "at-main 1"));
    CHECK(contains(out, "el 1"));
    CHECK(contains(out, "x9 1234abcd"));
    CHECK(contains(out, "stepped 1"));
    CHECK(contains(out, "MmioWrite"));
    CHECK(contains(out, "ec 24"));          // a data abort from EL1
    CHECK(contains(out, "wnr 1"));
    CHECK(contains(out, "hpfar 90000"));    // the PL011 at 0x09000000, IPA >> 12 << 4
    CHECK(contains(out, "0x40200000"));
    CHECK(contains(out, "hvemu-status 0"));
}
