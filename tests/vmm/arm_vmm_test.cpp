// The Arm VMM on hand-assembled guests (raw images at RAM + 2 MiB): the
// emulated EL1 physical timer behind the CNTHCTL_EL2 traps, an access
// nothing serves (stop, or a synchronous external abort for the guest),
// CPU_ON errors, and the exit records (ISA, ESR_EL2, disassembly).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "emu/vmm/arm_vm.hpp"
#include "emu/vmm/arm_vmm.hpp"
#include "tests/emu/data/a64_asm.hpp"

using namespace hvemu;
using namespace hvemu::emu::vmm;
namespace ex = hvemu::vcpu::exit;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kReport = 0xc6000042;   // an unknown hypercall: x1..x3 show up in the exit
constexpr uint64_t kExit = 0xc6000002;

// MSR/MRS <op0=3, op1, CRn, CRm, op2>
uint32_t msr(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt) {
    return 0xD5180000u | op1 << 16 | crn << 12 | crm << 8 | op2 << 5 | rt;
}
uint32_t mrs(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt) { return msr(op1, crn, crm, op2, rt) | 1u << 21; }
constexpr uint32_t kNop = 0xd503201f;

struct Run {
    std::vector<ExitRecord> exits;
    VmResult result;
    std::vector<std::array<uint64_t, 3>> reports;   // x1..x3 of each report hypercall
};

Run run_raw(const test::A64Asm& a, unsigned cpus = 1, UnmappedAccess unmapped = UnmappedAccess::Stop) {
    const fs::path file = fs::temp_directory_path() / fmt::format("hvemu-arm-vmm-{}.bin", ::getpid());
    {
        const auto b = a.bytes();
        std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    }
    VmConfig cfg;
    cfg.arch = GuestArch::Aarch64;
    cfg.cpu_num = cpus;
    cfg.ram_size = 16 << 20;
    cfg.kernel_path = file.string();
    ConsoleIo io;
    io.out = nullptr;
    io.sink = [](uint8_t) {};
    io.input = emu::ConsoleInput::Off;
    Run run;
    {
        ArmVm vm(cfg, io);
        VmmOptions opt;
        opt.unmapped = unmapped;
        opt.max_insns = 100000;
        opt.hook = [&run](const ExitRecord& r) {
            run.exits.push_back(r);
            if (const auto* h = std::get_if<ex::Hypercall>(&r.exit); h && h->nr == kReport)
                run.reports.push_back({h->args[0], h->args[1], h->args[2]});
        };
        ArmVmm vmm(vm, opt);
        run.result = vmm.run();
    }
    fs::remove(file);
    return run;
}

void report(test::A64Asm& a, unsigned r1, unsigned r2, unsigned r3) {
    a.emit(0xAA0003E0u | r1 << 16 | 1);   // mov x1, x<r1>
    a.emit(0xAA0003E0u | r2 << 16 | 2);   // mov x2, x<r2>
    a.emit(0xAA0003E0u | r3 << 16 | 3);   // mov x3, x<r3>
    a.mov(0, kReport);
    a.hvc();
}

void finish(test::A64Asm& a, uint64_t status) {
    a.mov(1, status);
    a.mov(0, kExit);
    a.hvc();
    a.hang();
}

} // namespace

TEST_CASE("Arm VMM: CNTPCT and CNTP_* trap (SysReg exits) and are served as an EL1 physical timer",
          "[vmm][arm]") {
    test::A64Asm a;
    a.emit(mrs(3, 14, 0, 1, 10));   // mrs x10, cntpct_el0
    a.mov(11, 0x1234);
    a.emit(msr(3, 14, 2, 2, 11));   // msr cntp_cval_el0, x11
    a.emit(mrs(3, 14, 2, 2, 12));   // mrs x12, cntp_cval_el0
    a.mov(13, 1);
    a.emit(msr(3, 14, 2, 1, 13));   // msr cntp_ctl_el0, x13 (enable; CVAL is ahead of the counter)
    a.emit(mrs(3, 14, 2, 1, 14));   // mrs x14, cntp_ctl_el0
    report(a, 10, 12, 14);
    a.mov(11, 0);
    a.emit(msr(3, 14, 2, 2, 11));   // msr cntp_cval_el0, xzr-valued x11: the condition holds
    a.emit(mrs(3, 14, 2, 1, 18));   // mrs x18, cntp_ctl_el0
    a.mov(13, 3);
    a.emit(msr(3, 14, 2, 1, 13));   // enable | imask: ISTATUS still shows the condition
    a.emit(mrs(3, 14, 2, 1, 19));   // mrs x19, cntp_ctl_el0
    report(a, 18, 19, 12);
    a.mov(11, 1000000);
    a.emit(msr(3, 14, 2, 0, 11));   // msr cntp_tval_el0, x11: CVAL = now + 10^6
    a.emit(mrs(3, 14, 2, 0, 15));   // mrs x15, cntp_tval_el0
    a.emit(mrs(3, 14, 2, 1, 16));   // mrs x16, cntp_ctl_el0: not yet fired
    a.emit(mrs(3, 14, 0, 1, 17));   // mrs x17, cntpct_el0
    report(a, 15, 16, 17);
    finish(a, 7);
    const Run run = run_raw(a);
    CHECK(run.result.status == 7);
    REQUIRE(run.reports.size() == 3);
    CHECK(run.reports[0][0] < 0x1234);   // the counter has barely started
    CHECK(run.reports[0][1] == 0x1234);
    CHECK(run.reports[0][2] == 1);       // ENABLE, condition not met
    CHECK(run.reports[1][0] == 5);       // ENABLE | ISTATUS
    CHECK(run.reports[1][1] == 7);       // ENABLE | IMASK | ISTATUS
    CHECK(run.reports[2][0] <= 1000000);
    CHECK(run.reports[2][0] > 990000);
    CHECK(run.reports[2][1] == 3);       // TVAL moved CVAL ahead again
    CHECK(run.reports[2][2] >= run.reports[0][0]);
    unsigned reads = 0, writes = 0;
    for (const ExitRecord& r : run.exits) {
        if (std::holds_alternative<ex::SysRegRead>(r.exit)) reads++;
        if (std::holds_alternative<ex::SysRegWrite>(r.exit)) {
            writes++;
            CHECK(((r.scause >> 26) & 0x3f) == 0x18);
            CHECK(r.pc_advance() == 4);
            REQUIRE(r.insn);
            CHECK(format_trace_line(r).find(" msr ") != std::string::npos);
        }
    }
    CHECK(reads == 8);
    CHECK(writes == 5);
}

