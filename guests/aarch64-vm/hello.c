// hello: greets over the PL011 and reports where it runs (EL1, MPIDR) and
// the PSCI version its hypervisor (or the machine) offers.
#include "rt/vm.h"

int main(void) {
    unsigned el = current_el();
    uint64_t mpidr = sysreg_read(mpidr_el1);
    long ver = psci_call(PSCI_VERSION, 0, 0, 0);
    printf("Hello from an AArch64 VM guest.\n");
    printf("CurrentEL = EL%u, MPIDR_EL1 = %016lx\n", el, mpidr);
    printf("PSCI version %ld.%ld\n", (ver >> 16) & 0xffff, ver & 0xffff);
    CHECK_EQ("CurrentEL", el, 1);
    CHECK_EQ("MPIDR Aff0", mpidr & 0xff, 0);
    vm_check(ver >= 0x10000, "PSCI version %lx: want 1.0 or later", ver);
    vm_verdict("hello");
}
