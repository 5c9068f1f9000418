// Trap routing and entry: every exception cause x delegation x current mode
// (M, HS, U, VS, VU), the CSRs each target writes, interrupt priority and
// enabling rules, WFI, the xRET instructions, and hosted mode.
#include <catch2/catch.hpp>

#include "tests/isa/rv_test_util.hpp"

namespace hvemu::rv {
namespace {

using namespace test;

constexpr uint64_t kNoTrap = ~0ull;
constexpr uint64_t I = cause::ILLEGAL_INSN, VI = cause::VIRTUAL_INSN;
constexpr uint64_t kSTvec = kRamBase + 0x11000, kVSTvec = kRamBase + 0x12000;
constexpr uint64_t kPoison = 0x5a5a5a5a5a5a5a5aull;   // "not written by the trap"

struct Mode {
    const char* name;
    Priv priv;
    bool virt;
};
constexpr Mode kModes[] = {{"M", Priv::M, false}, {"HS", Priv::S, false}, {"U", Priv::U, false},
                           {"VS", Priv::S, true}, {"VU", Priv::U, true}};

// The exceptions the spec lets each register delegate (its tables), written
// independently of the CSR code.
bool medeleg_writable(unsigned c) { return c <= 15 ? c != 11 && c != 14 : (c >= 20 && c <= 23); }
bool hedeleg_writable(unsigned c) { return c <= 8 || c == 12 || c == 13 || c == 15; }

uint64_t field(uint64_t reg, uint64_t mask) { return (reg & mask) / (mask & ~(mask << 1)); }

struct TrapMachine : RvMachine {
    explicit TrapMachine(HartConfig cfg = {}) : RvMachine(cfg) {
        grant_all_pmp();
        h().csr.stvec = kSTvec;
        h().csr.vstvec = kVSTvec;
        // An interrupt is taken before the instruction budget is counted:
        // step(1) takes it and runs the handler's first instruction, a nop
        // at every vector slot.
        for (uint64_t vec : {kTrapVec, kSTvec, kVSTvec})
            for (unsigned k = 0; k < 16; ++k) put32(vec + 4 * k, kNop);
    }
    // Execute `insn` at kRamBase in (p, v); the cause taken to M, or kNoTrap.
    uint64_t exec(Priv p, bool v, uint32_t insn) {
        put32(kRamBase, insn);
        h().pc = kRamBase;
        h().set_priv(p, v);
        h().csr.mcause = kNoTrap;
        step(1);
        return h().pc == kTrapVec ? h().csr.mcause : kNoTrap;
    }
};

} // namespace

TEST_CASE("exception routing for every cause x medeleg x hedeleg x mode", "[trap][routing]") {
    const unsigned causes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 20, 21, 22, 23};
    for (const Mode& mode : kModes) {
        for (unsigned c : causes) {
            for (int md = 0; md < 2; ++md) {
                for (int hd = 0; hd < 2; ++hd) {
                    for (int old_ie = 0; old_ie < 2; ++old_ie) {
                        TrapMachine m;
                        Hart& h = m.h();
                        auto& r = h.csr;
                        REQUIRE(h.csr_write(csr::medeleg, md ? (1ull << c) : 0, Priv::M));
                        REQUIRE(h.csr_write(csr::hedeleg, hd ? (1ull << c) : 0, Priv::M));
                        r.mtvec = kTrapVec | 1;   // vectored: exceptions still go to the base
                        r.stvec = kSTvec | 1;
                        r.vstvec = kVSTvec | 1;
                        const uint64_t ie = old_ie ? ~0ull : 0;
                        r.mstatus = (2ull << 32) | (2ull << 34) | (ie & (mstatus::MIE | mstatus::SIE)) |
                                    (old_ie ? 0 : mstatus::MPIE | mstatus::SPIE) | mstatus::SPP |
                                    (3ull << mstatus::MPP_SHIFT) | mstatus::MPV | mstatus::GVA;
                        r.vsstatus = (2ull << 32) | (ie & mstatus::SIE) | (old_ie ? 0 : mstatus::SPIE) | mstatus::SPP;
                        r.hstatus = (2ull << 32) | (old_ie ? hstatus::SPVP : 0) | hstatus::SPV;
                        r.mcause = r.mepc = r.mtval = r.mtval2 = r.mtinst = kPoison;
                        r.scause = r.sepc = r.stval = r.htval = r.htinst = kPoison;
                        r.vscause = r.vsepc = r.vstval = kPoison;
                        h.set_priv(mode.priv, mode.virt);
                        const uint64_t pc = kRamBase + 0x444;
                        h.pc = pc;
                        const uint64_t tval = 0x1000 + c, tval2 = 0x2000 + c, tinst = 0x3000 + c;
                        const bool gva = (c & 1) != 0;
                        const uint64_t hstatus0 = r.hstatus, mstatus0 = r.mstatus, vsstatus0 = r.vsstatus;

                        h.raise(c, tval, tval2, tinst, gva);

                        const bool to_hs_or_vs = mode.priv != Priv::M && md && medeleg_writable(c);
                        const bool to_vs = to_hs_or_vs && mode.virt && hd && hedeleg_writable(c);
                        const uint64_t nominal = static_cast<uint64_t>(mode.priv);
                        INFO("mode " << mode.name << " cause " << c << " medeleg " << md << " hedeleg " << hd
                                     << " old IE " << old_ie);
                        if (!to_hs_or_vs) {   // M
                            CHECK(h.pc == kTrapVec);
                            CHECK(h.priv == Priv::M);
                            CHECK(!h.virt);
                            CHECK(r.mcause == c);
                            CHECK(r.mepc == pc);
                            CHECK(r.mtval == tval);
                            CHECK(r.mtval2 == tval2);
                            CHECK(r.mtinst == tinst);
                            CHECK(field(r.mstatus, mstatus::MPP) == nominal);
                            CHECK(field(r.mstatus, mstatus::MPV) == (mode.virt ? 1u : 0u));
                            CHECK(field(r.mstatus, mstatus::MPIE) == uint64_t(old_ie));
                            CHECK(field(r.mstatus, mstatus::MIE) == 0);
                            CHECK(field(r.mstatus, mstatus::GVA) == (gva ? 1u : 0u));
                            // S-level state untouched.
                            CHECK((r.mstatus & (mstatus::SIE | mstatus::SPIE | mstatus::SPP)) ==
                                  (mstatus0 & (mstatus::SIE | mstatus::SPIE | mstatus::SPP)));
                            CHECK(r.scause == kPoison);
                            CHECK(r.htval == kPoison);
                            CHECK(r.vscause == kPoison);
                            CHECK(r.hstatus == hstatus0);
                            CHECK(r.vsstatus == vsstatus0);
                        } else if (!to_vs) {   // HS
                            CHECK(h.pc == kSTvec);
                            CHECK(h.priv == Priv::S);
                            CHECK(!h.virt);
                            CHECK(r.scause == c);
                            CHECK(r.sepc == pc);
                            CHECK(r.stval == tval);
                            CHECK(r.htval == tval2);
                            CHECK(r.htinst == tinst);
                            CHECK(field(r.hstatus, hstatus::SPV) == (mode.virt ? 1u : 0u));
                            // SPVP: the nominal privilege when V was 1, unchanged otherwise.
                            if (mode.virt) CHECK(field(r.hstatus, hstatus::SPVP) == (mode.priv == Priv::S ? 1u : 0u));
                            else CHECK(field(r.hstatus, hstatus::SPVP) == field(hstatus0, hstatus::SPVP));
                            CHECK(field(r.hstatus, hstatus::GVA) == (gva ? 1u : 0u));
                            CHECK(field(r.mstatus, mstatus::SPP) == (mode.priv == Priv::S ? 1u : 0u));
                            CHECK(field(r.mstatus, mstatus::SPIE) == uint64_t(old_ie));
                            CHECK(field(r.mstatus, mstatus::SIE) == 0);
                            // M-level state untouched.
                            CHECK((r.mstatus & (mstatus::MIE | mstatus::MPIE | mstatus::MPP | mstatus::MPV |
                                                mstatus::GVA)) == (mstatus0 & (mstatus::MIE | mstatus::MPIE |
                                                                               mstatus::MPP | mstatus::MPV |
                                                                               mstatus::GVA)));
                            CHECK(r.mcause == kPoison);
                            CHECK(r.mtval2 == kPoison);
                            CHECK(r.vscause == kPoison);
                            CHECK(r.vsstatus == vsstatus0);
                        } else {   // VS
                            CHECK(h.pc == kVSTvec);
                            CHECK(h.priv == Priv::S);
                            CHECK(h.virt);
                            CHECK(r.vscause == c);
                            CHECK(r.vsepc == pc);
                            CHECK(r.vstval == tval);
                            CHECK(field(r.vsstatus, mstatus::SPP) == (mode.priv == Priv::S ? 1u : 0u));
                            CHECK(field(r.vsstatus, mstatus::SPIE) == uint64_t(old_ie));
                            CHECK(field(r.vsstatus, mstatus::SIE) == 0);
                            CHECK(r.mstatus == mstatus0);
                            CHECK(r.hstatus == hstatus0);
                            CHECK(r.mcause == kPoison);
                            CHECK(r.scause == kPoison);
                            CHECK(r.htval == kPoison);
                            CHECK(r.htinst == kPoison);
                        }
                    }
                }
            }
        }
    }
}

