// The stage-2 builder writes VMSAv8-64 tables the Arm PE walks: the root
// sized for the IPA width and start level the vCPU programs (concatenated
// tables where the start level resolves more than 9 bits), 4 KiB pages and
// 2 MiB / 1 GiB blocks by alignment, S2AP / XN / MemAttr from the flags,
// and the PE's own stage-2 walk (translate_s2) agrees with the builder's.
#include <catch2/catch.hpp>

#include "emu/vmm/stage2_builder.hpp"
#include "isa/arm64/vmsa.hpp"
#include "vcpu/arm64/arm_regs.hpp"
#include "vcpu/arm64/arm_vcpu.hpp"
#include "vcpu/arm64/phys_cpu.hpp"

using namespace hvemu;
using namespace hvemu::emu::vmm;
namespace mf = hvemu::vcpu::mapping;
namespace v = hvemu::arm::vmsa;
using hvemu::vcpu::arm64::ArmVCpu;

namespace {

constexpr uint64_t kHyp = 0x4000'0000, kHypSize = 8 << 20;   // below every PA size tested
constexpr uint64_t kGiB = 1ull << 30, kMiB = 1ull << 20;
constexpr uint64_t kHost = 0x80'0000'0000;

struct Fixture {
    isa::PhysMem mem;
    FrameAllocator frames;
    unsigned pa_bits;
    Stage2Builder s2;
    explicit Fixture(unsigned pa = 44)
        : frames((mem.add_ram(kHyp, kHypSize, "hyp"), mem), kHyp, kHypSize), pa_bits(pa),
          s2(mem, frames, ArmVCpu::ipa_bits_for(pa), ArmVCpu::start_level_for(pa), pa) {}

    // The PE's own stage-2 walk with VTCR_EL2 as the vCPU programs it.
    arm::Translation pe_walk(uint64_t ipa, arm::Access acc) {
        vcpu::arm64::PhysCpu cpu(mem, 0, {}, {.pa_bits = pa_bits});
        REQUIRE(cpu.pe().sysreg_write(vcpu::arm64::sr::VTCR_EL2, ArmVCpu::vtcr_for(pa_bits), 2));
        REQUIRE(cpu.pe().sysreg_write(vcpu::arm64::sr::VTTBR_EL2, s2.root(), 2));
        REQUIRE(cpu.pe().sysreg_write(vcpu::arm64::sr::HCR_EL2, vcpu::arm64::hcr::VM | vcpu::arm64::hcr::RW, 2));
        return cpu.pe().translate_s2(ipa, acc);
    }
};

} // namespace

TEST_CASE("stage-2 root: IPA size and start level as the vCPU's VTCR_EL2, concatenated where needed",
          "[vmm][stage2]") {
    Fixture f44(44);   // 44-bit IPA from level 0: 32 entries
    CHECK(f44.s2.ipa_bits() == 44);
    CHECK(f44.s2.start_level() == 0);
    CHECK(f44.s2.root_tables() == 1);
    CHECK(f44.s2.root() % 4096 == 0);
    Fixture f40(40);   // below 44 bits of PA: a 39-bit IPA from level 1, one table
    CHECK(f40.s2.ipa_bits() == 39);
    CHECK(f40.s2.start_level() == 1);
    CHECK(f40.s2.root_tables() == 1);
    isa::PhysMem mem;
    mem.add_ram(kHyp, kHypSize, "hyp");
    FrameAllocator frames(mem, kHyp, kHypSize);
    const Stage2Builder s40(mem, frames, 40, 1);   // 10 bits at level 1: two tables, 8 KiB aligned
    CHECK(s40.root_tables() == 2);
    CHECK(s40.root() % 8192 == 0);
    const Stage2Builder s42(mem, frames, 42, 1);   // 12 bits: eight tables
    CHECK(s42.root_tables() == 8);
    CHECK(s42.root() % (8 * 4096) == 0);
    CHECK_THROWS_AS(Stage2Builder(mem, frames, 48, 1), MappingError);   // 18 bits at level 1
    CHECK_THROWS_AS(Stage2Builder(mem, frames, 30, 1), MappingError);   // nothing left for level 1
}

