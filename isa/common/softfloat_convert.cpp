// Soft-float conversions (float <-> integer, single <-> double), compares
// and minimumNumber/maximumNumber; invalid cases give the Rules' results.
#include "isa/common/softfloat_round.hpp"

namespace hvemu::isa::fp {

using namespace detail;

namespace {

// Round a finite value to an integer magnitude with rmode. Returns false
// when the magnitude is 2^64 or more. `inexact` says whether rounding
// changed the value.
template <class F> bool round_to_integer(typename F::U a, uint8_t rmode, uint64_t& mag, bool& inexact) {
    inexact = false;
    if (F::is_zero(a)) {
        mag = 0;
        return true;
    }
    const Unpacked<F> x = unpack<F>(a);
    if (x.exp >= 0) {
        if (msb64(x.sig) + x.exp >= 64) return false;
        mag = x.sig << x.exp;
        return true;
    }
    // The significand has at most 54 bits: past 60 bits of shift the value
    // is below one half and nonzero.
    const int n = -x.exp;
    uint64_t whole = 0;
    int rounding;                       // 0 exact, 1 below half, 2 half, 3 above half
    if (n > 60) {
        rounding = 1;
    } else {
        whole = x.sig >> n;
        const uint64_t rest = x.sig & ((uint64_t(1) << n) - 1);
        const uint64_t half = uint64_t(1) << (n - 1);
        rounding = rest == 0 ? 0 : rest < half ? 1 : rest == half ? 2 : 3;
    }
    bool up = false;
    switch (rmode) {
    case round::NearEven: up = rounding == 3 || (rounding == 2 && (whole & 1)); break;
    case round::NearMaxMag: up = rounding >= 2; break;
    case round::Down: up = x.sign && rounding != 0; break;
    case round::Up: up = !x.sign && rounding != 0; break;
    default: break;                     // RTZ
    }
    mag = whole + up;                   // whole < 2^54: no overflow
    inexact = rounding != 0;
    return true;
}

// The common part of the float-to-integer conversions: `bits` wide, signed
// or not; the result is sign-extended from `bits` to 64. Out of range: the
// saturated value (NaN as the largest positive), or under
// Rules::int_indefinite the most negative integer (all ones unsigned).
template <class F, Rules R> uint64_t to_int(typename F::U a, uint8_t rmode, uint32_t& flags, int bits, bool is_signed) {
    const uint64_t umax = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
    const uint64_t smax = umax >> 1;                         // 2^(bits-1) - 1
    const uint64_t smin_mag = smax + 1;                      // |-2^(bits-1)|
    auto extend = [bits](uint64_t v) {
        return bits == 64 ? v : uint64_t(int64_t(int32_t(uint32_t(v))));
    };
    const uint64_t indefinite = extend(is_signed ? smin_mag : umax);
    const uint64_t pos_sat = R.int_indefinite ? indefinite : extend(is_signed ? smax : umax);
    const uint64_t neg_sat = R.int_indefinite ? indefinite : is_signed ? extend(smin_mag) : 0;
    if (F::is_nan(a)) {
        flags |= flag::Invalid;
        return pos_sat;
    }
    const bool neg = F::sign(a);
    uint64_t mag;
    bool inexact;
    if (F::is_inf(a) || !round_to_integer<F>(a, rmode, mag, inexact)) {
        flags |= flag::Invalid;
        return neg ? neg_sat : pos_sat;
    }
    if (is_signed ? mag > (neg ? smin_mag : smax) : (neg ? mag != 0 : mag > umax)) {
        flags |= flag::Invalid;
        return neg ? neg_sat : pos_sat;
    }
    if (inexact) flags |= flag::Inexact;
    return extend(neg ? uint64_t(0) - mag : mag);
}

// Ordering of non-NaN encodings, with -0 == +0 unless `signed_zero`.
template <class F> bool less(typename F::U a, typename F::U b, bool signed_zero) {
    const bool sa = F::sign(a), sb = F::sign(b);
    if (!signed_zero && F::is_zero(a) && F::is_zero(b)) return false;
    if (sa != sb) return sa;
    return sa ? a > b : a < b;
}

} // namespace

template <class F, Rules R> uint64_t to_i32(typename F::U a, uint8_t rmode, uint32_t& flags) {
    return to_int<F, R>(a, rmode, flags, 32, true);
}
template <class F, Rules R> uint64_t to_u32(typename F::U a, uint8_t rmode, uint32_t& flags) {
    return to_int<F, R>(a, rmode, flags, 32, false);
}
template <class F, Rules R> uint64_t to_i64(typename F::U a, uint8_t rmode, uint32_t& flags) {
    return to_int<F, R>(a, rmode, flags, 64, true);
}
template <class F, Rules R> uint64_t to_u64(typename F::U a, uint8_t rmode, uint32_t& flags) {
    return to_int<F, R>(a, rmode, flags, 64, false);
}

template <class F, Rules R> typename F::U from_u64(uint64_t v, uint8_t rmode, uint32_t& flags) {
    if (v == 0) return 0;
    return round_pack_exact<F, R>(false, 0, v, rmode, flags);
}
template <class F, Rules R> typename F::U from_i64(int64_t v, uint8_t rmode, uint32_t& flags) {
    if (v == 0) return 0;
    const bool neg = v < 0;
    const uint64_t mag = neg ? uint64_t(0) - uint64_t(v) : uint64_t(v);
    return round_pack_exact<F, R>(neg, 0, mag, rmode, flags);
}

// A NaN keeps its sign and the top of its payload under NanRule::FirstOperand.
template <Rules R> uint64_t f32_to_f64(uint32_t a, uint32_t& flags) {
    const uint64_t sign_bit = F32::sign(a) ? F64::kSign : 0;
    if (F32::is_nan(a)) {
        if (F32::is_snan(a)) flags |= flag::Invalid;
        if constexpr (R.nan == NanRule::Canonical) return F64::kCanonicalNaN;
        else return sign_bit | F64::kCanonicalNaN | (uint64_t(F32::frac(a)) << (F64::kFracBits - F32::kFracBits));
    }
    if (F32::is_inf(a)) return sign_bit | F64::kInf;
    if (F32::is_zero(a)) return sign_bit;
    const Unpacked<F32> x = unpack<F32>(a);
    return round_pack_exact<F64, R>(x.sign, x.exp, x.sig, round::NearEven, flags);   // always exact
}

template <Rules R> uint32_t f64_to_f32(uint64_t a, uint8_t rmode, uint32_t& flags) {
    const uint32_t sign_bit = F64::sign(a) ? F32::kSign : 0;
    if (F64::is_nan(a)) {
        if (F64::is_snan(a)) flags |= flag::Invalid;
        if constexpr (R.nan == NanRule::Canonical) return F32::kCanonicalNaN;
        else return sign_bit | F32::kCanonicalNaN | uint32_t(F64::frac(a) >> (F64::kFracBits - F32::kFracBits));
    }
    if (F64::is_inf(a)) return sign_bit | F32::kInf;
    if (F64::is_zero(a)) return sign_bit;
    const Unpacked<F64> x = unpack<F64>(a);
    return round_pack_exact<F32, R>(x.sign, x.exp, x.sig, rmode, flags);
}

template <class F, Rules R> typename F::U minimum_number(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        if (F::is_snan(a) || F::is_snan(b)) flags |= flag::Invalid;
        if (F::is_nan(a) && F::is_nan(b)) return detail::nan2<F, R>(a, b, flags);
        return F::is_nan(a) ? b : a;
    }
    return less<F>(b, a, true) ? b : a;
}
template <class F, Rules R> typename F::U maximum_number(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        if (F::is_snan(a) || F::is_snan(b)) flags |= flag::Invalid;
        if (F::is_nan(a) && F::is_nan(b)) return detail::nan2<F, R>(a, b, flags);
        return F::is_nan(a) ? b : a;
    }
    return less<F>(a, b, true) ? b : a;
}

