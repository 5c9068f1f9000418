// The local APIC: reset values, priorities (IRR/ISR/PPR/TPR), EOI and its
// broadcast, ICR decoding, the three timer modes on a fake clock, LINT
// pins, the x2APIC MSR rules (#GP cases come back as false), the
// IA32_APIC_BASE transitions, virtual-mode hand-over, bus routing, and a
// fuzz loop.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "devices/apic_bus.hpp"
#include "devices/lapic.hpp"

using namespace hvemu::dev;
using namespace hvemu::dev::lapic;

namespace {

struct Fixture {
    uint64_t clock = 0;
    Lapic apic;
    std::vector<ApicMessage> ipis;
    std::vector<uint8_t> eois, sipis;
    unsigned inits = 0, nmis = 0, changes = 0;

    explicit Fixture(uint32_t id = 0, bool bsp = true) : apic(Lapic::Config{id, bsp, 39}, [this] { return clock; }) {
        apic.set_ipi_sink([this](const ApicMessage& m) { ipis.push_back(m); });
        apic.set_eoi_sink([this](uint8_t v) { eois.push_back(v); });
        apic.set_init_sink([this] { inits++; });
        apic.set_sipi_sink([this](uint8_t v) { sipis.push_back(v); });
        apic.set_nmi_sink([this] { nmis++; });
        apic.set_changed([this] { changes++; });
    }
    uint32_t rd(uint32_t off) {
        uint64_t v = 0xdead;
        REQUIRE(apic.mmio_read(off, 4, v));
        return static_cast<uint32_t>(v);
    }
    void wr(uint32_t off, uint32_t v) { REQUIRE(apic.mmio_write(off, 4, v)); }
    void enable() { wr(SVR, 0x1FF); }
    void fixed(uint8_t v, bool level = false) {
        ApicMessage m;
        m.vector = v;
        m.level = level;
        REQUIRE(apic.accept(m));
    }
    void to_x2apic() {
        REQUIRE(apic.wrmsr(MSR_APIC_BASE, Lapic::kDefaultBase | BASE_EN | BASE_EXTD));
        REQUIRE(apic.mode() == Lapic::Mode::X2Apic);
    }
    uint64_t msr(uint32_t m) {
        uint64_t v = 0;
        REQUIRE(apic.rdmsr(m, v));
        return v;
    }
};

} // namespace

TEST_CASE("lapic: power-on register values", "[devices][lapic][unit]") {
    Fixture f(3, true);
    CHECK(f.rd(ID) == 0x03000000);
    CHECK(f.rd(VERSION) == 0x00050014);
    CHECK(f.rd(SVR) == 0xFF);
    CHECK(f.rd(DFR) == 0xFFFFFFFF);
    CHECK(f.rd(TPR) == 0);
    for (uint32_t off = LVT_TIMER; off <= LVT_ERROR; off += 0x10) CHECK(f.rd(off) == LVT_MASKED);
    CHECK(f.apic.apic_base() == 0xFEE00900);
    CHECK(f.apic.mode() == Lapic::Mode::XApic);
    Fixture ap(1, false);
    CHECK(ap.apic.apic_base() == 0xFEE00800);
}

TEST_CASE("lapic: the highest class is delivered first and PPR follows ISR", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.fixed(0x40);
    f.fixed(0x80);
    f.fixed(0x85);
    REQUIRE(f.apic.has_interrupt());
    CHECK(f.apic.acknowledge() == 0x85);
    CHECK(f.apic.isr(0x85));
    CHECK_FALSE(f.apic.irr(0x85));
    CHECK(f.apic.ppr() == 0x80);
    // 0x80 is in the same class as the one in service: held back.
    CHECK_FALSE(f.apic.has_interrupt());
    f.wr(EOI, 0);
    CHECK_FALSE(f.apic.isr(0x85));
    CHECK(f.apic.acknowledge() == 0x80);
    // A higher class preempts one in service.
    f.fixed(0xA0);
    CHECK(f.apic.has_interrupt());
    CHECK(f.apic.acknowledge() == 0xA0);
    CHECK(f.rd(ISR + 0x10 * (0xA0 / 32)) == (1u << (0xA0 % 32)));
    // EOI ends the highest in service first.
    f.wr(EOI, 0);
    CHECK(f.apic.isr(0x80));
    CHECK_FALSE(f.apic.isr(0xA0));
    f.wr(EOI, 0);
    CHECK(f.apic.acknowledge() == 0x40);
    CHECK(f.rd(IRR + 0x10 * 2) == 0);
}

