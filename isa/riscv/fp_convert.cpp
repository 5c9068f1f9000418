// Soft-float conversions (float <-> integer, single <-> double), compares
// and FMIN/FMAX, with the RISC-V results for invalid cases.
#include "isa/riscv/fp_round.hpp"

namespace hvemu::rv::fp {

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
    case rm::RNE: up = rounding == 3 || (rounding == 2 && (whole & 1)); break;
    case rm::RMM: up = rounding >= 2; break;
    case rm::RDN: up = x.sign && rounding != 0; break;
    case rm::RUP: up = !x.sign && rounding != 0; break;
    default: break;                     // RTZ
    }
    mag = whole + up;                   // whole < 2^54: no overflow
    inexact = rounding != 0;
    return true;
}

// The common part of FCVT.{W,WU,L,LU}: `bits` wide, signed or not; the
// result is sign-extended from `bits` to 64.
template <class F> uint64_t to_int(typename F::U a, uint8_t rmode, uint32_t& flags, int bits, bool is_signed) {
    const uint64_t umax = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
    const uint64_t smax = umax >> 1;                         // 2^(bits-1) - 1
    const uint64_t smin_mag = smax + 1;                      // |-2^(bits-1)|
    auto extend = [bits](uint64_t v) {
        return bits == 64 ? v : uint64_t(int64_t(int32_t(uint32_t(v))));
    };
    const uint64_t pos_sat = extend(is_signed ? smax : umax);
    const uint64_t neg_sat = is_signed ? extend(smin_mag) : 0;   // -2^(bits-1) wraps to itself
    if (F::is_nan(a)) {
        flags |= fflag::NV;
        return pos_sat;
    }
    const bool neg = F::sign(a);
    uint64_t mag;
    bool inexact;
    if (F::is_inf(a) || !round_to_integer<F>(a, rmode, mag, inexact)) {
        flags |= fflag::NV;
        return neg ? neg_sat : pos_sat;
    }
    if (is_signed ? mag > (neg ? smin_mag : smax) : (neg ? mag != 0 : mag > umax)) {
        flags |= fflag::NV;
        return neg ? neg_sat : pos_sat;
    }
    if (inexact) flags |= fflag::NX;
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

template <class F> uint64_t to_i32(typename F::U a, uint8_t rmode, uint32_t& flags) {
    return to_int<F>(a, rmode, flags, 32, true);
}
template <class F> uint64_t to_u32(typename F::U a, uint8_t rmode, uint32_t& flags) {
    return to_int<F>(a, rmode, flags, 32, false);
}
template <class F> uint64_t to_i64(typename F::U a, uint8_t rmode, uint32_t& flags) {
    return to_int<F>(a, rmode, flags, 64, true);
}
template <class F> uint64_t to_u64(typename F::U a, uint8_t rmode, uint32_t& flags) {
    return to_int<F>(a, rmode, flags, 64, false);
}

template <class F> typename F::U from_u64(uint64_t v, uint8_t rmode, uint32_t& flags) {
    if (v == 0) return 0;
    return round_pack_exact<F>(false, 0, v, rmode, flags);
}
template <class F> typename F::U from_i64(int64_t v, uint8_t rmode, uint32_t& flags) {
    if (v == 0) return 0;
    const bool neg = v < 0;
    const uint64_t mag = neg ? uint64_t(0) - uint64_t(v) : uint64_t(v);
    return round_pack_exact<F>(neg, 0, mag, rmode, flags);
}

uint64_t f32_to_f64(uint32_t a, uint32_t& flags) {
    const uint64_t sign_bit = F32::sign(a) ? F64::kSign : 0;
    if (F32::is_nan(a)) {
        if (F32::is_snan(a)) flags |= fflag::NV;
        return F64::kCanonicalNaN;
    }
    if (F32::is_inf(a)) return sign_bit | F64::kInf;
    if (F32::is_zero(a)) return sign_bit;
    const Unpacked<F32> x = unpack<F32>(a);
    return round_pack_exact<F64>(x.sign, x.exp, x.sig, rm::RNE, flags);   // always exact
}

uint32_t f64_to_f32(uint64_t a, uint8_t rmode, uint32_t& flags) {
    const uint32_t sign_bit = F64::sign(a) ? F32::kSign : 0;
    if (F64::is_nan(a)) {
        if (F64::is_snan(a)) flags |= fflag::NV;
        return F32::kCanonicalNaN;
    }
    if (F64::is_inf(a)) return sign_bit | F32::kInf;
    if (F64::is_zero(a)) return sign_bit;
    const Unpacked<F64> x = unpack<F64>(a);
    return round_pack_exact<F32>(x.sign, x.exp, x.sig, rmode, flags);
}

template <class F> typename F::U min(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        if (F::is_snan(a) || F::is_snan(b)) flags |= fflag::NV;
        if (F::is_nan(a) && F::is_nan(b)) return F::kCanonicalNaN;
        return F::is_nan(a) ? b : a;
    }
    return less<F>(b, a, true) ? b : a;
}
template <class F> typename F::U max(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        if (F::is_snan(a) || F::is_snan(b)) flags |= fflag::NV;
        if (F::is_nan(a) && F::is_nan(b)) return F::kCanonicalNaN;
        return F::is_nan(a) ? b : a;
    }
    return less<F>(a, b, true) ? b : a;
}

template <class F> bool eq(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        if (F::is_snan(a) || F::is_snan(b)) flags |= fflag::NV;
        return false;
    }
    return a == b || (F::is_zero(a) && F::is_zero(b));
}
template <class F> bool lt(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        flags |= fflag::NV;
        return false;
    }
    return less<F>(a, b, false);
}
template <class F> bool le(typename F::U a, typename F::U b, uint32_t& flags) {
    if (F::is_nan(a) || F::is_nan(b)) {
        flags |= fflag::NV;
        return false;
    }
    return !less<F>(b, a, false);
}

#define HV_FP_INSTANTIATE(F)                                                                    \
    template uint64_t to_i32<F>(F::U, uint8_t, uint32_t&);                                      \
    template uint64_t to_u32<F>(F::U, uint8_t, uint32_t&);                                      \
    template uint64_t to_i64<F>(F::U, uint8_t, uint32_t&);                                      \
    template uint64_t to_u64<F>(F::U, uint8_t, uint32_t&);                                      \
    template F::U from_i64<F>(int64_t, uint8_t, uint32_t&);                                     \
    template F::U from_u64<F>(uint64_t, uint8_t, uint32_t&);                                    \
    template F::U min<F>(F::U, F::U, uint32_t&);                                                \
    template F::U max<F>(F::U, F::U, uint32_t&);                                                \
    template bool eq<F>(F::U, F::U, uint32_t&);                                                 \
    template bool lt<F>(F::U, F::U, uint32_t&);                                                 \
    template bool le<F>(F::U, F::U, uint32_t&);
HV_FP_INSTANTIATE(F32)
HV_FP_INSTANTIATE(F64)
#undef HV_FP_INSTANTIATE

} // namespace hvemu::rv::fp
