// Intel VMX: the guest becomes a hypervisor. It turns VMX on (VMXON),
// checks the VM-instruction errors of deliberately bad VMX instructions,
// builds a VMCS with controls allowed by the IA32_VMX_* capability MSRs (as
// a real hypervisor does), an EPT identity map with a missing and a
// read-only page, and runs a 64-bit guest (vmx_guest.c) that causes VM exits
// of many kinds: CPUID, HLT, VMCALL, I/O (IN, OUT, REP OUTSB) through the
// I/O bitmaps, RDMSR/WRMSR through the MSR bitmap, CR accesses, EPT
// violations, exceptions through the exception bitmap, an external
// interrupt, an interrupt window, and event injection. Each exit is printed
// with the fields the SDM defines for it. Then a real-mode guest
// (unrestricted guest) and VM-entry failures: bad controls, bad host
// state, bad guest state (exit reason 33 with bit 31).
#include "vmx.h"
#include "vmx_guest.h"

static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
static uint8_t vmcs[4096] __attribute__((aligned(4096)));
static uint8_t io_bitmap_a[4096] __attribute__((aligned(4096)));
static uint8_t io_bitmap_b[4096] __attribute__((aligned(4096)));
static uint8_t msr_bitmap[4096] __attribute__((aligned(4096)));
static uint64_t ept_pml4[512] __attribute__((aligned(4096)));
static uint64_t ept_pdpt[512] __attribute__((aligned(4096)));
static uint64_t ept_pd[4][512] __attribute__((aligned(4096)));
static uint64_t ept_pt[512] __attribute__((aligned(4096)));
static uint8_t guest_stack[16384] __attribute__((aligned(16)));
static struct vmx_gprs gprs;
static int launched;
static uint64_t true_msr[4];   // pin, proc, exit, entry: allowed-0 (low) and allowed-1 (high)

static void vmw(uint64_t field, uint64_t v) {
    int s = vmwrite_status(field, v);
    if (s != VM_OK) {
        printf("VMWRITE %lx failed (%d, error %lu)\n", field, s, vmread(VM_INSN_ERROR));
        rt_exit(90);
    }
}

static uint32_t adjust(unsigned which, uint32_t want) {
    uint64_t caps = true_msr[which];
    return (want | (uint32_t)caps) & (uint32_t)(caps >> 32);
}

static const char *status_name(int s) {
    return s == VM_OK ? "VMsucceed" : s == VM_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid";
}

static void report(const char *what, int s) {
    if (s == VM_FAIL_VALID)
        printf("%s: %s, VM-instruction error %lu\n", what, status_name(s), vmread(VM_INSN_ERROR));
    else
        printf("%s: %s\n", what, status_name(s));
}

// ---- EPT: identity map of 0-4 GiB, write-back, 2 MiB pages except the
// 2 MiB around the guest's test pages (4 KiB pages).
#define EPT_R 1ul
#define EPT_W 2ul
#define EPT_X 4ul
#define EPT_RWX 7ul
#define EPT_WB (6ul << 3)
#define EPT_LARGE (1ul << 7)

static uint64_t *ept_pte(uint64_t gpa) { return &ept_pt[(gpa >> 12) & 511]; }

static void ept_build(void) {
    ept_pml4[0] = (uint64_t)ept_pdpt | EPT_RWX;
    for (unsigned i = 0; i < 4; i++) {
        ept_pdpt[i] = (uint64_t)ept_pd[i] | EPT_RWX;
        for (unsigned j = 0; j < 512; j++)
            ept_pd[i][j] = (((uint64_t)i << 30) | ((uint64_t)j << 21)) | EPT_RWX | EPT_WB | EPT_LARGE;
    }
    uint64_t region = (uint64_t)guest_lazy_page & ~0x1ffffful;
    if (((uint64_t)guest_ro_page & ~0x1ffffful) != region) {
        printf("test pages straddle a 2 MiB boundary\n");
        rt_exit(91);
    }
    for (unsigned k = 0; k < 512; k++) ept_pt[k] = (region + ((uint64_t)k << 12)) | EPT_RWX | EPT_WB;
    ept_pd[0][region >> 21] = (uint64_t)ept_pt | EPT_RWX;
    *ept_pte((uint64_t)guest_lazy_page) = 0;
    *ept_pte((uint64_t)guest_ro_page) = (uint64_t)guest_ro_page | EPT_R | EPT_X | EPT_WB;
}

