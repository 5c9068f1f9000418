// What the SSE/SSE2 handlers (exec_sse*.cpp) share: the CR0/CR4 checks,
// XMM operands as 128-bit values with typed lanes, the MXCSR fields, and
// the SIMD floating-point exception rules (flags, masks, #XM).
#pragma once
#include <cstring>

#include "isa/common/softfloat.hpp"
#include "isa/x86/exec.hpp"

namespace hvemu::x86::sse {

using namespace x;

// MXCSR fields (SDM Vol.1 10.2.3).
namespace mxcsr {
constexpr uint32_t IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4, PE = 1u << 5;
constexpr uint32_t kFlags = 0x3f;
constexpr uint32_t DAZ = 1u << 6;
constexpr unsigned kMaskShift = 7;     // IM..PM at bits 7-12, in flag order
constexpr unsigned kRcShift = 13;      // RC: 0 nearest, 1 down, 2 up, 3 toward zero
constexpr uint32_t FZ = 1u << 15;
constexpr uint32_t kWritable = 0xffff; // LDMXCSR/FXRSTOR: other bits set are #GP(0)
constexpr uint32_t kPreComputation = IE | DE | ZE;
} // namespace mxcsr

constexpr uint64_t kCr0Em = 1u << 2, kCr0Ts = 1u << 3;
constexpr uint64_t kCr4Osfxsr = 1u << 9, kCr4Osxmmexcpt = 1u << 10;
constexpr uint8_t kVectorNm = 7, kVectorXm = 19;

// CR0.EM or !CR4.OSFXSR: #UD; CR0.TS: #NM (SDM Vol.3 Table 2-3 order).
inline bool sse_ok(Core& c) {
    if ((c.cr0 & kCr0Em) || !(c.cr4 & kCr4Osfxsr)) {
        c.raise_ud();
        return false;
    }
    if (c.cr0 & kCr0Ts) {
        c.raise(kVectorNm);
        return false;
    }
    return true;
}

// A 128-bit value with lanes of any integer type (little-endian, as XMM).
struct V128 {
    uint64_t q[2];
    template <class T> T get(unsigned k) const {
        T v;
        std::memcpy(&v, reinterpret_cast<const uint8_t*>(q) + k * sizeof(T), sizeof(T));
        return v;
    }
    template <class T> void set(unsigned k, T v) {
        std::memcpy(reinterpret_cast<uint8_t*>(q) + k * sizeof(T), &v, sizeof(T));
    }
};
inline V128 xmm_get(const Core& c, unsigned r) {
    V128 v;
    std::memcpy(v.q, c.xmm[r & 15], 16);
    return v;
}
inline void xmm_put(Core& c, unsigned r, const V128& v) { std::memcpy(c.xmm[r & 15], v.q, 16); }

// The 128-bit r/m operand; a memory operand of a legacy-SSE packed
// instruction must be 16-byte aligned (#GP(0)) unless `aligned` is false.
// The memory operand's address, after the alignment rule (false: #GP(0)
// raised).
inline bool address128(Core& c, const Insn& i, uint64_t rip, bool aligned, uint64_t& a) {
    a = ea(c, i, rip);
    if (aligned && (a & 15)) {
        c.raise_gp(0);
        return false;
    }
    return true;
}
inline bool load128(Core& c, const Insn& i, uint64_t rip, bool aligned, uint64_t out[2]) {
    if (!(i.flags & iflag::Mem)) {
        std::memcpy(out, c.xmm[i.rm & 15], 16);
        return true;
    }
    uint64_t a;
    if (!address128(c, i, rip, aligned, a)) return false;
    const auto s = static_cast<SegReg>(i.seg);
    return c.load(s, a, out[0]) && c.load(s, (a + 8) & mask(i.adsz), out[1]);
}
inline bool load128(Core& c, const Insn& i, uint64_t rip, V128& out) { return load128(c, i, rip, true, out.q); }
// The same for a store to the r/m operand.
inline bool store128(Core& c, const Insn& i, uint64_t rip, bool aligned, const uint64_t v[2]) {
    if (!(i.flags & iflag::Mem)) {
        std::memcpy(c.xmm[i.rm & 15], v, 16);
        return true;
    }
    uint64_t a;
    if (!address128(c, i, rip, aligned, a)) return false;
    const auto s = static_cast<SegReg>(i.seg);
    // The high half first: a fault on it leaves memory untouched when the
    // halves are on different pages.
    return c.store(s, (a + 8) & mask(i.adsz), v[1]) && c.store(s, a, v[0]);
}
// The low `bytes` (4 or 8) of the r/m operand (XMM or memory, no alignment
// rule); the rest of `out` is zero.
inline bool load_low(Core& c, const Insn& i, uint64_t rip, unsigned bytes, V128& out) {
    out = V128{{0, 0}};
    if (!(i.flags & iflag::Mem)) {
        std::memcpy(out.q, c.xmm[i.rm & 15], bytes);
        return true;
    }
    return load_sz(c, static_cast<SegReg>(i.seg), ea(c, i, rip), bytes == 4 ? kSz32 : kSz64, out.q[0]);
}

// SIMD floating-point state for one instruction: MXCSR's controls, and the
// flags its lanes raise, committed (or trapped on) once at the end.
struct FpEnv {
    uint8_t rmode;
    bool daz, fz, um;
    uint32_t flags = 0;   // MXCSR flag bits
    explicit FpEnv(uint32_t m)
        : rmode(kRound[(m >> mxcsr::kRcShift) & 3]), daz(m & mxcsr::DAZ), fz(m & mxcsr::FZ),
          um(m & (mxcsr::UE << mxcsr::kMaskShift)) {}
    static constexpr uint8_t kRound[4] = {isa::fp::round::NearEven, isa::fp::round::Down, isa::fp::round::Up,
                                          isa::fp::round::ToZero};

