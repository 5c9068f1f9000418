// The memory slow paths of the RISC-V hart: the software TLB and its
// contexts, the fences, MMIO and code pages, misaligned accesses, and the
// trap values (tval, htval, htinst, GVA) of translation faults.
#include <catch2/catch.hpp>

#include "isa/riscv/transformed_insn.hpp"
#include "tests/isa/rv_mmu_fixture.hpp"

using namespace hvemu;
using namespace hvemu::rv;
using namespace hvemu::rv::mmu_test;

TEST_CASE("The TLB caches by context; SUM and MXR only matter under translation", "[mmu][tlb]") {
    Mmu m;
    Hart& h = m.h();
    Tables s = m.host_tables(3);
    s.map(0x7000, kHostData, RW);
    m.enter(Priv::S);
    const uint64_t bare_ctx = h.data_ctx;
    h.csr.mstatus |= mstatus::SUM | mstatus::MXR;
    h.update_context();
    CHECK(h.data_ctx == bare_ctx);   // Bare: SUM/MXR change nothing
    h.csr.satp = make_atp(atp::MODE_SV39, 3, s.root);
    h.update_context();
    const uint64_t sv39_ctx = h.data_ctx;
    h.csr.mstatus &= ~mstatus::SUM;
    h.update_context();
    CHECK(h.data_ctx != sv39_ctx);
    uint64_t v;
    REQUIRE(h.load<uint64_t>(0x7000, v));
    CHECK(cached(h.tlb_r, 0x7000));
    CHECK(h.tlb_r[tlb_index(0x7000)].ctx == h.data_ctx);
    CHECK_FALSE(cached(h.tlb_w, 0x7000));
    REQUIRE(h.store<uint64_t>(0x7008, 5));
    CHECK(cached(h.tlb_w, 0x7000));
    CHECK(m.get64(kHostData + 8) == 5);
}

TEST_CASE("No TLB entry for pages with mixed PMP outcomes, MMIO, or code pages for writing", "[mmu][tlb]") {
    Mmu m;
    Hart& h = m.h();
    Regs regs;
    m.mem.add_mmio(kMmio, 0x1000, &regs, "regs");
    m.enter(Priv::S);
    uint64_t v;
    // A 4-byte NA4 hole at the end of the page, denied; the rest granted.
    h.csr.pmpaddr[0] = (kHostData + 0xffc) >> 2;
    h.csr.pmpcfg[0] = 0x10;
    h.csr.pmpaddr[1] = (1ull << 54) - 1;
    h.csr.pmpcfg[1] = 0x1f;
    REQUIRE(h.load<uint64_t>(kHostData, v));
    CHECK_FALSE(cached(h.tlb_r, kHostData));
    // MMIO: served, never cached.
    uint32_t w = 0;
    REQUIRE(h.load<uint32_t>(kMmio + 0x10, w));
    CHECK(w == 0x1010);
    CHECK_FALSE(cached(h.tlb_r, kMmio));
    REQUIRE(h.store<uint32_t>(kMmio + 4, 0x55));
    CHECK(regs.last == 0x55);
    // A page becoming code loses its write entries; a slow-path store to
    // it is reported (and makes it data again).
    const uint64_t page = kHostData + 0x3000;
    REQUIRE(h.store<uint64_t>(page, 1));
    CHECK(cached(h.tlb_w, page));
    m.mem.mark_code_page(page);
    CHECK_FALSE(cached(h.tlb_w, page));
    REQUIRE(h.store<uint64_t>(page, 2));
    CHECK_FALSE(m.mem.is_code_page(page));
    CHECK(m.get64(page) == 2);
}

