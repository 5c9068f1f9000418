// The cache model of the timing profiles: [cache.l1i]/[cache.l1d]/[cache.l2]
// and [walk] through_cache as the loader reads them (and refuses them), the
// cost the RISC-V hart and the Arm PE charge for data accesses and fetched
// lines, and whole guests run with and without caches: the same output,
// more cycles, plausible hit rates, and the same statistics twice.
#include <catch2/catch.hpp>

#include <cstring>

#include <memory>
#include <string>

#include "emu/machine/riscv64_virt.hpp"   // ConfigError
#include "emu/timing/timing_loader.hpp"
#include "isa/arm64/pe.hpp"
#include "isa/common/phys_mem.hpp"
#include "isa/riscv/hart.hpp"
#include "tests/emu/guest_runs.hpp"
#include "tests/emu/timing_test_util.hpp"

using namespace hvemu;
using hvemu::emu::ConfigError;
using hvemu::emu::timing::load_timing_profile;
using hvemu::emu::timing::parse_timing_profile;

namespace {

const auto& error_of = test::timing_error_of;
const auto& profile = test::timing_profile;

} // namespace

// ---- the loader --------------------------------------------------------------------

TEST_CASE("Cache sections give each level by sets or by size", "[timing][cache][unit]") {
    const isa::TimingProfile p = parse_timing_profile("[cache.l1d]\nsize_kib = 32\nways = 8\nhit = 1\nmiss = 5\n"
                                                      "[cache.l2]\nsets = 1024\nways = 16\nline = 128\nhit = 12\nmiss = 90\n"
                                                      "[walk]\nthrough_cache = true\n",
                                                      "t.toml");
    const isa::CycleCosts& c = p.costs;
    CHECK_FALSE(c.l1i.enabled());
    CHECK(c.l1d.sets == 64);   // 32 KiB / (8 ways x 64-byte lines)
    CHECK(c.l1d.ways == 8);
    CHECK(c.l1d.line == 64);   // the default
    CHECK(c.l1d.hit == 1);
    CHECK(c.l1d.miss == 5);
    CHECK(c.l2.sets == 1024);
    CHECK(c.l2.line == 128);
    CHECK(c.l2.size_bytes() == 2u << 20);
    CHECK(c.walk_through_cache);
    // Without the sections nothing is modelled.
    const isa::TimingProfile d = parse_timing_profile("", "t.toml");
    CHECK_FALSE(d.costs.l1i.enabled());
    CHECK_FALSE(d.costs.l1d.enabled());
    CHECK_FALSE(d.costs.l2.enabled());
    CHECK_FALSE(d.costs.walk_through_cache);
}

TEST_CASE("The shipped cache profile states a U74-like hierarchy", "[timing][cache][unit]") {
    const isa::TimingProfile p = load_timing_profile("riscv-inorder-caches");
    CHECK(p.costs.l1i.size_bytes() == 32 * 1024);
    CHECK(p.costs.l1d.size_bytes() == 32 * 1024);
    CHECK(p.costs.l2.size_bytes() == 2 * 1024 * 1024);
    CHECK(p.costs.l2.miss > p.costs.l2.hit);
    CHECK(p.costs.walk_through_cache);
    // Everything else is riscv-inorder's.
    const isa::TimingProfile base = load_timing_profile("riscv-inorder");
    CHECK(p.costs.insn.load == base.costs.insn.load);
    CHECK(p.costs.vm_exit == base.costs.vm_exit);
    CHECK(p.handler_cost("MmioRead") == base.handler_cost("MmioRead"));
    CHECK_FALSE(base.costs.l1d.enabled());
}

