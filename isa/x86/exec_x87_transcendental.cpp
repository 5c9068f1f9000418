// The x87 transcendentals: FSIN, FCOS, FSINCOS, FPTAN (ST(0) in range
// |x| < 2^63, else C2 = 1 and nothing changes), FPATAN, FYL2X, FYL2XP1 (two
// operands, pop) and F2XM1. Arithmetic in x87_transcendental.cpp; the stack
// handling follows exec_x87.cpp (stack faults deliver the indefinite when
// IE is masked; an unmasked IE, DE or ZE leaves the stack unchanged).
#include "isa/x86/x87_stack.hpp"
#include "isa/x86/x87_transcendental.hpp"

namespace hvemu::x86 {

using namespace x;
using namespace x87;

namespace {

void set_c2(Core& c, bool out_of_range) {
    c.fsw = static_cast<uint16_t>((c.fsw & ~sw::C2) | (out_of_range ? sw::C2 : 0));
}

// ST(0) = f(ST(0)); trig: the |x| < 2^63 range check (C2).
uint64_t unary(Core& c, const Insn& i, uint64_t rip, F80 (*f)(F80, Env&), bool trig) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    set_c2(c, false);
    if (!valid(c, 0)) {
        if (stack_fault(c, false)) put(c, 0, kIndefinite);
        return NEXT;
    }
    if (trig && !trig_in_range(get(c, 0))) {
        c.fsw &= static_cast<uint16_t>(~sw::C1);
        return set_c2(c, true), NEXT;
    }
    Env e{c.fcw};
    const F80 r = f(get(c, 0), e);
    if (commit(c, e)) put(c, 0, r);
    return NEXT;
}

// FSINCOS, FPTAN: ST(0) = first, then push second.
uint64_t two_results(Core& c, const Insn& i, uint64_t rip, Pair (*f)(F80, Env&)) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    set_c2(c, false);
    if (!valid(c, 0) || valid(c, 7)) {
        if (stack_fault(c, valid(c, 0))) {
            put(c, 0, kIndefinite);
            push(c, kIndefinite);
        }
        return NEXT;
    }
    if (!trig_in_range(get(c, 0))) {
        c.fsw &= static_cast<uint16_t>(~sw::C1);
        return set_c2(c, true), NEXT;
    }
    Env e{c.fcw};
    const Pair r = f(get(c, 0), e);
    if (!commit(c, e)) return NEXT;
    put(c, 0, r.first);
    push(c, r.second);
    return NEXT;
}

// ST(1) = f(ST(1), ST(0)), then pop.
uint64_t binary_pop(Core& c, const Insn& i, uint64_t rip, F80 (*f)(F80, F80, Env&)) {
    X86_TRY(begin(c, i, rip, Kind::Arith));
    if (!valid(c, 0) || !valid(c, 1)) {
        if (!stack_fault(c, false)) return NEXT;
        put(c, 1, kIndefinite);
    } else {
        Env e{c.fcw};
        const F80 r = f(get(c, 1), get(c, 0), e);
        if (!commit(c, e)) return NEXT;
        put(c, 1, r);
    }
    pop(c);
    return NEXT;
}

} // namespace

X86_OP(x87_fsin) { return unary(c, i, rip, x87::sin, true); }
X86_OP(x87_fcos) { return unary(c, i, rip, x87::cos, true); }
X86_OP(x87_f2xm1) { return unary(c, i, rip, exp2m1, false); }
X86_OP(x87_fsincos) { return two_results(c, i, rip, sincos); }
X86_OP(x87_fptan) { return two_results(c, i, rip, x87::tan); }
X86_OP(x87_fpatan) { return binary_pop(c, i, rip, x87::atan2); }
X86_OP(x87_fyl2x) { return binary_pop(c, i, rip, ylog2x); }
X86_OP(x87_fyl2xp1) { return binary_pop(c, i, rip, ylog2xp1); }

} // namespace hvemu::x86
