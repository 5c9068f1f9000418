// VMCS field table lookups and the VMCS store (see vmcs.hpp).
#include "isa/x86/vmcs.hpp"

#include <cstring>

namespace hvemu::x86 {
namespace {

constexpr FieldWidth width_of(int w) {
    return w == 16 ? FieldWidth::W16 : w == 32 ? FieldWidth::W32 : w == 64 ? FieldWidth::W64 : FieldWidth::Natural;
}
constexpr int N = 0;   // natural width in the table

const VmcsFieldInfo kTable[] = {
#define VMCS_FIELD(name, enc, width, kind) {#name, enc, width_of(width), FieldKind::kind},
#include "isa/x86/vmcs_fields.def"
#undef VMCS_FIELD
};
static_assert(sizeof(kTable) / sizeof(kTable[0]) == vmcs::kSlotCount);

// Dense lookup: encoding bits 14:13 (width), 11:10 (kind), 9:1 (index).
struct SlotMap {
    int16_t slot[4 * 4 * 512];
    SlotMap() {
        for (auto& s : slot) s = -1;
        for (unsigned i = 0; i < vmcs::kSlotCount; ++i) slot[key(kTable[i].encoding)] = int16_t(i);
    }
    static unsigned key(uint32_t enc) { return ((enc >> 13) & 3) << 11 | ((enc >> 10) & 3) << 9 | ((enc >> 1) & 0x1ff); }
};
const SlotMap& slot_map() {
    static const SlotMap m;
    return m;
}

} // namespace

const VmcsFieldInfo* vmcs_field_table() { return kTable; }

int vmcs_slot(uint64_t enc, bool& high) {
    high = false;
    // bits 63:32 (VMREAD/VMWRITE register operand), 31:15 and 12 are reserved
    if (enc & ~uint64_t{0x6fff}) return -1;
    int s = slot_map().slot[SlotMap::key(uint32_t(enc))];
    if (s < 0) return -1;
    if (enc & 1) {
        if (kTable[s].width != FieldWidth::W64) return -1;
        high = true;
    }
    return s;
}

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
