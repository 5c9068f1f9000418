// Exceptions of the Arm PE: reset state, vector offsets per source and
// type, SPSR/ELR/ESR/FAR of the target, routing with HCR_EL2.TGE, ERET
// including illegal returns, hosted-mode stops, interrupt routing and
// masking (physical, virtual IRQ/FIQ/SError), FP traps and WFI.
#include <catch2/catch.hpp>

#include "tests/isa/arm64_sys_fixture.hpp"

namespace hvemu::arm {
namespace {

using namespace test;

TEST_CASE("arm64 reset: EL2h with DAIF masked, MMUs off, pc and MPIDR from the config", "[arm64][exception][unit]") {
    SysFixture f;
    Pe& pe = *f;
    CHECK(pe.el() == 2);
    CHECK(pe.pstate.sp);
    CHECK(pe.pstate.daif == 0x3c0);
    CHECK(pe.pc == kCode);
    CHECK((pe.sys.sctlr_el1 & 1) == 0);
    CHECK((pe.sys.sctlr_el2 & 1) == 0);
    CHECK((pe.sys.sctlr_el1 & 0x30d00800) == 0x30d00800);   // RES1
    uint64_t v = 0;
    REQUIRE(pe.sysreg_read(reg::MPIDR_EL1, v, 2));
    CHECK(v == ((1ull << 31) | 3));
    REQUIRE(pe.sysreg_read(reg::CurrentEL, v, 2));
    CHECK(v == 8);
    // EL1 sees the virtualized identification registers.
    pe.sys.vmpidr_el2 = (1ull << 31) | 0x102;
    REQUIRE(pe.sysreg_read(reg::MPIDR_EL1, v, 1));
    CHECK(v == ((1ull << 31) | 0x102));
}

TEST_CASE("arm64 vector offsets by source EL, stack pointer and type", "[arm64][exception][unit]") {
    SysFixture f;
    Pe& pe = *f;
    pe.pstate.nzcv = 0x60000000;
    SECTION("EL1 with SP_EL0: current EL SP0") {
        pe.set_el(1, false);
        pe.pstate.daif = 0;
        CHECK(pe.take_sync(esr::EC_BRK, 7, 0x1000, 0) == kVbarEl1 + 0x000);
        CHECK(pe.sys.spsr_el1 == 0x60000004);
        CHECK(pe.sys.esr_el1 == esr_of(0x3c, 7));
        CHECK(pe.sys.elr_el1 == 0x1000);
        CHECK(pe.pstate.sp);
        CHECK(pe.pstate.daif == 0x3c0);
    }
    SECTION("EL1 with SP_EL1: current EL SPx") {
        pe.set_el(1, true);
        pe.pstate.daif = 0x80;
        CHECK(pe.take_sync(esr::EC_UNKNOWN, 0, 0x2000, 0, 0xdead, true) == kVbarEl1 + 0x200);
        CHECK(pe.sys.spsr_el1 == 0x60000085);
        CHECK(pe.sys.far_el1 == 0xdead);
        CHECK(pe.sys.esr_el1 == 0x02000000);
    }
    SECTION("EL0 to EL1: lower EL AArch64") {
        pe.set_el(0, false);
        pe.pstate.daif = 0;
        CHECK(pe.take_sync(esr::EC_SVC, 1, 0x3004, 0) == kVbarEl1 + 0x400);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.spsr_el1 == 0x60000000);
    }
    SECTION("EL0 with HCR_EL2.TGE goes to EL2") {
        pe.sys.hcr_el2 |= hcr::TGE;
        pe.set_el(0, false);
        CHECK(pe.take_sync(esr::EC_SVC, 1, 0x3004, 0) == kVbarEl2 + 0x400);
        CHECK(pe.el() == 2);
        CHECK(pe.sys.esr_el2 == esr_of(0x15, 1));
        CHECK(pe.sys.elr_el2 == 0x3004);
    }
    SECTION("EL1 to EL2, and EL2 to itself") {
        pe.set_el(1, true);
        CHECK(pe.take_sync(esr::EC_HVC, 5, 0x4004, 2) == kVbarEl2 + 0x400);
        CHECK(pe.sys.spsr_el2 == 0x600003c5);
        CHECK(pe.take_sync(esr::EC_UNKNOWN, 0, 0x5000, 0) == kVbarEl2 + 0x200);
        CHECK(pe.sys.spsr_el2 == 0x600003c9);
    }
    SECTION("a stage 2 abort writes HPFAR_EL2") {
        pe.set_el(1, true);
        pe.take_sync(esr::EC_DABT_LOW, 0x7, 0x6000, 2, 0x1234567, true, 0x8765000);
        CHECK(pe.sys.hpfar_el2 == (0x8765000ull >> 12 << 4));
        CHECK(pe.sys.far_el2 == 0x1234567);
    }
}

TEST_CASE("arm64 IRQ, FIQ and SError vector slots", "[arm64][exception][unit]") {
    SysFixture f;
    Pe& pe = *f;
    PpiRecorder gic;
    pe.attach_gic(&gic);
    pe.sys.icc_pmr = 0xff;
    pe.sys.icc_igrpen1 = 1;
    f.put(kCode, {kNop, kNop, kNop, kNop});
    SECTION("virtual IRQ at EL1: current EL SPx + 0x80") {
        pe.sys.hcr_el2 = hcr::RW | hcr::IMO | hcr::VI;
        pe.set_el(1, true);
        pe.pstate.daif = 0;
        pe.pc = kCode;
        pe.run(1);
        CHECK(pe.sys.elr_el1 == kCode);
        CHECK(pe.el() == 1);
        CHECK(pe.pc == kVbarEl1 + 0x280);   // the vector parks on its b .
    }
    SECTION("virtual IRQ is masked by PSTATE.I and not taken at EL2") {
        pe.sys.hcr_el2 = hcr::RW | hcr::IMO | hcr::VI;
        pe.set_el(1, true);
        pe.pstate.daif = 0x80;
        pe.pc = kCode;
        pe.run(2);
        CHECK(pe.pc == kCode + 8);
        pe.set_el(2, true);
        pe.pstate.daif = 0;
        pe.pc = kCode;
        pe.run(2);
        CHECK(pe.pc == kCode + 8);
    }
    SECTION("virtual FIQ with FMO: + 0x100") {
        pe.sys.hcr_el2 = hcr::RW | hcr::FMO | hcr::VF;
        pe.set_el(0, false);
        pe.pstate.daif = 0;
        pe.pc = kCode;
        pe.run(1);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.elr_el1 == kCode);
        CHECK(pe.pc == kVbarEl1 + 0x500);
    }
    SECTION("virtual SError with AMO: + 0x180, ESR_EL1, VSE cleared") {
        pe.sys.hcr_el2 = hcr::RW | hcr::AMO | hcr::VSE;
        pe.set_el(1, true);
        pe.pstate.daif = 0;
        pe.pc = kCode;
        pe.run(1);
        CHECK(pe.sys.esr_el1 == esr_of(0x2f, 0));
        CHECK((pe.sys.hcr_el2 & hcr::VSE) == 0);
        CHECK(pe.pc == kVbarEl1 + 0x380);
    }
    SECTION("physical IRQ routed to EL2 by IMO ignores PSTATE.I below EL2") {
        gic.pending = {40, 0x80};
        pe.sys.hcr_el2 = hcr::RW | hcr::IMO;
        pe.set_el(1, true);
        pe.pstate.daif = 0x3c0;
        pe.pc = kCode;
        pe.run(1);
        CHECK(pe.el() == 2);
        CHECK(pe.sys.elr_el2 == kCode);
        CHECK(pe.sys.spsr_el2 == 0x3c5);
        CHECK(pe.pc == kVbarEl2 + 0x480);
    }
    SECTION("physical IRQ at EL2 is masked by PSTATE.I; without IMO it goes to EL1") {
        gic.pending = {40, 0x80};
        pe.sys.hcr_el2 = hcr::RW | hcr::IMO;
        pe.pc = kCode;
        pe.run(2);
        CHECK(pe.pc == kCode + 8);
        pe.sys.hcr_el2 = hcr::RW;
        pe.set_el(1, true);
        pe.pstate.daif = 0;
        pe.pc = kCode;
        pe.run(1);
        CHECK(pe.el() == 1);
        CHECK(pe.pc == kVbarEl1 + 0x280);
    }
}

