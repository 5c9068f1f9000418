// SSE and SSE2: compiled scalar float/double arithmetic and vectorised
// integer loops (this file is built with SSE code generation allowed),
// then, in inline assembly, every arithmetic, compare, conversion, logic,
// shuffle and packed-integer instruction on edge-value operands under each
// MXCSR rounding mode and DAZ/FZ, and the SIMD floating-point exceptions
// (#XM, #UD without CR4.OSXMMEXCPT, #NM with CR0.TS, #GP for a reserved
// MXCSR bit). Result bit patterns and MXCSR flags are printed (hashed per
// instruction and mode), so a difference with another implementation shows
// which instruction and mode differ. RCPPS/RSQRTPS results are
// implementation-specific approximations: only their error bound is
// printed. The runtime is built without SSE: the exception handlers here
// touch integers only.
#include "rt/rt.h"

typedef struct { uint64_t lo, hi; } v128;

static uint64_t hash = 0;
static void mix(uint64_t v) { hash = (hash ^ v) * 0x100000001b3ul; }
static uint64_t take_hash(void) { uint64_t h = hash; hash = 0xcbf29ce484222325ul; return h; }

static uint32_t fbits(float f) { union { float f; uint32_t u; } x = {.f = f}; return x.u; }
static uint64_t dbits(double d) { union { double d; uint64_t u; } x = {.d = d}; return x.u; }
static double dfrom(uint64_t u) { union { uint64_t u; double d; } x = {.u = u}; return x.d; }

static uint32_t get_mxcsr(void) { uint32_t m; __asm__ volatile("stmxcsr %0" : "=m"(m)); return m; }
static void set_mxcsr(uint32_t m) { __asm__ volatile("ldmxcsr %0" :: "m"(m)); }

static uint64_t seed = 0x9e3779b97f4a7c15ul;
static uint64_t rnd(void) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return seed;
}

// ---- Exceptions: the handler records the vector and skips the faulting
// instruction (its length is set before each attempt).
static volatile uint64_t seen_vector, skip_len;
static void on_fault(struct rt_frame *f) {
    seen_vector = f->vector;
    f->rip += skip_len;
}

// ---- Compiled code: clang's scalar SSE2 math and vectorised loops.
__attribute__((noinline)) static double harmonic(int n) {
    double s = 0;
    for (int k = n; k >= 1; k--) s += 1.0 / k;
    return s;
}
__attribute__((noinline)) static float harmonic_f(int n) {
    float s = 0;
    for (int k = 1; k <= n; k++) s += 1.0f / (float)k;
    return s;
}
__attribute__((noinline)) static double newton_sqrt(double x) {
    double r = x > 1 ? x / 2 : 1;
    for (int k = 0; k < 30; k++) r = 0.5 * (r + x / r);
    return r;
}
__attribute__((noinline)) static long to_long(double d) { return (long)d; }
__attribute__((noinline)) static int cmp3(double a, double b) { return a < b ? -1 : a > b ? 1 : a == b ? 0 : 2; }
__attribute__((noinline)) static double mixed(int i, float f, long l) { return (double)i * f - (double)l / 3.0; }

static uint8_t a8[256], b8[256], c8[256];
static int16_t a16[128], b16[128], c16[128];
static int32_t a32[64], b32[64], c32[64];
static int64_t a64[32], b64[32], c64[32];

__attribute__((noinline)) static void loops(void) {
    for (int i = 0; i < 256; i++) c8[i] = (uint8_t)(a8[i] + b8[i]);
    for (int i = 0; i < 256; i++) c8[i] ^= a8[i] > b8[i] ? a8[i] : b8[i];
    for (int i = 0; i < 128; i++) c16[i] = (int16_t)(a16[i] * b16[i]);
    for (int i = 0; i < 128; i++) c16[i] = c16[i] < a16[i] ? c16[i] : a16[i];
    for (int i = 0; i < 64; i++) c32[i] = a32[i] - (b32[i] >> 3);
    for (int i = 0; i < 64; i++) c32[i] = c32[i] == b32[i] ? 1 : c32[i];
    for (int i = 0; i < 32; i++) c64[i] = a64[i] + (b64[i] << 5);
}
__attribute__((noinline)) static uint32_t sum_abs_diff(void) {
    uint32_t s = 0;
    for (int i = 0; i < 256; i++) s += (uint32_t)(a8[i] > b8[i] ? a8[i] - b8[i] : b8[i] - a8[i]);
    return s;
}
__attribute__((noinline)) static int32_t dot16(void) {
    int32_t s = 0;
    for (int i = 0; i < 128; i++) s += (int32_t)a16[i] * b16[i];
    return s;
}

