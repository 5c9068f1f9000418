// SSE/SSE2 conversions (insn_sse_arith.def): between single and double
// precision, between floating point and 32/64-bit integers, packed and
// scalar. Out-of-range and NaN values give the integer indefinite
// (0x80000000, 0x8000000000000000) with IE; the T forms truncate, the
// others round by MXCSR.RC.
#include "isa/x86/sse.hpp"

namespace hvemu::x86 {

using namespace x;
using namespace sse;

namespace {

namespace fp = isa::fp;
using fp::F32;
using fp::F64;
constexpr fp::Rules kR = fp::kX86SseRules;

// ---- one element

uint64_t s2d(FpEnv& e, uint32_t a) {
    a = e.in<F32>(a);
    uint32_t fl = 0;
    const uint64_t r = fp::f32_to_f64<kR>(a, fl);
    return e.post<F64>(r, fl, F32::is_subnormal(a), F32::is_nan(a));
}
uint32_t d2s(FpEnv& e, uint64_t a) {
    a = e.in<F64>(a);
    uint32_t fl = 0;
    const uint32_t r = fp::f64_to_f32<kR>(a, e.rmode, fl);
    return e.post<F32>(r, fl, F64::is_subnormal(a), F64::is_nan(a));
}
template <class F> typename F::U from_int(FpEnv& e, int64_t v) {
    uint32_t fl = 0;
    const typename F::U r = fp::from_i64<F, kR>(v, e.rmode, fl);
    return e.post<F>(r, fl, false, false);
}
// To a 32- or 64-bit integer; kTruncate: toward zero whatever RC says.
template <class F, bool kTruncate> uint64_t to_int(FpEnv& e, typename F::U a, bool wide) {
    a = e.in<F>(a);
    uint32_t fl = 0;
    const uint8_t rm = kTruncate ? fp::round::ToZero : e.rmode;
    const uint64_t r = wide ? fp::to_i64<F, kR>(a, rm, fl) : fp::to_i32<F, kR>(a, rm, fl);
    e.post<F>(0, fl, false, false);
    return wide ? r : (r & 0xffffffffu);
}

// The destination after a conversion: committed unless an unmasked
// exception traps.
uint64_t finish(Core& c, const Insn& i, uint64_t rip, const FpEnv& e, const V128& d) {
    X86_TRY(commit(c, e.flags));
    xmm_put(c, i.reg, d);
    return NEXT;
}

// CVT(T)SS2SI / CVT(T)SD2SI: xmm/m32 (m64) to r32 (r64 with REX.W).
template <class F, bool kTruncate> uint64_t scalar_to_gpr(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY(load_low(c, i, rip, sizeof(typename F::U), s));
    FpEnv e(c.mxcsr);
    const bool wide = i.opsz == kSz64;
    const uint64_t r = to_int<F, kTruncate>(e, s.get<typename F::U>(0), wide);
    X86_TRY(commit(c, e.flags));
    set_reg(c, i, i.reg, wide ? kSz64 : kSz32, r);
    return NEXT;
}
// CVTSI2SS/SD: r/m32 (r/m64 with REX.W) into lane 0.
template <class F> uint64_t gpr_to_scalar(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    const bool wide = i.opsz == kSz64;
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, wide ? kSz64 : kSz32));
    FpEnv e(c.mxcsr);
    V128 d = xmm_get(c, i.reg);
    d.set<typename F::U>(0, from_int<F>(e, wide ? int64_t(v) : int64_t(int32_t(uint32_t(v)))));
    return finish(c, i, rip, e, d);
}
// CVTPS2DQ / CVTTPS2DQ: four singles to four int32.
template <bool kTruncate> uint64_t ps2dq(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    V128 s, d;
    X86_TRY(load128(c, i, rip, s));
    FpEnv e(c.mxcsr);
    for (unsigned k = 0; k < 4; ++k)
        d.set<uint32_t>(k, uint32_t(to_int<F32, kTruncate>(e, s.get<uint32_t>(k), false)));
    return finish(c, i, rip, e, d);
}
// CVTPD2DQ / CVTTPD2DQ: two doubles to two int32, the high half zeroed.
template <bool kTruncate> uint64_t pd2dq(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    V128 s, d{{0, 0}};
    X86_TRY(load128(c, i, rip, s));
    FpEnv e(c.mxcsr);
    for (unsigned k = 0; k < 2; ++k) d.set<uint32_t>(k, uint32_t(to_int<F64, kTruncate>(e, s.q[k], false)));
    return finish(c, i, rip, e, d);
}

} // namespace

