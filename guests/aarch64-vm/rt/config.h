// Sizes shared by the runtime's assembly and C.
#pragma once

#define VM_MAX_CPUS 4
#define VM_STACK_SIZE 16384
// x0..x30, ELR, SPSR, the interrupted SP, rounded to 16 bytes.
#define VM_FRAME_SIZE 288
#define VM_FRAME_SPSR 256
