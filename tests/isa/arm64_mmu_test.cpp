// The VMSAv8-64 MMU of the Arm PE: page tables built in RAM by a small
// helper, then translations, golden ESR/FAR/HPFAR/PAR values per fault
// kind (translation at each level, access flag, permission, address size,
// alignment, stage 2 with and without an instruction syndrome, stage 2 on
// a stage 1 walk), walk reference counts, TLB maintenance (ASID and VMID
// separation) and MMIO through the slow path.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "isa/arm64/pe.hpp"
#include "tests/isa/arm64_tables.hpp"

namespace hvemu::arm {
namespace {

constexpr uint64_t kRam = 0x4000'0000, kRamSize = 64ull << 20;
constexpr uint64_t kMmio = 0x0900'0000;
constexpr uint64_t kTablePool = kRam + (32ull << 20);   // page tables come from here

// Descriptor bits as the Arm ARM names them.
constexpr uint64_t kValid = 1, kTableOrPage = 2, kAf = 1ull << 10, kSh = 3ull << 8, kNg = 1ull << 11;
constexpr uint64_t kApEl0 = 1ull << 6, kApRo = 1ull << 7, kPxn = 1ull << 53, kUxn = 1ull << 54;
constexpr uint64_t kS2Read = 1ull << 6, kS2Write = 1ull << 7, kS2Normal = 0xfull << 2, kS2Device = 0;
constexpr uint64_t kAttr0 = 0 << 2, kAttr1 = 1 << 2;   // MAIR index 0: Normal WB, 1: Device-nGnRnE
constexpr uint64_t kMair = 0x00ff;
constexpr uint64_t kS1Rw = kAf | kSh | kAttr0;           // EL1 read/write Normal
constexpr uint64_t kS2Rw = kAf | kSh | kS2Read | kS2Write | kS2Normal;
// Registers.
constexpr uint64_t kHcrVm = 1, kHcrTge = 1ull << 27;
constexpr uint64_t kSctlrM = 1, kSctlrA = 2;
constexpr uint64_t kIl = 1ull << 25;
constexpr uint64_t kTcrIps40 = 2ull << 32, kTcrAs = 1ull << 36;

uint64_t esr(uint32_t ec, uint32_t iss) { return uint64_t{ec} << 26 | kIl | iss; }

struct Device final : isa::MmioTarget {
    std::vector<std::pair<uint64_t, uint64_t>> writes;
    uint64_t reads = 0;
    bool mmio_read(uint64_t off, unsigned width, uint64_t& v) override {
        ++reads;
        if (off >= 0x800) return false;   // the upper half answers with a bus error
        v = 0x1122334455667788ull + off + width;
        return true;
    }
    bool mmio_write(uint64_t off, unsigned width, uint64_t v) override {
        writes.push_back({off, v});
        return off < 0x800;
    }
};

using Tables = test::Arm64Tables;

struct Fixture {
    isa::PhysMem mem;
    Device dev;
    std::unique_ptr<Pe> pe;
    Tables tables{mem, kTablePool};
    uint64_t s1_root = 0, s2_root = 0;

