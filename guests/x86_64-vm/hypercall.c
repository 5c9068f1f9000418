// hypercall (hvemu only): VMCALL with RAX = function, answered by hvemu's VMM:
//   RAX = 0x42 (unknown): RAX = -1;
//   HVEMU_HC_PRINT 1: RBX = guest-physical address, RCX = length; the VMM
//     prints the bytes; RAX = 0, RCX = the length;
//   HVEMU_HC_EXIT 2: RBX = exit status; the VM ends.
// Without a hypervisor VMCALL is #UD: the guest says so and passes (Bochs).
#include "vm.h"

#define HC_UNKNOWN 0x42ul
#define HVEMU_HC_PRINT 1ul
#define HVEMU_HC_EXIT 2ul

static volatile int undefined_vmcall;
static void on_ud(struct rt_frame *f) {
    undefined_vmcall = 1;
    f->rax = (uint64_t)-1;
    f->rip += 3;   // vmcall is 3 bytes
}

static uint64_t vmcall(uint64_t fn, uint64_t b, uint64_t *c) {
    __asm__ volatile("vmcall" : "+a"(fn), "+c"(*c) : "b"(b) : "memory");
    return fn;
}

static const char msg[] = "printed by the hvemu print hypercall\n";

int main(void) {
    rt_set_handler(6, on_ud);
    uint64_t c = 0;
    uint64_t r = vmcall(HC_UNKNOWN, 0, &c);
    if (undefined_vmcall) {
        printf("VMCALL is undefined here (no hypervisor): hvemu-only test skipped\n");
        rt_verdict("hypercall");
    }
    printf("hypercall 0x42: rax = %ld\n", (long)r);
    CHECK_EQ("unknown hypercall", r, -1);
    c = sizeof(msg) - 1;
    r = vmcall(HVEMU_HC_PRINT, (uint64_t)msg, &c);
    printf("print hypercall: rax = %lu, rcx = %lu\n", r, c);
    CHECK_EQ("print result", r, 0);
    CHECK_EQ("print length", c, sizeof(msg) - 1);
    if (rt_failures == 0) printf("PASS: hypercall\n");
    c = 0;
    vmcall(HVEMU_HC_EXIT, rt_failures ? 1 : 0, &c);
    rt_verdict("hypercall");   // not reached under hvemu
}
