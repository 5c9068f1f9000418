// The reset page: a VMM's vCPU starts here in real mode, as a PC's CPU
// does (CS selector 0xf000, base 0xffff0000, IP 0xfff0). It loads the
// runtime's GDT, sets CR0.PE and jumps to the runtime's 32-bit entry with
// EAX = 0 (no multiboot loader) and EBX = 0. The data segments are loaded
// flat first: after reset their limit is 64 KiB, and the runtime's entry
// stores above 1 MiB before it loads them itself.
#define SEL_CODE32 0x18
#define SEL_DATA 0x10
    .section .reset, "ax"
    .code16
reset_code:
    cli
    cld
    lgdtl %cs:(reset_gdtr - 0xffff0000)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    xorl %ebx, %ebx
    ljmpl $SEL_CODE32, $_start
    .p2align 3
reset_gdtr:
    .word rt_gdt_limit
    .long rt_gdt

    .section .reset.vector, "ax"
    .globl rt_reset_vector
rt_reset_vector:
    jmp reset_code
