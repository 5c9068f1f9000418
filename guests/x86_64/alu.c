// Integer instructions against a C model: for pseudo-random operands (and
// edge values), each instruction's result and the flags the SDM defines
// for it (CF PF AF ZF SF OF, masked where undefined) must match the model.
// A checksum per instruction is printed, so a difference shows which one.
#include "rt/rt.h"

#define CF 0x001ul
#define PF 0x004ul
#define AF 0x010ul
#define ZF 0x040ul
#define SF 0x080ul
#define OF 0x800ul
#define ARITH (CF | PF | AF | ZF | SF | OF)

static uint64_t seed = 0x0123456789abcdeful;
static uint64_t rnd(void) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return seed;
}
static const uint64_t edges[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fffffffffffffff, 0x8000000000000000, ~0ul, 0xfffffffful};
static uint64_t operand(unsigned i) { return i < 9 ? edges[i] : (i & 1 ? rnd() : rnd() >> (rnd() & 63)); }

static uint64_t szp(uint64_t r) {
    uint64_t f = 0;
    if (r == 0) f |= ZF;
    if (r >> 63) f |= SF;
    if (!(__builtin_popcountll(r & 0xff) & 1)) f |= PF;
    return f;
}

// op(a, b, flags-in) -> result, flags-out (the CPU's), with CF in as given.
typedef uint64_t (*hw_fn)(uint64_t a, uint64_t b, uint64_t cf, uint64_t *flags);
typedef uint64_t (*model_fn)(uint64_t a, uint64_t b, uint64_t cf, uint64_t *flags);

#define HW2(name, insn)                                                                            \
    static uint64_t hw_##name(uint64_t a, uint64_t b, uint64_t cf, uint64_t *flags) {              \
        uint64_t f;                                                                                \
        __asm__ volatile("bt $0, %3\n" insn "\n pushfq; popq %1" : "+r"(a), "=r"(f) : "r"(b), "r"(cf) : "cc"); \
        *flags = f;                                                                                \
        return a;                                                                                  \
    }
#define HWC(name, insn)                                                                            \
    static uint64_t hw_##name(uint64_t a, uint64_t b, uint64_t cf, uint64_t *flags) {              \
        uint64_t f;                                                                                \
        __asm__ volatile("bt $0, %3\n" insn "\n pushfq; popq %1" : "+r"(a), "=r"(f) : "c"(b), "r"(cf) : "cc"); \
        *flags = f;                                                                                \
        return a;                                                                                  \
    }
HW2(add, "addq %2, %0")
HW2(adc, "adcq %2, %0")
HW2(sub, "subq %2, %0")
HW2(sbb, "sbbq %2, %0")
HW2(and, "andq %2, %0")
HW2(or, "orq %2, %0")
HW2(xor, "xorq %2, %0")
HW2(imul, "imulq %2, %0")
HW2(inc, "incq %0")
HW2(neg, "negq %0")
HWC(shl, "shlq %%cl, %0")
HWC(shr, "shrq %%cl, %0")
HWC(sar, "sarq %%cl, %0")
HWC(rol, "rolq %%cl, %0")

static uint64_t add_flags(uint64_t a, uint64_t b, uint64_t c, uint64_t r) {
    uint64_t f = szp(r);
    if (r < a || (c && r == a)) f |= CF;
    if ((a ^ b ^ r) & 0x10) f |= AF;
    if ((~(a ^ b) & (a ^ r)) >> 63) f |= OF;
    return f;
}
static uint64_t sub_flags(uint64_t a, uint64_t b, uint64_t c, uint64_t r) {
    uint64_t f = szp(r);
    if (a < b || (c && a == b)) f |= CF;
    if ((a ^ b ^ r) & 0x10) f |= AF;
    if (((a ^ b) & (a ^ r)) >> 63) f |= OF;
    return f;
}
static uint64_t m_add(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) { uint64_t r = a + b; *f = add_flags(a, b, 0, r); (void)c; return r; }
static uint64_t m_adc(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) { uint64_t r = a + b + c; *f = add_flags(a, b, c, r); return r; }
static uint64_t m_sub(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) { uint64_t r = a - b; *f = sub_flags(a, b, 0, r); (void)c; return r; }
static uint64_t m_sbb(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) { uint64_t r = a - b - c; *f = sub_flags(a, b, c, r); return r; }
static uint64_t m_and(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) { (void)c; *f = szp(a & b); return a & b; }
static uint64_t m_or(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) { (void)c; *f = szp(a | b); return a | b; }
static uint64_t m_xor(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) { (void)c; *f = szp(a ^ b); return a ^ b; }
static uint64_t m_imul(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) {
    (void)c;
    __int128 p = (__int128)(int64_t)a * (int64_t)b;
    *f = p != (__int128)(int64_t)(uint64_t)p ? CF | OF : 0;
    return (uint64_t)p;
}
static uint64_t m_inc(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) {
    (void)b;
    uint64_t r = a + 1;
    *f = (add_flags(a, 1, 0, r) & ~CF) | (c ? CF : 0);   // CF unchanged
    return r;
}
static uint64_t m_neg(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) { (void)b, (void)c; uint64_t r = 0 - a; *f = (sub_flags(0, a, 0, r) & ~CF) | (a ? CF : 0); return r; }
static uint64_t m_shl(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) {
    unsigned n = b & 63;
    if (!n) { *f = c ? CF : 0; return a; }   // flags unchanged (only CF is set going in)
    uint64_t r = a << n;
    *f = szp(r) | ((a >> (64 - n)) & 1 ? CF : 0);
    if (n == 1 && ((r >> 63) ^ ((*f & CF) != 0))) *f |= OF;
    return r;
}
static uint64_t m_shr(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) {
    unsigned n = b & 63;
    if (!n) { *f = c ? CF : 0; return a; }
    uint64_t r = a >> n;
    *f = szp(r) | ((a >> (n - 1)) & 1 ? CF : 0) | (n == 1 && (a >> 63) ? OF : 0);
    return r;
}
static uint64_t m_sar(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) {
    unsigned n = b & 63;
    if (!n) { *f = c ? CF : 0; return a; }
    uint64_t r = (uint64_t)((int64_t)a >> n);
    *f = szp(r) | ((a >> (n - 1)) & 1 ? CF : 0);
    return r;
}
static uint64_t m_rol(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) {
    unsigned n = b & 63;
    if (!n) { *f = c ? CF : 0; return a; }
    uint64_t r = (a << n) | (a >> (64 - n));
    *f = (r & 1 ? CF : 0);
    if (n == 1 && ((r >> 63) ^ (r & 1))) *f |= OF;
    return r;
}

