// The F and D extensions: arithmetic in the five rounding modes with the
// accrued flags, on operands that include signed zeros, subnormals,
// infinities, quiet and signalling NaNs; conversions (with saturation),
// sign injection, min/max, comparisons, fclass, fused multiply-add, NaN
// boxing, the dynamic rounding mode and reserved rounding modes.
// Each result prints as bits/flags (flags: NV=10 DZ=08 OF=04 UF=02 NX=01).
#include "common.h"

static const unsigned long s_vals[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40490fdb, 0x3dcccccd, 0x7f7fffff,
    0x00800000, 0x007fffff, 0x00000001, 0x80000003, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001,
    0xffc12345, 0x4b800001, 0xcf000000, 0x5f000000, 0x4effffff, 0x3effffff,
};
static const unsigned long d_vals[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x3ff8000000000000, 0x400921fb54442d18, 0x3fb999999999999a, 0x7fefffffffffffff,
    0x0010000000000000, 0x000fffffffffffff, 0x0000000000000001, 0x8000000000000003,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001,
    0xfff8000000012345, 0x4340000000000001, 0xc3e0000000000000, 0x43e0000000000000,
    0x41dfffffffc00000, 0x3fdfffffffffffff, 0x47efffffe0000000, 0x3690000000000000,
};
#define NS (sizeof s_vals / sizeof s_vals[0])
#define ND (sizeof d_vals / sizeof d_vals[0])

static const char *const rm_names[] = {"rne", "rtz", "rdn", "rup", "rmm"};

typedef unsigned long (*fn2)(unsigned long, unsigned long, unsigned long *);
typedef unsigned long (*fn3)(unsigned long, unsigned long, unsigned long, unsigned long *);

// mvin/mvout: fmv.w.x / fmv.x.w (single) or fmv.d.x / fmv.x.d (double).
#define OP2(name, insn, mvin, mvout, rm)                                                 \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long *fl) {    \
        unsigned long r, f;                                                             \
        __asm__ volatile(mvin " ft0, %2\n\t" mvin " ft1, %3\n\tcsrw fflags, zero\n\t"   \
                         insn " ft2, ft0, ft1" rm "\n\tcsrrw %1, fflags, zero\n\t"      \
                         mvout " %0, ft2"                                               \
                         : "=&r"(r), "=&r"(f) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");  \
        *fl = f;                                                                        \
        return r;                                                                       \
    }
#define OP3(name, insn, mvin, mvout, rm)                                                 \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long c, unsigned long *fl) { \
        unsigned long r, f;                                                             \
        __asm__ volatile(mvin " ft0, %2\n\t" mvin " ft1, %3\n\t" mvin " ft2, %4\n\t"    \
                         "csrw fflags, zero\n\t"                                        \
                         insn " ft3, ft0, ft1, ft2" rm "\n\tcsrrw %1, fflags, zero\n\t" \
                         mvout " %0, ft3"                                               \
                         : "=&r"(r), "=&r"(f) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3"); \
        *fl = f;                                                                        \
        return r;                                                                       \
    }
// Unary FP -> FP (b ignored)
#define OP1(name, insn, mvin, mvout, rm)                                                 \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long *fl) {    \
        unsigned long r, f;                                                             \
        (void)b;                                                                        \
        __asm__ volatile(mvin " ft0, %2\n\tcsrw fflags, zero\n\t"                       \
                         insn " ft2, ft0" rm "\n\tcsrrw %1, fflags, zero\n\t"           \
                         mvout " %0, ft2"                                               \
                         : "=&r"(r), "=&r"(f) : "r"(a) : "ft0", "ft2");                 \
        *fl = f;                                                                        \
        return r;                                                                       \
    }
// FP -> integer register (conversions, fclass, comparisons with b)
#define OP_TOX(name, insn, mvin, rm)                                                     \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long *fl) {    \
        unsigned long r, f;                                                             \
        (void)b;                                                                        \
        __asm__ volatile(mvin " ft0, %2\n\tcsrw fflags, zero\n\t"                       \
                         insn " %0, ft0" rm "\n\tcsrrw %1, fflags, zero"                \
                         : "=&r"(r), "=&r"(f) : "r"(a) : "ft0");                        \
        *fl = f;                                                                        \
        return r;                                                                       \
    }
