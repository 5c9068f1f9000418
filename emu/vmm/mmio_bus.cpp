#include "emu/vmm/mmio_bus.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace hvemu::emu::vmm {

void MmioBus::add(uint64_t base, uint64_t size, dev::Device& d) {
    if (size == 0 || base + size < base)
        throw std::invalid_argument(fmt::format("device {} at {:#x}: bad size {:#x}", d.name(), base, size));
    for (const Slot& s : slots_)
        if (base < s.base + s.size && s.base < base + size)
            throw std::invalid_argument(fmt::format("device {} at {:#x} overlaps {} at {:#x}", d.name(), base,
                                                    s.device->name(), s.base));
    slots_.push_back({base, size, &d});
}

const MmioBus::Slot* MmioBus::find(uint64_t addr, unsigned width) const {
    for (const Slot& s : slots_)
        if (addr - s.base < s.size && width <= s.size - (addr - s.base)) return &s;
    return nullptr;
}

} // namespace hvemu::emu::vmm
