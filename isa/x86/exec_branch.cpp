// Control transfer and the stack: Jcc/JMP/CALL/RET (near here, far through
// the segmentation code), LOOP/JCXZ, PUSH/POP, PUSHA/POPA, ENTER/LEAVE,
// PUSHF/POPF. Near targets wrap to the operand size.
#include "isa/x86/exec.hpp"

namespace hvemu::x86 {

using namespace x;

// ---- branches

X86_OP(jcc) { return cond(c.rflags, i.cc) ? branch_target(i, NEXT + static_cast<uint64_t>(i.imm)) : NEXT; }
X86_OP(jmp_rel) { return branch_target(i, NEXT + static_cast<uint64_t>(i.imm)); }
X86_OP(jmp_ev) {
    uint64_t t;
    X86_TRY(read_rm(c, i, rip, t));
    return t;
}
X86_OP(call_rel) {
    X86_TRY(push(c, i.opsz, NEXT));
    return branch_target(i, NEXT + static_cast<uint64_t>(i.imm));
}
X86_OP(call_ev) {
    uint64_t t;
    X86_TRY(read_rm(c, i, rip, t));
    X86_TRY(push(c, i.opsz, NEXT));
    return t;
}
X86_OP(ret) {
    uint64_t t;
    X86_TRY(pop(c, i.opsz, t));
    return t;
}
X86_OP(ret_iw) {
    uint64_t t;
    X86_TRY(pop(c, i.opsz, t));
    const uint64_t m = sp_mask(c);
    set_sp(c, m, c.gpr[4] + static_cast<uint64_t>(i.imm));
    return t;
}

// LOOP/LOOPE/LOOPNE/JCXZ count in CX, ECX or RCX by address size.
namespace {
bool dec_count(Core& c, const Insn& i) {
    const uint64_t m = mask(i.adsz);
    const uint64_t n = (c.gpr[1] - 1) & m;
    c.gpr[1] = i.adsz == kSz32 ? n : (c.gpr[1] & ~m) | n;
    return n != 0;
}
uint64_t taken(const Insn& i, uint64_t rip, bool t) { return t ? branch_target(i, NEXT + static_cast<uint64_t>(i.imm)) : NEXT; }
} // namespace
X86_OP(loop) { return taken(i, rip, dec_count(c, i)); }
X86_OP(loope) { return taken(i, rip, dec_count(c, i) && (c.rflags & rflags::ZF)); }
X86_OP(loopne) { return taken(i, rip, dec_count(c, i) && !(c.rflags & rflags::ZF)); }
X86_OP(jcxz) { return taken(i, rip, (c.gpr[1] & mask(i.adsz)) == 0); }

// ---- far transfers (segment.cpp does the descriptor work)

X86_OP(jmp_far_ap) {
    c.end_block();
    return c.far_jump(static_cast<uint16_t>(i.disp), static_cast<uint64_t>(i.imm), NEXT);
}
X86_OP(call_far_ap) {
    c.end_block();
    return c.far_call(static_cast<uint16_t>(i.disp), static_cast<uint64_t>(i.imm), 1u << i.opsz, NEXT);
}
namespace {
bool far_pointer(Core& c, const Insn& i, uint64_t rip, uint64_t& off, uint16_t& sel) {
    const uint64_t a = ea(c, i, rip);
    const auto s = static_cast<SegReg>(i.seg);
    if (!load_sz(c, s, a, i.opsz, off)) return false;
    return c.load(s, (a + (1u << i.opsz)) & mask(i.adsz), sel);
}
} // namespace
X86_OP(jmp_far_m) {
    uint64_t off;
    uint16_t sel;
    X86_TRY(far_pointer(c, i, rip, off, sel));
    c.end_block();
    return c.far_jump(sel, off, NEXT);
}
X86_OP(call_far_m) {
    uint64_t off;
    uint16_t sel;
    X86_TRY(far_pointer(c, i, rip, off, sel));
    c.end_block();
    return c.far_call(sel, off, 1u << i.opsz, NEXT);
}
X86_OP(ret_far) {
    c.end_block();
    return c.far_ret(1u << i.opsz, 0);
}
X86_OP(ret_far_iw) {
    c.end_block();
    return c.far_ret(1u << i.opsz, static_cast<uint16_t>(i.imm));
}

// ---- the stack

X86_OP(push_r) { X86_TRY(push(c, i.opsz, c.gpr[i.reg])); return NEXT; }
X86_OP(pop_r) {
    uint64_t v;
    X86_TRY(pop(c, i.opsz, v));
    set_reg(c, i, i.reg, i.opsz, v);
    return NEXT;
}
X86_OP(push_i) { X86_TRY(push(c, i.opsz, static_cast<uint64_t>(i.imm))); return NEXT; }
X86_OP(push_ev) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v));
    X86_TRY(push(c, i.opsz, v));
    return NEXT;
}
// POP r/m: an RSP-based destination address uses RSP after the pop.
X86_OP(pop_ev) {
    const uint64_t old = c.gpr[4];
    uint64_t v;
    X86_TRY(pop(c, i.opsz, v));
    if (!write_rm(c, i, rip, v)) {
        c.gpr[4] = old;
        return c.rip;
    }
    return NEXT;
}
X86_OP(pusha) {
    const uint64_t old = c.gpr[4];
    for (unsigned r = 0; r < 8; ++r) {
        if (!push(c, i.opsz, r == 4 ? old : c.gpr[r])) {
            c.gpr[4] = old;
            return c.rip;
        }
    }
    return NEXT;
}
X86_OP(popa) {
    const uint64_t old = c.gpr[4];
    uint64_t v[8];
    for (unsigned r = 8; r-- > 0;) {
        if (!pop(c, i.opsz, v[r])) {
            c.gpr[4] = old;
            return c.rip;
        }
    }
    for (unsigned r = 0; r < 8; ++r)
        if (r != 4) set_reg(c, i, r, i.opsz, v[r]);
    return NEXT;
}
// ENTER size, level (SDM: the frame pointer is pushed, level-1 outer frame
// pointers are copied, then the new frame pointer).
X86_OP(enter) {
    const unsigned level = static_cast<unsigned>(i.disp) & 31;
    const unsigned sz = i.opsz;
    const uint64_t m = sp_mask(c);
    const uint64_t old_sp = c.gpr[4], old_bp = c.gpr[5];
    auto fail = [&] {
        c.gpr[4] = old_sp;
        c.gpr[5] = old_bp;
        return c.rip;
    };
    if (!push(c, sz, c.gpr[5])) return fail();
    const uint64_t frame = c.gpr[4] & m;
    uint64_t bp = c.gpr[5];
    for (unsigned k = 1; k < level; ++k) {
        bp = (bp & ~m) | ((bp - (1u << sz)) & m);
        uint64_t v;
        if (!load_sz(c, SS, bp & m, sz, v) || !push(c, sz, v)) return fail();
    }
    if (level > 0 && !push(c, sz, frame)) return fail();
    const uint64_t new_sp = (c.gpr[4] - static_cast<uint64_t>(i.imm)) & m;
    // The frame must be writable at its lowest byte.
    uint8_t probe;
    if (!c.load(SS, new_sp, probe) || !c.store(SS, new_sp, probe)) return fail();
    set_reg(c, i, 5, sz, frame);
    set_sp(c, m, new_sp);
    return NEXT;
}
X86_OP(leave) {
    const uint64_t m = sp_mask(c);
    uint64_t v;
    X86_TRY(load_sz(c, SS, c.gpr[5] & m, i.opsz, v));
    set_sp(c, m, (c.gpr[5] & m) + (1u << i.opsz));
    set_reg(c, i, 5, i.opsz, v);
    return NEXT;
}

