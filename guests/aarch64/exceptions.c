// Synchronous exceptions from EL1: SVC, BRK, an undefined instruction and
// a PC alignment fault are taken to EL1; HVC, and (with HCR_EL2.TSC, TWI,
// TVM, TID3 and CPTR_EL2.TFP) SMC, WFI, a write to SCTLR_EL1, a read of an
// ID register and an FP instruction are taken to EL2. Each prints the
// syndrome (EC, IL, ISS), the return address and, for aborts, FAR; and is
// checked against the values the Arm ARM gives. EL2's own BRK and SVC too.
#include "catch.h"

#define FP ".arch_extension fp\n"

static uint64_t addr_of(void (*fn)(void)) { return (uint64_t)fn; }

static void expect_el1(const char *what, unsigned ec, uint64_t iss) {
    print_exc_el1(what);
    rt_check(exc_el1.count == 1 && ESR_EC(exc_el1.esr) == ec && ESR_ISS(exc_el1.esr) == iss,
             "%s: want one exception at EL1 with EC %x ISS %lx", what, ec, iss);
    CHECK_EQ("IL (32-bit instruction)", (exc_el1.esr & ESR_IL) != 0, 1);
    CHECK_EQ("EL2 saw nothing", exc_el2.count, 0);
    CHECK_EQ("SPSR_EL1 mode and DAIF", exc_el1.spsr & 0x3cf, 0x3c5);
    exc_clear();
}

static void expect_el2(const char *what, unsigned ec, uint64_t iss) {
    print_exc_el2(what);
    rt_check(exc_el2.count == 1 && ESR_EC(exc_el2.esr) == ec && ESR_ISS(exc_el2.esr) == iss,
             "%s: want one exception at EL2 with EC %x ISS %lx", what, ec, iss);
    CHECK_EQ("IL (32-bit instruction)", (exc_el2.esr & ESR_IL) != 0, 1);
    CHECK_EQ("EL1 saw nothing", exc_el1.count, 0);
    CHECK_EQ("from a lower EL", RT_FROM_LOWER(exc_el2.kind), 1);
    exc_clear();
}

extern char svc_insn[], brk_insn[], udf_insn[], smc_insn[], wfi_insn[];


static unsigned long el1_tests(unsigned long arg) {
    (void)arg;
    printf("[EL1] CurrentEL=%u\n", current_el());
    exc_clear();
    __asm__ volatile("svc_insn: svc #0x123" ::: "memory");
    CHECK_EQ("svc ELR is past the SVC", exc_el1.elr, (uint64_t)svc_insn + 4);
    expect_el1("svc #0x123", EC_SVC64, 0x123);
    __asm__ volatile("brk_insn: brk #0x77" ::: "memory");
    CHECK_EQ("brk ELR is the BRK", exc_el1.elr, (uint64_t)brk_insn);
    expect_el1("brk #0x77", EC_BRK64, 0x77);
    __asm__ volatile("udf_insn: .word 0x0000dead" ::: "memory");
    CHECK_EQ("udf ELR", exc_el1.elr, (uint64_t)udf_insn);
    expect_el1("udf #0xdead", EC_UNKNOWN, 0);
    // A branch to a misaligned address: PC alignment fault, FAR = the target.
    uint64_t target = addr_of((void (*)(void))el1_tests) + 2;
    __asm__ volatile("blr %0" :: "r"(target) : "x30", "memory");
    CHECK_EQ("pc alignment FAR", exc_el1.far, target);
    expect_el1("blr to +2", EC_PC_ALIGN, 0);
    // To EL2.
    register uint64_t x0 __asm__("x0") = 7;
    __asm__ volatile("hvc #0x55" : "+r"(x0) :: "memory");
    expect_el2("hvc #0x55", EC_HVC64, 0x55);
    __asm__ volatile("smc_insn: smc #0x66" ::: "memory");
    CHECK_EQ("smc ELR is the SMC", exc_el2.elr, (uint64_t)smc_insn);
    expect_el2("smc #0x66 (TSC)", EC_SMC64, 0x66);
    __asm__ volatile("wfi_insn: wfi" ::: "memory");
    CHECK_EQ("wfi ELR", exc_el2.elr, (uint64_t)wfi_insn);
    // ISS: CV=1, COND=0b1110 (from AArch64), TI=0 (WFI).
    expect_el2("wfi (TWI)", EC_WFX, (1ul << 24) | (0xeul << 20));
    uint64_t v = sysreg_read(sctlr_el1);
    __asm__ volatile("msr sctlr_el1, %0" :: "r"(v) : "memory");
    // ISS for MSR/MRS: Op0=3 Op2=0 Op1=0 CRn=1 Rt CRm=0, direction 0 (write).
    print_exc_el2("msr sctlr_el1 (TVM)");
    rt_check(ESR_EC(exc_el2.esr) == EC_SYS64 && (exc_el2.esr & 0x3ffc1f) == ((3u << 20) | (1u << 10) | 0),
             "msr sctlr_el1: EC %lx ISS %lx", ESR_EC(exc_el2.esr), ESR_ISS(exc_el2.esr));
    exc_clear();
    uint64_t id;
    __asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(id) :: "memory");
    print_exc_el2("mrs id_aa64pfr0_el1 (TID3)");
    // Op0=3 Op2=0 Op1=0 CRn=0 CRm=4, direction 1 (read).
    rt_check(ESR_EC(exc_el2.esr) == EC_SYS64 && (exc_el2.esr & 0x3ffc1f) == ((3u << 20) | (4u << 1) | 1),
             "mrs id_aa64pfr0_el1: EC %lx ISS %lx", ESR_EC(exc_el2.esr), ESR_ISS(exc_el2.esr));
    CHECK_EQ("the value EL2 emulated", id, 0x1111);
    exc_clear();
    __asm__ volatile(FP "fmov d0, xzr" ::: "v0", "memory");
    // EC 0x07 (FP access trapped), ISS: CV=1, COND=0b1110.
    expect_el2("fmov d0, xzr (CPTR_EL2.TFP)", 0x07, (1ul << 24) | (0xeul << 20));
    return 0x600d;
}

// EL2 emulates the trapped instructions: the MRS result goes into Rt.
static int emulate(struct rt_frame *f, uint64_t esr) {
    if (ESR_EC(esr) == EC_SYS64 && (esr & 1)) f->x[(esr >> 5) & 31] = 0x1111;
    return 0;
}

int main(void) {
    catch_install();
    fix_hook_el2 = emulate;
    exc_clear();
    __asm__ volatile("brk #0x2");
    print_exc_el2("EL2 brk #2");
    CHECK_EQ("EL2 brk EC", ESR_EC(exc_el2.esr), EC_BRK64);
    CHECK_EQ("EL2 brk same EL", RT_FROM_LOWER(exc_el2.kind), 0);
    exc_clear();
    __asm__ volatile("svc #0x9");
    print_exc_el2("EL2 svc #9");
    CHECK_EQ("EL2 svc ISS", ESR_ISS(exc_el2.esr), 0x9);
    exc_clear();
    sysreg_write(hcr_el2, HCR_RW | HCR_TSC | HCR_TWI | (1ul << 26) /* TVM */ | (1ul << 18) /* TID3 */);
    sysreg_write(cptr_el2, 0x33ff | (1ul << 10) /* TFP */);
    isb();
    unsigned long r = rt_enter_el1(el1_tests, 0);
    printf("EL1 returned %lx\n", r);
    CHECK_EQ("EL1 result", r, 0x600d);
    rt_verdict("exceptions");
}
