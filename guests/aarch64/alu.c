// Data processing: add/sub with flags, logical immediates, bitfield moves,
// shifts, extends, multiply and divide (division by zero, INT_MIN / -1),
// conditional select and compare, clz/cls/rbit/rev. Every group runs over
// pseudo-random operands, checks each result against a C model written
// without the instruction under test, and prints a checksum of the results.
#include "rt/rt.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

static uint64_t rng = 0x9e3779b97f4a7c15ul;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
// Operands with many edge values: 0, ±1, INT_MIN/MAX of each width, small numbers.
static uint64_t operand(void) {
    static const uint64_t edges[] = {0, 1, ~0ul, 0x8000000000000000ul, 0x7ffffffffffffffful, 0x80000000ul,
                                     0x7ffffffful, 0xfffffffful, 0xffffffff80000000ul, 0xff, 0x80};
    uint64_t r = next();
    switch (r & 7) {
    case 0: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 1: return (r >> 8) & 0x3f;
    default: return next();
    }
}

static uint64_t sum;
static unsigned group_fail;
static void mix(uint64_t v) { sum = (sum ^ v) * 0x100000001b3ul + (sum >> 29); }
static void expect(const char *what, uint64_t a, uint64_t b, uint64_t got, uint64_t want) {
    mix(got);
    if (got != want && group_fail++ < 4)
        rt_check(0, "%s(%lx, %lx): got %lx, want %lx", what, a, b, got, want);
}
static void group_end(const char *name) {
    printf("%-10s checksum %016lx%s\n", name, sum, group_fail ? "  (mismatches)" : "");
    if (group_fail) rt_failures++;
    sum = 0;
    group_fail = 0;
}

#define N 400
#define NZCV(n, z, c, v) (((uint64_t)(n) << 31) | ((uint64_t)(z) << 30) | ((uint64_t)(c) << 29) | ((uint64_t)(v) << 28))

// ---- add/sub with flags
static uint64_t flags_add64(uint64_t a, uint64_t b, unsigned cin, uint64_t *res) {
    u128 u = (u128)a + b + cin;
    s128 s = (s128)(int64_t)a + (int64_t)b + cin;
    *res = (uint64_t)u;
    return NZCV(*res >> 63, *res == 0, (u >> 64) != 0, s != (int64_t)*res);
}
static uint64_t flags_add32(uint32_t a, uint32_t b, unsigned cin, uint64_t *res) {
    uint64_t u = (uint64_t)a + b + cin;
    int64_t s = (int64_t)(int32_t)a + (int32_t)b + cin;
    *res = (uint32_t)u;
    return NZCV(*res >> 31, *res == 0, u >> 32, s != (int32_t)*res);
}

