// The Arm vCPU's data aborts: MMIO exits from the ESR syndrome (SAS, SSE,
// SF, SRT, WnR), completion into W/X registers, aborts without a syndrome
// decoded from the instruction (writeback forms, SP base), and what stays
// a nested page fault. Plus the load/store decoder on its own.
#include <catch2/catch.hpp>

#include "tests/vcpu/arm64_vcpu_fixture.hpp"
#include "vcpu/arm64/mmio_decode.hpp"
#include "vcpu/mmio.hpp"

using namespace hvemu::vcpu;
using namespace hvemu::vcpu::arm64;
using namespace hvemu::vcpu::arm64::test;

TEST_CASE("A64 load/store decoder: forms, widths, extension, writeback", "[vcpu][arm64][unit]") {
    using namespace a64;
    struct Case {
        uint32_t raw;
        bool store;
        unsigned size, reg_width;
        bool sext;
        LdStMode mode;
        int64_t imm;
    };
    const Case cases[] = {
        {ldst_uimm(0, 1, 2, 1, 7), false, 1, 4, false, LdStMode::UnsignedOffset, 7},        // ldrb w2, [x1, #7]
        {ldst_uimm(1, 3, 2, 1, 6), false, 2, 4, true, LdStMode::UnsignedOffset, 6},         // ldrsh w2, [x1, #6]
        {ldst_uimm(2, 2, 2, 1, 8), false, 4, 8, true, LdStMode::UnsignedOffset, 8},         // ldrsw x2, [x1, #8]
        {ldst_uimm(3, 0, 2, 1, 16), true, 8, 8, false, LdStMode::UnsignedOffset, 16},       // str x2, [x1, #16]
        {ldst_post(3, 1, 2, 1, -16), false, 8, 8, false, LdStMode::PostIndex, -16},         // ldr x2, [x1], #-16
        {ldst_pre(2, 0, 3, 1, 4), true, 4, 4, false, LdStMode::PreIndex, 4},                // str w3, [x1, #4]!
        {ldst_unscaled(0, 2, 2, 1, -1), false, 1, 8, true, LdStMode::Unscaled, -1},         // ldursb x2, [x1, #-1]
        {ldst_imm9(1, 0, 2, 1, 2, 2), true, 2, 4, false, LdStMode::Unprivileged, 2},        // sttrh w2, [x1, #2]
    };
    for (const Case& c : cases) {
        INFO(std::hex << c.raw);
        auto m = decode_ldst(c.raw);
        REQUIRE(m);
        CHECK(m->store == c.store);
        CHECK(m->size == c.size);
        CHECK(m->reg_width == c.reg_width);
        CHECK(m->signed_ext == c.sext);
        CHECK(m->mode == c.mode);
        CHECK(m->imm == c.imm);
        CHECK(m->rn == 1);
    }
    // Register offset: ldr x2, [x1, w3, sxtw #3]
    auto r = decode_ldst(ldst_reg(3, 1, 2, 1, 3, 6, true));
    REQUIRE(r);
    CHECK(r->mode == LdStMode::RegisterOffset);
    CHECK(r->address(0x1000, 0xffffffff) == 0x1000 - 8);   // w3 = -1, scaled by 8
    CHECK(decode_ldst(ldst_reg(3, 1, 2, 1, 3, 2, false))->address(0x1000, 0x1'0000'0010) == 0x1010);   // uxtw
    // Post-index addresses the base; pre-index the base plus the offset.
    CHECK(decode_ldst(ldst_post(3, 1, 2, 1, 16))->address(0x100, 0) == 0x100);
    CHECK(decode_ldst(ldst_pre(3, 1, 2, 1, 16))->address(0x100, 0) == 0x110);
    // Not decoded: pairs, PRFM, unallocated LDRS, SIMD&FP, writeback onto Rt, other classes.
    CHECK_FALSE(decode_ldst(ldp_x(2, 3, 1)));
    CHECK_FALSE(decode_ldst(ldst_uimm(3, 2, 0, 1, 0)));                   // prfm
    CHECK_FALSE(decode_ldst(ldst_uimm(2, 3, 2, 1, 0)));                   // unallocated
    CHECK_FALSE(decode_ldst(ldst_uimm(3, 1, 2, 1, 0) | (1u << 26)));      // ldr d2 (V = 1)
    CHECK_FALSE(decode_ldst(ldst_post(3, 1, 1, 1, 8)));                   // ldr x1, [x1], #8
    CHECK(decode_ldst(ldst_post(3, 1, 31, 31, 8)));                       // ldr xzr, [sp], #8 is fine
    CHECK_FALSE(decode_ldst(a64::kNop));
    CHECK_FALSE(decode_ldst(a64::hvc(0)));
}