// ---- Bitmaps
static void io_trap(uint16_t port) {
    uint8_t *b = port < 0x8000 ? io_bitmap_a : io_bitmap_b;
    b[(port & 0x7fff) / 8] |= (uint8_t)(1u << (port % 8));
}

static void msr_trap(uint32_t msr, int write) {
    unsigned base = (write ? 2048 : 0) + (msr >= 0xc0000000 ? 1024 : 0);
    uint32_t idx = msr & 0x1fff;
    msr_bitmap[base + idx / 8] |= (uint8_t)(1u << (idx % 8));
}

// ---- The VMCS for the 64-bit guest: the host's own CPU state.
struct seg { uint16_t sel; uint32_t limit, ar; uint64_t base; };

static void set_seg(unsigned n, struct seg s) {
    vmw(GUEST_SEG_SEL(n), s.sel);
    vmw(GUEST_SEG_LIMIT(n), s.limit);
    vmw(GUEST_SEG_AR(n), s.ar);
    vmw(GUEST_SEG_BASE(n), s.base);
}

static void vmcs_setup(void) {
    uint32_t pin = adjust(0, PIN_EXT_INT_EXITING);
    uint32_t proc = adjust(1, PROC_HLT_EXITING | PROC_CR3_LOAD | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY);
    proc &= ~(PROC_CR3_STORE | PROC_INT_WINDOW);   // both may be 0 with the TRUE MSRs
    uint32_t proc2 = (PROC2_EPT | PROC2_UNRESTRICTED) & (uint32_t)(rdmsr(MSR_VMX_PROCBASED2) >> 32);
    uint32_t exitc = adjust(2, EXIT_HOST_64 | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER);
    uint32_t entry = adjust(3, ENTRY_IA32E | ENTRY_LOAD_EFER);
    printf("controls: EPT %s, unrestricted guest %s\n", proc2 & PROC2_EPT ? "yes" : "no",
           proc2 & PROC2_UNRESTRICTED ? "yes" : "no");
    vmw(PIN_CONTROLS, pin);
    vmw(PROC_CONTROLS, proc);
    vmw(PROC2_CONTROLS, proc2);
    vmw(EXIT_CONTROLS, exitc);
    vmw(ENTRY_CONTROLS, entry);
    vmw(EXCEPTION_BITMAP, (1u << 3) | (1u << 6));   // #BP, #UD
    vmw(CR3_TARGET_COUNT, 0);
    vmw(EXIT_MSR_STORE_COUNT, 0);
    vmw(EXIT_MSR_LOAD_COUNT, 0);
    vmw(ENTRY_MSR_LOAD_COUNT, 0);
    vmw(ENTRY_INTR_INFO, 0);
    vmw(IO_BITMAP_A, (uint64_t)io_bitmap_a);
    vmw(IO_BITMAP_B, (uint64_t)io_bitmap_b);
    vmw(MSR_BITMAP, (uint64_t)msr_bitmap);
    vmw(EPT_POINTER, (uint64_t)ept_pml4 | (3ul << 3) | 6ul);   // 4 levels, write-back
    vmw(VMCS_LINK, ~0ul);
    vmw(CR0_MASK, 0);
    vmw(CR4_MASK, CR4_VMXE);
    vmw(CR0_SHADOW, 0);
    vmw(CR4_SHADOW, 0);

    // Host state
    struct rt_table_ptr gdtr, idtr;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    vmw(HOST_CR0, read_cr(0));
    vmw(HOST_CR3, read_cr(3));
    vmw(HOST_CR4, read_cr(4));
    vmw(HOST_CS_SEL, SEL_CODE64);
    vmw(HOST_SS_SEL, SEL_DATA);
    vmw(HOST_DS_SEL, SEL_DATA);
    vmw(HOST_ES_SEL, SEL_DATA);
    vmw(HOST_FS_SEL, 0);
    vmw(HOST_GS_SEL, 0);
    vmw(HOST_TR_SEL, SEL_TSS);
    vmw(HOST_FS_BASE, 0);
    vmw(HOST_GS_BASE, 0);
    vmw(HOST_TR_BASE, (uint64_t)&rt_tss);
    vmw(HOST_GDTR_BASE, gdtr.base);
    vmw(HOST_IDTR_BASE, idtr.base);
    vmw(HOST_SYSENTER_CS, 0);
    vmw(HOST_SYSENTER_ESP, 0);
    vmw(HOST_SYSENTER_EIP, 0);
    vmw(HOST_EFER, rdmsr(MSR_EFER));

    // Guest state: 64-bit, ring 0, the host's tables.
    vmw(GUEST_CR0, read_cr(0));
    vmw(GUEST_CR3, read_cr(3));
    vmw(GUEST_CR4, read_cr(4));
    vmw(GUEST_EFER, rdmsr(MSR_EFER));
    struct seg data = {SEL_DATA, 0xffffffff, 0xc093, 0};
    set_seg(0, data);
    set_seg(1, (struct seg){SEL_CODE64, 0xffffffff, 0xa09b, 0});
    set_seg(2, data);
    set_seg(3, data);
    set_seg(4, (struct seg){0, 0, 0x10000, 0});   // unusable
    set_seg(5, (struct seg){0, 0, 0x10000, 0});
    set_seg(6, (struct seg){0, 0, 0x10000, 0});
    set_seg(7, (struct seg){SEL_TSS, sizeof(rt_tss) - 1, 0x8b, (uint64_t)&rt_tss});
    vmw(GUEST_GDTR_BASE, gdtr.base);
    vmw(GUEST_GDTR_LIMIT, gdtr.limit);
    vmw(GUEST_IDTR_BASE, idtr.base);
    vmw(GUEST_IDTR_LIMIT, idtr.limit);
    vmw(GUEST_DR7, 0x400);
    vmw(GUEST_RSP, (uint64_t)guest_stack + sizeof(guest_stack) - 8);
    vmw(GUEST_RIP, (uint64_t)guest_main);
    vmw(GUEST_RFLAGS, 2);
    vmw(GUEST_PENDING_DBG, 0);
    vmw(GUEST_INTERRUPTIBILITY, 0);
    vmw(GUEST_ACTIVITY, 0);
    vmw(GUEST_SYSENTER_CS, 0);
    vmw(GUEST_SYSENTER_ESP, 0);
    vmw(GUEST_SYSENTER_EIP, 0);
}

