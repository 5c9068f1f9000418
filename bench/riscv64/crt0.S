// Start-up and exit of the benchmark programs: one hart, M-mode, no
// interrupts. Hart 0 clears .bss and calls main; the others park.
// bench_exit ends the run through sifive_test (QEMU, hvemu) and falls back to
// HTIF's tohost (Spike) when that store does nothing or faults.

    .section .text.start, "ax"
    .globl _start
_start:
    // a0 = hartid, a1 = device tree (set by the machine; unused)
    csrw    mie, zero
    la      t0, bench_trap
    csrw    mtvec, t0
    // FPU on (FS = Initial): the compiler may use it for nothing, but a
    // stray FP instruction should not be what a benchmark measures.
    li      t0, (1 << 13)
    csrs    mstatus, t0
    bnez    a0, park
    la      sp, __stack_top
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    main
    call    bench_exit
park:
    wfi
    j       park

// Unexpected trap: report it from C on a stack of its own, then fail with
// status 3; a trap while reporting (no UART?) fails at once with status 4.
    .balign 4
bench_trap:
    la      t0, in_trap
    lw      t1, 0(t0)
    li      a0, 4
    bnez    t1, bench_exit
    li      t1, 1
    sw      t1, 0(t0)
    la      sp, __trap_stack_top
    call    bench_trap_report
    li      a0, 3
    call    bench_exit

// void bench_exit(int code): 0 = success.
    .text
    .globl  bench_exit
bench_exit:
    // A fault on the sifive_test store (no such device) lands on the HTIF
    // path with a0 still holding the code.
    la      t0, htif_exit
    csrw    mtvec, t0
    li      t1, 0x5555
    beqz    a0, 1f
    slli    t1, a0, 16
    li      t2, 0x3333
    or      t1, t1, t2
1:  li      t0, 0x100000
    sw      t1, 0(t0)
    .balign 4
htif_exit:
    // tohost = (code << 1) | 1 ends the simulation with that code.
    slli    a0, a0, 1
    ori     a0, a0, 1
    la      t0, tohost
    sd      a0, 0(t0)
3:  j       3b

    .bss
    .balign 4
in_trap:
    .word   0

    .section .tohost, "aw", @progbits
    .balign 64
    .globl  tohost
    .type   tohost, @object
    .size   tohost, 8
tohost:
    .dword  0
    .balign 64
    .globl  fromhost
    .type   fromhost, @object
    .size   fromhost, 8
fromhost:
    .dword  0