namespace {

struct LoadCase {
    const char* name;
    unsigned size, opc;
    AccessWidth width, reg_width;
    bool sext;
    uint64_t raw, expect;   // the device's value and the register after completion
};

} // namespace

TEST_CASE("Arm vCPU: MMIO loads exit with the syndrome's width, register width and sign", "[vcpu][arm64]") {
    const LoadCase cases[] = {
        {"ldrb w2", 0, 1, AccessWidth::Byte, AccessWidth::Dword, false, 0x80, 0x80},
        {"ldrh w2", 1, 1, AccessWidth::Word, AccessWidth::Dword, false, 0x8001, 0x8001},
        {"ldr w2", 2, 1, AccessWidth::Dword, AccessWidth::Dword, false, 0x80000001, 0x80000001},
        {"ldr x2", 3, 1, AccessWidth::Qword, AccessWidth::Qword, false, 0x8000000000000001, 0x8000000000000001},
        {"ldrsb x2", 0, 2, AccessWidth::Byte, AccessWidth::Qword, true, 0x80, 0xffffffffffffff80},
        {"ldrsb w2", 0, 3, AccessWidth::Byte, AccessWidth::Dword, true, 0x80, 0xffffff80},
        {"ldrsh x2", 1, 2, AccessWidth::Word, AccessWidth::Qword, true, 0x8000, 0xffffffffffff8000},
        {"ldrsh w2", 1, 3, AccessWidth::Word, AccessWidth::Dword, true, 0x8000, 0xffff8000},
        {"ldrsw x2", 2, 2, AccessWidth::Dword, AccessWidth::Qword, true, 0x80000000, 0xffffffff80000000},
    };
    for (const LoadCase& c : cases) {
        SECTION(c.name) {
            VmFixture f;
            f.code(kEntry, {a64::ldst_uimm(c.size, c.opc, 2, 1, 8u << c.size), a64::hvc(0), a64::kSelf});
            ArmVCpu v = f.vcpu();
            REQUIRE(v.bind().ok());
            v.set_gpr(1, kMmio);
            v.set_gpr(2, 0x5555555555555555);
            auto e = as<exit::MmioRead>(run_ok(v));
            CHECK(e.addr == kMmio + (8u << c.size));
            CHECK(e.width == c.width);
            CHECK(e.reg == 2);
            CHECK(e.reg_width == c.reg_width);
            CHECK(e.signed_ext == c.sext);
            CHECK(v.pc() == kEntry + 4);
            CHECK(esr::ec(v.last_trap().esr) == ec::DABT_LOW);
            v.set_gpr(e.reg, complete_mmio_read(e, c.raw));
            as<exit::Hypercall>(run_ok(v));
            CHECK(v.gpr(2) == c.expect);
        }
    }
}

