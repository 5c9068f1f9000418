#include "vcpu/x86/mmio_decode.hpp"

#include "isa/x86/core.hpp"

namespace hvemu::vcpu::x86 {

namespace {

namespace hx = hvemu::x86;
using hx::Map;

// Operand shapes of the forms (Intel SDM Vol. 2 opcode notation).
enum class Src : uint8_t { Reg, Imm, None };
struct Form {
    Map map;
    uint8_t opcode;
    int8_t digit;       // ModRM.reg /digit, -1: /r
    MmioOp op;
    AluOp alu;
    AluDest dest;
    bool mem_left;
    Src src;
    uint8_t mem_bytes;  // 0: the operand size; else fixed (byte forms 1, MOVZX r,r/m16 2, ...)
};

constexpr AluOp A = AluOp::Add;   // placeholder for the non-ALU lines
constexpr AluDest M = AluDest::Mem, R = AluDest::Reg, N = AluDest::None;

// One line per encoding.
constexpr Form kForms[] = {
    {Map::M1, 0x88, -1, MmioOp::Store, A, M, true, Src::Reg, 1},          // MOV r/m8, r8
    {Map::M1, 0x89, -1, MmioOp::Store, A, M, true, Src::Reg, 0},          // MOV r/m, r
    {Map::M1, 0x8a, -1, MmioOp::Load, A, R, false, Src::None, 1},         // MOV r8, r/m8
    {Map::M1, 0x8b, -1, MmioOp::Load, A, R, false, Src::None, 0},         // MOV r, r/m
    {Map::M1, 0xa0, -1, MmioOp::Load, A, R, false, Src::None, 1},         // MOV AL, moffs8
    {Map::M1, 0xa1, -1, MmioOp::Load, A, R, false, Src::None, 0},         // MOV eAX, moffs
    {Map::M1, 0xa2, -1, MmioOp::Store, A, M, true, Src::Reg, 1},          // MOV moffs8, AL
    {Map::M1, 0xa3, -1, MmioOp::Store, A, M, true, Src::Reg, 0},          // MOV moffs, eAX
    {Map::M1, 0xc6, 0, MmioOp::StoreImm, A, M, true, Src::Imm, 1},        // MOV r/m8, imm8
    {Map::M1, 0xc7, 0, MmioOp::StoreImm, A, M, true, Src::Imm, 0},        // MOV r/m, imm32
    {Map::M0F, 0xb6, -1, MmioOp::LoadZx, A, R, false, Src::None, 1},      // MOVZX r, r/m8
    {Map::M0F, 0xb7, -1, MmioOp::LoadZx, A, R, false, Src::None, 2},      // MOVZX r, r/m16
    {Map::M0F, 0xbe, -1, MmioOp::LoadSx, A, R, false, Src::None, 1},      // MOVSX r, r/m8
    {Map::M0F, 0xbf, -1, MmioOp::LoadSx, A, R, false, Src::None, 2},      // MOVSX r, r/m16
    {Map::M1, 0x63, -1, MmioOp::LoadSx, A, R, false, Src::None, 4},       // MOVSXD r64, r/m32
    {Map::M1, 0x86, -1, MmioOp::Xchg, A, M, true, Src::Reg, 1},           // XCHG r/m8, r8
    {Map::M1, 0x87, -1, MmioOp::Xchg, A, M, true, Src::Reg, 0},           // XCHG r/m, r
    // op r/m, r: the result to memory (CMP, TEST: flags only)
    {Map::M1, 0x00, -1, MmioOp::Alu, AluOp::Add, M, true, Src::Reg, 1},  // ADD r/m8, r8
    {Map::M1, 0x01, -1, MmioOp::Alu, AluOp::Add, M, true, Src::Reg, 0},  // ADD r/m, r
    {Map::M1, 0x08, -1, MmioOp::Alu, AluOp::Or, M, true, Src::Reg, 1},   // OR r/m8, r8
    {Map::M1, 0x09, -1, MmioOp::Alu, AluOp::Or, M, true, Src::Reg, 0},   // OR r/m, r
    {Map::M1, 0x20, -1, MmioOp::Alu, AluOp::And, M, true, Src::Reg, 1},  // AND r/m8, r8
    {Map::M1, 0x21, -1, MmioOp::Alu, AluOp::And, M, true, Src::Reg, 0},  // AND r/m, r
    {Map::M1, 0x28, -1, MmioOp::Alu, AluOp::Sub, M, true, Src::Reg, 1},  // SUB r/m8, r8
    {Map::M1, 0x29, -1, MmioOp::Alu, AluOp::Sub, M, true, Src::Reg, 0},  // SUB r/m, r
    {Map::M1, 0x30, -1, MmioOp::Alu, AluOp::Xor, M, true, Src::Reg, 1},  // XOR r/m8, r8
    {Map::M1, 0x31, -1, MmioOp::Alu, AluOp::Xor, M, true, Src::Reg, 0},  // XOR r/m, r
    {Map::M1, 0x38, -1, MmioOp::Alu, AluOp::Cmp, N, true, Src::Reg, 1},  // CMP r/m8, r8
    {Map::M1, 0x39, -1, MmioOp::Alu, AluOp::Cmp, N, true, Src::Reg, 0},  // CMP r/m, r
    {Map::M1, 0x84, -1, MmioOp::Alu, AluOp::Test, N, true, Src::Reg, 1}, // TEST r/m8, r8
    {Map::M1, 0x85, -1, MmioOp::Alu, AluOp::Test, N, true, Src::Reg, 0}, // TEST r/m, r
    // op r, r/m: the result to the register
    {Map::M1, 0x02, -1, MmioOp::Alu, AluOp::Add, R, false, Src::Reg, 1}, // ADD r8, r/m8
    {Map::M1, 0x03, -1, MmioOp::Alu, AluOp::Add, R, false, Src::Reg, 0}, // ADD r, r/m
    {Map::M1, 0x0a, -1, MmioOp::Alu, AluOp::Or, R, false, Src::Reg, 1},  // OR r8, r/m8
    {Map::M1, 0x0b, -1, MmioOp::Alu, AluOp::Or, R, false, Src::Reg, 0},  // OR r, r/m
    {Map::M1, 0x22, -1, MmioOp::Alu, AluOp::And, R, false, Src::Reg, 1}, // AND r8, r/m8
    {Map::M1, 0x23, -1, MmioOp::Alu, AluOp::And, R, false, Src::Reg, 0}, // AND r, r/m
    {Map::M1, 0x2a, -1, MmioOp::Alu, AluOp::Sub, R, false, Src::Reg, 1}, // SUB r8, r/m8
    {Map::M1, 0x2b, -1, MmioOp::Alu, AluOp::Sub, R, false, Src::Reg, 0}, // SUB r, r/m
    {Map::M1, 0x32, -1, MmioOp::Alu, AluOp::Xor, R, false, Src::Reg, 1}, // XOR r8, r/m8
    {Map::M1, 0x33, -1, MmioOp::Alu, AluOp::Xor, R, false, Src::Reg, 0}, // XOR r, r/m
    {Map::M1, 0x3a, -1, MmioOp::Alu, AluOp::Cmp, N, false, Src::Reg, 1}, // CMP r8, r/m8
    {Map::M1, 0x3b, -1, MmioOp::Alu, AluOp::Cmp, N, false, Src::Reg, 0}, // CMP r, r/m
    // op r/m, imm (group 1, group 3 TEST)
    {Map::M1, 0x80, 0, MmioOp::Alu, AluOp::Add, M, true, Src::Imm, 1},   // ADD r/m8, imm8
    {Map::M1, 0x81, 0, MmioOp::Alu, AluOp::Add, M, true, Src::Imm, 0},   // ADD r/m, imm32
    {Map::M1, 0x83, 0, MmioOp::Alu, AluOp::Add, M, true, Src::Imm, 0},   // ADD r/m, imm8
    {Map::M1, 0x80, 1, MmioOp::Alu, AluOp::Or, M, true, Src::Imm, 1},    // OR r/m8, imm8
    {Map::M1, 0x81, 1, MmioOp::Alu, AluOp::Or, M, true, Src::Imm, 0},    // OR r/m, imm32
    {Map::M1, 0x83, 1, MmioOp::Alu, AluOp::Or, M, true, Src::Imm, 0},    // OR r/m, imm8
    {Map::M1, 0x80, 4, MmioOp::Alu, AluOp::And, M, true, Src::Imm, 1},   // AND r/m8, imm8
    {Map::M1, 0x81, 4, MmioOp::Alu, AluOp::And, M, true, Src::Imm, 0},   // AND r/m, imm32
    {Map::M1, 0x83, 4, MmioOp::Alu, AluOp::And, M, true, Src::Imm, 0},   // AND r/m, imm8
    {Map::M1, 0x80, 5, MmioOp::Alu, AluOp::Sub, M, true, Src::Imm, 1},   // SUB r/m8, imm8
    {Map::M1, 0x81, 5, MmioOp::Alu, AluOp::Sub, M, true, Src::Imm, 0},   // SUB r/m, imm32
    {Map::M1, 0x83, 5, MmioOp::Alu, AluOp::Sub, M, true, Src::Imm, 0},   // SUB r/m, imm8
    {Map::M1, 0x80, 6, MmioOp::Alu, AluOp::Xor, M, true, Src::Imm, 1},   // XOR r/m8, imm8
    {Map::M1, 0x81, 6, MmioOp::Alu, AluOp::Xor, M, true, Src::Imm, 0},   // XOR r/m, imm32
    {Map::M1, 0x83, 6, MmioOp::Alu, AluOp::Xor, M, true, Src::Imm, 0},   // XOR r/m, imm8
    {Map::M1, 0x80, 7, MmioOp::Alu, AluOp::Cmp, N, true, Src::Imm, 1},   // CMP r/m8, imm8
    {Map::M1, 0x81, 7, MmioOp::Alu, AluOp::Cmp, N, true, Src::Imm, 0},   // CMP r/m, imm32
    {Map::M1, 0x83, 7, MmioOp::Alu, AluOp::Cmp, N, true, Src::Imm, 0},   // CMP r/m, imm8
    {Map::M1, 0xf6, 0, MmioOp::Alu, AluOp::Test, N, true, Src::Imm, 1},  // TEST r/m8, imm8
    {Map::M1, 0xf7, 0, MmioOp::Alu, AluOp::Test, N, true, Src::Imm, 0},  // TEST r/m, imm32
};

uint64_t mask_of(unsigned bytes) { return bytes >= 8 ? ~0ull : (uint64_t{1} << (8 * bytes)) - 1; }

} // namespace

std::optional<MmioInsn> decode_mmio(const uint8_t* bytes, unsigned avail, hvemu::x86::Mode mode) {
    namespace hx = hvemu::x86;
    hx::Insn i{};
    if (!hx::decode(bytes, avail, mode, i) || i.id == hx::kInvalidId || i.id >= hx::insn_table_size()) return std::nullopt;
    const hx::InsnDesc& d = hx::insn_table()[i.id];
    // The moffs forms have no ModRM; the others must address memory.
    const bool moffs = d.map == Map::M1 && d.opcode >= 0xa0 && d.opcode <= 0xa3;
    if (!moffs && !(i.flags & hx::iflag::Mem)) return std::nullopt;
    for (const Form& f : kForms) {
        if (f.map != d.map || f.opcode != d.opcode) continue;
        if (f.digit >= 0 && (i.reg & 7) != f.digit) continue;   // the /digit of a group
        const unsigned opbytes = 1u << i.opsz;
        MmioInsn m;
        m.op = f.op;
        m.alu = f.alu;
        m.dest = f.dest;
        m.mem_left = f.mem_left;
        m.len = i.len;
        m.width = f.mem_bytes ? f.mem_bytes : opbytes;
        m.dest_bytes = (f.op == MmioOp::LoadZx || f.op == MmioOp::LoadSx) ? opbytes : m.width;
        m.reg = moffs ? 0 : i.reg;
        // Byte registers 4-7 without REX are AH, CH, DH, BH.
        if (m.dest_bytes == 1 && !(i.flags & hx::iflag::Rex) && m.reg >= 4 && m.reg < 8) {
            m.reg -= 4;
            m.high_byte = true;
        }
        m.src_imm = f.src == Src::Imm;
        if (m.src_imm) m.imm = static_cast<uint64_t>(i.imm) & mask_of(m.width);
        return m;
    }
    return std::nullopt;
}

AluResult alu_apply(AluOp op, uint64_t a, uint64_t b, unsigned bytes) {
    using namespace hvemu::x86::rflags;
    const uint64_t mask = mask_of(bytes);
    const unsigned msb = 8 * bytes - 1;
    a &= mask;
    b &= mask;
    uint64_t r = 0, f = 0;
    switch (op) {
    case AluOp::Add:
        r = (a + b) & mask;
        if (r < a) f |= CF;
        if ((((a ^ r) & (b ^ r)) >> msb) & 1) f |= OF;
        if ((a ^ b ^ r) & 0x10) f |= AF;
        break;
    case AluOp::Sub:
    case AluOp::Cmp:
        r = (a - b) & mask;
        if (a < b) f |= CF;
        if ((((a ^ b) & (a ^ r)) >> msb) & 1) f |= OF;
        if ((a ^ b ^ r) & 0x10) f |= AF;
        break;
    case AluOp::Or: r = a | b; break;
    case AluOp::Xor: r = a ^ b; break;
    case AluOp::And:
    case AluOp::Test: r = a & b; break;
    }
    if (r == 0) f |= ZF;
    if ((r >> msb) & 1) f |= SF;
    if (!(__builtin_popcount(static_cast<unsigned>(r & 0xff)) & 1)) f |= PF;
    return {r, f};
}

} // namespace hvemu::vcpu::x86
