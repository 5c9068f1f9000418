// Inner Shareable TLB maintenance: PEs sharing memory and one shareable
// domain, each running real code. One PE caches a translation, another
// changes the tables and issues TLBI (IS or local) and DSB ISH; what the
// first PE loads next shows whether its entry went. Local forms leave other
// PEs' stale entries (architecturally allowed), which proves the scoping.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "isa/arm64/pe.hpp"
#include "tests/isa/arm64_tables.hpp"

namespace hvemu::arm {
namespace {

constexpr uint64_t kRam = 0x4000'0000, kRamSize = 64ull << 20;
constexpr uint64_t kTablePool = kRam + (32ull << 20);
constexpr uint64_t kVectors = kRam + 0x8000;
constexpr uint64_t kPageA = kRam + 0x1000, kPageB = kRam + 0x2000;   // hold 1 and 2

constexpr uint64_t kValid = 1, kTableOrPage = 2, kAf = 1ull << 10, kSh = 3ull << 8, kNg = 1ull << 11;
constexpr uint64_t kS1Rw = kAf | kSh;                                        // MAIR index 0
constexpr uint64_t kS2Rw = kAf | kSh | (1ull << 6) | (1ull << 7) | (0xfull << 2);
constexpr uint64_t kHcrVm = 1, kHcrFb = 1ull << 9, kHcrDc = 1ull << 12;

// Encodings.
constexpr uint32_t kLdrX1X0 = 0xF9400001;   // ldr x1, [x0]
constexpr uint32_t kBackOne = 0x17FFFFFF;   // b .-4
constexpr uint32_t kBSelf = 0x14000000;     // b .
constexpr uint32_t kStrX5X6 = 0xF90000C5;   // str x5, [x6]
constexpr uint32_t kDsbIshst = 0xD5033A9F, kDsbIsh = 0xD5033B9F, kIsb = 0xD5033FDF;
constexpr uint32_t tlbi(unsigned op1, unsigned crm, unsigned op2, unsigned rt) {
    return 0xD5088000u | op1 << 16 | crm << 8 | op2 << 5 | rt;
}
constexpr uint32_t kTlbiVae1is = tlbi(0, 3, 1, 4), kTlbiVae1 = tlbi(0, 7, 1, 4);
constexpr uint32_t kTlbiIpas2e1is = tlbi(4, 0, 1, 4), kTlbiVmalle1is = tlbi(0, 3, 0, 31);

using Tables = test::Arm64Tables;

struct Machine {
    isa::PhysMem mem;
    Tables tables{mem, kTablePool};
    std::vector<std::unique_ptr<Pe>> pes;
    std::vector<Pe*> domain;

