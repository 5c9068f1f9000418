// SMP: the BSP starts the other three CPUs one after the other with
// INIT-SIPI-SIPI. Each starts in real mode at 0800:0000 (the runtime's
// trampoline), switches to protected mode and then long mode, and reports
// its APIC ID and what it saw in real mode. Then all of them add to a
// shared counter with LOCK XADD.
#include "rt/rt.h"

#define NCPUS 4
#define ADDS 1000
static volatile unsigned reported[RT_MAX_CPUS];
static volatile unsigned long counter;
static volatile unsigned go, done;

void rt_ap_main(unsigned apic_id) {
    uint16_t cs;
    uint32_t cr0;
    rt_trampoline_seen(&cs, &cr0);
    uint64_t efer = rdmsr(MSR_EFER);
    printf("CPU with APIC ID %u: started in real mode at %x:0000 (CR0.PE was %u), now EFER.LMA %lu, BSP flag %lu\n",
           apic_id, cs, cr0 & 1, (efer >> 10) & 1, (rdmsr(MSR_APIC_BASE) >> 8) & 1);
    reported[apic_id & 7] = 1;
    while (!go) pause();
    for (unsigned i = 0; i < ADDS; i++) __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

int main(void) {
    rt_lapic_enable();
    printf("BSP: APIC ID %u, BSP flag %lu\n", lapic_id(), (rdmsr(MSR_APIC_BASE) >> 8) & 1);
    for (unsigned id = 1; id < NCPUS; id++) {
        rt_start_ap(id);
        unsigned spins = 0;
        while (!reported[id] && spins < 100000000) spins++, pause();
        CHECK_EQ("CPU reported", reported[id], 1);
    }
    go = 1;
    for (unsigned i = 0; i < ADDS; i++) __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
    unsigned spins = 0;
    while (done < NCPUS - 1 && spins < 100000000) spins++, pause();
    printf("%u CPUs added %u each: counter = %lu\n", NCPUS, ADDS, counter);
    CHECK_EQ("counter", counter, NCPUS * ADDS);
    rt_verdict("smp");
}
