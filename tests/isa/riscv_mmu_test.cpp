// Address translation of the RISC-V hart: Sv39/Sv48 S and VS stages over
// Sv39x4/Sv48x4 G stages, every fault kind with its cause and htval/htinst
// inputs, PMP matching, HLV/HLVX/HSV and MPRV, and the transformed-instruction
// encoder.
#include <catch2/catch.hpp>

#include "isa/riscv/transformed_insn.hpp"
#include "tests/isa/rv_mmu_fixture.hpp"

using namespace hvemu;
using namespace hvemu::rv;
using namespace hvemu::rv::mmu_test;

TEST_CASE("M-mode and Bare translate to themselves; nothing behind an address is an access fault", "[mmu]") {
    Mmu m;
    auto t = m.tr(kHostData, Access::Read, Priv::M);
    REQUIRE(t.ok());
    CHECK(t.paddr == kHostData);
    CHECK(m.tr(0x1000, Access::Read, Priv::M).cause == cause::LOAD_ACCESS);
    CHECK(m.tr(0x1000, Access::Write, Priv::M).cause == cause::STORE_ACCESS);
    CHECK(m.tr(0x1000, Access::Exec, Priv::M).cause == cause::INSN_ACCESS);
    // satp Bare in S-mode: identity, PMP applies.
    t = m.tr(kHostData + 0x123, Access::Write, Priv::S);
    REQUIRE(t.ok());
    CHECK(t.paddr == kHostData + 0x123);
}

TEST_CASE("Sv39: 4 KiB pages, 2 MiB and 1 GiB superpages, global leaves", "[mmu]") {
    Mmu m;
    Tables s = m.host_tables(3);
    m.h().csr.satp = make_atp(atp::MODE_SV39, 1, s.root);
    s.map(0x10000000, kHostData, RW);
    s.map(0x40200000, kRam + 0x400000, RW | G, 1);   // 2 MiB
    s.map(0xC0000000, kRam, RWX, 2);                  // 1 GiB
    auto t = m.tr(0x10000abc, Access::Read);
    REQUIRE(t.ok());
    CHECK(t.paddr == kHostData + 0xabc);
    CHECK_FALSE(t.global);
    t = m.tr(0x40212345, Access::Write);
    REQUIRE(t.ok());
    CHECK(t.paddr == kRam + 0x412345);
    CHECK(t.global);
    t = m.tr(0xC1234567, Access::Exec);
    REQUIRE(t.ok());
    CHECK(t.paddr == kRam + 0x1234567);
    // Unmapped neighbours fault as page faults of the access type.
    CHECK(m.tr(0x10001000, Access::Read).cause == cause::LOAD_PAGE_FAULT);
    CHECK(m.tr(0x10001000, Access::Write).cause == cause::STORE_PAGE_FAULT);
    CHECK(m.tr(0x10001000, Access::Exec).cause == cause::INSN_PAGE_FAULT);
}

TEST_CASE("Sv48: four levels and a 1 GiB leaf at level 2", "[mmu]") {
    Mmu m;
    Tables s = m.host_tables(4);
    m.h().csr.satp = make_atp(atp::MODE_SV48, 0, s.root);
    s.map(0x7F0000001000, kHostData, RW);
    s.map(0x00C0000000, kRam, RW, 2);
    auto t = m.tr(0x7F0000001008, Access::Read);
    REQUIRE(t.ok());
    CHECK(t.paddr == kHostData + 8);
    t = m.tr(0x00C0100000, Access::Read);
    REQUIRE(t.ok());
    CHECK(t.paddr == kRam + 0x100000);
}

TEST_CASE("A non-canonical virtual address is a page fault", "[mmu]") {
    Mmu m;
    SECTION("Sv39") {
        Tables s = m.host_tables(3);
        m.h().csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
        s.map(0xFFFFFFC000000000, kRam, RW, 2);   // VPN[2] = 256
        CHECK(m.tr(0xFFFFFFC000000010, Access::Read).ok());
        // Same VPN[2] bits without the sign extension.
        CHECK(m.tr(0x0000004000000010, Access::Read).cause == cause::LOAD_PAGE_FAULT);
        CHECK(m.tr(0x0000004000000010, Access::Exec).cause == cause::INSN_PAGE_FAULT);
    }
    SECTION("Sv48") {
        Tables s = m.host_tables(4);
        m.h().csr.satp = make_atp(atp::MODE_SV48, 0, s.root);
        s.map(0xFFFF800000000000, kRam, RW, 2);
        CHECK(m.tr(0xFFFF800000000000, Access::Write).ok());
        CHECK(m.tr(0x0000800000000000, Access::Write).cause == cause::STORE_PAGE_FAULT);
    }
}

