// The x87 transcendentals: correctly rounded results checked against the
// 80-bit encodings of values taken from their known decimal/binary
// expansions (written here as hex), exact cases, the SDM's special-operand
// tables, the directed roundings of small arguments, a sweep against the
// double-precision library within a tolerance, and the instructions through
// the core (stack effects, C2 out of range, stack faults).
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "isa/x86/exec.hpp"
#include "isa/x86/x87_float.hpp"
#include "isa/x86/x87_transcendental.hpp"
#include "tests/isa/x87_machine.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::x87;

namespace {

constexpr F80 f80(uint16_t se, uint64_t sig) { return F80{sig, se}; }
constexpr uint64_t kJ = 0x8000000000000000ull;
constexpr F80 kZero = f80(0, 0), kNegZero = f80(0x8000, 0);
constexpr F80 kOne = f80(0x3fff, kJ), kNegOne = f80(0xbfff, kJ), kHalf = f80(0x3ffe, kJ), kQuarter = f80(0x3ffd, kJ);
constexpr F80 kTwo = f80(0x4000, kJ), kThree = f80(0x4000, 0xc000000000000000ull), kEight = f80(0x4002, kJ);
constexpr F80 kTen = f80(0x4002, 0xa000000000000000ull), kHundred = f80(0x4005, 0xc800000000000000ull);
constexpr F80 kInf = f80(0x7fff, kJ), kNegInf = f80(0xffff, kJ);
constexpr F80 kQnan = f80(0x7fff, 0xc000000000000001ull), kSnan = f80(0x7fff, 0x8000000000000001ull);
constexpr uint16_t kCwRn = 0x037f, kCwRz = kCwRn | 0x0c00, kCwUp = kCwRn | 0x0800;

// Correctly rounded (nearest) encodings, from the values' expansions:
// pi/4 = 0.78539816339744830961..., pi/2, pi, 3pi/4 = 2.35619449019234492884...
constexpr F80 kPi4 = f80(0x3ffe, 0xc90fdaa22168c235ull), kPi2 = f80(0x3fff, 0xc90fdaa22168c235ull);
constexpr F80 kPi = f80(0x4000, 0xc90fdaa22168c235ull), k3Pi4 = f80(0x4000, 0x96cbe3f9990e91a8ull);
constexpr F80 kSin1 = f80(0x3ffe, 0xd76aa47848677021ull);      // 0.84147098480789650665...
constexpr F80 kCos1 = f80(0x3ffe, 0x8a51407da8345c92ull);      // 0.54030230586813971740...
constexpr F80 kSinHalf = f80(0x3ffd, 0xf57743a2582f7f44ull);   // 0.47942553860420300027...
constexpr F80 kCosHalf = f80(0x3ffe, 0xe0a94032dbea7ceeull);   // 0.87758256189037271611...
constexpr F80 kTanHalf = f80(0x3ffe, 0x8bda7adf9a3a5219ull);   // 0.54630248984379051325...
constexpr F80 kSin2 = f80(0x3ffe, 0xe8c7b7568da22efdull);      // 0.90929742682568169539...
constexpr F80 kCos2 = f80(0xbffd, 0xd51132ba9b902522ull);      // -0.41614683654714238699...
constexpr F80 kSin100 = f80(0xbffe, 0x81a12dbc626dc038ull);    // -0.50636564110975879365...
constexpr F80 kCos100 = f80(0x3ffe, 0xdcc0edfb32fefb20ull);    // 0.86231887228768393410...
constexpr F80 kSin2p62 = f80(0xbffe, 0xb3f2b9aaf80a3946ull);   // sin(2^62) = -0.70292244361920887641...
constexpr F80 kAtanHalf = f80(0x3ffd, 0xed63382b0dda7b45ull);  // 0.46364760900080611621...
constexpr F80 kSqrt2m1 = f80(0x3ffd, 0xd413cccfe7799211ull);   // 2^0.5 - 1 = 0.41421356237309504880...
constexpr F80 kRsqrt2m1 = f80(0xbffd, 0x95f619980c4336f7ull);  // 2^-0.5 - 1 = -0.29289321881345247559...
constexpr F80 kLog2of3 = f80(0x3fff, 0xcae00d1cfdeb43d0ull);   // 1.58496250072115618145...
constexpr F80 kLog2of10 = f80(0x4000, 0xd49a784bcd1b8afeull);  // 3.32192809488736234787...
constexpr F80 kLog2of1p25 = f80(0x3ffd, 0xa4d3c25e68dc57f2ull);   // 0.32192809488736234787...

using hvemu::x86::test::neg;
using hvemu::x86::test::str;

// Runs f under RN and checks the result and that it is inexact.
template <class F> void check_rounded(F f, F80 want) {
    Env e{kCwRn};
    CHECK_F80(f(e), want);
    CHECK((e.flags & sw::PE) != 0);
    CHECK((e.flags & (sw::IE | sw::ZE | sw::OE | sw::UE)) == 0);
    // Toward zero: the same, or one below when nearest rounded up (C1).
    Env z{kCwRz};
    const F80 rz = f(z);
    CHECK(rz.se == want.se);
    CHECK(rz.sig == want.sig - ((e.flags & sw::C1) ? 1 : 0));
}

double to_double(F80 a) {
    Env e{kCwRn};
    return std::bit_cast<double>(to_f64(a, e));
}
F80 of(double d) {
    Env e{kCwRn};
    return from_f64(std::bit_cast<uint64_t>(d), e);
}
bool close(double got, double want) {
    return std::fabs(got - want) <= 4.5e-16 * std::fabs(want) + 1e-300;
}

} // namespace

