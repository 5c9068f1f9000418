/* The tiny runtime of the smoke guests: the QEMU virt UART, the
   sifive_test finisher and the CLINT, as the riscv64-virt machine maps them. */
#ifndef SMOKE_H
#define SMOKE_H
#include <stdint.h>

#define UART_BASE 0x10000000ul
#define TEST_BASE 0x100000ul
#define CLINT_BASE 0x2000000ul

static inline void mmio_w8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline uint8_t mmio_r8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline void mmio_w32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void mmio_w64(unsigned long a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint64_t mmio_r64(unsigned long a) { return *(volatile uint64_t *)a; }

static inline void putc_uart(char c) {
    while (!(mmio_r8(UART_BASE + 5) & 0x20)) {}
    mmio_w8(UART_BASE, (uint8_t)c);
}
static inline void puts_uart(const char *s) {
    while (*s) putc_uart(*s++);
}
static inline void put_hex(uint64_t v) {
    puts_uart("0x");
    for (int i = 60; i >= 0; i -= 4) putc_uart("0123456789abcdef"[(v >> i) & 15]);
}
static inline void put_dec(uint64_t v) {
    char buf[24];
    int n = 0;
    do { buf[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) putc_uart(buf[--n]);
}
static inline __attribute__((noreturn)) void exit_guest(uint32_t code) {
    mmio_w32(TEST_BASE, code ? (code << 16) | 0x3333 : 0x5555);
    for (;;) {}
}
#endif
