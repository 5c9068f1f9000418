// x87 data transfer, arithmetic, comparison and stack instructions (the
// control and state instructions are in exec_x87_control.cpp; the
// transcendentals are not implemented: #UD). Each handler: the common checks
// (begin), its operands, the operation in x87_float, then the result
// through commit(): flags into FSW, and nothing delivered when an unmasked
// exception stops the instruction.
#include "isa/x86/x87_stack.hpp"

namespace hvemu::x86 {

using namespace x;
using namespace x87;

namespace {

using BinOp = F80 (*)(F80, F80, Env&);
F80 subr(F80 a, F80 b, Env& e) { return sub(b, a, e); }
F80 divr(F80 a, F80 b, Env& e) { return div(b, a, e); }

SegReg seg_of(const Insn& i) { return static_cast<SegReg>(i.seg); }

// Memory operands, converted to F80 (conversion flags into e).
bool load_m32(Core& c, const Insn& i, uint64_t rip, Env& e, F80& v) {
    uint32_t m;
    if (!c.load(seg_of(i), ea(c, i, rip), m)) return false;
    v = from_f32(m, e);
    return true;
}
bool load_m64(Core& c, const Insn& i, uint64_t rip, Env& e, F80& v) {
    uint64_t m;
    if (!c.load(seg_of(i), ea(c, i, rip), m)) return false;
    v = from_f64(m, e);
    return true;
}
bool load_int(Core& c, const Insn& i, uint64_t rip, unsigned sz, F80& v) {
    uint64_t m;
    if (!load_sz(c, seg_of(i), ea(c, i, rip), sz, m)) return false;
    v = from_int(static_cast<int64_t>(sext(m, sz)));
    return true;
}
bool load_m80(Core& c, const Insn& i, uint64_t rip, F80& v) {
    const uint64_t a = ea(c, i, rip);
    return c.load(seg_of(i), a, v.sig) && c.load(seg_of(i), (a + 8) & mask(i.adsz), v.se);
}
// 80-bit stores: probe the last byte first so a fault leaves memory unchanged.
bool store_m80(Core& c, const Insn& i, uint64_t rip, const uint8_t* p) {
    const uint64_t a = ea(c, i, rip);
    uint64_t lo;
    uint16_t hi;
    std::memcpy(&lo, p, 8);
    std::memcpy(&hi, p + 8, 2);
    uint16_t probe;
    return c.load(seg_of(i), (a + 8) & mask(i.adsz), probe) && c.store(seg_of(i), (a + 8) & mask(i.adsz), hi) &&
           c.store(seg_of(i), a, lo);
}

// ST(dst) = op(ST(dst), src) (reverse: op(src, ST(dst)) by the op), then
// pop when asked. `e` carries flags of the source conversion.
uint64_t arith(Core& c, const Insn& i, uint64_t rip, unsigned dst, bool dst_ok, F80 src, bool src_ok, BinOp op, Env& e, bool do_pop) {
    if (!dst_ok || !src_ok) {
        if (!stack_fault(c, false)) return NEXT;
        put(c, dst, kIndefinite);
    } else {
        const F80 r = op(get(c, dst), src, e);
        if (!commit(c, e)) return NEXT;
        put(c, dst, r);
    }
    if (do_pop) pop(c);
    return NEXT;
}
uint64_t arith_sti(Core& c, const Insn& i, uint64_t rip, bool to_sti, BinOp op, bool do_pop) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    const unsigned r = i.rm & 7;
    Env e{c.fcw};
    const unsigned dst = to_sti ? r : 0, src = to_sti ? 0 : r;
    return arith(c, i, rip, dst, valid(c, dst), get(c, src), valid(c, src), op, e, do_pop);
}
// The memory operand of an arithmetic or compare form: m32fp, m64fp, or
// an m16int (kind -16) or m32int (kind -32).
bool load_operand(Core& c, const Insn& i, uint64_t rip, int kind, Env& e, F80& v) {
    switch (kind) {
    case 32: return load_m32(c, i, rip, e, v);
    case 64: return load_m64(c, i, rip, e, v);
    case -16: return load_int(c, i, rip, kSz16, v);
    default: return load_int(c, i, rip, kSz32, v);
    }
}
uint64_t arith_mem(Core& c, const Insn& i, uint64_t rip, int kind, BinOp op) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    Env e{c.fcw};
    F80 v;
    X86_TRY(load_operand(c, i, rip, kind, e, v));
    return arith(c, i, rip, 0, valid(c, 0), v, true, op, e, false);
}

