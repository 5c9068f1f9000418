// Exception generation, hints, barriers, PSTATE and system register
// access, and the SYS operations (TLBI, AT, DC, IC) of insn_system.def.
// Checks come first, in the Arm ARM's order: UNDEFINED, then traps to
// EL1 (EL0 enables in SCTLR_EL1), then traps to EL2 (HCR_EL2).
#include "isa/arm64/pe.hpp"
#include "isa/arm64/sysreg_table.hpp"

namespace hvemu::arm {

namespace {

constexpr uint64_t kSctlrDze = 1u << 14, kSctlrNtwi = 1u << 16, kSctlrNtwe = 1u << 18,
                   kSctlrUci = 1u << 26, kSctlrUma = 1u << 9;
constexpr uint32_t kWfxIss = (1u << 24) | (0xeu << 20);   // CV = 1, COND = AL; TI in bit 0

uint8_t rt_of(const Insn& i) { return static_cast<uint8_t>(i.raw & 31); }
uint32_t enc_of(const Insn& i) { return static_cast<uint32_t>(i.imm); }

// Whether a SYS operation may run at the current EL: UNDEFINED below
// min_el (EL0 may run it only when el0_enable names an SCTLR_EL1 bit, and
// traps to EL1 when that bit is clear); then the HCR_EL2 trap bits for
// EL0/EL1. false: the exception was taken.
bool sys_allowed(Pe& h, const Insn& i, uint64_t pc, unsigned min_el, uint64_t hcr_traps,
                 uint64_t el0_enable = 0) {
    const unsigned el = h.el();
    const uint32_t iss = sysreg_iss(enc_of(i), true, rt_of(i));
    if (el == 0 && min_el == 0) {
        if (el0_enable && !(h.sys.sctlr_el1 & el0_enable)) {
            h.take_sync(esr::EC_SYSREG, iss, pc, 0);
            return false;
        }
    } else if (el < min_el || (el == 0 && !el0_enable)) {
        h.undefined(pc);
        return false;
    }
    if (el < 2 && (h.sys.hcr_el2 & hcr_traps)) {
        h.take_sync(esr::EC_SYSREG, iss, pc, 2);
        return false;
    }
    return true;
}

// TLBI operands: VA[55:12] in Xt[43:0] (sign-extended from bit 55, so
// TTBR1 addresses come out canonical), ASID in Xt[63:48], IPA[47:12] in
// Xt[35:0].
uint64_t tlbi_va_of(uint64_t xt) {
    return static_cast<uint64_t>(static_cast<int64_t>((xt & 0xfffffffffffull) << 20) >> 8);
}
uint16_t tlbi_asid_of(uint64_t xt) { return static_cast<uint16_t>(xt >> 48); }
uint64_t tlbi_ipa_of(uint64_t xt) { return (xt & 0xfffffffffull) << 12; }
uint16_t current_vmid(const Pe& h) { return static_cast<uint16_t>((h.sys.vttbr_el2 >> 48) & 0xff); }

// TLBI of the EL1&0 regime from EL1 (HCR_EL2.TTLB traps) or EL2. `is`:
// the Inner Shareable form, which reaches every PE; HCR_EL2.FB makes EL1's
// local forms broadcast too.
using TlbiOp = Pe::TlbiOp;
template <class F> uint64_t tlbi_el1(Pe& h, const Insn& i, uint64_t pc, bool is, F make) {
    if (!sys_allowed(h, i, pc, 1, hcr::TTLB)) return h.pc;
    const bool broadcast = is || (h.el() == 1 && (h.sys.hcr_el2 & hcr::FB));
    h.tlbi(make(h, h.x[rt_of(i)]), broadcast);
    h.end_block();
    return NEXT;
}

template <class F> uint64_t tlbi_el2(Pe& h, const Insn& i, uint64_t pc, bool is, F make) {
    if (!sys_allowed(h, i, pc, 2, 0)) return h.pc;
    h.tlbi(make(h, h.x[rt_of(i)]), is);
    h.end_block();
    return NEXT;
}

// The operations' scopes: the VMID is the issuer's current one (VTTBR_EL2).
TlbiOp vmall(const Pe& h, uint64_t) { return {.kind = TlbiOp::Vmid, .vmid = current_vmid(h)}; }
TlbiOp by_va(const Pe& h, uint64_t x) {
    return {.kind = TlbiOp::Va, .addr = tlbi_va_of(x), .asid = tlbi_asid_of(x), .vmid = current_vmid(h)};
}
TlbiOp by_va_all_asid(const Pe& h, uint64_t x) {
    return {.kind = TlbiOp::Va, .addr = tlbi_va_of(x), .vmid = current_vmid(h), .all_asid = true};
}
TlbiOp by_asid(const Pe& h, uint64_t x) { return {.kind = TlbiOp::Asid, .asid = tlbi_asid_of(x), .vmid = current_vmid(h)}; }
TlbiOp by_ipa(const Pe& h, uint64_t x) { return {.kind = TlbiOp::Ipa, .addr = tlbi_ipa_of(x), .vmid = current_vmid(h)}; }
TlbiOp all_el1(const Pe&, uint64_t) { return {.kind = TlbiOp::AllEl1}; }
TlbiOp all_el2(const Pe&, uint64_t) { return {.kind = TlbiOp::AllEl2}; }
TlbiOp by_va_el2(const Pe&, uint64_t x) { return {.kind = TlbiOp::VaEl2, .addr = tlbi_va_of(x)}; }

uint64_t at_op(Pe& h, const Insn& i, uint64_t pc, Pe::AtOp op, unsigned min_el) {
    if (!sys_allowed(h, i, pc, min_el, 0)) return h.pc;
    if (!h.at(op, h.x[rt_of(i)])) return h.pc;
    return NEXT;
}

// DC by VA to the point of coherency/unification: no caches are modelled,
// but the address must translate (a fault is a Data Abort).
uint64_t dc_va(Pe& h, const Insn& i, uint64_t pc, uint64_t hcr_trap, uint64_t el0_enable, bool write) {
    if (!sys_allowed(h, i, pc, el0_enable ? 0 : 1, hcr_trap, el0_enable)) return h.pc;
    const uint64_t va = h.x[rt_of(i)];
    const Translation t = h.translate(va, write ? Access::Write : Access::Read, h.el());
    if (!t.ok() && t.fault != FaultKind::Permission) {
        h.syn = Pe::AccessSyndrome{};
        return h.data_abort(t, va, pc, write, 1, false, 0, false, false);
    }
    return NEXT;
}

uint64_t dc_setway(Pe& h, const Insn& i, uint64_t pc) {
    if (!sys_allowed(h, i, pc, 1, hcr::TSW)) return h.pc;
    return NEXT;
}

uint64_t ic_all(Pe& h, const Insn& i, uint64_t pc, bool is) {
    if (!sys_allowed(h, i, pc, 1, hcr::TPU)) return h.pc;
    h.ic_iallu(is || (h.el() == 1 && (h.sys.hcr_el2 & hcr::FB)));
    return NEXT;
}

// WFI/WFE: SCTLR_EL1.nTWI/nTWE trap EL0 to EL1, HCR_EL2.TWI/TWE trap EL0
// and EL1 to EL2 (EC 0x01, TI = 1 for WFE).
bool wfx_allowed(Pe& h, uint64_t pc, bool wfe) {
    const unsigned el = h.el();
    const uint32_t iss = kWfxIss | (wfe ? 1u : 0u);
    if (el == 0 && !(h.sys.sctlr_el1 & (wfe ? kSctlrNtwe : kSctlrNtwi))) {
        h.take_sync(esr::EC_WFX, iss, pc, 0);
        return false;
    }
    if (el < 2 && (h.sys.hcr_el2 & (wfe ? hcr::TWE : hcr::TWI))) {
        h.take_sync(esr::EC_WFX, iss, pc, 2);
        return false;
    }
    return true;
}

} // namespace

// ---- exception generation -------------------------------------------------------

A64_OP(svc) { return h.take_sync(esr::EC_SVC, static_cast<uint32_t>(i.imm), pc + 4, 0); }

A64_OP(hvc) {
    if (h.el() == 0 || (h.sys.hcr_el2 & hcr::HCD)) return h.undefined(pc);
    return h.take_sync(esr::EC_HVC, static_cast<uint32_t>(i.imm), pc + 4, 2);
}

// No EL3: HCR_EL2.TSC traps SMC from EL1 (preferred return: the SMC
// itself); otherwise the machine's firmware hook serves it.
A64_OP(smc) {
    if (h.el() == 0) return h.undefined(pc);
    if (h.el() == 1 && (h.sys.hcr_el2 & hcr::TSC)) return h.take_sync(esr::EC_SMC, static_cast<uint32_t>(i.imm), pc, 2);
    if (h.smc_handler() && h.smc_handler()->smc(h)) return NEXT;
    return h.undefined(pc);
}

A64_OP(brk) { return h.take_sync(esr::EC_BRK, static_cast<uint32_t>(i.imm), pc, 0); }

// Halting debug is not implemented: HLT is UNDEFINED except as the
// semihosting call HLT #0xF000 when the machine serves it.
A64_OP(hlt) {
    if (i.imm == 0xf000 && h.semihost_handler() && h.semihost_handler()->semihost(h)) return NEXT;
    return h.undefined(pc);
}

A64_OP(eret) {
    if (h.el() == 0) return h.undefined(pc);
    h.eret();
    return h.pc;
}

// ---- hints and barriers -----------------------------------------------------------

A64_OP(nop) { return NEXT; }
A64_OP(hint) { return NEXT; }   // unallocated hints (and BTI, PAC*SP, ESB, ...) are NOPs here
A64_OP(yield) { return NEXT; }

A64_OP(wfi) {
    if (!wfx_allowed(h, pc, false)) return h.pc;
    h.enter_wfi();   // the run loop leaves it at once when a wake-up event is pending
    return NEXT;
}

// WFE: a hint that returns at once (consuming the event register if set).
A64_OP(wfe) {
    if (!wfx_allowed(h, pc, true)) return h.pc;
    h.event_register = false;
    return NEXT;
}

A64_OP(sev) {
    h.event_register = true;
    return NEXT;
}
A64_OP(sevl) {
    h.event_register = true;
    return NEXT;
}

A64_OP(clrex) {
    h.clear_exclusive();
    return NEXT;
}
A64_OP(dsb) { return NEXT; }
A64_OP(dmb) { return NEXT; }
A64_OP(isb) {   // context synchronization: later instructions see every change
    h.end_block();
    return NEXT;
}

// ---- PSTATE and system registers ----------------------------------------------------

// MSR <pstatefield>, #imm: aux = op1:op2, amount = CRm.
A64_OP(msr_imm) {
    const unsigned el = h.el();
    const uint32_t crm = i.amount;
    switch (i.aux) {
    case 0 << 3 | 5:   // SPSel
        if (el == 0) return h.undefined(pc);
        h.set_el(el, crm & 1);
        return NEXT;
    case 3 << 3 | 6:   // DAIFSet
    case 3 << 3 | 7:   // DAIFClr
        if (el == 0 && !(h.sys.sctlr_el1 & kSctlrUma)) {
            const uint32_t enc = sysreg_enc(0, i.aux >> 3, 4, crm, i.aux & 7);
            return h.take_sync(esr::EC_SYSREG, sysreg_iss(enc, true, 31), pc, 0);
        }
        if ((i.aux & 7) == 6)
            h.pstate.daif |= crm << 6;
        else
            h.pstate.daif &= ~(crm << 6);
        h.gic_changed();   // an unmasked interrupt is taken before the next instruction
        return NEXT;
    default: return h.undefined(pc);   // UAO, PAN, SSBS, DIT, ...: not implemented
    }
}

A64_OP(mrs) { return h.sysreg_insn(enc_of(i), false, rt_of(i), pc); }
A64_OP(msr_reg) { return h.sysreg_insn(enc_of(i), true, rt_of(i), pc); }

// ---- TLB maintenance --------------------------------------------------------------

A64_OP(tlbi_vmalle1is) { return tlbi_el1(h, i, pc, true, vmall); }
A64_OP(tlbi_vmalle1) { return tlbi_el1(h, i, pc, false, vmall); }
A64_OP(tlbi_vae1is) { return tlbi_el1(h, i, pc, true, by_va); }
A64_OP(tlbi_vae1) { return tlbi_el1(h, i, pc, false, by_va); }
A64_OP(tlbi_vale1is) { return tlbi_el1(h, i, pc, true, by_va); }
A64_OP(tlbi_vale1) { return tlbi_el1(h, i, pc, false, by_va); }
A64_OP(tlbi_aside1is) { return tlbi_el1(h, i, pc, true, by_asid); }
A64_OP(tlbi_aside1) { return tlbi_el1(h, i, pc, false, by_asid); }
A64_OP(tlbi_vaae1is) { return tlbi_el1(h, i, pc, true, by_va_all_asid); }
A64_OP(tlbi_vaae1) { return tlbi_el1(h, i, pc, false, by_va_all_asid); }
A64_OP(tlbi_vaale1is) { return tlbi_el1(h, i, pc, true, by_va_all_asid); }
A64_OP(tlbi_vaale1) { return tlbi_el1(h, i, pc, false, by_va_all_asid); }

A64_OP(tlbi_ipas2e1is) { return tlbi_el2(h, i, pc, true, by_ipa); }
A64_OP(tlbi_ipas2e1) { return tlbi_el2(h, i, pc, false, by_ipa); }
A64_OP(tlbi_ipas2le1is) { return tlbi_el2(h, i, pc, true, by_ipa); }
A64_OP(tlbi_ipas2le1) { return tlbi_el2(h, i, pc, false, by_ipa); }
A64_OP(tlbi_vmalls12e1is) { return tlbi_el2(h, i, pc, true, vmall); }
A64_OP(tlbi_vmalls12e1) { return tlbi_el2(h, i, pc, false, vmall); }
A64_OP(tlbi_alle1is) { return tlbi_el2(h, i, pc, true, all_el1); }
A64_OP(tlbi_alle1) { return tlbi_el2(h, i, pc, false, all_el1); }
A64_OP(tlbi_alle2is) { return tlbi_el2(h, i, pc, true, all_el2); }
A64_OP(tlbi_alle2) { return tlbi_el2(h, i, pc, false, all_el2); }
A64_OP(tlbi_vae2is) { return tlbi_el2(h, i, pc, true, by_va_el2); }
A64_OP(tlbi_vae2) { return tlbi_el2(h, i, pc, false, by_va_el2); }
A64_OP(tlbi_vale2is) { return tlbi_el2(h, i, pc, true, by_va_el2); }
A64_OP(tlbi_vale2) { return tlbi_el2(h, i, pc, false, by_va_el2); }

// ---- address translation ------------------------------------------------------------

A64_OP(at_s1e1r) { return at_op(h, i, pc, Pe::AtOp::S1E1R, 1); }
A64_OP(at_s1e1w) { return at_op(h, i, pc, Pe::AtOp::S1E1W, 1); }
A64_OP(at_s1e0r) { return at_op(h, i, pc, Pe::AtOp::S1E0R, 1); }
A64_OP(at_s1e0w) { return at_op(h, i, pc, Pe::AtOp::S1E0W, 1); }
A64_OP(at_s1e2r) { return at_op(h, i, pc, Pe::AtOp::S1E2R, 2); }
A64_OP(at_s1e2w) { return at_op(h, i, pc, Pe::AtOp::S1E2W, 2); }
A64_OP(at_s12e1r) { return at_op(h, i, pc, Pe::AtOp::S12E1R, 2); }
A64_OP(at_s12e1w) { return at_op(h, i, pc, Pe::AtOp::S12E1W, 2); }
A64_OP(at_s12e0r) { return at_op(h, i, pc, Pe::AtOp::S12E0R, 2); }
A64_OP(at_s12e0w) { return at_op(h, i, pc, Pe::AtOp::S12E0W, 2); }

// ---- data and instruction cache maintenance ---------------------------------------------

// DC ZVA: zero the 64-byte block (DCZID_EL0.BS) holding Xt.
A64_OP(dc_zva) {
    if (!sys_allowed(h, i, pc, 0, hcr::TDZ, kSctlrDze)) return h.pc;
    const uint64_t base = h.x[rt_of(i)] & ~63ull;
    h.syn = Pe::AccessSyndrome{};
    for (unsigned k = 0; k < 8; ++k)
        if (!h.store<uint64_t>(base + 8 * k, 0)) return h.pc;
    return NEXT;
}
A64_OP(dc_ivac) { return dc_va(h, i, pc, hcr::TPCP, 0, true); }
A64_OP(dc_cvac) { return dc_va(h, i, pc, hcr::TPCP, kSctlrUci, false); }
A64_OP(dc_civac) { return dc_va(h, i, pc, hcr::TPCP, kSctlrUci, false); }
A64_OP(dc_cvau) { return dc_va(h, i, pc, hcr::TPU, kSctlrUci, false); }
A64_OP(dc_isw) { return dc_setway(h, i, pc); }
A64_OP(dc_csw) { return dc_setway(h, i, pc); }
A64_OP(dc_cisw) { return dc_setway(h, i, pc); }

A64_OP(ic_ialluis) { return ic_all(h, i, pc, true); }
A64_OP(ic_iallu) { return ic_all(h, i, pc, false); }
A64_OP(ic_ivau) {
    if (!sys_allowed(h, i, pc, 0, hcr::TPU, kSctlrUci)) return h.pc;
    h.flush_decoded();
    return NEXT;
}

} // namespace hvemu::arm
