// isa-debug-exit at port 0xf4 and the port bus: the exit status
// (v << 1) | 1 for each access width, the 16550 behind ports 0x3f8-0x3ff,
// splitting of wide accesses, unknown ports (all ones, counted) and bad
// mappings.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "devices/isa_debug_exit.hpp"
#include "devices/port_bus.hpp"
#include "devices/uart16550.hpp"

using namespace hvemu::dev;

TEST_CASE("isa-debug-exit: a write of v exits with (v << 1) | 1", "[devices][isa_debug_exit][unit]") {
    std::vector<uint64_t> exits;
    IsaDebugExit dev([&](uint64_t s) { exits.push_back(s); });
    PortBus bus;
    bus.map(IsaDebugExit::kDefaultPort, IsaDebugExit::kSize, &dev, "isa-debug-exit", 4);
    CHECK_FALSE(dev.exited());
    CHECK(bus.io_write(0xf4, 1, 0x10));
    CHECK(bus.io_write(0xf4, 1, 0x1FF));         // only the byte counts
    CHECK(bus.io_write(0xf4, 2, 0x1234));
    CHECK(bus.io_write(0xf4, 4, 0x80000000));
    CHECK(bus.io_write(0xf4, 1, 0));
    CHECK(exits == std::vector<uint64_t>{0x21, 0x1FF, 0x2469, 0x100000001ull, 1});
    CHECK(dev.exited());
    CHECK(dev.status() == 1);
    uint32_t v = 0xdead;
    CHECK(bus.io_read(0xf4, 4, v));
    CHECK(v == 0);
    dev.reset();
    CHECK_FALSE(dev.exited());
}

TEST_CASE("port bus: the 16550 behind 0x3f8, splitting, unknown ports", "[devices][isa_debug_exit][unit]") {
    std::string out;
    Uart16550 uart([&](uint8_t b) { out.push_back(static_cast<char>(b)); });
    PortBus bus;
    bus.map(0x3f8, 8, &uart, "uart16550");
    CHECK(bus.io_write(0x3f8, 1, 'h'));
    CHECK(bus.io_write(0x3f8, 1, 'i'));
    CHECK(out == "hi");
    uint32_t v = 0;
    CHECK(bus.io_read(0x3fd, 1, v));
    CHECK(v == (Uart16550::LSR_THRE | Uart16550::LSR_TEMT));
    // Scratch register round trip.
    CHECK(bus.io_write(0x3ff, 1, 0x5A));
    CHECK(bus.io_read(0x3ff, 1, v));
    CHECK(v == 0x5A);
    // A 16-bit read of LCR/MCR is two byte reads.
    CHECK(bus.io_write(0x3fb, 1, 0x03));
    CHECK(bus.io_write(0x3fc, 1, 0x0B));
    CHECK(bus.io_read(0x3fb, 2, v));
    CHECK(v == 0x0B03);
    // A 32-bit read straddling the end: the byte past the device is all ones.
    CHECK(bus.io_read(0x3fd, 4, v));
    CHECK((v >> 24) == 0xFF);
    // A 16-bit write to THR sends two bytes (THR then IER).
    CHECK(bus.io_write(0x3f8, 2, 0x0021));
    CHECK(out == "hi!");
    // Unknown ports.
    CHECK(bus.unknown_reads() == 0);
    CHECK_FALSE(bus.io_read(0x80, 1, v));
    CHECK(v == 0xFF);
    CHECK_FALSE(bus.io_read(0x1234, 4, v));
    CHECK(v == 0xFFFFFFFF);
    CHECK_FALSE(bus.io_write(0x80, 1, 0));
    CHECK(bus.unknown_reads() == 2);
    CHECK(bus.unknown_writes() == 1);
    CHECK_FALSE(bus.io_read(0xffff, 2, v));   // wraps, still nothing
    // Bad mappings.
    IsaDebugExit dev;
    CHECK_THROWS_AS(bus.map(0x3fc, 4, &dev, "overlap"), std::invalid_argument);
    CHECK_THROWS_AS(bus.map(0xfffe, 4, &dev, "past the end"), std::invalid_argument);
    CHECK_THROWS_AS(bus.map(0x10, 0, &dev, "empty"), std::invalid_argument);
    CHECK(bus.find(0x3ff)->name == "uart16550");
    CHECK(bus.find(0x400) == nullptr);
}
