// Matrix multiply in the spirit of CoreMark's matrix kernel: a 32 x 32
// integer product every iteration, folded into the checksum and fed back
// into one operand so no iteration repeats the last. Multiplies, loads and
// nested loops.
#include "bench.h"

#define MAT_N 32
// About 1e9 instructions (clang 14, -O2) per BENCH_SCALE.
#define MATRIX_ITERS (3450u * BENCH_SCALE)

static uint32_t a[MAT_N][MAT_N], b[MAT_N][MAT_N], c[MAT_N][MAT_N];

static void multiply(void) {
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            uint32_t s = 0;
            for (int k = 0; k < MAT_N; k++) s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

int main(void) {
    uint32_t seed = 0x6b43a9b5u;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            seed = seed * 1664525u + 1013904223u;
            a[i][j] = seed >> 16;
            seed = seed * 1664525u + 1013904223u;
            b[i][j] = seed >> 16;
        }
    uint64_t sum = 0;
    uint32_t iters = OPAQUE(MATRIX_ITERS);
    for (uint32_t it = 0; it < iters; it++) {
        multiply();
        uint32_t fold = 0;
        for (int i = 0; i < MAT_N; i++)
            for (int j = 0; j < MAT_N; j++) {
                fold = (fold << 1 | fold >> 31) ^ c[i][j];
                a[i][j] = (a[i][j] + (c[i][j] >> 16) + it) & 0xffff;
            }
        sum = bench_mix(sum, fold);
    }
    bench_report("matrix", sum);
    return 0;
}
