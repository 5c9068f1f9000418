// The x87 FPU: the 80-bit arithmetic (x87_float) on known bit patterns
// (exact small cases, constants, rounding boundaries worked out by hand or
// from the values' binary expansions), and the instructions through the
// core: the register stack, stack faults, masked and unmasked exceptions
// (#MF at the next waiting instruction), #NM, the environment layouts.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "isa/x86/exec.hpp"
#include "isa/x86/x87_float.hpp"
#include "tests/isa/x87_machine.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::x87;

namespace {

constexpr F80 f80(uint16_t se, uint64_t sig) { return F80{sig, se}; }
constexpr F80 kOne = f80(0x3fff, 0x8000000000000000ull), kTwo = f80(0x4000, 0x8000000000000000ull);
constexpr F80 kThree = f80(0x4000, 0xc000000000000000ull), kTen = f80(0x4002, 0xa000000000000000ull);
constexpr F80 kMax = f80(0x7ffe, ~0ull), kMinNormal = f80(0x0001, 0x8000000000000000ull);
constexpr F80 kInf = f80(0x7fff, 0x8000000000000000ull), kNegInf = f80(0xffff, 0x8000000000000000ull);
constexpr F80 kQnan = f80(0x7fff, 0xc000000000000001ull), kSnan = f80(0x7fff, 0x8000000000000001ull);
constexpr uint16_t kCwRn = 0x037f;              // all masked, 64-bit precision, nearest
constexpr uint16_t kCwRz = kCwRn | 0x0c00, kCwDown = kCwRn | 0x0400, kCwUp = kCwRn | 0x0800;
constexpr uint16_t kPc24 = kCwRn & ~0x0300, kPc53 = (kCwRn & ~0x0300) | 0x0200;

using hvemu::x86::test::neg;
using hvemu::x86::test::str;

} // namespace

TEST_CASE("x87 float: exact arithmetic and the rounding of 1/3 by RC and PC", "[x86][x87][unit]") {
    Env e{kCwRn};
    CHECK_F80(add(kOne, kOne, e), kTwo);
    CHECK_F80(sub(kOne, kThree, e), neg(kTwo));
    CHECK_F80(mul(kThree, kTen, e), f80(0x4003, 0xf000000000000000ull));   // 30
    CHECK_F80(div(kThree, kTwo, e), f80(0x3fff, 0xc000000000000000ull));   // 1.5
    CHECK(e.flags == 0);
    // 1/3 = 0.010101...: the 64-bit significand AAAA...AA is followed by 1010...
    // (above half an ulp): nearest and up round to ...AB, down and zero truncate.
    Env rn{kCwRn}, rz{kCwRz}, dn{kCwDown}, up{kCwUp};
    CHECK_F80(div(kOne, kThree, rn), f80(0x3ffd, 0xaaaaaaaaaaaaaaabull));
    CHECK(rn.flags == (sw::PE | sw::C1));
    CHECK_F80(div(kOne, kThree, rz), f80(0x3ffd, 0xaaaaaaaaaaaaaaaaull));
    CHECK(rz.flags == sw::PE);
    CHECK_F80(div(kOne, kThree, dn), f80(0x3ffd, 0xaaaaaaaaaaaaaaaaull));
    CHECK_F80(div(kOne, kThree, up), f80(0x3ffd, 0xaaaaaaaaaaaaaaabull));
    Env dn_neg{kCwDown};
    CHECK_F80(div(neg(kOne), kThree, dn_neg), f80(0xbffd, 0xaaaaaaaaaaaaaaabull));   // toward -inf: magnitude up
    // Precision control: 24 bits (AAAAAA|1010.. -> AAAAAB), 53 bits (...AAA|A8 -> 0101 pattern ends in 1, then 0101: down).
    Env p24{kPc24}, p53{kPc53};
    CHECK_F80(div(kOne, kThree, p24), f80(0x3ffd, 0xaaaaab0000000000ull));
    CHECK_F80(div(kOne, kThree, p53), f80(0x3ffd, 0xaaaaaaaaaaaaa800ull));   // the double 0x3FD5555555555555
    CHECK(p53.flags == sw::PE);
}

