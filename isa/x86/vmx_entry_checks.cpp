// The checks VMLAUNCH/VMRESUME make before entering the guest (SDM Vol. 3C
// 26.2 controls and host state: VMfailValid 7/8; 26.3.1 guest state: entry
// failure with exit reason 33). One line per SDM rule, in the SDM's order.
#include <algorithm>

#include "isa/x86/vmx_state.hpp"

namespace hvemu::x86 {

using namespace vmx;
using namespace vmcs;

namespace {

// Settings against the allowed-0 (must be 1) and allowed-1 (may be 1) bits.
bool ctl_ok(uint64_t v, uint32_t must1, uint32_t may1) { return (v & must1) == must1 && !(v & ~uint64_t{may1}); }

bool pa_ok(const Core& c, uint64_t a) { return (a >> c.config().phys_addr_bits) == 0; }
bool page_ok(const Core& c, uint64_t a) { return (a & 0xfff) == 0 && pa_ok(c, a); }
// MSR areas: 16-byte aligned and the last byte within the address width.
bool msr_area_ok(const Core& c, uint64_t a, uint64_t count) {
    return count == 0 || ((a & 0xf) == 0 && pa_ok(c, a) && pa_ok(c, a + count * 16 - 1));
}

bool pat_ok(uint64_t pat) {
    for (int i = 0; i < 8; ++i) {
        const unsigned t = (pat >> (8 * i)) & 0xff;
        if (t == 2 || t == 3 || t > 7) return false;
    }
    return true;
}
constexpr uint64_t kEferValid = (1u << 0) | (1u << 8) | (1u << 10) | (1u << 11);
bool cr0_fixed_ok(uint64_t cr0, bool unrestricted) {
    uint64_t fixed0 = vmxcap::kCr0Fixed0;
    if (unrestricted) fixed0 &= ~uint64_t{0x80000001};   // PE and PG are free
    return (cr0 & fixed0) == fixed0 && !(cr0 & ~vmxcap::kCr0Fixed1);
}
bool cr4_fixed_ok(uint64_t cr4) { return (cr4 & vmxcap::kCr4Fixed0) == vmxcap::kCr4Fixed0 && !(cr4 & ~vmxcap::kCr4Fixed1); }

} // namespace

// 26.2.1 VM-execution, VM-exit and VM-entry control fields.
uint32_t VmxInternals::check_controls(Core& c, const Vmcs& v) {
    using namespace vmxcap;
    const uint64_t pinc = v[S_PIN_BASED_VM_EXEC_CONTROL], procc = v[S_CPU_BASED_VM_EXEC_CONTROL];
    const uint64_t proc2c = procc & proc::Secondary ? v[S_SECONDARY_VM_EXEC_CONTROL] : 0;
    const uint64_t exitc = v[S_VM_EXIT_CONTROLS], entryc = v[S_VM_ENTRY_CONTROLS];
    // 26.2.1.1 execution controls (IA32_VMX_BASIC[55]: the TRUE MSRs apply)
    if (!ctl_ok(pinc, kPinDefault1, kPinAllowed1)) return ErrEntryControls;
    if (!ctl_ok(procc, kTrueProcDefault1, kProcAllowed1)) return ErrEntryControls;
    if (!ctl_ok(proc2c, 0, kProc2Allowed1)) return ErrEntryControls;
    if (v[S_CR3_TARGET_COUNT] > kCr3Targets) return ErrEntryControls;
    if ((procc & proc::IoBitmaps) && (!page_ok(c, v[S_IO_BITMAP_A]) || !page_ok(c, v[S_IO_BITMAP_B])))
        return ErrEntryControls;
    if ((procc & proc::MsrBitmaps) && !page_ok(c, v[S_MSR_BITMAP])) return ErrEntryControls;
    if (!(pinc & pin::NmiExiting) && (pinc & pin::VirtualNmis)) return ErrEntryControls;
    if (!(pinc & pin::VirtualNmis) && (procc & proc::NmiWindow)) return ErrEntryControls;
    if ((proc2c & proc2::Vpid) && (v[S_VIRTUAL_PROCESSOR_ID] & 0xffff) == 0) return ErrEntryControls;
    if (proc2c & proc2::Ept) {
        const uint64_t eptp = v[S_EPT_POINTER];
        const uint64_t mt = eptp & 7;
        if (mt != 0 && mt != 6) return ErrEntryControls;              // UC or WB (EPT_VPID_CAP bits 8, 14)
        if (((eptp >> 3) & 7) != 3) return ErrEntryControls;          // a 4-level walk
        if (eptp & 0xf80) return ErrEntryControls;                     // bits 11:7 reserved
        if (!pa_ok(c, eptp)) return ErrEntryControls;
    }
    if ((proc2c & proc2::Unrestricted) && !(proc2c & proc2::Ept)) return ErrEntryControls;
    // 26.2.1.2 VM-exit controls
    if (!ctl_ok(exitc, kTrueExitDefault1, kExitAllowed1)) return ErrEntryControls;
    if (!(pinc & pin::PreemptionTimer) && (exitc & exitc::SavePreemption)) return ErrEntryControls;
    if (!msr_area_ok(c, v[S_VMEXIT_MSR_STORE_ADDR], v[S_VM_EXIT_MSR_STORE_COUNT])) return ErrEntryControls;
    if (!msr_area_ok(c, v[S_VMEXIT_MSR_LOAD_ADDR], v[S_VM_EXIT_MSR_LOAD_COUNT])) return ErrEntryControls;
    // 26.2.1.3 VM-entry controls
    if (!ctl_ok(entryc, kTrueEntryDefault1, kEntryAllowed1)) return ErrEntryControls;
    if (!msr_area_ok(c, v[S_VMENTRY_MSR_LOAD_ADDR], v[S_VM_ENTRY_MSR_LOAD_COUNT])) return ErrEntryControls;
    return 0;
}

// 26.2.1.3 the event-injection field, its valid bit set (check_injection);
// it also reads the guest's CR0.PE.
uint32_t VmxInternals::check_injected_event(const Vmcs& v) {
    const uint64_t procc = v[S_CPU_BASED_VM_EXEC_CONTROL];
    const uint64_t proc2c = procc & proc::Secondary ? v[S_SECONDARY_VM_EXEC_CONTROL] : 0;
    const uint64_t info = v[S_VM_ENTRY_INTR_INFO];
    const unsigned type = (info >> 8) & 7, vector = info & 0xff;
    if (type == 1 || type == 7) return ErrEntryControls;                 // reserved; MTF pending not supported
    if (type == Nmi && vector != 2) return ErrEntryControls;
    if (type == HwException && vector > 31) return ErrEntryControls;
    const bool unrestricted = proc2c & proc2::Unrestricted;
    const bool pe = v[S_GUEST_CR0] & 1;
    const bool errvec = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
    const bool want_error = (!unrestricted || pe) && type == HwException && errvec;
    if (bool(info & kIntrErrorValid) != want_error) return ErrEntryControls;
    if (info & 0x7ffff000) return ErrEntryControls;                     // bits 30:12 reserved
    if ((info & kIntrErrorValid) && (v[S_VM_ENTRY_EXCEPTION_ERROR_CODE] & 0xffff8000))
        return ErrEntryControls;                                        // bits 31:15 of the error code
    if (type == SoftInt || type == PrivSoftException || type == SoftException) {
        const uint64_t len = v[S_VM_ENTRY_INSTRUCTION_LEN];
        if (len < 1 || len > 15) return ErrEntryControls;
    }
    return 0;
}

// 26.2.2 host-state area and 26.2.3 its relation to the controls.
uint32_t VmxInternals::check_host(Core& c, const Vmcs& v) {
    const uint64_t exitc = v[S_VM_EXIT_CONTROLS];
    const bool host64 = exitc & exitc::HostLong;
    const uint64_t hcr0 = v[S_HOST_CR0], hcr4 = v[S_HOST_CR4];
    if (!cr0_fixed_ok(hcr0, false) || (hcr0 >> 32)) return ErrEntryHostState;
    if (!cr4_fixed_ok(hcr4)) return ErrEntryHostState;
    if (!pa_ok(c, v[S_HOST_CR3])) return ErrEntryHostState;
    if (!canonical(v[S_HOST_IA32_SYSENTER_ESP]) || !canonical(v[S_HOST_IA32_SYSENTER_EIP])) return ErrEntryHostState;
    if ((exitc & exitc::LoadPat) && !pat_ok(v[S_HOST_IA32_PAT])) return ErrEntryHostState;
    if (exitc & exitc::LoadEfer) {
        const uint64_t e = v[S_HOST_IA32_EFER];
        if (e & ~kEferValid) return ErrEntryHostState;
        if (bool(e & (1u << 10)) != host64 || bool(e & (1u << 8)) != host64) return ErrEntryHostState;
    }
    // selector fields: RPL and TI zero; CS and TR not null; SS not null
    // unless the host is 64-bit
    const Slot sels[] = {S_HOST_ES_SELECTOR, S_HOST_CS_SELECTOR, S_HOST_SS_SELECTOR, S_HOST_DS_SELECTOR,
                         S_HOST_FS_SELECTOR, S_HOST_GS_SELECTOR, S_HOST_TR_SELECTOR};
    for (Slot s : sels)
        if (v[s] & 7) return ErrEntryHostState;
    if (v[S_HOST_CS_SELECTOR] == 0 || v[S_HOST_TR_SELECTOR] == 0) return ErrEntryHostState;
    if (!host64 && v[S_HOST_SS_SELECTOR] == 0) return ErrEntryHostState;
    const Slot bases[] = {S_HOST_FS_BASE, S_HOST_GS_BASE, S_HOST_GDTR_BASE, S_HOST_IDTR_BASE, S_HOST_TR_BASE};
    for (Slot s : bases)
        if (!canonical(v[s])) return ErrEntryHostState;
    // 26.2.4 address-space size (the processor's own mode: check_host_mode)
    if (host64) {
        if (!(hcr4 & (1u << 5)) || !canonical(v[S_HOST_RIP])) return ErrEntryHostState;
    } else {
        if ((hcr4 & (1u << 17)) || (v[S_HOST_RIP] >> 32)) return ErrEntryHostState;
    }
    return 0;
}

namespace {

bool usable(uint64_t ar) { return !(ar & (1u << 16)); }
// Limit and granularity agree (26.3.1.2): limit[11:0] not all ones -> G 0,
// limit[31:20] not zero -> G 1.
bool gran_ok(uint64_t limit, uint64_t ar) {
    const bool g = ar & (1u << 15);
    if ((limit & 0xfff) != 0xfff && g) return false;
    if ((limit & 0xfff00000) && !g) return false;
    return true;
}
bool ar_reserved_ok(uint64_t ar) { return !(ar & 0xf00) && !(ar & 0xfffe0000); }

struct Seg { uint64_t sel, base, limit, ar; };
Seg guest_seg(const Vmcs& v, int i) {
    static const Slot sel[] = {S_GUEST_ES_SELECTOR, S_GUEST_CS_SELECTOR, S_GUEST_SS_SELECTOR, S_GUEST_DS_SELECTOR,
                               S_GUEST_FS_SELECTOR, S_GUEST_GS_SELECTOR, S_GUEST_LDTR_SELECTOR, S_GUEST_TR_SELECTOR};
    static const Slot base[] = {S_GUEST_ES_BASE, S_GUEST_CS_BASE, S_GUEST_SS_BASE, S_GUEST_DS_BASE,
                                S_GUEST_FS_BASE, S_GUEST_GS_BASE, S_GUEST_LDTR_BASE, S_GUEST_TR_BASE};
    static const Slot lim[] = {S_GUEST_ES_LIMIT, S_GUEST_CS_LIMIT, S_GUEST_SS_LIMIT, S_GUEST_DS_LIMIT,
                               S_GUEST_FS_LIMIT, S_GUEST_GS_LIMIT, S_GUEST_LDTR_LIMIT, S_GUEST_TR_LIMIT};
    static const Slot ar[] = {S_GUEST_ES_AR_BYTES, S_GUEST_CS_AR_BYTES, S_GUEST_SS_AR_BYTES, S_GUEST_DS_AR_BYTES,
                              S_GUEST_FS_AR_BYTES, S_GUEST_GS_AR_BYTES, S_GUEST_LDTR_AR_BYTES, S_GUEST_TR_AR_BYTES};
    return {v[sel[i]], v[base[i]], v[lim[i]], v[ar[i]]};
}
constexpr int kLdtr = 6, kTr = 7;

// Events that may be injected into a guest entering in activity state `act`.
bool injectable_in(uint64_t act, unsigned type, unsigned vector) {
    switch (act) {
    case Active: return true;
    case HltState:
        return type == ExtInt || type == Nmi || (type == HwException && (vector == 1 || vector == 18));
    case ShutdownState: return type == Nmi || (type == HwException && vector == 18);
    default: return false;   // wait-for-SIPI
    }
}

bool check_segments(const Vmcs& v, bool unrestricted, bool ia32e) {
    const uint64_t rfl = v[S_GUEST_RFLAGS];
    const bool v86 = rfl & rflags::VM;
    const Seg cs = guest_seg(v, CS), ss = guest_seg(v, SS), tr = guest_seg(v, kTr), ldtr = guest_seg(v, kLdtr);
    // selectors
    if (tr.sel & 4) return false;
    if (usable(ldtr.ar) && (ldtr.sel & 4)) return false;
    if (!v86 && !unrestricted && (ss.sel & 3) != (cs.sel & 3)) return false;
    if (v86) {
        for (int i = 0; i < 6; ++i) {
            const Seg s = guest_seg(v, i);
            if (s.base != (s.sel << 4) || s.limit != 0xffff || s.ar != 0xf3) return false;
        }
    }
    // bases
    if (!canonical(tr.base) || !canonical(guest_seg(v, FS).base) || !canonical(guest_seg(v, GS).base)) return false;
    if (usable(ldtr.ar) && !canonical(ldtr.base)) return false;
    if (cs.base >> 32) return false;
    for (int i : {int(SS), int(DS), int(ES)}) {
        const Seg s = guest_seg(v, i);
        if (usable(s.ar) && (s.base >> 32)) return false;
    }
    if (!v86) {
        // CS
        const unsigned cst = cs.ar & 15, csdpl = (cs.ar >> 5) & 3, ssdpl = (ss.ar >> 5) & 3;
        if (!(cst == 9 || cst == 11 || cst == 13 || cst == 15 || (unrestricted && cst == 3))) return false;
        if (!(cs.ar & 0x10) || !(cs.ar & 0x80) || !ar_reserved_ok(cs.ar) || !usable(cs.ar)) return false;
        if (cst == 3 && csdpl != 0) return false;
        if ((cst == 9 || cst == 11) && csdpl != ssdpl) return false;
        if ((cst == 13 || cst == 15) && csdpl > ssdpl) return false;
        if (ia32e && (cs.ar & (1u << 13)) && (cs.ar & (1u << 14))) return false;   // L and D
        if (!gran_ok(cs.limit, cs.ar)) return false;
        // SS
        if (!unrestricted && ssdpl != (ss.sel & 3)) return false;
        if ((cst == 3 || !(v[S_GUEST_CR0] & 1)) && ssdpl != 0) return false;
        if (usable(ss.ar)) {
            const unsigned t = ss.ar & 15;
            if ((t != 3 && t != 7) || !(ss.ar & 0x10) || !(ss.ar & 0x80) || !ar_reserved_ok(ss.ar)) return false;
            if (!gran_ok(ss.limit, ss.ar)) return false;
        }
        // DS ES FS GS
        for (int i : {int(DS), int(ES), int(FS), int(GS)}) {
            const Seg s = guest_seg(v, i);
            if (!usable(s.ar)) continue;
            const unsigned t = s.ar & 15;
            if (!(t & 1) || ((t & 8) && !(t & 2))) return false;
            if (!(s.ar & 0x10) || !(s.ar & 0x80) || !ar_reserved_ok(s.ar) || !gran_ok(s.limit, s.ar)) return false;
            if (!unrestricted && t <= 11 && ((s.ar >> 5) & 3) < (s.sel & 3)) return false;
        }
    }
    // TR
    const unsigned trt = tr.ar & 15;
    if (!(trt == 11 || (trt == 3 && !ia32e))) return false;
    if ((tr.ar & 0x10) || !(tr.ar & 0x80) || !ar_reserved_ok(tr.ar) || !usable(tr.ar) || !gran_ok(tr.limit, tr.ar))
        return false;
    // LDTR
    if (usable(ldtr.ar)) {
        if ((ldtr.ar & 15) != 2 || (ldtr.ar & 0x10) || !(ldtr.ar & 0x80) || !ar_reserved_ok(ldtr.ar) ||
            !gran_ok(ldtr.limit, ldtr.ar))
            return false;
    }
    return true;
}

// check_segments is a pure function of the eight guest segments, RFLAGS.VM,
// CR0.PE and the two controls: a VM entry whose inputs equal the previous
// entry's on this thread (the common case: an exit rarely changes a
// segment) reuses that result instead of re-running the checks.
bool check_segments_cached(const Vmcs& v, bool unrestricted, bool ia32e) {
    // Each of the four segment fields lies in eight consecutive slots (ES..TR).
    constexpr Slot kGroups[] = {S_GUEST_ES_SELECTOR, S_GUEST_ES_BASE, S_GUEST_ES_LIMIT, S_GUEST_ES_AR_BYTES};
    static_assert(S_GUEST_TR_SELECTOR == S_GUEST_ES_SELECTOR + 7 && S_GUEST_TR_BASE == S_GUEST_ES_BASE + 7 &&
                  S_GUEST_TR_LIMIT == S_GUEST_ES_LIMIT + 7 && S_GUEST_TR_AR_BYTES == S_GUEST_ES_AR_BYTES + 7);
    constexpr int kInputs = 8 * 4 + 1;
    struct Memo {
        uint64_t in[kInputs] = {};
        bool valid = false, result = false;
    };
    thread_local Memo memo;
    const uint64_t mode = (v[S_GUEST_RFLAGS] & rflags::VM) | (v[S_GUEST_CR0] & 1) << 1 |
                          uint64_t{unrestricted} << 2 | uint64_t{ia32e} << 3;
    bool same = memo.valid && memo.in[32] == mode;
    for (int g = 0; g < 4 && same; ++g) same = std::equal(&v.f[kGroups[g]], &v.f[kGroups[g]] + 8, memo.in + 8 * g);
    if (same) return memo.result;
    memo.result = check_segments(v, unrestricted, ia32e);
    for (int g = 0; g < 4; ++g) std::copy(&v.f[kGroups[g]], &v.f[kGroups[g]] + 8, memo.in + 8 * g);
    memo.in[32] = mode;
    memo.valid = true;
    return memo.result;
}

// The checks of 26.3.1 are split by what they read. Those of the first
// group read only fields whose bits vmcs::kGuestMemo covers (and the fixed
// physical-address width) and fail with qualification 0; the exit
// qualification is all that tells one failed check from another, so these
// may run in any order as long as each stays on the same side of every
// check with another qualification (3: NMI injection under virtual-NMI
// blocking, 4: VMCS link pointer, 2: PDPTEs).
static_assert(vmcs::kRflagsUnchecked == (rflags::CF | rflags::PF | rflags::AF | rflags::ZF | rflags::SF |
                                         rflags::DF | rflags::OF | rflags::IOPL | rflags::NT | rflags::RF |
                                         rflags::AC | rflags::VIF | rflags::VIP | rflags::ID));

// 26.3.1.1-26.3.1.5 up to the NMI-injection check, but RIP and injection.
[[gnu::noinline]] bool guest_state_ok(const Core& c, const Vmcs& v) {
    const uint64_t procc = v[S_CPU_BASED_VM_EXEC_CONTROL];
    const uint64_t proc2c = procc & proc::Secondary ? v[S_SECONDARY_VM_EXEC_CONTROL] : 0;
    const uint64_t entryc = v[S_VM_ENTRY_CONTROLS];
    const bool unrestricted = proc2c & proc2::Unrestricted, ia32e = entryc & entryc::Ia32e;
    const uint64_t gcr0 = v[S_GUEST_CR0], gcr4 = v[S_GUEST_CR4];
    // 26.3.1.1 control registers, debug registers, MSRs
    if (!cr0_fixed_ok(gcr0, unrestricted) || (gcr0 >> 32)) return false;
    if ((gcr0 & 0x80000000) && !(gcr0 & 1)) return false;
    if (!cr4_fixed_ok(gcr4)) return false;
    if ((entryc & entryc::LoadDebug) && (v[S_GUEST_IA32_DEBUGCTL] & ~uint64_t{0xffc3})) return false;
    if (ia32e && (!(gcr0 & 0x80000000) || !(gcr4 & (1u << 5)))) return false;
    if (!ia32e && (gcr4 & (1u << 17))) return false;
    if (v[S_GUEST_CR3] >> c.config().phys_addr_bits) return false;
    if ((entryc & entryc::LoadDebug) && (v[S_GUEST_DR7] >> 32)) return false;
    if (!canonical(v[S_GUEST_SYSENTER_ESP]) || !canonical(v[S_GUEST_SYSENTER_EIP])) return false;
    if ((entryc & entryc::LoadPat) && !pat_ok(v[S_GUEST_IA32_PAT])) return false;
    if (entryc & entryc::LoadEfer) {
        const uint64_t e = v[S_GUEST_IA32_EFER];
        if (e & ~kEferValid) return false;
        if (bool(e & (1u << 10)) != ia32e) return false;
        if ((gcr0 & 0x80000000) && bool(e & (1u << 8)) != ia32e) return false;
    }
    // 26.3.1.2 segment registers
    if (!check_segments_cached(v, unrestricted, ia32e)) return false;
    // 26.3.1.3 descriptor-table registers
    if (!canonical(v[S_GUEST_GDTR_BASE]) || !canonical(v[S_GUEST_IDTR_BASE])) return false;
    if ((v[S_GUEST_GDTR_LIMIT] >> 16) || (v[S_GUEST_IDTR_LIMIT] >> 16)) return false;
    // 26.3.1.4 RFLAGS (RIP: guest_entry_ok)
    const uint64_t rfl = v[S_GUEST_RFLAGS];
    if (rfl & ~uint64_t{0x3f7fd7}) return false;                     // bits 63:22, 15, 5, 3 reserved
    if (!((rfl >> 1) & 1)) return false;                              // bit 1 set
    const bool v86 = (rfl >> 17) & 1;
    if (v86 && ia32e) return false;
    if (v86 && !(gcr0 & 1)) return false;
    // 26.3.1.5 non-register state
    const uint64_t act = v[S_GUEST_ACTIVITY_STATE], intr = v[S_GUEST_INTERRUPTIBILITY_INFO];
    if (act > WaitSipi) return false;
    if (act == HltState && ((v[S_GUEST_SS_AR_BYTES] >> 5) & 3) != 0) return false;
    if ((intr & (intr::BlockSti | intr::BlockMovSs)) && act != Active) return false;
    if (intr & ~uint64_t{0xf}) return false;                           // bits 31:4 (no SGX)
    if ((intr & intr::BlockSti) && (intr & intr::BlockMovSs)) return false;
    if (!(rfl & rflags::IF) && (intr & intr::BlockSti)) return false;
    if (intr & intr::BlockSmi) return false;                           // not in SMM
    return true;
}

// 26.3.1.4 RIP and 26.3.1.5 the event to inject against the guest state:
// run at every entry. qual 3: NMI injection under virtual-NMI blocking.
bool guest_entry_ok(const Vmcs& v, uint64_t& qual) {
    if (!VmxInternals::rip_ok(v)) return false;
    const uint64_t info = v[S_VM_ENTRY_INTR_INFO];
    if (!(info & kIntrValid)) return true;
    const unsigned itype = (info >> 8) & 7, ivec = info & 0xff;
    const uint64_t rfl = v[S_GUEST_RFLAGS];
    const uint64_t act = v[S_GUEST_ACTIVITY_STATE], intr = v[S_GUEST_INTERRUPTIBILITY_INFO];
    if (itype == ExtInt && !(rfl & rflags::IF)) return false;
    if (!injectable_in(act, itype, ivec)) return false;
    if (itype == ExtInt && (intr & (intr::BlockSti | intr::BlockMovSs))) return false;
    if (itype == Nmi && (intr & intr::BlockMovSs)) return false;
    if (itype == Nmi && (v[S_PIN_BASED_VM_EXEC_CONTROL] & pin::VirtualNmis) && (intr & intr::BlockNmi)) {
        qual = 3;
        return false;
    }
    return true;
}

// 26.3.1.5 pending debug exceptions.
[[gnu::noinline]] bool guest_debug_ok(const Vmcs& v) {
    const uint64_t rfl = v[S_GUEST_RFLAGS];
    const uint64_t act = v[S_GUEST_ACTIVITY_STATE], intr = v[S_GUEST_INTERRUPTIBILITY_INFO];
    const uint64_t pde = v[S_GUEST_PENDING_DBG_EXCEPTIONS];
    if (pde & ~uint64_t{0x1500f}) return false;                       // bits 11:4, 13, 15, 63:17 (RTM 16 allowed)
    if ((intr & (intr::BlockSti | intr::BlockMovSs)) || act == HltState) {
        const bool tf = rfl & rflags::TF, btf = v[S_GUEST_IA32_DEBUGCTL] & 2;
        const bool bs = pde & (1u << 14);
        if (tf && !btf && !bs) return false;
        if ((!tf || btf) && bs) return false;
    }
    return true;
}

// The VMCS link pointer (qual 4): it reads memory, so it runs at every entry.
bool link_ok(Core& c, const Vmcs& v, uint64_t& qual) {
    const uint64_t link = v[S_VMCS_LINK_POINTER];
    if (link == ~0ull) return true;
    qual = 4;
    if ((link & 0xfff) || (link >> c.config().phys_addr_bits)) return false;
    uint32_t rev = 0;
    if (!c.mem().read_block(link, &rev, 4) || rev != vmxcap::kRevision) return false;
    qual = 0;
    return true;
}

// 26.3.1.5 PDPTEs with PAE paging and EPT (qual 2; without EPT they are
// loaded from CR3 with the guest state).
[[gnu::noinline]] bool pdptes_ok(const Core& c, const Vmcs& v, uint64_t& qual) {
    const uint64_t procc = v[S_CPU_BASED_VM_EXEC_CONTROL];
    const uint64_t proc2c = procc & proc::Secondary ? v[S_SECONDARY_VM_EXEC_CONTROL] : 0;
    const bool ia32e = v[S_VM_ENTRY_CONTROLS] & entryc::Ia32e;
    const uint64_t gcr0 = v[S_GUEST_CR0], gcr4 = v[S_GUEST_CR4];
    if ((proc2c & proc2::Ept) && (gcr0 & 0x80000000) && (gcr4 & (1u << 5)) && !ia32e) {
        const Slot p[] = {S_GUEST_PDPTE0, S_GUEST_PDPTE1, S_GUEST_PDPTE2, S_GUEST_PDPTE3};
        for (Slot s : p) {
            const uint64_t e = v[s];
            if ((e & 1) && ((e & 0x1e6) || (e >> c.config().phys_addr_bits))) {
                qual = 2;
                return false;
            }
        }
    }
    return true;
}

} // namespace

// 26.3.1 guest-state area. qual: 0 (none), 2 (PDPTE), 3 (NMI injection
// under virtual-NMI blocking), 4 (VMCS link pointer). With `memo` the
// groups that read only remembered fields are known to pass.
// The checks a remembered pass skips are out of line (noinline): an entry
// that skips them does not pay for their frame.
bool VmxInternals::check_guest_all(Core& c, const Vmcs& v, uint64_t& qual, bool memo) {
    qual = 0;
    if (!memo && !guest_state_ok(c, v)) return false;
    if (!guest_entry_ok(v, qual)) return false;
    if (!memo && !guest_debug_ok(v)) return false;
    if (!link_ok(c, v, qual)) return false;
    if (!memo && !pdptes_ok(c, v, qual)) return false;
    return true;
}

} // namespace hvemu::x86
