// smp: CPU 0 starts CPUs 1-3 with PSCI CPU_ON (over HVC), then an SGI goes
// around the ring 0 -> 1 -> 2 -> 3 -> 0 through the GICv3 (each CPU
// acknowledges on its own CPU interface); the secondaries then turn
// themselves off with CPU_OFF and CPU 0 sees them off with AFFINITY_INFO.
// Only CPU 0 prints.
#include "rt/vm.h"

#define NCPU 4
#define SGI_RING 3
static volatile unsigned online[NCPU], ring[NCPU], done[NCPU];
static volatile uint64_t mpidr[NCPU];

static void on_irq(struct vm_frame *f) {
    (void)f;
    unsigned cpu = cpu_index(), intid = gic_ack();
    if (intid == INTID_SPURIOUS) return;
    if (intid == SGI_RING) {
        ring[cpu]++;
        if (cpu != 0) gic_send_sgi(SGI_RING, 1u << ((cpu + 1) % NCPU));
    }
    gic_eoi(intid);
}

void vm_secondary_main(unsigned cpu) {
    mpidr[cpu] = sysreg_read(mpidr_el1);
    gic_cpu_init(cpu);
    gic_enable_ppi(cpu, SGI_RING, 0x80);
    dsb(sy);
    online[cpu] = 1;
    while (!ring[cpu]) vm_wait_irq();
    dsb(sy);
    done[cpu] = 1;
}

static void wait_flag(volatile unsigned *flag, unsigned cpu, const char *what) {
    for (unsigned long spins = 0; !*flag; spins++)
        if (spins > 200000000ul) {
            printf("timeout waiting for CPU %u: %s\n", cpu, what);
            vm_exit(2);
        }
}

int main(void) {
    vm_set_irq_handler(on_irq);
    gic_dist_init();
    gic_cpu_init(0);
    gic_enable_ppi(0, SGI_RING, 0x80);
    mpidr[0] = sysreg_read(mpidr_el1);
    for (unsigned c = 1; c < NCPU; c++) {
        long r = vm_cpu_on(c);
        printf("CPU_ON(%u) = %ld\n", c, r);
        CHECK_EQ("CPU_ON", r, PSCI_SUCCESS);
        wait_flag(&online[c], c, "online");
    }
    long again = vm_cpu_on(2);
    printf("CPU_ON(2) again = %ld\n", again);
    CHECK_EQ("CPU_ON of a running CPU", again, PSCI_ALREADY_ON);
    gic_send_sgi(SGI_RING, 1u << 1);
    while (!ring[0]) vm_wait_irq();
    for (unsigned c = 1; c < NCPU; c++) wait_flag(&done[c], c, "done");
    for (unsigned c = 0; c < NCPU; c++) {
        printf("CPU %u: MPIDR %lx, ring SGIs %u\n", c, mpidr[c], ring[c]);
        CHECK_EQ("ring SGI", ring[c], 1);
        CHECK_EQ("MPIDR Aff0", mpidr[c] & 0xff, c);
    }
    for (unsigned c = 1; c < NCPU; c++) {
        long aff;
        unsigned long spins = 0;
        while ((aff = psci_call(PSCI_AFFINITY_INFO, c, 0, 0)) != 1 && spins++ < 100000000ul) {
        }
        printf("CPU %u after CPU_OFF: %s\n", c, aff == 1 ? "off" : "on");
        CHECK_EQ("AFFINITY_INFO", aff, 1);
    }
    vm_verdict("smp");
}
