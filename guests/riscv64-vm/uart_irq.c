// uart_irq: received bytes interrupt the guest through the PLIC. The
// UART (PLIC source 10) raises its line when data is ready; this hart's
// S-mode PLIC context (2 * hartid + 1 on QEMU's virt board) signals a
// supervisor external interrupt; the handler claims source 10, drains the
// receiver and completes. Lines are echoed in upper case until "quit".
#include "rt/vm.h"

#define PLIC_BASE 0x0c000000ul
#define PLIC_PRIORITY(src) (PLIC_BASE + 4 * (src))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)
#define UART_IRQ 10
#define UART_RBR 0
#define UART_IER 1
#define UART_LSR 5

static unsigned long ctx;
static char line[128];
static unsigned line_len;
static volatile int quit;
static volatile unsigned lines;

// Empty lines are skipped: input that arrives before the guest runs may
// lose a byte (OpenSBI reads the receive buffer once when it starts), so
// the test input begins with one.
static void on_line(void) {
    line[line_len] = 0;
    if (line_len == 0) return;
    if (line_len == 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't') {
        quit = 1;
        return;
    }
    printf("line %u: ", ++lines);
    for (unsigned i = 0; i < line_len; i++) {
        char c = line[i];
        vm_putc(c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
    }
    vm_putc('\n');
}

static void on_external(struct vm_frame *f) {
    (void)f;
    uint32_t src = mmio_r32(PLIC_CLAIM(ctx));
    if (src == UART_IRQ) {
        while (mmio_r8(VM_UART_BASE + UART_LSR) & 1) {
            char c = (char)mmio_r8(VM_UART_BASE + UART_RBR);
            if (c == '\n') {
                on_line();
                line_len = 0;
            } else if (c != '\r' && line_len < sizeof(line) - 1) {
                line[line_len++] = c;
            }
        }
    } else if (src != 0) {
        printf("unexpected PLIC source %u\n", src);
    }
    if (src) mmio_w32(PLIC_CLAIM(ctx), src);
}

int main(unsigned long hartid, unsigned long dtb) {
    (void)dtb;
    ctx = 2 * hartid + 1;
    printf("waiting for input lines on the UART (PLIC context %lu)\n", ctx);
    vm_set_irq_handler(IRQ_S_EXT, on_external);
    mmio_w32(PLIC_PRIORITY(UART_IRQ), 1);
    mmio_w32(PLIC_ENABLE(ctx), 1u << UART_IRQ);
    mmio_w32(PLIC_THRESHOLD(ctx), 0);
    mmio_w8(VM_UART_BASE + UART_IER, 1);   // received data available
    csr_set(sie, SIE_SEIE);
    csr_set(sstatus, SSTATUS_SIE);
    while (!quit) wfi();
    csr_clear(sstatus, SSTATUS_SIE);
    mmio_w8(VM_UART_BASE + UART_IER, 0);
    printf("quit after %u lines\n", lines);
    vm_exit(0);
}
