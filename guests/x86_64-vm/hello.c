// The hosted-VM demo: under hvemu's VMM the vCPU started in real mode at
// the reset vector (EAX = 0 at the 32-bit entry); under a multiboot loader
// it started in protected mode (EAX = the multiboot magic). Either way it
// runs in long mode now and prints over the 16550 at 0x3f8.
#include "vm.h"

int main(void) {
    const char *how = rt_boot_magic == 0x2badb002 ? "a multiboot loader" : rt_boot_magic == 0 ? "the reset vector" : "?";
    printf("Hello from an x86-64 VM guest.\n");
    printf("entered through %s\n", how);
    uint64_t efer = rdmsr(MSR_EFER);
    printf("long mode: EFER.LMA %lu, CR0.PG %lu\n", (efer >> 10) & 1, (read_cr(0) >> 31) & 1);
    CHECK_EQ("EFER.LMA", (efer >> 10) & 1, 1);
    rt_check(rt_boot_magic == 0x2badb002 || rt_boot_magic == 0, "entry EAX %x", rt_boot_magic);
    rt_verdict("hello");
}
