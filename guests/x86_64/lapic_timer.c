// The local APIC timer: periodic mode (ten interrupts counted, each one
// EOIed), one-shot mode (one interrupt, then the current count stays 0),
// a masked timer (no interrupt, the count still runs down), and
// TSC-deadline mode through IA32_TSC_DEADLINE (one interrupt at or after
// the deadline, 0 disarms, a mode change disarms, other modes ignore the
// MSR). Only counts and yes/no are printed: the timer's speed is the
// machine's.
#include "rt/rt.h"

#define VEC_TIMER 0x30
#define MSR_TSC_DEADLINE 0x6e0
static volatile unsigned ticks;
static volatile uint64_t tsc_at_tick;

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void on_timer(struct rt_frame *f) {
    (void)f;
    tsc_at_tick = rdtsc();
    ticks++;
    lapic_write(LAPIC_EOI, 0);
}

static void wait_ticks(unsigned n) {
    cli();
    while (ticks < n) __asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void spin_with_interrupts(unsigned n) {
    sti();
    for (volatile unsigned i = 0; i < n; i++) {
    }
    cli();
}

static void tsc_deadline(void) {
    const unsigned has = (cpuid(1, 0).c >> 24) & 1;
    printf("CPUID.1:ECX TSC-deadline: %u\n", has);
    CHECK_EQ("tsc-deadline cpuid", has, 1);
    // Fires once, at or after the deadline. (The SDM clears the MSR when
    // it fires; Bochs 2.7 keeps the value, so that is not printed.)
    ticks = 0;
    lapic_write(LAPIC_LVT_TIMER, (2u << 17) | VEC_TIMER);
    const uint64_t deadline = rdtsc() + 20000;
    wrmsr(MSR_TSC_DEADLINE, deadline);
    const unsigned armed = rdmsr(MSR_TSC_DEADLINE) == deadline;
    wait_ticks(1);
    spin_with_interrupts(20000);
    const unsigned late = tsc_at_tick >= deadline;
    printf("tsc-deadline: armed %u, %u interrupt, at or after the deadline %u\n", armed, ticks, late);
    CHECK_EQ("tsc-deadline ticks", ticks, 1);
    CHECK_EQ("tsc-deadline late", late, 1);
    // A deadline already passed fires at once.
    ticks = 0;
    wrmsr(MSR_TSC_DEADLINE, 1);
    spin_with_interrupts(20000);
    printf("tsc-deadline in the past: %u interrupt\n", ticks);
    CHECK_EQ("tsc-deadline past", ticks, 1);
    // Writing 0 disarms.
    ticks = 0;
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 2000);
    wrmsr(MSR_TSC_DEADLINE, 0);
    spin_with_interrupts(20000);
    printf("tsc-deadline disarmed by 0: %u interrupts\n", ticks);
    CHECK_EQ("tsc-deadline disarm", ticks, 0);
    // A mode change disarms; in one-shot mode the MSR reads 0 and ignores writes.
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 2000);
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
    const unsigned mode_cleared = rdmsr(MSR_TSC_DEADLINE) == 0;
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 2000);
    const unsigned ignored = rdmsr(MSR_TSC_DEADLINE) == 0;
    spin_with_interrupts(20000);
    printf("tsc-deadline after a mode change: MSR reads 0 %u, writes ignored %u, %u interrupts\n", mode_cleared, ignored,
           ticks);
    CHECK_EQ("tsc-deadline mode change", mode_cleared, 1);
    CHECK_EQ("tsc-deadline one-shot write", ignored, 1);
    CHECK_EQ("tsc-deadline mode ticks", ticks, 0);
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
    tsc_deadline();
    rt_verdict("lapic_timer");
}
