// VMX through the host-mode API: the VMCS field table, VMREAD/VMWRITE,
// every VM-instruction error, VM exits with their information fields, EPT
// walks, INVEPT/INVVPID, event windows (entry checks: x86_vmx_entry_test,
// running guests: x86_vmx_guest_test).
#include "tests/isa/x86_vmx_fixture.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::test;
namespace vx = hvemu::x86::vmx;

TEST_CASE("VMCS field table: encodings agree with width and kind, slots are unique", "[x86][vmx][unit]") {
    const VmcsFieldInfo* t = vmcs_field_table();
    REQUIRE(kSlotCount == 168);
    for (unsigned i = 0; i < kSlotCount; ++i) {
        INFO(t[i].name);
        CHECK(unsigned(t[i].width) == ((t[i].encoding >> 13) & 3));
        CHECK(unsigned(t[i].kind) == ((t[i].encoding >> 10) & 3));
        CHECK((t[i].encoding & 1) == 0);
        CHECK(vmcs_slot(t[i].encoding) == int(i));
        bool high = false;
        const int hs = vmcs_slot(t[i].encoding | 1, high);
        if (t[i].width == FieldWidth::W64) {
            CHECK(hs == int(i));
            CHECK(high);
        } else {
            CHECK(hs == -1);
        }
    }
    CHECK(vmcs_slot(0x6c1e) == -1);                       // past the last host field
    CHECK(vmcs_slot(uint64_t{1} << 32 | GUEST_RIP) == -1);   // bits 63:32 of the operand
    CHECK(vmcs_slot(0x8000 | GUEST_RIP) == -1);           // bit 15
    CHECK(vmcs_max_index() == 0x1b);
}

TEST_CASE("Capability MSRs describe what the entry checks accept", "[x86][vmx][unit]") {
    VmxFixture f;
    uint64_t v = 0;
    REQUIRE(f.core->vmx_rdmsr(vx::msr::Basic, v));
    CHECK(((v >> 32) & 0x1fff) == 4096);
    CHECK(((v >> 50) & 15) == 6);
    CHECK((v >> 55 & 1) == 1);
    CHECK((v >> 54 & 1) == 1);
    REQUIRE(f.core->vmx_rdmsr(vx::msr::TrueProcbased, v));
    CHECK(uint32_t(v) == 0x04006172);
    CHECK((v >> 32) & vx::proc::Secondary);
    REQUIRE(f.core->vmx_rdmsr(vx::msr::Procbased2, v));
    CHECK((v >> 32) == (vx::proc2::Ept | vx::proc2::Rdtscp | vx::proc2::Vpid | vx::proc2::WbinvdExiting |
                        vx::proc2::Unrestricted));
    REQUIRE(f.core->vmx_rdmsr(vx::msr::Misc, v));
    CHECK((v & 31) == 5);
    CHECK(((v >> 16) & 0x1ff) == 4);
    REQUIRE(f.core->vmx_rdmsr(vx::msr::VmcsEnum, v));
    CHECK(v == 0x1b << 1);
    REQUIRE(f.core->vmx_rdmsr(vx::msr::Cr0Fixed0, v));
    CHECK(v == 0x80000021);
    REQUIRE(f.core->vmx_rdmsr(vx::msr::Cr4Fixed0, v));
    CHECK(v == 0x2000);
    REQUIRE(f.core->vmx_rdmsr(vx::msr::EptVpidCap, v));
    CHECK((v & (1u << 6)) != 0);
    CHECK((v & (1u << 21)) != 0);
    CHECK_FALSE(f.core->vmx_rdmsr(0x491, v));
    CHECK_FALSE(f.core->vmx_rdmsr(0x10, v));
}

