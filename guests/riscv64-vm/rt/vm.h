// The VM guests' tiny S-mode runtime: SBI calls, a console (SBI or the
// virt UART), printf, exit through SBI SRST, CSR access and trap dispatch.
// The same ELF boots in hvemu's VMM and under OpenSBI on QEMU's virt board.
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

// ---- SBI (calling convention: a7 = EID, a6 = FID, a0..a5 arguments;
// returns a0 = error, a1 = value)
struct sbiret {
    long error;
    long value;
};
struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
                       unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_AXVISOR 0x485643   // Axvisor's hypercall extension: nr = a6

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1

#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1
// hvemu's VMM maps vendor reasons 0xF0000000 + n to the exit status n.
#define SBI_SRST_REASON_EXIT(n) (0xF0000000ul + (unsigned long)(n))

// Legacy (v0.1) calls
void sbi_legacy_putchar(int c);
long sbi_legacy_getchar(void);
void sbi_legacy_set_timer(uint64_t stime);
_Noreturn void sbi_legacy_shutdown(void);

long sbi_probe(unsigned long eid);                        // 0: absent
long sbi_spec_version(void);
void sbi_set_timer(uint64_t stime);                       // TIME extension
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
_Noreturn void sbi_hart_stop(void);
long sbi_hart_status(unsigned long hartid);               // SBI_HSM_* or a negative error
long sbi_dbcn_write(const char *buf, unsigned long len);  // bytes written or a negative error
long sbi_dbcn_write_byte(uint8_t b);
long sbi_system_reset(unsigned long type, unsigned long reason);   // returns only on error

// ---- Console: SBI legacy putchar (default) or the 16550 at 0x10000000.
#define VM_UART_BASE 0x10000000ul
enum vm_console { VM_CONSOLE_SBI, VM_CONSOLE_UART };
void vm_set_console(enum vm_console c);
void vm_putc(char c);
void vm_puts(const char *s);
void uart_putc(char c);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

// Exit: SRST shutdown, reason "none" for 0, the vendor range otherwise
// (falling back to "system failure" and the legacy shutdown).
_Noreturn void vm_exit(int code);

// ---- Harts: vm_secondary_entry is the start address for sbi_hart_start;
// it calls vm_secondary_main(hartid, opaque) on its own stack (weak
// default: stop the hart).
void vm_secondary_entry(void);
void vm_secondary_main(unsigned long hartid, unsigned long opaque);
static inline unsigned long vm_hartid(void) {
    unsigned long tp;
    __asm__ volatile("mv %0, tp" : "=r"(tp));
    return tp;
}

// ---- CSRs
#define csr_read(csr) ({ unsigned long __v; __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "r"((unsigned long)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "r"((unsigned long)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "r"((unsigned long)(v)) : "memory")

#define SSTATUS_SIE (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP (1ul << 8)
#define SSTATUS_SUM (1ul << 18)
#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define CAUSE_INTERRUPT (1ul << 63)

static inline uint64_t rdtime(void) {
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

// ---- Traps. All registers at the trap (x[0] unused, x[2] = the
// interrupted sp); a handler may change them and sepc.
struct vm_frame {
    unsigned long x[32];
};
// Interrupt handlers by cause (1 soft, 5 timer, 9 external); an exception
// handler for all synchronous traps. Unhandled traps print and exit(99).
typedef void (*vm_irq_handler_t)(struct vm_frame *f);
typedef void (*vm_exc_handler_t)(struct vm_frame *f, unsigned long scause, unsigned long stval);
void vm_set_irq_handler(unsigned cause, vm_irq_handler_t h);
void vm_set_exc_handler(vm_exc_handler_t h);

// Length (2 or 4) of the instruction at addr, read through the current mapping.
static inline unsigned long vm_insn_len(unsigned long addr) {
    return ((*(volatile uint16_t *)addr) & 3) == 3 ? 4 : 2;
}

// ---- MMIO
static inline void mmio_w8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline uint8_t mmio_r8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline void mmio_w32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(unsigned long a) { return *(volatile uint32_t *)a; }

// An opaque copy of v: the compiler cannot fold operations on the result.
#define OPAQUE(v) ({ __typeof__(v) __o = (v); __asm__ volatile("" : "+r"(__o)); __o; })

// End of the image (page aligned): free RAM for page tables.
extern char __end[];
