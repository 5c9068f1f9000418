// The H extension, driven from M-mode: two-stage translation (Sv39 over
// Sv39x4, or Sv48 over Sv48x4 with -DLEVELS=4), guest-page faults of every
// kind (load, store/AMO, fetch, during the VS-stage walk, beyond the G
// stage's reach) taken to M, to HS (medeleg) and VS-level faults to VS
// (hedeleg); HLV/HLVX/HSV from M, HS and U; HFENCE; virtual-instruction
// exceptions; VS interrupts injected through hvip and vstimecmp.
//
// The build compared with QEMU leaves out what QEMU 7.2 gets wrong: htinst/
// mtinst (it writes 0), GVA on traps whose tval is not an address, the cause
// of a walk fault on a store, and the priority of VS interrupts. The SPEC
// build prints those too and is checked against an expected file.
#include "hyp.h"

#ifdef SPEC
#define IF_SPEC(x) x
#else
#define IF_SPEC(x)
#endif

__attribute__((unused)) static int tval_is_address(unsigned long cause) {
    return cause <= 1 || (cause >= 4 && cause <= 7) || cause == 12 || cause == 13 || cause == 15 ||
           cause == 20 || cause == 21 || cause == 23;
}

// The transformed instruction (privileged spec, "Transformed Instruction or
// Pseudoinstruction for mtinst or htinst") of each access function's
// trapping instruction: offset fields and rs1 cleared; bit 1 cleared for a
// compressed one.
static unsigned long expected_tinst;

// For guest-page faults the exact value is printed (hvemu writes the
// transformation; QEMU 7.2 writes 0). For other load/store faults the spec
// allows 0 or the transformation: either prints "0|T".
__attribute__((unused)) static void show_tinst(unsigned long cause, unsigned long tinst) {
    int ldst = (cause >= 4 && cause <= 7) || cause == 13 || cause == 15;
    if (ldst && (tinst == 0 || tinst == expected_tinst)) printf(" tinst=0|T");
    else printf(" tinst=%lx", tinst);
}

static void show_gva(unsigned long cause, unsigned long gva) {
#ifdef SPEC
    (void)cause;
    printf(" GVA=%lu", gva);
#else
    if (tval_is_address(cause)) printf(" GVA=%lu", gva);
#endif
}

// Set while running instructions whose trap tval QEMU 7.2 writes wrongly.
static int hide_tval;

// What the last run left: a value, or the trap that M, HS or VS took.
static void show(const char *label, unsigned long v) {
#ifndef SPEC
    if (hide_tval) trap_m.tval = trap_s.tval = trap_vs.tval = 0;
#endif
    printf("%-36s:", label);
    if (trap_m.count) {
        unsigned long st = trap_m.status;
        printf(" M cause=%lx tval=%lx tval2=%lx MPV=%lu MPP=%lu", trap_m.cause, trap_m.tval, trap_m.tval2,
               (st >> 39) & 1, (st >> 11) & 3);
        show_gva(trap_m.cause, (st >> 38) & 1);
        IF_SPEC(show_tinst(trap_m.cause, trap_m.tinst));
    } else if (trap_s.count) {
        unsigned long hs = trap_s.hstatus;
        printf(" HS cause=%lx tval=%lx htval=%lx SPV=%lu SPVP=%lu SPP=%lu", trap_s.cause, trap_s.tval, trap_s.tval2,
               (hs >> 7) & 1, (hs >> 8) & 1, (trap_s.status >> 8) & 1);
        show_gva(trap_s.cause, (hs >> 6) & 1);
        IF_SPEC(show_tinst(trap_s.cause, trap_s.tinst));
    } else if (trap_vs.count) {
        printf(" VS cause=%lx tval=%lx SPP=%lu", trap_vs.cause, trap_vs.tval, (trap_vs.status >> 8) & 1);
    } else {
        printf(" ok %lx", v);
    }
    printf("\n");
}

