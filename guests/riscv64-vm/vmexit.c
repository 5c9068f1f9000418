// vmexit: the cost of virtualization events as the guest sees them, in the
// spirit of kvm-unit-tests' vmexit test, measured with the guest's own
// cycle counter (rdcycle) and averaged over many rounds:
//   hypercall      an SBI call to the hypervisor's extension, round trip
//   mmio           a load from an emulated device register (the UART's LSR)
//   ipi            an IPI to this hart through SBI, until its handler ran
//   irq_complete   completing the virtual software interrupt (clearing SSIP)
//   tlb_walk       a load from a page the TLB does not hold: 512 distinct
//                  4 KiB pages of an Sv48 mapping, touched round-robin
// Under hvemu the numbers come from the timing profile (--timing).
#include "rt/vm.h"

#define ROUNDS 200

static inline unsigned long rdcycle(void) {
    unsigned long c;
    __asm__ volatile("rdcycle %0" : "=r"(c)::"memory");
    return c;
}

static void report(const char *what, unsigned long total, unsigned long n) {
    printf("vmexit: %-12s %6lu cycles\n", what, (total + n / 2) / n);
}

// ---- hypercall: Axvisor's extension, a number the VMM answers "not supported".
static unsigned long bench_hypercall(void) {
    unsigned long total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        register unsigned long a0 __asm__("a0") = 0;
        register unsigned long a6 __asm__("a6") = 0x42;
        register unsigned long a7 __asm__("a7") = SBI_EXT_AXVISOR;
        const unsigned long t0 = rdcycle();
        __asm__ volatile("ecall" : "+r"(a0), "+r"(a6), "+r"(a7)::"a1", "memory");
        total += rdcycle() - t0;
    }
    return total;
}

// ---- mmio: the UART's line status register.
static unsigned long bench_mmio(void) {
    unsigned long total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        const unsigned long t0 = rdcycle();
        (void)mmio_r8(VM_UART_BASE + 5);
        total += rdcycle() - t0;
    }
    return total;
}

// ---- ipi and irq_complete: a self-IPI; the handler times its completion.
static volatile unsigned long ipis, complete_cycles;

static void on_ipi(struct vm_frame *f) {
    (void)f;
    const unsigned long t0 = rdcycle();
    csr_clear(sip, SIE_SSIE);
    complete_cycles += rdcycle() - t0;
    ipis++;
}

static unsigned long bench_ipi(unsigned long hartid) {
    vm_set_irq_handler(IRQ_S_SOFT, on_ipi);
    csr_set(sie, SIE_SSIE);
    csr_set(sstatus, SSTATUS_SIE);
    unsigned long total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        const unsigned long seen = ipis;
        const unsigned long t0 = rdcycle();
        sbi_send_ipi(1ul, hartid);
        while (ipis == seen) {
        }
        total += rdcycle() - t0;
    }
    csr_clear(sstatus, SSTATUS_SIE);
    return total;
}

// ---- tlb_walk: Sv48, 512 data pages behind a 4-level table.
#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define SATP_SV48 (9ul << 60)
#define DATA_VA 0x8000000000ul   // level-3 index 1: its own path through every level
#define PAGES 512

static uint64_t l3[512] __attribute__((aligned(4096)));
static uint64_t l2_ram[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint8_t data[PAGES * 4096] __attribute__((aligned(4096)));

static uint64_t pte(unsigned long pa, unsigned long flags) { return ((pa >> 12) << 10) | flags | PTE_V; }

static unsigned long bench_tlb_walk(unsigned long *loads) {
    const unsigned long rwx = PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
    l3[0] = pte((unsigned long)l2_ram, 0);
    l2_ram[0] = pte(0x00000000ul, rwx);   // devices: 1 GiB, identity
    l2_ram[2] = pte(0x80000000ul, rwx);   // RAM: 1 GiB, identity
    l3[1] = pte((unsigned long)l2, 0);
    l2[0] = pte((unsigned long)l1, 0);
    l1[0] = pte((unsigned long)l0, 0);
    for (unsigned i = 0; i < PAGES; i++) l0[i] = pte((unsigned long)&data[i * 4096], PTE_R | PTE_W | PTE_A | PTE_D);
    __asm__ volatile("sfence.vma" ::: "memory");
    csr_write(satp, SATP_SV48 | ((unsigned long)l3 >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    unsigned long total = 0, sum = 0;
    const unsigned passes = 4;
    for (unsigned p = 0; p < passes; p++) {
        const unsigned long t0 = rdcycle();
        for (unsigned i = 0; i < PAGES; i++) sum += *(volatile uint8_t *)(DATA_VA + i * 4096ul + p * 64);
        total += rdcycle() - t0;
    }
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    *loads = passes * PAGES;
    return total + (sum & 0);   // sum keeps the loads
}

int main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    // An empty timed region: what the measurement itself costs.
    unsigned long empty = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        const unsigned long t0 = rdcycle();
        empty += rdcycle() - t0;
    }
    report("empty", empty, ROUNDS);
    report("hypercall", bench_hypercall(), ROUNDS);
    report("mmio", bench_mmio(), ROUNDS);
    report("ipi", bench_ipi(hartid), ROUNDS);
    report("irq_complete", complete_cycles, ROUNDS);
    unsigned long loads = 0;
    const unsigned long walk = bench_tlb_walk(&loads);
    report("tlb_walk", walk, loads);
    vm_exit(0);
}
