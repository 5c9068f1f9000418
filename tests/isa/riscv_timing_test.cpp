// The RISC-V hart's instruction-class costs: a profile's classes set each
// instruction's cycles, a taken branch pays the redirect and one not taken
// does not, counters and timers read mid-block see the cycles of the
// instructions before them, and without a profile every instruction still
// costs one cycle.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "tests/isa/rv_test_util.hpp"

using namespace hvemu;
using namespace hvemu::rv;
using namespace hvemu::rv::test;

namespace {

// A profile whose classes cost distinct amounts, so a wrong class shows.
isa::InsnCosts class_costs() {
    isa::InsnCosts c;
    c.alu = 1;
    c.mul = 3;
    c.div = 20;
    c.load = 2;
    c.store = 1;
    c.branch_taken = 5;
    c.branch_not_taken = 2;
    c.csr = 4;
    c.fence = 10;
    c.fp = 6;
    c.fp_div = 30;
    c.atomic = 12;
    return c;
}

HartConfig timed(const isa::InsnCosts& c = class_costs()) {
    auto p = std::make_shared<isa::TimingProfile>();
    p->costs.insn = c;
    HartConfig cfg;
    cfg.clock.profile = p;
    return cfg;
}

uint32_t add(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(op::OP, 0, 0, rd, rs1, rs2); }
uint32_t mul(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(op::OP, 0, 1, rd, rs1, rs2); }
uint32_t div(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(op::OP, 4, 1, rd, rs1, rs2); }
uint32_t ld(unsigned rd, unsigned rs1, int32_t imm) { return enc_i(op::LOAD, 3, rd, rs1, imm); }
uint32_t sd(unsigned rs2, unsigned rs1, int32_t imm) { return enc_s(op::STORE, 3, rs1, rs2, imm); }
uint32_t beq(unsigned rs1, unsigned rs2, int32_t imm) { return enc_b(op::BRANCH, 0, rs1, rs2, imm); }
uint32_t bne(unsigned rs1, unsigned rs2, int32_t imm) { return enc_b(op::BRANCH, 1, rs1, rs2, imm); }
uint32_t jal(unsigned rd, int32_t imm) { return enc_j(op::JAL, rd, imm); }
uint32_t jalr(unsigned rd, unsigned rs1, int32_t imm) { return enc_i(op::JALR, 0, rd, rs1, imm); }
uint32_t lui(unsigned rd, uint32_t imm20) { return enc_u(op::LUI, rd, imm20); }

// x5 counts `iters` turns of: body; addi x5, x5, -1; bne x5, x0, body.
// Returns the instructions the whole loop runs (the addi setting x5 first).
uint64_t put_loop(RvMachine& m, uint32_t body, unsigned iters) {
    m.program({addi(5, 0, static_cast<int32_t>(iters)), body, addi(5, 5, -1), bne(5, 0, -8)});
    return 1 + 3ull * iters;
}

uint64_t loop_cycles(uint32_t body, unsigned iters) {
    RvMachine m(timed());
    m.h().x[7] = 1000;
    m.h().x[8] = 7;
    const uint64_t n = put_loop(m, body, iters);
    REQUIRE(m.step(n) == StopReason::Budget);
    REQUIRE(m.h().pc == kRamBase + 16);   // fell out of the loop
    REQUIRE(m.h().x[5] == 0);
    REQUIRE(m.h().icount() == n);
    return m.h().cycles();
}

} // namespace

TEST_CASE("RISC-V timing: a DIV loop costs the profile's DIV - ADD more per turn than an ADD loop", "[riscv][timing][unit]") {
    const isa::InsnCosts c = class_costs();
    constexpr unsigned kIters = 300;   // many chains: each may spend at most a thousand cycles
    const uint64_t with_add = loop_cycles(add(6, 7, 8), kIters);
    const uint64_t with_div = loop_cycles(div(6, 7, 8), kIters);
    CHECK(with_div - with_add == uint64_t{kIters} * (c.div - c.alu));
    // Each turn: the body, the addi and a taken bne; the last bne falls through.
    const uint64_t turn = c.alu + c.alu + c.branch_taken;
    CHECK(with_add == c.alu + kIters * turn - (c.branch_taken - c.branch_not_taken));
    CHECK(loop_cycles(mul(6, 7, 8), kIters) - with_add == uint64_t{kIters} * (c.mul - c.alu));
}

