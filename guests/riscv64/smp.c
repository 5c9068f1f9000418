// Two harts (run with -smp 2 / --smp 2): atomic increments and LR/SC loops
// on shared counters from both harts, a store-release/load-acquire
// handshake, and an inter-processor interrupt through the CLINT's msip that
// wakes hart 1 from WFI. Only hart 0 prints, so the output is the same
// whatever the interleaving.
#include "common.h"

#define N 20000

static volatile uint32_t amo_counter;
static volatile uint64_t lrsc_counter;
static volatile uint32_t done;
static volatile uint64_t reported_hartid;
static volatile uint32_t ipi_seen;
static volatile uint32_t go;

static void amo_add(volatile uint32_t *p, uint32_t v) {
    __asm__ volatile("amoadd.w zero, %1, (%0)" :: "r"(p), "r"(v) : "memory");
}

static void lrsc_inc(volatile uint64_t *p) {
    unsigned long tmp, fail;
    __asm__ volatile("1: lr.d %0, (%2)\n\taddi %0, %0, 1\n\tsc.d %1, %0, (%2)\n\tbnez %1, 1b"
                     : "=&r"(tmp), "=&r"(fail) : "r"(p) : "memory");
}

static void work(void) {
    for (unsigned i = 0; i < N; i++) {
        amo_add(&amo_counter, 1);
        lrsc_inc(&lrsc_counter);
    }
    amo_add(&done, 1);
}

void rt_secondary_main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    reported_hartid = csr_read(mhartid) | (hartid << 8);
    while (!go) {
    }
    __asm__ volatile("fence r, rw" ::: "memory");   // acquire
    work();
    // Wait for the IPI with MIE = 0: WFI wakes on the pending MSIP without a trap.
    csr_write(mie, 1ul << 3);
    while (!(csr_read(mip) & (1ul << 3))) __asm__ volatile("wfi");
    mmio_w32(CLINT_MSIP(1), 0);
    __asm__ volatile("fence rw, w" ::: "memory");
    ipi_seen = 1;
    for (;;) __asm__ volatile("wfi");
}

int main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    printf("smp: hart %lu starts, hart 1 joins\n", hartid);
    __asm__ volatile("fence rw, w" ::: "memory");   // release
    go = 1;
    work();
    while (done != 2) {
    }
    printf("amoadd.w counter: %u (expected %u)\n", amo_counter, 2 * N);
    printf("lr/sc counter: %lu (expected %u)\n", (unsigned long)lrsc_counter, 2 * N);
    printf("hart 1 saw mhartid %lu and a0 %lu\n", reported_hartid & 0xff, reported_hartid >> 8);
    mmio_w32(CLINT_MSIP(1), 1);
    while (!ipi_seen) {
    }
    printf("hart 1 woke up on the IPI and cleared its msip: %u\n", mmio_r32(CLINT_MSIP(1)));
    return 0;
}
