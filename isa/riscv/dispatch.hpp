// Threaded dispatch: a decoded slot runs its instruction and then calls the
// next slot's entry as a tail call, so a straight or looping run of
// instructions on one code page costs no trip through Hart::run(). A chain
// stops (returns the pc to continue at, with Hart::chain_left set) when its
// budget is used up, when control leaves the page, or when a handler ended
// the block.
//
// Spans: instructions that cannot redirect or stop the chain on their
// common path (RV64I/M ALU, M, and the TLB hits of loads and stores) "flow"
// into the next slot. Each slot carries its span: the charge of itself and
// of the flowing instructions after it up to the first that does not flow
// (a branch, a jump, anything run through exec_plain), capped (kSpanCap).
// Entering a slot (a chain's start, a branch or jump target, the slot after
// a non-flowing instruction) charges its whole span at once when the budget
// holds it; inside a span, instructions neither charge nor test the budget.
// When the budget does not hold the span, the instructions run one at a
// time with the budget tested before each (op_stepwise), exactly as if each
// were charged on its own: which instructions run, and every count and
// cycle a handler can observe, do not depend on where spans begin.
//
// Which entry a slot runs (the decoder's table):
//  - RV64I/M (exec_int.cpp): the handler inlined; flowing ones continue in
//    the span (or, a span's cut end, enter the next slot), jumps and
//    branches enter their target; loads and stores take the TLB hit inline
//    and the miss through flow_slow;
//  - everything else: exec_plain, which first publishes pc, the
//    instruction and the count, since such handlers may trap, read
//    counters or reach devices.
// `left` packs the chain's budget: cycles in the high bits, instructions
// counted down in the low kInsnBits, so one subtraction charges an
// instruction both (its step: (cycles << kInsnBits) + 1, fixed when the
// slot is decoded), biased so the chain goes on while left >= 0: one sign
// test. Each entry comes in two instantiations: T = false for a profile
// where nothing costs extra for a taken branch, T = true for one where it
// does (the redirect). Included by hart.hpp.
#pragma once

