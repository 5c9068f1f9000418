// vmexit: the cost of virtualization events as the guest sees them, in the
// spirit of kvm-unit-tests' vmexit test, measured with the virtual counter
// (CNTVCT_EL0) over many rounds, printed in thousandths of a counter tick
// per event (the README converts to cycles with the profile's frequency:
// one tick is core_hz / CNTFRQ cycles):
//   hypercall      an HVC the hypervisor answers "not supported", round trip
//   mmio           a load from an emulated device register (the PL011's FR)
//   ipi            an SGI to this CPU, until its handler ran
//   irq_complete   ICC_EOIR1_EL1 for that SGI (the virtual CPU interface
//                  completes it without a trap)
#include "rt/vm.h"

#define ROUNDS 1000
#define SGI_BENCH 5

static inline uint64_t cntvct(void) {
    isb();
    return sysreg_read(cntvct_el0);
}

// milli-ticks per event: the counter is coarse (tens of cycles per tick).
static void report(const char *what, uint64_t ticks) {
    printf("vmexit: %-12s %8lu milliticks (CNTFRQ %lu)\n", what, (unsigned long)(ticks * 1000 / ROUNDS),
           (unsigned long)sysreg_read(cntfrq_el0));
}

static volatile unsigned sgis;
static volatile uint64_t eoi_ticks;

static void on_irq(struct vm_frame *f) {
    (void)f;
    const unsigned intid = gic_ack();
    if (intid == INTID_SPURIOUS) return;
    const uint64_t t0 = cntvct();
    gic_eoi(intid);
    eoi_ticks += cntvct() - t0;
    sgis++;
}

int main(void) {
    uint64_t t, total;

    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        t = cntvct();
        total += cntvct() - t;
    }
    report("empty", total);

    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        t = cntvct();
        hvc_call(0xc6000042ul, 0, 0, 0);
        total += cntvct() - t;
    }
    report("hypercall", total);

    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        t = cntvct();
        (void)mmio_r32(PL011_BASE + 0x18);
        total += cntvct() - t;
    }
    report("mmio", total);

    vm_set_irq_handler(on_irq);
    gic_dist_init();
    gic_cpu_init(0);
    gic_enable_ppi(0, SGI_BENCH, 0x80);
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    total = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        const unsigned seen = sgis;
        t = cntvct();
        gic_send_sgi(SGI_BENCH, 1u << 0);
        while (sgis == seen) {
        }
        total += cntvct() - t;
    }
    __asm__ volatile("msr daifset, #2" ::: "memory");
    report("ipi", total);
    report("irq_complete", eoi_ticks);
    printf("PASS: vmexit\n");
    vm_exit(0);
}
