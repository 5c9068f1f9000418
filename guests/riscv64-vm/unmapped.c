// unmapped: a load and a store to a guest-physical address where there is
// neither RAM nor a device. By default hvemu stops the VM there, naming
// the address, the access and the guest PC; with `--unmapped-access fault`
// the guest takes a load (5) and a store (7) access fault and goes on.
// The assembler compresses both accesses (c.lw, c.sd): the exits advance
// the PC by 2.
#include "rt/vm.h"

#define HOLE 0x40000000ul

static volatile unsigned long faults;

static void on_fault(struct vm_frame *f, unsigned long cause, unsigned long tval) {
    (void)f;
    faults++;
    printf("access fault: scause %lu, stval %lx\n", cause, tval);
    unsigned long epc = csr_read(sepc);
    csr_write(sepc, epc + vm_insn_len(epc));
}

int main(unsigned long hartid, unsigned long dtb) {
    (void)hartid;
    (void)dtb;
    vm_set_exc_handler(on_fault);
    printf("loading from %lx\n", HOLE);
    register unsigned long addr __asm__("a0") = HOLE;
    register unsigned long val __asm__("a5") = 0;
    __asm__ volatile("lw a5, 0(a0)" : "+r"(val) : "r"(addr) : "memory");
    printf("storing to %lx\n", HOLE + 8);
    __asm__ volatile("sd a5, 8(a0)" :: "r"(addr), "r"(val) : "memory");
    printf("survived %lu faults\n", faults);
    vm_exit(0);
}
