// The GICv3 CPU interface of the Arm PE: the physical interface against a
// small in-test distributor (acknowledge, priority drop, deactivation,
// priority mask, running priority and binary point, SGIs, the IRQ line),
// the virtual interface served from the list registers (ICV_* at EL1 with
// HCR_EL2.IMO/FMO, no trap), the EL2 controls (ICH_*: maintenance
// interrupt, EISR/ELRSR/MISR, EOIcount, VTR/VMCR) and the ICH_HCR_EL2 traps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "isa/arm64/gic_regs.hpp"
#include "isa/arm64/pe.hpp"

namespace hvemu::arm {
namespace {

using namespace gic;
using A = Pe::GicAccess;

constexpr uint64_t kHcrEl2Fmo = hcr::FMO, kHcrEl2Imo = hcr::IMO;

// A distributor for one PE: per-INTID pending/active/priority, Group 1 and
// enabled. It records what the CPU interface asks of it.
struct FakeGic final : GicCpuPort {
    std::array<bool, 1024> pending{}, active{};
    std::array<uint8_t, 1024> prio{};
    std::vector<uint32_t> activated, deactivated;
    std::vector<uint64_t> sgis;
    std::array<bool, 32> ppi{};
    unsigned ppi_calls = 0;

    FakeGic() { prio.fill(0xa0); }
    void raise(uint32_t intid, uint8_t p) { pending[intid] = true; prio[intid] = p; }
    GicPending highest_pending() override {
        GicPending best;
        for (uint32_t i = 0; i < 1020; ++i)
            if (pending[i] && !active[i] && prio[i] < best.priority) best = {i, prio[i]};
        return best;
    }
    void activate(uint32_t intid) override {
        activated.push_back(intid);
        pending[intid] = false;
        active[intid] = true;
    }
    void deactivate(uint32_t intid) override {
        deactivated.push_back(intid);
        active[intid] = false;
    }
    void send_sgi(uint64_t v) override { sgis.push_back(v); }
    void set_ppi_level(uint32_t intid, bool level) override {
        ++ppi_calls;
        if (intid < 32) ppi[intid] = level;
    }
};

struct GicFixture {
    isa::PhysMem mem;
    FakeGic gic;
    std::unique_ptr<Pe> pe;

    explicit GicFixture(unsigned list_regs = 4, bool hosted = false) {
        mem.add_ram(0, 0x10000);
        PeConfig cfg;
        cfg.list_regs = list_regs;
        cfg.hosted = hosted;
        pe = std::make_unique<Pe>(mem, cfg);
        pe->attach_gic(&gic);
    }
    A access(uint32_t enc, bool write, uint64_t& v, unsigned el) { return pe->gic_access(enc, write, v, el); }
    uint64_t rd(uint32_t enc, unsigned el = 2) {
        uint64_t v = ~0ull;
        REQUIRE(access(enc, false, v, el) == A::Done);
        return v;
    }
    void wr(uint32_t enc, uint64_t v, unsigned el = 2) { REQUIRE(access(enc, true, v, el) == A::Done); }
    A try_rd(uint32_t enc, unsigned el) {
        uint64_t v = 0;
        return access(enc, false, v, el);
    }
    A try_wr(uint32_t enc, uint64_t v, unsigned el) { return access(enc, true, v, el); }

