// The demo: where it runs (CPUID vendor, family/model, features), the
// control registers and EFER the runtime set up for long mode, and what
// the loader passed (the multiboot magic).
#include "rt/rt.h"

static void vendor(char out[13]) {
    struct cpuid_regs r = cpuid(0, 0);
    uint32_t w[3] = {r.b, r.d, r.c};
    for (int i = 0; i < 12; i++) out[i] = (char)(w[i / 4] >> (8 * (i % 4)));
    out[12] = 0;
}

int main(void) {
    char v[13];
    vendor(v);
    struct cpuid_regs r1 = cpuid(1, 0);
    unsigned family = (r1.a >> 8) & 0xf;
    if (family == 0xf) family += (r1.a >> 20) & 0xff;
    uint64_t cr0 = read_cr(0), cr4 = read_cr(4), efer = rdmsr(MSR_EFER);
    printf("Hello from a bare-metal x86-64 guest.\n");
    // The model number and most feature bits differ between CPU models;
    // these are the ones every machine the guests run on has.
    printf("CPUID vendor: %s, family %u\n", v, family);
    printf("features: long mode %s, VMX %s, APIC %s\n", cpuid(0x80000001, 0).d & (1u << 29) ? "yes" : "no",
           r1.c & (1u << 5) ? "yes" : "no", r1.d & (1u << 9) ? "yes" : "no");
    printf("multiboot magic: %x\n", rt_boot_magic);
    // Not the whole CR0: CD and NW are what the firmware left (the loader
    // does not define them).
    printf("CR0: PE %lu, PG %lu, WP %lu, NE %lu\n", cr0 & CR0_PE, (cr0 >> 31) & 1, (cr0 >> 16) & 1, (cr0 >> 5) & 1);
    printf("CR4.PAE = %lu, EFER = %lx (LME %lu, LMA %lu, NXE %lu)\n", (cr4 >> 5) & 1, efer & 0xd01,
           (efer >> 8) & 1, (efer >> 10) & 1, (efer >> 11) & 1);
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    printf("CS = %x, running at %p\n", cs, (void *)main);
    CHECK_EQ("multiboot magic", rt_boot_magic, 0x2badb002);
    CHECK_EQ("CR0.PG|PE", cr0 & (CR0_PG | CR0_PE), CR0_PG | CR0_PE);
    CHECK_EQ("EFER.LMA", efer & EFER_LMA, EFER_LMA);
    CHECK_EQ("CS", cs, SEL_CODE64);
    rt_verdict("hello");
}