TEST_CASE("lapic: TPR masks by priority class; a spurious acknowledge sets no ISR bit", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.wr(TPR, 0x5F);
    f.fixed(0x55);
    CHECK_FALSE(f.apic.has_interrupt());
    CHECK(f.apic.ppr() == 0x5F);
    CHECK(f.apic.acknowledge() == 0xFF);   // the spurious vector
    CHECK_FALSE(f.apic.isr(0x55));
    CHECK(f.apic.irr(0x55));
    f.fixed(0x61);
    CHECK(f.apic.has_interrupt());
    CHECK(f.apic.acknowledge() == 0x61);
    f.wr(EOI, 0);
    const unsigned before = f.changes;
    f.apic.set_tpr(0x40);   // lowering TPR lets 0x55 through and says so
    CHECK(f.changes > before);
    CHECK(f.apic.acknowledge() == 0x55);
    CHECK(f.rd(APR) == 0x50);
}

TEST_CASE("lapic: a software-disabled APIC drops fixed interrupts but takes NMI, INIT, SIPI",
          "[devices][lapic][unit]") {
    Fixture f;
    ApicMessage m;
    m.vector = 0x40;
    CHECK_FALSE(f.apic.accept(m));
    CHECK_FALSE(f.apic.irr(0x40));
    m.mode = apic::Delivery::Nmi;
    CHECK(f.apic.accept(m));
    m.mode = apic::Delivery::StartUp;
    m.vector = 0x9A;
    CHECK(f.apic.accept(m));
    m.mode = apic::Delivery::Init;
    m.level = true;
    m.assert = false;
    CHECK(f.apic.accept(m));   // INIT level de-assert does nothing
    CHECK(f.inits == 0);
    m.assert = true;
    CHECK(f.apic.accept(m));
    CHECK(f.nmis == 1);
    CHECK(f.inits == 1);
    CHECK(f.sipis == std::vector<uint8_t>{0x9A});
    // Vectors 0-15 are illegal to receive.
    f.enable();
    f.fixed(0x30);
    ApicMessage bad;
    bad.vector = 7;
    CHECK_FALSE(f.apic.accept(bad));
    f.wr(ESR, 0);
    CHECK(f.rd(ESR) == ESR_RECV_ILLEGAL_VECTOR);
    f.wr(ESR, 0);
    CHECK(f.rd(ESR) == 0);
    // INIT puts the registers back to power-on, the ID stays.
    f.wr(ID, 0x07000000);
    m.mode = apic::Delivery::Init;
    m.level = false;
    CHECK(f.apic.accept(m));
    CHECK(f.rd(SVR) == 0xFF);
    CHECK_FALSE(f.apic.irr(0x30));
    CHECK(f.rd(ID) == 0x07000000);
}

TEST_CASE("lapic: EOI of a level-triggered vector is broadcast, an edge one is not", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.fixed(0x33, true);
    CHECK(f.apic.tmr(0x33));
    CHECK(f.apic.acknowledge() == 0x33);
    f.wr(EOI, 0);
    CHECK(f.eois == std::vector<uint8_t>{0x33});
    f.fixed(0x44, false);
    CHECK_FALSE(f.apic.tmr(0x44));
    CHECK(f.apic.acknowledge() == 0x44);
    f.wr(EOI, 0);
    CHECK(f.eois.size() == 1);
    f.wr(EOI, 0);   // nothing in service: harmless
    CHECK(f.eois.size() == 1);
}

