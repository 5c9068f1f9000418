// The x87 transcendentals in software: FSIN, FCOS, FSINCOS, FPTAN, FPATAN,
// F2XM1, FYL2X, FYL2XP1 as pure functions on 80-bit encodings. They are
// computed in a wider internal format (128-bit significands; the argument
// reduction of the trigonometric functions uses 384 bits of 2/pi, better
// than the SDM's 66-bit pi) and rounded once by RC to 64 bits through
// x87_float's rounding (PE, UE, OE and C1 as for the other operations; PC
// does not govern these instructions, SDM Vol.1 8.1.5.2). Special operands
// follow the SDM's table for each instruction. No host floating-point type
// or library is used, so results are the same on every host.
#pragma once
#include "isa/x86/x87_float.hpp"

namespace hvemu::x86::x87 {

// FSIN, FCOS, FSINCOS, FPTAN take |x| < 2^63; a larger finite operand is
// out of range: the instruction sets C2 and leaves the stack unchanged.
bool trig_in_range(F80 a);

F80 sin(F80 a, Env& e);
F80 cos(F80 a, Env& e);
// FSINCOS and FPTAN produce two values (a NaN or invalid operand gives the
// same NaN in both; FPTAN's second value is otherwise +1).
struct Pair { F80 first, second; };
Pair sincos(F80 a, Env& e);   // {sin, cos}
Pair tan(F80 a, Env& e);      // {tan, 1.0}

F80 atan2(F80 y, F80 x, Env& e);      // FPATAN: arctan(ST(1) / ST(0)) with the quadrant of the signs
// F2XM1: 2^x - 1. Defined by the SDM for -1 <= x <= 1; other finite
// operands get the exact value rounded as well (overflowing to +inf above
// 2^14, tending to -1 below).
F80 exp2m1(F80 x, Env& e);
F80 ylog2x(F80 y, F80 x, Env& e);     // FYL2X: y * log2(x)
// FYL2XP1: y * log2(x + 1), defined for |x| < 1 - sqrt(2)/2; larger
// operands are computed as FYL2X of (x + 1) rounded to 128 bits.
F80 ylog2xp1(F80 y, F80 x, Env& e);

} // namespace hvemu::x86::x87
