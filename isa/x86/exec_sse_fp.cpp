// SSE/SSE2 floating-point arithmetic, approximations, compares, logic and
// shuffles (insn_sse_arith.def). Lanes go through the shared soft-float
// under x86's rules (first NaN operand quietened, the negative default NaN,
// tininess after rounding) with MXCSR's rounding, DAZ and FZ; the flags of
// all lanes are committed, or trapped on, once (sse.hpp).
#include "isa/x86/sse.hpp"

namespace hvemu::x86 {

using namespace x;
using namespace sse;

namespace {

namespace fp = isa::fp;
using fp::F32;
using fp::F64;
constexpr fp::Rules kR = fp::kX86SseRules;
template <class F> using U = typename F::U;
template <class F> using LaneFn = U<F> (*)(FpEnv&, U<F>, U<F>);
template <class F> using SoftOp = U<F> (*)(U<F>, U<F>, uint8_t, uint32_t&);

// ---- one lane: d is the destination's element, s the source's

template <class F, SoftOp<F> Op> U<F> arith(FpEnv& e, U<F> d, U<F> s) {
    d = e.in<F>(d);
    s = e.in<F>(s);
    uint32_t fl = 0;
    const U<F> r = Op(d, s, e.rmode, fl);
    return e.post<F>(r, fl, F::is_subnormal(d) || F::is_subnormal(s), F::is_nan(d) || F::is_nan(s));
}
template <class F> U<F> square_root(FpEnv& e, U<F>, U<F> s) {
    s = e.in<F>(s);
    uint32_t fl = 0;
    const U<F> r = fp::sqrt<F, kR>(s, e.rmode, fl);
    return e.post<F>(r, fl, F::is_subnormal(s), F::is_nan(s));
}
// MIN/MAX: d < s ? d : s (d > s ? d : s). Any NaN is invalid and, like
// two zeros of either sign, gives the source operand.
template <class F, bool kMax> U<F> min_max(FpEnv& e, U<F> d, U<F> s) {
    d = e.in<F>(d);
    s = e.in<F>(s);
    uint32_t fl = 0;
    const fp::Relation r = fp::compare<F>(d, s, true, fl);
    e.post<F>(0, fl, F::is_subnormal(d) || F::is_subnormal(s), F::is_nan(d) || F::is_nan(s));
    return r == (kMax ? fp::Relation::Greater : fp::Relation::Less) ? d : s;
}

// RCP/RSQRT single precision: no flags, no exceptions, denormal inputs read
// as zero and tiny results flush to zero (SDM). Intel's tables are not
// published: the result is the correctly rounded value rounded again to
// 12 significant bits, relative error below 2^-12 + 2^-24 (the SDM allows
// 1.5 * 2^-12), the same on every host.
uint32_t round12(uint32_t v) { return (v + 0x800) & ~0xfffu; }
constexpr uint32_t kOne32 = 0x3f800000;
uint32_t reciprocal(FpEnv&, uint32_t, uint32_t s) {
    const uint32_t sign = s & F32::kSign;
    if (F32::is_nan(s)) return s | F32::kQuiet;
    if (F32::exp(s) == 0) return sign | F32::kInf;
    if (F32::is_inf(s)) return sign;
    uint32_t fl = 0;
    const uint32_t r = fp::div<F32, kR>(kOne32, s & ~F32::kSign, fp::round::NearEven, fl);
    return sign | (F32::exp(r) == 0 ? 0 : round12(r));
}
uint32_t reciprocal_sqrt(FpEnv&, uint32_t, uint32_t s) {
    const uint32_t sign = s & F32::kSign;
    if (F32::is_nan(s)) return s | F32::kQuiet;
    if (F32::exp(s) == 0) return sign | F32::kInf;
    if (sign) return fp::default_nan<F32, kR>();
    if (F32::is_inf(s)) return 0;
    uint32_t fl = 0;
    const uint32_t root = fp::sqrt<F32, kR>(s, fp::round::NearEven, fl);
    return round12(fp::div<F32, kR>(kOne32, root, fp::round::NearEven, fl));
}

// ---- whole instructions

// The source operand: 16 bytes (packed, aligned in memory) or one element.
template <class F, bool kPacked> bool source(Core& c, const Insn& i, uint64_t rip, V128& s) {
    if constexpr (kPacked) return load128(c, i, rip, s);
    else return load_low(c, i, rip, sizeof(U<F>), s);
}

// Packed: every lane, the source an aligned m128. Scalar: lane 0, the
// source m32/m64; the destination's other lanes are kept.
template <class F, bool kPacked, LaneFn<F> Op> uint64_t lanes(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY((source<F, kPacked>(c, i, rip, s)));
    V128 d = xmm_get(c, i.reg);
    FpEnv e(c.mxcsr);
    constexpr unsigned n = kPacked ? 16 / sizeof(U<F>) : 1;
    for (unsigned k = 0; k < n; ++k) d.set<U<F>>(k, Op(e, d.get<U<F>>(k), s.get<U<F>>(k)));
    X86_TRY(commit(c, e.flags));
    xmm_put(c, i.reg, d);
    return NEXT;
}

// CMPccPS/PD/SS/SD: imm8[2:0] is the predicate EQ LT LE UNORD NEQ NLT NLE
// ORD; LT/LE and their negations signal on QNaN operands too.
template <class F, bool kPacked> uint64_t cmp(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY((source<F, kPacked>(c, i, rip, s)));
    V128 d = xmm_get(c, i.reg);
    FpEnv e(c.mxcsr);
    const unsigned pred = static_cast<unsigned>(i.imm) & 7;
    const bool signaling = pred == 1 || pred == 2 || pred == 5 || pred == 6;
    constexpr unsigned n = kPacked ? 16 / sizeof(U<F>) : 1;
    for (unsigned k = 0; k < n; ++k) {
        const U<F> a = e.in<F>(d.get<U<F>>(k)), b = e.in<F>(s.get<U<F>>(k));
        uint32_t fl = 0;
        const fp::Relation r = fp::compare<F>(a, b, signaling, fl);
        e.post<F>(0, fl, F::is_subnormal(a) || F::is_subnormal(b), F::is_nan(a) || F::is_nan(b));
        bool t;
        switch (pred & 3) {
        case 0: t = r == fp::Relation::Equal; break;
        case 1: t = r == fp::Relation::Less; break;
        case 2: t = r == fp::Relation::Less || r == fp::Relation::Equal; break;
        default: t = r == fp::Relation::Unordered; break;
        }
        if (pred & 4) t = !t;
        d.set<U<F>>(k, t ? U<F>(~U<F>(0)) : U<F>(0));
    }
    X86_TRY(commit(c, e.flags));
    xmm_put(c, i.reg, d);
    return NEXT;
}

// (U)COMISS/SD: ZF PF CF = 111 unordered, 000 greater, 001 less, 100
// equal; OF SF AF cleared. COMIS signals on QNaN operands, UCOMIS does not.
template <class F, bool kSignaling> uint64_t comis(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY(load_low(c, i, rip, sizeof(U<F>), s));
    FpEnv e(c.mxcsr);
    const U<F> a = e.in<F>(xmm_get(c, i.reg).get<U<F>>(0)), b = e.in<F>(s.get<U<F>>(0));
    uint32_t fl = 0;
    const fp::Relation r = fp::compare<F>(a, b, kSignaling, fl);
    e.post<F>(0, fl, F::is_subnormal(a) || F::is_subnormal(b), F::is_nan(a) || F::is_nan(b));
    X86_TRY(commit(c, e.flags));
    uint64_t f = 0;
    switch (r) {
    case fp::Relation::Unordered: f = rflags::ZF | rflags::PF | rflags::CF; break;
    case fp::Relation::Less: f = rflags::CF; break;
    case fp::Relation::Equal: f = rflags::ZF; break;
    case fp::Relation::Greater: break;
    }
    set_status(c, f);
    return NEXT;
}

// Bitwise and register-shuffling forms: no MXCSR involvement.
template <class Fn> uint64_t whole(Core& c, const Insn& i, uint64_t rip, Fn fn) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY(load128(c, i, rip, s));
    V128 d = xmm_get(c, i.reg);
    xmm_put(c, i.reg, fn(d, s));
    return NEXT;
}

} // namespace