TEST_CASE("x87 transcendental: sin, cos, tan against correctly rounded values", "[x86][x87][unit]") {
    check_rounded([](Env& e) { return x87::sin(kOne, e); }, kSin1);
    check_rounded([](Env& e) { return x87::cos(kOne, e); }, kCos1);
    check_rounded([](Env& e) { return x87::sin(neg(kOne), e); }, neg(kSin1));
    check_rounded([](Env& e) { return x87::sin(kHalf, e); }, kSinHalf);
    check_rounded([](Env& e) { return x87::cos(kHalf, e); }, kCosHalf);
    check_rounded([](Env& e) { return x87::tan(kHalf, e).first; }, kTanHalf);
    check_rounded([](Env& e) { return x87::sin(kTwo, e); }, kSin2);
    check_rounded([](Env& e) { return x87::cos(kTwo, e); }, kCos2);
    check_rounded([](Env& e) { return x87::sin(kHundred, e); }, kSin100);
    check_rounded([](Env& e) { return x87::cos(kHundred, e); }, kCos100);
    check_rounded([](Env& e) { return x87::sin(f80(0x403d, kJ), e); }, kSin2p62);   // reduction of a large argument
    Env e{kCwRn};
    const Pair sc = x87::sincos(kTwo, e);
    CHECK_F80(sc.first, kSin2);
    CHECK_F80(sc.second, kCos2);
    CHECK_F80(x87::tan(kHalf, e).second, kOne);
    // fl(pi) is above pi (rounded up): sin(fl(pi)) = pi - fl(pi) = -5.0165e-20 (needs an accurate reduction).
    Env ep{kCwRn};
    const double s = to_double(x87::sin(kPi, ep));
    CHECK(s < -5.0164e-20);
    CHECK(s > -5.0166e-20);
}

