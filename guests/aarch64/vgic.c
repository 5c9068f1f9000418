// The GICv3 virtual CPU interface. EL2 (HCR_EL2.IMO set, ICH_HCR_EL2.En)
// writes virtual interrupts into the list registers ICH_LR<n>_EL2; EL1
// acknowledges them with ICC_IAR1_EL1 and completes them with
// ICC_EOIR1_EL1, which reach the virtual interface (ICV_*) under IMO.
// Checked: priority order, the virtual priority mask, ICH_ELRSR_EL2 after
// completion, an LR with the EOI bit raising the maintenance interrupt
// (PPI 25) with ICH_EISR_EL2 and ICH_MISR_EL2.EOI, the underflow and
// no-pending maintenance conditions, and HCR_EL2.VI.
#include "catch.h"
#include "gic.h"

#define LR_PENDING (1ul << 62)
#define LR_GROUP1 (1ul << 60)
#define LR_EOI (1ul << 41)
#define LR_PRIO(p) ((uint64_t)(p) << 48)
#define LR(vintid, prio, extra) (LR_PENDING | LR_GROUP1 | LR_PRIO(prio) | (extra) | (vintid))

#define MISR_EOI (1ul << 0)
#define MISR_U (1ul << 1)
#define MISR_NP (1ul << 3)
#define ICH_HCR_EN (1ul << 0)
#define ICH_HCR_UIE (1ul << 1)
#define ICH_HCR_NPIE (1ul << 3)

static void write_lr(unsigned n, uint64_t v) {
    switch (n) {
    case 0: sysreg_write(ich_lr0_el2, v); break;
    case 1: sysreg_write(ich_lr1_el2, v); break;
    case 2: sysreg_write(ich_lr2_el2, v); break;
    default: sysreg_write(ich_lr3_el2, v); break;
    }
    isb();
}
static uint64_t read_lr(unsigned n) {
    switch (n) {
    case 0: return sysreg_read(ich_lr0_el2);
    case 1: return sysreg_read(ich_lr1_el2);
    case 2: return sysreg_read(ich_lr2_el2);
    default: return sysreg_read(ich_lr3_el2);
    }
}

// ---- EL1: take virtual interrupts, record the order.
static volatile unsigned seen[8], nseen, vi_seen;

static void el1_irq(struct rt_frame *f, unsigned kind) {
    (void)f;
    (void)kind;
    unsigned intid = gic_ack();
    if (intid == INTID_SPURIOUS) {
        // No list register: a virtual IRQ from HCR_EL2.VI. Ask EL2 to drop it.
        vi_seen++;
        __asm__ volatile("hvc #1" ::: "memory");
        return;
    }
    if (nseen < 8) seen[nseen++] = intid;
    gic_eoi(intid);
}

static unsigned long el1_main(unsigned long arg) {
    (void)arg;
    sysreg_write(S3_0_C4_C6_0, 0xff);   // ICC_PMR_EL1 (ICV_PMR_EL1 here)
    sysreg_write(S3_0_C12_C12_7, 1);    // ICC_IGRPEN1_EL1 (ICV_IGRPEN1_EL1)
    isb();
    nseen = 0;
    __asm__ volatile("msr daifclr, #2\n isb\n nop\n nop\n msr daifset, #2" ::: "memory");
    printf("[EL1] took %u virtual interrupts: %u %u\n", nseen, seen[0], seen[1]);
    return nseen;
}

static unsigned long el1_masked(unsigned long arg) {
    (void)arg;
    sysreg_write(S3_0_C4_C6_0, 0x80);   // mask priorities 0x80 and lower
    isb();
    nseen = 0;
    __asm__ volatile("msr daifclr, #2\n isb\n nop\n nop\n msr daifset, #2" ::: "memory");
    unsigned hppi = (unsigned)sysreg_read(S3_0_C12_C12_2) & 0xffffff;   // ICC_HPPIR1_EL1
    printf("[EL1] PMR 0x80: %u taken, highest pending %u\n", nseen, hppi);
    CHECK_EQ("masked by PMR", nseen, 0);
    CHECK_EQ("HPPIR1", hppi, 50);
    sysreg_write(S3_0_C4_C6_0, 0xff);
    isb();
    __asm__ volatile("msr daifclr, #2\n isb\n nop\n nop\n msr daifset, #2" ::: "memory");
    printf("[EL1] PMR 0xff: %u taken (%u)\n", nseen, seen[0]);
    CHECK_EQ("taken after PMR", nseen, 1);
    return 0;
}

static unsigned long el1_vi(unsigned long arg) {
    (void)arg;
    uint64_t isr = sysreg_read(isr_el1);
    vi_seen = 0;
    __asm__ volatile("msr daifclr, #2\n isb\n nop\n nop\n msr daifset, #2" ::: "memory");
    printf("[EL1] HCR_EL2.VI: ISR_EL1.I=%lu, %u interrupt(s) taken\n", (isr >> 7) & 1, vi_seen);
    CHECK_EQ("ISR_EL1.I", (isr >> 7) & 1, 1);
    CHECK_EQ("VI taken once", vi_seen, 1);
    return 0;
}

// ---- EL2: the maintenance interrupt, and HVC #1 (drop HCR_EL2.VI).
static volatile unsigned maint_count;
static volatile uint64_t maint_misr, maint_eisr;

