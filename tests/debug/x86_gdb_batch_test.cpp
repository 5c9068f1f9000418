// gdb-multiarch in batch mode against hvemu's x86-64 GDB stub
// (tests/debug/gdb_session.sh runs one session): the x86_64-pc machine
// (hello.elf; vmx.elf, a bare-metal hypervisor, stopped in its guest and at
// its exit handler) and a hosted x86 VM (vmexit-break on a hypercall and a
// port write, stepping across a port write), Ctrl-C while a guest runs,
// read and access watchpoints on both, and --trace insn beside the stub.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "tests/debug/gdb_session.hpp"

namespace {

using hvemu::test::gdb_guest;
using hvemu::test::gdb_session;

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

// One session of guests/<dir>/<name>; everything gdb and hvemu printed.
std::string session(const std::string& dir, const std::string& name, const std::string& gdb_commands,
                    const std::string& args) {
    return gdb_session(gdb_guest(dir, name), gdb_commands, args, "i386:x86-64");
}

} // namespace

TEST_CASE("gdb-multiarch x86_64-pc: break at main, registers, memory, step, continue to the end",
          "[debug][gdb][x86]") {
    const std::string out = session("x86_64", "hello.elf", R"GDB(break *main
continue
printf "at-main %d\n", $pc == (long)&main
printf "cs %x cr0-pg %d efer-lma %d\n", $cs, ($cr0 >> 31) & 1, ($efer >> 10) & 1
info registers
set $rbx = 0x1234abcd
printf "rbx %lx\n", $rbx
set $xmm5.v2_int64[1] = 0x0102030405060708
printf "xmm5 %lx\n", $xmm5.v2_int64[1]
set {long}($rsp - 64) = 0x5566778899
printf "mem %lx\n", *(long*)($rsp - 64)
printf "code-byte %x\n", *(unsigned char*)main
set $before = $pc
stepi
printf "stepped %d\n", $pc != $before
monitor walk 0x100000
monitor phys on
printf "phys-byte %x\n", *(unsigned char*)main
monitor phys off
delete
continue
)GDB",
                                    "--machine x86_64-pc");
    INFO(out);
    CHECK(contains(out, "at-main 1"));
    CHECK(contains(out, "cs 8 cr0-pg 1 efer-lma 1"));
    CHECK(contains(out, "eflags "));
    CHECK(contains(out, "exit_reason    <unavailable>"));   // not in VMX operation
    CHECK(contains(out, "rbx 1234abcd"));
    CHECK(contains(out, "xmm5 102030405060708"));
    CHECK(contains(out, "mem 5566778899"));
    CHECK(contains(out, "stepped 1"));
    CHECK(contains(out, "paging: 0x100000 -> 0x100000"));
    // The first byte of main read by linear and physical address (identity map).
    const size_t code = out.find("code-byte "), phys = out.find("phys-byte ");
    REQUIRE(code != std::string::npos);
    REQUIRE(phys != std::string::npos);
    CHECK(out.substr(code + 10, 3) == out.substr(phys + 10, 3));
    CHECK(contains(out, "PASS: hello"));
    CHECK(contains(out, "exited with code 01"));   // isa-debug-exit: (0 << 1) | 1
    CHECK(contains(out, "hvemu-status 1"));
}

TEST_CASE("gdb-multiarch x86_64-pc: a VMX guest through both stages, then the VMCS at the exit handler",
          "[debug][gdb][x86]") {
    // vmx.elf is a hypervisor: guest_main runs in VMX non-root operation
    // under its EPT; handle_exit runs in root operation after each exit.
    const std::string out = session("x86_64", "vmx.elf", R"GDB(break *guest_main
continue
info threads
printf "guest cr3 %d\n", $cr3 == $guest_cr3
monitor walk 0x100000
break handle_exit
continue
printf "exit_reason %d len %d qual %lx rip-in-guest %d\n", $exit_reason, $exit_instruction_length, $exit_qualification, $guest_rip >= (long)&guest_main
monitor vmcs
monitor walk guest 0x100000
delete
continue
)GDB",
                                    "--machine x86_64-pc");
    INFO(out);
    CHECK(contains(out, "VMX non-root"));
    CHECK(contains(out, "guest cr3 1"));
    CHECK(contains(out, "EPT PML4 entry 0x0 at "));
    CHECK(contains(out, "EPT: 0x100000 -> 0x100000"));
    CHECK(contains(out, "exit_reason 12 len 1 qual 0 rip-in-guest 1"));   // the guest's first exit here: HLT
    CHECK(contains(out, "root operation"));
    CHECK(contains(out, "exit_instruction_length   0x0000000000000001"));
    CHECK(contains(out, "PASS: vmx"));
    CHECK(contains(out, "hvemu-status 1"));
}