TEST_CASE("VMXON: #UD, #GP, VMfailInvalid and VMfailValid(15)", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    SECTION("CR4.VMXE clear is #UD") {
        c.cr4 = 0x20;
        CHECK(c.vmxon(f.kVmxon) == V::Ud);
    }
    SECTION("compatibility mode is #UD") {
        c.seg[CS].attr = 0xc09b;
        CHECK(c.vmxon(f.kVmxon) == V::Ud);
    }
    SECTION("FEATURE_CONTROL unlocked is #GP") {
        c.feature_control = 4;
        CHECK(c.vmxon(f.kVmxon) == V::Gp);
    }
    SECTION("VMX outside SMX disabled is #GP") {
        c.feature_control = 1;
        CHECK(c.vmxon(f.kVmxon) == V::Gp);
    }
    SECTION("CPL 3 is #GP") {
        c.cpl = 3;
        CHECK(c.vmxon(f.kVmxon) == V::Gp);
    }
    SECTION("CR0.NE clear breaks the fixed bits: #GP") {
        c.cr0 &= ~0x20ull;
        CHECK(c.vmxon(f.kVmxon) == V::Gp);
    }
    SECTION("misaligned, too wide, not RAM, bad revision: VMfailInvalid") {
        for (uint64_t pa : {f.kVmxon + 8, uint64_t{1} << 40, uint64_t{0x40000000}, f.kVmxon + 0x8000}) {
            c.rflags = 0x2 | 0x8d5;
            CHECK(c.vmxon(pa) == V::FailInvalid);
            CHECK((c.rflags & 0x8d5) == 1);   // CF only
            CHECK_FALSE(c.in_vmx());
        }
    }
    SECTION("success, then VMXON again fails with 15 once a VMCS is current") {
        c.rflags = 0x2 | 0x8d5;
        REQUIRE(c.vmxon(f.kVmxon) == V::Succeed);
        CHECK((c.rflags & 0x8d5) == 0);
        CHECK(c.in_vmx());
        CHECK(c.vmxon(f.kVmxon) == V::FailInvalid);
        REQUIRE(c.vmptrld(f.kVmcs) == V::Succeed);
        CHECK(c.vmxon(f.kVmxon) == V::FailValid);
        CHECK((c.rflags & 0x8d5) == 0x40);   // ZF only
        CHECK(c.vm_instruction_error() == vx::ErrVmxonInRoot);
        CHECK(c.vmxoff() == V::Succeed);
        CHECK_FALSE(c.in_vmx());
        CHECK(c.vmclear(f.kVmcs) == V::Ud);
    }
}

TEST_CASE("VMCLEAR/VMPTRLD/VMPTRST errors 2, 3, 9, 10, 11", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    REQUIRE(c.vmxon(f.kVmxon) == V::Succeed);
    REQUIRE(c.vmptrld(f.kVmcs) == V::Succeed);
    CHECK(c.vmptrst() == f.kVmcs);
    CHECK(c.vmclear(f.kVmcs + 4) == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmclearInvalidPa);
    CHECK(c.vmclear(f.kVmxon) == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmclearVmxon);
    CHECK(c.vmptrld(uint64_t{1} << 39) == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmptrldInvalidPa);
    CHECK(c.vmptrld(f.kVmxon) == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmptrldVmxon);
    f.put32(f.kVmcs2, f.revision | 0x80000000u);   // shadow-VMCS indicator: not supported
    CHECK(c.vmptrld(f.kVmcs2) == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmptrldRevision);
    f.put32(f.kVmcs2, f.revision + 1);
    CHECK(c.vmptrld(f.kVmcs2) == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmptrldRevision);
    // VMCLEAR of the current VMCS makes the pointer invalid: VMfailInvalid after
    CHECK(c.vmclear(f.kVmcs) == V::Succeed);
    CHECK(c.vmptrst() == ~0ull);
    uint64_t v = 0;
    CHECK(c.vmread(GUEST_RIP, v) == V::FailInvalid);
    CHECK(c.vmwrite(GUEST_RIP, 1) == V::FailInvalid);
    CHECK(c.vmlaunch() == V::FailInvalid);
}

TEST_CASE("VMREAD/VMWRITE of every width, high halves, read-only and unsupported fields", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    const VmcsFieldInfo* t = vmcs_field_table();
    for (unsigned i = 0; i < kSlotCount; ++i) {
        INFO(t[i].name);
        const uint64_t pattern = 0x8123456789abcdefull ^ i;
        if (t[i].kind == FieldKind::Ro) {
            CHECK(c.vmwrite(t[i].encoding, pattern) == V::FailValid);
            CHECK(c.vm_instruction_error() == vx::ErrReadOnlyField);
            uint64_t v = 1;
            CHECK(c.vmread(t[i].encoding, v) == V::Succeed);
            continue;
        }
        REQUIRE(c.vmwrite(t[i].encoding, pattern) == V::Succeed);
        const uint64_t want = t[i].width == FieldWidth::W16 ? (pattern & 0xffff)
                              : t[i].width == FieldWidth::W32 ? (pattern & 0xffffffff) : pattern;
        CHECK(f.r(t[i].encoding) == want);
        if (t[i].width == FieldWidth::W64) {
            CHECK(f.r(t[i].encoding | 1) == pattern >> 32);
            REQUIRE(c.vmwrite(t[i].encoding | 1, 0xfeedface00000042ull) == V::Succeed);
            CHECK(f.r(t[i].encoding) == ((pattern & 0xffffffff) | 0x42ull << 32));
        }
    }
    for (uint64_t bad : {uint64_t{0x0001}, uint64_t{0x4001}, uint64_t{0x6c1e}, uint64_t{0x2c08}, uint64_t{0x7000},
                         uint64_t{1} << 32}) {
        uint64_t v;
        CHECK(c.vmread(bad, v) == V::FailValid);
        CHECK(c.vm_instruction_error() == vx::ErrUnsupportedField);
        CHECK(c.vmwrite(bad, 0) == V::FailValid);
        CHECK(c.vm_instruction_error() == vx::ErrUnsupportedField);
    }
}

