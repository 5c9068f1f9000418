// SSE2 packed integer instructions on XMM registers (insn_sse_int.def):
// element-wise arithmetic, compares and logic, shifts, packs, unpacks and
// shuffles, word insert/extract, MASKMOVDQU; and CLFLUSH. No MXCSR
// involvement; memory operands are an aligned m128 unless noted.
#include <algorithm>
#include <limits>
#include <type_traits>

#include "isa/x86/sse.hpp"

namespace hvemu::x86 {

using namespace x;
using namespace sse;

namespace {

// dst = Op(dst, src) for every element of type T.
template <class T, T (*Op)(T, T)> uint64_t each(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY(load128(c, i, rip, s));
    V128 d = xmm_get(c, i.reg);
    for (unsigned k = 0; k < 16 / sizeof(T); ++k) d.set<T>(k, Op(d.get<T>(k), s.get<T>(k)));
    xmm_put(c, i.reg, d);
    return NEXT;
}
// dst = Fn(dst, src) on the whole register.
template <class Fn> uint64_t whole(Core& c, const Insn& i, uint64_t rip, Fn fn) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY(load128(c, i, rip, s));
    xmm_put(c, i.reg, fn(xmm_get(c, i.reg), s));
    return NEXT;
}

template <class T> T add(T a, T b) { return T(a + b); }
template <class T> T sub(T a, T b) { return T(a - b); }
// Saturating add/subtract: S is the signed or unsigned element type, the
// sum is formed in int32 and clamped to S's range.
template <class T, class S> T sat(int32_t v) {
    return T(S(std::clamp<int32_t>(v, std::numeric_limits<S>::min(), std::numeric_limits<S>::max())));
}
template <class T, class S> T adds(T a, T b) { return sat<T, S>(int32_t(S(a)) + int32_t(S(b))); }
template <class T, class S> T subs(T a, T b) { return sat<T, S>(int32_t(S(a)) - int32_t(S(b))); }
uint16_t mullo(uint16_t a, uint16_t b) { return uint16_t(uint32_t(a) * b); }
uint16_t mulhi_s(uint16_t a, uint16_t b) { return uint16_t(uint32_t(int32_t(int16_t(a)) * int16_t(b)) >> 16); }
uint16_t mulhi_u(uint16_t a, uint16_t b) { return uint16_t((uint32_t(a) * b) >> 16); }
uint64_t mul_udq(uint64_t a, uint64_t b) { return (a & 0xffffffffu) * (b & 0xffffffffu); }
template <class T> T avg(T a, T b) { return T((uint32_t(a) + b + 1) >> 1); }
template <class T, class S> T min(T a, T b) { return S(a) < S(b) ? a : b; }
template <class T, class S> T max(T a, T b) { return S(a) > S(b) ? a : b; }
uint64_t and_(uint64_t a, uint64_t b) { return a & b; }
uint64_t andn(uint64_t a, uint64_t b) { return ~a & b; }
uint64_t or_(uint64_t a, uint64_t b) { return a | b; }
template <class T> T eq(T a, T b) { return a == b ? T(~T(0)) : T(0); }
template <class T, class S> T gt(T a, T b) { return S(a) > S(b) ? T(~T(0)) : T(0); }

// Shifts of every T element by `n`: counts past the element width give 0,
// or (arithmetic) copies of the sign bit.
enum class Shift : uint8_t { Left, Right, Arith };
template <class T, Shift kDir> V128 shift(V128 d, uint64_t n) {
    constexpr unsigned kBits = sizeof(T) * 8;
    using S = std::make_signed_t<T>;
    for (unsigned k = 0; k < 16 / sizeof(T); ++k) {
        const T v = d.get<T>(k);
        T r;
        if (kDir == Shift::Arith) r = T(S(v) >> std::min<uint64_t>(n, kBits - 1));
        else if (n >= kBits) r = 0;
        else r = kDir == Shift::Left ? T(v << n) : T(v >> n);
        d.set<T>(k, r);
    }
    return d;
}
// By the low quadword of xmm/m128.
template <class T, Shift kDir> uint64_t shift_x(Core& c, const Insn& i, uint64_t rip) {
    return whole(c, i, rip, [](V128 d, V128 s) { return shift<T, kDir>(d, s.q[0]); });
}
// By imm8 (the register is ModRM.rm).
template <class T, Shift kDir> uint64_t shift_i(Core& c, const Insn& i, uint64_t rip) {
    X86_TRY(sse_ok(c));
    xmm_put(c, i.rm, shift<T, kDir>(xmm_get(c, i.rm), uint8_t(i.imm)));
    return NEXT;
}

// Interleave the low (kHigh: high) halves' elements: d0 s0 d1 s1 ...
template <class T, bool kHigh> V128 interleave(V128 d, V128 s) {
    constexpr unsigned n = 8 / sizeof(T), base = kHigh ? n : 0;
    V128 r;
    for (unsigned k = 0; k < n; ++k) {
        r.set<T>(2 * k, d.get<T>(base + k));
        r.set<T>(2 * k + 1, s.get<T>(base + k));
    }
    return r;
}
template <class T, bool kHigh> uint64_t unpack(Core& c, const Insn& i, uint64_t rip) {
    return whole(c, i, rip, interleave<T, kHigh>);
}
// Narrow the signed elements of d then s (type W) to type N, saturating
// to the range of S (signed or unsigned).
template <class W, class N, class S> V128 narrow(V128 d, V128 s) {
    constexpr unsigned n = 16 / sizeof(W);
    V128 r;
    for (unsigned k = 0; k < n; ++k) {
        r.set<N>(k, N(S(std::clamp<int32_t>(int32_t(std::make_signed_t<W>(d.get<W>(k))), std::numeric_limits<S>::min(),
                                            std::numeric_limits<S>::max()))));
        r.set<N>(n + k, N(S(std::clamp<int32_t>(int32_t(std::make_signed_t<W>(s.get<W>(k))),
                                                std::numeric_limits<S>::min(), std::numeric_limits<S>::max()))));
    }
    return r;
}

// PSHUFD/PSHUFHW/PSHUFLW: elements of the source chosen by imm8, two bits
// each; `first` is the first element shuffled, `count` how many, the others
// copied.
template <class T> uint64_t shuffle(Core& c, const Insn& i, uint64_t rip, unsigned first, unsigned count) {
    X86_TRY(sse_ok(c));
    V128 s;
    X86_TRY(load128(c, i, rip, s));
    V128 r = s;
    const unsigned m = static_cast<unsigned>(i.imm);
    for (unsigned k = 0; k < count; ++k) r.set<T>(first + k, s.get<T>(first + ((m >> (2 * k)) & 3)));
    xmm_put(c, i.reg, r);
    return NEXT;
}

} // namespace

