// The benchmark runtime's C half: UART output, checksum report, trap report.
#include "bench.h"

#define UART0_BASE 0x10000000ul

// 16550: THR at +0, LSR at +5 (bit 5: THR empty).
static void bench_putc(char c) {
    volatile uint8_t *uart = (volatile uint8_t *)UART0_BASE;
    while ((uart[5] & 0x20) == 0) {
    }
    uart[0] = (uint8_t)c;
}

void bench_puts(const char *s) {
    while (*s) bench_putc(*s++);
}

void bench_put_hex(uint64_t v) {
    bench_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4) bench_putc("0123456789abcdef"[(v >> shift) & 15]);
}

void bench_put_dec(uint64_t v) {
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) bench_putc(buf[--n]);
}

void bench_report(const char *name, uint64_t checksum) {
    bench_puts(name);
    bench_puts(": checksum ");
    bench_put_hex(checksum);
    bench_puts("\n");
}

void bench_fail(const char *name, const char *what) {
    bench_puts(name);
    bench_puts(": FAILED ");
    bench_puts(what);
    bench_puts("\n");
    bench_exit(1);
}

// Called by crt0's trap vector; crt0 then exits with status 3.
void bench_trap_report(void) {
    uint64_t cause, epc, tval;
    __asm__ volatile("csrr %0, mcause" : "=r"(cause));
    __asm__ volatile("csrr %0, mepc" : "=r"(epc));
    __asm__ volatile("csrr %0, mtval" : "=r"(tval));
    bench_puts("unexpected trap: mcause=");
    bench_put_hex(cause);
    bench_puts(" mepc=");
    bench_put_hex(epc);
    bench_puts(" mtval=");
    bench_put_hex(tval);
    bench_puts("\n");
}

void *memset(void *d, int c, size_t n) {
    uint8_t *p = d;
    while (n--) *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n) {
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}
