// The A extension: every AMO in .w and .d on edge-case operand pairs (old
// value returned, new memory value), the aq/rl forms, LR/SC success and
// failure rules, and misaligned AMO/LR/SC (address-misaligned exceptions).
#include "common.h"

static const unsigned long vals[] = {
    0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x7ffffffffffffffful, 0x8000000000000000ul,
    0xfffffffffffffffful, 0x123456789abcdef0ul, 0xfedcba9876543210ul,
};
#define NV (sizeof vals / sizeof vals[0])

static volatile uint64_t cell[4] __attribute__((aligned(64)));

// One function per AMO (the mnemonic's dots cannot be part of a C name).
#define DEF2(op, sz, cn)                                                                \
    static void cn(volatile uint64_t *p, unsigned long src, unsigned long *old) {       \
        __asm__ volatile(#op "." #sz " %0, %2, (%1)" : "=&r"(*old) : "r"(p), "r"(src) : "memory"); \
    }
DEF2(amoswap, w, f_swap_w) DEF2(amoadd, w, f_add_w) DEF2(amoxor, w, f_xor_w) DEF2(amoand, w, f_and_w)
DEF2(amoor, w, f_or_w) DEF2(amomin, w, f_min_w) DEF2(amomax, w, f_max_w) DEF2(amominu, w, f_minu_w)
DEF2(amomaxu, w, f_maxu_w)
DEF2(amoswap, d, f_swap_d) DEF2(amoadd, d, f_add_d) DEF2(amoxor, d, f_xor_d) DEF2(amoand, d, f_and_d)
DEF2(amoor, d, f_or_d) DEF2(amomin, d, f_min_d) DEF2(amomax, d, f_max_d) DEF2(amominu, d, f_minu_d)
DEF2(amomaxu, d, f_maxu_d)
DEF2(amoadd, w.aq, f_add_w_aq) DEF2(amoor, d.rl, f_or_d_rl) DEF2(amomaxu, w.aqrl, f_maxu_w_aqrl)

static const struct {
    const char *name;
    void (*fn)(volatile uint64_t *, unsigned long, unsigned long *);
} ops[] = {
    {"amoswap.w", f_swap_w}, {"amoadd.w", f_add_w}, {"amoxor.w", f_xor_w}, {"amoand.w", f_and_w},
    {"amoor.w", f_or_w}, {"amomin.w", f_min_w}, {"amomax.w", f_max_w}, {"amominu.w", f_minu_w},
    {"amomaxu.w", f_maxu_w}, {"amoswap.d", f_swap_d}, {"amoadd.d", f_add_d}, {"amoxor.d", f_xor_d},
    {"amoand.d", f_and_d}, {"amoor.d", f_or_d}, {"amomin.d", f_min_d}, {"amomax.d", f_max_d},
    {"amominu.d", f_minu_d}, {"amomaxu.d", f_maxu_d}, {"amoadd.w.aq", f_add_w_aq},
    {"amoor.d.rl", f_or_d_rl}, {"amomaxu.w.aqrl", f_maxu_w_aqrl},
};

__attribute__((unused)) static void test_amos(void) {
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        for (unsigned i = 0; i < NV; i++) {
            printf("%-14s %u:", ops[k].name, i);
            for (unsigned j = 0; j < NV; j++) {
                unsigned long old;
                cell[0] = vals[i];
                cell[1] = 0x5555555555555555ul;   // the neighbour a .w must not touch
                ops[k].fn(&cell[0], vals[j], &old);
                printf(" %lx/%lx", old, (unsigned long)cell[0]);
                if (cell[1] != 0x5555555555555555ul) printf("!");
            }
            printf("\n");
        }
    }
    // .w on the upper word of a doubleword
    cell[0] = 0x1111111122222222ul;
    unsigned long old;
    f_add_w((volatile uint64_t *)((volatile uint32_t *)cell + 1), 0x7fffffff, &old);
    printf("amoadd.w upper half: old %lx mem %lx\n", old, (unsigned long)cell[0]);
    // rd = x0: the memory is still updated
    cell[0] = 5;
    __asm__ volatile("amoadd.d x0, %1, (%0)" :: "r"(cell), "r"(7ul) : "memory");
    printf("amoadd.d rd=x0: mem %lx\n", (unsigned long)cell[0]);
    // rd == rs2
    cell[0] = 9;
    unsigned long r = 4;
    __asm__ volatile("amoswap.d %0, %0, (%1)" : "+r"(r) : "r"(cell) : "memory");
    printf("amoswap.d rd=rs2: rd %lx mem %lx\n", r, (unsigned long)cell[0]);
}

static unsigned long lr_w(volatile void *p) {
    unsigned long v;
    __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(p) : "memory");
    return v;
}
static unsigned long lr_d(volatile void *p) {
    unsigned long v;
    __asm__ volatile("lr.d %0, (%1)" : "=r"(v) : "r"(p) : "memory");
    return v;
}
// The SC failure code is only specified as nonzero: print 0 or 1.
static unsigned long sc_w(volatile void *p, unsigned long v) {
    unsigned long r;
    __asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
    return r != 0;
}
static unsigned long sc_d(volatile void *p, unsigned long v) {
    unsigned long r;
    __asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
    return r != 0;
}