TEST_CASE("write_tinst = false makes mtinst/htinst read 0 after a trap", "[trap]") {
    HartConfig cfg;
    cfg.write_tinst = false;
    TrapMachine m(cfg);
    m.h().set_priv(Priv::S, true);
    m.h().raise(cause::LOAD_GUEST_PAGE_FAULT, 0x1234, 0x5678 >> 2, 0x3003, true);
    CHECK(m.h().csr.mtinst == 0);
    CHECK(m.h().csr.mtval2 == (0x5678 >> 2));
    REQUIRE(m.h().csr_write(csr::medeleg, 1u << cause::LOAD_GUEST_PAGE_FAULT, Priv::M));
    m.h().set_priv(Priv::S, true);
    m.h().raise(cause::LOAD_GUEST_PAGE_FAULT, 0x1234, 0x5678 >> 2, 0x3003, true);
    CHECK(m.h().csr.htinst == 0);
    CHECK(m.h().csr.htval == (0x5678 >> 2));
}

TEST_CASE("environment calls raise the cause of the mode they come from", "[trap]") {
    TrapMachine m;
    CHECK(m.exec(Priv::M, false, kEcall) == cause::ECALL_M);
    CHECK(m.exec(Priv::S, false, kEcall) == cause::ECALL_S);
    CHECK(m.exec(Priv::U, false, kEcall) == cause::ECALL_U);
    CHECK(m.exec(Priv::S, true, kEcall) == cause::ECALL_VS);
    CHECK(m.exec(Priv::U, true, kEcall) == cause::ECALL_U);   // "from U-mode or VU-mode"
    CHECK(m.h().csr.mtval == 0);
    CHECK(m.h().csr.mepc == kRamBase);
    CHECK(field(m.h().csr.mstatus, mstatus::MPV) == 1);
}