TEST_CASE("RISC-V timing: a slice of the budget ends on instructions; slicing does not change the cycles", "[riscv][timing][unit]") {
    const isa::InsnCosts c = class_costs();
    RvMachine whole(timed()), sliced(timed());
    const uint64_t n = put_loop(whole, div(6, 7, 8), 50);
    put_loop(sliced, div(6, 7, 8), 50);
    whole.step(n);
    uint64_t left = n;
    while (left > 0) {
        const uint64_t k = std::min<uint64_t>(left, 7);
        const uint64_t i0 = sliced.h().icount();
        REQUIRE(sliced.step(k) == StopReason::Budget);
        REQUIRE(sliced.h().icount() - i0 == k);   // an instruction costing 20 cycles does not shorten a slice
        left -= k;
    }
    CHECK(sliced.h().pc == whole.h().pc);
    CHECK(sliced.h().cycles() == whole.h().cycles());
    CHECK(whole.h().cycles() == c.alu + 50 * (c.div + c.alu + c.branch_taken) - (c.branch_taken - c.branch_not_taken));
}

TEST_CASE("RISC-V timing: a taken branch or a jump pays branch_taken, a branch not taken branch_not_taken", "[riscv][timing][unit]") {
    const isa::InsnCosts c = class_costs();
    RvMachine m(timed());
    Hart& h = m.h();
    SECTION("beq taken") {
        m.program({beq(0, 0, 8), kNop, kNop});
        h.run(1);
        CHECK(h.pc == kRamBase + 8);
        CHECK(h.cycles() == c.branch_taken);
    }
    SECTION("bne not taken") {
        m.program({bne(0, 0, 8), kNop, kNop});
        h.run(1);
        CHECK(h.pc == kRamBase + 4);
        CHECK(h.cycles() == c.branch_not_taken);
    }
    SECTION("a not-taken branch and a taken one in one chain") {
        m.program({bne(0, 0, 8), beq(0, 0, 8), kNop, kNop});
        h.run(2);
        CHECK(h.pc == kRamBase + 12);
        CHECK(h.cycles() == c.branch_not_taken + c.branch_taken);
    }
    SECTION("jal and jalr") {
        h.x[9] = kRamBase + 0x40;
        m.program({jal(1, 8), kNop, jalr(1, 9, 0)});
        h.run(2);
        CHECK(h.pc == kRamBase + 0x40);
        CHECK(h.cycles() == 2ull * c.branch_taken);
    }
    SECTION("a compressed branch and jump") {
        m.put16(kRamBase, 0xc011);       // c.beqz x8, +4 (x8 = 0: taken)
        m.put16(kRamBase + 4, 0xa011);   // c.j +4
        m.put32(kRamBase + 8, kNop);
        h.run(2);
        CHECK(h.pc == kRamBase + 8);
        CHECK(h.cycles() == 2ull * c.branch_taken);
    }
    SECTION("a branch leaving the page") {
        m.put32(kRamBase + 0xffc, jal(0, 0x10));
        h.pc = kRamBase + 0xffc;
        h.run(1);
        CHECK(h.pc == kRamBase + 0x100c);
        CHECK(h.cycles() == c.branch_taken);
    }
}

TEST_CASE("RISC-V timing: loads, stores, CSR accesses and traps cost their classes", "[riscv][timing][unit]") {
    const isa::InsnCosts c = class_costs();
    RvMachine m(timed());
    Hart& h = m.h();
    h.x[10] = kData;
    SECTION("a load and a store, on the TLB's fast path and off it") {
        m.program({ld(11, 10, 0), sd(11, 10, 8), ld(12, 10, 8), sd(12, 10, 16)});
        h.run(4);
        CHECK(h.icount() == 4);
        CHECK(h.cycles() == 2ull * (c.load + c.store));
    }
    SECTION("a CSR read") {
        m.program({csrr(11, csr::mscratch)});
        h.run(1);
        CHECK(h.cycles() == c.csr);
    }
    SECTION("an ecall pays its class, the redirect and the trap entry") {
        m.program({kEcall});
        h.run(1);
        CHECK(h.pc == kTrapVec);
        CHECK(h.cycles() == c.csr + (c.branch_taken - c.branch_not_taken) + h.config().costs.trap_entry);
    }
}

