// The VMCS store. Hardware keeps a VMCS in memory in an implementation-
// specific format and caches the active ones on the processor; so does the
// model: an active VMCS lives in a C++ cache keyed by its physical address,
// VMCLEAR writes it back into its region (after the revision identifier and
// abort indicator) and drops it from the cache, and VMPTRLD of a VMCS that
// is not cached reads that image back.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "isa/common/phys_mem.hpp"
#include "isa/x86/vmcs_fields.hpp"

namespace hvemu::x86 {

struct Vmcs {
    std::array<uint64_t, vmcs::kSlotCount> f{};
    bool launched = false;
    uint64_t& operator[](vmcs::Slot s) { return f[s]; }
    uint64_t operator[](vmcs::Slot s) const { return f[s]; }
};

class VmcsStore {
public:
    // The active VMCS at `pa`: the cached one, else the image in memory (a
    // region never VMCLEARed reads as all fields zero, launch state clear).
    Vmcs& load(isa::PhysMem& mem, uint64_t pa);
    // VMCLEAR: write the image back to memory, launch state clear.
    void clear(isa::PhysMem& mem, uint64_t pa);
    // Whether `pa` holds an active (cached) VMCS.
    bool active(uint64_t pa) const { return cache_.count(pa) != 0; }
    void drop_all() { cache_.clear(); }

    // Memory image layout after the 8-byte header.
    static constexpr uint64_t kImageMagicOffset = 8;
    static constexpr uint64_t kImageLaunchOffset = 12;
    static constexpr uint64_t kImageFieldsOffset = 16;
    static constexpr uint32_t kImageMagic = 0x434d5648;   // "HVMC"

private:
    std::unordered_map<uint64_t, std::unique_ptr<Vmcs>> cache_;
};
static_assert(VmcsStore::kImageFieldsOffset + 8 * vmcs::kSlotCount <= 4096);

} // namespace hvemu::x86