static void compiled(void) {
    printf("compiled: harmonic(200) %016lx harmonic_f(200) %08x\n", dbits(harmonic(200)), fbits(harmonic_f(200)));
    printf("compiled: sqrt(2) %016lx sqrt(1e10) %016lx\n", dbits(newton_sqrt(2.0)), dbits(newton_sqrt(1e10)));
    printf("compiled: to_long %ld %ld %ld\n", to_long(-2.75), to_long(1e15 + 0.5), to_long(dfrom(0x43e0000000000000ul)));
    printf("compiled: cmp %d %d %d %d\n", cmp3(1, 2), cmp3(2, 1), cmp3(-0.0, 0.0), cmp3(dfrom(0x7ff8000000000000ul), 1));
    printf("compiled: mixed %016lx\n", dbits(mixed(7, 0.1f, 1000000007)));
    for (int i = 0; i < 256; i++) a8[i] = (uint8_t)rnd(), b8[i] = (uint8_t)rnd();
    for (int i = 0; i < 128; i++) a16[i] = (int16_t)rnd(), b16[i] = (int16_t)rnd();
    for (int i = 0; i < 64; i++) a32[i] = (int32_t)rnd(), b32[i] = (int32_t)rnd();
    for (int i = 0; i < 32; i++) a64[i] = (int64_t)rnd(), b64[i] = (int64_t)rnd();
    loops();
    hash = 0xcbf29ce484222325ul;
    for (int i = 0; i < 256; i++) mix(c8[i]);
    for (int i = 0; i < 128; i++) mix((uint16_t)c16[i]);
    for (int i = 0; i < 64; i++) mix((uint32_t)c32[i]);
    for (int i = 0; i < 32; i++) mix((uint64_t)c64[i]);
    printf("compiled: loops %016lx sad %u dot %d\n", take_hash(), sum_abs_diff(), dot16());
}

// ---- Scalar and packed floating point in inline assembly.
static const uint32_t s_edge[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x40400000, 0x3eaaaaab, 0x7f7fffff, 0x00800000,
    0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffc12345, 0x5f000000,
    0x0d800000, 0x30800001, 0x71800000, 0xcf000000, 0x4effffff, 0x3f000000, 0xbfc00000, 0x40200000,
};
static const uint64_t d_edge[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x4008000000000000,
    0x3fd5555555555555, 0x7fefffffffffffff, 0x0010000000000000, 0x0000000000000001, 0x800fffffffffffff,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001, 0xfff8123456789abc,
    0x43e0000000000000, 0x1ff0000000000000, 0x2000000000000001, 0x5ff0000000000000, 0xc1e0000000000000,
    0x41dfffffffc00000, 0x3fe0000000000000, 0xbff8000000000000, 0x4004000000000000, 0x47efffffe0000000,
    0x380fffffffffffff,
};
#define NS (sizeof(s_edge) / sizeof(s_edge[0]))
#define ND (sizeof(d_edge) / sizeof(d_edge[0]))

// xmm0 = op(xmm0, xmm1) on 128-bit values; the MXCSR before and after.
#define BIN(name, insn)                                                                              \
    static v128 name(v128 a, v128 b, uint32_t mx, uint32_t *out) {                                 \
        __asm__ volatile("ldmxcsr %2\n movdqu %0, %%xmm0\n movdqu %1, %%xmm1\n" insn                \
                         "\n movdqu %%xmm0, %0\n stmxcsr %2"                                       \
                         : "+m"(a), "+m"(b), "+m"(mx) :: "xmm0", "xmm1", "eax");                    \
        *out = mx;                                                                                 \
        return a;                                                                                  \
    }
