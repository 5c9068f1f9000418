// VMCS field encodings (SDM Vol. 3D Appendix B) with their width and kind,
// generated from vmcs_fields.def, and the dense slot numbering the VMCS
// store uses.
#pragma once
#include <cstdint>

namespace hvemu::x86 {

enum class FieldWidth : uint8_t { W16 = 0, W64 = 1, W32 = 2, Natural = 3 };   // encoding bits 14:13
enum class FieldKind : uint8_t { Ctl = 0, Ro = 1, Guest = 2, Host = 3 };      // encoding bits 11:10

namespace vmcs {
enum Field : uint32_t {
#define VMCS_FIELD(name, enc, width, kind) name = enc,
#include "isa/x86/vmcs_fields.def"
#undef VMCS_FIELD
};

// Slot of each field in table order.
enum Slot : uint16_t {
#define VMCS_FIELD(name, enc, width, kind) S_##name,
#include "isa/x86/vmcs_fields.def"
#undef VMCS_FIELD
    kSlotCount
};
} // namespace vmcs

struct VmcsFieldInfo {
    const char* name;
    uint32_t encoding;     // full form
    FieldWidth width;
    FieldKind kind;
};

// The table (kSlotCount entries, in slot order).
const VmcsFieldInfo* vmcs_field_table();

namespace vmcs {
// Encoding, width and kind of each slot, and the dense map from an
// encoding's bits 14:13 (width), 11:10 (kind), 9:1 (index) to its slot,
// all built at compile time: a lookup is one load, and one with a constant
// field (host code in C++) folds away.
inline constexpr uint32_t kSlotEncoding[] = {
#define VMCS_FIELD(name, enc, width, kind) enc,
#include "isa/x86/vmcs_fields.def"
#undef VMCS_FIELD
};
namespace table {
constexpr int N = 0;   // natural width in the .def
constexpr FieldWidth width_of(int w) {
    return w == 16 ? FieldWidth::W16 : w == 32 ? FieldWidth::W32 : w == 64 ? FieldWidth::W64 : FieldWidth::Natural;
}
inline constexpr FieldWidth kSlotWidth[] = {
#define VMCS_FIELD(name, enc, width, kind) width_of(width),
#include "isa/x86/vmcs_fields.def"
#undef VMCS_FIELD
};
} // namespace table
using table::kSlotWidth;
inline constexpr FieldKind kSlotKind[] = {
#define VMCS_FIELD(name, enc, width, kind) FieldKind::kind,
#include "isa/x86/vmcs_fields.def"
#undef VMCS_FIELD
};
constexpr unsigned slot_key(uint64_t enc) {
    return unsigned(((enc >> 13) & 3) << 11 | ((enc >> 10) & 3) << 9 | ((enc >> 1) & 0x1ff));
}
struct SlotMap {
    int16_t slot[4 * 4 * 512];
};
constexpr SlotMap make_slot_map() {
    SlotMap m{};
    for (auto& s : m.slot) s = -1;
    for (unsigned i = 0; i < kSlotCount; ++i) m.slot[slot_key(kSlotEncoding[i])] = int16_t(i);
    return m;
}
inline constexpr SlotMap kSlotMap = make_slot_map();
} // namespace vmcs

// Slot of an encoding as VMREAD/VMWRITE see it: -1 for an unsupported
// encoding (reserved bits set, unknown field, or the high form of a field
// that is not 64-bit). `high` says whether the high-half form was used.
inline int vmcs_slot(uint64_t enc, bool& high) {
    high = false;
    // bits 63:32 (VMREAD/VMWRITE register operand), 31:15 and 12 are reserved
    if (enc & ~uint64_t{0x6fff}) return -1;
    const int s = vmcs::kSlotMap.slot[vmcs::slot_key(enc)];
    if (s < 0) return -1;
    if (enc & 1) {
        if (vmcs::kSlotWidth[s] != FieldWidth::W64) return -1;
        high = true;
    }
    return s;
}
inline int vmcs_slot(uint64_t encoding) { bool h; return vmcs_slot(encoding, h); }

// The highest field index (encoding bits 9:1) in the table: IA32_VMX_VMCS_ENUM.
unsigned vmcs_max_index();

} // namespace hvemu::x86