static void test_addsub(void) {
    for (int i = 0; i < N; i++) {
        uint64_t a = operand(), b = operand(), r, f, wr, wf;
        __asm__ volatile("adds %0, %2, %3\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a), "r"(b) : "cc");
        wf = flags_add64(a, b, 0, &wr);
        expect("adds", a, b, r, wr);
        expect("adds nzcv", a, b, f, wf);
        __asm__ volatile("subs %0, %2, %3\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a), "r"(b) : "cc");
        wf = flags_add64(a, ~b, 1, &wr);
        expect("subs", a, b, r, wr);
        expect("subs nzcv", a, b, f, wf);
        __asm__ volatile("adds %w0, %w2, %w3\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a), "r"(b) : "cc");
        wf = flags_add32((uint32_t)a, (uint32_t)b, 0, &wr);
        expect("adds w", a, b, r, wr);
        expect("adds w nzcv", a, b, f, wf);
        __asm__ volatile("subs %w0, %w2, %w3\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a), "r"(b) : "cc");
        wf = flags_add32((uint32_t)a, ~(uint32_t)b, 1, &wr);
        expect("subs w", a, b, r, wr);
        expect("subs w nzcv", a, b, f, wf);
        unsigned c = (unsigned)(next() & 1);
        uint64_t nz = NZCV(0, 0, c, 0);
        __asm__ volatile("msr nzcv, %2\n adcs %0, %3, %4\n mrs %1, nzcv"
                         : "=&r"(r), "=&r"(f) : "r"(nz), "r"(a), "r"(b) : "cc");
        wf = flags_add64(a, b, c, &wr);
        expect("adcs", a, b, r, wr);
        expect("adcs nzcv", a, b, f, wf);
        __asm__ volatile("msr nzcv, %2\n sbcs %w0, %w3, %w4\n mrs %1, nzcv"
                         : "=&r"(r), "=&r"(f) : "r"(nz), "r"(a), "r"(b) : "cc");
        wf = flags_add32((uint32_t)a, ~(uint32_t)b, c, &wr);
        expect("sbcs w", a, b, r, wr);
        expect("sbcs w nzcv", a, b, f, wf);
        // Immediates, shifted by 12, and cmn/neg
        __asm__ volatile("add %0, %1, #0xabc, lsl #12" : "=r"(r) : "r"(a));
        expect("add imm lsl12", a, 0, r, a + (0xabcul << 12));
        __asm__ volatile("subs %w0, %w2, #4095\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a) : "cc");
        wf = flags_add32((uint32_t)a, ~4095u, 1, &wr);
        expect("subs w imm", a, 0, f, wf);
        __asm__ volatile("negs %0, %2\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a) : "cc");
        wf = flags_add64(0, ~a, 1, &wr);
        expect("negs", a, 0, f, wf);
        expect("negs r", a, 0, r, wr);
    }
    group_end("addsub");
}

// ---- logical (immediates and shifted registers)
static void test_logical(void) {
    for (int i = 0; i < N; i++) {
        uint64_t a = operand(), b = operand(), r, f;
        __asm__("and %0, %1, #0x5555555555555555" : "=r"(r) : "r"(a));
        expect("and imm", a, 0, r, a & 0x5555555555555555ul);
        __asm__("orr %0, %1, #0xff00ff00ff00ff00" : "=r"(r) : "r"(a));
        expect("orr imm", a, 0, r, a | 0xff00ff00ff00ff00ul);
        __asm__("eor %0, %1, #0xfffffffffffffff0" : "=r"(r) : "r"(a));
        expect("eor imm", a, 0, r, a ^ 0xfffffffffffffff0ul);
        __asm__("and %w0, %w1, #0x3ffc0" : "=r"(r) : "r"(a));
        expect("and w imm", a, 0, r, a & 0x3ffc0u);
        __asm__("eor %w0, %w1, #0x81818181" : "=r"(r) : "r"(a));
        expect("eor w imm", a, 0, r, (uint32_t)(a ^ 0x81818181u));
        __asm__ volatile("ands %0, %2, #0x8000000000000001\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a) : "cc");
        uint64_t w = a & 0x8000000000000001ul;
        expect("ands imm nzcv", a, 0, f, NZCV(w >> 63, w == 0, 0, 0));
        __asm__("bic %0, %1, %2, ror #17" : "=r"(r) : "r"(a), "r"(b));
        expect("bic ror", a, b, r, a & ~((b >> 17) | (b << 47)));
        __asm__("orn %w0, %w1, %w2, lsr #3" : "=r"(r) : "r"(a), "r"(b));
        expect("orn w lsr", a, b, r, (uint32_t)(a | ~((uint32_t)b >> 3)));
        __asm__("eon %0, %1, %2, asr #40" : "=r"(r) : "r"(a), "r"(b));
        expect("eon asr", a, b, r, a ^ ~(uint64_t)((int64_t)b >> 40));
        __asm__ volatile("bics %w0, %w2, %w3, lsl #9\n mrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a), "r"(b) : "cc");
        w = (uint32_t)(a & ~((uint32_t)b << 9));
        expect("bics w", a, b, r, w);
        expect("bics w nzcv", a, b, f, NZCV(w >> 31, w == 0, 0, 0));
        __asm__("movn %0, #0x1234, lsl #32" : "=r"(r));
        expect("movn", 0, 0, r, ~(0x1234ul << 32));
        r = a;
        __asm__("movk %0, #0xbeef, lsl #16" : "+r"(r));
        expect("movk", a, 0, r, (a & ~0xffff0000ul) | 0xbeef0000ul);
    }
    group_end("logical");
}

// ---- bitfield moves and extract
static uint64_t mask(unsigned n) { return n >= 64 ? ~0ul : (1ul << n) - 1; }
static uint64_t sext(uint64_t v, unsigned bits) { return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits)); }

static void test_bitfield(void) {
    for (int i = 0; i < N; i++) {
        uint64_t a = operand(), b = operand(), r;
        __asm__("ubfx %0, %1, #13, #22" : "=r"(r) : "r"(a));
        expect("ubfx", a, 0, r, (a >> 13) & mask(22));
        __asm__("sbfx %0, %1, #40, #17" : "=r"(r) : "r"(a));
        expect("sbfx", a, 0, r, sext((a >> 40) & mask(17), 17));
        __asm__("sbfx %w0, %w1, #3, #29" : "=r"(r) : "r"(a));
        expect("sbfx w", a, 0, r, (uint32_t)sext((a >> 3) & mask(29), 29));
        r = a;
        __asm__("bfi %0, %1, #20, #12" : "+r"(r) : "r"(b));
        expect("bfi", a, b, r, (a & ~(mask(12) << 20)) | ((b & mask(12)) << 20));
        r = a;
        __asm__("bfxil %w0, %w1, #5, #7" : "+r"(r) : "r"(b));
        expect("bfxil w", a, b, r, (uint32_t)((a & ~mask(7)) | ((b >> 5) & mask(7))));
        __asm__("ubfiz %0, %1, #50, #14" : "=r"(r) : "r"(a));
        expect("ubfiz", a, 0, r, (a & mask(14)) << 50);
        __asm__("sbfiz %0, %1, #4, #9" : "=r"(r) : "r"(a));
        expect("sbfiz", a, 0, r, sext(a & mask(9), 9) << 4);
        __asm__("extr %0, %1, %2, #23" : "=r"(r) : "r"(a), "r"(b));
        expect("extr", a, b, r, (b >> 23) | (a << 41));
        __asm__("extr %w0, %w1, %w2, #31" : "=r"(r) : "r"(a), "r"(b));
        expect("extr w", a, b, r, (uint32_t)(((uint32_t)b >> 31) | ((uint32_t)a << 1)));
        __asm__("sxtb %0, %w1" : "=r"(r) : "r"(a));
        expect("sxtb", a, 0, r, sext(a & 0xff, 8));
        __asm__("sxth %w0, %w1" : "=r"(r) : "r"(a));
        expect("sxth w", a, 0, r, (uint32_t)sext(a & 0xffff, 16));
        __asm__("sxtw %0, %w1" : "=r"(r) : "r"(a));
        expect("sxtw", a, 0, r, sext(a & 0xffffffff, 32));
        __asm__("uxth %w0, %w1" : "=r"(r) : "r"(a));
        expect("uxth", a, 0, r, a & 0xffff);
    }
    group_end("bitfield");
}

// ---- shifts by register and shifted/extended operands
static void test_shift_extend(void) {
    for (int i = 0; i < N; i++) {
        uint64_t a = operand(), b = operand(), s = next(), r;
        __asm__("lsl %0, %1, %2" : "=r"(r) : "r"(a), "r"(s));
        expect("lslv", a, s, r, a << (s & 63));
        __asm__("lsr %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(s));
        expect("lsrv w", a, s, r, (uint32_t)a >> (s & 31));
        __asm__("asr %0, %1, %2" : "=r"(r) : "r"(a), "r"(s));
        expect("asrv", a, s, r, (uint64_t)((int64_t)a >> (s & 63)));
        __asm__("asr %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(s));
        expect("asrv w", a, s, r, (uint32_t)((int32_t)a >> (s & 31)));
        __asm__("ror %0, %1, %2" : "=r"(r) : "r"(a), "r"(s));
        expect("rorv", a, s, r, (s & 63) ? (a >> (s & 63)) | (a << (64 - (s & 63))) : a);
        __asm__("ror %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(s));
        uint32_t a32 = (uint32_t)a;
        expect("rorv w", a, s, r, (s & 31) ? (uint32_t)((a32 >> (s & 31)) | (a32 << (32 - (s & 31)))) : a32);
        __asm__("add %0, %1, %2, lsl #13" : "=r"(r) : "r"(a), "r"(b));
        expect("add lsl", a, b, r, a + (b << 13));
        __asm__("sub %w0, %w1, %w2, asr #7" : "=r"(r) : "r"(a), "r"(b));
        expect("sub w asr", a, b, r, (uint32_t)((uint32_t)a - (uint32_t)((int32_t)b >> 7)));
        __asm__("add %0, %1, %w2, sxtb #2" : "=r"(r) : "r"(a), "r"(b));
        expect("add sxtb", a, b, r, a + (sext(b & 0xff, 8) << 2));
        __asm__("add %0, %1, %w2, uxth #4" : "=r"(r) : "r"(a), "r"(b));
        expect("add uxth", a, b, r, a + ((b & 0xffff) << 4));
        __asm__("sub %0, %1, %w2, sxtw #3" : "=r"(r) : "r"(a), "r"(b));
        expect("sub sxtw", a, b, r, a - (sext(b & 0xffffffff, 32) << 3));
        __asm__("add %w0, %w1, %w2, uxtb #1" : "=r"(r) : "r"(a), "r"(b));
        expect("add w uxtb", a, b, r, (uint32_t)(a + ((b & 0xff) << 1)));
        __asm__("sub %0, %1, %2, uxtx #0" : "=r"(r) : "r"(a), "r"(b));
        expect("sub uxtx", a, b, r, a - b);
    }
    group_end("shift/ext");
}

// ---- multiply
static void test_mul(void) {
    for (int i = 0; i < N; i++) {
        uint64_t a = operand(), b = operand(), c = operand(), r;
        __asm__("madd %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
        expect("madd", a, b, r, (uint64_t)((u128)a * b + c));
        __asm__("msub %w0, %w1, %w2, %w3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
        expect("msub w", a, b, r, (uint32_t)((uint32_t)c - (uint64_t)(uint32_t)a * (uint32_t)b));
        __asm__("umulh %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
        expect("umulh", a, b, r, (uint64_t)(((u128)a * b) >> 64));
        __asm__("smulh %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
        expect("smulh", a, b, r, (uint64_t)(((s128)(int64_t)a * (int64_t)b) >> 64));
        __asm__("smull %0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b));
        expect("smull", a, b, r, (uint64_t)((int64_t)(int32_t)a * (int32_t)b));
        __asm__("umull %0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b));
        expect("umull", a, b, r, (uint64_t)(uint32_t)a * (uint32_t)b);
        __asm__("smsubl %0, %w1, %w2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
        expect("smsubl", a, b, r, c - (uint64_t)((int64_t)(int32_t)a * (int32_t)b));
        __asm__("umaddl %0, %w1, %w2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
        expect("umaddl", a, b, r, c + (uint64_t)(uint32_t)a * (uint32_t)b);
    }
    group_end("multiply");
}

// ---- divide: x / 0 = 0; INT_MIN / -1 = INT_MIN (no trap)
static uint64_t ref_sdiv64(uint64_t a, uint64_t b) {
    if (b == 0) return 0;
    if (a == 0x8000000000000000ul && b == ~0ul) return a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}
static uint64_t ref_sdiv32(uint32_t a, uint32_t b) {
    if (b == 0) return 0;
    if (a == 0x80000000u && b == ~0u) return a;
    return (uint32_t)((int32_t)a / (int32_t)b);
}

static void test_div(void) {
    for (int i = 0; i < N; i++) {
        uint64_t a = operand(), b = operand(), r;
        if ((i & 15) == 0) b = 0;
        if ((i & 15) == 1) b = ~0ul;
        __asm__("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
        expect("udiv", a, b, r, b ? a / b : 0);
        __asm__("udiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b));
        expect("udiv w", a, b, r, (uint32_t)b ? (uint32_t)a / (uint32_t)b : 0);
        __asm__("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
        expect("sdiv", a, b, r, ref_sdiv64(a, b));
        __asm__("sdiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b));
        expect("sdiv w", a, b, r, ref_sdiv32((uint32_t)a, (uint32_t)b));
    }
    group_end("divide");
    // The edge cases, printed.
    uint64_t r1, r2, r3, r4, r5;
    uint64_t min64 = OPAQUE(0x8000000000000000ul), m1 = OPAQUE(~0ul), z = OPAQUE(0ul), x = OPAQUE(12345ul);
    __asm__("sdiv %0, %1, %2" : "=r"(r1) : "r"(min64), "r"(m1));
    __asm__("sdiv %w0, %w1, %w2" : "=r"(r2) : "r"(0x80000000ul), "r"(m1));
    __asm__("udiv %0, %1, %2" : "=r"(r3) : "r"(x), "r"(z));
    __asm__("sdiv %0, %1, %2" : "=r"(r4) : "r"(min64), "r"(z));
    __asm__("sdiv %w0, %w1, %w2" : "=r"(r5) : "r"(-7l), "r"(2l));
    printf("sdiv INT64_MIN/-1 = %lx, sdiv w INT32_MIN/-1 = %lx, udiv 12345/0 = %lx, sdiv MIN/0 = %lx, -7/2 = %lx\n",
           r1, r2, r3, r4, r5);
    CHECK_EQ("sdiv INT64_MIN/-1", r1, 0x8000000000000000ul);
    CHECK_EQ("sdiv w INT32_MIN/-1", r2, 0x80000000ul);
    CHECK_EQ("udiv x/0", r3, 0);
    CHECK_EQ("sdiv x/0", r4, 0);
    CHECK_EQ("sdiv w -7/2", r5, 0xfffffffdul);
}

// ---- conditional select and compare
static int cond_holds(unsigned cond, uint64_t nzcv) {
    unsigned n = (nzcv >> 31) & 1, z = (nzcv >> 30) & 1, c = (nzcv >> 29) & 1, v = (nzcv >> 28) & 1;
    int r;
    switch (cond >> 1) {
    case 0: r = z; break;
    case 1: r = c; break;
    case 2: r = n; break;
    case 3: r = v; break;
    case 4: r = c && !z; break;
    case 5: r = n == v; break;
    case 6: r = n == v && !z; break;
    default: r = 1; break;
    }
    return (cond & 1) && cond != 15 ? !r : r;
}

#define CSEL_CASE(cc, code)                                                                                  \
    __asm__ volatile("msr nzcv, %3\n csel %0, %1, %2, " #cc : "=r"(r) : "r"(a), "r"(b), "r"(f) : "cc");    \
    expect("csel " #cc, a, f, r, cond_holds(code, f) ? a : b);                                              \
    __asm__ volatile("msr nzcv, %3\n csinc %w0, %w1, %w2, " #cc : "=r"(r) : "r"(a), "r"(b), "r"(f) : "cc"); \
    expect("csinc " #cc, a, f, r, cond_holds(code, f) ? (uint32_t)a : (uint32_t)(b + 1));                   \
    __asm__ volatile("msr nzcv, %3\n csinv %0, %1, %2, " #cc : "=r"(r) : "r"(a), "r"(b), "r"(f) : "cc");   \
    expect("csinv " #cc, a, f, r, cond_holds(code, f) ? a : ~b);                                            \
    __asm__ volatile("msr nzcv, %3\n csneg %0, %1, %2, " #cc : "=r"(r) : "r"(a), "r"(b), "r"(f) : "cc");   \
    expect("csneg " #cc, a, f, r, cond_holds(code, f) ? a : -b);                                            \
    __asm__ volatile("msr nzcv, %3\n ccmp %1, %2, #0b1010, " #cc "\n mrs %0, nzcv"                          \
                     : "=r"(r) : "r"(a), "r"(b), "r"(f) : "cc");                                             \
    want = cond_holds(code, f) ? flags_add64(a, ~b, 1, &t) : NZCV(1, 0, 1, 0);                              \
    expect("ccmp " #cc, a, b, r, want);                                                                      \
    __asm__ volatile("msr nzcv, %2\n ccmn %w1, #17, #0b0101, " #cc "\n mrs %0, nzcv"                        \
                     : "=r"(r) : "r"(a), "r"(f) : "cc");                                                     \
    want = cond_holds(code, f) ? flags_add32((uint32_t)a, 17, 0, &t) : NZCV(0, 1, 0, 1);                    \
    expect("ccmn " #cc, a, 17, r, want);

static void test_cond(void) {
    for (int i = 0; i < N / 4; i++) {
        uint64_t a = operand(), b = operand(), f = (next() & 0xf) << 28, r, t, want;
        CSEL_CASE(eq, 0) CSEL_CASE(ne, 1) CSEL_CASE(hs, 2) CSEL_CASE(lo, 3)
        CSEL_CASE(mi, 4) CSEL_CASE(pl, 5) CSEL_CASE(vs, 6) CSEL_CASE(vc, 7)
        CSEL_CASE(hi, 8) CSEL_CASE(ls, 9) CSEL_CASE(ge, 10) CSEL_CASE(lt, 11)
        CSEL_CASE(gt, 12) CSEL_CASE(le, 13) CSEL_CASE(al, 14) CSEL_CASE(nv, 15)
    }
    group_end("condition");
}

// ---- bit counting and reversing
static uint64_t ref_clz(uint64_t v, unsigned bits) {
    unsigned n = 0;
    for (int i = (int)bits - 1; i >= 0 && !((v >> i) & 1); i--) n++;
    return n;
}
static uint64_t ref_rbit(uint64_t v, unsigned bits) {
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; i++)
        if ((v >> i) & 1) r |= 1ul << (bits - 1 - i);
    return r;
}
// Reverse the bytes inside each `chunk`-byte container of a `bytes`-byte value.
static uint64_t ref_rev(uint64_t v, unsigned bytes, unsigned chunk) {
    uint64_t r = 0;
    for (unsigned i = 0; i < bytes; i++) {
        unsigned base = i / chunk * chunk, j = base + (chunk - 1 - (i - base));
        r |= ((v >> (8 * i)) & 0xff) << (8 * j);
    }
    return r;
}

static void test_bits(void) {
    for (int i = 0; i < N; i++) {
        uint64_t a = operand(), r;
        if ((i & 7) == 0) a >>= (next() & 63);
        __asm__("clz %0, %1" : "=r"(r) : "r"(a));
        expect("clz", a, 0, r, ref_clz(a, 64));
        __asm__("clz %w0, %w1" : "=r"(r) : "r"(a));
        expect("clz w", a, 0, r, ref_clz((uint32_t)a, 32));
        __asm__("cls %0, %1" : "=r"(r) : "r"(a));
        uint64_t lz = ref_clz(a ^ (a << 1), 64);
        expect("cls", a, 0, r, lz == 64 ? 63 : lz);
        __asm__("rbit %0, %1" : "=r"(r) : "r"(a));
        expect("rbit", a, 0, r, ref_rbit(a, 64));
        __asm__("rbit %w0, %w1" : "=r"(r) : "r"(a));
        expect("rbit w", a, 0, r, ref_rbit((uint32_t)a, 32));
        __asm__("rev %0, %1" : "=r"(r) : "r"(a));
        expect("rev", a, 0, r, ref_rev(a, 8, 8));
        __asm__("rev %w0, %w1" : "=r"(r) : "r"(a));
        expect("rev w", a, 0, r, ref_rev(a, 4, 4));
        __asm__("rev16 %0, %1" : "=r"(r) : "r"(a));
        expect("rev16", a, 0, r, ref_rev(a, 8, 2));
        __asm__("rev32 %0, %1" : "=r"(r) : "r"(a));
        expect("rev32", a, 0, r, ref_rev(a, 8, 4));
    }
    group_end("bits");
    uint64_t z = OPAQUE(0ul), r1, r2, r3;
    __asm__("clz %0, %1" : "=r"(r1) : "r"(z));
    __asm__("cls %0, %1" : "=r"(r2) : "r"(z));
    __asm__("cls %w0, %w1" : "=r"(r3) : "r"(~z));
    printf("clz(0) = %lu, cls(0) = %lu, cls w(-1) = %lu\n", r1, r2, r3);
    CHECK_EQ("clz(0)", r1, 64);
    CHECK_EQ("cls(0)", r2, 63);
    CHECK_EQ("cls w(-1)", r3, 31);
}

int main(void) {
    test_addsub();
    test_logical();
    test_bitfield();
    test_shift_extend();
    test_mul();
    test_div();
    test_cond();
    test_bits();
    rt_verdict("alu");
}