BIN(x_addss, "addss %%xmm1, %%xmm0") BIN(x_subss, "subss %%xmm1, %%xmm0") BIN(x_mulss, "mulss %%xmm1, %%xmm0")
BIN(x_divss, "divss %%xmm1, %%xmm0") BIN(x_sqrtss, "sqrtss %%xmm1, %%xmm0") BIN(x_minss, "minss %%xmm1, %%xmm0")
BIN(x_maxss, "maxss %%xmm1, %%xmm0") BIN(x_addsd, "addsd %%xmm1, %%xmm0") BIN(x_subsd, "subsd %%xmm1, %%xmm0")
BIN(x_mulsd, "mulsd %%xmm1, %%xmm0") BIN(x_divsd, "divsd %%xmm1, %%xmm0") BIN(x_sqrtsd, "sqrtsd %%xmm1, %%xmm0")
BIN(x_minsd, "minsd %%xmm1, %%xmm0") BIN(x_maxsd, "maxsd %%xmm1, %%xmm0")
BIN(x_cmpltss, "cmpltss %%xmm1, %%xmm0") BIN(x_cmpeqsd, "cmpeqsd %%xmm1, %%xmm0")
BIN(x_cmpunordss, "cmpunordss %%xmm1, %%xmm0") BIN(x_cmpnlesd, "cmpnlesd %%xmm1, %%xmm0")
BIN(x_cvtss2sd, "cvtss2sd %%xmm1, %%xmm0") BIN(x_cvtsd2ss, "cvtsd2ss %%xmm1, %%xmm0")
BIN(x_addps, "addps %%xmm1, %%xmm0") BIN(x_mulpd, "mulpd %%xmm1, %%xmm0") BIN(x_divps, "divps %%xmm1, %%xmm0")
BIN(x_subpd, "subpd %%xmm1, %%xmm0") BIN(x_maxps, "maxps %%xmm1, %%xmm0") BIN(x_minpd, "minpd %%xmm1, %%xmm0")
BIN(x_sqrtps, "sqrtps %%xmm1, %%xmm0") BIN(x_sqrtpd, "sqrtpd %%xmm1, %%xmm0")
BIN(x_cmpleps, "cmpleps %%xmm1, %%xmm0") BIN(x_cmpneqpd, "cmpneqpd %%xmm1, %%xmm0")
BIN(x_cmpordps, "cmpordps %%xmm1, %%xmm0") BIN(x_cmpnltpd, "cmpnltpd %%xmm1, %%xmm0")
BIN(x_cvtps2pd, "cvtps2pd %%xmm1, %%xmm0") BIN(x_cvtpd2ps, "cvtpd2ps %%xmm1, %%xmm0")
BIN(x_cvtdq2ps, "cvtdq2ps %%xmm1, %%xmm0") BIN(x_cvtps2dq, "cvtps2dq %%xmm1, %%xmm0")
BIN(x_cvttps2dq, "cvttps2dq %%xmm1, %%xmm0") BIN(x_cvtpd2dq, "cvtpd2dq %%xmm1, %%xmm0")
BIN(x_cvttpd2dq, "cvttpd2dq %%xmm1, %%xmm0") BIN(x_cvtdq2pd, "cvtdq2pd %%xmm1, %%xmm0")
BIN(x_andps, "andps %%xmm1, %%xmm0") BIN(x_andnpd, "andnpd %%xmm1, %%xmm0") BIN(x_orps, "orps %%xmm1, %%xmm0")
BIN(x_unpcklps, "unpcklps %%xmm1, %%xmm0") BIN(x_unpckhps, "unpckhps %%xmm1, %%xmm0")
BIN(x_unpcklpd, "unpcklpd %%xmm1, %%xmm0") BIN(x_unpckhpd, "unpckhpd %%xmm1, %%xmm0")
BIN(x_shufps, "shufps $0x9c, %%xmm1, %%xmm0") BIN(x_shufpd, "shufpd $2, %%xmm1, %%xmm0")
BIN(x_movhlps, "movhlps %%xmm1, %%xmm0") BIN(x_movlhps, "movlhps %%xmm1, %%xmm0")
// Packed integer
BIN(x_paddb, "paddb %%xmm1, %%xmm0") BIN(x_paddw, "paddw %%xmm1, %%xmm0") BIN(x_paddd, "paddd %%xmm1, %%xmm0")
BIN(x_paddq, "paddq %%xmm1, %%xmm0") BIN(x_psubb, "psubb %%xmm1, %%xmm0") BIN(x_psubw, "psubw %%xmm1, %%xmm0")
BIN(x_psubd, "psubd %%xmm1, %%xmm0") BIN(x_psubq, "psubq %%xmm1, %%xmm0") BIN(x_paddsb, "paddsb %%xmm1, %%xmm0")
BIN(x_paddsw, "paddsw %%xmm1, %%xmm0") BIN(x_paddusb, "paddusb %%xmm1, %%xmm0")
BIN(x_paddusw, "paddusw %%xmm1, %%xmm0") BIN(x_psubsb, "psubsb %%xmm1, %%xmm0")
BIN(x_psubsw, "psubsw %%xmm1, %%xmm0") BIN(x_psubusb, "psubusb %%xmm1, %%xmm0")
BIN(x_psubusw, "psubusw %%xmm1, %%xmm0") BIN(x_pmullw, "pmullw %%xmm1, %%xmm0")
BIN(x_pmulhw, "pmulhw %%xmm1, %%xmm0") BIN(x_pmulhuw, "pmulhuw %%xmm1, %%xmm0")
BIN(x_pmuludq, "pmuludq %%xmm1, %%xmm0") BIN(x_pmaddwd, "pmaddwd %%xmm1, %%xmm0")
BIN(x_pavgb, "pavgb %%xmm1, %%xmm0") BIN(x_pavgw, "pavgw %%xmm1, %%xmm0") BIN(x_psadbw, "psadbw %%xmm1, %%xmm0")
BIN(x_pminub, "pminub %%xmm1, %%xmm0") BIN(x_pmaxub, "pmaxub %%xmm1, %%xmm0")
BIN(x_pminsw, "pminsw %%xmm1, %%xmm0") BIN(x_pmaxsw, "pmaxsw %%xmm1, %%xmm0") BIN(x_pand, "pand %%xmm1, %%xmm0")
BIN(x_pandn, "pandn %%xmm1, %%xmm0") BIN(x_por, "por %%xmm1, %%xmm0") BIN(x_pcmpeqw, "pcmpeqw %%xmm1, %%xmm0")
BIN(x_pcmpeqd, "pcmpeqd %%xmm1, %%xmm0") BIN(x_pcmpgtb, "pcmpgtb %%xmm1, %%xmm0")
BIN(x_pcmpgtw, "pcmpgtw %%xmm1, %%xmm0") BIN(x_pcmpgtd, "pcmpgtd %%xmm1, %%xmm0")
BIN(x_psllw, "psllw %%xmm1, %%xmm0") BIN(x_pslld, "pslld %%xmm1, %%xmm0") BIN(x_psllq, "psllq %%xmm1, %%xmm0")
BIN(x_psrlw, "psrlw %%xmm1, %%xmm0") BIN(x_psrld, "psrld %%xmm1, %%xmm0") BIN(x_psrlq, "psrlq %%xmm1, %%xmm0")
BIN(x_psraw, "psraw %%xmm1, %%xmm0") BIN(x_psrad, "psrad %%xmm1, %%xmm0")
BIN(x_psllw_i, "psllw $5, %%xmm0") BIN(x_psrld_i, "psrld $31, %%xmm0") BIN(x_psraw_i, "psraw $17, %%xmm0")
BIN(x_psllq_i, "psllq $63, %%xmm0") BIN(x_pslldq_i, "pslldq $5, %%xmm0") BIN(x_psrldq_i, "psrldq $11, %%xmm0")
BIN(x_punpcklbw, "punpcklbw %%xmm1, %%xmm0") BIN(x_punpckhwd, "punpckhwd %%xmm1, %%xmm0")
BIN(x_punpckldq, "punpckldq %%xmm1, %%xmm0") BIN(x_punpckhqdq, "punpckhqdq %%xmm1, %%xmm0")
BIN(x_punpcklqdq, "punpcklqdq %%xmm1, %%xmm0") BIN(x_punpckhbw, "punpckhbw %%xmm1, %%xmm0")
BIN(x_packsswb, "packsswb %%xmm1, %%xmm0") BIN(x_packssdw, "packssdw %%xmm1, %%xmm0")
BIN(x_packuswb, "packuswb %%xmm1, %%xmm0") BIN(x_pshufd, "pshufd $0x4e, %%xmm1, %%xmm0")
BIN(x_pshufhw, "pshufhw $0xb1, %%xmm1, %%xmm0") BIN(x_pshuflw, "pshuflw $0x1b, %%xmm1, %%xmm0")
BIN(x_pinsrw, "movd %%xmm1, %%eax\n pinsrw $6, %%eax, %%xmm0") BIN(x_movq, "movq %%xmm1, %%xmm0")

