// Exception catching for the test programs: record the syndrome registers
// of the first exception since exc_clear(), then step over the instruction
// (or return to x30 after an instruction abort), unless a fix-up hook
// repaired the cause and wants the instruction to run again.
#pragma once
#include "rt/rt.h"

struct exc_rec {
    unsigned long count;
    unsigned kind;
    uint64_t esr, elr, far, hpfar, spsr;
};

// Filled by the handlers catch_install() installs.
extern volatile struct exc_rec exc_el2, exc_el1;
// Interrupts at each EL go here (NULL: exit 97). The hook must clear the source.
extern void (*irq_hook_el2)(struct rt_frame *f, unsigned kind);
extern void (*irq_hook_el1)(struct rt_frame *f, unsigned kind);
// Synchronous exceptions at EL2: called after recording; a nonzero result
// means "fixed: run the instruction again" (the hook may also set f->elr).
extern int (*fix_hook_el2)(struct rt_frame *f, uint64_t esr);

void catch_install(void);
void exc_clear(void);
// "label: EC=.. ISS=.. ELR=.. FAR=.." (HPFAR too for EL2), or "label: no exception".
void print_exc_el2(const char *label);
void print_exc_el1(const char *label);