// ---- Accesses with fixed registers (so the transformed instruction is known)
static unsigned long g_ld(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a;
    __asm__ volatile(".option push\n\t.option norvc\n\tld a0, 0(a1)\n\t.option pop" : "=r"(a0) : "r"(a1) : "memory");
    return a0;
}
static unsigned long g_lw8(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a - 8;
    __asm__ volatile(".option push\n\t.option norvc\n\tlw a0, 8(a1)\n\t.option pop" : "=r"(a0) : "r"(a1) : "memory");
    return a0;
}
static unsigned long g_clw(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a - 4;
    __asm__ volatile("c.lw a0, 4(a1)" : "=r"(a0) : "r"(a1) : "memory");
    return a0;
}
static unsigned long g_fld(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a;
    __asm__ volatile(".option push\n\t.option norvc\n\tfld fa0, 0(a1)\n\t.option pop\n\tfmv.x.d a0, fa0"
                     : "=r"(a0) : "r"(a1) : "fa0", "memory");
    return a0;
}
static unsigned long g_sd(unsigned long a) {
    register unsigned long a1 __asm__("a1") = a, a2 __asm__("a2") = 0x5d;
    __asm__ volatile(".option push\n\t.option norvc\n\tsd a2, 0(a1)\n\t.option pop" :: "r"(a1), "r"(a2) : "memory");
    return 0;
}
static unsigned long g_csd(unsigned long a) {
    register unsigned long a1 __asm__("a1") = a - 8, a2 __asm__("a2") = 0x5e;
    __asm__ volatile("c.sd a2, 8(a1)" :: "r"(a1), "r"(a2) : "memory");
    return 0;
}
static unsigned long g_fsd(unsigned long a) {
    register unsigned long a1 __asm__("a1") = a;
    __asm__ volatile("fmv.d.x fa0, zero\n\t.option push\n\t.option norvc\n\tfsd fa0, 0(a1)\n\t.option pop"
                     :: "r"(a1) : "fa0", "memory");
    return 0;
}
static unsigned long g_amoadd(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a, a2 __asm__("a2") = 1;
    __asm__ volatile("amoadd.w a0, a2, (a1)" : "=r"(a0) : "r"(a1), "r"(a2) : "memory");
    return a0;
}
static unsigned long g_lr(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a;
    __asm__ volatile("lr.d a0, (a1)" : "=r"(a0) : "r"(a1) : "memory");
    return a0;
}
static unsigned long g_fetch(unsigned long a) {
    register unsigned long a0 __asm__("a0") = 41;
    __asm__ volatile("jalr ra, 0(%1)" : "+r"(a0) : "r"(a) : "ra", "memory");
    return a0;
}

