// The soft-float core behind the RISC-V F and D extensions: crafted cases
// for each rule of the specification, and random operands against the
// host's IEEE 754 arithmetic (x86-64 SSE, which like RISC-V detects
// tininess after rounding) in the four rounding modes the host has.
#include <catch2/catch.hpp>

#include <cfenv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>

#include "isa/riscv/fp_soft.hpp"
#include "isa/riscv/insn.hpp"
#include "tests/isa/rv_test_util.hpp"

using namespace hvemu::rv;
using fp::F32;
using fp::F64;

namespace {

uint32_t bits(float v) { uint32_t r; std::memcpy(&r, &v, 4); return r; }
uint64_t bits(double v) { uint64_t r; std::memcpy(&r, &v, 8); return r; }
float f32(uint32_t b) { float r; std::memcpy(&r, &b, 4); return r; }
double f64(uint64_t b) { double r; std::memcpy(&r, &b, 8); return r; }

constexpr uint32_t NV = fflag::NV, DZ = fflag::DZ, OF = fflag::OF, UF = fflag::UF, NX = fflag::NX;
constexpr uint8_t kHostModes[] = {rm::RNE, rm::RTZ, rm::RDN, rm::RUP};

constexpr int kHostRound[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};   // by rm

uint32_t fflags_of(int fe) {
    return ((fe & FE_INVALID) ? NV : 0) | ((fe & FE_DIVBYZERO) ? DZ : 0) | ((fe & FE_OVERFLOW) ? OF : 0) |
           ((fe & FE_UNDERFLOW) ? UF : 0) | ((fe & FE_INEXACT) ? NX : 0);
}

// Runs fn in the host rounding mode `mode` and returns its accrued flags;
// the host floating-point environment is restored afterwards.
template <class Fn> uint32_t on_host(uint8_t mode, Fn&& fn) {
    std::fenv_t saved;
    std::fegetenv(&saved);
    std::fesetround(kHostRound[mode]);
    std::feclearexcept(FE_ALL_EXCEPT);
    fn();
    const uint32_t flags = fflags_of(std::fetestexcept(FE_ALL_EXCEPT));
    std::fesetenv(&saved);
    return flags;
}

// 'native' arithmetic on the format's host type.
template <class F> struct Host;
template <> struct Host<F32> { using T = float; static float val(uint32_t b) { return f32(b); } };
template <> struct Host<F64> { using T = double; static double val(uint64_t b) { return f64(b); } };

// Operands that reach the interesting places: subnormals, the edges of
// the exponent range, exact ties (few fraction bits), NaNs, infinities.
template <class F> typename F::U random_operand(std::mt19937_64& rng) {
    using U = typename F::U;
    const uint64_t r = rng();
    const U sign = (r & 1) ? F::kSign : U(0);
    U frac = U(rng()) & F::kFracMask;
    if ((r >> 1) % 4 == 0) frac &= ~(F::kFracMask >> (rng() % (F::kFracBits + 1)));  // few low bits
    if ((r >> 3) % 5 == 0) frac |= F::kFracMask >> (rng() % (F::kFracBits + 1));     // trailing ones
    int e;
    switch ((r >> 8) % 8) {
    case 0: e = 0; break;                                                  // zero / subnormal
    case 1: e = 1 + int(rng() % 3); break;                                 // near the smallest normal
    case 2: e = F::kExpMax - 1 - int(rng() % 3); break;                    // near the largest
    case 3: return U(rng());                                               // anything, NaNs included
    case 4: e = (r >> 16) % 64 == 0 ? F::kExpMax : F::kBias + int(rng() % 5) - 2; break;
    default: e = int(rng() % (F::kExpMax - 1)) + 1; break;
    }
    return sign | (U(e) << F::kFracBits) | frac;
}

// b near a in magnitude (cancellation in a sum), or scaled so that a*b or
// a/b lands near the subnormal boundary or the overflow boundary.
enum class Near { Sum, Product, Quotient };
template <class F> typename F::U partner(typename F::U a, std::mt19937_64& rng, Near kind) {
    using U = typename F::U;
    const U b = random_operand<F>(rng);
    if (rng() % 4 == 0) return b;
    using T = typename Host<F>::T;
    const T av = Host<F>::val(a);
    if (kind != Near::Sum && rng() % 3 == 0 && std::isfinite(av) && av != 0) {
        // b = boundary / a (or a / boundary), give or take a few units in
        // the last place: the result straddles the smallest normal number
        // (tininess after rounding) or the largest finite one.
        const T boundary = rng() % 2 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
        volatile T q = kind == Near::Product ? boundary / av : av / boundary;
        if (!std::isfinite(q) || q == 0) return b;
        return U(bits(T(q)) + U(int(rng() % 7) - 3));
    }
    // The biased exponent wanted for the result: around 1 or around the top.
    const int want = rng() % 2 ? 1 + int(rng() % 40) - 30 : F::kExpMax + int(rng() % 6) - 4;
    int e;
    switch (kind) {
    case Near::Sum: e = F::exp(a) + int(rng() % 5) - 2; break;
    case Near::Product: e = want + F::kBias - F::exp(a); break;          // ea + eb - bias = want
    default: e = F::exp(a) + F::kBias - want; break;                     // ea - eb + bias = want
    }
    if (e < 0 || e >= F::kExpMax) return b;
    return (b & ~(U(F::kExpMax) << F::kFracBits)) | (U(e) << F::kFracBits);
}

// Our result must equal the host's bit for bit, except that every NaN we
// produce is canonical (the host propagates payloads).
template <class F> bool same(typename F::U ours, uint32_t our_flags, typename F::U host, uint32_t host_flags) {
    return (F::is_nan(host) ? ours == F::kCanonicalNaN : ours == host) && our_flags == host_flags;
}

// Random comparisons report each mismatch (up to a limit), not each match:
// millions of passing assertions would only slow the run down.
struct Mismatches {
    int count = 0;
    template <class Describe> void operator()(bool ok, Describe&& describe) {
        if (ok) return;
        if (++count <= 20) FAIL_CHECK(describe());
    }
    ~Mismatches() { CHECK(count == 0); }
};

enum class Op { Add, Sub, Mul, Div, Sqrt, Fma };

template <class F> void compare_with_host(Op op, int count, uint64_t seed) {
    using U = typename F::U;
    using T = typename Host<F>::T;
    std::mt19937_64 rng(seed);
    Mismatches bad;
    for (int n = 0; n < count; ++n) {
        const U a = random_operand<F>(rng);
        const U b = partner<F>(a, rng, op == Op::Mul || op == Op::Fma ? Near::Product
                                          : op == Op::Div          ? Near::Quotient
                                                                   : Near::Sum);
        U c = random_operand<F>(rng);
        if (op == Op::Fma && rng() % 2) {
            // c close to -(a*b): massive cancellation, the case that shows
            // a double rounding.
            volatile T p = Host<F>::val(a) * Host<F>::val(b);
            c = bits(T(-p)) ^ U(rng() % 4);
        }
        // x86 does not signal inf * 0 + qNaN; RISC-V (like softfloat) does:
        // checked in the crafted cases below.
        if (op == Op::Fma && F::is_nan(c) && !F::is_snan(c) &&
            ((F::is_inf(a) && F::is_zero(b)) || (F::is_zero(a) && F::is_inf(b))))
            continue;
        for (uint8_t mode : kHostModes) {
            uint32_t ours_flags = 0;
            U ours = 0;
            switch (op) {
            case Op::Add: ours = fp::add<F>(a, b, mode, ours_flags); break;
            case Op::Sub: ours = fp::sub<F>(a, b, mode, ours_flags); break;
            case Op::Mul: ours = fp::mul<F>(a, b, mode, ours_flags); break;
            case Op::Div: ours = fp::div<F>(a, b, mode, ours_flags); break;
            case Op::Sqrt: ours = fp::sqrt<F>(a, mode, ours_flags); break;
            case Op::Fma: ours = fp::fma<F>(a, b, c, mode, ours_flags); break;
            }
            volatile T x = Host<F>::val(a), y = Host<F>::val(b), z = Host<F>::val(c);
            volatile T r = 0;
            const uint32_t host_flags = on_host(mode, [&] {
                switch (op) {
                case Op::Add: r = x + y; break;
                case Op::Sub: r = x - y; break;
                case Op::Mul: r = x * y; break;
                case Op::Div: r = x / y; break;
                case Op::Sqrt: r = std::sqrt(T(x)); break;
                case Op::Fma: r = std::fma(T(x), T(y), T(z)); break;
                }
            });
            const U host = bits(T(r));
            bad(same<F>(ours, ours_flags, host, host_flags), [&] {
                std::ostringstream m;
                m << std::hex << "op " << int(op) << " mode " << int(mode) << " a " << uint64_t(a) << " b "
                  << uint64_t(b) << " c " << uint64_t(c) << ": ours " << uint64_t(ours) << " flags " << ours_flags
                  << ", host " << uint64_t(host) << " flags " << host_flags;
                return m.str();
            });
        }
    }
}

} // namespace