TEST_CASE("x87 transcendental: exact results and the special operands of the trig functions", "[x86][x87][unit]") {
    Env e{kCwRn};
    CHECK_F80(x87::sin(kZero, e), kZero);
    CHECK_F80(x87::sin(kNegZero, e), kNegZero);
    CHECK_F80(x87::cos(kNegZero, e), kOne);
    CHECK_F80(x87::tan(kNegZero, e).first, kNegZero);
    CHECK_F80(x87::sincos(kNegZero, e).second, kOne);
    CHECK(e.flags == 0);
    Env inv{kCwRn};
    CHECK_F80(x87::sin(kInf, inv), kIndefinite);
    CHECK(inv.flags == sw::IE);
    Env sn{kCwRn};
    const Pair p = x87::tan(kSnan, sn);
    CHECK_F80(p.first, f80(0x7fff, 0xc000000000000001ull));
    CHECK_F80(p.second, p.first);
    CHECK(sn.flags == sw::IE);
    Env qn{kCwRn};
    CHECK_F80(x87::cos(kQnan, qn), kQnan);
    CHECK(qn.flags == 0);
    CHECK(trig_in_range(f80(0x403d, ~0ull)));   // 2^63 - 1
    CHECK(!trig_in_range(f80(0x403e, kJ)));     // 2^63
    CHECK(!trig_in_range(f80(0xc100, kJ)));
    CHECK(trig_in_range(kInf));                 // infinities are invalid, not out of range
    // Small arguments: sin x and atan x just below x, tan x just above, cos x just below 1.
    const F80 tiny = f80(0x3fd7, kJ);   // 2^-40
    Env rn{kCwRn}, rz{kCwRz}, up{kCwUp}, rz2{kCwRz};
    CHECK_F80(x87::sin(tiny, rn), tiny);
    CHECK(rn.flags == (sw::PE | sw::C1));   // rounded up to x
    CHECK_F80(x87::sin(tiny, rz), f80(0x3fd6, ~0ull));
    CHECK_F80(x87::tan(tiny, up).first, f80(0x3fd7, kJ | 1));
    CHECK_F80(x87::cos(tiny, rz2), f80(0x3ffe, ~0ull));
    // A denormal: DE, and sin x rounds to x with UE (tiny and inexact).
    Env de{kCwRn};
    CHECK_F80(x87::sin(f80(0, 0x123), de), f80(0, 0x123));
    CHECK(de.flags == (sw::DE | sw::UE | sw::PE | sw::C1));
}

TEST_CASE("x87 transcendental: FPATAN values and the signed zero and infinity table", "[x86][x87][unit]") {
    check_rounded([](Env& e) { return atan2(kOne, kOne, e); }, kPi4);
    check_rounded([](Env& e) { return atan2(kOne, kTwo, e); }, kAtanHalf);
    check_rounded([](Env& e) { return atan2(kTwo, kOne, e); }, f80(0x3fff, 0x8db70c975df22363ull));   // pi/2 - atan(1/2) = 1.10714871779409050301...
    // atan(0.8) = 0.67474094222355266305..., atan(0.45) = 0.42285392613294071296... (either side of the reduction at 1/2)
    check_rounded([](Env& e) { return atan2(f80(0x4001, kJ), f80(0x4001, 0xa000000000000000ull), e); },
                  f80(0x3ffe, 0xacbbd2881f54924eull));
    check_rounded([](Env& e) { return atan2(f80(0x4002, 0x9000000000000000ull), f80(0x4003, 0xa000000000000000ull), e); },
                  f80(0x3ffd, 0xd8804f4f73cde123ull));
    check_rounded([](Env& e) { return atan2(kOne, neg(kOne), e); }, k3Pi4);
    check_rounded([](Env& e) { return atan2(neg(kOne), neg(kOne), e); }, neg(k3Pi4));
    check_rounded([](Env& e) { return atan2(kOne, kZero, e); }, kPi2);
    check_rounded([](Env& e) { return atan2(kZero, neg(kOne), e); }, kPi);
    check_rounded([](Env& e) { return atan2(kNegZero, kNegZero, e); }, neg(kPi));
    check_rounded([](Env& e) { return atan2(kNegInf, kInf, e); }, neg(kPi4));
    check_rounded([](Env& e) { return atan2(kInf, kNegInf, e); }, k3Pi4);
    check_rounded([](Env& e) { return atan2(kInf, kOne, e); }, kPi2);
    check_rounded([](Env& e) { return atan2(neg(kOne), kNegInf, e); }, neg(kPi));
    Env e{kCwRn};
    CHECK_F80(atan2(kZero, kZero, e), kZero);
    CHECK_F80(atan2(kNegZero, kOne, e), kNegZero);
    CHECK_F80(atan2(neg(kOne), kInf, e), kNegZero);
    CHECK(e.flags == 0);
    Env n{kCwRn};
    CHECK_F80(atan2(kQnan, kSnan, n), kQnan);
    CHECK(n.flags == sw::IE);
}

