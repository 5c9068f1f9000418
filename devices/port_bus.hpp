// The x86 I/O port space of a machine (or a VMM's IoRead/IoWrite exits):
// port ranges mapped to devices that see (port - base, width, value) as
// they would see MMIO offsets, so the same dev::Uart16550 serves 0x3f8 on
// a PC and an MMIO window on riscv64-virt. An access wider than a device
// takes (max_width) is split into pieces, as the ISA bus splits a 16-bit
// OUT to an 8-bit device; a piece that hits no device reads all ones and
// its write is dropped. Unknown ports are counted.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "isa/common/phys_mem.hpp"
#include "isa/x86/core.hpp"

namespace hvemu::dev {

// Sees each port access after it is done (tracing): the port, the width,
// the value read or written, whether some device took it, and the name of
// the device (of its first byte, for an access split into pieces; "" when
// none took it).
class PortObserver {
public:
    virtual ~PortObserver() = default;
    virtual void on_port(uint16_t port, unsigned width, uint32_t value, bool write, bool ok,
                         const std::string& device) = 0;
};

class PortBus final : public x86::IoBus {
public:
    struct Range {
        uint16_t base = 0;
        uint32_t size = 0;
        isa::MmioTarget* dev = nullptr;
        unsigned max_width = 1;
        std::string name;
    };

    // Ranges must not overlap or run past port 0xffff (std::invalid_argument).
    void map(uint16_t base, uint32_t size, isa::MmioTarget* dev, std::string name, unsigned max_width = 1);
    const Range* find(uint16_t port) const;
    const std::vector<Range>& ranges() const { return ranges_; }

    // Accesses that reached no device.
    uint64_t unknown_reads() const { return unknown_reads_; }
    uint64_t unknown_writes() const { return unknown_writes_; }

    // IoBus; false when no byte of the access reached a device.
    bool io_read(uint16_t port, unsigned width, uint32_t& value) override;
    bool io_write(uint16_t port, unsigned width, uint32_t value) override;

    PortObserver* observer = nullptr;

private:
    bool read_pieces(uint16_t port, unsigned width, uint32_t& value, const Range*& first);
    bool write_pieces(uint16_t port, unsigned width, uint32_t value, const Range*& first);
    std::vector<Range> ranges_;   // sorted by base
    uint64_t unknown_reads_ = 0, unknown_writes_ = 0;
};

} // namespace hvemu::dev
