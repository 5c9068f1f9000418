// The predecoded instruction record and the instruction table types.
// Every encoding the hart knows is one line in an insn_*.def table; the
// decoder, the disassembler and the tests are driven by those tables.
#pragma once
#include <cstdint>

namespace hvemu::rv {

class Hart;
struct Insn;
// A handler executes one instruction at `pc` and returns the address of
// the next one (the instruction's semantics, as the tables name them).
using Handler = uint64_t (*)(Hart&, const Insn&, uint64_t pc);
// What a decoded slot runs: the instruction at `pc` and then, by tail
// calls from slot to slot, those after it while they stay on the page,
// until the chain's budget `left` (cycles and instructions packed; this
// instruction may run when it is >= 0) is spent or the block ends
// (dispatch.hpp). Returns the pc to continue at.
using ExecFn = uint64_t (*)(Hart&, const Insn&, uint64_t pc, uint64_t left);

// Operand layout of an encoding: how the decoder extracts fields and how
// the disassembler prints them.
enum class Fmt : uint8_t {
    R,        // rd, rs1, rs2
    R4,       // rd, rs1, rs2, rs3, rm            (fmadd...)
    R_RM,     // rd, rs1, rs2, rm                 (fadd...)
    R1,       // rd, rs1                          (fmv.x.w, fclass, hlv...)
    R1_RM,    // rd, rs1, rm                      (fsqrt, fcvt...)
    R2,       // rs1, rs2 (no rd)                 (sfence.vma, hfence.*, hsv.*)
    I,        // rd, rs1, imm12                   (addi, jalr)
    I_SH,     // rd, rs1, shamt                   (slli, srliw...)
    LOAD,     // rd, imm12(rs1)                   (lw, flw)
    STORE,    // rs2, imm12(rs1)                  (sw, fsw)
    B,        // rs1, rs2, pc + imm13
    U,        // rd, imm20 << 12
    J,        // rd, pc + imm21
    CSR,      // rd, csr, rs1                     (imm = csr number)
    CSRI,     // rd, csr, uimm5                   (imm = csr number, rs1 = uimm)
    AMO,      // rd, rs2, (rs1), aq/rl in rm
    LR,       // rd, (rs1)
    FENCE,    // pred, succ                       (imm = bits 27:20)
    NONE,     // no operands                      (ecall, mret, wfi...)
    // Compressed encodings: fields are extracted per format and expanded
    // into the base instruction's operands.
    CR_MV, CR_ADD, CR_JR, CR_JALR, CR_EBREAK,
    CI, CI_LI, CI_LUI, CI_ADDI16SP, CI_SLLI, CI_LWSP, CI_LDSP, CI_FLDSP,
    CSS_SWSP, CSS_SDSP, CSS_FSDSP,
    CIW, CL_W, CL_D, CS_W, CS_D, CA, CB_BR, CB_SH, CB_ANDI, CJ, C_NOP,
};

// Cost class for the cycle model.
enum class Cls : uint8_t {
    Alu, Mul, Div, Load, Store, Branch, Jump, Csr, Fence, System, Fp, FpDiv, FpLoad, FpStore, Amo,
};

struct InsnDesc {
    const char* name;    // mnemonic as the specification spells it
    uint32_t match;
    uint32_t mask;
    Fmt fmt;
    const char* regs;    // register files of rd, rs1, rs2, rs3: 'x', 'f' or '-'
    Cls cls;
    ExecFn fn;             // what a decoded slot runs (Insn::fn) under unit costs
    ExecFn tfn;            // the same, charging each slot's cycles (a profile with class costs)
    uint8_t len;         // 2 or 4
    Handler op;          // the semantics alone: one instruction, no dispatch
};

// One decoded instruction; 32 bytes, kept in per-page arrays.
struct Insn {
    ExecFn fn;
    int64_t imm;
    uint32_t raw;     // the encoding as fetched (16 or 32 bits)
    uint16_t id;      // index into the instruction table (kInvalidId: illegal)
    uint8_t rd;       // integer rd == 0 is redirected to the sink register 32
    uint8_t rs1;
    uint8_t rs2;
    uint8_t rs3;
    uint8_t rm;       // funct3 (rounding mode, aq/rl for AMOs)
    uint8_t len;      // 2 or 4
    uint32_t step;    // what running it takes from the chain's budget (dispatch.hpp); set by the hart
};
static_assert(sizeof(Insn) == 32);

constexpr uint16_t kInvalidId = 0xFFFF;
// A decoded slot holding a 32-bit instruction whose upper half lies on the
// next page (op_cross_page: it is fetched again at every execution).
constexpr uint16_t kCrossPageId = 0xFFFE;
constexpr uint8_t kSinkReg = 32;

// The instruction table, in definition order (insn_*.def).
const InsnDesc* insn_table();
unsigned insn_table_size();
// The 32-bit instruction a table entry executes as: itself, or for a
// compressed entry the base instruction it expands to.
uint16_t insn_base(uint16_t id);

// Decode one encoding (a 16-bit parcel when raw & 3 != 3). Unknown or
// reserved encodings decode to the illegal-instruction handler with
// id == kInvalidId. Never fails.
Insn decode(uint32_t raw);

} // namespace hvemu::rv