// ---- comparisons: C3 C2 C0 (FCOM*) or ZF PF CF (FCOMI*)

void set_cc(Core& c, Order o) {
    static constexpr uint16_t kCc[4] = {sw::C0, sw::C3, 0, sw::C0 | sw::C2 | sw::C3};
    c.fsw = static_cast<uint16_t>((c.fsw & ~(sw::C0 | sw::C1 | sw::C2 | sw::C3)) | kCc[static_cast<unsigned>(o)]);
}
uint64_t compare_with(Core& c, const Insn& i, uint64_t rip, F80 b, bool b_ok, Env& e, bool quiet, unsigned pops) {
    Order o = Order::Unordered;
    if (!valid(c, 0) || !b_ok) {
        if (!stack_fault(c, false)) return NEXT;
    } else {
        o = compare(get(c, 0), b, e, quiet);
        if (!commit(c, e)) return NEXT;
    }
    set_cc(c, o);
    for (unsigned k = 0; k < pops; ++k) pop(c);
    return NEXT;
}
uint64_t compare_sti(Core& c, const Insn& i, uint64_t rip, bool quiet, unsigned pops) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    Env e{c.fcw};
    return compare_with(c, i, rip, get(c, i.rm & 7), valid(c, i.rm & 7), e, quiet, pops);
}
uint64_t compare_mem(Core& c, const Insn& i, uint64_t rip, int kind, unsigned pops) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    Env e{c.fcw};
    F80 v;
    X86_TRY(load_operand(c, i, rip, kind, e, v));
    return compare_with(c, i, rip, v, true, e, false, pops);
}
uint64_t comi(Core& c, const Insn& i, uint64_t rip, bool quiet, bool do_pop) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    const unsigned r = i.rm & 7;
    Order o = Order::Unordered;
    Env e{c.fcw};
    if (!valid(c, 0) || !valid(c, r)) {
        if (!stack_fault(c, false)) return NEXT;
    } else {
        o = compare(get(c, 0), get(c, r), e, quiet);
        if (!commit(c, e)) return NEXT;
        c.fsw &= static_cast<uint16_t>(~sw::C1);
    }
    static constexpr uint64_t kFl[4] = {rflags::CF, rflags::ZF, 0, rflags::ZF | rflags::PF | rflags::CF};
    c.rflags = (c.rflags & ~kStatus) | kFl[static_cast<unsigned>(o)];
    if (do_pop) pop(c);
    return NEXT;
}

// ---- loads (push) and stores

uint64_t push_value(Core& c, const Insn& i, uint64_t rip, F80 v, bool v_ok, const Env& e) {
    if (valid(c, 7)) {   // the register that becomes ST(0) is in use
        if (!stack_fault(c, true)) return NEXT;
        v = kIndefinite;
    } else if (!v_ok) {
        if (!stack_fault(c, false)) return NEXT;
        v = kIndefinite;
    } else {
        if (!commit(c, e)) return NEXT;
    }
    push(c, v);
    return NEXT;
}
uint64_t push_const(Core& c, const Insn& i, uint64_t rip, Const k) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    return push_value(c, i, rip, constant(k, (c.fcw >> 10) & 3), true, Env{c.fcw});
}