static void el2_irq(struct rt_frame *f, unsigned kind) {
    (void)f;
    (void)kind;
    unsigned intid = gic_ack();
    if (intid == PPI_MAINTENANCE) {
        maint_count++;
        maint_misr = sysreg_read(ich_misr_el2);
        maint_eisr = sysreg_read(ich_eisr_el2);
        for (unsigned n = 0; n < 4; n++)
            if (maint_eisr & (1u << n)) write_lr(n, 0);   // the condition goes away
    }
    if (intid != INTID_SPURIOUS) gic_eoi(intid);
}

static int el2_hvc(struct rt_frame *f, uint64_t esr) {
    (void)f;
    if (ESR_EC(esr) == EC_HVC64 && (esr & 0xffff) == 1) {
        sysreg_write(hcr_el2, sysreg_read(hcr_el2) & ~HCR_VI);
        isb();
    }
    exc_clear();
    return 0;
}

int main(void) {
    catch_install();
    irq_hook_el2 = el2_irq;
    irq_hook_el1 = el1_irq;
    fix_hook_el2 = el2_hvc;
    gic_dist_init();
    gic_cpu_init(0);
    gic_enable_ppi(0, PPI_MAINTENANCE, 0x80);
    uint64_t vtr = sysreg_read(ich_vtr_el2);
    unsigned nlr = (unsigned)(vtr & 0x1f) + 1;
    printf("[EL2] ICH_VTR_EL2: %u list registers, %lu priority bits\n", nlr, ((vtr >> 29) & 7) + 1);
    CHECK_EQ("at least 4 list registers", nlr >= 4, 1);
    for (unsigned n = 0; n < 4; n++) write_lr(n, 0);
    sysreg_write(ich_vmcr_el2, (0xfful << 24) | (1ul << 1));   // VPMR 0xff, VENG1
    sysreg_write(ich_hcr_el2, ICH_HCR_EN);
    sysreg_write(hcr_el2, HCR_RW | HCR_IMO | HCR_FMO);
    isb();
    // Two pending interrupts: the higher priority (lower value) comes first.
    write_lr(0, LR(40, 0xa0, 0));
    write_lr(1, LR(41, 0x90, 0));
    printf("[EL2] ELRSR before: %lx\n", sysreg_read(ich_elrsr_el2) & 0xf);
    unsigned long n = rt_enter_el1(el1_main, 0);
    CHECK_EQ("two taken", n, 2);
    CHECK_EQ("first", seen[0], 41);
    CHECK_EQ("second", seen[1], 40);
    uint64_t elrsr = sysreg_read(ich_elrsr_el2) & 0xf;
    printf("[EL2] ELRSR after: %lx, LR0=%lx LR1=%lx\n", elrsr, read_lr(0), read_lr(1));
    CHECK_EQ("ELRSR: all empty", elrsr, 0xf);
    CHECK_EQ("LR0 state", read_lr(0) >> 62, 0);
    // EOI maintenance: LR2 asks for it.
    write_lr(2, LR(42, 0xa0, LR_EOI));
    __asm__ volatile("msr daifclr, #2" ::: "memory");   // EL2 takes the maintenance IRQ
    n = rt_enter_el1(el1_main, 0);
    __asm__ volatile("isb\n msr daifset, #2" ::: "memory");
    printf("[EL2] maintenance interrupts: %u, MISR=%lx EISR=%lx\n", maint_count, maint_misr, maint_eisr);
    CHECK_EQ("maintenance once", maint_count, 1);
    CHECK_EQ("MISR.EOI", maint_misr & MISR_EOI, MISR_EOI);
    CHECK_EQ("EISR", maint_eisr, 1u << 2);
    CHECK_EQ("42 taken", seen[0], 42);
    // Underflow (at most one valid LR) and no-pending: read without interrupts.
    sysreg_write(ich_hcr_el2, ICH_HCR_EN | ICH_HCR_UIE | ICH_HCR_NPIE);
    isb();
    uint64_t misr = sysreg_read(ich_misr_el2);
    printf("[EL2] UIE|NPIE with empty LRs: MISR=%lx\n", misr);
    CHECK_EQ("MISR U and NP", misr & (MISR_U | MISR_NP), MISR_U | MISR_NP);
    write_lr(0, LR(43, 0xa0, 0));
    write_lr(1, LR(44, 0xa0, 0));
    misr = sysreg_read(ich_misr_el2);
    printf("[EL2] two pending LRs: MISR=%lx\n", misr);
    CHECK_EQ("MISR quiet", misr & (MISR_U | MISR_NP), 0);
    write_lr(0, 0);
    write_lr(1, 0);
    sysreg_write(ich_hcr_el2, ICH_HCR_EN);
    isb();
    // The virtual priority mask.
    write_lr(3, LR(50, 0xa0, 0));
    rt_enter_el1(el1_masked, 0);
    CHECK_EQ("50 taken", seen[0], 50);
    // HCR_EL2.VI: a virtual IRQ without the GIC.
    sysreg_write(ich_hcr_el2, 0);
    sysreg_write(hcr_el2, HCR_RW | HCR_IMO | HCR_FMO | HCR_VI);
    isb();
    rt_enter_el1(el1_vi, 0);
    sysreg_write(hcr_el2, HCR_RW);
    isb();
    rt_verdict("vgic");
}