TEST_CASE("lapic: ICR writes are decoded into messages", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.wr(ICR_HI, 0x02000000);
    f.wr(ICR_LO, 0x00004031);   // fixed, physical, assert, vector 0x31
    REQUIRE(f.ipis.size() == 1);
    ApicMessage m = f.ipis.back();
    CHECK(m.vector == 0x31);
    CHECK(m.mode == apic::Delivery::Fixed);
    CHECK_FALSE(m.logical);
    CHECK(m.dest == 2);
    CHECK(m.shorthand == apic::Shorthand::None);
    CHECK(m.source == &f.apic);
    CHECK_FALSE(m.x2apic);
    CHECK((f.rd(ICR_LO) & LVT_STATUS) == 0);   // delivery is instant: idle
    CHECK(f.rd(ICR_HI) == 0x02000000);

    f.wr(ICR_LO, 0x000C4832);   // all but self, logical, vector 0x32
    m = f.ipis.back();
    CHECK(m.shorthand == apic::Shorthand::AllExcludingSelf);
    CHECK(m.logical);
    CHECK(m.vector == 0x32);

    f.wr(ICR_LO, 0x0000C500);   // INIT, level, assert
    CHECK(f.ipis.back().mode == apic::Delivery::Init);
    CHECK(f.ipis.back().level);
    f.wr(ICR_LO, 0x00004608);   // SIPI, vector 8 (start at 0x8000)
    CHECK(f.ipis.back().mode == apic::Delivery::StartUp);
    CHECK(f.ipis.back().vector == 8);
    const size_t n = f.ipis.size();

    f.wr(ICR_LO, 0x0000400F);   // illegal vector: an error, nothing sent
    f.wr(ICR_LO, 0x00044140);   // lowest priority to self: invalid
    f.wr(ICR_LO, 0x00044608);   // SIPI to self: invalid
    f.wr(ICR_LO, 0x00004300);   // reserved delivery mode
    f.wr(ICR_LO, 0x00004700);   // ExtINT
    CHECK(f.ipis.size() == n);
    f.wr(ESR, 0);
    CHECK(f.rd(ESR) == ESR_SEND_ILLEGAL_VECTOR);
}

TEST_CASE("lapic: one-shot timer counts the clock through the divider", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.wr(TIMER_DCR, 0xB);   // divide by 1
    f.wr(LVT_TIMER, 0x20);
    f.wr(TIMER_ICR, 100);
    CHECK(f.apic.next_timer_event() == 100u);
    f.clock = 40;
    CHECK(f.rd(TIMER_CCR) == 60);
    CHECK_FALSE(f.apic.has_interrupt());
    f.clock = 100;
    CHECK(f.apic.has_interrupt());
    CHECK(f.apic.acknowledge() == 0x20);
    CHECK(f.rd(TIMER_CCR) == 0);
    CHECK_FALSE(f.apic.next_timer_event());
    f.wr(EOI, 0);
    f.clock = 1000;
    CHECK_FALSE(f.apic.has_interrupt());   // one shot only

    SECTION("divide by 2 (DCR 0) halves the rate; changing it keeps the count") {
        f.wr(TIMER_DCR, 0);
        f.wr(TIMER_ICR, 10);   // at 1000
        CHECK(f.apic.next_timer_event() == 1020u);
        f.clock = 1010;
        CHECK(f.rd(TIMER_CCR) == 5);
        f.wr(TIMER_DCR, 0xA);   // divide by 128
        CHECK(f.rd(TIMER_CCR) == 5);
        CHECK(f.apic.next_timer_event() == 1010u + 5 * 128);
    }
    SECTION("writing 0 stops it") {
        f.wr(TIMER_ICR, 10);
        f.wr(TIMER_ICR, 0);
        f.clock = 5000;
        CHECK_FALSE(f.apic.has_interrupt());
    }
    SECTION("a masked timer counts but raises nothing") {
        f.wr(LVT_TIMER, 0x20 | LVT_MASKED);
        f.wr(TIMER_ICR, 10);
        CHECK_FALSE(f.apic.next_timer_event());
        f.clock = 1005;
        CHECK(f.rd(TIMER_CCR) == 5);
        f.clock = 2000;
        CHECK_FALSE(f.apic.has_interrupt());
        CHECK(f.rd(TIMER_CCR) == 0);
    }
}