TEST_CASE("RISC-V timing: cycle, instret and time read mid-block see the instructions before them", "[riscv][timing][unit]") {
    const isa::InsnCosts c = class_costs();
    HartConfig cfg = timed();
    cfg.clock.core_hz = 1'000'000'000;
    cfg.clock.timebase_hz = 100'000'000;   // 10 cycles per tick
    RvMachine m(cfg);
    Hart& h = m.h();
    h.x[7] = 1000;
    h.x[8] = 7;
    m.program({div(6, 7, 8), mul(6, 7, 8), add(6, 7, 8), csrr(10, csr::cycle), csrr(11, csr::mcycle),
               csrr(12, csr::instret), div(6, 7, 8), csrr(13, csr::time)});
    REQUIRE(h.run(8) == StopReason::Budget);   // one block: no trap, no timer, one page
    CHECK(h.x[10] == c.div + c.mul + c.alu);
    CHECK(h.x[11] == c.div + c.mul + c.alu + c.csr);
    CHECK(h.x[12] == 5);
    CHECK(h.x[13] == (c.div + c.mul + c.alu + 3 * c.csr + c.div) / 10);
    CHECK(h.cycles() == c.div * 2 + c.mul + c.alu + 4 * c.csr);
}

TEST_CASE("RISC-V timing: a timer deadline falls at the instruction that reaches it in charged cycles", "[riscv][timing][unit]") {
    const isa::InsnCosts c = class_costs();
    HartConfig cfg = timed();
    cfg.clock.core_hz = 1'000'000'000;
    cfg.clock.timebase_hz = 10'000'000;   // 100 cycles per tick
    RvMachine m(cfg);
    Hart& h = m.h();
    std::vector<uint32_t> divs(64, div(6, 7, 8));
    for (unsigned k = 0; k < divs.size(); ++k) m.put32(kRamBase + 4 * k, divs[k]);
    m.put32(kTrapVec, jal(0, 0));   // the handler waits where it is
    h.x[8] = 3;
    h.csr.mstatus |= mstatus::MIE;
    // 25 divisions of 20 cycles reach 500 cycles, tick 5: the interrupt is
    // taken before the 26th (one cycle each would take 500 instructions).
    SECTION("mtimecmp") {
        h.csr.mie = irq::bit(irq::MTI);
        h.set_mtimecmp(5);
        h.run(64);
        CHECK(h.csr.mcause == (cause::INTERRUPT | irq::MTI));
    }
    SECTION("stimecmp (Sstc)") {
        h.csr.menvcfg |= menvcfg::STCE;
        h.csr.mie = irq::bit(irq::STI);
        h.csr.stimecmp = 5;
        h.run(64);
        CHECK(h.csr.mcause == (cause::INTERRUPT | irq::STI));
    }
    CHECK(h.csr.mepc == kRamBase + 25 * 4);
    CHECK(h.pc == kTrapVec);
    CHECK(h.cycles() > 25ull * c.div + h.config().costs.trap_entry);
}

TEST_CASE("RISC-V timing: without a profile every instruction costs one cycle", "[riscv][timing][unit]") {
    auto run_mix = [](HartConfig cfg) {
        RvMachine m(cfg);
        Hart& h = m.h();
        h.x[7] = 1000;
        h.x[8] = 7;
        h.x[10] = kData;
        h.x[9] = kRamBase + 0x40;
        m.program({div(6, 7, 8), mul(6, 7, 8), ld(11, 10, 0), sd(11, 10, 8), beq(0, 0, 8), kNop,
                   csrr(12, csr::mcycle), bne(0, 0, 8), jalr(0, 9, 0)});
        m.put32(kRamBase + 0x40, lui(13, 1));
        REQUIRE(h.run(9) == StopReason::Budget);
        CHECK(h.pc == kRamBase + 0x44);
        CHECK(h.x[12] == 5);   // CPI 1 mid-block too: five instructions before it
        CHECK(h.icount() == 9);
        CHECK(h.cycles() == 9);
    };
    SECTION("the default costs") { run_mix(HartConfig{}); }
    SECTION("a profile whose classes all cost one") { run_mix(timed(isa::InsnCosts{})); }
    SECTION("a profile with a costly class, for contrast") {
        RvMachine m(timed());
        m.program({div(6, 7, 8)});
        m.h().run(1);
        CHECK(m.h().cycles() == class_costs().div);
    }
}
