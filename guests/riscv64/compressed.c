// The C extension: every RV64C instruction, written with its c. mnemonic so
// the assembler cannot choose the 32-bit form, on edge-case operands.
#include "common.h"

static const unsigned long vals[] = {
    0, 1, 0x1f, 0x7fffffff, 0x80000000, 0xffffffff, 0x7ffffffffffffffful, 0x8000000000000000ul,
    0xfffffffffffffffful, 0x123456789abcdef0ul,
};
#define NV (sizeof vals / sizeof vals[0])

// One operand in a0 (x10), result in a0.
#define C1(insn)                                                                        \
    do {                                                                                \
        printf("%-22s:", insn);                                                         \
        for (unsigned i = 0; i < NV; i++) {                                             \
            register unsigned long a0 __asm__("a0") = vals[i];                          \
            __asm__ volatile(insn : "+r"(a0));                                          \
            printf(" %lx", a0);                                                         \
        }                                                                               \
        printf("\n");                                                                   \
    } while (0)

// Two operands: a0 op= a1 (a1 runs over the values for each a0).
#define C2(insn)                                                                        \
    do {                                                                                \
        for (unsigned i = 0; i < NV; i++) {                                             \
            printf("%-22s %u:", insn, i);                                               \
            for (unsigned j = 0; j < NV; j++) {                                         \
                register unsigned long a0 __asm__("a0") = vals[i];                      \
                register unsigned long a1 __asm__("a1") = vals[j];                      \
                __asm__ volatile(insn : "+r"(a0) : "r"(a1));                            \
                printf(" %lx", a0);                                                     \
            }                                                                           \
            printf("\n");                                                               \
        }                                                                               \
    } while (0)

static void test_alu(void) {
    C1("c.li a0, 0");
    C1("c.li a0, 31");
    C1("c.li a0, -32");
    C1("c.lui a0, 1");
    C1("c.lui a0, 0x1f");
    C1("c.lui a0, 0xfffe0");
    C1("c.lui a0, 0xfffff");
    C1("c.addi a0, 1");
    C1("c.addi a0, -32");
    C1("c.addi a0, 31");
    C1("c.addiw a0, 0");
    C1("c.addiw a0, 1");
    C1("c.addiw a0, -1");
    C1("c.slli a0, 1");
    C1("c.slli a0, 32");
    C1("c.slli a0, 63");
    C1("c.srli a0, 1");
    C1("c.srli a0, 32");
    C1("c.srli a0, 63");
    C1("c.srai a0, 1");
    C1("c.srai a0, 32");
    C1("c.srai a0, 63");
    C1("c.andi a0, 0");
    C1("c.andi a0, 31");
    C1("c.andi a0, -32");
    C1("c.andi a0, -1");
    C2("c.mv a0, a1");
    C2("c.add a0, a1");
    C2("c.sub a0, a1");
    C2("c.xor a0, a1");
    C2("c.or a0, a1");
    C2("c.and a0, a1");
    C2("c.subw a0, a1");
    C2("c.addw a0, a1");
}

static void test_sp(void) {
    unsigned long before, after, a;
    __asm__ volatile("mv %0, sp\n\tc.addi16sp sp, 496\n\tmv %1, sp\n\tc.addi16sp sp, -496"
                     : "=&r"(before), "=&r"(after));
    printf("c.addi16sp +496: %ld\n", (long)(after - before));
    __asm__ volatile("mv %0, sp\n\tc.addi16sp sp, -512\n\tmv %1, sp\n\tc.addi16sp sp, 496\n\tc.addi16sp sp, 16"
                     : "=&r"(before), "=&r"(after));
    printf("c.addi16sp -512: %ld\n", (long)(after - before));
    register unsigned long a0 __asm__("a0");
    __asm__ volatile("c.addi4spn a0, sp, 4\n\tsub a0, a0, sp" : "=r"(a0));
    a = a0;
    printf("c.addi4spn 4: %lu\n", a);
    __asm__ volatile("c.addi4spn a0, sp, 1020\n\tsub a0, a0, sp" : "=r"(a0));
    a = a0;
    printf("c.addi4spn 1020: %lu\n", a);
}

static uint64_t mem[64] __attribute__((aligned(8)));