// ---- add, subtract
X86_OP(paddb) { return each<uint8_t, add<uint8_t>>(c, i, rip); }
X86_OP(paddw) { return each<uint16_t, add<uint16_t>>(c, i, rip); }
X86_OP(paddd) { return each<uint32_t, add<uint32_t>>(c, i, rip); }
X86_OP(paddq) { return each<uint64_t, add<uint64_t>>(c, i, rip); }
X86_OP(psubb) { return each<uint8_t, sub<uint8_t>>(c, i, rip); }
X86_OP(psubw) { return each<uint16_t, sub<uint16_t>>(c, i, rip); }
X86_OP(psubd) { return each<uint32_t, sub<uint32_t>>(c, i, rip); }
X86_OP(psubq) { return each<uint64_t, sub<uint64_t>>(c, i, rip); }
X86_OP(paddsb) { return each<uint8_t, adds<uint8_t, int8_t>>(c, i, rip); }
X86_OP(paddsw) { return each<uint16_t, adds<uint16_t, int16_t>>(c, i, rip); }
X86_OP(paddusb) { return each<uint8_t, adds<uint8_t, uint8_t>>(c, i, rip); }
X86_OP(paddusw) { return each<uint16_t, adds<uint16_t, uint16_t>>(c, i, rip); }
X86_OP(psubsb) { return each<uint8_t, subs<uint8_t, int8_t>>(c, i, rip); }
X86_OP(psubsw) { return each<uint16_t, subs<uint16_t, int16_t>>(c, i, rip); }
X86_OP(psubusb) { return each<uint8_t, subs<uint8_t, uint8_t>>(c, i, rip); }
X86_OP(psubusw) { return each<uint16_t, subs<uint16_t, uint16_t>>(c, i, rip); }

// ---- multiply, average, min/max
X86_OP(pmullw) { return each<uint16_t, mullo>(c, i, rip); }
X86_OP(pmulhw) { return each<uint16_t, mulhi_s>(c, i, rip); }
X86_OP(pmulhuw) { return each<uint16_t, mulhi_u>(c, i, rip); }
X86_OP(pmuludq) { return each<uint64_t, mul_udq>(c, i, rip); }
// PMADDWD: each dword = the sum of two signed word products (wrapping: the
// one overflow, 0x8000 * 0x8000 * 2, gives 0x80000000).
X86_OP(pmaddwd) {
    return whole(c, i, rip, [](V128 d, V128 s) {
        V128 r;
        for (unsigned k = 0; k < 4; ++k) {
            const int32_t p0 = int32_t(int16_t(d.get<uint16_t>(2 * k))) * int16_t(s.get<uint16_t>(2 * k));
            const int32_t p1 = int32_t(int16_t(d.get<uint16_t>(2 * k + 1))) * int16_t(s.get<uint16_t>(2 * k + 1));
            r.set<uint32_t>(k, uint32_t(p0) + uint32_t(p1));
        }
        return r;
    });
}
X86_OP(pavgb) { return each<uint8_t, avg<uint8_t>>(c, i, rip); }
X86_OP(pavgw) { return each<uint16_t, avg<uint16_t>>(c, i, rip); }
// PSADBW: per quadword, the sum of the eight absolute byte differences.
X86_OP(psadbw) {
    return whole(c, i, rip, [](V128 d, V128 s) {
        V128 r{{0, 0}};
        for (unsigned k = 0; k < 16; ++k) {
            const int a = d.get<uint8_t>(k), b = s.get<uint8_t>(k);
            r.q[k / 8] += uint64_t(a > b ? a - b : b - a);
        }
        return r;
    });
}
X86_OP(pminub) { return each<uint8_t, min<uint8_t, uint8_t>>(c, i, rip); }
X86_OP(pmaxub) { return each<uint8_t, max<uint8_t, uint8_t>>(c, i, rip); }
X86_OP(pminsw) { return each<uint16_t, min<uint16_t, int16_t>>(c, i, rip); }
X86_OP(pmaxsw) { return each<uint16_t, max<uint16_t, int16_t>>(c, i, rip); }

// ---- logic, compares
X86_OP(pand) { return each<uint64_t, and_>(c, i, rip); }
X86_OP(pandn) { return each<uint64_t, andn>(c, i, rip); }
X86_OP(por) { return each<uint64_t, or_>(c, i, rip); }
X86_OP(pcmpeqw) { return each<uint16_t, eq<uint16_t>>(c, i, rip); }
X86_OP(pcmpeqd) { return each<uint32_t, eq<uint32_t>>(c, i, rip); }
X86_OP(pcmpgtb) { return each<uint8_t, gt<uint8_t, int8_t>>(c, i, rip); }
X86_OP(pcmpgtw) { return each<uint16_t, gt<uint16_t, int16_t>>(c, i, rip); }
X86_OP(pcmpgtd) { return each<uint32_t, gt<uint32_t, int32_t>>(c, i, rip); }

// ---- shifts
X86_OP(psllw) { return shift_x<uint16_t, Shift::Left>(c, i, rip); }
X86_OP(pslld) { return shift_x<uint32_t, Shift::Left>(c, i, rip); }
X86_OP(psllq) { return shift_x<uint64_t, Shift::Left>(c, i, rip); }
X86_OP(psrlw) { return shift_x<uint16_t, Shift::Right>(c, i, rip); }
X86_OP(psrld) { return shift_x<uint32_t, Shift::Right>(c, i, rip); }
X86_OP(psrlq) { return shift_x<uint64_t, Shift::Right>(c, i, rip); }
X86_OP(psraw) { return shift_x<uint16_t, Shift::Arith>(c, i, rip); }
X86_OP(psrad) { return shift_x<uint32_t, Shift::Arith>(c, i, rip); }
X86_OP(psllw_i) { return shift_i<uint16_t, Shift::Left>(c, i, rip); }
X86_OP(pslld_i) { return shift_i<uint32_t, Shift::Left>(c, i, rip); }
X86_OP(psllq_i) { return shift_i<uint64_t, Shift::Left>(c, i, rip); }
X86_OP(psrlw_i) { return shift_i<uint16_t, Shift::Right>(c, i, rip); }
X86_OP(psrld_i) { return shift_i<uint32_t, Shift::Right>(c, i, rip); }
X86_OP(psrlq_i) { return shift_i<uint64_t, Shift::Right>(c, i, rip); }
X86_OP(psraw_i) { return shift_i<uint16_t, Shift::Arith>(c, i, rip); }
X86_OP(psrad_i) { return shift_i<uint32_t, Shift::Arith>(c, i, rip); }
// PSLLDQ/PSRLDQ: the whole register by imm8 bytes (16 or more: zero).
X86_OP(pslldq_i) {
    X86_TRY(sse_ok(c));
    const unsigned n = std::min<unsigned>(uint8_t(i.imm), 16);
    const V128 s = xmm_get(c, i.rm);
    V128 r{{0, 0}};
    for (unsigned k = n; k < 16; ++k) r.set<uint8_t>(k, s.get<uint8_t>(k - n));
    xmm_put(c, i.rm, r);
    return NEXT;
}
X86_OP(psrldq_i) {
    X86_TRY(sse_ok(c));
    const unsigned n = std::min<unsigned>(uint8_t(i.imm), 16);
    const V128 s = xmm_get(c, i.rm);
    V128 r{{0, 0}};
    for (unsigned k = 0; k + n < 16; ++k) r.set<uint8_t>(k, s.get<uint8_t>(k + n));
    xmm_put(c, i.rm, r);
    return NEXT;
}

