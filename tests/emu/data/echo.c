/* Smoke guest: echoes UART input in upper case until 'q' or end of input
   is seen; interrupt driven (UART -> PLIC source 10 -> MEI, taken with
   WFI and mstatus.MIE = 0), so it also exercises idle waiting for input. */
#include "smoke.h"

#define PLIC_BASE 0xc000000ul

int main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    if (hartid != 0) for (;;) __asm__ volatile("wfi");
    mmio_w32(PLIC_BASE + 4 * 10, 1);          /* priority of the UART */
    mmio_w32(PLIC_BASE + 0x2000, 1u << 10);   /* context 0 (hart 0, M) */
    mmio_w8(UART_BASE + 1, 1);                /* IER.ERBFI */
    __asm__ volatile("csrs mie, %0" ::"r"(1ul << 11));
    for (;;) {
        __asm__ volatile("wfi");
        uint32_t id = mmio_r32(PLIC_BASE + 0x200004);
        while (mmio_r8(UART_BASE + 5) & 1) {
            char c = (char)mmio_r8(UART_BASE);
            if (c == 'q') exit_guest(0);
            putc_uart(c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
        }
        if (id) mmio_w32(PLIC_BASE + 0x200004, id);
    }
}
