// timer: the virtual timer (CNTV, PPI 27) through the GICv3: TICKS
// interrupts, each acknowledged with ICC_IAR1_EL1 and completed with
// ICC_EOIR1_EL1 after the handler stops the timer. Only facts that do not
// depend on the host's speed are printed.
#include "rt/vm.h"

#define TICKS 5
static volatile unsigned count, last, spurious;

static void on_irq(struct vm_frame *f) {
    (void)f;
    unsigned intid = gic_ack();
    if (intid == INTID_SPURIOUS) {
        spurious++;
        return;
    }
    if (intid == PPI_VIRT_TIMER) {
        sysreg_write(cntv_ctl_el0, 0);
        isb();
    }
    last = intid;
    count++;
    gic_eoi(intid);
}

int main(void) {
    vm_set_irq_handler(on_irq);
    gic_dist_init();
    gic_cpu_init(0);
    gic_enable_ppi(0, PPI_VIRT_TIMER, 0x80);
    uint64_t prev = sysreg_read(cntvct_el0);
    int monotonic = 1;
    for (unsigned i = 0; i < TICKS; i++) {
        unsigned before = count;
        sysreg_write(cntv_tval_el0, 5000);
        sysreg_write(cntv_ctl_el0, 1);
        isb();
        while (count == before) vm_wait_irq();
        uint64_t now = sysreg_read(cntvct_el0);
        if (now < prev + 5000) monotonic = 0;
        prev = now;
        CHECK_EQ("INTID", last, PPI_VIRT_TIMER);
    }
    printf("virtual timer: %u interrupts, INTID %u, each at least 5000 ticks after the last\n", count, last);
    CHECK_EQ("interrupts", count, TICKS);
    CHECK_EQ("counter advanced", monotonic, 1);
    CHECK_EQ("spurious", spurious, 0);
    vm_verdict("timer");
}
