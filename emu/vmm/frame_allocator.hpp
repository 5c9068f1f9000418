// Page frames for the hypervisor's own data (G-stage page tables): a bump
// allocator over one host RAM region, handing out zeroed, aligned frames,
// as a hypervisor's frame allocator hands out host physical pages.
#pragma once
#include <cstdint>
#include <stdexcept>

#include "isa/common/phys_mem.hpp"

namespace hvemu::emu::vmm {

// The region ran out of frames.
class OutOfFrames : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class FrameAllocator {
public:
    static constexpr uint64_t kFrameSize = isa::PhysMem::kPageSize;

    // [base, base+size) must be RAM in `mem`.
    FrameAllocator(isa::PhysMem& mem, uint64_t base, uint64_t size);

    // `frames` contiguous zeroed frames whose address is a multiple of
    // `align` (a power of two, at least 4 KiB). Throws OutOfFrames.
    uint64_t alloc(uint64_t frames = 1, uint64_t align = kFrameSize);

    uint64_t base() const { return base_; }
    uint64_t used() const { return next_ - base_; }
    uint64_t size() const { return size_; }

private:
    isa::PhysMem& mem_;
    uint64_t base_, size_, next_;
};

} // namespace hvemu::emu::vmm