TEST_CASE("x87 transcendental: F2XM1, FYL2X, FYL2XP1", "[x86][x87][unit]") {
    check_rounded([](Env& e) { return exp2m1(kHalf, e); }, kSqrt2m1);
    check_rounded([](Env& e) { return exp2m1(neg(kHalf), e); }, kRsqrt2m1);
    check_rounded([](Env& e) { return ylog2x(kOne, kThree, e); }, kLog2of3);
    check_rounded([](Env& e) { return ylog2x(kOne, kTen, e); }, kLog2of10);
    check_rounded([](Env& e) { return ylog2x(kOne, f80(0x3ffe, 0xc000000000000000ull), e); },
                  f80(0xbffd, 0xd47fcb8c0852f0c1ull));   // log2(0.75) = -0.41503749927884381855...
    check_rounded([](Env& e) { return ylog2x(neg(kOne), f80(0x3ffd, 0xaaaaaaaaaaaaaaabull), e); },
                  f80(0x3fff, 0xcae00d1cfdeb43cfull));   // -log2(fl(1/3)) = log2(3) - 1.9e-20: the next value down
    check_rounded([](Env& e) { return ylog2xp1(kOne, kQuarter, e); }, kLog2of1p25);
    // Exact: 2^1 - 1, 2^-1 - 1, 2^0 - 1, log2(8) = 3, -2 * log2(1/4) = 4, log2(1) = 0.
    Env e{kCwRn};
    CHECK_F80(exp2m1(kOne, e), kOne);
    CHECK_F80(exp2m1(kNegOne, e), neg(kHalf));
    CHECK_F80(exp2m1(kNegZero, e), kNegZero);
    CHECK_F80(exp2m1(kNegInf, e), kNegOne);
    CHECK_F80(exp2m1(kInf, e), kInf);
    CHECK_F80(ylog2x(kOne, kEight, e), kThree);
    CHECK_F80(ylog2x(neg(kTwo), kQuarter, e), f80(0x4001, kJ));
    CHECK_F80(ylog2x(neg(kThree), kOne, e), kNegZero);
    CHECK_F80(ylog2x(kInf, kTwo, e), kInf);
    CHECK_F80(ylog2x(kNegInf, kZero, e), kInf);
    CHECK_F80(ylog2xp1(kNegOne, kZero, e), kNegZero);
    CHECK_F80(ylog2xp1(kNegZero, kNegZero, e), kZero);
    CHECK(e.flags == 0);
    // FYL2X table: log2(+-0) with finite y: ZE and -inf * sign; invalid: negative x, 0 * inf, inf * log2(1).
    Env z{kCwRn};
    CHECK_F80(ylog2x(kOne, kNegZero, z), kNegInf);
    CHECK(z.flags == sw::ZE);
    for (auto [y, x] : {std::pair{kOne, kNegOne}, {kZero, kZero}, {kZero, kInf}, {kInf, kOne}, {kOne, kNegInf}}) {
        Env i{kCwRn};
        CHECK_F80(ylog2x(y, x, i), kIndefinite);
        CHECK(i.flags == sw::IE);
    }
    Env i2{kCwRn};
    CHECK_F80(ylog2xp1(kInf, kZero, i2), kIndefinite);
    CHECK(i2.flags == sw::IE);
    // Out of F2XM1's range: the value itself (2^3 - 1 = 7 exactly; huge: overflow to +inf).
    Env o{kCwRn};
    CHECK_F80(exp2m1(kThree, o), f80(0x4001, 0xe000000000000000ull));
    CHECK(o.flags == 0);
    CHECK_F80(exp2m1(f80(0x400f, kJ), o), kInf);
    CHECK((o.flags & (sw::OE | sw::PE)) == (sw::OE | sw::PE));
}

