// The demo guest: prints where it runs (CurrentEL, MPIDR, MIDR), what the
// loader left in x0-x3 and at the base of RAM (the device tree), then runs
// a function at EL1 that calls back with HVC.
#include "rt/rt.h"

static unsigned long at_el1(unsigned long n) {
    printf("  [EL1] hello from EL1: CurrentEL=%u, %lu * 2 = %lu\n", current_el(), n, n * 2);
    register uint64_t x0 __asm__("x0") = 0x1234;
    __asm__ volatile("hvc #0x42" : "+r"(x0) :: "memory");
    printf("  [EL1] the HVC came back with x0=%lx\n", x0);
    return n + 1;
}

static unsigned hvc_count;

static void on_hvc(struct rt_frame *f, unsigned kind) {
    uint64_t esr = sysreg_read(esr_el2);
    if (RT_TYPE(kind) != RT_SYNC || ESR_EC(esr) != EC_HVC64) {
        rt_print_exception("unexpected:", 2);
        rt_exit(99);
    }
    hvc_count++;
    printf("  [EL2] HVC #%lx from EL1, x0=%lx\n", esr & 0xffff, f->x[0]);
    f->x[0] = f->x[0] + 1;   // ELR already points past the HVC
}

static uint32_t be32(const volatile uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int main(void) {
    unsigned el = current_el();
    uint64_t mpidr = sysreg_read(mpidr_el1);
    uint64_t midr = sysreg_read(midr_el1);
    printf("Hello from a bare-metal AArch64 guest.\n");
    printf("CurrentEL = EL%u\n", el);
    printf("MPIDR_EL1 = %016lx (CPU %lu)\n", mpidr, mpidr & 0xff);
    printf("MIDR_EL1  = %08lx (implementer %02lx, part %03lx)\n", midr, midr >> 24, (midr >> 4) & 0xfff);
    // QEMU enters an ELF kernel with x0 = 0; hvemu passes the device tree
    // in x0 as the Linux boot protocol does. Both are fine for this guest.
    const int x0_ok = rt_boot_regs[0] == 0 || rt_boot_regs[0] == RAM_BASE;
    printf("x0 at entry: %s; x1-x3 = %lx %lx %lx\n", x0_ok ? "0 or the device tree" : "unexpected",
           rt_boot_regs[1], rt_boot_regs[2], rt_boot_regs[3]);
    const volatile uint8_t *dtb = (const volatile uint8_t *)RAM_BASE;
    uint32_t magic = be32(dtb);
    printf("device tree at %lx: magic %08x%s\n", RAM_BASE, magic, magic == 0xd00dfeed ? " (FDT)" : "");
    CHECK_EQ("CurrentEL", el, 2);
    CHECK_EQ("MPIDR Aff0", mpidr & 0xff, 0);
    CHECK_EQ("FDT magic", magic, 0xd00dfeed);
    rt_el2_handler = on_hvc;
    unsigned long r = rt_enter_el1(at_el1, 20);
    printf("Back at EL2: the EL1 function returned %lu after %u HVC(s).\n", r, hvc_count);
    CHECK_EQ("EL1 result", r, 21);
    CHECK_EQ("HVC count", hvc_count, 1);
    rt_verdict("hello");
}