// ST(0) (or the indefinite on underflow) to memory, converted by `conv`;
// then pop if asked.
template <class T, class Conv> uint64_t store_st0(Core& c, const Insn& i, uint64_t rip, Conv conv, T indefinite, bool do_pop) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    T v;
    Env e{c.fcw};
    if (!valid(c, 0)) {
        if (!(c.fcw & sw::IE)) return stack_fault(c, false), NEXT;
        v = indefinite;
        X86_TRY(c.store(seg_of(i), ea(c, i, rip), v));
        stack_fault(c, false);
    } else {
        v = conv(get(c, 0), e);
        if (!(e.flags & ~c.fcw & (sw::IE | sw::OE | sw::UE | sw::DE))) X86_TRY(c.store(seg_of(i), ea(c, i, rip), v));
        if (!commit_mem(c, e)) return NEXT;
    }
    if (do_pop) pop(c);
    return NEXT;
}
uint64_t store_int(Core& c, const Insn& i, uint64_t rip, unsigned sz, bool truncate, bool do_pop) {
    auto conv = [&](F80 a, Env& e) { return static_cast<uint64_t>(to_int(a, x::bits(sz), e, truncate)); };
    X86_TRY(begin(c, i, rip, Kind::Arith));
    const uint64_t indefinite = 1ull << (x::bits(sz) - 1);
    uint64_t v = indefinite;
    Env e{c.fcw};
    if (!valid(c, 0)) {
        if (!(c.fcw & sw::IE)) return stack_fault(c, false), NEXT;
        X86_TRY(store_sz(c, seg_of(i), ea(c, i, rip), sz, v));
        stack_fault(c, false);
    } else {
        v = conv(get(c, 0), e);
        if (!(e.flags & ~c.fcw & sw::IE)) X86_TRY(store_sz(c, seg_of(i), ea(c, i, rip), sz, v));
        if (!commit(c, e)) return NEXT;
    }
    if (do_pop) pop(c);
    return NEXT;
}

// ST(0) = f(ST(0)) for FCHS, FABS, FSQRT, FRNDINT.
using UnOp = F80 (*)(F80, Env&);
uint64_t unary(Core& c, const Insn& i, uint64_t rip, UnOp f) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    if (!valid(c, 0)) {
        if (stack_fault(c, false)) put(c, 0, kIndefinite);
        return NEXT;
    }
    Env e{c.fcw};
    const F80 r = f(get(c, 0), e);
    if (commit(c, e)) put(c, 0, r);
    return NEXT;
}
F80 chs(F80 a, Env&) { return F80{a.sig, static_cast<uint16_t>(a.se ^ 0x8000)}; }
F80 fabs_(F80 a, Env&) { return F80{a.sig, static_cast<uint16_t>(a.se & 0x7fff)}; }

uint64_t fcmov(Core& c, const Insn& i, uint64_t rip, bool cond) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    const unsigned r = i.rm & 7;
    if (!valid(c, 0) || !valid(c, r)) {
        if (stack_fault(c, false) && cond) put(c, 0, kIndefinite);
        return NEXT;
    }
    c.fsw &= static_cast<uint16_t>(~sw::C1);
    if (cond) put(c, 0, get(c, r));
    return NEXT;
}

} // namespace

