// The x86 core on the cache model: loads and stores pay the L1D (a loop
// over an array larger than it misses on every pass, a small one hits after
// the first), fetches pay the L1I once per new line, page-walk references
// go through the L1D with [walk] through_cache, the same run twice costs
// the same, and without caches the fast path and the cycles are untouched.
// Whole guests under skylake-vmx-caches: the same output as skylake-vmx,
// more cycles, and the caches' hit rates in --stats-json.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "emu/timing/timing_loader.hpp"
#include "isa/common/phys_mem.hpp"
#include "isa/x86/core.hpp"
#include "tests/emu/guest_runs.hpp"
#include "tests/emu/timing_test_util.hpp"

using namespace hvemu;
using namespace hvemu::x86;

namespace {

const auto& profile = test::timing_profile;

// A core in real mode running `code` at kCode (DS = 0: data at its linear address).
constexpr uint64_t kCode = 0x1000, kData = 0x10000;

struct RealMode {
    isa::PhysMem mem;
    std::unique_ptr<Core> c;
    std::vector<uint8_t> code;
    RealMode(std::shared_ptr<const isa::TimingProfile> p, std::vector<uint8_t> program) : code(std::move(program)) {
        mem.add_ram(0, 1 << 20);
        CoreConfig cfg;
        cfg.clock.profile = std::move(p);
        c = std::make_unique<Core>(mem, cfg);
        mem.write_block(kCode, code.data(), code.size());
        c->seg[CS] = Segment{0, 0, 0xffff, 0x9b};
        c->seg[DS] = Segment{kData >> 4, kData, 0xffff, 0x93};
        c->rip = kCode;
        c->update_context();
    }
    // Run the program from its start to its HLT.
    void pass() {
        c->rip = kCode;
        c->halted = false;
        REQUIRE(c->run(1000000) == StopReason::Halt);
    }
};

// n rounds of `op` (2 bytes, on [si]) with si stepping a line (64 bytes) each, then HLT.
std::vector<uint8_t> line_loop(uint16_t n, uint8_t op0, uint8_t op1) {
    return {
        0xb9, static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),   // mov cx, n
        0x31, 0xf6,                                                     // xor si, si
        op0, op1,                                                       // L: the access at ds:[si]
        0x83, 0xc6, 0x40,                                               //    add si, 64
        0xe2, 0xf9,                                                     //    loop L
        0xf4,                                                           // hlt
    };
}
constexpr uint8_t kLoad[] = {0x8b, 0x04};    // mov ax, [si]
constexpr uint8_t kStore[] = {0x89, 0x04};   // mov [si], ax

// 16 sets x 2 ways of 64-byte lines: a 2 KiB L1D (32 lines); no L2.
constexpr const char* kL1d = "[cache.l1d]\nsets = 16\nways = 2\nline = 64\nhit = 1\nmiss = 10\n";
constexpr const char* kL1i = "[cache.l1i]\nsets = 16\nways = 2\nline = 64\nhit = 0\nmiss = 20\n";
constexpr const char* kL1d4Ways = "[cache.l1d]\nsets = 16\nways = 4\nline = 64\nhit = 1\nmiss = 10\n";
constexpr uint64_t kL1dHit = 1, kL1dMiss = 10, kL1iMiss = 20;

} // namespace

