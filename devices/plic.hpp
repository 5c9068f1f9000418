// The RISC-V PLIC with QEMU virt's layout: priorities at 0x0, pending bits
// at 0x1000, enables at 0x2000 + 0x80*context, threshold and claim/complete
// at 0x200000 + 0x1000*context. Context 2h is hart h in M-mode, 2h+1 is
// hart h in S-mode. Sources are level-triggered through the spec's gateway.
#pragma once
#include <cstdint>
#include <vector>

#include "devices/device.hpp"

namespace hvemu::dev {

class Plic final : public Device {
public:
    static constexpr unsigned kNumSources = 96;       // source 0 is "no interrupt"
    static constexpr unsigned kMaxSource = kNumSources - 1;
    static constexpr uint32_t kPriorityMask = 7;      // 7 priority levels, as QEMU virt
    static constexpr uint64_t kPriorityBase = 0x0;
    static constexpr uint64_t kPendingBase = 0x1000;
    static constexpr uint64_t kEnableBase = 0x2000;
    static constexpr uint64_t kEnableStride = 0x80;
    static constexpr uint64_t kContextBase = 0x200000;
    static constexpr uint64_t kContextStride = 0x1000;
    static constexpr uint64_t kSize = 0x600000;       // QEMU virt's window (512 harts)

    explicit Plic(unsigned num_harts);

    unsigned num_contexts() const { return static_cast<unsigned>(ctx_.size()); }
    // The output of context c: an interrupt above its threshold is pending.
    IrqLine& context_irq(unsigned ctx) { return ctx_.at(ctx).out; }

    // A device's interrupt line into source `src` (1..95).
    void set_source_level(unsigned src, bool level);
    IrqLine::Sink source_sink(unsigned src) {
        return [this, src](bool level) { set_source_level(src, level); };
    }

    bool pending(unsigned src) const { return src < kNumSources && pending_[src]; }
    uint32_t claim(unsigned ctx);                      // as a read of the claim register
    void complete(unsigned ctx, uint32_t src);         // as a write of it

    // Device
    std::string_view name() const override { return "plic"; }
    uint64_t size() const override { return kSize; }
    void reset() override;
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override;
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    struct Context {
        std::vector<bool> enable = std::vector<bool>(kNumSources, false);
        uint32_t threshold = 0;
        IrqLine out;
    };
    uint32_t best_source(unsigned ctx) const;   // highest-priority deliverable, 0 if none
    void gateway(unsigned src);                 // forward a request if the level asks for one
    void update();

    std::vector<uint32_t> priority_ = std::vector<uint32_t>(kNumSources, 0);
    std::vector<bool> level_ = std::vector<bool>(kNumSources, false);
    std::vector<bool> pending_ = std::vector<bool>(kNumSources, false);
    std::vector<bool> in_flight_ = std::vector<bool>(kNumSources, false);  // claimed, not completed
    std::vector<Context> ctx_;
};

} // namespace hvemu::dev
