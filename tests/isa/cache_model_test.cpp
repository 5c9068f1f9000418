// The cache model: a set-associative tag store with LRU replacement
// (hits after a fill, eviction order, conflict misses) and the hierarchy
// of L1I/L1D in front of a unified L2 with the costs the profile gives.
#include <catch2/catch.hpp>

#include "isa/common/cache_model.hpp"
#include "isa/common/tlb_model.hpp"

using hvemu::isa::Cache;
using hvemu::isa::CacheGeometry;
using hvemu::isa::CacheHierarchy;
using hvemu::isa::CycleCosts;

namespace {

CacheGeometry geo(uint32_t sets, uint32_t ways, uint32_t line, uint32_t hit = 0, uint32_t miss = 0) {
    CacheGeometry g;
    g.sets = sets;
    g.ways = ways;
    g.line = line;
    g.hit = hit;
    g.miss = miss;
    return g;
}

} // namespace

TEST_CASE("A cache line hits after the miss that filled it, for every byte of the line", "[cache][unit]") {
    Cache c(geo(4, 2, 64));
    REQUIRE(c.enabled());
    CHECK_FALSE(c.access(0x1000));
    CHECK(c.access(0x1000));
    CHECK(c.access(0x103f));         // same 64-byte line
    CHECK_FALSE(c.access(0x1040));   // the next line
    CHECK(c.stats.accesses == 4);
    CHECK(c.stats.hits == 2);
    CHECK(c.stats.misses == 2);
    c.clear();
    CHECK_FALSE(c.holds(0x1000));
    CHECK_FALSE(c.access(0x1000));
}

TEST_CASE("A full set evicts its least recently used line", "[cache][unit]") {
    // 2 sets of 4 ways, 64-byte lines: lines 128 bytes apart share a set.
    Cache c(geo(2, 4, 64));
    const uint64_t stride = 2 * 64;
    const uint64_t a = 0, b = stride, d = 2 * stride, e = 3 * stride, f = 4 * stride;
    for (uint64_t x : {a, b, d, e}) CHECK_FALSE(c.access(x));
    CHECK(c.access(a));          // a is now the most recent; b the least
    CHECK_FALSE(c.access(f));    // evicts b
    CHECK(c.holds(a));
    CHECK_FALSE(c.holds(b));
    CHECK(c.holds(d));
    CHECK(c.holds(e));
    CHECK(c.holds(f));
    CHECK_FALSE(c.access(b));    // evicts d, now the least recent
    CHECK_FALSE(c.holds(d));
    CHECK(c.holds(a));
    // The other set was never touched.
    CHECK_FALSE(c.holds(64));
}

TEST_CASE("Repeated hits on the most recent line keep the recency order; direct-mapped sets replace", "[cache][unit]") {
    Cache c(geo(1, 4, 64));
    for (uint64_t x : {0x000, 0x040, 0x080, 0x0c0}) CHECK_FALSE(c.access(x));   // order: c0 80 40 00
    for (int k = 0; k < 3; ++k) CHECK(c.access(0x0c0));                        // most recent already
    CHECK(c.access(0x000));                                                     // 00 c0 80 40
    CHECK_FALSE(c.access(0x100));                                               // evicts 40
    CHECK_FALSE(c.holds(0x040));
    CHECK(c.holds(0x000));
    CHECK(c.holds(0x080));
    CHECK_FALSE(c.access(0x140));                                               // evicts 80
    CHECK_FALSE(c.holds(0x080));
    CHECK(c.holds(0x0c0));
    CHECK(c.stats.hits == 4);
    CHECK(c.stats.misses == 6);
    Cache d(geo(2, 1, 64));
    CHECK_FALSE(d.access(0x000));
    CHECK(d.access(0x000));
    CHECK_FALSE(d.access(0x080));   // same set, the only way
    CHECK_FALSE(d.holds(0x000));
    CHECK_FALSE(d.access(0x000));
}

TEST_CASE("Lines beyond a set's ways conflict; lines that fit stay", "[cache][unit]") {
    const uint32_t sets = 8, ways = 4, line = 32;
    SECTION("ways lines in one set hit after the first pass") {
        Cache c(geo(sets, ways, line));
        for (int pass = 0; pass < 3; ++pass)
            for (uint32_t k = 0; k < ways; ++k) c.access(uint64_t{k} * sets * line);
        CHECK(c.stats.misses == ways);
        CHECK(c.stats.hits == 2 * ways);
    }
    SECTION("ways+1 lines in one set miss every time in a cyclic order (LRU)") {
        Cache c(geo(sets, ways, line));
        for (int pass = 0; pass < 3; ++pass)
            for (uint32_t k = 0; k <= ways; ++k) c.access(uint64_t{k} * sets * line);
        CHECK(c.stats.hits == 0);
        CHECK(c.stats.misses == 3 * (ways + 1));
    }
    SECTION("sets*ways+1 consecutive lines: only the set that got one more line misses again") {
        Cache c(geo(sets, ways, line));
        const uint32_t n = sets * ways + 1;
        for (uint32_t k = 0; k < n; ++k) c.access(uint64_t{k} * line);
        const uint64_t miss0 = c.stats.misses;
        CHECK(miss0 == n);
        for (uint32_t k = 0; k < n; ++k) c.access(uint64_t{k} * line);
        CHECK(c.stats.misses - miss0 == ways + 1);   // set 0 holds ways+1 of them
        CHECK(c.stats.hits == n - (ways + 1));
    }
}

