/* Smoke guest: sleeps in WFI until the CLINT timer fires (the machine
   skips idle time), three times, then exits with status 0. */
#include "smoke.h"

int main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    if (hartid != 0) for (;;) __asm__ volatile("wfi");
    __asm__ volatile("csrs mie, %0" ::"r"(1ul << 7));   /* MTIE; mstatus.MIE stays 0 */
    for (int i = 0; i < 3; i++) {
        uint64_t now = mmio_r64(CLINT_BASE + 0xbff8);
        mmio_w64(CLINT_BASE + 0x4000, now + 10000000);   /* one second of model time */
        while (mmio_r64(CLINT_BASE + 0xbff8) < now + 10000000) __asm__ volatile("wfi");
        puts_uart("tick\n");
    }
    exit_guest(0);
}
