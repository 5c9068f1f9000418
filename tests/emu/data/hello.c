/* Smoke guest: prints over the UART, checks that a1 holds a device tree,
   reads mtime, and exits through sifive_test with status 0. */
#include "smoke.h"

int main(unsigned long hartid, unsigned long dtb) {
    puts_uart("hello from hart ");
    put_dec(hartid);
    puts_uart("\n");
    /* The FDT magic is big-endian 0xd00dfeed. */
    const uint8_t *p = (const uint8_t *)dtb;
    uint32_t magic = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    puts_uart(magic == 0xd00dfeed ? "dtb ok\n" : "dtb missing\n");
    uint64_t t0 = mmio_r64(CLINT_BASE + 0xbff8);
    for (volatile int i = 0; i < 1000; i++) {}
    uint64_t t1 = mmio_r64(CLINT_BASE + 0xbff8);
    puts_uart(t1 > t0 ? "mtime advances\n" : "mtime stuck\n");
    exit_guest(magic == 0xd00dfeed && t1 > t0 ? 0 : 1);
}
