// Paging: 32-bit (4 KiB and 4 MiB pages), PAE, 4-level; every #PF
// error-code bit, A/D updates, NX, WP, SMEP, global pages, INVLPG and CR3
// flushes of the software TLB.
#include <catch2/catch.hpp>

#include "tests/isa/x86_sys_fixture.hpp"

using namespace x86test;

namespace {
constexpr uint32_t P = 1, W = 2, U = 4, RSVD = 8, I = 16;
} // namespace

TEST_CASE("x86 no paging: linear is physical", "[x86][sys][paging]") {
    Sys s;
    const Translation t = s.c().translate(0x12345, Access::Write, false);
    CHECK(t.ok());
    CHECK(t.paddr == 0x12345);
}

TEST_CASE("x86 32-bit paging with 4 KiB and 4 MiB pages", "[x86][sys][paging]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    const uint64_t pd = 0x200000, pt = 0x201000;
    s.wr(pd + 0 * 4, pt | 7, 4);                      // 0-4 MiB: page table, user, writable
    s.wr(pt + 5 * 4, 0x345000 | 5, 4);                // 0x5000 -> 0x345000, user read-only
    s.wr(pd + 1 * 4, 0x800000 | 0x83, 4);             // 4-8 MiB: a 4 MiB page, supervisor
    REQUIRE(c.write_cr(4, 1u << 4));                  // PSE
    REQUIRE(c.write_cr(3, pd));
    REQUIRE(c.write_cr(0, c.cr0 | 0x80000000u));
    Translation t = c.translate(0x5123, Access::Read, true);
    CHECK(t.ok());
    CHECK(t.paddr == 0x345123);
    CHECK((s.rd(pd, 4) & 0x20) != 0);                 // accessed
    CHECK((s.rd(pt + 20, 4) & 0x60) == 0x20);         // accessed, not dirty
    t = c.translate(0x5123, Access::Write, true);
    CHECK(t.vector == 14);
    CHECK(t.error_code == (P | W | U));
    t = c.translate(0x456789, Access::Read, false);
    CHECK(t.paddr == 0x856789);
    t = c.translate(0x456789, Access::Read, true);
    CHECK(t.error_code == (P | U));
    t = c.translate(0x6000, Access::Read, false);     // PTE not present
    CHECK(t.error_code == 0);
    // Supervisor writes to a read-only page: allowed without CR0.WP.
    REQUIRE(c.write_cr(0, c.cr0 & ~(1ull << 16)));
    CHECK(c.translate(0x5000, Access::Write, false).ok());
    CHECK((s.rd(pt + 20, 4) & 0x40) != 0);            // dirty
    REQUIRE(c.write_cr(0, c.cr0 | (1ull << 16)));
    CHECK(c.translate(0x5000, Access::Write, false).error_code == (P | W));
}

TEST_CASE("x86 PAE paging loads PDPTEs with CR3", "[x86][sys][paging]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    const uint64_t pdpt = 0x200000, pd = 0x201000;
    s.wr(pdpt, pd | 1);
    s.wr(pd + 0, 0x83);                               // identity for the IDT, GDT and stack
    s.wr(pd + 8, 0x400000 | 0x83);                    // 2 MiB page at 2 MiB, writable, supervisor
    REQUIRE(c.write_cr(4, 1u << 5));
    REQUIRE(c.write_cr(3, pdpt));
    REQUIRE(c.write_cr(0, c.cr0 | 0x80000000u));
    CHECK(c.pdpte[0] == (pd | 1));
    Translation t = c.translate(0x212345, Access::Write, false);
    CHECK(t.ok());
    CHECK(t.paddr == 0x412345);
    // A reserved bit in a present PDPTE makes MOV CR3 #GP.
    s.wr(pdpt + 8, 0x300000 | 1 | (1u << 1));
    CHECK(!c.write_cr(3, pdpt));
    CHECK(c.rip == s.handler(13));
    // NX without EFER.NXE: XD is a reserved bit.
    s.wr(pdpt + 8, 0);
    s.wr(pd + 16, 0x600000 | 0x83 | (1ull << 63));
    REQUIRE(c.write_cr(3, pdpt));
    t = c.translate(0x400000, Access::Read, false);
    CHECK(t.error_code == (P | RSVD));
}

