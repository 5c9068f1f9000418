// SSE/SSE2 arithmetic through the x86 core: hand-assembled instructions
// (encodings from the SDM, checked with an assembler) run in 64-bit mode on
// values set in XMM0/XMM1; the expected results are exact values worked out
// by hand from IEEE 754 and the SDM's rules (NaN propagation, MXCSR
// rounding, DAZ/FZ, flags), and the #XM/#UD/#NM/#GP cases end at the IDT
// handler of their vector.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "isa/common/timing_profile.hpp"
#include "tests/isa/x86_sys_fixture.hpp"

using namespace x86test;

namespace {

constexpr uint64_t kProg = 0x400000, kBuf = 0x300000;
constexpr uint32_t kMxcsrDefault = 0x1f80;
constexpr uint32_t IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, DAZ = 64, FZ = 1u << 15;
constexpr uint32_t kUM = 1u << 11, kZM = 1u << 9, kIM = 1u << 7;
constexpr uint32_t kRcDown = 1u << 13, kRcUp = 2u << 13, kRcZero = 3u << 13;

uint32_t f32(float v) { uint32_t r; std::memcpy(&r, &v, 4); return r; }
uint64_t f64(double v) { uint64_t r; std::memcpy(&r, &v, 8); return r; }

struct Sse {
    Sys s;
    explicit Sse(CoreConfig cfg = {}) : s(cfg) {
        s.enter_long();
        REQUIRE(c().write_cr(4, c().cr4 | (1u << 9) | (1u << 10)));   // OSFXSR, OSXMMEXCPT
        for (unsigned v : {6u, 7u, 13u, 14u, 19u}) s.wr(s.handler(v), 0xf4, 1);   // HLT at the handlers
        c().mxcsr = kMxcsrDefault;
        c().gpr[3] = kBuf;
    }
    Core& c() { return s.c(); }
    void set_ps(unsigned r, uint32_t a, uint32_t b = 0, uint32_t c2 = 0, uint32_t d = 0) {
        const uint32_t v[4] = {a, b, c2, d};
        std::memcpy(c().xmm[r], v, 16);
    }
    void set_q(unsigned r, uint64_t lo, uint64_t hi = 0) {
        const uint64_t v[2] = {lo, hi};
        std::memcpy(c().xmm[r], v, 16);
    }
    uint32_t ps(unsigned r, unsigned k) { uint32_t v; std::memcpy(&v, c().xmm[r] + 4 * k, 4); return v; }
    uint64_t q(unsigned r, unsigned k) { uint64_t v; std::memcpy(&v, c().xmm[r] + 8 * k, 8); return v; }
    uint16_t w(unsigned r, unsigned k) { uint16_t v; std::memcpy(&v, c().xmm[r] + 2 * k, 2); return v; }
    uint8_t b(unsigned r, unsigned k) { return c().xmm[r][k]; }
    size_t len = 0;
    // Runs the instruction(s) then HLT. Returns true when it got to the HLT
    // (no exception); `vector` tells which handler was reached otherwise.
    bool run(std::vector<uint8_t> prog) {
        len = prog.size();
        prog.push_back(0xf4);
        s.mem.write_block(kProg, prog.data(), prog.size());
        c().flush_decoded();   // the program changed behind the core's back
        c().halted = false;
        c().rip = kProg;
        REQUIRE(c().run(100) == StopReason::Halt);
        return c().rip == kProg + len + 1;
    }
    bool faulted(unsigned vector) { return c().rip == s.handler(vector) + 1; }
    uint32_t flags() const { return s.core->mxcsr & 0x3f; }
};

// One scalar single-precision operation: xmm0 = op(a, b) under `mxcsr`.
uint32_t ss_op(Sse& m, std::vector<uint8_t> insn, uint32_t a, uint32_t b, uint32_t mxcsr = kMxcsrDefault) {
    m.c().mxcsr = mxcsr;
    m.set_ps(0, a, 0x11111111, 0x22222222, 0x33333333);
    m.set_ps(1, b, 0x44444444);
    REQUIRE(m.run(insn));
    CHECK(m.ps(0, 1) == 0x11111111);   // scalar: the upper lanes are kept
    CHECK(m.ps(0, 3) == 0x33333333);
    return m.ps(0, 0);
}
uint64_t sd_op(Sse& m, std::vector<uint8_t> insn, uint64_t a, uint64_t b, uint32_t mxcsr = kMxcsrDefault) {
    m.c().mxcsr = mxcsr;
    m.set_q(0, a, 0x1122334455667788ull);
    m.set_q(1, b, 0x99);
    REQUIRE(m.run(insn));
    CHECK(m.q(0, 1) == 0x1122334455667788ull);
    return m.q(0, 0);
}

const std::vector<uint8_t> kAddps{0x0f, 0x58, 0xc1}, kAddss{0xf3, 0x0f, 0x58, 0xc1}, kAddsd{0xf2, 0x0f, 0x58, 0xc1};
const std::vector<uint8_t> kSubss{0xf3, 0x0f, 0x5c, 0xc1}, kMulss{0xf3, 0x0f, 0x59, 0xc1}, kMulsd{0xf2, 0x0f, 0x59, 0xc1};
const std::vector<uint8_t> kDivss{0xf3, 0x0f, 0x5e, 0xc1}, kDivsd{0xf2, 0x0f, 0x5e, 0xc1};
const std::vector<uint8_t> kSqrtss{0xf3, 0x0f, 0x51, 0xc1}, kSqrtsd{0xf2, 0x0f, 0x51, 0xc1};
const std::vector<uint8_t> kMinss{0xf3, 0x0f, 0x5d, 0xc1}, kMaxss{0xf3, 0x0f, 0x5f, 0xc1};

} // namespace

