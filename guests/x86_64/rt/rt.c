// The runtime's C half: console, printf, exit, verdicts, the IDT and TSS,
// 4 KiB remapping, the local APIC and the start of the other CPUs.
#include "rt.h"
#include "format.h"

unsigned rt_failures;
int main(void);

// ---- 16550 at 0x3f8: THR +0, LSR +5 (bit 5: THR empty)
#define COM1 0x3f8

static void uart_init(void) {
    outb(COM1 + 1, 0x00);   // no interrupts
    outb(COM1 + 3, 0x80);   // DLAB
    outb(COM1 + 0, 0x01);   // 115200 baud
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   // 8N1
    outb(COM1 + 2, 0x07);   // FIFOs on and cleared
    outb(COM1 + 4, 0x03);   // DTR, RTS
}

void rt_putc(char c) {
    while (!(inb(COM1 + 5) & 0x20)) {
    }
    outb(COM1, (uint8_t)c);
}

void rt_puts(const char *s) {
    while (*s) rt_putc(*s++);
}

// One CPU prints at a time (the smp guest prints from every CPU).
static volatile int print_lock;
static void put_uart(char c) { rt_putc(c); }

int vprintf(const char *fmt, va_list ap) {
    while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE)) pause();
    int n = guest_vformat(put_uart, fmt, ap);
    __atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
    return n;
}

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}

// ---- Exit: isa-debug-exit, then Bochs (the code logged on its info port,
// then the shutdown port).
static void port_puts(uint16_t port, const char *s) {
    while (*s) outb(port, (uint8_t)*s++);
}

