// The Arm vCPU: reset state and EL2 programming, the state machine through
// VCpu<A>, system register traps and SendIpi, PSCI over HVC and SMC, WFI/WFE,
// host interrupts, time slices, moving between physical CPUs, the
// interrupt queue and the list registers, and exceptions it reports as errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "tests/vcpu/arm64_vcpu_fixture.hpp"
#include "vcpu/arm64/psci.hpp"

using namespace hvemu::vcpu;
using namespace hvemu::vcpu::arm64;
using namespace hvemu::vcpu::arm64::test;
namespace psci = hvemu::psci;

namespace {
uint32_t cmp_imm(unsigned rn, unsigned imm12) { return 0xF100001Fu | imm12 << 10 | rn << 5; }
uint32_t b_eq(int words) { return 0x54000000u | (static_cast<uint32_t>(words) & 0x7ffff) << 5; }
uint32_t b(int words) { return 0x14000000u | (static_cast<uint32_t>(words) & 0x3ffffff); }
} // namespace

TEST_CASE("Arm vCPU through VCpu<A>: reset state, EL2 programming, a hypercall", "[vcpu][arm64]") {
    VmFixture f;
    f.code(kEntry, {a64::movz(6, 0x66), a64::hvc(0x12), a64::kSelf});
    auto r = VCpu<ArmVCpu>::create(kVmId, 0, CreateConfig{0x0102, kDtb});
    REQUIRE(r.ok());
    VCpu<ArmVCpu> v = std::move(r.value());
    CHECK(v.state() == VCpuState::Created);
    REQUIRE(v.setup(kEntry, kS2Root, {}).ok());
    CHECK(v.state() == VCpuState::Free);
    CHECK(v.arch().hcr() == (hcr::VM | hcr::TSC | hcr::RW | hcr::IMO | hcr::FMO | hcr::TWI));
    REQUIRE(v.bind().ok());
    CHECK(f.cpu().loaded() == std::make_pair(kVmId, uint64_t{0}));
    PhysCpu& c = f.cpu();
    CHECK(sysreg(c, sr::HCR_EL2) == (hcr::VM | hcr::TSC | hcr::RW | hcr::IMO | hcr::FMO | hcr::TWI));
    CHECK(sysreg(c, sr::VTTBR_EL2) == (kVmId << 48 | kS2Root));
    // PARange 44: 44-bit IPA from level 0, 4 KiB granule, inner WBRAWA, PS = 44 bits.
    CHECK(sysreg(c, sr::VTCR_EL2) == (20 | 2u << 6 | 1u << 8 | 1u << 10 | 3u << 12 | 4u << 16 | 1ull << 31));
    CHECK(v.arch().vtcr() == ArmVCpu::vtcr_for(44));
    CHECK(sysreg(c, sr::VMPIDR_EL2) == (1ull << 31 | 0x0102));
    // SCTLR_EL1 as the PE keeps 0x30C50830 (WARL): MMU, data and instruction caches off, WFI/WFE not trapped.
    CHECK((sysreg(c, sr::SCTLR_EL1) & (1u << 0 | 1u << 2 | 1u << 12)) == 0);
    CHECK((sysreg(c, sr::SCTLR_EL1) & (1u << 16 | 1u << 18)) == (1u << 16 | 1u << 18));
    CHECK(sysreg(c, sr::CNTHCTL_EL2) == 0);
    CHECK((sysreg(c, sr::ICH_HCR_EL2) & ich_hcr::En) != 0);
    CHECK(v.arch().pstate() == 0x3c5);
    CHECK(v.arch().gpr(0) == kDtb);
    auto e = v.run();
    REQUIRE(e.ok());
    auto hc = as<exit::Hypercall>(e.value());
    CHECK(hc.nr == kDtb);   // x0 = the device tree
    CHECK(hc.args[5] == 0x66);
    CHECK(v.arch().pc() == kEntry + 8);   // past the HVC: no advance
    CHECK(esr::ec(v.arch().last_trap().esr) == ec::HVC64);
    CHECK(v.state() == VCpuState::Ready);
    REQUIRE(v.unbind().ok());
    CHECK_FALSE(f.cpu().loaded());
    CHECK(sysreg(c, sr::VTTBR_EL2) == 0);
    CHECK(v.state() == VCpuState::Free);
    // Wrong state: Invalid, and nothing more is accepted.
    CHECK(v.run().error().kind == ErrorKind::BadState);
    CHECK(v.state() == VCpuState::Invalid);
    CHECK_FALSE(v.bind().ok());
}

