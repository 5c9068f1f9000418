// VMCS field table lookups and the VMCS store (see vmcs.hpp).
#include "isa/x86/vmcs.hpp"

#include <cstring>

namespace hvemu::x86 {
namespace {

using vmcs::table::N;
using vmcs::table::width_of;

const VmcsFieldInfo kTable[] = {
#define VMCS_FIELD(name, enc, width, kind) {#name, enc, width_of(width), FieldKind::kind},
#include "isa/x86/vmcs_fields.def"
#undef VMCS_FIELD
};
static_assert(sizeof(kTable) / sizeof(kTable[0]) == vmcs::kSlotCount);
static_assert(sizeof(vmcs::kSlotEncoding) / sizeof(vmcs::kSlotEncoding[0]) == vmcs::kSlotCount);

} // namespace

const VmcsFieldInfo* vmcs_field_table() { return kTable; }

unsigned vmcs_max_index() {
    unsigned m = 0;
    for (const auto& f : kTable) m = std::max(m, unsigned(f.encoding >> 1) & 0x1ff);
    return m;
}

Vmcs& VmcsStore::load(isa::PhysMem& mem, uint64_t pa) {
    auto it = cache_.find(pa);
    if (it != cache_.end()) return *it->second;
    auto v = std::make_unique<Vmcs>();
    uint32_t magic = 0, launch = 0;
    if (mem.read_block(pa + kImageMagicOffset, &magic, 4) && magic == kImageMagic &&
        mem.read_block(pa + kImageLaunchOffset, &launch, 4)) {
        mem.read_block(pa + kImageFieldsOffset, v->f.data(), 8 * vmcs::kSlotCount);
        v->launched = launch != 0;
    }
    Vmcs& ref = *v;
    cache_.emplace(pa, std::move(v));
    return ref;
}

void VmcsStore::clear(isa::PhysMem& mem, uint64_t pa) {
    auto it = cache_.find(pa);
    uint32_t magic = 0, launch = 0;
    bool had_image = mem.read_block(pa + kImageMagicOffset, &magic, 4) && magic == kImageMagic;
    if (it != cache_.end()) {
        mem.write_block(pa + kImageFieldsOffset, it->second->f.data(), 8 * vmcs::kSlotCount);
        cache_.erase(it);
    } else if (!had_image) {
        // A region that never held a VMCS: its fields start out zero.
        static const Vmcs zero{};
        mem.write_block(pa + kImageFieldsOffset, zero.f.data(), 8 * vmcs::kSlotCount);
    }
    magic = kImageMagic;
    mem.write_block(pa + kImageMagicOffset, &magic, 4);
    mem.write_block(pa + kImageLaunchOffset, &launch, 4);
}

} // namespace hvemu::x86