TEST_CASE("VMCLEAR writes the VMCS back; VMPTRLD reads it again with launch state clear", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.launch();
    c.vm_exit(vx::Cpuid);
    f.expect_exit(vx::Cpuid);
    f.w(CR3_TARGET_VALUE2, 0x1234000);
    REQUIRE(c.vmclear(f.kVmcs) == V::Succeed);
    // the image is in guest memory now: the region changes, the field reads back
    REQUIRE(c.vmptrld(f.kVmcs2) == V::Succeed);
    REQUIRE(c.vmptrld(f.kVmcs) == V::Succeed);
    CHECK(f.r(CR3_TARGET_VALUE2) == 0x1234000);
    CHECK(f.r(GUEST_RIP) == f.kGuestRip);
    CHECK(c.vmresume() == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmresumeNotLaunched);
    // VMCLEAR of a VMCS that is not current also clears its launch state
    REQUIRE(c.vmlaunch() == V::Succeed);
    c.vm_exit(vx::Cpuid);
    REQUIRE(c.vmptrld(f.kVmcs2) == V::Succeed);
    REQUIRE(c.vmclear(f.kVmcs) == V::Succeed);
    REQUIRE(c.vmptrld(f.kVmcs) == V::Succeed);
    CHECK(c.vmresume() == V::FailValid);
}

TEST_CASE("VMLAUNCH of a launched VMCS fails with 4, VMRESUME of a clear one with 5", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    CHECK(c.vmresume() == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmresumeNotLaunched);
    REQUIRE(c.vmlaunch() == V::Succeed);
    c.vm_exit(vx::Hlt);
    CHECK(c.vmlaunch() == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrVmlaunchNotClear);
    CHECK(c.vmresume() == V::Succeed);
}

TEST_CASE("VM entry loads the guest, VM exit saves it and loads the host", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    f.w(GUEST_RSP, 0x1234);
    f.w(GUEST_CS_SELECTOR, 0x700);
    f.w(GUEST_CS_BASE, 0x7000);
    f.w(GUEST_RIP, 0x10);
    f.w(GUEST_DS_AR_BYTES, 0x10000);   // unusable
    f.w(VM_EXIT_CONTROLS, 0x36dfb | vx::exitc::HostLong | vx::exitc::LoadPat | vx::exitc::SavePat);
    f.w(HOST_IA32_PAT, 0x0606060606060606ull);
    f.w(HOST_FS_BASE, 0xffff800000001000ull);
    f.w(HOST_TR_BASE, 0x9000);
    REQUIRE(c.vmlaunch() == V::Succeed);
    CHECK(c.rip == 0x10);
    CHECK(c.gpr[4] == 0x1234);
    CHECK(c.seg[CS].base == 0x7000);
    CHECK(c.cr0 == 0x30);
    CHECK(c.cr4 == 0x2000);
    CHECK_FALSE(c.long_mode());
    CHECK(c.cpl == 0);
    c.rip = 0x22;
    c.gpr[4] = 0x5555;
    c.pat = 0x0007040600070406ull;
    c.vm_exit(vx::Cpuid, 0, 2);
    f.expect_exit(vx::Cpuid);
    CHECK(f.r(GUEST_RIP) == 0x22);
    CHECK(f.r(GUEST_RSP) == 0x5555);
    CHECK(f.r(GUEST_CS_SELECTOR) == 0x700);
    CHECK(f.r(GUEST_DS_AR_BYTES) == 0x10000);
    CHECK(f.r(GUEST_IA32_PAT) == 0x0007040600070406ull);
    CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 2);
    CHECK((f.r(VM_ENTRY_CONTROLS) & vx::entryc::Ia32e) == 0);
    CHECK(c.gpr[4] == f.kHostRsp);
    c.settle_host();   // the host's SysState, which a hosted exit owes until looked at
    CHECK(c.long_mode());
    CHECK(c.cr0 == 0x80000031);
    CHECK(c.cr3 == 0x20000);
    CHECK(c.seg[CS].selector == 0x08);
    CHECK((c.seg[CS].attr & (1u << 13)) != 0);
    CHECK(c.seg[FS].base == 0xffff800000001000ull);
    CHECK(c.seg[FS].attr == 0);   // null selector: unusable
    CHECK(c.tr.base == 0x9000);
    CHECK(c.rflags == 2);
    CHECK(c.pat == 0x0606060606060606ull);
    CHECK(c.dr[7] == 0x400);
}

