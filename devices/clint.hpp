// The SiFive CLINT as on QEMU's virt board: per-hart msip and mtimecmp
// registers and the shared mtime. It does not own time: the machine
// supplies now()/set_time() (the model's cycle counter) and receives
// mtimecmp and msip changes for the harts it runs.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "devices/device.hpp"

namespace hvemu::dev {

class Clint final : public Device {
public:
    static constexpr uint64_t kSize = 0x10000;
    static constexpr uint64_t kMsipBase = 0x0;       // 4 bytes per hart
    static constexpr uint64_t kMtimecmpBase = 0x4000; // 8 bytes per hart
    static constexpr uint64_t kMtime = 0xBFF8;
    static constexpr unsigned kMaxHarts = 4095;

    struct Callbacks {
        std::function<uint64_t()> now;                          // mtime as the accessing hart sees it
        std::function<void(uint64_t)> set_time;                 // mtime written
        std::function<void(unsigned, uint64_t)> on_mtimecmp;    // hart, new comparator
        std::function<void(unsigned, bool)> on_msip;            // hart, level
    };

    Clint(unsigned num_harts, Callbacks cb);

    uint64_t mtimecmp(unsigned hart) const { return mtimecmp_.at(hart); }
    bool msip(unsigned hart) const { return msip_.at(hart); }
    unsigned num_harts() const { return static_cast<unsigned>(msip_.size()); }

    // Device
    std::string_view name() const override { return "clint"; }
    uint64_t size() const override { return kSize; }
    void reset() override;
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override;
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    uint64_t now() const { return cb_.now ? cb_.now() : 0; }

    Callbacks cb_;
    std::vector<bool> msip_;
    std::vector<uint64_t> mtimecmp_;
};

} // namespace hvemu::dev
