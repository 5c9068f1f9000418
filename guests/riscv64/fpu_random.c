// F and D arithmetic on pseudo-random operands (a fixed LCG, so every run
// is the same): exponents drawn to hit ordinary rounding, cancellation,
// results near the overflow threshold and in the subnormal range (tininess
// and underflow), in the five rounding modes, with the accrued flags.
// Complements fpu.c, whose operands are the special values.
#include "common.h"

static uint64_t lcg_state = 0x853c49e6748fea9bul;
static uint64_t rnd(void) {
    lcg_state = lcg_state * 6364136223846793005ul + 1442695040888963407ul;
    return lcg_state ^ (lcg_state >> 29);
}

// A double with a random mantissa, sign, and an exponent from `class`:
// 0 near 1, 1 anywhere, 2 near the top, 3 near the bottom (and subnormal).
static uint64_t rnd_d(unsigned cls) {
    uint64_t r = rnd(), m = r & 0xfffffffffffffull, s = (r >> 63) << 63;
    int64_t e;
    switch (cls & 3) {
    case 0: e = 1023 + (int64_t)(rnd() % 5) - 2; break;
    case 1: e = 1 + (int64_t)(rnd() % 2046); break;
    case 2: e = 2046 - (int64_t)(rnd() % 4); break;
    default: e = (int64_t)(rnd() % 4); break;   // 0: subnormal
    }
    return s | ((uint64_t)e << 52) | m;
}
static uint64_t rnd_s(unsigned cls) {
    uint64_t r = rnd(), m = r & 0x7fffff, s = ((r >> 31) & 1) << 31;
    int64_t e;
    switch (cls & 3) {
    case 0: e = 127 + (int64_t)(rnd() % 5) - 2; break;
    case 1: e = 1 + (int64_t)(rnd() % 254); break;
    case 2: e = 254 - (int64_t)(rnd() % 4); break;
    default: e = (int64_t)(rnd() % 4); break;
    }
    return s | ((uint64_t)e << 23) | m;
}

