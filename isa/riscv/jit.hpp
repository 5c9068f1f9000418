// The block compiler: straight runs of RV64I/M instructions on one decoded
// page become x86-64 host code that a slot runs in place of its threaded
// entry (same signature, same contract: dispatch.hpp).
//
// A block is exactly what the threaded dispatch would do, instruction for
// instruction: the same register results, the same budget charged at each
// of its exits, the same chain stops. It runs only when the chain's budget
// covers every instruction before its last, so it never has to stop inside;
// otherwise, and whenever an instruction needs more than its common path
// (a load or store that misses the software TLB, a trap), the block leaves
// to the interpreter's entry of that instruction with the budget charged up
// to it. Conditional branches are side exits; a block ends at a jump, at an
// instruction it does not compile (the interpreter continues there) or at
// the end of the page. Guest registers stay in the hart (no allocation
// across instructions).
//
// Compiled code belongs to the decoded page it was compiled from: it is
// reached only through that page's slots and jumps only to that page's
// slots, so it dies with the page. Memory comes from one arena per hart,
// emptied (with every decoded page) at a safe point when nearly full.
#pragma once
#include <cstdint>

#include "isa/common/exec_arena.hpp"
#include "isa/common/x64_asm.hpp"
#include "isa/riscv/insn.hpp"

namespace hvemu::rv {

class Hart;
struct DecodedPage;

class BlockCompiler {
public:
    static constexpr unsigned kMaxInsns = 64;

    explicit BlockCompiler(const Hart& h);
    // Whether this host can run generated code (x86-64, executable memory).
    bool usable() const { return usable_; }

    // Compile the block starting at `head` (already decoded), executed at
    // virtual address pc; nullptr when its first instruction is not one
    // the compiler knows or the arena is full. Decodes the slots it reads
    // ahead, and marks same-page branch targets as heads (op_jit_head).
    ExecFn compile(DecodedPage& page, Insn& head, uint64_t pc);

    bool nearly_full() const { return arena_.used() + kReserve > arena_.capacity(); }
    void reset() { arena_.reset(); }
    uint64_t blocks_compiled() const { return blocks_; }
    uint64_t insns_compiled() const { return insns_; }

private:
    static constexpr size_t kArenaBytes = size_t{32} << 20;
    static constexpr size_t kReserve = size_t{256} << 10;

    const Hart& h_;
    isa::ExecArena arena_;
    isa::x64::Asm asm_;
    bool usable_ = false;
    // Byte offsets of the hart's fields the code touches.
    int32_t x_off_ = 0, chain_left_off_ = 0, data_ctx_off_ = 0, tlb_r_off_ = 0, tlb_w_off_ = 0;
    uint64_t blocks_ = 0, insns_ = 0;

    friend class BlockEmitter;
};

// Whether decoded instruction `slot` is one the block compiler translates.
bool jit_translates(const Insn& slot);

} // namespace hvemu::rv
