// The VMX instructions as root operation executes them (SDM Vol. 3C ch. 30):
// VMXON, VMXOFF, VMCLEAR, VMPTRLD, VMREAD, VMWRITE, INVEPT, INVVPID and the
// VMsucceed / VMfailInvalid / VMfailValid conventions. Non-root operation
// never gets here: those instructions exit first (exec_vmx.cpp).
#include "isa/x86/vmx_state.hpp"

namespace hvemu::x86 {

using V = Core::VmxStatus;
using namespace vmx;

void Core::VmxStateDeleter::operator()(VmxState* s) const { delete s; }

Core::VmxState& Core::make_vmx() {
    vmx_.reset(new VmxState);
    return *vmx_;
}

namespace {

// #UD conditions shared by every VMX instruction (and VMXON outside VMX).
bool ud_mode(const Core& c) {
    return !(c.cr0 & 1) || (c.rflags & rflags::VM) || (c.long_mode() && !(c.seg[CS].attr & (1u << 13)));
}

// A VMXON/VMCS region address: 4 KiB aligned, within the physical-address
// width, and (the model's requirement) backed by RAM.
bool region_ok(Core& c, uint64_t pa) {
    return (pa & 0xfff) == 0 && (pa >> c.config().phys_addr_bits) == 0 && c.mem().is_ram(pa, 4096);
}

uint32_t read_revision(Core& c, uint64_t pa) {
    uint32_t rev = 0;
    c.mem().read_block(pa, &rev, 4);
    return rev;
}

} // namespace

V Core::vmx_succeed() {
    rflags &= ~rflags::STATUS;
    return V::Succeed;
}

V Core::vmx_fail(uint32_t error) {
    rflags &= ~rflags::STATUS;
    Vmcs* v = vmx().cur;
    if (!v) {
        rflags |= rflags::CF;
        return V::FailInvalid;
    }
    (*v)[vmcs::S_VM_INSTRUCTION_ERROR] = error;
    rflags |= rflags::ZF;
    return V::FailValid;
}

uint32_t Core::vm_instruction_error() const {
    return vmx_ && vmx_->cur ? uint32_t((*vmx_->cur)[vmcs::S_VM_INSTRUCTION_ERROR]) : 0;
}

V Core::vmxon_check() const {
    if (non_root_ || ud_mode(*this) || !(cr4 & (1u << 13))) return V::Ud;
    if (vmx_on_) return cpl > 0 ? V::Gp : V::Succeed;
    const bool cr_fixed = (cr0 & vmxcap::kCr0Fixed0) == vmxcap::kCr0Fixed0 && !(cr0 & ~vmxcap::kCr0Fixed1) &&
                          (cr4 & vmxcap::kCr4Fixed0) == vmxcap::kCr4Fixed0 && !(cr4 & ~vmxcap::kCr4Fixed1);
    if (cpl > 0 || !cr_fixed || !(feature_control & fc::Lock) || !(feature_control & fc::VmxOutsideSmx))
        return V::Gp;
    return V::Succeed;
}

V Core::vmxon(uint64_t pa) {
    settle_host();
    const V chk = vmxon_check();
    if (chk != V::Succeed) return chk;
    if (vmx_on_) return vmx_fail(ErrVmxonInRoot);
    if (!region_ok(*this, pa) || read_revision(*this, pa) != vmxcap::kRevision) return vmx_fail(0);
    VmxState& s = vmx();
    s.vmxon_pa = pa;
    s.cur = nullptr;
    current_vmcs_pa_ = ~0ull;
    vmx_on_ = true;
    return vmx_succeed();
}

V Core::vmxoff() {
    settle_host();
    if (!vmx_on_ || non_root_ || ud_mode(*this)) return V::Ud;
    if (cpl > 0) return V::Gp;
    vmx_on_ = false;
    VmxState& s = vmx();
    s.cur = nullptr;
    s.vmxon_pa = ~0ull;
    current_vmcs_pa_ = ~0ull;
    return vmx_succeed();
}

V Core::vmclear(uint64_t pa) {
    settle_host();
    if (!vmx_on_ || non_root_ || ud_mode(*this)) return V::Ud;
    if (cpl > 0) return V::Gp;
    VmxState& s = vmx();
    if (!region_ok(*this, pa)) return vmx_fail(ErrVmclearInvalidPa);
    if (pa == s.vmxon_pa) return vmx_fail(ErrVmclearVmxon);
    s.store.clear(mem(), pa);
    if (pa == current_vmcs_pa_) {
        s.cur = nullptr;
        current_vmcs_pa_ = ~0ull;
    }
    return vmx_succeed();
}

V Core::vmptrld(uint64_t pa) {
    settle_host();
    if (!vmx_on_ || non_root_ || ud_mode(*this)) return V::Ud;
    if (cpl > 0) return V::Gp;
    VmxState& s = vmx();
    if (!region_ok(*this, pa)) return vmx_fail(ErrVmptrldInvalidPa);
    if (pa == s.vmxon_pa) return vmx_fail(ErrVmptrldVmxon);
    // bit 31 (shadow VMCS) is an error too: VMCS shadowing is not supported
    if (read_revision(*this, pa) != vmxcap::kRevision) return vmx_fail(ErrVmptrldRevision);
    s.cur = &s.store.load(mem(), pa);
    current_vmcs_pa_ = pa;
    return vmx_succeed();
}

V Core::vmread(uint64_t field, uint64_t& value) {
    // the owed host state passes the mode check (host_vmcs)
    if (!vmx_on_ || non_root_ || (!host_pending_ && ud_mode(*this))) return V::Ud;
    if (cpl > 0) return V::Gp;
    Vmcs* v = vmx().cur;
    if (!v) return vmx_fail(0);
    if (uint32_t e = vmcs_read(*v, field, value)) return vmx_fail(e);
    return vmx_succeed();
}

V Core::vmwrite(uint64_t field, uint64_t value) {
    // the owed host state passes the mode check (host_vmcs)
    if (!vmx_on_ || non_root_ || (!host_pending_ && ud_mode(*this))) return V::Ud;
    if (cpl > 0) return V::Gp;
    Vmcs* v = vmx().cur;
    if (!v) return vmx_fail(0);
    if (uint32_t e = vmcs_write(*v, field, value)) return vmx_fail(e);
    return vmx_succeed();
}

// VMREAD/VMWRITE's checks before the field (above), once for host code in
// C++ that then issues any number of them (vmcs_read/vmcs_write).
// host_vmcs (core.hpp) answers the VMCS whose host state is owed without
// them: that state passed these checks at the VM entry before (the host
// fields' CR0 has PE, RFLAGS is 2, CPL 0, CS.L is the host address-space
// size and so is EFER.LMA) and it is of the current VMCS.
Vmcs* Core::host_vmcs_checked() {
    if (!vmx_on_ || non_root_ || ud_mode(*this) || cpl > 0 || !vmx_) return nullptr;
    return vmx_->cur;
}

V Core::invept(uint64_t type, uint64_t eptp) {
    settle_host();
    if (!vmx_on_ || non_root_ || ud_mode(*this)) return V::Ud;
    if (cpl > 0) return V::Gp;
    if (type != 1 && type != 2) return vmx_fail(ErrInvalidInvOperand);
    if (type == 1) {
        // single-context: the EPTP must be one VM entry would accept
        const uint64_t mt = eptp & 7;
        const bool ok = (mt == 0 || mt == 6) && ((eptp >> 3) & 7) == 3 && !(eptp & 0xf80) &&
                        !(eptp >> config().phys_addr_bits);
        if (!ok) return vmx_fail(ErrInvalidInvOperand);
    }
    // EPT-tagged translations live in the software TLB only.
    flush_tlb();
    flush_decoded();
    return vmx_succeed();
}

V Core::invvpid(uint64_t type, uint16_t vpid, uint64_t linear) {
    settle_host();
    if (!vmx_on_ || non_root_ || ud_mode(*this)) return V::Ud;
    if (cpl > 0) return V::Gp;
    if (type > 3) return vmx_fail(ErrInvalidInvOperand);
    if (type != 2 && vpid == 0) return vmx_fail(ErrInvalidInvOperand);
    if (type == 0 && !canonical(linear)) return vmx_fail(ErrInvalidInvOperand);
    // The TLB is tagged but not indexed by VPID: every flavour drops
    // at least what the SDM requires (more is allowed).
    flush_tlb(type == 3);
    return vmx_succeed();
}

} // namespace hvemu::x86
