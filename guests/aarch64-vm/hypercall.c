// hypercall (hvemu only): HVC with function ids outside PSCI, in the SMCCC
// vendor-specific hypervisor range (0xc6000000-0xc600ffff), which hvemu's
// VMM answers:
//   0xc6000042 (unknown): x0 = -1 (SMCCC NOT_SUPPORTED);
//   HVEMU_HC_PRINT 0xc6000001: x1 = guest-physical address, x2 = length;
//     the VMM prints the bytes; x0 = 0, x1 = the length;
//   HVEMU_HC_EXIT 0xc6000002: x1 = exit status; the VM ends.
// Elsewhere the guest says so and passes: QEMU's virt board without EL2
// answers every HVC as a PSCI call (NOT_SUPPORTED for these ids), and a
// machine with no HVC conduit at all makes the instruction undefined.
#include "rt/vm.h"

#define HC_UNKNOWN 0xc6000042ul
#define HVEMU_HC_PRINT 0xc6000001ul
#define HVEMU_HC_EXIT 0xc6000002ul

static volatile int undefined_hvc;
static void on_sync(struct vm_frame *f, uint64_t esr, uint64_t far) {
    (void)far;
    if (ESR_EC(esr) != 0) {
        printf("unexpected exception: ESR=%08lx ELR=%lx\n", esr, f->elr);
        vm_exit(99);
    }
    undefined_hvc = 1;
    f->x[0] = (uint64_t)-1;
    f->elr += 4;
}

static const char msg[] = "printed by the hvemu print hypercall\n";

int main(void) {
    vm_set_sync_handler(on_sync);
    struct smccc_res r = hvc_call(HC_UNKNOWN, 1, 2, 3);
    if (undefined_hvc) {
        printf("HVC is undefined here (no hypervisor): hvemu-only test skipped\n");
        vm_verdict("hypercall");
    }
    printf("hypercall 0xc6000042: x0 = %ld\n", r.a0);
    CHECK_EQ("unknown hypercall", r.a0, -1);
    r = hvc_call(HVEMU_HC_PRINT, (unsigned long)msg, sizeof(msg) - 1, 0);
    if (r.a0 == -1) {
        printf("the print hypercall is not supported (not hvemu's VMM): hvemu-only test skipped\n");
        vm_verdict("hypercall");
    }
    printf("print hypercall: x0 = %ld, x1 = %ld\n", r.a0, r.a1);
    CHECK_EQ("print status", r.a0, 0);
    CHECK_EQ("print length", r.a1, sizeof(msg) - 1);
    if (vm_failures) vm_verdict("hypercall");
    printf("PASS: hypercall\n");
    hvc_call(HVEMU_HC_EXIT, 0, 0, 0);
    printf("FAIL: hypercall: still running after the exit hypercall\n");
    vm_exit(1);
}
