// Start-up and exception entry for the bare-metal AArch64 guests: per-CPU
// stacks, EL2 set-up, the EL2 and EL1 vector tables (save all registers,
// call C), and rt_enter_el1/rt_resume to run a C function at EL1.
// The state the machine gives an ELF kernel is described in rt.h.
#include "rt_config.h"

// Per-CPU set-up at EL2. x0 = CPU index (< RT_MAX_CPUS). Clobbers x0-x3.
.macro CPU_SETUP
    msr     spsel, #1
    mov     x1, #RT_STACK_SIZE
    add     x2, x0, #1
    mul     x1, x1, x2
    adrp    x2, rt_stacks
    add     x2, x2, :lo12:rt_stacks
    add     sp, x2, x1
    msr     tpidr_el2, x0
    adrp    x1, rt_vectors_el2
    add     x1, x1, :lo12:rt_vectors_el2
    msr     vbar_el2, x1
    adrp    x1, rt_vectors_el1
    add     x1, x1, :lo12:rt_vectors_el1
    msr     vbar_el1, x1
    // EL1 is AArch64; nothing trapped or redirected yet; stage 2 off.
    mov     x1, #(1 << 31)
    msr     hcr_el2, x1
    msr     vttbr_el2, xzr
    // MMUs and caches off, alignment checks off (RES1 bits only).
    ldr     x1, =0x30c50830
    msr     sctlr_el2, x1
    ldr     x1, =0x30d00800
    msr     sctlr_el1, x1
    // FP/SIMD not trapped at EL2 (CPTR_EL2 RES1 bits) nor at EL1/EL0.
    ldr     x1, =0x33ff
    msr     cptr_el2, x1
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    // EL1 may use the physical timer and counter; no virtual offset.
    mov     x1, #3
    msr     cnthctl_el2, x1
    msr     cntvoff_el2, xzr
    // The virtual IDs EL1 reads are the real ones.
    mrs     x1, midr_el1
    msr     vpidr_el2, x1
    mrs     x1, mpidr_el1
    msr     vmpidr_el2, x1
    // GICv3 CPU interface: system registers on, and EL1 may use them.
    mrs     x1, id_aa64pfr0_el1
    ubfx    x1, x1, #24, #4
    cbz     x1, 1f
    mov     x1, #0xf
    msr     S3_4_C12_C9_5, x1        // ICC_SRE_EL2
    isb
    mov     x1, #7
    msr     S3_0_C12_C12_5, x1       // ICC_SRE_EL1
1:  isb
.endm

    .section .text.start, "ax"
    .globl _start
_start:
    // Keep what the loader left in x0-x3 for rt_boot_regs.
    mov     x19, x0
    mov     x20, x1
    mov     x21, x2
    mov     x22, x3
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff
    cbnz    x0, rt_park
    CPU_SETUP
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  adrp    x0, rt_boot_regs
    add     x0, x0, :lo12:rt_boot_regs
    stp     x19, x20, [x0]
    stp     x21, x22, [x0, #16]
    dsb     sy
    bl      main
    bl      rt_exit

// Entry of CPUs started with PSCI CPU_ON: x0 = context id = CPU index.
    .text
    .globl rt_secondary_entry
    .balign 8
rt_secondary_entry:
    cmp     x0, #RT_MAX_CPUS
    b.hs    rt_park
    mov     x19, x0
    CPU_SETUP
    mov     x0, x19
    bl      rt_secondary_main
    bl      rt_cpu_off
rt_park:
    wfe
    b       rt_park

// ---- Vector tables -----------------------------------------------------------
// Each entry saves x0/x1, puts its index (0-15: current EL SP0, current EL
// SPx, lower EL AArch64, lower EL AArch32; each sync, IRQ, FIQ, SError) in
// x1 and joins the common code of its EL.
.macro VENTRY el, idx
    .balign 0x80
    sub     sp, sp, #RT_FRAME_SIZE
    stp     x0, x1, [sp]
    mov     x1, #\idx
    b       rt_common_\el
.endm

.macro VCOMMON el
rt_common_\el:
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
    mrs     x2, elr_\el
    stp     x30, x2, [sp, #240]
    mrs     x2, spsr_\el
    add     x3, sp, #RT_FRAME_SIZE
    stp     x2, x3, [sp, #RT_FRAME_SPSR]
    mov     x0, sp
    bl      rt_trap_\el
    ldp     x30, x2, [sp, #240]
    msr     elr_\el, x2
    ldr     x2, [sp, #RT_FRAME_SPSR]
    msr     spsr_\el, x2
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
    add     sp, sp, #RT_FRAME_SIZE
    eret
.endm

.macro VTABLE el
    .balign 0x800
    .globl rt_vectors_\el
rt_vectors_\el:
    VENTRY \el, 0
    VENTRY \el, 1
    VENTRY \el, 2
    VENTRY \el, 3
    VENTRY \el, 4
    VENTRY \el, 5
    VENTRY \el, 6
    VENTRY \el, 7
    VENTRY \el, 8
    VENTRY \el, 9
    VENTRY \el, 10
    VENTRY \el, 11
    VENTRY \el, 12
    VENTRY \el, 13
    VENTRY \el, 14
    VENTRY \el, 15
    VCOMMON \el
.endm

    VTABLE el2
    VTABLE el1

// ---- Running code at EL1 -------------------------------------------------------
// unsigned long rt_enter_el1(unsigned long (*fn)(unsigned long), unsigned long arg)
// runs fn(arg) at EL1h with interrupts masked, on the CPU's EL1 stack (which
// is also its EL1 exception stack). When fn returns, HVC #RT_HVC_RETURN
// brings its result to EL2 and rt_resume returns it from rt_enter_el1.
    .globl rt_enter_el1
rt_enter_el1:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mrs     x9, tpidr_el2
    adrp    x10, rt_saved_sp
    add     x10, x10, :lo12:rt_saved_sp
    mov     x11, sp
    str     x11, [x10, x9, lsl #3]
    add     x11, x9, #1
    mov     x12, #RT_STACK_SIZE
    mul     x11, x11, x12
    adrp    x12, rt_el1_stacks
    add     x12, x12, :lo12:rt_el1_stacks
    add     x12, x12, x11
    msr     sp_el1, x12
    msr     elr_el2, x0
    mov     x0, x1
    mov     x9, #0x3c5              // EL1h, D, A, I, F masked
    msr     spsr_el2, x9
    adrp    x30, rt_el1_return
    add     x30, x30, :lo12:rt_el1_return
    isb
    eret

    .globl rt_el1_return
rt_el1_return:
    hvc     #RT_HVC_RETURN
    b       rt_el1_return

// void rt_resume(unsigned long value): back to the caller of rt_enter_el1 (EL2).
    .globl rt_resume
rt_resume:
    mrs     x9, tpidr_el2
    adrp    x10, rt_saved_sp
    add     x10, x10, :lo12:rt_saved_sp
    ldr     x11, [x10, x9, lsl #3]
    mov     sp, x11
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

    .bss
    .balign 8
    .globl rt_boot_regs
rt_boot_regs:
    .zero 32
rt_saved_sp:
    .zero 8 * RT_MAX_CPUS

    .section .stacks, "aw", @nobits
    .balign 4096
rt_stacks:
    .zero RT_STACK_SIZE * RT_MAX_CPUS
rt_el1_stacks:
    .zero RT_STACK_SIZE * RT_MAX_CPUS