TEST_CASE("x86 SSE: scalar and packed arithmetic round by MXCSR.RC", "[x86][sse][unit]") {
    Sse m;
    CHECK(sd_op(m, kAddsd, f64(1.5), f64(2.25)) == f64(3.75));
    CHECK(m.flags() == 0);
    CHECK(sd_op(m, kMulsd, f64(-3.0), f64(0.5)) == f64(-1.5));
    // 1/3: ...5555 rounded to nearest and down/toward zero, ...5556 up.
    CHECK(sd_op(m, kDivsd, f64(1.0), f64(3.0)) == 0x3fd5555555555555ull);
    CHECK(m.flags() == PE);
    CHECK(sd_op(m, kDivsd, f64(1.0), f64(3.0), kMxcsrDefault | kRcUp) == 0x3fd5555555555556ull);
    CHECK(sd_op(m, kDivsd, f64(1.0), f64(3.0), kMxcsrDefault | kRcDown) == 0x3fd5555555555555ull);
    // Single: 1/3 = 0x3eaaaaab to nearest; -1/3 rounds away from zero down.
    CHECK(ss_op(m, kDivss, f32(1.0f), f32(3.0f)) == 0x3eaaaaabu);
    CHECK(ss_op(m, kDivss, f32(1.0f), f32(3.0f), kMxcsrDefault | kRcZero) == 0x3eaaaaaau);
    CHECK(ss_op(m, kDivss, f32(-1.0f), f32(3.0f), kMxcsrDefault | kRcDown) == 0xbeaaaaabu);
    CHECK(ss_op(m, kDivss, f32(-1.0f), f32(3.0f), kMxcsrDefault | kRcUp) == 0xbeaaaaaau);
    // Flags are sticky: PE stays after an exact operation.
    m.c().mxcsr = kMxcsrDefault | PE;
    m.set_ps(0, f32(1.0f));
    m.set_ps(1, f32(1.0f));
    REQUIRE(m.run(kAddss));
    CHECK(m.c().mxcsr == (kMxcsrDefault | PE));
    // x - x = -0 only when rounding down.
    CHECK(ss_op(m, kSubss, f32(2.0f), f32(2.0f)) == 0u);
    CHECK(ss_op(m, kSubss, f32(2.0f), f32(2.0f), kMxcsrDefault | kRcDown) == 0x80000000u);

    // ADDPS: four lanes.
    m.set_ps(0, f32(1.0f), f32(2.0f), f32(-4.0f), f32(0.5f));
    m.set_ps(1, f32(0.25f), f32(2.0f), f32(4.0f), f32(1e30f));
    m.c().mxcsr = kMxcsrDefault;
    REQUIRE(m.run(kAddps));
    CHECK(m.ps(0, 0) == f32(1.25f));
    CHECK(m.ps(0, 1) == f32(4.0f));
    CHECK(m.ps(0, 2) == 0u);
    CHECK(m.ps(0, 3) == f32(1e30f));
    CHECK(m.flags() == PE);

    // Square roots: sqrt(2) correctly rounded; sqrt(-1) is the indefinite.
    CHECK(sd_op(m, kSqrtsd, 0, f64(2.0)) == 0x3ff6a09e667f3bcdull);
    CHECK(ss_op(m, kSqrtss, 0, f32(6.25f)) == f32(2.5f));
    CHECK(m.flags() == 0);
    CHECK(ss_op(m, kSqrtss, 0, f32(-1.0f)) == 0xffc00000u);
    CHECK(m.flags() == IE);
}

TEST_CASE("x86 SSE: NaN results follow SDM Table 4-7", "[x86][sse][unit]") {
    Sse m;
    // The first (destination) operand's NaN wins, quietened; an SNaN anywhere raises IE.
    CHECK(ss_op(m, kAddss, 0x7fc00001, 0x7f800002) == 0x7fc00001u);
    CHECK(m.flags() == IE);
    CHECK(ss_op(m, kAddss, 0xff800005, f32(1.0f)) == 0xffc00005u);
    CHECK(m.flags() == IE);
    // Only the source is a NaN: it is the result, its sign kept by SUB.
    CHECK(ss_op(m, kSubss, f32(1.0f), 0x7fc00003) == 0x7fc00003u);
    CHECK(m.flags() == 0);
    CHECK(sd_op(m, kMulsd, f64(2.0), 0x7ff0000000000001ull) == 0x7ff8000000000001ull);
    CHECK(m.flags() == IE);
    // Invalid operations give the QNaN floating-point indefinite.
    CHECK(ss_op(m, kMulss, 0, 0x7f800000) == 0xffc00000u);
    CHECK(m.flags() == IE);
    CHECK(sd_op(m, kAddsd, 0x7ff0000000000000ull, 0xfff0000000000000ull) == 0xfff8000000000000ull);
    CHECK(ss_op(m, kDivss, 0, 0x80000000) == 0xffc00000u);
    CHECK(m.flags() == IE);
    // x / 0: infinity of the quotient's sign and ZE.
    CHECK(ss_op(m, kDivss, f32(-2.0f), 0) == 0xff800000u);
    CHECK(m.flags() == ZE);
}

TEST_CASE("x86 SSE: MIN/MAX return the source for NaNs and zeros", "[x86][sse][unit]") {
    Sse m;
    CHECK(ss_op(m, kMinss, f32(1.0f), f32(2.0f)) == f32(1.0f));
    CHECK(ss_op(m, kMaxss, f32(1.0f), f32(2.0f)) == f32(2.0f));
    CHECK(ss_op(m, kMinss, 0x00000000, 0x80000000) == 0x80000000u);   // +0, -0: the source
    CHECK(ss_op(m, kMinss, 0x80000000, 0x00000000) == 0x00000000u);
    CHECK(m.flags() == 0);
    CHECK(ss_op(m, kMinss, 0x7fc00000, f32(1.0f)) == f32(1.0f));       // a QNaN signals here
    CHECK(m.flags() == IE);
    CHECK(ss_op(m, kMaxss, f32(1.0f), 0x7fc00009) == 0x7fc00009u);
    CHECK(m.flags() == IE);
}

