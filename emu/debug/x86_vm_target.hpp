// The GDB target for a hosted x86 VM (threads = vCPUs), with the register
// layout of x86_regs.hpp. Registers are the guest's: RIP, RSP, RFLAGS,
// segments and control registers from the vCPU's VMCS, the other general
// registers and the FXSAVE state from the physical CPU the vCPU is bound
// to (from its saved context while it is not bound: read-only then). The
// VMX feature shows the vCPU's VMCS (bound vCPUs). Memory by virtual
// address goes through the guest's paging and the EPT the VMM built;
// "physical" addresses are guest-physical (guest RAM).
#pragma once
#include "emu/debug/x86_regs.hpp"
#include "emu/vmm/x86_vm.hpp"

namespace hvemu::emu::debug {

class X86VmTarget final : public X86GdbTargetBase {
public:
    explicit X86VmTarget(vmm::X86Vm& vm) : vm_(vm) {}

    unsigned num_threads() const override { return vm_.num_vcpus(); }
    std::string thread_name(unsigned thread) const override;
    // The guest-linear address of the next instruction (CS.base + RIP
    // outside 64-bit mode).
    uint64_t pc(unsigned thread) override;

protected:
    std::optional<uint64_t> get_gpr(unsigned thread, unsigned idx) override;
    bool set_gpr(unsigned thread, unsigned idx, uint64_t value) override;
    std::optional<uint64_t> get_item(unsigned thread, Item item) override;
    bool set_item(unsigned thread, Item item, uint64_t value) override;
    std::optional<x86::Segment> get_segment(unsigned thread, unsigned s) override;
    bool set_segment_base(unsigned thread, unsigned s, uint64_t base) override;
    std::optional<Fpu> fpu(unsigned thread) override;
    x86::Core* vmx_core(unsigned thread) override { return live_core(thread); }
    std::optional<X86PagingState> paging(unsigned thread) override;
    isa::PhysMem& host_mem() override { return vm_.host_mem(); }
    std::optional<uint64_t> phys_to_host(unsigned thread, uint64_t addr, size_t len) override;

private:
    // The core of the physical CPU the vCPU is bound to (nullptr: none).
    x86::Core* live_core(unsigned thread) const;
    vmm::X86Vm& vm_;
};

} // namespace hvemu::emu::debug