TEST_CASE("Bad cache sections are one-line errors naming file, line and key", "[timing][cache][unit]") {
    struct Case {
        const char* text;
        const char* what;
    };
    const Case cases[] = {
        {"[cache.l1d]\nsets = 48\nways = 2\n", "t.toml:2: [cache.l1d] sets: 48 is not a power of two"},
        {"[cache.l1d]\nsets = 64\nways = 3\n", "t.toml:3: [cache.l1d] ways: 3 is not a power of two"},
        {"[cache.l1d]\nsets = 64\nways = 2\nline = 48\n", "t.toml:4: [cache.l1d] line: 48 is not a power of two"},
        {"[cache.l1i]\nsets = 4\nways = 128\n", "t.toml:3: [cache.l1i] ways: 128 is out of range (1..64)"},
        {"[cache.l1d]\nsize_kib = 48\nways = 8\n",
         "t.toml:2: [cache.l1d] size_kib: 48 KiB in 8 ways of 64-byte lines is not a power-of-two number of sets"},
        {"[cache.l2]\nsets = 64\nsize_kib = 32\nways = 8\n", "t.toml:3: [cache.l2] size_kib: give sets or size_kib, not both"},
        {"[cache.l1d]\nsets = 64\n", "t.toml:1: [cache.l1d] ways: missing"},
        {"[cache.l1d]\nways = 4\n", "t.toml:1: [cache.l1d] sets: missing (give sets or size_kib)"},
        {"[cache.l3]\nsets = 4\nways = 1\n", "t.toml:1: [cache] l3: unknown cache (l1i, l1d, l2)"},
        {"[cache.l1d]\nsets = 4\nways = 1\nlatency = 3\n", "t.toml:4: [cache.l1d] latency: unknown key"},
        {"[cache.l1d]\nsets = 4\nways = 1\nhit = -1\n", "t.toml:4: [cache.l1d] hit: -1 is out of range"},
        {"[cache]\nl2 = 5\n", "t.toml:2: [cache.l2]: expected a table"},
        {"[walk]\nref = 3\nthrough_cache = true\n", "t.toml:3: [walk] through_cache: no [cache.l1d] or [cache.l2] to go through"},
        {"[walk]\nthrough_cache = 1\n", "t.toml:2: [walk] through_cache: expected true or false"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const std::string e = error_of(c.text);
        CHECK_THAT(e, Catch::Contains(c.what));
        CHECK(e.find('\n') == std::string::npos);
    }
}

// ---- the cores ---------------------------------------------------------------------

namespace {

constexpr uint64_t kRvRam = 0x80000000, kRvData = kRvRam + 0x1000;

// A RISC-V hart in M-mode (no translation) running `words` from kRvRam.
struct RvMachine {
    isa::PhysMem mem;
    std::unique_ptr<rv::Hart> h;
    RvMachine(std::shared_ptr<const isa::TimingProfile> p, const std::vector<uint32_t>& words) {
        mem.add_ram(kRvRam, 0x10000);
        rv::HartConfig cfg;
        cfg.reset_pc = kRvRam;
        cfg.clock.profile = std::move(p);
        h = std::make_unique<rv::Hart>(mem, cfg);
        mem.write_block(kRvRam, words.data(), words.size() * 4);
    }
};

// ld x5, k*8(x6) for k = 0..n-1: n loads walking n*8 bytes.
std::vector<uint32_t> rv_loads(unsigned n) {
    std::vector<uint32_t> w;
    for (unsigned k = 0; k < n; ++k) w.push_back(((k * 8) << 20) | (6u << 15) | (3u << 12) | (5u << 7) | 0x03);
    return w;
}

constexpr uint32_t kRvAddi = 0x00118193;   // addi x3, x3, 1

constexpr const char* kL1d = "[cache.l1d]\nsets = 16\nways = 2\nline = 64\nhit = 1\nmiss = 10\n";
constexpr const char* kL1i = "[cache.l1i]\nsets = 16\nways = 2\nline = 64\nhit = 0\nmiss = 20\n";

} // namespace

TEST_CASE("RISC-V: each load pays the L1D, a miss per new line", "[timing][cache][unit]") {
    RvMachine cached(profile(kL1d), rv_loads(64)), plain(nullptr, rv_loads(64));
    for (RvMachine* m : {&cached, &plain}) {
        m->h->x[6] = kRvData;
        REQUIRE(m->h->run(64) == rv::StopReason::Budget);
    }
    // 64 loads of 8 bytes: 8 lines of 64 bytes, each missed once.
    const isa::CacheStats& s = cached.h->walker.caches.l1d.stats;
    CHECK(s.accesses == 64);
    CHECK(s.misses == 8);
    CHECK(s.hits == 56);
    CHECK(cached.h->cycles() - plain.h->cycles() == 8 * 10 + 56 * 1);
    CHECK(cached.h->x[5] == plain.h->x[5]);
    // Again: every line is held now.
    const uint64_t c0 = cached.h->cycles();
    cached.h->pc = kRvRam;
    cached.h->run(64);
    CHECK(cached.h->cycles() - c0 == 64 + 64 * 1);
    CHECK(s.hits == 56 + 64);
}

TEST_CASE("RISC-V: stores and AMOs pay the L1D; without caches the fast path is untouched", "[timing][cache][unit]") {
    // sd x5, 0(x6); amoadd.d x7, x5, (x6); sd x5, 64(x6)
    const std::vector<uint32_t> prog = {0x00533023, 0x005333af, 0x04533023};
    RvMachine cached(profile(kL1d), prog), plain(nullptr, prog);
    for (RvMachine* m : {&cached, &plain}) {
        m->h->x[6] = kRvData;
        m->h->x[5] = 5;
        REQUIRE(m->h->run(3) == rv::StopReason::Budget);
        uint64_t v = 0;
        m->mem.read(kRvData, 8, v);
        CHECK(v == 10);
    }
    CHECK(cached.h->walker.caches.l1d.stats.accesses == 3);
    CHECK(cached.h->walker.caches.l1d.stats.misses == 2);
    CHECK(cached.h->cycles() - plain.h->cycles() == 10 + 1 + 10);
    // Without caches the store filled the software TLB for the fast path.
    const rv::TlbEntry& e = plain.h->tlb_w[rv::tlb_index(kRvData)];
    CHECK(e.ctx == plain.h->data_ctx);
    CHECK(plain.h->walker.caches.l1d.stats.accesses == 0);
}

TEST_CASE("RISC-V: instruction fetch pays the L1I once per new line", "[timing][cache][unit]") {
    const std::vector<uint32_t> prog(64, kRvAddi);   // 256 bytes: 4 lines
    RvMachine cached(profile(kL1i), prog), plain(nullptr, prog);
    for (RvMachine* m : {&cached, &plain}) REQUIRE(m->h->run(64) == rv::StopReason::Budget);
    CHECK(cached.h->x[3] == 64);
    const isa::CacheStats& s = cached.h->walker.caches.l1i.stats;
    CHECK(s.accesses == 4);
    CHECK(s.misses == 4);
    CHECK(cached.h->cycles() - plain.h->cycles() == 4 * 20);
    cached.h->pc = kRvRam;
    const uint64_t c0 = cached.h->cycles();
    cached.h->run(64);
    CHECK(s.accesses == 8);
    CHECK(s.hits == 4);
    CHECK(cached.h->cycles() - c0 == 64);
}

TEST_CASE("RISC-V: a fetch entering another line pays however control gets there", "[timing][cache][unit]") {
    // Line 0: 31 c.addi x3, 1 (62 bytes), then addi x3, x3, 1 straddling
    // into line 1 (its fetch is line 0's); line 1 from byte 66: addi x5,
    // x5, -1 (entered sequentially at the line's third byte) and bne x5,
    // x0 back to byte 4 (line 0 entered by a taken branch, not at its
    // start). 34 instructions the first turn, 32 the others.
    std::vector<uint8_t> bytes;
    auto put = [&](uint32_t v, unsigned n) {
        for (unsigned k = 0; k < n; ++k) bytes.push_back(static_cast<uint8_t>(v >> (8 * k)));
    };
    for (int k = 0; k < 31; ++k) put(0x0185, 2);
    put(kRvAddi, 4);
    put(0xfff28293, 4);   // addi x5, x5, -1
    put(0xfa029fe3, 4);   // bne x5, x0, -66
    bytes.resize((bytes.size() + 3) & ~size_t{3});
    std::vector<uint32_t> prog(bytes.size() / 4);
    std::memcpy(prog.data(), bytes.data(), bytes.size());
    RvMachine cached(profile(kL1i), prog), plain(nullptr, prog);
    for (RvMachine* m : {&cached, &plain}) REQUIRE(m->h->run(34 + 2 * 32) == rv::StopReason::Budget);
    CHECK(cached.h->x[3] == 32 + 2 * 30);
    CHECK(cached.h->pc == kRvRam + 4);
    const isa::CacheStats& s = cached.h->walker.caches.l1i.stats;
    CHECK(s.accesses == 6);   // line 0, line 1, three turns
    CHECK(s.misses == 2);
    CHECK(cached.h->cycles() - plain.h->cycles() == 2 * 20);
}

namespace {

constexpr uint64_t kArmRam = 0x40000000, kArmData = kArmRam + 0x2000;

struct ArmMachine {
    isa::PhysMem mem;
    std::unique_ptr<arm::Pe> pe;
    ArmMachine(std::shared_ptr<const isa::TimingProfile> p, const std::vector<uint32_t>& words) {
        mem.add_ram(kArmRam, 0x100000);
        arm::PeConfig cfg;
        cfg.reset_pc = kArmRam;
        cfg.hosted = true;
        cfg.clock.profile = std::move(p);
        pe = std::make_unique<arm::Pe>(mem, cfg);
        mem.write_block(kArmRam, words.data(), words.size() * 4);
    }
};

// ldr x5, [x6, #k*8] for k = 0..n-1.
std::vector<uint32_t> arm_loads(unsigned n) {
    std::vector<uint32_t> w;
    for (unsigned k = 0; k < n; ++k) w.push_back(0xF94000C5u | (k << 10));
    return w;
}

} // namespace

TEST_CASE("Arm: loads pay the L1D and fetches the L1I, a miss per new line", "[timing][cache][unit]") {
    const std::string both = std::string(kL1d) + kL1i;
    ArmMachine cached(profile(both), arm_loads(64)), plain(nullptr, arm_loads(64));
    for (ArmMachine* m : {&cached, &plain}) {
        m->pe->x[6] = kArmData;
        REQUIRE(m->pe->run(64) == arm::StopReason::Budget);
    }
    const isa::CacheHierarchy& c = cached.pe->walker.caches;
    CHECK(c.l1d.stats.accesses == 64);
    CHECK(c.l1d.stats.misses == 8);
    CHECK(c.l1i.stats.accesses == 4);   // 64 instructions of 4 bytes: 4 lines
    CHECK(c.l1i.stats.misses == 4);
    CHECK(cached.pe->cycles() - plain.pe->cycles() == (8 * 10 + 56 * 1) + 4 * 20);
    CHECK(cached.pe->x[5] == plain.pe->x[5]);
}

// ---- whole guests (tests/emu/guest_runs.hpp) --------------------

using hvemu::test::hvemu_runs::compare_with_caches;

TEST_CASE("A full-system RISC-V guest with caches: same output, more cycles, plausible hit rates, twice the same",
          "[timing][cache][guest]") {
    compare_with_caches("--machine riscv64-virt --bios none", "riscv64/loadstore.elf", "riscv-inorder",
                        "riscv-inorder-caches");
}

TEST_CASE("A hosted RISC-V VM with caches (walks through L1D/L2): same output, more cycles, twice the same",
          "[timing][cache][guest]") {
    compare_with_caches("--arch riscv64", "riscv64-vm/paging.elf", "riscv-inorder", "riscv-inorder-caches");
}

TEST_CASE("A full-system Arm guest with caches: same output, more cycles, plausible hit rates, twice the same",
          "[timing][cache][guest]") {
    compare_with_caches("--machine aarch64-virt", "aarch64/loadstore.elf", "riscv-inorder",
                        "riscv-inorder-caches");   // the profiles hold for any core
}
