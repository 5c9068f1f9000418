// QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,
// iosize=0x04): a write of v ends the run with status (v << 1) | 1, so a
// guest cannot exit with status 0 through it (test harnesses map a chosen
// odd status to success). Reads return 0.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/device.hpp"

namespace hvemu::dev {

class IsaDebugExit final : public Device {
public:
    static constexpr uint16_t kDefaultPort = 0xf4;
    static constexpr uint64_t kSize = 4;

    using ExitSink = std::function<void(uint64_t status)>;
    explicit IsaDebugExit(ExitSink on_exit = {}) : on_exit_(std::move(on_exit)) {}
    void set_exit(ExitSink s) { on_exit_ = std::move(s); }

    static uint64_t status_of(uint64_t value) { return (value << 1) | 1; }
    // The last status written (none before the first write).
    bool exited() const { return exited_; }
    uint64_t status() const { return status_; }

    std::string_view name() const override { return "isa-debug-exit"; }
    uint64_t size() const override { return kSize; }
    void reset() override { exited_ = false; status_ = 0; }
    bool mmio_read(uint64_t, unsigned, uint64_t& value) override {
        value = 0;
        return true;
    }
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    ExitSink on_exit_;
    bool exited_ = false;
    uint64_t status_ = 0;
};

} // namespace hvemu::dev
