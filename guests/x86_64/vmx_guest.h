// What vmx.c (the host) and vmx_guest.c (the guest code) share.
#pragma once
#include "rt/rt.h"

// Hypercalls (VMCALL with RAX = function, RBX = argument).
enum { HC_ECHO = 1, HC_INJECT_IRQ = 2, HC_REAL = 3, HC_WINDOW = 4, HC_DONE = 5, HC_INJECT_GP = 6 };
#define VEC_SELF_IPI 0x50
#define VEC_INJECTED 0x41
#define REAL_GUEST_BASE 0x9000ul

extern volatile unsigned guest_irq_count, guest_gp_count, host_saw_ext_int;
extern volatile uint64_t guest_gp_error;
extern uint8_t guest_ro_page[4096], guest_lazy_page[4096];
extern char real_guest_start[], real_guest_end[], guest_after_window[];
void guest_main(void);
void guest_on_irq(struct rt_frame *f);
void guest_on_gp(struct rt_frame *f);