// ---- interrupts -------------------------------------------------------------

namespace {

// Make interrupt `n` pending through its real source.
void make_pending(Hart& h, unsigned n) {
    switch (n) {
    case irq::MEI: case irq::MSI: case irq::SEI: h.set_irq_line(n, true); break;
    case irq::MTI: h.set_mtimecmp(0); break;
    case irq::SSI: case irq::STI: h.csr.mip_sw |= irq::bit(n); break;
    case irq::VSSI: case irq::VSTI: case irq::VSEI: h.csr.hvip |= irq::bit(n); break;
    case irq::SGEI:
        h.set_hgeip(1u << 1);
        h.csr.hgeie = 1u << 1;
        break;
    }
}
void clear_pending(Hart& h, unsigned n) {
    switch (n) {
    case irq::MEI: case irq::MSI: case irq::SEI: h.set_irq_line(n, false); break;
    case irq::MTI: h.set_mtimecmp(~0ull); break;
    case irq::SSI: case irq::STI: h.csr.mip_sw &= ~irq::bit(n); break;
    case irq::VSSI: case irq::VSTI: case irq::VSEI: h.csr.hvip &= ~irq::bit(n); break;
    case irq::SGEI: h.set_hgeip(0); break;
    }
}
uint64_t pending(const Hart& h) {
    uint64_t c = 0;
    return h.pending_interrupt(c) ? c : kNoTrap;
}
constexpr uint64_t intr(unsigned n) { return cause::INTERRUPT | n; }

} // namespace

