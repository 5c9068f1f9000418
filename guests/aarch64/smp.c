// Four CPUs at EL2: CPU 0 starts the others with PSCI CPU_ON (over SMC),
// checks CPU_ON of a running CPU and AFFINITY_INFO, then passes an SGI
// around the ring 0 -> 1 -> 2 -> 3 -> 0 and broadcasts one to all others
// (ICC_SGI1R_EL1.IRM); each secondary acknowledges through its own
// redistributor and CPU interface and turns itself off with CPU_OFF. Only
// CPU 0 prints; the guest ends with PSCI SYSTEM_OFF.
#include "gic.h"

#define NCPU 4
#define SGI_RING 1
#define SGI_BCAST 2
#define PSCI_SUCCESS 0
#define PSCI_ALREADY_ON (-4)
#define AFF_ON 0
#define AFF_OFF 1

static volatile unsigned online[NCPU], el_at_start[NCPU], ring_from[NCPU], bcast[NCPU], done[NCPU];
static volatile uint64_t mpidr[NCPU];

static void on_irq(struct rt_frame *f, unsigned kind) {
    (void)f;
    (void)kind;
    unsigned cpu = cpu_index();
    uint64_t iar = sysreg_read(S3_0_C12_C12_0);
    unsigned intid = (unsigned)iar & 0xffffff;
    if (intid == INTID_SPURIOUS) return;
    if (intid == SGI_RING) {
        ring_from[cpu]++;
        if (cpu != 0) gic_send_sgi(SGI_RING, 1u << ((cpu + 1) % NCPU));
    } else if (intid == SGI_BCAST) {
        bcast[cpu]++;
    }
    gic_eoi(intid);
}

static void irq_setup(unsigned cpu) {
    gic_cpu_init(cpu);
    gic_enable_ppi(cpu, SGI_RING, 0x80);
    gic_enable_ppi(cpu, SGI_BCAST, 0x80);
    sysreg_write(hcr_el2, HCR_RW | HCR_IMO);
    isb();
}

void rt_secondary_main(unsigned cpu) {
    el_at_start[cpu] = current_el();
    mpidr[cpu] = sysreg_read(mpidr_el1);
    irq_setup(cpu);
    dsb(sy);
    online[cpu] = 1;
    while (!ring_from[cpu] || !bcast[cpu]) rt_wait_irq();
    dsb(sy);
    done[cpu] = 1;
    dsb(sy);
    // rt_secondary_entry turns the CPU off when this returns.
}

static void handler(struct rt_frame *f, unsigned kind) {
    if (RT_TYPE(kind) == RT_IRQ) {
        on_irq(f, kind);
        return;
    }
    rt_print_exception("unexpected:", 2);
    rt_exit(99);
}

static void wait_flag(volatile unsigned *flag, const char *what, unsigned cpu) {
    for (unsigned long spins = 0; !*flag; spins++) {
        if (spins > 200000000ul) {
            printf("timeout waiting for CPU %u: %s\n", cpu, what);
            rt_exit(2);
        }
    }
}

int main(void) {
    rt_el2_handler = handler;
    long ver = psci_call(PSCI_VERSION, 0, 0, 0);
    printf("PSCI version %ld.%ld\n", (ver >> 16) & 0xffff, ver & 0xffff);
    gic_dist_init();
    irq_setup(0);
    rt_el2_handler = handler;
    el_at_start[0] = current_el();
    mpidr[0] = sysreg_read(mpidr_el1);
    for (unsigned c = 1; c < NCPU; c++) {
        long aff = psci_call(PSCI_AFFINITY_INFO, c, 0, 0);
        long r = rt_cpu_on(c);
        printf("CPU_ON(%u) = %ld (affinity before: %s)\n", c, r, aff == AFF_OFF ? "off" : "on");
        CHECK_EQ("CPU_ON", r, PSCI_SUCCESS);
        CHECK_EQ("AFFINITY_INFO before", aff, AFF_OFF);
        wait_flag(&online[c], "online", c);
    }
    long again = rt_cpu_on(1);
    printf("CPU_ON(1) again = %ld\n", again);
    CHECK_EQ("CPU_ON of a running CPU", again, PSCI_ALREADY_ON);
    for (unsigned c = 0; c < NCPU; c++)
        printf("CPU %u: EL%u, MPIDR %lx\n", c, el_at_start[c], mpidr[c]);
    // The ring: 0 -> 1 -> 2 -> 3 -> 0.
    gic_send_sgi(SGI_RING, 1u << 1);
    while (!ring_from[0]) rt_wait_irq();
    // The broadcast to all but self (IRM).
    dsb(sy);
    sysreg_write(S3_0_C12_C11_5, ((uint64_t)SGI_BCAST << 24) | (1ul << 40));
    isb();
    for (unsigned c = 1; c < NCPU; c++) wait_flag(&done[c], "done", c);
    for (unsigned c = 0; c < NCPU; c++) printf("CPU %u: ring SGIs %u, broadcast SGIs %u\n", c, ring_from[c], bcast[c]);
    for (unsigned c = 1; c < NCPU; c++) {
        CHECK_EQ("ring SGI", ring_from[c], 1);
        CHECK_EQ("broadcast SGI", bcast[c], 1);
        CHECK_EQ("secondary at EL2", el_at_start[c], 2);
        CHECK_EQ("secondary MPIDR Aff0", mpidr[c] & 0xff, c);
    }
    CHECK_EQ("ring back to CPU 0", ring_from[0], 1);
    CHECK_EQ("no broadcast to self", bcast[0], 0);
    for (unsigned c = 1; c < NCPU; c++) {
        long aff;
        unsigned long spins = 0;
        while ((aff = psci_call(PSCI_AFFINITY_INFO, c, 0, 0)) != AFF_OFF && spins++ < 100000000ul) {
        }
        printf("CPU %u after CPU_OFF: %s\n", c, aff == AFF_OFF ? "off" : "still on");
        CHECK_EQ("AFFINITY_INFO after CPU_OFF", aff, AFF_OFF);
    }
    if (rt_failures) rt_verdict("smp");
    printf("PASS: smp\n");
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    printf("SYSTEM_OFF returned\n");
    rt_exit(3);
}