TEST_CASE("Arm vCPU: MMIO stores carry the whole source register; XZR stores zero", "[vcpu][arm64]") {
    VmFixture f;
    f.code(kEntry, {a64::ldst_uimm(0, 0, 3, 1, 1), a64::ldst_uimm(3, 0, 3, 1, 8), a64::ldst_uimm(2, 0, 31, 1, 4),
                    a64::hvc(0)});
    ArmVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    v.set_gpr(1, kMmio);
    v.set_gpr(3, 0x1122334455667788);
    auto b = as<exit::MmioWrite>(run_ok(v));
    CHECK(b.addr == kMmio + 1);
    CHECK(b.width == AccessWidth::Byte);
    CHECK(b.data == 0x1122334455667788);
    CHECK(v.pc() == kEntry + 4);
    auto d = as<exit::MmioWrite>(run_ok(v));
    CHECK(d.addr == kMmio + 8);
    CHECK(d.width == AccessWidth::Qword);
    CHECK(v.pc() == kEntry + 8);
    auto z = as<exit::MmioWrite>(run_ok(v));
    CHECK(z.width == AccessWidth::Dword);
    CHECK(z.data == 0);
    CHECK(v.pc() == kEntry + 12);
}

TEST_CASE("Arm vCPU: aborts without a syndrome are decoded, with writeback", "[vcpu][arm64]") {
    VmFixture f;
    f.code(kEntry, {
                       a64::ldst_post(3, 1, 2, 1, 16),   // ldr x2, [x1], #16
                       a64::ldst_pre(2, 0, 3, 4, -4),    // str w3, [x4, #-4]!
                       a64::add_imm(31, 5, 0),           // mov sp, x5
                       a64::ldst_post(1, 3, 6, 31, 2),   // ldrsh w6, [sp], #2
                       a64::hvc(0),
                   });
    ArmVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    v.set_gpr(1, kMmio);
    v.set_gpr(3, 0xabcdef01);
    v.set_gpr(4, kMmio + 0x108);
    v.set_gpr(5, kMmio + 0x200);

    auto r = as<exit::MmioRead>(run_ok(v));
    CHECK((v.last_trap().esr & dabt::ISV) == 0);   // the PE gave no syndrome for a writeback form
    CHECK(r.addr == kMmio);
    CHECK(r.width == AccessWidth::Qword);
    CHECK(r.reg == 2);
    CHECK(r.reg_width == AccessWidth::Qword);
    CHECK(v.gpr(1) == kMmio + 16);
    CHECK(v.pc() == kEntry + 4);

    auto w = as<exit::MmioWrite>(run_ok(v));
    CHECK(w.addr == kMmio + 0x104);
    CHECK(w.width == AccessWidth::Dword);
    CHECK(w.data == 0xabcdef01);
    CHECK(v.gpr(4) == kMmio + 0x104);
    CHECK(v.pc() == kEntry + 8);

    auto s = as<exit::MmioRead>(run_ok(v));
    CHECK(s.addr == kMmio + 0x200);
    CHECK(s.width == AccessWidth::Word);
    CHECK(s.reg == 6);
    CHECK(s.reg_width == AccessWidth::Dword);
    CHECK(s.signed_ext);
    CHECK(sysreg(f.cpu(), sr::SP_EL1) == kMmio + 0x202);
    v.set_gpr(s.reg, complete_mmio_read(s, 0xfffe));
    as<exit::Hypercall>(run_ok(v));
    CHECK(v.gpr(6) == 0xfffffffe);
}

TEST_CASE("Arm vCPU: what is not emulated is a nested page fault, pc unchanged", "[vcpu][arm64]") {
    VmFixture f;
    constexpr uint64_t kRo = kGuestRam + kGuestRamSize;   // one read-only page after RAM
    f.map(kRo, kGuestHpa + kGuestRamSize, kS2Ro | kS2Page, 3);
    SECTION("a load pair") {
        f.code(kEntry, {a64::ldp_x(2, 3, 1)});
        ArmVCpu v = f.vcpu();
        REQUIRE(v.bind().ok());
        v.set_gpr(1, kMmio + 0x10);
        auto e = as<exit::NestedPageFault>(run_ok(v));
        CHECK(e.addr == kMmio + 0x10);
        CHECK(e.access_flags == mapping::READ);
        CHECK(v.pc() == kEntry);
    }
    SECTION("a store to a read-only page (permission fault)") {
        f.code(kEntry, {a64::ldst_uimm(3, 1, 2, 1, 0), a64::ldst_uimm(3, 0, 2, 1, 8)});
        ArmVCpu v = f.vcpu();
        REQUIRE(v.bind().ok());
        v.set_gpr(1, kRo);
        auto e = as<exit::NestedPageFault>(run_ok(v));   // the load went through
        CHECK(e.addr == kRo + 8);
        CHECK(e.access_flags == mapping::WRITE);
        CHECK(v.pc() == kEntry + 4);
    }
    SECTION("an instruction fetch from unmapped space") {
        f.code(kEntry, {a64::br(1)});
        ArmVCpu v = f.vcpu();
        REQUIRE(v.bind().ok());
        v.set_gpr(1, kMmio + 0x40);
        auto e = as<exit::NestedPageFault>(run_ok(v));
        CHECK(e.addr == kMmio + 0x40);
        CHECK(e.access_flags == mapping::EXECUTE);
        CHECK(v.pc() == kMmio + 0x40);
    }
}