TEST_CASE("Arm vCPU: configuration switches and errors", "[vcpu][arm64]") {
    VmFixture f;
    CHECK(ArmVCpu::vtcr_for(40) == (25 | 1u << 6 | 1u << 8 | 1u << 10 | 3u << 12 | 2u << 16 | 1ull << 31));
    CHECK(ArmVCpu::vtcr_for(48) == (16 | 2u << 6 | 1u << 8 | 1u << 10 | 3u << 12 | 5u << 16 | 1ull << 31));
    CHECK(ArmVCpu::ipa_bits_for(40) == 39);
    CHECK(ArmVCpu::ipa_bits_for(44) == 44);
    CHECK(ArmVCpu::ipa_bits_for(36) == 36);
    CHECK(ArmVCpu::start_level_for(48) == 0);
    CHECK(ArmVCpu::create(kVmId, 0, CreateConfig{1ull << 40, 0}).error().kind == ErrorKind::InvalidInput);
    auto r = ArmVCpu::create(kVmId, 0, {});
    REQUIRE(r.ok());
    ArmVCpu v = std::move(r.value());
    CHECK(v.set_entry(kEntry + 2).error().kind == ErrorKind::InvalidInput);
    CHECK(v.set_ept_root(kS2Root + 8).error().kind == ErrorKind::InvalidInput);
    CHECK(v.setup({}).error().kind == ErrorKind::BadState);   // no root yet
    CHECK(v.bind().error().kind == ErrorKind::BadState);      // not set up
    REQUIRE(v.set_ept_root(kS2Root).ok());
    REQUIRE(v.setup({.passthrough_interrupt = true, .passthrough_timer = true, .trap_wfi = false}).ok());
    CHECK(v.hcr() == (hcr::VM | hcr::TSC | hcr::RW));
    CHECK(v.inject_interrupt(40).error().kind == ErrorKind::Unsupported);
    REQUIRE(v.bind().ok());
    CHECK(sysreg(f.cpu(), sr::CNTHCTL_EL2) == (cnthctl::EL1PCTEN | cnthctl::EL1PCEN));
    CHECK((sysreg(f.cpu(), sr::ICH_HCR_EL2) & ich_hcr::En) == 0);
    ArmVCpu w = f.vcpu(1);
    CHECK(w.bind().error().kind == ErrorKind::BadState);   // the CPU is taken
    CHECK(w.inject_interrupt(1020).error().kind == ErrorKind::InvalidInput);
    PhysCpu::clear_current();
    CHECK(v.run().error().kind == ErrorKind::BadState);    // not on this thread's CPU
    f.cpu().make_current();
    REQUIRE(v.unbind().ok());
    CHECK(v.unbind().error().kind == ErrorKind::BadState);
}

TEST_CASE("Arm vCPU: trapped system registers and ICC_SGI1R_EL1", "[vcpu][arm64]") {
    VmFixture f;
    f.code(kEntry, {
                       a64::mrs(5, sr::CNTP_CTL_EL0),    // CNTP traps without passthrough_timer
                       a64::msr(sr::CNTP_CVAL_EL0, 6),
                       a64::msr(sr::ICC_SGI1R_EL1, 7),
                       a64::msr(sr::ICC_SGI1R_EL1, 8),
                       a64::hvc(0),
                   });
    ArmVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    v.set_gpr(6, 0x123456789);
    v.set_gpr(7, 0x12ull << 48 | 0x34ull << 32 | 5ull << 24 | 0x56ull << 16 | 0x000b);
    v.set_gpr(8, 1ull << 40 | 9ull << 24);
    auto rd = as<exit::SysRegRead>(run_ok(v));
    CHECK(rd.addr == sysiss::addr(3, 3, 14, 2, 1));
    CHECK(rd.reg == 5);
    CHECK(v.pc() == kEntry + 4);
    auto wr = as<exit::SysRegWrite>(run_ok(v));
    CHECK(wr.addr == sysiss::addr(3, 3, 14, 2, 2));
    CHECK(wr.value == 0x123456789);
    CHECK(v.pc() == kEntry + 8);
    auto ipi = as<exit::SendIpi>(run_ok(v));
    CHECK(ipi.target_cpu == 0x12345600);
    CHECK(ipi.target_cpu_aux == 0xb);
    CHECK_FALSE(ipi.send_to_all);
    CHECK_FALSE(ipi.send_to_self);
    CHECK(ipi.vector == 5);
    CHECK(v.pc() == kEntry + 12);
    auto all = as<exit::SendIpi>(run_ok(v));
    CHECK(all.send_to_all);
    CHECK(all.vector == 9);
    CHECK(v.pc() == kEntry + 16);
    as<exit::Hypercall>(run_ok(v));
    CHECK(sysiss::ICC_SGI1R_EL1 == 0x3a3016);
}

