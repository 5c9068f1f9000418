// Exception catching for the test programs (see catch.h).
#include "catch.h"

volatile struct exc_rec exc_el2, exc_el1;
void (*irq_hook_el2)(struct rt_frame *f, unsigned kind);
void (*irq_hook_el1)(struct rt_frame *f, unsigned kind);
int (*fix_hook_el2)(struct rt_frame *f, uint64_t esr);

// Where to resume after a synchronous exception that nobody fixed.
static uint64_t next_pc(struct rt_frame *f, uint64_t esr) {
    switch (ESR_EC(esr)) {
    case 0x11: case 0x12: case 0x13: case EC_SVC64: case EC_HVC64:
        return f->elr;   // the preferred return address is already past the call
    case EC_IABT_LOW: case EC_IABT_CUR: case EC_PC_ALIGN:
        return f->x[30];   // a fetch fault: back to the caller
    default:
        return f->elr + 4;
    }
}

static void record(volatile struct exc_rec *r, unsigned kind, uint64_t esr, uint64_t elr, uint64_t far,
                   uint64_t hpfar, uint64_t spsr) {
    if (r->count++ != 0) return;
    r->kind = kind;
    r->esr = esr;
    r->elr = elr;
    r->far = far;
    r->hpfar = hpfar;
    r->spsr = spsr;
}

static void catch_el2(struct rt_frame *f, unsigned kind) {
    if (RT_TYPE(kind) == RT_IRQ || RT_TYPE(kind) == RT_FIQ) {
        if (!irq_hook_el2) rt_exit(97);
        irq_hook_el2(f, kind);
        return;
    }
    uint64_t esr = sysreg_read(esr_el2);
    record(&exc_el2, kind, esr, f->elr, sysreg_read(far_el2), sysreg_read(hpfar_el2), f->spsr);
    if (RT_TYPE(kind) == RT_SERROR) {
        rt_print_exception("SError at EL2:", 2);
        rt_exit(97);
    }
    if (fix_hook_el2 && fix_hook_el2(f, esr)) return;
    f->elr = next_pc(f, esr);
}

static void catch_el1(struct rt_frame *f, unsigned kind) {
    if (RT_TYPE(kind) == RT_IRQ || RT_TYPE(kind) == RT_FIQ) {
        if (!irq_hook_el1) rt_exit(97);
        irq_hook_el1(f, kind);
        return;
    }
    uint64_t esr = sysreg_read(esr_el1);
    record(&exc_el1, kind, esr, f->elr, sysreg_read(far_el1), 0, f->spsr);
    if (RT_TYPE(kind) == RT_SERROR) {
        rt_print_exception("SError at EL1:", 1);
        rt_exit(97);
    }
    f->elr = next_pc(f, esr);
}

void exc_clear(void) {
    exc_el2.count = exc_el1.count = 0;
    exc_el2.esr = exc_el1.esr = 0;
    dsb(sy);
}

void catch_install(void) {
    exc_clear();
    rt_el2_handler = catch_el2;
    rt_el1_handler = catch_el1;
}

static void print_rec(const char *label, volatile struct exc_rec *r, int el2) {
    if (r->count == 0) {
        printf("%s: no exception\n", label);
        return;
    }
    unsigned long ec = ESR_EC(r->esr);
    unsigned long iss = ESR_ISS(r->esr);
    // A data abort from EL2's own stage 1: the Arm ARM gives the
    // instruction syndrome (ISS[24:14]: ISV, SAS, SSE, SRT, SF, AR) only for
    // stage 2 aborts, QEMU 7.2 gives it for every abort taken to EL2. Print
    // what both agree on.
    if (el2 && ec == EC_DABT_CUR) iss &= ~(0x7fful << 14);
    printf("%s: EC=%02lx IL=%lu ISS=%07lx ELR=%lx", label, ec, (r->esr >> 25) & 1, iss, r->elr);
    // FAR is UNKNOWN for other exceptions, HPFAR for all but stage-2 aborts.
    if (ec == EC_IABT_LOW || ec == EC_IABT_CUR || ec == EC_PC_ALIGN || ec == EC_DABT_LOW || ec == EC_DABT_CUR)
        printf(" FAR=%lx", r->far);
    if (el2 && (ec == EC_IABT_LOW || ec == EC_DABT_LOW)) printf(" HPFAR=%lx", r->hpfar);
    printf(" from %s", RT_FROM_LOWER(r->kind) ? "lower EL" : "same EL");
    if (r->count > 1) printf(" (%lu exceptions)", r->count);
    printf("\n");
}

void print_exc_el2(const char *label) { print_rec(label, &exc_el2, 1); }
void print_exc_el1(const char *label) { print_rec(label, &exc_el1, 0); }