typedef v128 (*bin_fn)(v128, v128, uint32_t, uint32_t *);
struct op { const char *name; bin_fn fn; int dbl; };

static const char *const mode_name[] = {"rn", "rd", "ru", "rz", "daz", "fz"};
static const uint32_t mode_mxcsr[] = {0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x1fc0, 0x9f80};

// Whether some lane pair of a and b has two operands that are zeros or
// denormals, not both zero. Under FZ the SDM flushes their tiny sum to zero
// (UE, PE); Bochs returns the denormal sum when the signs agree, so the
// guest leaves these pairs out of its FZ column.
static int tiny_pair(v128 a, v128 b, int dbl) {
    for (unsigned k = 0; k < (dbl ? 2u : 4u); k++) {
        uint64_t x, y, mask;
        if (dbl) {
            x = k ? a.hi : a.lo, y = k ? b.hi : b.lo, mask = 0x7ff0000000000000ul;
        } else {
            const uint64_t wa = k < 2 ? a.lo : a.hi, wb = k < 2 ? b.lo : b.hi;
            x = (uint32_t)(wa >> (32 * (k & 1))), y = (uint32_t)(wb >> (32 * (k & 1))), mask = 0x7f800000;
        }
        if (!(x & mask) && !(y & mask) && ((x | y) << 1) != 0) return 1;
    }
    return 0;
}

