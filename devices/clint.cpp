// CLINT register decoding. 64-bit registers accept aligned 4- and 8-byte
// accesses (RV32 software writes mtimecmp in halves); msip is 32 bits with
// only bit 0 implemented. Registers of harts that do not exist read as 0
// and ignore writes, as QEMU's ACLINT does.
#include "devices/clint.hpp"

namespace hvemu::dev {

namespace {
// Merge a 4- or 8-byte write at byte `lane` (0 or 4) of a 64-bit register.
uint64_t merge64(uint64_t old, unsigned lane, unsigned width, uint64_t value) {
    if (width == 8) return value;
    const unsigned shift = lane * 8;
    const uint64_t mask = 0xFFFF'FFFFull << shift;
    return (old & ~mask) | ((value & 0xFFFF'FFFFull) << shift);
}
} // namespace

Clint::Clint(unsigned num_harts, Callbacks cb)
    : cb_(std::move(cb)), msip_(num_harts, false), mtimecmp_(num_harts, ~0ull) {}

void Clint::reset() {
    for (unsigned h = 0; h < num_harts(); h++) {
        msip_[h] = false;
        mtimecmp_[h] = ~0ull;
        if (cb_.on_msip) cb_.on_msip(h, false);
        if (cb_.on_mtimecmp) cb_.on_mtimecmp(h, ~0ull);
    }
}

bool Clint::mmio_read(uint64_t offset, unsigned width, uint64_t& value) {
    if ((width != 4 && width != 8) || (offset & (width - 1))) return false;
    value = 0;
    if (offset < kMtimecmpBase) {
        if (width != 4) return false;
        const uint64_t h = (offset - kMsipBase) / 4;
        if (h < num_harts()) value = msip_[h] ? 1 : 0;
        return true;
    }
    uint64_t reg = 0;
    unsigned lane = static_cast<unsigned>(offset & 7);
    if (offset >= kMtime && offset < kMtime + 8) {
        reg = now();
    } else if (offset < kMtime) {
        const uint64_t h = (offset - kMtimecmpBase) / 8;
        if (h >= num_harts()) return true;
        reg = mtimecmp_[h];
    } else {
        return true;   // reserved: reads 0
    }
    value = width == 8 ? reg : (reg >> (lane * 8)) & 0xFFFF'FFFFull;
    return true;
}

bool Clint::mmio_write(uint64_t offset, unsigned width, uint64_t value) {
    if ((width != 4 && width != 8) || (offset & (width - 1))) return false;
    if (offset < kMtimecmpBase) {
        if (width != 4) return false;
        const uint64_t h = (offset - kMsipBase) / 4;
        if (h >= num_harts()) return true;
        const bool level = value & 1;
        msip_[h] = level;
        if (cb_.on_msip) cb_.on_msip(static_cast<unsigned>(h), level);
        return true;
    }
    const unsigned lane = static_cast<unsigned>(offset & 7);
    if (offset >= kMtime && offset < kMtime + 8) {
        const uint64_t t = merge64(now(), lane, width, value);
        if (cb_.set_time) cb_.set_time(t);
        return true;
    }
    if (offset < kMtime) {
        const uint64_t h = (offset - kMtimecmpBase) / 8;
        if (h >= num_harts()) return true;
        mtimecmp_[h] = merge64(mtimecmp_[h], lane, width, value);
        if (cb_.on_mtimecmp) cb_.on_mtimecmp(static_cast<unsigned>(h), mtimecmp_[h]);
    }
    return true;
}

} // namespace hvemu::dev
