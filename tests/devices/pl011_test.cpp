// The PL011: reset and identification values, transmission, reception
// with and without FIFOs, overrun, loopback, the interrupt registers and
// the access rules.
#include <catch2/catch.hpp>

#include <string>

#include "devices/pl011.hpp"

using hvemu::dev::Pl011;

namespace {

struct Fixture {
    std::string tx;
    int irq_changes = 0;
    Pl011 u{[this](uint8_t b) { tx.push_back(static_cast<char>(b)); }};
    Fixture() {
        u.irq().connect([this](bool) { irq_changes++; });
    }
    uint32_t rd(uint64_t reg, unsigned width = 4) {
        uint64_t v = 0xdead;
        REQUIRE(u.mmio_read(reg, width, v));
        return static_cast<uint32_t>(v);
    }
    void wr(uint64_t reg, uint32_t v, unsigned width = 4) { REQUIRE(u.mmio_write(reg, width, v)); }
};

} // namespace

TEST_CASE("PL011 reset values", "[pl011][unit]") {
    Fixture f;
    CHECK(f.rd(Pl011::FR) == (Pl011::FR_TXFE | Pl011::FR_RXFE));   // 0x90
    CHECK(f.rd(Pl011::CR) == 0x300);                                 // TXE | RXE
    CHECK(f.rd(Pl011::IFLS) == 0x12);
    CHECK(f.rd(Pl011::LCR_H) == 0);
    CHECK(f.rd(Pl011::IBRD) == 0);
    CHECK(f.rd(Pl011::FBRD) == 0);
    CHECK(f.rd(Pl011::IMSC) == 0);
    CHECK(f.rd(Pl011::RIS) == 0);
    CHECK(f.rd(Pl011::MIS) == 0);
    CHECK(f.rd(Pl011::RSR) == 0);
    CHECK(f.rd(Pl011::DMACR) == 0);
    CHECK_FALSE(f.u.irq().level());
}

