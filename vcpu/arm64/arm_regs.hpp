// The AArch64 system registers, fields and syndrome encodings the Arm vCPU
// uses, named as the Arm ARM names them (DDI0487): one place for the
// numbers, so the vCPU code reads as EL2 software does.
#pragma once
#include <cstdint>

#include "isa/arm64/sysregs.hpp"

namespace hvemu::vcpu::arm64 {

using hvemu::arm::sysreg_enc;

// ---- system register encodings (op0, op1, CRn, CRm, op2) --------------------
namespace sr {
// EL1 / EL0 context
constexpr uint32_t SCTLR_EL1 = sysreg_enc(3, 0, 1, 0, 0);
constexpr uint32_t ACTLR_EL1 = sysreg_enc(3, 0, 1, 0, 1);
constexpr uint32_t CPACR_EL1 = sysreg_enc(3, 0, 1, 0, 2);
constexpr uint32_t TTBR0_EL1 = sysreg_enc(3, 0, 2, 0, 0);
constexpr uint32_t TTBR1_EL1 = sysreg_enc(3, 0, 2, 0, 1);
constexpr uint32_t TCR_EL1 = sysreg_enc(3, 0, 2, 0, 2);
constexpr uint32_t SPSR_EL1 = sysreg_enc(3, 0, 4, 0, 0);
constexpr uint32_t ELR_EL1 = sysreg_enc(3, 0, 4, 0, 1);
constexpr uint32_t SP_EL0 = sysreg_enc(3, 0, 4, 1, 0);
constexpr uint32_t AFSR0_EL1 = sysreg_enc(3, 0, 5, 1, 0);
constexpr uint32_t AFSR1_EL1 = sysreg_enc(3, 0, 5, 1, 1);
constexpr uint32_t ESR_EL1 = sysreg_enc(3, 0, 5, 2, 0);
constexpr uint32_t FAR_EL1 = sysreg_enc(3, 0, 6, 0, 0);
constexpr uint32_t PAR_EL1 = sysreg_enc(3, 0, 7, 4, 0);
constexpr uint32_t MAIR_EL1 = sysreg_enc(3, 0, 10, 2, 0);
constexpr uint32_t AMAIR_EL1 = sysreg_enc(3, 0, 10, 3, 0);
constexpr uint32_t VBAR_EL1 = sysreg_enc(3, 0, 12, 0, 0);
constexpr uint32_t CONTEXTIDR_EL1 = sysreg_enc(3, 0, 13, 0, 1);
constexpr uint32_t TPIDR_EL1 = sysreg_enc(3, 0, 13, 0, 4);
constexpr uint32_t CNTKCTL_EL1 = sysreg_enc(3, 0, 14, 1, 0);
constexpr uint32_t MDSCR_EL1 = sysreg_enc(2, 0, 0, 2, 2);
constexpr uint32_t TPIDR_EL0 = sysreg_enc(3, 3, 13, 0, 2);
constexpr uint32_t TPIDRRO_EL0 = sysreg_enc(3, 3, 13, 0, 3);
constexpr uint32_t SP_EL1 = sysreg_enc(3, 4, 4, 1, 0);
constexpr uint32_t ID_AA64MMFR0_EL1 = sysreg_enc(3, 0, 0, 7, 0);
// Generic timer
constexpr uint32_t CNTP_CTL_EL0 = sysreg_enc(3, 3, 14, 2, 1);
constexpr uint32_t CNTP_CVAL_EL0 = sysreg_enc(3, 3, 14, 2, 2);
constexpr uint32_t CNTV_CTL_EL0 = sysreg_enc(3, 3, 14, 3, 1);
constexpr uint32_t CNTV_CVAL_EL0 = sysreg_enc(3, 3, 14, 3, 2);
constexpr uint32_t CNTVOFF_EL2 = sysreg_enc(3, 4, 14, 0, 3);
constexpr uint32_t CNTHCTL_EL2 = sysreg_enc(3, 4, 14, 1, 0);
// EL2 controls
constexpr uint32_t VPIDR_EL2 = sysreg_enc(3, 4, 0, 0, 0);
constexpr uint32_t VMPIDR_EL2 = sysreg_enc(3, 4, 0, 0, 5);
constexpr uint32_t HCR_EL2 = sysreg_enc(3, 4, 1, 1, 0);
constexpr uint32_t MDCR_EL2 = sysreg_enc(3, 4, 1, 1, 1);
constexpr uint32_t CPTR_EL2 = sysreg_enc(3, 4, 1, 1, 2);
constexpr uint32_t HSTR_EL2 = sysreg_enc(3, 4, 1, 1, 3);
constexpr uint32_t VTTBR_EL2 = sysreg_enc(3, 4, 2, 1, 0);
constexpr uint32_t VTCR_EL2 = sysreg_enc(3, 4, 2, 1, 2);
constexpr uint32_t SPSR_EL2 = sysreg_enc(3, 4, 4, 0, 0);
constexpr uint32_t ELR_EL2 = sysreg_enc(3, 4, 4, 0, 1);
constexpr uint32_t ESR_EL2 = sysreg_enc(3, 4, 5, 2, 0);
constexpr uint32_t FAR_EL2 = sysreg_enc(3, 4, 6, 0, 0);
constexpr uint32_t HPFAR_EL2 = sysreg_enc(3, 4, 6, 0, 4);
constexpr uint32_t VBAR_EL2 = sysreg_enc(3, 4, 12, 0, 0);
// GICv3 physical CPU interface (as the host uses it at EL2)
constexpr uint32_t ICC_IAR1_EL1 = sysreg_enc(3, 0, 12, 12, 0);
constexpr uint32_t ICC_EOIR1_EL1 = sysreg_enc(3, 0, 12, 12, 1);
constexpr uint32_t ICC_DIR_EL1 = sysreg_enc(3, 0, 12, 11, 1);
constexpr uint32_t ICC_SGI1R_EL1 = sysreg_enc(3, 0, 12, 11, 5);
constexpr uint32_t ICC_PMR_EL1 = sysreg_enc(3, 0, 4, 6, 0);
constexpr uint32_t ICC_CTLR_EL1 = sysreg_enc(3, 0, 12, 12, 4);
constexpr uint32_t ICC_IGRPEN1_EL1 = sysreg_enc(3, 0, 12, 12, 7);
// GICv3 virtualization control
constexpr uint32_t ICH_HCR_EL2 = sysreg_enc(3, 4, 12, 11, 0);
constexpr uint32_t ICH_VTR_EL2 = sysreg_enc(3, 4, 12, 11, 1);
constexpr uint32_t ICH_MISR_EL2 = sysreg_enc(3, 4, 12, 11, 2);
constexpr uint32_t ICH_ELRSR_EL2 = sysreg_enc(3, 4, 12, 11, 5);
constexpr uint32_t ICH_VMCR_EL2 = sysreg_enc(3, 4, 12, 11, 7);
constexpr uint32_t ich_ap1r_el2(unsigned n) { return sysreg_enc(3, 4, 12, 9, n); }
constexpr uint32_t ich_lr_el2(unsigned n) { return sysreg_enc(3, 4, 12, n < 8 ? 12 : 13, n & 7); }
} // namespace sr

// ---- register fields --------------------------------------------------------
namespace hcr {
constexpr uint64_t VM = 1ull << 0, FMO = 1ull << 3, IMO = 1ull << 4, TWI = 1ull << 13, TWE = 1ull << 14;
constexpr uint64_t TSC = 1ull << 19, RW = 1ull << 31;
}
namespace cnthctl {
constexpr uint64_t EL1PCTEN = 1ull << 0, EL1PCEN = 1ull << 1;
}
namespace vtcr {
constexpr uint64_t T0SZ_SHIFT = 0, SL0_SHIFT = 6, IRGN0_WBRAWA = 1ull << 8, ORGN0_WBRAWA = 1ull << 10;
constexpr uint64_t SH0_INNER = 3ull << 12, TG0_4K = 0ull << 14, PS_SHIFT = 16;
constexpr uint64_t RES1 = 1ull << 31;
constexpr uint64_t SL0_LEVEL1 = 1, SL0_LEVEL0 = 2;   // 4 KiB granule: SL0 = 1 starts at level 1, 2 at level 0
}
namespace spsr {
constexpr uint64_t M_EL1H = 0x5, M_EL1T = 0x4, M_EL0T = 0x0, M_MASK = 0xf, M_RW = 1ull << 4;
constexpr uint64_t DAIF = 0xfull << 6;
constexpr uint64_t EL1H_DAIF_MASKED = DAIF | M_EL1H;   // 0x3c5
inline unsigned el(uint64_t spsr) { return static_cast<unsigned>((spsr >> 2) & 3); }
}
constexpr uint64_t kSctlrEl1Reset = 0x30C50830;   // RES1 bits, MMU and caches off, little-endian

namespace ich_lr {
constexpr uint64_t STATE_PENDING = 1ull << 62, STATE_ACTIVE = 1ull << 63, STATE_MASK = 3ull << 62;
constexpr uint64_t HW = 1ull << 61, GROUP1 = 1ull << 60;
constexpr unsigned PRIORITY_SHIFT = 48, PINTID_SHIFT = 32;
constexpr uint64_t VINTID_MASK = 0xffffffffull;
}
namespace ich_hcr {
constexpr uint64_t En = 1ull << 0, UIE = 1ull << 1, NPIE = 1ull << 3;
}

// ---- exception syndrome (ESR_EL2) --------------------------------------------
namespace esr {
constexpr unsigned EC_SHIFT = 26;
constexpr uint64_t IL = 1ull << 25, ISS_MASK = 0x1ffffff;
inline uint32_t ec(uint64_t e) { return static_cast<uint32_t>((e >> EC_SHIFT) & 0x3f); }
inline uint32_t iss(uint64_t e) { return static_cast<uint32_t>(e & ISS_MASK); }
}
namespace ec {
constexpr uint32_t UNKNOWN = 0x00, WFX = 0x01, HVC64 = 0x16, SMC64 = 0x17, SYS64 = 0x18;
constexpr uint32_t IABT_LOW = 0x20, DABT_LOW = 0x24;
}
// Data abort ISS
namespace dabt {
constexpr uint32_t ISV = 1u << 24, SSE = 1u << 21, SF = 1u << 15, AR = 1u << 14, S1PTW = 1u << 7, WnR = 1u << 6;
inline unsigned sas(uint32_t iss) { return (iss >> 22) & 3; }
inline unsigned srt(uint32_t iss) { return (iss >> 16) & 0x1f; }
inline unsigned dfsc(uint32_t iss) { return iss & 0x3f; }
inline bool translation_fault(uint32_t iss) { return (dfsc(iss) & 0x3c) == 0x04; }
}
// MSR/MRS trap ISS: Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1, Direction 0 (1 = read)
namespace sysiss {
constexpr uint32_t ADDR_MASK = 0x3ffc1e;   // the register's identity without Rt and direction (AXVISOR.md)
constexpr uint32_t READ = 1;
inline unsigned rt(uint32_t iss) { return (iss >> 5) & 0x1f; }
constexpr uint32_t addr(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | crm << 1;
}
constexpr uint32_t ICC_SGI1R_EL1 = addr(3, 0, 12, 11, 5);   // 0x3a3016
}
// ICC_SGI1R_EL1 fields
namespace sgi1r {
inline uint64_t target_list(uint64_t v) { return v & 0xffff; }
inline uint64_t aff1(uint64_t v) { return (v >> 16) & 0xff; }
inline uint64_t intid(uint64_t v) { return (v >> 24) & 0xf; }
inline uint64_t aff2(uint64_t v) { return (v >> 32) & 0xff; }
inline bool irm(uint64_t v) { return (v >> 40) & 1; }
inline uint64_t aff3(uint64_t v) { return (v >> 48) & 0xff; }
}

// Exception vector offsets from VBAR_EL2 for an exception from a lower EL
// using AArch64: how EL2 software tells a synchronous exception from an IRQ.
namespace vec {
constexpr uint64_t LOWER_SYNC = 0x400, LOWER_IRQ = 0x480, LOWER_FIQ = 0x500, LOWER_SERROR = 0x580;
}

// PPIs of the GIC that the PE drives.
namespace ppi {
constexpr uint32_t MAINTENANCE = 25, HYP_TIMER = 26, VIRT_TIMER = 27, PHYS_TIMER = 30;
}

} // namespace hvemu::vcpu::arm64
