// 80-bit extended-precision arithmetic (see x87_float.hpp). Values are
// unpacked to sign, unbiased exponent of the integer bit and a normalized
// significand; results go through one rounding routine that knows the
// destination's precision and exponent range.
#include "isa/x86/x87_float.hpp"

#include <algorithm>

namespace hvemu::x86::x87 {

namespace {

__extension__ typedef unsigned __int128 u128;

constexpr uint64_t kJ = 1ull << 63;
constexpr uint64_t kQuietBit = 1ull << 62;
constexpr int32_t kWrap = 24576;   // the exponent bias of unmasked OE/UE results on the stack

F80 make(bool s, uint16_t exp, uint64_t sig) { return F80{sig, static_cast<uint16_t>((s ? 0x8000u : 0u) | exp)}; }
F80 zero(bool s) { return make(s, 0, 0); }
F80 inf(bool s) { return make(s, 0x7fff, kJ); }
F80 quiet(F80 a) { return F80{a.sig | kQuietBit, a.se}; }

// A finite nonzero operand: value = sig * 2^(e - 63), sig normalized.
struct Num {
    bool s;
    int32_t e;
    uint64_t sig;
};
Num unpack(F80 a) {
    int32_t e = a.exp() == 0 ? 1 - kBias : a.exp() - kBias;
    uint64_t m = a.sig;
    const int lz = __builtin_clzll(m);
    return Num{a.sign(), e - lz, m << lz};
}

// A destination format: significand bits and the unbiased exponent range.
struct Fmt {
    int p;
    int32_t emin, emax;
};
constexpr Fmt kF32{24, -126, 127}, kF64{53, -1022, 1023};
Fmt ext(const Env& env) { return Fmt{env.precision(), 1 - kBias, kBias}; }

// x / 2^d rounded by rc (d >= 1); inexact and whether the magnitude went up.
u128 round_shift(u128 x, int d, bool s, unsigned rc, bool& inexact, bool& up) {
    u128 q, rem;
    int cmp;   // remainder against half a unit: -1, 0, 1
    if (d <= 0) {
        inexact = up = false;
        return x;
    }
    if (d >= 129) {
        q = 0, rem = x, cmp = x ? -1 : -2;
    } else if (d == 128) {
        const u128 half = u128{1} << 127;
        q = 0, rem = x, cmp = x > half ? 1 : x == half ? 0 : -1;
    } else {
        const u128 half = u128{1} << (d - 1);
        q = x >> d, rem = x & ((u128{1} << d) - 1), cmp = rem > half ? 1 : rem == half ? 0 : -1;
    }
    inexact = rem != 0;
    up = false;
    if (inexact) {
        switch (rc) {
        case Nearest: up = cmp > 0 || (cmp == 0 && (q & 1)); break;
        case Down: up = s; break;
        case Up: up = !s; break;
        default: break;
        }
    }
    return q + (up ? 1 : 0);
}

// The rounded value of (-1)^s * v * 2^(e - 127) (v != 0) in format f.
// wrap: the exponent bias an unmasked OE/UE applies (register
// destinations); 0: a memory destination, where nothing is delivered then.
// Returns sign, unbiased exponent and significand (top-aligned; J clear for
// a denormal, whose exponent is then emin); ok = false: nothing to deliver.
struct Rounded {
    bool s;
    int32_t e;
    uint64_t sig;
    bool ok = true;
};
Rounded round_to(bool s, int32_t e, u128 v, Fmt f, Env& env, int32_t wrap) {
    const int lz = (v >> 64) ? __builtin_clzll(static_cast<uint64_t>(v >> 64)) : 64 + __builtin_clzll(static_cast<uint64_t>(v));
    v <<= lz;
    e -= lz;
    const unsigned rc = env.rc();
    const int drop = 128 - f.p;
    bool inexact, up;
    u128 q = round_shift(v, drop, s, rc, inexact, up);
    int32_t e1 = e;
    if (q >> f.p) {
        q >>= 1;
        ++e1;
    }
    auto finish = [&](int32_t ex, u128 qq, bool inx, bool u) {
        if (inx) env.raise(sw::PE);
        if (u) env.raise(sw::C1);
        return Rounded{s, ex, static_cast<uint64_t>(qq) << (64 - f.p)};
    };
    if (e1 > f.emax) {
        env.raise(sw::OE);
        if (!env.masked(sw::OE)) {
            if (!wrap) return Rounded{s, 0, 0, false};
            if (e1 - wrap <= f.emax) return finish(e1 - wrap, q, inexact, up);
        }
        env.raise(sw::PE);
        const bool to_inf = rc == Nearest || (rc == Down && s) || (rc == Up && !s);
        if (to_inf) {
            env.raise(sw::C1);
            return Rounded{s, f.emax + 1, kJ};
        }
        return Rounded{s, f.emax, ~0ull << (64 - f.p)};
    }
    if (e < f.emin) {
        const bool tiny = e1 < f.emin;
        if (tiny && !env.masked(sw::UE)) {
            env.raise(sw::UE);
            if (!wrap) return Rounded{s, 0, 0, false};
            if (e1 + wrap >= f.emin) return finish(e1 + wrap, q, inexact, up);
            // Too small even when biased: a signed zero (SDM Vol.1 8.5.5).
            return Rounded{s, f.emin, 0};
        }
        bool inx2, up2;
        const u128 q2 = round_shift(v, drop + (f.emin - e), s, rc, inx2, up2);
        if (inx2 && tiny) env.raise(sw::UE);
        return finish(f.emin, q2, inx2, up2);
    }
    return finish(e1, q, inexact, up);
}

F80 pack80(const Rounded& r) {
    if (r.e > kBias) return inf(r.s);
    if (r.sig == 0) return zero(r.s);
    const uint16_t ex = (r.sig & kJ) ? static_cast<uint16_t>(r.e + kBias) : 0;
    return make(r.s, ex, r.sig);
}
F80 round80(bool s, int32_t e, u128 v, Env& env) {
    if (v == 0) return zero(s);
    return pack80(round_to(s, e, v, ext(env), env, kWrap));
}
u128 wide(uint64_t sig) { return u128{sig} << 64; }
// Instructions that PC does not govern (FRNDINT, FSCALE, FPREM, ...) round to 64 bits.
F80 round64(bool s, int32_t e, u128 v, Env& env) {
    if (v == 0) return zero(s);
    return pack80(round_to(s, e, v, Fmt{64, 1 - kBias, kBias}, env, kWrap));
}


// NaN and unsupported operands of a one-operand operation; true: *out set.
bool special1(F80 a, Class k, Env& env, F80& out) {
    if (k == Class::Unsupported) {
        env.raise(sw::IE);
        out = kIndefinite;
        return true;
    }
    if (k == Class::SNaN) env.raise(sw::IE);
    if (k == Class::SNaN || k == Class::QNaN) {
        out = quiet(a);
        return true;
    }
    return false;
}
bool special2(F80 a, F80 b, Class ka, Class kb, Env& env, F80& out) {
    if (ka == Class::Unsupported || kb == Class::Unsupported) {
        env.raise(sw::IE);
        out = kIndefinite;
        return true;
    }
    const bool na = ka == Class::QNaN || ka == Class::SNaN, nb = kb == Class::QNaN || kb == Class::SNaN;
    if (na || nb) {
        out = propagate_nan(a, b, env);
        return true;
    }
    return false;
}
void denormal_check(Class ka, Class kb, Env& env) {
    if (ka == Class::Denormal || kb == Class::Denormal) env.raise(sw::DE);
}
F80 invalid(Env& env) {
    env.raise(sw::IE);
    return kIndefinite;
}

} // namespace

Class classify(F80 a) {
    const uint16_t ex = a.exp();
    const bool j = a.sig & kJ;
    if (ex == 0) return a.sig == 0 ? Class::Zero : Class::Denormal;
    if (!j) return Class::Unsupported;
    if (ex == 0x7fff) {
        if ((a.sig << 1) == 0) return Class::Inf;
        return (a.sig & kQuietBit) ? Class::QNaN : Class::SNaN;
    }
    return Class::Normal;
}

F80 round_wide(bool s, int32_t e, uint64_t hi, uint64_t lo, Env& env) {
    return round64(s, e, (u128{hi} << 64) | lo, env);
}

F80 propagate_nan(F80 a, F80 b, Env& env) {
    const Class ka = classify(a), kb = classify(b);
    const bool sa = ka == Class::SNaN, sb = kb == Class::SNaN;
    const bool na = sa || ka == Class::QNaN, nb = sb || kb == Class::QNaN;
    if (sa || sb) env.raise(sw::IE);
    if (na && !nb) return quiet(a);
    if (nb && !na) return quiet(b);
    if (sa != sb) return quiet(sa ? b : a);   // the QNaN of an SNaN/QNaN pair
    const uint64_t ma = a.sig | kQuietBit, mb = b.sig | kQuietBit;
    if (ma != mb) return quiet(ma > mb ? a : b);
    return quiet(a.se < b.se ? a : b);         // equal significands: the positive one
}

F80 add(F80 a, F80 b, Env& env) {
    const Class ka = classify(a), kb = classify(b);
    F80 out;
    if (special2(a, b, ka, kb, env, out)) return out;
    denormal_check(ka, kb, env);   // also with an infinite other operand
    if (env.stopped()) return a;
    if (ka == Class::Inf || kb == Class::Inf) {
        if (ka == Class::Inf && kb == Class::Inf && a.sign() != b.sign()) return invalid(env);
        return ka == Class::Inf ? a : b;
    }
    if (ka == Class::Zero && kb == Class::Zero)
        return zero(a.sign() == b.sign() ? a.sign() : env.rc() == Down);
    if (ka == Class::Zero || kb == Class::Zero) {
        const Num n = unpack(ka == Class::Zero ? b : a);
        return round80(n.s, n.e, wide(n.sig), env);
    }
    Num x = unpack(a), y = unpack(b);
    if (x.e < y.e || (x.e == y.e && x.sig < y.sig)) std::swap(x, y);
    // Significands at bits 126..63: room for the carry, 63 guard bits, and
    // a sticky bit for what the alignment shifts out.
    u128 mx = u128{x.sig} << 63, my = u128{y.sig} << 63;
    const int32_t d = x.e - y.e;
    if (d >= 127) my = 1;
    else if (d > 0) my = (my >> d) | ((my & ((u128{1} << d) - 1)) != 0 ? 1 : 0);
    const u128 r = x.s == y.s ? mx + my : mx - my;
    if (r == 0) return zero(env.rc() == Down);
    return round80(x.s, x.e + 1, r, env);
}

F80 sub(F80 a, F80 b, Env& env) {
    // a - b = a + (-b), with NaN operands kept as they are for propagation.
    if (is_nan(b) || classify(b) == Class::Unsupported) return add(a, b, env);
    return add(a, F80{b.sig, static_cast<uint16_t>(b.se ^ 0x8000)}, env);
}

F80 mul(F80 a, F80 b, Env& env) {
    const Class ka = classify(a), kb = classify(b);
    F80 out;
    if (special2(a, b, ka, kb, env, out)) return out;
    const bool s = a.sign() != b.sign();
    denormal_check(ka, kb, env);
    if (env.stopped()) return a;
    if (ka == Class::Inf || kb == Class::Inf) {
        if (ka == Class::Zero || kb == Class::Zero) return invalid(env);
        return inf(s);
    }
    if (ka == Class::Zero || kb == Class::Zero) return zero(s);
    const Num x = unpack(a), y = unpack(b);
    return round80(s, x.e + y.e + 1, u128{x.sig} * y.sig, env);
}

F80 div(F80 a, F80 b, Env& env) {
    const Class ka = classify(a), kb = classify(b);
    F80 out;
    if (special2(a, b, ka, kb, env, out)) return out;
    const bool s = a.sign() != b.sign();
    if (kb == Class::Zero) {   // ZE (finite nonzero dividend) without DE, even for a denormal one
        if (ka == Class::Zero) return invalid(env);
        if (ka != Class::Inf) env.raise(sw::ZE);
        return inf(s);
    }
    denormal_check(ka, kb, env);   // also with an infinite other operand
    if (env.stopped()) return a;
    if (ka == Class::Inf) return kb == Class::Inf ? invalid(env) : inf(s);
    if (kb == Class::Inf) return zero(s);
    if (ka == Class::Zero) return zero(s);
    const Num x = unpack(a), y = unpack(b);
    // 128 quotient bits in two steps; the final remainder is the sticky bit.
    const bool ge = x.sig >= y.sig;
    const u128 n = u128{x.sig} << (ge ? 63 : 64);
    const uint64_t qh = static_cast<uint64_t>(n / y.sig);
    const u128 r = n % y.sig;
    const u128 n2 = r << 64;
    const uint64_t ql = static_cast<uint64_t>(n2 / y.sig);
    const bool sticky = (n2 % y.sig) != 0;
    const u128 q = (u128{qh} << 64) | ql | (sticky ? 1 : 0);
    return round80(s, x.e - y.e + (ge ? 0 : -1), q, env);
}

F80 sqrt(F80 a, Env& env) {
    const Class k = classify(a);
    F80 out;
    if (special1(a, k, env, out)) return out;
    if (k == Class::Zero) return a;
    if (a.sign()) return invalid(env);
    if (k == Class::Inf) return a;
    if (k == Class::Denormal) env.raise(sw::DE);
    if (env.stopped()) return a;
    const Num x = unpack(a);
    // value = sig * 2^(e-63) = n * 2^(e-63-k) with e-63-k even; n in [2^126, 2^128).
    const int kk = ((x.e - 63 - 63) & 1) ? 64 : 63;
    const u128 n = u128{x.sig} << kk;
    // Integer square root, bit by bit.
    u128 rem = n, root = 0, bit = u128{1} << 126;
    while (bit) {
        if (rem >= root + bit) {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    // root = floor(sqrt(n)) (64 bits); the next bit is 1 iff rem > root.
    u128 v = (root << 64) | (rem > root ? u128{1} << 63 : 0) | (rem != 0 ? 1 : 0);
    return round80(false, 63 + (x.e - 63 - kk) / 2, v, env);
}

F80 round_to_int(F80 a, Env& env) {
    const Class k = classify(a);
    F80 out;
    if (special1(a, k, env, out)) return out;
    if (k == Class::Zero || k == Class::Inf) return a;
    if (k == Class::Denormal) env.raise(sw::DE);
    if (env.stopped()) return a;
    const Num x = unpack(a);
    if (x.e >= 63) return a;
    bool inexact, up;
    const u128 q = round_shift(u128{x.sig}, 63 - x.e, x.s, env.rc(), inexact, up);
    if (inexact) env.raise(sw::PE);
    if (up) env.raise(sw::C1);
    if (q == 0) return zero(x.s);
    return round64(x.s, 127, q, env);
}

F80 from_int(int64_t v) {
    if (v == 0) return zero(false);
    const bool s = v < 0;
    const uint64_t m = s ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    const int lz = __builtin_clzll(m);
    return make(s, static_cast<uint16_t>(kBias + 63 - lz), m << lz);
}

F80 scale(F80 a, F80 b, Env& env) {
    const Class ka = classify(a), kb = classify(b);
    F80 out;
    if (special2(a, b, ka, kb, env, out)) return out;
    if (kb == Class::Inf) {
        if (!b.sign()) return ka == Class::Zero ? invalid(env) : ka == Class::Inf ? a : inf(a.sign());
        return ka == Class::Inf ? invalid(env) : zero(a.sign());
    }
    denormal_check(ka, kb, env);
    if (env.stopped()) return a;
    if (ka == Class::Zero || ka == Class::Inf) return a;
    // trunc(b), clamped: beyond +-2^17 every result over- or underflows.
    int32_t n = 0;
    if (kb != Class::Zero) {
        const Num y = unpack(b);
        if (y.e >= 17) n = 1 << 17;
        else if (y.e >= 0) n = static_cast<int32_t>(y.sig >> (63 - y.e));
        if (y.s) n = -n;
    }
    const Num x = unpack(a);
    return round64(x.s, x.e + n, wide(x.sig), env);
}

Extracted extract(F80 a, Env& env) {
    const Class k = classify(a);
    F80 out;
    if (special1(a, k, env, out)) return Extracted{out, out};
    if (k == Class::Zero) {
        env.raise(sw::ZE);
        return Extracted{inf(true), a};
    }
    if (k == Class::Inf) return Extracted{inf(false), a};
    if (k == Class::Denormal) env.raise(sw::DE);
    const Num x = unpack(a);
    return Extracted{from_int(x.e), make(x.s, kBias, x.sig)};
}

Remainder remainder(F80 a, F80 b, Env& env, bool ieee) {
    const Class ka = classify(a), kb = classify(b);
    Remainder res;
    if (special2(a, b, ka, kb, env, res.r)) return res;
    if (ka == Class::Inf || kb == Class::Zero) {
        res.r = invalid(env);
        return res;
    }
    denormal_check(ka, kb, env);
    res.r = a;
    if (env.stopped() || ka == Class::Zero || kb == Class::Inf) return res;
    const Num x = unpack(a), y = unpack(b);
    int32_t d = x.e - y.e;
    if (d < 0) {
        // |a| < |b|: FPREM keeps a; FPREM1 may round the quotient to 1.
        if (!ieee || d < -1) return res;
    }
    bool partial = false;
    if (d >= 64) {
        // A partial remainder: reduce by b * 2^(d - n), n in 32..63.
        d = 32 + (d - 64) % 32;
        partial = true;
    }
    // |a| = x.sig * 2^(x.e-63), |b| = y.sig * 2^(y.e-63): with the same scale
    // 2^(x.e-d-63), a = x.sig * 2^d units, b = y.sig units.
    u128 num = d >= 0 ? u128{x.sig} << d : u128{x.sig};
    u128 den = d >= 0 ? u128{y.sig} : u128{y.sig} << 1;
    u128 q = num / den, r = num % den;
    bool neg = x.s;
    if (ieee && !partial) {
        const u128 twice = r << 1;
        if (twice > den || (twice == den && (q & 1))) {
            ++q;
            r = den - r;
            neg = !neg;
        }
    }
    res.q = static_cast<unsigned>(q & 7);
    res.complete = !partial;
    const int32_t scale_e = d >= 0 ? x.e - d : x.e;   // r counts units of 2^(scale_e - 63)
    if (r == 0) {
        res.r = zero(x.s);
        return res;
    }
    res.r = round64(neg, scale_e + 64, r, env);
    return res;
}

Order compare(F80 a, F80 b, Env& env, bool quiet_cmp) {
    const Class ka = classify(a), kb = classify(b);
    if (ka == Class::Unsupported || kb == Class::Unsupported || ka == Class::SNaN || kb == Class::SNaN) {
        env.raise(sw::IE);
        return Order::Unordered;
    }
    if (ka == Class::QNaN || kb == Class::QNaN) {
        if (!quiet_cmp) env.raise(sw::IE);
        return Order::Unordered;
    }
    denormal_check(ka, kb, env);
    if (ka == Class::Zero && kb == Class::Zero) return Order::Equal;
    auto key = [](F80 v, Class k) {   // a total order key for non-NaN values
        if (k == Class::Zero) return std::pair<bool, u128>{false, 0};
        u128 mag;
        if (k == Class::Inf) mag = ~u128{0};
        else {
            const Num n = unpack(v);
            mag = (u128(static_cast<uint32_t>(n.e + 100000)) << 64) | n.sig;
        }
        return std::pair<bool, u128>{v.sign(), mag};
    };
    const auto [sa, ma] = key(a, ka);
    const auto [sb, mb] = key(b, kb);
    auto less = [](bool s1, u128 m1, bool s2, u128 m2) {
        if (m1 == 0 && m2 == 0) return false;
        if (s1 != s2) return s1;
        return s1 ? m1 > m2 : m1 < m2;
    };
    if (less(sa, ma, sb, mb)) return Order::Less;
    if (less(sb, mb, sa, ma)) return Order::Greater;
    return Order::Equal;
}

// ---- conversions

namespace {
template <int kFrac, int kExpBits, class U> F80 load_binary(U v, Env& env) {
    constexpr int kB = (1 << (kExpBits - 1)) - 1;
    constexpr int kMax = (1 << kExpBits) - 1;
    const bool s = (v >> (kFrac + kExpBits)) & 1;
    const int ex = static_cast<int>((v >> kFrac) & kMax);
    const uint64_t frac = static_cast<uint64_t>(v) & ((uint64_t{1} << kFrac) - 1);
    if (ex == kMax) {
        if (frac == 0) return inf(s);
        const uint64_t sig = kJ | (frac << (63 - kFrac));
        if (!(sig & kQuietBit)) env.raise(sw::IE);
        return make(s, 0x7fff, sig | kQuietBit);
    }
    if (ex == 0) {
        if (frac == 0) return zero(s);
        env.raise(sw::DE);
        const int lz = __builtin_clzll(frac);
        // value = frac * 2^(1 - kB - kFrac)
        return make(s, static_cast<uint16_t>(kBias + (1 - kB - kFrac) + (63 - lz)), frac << lz);
    }
    return make(s, static_cast<uint16_t>(ex - kB + kBias), kJ | (frac << (63 - kFrac)));
}

template <int kFrac, int kExpBits> uint64_t store_binary(F80 a, Env& env, Fmt f) {
    constexpr int kB = (1 << (kExpBits - 1)) - 1;
    constexpr uint64_t kMax = (1u << kExpBits) - 1;
    const uint64_t sbit = uint64_t{a.sign()} << (kFrac + kExpBits);
    const uint64_t infv = sbit | (kMax << kFrac);
    switch (classify(a)) {
    case Class::Zero: return sbit;
    case Class::Inf: return infv;
    case Class::Unsupported:
        env.raise(sw::IE);
        return (uint64_t{1} << (kFrac + kExpBits)) | (kMax << kFrac) | (uint64_t{1} << (kFrac - 1));
    case Class::SNaN: case Class::QNaN:
        if (classify(a) == Class::SNaN) env.raise(sw::IE);
        return infv | (uint64_t{1} << (kFrac - 1)) | ((a.sig << 1) >> (64 - kFrac));
    default: break;
    }
    const Num x = unpack(a);
    const Rounded r = round_to(x.s, x.e, wide(x.sig), f, env, 0);
    if (!r.ok) return 0;
    if (r.e > f.emax) return infv;
    if (r.sig == 0) return sbit;
    const uint64_t frac = (r.sig << 1) >> (64 - kFrac);
    const uint64_t ex = (r.sig & kJ) ? static_cast<uint64_t>(r.e + kB) : 0;
    return sbit | (ex << kFrac) | frac;
}
} // namespace

F80 from_f32(uint32_t v, Env& env) { return load_binary<23, 8>(v, env); }
F80 from_f64(uint64_t v, Env& env) { return load_binary<52, 11>(v, env); }
uint32_t to_f32(F80 a, Env& env) { return static_cast<uint32_t>(store_binary<23, 8>(a, env, kF32)); }
uint64_t to_f64(F80 a, Env& env) { return store_binary<52, 11>(a, env, kF64); }

int64_t to_int(F80 a, unsigned bits, Env& env, bool truncate) {
    const int64_t indefinite = static_cast<int64_t>(~0ull << (bits - 1));
    const Class k = classify(a);
    if (k == Class::Zero) return 0;
    if (k != Class::Normal && k != Class::Denormal) {
        env.raise(sw::IE);
        return indefinite;
    }
    const Num x = unpack(a);
    u128 q = 0;
    bool inexact = true, up = false;
    if (x.e < 64) q = round_shift(u128{x.sig}, 63 - x.e, x.s, truncate ? Zero : env.rc(), inexact, up);
    const u128 limit = u128{1} << (bits - 1);   // magnitude bound: 2^(bits-1) - 1, or 2^(bits-1) negative
    if (x.e >= 64 || q > limit || (q == limit && !x.s)) {
        env.raise(sw::IE);
        return indefinite;
    }
    if (inexact) env.raise(sw::PE);
    if (up) env.raise(sw::C1);
    const uint64_t m = static_cast<uint64_t>(q);
    return x.s ? static_cast<int64_t>(0 - m) : static_cast<int64_t>(m);
}

F80 from_bcd(const uint8_t bcd[10]) {
    uint64_t v = 0;
    for (int k = 8; k >= 0; --k) v = v * 100 + (bcd[k] >> 4) * 10 + (bcd[k] & 15);
    const bool s = bcd[9] & 0x80;
    F80 r = from_int(static_cast<int64_t>(v));
    if (s) r.se |= 0x8000;
    return r;
}

bool to_bcd(F80 a, Env& env, uint8_t bcd[10]) {
    const Class k = classify(a);
    uint64_t m = 0;
    if (k != Class::Zero) {
        if (k != Class::Normal && k != Class::Denormal) return env.raise(sw::IE), false;
        const Num x = unpack(a);
        bool inexact = true, up = false;
        u128 q = 0;
        if (x.e < 64) q = round_shift(u128{x.sig}, 63 - x.e, x.s, env.rc(), inexact, up);
        if (x.e >= 64 || q > 999999999999999999ull) return env.raise(sw::IE), false;
        if (inexact) env.raise(sw::PE);
        if (up) env.raise(sw::C1);
        m = static_cast<uint64_t>(q);
    }
    for (int j = 0; j < 9; ++j) {
        const unsigned lo = static_cast<unsigned>(m % 10);
        m /= 10;
        const unsigned hi = static_cast<unsigned>(m % 10);
        m /= 10;
        bcd[j] = static_cast<uint8_t>(hi << 4 | lo);
    }
    bcd[9] = a.sign() ? 0x80 : 0;
    return true;
}

F80 constant(Const k, unsigned rc) {
    // Significand (64 bits), exponent, and whether the dropped tail is above
    // half (true) or below (false) an ulp; no constant has a tail of exactly half.
    struct C {
        uint64_t sig;
        uint16_t exp;
        bool tail_above_half;
    };
    static constexpr C kC[] = {
        {kJ, 0x3fff, false},                         // 1
        {0xd49a784bcd1b8afeull, 0x4000, false},      // log2(10)
        {0xb8aa3b295c17f0bbull, 0x3fff, true},       // log2(e)
        {0xc90fdaa22168c234ull, 0x4000, true},       // pi
        {0x9a209a84fbcff798ull, 0x3ffd, true},       // log10(2)
        {0xb17217f7d1cf79abull, 0x3ffe, true},       // ln(2)
    };
    if (k == Const::Zero) return zero(false);
    const C& c = kC[static_cast<unsigned>(k)];
    uint64_t sig = c.sig;
    const bool exact = k == Const::One;
    if (!exact && (rc == Up || (rc == Nearest && c.tail_above_half))) ++sig;
    return make(false, c.exp, sig);
}

} // namespace hvemu::x86::x87
