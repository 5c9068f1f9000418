// Helpers shared by the test programs: trap catching (record the trap CSRs,
// step over the faulting instruction, or return to ra after a fetch fault)
// and printing what was caught.
#pragma once
#include "rt/rt.h"

struct trap_rec {
    unsigned long count;
    unsigned long cause, tval, epc, tval2, tinst, status, hstatus;
};

// Filled by catch_m / catch_s / catch_vs.
extern volatile struct trap_rec trap_m, trap_s, trap_vs;

// Called for interrupts (the handler must clear the source); may be NULL.
extern void (*irq_hook_m)(unsigned long cause);
extern void (*irq_hook_s)(unsigned long cause);
extern void (*irq_hook_vs)(unsigned long cause);

static inline int is_fetch_fault(unsigned long cause) {
    return cause == 0 || cause == 1 || cause == 12 || cause == 20;
}

void catch_m(struct rt_frame *f);
void catch_s(struct rt_frame *f);
void catch_vs(struct rt_frame *f);
// Install catch_* as the handlers and clear the records.
void catch_install(void);
void trap_clear(void);

// "label: cause=.. tval=.. " for the M record (or "no trap").
void print_trap_m(const char *label);
void print_trap_s(const char *label);
void print_trap_vs(const char *label);

// Jump to addr (as a call, so that a fetch fault can return to ra).
static inline void call_addr(unsigned long addr) {
    __asm__ volatile("jalr ra, 0(%0)" :: "r"(addr) : "ra", "memory");
}