TEST_CASE("Malformed PTEs are page faults", "[mmu]") {
    Mmu m;
    Tables s = m.host_tables(3);
    m.h().csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
    const uint64_t va = 0x20000000;
    const uint64_t ppn = (kHostData >> 12) << 10;
    auto fault_with = [&](uint64_t raw, unsigned level = 0) {
        s.set(va, level, raw);
        return m.tr(va, Access::Read).cause;
    };
    CHECK(fault_with(ppn | V | RW) == 0);
    CHECK(fault_with(ppn | RW) == cause::LOAD_PAGE_FAULT);                       // V clear
    CHECK(fault_with(ppn | V | W | A | D) == cause::LOAD_PAGE_FAULT);            // W without R
    CHECK(fault_with(ppn | V | W | X | A | D) == cause::LOAD_PAGE_FAULT);        // W without R, with X
    CHECK(fault_with(ppn | V | RW | 1ull << 54) == cause::LOAD_PAGE_FAULT);      // reserved bit
    CHECK(fault_with(ppn | V | RW | 1ull << 61) == cause::LOAD_PAGE_FAULT);      // PBMT without Svpbmt
    CHECK(fault_with(ppn | V | RW | 1ull << 63) == cause::LOAD_PAGE_FAULT);      // N without Svnapot
    // A pointer at level 0 and a pointer with A/D/U set.
    CHECK(fault_with(ppn | V) == cause::LOAD_PAGE_FAULT);
    s.set(va, 0, ppn | V | RW);
    const uint64_t ptr = m.get64(s.pte_addr(va, 1));
    CHECK(fault_with(ptr | A, 1) == cause::LOAD_PAGE_FAULT);
    CHECK(fault_with(ptr | U, 1) == cause::LOAD_PAGE_FAULT);
    CHECK(fault_with(ptr | D, 1) == cause::LOAD_PAGE_FAULT);
    CHECK(fault_with(ptr, 1) == 0);
}

TEST_CASE("Misaligned superpages are page faults", "[mmu]") {
    Mmu m;
    Tables s = m.host_tables(3);
    m.h().csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
    s.map(0x40000000, kRam + 0x1000, RW, 1);   // PPN[0] != 0 in a 2 MiB leaf
    CHECK(m.tr(0x40000000, Access::Read).cause == cause::LOAD_PAGE_FAULT);
    s.map(0x80000000, kRam + 0x200000, RW, 2);   // PPN[1] != 0 in a 1 GiB leaf
    CHECK(m.tr(0x80000000, Access::Write).cause == cause::STORE_PAGE_FAULT);
}

TEST_CASE("U bit, SUM and MXR", "[mmu]") {
    Mmu m;
    Tables s = m.host_tables(3);
    m.h().csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
    const uint64_t user = 0x1000, super = 0x2000, xonly = 0x3000, uxonly = 0x4000;
    s.map(user, kHostData, RWX | U);
    s.map(super, kHostData, RWX);
    s.map(xonly, kHostData, X | A);
    s.map(uxonly, kHostData, X | A | U);
    const uint64_t lpf = cause::LOAD_PAGE_FAULT, spf = cause::STORE_PAGE_FAULT, ipf = cause::INSN_PAGE_FAULT;

    // U-mode: only user pages.
    CHECK(m.tr(user, Access::Read, Priv::U).ok());
    CHECK(m.tr(user, Access::Exec, Priv::U).ok());
    CHECK(m.tr(super, Access::Read, Priv::U).cause == lpf);
    CHECK(m.tr(super, Access::Exec, Priv::U).cause == ipf);
    // S-mode: user pages need SUM for data and are never executable.
    CHECK(m.tr(user, Access::Read).cause == lpf);
    CHECK(m.tr(user, Access::Write).cause == spf);
    CHECK(m.tr(user, Access::Exec).cause == ipf);
    m.h().csr.mstatus |= mstatus::SUM;
    CHECK(m.tr(user, Access::Read).ok());
    CHECK(m.tr(user, Access::Write).ok());
    CHECK(m.tr(user, Access::Exec).cause == ipf);
    CHECK(m.tr(super, Access::Exec).ok());
    // MXR: execute-only pages become readable, never writable.
    CHECK(m.tr(xonly, Access::Read).cause == lpf);
    CHECK(m.tr(uxonly, Access::Read, Priv::U).cause == lpf);
    m.h().csr.mstatus |= mstatus::MXR;
    CHECK(m.tr(xonly, Access::Read).ok());
    CHECK(m.tr(uxonly, Access::Read, Priv::U).ok());
    CHECK(m.tr(xonly, Access::Write).cause == spf);
}

