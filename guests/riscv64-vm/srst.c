// srst: ends the VM with SBI system reset (shutdown) and a vendor reason
// that hvemu's VMM turns into the exit status (0xF0000000 + 3: status 3).
#include "rt/vm.h"

int main(unsigned long hartid, unsigned long dtb) {
    (void)hartid;
    (void)dtb;
    printf("shutting down with exit status 3\n");
    vm_exit(3);
}
