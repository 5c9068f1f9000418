// The x87 FPU: for pseudo-random 80-bit operands (normals over a wide
// exponent range, values near the overflow and underflow thresholds,
// denormals, zeros, infinities, NaNs) under every rounding and precision
// control, each instruction's result and status word (exception flags,
// C0-C3) go into a hash printed per instruction; a few results are printed
// in full and checked against values worked out by hand. Only correctly
// rounded operations are compared byte for byte with the reference; of the
// transcendentals only exact results are printed (a reference may differ in
// the last bit of the others).
#include "rt/rt.h"

struct f80 {
    uint64_t sig;
    uint16_t se;
} __attribute__((packed));

static uint64_t seed = 0x9e3779b97f4a7c15ul;
static uint64_t rnd(void) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return seed;
}

// Mostly finite values; now and then the special classes.
static struct f80 operand(void) {
    struct f80 a;
    uint64_t r = rnd();
    unsigned k = r % 16;
    int e;
    a.sig = rnd() | (1ul << 63);
    if (rnd() % 4 == 0) a.sig &= 0xffffff0000000000ul;   // short significands: exact cases
    switch (k) {
    case 0: e = 1 + (int)(rnd() % 64); break;              // near the underflow threshold
    case 1: e = 0x7ffe - (int)(rnd() % 4); break;          // near the overflow threshold
    case 2: a.sig = 0, e = 0; break;                       // zero
    case 3: a.sig = rnd() >> (rnd() % 63 + 1), e = 0; break;   // denormal
    case 4: a.sig = 1ul << 63, e = 0x7fff; break;          // infinity
    case 5: e = 0x7fff, a.sig |= (rnd() & 1) << 62; break; // NaN (quiet or signalling)
    case 6: e = 0x3fff + (int)(rnd() % 8); break;          // small integers and friends
    default: e = 0x3fff + (int)(rnd() % 160) - 80; break;
    }
    if (k == 5 && (a.sig << 1) == 0) a.sig |= 1;
    a.se = (uint16_t)(e | (rnd() & 1) << 15);
    return a;
}

// FNV-1a over the bytes of each result.
static uint64_t hash = 0xcbf29ce484222325ul;
static void mix(const void *p, unsigned n) {
    const uint8_t *b = p;
    for (unsigned k = 0; k < n; k++) hash = (hash ^ b[k]) * 0x100000001b3ul;
}

#define CW(rc, pc) ((uint16_t)(0x037f & ~0x0300) | (uint16_t)((pc) << 8) | (uint16_t)((rc) << 10))
static const uint16_t kPc[3] = {0, 2, 3};   // 24, 53, 64 bits

// Two operands: ST(0) = a, ST(1) = b; the op; the result from ST(0).
#define BIN(name, insn)                                                                             \
    static uint16_t name(const struct f80 *a, const struct f80 *b, uint16_t cw, struct f80 *r) {    \
        uint16_t sw;                                                                                \
        __asm__ volatile("fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n" insn "\n fnstsw %[sw]\n"  \
                         " fstpt %[r]\n fninit"                                                     \
                         : [r] "=m"(*r), [sw] "=m"(sw)                                              \
                         : [a] "m"(*a), [b] "m"(*b), [cw] "m"(cw)                                   \
                         : "memory");                                                               \
        return sw;                                                                                  \
    }
BIN(x_fadd, "fadd %%st(1), %%st")
BIN(x_fsub, "fsub %%st(1), %%st")
BIN(x_fsubr, "fsubr %%st(1), %%st")
BIN(x_fmul, "fmul %%st(1), %%st")
BIN(x_fdiv, "fdiv %%st(1), %%st")
BIN(x_fdivr, "fdivr %%st(1), %%st")
BIN(x_fsqrt, "fsqrt")
BIN(x_frndint, "frndint")
BIN(x_fscale, "fscale")
BIN(x_fprem, "fprem")
BIN(x_fprem1, "fprem1")
BIN(x_fxtract, "fxtract\n fstp %%st(0)")   // the exponent
BIN(x_fxtract_sig, "fxtract")             // the significand
BIN(x_fchs_abs, "fchs\n fabs\n fchs")
BIN(x_fcom, "fcom %%st(1)")
BIN(x_fucom, "fucom %%st(1)")
BIN(x_ftst, "ftst")
BIN(x_fxam, "fxam")

