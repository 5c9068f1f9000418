// CSRs: the WARL rules of the M, S, H and VS registers, the access rules
// (privilege, read-only, counter enables, TVM/VTVM, Sstc) with the exact
// exception an access raises (illegal vs virtual instruction), and the
// V=1 redirection of supervisor CSRs to their VS counterparts.
#include <catch2/catch.hpp>

#include "tests/isa/rv_test_util.hpp"

namespace hvemu::rv {
namespace {

using namespace test;

constexpr unsigned A0 = 10, A1 = 11, A2 = 12;
constexpr uint64_t kNoTrap = ~0ull;

// A machine whose S/U/VS/VU code may run: PMP grants everything and
// every trap goes to M (medeleg = mideleg's S bits = 0).
struct CsrMachine : RvMachine {
    CsrMachine() { grant_all_pmp(); }
    uint64_t rd(uint16_t a) { return h().read_csr(a); }
    void wr(uint16_t a, uint64_t v) { REQUIRE(h().csr_write(a, v, Priv::M)); }

    // Execute `insn` once at kRamBase in (p, v). Returns the exception
    // cause taken to M, or kNoTrap. A trap's mtval must be the
    // instruction bits for illegal and virtual instruction exceptions.
    uint64_t exec(Priv p, bool v, uint32_t insn) {
        put32(kRamBase, insn);
        h().pc = kRamBase;
        h().set_priv(p, v);
        h().csr.mcause = kNoTrap;
        step(1);
        if (h().pc != kTrapVec) {
            REQUIRE(h().pc == kRamBase + 4);
            REQUIRE(h().priv == p);
            REQUIRE(h().virt == v);
            return kNoTrap;
        }
        if (h().csr.mcause == cause::ILLEGAL_INSN || h().csr.mcause == cause::VIRTUAL_INSN)
            CHECK(h().csr.mtval == insn);
        return h().csr.mcause;
    }
    // csrr a2, csr (read only) / csrw csr, a0 (write only) from (p, v).
    uint64_t read_from(Priv p, bool v, uint16_t a) { return exec(p, v, csrr(A2, a)); }
    uint64_t write_from(Priv p, bool v, uint16_t a, uint64_t val) {
        h().x[A0] = val;
        return exec(p, v, csrrw(0, a, A0));
    }
};

constexpr uint64_t I = cause::ILLEGAL_INSN, VI = cause::VIRTUAL_INSN;

} // namespace

TEST_CASE("misa is read-only RV64 ACDFHIMSU", "[csr]") {
    CsrMachine m;
    const uint64_t want = (2ull << 62) | 0x1411ad;   // bits 0 2 3 5 7 8 12 18 20
    CHECK(m.rd(csr::misa) == want);
    m.wr(csr::misa, 0);
    CHECK(m.rd(csr::misa) == want);
    CHECK(m.write_from(Priv::M, false, csr::misa, 0) == kNoTrap);   // WARL: the write is legal
    CHECK(m.rd(csr::misa) == want);
}

TEST_CASE("mstatus WARL fields", "[csr][mstatus]") {
    CsrMachine m;
    SECTION("MPP = 2 (reserved) is not taken") {
        m.wr(csr::mstatus, 1ull << mstatus::MPP_SHIFT);
        m.wr(csr::mstatus, 2ull << mstatus::MPP_SHIFT);
        CHECK(((m.rd(csr::mstatus) & mstatus::MPP) >> mstatus::MPP_SHIFT) != 2);
        m.wr(csr::mstatus, 3ull << mstatus::MPP_SHIFT);
        CHECK(((m.rd(csr::mstatus) & mstatus::MPP) >> mstatus::MPP_SHIFT) == 3);
    }
    SECTION("SXL and UXL read 2 and ignore writes") {
        CHECK(((m.rd(csr::mstatus) >> 34) & 3) == 2);
        CHECK(((m.rd(csr::mstatus) >> 32) & 3) == 2);
        m.wr(csr::mstatus, 0);
        CHECK(((m.rd(csr::mstatus) >> 34) & 3) == 2);
        CHECK(((m.rd(csr::mstatus) >> 32) & 3) == 2);
        CHECK(((m.rd(csr::sstatus) >> 32) & 3) == 2);
        CHECK(((m.rd(csr::vsstatus) >> 32) & 3) == 2);
        CHECK(((m.rd(csr::hstatus) >> 32) & 3) == 2);   // VSXL
        m.wr(csr::hstatus, 0);
        CHECK(((m.rd(csr::hstatus) >> 32) & 3) == 2);
    }
    SECTION("SD follows FS") {
        m.wr(csr::mstatus, 3ull << mstatus::FS_SHIFT);
        CHECK((m.rd(csr::mstatus) & mstatus::SD) != 0);
        CHECK((m.rd(csr::sstatus) & mstatus::SD) != 0);
        m.wr(csr::mstatus, 1ull << mstatus::FS_SHIFT);
        CHECK((m.rd(csr::mstatus) & mstatus::SD) == 0);
        CHECK((m.rd(csr::sstatus) & mstatus::SD) == 0);
        m.wr(csr::vsstatus, 3ull << mstatus::FS_SHIFT);
        CHECK((m.rd(csr::vsstatus) & mstatus::SD) != 0);
        m.wr(csr::vsstatus, 2ull << mstatus::FS_SHIFT);
        CHECK((m.rd(csr::vsstatus) & mstatus::SD) == 0);
        m.wr(csr::mstatus, mstatus::SD);   // SD itself is read-only
        CHECK((m.rd(csr::mstatus) & mstatus::SD) == 0);
    }
    SECTION("XS and VS (no extensions behind them) read 0") {
        m.wr(csr::mstatus, ~0ull);
        CHECK((m.rd(csr::mstatus) & (mstatus::XS | mstatus::VS)) == 0);
        CHECK((m.rd(csr::mstatus) & (mstatus::UBE | mstatus::SBE | mstatus::MBE)) == 0);
    }
    SECTION("sstatus is a view of mstatus") {
        m.wr(csr::mstatus, ~0ull & ~(2ull << mstatus::MPP_SHIFT));
        const uint64_t ms = m.rd(csr::mstatus);
        const uint64_t ss = m.rd(csr::sstatus);
        CHECK((ss & ~mstatus::SSTATUS_MASK) == 0);
        CHECK(ss == (ms & mstatus::SSTATUS_MASK));
        CHECK((ss & (mstatus::SIE | mstatus::SPIE | mstatus::SPP | mstatus::SUM | mstatus::MXR)) ==
              (mstatus::SIE | mstatus::SPIE | mstatus::SPP | mstatus::SUM | mstatus::MXR));
        // Writing sstatus leaves the M-only fields alone.
        m.wr(csr::mstatus, mstatus::MIE | mstatus::MPIE | (3ull << mstatus::MPP_SHIFT) | mstatus::TVM | mstatus::MPRV);
        m.wr(csr::sstatus, ~0ull);
        const uint64_t after = m.rd(csr::mstatus);
        CHECK((after & mstatus::MIE) != 0);
        CHECK((after & mstatus::MPIE) != 0);
        CHECK((after & mstatus::MPP) == mstatus::MPP);
        CHECK((after & mstatus::TVM) != 0);
        CHECK((after & mstatus::MPRV) != 0);
        CHECK((after & (mstatus::SIE | mstatus::SPIE | mstatus::SPP | mstatus::SUM | mstatus::MXR | mstatus::FS)) ==
              (mstatus::SIE | mstatus::SPIE | mstatus::SPP | mstatus::SUM | mstatus::MXR | mstatus::FS));
        m.wr(csr::sstatus, 0);
        CHECK((m.rd(csr::mstatus) & (mstatus::MIE | mstatus::TVM)) == (mstatus::MIE | mstatus::TVM));
        CHECK((m.rd(csr::mstatus) & (mstatus::SIE | mstatus::SPP)) == 0);
    }
    SECTION("MPV and GVA are writable") {
        m.wr(csr::mstatus, mstatus::MPV | mstatus::GVA);
        CHECK((m.rd(csr::mstatus) & (mstatus::MPV | mstatus::GVA)) == (mstatus::MPV | mstatus::GVA));
    }
}

TEST_CASE("delegation registers: writable masks and read-only bits", "[csr][deleg]") {
    CsrMachine m;
    SECTION("mideleg: VS-level and SGEI delegated read-only one, M interrupts never") {
        m.wr(csr::mideleg, 0);
        CHECK(m.rd(csr::mideleg) == (irq::VS_MASK | irq::bit(irq::SGEI)));
        m.wr(csr::mideleg, ~0ull);
        CHECK(m.rd(csr::mideleg) == (irq::VS_MASK | irq::bit(irq::SGEI) | irq::S_MASK));
    }
    SECTION("medeleg: everything HS may take, ecall from M never") {
        m.wr(csr::medeleg, ~0ull);
        const uint64_t want = 0x7ff | (1u << 12) | (1u << 13) | (1u << 15) | (0xfull << 20);
        CHECK(m.rd(csr::medeleg) == want);
        CHECK((m.rd(csr::medeleg) & (1u << 10)) != 0);   // ecall from VS: the hypervisor's SBI calls
        CHECK((m.rd(csr::medeleg) & (1u << 11)) == 0);
    }
    SECTION("hedeleg: the spec's table (9, 10, 11, 20-23 read-only zero)") {
        m.wr(csr::hedeleg, ~0ull);
        CHECK(m.rd(csr::hedeleg) == (0x1ffu | (1u << 12) | (1u << 13) | (1u << 15)));
    }
    SECTION("hideleg: only the VS-level interrupts") {
        m.wr(csr::hideleg, ~0ull);
        CHECK(m.rd(csr::hideleg) == irq::VS_MASK);
    }
}

TEST_CASE("hstatus WARL fields", "[csr][hstatus]") {
    CsrMachine m;
    m.wr(csr::hstatus, 7ull << hstatus::VGEIN_SHIFT);
    CHECK(((m.rd(csr::hstatus) & hstatus::VGEIN) >> hstatus::VGEIN_SHIFT) == 7);
    m.wr(csr::hstatus, 8ull << hstatus::VGEIN_SHIFT);   // GEILEN = 7
    CHECK(((m.rd(csr::hstatus) & hstatus::VGEIN) >> hstatus::VGEIN_SHIFT) <= 7);
    m.wr(csr::hstatus, 63ull << hstatus::VGEIN_SHIFT);
    CHECK(((m.rd(csr::hstatus) & hstatus::VGEIN) >> hstatus::VGEIN_SHIFT) <= 7);
    m.wr(csr::hstatus, ~0ull);
    const uint64_t hs = m.rd(csr::hstatus);
    const uint64_t rw = hstatus::GVA | hstatus::SPV | hstatus::SPVP | hstatus::HU | hstatus::VTVM | hstatus::VTW |
                        hstatus::VTSR;
    CHECK((hs & rw) == rw);
    CHECK((hs & hstatus::VSBE) == 0);
    CHECK(((hs & hstatus::VSXL) >> 32) == 2);
    CHECK(m.rd(csr::hgeie) == 0);
    m.wr(csr::hgeie, ~0ull);
    CHECK(m.rd(csr::hgeie) == 0xfe);   // guest external interrupts 1..GEILEN; bit 0 is read-only zero
}

TEST_CASE("satp, vsatp, hgatp: unsupported modes are ignored", "[csr][atp]") {
    CsrMachine m;
    const uint64_t sv39 = (atp::MODE_SV39 << 60) | (5ull << atp::ASID_SHIFT) | 0x80123;
    for (uint16_t a : {csr::satp, csr::vsatp}) {
        INFO("csr " << std::hex << a);
        m.wr(a, sv39);
        CHECK(m.rd(a) == sv39);
        for (uint64_t mode : {1ull, 7ull, 10ull, 11ull, 15ull}) {
            m.wr(a, (mode << 60) | 0x1234);
            CHECK(m.rd(a) == sv39);
        }
        const uint64_t sv48 = (atp::MODE_SV48 << 60) | 0x42;
        m.wr(a, sv48);
        CHECK(m.rd(a) == sv48);
        m.wr(a, 0);
        CHECK(m.rd(a) == 0);
    }
    SECTION("hgatp: VMID 14 bits, PPN[1:0] zero") {
        const uint64_t g = (atp::MODE_SV39 << 60) | (0x3fffull << 44) | 0x803ff;
        m.wr(csr::hgatp, g);
        CHECK(m.rd(csr::hgatp) == (g & ~3ull));
        m.wr(csr::hgatp, (atp::MODE_SV48 << 60) | (0xffffull << 44) | 0x80000);
        CHECK(m.rd(csr::hgatp) == ((atp::MODE_SV48 << 60) | (0x3fffull << 44) | 0x80000));
        m.wr(csr::hgatp, (10ull << 60) | 0x1000);   // Sv57x4: not supported
        CHECK(m.rd(csr::hgatp) == ((atp::MODE_SV48 << 60) | (0x3fffull << 44) | 0x80000));
        m.wr(csr::hgatp, (1ull << 60));
        CHECK((m.rd(csr::hgatp) >> 60) == atp::MODE_SV48);
    }
}

TEST_CASE("trap vectors and exception PCs", "[csr]") {
    CsrMachine m;
    for (uint16_t a : {csr::mtvec, csr::stvec, csr::vstvec}) {
        INFO("csr " << std::hex << a);
        m.wr(a, kRamBase + 0x101);   // vectored
        CHECK(m.rd(a) == kRamBase + 0x101);
        m.wr(a, kRamBase + 0x202);   // mode 2: reserved
        CHECK((m.rd(a) & 3) != 2);
        m.wr(a, kRamBase + 0x303);   // mode 3: reserved
        CHECK((m.rd(a) & 3) != 3);
        m.wr(a, kRamBase + 0x400);
        CHECK(m.rd(a) == kRamBase + 0x400);
    }
    for (uint16_t a : {csr::mepc, csr::sepc, csr::vsepc}) {
        INFO("csr " << std::hex << a);
        m.wr(a, 0x80001235);
        CHECK(m.rd(a) == 0x80001234);   // IALIGN = 16: bit 0 is zero
        m.wr(a, ~0ull);
        CHECK(m.rd(a) == ~1ull);
    }
}

TEST_CASE("PMP configuration: reserved RW=01 and locked entries", "[csr][pmp]") {
    CsrMachine m;
    m.h().csr.pmpcfg[0] = 0;
    SECTION("R=0 W=1 is never stored") {
        m.wr(csr::pmpcfg0, 0x1a);   // NAPOT, W only
        const uint64_t v = m.rd(csr::pmpcfg0) & 0xff;
        CHECK(!((v & 1) == 0 && (v & 2) != 0));
        m.wr(csr::pmpcfg0, 0x0e << 8);   // entry 1: TOR? (0x08) | W | X
        const uint64_t v1 = (m.rd(csr::pmpcfg0) >> 8) & 0xff;
        CHECK(!((v1 & 1) == 0 && (v1 & 2) != 0));
    }
    SECTION("bits 6:5 are reserved (read zero)") {
        m.wr(csr::pmpcfg0, 0x7f);
        CHECK((m.rd(csr::pmpcfg0) & 0x60) == 0);
    }
    SECTION("a locked entry ignores writes to its cfg and address") {
        m.wr(csr::pmpaddr0 + 2, 0x1000);
        m.wr(csr::pmpcfg0, 0x89ull << 16);   // entry 2: L, TOR, R
        CHECK(((m.rd(csr::pmpcfg0) >> 16) & 0xff) == 0x89);
        m.wr(csr::pmpcfg0, 0);
        CHECK(((m.rd(csr::pmpcfg0) >> 16) & 0xff) == 0x89);
        m.wr(csr::pmpaddr0 + 2, 0x2000);
        CHECK(m.rd(csr::pmpaddr0 + 2) == 0x1000);
        // TOR: the entry below holds the range's base and is locked too.
        m.wr(csr::pmpaddr0 + 1, 0x3000);
        CHECK(m.rd(csr::pmpaddr0 + 1) == 0);
        // An unlocked neighbour in the same pmpcfg register still changes.
        m.wr(csr::pmpcfg0, 0x0bull << 24);
        CHECK(((m.rd(csr::pmpcfg0) >> 24) & 0xff) == 0x0b);
    }
    SECTION("odd pmpcfg registers do not exist on RV64") {
        CHECK(m.read_from(Priv::M, false, csr::pmpcfg0 + 1) == I);
        CHECK(m.read_from(Priv::M, false, csr::pmpcfg0 + 2) == kNoTrap);
    }
    SECTION("pmpaddr holds 54 bits") {
        m.wr(csr::pmpaddr0 + 5, ~0ull);
        CHECK(m.rd(csr::pmpaddr0 + 5) == (1ull << 54) - 1);
    }
}

TEST_CASE("privilege of CSR accesses: illegal vs virtual instruction", "[csr][access]") {
    CsrMachine m;
    SECTION("M-level CSRs from below M: illegal, also from VS") {
        for (uint16_t a : {csr::mstatus, csr::mepc, csr::mscratch, csr::medeleg, csr::mhartid, csr::pmpaddr0}) {
            INFO("csr " << std::hex << a);
            CHECK(m.read_from(Priv::S, false, a) == I);
            CHECK(m.read_from(Priv::S, true, a) == I);
            CHECK(m.read_from(Priv::U, false, a) == I);
            CHECK(m.read_from(Priv::U, true, a) == I);
            CHECK(m.read_from(Priv::M, false, a) == kNoTrap);
        }
    }
    SECTION("hypervisor and VS CSRs: virtual from VS and VU, illegal from U, allowed in HS") {
        for (uint16_t a : {csr::hstatus, csr::hedeleg, csr::hideleg, csr::hgatp, csr::hvip, csr::htval, csr::vsstatus,
                           csr::vsatp, csr::vsepc, csr::htimedelta, csr::hgeip}) {
            INFO("csr " << std::hex << a);
            CHECK(m.read_from(Priv::S, true, a) == VI);
            CHECK(m.read_from(Priv::U, true, a) == VI);
            CHECK(m.read_from(Priv::U, false, a) == I);
            CHECK(m.read_from(Priv::S, false, a) == kNoTrap);
        }
        CHECK(m.write_from(Priv::S, true, csr::hstatus, 0) == VI);
        CHECK(m.write_from(Priv::S, true, csr::vsscratch, 0) == VI);
    }
    SECTION("supervisor CSRs: virtual from VU, illegal from U") {
        for (uint16_t a : {csr::sstatus, csr::sscratch, csr::satp, csr::sip, csr::scounteren}) {
            INFO("csr " << std::hex << a);
            CHECK(m.read_from(Priv::U, true, a) == VI);
            CHECK(m.read_from(Priv::U, false, a) == I);
            CHECK(m.read_from(Priv::S, true, a) == kNoTrap);
            CHECK(m.read_from(Priv::S, false, a) == kNoTrap);
        }
    }
    SECTION("writes to read-only CSRs are illegal, even where reading is virtual") {
        CHECK(m.write_from(Priv::M, false, csr::mvendorid, 0) == I);
        CHECK(m.write_from(Priv::M, false, csr::mhartid, 0) == I);
        CHECK(m.write_from(Priv::M, false, csr::cycle, 0) == I);
        CHECK(m.write_from(Priv::S, false, csr::hgeip, 0) == I);
        CHECK(m.write_from(Priv::S, true, csr::hgeip, 0) == I);   // not allowed in HS either
        CHECK(m.write_from(Priv::U, true, csr::hgeip, 0) == I);
        // csrrs/csrrc with rs1 = x0 and csrrsi/csrrci with 0 do not write.
        CHECK(m.exec(Priv::M, false, csrrs(A2, csr::mvendorid, 0)) == kNoTrap);
        CHECK(m.exec(Priv::M, false, csrrc(A2, csr::mhartid, 0)) == kNoTrap);
        CHECK(m.exec(Priv::M, false, enc_i(op::SYSTEM, 6, A2, 0, csr::mimpid)) == kNoTrap);   // csrrsi x, 0
        CHECK(m.exec(Priv::M, false, enc_i(op::SYSTEM, 7, A2, 0, csr::cycle)) == kNoTrap);    // csrrci x, 0
        CHECK(m.exec(Priv::M, false, enc_i(op::SYSTEM, 5, 0, 0, csr::mimpid)) == I);          // csrrwi writes
        CHECK(m.exec(Priv::M, false, csrrs(A2, csr::mvendorid, A0)) == I);                    // rs1 != x0 writes
        CHECK(m.exec(Priv::M, false, 0xc0001073) == I);                                       // unimp
    }
    SECTION("absent CSRs are illegal from every mode") {
        for (uint16_t a : {csr::tselect, uint16_t{0x7b0}, uint16_t{0x5ff}, uint16_t{0x800}, uint16_t{0x6ff}}) {
            INFO("csr " << std::hex << a);
            CHECK(m.read_from(Priv::M, false, a) == I);
        }
        CHECK(m.read_from(Priv::S, true, 0x6ff) == I);   // no hypervisor CSR there: not virtual
    }
    SECTION("satp under TVM (HS) and VTVM (VS)") {
        m.h().csr.mstatus |= mstatus::TVM;
        CHECK(m.read_from(Priv::S, false, csr::satp) == I);
        CHECK(m.read_from(Priv::S, false, csr::hgatp) == I);
        CHECK(m.read_from(Priv::S, true, csr::satp) == kNoTrap);   // TVM does not apply to VS
        CHECK(m.read_from(Priv::M, false, csr::satp) == kNoTrap);
        CHECK(m.read_from(Priv::S, false, csr::vsatp) == kNoTrap);
        m.h().csr.mstatus &= ~mstatus::TVM;
        m.h().csr.hstatus |= hstatus::VTVM;
        CHECK(m.read_from(Priv::S, true, csr::satp) == VI);
        CHECK(m.read_from(Priv::S, false, csr::satp) == kNoTrap);
    }
    SECTION("floating-point CSRs need FS (and vsstatus.FS when V=1)") {
        m.h().csr.mstatus &= ~mstatus::FS;
        CHECK(m.read_from(Priv::M, false, csr::fcsr) == I);
        CHECK(m.read_from(Priv::U, false, csr::fflags) == I);
        m.h().csr.mstatus |= 1ull << mstatus::FS_SHIFT;
        CHECK(m.read_from(Priv::U, false, csr::frm) == kNoTrap);
        m.h().csr.vsstatus &= ~mstatus::FS;
        CHECK(m.read_from(Priv::S, true, csr::fcsr) == I);   // illegal, not virtual
        m.h().csr.vsstatus |= 1ull << mstatus::FS_SHIFT;
        CHECK(m.read_from(Priv::S, true, csr::fcsr) == kNoTrap);
    }
}

TEST_CASE("fcsr is frm and fflags; writing marks FS dirty", "[csr][fp]") {
    CsrMachine m;
    m.h().csr.mstatus |= 1ull << mstatus::FS_SHIFT;
    m.wr(csr::fcsr, 0xff);
    CHECK(m.rd(csr::fflags) == 0x1f);
    CHECK(m.rd(csr::frm) == 7);
    CHECK(m.rd(csr::fcsr) == 0xff);
    CHECK((m.rd(csr::mstatus) & mstatus::FS) == mstatus::FS);
    CHECK((m.rd(csr::mstatus) & mstatus::SD) != 0);
    m.wr(csr::frm, 0x1a);
    CHECK(m.rd(csr::fcsr) == ((2u << 5) | 0x1f));
}

TEST_CASE("counters: mcounteren, hcounteren, scounteren gate cycle/time/instret", "[csr][counters]") {
    CsrMachine m;
    auto& c = m.h().csr;
    for (unsigned bit = 0; bit < 4; ++bit) {
        const uint16_t a = static_cast<uint16_t>(csr::cycle + bit);   // cycle, time, instret, hpmcounter3
        const uint64_t b = 1ull << bit;
        INFO("counter " << std::hex << a);
        c.mcounteren = c.hcounteren = c.scounteren = 0;
        CHECK(m.read_from(Priv::M, false, a) == kNoTrap);
        CHECK(m.read_from(Priv::S, false, a) == I);
        CHECK(m.read_from(Priv::U, false, a) == I);
        CHECK(m.read_from(Priv::S, true, a) == I);    // mcounteren clear: illegal even from VS
        CHECK(m.read_from(Priv::U, true, a) == I);
        c.mcounteren = b;
        CHECK(m.read_from(Priv::S, false, a) == kNoTrap);
        CHECK(m.read_from(Priv::U, false, a) == I);   // scounteren clear
        CHECK(m.read_from(Priv::S, true, a) == VI);   // hcounteren clear
        CHECK(m.read_from(Priv::U, true, a) == VI);
        c.hcounteren = b;
        CHECK(m.read_from(Priv::S, true, a) == kNoTrap);
        CHECK(m.read_from(Priv::U, true, a) == VI);   // scounteren clear
        c.scounteren = b;
        CHECK(m.read_from(Priv::U, true, a) == kNoTrap);
        CHECK(m.read_from(Priv::U, false, a) == kNoTrap);
        c.hcounteren = 0;
        CHECK(m.read_from(Priv::U, false, a) == kNoTrap);   // hcounteren only matters with V=1
        CHECK(m.read_from(Priv::U, true, a) == VI);
        // Other bits do not enable this counter.
        c.mcounteren = c.hcounteren = c.scounteren = ~b & 0xffffffff;
        CHECK(m.read_from(Priv::S, false, a) == I);
    }
    SECTION("time seen from V=1 adds htimedelta") {
        c.mcounteren = c.hcounteren = 2;
        m.h().set_time(1000);
        m.wr(csr::htimedelta, 5000);
        REQUIRE(m.read_from(Priv::S, true, csr::time) == kNoTrap);
        CHECK(m.h().x[A2] >= 6000);
        CHECK(m.h().x[A2] < 6100);
        REQUIRE(m.read_from(Priv::S, false, csr::time) == kNoTrap);
        CHECK(m.h().x[A2] >= 1000);
        CHECK(m.h().x[A2] < 1100);
    }
    SECTION("mcycle and minstret are writable and count on") {
        // The instruction that writes minstret does not count itself.
        REQUIRE(m.write_from(Priv::M, false, csr::minstret, 100) == kNoTrap);
        REQUIRE(m.read_from(Priv::M, false, csr::minstret) == kNoTrap);
        CHECK(m.h().x[A2] == 100);
        m.wr(csr::mcycle, 1ull << 40);
        CHECK(m.rd(csr::mcycle) >= (1ull << 40));
        CHECK(m.rd(csr::mcycle) < (1ull << 40) + 100);
    }
}

TEST_CASE("with V=1 the supervisor CSRs are the VS CSRs", "[csr][virt]") {
    CsrMachine m;
    auto& c = m.h().csr;
    SECTION("sstatus -> vsstatus") {
        c.vsstatus = (2ull << 32) | mstatus::SPP | mstatus::SUM;
        c.mstatus |= mstatus::SIE;
        REQUIRE(m.read_from(Priv::S, true, csr::sstatus) == kNoTrap);
        CHECK(m.h().x[A2] == ((2ull << 32) | mstatus::SPP | mstatus::SUM));
        const uint64_t ms = c.mstatus;
        REQUIRE(m.write_from(Priv::S, true, csr::sstatus, mstatus::SIE | mstatus::MXR | mstatus::MIE) == kNoTrap);
        CHECK(c.mstatus == ms);   // HS's status untouched
        CHECK((m.rd(csr::vsstatus) & ~(3ull << 32)) == (mstatus::SIE | mstatus::MXR));
    }
    SECTION("sscratch, sepc, scause, stval, stvec -> their VS counterparts") {
        const uint16_t s[] = {csr::sscratch, csr::sepc, csr::scause, csr::stval, csr::stvec};
        const uint16_t vs[] = {csr::vsscratch, csr::vsepc, csr::vscause, csr::vstval, csr::vstvec};
        for (unsigned k = 0; k < 5; ++k) {
            INFO("csr " << std::hex << s[k]);
            m.wr(s[k], 0x1000);
            REQUIRE(m.write_from(Priv::S, true, s[k], 0x2000 + 4 * k) == kNoTrap);
            CHECK(m.rd(s[k]) == 0x1000);
            CHECK(m.rd(vs[k]) == 0x2000 + 4 * k);
            REQUIRE(m.read_from(Priv::S, true, s[k]) == kNoTrap);
            CHECK(m.h().x[A2] == 0x2000 + 4 * k);
        }
    }
    SECTION("satp -> vsatp") {
        const uint64_t v = (atp::MODE_SV39 << 60) | 0x80042;
        REQUIRE(m.write_from(Priv::S, true, csr::satp, v) == kNoTrap);
        CHECK(m.rd(csr::vsatp) == v);
        CHECK(m.rd(csr::satp) == 0);
    }
    SECTION("sie/sip -> vsie/vsip: VS interrupt bits shifted down, only with hideleg") {
        c.hideleg = 0;
        c.hvip = irq::bit(irq::VSSI) | irq::bit(irq::VSTI);
        REQUIRE(m.read_from(Priv::S, true, csr::sip) == kNoTrap);
        CHECK(m.h().x[A2] == 0);   // not delegated to VS: reads zero
        REQUIRE(m.write_from(Priv::S, true, csr::sie, ~0ull) == kNoTrap);
        CHECK((c.mie & irq::VS_MASK) == 0);   // and writes are ignored
        m.wr(csr::hideleg, irq::VS_MASK);
        REQUIRE(m.read_from(Priv::S, true, csr::sip) == kNoTrap);
        CHECK(m.h().x[A2] == (irq::bit(irq::SSI) | irq::bit(irq::STI)));
        REQUIRE(m.write_from(Priv::S, true, csr::sie, irq::bit(irq::SSI) | irq::bit(irq::SEI)) == kNoTrap);
        CHECK((c.mie & irq::VS_MASK) == (irq::bit(irq::VSSI) | irq::bit(irq::VSEI)));
        CHECK((c.mie & irq::S_MASK) == 0);
        REQUIRE(m.read_from(Priv::S, true, csr::sie) == kNoTrap);
        CHECK(m.h().x[A2] == (irq::bit(irq::SSI) | irq::bit(irq::SEI)));
        // vsip.SSIP is writable (it is hvip.VSSIP); STIP/SEIP are not.
        REQUIRE(m.write_from(Priv::S, true, csr::sip, 0) == kNoTrap);
        CHECK((c.hvip & irq::bit(irq::VSSI)) == 0);
        CHECK((c.hvip & irq::bit(irq::VSTI)) != 0);
        m.wr(csr::hideleg, irq::bit(irq::VSTI));   // VSSI no longer delegated
        REQUIRE(m.write_from(Priv::S, true, csr::sip, irq::bit(irq::SSI)) == kNoTrap);
        CHECK((c.hvip & irq::bit(irq::VSSI)) == 0);
    }
    SECTION("scounteren and senvcfg are not redirected") {
        REQUIRE(m.write_from(Priv::S, true, csr::scounteren, 5) == kNoTrap);
        CHECK(m.rd(csr::scounteren) == 5);
    }
}

TEST_CASE("interrupt-pending and -enable views", "[csr][irq]") {
    CsrMachine m;
    auto& c = m.h().csr;
    SECTION("sie and sip show only what mideleg delegates") {
        m.wr(csr::mie, ~0ull);
        CHECK(m.rd(csr::mie) == (irq::S_MASK | irq::M_MASK | irq::H_MASK));
        m.wr(csr::mideleg, irq::bit(irq::STI));
        CHECK(m.rd(csr::sie) == irq::bit(irq::STI));
        m.wr(csr::mip, irq::bit(irq::SSI) | irq::bit(irq::STI));
        CHECK(m.rd(csr::sip) == irq::bit(irq::STI));
        m.wr(csr::sie, 0);
        CHECK(m.rd(csr::mie) == ((irq::S_MASK | irq::M_MASK | irq::H_MASK) & ~irq::bit(irq::STI)));
        m.wr(csr::mideleg, irq::S_MASK);
        m.wr(csr::sip, 0);   // only SSIP is writable through sip
        CHECK(m.rd(csr::mip) == irq::bit(irq::STI));
    }
    SECTION("csrrs/csrrc on mip use the software SEIP, not the external line") {
        // Privileged spec, mip: the read-modify-write of CSRRS/CSRRC sees
        // only the software-writable SEIP bit.
        m.h().set_irq_line(irq::SEI, true);
        CHECK((m.rd(csr::mip) & irq::bit(irq::SEI)) != 0);
        m.h().x[A0] = irq::bit(irq::SSI);
        REQUIRE(m.exec(Priv::M, false, csrrs(A2, csr::mip, A0)) == kNoTrap);
        CHECK((m.h().x[A2] & irq::bit(irq::SEI)) != 0);   // rd sees the line
        REQUIRE(m.exec(Priv::M, false, csrrc(0, csr::mip, A0)) == kNoTrap);
        m.h().set_irq_line(irq::SEI, false);
        CHECK((m.rd(csr::mip) & irq::bit(irq::SEI)) == 0);
        m.wr(csr::mip, irq::bit(irq::SEI));   // the software bit alone
        CHECK((m.rd(csr::mip) & irq::bit(irq::SEI)) != 0);
    }
    SECTION("M-level pending bits are not software-writable") {
        m.wr(csr::mip, ~0ull);
        CHECK((m.rd(csr::mip) & irq::M_MASK) == 0);
        CHECK((m.rd(csr::mip) & irq::bit(irq::SGEI)) == 0);
    }
    SECTION("hvip, hip and mip share the VS bits; hie is mie's H bits") {
        m.wr(csr::hvip, ~0ull);
        CHECK(m.rd(csr::hvip) == irq::VS_MASK);
        CHECK(m.rd(csr::hip) == irq::VS_MASK);
        CHECK((m.rd(csr::mip) & irq::VS_MASK) == irq::VS_MASK);
        m.wr(csr::hip, 0);   // only VSSIP is writable in hip
        CHECK(m.rd(csr::hvip) == (irq::bit(irq::VSTI) | irq::bit(irq::VSEI)));
        m.wr(csr::mip, irq::bit(irq::VSSI));
        CHECK((m.rd(csr::hvip) & irq::bit(irq::VSSI)) != 0);
        m.wr(csr::hie, ~0ull);
        CHECK(m.rd(csr::hie) == irq::H_MASK);
        CHECK((c.mie & irq::H_MASK) == irq::H_MASK);
        CHECK((c.mie & (irq::S_MASK | irq::M_MASK)) == 0);
    }
    SECTION("hgeip & hgeie raise SGEIP; hgeip[VGEIN] is VSEIP") {
        m.h().set_hgeip(1u << 3);
        CHECK(m.rd(csr::hgeip) == (1u << 3));
        CHECK((m.rd(csr::hip) & irq::bit(irq::SGEI)) == 0);
        m.wr(csr::hgeie, 1u << 3);
        CHECK((m.rd(csr::hip) & irq::bit(irq::SGEI)) != 0);
        CHECK((m.rd(csr::hip) & irq::bit(irq::VSEI)) == 0);
        m.wr(csr::hstatus, 3ull << hstatus::VGEIN_SHIFT);
        CHECK((m.rd(csr::hip) & irq::bit(irq::VSEI)) != 0);
        m.wr(csr::hstatus, 2ull << hstatus::VGEIN_SHIFT);
        CHECK((m.rd(csr::hip) & irq::bit(irq::VSEI)) == 0);
        CHECK(m.write_from(Priv::M, false, csr::hgeip, 0) == I);   // read-only
    }
}

TEST_CASE("Sstc: stimecmp and vstimecmp", "[csr][sstc]") {
    CsrMachine m;
    auto& c = m.h().csr;
    SECTION("without menvcfg.STCE: illegal below M") {
        c.mcounteren = c.hcounteren = 2;
        CHECK(m.read_from(Priv::S, false, csr::stimecmp) == I);
        CHECK(m.read_from(Priv::S, false, csr::vstimecmp) == I);
        CHECK(m.read_from(Priv::S, true, csr::stimecmp) == I);
        CHECK(m.read_from(Priv::M, false, csr::stimecmp) == kNoTrap);
        m.wr(csr::henvcfg, menvcfg::STCE);   // henvcfg.STCE is read-only zero without menvcfg.STCE
        CHECK((m.rd(csr::henvcfg) & menvcfg::STCE) == 0);
    }
    SECTION("with menvcfg.STCE: mcounteren.TM, henvcfg.STCE, hcounteren.TM") {
        m.wr(csr::menvcfg, menvcfg::STCE);
        c.mcounteren = 0;
        CHECK(m.read_from(Priv::S, false, csr::stimecmp) == I);
        c.mcounteren = 2;
        CHECK(m.read_from(Priv::S, false, csr::stimecmp) == kNoTrap);
        CHECK(m.read_from(Priv::S, false, csr::vstimecmp) == kNoTrap);
        CHECK(m.read_from(Priv::U, false, csr::stimecmp) == I);
        CHECK(m.read_from(Priv::S, true, csr::stimecmp) == VI);   // henvcfg.STCE clear
        m.wr(csr::henvcfg, menvcfg::STCE);
        CHECK(m.read_from(Priv::S, true, csr::stimecmp) == VI);   // hcounteren.TM clear
        c.hcounteren = 2;
        REQUIRE(m.write_from(Priv::S, true, csr::stimecmp, 0x1234) == kNoTrap);
        CHECK(m.rd(csr::vstimecmp) == 0x1234);
        CHECK(m.rd(csr::stimecmp) == ~0ull);
        CHECK(m.read_from(Priv::U, true, csr::stimecmp) == VI);
        c.mcounteren = 0;
        CHECK(m.read_from(Priv::S, true, csr::stimecmp) == I);   // mcounteren first: illegal
    }
    SECTION("STIP follows stimecmp and is read-only in mip while STCE is set") {
        m.wr(csr::menvcfg, menvcfg::STCE);
        m.h().set_time(500);
        m.wr(csr::stimecmp, 10000);
        CHECK((m.rd(csr::mip) & irq::bit(irq::STI)) == 0);
        m.wr(csr::mip, irq::bit(irq::STI));
        CHECK((m.rd(csr::mip) & irq::bit(irq::STI)) == 0);
        m.wr(csr::stimecmp, 400);
        CHECK((m.rd(csr::mip) & irq::bit(irq::STI)) != 0);
        // VSTIP from vstimecmp against time + htimedelta.
        m.wr(csr::henvcfg, menvcfg::STCE);
        m.wr(csr::vstimecmp, 2000);
        CHECK((m.rd(csr::hip) & irq::bit(irq::VSTI)) == 0);
        m.wr(csr::htimedelta, 1600);
        CHECK((m.rd(csr::hip) & irq::bit(irq::VSTI)) != 0);
        // Clearing menvcfg.STCE clears henvcfg.STCE.
        m.wr(csr::menvcfg, 0);
        CHECK((m.rd(csr::henvcfg) & menvcfg::STCE) == 0);
    }
}

TEST_CASE("envcfg registers keep only implemented fields", "[csr]") {
    CsrMachine m;
    m.wr(csr::menvcfg, ~0ull);
    CHECK(m.rd(csr::menvcfg) == (menvcfg::FIOM | menvcfg::STCE));
    m.wr(csr::senvcfg, ~0ull);
    CHECK(m.rd(csr::senvcfg) == menvcfg::FIOM);
    m.wr(csr::henvcfg, ~0ull);
    CHECK(m.rd(csr::henvcfg) == (menvcfg::FIOM | menvcfg::STCE));
}

TEST_CASE("the host API accesses CSRs with HS rules", "[csr][host]") {
    CsrMachine m;
    uint64_t v = 0;
    CHECK(m.h().csr_write(csr::sscratch, 42));
    CHECK(m.h().csr_read(csr::sscratch, v));
    CHECK(v == 42);
    CHECK(m.h().csr_write(csr::hstatus, hstatus::SPV));
    CHECK_FALSE(m.h().csr_read(csr::mstatus, v));               // M CSR from HS
    CHECK_FALSE(m.h().csr_write(csr::hgeip, 0));                // read-only
    CHECK_FALSE(m.h().csr_read(csr::hstatus, v, Priv::S, true));   // from VS
    CHECK_FALSE(m.h().csr_read(csr::tselect, v, Priv::M));      // absent
    CHECK(m.h().csr_write(csr::sscratch, 7, Priv::S, true));    // VS: goes to vsscratch
    CHECK(m.rd(csr::vsscratch) == 7);
    CHECK(m.rd(csr::sscratch) == 42);
}

} // namespace hvemu::rv