#define OP_CMP(name, insn, mvin)                                                         \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long *fl) {    \
        unsigned long r, f;                                                             \
        __asm__ volatile(mvin " ft0, %2\n\t" mvin " ft1, %3\n\tcsrw fflags, zero\n\t"   \
                         insn " %0, ft0, ft1\n\tcsrrw %1, fflags, zero"                 \
                         : "=&r"(r), "=&r"(f) : "r"(a), "r"(b) : "ft0", "ft1");         \
        *fl = f;                                                                        \
        return r;                                                                       \
    }
// Integer register -> FP
#define OP_FROMX(name, insn, mvout, rm)                                                  \
    static unsigned long name(unsigned long a, unsigned long b, unsigned long *fl) {    \
        unsigned long r, f;                                                             \
        (void)b;                                                                        \
        __asm__ volatile("csrw fflags, zero\n\t" insn " ft2, %2" rm "\n\t"              \
                         "csrrw %1, fflags, zero\n\t" mvout " %0, ft2"                  \
                         : "=&r"(r), "=&r"(f) : "r"(a) : "ft2");                        \
        *fl = f;                                                                        \
        return r;                                                                       \
    }

#define S_IN "fmv.w.x"
#define S_OUT "fmv.x.w"
#define D_IN "fmv.d.x"
#define D_OUT "fmv.x.d"