TEST_CASE("x87 float: square root, remainders, scale, extract, round to integer", "[x86][x87][unit]") {
    Env e{kCwRn};
    // sqrt(2) = 1.0110101000001001111001100110011111110011101111001100100100001000 0101...
    CHECK_F80(sqrt(kTwo, e), f80(0x3fff, 0xb504f333f9de6484ull));
    CHECK(e.flags == sw::PE);
    Env e2{kCwRn};
    CHECK_F80(sqrt(f80(0x4002, 0x9000000000000000ull), e2), kThree);   // sqrt(9) = 3, exact
    CHECK(e2.flags == 0);
    Env e3{kCwRn};
    CHECK_F80(sqrt(neg(kTwo), e3), kIndefinite);
    CHECK(e3.flags == sw::IE);
    CHECK_F80(sqrt(neg(F80{}), e3), neg(F80{}));   // sqrt(-0) = -0

    // 7 rem 2: FPREM truncates (q = 3, r = 1); FPREM1 rounds to even (q = 4, r = -1).
    const F80 seven = f80(0x4001, 0xe000000000000000ull);
    Env e4{kCwRn};
    Remainder r = remainder(seven, kTwo, e4, false);
    CHECK_F80(r.r, kOne);
    CHECK(r.q == 3);
    CHECK(r.complete);
    r = remainder(seven, kTwo, e4, true);
    CHECK_F80(r.r, neg(kOne));
    CHECK(r.q == 4);
    CHECK(e4.flags == 0);
    // 2^100 rem 3: the exponent difference is 99 (>= 64): a partial remainder.
    r = remainder(f80(0x3fff + 100, 0x8000000000000000ull), kThree, e4, false);
    CHECK_FALSE(r.complete);

    Env e5{kCwRn};
    CHECK_F80(scale(kOne, f80(0x4000, 0xe000000000000000ull), e5), f80(0x4002, 0x8000000000000000ull));   // 1 * 2^trunc(3.5) = 8
    CHECK_F80(scale(kOne, neg(kInf), e5), F80{});
    CHECK(e5.flags == 0);
    const Extracted x = extract(kTen, e5);   // 10 = 1.25 * 2^3
    CHECK_F80(x.exponent, kThree);
    CHECK_F80(x.significand, f80(0x3fff, 0xa000000000000000ull));

    // 2.5 and -2.5 to nearest-even: 2 and -2; 3.5: 4; 0.5 down: 0; -0.5 down: -1.
    const F80 two5 = f80(0x4000, 0xa000000000000000ull), three5 = f80(0x4000, 0xe000000000000000ull);
    const F80 half = f80(0x3ffe, 0x8000000000000000ull);
    Env e6{kCwRn};
    CHECK_F80(round_to_int(two5, e6), kTwo);
    CHECK_F80(round_to_int(neg(two5), e6), neg(kTwo));
    CHECK_F80(round_to_int(three5, e6), f80(0x4001, 0x8000000000000000ull));
    CHECK((e6.flags & sw::PE) != 0);
    Env e7{kCwDown};
    CHECK_F80(round_to_int(half, e7), F80{});
    CHECK_F80(round_to_int(neg(half), e7), neg(kOne));
}