TEST_CASE("x86: a loop over an array larger than the L1D misses on every pass, a small one hits after the first",
          "[x86][timing][cache][unit]") {
    const uint16_t lines = GENERATE(16, 64);   // 1 KiB fits the 2 KiB L1D; 4 KiB does not
    RealMode cached(profile(kL1d), line_loop(lines, kLoad[0], kLoad[1]));
    RealMode plain(nullptr, line_loop(lines, kLoad[0], kLoad[1]));
    const isa::CacheStats& s = cached.c->walker.caches.l1d.stats;
    cached.pass();
    plain.pass();
    INFO(lines << " lines");
    // The first pass: every line is new.
    CHECK(s.accesses == lines);
    CHECK(s.misses == lines);
    CHECK(cached.c->cycles() - plain.c->cycles() == lines * kL1dMiss);
    const uint64_t c0 = cached.c->cycles(), p0 = plain.c->cycles();
    cached.pass();
    plain.pass();
    CHECK(s.accesses == 2u * lines);
    if (lines <= 32) {
        // All held: the second pass hits on every line.
        CHECK(s.hits == lines);
        CHECK((cached.c->cycles() - c0) - (plain.c->cycles() - p0) == lines * kL1dHit);
    } else {
        // Twice the capacity, walked in order: LRU has evicted each line before it comes back.
        CHECK(s.hits == 0);
        CHECK(s.misses == 2u * lines);
        CHECK((cached.c->cycles() - c0) - (plain.c->cycles() - p0) == lines * kL1dMiss);
    }
    CHECK(cached.c->gpr[6] == plain.c->gpr[6]);
}

TEST_CASE("x86: stores pay the L1D and write the same memory; without caches the fast path is untouched",
          "[x86][timing][cache][unit]") {
    const std::vector<uint8_t> prog = {
        0xb8, 0x34, 0x12,   // mov ax, 0x1234
        0x89, 0x06, 0x00, 0x00,   // mov [0], ax
        0x89, 0x06, 0x02, 0x00,   // mov [2], ax: the same line
        0x89, 0x06, 0x40, 0x00,   // mov [64], ax: the next line
        0x8b, 0x1e, 0x02, 0x00,   // mov bx, [2]
        0xf4,
    };
    RealMode cached(profile(kL1d), prog), plain(nullptr, prog);
    cached.pass();
    plain.pass();
    for (RealMode* m : {&cached, &plain}) {
        uint64_t v = 0;
        m->mem.read(kData + 0x40, 2, v);
        CHECK(v == 0x1234);
        CHECK(m->c->gpr[3] == 0x1234);
    }
    const isa::CacheStats& s = cached.c->walker.caches.l1d.stats;
    CHECK(s.accesses == 4);
    CHECK(s.misses == 2);
    CHECK(cached.c->cycles() - plain.c->cycles() == 2 * kL1dMiss + 2 * kL1dHit);
    // With caches the data entries are tagged: the fast path misses them and the slow path charges.
    CHECK(cached.c->tlb_w[(kData >> 12) & (Core::kTlbSize - 1)].ctx != cached.c->data_ctx);
    // Without, the store filled the software TLB for the fast path, and nothing counts.
    CHECK(plain.c->tlb_w[(kData >> 12) & (Core::kTlbSize - 1)].ctx == plain.c->data_ctx);
    CHECK(plain.c->tlb_r[(kData >> 12) & (Core::kTlbSize - 1)].ctx == plain.c->data_ctx);
    CHECK(plain.c->walker.caches.l1d.stats.accesses == 0);
}

TEST_CASE("x86: instruction fetch pays the L1I once per new line", "[x86][timing][cache][unit]") {
    // 256 one-byte NOPs (4 lines from kCode, which is line-aligned), then HLT (a fifth line).
    std::vector<uint8_t> prog(256, 0x90);
    prog.push_back(0xf4);
    RealMode cached(profile(kL1i), prog), plain(nullptr, prog);
    cached.pass();
    plain.pass();
    CHECK(cached.c->icount() == plain.c->icount());
    const isa::CacheStats& s = cached.c->walker.caches.l1i.stats;
    CHECK(s.accesses == 5);
    CHECK(s.misses == 5);
    CHECK(cached.c->cycles() - plain.c->cycles() == 5 * kL1iMiss);
    // Again: every line is held (L1I hits cost 0 here).
    const uint64_t c0 = cached.c->cycles(), p0 = plain.c->cycles();
    cached.pass();
    plain.pass();
    CHECK(s.hits == 5);
    CHECK(cached.c->cycles() - c0 == plain.c->cycles() - p0);
}

