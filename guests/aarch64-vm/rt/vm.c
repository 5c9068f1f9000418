// The VM runtime's C half: console, printf, PSCI, exit, verdicts and
// exception dispatch.
#include "vm.h"
#include "format.h"

unsigned vm_failures;
static vm_irq_handler_t irq_handler;
static vm_sync_handler_t sync_handler;

// PL011: DR at +0, FR at +0x18 (bit 5: transmit FIFO full).
void vm_putc(char c) {
    while (mmio_r32(PL011_BASE + 0x18) & (1u << 5)) {
    }
    mmio_w32(PL011_BASE, (uint8_t)c);
}

void vm_puts(const char *s) {
    while (*s) vm_putc(*s++);
}

static void put_console(char c) { vm_putc(c); }

int vprintf(const char *fmt, va_list ap) { return guest_vformat(put_console, fmt, ap); }

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}

struct smccc_res hvc_call(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long a3) {
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
    struct smccc_res r = {(long)x0, (long)x1, (long)x2, (long)x3};
    return r;
}

long psci_call(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long a3) {
    return hvc_call(fn, a1, a2, a3).a0;
}

long vm_cpu_on(unsigned cpu) {
    uint64_t aff = sysreg_read(mpidr_el1) & 0xff00ffff00ul;
    return psci_call(PSCI_CPU_ON, aff | cpu, (unsigned long)vm_secondary_entry, cpu);
}

_Noreturn void vm_cpu_off(void) {
    psci_call(PSCI_CPU_OFF, 0, 0, 0);
    for (;;) __asm__ volatile("wfe");
}

__attribute__((weak)) void vm_secondary_main(unsigned cpu) { (void)cpu; }

_Noreturn void vm_exit(int code) {
    if (code != 0) printf("exit status %d\n", code);
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;) __asm__ volatile("wfe");
}

void vm_check(int ok, const char *fmt, ...) {
    if (ok) return;
    vm_failures++;
    printf("check failed: ");
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

_Noreturn void vm_verdict(const char *name) {
    if (vm_failures == 0) {
        printf("PASS: %s\n", name);
        vm_exit(0);
    }
    printf("FAIL: %s: %u check(s) failed\n", name, vm_failures);
    vm_exit(1);
}

void vm_set_irq_handler(vm_irq_handler_t h) { irq_handler = h; }
void vm_set_sync_handler(vm_sync_handler_t h) { sync_handler = h; }

// kind: the vector index (0-15); type = kind & 3 (sync, IRQ, FIQ, SError).
void vm_trap(struct vm_frame *f, unsigned kind) {
    unsigned type = kind & 3;
    if (type == 1 && irq_handler) {
        irq_handler(f);
        return;
    }
    uint64_t esr = sysreg_read(esr_el1), far = sysreg_read(far_el1);
    if (type == 0 && sync_handler) {
        sync_handler(f, esr, far);
        return;
    }
    printf("unexpected exception (vector %u): ESR=%08lx EC=%02lx ELR=%lx FAR=%lx\n", kind, esr, ESR_EC(esr), f->elr,
           far);
    vm_exit(99);
}
