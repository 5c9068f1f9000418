// SP alignment checking: with SCTLR_ELx.SA (SA0 for EL0) set, a load or
// store whose base register is SP faults (EC 0x26) when SP is not 16-byte
// aligned, before any register or memory changes; prefetches, other base
// registers and non-memory uses of SP are never checked.
#include <catch2/catch.hpp>

#include "tests/isa/arm64_sys_fixture.hpp"

namespace hvemu::arm::test {
namespace {

constexpr uint32_t kEcSpAlign = 0x26;
constexpr uint64_t kSa = 1u << 3, kSa0 = 1u << 4;
constexpr uint64_t kHcrTge = 1ull << 27;
constexpr uint64_t kStack = kRam + 0x2000;   // 16-byte aligned; +8 is not

// Encodings.
constexpr uint32_t kLdrX1Sp = 0xF94003E1;       // ldr x1, [sp]
constexpr uint32_t kStrX1Sp8 = 0xF90007E1;      // str x1, [sp, #8]
constexpr uint32_t kLdpPost = 0xA8C10BE1;       // ldp x1, x2, [sp], #16
constexpr uint32_t kLdxrX1Sp = 0xC85F7FE1;      // ldxr x1, [sp]
constexpr uint32_t kPrfmSp = 0xF98003E0;        // prfm pldl1keep, [sp]
constexpr uint32_t kLdrX1X2 = 0xF9400041;       // ldr x1, [x2]
constexpr uint32_t kAddSpSp8 = 0x910023FF;      // add sp, sp, #8
constexpr uint32_t kLdrQ0Sp = 0x3DC003E0;       // ldr q0, [sp]

struct Story : SysFixture {
    uint64_t at(uint64_t pa) {
        uint64_t v = 0;
        mem.read(pa, 8, v);
        return v;
    }
    // Runs `code` at `el` (SP_ELx, or SP_EL0 at EL0) with SP = sp.
    StopReason go(unsigned el, uint64_t sp, std::initializer_list<uint32_t> code, uint64_t n = 3) {
        put(kCode, code);
        pe->set_el(el, el != 0);
        pe->x[kSp] = sp;
        pe->x[1] = 0x1111;
        pe->pc = kCode;
        mem.write(kStack, 8, 0xAA);
        mem.write(kStack + 8, 8, 0xBB);
        mem.write(kStack + 16, 8, 0xCC);
        return pe->run(n);
    }
};

TEST_CASE("Arm SP alignment at EL1: SCTLR_EL1.SA", "[arm64][sp_align][unit]") {
    Story s;
    s->sys.sctlr_el1 |= kSa;
    SECTION("a misaligned SP base faults to EL1 with EC 0x26, nothing changed") {
        s.go(1, kStack + 8, {kLdrX1Sp, kBSelf});
        CHECK(s->pc == kVbarEl1 + 0x200);   // current EL, SP_ELx
        CHECK(s->sys.esr_el1 == esr_of(kEcSpAlign, 0));
        CHECK(s->sys.elr_el1 == kCode);
        CHECK(s->x[1] == 0x1111);
        CHECK(s->sp_el(1) == kStack + 8);
    }
    SECTION("an aligned SP base loads") {
        s.go(1, kStack, {kLdrX1Sp, kBSelf});
        CHECK(s->pc == kCode + 4);
        CHECK(s->x[1] == 0xAA);
    }
    SECTION("the offset does not matter: SP itself is checked") {
        s.go(1, kStack, {kStrX1Sp8, kBSelf});
        CHECK(s->pc == kCode + 4);
        CHECK(s.at(kStack + 8) == 0x1111);
        s.go(1, kStack + 8, {kStrX1Sp8, kBSelf});
        CHECK(s->pc == kVbarEl1 + 0x200);
        CHECK(s.at(kStack + 16) == 0xCC);   // the store did not happen
    }
    SECTION("post-indexed pairs and exclusives count; no writeback on the fault") {
        s.go(1, kStack + 8, {kLdpPost, kBSelf});
        CHECK(s->pc == kVbarEl1 + 0x200);
        CHECK(s->sys.esr_el1 == esr_of(kEcSpAlign, 0));
        CHECK(s->sp_el(1) == kStack + 8);
        s.go(1, kStack + 8, {kLdxrX1Sp, kBSelf});
        CHECK(s->pc == kVbarEl1 + 0x200);
        s.go(1, kStack, {kLdpPost, kBSelf});
        CHECK(s->pc == kCode + 4);
        CHECK(s->x[kSp] == kStack + 16);
    }
    SECTION("prefetches, other base registers and SP arithmetic are not checked") {
        s.go(1, kStack + 8, {kPrfmSp, kBSelf});
        CHECK(s->pc == kCode + 4);
        s->x[2] = kStack + 8;
        s.put(kCode, {kLdrX1X2, kBSelf});
        s->pc = kCode;
        s->run(2);
        CHECK(s->pc == kCode + 4);
        CHECK(s->x[1] == 0xBB);
        s.go(1, kStack + 8, {kAddSpSp8, kBSelf});
        CHECK(s->pc == kCode + 4);
        CHECK(s->x[kSp] == kStack + 16);
    }
    SECTION("an FP/SIMD load checks the FP enables first") {
        s->sys.cpacr_el1 = 0;   // FP disabled at EL1
        s.go(1, kStack + 8, {kLdrQ0Sp, kBSelf});
        CHECK(s->pc == kVbarEl1 + 0x200);
        CHECK((s->sys.esr_el1 >> 26) == 0x07);
        s->sys.cpacr_el1 = 3u << 20;
        s.go(1, kStack + 8, {kLdrQ0Sp, kBSelf});
        CHECK(s->sys.esr_el1 == esr_of(kEcSpAlign, 0));
    }
}

TEST_CASE("Arm SP alignment with SCTLR_EL1.SA clear: no check at EL1", "[arm64][sp_align][unit]") {
    Story s;
    s->sys.sctlr_el1 &= ~kSa;
    s->sys.sctlr_el1 |= kSa0;   // EL0's bit does not apply at EL1
    s.go(1, kStack + 8, {kLdrX1Sp, kBSelf});
    CHECK(s->pc == kCode + 4);
    CHECK(s->x[1] == 0xBB);
}

TEST_CASE("Arm SP alignment at EL0: SCTLR_EL1.SA0", "[arm64][sp_align][unit]") {
    Story s;
    SECTION("SA0 set: a misaligned SP_EL0 base faults to EL1 (lower EL vector)") {
        s->sys.sctlr_el1 = (s->sys.sctlr_el1 & ~kSa) | kSa0;
        s.go(0, kStack + 8, {kLdrX1Sp, kBSelf});
        CHECK(s->pc == kVbarEl1 + 0x400);
        CHECK(s->el() == 1);
        CHECK(s->sys.esr_el1 == esr_of(kEcSpAlign, 0));
        CHECK(s->sys.elr_el1 == kCode);
        CHECK(s->x[1] == 0x1111);
    }
    SECTION("SA0 set, SP aligned: the load runs") {
        s->sys.sctlr_el1 |= kSa0;
        s.go(0, kStack, {kLdrX1Sp, kBSelf});
        CHECK(s->pc == kCode + 4);
        CHECK(s->x[1] == 0xAA);
    }
    SECTION("SA0 clear (SA set): EL0 is not checked") {
        s->sys.sctlr_el1 = (s->sys.sctlr_el1 & ~kSa0) | kSa;
        s.go(0, kStack + 8, {kLdrX1Sp, kBSelf});
        CHECK(s->pc == kCode + 4);
        CHECK(s->x[1] == 0xBB);
    }
    SECTION("with HCR_EL2.TGE the fault goes to EL2") {
        s->sys.sctlr_el1 |= kSa0;
        s->sys.hcr_el2 |= kHcrTge;
        s.go(0, kStack + 8, {kLdrX1Sp, kBSelf});
        CHECK(s->pc == kVbarEl2 + 0x400);
        CHECK(s->sys.esr_el2 == esr_of(kEcSpAlign, 0));
    }
}

TEST_CASE("Arm SP alignment at EL2: SCTLR_EL2.SA", "[arm64][sp_align][unit]") {
    Story s;
    s->sys.sctlr_el1 &= ~(kSa | kSa0);   // EL1's bits do not apply at EL2
    s->sys.sctlr_el2 |= kSa;
    s.go(2, kStack + 8, {kLdrX1Sp, kBSelf});
    CHECK(s->pc == kVbarEl2 + 0x200);
    CHECK(s->sys.esr_el2 == esr_of(kEcSpAlign, 0));
    s->sys.sctlr_el2 &= ~kSa;
    s.go(2, kStack + 8, {kLdrX1Sp, kBSelf});
    CHECK(s->pc == kCode + 4);
}

} // namespace
} // namespace hvemu::arm::test