// ---- PUSHF/POPF: VM86 needs IOPL 3; the pushed image has VM and RF clear;
// POPF changes IOPL only at CPL 0 and IF only at CPL <= IOPL, never VM,
// VIF or VIP, and clears RF.

X86_OP(pushf) {
    const bool vm86 = c.rflags & rflags::VM;
    if (vm86 && ((c.rflags & rflags::IOPL) >> 12) < 3) return c.raise_gp(0);
    X86_TRY(push(c, i.opsz, c.rflags & ~(rflags::VM | rflags::RF)));
    return NEXT;
}
X86_OP(popf) {
    const bool vm86 = c.rflags & rflags::VM;
    const unsigned iopl = static_cast<unsigned>((c.rflags & rflags::IOPL) >> 12);
    if (vm86 && iopl < 3) return c.raise_gp(0);
    uint64_t v;
    X86_TRY(pop(c, i.opsz, v));
    uint64_t changeable = rflags::CF | rflags::PF | rflags::AF | rflags::ZF | rflags::SF | rflags::TF |
                          rflags::DF | rflags::OF | rflags::NT | rflags::AC | rflags::ID | rflags::IF | rflags::IOPL;
    const bool pm = c.protected_mode();
    if (vm86 || (pm && c.cpl > 0)) changeable &= ~rflags::IOPL;
    if (pm && !vm86 && c.cpl > iopl) changeable &= ~rflags::IF;
    if (i.opsz == kSz16) changeable &= 0xffff;
    c.rflags = ((c.rflags & ~changeable) | (v & changeable) | rflags::FIXED1) & ~rflags::RF;
    c.end_block();   // IF or TF may have changed
    return NEXT;
}

} // namespace hvemu::x86
