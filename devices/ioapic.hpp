// An I/O APIC as on a PC (82093AA and its successors): at 0xFEC00000, an
// index register (IOREGSEL, offset 0x00) and a data window (IOWIN, 0x10),
// 24 redirection entries, version 0x11 (82093AA) or 0x20 (with the
// directed EOI register at 0x40). An input pin's entry turns a rising edge
// (edge-triggered) or a high level (level-triggered, held back by remote
// IRR until the local APIC's EOI) into an ApicMessage for the local APICs
// it names. Masked inputs deliver nothing; an edge seen while masked is
// lost, a level still high when unmasked is delivered then.
// As in QEMU, inputs are taken as active high whatever the polarity bit
// says (devices here drive their lines high when asserted); the bit is
// kept for software to read back.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "devices/apic_bus.hpp"
#include "devices/device.hpp"

namespace hvemu::dev {

namespace ioapic {
constexpr uint32_t IOREGSEL = 0x00, IOWIN = 0x10, EOI = 0x40;
constexpr uint32_t REG_ID = 0x00, REG_VER = 0x01, REG_ARB = 0x02, REG_REDTBL = 0x10;
// Redirection entry bits
constexpr uint64_t RTE_DEST_LOGICAL = 1u << 11, RTE_STATUS = 1u << 12, RTE_POLARITY = 1u << 13;
constexpr uint64_t RTE_REMOTE_IRR = 1u << 14, RTE_LEVEL = 1u << 15, RTE_MASKED = 1u << 16;
constexpr uint64_t RTE_WRITABLE = 0xFF0000000001AFFFull;   // vector, mode, dest mode, polarity, trigger, mask, dest
} // namespace ioapic

class IoApic final : public Device {
public:
    static constexpr uint64_t kDefaultBase = 0xFEC00000;
    static constexpr uint64_t kSize = 0x1000;
    static constexpr unsigned kPins = 24;

    struct Config {
        uint8_t id = 0;           // the IOAPIC ID (QEMU: 0)
        uint8_t version = 0x20;   // 0x11 or 0x20
    };

    IoApic();
    explicit IoApic(const Config& cfg);

    // Where interrupt messages go (the machine's ApicBus, or a VMM).
    void set_sink(std::function<void(const ApicMessage&)> s) { sink_ = std::move(s); }

    // An input pin's level (pins >= 24 are ignored).
    void set_irq(unsigned pin, bool level);
    IrqLine::Sink irq_sink(unsigned pin) {
        return [this, pin](bool level) { set_irq(pin, level); };
    }
    // A local APIC's EOI broadcast for a level-triggered vector.
    void eoi(uint8_t vector);

    // ---- Inspection
    uint64_t entry(unsigned pin) const { return pin < kPins ? rte_[pin] : 0; }
    bool level(unsigned pin) const { return pin < kPins && levels_[pin]; }

    // Device
    std::string_view name() const override { return "ioapic"; }
    uint64_t size() const override { return kSize; }
    void reset() override;
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override;
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    uint32_t read_reg(uint32_t index) const;
    void write_reg(uint32_t index, uint32_t value);
    void send(unsigned pin);
    void service(unsigned pin);   // a level input that is high and not held back: deliver

    Config cfg_;
    std::function<void(const ApicMessage&)> sink_;
    uint32_t regsel_ = 0;
    uint32_t id_ = 0;
    std::array<uint64_t, kPins> rte_{};
    std::array<bool, kPins> levels_{};
};

} // namespace hvemu::dev