// ---- Exit handling
static void skip_insn(void) { vmw(GUEST_RIP, vmread(GUEST_RIP) + vmread(EXIT_INSN_LEN)); }

static const char *const cr_access[4] = {"mov to CR", "mov from CR", "CLTS", "LMSW"};

static int handle_exit(void) {
    uint64_t reason = vmread(EXIT_REASON), q = vmread(EXIT_QUALIFICATION);
    uint64_t len = vmread(EXIT_INSN_LEN);
    switch (reason) {
    case EXIT_CPUID:
        printf("exit %lu CPUID: leaf %lx, length %lu\n", reason, gprs.rax, len);
        if ((uint32_t)gprs.rax == 0x40000000) {
            gprs.rax = 0x40000000;
            gprs.rbx = 0x6d657668;   // "hvem"
            gprs.rcx = 0x6d657668;
            gprs.rdx = 0x6d657668;
        } else {
            struct cpuid_regs r = cpuid((uint32_t)gprs.rax, (uint32_t)gprs.rcx);
            gprs.rax = r.a, gprs.rbx = r.b, gprs.rcx = r.c, gprs.rdx = r.d;
        }
        skip_insn();
        return 1;
    case EXIT_HLT:
        printf("exit %lu HLT: length %lu\n", reason, len);
        skip_insn();
        return 1;
    case EXIT_IO: {
        unsigned size = (unsigned)(q & 7) + 1, in = (q >> 3) & 1, str = (q >> 4) & 1, rep = (q >> 5) & 1;
        unsigned port = (unsigned)(q >> 16) & 0xffff;
        printf("exit %lu I/O: qualification %lx (%s%s%s port %x, %u byte(s), %s), length %lu", reason, q,
               rep ? "rep " : "", str ? (in ? "ins" : "outs") : (in ? "in" : "out"), "", port, size,
               (q >> 6) & 1 ? "immediate" : "DX", len);
        if (str) {
            uint64_t info = vmread(EXIT_INSN_INFO), lin = vmread(GUEST_LINEAR_ADDR);
            printf(", info %lx (address size %lu, segment %lu), linear %lx, rcx %lu\n", info & 0x3ff80,
                   (info >> 7) & 7, (info >> 15) & 7, lin, gprs.rcx);
            printf("  [host] outs data: \"");
            for (uint64_t i = 0; i < (rep ? gprs.rcx : 1); i++) rt_putc(((const char *)lin)[i]);
            printf("\"\n");
            gprs.rsi += rep ? gprs.rcx : 1;
            if (rep) gprs.rcx = 0;
        } else {
            printf(", rax %lx\n", gprs.rax & (size == 4 ? 0xffffffff : (1ul << (8 * size)) - 1));
            if (in) gprs.rax = (gprs.rax & ~0xfffful) | 0xbeef;
        }
        skip_insn();
        return 1;
    }
    case EXIT_RDMSR:
        printf("exit %lu RDMSR: msr %lx, length %lu\n", reason, gprs.rcx & 0xffffffff, len);
        gprs.rax = 0x1234, gprs.rdx = 0;
        skip_insn();
        return 1;
    case EXIT_WRMSR:
        printf("exit %lu WRMSR: msr %lx, value %lx, length %lu\n", reason, gprs.rcx & 0xffffffff,
               (gprs.rdx << 32) | (uint32_t)gprs.rax, len);
        skip_insn();
        return 1;
    case EXIT_CR: {
        unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
        uint64_t *regs = &gprs.rax;
        // The qualification numbers GPRs as RAX, RCX, RDX, RBX, RSP, ...
        static const unsigned slot[16] = {0, 2, 3, 1, 99, 6, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14};
        uint64_t v = slot[reg] < 15 ? regs[slot[reg]] : 0;
        printf("exit %lu CR access: qualification %lx (CR%u, %s, GPR %u), length %lu\n", reason, q, cr,
               cr_access[type], reg, len);
        if (cr == 3 && type == 0) vmw(GUEST_CR3, v);
        if (cr == 4 && type == 0) {
            // The guest may not clear VMXE; it sees what it wrote.
            vmw(CR4_SHADOW, v & CR4_VMXE);
            vmw(GUEST_CR4, v | CR4_VMXE);
            printf("  [host] CR4 shadow now has VMXE = %lu\n", (v >> 13) & 1);
        }
        skip_insn();
        return 1;
    }
    case EXIT_EPT_VIOLATION: {
        uint64_t gpa = vmread(GUEST_PHYS_ADDR), gla = vmread(GUEST_LINEAR_ADDR);
        printf("exit %lu EPT violation: qualification %lx (%s%s%s, allowed %c%c%c%s), gpa %lx", reason, q,
               q & 1 ? "read" : "", q & 2 ? "write" : "", q & 4 ? "fetch" : "", q & 8 ? 'r' : '-',
               q & 16 ? 'w' : '-', q & 32 ? 'x' : '-', q & 128 ? ", linear valid" : "", gpa);
        if (q & 128) printf(", linear %lx", gla);
        printf("\n");
        uint64_t page = gpa & ~0xffful;
        if (page == (uint64_t)guest_lazy_page || page == (uint64_t)guest_ro_page) {
            *ept_pte(page) = page | EPT_RWX | EPT_WB;
            invept_all();
            printf("  [host] mapped %lx read/write\n", page);
            return 1;   // the access runs again
        }
        return 0;
    }
    case EXIT_EXCEPTION: {
        uint64_t info = vmread(EXIT_INTR_INFO);
        unsigned vec = info & 0xff, type = (info >> 8) & 7;
        printf("exit %lu exception: interruption info %lx (vector %u, type %u)", reason, info, vec, type);
        if (type == 6) printf(", length %lu", len);   // software exceptions only
        printf(", rip %lx\n", vmread(GUEST_RIP));
        vmw(GUEST_RIP, vmread(GUEST_RIP) + (vec == 6 ? 2 : len));   // ud2 is 2 bytes
        return 1;
    }
    case EXIT_EXT_INT: {
        uint64_t info = vmread(EXIT_INTR_INFO);
        printf("exit %lu external interrupt: interruption info %lx (vector %lu)\n", reason, info, info & 0xff);
        lapic_write(LAPIC_EOI, 0);   // acknowledged on exit: the host ends it
        host_saw_ext_int = 1;
        return 1;
    }
    case EXIT_INT_WINDOW:
        printf("exit %lu interrupt window: guest rip = mark + %ld (after STI and its shadow), IF %lu\n",
               reason, (long)(vmread(GUEST_RIP) - (uint64_t)guest_after_window), (vmread(GUEST_RFLAGS) >> 9) & 1);
        vmw(PROC_CONTROLS, vmread(PROC_CONTROLS) & ~PROC_INT_WINDOW);
        vmw(ENTRY_INTR_INFO, 0x80000000u | VEC_INJECTED);   // external interrupt
        printf("  [host] injecting vector %x\n", VEC_INJECTED);
        return 1;
    case EXIT_VMCALL:
        printf("exit %lu VMCALL: function %lu, argument %lx, length %lu\n", reason, gprs.rax, gprs.rbx, len);
        skip_insn();
        switch (gprs.rax) {
        case HC_ECHO: gprs.rax = gprs.rbx * 3; return 1;
        case HC_INJECT_IRQ:
            vmw(ENTRY_INTR_INFO, 0x80000000u | VEC_INJECTED);   // type 0: external interrupt
            printf("  [host] injecting vector %x\n", VEC_INJECTED);
            return 1;
        case HC_INJECT_GP:
            // Type 3 (hardware exception), deliver the error code (bit 11).
            vmw(ENTRY_INTR_INFO, 0x80000000u | (1u << 11) | (3u << 8) | 13);
            vmw(ENTRY_EXC_ERROR, 0x18);
            printf("  [host] injecting #GP, error code 18\n");
            return 1;
        case HC_WINDOW:
            vmw(PROC_CONTROLS, vmread(PROC_CONTROLS) | PROC_INT_WINDOW);
            return 1;
        default: return 0;
        }
    default:
        printf("unexpected exit reason %lx, qualification %lx, guest rip %lx\n", reason, q, vmread(GUEST_RIP));
        return 0;
    }
}

