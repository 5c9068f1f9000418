// The load/store loop: 2 loads and 2 stores per iteration (8 instructions),
// on a data page of its own, so neither emulator sees a store to a page that
// holds code. Written in assembly so the instruction count does not depend
// on the compiler: about 1e9 instructions per BENCH_SCALE.
#include "bench.h"

#define LOADSTORE_ITERS (125000000ull * BENCH_SCALE)

static uint64_t data[512] __attribute__((aligned(4096)));

int main(void) {
    uint64_t n = OPAQUE(LOADSTORE_ITERS);
    uint64_t *p = data;
    uint64_t t0, t1;
    p[0] = 1;
    p[1] = 0x9e3779b97f4a7c15ull;
    __asm__ volatile(
        "1:\n"
        "ld    %[t0], 0(%[p])\n"
        "ld    %[t1], 8(%[p])\n"
        "add   %[t0], %[t0], %[t1]\n"
        "xor   %[t1], %[t1], %[n]\n"
        "sd    %[t0], 8(%[p])\n"
        "sd    %[t1], 0(%[p])\n"
        "addi  %[n], %[n], -1\n"
        "bnez  %[n], 1b\n"
        : [n] "+r"(n), [t0] "=&r"(t0), [t1] "=&r"(t1)
        : [p] "r"(p)
        : "memory");
    bench_report("loadstore", p[0] ^ (p[1] << 1));
    return 0;
}