TEST_CASE("x87 transcendental: sweep against the double-precision library", "[x86][x87][unit]") {
    int bad = 0;
    for (int k = -400; k <= 400; ++k) {
        const double x = k * 0.0371 + 0.0013;
        Env e{kCwRn};
        const F80 fx = of(x);
        bad += !close(to_double(x87::sin(fx, e)), std::sin(x));
        bad += !close(to_double(x87::cos(fx, e)), std::cos(x));
        bad += !close(to_double(x87::tan(fx, e).first), std::tan(x));
        bad += !close(to_double(atan2(fx, of(0.75), e)), std::atan2(x, 0.75));
        bad += !close(to_double(atan2(of(-1.25), fx, e)), std::atan2(-1.25, x));
        if (std::fabs(x) <= 1) bad += !close(to_double(exp2m1(fx, e)), std::expm1(x * 0.69314718055994530942));
        if (x > 0) bad += !close(to_double(ylog2x(of(1.5), fx, e)), 1.5 * std::log2(x));
        if (std::fabs(x) < 0.29) bad += !close(to_double(ylog2xp1(kOne, fx, e)), std::log1p(x) / 0.69314718055994530942);
    }
    for (int k = 1; k < 60; ++k) {   // large arguments: a careful reduction agrees with the library's
        const double x = std::ldexp(1.0 + k / 64.0, k);
        Env e{kCwRn};
        bad += !close(to_double(x87::sin(of(x), e)), std::sin(x));
        bad += !close(to_double(x87::cos(of(x), e)), std::cos(x));
    }
    CHECK(bad == 0);
}

// sin^2 + cos^2 = 1 at 64-bit precision: each value within about an ulp
// (the three roundings of the check add at most 1.5 ulp of 1).
TEST_CASE("x87 transcendental: sin^2 + cos^2 stays within a few 2^-64 of 1", "[x86][x87][unit]") {
    int worst = 0;
    for (int k = 1; k <= 600; ++k) {
        const F80 x = f80(static_cast<uint16_t>(0x3ff8 + k % 40), 0x8000000000000000ull | (0x9e3779b97f4a7c15ull * k >> 1));
        Env e{kCwRn};
        const F80 s = x87::sin(x, e), c = x87::cos(x, e);
        const F80 r = add(mul(s, s, e), mul(c, c, e), e);
        // Distance from 1 in units of 2^-64.
        const long long d = r.se == 0x3fff ? static_cast<long long>((r.sig - kJ) * 2)
                            : r.se == 0x3ffe ? -static_cast<long long>(0 - r.sig) : 1000;
        worst = std::max(worst, static_cast<int>(d < 0 ? -d : d));
    }
    CHECK(worst <= 4);
}

// ---- through the core

namespace {

using hvemu::x86::test::kData;
using Machine = hvemu::x86::test::X87Machine;

} // namespace

TEST_CASE("x87 transcendental insns: stack effects of FSINCOS, FPTAN, FPATAN, FYL2X, FYL2XP1, F2XM1", "[x86][x87][unit]") {
    Machine m;
    // fld1 ; fsincos: ST(1) = sin 1, ST(0) = cos 1
    REQUIRE(m.run({0xd9, 0xe8, 0xd9, 0xfb}) == StopReason::Halt);
    CHECK(m.vector() == -1);
    CHECK(m.top() == 6);
    CHECK(str(m.st(0)) == str(kCos1));
    CHECK(str(m.st(1)) == str(kSin1));
    CHECK((m.core->fsw & sw::C2) == 0);

    Machine m2;
    // fld1 ; fld1 ; fpatan (atan2(1, 1), pop) ; fld1 ; fptan (tan 1, push 1) -> ST0 = 1, ST1 = tan 1, ST2 = pi/4
    REQUIRE(m2.run({0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xf3, 0xd9, 0xe8, 0xd9, 0xf2}) == StopReason::Halt);
    CHECK(m2.top() == 5);
    CHECK(str(m2.st(0)) == str(kOne));
    CHECK(str(m2.st(1)) == str(f80(0x3fff, 0xc75922e5f71d2dc5ull)));   // tan 1 = 1.55740772465490223050...
    CHECK(str(m2.st(2)) == str(kPi4));

    Machine m3;
    // fld1 (y) ; fld1 ; fadd st0,st0 (2) ; fmul st0,st0 (4) ; fadd st0,st0 (8) ; fyl2x -> 3 ; fld1 ; fchs ; f2xm1 (-0.5) ;
    // fld1 ; fyl2xp1 (1 * log2(1 - 0.5) = -1)
    REQUIRE(m3.run({0xd9, 0xe8, 0xd9, 0xe8, 0xd8, 0xc0, 0xd8, 0xc8, 0xd8, 0xc0, 0xd9, 0xf1, 0xd9, 0xe8, 0xd9, 0xe0,
                    0xd9, 0xf0, 0xd9, 0xe8, 0xd9, 0xc9, 0xd9, 0xf9}) == StopReason::Halt);
    CHECK(m3.top() == 6);
    CHECK(str(m3.st(0)) == str(kNegOne));
    CHECK(str(m3.st(1)) == str(kThree));
    CHECK((m3.core->fsw & sw::PE) == 0);   // all exact
}

