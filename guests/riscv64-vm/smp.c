// smp: the boot hart starts three more harts with SBI HSM hart_start
// (each gets a0 = its hartid and a1 = the opaque value), then a token
// travels round the ring of four harts twice, carried by IPIs (SBI IPI
// extension: a supervisor software interrupt on the target). Only the
// holder of the token prints, so the output does not depend on the
// interleaving. At the end the three harts stop themselves (HSM
// hart_stop) and the boot hart waits for their status to read STOPPED.
//
// Harts are named by their place in the ring, cpu0 being the boot hart
// (hart 0 in hvemu; OpenSBI may boot on another).
#include "rt/vm.h"

#define NCPU 4
#define ROUNDS 2
#define OPAQUE_BASE 0x5eed0000ul

static unsigned long boot_hart;
static volatile unsigned long token;       // ring position of the holder
static volatile unsigned long passes;
static volatile int stop_all;
static volatile unsigned long up[NCPU];
static volatile unsigned long ipis[NCPU];

static unsigned long hart_of(unsigned long cpu) { return (boot_hart + cpu) % NCPU; }
static unsigned long cpu_of(unsigned long hart) { return (hart + NCPU - boot_hart) % NCPU; }

static void send_to(unsigned long cpu) {
    __asm__ volatile("fence rw, rw" ::: "memory");
    long err = sbi_send_ipi(1ul << hart_of(cpu), 0);
    if (err) printf("send_ipi to cpu%lu failed: %ld\n", cpu, err);
}

static void on_ipi(struct vm_frame *f) {
    (void)f;
    csr_clear(sip, SIE_SSIE);
    ipis[cpu_of(vm_hartid())]++;
}

// Take the token when it is ours, print, pass it on.
static void ring_step(unsigned long cpu) {
    while (token != cpu && !stop_all) wfi();
    if (stop_all) return;
    __asm__ volatile("fence rw, rw" ::: "memory");
    printf("cpu%lu has the token (pass %lu)\n", cpu, ++passes);
    token = (cpu + 1) % NCPU;
    send_to(token);
}

void vm_secondary_main(unsigned long hartid, unsigned long opaque) {
    const unsigned long cpu = cpu_of(hartid);
    vm_set_irq_handler(IRQ_S_SOFT, on_ipi);
    csr_set(sie, SIE_SSIE);
    csr_set(sstatus, SSTATUS_SIE);
    up[cpu] = opaque;
    __asm__ volatile("fence rw, rw" ::: "memory");
    while (!stop_all) ring_step(cpu);
    csr_clear(sstatus, SSTATUS_SIE);
    sbi_hart_stop();
}

int main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    boot_hart = hartid;
    vm_set_irq_handler(IRQ_S_SOFT, on_ipi);
    csr_set(sie, SIE_SSIE);
    csr_set(sstatus, SSTATUS_SIE);
    printf("smp: boot hart is cpu0\n");
    for (unsigned long cpu = 1; cpu < NCPU; cpu++)
        printf("cpu%lu status before start: %s\n", cpu,
               sbi_hart_status(hart_of(cpu)) == SBI_HSM_STOPPED ? "stopped" : "not stopped");
    for (unsigned long cpu = 1; cpu < NCPU; cpu++) {
        long err = sbi_hart_start(hart_of(cpu), (unsigned long)vm_secondary_entry, OPAQUE_BASE + cpu);
        if (err) printf("hart_start cpu%lu: error %ld\n", cpu, err);
        while (!up[cpu]) {
        }
        printf("cpu%lu is up with opaque %lx\n", cpu, up[cpu]);
    }
    printf("starting cpu1 again: error %ld\n",
           sbi_hart_start(hart_of(1), (unsigned long)vm_secondary_entry, 0));

    token = 0;
    for (unsigned r = 0; r < ROUNDS; r++) ring_step(0);
    while (token != 0) wfi();
    printf("the token went round %u times (%lu passes)\n", ROUNDS, passes);

    stop_all = 1;
    __asm__ volatile("fence rw, rw" ::: "memory");
    for (unsigned long cpu = 1; cpu < NCPU; cpu++) send_to(cpu);
    for (unsigned long cpu = 1; cpu < NCPU; cpu++)
        while (sbi_hart_status(hart_of(cpu)) != SBI_HSM_STOPPED) {
        }
    printf("all other harts stopped\n");
    vm_exit(0);
}
