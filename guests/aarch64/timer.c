// The generic timer through the GICv3: the EL2 physical timer (CNTHP, PPI
// 26) interrupts EL2; at EL1 the physical (CNTP, PPI 30) and virtual
// (CNTV, PPI 27) timers interrupt EL1 (HCR_EL2.IMO clear; set for EL2's). Every interrupt
// is acknowledged with ICC_IAR1_EL1 and completed with ICC_EOIR1_EL1.
// Also: ISTATUS with IMASK set, CNTVOFF_EL2, and CNTHCTL_EL2.EL1PCEN
// trapping EL1's physical timer to EL2. Only facts that do not depend on
// the host's speed are printed.
#include "catch.h"
#include "gic.h"

#define TICKS 3
#define CTL_ENABLE 1ul
#define CTL_IMASK 2ul
#define CTL_ISTATUS 4ul

static volatile unsigned irq_count, last_intid, spurious;

// The handler stops the timer that fired (else its level stays high).
static void on_irq(struct rt_frame *f, unsigned kind) {
    (void)f;
    (void)kind;
    unsigned intid = gic_ack();
    if (intid == INTID_SPURIOUS) {
        spurious++;
        return;
    }
    if (intid == PPI_HYP_TIMER) sysreg_write(cnthp_ctl_el2, 0);
    else if (intid == PPI_PHYS_TIMER) sysreg_write(cntp_ctl_el0, 0);
    else if (intid == PPI_VIRT_TIMER) sysreg_write(cntv_ctl_el0, 0);
    isb();
    last_intid = intid;
    irq_count++;
    gic_eoi(intid);
}

// Arms a timer `ticks` counter ticks ahead and waits for its interrupt.
#define WAIT_FOR(arm_tval, arm_ctl, intid, what)                                                   \
    do {                                                                                           \
        unsigned before = irq_count;                                                               \
        sysreg_write(arm_tval, 2000);                                                              \
        sysreg_write(arm_ctl, CTL_ENABLE);                                                         \
        isb();                                                                                     \
        while (irq_count == before) rt_wait_irq();                                                 \
        rt_check(last_intid == (intid), "%s: interrupt %u, want %u", what, last_intid, intid);     \
    } while (0)

static unsigned long el1_main(unsigned long arg) {
    (void)arg;
    unsigned start = irq_count;
    for (int i = 0; i < TICKS; i++) WAIT_FOR(cntp_tval_el0, cntp_ctl_el0, PPI_PHYS_TIMER, "CNTP");
    printf("[EL1] CNTP: %u interrupts, INTID %u\n", irq_count - start, last_intid);
    start = irq_count;
    for (int i = 0; i < TICKS; i++) WAIT_FOR(cntv_tval_el0, cntv_ctl_el0, PPI_VIRT_TIMER, "CNTV");
    printf("[EL1] CNTV: %u interrupts, INTID %u\n", irq_count - start, last_intid);
    // Masked: the condition shows in ISTATUS, no interrupt.
    start = irq_count;
    uint64_t now = sysreg_read(cntvct_el0);
    sysreg_write(cntv_cval_el0, now + 100);
    sysreg_write(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
    isb();
    while (sysreg_read(cntvct_el0) < now + 100) {
    }
    isb();
    uint64_t ctl = sysreg_read(cntv_ctl_el0);
    __asm__ volatile("msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory");
    printf("[EL1] CNTV with IMASK after CVAL: ISTATUS=%lu, interrupts %u\n", (ctl & CTL_ISTATUS) >> 2,
           irq_count - start);
    CHECK_EQ("ISTATUS", ctl & CTL_ISTATUS, CTL_ISTATUS);
    CHECK_EQ("no interrupt when masked", irq_count - start, 0);
    sysreg_write(cntv_ctl_el0, 0);
    return irq_count;
}

static volatile uint64_t trapped_esr;
static int on_trap(struct rt_frame *f, uint64_t esr) {
    if (ESR_EC(esr) == EC_SYS64 && (esr & 1)) f->x[(esr >> 5) & 31] = 0;
    trapped_esr = esr;
    return 0;
}

static unsigned long el1_touch_cntp(unsigned long arg) {
    (void)arg;
    return sysreg_read(cntp_ctl_el0);
}

int main(void) {
    catch_install();
    irq_hook_el2 = irq_hook_el1 = on_irq;
    fix_hook_el2 = on_trap;
    printf("CNTFRQ_EL0 = %lu Hz\n", sysreg_read(cntfrq_el0));
    gic_dist_init();
    gic_cpu_init(0);
    gic_enable_ppi(0, PPI_HYP_TIMER, 0x80);
    gic_enable_ppi(0, PPI_PHYS_TIMER, 0x80);
    gic_enable_ppi(0, PPI_VIRT_TIMER, 0x80);
    // EL2's own timer: physical IRQs are taken to EL2 only with HCR_EL2.IMO.
    sysreg_write(hcr_el2, HCR_RW | HCR_IMO);
    isb();
    for (int i = 0; i < TICKS; i++) WAIT_FOR(cnthp_tval_el2, cnthp_ctl_el2, PPI_HYP_TIMER, "CNTHP");
    printf("[EL2] CNTHP: %u interrupts, INTID %u, spurious %u\n", irq_count, last_intid, spurious);
    // The virtual counter is the physical one minus CNTVOFF_EL2.
    uint64_t off = 0x100000000ul;
    sysreg_write(cntvoff_el2, off);
    isb();
    uint64_t v = sysreg_read(cntvct_el0);
    isb();
    uint64_t p = sysreg_read(cntpct_el0);
    int off_ok = p - v >= off && p - v < off + 100000000ul;
    printf("[EL2] CNTPCT - CNTVCT %s CNTVOFF_EL2\n", off_ok ? "matches" : "does not match");
    CHECK_EQ("CNTVOFF", off_ok, 1);
    sysreg_write(cntvoff_el2, 0);
    sysreg_write(hcr_el2, HCR_RW);   // IRQs to EL1 again
    isb();
    unsigned long n = rt_enter_el1(el1_main, 0);
    CHECK_EQ("interrupts in all", n, 3 * TICKS);
    // EL1PCEN clear: EL1's access to the physical timer traps to EL2.
    sysreg_write(cnthctl_el2, 1);   // EL1PCTEN only
    isb();
    trapped_esr = 0;
    rt_enter_el1(el1_touch_cntp, 0);
    printf("[EL2] EL1 read CNTP_CTL_EL0 with EL1PCEN=0: EC=%02lx ISS=%07lx\n", ESR_EC(trapped_esr),
           ESR_ISS(trapped_esr));
    CHECK_EQ("CNTP trap EC", ESR_EC(trapped_esr), EC_SYS64);
    sysreg_write(cnthctl_el2, 3);
    printf("[EL2] spurious acknowledgements: %u\n", spurious);
    rt_verdict("timer");
}