TEST_CASE("Svade: a clear A bit, or a clear D bit on a store, is a page fault", "[mmu]") {
    Mmu m;
    Tables s = m.host_tables(3);
    m.h().csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
    s.map(0x1000, kHostData, R | W | X | D);   // A clear
    s.map(0x2000, kHostData, R | W | X | A);   // D clear
    CHECK(m.tr(0x1000, Access::Read).cause == cause::LOAD_PAGE_FAULT);
    CHECK(m.tr(0x1000, Access::Exec).cause == cause::INSN_PAGE_FAULT);
    CHECK(m.tr(0x2000, Access::Read).ok());
    CHECK(m.tr(0x2000, Access::Exec).ok());
    CHECK(m.tr(0x2000, Access::Write).cause == cause::STORE_PAGE_FAULT);
    // The walk never sets A or D itself.
    CHECK((m.get64(s.pte_addr(0x1000, 0)) & A) == 0);
}

TEST_CASE("Two-stage translation: Sv39 over Sv39x4 and Sv48 over Sv48x4", "[mmu][h]") {
    Mmu m;
    const unsigned levels = GENERATE(3u, 4u);
    m.g_stage(levels);
    Tables vs = m.guest_tables(levels);
    m.h().csr.vsatp = make_atp(levels == 3 ? atp::MODE_SV39 : atp::MODE_SV48, 5, vs.root);
    vs.map(0x400000, kGuestData, RW);
    vs.map(0x600000, kGuestData + 0x200000, RWX | G, 1);
    auto t = m.tr(0x400010, Access::Read, Priv::S, true);
    REQUIRE(t.ok());
    CHECK(t.paddr == Mmu::gpa_to_hpa(kGuestData) + 0x10);
    t = m.tr(0x612345, Access::Exec, Priv::S, true);
    REQUIRE(t.ok());
    CHECK(t.paddr == Mmu::gpa_to_hpa(kGuestData + 0x200000) + 0x12345);
    CHECK(t.global);
    // vsatp Bare: the guest virtual address is the guest physical one.
    m.h().csr.vsatp = 0;
    t = m.tr(kGuestData + 8, Access::Write, Priv::S, true);
    REQUIRE(t.ok());
    CHECK(t.paddr == Mmu::gpa_to_hpa(kGuestData) + 8);
}