TEST_CASE("Arm vCPU: PSCI over HVC and SMC", "[vcpu][arm64]") {
    VmFixture f;
    f.code(kEntry, {a64::hvc(0), a64::smc(0), a64::hvc(0)});
    ArmVCpu v = f.vcpu(0x3);
    REQUIRE(v.bind().ok());
    auto call = [&](uint64_t fid, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
        v.set_pc(kEntry);
        v.set_gpr(0, fid);
        v.set_gpr(1, a1);
        v.set_gpr(2, a2);
        v.set_gpr(3, a3);
        return run_ok(v);
    };
    auto call_smc = [&](uint64_t fid, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
        v.set_pc(kEntry + 4);
        v.set_gpr(0, fid);
        v.set_gpr(1, a1);
        v.set_gpr(2, a2);
        v.set_gpr(3, a3);
        return run_ok(v);
    };
    as<exit::Nothing>(call(psci::kVersion));
    CHECK(v.gpr(0) == psci::kVersion1_1);
    CHECK(v.pc() == kEntry + 4);   // HVC: ELR is already past it
    as<exit::Nothing>(call(psci::kFeatures, psci::kCpuOn64));
    CHECK(v.gpr(0) == 0);
    as<exit::Nothing>(call(psci::kFeatures, 0x8400001f));
    CHECK(v.gpr(0) == static_cast<uint64_t>(psci::kNotSupported));
    as<exit::Nothing>(call(psci::kMigrateInfoType));
    CHECK(v.gpr(0) == 2);
    as<exit::Nothing>(call(psci::kAffinityInfo64, 0x3));
    CHECK(v.gpr(0) == psci::kAffinityOn);
    as<exit::Nothing>(call(psci::kAffinityInfo64, 0x4));
    CHECK(v.gpr(0) == static_cast<uint64_t>(psci::kInvalidParameters));
    v.set_psci_host({.affinity_info = [](uint64_t mpidr) { return mpidr == 4 ? psci::kAffinityOff : psci::kInvalidParameters; }});
    as<exit::Nothing>(call(psci::kAffinityInfo32, 0xffffffff00000004));   // SMC32: the upper half is ignored
    CHECK(v.gpr(0) == psci::kAffinityOff);
    as<exit::Nothing>(call(0x8400001e));
    CHECK(v.gpr(0) == static_cast<uint64_t>(psci::kNotSupported));

    auto up = as<exit::CpuUp>(call(psci::kCpuOn64, 0x0100000102, kGuestRam + 0x800, 0xc0ffee));
    CHECK(up.target_cpu == 0x0100000102);
    CHECK(up.entry_point == kGuestRam + 0x800);
    CHECK(up.arg == 0xc0ffee);
    CHECK(v.gpr(0) == 0);
    CHECK(v.pc() == kEntry + 4);
    auto up32 = as<exit::CpuUp>(call(psci::kCpuOn32, 0xaa00000001, 0xbb40000800, 7));
    CHECK(up32.target_cpu == 1);
    CHECK(up32.entry_point == 0x40000800);

    auto down = as<exit::CpuDown>(call_smc(psci::kCpuOff));
    CHECK(down.state == 0);
    CHECK(v.pc() == kEntry + 8);   // SMC: + 4
    CHECK(esr::ec(v.last_trap().esr) == ec::SMC64);
    as<exit::Halt>(call_smc(psci::kCpuSuspend64, 0));
    CHECK(v.gpr(0) == 0);
    CHECK(v.pc() == kEntry + 8);
    as<exit::SystemDown>(call_smc(psci::kSystemOff));
    CHECK(v.last_system_event() == ArmVCpu::SystemEvent::Off);
    as<exit::SystemDown>(call(psci::kSystemReset));
    CHECK(v.last_system_event() == ArmVCpu::SystemEvent::Reset);
    // Not PSCI: an HVC is the VMM's hypercall; an SMC has no firmware behind it.
    auto hc = as<exit::Hypercall>(call(0x68760002, 1, 2, 3));
    CHECK(hc.nr == 0x68760002);
    CHECK(hc.args[0] == 1);
    CHECK(hc.args[2] == 3);
    as<exit::Nothing>(call_smc(0x82000000));
    CHECK(v.gpr(0) == ~0ull);
    CHECK(v.pc() == kEntry + 8);
}