// Every pair of edge operands (lane 0 and, rotated, the others) under each mode.
static void fp_table(const struct op *ops, unsigned n) {
    for (unsigned k = 0; k < n; k++) {
        const struct op *o = &ops[k];
        printf("%-10s", o->name);
        for (unsigned m = 0; m < 6; m++) {
            uint32_t flags_or = 0;
            take_hash();
            unsigned ne = o->dbl ? ND : NS;
            for (unsigned i = 0; i < ne; i++)
                for (unsigned j = 0; j < ne; j++) {
                    v128 a, b;
                    if (o->dbl) {
                        a = (v128){d_edge[i], d_edge[(i + j) % ND]};
                        b = (v128){d_edge[j], d_edge[(i * 3 + 1) % ND]};
                    } else {
                        a = (v128){s_edge[i] | (uint64_t)s_edge[(i + j) % NS] << 32,
                                   s_edge[(i + 5) % NS] | (uint64_t)s_edge[j] << 32};
                        b = (v128){s_edge[j] | (uint64_t)s_edge[(i * 3 + 1) % NS] << 32,
                                   s_edge[(j + 7) % NS] | (uint64_t)s_edge[i] << 32};
                    }
                    if (m == 5 && tiny_pair(a, b, o->dbl)) continue;
                    uint32_t mx;
                    v128 r = o->fn(a, b, mode_mxcsr[m], &mx);
                    mix(r.lo), mix(r.hi), mix(mx);
                    flags_or |= mx & 0x3f;
                }
            printf(" %s %08lx/%02x", mode_name[m], take_hash() & 0xffffffff, flags_or);
        }
        printf("\n");
    }
}

static const struct op fp_ops[] = {
    {"addss", x_addss, 0}, {"subss", x_subss, 0}, {"mulss", x_mulss, 0}, {"divss", x_divss, 0},
    {"sqrtss", x_sqrtss, 0}, {"minss", x_minss, 0}, {"maxss", x_maxss, 0}, {"cmpltss", x_cmpltss, 0},
    {"cmpunordss", x_cmpunordss, 0}, {"cvtss2sd", x_cvtss2sd, 0}, {"addps", x_addps, 0}, {"divps", x_divps, 0},
    {"maxps", x_maxps, 0}, {"sqrtps", x_sqrtps, 0}, {"cmpleps", x_cmpleps, 0}, {"cmpordps", x_cmpordps, 0},
    {"cvtps2pd", x_cvtps2pd, 0}, {"cvtdq2ps", x_cvtdq2ps, 0}, {"cvtps2dq", x_cvtps2dq, 0},
    {"cvttps2dq", x_cvttps2dq, 0}, {"andps", x_andps, 0}, {"orps", x_orps, 0}, {"unpcklps", x_unpcklps, 0},
    {"unpckhps", x_unpckhps, 0}, {"shufps", x_shufps, 0}, {"movhlps", x_movhlps, 0}, {"movlhps", x_movlhps, 0},
    {"addsd", x_addsd, 1}, {"subsd", x_subsd, 1}, {"mulsd", x_mulsd, 1}, {"divsd", x_divsd, 1},
    {"sqrtsd", x_sqrtsd, 1}, {"minsd", x_minsd, 1}, {"maxsd", x_maxsd, 1}, {"cmpeqsd", x_cmpeqsd, 1},
    {"cmpnlesd", x_cmpnlesd, 1}, {"cvtsd2ss", x_cvtsd2ss, 1}, {"mulpd", x_mulpd, 1}, {"subpd", x_subpd, 1},
    {"minpd", x_minpd, 1}, {"sqrtpd", x_sqrtpd, 1}, {"cmpneqpd", x_cmpneqpd, 1}, {"cmpnltpd", x_cmpnltpd, 1},
    {"cvtpd2ps", x_cvtpd2ps, 1}, {"cvtpd2dq", x_cvtpd2dq, 1}, {"cvttpd2dq", x_cvttpd2dq, 1},
    {"cvtdq2pd", x_cvtdq2pd, 1}, {"andnpd", x_andnpd, 1}, {"unpcklpd", x_unpcklpd, 1},
    {"unpckhpd", x_unpckhpd, 1}, {"shufpd", x_shufpd, 1},
};

