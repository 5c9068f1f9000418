// The IA32_VMX_* capability MSRs (SDM Appendix A): what VMX this core has.
#include "isa/x86/vmx_state.hpp"

namespace hvemu::x86 {

bool Core::vmx_rdmsr(uint32_t msr, uint64_t& v) const {
    using namespace vmxcap;
    auto ctls = [](uint32_t allowed0, uint32_t allowed1) { return uint64_t{allowed1} << 32 | allowed0; };
    switch (msr) {
    case vmx::msr::Basic:
        // 4 KiB regions, WB VMCS memory type (6), INS/OUTS info, true controls
        v = kRevision | uint64_t{4096} << 32 | uint64_t{6} << 50 | 1ull << 54 | 1ull << 55;
        return true;
    case vmx::msr::Pinbased: case vmx::msr::TruePinbased: v = ctls(kPinDefault1, kPinAllowed1); return true;
    case vmx::msr::Procbased: v = ctls(kProcDefault1, kProcAllowed1); return true;
    case vmx::msr::TrueProcbased: v = ctls(kTrueProcDefault1, kProcAllowed1); return true;
    case vmx::msr::Procbased2: v = ctls(0, kProc2Allowed1); return true;
    case vmx::msr::Exit: v = ctls(kExitDefault1, kExitAllowed1); return true;
    case vmx::msr::TrueExit: v = ctls(kTrueExitDefault1, kExitAllowed1); return true;
    case vmx::msr::Entry: v = ctls(kEntryDefault1, kEntryAllowed1); return true;
    case vmx::msr::TrueEntry: v = ctls(kTrueEntryDefault1, kEntryAllowed1); return true;
    case vmx::msr::Misc:
        // timer rate, EFER.LMA saved into the IA-32e entry control, activity
        // states HLT/shutdown/wait-for-SIPI, CR3-target count, 512-entry lists
        v = kPreemptionRate | 1u << 5 | 7u << 6 | uint64_t{kCr3Targets} << 16;
        return true;
    case vmx::msr::Cr0Fixed0: v = kCr0Fixed0; return true;
    case vmx::msr::Cr0Fixed1: v = kCr0Fixed1; return true;
    case vmx::msr::Cr4Fixed0: v = kCr4Fixed0; return true;
    case vmx::msr::Cr4Fixed1: v = kCr4Fixed1; return true;
    case vmx::msr::VmcsEnum: v = uint64_t{vmcs_max_index()} << 1; return true;
    case vmx::msr::EptVpidCap: v = kEptVpidCap; return true;
    default: return false;
    }
}

} // namespace hvemu::x86