TEST_CASE("arm64 SVC, HVC, BRK and HLT from programs", "[arm64][exception][unit]") {
    SysFixture f;
    Pe& pe = *f;
    SECTION("SVC at EL0: EL1, ELR past the SVC") {
        f.run_at(0, {kNop, svc(0x12)}, 2);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.elr_el1 == kCode + 8);
        CHECK(pe.sys.esr_el1 == esr_of(0x15, 0x12));
        CHECK(pe.pc == kVbarEl1 + 0x400);
    }
    SECTION("HVC at EL1: EL2, ELR past the HVC") {
        f.run_at(1, {hvc(0x34)}, 1);
        CHECK(pe.el() == 2);
        CHECK(pe.sys.esr_el2 == esr_of(0x16, 0x34));
        CHECK(pe.sys.elr_el2 == kCode + 4);
    }
    SECTION("HVC at EL0 and with HCR_EL2.HCD is UNDEFINED") {
        f.run_at(0, {hvc(1)}, 1);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
        CHECK(pe.sys.elr_el1 == kCode);
        pe.sys.hcr_el2 |= hcr::HCD;
        f.run_at(1, {hvc(1)}, 1);
        CHECK(pe.pc == kVbarEl1 + 0x200);
    }
    SECTION("BRK: preferred return is the BRK itself") {
        f.run_at(1, {brk(0x99)}, 1);
        CHECK(pe.sys.esr_el1 == esr_of(0x3c, 0x99));
        CHECK(pe.sys.elr_el1 == kCode);
    }
    SECTION("HLT without a semihosting hook is UNDEFINED; with it, served") {
        f.run_at(1, {hlt(0xf000)}, 1);
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
        struct Semi final : Pe::SemihostHandler {
            unsigned calls = 0;
            bool semihost(Pe& p) override {
                ++calls;
                p.x[0] = 42;
                return true;
            }
        } semi;
        pe.set_semihost_handler(&semi);
        f.run_at(1, {movz(0, 4), hlt(0xf000)}, 2);
        CHECK(semi.calls == 1);
        CHECK(pe.x[0] == 42);
        CHECK(pe.pc == kCode + 8);
    }
}

