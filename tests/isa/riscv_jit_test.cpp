// The block compiler against the interpreter: random RV64I/M programs (ALU,
// M with the division edge cases, loads and stores that hit, miss, cross a
// page or fault, forward branches, a counted loop, calls and returns) run on
// two harts, one compiling blocks and one interpreting, under run() budgets
// of every size; after each run the two must agree on every register, the
// pc, the instruction and cycle counts, and memory.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <vector>

#include "isa/riscv/jit.hpp"
#include "tests/isa/rv_test_util.hpp"

using namespace hvemu;
using namespace hvemu::rv;
using namespace hvemu::rv::test;

namespace {

constexpr uint64_t kProg = kRamBase + 0x1000;   // the program (page aligned: blocks stay on a page)
constexpr unsigned kBaseReg = 5;                  // x5: the data pointer, never written
constexpr unsigned kNoRamReg = 7;                 // x7: points where there is no memory, never written

uint32_t r_type(unsigned f3, unsigned f7, unsigned rd, unsigned a, unsigned b, bool w = false) {
    return enc_r(w ? 0x3b : 0x33, f3, f7, rd, a, b);
}
uint32_t i_type(unsigned f3, unsigned rd, unsigned a, int32_t imm, bool w = false) {
    return enc_i(w ? 0x1b : 0x13, f3, rd, a, imm);
}

struct Gen {
    std::mt19937_64 rng;
    explicit Gen(uint64_t seed) : rng(seed) {}
    unsigned pick(unsigned n) { return static_cast<unsigned>(rng() % n); }
    // Destinations avoid the pointers and x6 (the loop counter).
    unsigned rd() {
        for (;;) {
            const unsigned r = pick(32);
            if (r != kBaseReg && r != kNoRamReg && r != 6) return r;
        }
    }
    unsigned rs() { return pick(32); }

