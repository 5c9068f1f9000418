// Console output and printf: %d %i %u %x %X %c %s %p %%, flags '-' '0',
// width, l/ll/z/h.
#include "vm.h"
#include "format.h"

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

static void put_console(char ch) { vm_putc(ch); }

int vprintf(const char *fmt, va_list ap) { return guest_vformat(put_console, fmt, ap); }

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}
