// The I/O APIC: identification registers, redirection entries and their
// read-only bits, masking, edge and level delivery with remote IRR and
// EOI (broadcast and the version-0x20 EOI register), routing through the
// APIC bus to the right local APIC, and a fuzz loop.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <vector>

#include "devices/apic_bus.hpp"
#include "devices/ioapic.hpp"
#include "devices/lapic.hpp"

using namespace hvemu::dev;
using namespace hvemu::dev::ioapic;

namespace {

struct Fixture {
    IoApic io;
    std::vector<ApicMessage> sent;

    explicit Fixture(IoApic::Config cfg = IoApic::Config{0, 0x20}) : io(cfg) {
        io.set_sink([this](const ApicMessage& m) { sent.push_back(m); });
    }
    uint32_t rd(uint32_t index) {
        uint64_t v = 0;
        REQUIRE(io.mmio_write(IOREGSEL, 4, index));
        REQUIRE(io.mmio_read(IOWIN, 4, v));
        return static_cast<uint32_t>(v);
    }
    void wr(uint32_t index, uint32_t v) {
        REQUIRE(io.mmio_write(IOREGSEL, 4, index));
        REQUIRE(io.mmio_write(IOWIN, 4, v));
    }
    void route(unsigned pin, uint64_t entry) {
        wr(REG_REDTBL + 2 * pin + 1, static_cast<uint32_t>(entry >> 32));
        wr(REG_REDTBL + 2 * pin, static_cast<uint32_t>(entry));
    }
};

} // namespace

TEST_CASE("ioapic: identification and reset state", "[devices][ioapic][unit]") {
    Fixture f;
    CHECK(f.rd(REG_VER) == 0x00170020);   // 24 entries, version 0x20
    CHECK(f.rd(REG_ID) == 0);
    f.wr(REG_ID, 0x0A000000);
    CHECK(f.rd(REG_ID) == 0x0A000000);
    CHECK(f.rd(REG_ARB) == 0x0A000000);
    f.wr(REG_VER, 0);   // read-only
    CHECK(f.rd(REG_VER) == 0x00170020);
    for (unsigned pin = 0; pin < IoApic::kPins; pin++) {
        CHECK(f.rd(REG_REDTBL + 2 * pin) == RTE_MASKED);
        CHECK(f.rd(REG_REDTBL + 2 * pin + 1) == 0);
    }
    CHECK(f.rd(REG_REDTBL + 2 * IoApic::kPins) == 0);   // past the table
    Fixture old(IoApic::Config{2, 0x11});
    CHECK(old.rd(REG_VER) == 0x00170011);
    CHECK(old.rd(REG_ID) == 0x02000000);
}

TEST_CASE("ioapic: redirection entries keep their read-only bits", "[devices][ioapic][unit]") {
    Fixture f;
    f.wr(REG_REDTBL + 4, 0xFFFFFFFF);
    CHECK(f.rd(REG_REDTBL + 4) == (0x0001AFFF));   // no delivery status, no remote IRR
    f.wr(REG_REDTBL + 5, 0xFFFFFFFF);
    CHECK(f.rd(REG_REDTBL + 5) == 0xFF000000);
    CHECK(f.io.entry(2) == 0xFF0000000001AFFFull);
}

TEST_CASE("ioapic: edge inputs deliver on rising edges only, never while masked", "[devices][ioapic][unit]") {
    Fixture f;
    f.route(4, (uint64_t{1} << 56) | 0x24);   // vector 0x24, fixed, physical, to APIC 1
    f.io.set_irq(4, true);
    REQUIRE(f.sent.size() == 1);
    CHECK(f.sent[0].vector == 0x24);
    CHECK(f.sent[0].dest == 1);
    CHECK_FALSE(f.sent[0].level);
    CHECK_FALSE(f.sent[0].logical);
    CHECK(f.sent[0].mode == apic::Delivery::Fixed);
    f.io.set_irq(4, true);
    CHECK(f.sent.size() == 1);
    f.io.set_irq(4, false);
    f.route(4, RTE_MASKED | 0x24);
    f.io.set_irq(4, true);
    CHECK(f.sent.size() == 1);   // lost while masked
    f.route(4, 0x24);
    CHECK(f.sent.size() == 1);   // an edge is not remembered
    f.io.set_irq(99, true);       // no such pin
}

