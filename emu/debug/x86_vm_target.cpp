// The x86 GDB target of a hosted VM: the guest's state in its VMCS and on
// the physical CPU it is bound to.
#include "emu/debug/x86_vm_target.hpp"

#include <fmt/format.h>

#include "isa/x86/vmcs_fields.hpp"
#include "isa/x86/vmx_defs.hpp"

namespace hvemu::emu::debug {

using x86::Core;
namespace vf = x86::vmcs;

x86::Core* X86VmTarget::live_core(unsigned thread) const {
    if (thread >= vm_.num_vcpus()) return nullptr;
    vcpu::x86::PhysCpu* cpu = vm_.vcpu(thread).arch().bound_cpu();
    return cpu ? &cpu->core() : nullptr;
}

std::string X86VmTarget::thread_name(unsigned thread) const {
    if (thread >= vm_.num_vcpus()) return "?";
    return fmt::format("vcpu {}{}", thread, live_core(thread) ? "" : " (not on a physical CPU)");
}

uint64_t X86VmTarget::pc(unsigned thread) {
    if (thread >= vm_.num_vcpus()) return 0;
    Core* c = live_core(thread);
    const vmm::X86VCpu& v = vm_.vcpu(thread).arch();
    if (!c) return v.cs_base() + v.rip();
    const uint64_t rip = x86_vmcs_peek(*c, vf::GUEST_RIP).value_or(0);
    const bool lma = x86_vmcs_peek(*c, vf::VM_ENTRY_CONTROLS).value_or(0) & x86::vmx::entryc::Ia32e;
    const bool cs_l = (x86_vmcs_peek(*c, vf::GUEST_CS_AR_BYTES).value_or(0) >> 13) & 1;
    return lma && cs_l ? rip : x86_vmcs_peek(*c, vf::GUEST_CS_BASE).value_or(0) + rip;
}

std::optional<uint64_t> X86VmTarget::get_gpr(unsigned thread, unsigned idx) {
    if (thread >= vm_.num_vcpus() || idx >= 16) return std::nullopt;
    Core* c = live_core(thread);
    if (!c) return vm_.vcpu(thread).arch().gpr(idx);
    if (idx == 4) return x86_vmcs_peek(*c, vf::GUEST_RSP);
    return c->gpr[idx];   // a VM exit leaves the guest's registers in the CPU
}

bool X86VmTarget::set_gpr(unsigned thread, unsigned idx, uint64_t value) {
    Core* c = live_core(thread);
    if (!c || idx >= 16) return false;
    if (idx == 4) return x86_vmcs_poke(*c, vf::GUEST_RSP, value);
    // Not X86VCpu::set_gpr: that completes the exit just returned.
    c->gpr[idx] = value;
    return true;
}

std::optional<uint64_t> X86VmTarget::get_item(unsigned thread, Item item) {
    if (thread >= vm_.num_vcpus()) return std::nullopt;
    Core* c = live_core(thread);
    const vmm::X86VCpu& v = vm_.vcpu(thread).arch();
    if (!c) {
        if (item == Item::Rip) return v.rip();
        if (item == Item::Rflags) return v.rflags();
        if (item == Item::Cr2) return v.context().cr2;
        if (item == Item::Cr8) return v.context().cr8;
        return std::nullopt;
    }
    switch (item) {
    case Item::Rip: return x86_vmcs_peek(*c, vf::GUEST_RIP);
    case Item::Rflags: return x86_vmcs_peek(*c, vf::GUEST_RFLAGS);
    case Item::Cr0: return x86_vmcs_peek(*c, vf::GUEST_CR0);
    case Item::Cr2: return c->cr2;
    case Item::Cr3: return x86_vmcs_peek(*c, vf::GUEST_CR3);
    case Item::Cr4: return x86_vmcs_peek(*c, vf::GUEST_CR4);
    case Item::Cr8: return c->cr8;
    case Item::Efer: {
        const auto pg = x86_vmcs_guest_paging(*c);
        return pg ? std::optional<uint64_t>(pg->efer) : std::nullopt;
    }
    }
    return std::nullopt;
}

bool X86VmTarget::set_item(unsigned thread, Item item, uint64_t value) {
    Core* c = live_core(thread);
    if (!c) return false;
    switch (item) {
    case Item::Rip: return x86_vmcs_poke(*c, vf::GUEST_RIP, value);
    case Item::Rflags: return x86_vmcs_poke(*c, vf::GUEST_RFLAGS, value);
    case Item::Cr2: c->cr2 = value; return true;
    default: return false;
    }
}

std::optional<x86::Segment> X86VmTarget::get_segment(unsigned thread, unsigned s) {
    Core* c = live_core(thread);
    if (!c || s >= 6) return std::nullopt;
    const auto sel = x86_vmcs_peek(*c, vf::GUEST_ES_SELECTOR + 2 * s);
    const auto base = x86_vmcs_peek(*c, vf::GUEST_ES_BASE + 2 * s);
    const auto ar = x86_vmcs_peek(*c, vf::GUEST_ES_AR_BYTES + 2 * s);
    if (!sel || !base || !ar) return std::nullopt;
    x86::Segment seg;
    seg.selector = static_cast<uint16_t>(*sel);
    seg.base = *base;
    seg.attr = static_cast<uint16_t>(*ar);
    return seg;
}

bool X86VmTarget::set_segment_base(unsigned thread, unsigned s, uint64_t base) {
    Core* c = live_core(thread);
    return c && s < 6 && x86_vmcs_poke(*c, vf::GUEST_ES_BASE + 2 * s, base);
}

std::optional<X86GdbTargetBase::Fpu> X86VmTarget::fpu(unsigned thread) {
    if (thread >= vm_.num_vcpus()) return std::nullopt;
    if (Core* c = live_core(thread)) return Fpu{c->xmm, c->st, &c->mxcsr, &c->fcw, &c->fsw, &c->ftw, true};
    // The saved context: shown, never written (the vCPU owns it).
    auto& ctx = const_cast<vmm::X86VCpu::Context&>(vm_.vcpu(thread).arch().context());
    return Fpu{ctx.xmm, ctx.st, &ctx.mxcsr, &ctx.fcw, &ctx.fsw, &ctx.ftw, false};
}

std::optional<X86PagingState> X86VmTarget::paging(unsigned thread) {
    Core* c = live_core(thread);
    if (!c) return std::nullopt;
    return x86_vmcs_guest_paging(*c);
}

std::optional<uint64_t> X86VmTarget::phys_to_host(unsigned, uint64_t addr, size_t len) {
    return vm_.guest_mem().to_host(addr, len);
}

} // namespace hvemu::emu::debug