TEST_CASE("SFENCE.VMA flushes V=0 entries by ASID and address, keeping global ones", "[mmu][tlb]") {
    Mmu m;
    Hart& h = m.h();
    Tables s = m.host_tables(3);
    s.map(0x1000, kHostData, RW);
    s.map(0x40002000, kHostData + 0x1000, RW);
    s.map(0x3000, kHostData + 0x2000, RW | G);
    m.g_stage(3);
    Tables vs = m.guest_tables(3);
    vs.map(0x5000, kGuestData, RW);
    h.csr.vsatp = make_atp(atp::MODE_SV39, 1, vs.root);
    uint64_t v;
    auto fill = [&](uint64_t asid) {
        h.csr.satp = make_atp(atp::MODE_SV39, asid, s.root);
        m.enter(Priv::S);
        REQUIRE(h.load<uint64_t>(0x1000, v));
        REQUIRE(h.load<uint64_t>(0x40002000, v));
        REQUIRE(h.load<uint64_t>(0x3000, v));
        m.enter(Priv::S, true);
        REQUIRE(h.load<uint64_t>(0x5000, v));
        m.enter(Priv::S);
    };
    SECTION("everything at V=0, nothing at V=1") {
        fill(1);
        h.sfence_vma();
        CHECK_FALSE(cached(h.tlb_r, 0x1000));
        CHECK_FALSE(cached(h.tlb_r, 0x3000));
        CHECK(cached(h.tlb_r, 0x5000));
    }
    SECTION("by ASID: other ASIDs and global pages stay") {
        fill(1);
        h.sfence_vma(0, 2, true, false);
        CHECK(cached(h.tlb_r, 0x1000));
        h.sfence_vma(0, 1, true, false);
        CHECK_FALSE(cached(h.tlb_r, 0x1000));
        CHECK_FALSE(cached(h.tlb_r, 0x40002000));
        CHECK(cached(h.tlb_r, 0x3000));
        CHECK(cached(h.tlb_r, 0x5000));
    }
    SECTION("by address: other gigabytes stay") {
        fill(1);
        h.sfence_vma(0x1000, 0, false, true);
        CHECK_FALSE(cached(h.tlb_r, 0x1000));
        CHECK(cached(h.tlb_r, 0x40002000));
        CHECK(cached(h.tlb_r, 0x5000));
    }
    SECTION("at V=1 it acts on the current VM's VS-stage entries") {
        fill(1);
        m.enter(Priv::S, true);
        h.sfence_vma();
        CHECK_FALSE(cached(h.tlb_r, 0x5000));
        CHECK(cached(h.tlb_r, 0x1000));
    }
}

TEST_CASE("HFENCE.VVMA and HFENCE.GVMA flush V=1 entries of the right VMID", "[mmu][tlb][h]") {
    Mmu m;
    Hart& h = m.h();
    Tables s = m.host_tables(3);
    s.map(0x1000, kHostData, RW);
    h.csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
    const uint64_t g1 = m.g_stage(3, 1).root;
    const uint64_t g2 = m.g_stage(3, 2).root;
    Tables vs = m.guest_tables(3);
    vs.map(0x5000, kGuestData, RW);
    vs.map(0x6000, kGuestData + 0x1000, RW);
    h.csr.vsatp = make_atp(atp::MODE_SV39, 7, vs.root);
    uint64_t v;
    auto fill = [&] {
        m.enter(Priv::S);
        REQUIRE(h.load<uint64_t>(0x1000, v));
        h.csr.hgatp = make_atp(atp::MODE_SV39, 1, g1);
        m.enter(Priv::S, true);
        REQUIRE(h.load<uint64_t>(0x5000, v));
        h.csr.hgatp = make_atp(atp::MODE_SV39, 2, g2);
        m.enter(Priv::S, true);
        REQUIRE(h.load<uint64_t>(0x6000, v));
        m.enter(Priv::S);
    };
    fill();
    SECTION("HFENCE.VVMA: only the current VMID") {
        h.hfence_vvma();   // hgatp.VMID = 2
        CHECK(cached(h.tlb_r, 0x5000));
        CHECK_FALSE(cached(h.tlb_r, 0x6000));
        CHECK(cached(h.tlb_r, 0x1000));
    }
    SECTION("HFENCE.VVMA by ASID and by address") {
        h.hfence_vvma(0, 8, true, false);
        CHECK(cached(h.tlb_r, 0x6000));
        h.hfence_vvma(0x40005000, 0, false, true);   // another gigabyte
        CHECK(cached(h.tlb_r, 0x6000));
        CHECK(cached(h.tlb_r, 0x5000));
        h.hfence_vvma(0x6000, 7, false, false);
        CHECK_FALSE(cached(h.tlb_r, 0x6000));
    }
    SECTION("HFENCE.GVMA by VMID and for all") {
        h.hfence_gvma(0, 1, true, false);
        CHECK_FALSE(cached(h.tlb_r, 0x5000));
        CHECK(cached(h.tlb_r, 0x6000));
        CHECK(cached(h.tlb_r, 0x1000));
        h.hfence_gvma();
        CHECK_FALSE(cached(h.tlb_r, 0x6000));
        CHECK(cached(h.tlb_r, 0x1000));
    }
}