#define X86_FP4(name, Op)                                                                       \
    X86_OP(name##ps) { return lanes<F32, true, Op<F32>>(c, i, rip); }                           \
    X86_OP(name##pd) { return lanes<F64, true, Op<F64>>(c, i, rip); }                           \
    X86_OP(name##ss) { return lanes<F32, false, Op<F32>>(c, i, rip); }                          \
    X86_OP(name##sd) { return lanes<F64, false, Op<F64>>(c, i, rip); }
template <class F> constexpr LaneFn<F> kAdd = arith<F, fp::add<F, kR>>;
template <class F> constexpr LaneFn<F> kSub = arith<F, fp::sub<F, kR>>;
template <class F> constexpr LaneFn<F> kMul = arith<F, fp::mul<F, kR>>;
template <class F> constexpr LaneFn<F> kDiv = arith<F, fp::div<F, kR>>;
template <class F> constexpr LaneFn<F> kMin = min_max<F, false>;
template <class F> constexpr LaneFn<F> kMax = min_max<F, true>;
template <class F> constexpr LaneFn<F> kSqrt = square_root<F>;
X86_FP4(add, kAdd)
X86_FP4(sub, kSub)
X86_FP4(mul, kMul)
X86_FP4(div, kDiv)
X86_FP4(min, kMin)
X86_FP4(max, kMax)
X86_FP4(sqrt, kSqrt)
#undef X86_FP4

X86_OP(rcpps) { return lanes<F32, true, reciprocal>(c, i, rip); }
X86_OP(rcpss) { return lanes<F32, false, reciprocal>(c, i, rip); }
X86_OP(rsqrtps) { return lanes<F32, true, reciprocal_sqrt>(c, i, rip); }
X86_OP(rsqrtss) { return lanes<F32, false, reciprocal_sqrt>(c, i, rip); }

X86_OP(cmpps) { return cmp<F32, true>(c, i, rip); }
X86_OP(cmppd) { return cmp<F64, true>(c, i, rip); }
X86_OP(cmpss) { return cmp<F32, false>(c, i, rip); }
X86_OP(cmpsd) { return cmp<F64, false>(c, i, rip); }
X86_OP(comiss) { return comis<F32, true>(c, i, rip); }
X86_OP(comisd) { return comis<F64, true>(c, i, rip); }
X86_OP(ucomiss) { return comis<F32, false>(c, i, rip); }
X86_OP(ucomisd) { return comis<F64, false>(c, i, rip); }

// ---- logic (the PD forms share these lines' handlers)

X86_OP(andps) {
    return whole(c, i, rip, [](V128 d, V128 s) { return V128{{d.q[0] & s.q[0], d.q[1] & s.q[1]}}; });
}
X86_OP(andnps) {
    return whole(c, i, rip, [](V128 d, V128 s) { return V128{{~d.q[0] & s.q[0], ~d.q[1] & s.q[1]}}; });
}
X86_OP(orps) {
    return whole(c, i, rip, [](V128 d, V128 s) { return V128{{d.q[0] | s.q[0], d.q[1] | s.q[1]}}; });
}

// ---- unpacks and shuffles

X86_OP(unpcklps) {
    return whole(c, i, rip, [](V128 d, V128 s) {
        V128 r;
        r.set<uint32_t>(0, d.get<uint32_t>(0)), r.set<uint32_t>(1, s.get<uint32_t>(0));
        r.set<uint32_t>(2, d.get<uint32_t>(1)), r.set<uint32_t>(3, s.get<uint32_t>(1));
        return r;
    });
}
X86_OP(unpckhps) {
    return whole(c, i, rip, [](V128 d, V128 s) {
        V128 r;
        r.set<uint32_t>(0, d.get<uint32_t>(2)), r.set<uint32_t>(1, s.get<uint32_t>(2));
        r.set<uint32_t>(2, d.get<uint32_t>(3)), r.set<uint32_t>(3, s.get<uint32_t>(3));
        return r;
    });
}
X86_OP(unpcklpd) { return whole(c, i, rip, [](V128 d, V128 s) { return V128{{d.q[0], s.q[0]}}; }); }
X86_OP(unpckhpd) { return whole(c, i, rip, [](V128 d, V128 s) { return V128{{d.q[1], s.q[1]}}; }); }
// SHUFPS: two lanes of the destination, then two of the source, chosen by
// imm8 two bits each; SHUFPD: one bit each.
X86_OP(shufps) {
    const unsigned m = static_cast<unsigned>(i.imm);
    return whole(c, i, rip, [m](V128 d, V128 s) {
        V128 r;
        r.set<uint32_t>(0, d.get<uint32_t>(m & 3)), r.set<uint32_t>(1, d.get<uint32_t>((m >> 2) & 3));
        r.set<uint32_t>(2, s.get<uint32_t>((m >> 4) & 3)), r.set<uint32_t>(3, s.get<uint32_t>((m >> 6) & 3));
        return r;
    });
}
X86_OP(shufpd) {
    const unsigned m = static_cast<unsigned>(i.imm);
    return whole(c, i, rip, [m](V128 d, V128 s) { return V128{{d.q[m & 1], s.q[(m >> 1) & 1]}}; });
}
X86_OP(movhlps) {
    X86_TRY(sse_ok(c));
    V128 d = xmm_get(c, i.reg);
    d.q[0] = xmm_get(c, i.rm).q[1];
    xmm_put(c, i.reg, d);
    return NEXT;
}
X86_OP(movlhps) {
    X86_TRY(sse_ok(c));
    V128 d = xmm_get(c, i.reg);
    d.q[1] = xmm_get(c, i.rm).q[0];
    xmm_put(c, i.reg, d);
    return NEXT;
}
// The sign bits of the lanes, zero-extended into a general register.
X86_OP(movmskps) {
    X86_TRY(sse_ok(c));
    const V128 s = xmm_get(c, i.rm);
    uint64_t m = 0;
    for (unsigned k = 0; k < 4; ++k) m |= uint64_t{s.get<uint32_t>(k) >> 31} << k;
    set_reg(c, i, i.reg, i.opsz == kSz64 ? kSz64 : kSz32, m);
    return NEXT;
}
X86_OP(movmskpd) {
    X86_TRY(sse_ok(c));
    const V128 s = xmm_get(c, i.rm);
    set_reg(c, i, i.reg, i.opsz == kSz64 ? kSz64 : kSz32, (s.q[0] >> 63) | ((s.q[1] >> 63) << 1));
    return NEXT;
}

} // namespace hvemu::x86
