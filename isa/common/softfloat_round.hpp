// The shared core of the soft-float operations: unpacking, shifts that keep
// a sticky bit, and round-and-pack of an exact intermediate result. Only
// the softfloat_*.cpp files include it.
#pragma once
#include <cstdint>

#include "isa/common/softfloat.hpp"

namespace hvemu::isa::fp::detail {

__extension__ typedef unsigned __int128 u128;

inline int msb64(uint64_t v) { return 63 - __builtin_clzll(v); }   // v != 0
inline int msb128(u128 v) {                                         // v != 0
    const uint64_t hi = uint64_t(v >> 64);
    return hi ? 64 + msb64(hi) : msb64(uint64_t(v));
}

// v >> n, with every bit shifted out OR-ed into bit 0 ("jamming"): the
// result stays below/above the same rounding boundaries as the exact value.
inline uint64_t shr_jam64(uint64_t v, int n) {
    if (n <= 0) return v;
    if (n >= 64) return v != 0;
    return (v >> n) | ((v << (64 - n)) != 0);
}
inline u128 shr_jam128(u128 v, int n) {
    if (n <= 0) return v;
    if (n >= 128) return v != 0;
    return (v >> n) | ((v << (128 - n)) != 0);
}

// A finite nonzero operand as an exact integer significand and power of
// two: value = sig * 2^exp. normalize() moves the leading one of a
// subnormal's significand up to the hidden-bit position.
template <class F> struct Unpacked {
    bool sign;
    int exp;
    uint64_t sig;
};
template <class F> inline Unpacked<F> unpack(typename F::U a) {
    const int e = F::exp(a);
    const uint64_t f = F::frac(a);
    if (e == 0) return {F::sign(a), 1 - F::kBias - F::kFracBits, f};
    return {F::sign(a), e - F::kBias - F::kFracBits, f | (uint64_t(1) << F::kFracBits)};
}
template <class F> inline void normalize(Unpacked<F>& u) {
    const int shift = F::kFracBits - msb64(u.sig);
    u.sig <<= shift;
    u.exp -= shift;
}

// Round and pack. sig has its leading one at bit 62 and
// value = sig / 2^62 * 2^(e+1-bias): e is the biased exponent minus one, so
// the leading one, added into the exponent field while packing, makes it
// right, and a carry out of rounding moves to the next binade by itself.
// Tininess is detected after rounding; underflow is signalled only when the
// tiny result is also inexact (and Tiny, under the Rules, either way).
template <class F, Rules R> inline typename F::U round_pack(bool sign, int e, uint64_t sig, uint8_t rmode,
                                                   uint32_t& flags) {
    using U = typename F::U;
    constexpr int kRoundBits = 62 - F::kFracBits;
    constexpr uint64_t kMask = (uint64_t(1) << kRoundBits) - 1;
    constexpr uint64_t kHalf = uint64_t(1) << (kRoundBits - 1);
    constexpr uint64_t kTop = uint64_t(1) << 63;

    uint64_t inc;
    switch (rmode) {
    case round::NearEven: case round::NearMaxMag: inc = kHalf; break;
    case round::Down: inc = sign ? kMask : 0; break;
    case round::Up: inc = sign ? 0 : kMask; break;
    default: inc = 0; break;                               // RTZ
    }
    const U sign_bit = sign ? F::kSign : U(0);

    if (static_cast<unsigned>(e) >= unsigned(F::kExpMax - 2)) {
        if (e < 0) {
            // Tiny unless rounding at full precision with an unbounded
            // exponent would reach the smallest normal number.
            const bool tiny = e < -1 || sig + inc < kTop;
            sig = shr_jam64(sig, -e);
            e = 0;
            if (tiny && (sig & kMask)) flags |= flag::Underflow;
            if constexpr (R.report_tiny) {
                if (tiny) flags |= flag::Tiny;
            }
        } else if (e > F::kExpMax - 2 || sig + inc >= kTop) {
            flags |= flag::Overflow | flag::Inexact;
            // Modes that round toward zero for this sign give the largest finite.
            return inc ? U(sign_bit | F::kInf) : U(sign_bit | (F::kInf - 1));
        }
    }
    const uint64_t round_bits = sig & kMask;
    if (round_bits) flags |= flag::Inexact;
    uint64_t out = (sig + inc) >> kRoundBits;
    if (rmode == round::NearEven && round_bits == kHalf) out &= ~uint64_t(1);   // ties to even
    return U(sign_bit | ((U(e) << F::kFracBits) + U(out)));
}

// Round the exact value sig * 2^exp2 (sig != 0) to the format.
template <class F, Rules R> inline typename F::U round_pack_exact(bool sign, int exp2, uint64_t sig, uint8_t rmode,
                                                                  uint32_t& flags) {
    const int m = msb64(sig);
    sig = m > 62 ? shr_jam64(sig, m - 62) : sig << (62 - m);
    return round_pack<F, R>(sign, exp2 + m + F::kBias - 1, sig, rmode, flags);
}
template <class F, Rules R> inline typename F::U round_pack_exact(bool sign, int exp2, u128 sig, uint8_t rmode,
                                                                  uint32_t& flags) {
    const int m = msb128(sig);
    const uint64_t s = m > 62 ? uint64_t(shr_jam128(sig, m - 62)) : uint64_t(sig) << (62 - m);
    return round_pack<F, R>(sign, exp2 + m + F::kBias - 1, s, rmode, flags);
}

// The result of an exactly zero sum of nonzero terms: +0, or -0 when
// rounding down (IEEE 754 6.3).
template <class F> inline typename F::U exact_zero(uint8_t rmode) {
    return rmode == round::Down ? F::kSign : typename F::U(0);
}

// A NaN made quiet (x86 propagates NaN operands that way).
template <class F> constexpr typename F::U quiet(typename F::U a) { return a | F::kQuiet; }

// NaN operands (at least one of a, b): Invalid for a signaling one; the
// result by the Rules: canonical, or the first NaN of a, b quietened.
template <class F, Rules R> inline typename F::U nan2(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_snan(a) || F::is_snan(b)) flags |= flag::Invalid;
    if constexpr (R.nan == NanRule::Canonical) return F::kCanonicalNaN;
    else return quiet<F>(F::is_nan(a) ? a : b);
}
template <class F, Rules R> inline typename F::U invalid(uint32_t& flags) {
    flags |= flag::Invalid;
    return default_nan<F, R>();
}

} // namespace hvemu::isa::fp::detail
