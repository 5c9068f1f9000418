// System register storage of the PE and the encodings used to name them
// (op0, op1, CRn, CRm, op2 packed as in MRS/MSR bits 20:5).
#pragma once
#include <cstdint>

namespace hvemu::arm {

constexpr uint32_t sysreg_enc(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

// Encodings of the registers named anywhere in the model.
namespace reg {
// EL1 / EL0 (op1 0-3)
constexpr uint32_t MIDR_EL1 = sysreg_enc(3, 0, 0, 0, 0), MPIDR_EL1 = sysreg_enc(3, 0, 0, 0, 5),
                   REVIDR_EL1 = sysreg_enc(3, 0, 0, 0, 6);
constexpr uint32_t ID_AA64PFR0_EL1 = sysreg_enc(3, 0, 0, 4, 0), ID_AA64PFR1_EL1 = sysreg_enc(3, 0, 0, 4, 1),
                   ID_AA64DFR0_EL1 = sysreg_enc(3, 0, 0, 5, 0), ID_AA64DFR1_EL1 = sysreg_enc(3, 0, 0, 5, 1),
                   ID_AA64AFR0_EL1 = sysreg_enc(3, 0, 0, 5, 4), ID_AA64AFR1_EL1 = sysreg_enc(3, 0, 0, 5, 5),
                   ID_AA64ISAR0_EL1 = sysreg_enc(3, 0, 0, 6, 0), ID_AA64ISAR1_EL1 = sysreg_enc(3, 0, 0, 6, 1),
                   ID_AA64MMFR0_EL1 = sysreg_enc(3, 0, 0, 7, 0), ID_AA64MMFR1_EL1 = sysreg_enc(3, 0, 0, 7, 1),
                   ID_AA64MMFR2_EL1 = sysreg_enc(3, 0, 0, 7, 2);
constexpr uint32_t CCSIDR_EL1 = sysreg_enc(3, 1, 0, 0, 0), CLIDR_EL1 = sysreg_enc(3, 1, 0, 0, 1),
                   AIDR_EL1 = sysreg_enc(3, 1, 0, 0, 7), CSSELR_EL1 = sysreg_enc(3, 2, 0, 0, 0),
                   CTR_EL0 = sysreg_enc(3, 3, 0, 0, 1), DCZID_EL0 = sysreg_enc(3, 3, 0, 0, 7);
constexpr uint32_t SCTLR_EL1 = sysreg_enc(3, 0, 1, 0, 0), ACTLR_EL1 = sysreg_enc(3, 0, 1, 0, 1),
                   CPACR_EL1 = sysreg_enc(3, 0, 1, 0, 2);
constexpr uint32_t TTBR0_EL1 = sysreg_enc(3, 0, 2, 0, 0), TTBR1_EL1 = sysreg_enc(3, 0, 2, 0, 1),
                   TCR_EL1 = sysreg_enc(3, 0, 2, 0, 2);
constexpr uint32_t SPSR_EL1 = sysreg_enc(3, 0, 4, 0, 0), ELR_EL1 = sysreg_enc(3, 0, 4, 0, 1),
                   SP_EL0 = sysreg_enc(3, 0, 4, 1, 0), SPSel = sysreg_enc(3, 0, 4, 2, 0),
                   CurrentEL = sysreg_enc(3, 0, 4, 2, 2), NZCV = sysreg_enc(3, 3, 4, 2, 0),
                   DAIF = sysreg_enc(3, 3, 4, 2, 1), FPCR = sysreg_enc(3, 3, 4, 4, 0),
                   FPSR = sysreg_enc(3, 3, 4, 4, 1);
constexpr uint32_t AFSR0_EL1 = sysreg_enc(3, 0, 5, 1, 0), AFSR1_EL1 = sysreg_enc(3, 0, 5, 1, 1),
                   ESR_EL1 = sysreg_enc(3, 0, 5, 2, 0), FAR_EL1 = sysreg_enc(3, 0, 6, 0, 0),
                   PAR_EL1 = sysreg_enc(3, 0, 7, 4, 0);
constexpr uint32_t MAIR_EL1 = sysreg_enc(3, 0, 10, 2, 0), AMAIR_EL1 = sysreg_enc(3, 0, 10, 3, 0),
                   VBAR_EL1 = sysreg_enc(3, 0, 12, 0, 0), ISR_EL1 = sysreg_enc(3, 0, 12, 1, 0),
                   CONTEXTIDR_EL1 = sysreg_enc(3, 0, 13, 0, 1), TPIDR_EL1 = sysreg_enc(3, 0, 13, 0, 4),
                   TPIDR_EL0 = sysreg_enc(3, 3, 13, 0, 2), TPIDRRO_EL0 = sysreg_enc(3, 3, 13, 0, 3);
// Debug (op0 2)
constexpr uint32_t MDCCINT_EL1 = sysreg_enc(2, 0, 0, 2, 0), MDSCR_EL1 = sysreg_enc(2, 0, 0, 2, 2),
                   MDRAR_EL1 = sysreg_enc(2, 0, 1, 0, 0), OSLAR_EL1 = sysreg_enc(2, 0, 1, 0, 4),
                   OSLSR_EL1 = sysreg_enc(2, 0, 1, 1, 4), OSDLR_EL1 = sysreg_enc(2, 0, 1, 3, 4),
                   DBGPRCR_EL1 = sysreg_enc(2, 0, 1, 4, 4), DBGCLAIMSET_EL1 = sysreg_enc(2, 0, 7, 8, 6),
                   DBGCLAIMCLR_EL1 = sysreg_enc(2, 0, 7, 9, 6), DBGAUTHSTATUS_EL1 = sysreg_enc(2, 0, 7, 14, 6);
constexpr uint32_t DBGBVR_EL1(unsigned n) { return sysreg_enc(2, 0, 0, n, 4); }
constexpr uint32_t DBGBCR_EL1(unsigned n) { return sysreg_enc(2, 0, 0, n, 5); }
constexpr uint32_t DBGWVR_EL1(unsigned n) { return sysreg_enc(2, 0, 0, n, 6); }
constexpr uint32_t DBGWCR_EL1(unsigned n) { return sysreg_enc(2, 0, 0, n, 7); }
// Generic timer
constexpr uint32_t CNTFRQ_EL0 = sysreg_enc(3, 3, 14, 0, 0), CNTPCT_EL0 = sysreg_enc(3, 3, 14, 0, 1),
                   CNTVCT_EL0 = sysreg_enc(3, 3, 14, 0, 2), CNTKCTL_EL1 = sysreg_enc(3, 0, 14, 1, 0),
                   CNTP_TVAL_EL0 = sysreg_enc(3, 3, 14, 2, 0), CNTP_CTL_EL0 = sysreg_enc(3, 3, 14, 2, 1),
                   CNTP_CVAL_EL0 = sysreg_enc(3, 3, 14, 2, 2), CNTV_TVAL_EL0 = sysreg_enc(3, 3, 14, 3, 0),
                   CNTV_CTL_EL0 = sysreg_enc(3, 3, 14, 3, 1), CNTV_CVAL_EL0 = sysreg_enc(3, 3, 14, 3, 2),
                   CNTVOFF_EL2 = sysreg_enc(3, 4, 14, 0, 3), CNTHCTL_EL2 = sysreg_enc(3, 4, 14, 1, 0),
                   CNTHP_TVAL_EL2 = sysreg_enc(3, 4, 14, 2, 0), CNTHP_CTL_EL2 = sysreg_enc(3, 4, 14, 2, 1),
                   CNTHP_CVAL_EL2 = sysreg_enc(3, 4, 14, 2, 2);
// EL2 (op1 4)
constexpr uint32_t VPIDR_EL2 = sysreg_enc(3, 4, 0, 0, 0), VMPIDR_EL2 = sysreg_enc(3, 4, 0, 0, 5),
                   SCTLR_EL2 = sysreg_enc(3, 4, 1, 0, 0), ACTLR_EL2 = sysreg_enc(3, 4, 1, 0, 1),
                   HCR_EL2 = sysreg_enc(3, 4, 1, 1, 0), MDCR_EL2 = sysreg_enc(3, 4, 1, 1, 1),
                   CPTR_EL2 = sysreg_enc(3, 4, 1, 1, 2), HSTR_EL2 = sysreg_enc(3, 4, 1, 1, 3),
                   HACR_EL2 = sysreg_enc(3, 4, 1, 1, 7), TTBR0_EL2 = sysreg_enc(3, 4, 2, 0, 0),
                   TCR_EL2 = sysreg_enc(3, 4, 2, 0, 2), VTTBR_EL2 = sysreg_enc(3, 4, 2, 1, 0),
                   VTCR_EL2 = sysreg_enc(3, 4, 2, 1, 2), SPSR_EL2 = sysreg_enc(3, 4, 4, 0, 0),
                   ELR_EL2 = sysreg_enc(3, 4, 4, 0, 1), SP_EL1 = sysreg_enc(3, 4, 4, 1, 0),
                   AFSR0_EL2 = sysreg_enc(3, 4, 5, 1, 0), AFSR1_EL2 = sysreg_enc(3, 4, 5, 1, 1),
                   ESR_EL2 = sysreg_enc(3, 4, 5, 2, 0), FAR_EL2 = sysreg_enc(3, 4, 6, 0, 0),
                   HPFAR_EL2 = sysreg_enc(3, 4, 6, 0, 4), MAIR_EL2 = sysreg_enc(3, 4, 10, 2, 0),
                   AMAIR_EL2 = sysreg_enc(3, 4, 10, 3, 0), VBAR_EL2 = sysreg_enc(3, 4, 12, 0, 0),
                   RVBAR_EL2 = sysreg_enc(3, 4, 12, 0, 1), TPIDR_EL2 = sysreg_enc(3, 4, 13, 0, 2);
} // namespace reg

// HCR_EL2 fields (no FEAT_VHE: E2H is RES0; RW is RAO since EL1 is A64 only).
namespace hcr {
constexpr uint64_t VM = 1ull << 0, SWIO = 1ull << 1, PTW = 1ull << 2, FMO = 1ull << 3, IMO = 1ull << 4,
                   AMO = 1ull << 5, VF = 1ull << 6, VI = 1ull << 7, VSE = 1ull << 8, FB = 1ull << 9,
                   BSU = 3ull << 10, DC = 1ull << 12, TWI = 1ull << 13, TWE = 1ull << 14, TID0 = 1ull << 15,
                   TID1 = 1ull << 16, TID2 = 1ull << 17, TID3 = 1ull << 18, TSC = 1ull << 19,
                   TIDCP = 1ull << 20, TACR = 1ull << 21, TSW = 1ull << 22, TPCP = 1ull << 23,
                   TPU = 1ull << 24, TTLB = 1ull << 25, TVM = 1ull << 26, TGE = 1ull << 27, TDZ = 1ull << 28,
                   HCD = 1ull << 29, TRVM = 1ull << 30, RW = 1ull << 31, CD = 1ull << 32, ID = 1ull << 33;
} // namespace hcr

// Exception syndrome: ESR_ELx = EC << 26 | IL << 25 | ISS.
namespace esr {
constexpr uint32_t EC_UNKNOWN = 0x00, EC_WFX = 0x01, EC_FP = 0x07, EC_ILLEGAL = 0x0E, EC_SVC = 0x15,
                   EC_HVC = 0x16, EC_SMC = 0x17, EC_SYSREG = 0x18, EC_IABT_LOW = 0x20, EC_IABT_CUR = 0x21,
                   EC_PC_ALIGN = 0x22, EC_DABT_LOW = 0x24, EC_DABT_CUR = 0x25, EC_SP_ALIGN = 0x26,
                   EC_SERROR = 0x2F, EC_BRK = 0x3C;
constexpr uint64_t IL = 1ull << 25;
constexpr unsigned EC_SHIFT = 26;
} // namespace esr

// SPSR_ELx (A64 layout); PSTATE is saved and restored through it.
namespace spsr {
constexpr uint64_t M = 0xf, M4 = 1u << 4, F = 1u << 6, I = 1u << 7, A = 1u << 8, D = 1u << 9,
                   DAIF = 0xfu << 6, IL = 1u << 20, SS = 1u << 21, NZCV = 0xfull << 28;
} // namespace spsr

// CNT*_CTL and the timer access controls.
namespace cnt {
constexpr uint64_t ENABLE = 1, IMASK = 2, ISTATUS = 4;
// CNTKCTL_EL1
constexpr uint64_t EL0PCTEN = 1u << 0, EL0VCTEN = 1u << 1, EL0VTEN = 1u << 8, EL0PTEN = 1u << 9;
// CNTHCTL_EL2 (E2H = 0 layout)
constexpr uint64_t EL1PCTEN = 1u << 0, EL1PCEN = 1u << 1;
// The PPIs the timers drive.
constexpr uint32_t PPI_CNTHP = 26, PPI_CNTV = 27, PPI_CNTP = 30;
} // namespace cnt

// The registers' storage; semantics (WARL, views, traps) live in sysreg*.cpp.
struct SysRegs {
    // EL1
    uint64_t sctlr_el1 = 0, tcr_el1 = 0, ttbr0_el1 = 0, ttbr1_el1 = 0, mair_el1 = 0, amair_el1 = 0;
    uint64_t vbar_el1 = 0, elr_el1 = 0, spsr_el1 = 0, esr_el1 = 0, far_el1 = 0, par_el1 = 0;
    uint64_t sp_el0 = 0, sp_el1 = 0, tpidr_el0 = 0, tpidr_el1 = 0, tpidrro_el0 = 0;
    uint64_t contextidr_el1 = 0, cpacr_el1 = 0, actlr_el1 = 0, afsr0_el1 = 0, afsr1_el1 = 0;
    uint64_t cntkctl_el1 = 0, mdscr_el1 = 0;
    // EL2
    uint64_t sctlr_el2 = 0, hcr_el2 = 0, tcr_el2 = 0, ttbr0_el2 = 0, mair_el2 = 0, amair_el2 = 0;
    uint64_t vbar_el2 = 0, elr_el2 = 0, spsr_el2 = 0, esr_el2 = 0, far_el2 = 0, hpfar_el2 = 0;
    uint64_t sp_el2 = 0, tpidr_el2 = 0, vtcr_el2 = 0, vttbr_el2 = 0, vmpidr_el2 = 0, vpidr_el2 = 0;
    uint64_t cptr_el2 = 0, mdcr_el2 = 0, hstr_el2 = 0, actlr_el2 = 0, afsr0_el2 = 0, afsr1_el2 = 0;
    // Generic timer
    uint64_t cntvoff_el2 = 0, cnthctl_el2 = 0;
    uint64_t cntv_ctl = 0, cntv_cval = 0, cntp_ctl = 0, cntp_cval = 0, cnthp_ctl = 0, cnthp_cval = 0;
    // GICv3 CPU interface (physical)
    uint64_t icc_pmr = 0, icc_bpr1 = 0, icc_ctlr_el1 = 0, icc_sre_el1 = 7, icc_sre_el2 = 7;
    uint64_t icc_igrpen1 = 0, icc_ap1r[4] = {};
    // GICv3 virtualization
    uint64_t ich_hcr = 0, ich_vmcr = 0, ich_ap1r[4] = {}, ich_lr[16] = {};
    // Cache identification, debug (two breakpoints, two watchpoints; no
    // self-hosted debug events are generated) and the OS lock.
    uint64_t csselr_el1 = 0, mdccint_el1 = 0, osdlr_el1 = 0, oslsr_el1 = 0, dbgprcr_el1 = 0, dbgclaim = 0;
    uint64_t dbgbvr[2] = {}, dbgbcr[2] = {}, dbgwvr[2] = {}, dbgwcr[2] = {};
    // ---- arm-gic: Group 0 state of the CPU interface (no Group 0 interrupts
    // exist behind the port, but the registers hold what software writes).
    uint64_t icc_bpr0 = 0, icc_igrpen0 = 0, icc_ap0r[4] = {}, ich_ap0r[4] = {};
    // ---- end arm-gic
};

} // namespace hvemu::arm
