# Entry of the smoke guests: a0 = hartid, a1 = device tree (as the machine
# and QEMU pass them). Each hart gets a 4 KiB stack; main(hartid, dtb).
    .section .text.start, "ax"
    .globl _start
_start:
    la      t0, trap
    csrw    mtvec, t0
    la      sp, __stacks
    addi    t0, a0, 1
    slli    t0, t0, 12
    add     sp, sp, t0
    call    main
1:  j       1b

# Any trap ends the run with status 0xdead (status = mcause in the low bits
# would be ambiguous): the smoke guests take no traps.
    .align  2
trap:
    li      t0, 0x100000
    li      t1, (0xde << 16) | 0x3333
    sw      t1, 0(t0)
2:  j       2b
