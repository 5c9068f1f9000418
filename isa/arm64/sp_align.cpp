// SP alignment checking: a load or store whose base register is SP faults
// (EC 0x26, ISS 0, FAR not set) when SP is not 16-byte aligned and the
// current regime's SCTLR enables the check: SA0 for EL0, SA for EL1 and EL2
// (SCTLR_EL1 for EL0 and EL1, as there is no VHE; SCTLR_EL2 for EL2).
// Prefetches and literal loads have no SP base and are never checked. The
// decoder routes only SP-based loads and stores here, so other accesses
// pay nothing for the check; it runs before the access, as the Arm ARM's
// CheckSPAlignment() does, so no register or memory changes.
#include "isa/arm64/pe.hpp"

namespace hvemu::arm {

namespace {
constexpr uint64_t kSctlrSa = 1u << 3, kSctlrSa0 = 1u << 4;

bool sp_check_enabled(const Pe& h) {
    switch (h.el()) {
    case 0: return (h.sys.sctlr_el1 & kSctlrSa0) != 0;
    case 1: return (h.sys.sctlr_el1 & kSctlrSa) != 0;
    default: return (h.sys.sctlr_el2 & kSctlrSa) != 0;
    }
}
} // namespace

uint64_t op_sp_checked(Pe& h, const Insn& i, uint64_t pc) {
    const InsnDesc& d = insn_table()[i.id];
    if ((h.x[kSp] & 15) && sp_check_enabled(h)) {
        // FP/SIMD loads and stores check the FP enables first.
        if ((d.cls == Cls::FpLoad || d.cls == Cls::FpStore) && !h.fp_enabled(pc)) return h.pc;
        // Routed as any synchronous exception: EL1 from EL0/EL1 (EL2 with
        // HCR_EL2.TGE), EL2 from EL2.
        return h.take_sync(esr::EC_SP_ALIGN, 0, pc, 0);
    }
    return d.fn(h, i, pc);
}

} // namespace hvemu::arm
