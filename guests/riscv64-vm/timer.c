// timer: SBI timer ticks. The first tick is armed with the legacy
// set_timer call, the others with the TIME extension (when present); each
// arrives as a supervisor timer interrupt while the hart waits in WFI.
// The last tick disarms the timer.
#include "rt/vm.h"

#define TICKS 5
#define INTERVAL 100000ul   // timebase ticks (10 ms at QEMU virt's 10 MHz)

static volatile unsigned ticks;
static int have_time_ext;

static void arm(uint64_t when) {
    if (have_time_ext) sbi_set_timer(when);
    else sbi_legacy_set_timer(when);
}

static void on_tick(struct vm_frame *f) {
    (void)f;
    ticks++;
    printf("tick %u\n", ticks);
    if (ticks < TICKS) arm(rdtime() + INTERVAL);
    else arm(~0ull);   // also clears the pending timer interrupt
}

int main(unsigned long hartid, unsigned long dtb) {
    (void)hartid;
    (void)dtb;
    have_time_ext = sbi_probe(SBI_EXT_TIME) != 0;
    vm_set_irq_handler(IRQ_S_TIMER, on_tick);
    const uint64_t start = rdtime();
    sbi_legacy_set_timer(start + INTERVAL);
    csr_set(sie, SIE_STIE);
    csr_set(sstatus, SSTATUS_SIE);
    while (ticks < TICKS) wfi();
    csr_clear(sstatus, SSTATUS_SIE);
    const uint64_t elapsed = rdtime() - start;
    printf("%u ticks, at least %u intervals elapsed: %s\n", ticks, TICKS,
           elapsed >= TICKS * INTERVAL ? "yes" : "no");
    vm_exit(0);
}
