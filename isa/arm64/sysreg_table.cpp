// Every system register the PE implements (except the GIC CPU interface's,
// gic_cpuif.cpp): one row each, with its WARL masks and trap group. The ID
// registers describe exactly what the model has.
#include "isa/arm64/sysreg_table.hpp"

#include <array>
#include <cctype>
#include <cstring>

namespace hvemu::arm {

namespace {

using R = SysRegs;

// ---- ID register values ---------------------------------------------------------

// An instruction counts as implemented when the decoder's table has it.
bool has_insn(const char* mnemonic) {
    const InsnDesc* t = insn_table();
    const size_t n = std::strlen(mnemonic);
    for (unsigned k = 0; k < insn_table_size(); ++k) {
        const char* name = t[k].name;
        if (!name) continue;
        size_t j = 0;
        while (j < n && name[j] && std::tolower(static_cast<unsigned char>(name[j])) == mnemonic[j]) ++j;
        if (j == n) return true;
    }
    return false;
}

uint64_t id_aa64pfr0(Pe&, unsigned) {
    // EL0, EL1, EL2 AArch64 only; no EL3; FP and AdvSIMD (0 = implemented);
    // GIC system register interface v3.0.
    return 1u << 0 | 1u << 4 | 1u << 8 | 0u << 12 | 0u << 16 | 0u << 20 | 1u << 24;
}

uint64_t id_aa64dfr0(Pe&, unsigned) {
    // Debug v8.0, no trace, no PMU, 2 breakpoints, 2 watchpoints, 1 context-aware.
    return 6u << 0 | 1u << 12 | 1u << 20;
}

uint64_t id_aa64isar0(Pe&, unsigned) {
    static const uint64_t v = [] {
        uint64_t r = 0;
        if (has_insn("aese")) r |= (has_insn("pmull") ? 2ull : 1ull) << 4;
        if (has_insn("sha1c")) r |= 1ull << 8;
        if (has_insn("sha256h")) r |= 1ull << 12;
        if (has_insn("crc32")) r |= 1ull << 16;
        if (has_insn("ldadd") && has_insn("cas")) r |= 2ull << 20;
        if (has_insn("sqrdmlah")) r |= 1ull << 28;
        return r;
    }();
    return v;
}

uint64_t id_aa64isar1(Pe&, unsigned) {
    static const uint64_t v = has_insn("ldapr") ? 1ull << 20 : 0;   // LRCPC
    return v;
}

uint64_t id_aa64mmfr0(Pe& p, unsigned) {
    unsigned parange;
    switch (p.config().pa_bits) {
    case 32: parange = 0; break;
    case 36: parange = 1; break;
    case 40: parange = 2; break;
    case 42: parange = 3; break;
    case 44: parange = 4; break;
    default: parange = 5; break;
    }
    // 16-bit ASID, little-endian only, 4 KiB granule only (TGran16 0 and
    // TGran64 0xf: not supported).
    return parange | 2u << 4 | 0u << 20 | 0xfu << 24 | 0u << 28;
}

uint64_t zero(Pe&, unsigned) { return 0; }
void ignore(Pe&, uint64_t, unsigned) {}

uint64_t midr(Pe& p, unsigned el) { return el < 2 ? p.sys.vpidr_el2 : kMidrValue; }
uint64_t mpidr(Pe& p, unsigned el) { return el < 2 ? p.sys.vmpidr_el2 : (p.config().mpidr | 1ull << 31); }

// Cache geometry as the Cortex-A57 reports it: 32 KiB L1 D, 48 KiB L1 I, 2 MiB L2.
uint64_t ctr(Pe&, unsigned) { return 0x8444c004; }
uint64_t clidr(Pe&, unsigned) { return 0x0a200023; }
uint64_t ccsidr(Pe& p, unsigned) {
    switch (p.sys.csselr_el1) {
    case 0: return 0x701fe00a;
    case 1: return 0x201fe012;
    case 2: return 0x70ffe07a;
    default: return 0;
    }
}

// DC ZVA zeroes 64 bytes (BS = 4 words << 4); DZP says whether it is
// prohibited at the reading EL.
uint64_t dczid(Pe& p, unsigned el) {
    bool prohibited = false;
    if (el == 0 && !(p.sys.sctlr_el1 & (1u << 14))) prohibited = true;   // SCTLR_EL1.DZE
    if (el < 2 && (p.sys.hcr_el2 & hcr::TDZ)) prohibited = true;
    return 4u | (prohibited ? 1u << 4 : 0u);
}

// ---- PSTATE views -------------------------------------------------------------------

uint64_t current_el(Pe& p, unsigned) { return uint64_t{p.pstate.el} << 2; }
uint64_t nzcv_read(Pe& p, unsigned) { return p.pstate.nzcv; }
void nzcv_write(Pe& p, uint64_t v, unsigned) { p.pstate.nzcv = static_cast<uint32_t>(v & spsr::NZCV); }
uint64_t daif_read(Pe& p, unsigned) { return p.pstate.daif; }
void daif_write(Pe& p, uint64_t v, unsigned) {
    p.pstate.daif = static_cast<uint32_t>(v & spsr::DAIF);
    p.gic_changed();
}
uint64_t spsel_read(Pe& p, unsigned) { return p.pstate.sp ? 1 : 0; }
void spsel_write(Pe& p, uint64_t v, unsigned) { p.set_el(p.pstate.el, v & 1); }
uint64_t fpcr_read(Pe& p, unsigned) { return p.fpcr; }
void fpcr_write(Pe& p, uint64_t v, unsigned) { p.fpcr = static_cast<uint32_t>(v & 0x07ff9f00); }
uint64_t fpsr_read(Pe& p, unsigned) { return p.fpsr; }
void fpsr_write(Pe& p, uint64_t v, unsigned) { p.fpsr = static_cast<uint32_t>(v & 0xf800009f); }

template <unsigned N> uint64_t sp_read(Pe& p, unsigned) { return p.sp_el(N); }
template <unsigned N> void sp_write(Pe& p, uint64_t v, unsigned) { p.sp_el(N) = v; }

// Pending asynchronous exceptions as EL1 sees them (virtual ones when
// HCR_EL2 routes the physical ones to EL2).
uint64_t isr(Pe& p, unsigned) {
    const uint64_t h = p.sys.hcr_el2;
    uint64_t v = 0;
    if ((h & hcr::IMO) ? ((h & hcr::VI) || p.gic_virq_line()) : p.gic_irq_line()) v |= spsr::I;
    if ((h & hcr::FMO) && ((h & hcr::VF) || p.gic_vfiq_line())) v |= spsr::F;
    if ((h & hcr::AMO) && (h & hcr::VSE)) v |= spsr::A;
    return v;
}

uint64_t rvbar(Pe& p, unsigned) { return p.config().reset_pc; }

// ---- debug --------------------------------------------------------------------------

void oslar_write(Pe& p, uint64_t v, unsigned) { p.sys.oslsr_el1 = (p.sys.oslsr_el1 & ~2ull) | ((v & 1) << 1); }
uint64_t claimset_read(Pe&, unsigned) { return 0xff; }
void claimset_write(Pe& p, uint64_t v, unsigned) { p.sys.dbgclaim |= v & 0xff; }
uint64_t claimclr_read(Pe& p, unsigned) { return p.sys.dbgclaim; }
void claimclr_write(Pe& p, uint64_t v, unsigned) { p.sys.dbgclaim &= ~(v & 0xff); }
uint64_t authstatus(Pe&, unsigned) { return 0xa; }   // non-secure debug implemented, disabled

// ---- timers ---------------------------------------------------------------------------

template <uint32_t E> uint64_t timer_read(Pe& p, unsigned) { return p.timer_reg(E); }
template <uint32_t E> void timer_write(Pe& p, uint64_t v, unsigned) { p.set_timer_reg(E, v); }

// ---- row builders ---------------------------------------------------------------------

constexpr uint64_t kAll = ~0ull;

constexpr SysRegDef store(const char* name, uint32_t enc, uint8_t el, uint64_t R::*f, uint64_t wmask = kAll,
                          Gate g = Gate::None, uint8_t effect = kNoEffect, uint64_t res1 = 0) {
    return SysRegDef{name, enc, el, kRW, g, effect, f, wmask, res1, nullptr, nullptr};
}
constexpr SysRegDef ro(const char* name, uint32_t enc, uint8_t el, uint64_t (*rd)(Pe&, unsigned),
                       Gate g = Gate::None) {
    return SysRegDef{name, enc, el, kRO, g, kNoEffect, nullptr, 0, 0, rd, nullptr};
}
constexpr SysRegDef fn(const char* name, uint32_t enc, uint8_t el, uint64_t (*rd)(Pe&, unsigned),
                       void (*wr)(Pe&, uint64_t, unsigned), Gate g = Gate::None) {
    return SysRegDef{name, enc, el, kRW, g, kNoEffect, nullptr, 0, 0, rd, wr};
}
constexpr SysRegDef wo(const char* name, uint32_t enc, uint8_t el, void (*wr)(Pe&, uint64_t, unsigned)) {
    return SysRegDef{name, enc, el, kWO, Gate::None, kNoEffect, nullptr, 0, 0, nullptr, wr};
}

// WARL masks (implemented, writable bits) and RES1 bits.
constexpr uint64_t kSctlrEl1Mask = 0x040dd21full;   // M A C SA SA0 UMA I DZE UCT nTWI nTWE WXN UCI (no big-endian)
constexpr uint64_t kSctlrEl1Res1 = 0x30d00800ull;
constexpr uint64_t kSctlrEl2Mask = 0x0008100full;   // M A C SA I WXN
constexpr uint64_t kSctlrEl2Res1 = 0x30c50830ull;
constexpr uint64_t kHcrMask = 0x3ffffffffull & ~hcr::RW;
constexpr uint64_t kTcrEl1Mask = 0x00000077ffffffbfull;
constexpr uint64_t kTcrEl2Mask = 0x0017ff3full, kTcrEl2Res1 = 0x80800000ull;
constexpr uint64_t kVtcrMask = 0x0007ffffull, kVtcrRes1 = 0x80000000ull;
constexpr uint64_t kSpsrMask = 0xf03003dfull;
constexpr uint64_t kVbarMask = ~0x7ffull;
constexpr uint64_t kCpacrMask = 3ull << 20 | 1ull << 28;
constexpr uint64_t kCptrMask = 1ull << 10 | 1ull << 20 | 1ull << 31, kCptrRes1 = 0x33ff;
constexpr uint64_t kVmpidrMask = 0x000000ff41ffffffull, kVmpidrRes1 = 1ull << 31;
constexpr uint64_t kHpfarMask = 0x00000ffffffffff0ull;
constexpr uint64_t kTtbrEl2Mask = 0x0000fffffffffffeull, kVttbrMask = 0x00fffffffffffffeull;
constexpr uint64_t kMdscrMask = 0xf001ull;
constexpr uint64_t kDbgbcrMask = 0x00ffe1e7ull, kDbgwcrMask = 0x1f1fffffull;

constexpr std::array kTable = {
    // Identification (TID0 traps only AArch32 registers: none here).
    ro("MIDR_EL1", reg::MIDR_EL1, 1, midr),
    ro("MPIDR_EL1", reg::MPIDR_EL1, 1, mpidr),
    ro("REVIDR_EL1", reg::REVIDR_EL1, 1, zero, Gate::Tid1),
    ro("AIDR_EL1", reg::AIDR_EL1, 1, zero, Gate::Tid1),
    ro("ID_AA64PFR0_EL1", reg::ID_AA64PFR0_EL1, 1, id_aa64pfr0, Gate::Tid3),
    ro("ID_AA64DFR0_EL1", reg::ID_AA64DFR0_EL1, 1, id_aa64dfr0, Gate::Tid3),
    ro("ID_AA64ISAR0_EL1", reg::ID_AA64ISAR0_EL1, 1, id_aa64isar0, Gate::Tid3),
    ro("ID_AA64ISAR1_EL1", reg::ID_AA64ISAR1_EL1, 1, id_aa64isar1, Gate::Tid3),
    ro("ID_AA64MMFR0_EL1", reg::ID_AA64MMFR0_EL1, 1, id_aa64mmfr0, Gate::Tid3),
    // The rest of the ID space (op0 3, op1 0, CRn 0, CRm 1-7) reads as zero.
    ro("ID_RAZ", 0, 1, zero, Gate::Tid3),
    ro("CTR_EL0", reg::CTR_EL0, 0, ctr, Gate::Ctr),
    ro("CLIDR_EL1", reg::CLIDR_EL1, 1, clidr, Gate::Tid2),
    ro("CCSIDR_EL1", reg::CCSIDR_EL1, 1, ccsidr, Gate::Tid2),
    store("CSSELR_EL1", reg::CSSELR_EL1, 1, &R::csselr_el1, 0xf, Gate::Tid2),
    ro("DCZID_EL0", reg::DCZID_EL0, 0, dczid),
    // EL1 system control; the VM controls trap with TVM/TRVM.
    store("SCTLR_EL1", reg::SCTLR_EL1, 1, &R::sctlr_el1, kSctlrEl1Mask, Gate::Vm, kEffectCtx, kSctlrEl1Res1),
    store("ACTLR_EL1", reg::ACTLR_EL1, 1, &R::actlr_el1, 0, Gate::Tacr),
    store("CPACR_EL1", reg::CPACR_EL1, 1, &R::cpacr_el1, kCpacrMask),
    store("TTBR0_EL1", reg::TTBR0_EL1, 1, &R::ttbr0_el1, ~1ull, Gate::Vm, kEffectCtx),
    store("TTBR1_EL1", reg::TTBR1_EL1, 1, &R::ttbr1_el1, ~1ull, Gate::Vm, kEffectCtx),
    store("TCR_EL1", reg::TCR_EL1, 1, &R::tcr_el1, kTcrEl1Mask, Gate::Vm, kEffectCtx),
    store("AFSR0_EL1", reg::AFSR0_EL1, 1, &R::afsr0_el1, 0, Gate::Vm),
    store("AFSR1_EL1", reg::AFSR1_EL1, 1, &R::afsr1_el1, 0, Gate::Vm),
    store("ESR_EL1", reg::ESR_EL1, 1, &R::esr_el1, 0xffffffff, Gate::Vm),
    store("FAR_EL1", reg::FAR_EL1, 1, &R::far_el1, kAll, Gate::Vm),
    store("MAIR_EL1", reg::MAIR_EL1, 1, &R::mair_el1, kAll, Gate::Vm, kEffectCtx),
    store("AMAIR_EL1", reg::AMAIR_EL1, 1, &R::amair_el1, kAll, Gate::Vm),
    store("CONTEXTIDR_EL1", reg::CONTEXTIDR_EL1, 1, &R::contextidr_el1, 0xffffffff, Gate::Vm),
    store("PAR_EL1", reg::PAR_EL1, 1, &R::par_el1),
    store("VBAR_EL1", reg::VBAR_EL1, 1, &R::vbar_el1, kVbarMask),
    ro("ISR_EL1", reg::ISR_EL1, 1, isr),
    store("TPIDR_EL1", reg::TPIDR_EL1, 1, &R::tpidr_el1),
    store("TPIDR_EL0", reg::TPIDR_EL0, 0, &R::tpidr_el0),
    // TPIDRRO_EL0 is read-only at EL0: see sysreg.cpp.
    store("TPIDRRO_EL0", reg::TPIDRRO_EL0, 0, &R::tpidrro_el0),
    // Exception state and PSTATE.
    store("SPSR_EL1", reg::SPSR_EL1, 1, &R::spsr_el1, kSpsrMask),
    store("ELR_EL1", reg::ELR_EL1, 1, &R::elr_el1),
    fn("SP_EL0", reg::SP_EL0, 1, sp_read<0>, sp_write<0>, Gate::SpEl0),
    fn("SPSel", reg::SPSel, 1, spsel_read, spsel_write),
    ro("CurrentEL", reg::CurrentEL, 1, current_el),
    fn("NZCV", reg::NZCV, 0, nzcv_read, nzcv_write),
    fn("DAIF", reg::DAIF, 0, daif_read, daif_write, Gate::Daif),
    fn("FPCR", reg::FPCR, 0, fpcr_read, fpcr_write, Gate::Fp),
    fn("FPSR", reg::FPSR, 0, fpsr_read, fpsr_write, Gate::Fp),
    // Debug: registers exist so that software can program them; no debug
    // events are generated.
    store("MDCCINT_EL1", reg::MDCCINT_EL1, 1, &R::mdccint_el1, 3ull << 29),
    store("MDSCR_EL1", reg::MDSCR_EL1, 1, &R::mdscr_el1, kMdscrMask),
    ro("MDRAR_EL1", reg::MDRAR_EL1, 1, zero),
    wo("OSLAR_EL1", reg::OSLAR_EL1, 1, oslar_write),
    ro("OSLSR_EL1", reg::OSLSR_EL1, 1, [](Pe& p, unsigned) { return p.sys.oslsr_el1; }),
    store("OSDLR_EL1", reg::OSDLR_EL1, 1, &R::osdlr_el1, 1),
    store("DBGPRCR_EL1", reg::DBGPRCR_EL1, 1, &R::dbgprcr_el1, 1),
    fn("DBGCLAIMSET_EL1", reg::DBGCLAIMSET_EL1, 1, claimset_read, claimset_write),
    fn("DBGCLAIMCLR_EL1", reg::DBGCLAIMCLR_EL1, 1, claimclr_read, claimclr_write),
    ro("DBGAUTHSTATUS_EL1", reg::DBGAUTHSTATUS_EL1, 1, authstatus),
    SysRegDef{"DBGBVR0_EL1", reg::DBGBVR_EL1(0), 1, kRW, Gate::None, 0, nullptr, 0, 0,
              [](Pe& p, unsigned) { return p.sys.dbgbvr[0]; }, [](Pe& p, uint64_t v, unsigned) { p.sys.dbgbvr[0] = v & ~3ull; }},
    SysRegDef{"DBGBVR1_EL1", reg::DBGBVR_EL1(1), 1, kRW, Gate::None, 0, nullptr, 0, 0,
              [](Pe& p, unsigned) { return p.sys.dbgbvr[1]; }, [](Pe& p, uint64_t v, unsigned) { p.sys.dbgbvr[1] = v & ~3ull; }},
    SysRegDef{"DBGBCR0_EL1", reg::DBGBCR_EL1(0), 1, kRW, Gate::None, 0, nullptr, 0, 0,
              [](Pe& p, unsigned) { return p.sys.dbgbcr[0]; }, [](Pe& p, uint64_t v, unsigned) { p.sys.dbgbcr[0] = v & kDbgbcrMask; }},
    SysRegDef{"DBGBCR1_EL1", reg::DBGBCR_EL1(1), 1, kRW, Gate::None, 0, nullptr, 0, 0,
              [](Pe& p, unsigned) { return p.sys.dbgbcr[1]; }, [](Pe& p, uint64_t v, unsigned) { p.sys.dbgbcr[1] = v & kDbgbcrMask; }},
    SysRegDef{"DBGWVR0_EL1", reg::DBGWVR_EL1(0), 1, kRW, Gate::None, 0, nullptr, 0, 0,
              [](Pe& p, unsigned) { return p.sys.dbgwvr[0]; }, [](Pe& p, uint64_t v, unsigned) { p.sys.dbgwvr[0] = v & ~3ull; }},
    SysRegDef{"DBGWVR1_EL1", reg::DBGWVR_EL1(1), 1, kRW, Gate::None, 0, nullptr, 0, 0,
              [](Pe& p, unsigned) { return p.sys.dbgwvr[1]; }, [](Pe& p, uint64_t v, unsigned) { p.sys.dbgwvr[1] = v & ~3ull; }},
    SysRegDef{"DBGWCR0_EL1", reg::DBGWCR_EL1(0), 1, kRW, Gate::None, 0, nullptr, 0, 0,
              [](Pe& p, unsigned) { return p.sys.dbgwcr[0]; }, [](Pe& p, uint64_t v, unsigned) { p.sys.dbgwcr[0] = v & kDbgwcrMask; }},
    SysRegDef{"DBGWCR1_EL1", reg::DBGWCR_EL1(1), 1, kRW, Gate::None, 0, nullptr, 0, 0,
              [](Pe& p, unsigned) { return p.sys.dbgwcr[1]; }, [](Pe& p, uint64_t v, unsigned) { p.sys.dbgwcr[1] = v & kDbgwcrMask; }},
    // Generic timer.
    SysRegDef{"CNTFRQ_EL0", reg::CNTFRQ_EL0, 0, kRW, Gate::CntFrq, 0, nullptr, 0, 0,
              timer_read<reg::CNTFRQ_EL0>, timer_write<reg::CNTFRQ_EL0>},
    ro("CNTPCT_EL0", reg::CNTPCT_EL0, 0, timer_read<reg::CNTPCT_EL0>, Gate::CntPct),
    ro("CNTVCT_EL0", reg::CNTVCT_EL0, 0, timer_read<reg::CNTVCT_EL0>, Gate::CntVct),
    store("CNTKCTL_EL1", reg::CNTKCTL_EL1, 1, &R::cntkctl_el1, 0x3ff),
    fn("CNTP_TVAL_EL0", reg::CNTP_TVAL_EL0, 0, timer_read<reg::CNTP_TVAL_EL0>, timer_write<reg::CNTP_TVAL_EL0>, Gate::CntP),
    fn("CNTP_CTL_EL0", reg::CNTP_CTL_EL0, 0, timer_read<reg::CNTP_CTL_EL0>, timer_write<reg::CNTP_CTL_EL0>, Gate::CntP),
    fn("CNTP_CVAL_EL0", reg::CNTP_CVAL_EL0, 0, timer_read<reg::CNTP_CVAL_EL0>, timer_write<reg::CNTP_CVAL_EL0>, Gate::CntP),
    fn("CNTV_TVAL_EL0", reg::CNTV_TVAL_EL0, 0, timer_read<reg::CNTV_TVAL_EL0>, timer_write<reg::CNTV_TVAL_EL0>, Gate::CntV),
    fn("CNTV_CTL_EL0", reg::CNTV_CTL_EL0, 0, timer_read<reg::CNTV_CTL_EL0>, timer_write<reg::CNTV_CTL_EL0>, Gate::CntV),
    fn("CNTV_CVAL_EL0", reg::CNTV_CVAL_EL0, 0, timer_read<reg::CNTV_CVAL_EL0>, timer_write<reg::CNTV_CVAL_EL0>, Gate::CntV),
    fn("CNTVOFF_EL2", reg::CNTVOFF_EL2, 2, timer_read<reg::CNTVOFF_EL2>, timer_write<reg::CNTVOFF_EL2>),
    fn("CNTHCTL_EL2", reg::CNTHCTL_EL2, 2, timer_read<reg::CNTHCTL_EL2>, timer_write<reg::CNTHCTL_EL2>),
    fn("CNTHP_TVAL_EL2", reg::CNTHP_TVAL_EL2, 2, timer_read<reg::CNTHP_TVAL_EL2>, timer_write<reg::CNTHP_TVAL_EL2>),
    fn("CNTHP_CTL_EL2", reg::CNTHP_CTL_EL2, 2, timer_read<reg::CNTHP_CTL_EL2>, timer_write<reg::CNTHP_CTL_EL2>),
    fn("CNTHP_CVAL_EL2", reg::CNTHP_CVAL_EL2, 2, timer_read<reg::CNTHP_CVAL_EL2>, timer_write<reg::CNTHP_CVAL_EL2>),
    // EL2.
    store("VPIDR_EL2", reg::VPIDR_EL2, 2, &R::vpidr_el2, 0xffffffff),
    store("VMPIDR_EL2", reg::VMPIDR_EL2, 2, &R::vmpidr_el2, kVmpidrMask, Gate::None, kNoEffect, kVmpidrRes1),
    store("SCTLR_EL2", reg::SCTLR_EL2, 2, &R::sctlr_el2, kSctlrEl2Mask, Gate::None, kEffectCtx, kSctlrEl2Res1),
    store("ACTLR_EL2", reg::ACTLR_EL2, 2, &R::actlr_el2, 0),
    store("HCR_EL2", reg::HCR_EL2, 2, &R::hcr_el2, kHcrMask, Gate::None, kEffectCtx | kEffectIrq, hcr::RW),
    store("MDCR_EL2", reg::MDCR_EL2, 2, &R::mdcr_el2, 0xf00),
    store("CPTR_EL2", reg::CPTR_EL2, 2, &R::cptr_el2, kCptrMask, Gate::None, kNoEffect, kCptrRes1),
    store("HSTR_EL2", reg::HSTR_EL2, 2, &R::hstr_el2, 0),
    fn("HACR_EL2", reg::HACR_EL2, 2, zero, ignore),
    store("TTBR0_EL2", reg::TTBR0_EL2, 2, &R::ttbr0_el2, kTtbrEl2Mask, Gate::None, kEffectCtx),
    store("TCR_EL2", reg::TCR_EL2, 2, &R::tcr_el2, kTcrEl2Mask, Gate::None, kEffectCtx, kTcrEl2Res1),
    store("VTTBR_EL2", reg::VTTBR_EL2, 2, &R::vttbr_el2, kVttbrMask, Gate::None, kEffectCtx),
    store("VTCR_EL2", reg::VTCR_EL2, 2, &R::vtcr_el2, kVtcrMask, Gate::None, kEffectCtx, kVtcrRes1),
    store("SPSR_EL2", reg::SPSR_EL2, 2, &R::spsr_el2, kSpsrMask),
    store("ELR_EL2", reg::ELR_EL2, 2, &R::elr_el2),
    fn("SP_EL1", reg::SP_EL1, 2, sp_read<1>, sp_write<1>),
    store("AFSR0_EL2", reg::AFSR0_EL2, 2, &R::afsr0_el2, 0),
    store("AFSR1_EL2", reg::AFSR1_EL2, 2, &R::afsr1_el2, 0),
    store("ESR_EL2", reg::ESR_EL2, 2, &R::esr_el2, 0xffffffff),
    store("FAR_EL2", reg::FAR_EL2, 2, &R::far_el2),
    store("HPFAR_EL2", reg::HPFAR_EL2, 2, &R::hpfar_el2, kHpfarMask),
    store("MAIR_EL2", reg::MAIR_EL2, 2, &R::mair_el2, kAll, Gate::None, kEffectCtx),
    store("AMAIR_EL2", reg::AMAIR_EL2, 2, &R::amair_el2),
    store("VBAR_EL2", reg::VBAR_EL2, 2, &R::vbar_el2, kVbarMask),
    ro("RVBAR_EL2", reg::RVBAR_EL2, 2, rvbar),
    store("TPIDR_EL2", reg::TPIDR_EL2, 2, &R::tpidr_el2),
};

constexpr unsigned kNone = 0xffff;

bool is_id_space(uint32_t enc) {
    return (enc >> 14) == 3 && ((enc >> 11) & 7) == 0 && ((enc >> 7) & 15) == 0 && ((enc >> 3) & 15) >= 1 &&
           ((enc >> 3) & 15) <= 7;
}

// Encoding (16 bits) -> row.
const std::array<uint16_t, 1u << 16>& index() {
    static const auto idx = [] {
        std::array<uint16_t, 1u << 16> a;
        a.fill(kNone);
        unsigned raz = kNone;
        for (unsigned k = 0; k < kTable.size(); ++k) {
            if (std::strcmp(kTable[k].name, "ID_RAZ") == 0)
                raz = k;
            else
                a[kTable[k].enc] = static_cast<uint16_t>(k);
        }
        for (uint32_t e = 0; e < a.size(); ++e)
            if (a[e] == kNone && is_id_space(e)) a[e] = static_cast<uint16_t>(raz);
        return a;
    }();
    return idx;
}

} // namespace

const SysRegDef* sysreg_table() { return kTable.data(); }
unsigned sysreg_table_size() { return kTable.size(); }

const SysRegDef* sysreg_find(uint32_t enc) {
    if (enc >= (1u << 16)) return nullptr;
    const uint16_t k = index()[enc];
    return k == kNone ? nullptr : &kTable[k];
}

} // namespace hvemu::arm
