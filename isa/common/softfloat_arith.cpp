// Soft-float add, subtract, multiply, divide, square root and fused
// multiply-add. Each operation forms its result exactly (or exactly up to a
// sticky bit below many guard bits) in integers and rounds once.
#include <type_traits>

#include "isa/common/softfloat_round.hpp"

namespace hvemu::isa::fp {

using namespace detail;

namespace {

// a + b for finite operands; |a| >= |b| is arranged here.
template <class F, Rules R> typename F::U add_finite(typename F::U a, typename F::U b, uint8_t rmode, uint32_t& flags) {
    if (F::is_zero(a) || F::is_zero(b)) {
        if (!F::is_zero(a)) return a;
        if (!F::is_zero(b)) return b;
        return F::sign(a) == F::sign(b) ? a : exact_zero<F>(rmode);
    }
    Unpacked<F> x = unpack<F>(a), y = unpack<F>(b);
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
        const Unpacked<F> t = x;
        x = y;
        y = t;
    }
    // Leading one at bit 61: room for the carry of an addition, and at
    // least 9 guard bits below the result's last place.
    constexpr int kShift = 61 - F::kFracBits;
    const uint64_t xs = x.sig << kShift;
    const uint64_t ys = shr_jam64(y.sig << kShift, x.exp - y.exp);
    const uint64_t s = x.sign == y.sign ? xs + ys : xs - ys;
    if (s == 0) return exact_zero<F>(rmode);
    return round_pack_exact<F, R>(x.sign, x.exp - kShift, s, rmode, flags);
}

// a + b, or a - b when kNegB: b is negated after the NaN check, so a
// propagated NaN keeps its sign.
template <class F, Rules R, bool kNegB>
typename F::U add_any(typename F::U a, typename F::U b, uint8_t rmode, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) [[unlikely]] return nan2<F, R>(a, b, flags);
    if constexpr (kNegB) b ^= F::kSign;
    if (F::is_inf(a)) [[unlikely]] {
        if (F::is_inf(b) && F::sign(a) != F::sign(b)) return invalid<F, R>(flags);
        return a;
    }
    if (F::is_inf(b)) [[unlikely]] return b;
    return add_finite<F, R>(a, b, rmode, flags);
}

