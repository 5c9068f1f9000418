// Host side of a VM entry: saves the host's callee-saved registers, points
// HOST_RSP/HOST_RIP at this stack and at vmx_exit, loads the guest's
// registers and enters; a VM exit lands at vmx_exit with the host's RSP.
// int vmx_run(struct vmx_gprs *g /* rdi */, int launched /* esi */)
    .text
    .code64
    .globl vmx_run
vmx_run:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rdi
    movl $0x6c14, %eax          // HOST_RSP
    vmwrite %rsp, %rax
    leaq vmx_exit(%rip), %rdx
    movl $0x6c16, %eax          // HOST_RIP
    vmwrite %rdx, %rax
    testl %esi, %esi            // the flags survive the loads below
    movq 0(%rdi), %rax
    movq 8(%rdi), %rbx
    movq 16(%rdi), %rcx
    movq 24(%rdi), %rdx
    movq 32(%rdi), %rsi
    movq 48(%rdi), %rbp
    movq 56(%rdi), %r8
    movq 64(%rdi), %r9
    movq 72(%rdi), %r10
    movq 80(%rdi), %r11
    movq 88(%rdi), %r12
    movq 96(%rdi), %r13
    movq 104(%rdi), %r14
    movq 112(%rdi), %r15
    movq 40(%rdi), %rdi
    jnz 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  // VMfail: CF = VMfailInvalid, else ZF = VMfailValid.
    movl $1, %eax
    jc 3f
    movl $2, %eax
3:  popq %rdi
    jmp 4f

vmx_exit:
    pushq %rdi
    movq 8(%rsp), %rdi
    movq %rax, 0(%rdi)
    movq %rbx, 8(%rdi)
    movq %rcx, 16(%rdi)
    movq %rdx, 24(%rdi)
    movq %rsi, 32(%rdi)
    popq %rax
    movq %rax, 40(%rdi)
    movq %rbp, 48(%rdi)
    movq %r8, 56(%rdi)
    movq %r9, 64(%rdi)
    movq %r10, 72(%rdi)
    movq %r11, 80(%rdi)
    movq %r12, 88(%rdi)
    movq %r13, 96(%rdi)
    movq %r14, 104(%rdi)
    movq %r15, 112(%rdi)
    popq %rdi
    xorl %eax, %eax
4:  popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