// ---- unpacks, packs, shuffles
X86_OP(punpcklbw) { return unpack<uint8_t, false>(c, i, rip); }
X86_OP(punpcklwd) { return unpack<uint16_t, false>(c, i, rip); }
X86_OP(punpckldq) { return unpack<uint32_t, false>(c, i, rip); }
X86_OP(punpcklqdq) { return unpack<uint64_t, false>(c, i, rip); }
X86_OP(punpckhbw) { return unpack<uint8_t, true>(c, i, rip); }
X86_OP(punpckhwd) { return unpack<uint16_t, true>(c, i, rip); }
X86_OP(punpckhdq) { return unpack<uint32_t, true>(c, i, rip); }
X86_OP(punpckhqdq) { return unpack<uint64_t, true>(c, i, rip); }
X86_OP(packsswb) { return whole(c, i, rip, narrow<uint16_t, uint8_t, int8_t>); }
X86_OP(packssdw) { return whole(c, i, rip, narrow<uint32_t, uint16_t, int16_t>); }
X86_OP(packuswb) { return whole(c, i, rip, narrow<uint16_t, uint8_t, uint8_t>); }
X86_OP(pshufd) { return shuffle<uint32_t>(c, i, rip, 0, 4); }
X86_OP(pshuflw) { return shuffle<uint16_t>(c, i, rip, 0, 4); }
X86_OP(pshufhw) { return shuffle<uint16_t>(c, i, rip, 4, 4); }

// PINSRW: word imm8[2:0] from r32/m16. PEXTRW: that word, zero-extended.
X86_OP(pinsrw) {
    X86_TRY(sse_ok(c));
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, kSz16));
    V128 d = xmm_get(c, i.reg);
    d.set<uint16_t>(i.imm & 7, uint16_t(v));
    xmm_put(c, i.reg, d);
    return NEXT;
}
X86_OP(pextrw) {
    X86_TRY(sse_ok(c));
    set_reg(c, i, i.reg, i.opsz == kSz64 ? kSz64 : kSz32, xmm_get(c, i.rm).get<uint16_t>(i.imm & 7));
    return NEXT;
}

// MASKMOVDQU: the bytes of xmm1 whose mask byte in xmm2 has its top bit
// set, stored to DS:rDI (segment override allowed) in ascending order.
X86_OP(maskmovdqu) {
    X86_TRY(sse_ok(c));
    const V128 v = xmm_get(c, i.reg), m = xmm_get(c, i.rm);
    const auto s = static_cast<SegReg>(i.seg);
    const uint64_t base = c.gpr[7] & mask(i.adsz);
    for (unsigned k = 0; k < 16; ++k)
        if (m.get<uint8_t>(k) & 0x80) X86_TRY(c.store(s, (base + k) & mask(i.adsz), v.get<uint8_t>(k)));
    return NEXT;
}

// CLFLUSH: no cache to flush; the address is checked as a byte read would
// be (segment limit, page fault), without reading it.
X86_OP(clflush) {
    uint64_t lin;
    X86_TRY(c.seg_linear(static_cast<SegReg>(i.seg), ea(c, i, rip), 1, Access::Read, lin));
    const Translation t = c.translate(lin, Access::Read, c.cpl == 3);
    if (!t.ok()) return c.raise_translation_fault(t, lin);
    return NEXT;
}

} // namespace hvemu::x86
