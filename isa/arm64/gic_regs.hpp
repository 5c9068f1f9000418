// GICv3 CPU interface system registers (IHI 0069): encodings and fields of
// ICC_* (physical; the same encodings reach ICV_* at EL1 when HCR_EL2.IMO/
// FMO redirect them) and ICH_* (EL2 virtualization controls), named as the
// specification names them.
#pragma once
#include <cstdint>

#include "isa/arm64/sysregs.hpp"

namespace hvemu::arm::gic {

// ---- Encodings (op0, op1, CRn, CRm, op2) ----------------------------------
constexpr uint32_t ICC_PMR_EL1 = sysreg_enc(3, 0, 4, 6, 0);
constexpr uint32_t ICC_IAR0_EL1 = sysreg_enc(3, 0, 12, 8, 0);
constexpr uint32_t ICC_EOIR0_EL1 = sysreg_enc(3, 0, 12, 8, 1);
constexpr uint32_t ICC_HPPIR0_EL1 = sysreg_enc(3, 0, 12, 8, 2);
constexpr uint32_t ICC_BPR0_EL1 = sysreg_enc(3, 0, 12, 8, 3);
constexpr uint32_t ICC_AP0R0_EL1 = sysreg_enc(3, 0, 12, 8, 4);    // AP0R<n>: op2 4+n
constexpr uint32_t ICC_AP1R0_EL1 = sysreg_enc(3, 0, 12, 9, 0);    // AP1R<n>: op2 n
constexpr uint32_t ICC_NMIAR1_EL1 = sysreg_enc(3, 0, 12, 9, 5);
constexpr uint32_t ICC_DIR_EL1 = sysreg_enc(3, 0, 12, 11, 1);
constexpr uint32_t ICC_RPR_EL1 = sysreg_enc(3, 0, 12, 11, 3);
constexpr uint32_t ICC_SGI1R_EL1 = sysreg_enc(3, 0, 12, 11, 5);
constexpr uint32_t ICC_ASGI1R_EL1 = sysreg_enc(3, 0, 12, 11, 6);
constexpr uint32_t ICC_SGI0R_EL1 = sysreg_enc(3, 0, 12, 11, 7);
constexpr uint32_t ICC_IAR1_EL1 = sysreg_enc(3, 0, 12, 12, 0);
constexpr uint32_t ICC_EOIR1_EL1 = sysreg_enc(3, 0, 12, 12, 1);
constexpr uint32_t ICC_HPPIR1_EL1 = sysreg_enc(3, 0, 12, 12, 2);
constexpr uint32_t ICC_BPR1_EL1 = sysreg_enc(3, 0, 12, 12, 3);
constexpr uint32_t ICC_CTLR_EL1 = sysreg_enc(3, 0, 12, 12, 4);
constexpr uint32_t ICC_SRE_EL1 = sysreg_enc(3, 0, 12, 12, 5);
constexpr uint32_t ICC_IGRPEN0_EL1 = sysreg_enc(3, 0, 12, 12, 6);
constexpr uint32_t ICC_IGRPEN1_EL1 = sysreg_enc(3, 0, 12, 12, 7);
constexpr uint32_t ICC_SRE_EL2 = sysreg_enc(3, 4, 12, 9, 5);
constexpr uint32_t ICC_CTLR_EL3 = sysreg_enc(3, 6, 12, 12, 4);
constexpr uint32_t ICC_SRE_EL3 = sysreg_enc(3, 6, 12, 12, 5);
constexpr uint32_t ICC_IGRPEN1_EL3 = sysreg_enc(3, 6, 12, 12, 7);

constexpr uint32_t ICH_AP0R0_EL2 = sysreg_enc(3, 4, 12, 8, 0);    // AP0R<n>: op2 n
constexpr uint32_t ICH_AP1R0_EL2 = sysreg_enc(3, 4, 12, 9, 0);    // AP1R<n>: op2 n
constexpr uint32_t ICH_HCR_EL2 = sysreg_enc(3, 4, 12, 11, 0);
constexpr uint32_t ICH_VTR_EL2 = sysreg_enc(3, 4, 12, 11, 1);
constexpr uint32_t ICH_MISR_EL2 = sysreg_enc(3, 4, 12, 11, 2);
constexpr uint32_t ICH_EISR_EL2 = sysreg_enc(3, 4, 12, 11, 3);
constexpr uint32_t ICH_ELRSR_EL2 = sysreg_enc(3, 4, 12, 11, 5);
constexpr uint32_t ICH_VMCR_EL2 = sysreg_enc(3, 4, 12, 11, 7);
constexpr uint32_t ich_lr_enc(unsigned n) { return sysreg_enc(3, 4, 12, 12 + (n >> 3), n & 7); }

// ---- Fields ---------------------------------------------------------------
// ICC_CTLR_EL1 / ICV_CTLR_EL1
constexpr uint64_t CTLR_CBPR = 1u << 0, CTLR_EOIMODE = 1u << 1, CTLR_PMHE = 1u << 6;
constexpr unsigned CTLR_PRIBITS_SHIFT = 8, CTLR_IDBITS_SHIFT = 11;
constexpr uint64_t CTLR_SEIS = 1u << 14, CTLR_A3V = 1u << 15;
// ICC_SRE_ELx
constexpr uint64_t SRE_SRE = 1u << 0, SRE_DFB = 1u << 1, SRE_DIB = 1u << 2, SRE_ENABLE = 1u << 3;
// ICC_SGI1R_EL1
constexpr unsigned SGIR_INTID_SHIFT = 24;
constexpr uint64_t SGIR_IRM = 1ull << 40;

// ICH_HCR_EL2
constexpr uint64_t HCR_EN = 1u << 0, HCR_UIE = 1u << 1, HCR_LRENPIE = 1u << 2, HCR_NPIE = 1u << 3;
constexpr uint64_t HCR_VGRP0EIE = 1u << 4, HCR_VGRP0DIE = 1u << 5;
constexpr uint64_t HCR_VGRP1EIE = 1u << 6, HCR_VGRP1DIE = 1u << 7;
constexpr uint64_t HCR_TC = 1u << 10, HCR_TALL0 = 1u << 11, HCR_TALL1 = 1u << 12;
constexpr uint64_t HCR_TSEI = 1u << 13, HCR_TDIR = 1u << 14;
constexpr unsigned HCR_EOICOUNT_SHIFT = 27;
constexpr uint64_t HCR_EOICOUNT = 0x1full << HCR_EOICOUNT_SHIFT;
// ICH_VTR_EL2
constexpr uint64_t VTR_TDS = 1u << 19, VTR_NV4 = 1u << 20, VTR_A3V = 1u << 21, VTR_SEIS = 1u << 22;
constexpr unsigned VTR_IDBITS_SHIFT = 23, VTR_PREBITS_SHIFT = 26, VTR_PRIBITS_SHIFT = 29;
// ICH_VMCR_EL2
constexpr uint64_t VMCR_VENG0 = 1u << 0, VMCR_VENG1 = 1u << 1, VMCR_VFIQEN = 1u << 3;
constexpr uint64_t VMCR_VCBPR = 1u << 4, VMCR_VEOIM = 1u << 9;
constexpr unsigned VMCR_VBPR1_SHIFT = 18, VMCR_VBPR0_SHIFT = 21, VMCR_VPMR_SHIFT = 24;
// ICH_MISR_EL2
constexpr uint64_t MISR_EOI = 1u << 0, MISR_U = 1u << 1, MISR_LRENP = 1u << 2, MISR_NP = 1u << 3;
constexpr uint64_t MISR_VGRP0E = 1u << 4, MISR_VGRP0D = 1u << 5;
constexpr uint64_t MISR_VGRP1E = 1u << 6, MISR_VGRP1D = 1u << 7;
// ICH_LR<n>_EL2
constexpr unsigned LR_PINTID_SHIFT = 32, LR_PRIORITY_SHIFT = 48, LR_STATE_SHIFT = 62;
constexpr uint64_t LR_VINTID = 0xffffffffull;
constexpr uint64_t LR_PINTID = 0x1fffull << LR_PINTID_SHIFT;
constexpr uint64_t LR_EOI = 1ull << 41;           // with HW = 0: maintenance interrupt on EOI
constexpr uint64_t LR_PRIORITY = 0xffull << LR_PRIORITY_SHIFT;
constexpr uint64_t LR_GROUP = 1ull << 60, LR_HW = 1ull << 61;
constexpr uint64_t LR_PENDING = 1ull << 62, LR_ACTIVE = 1ull << 63;
constexpr uint64_t LR_STATE = LR_PENDING | LR_ACTIVE;

// The GIC maintenance interrupt (a PPI driven by the CPU interface).
constexpr uint32_t kMaintenancePpi = 25;

} // namespace hvemu::arm::gic