#define BIN(name, insn, in, out, rm)                                                    \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long *fl) {    \
        unsigned long r, f;                                                             \
        __asm__ volatile(in " ft0, %2\n\t" in " ft1, %3\n\tcsrw fflags, zero\n\t"       \
                         insn " ft2, ft0, ft1, " rm "\n\tcsrrw %1, fflags, zero\n\t"    \
                         out " %0, ft2"                                                 \
                         : "=&r"(r), "=&r"(f) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");  \
        *fl = f;                                                                        \
        return r;                                                                       \
    }
#define FMA(name, insn, in, out, rm)                                                    \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long c, unsigned long *fl) { \
        unsigned long r, f;                                                             \
        __asm__ volatile(in " ft0, %2\n\t" in " ft1, %3\n\t" in " ft2, %4\n\t"          \
                         "csrw fflags, zero\n\t" insn " ft3, ft0, ft1, ft2, " rm "\n\t" \
                         "csrrw %1, fflags, zero\n\t" out " %0, ft3"                    \
                         : "=&r"(r), "=&r"(f) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3"); \
        *fl = f;                                                                        \
        return r;                                                                       \
    }
#define SQRT(name, insn, in, out, rm)                                                   \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long *fl) {    \
        unsigned long r, f;                                                             \
        (void)b;                                                                        \
        __asm__ volatile(in " ft0, %2\n\tcsrw fflags, zero\n\t" insn " ft2, ft0, " rm   \
                         "\n\tcsrrw %1, fflags, zero\n\t" out " %0, ft2"                \
                         : "=&r"(r), "=&r"(f) : "r"(a) : "ft0", "ft2");                 \
        *fl = f;                                                                        \
        return r;                                                                       \
    }
#define RM5(G, base, insn, in, out)                                                     \
    G(base##_0, insn, in, out, "rne") G(base##_1, insn, in, out, "rtz")                 \
    G(base##_2, insn, in, out, "rdn") G(base##_3, insn, in, out, "rup")                 \
    G(base##_4, insn, in, out, "rmm")
#define T5(base) {base##_0, base##_1, base##_2, base##_3, base##_4}

RM5(BIN, add_d, "fadd.d", "fmv.d.x", "fmv.x.d")
RM5(BIN, sub_d, "fsub.d", "fmv.d.x", "fmv.x.d")
RM5(BIN, mul_d, "fmul.d", "fmv.d.x", "fmv.x.d")
RM5(BIN, div_d, "fdiv.d", "fmv.d.x", "fmv.x.d")
RM5(SQRT, sqrt_d, "fsqrt.d", "fmv.d.x", "fmv.x.d")
RM5(FMA, fma_d, "fmadd.d", "fmv.d.x", "fmv.x.d")
RM5(BIN, add_s, "fadd.s", "fmv.w.x", "fmv.x.w")
RM5(BIN, sub_s, "fsub.s", "fmv.w.x", "fmv.x.w")
RM5(BIN, mul_s, "fmul.s", "fmv.w.x", "fmv.x.w")
RM5(BIN, div_s, "fdiv.s", "fmv.w.x", "fmv.x.w")
RM5(SQRT, sqrt_s, "fsqrt.s", "fmv.w.x", "fmv.x.w")
RM5(FMA, fma_s, "fmadd.s", "fmv.w.x", "fmv.x.w")

typedef unsigned long (*fn2)(unsigned long, unsigned long, unsigned long *);
typedef unsigned long (*fn3)(unsigned long, unsigned long, unsigned long, unsigned long *);

// Pairs of exponent classes: (near 1, near 1), (any, any), (top, near 1),
// (bottom, near 1), (bottom, bottom), (top, top).
static const unsigned pair_class[6][2] = {{0, 0}, {1, 1}, {2, 0}, {3, 0}, {3, 3}, {2, 2}};
#define PER_CLASS 12

static void run_bin(const char *name, fn2 const fns[5], int dbl) {
    for (unsigned c = 0; c < 6; c++) {
        for (unsigned k = 0; k < PER_CLASS; k++) {
            unsigned long a = dbl ? rnd_d(pair_class[c][0]) : rnd_s(pair_class[c][0]);
            unsigned long b = dbl ? rnd_d(pair_class[c][1]) : rnd_s(pair_class[c][1]);
            // Multiplication and division move the exponent: pair the top
            // class with the bottom one so results land near the limits.
            if (c == 2 && (name[1] == 'm' || name[1] == 'd')) b = dbl ? rnd_d(3) : rnd_s(3);
            printf("%s %lx %lx:", name, a, b);
            for (unsigned rm = 0; rm < 5; rm++) {
                unsigned long fl, r = fns[rm](a, b, &fl);
                printf(" %lx/%lx", dbl ? r : r & 0xffffffff, fl);
            }
            printf("\n");
        }
    }
}

static void run_fma(const char *name, fn3 const fns[5], int dbl) {
    for (unsigned k = 0; k < 6 * PER_CLASS; k++) {
        unsigned cls = k % 4;
        unsigned long a = dbl ? rnd_d(cls) : rnd_s(cls), b = dbl ? rnd_d(0) : rnd_s(0);
        unsigned long c = dbl ? rnd_d(cls) : rnd_s(cls);
        // Every third: an addend that nearly cancels the product.
        if (k % 3 == 0) c = (dbl ? 0x8000000000000000ul : 0x80000000ul) ^ (a ^ (k & 1));
        printf("%s %lx %lx %lx:", name, a, b, c);
        for (unsigned rm = 0; rm < 5; rm++) {
            unsigned long fl, r = fns[rm](a, b, c, &fl);
            printf(" %lx/%lx", dbl ? r : r & 0xffffffff, fl);
        }
        printf("\n");
    }
}

int main(void) {
    static fn2 const ad[5] = T5(add_d), sd[5] = T5(sub_d), md[5] = T5(mul_d), dd[5] = T5(div_d);
    static fn2 const qd[5] = T5(sqrt_d);
    static fn3 const fd[5] = T5(fma_d);
    static fn2 const as[5] = T5(add_s), ss[5] = T5(sub_s), ms[5] = T5(mul_s), ds[5] = T5(div_s);
    static fn2 const qs[5] = T5(sqrt_s);
    static fn3 const fs[5] = T5(fma_s);
    // The name's second letter tells run_bin which operations move exponents.
    run_bin("fadd.d", ad, 1);
    run_bin("fsub.d", sd, 1);
    run_bin("fmul.d", md, 1);
    run_bin("fdiv.d", dd, 1);
    run_bin("fsqrt.d", qd, 1);
    run_fma("fmadd.d", fd, 1);
    run_bin("fadd.s", as, 0);
    run_bin("fsub.s", ss, 0);
    run_bin("fmul.s", ms, 0);
    run_bin("fdiv.s", ds, 0);
    run_bin("fsqrt.s", qs, 0);
    run_fma("fmadd.s", fs, 0);
    printf("fpu_random done\n");
    return 0;
}
