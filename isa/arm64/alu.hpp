// Helpers shared by the A64 handlers: condition codes, NZCV, operand
// shifts and extends (Arm ARM shared pseudocode: ConditionHolds,
// AddWithCarry, ShiftReg, ExtendReg).
#pragma once
#include <cstdint>

#include "isa/arm64/pe.hpp"

namespace hvemu::arm {

constexpr uint32_t kN = 1u << 31, kZ = 1u << 30, kC = 1u << 29, kV = 1u << 28;

// ConditionHolds on NZCV in bits 31:28.
inline bool cond_holds(uint32_t nzcv, unsigned cond) {
    const bool n = nzcv & kN, z = nzcv & kZ, c = nzcv & kC, v = nzcv & kV;
    bool r;
    switch (cond >> 1) {
    case 0: r = z; break;                 // EQ/NE
    case 1: r = c; break;                 // CS/CC
    case 2: r = n; break;                 // MI/PL
    case 3: r = v; break;                 // VS/VC
    case 4: r = c && !z; break;           // HI/LS
    case 5: r = n == v; break;            // GE/LT
    case 6: r = n == v && !z; break;      // GT/LE
    default: return true;                 // AL/NV
    }
    return (cond & 1) ? !r : r;
}

// AddWithCarry for a 32-bit (W) or 64-bit (X) operation: the result and
// the NZCV it produces.
template <bool X> inline uint64_t add_with_carry(uint64_t a, uint64_t b, unsigned carry, uint32_t& nzcv) {
    if constexpr (X) {
        const uint64_t t = a + b, r = t + carry;
        const bool c = t < a || r < t;
        const bool v = ((a ^ r) & (b ^ r)) >> 63;
        nzcv = (r >> 63 ? kN : 0) | (r == 0 ? kZ : 0) | (c ? kC : 0) | (v ? kV : 0);
        return r;
    } else {
        const uint64_t u = uint64_t{static_cast<uint32_t>(a)} + static_cast<uint32_t>(b) + carry;
        const uint32_t r = static_cast<uint32_t>(u);
        const bool v = ((static_cast<uint32_t>(a) ^ r) & (static_cast<uint32_t>(b) ^ r)) >> 31;
        nzcv = (r >> 31 ? kN : 0) | (r == 0 ? kZ : 0) | ((u >> 32) ? kC : 0) | (v ? kV : 0);
        return r;
    }
}

// NZ from a logical result, C and V cleared.
template <bool X> inline uint32_t logic_flags(uint64_t r) {
    if constexpr (X) return (r >> 63 ? kN : 0) | (r == 0 ? kZ : 0);
    else return ((r >> 31) & 1 ? kN : 0) | (static_cast<uint32_t>(r) == 0 ? kZ : 0);
}

inline void set_nzcv(Pe& h, uint32_t nzcv) { h.pstate.nzcv = nzcv; }

// A W result written to an X register is zero-extended.
template <bool X> inline uint64_t wrap(uint64_t v) { return X ? v : static_cast<uint32_t>(v); }

// ShiftReg: LSL, LSR, ASR, ROR by amount (< datasize).
template <bool X> inline uint64_t shift_reg(uint64_t v, unsigned type, unsigned amount) {
    constexpr unsigned kBits = X ? 64 : 32;
    v = wrap<X>(v);
    if (amount == 0) return v;
    switch (type) {
    case 0: return wrap<X>(v << amount);
    case 1: return v >> amount;
    case 2:
        if constexpr (X) return static_cast<uint64_t>(static_cast<int64_t>(v) >> amount);
        else return static_cast<uint32_t>(static_cast<int32_t>(v) >> amount);
    default: return wrap<X>((v >> amount) | (v << (kBits - amount)));
    }
}

// ExtendReg: UXTB/H/W/X, SXTB/H/W/X then a left shift (0-4).
inline uint64_t extend_reg(uint64_t v, unsigned option, unsigned shift) {
    switch (option) {
    case 0: v = static_cast<uint8_t>(v); break;
    case 1: v = static_cast<uint16_t>(v); break;
    case 2: v = static_cast<uint32_t>(v); break;
    case 3: break;
    case 4: v = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(v))); break;
    case 5: v = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(v))); break;
    case 6: v = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); break;
    default: break;
    }
    return v << shift;
}

} // namespace hvemu::arm
