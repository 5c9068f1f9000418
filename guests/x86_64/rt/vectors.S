// The 256 interrupt vector stubs: each pushes a zero error code (unless the
// CPU pushed one) and its vector number, then saves the registers as a
// struct rt_frame and calls rt_dispatch(frame).
    .text
    .code64

// Exceptions that push an error code: #DF 8, #TS 10, #NP 11, #SS 12,
// #GP 13, #PF 14, #AC 17, #CP 21, #VC 29, #SX 30.
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

    .macro stub v
    .p2align 4
    .if HAS_ERROR(\v)
    pushq $\v
    .else
    pushq $0
    pushq $\v
    .endif
    jmp common
    .endm

    .p2align 4
    .altmacro
    .globl rt_vector_stubs
rt_vector_stubs:
    .set v, 0
    .rept 256
    stub %v
    .set v, v + 1
    .endr

common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    call rt_dispatch
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq
