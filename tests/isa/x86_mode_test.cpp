// Real -> protected -> IA-32e mode, segment loads and their faults, far
// transfers and IRET, through the Core's C++ API.
#include <catch2/catch.hpp>

#include "tests/isa/x86_sys_fixture.hpp"

using namespace x86test;

namespace {
// The error code the handler of the last exception found on its stack.
uint64_t error_code(Sys& s) { return s.rd(s.c().gpr[4], 4); }
} // namespace

TEST_CASE("x86 real mode: segment base is selector * 16, far jump and IRET", "[x86][sys][mode]") {
    Sys s;
    Core& c = s.c();
    REQUIRE(c.load_segment(DS, 0x1234));
    CHECK(c.seg[DS].base == 0x12340);
    CHECK(c.far_jump(0x2000, 0x10, 0) == 0x10);
    CHECK(c.seg[CS].base == 0x20000);
    // IRET pops IP, CS, FLAGS.
    c.seg[SS] = Segment{0, 0, 0xffff, 0x93};
    c.gpr[4] = 0x800;
    s.wr(0x800, 0x1234, 2);
    s.wr(0x802, 0x3000, 2);
    s.wr(0x804, 0x0202, 2);
    CHECK(c.iret(2) == 0x1234);
    CHECK(c.seg[CS].base == 0x30000);
    CHECK((c.rflags & rflags::IF) != 0);
    CHECK(c.gpr[4] == 0x806);
}

TEST_CASE("x86 real -> protected -> long mode transitions", "[x86][sys][mode]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    CHECK(c.protected_mode());
    CHECK(c.seg[CS].selector == kCode32);
    CHECK((c.seg[CS].attr & (1u << 14)) != 0);
    CHECK(!c.long_mode());
    s.enter_long();
    CHECK(c.long_mode());
    CHECK(c.code64());
    CHECK((c.efer & (1u << 10)) != 0);

    SECTION("clearing PG in 64-bit code is #GP") {
        CHECK(!c.write_cr(0, c.cr0 & ~0x80000000ull));
        CHECK(c.rip == s.handler(13));
    }
    SECTION("clearing CR4.PAE in IA-32e mode is #GP") {
        CHECK(!c.write_cr(4, 0));
        CHECK(c.rip == s.handler(13));
    }
    SECTION("changing EFER.LME with paging on fails") { CHECK(!c.wrmsr(0xc0000080, 1u << 11)); }
}

TEST_CASE("x86 paging activation with LME needs PAE", "[x86][sys][mode]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    REQUIRE(c.wrmsr(0xc0000080, 1u << 8));
    CHECK(!c.write_cr(0, c.cr0 | 0x80000000u));
    CHECK(c.rip == s.handler(13));
    CHECK(!c.long_mode());
    CHECK(!c.write_cr(0, (c.cr0 | 0x80000000u) & ~1ull));   // PG without PE
}