TEST_CASE("Arm VMM: an access nothing serves stops the VM, or is an external abort the guest takes",
          "[vmm][arm]") {
    test::A64Asm a;
    // VBAR_EL1 = image + 0x800; the current-EL SPx sync vector (+0x200)
    // reports ESR_EL1, FAR_EL1, ELR_EL1 and exits.
    a.mov(1, 0x40200800);
    a.emit(msr(0, 12, 0, 0, 1));    // msr vbar_el1, x1
    a.mov(2, 0x0a000010);
    const size_t load_at = a.here();
    a.emit(0xF9400040u | 3);        // ldr x3, [x2]
    finish(a, 0);
    while (a.here() < (0x800 + 0x200) / 4) a.emit(kNop);
    a.emit(mrs(0, 5, 2, 0, 20));    // mrs x20, esr_el1
    a.emit(mrs(0, 6, 0, 0, 21));    // mrs x21, far_el1
    a.emit(mrs(0, 4, 0, 1, 22));    // mrs x22, elr_el1
    report(a, 20, 21, 22);
    finish(a, 5);

    SECTION("stop (default): status 123 and a message naming the address, the access and the pc") {
        const Run run = run_raw(a);
        CHECK(run.result.end == VmEnd::GuestError);
        CHECK(run.result.status == 123);
        CHECK(run.result.message.find("load of 8 bytes at guest-physical address 0xa000010") != std::string::npos);
        CHECK(run.result.message.find(fmt::format("pc {:#x}", 0x40200000 + 4 * load_at)) != std::string::npos);
    }
    SECTION("fault: ESR_EL1 EC 0x25 DFSC 0x10, FAR = the address, ELR = the load") {
        const Run run = run_raw(a, 1, UnmappedAccess::Fault);
        CHECK(run.result.status == 5);
        REQUIRE(run.reports.size() == 1);
        CHECK(run.reports[0][0] == (0x25u << 26 | 1u << 25 | 0x10));
        CHECK(run.reports[0][1] == 0x0a000010);
        CHECK(run.reports[0][2] == 0x40200000 + 4 * load_at);
    }
}

TEST_CASE("Arm VMM: CPU_ON errors: an unknown MPIDR, a bad entry, a CPU already on", "[vmm][arm]") {
    test::A64Asm a;
    a.mov(0, 0xc4000003);
    a.mov(1, 7);            // no vCPU with Aff0 = 7
    a.mov(2, 0x40200000);
    a.hvc();
    a.emit(0xAA0003E0u | 0 << 16 | 10);   // mov x10, x0
    a.mov(0, 0xc4000003);
    a.mov(1, 1);
    a.mov(2, 0x10000000);   // outside guest RAM
    a.hvc();
    a.emit(0xAA0003E0u | 0 << 16 | 11);
    a.mov(0, 0xc4000003);
    a.mov(1, 0);            // itself
    a.mov(2, 0x40200000);
    a.hvc();
    a.emit(0xAA0003E0u | 0 << 16 | 12);
    report(a, 10, 11, 12);
    finish(a, 0);
    const Run run = run_raw(a, 2);
    REQUIRE(run.reports.size() == 1);
    CHECK(static_cast<int64_t>(run.reports[0][0]) == -2);   // INVALID_PARAMETERS
    CHECK(static_cast<int64_t>(run.reports[0][1]) == -9);   // INVALID_ADDRESS
    CHECK(static_cast<int64_t>(run.reports[0][2]) == -4);   // ALREADY_ON
}