    // An input operand under DAZ: a denormal reads as zero of its sign.
    template <class F> typename F::U in(typename F::U a) const {
        return daz && F::is_subnormal(a) ? typename F::U(a & F::kSign) : a;
    }
    // Account the soft-float flags `fl` of one lane whose (DAZ-adjusted)
    // inputs had a denormal (`denormal`) or a NaN (`nan`): the denormal
    // exception is a pre-computation one below invalid and divide-by-zero
    // and is not reported for NaN operands; underflow is tiny-and-inexact
    // when masked, tiny when unmasked; FZ (with underflow masked) flushes
    // tiny results to zero with UE and PE.
    template <class F> typename F::U post(typename F::U r, uint32_t fl, bool denormal, bool nan) {
        namespace ff = isa::fp::flag;
        uint32_t m = 0;
        if (fl & ff::Invalid) m |= mxcsr::IE;
        if (fl & ff::DivByZero) m |= mxcsr::ZE;
        if (denormal && !nan && !(fl & (ff::Invalid | ff::DivByZero))) m |= mxcsr::DE;
        if (fl & ff::Overflow) m |= mxcsr::OE;
        if (fl & (um ? ff::Underflow : ff::Tiny)) m |= mxcsr::UE;
        if (fl & ff::Inexact) m |= mxcsr::PE;
        if (fz && um && (fl & ff::Tiny)) {
            r &= F::kSign;
            m |= mxcsr::UE | mxcsr::PE;
        }
        flags |= m;
        return r;
    }
};

// Ends the computation of an instruction: sets the MXCSR flags; with an
// unmasked exception raises #XM (CR4.OSXMMEXCPT) or #UD and returns false,
// the destination left unwritten. Unmasked pre-computation exceptions
// stop before the post-computation ones are looked for, so only IE/DE/ZE
// are reported then (SDM Vol.1 11.5.3).
inline bool commit(Core& c, uint32_t flags) {
    const uint32_t unmasked = flags & ~(c.mxcsr >> mxcsr::kMaskShift) & mxcsr::kFlags;
    if (unmasked & mxcsr::kPreComputation) flags &= mxcsr::kPreComputation;
    c.mxcsr |= flags;
    if (unmasked) [[unlikely]] {
        if (c.cr4 & kCr4Osxmmexcpt) c.raise(kVectorXm);
        else c.raise_ud();
        return false;
    }
    return true;
}

} // namespace hvemu::x86::sse