// ---- arithmetic: D8/DC register and memory forms, DE pops, DA/DE integers
X86_OP(x87_fadd_st0_sti) { return arith_sti(c, i, rip, false, add, false); }
X86_OP(x87_fmul_st0_sti) { return arith_sti(c, i, rip, false, mul, false); }
X86_OP(x87_fsub_st0_sti) { return arith_sti(c, i, rip, false, sub, false); }
X86_OP(x87_fsubr_st0_sti) { return arith_sti(c, i, rip, false, subr, false); }
X86_OP(x87_fdiv_st0_sti) { return arith_sti(c, i, rip, false, div, false); }
X86_OP(x87_fdivr_st0_sti) { return arith_sti(c, i, rip, false, divr, false); }
X86_OP(x87_fadd_sti_st0) { return arith_sti(c, i, rip, true, add, false); }
X86_OP(x87_fmul_sti_st0) { return arith_sti(c, i, rip, true, mul, false); }
X86_OP(x87_fsub_sti_st0) { return arith_sti(c, i, rip, true, sub, false); }
X86_OP(x87_fsubr_sti_st0) { return arith_sti(c, i, rip, true, subr, false); }
X86_OP(x87_fdiv_sti_st0) { return arith_sti(c, i, rip, true, div, false); }
X86_OP(x87_fdivr_sti_st0) { return arith_sti(c, i, rip, true, divr, false); }
X86_OP(x87_faddp) { return arith_sti(c, i, rip, true, add, true); }
X86_OP(x87_fmulp) { return arith_sti(c, i, rip, true, mul, true); }
X86_OP(x87_fsubp) { return arith_sti(c, i, rip, true, sub, true); }
X86_OP(x87_fsubrp) { return arith_sti(c, i, rip, true, subr, true); }
X86_OP(x87_fdivp) { return arith_sti(c, i, rip, true, div, true); }
X86_OP(x87_fdivrp) { return arith_sti(c, i, rip, true, divr, true); }
X86_OP(x87_fadd_m32) { return arith_mem(c, i, rip, 32, add); }
X86_OP(x87_fmul_m32) { return arith_mem(c, i, rip, 32, mul); }
X86_OP(x87_fsub_m32) { return arith_mem(c, i, rip, 32, sub); }
X86_OP(x87_fsubr_m32) { return arith_mem(c, i, rip, 32, subr); }
X86_OP(x87_fdiv_m32) { return arith_mem(c, i, rip, 32, div); }
X86_OP(x87_fdivr_m32) { return arith_mem(c, i, rip, 32, divr); }
X86_OP(x87_fadd_m64) { return arith_mem(c, i, rip, 64, add); }
X86_OP(x87_fmul_m64) { return arith_mem(c, i, rip, 64, mul); }
X86_OP(x87_fsub_m64) { return arith_mem(c, i, rip, 64, sub); }
X86_OP(x87_fsubr_m64) { return arith_mem(c, i, rip, 64, subr); }
X86_OP(x87_fdiv_m64) { return arith_mem(c, i, rip, 64, div); }
X86_OP(x87_fdivr_m64) { return arith_mem(c, i, rip, 64, divr); }
X86_OP(x87_fiadd_m32) { return arith_mem(c, i, rip, -32, add); }
X86_OP(x87_fimul_m32) { return arith_mem(c, i, rip, -32, mul); }
X86_OP(x87_fisub_m32) { return arith_mem(c, i, rip, -32, sub); }
X86_OP(x87_fisubr_m32) { return arith_mem(c, i, rip, -32, subr); }
X86_OP(x87_fidiv_m32) { return arith_mem(c, i, rip, -32, div); }
X86_OP(x87_fidivr_m32) { return arith_mem(c, i, rip, -32, divr); }
X86_OP(x87_fiadd_m16) { return arith_mem(c, i, rip, -16, add); }
X86_OP(x87_fimul_m16) { return arith_mem(c, i, rip, -16, mul); }
X86_OP(x87_fisub_m16) { return arith_mem(c, i, rip, -16, sub); }
X86_OP(x87_fisubr_m16) { return arith_mem(c, i, rip, -16, subr); }
X86_OP(x87_fidiv_m16) { return arith_mem(c, i, rip, -16, div); }
X86_OP(x87_fidivr_m16) { return arith_mem(c, i, rip, -16, divr); }

