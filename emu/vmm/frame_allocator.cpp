#include "emu/vmm/frame_allocator.hpp"

#include <cstring>

#include <fmt/format.h>

namespace hvemu::emu::vmm {

FrameAllocator::FrameAllocator(isa::PhysMem& mem, uint64_t base, uint64_t size)
    : mem_(mem), base_(base), size_(size), next_(base) {
    if ((base | size) & (kFrameSize - 1) || !mem.is_ram(base, size))
        throw std::invalid_argument(fmt::format("frame region [{:#x}, +{:#x}) is not page-aligned host RAM", base, size));
}

uint64_t FrameAllocator::alloc(uint64_t frames, uint64_t align) {
    if (frames == 0 || align < kFrameSize || (align & (align - 1)))
        throw std::invalid_argument("FrameAllocator::alloc: bad frame count or alignment");
    const uint64_t at = (next_ + align - 1) & ~(align - 1);
    const uint64_t bytes = frames * kFrameSize;
    if (at < next_ || at - base_ > size_ || bytes > size_ - (at - base_))
        throw OutOfFrames(fmt::format("out of hypervisor frames: {} KiB of {} KiB used, {} more frame(s) wanted",
                                      used() >> 10, size_ >> 10, frames));
    std::memset(mem_.ram_ptr(at, bytes), 0, bytes);
    next_ = at + bytes;
    return at;
}

} // namespace hvemu::emu::vmm
