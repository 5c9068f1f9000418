// The 16550 UART: register reset values, DLAB, transmission, reception
// with and without FIFOs, overrun, loopback, and the interrupt identities
// in their priority order.
#include <catch2/catch.hpp>

#include <string>

#include "devices/uart16550.hpp"

using hvemu::dev::Uart16550;

namespace {

struct Fixture {
    std::string tx;
    int irq_changes = 0;
    Uart16550 u{[this](uint8_t b) { tx.push_back(static_cast<char>(b)); }};
    Fixture() {
        u.irq().connect([this](bool) { irq_changes++; });
    }
    uint8_t rd(unsigned reg) {
        uint64_t v = 0;
        REQUIRE(u.mmio_read(reg, 1, v));
        return static_cast<uint8_t>(v);
    }
    void wr(unsigned reg, uint8_t v) { REQUIRE(u.mmio_write(reg, 1, v)); }
};

} // namespace

TEST_CASE("UART reset values", "[uart]") {
    Fixture f;
    CHECK(f.rd(Uart16550::IER) == 0);
    CHECK(f.rd(Uart16550::IIR) == 0x01);
    CHECK(f.rd(Uart16550::LCR) == 0);
    CHECK(f.rd(Uart16550::MCR) == 0);
    CHECK(f.rd(Uart16550::LSR) == 0x60);   // THRE | TEMT
    CHECK(f.rd(Uart16550::MSR) == 0xB0);   // DCD | DSR | CTS, as QEMU
    CHECK_FALSE(f.u.irq().level());
}

TEST_CASE("UART transmits THR writes; DLAB selects the divisor latch", "[uart]") {
    Fixture f;
    f.wr(Uart16550::THR, 'h');
    f.wr(Uart16550::THR, 'i');
    CHECK(f.tx == "hi");
    f.wr(Uart16550::LCR, 0x83);             // DLAB, 8N1
    f.wr(Uart16550::DLL, 0x01);
    f.wr(Uart16550::DLM, 0x02);
    CHECK(f.tx == "hi");                    // divisor writes are not data
    CHECK(f.rd(Uart16550::DLL) == 0x01);
    CHECK(f.rd(Uart16550::DLM) == 0x02);
    f.wr(Uart16550::LCR, 0x03);
    CHECK(f.rd(Uart16550::IER) == 0);       // IER was not touched by DLM
    f.wr(Uart16550::SCR, 0x5A);
    CHECK(f.rd(Uart16550::SCR) == 0x5A);
    // Registers repeat every 8 bytes and accept wider accesses.
    uint64_t v = 0;
    REQUIRE(f.u.mmio_read(8 + Uart16550::SCR, 4, v));
    CHECK(v == 0x5A);
}

TEST_CASE("UART THRE interrupt: raised on enable, acknowledged by reading IIR, raised again by THR", "[uart]") {
    Fixture f;
    f.wr(Uart16550::IER, Uart16550::IER_ETBEI);
    CHECK(f.u.irq().level());
    CHECK(f.rd(Uart16550::IIR) == Uart16550::IIR_THRE);
    CHECK_FALSE(f.u.irq().level());         // the IIR read acknowledged it
    CHECK(f.rd(Uart16550::IIR) == Uart16550::IIR_NONE);
    f.wr(Uart16550::THR, 'x');
    CHECK(f.u.irq().level());
    f.wr(Uart16550::IER, 0);
    CHECK_FALSE(f.u.irq().level());
}