TEST_CASE("x86 SSE: underflow, overflow, denormals, DAZ and FZ", "[x86][sse][unit]") {
    Sse m;
    const uint32_t p100 = 0x71800000, m100 = 0x0d800000, m30 = 0x30800000;   // 2^100, 2^-100, 2^-30
    // 2^-100 * 2^-30 = 2^-130: tiny but exact, a subnormal with no flags.
    CHECK(ss_op(m, kMulss, m100, m30) == 0x00080000u);
    CHECK(m.flags() == 0);
    // 2^-100 * (2^-30 * (1 + 2^-23)): tiny and inexact: UE and PE.
    CHECK(ss_op(m, kMulss, m100, m30 | 1) == 0x00080000u);
    CHECK(m.flags() == (UE | PE));
    // FZ (underflow masked): the tiny result becomes +0 with UE and PE, exact or not.
    CHECK(ss_op(m, kMulss, m100, m30, kMxcsrDefault | FZ) == 0u);
    CHECK(m.flags() == (UE | PE));
    // Overflow: infinity to nearest, the largest finite toward zero.
    CHECK(ss_op(m, kMulss, p100, p100) == 0x7f800000u);
    CHECK(m.flags() == (OE | PE));
    CHECK(ss_op(m, kMulss, p100, p100, kMxcsrDefault | kRcZero) == 0x7f7fffffu);
    // A denormal operand: DE, or with DAZ a zero and no DE.
    CHECK(ss_op(m, kAddss, 0x00000001, 0) == 0x00000001u);
    CHECK(m.flags() == DE);
    CHECK(ss_op(m, kAddss, 0x00000001, 0, kMxcsrDefault | DAZ) == 0u);
    CHECK(m.flags() == 0);
    CHECK(ss_op(m, kAddss, 0x80000003, 0x80000000, kMxcsrDefault | DAZ) == 0x80000000u);
    // A NaN operand hides DE.
    CHECK(ss_op(m, kAddss, 0x00000001, 0x7fc00000) == 0x7fc00000u);
    CHECK(m.flags() == 0);
}

TEST_CASE("x86 SSE: unmasked exceptions raise #XM (or #UD) and leave the destination", "[x86][sse][unit]") {
    Sse m;
    SECTION("divide by zero unmasked: #XM, ZE set, xmm0 unchanged") {
        m.c().mxcsr = kMxcsrDefault & ~kZM;
        m.set_ps(0, f32(1.0f), 7);
        m.set_ps(1, 0);
        CHECK_FALSE(m.run(kDivss));
        CHECK(m.faulted(19));
        CHECK(m.ps(0, 0) == f32(1.0f));
        CHECK(m.flags() == ZE);
    }
    SECTION("CR4.OSXMMEXCPT clear: #UD instead") {
        REQUIRE(m.c().write_cr(4, m.c().cr4 & ~(1u << 10)));
        m.c().mxcsr = kMxcsrDefault & ~kZM;
        m.set_ps(0, f32(1.0f));
        m.set_ps(1, 0);
        CHECK_FALSE(m.run(kDivss));
        CHECK(m.faulted(6));
        CHECK(m.flags() == ZE);
    }
    SECTION("unmasked underflow is reported for an exact tiny result, without PE") {
        m.c().mxcsr = kMxcsrDefault & ~kUM;
        m.set_ps(0, 0x0d800000);
        m.set_ps(1, 0x30800000);
        CHECK_FALSE(m.run(kMulss));
        CHECK(m.faulted(19));
        CHECK(m.ps(0, 0) == 0x0d800000u);
        CHECK(m.flags() == UE);
    }
    SECTION("an unmasked pre-computation exception reports IE/DE/ZE only") {
        // Lane 0 is 0/0 (IE, unmasked), lane 1 is 1/3 (PE): only IE is set.
        m.c().mxcsr = kMxcsrDefault & ~kIM;
        m.set_ps(0, 0, f32(1.0f), 0, 0);
        m.set_ps(1, 0, f32(3.0f), f32(1.0f), f32(1.0f));
        CHECK_FALSE(m.run({0x0f, 0x5e, 0xc1}));   // divps xmm0, xmm1
        CHECK(m.faulted(19));
        CHECK(m.flags() == IE);
        CHECK(m.ps(0, 1) == f32(1.0f));
    }
    SECTION("masked exceptions do not trap") {
        m.set_ps(0, f32(1.0f));
        m.set_ps(1, 0);
        CHECK(m.run(kDivss));
        CHECK(m.ps(0, 0) == 0x7f800000u);
    }
}

