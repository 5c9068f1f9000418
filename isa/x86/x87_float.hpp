// The x87's 80-bit extended-precision arithmetic in software: pure functions
// on encodings, with the FCW's rounding and precision control, the x87
// exception flags and C1 (round-up), the x87 NaN rules (SDM Vol.1 4.8.3.5,
// Table 4-7) and the real-indefinite QNaN for invalid results. Tininess is
// detected after rounding with unbounded exponent (SDM Vol.1 4.9.1.5). No
// host floating-point type or environment is used, so results are the same
// on every host.
#pragma once
#include <cstdint>

namespace hvemu::x86::x87 {

// An 80-bit register: significand with the explicit integer bit (J, bit 63)
// and sign:exponent (bit 15 sign, bits 14:0 biased exponent).
struct F80 {
    uint64_t sig = 0;
    uint16_t se = 0;
    bool sign() const { return se >> 15; }
    uint16_t exp() const { return se & 0x7fff; }
    bool operator==(const F80&) const = default;
};
constexpr int kBias = 16383;
constexpr F80 kIndefinite{0xc000000000000000ull, 0xffff};   // the real indefinite (a QNaN)

// FSW bits; the operations raise the exception bits and C1 into Env::flags.
namespace sw {
constexpr uint16_t IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4, PE = 1u << 5;
constexpr uint16_t SF = 1u << 6, ES = 1u << 7, C0 = 1u << 8, C1 = 1u << 9, C2 = 1u << 10, C3 = 1u << 14;
constexpr uint16_t B = 1u << 15, TopShift = 11, TopMask = 7u << 11;
constexpr uint16_t Exceptions = 0x3f;
} // namespace sw

// Rounding control (FCW.RC) values.
enum Rc : unsigned { Nearest = 0, Down = 1, Up = 2, Zero = 3 };

// The FCW an operation runs under and the flags it raised.
struct Env {
    uint16_t cw = 0x37f;
    uint16_t flags = 0;
    unsigned rc() const { return (cw >> 10) & 3; }
    // Significand bits results are rounded to: PC 00 = 24, 10 = 53, 11 = 64
    // (01 is reserved; it rounds to 64 bits here).
    int precision() const { return ((cw >> 8) & 3) == 0 ? 24 : ((cw >> 8) & 3) == 2 ? 53 : 64; }
    bool masked(uint16_t e) const { return (cw & e) != 0; }
    void raise(uint16_t e) { flags |= e; }
    // DE raised and unmasked: the instruction stops before computing.
    bool stopped() const { return (flags & sw::DE) && !masked(sw::DE); }
};

enum class Class : uint8_t { Zero, Normal, Denormal, Inf, QNaN, SNaN, Unsupported };
// Denormal includes pseudo-denormals (exponent 0, J = 1), which the x87
// takes as operands; Unsupported: unnormals, pseudo-NaNs, pseudo-infinities.
Class classify(F80 a);
inline bool is_nan(F80 a) { const Class k = classify(a); return k == Class::QNaN || k == Class::SNaN; }

// Arithmetic. Register destinations: an unmasked OE/UE delivers the result
// with its exponent biased by -/+24576, as the SDM says for the stack.
F80 add(F80 a, F80 b, Env& e);
F80 sub(F80 a, F80 b, Env& e);
F80 mul(F80 a, F80 b, Env& e);
F80 div(F80 a, F80 b, Env& e);
F80 sqrt(F80 a, Env& e);
F80 round_to_int(F80 a, Env& e);                 // FRNDINT (RC, not PC)
F80 scale(F80 a, F80 b, Env& e);                 // FSCALE: a * 2^trunc(b)
// FXTRACT: exponent (as a value) and significand (exponent 0).
struct Extracted { F80 exponent, significand; };
Extracted extract(F80 a, Env& e);
// FPREM (ieee = false: truncating quotient) and FPREM1 (ieee: nearest-even
// quotient). complete: the remainder is final (C2 = 0); q: the low three
// quotient bits (C0 = q2, C3 = q1, C1 = q0).
struct Remainder { F80 r; unsigned q = 0; bool complete = true; };
Remainder remainder(F80 a, F80 b, Env& e, bool ieee);

// Compare: quiet (FUCOM*) raises IE only for SNaN operands, signalling
// (FCOM*, FICOM*, FTST) for any NaN.
enum class Order : uint8_t { Less, Equal, Greater, Unordered };
Order compare(F80 a, F80 b, Env& e, bool quiet);

// Conversions. from_*: loads (exact; SNaN sources raise IE and are
// quieted, denormal sources raise DE). to_f32/to_f64: stores rounded by RC
// to the destination format; with an unmasked IE/OE/UE nothing is stored.
F80 from_int(int64_t v);
F80 from_f32(uint32_t v, Env& e);
F80 from_f64(uint64_t v, Env& e);
uint32_t to_f32(F80 a, Env& e);
uint64_t to_f64(F80 a, Env& e);
// FIST/FISTP (truncate = false, RC) and FISTTP (truncate): a 16/32/64-bit
// integer; out of range or NaN: IE and the integer indefinite (the most
// negative value).
int64_t to_int(F80 a, unsigned bits, Env& e, bool truncate);
// FBLD/FBSTP: 18-digit packed BCD (10 bytes, sign in bit 79).
F80 from_bcd(const uint8_t bcd[10]);
bool to_bcd(F80 a, Env& e, uint8_t bcd[10]);     // false: IE (the caller stores the BCD indefinite if masked)

// The constants of FLD1 ... FLDLN2, rounded by RC from their 66-bit value.
enum class Const : uint8_t { One, L2T, L2E, Pi, Lg2, Ln2, Zero };
F80 constant(Const k, unsigned rc);

// NaN propagation for two operands (Table 4-7): the QNaN of an SNaN/QNaN
// pair, the larger significand of two NaNs of the same kind; SNaNs raise IE.
F80 propagate_nan(F80 a, F80 b, Env& e);

// For the transcendentals (x87_transcendental.cpp): (-1)^s * (hi:lo) *
// 2^(e - 127), hi:lo != 0, rounded by RC to 64 bits (not PC) with PE, UE,
// OE and C1, as FRNDINT and FSCALE round.
F80 round_wide(bool s, int32_t e, uint64_t hi, uint64_t lo, Env& env);

} // namespace hvemu::x86::x87
