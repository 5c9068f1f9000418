// Host page frames for the hypervisor's per-CPU and per-vCPU VMX data
// (VMXON regions, VMCSs, I/O and MSR bitmaps, the host's own page table):
// a bump allocator over one host RAM region handing out zeroed 4 KiB
// frames, as a hypervisor's frame allocator hands out host physical pages.
#pragma once
#include <cstdint>

#include "isa/common/phys_mem.hpp"

namespace hvemu::vcpu::x86 {

class HostFrames {
public:
    static constexpr uint64_t kFrame = 4096;

    // [base, base + size) must be RAM in `mem`, 4 KiB aligned.
    HostFrames(isa::PhysMem& mem, uint64_t base, uint64_t size) : mem_(mem), base_(base), end_(base + size), next_(base) {}

    // `n` contiguous zeroed frames; 0 when the region is used up.
    uint64_t alloc(uint64_t n = 1) {
        if (n == 0 || n > (end_ - next_) / kFrame) return 0;
        const uint64_t pa = next_;
        next_ += n * kFrame;
        static const uint8_t zero[kFrame] = {};
        for (uint64_t k = 0; k < n; ++k) mem_.write_block(pa + k * kFrame, zero, kFrame);
        return pa;
    }
    isa::PhysMem& mem() { return mem_; }
    uint64_t used() const { return next_ - base_; }

private:
    isa::PhysMem& mem_;
    uint64_t base_, end_, next_;
};

} // namespace hvemu::vcpu::x86