TEST_CASE("x86 SSE: CR0.EM, CR4.OSFXSR, CR0.TS, alignment and LDMXCSR faults", "[x86][sse][unit]") {
    Sse m;
    SECTION("CR0.TS: #NM") {
        REQUIRE(m.c().write_cr(0, m.c().cr0 | 8));
        CHECK_FALSE(m.run(kAddps));
        CHECK(m.faulted(7));
    }
    SECTION("CR0.EM: #UD") {
        REQUIRE(m.c().write_cr(0, m.c().cr0 | 4));
        CHECK_FALSE(m.run(kAddsd));
        CHECK(m.faulted(6));
    }
    SECTION("CR4.OSFXSR clear: #UD, also for packed integer and conversions") {
        REQUIRE(m.c().write_cr(4, m.c().cr4 & ~(1u << 9)));
        CHECK_FALSE(m.run({0x66, 0x0f, 0xfd, 0xc1}));   // paddw
        CHECK(m.faulted(6));
        CHECK_FALSE(m.run({0xf2, 0x48, 0x0f, 0x2a, 0xc0}));   // cvtsi2sd rax
        CHECK(m.faulted(6));
    }
    SECTION("a packed m128 operand must be 16-byte aligned; scalar m32 need not") {
        m.c().gpr[3] = kBuf + 4;
        CHECK_FALSE(m.run({0x0f, 0x58, 0x03}));   // addps xmm0, [rbx]
        CHECK(m.faulted(13));
        m.s.wr(kBuf + 4, f32(2.0f), 4);
        m.set_ps(0, f32(1.0f));
        CHECK(m.run({0xf3, 0x0f, 0x58, 0x03}));   // addss xmm0, [rbx]
        CHECK(m.ps(0, 0) == f32(3.0f));
    }
    SECTION("LDMXCSR with a reserved bit: #GP(0); STMXCSR stores it") {
        m.s.wr(kBuf, 0x10000, 4);
        CHECK_FALSE(m.run({0x0f, 0xae, 0x13}));
        CHECK(m.faulted(13));
        m.s.wr(kBuf, 0x9fc0 | DAZ, 4);
        CHECK(m.run({0x0f, 0xae, 0x13, 0x0f, 0xae, 0x1b}));
        CHECK(m.c().mxcsr == (0x9fc0u | DAZ));
        CHECK(m.s.rd(kBuf, 4) == (0x9fc0u | DAZ));
    }
    SECTION("the MMX forms of the conversions are undefined") {
        CHECK_FALSE(m.run({0x0f, 0x2a, 0xc0}));   // cvtpi2ps xmm0, mm0
        CHECK(m.faulted(6));
    }
}

TEST_CASE("x86 SSE: CMPcc predicates, COMIS and UCOMIS", "[x86][sse][unit]") {
    Sse m;
    const uint32_t qnan = 0x7fc00000;
    // Lanes: 1 vs 1, NaN vs 1, 2 vs 1, 1 vs 2.
    const uint32_t want[8] = {0b0001, 0b1000, 0b1001, 0b0010, 0b1110, 0b0111, 0b0110, 0b1101};
    for (uint8_t pred = 0; pred < 8; ++pred) {
        m.c().mxcsr = kMxcsrDefault;
        m.set_ps(0, f32(1.0f), qnan, f32(2.0f), f32(1.0f));
        m.set_ps(1, f32(1.0f), f32(1.0f), f32(1.0f), f32(2.0f));
        REQUIRE(m.run({0x0f, 0xc2, 0xc1, pred}));
        for (unsigned k = 0; k < 4; ++k) CHECK(m.ps(0, k) == (((want[pred] >> k) & 1) ? 0xffffffffu : 0u));
        const bool signaling = pred == 1 || pred == 2 || pred == 5 || pred == 6;
        CHECK(m.flags() == (signaling ? IE : 0u));
    }
    // CMPSD predicate 3 (UNORD) on lane 0 only.
    m.set_q(0, f64(1.0), 5);
    m.set_q(1, 0x7ff8000000000000ull);
    REQUIRE(m.run({0xf2, 0x0f, 0xc2, 0xc1, 0x03}));
    CHECK(m.q(0, 0) == ~0ull);
    CHECK(m.q(0, 1) == 5);

    const uint64_t kZPC = rflags::ZF | rflags::PF | rflags::CF;
    auto comi = [&](std::vector<uint8_t> insn, uint32_t a, uint32_t b) {
        m.c().mxcsr = kMxcsrDefault;
        m.c().rflags |= rflags::OF | rflags::SF | rflags::AF;
        m.set_ps(0, a);
        m.set_ps(1, b);
        REQUIRE(m.run(insn));
        CHECK((m.c().rflags & (rflags::OF | rflags::SF | rflags::AF)) == 0);
        return m.c().rflags & kZPC;
    };
    const std::vector<uint8_t> comiss{0x0f, 0x2f, 0xc1}, ucomiss{0x0f, 0x2e, 0xc1};
    CHECK(comi(comiss, f32(1.0f), f32(2.0f)) == rflags::CF);
    CHECK(comi(comiss, f32(2.0f), f32(1.0f)) == 0);
    CHECK(comi(comiss, 0x80000000, 0) == rflags::ZF);
    CHECK(comi(ucomiss, qnan, f32(1.0f)) == kZPC);
    CHECK(m.flags() == 0);
    CHECK(comi(comiss, qnan, f32(1.0f)) == kZPC);
    CHECK(m.flags() == IE);
    CHECK(comi(ucomiss, 0x7f800001, f32(1.0f)) == kZPC);
    CHECK(m.flags() == IE);
}

