// The system state a VMCS holds for a guest and for the host (SDM Vol. 3C
// 24.4.1, 24.5): the segment registers, GDTR and IDTR, CR0/CR3/CR4, EFER,
// PAT and the SYSENTER MSRs. The core inherits it, so it is one block of
// plain bytes: a VM transition whose VMCS fields have not changed since the
// last one copies it whole (vmx_transition.cpp) instead of converting it
// field by field.
#pragma once
#include <cstdint>
#include <type_traits>

namespace hvemu::x86 {

// No padding (base first, selector last), so that two equal segments are
// equal byte for byte.
struct Segment {
    uint64_t base = 0;
    uint32_t limit = 0xffff;
    uint16_t attr = 0x93;   // VMCS access-rights layout: type[3:0] S[4] DPL[6:5] P[7] AVL[12] L[13] D/B[14] G[15] unusable[16 in VMCS]
    uint16_t selector = 0;
    constexpr Segment() = default;
    constexpr Segment(uint16_t sel, uint64_t b, uint32_t lim, uint16_t a)
        : base(b), limit(lim), attr(a), selector(sel) {}
};
enum SegReg : uint8_t { ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5 };

struct DescTable {
    uint64_t base = 0;
    uint32_t limit = 0xffff;
    uint32_t pad = 0;   // explicit, as above
};

struct SysState {
    Segment seg[6];
    Segment ldtr, tr;
    DescTable gdtr, idtr;
    uint64_t cr0 = 0x60000010, cr3 = 0, cr4 = 0;
    uint64_t efer = 0, pat = 0x0007040600070406ull;
    uint64_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
};
static_assert(sizeof(Segment) == 16 && sizeof(DescTable) == 16);
static_assert(std::is_trivially_copyable_v<SysState> && std::is_standard_layout_v<SysState>);
static_assert(sizeof(SysState) == 8 * 16 + 2 * 16 + 8 * 8, "SysState has no padding");

} // namespace hvemu::x86