// HLV/HLVX/HSV (clang 14 lacks the mnemonics): hlv.w a0,(a1); hlv.d a0,(a1);
// hlv.b a0,(a1); hlvx.wu a0,(a1); hsv.d a2,(a1); hsv.w a2,(a1).
static unsigned long hlv_w(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a;
    __asm__ volatile(".insn r 0x73, 4, 0x34, a0, a1, x0" : "=r"(a0) : "r"(a1) : "memory");
    return a0;
}
static unsigned long hlv_d(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a;
    __asm__ volatile(".insn r 0x73, 4, 0x36, a0, a1, x0" : "=r"(a0) : "r"(a1) : "memory");
    return a0;
}
static unsigned long hlv_b(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a;
    __asm__ volatile(".insn r 0x73, 4, 0x30, a0, a1, x0" : "=r"(a0) : "r"(a1) : "memory");
    return a0;
}
__attribute__((unused)) static unsigned long hlvx_wu(unsigned long a) {
    register unsigned long a0 __asm__("a0"), a1 __asm__("a1") = a;
    __asm__ volatile(".insn r 0x73, 4, 0x34, a0, a1, x3" : "=r"(a0) : "r"(a1) : "memory");
    return a0;
}
static unsigned long hsv_d(unsigned long a) {
    register unsigned long a1 __asm__("a1") = a, a2 __asm__("a2") = 0x6d;
    __asm__ volatile(".insn r 0x73, 4, 0x37, x0, a1, a2" :: "r"(a1), "r"(a2) : "memory");
    return 0;
}
static void hfence_gvma_all(void) { __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory"); }
static void hfence_vvma_all(void) { __asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory"); }

typedef unsigned long (*access_fn)(unsigned long);

static const struct {
    access_fn fn;
    unsigned long tinst;
} transformed[] = {
    {g_ld, 0x00003503},      // ld a0, 0(a1)
    {g_lw8, 0x00002503},     // lw a0, 8(a1)
    {g_clw, 0x00002501},     // c.lw a0, 4(a1) -> lw a0, 4(a1), bit 1 cleared
    {g_fld, 0x00003507},     // fld fa0, 0(a1)
    {g_sd, 0x00c03023},      // sd a2, 0(a1)
    {g_csd, 0x00c03021},     // c.sd a2, 8(a1) -> sd a2, 8(a1), bit 1 cleared
    {g_fsd, 0x00a03027},     // fsd fa0, 0(a1)
    {g_amoadd, 0x00c0252f},  // amoadd.w a0, a2, (a1)
    {g_lr, 0x1000352f},      // lr.d a0, (a1)
    {hlv_w, 0x68004573},     // hlv.w a0, (a1)
    {hlv_d, 0x6c004573},     // hlv.d a0, (a1)
    {hlv_b, 0x60004573},     // hlv.b a0, (a1)
    {hlvx_wu, 0x68304573},   // hlvx.wu a0, (a1)
    {hsv_d, 0x6ec04073},     // hsv.d a2, (a1)
};

static void expect(access_fn fn) {
    expected_tinst = 0;
    for (unsigned i = 0; i < sizeof transformed / sizeof transformed[0]; i++)
        if (transformed[i].fn == fn) expected_tinst = transformed[i].tinst;
}

static unsigned long run(unsigned long mode, access_fn fn, unsigned long arg) {
    trap_clear();
    expect(fn);
    return rt_enter(mode, fn, arg);
}
static void run_show(const char *label, unsigned long mode, access_fn fn, unsigned long arg) {
    unsigned long v = run(mode, fn, arg);
    show(label, v);
}
static void m_show(const char *label, access_fn fn, unsigned long arg) {
    trap_clear();
    expect(fn);
    unsigned long v = fn(arg);
    show(label, v);
}

// ---- Guest-page faults and VS-level faults from VS
static void test_vs_faults(const char *to) {
    printf("-- faults from VS, taken to %s\n", to);
    run_show("VS ld ok", RT_MODE_VS, g_ld, GVA(V_OK));
    run_show("VS ld wide GPA", RT_MODE_VS, g_ld, GVA(V_WIDE));
    // QEMU 7.2 checks G-stage addresses as if sign-extended and faults on
    // the top GPA bit (2^40 for Sv39x4).
    IF_SPEC(run_show("VS ld widest GPA", RT_MODE_VS, g_ld, GVA(V_WIDER)));
    run_show("VS ld G-unmapped", RT_MODE_VS, g_ld, GVA(V_GNONE) + 0x18);
    run_show("VS lw+8 G-unmapped", RT_MODE_VS, g_lw8, GVA(V_GNONE) + 0x20);
    run_show("VS c.lw G-unmapped", RT_MODE_VS, g_clw, GVA(V_GNONE) + 0x24);
    run_show("VS fld G-unmapped", RT_MODE_VS, g_fld, GVA(V_GNONE) + 0x28);
    run_show("VS lr.d G-unmapped", RT_MODE_VS, g_lr, GVA(V_GNONE) + 0x30);
    // An AMO is a store/AMO access: QEMU 7.2 reports a load guest-page fault
    // when the page is not mapped at all.
    IF_SPEC(run_show("VS amoadd.w G-unmapped", RT_MODE_VS, g_amoadd, GVA(V_GNONE) + 0x34));
    run_show("VS ld G-readonly", RT_MODE_VS, g_ld, GVA(V_GRO));
    run_show("VS sd G-readonly", RT_MODE_VS, g_sd, GVA(V_GRO) + 0x40);
    run_show("VS c.sd G-readonly", RT_MODE_VS, g_csd, GVA(V_GRO) + 0x48);
    run_show("VS fsd G-readonly", RT_MODE_VS, g_fsd, GVA(V_GRO) + 0x50);
    run_show("VS amoadd.w G-readonly", RT_MODE_VS, g_amoadd, GVA(V_GRO) + 0x58);
    run_show("VS ld GPA beyond G reach", RT_MODE_VS, g_ld, GVA(V_TOOWIDE) + 0x60);
    run_show("VS fetch G-noexec", RT_MODE_VS, g_fetch, GVA(V_GNOX));
    run_show("VS fetch G-exec", RT_MODE_VS, g_fetch, GVA(V_GX));
    run_show("VS fetch straddling G-unmapped", RT_MODE_VS, g_fetch, GVA(V_XEND) + 4092);
    run_show("VS ld during VS walk", RT_MODE_VS, g_ld, GVA_WALK + 0x10);
    // A fetch or store whose VS-stage walk faults is an instruction or store
    // guest-page fault; QEMU 7.2 reports a load guest-page fault.
    IF_SPEC(run_show("VS fetch during VS walk", RT_MODE_VS, g_fetch, GVA_WALK + 0x200000));
    IF_SPEC(run_show("VS sd during VS walk", RT_MODE_VS, g_sd, GVA_WALK + 0x18));
    // A misaligned load straddling into a G-unmapped page: tval is the page
    // boundary, htinst's offset field holds the distance from the address.
    IF_SPEC(run_show("VS ld straddling into G-unmapped", RT_MODE_VS, g_ld, GVA(V_GRO) + 4092));
    run_show("VS ld VS-invalid", RT_MODE_VS, g_ld, GVA(V_VSNONE) + 8);
    run_show("VS sd VS-readonly", RT_MODE_VS, g_sd, GVA(V_VSRO));
    run_show("VS ld VS-U page", RT_MODE_VS, g_ld, GVA(V_VSU));
    run_show("VS ld VS-execute-only", RT_MODE_VS, g_ld, GVA(V_VSXONLY));
    run_show("VS fetch VS-invalid", RT_MODE_VS, g_fetch, GVA(V_VSNONE));
}

static void test_vs_permissions(void) {
    printf("-- SUM and MXR at the VS stage\n");
    csr_set(vsstatus, MSTATUS_SUM);
    run_show("VS ld VS-U page, vsstatus.SUM", RT_MODE_VS, g_ld, GVA(V_VSU));
    csr_clear(vsstatus, MSTATUS_SUM);
    csr_set(vsstatus, MSTATUS_MXR);
    run_show("VS ld VS-exec-only, vsstatus.MXR", RT_MODE_VS, g_ld, GVA(V_VSXONLY));
    csr_clear(vsstatus, MSTATUS_MXR);
    run_show("VS ld G-exec-only", RT_MODE_VS, g_ld, GVA(V_GXONLY));
    run_show("VS fetch G-exec-only", RT_MODE_VS, g_fetch, GVA(V_GXONLY));
    // vsstatus.MXR does not reach the G stage, HS-level MXR makes execute-
    // only pages readable at both stages; QEMU 7.2 applies vsstatus.MXR to
    // both stages and HS-level MXR to neither.
#ifdef SPEC
    csr_set(vsstatus, MSTATUS_MXR);
    run_show("VS ld G-exec-only, vsstatus.MXR", RT_MODE_VS, g_ld, GVA(V_GXONLY));
    csr_clear(vsstatus, MSTATUS_MXR);
    csr_set(mstatus, MSTATUS_MXR);
    run_show("VS ld VS-exec-only, mstatus.MXR", RT_MODE_VS, g_ld, GVA(V_VSXONLY));
    run_show("VS ld G-exec-only, mstatus.MXR", RT_MODE_VS, g_ld, GVA(V_GXONLY));
    csr_clear(mstatus, MSTATUS_MXR);
#endif
    // VU: only U pages, from the VU root.
    csr_write(vsatp, vsatp_value(vs_root_u, 0));
    hfence_vvma_all();
    run_show("VU ld VS-U page", RT_MODE_VU, g_ld, GVA(V_VSU));
    run_show("VU ld G-unmapped", RT_MODE_VU, g_ld, GVA(V_GNONE));
    run_show("VU sd G-readonly", RT_MODE_VU, g_sd, GVA(V_GRO));
    csr_write(vsatp, vsatp_value(vs_root, 0));
    hfence_vvma_all();
}

// ---- Instructions that raise virtual-instruction (or illegal) exceptions
static unsigned long x_csrr_hstatus(unsigned long a) { (void)a; return csr_read(hstatus); }
static unsigned long x_csrr_vsstatus(unsigned long a) { (void)a; return csr_read(vsstatus); }
static unsigned long x_csrr_hgatp(unsigned long a) { (void)a; return csr_read(hgatp); }
static unsigned long x_csrr_mstatus(unsigned long a) { (void)a; return csr_read(mstatus); }
__attribute__((unused)) static unsigned long x_csrr_sstatus(unsigned long a) {
    (void)a;
    return csr_read(sstatus) & 0x122;
}
static unsigned long x_csrr_satp(unsigned long a) { (void)a; return csr_read(satp) >> 60; }
static unsigned long x_csrr_cycle(unsigned long a) { (void)a; return csr_read(cycle) != 0; }
static unsigned long x_wfi(unsigned long a) { __asm__ volatile("wfi"); return a; }
// sret back to the next instruction, in S (VS) mode.
static unsigned long x_sret(unsigned long a) {
    __asm__ volatile("li t0, 0x100\n\tcsrs sstatus, t0\n\tla t0, 1f\n\tcsrw sepc, t0\n\tsret\n1:" ::: "t0", "memory");
    return a;
}
__attribute__((unused)) static unsigned long x_sret_plain(unsigned long a) {
    __asm__ volatile("sret" ::: "memory");
    return a;
}
static unsigned long x_sfence(unsigned long a) { __asm__ volatile("sfence.vma" ::: "memory"); return a; }
static unsigned long x_hfence_vvma(unsigned long a) { hfence_vvma_all(); return a; }
static unsigned long x_hfence_gvma(unsigned long a) { hfence_gvma_all(); return a; }
static unsigned long x_ecall(unsigned long a) { __asm__ volatile("ecall" ::: "memory"); return a; }

static void test_virtual_insn(void) {
    printf("-- virtual-instruction and illegal-instruction exceptions\n");
    run_show("VS csrr hstatus", RT_MODE_VS, x_csrr_hstatus, 0);
    run_show("VS csrr vsstatus", RT_MODE_VS, x_csrr_vsstatus, 0);
    run_show("VS csrr hgatp", RT_MODE_VS, x_csrr_hgatp, 0);
    run_show("VS csrr mstatus", RT_MODE_VS, x_csrr_mstatus, 0);
    // QEMU 7.2 writes a stale tval for HLV/HSV in VS (tval compared only in SPEC).
    hide_tval = 1;
    run_show("VS hlv.w", RT_MODE_VS, hlv_w, GVA(V_OK));
    run_show("VS hsv.d", RT_MODE_VS, hsv_d, GVA(V_OK));
    hide_tval = 0;
    run_show("VS hfence.vvma", RT_MODE_VS, x_hfence_vvma, 0);
    run_show("VS hfence.gvma", RT_MODE_VS, x_hfence_gvma, 0);
    run_show("VS ecall", RT_MODE_VS, x_ecall, 0);
    csr_set(hstatus, HSTATUS_VTW);
    run_show("VS wfi, VTW=1", RT_MODE_VS, x_wfi, 1);
    csr_set(mstatus, MSTATUS_TW);
    run_show("VS wfi, VTW=1 TW=1", RT_MODE_VS, x_wfi, 1);
    csr_clear(hstatus, HSTATUS_VTW);
    run_show("VS wfi, TW=1", RT_MODE_VS, x_wfi, 1);
    csr_clear(mstatus, MSTATUS_TW);
    csr_set(hstatus, HSTATUS_VTSR);
    run_show("VS sret, VTSR=1", RT_MODE_VS, x_sret, 2);
    csr_clear(hstatus, HSTATUS_VTSR);
    run_show("VS sret, VTSR=0 (no trap)", RT_MODE_VS, x_sret, 2);
    csr_set(hstatus, HSTATUS_VTVM);
    run_show("VS sfence.vma, VTVM=1", RT_MODE_VS, x_sfence, 3);
    // satp with VTVM=1 must trap too; QEMU 7.2 lets VS read it.
    IF_SPEC(run_show("VS csrr satp, VTVM=1", RT_MODE_VS, x_csrr_satp, 3));
    csr_clear(hstatus, HSTATUS_VTVM);
    run_show("VS csrr satp (reads vsatp)", RT_MODE_VS, x_csrr_satp, 3);
    // mstatus.TVM and TSR affect HS only, not VS; QEMU 7.2 applies them in VS.
#ifdef SPEC
    csr_set(mstatus, MSTATUS_TVM);
    run_show("VS sfence.vma, TVM=1 (no trap)", RT_MODE_VS, x_sfence, 3);
    run_show("VS csrr satp, TVM=1 (no trap)", RT_MODE_VS, x_csrr_satp, 3);
    csr_clear(mstatus, MSTATUS_TVM);
    csr_set(mstatus, MSTATUS_TSR);
    run_show("VS sret, TSR=1 (no trap)", RT_MODE_VS, x_sret, 2);
    csr_clear(mstatus, MSTATUS_TSR);
#endif
    csr_write(mcounteren, 7);
    csr_write(hcounteren, 0);
    run_show("VS rdcycle, hcounteren=0", RT_MODE_VS, x_csrr_cycle, 0);
    csr_write(hcounteren, 7);
    run_show("VS rdcycle, hcounteren=7", RT_MODE_VS, x_csrr_cycle, 0);
    csr_write(mcounteren, 0);
    run_show("VS rdcycle, mcounteren=0", RT_MODE_VS, x_csrr_cycle, 0);
    csr_write(mcounteren, 7);

    csr_write(vsatp, vsatp_value(vs_root_u, 0));
    hfence_vvma_all();
    run_show("VU ecall", RT_MODE_VU, x_ecall, 0);
    // SRET, SFENCE.VMA and supervisor CSRs in VU raise virtual-instruction
    // exceptions; QEMU 7.2 raises illegal-instruction.
    IF_SPEC(run_show("VU sret", RT_MODE_VU, x_sret_plain, 0));
    IF_SPEC(run_show("VU sfence.vma", RT_MODE_VU, x_sfence, 0));
    run_show("VU wfi", RT_MODE_VU, x_wfi, 0);
    IF_SPEC(run_show("VU csrr sstatus", RT_MODE_VU, x_csrr_sstatus, 0));
    run_show("VU csrr hstatus", RT_MODE_VU, x_csrr_hstatus, 0);
    run_show("VU csrr mstatus", RT_MODE_VU, x_csrr_mstatus, 0);
    hide_tval = 1;
    run_show("VU hlv.w", RT_MODE_VU, hlv_w, GVA(V_VSU));
    hide_tval = 0;
    csr_write(scounteren, 0);
    run_show("VU rdcycle, scounteren=0", RT_MODE_VU, x_csrr_cycle, 0);
    csr_write(scounteren, 7);
    run_show("VU rdcycle, scounteren=7", RT_MODE_VU, x_csrr_cycle, 0);
    csr_write(vsatp, vsatp_value(vs_root, 0));
    hfence_vvma_all();
}

// ---- HLV/HLVX/HSV from M, HS and U
static void test_hlv(void) {
    printf("-- HLV/HSV\n");
    csr_set(hstatus, HSTATUS_SPVP);
    m_show("M hlv.d ok", hlv_d, GVA(V_OK));
    m_show("M hlv.w wide GPA", hlv_w, GVA(V_WIDE));
    IF_SPEC(m_show("M hlv.w widest GPA", hlv_w, GVA(V_WIDER)));
    ((volatile uint64_t *)host_g0)[1] = 0x80;
    m_show("M hlv.b sign-extends", hlv_b, GVA(V_OK) + 8);
    m_show("M hlv.w G-unmapped", hlv_w, GVA(V_GNONE) + 0x10);
    m_show("M hsv.d G-readonly", hsv_d, GVA(V_GRO) + 0x18);
    m_show("M hsv.d ok", hsv_d, GVA(V_OK) + 0x20);
    printf("host page after hsv.d: %lx\n", (unsigned long)((volatile uint64_t *)host_g0)[4]);
    m_show("M hlv.w G-exec-only", hlv_w, GVA(V_GXONLY));
    m_show("M hlv.d during VS walk", hlv_d, GVA_WALK + 0x28);
    // QEMU 7.2 reports VS-stage faults of HLV/HLVX as access faults, lets
    // SPVP=1 reach U pages without vsstatus.SUM (from M it ignores SPVP),
    // and HLVX does not check G-stage execute permission: SPEC only.
#ifdef SPEC
    m_show("M hlv.w VS-invalid", hlv_w, GVA(V_VSNONE));
    m_show("M hlv.w VS-execute-only", hlv_w, GVA(V_VSXONLY));
    m_show("M hlvx.wu VS-execute-only", hlvx_wu, GVA(V_VSXONLY));
    m_show("M hlvx.wu G-noexec", hlvx_wu, GVA(V_GNOX));
    m_show("M hlvx.wu G-exec-only", hlvx_wu, GVA(V_GXONLY));
    m_show("M hlv.d VS-U page, SPVP=1", hlv_d, GVA(V_VSU));
    csr_clear(hstatus, HSTATUS_SPVP);
    m_show("M hlv.d S page, SPVP=0", hlv_d, GVA(V_OK));
    m_show("M hlv.d VS-U page, SPVP=0", hlv_d, GVA(V_VSU));
    csr_set(hstatus, HSTATUS_SPVP);
    run_show("HS hlv.w VS-invalid", RT_MODE_S, hlv_w, GVA(V_VSNONE));
    run_show("HS hlv.w VS-execute-only", RT_MODE_S, hlv_w, GVA(V_VSXONLY));
    run_show("HS hlvx.wu VS-execute-only", RT_MODE_S, hlvx_wu, GVA(V_VSXONLY));
    run_show("HS hlvx.wu G-noexec", RT_MODE_S, hlvx_wu, GVA(V_GNOX));
    run_show("HS hlvx.wu G-exec-only", RT_MODE_S, hlvx_wu, GVA(V_GXONLY));
    run_show("HS hlv.d VS-U page, SPVP=1", RT_MODE_S, hlv_d, GVA(V_VSU));
    csr_clear(hstatus, HSTATUS_SPVP);
    run_show("HS hlv.d S page, SPVP=0", RT_MODE_S, hlv_d, GVA(V_OK));
    csr_set(hstatus, HSTATUS_SPVP);
#endif
    csr_set(vsstatus, MSTATUS_SUM);
    run_show("HS hlv.d VS-U page, SPVP=1, SUM", RT_MODE_S, hlv_d, GVA(V_VSU));
    csr_clear(vsstatus, MSTATUS_SUM);
    csr_clear(hstatus, HSTATUS_SPVP);
    run_show("HS hlv.d VS-U page, SPVP=0", RT_MODE_S, hlv_d, GVA(V_VSU));
    csr_set(hstatus, HSTATUS_SPVP);
    run_show("HS hlv.d", RT_MODE_S, hlv_d, GVA(V_OK));
    run_show("HS hsv.d G-readonly", RT_MODE_S, hsv_d, GVA(V_GRO));
    csr_clear(hstatus, HSTATUS_HU);
    hide_tval = 1;   // tval: 0 (QEMU) or the instruction bits, both allowed
    run_show("U hlv.d, HU=0", RT_MODE_U, hlv_d, GVA(V_OK));
    hide_tval = 0;
    csr_set(hstatus, HSTATUS_HU);
    run_show("U hlv.d, HU=1", RT_MODE_U, hlv_d, GVA(V_OK));
    csr_clear(hstatus, HSTATUS_HU);
}

// ---- HFENCE: after a table change and the fence, the new mapping is used.
static void test_hfence(void) {
    printf("-- HFENCE\n");
    m_show("hlv.d g0", hlv_d, GVA(V_OK));
    g_map_page(0, host_spare, PTE_R | PTE_W | PTE_U | PTE_AD);
    hfence_gvma_all();
    m_show("G remapped, hfence.gvma all", hlv_d, GVA(V_OK));
    g_map_page(0, host_g0, PTE_R | PTE_W | PTE_U | PTE_AD);
    // hfence.gvma with rs1 = GPA >> 2 and rs2 = VMID 0
    register unsigned long t0 __asm__("t0") = GPA(0) >> 2;
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, t0, x0" :: "r"(t0) : "memory");
    m_show("G restored, hfence.gvma gpa", hlv_d, GVA(V_OK));
    vs_map_page(V_OK, GPA(1), PTE_R | PTE_W | PTE_AD);
    register unsigned long t1 __asm__("t1") = GVA(V_OK);
    __asm__ volatile(".insn r 0x73, 0, 0x11, x0, t1, x0" :: "r"(t1) : "memory");
    m_show("VS remapped, hfence.vvma va", hlv_d, GVA(V_OK));
    vs_map_page(V_OK, GPA(0), PTE_R | PTE_W | PTE_AD);
    hfence_vvma_all();
    m_show("VS restored, hfence.vvma all", hlv_d, GVA(V_OK));
    // A new VMID with the same tables.
    csr_write(hgatp, hgatp_value(5));
    m_show("hgatp VMID 5", hlv_d, GVA(V_OK));
    csr_write(hgatp, hgatp_value(0));
    run_show("HS hfence.gvma", RT_MODE_S, x_hfence_gvma, 7);
    run_show("HS hfence.vvma", RT_MODE_S, x_hfence_vvma, 7);
    csr_set(mstatus, MSTATUS_TVM);
    run_show("HS hfence.gvma, TVM=1", RT_MODE_S, x_hfence_gvma, 7);
    run_show("HS hfence.vvma, TVM=1 (no trap)", RT_MODE_S, x_hfence_vvma, 7);
    // HS access to hgatp with TVM=1 is illegal; QEMU 7.2 allows it.
    IF_SPEC(run_show("HS csrr hgatp, TVM=1", RT_MODE_S, x_csrr_hgatp, 7));
    csr_clear(mstatus, MSTATUS_TVM);
    run_show("U hfence.vvma", RT_MODE_U, x_hfence_vvma, 7);
}

// ---- The VS CSRs as VS sees them
static unsigned long vs_views(unsigned long a) {
    (void)a;
    csr_write(sscratch, 0x5c5c);
    unsigned long st = csr_read(sstatus), at = csr_read(satp);
    return (st & (MSTATUS_SPP | MSTATUS_SUM)) | (at >> 60) << 32;
}

static void test_views(void) {
    printf("-- VS views\n");
    csr_write(vsstatus, MSTATUS_SUM | MSTATUS_FS);
    unsigned long v = run(RT_MODE_VS, vs_views, 0);
    printf("in VS: sstatus.SUM %lu satp.MODE %lu; sscratch written in VS is vsscratch %lx\n", (v >> 18) & 1,
           v >> 32, csr_read(vsscratch));
    csr_clear(vsstatus, MSTATUS_SUM);
}

// ---- VS interrupts: hvip injection (delegated to VS through hideleg, or
// taken in HS), vstimecmp, htimedelta.
#define MAX_SEQ 8
static volatile unsigned long seq[MAX_SEQ];
static volatile unsigned seq_n;

static void record(unsigned long tag) {
    if (seq_n < MAX_SEQ) seq[seq_n++] = tag;
}
static void print_seq(const char *label) {
    printf("%-36s:", label);
    if (!seq_n) printf(" none");
    for (unsigned i = 0; i < seq_n; i++) printf(" %lx", seq[i]);
    printf("\n");
    seq_n = 0;
}

// In VS: scause is vscause (VS interrupts appear as S interrupts).
static void vs_irq(unsigned long cause) {
    record(0x100 | (cause & 0xff));
    switch (cause & 0xff) {
    case 1: csr_clear(sip, 1ul << 1); break;
    case 5: csr_clear(sie, 1ul << 5); csr_write(stimecmp, ~0ul); break;
    case 9: csr_clear(sie, 1ul << 9); break;
    default: rt_exit(7);
    }
}
static void vs_irq_timer_only(unsigned long cause) {
    record(0x100 | (cause & 0xff));
    csr_write(stimecmp, ~0ul);
}
// In HS: VS-level interrupts not delegated to VS.
static void hs_irq(unsigned long cause) {
    record(0x200 | (cause & 0xff) | ((csr_read(hstatus) & HSTATUS_SPV) ? 0x1000 : 0));
    csr_clear(hvip, 1ul << (cause & 0xff));
    csr_clear(hie, 1ul << (cause & 0xff));
}

static unsigned long vs_enable_wait(unsigned long bits) {
    csr_set(sie, bits);
    csr_set(sstatus, MSTATUS_SIE);
    for (volatile unsigned i = 0; i < 1000 && seq_n == 0; i++) {
    }
    csr_clear(sstatus, MSTATUS_SIE);
    return 0;
}
static unsigned long vs_spin(unsigned long n) {
    for (volatile unsigned long i = 0; i < n; i++) {
    }
    return 0;
}
static unsigned long vs_timer(unsigned long delta) {
    unsigned long t = csr_read(time) + delta;
    csr_write(stimecmp, t);
    csr_set(sie, 1ul << 5);
    csr_set(sstatus, MSTATUS_SIE);
    while (seq_n == 0 && csr_read(time) < t + 10000000) {
    }
    csr_clear(sstatus, MSTATUS_SIE);
    csr_clear(sie, 1ul << 5);
    return 0;
}
static unsigned long vs_time(unsigned long a) {
    (void)a;
    return csr_read(time);
}

static void test_interrupts(void) {
    printf("-- VS interrupts\n");
    irq_hook_vs = vs_irq;
    irq_hook_s = hs_irq;
    csr_write(hideleg, 0x444);
    csr_write(hie, 0x444);
    csr_write(hvip, 1ul << 2);
    printf("vsip seen by M with hvip.VSSIP: %lx\n", csr_read(vsip) & 2);
    run(RT_MODE_VS, vs_spin, 10);
    print_seq("hvip.VSSIP, VS SIE=0");
    run(RT_MODE_VS, vs_enable_wait, 1ul << 1);
    print_seq("hvip.VSSIP, delegated");
    printf("hvip after VS cleared sip.SSIP: %lx\n", csr_read(hvip));
    csr_write(hvip, 1ul << 6);
    run(RT_MODE_VS, vs_enable_wait, 1ul << 5);
    print_seq("hvip.VSTIP, delegated");
    csr_write(hvip, 1ul << 10);
    run(RT_MODE_VS, vs_enable_wait, 1ul << 9);
    print_seq("hvip.VSEIP, delegated");
    csr_write(hvip, 0);
#ifdef SPEC
    // Priority among VS interrupts in VS: VSEI > VSSI > VSTI (QEMU 7.2 takes
    // the lowest-numbered one first).
    csr_write(hvip, 0x444);
    run(RT_MODE_VS, vs_enable_wait, 0x222);
    print_seq("hvip all three, delegated");
    csr_write(hvip, 0);
#endif
    // Not delegated to VS: taken in HS while V=1, whatever vsstatus.SIE.
    csr_write(hideleg, 0);
    csr_write(hie, 1ul << 2);
    csr_write(hvip, 1ul << 2);
    run(RT_MODE_VS, vs_spin, 10);
    print_seq("hvip.VSSIP, not delegated");
    csr_write(hie, 1ul << 6);
    csr_write(hvip, 1ul << 6);
    run(RT_MODE_VS, vs_spin, 10);
    print_seq("hvip.VSTIP, not delegated");
    // hie clear: nothing is taken.
    csr_write(hie, 0);
    csr_write(hvip, 1ul << 2);
    run(RT_MODE_VS, vs_spin, 10);
    print_seq("hvip.VSSIP, hie=0");
    csr_write(hvip, 0);

    // vstimecmp (Sstc in VS): VS programs its timer through stimecmp.
    csr_write(menvcfg, 1ul << 63);
    csr_write(henvcfg, 1ul << 63);
    csr_write(hideleg, 1ul << 6);
    csr_write(hie, 1ul << 6);
    csr_write(vstimecmp, ~0ul);
    irq_hook_vs = vs_irq_timer_only;
    run(RT_MODE_VS, vs_timer, 1000);
    print_seq("vstimecmp in VS");
    csr_write(vstimecmp, 0);
    printf("hip.VSTIP with vstimecmp=0: %lu\n", (csr_read(hip) >> 6) & 1);
    csr_write(vstimecmp, ~0ul);
    printf("hip.VSTIP with vstimecmp=max: %lu\n", (csr_read(hip) >> 6) & 1);
    csr_write(hie, 0);
    csr_write(hideleg, 0);
    csr_write(henvcfg, 0);
    // htimedelta is added to time in VS.
    csr_write(htimedelta, 1ul << 40);
    unsigned long t = csr_read(time);
    unsigned long tv = run(RT_MODE_VS, vs_time, 0);
    printf("VS time - time, in units of 2^32: %lu\n", (tv - t) >> 32);
    csr_write(htimedelta, 0);
    csr_write(menvcfg, 0);
}

static void walk_hole_note(void) {
    printf("walk hole: gva %lx pte gpa %lx (>>2 %lx)\n", GVA_WALK, GPA_WALK_HOLE, GPA_WALK_HOLE >> 2);
}

int main(void) {
    catch_install();
    // (QEMU 7.2 makes the VS bits of mideleg read-only one only once mideleg
    // has been written.)
    csr_write(mideleg, 0);
    hyp_build_tables();
    csr_write(hgatp, hgatp_value(0));
    csr_write(vsatp, vsatp_value(vs_root, 0));
    hfence_gvma_all();
    hfence_vvma_all();
    printf("hgatp mode %lu, vsatp mode %lu\n", csr_read(hgatp) >> 60, csr_read(vsatp) >> 60);
    walk_hole_note();
    csr_write(mcounteren, 7);
    csr_write(hcounteren, 7);
    csr_write(scounteren, 7);
    // FP off in VS (vsstatus.FS=0) makes FP instructions illegal there.
    csr_clear(vsstatus, MSTATUS_FS);
    run_show("VS fld, vsstatus.FS=0", RT_MODE_VS, g_fld, GVA(V_OK));
    csr_set(vsstatus, 1ul << 13);

    test_vs_faults("M");
    test_vs_permissions();
    test_virtual_insn();
    test_hlv();
    test_hfence();

    // Guest-page faults, virtual instructions, VS page faults and ecalls to HS.
    csr_write(medeleg, (1ul << 2) | (1ul << 8) | (1ul << 10) | (1ul << 12) | (1ul << 13) | (1ul << 15) |
                           (1ul << 20) | (1ul << 21) | (1ul << 22) | (1ul << 23));
    test_vs_faults("HS");
    run_show("VS csrr hstatus", RT_MODE_VS, x_csrr_hstatus, 0);
    run_show("VS ecall", RT_MODE_VS, x_ecall, 0);
    m_show("M hlv.w G-unmapped, medeleg set", hlv_w, GVA(V_GNONE));
    run_show("HS hlv.w G-unmapped", RT_MODE_S, hlv_w, GVA(V_GNONE) + 4);

    // VS-level page faults and illegal instructions further to VS.
    csr_write(hedeleg, (1ul << 2) | (1ul << 8) | (1ul << 12) | (1ul << 13) | (1ul << 15));
    test_vs_faults("VS for VS-level faults, HS for guest-page faults");
    // QEMU 7.2 turns cause 2 into 1 when it delegates to VS (it treats the
    // exception like the VS software interrupt).
    IF_SPEC(run_show("VS csrr mstatus", RT_MODE_VS, x_csrr_mstatus, 0));
    csr_write(hedeleg, 0);
    csr_write(medeleg, 0);

    test_views();
    test_interrupts();
    printf("hyp done\n");
    return 0;
}