TEST_CASE("VM-entry MSR-load and VM-exit MSR-store/load areas", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    // entry loads IA32_SYSENTER_ESP; exit stores it and loads another value
    f.put64(0x8000, 0x175);
    f.put64(0x8008, 0xabc000);
    f.put64(0x8100, 0x175);
    f.put64(0x8200, 0x175);
    f.put64(0x8208, 0xdef000);
    f.w(VM_ENTRY_MSR_LOAD_COUNT, 1);
    f.w(VMENTRY_MSR_LOAD_ADDR, 0x8000);
    f.w(VM_EXIT_MSR_STORE_COUNT, 1);
    f.w(VMEXIT_MSR_STORE_ADDR, 0x8100);
    f.w(VM_EXIT_MSR_LOAD_COUNT, 1);
    f.w(VMEXIT_MSR_LOAD_ADDR, 0x8200);
    REQUIRE(c.vmlaunch() == V::Succeed);
    CHECK(c.sysenter_esp == 0xabc000);
    c.sysenter_esp = 0x777000;
    c.vm_exit(vx::Hlt);
    CHECK(f.get64(0x8108) == 0x777000);
    CHECK(f.get64(0x8108) == 0x777000);
    CHECK(c.sysenter_esp == 0xdef000);
}

TEST_CASE("Instruction exits: reason, qualification, length", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.launch();
    SECTION("CPUID, INVD and XSETBV always exit") {
        CHECK(c.intercept_cpuid());
        f.expect_exit(vx::Cpuid);
        CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 2);
        CHECK(f.r(GUEST_RIP) == f.kGuestRip);
        f.resume();
        f.insn.len = 3;
        CHECK(c.intercept_xsetbv());
        f.expect_exit(vx::Xsetbv);
        CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 3);
        f.resume();
        CHECK(c.intercept_invd());
        f.expect_exit(vx::Invd);
    }
    SECTION("HLT, INVLPG, RDTSC, PAUSE, WBINVD exit only when enabled") {
        CHECK_FALSE(c.intercept_hlt());
        CHECK_FALSE(c.intercept_invlpg(0x1000));
        CHECK_FALSE(c.intercept_rdtsc(false));
        CHECK_FALSE(c.intercept_pause());
        CHECK_FALSE(c.intercept_wbinvd());
        CHECK(c.in_non_root());
        c.vm_exit(vx::Cpuid);
        f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::HltExiting | vx::proc::InvlpgExiting |
                                           vx::proc::RdtscExiting | vx::proc::PauseExiting);
        f.w(SECONDARY_VM_EXEC_CONTROL, vx::proc2::Ept | vx::proc2::Unrestricted | vx::proc2::WbinvdExiting);
        f.resume();
        f.insn.len = 1;
        CHECK(c.intercept_hlt());
        f.expect_exit(vx::Hlt);
        CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 1);
        f.resume();
        f.insn.len = 3;
        CHECK(c.intercept_invlpg(0xdead000));
        f.expect_exit(vx::Invlpg);
        CHECK(f.r(EXIT_QUALIFICATION) == 0xdead000);
        f.resume();
        CHECK(c.intercept_rdtsc(false));
        f.expect_exit(vx::Rdtsc);
        f.resume();
        // RDTSCP without "enable RDTSCP" is #UD, not an exit
        c.idtr = {0, 0x3ff};
        CHECK(c.intercept_rdtsc(true));
        CHECK(c.in_non_root());
        CHECK_FALSE(c.take_vmexit());
        CHECK(c.intercept_pause());
        f.expect_exit(vx::Pause);
        f.resume();
        CHECK(c.intercept_wbinvd());
        f.expect_exit(vx::Wbinvd);
    }
    SECTION("TSC offsetting applies in non-root only") {
        CHECK(c.vmx_tsc_offset() == 0);
        c.vm_exit(vx::Cpuid);
        f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::TscOffset);
        f.w(TSC_OFFSET, uint64_t(-1000));
        f.resume();
        CHECK(c.vmx_tsc_offset() == uint64_t(-1000));
        c.vm_exit(vx::Cpuid);
        CHECK(c.vmx_tsc_offset() == 0);
    }
}