TEST_CASE("arm64 ERET and illegal exception returns", "[arm64][exception][unit]") {
    SysFixture f;
    Pe& pe = *f;
    pe.sys.sp_el1 = 0x1100;
    pe.x[kSp] = 0x2200;   // SP_EL2
    SECTION("EL2 to EL1h restores PSTATE and banks SP") {
        pe.sys.spsr_el2 = 0x900000c5;   // N V, I F masked, EL1h
        pe.sys.elr_el2 = kCode + 0x40;
        pe.eret();
        CHECK(pe.el() == 1);
        CHECK(pe.pstate.sp);
        CHECK(pe.pstate.nzcv == 0x90000000);
        CHECK(pe.pstate.daif == 0xc0);
        CHECK(pe.x[kSp] == 0x1100);
        CHECK(pe.sys.sp_el2 == 0x2200);
        CHECK(pe.pc == kCode + 0x40);
        CHECK_FALSE(pe.pstate.il);
    }
    SECTION("ERET instruction from EL1 to EL0t") {
        pe.sys.spsr_el1 = 0;
        pe.sys.elr_el1 = kCode + 0x100;
        f.put(kCode + 0x100, {kNop});
        f.run_at(1, {kEret}, 2);
        CHECK(pe.el() == 0);
        CHECK(pe.pc == kCode + 0x104);
    }
    SECTION("returns to AArch32, to a higher EL, to EL1 under TGE, to EL0 with SP_ELx are illegal") {
        const uint64_t bad[] = {0x10, 0x13, 0x9 /* EL2 from EL1 */, 0x1, 0x5 /* TGE */, 0xd, 0x2};
        for (uint64_t m : bad) {
            CAPTURE(m);
            SysFixture g;
            Pe& p = *g;
            if (m == 0x5) p.sys.hcr_el2 |= hcr::TGE;
            if (m == 0x9) {
                p.set_el(1, true);
                p.sys.spsr_el1 = m | 0x40000000;
                p.sys.elr_el1 = kCode;
            } else {
                p.sys.spsr_el2 = m | 0x40000000;
                p.sys.elr_el2 = kCode;
            }
            const unsigned el_before = p.el();
            g.put(kCode, {kNop});
            p.eret();
            CHECK(p.el() == el_before);
            CHECK(p.pstate.il);
            CHECK(p.pstate.nzcv == 0x40000000);   // restored even so
            CHECK(p.pc == kCode);
            // The next instruction takes the illegal execution state exception.
            p.run(1);
            const uint64_t esr = el_before == 2 ? p.sys.esr_el2 : p.sys.esr_el1;
            CHECK(esr == esr_of(0x0e, 0));
            CHECK((el_before == 2 ? p.sys.spsr_el2 : p.sys.spsr_el1) & (1u << 20));   // SPSR.IL
            CHECK_FALSE(p.pstate.il);
        }
    }
    SECTION("ERET at EL0 is UNDEFINED") {
        f.run_at(0, {kEret}, 1);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
    }
}