TEST_CASE("G-stage faults are guest-page faults with the GPA in tval2", "[mmu][h]") {
    Mmu m;
    Tables g = m.g_stage(3);
    Tables vs = m.guest_tables(3);
    m.h().csr.vsatp = make_atp(atp::MODE_SV39, 0, vs.root);
    const uint64_t gpa = 0x90000000;   // outside guest RAM: no G-stage mapping yet
    vs.map(0x1000, gpa, RWX);

    SECTION("unmapped GPA") {
        auto t = m.tr(0x1008, Access::Read, Priv::S, true);
        CHECK(t.cause == cause::LOAD_GUEST_PAGE_FAULT);
        CHECK(t.tval2 == (gpa + 8) >> 2);
        CHECK(t.tinst == 0);
        CHECK(m.tr(0x1008, Access::Write, Priv::S, true).cause == cause::STORE_GUEST_PAGE_FAULT);
        CHECK(m.tr(0x1008, Access::Exec, Priv::S, true).cause == cause::INSN_GUEST_PAGE_FAULT);
    }
    SECTION("a G-stage leaf without U") {
        g.map(gpa, kHostData, RWX);
        CHECK(m.tr(0x1000, Access::Read, Priv::S, true).cause == cause::LOAD_GUEST_PAGE_FAULT);
        CHECK(m.tr(0x1000, Access::Write, Priv::S, true).cause == cause::STORE_GUEST_PAGE_FAULT);
        CHECK(m.tr(0x1000, Access::Exec, Priv::S, true).cause == cause::INSN_GUEST_PAGE_FAULT);
        g.map(gpa, kHostData, RWX | U);
        CHECK(m.tr(0x1000, Access::Read, Priv::S, true).ok());
    }
    SECTION("G-stage permissions, Svade and MXR") {
        g.map(gpa, kHostData, R | A | U);   // read-only, D clear
        CHECK(m.tr(0x1000, Access::Read, Priv::S, true).ok());
        CHECK(m.tr(0x1000, Access::Write, Priv::S, true).cause == cause::STORE_GUEST_PAGE_FAULT);
        CHECK(m.tr(0x1000, Access::Exec, Priv::S, true).cause == cause::INSN_GUEST_PAGE_FAULT);
        g.map(gpa, kHostData, R | W | A | U);   // D clear: no stores (Svade)
        CHECK(m.tr(0x1000, Access::Read, Priv::S, true).ok());
        CHECK(m.tr(0x1000, Access::Write, Priv::S, true).cause == cause::STORE_GUEST_PAGE_FAULT);
        g.map(gpa, kHostData, X | A | U);   // execute-only at the G stage
        CHECK(m.tr(0x1000, Access::Read, Priv::S, true).cause == cause::LOAD_GUEST_PAGE_FAULT);
        m.h().csr.vsstatus |= mstatus::MXR;   // VS-level MXR does not reach the G stage
        CHECK(m.tr(0x1000, Access::Read, Priv::S, true).cause == cause::LOAD_GUEST_PAGE_FAULT);
        m.h().csr.mstatus |= mstatus::MXR;    // HS-level MXR does
        CHECK(m.tr(0x1000, Access::Read, Priv::S, true).ok());
    }
}

TEST_CASE("vsstatus.MXR and vsstatus.SUM act on the VS stage", "[mmu][h]") {
    Mmu m;
    m.g_stage(3);
    Tables vs = m.guest_tables(3);
    m.h().csr.vsatp = make_atp(atp::MODE_SV39, 0, vs.root);
    vs.map(0x1000, kGuestData, X | A);
    vs.map(0x2000, kGuestData, RW | U);
    CHECK(m.tr(0x1000, Access::Read, Priv::S, true).cause == cause::LOAD_PAGE_FAULT);
    m.h().csr.vsstatus |= mstatus::MXR;
    CHECK(m.tr(0x1000, Access::Read, Priv::S, true).ok());
    CHECK(m.tr(0x2000, Access::Read, Priv::S, true).cause == cause::LOAD_PAGE_FAULT);
    m.h().csr.mstatus |= mstatus::SUM;   // the HS-level SUM does not apply with V=1
    CHECK(m.tr(0x2000, Access::Read, Priv::S, true).cause == cause::LOAD_PAGE_FAULT);
    m.h().csr.vsstatus |= mstatus::SUM;
    CHECK(m.tr(0x2000, Access::Read, Priv::S, true).ok());
}

TEST_CASE("A G-stage fault on a VS-stage PTE read reports the original access and the PTE's GPA", "[mmu][h]") {
    Mmu m;
    Tables g = m.g_stage(3);
    // The VS root table lives at a GPA the G stage does not map yet.
    const uint64_t root_gpa = 0xA0000000;
    const uint64_t root_hpa = m.host_table();
    auto host_of = [&](uint64_t a) { return (a & ~0xfffull) == root_gpa ? root_hpa + (a & 0xfff) : Mmu::gpa_to_hpa(a); };
    Tables vs{m.mem, host_of, [&] { return m.guest_table(); }, 3, false, root_gpa};
    m.h().csr.vsatp = make_atp(atp::MODE_SV39, 0, root_gpa);
    const uint64_t va = 0x40201000;   // VPN[2] = 1
    vs.map(va, kGuestData, RWX);
    const uint64_t pte_gpa = root_gpa + 1 * 8;

    for (auto [acc, c] : {std::pair{Access::Read, cause::LOAD_GUEST_PAGE_FAULT},
                          std::pair{Access::Write, cause::STORE_GUEST_PAGE_FAULT},
                          std::pair{Access::Exec, cause::INSN_GUEST_PAGE_FAULT}}) {
        auto t = m.tr(va, acc, Priv::S, true);
        CHECK(t.cause == c);
        CHECK(t.tval2 == pte_gpa >> 2);
        CHECK(t.tinst == tinst::PSEUDO_VS_READ_64);
    }
    g.map(root_gpa, root_hpa, R | A | U);   // read-only is enough for PTE reads
    auto t = m.tr(va, Access::Write, Priv::S, true);
    REQUIRE(t.ok());
    CHECK(t.paddr == Mmu::gpa_to_hpa(kGuestData));
}

