// The x86 cycle model: instruction classes cost what the profile says
// (fixed at predecode), a guest walk under EPT charges each paging-structure
// reference of both stages (24 for 4-level paging under 4-level EPT), the
// walk cache and the modelled TLBs make later walks cheaper, and the TSC
// is the model's cycle counter.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "isa/x86/core.hpp"
#include "x86_vmx_fixture.hpp"

namespace hvemu::x86::test {

namespace {

std::shared_ptr<const isa::TimingProfile> profile_with(const isa::CycleCosts& costs) {
    auto p = std::make_shared<isa::TimingProfile>();
    p->name = "test";
    p->costs = costs;
    return p;
}

// ---- instruction classes ------------------------------------------------------

// A real-mode loop of 100 rounds of `op` (2 bytes) at 0x1000, then HLT.
uint64_t loop_cycles(const std::shared_ptr<const isa::TimingProfile>& prof, uint8_t op0, uint8_t op1,
                     uint64_t* insns = nullptr) {
    isa::PhysMem mem;
    mem.add_ram(0, 1 << 20);
    CoreConfig cfg;
    cfg.clock.profile = prof;
    Core c(mem, cfg);
    const uint8_t code[] = {
        0xb9, 0x64, 0x00,   // mov cx, 100
        0xbb, 0x03, 0x00,   // mov bx, 3
        0x31, 0xd2,         // L: xor dx, dx
        op0, op1,           //    the measured instruction
        0xe2, 0xfa,         //    loop L
        0xf4,               // hlt
    };
    mem.write_block(0x1000, code, sizeof code);
    c.seg[CS] = Segment{0, 0, 0xffff, 0x9b};
    c.rip = 0x1000;
    c.update_context();
    const uint64_t before = c.cycles();
    REQUIRE(c.run(10000) == StopReason::Halt);
    if (insns) *insns = c.icount();
    return c.cycles() - before;
}

} // namespace

TEST_CASE("x86 instruction classes cost the profile's cycles: a DIV loop costs more than an ADD loop",
          "[x86][timing][unit]") {
    isa::CycleCosts k;
    k.insn.alu = 1;
    k.insn.div = 26;
    k.insn.branch_taken = 3;
    k.insn.branch_not_taken = 1;
    k.insn.csr = 40;
    const auto prof = profile_with(k);
    uint64_t n_div = 0, n_add = 0;
    const uint64_t div = loop_cycles(prof, 0xf7, 0xf3, &n_div);   // div bx
    const uint64_t add = loop_cycles(prof, 0x01, 0xd8, &n_add);   // add ax, bx
    REQUIRE(n_div == n_add);
    CHECK(div > add);
    // The only difference: 100 x (DIV - ALU).
    CHECK(div - add == 100 * (k.insn.div - k.insn.alu));
    // 2 movs + 100 x (xor + op + loop) + hlt; LOOP is taken 99 times and
    // pays the redirect; HLT is a system instruction.
    CHECK(add == 2 + 100 * (1 + 1 + 1) + 99 * (k.insn.branch_taken - k.insn.branch_not_taken) + k.insn.csr);

    SECTION("without a profile every instruction is one cycle") {
        uint64_t n = 0;
        CHECK(loop_cycles(nullptr, 0xf7, 0xf3, &n) == n);
    }
}

TEST_CASE("x86 RDTSC reads the model's cycles, instruction costs included", "[x86][timing][unit]") {
    isa::CycleCosts k;
    k.insn.div = 20;
    k.insn.csr = 30;
    isa::PhysMem mem;
    mem.add_ram(0, 1 << 20);
    CoreConfig cfg;
    cfg.clock.profile = profile_with(k);
    Core c(mem, cfg);
    const uint8_t code[] = {
        0x0f, 0x31,         // rdtsc
        0x89, 0xc6,         // mov si, ax
        0xf7, 0xf3,         // div bx
        0x0f, 0x31,         // rdtsc
        0xf4,               // hlt
    };
    mem.write_block(0x1000, code, sizeof code);
    c.seg[CS] = Segment{0, 0, 0xffff, 0x9b};
    c.rip = 0x1000;
    c.gpr[3] = 1;   // bx
    c.gpr[2] = 0;   // dx: DX:AX / 1 fits
    c.update_context();
    REQUIRE(c.run(100) == StopReason::Halt);
    // Between the reads: the first RDTSC itself, the MOV and the DIV.
    CHECK(static_cast<uint16_t>(c.gpr[0] - c.gpr[6]) == k.insn.csr + 1 + k.insn.div);
}

// ---- nested walks ---------------------------------------------------------------

namespace {

// A hosted core in non-root operation with a 4-level EPT of 4 KiB pages
// (identity, 16 MiB), made to translate as a 4-level-paging guest whose
// tables map 0x400000.. with 4 KiB pages.
struct NestedWalk : VmxFixture {
    static constexpr uint64_t kEpt4 = 0x100000, kGuestPml4 = 0x200000, kVa = 0x400000;

