// The F and D extensions' view of the shared soft-float (isa/common/
// softfloat.hpp) under RISC-V's rules: canonical NaN results, fflags bits,
// the five rounding modes, tininess detected after rounding; plus the
// RISC-V-only pieces (NaN-boxing, FCLASS, sign injection).
#pragma once
#include <cstdint>

#include "isa/common/softfloat.hpp"
#include "isa/riscv/encoding.hpp"

namespace hvemu::rv::fp {

using isa::fp::F32;
using isa::fp::F64;
using isa::fp::Format;
inline constexpr isa::fp::Rules kRules = isa::fp::kRiscvRules;

// The shared flag bits and rounding directions are RISC-V's encodings.
static_assert(fflag::NX == isa::fp::flag::Inexact && fflag::UF == isa::fp::flag::Underflow &&
              fflag::OF == isa::fp::flag::Overflow && fflag::DZ == isa::fp::flag::DivByZero &&
              fflag::NV == isa::fp::flag::Invalid);
static_assert(rm::RNE == isa::fp::round::NearEven && rm::RTZ == isa::fp::round::ToZero &&
              rm::RDN == isa::fp::round::Down && rm::RUP == isa::fp::round::Up &&
              rm::RMM == isa::fp::round::NearMaxMag);

// NaN-boxing of single-precision values in the 64-bit f registers: an
// input whose upper 32 bits are not all ones reads as the canonical NaN.
constexpr uint64_t kBoxUpper = 0xFFFFFFFF00000000ull;
constexpr uint32_t unbox32(uint64_t r) {
    return (r & kBoxUpper) == kBoxUpper ? uint32_t(r) : F32::kCanonicalNaN;
}
constexpr uint64_t box32(uint32_t v) { return kBoxUpper | v; }

// Arithmetic. rm is one of rm::RNE..RMM (already resolved from DYN);
// `flags` accumulates fflag bits. Every NaN result is the canonical NaN.
template <class F> inline typename F::U add(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags) {
    return isa::fp::add<F, kRules>(a, b, rm, flags);
}
template <class F> inline typename F::U sub(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags) {
    return isa::fp::sub<F, kRules>(a, b, rm, flags);
}
template <class F> inline typename F::U mul(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags) {
    return isa::fp::mul<F, kRules>(a, b, rm, flags);
}
template <class F> inline typename F::U div(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags) {
    return isa::fp::div<F, kRules>(a, b, rm, flags);
}
template <class F> inline typename F::U sqrt(typename F::U a, uint8_t rm, uint32_t& flags) {
    return isa::fp::sqrt<F, kRules>(a, rm, flags);
}
// a * b + c with one rounding. FMSUB/FNMSUB/FNMADD flip the sign of c
// and/or a before the call: the exact product and sum then equal the
// specification's -(a*b)+c etc.
template <class F>
inline typename F::U fma(typename F::U a, typename F::U b, typename F::U c, uint8_t rm, uint32_t& flags) {
    return isa::fp::fma<F, kRules>(a, b, c, rm, flags);
}

// FMIN/FMAX (version 2.2 of the F spec: -0 < +0; one NaN -> the other
// operand; signaling NaNs set NV).
template <class F> inline typename F::U min(typename F::U a, typename F::U b, uint32_t& flags) {
    return isa::fp::minimum_number<F, kRules>(a, b, flags);
}
template <class F> inline typename F::U max(typename F::U a, typename F::U b, uint32_t& flags) {
    return isa::fp::maximum_number<F, kRules>(a, b, flags);
}
// FEQ is quiet (NV for signaling NaNs only); FLT and FLE signal on any NaN.
using isa::fp::eq;
using isa::fp::le;
using isa::fp::lt;

// Float to integer, rounding with rm; NaN and out-of-range values give NV
// and saturate (NaN as the largest positive value). 32-bit results are
// returned sign-extended to 64 bits, as the W forms write rd.
template <class F> inline uint64_t to_i32(typename F::U a, uint8_t rm, uint32_t& flags) {
    return isa::fp::to_i32<F, kRules>(a, rm, flags);
}
template <class F> inline uint64_t to_u32(typename F::U a, uint8_t rm, uint32_t& flags) {
    return isa::fp::to_u32<F, kRules>(a, rm, flags);
}
template <class F> inline uint64_t to_i64(typename F::U a, uint8_t rm, uint32_t& flags) {
    return isa::fp::to_i64<F, kRules>(a, rm, flags);
}
template <class F> inline uint64_t to_u64(typename F::U a, uint8_t rm, uint32_t& flags) {
    return isa::fp::to_u64<F, kRules>(a, rm, flags);
}
// Integer to float (the 32-bit sources are these with a widened value).
template <class F> inline typename F::U from_i64(int64_t v, uint8_t rm, uint32_t& flags) {
    return isa::fp::from_i64<F, kRules>(v, rm, flags);
}
template <class F> inline typename F::U from_u64(uint64_t v, uint8_t rm, uint32_t& flags) {
    return isa::fp::from_u64<F, kRules>(v, rm, flags);
}
// Between the formats.
inline uint64_t f32_to_f64(uint32_t a, uint32_t& flags) { return isa::fp::f32_to_f64<kRules>(a, flags); }
inline uint32_t f64_to_f32(uint64_t a, uint8_t rm, uint32_t& flags) {
    return isa::fp::f64_to_f32<kRules>(a, rm, flags);
}

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
