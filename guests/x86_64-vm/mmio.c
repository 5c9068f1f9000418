// MMIO: the local APIC's registers with several kinds of access. Under a
// VMM every access is an EPT violation (or an APIC-access exit) that the
// VMM must decode and complete: plain loads and stores, a read-modify-write
// (OR to memory), XCHG, and a load into a byte register.
#include "vm.h"

static volatile uint32_t *reg(unsigned off) { return (volatile uint32_t *)(LAPIC_BASE + off); }

int main(void) {
    rt_lapic_enable();
    printf("SVR: %x (enabled, spurious vector ff)\n", *reg(LAPIC_SVR) & 0x1ff);
    *reg(LAPIC_TPR) = 0x20;
    printf("TPR after writing 20: %x\n", *reg(LAPIC_TPR) & 0xff);
    __asm__ volatile("orl $0x10, (%0)" :: "r"(reg(LAPIC_TPR)) : "memory");
    uint32_t tpr = *reg(LAPIC_TPR) & 0xff;
    printf("TPR after OR 10: %x\n", tpr);
    uint32_t old = 0x00;
    __asm__ volatile("xchgl %0, (%1)" : "+r"(old) : "r"(reg(LAPIC_TPR)) : "memory");
    printf("XCHG with TPR: old %x, new %x\n", old & 0xff, *reg(LAPIC_TPR) & 0xff);
    *reg(LAPIC_TIMER_DIV) = 0xb;
    uint8_t b;
    __asm__ volatile("movb (%1), %0" : "=q"(b) : "r"(reg(LAPIC_TIMER_DIV)) : "memory");
    printf("timer divide (byte load): %x\n", b);
    *reg(LAPIC_LVT_TIMER) = (1u << 16) | 0x42;
    printf("LVT timer: %x\n", *reg(LAPIC_LVT_TIMER));
    printf("APIC ID: %u\n", *reg(LAPIC_ID) >> 24);
    CHECK_EQ("TPR or", tpr, 0x30);
    CHECK_EQ("XCHG old", old & 0xff, 0x30);
    CHECK_EQ("divide", b, 0xb);
    CHECK_EQ("LVT timer", *reg(LAPIC_LVT_TIMER), 0x10042);
    rt_verdict("mmio");
}
