// A tiny A64 assembler for machine tests: the handful of instructions a
// boot-path test needs, encoded by hand from the Arm ARM's encoding index.
#pragma once
#include <cstdint>
#include <vector>

namespace hvemu::test {

class A64Asm {
public:
    // Xd = imm (MOVZ + MOVKs)
    void mov(unsigned rd, uint64_t imm) {
        emit(0xD2800000u | (static_cast<uint32_t>(imm & 0xffff) << 5) | rd);
        for (unsigned hw = 1; hw < 4; hw++)
            if (const uint32_t part = static_cast<uint32_t>((imm >> (16 * hw)) & 0xffff))
                emit(0xF2800000u | (hw << 21) | (part << 5) | rd);
    }
    void add(unsigned rd, unsigned rn, uint32_t imm12) { emit(0x91000000u | (imm12 << 10) | (rn << 5) | rd); }
    void strb(unsigned rt, unsigned rn, uint32_t off = 0) { emit(0x39000000u | (off << 10) | (rn << 5) | rt); }
    void str(unsigned rt, unsigned rn, uint32_t off = 0) { emit(0xF9000000u | ((off / 8) << 10) | (rn << 5) | rt); }
    void ldr(unsigned rt, unsigned rn, uint32_t off = 0) { emit(0xF9400000u | ((off / 8) << 10) | (rn << 5) | rt); }
    // MRS Xt, <op0=3, op1, CRn, CRm, op2>
    void mrs(unsigned rt, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
        emit(0xD5380000u | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt);
    }
    void mrs_mpidr(unsigned rt) { mrs(rt, 0, 0, 0, 5); }
    void mrs_currentel(unsigned rt) { mrs(rt, 0, 4, 2, 2); }
    void smc(uint32_t imm = 0) { emit(0xD4000003u | (imm << 5)); }
    void hvc(uint32_t imm = 0) { emit(0xD4000002u | (imm << 5)); }
    void hlt(uint32_t imm) { emit(0xD4400000u | (imm << 5)); }
    void wfi() { emit(0xD503207Fu); }
    // CBZ Xt, to `target` (an index into the code, in instructions)
    void cbz(unsigned rt, size_t target) {
        const int32_t off = static_cast<int32_t>(target) - static_cast<int32_t>(code_.size());
        emit(0xB4000000u | ((static_cast<uint32_t>(off) & 0x7ffff) << 5) | rt);
    }
    void b(size_t target) {
        const int32_t off = static_cast<int32_t>(target) - static_cast<int32_t>(code_.size());
        emit(0x14000000u | (static_cast<uint32_t>(off) & 0x3ffffff));
    }
    void hang() { emit(0x14000000u); }   // b .
    size_t here() const { return code_.size(); }

    void emit(uint32_t w) { code_.push_back(w); }
    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> b;
        for (uint32_t w : code_)
            for (int i = 0; i < 4; i++) b.push_back(static_cast<uint8_t>(w >> (8 * i)));
        return b;
    }

private:
    std::vector<uint32_t> code_;
};

} // namespace hvemu::test