TEST_CASE("interrupt priority: MEI MSI MTI SEI SSI STI SGEI VSEI VSSI VSTI", "[trap][irq]") {
    const unsigned order[] = {irq::MEI, irq::MSI, irq::MTI, irq::SEI, irq::SSI, irq::STI,
                              irq::SGEI, irq::VSEI, irq::VSSI, irq::VSTI};
    SECTION("nothing delegated below M except what must be (VU: every level enabled)") {
        TrapMachine m;
        Hart& h = m.h();
        h.csr.mie = ~0ull;
        h.set_priv(Priv::U, true);
        for (unsigned n : order) make_pending(h, n);
        for (unsigned n : order) {
            INFO("expect " << n);
            CHECK(pending(h) == intr(n));
            clear_pending(h, n);
        }
        CHECK(pending(h) == kNoTrap);
    }
    SECTION("S interrupts delegated and VS interrupts to VS: still level by level") {
        TrapMachine m;
        Hart& h = m.h();
        h.csr.mie = ~0ull;
        REQUIRE(h.csr_write(csr::mideleg, irq::S_MASK, Priv::M));
        REQUIRE(h.csr_write(csr::hideleg, irq::VS_MASK, Priv::M));
        h.set_priv(Priv::U, true);
        for (unsigned n : order) make_pending(h, n);
        for (unsigned n : order) {
            INFO("expect " << n);
            CHECK(pending(h) == intr(n));
            clear_pending(h, n);
        }
    }
    SECTION("an enabled M interrupt beats a higher-priority delegated one") {
        TrapMachine m;
        Hart& h = m.h();
        h.csr.mie = ~0ull;
        REQUIRE(h.csr_write(csr::mideleg, irq::bit(irq::SEI), Priv::M));
        h.set_priv(Priv::S, false);
        make_pending(h, irq::SEI);
        make_pending(h, irq::STI);   // not delegated: M-level
        CHECK(pending(h) == intr(irq::STI));
    }
}

TEST_CASE("interrupt enabling rules", "[trap][irq]") {
    TrapMachine m;
    Hart& h = m.h();
    auto& r = h.csr;
    SECTION("M interrupts: below M always, in M only with MIE") {
        r.mie = irq::bit(irq::MTI);
        make_pending(h, irq::MTI);
        h.set_priv(Priv::M, false);
        CHECK(pending(h) == kNoTrap);
        r.mstatus |= mstatus::MIE;
        CHECK(pending(h) == intr(irq::MTI));
        r.mstatus &= ~mstatus::MIE;
        for (const Mode& md : kModes) {
            if (md.priv == Priv::M) continue;
            h.set_priv(md.priv, md.virt);
            INFO(md.name);
            CHECK(pending(h) == intr(irq::MTI));
        }
        r.mie = 0;   // mie gates every level
        CHECK(pending(h) == kNoTrap);
    }
    SECTION("HS interrupts: never in M, in HS with SIE, always in U and with V=1") {
        REQUIRE(h.csr_write(csr::mideleg, irq::S_MASK, Priv::M));
        r.mie = irq::bit(irq::SSI);
        make_pending(h, irq::SSI);
        r.mstatus |= mstatus::MIE | mstatus::SIE;
        h.set_priv(Priv::M, false);
        CHECK(pending(h) == kNoTrap);
        h.set_priv(Priv::S, false);
        CHECK(pending(h) == intr(irq::SSI));
        r.mstatus &= ~mstatus::SIE;
        CHECK(pending(h) == kNoTrap);
        h.set_priv(Priv::U, false);
        CHECK(pending(h) == intr(irq::SSI));
        h.set_priv(Priv::S, true);
        CHECK(pending(h) == intr(irq::SSI));
        h.set_priv(Priv::U, true);
        CHECK(pending(h) == intr(irq::SSI));
    }
    SECTION("VS interrupts not delegated by hideleg are HS interrupts") {
        r.mie = irq::bit(irq::VSTI);
        make_pending(h, irq::VSTI);
        h.set_priv(Priv::S, false);
        CHECK(pending(h) == kNoTrap);   // SIE = 0
        h.set_priv(Priv::S, true);
        CHECK(pending(h) == intr(irq::VSTI));
    }
    SECTION("VS interrupts: only with V=1, and in VS only with vsstatus.SIE") {
        REQUIRE(h.csr_write(csr::hideleg, irq::VS_MASK, Priv::M));
        r.mie = irq::bit(irq::VSEI);
        make_pending(h, irq::VSEI);
        r.mstatus |= mstatus::SIE | mstatus::MIE;
        for (Priv p : {Priv::M, Priv::S, Priv::U}) {
            h.set_priv(p, false);
            CHECK(pending(h) == kNoTrap);
        }
        h.set_priv(Priv::S, true);
        CHECK(pending(h) == kNoTrap);   // vsstatus.SIE = 0
        r.vsstatus |= mstatus::SIE;
        CHECK(pending(h) == intr(irq::VSEI));
        r.vsstatus &= ~mstatus::SIE;
        h.set_priv(Priv::U, true);
        CHECK(pending(h) == intr(irq::VSEI));
    }
}