TEST_CASE("arm64 hosted mode: an exception to EL2 stops run() after the entry", "[arm64][exception][unit]") {
    SysFixture f(true);
    Pe& pe = *f;
    pe.sys.hcr_el2 = hcr::RW;
    CHECK(f.run_at(1, {kNop, hvc(0x77), kNop}, 100) == StopReason::Trap);
    CHECK(pe.el() == 2);
    CHECK(pe.sys.esr_el2 == esr_of(0x16, 0x77));
    CHECK(pe.sys.elr_el2 == kCode + 8);
    CHECK(pe.sys.spsr_el2 == 0x3c5);
    CHECK(pe.icount() == 2);
    // The host resumes the guest; exceptions to EL1 stay inside run().
    pe.sys.spsr_el2 = 0x5;
    pe.eret();
    CHECK(pe.el() == 1);
    f.put(kCode + 8, {svc(1)});
    CHECK(pe.run(3) == StopReason::Budget);
    CHECK(pe.el() == 1);
    CHECK(pe.sys.esr_el1 == esr_of(0x15, 1));
}

TEST_CASE("arm64 preempt_to_host costs nothing, nor does the next ERET", "[arm64][exception][unit]") {
    SysFixture f(true);
    Pe& pe = *f;
    f.run_at(1, {kNop, kNop, kNop, kNop}, 2);
    const uint64_t c0 = pe.cycles();
    pe.preempt_to_host();
    CHECK(pe.el() == 2);
    CHECK(pe.sys.elr_el2 == kCode + 8);
    CHECK(pe.pc == kVbarEl2 + 0x480);
    pe.eret();
    CHECK(pe.cycles() == c0);
    CHECK(pe.el() == 1);
    CHECK(pe.pc == kCode + 8);
    // An ordinary exception and return are charged.
    pe.take_sync(esr::EC_HVC, 0, pe.pc, 2);
    pe.eret();
    CHECK(pe.cycles() == c0 + pe.config().costs.trap_entry + pe.config().costs.trap_return);
}

TEST_CASE("arm64 FP/SIMD access traps: CPACR_EL1.FPEN, CPTR_EL2.TFP, TGE", "[arm64][exception][unit]") {
    SysFixture f;
    Pe& pe = *f;
    constexpr uint64_t kFpIss = (1u << 24) | (0xeu << 20);
    pe.set_el(1, true);
    pe.sys.cpacr_el1 = 0;
    CHECK_FALSE(pe.fp_enabled(0x100));
    CHECK(pe.el() == 1);
    CHECK(pe.sys.esr_el1 == esr_of(0x07, kFpIss));
    pe.set_el(0, false);
    pe.sys.cpacr_el1 = 1ull << 20;   // EL1 only
    CHECK_FALSE(pe.fp_enabled(0x100));
    CHECK(pe.el() == 1);
    pe.set_el(0, false);
    pe.sys.hcr_el2 |= hcr::TGE;
    CHECK_FALSE(pe.fp_enabled(0x100));
    CHECK(pe.el() == 2);
    CHECK(pe.sys.esr_el2 == esr_of(0x00, 0));
    pe.sys.hcr_el2 &= ~hcr::TGE;
    pe.sys.cpacr_el1 = 3ull << 20;
    pe.set_el(0, false);
    CHECK(pe.fp_enabled(0x100));
    pe.sys.cptr_el2 |= 1u << 10;
    CHECK_FALSE(pe.fp_enabled(0x100));
    CHECK(pe.el() == 2);
    CHECK(pe.sys.esr_el2 == esr_of(0x07, kFpIss));
}

TEST_CASE("arm64 WFI waits until an interrupt is pending, even a masked one", "[arm64][exception][unit]") {
    SysFixture f;
    Pe& pe = *f;
    CHECK(f.run_at(1, {kWfi, kNop}, 10) == StopReason::Wfi);
    CHECK(pe.waiting_for_interrupt());
    CHECK(pe.pc == kCode + 4);
    pe.sys.hcr_el2 |= hcr::IMO | hcr::VI;
    pe.pstate.daif = 0x3c0;
    CHECK(pe.run(1) == StopReason::Budget);
    CHECK_FALSE(pe.waiting_for_interrupt());
    CHECK(pe.pc == kCode + 8);
}

} // namespace
} // namespace hvemu::arm