TEST_CASE("CR access exits: masks, read shadows, CR3 targets, CLTS, LMSW", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    f.w(CR0_GUEST_HOST_MASK, 0x80000001 | 8);
    f.w(CR0_READ_SHADOW, 8);
    f.w(CR4_GUEST_HOST_MASK, 0x2000);
    f.w(CR4_READ_SHADOW, 0);
    f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::Cr3LoadExiting | vx::proc::Cr3StoreExiting |
                                       vx::proc::Cr8LoadExiting);
    f.w(CR3_TARGET_COUNT, 2);
    f.w(CR3_TARGET_VALUE1, 0x5000);
    REQUIRE(c.vmlaunch() == V::Succeed);
    f.insn.len = 3;
    // reads see the shadow for host-owned bits
    CHECK(c.vmx_cr_read_value(0, 0x30) == 0x38);
    CHECK(c.vmx_cr_read_value(4, 0x2000) == 0);
    CHECK(c.vmx_cr_write_value(0, 0x30, 0x10) == 0x10);
    CHECK(c.vmx_cr_write_value(4, 0x2000, 0x20) == 0x2020);
    // writing a host-owned bit different from the shadow exits
    CHECK_FALSE(c.intercept_cr_write(0, 0, 0x38));
    CHECK(c.intercept_cr_write(0, 3, 0x39));
    f.expect_exit(vx::CrAccess);
    CHECK(f.r(EXIT_QUALIFICATION) == (0 | 3u << 8));
    CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 3);
    f.resume();
    CHECK(c.intercept_cr_write(4, 1, 0x2000));
    f.expect_exit(vx::CrAccess);
    CHECK(f.r(EXIT_QUALIFICATION) == (4 | 1u << 8));
    f.resume();
    CHECK_FALSE(c.intercept_cr_write(3, 2, 0x5000));   // a CR3-target value
    CHECK(c.intercept_cr_write(3, 2, 0x6000));
    CHECK(f.r(EXIT_QUALIFICATION) == (3 | 2u << 8));
    f.resume();
    CHECK(c.intercept_cr_read(3, 9));
    CHECK(f.r(EXIT_QUALIFICATION) == (3 | 1u << 4 | 9u << 8));
    f.resume();
    CHECK(c.intercept_cr_write(8, 0, 1));
    CHECK(f.r(EXIT_QUALIFICATION) == 8);
    f.resume();
    CHECK_FALSE(c.intercept_cr_read(8, 0));
    CHECK(c.intercept_clts());   // TS owned by the host and set in the shadow
    CHECK(f.r(EXIT_QUALIFICATION) == (2u << 4));
    f.resume();
    CHECK_FALSE(c.intercept_lmsw(0x8, false, 0));
    CHECK(c.intercept_lmsw(0x9, true, 0xb000));   // sets PE
    CHECK(f.r(EXIT_QUALIFICATION) == (3u << 4 | 1u << 6 | 0x9ull << 16));
    CHECK(f.r(GUEST_LINEAR_ADDRESS) == 0xb000);
}

TEST_CASE("MOV DR exits with direction and register", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    REQUIRE(c.vmlaunch() == V::Succeed);
    CHECK_FALSE(c.intercept_dr(true, 7, 0));
    c.vm_exit(vx::Cpuid);
    f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::MovDrExiting);
    f.resume();
    CHECK(c.intercept_dr(true, 7, 2));
    f.expect_exit(vx::DrAccess);
    CHECK(f.r(EXIT_QUALIFICATION) == (7 | 2u << 8));
    f.resume();
    CHECK(c.intercept_dr(false, 6, 11));
    CHECK(f.r(EXIT_QUALIFICATION) == (6 | 1u << 4 | 11u << 8));
}

TEST_CASE("I/O exits: unconditional, bitmaps, string and REP information", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    REQUIRE(c.vmlaunch() == V::Succeed);
    CHECK_FALSE(c.intercept_io(0x3f8, 1, false, false, false, false));
    c.vm_exit(vx::Cpuid);
    SECTION("unconditional I/O exiting") {
        f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::UncondIo);
        f.resume();
        f.insn.len = 1;
        CHECK(c.intercept_io(0x3f8, 1, false, false, false, false));
        f.expect_exit(vx::IoInstruction);
        CHECK(f.r(EXIT_QUALIFICATION) == (0x3f8ull << 16));
        CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 1);
        f.resume();
        f.insn.len = 2;
        CHECK(c.intercept_io(0x60, 4, true, false, false, true));
        CHECK(f.r(EXIT_QUALIFICATION) == (3 | 1u << 3 | 1u << 6 | 0x60ull << 16));
        f.resume();
        // REP OUTSW with a 32-bit address from FS
        CHECK(c.intercept_io(0x1f0, 2, false, true, true, false, 0x12340, 4, FS));
        CHECK(f.r(EXIT_QUALIFICATION) == (1 | 1u << 4 | 1u << 5 | 0x1f0ull << 16));
        CHECK(f.r(VMX_INSTRUCTION_INFO) == (1u << 7 | uint32_t(FS) << 15));
        CHECK(f.r(GUEST_LINEAR_ADDRESS) == 0x12340);
        f.resume();
        // INSB with a 16-bit address
        CHECK(c.intercept_io(0x1f0, 1, true, true, false, false, 0x100, 2, ES));
        CHECK(f.r(EXIT_QUALIFICATION) == (1u << 3 | 1u << 4 | 0x1f0ull << 16));
        CHECK(f.r(VMX_INSTRUCTION_INFO) == 0);
    }
    SECTION("I/O bitmaps override unconditional exiting") {
        f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::UncondIo | vx::proc::IoBitmaps);
        f.w(IO_BITMAP_A, 0x9000);
        f.w(IO_BITMAP_B, 0xa000);
        f.mem.write_block(0x9000 + 0x80 / 8, "\x01", 1);          // port 0x80
        f.mem.write_block(0xa000 + (0x8003 & 0x7fff) / 8, "\x08", 1);   // port 0x8003
        f.resume();
        CHECK_FALSE(c.intercept_io(0x81, 1, true, false, false, true));
        CHECK(c.intercept_io(0x80, 1, true, false, false, true));
        f.expect_exit(vx::IoInstruction);
        f.resume();
        CHECK_FALSE(c.intercept_io(0x8004, 4, false, false, false, false));
        CHECK(c.intercept_io(0x8002, 2, false, false, false, false));   // its second byte is 0x8003
        f.resume();
        CHECK(c.intercept_io(0xffff, 2, false, false, false, false));   // wraps past 0xffff
    }
}