TEST_CASE("x86 SSE: conversions", "[x86][sse][unit]") {
    Sse m;
    auto to_gpr = [&](std::vector<uint8_t> insn, uint64_t xmm, uint32_t mxcsr = kMxcsrDefault) {
        m.c().mxcsr = mxcsr;
        m.c().gpr[0] = 0xdeadbeefdeadbeefull;
        m.set_q(0, xmm);
        REQUIRE(m.run(insn));
        return m.c().gpr[0];
    };
    const std::vector<uint8_t> cvttsd2si_q{0xf2, 0x48, 0x0f, 0x2c, 0xc0}, cvtsd2si_d{0xf2, 0x0f, 0x2d, 0xc0};
    const std::vector<uint8_t> cvttss2si_d{0xf3, 0x0f, 0x2c, 0xc0}, cvtss2si_q{0xf3, 0x48, 0x0f, 0x2d, 0xc0};
    CHECK(to_gpr(cvttsd2si_q, f64(-2.75)) == uint64_t(-2));
    CHECK(m.flags() == PE);
    CHECK(to_gpr(cvttsd2si_q, f64(1e20)) == 0x8000000000000000ull);
    CHECK(m.flags() == IE);
    CHECK(to_gpr(cvtsd2si_d, f64(-2.5)) == 0xfffffffeull);            // ties to even, r32 zero-extended
    CHECK(to_gpr(cvtsd2si_d, f64(-2.5), kMxcsrDefault | kRcDown) == 0xfffffffdull);
    CHECK(to_gpr(cvtsd2si_d, 0x7ff8000000000000ull) == 0x80000000ull);
    CHECK(m.flags() == IE);
    CHECK(to_gpr(cvttss2si_d, f32(2147483648.0f)) == 0x80000000ull);
    CHECK(to_gpr(cvttss2si_d, f32(-2147483648.0f)) == 0x80000000ull);
    CHECK(m.flags() == 0);
    CHECK(to_gpr(cvtss2si_q, f32(2.5f)) == 2);

    // CVTSI2SD rax: 2^63 - 1 rounds to 2^63 (PE); CVTSI2SS eax keeps lanes 1-3.
    m.c().mxcsr = kMxcsrDefault;
    m.c().gpr[0] = 0x7fffffffffffffffull;
    m.set_q(0, 0, 0xabcd);
    REQUIRE(m.run({0xf2, 0x48, 0x0f, 0x2a, 0xc0}));
    CHECK(m.q(0, 0) == 0x43e0000000000000ull);
    CHECK(m.q(0, 1) == 0xabcd);
    CHECK(m.flags() == PE);
    m.c().mxcsr = kMxcsrDefault;
    m.c().gpr[0] = 0xffffffff00000007ull;   // eax = 7
    REQUIRE(m.run({0xf3, 0x0f, 0x2a, 0xc0}));
    CHECK(m.ps(0, 0) == f32(7.0f));
    CHECK(m.flags() == 0);

    // Between the formats: NaNs keep sign and payload top, quietened.
    m.c().mxcsr = kMxcsrDefault;
    m.set_q(0, 0, 0x77);
    m.set_ps(1, 0xff800001);
    REQUIRE(m.run({0xf3, 0x0f, 0x5a, 0xc1}));   // cvtss2sd
    CHECK(m.q(0, 0) == 0xfff8000020000000ull);
    CHECK(m.q(0, 1) == 0x77);
    CHECK(m.flags() == IE);
    CHECK(sd_op(m, {0xf2, 0x0f, 0x5a, 0xc1}, 0, 0x7ff4000020000000ull) == 0x7fe00001u);   // cvtsd2ss
    CHECK(sd_op(m, {0xf2, 0x0f, 0x5a, 0xc1}, 0, f64(0.1)) == f32(0.1f));
    CHECK(m.flags() == PE);

    // Packed conversions.
    m.c().mxcsr = kMxcsrDefault;
    m.set_ps(1, 16777217, uint32_t(-3), 0x80000000, 5);
    REQUIRE(m.run({0x0f, 0x5b, 0xc1}));   // cvtdq2ps
    CHECK(m.ps(0, 0) == f32(16777216.0f));
    CHECK(m.ps(0, 1) == f32(-3.0f));
    CHECK(m.ps(0, 2) == f32(-2147483648.0f));
    CHECK(m.flags() == PE);
    m.c().mxcsr = kMxcsrDefault | kRcUp;
    m.set_ps(1, f32(1.5f), f32(-1.5f), f32(3e9f), 0x7fc00000);
    REQUIRE(m.run({0x66, 0x0f, 0x5b, 0xc1}));   // cvtps2dq
    CHECK(m.ps(0, 0) == 2u);
    CHECK(m.ps(0, 1) == uint32_t(-1));
    CHECK(m.ps(0, 2) == 0x80000000u);
    CHECK(m.ps(0, 3) == 0x80000000u);
    CHECK(m.flags() == (IE | PE));
    m.c().mxcsr = kMxcsrDefault;
    m.set_ps(1, f32(1.9f), f32(-1.9f), 0, 0);
    REQUIRE(m.run({0xf3, 0x0f, 0x5b, 0xc1}));   // cvttps2dq
    CHECK(m.ps(0, 0) == 1u);
    CHECK(m.ps(0, 1) == uint32_t(-1));
    m.set_ps(1, f32(0.5f), f32(-8.0f), 7, 7);
    REQUIRE(m.run({0x0f, 0x5a, 0xc1}));   // cvtps2pd
    CHECK(m.q(0, 0) == f64(0.5));
    CHECK(m.q(0, 1) == f64(-8.0));
    m.set_q(1, f64(2.5), f64(-0.25));
    m.set_ps(0, 1, 2, 3, 4);
    REQUIRE(m.run({0x66, 0x0f, 0x5a, 0xc1}));   // cvtpd2ps
    CHECK(m.ps(0, 0) == f32(2.5f));
    CHECK(m.ps(0, 1) == f32(-0.25f));
    CHECK(m.q(0, 1) == 0);
    m.set_q(1, f64(2.5), f64(-3.5));
    REQUIRE(m.run({0xf2, 0x0f, 0xe6, 0xc1}));   // cvtpd2dq: ties to even
    CHECK(m.q(0, 0) == ((uint64_t(uint32_t(-4)) << 32) | 2));
    CHECK(m.q(0, 1) == 0);
    m.set_ps(1, uint32_t(-7), 9, 1, 1);
    REQUIRE(m.run({0xf3, 0x0f, 0xe6, 0xc1}));   // cvtdq2pd
    CHECK(m.q(0, 0) == f64(-7.0));
    CHECK(m.q(0, 1) == f64(9.0));
}

