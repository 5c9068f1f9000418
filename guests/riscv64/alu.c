// RV64I and M integer instructions on edge-case operands: every register-
// register and register-immediate operation, LUI/AUIPC, branches, JAL/JALR,
// multiplication (all MULH variants) and division by zero and overflow.
#include "common.h"

static const unsigned long vals[] = {
    0, 1, 2, 3, 5, 31, 32, 63, 64,
    0xfffffffffffffffful,   // -1
    0xfffffffffffffffeul,   // -2
    0x7ffffffffffffffful,   // INT64_MAX
    0x8000000000000000ul,   // INT64_MIN
    0x000000007ffffffful,   // INT32_MAX
    0x0000000080000000ul,
    0x00000000fffffffful,
    0xffffffff80000000ul,   // INT32_MIN sign-extended
    0x123456789abcdef0ul,
    0xfedcba9876543210ul,
    0x00000000deadbeeful,
};
#define NV (sizeof vals / sizeof vals[0])

#define RR(op)                                                                          \
    static unsigned long f_##op(unsigned long a, unsigned long b) {                     \
        unsigned long r;                                                                \
        __asm__ volatile(#op " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));                 \
        return r;                                                                       \
    }
#define RR_LIST(X)                                                                      \
    X(add) X(sub) X(sll) X(slt) X(sltu) X(xor) X(srl) X(sra) X(or) X(and)               \
    X(addw) X(subw) X(sllw) X(srlw) X(sraw)                                             \
    X(mul) X(mulh) X(mulhsu) X(mulhu) X(mulw)                                           \
    X(div) X(divu) X(rem) X(remu) X(divw) X(divuw) X(remw) X(remuw)
RR_LIST(RR)

struct rr_op {
    const char *name;
    unsigned long (*fn)(unsigned long, unsigned long);
};
#define RR_ENTRY(op) {#op, f_##op},
static const struct rr_op rr_ops[] = {RR_LIST(RR_ENTRY)};

static void test_rr(void) {
    for (unsigned k = 0; k < sizeof rr_ops / sizeof rr_ops[0]; k++) {
        unsigned long sum = 0;
        for (unsigned i = 0; i < NV; i++) {
            printf("%-6s %2u:", rr_ops[k].name, i);
            for (unsigned j = 0; j < NV; j++) {
                unsigned long r = rr_ops[k].fn(vals[i], vals[j]);
                sum = sum * 31 + r;
                printf(" %lx", r);
            }
            printf("\n");
        }
        printf("%-6s sum %016lx\n", rr_ops[k].name, sum);
    }
}

// Register-immediate forms, each with a handful of immediates.
#define RI(op, imm)                                                                     \
    do {                                                                                \
        printf("%-6s %5d:", #op, imm);                                                  \
        for (unsigned i = 0; i < NV; i++) {                                             \
            unsigned long r;                                                            \
            __asm__ volatile(#op " %0, %1, %2" : "=r"(r) : "r"(vals[i]), "i"(imm));     \
            printf(" %lx", r);                                                          \
        }                                                                               \
        printf("\n");                                                                   \
    } while (0)
#define RI_ARITH(op) RI(op, 0); RI(op, 1); RI(op, -1); RI(op, 2047); RI(op, -2048); RI(op, 0x555)
#define RI_SHIFT64(op) RI(op, 0); RI(op, 1); RI(op, 31); RI(op, 32); RI(op, 63)
#define RI_SHIFT32(op) RI(op, 0); RI(op, 1); RI(op, 16); RI(op, 31)

static void test_ri(void) {
    RI_ARITH(addi);
    RI_ARITH(slti);
    RI_ARITH(sltiu);
    RI_ARITH(xori);
    RI_ARITH(ori);
    RI_ARITH(andi);
    RI_ARITH(addiw);
    RI_SHIFT64(slli);
    RI_SHIFT64(srli);
    RI_SHIFT64(srai);
    RI_SHIFT32(slliw);
    RI_SHIFT32(srliw);
    RI_SHIFT32(sraiw);
}

#define LUI(imm)                                                                        \
    do {                                                                                \
        unsigned long r;                                                                \
        __asm__ volatile("lui %0, %1" : "=r"(r) : "i"(imm));                            \
        printf("lui %x: %lx\n", imm, r);                                                \
    } while (0)
#define AUIPC(imm)                                                                      \
    do {                                                                                \
        unsigned long r, pc;                                                            \
        __asm__ volatile("1: auipc %0, %2\n\tla %1, 1b" : "=r"(r), "=r"(pc) : "i"(imm)); \
        printf("auipc %x: pc%+ld\n", imm, (long)(r - pc));                              \
    } while (0)

static void test_upper(void) {
    LUI(0);
    LUI(1);
    LUI(0x7ffff);
    LUI(0x80000);
    LUI(0xfffff);
    LUI(0x12345);
    AUIPC(0);
    AUIPC(1);
    AUIPC(0x7ffff);
    AUIPC(0x80000);
    AUIPC(0xfffff);
}

// Branches: one bit per operand pair, set when taken.
#define BR(op)                                                                          \
    static unsigned f_##op(unsigned long a, unsigned long b) {                          \
        unsigned t = 0;                                                                 \
        __asm__ volatile(#op " %1, %2, 1f\n\tj 2f\n1:\tli %0, 1\n2:"                    \
                         : "+r"(t) : "r"(a), "r"(b));                                   \
        return t;                                                                       \
    }
BR(beq) BR(bne) BR(blt) BR(bge) BR(bltu) BR(bgeu)

static void test_branches(void) {
    static const struct {
        const char *name;
        unsigned (*fn)(unsigned long, unsigned long);
    } ops[] = {{"beq", f_beq}, {"bne", f_bne}, {"blt", f_blt}, {"bge", f_bge}, {"bltu", f_bltu}, {"bgeu", f_bgeu}};
    for (unsigned k = 0; k < 6; k++) {
        for (unsigned i = 0; i < NV; i++) {
            unsigned long bits = 0;
            for (unsigned j = 0; j < NV; j++) bits |= (unsigned long)ops[k].fn(vals[i], vals[j]) << j;
            printf("%-5s %2u: %05lx\n", ops[k].name, i, bits);
        }
    }
}

static void test_jumps(void) {
    unsigned long link, target, base;
    // jal: link = address of the next instruction.
    __asm__ volatile("jal %0, 1f\n1:\tla %1, 1b" : "=r"(link), "=r"(target));
    printf("jal link-next: %ld\n", (long)(link - target));
    // jalr clears bit 0 of the target; link is pc + 4.
    __asm__ volatile("la %2, 1f\n\taddi %2, %2, 1\n\tjalr %0, 0(%2)\n\tnop\n1:\tla %1, 1b"
                     : "=r"(link), "=r"(target), "=&r"(base));
    printf("jalr odd target: link %ld before the landing label\n", (long)(target - link));
    // jalr with rd == rs1: the target uses the old value.
    __asm__ volatile("la %0, 1f\n\tjalr %0, 0(%0)\n\tnop\n1:\tla %1, 1b" : "=&r"(link), "=r"(target));
    printf("jalr rd=rs1: link %ld before label\n", (long)(target - link));
    // Writes to x0 are discarded.
    unsigned long z;
    __asm__ volatile("addi x0, x0, 5\n\tmv %0, x0" : "=r"(z));
    printf("x0 after addi x0: %lx\n", z);
}

int main(void) {
    test_rr();
    test_ri();
    test_upper();
    test_branches();
    test_jumps();
    printf("alu done\n");
    return 0;
}