// Runs the guest until an exit handler says stop; returns the exit reason.
static uint64_t run_guest(void) {
    for (;;) {
        int s = vmx_run(&gprs, launched);
        if (s != VM_OK) {
            report(launched ? "VMRESUME" : "VMLAUNCH", s);
            return ~0ul;
        }
        launched = 1;
        uint64_t reason = vmread(EXIT_REASON);
        if (reason & 0x80000000u) return reason;
        if (!handle_exit()) return reason;
    }
}

int main(void) {
    if (!(cpuid(1, 0).c & (1u << 5))) {
        printf("no VMX\n");
        return 1;
    }
    uint64_t basic = rdmsr(MSR_VMX_BASIC);
    int use_true = (basic >> 55) & 1;
    true_msr[0] = rdmsr(use_true ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
    true_msr[1] = rdmsr(use_true ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);
    true_msr[2] = rdmsr(use_true ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT);
    true_msr[3] = rdmsr(use_true ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY);
    uint32_t revision = (uint32_t)basic & 0x7fffffff;
    printf("VMX: VMCS size %lu, memory type %lu\n", (basic >> 32) & 0x1fff, (basic >> 50) & 15);

    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if (!(fc & 1)) wrmsr(MSR_FEATURE_CONTROL, fc | 1 | 4);   // lock, VMX outside SMX
    CHECK_EQ("IA32_FEATURE_CONTROL lock and VMXON", rdmsr(MSR_FEATURE_CONTROL) & 5, 5);
    write_cr(0, (read_cr(0) | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1));
    write_cr(4, ((read_cr(4) | CR4_VMXE) | rdmsr(MSR_VMX_CR4_FIXED0)) & rdmsr(MSR_VMX_CR4_FIXED1));
    rt_lapic_enable();
    rt_set_handler(VEC_INJECTED, guest_on_irq);
    rt_set_handler(13, guest_on_gp);

    // VMX operation and the errors of misused VMX instructions.
    *(uint32_t *)vmxon_region = revision;
    *(uint32_t *)vmcs = revision;
    int s = vmxon((uint64_t)vmxon_region);
    report("VMXON", s);
    CHECK_EQ("VMXON", s, VM_OK);
    // With no current VMCS, failures are VMfailInvalid.
    report("VMWRITE without a current VMCS", vmwrite_status(GUEST_RIP, 0));
    report("VMXON again, no current VMCS", vmxon((uint64_t)vmxon_region));
    report("VMCLEAR", vmclear((uint64_t)vmcs));
    report("VMPTRLD", vmptrld((uint64_t)vmcs));
    // With one, VMfailValid and the error number in the VMCS.
    report("VMXON again", vmxon((uint64_t)vmxon_region));
    report("VMCLEAR of the VMXON region", vmclear((uint64_t)vmxon_region));
    report("VMPTRLD of the VMXON region", vmptrld((uint64_t)vmxon_region));
    static uint8_t other_vmcs[4096] __attribute__((aligned(4096)));
    *(uint32_t *)other_vmcs = revision ^ 1;
    report("VMPTRLD with a wrong revision", vmptrld((uint64_t)other_vmcs));
    report("VMWRITE to an unsupported field", vmwrite_status(0x7ffe, 0));
    report("VMRESUME of a clear VMCS", vmx_run(&gprs, 1));

    ept_build();
    io_trap(0x80);
    io_trap(0x510);
    msr_trap(0x10, 0);
    msr_trap(0xc0000102, 1);
    vmcs_setup();

    // Entry failures: invalid controls, then invalid host state.
    uint64_t pin = vmread(PIN_CONTROLS);
    vmw(PIN_CONTROLS, 0xffffffff);
    report("VMLAUNCH with invalid controls", vmx_run(&gprs, 0));
    vmw(PIN_CONTROLS, pin);
    vmw(HOST_TR_SEL, 0);
    report("VMLAUNCH with host TR selector 0", vmx_run(&gprs, 0));
    vmw(HOST_TR_SEL, SEL_TSS);

    // The 64-bit guest.
    printf("-- 64-bit guest\n");
    uint64_t last = run_guest();
    CHECK_EQ("last exit: VMCALL", last, EXIT_VMCALL);
    CHECK_EQ("last hypercall: done", gprs.rax, HC_DONE);
    CHECK_EQ("interrupts taken by the guest", guest_irq_count, 2);
    CHECK_EQ("#GP injected", guest_gp_count, 1);
    CHECK_EQ("#GP error code", guest_gp_error, 0x18);
    report("VMLAUNCH of a launched VMCS", vmx_run(&gprs, 0));

    // The real-mode guest (unrestricted guest).
    if (vmread(PROC2_CONTROLS) & PROC2_UNRESTRICTED) {
        printf("-- real-mode guest\n");
        volatile uint8_t *dst = (volatile uint8_t *)REAL_GUEST_BASE;
        for (const char *p = real_guest_start; p < real_guest_end; p++) *dst++ = (uint8_t)*p;
        vmw(ENTRY_CONTROLS, vmread(ENTRY_CONTROLS) & ~ENTRY_IA32E);
        uint64_t cr0 = (read_cr(0) | rdmsr(MSR_VMX_CR0_FIXED0)) & ~(uint64_t)(CR0_PG | CR0_PE);
        vmw(GUEST_CR0, cr0);
        vmw(GUEST_CR4, rdmsr(MSR_VMX_CR4_FIXED0) | CR4_VMXE);
        vmw(GUEST_EFER, 0);
        for (unsigned n = 0; n < 6; n++) set_seg(n, (struct seg){0, 0xffff, 0x93, 0});
        set_seg(1, (struct seg){REAL_GUEST_BASE >> 4, 0xffff, 0x9b, REAL_GUEST_BASE});
        set_seg(6, (struct seg){0, 0, 0x10000, 0});
        set_seg(7, (struct seg){0, 0xff, 0x8b, 0});
        vmw(GUEST_GDTR_BASE, 0);
        vmw(GUEST_GDTR_LIMIT, 0);
        vmw(GUEST_IDTR_BASE, 0);
        vmw(GUEST_IDTR_LIMIT, 0x3ff);
        vmw(GUEST_RIP, 0);
        vmw(GUEST_RSP, 0);
        vmw(GUEST_RFLAGS, 2);
        last = run_guest();
        CHECK_EQ("real-mode guest: last exit VMCALL", last, EXIT_VMCALL);
        printf("real-mode guest ends with CR0.PE %lu, CS %lx (access rights %lx)\n", vmread(GUEST_CR0) & 1,
               vmread(GUEST_CS_SEL), vmread(GUEST_SEG_AR(1)));
    }

    // A guest-state check failure: RFLAGS bit 1 must be 1.
    vmw(GUEST_RFLAGS, 0);
    uint64_t r = run_guest();
    printf("entry with RFLAGS = 0: exit reason %lx (basic %lu, entry failure %lu), qualification %lx\n", r,
           r & 0xffff, r >> 31, vmread(EXIT_QUALIFICATION));
    CHECK_EQ("entry failure reason", r, 0x80000000u | EXIT_BAD_GUEST);
    report("VMXOFF", vmxoff());
    rt_verdict("vmx");
}