TEST_CASE("A GPA wider than Sv39x4/Sv48x4 allows is a guest-page fault", "[mmu][h]") {
    Mmu m;
    SECTION("Sv39x4: 41 bits") {
        Tables g = m.g_stage(3);
        // Bits 40:39 index the 16 KiB root: GPA 1 << 40 is valid.
        g.map(1ull << 40, kHostData, RW | U);
        auto t = m.tr((1ull << 40) + 4, Access::Read, Priv::U, true);
        REQUIRE(t.ok());
        CHECK(t.paddr == kHostData + 4);
        t = m.tr(1ull << 41, Access::Read, Priv::U, true);
        CHECK(t.cause == cause::LOAD_GUEST_PAGE_FAULT);
        CHECK(t.tval2 == (1ull << 41) >> 2);
        CHECK(m.tr(~0ull, Access::Write, Priv::S, true).cause == cause::STORE_GUEST_PAGE_FAULT);
    }
    SECTION("Sv48x4: 50 bits") {
        Tables g = m.g_stage(4);
        g.map(1ull << 49, kHostData, RW | U);
        CHECK(m.tr(1ull << 49, Access::Read, Priv::U, true).ok());
        CHECK(m.tr(1ull << 50, Access::Exec, Priv::U, true).cause == cause::INSN_GUEST_PAGE_FAULT);
    }
}

TEST_CASE("PMP: OFF, TOR, NA4, NAPOT, lock bit, default deny for S and U", "[mmu][pmp]") {
    Mmu m;
    Hart& h = m.h();
    h.csr.pmpcfg[0] = 0;
    h.csr.pmpaddr[0] = 0;
    // No entry matches: M succeeds, S and U fail.
    CHECK(h.pmp_ok(kHostData, 8, Access::Read, Priv::M));
    CHECK_FALSE(h.pmp_ok(kHostData, 8, Access::Read, Priv::S));
    CHECK_FALSE(h.pmp_ok(kHostData, 8, Access::Read, Priv::U));

    // Entry 0: NA4 at kHostData, read-only. Entry 1: TOR [kHostData+0x1000, kHostData+0x2000) RW.
    // Entry 2: NAPOT 64 KiB at kRam, X only.
    h.csr.pmpaddr[0] = kHostData >> 2;
    h.csr.pmpcfg[0] = 0x10 | 0x1;
    h.csr.pmpaddr[1] = (kHostData + 0x2000) >> 2;
    h.csr.pmpaddr[2] = (kRam >> 2) | ((0x10000 >> 3) - 1);
    h.csr.pmpcfg[2] = 0x18 | 0x4;
    h.csr.pmpcfg[1] = 0;   // TOR of entry 1 uses pmpaddr[0] as its base: set after
    CHECK(h.pmp_ok(kHostData, 4, Access::Read, Priv::S));
    CHECK_FALSE(h.pmp_ok(kHostData, 4, Access::Write, Priv::S));
    CHECK_FALSE(h.pmp_ok(kHostData, 8, Access::Read, Priv::S));   // partly outside the NA4 entry
    h.csr.pmpaddr[0] = (kHostData + 0x1000) >> 2;
    h.csr.pmpcfg[0] = 0;   // OFF, but still the TOR base of entry 1
    h.csr.pmpcfg[1] = 0x08 | 0x3;
    CHECK(h.pmp_ok(kHostData + 0x1000, 8, Access::Write, Priv::S));
    CHECK(h.pmp_ok(kHostData + 0x1ff8, 8, Access::Read, Priv::U));
    CHECK_FALSE(h.pmp_ok(kHostData + 0x1ffc, 8, Access::Read, Priv::U));   // straddles the top
    CHECK_FALSE(h.pmp_ok(kHostData + 0xffc, 8, Access::Read, Priv::U));    // straddles the base
    CHECK_FALSE(h.pmp_ok(kHostData + 0x1000, 4, Access::Exec, Priv::S));
    CHECK(h.pmp_ok(kRam + 0xfffc, 4, Access::Exec, Priv::S));
    CHECK_FALSE(h.pmp_ok(kRam + 0xfffc, 4, Access::Read, Priv::S));
    CHECK_FALSE(h.pmp_ok(kRam + 0x10000, 4, Access::Exec, Priv::S));
    // M-mode ignores unlocked entries and obeys locked ones.
    CHECK(h.pmp_ok(kRam, 4, Access::Write, Priv::M));
    h.csr.pmpcfg[2] |= 0x80;
    CHECK_FALSE(h.pmp_ok(kRam, 4, Access::Write, Priv::M));
    CHECK(h.pmp_ok(kRam, 4, Access::Exec, Priv::M));
    // The lowest-numbered matching entry wins.
    h.csr.pmpaddr[3] = (1ull << 54) - 1;
    h.csr.pmpcfg[3] = 0x1f;
    CHECK_FALSE(h.pmp_ok(kRam, 4, Access::Read, Priv::S));
    CHECK(h.pmp_ok(kHostData + 0x4000, 4, Access::Read, Priv::S));

    SECTION("translate reports a denied access as an access fault") {
        h.flush_tlb();
        CHECK(m.tr(kRam, Access::Read, Priv::S).cause == cause::LOAD_ACCESS);
        CHECK(m.tr(kRam, Access::Write, Priv::U).cause == cause::STORE_ACCESS);
        CHECK(m.tr(kRam, Access::Exec, Priv::S).ok());
    }
    SECTION("without PMP everything is allowed") {
        HartConfig cfg;
        cfg.pmp_entries = 0;
        Mmu n(cfg);
        CHECK(n.h().pmp_ok(kHostData, 8, Access::Write, Priv::U));
    }
}

