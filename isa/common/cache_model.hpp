// The modelled caches of a core: set-associative tag stores with true LRU
// replacement, physically indexed and tagged, and a per-core hierarchy of
// an L1I and an L1D in front of a unified L2. Timing only: no data is held
// (memory stays the functional truth), so nothing here can change what a
// guest computes, only what an access costs.
//
// The cost of one access walks the configured levels from L1 outward and
// stops at the first hit: an L1 hit costs l1.hit; an L1 miss that hits L2
// costs l1.miss + l2.hit; a miss in both costs l1.miss + l2.miss (l2.miss is
// the memory access). An absent level is skipped. Every lookup allocates
// the line on a miss (write-allocate; writes are not distinguished: no
// write-back traffic is modelled).
#pragma once
#include <cstdint>
#include <vector>

#include "isa/common/timing_profile.hpp"

namespace hvemu::isa {

struct CacheStats {
    uint64_t accesses = 0, hits = 0, misses = 0;
};

class Cache {
public:
    Cache() = default;
    explicit Cache(const CacheGeometry& g) { configure(g); }
    // g's sets, ways and line must be powers of two (the loader checks);
    // anything else leaves the cache disabled.
    void configure(const CacheGeometry& g) {
        const bool pow2 = is_pow2(g.sets) && is_pow2(g.ways) && is_pow2(g.line);
        geo_ = pow2 ? g : CacheGeometry{};
        line_shift_ = pow2 ? static_cast<unsigned>(__builtin_ctz(g.line)) : 0;
        lines_.assign(static_cast<size_t>(geo_.sets) * geo_.ways, kEmpty);
        stats = {};
    }
    bool enabled() const { return geo_.sets != 0; }
    const CacheGeometry& geometry() const { return geo_; }
    unsigned line_shift() const { return line_shift_; }

    // Look up the line holding physical address pa, counting the hit or
    // miss; a miss allocates the line in the set's least recently used way.
    // A set is kept in recency order (most recent first), so a hit moves
    // its way to the front and a miss drops the last one.
    bool access(uint64_t pa) {
        const uint64_t line = pa >> line_shift_;
        uint64_t* set = lines_.data() + (line & (geo_.sets - 1)) * geo_.ways;
        stats.accesses++;
        if (set[0] == line) {   // the most recent way: the order stays
            stats.hits++;
            return true;
        }
        unsigned w = 1;
        while (w < geo_.ways && set[w] != line) ++w;
        const bool hit = w < geo_.ways;
        if (!hit) w = geo_.ways - 1;
        for (; w > 0; --w) set[w] = set[w - 1];
        set[0] = line;
        (hit ? stats.hits : stats.misses)++;
        return hit;
    }
    // Whether the line is held (no counting, no recency change).
    bool holds(uint64_t pa) const {
        if (!enabled()) return false;
        const uint64_t line = pa >> line_shift_;
        const uint64_t* set = lines_.data() + (line & (geo_.sets - 1)) * geo_.ways;
        for (unsigned w = 0; w < geo_.ways; ++w)
            if (set[w] == line) return true;
        return false;
    }
    void clear() {
        for (uint64_t& l : lines_) l = kEmpty;
    }

    CacheStats stats;

private:
    static constexpr uint64_t kEmpty = ~0ull;   // no line address is ~0 (pa >> line_shift, line >= 2)
    static bool is_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }
    CacheGeometry geo_{};
    unsigned line_shift_ = 0;
    std::vector<uint64_t> lines_;   // sets x ways line addresses, each set in recency order
};

// A core's L1I, L1D and unified L2, with the costs of the profile.
class CacheHierarchy {
public:
    void configure(const CycleCosts& c) {
        l1i.configure(c.l1i);
        l1d.configure(c.l1d);
        l2.configure(c.l2);
        through_walks_ = c.walk_through_cache && (l1d.enabled() || l2.enabled());
        last_fetch_line_ = ~0ull;
    }
    // Any data-side level: data accesses pay the caches.
    bool data_enabled() const { return l1d.enabled() || l2.enabled(); }
    // Any instruction-side level: fetches pay the caches.
    bool fetch_enabled() const { return l1i.enabled() || l2.enabled(); }
    // Page-walk references are data accesses (the profile's walk_through_cache).
    bool walks_through() const { return through_walks_; }

    // A data access of size bytes at physical address pa (each line it
    // touches is one access). Returns the cycles it costs.
    uint64_t data(uint64_t pa, unsigned size) {
        const unsigned shift = line_shift_of(l1d);
        const uint64_t first = pa >> shift, last = (pa + (size ? size - 1 : 0)) >> shift;
        uint64_t c = lookup(l1d, pa);
        if (last != first) c += lookup(l1d, last << shift);
        return c;
    }
    // The line size fetches are charged by (the L1I's, else the L2's).
    unsigned fetch_line_bytes() const { return 1u << line_shift_of(l1i); }
    // Whether a fetch at pa stays in the line fetched last (costs nothing).
    bool same_fetch_line(uint64_t pa) const { return (pa >> line_shift_of(l1i)) == last_fetch_line_; }
    // An instruction fetch at physical address pa: charged only when it
    // enters another line than the previous fetch (a fetch block), so a
    // loop inside one line pays once. Returns the cycles it costs.
    uint64_t fetch(uint64_t pa) {
        const uint64_t line = pa >> line_shift_of(l1i);
        if (line == last_fetch_line_) return 0;
        last_fetch_line_ = line;
        return lookup(l1i, pa);
    }
    // Forget every line (the counters stay).
    void flush() {
        l1i.clear();
        l1d.clear();
        l2.clear();
        last_fetch_line_ = ~0ull;
    }

    Cache l1i, l1d, l2;

private:
    // The line size that splits accesses: the L1's, or the L2's without one.
    unsigned line_shift_of(const Cache& l1) const { return l1.enabled() ? l1.line_shift() : l2.line_shift(); }
    uint64_t lookup(Cache& l1, uint64_t pa) {
        uint64_t c = 0;
        if (l1.enabled()) {
            if (l1.access(pa)) return l1.geometry().hit;
            c += l1.geometry().miss;
        }
        if (l2.enabled()) c += l2.access(pa) ? l2.geometry().hit : l2.geometry().miss;
        return c;
    }
    bool through_walks_ = false;
    uint64_t last_fetch_line_ = ~0ull;
};

} // namespace hvemu::isa