TEST_CASE("lapic: periodic timer reloads and folds missed periods", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.wr(TIMER_DCR, 0xB);
    f.wr(LVT_TIMER, 0x30 | (TIMER_PERIODIC << 17));
    f.wr(TIMER_ICR, 10);
    f.clock = 10;
    CHECK(f.apic.acknowledge() == 0x30);
    f.wr(EOI, 0);
    CHECK(f.apic.next_timer_event() == 20u);
    f.clock = 13;
    CHECK(f.rd(TIMER_CCR) == 7);
    f.clock = 55;   // four periods passed unseen: one interrupt
    CHECK(f.apic.acknowledge() == 0x30);
    f.wr(EOI, 0);
    CHECK_FALSE(f.apic.has_interrupt());
    CHECK(f.apic.next_timer_event() == 60u);
    CHECK(f.rd(TIMER_CCR) == 5);
}

TEST_CASE("lapic: TSC-deadline mode through IA32_TSC_DEADLINE", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    uint64_t v = 1;
    CHECK(f.apic.wrmsr(MSR_TSC_DEADLINE, 500));   // not in deadline mode: ignored
    CHECK(f.msr(MSR_TSC_DEADLINE) == 0);
    f.wr(LVT_TIMER, 0x40 | (TIMER_TSC_DEADLINE << 17));
    f.wr(TIMER_ICR, 5);   // ignored in this mode
    CHECK(f.rd(TIMER_ICR) == 0);
    CHECK(f.apic.wrmsr(MSR_TSC_DEADLINE, 500));
    CHECK(f.msr(MSR_TSC_DEADLINE) == 500);
    CHECK(f.apic.next_timer_event() == 500u);
    f.clock = 499;
    CHECK_FALSE(f.apic.has_interrupt());
    f.clock = 500;
    CHECK(f.apic.acknowledge() == 0x40);
    CHECK(f.msr(MSR_TSC_DEADLINE) == 0);   // disarmed once it fired
    f.wr(EOI, 0);
    // A deadline in the past fires at once; 0 disarms.
    CHECK(f.apic.wrmsr(MSR_TSC_DEADLINE, 100));
    CHECK(f.apic.irr(0x40));
    CHECK(f.apic.acknowledge() == 0x40);
    f.wr(EOI, 0);
    CHECK(f.apic.wrmsr(MSR_TSC_DEADLINE, 900));
    CHECK(f.apic.wrmsr(MSR_TSC_DEADLINE, 0));
    f.clock = 1000;
    CHECK_FALSE(f.apic.has_interrupt());
    // Leaving the mode disarms.
    CHECK(f.apic.wrmsr(MSR_TSC_DEADLINE, 2000));
    f.wr(LVT_TIMER, 0x40);
    f.wr(LVT_TIMER, 0x40 | (TIMER_TSC_DEADLINE << 17));
    CHECK(f.apic.rdmsr(MSR_TSC_DEADLINE, v));
    CHECK(v == 0);
}

