// Instruction semantics, run through a full-system hart (M-mode, traps
// through mtvec): the corner cases the specification pins down.
#include <catch2/catch.hpp>

#include "tests/isa/rv_test_util.hpp"

namespace hvemu::rv {
namespace {

using namespace test;

constexpr unsigned A0 = 10, A1 = 11, A2 = 12;

uint32_t rtype(uint32_t opc, unsigned f3, unsigned f7) { return enc_r(opc, f3, f7, A2, A0, A1); }

// Execute one instruction with a0 = a, a1 = b; returns a2. The
// instruction must not trap.
uint64_t run_rr(uint32_t insn, uint64_t a, uint64_t b) {
    RvMachine m;
    m.program({insn});
    m.h().x[A0] = a;
    m.h().x[A1] = b;
    m.step(1);
    INFO("insn 0x" << std::hex << insn);
    REQUIRE(m.h().pc == kRamBase + 4);
    return m.h().x[A2];
}

constexpr uint64_t kMin64 = 0x8000000000000000ull;
constexpr uint64_t kAllOnes = ~0ull;

} // namespace

TEST_CASE("div, rem and their unsigned and word forms follow the spec's corner cases", "[exec]") {
    const uint32_t div = rtype(op::OP, 4, 1), divu = rtype(op::OP, 5, 1), rem = rtype(op::OP, 6, 1),
                   remu = rtype(op::OP, 7, 1);
    const uint32_t divw = rtype(op::OP_32, 4, 1), divuw = rtype(op::OP_32, 5, 1), remw = rtype(op::OP_32, 6, 1),
                   remuw = rtype(op::OP_32, 7, 1);
    SECTION("division by zero") {
        CHECK(run_rr(div, 1234, 0) == kAllOnes);
        CHECK(run_rr(divu, 1234, 0) == kAllOnes);
        CHECK(run_rr(rem, static_cast<uint64_t>(-1234), 0) == static_cast<uint64_t>(-1234));
        CHECK(run_rr(remu, 1234, 0) == 1234);
        CHECK(run_rr(divw, 7, 0xffffffff00000000ull) == kAllOnes);   // only the low word of rs2 counts
        CHECK(run_rr(divuw, 7, 0) == kAllOnes);                       // 0xffffffff sign-extended
        CHECK(run_rr(remw, 0x00000000fffffff9ull, 0) == static_cast<uint64_t>(-7));
        CHECK(run_rr(remuw, 0x1234567880000001ull, 0) == 0xffffffff80000001ull);
    }
    SECTION("signed overflow") {
        CHECK(run_rr(div, kMin64, kAllOnes) == kMin64);
        CHECK(run_rr(rem, kMin64, kAllOnes) == 0);
        CHECK(run_rr(divw, 0x80000000, 0xffffffff) == 0xffffffff80000000ull);
        CHECK(run_rr(remw, 0x80000000, 0xffffffff) == 0);
    }
    SECTION("ordinary values round toward zero") {
        CHECK(run_rr(div, static_cast<uint64_t>(-7), 2) == static_cast<uint64_t>(-3));
        CHECK(run_rr(rem, static_cast<uint64_t>(-7), 2) == static_cast<uint64_t>(-1));
        CHECK(run_rr(rem, 7, static_cast<uint64_t>(-2)) == 1);
        CHECK(run_rr(divu, kAllOnes, 2) == 0x7fffffffffffffffull);
        CHECK(run_rr(remu, kAllOnes, 10) == 5);
        CHECK(run_rr(divw, 0xdeadbeef00000007ull, 0xfffffffe) == static_cast<uint64_t>(-3));
        CHECK(run_rr(divuw, 0xfffffffe, 2) == 0x7fffffff);
        CHECK(run_rr(divuw, 0xffffffff, 1) == kAllOnes);   // the 32-bit result is sign-extended
        CHECK(run_rr(remuw, 0xffffffff, 0x10) == 0xf);
    }
}

TEST_CASE("mul, mulh, mulhsu, mulhu, mulw", "[exec]") {
    const uint32_t mul = rtype(op::OP, 0, 1), mulh = rtype(op::OP, 1, 1), mulhsu = rtype(op::OP, 2, 1),
                   mulhu = rtype(op::OP, 3, 1), mulw = rtype(op::OP_32, 0, 1);
    CHECK(run_rr(mul, 0x100000001ull, 0x100000001ull) == 0x200000001ull);
    CHECK(run_rr(mulh, kAllOnes, kAllOnes) == 0);                            // (-1)(-1) = 1
    CHECK(run_rr(mulhu, kAllOnes, kAllOnes) == 0xfffffffffffffffeull);       // (2^64-1)^2
    CHECK(run_rr(mulhsu, kAllOnes, kAllOnes) == kAllOnes);                   // -1 * (2^64-1)
    CHECK(run_rr(mulhsu, 2, kAllOnes) == 1);                                 // 2 * (2^64-1)
    CHECK(run_rr(mulh, kMin64, kMin64) == 0x4000000000000000ull);            // 2^126
    CHECK(run_rr(mulhu, kMin64, kMin64) == 0x4000000000000000ull);
    CHECK(run_rr(mulhsu, kMin64, kMin64) == 0xc000000000000000ull);          // -2^63 * 2^63
    CHECK(run_rr(mulh, kMin64, 1) == kAllOnes);
    CHECK(run_rr(mulh, 0x7fffffffffffffffull, 2) == 0);
    CHECK(run_rr(mulw, 0x10000, 0x8000) == 0xffffffff80000000ull);          // 2^31 wraps negative
    CHECK(run_rr(mulw, 0x1234567800000003ull, 0xffffffff00000005ull) == 15);
}

TEST_CASE("word shifts use five shift bits and sign-extend the 32-bit result", "[exec]") {
    const uint32_t sllw = rtype(op::OP_32, 1, 0), srlw = rtype(op::OP_32, 5, 0), sraw = rtype(op::OP_32, 5, 0x20);
    CHECK(run_rr(sllw, 1, 31) == 0xffffffff80000000ull);
    CHECK(run_rr(sllw, 1, 32 + 4) == 16);                                    // rs2[5] is ignored
    CHECK(run_rr(srlw, 0xffffffff80000000ull, 0) == 0xffffffff80000000ull);  // shift 0 still sign-extends
    CHECK(run_rr(srlw, 0x80000000, 1) == 0x40000000);
    CHECK(run_rr(srlw, 0x80000000, 33) == 0x40000000);
    CHECK(run_rr(sraw, 0x80000000, 4) == 0xfffffffff8000000ull);
    CHECK(run_rr(sraw, 0x1234567800000000ull, 0) == 0);
    // Immediate forms.
    CHECK(run_rr(enc_i(op::OP_IMM_32, 1, A2, A0, 31), 1, 0) == 0xffffffff80000000ull);            // slliw
    CHECK(run_rr(enc_i(op::OP_IMM_32, 5, A2, A0, 0), 0x80000000, 0) == 0xffffffff80000000ull);    // srliw 0
    CHECK(run_rr(enc_i(op::OP_IMM_32, 5, A2, A0, 31), 0x80000000, 0) == 1);                       // srliw
    CHECK(run_rr(enc_i(op::OP_IMM_32, 5, A2, A0, 0x400 | 31), 0x80000000, 0) == kAllOnes);       // sraiw
    CHECK(run_rr(enc_i(op::OP_IMM_32, 0, A2, A0, -1), 0x80000000, 0) == 0x7fffffff);             // addiw
    CHECK(run_rr(enc_i(op::OP_IMM_32, 0, A2, A0, 0), 0xffffffff, 0) == kAllOnes);                // sext.w
    // 64-bit shifts use six bits.
    CHECK(run_rr(rtype(op::OP, 1, 0), 1, 63) == kMin64);                                          // sll
    CHECK(run_rr(rtype(op::OP, 1, 0), 1, 64 + 3) == 8);
    CHECK(run_rr(rtype(op::OP, 5, 0x20), kMin64, 63) == kAllOnes);                                // sra
    CHECK(run_rr(enc_i(op::OP_IMM, 5, A2, A0, 0x400 | 63), kMin64, 0) == kAllOnes);               // srai 63
    CHECK(run_rr(enc_i(op::OP_IMM, 5, A2, A0, 63), kMin64, 0) == 1);                              // srli 63
}

TEST_CASE("compares and immediates are signed or unsigned as named", "[exec]") {
    CHECK(run_rr(rtype(op::OP, 2, 0), kAllOnes, 0) == 1);                          // slt -1 < 0
    CHECK(run_rr(rtype(op::OP, 3, 0), kAllOnes, 0) == 0);                          // sltu
    CHECK(run_rr(enc_i(op::OP_IMM, 3, A2, A0, -1), 5, 0) == 1);                     // sltiu: imm sign-extended, compared unsigned
    CHECK(run_rr(enc_i(op::OP_IMM, 2, A2, A0, -1), 5, 0) == 0);                     // slti
    CHECK(run_rr(enc_i(op::OP_IMM, 4, A2, A0, -1), 0x0f0f, 0) == ~0x0f0full);       // xori -1 = not
    CHECK(run_rr(enc_u(op::LUI, A2, 0x80000), 0, 0) == 0xffffffff80000000ull);
    RvMachine m;
    m.program({kNop, enc_u(op::AUIPC, A2, 0xfffff)});
    m.step(2);
    CHECK(m.h().x[A2] == kRamBase + 4 - 4096);
}

TEST_CASE("loads sign- or zero-extend as their width says", "[exec]") {
    RvMachine m;
    m.put64(kData, 0x8000000080008080ull);
    m.h().x[A0] = kData;
    const struct {
        unsigned f3;
        int off;
        uint64_t want;
    } cases[] = {
        {0, 0, 0xffffffffffffff80ull}, {4, 0, 0x80},                 // lb, lbu
        {1, 0, 0xffffffffffff8080ull}, {5, 0, 0x8080},               // lh, lhu
        {2, 0, 0xffffffff80008080ull}, {6, 0, 0x80008080},           // lw, lwu
        {2, 4, 0xffffffff80000000ull}, {6, 4, 0x80000000},
        {3, 0, 0x8000000080008080ull},                               // ld
        {0, 1, 0xffffffffffffff80ull}, {1, 2, 0xffffffffffff8000ull},
    };
    uint64_t at = kRamBase;
    for (const auto& c : cases) m.put32(at, enc_i(op::LOAD, c.f3, A2, A0, c.off)), at += 4;
    for (const auto& c : cases) {
        INFO("funct3 " << c.f3 << " offset " << c.off);
        m.step(1);
        CHECK(m.h().x[A2] == c.want);
    }
    CHECK(m.h().pc == at);
}

TEST_CASE("stores write only their width", "[exec]") {
    RvMachine m;
    m.put64(kData, 0);
    m.h().x[A0] = kData + 8;
    m.h().x[A1] = 0x1122334455667788ull;
    m.program({enc_s(op::STORE, 0, A0, A1, -8), enc_s(op::STORE, 1, A0, A1, -6), enc_s(op::STORE, 2, A0, A1, -4)});
    m.step(3);
    CHECK(m.get64(kData) == 0x5566778877880088ull);
}

TEST_CASE("writes to x0 are discarded", "[exec]") {
    RvMachine m;
    m.program({addi(0, 0, 5), enc_u(op::LUI, 0, 0x12345), rtype(op::OP, 0, 0) & ~(31u << 7),   // add x0, a0, a1
               enc_i(op::LOAD, 3, 0, A0, 0), enc_j(op::JAL, 0, 4), addi(A2, 0, 0)});
    m.h().x[A0] = kData;
    m.h().x[A1] = 7;
    m.put64(kData, 99);
    m.step(6);
    CHECK(m.h().x[0] == 0);
    CHECK(m.h().x[A2] == 0);   // reads of x0 see zero
    CHECK(m.h().pc == kRamBase + 24);
}

TEST_CASE("compressed jumps and HINTs leave x0 zero", "[exec][rvc]") {
    RvMachine m;
    m.put16(kRamBase, 0x107d);        // c.nop -1 (a HINT: addi x0, x0, -1)
    m.put16(kRamBase + 2, 0xa009);    // c.j +2
    m.put16(kRamBase + 4, 0x8082);    // c.jr ra
    m.h().x[1] = kRamBase + 0x100;
    m.put16(kRamBase + 0x100, 0x4501);   // c.li a0, 0
    m.put16(kRamBase + 0x102, 0x852a);   // c.mv a0, a0 -> reads x0? no: mv a0, a0
    m.step(3);
    CHECK(m.h().x[0] == 0);
    CHECK(m.h().pc == kRamBase + 0x100);
    m.h().x[A0] = 5;
    m.step(1);
    CHECK(m.h().x[A0] == 0);
    CHECK(m.h().x[0] == 0);
}

TEST_CASE("jalr clears bit 0 of the target and links correctly when rd == rs1", "[exec]") {
    RvMachine m;
    const uint64_t target = kRamBase + 0x40;
    m.program({enc_i(op::JALR, 0, 5, 5, 1)});   // jalr t0, 1(t0)
    m.h().x[5] = target;
    m.step(1);
    CHECK(m.h().pc == target);   // target + 1 with bit 0 cleared
    CHECK(m.h().x[5] == kRamBase + 4);

    RvMachine n;
    n.program({enc_i(op::JALR, 0, 1, 6, -3)});   // jalr ra, -3(t1)
    n.h().x[6] = target + 4;
    n.step(1);
    CHECK(n.h().pc == target);
    CHECK(n.h().x[1] == kRamBase + 4);

    RvMachine c;                              // c.jalr ra with rs1 == rd
    c.put16(kRamBase, 0x9082);
    c.h().x[1] = target;
    c.step(1);
    CHECK(c.h().pc == target);
    CHECK(c.h().x[1] == kRamBase + 2);
}

TEST_CASE("branches and jal reach their targets", "[exec]") {
    RvMachine m;
    m.program({enc_b(op::BRANCH, 4, A0, A1, 8), kNop, enc_b(op::BRANCH, 6, A0, A1, 8), kNop, enc_j(op::JAL, 1, -16)});
    m.h().x[A0] = kAllOnes;   // blt taken (-1 < 0); bltu not taken
    m.h().x[A1] = 0;
    m.step(1);
    CHECK(m.h().pc == kRamBase + 8);
    m.step(1);
    CHECK(m.h().pc == kRamBase + 12);
    m.step(2);
    CHECK(m.h().pc == kRamBase);
    CHECK(m.h().x[1] == kRamBase + 20);
}

TEST_CASE("an illegal instruction raises cause 2 with mtval = the instruction bits", "[exec][trap]") {
    for (uint32_t bad : {0x0000000bu, 0xffffffffu, 0x80000033u, 0x0200101bu, 0x30200173u}) {
        RvMachine m;
        m.program({bad});
        m.h().csr.mstatus |= mstatus::MIE;
        m.step(1);
        INFO("insn 0x" << std::hex << bad);
        CHECK(m.h().csr.mcause == cause::ILLEGAL_INSN);
        CHECK(m.h().csr.mtval == bad);
        CHECK(m.h().csr.mepc == kRamBase);
        CHECK(m.h().pc == kTrapVec);
        CHECK(m.h().priv == Priv::M);
        CHECK(((m.h().csr.mstatus & mstatus::MPP) >> mstatus::MPP_SHIFT) == 3);
        CHECK((m.h().csr.mstatus & mstatus::MPIE) != 0);
        CHECK((m.h().csr.mstatus & mstatus::MIE) == 0);
    }
    for (uint16_t bad : {0x0000, 0x0004, 0x4002, 0x8002, 0x6101, 0x9c41}) {
        RvMachine m;
        m.put16(kRamBase, bad);
        m.put16(kRamBase + 2, 0xffff);   // must not be read as part of the instruction
        m.step(1);
        INFO("parcel 0x" << std::hex << bad);
        CHECK(m.h().csr.mcause == cause::ILLEGAL_INSN);
        CHECK(m.h().csr.mtval == bad);
        CHECK(m.h().csr.mepc == kRamBase);
        CHECK(m.h().pc == kTrapVec);
    }
}

TEST_CASE("ecall and ebreak raise their causes", "[exec][trap]") {
    RvMachine m;
    m.program({kEcall});
    m.step(1);
    CHECK(m.h().csr.mcause == cause::ECALL_M);
    CHECK(m.h().csr.mtval == 0);
    RvMachine b;
    b.program({kEbreak});
    b.step(1);
    CHECK(b.h().csr.mcause == cause::BREAKPOINT);
    CHECK(b.h().csr.mtval == kRamBase);   // the address of the breakpoint
    RvMachine c;
    c.put16(kRamBase, 0x9002);   // c.ebreak
    c.step(1);
    CHECK(c.h().csr.mcause == cause::BREAKPOINT);
    CHECK(c.h().csr.mepc == kRamBase);
}

TEST_CASE("LR/SC and AMOs", "[exec][amo]") {
    RvMachine m;
    m.put64(kData, 0x00000000fffffffeull);
    m.h().x[A0] = kData;
    m.h().x[A1] = 5;
    const uint32_t amoadd_w = enc_r(op::AMO, 2, 0x00 << 2, A2, A0, A1);
    const uint32_t amomin_w = enc_r(op::AMO, 2, 0x10 << 2, A2, A0, A1);
    const uint32_t amomaxu_d = enc_r(op::AMO, 3, 0x1c << 2, A2, A0, A1);
    const uint32_t lr_d = enc_r(op::AMO, 3, 0x02 << 2, A2, A0, 0);
    const uint32_t sc_d = enc_r(op::AMO, 3, 0x03 << 2, A2, A0, A1);
    m.program({amoadd_w, amomin_w, amomaxu_d, lr_d, sc_d, sc_d});
    m.step(1);
    CHECK(m.h().x[A2] == 0xfffffffffffffffeull);   // old word, sign-extended
    CHECK(m.get64(kData) == 3);                    // -2 + 5, upper word untouched
    m.h().x[A1] = 0xfffffff0;                      // as a word: -16
    m.step(1);
    CHECK(m.h().x[A2] == 3);
    CHECK(m.get64(kData) == 0xfffffff0);
    m.h().x[A1] = 0x100000000ull;
    m.step(1);                                     // amomaxu.d: 2^32 > 0xfffffff0
    CHECK(m.get64(kData) == 0x100000000ull);
    m.step(1);                                     // lr.d
    CHECK(m.h().x[A2] == 0x100000000ull);
    m.h().x[A1] = 77;
    m.step(1);                                     // sc.d succeeds
    CHECK(m.h().x[A2] == 0);
    CHECK(m.get64(kData) == 77);
    m.h().x[A1] = 88;
    m.step(1);                                     // the reservation is gone: fails
    CHECK(m.h().x[A2] == 1);
    CHECK(m.get64(kData) == 77);

    SECTION("a misaligned AMO raises store/AMO address misaligned") {
        RvMachine n;
        n.program({amoadd_w});
        n.h().x[A0] = kData + 2;
        n.step(1);
        CHECK(n.h().csr.mcause == cause::STORE_MISALIGNED);
        CHECK(n.h().csr.mtval == kData + 2);
    }
    SECTION("a misaligned LR raises load address misaligned") {
        RvMachine n;
        n.program({lr_d});
        n.h().x[A0] = kData + 4;
        n.step(1);
        CHECK(n.h().csr.mcause == cause::LOAD_MISALIGNED);
        CHECK(n.h().csr.mtval == kData + 4);
    }
}

TEST_CASE("a store into the code being executed is seen by the next fetch", "[exec]") {
    RvMachine m;
    // sw a1, 8(a0) overwrites the instruction two words ahead.
    m.program({enc_s(op::STORE, 2, A0, A1, 8), kNop, addi(A2, 0, 1)});
    m.h().x[A0] = kRamBase;
    m.h().x[A1] = addi(A2, 0, 2);
    m.step(3);
    CHECK(m.h().x[A2] == 2);
}

} // namespace hvemu::rv