// Packed integer instructions on random operands (every byte value shows
// up; shift counts are small in half of the cases).
static void int_table(void) {
    static const struct op ops[] = {
        {"paddb", x_paddb, 0}, {"paddw", x_paddw, 0}, {"paddd", x_paddd, 0}, {"paddq", x_paddq, 0},
        {"psubb", x_psubb, 0}, {"psubw", x_psubw, 0}, {"psubd", x_psubd, 0}, {"psubq", x_psubq, 0},
        {"paddsb", x_paddsb, 0}, {"paddsw", x_paddsw, 0}, {"paddusb", x_paddusb, 0}, {"paddusw", x_paddusw, 0},
        {"psubsb", x_psubsb, 0}, {"psubsw", x_psubsw, 0}, {"psubusb", x_psubusb, 0}, {"psubusw", x_psubusw, 0},
        {"pmullw", x_pmullw, 0}, {"pmulhw", x_pmulhw, 0}, {"pmulhuw", x_pmulhuw, 0}, {"pmuludq", x_pmuludq, 0},
        {"pmaddwd", x_pmaddwd, 0}, {"pavgb", x_pavgb, 0}, {"pavgw", x_pavgw, 0}, {"psadbw", x_psadbw, 0},
        {"pminub", x_pminub, 0}, {"pmaxub", x_pmaxub, 0}, {"pminsw", x_pminsw, 0}, {"pmaxsw", x_pmaxsw, 0},
        {"pand", x_pand, 0}, {"pandn", x_pandn, 0}, {"por", x_por, 0}, {"pcmpeqw", x_pcmpeqw, 0},
        {"pcmpeqd", x_pcmpeqd, 0}, {"pcmpgtb", x_pcmpgtb, 0}, {"pcmpgtw", x_pcmpgtw, 0}, {"pcmpgtd", x_pcmpgtd, 0},
        {"psllw", x_psllw, 1}, {"pslld", x_pslld, 1}, {"psllq", x_psllq, 1}, {"psrlw", x_psrlw, 1},
        {"psrld", x_psrld, 1}, {"psrlq", x_psrlq, 1}, {"psraw", x_psraw, 1}, {"psrad", x_psrad, 1},
        {"psllw_i", x_psllw_i, 0}, {"psrld_i", x_psrld_i, 0}, {"psraw_i", x_psraw_i, 0}, {"psllq_i", x_psllq_i, 0},
        {"pslldq_i", x_pslldq_i, 0}, {"psrldq_i", x_psrldq_i, 0}, {"punpcklbw", x_punpcklbw, 0},
        {"punpckhwd", x_punpckhwd, 0}, {"punpckldq", x_punpckldq, 0}, {"punpckhqdq", x_punpckhqdq, 0},
        {"punpcklqdq", x_punpcklqdq, 0}, {"punpckhbw", x_punpckhbw, 0}, {"packsswb", x_packsswb, 0},
        {"packssdw", x_packssdw, 0}, {"packuswb", x_packuswb, 0}, {"pshufd", x_pshufd, 0},
        {"pshufhw", x_pshufhw, 0}, {"pshuflw", x_pshuflw, 0}, {"pinsrw", x_pinsrw, 0}, {"movq", x_movq, 0},
    };
    for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        take_hash();
        for (unsigned i = 0; i < 64; i++) {
            v128 a = {rnd(), rnd()}, b = {rnd(), rnd()};
            if (i & 1) a.lo >>= rnd() & 63, b.hi = ~b.hi;
            if (ops[k].dbl) b.lo = i < 32 ? i * 3 : rnd() >> (rnd() & 63);   // shift counts
            uint32_t mx;
            v128 r = ops[k].fn(a, b, 0x1f80, &mx);
            mix(r.lo), mix(r.hi);
        }
        printf("%-10s %016lx\n", ops[k].name, take_hash());
    }
}