TEST_CASE("Switching VMIDs needs no fence: each VM sees its own memory", "[mmu][tlb][h]") {
    Mmu m;
    Hart& h = m.h();
    Tables g1 = m.g_stage(3, 1);
    Tables g2 = m.g_stage(3, 2);
    g2.map(kGuestData, kHostData, RW | U);   // VM 2's page lives elsewhere
    m.put64(Mmu::gpa_to_hpa(kGuestData), 1);
    m.put64(kHostData, 2);
    uint64_t v = 0;
    for (int round = 0; round < 2; ++round) {
        h.csr.hgatp = make_atp(atp::MODE_SV39, 1, g1.root);
        m.enter(Priv::S, true);
        REQUIRE(h.load<uint64_t>(kGuestData, v));
        CHECK(v == 1);
        h.csr.hgatp = make_atp(atp::MODE_SV39, 2, g2.root);
        m.enter(Priv::S, true);
        REQUIRE(h.load<uint64_t>(kGuestData, v));
        CHECK(v == 2);
    }
}

TEST_CASE("Trap values: guest-page faults write tval, htval, htinst and GVA", "[mmu][h][trap]") {
    Mmu m;
    Hart& h = m.h();
    Tables g = m.g_stage(3);
    Tables vs = m.guest_tables(3);
    h.csr.vsatp = make_atp(atp::MODE_SV39, 0, vs.root);
    h.csr.medeleg = ~0ull & ~(1ull << cause::ECALL_M);
    vs.map(0x1000, 0x90000000, RW);   // GPA not mapped by the G stage
    vs.map(0x2000, kGuestData, RW);
    h.x[10] = 0x1000;
    m.enter(Priv::S, true);
    uint64_t v;

    SECTION("an explicit load: the transformed instruction") {
        const Insn ld = decode(0x00853283);   // ld x5, 8(x10)
        h.cur = &ld;
        CHECK_FALSE(h.load<uint64_t>(0x1008, v));
        CHECK(h.csr.scause == cause::LOAD_GUEST_PAGE_FAULT);
        CHECK(h.csr.stval == 0x1008);
        CHECK(h.csr.htval == 0x90000008 >> 2);
        CHECK(h.csr.htinst == 0x00003283);
        CHECK(h.csr.hstatus & hstatus::GVA);
    }
    SECTION("a compressed store") {
        const Insn sd = decode(0xe822);   // c.sdsp x8, 16(sp)
        h.cur = &sd;
        CHECK_FALSE(h.store<uint64_t>(0x1010, 1));
        CHECK(h.csr.scause == cause::STORE_GUEST_PAGE_FAULT);
        CHECK(h.csr.htinst == 0x00803021);
    }
    SECTION("a misaligned load across pages faults on its second part") {
        const Insn ld = decode(0x00853283);
        h.cur = &ld;
        CHECK_FALSE(h.load<uint64_t>(0x2ffd, v));   // second page 0x3000 unmapped
        CHECK(h.csr.scause == cause::LOAD_PAGE_FAULT);
        CHECK(h.csr.stval == 0x3000);
        CHECK(h.csr.htinst == (0x00003283 | 3u << 15));
        CHECK(h.csr.hstatus & hstatus::GVA);
    }
    SECTION("HLV from HS-mode: SPV=0 but GVA=1, the transformed HLV") {
        m.enter(Priv::S);
        h.csr.hstatus |= hstatus::SPVP;
        const Insn hlv = decode(0x680542f3);   // hlv.w x5, (x10)
        h.cur = &hlv;
        CHECK_FALSE(h.load_slow(0x1000, 4, v, true));
        CHECK(h.csr.scause == cause::LOAD_GUEST_PAGE_FAULT);
        CHECK(h.csr.stval == 0x1000);
        CHECK(h.csr.htinst == 0x680042f3);
        CHECK_FALSE(h.csr.hstatus & hstatus::SPV);
        CHECK(h.csr.hstatus & hstatus::GVA);
    }
    SECTION("an implicit VS-stage PTE read: the pseudoinstruction") {
        const Insn sd = decode(0xe822);
        h.cur = &sd;
        g.set(kGuestTables, 1, 0);   // unmap the 2 MiB holding the VS tables
        CHECK_FALSE(h.store<uint64_t>(0x2000, 1));
        CHECK(h.csr.scause == cause::STORE_GUEST_PAGE_FAULT);
        CHECK(h.csr.stval == 0x2000);
        CHECK(h.csr.htval == vs.root >> 2);
        CHECK(h.csr.htinst == tinst::PSEUDO_VS_READ_64);
    }
}