TEST_CASE("gdb-multiarch: hosted x86 VM, vmexit-break on a hypercall and a port write, step across a port write",
          "[debug][gdb][x86]") {
    const std::string out = session("x86_64-vm", "hypercall.elf", R"GDB(info threads
break *main
continue
printf "at-main %d\n", $pc == (long)&main
set $r12 = 0x1234abcd
printf "r12 %lx\n", $r12
monitor vmexit-break Hypercall
continue
printf "exit_reason %d len %d rax %lx\n", $exit_reason, $exit_instruction_length, $rax
printf "after-vmcall %d\n", *(unsigned char*)($pc - 3) == 0x0f && *(unsigned char*)($pc - 1) == 0xc1
monitor exit
monitor walk 0x100000
monitor vmexit-break IoWrite
continue
printf "io exit_reason %d qual %lx\n", $exit_reason, $exit_qualification
monitor vmexit-break off
python
import re
dis = gdb.execute("disassemble put_uart", to_string=True)
m = re.search(r"(0x[0-9a-f]+) <\+\d+>:\s+out\s+%al,\(%dx\)", dis)
gdb.execute("tbreak *" + m.group(1))
end
continue
set $out = $pc
stepi
printf "after-out %d\n", $pc == $out + 1
monitor stats
delete
continue
)GDB",
                                    "--arch x86_64");
    INFO(out);
    CHECK(contains(out, "vcpu 0"));
    CHECK(contains(out, "at-main 1"));
    CHECK(contains(out, "r12 1234abcd"));
    CHECK(contains(out, "exit_reason 18 len 3 rax 42"));   // VMCALL, the unknown function 0x42
    CHECK(contains(out, "after-vmcall 1"));                 // RIP already past VMCALL (0f 01 c1)
    CHECK(contains(out, "Hypercall nr=0x42"));
    CHECK(contains(out, "(host 0x"));                       // guest tables through the EPT
    CHECK(contains(out, "EPT: 0x100000 -> 0x"));
    CHECK(contains(out, "io exit_reason 30 qual 3f80000"));  // OUT DX, AL to port 0x3f8
    CHECK(contains(out, "after-out 1"));
    CHECK(contains(out, "hvemu:   IoWrite "));
    CHECK(contains(out, "PASS: hypercall"));
    CHECK(contains(out, "exited with code 01"));
    CHECK(contains(out, "hvemu-status 1"));
}

TEST_CASE("gdb-multiarch x86_64-pc: Ctrl-C stops the running guest", "[debug][gdb][x86]") {
    // GDB turns a SIGINT during `continue` into the interrupt byte (0x03);
    // the stub must stop the guest and report it. main is made to spin
    // (jmp $) so that the guest still runs when the interrupt comes.
    const std::string out = session("x86_64", "hello.elf", R"GDB(break *main
continue
delete
set {unsigned short}$pc = 0xfeeb
python
import os, signal, threading
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
end
continue
printf "stopped-at-main %d\n", $pc == (long)&main
kill
)GDB",
                                    "--machine x86_64-pc");
    INFO(out);
    CHECK(contains(out, "Program received signal SIGINT"));
    CHECK(contains(out, "stopped-at-main 1"));
    CHECK_FALSE(contains(out, "PASS: hello"));
}

