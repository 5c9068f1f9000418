// Timing profiles: the TOML format (shipped profiles, defaults, clear
// errors), and that a profile changes model time as it says: instruction
// classes, branches, traps, page walks (24 references for a 4-level walk
// under a 4-level G stage), the walk cache and the modelled TLBs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>

#include "emu/machine/riscv64_virt.hpp"   // ConfigError
#include "emu/timing/timing_loader.hpp"
#include "isa/arm64/pe.hpp"
#include "isa/common/phys_mem.hpp"
#include "isa/riscv/hart.hpp"
#include "tests/emu/timing_test_util.hpp"
#include "tests/isa/rv_mmu_fixture.hpp"

using namespace hvemu;
using hvemu::emu::ConfigError;
using hvemu::emu::timing::load_timing_profile;
using hvemu::emu::timing::parse_timing_profile;

namespace {

const auto& error_of = test::timing_error_of;
const auto& profile = test::timing_profile;

} // namespace

TEST_CASE("The shipped timing profiles load by name", "[timing][unit]") {
    const auto names = emu::timing::shipped_timing_profiles();
    for (const char* n : {"riscv-inorder", "skylake-vmx", "arm-kvm-nvhe", "arm-thin-hyp"}) {
        INFO(n);
        CHECK(std::find(names.begin(), names.end(), n) != names.end());
        const isa::TimingProfile p = load_timing_profile(n);
        CHECK(p.name == n);
        CHECK(p.core_hz >= 1'000'000'000);
        CHECK(p.costs.insn.div > p.costs.insn.alu);
        CHECK(p.handler_cost("Hypercall") > 0);
    }
    // The KVM-like Arm profile switches worlds in thousands of cycles, the thin one in tens.
    const auto kvm = load_timing_profile("arm-kvm-nvhe"), thin = load_timing_profile("arm-thin-hyp");
    CHECK(kvm.costs.vm_exit + kvm.costs.vm_entry > 10 * (thin.costs.vm_exit + thin.costs.vm_entry));
}

TEST_CASE("A timing profile's missing keys keep the model's defaults", "[timing][unit]") {
    const isa::TimingProfile p = parse_timing_profile("name = \"x\"\n[insn]\ndiv = 40\n", "t.toml");
    const isa::CycleCosts d{};
    CHECK(p.name == "x");
    CHECK(p.core_hz == isa::TimingProfile{}.core_hz);
    CHECK(p.costs.insn.div == 40);
    CHECK(p.costs.insn.alu == d.insn.alu);
    CHECK(p.costs.trap_entry == d.trap_entry);
    CHECK(p.costs.trap_return == d.trap_return);
    CHECK_FALSE(p.costs.tlb.enabled());
    CHECK(p.handler_cost("Hypercall") == 0);
    const isa::TimingProfile e = parse_timing_profile("", "t.toml");
    CHECK(e.costs.insn.mul == d.insn.mul);
}

TEST_CASE("Bad timing profiles are one-line errors naming file, line and key", "[timing][unit]") {
    struct Case {
        const char* text;
        const char* what;
    };
    const Case cases[] = {
        {"[insn]\nalu = 1\nfrobnicate = 2\n", "t.toml:3: [insn] frobnicate: unknown instruction class"},
        {"[insn]\nalu = 0\n", "t.toml:2: [insn] alu: 0 is out of range (1..255)"},
        {"[insn]\ndiv = \"slow\"\n", "t.toml:2: [insn] div: expected an integer"},
        {"[insn]\nbranch_taken = 1\nbranch_not_taken = 3\n", "branch_taken: must not be below branch_not_taken"},
        {"[trap]\nentry = -1\n", "t.toml:2: [trap] entry: -1 is out of range"},
        {"[tlb]\nentries = 10\nways = 4\n", "[tlb] ways: 10 entries do not divide into 4 ways"},
        {"[exit_handler]\nHypercal = 5\n", "t.toml:2: [exit_handler] Hypercal: unknown exit type"},
        {"[cache]\nl1d = 1\n", "t.toml:2: [cache.l1d]: expected a table"},
        {"speed = 3\n", "t.toml:1: speed: unknown key"},
        {"frequency_hz = 5\n", "frequency_hz: 5 is out of range"},
        {"[insn\n", "t.toml:1:"},
        {"vm = 3\n", "t.toml:1: [vm]: expected a table"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const std::string e = error_of(c.text);
        CHECK_THAT(e, Catch::Contains(c.what));
        CHECK(e.find('\n') == std::string::npos);
    }
    CHECK_THROWS_WITH(load_timing_profile("no-such-profile"),
                      Catch::Contains("no such profile") && Catch::Contains("skylake-vmx"));
}

// ---- Arm: instruction classes and branches --------------------------------------

namespace {

constexpr uint64_t kArmRam = 0x40000000;

struct ArmMachine {
    isa::PhysMem mem;
    std::unique_ptr<arm::Pe> pe;
    explicit ArmMachine(std::shared_ptr<const isa::TimingProfile> p, std::initializer_list<uint32_t> words) {
        mem.add_ram(kArmRam, 0x100000);
        arm::PeConfig cfg;
        cfg.reset_pc = kArmRam;
        cfg.hosted = true;
        cfg.clock.profile = std::move(p);
        pe = std::make_unique<arm::Pe>(mem, cfg);
        uint64_t at = kArmRam;
        for (uint32_t w : words) {
            mem.write_block(at, &w, 4);
            at += 4;
        }
    }
};

constexpr uint32_t kAddX3 = 0x91000463;    // add x3, x3, #1
constexpr uint32_t kUdiv = 0x9AC10802;     // udiv x2, x0, x1
constexpr uint32_t kMul = 0x9B017C02;      // mul x2, x0, x1
constexpr uint32_t kCbzX5 = 0xB4000045;    // cbz x5, .+8
constexpr uint32_t kCbnzX5 = 0xB5000045;   // cbnz x5, .+8

} // namespace

TEST_CASE("Arm: a profile's instruction classes set each instruction's cycles", "[timing][unit]") {
    const auto p = profile("[insn]\ndiv = 37\nmul = 4\n");
    ArmMachine m(p, {kAddX3, kUdiv, kMul, kAddX3});
    m.pe->x[0] = 100;
    m.pe->x[1] = 7;
    REQUIRE(m.pe->run(4) == arm::StopReason::Budget);
    CHECK(m.pe->x[2] == 700);
    CHECK(m.pe->icount() == 4);
    CHECK(m.pe->cycles() == 1 + 37 + 4 + 1);

    ArmMachine d(nullptr, {kAddX3, kUdiv, kMul, kAddX3});   // no profile: one cycle each
    d.pe->x[1] = 7;
    d.pe->run(4);
    CHECK(d.pe->cycles() == 4);
}

TEST_CASE("Arm: a taken branch pays the redirect, a branch not taken does not", "[timing][unit]") {
    const auto p = profile("[insn]\nbranch_taken = 9\nbranch_not_taken = 2\n");
    SECTION("taken") {
        ArmMachine m(p, {kCbzX5, kAddX3, kAddX3});
        m.pe->run(2);   // cbz (taken, skips one add), add
        CHECK(m.pe->x[3] == 1);
        CHECK(m.pe->cycles() == 9 + 1);
    }
    SECTION("not taken") {
        ArmMachine m(p, {kCbnzX5, kAddX3, kAddX3});
        m.pe->run(3);
        CHECK(m.pe->x[3] == 2);
        CHECK(m.pe->cycles() == 2 + 1 + 1);
    }
}

TEST_CASE("Arm: an instruction budget still counts instructions when they cost more cycles", "[timing][unit]") {
    const auto p = profile("[insn]\nalu = 5\n");
    ArmMachine m(p, {kAddX3, kAddX3, kAddX3, kAddX3, kAddX3, kAddX3});
    REQUIRE(m.pe->run(6) == arm::StopReason::Budget);
    CHECK(m.pe->icount() == 6);
    CHECK(m.pe->cycles() == 30);
}

// ---- RISC-V: traps and page walks ----------------------------------------------

TEST_CASE("RISC-V: the profile's trap entry and return costs reach the hart", "[timing][unit]") {
    using namespace hvemu::rv;
    isa::PhysMem mem;
    mem.add_ram(0x80000000, 0x10000);
    HartConfig cfg;
    cfg.reset_pc = 0x80000000;
    cfg.clock.profile = profile("[trap]\nentry = 77\nreturn = 33\n");
    Hart h(mem, cfg);
    const uint32_t ecall = 0x00000073;
    mem.write_block(0x80000000, &ecall, 4);
    h.csr.mtvec = 0x80000100;
    const uint64_t c0 = h.cycles();
    h.run(1);
    CHECK(h.pc == 0x80000100);
    CHECK(h.cycles() - c0 == 1 + 77);
    h.csr.mepc = 0x80000004;
    h.mret();
    CHECK(h.cycles() - c0 == 1 + 77 + 33);
}

namespace {

// A VS-stage Sv48 table under an Sv48x4 G stage, every level 4 KiB, so a
// translation walks 4 x 4 levels.
struct TwoStage4x4 {
    rv::mmu_test::Mmu m;
    static constexpr uint64_t kVa = 0x0000123456789000ull;
    explicit TwoStage4x4(std::shared_ptr<const isa::TimingProfile> p) : m(config(std::move(p))) {
        using namespace hvemu::rv::mmu_test;
        rv::mmu_test::Tables vs = m.guest_tables(4);
        vs.map(kVa, kGuestData, RW);
        vs.map(kVa + 0x1000, kGuestData + 0x1000, RW);
        rv::mmu_test::Tables g = m.host_tables(4, true);
        // Every guest page the walk touches, mapped with 4 KiB leaves.
        for (uint64_t gpa = kGuestTables; gpa < m.next_guest_table; gpa += 0x1000)
            g.map(gpa, Mmu::gpa_to_hpa(gpa), RW | U, 0);
        g.map(kGuestData, Mmu::gpa_to_hpa(kGuestData), RW | U, 0);
        g.map(kGuestData + 0x1000, Mmu::gpa_to_hpa(kGuestData + 0x1000), RW | U, 0);
        m.h().csr.hgatp = make_atp(rv::atp::MODE_SV48, 1, g.root);
        m.h().csr.vsatp = make_atp(rv::atp::MODE_SV48, 0, vs.root);
        m.h().flush_tlb();
    }
    static rv::HartConfig config(std::shared_ptr<const isa::TimingProfile> p) {
        rv::HartConfig c;
        c.clock.profile = std::move(p);
        return c;
    }
    rv::Translation tr(uint64_t va) { return m.tr(va, rv::Access::Read, rv::Priv::S, true); }
};

} // namespace

TEST_CASE("RISC-V: a 4-level walk under a 4-level G stage makes 24 references, each charged", "[timing][unit]") {
    TwoStage4x4 t(profile("[walk]\nref = 10\n"));
    rv::Hart& h = t.m.h();
    const uint64_t c0 = h.cycles();
    const rv::Translation r = t.tr(TwoStage4x4::kVa + 0x18);
    REQUIRE(r.ok());
    CHECK(r.paddr == rv::mmu_test::Mmu::gpa_to_hpa(rv::mmu_test::kGuestData) + 0x18);
    // (n+1)(m+1)-1: 4 VS-stage PTE reads, each behind a 4-reference G-stage
    // walk, and the final G-stage walk.
    CHECK(h.walk_refs_s1 == 4);
    CHECK(h.walk_refs_s2 == 20);
    CHECK(h.walker.stats.walk_refs_s1 + h.walker.stats.walk_refs_s2 == 24);
    CHECK(h.cycles() - c0 == 240);
}

TEST_CASE("RISC-V: the page-walk cache serves the references a neighbouring walk repeats", "[timing][unit]") {
    TwoStage4x4 t(profile("[walk]\nref = 10\ncache_entries = 64\ncache_ways = 4\ncache_hit = 1\n"));
    rv::Hart& h = t.m.h();
    REQUIRE(t.tr(TwoStage4x4::kVa).ok());
    // Within one walk the G-stage walks of the VS-stage table pages share
    // their upper levels: 3 hits for each of the last three table pages,
    // 2 for the data page (another level-1 entry).
    CHECK(h.walker.stats.walk_cache_hits == 3 * 3 + 2);
    const uint64_t hits0 = h.walker.stats.walk_cache_hits;
    const uint64_t c0 = h.cycles();
    REQUIRE(t.tr(TwoStage4x4::kVa + 0x1000).ok());
    // The neighbouring page: only the two leaf PTEs differ (VS level 0 and
    // the data page's G-stage leaf): 2 misses, 22 hits.
    CHECK(h.walker.stats.walk_cache_hits - hits0 == 22);
    CHECK(h.cycles() - c0 == 2 * 10 + 22 * 1);
    CHECK(h.walk_refs_s1 + h.walk_refs_s2 == 48);   // the walk itself is complete each time
}

TEST_CASE("RISC-V: a translation the modelled TLB holds is not charged; fences empty it", "[timing][unit]") {
    TwoStage4x4 t(profile("[walk]\nref = 10\n[tlb]\nentries = 2\nways = 2\n[tlb_stage2]\nentries = 8\n"));
    rv::Hart& h = t.m.h();
    REQUIRE(t.tr(TwoStage4x4::kVa).ok());
    CHECK(h.walker.stats.tlb_misses == 1);
    const uint64_t c0 = h.cycles();
    REQUIRE(t.tr(TwoStage4x4::kVa + 8).ok());
    CHECK(h.walker.stats.tlb_hits == 1);
    CHECK(h.cycles() == c0);
    // The neighbouring page misses the TLB but its PTE pages hit the
    // stage-2 TLB: only the 4 VS-stage reads and the final G-stage walk.
    REQUIRE(t.tr(TwoStage4x4::kVa + 0x1000).ok());
    CHECK(h.walker.stats.tlb_misses == 2);
    CHECK(h.walker.stats.tlb_s2_hits == 4);
    CHECK(h.cycles() - c0 == (4 + 4) * 10);
    h.hfence_vvma();
    h.hfence_gvma();
    const uint64_t c1 = h.cycles();
    REQUIRE(t.tr(TwoStage4x4::kVa).ok());
    CHECK(h.cycles() - c1 == 240);
}