TEST_CASE("Misaligned accesses: split across pages, refused for MMIO and AMOs", "[mmu][trap]") {
    Mmu m;
    Hart& h = m.h();
    Regs regs;
    m.mem.add_mmio(kMmio, 0x1000, &regs, "regs");
    Tables s = m.host_tables(3);
    h.csr.satp = make_atp(atp::MODE_SV39, 0, s.root);
    s.map(0x1000, kHostData + 0x5000, RW);   // two virtually adjacent pages,
    s.map(0x2000, kHostData + 0x1000, RW);   // physically apart
    s.map(0x4000, kMmio, RW);
    m.enter(Priv::S);
    REQUIRE(h.store<uint64_t>(0x1ffc, 0x1122334455667788));
    CHECK(m.get64(kHostData + 0x5ff8) >> 32 == 0x55667788);
    CHECK((m.get64(kHostData + 0x1000) & 0xffffffff) == 0x11223344);
    uint64_t v = 0;
    REQUIRE(h.load<uint64_t>(0x1ffc, v));
    CHECK(v == 0x1122334455667788);
    uint32_t w;
    CHECK_FALSE(h.load<uint32_t>(0x4002, w));
    CHECK(h.csr.mcause == cause::LOAD_ACCESS);
    CHECK(h.csr.mtval == 0x4002);
    m.enter(Priv::S);
    uint8_t* host;
    uint64_t pa;
    CHECK_FALSE(h.amo_address(0x1004, 8, host, pa));
    CHECK(h.csr.mcause == cause::STORE_MISALIGNED);
    m.enter(Priv::S);
    REQUIRE(h.amo_address(0x1008, 8, host, pa));
    CHECK(pa == kHostData + 0x5008);
    CHECK(host == m.mem.ram_ptr(kHostData + 0x5008));
}

TEST_CASE("With misaligned_ok false, misaligned loads and stores trap", "[mmu][trap]") {
    HartConfig cfg;
    cfg.misaligned_ok = false;
    Mmu m(cfg);
    Hart& h = m.h();
    m.enter(Priv::M);
    uint64_t v;
    CHECK_FALSE(h.load<uint64_t>(kHostData + 4, v));
    CHECK(h.csr.mcause == cause::LOAD_MISALIGNED);
    CHECK(h.csr.mtval == kHostData + 4);
    CHECK_FALSE(h.store<uint16_t>(kHostData + 1, 0));
    CHECK(h.csr.mcause == cause::STORE_MISALIGNED);
    CHECK(h.load<uint64_t>(kHostData + 8, v));
    // The page is in the TLB now: the fast paths must trap as well.
    uint32_t w;
    CHECK_FALSE(h.load<uint32_t>(kHostData + 0x12, w));
    CHECK(h.csr.mcause == cause::LOAD_MISALIGNED);
    CHECK(h.store<uint64_t>(kHostData + 0x10, 0));
    CHECK_FALSE(h.store<uint32_t>(kHostData + 0x16, 0));
    CHECK(h.csr.mcause == cause::STORE_MISALIGNED);
}
