// External interrupts through the PLIC: the 16550's "transmitter empty"
// interrupt (source 10) routed to hart 0 in M-mode (context 0) and S-mode
// (context 1): priority, enable, threshold, claim and complete, mip.MEIP /
// mip.SEIP, and delegation of SEI through mideleg.
#include "common.h"

#define PLIC_BASE 0x0c000000ul
#define PLIC_PRIORITY(src) (PLIC_BASE + 4 * (src))
#define PLIC_PENDING (PLIC_BASE + 0x1000)
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define UART_IRQ 10
#define UART_IER (UART0_BASE + 1)
#define UART_IIR (UART0_BASE + 2)

static volatile unsigned long claimed[4];
static volatile unsigned n_claimed;

static void uart_ier(uint8_t v) { *(volatile uint8_t *)UART_IER = v; }
static uint8_t uart_iir(void) { return *(volatile uint8_t *)UART_IIR; }

// Claim, silence the UART, complete: the M-level external interrupt (11)
// comes from context 0, the S-level one (9) from context 1, whichever
// mode takes it.
static void take(unsigned long cause) {
    unsigned ctx = (cause & 0xff) == 11 ? 0 : 1;
    uint32_t id = mmio_r32(PLIC_CLAIM(ctx));
    uart_ier(0);
    if (n_claimed < 4) claimed[n_claimed++] = (cause & 0xff) << 16 | id;
    mmio_w32(PLIC_CLAIM(ctx), id);
}
static void m_irq(unsigned long cause) { take(cause); }
static void s_irq(unsigned long cause) { take(cause | (1ul << 7)); }

static void print_claimed(const char *label) {
    printf("%-40s:", label);
    if (!n_claimed) printf(" none");
    for (unsigned i = 0; i < n_claimed; i++)
        printf(" %s cause %lu source %lu", (claimed[i] >> 23) & 1 ? "S" : "M", (claimed[i] >> 16) & 0x7f,
               claimed[i] & 0xffff);
    printf("\n");
    n_claimed = 0;
}

static unsigned long s_enable_and_spin(unsigned long n) {
    csr_set(sie, 1ul << 9);
    csr_set(sstatus, MSTATUS_SIE);
    for (volatile unsigned long i = 0; i < n && n_claimed == 0; i++) {
    }
    csr_clear(sstatus, MSTATUS_SIE);
    return 0;
}

int main(void) {
    catch_install();
    irq_hook_m = m_irq;
    irq_hook_s = s_irq;
    mmio_w32(PLIC_PRIORITY(UART_IRQ), 1);
    mmio_w32(PLIC_THRESHOLD(0), 0);
    mmio_w32(PLIC_THRESHOLD(1), 0);
    mmio_w32(PLIC_ENABLE(0), 0);
    mmio_w32(PLIC_ENABLE(1), 0);
    printf("priority of source 10: %u\n", mmio_r32(PLIC_PRIORITY(UART_IRQ)));
    printf("claim with nothing pending: %u\n", mmio_r32(PLIC_CLAIM(0)));

    // The UART raises its line; the PLIC shows it pending; no context enabled.
    uart_ier(2);
    printf("uart IIR with THRE interrupt enabled: %x\n", uart_iir() & 0xf);
    uart_ier(2);   // reading IIR cleared the THRE condition: re-arm it
    printf("plic pending bit 10: %u\n", (mmio_r32(PLIC_PENDING) >> UART_IRQ) & 1);
    printf("mip.MEIP, not enabled in the PLIC: %lu\n", (csr_read(mip) >> 11) & 1);

    // Context 0 (hart 0, M): MEIP, then the trap.
    // (QEMU 7.2's PLIC re-evaluates its outputs on a threshold write but
    // not on an enable write, so the threshold is written after the enable.)
    mmio_w32(PLIC_ENABLE(0), 1u << UART_IRQ);
    mmio_w32(PLIC_THRESHOLD(0), 0);
    printf("mip.MEIP, enabled for context 0: %lu\n", (csr_read(mip) >> 11) & 1);
    mmio_w32(PLIC_THRESHOLD(0), 1);
    printf("mip.MEIP, threshold 1 (priority 1): %lu\n", (csr_read(mip) >> 11) & 1);
    mmio_w32(PLIC_THRESHOLD(0), 0);
    csr_write(mie, 1ul << 11);
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    print_claimed("M external interrupt");
    printf("mip.MEIP after complete, uart quiet: %lu\n", (csr_read(mip) >> 11) & 1);
    mmio_w32(PLIC_ENABLE(0), 0);
    csr_write(mie, 0);

    // Context 1 (hart 0, S): SEIP, delegated to S and taken there.
    mmio_w32(PLIC_ENABLE(1), 1u << UART_IRQ);
    mmio_w32(PLIC_THRESHOLD(1), 0);
    uart_ier(2);
    printf("mip.SEIP, enabled for context 1: %lu\n", (csr_read(mip) >> 9) & 1);
    csr_write(mideleg, 1ul << 9);
    csr_write(mie, 1ul << 9);
    rt_enter(RT_MODE_S, s_enable_and_spin, 1000);
    print_claimed("S external interrupt, delegated");
    // Not delegated: taken in M even while running in S.
    csr_write(mideleg, 0);
    uart_ier(2);
    rt_enter(RT_MODE_S, s_enable_and_spin, 1000);
    print_claimed("S external interrupt, not delegated");
    mmio_w32(PLIC_ENABLE(1), 0);
    csr_write(mie, 0);
    printf("plic done\n");
    return 0;
}
