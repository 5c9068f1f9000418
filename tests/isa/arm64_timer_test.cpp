// The generic timer of the Arm PE: the counter derived from model cycles,
// CNTVOFF, CTL/CVAL/TVAL with ISTATUS, the PPI levels driven through the
// GIC port, the run loop stopping at a timer deadline, and the EL0/EL1
// access controls (CNTKCTL_EL1, CNTHCTL_EL2).
#include <catch2/catch.hpp>

#include "tests/isa/arm64_sys_fixture.hpp"

namespace hvemu::arm {
namespace {

using namespace test;

uint64_t rd(Pe& pe, uint32_t enc, unsigned el = 2) {
    uint64_t v = 0;
    REQUIRE(pe.sysreg_read(enc, v, el));
    return v;
}
void wr(Pe& pe, uint32_t enc, uint64_t v, unsigned el = 2) { REQUIRE(pe.sysreg_write(enc, v, el)); }

TEST_CASE("arm64 counter: frequency, physical and virtual count", "[arm64][timer][unit]") {
    SysFixture f;
    Pe& pe = *f;
    const uint64_t cpt = pe.config().clock.cycles_per_tick();
    CHECK(rd(pe, reg::CNTFRQ_EL0) == pe.config().clock.timebase_hz);
    const uint64_t c0 = rd(pe, reg::CNTPCT_EL0);
    pe.add_cycles(100 * cpt);
    CHECK(rd(pe, reg::CNTPCT_EL0) == c0 + 100);
    wr(pe, reg::CNTVOFF_EL2, 30);
    CHECK(rd(pe, reg::CNTVCT_EL0) == c0 + 70);
    CHECK(rd(pe, reg::CNTVCT_EL0, 1) == c0 + 70);
    // CNTFRQ_EL0 is read-only below the highest EL and ignores writes there.
    CHECK_FALSE(pe.sysreg_write(reg::CNTFRQ_EL0, 5, 1));
    wr(pe, reg::CNTFRQ_EL0, 5);
    CHECK(rd(pe, reg::CNTFRQ_EL0) == pe.config().clock.timebase_hz);
    // cycles_until_count: whole ticks less the part of the current one.
    pe.add_cycles(cpt / 2);
    const uint64_t now = pe.counter();
    CHECK(pe.cycles_until_count(now) == 0);
    CHECK(pe.cycles_until_count(now + 2) == 2 * cpt - pe.cycles() % cpt);
}

TEST_CASE("arm64 timers: TVAL, CVAL, ISTATUS and the PPIs", "[arm64][timer][unit]") {
    SysFixture f;
    Pe& pe = *f;
    PpiRecorder gic;
    pe.attach_gic(&gic);
    const uint64_t cpt = pe.config().clock.cycles_per_tick();
    SECTION("CNTV with an offset drives PPI 27") {
        wr(pe, reg::CNTVOFF_EL2, 1000);
        wr(pe, reg::CNTV_TVAL_EL0, 10);
        CHECK(rd(pe, reg::CNTV_CVAL_EL0) == pe.counter() - 1000 + 10);
        wr(pe, reg::CNTV_CTL_EL0, cnt::ENABLE);
        CHECK(rd(pe, reg::CNTV_CTL_EL0) == cnt::ENABLE);
        CHECK_FALSE(gic.level[27]);
        pe.add_cycles(9 * cpt);
        pe.timer_sync();
        CHECK_FALSE(gic.level[27]);
        CHECK(rd(pe, reg::CNTV_TVAL_EL0) == 1);
        pe.add_cycles(cpt);
        pe.timer_sync();
        CHECK(gic.level[27]);
        CHECK(rd(pe, reg::CNTV_CTL_EL0) == (cnt::ENABLE | cnt::ISTATUS));
        CHECK(rd(pe, reg::CNTV_TVAL_EL0) == 0);
        pe.add_cycles(5 * cpt);
        CHECK(rd(pe, reg::CNTV_TVAL_EL0) == 0xfffffffbull);   // -5 as 32 bits
        // IMASK drops the line, ISTATUS stays.
        wr(pe, reg::CNTV_CTL_EL0, cnt::ENABLE | cnt::IMASK);
        CHECK_FALSE(gic.level[27]);
        CHECK(rd(pe, reg::CNTV_CTL_EL0) == (cnt::ENABLE | cnt::IMASK | cnt::ISTATUS));
        // Disabled: no ISTATUS.
        wr(pe, reg::CNTV_CTL_EL0, 0);
        CHECK(rd(pe, reg::CNTV_CTL_EL0) == 0);
    }
    SECTION("CNTP and CNTHP drive PPIs 30 and 26; a negative TVAL fires at once") {
        pe.add_cycles(1000 * cpt);
        wr(pe, reg::CNTP_CTL_EL0, cnt::ENABLE);
        wr(pe, reg::CNTP_TVAL_EL0, 0xffffffff);   // -1
        CHECK(gic.level[30]);
        CHECK(rd(pe, reg::CNTP_CVAL_EL0) == pe.counter() - 1);
        wr(pe, reg::CNTHP_CVAL_EL2, pe.counter() + 3);
        wr(pe, reg::CNTHP_CTL_EL2, cnt::ENABLE);
        CHECK_FALSE(gic.level[26]);
        pe.add_cycles(3 * cpt);
        pe.timer_sync();
        CHECK(gic.level[26]);
        wr(pe, reg::CNTHP_CVAL_EL2, ~0ull);
        CHECK_FALSE(gic.level[26]);
    }
    SECTION("the run loop ends a block at the deadline and the PPI rises on time") {
        wr(pe, reg::CNTP_TVAL_EL0, 50, 2);
        wr(pe, reg::CNTP_CTL_EL0, cnt::ENABLE, 2);
        const uint64_t due = rd(pe, reg::CNTP_CVAL_EL0);
        f.put(kCode, {kBSelf});
        pe.pc = kCode;
        uint64_t steps = 0;
        while (!gic.level[30] && steps < 1000) {
            pe.run(7);
            ++steps;
        }
        REQUIRE(gic.level[30]);
        // Raised at the block boundary where the count reached CVAL.
        CHECK(pe.counter() == due);
    }
}

TEST_CASE("arm64 timer access controls: CNTKCTL_EL1 at EL0, CNTHCTL_EL2 at EL0/EL1", "[arm64][timer][unit]") {
    SysFixture f;
    Pe& pe = *f;
    uint64_t v;
    SECTION("EL0: each CNTKCTL_EL1 enable, traps to EL1 as EC 0x18") {
        pe.sys.cntkctl_el1 = 0;
        f.run_at(0, {mrs(1, reg::CNTVCT_EL0)}, 1);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.esr_el1 == esr_of(0x18, 3u << 20 | 2u << 17 | 3u << 14 | 14u << 10 | 1u << 5 | 0u << 1 | 1));
        pe.sys.cntkctl_el1 = cnt::EL0VCTEN;
        f.run_at(0, {mrs(1, reg::CNTVCT_EL0), mrs(2, reg::CNTFRQ_EL0)}, 2);
        CHECK(pe.el() == 0);
        CHECK(pe.x[2] == pe.config().clock.timebase_hz);
        CHECK_FALSE(pe.sysreg_read(reg::CNTPCT_EL0, v, 0));
        CHECK_FALSE(pe.sysreg_read(reg::CNTV_CTL_EL0, v, 0));
        CHECK_FALSE(pe.sysreg_read(reg::CNTP_CTL_EL0, v, 0));
        pe.sys.cntkctl_el1 = cnt::EL0PCTEN | cnt::EL0VTEN | cnt::EL0PTEN;
        CHECK(pe.sysreg_read(reg::CNTPCT_EL0, v, 0));
        CHECK(pe.sysreg_read(reg::CNTV_CTL_EL0, v, 0));
        CHECK(pe.sysreg_read(reg::CNTP_CTL_EL0, v, 0));
        CHECK_FALSE(pe.sysreg_read(reg::CNTKCTL_EL1, v, 0));
    }
    SECTION("EL1: CNTHCTL_EL2.EL1PCTEN and EL1PCEN trap the physical counter and timer to EL2") {
        pe.sys.cnthctl_el2 = 0;
        f.run_at(1, {mrs(3, reg::CNTPCT_EL0)}, 1);
        CHECK(pe.el() == 2);
        CHECK(pe.sys.esr_el2 == esr_of(0x18, 3u << 20 | 1u << 17 | 3u << 14 | 14u << 10 | 3u << 5 | 1));
        f.run_at(1, {msr(reg::CNTP_CTL_EL0, 3)}, 1);
        CHECK(pe.el() == 2);
        CHECK(pe.sys.esr_el2 == esr_of(0x18, 3u << 20 | 1u << 17 | 3u << 14 | 14u << 10 | 2u << 1 | 3u << 5));
        // The virtual counter and timer are not affected.
        f.run_at(1, {mrs(3, reg::CNTVCT_EL0), mrs(4, reg::CNTV_CTL_EL0)}, 2);
        CHECK(pe.el() == 1);
        // EL2 registers are UNDEFINED at EL1.
        f.run_at(1, {mrs(3, reg::CNTHCTL_EL2)}, 1);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
        pe.sys.cnthctl_el2 = cnt::EL1PCTEN | cnt::EL1PCEN;
        f.run_at(1, {mrs(3, reg::CNTPCT_EL0), msr(reg::CNTP_CTL_EL0, 3)}, 2);
        CHECK(pe.el() == 1);
        CHECK(pe.pc == kCode + 8);
    }
}

TEST_CASE("arm64 timer interrupt reaches EL1 through a pending PPI", "[arm64][timer][unit]") {
    SysFixture f;
    Pe& pe = *f;
    // A port that turns PPI 27's level into a pending interrupt.
    struct Loop final : GicCpuPort {
        Pe* pe = nullptr;
        bool high = false;
        GicPending highest_pending() override { return high ? GicPending{27, 0x80} : GicPending{}; }
        void activate(uint32_t) override {}
        void deactivate(uint32_t) override {}
        void send_sgi(uint64_t) override {}
        void set_ppi_level(uint32_t intid, bool l) override {
            if (intid == 27) high = l;
            pe->gic_changed();
        }
    } gic;
    gic.pe = &pe;
    pe.attach_gic(&gic);
    pe.sys.icc_pmr = 0xff;
    pe.sys.icc_igrpen1 = 1;
    pe.sys.hcr_el2 = hcr::RW;   // IMO clear: the physical IRQ goes to EL1
    f.put(kCode, {movz(0, 20), msr(reg::CNTV_TVAL_EL0, 0), movz(0, 1), msr(reg::CNTV_CTL_EL0, 0),
                  msr_imm(3, 7, 2), kBSelf});
    pe.set_el(1, true);
    pe.pc = kCode;
    pe.run(2000);
    CHECK(pe.el() == 1);
    CHECK(pe.sys.elr_el1 == kCode + 20);
    CHECK(pe.pc == kVbarEl1 + 0x280);
    CHECK(pe.timer_reg(reg::CNTV_CTL_EL0) == (cnt::ENABLE | cnt::ISTATUS));
}

} // namespace
} // namespace hvemu::arm
