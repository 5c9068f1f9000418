// The x86-64 GDB target for the cores of the x86_64-pc machine (threads =
// CPUs), with the register layout of x86_regs.hpp. Registers are the
// core's own: in VMX non-root operation that is the guest running on it,
// in root operation the hypervisor. The VMX feature shows the core's
// current VMCS. Memory by virtual address goes through the core's current
// paging and, in non-root operation with EPT, the EPT; physical addresses
// are host physical. `monitor walk guest <addr>` walks the current VMCS's
// guest translation from root operation (at an exit handler).
#pragma once
#include <functional>
#include <vector>

#include "emu/debug/x86_regs.hpp"

namespace hvemu::emu::debug {

class X86GdbTarget final : public X86GdbTargetBase {
public:
    explicit X86GdbTarget(std::vector<x86::Core*> cores) : cores_(std::move(cores)) {}

    unsigned num_threads() const override { return static_cast<unsigned>(cores_.size()); }
    std::string thread_name(unsigned thread) const override;
    // The linear address of the next instruction (CS.base + RIP outside
    // 64-bit mode): what breakpoints are compared with.
    uint64_t pc(unsigned thread) override;

protected:
    std::optional<uint64_t> get_gpr(unsigned thread, unsigned idx) override;
    bool set_gpr(unsigned thread, unsigned idx, uint64_t value) override;
    std::optional<uint64_t> get_item(unsigned thread, Item item) override;
    bool set_item(unsigned thread, Item item, uint64_t value) override;
    std::optional<x86::Segment> get_segment(unsigned thread, unsigned s) override;
    bool set_segment_base(unsigned thread, unsigned s, uint64_t base) override;
    std::optional<Fpu> fpu(unsigned thread) override;
    x86::Core* vmx_core(unsigned thread) override;
    std::optional<X86PagingState> paging(unsigned thread) override;
    isa::PhysMem& host_mem() override { return cores_.at(0)->mem(); }
    std::optional<uint64_t> phys_to_host(unsigned, uint64_t addr, size_t) override { return addr; }

private:
    x86::Core* core(unsigned thread) const { return thread < cores_.size() ? cores_[thread] : nullptr; }
    std::vector<x86::Core*> cores_;
};

} // namespace hvemu::emu::debug
