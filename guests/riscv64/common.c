// Trap catching for the test programs (see common.h).
#include "common.h"

volatile struct trap_rec trap_m, trap_s, trap_vs;
void (*irq_hook_m)(unsigned long cause);
void (*irq_hook_s)(unsigned long cause);
void (*irq_hook_vs)(unsigned long cause);

static unsigned long next_pc(struct rt_frame *f, unsigned long cause, unsigned long epc) {
    // After a fetch fault, return to the caller. The test programs keep
    // their code in RAM (identity-mapped): an epc outside RAM can only be a
    // fetch fault reported with another cause, handled the same way.
    if (is_fetch_fault(cause) || epc < 0x80000000ul || epc >= 0x88000000ul) return f->x[1];
    return epc + rt_insn_len(epc);
}

void catch_m(struct rt_frame *f) {
    unsigned long cause = csr_read(mcause);
    if (cause & CAUSE_INTERRUPT) {
        trap_m.count++;
        trap_m.cause = cause;
        if (irq_hook_m) irq_hook_m(cause);
        else rt_exit(97);
        return;
    }
    unsigned long epc = csr_read(mepc);
    // The first exception since trap_clear() is the one the test is about.
    if (trap_m.count++ == 0) {
        trap_m.cause = cause;
        trap_m.tval = csr_read(mtval);
        trap_m.epc = epc;
        trap_m.tval2 = csr_read(mtval2);
        trap_m.tinst = csr_read(mtinst);
        trap_m.status = csr_read(mstatus);
    }
    // Every program keeps its code identity-mapped, so the faulting
    // instruction can be read at its virtual address from M.
    csr_write(mepc, next_pc(f, cause, epc));
}

static void catch_s_common(struct rt_frame *f, volatile struct trap_rec *r, void (*hook)(unsigned long), int virt) {
    unsigned long cause = csr_read(scause);
    if (cause & CAUSE_INTERRUPT) {
        r->count++;
        r->cause = cause;
        if (hook) hook(cause);
        else rt_exit(96);
        return;
    }
    unsigned long epc = csr_read(sepc);
    if (r->count++ == 0) {
        r->cause = cause;
        r->tval = csr_read(stval);
        r->epc = epc;
        r->status = csr_read(sstatus);
        if (!virt) {
            r->tval2 = csr_read(htval);
            r->tinst = csr_read(htinst);
            r->hstatus = csr_read(hstatus);
        }
    }
    csr_write(sepc, next_pc(f, cause, epc));
}

void catch_s(struct rt_frame *f) { catch_s_common(f, &trap_s, irq_hook_s, 0); }
void catch_vs(struct rt_frame *f) { catch_s_common(f, &trap_vs, irq_hook_vs, 1); }

void trap_clear(void) {
    trap_m.count = trap_s.count = trap_vs.count = 0;
    trap_m.cause = trap_s.cause = trap_vs.cause = 0;
}

void catch_install(void) {
    trap_clear();
    rt_m_handler = catch_m;
    rt_s_handler = catch_s;
    rt_vs_handler = catch_vs;
    csr_write(stvec, (unsigned long)rt_svec);
    csr_write(vstvec, (unsigned long)rt_vsvec);
}

static void print_rec(const char *who, const char *label, volatile struct trap_rec *r) {
    if (r->count == 0) {
        printf("%s: no trap\n", label);
        return;
    }
    printf("%s: %s trap cause=%lx tval=%lx epc=%lx\n", label, who, r->cause, r->tval, r->epc);
}

void print_trap_m(const char *label) { print_rec("M", label, &trap_m); }
void print_trap_s(const char *label) { print_rec("HS", label, &trap_s); }
void print_trap_vs(const char *label) { print_rec("VS", label, &trap_vs); }
