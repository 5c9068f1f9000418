// The x86 GDB target of a full-system machine: the core's own state.
#include "emu/debug/x86_gdb_target.hpp"

#include <fmt/format.h>

#include "isa/x86/vmcs_fields.hpp"

namespace hvemu::emu::debug {

using x86::Core;

std::string X86GdbTarget::thread_name(unsigned thread) const {
    const Core* c = core(thread);
    if (!c) return "?";
    const char* mode = !c->in_vmx() ? "" : c->in_non_root() ? ", VMX non-root" : ", VMX root";
    const char* state = c->waiting_sipi ? ", waiting for SIPI" : c->halted ? ", halted" : "";
    return fmt::format("cpu {}{}{}", thread, mode, state);
}

uint64_t X86GdbTarget::pc(unsigned thread) {
    const Core* c = core(thread);
    if (!c) return 0;
    return c->code64() ? c->rip : c->seg[x86::CS].base + c->rip;
}

std::optional<uint64_t> X86GdbTarget::get_gpr(unsigned thread, unsigned idx) {
    const Core* c = core(thread);
    return c && idx < 16 ? std::optional<uint64_t>(c->gpr[idx]) : std::nullopt;
}

bool X86GdbTarget::set_gpr(unsigned thread, unsigned idx, uint64_t value) {
    Core* c = core(thread);
    if (!c || idx >= 16) return false;
    c->gpr[idx] = value;
    return true;
}

std::optional<uint64_t> X86GdbTarget::get_item(unsigned thread, Item item) {
    const Core* c = core(thread);
    if (!c) return std::nullopt;
    switch (item) {
    case Item::Rip: return c->rip;
    case Item::Rflags: return c->rflags;
    case Item::Cr0: return c->cr0;
    case Item::Cr2: return c->cr2;
    case Item::Cr3: return c->cr3;
    case Item::Cr4: return c->cr4;
    case Item::Cr8: return c->cr8;
    case Item::Efer: return c->efer;
    }
    return std::nullopt;
}

bool X86GdbTarget::set_item(unsigned thread, Item item, uint64_t value) {
    Core* c = core(thread);
    if (!c) return false;
    switch (item) {
    case Item::Rip:
        c->rip = value;
        c->end_block();
        return true;
    case Item::Rflags:
        c->rflags = value;
        c->end_block();   // IF and TF matter at the next boundary
        return true;
    case Item::Cr2: c->cr2 = value; return true;
    default: return false;
    }
}

std::optional<x86::Segment> X86GdbTarget::get_segment(unsigned thread, unsigned s) {
    const Core* c = core(thread);
    return c && s < 6 ? std::optional<x86::Segment>(c->seg[s]) : std::nullopt;
}

bool X86GdbTarget::set_segment_base(unsigned thread, unsigned s, uint64_t base) {
    Core* c = core(thread);
    if (!c || s >= 6) return false;
    c->seg[s].base = base;
    return true;
}

std::optional<X86GdbTargetBase::Fpu> X86GdbTarget::fpu(unsigned thread) {
    Core* c = core(thread);
    if (!c) return std::nullopt;
    return Fpu{c->xmm, c->st, &c->mxcsr, &c->fcw, &c->fsw, &c->ftw, true};
}

Core* X86GdbTarget::vmx_core(unsigned thread) {
    Core* c = core(thread);
    return c && c->in_vmx() ? c : nullptr;
}

std::optional<X86PagingState> X86GdbTarget::paging(unsigned thread) {
    Core* c = core(thread);
    if (!c) return std::nullopt;
    X86PagingState s;
    s.cr0 = c->cr0;
    s.cr3 = c->cr3;
    s.cr4 = c->cr4;
    s.efer = c->efer;
    for (unsigned i = 0; i < 4; i++) s.pdpte[i] = c->pdpte[i];
    s.pa_bits = c->config().phys_addr_bits;
    if (c->ept_active()) {
        s.ept = true;
        s.eptp = x86_vmcs_peek(*c, x86::vmcs::EPT_POINTER).value_or(0);
    }
    return s;
}

} // namespace hvemu::emu::debug
