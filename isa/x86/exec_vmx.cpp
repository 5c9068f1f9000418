// VMX instruction handlers (insn_vmx.def): the #UD / VM-exit / #GP order of
// SDM Vol. 3C ch. 30, operand access, then the root-mode semantics of
// vmx.cpp. In non-root operation each exits unconditionally with the
// displacement as qualification and the VMX-instruction information of
// 27.2.5 (Tables 27-9 to 27-14).
#include "isa/x86/exec.hpp"
#include "isa/x86/vmx_state.hpp"

namespace hvemu::x86 {

using namespace vmx;
using V = Core::VmxStatus;
using X = VmxInternals;

namespace {

bool ud_mode(const Core& c) {
    return !(c.cr0 & 1) || (c.rflags & rflags::VM) || (c.long_mode() && !(c.seg[CS].attr & (1u << 13)));
}

// Register operands of VMREAD/VMWRITE/INVEPT/INVVPID: 64-bit in 64-bit
// mode, else 32-bit.
unsigned reg_size(const Core& c) { return c.code64() ? kSz64 : kSz32; }

// VMX-instruction information of a form with a memory or register operand.
uint32_t insn_info(const Insn& i, bool reg2_valid) {
    uint32_t info = 0;
    if (i.flags & iflag::Mem) {
        info |= i.scale & 3;
        info |= uint32_t(i.seg & 7) << 15;
        info |= i.index == kNoReg ? (1u << 22) : uint32_t(i.index & 15) << 18;
        info |= i.rm >= 16 ? (1u << 27) : uint32_t(i.rm & 15) << 23;
    } else {
        info |= uint32_t(i.rm & 15) << 3 | 1u << 10;
    }
    info |= uint32_t(i.adsz > 0 ? i.adsz - 1 : 0) << 7;
    if (reg2_valid) info |= uint32_t(i.reg & 15) << 28;
    return info;
}

// The non-root exit of a VMX instruction.
uint64_t exit_insn(Core& c, const Insn& i, uint32_t reason, bool operands, bool reg2) {
    X::ExitInfo e;
    e.reason = reason;
    e.insn_len = i.len;
    if (operands) {
        e.insn_info = insn_info(i, reg2);
        if (i.flags & iflag::Mem) e.qual = uint64_t(int64_t(i.disp));
    }
    X::exit(c, e);
    return c.rip;
}

uint64_t finish(Core& c, const Insn& i, uint64_t rip, V s) {
    switch (s) {
    case V::Ud: return c.raise_ud();
    case V::Gp: return c.raise_gp(0);
    case V::EntryFailed: return c.rip;
    default: return NEXT;
    }
}

// The 64-bit physical-address operand of VMXON/VMCLEAR/VMPTRLD.
bool read_ptr(Core& c, const Insn& i, uint64_t rip, uint64_t& pa) {
    return c.load(static_cast<SegReg>(i.seg), x::ea(c, i, rip), pa);
}

// Shared entry checks of VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, INVEPT,
// INVVPID, VMXOFF: #UD, then the exit in non-root, then CPL.
// Returns true (with `out`) when the instruction is done.
bool pre(Core& c, const Insn& i, uint64_t rip, uint32_t reason, bool operands, bool reg2, uint64_t& out) {
    if (!c.in_vmx() || ud_mode(c)) {
        out = c.raise_ud();
        return true;
    }
    if (c.in_non_root()) {
        out = exit_insn(c, i, reason, operands, reg2);
        return true;
    }
    if (c.cpl > 0) {
        out = c.raise_gp(0);
        return true;
    }
    return false;
}

} // namespace

X86_OP(vmcall) {
    if (!c.in_vmx()) return c.raise_ud();
    if (c.in_non_root()) return exit_insn(c, i, Vmcall, false, false);
    if ((c.rflags & rflags::VM) || (c.long_mode() && !(c.seg[CS].attr & (1u << 13)))) return c.raise_ud();
    if (c.cpl > 0) return c.raise_gp(0);
    // dual-monitor treatment is not supported: VMCALL in root fails
    return finish(c, i, rip, c.vmx_fail(ErrVmcallInRoot));
}

X86_OP(vmlaunch) {
    uint64_t out;
    if (pre(c, i, rip, Vmlaunch, false, false, out)) return out;
    const V s = c.vmlaunch();
    return s == V::Succeed ? c.rip : finish(c, i, rip, s);
}

X86_OP(vmresume) {
    uint64_t out;
    if (pre(c, i, rip, Vmresume, false, false, out)) return out;
    const V s = c.vmresume();
    return s == V::Succeed ? c.rip : finish(c, i, rip, s);
}

X86_OP(vmxoff) {
    uint64_t out;
    if (pre(c, i, rip, Vmxoff, false, false, out)) return out;
    return finish(c, i, rip, c.vmxoff());
}

// VM functions are not enabled in any VMCS this core accepts.
X86_OP(vmfunc) { return c.raise_ud(); }

X86_OP(vmxon) {
    if (ud_mode(c) || !(c.cr4 & (1u << 13))) return c.raise_ud();
    if (c.in_non_root()) return exit_insn(c, i, Vmxon, true, false);
    if (c.cpl > 0) return c.raise_gp(0);
    if (c.in_vmx()) return finish(c, i, rip, c.vmxon(0));   // VMfail(15) in root
    // the fixed-bit and FEATURE_CONTROL #GP come before the operand read
    const V pre_s = c.vmxon_check();
    if (pre_s != V::Succeed) return finish(c, i, rip, pre_s);
    uint64_t pa = 0;
    X86_TRY(read_ptr(c, i, rip, pa));
    return finish(c, i, rip, c.vmxon(pa));
}

X86_OP(vmclear) {
    uint64_t out, pa = 0;
    if (pre(c, i, rip, Vmclear, true, false, out)) return out;
    X86_TRY(read_ptr(c, i, rip, pa));
    return finish(c, i, rip, c.vmclear(pa));
}

X86_OP(vmptrld) {
    uint64_t out, pa = 0;
    if (pre(c, i, rip, Vmptrld, true, false, out)) return out;
    X86_TRY(read_ptr(c, i, rip, pa));
    return finish(c, i, rip, c.vmptrld(pa));
}

X86_OP(vmptrst) {
    uint64_t out;
    if (pre(c, i, rip, Vmptrst, true, false, out)) return out;
    X86_TRY(c.store(static_cast<SegReg>(i.seg), x::ea(c, i, rip), c.vmptrst()));
    return finish(c, i, rip, c.vmx_succeed());
}

X86_OP(vmread) {
    uint64_t out;
    if (pre(c, i, rip, Vmread, true, true, out)) return out;
    const unsigned sz = reg_size(c);
    const uint64_t field = x::get_reg(c, i, i.reg, sz);
    uint64_t value = 0;
    // the destination is written only on success
    const V s = c.vmread(field, value);
    if (s != V::Succeed) return finish(c, i, rip, s);
    uint64_t saved = c.rflags;
    if (!x::write_rm(c, i, rip, value & x::mask(sz), sz)) return c.rip;
    c.rflags = saved;
    return NEXT;
}

X86_OP(vmwrite) {
    uint64_t out, value = 0;
    if (pre(c, i, rip, Vmwrite, true, true, out)) return out;
    const unsigned sz = reg_size(c);
    X86_TRY(x::read_rm(c, i, rip, value, sz));
    const uint64_t field = x::get_reg(c, i, i.reg, sz);
    return finish(c, i, rip, c.vmwrite(field, value));
}

X86_OP(invept) {
    uint64_t out, eptp = 0;
    if (pre(c, i, rip, Invept, true, true, out)) return out;
    const uint64_t type = x::get_reg(c, i, i.reg, reg_size(c));
    const SegReg s = static_cast<SegReg>(i.seg);
    const uint64_t a = x::ea(c, i, rip);
    uint64_t hi = 0;
    X86_TRY(c.load(s, a, eptp));
    X86_TRY(c.load(s, (a + 8) & x::mask(i.adsz), hi));
    return finish(c, i, rip, c.invept(type, eptp));
}

X86_OP(invvpid) {
    uint64_t out, lo = 0, la = 0;
    if (pre(c, i, rip, Invvpid, true, true, out)) return out;
    const uint64_t type = x::get_reg(c, i, i.reg, reg_size(c));
    const SegReg s = static_cast<SegReg>(i.seg);
    const uint64_t a = x::ea(c, i, rip);
    X86_TRY(c.load(s, a, lo));
    X86_TRY(c.load(s, (a + 8) & x::mask(i.adsz), la));
    if (type > 3) return finish(c, i, rip, c.vmx_fail(ErrInvalidInvOperand));
    if (lo >> 16) return finish(c, i, rip, c.vmx_fail(ErrInvalidInvOperand));   // bits 63:16 reserved
    return finish(c, i, rip, c.invvpid(type, uint16_t(lo), la));
}

} // namespace hvemu::x86