TEST_CASE("lapic: LINT0 level-triggered with remote IRR, LINT1 as NMI", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.wr(LVT_LINT0, 0x50 | LVT_LEVEL);
    f.apic.set_lint(0, true);
    CHECK(f.rd(LVT_LINT0) & LVT_REMOTE_IRR);
    CHECK(f.apic.acknowledge() == 0x50);
    f.wr(EOI, 0);   // still high: delivered again
    CHECK(f.apic.irr(0x50));
    CHECK(f.apic.acknowledge() == 0x50);
    f.apic.set_lint(0, false);
    f.wr(EOI, 0);
    CHECK_FALSE(f.apic.irr(0x50));
    CHECK_FALSE(f.rd(LVT_LINT0) & LVT_REMOTE_IRR);

    f.wr(LVT_LINT1, 4u << 8);   // NMI, edge
    f.apic.set_lint(1, true);
    f.apic.set_lint(1, true);
    CHECK(f.nmis == 1);
    f.apic.set_lint(1, false);
    f.apic.set_lint(1, true);
    CHECK(f.nmis == 2);

    // Software disable masks every LVT entry; they stay masked.
    f.wr(SVR, 0xFF);
    CHECK(f.rd(LVT_LINT1) & LVT_MASKED);
    f.wr(LVT_LINT1, 4u << 8);
    CHECK(f.rd(LVT_LINT1) & LVT_MASKED);
}

TEST_CASE("lapic: the error LVT raises its vector on an error", "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.wr(LVT_ERROR, 0xE0);
    f.wr(ICR_LO, 0x4005);
    CHECK(f.apic.irr(0xE0));
    // xAPIC: an unimplemented register is an illegal-register error.
    f.rd(0x3A0);
    f.wr(ESR, 0);
    CHECK(f.rd(ESR) == (ESR_SEND_ILLEGAL_VECTOR | ESR_ILLEGAL_REGISTER));
}

TEST_CASE("lapic: x2APIC MSR access rules", "[devices][lapic][unit]") {
    Fixture f(0x123, true);
    uint64_t v = 0;
    // Not in x2APIC mode: every x2APIC MSR is a #GP.
    CHECK_FALSE(f.apic.rdmsr(0x802, v));
    CHECK_FALSE(f.apic.wrmsr(0x808, 0));
    f.to_x2apic();
    CHECK(f.msr(0x802) == 0x123);
    CHECK(f.msr(0x803) == kVersion);
    CHECK(f.msr(0x80D) == ((0x12u << 16) | (1u << 3)));   // LDR from the ID
    // MMIO is gone in x2APIC mode.
    uint64_t m = 0;
    REQUIRE(f.apic.mmio_read(VERSION, 4, m));
    CHECK(m == 0xFFFFFFFF);
    // Read-only, write-only and missing registers.
    CHECK_FALSE(f.apic.wrmsr(0x802, 1));      // ID
    CHECK_FALSE(f.apic.wrmsr(0x803, 0));      // version
    CHECK_FALSE(f.apic.wrmsr(0x80A, 0));      // PPR
    CHECK_FALSE(f.apic.wrmsr(0x80D, 0));      // LDR
    CHECK_FALSE(f.apic.wrmsr(0x839, 0));      // current count
    CHECK_FALSE(f.apic.wrmsr(0x810, 0));      // ISR
    CHECK_FALSE(f.apic.rdmsr(0x80B, v));      // EOI is write-only
    CHECK_FALSE(f.apic.rdmsr(0x83F, v));      // SELF IPI is write-only
    CHECK_FALSE(f.apic.rdmsr(0x809, v));      // no APR
    CHECK_FALSE(f.apic.rdmsr(0x80C, v));      // no RRD
    CHECK_FALSE(f.apic.rdmsr(0x80E, v));      // no DFR
    CHECK_FALSE(f.apic.rdmsr(0x831, v));      // no ICR high half
    CHECK_FALSE(f.apic.rdmsr(0x82F, v));      // no CMCI LVT
    CHECK_FALSE(f.apic.rdmsr(0x840, v));
    CHECK_FALSE(f.apic.rdmsr(0x8FF, v));
    // Reserved bits.
    CHECK_FALSE(f.apic.wrmsr(0x808, 0x100));                 // TPR 31:8
    CHECK_FALSE(f.apic.wrmsr(0x808, uint64_t{1} << 32));    // upper half
    CHECK_FALSE(f.apic.wrmsr(0x80B, 1));                     // EOI non-zero
    CHECK_FALSE(f.apic.wrmsr(0x828, 1));                     // ESR non-zero
    CHECK_FALSE(f.apic.wrmsr(0x80F, 0x1000));                // no EOI-broadcast suppression
    CHECK_FALSE(f.apic.wrmsr(0x832, 0x80000));               // timer mode bit 19
    CHECK_FALSE(f.apic.wrmsr(0x83E, 0x4));                   // DCR bit 2
    CHECK_FALSE(f.apic.wrmsr(0x830, 0x100000));              // ICR bit 20
    CHECK_FALSE(f.apic.wrmsr(0x83F, 0x100));                 // SELF IPI 31:8
    // Allowed writes.
    CHECK(f.apic.wrmsr(0x80F, 0x1FF));
    CHECK(f.apic.wrmsr(0x808, 0x20));
    CHECK(f.msr(0x808) == 0x20);
    CHECK(f.msr(0x80A) == 0x20);
    CHECK(f.apic.wrmsr(0x828, 0));
    CHECK(f.apic.wrmsr(0x830, (uint64_t{0x456} << 32) | 0x4041));
    REQUIRE_FALSE(f.ipis.empty());
    CHECK(f.ipis.back().dest == 0x456);
    CHECK(f.ipis.back().x2apic);
    CHECK(f.ipis.back().vector == 0x41);
    CHECK(f.msr(0x830) == ((uint64_t{0x456} << 32) | 0x4041));
    CHECK(f.apic.wrmsr(0x83F, 0x77));
    CHECK(f.ipis.back().shorthand == apic::Shorthand::Self);
    CHECK(f.ipis.back().vector == 0x77);
    f.fixed(0x60);
    CHECK(f.apic.acknowledge() == 0x60);
    CHECK(f.msr(0x810 + 0x60 / 32) == (1u << (0x60 % 32)));
    CHECK(f.apic.wrmsr(0x80B, 0));
    CHECK_FALSE(f.apic.isr(0x60));
}