    uint32_t alu() {
        const unsigned d = rd(), a = rs(), b = rs();
        switch (pick(28)) {
        case 0: return r_type(0, 0, d, a, b);            // add
        case 1: return r_type(0, 0x20, d, a, b);         // sub
        case 2: return r_type(1, 0, d, a, b);            // sll
        case 3: return r_type(2, 0, d, a, b);            // slt
        case 4: return r_type(3, 0, d, a, b);            // sltu
        case 5: return r_type(4, 0, d, a, b);            // xor
        case 6: return r_type(5, 0, d, a, b);            // srl
        case 7: return r_type(5, 0x20, d, a, b);         // sra
        case 8: return r_type(6, 0, d, a, b);            // or
        case 9: return r_type(7, 0, d, a, b);            // and
        case 10: return i_type(0, d, a, static_cast<int32_t>(pick(4096)) - 2048);   // addi
        case 11: return i_type(2, d, a, static_cast<int32_t>(pick(4096)) - 2048);   // slti
        case 12: return i_type(3, d, a, static_cast<int32_t>(pick(4096)) - 2048);   // sltiu
        case 13: return i_type(4, d, a, static_cast<int32_t>(pick(4096)) - 2048);   // xori
        case 14: return i_type(1, d, a, static_cast<int32_t>(pick(64)));            // slli
        case 15: return i_type(5, d, a, static_cast<int32_t>(pick(64) | (pick(2) << 10)));   // srli/srai
        case 16: return i_type(0, d, a, static_cast<int32_t>(pick(4096)) - 2048, true);     // addiw
        case 17: return i_type(1, d, a, static_cast<int32_t>(pick(32)), true);              // slliw
        case 18: return i_type(5, d, a, static_cast<int32_t>(pick(32) | (pick(2) << 10)), true);   // srliw/sraiw
        case 19: return r_type(pick(2) ? 0 : 1, 0, d, a, b, true);                          // addw/sllw
        case 20: return r_type(pick(2) ? 0 : 5, 0x20, d, a, b, true);                       // subw/sraw
        case 21: return r_type(5, 0, d, a, b, true);                                        // srlw
        case 22: return enc_u(0x37, d, static_cast<uint32_t>(rng()));                       // lui
        case 23: return enc_u(0x17, d, static_cast<uint32_t>(rng()));                       // auipc
        case 24: return r_type(pick(4), 1, d, a, b);                                        // mul, mulh, mulhsu, mulhu
        case 25: return r_type(4 + pick(4), 1, d, a, b);                                    // div, divu, rem, remu
        case 26: return r_type(pick(2) ? 0 : 4 + pick(4), 1, d, a, b, true);                // mulw, divw..remuw
        default: return i_type(6 + pick(2), d, a, static_cast<int32_t>(pick(4096)) - 2048);  // ori/andi
        }
    }
    // A load or store off the data pointer: mostly inside the data page,
    // sometimes misaligned or crossing into the next page; rarely where
    // there is no memory (an access fault in the middle of a block).
    uint32_t mem() {
        static constexpr unsigned kLoadF3[] = {0, 1, 2, 3, 4, 5, 6};
        int32_t off = static_cast<int32_t>(pick(256)) * 8 - 1024;
        unsigned base = kBaseReg;
        switch (pick(12)) {
        case 0: off += static_cast<int32_t>(pick(8)); break;   // misaligned
        case 1: off = 0x1000 - 4 - 0x800 + static_cast<int32_t>(pick(8)); break;   // near the page's end
        case 2: base = kNoRamReg; break;
        default: break;
        }
        if (pick(2)) return enc_i(0x03, kLoadF3[pick(7)], rd(), base, off);
        return enc_s(0x23, pick(4), base, rs(), off);
    }
};

// One random program: straight code with forward branches over a few
// instructions, a counted loop around part of it, a call to a leaf that
// returns with jalr, and at the end an ebreak (the trap vector loops on
// itself, a trap the two harts must take at the same instruction).
std::vector<uint32_t> program(Gen& g) {
    std::vector<uint32_t> body;
    const unsigned n = 20 + g.pick(60);
    for (unsigned k = 0; k < n; ++k) {
        const unsigned kind = g.pick(10);
        if (kind < 6) body.push_back(g.alu());
        else if (kind < 9) body.push_back(g.mem());
        else body.push_back(enc_b(0x63, std::array{0u, 1u, 4u, 5u, 6u, 7u}[g.pick(6)], g.rs(), g.rs(),
                                  4 * static_cast<int32_t>(1 + g.pick(4))));
    }
    std::vector<uint32_t> p;
    p.push_back(i_type(0, 6, 0, static_cast<int32_t>(3 + g.pick(20))));   // x6 = loop count
    const size_t loop = p.size();
    p.insert(p.end(), body.begin(), body.end());
    p.push_back(i_type(0, 6, 6, -1));                                       // x6 -= 1
    p.push_back(enc_b(0x63, 1, 6, 0, -4 * static_cast<int32_t>(p.size() - loop)));   // bnez x6, loop
    p.push_back(enc_j(0x6f, 1, 12));                                        // call the leaf
    p.push_back(0x00100073);                                                // ebreak
    p.push_back(0x0000006f);                                                // j . (not reached)
    p.push_back(g.alu());                                                   // leaf:
    p.push_back(enc_i(0x67, 0, 0, 1, 0));                                   //   ret
    // Branch targets past the end land on the ebreak's neighbours: pad.
    for (int k = 0; k < 8; ++k) p.push_back(0x00100073);
    return p;
}

uint64_t interesting(Gen& g) {
    static constexpr uint64_t kValues[] = {0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
                                           0x80000000ull, 0xffffffff80000000ull, 0x7fffffff, 0xffffffff, 63, 64};
    return g.pick(3) == 0 ? kValues[g.pick(std::size(kValues))] : g.rng();
}

struct Pair {
    RvMachine jit, interp;
    explicit Pair(const isa::CycleCosts& costs)
        : jit(config(true, costs)), interp(config(false, costs)) {}
    static HartConfig config(bool jit, const isa::CycleCosts& costs) {
        HartConfig c;
        c.jit = jit;
        c.costs = costs;
        return c;
    }
    template <class F> void both(F f) {
        f(jit);
        f(interp);
    }
};

void check_same(Pair& p, const char* when) {
    INFO(when);
    Hart& a = p.jit.h();
    Hart& b = p.interp.h();
    CHECK(a.pc == b.pc);
    for (unsigned r = 0; r < 32; ++r) {
        INFO("x" << r);
        CHECK(a.x[r] == b.x[r]);
    }
    CHECK(a.icount() == b.icount());
    CHECK(a.instret() == b.instret());
    CHECK(a.cycles() == b.cycles());
    CHECK(a.csr.mcause == b.csr.mcause);
    CHECK(a.csr.mtval == b.csr.mtval);
    std::vector<uint8_t> ma(0x3000), mb(0x3000);
    p.jit.mem.read_block(kData - 0x1000, ma.data(), ma.size());
    p.interp.mem.read_block(kData - 0x1000, mb.data(), mb.size());
    CHECK(ma == mb);
}

void run_differential(const isa::CycleCosts& costs, uint64_t seed0) {
    for (uint64_t seed = seed0; seed < seed0 + 60; ++seed) {
        INFO("seed " << seed);
        Gen g(seed);
        const std::vector<uint32_t> prog = program(g);
        Pair p(costs);
        p.both([&](RvMachine& m) {
            for (size_t k = 0; k < prog.size(); ++k) m.put32(kProg + 4 * k, prog[k]);
            m.put32(kTrapVec, 0x0000006f);   // the trap vector: j .
            m.hart->pc = kProg;
        });
        Gen values(seed * 7919);
        uint64_t regs[32], data[0x600];
        for (auto& r : regs) r = interesting(values);
        for (auto& d : data) d = values.rng();
        // x5 points into the data page; the page after it is RAM, the one
        // two pages on is not (RAM ends), for faults.
        regs[kBaseReg] = kData + 0x800;
        regs[kNoRamReg] = 0x10000;
        p.both([&](RvMachine& m) {
            for (unsigned r = 1; r < 32; ++r) m.hart->x[r] = regs[r];
            m.mem.write_block(kData - 0x1000, data, sizeof(data));
        });
        // Budgets of every size: 1 (a block never fits), odd sizes that end
        // inside blocks, and large ones.
        static constexpr uint64_t kBudgets[] = {1, 3, 7, 1, 50, 2, 13, 1000, 5, 100000};
        for (int round = 0; round < 4; ++round)
            for (uint64_t b : kBudgets) {
                p.both([b](RvMachine& m) { m.step(b); });
                check_same(p, "after a run");
            }
        CHECK(p.jit.h().jit()->blocks_compiled() > 0);
    }
}

} // namespace

