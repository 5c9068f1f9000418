// A small x86-64 assembler for the block compilers: the few instruction
// forms they emit, encoded into a byte buffer, with forward labels. Memory
// operands are [base + disp] only (base never rsp/r12, so no SIB byte).
// Everything emitted is position independent: jumps inside a block are
// rel32, anything outside it is reached through an absolute address in a
// register, so a block is assembled here and then copied into executable
// memory.
#pragma once
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

namespace hvemu::isa::x64 {

enum Reg : uint8_t { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum Cond : uint8_t { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };
// The group-1 ALU operations, by their /digit and "op r/m, r" opcode.
enum Alu : uint8_t { ADD = 0, OR = 1, AND = 4, SUB = 5, XOR = 6, CMP = 7 };
enum Shift : uint8_t { SHL = 4, SHR = 5, SAR = 7 };
struct Mem {
    Reg base;
    int32_t disp;
};

// A register or memory operand (ModRM's r/m field).
struct Rm {
    Rm(Reg reg) : is_reg(true), r(reg), m{RAX, 0} {}   // NOLINT: operands convert implicitly
    Rm(Mem mem) : is_reg(false), r(RAX), m(mem) {}      // NOLINT
    bool is_reg;
    Reg r;
    Mem m;
    unsigned index() const { return is_reg ? r : m.base; }
};

class Asm {
public:
    struct Label {
        int pos = -1;
        std::vector<int> fixups;   // rel32 fields that jump here
    };

    std::vector<uint8_t> code;

    size_t size() const { return code.size(); }
    void clear() { code.clear(); }

    void bind(Label& l) {
        l.pos = static_cast<int>(code.size());
        for (int f : l.fixups) patch32(f, l.pos - (f + 4));
        l.fixups.clear();
    }

    // ---- moves (w: operand bytes; a 4-byte write to a register zero-extends)
    void mov(Reg d, Rm s, unsigned w = 8) { op(w == 8, {0x8b}, d, s); }
    void mov(Reg d, Reg s, unsigned w = 8) { mov(d, Rm(s), w); }
    void mov(Rm d, Reg s, unsigned w = 8) {
        if (w == 2) byte(0x66);
        op(w == 8, {static_cast<uint8_t>(w == 1 ? 0x88 : 0x89)}, s, d, w == 1);
    }
    void mov_imm(Reg d, uint64_t v) {
        if (v <= 0xffffffffu) {   // mov r32, imm32 zero-extends
            rex(false, 0, d, false);
            byte(static_cast<uint8_t>(0xb8 + (d & 7)));
            imm32(static_cast<uint32_t>(v));
        } else if (fits32(static_cast<int64_t>(v))) {
            mov_simm(d, static_cast<int32_t>(v));
        } else {
            rex(true, 0, d, false);
            byte(static_cast<uint8_t>(0xb8 + (d & 7)));
            imm64(v);
        }
    }
    void mov_simm(Rm d, int32_t v) {   // mov r/m64, simm32
        op(true, {0xc7}, RAX, d);
        imm32(static_cast<uint32_t>(v));
    }
    // Sign- or zero-extending loads into a 64-bit register (w = 1, 2, 4).
    void movsx(Reg d, Rm s, unsigned w) {
        if (w == 4) op(true, {0x63}, d, s);
        else op(true, {0x0f, static_cast<uint8_t>(w == 1 ? 0xbe : 0xbf)}, d, s);
    }
    void movzx(Reg d, Rm s, unsigned w) {
        if (w == 4) op(false, {0x8b}, d, s);
        else op(false, {0x0f, static_cast<uint8_t>(w == 1 ? 0xb6 : 0xb7)}, d, s, w == 1);
    }
    void lea(Reg d, Mem m) { op(true, {0x8d}, d, m); }
    void push(Reg r) {
        if (r & 8) byte(0x41);
        byte(static_cast<uint8_t>(0x50 + (r & 7)));
    }
    void pop(Reg r) {
        if (r & 8) byte(0x41);
        byte(static_cast<uint8_t>(0x58 + (r & 7)));
    }

