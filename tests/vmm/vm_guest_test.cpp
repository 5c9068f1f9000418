// The bundled VM guests under the reference VMM: each checks its console
// output and its exact exit sequence (kind, fields, PC advance).
#include "tests/vmm/vm_guest_fixture.hpp"

#include <algorithm>
#include <map>

using namespace hvemu;
using namespace hvemu::test;
namespace ex = hvemu::vcpu::exit;

namespace {

constexpr uint32_t kEcall = 0x00000073, kWfi = 0x10500073;
constexpr uint64_t kUart = 0x10000000;

// n SBI calls served inside the vCPU: each an ecall exit with PC + 4.
void add_sbi(std::vector<std::string>& v, size_t n) {
    for (size_t i = 0; i < n; i++) v.push_back("Nothing +4");
}
void add_sbi_text(std::vector<std::string>& v, const std::string& text) { add_sbi(v, text.size()); }
// One character out through the UART: poll LSR (lbu), write THR (sb).
void add_uart_text(std::vector<std::string>& v, const std::string& text) {
    for (unsigned char c : text) {
        v.push_back(fmt::format("MmioRead {:#x} w1 u +4", kUart + 5));
        v.push_back(fmt::format("MmioWrite {:#x} w1 {:#x} +4", kUart, c));
    }
}

void check_sequence(const std::vector<std::string>& got, const std::vector<std::string>& want) {
    INFO("exits seen:\n" << join(got));
    INFO("exits expected:\n" << join(want));
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); i++) {
        INFO("exit " << i);
        CHECK(got[i] == want[i]);
    }
}

// Every exit with a trapping instruction advanced the PC by its length.
void check_advances(const GuestRun& run) {
    for (const ExitRecord& r : run.exits) {
        INFO(format_trace_line(r));
        if (std::holds_alternative<ex::Nothing>(r.exit) || std::holds_alternative<ex::SystemDown>(r.exit) ||
            std::holds_alternative<ex::Hypercall>(r.exit) || std::holds_alternative<ex::CpuUp>(r.exit) ||
            std::holds_alternative<ex::CpuDown>(r.exit) || std::holds_alternative<ex::SendIpi>(r.exit)) {
            REQUIRE(r.insn);
            CHECK(*r.insn == kEcall);
            CHECK(r.pc_advance() == 4);
        } else if (std::holds_alternative<ex::Halt>(r.exit)) {
            REQUIRE(r.insn);
            CHECK((*r.insn == kWfi || *r.insn == kEcall));
            CHECK(r.pc_advance() == 4);
        } else if (std::holds_alternative<ex::MmioRead>(r.exit) || std::holds_alternative<ex::MmioWrite>(r.exit)) {
            REQUIRE(r.insn);
            CHECK(r.pc_advance() == insn_len(r));
        }
    }
}

} // namespace

TEST_CASE("VM guest hello: SBI legacy putchar and DBCN; every exit an ecall, PC + 4", "[vmm][guest]") {
    const GuestRun run = run_vm_guest("hello.elf");
    const std::string l1 = "hello from hart 0 over SBI legacy putchar\n", l2 = "device tree magic: ok\n";
    const std::string dbcn = "hello over SBI DBCN write\n", bytes = "hello over SBI DBCN write_byte\n";
    CHECK(run.out == l1 + l2 + dbcn + bytes + "bye\n");
    CHECK(run.result.end == VmEnd::Shutdown);
    CHECK(run.result.status == 0);
    std::vector<std::string> want;
    add_sbi_text(want, l1 + l2);
    add_sbi(want, 2);   // probe DBCN, DBCN write (the whole line in one call)
    add_sbi_text(want, bytes + "bye\n");
    want.push_back("SystemDown +4");
    check_sequence(sigs(run.exits), want);
    check_advances(run);
}