namespace {
// A read watchpoint on the loader's magic (main reads it), then an access
// watchpoint on the runtime's print lock: taken by an XCHG (read and
// write) in printf, released by a store. x86 watchpoints stop after the
// access, as hardware does.
const char* const kWatchScript = R"GDB(break *main
continue
rwatch *(unsigned*)&rt_boot_magic
continue
printf "rwatch-in-main %d\n", $pc > (long)&main && $pc < (long)&main + 0x1000
delete
awatch print_lock
continue
printf "lock-taken %d\n", print_lock
continue
printf "lock-released %d\n", print_lock
delete
continue
)GDB";

void check_watch_session(const std::string& out, const std::string& magic, const std::string& guest_pass) {
    CHECK(contains(out, "Hardware read watchpoint 2: *(unsigned*)&rt_boot_magic\n\nValue = " + magic));
    CHECK(contains(out, "rwatch-in-main 1"));
    CHECK(contains(out, "Hardware access (read/write) watchpoint 3: print_lock"));
    CHECK(contains(out, "lock-taken 1"));      // stopped after the XCHG that took it
    CHECK(contains(out, "lock-released 0"));   // and after the store that released it
    CHECK(contains(out, guest_pass));
}
} // namespace

TEST_CASE("gdb-multiarch x86_64-pc: rwatch and awatch stop after the access", "[debug][gdb][x86]") {
    const std::string out = session("x86_64", "hello.elf", kWatchScript, "--machine x86_64-pc");
    INFO(out);
    check_watch_session(out, "732803074", "PASS: hello");   // the multiboot magic 0x2badb002
    CHECK(contains(out, "hvemu-status 1"));
}

TEST_CASE("gdb-multiarch: hosted x86 VM: rwatch and awatch through the guest's paging and the EPT",
          "[debug][gdb][x86]") {
    const std::string out = session("x86_64-vm", "hello.elf", kWatchScript, "--arch x86_64");
    INFO(out);
    check_watch_session(out, "0", "PASS: hello");   // started at the reset vector: no loader magic
    CHECK(contains(out, "hvemu-status 1"));
}

TEST_CASE("gdb-multiarch x86_64-pc: --trace insn with --gdb traces each instruction once, the stub still stops",
          "[debug][gdb][x86][trace]") {
    namespace fs = std::filesystem;
    const std::string elf = hvemu::test::gdb_guest("x86_64", "hello.elf");
    const fs::path dir = fs::temp_directory_path() / fmt::format("hvemu-gdb-insn-{}", ::getpid());
    fs::create_directories(dir);
    const fs::path alone = dir / "alone.trace", with_gdb = dir / "gdb.trace";
    // The trace without the debugger...
    const std::string cmd = fmt::format("'{}' run --machine x86_64-pc --kernel '{}' --trace insn --trace-file '{}' "
                                        ">/dev/null 2>&1 </dev/null",
                                        hvemu::test::kHvemuBinary, elf, alone.string());
    (void)std::system(cmd.c_str());
    // ... and with it: a breakpoint, two steps, a continue to the end.
    const std::string out = session("x86_64", "hello.elf", R"GDB(break *main
continue
printf "at-main %d\n", $pc == (long)&main
stepi
stepi
printf "stepped %d\n", $pc != (long)&main
delete
continue
)GDB",
                                    fmt::format("--machine x86_64-pc --trace insn --trace-file '{}'", with_gdb.string()));
    INFO(out);
    CHECK(contains(out, "at-main 1"));
    CHECK(contains(out, "stepped 1"));
    CHECK(contains(out, "PASS: hello"));
    CHECK(contains(out, "hvemu-status 1"));
    auto slurp = [](const fs::path& p) {
        std::ifstream f(p);
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    };
    const std::string a = slurp(alone), b = slurp(with_gdb);
    fs::remove_all(dir);
    // Every instruction once, in the same order at the same cycle: stopping
    // and stepping in the stub neither drops nor repeats a line.
    REQUIRE(a.size() > 1000);
    CHECK(a.find(" cycle ") != std::string::npos);
    CHECK(a.size() == b.size());
    CHECK((a == b));
}