// Conversions between general registers and scalars, and the sign-mask,
// PEXTRW and MASKMOVDQU forms.
static void gpr_forms(void) {
    static const uint64_t ints[] = {0, 1, 7, 0xffffffff, 0x80000000, 0x7fffffff, 0x123456789abcdef,
                                    0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x20000001, 16777217};
    for (unsigned m = 0; m < 4; m++) {
        take_hash();
        uint32_t flags_or = 0;
        for (unsigned i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
            uint64_t d, s, d32, s32;
            uint32_t mx = mode_mxcsr[m];
            __asm__ volatile("ldmxcsr %4\n cvtsi2sdq %5, %%xmm0\n movq %%xmm0, %0\n cvtsi2ssq %5, %%xmm0\n"
                             " movd %%xmm0, %k1\n cvtsi2sdl %k5, %%xmm0\n movq %%xmm0, %2\n"
                             " cvtsi2ssl %k5, %%xmm0\n movd %%xmm0, %k3\n stmxcsr %4"
                             : "=r"(d), "=r"(s), "=r"(d32), "=r"(s32), "+m"(mx) : "r"(ints[i]) : "xmm0");
            mix(d), mix(s & 0xffffffff), mix(d32), mix(s32 & 0xffffffff), mix(mx);
            flags_or |= mx;
        }
        for (unsigned i = 0; i < ND; i++) {
            uint64_t r1, r2, r3, r4;
            uint32_t mx = mode_mxcsr[m];
            __asm__ volatile("ldmxcsr %4\n movq %5, %%xmm0\n cvtsd2si %%xmm0, %0\n cvttsd2si %%xmm0, %1\n"
                             " cvtsd2si %%xmm0, %k2\n cvttsd2si %%xmm0, %k3\n stmxcsr %4"
                             : "=r"(r1), "=r"(r2), "=r"(r3), "=r"(r4), "+m"(mx) : "r"(d_edge[i]) : "xmm0");
            mix(r1), mix(r2), mix(r3 & 0xffffffff), mix(r4 & 0xffffffff), mix(mx);
            flags_or |= mx;
        }
        for (unsigned i = 0; i < NS; i++) {
            uint64_t r1, r2, r3, r4;
            uint32_t mx = mode_mxcsr[m];
            __asm__ volatile("ldmxcsr %4\n movd %k5, %%xmm0\n cvtss2si %%xmm0, %0\n cvttss2si %%xmm0, %1\n"
                             " cvtss2si %%xmm0, %k2\n cvttss2si %%xmm0, %k3\n stmxcsr %4"
                             : "=r"(r1), "=r"(r2), "=r"(r3), "=r"(r4), "+m"(mx) : "r"((uint64_t)s_edge[i]) : "xmm0");
            mix(r1), mix(r2), mix(r3 & 0xffffffff), mix(r4 & 0xffffffff), mix(mx);
            flags_or |= mx;
        }
        printf("cvt gpr %s %016lx flags %02x\n", mode_name[m], take_hash(), flags_or & 0x3f);
    }
    // COMISS/UCOMISD: ZF PF CF per pair, and the flags.
    take_hash();
    for (unsigned i = 0; i < NS; i++)
        for (unsigned j = 0; j < NS; j++) {
            uint64_t f1, f2;
            uint32_t mx = 0x1f80;
            __asm__ volatile("ldmxcsr %2\n movd %k3, %%xmm0\n movd %k4, %%xmm1\n comiss %%xmm1, %%xmm0\n pushfq\n"
                             " popq %0\n ucomiss %%xmm1, %%xmm0\n pushfq\n popq %1\n stmxcsr %2"
                             : "=r"(f1), "=r"(f2), "+m"(mx) : "r"((uint64_t)s_edge[i]), "r"((uint64_t)s_edge[j])
                             : "xmm0", "xmm1", "cc");
            mix(f1 & 0x8d5), mix(f2 & 0x8d5), mix(mx);
        }
    for (unsigned i = 0; i < ND; i++)
        for (unsigned j = 0; j < ND; j++) {
            uint64_t f1, f2;
            uint32_t mx = 0x1f80;
            __asm__ volatile("ldmxcsr %2\n movq %3, %%xmm0\n movq %4, %%xmm1\n comisd %%xmm1, %%xmm0\n pushfq\n"
                             " popq %0\n ucomisd %%xmm1, %%xmm0\n pushfq\n popq %1\n stmxcsr %2"
                             : "=r"(f1), "=r"(f2), "+m"(mx) : "r"(d_edge[i]), "r"(d_edge[j]) : "xmm0", "xmm1", "cc");
            mix(f1 & 0x8d5), mix(f2 & 0x8d5), mix(mx);
        }
    printf("comis %016lx\n", take_hash());
    // MOVMSKPS/PD, PMOVMSKB, PEXTRW, MASKMOVDQU.
    for (unsigned i = 0; i < 32; i++) {
        v128 a = {rnd(), rnd()}, mask = {rnd(), rnd()};
        uint64_t m1, m2, m3, w;
        __asm__ volatile("movdqu %4, %%xmm1\n movmskps %%xmm1, %0\n movmskpd %%xmm1, %1\n pmovmskb %%xmm1, %2\n"
                         " pextrw $3, %%xmm1, %3"
                         : "=r"(m1), "=r"(m2), "=r"(m3), "=r"(w) : "m"(a) : "xmm1");
        mix(m1), mix(m2), mix(m3), mix(w);
        uint8_t buf[16] = {0};
        for (unsigned k = 0; k < 16; k++) buf[k] = (uint8_t)(0xa0 + k);
        __asm__ volatile("movdqu %1, %%xmm0\n movdqu %2, %%xmm1\n maskmovdqu %%xmm1, %%xmm0"
                         :: "D"(buf), "m"(a), "m"(mask) : "xmm0", "xmm1", "memory");
        for (unsigned k = 0; k < 16; k++) mix(buf[k]);
    }
    printf("masks %016lx\n", take_hash());
}

// RCPPS/RSQRTPS: within 1.5 * 2^-12 of the true value (checked in double).
static void approximations(void) {
    unsigned bad = 0;
    for (unsigned i = 0; i < 200; i++) {
        uint32_t x = (uint32_t)(0x00800000 + rnd() % (0x7f000000u - 0x00800000u));
        v128 in = {x | (uint64_t)x << 32, x | (uint64_t)x << 32}, r1, r2;
        __asm__ volatile("movdqu %2, %%xmm1\n rcpps %%xmm1, %%xmm0\n movdqu %%xmm0, %0\n rsqrtps %%xmm1, %%xmm0\n"
                         " movdqu %%xmm0, %1"
                         : "=m"(r1), "=m"(r2) : "m"(in) : "xmm0", "xmm1");
        union { uint32_t u; float f; } xv = {.u = x}, rv = {.u = (uint32_t)r1.lo}, sv = {.u = (uint32_t)r2.lo};
        double e1 = (double)rv.f * (double)xv.f - 1.0, e2;
        double root;
        __asm__("sqrtsd %1, %0" : "=x"(root) : "x"((double)xv.f));
        e2 = (double)sv.f * root - 1.0;
        if (e1 < 0) e1 = -e1;
        if (e2 < 0) e2 = -e2;
        if ((uint32_t)r1.lo != 0 && e1 > 1.5 / 4096) bad++;
        if (e2 > 1.5 / 4096) bad++;
    }
    printf("rcpps/rsqrtps: %u outside 1.5 * 2^-12\n", bad);
    rt_check(bad == 0, "rcp/rsqrt error bound");
}