// ---- comparisons
X86_OP(x87_fcom_sti) { return compare_sti(c, i, rip, false, 0); }
X86_OP(x87_fcomp_sti) { return compare_sti(c, i, rip, false, 1); }
X86_OP(x87_fucom) { return compare_sti(c, i, rip, true, 0); }
X86_OP(x87_fucomp) { return compare_sti(c, i, rip, true, 1); }
X86_OP(x87_fcompp) { return compare_sti(c, i, rip, false, 2); }    // rm = 1: ST(1)
X86_OP(x87_fucompp) { return compare_sti(c, i, rip, true, 2); }
X86_OP(x87_fcom_m32) { return compare_mem(c, i, rip, 32, 0); }
X86_OP(x87_fcomp_m32) { return compare_mem(c, i, rip, 32, 1); }
X86_OP(x87_fcom_m64) { return compare_mem(c, i, rip, 64, 0); }
X86_OP(x87_fcomp_m64) { return compare_mem(c, i, rip, 64, 1); }
X86_OP(x87_ficom_m32) { return compare_mem(c, i, rip, -32, 0); }
X86_OP(x87_ficomp_m32) { return compare_mem(c, i, rip, -32, 1); }
X86_OP(x87_ficom_m16) { return compare_mem(c, i, rip, -16, 0); }
X86_OP(x87_ficomp_m16) { return compare_mem(c, i, rip, -16, 1); }
X86_OP(x87_fcomi) { return comi(c, i, rip, false, false); }
X86_OP(x87_fcomip) { return comi(c, i, rip, false, true); }
X86_OP(x87_fucomi) { return comi(c, i, rip, true, false); }
X86_OP(x87_fucomip) { return comi(c, i, rip, true, true); }
X86_OP(x87_ftst) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    Env e{c.fcw};
    return compare_with(c, i, rip, F80{}, true, e, false, 0);
}
// FXAM: the class of ST(0) in C3 C2 C0, its sign in C1 (also for an empty register).
X86_OP(x87_fxam) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    const F80 v = get(c, 0);
    uint16_t cc = 0;
    if (!valid(c, 0)) cc = sw::C3 | sw::C0;
    else switch (classify(v)) {
        case Class::Unsupported: cc = 0; break;
        case Class::QNaN: case Class::SNaN: cc = sw::C0; break;
        case Class::Normal: cc = sw::C2; break;
        case Class::Inf: cc = sw::C2 | sw::C0; break;
        case Class::Zero: cc = sw::C3; break;
        case Class::Denormal: cc = sw::C3 | sw::C2; break;
        }
    if (v.sign()) cc |= sw::C1;
    c.fsw = static_cast<uint16_t>((c.fsw & ~(sw::C0 | sw::C1 | sw::C2 | sw::C3)) | cc);
    return NEXT;
}

// ---- loads
X86_OP(x87_fld_m32) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    Env e{c.fcw};
    F80 v;
    X86_TRY(load_m32(c, i, rip, e, v));
    return push_value(c, i, rip, v, true, e);
}
X86_OP(x87_fld_m64) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    Env e{c.fcw};
    F80 v;
    X86_TRY(load_m64(c, i, rip, e, v));
    return push_value(c, i, rip, v, true, e);
}
X86_OP(x87_fld_m80) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    F80 v;
    X86_TRY(load_m80(c, i, rip, v));
    return push_value(c, i, rip, v, true, Env{c.fcw});
}
X86_OP(x87_fld_sti) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    return push_value(c, i, rip, get(c, i.rm & 7), valid(c, i.rm & 7), Env{c.fcw});
}
X86_OP(x87_fild_m16) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    F80 v;
    X86_TRY(load_int(c, i, rip, kSz16, v));
    return push_value(c, i, rip, v, true, Env{c.fcw});
}
X86_OP(x87_fild_m32) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    F80 v;
    X86_TRY(load_int(c, i, rip, kSz32, v));
    return push_value(c, i, rip, v, true, Env{c.fcw});
}
X86_OP(x87_fild_m64) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    F80 v;
    X86_TRY(load_int(c, i, rip, kSz64, v));
    return push_value(c, i, rip, v, true, Env{c.fcw});
}
X86_OP(x87_fbld) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    uint8_t b[10];
    F80 raw;
    X86_TRY(load_m80(c, i, rip, raw));
    std::memcpy(b, &raw.sig, 8);
    std::memcpy(b + 8, &raw.se, 2);
    return push_value(c, i, rip, from_bcd(b), true, Env{c.fcw});
}
X86_OP(x87_fld1) { return push_const(c, i, rip, Const::One); }
X86_OP(x87_fldl2t) { return push_const(c, i, rip, Const::L2T); }
X86_OP(x87_fldl2e) { return push_const(c, i, rip, Const::L2E); }
X86_OP(x87_fldpi) { return push_const(c, i, rip, Const::Pi); }
X86_OP(x87_fldlg2) { return push_const(c, i, rip, Const::Lg2); }
X86_OP(x87_fldln2) { return push_const(c, i, rip, Const::Ln2); }
X86_OP(x87_fldz) { return push_const(c, i, rip, Const::Zero); }