TEST_CASE("x86 SSE: RCP and RSQRT approximations", "[x86][sse][unit]") {
    Sse m;
    for (float x : {1.0f, 3.0f, 0.7f, 123456.0f, 1e-30f, 5.5e37f}) {
        m.c().mxcsr = kMxcsrDefault;
        m.set_ps(1, f32(x), f32(x), f32(x), f32(x));
        REQUIRE(m.run({0x0f, 0x53, 0xc1}));   // rcpps
        float r;
        const uint32_t rb = m.ps(0, 2);
        std::memcpy(&r, &rb, 4);
        CHECK(std::fabs(double(r) * double(x) - 1.0) <= 1.5 * std::ldexp(1.0, -12));
        REQUIRE(m.run({0x0f, 0x52, 0xc1}));   // rsqrtps
        const uint32_t sb = m.ps(0, 1);
        std::memcpy(&r, &sb, 4);
        CHECK(std::fabs(double(r) * std::sqrt(double(x)) - 1.0) <= 1.5 * std::ldexp(1.0, -12));
        CHECK(m.flags() == 0);
    }
    CHECK(ss_op(m, {0xf3, 0x0f, 0x53, 0xc1}, 0, 0x80000000) == 0xff800000u);   // rcp(-0) = -inf
    CHECK(ss_op(m, {0xf3, 0x0f, 0x53, 0xc1}, 0, 0x00000010) == 0x7f800000u);   // denormal as zero
    CHECK(ss_op(m, {0xf3, 0x0f, 0x53, 0xc1}, 0, 0x7f000000) == 0u);            // 2^-127: flushed
    CHECK(ss_op(m, {0xf3, 0x0f, 0x52, 0xc1}, 0, f32(-4.0f)) == 0xffc00000u);   // rsqrt(-4)
    CHECK(ss_op(m, {0xf3, 0x0f, 0x52, 0xc1}, 0, 0x7f800000) == 0u);
    CHECK(ss_op(m, {0xf3, 0x0f, 0x52, 0xc1}, 0, f32(4.0f)) == f32(0.5f));
    CHECK(m.flags() == 0);
}

TEST_CASE("x86 SSE: logic, shuffles, unpacks and sign masks", "[x86][sse][unit]") {
    Sse m;
    auto op = [&](std::vector<uint8_t> insn) {
        m.set_ps(0, 0x00010203, 0x04050607, 0x08090a0b, 0x0c0d0e0f);
        m.set_ps(1, 0x80ffff00, 0x10111213, 0x94151617, 0x18191a1b);
        REQUIRE(m.run(insn));
    };
    op({0x0f, 0x54, 0xc1});   // andps
    CHECK(m.ps(0, 0) == (0x00010203u & 0x80ffff00u));
    op({0x66, 0x0f, 0x55, 0xc1});   // andnpd
    CHECK(m.ps(0, 0) == (~0x00010203u & 0x80ffff00u));
    op({0x0f, 0x56, 0xc1});   // orps
    CHECK(m.ps(0, 3) == (0x0c0d0e0fu | 0x18191a1bu));
    op({0x0f, 0x14, 0xc1});   // unpcklps
    CHECK((m.ps(0, 0) == 0x00010203u && m.ps(0, 1) == 0x80ffff00u && m.ps(0, 2) == 0x04050607u &&
           m.ps(0, 3) == 0x10111213u));
    op({0x66, 0x0f, 0x15, 0xc1});   // unpckhpd
    CHECK((m.q(0, 0) == 0x0c0d0e0f08090a0bull && m.q(0, 1) == 0x18191a1b94151617ull));
    op({0x0f, 0xc6, 0xc1, 0x1b});   // shufps 0b00011011: d3 d2 s1 s0
    CHECK((m.ps(0, 0) == 0x0c0d0e0fu && m.ps(0, 1) == 0x08090a0bu && m.ps(0, 2) == 0x10111213u &&
           m.ps(0, 3) == 0x80ffff00u));
    op({0x66, 0x0f, 0xc6, 0xc1, 0x01});   // shufpd 1: d1 s0
    CHECK((m.q(0, 0) == 0x0c0d0e0f08090a0bull && m.q(0, 1) == 0x1011121380ffff00ull));
    op({0x0f, 0x12, 0xc1});   // movhlps
    CHECK((m.q(0, 0) == 0x18191a1b94151617ull && m.q(0, 1) == 0x0c0d0e0f08090a0bull));
    op({0x0f, 0x16, 0xc1});   // movlhps
    CHECK((m.q(0, 0) == 0x0405060700010203ull && m.q(0, 1) == 0x1011121380ffff00ull));
    m.c().gpr[0] = ~0ull;
    op({0x0f, 0x50, 0xc1});   // movmskps
    CHECK(m.c().gpr[0] == 0b0101);
    op({0x66, 0x0f, 0x50, 0xc1});   // movmskpd: both quadwords of xmm1 are positive
    CHECK(m.c().gpr[0] == 0);
}