TEST_CASE("RDMSR/WRMSR exits through the MSR bitmap", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    REQUIRE(c.vmlaunch() == V::Succeed);
    CHECK(c.intercept_msr(0x10, false));   // no bitmaps: every MSR access exits
    f.expect_exit(vx::Rdmsr);
    CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 2);
    f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::MsrBitmaps);
    f.w(MSR_BITMAP, 0xb000);
    f.mem.write_block(0xb000 + 0x800 + 0x174 / 8, "\x10", 1);            // write 0x174
    f.mem.write_block(0xb000 + 0x400 + 0x80 / 8, "\x01", 1);             // read 0xc0000080
    f.resume();
    CHECK_FALSE(c.intercept_msr(0x174, false));
    CHECK(c.intercept_msr(0x174, true));
    f.expect_exit(vx::Wrmsr);
    f.resume();
    CHECK(c.intercept_msr(0xc0000080, false));
    f.expect_exit(vx::Rdmsr);
    f.resume();
    CHECK_FALSE(c.intercept_msr(0xc0000080, true));
    CHECK(c.intercept_msr(0x40000000, false));   // outside both ranges
}

TEST_CASE("Exception exits: bitmap, #PF error-code mask/match, software exceptions", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    f.w(EXCEPTION_BITMAP, 1u << 6 | 1u << 3);
    REQUIRE(c.vmlaunch() == V::Succeed);
    CHECK_FALSE(c.intercept_exception(13, true, 0));
    CHECK(c.intercept_exception(6, false, 0));
    f.expect_exit(vx::ExceptionNmi);
    CHECK(f.r(VM_EXIT_INTR_INFO) == (0x80000000u | 3u << 8 | 6));
    f.resume();
    f.insn.len = 1;
    CHECK(c.intercept_exception(3, false, 0, 0, vx::SoftException));
    CHECK(f.r(VM_EXIT_INTR_INFO) == (0x80000000u | 6u << 8 | 3));
    CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 1);
    // #PF: bit 14 clear, mask/match select the error codes that do exit
    f.w(EXCEPTION_BITMAP, 0);
    f.w(PAGE_FAULT_ERROR_CODE_MASK, 2);
    f.w(PAGE_FAULT_ERROR_CODE_MATCH, 2);
    f.resume();
    CHECK_FALSE(c.intercept_exception(14, true, 2, 0x1000));
    CHECK(c.intercept_exception(14, true, 4, 0xcafe000));
    f.expect_exit(vx::ExceptionNmi);
    CHECK(f.r(VM_EXIT_INTR_INFO) == (0x80000000u | 1u << 11 | 3u << 8 | 14));
    CHECK(f.r(VM_EXIT_INTR_ERROR_CODE) == 4);
    CHECK(f.r(EXIT_QUALIFICATION) == 0xcafe000);
    f.w(EXCEPTION_BITMAP, 1u << 14);
    f.resume();
    CHECK_FALSE(c.intercept_exception(14, true, 4, 0x1000));
    CHECK(c.intercept_exception(14, true, 6, 0x1000));
    f.resume();
    CHECK(c.intercept_triple_fault());
    f.expect_exit(vx::TripleFault);
    f.resume();
    CHECK(c.intercept_init());
    f.expect_exit(vx::Init);
}