TEST_CASE("x87 float: overflow, underflow and denormals", "[x86][x87][unit]") {
    Env e{kCwRn};
    CHECK_F80(mul(kMax, kTwo, e), kInf);
    CHECK(e.flags == (sw::OE | sw::PE | sw::C1));
    Env z{kCwRz};
    CHECK_F80(mul(kMax, kTwo, z), kMax);
    CHECK(z.flags == (sw::OE | sw::PE));
    // Unmasked OE on the stack: the exponent comes back biased by -24576.
    Env u{static_cast<uint16_t>(kCwRn & ~sw::OE)};
    CHECK_F80(mul(kMax, kTwo, u), f80(0x7fff - 24576, ~0ull));
    CHECK(u.flags == sw::OE);
    // minNormal / 2: an exact denormal: no UE while masked (not inexact).
    Env d{kCwRn};
    CHECK_F80(div(kMinNormal, kTwo, d), f80(0x0000, 0x4000000000000000ull));
    CHECK(d.flags == 0);
    // minNormal / 3: tiny and inexact: UE and PE.
    Env d3{kCwRn};
    const F80 r = div(kMinNormal, kThree, d3);
    CHECK(r.exp() == 0);
    CHECK(d3.flags == (sw::UE | sw::PE | sw::C1));   // 0.0101..b: rounded up
    // A denormal operand raises DE.
    Env dd{kCwRn};
    CHECK_F80(add(f80(0, 1), f80(0, 1), dd), f80(0, 2));
    CHECK(dd.flags == sw::DE);
    CHECK(classify(f80(0, 0x8000000000000000ull)) == Class::Denormal);   // pseudo-denormal
    CHECK(classify(f80(0x3fff, 0x4000000000000000ull)) == Class::Unsupported);   // unnormal
    // DE also with an infinite other operand, but not for a NaN one or a zero divisor.
    Env di{kCwRn};
    CHECK_F80(add(kNegInf, f80(0, 5), di), kNegInf);
    CHECK(di.flags == sw::DE);
    Env dn{kCwRn};
    CHECK_F80(add(kQnan, f80(0, 5), dn), kQnan);
    CHECK_F80(div(f80(0, 5), F80{}, dn), kInf);
    CHECK(dn.flags == sw::ZE);
    Env inv{kCwRn};
    CHECK_F80(add(f80(0x3fff, 0x4000000000000000ull), kOne, inv), kIndefinite);
    CHECK(inv.flags == sw::IE);
}

TEST_CASE("x87 float: NaNs, invalid operations, comparisons", "[x86][x87][unit]") {
    Env e{kCwRn};
    CHECK_F80(add(kInf, kNegInf, e), kIndefinite);
    CHECK(e.flags == sw::IE);
    Env e2{kCwRn};
    CHECK_F80(mul(F80{}, kInf, e2), kIndefinite);
    CHECK_F80(div(F80{}, F80{}, e2), kIndefinite);
    Env z{kCwRn};
    CHECK_F80(div(neg(kOne), F80{}, z), kNegInf);
    CHECK(z.flags == sw::ZE);
    // An SNaN and a QNaN: the QNaN; an SNaN alone: quieted, IE.
    Env n{kCwRn};
    CHECK_F80(add(kSnan, kQnan, n), kQnan);
    CHECK(n.flags == sw::IE);
    Env n2{kCwRn};
    CHECK_F80(mul(kOne, kSnan, n2), f80(0x7fff, 0xc000000000000001ull));
    // Two QNaNs: the larger significand, whatever the order.
    const F80 big = f80(0xffff, 0xc000000000000100ull);
    Env n3{kCwRn};
    CHECK_F80(sub(kQnan, big, n3), big);
    CHECK_F80(sub(big, kQnan, n3), big);
    CHECK(n3.flags == 0);
    Env c{kCwRn};
    CHECK(compare(kOne, kTwo, c, false) == Order::Less);
    CHECK(compare(kTwo, kOne, c, false) == Order::Greater);
    CHECK(compare(F80{}, neg(F80{}), c, false) == Order::Equal);
    CHECK(compare(kNegInf, neg(kMax), c, false) == Order::Less);
    CHECK(c.flags == 0);
    CHECK(compare(kQnan, kOne, c, true) == Order::Unordered);
    CHECK(c.flags == 0);   // quiet: no IE for a QNaN
    CHECK(compare(kQnan, kOne, c, false) == Order::Unordered);
    CHECK(c.flags == sw::IE);
}

