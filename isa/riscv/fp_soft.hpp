// IEEE 754 binary32/binary64 arithmetic in software, with the rules of the
// RISC-V F and D extensions: canonical NaN results, fflags bits, the five
// rounding modes, tininess detected after rounding. Pure functions on
// encodings; no host floating-point state is read or written.
#pragma once
#include <cstdint>

#include "isa/riscv/encoding.hpp"

namespace hvemu::rv::fp {

// A binary interchange format: U holds an encoding.
template <class U_, int kExpBits_, int kFracBits_> struct Format {
    using U = U_;
    static constexpr int kBits = int(sizeof(U) * 8);
    static constexpr int kExpBits = kExpBits_;
    static constexpr int kFracBits = kFracBits_;
    static constexpr int kBias = (1 << (kExpBits - 1)) - 1;
    static constexpr int kExpMax = (1 << kExpBits) - 1;        // the exponent field of inf/NaN
    static constexpr U kSign = U(1) << (kBits - 1);
    static constexpr U kFracMask = (U(1) << kFracBits) - 1;
    static constexpr U kQuiet = U(1) << (kFracBits - 1);
    static constexpr U kInf = U(kExpMax) << kFracBits;
    static constexpr U kCanonicalNaN = kInf | kQuiet;

    static constexpr bool sign(U a) { return (a >> (kBits - 1)) != 0; }
    static constexpr int exp(U a) { return int((a >> kFracBits) & U(kExpMax)); }
    static constexpr U frac(U a) { return a & kFracMask; }
    static constexpr bool is_nan(U a) { return U(a & ~kSign) > kInf; }
    static constexpr bool is_snan(U a) { return is_nan(a) && !(a & kQuiet); }
    static constexpr bool is_inf(U a) { return U(a & ~kSign) == kInf; }
    static constexpr bool is_zero(U a) { return U(a & ~kSign) == 0; }
};
using F32 = Format<uint32_t, 8, 23>;
using F64 = Format<uint64_t, 11, 52>;

// NaN-boxing of single-precision values in the 64-bit f registers: an
// input whose upper 32 bits are not all ones reads as the canonical NaN.
constexpr uint64_t kBoxUpper = 0xFFFFFFFF00000000ull;
constexpr uint32_t unbox32(uint64_t r) {
    return (r & kBoxUpper) == kBoxUpper ? uint32_t(r) : F32::kCanonicalNaN;
}
constexpr uint64_t box32(uint32_t v) { return kBoxUpper | v; }

// Arithmetic. rm is one of rm::RNE..RMM (already resolved from DYN);
// `flags` accumulates fflag bits. Every NaN result is the canonical NaN.
template <class F> typename F::U add(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags);
template <class F> typename F::U sub(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags);
template <class F> typename F::U mul(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags);
template <class F> typename F::U div(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags);
template <class F> typename F::U sqrt(typename F::U a, uint8_t rm, uint32_t& flags);
// a * b + c with one rounding. FMSUB/FNMSUB/FNMADD flip the sign of c
// and/or a before the call: the exact product and sum then equal the
// specification's -(a*b)+c etc.
template <class F> typename F::U fma(typename F::U a, typename F::U b, typename F::U c, uint8_t rm,
                                     uint32_t& flags);

// FMIN/FMAX (version 2.2 of the F spec: -0 < +0; one NaN -> the other
// operand; signaling NaNs set NV).
template <class F> typename F::U min(typename F::U a, typename F::U b, uint32_t& flags);
template <class F> typename F::U max(typename F::U a, typename F::U b, uint32_t& flags);
// FEQ is quiet (NV for signaling NaNs only); FLT and FLE signal on any NaN.
template <class F> bool eq(typename F::U a, typename F::U b, uint32_t& flags);
template <class F> bool lt(typename F::U a, typename F::U b, uint32_t& flags);
template <class F> bool le(typename F::U a, typename F::U b, uint32_t& flags);

// Float to integer, rounding with rm; NaN and out-of-range values give NV
// and saturate (NaN as the largest positive value). 32-bit results are
// returned sign-extended to 64 bits, as the W forms write rd.
template <class F> uint64_t to_i32(typename F::U a, uint8_t rm, uint32_t& flags);
template <class F> uint64_t to_u32(typename F::U a, uint8_t rm, uint32_t& flags);
template <class F> uint64_t to_i64(typename F::U a, uint8_t rm, uint32_t& flags);
template <class F> uint64_t to_u64(typename F::U a, uint8_t rm, uint32_t& flags);
// Integer to float (the 32-bit sources are these with a widened value).
template <class F> typename F::U from_i64(int64_t v, uint8_t rm, uint32_t& flags);
template <class F> typename F::U from_u64(uint64_t v, uint8_t rm, uint32_t& flags);
// Between the formats.
uint64_t f32_to_f64(uint32_t a, uint32_t& flags);
uint32_t f64_to_f32(uint64_t a, uint8_t rm, uint32_t& flags);

// FCLASS: one bit of ten.
template <class F> constexpr uint64_t classify(typename F::U a) {
    using U = typename F::U;
    const bool s = F::sign(a);
    const int e = F::exp(a);
    const U f = F::frac(a);
    if (e == F::kExpMax) {
        if (f == 0) return s ? 1u << 0 : 1u << 7;        // -inf / +inf
        return (f & F::kQuiet) ? 1u << 9 : 1u << 8;        // quiet / signaling NaN
    }
    if (e == 0) {
        if (f == 0) return s ? 1u << 3 : 1u << 4;         // -0 / +0
        return s ? 1u << 2 : 1u << 5;                      // subnormal
    }
    return s ? 1u << 1 : 1u << 6;                          // normal
}

// FSGNJ, FSGNJN, FSGNJX: bit manipulation, no NaN rules.
template <class F> constexpr typename F::U sgnj(typename F::U a, typename F::U b) {
    return (a & ~F::kSign) | (b & F::kSign);
}
template <class F> constexpr typename F::U sgnjn(typename F::U a, typename F::U b) {
    return (a & ~F::kSign) | (~b & F::kSign);
}
template <class F> constexpr typename F::U sgnjx(typename F::U a, typename F::U b) {
    return a ^ (b & F::kSign);
}

} // namespace hvemu::rv::fp
