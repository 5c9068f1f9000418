// The x87 register stack as the handlers see it (exec_x87*.cpp): TOP in
// FSW, Core::st[] in ST(i) order, the abridged tag (bit k: physical
// register k in use), the checks every x87 instruction starts with, and how
// an operation's flags reach FSW (and ES/B, which the next waiting
// instruction turns into #MF).
#pragma once
#include <cstring>

#include "isa/x86/exec.hpp"
#include "isa/x86/x87_float.hpp"

namespace hvemu::x86::x87 {

constexpr uint64_t kCr0Mp = 1u << 1, kCr0Em = 1u << 2, kCr0Ts = 1u << 3, kCr0Ne = 1u << 5;
constexpr uint8_t kVectorNm = 7, kVectorMf = 16;

inline unsigned top(const Core& c) { return (c.fsw >> sw::TopShift) & 7; }
inline unsigned phys(const Core& c, unsigned i) { return (top(c) + i) & 7; }
inline bool valid(const Core& c, unsigned i) { return (c.ftw >> phys(c, i)) & 1; }
inline F80 get(const Core& c, unsigned i) {
    F80 v;
    std::memcpy(&v.sig, c.st[i & 7], 8);
    std::memcpy(&v.se, c.st[i & 7] + 8, 2);
    return v;
}
inline void put(Core& c, unsigned i, F80 v) {
    std::memcpy(c.st[i & 7], &v.sig, 8);
    std::memcpy(c.st[i & 7] + 8, &v.se, 2);
    c.ftw = static_cast<uint16_t>(c.ftw | (1u << phys(c, i)));
}
inline void set_empty(Core& c, unsigned i) { c.ftw = static_cast<uint16_t>(c.ftw & ~(1u << phys(c, i))); }

// TOP += n (mod 8); st[] follows, since it is numbered from TOP.
inline void rotate(Core& c, int n) {
    uint8_t tmp[8][10];
    for (unsigned k = 0; k < 8; ++k) std::memcpy(tmp[k], c.st[(k + static_cast<unsigned>(n)) & 7], 10);
    std::memcpy(c.st, tmp, sizeof tmp);
    const unsigned t = (top(c) + static_cast<unsigned>(n)) & 7;
    c.fsw = static_cast<uint16_t>((c.fsw & ~sw::TopMask) | (t << sw::TopShift));
}
inline void pop(Core& c) {
    set_empty(c, 0);
    rotate(c, 1);
}
inline void push(Core& c, F80 v) {
    rotate(c, -1);
    put(c, 0, v);
}

// ES and B follow the unmasked exception flags (after FLDCW, FLDENV, ...).
inline void update_es(Core& c) {
    if (c.fsw & ~c.fcw & sw::Exceptions) c.fsw |= sw::ES | sw::B;
    else c.fsw &= static_cast<uint16_t>(~(sw::ES | sw::B));
}

// An operation's flags into FSW: exception flags accumulate, C1 is the
// operation's. Returns whether the result is delivered: not when an
// unmasked IE, DE or ZE stopped the instruction.
inline bool commit(Core& c, const Env& e) {
    c.fsw = static_cast<uint16_t>((c.fsw & ~sw::C1) | (e.flags & (sw::Exceptions | sw::SF | sw::C1)));
    update_es(c);
    return !(e.flags & ~c.fcw & (sw::IE | sw::DE | sw::ZE));
}
// A memory destination also takes nothing on an unmasked OE or UE.
inline bool commit_mem(Core& c, const Env& e) {
    const bool ok = commit(c, e);
    return ok && !(e.flags & ~c.fcw & (sw::OE | sw::UE));
}
// Stack overflow (push onto a full register) or underflow (an empty
// operand): IE and SF, C1 = overflow. Returns whether IE is masked (the
// masked response delivers the indefinite).
inline bool stack_fault(Core& c, bool overflow) {
    Env e{c.fcw};
    e.flags = static_cast<uint16_t>(sw::IE | sw::SF | (overflow ? sw::C1 : 0));
    commit(c, e);
    return (c.fcw & sw::IE) != 0;
}

// The start of an x87 instruction: CR0.EM or TS gives #NM; a waiting
// instruction then takes a pending unmasked exception as #MF (CR0.NE = 1;
// with NE = 0 the PC signals FERR# to an external interrupt controller,
// which is not modelled: nothing is delivered). A non-control instruction
// records its address, opcode and data pointer for FNSTENV/FNSAVE/FXSAVE.
enum class Kind : uint8_t { Arith, Control, NoWait };
bool begin(Core& c, const Insn& i, uint64_t rip, Kind k);

} // namespace hvemu::x86::x87