TEST_CASE("Arm vCPU: WFI halts, WFE yields, each past the instruction", "[vcpu][arm64]") {
    VmFixture f;
    f.code(kEntry, {a64::kWfi, a64::kWfe, a64::hvc(0)});
    SECTION("trapped") {
        ArmVCpu v = f.vcpu(0, kEntry, {.trap_wfe = true});
        REQUIRE(v.bind().ok());
        as<exit::Halt>(run_ok(v));
        CHECK(v.pc() == kEntry + 4);
        CHECK(esr::ec(v.last_trap().esr) == ec::WFX);
        as<exit::Nothing>(run_ok(v));
        CHECK(v.pc() == kEntry + 8);
        CHECK(esr::ec(v.last_trap().esr) == ec::WFX);
        as<exit::Hypercall>(run_ok(v));
    }
    SECTION("not trapped: the PE waits, the vCPU reports Halt past the WFI") {
        ArmVCpu v = f.vcpu(0, kEntry, {.trap_wfi = false});
        REQUIRE(v.bind().ok());
        as<exit::Halt>(run_ok(v));
        CHECK(v.pc() == kEntry + 4);
        CHECK(v.last_trap().esr == 0);
    }
}

TEST_CASE("Arm vCPU: host interrupts and time slices do not advance the pc", "[vcpu][arm64]") {
    VmFixture f;
    f.code(kEntry, {a64::kNop, a64::kSelf});
    ArmVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    v.set_run_budget(50);
    as<exit::Nothing>(run_ok(v));
    CHECK(v.last_trap().esr == 0);
    CHECK(v.pc() == kEntry + 4);
    f.cpu().raise_host_irq(40);
    auto e = as<exit::ExternalInterrupt>(run_ok(v));
    CHECK(e.vector == 40);
    CHECK(v.pc() == kEntry + 4);
    CHECK(v.last_trap().vector == vec::LOWER_IRQ);
    CHECK_FALSE(f.cpu().gic().active(40));   // acknowledged and deactivated
    as<exit::Nothing>(run_ok(v));              // the line is gone: a plain slice again
}

TEST_CASE("Arm vCPU: the context moves between physical CPUs", "[vcpu][arm64]") {
    VmFixture f(2);
    f.code(kEntry, {a64::msr(sr::CPACR_EL1, 4), a64::msr(sr::TPIDR_EL1, 1), a64::fmov_d_x(3, 1), a64::hvc(0),
                    a64::mrs(2, sr::TPIDR_EL1), a64::hvc(1)});
    ArmVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    v.set_gpr(1, 0x1234abcd);
    v.set_gpr(4, 3u << 20);   // CPACR_EL1.FPEN: FP/SIMD on at EL1
    as<exit::Hypercall>(run_ok(v));
    REQUIRE(v.unbind().ok());
    CHECK(v.context().tpidr_el1 == 0x1234abcd);
    CHECK(v.context().v[3][0] == 0x1234abcd);
    const uint64_t t0 = f.cpu(0).cycles();
    f.cpu(1).make_current();
    REQUIRE(v.bind().ok());
    CHECK(f.cpu(1).cycles() >= t0);   // guest time does not run backwards
    CHECK(f.cpu(1).pe().v[3][0] == 0x1234abcd);
    as<exit::Hypercall>(run_ok(v));
    CHECK(v.gpr(2) == 0x1234abcd);
    CHECK(v.gpr(1) == 0x1234abcd);
    REQUIRE(v.unbind().ok());
}

