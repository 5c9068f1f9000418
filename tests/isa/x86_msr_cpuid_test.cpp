// MSRs (values, reserved bits, x2APIC, VMX capability range) and CPUID.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "tests/isa/x86_sys_fixture.hpp"

using namespace x86test;

TEST_CASE("x86 CPUID: vendor, VMX, long mode, address sizes", "[x86][sys][cpuid]") {
    Sys s;
    Core& c = s.c();
    uint32_t r[4];
    c.cpuid(0, 0, r);
    char v[13] = {};
    std::memcpy(v, &r[1], 4);
    std::memcpy(v + 4, &r[3], 4);
    std::memcpy(v + 8, &r[2], 4);
    CHECK(std::string(v) == "GenuineIntel");
    CHECK(r[0] >= 0xd);
    c.cpuid(1, 0, r);
    CHECK(((r[0] >> 8) & 0xf) == 6);
    CHECK((r[2] & (1u << 5)) != 0);    // VMX
    CHECK((r[2] & (1u << 0)) == 0);    // no SSE3
    CHECK((r[3] & (1u << 26)) != 0);   // SSE2 (x86-64 baseline)
    c.cpuid(0x80000001, 0, r);
    CHECK((r[3] & (1u << 29)) != 0);   // LM
    CHECK((r[3] & (1u << 20)) != 0);   // NX
    CHECK((r[2] & (1u << 2)) == 0);    // no SVM
    c.cpuid(0x80000008, 0, r);
    CHECK((r[0] & 0xff) == c.config().phys_addr_bits);
    CHECK(((r[0] >> 8) & 0xff) == 48);
    c.cpuid(0x40000000, 0, r);         // past the maximum: the highest basic leaf
    uint32_t d[4];
    c.cpuid(0xd, 0, d);
    CHECK(std::memcmp(r, d, sizeof r) == 0);
}

TEST_CASE("x86 MSRs: SYSCALL and segment-base MSRs, canonical checks", "[x86][sys][msr]") {
    Sys s;
    Core& c = s.c();
    uint64_t v;
    CHECK(c.wrmsr(0xc0000082, 0xffffffff81000000ull));
    CHECK(c.rdmsr(0xc0000082, v));
    CHECK(v == 0xffffffff81000000ull);
    CHECK(!c.wrmsr(0xc0000082, 0x0000800000000000ull));
    CHECK(c.wrmsr(0xc0000100, 0x1000));
    CHECK(c.seg[FS].base == 0x1000);
    CHECK(!c.wrmsr(0xc0000084, 1ull << 32));
    CHECK(!c.rdmsr(0x12345678, v));
    CHECK(!c.wrmsr(0x12345678, 0));
    CHECK(!c.wrmsr(0xc0000080, 1u << 2));   // EFER reserved bit
    CHECK(!c.wrmsr(0x277, 0x02));           // PAT type 2 is reserved
    CHECK(c.wrmsr(0x277, 0x0007040600070406ull));
}

TEST_CASE("x86 MSRs: TSC writes move TSC_ADJUST", "[x86][sys][msr]") {
    Sys s;
    Core& c = s.c();
    uint64_t t, a;
    REQUIRE(c.wrmsr(0x10, 1000000));
    REQUIRE(c.rdmsr(0x10, t));
    CHECK(t >= 1000000);
    REQUIRE(c.rdmsr(0x3b, a));
    CHECK(a == 1000000 - 0);   // cycles() was 0 here
    REQUIRE(c.wrmsr(0x3b, 0));
    CHECK(c.tsc() == c.cycles());
}

TEST_CASE("x86 MSRs: APIC_BASE x2APIC transitions and the x2APIC range", "[x86][sys][msr]") {
    Sys s;
    Core& c = s.c();
    Apic apic;
    c.attach_apic(&apic);
    uint64_t v;
    REQUIRE(c.rdmsr(0x1b, v));
    CHECK(v == 0xfee00900);   // enabled, BSP
    CHECK(!c.rdmsr(0x802, v));                 // xAPIC mode: no x2APIC MSRs
    CHECK(!c.wrmsr(0x1b, 0xfee00400));         // EXTD without EN
    REQUIRE(c.wrmsr(0x1b, 0xfee00c00));        // x2APIC
    CHECK(c.rdmsr(0x802, v));
    CHECK(v == 7);
    CHECK(c.wrmsr(0x808, 0x20));
    CHECK(apic.last_value == 0x20);
    CHECK(!c.wrmsr(0x1b, 0xfee00800));         // x2APIC -> xAPIC directly
    CHECK(c.wrmsr(0x1b, 0xfee00000));          // disable
}

TEST_CASE("x86 MSRs: FEATURE_CONTROL lock, MTRR storage, VMX capabilities read-only", "[x86][sys][msr]") {
    Sys s;
    Core& c = s.c();
    uint64_t v;
    REQUIRE(c.wrmsr(0x3a, 5));
    CHECK(!c.wrmsr(0x3a, 1));
    REQUIRE(c.rdmsr(0x3a, v));
    CHECK(v == 5);
    REQUIRE(c.rdmsr(0xfe, v));
    CHECK((v & 0xff) == 8);
    CHECK(c.wrmsr(0x200, 0x80000006));
    CHECK(!c.wrmsr(0x200, 0x80000002));        // type 2 reserved
    CHECK(c.rdmsr(0x480, v));                  // IA32_VMX_BASIC
    CHECK(!c.wrmsr(0x480, v));
}

TEST_CASE("x86 programs: CPUID, RDMSR at CPL 0 and WRMSR of an unknown MSR faults", "[x86][sys][msr]") {
    Sys s;
    Core& c = s.c();
    s.enter_long();
    // xor eax,eax; cpuid; mov ecx,0x12345678; wrmsr (#GP -> handler 13: hlt)
    const uint8_t prog[] = {0x31, 0xc0, 0x0f, 0xa2, 0xb9, 0x78, 0x56, 0x34, 0x12, 0x0f, 0x30};
    s.mem.write_block(0x5000, prog, sizeof prog);
    s.wr(s.handler(13), 0xf4, 1);
    c.rip = 0x5000;
    CHECK(c.run(100) == StopReason::Halt);
    CHECK(c.gpr[3] == 0x756e6547);   // "Genu"
    CHECK(c.rip == s.handler(13) + 1);
    CHECK(s.rd(c.gpr[4] + 8) == 0x5009);   // the faulting WRMSR
}
