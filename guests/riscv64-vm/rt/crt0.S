// Start-up and the S-mode trap vector of the VM guests. The boot hart
// enters at _start (a0 = hartid, a1 = device tree), clears .bss and calls
// main; harts started with SBI HSM hart_start enter at vm_secondary_entry
// (a0 = hartid, a1 = opaque) and call vm_secondary_main. Each hart has a
// stack and a trap stack chosen by its hartid; tp holds the hartid.
#include "config.h"

#include "trap_frame.S.inc"

// Per-hart set-up: sp, sscratch (trap stack), stvec, tp. a0 = hartid.
// Clobbers t0-t3.
.macro HART_SETUP
    li      t0, VM_MAX_HARTS
    bgeu    a0, t0, vm_park
    addi    t1, a0, 1
    li      t2, VM_STACK_SIZE
    mul     t2, t1, t2
    la      sp, vm_stacks
    add     sp, sp, t2
    li      t2, VM_TRAP_STACK_SIZE
    mul     t2, t1, t2
    la      t3, vm_trap_stacks
    add     t3, t3, t2
    csrw    sscratch, t3
    la      t0, vm_trap_entry
    csrw    stvec, t0
    csrw    sie, zero
    mv      tp, a0
.endm

    .section .text.start, "ax"
    .globl _start
_start:
    HART_SETUP
    mv      s0, a0
    mv      s1, a1
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  fence   rw, rw
    mv      a0, s0
    mv      a1, s1
    call    main
    call    vm_exit

    .text
    .globl vm_secondary_entry
    .balign 4
vm_secondary_entry:
    HART_SETUP
    call    vm_secondary_main
    call    sbi_hart_stop
vm_park:
    wfi
    j       vm_park

// sscratch holds the top of the hart's trap stack (no nesting).
    .balign 4
    .globl vm_trap_entry
vm_trap_entry:
    csrrw   sp, sscratch, sp
    addi    sp, sp, -VM_FRAME_SIZE
    SAVE_REGS
    csrr    t0, sscratch
    sd      t0, 16(sp)              // the interrupted sp
    addi    t0, sp, VM_FRAME_SIZE
    csrw    sscratch, t0
    mv      a0, sp
    call    vm_trap
    RESTORE_REGS
    sret

    .section .stacks, "aw", @nobits
    .balign 4096
vm_stacks:
    .zero VM_STACK_SIZE * VM_MAX_HARTS
vm_trap_stacks:
    .zero VM_TRAP_STACK_SIZE * VM_MAX_HARTS