TEST_CASE("interrupt trap entry: targets, vectored mode, VS cause translation", "[trap][irq]") {
    TrapMachine m;
    Hart& h = m.h();
    auto& r = h.csr;
    r.mtvec = kTrapVec | 1;
    r.stvec = kSTvec | 1;
    r.vstvec = kVSTvec | 1;
    m.put32(kRamBase, kNop);
    h.pc = kRamBase;
    SECTION("M: vectored to base + 4 * cause") {
        r.mie = irq::bit(irq::MSI);
        make_pending(h, irq::MSI);
        h.set_priv(Priv::S, true);
        m.step(1);
        CHECK(h.pc == kTrapVec + 4 * irq::MSI + 4);
        CHECK(r.mcause == intr(irq::MSI));
        CHECK(r.mepc == kRamBase);
        CHECK(r.mtval == 0);
        CHECK(field(r.mstatus, mstatus::MPV) == 1);
        CHECK(field(r.mstatus, mstatus::MPP) == 1);
        CHECK(field(r.mstatus, mstatus::GVA) == 0);
    }
    SECTION("HS: a VS interrupt without hideleg keeps its own code") {
        r.mie = irq::bit(irq::VSEI);
        make_pending(h, irq::VSEI);   // through hvip
        h.set_priv(Priv::U, true);
        m.step(1);
        CHECK(h.pc == kSTvec + 4 * irq::VSEI + 4);
        CHECK(r.scause == intr(irq::VSEI));
        CHECK(h.priv == Priv::S);
        CHECK(!h.virt);
        CHECK(field(r.hstatus, hstatus::SPV) == 1);
        CHECK(field(r.hstatus, hstatus::SPVP) == 0);
        CHECK(field(r.mstatus, mstatus::SPP) == 0);
    }
    SECTION("VS: VSSI/VSTI/VSEI are seen as SSI/STI/SEI") {
        REQUIRE(h.csr_write(csr::hideleg, irq::VS_MASK, Priv::M));
        r.vsstatus |= mstatus::SIE;
        const struct {
            unsigned n, vcode;
        } cases[] = {{irq::VSSI, 1}, {irq::VSTI, 5}, {irq::VSEI, 9}};
        for (const auto& c : cases) {
            INFO("interrupt " << c.n);
            r.mie = irq::bit(c.n);
            r.hvip = irq::bit(c.n);
            r.vsstatus |= mstatus::SIE;
            h.pc = kRamBase;
            h.set_priv(Priv::S, true);
            m.step(1);
            CHECK(h.pc == kVSTvec + 4 * c.vcode + 4);
            CHECK(r.vscause == intr(c.vcode));
            CHECK(r.vsepc == kRamBase);
            CHECK(h.virt);
            CHECK(h.priv == Priv::S);
            CHECK(field(r.vsstatus, mstatus::SPIE) == 1);
            CHECK(field(r.vsstatus, mstatus::SIE) == 0);
            CHECK(field(r.vsstatus, mstatus::SPP) == 1);
        }
        CHECK(r.scause == 0);
        CHECK(r.mcause == 0);
    }
    SECTION("hgeip/hgeie raise SGEI to HS; hgeip[VGEIN] is VSEI to VS") {
        REQUIRE(h.csr_write(csr::hideleg, irq::VS_MASK, Priv::M));
        REQUIRE(h.csr_write(csr::hstatus, 2ull << hstatus::VGEIN_SHIFT, Priv::M));
        r.vsstatus |= mstatus::SIE;
        r.mie = irq::bit(irq::SGEI) | irq::bit(irq::VSEI);
        h.set_hgeip(1u << 2);
        h.set_priv(Priv::S, true);
        CHECK(pending(h) == intr(irq::VSEI));   // hgeie clear: no SGEI
        r.hgeie = 1u << 2;
        CHECK(pending(h) == intr(irq::SGEI));   // HS level first
        m.step(1);
        CHECK(r.scause == intr(irq::SGEI));
        CHECK(h.pc == kSTvec + 4 * irq::SGEI + 4);
        h.set_hgeip(1u << 3);   // another guest's line: no VSEI for this one
        r.hgeie = 0;
        h.set_priv(Priv::S, true);
        CHECK(pending(h) == kNoTrap);
    }
}

