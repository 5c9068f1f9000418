// The VM guests' tiny EL1 runtime: PL011 output, printf, PSCI over HVC
// (CPU_ON/CPU_OFF/SYSTEM_OFF), exit, self-check verdicts, exception
// dispatch, and the GICv3 (distributor, redistributors, ICC registers).
// The same ELF runs under hvemu's VMM and on QEMU's virt board without
// EL2 (-machine virt -cpu cortex-a57), where it starts at EL1 with the MMU
// off and PSCI is reached with HVC.
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define RAM_BASE 0x40000000ul
#define PL011_BASE 0x09000000ul
#define GICD_BASE 0x08000000ul
#define GICR_BASE 0x080a0000ul
#define GICR_STRIDE 0x20000ul

// ---- Console and exit
void vm_putc(char c);
void vm_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
// 0: PSCI SYSTEM_OFF. Otherwise print "exit status N" first.
_Noreturn void vm_exit(int code);

// ---- Verdicts: vm_verdict prints "PASS: <name>" and powers off, or
// "FAIL: <name>: <n> check(s) failed" and exits with status 1.
extern unsigned vm_failures;
void vm_check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define CHECK_EQ(what, got, want)                                                                  \
    vm_check((unsigned long)(got) == (unsigned long)(want), "%s: got %lx, want %lx", (what),         \
             (unsigned long)(got), (unsigned long)(want))
_Noreturn void vm_verdict(const char *name);

// ---- PSCI (SMCCC over HVC)
#define PSCI_VERSION 0x84000000ul
#define PSCI_CPU_OFF 0x84000002ul
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define PSCI_FEATURES 0x8400000aul
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_ALREADY_ON (-4)
struct smccc_res {
    long a0, a1, a2, a3;
};
struct smccc_res hvc_call(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long a3);
long psci_call(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long a3);
// Starts CPU `cpu` (Aff0) at vm_secondary_entry, which calls
// vm_secondary_main(cpu) on its own stack (weak: returns), then CPU_OFF.
long vm_cpu_on(unsigned cpu);
void vm_secondary_entry(void);
void vm_secondary_main(unsigned cpu);
_Noreturn void vm_cpu_off(void);

// ---- System registers
#define sysreg_read(r) ({ uint64_t __v; __asm__ volatile("mrs %0, " #r : "=r"(__v) :: "memory"); __v; })
#define sysreg_write(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
static inline unsigned current_el(void) { return (unsigned)(sysreg_read(CurrentEL) >> 2) & 3; }
static inline unsigned cpu_index(void) { return (unsigned)sysreg_read(tpidr_el1); }
// WFI with IRQs masked, then a short window to take what woke it.
static inline void vm_wait_irq(void) { __asm__ volatile("wfi\n msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory"); }

#define ESR_EC(e) (((e) >> 26) & 0x3f)
#define ESR_ISS(e) ((e) & 0x1ffffff)

// ---- Exceptions. All registers at the exception; a handler may change
// x[], elr and spsr. Unhandled exceptions print and exit(99).
struct vm_frame {
    uint64_t x[31];
    uint64_t elr;
    uint64_t spsr;
    uint64_t sp;
    uint64_t pad[2];
};
typedef void (*vm_irq_handler_t)(struct vm_frame *f);
typedef void (*vm_sync_handler_t)(struct vm_frame *f, uint64_t esr, uint64_t far);
void vm_set_irq_handler(vm_irq_handler_t h);
void vm_set_sync_handler(vm_sync_handler_t h);

// ---- GICv3 (Group 1, security disabled)
#define INTID_SPURIOUS 1023
#define PPI_VIRT_TIMER 27
void gic_dist_init(void);
void gic_cpu_init(unsigned cpu);
void gic_enable_ppi(unsigned cpu, unsigned intid, uint8_t prio);
void gic_send_sgi(unsigned intid, unsigned target_list);
static inline unsigned gic_ack(void) { return (unsigned)sysreg_read(S3_0_C12_C12_0) & 0xffffff; }   // ICC_IAR1_EL1
static inline void gic_eoi(unsigned intid) { sysreg_write(S3_0_C12_C12_1, intid); }                 // ICC_EOIR1_EL1

// ---- MMIO
static inline void mmio_w8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline uint8_t mmio_r8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline void mmio_w32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(unsigned long a) { return *(volatile uint32_t *)a; }

// End of the image (page aligned): free RAM for page tables.
extern char __end[];