TEST_CASE("Boundary events: preemption timer, interrupt and NMI windows, external interrupts, NMIs", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    SECTION("preemption timer 0 exits before any instruction; a large one does not") {
        f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | vx::pin::PreemptionTimer);
        f.w(VM_EXIT_CONTROLS, 0x36dfb | vx::exitc::HostLong | vx::exitc::SavePreemption);
        f.w(VMX_PREEMPTION_TIMER_VALUE, 1000);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK(c.vmx_events_armed());
        CHECK_FALSE(c.vmx_check_events());
        c.vm_exit(vx::Cpuid);
        CHECK(f.r(VMX_PREEMPTION_TIMER_VALUE) <= 1000);
        CHECK(f.r(VMX_PREEMPTION_TIMER_VALUE) >= 999);
        f.w(VMX_PREEMPTION_TIMER_VALUE, 0);
        f.resume();
        CHECK(c.vmx_check_events());
        f.expect_exit(vx::PreemptionTimer);
        CHECK(f.r(VMX_PREEMPTION_TIMER_VALUE) == 0);
    }
    SECTION("interrupt window opens with IF set and no shadow") {
        f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::IntWindow);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK_FALSE(c.vmx_check_events());   // IF clear
        c.rflags |= rflags::IF;
        CHECK(c.vmx_check_events());
        f.expect_exit(vx::InterruptWindow);
    }
    SECTION("NMI window opens when virtual-NMI blocking ends") {
        f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | vx::pin::NmiExiting | vx::pin::VirtualNmis);
        f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::NmiWindow);
        f.w(GUEST_INTERRUPTIBILITY_INFO, vx::intr::BlockNmi);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK_FALSE(c.vmx_check_events());
        c.nmi_blocked = false;   // the guest's IRET
        CHECK(c.vmx_check_events());
        f.expect_exit(vx::NmiWindow);
    }
    SECTION("an NMI with NMI exiting exits with its interruption information") {
        f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | vx::pin::NmiExiting);
        REQUIRE(c.vmlaunch() == V::Succeed);
        c.raise_nmi();
        CHECK(c.vmx_check_events());
        f.expect_exit(vx::ExceptionNmi);
        CHECK(f.r(VM_EXIT_INTR_INFO) == (0x80000000u | 2u << 8 | 2));
        CHECK(c.nmi_blocked);
    }
    SECTION("an external interrupt exits; without acknowledge the info is invalid") {
        f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | vx::pin::ExtIntExiting);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK_FALSE(c.vmx_check_events());
        c.set_intr(true);
        CHECK(c.vmx_check_events());
        f.expect_exit(vx::ExternalInterrupt);
        CHECK(f.r(VM_EXIT_INTR_INFO) == 0);
    }
}

namespace {
struct OneIrq : InterruptController {
    bool pending = true;
    bool has_interrupt() override { return pending; }
    uint8_t acknowledge() override { pending = false; return 0x31; }
    bool x2apic_rdmsr(uint32_t, uint64_t&) override { return false; }
    bool x2apic_wrmsr(uint32_t, uint64_t) override { return false; }
};
} // namespace

TEST_CASE("Acknowledge interrupt on exit puts the vector in the exit interruption info", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    OneIrq apic;
    c.attach_apic(&apic);
    f.enter_vmx();
    f.valid_vmcs();
    f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | vx::pin::ExtIntExiting);
    f.w(VM_EXIT_CONTROLS, 0x36dfb | vx::exitc::HostLong | vx::exitc::AckIntr);
    REQUIRE(c.vmlaunch() == V::Succeed);
    CHECK(c.vmx_check_events());
    f.expect_exit(vx::ExternalInterrupt);
    CHECK(f.r(VM_EXIT_INTR_INFO) == (0x80000000u | 0x31));
    CHECK_FALSE(apic.pending);
}

