// VMSAv8-64 as this PE implements it (4 KiB granule only, 48-bit VA and
// PA, no hardware Access flag or dirty state updates): the register and
// descriptor fields the MMU reads, the fault status codes, and the walker's
// interface between mmu.cpp (walks) and mem_access.cpp (slow paths, TLB).
#pragma once
#include <cstdint>

#include "isa/arm64/pe.hpp"

namespace hvemu::arm::vmsa {

constexpr uint64_t bit(unsigned n) { return uint64_t{1} << n; }

// ---- translation table descriptors (4 KiB granule) -------------------------
constexpr uint64_t kDescValid = bit(0);
constexpr uint64_t kDescTable = bit(1);          // table (levels 0-2) or page (level 3); 0 = block
constexpr uint64_t kDescAddr = 0x0000'ffff'ffff'f000ull;   // OA / next-level table, bits 47:12
constexpr unsigned kAttrIndxShift = 2;           // stage 1 AttrIndx[2:0]; stage 2 MemAttr[3:0]
constexpr uint64_t kApEl0 = bit(6);              // stage 1 AP[1]: EL0 access
constexpr uint64_t kApRo = bit(7);               // stage 1 AP[2]: read-only
constexpr uint64_t kS2apRead = bit(6);           // stage 2 S2AP[0]
constexpr uint64_t kS2apWrite = bit(7);          // stage 2 S2AP[1]
constexpr unsigned kShShift = 8;                 // SH[1:0]
constexpr uint64_t kAf = bit(10);
constexpr uint64_t kNg = bit(11);
constexpr uint64_t kPxn = bit(53);
constexpr uint64_t kUxn = bit(54);               // UXN (EL1&0), XN (EL2, stage 2)
constexpr uint64_t kPxnTable = bit(59);
constexpr uint64_t kXnTable = bit(60);           // UXNTable (EL1&0), XNTable (EL2)
constexpr uint64_t kApTableNoEl0 = bit(61);      // APTable[0]
constexpr uint64_t kApTableRo = bit(62);         // APTable[1]

// ---- registers --------------------------------------------------------------
constexpr uint64_t kSctlrM = bit(0), kSctlrA = bit(1), kSctlrWxn = bit(19);
constexpr uint64_t kHcrVm = bit(0), kHcrPtw = bit(2), kHcrDc = bit(12), kHcrTge = bit(27);
// TCR_EL1
constexpr unsigned kTcrT1szShift = 16, kTcrIpsShift = 32;
constexpr uint64_t kTcrEpd0 = bit(7), kTcrA1 = bit(22), kTcrEpd1 = bit(23), kTcrAs = bit(36);
constexpr uint64_t kTcrTbi0 = bit(37), kTcrTbi1 = bit(38);
// TCR_EL2 (without E2H) and VTCR_EL2
constexpr unsigned kTcrEl2PsShift = 16;
constexpr uint64_t kTcrEl2Tbi = bit(20);
constexpr unsigned kVtcrSl0Shift = 6, kVtcrPsShift = 16;
constexpr uint64_t kVtcrVs = bit(19);
constexpr uint64_t kTtbrBaddr = 0x0000'ffff'ffff'fffeull;   // BADDR[47:1]
constexpr unsigned kTtbrAsidShift = 48;               // ASID / VMID in bits 63:48

// ---- fault status codes (DFSC/IFSC, PAR_EL1.FST) ----------------------------
constexpr uint8_t kFscAddressSize = 0x00, kFscTranslation = 0x04, kFscAccessFlag = 0x08, kFscPermission = 0x0c;
constexpr uint8_t kFscExternal = 0x10, kFscExternalWalk = 0x14, kFscAlignment = 0x21;
// Translation::level of an External fault that is not on a table walk.
constexpr uint8_t kNotOnWalk = 0xff;
uint8_t fault_status(const Translation& t);

// MAIR attribute bytes: Device-nGnRnE and Normal Write-Back (the output of
// a disabled stage 1 for data and, with HCR_EL2.DC, for everything).
constexpr uint8_t kAttrDevice = 0x00, kAttrNormalWb = 0xff;
constexpr bool is_device(uint8_t attr) { return (attr & 0xf0) == 0; }

// ---- the walker ---------------------------------------------------------------
struct WalkRequest {
    Access acc = Access::Read;
    unsigned el = 1;         // 2: the EL2 regime; 0/1: EL1&0 with that EL's permissions
    bool aligned = true;     // false: a misaligned data access (Device memory faults)
    bool stage2 = true;      // translate the stage 1 output through stage 2 (AT S1E* do not)
};
struct WalkResult {
    Translation t;
    bool global = true;      // nG = 0 (or no stage 1): not tagged by ASID
    uint8_t leaf_shift = 12; // log2 of the smaller leaf (page or block) of the stages used
    uint8_t sh = 0;          // shareability of the result (PAR_EL1.SH)
};
// One full translation (both stages as configured); pure: no exception, no
// TLB fill. Counts walks and walk memory references in the PE's statistics.
WalkResult walk(Pe& pe, uint64_t va, const WalkRequest& req);
// Stage 2 alone for the current VTTBR_EL2/VTCR_EL2 (HCR_EL2.VM or DC).
WalkResult walk_s2(Pe& pe, uint64_t ipa, Access acc, bool s1ptw, bool aligned);
// Stage 2 translation is enabled for the EL1&0 regime.
bool stage2_enabled(const Pe& pe);

} // namespace hvemu::arm::vmsa
