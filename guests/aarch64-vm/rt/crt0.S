// Start-up and the EL1 vector table of the VM guests. CPU 0 enters at
// _start at EL1 (MMU off), clears .bss and calls main; CPUs started with
// PSCI CPU_ON enter at vm_secondary_entry with x0 = the context id (their
// index) and call vm_secondary_main. tpidr_el1 holds the CPU index.
#include "config.h"

// x0 = CPU index. Clobbers x1, x2.
.macro CPU_SETUP
    mov     x1, #VM_STACK_SIZE
    add     x2, x0, #1
    mul     x1, x1, x2
    adrp    x2, vm_stacks
    add     x2, x2, :lo12:vm_stacks
    add     sp, x2, x1
    msr     tpidr_el1, x0
    adrp    x1, vm_vectors
    add     x1, x1, :lo12:vm_vectors
    msr     vbar_el1, x1
    isb
.endm

    .section .text.start, "ax"
    .globl _start
_start:
    mov     x0, #0
    CPU_SETUP
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  dsb     sy
    bl      main
    bl      vm_exit

    .text
    .globl vm_secondary_entry
    .balign 8
vm_secondary_entry:
    cmp     x0, #VM_MAX_CPUS
    b.hs    vm_park
    mov     x19, x0
    CPU_SETUP
    mov     x0, x19
    bl      vm_secondary_main
    bl      vm_cpu_off
vm_park:
    wfe
    b       vm_park

// Each entry saves x0/x1, puts its index (0-15) in x1 and joins vm_common.
.macro VENTRY idx
    .balign 0x80
    sub     sp, sp, #VM_FRAME_SIZE
    stp     x0, x1, [sp]
    mov     x1, #\idx
    b       vm_common
.endm

    .balign 0x800
    .globl vm_vectors
vm_vectors:
    VENTRY 0
    VENTRY 1
    VENTRY 2
    VENTRY 3
    VENTRY 4
    VENTRY 5
    VENTRY 6
    VENTRY 7
    VENTRY 8
    VENTRY 9
    VENTRY 10
    VENTRY 11
    VENTRY 12
    VENTRY 13
    VENTRY 14
    VENTRY 15
vm_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el1
    stp     x30, x2, [sp, #240]
    mrs     x2, spsr_el1
    add     x3, sp, #VM_FRAME_SIZE
    stp     x2, x3, [sp, #VM_FRAME_SPSR]
    mov     x0, sp
    bl      vm_trap
    ldp     x30, x2, [sp, #240]
    msr     elr_el1, x2
    ldr     x2, [sp, #VM_FRAME_SPSR]
    msr     spsr_el1, x2
    ldp     x28, x29, [sp, #224]
    ldp     x26, x27, [sp, #208]
    ldp     x24, x25, [sp, #192]
    ldp     x22, x23, [sp, #176]
    ldp     x20, x21, [sp, #160]
    ldp     x18, x19, [sp, #144]
    ldp     x16, x17, [sp, #128]
    ldp     x14, x15, [sp, #112]
    ldp     x12, x13, [sp, #96]
    ldp     x10, x11, [sp, #80]
    ldp     x8, x9, [sp, #64]
    ldp     x6, x7, [sp, #48]
    ldp     x4, x5, [sp, #32]
    ldp     x2, x3, [sp, #16]
    ldp     x0, x1, [sp]
    add     sp, sp, #VM_FRAME_SIZE
    eret

    .section .stacks, "aw", @nobits
    .balign 4096
vm_stacks:
    .zero VM_STACK_SIZE * VM_MAX_CPUS