TEST_CASE("EPT walk: pages, permissions, violations, misconfigurations, A/D flags", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    // a 4 KiB table for GPA 0x800000-0x9fffff: 0x800000 read-only,
    // 0x801000 execute-only, 0x802000 W without R (misconfigured),
    // 0x803000 memory type 2 (misconfigured), 0x804000 not present
    const uint64_t pt = 0x30000;
    f.put64(f.kEpt + 0x2000 + 8 * 4, pt | 7);
    f.put64(pt + 0, 0x900000 | 0x30 | 1);
    f.put64(pt + 8, 0x901000 | 0x30 | 4);
    f.put64(pt + 16, 0x902000 | 0x30 | 2);
    f.put64(pt + 24, 0x903000 | 0x10 | 7);
    // a 1 GiB page at GPA 1 GiB -> HPA 0 with A/D on
    f.put64(f.kEpt + 0x1000 + 8, 0x0 | 0x80 | 0x30 | 7);
    REQUIRE(c.vmlaunch() == V::Succeed);
    REQUIRE(c.ept_active());
    Translation t = c.ept_translate(0x123456, Access::Read, true, 0x5456, true);
    CHECK(t.ok());
    CHECK(t.paddr == 0x123456);
    t = c.ept_translate(0x800010, Access::Read, true, 0x10, true);
    CHECK(t.paddr == 0x900010);
    t = c.ept_translate(0x800010, Access::Write, true, 0x7010, true);
    CHECK(t.ept_violation);
    CHECK(t.gpa == 0x800010);
    CHECK(t.ept_qual == (vx::eptq::Write | vx::eptq::Readable | vx::eptq::LinearValid | vx::eptq::Final));
    t = c.ept_translate(0x801000, Access::Exec, false, 0, true);
    CHECK(t.ok());
    CHECK(t.paddr == 0x901000);
    t = c.ept_translate(0x801000, Access::Read, true, 0x3000, false);   // a guest paging-structure read
    CHECK(t.ept_violation);
    CHECK(t.ept_qual == (vx::eptq::Read | vx::eptq::Executable | vx::eptq::LinearValid));
    t = c.ept_translate(0x802000, Access::Read, false, 0, true);
    CHECK(t.ept_misconfig);
    t = c.ept_translate(0x803000, Access::Read, false, 0, true);
    CHECK(t.ept_misconfig);
    t = c.ept_translate(0x804000, Access::Exec, false, 0, true);
    CHECK(t.ept_violation);
    CHECK(t.ept_qual == vx::eptq::Fetch);
    t = c.ept_translate(0x40000000 + 0x12345678, Access::Read, false, 0, true);
    CHECK(t.paddr == 0x12345678);
    t = c.ept_translate(uint64_t{1} << 38, Access::Read, false, 0, true);   // PML4 entry 0 only
    CHECK(t.ept_violation);
    // the exits: 48 with GPA, GLA and qualification; 49 with GPA only
    t = c.ept_translate(0x800010, Access::Write, true, 0x7010, true);
    c.ept_exit(t, 0x7010, true);
    f.expect_exit(vx::EptViolation);
    CHECK(f.r(GUEST_PHYSICAL_ADDRESS) == 0x800010);
    CHECK(f.r(GUEST_LINEAR_ADDRESS) == 0x7010);
    CHECK(f.r(EXIT_QUALIFICATION) == t.ept_qual);
    f.resume();
    t = c.ept_translate(0x802000, Access::Read, false, 0, true);
    c.ept_exit(t, 0, false);
    f.expect_exit(vx::EptMisconfig);
    CHECK(f.r(GUEST_PHYSICAL_ADDRESS) == 0x802000);
    CHECK(f.r(EXIT_QUALIFICATION) == 0);
    // accessed and dirty flags with EPTP bit 6
    f.w(EPT_POINTER, f.kEpt | 6 | 3 << 3 | vx::ept::EptpAd);
    f.resume();
    t = c.ept_translate(0x40000000, Access::Read, false, 0, true);
    CHECK((f.get64(f.kEpt + 0x1008) & (vx::ept::Accessed | vx::ept::Dirty)) == vx::ept::Accessed);
    CHECK((f.get64(f.kEpt) & vx::ept::Accessed) != 0);
    t = c.ept_translate(0x40000000, Access::Write, false, 0, true);
    CHECK((f.get64(f.kEpt + 0x1008) & vx::ept::Dirty) != 0);
}

TEST_CASE("INVEPT and INVVPID: types and descriptor checks (error 28)", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    CHECK(c.invept(2, 0) == V::Succeed);
    CHECK(c.invept(1, f.kEpt | 6 | 3 << 3) == V::Succeed);
    CHECK(c.invept(1, f.kEpt | 5 | 3 << 3) == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrInvalidInvOperand);
    CHECK(c.invept(0, 0) == V::FailValid);
    CHECK(c.invept(3, 0) == V::FailValid);
    CHECK(c.invvpid(0, 1, 0x1000) == V::Succeed);
    CHECK(c.invvpid(0, 1, 0x0000800000000000ull) == V::FailValid);
    CHECK(c.invvpid(1, 0, 0) == V::FailValid);
    CHECK(c.invvpid(2, 0, 0) == V::Succeed);
    CHECK(c.invvpid(3, 5, 0) == V::Succeed);
    CHECK(c.invvpid(4, 5, 0) == V::FailValid);
    CHECK(c.vm_instruction_error() == vx::ErrInvalidInvOperand);
    REQUIRE(c.vmclear(f.kVmcs) == V::Succeed);
    CHECK(c.invept(0, 0) == V::FailInvalid);
}
