// The G-stage builder writes Sv39x4/Sv48x4 tables a hart walks: leaves of
// 4 KiB, 2 MiB and 1 GiB chosen by alignment, V|U|A|D plus R/W/X set, and
// the hart's own G-stage walk (translate_g) agrees with the builder's.
#include <catch2/catch.hpp>

#include "emu/vmm/gstage_builder.hpp"
#include "isa/riscv/encoding.hpp"
#include "vcpu/riscv/phys_cpu.hpp"

using namespace hvemu;
using namespace hvemu::emu::vmm;
namespace mf = hvemu::vcpu::mapping;
namespace pte = hvemu::rv::pte;

namespace {

constexpr uint64_t kHyp = 0x40'0000'0000, kHypSize = 8 << 20;
constexpr uint64_t kGiB = 1ull << 30, kMiB = 1ull << 20;

struct Fixture {
    isa::PhysMem mem;
    FrameAllocator frames;
    GStageBuilder g;
    explicit Fixture(GStageMode m = GStageMode::Sv39x4)
        : frames((mem.add_ram(kHyp, kHypSize, "hyp"), mem), kHyp, kHypSize), g(mem, frames, m) {}

    // The hart's own walk with hgatp pointing at the builder's root.
    rv::Translation hart_walk(uint64_t gpa, rv::Access acc) {
        vcpu::riscv::PhysCpu cpu(mem, 0);
        cpu.hart().csr_write(rv::csr::hgatp, g.hgatp_mode() << 60 | g.root() >> 12);
        return cpu.hart().translate_g(gpa, acc);
    }
};

} // namespace

TEST_CASE("G-stage root is a 16 KiB aligned table in hypervisor frames", "[vmm][gstage]") {
    Fixture f;
    CHECK(f.g.root() % 0x4000 == 0);
    CHECK(f.g.root() >= kHyp);
    CHECK(f.g.hgatp_mode() == 8);
    CHECK(f.g.gpa_limit() == 1ull << 41);
    Fixture f48(GStageMode::Sv48x4);
    CHECK(f48.g.hgatp_mode() == 9);
    CHECK(f48.g.gpa_limit() == 1ull << 50);
}

