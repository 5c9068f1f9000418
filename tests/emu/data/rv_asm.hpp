// A few RV64 instruction encoders for tests that build tiny guest programs
// in memory (no cross toolchain needed). Only what the machine tests use.
#pragma once
#include <cstdint>
#include <vector>

namespace hvemu::test {

// Register numbers by ABI name.
enum Reg : uint32_t { zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, t2 = 7, s0 = 8, a0 = 10, a1 = 11, a2 = 12 };

struct RvAsm {
    std::vector<uint32_t> words;

    size_t here() const { return words.size() * 4; }
    void emit(uint32_t w) { words.push_back(w); }

    static uint32_t r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
        return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
    }
    static uint32_t i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
        return (static_cast<uint32_t>(imm) & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
    }
    static uint32_t s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t op) {
        const uint32_t u = static_cast<uint32_t>(imm);
        return ((u >> 5) & 0x7F) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1F) << 7 | op;
    }

    void lui(Reg rd, uint32_t imm20) { emit((imm20 & 0xFFFFF) << 12 | rd << 7 | 0x37); }
    void addi(Reg rd, Reg rs1, int32_t imm) { emit(i(imm, rs1, 0, rd, 0x13)); }
    void addiw(Reg rd, Reg rs1, int32_t imm) { emit(i(imm, rs1, 0, rd, 0x1B)); }
    void slli(Reg rd, Reg rs1, unsigned sh) { emit(i(static_cast<int32_t>(sh), rs1, 1, rd, 0x13)); }
    void add(Reg rd, Reg rs1, Reg rs2) { emit(r(0, rs2, rs1, 0, rd, 0x33)); }
    void lbu(Reg rd, Reg rs1, int32_t off) { emit(i(off, rs1, 4, rd, 0x03)); }
    void lw(Reg rd, Reg rs1, int32_t off) { emit(i(off, rs1, 2, rd, 0x03)); }
    void ld(Reg rd, Reg rs1, int32_t off) { emit(i(off, rs1, 3, rd, 0x03)); }
    void sb(Reg rs2, Reg rs1, int32_t off) { emit(s(off, rs2, rs1, 0, 0x23)); }
    void sw(Reg rs2, Reg rs1, int32_t off) { emit(s(off, rs2, rs1, 2, 0x23)); }
    void sd(Reg rs2, Reg rs1, int32_t off) { emit(s(off, rs2, rs1, 3, 0x23)); }
    void csrrs(Reg rd, uint32_t csr, Reg rs1) { emit(i(static_cast<int32_t>(csr), rs1, 2, rd, 0x73)); }
    void csrrw(Reg rd, uint32_t csr, Reg rs1) { emit(i(static_cast<int32_t>(csr), rs1, 1, rd, 0x73)); }
    void wfi() { emit(0x10500073); }

    // Branch/jump to a byte offset within the program (absolute `target`).
    void branch(uint32_t f3, Reg rs1, Reg rs2, size_t target) {
        const uint32_t off = static_cast<uint32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(here()));
        emit(((off >> 12) & 1) << 31 | ((off >> 5) & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
             ((off >> 1) & 0xF) << 8 | ((off >> 11) & 1) << 7 | 0x63);
    }
    void beq(Reg a, Reg b, size_t target) { branch(0, a, b, target); }
    void bne(Reg a, Reg b, size_t target) { branch(1, a, b, target); }
    void bltu(Reg a, Reg b, size_t target) { branch(6, a, b, target); }
    void j(size_t target) {
        const uint32_t off = static_cast<uint32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(here()));
        emit(((off >> 20) & 1) << 31 | ((off >> 1) & 0x3FF) << 21 | ((off >> 11) & 1) << 20 |
             ((off >> 12) & 0xFF) << 12 | 0x6F);
    }
    void hang() { j(here()); }

    // Any 64-bit constant (lui/addiw, then shift-and-add 12 bits at a time).
    void li(Reg rd, int64_t v) {
        if (v >= INT32_MIN && v <= INT32_MAX) {
            const int32_t lo = static_cast<int32_t>(static_cast<uint32_t>(v) << 20) >> 20;
            const int64_t hi = (v - lo) >> 12;
            if (hi != 0) {
                lui(rd, static_cast<uint32_t>(hi));
                if (lo != 0) addiw(rd, rd, lo);
            } else {
                addi(rd, zero, lo);
            }
            return;
        }
        const int32_t lo = static_cast<int32_t>(static_cast<uint32_t>(v) << 20) >> 20;
        li(rd, (v - lo) >> 12);
        slli(rd, rd, 12);
        if (lo != 0) addi(rd, rd, lo);
    }

    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> b;
        for (uint32_t w : words)
            for (unsigned k = 0; k < 4; k++) b.push_back(static_cast<uint8_t>(w >> (8 * k)));
        return b;
    }
};

} // namespace hvemu::test
