// The runtime's C half: UART output, printf, exit, trap dispatch.
#include "rt.h"

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

// ---- printf: %d %i %u %x %X %c %s %p %%, flags '-' '0', width, l/ll/z/h
static void out_num(unsigned long v, unsigned base, int upper, int neg, int width, int zero, int left) {
    char buf[24];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    int len = n + (neg ? 1 : 0);
    if (!left && !zero)
        for (int i = len; i < width; i++) rt_putc(' ');
    if (neg) rt_putc('-');
    if (!left && zero)
        for (int i = len; i < width; i++) rt_putc('0');
    while (n) rt_putc(buf[--n]);
    if (left)
        for (int i = len; i < width; i++) rt_putc(' ');
}

int vprintf(const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            rt_putc(*fmt);
            continue;
        }
        fmt++;
        int zero = 0, left = 0, width = 0, lng = 0;
        for (;; fmt++) {
            if (*fmt == '0') zero = 1;
            else if (*fmt == '-') left = 1;
            else break;
        }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
            if (*fmt != 'h') lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
            out_num(u, 10, 0, v < 0, width, zero, left);
            break;
        }
        case 'u':
            out_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0, 0, width, zero, left);
            break;
        case 'x':
        case 'X':
            out_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, *fmt == 'X', 0, width, zero, left);
            break;
        case 'p':
            rt_puts("0x");
            out_num((unsigned long)va_arg(ap, void *), 16, 0, 0, 16, 1, 0);
            break;
        case 'c':
            rt_putc((char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = 0;
            while (s[len]) len++;
            if (!left)
                for (int i = len; i < width; i++) rt_putc(' ');
            rt_puts(s);
            if (left)
                for (int i = len; i < width; i++) rt_putc(' ');
            break;
        }
        case '%':
            rt_putc('%');
            break;
        case 0:
            return 0;
        default:
            rt_putc('%');
            rt_putc(*fmt);
        }
    }
    return 0;
}

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