TEST_CASE("PMP applies to page-table reads: access fault of the original type", "[mmu][pmp]") {
    Mmu m;
    Tables s = m.host_tables(3);
    m.h().csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
    s.map(0x1000, kHostData, RWX);
    // Entry 0 denies the root table page to S; entry 1 grants the rest.
    m.h().csr.pmpaddr[0] = (s.root >> 2) | ((4096 >> 3) - 1);
    m.h().csr.pmpcfg[0] = 0x18;
    m.h().csr.pmpaddr[1] = (1ull << 54) - 1;
    m.h().csr.pmpcfg[1] = 0x1f;
    CHECK(m.tr(0x1000, Access::Read).cause == cause::LOAD_ACCESS);
    CHECK(m.tr(0x1000, Access::Write).cause == cause::STORE_ACCESS);
    CHECK(m.tr(0x1000, Access::Exec).cause == cause::INSN_ACCESS);
    // M-mode accesses are not translated: the same page is readable by M.
    CHECK(m.tr(s.root, Access::Read, Priv::M).ok());
}

TEST_CASE("HLV and HLVX through both stages with hstatus.SPVP", "[mmu][h]") {
    Mmu m;
    Tables g = m.g_stage(3);
    Tables vs = m.guest_tables(3);
    m.h().csr.vsatp = make_atp(atp::MODE_SV39, 0, vs.root);
    vs.map(0x1000, kGuestData, RW);             // supervisor data
    vs.map(0x2000, kGuestData + 0x1000, X | A);  // execute-only code
    vs.map(0x3000, 0x90000000, RWX);            // G stage: execute-only
    g.map(0x90000000, kHostData, X | A | U);
    m.put64(Mmu::gpa_to_hpa(kGuestData), 0x1122334455667788);
    m.put64(Mmu::gpa_to_hpa(kGuestData + 0x1000), 0x0000000000100073);
    m.put64(kHostData, 0xabcd);
    Hart& h = m.h();
    uint64_t v = 0;
    Translation t;

    h.csr.hstatus &= ~hstatus::SPVP;   // VU: supervisor pages fault
    CHECK_FALSE(h.hlv(0x1000, 8, v, t));
    CHECK(t.cause == cause::LOAD_PAGE_FAULT);
    CHECK(t.paddr == 0x1000);   // the faulting guest virtual address
    h.csr.hstatus |= hstatus::SPVP;
    REQUIRE(h.hlv(0x1000, 4, v, t));
    CHECK(v == 0x55667788);
    // HLVX needs execute, not read, at both stages.
    CHECK_FALSE(h.hlv(0x2000, 4, v, t));
    CHECK(t.cause == cause::LOAD_PAGE_FAULT);
    REQUIRE(h.hlv(0x2000, 4, v, t, true));
    CHECK(v == 0x00100073);
    CHECK_FALSE(h.hlv(0x1000, 4, v, t, true));
    CHECK(t.cause == cause::LOAD_PAGE_FAULT);
    CHECK_FALSE(h.hlv(0x3000, 8, v, t));
    CHECK(t.cause == cause::LOAD_GUEST_PAGE_FAULT);
    CHECK(t.tval2 == 0x90000000 >> 2);
    REQUIRE(h.hlv(0x3000, 8, v, t, true));
    CHECK(v == 0xabcd);
    // HSV writes through the same stages.
    REQUIRE(h.hsv(0x1004, 4, 0xdeadbeef, t));
    CHECK(m.get64(Mmu::gpa_to_hpa(kGuestData)) == 0xdeadbeef55667788);
    CHECK_FALSE(h.hsv(0x3000, 4, 1, t));
    CHECK(t.cause == cause::STORE_GUEST_PAGE_FAULT);
}