TEST_CASE("x86: the same run twice costs the same cycles and counts the same", "[x86][timing][cache][unit]") {
    // L2: 64 sets x 4 ways = 256 lines; the loop walks 300, so some of a pass
    // hits the L2 and some misses it.
    const auto p = profile(std::string(kL1d) + kL1i + "[cache.l2]\nsets = 64\nways = 4\nhit = 5\nmiss = 50\n");
    RealMode a(p, line_loop(300, kLoad[0], kLoad[1])), b(p, line_loop(300, kLoad[0], kLoad[1]));
    for (int k = 0; k < 3; ++k) {
        a.pass();
        b.pass();
    }
    CHECK(a.c->cycles() == b.c->cycles());
    const isa::CacheHierarchy &ha = a.c->walker.caches, &hb = b.c->walker.caches;
    for (auto level : {&isa::CacheHierarchy::l1i, &isa::CacheHierarchy::l1d, &isa::CacheHierarchy::l2}) {
        CHECK((ha.*level).stats.accesses == (hb.*level).stats.accesses);
        CHECK((ha.*level).stats.hits == (hb.*level).stats.hits);
        CHECK((ha.*level).stats.misses == (hb.*level).stats.misses);
    }
    CHECK(ha.l2.stats.hits > 0);
    CHECK(ha.l2.stats.misses > 0);
}

TEST_CASE("x86: caches that cost nothing leave the cycles of a run without them unchanged", "[x86][timing][cache][unit]") {
    // A timed profile (class costs, a TLB, walk costs) with and without free caches.
    const std::string base = "[insn]\nload = 5\nstore = 1\nbranch_taken = 3\ncsr = 40\n[tlb]\nentries = 64\nways = 4\n";
    const std::string free_caches = "[cache.l1i]\nsets = 16\nways = 2\nhit = 0\nmiss = 0\n"
                                    "[cache.l1d]\nsets = 16\nways = 2\nhit = 0\nmiss = 0\n"
                                    "[cache.l2]\nsets = 64\nways = 4\nhit = 0\nmiss = 0\n";
    for (const uint8_t* op : {kLoad, kStore}) {
        RealMode without(profile(base), line_loop(100, op[0], op[1]));
        RealMode with(profile(base + free_caches), line_loop(100, op[0], op[1]));
        without.pass();
        with.pass();
        CHECK(with.c->walker.caches.l1d.stats.accesses == 100);
        CHECK(with.c->walker.caches.l1i.stats.accesses > 0);
        CHECK(with.c->icount() == without.c->icount());
        CHECK(with.c->cycles() == without.c->cycles());
        CHECK(without.c->walker.caches.l1d.stats.accesses == 0);
    }
}

namespace {

// A 64-bit core (no VMX) with 4-level paging mapping kVa.. with 4 KiB pages:
// PML4, PDPT, PD and PT each in its own page, so a walk reads four lines.
struct LongMode {
    static constexpr uint64_t kPml4 = 0x20000, kVa = 0x400000;
    isa::PhysMem mem;
    std::unique_ptr<Core> c;
    explicit LongMode(std::shared_ptr<const isa::TimingProfile> p) {
        mem.add_ram(0, 1 << 24);
        CoreConfig cfg;
        cfg.clock.profile = std::move(p);
        c = std::make_unique<Core>(mem, cfg);
        put64(kPml4, (kPml4 + 0x1000) | 3);
        put64(kPml4 + 0x1000, (kPml4 + 0x2000) | 3);
        put64(kPml4 + 0x2000 + 8 * (kVa >> 21), (kPml4 + 0x3000) | 3);
        for (uint64_t e = 0; e < 512; ++e) put64(kPml4 + 0x3000 + 8 * e, (kVa + (e << 12)) | 3);
        c->cr0 = 0x80000011;   // PG, ET, PE
        c->cr4 = 0x20;         // PAE
        c->efer = 0x500;       // LME, LMA
        c->seg[CS].attr = 0xa09b;
        c->cr3 = kPml4;
        c->update_context();
        c->flush_tlb();
    }
    void put64(uint64_t pa, uint64_t v) { mem.write(pa, 8, v); }
};

} // namespace

