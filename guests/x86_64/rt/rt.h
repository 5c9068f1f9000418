// The bare-metal x86-64 guests' runtime: multiboot entry, long mode with an
// identity map of the first 4 GiB, an IDT whose handlers print the
// exception, a 16550 console, printf, exit, verdicts, and the local APIC
// with INIT-SIPI-SIPI start of the other CPUs.
//
// Boot contract (what `qemu-system-x86_64 -kernel X.elf`, GRUB's
// `multiboot`, and hvemu's x86_64-pc board give a multiboot v1 kernel):
//   - the loadable segment is at its physical address, the CPU is in 32-bit
//     protected mode with flat segments, paging off, interrupts off,
//     EAX = 0x2BADB002 and EBX = the multiboot information;
//   - QEMU loads ELF32 multiboot kernels only ("Cannot load x86-64 image"),
//     while GRUB takes either: the image is linked as an ELF64 (64-bit code
//     needs it) and copied into an ELF32 container with the same segment
//     (llvm-objcopy -O elf32-i386). The entry is 32-bit code, so the
//     container's class does not matter to the CPU. No a.out-kludge fields
//     are needed.
// Console: 16550 at port 0x3f8. Exit: QEMU's isa-debug-exit (port 0xf4,
// the emulator's status becomes (code << 1) | 1), then Bochs's shutdown
// port 0x8900 ("Shutdown"), before which the code is written as text to
// Bochs's info port 0x402 ("exit <code>"), which Bochs logs: a PC ignores
// writes to ports no device decodes, so the other machines see nothing.
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

// ---- Output and exit
void rt_putc(char c);
void rt_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
_Noreturn void rt_exit(int code);

// ---- Self-checks: each guest ends with rt_verdict(), which prints
// "PASS: <name>" (exit 0) or "FAIL: <name>: <n> check(s) failed" (exit 1).
extern unsigned rt_failures;
void rt_check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define CHECK_EQ(what, got, want)                                                                  \
    rt_check((unsigned long)(got) == (unsigned long)(want), "%s: got %lx, want %lx", (what),         \
             (unsigned long)(got), (unsigned long)(want))
_Noreturn void rt_verdict(const char *name);

// The multiboot registers (EAX, EBX) at entry.
extern uint32_t rt_boot_magic, rt_boot_info;

// ---- Port I/O, MSRs, control registers
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint64_t rdmsr(uint32_t m) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(m));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t m, uint64_t v) {
    __asm__ volatile("wrmsr" :: "c"(m), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
struct cpuid_regs { uint32_t a, b, c, d; };
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub) {
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
    return r;
}
#define read_cr(n) ({ uint64_t __v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(__v)); __v; })
#define write_cr(n, v) __asm__ volatile("mov %0, %%cr" #n :: "r"((uint64_t)(v)) : "memory")
static inline uint64_t read_rflags(void) { uint64_t f; __asm__ volatile("pushfq; popq %0" : "=r"(f)); return f; }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

#define MSR_APIC_BASE 0x1b
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)
#define CR0_PE (1u << 0)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_VMXE (1u << 13)
#define RFLAGS_CF (1u << 0)
#define RFLAGS_IF (1u << 9)

// ---- Segments (the runtime's GDT)
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18
#define SEL_CODE16 0x20
#define SEL_TSS 0x28
extern uint64_t rt_gdt[];
extern struct rt_tss rt_tss;
struct __attribute__((packed)) rt_tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
};
struct __attribute__((packed)) rt_table_ptr { uint16_t limit; uint64_t base; };

// ---- Paging: PML4 → one PDPT → four page directories of 2 MiB pages,
// identity map of 0-4 GiB, the top GiB (local APIC, I/O APIC) uncached.
// rt_map_4k() splits a 2 MiB page into 4 KiB pages and sets one entry.
extern uint64_t rt_pml4[512];
#define PTE_P (1ul << 0)
#define PTE_W (1ul << 1)
#define PTE_U (1ul << 2)
#define PTE_PWT (1ul << 3)
#define PTE_PCD (1ul << 4)
#define PTE_A (1ul << 5)
#define PTE_D (1ul << 6)
#define PTE_PS (1ul << 7)
#define PTE_NX (1ul << 63)
void rt_map_4k(uint64_t va, uint64_t pte);   // pte = address | flags; invalidates the TLB entry

// ---- Exceptions and interrupts
// Registers saved by the vector stubs; a handler may change them (rip, rsp, ...).
struct rt_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};
typedef void (*rt_handler_t)(struct rt_frame *f);
// NULL: print "unexpected exception/interrupt ..." and exit 99.
void rt_set_handler(unsigned vector, rt_handler_t h);
void rt_print_frame(const char *label, const struct rt_frame *f);

// ---- Local APIC (xAPIC, memory-mapped at its default base)
#define LAPIC_BASE 0xfee00000ul
#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ISR 0x100
#define LAPIC_IRR 0x200
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
static inline uint32_t lapic_read(unsigned reg) { return *(volatile uint32_t *)(LAPIC_BASE + reg); }
static inline void lapic_write(unsigned reg, uint32_t v) { *(volatile uint32_t *)(LAPIC_BASE + reg) = v; }
static inline unsigned lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }
void rt_lapic_enable(void);   // software-enable with spurious vector 0xff
// Starts the CPU with APIC ID `apic_id` in real mode at the runtime's
// trampoline (INIT, then two SIPIs): it enters long mode and calls
// rt_ap_main(apic_id) on its own stack; when that returns it halts.
void rt_start_ap(unsigned apic_id);
void rt_ap_main(unsigned apic_id);
// What the last CPU started saw in real mode: its CS and CR0.
void rt_trampoline_seen(uint16_t *cs, uint32_t *cr0);
#define RT_MAX_CPUS 8
#define RT_TRAMPOLINE 0x8000ul   // real-mode start address (SIPI vector 0x08)

// An opaque copy of v: the compiler cannot fold operations on the result.
#define OPAQUE(v) ({ __typeof__(v) __o = (v); __asm__ volatile("" : "+r"(__o)); __o; })

// End of the image (page aligned): free RAM for page tables and test pages.
extern char __end[];
