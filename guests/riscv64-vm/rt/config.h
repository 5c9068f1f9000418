// Sizes shared by the runtime's assembly and C.
#pragma once

#define VM_MAX_HARTS 8
#define VM_STACK_SIZE 16384
#define VM_TRAP_STACK_SIZE 8192
#define VM_FRAME_SIZE 256