TEST_CASE("x86 4-level paging: error-code bits, NX, SMEP, reserved bits, A/D", "[x86][sys][paging]") {
    Sys s;
    Core& c = s.c();
    s.enter_long();
    const uint64_t pml4 = Sys::kPml4, pdpt = pml4 + 0x1000;
    // 1 GiB..: a page table for 0x40000000-0x401fffff
    const uint64_t pd2 = 0x110000, pt = 0x111000;
    s.wr(pdpt + 8, pd2 | 7);
    s.wr(pd2, pt | 7);
    s.wr(pt + 0 * 8, 0x500000 | 7);                          // user, writable
    s.wr(pt + 1 * 8, 0x501000 | 5);                          // user, read-only
    s.wr(pt + 2 * 8, 0x502000 | 3 | (1ull << 63));           // supervisor, XD
    s.wr(pt + 3 * 8, 0x503000 | 3 | (1ull << 51));           // reserved bit (MAXPHYADDR 39)
    s.wr(pt + 4 * 8, 0x504000 | 7);                          // user page for SMEP
    const uint64_t base = 0x40000000;

    Translation t = c.translate(base + 0x123, Access::Write, true);
    REQUIRE(t.ok());
    CHECK(t.paddr == 0x500123);
    CHECK((s.rd(pt) & 0x60) == 0x60);
    CHECK((s.rd(pdpt + 8) & 0x20) != 0);
    CHECK(c.translate(base + 0x1000, Access::Write, true).error_code == (P | W | U));
    CHECK(c.translate(base + 0x2000, Access::Read, true).error_code == (P | U));
    // XD with NXE: an instruction fetch fault with I/D.
    CHECK(c.translate(base + 0x2000, Access::Exec, false).error_code == (P | I));
    CHECK(c.translate(base + 0x2000, Access::Read, false).ok());
    CHECK(c.translate(base + 0x3000, Access::Read, false).error_code == (P | RSVD));
    CHECK(c.translate(base + 0x5000, Access::Exec, true).error_code == (U | I));   // not present
    // SMEP: supervisor fetch from a user page.
    CHECK(c.translate(base + 0x4000, Access::Exec, false).ok());
    REQUIRE(c.write_cr(4, c.cr4 | (1u << 20)));
    CHECK(c.translate(base + 0x4000, Access::Exec, false).error_code == (P | I));
    // The slow path raises #PF with CR2.
    c.rip = 0x100;
    uint64_t v;
    CHECK(!c.load_slow(DS, base + 0x5008, 8, v));
    CHECK(c.cr2 == base + 0x5008);
    CHECK(c.rip == s.handler(14));
    CHECK(s.rd(c.gpr[4]) == 0);   // error code: read, supervisor, not present
}

TEST_CASE("x86 TLB: CR3 loads keep global pages, INVLPG drops one page", "[x86][sys][paging]") {
    Sys s;
    Core& c = s.c();
    s.enter_long();
    REQUIRE(c.write_cr(4, c.cr4 | (1u << 7)));   // PGE
    const uint64_t pd2 = 0x110000, pt = 0x111000, pdpt = Sys::kPml4 + 0x1000;
    s.wr(pdpt + 8, pd2 | 3);
    s.wr(pd2, pt | 3);
    s.wr(pt + 0 * 8, 0x500000 | 3 | 0x100);      // global
    s.wr(pt + 1 * 8, 0x501000 | 3);              // not global
    s.wr(0x500000, 0x1111);
    s.wr(0x501000, 0x2222);
    s.wr(0x600000, 0x3333);
    uint64_t v;
    REQUIRE(c.load_slow(DS, 0x40000000, 8, v));
    CHECK(v == 0x1111);
    REQUIRE(c.load_slow(DS, 0x40001000, 8, v));
    CHECK(v == 0x2222);
    // Remap both pages in memory: the cached translations still apply.
    s.wr(pt + 0 * 8, 0x600000 | 3 | 0x100);
    s.wr(pt + 1 * 8, 0x600000 | 3);
    REQUIRE(c.load(DS, 0x40000000, v));
    CHECK(v == 0x1111);
    REQUIRE(c.load(DS, 0x40001000, v));
    CHECK(v == 0x2222);
    // CR3 load: the non-global page is walked again, the global one is not.
    REQUIRE(c.write_cr(3, c.cr3));
    REQUIRE(c.load(DS, 0x40000000, v));
    CHECK(v == 0x1111);
    REQUIRE(c.load(DS, 0x40001000, v));
    CHECK(v == 0x3333);
    // INVLPG drops the global one too.
    c.invlpg(0x40000000);
    REQUIRE(c.load(DS, 0x40000000, v));
    CHECK(v == 0x3333);
}
