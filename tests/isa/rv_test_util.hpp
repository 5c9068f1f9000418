// Test helpers for the RISC-V hart: a one-hart machine with RAM at
// 0x80000000 that runs instruction words placed in RAM, and encoders for
// the base instruction formats (written from the specification's format
// diagrams, independently of the decoder).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>

#include "isa/common/phys_mem.hpp"
#include "isa/riscv/hart.hpp"

namespace hvemu::rv::test {

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 0x100000;              // 1 MiB
constexpr uint64_t kTrapVec = kRamBase + 0x10000;    // mtvec (and stvec/vstvec where a test needs them)
constexpr uint64_t kData = kRamBase + 0x20000;       // scratch data for loads and stores

// A PhysMem with RAM at kRamBase and a Hart that starts there in M-mode with
// mtvec = kTrapVec (direct mode).
struct RvMachine {
    isa::PhysMem mem;
    std::unique_ptr<Hart> hart;

    explicit RvMachine(HartConfig cfg = {}) {
        mem.add_ram(kRamBase, kRamSize);
        cfg.reset_pc = kRamBase;
        hart = std::make_unique<Hart>(mem, cfg);
        hart->csr.mtvec = kTrapVec;
    }
    Hart& h() { return *hart; }

    void put32(uint64_t addr, uint32_t w) { mem.write_block(addr, &w, 4); }
    void put16(uint64_t addr, uint16_t w) { mem.write_block(addr, &w, 2); }
    void put64(uint64_t addr, uint64_t v) { mem.write_block(addr, &v, 8); }
    uint64_t get64(uint64_t addr) const {
        uint64_t v = 0;
        mem.read_block(addr, &v, 8);
        return v;
    }
    // 32-bit instruction words from `at` on.
    void program(std::initializer_list<uint32_t> words, uint64_t at = kRamBase) {
        for (uint32_t w : words) {
            put32(at, w);
            at += 4;
        }
    }
    // Run n instructions (each trap taken counts as one).
    StopReason step(uint64_t n = 1) { return hart->run(n); }
    // PMP entry 0 grants every access to all of memory (S and U need a
    // matching entry once PMP is implemented).
    void grant_all_pmp() {
        hart->csr.pmpaddr[0] = (1ull << 54) - 1;
        hart->csr.pmpcfg[0] = 0x1f;   // NAPOT, R W X
        hart->flush_tlb();
    }
};

// ---- encoders (unprivileged spec, "Base Instruction Formats") -----------

inline uint32_t enc_r(uint32_t opcode, unsigned f3, unsigned f7, unsigned rd, unsigned rs1, unsigned rs2) {
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}
inline uint32_t enc_i(uint32_t opcode, unsigned f3, unsigned rd, unsigned rs1, int32_t imm) {
    return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}
inline uint32_t enc_s(uint32_t opcode, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm) {
    const uint32_t u = static_cast<uint32_t>(imm);
    return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | opcode;
}
inline uint32_t enc_b(uint32_t opcode, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm) {
    const uint32_t u = static_cast<uint32_t>(imm);
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | opcode;
}
inline uint32_t enc_u(uint32_t opcode, unsigned rd, uint32_t imm20) { return (imm20 & 0xfffff) << 12 | rd << 7 | opcode; }
inline uint32_t enc_j(uint32_t opcode, unsigned rd, int32_t imm) {
    const uint32_t u = static_cast<uint32_t>(imm);
    return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 | ((u >> 12) & 0xff) << 12 |
           rd << 7 | opcode;
}

// Major opcodes.
namespace op {
constexpr uint32_t LOAD = 0x03, MISC_MEM = 0x0f, OP_IMM = 0x13, AUIPC = 0x17, OP_IMM_32 = 0x1b, STORE = 0x23;
constexpr uint32_t AMO = 0x2f, OP = 0x33, LUI = 0x37, OP_32 = 0x3b, BRANCH = 0x63, JALR = 0x67, JAL = 0x6f;
constexpr uint32_t SYSTEM = 0x73;
} // namespace op

// A few instructions tests use often.
inline uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) { return enc_i(op::OP_IMM, 0, rd, rs1, imm); }
inline uint32_t csrrw(unsigned rd, uint16_t csr_no, unsigned rs1) { return enc_i(op::SYSTEM, 1, rd, rs1, csr_no); }
inline uint32_t csrrs(unsigned rd, uint16_t csr_no, unsigned rs1) { return enc_i(op::SYSTEM, 2, rd, rs1, csr_no); }
inline uint32_t csrrc(unsigned rd, uint16_t csr_no, unsigned rs1) { return enc_i(op::SYSTEM, 3, rd, rs1, csr_no); }
inline uint32_t csrr(unsigned rd, uint16_t csr_no) { return csrrs(rd, csr_no, 0); }
constexpr uint32_t kEcall = 0x00000073, kEbreak = 0x00100073, kMret = 0x30200073, kSret = 0x10200073;
constexpr uint32_t kWfi = 0x10500073, kNop = 0x00000013;

} // namespace hvemu::rv::test
