// The predecoded x86 instruction record and the instruction table types.
// Every opcode form the core knows is one line in an insn_*.def table (see
// insn_tables.def for the line format); the decoder, the length check
// against Capstone and the tests are driven by them.
#pragma once
#include <cstdint>

namespace hvemu::x86 {

class Core;
struct Insn;
// A handler executes one instruction at `rip` and returns the rip of the
// next one (rip + i.len, a branch target, or the handler of an exception
// that was raised: what raise() returns).
using Handler = uint64_t (*)(Core&, const Insn&, uint64_t rip);

// The mode an instruction was decoded in: default operand and address size
// (CS.D, or 64-bit code in IA-32e mode). Part of the predecode key.
enum class Mode : uint8_t { Bits16 = 0, Bits32 = 1, Bits64 = 2 };

// Operand and address sizes are log2 of the byte count: 0 = 8 bits,
// 1 = 16, 2 = 32, 3 = 64, 4 = 128.
constexpr uint8_t kSz8 = 0, kSz16 = 1, kSz32 = 2, kSz64 = 3, kSz128 = 4;

// Register numbers in Insn: 0-15 are RAX..R15 (gpr[] order). As byte
// operands without a REX prefix 4-7 are AH, CH, DH, BH (byte_reg() in
// exec.hpp maps them). kNoReg: no base / no index; kRip: RIP-relative
// (the base is the address of the next instruction).
constexpr uint8_t kNoReg = 0xff;
constexpr uint8_t kRip = 0xfe;

// Insn::flags
namespace iflag {
constexpr uint8_t Mem = 1u << 0;     // the ModRM r/m operand is memory (base/index/scale/disp/seg)
constexpr uint8_t Lock = 1u << 1;    // LOCK prefix
constexpr uint8_t Rep = 1u << 2;     // F3 (REP / REPE)
constexpr uint8_t Repne = 1u << 3;   // F2 (REPNE)
constexpr uint8_t Rex = 1u << 4;     // a REX prefix was present
constexpr uint8_t SegOvr = 1u << 5;  // a segment override prefix was present
constexpr uint8_t ModeShift = 6;     // bits 7:6: the Mode decoded in
} // namespace iflag

// One decoded instruction; 32 bytes, kept in per-page arrays.
//   reg    ModRM.reg (+REX.R), or the register of an opcode+r form (+REX.B)
//   rm     ModRM.rm (+REX.B) when the operand is a register; for memory
//          operands `base` (kNoReg, kRip or a register)
//   imm    the immediate (sign-extended where the form says), a branch
//          displacement, a moffs address, or imm16 of ENTER/far pointers
//   disp   the displacement; ENTER: its imm8; far pointer: the selector
struct Insn {
    Mode mode() const { return static_cast<Mode>(flags >> iflag::ModeShift); }
    Handler fn;
    int64_t imm;
    int32_t disp;
    uint16_t id;        // index into the instruction table (kInvalidId: #UD)
    uint8_t len;        // bytes, 1-15
    uint8_t opsz;       // operand size (log2 bytes)
    uint8_t adsz;       // address size (log2 bytes)
    uint8_t reg;
    uint8_t rm;         // register operand, or the memory base
    uint8_t index;      // SIB index (kNoReg: none)
    uint8_t scale;      // SIB scale (shift 0-3)
    uint8_t seg;        // effective segment of the memory operand (SegReg)
    uint8_t flags;      // iflag::*, and the Mode in bits 7:6
    uint8_t cc;         // condition (Jcc, SETcc, CMOVcc: the low opcode nibble)
};
static_assert(sizeof(Insn) == 32);

constexpr uint16_t kInvalidId = 0xFFFF;

// Table line fields (insn_tables.def explains them).
enum class Map : uint8_t { M1 = 0, M0F = 1, M0F38 = 2, M0F3A = 3 };
enum class Pfx : uint8_t { Any, NP, P66, PF3, PF2 };
enum class ModKind : uint8_t { None, Any, Mem, Reg };
enum class Imm : uint8_t { None, Ib, Ibs, Iw, Iz, Iv, Jb, Jz, Moffs, Ap, IwIb };

// Form flags (InsnDesc::flags).
namespace fflag {
constexpr uint16_t B = 1u << 0;      // byte operation (operand size 8)
constexpr uint16_t D64 = 1u << 1;    // 64-bit mode: operand size 64 by default (66 gives 16)
constexpr uint16_t F64 = 1u << 2;    // 64-bit mode: operand size always 64
constexpr uint16_t I64 = 1u << 3;    // invalid (#UD) in 64-bit mode
constexpr uint16_t O64 = 1u << 4;    // valid only in 64-bit mode
constexpr uint16_t Lk = 1u << 5;     // LOCK allowed (with a memory destination)
constexpr uint16_t R = 1u << 6;      // the low 3 opcode bits name a register (opcode+r)
constexpr uint16_t W16 = 1u << 7;    // operand size always 16 (segment moves, ...)
constexpr uint16_t NoRexW = 1u << 8; // operand size from 66 only (REX.W ignored)
constexpr uint16_t S128 = 1u << 9;   // SSE: operand size 128
constexpr uint16_t S32 = 1u << 10;   // operand size always 32
constexpr uint16_t Cc = 1u << 11;    // the low 4 opcode bits are a condition (Insn::cc)
} // namespace fflag

struct InsnDesc {
    const char* name;    // mnemonic
    Map map;
    uint8_t opcode;
    Pfx pfx;
    int8_t reg;          // ModRM.reg /digit (-1: any)
    int8_t rm;           // ModRM.rm with mod = 3 (-1: any)
    ModKind mod;
    Imm imm;
    uint16_t flags;      // fflag::*
    Handler fn;
};

// The instruction table, in definition order (insn_*.def).
const InsnDesc* insn_table();
unsigned insn_table_size();

// Decode the instruction at `bytes` (`avail` bytes readable, at most 15
// used) in `mode`. Returns false when more bytes are needed than `avail`
// (the caller fetches across the page and retries). Undefined encodings
// decode to the #UD handler with id == kInvalidId; an instruction longer
// than 15 bytes decodes to #GP(0). Never fails otherwise.
bool decode(const uint8_t* bytes, unsigned avail, Mode mode, Insn& out);

// Handlers are declared from the instruction tables:
//     X86_OP(add_rm_r) { ...; return NEXT; }
#define X86_OP(id) uint64_t op_##id([[maybe_unused]] Core& c, [[maybe_unused]] const Insn& i, [[maybe_unused]] uint64_t rip)
#undef NEXT   // another architecture's handler macro, in a file that includes both
#define NEXT (rip + i.len)
#define X86_INSN(id, ...) uint64_t op_##id(Core&, const Insn&, uint64_t);
#include "isa/x86/insn_tables.def"
#undef X86_INSN
uint64_t op_undefined(Core&, const Insn&, uint64_t rip);   // #UD
uint64_t op_too_long(Core&, const Insn&, uint64_t rip);    // #GP(0): over 15 bytes
uint64_t op_decode_slot(Core&, const Insn&, uint64_t rip); // decodes the slot, then runs it

} // namespace hvemu::x86