// ---- stores
X86_OP(x87_fst_m32) { return store_st0<uint32_t>(c, i, rip, to_f32, 0xffc00000u, false); }
X86_OP(x87_fstp_m32) { return store_st0<uint32_t>(c, i, rip, to_f32, 0xffc00000u, true); }
X86_OP(x87_fst_m64) { return store_st0<uint64_t>(c, i, rip, to_f64, 0xfff8000000000000ull, false); }
X86_OP(x87_fstp_m64) { return store_st0<uint64_t>(c, i, rip, to_f64, 0xfff8000000000000ull, true); }
X86_OP(x87_fstp_m80) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    uint8_t b[10];
    const bool ok = valid(c, 0);
    if (!ok && !(c.fcw & sw::IE)) return stack_fault(c, false), NEXT;
    const F80 v = ok ? get(c, 0) : kIndefinite;
    std::memcpy(b, &v.sig, 8);
    std::memcpy(b + 8, &v.se, 2);
    X86_TRY(store_m80(c, i, rip, b));
    if (!ok) stack_fault(c, false);
    else c.fsw &= static_cast<uint16_t>(~sw::C1);
    pop(c);
    return NEXT;
}
X86_OP(x87_fbstp) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    uint8_t b[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff};   // the BCD indefinite
    Env e{c.fcw};
    const bool ok = valid(c, 0);
    if (!ok && !(c.fcw & sw::IE)) return stack_fault(c, false), NEXT;
    if (ok && !to_bcd(get(c, 0), e, b) && !(c.fcw & sw::IE)) return commit(c, e), NEXT;
    X86_TRY(store_m80(c, i, rip, b));
    if (!ok) stack_fault(c, false);
    else commit(c, e);
    pop(c);
    return NEXT;
}
X86_OP(x87_fist_m16) { return store_int(c, i, rip, kSz16, false, false); }
X86_OP(x87_fist_m32) { return store_int(c, i, rip, kSz32, false, false); }
X86_OP(x87_fistp_m16) { return store_int(c, i, rip, kSz16, false, true); }
X86_OP(x87_fistp_m32) { return store_int(c, i, rip, kSz32, false, true); }
X86_OP(x87_fistp_m64) { return store_int(c, i, rip, kSz64, false, true); }
X86_OP(x87_fisttp_m16) { return store_int(c, i, rip, kSz16, true, true); }
X86_OP(x87_fisttp_m32) { return store_int(c, i, rip, kSz32, true, true); }
X86_OP(x87_fisttp_m64) { return store_int(c, i, rip, kSz64, true, true); }
X86_OP(x87_fst_sti) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    if (!valid(c, 0)) {
        if (stack_fault(c, false)) put(c, i.rm & 7, kIndefinite);
        return NEXT;
    }
    c.fsw &= static_cast<uint16_t>(~sw::C1);
    put(c, i.rm & 7, get(c, 0));
    return NEXT;
}
X86_OP(x87_fstp_sti) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    if (!valid(c, 0)) {
        if (!stack_fault(c, false)) return NEXT;
        put(c, i.rm & 7, kIndefinite);
    } else {
        c.fsw &= static_cast<uint16_t>(~sw::C1);
        put(c, i.rm & 7, get(c, 0));
    }
    pop(c);
    return NEXT;
}

