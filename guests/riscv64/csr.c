// CSR behaviour: the WARL masks of the M, S, H and VS CSRs (write all ones,
// read; write zero, read; restore), the views (sstatus/sie/sip of mstatus/
// mie/mip, hip/hie/hvip), accesses that must raise illegal-instruction, the
// CSR instruction forms, counters, counter enables and the FP CSRs.
//
// Only what the specification determines is printed: where it lets an
// implementation choose (optional WARL fields) the value is masked. Where
// QEMU 7.2 deviates from the specification the field is masked too, with a
// note; those fields are checked by the hvemu unit tests instead.
#include "common.h"

// Probe one CSR with no memory access between the writes (the probe may
// briefly set mstatus.MPRV or other fields to odd values).
#define PROBE_MASKED(csr, mask)                                                         \
    do {                                                                                \
        unsigned long __ones, __zero, __old;                                            \
        __asm__ volatile("li %2, -1\n\t"                                                \
                         "csrrw %2, " #csr ", %2\n\t"                                   \
                         "csrr %0, " #csr "\n\t"                                        \
                         "csrw " #csr ", zero\n\t"                                      \
                         "csrr %1, " #csr "\n\t"                                        \
                         "csrw " #csr ", %2"                                            \
                         : "=&r"(__ones), "=&r"(__zero), "=&r"(__old) :: "memory");     \
        printf("%-10s ones=%016lx zero=%016lx (mask %lx)\n", #csr, __ones & (mask),     \
               __zero & (mask), (unsigned long)(mask));                                  \
    } while (0)
#define PROBE(csr) PROBE_MASKED(csr, ~0ul)

// mstatus: UXL/SXL masked (QEMU 7.2 lets UXL be written with 3, a reserved
// value), VS masked (optional without the V extension), UBE/SBE/MBE masked
// (may be read-only zero or writable).
#define MSTATUS_CHECKED (~((0xful << 32) | (3ul << 9) | (1ul << 6) | (3ul << 36)))
#define SSTATUS_CHECKED (~((0xful << 32) | (3ul << 9) | (1ul << 6)))
// vsstatus: QEMU 7.2 makes every bit writable; the spec fields are checked.
#define VSSTATUS_CHECKED (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)
// Interrupt bits 12 (SGEI: depends on GEILEN) and 13 (LCOFI: Sscofpmf) masked.
#define IRQ_CHECKED 0xffful
// medeleg bit 11 is read-only zero by the spec; QEMU 7.2 lets it be written.
#define MEDELEG_CHECKED (~(1ul << 11))
// mip: SSIP, VSSIP, STIP (no Sstc enabled), SEIP are writable; MTIP depends on
// the reset value of mtimecmp; QEMU 7.2 also lets mip.VSTIP/VSEIP be written.
#define MIP_CHECKED 0x226ul
// hstatus: QEMU 7.2 keeps every bit; the defined fields (VGEIN masked, it
// depends on GEILEN; VSBE masked, optional) are checked.
#define HSTATUS_CHECKED (HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU | HSTATUS_VTVM | HSTATUS_VTW | HSTATUS_VTSR | (3ul << 32))
// Counter enables are 32-bit; CY, TM, IR are implemented by both.
#define COUNTEREN_CHECKED 7ul
// xepc[0] is always zero with C, but QEMU 7.2 keeps it; masked.
#define EPC_CHECKED (~1ul)

static void probe_all(void) {
    printf("misa %016lx\n", csr_read(misa));
    PROBE_MASKED(mstatus, MSTATUS_CHECKED);
    PROBE_MASKED(medeleg, MEDELEG_CHECKED);
    PROBE_MASKED(mideleg, IRQ_CHECKED);
    PROBE_MASKED(mie, IRQ_CHECKED);
    PROBE_MASKED(mcounteren, COUNTEREN_CHECKED);
    PROBE(mscratch);
    PROBE_MASKED(mepc, EPC_CHECKED);
    PROBE(mtval);
    PROBE_MASKED(mip, MIP_CHECKED);
    PROBE(mtval2);
    PROBE_MASKED(sstatus, SSTATUS_CHECKED);
    PROBE(sie);
    PROBE_MASKED(scounteren, COUNTEREN_CHECKED);
    PROBE(sscratch);
    PROBE_MASKED(sepc, EPC_CHECKED);
    PROBE(stval);
    PROBE(sip);
    PROBE(satp);   // MODE 15 is unsupported: the whole write is ignored
    PROBE_MASKED(hstatus, HSTATUS_CHECKED);
    PROBE(hedeleg);
    PROBE(hideleg);
    PROBE_MASKED(hie, IRQ_CHECKED);
    PROBE_MASKED(hcounteren, COUNTEREN_CHECKED);
    PROBE(htval);
    PROBE_MASKED(hip, IRQ_CHECKED);
    PROBE(hvip);
    PROBE_MASKED(vsstatus, VSSTATUS_CHECKED);
    PROBE(vsie);
    PROBE(vsscratch);
    PROBE_MASKED(vsepc, EPC_CHECKED);
    PROBE(vstval);
    PROBE(vsip);
    PROBE(fflags);
    PROBE(frm);
    PROBE(fcsr);
    // pmpaddr holds bits 55:2 of the address (54 bits).
    PROBE_MASKED(pmpaddr1, (1ul << 54) - 1);
    // mcountinhibit is left out: every bit may be read-only zero (hvemu),
    // and QEMU 7.2 even keeps TM, which must be read-only zero.
    // envcfg: FIOM, and STCE (Sstc); PBMTE and CBxE belong to extensions hvemu lacks.
    PROBE_MASKED(menvcfg, (1ul << 63) | 1ul);
    PROBE_MASKED(senvcfg, 1ul);
    PROBE_MASKED(henvcfg, 1ul);
}