template <class F> bool eq(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        if (F::is_snan(a) || F::is_snan(b)) flags |= flag::Invalid;
        return false;
    }
    return a == b || (F::is_zero(a) && F::is_zero(b));
}
template <class F> bool lt(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        flags |= flag::Invalid;
        return false;
    }
    return less<F>(a, b, false);
}
template <class F> bool le(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        flags |= flag::Invalid;
        return false;
    }
    return !less<F>(b, a, false);
}

template <class F> Relation compare(typename F::U a, typename F::U b, bool signaling, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        if (signaling || F::is_snan(a) || F::is_snan(b)) flags |= flag::Invalid;
        return Relation::Unordered;
    }
    if (less<F>(a, b, false)) return Relation::Less;
    if (less<F>(b, a, false)) return Relation::Greater;
    return Relation::Equal;
}

#define HV_FP_INSTANTIATE(F, R)                                                                 \
    template uint64_t to_i32<F, R>(F::U, uint8_t, uint32_t&);                                   \
    template uint64_t to_u32<F, R>(F::U, uint8_t, uint32_t&);                                   \
    template uint64_t to_i64<F, R>(F::U, uint8_t, uint32_t&);                                   \
    template uint64_t to_u64<F, R>(F::U, uint8_t, uint32_t&);                                   \
    template F::U from_i64<F, R>(int64_t, uint8_t, uint32_t&);                                  \
    template F::U from_u64<F, R>(uint64_t, uint8_t, uint32_t&);                                 \
    template F::U minimum_number<F, R>(F::U, F::U, uint32_t&);                                  \
    template F::U maximum_number<F, R>(F::U, F::U, uint32_t&);
HV_FP_INSTANTIATE(F32, kRiscvRules)
HV_FP_INSTANTIATE(F64, kRiscvRules)
HV_FP_INSTANTIATE(F32, kX86SseRules)
HV_FP_INSTANTIATE(F64, kX86SseRules)
#undef HV_FP_INSTANTIATE

#define HV_FP_INSTANTIATE(F)                                                                    \
    template bool eq<F>(F::U, F::U, uint32_t&);                                                 \
    template bool lt<F>(F::U, F::U, uint32_t&);                                                 \
    template bool le<F>(F::U, F::U, uint32_t&);                                                 \
    template Relation compare<F>(F::U, F::U, bool, uint32_t&);
HV_FP_INSTANTIATE(F32)
HV_FP_INSTANTIATE(F64)
#undef HV_FP_INSTANTIATE

template uint64_t f32_to_f64<kRiscvRules>(uint32_t, uint32_t&);
template uint64_t f32_to_f64<kX86SseRules>(uint32_t, uint32_t&);
template uint32_t f64_to_f32<kRiscvRules>(uint64_t, uint8_t, uint32_t&);
template uint32_t f64_to_f32<kX86SseRules>(uint64_t, uint8_t, uint32_t&);

} // namespace hvemu::isa::fp