// ---- register-stack operations
X86_OP(x87_fxch) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    const unsigned r = i.rm & 7;
    F80 a = get(c, 0), b = get(c, r);
    if (!valid(c, 0) || !valid(c, r)) {
        if (!stack_fault(c, false)) return NEXT;
        if (!valid(c, 0)) a = kIndefinite;
        if (!valid(c, r)) b = kIndefinite;
    } else {
        c.fsw &= static_cast<uint16_t>(~sw::C1);
    }
    put(c, 0, b);
    put(c, r, a);
    return NEXT;
}
X86_OP(x87_fchs) { return unary(c, i, rip, chs); }
X86_OP(x87_fabs) { return unary(c, i, rip, fabs_); }
X86_OP(x87_fsqrt) { return unary(c, i, rip, x87::sqrt); }
X86_OP(x87_frndint) { return unary(c, i, rip, round_to_int); }
X86_OP(x87_fcmovb) { return fcmov(c, i, rip, c.rflags & rflags::CF); }
X86_OP(x87_fcmove) { return fcmov(c, i, rip, c.rflags & rflags::ZF); }
X86_OP(x87_fcmovbe) { return fcmov(c, i, rip, c.rflags & (rflags::CF | rflags::ZF)); }
X86_OP(x87_fcmovu) { return fcmov(c, i, rip, c.rflags & rflags::PF); }
X86_OP(x87_fcmovnb) { return fcmov(c, i, rip, !(c.rflags & rflags::CF)); }
X86_OP(x87_fcmovne) { return fcmov(c, i, rip, !(c.rflags & rflags::ZF)); }
X86_OP(x87_fcmovnbe) { return fcmov(c, i, rip, !(c.rflags & (rflags::CF | rflags::ZF))); }
X86_OP(x87_fcmovnu) { return fcmov(c, i, rip, !(c.rflags & rflags::PF)); }

// ---- FSCALE, FXTRACT, FPREM, FPREM1
X86_OP(x87_fscale) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    Env e{c.fcw};
    return arith(c, i, rip, 0, valid(c, 0), get(c, 1), valid(c, 1), scale, e, false);
}
X86_OP(x87_fxtract) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    if (valid(c, 7)) {
        if (stack_fault(c, true)) {
            put(c, 0, kIndefinite);
            push(c, kIndefinite);
        }
        return NEXT;
    }
    if (!valid(c, 0)) {
        if (stack_fault(c, false)) {
            put(c, 0, kIndefinite);
            push(c, kIndefinite);
        }
        return NEXT;
    }
    Env e{c.fcw};
    const Extracted r = extract(get(c, 0), e);
    if (!commit(c, e)) return NEXT;
    put(c, 0, r.exponent);
    push(c, r.significand);
    return NEXT;
}
namespace {
uint64_t prem(Core& c, const Insn& i, uint64_t rip, bool ieee) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    c.fsw &= static_cast<uint16_t>(~(sw::C0 | sw::C1 | sw::C2 | sw::C3));
    if (!valid(c, 0) || !valid(c, 1)) {
        if (stack_fault(c, false)) put(c, 0, kIndefinite);
        return NEXT;
    }
    Env e{c.fcw};
    const Remainder r = remainder(get(c, 0), get(c, 1), e, ieee);
    e.flags &= static_cast<uint16_t>(~sw::C1);
    if (!commit(c, e)) return NEXT;
    put(c, 0, r.r);
    uint16_t cc = r.complete ? 0 : sw::C2;
    if (r.complete) {
        if (r.q & 4) cc |= sw::C0;
        if (r.q & 2) cc |= sw::C3;
        if (r.q & 1) cc |= sw::C1;
    }
    c.fsw |= cc;
    return NEXT;
}
} // namespace
X86_OP(x87_fprem) { return prem(c, i, rip, false); }
X86_OP(x87_fprem1) { return prem(c, i, rip, true); }

} // namespace hvemu::x86
