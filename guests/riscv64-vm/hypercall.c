// hypercall: Axvisor's hypercall extension (EID 0x485643, nr = a6). An
// unknown number is refused with SBI_ERR_NOT_SUPPORTED; hvemu's own
// numbers print a guest buffer and end the VM with a status.
#include "rt/vm.h"

#define HVEMU_HC_PRINT 0x68760001ul   // a0 = guest-physical address, a1 = length
#define HVEMU_HC_EXIT 0x68760002ul    // a0 = exit status

static const char msg[] = "printed by the hvemu print hypercall\n";

int main(unsigned long hartid, unsigned long dtb) {
    (void)hartid;
    (void)dtb;
    struct sbiret r = sbi_call(SBI_EXT_AXVISOR, 0x42, 1, 2, 3, 4, 5, 6);
    printf("hypercall 0x42: error %ld\n", r.error);
    r = sbi_call(SBI_EXT_AXVISOR, HVEMU_HC_PRINT, (unsigned long)msg, sizeof(msg) - 1, 0, 0, 0, 0);
    printf("print hypercall: error %ld, value %ld\n", r.error, r.value);
    sbi_call(SBI_EXT_AXVISOR, HVEMU_HC_EXIT, 7, 0, 0, 0, 0, 0);
    printf("still running after the exit hypercall\n");
    vm_exit(1);
}
