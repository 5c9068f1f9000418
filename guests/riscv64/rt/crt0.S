// Start-up and trap entry for the bare-metal guests: per-hart stacks,
// PMP opened for S/U, the M and S trap vectors (save all registers, call C),
// and rt_enter/rt_resume to run a C function in a lower privilege mode.
#include "rt_config.h"

#include "trap_frame.S.inc"

    .section .text.start, "ax"
    .globl _start
_start:
    // a0 = hartid, a1 = device tree (set by the machine)
    csrw    mie, zero
    la      t0, rt_mvec
    csrw    mtvec, t0
    // Give S and U access to everything (no PMP entry matches means no access).
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f                // NAPOT, R, W, X
    csrw    pmpcfg0, t0
    // FPU on (FS = Initial), so the C code may use it.
    li      t0, (1 << 13)
    csrs    mstatus, t0
    csrw    fcsr, zero
    li      t0, RT_MAX_HARTS
    bgeu    a0, t0, rt_park
    // sp = top of this hart's stack; mscratch = top of its M trap stack.
    addi    t1, a0, 1
    li      t2, RT_STACK_SIZE
    mul     t2, t1, t2
    la      sp, rt_stacks
    add     sp, sp, t2
    li      t2, RT_TRAP_STACK_SIZE
    mul     t2, t1, t2
    la      t3, rt_mtrap_stacks
    add     t3, t3, t2
    csrw    mscratch, t3
    mv      tp, a0
    mv      s0, a0
    mv      s1, a1
    bnez    s0, 2f
    // Hart 0 clears .bss, then lets the others go.
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 3f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
3:  fence   rw, rw
    li      t0, 1
    la      t1, rt_boot_done
    sw      t0, 0(t1)
    mv      a0, s0
    mv      a1, s1
    call    main
    call    rt_exit
2:  // Secondary harts wait for .bss, then run rt_secondary_main (parks by default).
    la      t1, rt_boot_done
4:  lw      t0, 0(t1)
    beqz    t0, 4b
    fence   rw, rw
    mv      a0, s0
    mv      a1, s1
    call    rt_secondary_main
rt_park:
    wfi
    j       rt_park

// ---- M-mode trap vector ----------------------------------------------------
// mscratch holds the top of the hart's M trap stack. The handler must not
// trap itself (no nesting).
    .text
    .balign 4
    .globl rt_mvec
rt_mvec:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -RT_FRAME_SIZE
    SAVE_REGS
    csrr    t0, mscratch
    sd      t0, 16(sp)              // the interrupted sp
    addi    t0, sp, RT_FRAME_SIZE
    csrw    mscratch, t0
    mv      a0, sp
    call    rt_trap_m
    RESTORE_REGS
    mret

// ---- S-mode trap vectors (HS and VS) ---------------------------------------
// sscratch (vsscratch when V=1) holds the top of the S trap stack.
    .balign 4
    .globl rt_svec
rt_svec:
    csrrw   sp, sscratch, sp
    addi    sp, sp, -RT_FRAME_SIZE
    SAVE_REGS
    csrr    t0, sscratch
    sd      t0, 16(sp)
    addi    t0, sp, RT_FRAME_SIZE
    csrw    sscratch, t0
    mv      a0, sp
    li      a1, 0
    call    rt_trap_s
    RESTORE_REGS
    sret

    .balign 4
    .globl rt_vsvec
rt_vsvec:
    csrrw   sp, sscratch, sp
    addi    sp, sp, -RT_FRAME_SIZE
    SAVE_REGS
    csrr    t0, sscratch
    sd      t0, 16(sp)
    addi    t0, sp, RT_FRAME_SIZE
    csrw    sscratch, t0
    mv      a0, sp
    li      a1, 1
    call    rt_trap_s
    RESTORE_REGS
    sret

// ---- Running code in a lower privilege mode ---------------------------------
// unsigned long rt_enter(unsigned long mstatus_bits, fn, arg)
//   mstatus_bits: MPP and MPV as they should be for mret.
// fn(arg) runs on the hart's lower stack; when it returns (or calls
// rt_lower_exit), an ecall with a7 = RT_SYS_EXIT reaches M and rt_resume
// returns its a0 from rt_enter.
    .globl rt_enter
rt_enter:
    addi    sp, sp, -112
    sd      ra, 0(sp)
    sd      s0, 8(sp)
    sd      s1, 16(sp)
    sd      s2, 24(sp)
    sd      s3, 32(sp)
    sd      s4, 40(sp)
    sd      s5, 48(sp)
    sd      s6, 56(sp)
    sd      s7, 64(sp)
    sd      s8, 72(sp)
    sd      s9, 80(sp)
    sd      s10, 88(sp)
    sd      s11, 96(sp)
    la      t0, rt_saved_msp
    slli    t1, tp, 3
    add     t0, t0, t1
    sd      sp, 0(t0)
    li      t0, (3 << 11)
    csrc    mstatus, t0
    li      t0, 1
    slli    t0, t0, 39              // MPV
    csrc    mstatus, t0
    csrs    mstatus, a0
    csrw    mepc, a1
    // S and VS trap stacks
    addi    t1, tp, 1
    li      t2, RT_TRAP_STACK_SIZE
    mul     t2, t1, t2
    la      t3, rt_strap_stacks
    add     t3, t3, t2
    csrw    sscratch, t3
    la      t3, rt_vstrap_stacks
    add     t3, t3, t2
    csrw    vsscratch, t3
    li      t2, RT_STACK_SIZE
    mul     t2, t1, t2
    la      sp, rt_lower_stacks
    add     sp, sp, t2
    mv      a0, a2
    la      ra, rt_lower_exit
    mret

    .globl rt_lower_exit
rt_lower_exit:
    li      a7, RT_SYS_EXIT
    ecall
    j       rt_lower_exit

// void rt_resume(unsigned long value): back to the caller of rt_enter (M-mode).
    .globl rt_resume
rt_resume:
    la      t0, rt_saved_msp
    slli    t1, tp, 3
    add     t0, t0, t1
    ld      sp, 0(t0)
    // The M trap stack is free again.
    addi    t1, tp, 1
    li      t2, RT_TRAP_STACK_SIZE
    mul     t2, t1, t2
    la      t3, rt_mtrap_stacks
    add     t3, t3, t2
    csrw    mscratch, t3
    ld      ra, 0(sp)
    ld      s0, 8(sp)
    ld      s1, 16(sp)
    ld      s2, 24(sp)
    ld      s3, 32(sp)
    ld      s4, 40(sp)
    ld      s5, 48(sp)
    ld      s6, 56(sp)
    ld      s7, 64(sp)
    ld      s8, 72(sp)
    ld      s9, 80(sp)
    ld      s10, 88(sp)
    ld      s11, 96(sp)
    addi    sp, sp, 112
    ret

    .bss
    .balign 8
    .globl rt_boot_done
rt_boot_done:
    .zero 8
rt_saved_msp:
    .zero 8 * RT_MAX_HARTS

    .section .stacks, "aw", @nobits
    .balign 4096
    .globl rt_stacks, rt_lower_stacks
rt_stacks:
    .zero RT_STACK_SIZE * RT_MAX_HARTS
rt_lower_stacks:
    .zero RT_STACK_SIZE * RT_MAX_HARTS
rt_mtrap_stacks:
    .zero RT_TRAP_STACK_SIZE * RT_MAX_HARTS
rt_strap_stacks:
    .zero RT_TRAP_STACK_SIZE * RT_MAX_HARTS
rt_vstrap_stacks:
    .zero RT_TRAP_STACK_SIZE * RT_MAX_HARTS
