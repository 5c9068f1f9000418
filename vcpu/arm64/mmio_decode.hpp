// Decoding the A64 load or store behind a stage-2 data abort whose syndrome
// is not valid (ESR_EL2.ISV = 0: the hardware says so for writeback forms,
// among others), so the vCPU can still emulate it as MMIO. Only
// single general-purpose-register accesses are taken: LDR/STR (B, H, W, X),
// LDRS{B,H,W}, in the unsigned-offset, pre-index, post-index, unscaled
// (LDUR/STUR), unprivileged (LDTR/STTR) and register-offset forms.
// Everything else (pairs, SIMD&FP registers, exclusives, atomics, PRFM)
// is not decoded and the abort is reported as a nested page fault.
#pragma once
#include <cstdint>
#include <optional>

namespace hvemu::vcpu::arm64 {

enum class LdStMode : uint8_t {
    UnsignedOffset,   // [Xn, #imm12 << size]
    PreIndex,         // [Xn, #simm9]!     (writeback)
    PostIndex,        // [Xn], #simm9      (writeback)
    Unscaled,         // [Xn, #simm9]      LDUR/STUR
    Unprivileged,     // [Xn, #simm9]      LDTR/STTR
    RegisterOffset,   // [Xn, Xm/Wm{, extend {#size}}]
};

struct LdStInsn {
    const char* name = "";   // the form, from the table
    LdStMode mode = LdStMode::UnsignedOffset;
    bool store = false;
    unsigned size = 1;        // bytes accessed: 1, 2, 4, 8
    bool signed_ext = false;  // LDRSB/LDRSH/LDRSW
    unsigned reg_width = 8;   // bytes of the destination register: 4 (Wt) or 8 (Xt)
    unsigned rt = 0;          // 31 = XZR
    unsigned rn = 0;          // 31 = SP
    unsigned rm = 0;          // register offset: 31 = XZR
    int64_t imm = 0;          // byte offset (immediate forms)
    unsigned option = 3;      // register offset: extend option (2 UXTW, 3 LSL, 6 SXTW, 7 SXTX)
    unsigned shift = 0;       // register offset: left shift applied to the extended index

    bool writeback() const { return mode == LdStMode::PreIndex || mode == LdStMode::PostIndex; }
    // The address accessed, from the base (Xn or SP) and the index (Xm).
    uint64_t address(uint64_t base, uint64_t index) const;
    // The base register's value after the instruction (writeback forms).
    uint64_t new_base(uint64_t base) const { return base + static_cast<uint64_t>(imm); }
};

std::optional<LdStInsn> decode_ldst(uint32_t raw);

} // namespace hvemu::vcpu::arm64