TEST_CASE("x87 float: conversions and constants", "[x86][x87][unit]") {
    Env e{kCwRn};
    CHECK_F80(from_f32(0x3f800000u, e), kOne);
    CHECK_F80(from_f64(0xc024000000000000ull, e), neg(kTen));
    CHECK(e.flags == 0);
    CHECK_F80(from_f32(0x00000001u, e), f80(0x3fff - 149, 0x8000000000000000ull));   // 2^-149, a float32 denormal
    CHECK(e.flags == sw::DE);
    Env s{kCwRn};
    CHECK_F80(from_f32(0x7f800001u, s), f80(0x7fff, 0xc000010000000000ull));   // SNaN: quieted, IE
    CHECK(s.flags == sw::IE);
    // Stores round to the format: 1/3 -> 0x3EAAAAAB (float), 0x3FD5555555555555 (double).
    Env t{kCwRn};
    const F80 third = f80(0x3ffd, 0xaaaaaaaaaaaaaaabull);
    CHECK(to_f32(third, t) == 0x3eaaaaabu);
    CHECK(to_f64(third, t) == 0x3fd5555555555555ull);
    CHECK(to_f32(kMax, t) == 0x7f800000u);   // overflow to infinity
    CHECK((t.flags & (sw::OE | sw::PE)) == (sw::OE | sw::PE));
    Env tz{kCwRz};
    CHECK(to_f32(kMax, tz) == 0x7f7fffffu);
    Env tn{kCwRn};
    CHECK(to_f64(kIndefinite, tn) == 0xfff8000000000000ull);
    CHECK(to_f32(f80(0x3fff - 140, 0xc000000000000000ull), tn) == 0x00000300u);   // 1.5 * 2^-140 = 768 * 2^-149: a float denormal, exact
    CHECK(tn.flags == 0);
    // Integers: round by RC, range-checked.
    Env ie{kCwRn};
    CHECK(to_int(f80(0x4000, 0xa000000000000000ull), 32, ie, false) == 2);     // 2.5 -> 2
    CHECK(to_int(f80(0xc000, 0xe000000000000000ull), 32, ie, false) == -4);    // -3.5 -> -4
    CHECK(to_int(f80(0xc000, 0xe000000000000000ull), 32, ie, true) == -3);     // truncated
    CHECK(ie.flags == (sw::PE | sw::C1));
    Env ov{kCwRn};
    CHECK(to_int(f80(0x400e, 0x8000000000000000ull), 16, ov, false) == -32768);   // 32768: out of range
    CHECK(ov.flags == sw::IE);
    CHECK(to_int(f80(0xc00e, 0x8000000000000000ull), 16, ie, false) == -32768);   // -32768 fits
    CHECK_F80(from_int(-1), neg(kOne));
    CHECK_F80(from_int(INT64_MIN), f80(0xc03e, 0x8000000000000000ull));
    // BCD: 1234 and back.
    const uint8_t bcd[10] = {0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0x80};
    CHECK_F80(from_bcd(bcd), neg(f80(0x4009, 0x9a40000000000000ull)));
    uint8_t out[10];
    Env b{kCwRn};
    REQUIRE(to_bcd(from_bcd(bcd), b, out));
    CHECK(std::memcmp(out, bcd, 10) == 0);
    // Constants: pi = C90FDAA2 2168C234 C4..., log2(10) = D49A784B CD1B8AFE 49...
    CHECK_F80(constant(Const::Pi, Nearest), f80(0x4000, 0xc90fdaa22168c235ull));
    CHECK_F80(constant(Const::Pi, Down), f80(0x4000, 0xc90fdaa22168c234ull));
    CHECK_F80(constant(Const::L2T, Nearest), f80(0x4000, 0xd49a784bcd1b8afeull));
    CHECK_F80(constant(Const::L2T, Up), f80(0x4000, 0xd49a784bcd1b8affull));
    CHECK_F80(constant(Const::L2E, Nearest), f80(0x3fff, 0xb8aa3b295c17f0bcull));
    CHECK_F80(constant(Const::Lg2, Nearest), f80(0x3ffd, 0x9a209a84fbcff799ull));
    CHECK_F80(constant(Const::Ln2, Zero), f80(0x3ffe, 0xb17217f7d1cf79abull));
}

// ---- the instructions, through the core (64-bit mode, flat, identity-mapped)

namespace {

using hvemu::x86::test::kCode;
using hvemu::x86::test::kData;
using hvemu::x86::test::kHandler;
using hvemu::x86::test::kStack;
using Machine = hvemu::x86::test::X87Machine;

} // namespace

