// The CLINT: msip and mtimecmp per hart, mtime from the machine's clock,
// 4- and 8-byte accesses, and the callbacks the machine relies on.
#include <catch2/catch.hpp>

#include <vector>

#include "devices/clint.hpp"

using hvemu::dev::Clint;

namespace {

struct Fixture {
    uint64_t time = 1000;
    std::vector<uint64_t> cmp = std::vector<uint64_t>(2, 0);
    std::vector<bool> msip = std::vector<bool>(2, false);
    Clint c{2, Clint::Callbacks{
                   .now = [this] { return time; },
                   .set_time = [this](uint64_t t) { time = t; },
                   .on_mtimecmp = [this](unsigned h, uint64_t v) { cmp.at(h) = v; },
                   .on_msip = [this](unsigned h, bool l) { msip.at(h) = l; },
               }};
    uint64_t rd(uint64_t off, unsigned w) {
        uint64_t v = 0;
        REQUIRE(c.mmio_read(off, w, v));
        return v;
    }
    void wr(uint64_t off, unsigned w, uint64_t v) { REQUIRE(c.mmio_write(off, w, v)); }
};

} // namespace

TEST_CASE("CLINT msip: bit 0 per hart, reported to the machine", "[clint]") {
    Fixture f;
    f.wr(4, 4, 0xFFFFFFFF);
    CHECK(f.msip[1]);
    CHECK_FALSE(f.msip[0]);
    CHECK(f.rd(4, 4) == 1);
    f.wr(4, 4, 2);                              // bit 0 clear
    CHECK_FALSE(f.msip[1]);
    CHECK(f.rd(0x8, 4) == 0);                   // hart 2 does not exist
    f.wr(0x8, 4, 1);
    uint64_t v;
    CHECK_FALSE(f.c.mmio_read(0, 8, v));        // msip is 32 bits
    CHECK_FALSE(f.c.mmio_write(0, 1, 1));
}

TEST_CASE("CLINT mtimecmp: 64-bit and 32-bit halves", "[clint]") {
    Fixture f;
    CHECK(f.rd(Clint::kMtimecmpBase, 8) == ~0ull);   // reset value
    f.wr(Clint::kMtimecmpBase + 8, 8, 0x1122334455667788ull);
    CHECK(f.cmp[1] == 0x1122334455667788ull);
    CHECK(f.c.mtimecmp(1) == 0x1122334455667788ull);
    f.wr(Clint::kMtimecmpBase + 8, 4, 0xAABBCCDD);
    CHECK(f.cmp[1] == 0x11223344AABBCCDDull);
    f.wr(Clint::kMtimecmpBase + 12, 4, 0);
    CHECK(f.cmp[1] == 0xAABBCCDDull);
    CHECK(f.rd(Clint::kMtimecmpBase + 12, 4) == 0);
    CHECK(f.rd(Clint::kMtimecmpBase + 8, 4) == 0xAABBCCDD);
    uint64_t v;
    CHECK_FALSE(f.c.mmio_read(Clint::kMtimecmpBase + 4, 8, v));   // misaligned
}

TEST_CASE("CLINT mtime comes from and goes to the machine's clock", "[clint]") {
    Fixture f;
    f.time = 0x123456789ull;
    CHECK(f.rd(Clint::kMtime, 8) == 0x123456789ull);
    CHECK(f.rd(Clint::kMtime + 4, 4) == 0x1);
    CHECK(f.rd(Clint::kMtime, 4) == 0x23456789);
    f.wr(Clint::kMtime, 8, 42);
    CHECK(f.time == 42);
    f.wr(Clint::kMtime + 4, 4, 1);
    CHECK(f.time == (1ull << 32) + 42);
}

TEST_CASE("CLINT reset clears msip and disarms the comparators", "[clint]") {
    Fixture f;
    f.wr(0, 4, 1);
    f.wr(Clint::kMtimecmpBase, 8, 5);
    f.c.reset();
    CHECK_FALSE(f.msip[0]);
    CHECK(f.cmp[0] == ~0ull);
    CHECK(f.rd(Clint::kMtimecmpBase, 8) == ~0ull);
}
