// CPUID and MSR accesses, which a VMM sees as VM exits (CPUID always,
// RDMSR/WRMSR unless its MSR bitmap lets them through): values that are
// architectural whoever answers, and a #GP for an MSR that does not exist.
#include "vm.h"

static volatile unsigned gp_count;
static void on_gp(struct rt_frame *f) {
    gp_count++;
    f->rip += 2;   // rdmsr/wrmsr are 2 bytes
}

int main(void) {
    rt_set_handler(13, on_gp);
    struct cpuid_regs r0 = cpuid(0, 0), r1 = cpuid(1, 0), e0 = cpuid(0x80000000, 0), e1 = cpuid(0x80000001, 0);
    printf("CPUID: max leaf >= 1: %s, extended max >= 0x80000001: %s\n", r0.a >= 1 ? "yes" : "no",
           e0.a >= 0x80000001 ? "yes" : "no");
    printf("CPUID.1: APIC %u, MSR %u, TSC %u, PAE %u; long mode %u, NX %u\n", (r1.d >> 9) & 1, (r1.d >> 5) & 1,
           (r1.d >> 4) & 1, (r1.d >> 6) & 1, (e1.d >> 29) & 1, (e1.d >> 20) & 1);
    printf("initial APIC ID of CPU 0: %u\n", r1.b >> 24);
    uint64_t efer = rdmsr(MSR_EFER);
    printf("EFER: LME %lu, LMA %lu, NXE %lu\n", (efer >> 8) & 1, (efer >> 10) & 1, (efer >> 11) & 1);
    uint64_t apic = rdmsr(MSR_APIC_BASE);
    printf("APIC base: %lx, BSP %lu\n", apic & ~0xffful, (apic >> 8) & 1);
    wrmsr(MSR_FS_BASE, 0x123456789000ul);
    printf("FS_BASE written and read back: %lx\n", rdmsr(MSR_FS_BASE));
    wrmsr(MSR_FS_BASE, 0);
    __asm__ volatile("rdmsr" :: "c"(0x4b564dfful) : "rax", "rdx");
    printf("rdmsr of an MSR that does not exist: %u #GP\n", gp_count);
    CHECK_EQ("#GP", gp_count, 1);
    CHECK_EQ("APIC base", apic & ~0xffful, LAPIC_BASE);
    rt_verdict("cpuid_msr");
}