typedef uint16_t (*bin_fn)(const struct f80 *, const struct f80 *, uint16_t, struct f80 *);
struct test {
    const char *name;
    bin_fn fn;
    int rem;   // FPREM/FPREM1: keep the exponent difference below 64 (partial remainders differ by model)
};
static const struct test tests[] = {
    {"fadd", x_fadd, 0}, {"fsub", x_fsub, 0}, {"fsubr", x_fsubr, 0}, {"fmul", x_fmul, 0},
    {"fdiv", x_fdiv, 0}, {"fdivr", x_fdivr, 0}, {"fsqrt", x_fsqrt, 0}, {"frndint", x_frndint, 0},
    {"fscale", x_fscale, 2}, {"fprem", x_fprem, 1}, {"fprem1", x_fprem1, 1}, {"fxtract", x_fxtract, 0},
    {"fxtract.sig", x_fxtract_sig, 0}, {"fchs/fabs", x_fchs_abs, 0}, {"fcom", x_fcom, 0},
    {"fucom", x_fucom, 0}, {"ftst", x_ftst, 0}, {"fxam", x_fxam, 0},
};

// Conversions to memory: the stored bytes and the status word.
static uint16_t store_fmt(int which, const struct f80 *a, uint16_t cw, uint64_t *out) {
    uint16_t sw;
    *out = 0;
    switch (which) {
    case 0: __asm__ volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fstps %[o]\n fnstsw %[sw]\n fninit" : [o] "=m"(*(uint32_t *)out), [sw] "=m"(sw) : [a] "m"(*a), [cw] "m"(cw) : "memory"); break;
    case 1: __asm__ volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fstpl %[o]\n fnstsw %[sw]\n fninit" : [o] "=m"(*out), [sw] "=m"(sw) : [a] "m"(*a), [cw] "m"(cw) : "memory"); break;
    case 2: __asm__ volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fistps %[o]\n fnstsw %[sw]\n fninit" : [o] "=m"(*(uint16_t *)out), [sw] "=m"(sw) : [a] "m"(*a), [cw] "m"(cw) : "memory"); break;
    case 3: __asm__ volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fistpl %[o]\n fnstsw %[sw]\n fninit" : [o] "=m"(*(uint32_t *)out), [sw] "=m"(sw) : [a] "m"(*a), [cw] "m"(cw) : "memory"); break;
    case 4: __asm__ volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fistpll %[o]\n fnstsw %[sw]\n fninit" : [o] "=m"(*out), [sw] "=m"(sw) : [a] "m"(*a), [cw] "m"(cw) : "memory"); break;
    case 5: __asm__ volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fisttpl %[o]\n fnstsw %[sw]\n fninit" : [o] "=m"(*(uint32_t *)out), [sw] "=m"(sw) : [a] "m"(*a), [cw] "m"(cw) : "memory"); break;
    default: __asm__ volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fisttpll %[o]\n fnstsw %[sw]\n fninit" : [o] "=m"(*out), [sw] "=m"(sw) : [a] "m"(*a), [cw] "m"(cw) : "memory"); break;
    }
    return sw;
}
static const char *const store_names[] = {"fstp m32", "fstp m64", "fistp m16", "fistp m32", "fistp m64", "fisttp m32", "fisttp m64"};

// Loads from memory formats: 80-bit result and status word.
static uint16_t load_fmt(int which, uint64_t v, struct f80 *r) {
    uint16_t sw;
    switch (which) {
    case 0: __asm__ volatile("fninit\n flds %[v]\n fnstsw %[sw]\n fstpt %[r]\n fninit" : [r] "=m"(*r), [sw] "=m"(sw) : [v] "m"(*(uint32_t *)&v) : "memory"); break;
    case 1: __asm__ volatile("fninit\n fldl %[v]\n fnstsw %[sw]\n fstpt %[r]\n fninit" : [r] "=m"(*r), [sw] "=m"(sw) : [v] "m"(v) : "memory"); break;
    case 2: __asm__ volatile("fninit\n fildl %[v]\n fnstsw %[sw]\n fstpt %[r]\n fninit" : [r] "=m"(*r), [sw] "=m"(sw) : [v] "m"(*(uint32_t *)&v) : "memory"); break;
    default: __asm__ volatile("fninit\n fildll %[v]\n fnstsw %[sw]\n fstpt %[r]\n fninit" : [r] "=m"(*r), [sw] "=m"(sw) : [v] "m"(v) : "memory"); break;
    }
    return sw;
}

static uint16_t comi(int quiet, const struct f80 *a, const struct f80 *b, uint64_t *flags) {
    uint16_t sw;
    uint64_t f;
    if (quiet)
        __asm__ volatile("fninit\n fldt %[b]\n fldt %[a]\n fucomip %%st(1), %%st\n pushfq\n popq %[f]\n fnstsw %[sw]\n fninit"
                         : [f] "=r"(f), [sw] "=m"(sw) : [a] "m"(*a), [b] "m"(*b) : "memory", "cc");
    else
        __asm__ volatile("fninit\n fldt %[b]\n fldt %[a]\n fcomip %%st(1), %%st\n pushfq\n popq %[f]\n fnstsw %[sw]\n fninit"
                         : [f] "=r"(f), [sw] "=m"(sw) : [a] "m"(*a), [b] "m"(*b) : "memory", "cc");
    *flags = f & 0x8d5;   // OF SF ZF AF PF CF
    return sw;
}