TEST_CASE("lapic: IA32_APIC_BASE state transitions", "[devices][lapic][unit]") {
    Fixture f(5, false);
    const uint64_t base = Lapic::kDefaultBase;
    CHECK_FALSE(f.apic.wrmsr(MSR_APIC_BASE, base | BASE_EXTD));            // EXTD without EN
    CHECK_FALSE(f.apic.wrmsr(MSR_APIC_BASE, base | BASE_EN | 0x10));       // reserved low bits
    CHECK_FALSE(f.apic.wrmsr(MSR_APIC_BASE, base | BASE_EN | (uint64_t{1} << 40)));   // above MAXPHYADDR
    f.to_x2apic();
    CHECK_FALSE(f.apic.wrmsr(MSR_APIC_BASE, base | BASE_EN));              // x2APIC -> xAPIC
    CHECK(f.apic.wrmsr(MSR_APIC_BASE, base));                              // -> disabled
    CHECK(f.apic.mode() == Lapic::Mode::Disabled);
    uint64_t v = 0;
    REQUIRE(f.apic.mmio_read(VERSION, 4, v));
    CHECK(v == 0xFFFFFFFF);
    CHECK_FALSE(f.apic.wrmsr(MSR_APIC_BASE, base | BASE_EN | BASE_EXTD));  // disabled -> x2APIC
    CHECK(f.apic.wrmsr(MSR_APIC_BASE, base | BASE_EN | BASE_BSP));          // BSP is not software's
    CHECK(f.msr(MSR_APIC_BASE) == (base | BASE_EN));
    CHECK(f.rd(ID) == 0x05000000);
    ApicMessage m;
    m.vector = 0x40;
    CHECK_FALSE(f.apic.accept(m));   // software-disabled after re-enable
}

