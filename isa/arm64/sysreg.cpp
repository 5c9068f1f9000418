// System register access: the permission and trap checks (EL, HCR_EL2
// TID*/TVM/TRVM/TACR, SCTLR_EL1 UCT/UMA, CNTKCTL_EL1, CNTHCTL_EL2), the
// GIC CPU interface hand-off, MRS/MSR execution and the host API.
#include "isa/arm64/sysreg_table.hpp"

namespace hvemu::arm {

namespace {

enum class Outcome : uint8_t { Ok, Undefined, TrapEl1, TrapEl2 };

constexpr uint64_t kSctlrUma = 1u << 9, kSctlrUct = 1u << 15;

// The checks of the Arm ARM's access pseudocode, in its order: UNDEFINED
// first, then traps to EL1 (for EL0 accesses), then traps to EL2.
Outcome check(const Pe& p, const SysRegDef& d, bool write, unsigned el, bool insn) {
    if (el < d.el) return Outcome::Undefined;
    if ((write && d.access == kRO) || (!write && d.access == kWO)) return Outcome::Undefined;
    if (write && el == 0 && d.enc == reg::TPIDRRO_EL0) return Outcome::Undefined;
    if (write && el < 2 && d.enc == reg::CNTFRQ_EL0) return Outcome::Undefined;   // writable at the highest EL only
    const uint64_t h = p.sys.hcr_el2;
    const uint64_t kctl = p.sys.cntkctl_el1, hctl = p.sys.cnthctl_el2;
    const bool guest = el < 2;
    switch (d.gate) {
    case Gate::None:
    case Gate::Fp: return Outcome::Ok;
    case Gate::Tid1: return guest && (h & hcr::TID1) ? Outcome::TrapEl2 : Outcome::Ok;
    case Gate::Tid2: return guest && (h & hcr::TID2) ? Outcome::TrapEl2 : Outcome::Ok;
    case Gate::Tid3: return guest && (h & hcr::TID3) ? Outcome::TrapEl2 : Outcome::Ok;
    case Gate::Tacr: return el == 1 && (h & hcr::TACR) ? Outcome::TrapEl2 : Outcome::Ok;
    case Gate::Vm:
        if (el == 1 && (h & (write ? hcr::TVM : hcr::TRVM))) return Outcome::TrapEl2;
        return Outcome::Ok;
    case Gate::Ctr:
        if (el == 0 && !(p.sys.sctlr_el1 & kSctlrUct)) return Outcome::TrapEl1;
        return guest && (h & hcr::TID2) ? Outcome::TrapEl2 : Outcome::Ok;
    case Gate::Daif: return el == 0 && !(p.sys.sctlr_el1 & kSctlrUma) ? Outcome::TrapEl1 : Outcome::Ok;
    case Gate::SpEl0:
        // MSR/MRS SP_EL0 while SP_EL0 is the stack pointer in use.
        return insn && !p.pstate.sp ? Outcome::Undefined : Outcome::Ok;
    case Gate::CntFrq:
        return el == 0 && !(kctl & (cnt::EL0PCTEN | cnt::EL0VCTEN)) ? Outcome::TrapEl1 : Outcome::Ok;
    case Gate::CntPct:
        if (el == 0 && !(kctl & cnt::EL0PCTEN)) return Outcome::TrapEl1;
        return guest && !(hctl & cnt::EL1PCTEN) ? Outcome::TrapEl2 : Outcome::Ok;
    case Gate::CntVct: return el == 0 && !(kctl & cnt::EL0VCTEN) ? Outcome::TrapEl1 : Outcome::Ok;
    case Gate::CntP:
        if (el == 0 && !(kctl & cnt::EL0PTEN)) return Outcome::TrapEl1;
        return guest && !(hctl & cnt::EL1PCEN) ? Outcome::TrapEl2 : Outcome::Ok;
    case Gate::CntV: return el == 0 && !(kctl & cnt::EL0VTEN) ? Outcome::TrapEl1 : Outcome::Ok;
    }
    return Outcome::Undefined;
}

uint64_t do_read(Pe& p, const SysRegDef& d, unsigned el) { return d.read ? d.read(p, el) : p.sys.*d.field; }

void do_write(Pe& p, const SysRegDef& d, uint64_t v, unsigned el) {
    if (d.write) {
        d.write(p, v, el);
    } else {
        uint64_t& f = p.sys.*d.field;
        f = (f & ~d.wmask) | (v & d.wmask) | d.res1;
    }
    if (d.effect & kEffectCtx) {
        p.update_context();
        p.end_block();
    }
    if (d.effect & kEffectIrq) p.gic_changed();
}

} // namespace

uint32_t sysreg_iss(uint32_t enc, bool write, uint8_t rt) {
    const uint32_t op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15,
                   op2 = enc & 7;
    return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | uint32_t{rt} << 5 | crm << 1 | (write ? 0u : 1u);
}

uint64_t Pe::sysreg_insn(uint32_t enc, bool write, uint8_t rt, uint64_t pc_) {
    const unsigned level = pstate.el;
    const uint8_t src = rt;                        // XZR reads as zero (x[kZr])
    const uint8_t dst = rt == 31 ? kSink : rt;     // and swallows writes
    const SysRegDef* d = sysreg_find(enc);
    if (!d) {
        uint64_t val = write ? x[src] : 0;
        switch (gic_access(enc, write, val, level)) {
        case GicAccess::NotGic: {
            // HCR_EL2.TIDCP: the IMPLEMENTATION DEFINED space (op0 3, CRn
            // 11 or 15) traps from EL1 instead of being UNDEFINED.
            const unsigned crn = (enc >> 7) & 15;
            if (level == 1 && (sys.hcr_el2 & hcr::TIDCP) && (enc >> 14) == 3 && (crn == 11 || crn == 15))
                return take_sync(esr::EC_SYSREG, sysreg_iss(enc, write, rt), pc_, 2);
            return undefined(pc_);
        }
        case GicAccess::Undefined: return undefined(pc_);
        case GicAccess::TrapEl2: return take_sync(esr::EC_SYSREG, sysreg_iss(enc, write, rt), pc_, 2);
        case GicAccess::Done: break;
        }
        if (!write) x[dst] = val;
        return pc_ + 4;
    }
    if (d->gate == Gate::Fp && !fp_enabled(pc_)) return pc;
    switch (check(*this, *d, write, level, true)) {
    case Outcome::Ok: break;
    case Outcome::Undefined: return undefined(pc_);
    case Outcome::TrapEl1: return take_sync(esr::EC_SYSREG, sysreg_iss(enc, write, rt), pc_, 0);
    case Outcome::TrapEl2: return take_sync(esr::EC_SYSREG, sysreg_iss(enc, write, rt), pc_, 2);
    }
    if (write)
        do_write(*this, *d, x[src], level);
    else
        x[dst] = do_read(*this, *d, level);
    return pc_ + 4;
}

bool Pe::sysreg_read(uint32_t enc, uint64_t& value, unsigned el) {
    const SysRegDef* d = sysreg_find(enc);
    if (!d) return gic_access(enc, false, value, el) == GicAccess::Done;
    if (check(*this, *d, false, el, false) != Outcome::Ok) return false;
    value = do_read(*this, *d, el);
    return true;
}

bool Pe::sysreg_write(uint32_t enc, uint64_t value, unsigned el) {
    const SysRegDef* d = sysreg_find(enc);
    if (!d) return gic_access(enc, true, value, el) == GicAccess::Done;
    if (check(*this, *d, true, el, false) != Outcome::Ok) return false;
    do_write(*this, *d, value, el);
    return true;
}

} // namespace hvemu::arm
