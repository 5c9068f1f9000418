// Threaded dispatch: a decoded slot runs its instruction and then calls the
// next slot's entry as a tail call, so a straight or looping run of
// instructions on one code page costs no trip through Hart::run(): per
// instruction one count test and one indirect jump. A chain stops (returns
// the pc to continue at, with Hart::chain_left set) when its count is used
// up, when control leaves the page, or when a handler ended the block.
//
// Which entry a slot runs (the decoder's table):
//  - RV64I/M (exec_int.cpp): the handler inlined, then next_seq (it cannot
//    trap) or next_at (jumps, branches); loads and stores take the TLB hit
//    inline and the miss through exec_plain;
//  - everything else: exec_plain, which first publishes pc, the
//    instruction and the count, since such handlers may trap, read
//    counters or reach devices.
// Per-instruction accounting lives here and in the chain's arguments, not
// in Hart::run(), which only sees whole chains. `left` packs the chain's
// budget: cycles in the high bits, instructions counted down in the low
// kInsnBits, so one subtraction charges an instruction both (its step:
// (cycles << kInsnBits) + 1, fixed when the slot is decoded), and biased so
// the chain goes on while left >= 0: one sign test. Each entry comes in two
// instantiations: T = false for a profile where everything costs one cycle
// (the step is a constant, nothing else is charged), T = true for class
// costs (the slot's step, and a taken branch's redirect).
// Included by hart.hpp.
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

template <bool T> [[gnu::always_inline]] inline uint64_t step(const Insn& i) {
    if constexpr (T) return i.step;
    else return kUnitStep;
}

inline uint64_t chain_stop(Hart& h, uint64_t next_pc, uint64_t left) {
    h.chain_left = left;
    return next_pc;
}

// Continue at pc + L with `left` already charged for this instruction. The
// slot after a page's last one is op_page_end, so no page test is needed.
template <unsigned L>
[[gnu::always_inline]] inline uint64_t go_seq(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    if (HV_UNLIKELY(static_cast<int64_t>(left) < 0)) return chain_stop(h, pc + L, left);
    const Insn& n = (&i)[L / 2];
    return n.fn(h, n, pc + L, left);
}

// The slot of `next` (even) on the page of slot i at pc: one slot per 2
// bytes, so the byte distance between slots is (next - pc) * sizeof(Insn) / 2.
[[gnu::always_inline]] inline const Insn& slot_at(const Insn& i, uint64_t pc, uint64_t next) {
    return *reinterpret_cast<const Insn*>(reinterpret_cast<const char*>(&i) +
                                          static_cast<int64_t>(next - pc) * int64_t{sizeof(Insn) / 2});
}

// go_at under I-side caches: the fetch at `next` pays them first. Out of
// line, so that go_at's own path needs no stack frame.
[[gnu::noinline]] inline uint64_t go_at_fetch(Hart& h, const Insn& i, uint64_t pc, uint64_t next, uint64_t left) {
    h.fetch_at(i, pc, next);
    const Insn& n = slot_at(i, pc, next);
    return n.fn(h, n, next, left);
}

// Continue at `next` (even), `left` already charged: the slot is found
// relative to this one while it stays on the page.
[[gnu::always_inline]] inline uint64_t go_at(Hart& h, const Insn& i, uint64_t pc, uint64_t next, uint64_t left) {
    if (HV_UNLIKELY(static_cast<int64_t>(left) < 0 || ((next ^ pc) >> 12) != 0))
        return chain_stop(h, next, left);
    if (HV_UNLIKELY(h.fetch_charged())) return go_at_fetch(h, i, pc, next, left);
    const Insn& n = slot_at(i, pc, next);
    return n.fn(h, n, next, left);
}

// After an instruction of length L that falls through.
template <unsigned L, bool T>
[[gnu::always_inline]] inline uint64_t next_seq(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    return go_seq<L>(h, i, pc, left - step<T>(i));
}

// After a jump: its step already holds the redirect (decoded as taken).
template <bool T>
[[gnu::always_inline]] inline uint64_t next_at(Hart& h, const Insn& i, uint64_t pc, uint64_t next, uint64_t left) {
    return go_at(h, i, pc, next, left - step<T>(i));
}

// After a taken conditional branch: its step is the not-taken cost, the
// redirect comes on top.
template <bool T>
[[gnu::always_inline]] inline uint64_t next_taken(Hart& h, const Insn& i, uint64_t pc, uint64_t next, uint64_t left) {
    if constexpr (T) left -= h.redirect_step();
    return go_at(h, i, pc, next, left - step<T>(i));
}

// A handler that may trap, read counters, reach devices or change what the
// next instruction is: publish the state it may look at (the count and
// cycles of the instructions before it), run it, charge it (and the
// redirect when it did not fall through: a trap, an xRET), and leave the
// chain when it ended the block (or trapped: a trap always does).
template <Handler F, unsigned L, bool T> uint64_t exec_plain(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    h.publish(pc, &i, left);
    left -= step<T>(i);
    const uint64_t next = F(h, i, pc);
    if constexpr (T) {
        if (next != pc + L) left -= h.redirect_step();
    }
    if (HV_UNLIKELY(h.block_ended() || (next & 1))) return chain_stop(h, next, left);
    return go_at(h, i, pc, next, left);
}

// The same, out of line: the rare path of a handler whose common path is
// inline, so that path needs no stack frame.
template <Handler F, unsigned L, bool T>
[[gnu::noinline]] uint64_t exec_slow(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    return exec_plain<F, L, T>(h, i, pc, left);
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
