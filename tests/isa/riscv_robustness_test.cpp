// Whatever a guest executes gets the architectural exception, never a host
// crash, an assert or a hang: random instruction streams (raw words and
// well-formed encodings with random fields) run with random translation
// state (page-table roots pointing at random memory, random privilege and
// V), in full-system and hosted mode. Under the sanitizer build this is
// also a memory-safety check of every handler and walker.
#include <catch2/catch.hpp>

#include <random>

#include "isa/riscv/insn.hpp"
#include "tests/isa/rv_test_util.hpp"

using namespace hvemu::rv;
using namespace hvemu::rv::test;

namespace {

// A word that is either random or a table encoding with random fields.
uint32_t random_word(std::mt19937_64& rng) {
    const uint32_t r = static_cast<uint32_t>(rng());
    switch (rng() % 4) {
    case 0: return r;
    case 1: return r & 0xffff;   // a compressed parcel (or the low half of one)
    default: {
        const InsnDesc& d = insn_table()[rng() % insn_table_size()];
        return (r & ~d.mask) | d.match;
    }
    }
}

// A random but architecturally legal value for the translation and
// delegation CSRs, through the CSR write path (WARL rules apply).
void randomize_state(Hart& h, std::mt19937_64& rng) {
    const uint64_t ram_page = kRamBase + ((rng() % (kRamSize >> 12)) << 12);
    const uint64_t modes[] = {0, 0, 0, 8, 9};   // mostly Bare, so code runs too
    h.csr_write(csr::satp, modes[rng() % 5] << 60 | (rng() & 0xffffull) << 44 | ram_page >> 12, Priv::M);
    h.csr_write(csr::vsatp, modes[rng() % 5] << 60 | ram_page >> 12, Priv::M);
    h.csr_write(csr::hgatp, modes[rng() % 5] << 60 | (rng() & 0x3fffull) << 44 | (ram_page >> 12 & ~3ull), Priv::M);
    h.csr_write(csr::medeleg, rng(), Priv::M);
    h.csr_write(csr::mideleg, rng(), Priv::M);
    h.csr_write(csr::hedeleg, rng(), Priv::M);
    h.csr_write(csr::hideleg, rng(), Priv::M);
    h.csr_write(csr::mstatus, rng(), Priv::M);
    h.csr_write(csr::hstatus, rng(), Priv::M);
    h.csr_write(csr::vsstatus, rng(), Priv::M);
    h.csr_write(csr::stvec, kRamBase + (rng() % kRamSize & ~3ull), Priv::M);
    h.csr_write(csr::vstvec, kRamBase + (rng() % kRamSize & ~3ull), Priv::M);
    h.csr_write(csr::mtvec, kRamBase + (rng() % kRamSize & ~3ull), Priv::M);
    h.csr_write(csr::pmpaddr0, (1ull << 54) - 1, Priv::M);
    h.csr_write(csr::pmpcfg0, 0x1f, Priv::M);
    const Priv privs[] = {Priv::U, Priv::S, Priv::M};
    const Priv p = privs[rng() % 3];
    h.pc = kRamBase + (rng() % kRamSize & ~1ull);
    h.set_priv(p, p != Priv::M && (rng() & 1));
    for (unsigned r = 1; r < 32; ++r) h.x[r] = (rng() & 1) ? kRamBase + rng() % kRamSize : rng();
}

void run_random(bool hosted, unsigned seeds, uint64_t insns_per_seed) {
    for (unsigned seed = 1; seed <= seeds; ++seed) {
        std::mt19937_64 rng(seed * 7919 + (hosted ? 1 : 0));
        HartConfig cfg;
        cfg.hosted = hosted;
        cfg.write_tinst = seed & 1;
        RvMachine m(cfg);
        for (uint64_t a = kRamBase; a < kRamBase + kRamSize; a += 4) m.put32(a, random_word(rng));
        randomize_state(m.h(), rng);
        uint64_t done = 0;
        unsigned calls = 0, idle = 0;
        // Every run() call returns (a hang would time the test out); hosted
        // traps are resumed as a minimal handler would. With random
        // translation state most fetches fault, so a call may retire one
        // trapping instruction only.
        while (done < insns_per_seed && calls < 20000) {
            const uint64_t before = m.h().icount();
            const StopReason why = m.h().run(insns_per_seed - done);
            done += m.h().icount() - before;
            idle += m.h().icount() == before && why != StopReason::Wfi;
            ++calls;
            if (why == StopReason::Trap) {
                // A minimal handler: an interrupt is masked (nothing here
                // clears its source); then return somewhere else, from M
                // or from HS as the trap went.
                if ((m.h().csr.scause | m.h().csr.mcause) >> 63) m.h().csr_write(csr::mie, 0, Priv::M);
                const uint64_t to = kRamBase + (rng() % kRamSize & ~1ull);
                if (m.h().priv == Priv::M) {
                    m.h().csr.mepc = to;
                    m.h().mret();
                } else {
                    m.h().csr.sepc = to;
                    m.h().sret();
                }
            } else if (why == StopReason::Wfi) {
                // Wake it: WFI ends on any interrupt pending and enabled in
                // mie, whether or not it is then taken.
                m.h().add_cycles(1000);
                m.h().csr_write(csr::mie, ~0ull, Priv::M);
                m.h().set_irq_line(irq::MEI, true);
                m.h().run(1);
                m.h().set_irq_line(irq::MEI, false);
                randomize_state(m.h(), rng);
            }
        }
        INFO("seed " << seed << (hosted ? " hosted" : " full-system") << ": " << done << " instructions in " << calls
                      << " calls");
        CHECK(done + idle >= calls);   // each call ran something, or took an interrupt first
        CHECK(idle <= calls / 2);   // interrupts taken before any instruction stay rare
        CHECK(m.h().x[0] == 0);
    }
}

} // namespace

TEST_CASE("random instruction streams trap architecturally and never crash the host (full-system)",
          "[robustness]") {
    run_random(false, 40, 200000);
}

TEST_CASE("random instruction streams never crash the host in hosted mode", "[robustness]") {
    run_random(true, 40, 200000);
}
