// vmexit: the cost of virtualization events as the guest sees them, in the
// spirit of kvm-unit-tests' vmexit test: each event bracketed by
// LFENCE; RDTSC ... LFENCE; RDTSC, averaged over many rounds, in TSC
// cycles per event (the TSC counts core cycles):
//   empty      the bracket alone (what every other row includes)
//   vmcall     a VMCALL the hypervisor answers "unknown" (RAX = -1), round trip
//   io         IN from the 16550's LSR (port 0x3fd): an I/O exit to the VMM
//   mmio       a load of the local APIC's version register: an EPT
//              violation the VMM decodes and emulates
//   cpuid      CPUID leaf 0 (an exit the hypervisor serves)
//   tlb_miss   one load per 4 KiB page over 8 MiB (2,048 pages, more than
//              the TLB holds): a page walk per access, nested under EPT
// Without a hypervisor (VMCALL is #UD) the rows measure bare hardware.
#include "vm.h"

#define ROUNDS 1000
#define WALK_BASE 0x1000000ul     // 16 MiB: four 2 MiB regions split into 4 KiB pages
#define WALK_PAGES 2048u
#define WALK_ROUNDS 8

static inline uint64_t tsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
    return (uint64_t)hi << 32 | lo;
}

static volatile int undefined_vmcall;
static void on_ud(struct rt_frame *f) {
    undefined_vmcall = 1;
    f->rax = (uint64_t)-1;
    f->rip += 3;   // vmcall is 3 bytes
}

static inline uint64_t vmcall(uint64_t fn) {
    __asm__ volatile("vmcall" : "+a"(fn) :: "rbx", "rcx", "rdx", "memory");
    return fn;
}

static void report(const char *what, uint64_t total, unsigned n) {
    printf("vmexit: %s %lu cycles\n", what, (unsigned long)(total / n));
}

int main(void) {
    uint64_t t, total;
    rt_set_handler(6, on_ud);

    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        t = tsc();
        total += tsc() - t;
    }
    report("empty", total, ROUNDS);

    vmcall(0x42);   // warm: the #UD handler's pages, or the hypervisor's path
    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        t = tsc();
        vmcall(0x42);
        total += tsc() - t;
    }
    report("vmcall", total, ROUNDS);

    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        t = tsc();
        (void)inb(0x3fd);
        total += tsc() - t;
    }
    report("io", total, ROUNDS);

    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        t = tsc();
        (void)lapic_read(LAPIC_VERSION);
        total += tsc() - t;
    }
    report("mmio", total, ROUNDS);

    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        t = tsc();
        (void)cpuid(0, 0);
        total += tsc() - t;
    }
    report("cpuid", total, ROUNDS);

    // 4 KiB pages make a full-depth walk (4 levels; 24 references under
    // 4-level EPT before the walk caches help).
    for (uint64_t va = WALK_BASE; va < WALK_BASE + WALK_PAGES * 4096ul; va += 0x200000ul)
        rt_map_4k(va, va | PTE_P | PTE_W);
    volatile uint64_t *base = (volatile uint64_t *)WALK_BASE;
    uint64_t sum = 0;
    for (unsigned p = 0; p < WALK_PAGES; p++) sum += base[p * 512];   // first touch: A bits, EPT fills
    total = 0;
    for (unsigned r = 0; r < WALK_ROUNDS; r++) {
        t = tsc();
        for (unsigned p = 0; p < WALK_PAGES; p++) sum += base[p * 512];
        total += tsc() - t;
    }
    report("tlb_miss", total, WALK_ROUNDS * WALK_PAGES);
    (void)sum;

    if (undefined_vmcall) printf("no hypervisor: the rows measure bare hardware\n");
    printf("PASS: vmexit\n");
    rt_exit(0);
}