// Values that must read back as written.
static void test_values(void) {
    csr_write(satp, (8ul << 60) | (0x1234ul << 44) | 0x80123ul);
    printf("satp sv39 asid: %lx\n", csr_read(satp));
    csr_write(satp, (9ul << 60) | 0x80456ul);
    printf("satp sv48: %lx\n", csr_read(satp));
    csr_write(satp, (5ul << 60) | 0x80456ul);   // reserved mode: ignored
    printf("satp after reserved mode: %lx\n", csr_read(satp));
    csr_write(satp, 0);
    csr_write(hgatp, (8ul << 60) | (0x12ul << 44) | 0x80124ul);
    printf("hgatp sv39x4: %lx\n", csr_read(hgatp));
    csr_write(hgatp, (9ul << 60) | 0x80128ul);
    printf("hgatp sv48x4: %lx\n", csr_read(hgatp));
    csr_write(hgatp, 0);
    csr_write(vsatp, (8ul << 60) | (0x55ul << 44) | 0x80777ul);
    printf("vsatp sv39: %lx\n", csr_read(vsatp));
    csr_write(vsatp, 0);
    csr_write(pmpcfg0, 0x0b1f);
    printf("pmpcfg0: %lx\n", csr_read(pmpcfg0));
    csr_write(pmpcfg0, 0x1f);
    csr_write(pmpaddr1, 0);
    unsigned long old = csr_read(mtvec);
    csr_write(mtvec, 0x80001000ul);
    printf("mtvec direct: %lx\n", csr_read(mtvec));
    csr_write(mtvec, old);
    csr_write(stvec, 0x80002000ul);
    printf("stvec direct: %lx\n", csr_read(stvec));
    csr_write(vstvec, 0x80003000ul);
    printf("vstvec direct: %lx\n", csr_read(vstvec));
    for (unsigned long mpp = 0; mpp < 4; mpp++) {
        if (mpp == 2) continue;   // reserved
        csr_clear(mstatus, MSTATUS_MPP);
        csr_set(mstatus, mpp << 11);
        printf("mstatus.MPP=%lu reads %lu\n", mpp, (csr_read(mstatus) >> 11) & 3);
    }
    csr_set(mstatus, MSTATUS_MPP);
}