TEST_CASE("MPRV: M-mode loads and stores with MPP and MPV", "[mmu][h]") {
    Mmu m;
    Tables s = m.host_tables(3);
    m.h().csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
    s.map(0x5000, kHostData, RW);
    m.g_stage(3);
    Tables vs = m.guest_tables(3);
    m.h().csr.vsatp = make_atp(atp::MODE_SV39, 0, vs.root);
    vs.map(0x5000, kGuestData, RW);
    m.put64(kHostData, 111);
    m.put64(Mmu::gpa_to_hpa(kGuestData), 222);
    Hart& h = m.h();
    m.enter(Priv::M);
    uint64_t v = 0;
    h.csr.mstatus |= mstatus::MPRV | (1ull << mstatus::MPP_SHIFT);   // MPP = S
    h.update_context();
    REQUIRE(h.load<uint64_t>(0x5000, v));
    CHECK(v == 111);
    h.csr.mstatus |= mstatus::MPV;
    h.update_context();
    REQUIRE(h.load<uint64_t>(0x5000, v));
    CHECK(v == 222);
    REQUIRE(h.store<uint64_t>(0x5000, 333));
    CHECK(m.get64(Mmu::gpa_to_hpa(kGuestData)) == 333);
    // MPP = M: no translation even with MPV set.
    h.csr.mstatus |= mstatus::MPP;
    h.update_context();
    REQUIRE(h.load<uint64_t>(kHostData, v));
    CHECK(v == 111);
}

TEST_CASE("Transformed instructions for htinst/mtinst", "[mmu][tinst]") {
    CHECK(transformed_insn(0x00853283, 0) == 0x00003283);   // ld x5, 8(x10)
    CHECK(transformed_insn(0x00853283, 3) == 0x0001b283);   // Addr. Offset in bits 19:15
    CHECK(transformed_insn(0x0065a623, 0) == 0x00602023);   // sw x6, 12(x11)
    CHECK(transformed_insn(0x0065a3af, 0) == 0x006023af);   // amoadd.w x7, x6, (x11)
    CHECK(transformed_insn(0x680542f3, 0) == 0x680042f3);   // hlv.w x5, (x10)
    CHECK(transformed_insn(0x6e654073, 0) == 0x6e604073);   // hsv.d x6, (x10)
    CHECK(transformed_insn(0x6504, 0) == 0x00003481);       // c.ld x9, 8(x10): ld x9, then bit 1 cleared
    CHECK(transformed_insn(0xe822, 0) == 0x00803021);       // c.sdsp x8, 16(sp)
    CHECK(transformed_insn(0x00a00093, 0) == 0);            // addi: no transformation
    CHECK(transformed_insn(0x0001, 0) == 0);                // c.nop
}