// Five rounding-mode variants of one operation, and their table.
#define RM5(GEN, base, insn, ...)                                                        \
    GEN(base##_rne, insn, __VA_ARGS__, ", rne")                                          \
    GEN(base##_rtz, insn, __VA_ARGS__, ", rtz")                                          \
    GEN(base##_rdn, insn, __VA_ARGS__, ", rdn")                                          \
    GEN(base##_rup, insn, __VA_ARGS__, ", rup")                                          \
    GEN(base##_rmm, insn, __VA_ARGS__, ", rmm")
#define TAB5(base) {base##_rne, base##_rtz, base##_rdn, base##_rup, base##_rmm}

RM5(OP2, fadd_s, "fadd.s", S_IN, S_OUT)
RM5(OP2, fsub_s, "fsub.s", S_IN, S_OUT)
RM5(OP2, fmul_s, "fmul.s", S_IN, S_OUT)
RM5(OP2, fdiv_s, "fdiv.s", S_IN, S_OUT)
RM5(OP1, fsqrt_s, "fsqrt.s", S_IN, S_OUT)
RM5(OP2, fadd_d, "fadd.d", D_IN, D_OUT)
RM5(OP2, fsub_d, "fsub.d", D_IN, D_OUT)
RM5(OP2, fmul_d, "fmul.d", D_IN, D_OUT)
RM5(OP2, fdiv_d, "fdiv.d", D_IN, D_OUT)
RM5(OP1, fsqrt_d, "fsqrt.d", D_IN, D_OUT)
RM5(OP1, fcvt_s_d, "fcvt.s.d", D_IN, S_OUT)
RM5(OP_TOX, fcvt_w_s, "fcvt.w.s", S_IN)
RM5(OP_TOX, fcvt_wu_s, "fcvt.wu.s", S_IN)
RM5(OP_TOX, fcvt_l_s, "fcvt.l.s", S_IN)
RM5(OP_TOX, fcvt_lu_s, "fcvt.lu.s", S_IN)
RM5(OP_TOX, fcvt_w_d, "fcvt.w.d", D_IN)
RM5(OP_TOX, fcvt_wu_d, "fcvt.wu.d", D_IN)
RM5(OP_TOX, fcvt_l_d, "fcvt.l.d", D_IN)
RM5(OP_TOX, fcvt_lu_d, "fcvt.lu.d", D_IN)
RM5(OP_FROMX, fcvt_s_w, "fcvt.s.w", S_OUT)
RM5(OP_FROMX, fcvt_s_wu, "fcvt.s.wu", S_OUT)
RM5(OP_FROMX, fcvt_s_l, "fcvt.s.l", S_OUT)
RM5(OP_FROMX, fcvt_s_lu, "fcvt.s.lu", S_OUT)
OP_FROMX(fcvt_d_w, "fcvt.d.w", D_OUT, "")
OP_FROMX(fcvt_d_wu, "fcvt.d.wu", D_OUT, "")
RM5(OP_FROMX, fcvt_d_l, "fcvt.d.l", D_OUT)
RM5(OP_FROMX, fcvt_d_lu, "fcvt.d.lu", D_OUT)
RM5(OP3, fmadd_s, "fmadd.s", S_IN, S_OUT)
RM5(OP3, fmadd_d, "fmadd.d", D_IN, D_OUT)
OP3(fmsub_s, "fmsub.s", S_IN, S_OUT, "")
OP3(fnmsub_s, "fnmsub.s", S_IN, S_OUT, "")
OP3(fnmadd_s, "fnmadd.s", S_IN, S_OUT, "")
OP3(fmsub_d, "fmsub.d", D_IN, D_OUT, "")
OP3(fnmsub_d, "fnmsub.d", D_IN, D_OUT, "")
OP3(fnmadd_d, "fnmadd.d", D_IN, D_OUT, "")
OP1(fcvt_d_s, "fcvt.d.s", S_IN, D_OUT, "")
OP_TOX(fclass_s, "fclass.s", S_IN, "")
OP_TOX(fclass_d, "fclass.d", D_IN, "")
OP_CMP(feq_s, "feq.s", S_IN)
OP_CMP(flt_s, "flt.s", S_IN)
OP_CMP(fle_s, "fle.s", S_IN)
OP_CMP(feq_d, "feq.d", D_IN)
OP_CMP(flt_d, "flt.d", D_IN)
OP_CMP(fle_d, "fle.d", D_IN)
OP2(fmin_s, "fmin.s", S_IN, S_OUT, "")
OP2(fmax_s, "fmax.s", S_IN, S_OUT, "")
OP2(fmin_d, "fmin.d", D_IN, D_OUT, "")
OP2(fmax_d, "fmax.d", D_IN, D_OUT, "")
OP2(fsgnj_s, "fsgnj.s", S_IN, S_OUT, "")
OP2(fsgnjn_s, "fsgnjn.s", S_IN, S_OUT, "")
OP2(fsgnjx_s, "fsgnjx.s", S_IN, S_OUT, "")
OP2(fsgnj_d, "fsgnj.d", D_IN, D_OUT, "")
OP2(fsgnjn_d, "fsgnjn.d", D_IN, D_OUT, "")
OP2(fsgnjx_d, "fsgnjx.d", D_IN, D_OUT, "")

struct op2 {
    const char *name;
    fn2 fn[5];
};
struct op3 {
    const char *name;
    fn3 fn[5];
};

static unsigned long mask_of(int dbl) { return dbl ? ~0ul : 0xfffffffful; }

// Binary operation over all operand pairs, one line per (rm, first operand).
static void run2(const char *name, fn2 fn, const char *rm, const unsigned long *v, unsigned n, int dbl_out) {
    for (unsigned i = 0; i < n; i++) {
        printf("%s%s%s %2u:", name, rm ? "." : "", rm ? rm : "", i);
        for (unsigned j = 0; j < n; j++) {
            unsigned long fl, r = fn(v[i], v[j], &fl) & mask_of(dbl_out);
            printf(" %lx/%lx", r, fl);
        }
        printf("\n");
    }
}

// Unary operation over all operands, one line.
static void run1(const char *name, fn2 fn, const char *rm, const unsigned long *v, unsigned n, unsigned long mask) {
    printf("%s%s%s:", name, rm ? "." : "", rm ? rm : "");
    for (unsigned i = 0; i < n; i++) {
        unsigned long fl, r = fn(v[i], 0, &fl) & mask;
        printf(" %lx/%lx", r, fl);
    }
    printf("\n");
}

static void test_binary(void) {
    static const struct op2 s_ops[] = {
        {"fadd.s", TAB5(fadd_s)}, {"fsub.s", TAB5(fsub_s)}, {"fmul.s", TAB5(fmul_s)}, {"fdiv.s", TAB5(fdiv_s)}};
    static const struct op2 d_ops[] = {
        {"fadd.d", TAB5(fadd_d)}, {"fsub.d", TAB5(fsub_d)}, {"fmul.d", TAB5(fmul_d)}, {"fdiv.d", TAB5(fdiv_d)}};
    for (unsigned k = 0; k < 4; k++)
        for (unsigned rm = 0; rm < 5; rm++) run2(s_ops[k].name, s_ops[k].fn[rm], rm_names[rm], s_vals, NS, 0);
    for (unsigned k = 0; k < 4; k++)
        for (unsigned rm = 0; rm < 5; rm++) run2(d_ops[k].name, d_ops[k].fn[rm], rm_names[rm], d_vals, ND, 1);
}

// Integers for conversions to FP.
static const unsigned long ints[] = {
    0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, 0x00ffffff, 0x01000001, 0x01000003,
    0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe,
    0x0020000000000001, 0x0020000000000003, 0x123456789abcdef0, 0xffffffff80000000,
};
#define NI (sizeof ints / sizeof ints[0])

static void test_unary(void) {
    static const struct op2 s1[] = {{"fsqrt.s", TAB5(fsqrt_s)}, {"fcvt.w.s", TAB5(fcvt_w_s)},
                                    {"fcvt.wu.s", TAB5(fcvt_wu_s)}, {"fcvt.l.s", TAB5(fcvt_l_s)},
                                    {"fcvt.lu.s", TAB5(fcvt_lu_s)}};
    static const struct op2 d1[] = {{"fsqrt.d", TAB5(fsqrt_d)}, {"fcvt.w.d", TAB5(fcvt_w_d)},
                                    {"fcvt.wu.d", TAB5(fcvt_wu_d)}, {"fcvt.l.d", TAB5(fcvt_l_d)},
                                    {"fcvt.lu.d", TAB5(fcvt_lu_d)}, {"fcvt.s.d", TAB5(fcvt_s_d)}};
    static const struct op2 x1[] = {{"fcvt.s.w", TAB5(fcvt_s_w)}, {"fcvt.s.wu", TAB5(fcvt_s_wu)},
                                    {"fcvt.s.l", TAB5(fcvt_s_l)}, {"fcvt.s.lu", TAB5(fcvt_s_lu)},
                                    {"fcvt.d.l", TAB5(fcvt_d_l)}, {"fcvt.d.lu", TAB5(fcvt_d_lu)}};
    for (unsigned k = 0; k < 5; k++)
        for (unsigned rm = 0; rm < 5; rm++)
            run1(s1[k].name, s1[k].fn[rm], rm_names[rm], s_vals, NS, k == 0 ? 0xfffffffful : ~0ul);
    for (unsigned k = 0; k < 6; k++)
        for (unsigned rm = 0; rm < 5; rm++)
            run1(d1[k].name, d1[k].fn[rm], rm_names[rm], d_vals, ND, k == 5 ? 0xfffffffful : ~0ul);
    for (unsigned k = 0; k < 6; k++)
        for (unsigned rm = 0; rm < 5; rm++)
            run1(x1[k].name, x1[k].fn[rm], rm_names[rm], ints, NI, k < 4 ? 0xfffffffful : ~0ul);
    run1("fcvt.d.w", fcvt_d_w, 0, ints, NI, ~0ul);    // exact: no rounding mode
    run1("fcvt.d.wu", fcvt_d_wu, 0, ints, NI, ~0ul);
    run1("fcvt.d.s", fcvt_d_s, 0, s_vals, NS, ~0ul);
    run1("fclass.s", fclass_s, 0, s_vals, NS, ~0ul);
    run1("fclass.d", fclass_d, 0, d_vals, ND, ~0ul);
}

static void test_nonrounding(void) {
    static const struct {
        const char *name;
        fn2 fn;
        int dbl;
        int out_fp;
    } ops[] = {
        {"feq.s", feq_s, 0, 0}, {"flt.s", flt_s, 0, 0}, {"fle.s", fle_s, 0, 0},
        {"feq.d", feq_d, 1, 0}, {"flt.d", flt_d, 1, 0}, {"fle.d", fle_d, 1, 0},
        {"fmin.s", fmin_s, 0, 1}, {"fmax.s", fmax_s, 0, 1}, {"fmin.d", fmin_d, 1, 1}, {"fmax.d", fmax_d, 1, 1},
        {"fsgnj.s", fsgnj_s, 0, 1}, {"fsgnjn.s", fsgnjn_s, 0, 1}, {"fsgnjx.s", fsgnjx_s, 0, 1},
        {"fsgnj.d", fsgnj_d, 1, 1}, {"fsgnjn.d", fsgnjn_d, 1, 1}, {"fsgnjx.d", fsgnjx_d, 1, 1},
    };
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++)
        run2(ops[k].name, ops[k].fn, 0, ops[k].dbl ? d_vals : s_vals, ops[k].dbl ? ND : NS, ops[k].dbl || !ops[k].out_fp);
}

// Fused multiply-add over triples of a smaller operand set.
static const unsigned long s_fma[] = {0x3f800000, 0xbf800000, 0x3dcccccd, 0x7f7fffff, 0x00000001,
                                      0x7f800000, 0x7fc00000, 0x80000000, 0x7f800001};
static const unsigned long d_fma[] = {0x3ff0000000000000, 0xbff0000000000000, 0x3fb999999999999a,
                                      0x7fefffffffffffff, 0x0000000000000001, 0x7ff0000000000000,
                                      0x7ff8000000000000, 0x8000000000000000, 0x7ff0000000000001};
#define NF 9

static void run3(const char *name, const char *rm, fn3 fn, const unsigned long *v, int dbl) {
    for (unsigned i = 0; i < NF; i++)
        for (unsigned j = 0; j < NF; j++) {
            printf("%s%s%s %u %u:", name, rm ? "." : "", rm ? rm : "", i, j);
            for (unsigned k = 0; k < NF; k++) {
                unsigned long fl, r = fn(v[i], v[j], v[k], &fl) & mask_of(dbl);
                printf(" %lx/%lx", r, fl);
            }
            printf("\n");
        }
}

static void test_fma(void) {
    static const struct op3 ms = {"fmadd.s", TAB5(fmadd_s)}, md = {"fmadd.d", TAB5(fmadd_d)};
    for (unsigned rm = 0; rm < 5; rm++) run3(ms.name, rm_names[rm], ms.fn[rm], s_fma, 0);
    for (unsigned rm = 0; rm < 5; rm++) run3(md.name, rm_names[rm], md.fn[rm], d_fma, 1);
    run3("fmsub.s", 0, fmsub_s, s_fma, 0);
    run3("fnmsub.s", 0, fnmsub_s, s_fma, 0);
    run3("fnmadd.s", 0, fnmadd_s, s_fma, 0);
    run3("fmsub.d", 0, fmsub_d, d_fma, 1);
    run3("fnmsub.d", 0, fnmsub_d, d_fma, 1);
    run3("fnmadd.d", 0, fnmadd_d, d_fma, 1);
    // Exact cancellation: +0 except in RDN (-0); x*y+z with no rounding of x*y.
    unsigned long fl;
    for (unsigned rm = 0; rm < 5; rm++) {
        unsigned long r = fmadd_d_rne(0x3ff8000000000000, 0x4000000000000000, 0xc008000000000000, &fl);
        if (rm == 1) r = fmadd_d_rtz(0x3ff8000000000000, 0x4000000000000000, 0xc008000000000000, &fl);
        if (rm == 2) r = fmadd_d_rdn(0x3ff8000000000000, 0x4000000000000000, 0xc008000000000000, &fl);
        if (rm == 3) r = fmadd_d_rup(0x3ff8000000000000, 0x4000000000000000, 0xc008000000000000, &fl);
        if (rm == 4) r = fmadd_d_rmm(0x3ff8000000000000, 0x4000000000000000, 0xc008000000000000, &fl);
        printf("fmadd.d 1.5*2-3 %s: %lx/%lx\n", rm_names[rm], r, fl);
    }
    // (1+2^-30)^2 - 1 keeps the 2^-60 term only when fused.
    unsigned long r = fmadd_d_rne(0x3ff0000004000000, 0x3ff0000004000000, 0xbff0000000000000, &fl);
    printf("fmadd.d fused: %lx/%lx\n", r, fl);
}

// NaN boxing: a single-precision operand whose upper 32 bits are not all
// ones is the canonical NaN; transfers (fmv.x.w, fsw) use the low bits.
static void test_boxing(void) {
    unsigned long r, fl;
    __asm__ volatile("fmv.d.x ft0, %2\n\tcsrw fflags, zero\n\tfadd.s ft1, ft0, ft0\n\t"
                     "csrrw %1, fflags, zero\n\tfmv.x.d %0, ft1"
                     : "=&r"(r), "=&r"(fl) : "r"(0x000000003f800000ul) : "ft0", "ft1");
    printf("fadd.s of unboxed: %lx/%lx\n", r, fl);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.x.w %0, ft0" : "=r"(r) : "r"(0x12345678bf800000ul) : "ft0");
    printf("fmv.x.w of unboxed: %lx\n", r);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfclass.s %0, ft0" : "=r"(r) : "r"(0xffffffef3f800000ul) : "ft0");
    printf("fclass.s of unboxed: %lx\n", r);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfcvt.d.s ft1, ft0\n\tfmv.x.d %0, ft1" : "=r"(r) : "r"(0x3f800000ul) : "ft0", "ft1");
    printf("fcvt.d.s of unboxed: %lx\n", r);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfsgnj.s ft1, ft0, ft0\n\tfmv.x.d %0, ft1" : "=r"(r) : "r"(0x3f800000ul) : "ft0", "ft1");
    printf("fsgnj.s of unboxed: %lx\n", r);
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(0x12345678ul) : "ft0");
    printf("fmv.w.x boxes: %lx\n", r);
    static volatile uint64_t m[2] = {0x1111111122222222ul, 0};
    __asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0\n\tfsw ft0, 8(%1)" : "=r"(r) : "r"(m) : "ft0", "memory");
    printf("flw boxes: %lx fsw stores: %lx\n", r, (unsigned long)m[1]);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfcvt.s.d ft1, ft0\n\tfmv.x.d %0, ft1" : "=r"(r) : "r"(0x3ff0000000000000ul) : "ft0", "ft1");
    printf("fcvt.s.d result boxed: %lx\n", r);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmin.s ft1, ft0, ft0\n\tfmv.x.d %0, ft1" : "=r"(r) : "r"(0x000000007f800001ul) : "ft0", "ft1");
    printf("fmin.s of unboxed: %lx\n", r);
}

// Dynamic rounding from frm, and the reserved rounding modes.
static void test_rounding_modes(void) {
    for (unsigned long m = 0; m < 5; m++) {
        unsigned long r, fl;
        csr_write(frm, m);
        __asm__ volatile("fmv.w.x ft0, %2\n\tfmv.w.x ft1, %3\n\tcsrw fflags, zero\n\t"
                         "fdiv.s ft2, ft0, ft1, dyn\n\tcsrrw %1, fflags, zero\n\tfmv.x.w %0, ft2"
                         : "=&r"(r), "=&r"(fl) : "r"(0xbf800000ul), "r"(0x40400000ul) : "ft0", "ft1", "ft2");
        printf("fdiv.s -1/3 dyn frm=%lu: %lx/%lx\n", m, r & 0xffffffff, fl);
    }
    catch_install();
    for (unsigned long m = 5; m < 8; m++) {
        csr_write(frm, m);
        trap_clear();
        __asm__ volatile("fadd.s ft2, ft0, ft1, dyn" ::: "ft2");
        printf("dyn with frm=%lu: trap %lu cause %lu\n", m, trap_m.count, trap_m.cause);
    }
    csr_write(frm, 0);
    // Static rm 5 and 6 are reserved: fadd.s ft2, ft0, ft1 with rm=5 / rm=6.
    trap_clear();
    __asm__ volatile(".insn r 0x53, 5, 0, ft2, ft0, ft1" ::: "ft2");
    printf("static rm=5: trap %lu cause %lu\n", trap_m.count, trap_m.cause);
    trap_clear();
    __asm__ volatile(".insn r 0x53, 6, 0, ft2, ft0, ft1" ::: "ft2");
    printf("static rm=6: trap %lu cause %lu\n", trap_m.count, trap_m.cause);
    // FP instructions with mstatus.FS = Off raise illegal-instruction.
    csr_clear(mstatus, MSTATUS_FS);
    trap_clear();
    __asm__ volatile("fadd.d ft2, ft0, ft1" ::: "ft2");
    printf("FS=off fadd.d: trap %lu cause %lu\n", trap_m.count, trap_m.cause);
    trap_clear();
    __asm__ volatile("csrr t0, fflags" ::: "t0");
    printf("FS=off csrr fflags: trap %lu cause %lu\n", trap_m.count, trap_m.cause);
    csr_set(mstatus, 1ul << 13);
}

int main(void) {
    test_binary();
    test_unary();
    test_nonrounding();
    test_fma();
    test_boxing();
    test_rounding_modes();
    printf("fpu done\n");
    return 0;
}