_Noreturn void rt_exit(int code) {
    // Let the UART send what it holds (LSR bit 6: transmitter empty) first.
    while (!(inb(COM1 + 5) & 0x40)) {
    }
    outb(0xf4, (uint8_t)code);
    char msg[] = "exit 000\n";
    msg[5] = (char)('0' + (code / 100) % 10);
    msg[6] = (char)('0' + (code / 10) % 10);
    msg[7] = (char)('0' + code % 10);
    port_puts(0x402, msg);
    port_puts(0x8900, "Shutdown");
    for (;;) __asm__ volatile("cli; hlt");
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

// ---- IDT (64-bit interrupt gates, DPL 3 so INT n works from any ring)
struct idt_entry {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
};
static struct idt_entry idt[256] __attribute__((aligned(16)));
static rt_handler_t handlers[256];
extern char rt_vector_stubs[];
struct rt_tss rt_tss __attribute__((aligned(16)));
static char df_stack[4096] __attribute__((aligned(16)));

void rt_set_handler(unsigned vector, rt_handler_t h) { handlers[vector & 255] = h; }

static void idt_load(void) {
    struct rt_table_ptr p = {sizeof(idt) - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" :: "m"(p));
}

static void idt_init(void) {
    for (unsigned v = 0; v < 256; v++) {
        uint64_t a = (uint64_t)rt_vector_stubs + 16 * v;
        idt[v] = (struct idt_entry){(uint16_t)a, SEL_CODE64, 0, 0xee, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
    }
    idt[8].ist = 1;   // #DF on its own stack
    idt_load();
}

static void tss_init(void) {
    rt_tss.ist[0] = (uint64_t)df_stack + sizeof(df_stack);
    rt_tss.iomap_base = sizeof(rt_tss);
    uint64_t b = (uint64_t)&rt_tss, l = sizeof(rt_tss) - 1;
    rt_gdt[SEL_TSS / 8] = (l & 0xffff) | ((b & 0xffffff) << 16) | (0x89ul << 40) | (((b >> 24) & 0xff) << 56);
    rt_gdt[SEL_TSS / 8 + 1] = b >> 32;
    __asm__ volatile("ltr %w0" :: "r"(SEL_TSS));
}

static const char *const exc_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

void rt_print_frame(const char *label, const struct rt_frame *f) {
    const char *name = f->vector < 32 ? exc_names[f->vector] : "interrupt";
    printf("%s%s (vector %lu) error=%lx rip=%lx cs=%lx rflags=%lx rsp=%lx", label, name, f->vector, f->error,
           f->rip, f->cs, f->rflags, f->rsp);
    if (f->vector == 14) printf(" cr2=%lx", read_cr(2));
    printf("\n");
}

void rt_dispatch(struct rt_frame *f) {
    rt_handler_t h = handlers[f->vector & 255];
    if (h) {
        h(f);
        return;
    }
    rt_print_frame("unexpected ", f);
    rt_exit(99);
}

// ---- 4 KiB pages, split from the 2 MiB identity map on demand
extern uint64_t rt_pdpt[512], rt_pd[4 * 512];
static uint64_t split_tables[8][512] __attribute__((aligned(4096)));
static unsigned split_used;

void rt_map_4k(uint64_t va, uint64_t pte) {
    uint64_t *pde = &rt_pd[va >> 21];
    if (*pde & PTE_PS) {
        if (split_used == 8) {
            printf("rt_map_4k: out of page tables\n");
            rt_exit(98);
        }
        uint64_t *pt = split_tables[split_used++];
        uint64_t base = *pde & ~0x1ffffful, flags = *pde & 0x1f;
        for (unsigned i = 0; i < 512; i++) pt[i] = (base + ((uint64_t)i << 12)) | flags;
        *pde = (uint64_t)pt | PTE_P | PTE_W;
        write_cr(3, read_cr(3));
    }
    uint64_t *pt = (uint64_t *)(*pde & ~0xffful & ~PTE_NX);
    pt[(va >> 12) & 511] = pte;
    invlpg(va);
}

// ---- Local APIC and the other CPUs
void rt_lapic_enable(void) {
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
    lapic_write(LAPIC_SVR, 0x1ff);
}

extern char rt_trampoline_start[], rt_trampoline_end[], rt_trampoline_cs[], rt_trampoline_cr0[];

void rt_trampoline_seen(uint16_t *cs, uint32_t *cr0) {
    *cs = *(volatile uint16_t *)(RT_TRAMPOLINE + (rt_trampoline_cs - rt_trampoline_start));
    *cr0 = *(volatile uint32_t *)(RT_TRAMPOLINE + (rt_trampoline_cr0 - rt_trampoline_start));
}

static void icr_send(unsigned apic_id, uint32_t lo) {
    lapic_write(LAPIC_ICR_HI, apic_id << 24);
    lapic_write(LAPIC_ICR_LO, lo);
    while (lapic_read(LAPIC_ICR_LO) & (1u << 12)) pause();   // delivery status
}

// Emulators start a CPU at once; real hardware wants ~10 ms after INIT,
// which this short spin does not promise (the guests target emulators).
static void short_wait(void) {
    for (volatile unsigned i = 0; i < 10000; i++) {
    }
}

void rt_start_ap(unsigned apic_id) {
    volatile char *dst = (volatile char *)RT_TRAMPOLINE;
    for (char *s = rt_trampoline_start; s < rt_trampoline_end; s++) *dst++ = *s;
    icr_send(apic_id, 0x00004500);   // INIT, assert, level
    short_wait();
    for (int i = 0; i < 2; i++) {
        icr_send(apic_id, 0x00004600 | (RT_TRAMPOLINE >> 12));   // SIPI
        short_wait();
    }
}

void rt_ap_start(unsigned apic_id) {
    idt_load();
    rt_ap_main(apic_id);
}

__attribute__((weak)) void rt_ap_main(unsigned apic_id) { (void)apic_id; }

// ---- Start
void rt_main(void) {
    // Mask the legacy PICs: the firmware may have left the PIT's IRQ 0
    // unmasked, and its ticks follow the host's clock.
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    uart_init();
    idt_init();
    tss_init();
    rt_exit(main());
}
