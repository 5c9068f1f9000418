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
// Per-instruction accounting (the count, and any per-slot cycle cost a
// timing model adds) belongs in next_seq/next_at/chain_stop and the chain's
// arguments, not in Hart::run(), which only sees whole chains.
// Included by hart.hpp.
#pragma once

namespace hvemu::rv {

// The longest chain Hart::run() starts: where the compiler does not make
// the calls jumps (unoptimized builds), each instruction is a stack frame.
#ifdef __OPTIMIZE__
inline constexpr uint64_t kChainMax = 1024;
#else
inline constexpr uint64_t kChainMax = 64;
#endif

inline uint64_t chain_stop(Hart& h, uint64_t next_pc, uint64_t left) {
    h.chain_left = left;
    return next_pc;
}

// After an instruction of length L that falls through. The slot after a
// page's last one is op_page_end, so no page test is needed.
template <unsigned L>
[[gnu::always_inline]] inline uint64_t next_seq(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    if (HV_UNLIKELY(left == 1)) return chain_stop(h, pc + L, 0);
    const Insn& n = (&i)[L / 2];
    return n.fn(h, n, pc + L, left - 1);
}

// After an instruction that continues at `next` (even): the slot is found
// relative to this one while it stays on the page.
[[gnu::always_inline]] inline uint64_t next_at(Hart& h, const Insn& i, uint64_t pc, uint64_t next, uint64_t left) {
    if (HV_UNLIKELY(left == 1 || ((next ^ pc) >> 12) != 0)) return chain_stop(h, next, left - 1);
    // One slot per 2 bytes: the byte distance between slots is (next - pc) *
    // sizeof(Insn) / 2 (next - pc is even).
    const Insn& n = *reinterpret_cast<const Insn*>(reinterpret_cast<const char*>(&i) +
                                                   static_cast<int64_t>(next - pc) * int64_t{sizeof(Insn) / 2});
    return n.fn(h, n, next, left - 1);
}

// A handler that may trap, read counters, reach devices or change what the
// next instruction is: publish the state it may look at, run it, and leave
// the chain when it ended the block (or trapped: a trap always does).
template <Handler F> uint64_t exec_plain(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    h.publish(pc, &i, left);
    const uint64_t next = F(h, i, pc);
    if (HV_UNLIKELY(h.block_ended() || (next & 1))) return chain_stop(h, next, left - 1);
    return next_at(h, i, pc, next, left);
}

// The same, out of line: the rare path of a handler whose common path is
// inline, so that path needs no stack frame.
template <Handler F> [[gnu::noinline]] uint64_t exec_slow(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    return exec_plain<F>(h, i, pc, left);
}

// Every instruction outside RV64I/M runs through exec_plain.
#define RV_INSN(id, ...)                                                                    \
    template <unsigned L> uint64_t xop_##id(Hart& h, const Insn& i, uint64_t pc, uint64_t left) { \
        return exec_plain<&op_##id<L>>(h, i, pc, left);                                     \
    }
#define RVC_INSN(id, ...)
#include "isa/riscv/insn_system.def"
#include "isa/riscv/insn_amo.def"
#include "isa/riscv/insn_fd.def"
#undef RV_INSN
#undef RVC_INSN

} // namespace hvemu::rv