static volatile uint64_t far_cell[2] __attribute__((aligned(4096)));

__attribute__((unused)) static void test_lrsc(void) {
    cell[0] = 0xffffffff80000001ul;
    printf("lr.w sign-extends: %lx\n", lr_w(cell));
    printf("sc.w after lr.w: fail=%lu mem %lx\n", sc_w(cell, 0x12345678), (unsigned long)cell[0]);
    printf("second sc.w: fail=%lu mem %lx\n", sc_w(cell, 0x9999), (unsigned long)cell[0]);
    cell[0] = 0xabcdef;
    printf("lr.d: %lx\n", lr_d(cell));
    printf("sc.d: fail=%lu mem %lx\n", sc_d(cell, 0x1122334455667788ul), (unsigned long)cell[0]);
    // SC to an address outside the reservation set (another page) fails.
    lr_d(cell);
    far_cell[0] = 1;
    printf("sc.d elsewhere: fail=%lu mem %lx\n", sc_d(far_cell, 2), (unsigned long)far_cell[0]);
    // SC without any LR fails.
    printf("sc.d without lr: fail=%lu\n", sc_d(cell, 3));
    // An SC after another LR to a different address succeeds only there.
    lr_d(cell);
    lr_d(far_cell);
    printf("sc.d on the newer reservation: fail=%lu mem %lx\n", sc_d(far_cell, 4), (unsigned long)far_cell[0]);
    // A retry loop (the usual atomic-increment idiom).
    cell[0] = 41;
    unsigned long tmp, fail;
    __asm__ volatile("1: lr.d %0, (%2)\n\taddi %0, %0, 1\n\tsc.d %1, %0, (%2)\n\tbnez %1, 1b"
                     : "=&r"(tmp), "=&r"(fail) : "r"(cell) : "memory");
    printf("lr/sc increment: %lx\n", (unsigned long)cell[0]);
    // sc.w / lr.w aq/rl forms
    cell[0] = 0;
    __asm__ volatile("lr.w.aq %0, (%1)" : "=r"(tmp) : "r"(cell) : "memory");
    __asm__ volatile("sc.w.rl %0, %2, (%1)" : "=&r"(fail) : "r"(cell), "r"(77ul) : "memory");
    printf("lr.w.aq/sc.w.rl: fail=%d mem %lx\n", fail != 0, (unsigned long)cell[0]);
}

// Misaligned AMOs raise store/AMO address-misaligned (6), misaligned LR
// raises load address-misaligned (4), and so does a misaligned SC (6), with
// the address in mtval. (The spec also allows an access fault instead; hvemu
// raises the misaligned exceptions.) QEMU 7.2 reports misaligned AMOs as
// load faults (4) and lets a misaligned SC without a reservation fail
// without a trap, so the build compared with QEMU prints only "misaligned"
// for AMOs and skips SC; the SPEC build prints exact causes and is checked
// against an expected file.
#ifdef SPEC
#define MIS(c) printf("cause %lu", (c))
#else
#define MIS(c) printf("%s", (c) == 4 || (c) == 6 ? "misaligned" : "other")
#endif
#define REPORT(label)                                                                   \
    do {                                                                                \
        printf("%s: trap %lu ", label, trap_m.count);                                   \
        MIS(trap_m.cause);                                                              \
        printf(" tval=base+%lu\n", trap_m.tval - (unsigned long)cell);                  \
    } while (0)

static void test_misaligned(void) {
    catch_install();
    volatile uint8_t *b = (volatile uint8_t *)cell;
    unsigned long old;
    trap_clear();
    f_add_w((volatile uint64_t *)(b + 2), 1, &old);
    REPORT("amoadd.w +2");
    trap_clear();
    f_add_d((volatile uint64_t *)(b + 4), 1, &old);
    REPORT("amoadd.d +4");
    trap_clear();
    f_swap_d((volatile uint64_t *)(b + 1), 1, &old);
    REPORT("amoswap.d +1");
    trap_clear();
    f_maxu_w((volatile uint64_t *)(b + 3), 1, &old);
    REPORT("amomaxu.w +3");
    trap_clear();
    lr_w(b + 1);
    printf("lr.w +1: trap %lu cause %lu tval=base+%lu\n", trap_m.count, trap_m.cause, trap_m.tval - (unsigned long)cell);
    trap_clear();
    lr_d(b + 4);
    printf("lr.d +4: trap %lu cause %lu tval=base+%lu\n", trap_m.count, trap_m.cause, trap_m.tval - (unsigned long)cell);
#ifdef SPEC
    trap_clear();
    sc_d(b + 4, 0);
    REPORT("sc.d +4");
    trap_clear();
    sc_w(b + 2, 0);
    REPORT("sc.w +2");
#endif
}

int main(void) {
#ifndef SPEC
    test_amos();
    test_lrsc();
#endif
    test_misaligned();
    printf("amo done\n");
    return 0;
}