TEST_CASE("x87 transcendental insns: out of range (C2), stack underflow and overflow, unmasked IE", "[x86][x87][unit]") {
    Machine m;
    m.mem.write(kData, 8, kJ);           // 2^63
    m.mem.write(kData + 8, 2, 0x403e);
    // fld tword [rsi] ; fsin: C2 = 1, ST(0) unchanged ; fptan: the same, nothing pushed
    REQUIRE(m.run({0xdb, 0x2e, 0xd9, 0xfe}) == StopReason::Halt);
    CHECK((m.core->fsw & sw::C2) != 0);
    CHECK(str(m.st(0)) == str(f80(0x403e, kJ)));
    CHECK(m.top() == 7);
    Machine m2;
    m2.mem.write(kData, 8, kJ);
    m2.mem.write(kData + 8, 2, 0x403e);
    // fld tword [rsi] ; fptan: the same, nothing pushed ; fld1 ; fcos clears C2
    REQUIRE(m2.run({0xdb, 0x2e, 0xd9, 0xf2}) == StopReason::Halt);
    CHECK((m2.core->fsw & sw::C2) != 0);
    CHECK(m2.top() == 7);
    CHECK(str(m2.st(0)) == str(f80(0x403e, kJ)));
    Machine m3;
    m3.core->fsw = sw::C2;
    REQUIRE(m3.run({0xd9, 0xe8, 0xd9, 0xff}) == StopReason::Halt);
    CHECK((m3.core->fsw & sw::C2) == 0);
    CHECK(str(m3.st(0)) == str(kCos1));

    Machine u;
    // fpatan on an empty stack: IE SF, ST(1) = indefinite then pop
    REQUIRE(u.run({0xd9, 0xf3}) == StopReason::Halt);
    CHECK((u.core->fsw & (sw::IE | sw::SF | sw::C1)) == (sw::IE | sw::SF));
    CHECK(u.top() == 1);
    CHECK(str(u.st(0)) == str(kIndefinite));

    Machine o;
    // eight fld1 then fsincos: overflow (C1 = 1), masked: ST(0) and the pushed value are the indefinite
    REQUIRE(o.run({0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8,
                   0xd9, 0xfb}) == StopReason::Halt);
    CHECK((o.core->fsw & (sw::IE | sw::SF | sw::C1)) == (sw::IE | sw::SF | sw::C1));
    CHECK(str(o.st(0)) == str(kIndefinite));
    CHECK(str(o.st(1)) == str(kIndefinite));

    Machine x;
    x.core->fcw = 0x37e;   // IE unmasked
    // fldz ; fld1 ; fchs ; fyl2x (0 * log2(-1)): IE, nothing changes; fwait takes #MF
    REQUIRE(x.run({0xd9, 0xee, 0xd9, 0xe8, 0xd9, 0xe0, 0xd9, 0xf1, 0x9b}) == StopReason::Halt);
    CHECK(x.vector() == 16);
    CHECK(x.top() == 6);
    CHECK(str(x.st(0)) == str(kNegOne));
}