TEST_CASE("lapic: virtual mode hands interrupts over in priority order, one per EOI class",
          "[devices][lapic][unit]") {
    Fixture f;
    f.enable();
    f.fixed(0x41);
    std::vector<uint8_t> got;
    f.apic.set_virtual_sink([&](uint8_t v) { got.push_back(v); });
    CHECK(got == std::vector<uint8_t>{0x41});   // what was pending goes at once
    f.fixed(0x31);   // lower class than the one in service: waits
    f.fixed(0x91);   // higher: preempts
    CHECK(got == std::vector<uint8_t>{0x41, 0x91});
    f.wr(EOI, 0);
    CHECK(got.size() == 2);
    f.wr(EOI, 0);
    CHECK(got == std::vector<uint8_t>{0x41, 0x91, 0x31});
    // The timer is handed over when the VMM polls.
    f.wr(TIMER_DCR, 0xB);
    f.wr(LVT_TIMER, 0xEC);
    f.wr(TIMER_ICR, 10);
    f.wr(EOI, 0);
    f.clock = 10;
    f.apic.poll();
    CHECK(got.back() == 0xEC);
}

TEST_CASE("apic bus: physical, logical, broadcast, shorthands and lowest priority", "[devices][lapic][unit]") {
    std::vector<std::unique_ptr<Fixture>> cpus;
    ApicBus bus;
    for (uint32_t i = 0; i < 4; i++) {
        cpus.push_back(std::make_unique<Fixture>(i, i == 0));
        cpus[i]->enable();
        bus.attach(&cpus[i]->apic);
    }
    ApicMessage m;
    m.vector = 0x50;
    m.dest = 2;
    CHECK(bus.targets(m) == std::vector<unsigned>{2});
    m.dest = 0xFF;
    CHECK(bus.targets(m).size() == 4);
    // Flat logical: LDR bits.
    for (uint32_t i = 0; i < 4; i++) cpus[i]->wr(LDR, (1u << i) << 24);
    m.logical = true;
    m.dest = 0x0A;
    CHECK(bus.targets(m) == std::vector<unsigned>{1, 3});
    // Cluster logical: cluster in the high nibble.
    for (uint32_t i = 0; i < 4; i++) {
        cpus[i]->wr(DFR, 0x0FFFFFFF);
        cpus[i]->wr(LDR, (((i / 2) << 4) | (1u << (i % 2))) << 24);
    }
    m.dest = 0x13;
    CHECK(bus.targets(m) == std::vector<unsigned>{2, 3});
    // Shorthands.
    m.logical = false;
    m.dest = 0;
    m.source = &cpus[1]->apic;
    m.shorthand = apic::Shorthand::Self;
    CHECK(bus.targets(m) == std::vector<unsigned>{1});
    m.shorthand = apic::Shorthand::AllExcludingSelf;
    CHECK(bus.targets(m) == std::vector<unsigned>{0, 2, 3});
    m.shorthand = apic::Shorthand::AllIncludingSelf;
    CHECK(bus.deliver(m) == 4);
    for (auto& c : cpus) CHECK(c->apic.irr(0x50));
    // Lowest priority: the lowest TPR wins.
    ApicMessage lp;
    lp.mode = apic::Delivery::LowestPriority;
    lp.vector = 0x60;
    lp.dest = 0xFF;
    for (uint32_t i = 0; i < 4; i++) cpus[i]->wr(TPR, i == 2 ? 0x10 : 0x40);
    for (auto& c : cpus) {
        c->apic.acknowledge();
        c->wr(EOI, 0);
    }
    CHECK(bus.deliver(lp) == 1);
    CHECK(cpus[2]->apic.irr(0x60));
    CHECK_FALSE(cpus[0]->apic.irr(0x60));
    // x2APIC destinations.
    for (auto& c : cpus) c->to_x2apic();
    ApicMessage x;
    x.x2apic = true;
    x.vector = 0x70;
    x.dest = 3;
    CHECK(bus.targets(x) == std::vector<unsigned>{3});
    x.dest = 0xFF;   // not a broadcast in x2APIC format
    CHECK(bus.targets(x).empty());
    x.dest = 0xFFFFFFFF;
    CHECK(bus.targets(x).size() == 4);
    x.logical = true;
    x.dest = (0u << 16) | 0x5;   // cluster 0, IDs 0 and 2
    CHECK(bus.targets(x) == std::vector<unsigned>{0, 2});
}