TEST_CASE("Arm vCPU: exceptions it does not handle are errors; through VCpu<A> the vCPU turns Invalid",
          "[vcpu][arm64]") {
    VmFixture f;
    f.code(kEntry, {a64::msr(sr::CPACR_EL1, 4), a64::fmov_d_x(0, 1), a64::hvc(0)});
    auto r = VCpu<ArmVCpu>::create(kVmId, 0, CreateConfig{0, 0});
    REQUIRE(r.ok());
    VCpu<ArmVCpu> v = std::move(r.value());
    REQUIRE(v.setup(kEntry, kS2Root, {}).ok());
    REQUIRE(v.bind().ok());
    v.set_gpr(4, 3u << 20);   // the guest enables FP at EL1; EL2 traps it
    REQUIRE(f.cpu().pe().sysreg_write(sr::CPTR_EL2, 1u << 10));   // CPTR_EL2.TFP: FP traps to EL2
    auto e = v.run();
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ErrorKind::Unsupported);
    CHECK_THAT(e.error().message, Catch::Contains("EC 0x7"));
    CHECK(v.state() == VCpuState::Invalid);
}

TEST_CASE("Arm vCPU: queued interrupts fill the list registers at entry", "[vcpu][arm64]") {
    VmFixture f;   // 4 list registers
    f.code(kEntry, {a64::hvc(0), a64::hvc(1)});
    ArmVCpu v = f.vcpu();
    for (uint64_t i = 32; i < 38; ++i) REQUIRE(v.inject_interrupt(i).ok());   // queued while unbound
    REQUIRE(v.inject_interrupt(32).ok());                                     // merges with the pending one
    CHECK(v.queued_interrupts() == 7);
    REQUIRE(v.bind().ok());
    as<exit::Hypercall>(run_ok(v));
    for (unsigned n = 0; n < 4; ++n)
        CHECK(sysreg(f.cpu(), sr::ich_lr_el2(n)) ==
              (ich_lr::STATE_PENDING | ich_lr::GROUP1 | 0xa0ull << 48 | (32 + n)));
    CHECK(v.queued_interrupts() == 2);
    const uint64_t h = sysreg(f.cpu(), sr::ICH_HCR_EL2);
    CHECK((h & ich_hcr::En) != 0);
    CHECK((h & ich_hcr::UIE) != 0);   // come back when entries free up
    CHECK(v.has_wakeup(0));
    // Unbinding keeps the list registers in the context.
    REQUIRE(v.unbind().ok());
    CHECK(v.context().ich_lr[3] == (ich_lr::STATE_PENDING | ich_lr::GROUP1 | 0xa0ull << 48 | 35));
    CHECK(sysreg(f.cpu(), sr::ich_lr_el2(3)) == 0);
}

TEST_CASE("Arm vCPU: more interrupts than list registers reach a guest that acknowledges them",
          "[vcpu][arm64]") {
    VmFixture f;
    using hvemu::arm::sysreg_enc;
    const uint32_t ICC_PMR = sysreg_enc(3, 0, 4, 6, 0), ICC_IGRPEN1 = sysreg_enc(3, 0, 12, 12, 7);
    const uint32_t ICC_IAR1 = sysreg_enc(3, 0, 12, 12, 0), ICC_EOIR1 = sysreg_enc(3, 0, 12, 12, 1);
    f.code(kEntry, {
                       a64::msr(ICC_PMR, 10),
                       a64::msr(ICC_IGRPEN1, 11),
                       a64::mrs(0, ICC_IAR1),              // loop:
                       cmp_imm(0, 1023),
                       b_eq(4),
                       a64::ldst_post(3, 0, 0, 12, 8),     // str x0, [x12], #8
                       a64::msr(ICC_EOIR1, 0),
                       b(-5),
                       a64::hvc(0),                        // done
                   });
    ArmVCpu v = f.vcpu();
    const uint64_t ids[] = {40, 33, 50, 34, 35, 36, 37};
    for (uint64_t i : ids) REQUIRE(v.inject_interrupt(i).ok());
    REQUIRE(v.bind().ok());
    v.set_gpr(10, 0xff);
    v.set_gpr(11, 1);
    v.set_gpr(12, kGuestData);
    as<exit::Hypercall>(run_to_exit(v));
    CHECK(v.gpr(12) == kGuestData + 8 * 7);
    std::vector<uint64_t> seen;
    for (unsigned i = 0; i < 7; ++i) seen.push_back(f.get64(kGuestData + 8 * i));
    std::vector<uint64_t> want(std::begin(ids), std::end(ids));
    std::sort(seen.begin(), seen.end());
    std::sort(want.begin(), want.end());
    CHECK(seen == want);
    CHECK(v.queued_interrupts() == 0);
}
