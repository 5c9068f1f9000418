// The GICv3 distributor and redistributors: reset and identification
// values, the enable/pending/active/priority/config registers, priority
// order, routing (IROUTER, SGI target lists, IRM), PPIs, level and edge
// inputs, the CPU-interface port with its notifier, the virtual-mode
// hand-over, the access rules, and a fuzz loop over both frames.
#include <catch2/catch.hpp>

#include <random>
#include <utility>
#include <vector>

#include "devices/gicv3.hpp"
#include "devices/gicv3_regs.hpp"

using hvemu::dev::Gicv3;
using namespace hvemu::dev::gicv3;
namespace arm = hvemu::arm;

namespace {

constexpr unsigned kCpus = 4;

struct Fixture {
    Gicv3 gic{Gicv3::Config{Gicv3::kVirtSpis, Gicv3::virt_mpidrs(kCpus)}};
    std::vector<unsigned> notified = std::vector<unsigned>(kCpus, 0);

    Fixture() {
        gic.set_notifier([this](unsigned cpu) { notified.at(cpu)++; });
    }
    uint64_t drd(uint64_t off, unsigned w = 4) {
        uint64_t v = 0xdeadbeef;
        REQUIRE(gic.distributor().mmio_read(off, w, v));
        return v;
    }
    void dwr(uint64_t off, uint64_t v, unsigned w = 4) { REQUIRE(gic.distributor().mmio_write(off, w, v)); }
    uint64_t rrd(unsigned cpu, uint64_t off, unsigned w = 4) {
        uint64_t v = 0xdeadbeef;
        REQUIRE(gic.redistributors().mmio_read(cpu * GICR_STRIDE + off, w, v));
        return v;
    }
    void rwr(unsigned cpu, uint64_t off, uint64_t v, unsigned w = 4) {
        REQUIRE(gic.redistributors().mmio_write(cpu * GICR_STRIDE + off, w, v));
    }
    uint64_t srd(unsigned cpu, uint64_t off, unsigned w = 4) { return rrd(cpu, GICR_SGI_BASE + off, w); }
    void swr(unsigned cpu, uint64_t off, uint64_t v, unsigned w = 4) { rwr(cpu, GICR_SGI_BASE + off, v, w); }