    explicit Fixture(unsigned pa_bits = 40) {
        mem.add_ram(kRam, kRamSize);
        mem.add_mmio(kMmio, 0x1000, &dev, "dev");
        PeConfig cfg;
        cfg.pa_bits = pa_bits;
        cfg.hosted = true;
        pe = std::make_unique<Pe>(mem, cfg);
        pe->sys.vbar_el1 = 0x1000;
        pe->sys.vbar_el2 = 0x2000;
    }
    // EL1&0 stage 1: 48-bit VA (start level 0), TTBR0 with `asid`.
    void stage1_el1(uint16_t asid = 0) {
        if (!s1_root) s1_root = tables.alloc();
        pe->sys.tcr_el1 = 16 | kTcrIps40 | kTcrAs;
        pe->sys.ttbr0_el1 = s1_root | uint64_t{asid} << 48;
        pe->sys.mair_el1 = kMair;
        pe->sys.sctlr_el1 |= kSctlrM;
        pe->update_context();
    }
    void map1(uint64_t va, uint64_t pa, uint64_t attrs = kS1Rw, int level = 3) {
        tables.map(s1_root, 0, 48, va, pa, attrs, level);
    }
    // Stage 2: 40-bit IPA from level 1 (two concatenated tables), VMID.
    void stage2(uint16_t vmid = 5) {
        if (!s2_root) s2_root = tables.alloc(2);
        pe->sys.vtcr_el2 = 24 | (1u << 6) | (2u << 16) | (1u << 19);   // T0SZ 24, SL0 1, PS 40, VS
        pe->sys.vttbr_el2 = s2_root | uint64_t{vmid} << 48;
        pe->sys.hcr_el2 |= kHcrVm;
        pe->update_context();
    }
    void map2(uint64_t ipa, uint64_t pa, uint64_t attrs = kS2Rw, int level = 3) {
        tables.map(s2_root, 1, 40, ipa, pa, attrs, level);
    }
    void at_el(unsigned el) { pe->set_el(el, true); }
    void put64(uint64_t pa, uint64_t v) { mem.write_block(pa, &v, 8); }
    uint64_t get64(uint64_t pa) {
        uint64_t v;
        mem.read_block(pa, &v, 8);
        return v;
    }
};

TEST_CASE("Arm MMU: stage 1 EL1 translation of pages and blocks", "[arm64][mmu][unit]") {
    Fixture f;
    f.at_el(1);
    f.stage1_el1();
    f.map1(0x1234'5000, kRam + 0x7000);
    f.map1(0x8000'0000, kRam + 0x20'0000, kS1Rw, 2);   // 2 MiB block
    f.map1(0x1'0000'0000, kRam, kS1Rw, 1);             // 1 GiB block (RAM is its first 64 MiB)
    f.put64(kRam + 0x7008, 0xfeedface);

    Translation t = f.pe->translate(0x1234'5008, Access::Read, 1);
    REQUIRE(t.ok());
    CHECK(t.paddr == kRam + 0x7008);
    CHECK(t.attr == 0xff);
    CHECK(f.pe->translate(0x8012'3456, Access::Write, 1).paddr == kRam + 0x32'3456);
    CHECK(f.pe->translate(0x1'0123'4567, Access::Read, 1).paddr == kRam + 0x123'4567);

    const uint64_t refs0 = f.pe->walk_refs_s1;
    uint64_t v = 0;
    REQUIRE(f.pe->load_slow(0x1234'5008, 8, v));
    CHECK(v == 0xfeedface);
    CHECK(f.pe->walk_refs_s1 - refs0 == 4);   // levels 0-3
    CHECK(f.pe->walk_refs_s2 == 0);
    // The slow path filled the TLB: the fast path now hits.
    const uint64_t misses = f.pe->tlb_misses;
    uint32_t w = 0;
    REQUIRE(f.pe->load(0x1234'500c, w));
    CHECK(f.pe->tlb_misses == misses);
    REQUIRE(f.pe->store<uint32_t>(0x1234'5010, 0xabcd));
    CHECK(f.get64(kRam + 0x7010) == 0xabcd);
}

TEST_CASE("Arm MMU: TTBR1 range and the EL2 regime", "[arm64][mmu][unit]") {
    Fixture f;
    // EL1: T1SZ 25 (39 bits, start level 1) for the upper range.
    uint64_t root1 = f.tables.alloc();
    f.pe->sys.tcr_el1 = 16 | (25ull << 16) | kTcrIps40;
    f.pe->sys.ttbr1_el1 = root1;
    f.pe->sys.mair_el1 = kMair;
    f.pe->sys.sctlr_el1 |= kSctlrM;
    f.tables.map(root1, 1, 39, 0xffff'ffc0'0020'0000ull, kRam + 0x5000, kS1Rw);
    CHECK(f.pe->translate(0xffff'ffc0'0020'0123ull, Access::Read, 1).paddr == kRam + 0x5123);
    // A VA whose top bits are not all ones for TTBR1: translation fault, level 0.
    Translation bad = f.pe->translate(0xfeff'ffc0'0020'0000ull, Access::Read, 1);
    CHECK(bad.fault == FaultKind::Translation);
    CHECK(bad.level == 0);
    // EPD1 disables walks from TTBR1.
    f.pe->sys.tcr_el1 |= 1ull << 23;
    CHECK(f.pe->translate(0xffff'ffc0'0020'0123ull, Access::Read, 1).fault == FaultKind::Translation);

    // EL2: TCR_EL2.T0SZ 25, a 2 MiB block.
    uint64_t root2 = f.tables.alloc();
    f.pe->sys.tcr_el2 = 25 | (2u << 16);
    f.pe->sys.ttbr0_el2 = root2;
    f.pe->sys.mair_el2 = kMair;
    f.pe->sys.sctlr_el2 |= kSctlrM;
    f.tables.map(root2, 1, 39, 0x4000'0000, kRam, kS1Rw, 2);
    f.pe->update_context();
    CHECK(f.pe->translate(0x4001'2345, Access::Write, 2).paddr == kRam + 0x1'2345);
    // AP[2] makes an EL2 page read-only; EL2 ignores AP[1].
    f.tables.map(root2, 1, 39, 0x4060'0000, kRam, kS1Rw | kApRo | kApEl0, 3);
    CHECK(f.pe->translate(0x4060'0000, Access::Read, 2).ok());
    Translation ro = f.pe->translate(0x4060'0000, Access::Write, 2);
    CHECK(ro.fault == FaultKind::Permission);
    CHECK(ro.level == 3);
    // A store at EL2 faults to EL2, same EL.
    CHECK_FALSE(f.pe->store_slow(0x4060'0008, 4, 1));
    CHECK(f.pe->sys.esr_el2 == esr(0x25, 0x40 | 0x0f));
    CHECK(f.pe->sys.far_el2 == 0x4060'0008);
    CHECK(f.pe->pc == 0x2000 + 0x200);
}

TEST_CASE("Arm MMU: stage 1 faults give golden ESR_EL1 and FAR_EL1", "[arm64][mmu][unit]") {
    Fixture f;
    f.at_el(1);
    f.stage1_el1();
    f.pe->pc = 0x7000;
    f.map1(0x10'0000, kRam + 0x1000);   // builds tables for levels 0-2 of this region

    SECTION("translation fault at each level") {
        struct Case {
            uint64_t va;
            uint32_t level;
        } cases[] = {{0x8000'0000'0000ull, 0}, {0x40'0000'0000ull, 1}, {0x40'0000ull, 2}, {0x10'1000ull, 3}};
        for (const Case& c : cases) {
            uint64_t v;
            f.at_el(1);
            f.pe->pc = 0x7000;
            REQUIRE_FALSE(f.pe->load_slow(c.va, 8, v));
            CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x04 | c.level));
            CHECK(f.pe->sys.far_el1 == c.va);
            CHECK(f.pe->sys.elr_el1 == 0x7000);
            CHECK(f.pe->el() == 1);
            CHECK(f.pe->pc == 0x1000 + 0x200);
        }
    }
    SECTION("access flag fault, and WnR on a store") {
        f.map1(0x10'2000, kRam + 0x2000, kS1Rw & ~kAf);
        REQUIRE_FALSE(f.pe->store_slow(0x10'2004, 4, 7));
        CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x40 | 0x0b));
        CHECK(f.pe->sys.far_el1 == 0x10'2004);
    }
    SECTION("permission faults: AP, EL0, UXN/PXN, WXN") {
        f.map1(0x10'3000, kRam + 0x3000, kS1Rw | kApRo);
        REQUIRE_FALSE(f.pe->store_slow(0x10'3000, 8, 7));
        CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x40 | 0x0f));
        uint64_t v;
        CHECK(f.pe->load_slow(0x10'3000, 8, v));
        // EL0 has no access to an EL1 page: EC 0x24 (from a lower EL).
        f.at_el(0);
        REQUIRE_FALSE(f.pe->load_slow(0x10'1000 - 0x1000, 8, v));
        CHECK(f.pe->sys.esr_el1 == esr(0x24, 0x0f));
        // ... and LDTR at EL1 checks EL0 permissions.
        f.at_el(1);
        REQUIRE_FALSE(f.pe->load_slow(0x10'0000, 8, v, true));
        CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x0f));
        // Instruction fetch: PXN at EL1, UXN at EL0; EL0-writable pages never execute at EL1.
        f.map1(0x10'4000, kRam + 0x4000, kS1Rw | kPxn);
        f.map1(0x10'5000, kRam + 0x5000, kS1Rw | kApEl0);
        f.at_el(1);
        uint64_t pa;
        REQUIRE_FALSE(f.pe->fetch_translate(0x10'4000, pa));
        CHECK(f.pe->sys.esr_el1 == esr(0x21, 0x0f));
        CHECK(f.pe->sys.far_el1 == 0x10'4000);
        f.at_el(1);
        CHECK_FALSE(f.pe->fetch_translate(0x10'5000, pa));
        f.at_el(0);
        REQUIRE(f.pe->fetch_translate(0x10'5000, pa));   // UXN clear: EL0 executes
        CHECK(pa == kRam + 0x5000);
        f.map1(0x10'6000, kRam + 0x6000, kS1Rw | kApEl0 | kUxn);
        REQUIRE_FALSE(f.pe->fetch_translate(0x10'6000, pa));
        CHECK(f.pe->sys.esr_el1 == esr(0x20, 0x0f));
        // WXN: a writable page is execute-never.
        f.at_el(1);
        CHECK(f.pe->fetch_translate(0x10'0000, pa));
        f.pe->sys.sctlr_el1 |= 1u << 19;
        f.pe->update_context();
        CHECK_FALSE(f.pe->fetch_translate(0x10'0000, pa));
    }
    SECTION("APTable and XNTable limits from a table descriptor") {
        const uint64_t l2slot = f.tables.slot(f.s1_root, 0, 48, 0x10'0000, 2);
        f.tables.wr(l2slot, f.tables.rd(l2slot) | (1ull << 62));   // APTable[1]: read-only below
        uint64_t v;
        CHECK(f.pe->load_slow(0x10'0000, 8, v));
        REQUIRE_FALSE(f.pe->store_slow(0x10'0000, 8, v));
        CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x40 | 0x0f));
    }
    SECTION("address size faults: descriptor output and TTBR beyond IPS") {
        f.pe->sys.tcr_el1 = (f.pe->sys.tcr_el1 & ~(7ull << 32));   // IPS 32 bits
        f.map1(0x10'7000, 0x1'0000'0000ull);
        uint64_t v;
        REQUIRE_FALSE(f.pe->load_slow(0x10'7000, 8, v));
        CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x03));
        f.pe->sys.ttbr0_el1 = 0x1'0000'0000ull;
        REQUIRE_FALSE(f.pe->load_slow(0x10'0000, 8, v));
        CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x00));
    }
    SECTION("a level 3 block encoding and a level 0 block are translation faults") {
        f.tables.wr(f.tables.slot(f.s1_root, 0, 48, 0x10'8000, 3), kRam | kS1Rw | kValid);
        Translation t = f.pe->translate(0x10'8000, Access::Read, 1);
        CHECK(t.fault == FaultKind::Translation);
        CHECK(t.level == 3);
        f.tables.wr(f.s1_root + 8, kRam | kS1Rw | kValid);   // level 0 entry 1 as a block
        t = f.pe->translate(0x80'0000'0000ull, Access::Read, 1);
        CHECK(t.fault == FaultKind::Translation);
        CHECK(t.level == 0);
    }
    SECTION("a table in MMIO is a synchronous external abort on the walk") {
        const uint64_t l2slot = f.tables.slot(f.s1_root, 0, 48, 0x20'0000, 2);
        f.tables.wr(l2slot, kMmio | kValid | kTableOrPage);
        uint64_t v;
        REQUIRE_FALSE(f.pe->load_slow(0x20'0000, 8, v));
        CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x14 | 3));   // reading the level 3 descriptor
    }
}

TEST_CASE("Arm MMU: alignment faults (Device memory, SCTLR.A, exclusives)", "[arm64][mmu][unit]") {
    Fixture f;
    f.at_el(1);
    f.pe->pc = 0x8000;
    f.put64(kRam + 0x100, 0x0807060504030201ull);
    uint64_t v;
    // Stage 1 off: data accesses are Device-nGnRnE.
    REQUIRE(f.pe->load_slow(kRam + 0x100, 4, v));
    CHECK(v == 0x04030201);
    REQUIRE_FALSE(f.pe->load_slow(kRam + 0x101, 4, v));
    CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x21));
    CHECK(f.pe->sys.far_el1 == kRam + 0x101);
    // ... and never fill the TLB.
    const uint64_t misses = f.pe->tlb_misses;
    uint32_t w;
    f.at_el(1);
    REQUIRE(f.pe->load(kRam + 0x100, w));
    REQUIRE(f.pe->load(kRam + 0x100, w));
    CHECK(f.pe->tlb_misses == misses + 2);

    // Stage 1 on, Normal: unaligned is fine, also across a page.
    f.stage1_el1();
    f.map1(0x10'0000, kRam + 0x3000);
    f.map1(0x10'1000, kRam + 0x9000);
    f.put64(kRam + 0x3ff8, 0xaabbccdd00000000ull);
    f.put64(kRam + 0x9000, 0x11223344);
    REQUIRE(f.pe->load_slow(0x10'0ffc, 8, v));
    CHECK(v == 0x11223344aabbccddull);
    REQUIRE(f.pe->store_slow(0x10'0ffe, 4, 0x55667788));
    CHECK((f.get64(kRam + 0x3ff8) >> 48) == 0x7788);
    CHECK((f.get64(kRam + 0x9000) & 0xffff) == 0x5566);
    // A Device page (MAIR index 1) faults on an unaligned access.
    f.map1(0x10'2000, kRam + 0x4000, kS1Rw | kAttr1);
    REQUIRE_FALSE(f.pe->load_slow(0x10'2002, 4, v));
    CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x21));
    // SCTLR_EL1.A: every unaligned access faults, before translation.
    f.pe->sys.sctlr_el1 |= kSctlrA;
    f.pe->update_context();
    REQUIRE_FALSE(f.pe->load_slow(0x7777'0001, 2, v));
    CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x21));
    CHECK(f.pe->sys.far_el1 == 0x7777'0001);
    f.pe->sys.sctlr_el1 &= ~kSctlrA;
    f.pe->update_context();
    // Exclusives and atomics: natural alignment on Normal memory too.
    uint8_t* host;
    uint64_t pa;
    REQUIRE(f.pe->atomic_address(0x10'0010, 8, true, host, pa));
    CHECK(pa == kRam + 0x3010);
    CHECK(host == f.mem.ram_ptr(kRam + 0x3010));
    REQUIRE_FALSE(f.pe->atomic_address(0x10'0014, 8, true, host, pa));
    CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x40 | 0x21));
}

TEST_CASE("Arm MMU: stage 2 faults go to EL2 with ISS, FAR and HPFAR", "[arm64][mmu][unit]") {
    Fixture f;
    f.stage2(5);
    f.at_el(1);
    f.pe->pc = 0x9000;
    f.map2(0x8000'0000, kRam + 0x6000);                               // RW
    f.map2(0x8000'1000, kRam + 0x7000, kS2Rw & ~kS2Write);            // read-only
    f.map2(0x8000'2000, kRam + 0x8000, kS2Rw | kUxn);                 // XN
    f.map2(0x8000'3000, kRam + 0x9000, kAf | kS2Read | kS2Write | kS2Device);
    f.map2(0x8020'0000, kRam + 0x20'0000, kS2Rw, 2);                  // 2 MiB block
    f.put64(kRam + 0x6008, 42);
    uint64_t v;

    // Stage 1 is off: VA = IPA.
    REQUIRE(f.pe->load_slow(0x8000'0008, 8, v));
    CHECK(v == 42);
    CHECK(f.pe->translate(0x8021'2344, Access::Read, 1).paddr == kRam + 0x21'2344);

    SECTION("translation fault with a valid instruction syndrome") {
        f.pe->syn = {true, true, false, true, 7};   // LDARSH W7 style: SSE, AR, SF=0
        REQUIRE_FALSE(f.pe->load_slow(0x8040'0010, 2, v));
        // ISV | SAS=1 | SSE | SRT=7 | AR | DFSC level 2 (no level 2 table).
        CHECK(f.pe->sys.esr_el2 == esr(0x24, (1u << 24) | (1u << 22) | (1u << 21) | (7u << 16) | (1u << 14) | 0x06));
        CHECK(f.pe->sys.far_el2 == 0x8040'0010);
        CHECK(f.pe->sys.hpfar_el2 == (0x8040'0010ull >> 12) << 4);
        CHECK(f.pe->sys.elr_el2 == 0x9000);
        CHECK(f.pe->el() == 2);
        CHECK(f.pe->pc == 0x2000 + 0x400);
    }
    SECTION("permission fault on a store: WnR, SF, SRT 31 for XZR") {
        f.pe->syn = {true, false, true, false, kSink};
        REQUIRE_FALSE(f.pe->store_slow(0x8000'1000, 8, 0));
        CHECK(f.pe->sys.esr_el2 == esr(0x24, (1u << 24) | (3u << 22) | (31u << 16) | (1u << 15) | 0x40 | 0x0f));
        CHECK(f.pe->sys.hpfar_el2 == (0x8000'1000ull >> 12) << 4);
    }
    SECTION("no syndrome for accesses without one (pairs, writeback)") {
        f.pe->syn = {};
        REQUIRE_FALSE(f.pe->store_slow(0x8000'1000, 8, 0));
        CHECK(f.pe->sys.esr_el2 == esr(0x24, 0x40 | 0x0f));
    }
    SECTION("access flag fault at stage 2") {
        f.map2(0x8000'4000, kRam + 0xa000, kS2Rw & ~kAf);
        REQUIRE_FALSE(f.pe->load_slow(0x8000'4000, 8, v));
        CHECK((f.pe->sys.esr_el2 & 0x3f) == 0x0b);
    }
    SECTION("stage 2 XN: instruction abort to EL2") {
        uint64_t pa;
        REQUIRE(f.pe->fetch_translate(0x8000'0000, pa));
        f.at_el(1);
        REQUIRE_FALSE(f.pe->fetch_translate(0x8000'2000, pa));
        CHECK(f.pe->sys.esr_el2 == esr(0x20, 0x0f));
        CHECK(f.pe->sys.far_el2 == 0x8000'2000);
        CHECK(f.pe->sys.hpfar_el2 == (0x8000'2000ull >> 12) << 4);
    }
    SECTION("stage 2 Device memory: unaligned is a stage 2 alignment fault") {
        f.map2(kTablePool, kTablePool, kS2Rw, 2);   // the stage 1 tables, 1:1
        f.stage1_el1();
        f.map1(0x5000, 0x8000'3000);
        REQUIRE(f.pe->load_slow(0x5000, 8, v));
        f.pe->syn = {true, false, true, false, 1};
        REQUIRE_FALSE(f.pe->load_slow(0x5004, 8, v));
        CHECK(f.pe->sys.esr_el2 == esr(0x24, (1u << 24) | (3u << 22) | (1u << 16) | (1u << 15) | 0x21));
    }
    SECTION("IPA beyond the stage 2 input size: translation fault level 0") {
        f.pe->sys.vtcr_el2 = (f.pe->sys.vtcr_el2 & ~63ull) | 32;   // 32-bit IPA
        REQUIRE_FALSE(f.pe->load_slow(0x1'0000'0000ull, 8, v));
        CHECK((f.pe->sys.esr_el2 & 0x3f) == 0x04);
    }
    SECTION("stage 2 output beyond VTCR_EL2.PS: address size fault") {
        f.map2(0x8000'5000, 0x100'0000'0000ull);
        REQUIRE_FALSE(f.pe->load_slow(0x8000'5000, 8, v));
        CHECK((f.pe->sys.esr_el2 & 0x3f) == 0x03);
    }
    SECTION("TGE routes EL0 stage 1 faults to EL2; stage 1 is off for EL1&0") {
        f.pe->sys.hcr_el2 |= kHcrTge;
        f.pe->sys.vbar_el2 = 0x2000;
        f.pe->update_context();
        f.at_el(0);
        f.pe->syn = {};
        REQUIRE_FALSE(f.pe->load_slow(0x8000'0001, 4, v));   // Device (stage 1 off) unaligned
        CHECK(f.pe->sys.esr_el2 == esr(0x24, 0x21));
    }
}

TEST_CASE("Arm MMU: stage 2 fault on a stage 1 walk (S1PTW) and walk reference counts", "[arm64][mmu][unit]") {
    Fixture f(48);
    // Stage 2: 48-bit IPA from level 0, identity for the RAM used here.
    f.s2_root = f.tables.alloc();
    f.pe->sys.vtcr_el2 = 16 | (2u << 6) | (5u << 16);
    f.pe->sys.vttbr_el2 = f.s2_root | 9ull << 48;
    f.pe->sys.hcr_el2 |= kHcrVm;
    for (uint64_t a = kRam; a < kRam + (40ull << 20); a += 0x1000) f.tables.map(f.s2_root, 0, 48, a, a, kS2Rw);
    f.at_el(1);
    f.stage1_el1();
    f.map1(0x10'0000, kRam + 0x1000);
    f.put64(kRam + 0x1000, 77);
    f.pe->pc = 0xa000;
    uint64_t v;
    const uint64_t r1 = f.pe->walk_refs_s1, r2 = f.pe->walk_refs_s2, walks = f.pe->walks;
    REQUIRE(f.pe->load_slow(0x10'0000, 8, v));
    CHECK(v == 77);
    CHECK(f.pe->walk_refs_s1 - r1 == 4);
    CHECK(f.pe->walk_refs_s2 - r2 == 20);   // 4 per stage 1 table read + 4 for the output: (4+1)(4+1)-1 = 24 in all
    CHECK(f.pe->walks - walks == 1);

    SECTION("the stage 1 level 2 table is not mapped at stage 2") {
        const uint64_t l1slot = f.tables.slot(f.s1_root, 0, 48, 0x10'0000, 1);
        const uint64_t l2table = f.tables.rd(l1slot) & 0x0000fffffffff000ull;
        f.tables.wr(f.tables.slot(f.s2_root, 0, 48, l2table, 3), 0);
        f.pe->syn = {true, false, true, false, 3};
        REQUIRE_FALSE(f.pe->load_slow(0x10'0000, 8, v));
        // S1PTW, no ISV, stage 2 translation fault at level 3; HPFAR = the table's IPA.
        CHECK(f.pe->sys.esr_el2 == esr(0x24, (1u << 7) | 0x07));
        CHECK(f.pe->sys.far_el2 == 0x10'0000);
        CHECK(f.pe->sys.hpfar_el2 == (l2table >> 12) << 4);

        // AT S1E1R at EL1 takes the same fault to EL2 (CM, WnR), not into PAR.
        f.at_el(1);
        CHECK_FALSE(f.pe->at(Pe::AtOp::S1E1R, 0x10'0000));
        CHECK(f.pe->sys.esr_el2 == esr(0x24, (1u << 8) | (1u << 7) | (1u << 6) | 0x07));
        // At EL2 it is reported in PAR_EL1: F, FST, PTW, S.
        REQUIRE(f.pe->el() == 2);
        CHECK(f.pe->at(Pe::AtOp::S12E1R, 0x10'0000));
        CHECK(f.pe->sys.par_el1 == ((1u << 11) | (1u << 9) | (1u << 8) | (0x07u << 1) | 1u));
    }
    SECTION("a write-only stage 2 mapping of a table faults as a read, S1PTW") {
        const uint64_t l3slot = f.tables.slot(f.s1_root, 0, 48, 0x10'0000, 3);
        const uint64_t s2slot = f.tables.slot(f.s2_root, 0, 48, l3slot, 3);
        f.tables.wr(s2slot, (l3slot & ~0xfffull) | kValid | kTableOrPage | kAf | kS2Write | kS2Normal);
        REQUIRE_FALSE(f.pe->store_slow(0x10'0000, 8, 1));
        CHECK(f.pe->sys.esr_el2 == esr(0x24, (1u << 7) | 0x0f));   // WnR 0: the walk read
    }
}

TEST_CASE("Arm MMU: AT writes PAR_EL1", "[arm64][mmu][unit]") {
    Fixture f;
    f.stage1_el1();
    f.map1(0x10'0000, kRam + 0x1000);
    f.map1(0x10'1000, kRam + 0x2000, kS1Rw | kApRo | kApEl0 | kAttr1);
    // At EL2 for the EL1&0 regime.
    REQUIRE(f.pe->at(Pe::AtOp::S1E1R, 0x10'0123));
    CHECK(f.pe->sys.par_el1 == (0xffull << 56 | (kRam + 0x1000) | (1u << 11) | (1u << 9) | (3u << 7)));
    REQUIRE(f.pe->at(Pe::AtOp::S1E0R, 0x10'1000));
    CHECK(f.pe->sys.par_el1 == ((kRam + 0x2000) | (1u << 11) | (1u << 9) | (2u << 7)));   // Device: ATTR 0, SH outer
    REQUIRE(f.pe->at(Pe::AtOp::S1E1W, 0x10'1000));
    CHECK(f.pe->sys.par_el1 == ((1u << 11) | (0x0fu << 1) | 1u));
    REQUIRE(f.pe->at(Pe::AtOp::S1E0R, 0x10'0000));
    CHECK(f.pe->sys.par_el1 == ((1u << 11) | (0x0fu << 1) | 1u));
    REQUIRE(f.pe->at(Pe::AtOp::S1E1R, 0x20'0000));
    CHECK(f.pe->sys.par_el1 == ((1u << 11) | (0x06u << 1) | 1u));
    // Stage 2: S12E1R gives the PA, S1E1R the IPA.
    f.stage2(3);
    f.map2(kTablePool, kTablePool, kS2Rw, 2);   // the stage 1 tables, 1:1
    f.map2(kRam + 0x1000, kRam + 0x5000);
    f.pe->sys.hcr_el2 |= kHcrVm;
    f.pe->update_context();
    REQUIRE(f.pe->at(Pe::AtOp::S12E1R, 0x10'0010));
    CHECK((f.pe->sys.par_el1 & 0x0000fffffffff000ull) == kRam + 0x5000);
    REQUIRE(f.pe->at(Pe::AtOp::S1E1R, 0x10'0010));
    CHECK((f.pe->sys.par_el1 & 0x0000fffffffff000ull) == kRam + 0x1000);
    // A stage 2 fault on the output: S set, not PTW.
    f.map1(0x10'2000, kRam + 0x30'0000);
    REQUIRE(f.pe->at(Pe::AtOp::S12E1W, 0x10'2000));
    CHECK(f.pe->sys.par_el1 == ((1u << 11) | (1u << 9) | (0x06u << 1) | 1u));
}

TEST_CASE("Arm MMU: TLB invalidation, ASID and VMID separation", "[arm64][mmu][unit]") {
    Fixture f;
    f.at_el(1);
    f.stage1_el1(1);
    f.map1(0x10'0000, kRam + 0x1000, kS1Rw | kNg);
    f.map1(0x20'1000, kRam + 0x3000, kS1Rw);   // global (another TLB set)
    f.put64(kRam + 0x1000, 1);
    f.put64(kRam + 0x2000, 2);
    f.put64(kRam + 0x3000, 3);
    uint64_t v = 0;
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 1);
    REQUIRE(f.pe->load(0x20'1000, v));
    // A changed PTE is not seen before TLBI (the TLB caches), and is after.
    f.map1(0x10'0000, kRam + 0x2000, kS1Rw | kNg);
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 1);
    f.pe->tlbi_va(0x10'0000, 2, false, false);   // another ASID: stays
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 1);
    f.pe->tlbi_va(0x10'0000, 1, false, false);
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 2);

    // ASID 2 with its own tables: a separate context; switching back hits.
    const uint64_t root1 = f.s1_root;
    f.s1_root = 0;
    f.stage1_el1(2);
    f.map1(0x10'0000, kRam + 0x3000, kS1Rw | kNg);
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 3);
    f.pe->sys.ttbr0_el1 = root1 | 1ull << 48;
    f.pe->update_context();
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 2);
    // ASIDE1 of ASID 1 drops its non-global entries, not the global ones
    // (filled in ASID 1's context before the switches: still there).
    f.pe->tlbi_asid(1);
    uint64_t misses = f.pe->tlb_misses;
    REQUIRE(f.pe->load(0x20'1000, v));
    CHECK(f.pe->tlb_misses == misses);
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(f.pe->tlb_misses == misses + 1);
    // A global entry goes with a VA invalidation of any ASID.
    f.pe->tlbi_va(0x20'1000, 7, false, false);
    REQUIRE(f.pe->load(0x20'1000, v));
    CHECK(f.pe->tlb_misses == misses + 2);

    // VMIDs: the same VA under two stage 2 maps.
    f.pe->sys.sctlr_el1 &= ~kSctlrM;
    f.stage2(5);
    f.map2(0x8000'0000, kRam + 0x1000);
    const uint64_t root5 = f.s2_root;
    f.s2_root = 0;
    f.stage2(6);
    f.map2(0x8000'0000, kRam + 0x3000);
    // Stage 1 is off: data is Device and uncached; use HCR_EL2.DC (Normal) to cache.
    f.pe->sys.hcr_el2 |= 1u << 12;
    f.pe->update_context();
    REQUIRE(f.pe->load(0x8000'0000, v));
    CHECK(v == 3);
    f.pe->sys.vttbr_el2 = root5 | 5ull << 48;
    f.pe->update_context();
    REQUIRE(f.pe->load(0x8000'0000, v));
    CHECK(v == 1);
    misses = f.pe->tlb_misses;
    f.pe->tlbi_vmid(6);                    // another VMID: VMID 5's entry stays
    REQUIRE(f.pe->load(0x8000'0000, v));
    CHECK(f.pe->tlb_misses == misses);
    f.pe->tlbi_ipa(0x8000'0000);
    REQUIRE(f.pe->load(0x8000'0000, v));
    CHECK(f.pe->tlb_misses == misses + 1);
}

TEST_CASE("Arm MMU: MMIO through the slow path, external aborts", "[arm64][mmu][unit]") {
    Fixture f;
    f.at_el(1);
    f.stage1_el1();
    f.map1(0x30'0000, kMmio, kS1Rw | kAttr1);
    f.map1(0x31'0000, 0x7000'0000);   // nothing there
    f.pe->pc = 0xb000;
    uint64_t v;
    REQUIRE(f.pe->load_slow(0x30'0010, 4, v));
    CHECK(v == ((0x1122334455667788ull + 0x10 + 4) & 0xffffffff));
    REQUIRE(f.pe->load_slow(0x30'0010, 4, v));
    CHECK(f.dev.reads == 2);   // never cached
    uint32_t w;
    REQUIRE(f.pe->load(0x30'0010, w));
    CHECK(f.dev.reads == 3);
    REQUIRE(f.pe->store_slow(0x30'0020, 2, 0xbeef));
    REQUIRE(f.dev.writes.size() == 1);
    CHECK(f.dev.writes[0] == std::make_pair(uint64_t{0x20}, uint64_t{0xbeef}));
    // A bus error from the device: synchronous external abort.
    REQUIRE_FALSE(f.pe->load_slow(0x30'0900, 4, v));
    CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x10));
    CHECK(f.pe->sys.far_el1 == 0x30'0900);
    f.at_el(1);
    REQUIRE_FALSE(f.pe->store_slow(0x31'0000, 8, 0));
    CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x40 | 0x10));
    // Fetching from MMIO is an external abort too.
    f.at_el(1);
    f.map1(0x32'0000, kMmio, kS1Rw);
    uint64_t pa;
    REQUIRE_FALSE(f.pe->fetch_translate(0x32'0000, pa));
    CHECK(f.pe->sys.esr_el1 == esr(0x21, 0x10));
}

TEST_CASE("Arm MMU: a register change never leaves a stale TLB entry", "[arm64][mmu][unit]") {
    Fixture f;
    f.at_el(1);
    f.stage1_el1();
    f.map1(0x10'0000, kRam + 0x1000);
    f.put64(kRam + 0x1000, 1);
    f.put64(kRam + 0x10'0000, 2);
    uint64_t v;
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 1);
    // Stage 2 maps the RAM's gigabyte 1:1.
    f.stage2();
    f.map2(kRam, kRam, kS2Rw, 1);
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 1);
    // MMU off (with HCR_EL2.DC so data is Normal and cacheable): VA = IPA.
    f.pe->sys.hcr_el2 |= 1u << 12;
    f.pe->update_context();
    REQUIRE(f.pe->load(kRam + 0x10'0000, v));
    CHECK(v == 2);
    f.pe->sys.hcr_el2 &= ~(1ull << 12);
    f.pe->update_context();
    REQUIRE(f.pe->load(0x10'0000, v));
    CHECK(v == 1);
    // SCTLR_EL1.A set: the fast path may not serve unaligned accesses any more.
    f.pe->sys.sctlr_el1 |= kSctlrA;
    f.pe->update_context();
    uint32_t w;
    CHECK_FALSE(f.pe->load(0x10'0001, w));
    CHECK(f.pe->sys.esr_el1 == esr(0x25, 0x21));
}

} // namespace
} // namespace hvemu::arm