TEST_CASE("x87 insns: loads, arithmetic and stores through memory", "[x86][x87][unit]") {
    Machine m;
    m.mem.write(kData, 4, 7);                        // int32 7
    m.mem.write(kData + 8, 8, 0x4008000000000000);   // double 3.0
    // fild dword [rsi] ; fdiv qword [rsi+8] ; fst dword [rsi+16] ; fstp qword [rsi+24]
    REQUIRE(m.run({0xdb, 0x06, 0xdc, 0x76, 0x08, 0xd9, 0x56, 0x10, 0xdd, 0x5e, 0x18}) == StopReason::Halt);
    CHECK(m.get(kData + 16, 4) == 0x40155555);            // 7/3 as float (rounded down at bit 24)
    CHECK(m.get(kData + 24, 8) == 0x4002aaaaaaaaaaabull);   // 7/3 as double
    CHECK(m.top() == 0);
    CHECK(m.core->ftw == 0);
    CHECK((m.core->fsw & sw::PE) != 0);

    Machine m2;
    // fldpi ; fld1 ; fsubp st1 (DE E9: st1 = st1 - st0) ; fstp tword [rsi] ; fld1 ; fchs ; fistp word [rsi+16]
    REQUIRE(m2.run({0xd9, 0xeb, 0xd9, 0xe8, 0xde, 0xe9, 0xdb, 0x3e, 0xd9, 0xe8, 0xd9, 0xe0, 0xdf, 0x5e, 0x10}) ==
            StopReason::Halt);
    // pi - 1 = 2.14159...: exponent 0x4000, significand (pi - 1) / 2 scaled
    CHECK(m2.get(kData + 8, 2) == 0x4000);
    CHECK(m2.get(kData, 8) == 0x890fdaa22168c235ull);
    CHECK(m2.get(kData + 16, 2) == 0xffff);
    CHECK(m2.core->ftw == 0);

    Machine m3;
    m3.mem.write(kData, 8, 0x8000000000000000ull);   // fistp of 1e30 overflows int64
    // fld1 ; fld1 ; fadd st0, st1 (2) ; fsqrt ; fmul st0, st0 ; fistp qword [rsi] ; fstp st0
    REQUIRE(m3.run({0xd9, 0xe8, 0xd9, 0xe8, 0xd8, 0xc1, 0xd9, 0xfa, 0xd8, 0xc8, 0xdf, 0x3e, 0xdd, 0xd8}) ==
            StopReason::Halt);
    CHECK(m3.get(kData, 8) == 2);   // sqrt(2)^2 rounds back to 2 (2.0000000000000000001 rounded to an integer)
    CHECK(m3.core->ftw == 0);
}

TEST_CASE("x87 insns: stack overflow and underflow, masked responses", "[x86][x87][unit]") {
    Machine m;
    std::vector<uint8_t> p;
    for (int k = 0; k < 9; ++k) p.insert(p.end(), {0xd9, 0xe8});   // 9 x fld1
    REQUIRE(m.run(p) == StopReason::Halt);
    CHECK((m.core->fsw & (sw::IE | sw::SF | sw::C1)) == (sw::IE | sw::SF | sw::C1));
    CHECK(str(m.st(0)) == str(kIndefinite));
    CHECK(m.core->ftw == 0xff);
    CHECK((m.core->fsw & sw::ES) == 0);   // masked

    Machine m2;
    // fstp st0 on an empty stack: underflow (C1 = 0), IE SF; fnstsw ax
    REQUIRE(m2.run({0xdd, 0xd8, 0xdf, 0xe0}) == StopReason::Halt);
    CHECK((m2.core->gpr[0] & 0xffff) == (sw::IE | sw::SF | 1u << 11));   // and TOP = 1 after the pop
    // fadd st0, st1 on an empty stack with IE masked: ST(0) = indefinite
    Machine m3;
    REQUIRE(m3.run({0xd8, 0xc1}) == StopReason::Halt);
    CHECK(str(m3.st(0)) == str(kIndefinite));
}