TEST_CASE("fp: add/sub/mul/div/sqrt/fma equal the host in RNE, RTZ, RDN, RUP", "[fp][host]") {
    for (Op op : {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Sqrt, Op::Fma}) {
        const int count = (op == Op::Add || op == Op::Mul) ? 100000 : 30000;
        compare_with_host<F32>(op, count, 1 + int(op));
        compare_with_host<F64>(op, count, 100 + int(op));
    }
}

// ---- crafted cases --------------------------------------------------------

// Evaluates expr (which accrues into `fl`) and checks the encoding and flags.
#define EXPECT_FP(expr, want, want_flags)                                                            \
    do {                                                                                             \
        uint32_t fl = 0;                                                                             \
        const uint64_t got_ = uint64_t(expr);                                                        \
        INFO(#expr << std::hex << " = 0x" << got_ << " flags 0x" << fl);                            \
        CHECK(got_ == uint64_t(want));                                                               \
        CHECK(fl == uint32_t(want_flags));                                                           \
    } while (0)

namespace {
constexpr uint32_t kOne32 = 0x3f800000, kTwo32 = 0x40000000, kHalf32 = 0x3f000000;
constexpr uint32_t kMax32 = 0x7f7fffff, kMinNormal32 = 0x00800000, kInf32 = 0x7f800000;
constexpr uint32_t kQNaN32 = 0x7fc12345, kSNaN32 = 0x7f800001, kCNaN32 = 0x7fc00000;
constexpr uint64_t kOne64 = 0x3ff0000000000000, kInf64 = 0x7ff0000000000000;
constexpr uint64_t kQNaN64 = 0x7ff8000000012345, kSNaN64 = 0x7ff0000000000001, kCNaN64 = 0x7ff8000000000000;
constexpr uint64_t kNeg = 0x8000000000000000;
constexpr uint32_t kNeg32 = 0x80000000;
} // namespace

TEST_CASE("fp: each rounding mode on ties and near-ties", "[fp]") {
    const uint32_t ulp_half = 0x33800000;        // 2^-24: half an ulp of 1.0f
    const uint32_t one_ulp = 0x3f800001;         // 1 + 2^-23
    // 1 + 2^-24: a tie whose lower neighbour is even
    EXPECT_FP(fp::add<F32>(kOne32, ulp_half, rm::RNE, fl), kOne32, NX);
    EXPECT_FP(fp::add<F32>(kOne32, ulp_half, rm::RTZ, fl), kOne32, NX);
    EXPECT_FP(fp::add<F32>(kOne32, ulp_half, rm::RDN, fl), kOne32, NX);
    EXPECT_FP(fp::add<F32>(kOne32, ulp_half, rm::RUP, fl), one_ulp, NX);
    EXPECT_FP(fp::add<F32>(kOne32, ulp_half, rm::RMM, fl), one_ulp, NX);
    // (1 + 2^-23) + 2^-24: a tie whose lower neighbour is odd
    EXPECT_FP(fp::add<F32>(one_ulp, ulp_half, rm::RNE, fl), 0x3f800002, NX);
    EXPECT_FP(fp::add<F32>(one_ulp, ulp_half, rm::RTZ, fl), one_ulp, NX);
    EXPECT_FP(fp::add<F32>(one_ulp, ulp_half, rm::RMM, fl), 0x3f800002, NX);
    // negative ties: away from zero is downward
    EXPECT_FP(fp::sub<F32>(kOne32 | kNeg32, ulp_half, rm::RNE, fl), 0xbf800000, NX);
    EXPECT_FP(fp::sub<F32>(kOne32 | kNeg32, ulp_half, rm::RDN, fl), 0xbf800001, NX);
    EXPECT_FP(fp::sub<F32>(kOne32 | kNeg32, ulp_half, rm::RUP, fl), 0xbf800000, NX);
    EXPECT_FP(fp::sub<F32>(kOne32 | kNeg32, ulp_half, rm::RMM, fl), 0xbf800001, NX);
    // 1 + 0.75 ulp is not a tie: RNE and RMM both round up
    EXPECT_FP(fp::add<F32>(kOne32, 0x33c00000, rm::RNE, fl), one_ulp, NX);
    EXPECT_FP(fp::add<F32>(kOne32, 0x33c00000, rm::RMM, fl), one_ulp, NX);
    EXPECT_FP(fp::add<F32>(kOne32, 0x33c00000, rm::RTZ, fl), kOne32, NX);
    // double: 1 + 2^-53
    EXPECT_FP(fp::add<F64>(kOne64, 0x3ca0000000000000, rm::RNE, fl), kOne64, NX);
    EXPECT_FP(fp::add<F64>(kOne64, 0x3ca0000000000000, rm::RMM, fl), kOne64 + 1, NX);
    EXPECT_FP(fp::add<F64>(kOne64, 0x3ca0000000000000, rm::RUP, fl), kOne64 + 1, NX);
    // a tie in the subnormal range: half the smallest subnormal
    EXPECT_FP(fp::mul<F32>(0x00000001, kHalf32, rm::RNE, fl), 0x00000000, UF | NX);
    EXPECT_FP(fp::mul<F32>(0x00000001, kHalf32, rm::RMM, fl), 0x00000001, UF | NX);
    EXPECT_FP(fp::mul<F32>(0x80000001, kHalf32, rm::RMM, fl), 0x80000001, UF | NX);
    EXPECT_FP(fp::mul<F32>(0x80000001, kHalf32, rm::RDN, fl), 0x80000001, UF | NX);
    EXPECT_FP(fp::mul<F32>(0x80000001, kHalf32, rm::RUP, fl), 0x80000000, UF | NX);
    EXPECT_FP(fp::mul<F32>(0x00000003, kHalf32, rm::RNE, fl), 0x00000002, UF | NX);
    EXPECT_FP(fp::mul<F32>(0x00000003, kHalf32, rm::RMM, fl), 0x00000002, UF | NX);
    // RMM on a fused multiply-add: 1 * 1 + 2^-24
    EXPECT_FP(fp::fma<F32>(kOne32, kOne32, ulp_half, rm::RMM, fl), one_ulp, NX);
    EXPECT_FP(fp::fma<F32>(kOne32, kOne32, ulp_half, rm::RNE, fl), kOne32, NX);
    // division and square root in RMM (never a tie, but directed bits matter)
    EXPECT_FP(fp::div<F32>(kOne32, 0x40400000, rm::RMM, fl), 0x3eaaaaab, NX);     // 1/3
    EXPECT_FP(fp::div<F32>(kOne32, 0x40400000, rm::RTZ, fl), 0x3eaaaaaa, NX);
    EXPECT_FP(fp::sqrt<F64>(0x4000000000000000, rm::RMM, fl), 0x3ff6a09e667f3bcd, NX); // sqrt(2)
    EXPECT_FP(fp::sqrt<F64>(0x4000000000000000, rm::RTZ, fl), 0x3ff6a09e667f3bcc, NX);
    EXPECT_FP(fp::sqrt<F32>(0x41100000, rm::RNE, fl), 0x40400000, 0);                // sqrt(9) exact
}

TEST_CASE("fp: overflow gives infinity or the largest finite number by mode", "[fp]") {
    for (uint8_t mode : {rm::RNE, rm::RMM, rm::RUP})
        EXPECT_FP(fp::mul<F32>(kMax32, kTwo32, mode, fl), kInf32, OF | NX);
    for (uint8_t mode : {rm::RTZ, rm::RDN})
        EXPECT_FP(fp::mul<F32>(kMax32, kTwo32, mode, fl), kMax32, OF | NX);
    for (uint8_t mode : {rm::RNE, rm::RMM, rm::RDN})
        EXPECT_FP(fp::mul<F32>(kMax32 | kNeg32, kTwo32, mode, fl), kInf32 | kNeg32, OF | NX);
    for (uint8_t mode : {rm::RTZ, rm::RUP})
        EXPECT_FP(fp::mul<F32>(kMax32 | kNeg32, kTwo32, mode, fl), kMax32 | kNeg32, OF | NX);
    // max + half an ulp: a tie that rounds to 2^128 in RNE/RMM (overflow),
    // while RTZ stays at max without overflowing
    EXPECT_FP(fp::add<F32>(kMax32, 0x73000000, rm::RNE, fl), kInf32, OF | NX);
    EXPECT_FP(fp::add<F32>(kMax32, 0x73000000, rm::RMM, fl), kInf32, OF | NX);
    EXPECT_FP(fp::add<F32>(kMax32, 0x73000000, rm::RTZ, fl), kMax32, NX);
    EXPECT_FP(fp::add<F64>(0x7fefffffffffffff, 0x7fefffffffffffff, rm::RNE, fl), kInf64, OF | NX);
    EXPECT_FP(fp::f64_to_f32(0x7e37e43c8800759c, rm::RNE, fl), kInf32, OF | NX);   // 1e300
    EXPECT_FP(fp::f64_to_f32(0x7e37e43c8800759c, rm::RTZ, fl), kMax32, OF | NX);
}

TEST_CASE("fp: underflow is detected after rounding and only when inexact", "[fp]") {
    // 2^-126 * (1 - 2^-46): rounds to the smallest normal at 24 bits of
    // precision with an unbounded exponent, so it is not tiny in RNE/RUP/RMM
    for (uint8_t mode : {rm::RNE, rm::RUP, rm::RMM})
        EXPECT_FP(fp::mul<F32>(0x3f7ffffe, 0x00800001, mode, fl), kMinNormal32, NX);
    for (uint8_t mode : {rm::RTZ, rm::RDN})
        EXPECT_FP(fp::mul<F32>(0x3f7ffffe, 0x00800001, mode, fl), 0x007fffff, UF | NX);
    // 2^-126 * (1 - 2^-24) is exact at 24 bits: tiny in every mode, even
    // when the subnormal rounding then reaches the smallest normal
    EXPECT_FP(fp::mul<F32>(0x3f7fffff, kMinNormal32, rm::RNE, fl), kMinNormal32, UF | NX);
    EXPECT_FP(fp::mul<F32>(0x3f7fffff, kMinNormal32, rm::RTZ, fl), 0x007fffff, UF | NX);
    // an exact subnormal result raises nothing
    EXPECT_FP(fp::mul<F32>(kMinNormal32, kHalf32, rm::RNE, fl), 0x00400000, 0);
    EXPECT_FP(fp::sub<F64>(0x0010000000000000, 0x0000000000000001, rm::RNE, fl), 0x000fffffffffffff, 0);
    // the same rule for double -> single
    const double below = std::ldexp(1.0 - std::ldexp(1.0, -26), -126);
    EXPECT_FP(fp::f64_to_f32(bits(below), rm::RNE, fl), kMinNormal32, NX);
    EXPECT_FP(fp::f64_to_f32(bits(below), rm::RTZ, fl), 0x007fffff, UF | NX);
    EXPECT_FP(fp::f64_to_f32(bits(std::ldexp(1.0, -149)), rm::RNE, fl), 0x00000001, 0);
    EXPECT_FP(fp::f64_to_f32(bits(std::ldexp(1.0, -150)), rm::RNE, fl), 0x00000000, UF | NX);
    EXPECT_FP(fp::f64_to_f32(bits(std::ldexp(1.0, -150)), rm::RMM, fl), 0x00000001, UF | NX);
}

TEST_CASE("fp: NaN results are canonical and signaling NaNs raise NV", "[fp]") {
    EXPECT_FP(fp::add<F32>(kQNaN32, kOne32, rm::RNE, fl), kCNaN32, 0);         // payload dropped
    EXPECT_FP(fp::add<F32>(kOne32, kQNaN32 | kNeg32, rm::RNE, fl), kCNaN32, 0);
    EXPECT_FP(fp::add<F32>(kSNaN32, kOne32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::mul<F32>(kQNaN32, kSNaN32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::sub<F32>(kInf32, kInf32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::add<F32>(kInf32, kInf32 | kNeg32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::add<F32>(kInf32, kInf32, rm::RNE, fl), kInf32, 0);
    EXPECT_FP(fp::mul<F32>(kInf32, 0, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::div<F32>(0, kNeg32, rm::RNE, fl), kCNaN32, NV);               // 0 / -0
    EXPECT_FP(fp::div<F32>(kInf32, kInf32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::div<F32>(kOne32, 0, rm::RNE, fl), kInf32, DZ);
    EXPECT_FP(fp::div<F32>(kOne32 | kNeg32, 0, rm::RNE, fl), kInf32 | kNeg32, DZ);
    EXPECT_FP(fp::div<F32>(kInf32, 0, rm::RNE, fl), kInf32, 0);                 // not a division by zero
    EXPECT_FP(fp::div<F32>(kOne32, kInf32 | kNeg32, rm::RNE, fl), kNeg32, 0);
    EXPECT_FP(fp::sqrt<F32>(kOne32 | kNeg32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::sqrt<F32>(kInf32 | kNeg32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::sqrt<F32>(kNeg32, rm::RNE, fl), kNeg32, 0);                   // sqrt(-0) = -0
    EXPECT_FP(fp::sqrt<F32>(kQNaN32 | kNeg32, rm::RNE, fl), kCNaN32, 0);
    EXPECT_FP(fp::sqrt<F64>(kSNaN64, rm::RNE, fl), kCNaN64, NV);
    EXPECT_FP(fp::add<F64>(kQNaN64, kOne64, rm::RNE, fl), kCNaN64, 0);
    EXPECT_FP(fp::div<F64>(0, 0, rm::RNE, fl), kCNaN64, NV);
    EXPECT_FP(fp::f64_to_f32(kQNaN64, rm::RNE, fl), kCNaN32, 0);
    EXPECT_FP(fp::f64_to_f32(kSNaN64, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::f32_to_f64(kQNaN32, fl), kCNaN64, 0);
    EXPECT_FP(fp::f32_to_f64(kSNaN32 | kNeg32, fl), kCNaN64, NV);
}

TEST_CASE("fp: exact zero sums are +0, or -0 when rounding down", "[fp]") {
    for (uint8_t mode : {rm::RNE, rm::RTZ, rm::RUP, rm::RMM}) {
        EXPECT_FP(fp::add<F32>(kOne32, kOne32 | kNeg32, mode, fl), 0, 0);
        EXPECT_FP(fp::add<F64>(0, kNeg, mode, fl), 0, 0);
        EXPECT_FP(fp::fma<F64>(kOne64, kOne64, kOne64 | kNeg, mode, fl), 0, 0);
        EXPECT_FP(fp::fma<F32>(0, kOne32, kNeg32, mode, fl), 0, 0);
    }
    EXPECT_FP(fp::add<F32>(kOne32, kOne32 | kNeg32, rm::RDN, fl), kNeg32, 0);
    EXPECT_FP(fp::add<F64>(0, kNeg, rm::RDN, fl), kNeg, 0);
    EXPECT_FP(fp::fma<F64>(kOne64, kOne64, kOne64 | kNeg, rm::RDN, fl), kNeg, 0);
    EXPECT_FP(fp::fma<F32>(0, kOne32, kNeg32, rm::RDN, fl), kNeg32, 0);
    EXPECT_FP(fp::add<F32>(kNeg32, kNeg32, rm::RNE, fl), kNeg32, 0);          // -0 + -0 = -0
    EXPECT_FP(fp::fma<F32>(kNeg32, kOne32, kNeg32, rm::RNE, fl), kNeg32, 0);  // -0 * 1 + -0
    EXPECT_FP(fp::mul<F32>(kNeg32, kOne32, rm::RNE, fl), kNeg32, 0);
    // a product that rounds to zero keeps its sign whatever c's zero is
    EXPECT_FP(fp::fma<F32>(0x00000001, 0x00000001, kNeg32, rm::RNE, fl), 0, UF | NX);
}

TEST_CASE("fp: fused multiply-add rounds once", "[fp]") {
    // (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly; a separate multiply
    // would round the product to 1 and give 0
    EXPECT_FP(fp::fma<F32>(0x3f800001, 0x3f7ffffe, kOne32 | kNeg32, rm::RNE, fl), 0xa8800000, 0);
    EXPECT_FP(fp::add<F32>(fp::mul<F32>(0x3f800001, 0x3f7ffffe, rm::RNE, fl), kOne32 | kNeg32, rm::RNE, fl),
              0, NX);
    // (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104
    EXPECT_FP(fp::fma<F64>(0x3ff0000000000001, 0x3feffffffffffffe, kOne64 | kNeg, rm::RNE, fl),
              0xb970000000000000, 0);
    // (1 + 2^-52)^2 - 1.5 * 2^-52 = 1 + 2^-53 + 2^-104: just above a tie,
    // rounds up; rounding the product first would make it an exact tie
    // that rounds to even (1.0)
    const uint64_t a = 0x3ff0000000000001, c = 0xbcb8000000000000;
    EXPECT_FP(fp::fma<F64>(a, a, c, rm::RNE, fl), 0x3ff0000000000001, NX);
    EXPECT_FP(fp::add<F64>(fp::mul<F64>(a, a, rm::RNE, fl), c, rm::RNE, fl), kOne64, NX);
}

TEST_CASE("fp: fused multiply-add NaN and infinity rules", "[fp]") {
    // inf * 0 is invalid even with a quiet NaN addend (softfloat, QEMU)
    EXPECT_FP(fp::fma<F32>(kInf32, 0, kQNaN32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::fma<F64>(0, kInf64 | kNeg, kQNaN64, rm::RNE, fl), kCNaN64, NV);
    EXPECT_FP(fp::fma<F32>(kInf32, 0, kOne32, rm::RNE, fl), kCNaN32, NV);
    // a NaN product operand: NV only for a signaling NaN among the three
    EXPECT_FP(fp::fma<F32>(kQNaN32, 0, kOne32, rm::RNE, fl), kCNaN32, 0);
    EXPECT_FP(fp::fma<F32>(kQNaN32, kInf32, 0, rm::RNE, fl), kCNaN32, 0);
    EXPECT_FP(fp::fma<F32>(kQNaN32, kOne32, kSNaN32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::fma<F32>(kOne32, kOne32, kQNaN32, rm::RNE, fl), kCNaN32, 0);
    EXPECT_FP(fp::fma<F32>(kOne32, kOne32, kSNaN32, rm::RNE, fl), kCNaN32, NV);
    // infinite product against the addend
    EXPECT_FP(fp::fma<F32>(kInf32, kOne32, kInf32 | kNeg32, rm::RNE, fl), kCNaN32, NV);
    EXPECT_FP(fp::fma<F32>(kInf32, kOne32 | kNeg32, kInf32 | kNeg32, rm::RNE, fl), kInf32 | kNeg32, 0);
    EXPECT_FP(fp::fma<F32>(kMax32, kTwo32, kInf32 | kNeg32, rm::RNE, fl), kInf32 | kNeg32, 0);  // no OF
    EXPECT_FP(fp::fma<F32>(kMax32, kTwo32, kMax32 | kNeg32, rm::RNE, fl), kMax32, 0);           // exact
}

TEST_CASE("fp: fmin and fmax follow version 2.2 of the F extension", "[fp]") {
    EXPECT_FP(fp::min<F32>(0, kNeg32, fl), kNeg32, 0);
    EXPECT_FP(fp::min<F32>(kNeg32, 0, fl), kNeg32, 0);
    EXPECT_FP(fp::max<F32>(0, kNeg32, fl), 0, 0);
    EXPECT_FP(fp::max<F32>(kNeg32, 0, fl), 0, 0);
    EXPECT_FP(fp::min<F32>(kQNaN32, kTwo32, fl), kTwo32, 0);       // one NaN: the other operand
    EXPECT_FP(fp::max<F32>(kTwo32, kQNaN32, fl), kTwo32, 0);
    EXPECT_FP(fp::min<F32>(kSNaN32, kTwo32, fl), kTwo32, NV);      // ... but NV for a signaling one
    EXPECT_FP(fp::max<F32>(kTwo32, kSNaN32, fl), kTwo32, NV);
    EXPECT_FP(fp::min<F32>(kQNaN32, kQNaN32, fl), kCNaN32, 0);     // both NaN: canonical
    EXPECT_FP(fp::max<F32>(kSNaN32, kQNaN32, fl), kCNaN32, NV);
    EXPECT_FP(fp::min<F32>(kInf32 | kNeg32, kMax32 | kNeg32, fl), kInf32 | kNeg32, 0);
    EXPECT_FP(fp::max<F32>(kOne32 | kNeg32, kTwo32 | kNeg32, fl), kOne32 | kNeg32, 0);
    EXPECT_FP(fp::min<F32>(0x00000001, 0x00000002, fl), 0x00000001, 0);
    EXPECT_FP(fp::min<F64>(0, kNeg, fl), kNeg, 0);
    EXPECT_FP(fp::max<F64>(kQNaN64, kOne64 | kNeg, fl), kOne64 | kNeg, 0);
    EXPECT_FP(fp::max<F64>(kSNaN64, kSNaN64, fl), kCNaN64, NV);
    EXPECT_FP(fp::max<F64>(kOne64, 0x3ff0000000000001, fl), 0x3ff0000000000001, 0);
}

TEST_CASE("fp: feq is quiet, flt and fle signal on NaN", "[fp]") {
    EXPECT_FP(fp::eq<F32>(kQNaN32, kOne32, fl), 0, 0);
    EXPECT_FP(fp::eq<F32>(kQNaN32, kQNaN32, fl), 0, 0);
    EXPECT_FP(fp::eq<F32>(kSNaN32, kOne32, fl), 0, NV);
    EXPECT_FP(fp::lt<F32>(kQNaN32, kOne32, fl), 0, NV);
    EXPECT_FP(fp::le<F32>(kOne32, kQNaN32, fl), 0, NV);
    EXPECT_FP(fp::eq<F32>(0, kNeg32, fl), 1, 0);
    EXPECT_FP(fp::lt<F32>(kNeg32, 0, fl), 0, 0);
    EXPECT_FP(fp::le<F32>(0, kNeg32, fl), 1, 0);
    EXPECT_FP(fp::lt<F32>(kTwo32 | kNeg32, kOne32 | kNeg32, fl), 1, 0);
    EXPECT_FP(fp::lt<F32>(kOne32 | kNeg32, kTwo32 | kNeg32, fl), 0, 0);
    EXPECT_FP(fp::lt<F32>(kInf32 | kNeg32, 0x00000001, fl), 1, 0);
    EXPECT_FP(fp::le<F32>(kInf32, kInf32, fl), 1, 0);
    EXPECT_FP(fp::eq<F64>(kOne64, kOne64, fl), 1, 0);
    EXPECT_FP(fp::lt<F64>(0x0000000000000001, 0x0000000000000002, fl), 1, 0);
    EXPECT_FP(fp::le<F64>(kSNaN64, kOne64, fl), 0, NV);
    EXPECT_FP(fp::eq<F64>(kOne64, kSNaN64, fl), 0, NV);
}

TEST_CASE("fp: float to integer rounds with rm, saturates and flags NV", "[fp]") {
    const uint64_t two_half = bits(2.5), m_two_half = bits(-2.5);
    EXPECT_FP(fp::to_i32<F64>(two_half, rm::RNE, fl), 2, NX);
    EXPECT_FP(fp::to_i32<F64>(two_half, rm::RTZ, fl), 2, NX);
    EXPECT_FP(fp::to_i32<F64>(two_half, rm::RDN, fl), 2, NX);
    EXPECT_FP(fp::to_i32<F64>(two_half, rm::RUP, fl), 3, NX);
    EXPECT_FP(fp::to_i32<F64>(two_half, rm::RMM, fl), 3, NX);
    EXPECT_FP(fp::to_i32<F64>(m_two_half, rm::RNE, fl), uint64_t(-2), NX);   // sign-extended
    EXPECT_FP(fp::to_i32<F64>(m_two_half, rm::RDN, fl), uint64_t(-3), NX);
    EXPECT_FP(fp::to_i32<F64>(m_two_half, rm::RUP, fl), uint64_t(-2), NX);
    EXPECT_FP(fp::to_i32<F64>(m_two_half, rm::RMM, fl), uint64_t(-3), NX);
    EXPECT_FP(fp::to_i64<F32>(bits(0.5f), rm::RNE, fl), 0, NX);
    EXPECT_FP(fp::to_i64<F32>(bits(0.5f), rm::RMM, fl), 1, NX);
    EXPECT_FP(fp::to_i64<F32>(bits(-0.5f), rm::RMM, fl), uint64_t(-1), NX);
    EXPECT_FP(fp::to_i64<F32>(bits(1.5f), rm::RNE, fl), 2, NX);
    EXPECT_FP(fp::to_i64<F32>(0x00000001, rm::RUP, fl), 1, NX);
    EXPECT_FP(fp::to_i64<F32>(0x80000001, rm::RDN, fl), uint64_t(-1), NX);
    EXPECT_FP(fp::to_i64<F32>(0x80000001, rm::RTZ, fl), 0, NX);
    EXPECT_FP(fp::to_i64<F32>(kNeg32, rm::RNE, fl), 0, 0);
    // the range is checked after rounding
    EXPECT_FP(fp::to_i32<F64>(bits(2147483647.0), rm::RNE, fl), 0x7fffffff, 0);
    EXPECT_FP(fp::to_i32<F64>(bits(2147483647.5), rm::RTZ, fl), 0x7fffffff, NX);
    EXPECT_FP(fp::to_i32<F64>(bits(2147483647.5), rm::RNE, fl), 0x7fffffff, NV);
    EXPECT_FP(fp::to_i32<F64>(bits(2147483648.0), rm::RNE, fl), 0x7fffffff, NV);
    EXPECT_FP(fp::to_i32<F64>(bits(-2147483648.0), rm::RNE, fl), 0xffffffff80000000, 0);
    EXPECT_FP(fp::to_i32<F64>(bits(-2147483648.5), rm::RNE, fl), 0xffffffff80000000, NX);
    EXPECT_FP(fp::to_i32<F64>(bits(-2147483648.5), rm::RDN, fl), 0xffffffff80000000, NV);
    // NaN gives the largest positive value whatever its sign; infinities saturate
    EXPECT_FP(fp::to_i32<F64>(kQNaN64 | kNeg, rm::RNE, fl), 0x7fffffff, NV);
    EXPECT_FP(fp::to_i32<F32>(kInf32, rm::RNE, fl), 0x7fffffff, NV);
    EXPECT_FP(fp::to_i32<F32>(kInf32 | kNeg32, rm::RNE, fl), 0xffffffff80000000, NV);
    EXPECT_FP(fp::to_i64<F64>(kQNaN64, rm::RNE, fl), 0x7fffffffffffffff, NV);
    EXPECT_FP(fp::to_i64<F64>(bits(9223372036854775808.0), rm::RNE, fl), 0x7fffffffffffffff, NV);
    EXPECT_FP(fp::to_i64<F64>(bits(-9223372036854775808.0), rm::RNE, fl), 0x8000000000000000, 0);
    EXPECT_FP(fp::to_i64<F64>(bits(-1e30), rm::RNE, fl), 0x8000000000000000, NV);
    EXPECT_FP(fp::to_i64<F32>(bits(9.2233715e18f), rm::RNE, fl), 0x7fffff8000000000, 0);
    // unsigned: negative values that round to zero are only inexact
    EXPECT_FP(fp::to_u32<F64>(bits(-0.5), rm::RTZ, fl), 0, NX);
    EXPECT_FP(fp::to_u32<F64>(bits(-0.5), rm::RDN, fl), 0, NV);
    EXPECT_FP(fp::to_u32<F64>(bits(-1.0), rm::RNE, fl), 0, NV);
    EXPECT_FP(fp::to_u32<F64>(kNeg, rm::RNE, fl), 0, 0);
    EXPECT_FP(fp::to_u32<F64>(bits(3e9), rm::RNE, fl), 0xffffffffb2d05e00, 0);   // sign-extended
    EXPECT_FP(fp::to_u32<F64>(bits(4294967295.0), rm::RNE, fl), ~uint64_t(0), 0);
    EXPECT_FP(fp::to_u32<F64>(bits(4294967296.0), rm::RNE, fl), ~uint64_t(0), NV);
    EXPECT_FP(fp::to_u32<F32>(kQNaN32, rm::RNE, fl), ~uint64_t(0), NV);
    EXPECT_FP(fp::to_u32<F32>(kInf32 | kNeg32, rm::RNE, fl), 0, NV);
    EXPECT_FP(fp::to_u64<F64>(bits(1e19), rm::RNE, fl), 10000000000000000000ull, 0);
    EXPECT_FP(fp::to_u64<F64>(bits(18446744073709551616.0), rm::RNE, fl), ~uint64_t(0), NV);
    EXPECT_FP(fp::to_u64<F64>(kQNaN64 | kNeg, rm::RNE, fl), ~uint64_t(0), NV);
    EXPECT_FP(fp::to_u64<F32>(bits(0.7f), rm::RMM, fl), 1, NX);
    EXPECT_FP(fp::to_u64<F32>(bits(0.7f), rm::RTZ, fl), 0, NX);
}

TEST_CASE("fp: integer to float and between the formats", "[fp]") {
    EXPECT_FP(fp::from_i64<F32>(16777217, rm::RNE, fl), 0x4b800000, NX);   // tie, even below
    EXPECT_FP(fp::from_i64<F32>(16777217, rm::RMM, fl), 0x4b800001, NX);
    EXPECT_FP(fp::from_i64<F32>(16777217, rm::RUP, fl), 0x4b800001, NX);
    EXPECT_FP(fp::from_i64<F32>(16777219, rm::RNE, fl), 0x4b800002, NX);   // tie, odd below
    EXPECT_FP(fp::from_i64<F32>(-16777217, rm::RMM, fl), 0xcb800001, NX);
    EXPECT_FP(fp::from_i64<F32>(-16777217, rm::RDN, fl), 0xcb800001, NX);
    EXPECT_FP(fp::from_i64<F32>(-1, rm::RNE, fl), 0xbf800000, 0);
    EXPECT_FP(fp::from_i64<F32>(0, rm::RDN, fl), 0, 0);                     // +0 in every mode
    EXPECT_FP(fp::from_i64<F64>(INT64_MIN, rm::RNE, fl), 0xc3e0000000000000, 0);
    EXPECT_FP(fp::from_i64<F64>(INT64_MAX, rm::RNE, fl), 0x43e0000000000000, NX);
    EXPECT_FP(fp::from_i64<F64>(INT64_MAX, rm::RTZ, fl), 0x43dfffffffffffff, NX);
    EXPECT_FP(fp::from_u64<F64>(~uint64_t(0), rm::RNE, fl), 0x43f0000000000000, NX);
    EXPECT_FP(fp::from_u64<F64>(~uint64_t(0), rm::RTZ, fl), 0x43efffffffffffff, NX);
    EXPECT_FP(fp::from_u64<F32>(~uint64_t(0), rm::RNE, fl), 0x5f800000, NX);
    EXPECT_FP(fp::from_u64<F64>(0xffffffff, rm::RNE, fl), bits(4294967295.0), 0);
    EXPECT_FP(fp::from_i64<F64>(-2147483648, rm::RNE, fl), bits(-2147483648.0), 0);
    // single <-> double
    EXPECT_FP(fp::f32_to_f64(0x00000001, fl), bits(std::ldexp(1.0, -149)), 0);
    EXPECT_FP(fp::f32_to_f64(kNeg32, fl), kNeg, 0);
    EXPECT_FP(fp::f32_to_f64(kInf32 | kNeg32, fl), kInf64 | kNeg, 0);
    EXPECT_FP(fp::f32_to_f64(kMax32, fl), bits(double(f32(kMax32))), 0);
    EXPECT_FP(fp::f64_to_f32(bits(1.0 / 3.0), rm::RNE, fl), 0x3eaaaaab, NX);
    EXPECT_FP(fp::f64_to_f32(bits(1.0 / 3.0), rm::RTZ, fl), 0x3eaaaaaa, NX);
    EXPECT_FP(fp::f64_to_f32(kNeg, rm::RNE, fl), kNeg32, 0);
}

TEST_CASE("fp: NaN-boxing of single-precision values", "[fp]") {
    CHECK(fp::unbox32(0xffffffff3f800000) == kOne32);
    CHECK(fp::unbox32(0x000000003f800000) == kCNaN32);     // not boxed: the canonical NaN
    CHECK(fp::unbox32(0xfffffffe3f800000) == kCNaN32);
    CHECK(fp::unbox32(0x7fffffffffffffff) == kCNaN32);
    CHECK(fp::box32(kOne32) == 0xffffffff3f800000);
    CHECK(fp::box32(0) == 0xffffffff00000000);
    // an improperly boxed input is a quiet NaN: no NV, canonical result
    EXPECT_FP(fp::add<F32>(fp::unbox32(0x3f800000), kOne32, rm::RNE, fl), kCNaN32, 0);
    EXPECT_FP(fp::min<F32>(fp::unbox32(0x3f800000), kTwo32, fl), kTwo32, 0);
    EXPECT_FP(fp::f32_to_f64(fp::unbox32(0x3f800000), fl), kCNaN64, 0);
}

TEST_CASE("fp: fclass sets one bit of ten", "[fp]") {
    const uint32_t singles[10] = {kInf32 | kNeg32, kOne32 | kNeg32, 0x80000001, kNeg32,  0,
                                  0x007fffff,      kMinNormal32,    kInf32,     kSNaN32, kQNaN32 | kNeg32};
    const uint64_t doubles[10] = {kInf64 | kNeg, kOne64 | kNeg, 0x800fffffffffffff, kNeg,    0,
                                  1,             0x7fefffffffffffff, kInf64,        kSNaN64, kCNaN64};
    for (unsigned bit = 0; bit < 10; ++bit) {
        CHECK(fp::classify<F32>(singles[bit]) == 1u << bit);
        CHECK(fp::classify<F64>(doubles[bit]) == 1u << bit);
    }
    CHECK(fp::classify<F32>(fp::unbox32(0x12345678)) == 1u << 9);   // unboxed: the canonical NaN
}

TEST_CASE("fp: sign injection moves raw bits", "[fp]") {
    CHECK(fp::sgnj<F32>(kQNaN32, kNeg32) == (kQNaN32 | kNeg32));     // payload kept
    CHECK(fp::sgnj<F32>(kSNaN32, 0) == kSNaN32);                      // not quieted
    CHECK(fp::sgnjn<F32>(kOne32, kOne32) == (kOne32 | kNeg32));
    CHECK(fp::sgnjn<F32>(kOne32 | kNeg32, kNeg32) == kOne32);
    CHECK(fp::sgnjx<F32>(kOne32 | kNeg32, kOne32 | kNeg32) == kOne32);
    CHECK(fp::sgnjx<F32>(kOne32, kNeg32) == (kOne32 | kNeg32));
    CHECK(fp::sgnj<F64>(kSNaN64 | kNeg, 0) == kSNaN64);
    CHECK(fp::sgnjn<F64>(kOne64, kNeg) == kOne64);
    CHECK(fp::sgnjx<F64>(kQNaN64 | kNeg, kNeg) == kQNaN64);
}

namespace {

// The exact F32 result r (a double) rounded to nearest, ties away from
// zero, built from the host's RTZ conversion and the exact midpoint.
uint32_t reference_rmm(double r, bool& inexact) {
    volatile double exact = r;
    volatile float toward_zero = 0;
    on_host(rm::RTZ, [&] { toward_zero = float(exact); });
    inexact = double(toward_zero) != r;
    if (!inexact) return bits(float(toward_zero));
    const uint32_t lo = bits(float(toward_zero));
    const uint32_t away = lo + 1;                       // next magnitude (max + 1 = inf)
    const double lo_v = double(toward_zero);
    const double away_v = F32::is_inf(away) ? std::copysign(std::ldexp(1.0, 128), r) : double(f32(away));
    const double mid = (lo_v + away_v) / 2;             // exact in double
    return std::fabs(r) >= std::fabs(mid) ? away : lo;
}

} // namespace

TEST_CASE("fp: RMM equals an exact reference on random single-precision sums and products", "[fp][host]") {
    std::mt19937_64 rng(7);
    Mismatches bad;
    int ties = 0;
    for (int n = 0; n < 100000; ++n) {
        const uint32_t a = random_operand<F32>(rng);
        const bool product = n % 2;
        const uint32_t b = partner<F32>(a, rng, product ? Near::Product : Near::Sum);
        if (F32::is_nan(a) || F32::is_nan(b) || F32::is_inf(a) || F32::is_inf(b)) continue;
        // float products and (near) sums are exact in double
        if (!product && std::abs(F32::exp(a) - F32::exp(b)) > 28) continue;
        const double exact = product ? double(f32(a)) * double(f32(b)) : double(f32(a)) + double(f32(b));
        if (exact == 0) continue;
        bool inexact;
        const uint32_t want = reference_rmm(exact, inexact);
        uint32_t fl = 0, fl_rne = 0;
        const uint32_t got = product ? fp::mul<F32>(a, b, rm::RMM, fl) : fp::add<F32>(a, b, rm::RMM, fl);
        const uint32_t rne = product ? fp::mul<F32>(a, b, rm::RNE, fl_rne) : fp::add<F32>(a, b, rm::RNE, fl_rne);
        if (got != rne) ++ties;
        bad(got == want && ((fl & NX) != 0) == inexact, [&] {
            std::ostringstream m;
            m << std::hex << (product ? "mul a " : "add a ") << a << " b " << b << ": got " << got << " flags "
              << fl << ", want " << want;
            return m.str();
        });
    }
    CHECK(ties > 100);   // the generator does produce ties, where RMM and RNE differ
}

TEST_CASE("fp: conversions equal the host in RNE, RTZ, RDN, RUP", "[fp][host]") {
    std::mt19937_64 rng(11);
    Mismatches bad;
    for (int n = 0; n < 30000; ++n) {
        // doubles around the 32- and 64-bit integer ranges, with fractions
        uint64_t d = random_operand<F64>(rng);
        if (rng() % 2) d = (d & ~(uint64_t(0x7ff) << 52)) | uint64_t(F64::kBias - 2 + rng() % 68) << 52;
        uint32_t s = random_operand<F32>(rng);
        if (rng() % 2) s = (s & ~(uint32_t(0xff) << 23)) | uint32_t(F32::kBias - 2 + rng() % 68) << 23;
        const int64_t i = int64_t(rng()) >> (rng() % 64);
        for (uint8_t mode : kHostModes) {
            auto context = [&](const char* what) {
                return [&, what] {
                    std::ostringstream m;
                    m << what << std::hex << ": d " << d << " s " << s << " i " << i << " mode " << int(mode);
                    return m.str();
                };
            };
            volatile double vd = f64(d);
            volatile float vs = f32(s), rs = 0;
            volatile double rd = 0;
            volatile int64_t vi = i;
            volatile long long ri = 0;
            uint32_t fl = 0, host = on_host(mode, [&] { rs = float(vd); });
            const uint32_t narrowed = fp::f64_to_f32(d, mode, fl);
            bad(same<F32>(narrowed, fl, bits(float(rs)), host), context("f64 -> f32"));
            fl = 0, host = on_host(mode, [&] { rd = double(vs); });
            const uint64_t widened = fp::f32_to_f64(s, fl);
            bad(same<F64>(widened, fl, bits(double(rd)), host), context("f32 -> f64"));
            fl = 0, host = on_host(mode, [&] { rs = float(vi); });
            const uint32_t int_to_f32 = fp::from_i64<F32>(i, mode, fl);
            bad(same<F32>(int_to_f32, fl, bits(float(rs)), host), context("i64 -> f32"));
            fl = 0, host = on_host(mode, [&] { rd = double(vi); });
            const uint64_t int_to_f64 = fp::from_i64<F64>(i, mode, fl);
            bad(same<F64>(int_to_f64, fl, bits(double(rd)), host), context("i64 -> f64"));

            // llrint rounds with the current mode; out of range it raises
            // invalid, where ours must saturate
            host = on_host(mode, [&] { ri = std::llrint(double(vd)); });
            fl = 0;
            uint64_t ours = fp::to_i64<F64>(d, mode, fl);
            bad((host & NV) ? fl == NV : ours == uint64_t(ri) && fl == host, context("f64 -> i64"));
            const bool neg = F64::sign(d) && !F64::is_nan(d);
            fl = 0;
            ours = fp::to_i32<F64>(d, mode, fl);
            if (!(host & NV) && ri >= INT32_MIN && ri <= INT32_MAX) {
                bad(ours == uint64_t(int64_t(ri)) && fl == host, context("f64 -> i32"));
            } else {
                bad(fl == NV && ours == (neg ? 0xffffffff80000000 : 0x7fffffff), context("f64 -> i32 saturated"));
            }
            host = on_host(mode, [&] { ri = std::llrint(float(vs)); });
            fl = 0;
            ours = fp::to_i64<F32>(s, mode, fl);
            bad((host & NV) ? fl == NV : ours == uint64_t(ri) && fl == host, context("f32 -> i64"));
            // unsigned agrees wherever the signed result is nonnegative
            if (!(host & NV) && ri >= 0) {
                fl = 0;
                ours = fp::to_u64<F32>(s, mode, fl);
                bad(ours == uint64_t(ri) && fl == host, context("f32 -> u64"));
            }
        }
    }
}

TEST_CASE("fp: the F and D table has one well-formed line per encoding", "[fp]") {
    struct Line { const char* name; uint32_t match, mask; const char* regs; };
    static const Line lines[] = {
#define RV_INSN(id, name, match, mask, fmt, regs, cls) {name, match, mask, regs},
#include "isa/riscv/insn_fd.def"
#undef RV_INSN
    };
    CHECK(std::size(lines) == 62);   // 26 F + 26 D + 4 loads/stores + 6 moves
    for (const Line& l : lines) {
        INFO(l.name);
        CHECK((l.match & ~l.mask) == 0);
        CHECK(std::string(l.regs).find('f') != std::string::npos);
        for (const Line& o : lines)
            if (&o != &l) CHECK(((l.match ^ o.match) & l.mask & o.mask) != 0);   // no overlap
    }
    // Encodings as an assembler produces them (llvm-mc, rv64fd), with
    // registers and rm set so that only the opcode fields decide.
    const std::pair<uint32_t, const char*> known[] = {
        {0x00452587, "flw"},      {0x00b53427, "fsd"},      {0x68c5f543, "fmadd.s"},
        {0x6ac5f54f, "fnmadd.d"}, {0x08c5f54b, "fnmsub.s"}, {0x6ac5f547, "fmsub.d"},
        {0x00b57553, "fadd.s"},   {0x0ab57553, "fsub.d"},   {0x12b57553, "fmul.d"},
        {0x18b57553, "fdiv.s"},   {0x5a057553, "fsqrt.d"},  {0x22b51553, "fsgnjn.d"},
        {0x28b51553, "fmax.s"},   {0xc0157553, "fcvt.wu.s"}, {0xc2357553, "fcvt.lu.d"},
        {0xd2252553, "fcvt.d.l"}, {0x40157553, "fcvt.s.d"}, {0x42050553, "fcvt.d.s"},
        {0xe0050553, "fmv.x.w"},  {0xe2051553, "fclass.d"}, {0xf2050553, "fmv.d.x"},
        {0xa2b52553, "feq.d"},    {0xa0b51553, "flt.s"},    {0xa2b50553, "fle.d"},
    };
    for (const auto& [raw, name] : known) {
        INFO(name);
        int hits = 0;
        for (const Line& l : lines)
            if ((raw & l.mask) == l.match) {
                ++hits;
                CHECK(std::string(l.name) == name);
            }
        CHECK(hits == 1);
    }
}

// ---- through the hart (exec_fp.cpp) ---------------------------------------

namespace {

using namespace hvemu::rv::test;
constexpr uint32_t OP_FP = 0x53, LOAD_FP = 0x07, STORE_FP = 0x27;
constexpr uint32_t MADD = 0x43, MSUB = 0x47, NMSUB = 0x4b, NMADD = 0x4f;
constexpr unsigned S = 0, D = 1;           // the fmt field
constexpr uint8_t kReservedRm = 5;

uint32_t fp_op(unsigned f5, unsigned fmt, unsigned rm_, unsigned rd, unsigned rs1, unsigned rs2) {
    return enc_r(OP_FP, rm_, f5 << 2 | fmt, rd, rs1, rs2);
}
uint32_t fp_r4(uint32_t opc, unsigned fmt, unsigned rd, unsigned rs1, unsigned rs2, unsigned rs3) {
    return rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm::DYN << 12 | rd << 7 | opc;
}

// A hart with the FP unit on (mstatus.FS = Initial) that runs one
// instruction; retired() says it did not trap. fr/xr set registers first.
struct FpHart : RvMachine {
    explicit FpHart(bool fs_on = true) {
        if (fs_on) h().csr.mstatus |= mstatus::FS_INITIAL << mstatus::FS_SHIFT;
    }
    FpHart& fr(unsigned r, uint64_t v) { h().f[r] = v; return *this; }
    FpHart& xr(unsigned r, uint64_t v) { h().x[r] = v; return *this; }
    FpHart& run(uint32_t insn) {
        program({insn});
        step(1);
        return *this;
    }
    bool retired() { return h().pc == kRamBase + 4; }
    bool illegal() { return h().pc == kTrapVec && h().csr.mcause == cause::ILLEGAL_INSN; }
    uint64_t fs() { return (h().csr.mstatus & mstatus::FS) >> mstatus::FS_SHIFT; }
};

} // namespace

TEST_CASE("hart: F/D instructions are illegal while mstatus.FS is Off", "[fp][exec]") {
    for (uint32_t insn : {fp_op(0, S, rm::RNE, 1, 2, 3), enc_i(LOAD_FP, 3, 1, 0, 0), enc_s(STORE_FP, 2, 0, 1, 0),
                          fp_op(0x1c, S, 0, 10, 1, 0), fp_op(0x1e, D, 0, 1, 10, 0), fp_r4(MADD, D, 1, 2, 3, 4)}) {
        FpHart m(false);
        m.fr(1, 0x1234).xr(10, 0x5678).run(insn);
        INFO(std::hex << insn);
        CHECK((m.illegal() && m.h().csr.mtval == insn));
        CHECK((m.h().f[1] == 0x1234 && m.h().x[10] == 0x5678));
    }
}

TEST_CASE("hart: the rounding mode is rm, or frm for DYN; reserved values are illegal", "[fp][exec]") {
    auto add = [](uint8_t rm_field, uint32_t frm) {       // 1 + 2^-24 in single precision
        auto m = std::make_unique<FpHart>();
        m->h().csr.frm = frm;
        m->fr(2, fp::box32(kOne32)).fr(3, fp::box32(0x33800000)).run(fp_op(0, S, rm_field, 1, 2, 3));
        return m;
    };
    CHECK(add(rm::RNE, rm::RUP)->h().f[1] == fp::box32(kOne32));
    CHECK(add(rm::RUP, rm::RNE)->h().f[1] == fp::box32(0x3f800001));
    CHECK(add(rm::DYN, rm::RUP)->h().f[1] == fp::box32(0x3f800001));
    CHECK(add(rm::DYN, rm::RMM)->h().f[1] == fp::box32(0x3f800001));
    CHECK(add(rm::DYN, rm::RTZ)->h().f[1] == fp::box32(kOne32));
    for (auto [rm_field, frm] : {std::pair{kReservedRm, 0}, {6, 0}, {rm::DYN, 5}, {rm::DYN, 7}})
        CHECK(add(rm_field, frm)->illegal());
    // fcvt.d.s is exact, but a reserved rm field is still illegal
    CHECK(FpHart().run(fp_op(0x08, D, kReservedRm, 1, 2, 0)).illegal());
}

TEST_CASE("hart: flags accrue in fflags and FS becomes Dirty", "[fp][exec]") {
    FpHart m;
    m.h().csr.fflags = NX;
    m.fr(2, kOne64).fr(3, 0).run(fp_op(0x03, D, rm::RNE, 1, 2, 3));   // fdiv.d 1 / 0
    REQUIRE(m.retired());
    CHECK(m.h().f[1] == kInf64);
    CHECK(m.h().csr.fflags == (NX | DZ));
    CHECK(m.fs() == mstatus::FS_DIRTY);
    CHECK((m.h().csr.mstatus & mstatus::SD) != 0);
    FpHart q;                                             // feq on a quiet NaN: no flags, x rd only
    CHECK(q.fr(4, kQNaN64).xr(10, 7).run(fp_op(0x14, D, 2, 10, 4, 4)).retired());
    CHECK((q.h().x[10] == 0 && q.h().csr.fflags == 0 && q.fs() == mstatus::FS_INITIAL));
    FpHart l;                                             // flt signals
    CHECK(l.fr(4, kQNaN64).run(fp_op(0x14, D, 1, 10, 4, 4)).retired());
    CHECK((l.h().csr.fflags == NV && l.fs() == mstatus::FS_DIRTY));
}

TEST_CASE("hart: single-precision values are NaN-boxed in the f registers", "[fp][exec]") {
    FpHart ld;                                            // flw boxes
    ld.put64(kData, 0x123456783f800000);
    CHECK(ld.xr(10, kData).run(enc_i(LOAD_FP, 2, 1, 10, 0)).h().f[1] == 0xffffffff3f800000);
    FpHart st;                                            // fsw stores the raw low half
    st.put64(kData, ~uint64_t(0));
    CHECK(st.xr(10, kData).fr(1, 0xc0000000).run(enc_s(STORE_FP, 2, 10, 1, 0)).get64(kData) == 0xffffffffc0000000);
    // fmv.x.w sign-extends the raw low half (boxed or not); fmv.w.x boxes
    CHECK(FpHart().fr(1, 0xbf800000).run(fp_op(0x1c, S, 0, 10, 1, 0)).h().x[10] == 0xffffffffbf800000);
    CHECK(FpHart().xr(10, 0x123456783f800000).run(fp_op(0x1e, S, 0, 1, 10, 0)).h().f[1] == 0xffffffff3f800000);
    FpHart add;                                           // an unboxed input reads as the canonical NaN
    CHECK(add.fr(2, kOne32).fr(3, fp::box32(kOne32)).run(fp_op(0, S, rm::RNE, 1, 2, 3)).h().f[1] ==
          fp::box32(kCNaN32));
    CHECK(add.h().csr.fflags == 0);
    CHECK(FpHart().fr(2, 0xfffffffe3f800000).run(fp_op(0x1c, S, 1, 10, 2, 0)).h().x[10] == 1u << 9);   // fclass
}

TEST_CASE("hart: fmadd, fmsub, fnmsub, fnmadd signs", "[fp][exec]") {
    const std::pair<uint32_t, double> cases[] = {{MADD, 7.0}, {MSUB, 5.0}, {NMSUB, -5.0}, {NMADD, -7.0}};
    for (const auto& [opc, want] : cases) {               // 2 * 3 (+/-) 1
        CHECK(FpHart().fr(2, bits(2.0)).fr(3, bits(3.0)).fr(4, kOne64).run(fp_r4(opc, D, 1, 2, 3, 4)).h().f[1] ==
              bits(want));
        CHECK(FpHart()
                  .fr(2, fp::box32(kTwo32)).fr(3, fp::box32(bits(3.0f))).fr(4, fp::box32(kOne32))
                  .run(fp_r4(opc, S, 1, 2, 3, 4)).h().f[1] == fp::box32(bits(float(want))));
    }
}

TEST_CASE("hart: integer conversions use the source width and sign-extend W results", "[fp][exec]") {
    // fcvt.wu.d 3e9
    CHECK(FpHart().fr(1, bits(3e9)).run(fp_op(0x18, D, rm::RTZ, 10, 1, 1)).h().x[10] == 0xffffffffb2d05e00);
    FpHart x0;                                            // rd = x0 stays zero
    CHECK(x0.fr(1, bits(5.0)).run(fp_op(0x18, D, rm::RTZ, 0, 1, 0)).retired());
    CHECK(x0.h().x[0] == 0);
    // fcvt.d.wu and fcvt.s.w read the low 32 bits only
    CHECK(FpHart().xr(10, ~uint64_t(0)).run(fp_op(0x1a, D, rm::RNE, 1, 10, 1)).h().f[1] == bits(4294967295.0));
    CHECK(FpHart().xr(10, 0x00000001fffffffb).run(fp_op(0x1a, S, rm::RNE, 1, 10, 0)).h().f[1] ==
          fp::box32(bits(-5.0f)));
    // fcvt.s.d boxes its result
    CHECK(FpHart().fr(2, bits(0.1)).run(fp_op(0x08, S, rm::RNE, 1, 2, 1)).h().f[1] == fp::box32(bits(0.1f)));
}