    explicit NestedWalk(const isa::CycleCosts& costs) {
        cfg.clock.profile = profile_with(costs);
        core = std::make_unique<Core>(mem, cfg);
        Core& c = *core;
        c.cr0 = 0x80000031;
        c.cr4 = 0x2020;
        c.efer = 0x500;
        c.seg[CS].attr = 0xa09b;
        c.cpl = 0;
        c.feature_control = 5;
        c.cur = &insn;
        // EPT: PML4 -> PDPT -> PD (8 entries) -> 8 page tables, 4 KiB leaves, WB, RWX
        put64(kEpt4, (kEpt4 + 0x1000) | 7);
        put64(kEpt4 + 0x1000, (kEpt4 + 0x2000) | 7);
        for (uint64_t d = 0; d < 8; ++d) {
            const uint64_t pt = kEpt4 + 0x3000 + d * 0x1000;
            put64(kEpt4 + 0x2000 + 8 * d, pt | 7);
            for (uint64_t e = 0; e < 512; ++e) put64(pt + 8 * e, ((d << 21) | (e << 12)) | 0x30 | 7);
        }
        // Guest paging: PML4 -> PDPT -> PD -> PT, 4 KiB pages at kVa..
        put64(kGuestPml4, (kGuestPml4 + 0x1000) | 3);
        put64(kGuestPml4 + 0x1000, (kGuestPml4 + 0x2000) | 3);
        put64(kGuestPml4 + 0x2000 + 8 * (kVa >> 21), (kGuestPml4 + 0x3000) | 3);
        for (uint64_t e = 0; e < 512; ++e) put64(kGuestPml4 + 0x3000 + 8 * e, (kVa + (e << 12)) | 3);
        enter_vmx();
        valid_vmcs();
        w(EPT_POINTER, kEpt4 | 6 | 3 << 3);
        REQUIRE(c.vmlaunch() == V::Succeed);
        // Switch the guest to IA-32e paging (the walk reads these directly).
        c.cr0 = 0x80000031;
        c.cr4 = 0x20;
        c.efer = 0x500;
        c.cr3 = kGuestPml4;
        c.update_context();
        c.flush_tlb();
    }
};

} // namespace

TEST_CASE("x86 nested walk: 4-level paging under 4-level EPT makes 24 references", "[x86][timing][unit]") {
    isa::CycleCosts k;
    k.tlb_walk_ref = 10;
    NestedWalk f(k);
    Core& c = *f.core;
    REQUIRE(c.ept_active());
    const uint64_t before = c.cycles();
    const Translation t = c.translate(NestedWalk::kVa + 0x5008, Access::Read, false);
    REQUIRE(t.ok());
    CHECK(t.paddr == NestedWalk::kVa + 0x5008);
    // (n+1)(m+1)-1 with n = m = 4: 4 guest entries, 5 EPT walks of 4.
    CHECK(c.walk_refs_s1 == 4);
    CHECK(c.walk_refs_s2 == 20);
    CHECK(c.walker.stats.walk_refs_s1 + c.walker.stats.walk_refs_s2 == 24);
    CHECK(c.walker.stats.walks == 1);
    CHECK(c.walker.stats.walk_cycles == 240);
    CHECK(c.cycles() - before == 240);

    SECTION("the A bits it set are no extra references: the same walk again costs 24 again") {
        REQUIRE(c.translate(NestedWalk::kVa + 0x5008, Access::Read, false).ok());
        CHECK(c.walker.stats.walk_refs_s1 + c.walker.stats.walk_refs_s2 == 48);
    }
    SECTION("probe() (debuggers) is not counted") {
        REQUIRE(c.probe(NestedWalk::kVa, Access::Read, false).ok());
        CHECK(c.walk_refs_s1 + c.walk_refs_s2 == 24);
    }
}

TEST_CASE("x86 nested walk: the walk cache and the modelled TLBs make later walks cheaper", "[x86][timing][unit]") {
    isa::CycleCosts k;
    k.tlb_walk_ref = 10;
    k.walk_cache_hit = 1;
    k.walk_cache = {64, 4};
    SECTION("walk cache: the next page shares all but its leaf's references") {
        NestedWalk f(k);
        Core& c = *f.core;
        REQUIRE(c.translate(NestedWalk::kVa, Access::Read, false).ok());
        // Even the first walk reuses the EPT's upper entries across its
        // five EPT walks: 24 references, fewer charged in full.
        const uint64_t first = c.walker.stats.walk_cycles;
        CHECK(c.walk_refs_s1 + c.walk_refs_s2 == 24);
        CHECK(first < 240);
        REQUIRE(c.translate(NestedWalk::kVa + 0x1000, Access::Read, false).ok());
        const uint64_t second = c.walker.stats.walk_cycles - first;
        CHECK(c.walk_refs_s1 + c.walk_refs_s2 == 48);   // still 24 references each
        CHECK(c.walker.stats.walk_cache_hits > 0);
        CHECK(second < first);
    }
    SECTION("TLB: a translation it holds walks uncharged") {
        k.tlb = {64, 4};
        NestedWalk f(k);
        Core& c = *f.core;
        REQUIRE(c.translate(NestedWalk::kVa, Access::Read, false).ok());
        const uint64_t cyc = c.walker.stats.walk_cycles;
        REQUIRE(c.translate(NestedWalk::kVa + 0x10, Access::Read, false).ok());
        CHECK(c.walker.stats.tlb_misses == 1);
        CHECK(c.walker.stats.tlb_hits == 1);
        CHECK(c.walker.stats.walks == 1);
        CHECK(c.walker.stats.walk_cycles == cyc);
        // INVLPG drops it: the next translation walks again.
        c.invlpg(NestedWalk::kVa);
        REQUIRE(c.translate(NestedWalk::kVa, Access::Read, false).ok());
        CHECK(c.walker.stats.walks == 2);
    }
    SECTION("EPT TLB: guest-physical pages it holds skip their EPT walks") {
        k.walk_cache = {};
        k.tlb_stage2 = {64, 4};
        NestedWalk f(k);
        Core& c = *f.core;
        REQUIRE(c.translate(NestedWalk::kVa, Access::Read, false).ok());
        CHECK(c.walker.stats.walk_refs_s2 == 20);
        // The next page: the four table pages are held; only its own page walks EPT.
        REQUIRE(c.translate(NestedWalk::kVa + 0x1000, Access::Read, false).ok());
        CHECK(c.walker.stats.walk_refs_s1 == 8);
        CHECK(c.walker.stats.walk_refs_s2 == 24);
        CHECK(c.walker.stats.tlb_s2_hits == 4);
    }
}

} // namespace hvemu::x86::test
