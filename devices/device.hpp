// The device interface: a device is an MMIO target with a name and a
// register-window size; it sees (offset, width, value) accesses and drives
// interrupt lines. Devices never see a hart or a vCPU: the machine (or the
// VMM) connects their lines to whatever receives them.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "isa/common/phys_mem.hpp"

namespace hvemu::dev {

// A level-sensitive interrupt line. The device sets its level; the sink
// (an interrupt controller input, a hart's mip bit) hears every change.
// An unconnected line just remembers its level.
class IrqLine {
public:
    using Sink = std::function<void(bool level)>;

    IrqLine() = default;
    explicit IrqLine(Sink sink) : sink_(std::move(sink)) {}

    // Connect (or replace) the sink; it is told the current level at once
    // so a line raised before wiring is not lost.
    void connect(Sink sink) {
        sink_ = std::move(sink);
        if (sink_) sink_(level_);
    }
    void set(bool level) {
        if (level == level_) return;
        level_ = level;
        if (sink_) sink_(level_);
    }
    void raise() { set(true); }
    void lower() { set(false); }
    bool level() const { return level_; }

private:
    Sink sink_;
    bool level_ = false;
};

class Device : public isa::MmioTarget {
public:
    virtual std::string_view name() const = 0;
    // Size in bytes of the register window (the FDT `reg` size).
    virtual uint64_t size() const = 0;
    // Back to the power-on state (machine reset).
    virtual void reset() {}
};

} // namespace hvemu::dev
