// Entry: the multiboot header, the 32-bit start (identity map, long mode),
// the real-mode trampoline the other CPUs start in, and the GDT.
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003   // page-aligned modules, memory information
#define STACK_SIZE 16384
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18
#define TRAMPOLINE 0x8000

    .section .multiboot, "a"
    .p2align 2
#ifndef RT_VM
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
#else
// Guests for hosted VMs are ELF64 (their reset page is a second segment
// near 4 GiB): the a.out-kludge fields (flag 16) make multiboot loaders
// load the first segment from the file as is and ignore the ELF headers.
#define MB_FLAGS_VM (MB_FLAGS | 0x10000)
    .long MB_MAGIC, MB_FLAGS_VM, -(MB_MAGIC + MB_FLAGS_VM)
    .long __image_start, __image_start, __data_end, __end, _start
#endif

// ---- 32-bit protected mode, paging off (the loader's state)
    .section .text.boot32, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    movl %eax, rt_boot_magic
    movl %ebx, rt_boot_info
    lgdt gdt_ptr32
    ljmp $SEL_CODE32, $1f
1:  movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movl $(bsp_stack + STACK_SIZE), %esp
    // Identity map 0-4 GiB with 2 MiB pages; the 4th GiB uncached (PCD|PWT).
    movl $rt_pdpt, %eax
    orl $3, %eax
    movl %eax, rt_pml4
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $12, %eax
    addl $rt_pd, %eax
    orl $3, %eax
    movl %eax, rt_pdpt(, %ecx, 8)
    incl %ecx
    cmpl $4, %ecx
    jne 2b
    xorl %ecx, %ecx
3:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax            // P, W, PS
    cmpl $1536, %ecx
    jb 4f
    orl $0x18, %eax            // PCD, PWT
4:  movl %eax, rt_pd(, %ecx, 8)
    movl $0, rt_pd + 4(, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jne 3b
    movl $bsp_stack + STACK_SIZE, %esp
    movl $0, %edi              // CPU index 0: the BSP
    jmp enter_long_mode

// Common to every CPU: ESP = its stack, EDI = 0 for the BSP, else its APIC ID.
enter_long_mode:
    movl %cr4, %eax
    orl $(1 << 5), %eax        // PAE
    movl %eax, %cr4
    movl $rt_pml4, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx     // EFER: LME, NXE
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16) | (1 << 5) | 1), %eax   // PG, WP, NE, PE
    movl %eax, %cr0
    ljmp $SEL_CODE64, $long_mode

// Other CPUs, once in protected mode: stack by APIC ID (read with paging off).
ap_entry32:
    movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movl 0xfee00020, %edi
    shrl $24, %edi
    movl %edi, %esp
    andl $7, %esp
    incl %esp
    shll $14, %esp             // (id % 8 + 1) * STACK_SIZE
    addl $ap_stacks, %esp
    jmp enter_long_mode

// ---- Real mode: SIPI vector 0x08 starts the other CPUs at 0800:0000. The
// runtime copies this code to TRAMPOLINE; it must be position independent
// within its segment and refer to its data by offset from its start.
    .section .text.boot16, "ax"
    .code16
    .globl rt_trampoline_start, rt_trampoline_end, rt_trampoline_cs, rt_trampoline_cr0
rt_trampoline_start:
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    movw %ax, (rt_trampoline_cs - rt_trampoline_start)     // proof of where it started
    movl %cr0, %eax
    movl %eax, (rt_trampoline_cr0 - rt_trampoline_start)
    lgdtl (tramp_gdt_ptr - rt_trampoline_start)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $SEL_CODE32, $ap_entry32
    .p2align 3
tramp_gdt_ptr:
    .word gdt_end - rt_gdt - 1
    .long rt_gdt
rt_trampoline_cr0: .long 0
rt_trampoline_cs: .word 0
rt_trampoline_end:

// ---- 64-bit
    .text
    .code64
long_mode:
    movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    movl %esp, %esp            // zero-extend the stack pointer
    lgdt gdt_ptr64(%rip)
    testl %edi, %edi
    jnz 1f
    call rt_main
    jmp 2f
1:  call rt_ap_start
2:  cli
    hlt
    jmp 2b

// ---- GDT: null, 64-bit code, data, 32-bit code, 16-bit code, TSS (16 bytes).
    .data
    .p2align 4
    .globl rt_gdt
rt_gdt:
    .quad 0
    .quad 0x00af9a000000ffff   // 0x08 64-bit code
    .quad 0x00cf92000000ffff   // 0x10 data, 4 GiB
    .quad 0x00cf9a000000ffff   // 0x18 32-bit code, 4 GiB
    .quad 0x00009a000000ffff   // 0x20 16-bit code, 64 KiB
    .quad 0, 0                 // 0x28 TSS, filled in by rt.c
gdt_end:
    .globl rt_gdt_limit
    .set rt_gdt_limit, gdt_end - rt_gdt - 1
gdt_ptr32:
    .word gdt_end - rt_gdt - 1
    .long rt_gdt
    .p2align 3
gdt_ptr64:
    .word gdt_end - rt_gdt - 1
    .quad rt_gdt

    .globl rt_boot_magic, rt_boot_info
rt_boot_magic: .long 0
rt_boot_info: .long 0

    .bss
    .p2align 12
    .globl rt_pml4, rt_pdpt, rt_pd
rt_pml4: .skip 4096
rt_pdpt: .skip 4096
rt_pd: .skip 4 * 4096
bsp_stack: .skip STACK_SIZE
ap_stacks: .skip 9 * STACK_SIZE