// floor(sqrt(v)), digit by digit.
uint64_t isqrt64(uint64_t v) {
    uint64_t root = 0;
    uint64_t bit = uint64_t(1) << 62;
    while (bit > v) bit >>= 2;
    while (bit != 0) {
        if (v >= root + bit) {
            v -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return root;
}

// floor(sqrt(sig * 2^W)) for a significand sig of p+1 or p+2 bits
// (W = 64 for double, 32 for single), and whether it is inexact. The
// digit-by-digit root of sig * 2^kPre, scaled by 2^((W-kPre)/2), is below
// the true root s by less than 2^28 (2^13 for single) while s >= 2^58
// (2^27); one Newton step from below then gives floor(s) or floor(s) + 1
// (its excess (s - y)^2 / 2y is under 1/4) and one compare settles which.
template <class T, int kW> uint64_t sqrt_scaled(uint64_t sig, bool& inexact) {
    constexpr int kPre = kW == 64 ? 8 : 6;                 // sig << kPre < 2^62
    const T n = T(sig) << kW;
    const uint64_t y0 = isqrt64(sig << kPre) << ((kW - kPre) / 2);
    uint64_t y = uint64_t((y0 + n / y0) >> 1);
    if (T(y) * y > n) --y;
    inexact = T(y) * y != n;
    return y;
}

} // namespace

template <class F, Rules R> typename F::U add(typename F::U a, typename F::U b, uint8_t rmode, uint32_t& flags) {
    return add_any<F, R, false>(a, b, rmode, flags);
}

template <class F, Rules R> typename F::U sub(typename F::U a, typename F::U b, uint8_t rmode, uint32_t& flags) {
    return add_any<F, R, true>(a, b, rmode, flags);
}

template <class F, Rules R> typename F::U mul(typename F::U a, typename F::U b, uint8_t rmode, uint32_t& flags) {
    using U = typename F::U;
    const bool sign = F::sign(a) != F::sign(b);
    const U sign_bit = sign ? F::kSign : U(0);
    if (F::is_nan(a) || F::is_nan(b)) [[unlikely]] return nan2<F, R>(a, b, flags);
    if (F::is_inf(a) || F::is_inf(b)) [[unlikely]] {
        if (F::is_zero(a) || F::is_zero(b)) return invalid<F, R>(flags);   // inf * 0
        return sign_bit | F::kInf;
    }
    if (F::is_zero(a) || F::is_zero(b)) return sign_bit;
    const Unpacked<F> x = unpack<F>(a), y = unpack<F>(b);
    if constexpr (F::kBits == 32) {
        return round_pack_exact<F, R>(sign, x.exp + y.exp, x.sig * y.sig, rmode, flags);
    } else {
        return round_pack_exact<F, R>(sign, x.exp + y.exp, u128(x.sig) * y.sig, rmode, flags);
    }
}

template <class F, Rules R> typename F::U div(typename F::U a, typename F::U b, uint8_t rmode, uint32_t& flags) {
    using U = typename F::U;
    const bool sign = F::sign(a) != F::sign(b);
    const U sign_bit = sign ? F::kSign : U(0);
    if (F::is_nan(a) || F::is_nan(b)) return nan2<F, R>(a, b, flags);
    if (F::is_inf(a)) return F::is_inf(b) ? invalid<F, R>(flags) : U(sign_bit | F::kInf);
    if (F::is_inf(b)) return sign_bit;
    if (F::is_zero(b)) {
        if (F::is_zero(a)) return invalid<F, R>(flags);                     // 0 / 0
        flags |= flag::DivByZero;
        return sign_bit | F::kInf;
    }
    if (F::is_zero(a)) return sign_bit;
    Unpacked<F> x = unpack<F>(a), y = unpack<F>(b);
    normalize(x);
    normalize(y);
    // Both significands are in [2^p, 2^(p+1)): a quotient of the dividend
    // scaled by 2^W has at least W bits, W - 1 > p + 2 (room to round);
    // a nonzero remainder becomes the sticky bit.
    if constexpr (F::kBits == 32) {
        const uint64_t n = x.sig << 32;
        const uint64_t q = (n / y.sig) | ((n % y.sig) != 0);
        return round_pack_exact<F, R>(sign, x.exp - y.exp - 32, q, rmode, flags);
    } else {
        const u128 n = u128(x.sig) << 64;
        const u128 q = (n / y.sig) | ((n % y.sig) != 0);
        return round_pack_exact<F, R>(sign, x.exp - y.exp - 64, q, rmode, flags);
    }
}

template <class F, Rules R> typename F::U sqrt(typename F::U a, uint8_t rmode, uint32_t& flags) {
    if (F::is_nan(a)) return nan2<F, R>(a, a, flags);
    if (F::is_zero(a)) return a;                                         // sqrt(-0) = -0
    if (F::sign(a)) return invalid<F, R>(flags);
    if (F::is_inf(a)) return a;
    Unpacked<F> x = unpack<F>(a);
    normalize(x);
    if (x.exp & 1) {                                                     // make the exponent even
        x.sig <<= 1;
        x.exp -= 1;
    }
    // sqrt(sig * 2^W) has more than p + 2 bits; the root is never a tie,
    // and any remainder goes into a sticky bit below it.
    bool inexact;
    constexpr int kW = F::kBits == 32 ? 32 : 64;
    using Wide = std::conditional_t<F::kBits == 32, uint64_t, u128>;
    const uint64_t root = sqrt_scaled<Wide, kW>(x.sig, inexact);
    return round_pack_exact<F, R>(false, (x.exp - kW) / 2 - 1, (root << 1) | inexact, rmode, flags);
}

template <class F, Rules R> typename F::U fma(typename F::U a, typename F::U b, typename F::U c, uint8_t rmode,
                                     uint32_t& flags) {
    using U = typename F::U;
    const bool psign = F::sign(a) != F::sign(b);
    // NaN and infinity rules in the order of the IEEE 754 / RISC-V rules:
    // a NaN product operand propagates (NV only for a signaling NaN among
    // all three); inf * 0 is invalid even when c is a quiet NaN.
    if (F::is_nan(a) || F::is_nan(b)) [[unlikely]] {
        if (F::is_snan(c)) flags |= flag::Invalid;
        return nan2<F, R>(a, b, flags);
    }
    const bool prod_inf = F::is_inf(a) || F::is_inf(b);
    const bool prod_zero = F::is_zero(a) || F::is_zero(b);
    if (prod_inf) [[unlikely]] {
        if (prod_zero) {
            flags |= flag::Invalid;
            return F::is_nan(c) ? nan2<F, R>(c, c, flags) : default_nan<F, R>();
        }
        if (F::is_nan(c)) return nan2<F, R>(c, c, flags);
        if (F::is_inf(c) && F::sign(c) != psign) return invalid<F, R>(flags);
        return (psign ? F::kSign : U(0)) | F::kInf;
    }
    if (F::is_nan(c)) [[unlikely]] return nan2<F, R>(c, c, flags);
    if (F::is_inf(c)) [[unlikely]] return c;
    if (prod_zero) {
        if (!F::is_zero(c)) return c;
        return F::sign(c) == psign ? c : exact_zero<F>(rmode);
    }
    const Unpacked<F> x = unpack<F>(a), y = unpack<F>(b);
    const u128 prod = u128(x.sig) * y.sig;
    const int prod_exp = x.exp + y.exp;
    if (F::is_zero(c)) return round_pack_exact<F, R>(psign, prod_exp, prod, rmode, flags);

    // Put both terms' leading ones at bit 125 (two bits of headroom for the
    // carry), align the smaller with a sticky bit, add, round once. The
    // product's low bits sit at bit 20 or above, so any jamming happens far
    // below the last place of the result.
    const Unpacked<F> z = unpack<F>(c);
    const int pshift = 125 - msb128(prod);
    const int cshift = 125 - msb64(z.sig);
    u128 big = prod << pshift, small = u128(z.sig) << cshift;
    int big_exp = prod_exp - pshift, small_exp = z.exp - cshift;
    bool big_sign = psign, small_sign = z.sign;
    if (big_exp < small_exp || (big_exp == small_exp && big < small)) {
        const u128 t = big;
        big = small;
        small = t;
        const int te = big_exp;
        big_exp = small_exp;
        small_exp = te;
        const bool ts = big_sign;
        big_sign = small_sign;
        small_sign = ts;
    }
    small = shr_jam128(small, big_exp - small_exp);
    const u128 s = big_sign == small_sign ? big + small : big - small;
    if (s == 0) return exact_zero<F>(rmode);
    return round_pack_exact<F, R>(big_sign, big_exp, s, rmode, flags);
}

#define HV_FP_INSTANTIATE(F, R)                                                                 \
    template F::U add<F, R>(F::U, F::U, uint8_t, uint32_t&);                                    \
    template F::U sub<F, R>(F::U, F::U, uint8_t, uint32_t&);                                    \
    template F::U mul<F, R>(F::U, F::U, uint8_t, uint32_t&);                                    \
    template F::U div<F, R>(F::U, F::U, uint8_t, uint32_t&);                                    \
    template F::U sqrt<F, R>(F::U, uint8_t, uint32_t&);                                         \
    template F::U fma<F, R>(F::U, F::U, F::U, uint8_t, uint32_t&);
HV_FP_INSTANTIATE(F32, kRiscvRules)
HV_FP_INSTANTIATE(F64, kRiscvRules)
HV_FP_INSTANTIATE(F32, kX86SseRules)
HV_FP_INSTANTIATE(F64, kX86SseRules)
#undef HV_FP_INSTANTIATE

} // namespace hvemu::isa::fp