TEST_CASE("VM guest uart: the 16550 by MMIO, lb sign-extended and lbu not, into the exit's register",
          "[vmm][guest]") {
    auto expected = [] {
        std::vector<std::string> w;
        add_uart_text(w, "hello over the UART\n");
        w.push_back("MmioWrite 0x10000007 w1 0xa5 +4");     // sb a3, 7(a0)
        w.push_back("MmioRead 0x10000007 w1 s x15 +4");     // lb a5, 7(a0)
        w.push_back("MmioRead 0x10000007 w1 u x14 +4");     // lbu a4, 7(a0)
        add_uart_text(w, "scratch register: lb -91, lbu 165\n");
        w.push_back("MmioWrite 0x10000003 w1 0x3 +4");
        w.push_back("MmioRead 0x10000003 w1 u +4");
        add_uart_text(w, "line control: 3\ndone\n");
        w.push_back("SystemDown +4");
        return w;
    }();
    auto sig_with_scratch_regs = [](const GuestRun& run) {
        std::vector<std::string> v;
        for (const ExitRecord& r : run.exits) {
            const auto* rd = std::get_if<ex::MmioRead>(&r.exit);
            v.push_back(exit_sig(r, rd && rd->addr == kUart + 7));
        }
        return v;
    };
    SECTION("MMIO decoded from the transformed instruction in htinst") {
        const GuestRun run = run_vm_guest("uart.elf");
        CHECK(run.out == "hello over the UART\nscratch register: lb -91, lbu 165\nline control: 3\ndone\n");
        CHECK(run.result.status == 0);
        check_sequence(sig_with_scratch_regs(run), expected);
        check_advances(run);
    }
    SECTION("the same with htinst = 0: decoded by fetching the instruction") {
        const GuestRun run = run_vm_guest("uart.elf", with_config([](VmConfig& c) { c.hart_writes_tinst = false; }));
        CHECK(run.out == "hello over the UART\nscratch register: lb -91, lbu 165\nline control: 3\ndone\n");
        check_sequence(sig_with_scratch_regs(run), expected);
    }
}

TEST_CASE("VM guest paging: Sv39 in the guest over the G stage; its own page faults stay in the guest",
          "[vmm][guest]") {
    const std::string before =
        "Sv39 on: satp mode 8\nalias read: 1111\nidentity read after alias write: c0ffee\n"
        "read-only alias read: c0ffee\n"
        "store to read-only page: faults 1, scause 15, stval 100001010, data 0\n"
        "load from unmapped page: faults 2, scause 13, stval 100002000\n";
    const std::string alias = "through the UART alias\n", after = "Sv39 off\n";
    for (auto mode : {GStageMode::Sv39x4, GStageMode::Sv48x4}) {
        INFO(to_string(mode));
        const GuestRun run = run_vm_guest("paging.elf", with_config([mode](VmConfig& c) { c.gstage = mode; }));
        CHECK(run.out == before + alias + after);
        std::vector<std::string> want;
        add_sbi_text(want, before);
        add_uart_text(want, alias);   // VA 0x100003000 + n, exits with the guest-physical address
        add_sbi_text(want, after);
        want.push_back("SystemDown +4");
        check_sequence(sigs(run.exits), want);
        check_advances(run);
    }
}

TEST_CASE("VM guest timer: SBI timer ticks wake the halted vCPU; the clock skips to each deadline",
          "[vmm][guest]") {
    const GuestRun run = run_vm_guest("timer.elf");
    std::string ticks;
    for (int i = 1; i <= 5; i++) ticks += fmt::format("tick {}\n", i);
    const std::string last = "5 ticks, at least 5 intervals elapsed: yes\n";
    CHECK(run.out == ticks + last);
    std::vector<std::string> want;
    add_sbi(want, 2);   // probe TIME, legacy set_timer
    for (int i = 1; i <= 5; i++) {
        want.push_back("Halt +4");   // wfi
        add_sbi_text(want, fmt::format("tick {}\n", i));
        add_sbi(want, 1);            // set_timer (the last one disarms)
    }
    add_sbi_text(want, last);
    want.push_back("SystemDown +4");
    check_sequence(sigs(run.exits), want);
    check_advances(run);
    // The guest saw at least 5 intervals (100000 ticks of 100 cycles) pass.
    CHECK(run.exits.back().cycle >= 5 * 100000ull * 100);
}

