// The predecoded A64 instruction record and the instruction table types.
// Every encoding the PE knows is one line in an insn_*.def table; the
// decoder, the Capstone cross-check and the tests are driven by them.
#pragma once
#include <cstdint>

namespace hvemu::arm {

class Pe;
struct Insn;
// A handler executes one instruction at `pc` and returns the address of
// the next one (pc + 4, a branch target, or an exception vector).
using Handler = uint64_t (*)(Pe&, const Insn&, uint64_t pc);

// Register indices in Insn: 0-30 are X0-X30; kZr reads as zero; kSink
// swallows writes to XZR; kSp is the current stack pointer. The decoder
// maps encoding register 31 to kZr/kSink or kSp as the encoding says.
constexpr uint8_t kZr = 31;
constexpr uint8_t kSink = 32;
constexpr uint8_t kSp = 33;

// Cost class for the cycle model.
enum class Cls : uint8_t {
    Alu, Mul, Div, Load, Store, BranchCond, Branch, System, Barrier, Fp, FpLoad, FpStore, Atomic,
};

// One decoded instruction; 32 bytes, kept in per-page arrays. The meaning
// of the small fields depends on the encoding's format (see decoder.cpp).
struct Insn {
    Handler fn;
    int64_t imm;       // immediate / offset / branch displacement / sysreg encoding
    uint32_t raw;      // the encoding as fetched
    uint16_t id;       // index into the instruction table (kInvalidId: unallocated)
    uint8_t rd;        // destination (or Rt)
    uint8_t rn;        // first source / base
    uint8_t rm;        // second source / index
    uint8_t ra;        // third source (Ra of madd) or Rt2 of pairs
    uint8_t shift;     // shift type / extend option
    uint8_t amount;    // shift or extend amount, bit position, ...
    uint8_t cond;      // condition code, or flags for the format
    uint8_t size;      // access size log2, or sf (0: W, 1: X)
    uint16_t aux;      // format-specific (immr/imms of bitfield moves, ...)
};
static_assert(sizeof(Insn) == 32);

constexpr uint16_t kInvalidId = 0xFFFF;

struct InsnDesc {
    const char* name;    // mnemonic as the Arm ARM's encoding index spells it
    uint32_t match;
    uint32_t mask;
    uint8_t fmt;         // operand extraction format (decoder.cpp)
    Cls cls;
    Handler fn;
};

// The instruction table, in definition order (insn_*.def).
const InsnDesc* insn_table();
unsigned insn_table_size();

// Decode one encoding. Unallocated encodings decode to the undefined-
// instruction handler with id == kInvalidId. Never fails.
Insn decode(uint32_t raw);

} // namespace hvemu::arm