namespace hvemu::rv {

// The longest chain Hart::run() starts, in cycles (each instruction costs
// at least one): where the compiler does not make the calls jumps
// (unoptimized builds), each instruction is a stack frame.
#ifdef __OPTIMIZE__
inline constexpr uint64_t kChainMax = 1024;
#else
inline constexpr uint64_t kChainMax = 64;
#endif

inline constexpr unsigned kInsnBits = 11;
inline constexpr uint64_t kInsnMask = (uint64_t{1} << kInsnBits) - 1;
static_assert(kChainMax < kInsnMask, "a chain's instruction count must not borrow from its cycles");
inline constexpr uint64_t insn_step(uint64_t cycles) { return (cycles << kInsnBits) + 1; }
inline constexpr uint64_t kUnitStep = insn_step(1);
// A span holds at most this many cycles: a fresh chain always holds a
// whole one, and a span fits Insn::span.
inline constexpr uint64_t kSpanCap = kChainMax / 4;
// A chain allowed `cycles` (>= 1) starts with this budget.
inline constexpr uint64_t chain_budget(uint64_t cycles) { return ((cycles - 1) << kInsnBits) | kInsnMask; }
// What a chain that started with chain_budget(cycles) and stopped at `left` ran.
inline constexpr uint64_t chain_insns(uint64_t left) { return kInsnMask - (left & kInsnMask); }
inline constexpr uint64_t chain_cycles(uint64_t cycles, uint64_t left) {
    return cycles - 1 - static_cast<uint64_t>(static_cast<int64_t>(left) >> kInsnBits);
}

inline void Hart::publish(uint64_t at, const Insn* i, uint64_t left) {
    pc = at;
    cur = i;
    in_block_ = chain_insn_end_ - (left & kInsnMask);
    in_block_cycles_ = chain_cycle_end_ - static_cast<uint64_t>(static_cast<int64_t>(left) >> kInsnBits);
}

inline uint64_t chain_stop(Hart& h, uint64_t next_pc, uint64_t left) {
    h.chain_left = left;
    return next_pc;
}

// Runs instructions one at a time from slot i at pc, the budget tested
// before each, until a slot's whole span fits again (hart.cpp). `after` is
// the budget with i's span charged (negative: it did not fit).
uint64_t op_stepwise(Hart& h, const Insn& i, uint64_t pc, uint64_t after);

// Enter slot n at pc: charge its span, or go one instruction at a time when
// the budget does not hold it. (A slot not decoded yet has span 0: it
// decodes itself and enters again.)
[[gnu::always_inline]] inline uint64_t enter(Hart& h, const Insn& n, uint64_t pc, uint64_t left) {
    left -= n.span;
    if (HV_UNLIKELY(static_cast<int64_t>(left) < 0)) return op_stepwise(h, n, pc, left);
    return n.fn(h, n, pc, left);
}

// A flowing instruction of length L is done: continue at the next slot,
// inside the span (already charged), or, at a span's cut end (C), enter it.
template <unsigned L, bool C>
[[gnu::always_inline]] inline uint64_t flow(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    const Insn& n = (&i)[L / 2];   // a page's last slot is followed by op_page_end
    if constexpr (C) return enter(h, n, pc + L, left);
    else return n.fn(h, n, pc + L, left);
}

// Enter the slot of `next` (even), `left` already charged: the slot is found
// relative to this one while it stays on the page.
[[gnu::always_inline]] inline uint64_t go_at(Hart& h, const Insn& i, uint64_t pc, uint64_t next, uint64_t left) {
    if (HV_UNLIKELY(((next ^ pc) >> 12) != 0)) return chain_stop(h, next, left);
    // One slot per 2 bytes: the byte distance between slots is (next - pc) *
    // sizeof(Insn) / 2 (next - pc is even).
    const Insn& n = *reinterpret_cast<const Insn*>(reinterpret_cast<const char*>(&i) +
                                                   static_cast<int64_t>(next - pc) * int64_t{sizeof(Insn) / 2});
    return enter(h, n, next, left);
}

// After a taken conditional branch: its span (its step) is the not-taken
// cost, the redirect comes on top.
template <bool T>
[[gnu::always_inline]] inline uint64_t next_taken(Hart& h, const Insn& i, uint64_t pc, uint64_t next, uint64_t left) {
    if constexpr (T) left -= h.redirect_step();
    return go_at(h, i, pc, next, left);
}

// A handler that may trap, read counters, reach devices or change what the
// next instruction is (it ends a span: entering it charged its step):
// publish the state it may look at (the count and cycles of the
// instructions before it), run it, charge the redirect when it did not fall
// through (a trap, an xRET), and leave the chain when it ended the block (or
// trapped: a trap always does).
template <Handler F, unsigned L, bool T> uint64_t exec_plain(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    h.publish(pc, &i, left + i.span);
    const uint64_t next = F(h, i, pc);
    if constexpr (T) {
        if (next != pc + L) left -= h.redirect_step();
    }
    if (HV_UNLIKELY(h.block_ended() || (next & 1))) return chain_stop(h, next, left);
    return go_at(h, i, pc, next, left);
}

// The rare path of a flowing instruction (a load or store that missed the
// TLB), out of line so the common path needs no stack frame. Its span is
// charged: before it the budget was left + span, after it left + span -
// step. It goes on in the span when it fell through, else stops the chain.
template <Handler F, unsigned L, bool T, bool C>
[[gnu::noinline]] uint64_t flow_slow(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    h.publish(pc, &i, left + i.span);
    const uint64_t next = F(h, i, pc);
    uint64_t after = left + i.span - i.step;
    if (HV_LIKELY(next == pc + L && !h.block_ended())) return flow<L, C>(h, i, pc, C ? after : left);
    if constexpr (T) {
        if (next != pc + L) after -= h.redirect_step();
    }
    return chain_stop(h, next, after);
}

// Every instruction outside RV64I/M runs through exec_plain.
#define RV_INSN(id, ...)                                                             \
    template <unsigned L, bool T>                                                    \
    uint64_t xop_##id(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {          \
        return exec_plain<&op_##id<L>, L, T>(h, i, pc, left);                        \
    }
#define RVC_INSN(id, ...)
#include "isa/riscv/insn_system.def"
#include "isa/riscv/insn_amo.def"
#include "isa/riscv/insn_fd.def"
#undef RV_INSN
#undef RVC_INSN

} // namespace hvemu::rv
