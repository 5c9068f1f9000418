// The VM's emulated devices by guest-physical address: where the VMM sends
// MmioRead/MmioWrite exits. An address no device claims is for the caller
// to report.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "devices/device.hpp"

namespace hvemu::emu::vmm {

class MmioBus {
public:
    struct Slot {
        uint64_t base = 0, size = 0;
        dev::Device* device = nullptr;
    };

    // Throws std::invalid_argument when [base, base+size) overlaps a slot.
    void add(uint64_t base, uint64_t size, dev::Device& d);
    // The slot holding [addr, addr+width), or nullptr.
    const Slot* find(uint64_t addr, unsigned width) const;
    const std::vector<Slot>& slots() const { return slots_; }

private:
    std::vector<Slot> slots_;
};

} // namespace hvemu::emu::vmm