TEST_CASE("WFI: TW and VTW", "[trap][wfi]") {
    // A fresh hart per case: a WFI that completes leaves the hart waiting.
    auto wfi = [](Priv p, bool v, uint64_t mstatus_bits, uint64_t hstatus_bits) {
        TrapMachine m;
        m.h().csr.mstatus |= mstatus_bits;
        m.h().csr.hstatus |= hstatus_bits;
        const uint64_t c = m.exec(p, v, kWfi);
        if (c == kNoTrap) CHECK(m.h().waiting_for_interrupt());
        else CHECK(m.h().csr.mtval == kWfi);
        return c;
    };
    CHECK(wfi(Priv::M, false, 0, 0) == kNoTrap);
    CHECK(wfi(Priv::S, false, 0, 0) == kNoTrap);
    CHECK(wfi(Priv::U, false, 0, 0) == I);
    CHECK(wfi(Priv::S, true, 0, 0) == kNoTrap);
    CHECK(wfi(Priv::U, true, 0, 0) == VI);
    CHECK(wfi(Priv::S, true, 0, hstatus::VTW) == VI);
    CHECK(wfi(Priv::S, false, 0, hstatus::VTW) == kNoTrap);
    CHECK(wfi(Priv::S, true, mstatus::TW, hstatus::VTW) == I);   // TW wins over VTW
    CHECK(wfi(Priv::S, true, mstatus::TW, 0) == I);
    CHECK(wfi(Priv::U, true, mstatus::TW, 0) == I);
    CHECK(wfi(Priv::S, false, mstatus::TW, 0) == I);
    CHECK(wfi(Priv::M, false, mstatus::TW, 0) == kNoTrap);
}

TEST_CASE("WFI waits for a pending enabled interrupt, even a globally disabled one", "[trap][wfi]") {
    TrapMachine m;
    Hart& h = m.h();
    m.program({kWfi, kNop, kNop});
    CHECK(m.step(10) == StopReason::Wfi);
    CHECK(h.pc == kRamBase + 4);
    CHECK(h.waiting_for_interrupt());
    h.csr.mie = irq::bit(irq::MSI);   // MIE stays 0: wakes up without taking it
    h.set_irq_line(irq::MSI, true);
    m.step(1);
    CHECK(!h.waiting_for_interrupt());
    CHECK(h.pc == kRamBase + 8);
    CHECK(h.csr.mcause == 0);
}