TEST_CASE("stage-2 leaves: 1 GiB and 2 MiB blocks and 4 KiB pages by alignment; the PE's walk agrees",
          "[vmm][stage2]") {
    for (unsigned pa : {44u, 40u, 36u}) {
        INFO("PA bits " << pa);
        Fixture f(pa);
        const uint64_t host = pa > 40 ? kHost : 0x8000'0000;
        f.mem.add_ram(host, 2 * kGiB, "guest");
        f.s2.map(0x4000'0000, host, kGiB + 2 * kMiB + 4096, mf::READ | mf::WRITE | mf::EXECUTE);
        CHECK(f.s2.leaves()[1] == 1);
        CHECK(f.s2.leaves()[2] == 1);
        CHECK(f.s2.leaves()[3] == 1);
        for (uint64_t off : {uint64_t{0x1234}, kGiB + 0x5678, kGiB + 2 * kMiB + 0x10}) {
            const auto leaf = f.s2.translate(0x4000'0000 + off);
            REQUIRE(leaf);
            CHECK(leaf->pa == host + off);
            const arm::Translation t = f.pe_walk(0x4000'0000 + off, arm::Access::Write);
            INFO("IPA offset " << std::hex << off);
            REQUIRE(t.ok());
            CHECK(t.paddr == host + off);
        }
        CHECK(f.s2.translate(0x4000'0000 + kGiB + 2 * kMiB + 4096).has_value() == false);
        CHECK_FALSE(f.pe_walk(0x0900'0000, arm::Access::Read).ok());   // a device: unmapped, so it exits
    }
}

TEST_CASE("stage-2 descriptors: S2AP from READ/WRITE, XN without EXECUTE, Normal or Device memory",
          "[vmm][stage2]") {
    Fixture f;
    f.mem.add_ram(kHost, 16 * kMiB, "guest");
    f.s2.map(0x4000'0000, kHost, 4096, mf::READ | mf::EXECUTE);
    f.s2.map(0x4000'1000, kHost + 0x1000, 4096, mf::READ | mf::WRITE);
    f.s2.map(0x4000'2000, kHost + 0x2000, 4096, mf::READ | mf::WRITE | mf::DEVICE);
    const auto ro = f.s2.translate(0x4000'0000), rw = f.s2.translate(0x4000'1000), dev = f.s2.translate(0x4000'2000);
    REQUIRE(ro);
    REQUIRE(rw);
    REQUIRE(dev);
    CHECK((ro->desc & v::kS2apRead) != 0);
    CHECK((ro->desc & v::kS2apWrite) == 0);
    CHECK((ro->desc & v::kUxn) == 0);
    CHECK((ro->desc & v::kAf) != 0);
    CHECK(((ro->desc >> v::kAttrIndxShift) & 0xf) == 0xf);
    CHECK((rw->desc & v::kUxn) != 0);
    CHECK(((dev->desc >> v::kAttrIndxShift) & 0xf) == 0x1);
    CHECK(f.pe_walk(0x4000'0000, arm::Access::Read).ok());
    CHECK(f.pe_walk(0x4000'0000, arm::Access::Exec).ok());
    CHECK(f.pe_walk(0x4000'0000, arm::Access::Write).fault == arm::FaultKind::Permission);
    CHECK(f.pe_walk(0x4000'1000, arm::Access::Exec).fault == arm::FaultKind::Permission);
    CHECK(f.pe_walk(0x4000'1000, arm::Access::Write).ok());
}

TEST_CASE("stage-2 mapping errors: misaligned, beyond the IPA or PA space, overlapping, no permission",
          "[vmm][stage2]") {
    Fixture f(40);
    CHECK_THROWS_AS(f.s2.map(0x4000'0800, kHost, 4096, mf::READ), MappingError);
    CHECK_THROWS_AS(f.s2.map(1ull << 40, 0x1000, 4096, mf::READ), MappingError);
    CHECK_THROWS_AS(f.s2.map(0x1000, 1ull << 40, 4096, mf::READ), MappingError);
    CHECK_THROWS_AS(f.s2.map(0x1000, 0x1000, 4096, 0), MappingError);
    f.s2.map(0x4000'0000, 0x4000'0000, 2 * kMiB, mf::READ);
    CHECK_THROWS_AS(f.s2.map(0x4000'1000, 0x1000, 4096, mf::READ), MappingError);   // inside the 2 MiB block
    f.s2.map(0x8000'0000, 0x8000'0000, 4096, mf::READ);
    CHECK_THROWS_AS(f.s2.map(0x8000'0000, 0x9000'0000, 2 * kMiB, mf::READ), MappingError);   // over a table
}