TEST_CASE("x87 insns: unmasked exceptions are taken as #MF at the next waiting instruction", "[x86][x87][unit]") {
    Machine m;
    m.mem.write(kData, 2, 0x037b);   // ZM unmasked
    // fldcw [rsi] ; fld1 ; fldz ; fdivp st1 (1/0: ZE) ; nop ; fwait
    REQUIRE(m.run({0xd9, 0x2e, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x90, 0x9b}) == StopReason::Halt);
    CHECK(m.vector() == 16);
    CHECK((m.core->fsw & (sw::ZE | sw::ES | sw::B)) == (sw::ZE | sw::ES | sw::B));
    CHECK(m.top() == 6);   // unmasked: no result, no pop
    CHECK(m.get(kStack - 40, 8) == kCode + 9);   // the #MF frame (SS, RSP, RFLAGS, CS, RIP) points at the FWAIT
    CHECK(m.core->fip == kCode + 6);             // the instruction that raised ZE
    CHECK(m.core->fop == ((6u << 8) | 0xf9));

    Machine m2;
    m2.core->cr0 &= ~(1ull << 5);   // CR0.NE = 0: FERR# is not modelled, nothing is delivered
    m2.mem.write(kData, 2, 0x037b);
    REQUIRE(m2.run({0xd9, 0x2e, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x9b}) == StopReason::Halt);
    CHECK(m2.vector() == -1);
    // FNCLEX (no-wait) then FWAIT: nothing pending.
    Machine m3;
    m3.mem.write(kData, 2, 0x037b);
    REQUIRE(m3.run({0xd9, 0x2e, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0xdb, 0xe2, 0x9b}) == StopReason::Halt);
    CHECK(m3.vector() == -1);
    CHECK((m3.core->fsw & 0xff) == 0);
}

TEST_CASE("x87 insns: CR0.EM and CR0.TS give #NM; WAIT only with MP and TS", "[x86][x87][unit]") {
    Machine m;
    m.core->cr0 |= 1u << 3;   // TS
    REQUIRE(m.run({0xd9, 0xe8}) == StopReason::Halt);
    CHECK(m.vector() == 7);
    Machine m2;
    m2.core->cr0 |= 1u << 2;   // EM
    REQUIRE(m2.run({0x9b, 0xd9, 0xe8}) == StopReason::Halt);
    CHECK(m2.vector() == 7);
    CHECK(m2.get(kStack - 40, 8) == kCode + 1);   // WAIT passed (EM does not apply to it)
    Machine m3;
    m3.core->cr0 |= (1u << 3) | (1u << 1);   // TS, MP
    REQUIRE(m3.run({0x9b}) == StopReason::Halt);
    CHECK(m3.vector() == 7);
}

TEST_CASE("x87 insns: compares to C3 C2 C0 and to EFLAGS, FCMOV, FXAM, FXCH", "[x86][x87][unit]") {
    Machine m;
    // fld1 ; fldz ; fcomi st1 (0 < 1: CF) ; setb al ; fucomip st1 ; fcom st0? ; fxam ; fnstsw ax
    // fld1 ; fldz ; fcomi st0, st1 ; setc bl ; fxch st1 ; fcom st1 (1 > 0: C3 C2 C0 = 000) ; fnstsw ax
    REQUIRE(m.run({0xd9, 0xe8, 0xd9, 0xee, 0xdb, 0xf1, 0x0f, 0x92, 0xc3, 0xd9, 0xc9, 0xd8, 0xd1, 0xdf, 0xe0}) ==
            StopReason::Halt);
    CHECK((m.core->gpr[3] & 0xff) == 1);
    CHECK((m.core->gpr[0] & (sw::C0 | sw::C2 | sw::C3)) == 0);
    CHECK(str(m.st(0)) == str(kOne));
    Machine m2;
    // fldz ; fld1 ; stc ; fcmovb st0, st1 (CF: ST0 = 0) ; fxam ; fnstsw ax
    REQUIRE(m2.run({0xd9, 0xee, 0xd9, 0xe8, 0xf9, 0xda, 0xc1, 0xd9, 0xe5, 0xdf, 0xe0}) == StopReason::Halt);
    CHECK((m2.core->gpr[0] & (sw::C0 | sw::C1 | sw::C2 | sw::C3)) == sw::C3);   // +zero
    Machine m3;
    // fxam on an empty ST(0): C3 C0 (empty)
    REQUIRE(m3.run({0xd9, 0xe5, 0xdf, 0xe0}) == StopReason::Halt);
    CHECK((m3.core->gpr[0] & (sw::C0 | sw::C2 | sw::C3)) == (sw::C3 | sw::C0));
    Machine m4;
    // fldpi ; fld1 ; fcompp ; fnstsw ax: 1 < pi: C0; both popped
    REQUIRE(m4.run({0xd9, 0xeb, 0xd9, 0xe8, 0xde, 0xd9, 0xdf, 0xe0}) == StopReason::Halt);
    CHECK((m4.core->gpr[0] & (sw::C0 | sw::C2 | sw::C3)) == sw::C0);
    CHECK(m4.core->ftw == 0);
}