TEST_CASE("Arm vCPU: an abort without a syndrome under the guest's MMU is decoded through both stages",
          "[vcpu][arm64]") {
    VmFixture f;
    // Guest stage 1 (39-bit VA from level 1, 1 GiB blocks): VA 0x40000000 ->
    // IPA 0x40000000 (where the code enables the MMU), VA 0x80000000 -> IPA
    // 0x40000000 (normal), VA 0xC0000000 -> IPA 0 (device: the MMIO window).
    constexpr uint64_t kTtbr = kGuestRam + 0x100000;
    constexpr uint64_t kBlock = 1 | 1ull << 10 | 3ull << 8;   // valid block, AF, inner shareable
    f.put64(kTtbr + 1 * 8, 0x40000000 | kBlock);               // AttrIndx 0: normal
    f.put64(kTtbr + 2 * 8, 0x40000000 | kBlock);
    f.put64(kTtbr + 3 * 8, 0x00000000 | kBlock | 1u << 2);     // AttrIndx 1: device
    constexpr uint32_t kIsb = 0xD5033FDF;
    const uint64_t high = f.code(kEntry, {a64::msr(sr::MAIR_EL1, 10), a64::msr(sr::TCR_EL1, 11),
                                          a64::msr(sr::TTBR0_EL1, 12), kIsb, a64::msr(sr::SCTLR_EL1, 13), kIsb,
                                          a64::br(20)});
    f.code(high, {a64::ldst_post(3, 1, 2, 1, 8), a64::hvc(0)});
    ArmVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    v.set_gpr(10, 0x00ff);                                                  // attr0 normal WB, attr1 Device-nGnRnE
    v.set_gpr(11, 25 | 1u << 8 | 1u << 10 | 3u << 12 | 1u << 23 | 2ull << 32);   // T0SZ 25, WBWA, EPD1, IPS 40 bits
    v.set_gpr(12, kTtbr);
    v.set_gpr(13, 0x30d00801);                                              // RES1 | M
    v.set_gpr(20, high - kGuestRam + 0x80000000);
    v.set_gpr(1, 0xC0000000 + kMmio + 0x30);
    auto e = as<exit::MmioRead>(run_ok(v));
    CHECK((v.last_trap().esr & dabt::ISV) == 0);
    CHECK(v.last_trap().far == 0xC0000000 + kMmio + 0x30);
    CHECK(e.addr == kMmio + 0x30);
    CHECK(e.width == AccessWidth::Qword);
    CHECK(e.reg == 2);
    CHECK(v.gpr(1) == 0xC0000000 + kMmio + 0x38);
    CHECK(v.pc() == high - kGuestRam + 0x80000000 + 4);
    uint32_t raw = 0;
    REQUIRE(v.fetch_insn(v.pc() - 4, raw));
    CHECK(raw == a64::ldst_post(3, 1, 2, 1, 8));
    v.set_gpr(2, complete_mmio_read(e, 0x77));
    as<exit::Hypercall>(run_ok(v));
    CHECK(v.gpr(2) == 0x77);
}