TEST_CASE("xRET instructions", "[trap][xret]") {
    TrapMachine m;
    Hart& h = m.h();
    auto& r = h.csr;
    const uint64_t target = kRamBase + 0x800;
    m.put32(target, kNop);
    auto run_xret = [&](Priv p, bool v, uint32_t insn) { return m.exec(p, v, insn); };
    SECTION("mret to VS with MPV") {
        r.mepc = target;
        r.mstatus = (r.mstatus & ~mstatus::MPP) | (1ull << mstatus::MPP_SHIFT) | mstatus::MPV | mstatus::MPIE |
                    mstatus::MPRV;
        CHECK(run_xret(Priv::M, false, kMret) == kNoTrap);
        CHECK(h.pc == target);
        CHECK(h.priv == Priv::S);
        CHECK(h.virt);
        CHECK(field(r.mstatus, mstatus::MPV) == 0);
        CHECK(field(r.mstatus, mstatus::MPP) == 0);
        CHECK(field(r.mstatus, mstatus::MIE) == 1);
        CHECK(field(r.mstatus, mstatus::MPIE) == 1);
        CHECK(field(r.mstatus, mstatus::MPRV) == 0);
    }
    SECTION("mret to VU, and to M ignoring MPV") {
        r.mepc = target;
        r.mstatus = (r.mstatus & ~mstatus::MPP) | mstatus::MPV;
        CHECK(run_xret(Priv::M, false, kMret) == kNoTrap);
        CHECK(h.priv == Priv::U);
        CHECK(h.virt);
        r.mstatus |= mstatus::MPP | mstatus::MPV | mstatus::MPRV;
        CHECK(run_xret(Priv::M, false, kMret) == kNoTrap);
        CHECK(h.priv == Priv::M);
        CHECK(!h.virt);
        CHECK(field(r.mstatus, mstatus::MPRV) == 1);   // MPP = M keeps MPRV
    }
    SECTION("sret from HS into V=1 with hstatus.SPV") {
        r.sepc = target;
        r.hstatus |= hstatus::SPV | hstatus::SPVP;
        r.mstatus |= mstatus::SPP | mstatus::SPIE;
        CHECK(run_xret(Priv::S, false, kSret) == kNoTrap);
        CHECK(h.pc == target);
        CHECK(h.priv == Priv::S);
        CHECK(h.virt);
        CHECK(field(r.hstatus, hstatus::SPV) == 0);
        CHECK(field(r.hstatus, hstatus::SPVP) == 1);   // unchanged
        CHECK(field(r.mstatus, mstatus::SPP) == 0);
        CHECK(field(r.mstatus, mstatus::SIE) == 1);
        CHECK(field(r.mstatus, mstatus::SPIE) == 1);
    }
    SECTION("sret from HS to U (SPV = 0)") {
        r.sepc = target;
        CHECK(run_xret(Priv::S, false, kSret) == kNoTrap);
        CHECK(h.priv == Priv::U);
        CHECK(!h.virt);
    }
    SECTION("sret in VS uses the VS registers") {
        r.vsepc = target;
        r.sepc = kRamBase + 0x900;
        r.vsstatus |= mstatus::SPIE;   // SPP = 0: to VU
        const uint64_t ms = r.mstatus;
        CHECK(run_xret(Priv::S, true, kSret) == kNoTrap);
        CHECK(h.pc == target);
        CHECK(h.priv == Priv::U);
        CHECK(h.virt);
        CHECK(field(r.vsstatus, mstatus::SIE) == 1);
        CHECK(r.mstatus == ms);
    }
    SECTION("who may execute sret and mret") {
        CHECK(run_xret(Priv::U, false, kSret) == I);
        CHECK(run_xret(Priv::U, true, kSret) == VI);
        r.mstatus |= mstatus::TSR;
        CHECK(run_xret(Priv::S, false, kSret) == I);
        r.vsepc = kRamBase + 0x800;
        CHECK(run_xret(Priv::S, true, kSret) == kNoTrap);   // TSR does not apply to VS
        r.hstatus |= hstatus::VTSR;
        CHECK(run_xret(Priv::S, true, kSret) == VI);
        CHECK(r.mtval == kSret);
        CHECK(run_xret(Priv::S, false, kMret) == I);
        CHECK(run_xret(Priv::S, true, kMret) == I);         // not allowed in HS either: illegal
        CHECK(run_xret(Priv::U, true, kMret) == I);
    }
}

TEST_CASE("hypervisor instructions: virtual from V=1, illegal from U without HU", "[trap][hyp]") {
    TrapMachine m;
    const uint32_t hfence_gvma = 0x62000073, hfence_vvma = 0x22000073, sfence_vma = 0x12000073;
    CHECK(m.exec(Priv::S, true, hfence_gvma) == VI);
    CHECK(m.exec(Priv::U, true, hfence_vvma) == VI);
    CHECK(m.exec(Priv::U, false, hfence_vvma) == I);
    CHECK(m.exec(Priv::S, false, hfence_vvma) == kNoTrap);
    CHECK(m.exec(Priv::S, false, hfence_gvma) == kNoTrap);
    m.h().csr.mstatus |= mstatus::TVM;
    CHECK(m.exec(Priv::S, false, hfence_gvma) == I);
    CHECK(m.exec(Priv::S, false, sfence_vma) == I);
    CHECK(m.exec(Priv::S, true, sfence_vma) == kNoTrap);
    m.h().csr.hstatus |= hstatus::VTVM;
    CHECK(m.exec(Priv::S, true, sfence_vma) == VI);
    CHECK(m.exec(Priv::U, false, sfence_vma) == I);
    CHECK(m.exec(Priv::U, true, sfence_vma) == VI);
    const uint32_t hlv_w = 0x68054573;   // hlv.w a0, (a0)
    m.h().x[10] = kData;
    CHECK(m.exec(Priv::S, true, hlv_w) == VI);
    CHECK(m.exec(Priv::U, true, hlv_w) == VI);
    CHECK(m.exec(Priv::U, false, hlv_w) == I);
    m.h().csr.hstatus |= hstatus::HU;
    CHECK(m.exec(Priv::U, false, hfence_vvma) == I);   // HU grants HLV/HSV only
    m.put64(kData, 0xfffffffe80000001ull);
    m.h().x[10] = kData;
    CHECK(m.exec(Priv::U, false, hlv_w) == kNoTrap);
    CHECK(m.h().x[10] == 0xffffffff80000001ull);
}

