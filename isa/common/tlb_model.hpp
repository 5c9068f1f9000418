// The modelled translation structures of a core: a set-associative tag
// store (for the TLBs and the page-walk cache) and the per-core counters and
// charging of page walks. Timing only: the software TLB of the fast paths and
// the functional walk are untouched; these decide what a walk costs. The
// charger also holds the core's caches (cache_model.hpp), which page-walk
// references go through when the profile says so; fences do not empty them.
//
// The cores keep their software TLB a subset of the modelled TLB (an entry
// evicted here drops the software entries for the same page), so a fast-path
// hit is always a modelled hit and needs no bookkeeping.
#pragma once
#include <cstdint>
#include <vector>

#include "isa/common/cache_model.hpp"
#include "isa/common/timing_profile.hpp"

namespace hvemu::isa {

class TagStore {
public:
    struct Entry {
        uint64_t key = ~0ull;     // ~0: empty
        uint64_t ctx = 0;
        bool global = false;
    };

    TagStore() = default;
    explicit TagStore(const Geometry& g) { configure(g); }
    void configure(const Geometry& g) {
        ways_ = g.ways == 0 || g.ways > g.entries ? g.entries : g.ways;
        sets_ = ways_ ? g.entries / ways_ : 0;
        if (sets_ == 0) ways_ = 0;
        entries_.assign(static_cast<size_t>(sets_) * ways_, Entry{});
        next_.assign(sets_, 0);
    }
    bool enabled() const { return sets_ != 0; }

    bool lookup(uint64_t key, uint64_t ctx) const {
        const Entry* s = set_of(key);
        for (unsigned w = 0; w < ways_; ++w)
            if (s[w].key == key && s[w].ctx == ctx) return true;
        return false;
    }
    // Insert (round-robin replacement within the set: deterministic and
    // blind to hits the fast paths never report). Returns the evicted
    // entry (key ~0 when a free way was used).
    Entry insert(uint64_t key, uint64_t ctx, bool global = false) {
        Entry* s = set_of(key);
        for (unsigned w = 0; w < ways_; ++w)
            if (s[w].key == ~0ull || (s[w].key == key && s[w].ctx == ctx)) {
                s[w] = {key, ctx, global};
                return {};
            }
        const size_t set = static_cast<size_t>(s - entries_.data()) / ways_;
        Entry old = s[next_[set]];
        s[next_[set]] = {key, ctx, global};
        next_[set] = (next_[set] + 1) % ways_;
        return old;
    }
    template <class Pred> void drop_if(Pred pred) {
        for (Entry& e : entries_)
            if (e.key != ~0ull && pred(e)) e = Entry{};
    }
    void clear() {
        for (Entry& e : entries_) e = Entry{};
    }

private:
    Entry* set_of(uint64_t key) { return entries_.data() + (sets_ ? (key % sets_) * ways_ : 0); }
    const Entry* set_of(uint64_t key) const { return entries_.data() + (sets_ ? (key % sets_) * ways_ : 0); }
    std::vector<Entry> entries_;
    std::vector<unsigned> next_;
    unsigned sets_ = 0, ways_ = 0;
};

// Counters of the modelled translation hardware, per core.
struct TranslationStats {
    uint64_t tlb_hits = 0, tlb_misses = 0;                 // the last-level TLB (modelled only)
    uint64_t tlb_s2_hits = 0, tlb_s2_misses = 0;           // the stage-2 TLB (modelled only)
    uint64_t walks = 0;                                    // translations that walked tables
    uint64_t walk_refs_s1 = 0, walk_refs_s2 = 0;           // page-table references per stage
    uint64_t walk_cache_hits = 0;                          // references the walk cache served
    uint64_t walk_cycles = 0;                              // cycles charged for walks
};

// Charging of one translation's page-walk references: each reference is
// counted for its stage and costs walk_ref, or walk_cache_hit when the walk
// cache holds that table entry; with walk_through_cache, a reference the walk
// cache does not serve costs what L1D/L2 charge for it instead of walk_ref.
// charge = false: a walk the model does not charge (the modelled TLB hit;
// the walk runs only for its result).
class WalkCharger {
public:
    void configure(const CycleCosts& c) {
        costs_ = c;
        tlb.configure(c.tlb);
        tlb_s2.configure(c.tlb_stage2);
        walk_cache.configure(c.walk_cache);
        caches.configure(c);
    }
    // One page-table entry read at physical address pa by stage 1 or 2.
    // Returns the cycles it costs.
    uint64_t ref(bool stage2, uint64_t pa) {
        if (!charge) return 0;
        (stage2 ? stats.walk_refs_s2 : stats.walk_refs_s1)++;
        uint64_t c = 0;
        bool served = false;
        if (walk_cache.enabled()) {
            const uint64_t key = pa >> 3;
            served = walk_cache.lookup(key, 0);
            if (served) {
                stats.walk_cache_hits++;
                c = costs_.walk_cache_hit;
            } else {
                walk_cache.insert(key, 0);
            }
        }
        if (!served) c = caches.walks_through() ? caches.data(pa, 8) : costs_.tlb_walk_ref;
        stats.walk_cycles += c;
        return c;
    }
    void flush() {
        tlb.clear();
        tlb_s2.clear();
        walk_cache.clear();
    }

    TagStore tlb, tlb_s2, walk_cache;
    TranslationStats stats;
    CacheHierarchy caches;
    bool charge = true;

private:
    CycleCosts costs_{};
};

} // namespace hvemu::isa