TEST_CASE("G-stage leaves: 1 GiB, 2 MiB and 4 KiB pages by alignment, with V U A D and the region's R W X",
          "[vmm][gstage]") {
    for (GStageMode mode : {GStageMode::Sv39x4, GStageMode::Sv48x4}) {
        Fixture f(mode);
        const uint64_t host = 0x80'0000'0000;
        f.mem.add_ram(host, 2 * kGiB, "guest");
        // 1 GiB + 2 MiB + 4 KiB, all aligned alike: one leaf of each size.
        f.g.map(0x8000'0000, host, kGiB + 2 * kMiB + 4096, mf::READ | mf::WRITE | mf::EXECUTE);
        CHECK(f.g.leaves()[2] == 1);
        CHECK(f.g.leaves()[1] == 1);
        CHECK(f.g.leaves()[0] == 1);

        auto big = f.g.translate(0x8000'0000 + 0x1234);
        REQUIRE(big);
        CHECK(big->page_size == kGiB);
        CHECK(big->hpa == host + 0x1234);
        CHECK((big->pte & 0xff) == (pte::V | pte::R | pte::W | pte::X | pte::U | pte::A | pte::D));

        auto mid = f.g.translate(0x8000'0000 + kGiB + 0x10);
        REQUIRE(mid);
        CHECK(mid->page_size == 2 * kMiB);
        auto small = f.g.translate(0x8000'0000 + kGiB + 2 * kMiB + 8);
        REQUIRE(small);
        CHECK(small->page_size == 4096);
        CHECK(small->hpa == host + kGiB + 2 * kMiB + 8);
        CHECK_FALSE(f.g.translate(0x8000'0000 + kGiB + 2 * kMiB + 4096));

        // The hart walks the same table to the same places.
        for (uint64_t gpa : {0x8000'0000ull + 0x1234, 0x8000'0000ull + kGiB + 0x10, 0x8000'0000ull + kGiB + 2 * kMiB + 8}) {
            const rv::Translation t = f.hart_walk(gpa, rv::Access::Write);
            INFO("gpa " << std::hex << gpa);
            REQUIRE(t.ok());
            CHECK(t.paddr == f.g.translate(gpa)->hpa);
        }
        CHECK_FALSE(f.hart_walk(0x1000'0000, rv::Access::Read).ok());   // device range: unmapped
    }
}

TEST_CASE("G-stage permissions: a read-only region refuses writes and fetches on the hart's walk",
          "[vmm][gstage]") {
    Fixture f;
    f.mem.add_ram(0x80'0000'0000, 0x10000, "guest");
    f.g.map(0x9000'0000, 0x80'0000'0000, 0x10000, mf::READ);
    const auto leaf = f.g.translate(0x9000'0000);
    REQUIRE(leaf);
    CHECK((leaf->pte & (pte::R | pte::W | pte::X)) == pte::R);
    CHECK(f.hart_walk(0x9000'0008, rv::Access::Read).ok());
    CHECK(f.hart_walk(0x9000'0008, rv::Access::Write).cause == rv::cause::STORE_GUEST_PAGE_FAULT);
    CHECK(f.hart_walk(0x9000'0008, rv::Access::Exec).cause == rv::cause::INSN_GUEST_PAGE_FAULT);
}

TEST_CASE("G-stage misaligned host and guest addresses fall back to smaller leaves", "[vmm][gstage]") {
    Fixture f;
    f.mem.add_ram(0x80'0000'0000, 8 * kMiB, "guest");
    // Guest 2 MiB aligned, host only 4 KiB aligned: 4 KiB leaves only.
    f.g.map(0x8000'0000, 0x80'0000'1000, 4 * kMiB, mf::READ | mf::WRITE);
    CHECK(f.g.leaves()[1] == 0);
    CHECK(f.g.leaves()[0] == 1024);
    CHECK(f.g.translate(0x8000'0000 + 3 * kMiB)->hpa == 0x80'0000'1000 + 3 * kMiB);
}

TEST_CASE("G-stage bad mappings are refused with a reason", "[vmm][gstage]") {
    Fixture f;
    f.mem.add_ram(0x80'0000'0000, 4 * kMiB, "guest");
    CHECK_THROWS_WITH(f.g.map(0x8000'0800, 0x80'0000'0000, 4096, mf::READ), Catch::Contains("not 4 KiB aligned"));
    CHECK_THROWS_WITH(f.g.map(1ull << 41, 0x80'0000'0000, 4096, mf::READ), Catch::Contains("beyond Sv39x4"));
    CHECK_THROWS_WITH(f.g.map(0x8000'0000, 0x80'0000'0000, 4096, mf::WRITE), Catch::Contains("write without read"));
    CHECK_THROWS_WITH(f.g.map(0x8000'0000, 0x80'0000'0000, 4096, 0), Catch::Contains("no access permission"));
    f.g.map(0x8000'0000, 0x80'0000'0000, 2 * kMiB, mf::READ);
    CHECK_THROWS_WITH(f.g.map(0x8000'1000, 0x80'0000'1000, 4096, mf::READ), Catch::Contains("already mapped"));
}

TEST_CASE("frame allocator: zeroed aligned frames, a clear error when exhausted", "[vmm][gstage]") {
    isa::PhysMem mem;
    mem.add_ram(kHyp, 0x8000, "hyp");
    uint64_t dirty = ~0ull;
    mem.write_block(kHyp + 0x4000, &dirty, 8);
    FrameAllocator fa(mem, kHyp, 0x8000);
    CHECK(fa.alloc() == kHyp);
    const uint64_t a = fa.alloc(1, 0x4000);
    CHECK(a == kHyp + 0x4000);
    uint64_t v = 1;
    mem.read_block(a, &v, 8);
    CHECK(v == 0);
    CHECK_THROWS_AS(fa.alloc(4), OutOfFrames);
}
