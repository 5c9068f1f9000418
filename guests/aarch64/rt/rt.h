// The bare-metal AArch64 guests' tiny EL2 runtime: PL011 output, printf,
// exit through semihosting, system-register access, exception dispatch at
// EL2 and EL1, running a function at EL1, PSCI, and self-check verdicts.
//
// What QEMU 7.2 (-machine virt,virtualization=on -kernel X.elf) gives an
// ELF kernel, and what hvemu's aarch64-virt must give too:
//   - CPU 0 starts at the ELF entry at EL2 (EL2h, SP_EL2), D/A/I/F masked,
//     MMU and caches off; the other CPUs are off until PSCI CPU_ON.
//   - x0-x3 are 0: an ELF is not booted as a Linux kernel, so no register
//     points at the device tree; it is at the base of RAM (0x40000000),
//     below the image, when it fits there.
//   - PSCI (0.2+) is reached with SMC (there is no EL3; with
//     virtualization=on the conduit is SMC). CPU_ON starts a CPU at EL2 at
//     the entry point with x0 = the context id.
//   - HCR_EL2.RW is 0 at reset (EL1 would be AArch32): the runtime sets it.
// The guests also need gic-version=3 on QEMU (QEMU's default is a GICv2).
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_config.h"

#define RAM_BASE 0x40000000ul
#define PL011_BASE 0x09000000ul
#define GICD_BASE 0x08000000ul
#define GICR_BASE 0x080a0000ul   // one 128 KiB frame pair per CPU
#define GICR_STRIDE 0x20000ul

// ---- Output and exit
void rt_putc(char c);
void rt_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
// Semihosting SYS_EXIT (ADP_Stopped_ApplicationExit with the status); from
// EL1 it asks EL2 with HVC #RT_HVC_EXIT.
_Noreturn void rt_exit(int code);

// ---- Self-checks: each guest ends with rt_verdict(), which prints
// "PASS: <name>" (exit 0) or "FAIL: <name>: <n> check(s) failed" (exit 1).
extern unsigned rt_failures;
void rt_check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define CHECK_EQ(what, got, want)                                                                  \
    rt_check((unsigned long)(got) == (unsigned long)(want), "%s: got %lx, want %lx", (what),         \
             (unsigned long)(got), (unsigned long)(want))
_Noreturn void rt_verdict(const char *name);

// ---- System registers (names as the assembler knows them, or S3_... codes)
#define sysreg_read(r) ({ uint64_t __v; __asm__ volatile("mrs %0, " #r : "=r"(__v) :: "memory"); __v; })
#define sysreg_write(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")
static inline unsigned current_el(void) { return (unsigned)(sysreg_read(CurrentEL) >> 2) & 3; }
static inline unsigned cpu_index(void) { return (unsigned)sysreg_read(mpidr_el1) & 0xff; }

// HCR_EL2 bits
#define HCR_VM (1ul << 0)
#define HCR_SWIO (1ul << 1)
#define HCR_FMO (1ul << 3)
#define HCR_IMO (1ul << 4)
#define HCR_AMO (1ul << 5)
#define HCR_VI (1ul << 7)
#define HCR_TWI (1ul << 13)
#define HCR_TWE (1ul << 14)
#define HCR_TSC (1ul << 19)
#define HCR_TGE (1ul << 27)
#define HCR_RW (1ul << 31)

// ESR_ELx
#define ESR_EC(e) (((e) >> 26) & 0x3f)
#define ESR_IL (1ul << 25)
#define ESR_ISS(e) ((e) & 0x1ffffff)
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYS64 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_BRK64 0x3c
// Data abort ISS fields
#define ISS_ISV (1ul << 24)
#define ISS_SAS(i) (((i) >> 22) & 3)
#define ISS_SSE (1ul << 21)
#define ISS_SRT(i) (((i) >> 16) & 31)
#define ISS_SF (1ul << 15)
#define ISS_AR (1ul << 14)
#define ISS_S1PTW (1ul << 7)
#define ISS_WNR (1ul << 6)
#define ISS_DFSC(i) ((i) & 0x3f)

// ---- Exceptions
// The registers at the exception: x[0..30], the return address, SPSR and
// the SP before the exception (for exceptions taken from the same EL). A
// handler may change x[], elr and spsr; they are restored on return.
struct rt_frame {
    uint64_t x[31];
    uint64_t elr;
    uint64_t spsr;
    uint64_t sp;
    uint64_t pad[2];
};
// Vector index: 0-3 current EL with SP0, 4-7 current EL with SPx, 8-11
// lower EL AArch64, 12-15 lower EL AArch32; each sync, IRQ, FIQ, SError.
enum { RT_SYNC = 0, RT_IRQ = 1, RT_FIQ = 2, RT_SERROR = 3 };
#define RT_FROM_LOWER(kind) ((kind) >= 8)
#define RT_TYPE(kind) ((kind) & 3)
typedef void (*rt_handler_t)(struct rt_frame *f, unsigned kind);
// Called for every exception taken to EL2 (except the runtime's own HVCs)
// or to EL1. NULL: print the exception and exit with status 99 (98 at EL1).
extern rt_handler_t rt_el2_handler;
extern rt_handler_t rt_el1_handler;
extern char rt_vectors_el2[], rt_vectors_el1[];
// Prints "<label> ESR=.. EC=.. ELR=.. FAR=.." of the current exception at EL2 / EL1.
void rt_print_exception(const char *label, unsigned el);

// ---- Running code at EL1
// Runs fn(arg) at EL1h (interrupts masked) on the CPU's EL1 stack and
// returns its result (the return goes through HVC #RT_HVC_RETURN to EL2).
unsigned long rt_enter_el1(unsigned long (*fn)(unsigned long), unsigned long arg);
_Noreturn void rt_resume(unsigned long value);

// ---- CPUs (PSCI over SMC from EL2, over HVC from EL1)
#define PSCI_VERSION 0x84000000ul
#define PSCI_CPU_OFF 0x84000002ul
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_AFFINITY_INFO 0xc4000004ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define PSCI_FEATURES 0x8400000aul
long psci_call(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long a3);
// Starts CPU `cpu` at rt_secondary_entry, which sets it up like CPU 0 and
// calls rt_secondary_main(cpu) (weak: returns), then turns the CPU off.
long rt_cpu_on(unsigned cpu);
void rt_secondary_entry(void);
void rt_secondary_main(unsigned cpu);
_Noreturn void rt_cpu_off(void);

// x0-x3 as the loader left them for CPU 0.
extern uint64_t rt_boot_regs[4];

// ---- EL2 stage-1 MMU: identity map of the first 4 GiB (1 GiB blocks):
// 0-1 GiB Device-nGnRnE, 1-4 GiB Normal write-back. Caches on.
void rt_el2_mmu_on(void);
void rt_el2_mmu_off(void);

// WFI with IRQs masked (a pending interrupt still wakes it), then a short
// window to take it: no interrupt can slip in between a check and the WFI.
static inline void rt_wait_irq(void) { __asm__ volatile("wfi\n msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory"); }

// ---- MMIO
static inline void mmio_w8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline uint8_t mmio_r8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline void mmio_w32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void mmio_w64(unsigned long a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint64_t mmio_r64(unsigned long a) { return *(volatile uint64_t *)a; }

// An opaque copy of v: the compiler cannot fold operations on the result.
#define OPAQUE(v) ({ __typeof__(v) __o = (v); __asm__ volatile("" : "+r"(__o)); __o; })

// End of the image (page aligned): free RAM for page tables and test pages.
extern char __end[];
