// The code the vmx guest runs in VMX non-root operation: a 64-bit guest
// that causes one kind of VM exit after another, and a real-mode guest
// (unrestricted guest) that switches to protected mode. The host side is
// vmx.c; it prints each exit, so the guest prints little.
#include "vmx_guest.h"

volatile unsigned guest_irq_count, guest_gp_count, host_saw_ext_int;
volatile uint64_t guest_gp_error;
uint8_t guest_ro_page[4096] __attribute__((aligned(4096)));
uint8_t guest_lazy_page[4096] __attribute__((aligned(4096)));
static const char out_string[] = "VMX!";

static uint64_t vmcall(uint64_t fn, uint64_t arg) {
    __asm__ volatile("vmcall" : "+a"(fn) : "b"(arg) : "memory");
    return fn;
}

void guest_on_irq(struct rt_frame *f) {
    (void)f;
    guest_irq_count++;
}

void guest_on_gp(struct rt_frame *f) {
    guest_gp_count++;
    guest_gp_error = f->error;
}

void guest_main(void) {
    printf("  [guest] running in VMX non-root operation\n");
    // CPUID: the host answers leaf 0x4000_0000 with its own signature.
    struct cpuid_regs r = cpuid(0x40000000, 0);
    printf("  [guest] cpuid 40000000: %x %x %x %x\n", r.a, r.b, r.c, r.d);
    __asm__ volatile("hlt");
    printf("  [guest] vmcall(1, 7) = %lx\n", vmcall(HC_ECHO, 7));
    // Port I/O: port 0x80 and 0x510 are in the I/O bitmaps.
    __asm__ volatile("outb %%al, $0x80" :: "a"(0x5a));
    uint16_t w;
    __asm__ volatile("inw %%dx, %%ax" : "=a"(w) : "d"(0x510));
    printf("  [guest] inw 0x510 = %x\n", w);
    const char *p = out_string;
    uint64_t n = 4;
    __asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(0x80) : "memory");
    printf("  [guest] after rep outsb: rcx=%lu, rsi advanced by %lu\n", n, (uint64_t)(p - out_string));
    // MSRs: TSC (0x10) reads exit through the bitmap; FS_BASE does not;
    // KERNEL_GS_BASE writes exit.
    printf("  [guest] rdmsr 0x10 = %lx\n", rdmsr(0x10));
    printf("  [guest] rdmsr FS_BASE = %lx\n", rdmsr(MSR_FS_BASE));
    wrmsr(0xc0000102, 0x1122334455667788ul);
    // Control registers: CR3 loads exit; CR4.VMXE is owned by the host
    // (mask) and reads as the shadow, 0.
    uint64_t cr3 = read_cr(3);
    __asm__ volatile("mov %0, %%cr3" :: "b"(cr3) : "memory");
    uint64_t cr4 = read_cr(4);
    printf("  [guest] CR4.VMXE reads as %lu (the shadow)\n", (cr4 >> 13) & 1);
    __asm__ volatile("mov %0, %%cr4" :: "c"(cr4 | (1ul << 13)) : "memory");
    // EPT: a page the host has not mapped yet, and a read-only one.
    printf("  [guest] lazy page reads %x\n", *(volatile uint8_t *)&guest_lazy_page[0x10]);
    *(volatile uint8_t *)&guest_ro_page[0x20] = 0x77;
    printf("  [guest] read-only page now holds %x\n", guest_ro_page[0x20]);
    // Exceptions in the exception bitmap: #UD (ud2) and #BP (int3).
    __asm__ volatile("ud2");
    __asm__ volatile("int3");
    // An external interrupt (a self-IPI) with external-interrupt exiting:
    // it exits whatever RFLAGS.IF says. When it arrives is not
    // architectural; the guest waits for the host to have seen it.
    lapic_write(LAPIC_ICR_HI, 0);
    lapic_write(LAPIC_ICR_LO, 0x00044000 | VEC_SELF_IPI);   // fixed, self
    for (unsigned i = 0; i < 100000 && !host_saw_ext_int; i++) pause();
    // Event injection: an external interrupt (the guest must be
    // interruptible: IF = 1 and no STI shadow), then a #GP with an error code.
    __asm__ volatile("sti; nop" ::: "memory");
    vmcall(HC_INJECT_IRQ, 0);
    vmcall(HC_INJECT_GP, 0);
    printf("  [guest] injected: %u interrupt(s), %u #GP (error %lx)\n", guest_irq_count, guest_gp_count,
           guest_gp_error);
    // Interrupt window: blocked (IF = 0) until STI and its shadow.
    cli();
    vmcall(HC_WINDOW, 0);
    __asm__ volatile("sti; nop; .globl guest_after_window; guest_after_window: nop; cli" ::: "memory");
    printf("  [guest] interrupts taken: %u\n", guest_irq_count);
    vmcall(HC_DONE, 0);
}

// ---- Real mode (unrestricted guest): copied to REAL_GUEST_BASE, entered
// at 0x0900:0000; out to port 0x80 and CPUID exit; then it loads a GDT,
// sets CR0.PE and far-jumps to 32-bit code that ends with VMCALL.
__asm__(
    ".section .text.boot16, \"ax\"\n"
    ".code16\n"
    ".globl real_guest_start, real_guest_end\n"
    "real_guest_start:\n"
    "  movw %cs, %ax\n"
    "  movw %ax, %ds\n"
    "  movb $0x52, %al\n"
    "  outb %al, $0x80\n"
    "  xorl %eax, %eax\n"
    "  cpuid\n"
    "  lgdtl (rg_gdt_ptr - real_guest_start)\n"
    "  movl %cr0, %eax\n"
    "  orl $1, %eax\n"
    "  movl %eax, %cr0\n"
    "  ljmpl $0x08, $(0x9000 + rg_pm - real_guest_start)\n"
    ".code32\n"
    "rg_pm:\n"
    "  movw $0x10, %ax\n"
    "  movw %ax, %ds\n"
    "  movl $3, %eax\n"
    "  vmcall\n"
    "  hlt\n"
    ".p2align 3\n"
    "rg_gdt:\n"
    "  .quad 0, 0x00cf9a000000ffff, 0x00cf92000000ffff\n"
    "rg_gdt_ptr:\n"
    "  .word 23\n"
    "  .long 0x9000 + rg_gdt - real_guest_start\n"
    "real_guest_end:\n"
    ".code64\n"
    ".text\n");