TEST_CASE("UART reception without FIFOs: one holding byte, overrun sets OE", "[uart]") {
    Fixture f;
    CHECK(f.u.rx_space() == 1);
    f.u.push_rx('a');
    CHECK(f.rd(Uart16550::LSR) & Uart16550::LSR_DR);
    CHECK_FALSE(f.u.irq().level());         // ERBFI is off
    f.wr(Uart16550::IER, Uart16550::IER_ERBFI);
    CHECK(f.u.irq().level());
    CHECK(f.rd(Uart16550::IIR) == Uart16550::IIR_RDA);
    f.u.push_rx('b');                       // no room: lost
    f.wr(Uart16550::IER, Uart16550::IER_ERBFI | Uart16550::IER_ELSI);
    CHECK(f.rd(Uart16550::IIR) == Uart16550::IIR_RLS);   // line status outranks data
    const uint8_t lsr = f.rd(Uart16550::LSR);
    CHECK(lsr & Uart16550::LSR_OE);
    CHECK((f.rd(Uart16550::LSR) & Uart16550::LSR_OE) == 0);   // cleared by the read
    CHECK(f.rd(Uart16550::RBR) == 'a');
    CHECK((f.rd(Uart16550::LSR) & Uart16550::LSR_DR) == 0);
    CHECK_FALSE(f.u.irq().level());
    CHECK(f.rd(Uart16550::RBR) == 0);       // empty reads 0
}

TEST_CASE("UART FIFOs: 16 bytes, trigger level, timeout identity, clearing", "[uart]") {
    Fixture f;
    f.wr(Uart16550::FCR, 0xC1);             // FIFO on, trigger 14
    CHECK((f.rd(Uart16550::IIR) & 0xC0) == 0xC0);
    CHECK(f.u.rx_space() == 16);
    f.wr(Uart16550::IER, Uart16550::IER_ERBFI);
    for (char c : std::string("abc")) f.u.push_rx(static_cast<uint8_t>(c));
    CHECK(f.u.irq().level());
    CHECK(f.rd(Uart16550::IIR) == (Uart16550::IIR_FIFO | Uart16550::IIR_TIMEOUT));
    for (int i = 0; i < 11; i++) f.u.push_rx('z');
    CHECK(f.rd(Uart16550::IIR) == (Uart16550::IIR_FIFO | Uart16550::IIR_RDA));
    CHECK(f.u.rx_space() == 2);
    CHECK(f.rd(Uart16550::RBR) == 'a');
    CHECK(f.rd(Uart16550::RBR) == 'b');
    f.wr(Uart16550::FCR, 0xC1 | Uart16550::FCR_RXCLR);
    CHECK(f.u.rx_count() == 0);
    CHECK_FALSE(f.u.irq().level());
    f.u.push_rx('q');
    f.wr(Uart16550::FCR, 0);                // FIFOs off: emptied
    CHECK(f.u.rx_count() == 0);
    CHECK(f.u.rx_space() == 1);
}

TEST_CASE("UART loopback: THR comes back on RBR, MCR outputs drive MSR", "[uart]") {
    Fixture f;
    f.wr(Uart16550::MCR, Uart16550::MCR_LOOP);
    f.rd(Uart16550::MSR);                   // clear the deltas of entering loopback
    f.wr(Uart16550::THR, 'L');
    CHECK(f.tx.empty());
    CHECK(f.rd(Uart16550::RBR) == 'L');
    f.wr(Uart16550::MCR, Uart16550::MCR_LOOP | 0x03);   // DTR, RTS
    const uint8_t msr = f.rd(Uart16550::MSR);
    CHECK((msr & 0xF0) == (Uart16550::MSR_DSR | Uart16550::MSR_CTS));
    CHECK(msr & Uart16550::MSR_DCTS);
    CHECK(msr & Uart16550::MSR_DDSR);
    CHECK((f.rd(Uart16550::MSR) & 0x0F) == 0);          // deltas clear on read
    f.wr(Uart16550::IER, Uart16550::IER_EDSSI);
    f.wr(Uart16550::MCR, Uart16550::MCR_LOOP);
    CHECK(f.rd(Uart16550::IIR) == Uart16550::IIR_MSR);
    CHECK(f.u.irq().level());
}

TEST_CASE("UART reset clears state and lowers the line", "[uart]") {
    Fixture f;
    f.wr(Uart16550::IER, Uart16550::IER_ETBEI);
    REQUIRE(f.u.irq().level());
    f.u.reset();
    CHECK_FALSE(f.u.irq().level());
    CHECK(f.rd(Uart16550::IER) == 0);
}