TEST_CASE("x86 protected-mode segment loads check the descriptor", "[x86][sys][mode]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    const uint64_t sp = c.gpr[4];

    SECTION("a data segment loads, with the accessed bit set") {
        REQUIRE(c.load_segment(FS, kData));
        CHECK(c.seg[FS].limit == 0xffffffff);
        CHECK((s.rd(kGdt + kData + 5, 1) & 1) == 1);
    }
    SECTION("a null selector in DS is fine, using it is #GP(0)") {
        REQUIRE(c.load_segment(DS, 0));
        uint64_t v;
        c.rip = 0x100;
        CHECK(!c.load_slow(DS, 0, 4, v));
        CHECK(c.rip == s.handler(13));
        CHECK(error_code(s) == 0);
    }
    SECTION("not present: #NP(selector)") {
        CHECK(!c.load_segment(DS, kAbsent));
        CHECK(c.rip == s.handler(11));
        CHECK(error_code(s) == kAbsent);
        CHECK(c.gpr[4] == sp - 16);   // EFLAGS, CS, EIP, error
    }
    SECTION("null SS is #GP(0)") {
        CHECK(!c.load_segment(SS, 0));
        CHECK(c.rip == s.handler(13));
        CHECK(error_code(s) == 0);
    }
    SECTION("SS with RPL != CPL is #GP(selector)") {
        CHECK(!c.load_segment(SS, kData | 3));
        CHECK(error_code(s) == kData);
    }
    SECTION("SS not writable is #GP(selector)") {
        CHECK(!c.load_segment(SS, kRoData));
        CHECK(error_code(s) == kRoData);
    }
    SECTION("execute-only code in DS is #GP(selector)") {
        CHECK(!c.load_segment(DS, kExecOnly));
        CHECK(error_code(s) == kExecOnly);
    }
    SECTION("a selector past the GDT limit is #GP(selector)") {
        CHECK(!c.load_segment(DS, 0x400));
        CHECK(error_code(s) == 0x400);
    }
    SECTION("an SS descriptor not present is #SS(selector)") {
        s.wr(kGdt + 0x60, seg_desc(0, 0xfffff, 0x12, 0xc));
        s.c().gdtr.limit = 0x67;
        CHECK(!c.load_segment(SS, 0x60));
        CHECK(c.rip == s.handler(12));
        CHECK(error_code(s) == 0x60);
    }
    SECTION("limit and write checks of a read-only segment") {
        REQUIRE(c.load_segment(DS, kRoData));
        uint64_t v;
        CHECK(c.load_slow(DS, 0xffc, 4, v));
        CHECK(!c.load_slow(DS, 0xffd, 4, v));
        CHECK(c.rip == s.handler(13));
        c.gpr[4] = sp;
        CHECK(!c.store_slow(DS, 0, 4, 1));
        CHECK(c.rip == s.handler(13));
    }
}

TEST_CASE("x86 far CALL and RET at the same privilege, RET to an outer privilege", "[x86][sys][mode]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    c.gpr[4] = 0x9000;
    CHECK(c.far_call(kCode32, 0x4000, 4, 0x123) == 0x4000);
    CHECK(s.rd(0x8ff8, 4) == 0x123);
    CHECK(s.rd(0x8ffc, 4) == kCode32);
    CHECK(c.far_ret(4, 0) == 0x123);
    CHECK(c.gpr[4] == 0x9000);

    // RET to CPL 3 pops SS:ESP too and nulls DS (DPL 0).
    s.wr(kTss + 4, 0xa000, 4);   // ESP0
    s.wr(kTss + 8, kData, 4);    // SS0
    REQUIRE(c.ltr(kTssSel));
    s.wr(0x8ff0, 0x5000, 4);
    s.wr(0x8ff4, kUCode32, 4);
    s.wr(0x8ff8, 0x7000, 4);
    s.wr(0x8ffc, kUData, 4);
    c.gpr[4] = 0x8ff0;
    CHECK(c.far_ret(4, 0) == 0x5000);
    CHECK(c.cpl == 3);
    CHECK(c.seg[SS].selector == kUData);
    CHECK(c.gpr[4] == 0x7000);
    CHECK((c.seg[DS].attr & 0x80) == 0);

    // From CPL 3 a far JMP to a DPL 0 code segment is #GP(selector).
    c.gpr[4] = 0x7000;
    c.far_jump(kCode32, 0, 0);
    CHECK(c.cpl == 0);   // the exception handler runs at CPL 0
    CHECK(c.rip == s.handler(13));
    CHECK(s.rd(c.gpr[4], 4) == kCode32);
    CHECK(c.gpr[4] == 0xa000 - 24);   // SS, ESP, EFLAGS, CS, EIP, error on the TSS's stack
    CHECK(s.rd(0xa000 - 4, 4) == kUData);
}

TEST_CASE("x86 IRETQ returns to CPL 3 in 64-bit mode", "[x86][sys][mode]") {
    Sys s;
    Core& c = s.c();
    s.enter_long();
    const uint64_t frame[5] = {0x400000, kUCode64, 0x202, 0x7ff0, kUData};
    for (unsigned k = 0; k < 5; ++k) s.wr(0x8000 + 8 * k, frame[k]);
    c.gpr[4] = 0x8000;
    c.nmi_blocked = true;
    CHECK(c.iret(8) == 0x400000);
    CHECK(c.cpl == 3);
    CHECK(c.code64());
    CHECK(c.gpr[4] == 0x7ff0);
    CHECK(c.seg[SS].selector == kUData);
    CHECK(!c.nmi_blocked);
    CHECK((c.rflags & rflags::IF) != 0);
}