// Which flags each instruction defines (the model gives 0 for the others).
struct op { const char *name; hw_fn hw; model_fn model; uint64_t mask; int shift; };
#define SHIFT_MASK(n) ((n) == 1 ? (CF | PF | ZF | SF | OF) : (CF | PF | ZF | SF))
static const struct op ops[] = {
    {"add", hw_add, m_add, ARITH, 0}, {"adc", hw_adc, m_adc, ARITH, 0}, {"sub", hw_sub, m_sub, ARITH, 0},
    {"sbb", hw_sbb, m_sbb, ARITH, 0}, {"and", hw_and, m_and, ARITH & ~AF, 0}, {"or", hw_or, m_or, ARITH & ~AF, 0},
    {"xor", hw_xor, m_xor, ARITH & ~AF, 0}, {"imul", hw_imul, m_imul, CF | OF, 0}, {"inc", hw_inc, m_inc, ARITH, 0},
    {"neg", hw_neg, m_neg, ARITH, 0}, {"shl", hw_shl, m_shl, 0, 1}, {"shr", hw_shr, m_shr, 0, 1},
    {"sar", hw_sar, m_sar, 0, 1}, {"rol", hw_rol, m_rol, 0, 2},
};

int main(void) {
    for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        const struct op *o = &ops[k];
        uint64_t sum = 0;
        unsigned bad = 0;
        for (unsigned i = 0; i < 300; i++) {
            uint64_t a = operand(i % 40), b = o->shift ? (i < 70 ? i : rnd()) : operand((i * 7 + 3) % 40), c = i & 1;
            uint64_t hf, mf;
            uint64_t hr = o->hw(a, b, c, &hf), mr = o->model(a, b, c, &mf);
            uint64_t mask = o->mask;
            unsigned n = b & 63;
            if (o->shift == 1) mask = n ? SHIFT_MASK(n) : ARITH;
            if (o->shift == 2) mask = n ? (n == 1 ? CF | OF : CF) : CF | OF;
            if (o->shift && !n) mf = (mf & CF) | (hf & (mask & ~CF));   // count 0: flags untouched
            if (hr != mr || ((hf ^ mf) & mask)) {
                if (bad++ < 3)
                    printf("  %s %lx, %lx (cf %lu): got %lx flags %lx, model %lx flags %lx\n", o->name, a, b, c, hr,
                           hf & mask, mr, mf & mask);
            }
            sum = (sum ^ hr) * 0x100000001b3ul + (hf & mask);
        }
        printf("%-5s checksum %016lx%s\n", o->name, sum, bad ? " MISMATCH" : "");
        rt_check(!bad, "%s: %u mismatches with the model", o->name, bad);
    }
    // Division: quotient and remainder (flags are undefined).
    uint64_t dsum = 0;
    for (unsigned i = 0; i < 200; i++) {
        uint64_t a = rnd(), b = rnd() >> (rnd() & 63);
        if (!b) b = 7;
        uint64_t q, r;
        __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(a), "d"(0ul), "rm"(b));
        rt_check(q == a / b && r == a % b, "div %lx / %lx", a, b);
        dsum = (dsum ^ q ^ (r << 1)) * 0x100000001b3ul;
    }
    printf("div   checksum %016lx\n", dsum);
    rt_verdict("alu");
}
