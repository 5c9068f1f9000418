// The PE's system register table (sysreg_table.cpp) as the access code
// (sysreg.cpp) sees it: one row per implemented register with its
// encoding, the lowest EL that may access it, the trap group that can
// take the access to EL1/EL2 first, and either plain storage with WARL
// masks or accessor functions for registers that are views of other state.
#pragma once
#include <cstdint>

#include "isa/arm64/pe.hpp"

namespace hvemu::arm {

constexpr uint64_t kMidrValue = 0x411fd070;   // Arm Cortex-A57 r1p0

// What can stop an otherwise permitted access before it happens.
enum class Gate : uint8_t {
    None,
    Tid1, Tid2, Tid3,   // HCR_EL2.TIDn from EL1 (and EL0 where EL0 has access)
    Vm,                 // HCR_EL2.TVM (writes) and TRVM (reads) from EL1
    Tacr,               // HCR_EL2.TACR
    Ctr,                // SCTLR_EL1.UCT at EL0, then HCR_EL2.TID2
    Daif,               // SCTLR_EL1.UMA at EL0
    Fp,                 // CPACR_EL1.FPEN / CPTR_EL2.TFP
    SpEl0,              // UNDEFINED while SP_EL0 is the current stack pointer
    CntFrq, CntPct, CntVct, CntP, CntV,   // CNTKCTL_EL1 (EL0), CNTHCTL_EL2 (EL0/EL1)
};

enum SysRegAccess : uint8_t { kRW = 0, kRO = 1, kWO = 2 };

// What else a write changes: the translation regime, or the interrupt state.
enum SysRegEffect : uint8_t { kNoEffect = 0, kEffectCtx = 1, kEffectIrq = 2 };

struct SysRegDef {
    const char* name;
    uint32_t enc;
    uint8_t el;                            // lowest EL with access
    uint8_t access;                        // SysRegAccess
    Gate gate;
    uint8_t effect;                        // SysRegEffect after a write
    uint64_t SysRegs::*field;              // storage, or nullptr
    uint64_t wmask, res1;                  // writable bits and bits that read as one
    uint64_t (*read)(Pe&, unsigned el);    // instead of field
    void (*write)(Pe&, uint64_t, unsigned el);
};

const SysRegDef* sysreg_table();
unsigned sysreg_table_size();
// The row for an encoding (the unnamed ID registers included), or nullptr.
const SysRegDef* sysreg_find(uint32_t enc);

// ISS of an EC 0x18 trap (MRS, MSR, SYS): Op0, Op2, Op1, CRn, Rt, CRm,
// Direction (1 = read).
uint32_t sysreg_iss(uint32_t enc, bool write, uint8_t rt);

} // namespace hvemu::arm
