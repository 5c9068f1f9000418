// The PLIC: priorities, enables, thresholds, claim/complete with the
// level-triggered gateway, and one output per (hart, mode) context.
#include <catch2/catch.hpp>

#include "devices/plic.hpp"

using hvemu::dev::Plic;

namespace {

struct Fixture {
    Plic p{2};   // contexts 0..3
    uint32_t rd(uint64_t off) {
        uint64_t v = 0;
        REQUIRE(p.mmio_read(off, 4, v));
        return static_cast<uint32_t>(v);
    }
    void wr(uint64_t off, uint32_t v) { REQUIRE(p.mmio_write(off, 4, v)); }
    void priority(unsigned src, uint32_t v) { wr(Plic::kPriorityBase + 4 * src, v); }
    void enable(unsigned ctx, unsigned src) {
        const uint64_t reg = Plic::kEnableBase + Plic::kEnableStride * ctx + 4 * (src / 32);
        wr(reg, rd(reg) | (1u << (src % 32)));
    }
    void threshold(unsigned ctx, uint32_t v) { wr(Plic::kContextBase + Plic::kContextStride * ctx, v); }
    uint32_t claim(unsigned ctx) { return rd(Plic::kContextBase + Plic::kContextStride * ctx + 4); }
    void complete(unsigned ctx, uint32_t src) { wr(Plic::kContextBase + Plic::kContextStride * ctx + 4, src); }
};

} // namespace

TEST_CASE("PLIC registers: priority WARL, source 0 hardwired, pending read-only", "[plic]") {
    Fixture f;
    f.priority(5, 0xFF);
    CHECK(f.rd(4 * 5) == 7);
    f.priority(0, 3);
    CHECK(f.rd(0) == 0);
    f.wr(Plic::kEnableBase, 0xFFFFFFFF);
    CHECK(f.rd(Plic::kEnableBase) == 0xFFFFFFFE);
    f.wr(Plic::kEnableBase + 8, 0xFFFFFFFF);   // sources 64..95
    CHECK(f.rd(Plic::kEnableBase + 8) == 0xFFFFFFFF);
    f.wr(Plic::kEnableBase + 12, 0xFFFFFFFF);  // beyond source 95
    CHECK(f.rd(Plic::kEnableBase + 12) == 0);
    f.p.set_source_level(33, true);
    CHECK(f.rd(Plic::kPendingBase + 4) == 2);
    f.wr(Plic::kPendingBase + 4, 0);
    CHECK(f.rd(Plic::kPendingBase + 4) == 2);
    f.threshold(1, 9);                         // too large: ignored
    CHECK(f.rd(Plic::kContextBase + Plic::kContextStride) == 0);
    f.threshold(1, 3);
    CHECK(f.rd(Plic::kContextBase + Plic::kContextStride) == 3);
    uint64_t v;
    CHECK_FALSE(f.p.mmio_read(0, 1, v));       // 32-bit registers only
    CHECK_FALSE(f.p.mmio_write(2, 4, 0));
    CHECK_FALSE(f.p.mmio_read(0, 8, v));
}

TEST_CASE("PLIC delivers to the enabled context above its threshold", "[plic]") {
    Fixture f;
    f.p.set_source_level(10, true);
    CHECK(f.p.pending(10));
    CHECK_FALSE(f.p.context_irq(0).level());   // priority 0 never interrupts
    f.priority(10, 2);
    CHECK_FALSE(f.p.context_irq(0).level());   // not enabled
    f.enable(1, 10);                           // hart 0 S-mode
    CHECK(f.p.context_irq(1).level());
    CHECK_FALSE(f.p.context_irq(0).level());
    CHECK_FALSE(f.p.context_irq(3).level());
    f.threshold(1, 2);                         // priority must exceed the threshold
    CHECK_FALSE(f.p.context_irq(1).level());
    CHECK(f.claim(1) == 0);
    f.threshold(1, 1);
    CHECK(f.p.context_irq(1).level());
}

TEST_CASE("PLIC claim picks the highest priority, lowest ID on ties; complete re-arms a held line", "[plic]") {
    Fixture f;
    for (unsigned s : {3u, 4u, 7u}) {
        f.priority(s, s == 7 ? 5 : 2);
        f.enable(0, s);
        f.p.set_source_level(s, true);
    }
    CHECK(f.p.context_irq(0).level());
    CHECK(f.claim(0) == 7);
    CHECK_FALSE(f.p.pending(7));
    CHECK(f.claim(0) == 3);                    // tie between 3 and 4: lowest ID
    CHECK(f.claim(0) == 4);
    CHECK_FALSE(f.p.context_irq(0).level());
    CHECK(f.claim(0) == 0);
    // Source 7 still asserted: completing it makes it pending again.
    f.complete(0, 7);
    CHECK(f.p.pending(7));
    CHECK(f.p.context_irq(0).level());
    // Source 3 dropped its line while in flight: completing leaves it idle.
    f.p.set_source_level(3, false);
    f.complete(0, 3);
    CHECK_FALSE(f.p.pending(3));
}

TEST_CASE("PLIC ignores completions of sources not enabled for the context", "[plic]") {
    Fixture f;
    f.priority(9, 1);
    f.enable(0, 9);
    f.p.set_source_level(9, true);
    REQUIRE(f.claim(0) == 9);
    f.complete(2, 9);                          // context 2 does not enable source 9
    CHECK_FALSE(f.p.pending(9));               // still in flight
    f.complete(0, 9);
    CHECK(f.p.pending(9));
}

TEST_CASE("PLIC: a line that drops before the claim stops pending; one source, two contexts", "[plic]") {
    Fixture f;
    f.priority(1, 1);
    f.enable(0, 1);
    f.enable(2, 1);
    f.p.set_source_level(1, true);
    CHECK(f.p.context_irq(0).level());
    CHECK(f.p.context_irq(2).level());
    CHECK(f.claim(2) == 1);                    // hart 1 wins it
    CHECK_FALSE(f.p.context_irq(0).level());
    CHECK(f.claim(0) == 0);
    f.complete(2, 1);
    f.p.set_source_level(1, false);
    CHECK_FALSE(f.p.pending(1));
    CHECK_FALSE(f.p.context_irq(0).level());
}

TEST_CASE("PLIC accesses beyond the implemented contexts read 0", "[plic]") {
    Fixture f;
    CHECK(f.rd(Plic::kContextBase + Plic::kContextStride * 100 + 4) == 0);
    CHECK(f.rd(Plic::kEnableBase + Plic::kEnableStride * 50) == 0);
    f.wr(Plic::kContextBase + Plic::kContextStride * 100, 1);
}