TEST_CASE("VM guest uart_irq: received bytes interrupt through the virtual PLIC (VSEIP)", "[vmm][guest]") {
    const GuestSetup setup = with_input("\nhello plic\nsecond Line\nquit\n");
    const GuestRun run = run_vm_guest("uart_irq.elf", setup);
    CHECK(run.out ==
          "waiting for input lines on the UART (PLIC context 1)\nline 1: HELLO PLIC\nline 2: SECOND LINE\n"
          "quit after 2 lines\n");
    CHECK(run.result.status == 0);
    const std::vector<std::string> s = sigs(run.exits);
    const size_t first_mmio = std::find_if(s.begin(), s.end(), [](const std::string& x) { return x[0] == 'M'; }) - s.begin();
    REQUIRE(first_mmio + 4 <= s.size());
    // Set-up: source 10 priority 1, enable it for context 1, threshold 0, UART IER = data ready.
    CHECK(s[first_mmio].find("MmioWrite 0xc000028 w4 0x1") == 0);
    CHECK(s[first_mmio + 1].find("MmioWrite 0xc002080 w4 0x400") == 0);
    CHECK(s[first_mmio + 2].find("MmioWrite 0xc201000 w4 0x0") == 0);
    CHECK(s[first_mmio + 3] == "MmioWrite 0x10000001 w1 0x1 +4");
    // Each interrupt: claim (read 0xc201004) ... complete (write 10 to it).
    size_t claims = 0, completes = 0;
    for (const std::string& x : s) {
        claims += x.find("MmioRead 0xc201004 w4") == 0;
        completes += x.find("MmioWrite 0xc201004 w4 0xa") == 0;
    }
    CHECK(claims >= 1);
    CHECK(claims == completes);
    check_advances(run);
    // Deterministic: the same input gives the same exits.
    CHECK(sigs(run_vm_guest("uart_irq.elf", setup).exits) == s);
}

TEST_CASE("VM guest smp: HSM hart_start with a0 = hartid and a1 = opaque, IPIs round a ring, hart_stop",
          "[vmm][guest]") {
    const std::string out =
        "smp: boot hart is cpu0\n"
        "cpu1 status before start: stopped\ncpu2 status before start: stopped\ncpu3 status before start: stopped\n"
        "cpu1 is up with opaque 5eed0001\ncpu2 is up with opaque 5eed0002\ncpu3 is up with opaque 5eed0003\n"
        "starting cpu1 again: error -6\n"
        "cpu0 has the token (pass 1)\ncpu1 has the token (pass 2)\ncpu2 has the token (pass 3)\n"
        "cpu3 has the token (pass 4)\ncpu0 has the token (pass 5)\ncpu1 has the token (pass 6)\n"
        "cpu2 has the token (pass 7)\ncpu3 has the token (pass 8)\n"
        "the token went round 2 times (8 passes)\nall other harts stopped\n";
    for (unsigned pcpus : {4u, 2u, 1u}) {
        INFO(pcpus << " physical CPU(s)");
        const GuestRun run = run_vm_guest("smp.elf", with_config([pcpus](VmConfig& c) {
                                                          c.cpu_num = 4;
                                                          c.phys_cpus = pcpus;
                                                      }));
        CHECK(run.out == out);
        CHECK(run.result.status == 0);
        check_advances(run);
        const uint64_t entry = run.image.symbol("vm_secondary_entry").value_or(0);
        REQUIRE(entry != 0);
        // Per vCPU, the exits other than SBI calls served inside and WFIs.
        std::map<unsigned, std::vector<std::string>> per;
        for (const ExitRecord& r : run.exits)
            if (!std::holds_alternative<ex::Nothing>(r.exit) && !std::holds_alternative<ex::Halt>(r.exit))
                per[r.vcpu].push_back(exit_sig(r));
        auto ipi = [](unsigned mask) {
            return fmt::format("SendIpi target_cpu={:#x} target_cpu_aux=0x0 send_to_all=false send_to_self=false "
                               "vector=0x1 +4",
                               mask);
        };
        auto up = [entry](unsigned t, uint64_t arg) {
            return fmt::format("CpuUp target_cpu={} entry_point={:#x} arg={:#x} +4", t, entry, arg);
        };
        check_sequence(per[0], {up(1, 0x5eed0001), up(2, 0x5eed0002), up(3, 0x5eed0003), up(1, 0), ipi(0x2),
                                ipi(0x2), ipi(0x2), ipi(0x4), ipi(0x8), "SystemDown +4"});
        for (unsigned v = 1; v < 4; v++) {
            INFO("vCPU " << v);
            const unsigned next = 1u << ((v + 1) % 4);
            check_sequence(per[v], {ipi(next), ipi(next), "CpuDown state=0x0 +4"});
        }
        CHECK(run.exits.back().vcpu == 0);
    }
}