    explicit Machine(unsigned n) {
        mem.add_ram(kRam, kRamSize);
        put(kPageA, 1);
        put(kPageB, 2);
        for (uint64_t v = 0; v < 0x800; v += 0x80) mem.write(kVectors + v, 4, kBSelf);
        for (unsigned i = 0; i < n; i++) {
            PeConfig cfg;
            cfg.mpidr = (1ull << 31) | i;
            pes.push_back(std::make_unique<Pe>(mem, cfg));
            pes.back()->sys.vbar_el1 = pes.back()->sys.vbar_el2 = kVectors;
            domain.push_back(pes.back().get());
        }
        for (auto& p : pes) p->set_shareable_domain(&domain);
    }
    Pe& pe(unsigned i) { return *pes.at(i); }
    void put(uint64_t pa, uint64_t v) { mem.write_block(pa, &v, 8); }
    void code(uint64_t at, std::initializer_list<uint32_t> words) {
        for (uint32_t w : words) {
            mem.write(at, 4, w);
            at += 4;
        }
    }
    // PE i at EL1 (SP_EL1) running the code at `pc`.
    void start_el1(unsigned i, uint64_t pc) {
        pe(i).set_el(1, true);
        pe(i).pc = pc;
        pe(i).update_context();
    }
    // A shared EL1&0 stage 1: RAM identity-mapped, VA 0x100000 -> page A
    // (non-global, ASID 1).
    uint64_t stage1() {
        const uint64_t root = tables.alloc();
        tables.identity(root, 0, 48, kRam, kRamSize, kS1Rw);
        tables.wr(tables.slot(root, 0, 48, 0x10'0000, 3), kPageA | kS1Rw | kNg | kValid | kTableOrPage);
        for (auto& p : pes) {
            p->sys.tcr_el1 = 16 | (2ull << 32) | (1ull << 36);   // T0SZ 16, IPS 40 bits, 16-bit ASID
            p->sys.ttbr0_el1 = root | 1ull << 48;
            p->sys.mair_el1 = 0xff;
            p->sys.sctlr_el1 |= 1;
        }
        return tables.slot(root, 0, 48, 0x10'0000, 3);
    }
    // A stage 2 for `vmid`: RAM identity, IPA 0x80000000 -> page A.
    // Returns the descriptor's address.
    uint64_t stage2(Pe& p, uint16_t vmid) {
        const uint64_t root = tables.alloc(2);
        tables.identity(root, 1, 40, kRam, kRamSize, kS2Rw);
        const uint64_t d = tables.slot(root, 1, 40, 0x8000'0000, 3);
        tables.wr(d, kPageA | kS2Rw | kValid | kTableOrPage);
        p.sys.vtcr_el2 = 24 | (1u << 6) | (2u << 16) | (1u << 19);   // T0SZ 24, SL0 1, PS 40, VS
        p.sys.vttbr_el2 = root | uint64_t{vmid} << 48;
        p.sys.hcr_el2 |= kHcrVm | kHcrDc;   // stage 1 off, Normal memory: translations are cached
        return d;
    }
};

constexpr uint64_t kReader = kRam + 0x10000, kWriter = kRam + 0x20000;

// PE 1 reads VA 0x100000 in a loop; PE 0 points the page at page B with
// `str`, then runs `maintenance`.
struct Stage1Story {
    Machine m{2};
    uint64_t pte = m.stage1();
    explicit Stage1Story(uint32_t maintenance, uint64_t hcr = 0) {
        m.code(kReader, {kLdrX1X0, kBackOne});
        m.code(kWriter, {kStrX5X6, kDsbIshst, maintenance, kDsbIsh, kIsb, kBSelf});
        for (auto& p : m.pes) p->sys.hcr_el2 |= hcr;
        m.start_el1(0, kWriter);
        m.start_el1(1, kReader);
        m.pe(1).x[0] = 0x10'0000;
        m.pe(0).x[0] = 0x10'0000;
        m.pe(0).x[4] = (0x10'0000 >> 12) | 1ull << 48;   // VA, ASID 1
        m.pe(0).x[5] = kPageB | kS1Rw | kNg | kValid | kTableOrPage;
        m.pe(0).x[6] = pte;
    }
    uint64_t reader_sees() {
        m.pe(1).run(2);
        REQUIRE(m.pe(1).pc == kReader);
        return m.pe(1).x[1];
    }
};

TEST_CASE("Arm TLBI VAE1IS on one PE drops the entry another PE cached", "[arm64][tlbi][unit]") {
    Stage1Story s(kTlbiVae1is);
    CHECK(s.reader_sees() == 1);     // PE 1 caches VA 0x100000 -> page A
    s.m.pe(0).run(6);
    REQUIRE(s.m.pe(0).pc == kWriter + 20);
    CHECK(s.m.tables.rd(s.pte) == s.m.pe(0).x[5]);
    CHECK(s.reader_sees() == 2);     // the broadcast reached PE 1 before its next instruction
    uint64_t v = 0;
    REQUIRE(s.m.pe(0).load(0x10'0000, v));
    CHECK(v == 2);
}

TEST_CASE("Arm TLBI VAE1 (local) leaves another PE's stale entry", "[arm64][tlbi][unit]") {
    Stage1Story s(kTlbiVae1);
    CHECK(s.reader_sees() == 1);
    s.m.pe(0).run(6);
    REQUIRE(s.m.pe(0).pc == kWriter + 20);
    CHECK(s.reader_sees() == 1);     // stale, as a local invalidation allows
    uint64_t v = 0;
    REQUIRE(s.m.pe(0).load(0x10'0000, v));
    CHECK(v == 2);                   // the issuer's own TLB was invalidated
    // Another ASID's invalidation, broadcast, still leaves it.
    s.m.pe(0).tlbi({.kind = Pe::TlbiOp::Va, .addr = 0x10'0000, .asid = 2}, true);
    CHECK(s.reader_sees() == 1);
    s.m.pe(0).tlbi({.kind = Pe::TlbiOp::Va, .addr = 0x10'0000, .asid = 1}, true);
    CHECK(s.reader_sees() == 2);
}

TEST_CASE("Arm HCR_EL2.FB upgrades EL1's local TLBI to Inner Shareable", "[arm64][tlbi][unit]") {
    Stage1Story s(kTlbiVae1, kHcrFb);
    CHECK(s.reader_sees() == 1);
    s.m.pe(0).run(6);
    REQUIRE(s.m.pe(0).pc == kWriter + 20);
    CHECK(s.reader_sees() == 2);
}

TEST_CASE("Arm TLBI IPAS2E1IS + VMALLE1IS from EL2 reach the PEs running that VMID only", "[arm64][tlbi][unit]") {
    Machine m(3);
    const uint64_t d5 = m.stage2(m.pe(0), 5);
    m.pe(1).sys.vtcr_el2 = m.pe(0).sys.vtcr_el2;
    m.pe(1).sys.vttbr_el2 = m.pe(0).sys.vttbr_el2;   // PE 1 runs VMID 5 on PE 0's stage 2
    m.pe(1).sys.hcr_el2 |= kHcrVm | kHcrDc;
    m.stage2(m.pe(2), 6);                            // PE 2 runs VMID 6 on its own
    m.code(kReader, {kLdrX1X0, kBackOne});
    // PE 0 is the hypervisor at EL2 (MMU off): it remaps IPA 0x80000000 of
    // VMID 5 to page B and invalidates as the Arm ARM prescribes.
    m.code(kWriter, {kStrX5X6, kDsbIshst, kTlbiIpas2e1is, kDsbIsh, kTlbiVmalle1is, kDsbIsh, kIsb, kBSelf});
    m.pe(0).set_el(2, true);
    m.pe(0).pc = kWriter;
    m.pe(0).update_context();
    m.pe(0).x[4] = 0x8000'0000 >> 12;
    m.pe(0).x[5] = kPageB | kS2Rw | kValid | kTableOrPage;
    m.pe(0).x[6] = d5;
    for (unsigned i : {1u, 2u}) {
        m.start_el1(i, kReader);
        m.pe(i).x[0] = 0x8000'0000;
        m.pe(i).run(4);
        REQUIRE(m.pe(i).pc == kReader);
        CHECK(m.pe(i).x[1] == 1);
    }
    const uint64_t misses2 = m.pe(2).tlb_misses;
    m.pe(0).run(8);
    REQUIRE(m.pe(0).pc == kWriter + 28);
    m.pe(1).run(2);
    CHECK(m.pe(1).x[1] == 2);                  // VMID 5's cached IPA translation went
    m.pe(2).run(2);
    CHECK(m.pe(2).x[1] == 1);
    CHECK(m.pe(2).tlb_misses == misses2);      // VMID 6 kept every entry
}

TEST_CASE("Arm TLBI ALLE1IS and ALLE2IS keep to their regimes", "[arm64][tlbi][unit]") {
    Machine m(2);
    m.stage1();
    m.start_el1(1, kReader);
    m.code(kReader, {kLdrX1X0, kBackOne});
    m.pe(1).x[0] = 0x10'0000;
    m.pe(1).run(2);
    const uint64_t misses = m.pe(1).tlb_misses;
    m.pe(0).tlbi({.kind = Pe::TlbiOp::AllEl2}, true);   // EL2 entries only: PE 1's EL1 ones stay
    m.pe(1).run(2);
    CHECK(m.pe(1).tlb_misses == misses);
    m.pe(0).tlbi({.kind = Pe::TlbiOp::AllEl1}, true);
    m.pe(1).run(2);
    CHECK(m.pe(1).tlb_misses > misses);
}

} // namespace
} // namespace hvemu::arm