TEST_CASE("A geometry that is not a power of two leaves the cache disabled", "[cache][unit]") {
    CHECK_FALSE(Cache(geo(3, 2, 64)).enabled());
    CHECK_FALSE(Cache(geo(4, 3, 64)).enabled());
    CHECK_FALSE(Cache(geo(4, 2, 48)).enabled());
    CHECK_FALSE(Cache(geo(0, 2, 64)).enabled());
    CHECK(Cache(geo(1, 1, 4)).enabled());
}

TEST_CASE("An L1 miss looks up the L2: hit, L1 miss + L2 hit, L1 miss + L2 miss", "[cache][unit]") {
    CycleCosts costs;
    costs.l1d = geo(1, 2, 64, 1, 4);     // two lines in all
    costs.l2 = geo(16, 4, 64, 10, 100);
    CacheHierarchy h;
    h.configure(costs);
    REQUIRE(h.data_enabled());
    const uint64_t a = 0x8000'0000, b = a + 0x40, d = a + 0x80;
    CHECK(h.data(a, 8) == 4 + 100);   // cold: both miss
    CHECK(h.data(a + 8, 8) == 1);     // L1 hit
    CHECK(h.data(b, 8) == 104);
    CHECK(h.data(d, 8) == 104);       // evicts a from L1 (not from L2)
    CHECK(h.data(a, 8) == 4 + 10);    // L1 miss, L2 hit
    CHECK(h.l1d.stats.accesses == 5);
    CHECK(h.l1d.stats.hits == 1);
    CHECK(h.l2.stats.accesses == 4);  // only L1 misses reach it
    CHECK(h.l2.stats.hits == 1);
    // An access straddling two lines looks both up.
    CHECK(h.data(d + 0x3c, 8) == 1 + (4 + 100));
    // The instruction side shares the L2 (unified) and has no L1I here.
    CHECK(h.fetch_enabled());
    CHECK(h.fetch(b) == 10);
    CHECK(h.fetch(b + 4) == 0);       // same line as the previous fetch: no new access
    CHECK(h.fetch(0x9000'0000) == 100);
}

TEST_CASE("Instruction fetches pay per new line, through the L1I", "[cache][unit]") {
    CycleCosts costs;
    costs.l1i = geo(4, 1, 32, 2, 30);
    CacheHierarchy h;
    h.configure(costs);
    CHECK_FALSE(h.data_enabled());
    CHECK(h.data(0x1000, 4) == 0);    // no data-side level: free
    uint64_t cycles = 0;
    for (uint64_t pc = 0x1000; pc < 0x1000 + 4 * 32; pc += 4) cycles += h.fetch(pc);
    CHECK(cycles == 4 * 30);          // four lines, each missed once
    CHECK(h.l1i.stats.accesses == 4);
    cycles = 0;
    for (uint64_t pc = 0x1000; pc < 0x1000 + 4 * 32; pc += 4) cycles += h.fetch(pc);
    CHECK(cycles == 4 * 2);           // now all hit
    // flush() forgets the lines, not the counts.
    h.flush();
    CHECK(h.fetch(0x1000) == 30);
    CHECK(h.l1i.stats.accesses == 9);
}

TEST_CASE("Page-walk references go through L1D/L2 only when the profile says so", "[cache][unit]") {
    CycleCosts costs;
    costs.tlb_walk_ref = 7;
    costs.l1d = geo(4, 2, 64, 1, 3);
    costs.l2 = geo(64, 8, 64, 12, 90);
    hvemu::isa::WalkCharger w;
    w.configure(costs);
    CHECK(w.ref(false, 0x4000) == 7);   // not through the caches
    CHECK(w.caches.l1d.stats.accesses == 0);
    costs.walk_through_cache = true;
    w.configure(costs);
    CHECK(w.ref(false, 0x4000) == 3 + 90);
    CHECK(w.ref(true, 0x4008) == 1);    // same line
    CHECK(w.stats.walk_cycles == 7 + 93 + 1);
    w.flush();                          // a TLB fence: the caches keep their lines
    CHECK(w.ref(false, 0x4010) == 1);
}
