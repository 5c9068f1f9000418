// How model time runs: the core and timer frequencies and the timing
// profile whose costs the cores charge (timing_profile.hpp). Guest-visible
// time (rdcycle/rdtime, CNTVCT, TSC) derives from the cycle counter only.
#pragma once
#include <cstdint>
#include <memory>

#include "isa/common/timing_profile.hpp"

namespace hvemu::isa {

struct Clocking {
    uint64_t core_hz = 1'000'000'000;   // cycles per second of model time
    uint64_t timebase_hz = 10'000'000;  // mtime / time / CNTVCT frequency (QEMU virt: 10 MHz)
    // The profile every core built with this clocking charges (its costs
    // replace the core config's own); nullptr: the config's costs.
    std::shared_ptr<const TimingProfile> profile;
    uint64_t cycles_per_tick() const { return core_hz > timebase_hz ? core_hz / timebase_hz : 1; }
};

} // namespace hvemu::isa