TEST_CASE("block compiler: random RV64I/M programs agree with the interpreter", "[riscv][jit]") {
    RvMachine probe;
    REQUIRE(probe.h().jit() != nullptr);   // this host compiles (x86-64)
    run_differential(isa::CycleCosts{}, 1);
}

TEST_CASE("block compiler: the same under class costs and a taken-branch penalty", "[riscv][jit]") {
    isa::CycleCosts costs;
    costs.insn.alu = 1;
    costs.insn.mul = 3;
    costs.insn.div = 20;
    costs.insn.load = 2;
    costs.insn.store = 1;
    costs.insn.branch_taken = 3;
    costs.insn.branch_not_taken = 1;
    run_differential(costs, 1000);
}

TEST_CASE("block compiler: a loop runs compiled and a code write drops its blocks", "[riscv][jit]") {
    RvMachine m;
    // x1 = 0; loop: x1 += 1; x2 = x1 * 3; bne x1, x3, loop; ebreak
    m.program({i_type(0, 1, 0, 0), i_type(0, 1, 1, 1), r_type(0, 1, 2, 1, 4), enc_b(0x63, 1, 1, 3, -8),
               0x00100073},
              kProg);
    m.put32(kTrapVec, 0x0000006f);
    m.h().pc = kProg;
    m.h().x[3] = 100000;
    m.h().x[4] = 3;
    m.step(1000000);
    CHECK(m.h().x[1] == 100000);
    CHECK(m.h().x[2] == 300000);
    CHECK(m.h().csr.mcause == 3);   // the ebreak
    const uint64_t blocks = m.h().jit()->blocks_compiled();
    CHECK(blocks >= 2);              // the entry block and the loop's

    // Rewrite the loop's multiply (x2 = x1 + x4) and run it again: the
    // page's compiled code must not survive the write.
    m.put32(kProg + 8, r_type(0, 0, 2, 1, 4));
    m.h().pc = kProg;
    m.step(1000000);
    CHECK(m.h().x[2] == 100003);
    CHECK(m.h().jit()->blocks_compiled() > blocks);
}

TEST_CASE("block compiler: a store into the running block's page", "[riscv][jit]") {
    // x1 = address of the addi below; store a new addi (x2 = 7) over it,
    // then run it; the chain stops at the store, and the rewritten word is
    // what runs next, compiled or not.
    const uint32_t patched = i_type(0, 2, 0, 7);
    const std::vector<uint32_t> prog = {enc_u(0x17, 1, 0), i_type(0, 1, 1, 20), enc_u(0x37, 3, patched >> 12),
                                        i_type(0, 3, 3, static_cast<int32_t>(patched & 0xfff)),
                                        enc_s(0x23, 2, 1, 3, 0), i_type(0, 2, 0, 1), 0x00100073};
    // lui+addi rebuild the word (its low 12 bits have bit 11 clear).
    REQUIRE((patched & 0x800) == 0);
    Pair p(isa::CycleCosts{});
    p.both([&](RvMachine& m) {
        for (size_t k = 0; k < prog.size(); ++k) m.put32(kProg + 4 * k, prog[k]);
        m.put32(kTrapVec, 0x0000006f);
        m.hart->pc = kProg;
        m.step(100);
    });
    check_same(p, "after the patch");
    CHECK(p.jit.h().x[2] == 7);
}

TEST_CASE("block compiler: off by configuration", "[riscv][jit]") {
    HartConfig cfg;
    cfg.jit = false;
    RvMachine m(cfg);
    CHECK(m.h().jit() == nullptr);
}