TEST_CASE("x86 SSE2: packed integer arithmetic", "[x86][sse][unit]") {
    Sse m;
    auto op = [&](std::vector<uint8_t> insn, uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1) {
        m.set_q(0, a0, a1);
        m.set_q(1, b0, b1);
        REQUIRE(m.run(insn));
    };
    // PADDSB: 0x7f + 1 saturates at 0x7f, 0x80 + 0xff (-128 + -1) at 0x80, 5 + 3 = 8.
    op({0x66, 0x0f, 0xec, 0xc1}, 0x05807f, 0, 0x03ff01, 0);
    CHECK((m.b(0, 0) == 0x7f && m.b(0, 1) == 0x80 && m.b(0, 2) == 8));
    // PSUBUSB: 3 - 5 floors at 0; 200 - 100 = 100.
    op({0x66, 0x0f, 0xd8, 0xc1}, 0xc803, 0, 0x6405, 0);
    CHECK((m.b(0, 0) == 0 && m.b(0, 1) == 100));
    op({0x66, 0x0f, 0xfd, 0xc1}, 0xffff, 0, 0x0002, 0);   // paddw wraps
    CHECK(m.w(0, 0) == 1);
    op({0x66, 0x0f, 0xfb, 0xc1}, 0, 5, 1, 7);             // psubq
    CHECK((m.q(0, 0) == ~0ull && m.q(0, 1) == uint64_t(-2)));
    // PMULHW/PMULLW: 0x4000 * -2 = -0x8000: high word 0xffff, low 0x8000.
    op({0x66, 0x0f, 0xe5, 0xc1}, 0x4000, 0, 0xfffe, 0);
    CHECK(m.w(0, 0) == 0xffff);
    op({0x66, 0x0f, 0xd5, 0xc1}, 0x4000, 0, 0xfffe, 0);
    CHECK(m.w(0, 0) == 0x8000);
    // PMULUDQ: the low dwords, full 64-bit products.
    op({0x66, 0x0f, 0xf4, 0xc1}, 0x12345678ffffffffull, 3, 0x9ffffffffull, 0x100000005ull);
    CHECK((m.q(0, 0) == 0xfffffffe00000001ull && m.q(0, 1) == 15));
    // PMADDWD: 2*3 + (-4)*5 = -14; 0x8000 * 0x8000 twice wraps to 0x80000000.
    op({0x66, 0x0f, 0xf5, 0xc1}, 0x80008000fffc0002ull, 0, 0x8000800000050003ull, 0);
    CHECK(m.ps(0, 0) == uint32_t(-14));
    CHECK(m.ps(0, 1) == 0x80000000u);
    // PSADBW: |1-4| + |250-10| = 243 in the low word of each quadword.
    op({0x66, 0x0f, 0xf6, 0xc1}, 0xfa01, 0x0909, 0x0a04, 0x0909);
    CHECK((m.q(0, 0) == 243 && m.q(0, 1) == 0));
    op({0x66, 0x0f, 0xe0, 0xc1}, 0x01ff, 0, 0x02fe, 0);   // pavgb rounds up
    CHECK((m.b(0, 0) == 0xff && m.b(0, 1) == 2));
    op({0x66, 0x0f, 0xea, 0xc1}, 0x0001ffff, 0, 0x80000002, 0);   // pminsw: -1 vs 2, 1 vs -32768
    CHECK((m.w(0, 0) == 0xffff && m.w(0, 1) == 0x8000));
    op({0x66, 0x0f, 0xde, 0xc1}, 0x0180, 0, 0x7f02, 0);   // pmaxub
    CHECK((m.b(0, 0) == 0x80 && m.b(0, 1) == 0x7f));
    op({0x66, 0x0f, 0x64, 0xc1}, 0x0180, 0, 0x007f, 0);   // pcmpgtb: -128 > 127 no, 1 > 0 yes
    CHECK((m.b(0, 0) == 0 && m.b(0, 1) == 0xff && m.b(0, 2) == 0));
    op({0x66, 0x0f, 0x76, 0xc1}, 0x500000005ull, 0, 0x600000005ull, 0);   // pcmpeqd
    CHECK((m.ps(0, 0) == ~0u && m.ps(0, 1) == 0u));
    op({0x66, 0x0f, 0xdb, 0xc1}, 0xf0f0, 1, 0xff00, 3);   // pand
    CHECK((m.q(0, 0) == 0xf000 && m.q(0, 1) == 1));
    op({0x66, 0x0f, 0xdf, 0xc1}, 0xf0f0, 1, 0xff00, 3);   // pandn
    CHECK((m.q(0, 0) == 0x0f00 && m.q(0, 1) == 2));
    op({0x66, 0x0f, 0xeb, 0xc1}, 0xf0f0, 1, 0xff00, 2);   // por
    CHECK((m.q(0, 0) == 0xfff0 && m.q(0, 1) == 3));
}

