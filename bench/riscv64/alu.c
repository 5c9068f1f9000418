// The ALU loop: a tight loop of register-only integer instructions, 8 per
// iteration (6 ALU operations, the counter's addi and the bnez back edge).
// Written in assembly so the instruction count does not depend on the
// compiler: about 1e9 instructions per BENCH_SCALE.
#include "bench.h"

#define ALU_ITERS (125000000ull * BENCH_SCALE)

int main(void) {
    uint64_t n = OPAQUE(ALU_ITERS);
    uint64_t a = 1, b = 0x9e3779b97f4a7c15ull, t, c;
    __asm__ volatile(
        "1:\n"
        "add   %[a], %[a], %[b]\n"
        "xor   %[b], %[b], %[a]\n"
        "slli  %[t], %[a], 13\n"
        "srli  %[c], %[b], 7\n"
        "xor   %[a], %[a], %[t]\n"
        "add   %[b], %[b], %[c]\n"
        "addi  %[n], %[n], -1\n"
        "bnez  %[n], 1b\n"
        : [n] "+r"(n), [a] "+r"(a), [b] "+r"(b), [t] "=&r"(t), [c] "=&r"(c));
    bench_report("alu", a ^ b);
    return 0;
}