TEST_CASE("lapic: 100k random register, MSR and message operations never break it", "[devices][lapic][unit]") {
    std::mt19937_64 rng(1234);
    Fixture f(1, true);
    std::vector<uint8_t> handed;
    for (int i = 0; i < 100000; i++) {
        const uint64_t r = rng();
        const uint64_t val = rng();
        switch (r % 9) {
        case 0: {
            uint64_t v = 0;
            const unsigned w = 1u << (r >> 8) % 4;
            CHECK(f.apic.mmio_read((r >> 16) % (Lapic::kSize + 64), w, v));
            break;
        }
        case 1: CHECK(f.apic.mmio_write((r >> 16) % Lapic::kSize & ~uint64_t{0xF}, 4, val)); break;
        case 2: {
            uint64_t v = 0;
            f.apic.rdmsr(0x7F0 + static_cast<uint32_t>((r >> 8) % 0x120), v);
            break;
        }
        case 3:
            // Mostly harmless values so that the APIC is not always off.
            f.apic.wrmsr(0x800 + static_cast<uint32_t>((r >> 8) % 0x40), val & ((r >> 40) & 1 ? 0xFF : ~0ull));
            break;
        case 4: {
            ApicMessage m;
            m.vector = static_cast<uint8_t>(val);
            m.mode = static_cast<apic::Delivery>((val >> 8) & 7);
            m.level = (val >> 11) & 1;
            m.assert = (val >> 12) & 1;
            f.apic.accept(m);
            break;
        }
        case 5: f.apic.set_lint(static_cast<unsigned>((r >> 8) % 3), (r >> 16) & 1); break;
        case 6: f.clock += (r >> 8) % 5000; break;
        case 7:
            if (f.apic.has_interrupt()) {
                const uint8_t v = f.apic.acknowledge();
                CHECK(v >= 16);
            }
            break;
        case 8:
            if ((r >> 8) % 64 == 0) {
                f.apic.wrmsr(MSR_APIC_BASE, Lapic::kDefaultBase | BASE_EN | ((r >> 20) & 1 ? BASE_EXTD : 0));
                f.apic.wrmsr(MSR_TSC_DEADLINE, f.clock + (val % 10000));
            } else if ((r >> 8) % 64 == 1) {
                f.apic.set_virtual_sink((r >> 20) & 1 ? std::function<void(uint8_t)>([&](uint8_t v) {
                    handed.push_back(v);
                })
                                                      : nullptr);
            } else {
                f.apic.wrmsr(MSR_APIC_BASE, Lapic::kDefaultBase | BASE_EN);
                f.wr(SVR, 0x1FF);
            }
            break;
        }
        // PPR never drops below TPR.
        CHECK((f.apic.ppr() & 0xF0) >= (f.apic.tpr() & 0xF0));
    }
    for (uint8_t v : handed) CHECK(v >= 16);
}

TEST_CASE("lapic: following the core's IA32_APIC_BASE", "[devices][lapic][unit]") {
    Fixture f(9, false);
    uint64_t core_base = 0xFEE00800;
    f.apic.follow_apic_base([&] { return core_base; });
    f.enable();
    f.fixed(0x40);
    core_base = 0xFEE00C00;   // the core switched to x2APIC
    CHECK(f.msr(0x802) == 9);
    CHECK(f.apic.mode() == Lapic::Mode::X2Apic);
    CHECK(f.apic.irr(0x40));   // xAPIC -> x2APIC keeps the state
    core_base = 0xFEE00000;   // disabled: power-up state
    CHECK_FALSE(f.apic.has_interrupt());
    CHECK(f.apic.mode() == Lapic::Mode::Disabled);
    CHECK_FALSE(f.apic.irr(0x40));
    core_base = 0xFEE00800;
    CHECK(f.rd(VERSION) == kVersion);
}
