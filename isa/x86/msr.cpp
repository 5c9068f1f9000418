// Model-specific registers (RDMSR/WRMSR): EFER, the SYSCALL MSRs, segment
// bases, TSC and TSC_ADJUST, TSC_AUX, APIC_BASE with x2APIC enable, PAT,
// SYSENTER, MTRRs (storage only), FEATURE_CONTROL, MISC_ENABLE, the x2APIC
// range and TSC_DEADLINE through the InterruptController, and the VMX
// capability MSRs.
// Unknown MSRs and reserved values make the caller raise #GP(0).
#include "isa/x86/paging_bits.hpp"
#include "isa/x86/sys_internal.hpp"

namespace hvemu::x86 {

namespace msr {
constexpr uint32_t TSC = 0x10, APIC_BASE = 0x1b, FEATURE_CONTROL = 0x3a, TSC_ADJUST = 0x3b, BIOS_SIGN_ID = 0x8b;
constexpr uint32_t MTRRCAP = 0xfe, SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176;
constexpr uint32_t TSC_DEADLINE = 0x6e0;
constexpr uint32_t MISC_ENABLE = 0x1a0, MTRR_PHYSBASE0 = 0x200, MTRR_FIX64K = 0x250, MTRR_FIX16K_80000 = 0x258;
constexpr uint32_t MTRR_FIX16K_A0000 = 0x259, MTRR_FIX4K_C0000 = 0x268, PAT = 0x277, MTRR_DEF_TYPE = 0x2ff;
constexpr uint32_t VMX_FIRST = 0x480, VMX_LAST = 0x491, X2APIC_FIRST = 0x800, X2APIC_LAST = 0x8ff;
constexpr uint32_t EFER = 0xc0000080, STAR = 0xc0000081, LSTAR = 0xc0000082, CSTAR = 0xc0000083;
constexpr uint32_t FMASK = 0xc0000084, FS_BASE = 0xc0000100, GS_BASE = 0xc0000101, KERNEL_GS_BASE = 0xc0000102;
constexpr uint32_t TSC_AUX = 0xc0000103;
} // namespace msr

namespace {

constexpr uint64_t kApicBsp = 1u << 8, kApicExtd = 1u << 10, kApicEn = 1u << 11;
constexpr uint64_t kFcLock = 1u << 0, kFcVmxInSmx = 1u << 1, kFcVmxOutsideSmx = 1u << 2;

bool canonical(uint64_t a) { return static_cast<uint64_t>(static_cast<int64_t>(a << 16) >> 16) == a; }

// PAT entries: UC(0), WC(1), WT(4), WP(5), WB(6), UC-(7).
bool valid_pat(uint64_t v) {
    for (unsigned k = 0; k < 8; ++k) {
        const unsigned t = (v >> (8 * k)) & 0xff;
        if (t == 2 || t == 3 || t > 7) return false;
    }
    return true;
}

// MTRR memory types: UC 0, WC 1, WT 4, WP 5, WB 6.
bool valid_type(unsigned t) { return t == 0 || t == 1 || t == 4 || t == 5 || t == 6; }

// Index into mtrr_fixed: 64K, 16K x2, 4K x8.
int fixed_index(uint32_t m) {
    if (m == msr::MTRR_FIX64K) return 0;
    if (m == msr::MTRR_FIX16K_80000) return 1;
    if (m == msr::MTRR_FIX16K_A0000) return 2;
    if (m >= msr::MTRR_FIX4K_C0000 && m < msr::MTRR_FIX4K_C0000 + 8) return static_cast<int>(3 + m - msr::MTRR_FIX4K_C0000);
    return -1;
}

} // namespace

void Core::reset_sys() {
    shutdown = false;
    star = lstar = cstar = sfmask = kernel_gs_base = 0;
    tsc_offset = tsc_adjust = tsc_aux = 0;
    apic_base = 0xfee00800 | (cfg_.bsp ? 0x100u : 0u);   // enabled; BSP flag on the bootstrap processor
    pat = 0x0007040600070406ull;
    sysenter_cs = sysenter_esp = sysenter_eip = 0;
    mtrr_def_type = 0;
    for (auto& m : mtrr_fixed) m = 0;
    for (auto& m : mtrr_var) m = 0;
    feature_control = 0;
    misc_enable = 1;
    pdpte[0] = pdpte[1] = pdpte[2] = pdpte[3] = 0;
    nmi_blocked = false;
    shadow_until_ = 0;
    init_pending_ = false;
}

uint64_t Core::tsc() const { return cycles() + tsc_offset + (in_non_root() ? vmx_tsc_offset() : 0); }

bool Core::rdmsr(uint32_t m, uint64_t& v) {
    v = 0;
    if (!(m >= 0x480 && m <= 0x491)) settle_host();   // the VMX capabilities do not depend on the mode
    if (m >= msr::X2APIC_FIRST && m <= msr::X2APIC_LAST) {
        if (!(apic_base & kApicExtd) || !apic_) return false;
        return apic_->x2apic_rdmsr(m, v);
    }
    // The deadline lives in the LAPIC (in every APIC mode); none, no MSR.
    if (m == msr::TSC_DEADLINE) return apic_ && apic_->x2apic_rdmsr(m, v);
    if (m >= msr::VMX_FIRST && m <= msr::VMX_LAST) return vmx_rdmsr(m, v);
    if (m >= msr::MTRR_PHYSBASE0 && m < msr::MTRR_PHYSBASE0 + 16) {
        v = mtrr_var[m - msr::MTRR_PHYSBASE0];
        return true;
    }
    if (const int f = fixed_index(m); f >= 0) {
        v = mtrr_fixed[f];
        return true;
    }
    switch (m) {
    case msr::TSC: v = tsc(); return true;
    case msr::TSC_ADJUST: v = tsc_adjust; return true;
    case msr::APIC_BASE: v = apic_base | (cfg_.bsp ? kApicBsp : 0); return true;
    case msr::FEATURE_CONTROL: v = feature_control; return true;
    case msr::BIOS_SIGN_ID: v = 0; return true;
    case msr::MTRRCAP: v = 0x508; return true;   // 8 variable ranges, fixed ranges, WC
    case msr::SYSENTER_CS: v = sysenter_cs; return true;
    case msr::SYSENTER_ESP: v = sysenter_esp; return true;
    case msr::SYSENTER_EIP: v = sysenter_eip; return true;
    case msr::MISC_ENABLE: v = misc_enable; return true;
    case msr::PAT: v = pat; return true;
    case msr::MTRR_DEF_TYPE: v = mtrr_def_type; return true;
    case msr::EFER: v = efer; return true;
    case msr::STAR: v = star; return true;
    case msr::LSTAR: v = lstar; return true;
    case msr::CSTAR: v = cstar; return true;
    case msr::FMASK: v = sfmask; return true;
    case msr::FS_BASE: v = seg[FS].base; return true;
    case msr::GS_BASE: v = seg[GS].base; return true;
    case msr::KERNEL_GS_BASE: v = kernel_gs_base; return true;
    case msr::TSC_AUX: v = tsc_aux; return true;
    default: return false;
    }
}

bool Core::wrmsr(uint32_t m, uint64_t v) {
    settle_host();
    const uint64_t maxpa = (uint64_t{1} << cfg_.phys_addr_bits) - 1;
    if (m >= msr::X2APIC_FIRST && m <= msr::X2APIC_LAST) {
        if (!(apic_base & kApicExtd) || !apic_) return false;
        return apic_->x2apic_wrmsr(m, v);
    }
    if (m == msr::TSC_DEADLINE) return apic_ && apic_->x2apic_wrmsr(m, v);
    if (m >= msr::VMX_FIRST && m <= msr::VMX_LAST) return false;   // read-only
    if (m >= msr::MTRR_PHYSBASE0 && m < msr::MTRR_PHYSBASE0 + 16) {
        const bool mask_reg = (m - msr::MTRR_PHYSBASE0) & 1;
        const uint64_t rsvd = mask_reg ? (~maxpa | 0x7ff) : (~maxpa | 0xff8);
        if ((v & rsvd) || (!mask_reg && !valid_type(v & 0xff))) return false;
        mtrr_var[m - msr::MTRR_PHYSBASE0] = v;
        return true;
    }
    if (const int f = fixed_index(m); f >= 0) {
        for (unsigned k = 0; k < 8; ++k)
            if (!valid_type((v >> (8 * k)) & 0xff)) return false;
        mtrr_fixed[f] = v;
        return true;
    }
    switch (m) {
    case msr::TSC:
        // Writing the TSC moves TSC_ADJUST by the same amount.
        tsc_adjust += v - tsc();
        tsc_offset = v - cycles();
        return true;
    case msr::TSC_ADJUST:
        tsc_offset += v - tsc_adjust;
        tsc_adjust = v;
        return true;
    case msr::APIC_BASE: {
        const uint64_t rsvd = 0x2ff | (~maxpa & ~uint64_t{0xfff});
        if (v & rsvd) return false;
        const bool en = v & kApicEn, extd = v & kApicExtd;
        const bool was_extd = apic_base & kApicExtd;
        if (extd && !en) return false;                        // invalid state
        if (was_extd && en && !extd) return false;            // x2APIC -> xAPIC needs a disable first
        if (!was_extd && extd && !(apic_base & kApicEn) ) return false;   // disabled -> x2APIC
        apic_base = v & ~kApicBsp;
        return true;
    }
    case msr::FEATURE_CONTROL:
        if ((feature_control & kFcLock) || (v & ~(kFcLock | kFcVmxInSmx | kFcVmxOutsideSmx))) return false;
        feature_control = v;
        return true;
    case msr::BIOS_SIGN_ID: return true;   // microcode update trigger: nothing to load
    case msr::SYSENTER_CS: sysenter_cs = v & 0xffff; return true;
    case msr::SYSENTER_ESP:
        if (!canonical(v)) return false;
        sysenter_esp = v;
        return true;
    case msr::SYSENTER_EIP:
        if (!canonical(v)) return false;
        sysenter_eip = v;
        return true;
    case msr::MISC_ENABLE: misc_enable = v; return true;
    case msr::PAT:
        if (!valid_pat(v)) return false;
        pat = v;
        return true;
    case msr::MTRR_DEF_TYPE:
        if ((v & ~uint64_t{0xcff}) || !valid_type(v & 0xff)) return false;
        mtrr_def_type = v;
        return true;
    case msr::EFER: return set_efer(v);
    case msr::STAR: star = v; return true;
    case msr::LSTAR:
        if (!canonical(v)) return false;
        lstar = v;
        return true;
    case msr::CSTAR:
        if (!canonical(v)) return false;
        cstar = v;
        return true;
    case msr::FMASK:
        if (v >> 32) return false;
        sfmask = v;
        return true;
    case msr::FS_BASE:
    case msr::GS_BASE:
    case msr::KERNEL_GS_BASE:
        if (!canonical(v)) return false;
        (m == msr::FS_BASE ? seg[FS].base : m == msr::GS_BASE ? seg[GS].base : kernel_gs_base) = v;
        return true;
    case msr::TSC_AUX:
        if (v >> 32) return false;
        tsc_aux = v;
        return true;
    default: return false;
    }
}

} // namespace hvemu::x86
