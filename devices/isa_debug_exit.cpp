// The exit write of isa-debug-exit.
#include "devices/isa_debug_exit.hpp"

namespace hvemu::dev {

bool IsaDebugExit::mmio_write(uint64_t, unsigned width, uint64_t value) {
    // The value as wide as the access (port I/O is at most 32 bits).
    const unsigned w = width > 4 ? 4 : width;
    const uint64_t v = value & ((uint64_t{1} << (8 * w)) - 1);
    exited_ = true;
    status_ = status_of(v);
    if (on_exit_) on_exit_(status_);
    return true;
}

} // namespace hvemu::dev
