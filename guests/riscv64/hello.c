// The demo guest: greets, reports what the hart says about itself (misa),
// then uses the H extension: it runs a function as a virtual machine (VS-mode,
// both translation stages off) that prints, and tries to read a hypervisor
// CSR; the virtual-instruction exception comes back to M-mode.
#include "common.h"

static const char *const names[26] = {
    ['A' - 'A'] = "atomics", ['C' - 'A'] = "compressed", ['D' - 'A'] = "double", ['F' - 'A'] = "float",
    ['H' - 'A'] = "hypervisor", ['I' - 'A'] = "integer", ['M' - 'A'] = "mul/div", ['S' - 'A'] = "supervisor",
    ['U' - 'A'] = "user",
};

static unsigned long in_the_vm(unsigned long n) {
    printf("  [VS-mode] hello from inside the virtual machine, %lu + %lu = %lu\n", n, n, n + n);
    unsigned long s = csr_read(sstatus);   // the guest's sstatus is vsstatus
    printf("  [VS-mode] my sstatus.SPP is %lu; now reading hstatus, which I may not...\n", (s >> 8) & 1);
    (void)csr_read(hstatus);
    printf("  [VS-mode] back after the hypervisor (M-mode) skipped that instruction\n");
    return 42;
}

int main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    catch_install();
    unsigned long misa = csr_read(misa);
    printf("Hello from a bare-metal RISC-V guest on hart %lu.\n", hartid);
    printf("misa = %016lx: RV%d", misa, (misa >> 62) == 2 ? 64 : 32);
    for (int i = 0; i < 26; i++)
        if (misa & (1ul << i)) printf("%c", 'A' + i);
    printf("\n");
    for (int i = 0; i < 26; i++)
        if ((misa & (1ul << i)) && names[i]) printf("  %c: %s\n", 'A' + i, names[i]);
    if (!(misa & (1ul << ('H' - 'A')))) {
        printf("No H extension: no virtual machine today.\n");
        return 0;
    }
    printf("Entering VS-mode (hgatp and vsatp Bare)...\n");
    csr_write(hgatp, 0);
    csr_write(vsatp, 0);
    csr_write(vsstatus, 1ul << 8);   // SPP = S
    unsigned long r = rt_enter(RT_MODE_VS, in_the_vm, 20);
    printf("Back in M-mode: the VM returned %lu.\n", r);
    printf("It trapped %lu time(s): cause %lu (virtual instruction), instruction %08lx (csrr hstatus).\n",
           trap_m.count, trap_m.cause, trap_m.tval);
    printf("Bye.\n");
    return 0;
}
