// Start-up and the S-mode trap vector of the VM guests. The boot hart
// enters at _start (a0 = hartid, a1 = device tree), clears .bss and calls
// main; harts started with SBI HSM hart_start enter at vm_secondary_entry
// (a0 = hartid, a1 = opaque) and call vm_secondary_main. Each hart has a
// stack and a trap stack chosen by its hartid; tp holds the hartid.
#include "config.h"

.macro SAVE_REGS
    sd      x1, 8(sp)
    sd      x3, 24(sp)
    sd      x4, 32(sp)
    sd      x5, 40(sp)
    sd      x6, 48(sp)
    sd      x7, 56(sp)
    sd      x8, 64(sp)
    sd      x9, 72(sp)
    sd      x10, 80(sp)
    sd      x11, 88(sp)
    sd      x12, 96(sp)
    sd      x13, 104(sp)
    sd      x14, 112(sp)
    sd      x15, 120(sp)
    sd      x16, 128(sp)
    sd      x17, 136(sp)
    sd      x18, 144(sp)
    sd      x19, 152(sp)
    sd      x20, 160(sp)
    sd      x21, 168(sp)
    sd      x22, 176(sp)
    sd      x23, 184(sp)
    sd      x24, 192(sp)
    sd      x25, 200(sp)
    sd      x26, 208(sp)
    sd      x27, 216(sp)
    sd      x28, 224(sp)
    sd      x29, 232(sp)
    sd      x30, 240(sp)
    sd      x31, 248(sp)
.endm
.macro RESTORE_REGS
    ld      x1, 8(sp)
    ld      x3, 24(sp)
    ld      x4, 32(sp)
    ld      x5, 40(sp)
    ld      x6, 48(sp)
    ld      x7, 56(sp)
    ld      x8, 64(sp)
    ld      x9, 72(sp)
    ld      x10, 80(sp)
    ld      x11, 88(sp)
    ld      x12, 96(sp)
    ld      x13, 104(sp)
    ld      x14, 112(sp)
    ld      x15, 120(sp)
    ld      x16, 128(sp)
    ld      x17, 136(sp)
    ld      x18, 144(sp)
    ld      x19, 152(sp)
    ld      x20, 160(sp)
    ld      x21, 168(sp)
    ld      x22, 176(sp)
    ld      x23, 184(sp)
    ld      x24, 192(sp)
    ld      x25, 200(sp)
    ld      x26, 208(sp)
    ld      x27, 216(sp)
    ld      x28, 224(sp)
    ld      x29, 232(sp)
    ld      x30, 240(sp)
    ld      x31, 248(sp)
    ld      x2, 16(sp)
.endm

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