// Views: sstatus/sie/sip are windows on mstatus/mie/mip; hip/hie/hvip share bits.
static void test_views(void) {
    csr_write(mideleg, 0x222);
    csr_write(mie, 0xaaa);
    printf("sie with mideleg=222 mie=aaa: %lx\n", csr_read(sie));
    csr_write(sie, 0);
    printf("mie after sie=0: %lx\n", csr_read(mie) & IRQ_CHECKED);
    csr_write(mie, 0);
    csr_write(mip, 0x2);
    printf("sip with SSIP set in mip: %lx\n", csr_read(sip));
    csr_write(sip, 0);
    printf("mip after sip=0: %lx\n", csr_read(mip) & MIP_CHECKED);
    csr_write(mideleg, 0);
    printf("sip with SSIP undelegated: %lx\n", csr_read(sip));
    csr_write(hvip, 0x444);
    printf("hvip=444: hip %lx mip %lx\n", csr_read(hip) & IRQ_CHECKED, csr_read(mip) & 0x444);
    csr_write(hip, 0);
    printf("hip=0: hvip %lx (only VSSIP is writable in hip)\n", csr_read(hvip));
    csr_write(hvip, 0);
    csr_write(hie, 0x444);
    printf("hie=444: mie %lx\n", csr_read(mie) & IRQ_CHECKED);
    csr_write(mie, 0);
    printf("mie=0: hie %lx\n", csr_read(hie) & IRQ_CHECKED);
    // vsip/vsie show VS bits shifted down to the S positions when delegated.
    csr_write(hideleg, 0x444);
    csr_write(hvip, 0x444);
    csr_write(hie, 0x444);
    // QEMU 7.2 shows only SSIP in vsip (STIP/SEIP read as zero); SSIP checked.
    printf("hideleg=444 hvip=444 hie=444: vsip.SSIP %lx vsie %lx\n", csr_read(vsip) & 2, csr_read(vsie));
    csr_write(vsip, 0);
    printf("vsip=0: hvip %lx\n", csr_read(hvip));
    csr_write(vsie, 0);
    printf("vsie=0: hie %lx\n", csr_read(hie) & IRQ_CHECKED);
    csr_write(hideleg, 0x004);
    csr_write(hvip, 0x444);
    csr_write(hie, 0x444);
    printf("hideleg=004: vsip.SSIP %lx vsie %lx\n", csr_read(vsip) & 2, csr_read(vsie));
    csr_write(hvip, 0);
    csr_write(hie, 0);
    csr_write(hideleg, 0);
    // sstatus writes reach mstatus, but not the M-only fields.
    unsigned long ms = csr_read(mstatus);
    csr_write(sstatus, MSTATUS_SUM | MSTATUS_MXR);
    printf("mstatus after sstatus write: MPP %lu SUM %lu MXR %lu MIE %lu\n", (csr_read(mstatus) >> 11) & 3,
           (csr_read(mstatus) >> 18) & 1, (csr_read(mstatus) >> 19) & 1, (csr_read(mstatus) >> 3) & 1);
    csr_write(mstatus, ms);
}

// The CSR instruction forms (on sscratch: mscratch holds the M trap stack).
static void test_forms(void) {
    unsigned long a, b, c, d;
    csr_write(sscratch, 0xf0f0);
    __asm__ volatile("csrrsi %0, sscratch, 0x0f\n\t"
                     "csrrci %1, sscratch, 0x10\n\t"
                     "csrrwi %2, sscratch, 0x1f\n\t"
                     "csrr %3, sscratch"
                     : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d));
    printf("csrrsi/csrrci/csrrwi: %lx %lx %lx %lx\n", a, b, c, d);
    __asm__ volatile("csrrs %0, sscratch, x0\n\tcsrrc %1, sscratch, x0" : "=&r"(a), "=&r"(b));
    printf("csrrs/csrrc x0: %lx %lx\n", a, b);
    __asm__ volatile("li %1, 0x100\n\tcsrrw x0, sscratch, %1\n\tcsrr %0, sscratch" : "=&r"(a), "=&r"(b));
    printf("csrrw rd=x0: %lx\n", a);
    // Read-only CSRs: reading with csrrs/csrrc x0 and immediate 0 is fine.
    __asm__ volatile("csrrs %0, mhartid, x0\n\tcsrrsi %1, mhartid, 0\n\tcsrrci %2, mvendorid, 0"
                     : "=&r"(a), "=&r"(b), "=&r"(c));
    printf("read-only reads: hartid %lu %lu\n", a, b);
    (void)c;
}

#define EXPECT_ILLEGAL(label, asmtext)                                                   \
    do {                                                                                \
        trap_clear();                                                                   \
        __asm__ volatile(asmtext ::: "a0", "memory");                                   \
        printf("%-28s -> %s cause %lu\n", label, trap_m.count ? "trap" : "no trap", trap_m.cause); \
    } while (0)

static void test_illegal_m(void) {
    EXPECT_ILLEGAL("csrw mhartid", "csrw mhartid, x0");
    EXPECT_ILLEGAL("csrrsi mhartid, 1", "csrrsi a0, mhartid, 1");
    EXPECT_ILLEGAL("csrrs a0, cycle, a0 (a0!=0)", "li a0, 1\n\tcsrrs a0, cycle, a0");
    EXPECT_ILLEGAL("csrw cycle", "csrw cycle, x0");
    EXPECT_ILLEGAL("csrw time", "csrw time, x0");
    EXPECT_ILLEGAL("csrw mvendorid", "csrw mvendorid, x0");
    EXPECT_ILLEGAL("unassigned csr 0x7ff", "csrr a0, 0x7ff");
    EXPECT_ILLEGAL("unassigned csr 0x5ff", "csrr a0, 0x5ff");
}

