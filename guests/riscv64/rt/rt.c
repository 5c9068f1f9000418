// The runtime's C half: UART output, printf, exit, trap dispatch.
#include "rt.h"
#include "format.h"

rt_handler_t rt_m_handler;
rt_handler_t rt_s_handler;
rt_handler_t rt_vs_handler;

// ---- 16550 UART: THR at +0, LSR at +5 (bit 5: THR empty)
void rt_putc(char c) {
    volatile uint8_t *uart = (volatile uint8_t *)UART0_BASE;
    while ((uart[5] & 0x20) == 0) {
    }
    uart[0] = (uint8_t)c;
}

void rt_puts(const char *s) {
    while (*s) rt_putc(*s++);
}

// ---- sifive_test: 0x5555 = pass, (code << 16) | 0x3333 = fail with code
_Noreturn void rt_exit(int code) {
    uint32_t v = code == 0 ? 0x5555u : (((uint32_t)code << 16) | 0x3333u);
    mmio_w32(SIFIVE_TEST_BASE, v);
    for (;;) __asm__ volatile("wfi");
}

__attribute__((weak)) void rt_secondary_main(unsigned long hartid, unsigned long dtb) {
    (void)hartid;
    (void)dtb;
    for (;;) __asm__ volatile("wfi");
}

// ---- printf over the UART (the format core is shared with the VM runtime)
static void put_uart(char c) { rt_putc(c); }

int vprintf(const char *fmt, va_list ap) { return guest_vformat(put_uart, fmt, ap); }

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}

// ---- Trap dispatch
static int is_exit_ecall(unsigned long cause, const struct rt_frame *f) {
    return (cause == 8 || cause == 9 || cause == 10) && f->x[17] == RT_SYS_EXIT;
}

void rt_trap_m(struct rt_frame *f) {
    unsigned long cause = csr_read(mcause);
    if (is_exit_ecall(cause, f)) rt_resume(f->x[10]);
    if (rt_m_handler) {
        rt_m_handler(f);
        return;
    }
    printf("unexpected M trap: mcause=%lx mepc=%lx mtval=%lx mstatus=%lx\n", cause, csr_read(mepc),
           csr_read(mtval), csr_read(mstatus));
    rt_exit(99);
}

// In HS or VS: the rt_enter return ecall is passed on to M with a new ecall.
static void forward_exit(unsigned long value) {
    register unsigned long a0 __asm__("a0") = value;
    register unsigned long a7 __asm__("a7") = RT_SYS_EXIT;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
}

void rt_trap_s(struct rt_frame *f, unsigned long virt) {
    unsigned long cause = csr_read(scause);
    if (is_exit_ecall(cause, f)) forward_exit(f->x[10]);
    rt_handler_t h = virt ? rt_vs_handler : rt_s_handler;
    if (h) {
        h(f);
        return;
    }
    printf("unexpected %s trap: scause=%lx sepc=%lx stval=%lx\n", virt ? "VS" : "HS", cause, csr_read(sepc),
           csr_read(stval));
    rt_exit(98);
}
