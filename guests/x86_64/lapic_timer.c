// The local APIC timer: periodic mode (ten interrupts counted, each one
// EOIed), one-shot mode (one interrupt, then the current count stays 0),
// and a masked timer (no interrupt, the count still runs down). Only
// counts are printed: the timer's speed is the machine's.
#include "rt/rt.h"

#define VEC_TIMER 0x30
static volatile unsigned ticks;

static void on_timer(struct rt_frame *f) {
    (void)f;
    ticks++;
    lapic_write(LAPIC_EOI, 0);
}

static void wait_ticks(unsigned n) {
    cli();
    while (ticks < n) __asm__ volatile("sti; hlt; cli" ::: "memory");
}

int main(void) {
    rt_set_handler(VEC_TIMER, on_timer);
    rt_lapic_enable();
    lapic_write(LAPIC_TIMER_DIV, 0xb);   // divide by 1
    // Periodic.
    lapic_write(LAPIC_LVT_TIMER, (1u << 17) | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, 20000);
    wait_ticks(10);
    lapic_write(LAPIC_LVT_TIMER, (1u << 16) | VEC_TIMER);   // masked: stops the interrupts
    lapic_write(LAPIC_TIMER_INIT, 0);
    printf("periodic: %u interrupts taken, ISR clear after EOI: %s\n", ticks,
           lapic_read(LAPIC_ISR + 0x10 * (VEC_TIMER / 32)) & (1u << (VEC_TIMER % 32)) ? "no" : "yes");
    CHECK_EQ("periodic ticks", ticks, 10);
    // One-shot.
    ticks = 0;
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, 5000);
    wait_ticks(1);
    for (volatile unsigned i = 0; i < 20000; i++) {
    }
    printf("one-shot: %u interrupt, current count %u afterwards\n", ticks, lapic_read(LAPIC_TIMER_CUR));
    CHECK_EQ("one-shot ticks", ticks, 1);
    CHECK_EQ("one-shot count", lapic_read(LAPIC_TIMER_CUR), 0);
    // Masked: the count runs down, no interrupt.
    ticks = 0;
    lapic_write(LAPIC_LVT_TIMER, (1u << 16) | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, 3000);
    unsigned spins = 0;
    while (lapic_read(LAPIC_TIMER_CUR) != 0 && spins < 10000000) spins++;
    sti();
    for (volatile unsigned i = 0; i < 1000; i++) {
    }
    cli();
    printf("masked: count reached %u, %u interrupts, IRR bit %s\n", lapic_read(LAPIC_TIMER_CUR), ticks,
           lapic_read(LAPIC_IRR + 0x10 * (VEC_TIMER / 32)) & (1u << (VEC_TIMER % 32)) ? "set" : "clear");
    CHECK_EQ("masked count", lapic_read(LAPIC_TIMER_CUR), 0);
    CHECK_EQ("masked ticks", ticks, 0);
    rt_verdict("lapic_timer");
}
