// The bundled Arm VM guests (guests/aarch64-vm) under the reference VMM:
// each checks its console output and its exit sequence (kind, fields, PC
// advance), or where the interleaving of vCPUs decides the order, its
// exits per kind and per vCPU.
#include "tests/vmm/vm_guest_fixture.hpp"

#include <map>

#include "emu/vmm/arm_vm.hpp"
#include "emu/vmm/arm_vmm.hpp"
#include "vcpu/arm64/arm_regs.hpp"

using namespace hvemu;
using namespace hvemu::test;
namespace ex = hvemu::vcpu::exit;

namespace {

constexpr uint64_t kUartDr = 0x09000000, kUartFr = 0x09000018;
constexpr uint32_t kHvc0 = 0xd4000002, kWfi = 0xd503207f;
constexpr uint32_t kEcHvc = 0x16, kEcSys = 0x18, kEcDabt = 0x24, kEcWfx = 0x01;

std::string a64_guest_path(const std::string& name) {
    return std::string(HVEMU_BINARY_DIR) + "/guests/aarch64-vm/" + name;
}

GuestRun run_arm_guest(const std::string& file, unsigned cpus = 1, VmmOptions opt = {},
                       const std::function<void(VmConfig&)>& config = {}) {
    const std::string path = a64_guest_path(file);
    INFO("guest " << path << " (build the guests-vm target)");
    REQUIRE(std::filesystem::exists(path));
    GuestRun run;
    VmConfig cfg;
    cfg.arch = GuestArch::Aarch64;
    cfg.cpu_num = cpus;
    cfg.clock.timebase_hz = 62'500'000;
    cfg.kernel_path = path;
    if (config) config(cfg);
    ConsoleIo io;
    io.out = nullptr;
    io.sink = [&run](uint8_t c) { run.out += static_cast<char>(c); };
    io.input = emu::ConsoleInput::Off;
    ArmVm vm(cfg, io);
    opt.hook = [&run](const ExitRecord& r) { run.exits.push_back(r); };
    ArmVmm vmm(vm, opt);
    run.result = vmm.run();
    run.image = vm.kernel();
    run.stats = vmm.stats_report();
    return run;
}

// One character through the PL011 as the runtime writes it: poll FR
// (ldr w), then DR (str w).
void add_uart_text(std::vector<std::string>& v, const std::string& text) {
    for (unsigned char c : text) {
        v.push_back(fmt::format("MmioRead {:#x} w4 u +4", kUartFr));
        v.push_back(fmt::format("MmioWrite {:#x} w4 {:#x} +4", kUartDr, c));
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

uint32_t ec_of(const ExitRecord& r) { return static_cast<uint32_t>((r.scause >> 26) & 0x3f); }

// The PC contract per exit, checked on every record: HVC exits are past
// the HVC (trap pc = the HVC), MMIO and system registers + 4, WFI + 4.
void check_advances(const GuestRun& run) {
    for (const ExitRecord& r : run.exits) {
        INFO(format_trace_line(r));
        CHECK(r.isa == Isa::Arm64);
        if (!r.trap_pc) continue;
        switch (ec_of(r)) {
        case kEcHvc:
            REQUIRE(r.insn);
            CHECK(*r.insn == kHvc0);
            CHECK(r.pc_advance() == 4);
            break;
        case kEcDabt:
        case kEcSys: CHECK(r.pc_advance() == 4); break;
        case kEcWfx:
            REQUIRE(r.insn);
            CHECK(*r.insn == kWfi);
            CHECK(std::holds_alternative<ex::Halt>(r.exit));
            CHECK(r.pc_advance() == 4);
            break;
        default: break;
        }
    }
}

std::map<std::string, unsigned> kinds(const std::vector<ExitRecord>& exits, int vcpu = -1) {
    std::map<std::string, unsigned> m;
    for (const ExitRecord& r : exits)
        if (vcpu < 0 || r.vcpu == static_cast<unsigned>(vcpu)) m[hvemu::vcpu::exit_kind(r.exit)]++;
    return m;
}

} // namespace

TEST_CASE("Arm VM guest hello: PSCI VERSION served in the vCPU, the PL011 by MMIO, SYSTEM_OFF", "[vmm][arm-guest]") {
    const GuestRun run = run_arm_guest("hello.elf");
    const std::string text = "Hello from an AArch64 VM guest.\nCurrentEL = EL1, MPIDR_EL1 = 0000000080000000\n"
                             "PSCI version 1.1\nPASS: hello\n";
    CHECK(run.out == text);
    CHECK(run.result.end == VmEnd::Shutdown);
    CHECK(run.result.status == 0);
    std::vector<std::string> want;
    want.push_back("Nothing +4");   // PSCI VERSION: x0 = 1.1, served by the vCPU
    add_uart_text(want, text);
    want.push_back("SystemDown +4");
    check_sequence(sigs(run.exits), want);
    check_advances(run);
}

TEST_CASE("Arm VM guest mmio_sext: ldrsb/ldrsh/ldrsw complete with the exit's width, sign and register width",
          "[vmm][arm-guest]") {
    const GuestRun run = run_arm_guest("mmio_sext.elf");
    CHECK(run.result.status == 0);
    CHECK(run.out.find("PASS: mmio_sext\n") != std::string::npos);
    CHECK(run.out.find("check failed") == std::string::npos);
    // The loads of the guest's table, in order: (address, width, signed, X register).
    struct Load {
        uint64_t addr;
        unsigned width;
        bool sext;
        unsigned reg_width;
    };
    const Load want[] = {
        {kUartFr, 1, false, 4},   {kUartFr, 1, true, 4},    {kUartFr, 1, true, 8},
        {0x09000ff4, 1, true, 4}, {0x09000ffc, 1, true, 8}, {0x09000ffc, 4, false, 4},
        {0x09000ffc, 4, true, 8}, {0x09000024, 2, false, 4}, {0x09000024, 2, true, 4},
        {0x09000024, 2, true, 8}, {0x08000420, 4, false, 4}, {0x08000420, 4, true, 8},
        {0x08000421, 1, true, 8},
    };
    std::vector<const ex::MmioRead*> loads;
    for (const ExitRecord& r : run.exits)
        if (const auto* e = std::get_if<ex::MmioRead>(&r.exit); e && !(e->addr == kUartFr && e->width == vcpu::AccessWidth::Dword))
            loads.push_back(e);
    // Reading IBRD to restore it is a plain ldr w of the same register.
    std::vector<const ex::MmioRead*> table;
    for (const auto* e : loads)
        if (!(e->addr == 0x09000024 && e->width == vcpu::AccessWidth::Dword)) table.push_back(e);
    REQUIRE(table.size() == std::size(want));
    for (size_t i = 0; i < table.size(); i++) {
        INFO("load " << i);
        CHECK(table[i]->addr == want[i].addr);
        CHECK(vcpu::bytes(table[i]->width) == want[i].width);
        CHECK(table[i]->signed_ext == want[i].sext);
        CHECK(vcpu::bytes(table[i]->reg_width) == want[i].reg_width);
    }
    check_advances(run);
}

TEST_CASE("Arm VM guest paging: the guest's stage 1 over stage 2; its own faults stay in the guest",
          "[vmm][arm-guest]") {
    const GuestRun run = run_arm_guest("paging.elf");
    CHECK(run.result.status == 0);
    CHECK(run.out.find("MMU on: SCTLR_EL1.M=1\n") == 0);
    CHECK(run.out.find("PASS: paging\n") != std::string::npos);
    CHECK(run.out.find("check failed") == std::string::npos);
    // The permission and translation faults are the guest's (EL1): no
    // exit other than the console and the final SYSTEM_OFF.
    const auto k = kinds(run.exits);
    CHECK(k.size() == 3);
    CHECK(k.at("MmioRead") == k.at("MmioWrite"));
    CHECK(k.at("MmioWrite") == run.out.size());
    CHECK(k.at("SystemDown") == 1);
    check_advances(run);
}

TEST_CASE("Arm VM guest timer: CNTV fires through the list registers; WFI halts, the clock skips to the deadline",
          "[vmm][arm-guest]") {
    const GuestRun run = run_arm_guest("timer.elf");
    CHECK(run.out.find("virtual timer: 5 interrupts, INTID 27, each at least 5000 ticks after the last\n") !=
          std::string::npos);
    CHECK(run.out.find("PASS: timer\n") != std::string::npos);
    CHECK(run.result.status == 0);
    const auto k = kinds(run.exits);
    // Each tick: the guest waits (WFI traps: Halt), the timer's PPI 27
    // reaches the host's GIC while the guest runs again (an IRQ to EL2,
    // served inside the vCPU: Nothing). At least one WFI per tick.
    CHECK(k.at("Halt") >= 5);
    unsigned timer_irqs = 0;
    for (const ExitRecord& r : run.exits)
        if (std::holds_alternative<ex::Nothing>(r.exit) && r.scause == 0 && r.trap_pc) timer_irqs++;
    CHECK(timer_irqs >= 5);
    check_advances(run);
}

TEST_CASE("Arm VM guest smp: CPU_ON by MPIDR with x0 = context, SGIs through the virtual GIC, CPU_OFF, "
          "AFFINITY_INFO",
          "[vmm][arm-guest]") {
    const GuestRun run = run_arm_guest("smp.elf", 4);
    const std::string text = "CPU_ON(1) = 0\nCPU_ON(2) = 0\nCPU_ON(3) = 0\nCPU_ON(2) again = -4\n"
                             "CPU 0: MPIDR 80000000, ring SGIs 1\nCPU 1: MPIDR 80000001, ring SGIs 1\n"
                             "CPU 2: MPIDR 80000002, ring SGIs 1\nCPU 3: MPIDR 80000003, ring SGIs 1\n"
                             "CPU 1 after CPU_OFF: off\nCPU 2 after CPU_OFF: off\nCPU 3 after CPU_OFF: off\n"
                             "PASS: smp\n";
    CHECK(run.out == text);
    CHECK(run.result.status == 0);
    const auto all = kinds(run.exits);
    CHECK(all.at("CpuUp") == 4);
    CHECK(all.at("SendIpi") == 4);
    CHECK(all.at("CpuDown") == 3);
    CHECK(all.at("SystemDown") == 1);
    // CPU_ON from vCPU 0 names MPIDR 1..3 (Aff0), entry = the secondary
    // entry, context = the CPU index.
    std::vector<uint64_t> targets;
    for (const ExitRecord& r : run.exits)
        if (const auto* e = std::get_if<ex::CpuUp>(&r.exit)) {
            CHECK(r.vcpu == 0);
            CHECK(e->arg == e->target_cpu);
            targets.push_back(e->target_cpu);
        }
    CHECK(targets == std::vector<uint64_t>{1, 2, 3, 2});
    // The ring: vCPU v sends SGI 3 to v + 1 (Aff0 target list), once.
    for (unsigned v = 0; v < 4; v++) {
        INFO("vcpu " << v);
        std::vector<std::string> ipis;
        for (const ExitRecord& r : run.exits)
            if (const auto* e = std::get_if<ex::SendIpi>(&r.exit); e && r.vcpu == v)
                ipis.push_back(fmt::format("{} {:#x} {}", e->vector, e->target_cpu_aux, e->send_to_all));
        CHECK(ipis == std::vector<std::string>{fmt::format("3 {:#x} false", 1u << ((v + 1) % 4))});
        const auto mine = kinds(run.exits, static_cast<int>(v));
        if (v) CHECK(mine.at("CpuDown") == 1);
        if (v) CHECK(mine.count("MmioWrite"));   // its own redistributor set-up
    }
    check_advances(run);
}

TEST_CASE("Arm VM guest system_off: PSCI FEATURES, then SYSTEM_OFF ends the VM at once", "[vmm][arm-guest]") {
    const GuestRun run = run_arm_guest("system_off.elf");
    const std::string l1 = "PSCI_FEATURES(SYSTEM_OFF) = 0\n", l2 = "PSCI_FEATURES(0x8400007f) = -1\n";
    CHECK(run.out == l1 + l2 + "PASS: system_off\n");
    CHECK(run.result.status == 0);
    std::vector<std::string> want;
    want.push_back("Nothing +4");
    add_uart_text(want, l1);
    want.push_back("Nothing +4");
    add_uart_text(want, l2 + "PASS: system_off\n");
    want.push_back("SystemDown +4");
    check_sequence(sigs(run.exits), want);
    check_advances(run);
}

TEST_CASE("Arm VM guest hypercall: SMCCC vendor hypervisor calls: unknown -1, print, exit", "[vmm][arm-guest]") {
    const GuestRun run = run_arm_guest("hypercall.elf");
    const std::string l1 = "hypercall 0xc6000042: x0 = -1\n", printed = "printed by the hvemu print hypercall\n",
                      l3 = "print hypercall: x0 = 0, x1 = 37\n", pass = "PASS: hypercall\n";
    CHECK(run.out == l1 + printed + l3 + pass);
    CHECK(run.result.end == VmEnd::Shutdown);
    CHECK(run.result.status == 0);
    // x1..x3 are the call's arguments (x4..x6 hold whatever the compiler left there).
    std::vector<std::string> got;
    for (const ExitRecord& r : run.exits) {
        const auto* h = std::get_if<ex::Hypercall>(&r.exit);
        got.push_back(h ? fmt::format("Hypercall {:#x} {:#x} {:#x} {:#x} +{}", h->nr, h->args[0], h->args[1], h->args[2],
                                      r.pc_advance())
                        : exit_sig(r));
    }
    std::vector<std::string> want;
    want.push_back("Hypercall 0xc6000042 0x1 0x2 0x3 +4");
    add_uart_text(want, l1);
    const uint64_t msg = run.image.symbol("msg").value_or(0);
    want.push_back(fmt::format("Hypercall 0xc6000001 {:#x} 0x25 0x0 +4", msg));
    add_uart_text(want, l3 + pass);
    want.push_back("Hypercall 0xc6000002 0x0 0x0 0x0 +4");
    check_sequence(got, want);
    check_advances(run);
}
