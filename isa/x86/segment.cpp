// Segmentation: descriptor lookups, segment-register loads with their
// checks (#GP/#SS/#NP with the selector error code), effective -> linear
// address checks, stack accesses, far JMP/CALL/RET and IRET (to the same
// or an outer privilege, IRETQ), LLDT and LTR.
#include "isa/x86/paging_bits.hpp"
#include "isa/x86/sys_internal.hpp"

namespace hvemu::x86 {

namespace {

constexpr uint8_t kGP = 13, kSS = 12, kNP = 11, kTS = 10;

bool canonical(uint64_t a) { return static_cast<uint64_t>(static_cast<int64_t>(a << 16) >> 16) == a; }

// Real mode and virtual-8086 mode: base = selector << 4.
void load_real(Core& c, SegReg s, uint16_t sel) {
    c.seg[s].selector = sel;
    c.seg[s].base = uint64_t{sel} << 4;
    if (c.rflags & rflags::VM) {
        c.seg[s].limit = 0xffff;
        c.seg[s].attr = s == CS ? 0xfb : 0xf3;
    }
}

bool real_like(const Core& c) { return !c.protected_mode() || (c.rflags & rflags::VM); }

// Offset check of [off, off+size) against a segment's limit (expand-down
// data segments hold the offsets above the limit).
bool within_limit(const Segment& s, uint64_t off, unsigned size) {
    const uint64_t last = off + size - 1;
    const bool expand_down = (s.attr & 0x10) && !(s.attr & 0x8) && (s.attr & 0x4);
    if (expand_down) {
        const uint64_t top = (s.attr & kAttrDb) ? 0xffffffffull : 0xffffull;
        return off > s.limit && last <= top;
    }
    return last <= s.limit;
}

} // namespace

uint64_t raise_fault(Core& c, const Fault& f) {
    if (f.page) return c.raise_translation_fault(f.t, f.linear);
    return c.raise(f.vector, f.has_error, f.error);
}

// ---- descriptors ---------------------------------------------------------------

bool SysInternals::read_descriptor(Core& c, uint16_t sel, bool wide, Descriptor& d, Fault& f, uint32_t ext) {
    const bool ldt = sel & 4;
    const uint64_t base = ldt ? c.ldtr.base : c.gdtr.base;
    const uint32_t limit = ldt ? c.ldtr.limit : c.gdtr.limit;
    const uint32_t index = sel & 0xfff8u;
    if ((ldt && !(c.ldtr.attr & kAttrP)) || uint64_t{index} + (wide ? 15 : 7) > limit) {
        f = gp_fault((sel & 0xfffcu) | ext);
        return false;
    }
    Translation t;
    if (!c.read_linear(base + index, 8, d.lo, false, t)) {
        f = page_fault(t, t.gpa);
        return false;
    }
    d.hi = 0;
    if (wide && !c.read_linear(base + index + 8, 8, d.hi, false, t)) {
        f = page_fault(t, t.gpa);
        return false;
    }
    return true;
}

void SysInternals::set_accessed(Core& c, uint16_t sel, Descriptor& d) {
    if (!d.s() || (d.type() & 1)) return;
    d.lo |= uint64_t{1} << 40;
    const uint64_t base = (sel & 4) ? c.ldtr.base : c.gdtr.base;
    Translation t;
    uint64_t b = (d.lo >> 40) & 0xff;
    c.write_linear(base + (sel & 0xfff8u) + 5, 1, b, false, t);
}

Segment SysInternals::to_segment(uint16_t sel, const Descriptor& d) {
    Segment s;
    s.selector = sel;
    s.base = d.base();
    s.limit = d.limit();
    s.attr = d.attr();
    return s;
}

// ---- stack accesses ---------------------------------------------------------------

namespace {

// Linear address of a stack slot at offset `off` on `ss`, with the checks of
// the stack-address size (64-bit: canonical; otherwise the limit).
bool stack_slot(Core& c, const Segment& ss, uint64_t off, unsigned asz, unsigned size, uint32_t ss_err, Fault& f,
                uint64_t& la) {
    if (asz == 8) {
        la = off;
        if (!canonical(la)) {
            f = fault_of(kSS, 0);
            return false;
        }
        return true;
    }
    if (c.protected_mode() && !within_limit(ss, off, size)) {
        f = fault_of(kSS, ss_err);
        return false;
    }
    if (!c.protected_mode() && off + size - 1 > ss.limit) {
        f = fault_of(kSS, 0);
        return false;
    }
    la = (ss.base + off) & 0xffffffffull;
    return true;
}

} // namespace

bool SysInternals::push(Core& c, const Segment& ss, uint64_t& sp, unsigned asz, const uint64_t* v, unsigned n,
                        unsigned size, bool user, uint32_t ss_err, Fault& f) {
    const uint64_t amask = ip_mask(asz);
    uint64_t la[8];
    uint64_t p = sp;
    for (unsigned k = 0; k < n; ++k) {
        p = (p - size) & amask;
        if (!stack_slot(c, ss, p, asz, size, ss_err, f, la[k])) return false;
        const Translation t = c.translate(la[k], Access::Write, user);
        if (!t.ok()) {
            f = page_fault(t, la[k]);
            return false;
        }
        // A slot crossing a page is checked on its last byte too.
        if (((la[k] + size - 1) >> 12) != (la[k] >> 12)) {
            const Translation t2 = c.translate(la[k] + size - 1, Access::Write, user);
            if (!t2.ok()) {
                f = page_fault(t2, la[k] + size - 1);
                return false;
            }
        }
    }
    for (unsigned k = 0; k < n; ++k) {
        Translation t;
        c.write_linear(la[k], size, v[k], user, t);
    }
    sp = p;
    return true;
}

bool SysInternals::pop(Core& c, const Segment& ss, uint64_t& sp, unsigned asz, uint64_t* v, unsigned n, unsigned size,
                       bool user, Fault& f) {
    const uint64_t amask = ip_mask(asz);
    uint64_t p = sp;
    for (unsigned k = 0; k < n; ++k) {
        uint64_t la;
        if (!stack_slot(c, ss, p, asz, size, 0, f, la)) return false;
        Translation t;
        if (!c.read_linear(la, size, v[k], user, t)) {
            f = page_fault(t, t.gpa);
            return false;
        }
        p = (p + size) & amask;
    }
    sp = p;
    return true;
}

unsigned Core::stack_addr_size() const {
    if (code64()) return 8;
    if (protected_mode() && !(rflags & rflags::VM) && (seg[SS].attr & kAttrDb)) return 4;
    return 2;
}

// Stack-pointer updates keep the bits above the stack-address size.
namespace {
void set_sp(Core& c, uint64_t sp, unsigned asz) {
    const uint64_t m = SysInternals::ip_mask(asz);
    c.gpr[4] = (c.gpr[4] & ~m) | (sp & m);
}
} // namespace

bool Core::push_sys(uint64_t v, unsigned size) {
    const unsigned asz = stack_addr_size();
    uint64_t sp = gpr[4];
    Fault f;
    if (!SysInternals::push(*this, seg[SS], sp, asz, &v, 1, size, cpl == 3, 0, f)) {
        raise_fault(*this, f);
        return false;
    }
    set_sp(*this, sp, asz);
    return true;
}

bool Core::pop_sys(uint64_t& v, unsigned size) {
    const unsigned asz = stack_addr_size();
    uint64_t sp = gpr[4];
    Fault f;
    if (!SysInternals::pop(*this, seg[SS], sp, asz, &v, 1, size, cpl == 3, f)) {
        raise_fault(*this, f);
        return false;
    }
    set_sp(*this, sp, asz);
    return true;
}

// ---- effective -> linear ----------------------------------------------------------

bool Core::seg_linear(SegReg s, uint64_t ea, unsigned size, Access acc, uint64_t& linear) {
    const uint8_t vec = s == SS ? kSS : kGP;
    if (code64()) {
        linear = ea + (s == FS || s == GS ? seg[s].base : 0);
        if (!canonical(linear) || !canonical(linear + size - 1)) {
            raise(vec, true, 0);
            return false;
        }
        return true;
    }
    const Segment& sg = seg[s];
    if (protected_mode() && !(rflags & rflags::VM)) {
        if (!(sg.attr & kAttrP)) {   // a null selector was loaded
            raise(vec, true, 0);
            return false;
        }
        const bool code = sg.attr & 0x8;
        const bool bad = (acc == Access::Write && (code || !(sg.attr & 0x2))) ||
                         (acc == Access::Read && code && !(sg.attr & 0x2));
        if (bad || !within_limit(sg, ea, size)) {
            raise(vec, true, 0);
            return false;
        }
    } else if (ea + size - 1 > sg.limit) {
        raise(vec, true, 0);
        return false;
    }
    linear = (sg.base + ea) & 0xffffffffull;
    return true;
}

// ---- segment-register loads --------------------------------------------------------

bool Core::load_segment(SegReg s, uint16_t sel) {
    if (real_like(*this)) {
        load_real(*this, s, sel);
        if (s == CS) update_context();
        return true;
    }
    const uint32_t err = sel & 0xfffcu;
    const unsigned rpl = sel & 3;
    Fault f;
    if ((sel & 0xfffc) == 0) {
        // Null: fine for DS/ES/FS/GS (unusable); SS only in 64-bit mode below CPL 3.
        if (s == SS && !(code64() && cpl != 3 && rpl == cpl)) {
            raise(kGP, true, 0);
            return false;
        }
        seg[s] = Segment{sel, 0, 0, static_cast<uint16_t>(s == SS ? (cpl << 5) | 0x10 | 0x3 : 0)};
        return true;
    }
    Descriptor d;
    if (!SysInternals::read_descriptor(*this, sel, false, d, f)) {
        raise_fault(*this, f);
        return false;
    }
    if (s == SS) {
        if (rpl != cpl || !d.writable() || d.dpl() != cpl) {
            raise(kGP, true, err);
            return false;
        }
        if (!d.present()) {
            raise(kSS, true, err);
            return false;
        }
    } else {
        if (!d.s() || (d.code() && !d.readable())) {
            raise(kGP, true, err);
            return false;
        }
        if ((d.data() || !d.conforming()) && (d.dpl() < cpl || d.dpl() < rpl)) {
            raise(kGP, true, err);
            return false;
        }
        if (!d.present()) {
            raise(kNP, true, err);
            return false;
        }
    }
    SysInternals::set_accessed(*this, sel, d);
    seg[s] = SysInternals::to_segment(sel, d);
    return true;
}

bool Core::lldt(uint16_t sel) {
    if ((sel & 0xfffc) == 0) {
        ldtr = Segment{sel, 0, 0, 0};
        return true;
    }
    Descriptor d;
    Fault f;
    if (sel & 4) {
        raise(kGP, true, sel & 0xfffcu);
        return false;
    }
    if (!SysInternals::read_descriptor(*this, sel, long_mode(), d, f)) {
        raise_fault(*this, f);
        return false;
    }
    if (d.s() || d.type() != 2) {
        raise(kGP, true, sel & 0xfffcu);
        return false;
    }
    if (!d.present()) {
        raise(kNP, true, sel & 0xfffcu);
        return false;
    }
    ldtr = SysInternals::to_segment(sel, d);
    if (long_mode()) ldtr.base = d.base() | ((d.hi & 0xffffffffull) << 32);
    return true;
}

bool Core::ltr(uint16_t sel) {
    Descriptor d;
    Fault f;
    if ((sel & 0xfffc) == 0 || (sel & 4)) {
        raise(kGP, true, sel & 0xfffcu);
        return false;
    }
    if (!SysInternals::read_descriptor(*this, sel, long_mode(), d, f)) {
        raise_fault(*this, f);
        return false;
    }
    // An available TSS: 16-bit (1) or 32-bit/64-bit (9); IA-32e mode only 9.
    if (d.s() || !(d.type() == 9 || (d.type() == 1 && !long_mode()))) {
        raise(kGP, true, sel & 0xfffcu);
        return false;
    }
    if (!d.present()) {
        raise(kNP, true, sel & 0xfffcu);
        return false;
    }
    // Mark it busy in the GDT.
    d.lo |= uint64_t{2} << 40;
    Translation t;
    write_linear(gdtr.base + (sel & 0xfff8u) + 5, 1, (d.lo >> 40) & 0xff, false, t);
    tr = SysInternals::to_segment(sel, d);
    if (long_mode()) tr.base = d.base() | ((d.hi & 0xffffffffull) << 32);
    return true;
}

// ---- far transfers -----------------------------------------------------------------

namespace {

// The checks of a far JMP/CALL/RET target code segment (same privilege
// for JMP/CALL; `rpl_target` for RET/IRET). Returns false with `f` set.
bool check_code(Core& c, uint16_t sel, const Descriptor& d, unsigned new_cpl, bool is_return, Fault& f) {
    const uint32_t err = sel & 0xfffcu;
    if (!d.code()) {
        f = gp_fault(err);
        return false;
    }
    if (is_return) {
        if (d.conforming() ? d.dpl() > new_cpl : d.dpl() != new_cpl) {
            f = gp_fault(err);
            return false;
        }
    } else if (d.conforming() ? d.dpl() > c.cpl : ((sel & 3) > c.cpl || d.dpl() != c.cpl)) {
        f = gp_fault(err);
        return false;
    }
    if (c.long_mode() && d.l() && d.db()) {
        f = gp_fault(err);
        return false;
    }
    if (!d.present()) {
        f = fault_of(kNP, err);
        return false;
    }
    return true;
}

// Load CS from a checked descriptor at privilege `new_cpl`; the offset must
// be within the limit (canonical for 64-bit code).
bool enter_cs(Core& c, uint16_t sel, Descriptor& d, unsigned new_cpl, uint64_t offset, Fault& f) {
    const bool to64 = c.long_mode() && d.l();
    if (to64 ? !canonical(offset) : offset > d.limit()) {
        f = gp_fault(0);
        return false;
    }
    SysInternals::set_accessed(c, sel, d);
    c.seg[CS] = SysInternals::to_segment(static_cast<uint16_t>((sel & 0xfffc) | new_cpl), d);
    c.cpl = static_cast<uint8_t>(new_cpl);
    c.update_context();
    return true;
}

} // namespace

uint64_t Core::far_jump(uint16_t sel, uint64_t offset, uint64_t) {
    if (real_like(*this)) {
        load_real(*this, CS, sel);
        update_context();
        return offset & 0xffffffffull;
    }
    if ((sel & 0xfffc) == 0) return raise(kGP, true, 0);
    Descriptor d;
    Fault f;
    if (!SysInternals::read_descriptor(*this, sel, false, d, f)) return raise_fault(*this, f);
    if (!d.s()) {
        // Call gates: a far JMP through one stays at the same privilege.
        const bool gate = long_mode() ? d.type() == 0xc : (d.type() == 0xc || d.type() == 4);
        if (!gate) return raise(kGP, true, sel & 0xfffcu);   // task switches are not implemented
        if (long_mode() && !SysInternals::read_descriptor(*this, sel, true, d, f)) return raise_fault(*this, f);
        if (d.dpl() < cpl || d.dpl() < (sel & 3u)) return raise(kGP, true, sel & 0xfffcu);
        if (!d.present()) return raise(kNP, true, sel & 0xfffcu);
        const uint16_t csel = d.gate_selector();
        const uint64_t off = d.gate_offset(long_mode());
        if ((csel & 0xfffc) == 0) return raise(kGP, true, 0);
        Descriptor cd;
        if (!SysInternals::read_descriptor(*this, csel, false, cd, f)) return raise_fault(*this, f);
        if (!cd.code() || (cd.conforming() ? cd.dpl() > cpl : cd.dpl() != cpl))
            return raise(kGP, true, csel & 0xfffcu);
        if (!cd.present()) return raise(kNP, true, csel & 0xfffcu);
        if (!enter_cs(*this, csel, cd, cpl, d.type() == 4 ? off & 0xffff : off, f)) return raise_fault(*this, f);
        return seg[CS].attr & kAttrDb || code64() ? off : off & 0xffff;
    }
    if (!check_code(*this, sel, d, cpl, false, f) || !enter_cs(*this, sel, d, cpl, offset, f)) return raise_fault(*this, f);
    return offset;
}

uint64_t Core::far_call(uint16_t sel, uint64_t offset, unsigned opsize, uint64_t next) {
    const unsigned asz = stack_addr_size();
    uint64_t sp = gpr[4];
    Fault f;
    const uint64_t frame[2] = {seg[CS].selector, next};
    if (real_like(*this)) {
        if (!SysInternals::push(*this, seg[SS], sp, asz, frame, 2, opsize, cpl == 3, 0, f)) return raise_fault(*this, f);
        set_sp(*this, sp, asz);
        load_real(*this, CS, sel);
        update_context();
        return offset & SysInternals::ip_mask(opsize);
    }
    if ((sel & 0xfffc) == 0) return raise(kGP, true, 0);
    Descriptor d;
    if (!SysInternals::read_descriptor(*this, sel, false, d, f)) return raise_fault(*this, f);
    if (!d.s()) return raise(kGP, true, sel & 0xfffcu);   // call gates and tasks: not implemented
    if (!check_code(*this, sel, d, cpl, false, f)) return raise_fault(*this, f);
    const bool to64 = long_mode() && d.l();
    if (to64 ? !canonical(offset) : offset > d.limit()) return raise(kGP, true, 0);
    if (!SysInternals::push(*this, seg[SS], sp, asz, frame, 2, opsize, cpl == 3, 0, f)) return raise_fault(*this, f);
    set_sp(*this, sp, asz);
    enter_cs(*this, sel, d, cpl, offset, f);
    return offset;
}

namespace {

// Data segment registers a return to an outer privilege may not keep.
void null_outer_segments(Core& c) {
    for (SegReg s : {ES, DS, FS, GS}) {
        const uint16_t a = c.seg[s].attr;
        const bool conforming_code = (a & 0x8) && (a & 0x4);
        if ((a & kAttrP) && !conforming_code && attr_dpl(a) < c.cpl) c.seg[s] = Segment{0, 0, 0, 0};
    }
}

// The outer SS of a return to privilege `rpl` (RET or IRET). In 64-bit
// mode a null SS is allowed unless returning to CPL 3.
bool check_outer_ss(Core& c, uint16_t ss_sel, unsigned rpl, bool to64, Segment& out, Fault& f) {
    const uint32_t err = ss_sel & 0xfffcu;
    if ((ss_sel & 0xfffc) == 0) {
        if (c.long_mode() && to64 && rpl != 3) {
            out = Segment{ss_sel, 0, 0, static_cast<uint16_t>((rpl << 5) | 0x13)};
            return true;
        }
        f = gp_fault(0);
        return false;
    }
    Descriptor d;
    if (!SysInternals::read_descriptor(c, ss_sel, false, d, f)) return false;
    if ((ss_sel & 3u) != rpl || !d.writable() || d.dpl() != rpl) {
        f = gp_fault(err);
        return false;
    }
    if (!d.present()) {
        f = fault_of(kSS, err);
        return false;
    }
    SysInternals::set_accessed(c, ss_sel, d);
    out = SysInternals::to_segment(ss_sel, d);
    return true;
}

} // namespace

uint64_t Core::far_ret(unsigned opsize, uint16_t imm) {
    const unsigned asz = stack_addr_size();
    uint64_t sp = gpr[4];
    Fault f;
    uint64_t v[2];
    if (!SysInternals::pop(*this, seg[SS], sp, asz, v, 2, opsize, cpl == 3, f)) return raise_fault(*this, f);
    const uint16_t sel = static_cast<uint16_t>(v[1]);
    const uint64_t off = v[0];
    sp = (sp + imm) & SysInternals::ip_mask(asz);
    if (real_like(*this)) {
        load_real(*this, CS, sel);
        set_sp(*this, sp, asz);
        update_context();
        return off;
    }
    if ((sel & 0xfffc) == 0) return raise(kGP, true, 0);
    const unsigned rpl = sel & 3;
    if (rpl < cpl) return raise(kGP, true, sel & 0xfffcu);
    Descriptor d;
    if (!SysInternals::read_descriptor(*this, sel, false, d, f)) return raise_fault(*this, f);
    if (!check_code(*this, sel, d, rpl, true, f)) return raise_fault(*this, f);
    if (rpl == cpl) {
        if (!enter_cs(*this, sel, d, rpl, off, f)) return raise_fault(*this, f);
        set_sp(*this, sp, asz);
        return off;
    }
    // To an outer privilege: SS:SP follow on the stack.
    uint64_t s[2];
    if (!SysInternals::pop(*this, seg[SS], sp, asz, s, 2, opsize, cpl == 3, f)) return raise_fault(*this, f);
    Segment ss;
    if (!check_outer_ss(*this, static_cast<uint16_t>(s[1]), rpl, long_mode() && d.l(), ss, f)) return raise_fault(*this, f);
    if (!enter_cs(*this, sel, d, rpl, off, f)) return raise_fault(*this, f);
    seg[SS] = ss;
    const unsigned nasz = stack_addr_size();
    set_sp(*this, (s[0] + imm) & SysInternals::ip_mask(nasz), nasz == 8 ? 8 : nasz);
    null_outer_segments(*this);
    return off;
}

namespace {

// RFLAGS as IRET (or POPF-like restores) may change them at `cpl`.
uint64_t merge_flags(const Core& c, uint64_t old, uint64_t popped, unsigned opsize, unsigned cpl) {
    uint64_t mask = 0x3f7fd5;   // CF PF AF ZF SF TF IF DF OF IOPL NT RF AC VIF VIP ID (not VM)
    if (opsize == 2) mask &= 0xffff;
    if (c.protected_mode()) {
        if (cpl > 0) mask &= ~rflags::IOPL;
        if (cpl > ((old & rflags::IOPL) >> 12)) mask &= ~rflags::IF;
        if (cpl > 0) mask &= ~(rflags::VIF | rflags::VIP);
    }
    return ((old & ~mask) | (popped & mask) | rflags::FIXED1) & ~uint64_t{0x8028};
}

} // namespace

uint64_t Core::iret(unsigned opsize) {
    const unsigned asz = stack_addr_size();
    uint64_t sp = gpr[4];
    Fault f;
    uint64_t v[3];
    if (!SysInternals::pop(*this, seg[SS], sp, asz, v, 3, opsize, cpl == 3, f)) return raise_fault(*this, f);
    const uint64_t off = v[0];
    const uint16_t sel = static_cast<uint16_t>(v[1]);
    nmi_blocked = false;   // IRET ends NMI blocking
    add_cycles(cfg_.costs.trap_return);
    if (real_like(*this)) {
        if (rflags & rflags::VM) {
            if (((rflags & rflags::IOPL) >> 12) != 3) return raise(kGP, true, 0);
        }
        load_real(*this, CS, sel);
        set_sp(*this, sp, asz);
        rflags = merge_flags(*this, rflags, v[2], opsize, 0) | (rflags & rflags::VM);
        update_context();
        return off & SysInternals::ip_mask(opsize);
    }
    if ((rflags & rflags::NT) && !long_mode()) return raise(kGP, true, tr.selector & 0xfffcu);   // no task switches
    if (!long_mode() && (v[2] & rflags::VM) && cpl == 0) return raise(kGP, true, 0);   // virtual-8086 mode: not implemented
    if ((sel & 0xfffc) == 0) return raise(kGP, true, 0);
    const unsigned rpl = sel & 3;
    if (rpl < cpl) return raise(kGP, true, sel & 0xfffcu);
    Descriptor d;
    if (!SysInternals::read_descriptor(*this, sel, false, d, f)) return raise_fault(*this, f);
    if (!check_code(*this, sel, d, rpl, true, f)) return raise_fault(*this, f);
    const bool to64 = long_mode() && d.l();
    // IA-32e mode from 64-bit code always pops SS:RSP; otherwise only for
    // a return to an outer privilege.
    if (rpl == cpl && !code64()) {
        const uint64_t old = rflags;
        if (!enter_cs(*this, sel, d, rpl, off, f)) return raise_fault(*this, f);
        set_sp(*this, sp, asz);
        rflags = merge_flags(*this, old, v[2], opsize, rpl);
        update_context();
        return off;
    }
    uint64_t s[2];
    if (!SysInternals::pop(*this, seg[SS], sp, asz, s, 2, opsize, cpl == 3, f)) return raise_fault(*this, f);
    Segment ss;
    if (!check_outer_ss(*this, static_cast<uint16_t>(s[1]), rpl, to64, ss, f)) return raise_fault(*this, f);
    const uint64_t old = rflags;
    const unsigned old_cpl = cpl;
    if (!enter_cs(*this, sel, d, rpl, off, f)) return raise_fault(*this, f);
    seg[SS] = ss;
    rflags = merge_flags(*this, old, v[2], opsize, old_cpl);
    gpr[4] = to64 ? s[0] : (opsize == 2 ? (gpr[4] & ~0xffffull) | (s[0] & 0xffff) : s[0] & 0xffffffffull);
    if (rpl > old_cpl) null_outer_segments(*this);
    update_context();
    return to64 ? off : off & 0xffffffffull;
}

} // namespace hvemu::x86