TEST_CASE("ioapic: level inputs wait for the EOI (remote IRR)", "[devices][ioapic][unit]") {
    Fixture f;
    f.route(9, RTE_LEVEL | RTE_DEST_LOGICAL | (uint64_t{0x3} << 56) | 0x39);
    f.io.set_irq(9, true);
    REQUIRE(f.sent.size() == 1);
    CHECK(f.sent[0].level);
    CHECK(f.sent[0].logical);
    CHECK(f.sent[0].dest == 3);
    CHECK(f.rd(REG_REDTBL + 18) & RTE_REMOTE_IRR);
    f.io.set_irq(9, true);
    CHECK(f.sent.size() == 1);
    f.io.eoi(0x38);   // another vector: nothing
    CHECK(f.sent.size() == 1);
    f.io.eoi(0x39);   // still high: again
    CHECK(f.sent.size() == 2);
    f.io.set_irq(9, false);
    f.io.eoi(0x39);
    CHECK(f.sent.size() == 2);
    CHECK_FALSE(f.rd(REG_REDTBL + 18) & RTE_REMOTE_IRR);
    // Masked while high, then unmasked: delivered then.
    f.route(9, RTE_MASKED | RTE_LEVEL | 0x39);
    f.io.set_irq(9, true);
    CHECK(f.sent.size() == 2);
    f.route(9, RTE_LEVEL | 0x39);
    CHECK(f.sent.size() == 3);
    // The version 0x20 EOI register.
    REQUIRE(f.io.mmio_write(EOI, 4, 0x39));
    CHECK(f.sent.size() == 4);
}

TEST_CASE("ioapic: version 0x11 has no EOI register", "[devices][ioapic][unit]") {
    Fixture f(IoApic::Config{0, 0x11});
    f.route(1, RTE_LEVEL | 0x41);
    f.io.set_irq(1, true);
    REQUIRE(f.io.mmio_write(EOI, 4, 0x41));
    CHECK(f.sent.size() == 1);
    CHECK(f.rd(REG_REDTBL + 2) & RTE_REMOTE_IRR);
    f.io.eoi(0x41);
    CHECK(f.sent.size() == 2);
}

TEST_CASE("ioapic: routing through the bus reaches the addressed local APIC and its EOI comes back",
          "[devices][ioapic][unit]") {
    uint64_t clock = 0;
    std::vector<std::unique_ptr<Lapic>> apics;
    ApicBus bus;
    IoApic io;
    for (uint32_t i = 0; i < 2; i++) {
        apics.push_back(std::make_unique<Lapic>(Lapic::Config{i, i == 0, 39}, [&clock] { return clock; }));
        REQUIRE(apics[i]->mmio_write(lapic::SVR, 4, 0x1FF));
        apics[i]->set_eoi_sink([&io](uint8_t v) { io.eoi(v); });
        bus.attach(apics[i].get());
    }
    io.set_sink([&bus](const ApicMessage& m) { bus.deliver(m); });
    auto route = [&io](unsigned pin, uint64_t e) {
        io.mmio_write(IOREGSEL, 4, REG_REDTBL + 2 * pin + 1);
        io.mmio_write(IOWIN, 4, e >> 32);
        io.mmio_write(IOREGSEL, 4, REG_REDTBL + 2 * pin);
        io.mmio_write(IOWIN, 4, e & 0xFFFFFFFF);
    };
    route(4, (uint64_t{1} << 56) | RTE_LEVEL | 0x34);
    io.set_irq(4, true);
    CHECK_FALSE(apics[0]->irr(0x34));
    REQUIRE(apics[1]->has_interrupt());
    CHECK(apics[1]->acknowledge() == 0x34);
    CHECK(apics[1]->tmr(0x34));
    io.set_irq(4, false);
    REQUIRE(apics[1]->mmio_write(lapic::EOI, 4, 0));
    CHECK_FALSE(io.entry(4) & RTE_REMOTE_IRR);
    // A level still high at the EOI comes back.
    io.set_irq(4, true);
    CHECK(apics[1]->acknowledge() == 0x34);
    REQUIRE(apics[1]->mmio_write(lapic::EOI, 4, 0));
    CHECK(apics[1]->irr(0x34));
}

TEST_CASE("ioapic: 100k random accesses and input changes never break it", "[devices][ioapic][unit]") {
    std::mt19937_64 rng(99);
    Fixture f;
    for (int i = 0; i < 100000; i++) {
        const uint64_t r = rng(), v = rng();
        const unsigned w = 1u << (r >> 8) % 4;
        switch (r % 4) {
        case 0: {
            uint64_t out = 0;
            CHECK(f.io.mmio_read((r >> 16) % (IoApic::kSize + 16), w, out));
            CHECK((w == 8 || out < (uint64_t{1} << (8 * w))));
            break;
        }
        case 1: CHECK(f.io.mmio_write((r >> 16) % 0x50, w, v)); break;
        case 2: f.io.set_irq(static_cast<unsigned>((r >> 8) % 30), (r >> 20) & 1); break;
        case 3: f.io.eoi(static_cast<uint8_t>(v)); break;
        }
    }
    for (unsigned pin = 0; pin < IoApic::kPins; pin++) CHECK((f.io.entry(pin) & ~RTE_WRITABLE & ~RTE_REMOTE_IRR) == 0);
}