static void test_mem(void) {
    for (unsigned i = 0; i < 64; i++) mem[i] = 0x8081828384858687ul + i * 0x0101010101010101ul;
    register unsigned long a0 __asm__("a0");
    register unsigned long a1 __asm__("a1") = (unsigned long)mem;
    __asm__ volatile("c.lw a0, 0(a1)" : "=r"(a0) : "r"(a1) : "memory");
    printf("c.lw 0: %lx\n", a0);
    __asm__ volatile("c.lw a0, 124(a1)" : "=r"(a0) : "r"(a1) : "memory");
    printf("c.lw 124: %lx\n", a0);
    __asm__ volatile("c.ld a0, 0(a1)" : "=r"(a0) : "r"(a1) : "memory");
    printf("c.ld 0: %lx\n", a0);
    __asm__ volatile("c.ld a0, 248(a1)" : "=r"(a0) : "r"(a1) : "memory");
    printf("c.ld 248: %lx\n", a0);
    a0 = OPAQUE(0xfedcba9876543210ul);
    __asm__ volatile("c.sw a0, 4(a1)\n\tc.sd a0, 16(a1)" :: "r"(a0), "r"(a1) : "memory");
    printf("c.sw/c.sd: %lx %lx\n", (unsigned long)mem[0], (unsigned long)mem[2]);

    // sp-relative forms, with sp pointed at the buffer for a moment.
    unsigned long r1, r2, saved;
    __asm__ volatile("mv %2, sp\n\tmv sp, %3\n\t"
                     "c.lwsp %0, 252(sp)\n\tc.ldsp %1, 504(sp)\n\t"
                     "c.swsp %1, 8(sp)\n\tc.sdsp %1, 24(sp)\n\t"
                     "mv sp, %2"
                     : "=&r"(r1), "=&r"(r2), "=&r"(saved) : "r"(mem) : "memory");
    printf("c.lwsp 252: %lx c.ldsp 504: %lx\n", r1, r2);
    printf("c.swsp/c.sdsp: %lx %lx\n", (unsigned long)mem[1], (unsigned long)mem[3]);

    // FP loads and stores
    unsigned long x1, x2;
    __asm__ volatile("c.fld fa0, 40(a1)\n\tc.fsd fa0, 48(a1)\n\tfmv.x.d %0, fa0\n\t"
                     "mv t0, sp\n\tmv sp, a1\n\tc.fldsp fa1, 8(sp)\n\tc.fsdsp fa1, 56(sp)\n\tmv sp, t0\n\t"
                     "fmv.x.d %1, fa1"
                     : "=&r"(x1), "=&r"(x2) : "r"(a1) : "t0", "fa0", "fa1", "memory");
    printf("c.fld: %lx c.fsd: %lx c.fldsp: %lx c.fsdsp: %lx\n", x1, (unsigned long)mem[6], x2,
           (unsigned long)mem[7]);
}

static unsigned long jr_target(unsigned long x) { return x * 3 + 1; }

static void test_control(void) {
    for (unsigned i = 0; i < 3; i++) {
        register unsigned long a0 __asm__("a0") = vals[i];
        unsigned long z = 0, nz = 0;
        __asm__ volatile("c.beqz a0, 1f\n\tj 2f\n1:\tli %0, 1\n2:" : "+r"(z) : "r"(a0));
        __asm__ volatile("c.bnez a0, 1f\n\tj 2f\n1:\tli %0, 1\n2:" : "+r"(nz) : "r"(a0));
        printf("c.beqz/c.bnez %lx: %lu %lu\n", vals[i], z, nz);
    }
    unsigned long r;
    __asm__ volatile("li %0, 0\n\tc.j 1f\n\tli %0, 1\n1:" : "=&r"(r));
    printf("c.j skips: %lu\n", r);
    register unsigned long t1 __asm__("t1") = (unsigned long)jr_target;
    register unsigned long a0 __asm__("a0") = OPAQUE(5ul);
    __asm__ volatile("c.jalr t1" : "+r"(a0) : "r"(t1) : "ra", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t2", "t3",
                     "t4", "t5", "t6", "memory");
    printf("c.jalr: %lu\n", a0);
    unsigned long link, here;
    __asm__ volatile("la t0, 1f\n\tc.jalr t0\n1:\tmv %0, ra\n\tla %1, 1b" : "=r"(link), "=r"(here) : : "t0", "ra");
    printf("c.jalr link = next: %d\n", link == here);
    __asm__ volatile("la t0, 1f\n\tli %0, 7\n\tc.jr t0\n\tli %0, 8\n1:" : "=&r"(r) : : "t0");
    printf("c.jr: %lu\n", r);
    __asm__ volatile("c.nop\n\tc.nop");
    printf("c.nop ok\n");
}

int main(void) {
    test_alu();
    test_sp();
    test_mem();
    test_control();
    printf("compressed done\n");
    return 0;
}