TEST_CASE("PL011 peripheral and cell identification", "[pl011][unit]") {
    Fixture f;
    const uint32_t expect[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (unsigned i = 0; i < 8; i++) CHECK(f.rd(0xFE0 + 4 * i) == expect[i]);
    f.wr(0xFE0, 0x55);   // read-only
    CHECK(f.rd(0xFE0) == 0x11);
}

TEST_CASE("PL011 transmits UARTDR writes of any width and raises TXRIS", "[pl011][unit]") {
    Fixture f;
    f.wr(Pl011::DR, 'o');
    f.wr(Pl011::DR, 'k', 1);
    f.wr(Pl011::DR, 0x100 | '!', 2);   // only the low byte is data
    CHECK(f.tx == "ok!");
    CHECK(f.rd(Pl011::RIS) == Pl011::INT_TX);
    CHECK_FALSE(f.u.irq().level());    // masked
    f.wr(Pl011::IMSC, Pl011::INT_TX);
    CHECK(f.u.irq().level());
    CHECK(f.rd(Pl011::MIS) == Pl011::INT_TX);
    f.wr(Pl011::ICR, Pl011::INT_TX);
    CHECK(f.rd(Pl011::RIS) == 0);
    CHECK_FALSE(f.u.irq().level());
    // The transmitter never fills or stays busy.
    CHECK((f.rd(Pl011::FR) & (Pl011::FR_TXFF | Pl011::FR_BUSY)) == 0);
}

TEST_CASE("PL011 receives without FIFOs: one character holds the receiver", "[pl011][unit]") {
    Fixture f;
    f.wr(Pl011::IMSC, Pl011::INT_RX);
    CHECK(f.u.rx_space() == 1);
    f.u.push_rx('a');
    CHECK(f.u.irq().level());
    CHECK(f.rd(Pl011::FR) == (Pl011::FR_TXFE | Pl011::FR_RXFF));
    CHECK(f.u.rx_space() == 0);
    f.u.push_rx('b');   // overrun: lost
    CHECK(f.rd(Pl011::RSR) == Pl011::RSR_OE);
    CHECK((f.rd(Pl011::RIS) & Pl011::INT_OE) != 0);
    CHECK(f.rd(Pl011::DR) == 'a');
    CHECK_FALSE(f.u.irq().level());
    CHECK((f.rd(Pl011::FR) & Pl011::FR_RXFE) != 0);
    // The next character that fits carries the overrun flag in DR[11].
    f.u.push_rx('c');
    CHECK(f.rd(Pl011::DR) == (0x800u | 'c'));
    f.wr(Pl011::ECR, 0);
    CHECK(f.rd(Pl011::RSR) == 0);
    CHECK(f.rd(Pl011::DR) == 0);   // empty receiver reads zero
}

TEST_CASE("PL011 FIFOs hold 32 characters; toggling FEN empties them", "[pl011][unit]") {
    Fixture f;
    f.wr(Pl011::LCR_H, Pl011::LCR_H_FEN | 0x60);   // 8 bits, FIFOs on
    CHECK(f.u.rx_space() == 32);
    for (int i = 0; i < 32; i++) f.u.push_rx(static_cast<uint8_t>('A' + i));
    CHECK((f.rd(Pl011::FR) & Pl011::FR_RXFF) != 0);
    CHECK(f.rd(Pl011::RSR) == 0);
    CHECK(f.rd(Pl011::DR) == 'A');
    CHECK(f.rd(Pl011::DR) == 'B');
    CHECK(f.u.rx_count() == 30);
    CHECK((f.rd(Pl011::RIS) & Pl011::INT_RX) != 0);
    f.wr(Pl011::LCR_H, 0x60);   // FIFOs off
    CHECK(f.u.rx_count() == 0);
    CHECK((f.rd(Pl011::FR) & Pl011::FR_RXFE) != 0);
    CHECK((f.rd(Pl011::RIS) & Pl011::INT_RX) == 0);
}

TEST_CASE("PL011 receive interrupt follows the receiver and ICR", "[pl011][unit]") {
    Fixture f;
    f.wr(Pl011::LCR_H, Pl011::LCR_H_FEN);
    f.wr(Pl011::IMSC, Pl011::INT_RX | Pl011::INT_RT);
    f.u.push_rx('x');
    CHECK(f.rd(Pl011::MIS) == Pl011::INT_RX);
    f.wr(Pl011::ICR, Pl011::INT_ALL);
    CHECK_FALSE(f.u.irq().level());
    f.u.push_rx('y');   // a new character raises it again
    CHECK(f.u.irq().level());
    CHECK(f.rd(Pl011::DR) == 'x');
    CHECK(f.u.irq().level());   // still one character waiting
    CHECK(f.rd(Pl011::DR) == 'y');
    CHECK_FALSE(f.u.irq().level());
}

TEST_CASE("PL011 loopback sends the transmitter to the receiver", "[pl011][unit]") {
    Fixture f;
    f.wr(Pl011::CR, Pl011::CR_UARTEN | Pl011::CR_TXE | Pl011::CR_RXE | Pl011::CR_LBE);
    f.wr(Pl011::DR, 'L');
    CHECK(f.tx.empty());
    f.u.push_rx('z');   // the wire is disconnected
    CHECK(f.rd(Pl011::DR) == 'L');
    CHECK(f.rd(Pl011::DR) == 0);
}

TEST_CASE("PL011 divisor, line control and DMA registers keep their fields", "[pl011][unit]") {
    Fixture f;
    f.wr(Pl011::IBRD, 0x12345);
    CHECK(f.rd(Pl011::IBRD) == 0x2345);
    f.wr(Pl011::FBRD, 0xFF);
    CHECK(f.rd(Pl011::FBRD) == 0x3F);
    f.wr(Pl011::LCR_H, 0x1FF);
    CHECK(f.rd(Pl011::LCR_H) == 0xFF);
    f.wr(Pl011::IFLS, 0xFFFF);
    CHECK(f.rd(Pl011::IFLS) == 0x3F);
    f.wr(Pl011::DMACR, 0xFF);
    CHECK(f.rd(Pl011::DMACR) == 0x7);
    f.wr(Pl011::CR, 0xFFFFFFFF);
    CHECK(f.rd(Pl011::CR) == 0xFF87);
    f.wr(Pl011::IMSC, 0xFFFFFFFF);
    CHECK(f.rd(Pl011::IMSC) == Pl011::INT_ALL);
    f.wr(Pl011::FR, 0);   // read-only
    CHECK(f.rd(Pl011::FR) == 0x90);
    f.u.reset();
    CHECK(f.rd(Pl011::IBRD) == 0);
    CHECK(f.rd(Pl011::CR) == 0x300);
}

TEST_CASE("PL011 access rules: reserved and odd offsets RAZ/WI, bad widths fault", "[pl011][unit]") {
    Fixture f;
    CHECK(f.rd(0x008) == 0);
    CHECK(f.rd(0x04C) == 0);
    CHECK(f.rd(0xF00) == 0);
    CHECK(f.rd(Pl011::ICR) == 0);     // write-only
    CHECK(f.rd(Pl011::FR + 1, 1) == 0);
    CHECK(f.rd(Pl011::FR, 8) == 0);
    CHECK(f.rd(Pl011::FR, 1) == 0x90);
    f.wr(0x001, 'q', 1);              // not UARTDR
    CHECK(f.tx.empty());
    uint64_t v = 0;
    CHECK_FALSE(f.u.mmio_read(Pl011::FR, 3, v));
    CHECK_FALSE(f.u.mmio_write(Pl011::DR, 16, 'x'));
    CHECK(f.tx.empty());
}