TEST_CASE("x86: with through_cache page-walk references are L1D accesses; without, they cost walk ref",
          "[x86][timing][cache][unit]") {
    SECTION("through the cache: the first walk misses its four lines, the next page's walk hits them") {
        // Four ways: the four tables, page-aligned, share a set.
        LongMode m(profile(kL1d4Ways + std::string("[walk]\nref = 25\nthrough_cache = true\n")));
        Core& c = *m.c;
        const uint64_t before = c.cycles();
        REQUIRE(c.translate(LongMode::kVa, Access::Read, false).ok());
        const isa::CacheStats& s = c.walker.caches.l1d.stats;
        CHECK(c.walker.stats.walk_refs_s1 == 4);
        CHECK(s.accesses == 4);
        CHECK(s.misses == 4);
        CHECK(c.walker.stats.walk_cycles == 4 * kL1dMiss);
        CHECK(c.cycles() - before == 4 * kL1dMiss);
        // The PT entry of the next page is in the same line as the first's.
        REQUIRE(c.translate(LongMode::kVa + 0x1000, Access::Read, false).ok());
        CHECK(s.accesses == 8);
        CHECK(s.hits == 4);
        CHECK(c.walker.stats.walk_cycles == 4 * kL1dMiss + 4 * kL1dHit);
    }
    SECTION("not through the cache: each reference costs ref and the L1D sees none") {
        LongMode m(profile(kL1d4Ways + std::string("[walk]\nref = 25\n")));
        Core& c = *m.c;
        REQUIRE(c.translate(LongMode::kVa, Access::Read, false).ok());
        CHECK(c.walker.stats.walk_cycles == 4 * 25);
        CHECK(c.walker.caches.l1d.stats.accesses == 0);
    }
}

// ---- whole guests (tests/emu/guest_runs.hpp) --------------------

using hvemu::test::hvemu_runs::compare_with_caches;

TEST_CASE("A full-system x86 guest with caches: same output, more cycles, plausible hit rates, twice the same",
          "[x86][timing][cache][guest]") {
    compare_with_caches("--machine x86_64-pc", "x86_64/alu.elf", "skylake-vmx", "skylake-vmx-caches");
}

TEST_CASE("A hosted x86 VM with caches (EPT walks through L1D/L2): same output, more cycles, twice the same",
          "[x86][timing][cache][guest]") {
    compare_with_caches("--arch x86_64", "x86_64-vm/hypercall.elf", "skylake-vmx", "skylake-vmx-caches");
}

TEST_CASE("The shipped skylake-vmx-caches profile states Skylake-SP's hierarchy over skylake-vmx",
          "[x86][timing][cache][unit]") {
    const isa::TimingProfile p = emu::timing::load_timing_profile("skylake-vmx-caches");
    CHECK(p.costs.l1i.size_bytes() == 32 * 1024);
    CHECK(p.costs.l1i.ways == 8);
    CHECK(p.costs.l1d.size_bytes() == 32 * 1024);
    CHECK(p.costs.l1d.ways == 8);
    CHECK(p.costs.l2.size_bytes() == 1024 * 1024);
    CHECK(p.costs.l2.ways == 16);
    CHECK(p.costs.l2.line == 64);
    CHECK(p.costs.l2.miss > p.costs.l2.hit);
    CHECK(p.costs.walk_through_cache);
    // Everything else is skylake-vmx's.
    const isa::TimingProfile base = emu::timing::load_timing_profile("skylake-vmx");
    CHECK(p.core_hz == base.core_hz);
    CHECK(p.costs.insn.load == base.costs.insn.load);
    CHECK(p.costs.insn.csr == base.costs.insn.csr);
    CHECK(p.costs.vm_exit == base.costs.vm_exit);
    CHECK(p.costs.vm_entry == base.costs.vm_entry);
    CHECK(p.costs.tlb.entries == base.costs.tlb.entries);
    for (const char* e : {"default", "Hypercall", "MmioRead", "IoWrite", "SysRegWrite", "SendIpi"})
        CHECK(p.handler_cost(e) == base.handler_cost(e));
    CHECK_FALSE(base.costs.l1d.enabled());
}
