// The bundled x86 VM guests (guests/x86_64-vm) under the reference VMM:
// each checks its console output, its exit status and its exits per kind.
// The runtime's console traffic is derived from the output (rt.c): per
// character one LSR poll (IoRead) and one THR write (IoWrite); before the
// first character 2 PIC mask writes and 7 UART setup writes; at the end one
// LSR poll and the isa-debug-exit write. The rest is each guest's own.
#include "tests/vmm/vm_guest_fixture.hpp"

#include <map>

#include "emu/vmm/x86_vm.hpp"
#include "emu/vmm/x86_vmm.hpp"

using namespace hvemu;
using namespace hvemu::test;

namespace {

std::string x86_guest_path(const std::string& name) { return std::string(HVEMU_BINARY_DIR) + "/guests/x86_64-vm/" + name; }

GuestRun run_x86_guest(const std::string& file, unsigned cpus = 1) {
    const std::string path = x86_guest_path(file);
    INFO("guest " << path << " (build the guests-vm target)");
    REQUIRE(std::filesystem::exists(path));
    GuestRun run;
    VmConfig cfg;
    cfg.arch = GuestArch::X86_64;
    cfg.cpu_num = cpus;
    cfg.kernel_path = path;
    ConsoleIo io;
    io.out = nullptr;
    io.sink = [&run](uint8_t c) { run.out += static_cast<char>(c); };
    io.input = emu::ConsoleInput::Off;
    X86Vm vm(cfg, io);
    VmmOptions opt;
    opt.hook = [&run](const ExitRecord& r) { run.exits.push_back(r); };
    X86Vmm vmm(vm, opt);
    run.result = vmm.run();
    run.image = vm.kernel();
    run.stats = vmm.stats_report();
    return run;
}

std::map<std::string, uint64_t> by_kind(const GuestRun& run) {
    std::map<std::string, uint64_t> m;
    for (const ExitRecord& r : run.exits) m[vcpu::exit_kind(r.exit)]++;
    return m;
}

// The RIP contract on every record: VMCALL +3, port I/O +1/+2 (the
// runtime's IN/OUT forms), RDMSR/WRMSR +2, HLT +1, MMIO by the decoded
// length (at least 2), interrupts and windows not advanced.
void check_advances(const GuestRun& run) {
    for (const ExitRecord& r : run.exits) {
        INFO(format_trace_line(r));
        CHECK(r.isa == Isa::X86_64);
        if (!r.trap_pc) continue;
        const uint64_t adv = r.pc_advance();
        std::visit([&](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, vcpu::exit::Hypercall>) CHECK(adv == 3);
            else if constexpr (std::is_same_v<T, vcpu::exit::IoRead> || std::is_same_v<T, vcpu::exit::IoWrite>) CHECK((adv == 1 || adv == 2));
            else if constexpr (std::is_same_v<T, vcpu::exit::SysRegRead> || std::is_same_v<T, vcpu::exit::SysRegWrite>) CHECK(adv == 2);
            else if constexpr (std::is_same_v<T, vcpu::exit::Halt>) CHECK(adv == 1);
            else if constexpr (std::is_same_v<T, vcpu::exit::MmioWrite>) CHECK(adv >= 2);
            else if constexpr (std::is_same_v<T, vcpu::exit::MmioRead>) CHECK((adv == 0 || adv >= 2));   // 0: an RMW's read
        }, r.exit);
    }
}

void check_console(const GuestRun& run, std::map<std::string, uint64_t>& k, uint64_t uart_chars, bool debug_exit = true) {
    CHECK(k["IoRead"] == uart_chars + (debug_exit ? 1 : 0));
    CHECK(k["IoWrite"] == uart_chars + 9 + (debug_exit ? 1 : 0));
    k.erase("IoRead");
    k.erase("IoWrite");
    (void)run;
}

} // namespace

TEST_CASE("x86 VM guest hello: real mode at the reset vector to long mode", "[vmm][x86][guest]") {
    const GuestRun run = run_x86_guest("hello.elf");
    INFO(run.out << run.result.message);
    CHECK(run.out == "Hello from an x86-64 VM guest.\nentered through the reset vector\n"
                     "long mode: EFER.LMA 1, CR0.PG 1\nPASS: hello\n");
    CHECK(run.result.status == 1);   // isa-debug-exit: (0 << 1) | 1
    auto k = by_kind(run);
    check_console(run, k, run.out.size());
    // One served exit: the MOV to CR0 that sets PG (and NE, a host bit).
    CHECK(k == std::map<std::string, uint64_t>{{"Nothing", 1}});
    check_advances(run);
}

TEST_CASE("x86 VM guest hypercall: VMCALL print and exit", "[vmm][x86][guest]") {
    const GuestRun run = run_x86_guest("hypercall.elf");
    INFO(run.out << run.result.message);
    const std::string printed = "printed by the hvemu print hypercall\n";
    CHECK(run.out == "hypercall 0x42: rax = -1\n" + printed + "print hypercall: rax = 0, rcx = 37\nPASS: hypercall\n");
    CHECK(run.result.status == 1);   // exit hypercall with status 0: (0 << 1) | 1
    auto k = by_kind(run);
    check_console(run, k, run.out.size() - printed.size(), false);
    CHECK(k == std::map<std::string, uint64_t>{{"Hypercall", 3}, {"Nothing", 1}});
    check_advances(run);
}