TEST_CASE("x87 insns: FNSTENV and FNSAVE/FRSTOR images", "[x86][x87][unit]") {
    Machine m;
    // fld1 ; fldz ; fadd qword [rsi+0x80] ; fnstenv [rsi]
    m.mem.write(kData + 0x80, 8, 0x3ff0000000000000ull);
    REQUIRE(m.run({0xd9, 0xe8, 0xd9, 0xee, 0xdc, 0x86, 0x80, 0x00, 0x00, 0x00, 0xd9, 0x36}) == StopReason::Halt);
    CHECK(m.get(kData, 4) == 0xffff037f);                      // FCW (then all masked)
    CHECK(m.get(kData + 4, 2) == (6u << 11));                  // TOP = 6
    CHECK(m.get(kData + 8, 2) == 0x0fff);                      // physical 7 and 6 valid, the rest empty
    CHECK(m.get(kData + 12, 4) == kCode + 4);                  // FIP: the FADD
    CHECK(m.get(kData + 16, 4) == ((0x4u << 8 | 0x86) << 16 | 0x08));    // FOP 4:86, FCS
    CHECK(m.get(kData + 20, 4) == kData + 0x80);               // FDP
    CHECK(m.core->fcw == 0x37f);

    Machine m2;
    // fldpi ; fld1 ; fnsave [rsi] ; fld1 (into the empty stack) ; frstor [rsi]
    REQUIRE(m2.run({0xd9, 0xeb, 0xd9, 0xe8, 0xdd, 0x36, 0xd9, 0xe8, 0xdd, 0x26}) == StopReason::Halt);
    CHECK(m2.get(kData + 28, 8) == 0x8000000000000000ull);       // ST(0) = 1 after the 28-byte environment
    CHECK(m2.get(kData + 38, 8) == 0xc90fdaa22168c235ull);       // ST(1) = pi
    CHECK(m2.top() == 6);
    CHECK(m2.core->ftw == 0xc0);
    CHECK(str(m2.st(1)) == str(f80(0x4000, 0xc90fdaa22168c235ull)));
}

TEST_CASE("x87 insns: reversed forms, integer and BCD memory operands, FLDENV moves TOP", "[x86][x87][unit]") {
    Machine m;
    m.mem.write(kData, 2, 10);   // int16 10
    // fld1 ; fldpi ; fsubr st1, st0 (DC E1: ST1 = ST0 - ST1 = pi - 1) ; fisubr word [rsi] (ST0 = 10 - pi) ;
    // fbstp [rsi+16] (7, rounded) ; fistp dword [rsi+32] (pi - 1 -> 2)
    REQUIRE(m.run({0xd9, 0xe8, 0xd9, 0xeb, 0xdc, 0xe1, 0xde, 0x2e, 0xdf, 0x76, 0x10, 0xdb, 0x5e, 0x20}) ==
            StopReason::Halt);
    CHECK(m.get(kData + 16, 8) == 0x07);
    CHECK(m.get(kData + 24, 2) == 0);
    CHECK(m.get(kData + 32, 4) == 2);
    CHECK(m.core->ftw == 0);

    Machine m2;
    // fld1 ; fnstenv [rsi] ; fninit ; fldenv [rsi]: TOP 7, ST(0) = 1 again
    REQUIRE(m2.run({0xd9, 0xe8, 0xd9, 0x36, 0xdb, 0xe3, 0xd9, 0x26}) == StopReason::Halt);
    CHECK(m2.top() == 7);
    CHECK(m2.core->ftw == 0x80);
    CHECK(str(m2.st(0)) == str(kOne));
    CHECK(m2.core->fcw == 0x37f);

    Machine m3;
    // D9 F0-FF are all defined; the holes of D9 (here D9 D1) are #UD.
    REQUIRE(m3.run({0xd9, 0xe8, 0xd9, 0xd1}) == StopReason::Halt);
    CHECK(m3.vector() == 6);
}
