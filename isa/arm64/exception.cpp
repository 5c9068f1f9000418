// Exceptions: reset, synchronous exception entry and its routing to EL1 or
// EL2, exception return (with the illegal-return rules), and the
// asynchronous exceptions (physical IRQ, virtual IRQ/FIQ/SError) with
// their routing and PSTATE masking.
#include "isa/arm64/pe.hpp"
#include "isa/arm64/sysreg_table.hpp"

#include <algorithm>

namespace hvemu::arm {

namespace {

// Vector offsets: which EL the exception comes from, and its type.
constexpr uint64_t kFromCurrentSp0 = 0x000, kFromCurrentSpx = 0x200, kFromLowerA64 = 0x400;
constexpr unsigned kSync = 0x000, kIrq = 0x080, kFiq = 0x100, kSError = 0x180;

// Reset values: SCTLRs as the Cortex-A57 resets them (MMU, caches off),
// RES1 bits included.
constexpr uint64_t kSctlrEl1Reset = 0x30d50818, kSctlrEl2Reset = 0x30c50838;
constexpr uint64_t kCptrEl2Res1 = 0x33ff;

bool is_abort(uint32_t ec) {
    return ec == esr::EC_IABT_LOW || ec == esr::EC_IABT_CUR || ec == esr::EC_DABT_LOW || ec == esr::EC_DABT_CUR;
}

} // namespace

void Pe::reset() {
    std::fill(std::begin(x), std::end(x), 0);
    for (auto& q : v) q[0] = q[1] = 0;
    fpcr = fpsr = 0;
    sys = SysRegs{};
    sys.sctlr_el1 = kSctlrEl1Reset;
    sys.sctlr_el2 = kSctlrEl2Reset;
    sys.hcr_el2 = hcr::RW;                 // RAO: EL1 is AArch64
    sys.cptr_el2 = kCptrEl2Res1;
    sys.cnthctl_el2 = cnt::EL1PCTEN | cnt::EL1PCEN;
    sys.vpidr_el2 = kMidrValue;
    sys.vmpidr_el2 = cfg_.mpidr | (1ull << 31);
    sys.oslsr_el1 = 0xa;                   // OS lock implemented (OSLM 0b10), locked
    pstate = Pstate{};
    pstate.el = static_cast<uint8_t>(std::min(cfg_.reset_el, 2u));
    pstate.sp = pstate.el != 0;
    pc = cfg_.reset_pc;
    wfi_ = false;
    event_register = false;
    free_entry_ = free_return_ = false;
    icount_ = extra_cycles_ = insn_cycles_ = 0;
    exceptions_taken = 0;
    timer_lines_ = 0;
    clear_exclusive();
    flush_decoded();
    flush_tlb();
    update_context();
    irq_dirty_ = true;
}

// ---- EL and stack pointer ---------------------------------------------------

uint64_t& Pe::sp_bank(unsigned el, bool spx) {
    if (!spx || el == 0) return sys.sp_el0;
    return el == 1 ? sys.sp_el1 : sys.sp_el2;
}

uint64_t& Pe::sp_el(unsigned n) {
    const bool current = n == 0 ? (pstate.el == 0 || !pstate.sp) : (pstate.el == n && pstate.sp);
    return current ? x[kSp] : sp_bank(n, true);
}

void Pe::set_el(unsigned el, bool sp_elx) {
    sp_bank(pstate.el, pstate.sp) = x[kSp];
    pstate.el = static_cast<uint8_t>(el);
    pstate.sp = sp_elx && el != 0;
    x[kSp] = sp_bank(pstate.el, pstate.sp);
    update_context();
    irq_dirty_ = true;
    end_block();
}

// ---- entry ------------------------------------------------------------------

unsigned Pe::route_el(unsigned target_el) const {
    const unsigned t = target_el != 0 ? target_el
                       : (pstate.el == 0 && (sys.hcr_el2 & hcr::TGE)) ? 2u
                                                                      : 1u;
    return std::max<unsigned>(t, pstate.el);
}

uint64_t Pe::enter_exception(unsigned target, unsigned type, uint64_t elr) {
    const uint64_t saved = (pstate.nzcv & spsr::NZCV) | (pstate.ss ? spsr::SS : 0) | (pstate.il ? spsr::IL : 0) |
                           (pstate.daif & spsr::DAIF) | (uint64_t{pstate.el} << 2) | (pstate.sp ? 1u : 0u);
    const uint64_t offset = pstate.el < target ? kFromLowerA64 : pstate.sp ? kFromCurrentSpx : kFromCurrentSp0;
    uint64_t vbar;
    if (target == 2) {
        sys.spsr_el2 = saved;
        sys.elr_el2 = elr;
        vbar = sys.vbar_el2;
    } else {
        sys.spsr_el1 = saved;
        sys.elr_el1 = elr;
        vbar = sys.vbar_el1;
    }
    if (hw_trace) {
        using K = isa::HwEvent::Kind;
        const uint64_t f[4] = {sys.far_el2, sys.hpfar_el2, pstate.el, target};
        // SVC and HVC return past themselves: the trace shows the instruction.
        const uint64_t ec = sys.esr_el2 >> esr::EC_SHIFT & 0x3f;
        const uint64_t at = type == kSync && (ec == esr::EC_SVC || ec == esr::EC_HVC) ? elr - 4 : elr;
        if (target == 2 && pstate.el < 2)
            hw_trace->on_hw_event({K::VmExit, at, type == kSync ? sys.esr_el2 : 0, {f[0], f[1], f[2], f[3]}});
        if (type == kIrq || type == kFiq) {
            // Virtual when HCR_EL2.IMO/FMO route it to EL1 from below; the
            // INTID is the GIC CPU interface's highest pending one now.
            const uint64_t h = sys.hcr_el2;
            const bool virt = target == 1 && pstate.el < 2 && !(h & hcr::TGE) &&
                              (h & (type == kIrq ? hcr::IMO : hcr::FMO));
            const uint64_t intid = gic_signalled_intid(virt, type == kIrq ? 1 : 0);
            hw_trace->on_hw_event({K::Irq, elr, type, {intid, virt ? 1u : 0u, f[2], f[3]}});
        }
    }
    if (!free_entry_) extra_cycles_ += cfg_.costs.trap_entry;
    free_return_ = false;
    wfi_ = false;
    clear_exclusive();
    ++exceptions_taken;
    pstate.daif = spsr::DAIF;
    pstate.ss = false;
    pstate.il = false;
    set_el(target, true);
    pc = (vbar & ~0x7ffull) + offset + type;
    if (cfg_.hosted && target == 2) {
        trapped_ = true;
        end_block();
    }
    return pc;
}

uint64_t Pe::take_sync(uint32_t ec, uint32_t iss, uint64_t pc_, unsigned target_el, uint64_t far, bool far_valid,
                       uint64_t hpfar_ipa) {
    const unsigned target = route_el(target_el);
    const uint64_t syndrome = (uint64_t{ec} << esr::EC_SHIFT) | esr::IL | (iss & 0x1ffffff);
    if (target == 2) {
        sys.esr_el2 = syndrome;
        if (far_valid) sys.far_el2 = far;
        if (is_abort(ec)) sys.hpfar_el2 = (hpfar_ipa >> 12 << 4) & 0x00000ffffffffff0ull;
    } else {
        sys.esr_el1 = syndrome;
        if (far_valid) sys.far_el1 = far;
    }
    return enter_exception(target, kSync, pc_);
}

uint64_t Pe::undefined(uint64_t pc_) { return take_sync(esr::EC_UNKNOWN, 0, pc_, 0); }

// CPACR_EL1.FPEN, then CPTR_EL2.TFP (the pseudocode's order). With
// HCR_EL2.TGE an EL0 trap meant for EL1 goes to EL2 as EC 0x00.
bool Pe::fp_enabled(uint64_t pc_) {
    constexpr uint32_t kIss = (1u << 24) | (0xeu << 20);   // CV = 1, COND = AL
    const unsigned el = pstate.el;
    if (el < 2) {
        const unsigned fpen = (sys.cpacr_el1 >> 20) & 3;
        const bool disabled = fpen == 0 || fpen == 2 || (fpen == 1 && el == 0);
        if (disabled) {
            if (el == 0 && (sys.hcr_el2 & hcr::TGE))
                take_sync(esr::EC_UNKNOWN, 0, pc_, 2);
            else
                take_sync(esr::EC_FP, kIss, pc_, 1);
            return false;
        }
    }
    if (sys.cptr_el2 & (1u << 10)) {   // TFP
        take_sync(esr::EC_FP, kIss, pc_, 2);
        return false;
    }
    return true;
}

// ---- return -------------------------------------------------------------------

// ERET at EL1 or EL2: restores PSTATE from SPSR_ELx and jumps to ELR_ELx.
// An illegal return (AArch32, EL3, a reserved mode, a higher EL, EL1 while
// HCR_EL2.TGE routes everything to EL2) keeps EL and SP, sets PSTATE.IL,
// and the next instruction takes the illegal-state exception.
void Pe::eret() {
    const unsigned from = pstate.el;
    const uint64_t s = from == 2 ? sys.spsr_el2 : sys.spsr_el1;
    const uint64_t target_pc = from == 2 ? sys.elr_el2 : sys.elr_el1;
    if (!free_return_) extra_cycles_ += cfg_.costs.trap_return;
    free_return_ = false;
    clear_exclusive();
    const unsigned m = s & spsr::M;
    const unsigned tel = m >> 2;
    const bool spx = m & 1;
    const bool illegal = (s & spsr::M4) || (m & 2) || tel > from || (tel == 0 && spx) ||
                         (tel == 1 && (sys.hcr_el2 & hcr::TGE));
    pstate.nzcv = static_cast<uint32_t>(s & spsr::NZCV);
    pstate.daif = static_cast<uint32_t>(s & spsr::DAIF);
    pstate.ss = false;   // no software step
    if (illegal) {
        pstate.il = true;
        irq_dirty_ = true;
        end_block();
    } else {
        pstate.il = s & spsr::IL;
        set_el(tel, spx);
    }
    pc = target_pc;
    if (hw_trace && from == 2 && tel < 2 && !illegal)
        hw_trace->on_hw_event({isa::HwEvent::Kind::VmEntry, pc, tel, {}});
}

void Pe::preempt_to_host() {
    free_entry_ = true;
    enter_exception(2, kIrq, pc);
    free_entry_ = false;
    free_return_ = true;
}

// ---- asynchronous exceptions --------------------------------------------------

bool Pe::wakeup_pending() {
    const uint64_t h = sys.hcr_el2;
    if (gic_irq_line()) return true;
    if (pstate.el == 2 || (h & hcr::TGE)) return false;
    if ((h & hcr::IMO) && ((h & hcr::VI) || gic_virq_line())) return true;
    if ((h & hcr::FMO) && ((h & hcr::VF) || gic_vfiq_line())) return true;
    return (h & hcr::AMO) && (h & hcr::VSE);
}

// Taken in this order: a physical IRQ for EL2 from below (PSTATE.I does
// not mask it there), the virtual SError, FIQ and IRQ (EL0/EL1 only, with
// AMO/FMO/IMO, masked by PSTATE.A/F/I), then a physical IRQ at its own EL.
// A pending illegal state (after an illegal ERET) is the next
// instruction's exception.
void Pe::check_interrupts() {
    timer_sync();
    irq_dirty_ = false;
    if (!irq_masked_) {
        const uint64_t h = sys.hcr_el2;
        const unsigned el = pstate.el;
        const bool tge = h & hcr::TGE;
        const bool masked_i = pstate.daif & spsr::I;
        const bool pirq = gic_irq_line();
        const unsigned pirq_el = (tge || (h & hcr::IMO)) ? 2 : 1;
        if (pirq && pirq_el == 2 && (el < 2 || !masked_i)) {
            enter_exception(2, kIrq, pc);
            return;
        }
        if (el < 2 && !tge) {
            if ((h & hcr::AMO) && (h & hcr::VSE) && !(pstate.daif & spsr::A)) {
                sys.hcr_el2 &= ~hcr::VSE;
                sys.esr_el1 = (uint64_t{esr::EC_SERROR} << esr::EC_SHIFT) | esr::IL;
                enter_exception(1, kSError, pc);
                return;
            }
            if ((h & hcr::FMO) && !(pstate.daif & spsr::F) && ((h & hcr::VF) || gic_vfiq_line())) {
                enter_exception(1, kFiq, pc);
                return;
            }
            if ((h & hcr::IMO) && !masked_i && ((h & hcr::VI) || gic_virq_line())) {
                enter_exception(1, kIrq, pc);
                return;
            }
            if (pirq && pirq_el == 1 && !masked_i) {
                enter_exception(1, kIrq, pc);
                return;
            }
        }
    }
    if (wfi_ && wakeup_pending()) wfi_ = false;
    if (pstate.il) take_sync(esr::EC_ILLEGAL, 0, pc, 0);
}

} // namespace hvemu::arm
