// I/O APIC register and delivery semantics (Intel 82093AA data sheet; the
// EOI register of version 0x20 as in later chipsets).
#include "devices/ioapic.hpp"

namespace hvemu::dev {

using namespace ioapic;

IoApic::IoApic() : IoApic(Config{}) {}

IoApic::IoApic(const Config& cfg) : cfg_(cfg) { reset(); }

void IoApic::reset() {
    regsel_ = 0;
    id_ = uint32_t{cfg_.id} << 24;
    rte_.fill(RTE_MASKED);
}

uint32_t IoApic::read_reg(uint32_t index) const {
    switch (index) {
    case REG_ID: return id_;
    case REG_VER: return ((kPins - 1) << 16) | cfg_.version;
    case REG_ARB: return id_;   // the arbitration ID follows the ID
    default: break;
    }
    if (index >= REG_REDTBL && index < REG_REDTBL + 2 * kPins) {
        const uint64_t e = rte_[(index - REG_REDTBL) / 2];
        return static_cast<uint32_t>((index & 1) ? e >> 32 : e);
    }
    return 0;
}

void IoApic::write_reg(uint32_t index, uint32_t value) {
    if (index == REG_ID) {
        id_ = value & 0x0F000000;
        return;
    }
    if (index < REG_REDTBL || index >= REG_REDTBL + 2 * kPins) return;   // VER, ARB, reserved: read-only
    const unsigned pin = (index - REG_REDTBL) / 2;
    uint64_t& e = rte_[pin];
    const uint64_t part = (index & 1) ? uint64_t{value} << 32 : value;
    const uint64_t half = (index & 1) ? 0xFFFFFFFF00000000ull : 0xFFFFFFFFull;
    e = (e & ~(half & RTE_WRITABLE)) | (part & half & RTE_WRITABLE);
    // Switching to edge drops a remote IRR that nothing will clear.
    if (!(e & RTE_LEVEL)) e &= ~RTE_REMOTE_IRR;
    service(pin);   // unmasked (or made level) while the line is high
}

void IoApic::send(unsigned pin) {
    const uint64_t e = rte_[pin];
    ApicMessage m;
    m.vector = static_cast<uint8_t>(e & 0xFF);
    m.mode = static_cast<apic::Delivery>((e >> 8) & 7);
    m.logical = (e & RTE_DEST_LOGICAL) != 0;
    m.level = (e & RTE_LEVEL) != 0;
    m.dest = static_cast<uint32_t>(e >> 56);
    if (sink_) sink_(m);
}

void IoApic::service(unsigned pin) {
    uint64_t& e = rte_[pin];
    if ((e & RTE_MASKED) || !(e & RTE_LEVEL) || !levels_[pin] || (e & RTE_REMOTE_IRR)) return;
    // Remote IRR holds a level interrupt until the EOI; only fixed and
    // lowest-priority messages are answered with one.
    const auto mode = static_cast<apic::Delivery>((e >> 8) & 7);
    if (mode == apic::Delivery::Fixed || mode == apic::Delivery::LowestPriority) e |= RTE_REMOTE_IRR;
    send(pin);
}

void IoApic::set_irq(unsigned pin, bool level) {
    if (pin >= kPins) return;
    const bool rising = level && !levels_[pin];
    levels_[pin] = level;
    const uint64_t e = rte_[pin];
    if (e & RTE_LEVEL) {
        service(pin);
    } else if (rising && !(e & RTE_MASKED)) {
        send(pin);
    }
}

void IoApic::eoi(uint8_t vector) {
    for (unsigned pin = 0; pin < kPins; pin++) {
        uint64_t& e = rte_[pin];
        if ((e & RTE_REMOTE_IRR) && (e & 0xFF) == vector) {
            e &= ~RTE_REMOTE_IRR;
            service(pin);   // still high: again
        }
    }
}

bool IoApic::mmio_read(uint64_t offset, unsigned width, uint64_t& value) {
    uint32_t v = 0;
    switch (offset & ~uint64_t{3}) {
    case IOREGSEL: v = regsel_; break;
    case IOWIN: v = read_reg(regsel_); break;
    default: break;   // EOI is write-only; the rest reads 0
    }
    v >>= 8 * (offset & 3);
    value = width >= 4 ? v : v & ((1u << (8 * width)) - 1);
    return true;
}

bool IoApic::mmio_write(uint64_t offset, unsigned width, uint64_t value) {
    const uint32_t v = static_cast<uint32_t>(value);
    if (offset == IOREGSEL) {
        regsel_ = v & 0xFF;   // byte writes of the index are common
    } else if (offset == IOWIN && width >= 4) {
        write_reg(regsel_, v);
    } else if (offset == EOI && width >= 4 && cfg_.version >= 0x20) {
        eoi(static_cast<uint8_t>(v));
    }
    return true;
}

} // namespace hvemu::dev