    // ---- arithmetic (w = 8 or 4)
    void alu(Alu a, Reg d, Rm s, unsigned w = 8) { op(w == 8, {static_cast<uint8_t>(a * 8 + 3)}, d, s); }
    void alu(Alu a, Reg d, Reg s, unsigned w = 8) { alu(a, d, Rm(s), w); }
    void alu(Alu a, Rm d, int32_t v, unsigned w = 8) {
        const bool small = v >= -128 && v <= 127;
        op(w == 8, {static_cast<uint8_t>(small ? 0x83 : 0x81)}, static_cast<Reg>(a), d);
        if (small) byte(static_cast<uint8_t>(v));
        else imm32(static_cast<uint32_t>(v));
    }
    void test(Reg a, Rm b, unsigned w = 8) { op(w == 8, {0x85}, a, b); }
    void shift(Shift s, Rm d, uint8_t n, unsigned w = 8) {
        op(w == 8, {0xc1}, static_cast<Reg>(s), d);
        byte(n);
    }
    void shift_cl(Shift s, Rm d, unsigned w = 8) { op(w == 8, {0xd3}, static_cast<Reg>(s), d); }
    void imul(Reg d, Rm s, unsigned w = 8) { op(w == 8, {0x0f, 0xaf}, d, s); }
    void imul_imm(Reg d, Rm s, int8_t v) {
        op(true, {0x6b}, d, s);
        byte(static_cast<uint8_t>(v));
    }
    // rdx:rax = rax * s, unsigned (mul) or signed (imul).
    void mul(Rm s, bool is_signed) { op(true, {0xf7}, static_cast<Reg>(is_signed ? 5 : 4), s); }
    // rax, rdx = rdx:rax / s (quotient, remainder).
    void div(Rm s, bool is_signed, unsigned w) { op(w == 8, {0xf7}, static_cast<Reg>(is_signed ? 7 : 6), s); }
    void neg(Rm d, unsigned w = 8) { op(w == 8, {0xf7}, static_cast<Reg>(3), d); }
    void cqo() { byte(0x48), byte(0x99); }
    void cdq() { byte(0x99); }
    void setcc(Cond c, Reg d) { op(false, {0x0f, static_cast<uint8_t>(0x90 + c)}, RAX, d, true); }
    void movzx8(Reg d, Reg s) { op(false, {0x0f, 0xb6}, d, s, true); }   // movzx r32, r8
    void movsxd(Reg d, Rm s) { op(true, {0x63}, d, s); }

    // ---- control
    void jcc(Cond c, Label& l) {
        byte(0x0f), byte(static_cast<uint8_t>(0x80 + c));
        rel32(l);
    }
    void jmp(Label& l) {
        byte(0xe9);
        rel32(l);
    }
    void jmp(Rm target) { op(false, {0xff}, static_cast<Reg>(4), target); }   // jmp r/m64
    void ret() { byte(0xc3); }

private:
    static bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }
    void byte(uint8_t b) { code.push_back(b); }
    void imm32(uint32_t v) {
        for (int k = 0; k < 4; ++k) byte(static_cast<uint8_t>(v >> (8 * k)));
    }
    void imm64(uint64_t v) {
        for (int k = 0; k < 8; ++k) byte(static_cast<uint8_t>(v >> (8 * k)));
    }
    void patch32(int at, int32_t v) { std::memcpy(&code[static_cast<size_t>(at)], &v, 4); }
    void rel32(Label& l) {
        const int at = static_cast<int>(code.size());
        imm32(0);
        if (l.pos >= 0) patch32(at, l.pos - (at + 4));
        else l.fixups.push_back(at);
    }
    // REX when needed: W, the reg field's and the r/m field's extensions,
    // and any byte register beyond al..bl (spl..dil need a REX prefix).
    void rex(bool w, unsigned reg, unsigned rm, bool byte_regs) {
        const uint8_t r = static_cast<uint8_t>(0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((rm & 8) ? 1 : 0));
        if (r != 0x40 || (byte_regs && (reg >= 4 || rm >= 4))) byte(r);
    }
    // An opcode with ModRM: `reg` in its reg field (a register or a /digit),
    // `o` in r/m. byte_regs: the registers are byte registers.
    void op(bool w, std::initializer_list<uint8_t> opcode, Reg reg, const Rm& o, bool byte_regs = false) {
        rex(w, reg, o.index(), byte_regs);   // a spare REX before a memory operand is harmless
        for (uint8_t b : opcode) byte(b);
        if (o.is_reg) {
            byte(static_cast<uint8_t>(0xc0 | ((reg & 7) << 3) | (o.r & 7)));
            return;
        }
        const bool d8 = o.m.disp >= -128 && o.m.disp <= 127;
        byte(static_cast<uint8_t>((d8 ? 0x40 : 0x80) | ((reg & 7) << 3) | (o.m.base & 7)));
        if ((o.m.base & 7) == 4) byte(0x24);   // SIB: no index
        if (d8) byte(static_cast<uint8_t>(o.m.disp));
        else imm32(static_cast<uint32_t>(o.m.disp));
    }
};

} // namespace hvemu::isa::x64