    // What a Group 1 driver does: enable the group, put every interrupt in
    // Group 1 and wake the redistributors.
    void init_group1() {
        dwr(GICD_CTLR, GICD_CTLR_EnableGrp1);
        for (unsigned n = 1; n < gic.num_intids() / 32; n++) dwr(GICD_IGROUPR + 4 * n, 0xFFFFFFFF);
        for (unsigned c = 0; c < kCpus; c++) {
            swr(c, GICR_IGROUPR0, 0xFFFFFFFF);
            rwr(c, GICR_WAKER, 0);
        }
    }
    void enable_spi(uint32_t intid, uint8_t prio = 0xA0, unsigned cpu = 0) {
        dwr(GICD_IPRIORITYR + intid, prio, 1);
        dwr(GICD_IROUTER + 8 * intid, Gicv3::virt_mpidrs(kCpus)[cpu], 8);
        dwr(GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
    }
    void enable_private(unsigned cpu, uint32_t intid, uint8_t prio = 0xA0) {
        swr(cpu, GICR_IPRIORITYR + intid, prio, 1);
        swr(cpu, GICR_ISENABLER0, 1u << intid);
    }
    void set_edge_spi(uint32_t intid) {
        const uint64_t reg = GICD_ICFGR + 4 * (intid / 16);
        dwr(reg, drd(reg) | (2u << (2 * (intid % 16))));
    }
    uint32_t hppi(unsigned cpu) { return gic.cpu_port(cpu).highest_pending().intid; }
};

uint64_t sgi1r(uint32_t intid, uint16_t targets, uint8_t aff1 = 0, bool irm = false, uint8_t rs = 0) {
    return uint64_t{targets} | uint64_t{aff1} << SGI1R_Aff1_SHIFT | uint64_t{intid} << SGI1R_INTID_SHIFT |
           uint64_t{irm} << SGI1R_IRM_SHIFT | uint64_t{rs} << SGI1R_RS_SHIFT;
}

} // namespace

TEST_CASE("GICv3 distributor reset and identification values", "[gicv3][unit]") {
    Fixture f;
    CHECK(f.drd(GICD_CTLR) == (GICD_CTLR_ARE | GICD_CTLR_DS));   // 0x50: one security state, ARE on
    const uint32_t typer = static_cast<uint32_t>(f.drd(GICD_TYPER));
    CHECK((typer & 0x1F) == (32 + 256) / 32 - 1);                  // ITLinesNumber: INTIDs up to 287
    CHECK(((typer >> GICD_TYPER_IDbits_SHIFT) & 0x1F) == 15);      // 16-bit INTIDs
    CHECK((typer & GICD_TYPER_LPIS) == 0);
    CHECK((typer & (1u << 10)) == 0);                              // SecurityExtn
    CHECK(f.drd(GICD_IIDR) == 0x43B);
    CHECK(((f.drd(GICD_PIDR2) >> 4) & 0xF) == 3);                  // ArchRev: GICv3
    CHECK(f.drd(0xFFE0) == 0x92);
    CHECK(f.drd(0xFFF0) == 0x0D);
    CHECK(f.drd(0xFFFC) == 0xB1);
    for (unsigned n = 0; n < 9; n++) {
        CHECK(f.drd(GICD_IGROUPR + 4 * n) == 0);
        CHECK(f.drd(GICD_ISENABLER + 4 * n) == 0);
        CHECK(f.drd(GICD_ISPENDR + 4 * n) == 0);
        CHECK(f.drd(GICD_ISACTIVER + 4 * n) == 0);
    }
    CHECK(f.drd(GICD_ICFGR + 8) == 0);   // SPIs reset level-sensitive
    CHECK(f.drd(GICD_IROUTER + 8 * 40, 8) == 0);
    CHECK(f.gic.highest_pending(0).intid == arm::kIntidNone);
}

TEST_CASE("GICv3 redistributor reset, TYPER and WAKER handshake", "[gicv3][unit]") {
    Fixture f;
    Gicv3 big{Gicv3::Config{64, Gicv3::virt_mpidrs(20)}};
    uint64_t v = 0;
    REQUIRE(big.redistributors().mmio_read(17 * GICR_STRIDE + GICR_TYPER, 8, v));
    CHECK(v >> 32 == 0x0101);            // PE 17 of QEMU virt: Aff1 = 1, Aff0 = 1
    CHECK(((v >> 8) & 0xFFFF) == 17);
    CHECK((v & GICR_TYPER_Last) == 0);
    CHECK(big.redistributors().size() == 20 * Gicv3::kRedistStride);

    for (unsigned c = 0; c < kCpus; c++) {
        const uint64_t typer = f.rrd(c, GICR_TYPER, 8);
        CHECK(typer >> 32 == c);
        CHECK(((typer >> GICR_TYPER_Processor_Number_SHIFT) & 0xFFFF) == c);
        CHECK(((typer & GICR_TYPER_Last) != 0) == (c == kCpus - 1));
        CHECK((typer & 1) == 0);                                     // PLPIS: no LPIs
        CHECK(f.rrd(c, GICR_TYPER) == (typer & 0xFFFFFFFF));         // 32-bit halves
        CHECK(f.rrd(c, GICR_TYPER + 4) == typer >> 32);
        CHECK(f.rrd(c, GICR_IIDR) == 0x43B);
        CHECK(((f.rrd(c, GICR_PIDR2) >> 4) & 0xF) == 3);
        CHECK(f.rrd(c, 0xFFE0) == 0x93);
        CHECK(f.rrd(c, GICR_CTLR) == 0);
        CHECK(f.rrd(c, GICR_WAKER) == (GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep));
        CHECK(f.srd(c, GICR_IGROUPR0) == 0);
        CHECK(f.srd(c, GICR_ICFGR0) == 0xAAAAAAAA);   // SGIs: edge
        CHECK(f.srd(c, GICR_ICFGR1) == 0);            // PPIs: level
    }
    f.rwr(2, GICR_WAKER, 0);
    CHECK(f.rrd(2, GICR_WAKER) == 0);
    CHECK(f.rrd(1, GICR_WAKER) == 6);
    f.rwr(2, GICR_WAKER, GICR_WAKER_ProcessorSleep);
    CHECK(f.rrd(2, GICR_WAKER) == 6);
    f.rwr(2, GICR_TYPER, 0);   // read-only
    CHECK(f.rrd(2, GICR_TYPER + 4) == 2);
}

TEST_CASE("GICv3 GICD_CTLR: only the group enables are writable", "[gicv3][unit]") {
    Fixture f;
    f.dwr(GICD_CTLR, 0xFFFFFFFF);
    CHECK(f.drd(GICD_CTLR) == (GICD_CTLR_EnableGrp0 | GICD_CTLR_EnableGrp1 | GICD_CTLR_ARE | GICD_CTLR_DS));
    f.dwr(GICD_CTLR, 0);
    CHECK(f.drd(GICD_CTLR) == (GICD_CTLR_ARE | GICD_CTLR_DS));
}

TEST_CASE("GICv3 enable, pending and active through the set/clear registers", "[gicv3][unit]") {
    Fixture f;
    f.dwr(GICD_ISENABLER + 4, (1u << 1) | (1u << 9));     // INTIDs 33, 41
    CHECK(f.drd(GICD_ISENABLER + 4) == ((1u << 1) | (1u << 9)));
    CHECK(f.drd(GICD_ICENABLER + 4) == ((1u << 1) | (1u << 9)));
    f.dwr(GICD_ISENABLER + 4, 0);                          // zeros are ignored
    f.dwr(GICD_ICENABLER + 4, 1u << 1);
    CHECK(f.drd(GICD_ISENABLER + 4) == (1u << 9));
    CHECK(f.gic.is_enabled(0, 41));

    f.dwr(GICD_ISPENDR + 4, 1u << 3);
    CHECK(f.gic.is_pending(0, 35));
    CHECK(f.drd(GICD_ICPENDR + 4) == (1u << 3));
    f.dwr(GICD_ICPENDR + 4, 1u << 3);
    CHECK_FALSE(f.gic.is_pending(0, 35));

    f.dwr(GICD_ISACTIVER + 8, 1u << 31);                   // INTID 95
    CHECK(f.gic.is_active(0, 95));
    CHECK(f.drd(GICD_ICACTIVER + 8) == (1u << 31));
    f.dwr(GICD_ICACTIVER + 8, 1u << 31);
    CHECK_FALSE(f.gic.is_active(0, 95));

    f.dwr(GICD_IGROUPR + 4, 0x12345678);
    CHECK(f.drd(GICD_IGROUPR + 4) == 0x12345678);

    // The same for PE 1's SGIs and PPIs in its SGI_base frame.
    f.swr(1, GICR_ISENABLER0, 0x80000001);
    CHECK(f.srd(1, GICR_ICENABLER0) == 0x80000001);
    CHECK(f.srd(0, GICR_ISENABLER0) == 0);
    f.swr(1, GICR_ICENABLER0, 1);
    CHECK(f.srd(1, GICR_ISENABLER0) == 0x80000000);
    f.swr(1, GICR_ISPENDR0, 1u << 5);
    CHECK(f.gic.is_pending(1, 5));
    CHECK_FALSE(f.gic.is_pending(0, 5));
    f.swr(1, GICR_ICPENDR0, 1u << 5);
    CHECK(f.srd(1, GICR_ISPENDR0) == 0);
    f.swr(1, GICR_ISACTIVER0, 1u << 20);
    CHECK(f.srd(1, GICR_ICACTIVER0) == (1u << 20));
    f.swr(1, GICR_ICACTIVER0, 1u << 20);
    CHECK(f.srd(1, GICR_ISACTIVER0) == 0);
    f.swr(3, GICR_IGROUPR0, 0xFFFF0001);
    CHECK(f.srd(3, GICR_IGROUPR0) == 0xFFFF0001);
}

TEST_CASE("GICv3 with ARE: distributor registers of INTIDs 0-31 are RAZ/WI", "[gicv3][unit]") {
    Fixture f;
    f.dwr(GICD_ISENABLER, 0xFFFFFFFF);
    f.dwr(GICD_IGROUPR, 0xFFFFFFFF);
    f.dwr(GICD_ISPENDR, 0xFFFFFFFF);
    f.dwr(GICD_IPRIORITYR, 0xFFFFFFFF);
    f.dwr(GICD_ICFGR + 4, 0xFFFFFFFF);
    CHECK(f.drd(GICD_ISENABLER) == 0);
    CHECK(f.drd(GICD_IGROUPR) == 0);
    CHECK(f.drd(GICD_IPRIORITYR) == 0);
    CHECK(f.srd(0, GICR_ISENABLER0) == 0);
    CHECK(f.srd(0, GICR_ISPENDR0) == 0);
    CHECK(f.srd(0, GICR_IPRIORITYR) == 0);
    CHECK(f.srd(0, GICR_ICFGR1) == 0);
    // INTIDs past the implemented SPIs are RAZ/WI too.
    f.dwr(GICD_ISENABLER + 4 * 20, 0xFFFFFFFF);
    CHECK(f.drd(GICD_ISENABLER + 4 * 20) == 0);
    f.dwr(GICD_IROUTER + 8 * 500, 3, 8);
    CHECK(f.drd(GICD_IROUTER + 8 * 500, 8) == 0);
}

TEST_CASE("GICv3 priority and configuration registers", "[gicv3][unit]") {
    Fixture f;
    f.dwr(GICD_IPRIORITYR + 32, 0x44332211);
    CHECK(f.drd(GICD_IPRIORITYR + 34, 1) == 0x33);
    f.dwr(GICD_IPRIORITYR + 35, 0xF0, 1);
    CHECK(f.drd(GICD_IPRIORITYR + 32) == 0xF0332211);
    f.swr(2, GICR_IPRIORITYR + 28, 0x80706050);
    CHECK(f.srd(2, GICR_IPRIORITYR + 29, 1) == 0x60);
    CHECK(f.srd(1, GICR_IPRIORITYR + 28) == 0);

    f.dwr(GICD_ICFGR + 8, 0xFFFFFFFF);          // INTIDs 32-47 edge; even bits RES0
    CHECK(f.drd(GICD_ICFGR + 8) == 0xAAAAAAAA);
    f.swr(0, GICR_ICFGR0, 0);                   // SGIs stay edge
    CHECK(f.srd(0, GICR_ICFGR0) == 0xAAAAAAAA);
    f.swr(0, GICR_ICFGR1, 0x00000008);          // PPI 17 edge
    CHECK(f.srd(0, GICR_ICFGR1) == 0x8);
    CHECK(f.srd(1, GICR_ICFGR1) == 0);

    f.dwr(GICD_IROUTER + 8 * 40, 0xFFFF'FFFF'FFFF'FFFFull, 8);
    CHECK(f.drd(GICD_IROUTER + 8 * 40, 8) == GICD_IROUTER_MASK);
    f.dwr(GICD_IROUTER + 8 * 40 + 4, 0x5, 4);   // upper half: Aff3
    CHECK(f.drd(GICD_IROUTER + 8 * 40, 8) == 0x5'80FF'FFFFull);
    f.dwr(GICD_IROUTER + 8 * 40, 0x0102, 4);    // lower half
    CHECK(f.drd(GICD_IROUTER + 8 * 40, 8) == 0x5'0000'0102ull);
    CHECK(f.drd(GICD_IROUTER + 8 * 40 + 4, 4) == 0x5);
}

TEST_CASE("GICv3 highest pending: priority order, ties to the lowest INTID", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    f.enable_spi(40, 0x80);
    f.enable_spi(41, 0x40);
    f.enable_spi(42, 0x40);
    f.gic.set_spi(40, true);
    CHECK(f.hppi(0) == 40);
    f.gic.set_spi(42, true);
    CHECK(f.hppi(0) == 42);
    f.gic.set_spi(41, true);
    CHECK(f.hppi(0) == 41);
    CHECK(f.gic.cpu_port(0).highest_pending().priority == 0x40);
    f.enable_private(0, 20, 0x40);   // a PPI of equal priority has a lower INTID
    f.gic.set_ppi(0, 20, true);
    CHECK(f.hppi(0) == 20);
    f.gic.set_ppi(0, 20, false);
    // Acknowledging makes it active; the next one takes over.
    f.gic.cpu_port(0).activate(41);
    CHECK(f.hppi(0) == 42);
    f.gic.cpu_port(0).activate(42);
    CHECK(f.hppi(0) == 40);
    // Disabled, Group 0, or a disabled group: not a candidate.
    f.dwr(GICD_ICENABLER + 4, 1u << 8);
    CHECK(f.hppi(0) == arm::kIntidNone);
    f.dwr(GICD_ISENABLER + 4, 1u << 8);
    f.dwr(GICD_IGROUPR + 4, ~(1u << 8));
    CHECK(f.hppi(0) == arm::kIntidNone);
    f.dwr(GICD_IGROUPR + 4, 0xFFFFFFFF);
    CHECK(f.hppi(0) == 40);
    f.dwr(GICD_CTLR, GICD_CTLR_EnableGrp0);
    CHECK(f.hppi(0) == arm::kIntidNone);
    f.dwr(GICD_CTLR, GICD_CTLR_EnableGrp1);
    // Lowest priority value 0xFF is still reported.
    f.dwr(GICD_IPRIORITYR + 40, 0xFF, 1);
    CHECK(f.hppi(0) == 40);
    CHECK(f.gic.cpu_port(0).highest_pending().priority == 0xFF);
}

TEST_CASE("GICv3 SPI routing follows IROUTER affinity and 1-of-N", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    f.enable_spi(50, 0x10, 2);
    f.gic.set_spi(50, true);
    CHECK(f.hppi(0) == arm::kIntidNone);
    CHECK(f.hppi(2) == 50);
    f.dwr(GICD_IROUTER + 8 * 50, 3, 8);
    CHECK(f.hppi(2) == arm::kIntidNone);
    CHECK(f.hppi(3) == 50);
    f.dwr(GICD_IROUTER + 8 * 50, 0x100, 8);   // Aff1 = 1: no such PE, nobody
    for (unsigned c = 0; c < kCpus; c++) CHECK(f.hppi(c) == arm::kIntidNone);
    CHECK(f.gic.is_pending(0, 50));

    // IRM: any PE whose redistributor is awake; the first to acknowledge takes it.
    f.dwr(GICD_IROUTER + 8 * 50, GICD_IROUTER_IRM, 8);
    for (unsigned c = 0; c < kCpus; c++) CHECK(f.hppi(c) == 50);
    f.rwr(1, GICR_WAKER, GICR_WAKER_ProcessorSleep);
    CHECK(f.hppi(1) == arm::kIntidNone);
    CHECK(f.hppi(3) == 50);
    f.gic.cpu_port(3).activate(50);
    for (unsigned c = 0; c < kCpus; c++) CHECK(f.hppi(c) == arm::kIntidNone);
}

TEST_CASE("GICv3 SGIs: target lists, affinity, RS, IRM and groups", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    for (unsigned c = 0; c < kCpus; c++) f.enable_private(c, 3);
    f.gic.send_sgi(0, sgi1r(3, 0b1010));
    CHECK_FALSE(f.gic.is_pending(0, 3));
    CHECK(f.gic.is_pending(1, 3));
    CHECK_FALSE(f.gic.is_pending(2, 3));
    CHECK(f.gic.is_pending(3, 3));
    CHECK(f.hppi(1) == 3);
    f.swr(1, GICR_ICPENDR0, 1u << 3);
    f.swr(3, GICR_ICPENDR0, 1u << 3);

    f.gic.send_sgi(0, sgi1r(3, 0xFFFF, 1));        // Aff1 = 1: none of our PEs
    f.gic.send_sgi(0, sgi1r(3, 0xFFFF, 0, false, 1));   // RS = 1: Aff0 16-31
    for (unsigned c = 0; c < kCpus; c++) CHECK_FALSE(f.gic.is_pending(c, 3));

    f.gic.send_sgi(2, sgi1r(7, 0, 0, true));       // IRM: everyone but the sender
    CHECK(f.gic.is_pending(0, 7));
    CHECK(f.gic.is_pending(1, 7));
    CHECK_FALSE(f.gic.is_pending(2, 7));
    CHECK(f.gic.is_pending(3, 7));

    f.swr(1, GICR_IGROUPR0, ~(1u << 9));           // PE 1 keeps SGI 9 in Group 0
    f.gic.send_sgi(0, sgi1r(9, 0b0110));
    CHECK_FALSE(f.gic.is_pending(1, 9));
    CHECK(f.gic.is_pending(2, 9));

    // Through the port, as ICC_SGI1R_EL1 writes arrive; SGIs are edge: ack clears pending.
    f.gic.cpu_port(3).send_sgi(sgi1r(3, 0b0001));
    CHECK(f.hppi(0) == 3);
    f.gic.cpu_port(0).activate(3);
    CHECK_FALSE(f.gic.is_pending(0, 3));
    CHECK(f.gic.is_active(0, 3));
    f.gic.cpu_port(0).deactivate(3);
    CHECK_FALSE(f.gic.is_active(0, 3));

    // Larger systems: Aff1 and RS select PEs beyond the first cluster.
    Gicv3 big{Gicv3::Config{32, Gicv3::virt_mpidrs(20)}};
    REQUIRE(big.redistributors().mmio_write(17 * GICR_STRIDE + GICR_SGI_BASE + GICR_IGROUPR0, 4, 0xFFFF));
    big.send_sgi(0, sgi1r(1, 0b10, 1));
    CHECK(big.is_pending(17, 1));
    CHECK_FALSE(big.is_pending(1, 1));
}

TEST_CASE("GICv3 PPIs are per PE; level vs edge PPIs", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    for (unsigned c = 0; c < kCpus; c++) f.enable_private(c, 27);
    f.gic.cpu_port(1).set_ppi_level(27, true);
    CHECK(f.hppi(1) == 27);
    CHECK(f.hppi(0) == arm::kIntidNone);
    // Level: acknowledged while high -> active and still pending.
    f.gic.cpu_port(1).activate(27);
    CHECK(f.gic.is_active(1, 27));
    CHECK(f.gic.is_pending(1, 27));
    CHECK(f.hppi(1) == arm::kIntidNone);
    f.gic.cpu_port(1).set_ppi_level(27, false);
    CHECK_FALSE(f.gic.is_pending(1, 27));
    f.gic.cpu_port(1).deactivate(27);
    CHECK(f.hppi(1) == arm::kIntidNone);
    // Still high at deactivation: pending again.
    f.gic.set_ppi(1, 27, true);
    f.gic.cpu_port(1).activate(27);
    f.gic.cpu_port(1).deactivate(27);
    CHECK(f.hppi(1) == 27);
    f.gic.set_ppi(1, 27, false);

    // Edge PPI: the rising edge latches.
    f.swr(2, GICR_ICFGR1, 2u << (2 * (26 - 16)));
    f.enable_private(2, 26);
    f.gic.set_ppi(2, 26, true);
    f.gic.set_ppi(2, 26, false);
    CHECK(f.hppi(2) == 26);
    // SGI INTIDs and out-of-range PEs are not PPI inputs.
    f.gic.set_ppi(0, 5, true);
    f.gic.set_ppi(9, 27, true);
    CHECK_FALSE(f.gic.is_pending(0, 5));
}

TEST_CASE("GICv3 SPIs: level follows the line, edge latches, ISPENDR latches", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    f.enable_spi(33);
    f.enable_spi(34);
    f.set_edge_spi(34);
    f.gic.set_spi(33, true);
    f.gic.set_spi(34, true);
    f.gic.set_spi(33, false);
    f.gic.set_spi(34, false);
    CHECK_FALSE(f.gic.is_pending(0, 33));
    CHECK(f.gic.is_pending(0, 34));
    CHECK(f.hppi(0) == 34);
    f.gic.cpu_port(0).activate(34);
    CHECK_FALSE(f.gic.is_pending(0, 34));
    // A new edge while active: active and pending, delivered after deactivation.
    f.gic.set_spi(34, true);
    CHECK(f.gic.is_pending(0, 34));
    CHECK(f.hppi(0) == arm::kIntidNone);
    f.gic.cpu_port(0).deactivate(34);
    CHECK(f.hppi(0) == 34);
    f.dwr(GICD_ICPENDR + 4, 1u << 2);
    CHECK(f.hppi(0) == arm::kIntidNone);

    // Software pending on a level interrupt holds until acknowledged or cleared.
    f.dwr(GICD_ISPENDR + 4, 1u << 1);
    CHECK(f.hppi(0) == 33);
    f.gic.cpu_port(0).activate(33);
    CHECK_FALSE(f.gic.is_pending(0, 33));
    f.gic.cpu_port(0).deactivate(33);
    // ICPENDR does not hide a level line that is high.
    f.gic.set_spi(33, true);
    f.dwr(GICD_ICPENDR + 4, 1u << 1);
    CHECK(f.gic.is_pending(0, 33));
    CHECK((f.drd(GICD_ISPENDR + 4) & 2) != 0);
    // Out-of-range inputs are ignored.
    f.gic.set_spi(5, true);
    f.gic.set_spi(5000, true);
    CHECK_FALSE(f.gic.is_pending(0, 5));
}

TEST_CASE("GICv3 notifier tells a PE when its highest pending interrupt changes", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    f.enable_spi(60, 0x80, 1);
    f.enable_spi(61, 0x20, 1);
    f.notified.assign(kCpus, 0);
    f.gic.set_spi(60, true);
    CHECK(f.notified == std::vector<unsigned>{0, 1, 0, 0});
    f.gic.set_spi(61, true);
    CHECK(f.notified[1] == 2);
    f.dwr(GICD_IPRIORITYR + 62, 0x10, 1);   // not pending: nobody hears about it
    f.gic.set_spi(60, false);               // not the highest: no change
    CHECK(f.notified[1] == 2);
    f.gic.cpu_port(1).activate(61);
    CHECK(f.notified[1] == 3);
    CHECK(f.hppi(1) == arm::kIntidNone);
    f.gic.set_spi(61, false);
    CHECK(f.notified[1] == 3);
    f.gic.cpu_port(1).deactivate(61);
    CHECK(f.notified == std::vector<unsigned>{0, 3, 0, 0});
    // Group enable off and on again: both changes reported.
    f.gic.set_spi(60, true);
    f.dwr(GICD_CTLR, 0);
    f.dwr(GICD_CTLR, GICD_CTLR_EnableGrp1);
    CHECK(f.notified[1] == 6);
}

TEST_CASE("GICv3 notifier may call back into the port", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    f.enable_spi(70, 0x10, 0);
    f.set_edge_spi(70);
    std::vector<uint32_t> taken;
    // A PE that acknowledges from inside the notification.
    f.gic.set_notifier([&](unsigned cpu) {
        const auto p = f.gic.cpu_port(cpu).highest_pending();
        if (p.intid != arm::kIntidNone) {
            taken.push_back(p.intid);
            f.gic.cpu_port(cpu).activate(p.intid);
        }
    });
    f.gic.set_spi(70, true);
    CHECK(taken == std::vector<uint32_t>{70});
    CHECK(f.gic.is_active(0, 70));
}

TEST_CASE("GICv3 virtual mode hands interrupts over to a sink", "[gicv3][unit]") {
    Fixture f;
    std::vector<std::pair<unsigned, uint32_t>> got;
    f.init_group1();
    f.enable_spi(40, 0x80, 2);
    f.enable_spi(41, 0x80, 0);
    f.set_edge_spi(41);
    f.gic.set_spi(40, true);   // pending before the sink exists
    f.gic.set_virtual_sink([&](unsigned v, uint32_t intid) { got.emplace_back(v, intid); });
    using Got = std::vector<std::pair<unsigned, uint32_t>>;
    CHECK(got == Got{{2, 40}});
    CHECK(f.gic.highest_pending(2).intid == arm::kIntidNone);
    CHECK_FALSE(f.gic.is_active(2, 40));

    SECTION("a level line is held until EOI and re-delivered if still high") {
        f.gic.eoi(2, 40);
        CHECK(got == Got{{2, 40}, {2, 40}});
        f.gic.set_spi(40, false);
        f.gic.eoi(2, 40);
        CHECK(got.size() == 2);
        f.gic.set_spi(40, true);
        CHECK(got.size() == 3);
    }
    SECTION("without EOI a level line re-delivers on deassert and reassert") {
        f.gic.set_spi(40, false);
        CHECK(got.size() == 1);
        f.gic.set_spi(40, true);
        CHECK(got == Got{{2, 40}, {2, 40}});
    }
    SECTION("edges are delivered once each, pending cleared") {
        f.gic.set_spi(41, true);
        f.gic.set_spi(41, false);
        CHECK_FALSE(f.gic.is_pending(0, 41));
        f.gic.set_spi(41, true);
        CHECK(got == Got{{2, 40}, {0, 41}, {0, 41}});
    }
    SECTION("disabled, Group 0 or masked by GICD_CTLR: held until allowed") {
        f.dwr(GICD_CTLR, 0);
        f.gic.set_spi(41, true);
        f.enable_spi(44, 0x80, 3);
        f.dwr(GICD_ICENABLER + 4, 1u << 12);   // INTID 44
        f.dwr(GICD_ISPENDR + 4, 1u << 12);
        f.enable_spi(45, 0x80, 3);
        f.dwr(GICD_IGROUPR + 4, ~(1u << 13));  // INTID 45 in Group 0
        f.dwr(GICD_ISPENDR + 4, 1u << 13);
        CHECK(got.size() == 1);
        f.dwr(GICD_CTLR, GICD_CTLR_EnableGrp1);
        CHECK(got == Got{{2, 40}, {0, 41}});
        f.dwr(GICD_ISENABLER + 4, 1u << 12);
        CHECK(got == Got{{2, 40}, {0, 41}, {3, 44}});
        CHECK(f.gic.is_pending(3, 45));
    }
    SECTION("SGIs and PPIs go to their vCPU, in priority order") {
        for (unsigned c = 0; c < kCpus; c++) {
            f.enable_private(c, 1, 0x90);
            f.enable_private(c, 2, 0x10);
        }
        f.gic.send_sgi(0, sgi1r(1, 0b0100));
        CHECK(got == Got{{2, 40}, {2, 1}});
        f.gic.send_sgi(0, sgi1r(1, 0, 0, true));
        CHECK(got == Got{{2, 40}, {2, 1}, {1, 1}, {2, 1}, {3, 1}});
        got.clear();
        f.dwr(GICD_CTLR, 0);
        f.gic.send_sgi(0, sgi1r(1, 0b0010));
        f.gic.send_sgi(0, sgi1r(2, 0b0010));
        CHECK(got.empty());
        f.dwr(GICD_CTLR, GICD_CTLR_EnableGrp1);
        CHECK(got == Got{{1, 2}, {1, 1}});
        f.enable_private(3, 27);
        f.gic.set_ppi(3, 27, true);
        CHECK(got.back() == std::make_pair(3u, 27u));
        f.gic.eoi(3, 27);
        CHECK(got.size() == 4);   // still high: handed over again
    }
}

TEST_CASE("GICv3 virtual mode survives a VMM that ends interrupts at once", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    f.enable_spi(40, 0x80, 0);
    unsigned deliveries = 0;
    f.gic.set_virtual_sink([&](unsigned v, uint32_t intid) {
        deliveries++;
        f.gic.eoi(v, intid);   // a level line stuck high: an interrupt storm, bounded per change
    });
    f.gic.set_spi(40, true);
    CHECK(deliveries > 1);
    CHECK(deliveries < 100000);
}

TEST_CASE("GICv3 access widths: bytes for priorities, doublewords for IROUTER and GICR_TYPER", "[gicv3][unit]") {
    Fixture f;
    Gicv3& g = f.gic;
    uint64_t v = 1;
    // Misaligned accesses and odd widths are bus errors.
    CHECK_FALSE(g.distributor().mmio_read(GICD_CTLR + 2, 4, v));
    CHECK_FALSE(g.distributor().mmio_write(GICD_IROUTER + 8 * 40 + 4, 8, 0));
    CHECK_FALSE(g.distributor().mmio_read(GICD_CTLR, 3, v));
    CHECK_FALSE(g.redistributors().mmio_read(GICR_WAKER + 1, 2, v));
    CHECK_FALSE(g.redistributors().mmio_write(GICR_SGI_BASE + GICR_ISENABLER0, 16, 1));
    // Widths a register does not take read as zero and ignore writes.
    f.dwr(GICD_CTLR, GICD_CTLR_EnableGrp1, 1);
    f.dwr(GICD_CTLR, GICD_CTLR_EnableGrp1, 8);
    CHECK(f.drd(GICD_CTLR) == 0x50);
    CHECK(f.drd(GICD_CTLR, 1) == 0);
    CHECK(f.drd(GICD_CTLR, 2) == 0);
    CHECK(f.drd(GICD_TYPER - 4, 8) == 0);
    f.dwr(GICD_IPRIORITYR + 32, 0xFFFF, 2);
    CHECK(f.drd(GICD_IPRIORITYR + 32) == 0);
    CHECK(f.drd(GICD_IPRIORITYR + 32, 8) == 0);
    f.dwr(GICD_IROUTER + 8 * 40, 1, 2);
    CHECK(f.drd(GICD_IROUTER + 8 * 40, 8) == 0);
    f.swr(0, GICR_ISENABLER0, 0xFF, 1);
    CHECK(f.srd(0, GICR_ISENABLER0) == 0);
    f.swr(0, GICR_IPRIORITYR + 4, 0x77, 1);
    CHECK(f.srd(0, GICR_IPRIORITYR + 4) == 0x77);
    CHECK(f.srd(0, GICR_IPRIORITYR + 4, 2) == 0);
    CHECK(f.rrd(0, GICR_STATUSR, 8) == 0);   // covers WAKER: no doubleword access
    CHECK(f.rrd(0, GICR_TYPER, 8) == f.rrd(0, GICR_TYPER) + (f.rrd(0, GICR_TYPER + 4) << 32));
    // Reserved offsets and Secure-only registers of a DS = 1 GIC: RAZ/WI.
    for (uint64_t off : {GICD_TYPER2, GICD_STATUSR, GICD_ITARGETSR + 40, GICD_IGRPMODR + 4, GICD_NSACR + 8,
                         GICD_SGIR, uint64_t{0x5000}, uint64_t{0xC000}}) {
        f.dwr(off, 0xFFFFFFFF);
        CHECK(f.drd(off) == 0);
    }
    for (uint64_t off : {GICR_STATUSR, GICR_PROPBASER, GICR_PENDBASER, GICR_CTLR, uint64_t{0x8000}}) {
        f.rwr(1, off, 0xFFFFFFFF);
        CHECK(f.rrd(1, off) == 0);
    }
    for (uint64_t off : {GICR_IGRPMODR0, GICR_NSACR, uint64_t{0xFFE8}, uint64_t{0x4000}}) {
        f.swr(1, off, 0xFFFFFFFF);
        CHECK(f.srd(1, off) == 0);
    }
    // Beyond the last redistributor: RAZ/WI.
    REQUIRE(g.redistributors().mmio_read(kCpus * GICR_STRIDE + GICR_TYPER, 8, v));
    CHECK(v == 0);
}

TEST_CASE("GICv3 reset returns register state but keeps input line levels", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    f.enable_spi(40);
    f.gic.set_spi(40, true);
    CHECK(f.hppi(0) == 40);
    f.gic.distributor().reset();
    CHECK(f.hppi(0) == arm::kIntidNone);
    CHECK(f.drd(GICD_CTLR) == 0x50);
    CHECK(f.rrd(0, GICR_WAKER) == 6);
    CHECK(f.gic.is_pending(0, 40));   // the line is still high
    f.init_group1();
    f.enable_spi(40);
    CHECK(f.hppi(0) == 40);
}

TEST_CASE("GICv3 random accesses of any offset and width never break it", "[gicv3][unit]") {
    Fixture f;
    f.init_group1();
    std::mt19937_64 rng(0x61C3);
    const unsigned widths[] = {1, 2, 4, 8, 3, 16, 0};
    unsigned faults = 0;
    for (int i = 0; i < 100000; i++) {
        const uint64_t r = rng();
        const bool redist = r & 1;
        hvemu::dev::Device& d = redist ? f.gic.redistributors() : f.gic.distributor();
        // Mostly inside the window, sometimes far outside it.
        uint64_t off = (r >> 8) % (d.size() + 0x1000);
        if ((r >> 2) % 64 == 0) off = rng();
        const unsigned w = widths[(r >> 4) % 7];
        const uint64_t value = rng();
        bool ok;
        if ((r >> 1) & 1) {
            uint64_t v = 0;
            ok = d.mmio_read(off, w, v);
        } else {
            ok = d.mmio_write(off, w, value);
        }
        if (!ok) faults++;
        switch ((r >> 7) % 16) {   // interleave inputs and CPU-interface traffic
        case 0: f.gic.set_spi(static_cast<uint32_t>(value % 1100), value & 1); break;
        case 1: f.gic.set_ppi(static_cast<unsigned>(value % 6), static_cast<uint32_t>(value >> 8) % 40, value & 1); break;
        case 2: f.gic.send_sgi(static_cast<unsigned>(value % kCpus), value); break;
        case 3: {
            auto& port = f.gic.cpu_port(static_cast<unsigned>(value % kCpus));
            const auto p = port.highest_pending();
            if (p.intid != arm::kIntidNone) port.activate(p.intid);
            port.deactivate(static_cast<uint32_t>(value >> 16) % 1100);
            break;
        }
        default: break;
        }
    }
    CHECK(faults > 0);   // the loop did reach the bus-error cases
    for (unsigned c = 0; c < kCpus; c++) {
        const auto p = f.gic.highest_pending(c);
        CHECK((p.intid == arm::kIntidNone || p.intid < f.gic.num_intids()));
    }
    // Still a working GIC afterwards.
    f.gic.reset();
    f.init_group1();
    f.enable_spi(77, 0x10, 1);
    f.gic.set_spi(77, false);
    f.gic.set_spi(77, true);
    CHECK(f.hppi(1) == 77);
}
