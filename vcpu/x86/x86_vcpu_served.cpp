// What the x86 vCPU serves itself (the exits that return Nothing): CPUID
// with the hypervisor's filtering, MOV to CR0/CR4 (and CLTS, LMSW) under
// the guest/host masks and read shadows, and XSETBV.
#include <cstring>

#include <fmt/format.h>

#include "isa/x86/vmcs_fields.hpp"
#include "isa/x86/vmx_defs.hpp"
#include "vcpu/x86/x86_vcpu.hpp"

namespace hvemu::vcpu::x86 {

namespace vmx = hvemu::x86::vmx;
namespace vf = hvemu::x86::vmcs;

namespace {
constexpr uint64_t kCr0Pe = 1, kCr0Ts = 1u << 3, kCr0Nw = 1u << 29, kCr0Cd = 1u << 30, kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pae = 1u << 5, kCr4Vmxe = 1u << 13, kCr4Osxsave = 1u << 18;
constexpr uint64_t kEferLme = 1u << 8, kEferLma = 1u << 10;
constexpr uint32_t kCpuid1EcxVmx = 1u << 5, kCpuid1EcxTscDeadline = 1u << 24, kCpuid1EcxOsxsave = 1u << 27;
constexpr uint32_t kCpuid1EcxHypervisor = 1u << 31;
constexpr char kSignature[12] = {'h', 'v', 'e', 'm', 'u', 0, 0, 0, 0, 0, 0, 0};
} // namespace

// CPUID as the host CPU answers it (the hypervisor executes CPUID in root
// operation), filtered: no VMX (nested VMX is not offered), TSC-deadline
// (the virtual LAPIC has it), the hypervisor bit, the guest's own OSXSAVE
// and APIC ID, and the hypervisor leaves 0x40000000 ("hvemu") and
// 0x40000001 (no features).
Result<ExitReason> X86VCpu::handle_cpuid() {
    const uint32_t leaf = static_cast<uint32_t>(gpr(0)), sub = static_cast<uint32_t>(gpr(1));
    uint32_t r[4] = {};
    if (leaf >= kHypervisorLeaf && leaf <= 0x4fffffff) {
        if (leaf == kHypervisorLeaf) {
            r[0] = kHypervisorLeaf + 1;
            std::memcpy(&r[1], kSignature, 12);
        }
    } else {
        cpu_->core().cpuid(leaf, sub, r);
        if (leaf == 1) {
            // The VMM's virtual LAPIC has the TSC-deadline timer (MSR exits).
            r[2] = (r[2] & ~(kCpuid1EcxVmx | kCpuid1EcxOsxsave)) | kCpuid1EcxHypervisor | kCpuid1EcxTscDeadline;
            if (vr(vf::GUEST_CR4) & kCr4Osxsave) r[2] |= kCpuid1EcxOsxsave;
            r[1] = (r[1] & 0x00ffffff) | apic_id_ << 24;
        } else if (leaf == 0xb) {
            r[3] = apic_id_;
        }
    }
    set_gpr(0, r[0]);
    set_gpr(3, r[1]);
    set_gpr(1, r[2]);
    set_gpr(2, r[3]);
    advance_rip(exit_.insn_len);
    return ExitReason{exit::Nothing{}};
}

// MOV to CR (qualification Table 27-3): 0 MOV to CR, 2 CLTS, 3 LMSW. A
// write the architecture refuses is a #GP for the guest, RIP unchanged.
Result<ExitReason> X86VCpu::handle_cr_access() {
    const uint64_t q = exit_.qualification;
    const unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
    const uint64_t shadow0 = vr(vf::CR0_READ_SHADOW);
    bool ok = false;
    switch (type) {
    case 0: {
        uint64_t v = gpr(reg);
        const bool code64 = (vr(vf::GUEST_IA32_EFER) & kEferLma) && ((vr(vf::GUEST_CS_AR_BYTES) >> 13) & 1);
        if (!code64) v &= 0xffffffffull;
        if (cr == 0) ok = write_cr0(v);
        else if (cr == 4) ok = write_cr4(v);
        else return unexpected("MOV to a control register the controls do not intercept");
        break;
    }
    case 2: ok = write_cr0(shadow0 & ~kCr0Ts); break;
    case 3: {
        // LMSW loads PE, MP, EM, TS; it can set PE but not clear it.
        const uint64_t src = (q >> 16) & 0xf;
        ok = write_cr0((shadow0 & ~uint64_t{0xf}) | src | (shadow0 & kCr0Pe));
        break;
    }
    default: return unexpected("MOV from a control register the controls do not intercept");
    }
    if (ok) advance_rip(exit_.insn_len);
    return ExitReason{exit::Nothing{}};
}

bool X86VCpu::write_cr0(uint64_t v) {
    if ((v >> 32) || ((v & kCr0Pg) && !(v & kCr0Pe)) || ((v & kCr0Nw) && !(v & kCr0Cd))) {
        inject_now(13);
        return false;
    }
    const uint64_t old = vr(vf::GUEST_CR0);
    uint64_t efer = vr(vf::GUEST_IA32_EFER);
    uint64_t entry = vr(vf::VM_ENTRY_CONTROLS);
    if ((v & kCr0Pg) && !(old & kCr0Pg) && (efer & kEferLme)) {
        // Enabling paging with LME activates IA-32e mode (needs PAE).
        if (!(vr(vf::GUEST_CR4) & kCr4Pae)) {
            inject_now(13);
            return false;
        }
        efer |= kEferLma;
        entry |= vmx::entryc::Ia32e;
    } else if (!(v & kCr0Pg) && (old & kCr0Pg) && (efer & kEferLma)) {
        efer &= ~kEferLma;
        entry &= ~uint64_t{vmx::entryc::Ia32e};
    }
    uint64_t f0 = 0, f1 = 0;
    cpu_->core().rdmsr(vmx::msr::Cr0Fixed0, f0);
    cpu_->core().rdmsr(vmx::msr::Cr0Fixed1, f1);
    vw(vf::CR0_READ_SHADOW, v);
    vw(vf::GUEST_CR0, (v | (f0 & ~(kCr0Pe | kCr0Pg))) & f1);
    vw(vf::GUEST_IA32_EFER, efer);
    vw(vf::VM_ENTRY_CONTROLS, entry);
    if ((v & kCr0Pg) && (vr(vf::GUEST_CR4) & kCr4Pae) && !(efer & kEferLma)) load_pdptes();
    flush_pending_ = true;
    return true;
}

bool X86VCpu::write_cr4(uint64_t v) {
    uint64_t f0 = 0, f1 = 0;
    cpu_->core().rdmsr(vmx::msr::Cr4Fixed0, f0);
    cpu_->core().rdmsr(vmx::msr::Cr4Fixed1, f1);
    const bool lma = vr(vf::GUEST_IA32_EFER) & kEferLma;
    // VMXE is the hypervisor's; the guest's CPUID has no VMX.
    if ((v & ~(f1 & ~kCr4Vmxe)) || (lma && !(v & kCr4Pae))) {
        inject_now(13);
        return false;
    }
    vw(vf::CR4_READ_SHADOW, v);
    vw(vf::GUEST_CR4, v | f0);
    if ((vr(vf::GUEST_CR0) & kCr0Pg) && (v & kCr4Pae) && !lma) load_pdptes();
    flush_pending_ = true;
    return true;
}

// PAE paging outside IA-32e mode: with EPT the PDPTEs live in the VMCS.
void X86VCpu::load_pdptes() {
    uint64_t e[4] = {};
    GuestAccess(cpu_->core().mem(), eptp_, paging()).read_gpa(vr(vf::GUEST_CR3) & 0xffffffe0ull, e, sizeof e);
    vw(vf::GUEST_PDPTE0, e[0]);
    vw(vf::GUEST_PDPTE1, e[1]);
    vw(vf::GUEST_PDPTE2, e[2]);
    vw(vf::GUEST_PDPTE3, e[3]);
}

// XSETBV: XCR0 = EDX:EAX if ECX = 0 and the value is one the CPU supports
// (CPUID.0xD.0 EDX:EAX), x87 on, AVX only with SSE; else #GP(0).
Result<ExitReason> X86VCpu::handle_xsetbv() {
    const uint64_t v = (gpr(2) & 0xffffffffull) << 32 | (gpr(0) & 0xffffffffull);
    uint32_t r[4] = {};
    cpu_->core().cpuid(0xd, 0, r);
    const uint64_t supported = uint64_t{r[3]} << 32 | r[0];
    if ((gpr(1) & 0xffffffffull) != 0 || !(v & 1) || (v & ~supported) || ((v & 4) && !(v & 2))) {
        inject_now(13);
        return ExitReason{exit::Nothing{}};
    }
    xcr0_ = v;
    advance_rip(exit_.insn_len);
    return ExitReason{exit::Nothing{}};
}

} // namespace hvemu::vcpu::x86
