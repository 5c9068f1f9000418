// IEEE 754 binary32/binary64 arithmetic in software, shared by the
// architectures: pure functions on encodings, no host floating-point state
// read or written, so results are the same on every host. What differs
// between architectures (which NaN a result carries, whether exact tiny
// results are reported, what an out-of-range integer conversion returns)
// is a Rules value, a template argument; tininess is detected after
// rounding, as both RISC-V and x86 SSE do.
#pragma once
#include <cstdint>

namespace hvemu::isa::fp {

// A binary interchange format: U holds an encoding.
template <class U_, int kExpBits_, int kFracBits_> struct Format {
    using U = U_;
    static constexpr int kBits = int(sizeof(U) * 8);
    static constexpr int kExpBits = kExpBits_;
    static constexpr int kFracBits = kFracBits_;
    static constexpr int kBias = (1 << (kExpBits - 1)) - 1;
    static constexpr int kExpMax = (1 << kExpBits) - 1;        // the exponent field of inf/NaN
    static constexpr U kSign = U(1) << (kBits - 1);
    static constexpr U kFracMask = (U(1) << kFracBits) - 1;
    static constexpr U kQuiet = U(1) << (kFracBits - 1);
    static constexpr U kInf = U(kExpMax) << kFracBits;
    static constexpr U kCanonicalNaN = kInf | kQuiet;          // positive, quiet, zero payload

    static constexpr bool sign(U a) { return (a >> (kBits - 1)) != 0; }
    static constexpr int exp(U a) { return int((a >> kFracBits) & U(kExpMax)); }
    static constexpr U frac(U a) { return a & kFracMask; }
    static constexpr bool is_nan(U a) { return U(a & ~kSign) > kInf; }
    static constexpr bool is_snan(U a) { return is_nan(a) && !(a & kQuiet); }
    static constexpr bool is_inf(U a) { return U(a & ~kSign) == kInf; }
    static constexpr bool is_zero(U a) { return U(a & ~kSign) == 0; }
    static constexpr bool is_subnormal(U a) { return exp(a) == 0 && frac(a) != 0; }
};
using F32 = Format<uint32_t, 8, 23>;
using F64 = Format<uint64_t, 11, 52>;

// Exception flags, accumulated into a uint32_t. The five IEEE flags have
// the bit positions of RISC-V's fflags. Tiny is raised only under
// Rules::report_tiny: a nonzero result was tiny (after rounding), exact or
// not (x86 reports underflow that way when the exception is unmasked).
namespace flag {
constexpr uint32_t Inexact = 1, Underflow = 2, Overflow = 4, DivByZero = 8, Invalid = 16, Tiny = 32;
}
// Rounding directions (RISC-V's rm encoding).
namespace round {
constexpr uint8_t NearEven = 0, ToZero = 1, Down = 2, Up = 3, NearMaxMag = 4;
}

enum class NanRule : uint8_t {
    Canonical,      // every NaN result is the canonical (positive) quiet NaN (RISC-V)
    FirstOperand,   // the first NaN operand, quietened; invalid operations give the negative
                    // default NaN, "QNaN floating-point indefinite" (x86 SSE)
};
struct Rules {
    NanRule nan;
    bool report_tiny;      // raise flag::Tiny too
    bool int_indefinite;   // float -> int out of range or NaN: the most negative integer (x86)
                           // instead of the saturated value (RISC-V)
};
inline constexpr Rules kRiscvRules{NanRule::Canonical, false, false};
inline constexpr Rules kX86SseRules{NanRule::FirstOperand, true, true};

// The NaN an invalid operation produces.
template <class F, Rules R> constexpr typename F::U default_nan() {
    return R.nan == NanRule::Canonical ? F::kCanonicalNaN : typename F::U(F::kSign | F::kCanonicalNaN);
}

// Arithmetic; rm is one of round::*.
template <class F, Rules R> typename F::U add(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags);
template <class F, Rules R> typename F::U sub(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags);
template <class F, Rules R> typename F::U mul(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags);
template <class F, Rules R> typename F::U div(typename F::U a, typename F::U b, uint8_t rm, uint32_t& flags);
template <class F, Rules R> typename F::U sqrt(typename F::U a, uint8_t rm, uint32_t& flags);
// a * b + c with one rounding.
template <class F, Rules R>
typename F::U fma(typename F::U a, typename F::U b, typename F::U c, uint8_t rm, uint32_t& flags);

// IEEE 754-2019 minimumNumber/maximumNumber: -0 < +0; one NaN -> the other
// operand; signaling NaNs raise Invalid.
template <class F, Rules R> typename F::U minimum_number(typename F::U a, typename F::U b, uint32_t& flags);
template <class F, Rules R> typename F::U maximum_number(typename F::U a, typename F::U b, uint32_t& flags);

// Comparisons. eq is quiet (Invalid for signaling NaNs only); lt and le
// signal on any NaN. compare() gives the relation, signalling on any NaN
// when `signaling`, else on signaling NaNs only.
template <class F> bool eq(typename F::U a, typename F::U b, uint32_t& flags);
template <class F> bool lt(typename F::U a, typename F::U b, uint32_t& flags);
template <class F> bool le(typename F::U a, typename F::U b, uint32_t& flags);
enum class Relation : uint8_t { Less, Equal, Greater, Unordered };
template <class F> Relation compare(typename F::U a, typename F::U b, bool signaling, uint32_t& flags);

// Float to integer, rounding with rm; NaN and out-of-range values raise
// Invalid and give the Rules' result. 32-bit results are returned
// sign-extended to 64 bits.
template <class F, Rules R> uint64_t to_i32(typename F::U a, uint8_t rm, uint32_t& flags);
template <class F, Rules R> uint64_t to_u32(typename F::U a, uint8_t rm, uint32_t& flags);
template <class F, Rules R> uint64_t to_i64(typename F::U a, uint8_t rm, uint32_t& flags);
template <class F, Rules R> uint64_t to_u64(typename F::U a, uint8_t rm, uint32_t& flags);
// Integer to float (32-bit sources are these with a widened value).
template <class F, Rules R> typename F::U from_i64(int64_t v, uint8_t rm, uint32_t& flags);
template <class F, Rules R> typename F::U from_u64(uint64_t v, uint8_t rm, uint32_t& flags);
// Between the formats.
template <Rules R> uint64_t f32_to_f64(uint32_t a, uint32_t& flags);
template <Rules R> uint32_t f64_to_f32(uint64_t a, uint8_t rm, uint32_t& flags);

} // namespace hvemu::isa::fp
