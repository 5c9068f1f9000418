// Armv8.1 LSE atomics at EL2 with the MMU on (Normal memory): LDADD,
// LDCLR, LDEOR, LDSET, LD{S,U}{MAX,MIN}, SWP, CAS and CASP in every size,
// with the acquire/release forms, over pseudo-random operands. Each returns
// the old value and leaves the combined one in memory; both are checked
// against a C model and folded into a checksum. QEMU's cortex-a57 is
// Armv8.0, so this guest runs on a CPU with FEAT_LSE (QEMU: -cpu max).
#include "rt/rt.h"

static uint64_t mem[4] __attribute__((aligned(16)));
static uint64_t sum;
static void mix(uint64_t v) { sum = (sum ^ v) * 0x100000001b3ul + (sum >> 29); }
static uint64_t rng = 0x2545f4914f6cdd1dul;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t sx(uint64_t v, unsigned bits) { return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits)); }
static uint64_t trunc(uint64_t v, unsigned bits) { return bits == 64 ? v : v & ((1ul << bits) - 1); }

// Model of the memory result of op on (old, operand), both truncated to bits.
static uint64_t model(char op, uint64_t m, uint64_t s, unsigned bits) {
    m = trunc(m, bits);
    s = trunc(s, bits);
    switch (op) {
    case 'a': return trunc(m + s, bits);
    case 'c': return m & ~s;
    case 'e': return m ^ s;
    case 's': return m | s;
    case 'X': return (int64_t)sx(m, bits) > (int64_t)sx(s, bits) ? m : s;
    case 'N': return (int64_t)sx(m, bits) < (int64_t)sx(s, bits) ? m : s;
    case 'x': return m > s ? m : s;
    case 'n': return m < s ? m : s;
    default: return s;   // swp
    }
}

static unsigned fails;
static void check(const char *name, unsigned bits, uint64_t m, uint64_t s, uint64_t old, char op) {
    uint64_t want_mem = model(op, m, s, bits), got_mem = mem[0];
    mix(old);
    mix(got_mem);
    uint64_t keep = bits == 64 ? 0 : m & ~((1ul << bits) - 1);   // bytes above the operand are untouched
    if ((old != trunc(m, bits) || got_mem != (keep | want_mem)) && fails++ < 8)
        rt_check(0, "%s/%u: mem %lx op %lx: old %lx mem %lx, want old %lx mem %lx", name, bits, m, s, old, got_mem,
                 trunc(m, bits), keep | want_mem);
}

// One instruction in its four sizes (x, w, h, b registers as needed).
#define ATOMIC4(insn, op)                                                                                   \
    do {                                                                                                    \
        uint64_t m = next(), s = next(), o;                                                                 \
        if (next() & 1) s = m ^ (next() & 0xff);                                                            \
        mem[0] = m;                                                                                         \
        __asm__ volatile(insn " %1, %0, [%2]" : "=&r"(o) : "r"(s), "r"(mem) : "memory");                    \
        check(insn, 64, m, s, o, op);                                                                       \
        mem[0] = m;                                                                                         \
        __asm__ volatile(insn " %w1, %w0, [%2]" : "=&r"(o) : "r"(s), "r"(mem) : "memory");                  \
        check(insn, 32, m, s, o, op);                                                                       \
        mem[0] = m;                                                                                         \
        __asm__ volatile(insn "h %w1, %w0, [%2]" : "=&r"(o) : "r"(s), "r"(mem) : "memory");                 \
        check(insn "h", 16, m, s, o, op);                                                                   \
        mem[0] = m;                                                                                         \
        __asm__ volatile(insn "b %w1, %w0, [%2]" : "=&r"(o) : "r"(s), "r"(mem) : "memory");                 \
        check(insn "b", 8, m, s, o, op);                                                                    \
    } while (0)

static void test_ld_ops(void) {
    for (int i = 0; i < 64; i++) {
        ATOMIC4("ldadd", 'a');
        ATOMIC4("ldaddal", 'a');
        ATOMIC4("ldclr", 'c');
        ATOMIC4("ldclra", 'c');
        ATOMIC4("ldeor", 'e');
        ATOMIC4("ldeorl", 'e');
        ATOMIC4("ldset", 's');
        ATOMIC4("ldsetal", 's');
        ATOMIC4("ldsmax", 'X');
        ATOMIC4("ldsmin", 'N');
        ATOMIC4("ldumax", 'x');
        ATOMIC4("lduminl", 'n');
        ATOMIC4("swp", 'w');
        ATOMIC4("swpal", 'w');
    }
    printf("ld<op>/swp checksum %016lx\n", sum);
}

static void test_cas(void) {
    for (int i = 0; i < 64; i++) {
        uint64_t m = next(), n = next(), c = (i & 1) ? m : next(), r;
        mem[0] = m;
        r = c;
        __asm__ volatile("casal %0, %1, [%2]" : "+r"(r) : "r"(n), "r"(mem) : "memory");
        mix(r);
        CHECK_EQ("cas old", r, m);
        CHECK_EQ("cas mem", mem[0], c == m ? n : m);
        mem[0] = m;
        r = (i & 2) ? (uint32_t)m : c;
        uint64_t cmp = r;
        __asm__ volatile("casa %w0, %w1, [%2]" : "+r"(r) : "r"(n), "r"(mem) : "memory");
        mix(r);
        CHECK_EQ("cas w old", r, (uint32_t)m);
        CHECK_EQ("cas w mem", mem[0], (uint32_t)cmp == (uint32_t)m ? (m & ~0xfffffffful) | (uint32_t)n : m);
        mem[0] = m;
        r = (i & 2) ? (m & 0xff) : c;
        cmp = r;
        __asm__ volatile("caslb %w0, %w1, [%2]" : "+r"(r) : "r"(n), "r"(mem) : "memory");
        mix(r);
        CHECK_EQ("casb old", r, m & 0xff);
        CHECK_EQ("casb mem", mem[0], (uint8_t)cmp == (uint8_t)m ? (m & ~0xfful) | (n & 0xff) : m);
        // CASP: a pair of registers compared and swapped as one 128-bit value.
        mem[0] = m;
        mem[1] = ~m;
        register uint64_t c0 __asm__("x4") = (i & 4) ? m : n;
        register uint64_t c1 __asm__("x5") = ~m;
        register uint64_t n0 __asm__("x6") = n;
        register uint64_t n1 __asm__("x7") = c;
        uint64_t want_swap = c0 == m;
        __asm__ volatile("caspal x4, x5, x6, x7, [%2]" : "+r"(c0), "+r"(c1) : "r"(mem), "r"(n0), "r"(n1) : "memory");
        mix(c0);
        mix(c1);
        CHECK_EQ("casp old lo", c0, m);
        CHECK_EQ("casp old hi", c1, ~m);
        CHECK_EQ("casp mem lo", mem[0], want_swap ? n : m);
        CHECK_EQ("casp mem hi", mem[1], want_swap ? c : ~m);
    }
    printf("cas/casp checksum %016lx\n", sum);
}

int main(void) {
    uint64_t isar0 = sysreg_read(id_aa64isar0_el1);
    printf("ID_AA64ISAR0_EL1.Atomic = %lu\n", (isar0 >> 20) & 0xf);
    CHECK_EQ("FEAT_LSE present", ((isar0 >> 20) & 0xf) >= 2, 1);
    rt_el2_mmu_on();
    test_ld_ops();
    test_cas();
    rt_el2_mmu_off();
    rt_verdict("lse");
}
