// Console output and printf: %d %i %u %x %X %c %s %p %%, flags '-' '0',
// width, l/ll/z/h.
#include "vm.h"

static enum vm_console console = VM_CONSOLE_SBI;

void vm_set_console(enum vm_console c) { console = c; }

// 16550: THR at +0, LSR at +5 (bit 5: THR empty).
void uart_putc(char c) {
    while ((mmio_r8(VM_UART_BASE + 5) & 0x20) == 0) {
    }
    mmio_w8(VM_UART_BASE, (uint8_t)c);
}

void vm_putc(char c) {
    if (console == VM_CONSOLE_UART) uart_putc(c);
    else sbi_legacy_putchar(c);
}

void vm_puts(const char *s) {
    while (*s) vm_putc(*s++);
}

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
        for (int i = len; i < width; i++) vm_putc(' ');
    if (neg) vm_putc('-');
    if (!left && zero)
        for (int i = len; i < width; i++) vm_putc('0');
    while (n) vm_putc(buf[--n]);
    if (left)
        for (int i = len; i < width; i++) vm_putc(' ');
}

int vprintf(const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            vm_putc(*fmt);
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
            vm_puts("0x");
            out_num((unsigned long)va_arg(ap, void *), 16, 0, 0, 16, 1, 0);
            break;
        case 'c':
            vm_putc((char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = 0;
            while (s[len]) len++;
            if (!left)
                for (int i = len; i < width; i++) vm_putc(' ');
            vm_puts(s);
            if (left)
                for (int i = len; i < width; i++) vm_putc(' ');
            break;
        }
        case '%':
            vm_putc('%');
            break;
        case 0:
            return 0;
        default:
            vm_putc('%');
            vm_putc(*fmt);
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