    // The physical interface open for Group 1 at every priority.
    void open_physical() {
        wr(ICC_PMR_EL1, 0xff);
        wr(ICC_IGRPEN1_EL1, 1);
    }
    // The virtual interface enabled, Group 1 on, every priority unmasked,
    // and EL1's accesses redirected to it.
    void open_virtual() {
        pe->sys.hcr_el2 |= kHcrEl2Imo | kHcrEl2Fmo;
        wr(ICH_HCR_EL2, HCR_EN);
        wr(ICH_VMCR_EL2, VMCR_VENG1 | (0xffull << VMCR_VPMR_SHIFT));
    }
    static uint64_t lr(uint64_t state, uint32_t vintid, uint8_t prio, bool group1 = true) {
        return state | (group1 ? LR_GROUP : 0) | (uint64_t{prio} << LR_PRIORITY_SHIFT) | vintid;
    }
    static uint64_t hw_lr(uint64_t state, uint32_t vintid, uint32_t pintid, uint8_t prio) {
        return lr(state, vintid, prio) | LR_HW | (uint64_t{pintid} << LR_PINTID_SHIFT);
    }
    uint64_t eoicount() { return (rd(ICH_HCR_EL2) & HCR_EOICOUNT) >> HCR_EOICOUNT_SHIFT; }
};

// ---- physical interface -------------------------------------------------------

TEST_CASE("ICC_IAR1 acknowledges, ICC_EOIR1 drops priority and deactivates (EOImode 0)", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_physical();
    CHECK_FALSE(f.pe->gic_irq_line());
    CHECK(f.rd(ICC_IAR1_EL1) == kIntidNone);

    f.gic.raise(40, 0x80);
    CHECK(f.pe->gic_irq_line());
    CHECK(f.rd(ICC_HPPIR1_EL1, 1) == 40);
    CHECK(f.rd(ICC_IAR1_EL1, 1) == 40);
    CHECK(f.gic.activated == std::vector<uint32_t>{40});
    CHECK(f.rd(ICC_RPR_EL1) == 0x80);
    CHECK(f.rd(ICC_AP1R0_EL1) == (1u << (0x80 >> 3)));
    CHECK_FALSE(f.pe->gic_irq_line());
    CHECK(f.rd(ICC_IAR1_EL1) == kIntidNone);   // nothing left pending

    f.wr(ICC_EOIR1_EL1, 40, 1);
    CHECK(f.gic.deactivated == std::vector<uint32_t>{40});
    CHECK(f.rd(ICC_RPR_EL1) == 0xff);
    CHECK(f.rd(ICC_AP1R0_EL1) == 0);
}

TEST_CASE("EOImode 1 splits the priority drop from ICC_DIR deactivation", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_physical();
    f.gic.raise(33, 0x90);

    SECTION("EOImode 0: DIR is ignored") {
        f.wr(ICC_DIR_EL1, 33);
        CHECK(f.gic.deactivated.empty());
    }
    SECTION("EOImode 1") {
        f.wr(ICC_CTLR_EL1, CTLR_EOIMODE);
        CHECK(f.rd(ICC_IAR1_EL1) == 33);
        f.wr(ICC_EOIR1_EL1, 33);
        CHECK(f.rd(ICC_RPR_EL1) == 0xff);     // priority dropped
        CHECK(f.gic.deactivated.empty());     // still active
        CHECK(f.gic.active[33]);
        f.wr(ICC_DIR_EL1, 33, 1);
        CHECK(f.gic.deactivated == std::vector<uint32_t>{33});
        f.wr(ICC_DIR_EL1, 1023);               // special IDs are ignored
        CHECK(f.gic.deactivated.size() == 1);
    }
}

TEST_CASE("ICC_PMR masks interrupts at or below its priority, with 5 priority bits", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_physical();
    f.wr(ICC_PMR_EL1, 0xff);
    CHECK(f.rd(ICC_PMR_EL1) == 0xf8);

    f.gic.raise(50, 0x84);   // priority 0x80 once the unimplemented bits go
    f.wr(ICC_PMR_EL1, 0x80);
    CHECK_FALSE(f.pe->gic_irq_line());
    CHECK(f.rd(ICC_IAR1_EL1) == kIntidNone);
    CHECK(f.rd(ICC_HPPIR1_EL1) == 50);        // HPPIR ignores the mask
    CHECK(f.gic.activated.empty());

    f.wr(ICC_PMR_EL1, 0x88);
    CHECK(f.pe->gic_irq_line());
    CHECK(f.rd(ICC_IAR1_EL1) == 50);
}

TEST_CASE("ICC_IGRPEN1 gates Group 1 signalling and acknowledgement", "[arm64][gic][unit]") {
    GicFixture f;
    f.wr(ICC_PMR_EL1, 0xff);
    f.gic.raise(60, 0x40);
    CHECK_FALSE(f.pe->gic_irq_line());
    CHECK(f.rd(ICC_IAR1_EL1) == kIntidNone);
    CHECK(f.rd(ICC_HPPIR1_EL1) == kIntidNone);
    f.wr(ICC_IGRPEN1_EL1, 3);
    CHECK(f.rd(ICC_IGRPEN1_EL1) == 1);
    CHECK(f.pe->gic_irq_line());
}

TEST_CASE("The running priority preempts by group priority as the binary point splits it", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_physical();
    CHECK(f.rd(ICC_BPR1_EL1) == 3);            // minimum for 5 bits
    f.wr(ICC_BPR1_EL1, 0);
    CHECK(f.rd(ICC_BPR1_EL1) == 3);
    f.wr(ICC_BPR0_EL1, 0);
    CHECK(f.rd(ICC_BPR0_EL1) == 2);

    f.gic.raise(40, 0x90);
    REQUIRE(f.rd(ICC_IAR1_EL1) == 40);

    SECTION("BPR1 3: every priority bit is group priority") {
        CHECK(f.rd(ICC_RPR_EL1) == 0x90);
        f.gic.raise(41, 0x88);
        CHECK(f.pe->gic_irq_line());
        f.gic.pending[41] = false;
        f.gic.raise(42, 0x90);                 // equal priority never preempts
        CHECK_FALSE(f.pe->gic_irq_line());
    }
    SECTION("BPR1 5: group priority is bits 7:5") {
        f.wr(ICC_EOIR1_EL1, 40);
        f.gic.raise(40, 0x90);
        f.wr(ICC_BPR1_EL1, 5);
        REQUIRE(f.rd(ICC_IAR1_EL1) == 40);
        CHECK(f.rd(ICC_RPR_EL1) == 0x80);      // group priority of 0x90
        f.gic.raise(41, 0x88);                 // same group priority 0x80
        CHECK_FALSE(f.pe->gic_irq_line());
        CHECK(f.rd(ICC_IAR1_EL1) == kIntidNone);
        f.gic.raise(42, 0x78);                 // group priority 0x60
        CHECK(f.pe->gic_irq_line());
        CHECK(f.rd(ICC_IAR1_EL1) == 42);
        CHECK(f.rd(ICC_RPR_EL1) == 0x60);
        f.wr(ICC_EOIR1_EL1, 42);               // nested: back to 0x80
        CHECK(f.rd(ICC_RPR_EL1) == 0x80);
    }
    SECTION("CBPR: BPR1 reads BPR0 + 1, writes ignored, BPR0 rules Group 1") {
        f.wr(ICC_BPR0_EL1, 4);
        f.wr(ICC_CTLR_EL1, CTLR_CBPR);
        CHECK(f.rd(ICC_BPR1_EL1) == 5);
        f.wr(ICC_BPR1_EL1, 7);
        CHECK(f.rd(ICC_BPR1_EL1) == 5);
        f.gic.raise(41, 0x88);                 // 0x80 vs running 0x80 with mask 0xe0
        CHECK_FALSE(f.pe->gic_irq_line());
    }
}

TEST_CASE("ICC_CTLR_EL1 and ICC_SRE_ELx describe a system-register-only GIC", "[arm64][gic][unit]") {
    GicFixture f;
    uint64_t ctlr = f.rd(ICC_CTLR_EL1, 1);
    CHECK((ctlr >> CTLR_PRIBITS_SHIFT & 7) == 4);    // 5 priority bits
    CHECK((ctlr >> CTLR_IDBITS_SHIFT & 7) == 0);     // 16-bit INTIDs
    CHECK((ctlr & CTLR_A3V) != 0);
    CHECK((ctlr & (CTLR_SEIS | CTLR_EOIMODE | CTLR_CBPR | CTLR_PMHE)) == 0);
    f.wr(ICC_CTLR_EL1, ~0ull);
    CHECK(f.rd(ICC_CTLR_EL1) == (ctlr | CTLR_EOIMODE | CTLR_CBPR));

    CHECK(f.rd(ICC_SRE_EL1, 1) == 7);
    f.wr(ICC_SRE_EL1, 0, 1);
    CHECK(f.rd(ICC_SRE_EL1, 1) == 7);
    CHECK(f.rd(ICC_SRE_EL2) == 0xf);
    CHECK(f.try_rd(ICC_SRE_EL2, 1) == A::Undefined);
}

TEST_CASE("ICC_SGI1R is forwarded to the port; Group 0 SGI forms reach nobody", "[arm64][gic][unit]") {
    GicFixture f;
    const uint64_t sgi = (uint64_t{5} << SGIR_INTID_SHIFT) | (1u << 2) | (uint64_t{3} << 16);
    f.wr(ICC_SGI1R_EL1, sgi, 1);
    f.wr(ICC_SGI1R_EL1, SGIR_IRM, 2);
    CHECK(f.gic.sgis == std::vector<uint64_t>{sgi, SGIR_IRM});
    f.wr(ICC_SGI0R_EL1, sgi, 1);
    f.wr(ICC_ASGI1R_EL1, sgi, 1);
    CHECK(f.gic.sgis.size() == 2);
    CHECK(f.try_rd(ICC_SGI1R_EL1, 1) == A::Undefined);

    // No virtual SGI register: EL1 traps once EL2 owns the interrupts.
    f.pe->sys.hcr_el2 = kHcrEl2Imo;
    CHECK(f.try_wr(ICC_SGI1R_EL1, sgi, 1) == A::TrapEl2);
    f.pe->sys.hcr_el2 = kHcrEl2Fmo;
    CHECK(f.try_wr(ICC_SGI0R_EL1, sgi, 1) == A::TrapEl2);
    CHECK(f.gic.sgis.size() == 2);
    f.wr(ICC_SGI1R_EL1, sgi, 2);               // EL2 itself is not redirected
    CHECK(f.gic.sgis.size() == 3);
}

TEST_CASE("Group 0 registers behave as with no Group 0 interrupts", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_physical();
    f.wr(ICC_IGRPEN0_EL1, 1);
    CHECK(f.rd(ICC_IGRPEN0_EL1) == 1);
    f.gic.raise(40, 0x80);
    CHECK(f.rd(ICC_HPPIR0_EL1) == kIntidNone);
    CHECK(f.rd(ICC_IAR0_EL1) == kIntidNone);
    CHECK(f.gic.activated.empty());
    REQUIRE(f.rd(ICC_IAR1_EL1) == 40);
    f.wr(ICC_EOIR0_EL1, 40);                   // not a Group 0 interrupt
    CHECK(f.gic.deactivated.empty());
    CHECK(f.rd(ICC_RPR_EL1) == 0x80);
    f.wr(ICC_AP0R0_EL1, 1u << 2);              // software may still claim a Group 0 priority
    CHECK(f.rd(ICC_RPR_EL1) == 0x10);
}

TEST_CASE("GIC register access rules: direction, EL, implemented registers", "[arm64][gic][unit]") {
    GicFixture f(4);
    bool ok = true;
    uint64_t v = 0;
    CHECK_FALSE(f.pe->gic_sysreg(sysreg_enc(3, 0, 1, 0, 0), false, v, 1, ok));   // SCTLR_EL1
    CHECK(f.try_rd(sysreg_enc(3, 0, 1, 0, 0), 1) == A::NotGic);

    CHECK(f.try_rd(ICC_PMR_EL1, 0) == A::Undefined);
    CHECK(f.try_wr(ICC_IAR1_EL1, 0, 1) == A::Undefined);
    CHECK(f.try_rd(ICC_EOIR1_EL1, 1) == A::Undefined);
    CHECK(f.try_rd(ICC_DIR_EL1, 1) == A::Undefined);
    CHECK(f.try_wr(ICC_RPR_EL1, 0, 1) == A::Undefined);
    CHECK(f.try_rd(ICC_AP1R0_EL1 + 1, 1) == A::Undefined);    // 5 priority bits: one APR
    CHECK(f.try_rd(ICC_AP0R0_EL1 + 3, 2) == A::Undefined);
    CHECK(f.try_rd(ICH_AP1R0_EL2 + 1, 2) == A::Undefined);
    CHECK(f.try_rd(ICC_NMIAR1_EL1, 1) == A::Undefined);
    CHECK(f.try_rd(ICC_CTLR_EL3, 2) == A::Undefined);
    CHECK(f.try_rd(ICH_HCR_EL2, 1) == A::Undefined);
    CHECK(f.try_rd(ich_lr_enc(0), 1) == A::Undefined);
    CHECK(f.try_rd(ich_lr_enc(3), 2) == A::Done);
    CHECK(f.try_rd(ich_lr_enc(4), 2) == A::Undefined);
    CHECK(f.try_wr(ICH_VTR_EL2, 0, 2) == A::Undefined);
    CHECK(f.try_wr(ICH_MISR_EL2, 0, 2) == A::Undefined);
    CHECK(f.try_wr(ICH_ELRSR_EL2, 0, 2) == A::Undefined);

    CHECK(f.pe->gic_sysreg(ICC_PMR_EL1, false, v, 1, ok));
    CHECK(ok);
    CHECK(f.pe->gic_sysreg(ICH_HCR_EL2, false, v, 1, ok));
    CHECK_FALSE(ok);
    f.wr(ICH_HCR_EL2, HCR_TC);
    CHECK(f.pe->gic_sysreg(ICC_PMR_EL1, false, v, 1, ok));
    CHECK_FALSE(ok);                            // a trap is not a successful access
}

TEST_CASE("No GIC attached: the CPU interface reads idle", "[arm64][gic][unit]") {
    isa::PhysMem mem;
    mem.add_ram(0, 0x10000);
    Pe pe(mem, PeConfig{});
    uint64_t v = 0;
    REQUIRE(pe.gic_access(ICC_PMR_EL1, true, v = 0xff, 2) == A::Done);
    REQUIRE(pe.gic_access(ICC_IGRPEN1_EL1, true, v = 1, 2) == A::Done);
    REQUIRE(pe.gic_access(ICC_IAR1_EL1, false, v, 2) == A::Done);
    CHECK(v == kIntidNone);
    REQUIRE(pe.gic_access(ICC_SGI1R_EL1, true, v = 1, 2) == A::Done);
    CHECK_FALSE(pe.gic_irq_line());
}

// ---- ICH_HCR_EL2 traps --------------------------------------------------------

TEST_CASE("ICH_HCR_EL2 TC/TALL0/TALL1/TDIR trap EL1 accesses to EL2", "[arm64][gic][unit]") {
    GicFixture f;
    const bool redirected = GENERATE(false, true);   // traps apply to ICC_ and ICV_ alike
    if (redirected) f.pe->sys.hcr_el2 = kHcrEl2Imo | kHcrEl2Fmo;

    f.wr(ICH_HCR_EL2, HCR_TALL1);
    CHECK(f.try_rd(ICC_IAR1_EL1, 1) == A::TrapEl2);
    CHECK(f.try_wr(ICC_EOIR1_EL1, 1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_AP1R0_EL1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_IGRPEN1_EL1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_IAR0_EL1, 1) == A::Done);
    CHECK(f.try_rd(ICC_PMR_EL1, 1) == A::Done);
    CHECK(f.try_rd(ICC_IAR1_EL1, 2) == A::Done);    // EL2 is never trapped

    f.wr(ICH_HCR_EL2, HCR_TALL0);
    CHECK(f.try_rd(ICC_IGRPEN0_EL1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_BPR0_EL1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_BPR1_EL1, 1) == A::Done);

    f.wr(ICH_HCR_EL2, HCR_TC);
    CHECK(f.try_rd(ICC_PMR_EL1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_CTLR_EL1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_RPR_EL1, 1) == A::TrapEl2);
    CHECK(f.try_wr(ICC_DIR_EL1, 1, 1) == A::TrapEl2);
    CHECK(f.try_wr(ICC_SGI1R_EL1, 1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_IAR1_EL1, 1) == A::Done);

    f.wr(ICH_HCR_EL2, HCR_TDIR);
    CHECK(f.try_wr(ICC_DIR_EL1, 1, 1) == A::TrapEl2);
    CHECK(f.try_rd(ICC_PMR_EL1, 1) == A::Done);
    CHECK(f.try_rd(ICC_SRE_EL1, 1) == A::Done);
    CHECK(f.gic.deactivated.empty());
}

// ---- virtual interface ----------------------------------------------------------

TEST_CASE("ICV_IAR1/EOIR1 move a list register pending -> active -> invalid without a trap", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_virtual();
    CHECK_FALSE(f.pe->gic_virq_line());
    f.wr(ich_lr_enc(1), GicFixture::lr(LR_PENDING, 27, 0xa0));
    CHECK(f.pe->gic_virq_line());
    CHECK_FALSE(f.pe->gic_vfiq_line());
    CHECK(f.rd(ICC_HPPIR1_EL1, 1) == 27);

    CHECK(f.rd(ICC_IAR1_EL1, 1) == 27);
    CHECK((f.rd(ich_lr_enc(1)) & LR_STATE) == LR_ACTIVE);
    CHECK(f.rd(ICH_AP1R0_EL2) == (1u << (0xa0 >> 3)));
    CHECK(f.rd(ICC_AP1R0_EL1, 1) == (1u << (0xa0 >> 3)));   // ICV_AP1R0 is the same state
    CHECK(f.rd(ICC_RPR_EL1, 1) == 0xa0);
    CHECK(f.rd(ICC_RPR_EL1, 2) == 0xff);                     // the physical one is untouched
    CHECK_FALSE(f.pe->gic_virq_line());
    CHECK(f.rd(ICC_IAR1_EL1, 1) == kIntidNone);

    f.wr(ICC_EOIR1_EL1, 27, 1);
    CHECK((f.rd(ich_lr_enc(1)) & LR_STATE) == 0);
    CHECK(f.rd(ICH_AP1R0_EL2) == 0);
    CHECK(f.rd(ICC_RPR_EL1, 1) == 0xff);
    CHECK(f.eoicount() == 0);
    CHECK(f.gic.activated.empty());
    CHECK(f.gic.deactivated.empty());
}

TEST_CASE("The virtual IRQ line honours En, VENG1, VPMR and the virtual running priority", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_virtual();
    f.wr(ich_lr_enc(0), GicFixture::lr(LR_PENDING, 40, 0x80));

    SECTION("highest priority list register wins") {
        f.wr(ich_lr_enc(2), GicFixture::lr(LR_PENDING, 41, 0x60));
        f.wr(ich_lr_enc(3), GicFixture::lr(LR_PENDING | LR_ACTIVE, 42, 0x20));   // active+pending: not acknowledgeable
        CHECK(f.rd(ICC_IAR1_EL1, 1) == 41);
        CHECK_FALSE(f.pe->gic_virq_line());    // 0x80 cannot preempt 0x60
        f.wr(ICC_EOIR1_EL1, 41, 1);
        CHECK(f.pe->gic_virq_line());
        CHECK(f.rd(ICC_IAR1_EL1, 1) == 40);
    }
    SECTION("ICH_HCR_EL2.En") {
        f.wr(ICH_HCR_EL2, 0);
        CHECK_FALSE(f.pe->gic_virq_line());
        CHECK(f.rd(ICC_IAR1_EL1, 1) == kIntidNone);
        CHECK(f.rd(ICC_HPPIR1_EL1, 1) == 40);
    }
    SECTION("VENG1 through ICV_IGRPEN1") {
        f.wr(ICC_IGRPEN1_EL1, 0, 1);
        CHECK((f.rd(ICH_VMCR_EL2) & VMCR_VENG1) == 0);
        CHECK_FALSE(f.pe->gic_virq_line());
        CHECK(f.rd(ICC_HPPIR1_EL1, 1) == kIntidNone);
        f.wr(ICC_IGRPEN1_EL1, 1, 1);
        CHECK(f.pe->gic_virq_line());
    }
    SECTION("VPMR through ICV_PMR") {
        f.wr(ICC_PMR_EL1, 0x80, 1);
        CHECK((f.rd(ICH_VMCR_EL2) >> VMCR_VPMR_SHIFT) == 0x80);
        CHECK(f.rd(ICC_PMR_EL1, 2) == 0);      // the physical PMR is another register
        CHECK_FALSE(f.pe->gic_virq_line());
        CHECK(f.rd(ICC_IAR1_EL1, 1) == kIntidNone);
        f.wr(ICC_PMR_EL1, 0x88, 1);
        CHECK(f.pe->gic_virq_line());
    }
    SECTION("a Group 0 list register is a virtual FIQ, acknowledged through ICV_IAR0") {
        f.wr(ich_lr_enc(0), GicFixture::lr(LR_PENDING, 44, 0x80, false));
        CHECK_FALSE(f.pe->gic_vfiq_line());    // VENG0 off
        f.wr(ICC_IGRPEN0_EL1, 1, 1);
        CHECK(f.pe->gic_vfiq_line());
        CHECK_FALSE(f.pe->gic_virq_line());
        CHECK(f.rd(ICC_IAR1_EL1, 1) == kIntidNone);
        CHECK(f.rd(ICC_IAR0_EL1, 1) == 44);
        CHECK(f.rd(ICH_AP0R0_EL2) == (1u << (0x80 >> 3)));
        f.wr(ICC_EOIR0_EL1, 44, 1);
        CHECK((f.rd(ich_lr_enc(0)) & LR_STATE) == 0);
    }
}

TEST_CASE("HCR_EL2.IMO and FMO pick which registers EL1 sees virtually", "[arm64][gic][unit]") {
    GicFixture f;
    f.wr(ICH_VMCR_EL2, 0xa0ull << VMCR_VPMR_SHIFT);
    f.wr(ICC_PMR_EL1, 0x50);
    f.pe->sys.hcr_el2 = kHcrEl2Fmo;
    CHECK(f.rd(ICC_PMR_EL1, 1) == 0xa0);       // common registers: IMO or FMO
    CHECK(f.rd(ICC_IGRPEN1_EL1, 1) == 0);      // Group 1: physical (IMO clear)
    f.wr(ICC_IGRPEN1_EL1, 1, 1);
    CHECK(f.rd(ICC_IGRPEN1_EL1, 2) == 1);
    CHECK((f.rd(ICH_VMCR_EL2) & VMCR_VENG1) == 0);
    f.pe->sys.hcr_el2 = 0;
    CHECK(f.rd(ICC_PMR_EL1, 1) == 0x50);
}

TEST_CASE("A hardware list register deactivates the physical interrupt", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_virtual();
    f.gic.active[48] = true;                   // EL2 acknowledged it and handed it to the guest
    f.wr(ich_lr_enc(0), GicFixture::hw_lr(LR_PENDING, 27, 48, 0xa0));
    REQUIRE(f.rd(ICC_IAR1_EL1, 1) == 27);

    SECTION("EOImode 0: the EOI deactivates both") {
        f.wr(ICC_EOIR1_EL1, 27, 1);
        CHECK(f.gic.deactivated == std::vector<uint32_t>{48});
        CHECK((f.rd(ich_lr_enc(0)) & LR_STATE) == 0);
        CHECK(f.rd(ICH_ELRSR_EL2) == 0xf);
        CHECK(f.rd(ICH_EISR_EL2) == 0);
    }
    SECTION("VEOIM: the EOI only drops priority, ICV_DIR deactivates") {
        f.wr(ICC_CTLR_EL1, CTLR_EOIMODE, 1);
        CHECK((f.rd(ICH_VMCR_EL2) & VMCR_VEOIM) != 0);
        CHECK((f.rd(ICC_CTLR_EL1, 1) & CTLR_EOIMODE) != 0);
        CHECK((f.rd(ICC_CTLR_EL1, 2) & CTLR_EOIMODE) == 0);   // physical EOImode untouched
        f.wr(ICC_EOIR1_EL1, 27, 1);
        CHECK(f.rd(ICC_RPR_EL1, 1) == 0xff);
        CHECK((f.rd(ich_lr_enc(0)) & LR_STATE) == LR_ACTIVE);
        CHECK(f.gic.deactivated.empty());
        f.wr(ICC_DIR_EL1, 27, 1);
        CHECK((f.rd(ich_lr_enc(0)) & LR_STATE) == 0);
        CHECK(f.gic.deactivated == std::vector<uint32_t>{48});
    }
}

TEST_CASE("A deactivation with no list register counts in EOIcount and raises LRENP", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_virtual();
    f.wr(ICH_HCR_EL2, HCR_EN | HCR_LRENPIE);
    f.wr(ich_lr_enc(0), GicFixture::lr(LR_PENDING, 27, 0xa0));
    REQUIRE(f.rd(ICC_IAR1_EL1, 1) == 27);
    f.wr(ich_lr_enc(0), 0);                    // EL2 evicted the active interrupt
    CHECK(f.rd(ICH_MISR_EL2) == 0);
    CHECK_FALSE(f.gic.ppi[kMaintenancePpi]);

    f.wr(ICC_EOIR1_EL1, 27, 1);
    CHECK(f.eoicount() == 1);
    CHECK(f.rd(ICH_AP1R0_EL2) == 0);
    CHECK(f.rd(ICH_MISR_EL2) == MISR_LRENP);
    CHECK(f.gic.ppi[kMaintenancePpi]);

    SECTION("EL2 consumes the count") {
        f.wr(ICH_HCR_EL2, HCR_EN | HCR_LRENPIE);
        CHECK(f.rd(ICH_MISR_EL2) == 0);
        CHECK_FALSE(f.gic.ppi[kMaintenancePpi]);
    }
    SECTION("with VEOIM only ICV_DIR would deactivate, so only it counts") {
        f.wr(ICC_CTLR_EL1, CTLR_EOIMODE, 1);
        f.wr(ICC_AP1R0_EL1, 1u << 20, 1);      // an active priority to drop
        f.wr(ICC_EOIR1_EL1, 30, 1);
        CHECK(f.eoicount() == 1);
        f.wr(ICC_DIR_EL1, 30, 1);
        CHECK(f.eoicount() == 2);
    }
    SECTION("the count wraps in its 5 bits") {
        for (int i = 0; i < 31; ++i) {
            f.wr(ICC_AP1R0_EL1, 1u << 20, 1);
            f.wr(ICC_EOIR1_EL1, 27, 1);
        }
        CHECK(f.eoicount() == 0);
    }
}

TEST_CASE("ICH_MISR_EL2 bits and the maintenance interrupt on PPI 25", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_virtual();

    SECTION("EOI: a software list register asking for it, once invalid") {
        f.wr(ich_lr_enc(2), GicFixture::lr(LR_PENDING, 30, 0xa0) | LR_EOI);
        CHECK(f.rd(ICH_EISR_EL2) == 0);
        CHECK(f.rd(ICH_ELRSR_EL2) == 0xb);
        REQUIRE(f.rd(ICC_IAR1_EL1, 1) == 30);
        CHECK_FALSE(f.gic.ppi[kMaintenancePpi]);
        f.wr(ICC_EOIR1_EL1, 30, 1);
        CHECK(f.rd(ICH_EISR_EL2) == 0x4);
        CHECK(f.rd(ICH_ELRSR_EL2) == 0xb);     // not free until EL2 has seen it
        CHECK(f.rd(ICH_MISR_EL2) == MISR_EOI);
        CHECK(f.gic.ppi[kMaintenancePpi]);
        f.wr(ich_lr_enc(2), 0);
        CHECK(f.rd(ICH_ELRSR_EL2) == 0xf);
        CHECK(f.rd(ICH_MISR_EL2) == 0);
        CHECK_FALSE(f.gic.ppi[kMaintenancePpi]);
    }
    SECTION("U: at most one valid list register") {
        f.wr(ich_lr_enc(0), GicFixture::lr(LR_PENDING, 30, 0xa0));
        f.wr(ich_lr_enc(1), GicFixture::lr(LR_PENDING, 31, 0xa0));
        f.wr(ICH_HCR_EL2, HCR_EN | HCR_UIE);
        CHECK(f.rd(ICH_MISR_EL2) == 0);
        f.wr(ich_lr_enc(1), 0);
        CHECK(f.rd(ICH_MISR_EL2) == MISR_U);
        CHECK(f.gic.ppi[kMaintenancePpi]);
    }
    SECTION("NP: no list register pending") {
        f.wr(ich_lr_enc(0), GicFixture::lr(LR_PENDING, 30, 0xa0));
        f.wr(ICH_HCR_EL2, HCR_EN | HCR_NPIE);
        CHECK(f.rd(ICH_MISR_EL2) == 0);
        REQUIRE(f.rd(ICC_IAR1_EL1, 1) == 30);  // the guest's acknowledge raises it
        CHECK(f.rd(ICH_MISR_EL2) == MISR_NP);
        CHECK(f.gic.ppi[kMaintenancePpi]);
    }
    SECTION("VGrp0/1 enabled/disabled") {
        f.wr(ICH_HCR_EL2, HCR_EN | HCR_VGRP1EIE | HCR_VGRP0DIE);
        CHECK(f.rd(ICH_MISR_EL2) == (MISR_VGRP1E | MISR_VGRP0D));
        f.wr(ICH_HCR_EL2, HCR_EN | HCR_VGRP1DIE | HCR_VGRP0EIE);
        CHECK(f.rd(ICH_MISR_EL2) == 0);
        f.wr(ICC_IGRPEN1_EL1, 0, 1);           // the guest disables Group 1
        CHECK(f.rd(ICH_MISR_EL2) == MISR_VGRP1D);
        CHECK(f.gic.ppi[kMaintenancePpi]);
    }
    SECTION("no maintenance interrupt while En is clear") {
        f.wr(ICH_HCR_EL2, HCR_VGRP1EIE);
        CHECK(f.rd(ICH_MISR_EL2) == MISR_VGRP1E);
        CHECK_FALSE(f.gic.ppi[kMaintenancePpi]);
        f.wr(ICH_HCR_EL2, HCR_VGRP1EIE | HCR_EN);
        CHECK(f.gic.ppi[kMaintenancePpi]);
        unsigned calls = f.gic.ppi_calls;
        f.pe->gic_irq_line();
        f.pe->gic_virq_line();
        CHECK(f.gic.ppi_calls == calls);       // driven on changes only
    }
}

TEST_CASE("ICH_VTR_EL2, ICH_VMCR_EL2 and list register fields", "[arm64][gic][unit]") {
    const unsigned lrs = GENERATE(1u, 4u, 16u);
    GicFixture f(lrs);
    uint64_t vtr = f.rd(ICH_VTR_EL2);
    CHECK((vtr & 0x1f) == lrs - 1);
    CHECK((vtr >> VTR_PRIBITS_SHIFT & 7) == 4);
    CHECK((vtr >> VTR_PREBITS_SHIFT & 7) == 4);
    CHECK((vtr >> VTR_IDBITS_SHIFT & 7) == 0);
    CHECK((vtr & VTR_SEIS) == 0);
    CHECK((vtr & (VTR_A3V | VTR_TDS)) == (VTR_A3V | VTR_TDS));
    CHECK(f.try_rd(ich_lr_enc(lrs - 1), 2) == A::Done);
    if (lrs < 16) CHECK(f.try_rd(ich_lr_enc(lrs), 2) == A::Undefined);

    // VMCR: VFIQEn reads as one, the binary points never below their minimum.
    uint64_t vmcr = f.rd(ICH_VMCR_EL2);
    CHECK((vmcr & VMCR_VFIQEN) != 0);
    CHECK((vmcr >> VMCR_VBPR0_SHIFT & 7) == 2);
    CHECK((vmcr >> VMCR_VBPR1_SHIFT & 7) == 3);
    f.wr(ICH_VMCR_EL2, ~0ull);
    vmcr = f.rd(ICH_VMCR_EL2);
    CHECK(vmcr == (VMCR_VENG0 | VMCR_VENG1 | VMCR_VFIQEN | VMCR_VCBPR | VMCR_VEOIM |
                   (7ull << VMCR_VBPR1_SHIFT) | (7ull << VMCR_VBPR0_SHIFT) | (0xf8ull << VMCR_VPMR_SHIFT)));

    // List registers keep their fields; RES0 and unimplemented priority bits go.
    f.wr(ich_lr_enc(0), ~0ull);
    CHECK(f.rd(ich_lr_enc(0)) == (LR_STATE | LR_HW | LR_GROUP | (0xf8ull << LR_PRIORITY_SHIFT) | LR_PINTID | LR_VINTID));
    f.wr(ICH_HCR_EL2, ~0ull);
    CHECK((f.rd(ICH_HCR_EL2) & HCR_TSEI) == 0);   // no SEIs
    CHECK((f.rd(ICH_HCR_EL2) & HCR_EOICOUNT) == HCR_EOICOUNT);
}

TEST_CASE("ICV_BPR and ICV_CTLR alias ICH_VMCR_EL2", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_virtual();
    f.wr(ICC_BPR1_EL1, 0, 1);
    CHECK(f.rd(ICC_BPR1_EL1, 1) == 3);
    f.wr(ICC_BPR1_EL1, 6, 1);
    CHECK((f.rd(ICH_VMCR_EL2) >> VMCR_VBPR1_SHIFT & 7) == 6);
    f.wr(ICC_BPR0_EL1, 4, 1);
    f.wr(ICC_CTLR_EL1, CTLR_CBPR, 1);
    CHECK((f.rd(ICH_VMCR_EL2) & VMCR_VCBPR) != 0);
    CHECK(f.rd(ICC_BPR1_EL1, 1) == 5);
    f.wr(ICC_BPR1_EL1, 3, 1);                  // ignored under VCBPR
    CHECK((f.rd(ICH_VMCR_EL2) >> VMCR_VBPR1_SHIFT & 7) == 6);
    uint64_t ctlr = f.rd(ICC_CTLR_EL1, 1);
    CHECK(ctlr == (CTLR_A3V | (4u << CTLR_PRIBITS_SHIFT) | CTLR_CBPR));

    // With VBPR0 4 ruling Group 1, 0x88 does not preempt an active 0x90 (both 0x80).
    f.wr(ich_lr_enc(0), GicFixture::lr(LR_PENDING, 40, 0x90));
    REQUIRE(f.rd(ICC_IAR1_EL1, 1) == 40);
    CHECK(f.rd(ICC_RPR_EL1, 1) == 0x80);
    f.wr(ich_lr_enc(1), GicFixture::lr(LR_PENDING, 41, 0x88));
    CHECK_FALSE(f.pe->gic_virq_line());
    f.wr(ich_lr_enc(2), GicFixture::lr(LR_PENDING, 42, 0x68));   // group priority 0x60
    CHECK(f.pe->gic_virq_line());
}

TEST_CASE("EL2's physical interface stays independent of the virtual one", "[arm64][gic][unit]") {
    GicFixture f;
    f.open_physical();
    f.open_virtual();
    f.gic.raise(40, 0x80);
    f.wr(ich_lr_enc(0), GicFixture::lr(LR_PENDING, 27, 0xa0));
    CHECK(f.pe->gic_irq_line());
    CHECK(f.pe->gic_virq_line());
    CHECK(f.rd(ICC_IAR1_EL1, 2) == 40);        // EL2: physical
    CHECK(f.rd(ICC_IAR1_EL1, 1) == 27);        // EL1 with IMO: virtual
    CHECK(f.rd(ICC_RPR_EL1, 2) == 0x80);
    CHECK(f.rd(ICC_RPR_EL1, 1) == 0xa0);
    f.wr(ICC_EOIR1_EL1, 40, 2);
    CHECK(f.gic.deactivated == std::vector<uint32_t>{40});
    CHECK((f.rd(ich_lr_enc(0)) & LR_STATE) == LR_ACTIVE);
}

// ---- through the instructions ---------------------------------------------------

constexpr uint32_t mrs(uint32_t enc, unsigned rt) { return 0xd5200000u | (enc << 5) | rt; }
constexpr uint32_t msr(uint32_t enc, unsigned rt) { return 0xd5000000u | (enc << 5) | rt; }

TEST_CASE("EL1 MRS/MSR of ICC_IAR1/EOIR1 run on the list registers, and trap with EC 0x18 under TALL1",
          "[arm64][gic][unit]") {
    GicFixture f(4, true);
    f.open_virtual();
    f.pe->sys.hcr_el2 |= hcr::RW;
    REQUIRE(f.pe->sysreg_write(ich_lr_enc(0), GicFixture::lr(LR_PENDING, 27, 0xa0), 2));
    REQUIRE(f.mem.write(0x1000, 4, mrs(ICC_IAR1_EL1, 3)));
    REQUIRE(f.mem.write(0x1004, 4, msr(ICC_EOIR1_EL1, 3)));
    f.pe->set_el(1, true);                     // PSTATE.I stays set: the vIRQ is not taken
    f.pe->pc = 0x1000;

    SECTION("no trap") {
        CHECK(f.pe->run(2) == StopReason::Budget);
        CHECK(f.pe->pc == 0x1008);
        CHECK(f.pe->el() == 1);
        CHECK(f.pe->x[3] == 27);
        uint64_t lr = 0;
        REQUIRE(f.pe->sysreg_read(ich_lr_enc(0), lr, 2));
        CHECK((lr & LR_STATE) == 0);
    }
    SECTION("TALL1") {
        REQUIRE(f.pe->sysreg_write(ICH_HCR_EL2, HCR_EN | HCR_TALL1, 2));
        CHECK(f.pe->run(2) == StopReason::Trap);
        CHECK(f.pe->el() == 2);
        CHECK(f.pe->sys.elr_el2 == 0x1000);
        const uint64_t esr = f.pe->sys.esr_el2;
        CHECK((esr >> 26) == 0x18);
        CHECK((esr & 1) == 1);                 // a read
        CHECK(((esr >> 5) & 0x1f) == 3);       // Rt
        CHECK(((esr >> 10) & 0xf) == 12);      // CRn
        CHECK(((esr >> 1) & 0xf) == 12);       // CRm
        CHECK((f.pe->sys.ich_lr[0] & LR_STATE) == LR_PENDING);   // nothing acknowledged
    }
}

} // namespace
} // namespace hvemu::arm
