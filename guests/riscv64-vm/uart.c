// uart: the console is the 16550 at 0x10000000, driven by byte loads and
// stores (each one a VM exit under a hypervisor). The scratch register
// checks that a signed byte load (lb) is sign-extended and an unsigned one
// (lbu) is not: the register and signedness are fixed by the assembly.
#include "rt/vm.h"

#define UART_LCR 3
#define UART_SCR 7

int main(unsigned long hartid, unsigned long dtb) {
    (void)hartid;
    (void)dtb;
    vm_set_console(VM_CONSOLE_UART);
    printf("hello over the UART\n");

    register unsigned long base __asm__("a0") = VM_UART_BASE;
    register long sval __asm__("a5");
    register unsigned long uval __asm__("a4");
    register unsigned long wv __asm__("a3") = 0xa5;
    __asm__ volatile("sb a3, 7(a0)\n\t"
                     "lb a5, 7(a0)\n\t"
                     "lbu a4, 7(a0)"
                     : "=r"(sval), "=r"(uval)
                     : "r"(base), "r"(wv)
                     : "memory");
    printf("scratch register: lb %ld, lbu %lu\n", sval, uval);

    mmio_w8(VM_UART_BASE + UART_LCR, 0x03);
    printf("line control: %x\n", mmio_r8(VM_UART_BASE + UART_LCR));
    printf("done\n");
    vm_exit(0);
}
