// Completing an MMIO read: the value a device returned, extended from the
// access width to the register width as the exit asks (sign or zero), then
// zero-extended to 64 bits (an AArch64 W register write clears the upper
// half). Written in exactly one place: VMMs and tests call this.
#pragma once
#include <cstdint>

#include "vcpu/exit_reason.hpp"

namespace hvemu::vcpu {

inline uint64_t extend_value(uint64_t raw, unsigned from_bytes, unsigned to_bytes, bool signed_ext) {
    const unsigned from_bits = from_bytes * 8, to_bits = to_bytes * 8;
    uint64_t v = from_bits >= 64 ? raw : raw & ((uint64_t{1} << from_bits) - 1);
    if (signed_ext && from_bits < 64 && ((v >> (from_bits - 1)) & 1)) v |= ~uint64_t{0} << from_bits;
    if (to_bits < 64) v &= (uint64_t{1} << to_bits) - 1;
    return v;
}

// The register value for an MmioRead: pass it to set_gpr(e.reg, ...).
inline uint64_t complete_mmio_read(const exit::MmioRead& e, uint64_t raw) {
    return extend_value(raw, bytes(e.width), bytes(e.reg_width), e.signed_ext);
}

} // namespace hvemu::vcpu
