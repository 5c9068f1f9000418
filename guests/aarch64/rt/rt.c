// The runtime's C half: PL011 output, printf, semihosting exit, verdicts,
// exception dispatch, PSCI and the EL2 identity map.
#include "rt.h"
#include "format.h"

rt_handler_t rt_el2_handler;
rt_handler_t rt_el1_handler;
unsigned rt_failures;

// ---- PL011: DR at +0, FR at +0x18 (bit 5: transmit FIFO full)
void rt_putc(char c) {
    while (mmio_r32(PL011_BASE + 0x18) & (1u << 5)) {
    }
    mmio_w32(PL011_BASE, (uint8_t)c);
}

void rt_puts(const char *s) {
    while (*s) rt_putc(*s++);
}

static void put_uart(char c) { rt_putc(c); }

int vprintf(const char *fmt, va_list ap) { return guest_vformat(put_uart, fmt, ap); }

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}

// ---- Semihosting: SYS_EXIT (0x18) takes a block {reason, subcode} in
// AArch64; ADP_Stopped_ApplicationExit passes the subcode as exit status.
#define SEMIHOST_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

_Noreturn void rt_exit(int code) {
    if (current_el() == 1) {
        register uint64_t x0 __asm__("x0") = (uint64_t)code;
        __asm__ volatile("hvc %1" : "+r"(x0) : "i"(RT_HVC_EXIT) : "memory");
    }
    static volatile uint64_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint64_t)(unsigned)code;
    register uint64_t x0 __asm__("x0") = SEMIHOST_SYS_EXIT;
    register uint64_t x1 __asm__("x1") = (uint64_t)block;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    // No semihosting: power off through PSCI.
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;) __asm__ volatile("wfe");
}

// ---- Verdicts
void rt_check(int ok, const char *fmt, ...) {
    if (ok) return;
    rt_failures++;
    printf("check failed: ");
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

_Noreturn void rt_verdict(const char *name) {
    if (rt_failures == 0) {
        printf("PASS: %s\n", name);
        rt_exit(0);
    }
    printf("FAIL: %s: %u check(s) failed\n", name, rt_failures);
    rt_exit(1);
}

// ---- Exceptions
static const char *const kind_names[16] = {
    "sync/SP0", "IRQ/SP0", "FIQ/SP0", "SError/SP0", "sync", "IRQ", "FIQ", "SError",
    "sync/lower", "IRQ/lower", "FIQ/lower", "SError/lower", "sync/a32", "IRQ/a32", "FIQ/a32", "SError/a32",
};

void rt_print_exception(const char *label, unsigned el) {
    uint64_t esr = el == 2 ? sysreg_read(esr_el2) : sysreg_read(esr_el1);
    uint64_t elr = el == 2 ? sysreg_read(elr_el2) : sysreg_read(elr_el1);
    uint64_t far = el == 2 ? sysreg_read(far_el2) : sysreg_read(far_el1);
    printf("%s ESR=%08lx EC=%02lx ELR=%lx FAR=%lx\n", label, esr, ESR_EC(esr), elr, far);
}

void rt_trap_el2(struct rt_frame *f, unsigned kind) {
    if (RT_FROM_LOWER(kind) && RT_TYPE(kind) == RT_SYNC) {
        uint64_t esr = sysreg_read(esr_el2);
        if (ESR_EC(esr) == EC_HVC64 && (esr & 0xffff) == RT_HVC_RETURN) rt_resume(f->x[0]);
        if (ESR_EC(esr) == EC_HVC64 && (esr & 0xffff) == RT_HVC_EXIT) rt_exit((int)f->x[0]);
    }
    if (rt_el2_handler) {
        rt_el2_handler(f, kind);
        return;
    }
    printf("unexpected exception at EL2 (%s): ", kind_names[kind & 15]);
    rt_print_exception("", 2);
    rt_exit(99);
}

void rt_trap_el1(struct rt_frame *f, unsigned kind) {
    if (rt_el1_handler) {
        rt_el1_handler(f, kind);
        return;
    }
    printf("unexpected exception at EL1 (%s): ", kind_names[kind & 15]);
    rt_print_exception("", 1);
    rt_exit(98);
}

// ---- PSCI: SMC from EL2 (no EL3: the machine implements it), HVC from EL1.
long psci_call(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long a3) {
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    if (current_el() == 2)
        __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
    return (long)x0;
}

long rt_cpu_on(unsigned cpu) {
    uint64_t mpidr = sysreg_read(mpidr_el1) & 0xff00ffff00ul;   // Aff3..Aff1 of this CPU
    return psci_call(PSCI_CPU_ON, mpidr | cpu, (unsigned long)rt_secondary_entry, cpu);
}

_Noreturn void rt_cpu_off(void) {
    psci_call(PSCI_CPU_OFF, 0, 0, 0);
    for (;;) __asm__ volatile("wfe");
}

__attribute__((weak)) void rt_secondary_main(unsigned cpu) { (void)cpu; }

// ---- EL2 identity map: one level-1 table, 1 GiB blocks, 4 KiB granule.
#define MAIR_DEVICE_NGNRNE 0x00ul
#define MAIR_NORMAL_WB 0xfful
static uint64_t el2_l1[512] __attribute__((aligned(4096)));

void rt_el2_mmu_on(void) {
    // AttrIndx 0 = Device, 1 = Normal; AF, inner shareable for Normal.
    el2_l1[0] = 0x00000000ul | (1ul << 10) | (0ul << 2) | 1;
    for (unsigned long i = 1; i < 4; i++) el2_l1[i] = (i << 30) | (1ul << 10) | (3ul << 8) | (1ul << 2) | 1;
    dsb(sy);
    sysreg_write(mair_el2, MAIR_DEVICE_NGNRNE | (MAIR_NORMAL_WB << 8));
    // T0SZ = 25 (39-bit VA: the walk starts at level 1), WB caches, inner
    // shareable, 4 KiB granule, PS = 40 bits, RES1 bits 31 and 23.
    sysreg_write(tcr_el2, 25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (0ul << 14) | (2ul << 16) |
                              (1ul << 23) | (1ul << 31));
    sysreg_write(ttbr0_el2, (uint64_t)el2_l1);
    isb();
    __asm__ volatile("tlbi alle2\n dsb sy\n isb" ::: "memory");
    sysreg_write(sctlr_el2, sysreg_read(sctlr_el2) | (1ul << 0) | (1ul << 2) | (1ul << 12));
    isb();
}

void rt_el2_mmu_off(void) {
    sysreg_write(sctlr_el2, sysreg_read(sctlr_el2) & ~((1ul << 0) | (1ul << 2) | (1ul << 12)));
    isb();
    __asm__ volatile("tlbi alle2\n dsb sy\n isb" ::: "memory");
}