TEST_CASE("x86 SSE2: packed shifts, packs, unpacks, shuffles, PEXTRW/PINSRW, MASKMOVDQU", "[x86][sse][unit]") {
    Sse m;
    auto op = [&](std::vector<uint8_t> insn, uint64_t a0, uint64_t a1, uint64_t b0 = 0, uint64_t b1 = 0) {
        m.set_q(0, a0, a1);
        m.set_q(1, b0, b1);
        REQUIRE(m.run(insn));
    };
    op({0x66, 0x0f, 0x72, 0xe0, 0x28}, 0x7fffffff80000000ull, 1);   // psrad 40: sign fill
    CHECK((m.q(0, 0) == 0x00000000ffffffffull && m.q(0, 1) == 0));
    op({0x66, 0x0f, 0xe1, 0xc1}, 0x8000, 0, 15, 0);                 // psraw by xmm 15
    CHECK(m.w(0, 0) == 0xffff);
    op({0x66, 0x0f, 0xf3, 0xc1}, 5, 6, 64, 0);                      // psllq by 64: zero
    CHECK((m.q(0, 0) == 0 && m.q(0, 1) == 0));
    op({0x66, 0x0f, 0xf3, 0xc1}, 5, 6, 1, 99);                      // only the low quadword counts
    CHECK((m.q(0, 0) == 10 && m.q(0, 1) == 12));
    op({0x66, 0x0f, 0x71, 0xd0, 0x04}, 0xabcd, 0);                   // psrlw 4
    CHECK(m.w(0, 0) == 0x0abc);
    op({0x66, 0x0f, 0x73, 0xf8, 0x03}, 0x0807060504030201ull, 0x100f0e0d0c0b0a09ull);   // pslldq 3
    CHECK((m.q(0, 0) == 0x0504030201000000ull && m.q(0, 1) == 0x0d0c0b0a09080706ull));
    op({0x66, 0x0f, 0x73, 0xd8, 0x03}, 0x0807060504030201ull, 0x100f0e0d0c0b0a09ull);   // psrldq 3
    CHECK((m.q(0, 0) == 0x0b0a090807060504ull && m.q(0, 1) == 0x100f0e0d0cull));
    // Packs with saturation: words 300, -300, 100, -1 (then the source's).
    op({0x66, 0x0f, 0x63, 0xc1}, 0xffff0064fed4012cull, 0, 0x7fff, 0);   // packsswb
    CHECK((m.b(0, 0) == 0x7f && m.b(0, 1) == 0x80 && m.b(0, 2) == 100 && m.b(0, 3) == 0xff && m.b(0, 8) == 0x7f));
    op({0x66, 0x0f, 0x67, 0xc1}, 0xffff0064fed4012cull, 0, 0x7fff, 0);   // packuswb
    CHECK((m.b(0, 0) == 0xff && m.b(0, 1) == 0 && m.b(0, 2) == 100 && m.b(0, 3) == 0 && m.b(0, 8) == 0xff));
    op({0x66, 0x0f, 0x6b, 0xc1}, 0xfffe000000010000ull, 0, 0, 0);        // packssdw: 65536 -> 32767
    CHECK((m.w(0, 0) == 0x7fff && m.w(0, 1) == 0x8000));
    op({0x66, 0x0f, 0x60, 0xc1}, 0x0201, 0, 0x0b0a, 0);                  // punpcklbw
    CHECK(m.q(0, 0) == 0x0b020a01ull);
    op({0x66, 0x0f, 0x6d, 0xc1}, 1, 2, 3, 4);                            // punpckhqdq
    CHECK((m.q(0, 0) == 2 && m.q(0, 1) == 4));
    op({0x66, 0x0f, 0x70, 0xc1, 0x1b}, 0, 0, 0x0000000100000000ull, 0x0000000300000002ull);   // pshufd reverse
    CHECK((m.q(0, 0) == 0x0000000200000003ull && m.q(0, 1) == 0x0000000000000001ull));
    op({0xf3, 0x0f, 0x70, 0xc1, 0x1b}, 0, 0, 0x0003000200010000ull, 0x0007000600050004ull);   // pshufhw
    CHECK((m.q(0, 0) == 0x0003000200010000ull && m.q(0, 1) == 0x0004000500060007ull));
    op({0xf2, 0x0f, 0x70, 0xc1, 0x1b}, 0, 0, 0x0003000200010000ull, 0x0007000600050004ull);   // pshuflw
    CHECK((m.q(0, 0) == 0x0000000100020003ull && m.q(0, 1) == 0x0007000600050004ull));
    m.c().gpr[0] = ~0ull;
    op({0x66, 0x0f, 0xc5, 0xc1, 0x05}, 0, 0, 0, 0x00000000beef0000ull);   // pextrw eax, xmm1, 5
    CHECK(m.c().gpr[0] == 0xbeef);
    m.c().gpr[0] = 0x12345678;
    op({0x66, 0x0f, 0xc4, 0xc0, 0x02}, 0, 0);                             // pinsrw xmm0, eax, 2
    CHECK(m.q(0, 0) == 0x0000567800000000ull);
    // MASKMOVDQU: bytes 0 and 2 (mask top bits) to [rdi].
    m.c().gpr[7] = kBuf;
    m.s.wr(kBuf, 0x5555555555555555ull);
    op({0x66, 0x0f, 0xf7, 0xc1}, 0x44332211, 0, 0x800080, 0);
    CHECK(m.s.rd(kBuf) == 0x5555555555335511ull);
    // MOVQ xmm, xmm zeroes the high half; CLFLUSH checks only the address.
    op({0xf3, 0x0f, 0x7e, 0xc1}, 9, 9, 7, 8);
    CHECK((m.q(0, 0) == 7 && m.q(0, 1) == 0));
    CHECK(m.run({0x0f, 0xae, 0x3b}));   // clflush [rbx]
    m.c().gpr[3] = 0x40000000;          // not mapped
    CHECK_FALSE(m.run({0x0f, 0xae, 0x3b}));
    CHECK(m.faulted(14));
}

TEST_CASE("x86 SSE: timing classes: FP, FP divide/sqrt, packed integer ALU and multiply", "[x86][sse][timing][unit]") {
    auto prof = std::make_shared<hvemu::isa::TimingProfile>();
    prof->name = "test";
    prof->costs.insn.alu = 1;
    prof->costs.insn.mul = 3;
    prof->costs.insn.fp = 4;
    prof->costs.insn.fp_div = 20;
    CoreConfig cfg;
    cfg.clock.profile = prof;
    Sse m(cfg);
    auto cost = [&](std::vector<uint8_t> insn) {
        const uint64_t before = m.c().cycles();
        REQUIRE(m.run(insn));
        return m.c().cycles() - before;
    };
    const uint64_t addsd = cost(kAddsd), divsd = cost(kDivsd), sqrtss = cost(kSqrtss);
    const uint64_t paddw = cost({0x66, 0x0f, 0xfd, 0xc1}), pmullw = cost({0x66, 0x0f, 0xd5, 0xc1});
    const uint64_t cvt = cost({0xf2, 0x48, 0x0f, 0x2a, 0xc0});
    CHECK(divsd - addsd == 20 - 4);
    CHECK(sqrtss == divsd);
    CHECK(addsd - paddw == 4 - 1);
    CHECK(pmullw - paddw == 3 - 1);
    CHECK(cvt == addsd);
}
