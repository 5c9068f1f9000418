// SiFive's test finisher ("sifive,test1") at QEMU virt's 0x100000: a
// guest ends the run by writing 0x5555 (pass), 0x3333 | code << 16 (fail
// with `code`) or 0x7777 (reset) to offset 0.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/device.hpp"

namespace hvemu::dev {

class SifiveTest final : public Device {
public:
    static constexpr uint64_t kSize = 0x1000;
    static constexpr uint32_t kFail = 0x3333, kPass = 0x5555, kReset = 0x7777;

    enum class Action : uint8_t { Exit, Reset };
    // Exit carries the guest's exit status (0 for pass); Reset carries 0.
    using Handler = std::function<void(Action, uint32_t status)>;

    explicit SifiveTest(Handler h = {}) : handler_(std::move(h)) {}
    void set_handler(Handler h) { handler_ = std::move(h); }

    // Device
    std::string_view name() const override { return "sifive_test"; }
    uint64_t size() const override { return kSize; }
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override;
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    Handler handler_;
};

} // namespace hvemu::dev
