// The data access an A64 load or store makes, from its encoding and the
// registers it reads: what read and access watchpoints compare against.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>

namespace hvemu::emu::debug {

struct A64DataAccess {
    uint64_t addr = 0;
    unsigned len = 0;   // bytes, both registers of a pair
    bool read = false, write = false;
};

// `xreg(n)` gives X<n>, with 31 meaning SP (the base register's 31). The
// single-register and pair forms (immediate, register offset, literal),
// exclusives, load-acquire/store-release and LSE atomics are told;
// anything else (the multiple-structure SIMD forms, prefetches, non-memory
// instructions) is nullopt.
std::optional<A64DataAccess> a64_data_access(uint32_t raw, uint64_t pc,
                                             const std::function<uint64_t(unsigned)>& xreg);

} // namespace hvemu::emu::debug
