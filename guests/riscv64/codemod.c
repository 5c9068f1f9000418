// Instruction fetch corner cases: a 32-bit instruction straddling a page
// boundary, 32-bit instructions at 2-byte alignment, and code rewritten at
// run time (stores to code, then FENCE.I), including rewriting a page that
// has already been executed and a store into the page being executed.
#include "common.h"

// cross_page_fn: c.nop at the last 4 bytes of a page, then a 32-bit addi
// whose halves lie on two pages. halfaligned_fn: 32-bit instructions at
// addresses that are 2 mod 4.
__asm__(".pushsection .text.codemod, \"ax\"\n"
        ".balign 4096\n"
        ".skip 4092\n"
        ".globl cross_page_fn\n"
        "cross_page_fn:\n"
        "  c.nop\n"
        "  .option push\n"
        "  .option norvc\n"
        "  addi a0, a0, 0x123\n"
        "  .option pop\n"
        "  ret\n"
        ".balign 4\n"
        ".globl halfaligned_fn\n"
        "halfaligned_fn:\n"
        "  c.nop\n"
        "  .option push\n"
        "  .option norvc\n"
        "  addi a0, a0, 1\n"
        "  slli a0, a0, 2\n"
        "  .option pop\n"
        "  c.addi a0, 3\n"
        "  ret\n"
        ".popsection\n");
unsigned long cross_page_fn(unsigned long);
unsigned long halfaligned_fn(unsigned long);

// Writable code buffer (RAM is RWX for M-mode).
static uint32_t code[2048] __attribute__((aligned(4096)));

#define ADDI_A0(imm) (0x00050513u | ((uint32_t)(imm) << 20))   // addi a0, a0, imm
#define RET 0x00008067u                                          // jalr x0, 0(ra)

static unsigned long run_code(unsigned long arg) {
    unsigned long (*fn)(unsigned long) = (unsigned long (*)(unsigned long))(void *)code;
    return fn(arg);
}

static void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

// Executes `sw t1, 0(t0)` with t0 = the address of the following
// instruction, which is initially `addi a0, a0, 1`; t1 holds `addi a0,a0,100`.
// Whether the store is seen without a FENCE.I is not specified, so a FENCE.I
// follows the store in the same page before the patched instruction runs.
static void build_self_patch(void) {
    uint32_t *p = code + 512;   // second page of the buffer
    unsigned i = 0;
    p[i++] = 0x00000297u;       // auipc t0, 0
    p[i++] = 0x01028293u;       // addi t0, t0, 16  -> the patched slot
    p[i++] = 0x0062a023u;       // sw t1, 0(t0)
    p[i++] = 0x0000100fu;       // fence.i
    p[i++] = ADDI_A0(1);        // patched slot
    p[i++] = RET;
    fence_i();
}

int main(void) {
    printf("cross page: %lx\n", cross_page_fn(OPAQUE(0x1000ul)));
    printf("half aligned: %lx\n", halfaligned_fn(OPAQUE(5ul)));

    // Write, FENCE.I, run; rewrite the same code, FENCE.I, run again.
    code[0] = ADDI_A0(5);
    code[1] = RET;
    fence_i();
    printf("generated 1: %lu\n", run_code(10));
    for (int k = 0; k < 3; k++) {
        code[0] = ADDI_A0(100 + k);
        fence_i();
        printf("generated rewrite %d: %lu\n", k, run_code(10));
    }
    // A longer function: a loop of additions, then one instruction patched.
    unsigned i = 0;
    for (int k = 1; k <= 20; k++) code[i++] = ADDI_A0(k);
    code[i++] = RET;
    fence_i();
    printf("generated 20 adds: %lu\n", run_code(0));
    code[7] = ADDI_A0(-1000);
    fence_i();
    printf("patched 8th add: %ld\n", (long)run_code(0));
    // Overwrite an instruction with a compressed pair (c.addi a0,1; c.addi a0,2).
    code[7] = 0x0505u | (0x0509u << 16);
    fence_i();
    printf("patched compressed pair: %ld\n", (long)run_code(0));

    // Code that stores into itself.
    build_self_patch();
    register unsigned long a0 __asm__("a0") = 0;
    register unsigned long t1 __asm__("t1") = ADDI_A0(100);
    __asm__ volatile("jalr ra, 0(%2)" : "+r"(a0) : "r"(t1), "r"(code + 512) : "ra", "t0", "memory");
    printf("self patch: %lu\n", a0);
    // Run it again: the patched instruction stays patched.
    a0 = 0;
    __asm__ volatile("jalr ra, 0(%2)" : "+r"(a0) : "r"(t1), "r"(code + 512) : "ra", "t0", "memory");
    printf("self patch again: %lu\n", a0);
    printf("codemod done\n");
    return 0;
}
