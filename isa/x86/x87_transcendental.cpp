// The x87 transcendentals (see x87_transcendental.hpp). Internally a value
// is W: sign, exponent and a 128-bit significand; its operations truncate,
// so each loses at most about 2^-127 relative, and the series below keep the
// total error far under the 2^-64 that the final rounding needs. A result
// whose wide value has zeros below bit 64 is exact at 64 bits there (small
// arguments: sin x = x - ...); `tail` then says on which side the true
// value lies, so PE and the directed roundings are still right.
#include "isa/x86/x87_transcendental.hpp"

#include <utility>

namespace hvemu::x86::x87 {

namespace {

__extension__ typedef unsigned __int128 u128;
constexpr u128 u(uint64_t hi, uint64_t lo) { return (u128{hi} << 64) | lo; }
constexpr u128 kTop = u128{1} << 127;
constexpr uint64_t kJ = 1ull << 63;

// (-1)^s * m * 2^(e - 127); m has bit 127 set, or is 0.
struct W {
    bool s = false;
    int32_t e = 0;
    u128 m = 0;
};

int clz(u128 m) {
    const uint64_t hi = static_cast<uint64_t>(m >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll(static_cast<uint64_t>(m));
}
W norm(bool s, int32_t e, u128 m) {
    if (!m) return W{s, 0, 0};
    const int lz = clz(m);
    return W{s, e - lz, m << lz};
}
W wint(int64_t v) { return norm(v < 0, 127, static_cast<u128>(v < 0 ? -static_cast<u128>(v) : static_cast<u128>(v))); }
// A finite F80 (denormals included), exactly.
W from80(F80 a) {
    const int32_t e = a.exp() == 0 ? 1 - kBias : a.exp() - kBias;
    return norm(a.sign(), e, u128{a.sig} << 64);
}
W neg(W a) { return W{!a.s, a.e, a.m}; }
W abs(W a) { return W{false, a.e, a.m}; }

W mul(W a, W b) {
    const bool s = a.s != b.s;
    if (!a.m || !b.m) return W{s, 0, 0};
    const uint64_t a1 = static_cast<uint64_t>(a.m >> 64), a0 = static_cast<uint64_t>(a.m);
    const uint64_t b1 = static_cast<uint64_t>(b.m >> 64), b0 = static_cast<uint64_t>(b.m);
    const u128 hl = u128{a1} * b0, lh = u128{a0} * b1, ll = u128{a0} * b0;
    const u128 mid = (ll >> 64) + static_cast<uint64_t>(hl) + static_cast<uint64_t>(lh);
    const u128 hi = u128{a1} * b1 + (hl >> 64) + (lh >> 64) + (mid >> 64);
    if (hi >> 127) return W{s, a.e + b.e + 1, hi};
    return W{s, a.e + b.e, (hi << 1) | (static_cast<uint64_t>(mid) >> 63)};
}
W add(W a, W b) {
    if (!b.m) return a;
    if (!a.m) return b;
    if (a.e < b.e || (a.e == b.e && a.m < b.m)) std::swap(a, b);
    const int32_t d = a.e - b.e;
    const u128 mb = d >= 128 ? 0 : b.m >> d;
    if (a.s != b.s) return norm(a.s, a.e, a.m - mb);
    const u128 r = a.m + mb;
    if (r < a.m) return W{a.s, a.e + 1, (r >> 1) | kTop};
    return W{a.s, a.e, r};
}
W sub(W a, W b) { return add(a, neg(b)); }
// a / b (b != 0) by restoring division, 128 quotient bits.
W div(W a, W b) {
    const bool s = a.s != b.s;
    if (!a.m) return W{s, 0, 0};
    u128 r = a.m, q = 0;
    int32_t e = a.e - b.e;
    bool carry = false;
    if (a.m < b.m) {
        carry = r >> 127;
        r <<= 1;
        --e;
    }
    for (int k = 0; k < 128; ++k) {
        q <<= 1;
        if (carry || r >= b.m) {
            r -= b.m;
            q |= 1;
        }
        carry = r >> 127;
        r <<= 1;
    }
    return W{s, e, q};
}
W div_small(W a, uint32_t n) {
    const u128 q = a.m / n, r = a.m % n;
    if (!q) return W{a.s, 0, 0};
    const int lz = clz(q);
    return W{a.s, a.e - lz, (q << lz) | ((r << lz) / n)};
}
// Whether a term no longer changes a sum (its bits all fall below 2^-130 of it).
bool negligible(const W& term, const W& sum) { return !term.m || (sum.m && term.e < sum.e - 130); }

// Constants, truncated to 128 bits (from their binary expansions).
constexpr W kOneW{false, 0, kTop};
constexpr W kPiW{false, 1, u(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull)};
constexpr W kPi2W{false, 0, u(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull)};
constexpr W kPi4W{false, -1, u(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull)};
constexpr W kLn2W{false, -1, u(0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull)};
constexpr W kLog2eW{false, 0, u(0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull)};
constexpr u128 kSqrt2 = u(0xb504f333f9de6484ull, 0x597d89b3754abe9full);   // sqrt(2) * 2^127
// 2/pi as a 384-bit fraction, most significant 64 bits first.
constexpr uint64_t kTwoOverPi[6] = {0xa2f9836e4e441529ull, 0xfc2757d1f534ddc0ull, 0xdb6295993c439041ull,
                                    0xfe5163abdebbc561ull, 0xb7246e3a424dd2e0ull, 0x06492eea09d1921cull};

// v rounded to 64 bits by env. tail: the true value's magnitude is below
// (-1) or above (+1) |v| by less than v's last bit; 0: v is exact.
F80 finish(W v, int tail, Env& env) {
    if (!v.m) return F80{0, static_cast<uint16_t>(v.s ? 0x8000 : 0)};
    if (tail && !static_cast<uint64_t>(v.m)) v.m = tail < 0 ? v.m - 1 : v.m | 1;
    return round_wide(v.s, v.e, static_cast<uint64_t>(v.m >> 64), static_cast<uint64_t>(v.m), env);
}

F80 quiet(F80 a) { return F80{a.sig | (1ull << 62), a.se}; }
F80 signed_zero(bool s) { return F80{0, static_cast<uint16_t>(s ? 0x8000 : 0)}; }
F80 signed_inf(bool s) { return F80{kJ, static_cast<uint16_t>(s ? 0xffff : 0x7fff)}; }
F80 invalid(Env& env) {
    env.raise(sw::IE);
    return kIndefinite;
}
// NaN and unsupported operands of a one-operand instruction; true: out set.
bool nan_operand(F80 a, Class k, Env& env, F80& out) {
    if (k == Class::Unsupported) return out = invalid(env), true;
    if (k == Class::SNaN) env.raise(sw::IE);
    if (k == Class::SNaN || k == Class::QNaN) return out = quiet(a), true;
    return false;
}
bool nan_operands(F80 a, F80 b, Class ka, Class kb, Env& env, F80& out) {
    if (ka == Class::Unsupported || kb == Class::Unsupported) return out = invalid(env), true;
    const bool na = ka == Class::QNaN || ka == Class::SNaN, nb = kb == Class::QNaN || kb == Class::SNaN;
    if (na || nb) return out = propagate_nan(a, b, env), true;
    return false;
}

// ---- sine and cosine of |r| <= pi/4, Taylor series

W sin_series(W r) {
    const W r2 = mul(r, r);
    W sum = r, term = r;
    for (uint32_t k = 2; k < 80; k += 2) {
        term = neg(div_small(mul(term, r2), k * (k + 1)));
        if (negligible(term, sum)) break;
        sum = add(sum, term);
    }
    return sum;
}
W cos_series(W r) {
    const W r2 = mul(r, r);
    W sum = kOneW, term = kOneW;
    for (uint32_t k = 1; k < 80; k += 2) {
        term = neg(div_small(mul(term, r2), k * (k + 1)));
        if (negligible(term, sum)) break;
        sum = add(sum, term);
    }
    return sum;
}

// |x| = r + q * pi/2 with |r| <= pi/4 (x finite, |x| < 2^63): x * 2/pi in
// fixed point with 384 bits of 2/pi, whose error (< 2^-320) stays far
// below the smallest distance of an 80-bit value from a multiple of pi/2.
struct Reduced {
    W r;
    unsigned q;
};
Reduced reduce(W x) {
    x.s = false;
    if (x.e < -1) return Reduced{x, 0};   // |x| < 1/2
    const uint64_t sig = static_cast<uint64_t>(x.m >> 64);   // x = sig * 2^(x.e - 63)
    uint64_t p[8] = {};   // sig * 2/pi * 2^384, little-endian limbs (and a zero limb above)
    for (int k = 0; k < 6; ++k) {
        const u128 t = u128{sig} * kTwoOverPi[5 - k] + p[k];
        p[k] = static_cast<uint64_t>(t);
        p[k + 1] = static_cast<uint64_t>(t >> 64);
    }
    auto bit = [&](int n) { return static_cast<unsigned>((p[n / 64] >> (n % 64)) & 1); };
    const int point = 384 - (x.e - 63);   // the binary point of x * 2/pi, in [385, 448]
    unsigned q = bit(point) | (bit(point + 1) << 1);
    bool s = false;
    for (int k = point / 64 + 1; k < 8; ++k) p[k] = 0;
    p[point / 64] &= (1ull << (point % 64)) - 1;
    if (bit(point - 1)) {   // fraction >= 1/2: r = (fraction - 1) * pi/2, one quadrant up
        ++q;
        s = true;
        bool borrow = true;   // p = 2^point - p
        for (int k = 0; k < 8; ++k) {
            const uint64_t v = ~p[k] + (borrow ? 1 : 0);
            borrow = borrow && p[k] == 0;
            p[k] = v;
        }
        for (int k = point / 64 + 1; k < 8; ++k) p[k] = 0;
        p[point / 64] &= (1ull << (point % 64)) - 1;
    }
    int h = point - 1;
    while (h >= 0 && !bit(h)) --h;
    if (h < 0) return Reduced{W{}, q & 3};
    u128 m = 0;   // bits h .. h - 127 of the fraction
    for (int n = h; n > h - 128; --n) m = (m << 1) | (n >= 0 ? bit(n) : 0);
    const W f{s, h - point, m};
    return Reduced{mul(f, kPi2W), q & 3};
}

struct Trig {
    W sin, cos;
};
// sin and cos of finite nonzero x, |x| < 2^63.
Trig trig(F80 a) {
    const Reduced red = reduce(from80(a));
    const W s = sin_series(red.r), c = cos_series(red.r);
    Trig t;
    switch (red.q) {
    case 0: t = {s, c}; break;
    case 1: t = {c, neg(s)}; break;
    case 2: t = {neg(s), neg(c)}; break;
    default: t = {neg(c), s}; break;
    }
    if (a.sign()) t.sin = neg(t.sin);
    return t;
}

// The operand screening of FSIN, FCOS, FSINCOS, FPTAN: NaN, unsupported,
// infinity (IE), denormal (DE). true: out is the answer (for both values).
bool trig_special(F80 a, Class k, Env& env, F80& out) {
    if (nan_operand(a, k, env, out)) return true;
    if (k == Class::Inf) return out = invalid(env), true;
    if (k == Class::Denormal) env.raise(sw::DE);
    if (env.stopped()) return out = a, true;
    return false;
}

// ---- arctangent of 0 <= t <= 1 (a series in t^2 <= 1/4 after the reduction)

W atan_unit(W t) {
    W base{};
    if (t.e >= -1) {   // t >= 1/2: atan t = pi/4 + atan((t-1)/(t+1)), |(t-1)/(t+1)| <= 1/3
        base = kPi4W;
        t = div(sub(t, kOneW), add(t, kOneW));
    }
    const W t2 = mul(t, t);
    W sum = t, power = t;
    for (uint32_t k = 3; k < 200; k += 2) {
        power = neg(mul(power, t2));
        const W term = div_small(power, k);
        if (negligible(term, sum)) break;
        sum = add(sum, term);
    }
    return add(base, sum);
}

// ---- logarithms: 2 atanh(s) = ln((1 + s) / (1 - s))

W atanh2(W s) {
    const W s2 = mul(s, s);
    W sum = s, power = s;
    for (uint32_t k = 3; k < 200; k += 2) {
        power = mul(power, s2);
        const W term = div_small(power, k);
        if (negligible(term, sum)) break;
        sum = add(sum, term);
    }
    sum.e += 1;
    return sum;
}
// log2 of x > 0: x = m * 2^n with m in [sqrt(2)/2, sqrt(2)).
W log2w(W x) {
    int32_t n = x.e;
    W m{false, 0, x.m};
    if (x.m > kSqrt2) {
        m.e = -1;
        ++n;
    }
    const W s = div(sub(m, kOneW), add(m, kOneW));
    return add(wint(n), mul(atanh2(s), kLog2eW));
}
// y * L for the two log instructions: L's class decides the specials.
enum class Log : uint8_t { NegInf, Zero, Finite, PosInf, Invalid };
F80 times_log(F80 y, Class ky, Log lk, bool lneg, W l, bool exact, Env& env) {
    if (lk == Log::Invalid) return invalid(env);
    const bool s = y.sign() != lneg;
    if (ky == Class::Inf) {
        if (lk == Log::Zero) return invalid(env);
        return signed_inf(s);
    }
    if (lk == Log::NegInf || lk == Log::PosInf) {
        if (ky == Class::Zero) return invalid(env);
        if (lk == Log::NegInf) env.raise(sw::ZE);
        return signed_inf(s);
    }
    if (ky == Class::Zero || lk == Log::Zero) return signed_zero(s);
    return finish(mul(from80(y), l), exact ? 0 : -1, env);
}

} // namespace

bool trig_in_range(F80 a) {
    const Class k = classify(a);
    return !(k == Class::Normal && a.exp() >= kBias + 63);
}

F80 sin(F80 a, Env& env) {
    const Class k = classify(a);
    F80 out;
    if (trig_special(a, k, env, out)) return out;
    if (k == Class::Zero) return a;
    return finish(trig(a).sin, -1, env);
}

F80 cos(F80 a, Env& env) {
    const Class k = classify(a);
    F80 out;
    if (trig_special(a, k, env, out)) return out;
    if (k == Class::Zero) return finish(kOneW, 0, env);
    return finish(trig(a).cos, -1, env);
}

Pair sincos(F80 a, Env& env) {
    const Class k = classify(a);
    F80 out;
    if (trig_special(a, k, env, out)) return Pair{out, out};
    if (k == Class::Zero) return Pair{a, finish(kOneW, 0, env)};
    const Trig t = trig(a);
    Env es = env;
    const F80 s = finish(t.sin, -1, es);
    const F80 c = finish(t.cos, -1, env);
    env.flags |= static_cast<uint16_t>(es.flags & sw::Exceptions);   // C1: the cosine's (the new ST(0))
    return Pair{s, c};
}

Pair tan(F80 a, Env& env) {
    const Class k = classify(a);
    F80 out;
    if (trig_special(a, k, env, out)) return Pair{out, out};
    const F80 one = finish(kOneW, 0, env);
    if (k == Class::Zero) return Pair{a, one};
    const Trig t = trig(a);
    return Pair{finish(div(t.sin, t.cos), +1, env), one};
}

F80 atan2(F80 y, F80 x, Env& env) {
    const Class ky = classify(y), kx = classify(x);
    F80 out;
    if (nan_operands(y, x, ky, kx, env, out)) return out;
    if (ky == Class::Denormal || kx == Class::Denormal) env.raise(sw::DE);
    if (env.stopped()) return y;
    const bool s = y.sign(), xneg = x.sign();
    // The SDM's table: zeros and infinities give 0, pi/4, pi/2, 3pi/4, pi.
    if (ky == Class::Zero) return xneg ? finish(W{s, kPiW.e, kPiW.m}, 0, env) : y;
    if (ky == Class::Inf) {
        if (kx == Class::Inf) {
            W v = xneg ? add(kPi2W, kPi4W) : kPi4W;   // 3pi/4, pi/4
            v.s = s;
            return finish(v, 0, env);
        }
        return finish(W{s, kPi2W.e, kPi2W.m}, 0, env);
    }
    if (kx == Class::Zero) return finish(W{s, kPi2W.e, kPi2W.m}, 0, env);
    if (kx == Class::Inf) return xneg ? finish(W{s, kPiW.e, kPiW.m}, 0, env) : signed_zero(s);
    const W a = abs(from80(y)), b = abs(from80(x));
    W ang;
    if (a.e == b.e && a.m == b.m) ang = kPi4W;
    else if (a.e < b.e || (a.e == b.e && a.m < b.m)) ang = atan_unit(div(a, b));
    else ang = sub(kPi2W, atan_unit(div(b, a)));
    if (xneg) ang = sub(kPiW, ang);
    ang.s = s;
    return finish(ang, -1, env);
}

F80 exp2m1(F80 x, Env& env) {
    const Class k = classify(x);
    F80 out;
    if (nan_operand(x, k, env, out)) return out;
    if (k == Class::Inf) return x.sign() ? finish(W{true, 0, kTop}, 0, env) : x;   // -1, +inf
    if (k == Class::Zero) return x;
    if (k == Class::Denormal) env.raise(sw::DE);
    if (env.stopped()) return x;
    const W w = from80(x);
    if (w.e >= 15) return x.sign() ? finish(W{true, 0, kTop}, -1, env) : finish(W{false, 1 << 20, kTop}, 1, env);
    // x = n + f with integer n and |f| <= 1/2 (x in 64-bit fixed point: exact, since |x| < 2^15).
    __extension__ typedef __int128 s128;
    s128 n = 0;
    W f = w;
    if (w.e >= -1) {
        const s128 fixed = static_cast<s128>(w.m >> (63 - w.e));
        const s128 sx = w.s ? -fixed : fixed;
        n = (sx + (s128{1} << 63)) >> 64;
        const s128 fr = sx - n * (s128{1} << 64);
        f = norm(fr < 0, 63, static_cast<u128>(fr < 0 ? -fr : fr));
    }
    // expm1(f ln 2) by its Taylor series (no cancellation: the first term dominates).
    const W z = mul(f, kLn2W);
    W sum = z, term = z;
    for (uint32_t j = 2; j < 80 && z.m; ++j) {
        term = div_small(mul(term, z), j);
        if (negligible(term, sum)) break;
        sum = add(sum, term);
    }
    if (n == 0) return finish(sum, f.m ? -1 : 0, env);
    W p = add(kOneW, sum);   // 2^f * 2^n - 1
    p.e += static_cast<int32_t>(n);
    return finish(sub(p, kOneW), f.m ? -1 : 0, env);
}

F80 ylog2x(F80 y, F80 x, Env& env) {
    const Class ky = classify(y), kx = classify(x);
    F80 out;
    if (nan_operands(y, x, ky, kx, env, out)) return out;
    if (ky == Class::Denormal || kx == Class::Denormal) env.raise(sw::DE);
    if (env.stopped()) return y;
    if (kx == Class::Zero) return times_log(y, ky, Log::NegInf, true, W{}, true, env);
    if (x.sign()) return invalid(env);
    if (kx == Class::Inf) return times_log(y, ky, Log::PosInf, false, W{}, true, env);
    const W wx = from80(x);
    if (wx.m == kTop) {   // a power of two: log2 is the exponent, exactly
        if (wx.e == 0) return times_log(y, ky, Log::Zero, false, W{}, true, env);
        return times_log(y, ky, Log::Finite, wx.e < 0, wint(wx.e), true, env);
    }
    const W l = log2w(wx);
    return times_log(y, ky, Log::Finite, l.s, l, false, env);
}

F80 ylog2xp1(F80 y, F80 x, Env& env) {
    const Class ky = classify(y), kx = classify(x);
    F80 out;
    if (nan_operands(y, x, ky, kx, env, out)) return out;
    if (ky == Class::Denormal || kx == Class::Denormal) env.raise(sw::DE);
    if (env.stopped()) return y;
    // log2(1 + (+-0)) = +-0: the product's sign is the XOR of the signs.
    if (kx == Class::Zero) return times_log(y, ky, Log::Zero, x.sign(), W{}, true, env);
    if (kx == Class::Inf) return x.sign() ? invalid(env) : times_log(y, ky, Log::PosInf, false, W{}, true, env);
    const W wx = from80(x);
    // |x| < 1 - sqrt(2)/2 (0.2928...): 2 atanh(x / (2 + x)), accurate for small x.
    if (wx.e < -2 || (wx.e == -2 && wx.m < u(0x95f619980c4336f7ull, 0))) {
        const W l = mul(atanh2(div(wx, add(kOneW, add(kOneW, wx)))), kLog2eW);
        return times_log(y, ky, Log::Finite, l.s, l, false, env);
    }
    const W p = add(kOneW, wx);   // outside the SDM's range: FYL2X of 1 + x
    if (!p.m) return times_log(y, ky, Log::NegInf, true, W{}, true, env);
    if (p.s) return invalid(env);
    if (p.m == kTop && p.e == 0) return times_log(y, ky, Log::Zero, false, W{}, true, env);
    const W l = p.m == kTop ? wint(p.e) : log2w(p);
    return times_log(y, ky, Log::Finite, l.s, l, p.m == kTop, env);
}

} // namespace hvemu::x86::x87
