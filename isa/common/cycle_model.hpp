// The cycle counter's constants, kept in one place so a timing profile can
// replace them. For now: one cycle per instruction plus fixed costs for
// trap entry and return.
#pragma once
#include <cstdint>

namespace hvemu::isa {

struct CycleCosts {
    uint32_t trap_entry = 20;      // pipeline flush + vector fetch
    uint32_t trap_return = 10;     // xRET
    uint32_t tlb_walk_ref = 0;     // per page-walk memory reference (0: not modelled yet)
};

struct Clocking {
    uint64_t core_hz = 1'000'000'000;   // cycles per second of model time
    uint64_t timebase_hz = 10'000'000;  // mtime / time / CNTVCT frequency (QEMU virt: 10 MHz)
    uint64_t cycles_per_tick() const { return core_hz / timebase_hz; }
};

} // namespace hvemu::isa