X86_OP(cvtss2si) { return scalar_to_gpr<F32, false>(c, i, rip); }
X86_OP(cvttss2si) { return scalar_to_gpr<F32, true>(c, i, rip); }
X86_OP(cvtsd2si) { return scalar_to_gpr<F64, false>(c, i, rip); }
X86_OP(cvttsd2si) { return scalar_to_gpr<F64, true>(c, i, rip); }
X86_OP(cvtsi2ss) { return gpr_to_scalar<F32>(c, i, rip); }
X86_OP(cvtsi2sd) { return gpr_to_scalar<F64>(c, i, rip); }
X86_OP(cvtps2dq) { return ps2dq<false>(c, i, rip); }
X86_OP(cvttps2dq) { return ps2dq<true>(c, i, rip); }
X86_OP(cvtpd2dq) { return pd2dq<false>(c, i, rip); }
X86_OP(cvttpd2dq) { return pd2dq<true>(c, i, rip); }

// CVTDQ2PS: four int32 to four singles (rounded by RC).
X86_OP(cvtdq2ps) {
    X86_TRY(sse_ok(c));
    V128 s, d;
    X86_TRY(load128(c, i, rip, s));
    FpEnv e(c.mxcsr);
    for (unsigned k = 0; k < 4; ++k) d.set<uint32_t>(k, from_int<F32>(e, int32_t(s.get<uint32_t>(k))));
    return finish(c, i, rip, e, d);
}
// CVTDQ2PD: the low two int32 (xmm or m64) to two doubles, exactly.
X86_OP(cvtdq2pd) {
    X86_TRY(sse_ok(c));
    V128 s, d;
    X86_TRY(load_low(c, i, rip, 8, s));
    FpEnv e(c.mxcsr);
    for (unsigned k = 0; k < 2; ++k) d.q[k] = from_int<F64>(e, int32_t(s.get<uint32_t>(k)));
    return finish(c, i, rip, e, d);
}
// CVTPS2PD: the low two singles (xmm or m64) to two doubles.
X86_OP(cvtps2pd) {
    X86_TRY(sse_ok(c));
    V128 s, d;
    X86_TRY(load_low(c, i, rip, 8, s));
    FpEnv e(c.mxcsr);
    for (unsigned k = 0; k < 2; ++k) d.q[k] = s2d(e, s.get<uint32_t>(k));
    return finish(c, i, rip, e, d);
}
// CVTPD2PS: two doubles to the low two singles, the high half zeroed.
X86_OP(cvtpd2ps) {
    X86_TRY(sse_ok(c));
    V128 s, d{{0, 0}};
    X86_TRY(load128(c, i, rip, s));
    FpEnv e(c.mxcsr);
    for (unsigned k = 0; k < 2; ++k) d.set<uint32_t>(k, d2s(e, s.q[k]));
    return finish(c, i, rip, e, d);
}
// CVTSS2SD / CVTSD2SS: lane 0; the rest of the destination is kept.
X86_OP(cvtss2sd) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY(load_low(c, i, rip, 4, s));
    FpEnv e(c.mxcsr);
    V128 d = xmm_get(c, i.reg);
    d.q[0] = s2d(e, s.get<uint32_t>(0));
    return finish(c, i, rip, e, d);
}
X86_OP(cvtsd2ss) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY(load_low(c, i, rip, 8, s));
    FpEnv e(c.mxcsr);
    V128 d = xmm_get(c, i.reg);
    d.set<uint32_t>(0, d2s(e, s.q[0]));
    return finish(c, i, rip, e, d);
}

} // namespace hvemu::x86
