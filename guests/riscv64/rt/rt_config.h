// Sizes and magic numbers shared by the runtime's assembly and C.
#pragma once

#define RT_MAX_HARTS 4
#define RT_STACK_SIZE 16384
#define RT_TRAP_STACK_SIZE 8192
#define RT_FRAME_SIZE 256
// a7 of the ecall that ends rt_enter's lower-mode function.
#define RT_SYS_EXIT 0x52545845
