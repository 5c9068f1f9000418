// What every benchmark program shares: output over the 16550 UART, the
// checksum report, exit, and the build-time scale of the iteration counts.
#pragma once
#include <stddef.h>
#include <stdint.h>

// Every program's iteration count is multiplied by this (set by the build).
#ifndef BENCH_SCALE
#define BENCH_SCALE 1
#endif

void bench_puts(const char *s);
void bench_put_hex(uint64_t v);
void bench_put_dec(uint64_t v);
// Prints "<name>: checksum 0x<16 hex digits>", the line the bench script
// compares between emulators.
void bench_report(const char *name, uint64_t checksum);
// Prints "<name>: FAILED <what>" and exits with status 1 (a self-check).
_Noreturn void bench_fail(const char *name, const char *what);
_Noreturn void bench_exit(int code);

// An opaque copy of v: the compiler cannot fold or hoist work through it.
#define OPAQUE(v) ({ __typeof__(v) __o = (v); __asm__ volatile("" : "+r"(__o)); __o; })

// A 64-bit mix step for checksums (odd multiplier, xor-shift).
static inline uint64_t bench_mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

// Freestanding replacements the compiler may call.
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