static void show(const char *what, const struct f80 *r, uint16_t sw) {
    printf("%-12s %04x:%016lx sw %04x\n", what, r->se, r->sig, sw);
}

static unsigned mf_seen;
static void on_mf(struct rt_frame *f) {
    (void)f;
    mf_seen++;
    __asm__ volatile("fnclex");   // the WAIT that faulted runs again and passes
}

int main(void) {
    // Arithmetic, every RC and PC.
    for (unsigned t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
        hash = 0xcbf29ce484222325ul;
        seed = 0x9e3779b97f4a7c15ul + t;
        for (unsigned i = 0; i < 400; i++) {
            struct f80 a = operand(), b = operand(), r;
            if (tests[t].rem == 1) {
                int ea = a.se & 0x7fff, eb = b.se & 0x7fff;
                if (ea != 0x7fff && eb != 0x7fff && ea - eb >= 63) b.se = (uint16_t)((b.se & 0x8000) | (ea - 10));
            }
            if (tests[t].rem == 2) b.se = (uint16_t)((b.se & 0x8000) | (0x3fff + rnd() % 15));   // scale by |n| < 2^15
            for (unsigned rc = 0; rc < 4; rc++)
                for (unsigned pc = 0; pc < 3; pc++) {
                    uint16_t sw = tests[t].fn(&a, &b, CW(rc, kPc[pc]), &r);
                    mix(&r, sizeof r);
                    mix(&sw, sizeof sw);
                }
        }
        printf("%-12s %016lx\n", tests[t].name, hash);
    }

    // Stores to memory formats and loads from them.
    for (int w = 0; w < 7; w++) {
        hash = 0xcbf29ce484222325ul;
        seed = 0x1234567ul + (uint64_t)w;
        for (unsigned i = 0; i < 600; i++) {
            struct f80 a = operand();
            if (w >= 2 && i % 2) a.se = (uint16_t)((a.se & 0x8000) | (0x3fff + rnd() % 66));   // integer range
            for (unsigned rc = 0; rc < 4; rc++) {
                uint64_t out;
                uint16_t sw = store_fmt(w, &a, CW(rc, 3), &out);
                mix(&out, sizeof out);
                mix(&sw, sizeof sw);
            }
        }
        printf("%-12s %016lx\n", store_names[w], hash);
    }
    static const char *const load_names[] = {"fld m32", "fld m64", "fild m32", "fild m64"};
    for (int w = 0; w < 4; w++) {
        hash = 0xcbf29ce484222325ul;
        for (unsigned i = 0; i < 600; i++) {
            uint64_t v = rnd();
            if (i % 3 == 0) v &= w == 1 ? 0x800ffffffffffffful : 0x807ffffful;   // denormals and zeros
            if (i % 5 == 0) v |= w == 1 ? 0x7ff0000000000000ul : 0x7f800000ul;   // infinities and NaNs
            struct f80 r;
            uint16_t sw = load_fmt(w, v, &r);
            mix(&r, sizeof r);
            mix(&sw, sizeof sw);
        }
        printf("%-12s %016lx\n", load_names[w], hash);
    }
    for (int q = 0; q < 2; q++) {
        hash = 0xcbf29ce484222325ul;
        seed = 0x55aa55aa55aa55aaul + (uint64_t)q;
        for (unsigned i = 0; i < 600; i++) {
            struct f80 a = operand(), b = i % 4 ? operand() : a;
            uint64_t fl;
            uint16_t sw = comi(q, &a, &b, &fl);
            mix(&fl, sizeof fl);
            mix(&sw, sizeof sw);
        }
        printf("%-12s %016lx\n", q ? "fucomip" : "fcomip", hash);
    }

    // In full: constants under each RC, 1/3, sqrt(2), the masked stack faults.
    static const char *const rc_names[] = {"near", "down", "up", "zero"};
    for (unsigned rc = 0; rc < 4; rc++) {
        struct f80 c[7];
        uint16_t cw = CW(rc, 3);
        __asm__ volatile("fninit\n fldcw %[cw]\n fldpi\n fstpt %[p]\n fldl2t\n fstpt %[t]\n fldl2e\n fstpt %[e]\n"
                         " fldlg2\n fstpt %[g]\n fldln2\n fstpt %[n]\n fld1\n fstpt %[o]\n fldz\n fstpt %[z]\n fninit"
                         : [p] "=m"(c[0]), [t] "=m"(c[1]), [e] "=m"(c[2]), [g] "=m"(c[3]), [n] "=m"(c[4]),
                           [o] "=m"(c[5]), [z] "=m"(c[6])
                         : [cw] "m"(cw) : "memory");
        printf("consts %-5s pi %016lx l2t %016lx l2e %016lx lg2 %016lx ln2 %016lx\n", rc_names[rc], c[0].sig, c[1].sig,
               c[2].sig, c[3].sig, c[4].sig);
        mix(c, sizeof c);
    }
    struct f80 one = {1ul << 63, 0x3fff}, two = {1ul << 63, 0x4000}, three = {3ul << 62, 0x4000}, r;
    uint16_t sw = x_fdiv(&one, &three, CW(0, 3), &r);
    show("1/3", &r, sw);
    CHECK_EQ("1/3", r.sig, 0xaaaaaaaaaaaaaaabul);
    sw = x_fsqrt(&two, &two, CW(0, 3), &r);
    show("sqrt(2)", &r, sw);
    CHECK_EQ("sqrt(2)", r.sig, 0xb504f333f9de6484ul);
    sw = x_fdiv(&one, &three, CW(0, 0), &r);
    show("1/3 pc24", &r, sw);
    CHECK_EQ("1/3 pc24", r.sig, 0xaaaaab0000000000ul);
    uint16_t sws[2];
    struct f80 top;
    __asm__ volatile("fninit\n fld1\n fld1\n fld1\n fld1\n fld1\n fld1\n fld1\n fld1\n fld1\n fnstsw %[s0]\n fstpt %[t]\n"
                     " fninit\n fstp %%st(0)\n fnstsw %[s1]\n fninit"
                     : [s0] "=m"(sws[0]), [s1] "=m"(sws[1]), [t] "=m"(top) : : "memory");
    show("overflow", &top, sws[0]);
    printf("underflow    sw %04x\n", sws[1]);
    CHECK_EQ("overflow IE SF C1", sws[0] & 0x0241, 0x0241);

    // Transcendentals: only exact results, on which every implementation
    // agrees: sin(0), cos(0), tan(0) + the pushed 1, 1 * log2(8), and FSIN of
    // 2^63 (out of range: C2 set).
    static const struct f80 big = {1ul << 63, 0x403e};
    struct f80 tr[4];
    uint16_t c2sw;
    __asm__ volatile("fninit\n fldz\n fsin\n fstpt %[a]\n fldz\n fcos\n fstpt %[b]\n fldz\n fptan\n faddp\n fstpt %[c]\n"
                     " fld1\n fld1\n fadd %%st(0), %%st\n fadd %%st(0), %%st\n fadd %%st(0), %%st\n fyl2x\n fstpt %[d]\n"
                     " fldt %[big]\n fsin\n fnstsw %[s]\n fninit"
                     : [a] "=m"(tr[0]), [b] "=m"(tr[1]), [c] "=m"(tr[2]), [d] "=m"(tr[3]), [s] "=m"(c2sw)
                     : [big] "m"(big) : "memory");
    printf("trans exact  sin0 %04x:%016lx cos0 %04x:%016lx tan0+1 %04x:%016lx log2(8) %04x:%016lx C2 %u\n", tr[0].se,
           tr[0].sig, tr[1].se, tr[1].sig, tr[2].se, tr[2].sig, tr[3].se, tr[3].sig, (c2sw >> 10) & 1);
    CHECK_EQ("cos(0)", tr[1].sig, 1ul << 63);
    CHECK_EQ("log2(8)", tr[3].se, 0x4000);
    CHECK_EQ("fsin 2^63 C2", (c2sw >> 10) & 1, 1);

    // FNSTENV: control, status and tag words, and the last opcode.
    uint32_t env[7];
    __asm__ volatile("fninit\n fldz\n fld1\n fldpi\n fdiv %%st(1), %%st\n fnstenv %[e]\n fninit" : [e] "=m"(env) : : "memory");
    printf("fnstenv      cw %08x sw %08x tag %08x fop %03x\n", env[0], env[1], env[2], (env[4] >> 16) & 0x7ff);

    // An unmasked exception: no result, ES; #MF at the next waiting instruction.
    rt_set_handler(16, on_mf);
    uint16_t cw_zm = 0x037b, sw_after;
    struct f80 res;
    __asm__ volatile("fninit\n fldcw %[cw]\n fldz\n fld1\n fdiv %%st(1), %%st\n fnstsw %[s]\n fwait\n fstpt %[r]\n fninit"
                     : [s] "=m"(sw_after), [r] "=m"(res) : [cw] "m"(cw_zm) : "memory");
    printf("unmasked ZE  sw %04x #MF %u st0 %04x:%016lx\n", sw_after, mf_seen, res.se, res.sig);
    CHECK_EQ("#MF taken", mf_seen, 1);
    rt_verdict("x87");
}
