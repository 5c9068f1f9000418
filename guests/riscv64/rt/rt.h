// The guests' tiny M-mode runtime: UART output, printf, exit through the
// sifive_test device, CSR access, trap dispatch and lower-mode entry.
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_config.h"

#define UART0_BASE 0x10000000ul
#define SIFIVE_TEST_BASE 0x100000ul
#define CLINT_BASE 0x2000000ul
#define CLINT_MSIP(h) (CLINT_BASE + 4 * (h))
#define CLINT_MTIMECMP(h) (CLINT_BASE + 0x4000 + 8 * (h))
#define CLINT_MTIME (CLINT_BASE + 0xbff8)

// ---- Output and exit
void rt_putc(char c);
void rt_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
_Noreturn void rt_exit(int code);

// ---- CSRs (names as the assembler knows them)
#define csr_read(csr) ({ unsigned long __v; __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "r"((unsigned long)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "r"((unsigned long)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "r"((unsigned long)(v)) : "memory")
#define csr_swap(csr, v) ({ unsigned long __o; __asm__ volatile("csrrw %0, " #csr ", %1" : "=r"(__o) : "r"((unsigned long)(v)) : "memory"); __o; })

// mstatus fields used by the programs
#define MSTATUS_SIE (1ul << 1)
#define MSTATUS_MIE (1ul << 3)
#define MSTATUS_SPIE (1ul << 5)
#define MSTATUS_MPIE (1ul << 7)
#define MSTATUS_SPP (1ul << 8)
#define MSTATUS_MPP (3ul << 11)
#define MSTATUS_FS (3ul << 13)
#define MSTATUS_MPRV (1ul << 17)
#define MSTATUS_SUM (1ul << 18)
#define MSTATUS_MXR (1ul << 19)
#define MSTATUS_TVM (1ul << 20)
#define MSTATUS_TW (1ul << 21)
#define MSTATUS_TSR (1ul << 22)
#define MSTATUS_GVA (1ul << 38)
#define MSTATUS_MPV (1ul << 39)

#define HSTATUS_GVA (1ul << 6)
#define HSTATUS_SPV (1ul << 7)
#define HSTATUS_SPVP (1ul << 8)
#define HSTATUS_HU (1ul << 9)
#define HSTATUS_VTVM (1ul << 20)
#define HSTATUS_VTW (1ul << 21)
#define HSTATUS_VTSR (1ul << 22)

#define CAUSE_INTERRUPT (1ul << 63)

// ---- Traps
// All registers at the trap (x[0] unused, x[2] = the interrupted sp).
// A handler may change them; they are restored on return.
struct rt_frame {
    unsigned long x[32];
};
typedef void (*rt_handler_t)(struct rt_frame *f);
// Called for every M trap (except the rt_enter return ecall). NULL: report
// the trap as unexpected and exit with status 99.
extern rt_handler_t rt_m_handler;
// Called for traps taken in HS (rt_svec) and VS (rt_vsvec).
extern rt_handler_t rt_s_handler;
extern rt_handler_t rt_vs_handler;
void rt_mvec(void);
void rt_svec(void);
void rt_vsvec(void);

// Length of the instruction at addr (2 or 4), read with the current mapping.
static inline unsigned long rt_insn_len(unsigned long addr) {
    return ((*(volatile uint16_t *)addr) & 3) == 3 ? 4 : 2;
}

// ---- Lower privilege modes
// mstatus.MPP/MPV values for rt_enter
#define RT_MODE_U 0ul
#define RT_MODE_S (1ul << 11)
#define RT_MODE_VS ((1ul << 11) | (1ul << 39))
#define RT_MODE_VU (1ul << 39)
// Run fn(arg) in the given mode (on the hart's lower stack); returns fn's
// result once it returns (its return goes through an ecall to M; from HS or
// VS the runtime's S vector passes it on with an ECALL from HS, so
// medeleg[9] must stay clear). The S and VS trap stacks are reset.
unsigned long rt_enter(unsigned long mode, unsigned long (*fn)(unsigned long), unsigned long arg);
_Noreturn void rt_resume(unsigned long value);
void rt_lower_exit(void);

// Secondary harts call this; the default parks them.
void rt_secondary_main(unsigned long hartid, unsigned long dtb);

// ---- MMIO
static inline void mmio_w32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void mmio_w64(unsigned long a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint64_t mmio_r64(unsigned long a) { return *(volatile uint64_t *)a; }

// An opaque copy of v: the compiler cannot fold operations on the result.
#define OPAQUE(v) ({ __typeof__(v) __o = (v); __asm__ volatile("" : "+r"(__o)); __o; })

// End of the image (page aligned): free RAM for page tables and test pages.
extern char __end[];
