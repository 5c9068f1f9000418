// Sizes and magic numbers shared by the runtime's assembly and C.
#pragma once

#define RT_MAX_CPUS 4
#define RT_STACK_SIZE 16384
// x0..x30, ELR, SPSR, the interrupted SP: 34 slots, rounded to 16 bytes.
#define RT_FRAME_SIZE 288
#define RT_FRAME_ELR 248
#define RT_FRAME_SPSR 256
#define RT_FRAME_SP 264
// HVC immediates the runtime keeps for itself: the return of an
// rt_enter_el1 function, and an exit requested from EL1.
#define RT_HVC_RETURN 0xfff0
#define RT_HVC_EXIT 0xfff1