// Accesses from S and U: mstatus.TVM, counter enables, privilege checks.
static unsigned long lower_access(unsigned long which) {
    unsigned long v = 0;
    switch (which) {
    case 0: __asm__ volatile("csrr %0, mstatus" : "=r"(v)); break;
    case 1: __asm__ volatile("csrr %0, sstatus" : "=r"(v)); break;
    case 2: __asm__ volatile("csrr %0, satp" : "=r"(v)); break;
    case 3: __asm__ volatile("csrr %0, cycle" : "=r"(v)); break;
    case 4: __asm__ volatile("csrr %0, time" : "=r"(v)); break;
    case 5: __asm__ volatile("csrr %0, instret" : "=r"(v)); break;
    case 6: __asm__ volatile("csrr %0, hstatus" : "=r"(v)); break;
    case 7: __asm__ volatile("csrr %0, vsstatus" : "=r"(v)); break;
    case 8: __asm__ volatile("csrr %0, hgatp" : "=r"(v)); break;
    case 9: __asm__ volatile("csrr %0, fcsr" : "=r"(v)); break;
    case 10: __asm__ volatile("csrr %0, hpmcounter3" : "=r"(v)); break;
    }
    (void)v;
    return 0;
}
static const char *const lower_names[] = {"mstatus", "sstatus", "satp", "cycle", "time", "instret",
                                          "hstatus", "vsstatus", "hgatp", "fcsr", "hpmcounter3"};

static void lower_round(const char *mode_name, unsigned long mode, unsigned long skip) {
    for (unsigned long w = 0; w < 11; w++) {
        if (skip & (1ul << w)) continue;
        trap_clear();
        rt_enter(mode, lower_access, w);
        printf("%s %-12s: %s", mode_name, lower_names[w], trap_m.count ? "trap" : "ok");
        if (trap_m.count) printf(" cause %lu", trap_m.cause);
        printf("\n");
    }
}

static void test_lower(void) {
    csr_write(mcounteren, 7);
    csr_write(scounteren, 7);
    lower_round("S all-enabled", RT_MODE_S, 0);
    lower_round("U all-enabled", RT_MODE_U, 0);
    csr_write(scounteren, 0);
    lower_round("U scounteren=0", RT_MODE_U, 0);
    csr_write(mcounteren, 0);
    csr_write(scounteren, 7);
    lower_round("S mcounteren=0", RT_MODE_S, 0);
    csr_write(mcounteren, 7);
    csr_set(mstatus, MSTATUS_TVM);
    // With TVM, HS accesses to hgatp must trap too; QEMU 7.2 allows them, so
    // hgatp (index 8) is left out here.
    lower_round("S TVM", RT_MODE_S, 1ul << 8);
    csr_clear(mstatus, MSTATUS_TVM);
}

// Counters increase (their values are not compared: QEMU derives them from host time).
static void test_counters(void) {
    unsigned long c1 = csr_read(mcycle), i1 = csr_read(minstret), t1 = csr_read(time);
    for (volatile int i = 0; i < 100; i++) {
    }
    unsigned long c2 = csr_read(mcycle), i2 = csr_read(minstret), t2 = csr_read(time);
    printf("counters advance: cycle %d instret %d time %d\n", c2 > c1, i2 > i1, t2 >= t1);
    unsigned long c3 = csr_read(cycle), c4 = csr_read(mcycle);
    printf("cycle mirrors mcycle: %d\n", c4 >= c3);
}

// FP CSRs: fflags and frm are fields of fcsr; FS tracks the state.
static void test_fcsr(void) {
    csr_write(fcsr, 0);
    csr_write(frm, 3);
    csr_write(fflags, 0x15);
    printf("fcsr after frm=3 fflags=15: %lx\n", csr_read(fcsr));
    csr_write(fcsr, 0x1ff);
    printf("fcsr=1ff: fcsr %lx frm %lx fflags %lx\n", csr_read(fcsr), csr_read(frm), csr_read(fflags));
    unsigned long old;
    __asm__ volatile("fsflagsi %0, 0" : "=r"(old));
    printf("fsflagsi old %lx now %lx\n", old, csr_read(fflags));
    __asm__ volatile("fsrmi %0, 1" : "=r"(old));
    printf("fsrmi old %lx now %lx\n", old, csr_read(frm));
    csr_write(fcsr, 0);
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, 1ul << 13);   // Initial
    printf("FS initial: %lu\n", (csr_read(mstatus) >> 13) & 3);
    __asm__ volatile("fmv.d.x ft0, zero" ::: "ft0");
    unsigned long ms = csr_read(mstatus);
    printf("FS after writing an f register: %lu SD %lu\n", (ms >> 13) & 3, ms >> 63);
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, 2ul << 13);   // Clean
    ms = csr_read(mstatus);
    printf("FS clean: %lu SD %lu\n", (ms >> 13) & 3, ms >> 63);
    csr_write(fflags, 1);
    ms = csr_read(mstatus);
    printf("FS after writing fflags: %lu SD %lu\n", (ms >> 13) & 3, ms >> 63);
    csr_write(fflags, 0);
}

int main(void) {
    catch_install();
    probe_all();
    test_values();
    test_views();
    test_forms();
    test_illegal_m();
    test_lower();
    test_counters();
    test_fcsr();
    printf("csr done\n");
    return 0;
}