TEST_CASE("VM guest srst: SRST shutdown with vendor reason 0xF0000003 ends the VM with status 3",
          "[vmm][guest]") {
    const GuestRun run = run_vm_guest("srst.elf");
    CHECK(run.out == "shutting down with exit status 3\n");
    CHECK(run.result.end == VmEnd::Shutdown);
    CHECK(run.result.status == 3);
    REQUIRE_FALSE(run.exits.empty());
    CHECK(exit_sig(run.exits.back()) == "SystemDown +4");
}

TEST_CASE("VM guest hypercall: unknown numbers refused, hvemu's print and exit hypercalls", "[vmm][guest]") {
    const GuestRun run = run_vm_guest("hypercall.elf");
    CHECK(run.out ==
          "hypercall 0x42: error -2\nprinted by the hvemu print hypercall\nprint hypercall: error 0, value 37\n");
    CHECK(run.result.status == 7);
    std::vector<std::string> calls;
    for (const ExitRecord& r : run.exits)
        if (std::holds_alternative<ex::Hypercall>(r.exit)) calls.push_back(exit_sig(r));
    const uint64_t msg = run.image.symbol("msg").value_or(0);
    REQUIRE(msg != 0);
    check_sequence(calls, {
                              "Hypercall nr=0x42 args=[0x1, 0x2, 0x3, 0x4, 0x5, 0x6] +4",
                              fmt::format("Hypercall nr=0x68760001 args=[{:#x}, 0x25, 0x0, 0x0, 0x0, 0x0] +4", msg),
                              "Hypercall nr=0x68760002 args=[0x7, 0x0, 0x0, 0x0, 0x0, 0x0] +4",
                          });
    CHECK(std::holds_alternative<ex::Hypercall>(run.exits.back().exit));
}

TEST_CASE("VM guest unmapped: an access nothing serves stops the VM, naming address, access and pc",
          "[vmm][guest]") {
    const GuestRun run = run_vm_guest("unmapped.elf");
    CHECK(run.out == "loading from 40000000\n");
    CHECK(run.result.end == VmEnd::GuestError);
    CHECK(run.result.status == RiscvVmm::kGuestErrorStatus);
    REQUIRE_FALSE(run.exits.empty());
    const ExitRecord& last = run.exits.back();
    CHECK(exit_sig(last, true) == "MmioRead 0x40000000 w4 s x15 +2");   // c.lw a5, 0(a0)
    REQUIRE(last.trap_pc);
    CHECK(run.result.message ==
          fmt::format("vCPU 0 at pc {:#x}: load of 4 bytes at guest-physical address 0x40000000: no RAM or device there",
                      *last.trap_pc));
}

TEST_CASE("VM guest unmapped with --unmapped-access fault: the guest takes load and store access faults",
          "[vmm][guest]") {
    const GuestRun run = run_vm_guest("unmapped.elf", with_unmapped(UnmappedAccess::Fault));
    CHECK(run.out ==
          "loading from 40000000\naccess fault: scause 5, stval 40000000\nstoring to 40000008\n"
          "access fault: scause 7, stval 40000008\nsurvived 2 faults\n");
    CHECK(run.result.status == 0);
    std::vector<std::string> mmio;
    for (const ExitRecord& r : run.exits)
        if (!std::holds_alternative<ex::Nothing>(r.exit)) mmio.push_back(exit_sig(r, true));
    // c.lw a5, 0(a0) and c.sd a5, 8(a0): compressed, PC + 2.
    check_sequence(mmio, {"MmioRead 0x40000000 w4 s x15 +2", "MmioWrite 0x40000008 w8 0x0 +2", "SystemDown +4"});
}

TEST_CASE("VM stats count exits per reason", "[vmm][guest]") {
    const GuestRun run = run_vm_guest("smp.elf", with_config([](VmConfig& c) { c.cpu_num = 4; }));
    CHECK_THAT(run.stats, Catch::Contains("4 vCPU(s) on 4 physical CPU(s)"));
    CHECK_THAT(run.stats, Catch::Contains("CpuUp              4"));
    CHECK_THAT(run.stats, Catch::Contains("CpuDown            3"));
    CHECK_THAT(run.stats, Catch::Contains("SendIpi            11"));
    CHECK_THAT(run.stats, Catch::Contains("SystemDown         1"));
}
