// CRC in the spirit of CoreMark's CRC use: CRC-32 (IEEE, reflected) of a
// 2 KiB buffer computed bit by bit and with a 256-entry table, which must
// agree, plus a bitwise CRC-16/CCITT of part of it. Shifts, masks, byte
// loads and table lookups. The buffer changes every iteration.
#include "bench.h"

#define CRC_LEN 2048
#define CRC16_LEN 512
// About 1e9 instructions (clang 14, -O2) per BENCH_SCALE.
#define CRC_ITERS (7300u * BENCH_SCALE)

static uint8_t buf[CRC_LEN];
static uint32_t table[256];

static uint32_t crc32_bitwise(const uint8_t *p, uint32_t n) {
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static void crc32_make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        table[i] = crc;
    }
}

static uint32_t crc32_table(const uint8_t *p, uint32_t n) {
    uint32_t crc = 0xffffffffu;
    while (n--) crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
    return ~crc;
}

// CRC-16/CCITT-FALSE: polynomial 0x1021, not reflected, initial 0xffff.
static uint16_t crc16_bitwise(const uint8_t *p, uint32_t n) {
    uint16_t crc = 0xffff;
    while (n--) {
        crc ^= (uint16_t)(*p++ << 8);
        for (int k = 0; k < 8; k++) crc = (uint16_t)((crc << 1) ^ (0x1021 & -(crc >> 15)));
    }
    return crc;
}

int main(void) {
    static const uint8_t check[] = "123456789";
    crc32_make_table();
    // The catalogued check values of both CRCs.
    if (crc32_bitwise(check, 9) != 0xcbf43926u || crc32_table(check, 9) != 0xcbf43926u)
        bench_fail("crc", "CRC-32 check value");
    if (crc16_bitwise(check, 9) != 0x29b1) bench_fail("crc", "CRC-16 check value");

    uint32_t seed = 0x9b1d2f37u;
    for (int i = 0; i < CRC_LEN; i++) {
        seed = seed * 1664525u + 1013904223u;
        buf[i] = (uint8_t)(seed >> 24);
    }
    uint64_t sum = 0;
    uint32_t iters = OPAQUE(CRC_ITERS);
    for (uint32_t it = 0; it < iters; it++) {
        buf[(it * 131u) % CRC_LEN] ^= (uint8_t)(it + 1);
        uint32_t x = crc32_bitwise(buf, CRC_LEN);
        if (x != crc32_table(buf, CRC_LEN)) bench_fail("crc", "bitwise and table CRC-32 differ");
        uint16_t y = crc16_bitwise(buf + (it % (CRC_LEN - CRC16_LEN)), CRC16_LEN);
        sum = bench_mix(sum, (uint64_t)x << 16 | y);
    }
    bench_report("crc", sum);
    return 0;
}