// ---- hosted mode ---------------------------------------------------------------

TEST_CASE("hosted: a trap to HS stops run() and sret() resumes the guest", "[trap][hosted]") {
    HartConfig cfg;
    cfg.hosted = true;
    TrapMachine m(cfg);
    Hart& h = m.h();
    const uint64_t guest = kRamBase + 0x3000;
    m.program({addi(10, 0, 1), kEcall, addi(10, 10, 1), 0x0000000b, kEbreak, kEbreak}, guest);
    m.put32(kVSTvec, addi(11, 0, 7));   // the guest's own handler
    m.put32(kVSTvec + 4, kEbreak);
    REQUIRE(h.csr_write(csr::medeleg, (1u << cause::ECALL_VS) | (1u << cause::ILLEGAL_INSN) |
                                          (1u << cause::BREAKPOINT), Priv::M));
    REQUIRE(h.csr_write(csr::hedeleg, 1u << cause::BREAKPOINT, Priv::M));
    // HS software enters the guest.
    h.set_priv(Priv::S, false);
    REQUIRE(h.csr_write(csr::hstatus, hstatus::SPV));
    REQUIRE(h.csr_write(csr::sstatus, mstatus::SPP));
    REQUIRE(h.csr_write(csr::sepc, guest));
    h.sret();
    CHECK(h.pc == guest);
    CHECK(h.priv == Priv::S);
    CHECK(h.virt);

    CHECK(h.run(100) == StopReason::Trap);
    uint64_t v = 0;
    CHECK(h.priv == Priv::S);
    CHECK(!h.virt);
    REQUIRE(h.csr_read(csr::scause, v));
    CHECK(v == cause::ECALL_VS);
    REQUIRE(h.csr_read(csr::sepc, v));
    CHECK(v == guest + 4);
    REQUIRE(h.csr_read(csr::hstatus, v));
    CHECK((v & hstatus::SPV) != 0);
    CHECK((v & hstatus::SPVP) != 0);
    CHECK(h.x[10] == 1);

    REQUIRE(h.csr_write(csr::sepc, guest + 8));   // skip the ecall
    h.sret();
    CHECK(h.pc == guest + 8);
    CHECK(h.virt);
    CHECK(h.run(100) == StopReason::Trap);
    CHECK(h.x[10] == 2);
    REQUIRE(h.csr_read(csr::scause, v));
    CHECK(v == cause::ILLEGAL_INSN);
    REQUIRE(h.csr_read(csr::stval, v));
    CHECK(v == 0x0000000b);
    REQUIRE(h.csr_read(csr::sepc, v));
    CHECK(v == guest + 12);

    // A trap delegated to VS is the guest's business: run() goes on, and
    // the guest handler's own ebreak (also VS's) keeps it busy.
    REQUIRE(h.csr_write(csr::sepc, guest + 16));
    h.sret();
    CHECK(h.run(3) == StopReason::Budget);
    CHECK(h.virt);
    CHECK(h.x[11] == 7);
    CHECK(h.csr.vscause == cause::BREAKPOINT);
    CHECK(h.csr.vsepc == kVSTvec + 4);

    // A trap to M stops too.
    REQUIRE(h.csr_write(csr::medeleg, 0, Priv::M));
    h.pc = guest + 16;
    h.set_priv(Priv::S, true);
    CHECK(h.run(5) == StopReason::Trap);
    CHECK(h.priv == Priv::M);
    CHECK(h.csr.mcause == cause::BREAKPOINT);
    CHECK(field(h.csr.mstatus, mstatus::MPV) == 1);
}

} // namespace hvemu::rv
