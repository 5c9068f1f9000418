// Loads and stores of every width at every offset of a 16-byte window:
// sign and zero extension, byte order, misaligned accesses inside a page and
// across a page boundary (both QEMU and hvemu perform them; the spec allows
// that or a trap), and stores to x0-sourced values.
#include "common.h"

static uint8_t buf[8192] __attribute__((aligned(4096)));

#define LOAD(op, addr)                                                                  \
    ({                                                                                  \
        unsigned long __r;                                                              \
        __asm__ volatile(#op " %0, 0(%1)" : "=r"(__r) : "r"(addr) : "memory");          \
        __r;                                                                            \
    })
#define STORE(op, addr, v) __asm__ volatile(#op " %1, 0(%0)" :: "r"(addr), "r"(v) : "memory")

static void fill(uint8_t *p, unsigned n) {
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(0x81 + i * 0x1d);
}

static void dump(const uint8_t *p, unsigned n) {
    for (unsigned i = 0; i < n; i++) printf("%02x", p[i]);
}

static void test_loads(uint8_t *base, const char *where) {
    for (unsigned off = 0; off < 16; off++) {
        unsigned long a = (unsigned long)(base + off);
        printf("load %s+%2u: lb %lx lbu %lx lh %lx lhu %lx lw %lx lwu %lx ld %lx\n", where, off, LOAD(lb, a),
               LOAD(lbu, a), LOAD(lh, a), LOAD(lhu, a), LOAD(lw, a), LOAD(lwu, a), LOAD(ld, a));
    }
}

static void test_stores(uint8_t *base, const char *where) {
    const unsigned long v = OPAQUE(0x8899aabbccddeeffUL);
    for (unsigned off = 0; off < 16; off++) {
        unsigned long a = (unsigned long)(base + off);
        printf("store %s+%2u:", where, off);
        for (unsigned i = 0; i < 24; i++) base[i] = 0;
        STORE(sb, a, v);
        printf(" sb ");
        dump(base, 24);
        for (unsigned i = 0; i < 24; i++) base[i] = 0;
        STORE(sh, a, v);
        printf(" sh ");
        dump(base, 24);
        for (unsigned i = 0; i < 24; i++) base[i] = 0;
        STORE(sw, a, v);
        printf(" sw ");
        dump(base, 24);
        for (unsigned i = 0; i < 24; i++) base[i] = 0;
        STORE(sd, a, v);
        printf(" sd ");
        dump(base, 24);
        printf("\n");
    }
}

static void test_offsets(void) {
    fill(buf, 64);
    unsigned long mid = (unsigned long)(buf + 32);
    unsigned long r1, r2, r3, r4;
    __asm__ volatile("ld %0, -32(%4)\n\tld %1, 24(%4)\n\tlw %2, -4(%4)\n\tlbu %3, 31(%4)"
                     : "=r"(r1), "=r"(r2), "=r"(r3), "=r"(r4) : "r"(mid) : "memory");
    printf("offsets: %lx %lx %lx %lx\n", r1, r2, r3, r4);
    // Store of x0, and a load into x0 (no effect).
    __asm__ volatile("sd x0, 0(%0)\n\tld x0, 8(%0)" :: "r"(mid) : "memory");
    printf("after sd x0: ");
    dump(buf + 32, 16);
    printf("\n");
}

int main(void) {
    fill(buf, 64);
    test_loads(buf, "page");
    fill(buf + 4096 - 8, 16);
    test_loads(buf + 4096 - 8, "cross");
    test_stores(buf, "page");
    test_stores(buf + 4096 - 8, "cross");
    test_offsets();
    printf("loadstore done\n");
    return 0;
}
