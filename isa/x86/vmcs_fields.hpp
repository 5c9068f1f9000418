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

// Slot of an encoding as VMREAD/VMWRITE see it: -1 for an unsupported
// encoding (reserved bits set, unknown field, or the high form of a field
// that is not 64-bit). `high` says whether the high-half form was used.
int vmcs_slot(uint64_t encoding, bool& high);
inline int vmcs_slot(uint64_t encoding) { bool h; return vmcs_slot(encoding, h); }

// The highest field index (encoding bits 9:1) in the table: IA32_VMX_VMCS_ENUM.
unsigned vmcs_max_index();

} // namespace hvemu::x86