// SIMD floating-point exceptions.
static void exceptions(void) {
    rt_set_handler(19, on_fault);
    rt_set_handler(6, on_fault);
    rt_set_handler(7, on_fault);
    rt_set_handler(13, on_fault);
    v128 a = {0x3f800000, 0}, z = {0, 0}, r;
    uint32_t mx;
    // Divide by zero unmasked: #XM, ZE set, xmm0 unchanged.
    seen_vector = 0, skip_len = 4;
    r = x_divss(a, z, 0x1f80 & ~(1u << 9), &mx);
    printf("divss 1/0 unmasked: vector %lu mxcsr %04x xmm0 %08lx\n", seen_vector, mx, r.lo);
    // Unmasked underflow of an exact tiny result; unmasked overflow; inexact.
    v128 t1 = {0x0d800000, 0}, t2 = {0x30800000, 0}, big = {0x71800000, 0};
    seen_vector = 0;
    r = x_mulss(t1, t2, 0x1f80 & ~(1u << 11), &mx);
    printf("mulss tiny exact, UM=0: vector %lu mxcsr %04x xmm0 %08lx\n", seen_vector, mx, r.lo);
    seen_vector = 0;
    r = x_mulss(big, big, 0x1f80 & ~(1u << 10), &mx);
    printf("mulss overflow, OM=0: vector %lu mxcsr %04x xmm0 %08lx\n", seen_vector, mx & ~0x20u, r.lo);
    seen_vector = 0;
    v128 three = {0x40400000, 0};
    r = x_divss(a, three, 0x1f80 & ~(1u << 12), &mx);
    printf("divss 1/3, PM=0: vector %lu mxcsr %04x xmm0 %08lx\n", seen_vector, mx, r.lo);
    // Packed: an unmasked invalid lane and an inexact lane: only IE is set.
    v128 p1 = {(uint64_t)0x3f800000 << 32, 0}, p2 = {0x40400000ul << 32, 0};
    seen_vector = 0, skip_len = 3;
    r = x_divps(p1, p2, 0x1f80 & ~(1u << 7), &mx);
    printf("divps 0/0 and 1/3, IM=0: vector %lu mxcsr %04x xmm0 %016lx\n", seen_vector, mx, r.lo);
    // Without CR4.OSXMMEXCPT the unmasked exception is #UD.
    write_cr(4, read_cr(4) & ~(1ul << 10));
    seen_vector = 0, skip_len = 4;
    r = x_divss(a, z, 0x1f80 & ~(1u << 9), &mx);
    printf("divss 1/0 unmasked, OSXMMEXCPT=0: vector %lu mxcsr %04x\n", seen_vector, mx);
    write_cr(4, read_cr(4) | (1ul << 10));
    // CR0.TS: #NM; CR0.EM: #UD.
    write_cr(0, read_cr(0) | 8);
    seen_vector = 0, skip_len = 4;
    __asm__ volatile("addsd %%xmm1, %%xmm0" ::: "xmm0");
    printf("addsd with CR0.TS: vector %lu\n", seen_vector);
    __asm__ volatile("clts");
    write_cr(0, read_cr(0) | 4);
    seen_vector = 0, skip_len = 4;
    __asm__ volatile("paddd %%xmm1, %%xmm0" ::: "xmm0");
    printf("paddd with CR0.EM: vector %lu\n", seen_vector);
    write_cr(0, read_cr(0) & ~4ul);
    // LDMXCSR with a reserved bit: #GP(0).
    uint32_t bad_mx = 0x11f80;
    seen_vector = 0, skip_len = 3;
    __asm__ volatile("ldmxcsr (%0)" :: "a"(&bad_mx) : "memory");   // 0F AE 10: 3 bytes
    printf("ldmxcsr 0x11f80: vector %lu mxcsr %04x\n", seen_vector, get_mxcsr());
    set_mxcsr(0x1f80);
}

__attribute__((noinline)) static void run(void) {
    take_hash();
    printf("mxcsr at start %04x\n", get_mxcsr());
    compiled();
    fp_table(fp_ops, sizeof(fp_ops) / sizeof(fp_ops[0]));
    int_table();
    gpr_forms();
    approximations();
    exceptions();
    set_mxcsr(0x1f80);
    rt_verdict("sse");
}

int main(void) {
    // CR0: MP set, EM and TS clear; CR4: OSFXSR and OSXMMEXCPT. Nothing
    // before this point may use SSE.
    write_cr(0, (read_cr(0) | 2) & ~0xcul);
    write_cr(4, read_cr(4) | (1ul << 9) | (1ul << 10));
    run();
    return 0;
}
