// Decoding the guest instruction behind an EPT violation on a device page:
// the MOV forms compilers emit for device registers (store of a register or
// an immediate, load, MOVZX/MOVSX/MOVSXD, the moffs forms) plus the
// read-modify-write forms a driver may use (OR/AND/XOR with an immediate or
// a register, XCHG). Lengths, prefixes, REX and ModRM come from the core's
// own decoder (isa/x86 decode()); which forms are MMIO-capable is the table
// in mmio_decode.cpp, one line per form.
#pragma once
#include <cstdint>
#include <optional>

#include "isa/x86/insn.hpp"

namespace hvemu::vcpu::x86 {

enum class MmioOp : uint8_t {
    Store,      // r/m <- reg
    StoreImm,   // r/m <- imm
    Load,       // reg <- r/m
    LoadZx,     // reg <- zero-extended r/m
    LoadSx,     // reg <- sign-extended r/m
    Xchg,       // r/m <-> reg: read, then write
    Alu,        // an ALU operation with a memory operand (alu, dest)
};
enum class AluOp : uint8_t { Add, Or, And, Sub, Xor, Cmp, Test };
// Where an ALU result goes: memory (read, then write: OR [m], r), the
// register (AND r, [m]), or nowhere (CMP, TEST: flags only).
enum class AluDest : uint8_t { Mem, Reg, None };

struct MmioInsn {
    MmioOp op = MmioOp::Load;
    AluOp alu = AluOp::Add;
    AluDest dest = AluDest::Mem;
    bool mem_left = true;      // the memory operand is the left one (SUB/CMP: mem - src)
    unsigned len = 0;          // instruction length
    unsigned width = 0;        // memory access bytes
    unsigned dest_bytes = 0;   // register operand bytes (loads: what is written)
    unsigned reg = 0;          // GPR 0-15 (AH..BH: 0-3 with high_byte)
    bool high_byte = false;    // AH, CH, DH, BH
    bool src_imm = false;      // the other operand is `imm` (StoreImm and the immediate ALU forms)
    uint64_t imm = 0;          // masked to `width`
    // A read whose result goes back to memory: the write comes at the next run().
    bool rmw() const { return op == MmioOp::Xchg || (op == MmioOp::Alu && dest == AluDest::Mem); }
};

// The ALU semantics the vCPU applies: result and RFLAGS status bits (CF,
// PF, AF, ZF, SF, OF) of `a op b` at `bytes` wide.
struct AluResult { uint64_t value; uint64_t flags; };
AluResult alu_apply(AluOp op, uint64_t a, uint64_t b, unsigned bytes);

// `bytes` (up to 15 readable: `avail`) decoded in `mode`; nullopt for an
// instruction that is not one of the forms above or has no memory operand.
std::optional<MmioInsn> decode_mmio(const uint8_t* bytes, unsigned avail, hvemu::x86::Mode mode);

} // namespace hvemu::vcpu::x86