TEST_CASE("x86 VM guest cpuid_msr: CPUID served inside, MSRs through the bitmap", "[vmm][x86][guest]") {
    const GuestRun run = run_x86_guest("cpuid_msr.elf");
    INFO(run.out << run.result.message);
    CHECK(run.out.find("initial APIC ID of CPU 0: 0\n") != std::string::npos);
    CHECK(run.out.find("APIC base: fee00000, BSP 1\n") != std::string::npos);
    CHECK(run.out.find("PASS: cpuid_msr\n") != std::string::npos);
    CHECK(run.result.status == 1);
    auto k = by_kind(run);
    check_console(run, k, run.out.size());
    // 4 CPUIDs and the CR0 write served inside; IA32_APIC_BASE and the MSR
    // that does not exist exit (EFER and FS_BASE pass through).
    CHECK(k == std::map<std::string, uint64_t>{{"Nothing", 5}, {"SysRegRead", 2}});
    check_advances(run);
}

TEST_CASE("x86 VM guest mmio: LAPIC accesses decoded from EPT violations", "[vmm][x86][guest]") {
    const GuestRun run = run_x86_guest("mmio.elf");
    INFO(run.out << run.result.message);
    CHECK(run.out == "SVR: 1ff (enabled, spurious vector ff)\nTPR after writing 20: 20\nTPR after OR 10: 30\n"
                     "XCHG with TPR: old 30, new 0\ntimer divide (byte load): b\nLVT timer: 10042\nAPIC ID: 0\n"
                     "PASS: mmio\n");
    CHECK(run.result.status == 1);
    auto k = by_kind(run);
    check_console(run, k, run.out.size());
    // Reads: SVR (AND r, [m]), TPR x3, OR's read, XCHG's read, the byte
    // load, LVT x3 (printf and two CHECKs' worth), APIC ID = 11; writes:
    // SVR, TPR, OR's write, XCHG's write, divide, LVT = 6; the APIC base
    // MSR read and write by rt_lapic_enable.
    CHECK(k == std::map<std::string, uint64_t>{
                   {"MmioRead", 11}, {"MmioWrite", 6}, {"Nothing", 1}, {"SysRegRead", 1}, {"SysRegWrite", 1}});
    check_advances(run);
}

TEST_CASE("x86 VM guest lapic_timer: timer interrupts injected into a halted vCPU", "[vmm][x86][guest]") {
    const GuestRun run = run_x86_guest("lapic_timer.elf");
    INFO(run.out << run.result.message);
    CHECK(run.out == "periodic: 10 interrupts taken, ISR clear after EOI: yes\n"
                     "one-shot: 1 interrupt, current count 0 afterwards\n"
                     "masked: count reached 0, 0 interrupts, IRR bit clear\n"
                     "CPUID.1:ECX TSC-deadline: 1\n"
                     "tsc-deadline: armed 1, 1 interrupt, at or after the deadline 1\n"
                     "tsc-deadline in the past: 1 interrupt\n"
                     "tsc-deadline disarmed by 0: 0 interrupts\n"
                     "tsc-deadline after a mode change: MSR reads 0 1, writes ignored 1, 0 interrupts\n"
                     "PASS: lapic_timer\n");
    CHECK(run.result.status == 1);
    auto k = by_kind(run);
    check_console(run, k, run.out.size());
    // Ten periodic ticks, one one-shot tick and the armed TSC deadline each
    // wake the vCPU from HLT.
    CHECK(k["Halt"] == 12);
    // One MSR read and write before the TSC-deadline section, then that
    // section's accesses of IA32_TSC_DEADLINE (0x6E0), which the VMM serves.
    CHECK(k["SysRegRead"] == 4);
    CHECK(k["SysRegWrite"] == 7);
    CHECK(k["MmioRead"] > 11);   // the masked timer's count is polled until it reaches 0
    CHECK(k["MmioWrite"] == 25);
    check_advances(run);
}

TEST_CASE("x86 VM guest smp: INIT-SIPI-SIPI starts three vCPUs in real mode", "[vmm][x86][guest]") {
    const GuestRun run = run_x86_guest("smp.elf", 4);
    INFO(run.out << run.result.message);
    for (unsigned id = 1; id < 4; id++)
        CHECK(run.out.find(fmt::format("CPU with APIC ID {}: started in real mode at 800:0000 (CR0.PE was 0), now "
                                       "EFER.LMA 1, BSP flag 0\n", id)) != std::string::npos);
    CHECK(run.out.find("4 CPUs added 1000 each: counter = 4000\nPASS: smp\n") != std::string::npos);
    CHECK(run.result.status == 1);
    std::map<unsigned, uint64_t> per_vcpu;
    for (const ExitRecord& r : run.exits) per_vcpu[r.vcpu]++;
    CHECK(per_vcpu.size() == 4);
    auto k = by_kind(run);
    // Each AP: CR0 to long mode (Nothing), IA32_APIC_BASE read and its
    // final HLT; the BSP: APIC base read and write, its own CR0 write.
    CHECK(k["Nothing"] == 4);
    CHECK(k["Halt"] == 3);
    CHECK(k["SysRegRead"] == 5);
    CHECK(k["SysRegWrite"] == 1);
    check_advances(run);
}
