// A core in VMX root operation (64-bit host, hosted mode) with a VMCS that
// enters an unrestricted real-mode guest through an identity EPT: the
// starting point of the VMX tests, which then change one thing each.
#pragma once
#include <catch2/catch.hpp>

#include "isa/common/phys_mem.hpp"
#include "isa/x86/core.hpp"
#include "isa/x86/insn.hpp"
#include "isa/x86/vmcs_fields.hpp"
#include "isa/x86/vmx_defs.hpp"

namespace hvemu::x86::test {

using V = Core::VmxStatus;
using namespace vmcs;

struct VmxFixture {
    static constexpr uint64_t kVmxon = 0x1000, kVmcs = 0x2000, kVmcs2 = 0x3000;
    static constexpr uint64_t kEpt = 0x10000, kHostRip = 0x5000, kHostRsp = 0x6000, kGuestRip = 0x7000;
    isa::PhysMem mem;
    CoreConfig cfg;
    std::unique_ptr<Core> core;
    uint32_t revision = 0;
    Insn insn{};

    explicit VmxFixture(bool hosted = true) {
        mem.add_ram(0, 16 << 20);
        cfg.hosted = hosted;
        core = std::make_unique<Core>(mem, cfg);
        Core& c = *core;
        // 64-bit root mode at CPL 0 with CR4.VMXE and FEATURE_CONTROL locked
        c.cr0 = 0x80000031;
        c.cr4 = 0x2020;
        c.efer = 0x500;
        c.seg[CS].attr = 0xa09b;
        c.cpl = 0;
        c.feature_control = 5;
        uint64_t basic = 0;
        REQUIRE(c.vmx_rdmsr(vmx::msr::Basic, basic));
        revision = uint32_t(basic & 0x7fffffff);
        put32(kVmxon, revision);
        put32(kVmcs, revision);
        put32(kVmcs2, revision);
        // identity EPT, 2 MiB pages, first 16 MiB, WB
        put64(kEpt, (kEpt + 0x1000) | 7);
        put64(kEpt + 0x1000, (kEpt + 0x2000) | 7);
        for (uint64_t i = 0; i < 8; ++i) put64(kEpt + 0x2000 + 8 * i, (i << 21) | 0x80 | 0x30 | 7);
        insn.len = 2;
        c.cur = &insn;
    }

    void put32(uint64_t pa, uint32_t v) { mem.write_block(pa, &v, 4); }
    void put64(uint64_t pa, uint64_t v) { mem.write_block(pa, &v, 8); }
    uint64_t get64(uint64_t pa) {
        uint64_t v = 0;
        mem.read_block(pa, &v, 8);
        return v;
    }

    void w(uint64_t field, uint64_t v) { REQUIRE(core->vmwrite(field, v) == V::Succeed); }
    uint64_t r(uint64_t field) {
        uint64_t v = 0;
        REQUIRE(core->vmread(field, v) == V::Succeed);
        return v;
    }

    void enter_vmx() {
        REQUIRE(core->vmxon(kVmxon) == V::Succeed);
        REQUIRE(core->vmclear(kVmcs) == V::Succeed);
        REQUIRE(core->vmptrld(kVmcs) == V::Succeed);
    }

    // A VMCS VMLAUNCH accepts: every control at its minimum plus EPT and
    // unrestricted guest; host 64-bit; guest in real mode at kGuestRip.
    void valid_vmcs() {
        using namespace vmx;
        w(PIN_BASED_VM_EXEC_CONTROL, 0x16);
        w(CPU_BASED_VM_EXEC_CONTROL, 0x04006172 | proc::Secondary);
        w(SECONDARY_VM_EXEC_CONTROL, proc2::Ept | proc2::Unrestricted);
        w(VM_EXIT_CONTROLS, 0x36dfb | exitc::HostLong);
        w(VM_ENTRY_CONTROLS, 0x11fb);
        w(EPT_POINTER, kEpt | 6 | 3 << 3);
        w(VMCS_LINK_POINTER, ~0ull);
        w(HOST_CR0, 0x80000031);
        w(HOST_CR3, 0x20000);
        w(HOST_CR4, 0x2020);
        w(HOST_CS_SELECTOR, 0x08);
        w(HOST_SS_SELECTOR, 0x10);
        w(HOST_DS_SELECTOR, 0x10);
        w(HOST_ES_SELECTOR, 0x10);
        w(HOST_TR_SELECTOR, 0x18);
        w(HOST_RIP, kHostRip);
        w(HOST_RSP, kHostRsp);
        w(GUEST_CR0, 0x30);
        w(GUEST_CR4, 0x2000);
        const Field sel[] = {GUEST_ES_SELECTOR, GUEST_CS_SELECTOR, GUEST_SS_SELECTOR, GUEST_DS_SELECTOR,
                             GUEST_FS_SELECTOR, GUEST_GS_SELECTOR};
        const Field lim[] = {GUEST_ES_LIMIT, GUEST_CS_LIMIT, GUEST_SS_LIMIT, GUEST_DS_LIMIT, GUEST_FS_LIMIT,
                             GUEST_GS_LIMIT};
        const Field ar[] = {GUEST_ES_AR_BYTES, GUEST_CS_AR_BYTES, GUEST_SS_AR_BYTES, GUEST_DS_AR_BYTES,
                            GUEST_FS_AR_BYTES, GUEST_GS_AR_BYTES};
        for (int i = 0; i < 6; ++i) {
            w(sel[i], 0);
            w(lim[i], 0xffff);
            w(ar[i], i == CS ? 0x9b : 0x93);
        }
        w(GUEST_TR_LIMIT, 0xffff);
        w(GUEST_TR_AR_BYTES, 0x8b);
        w(GUEST_LDTR_LIMIT, 0xffff);
        w(GUEST_LDTR_AR_BYTES, 0x82);
        w(GUEST_GDTR_LIMIT, 0xffff);
        w(GUEST_IDTR_LIMIT, 0x3ff);
        w(GUEST_RIP, kGuestRip);
        w(GUEST_RFLAGS, 2);
    }

    // VMLAUNCH into the guest (asserts it entered).
    void launch() {
        enter_vmx();
        valid_vmcs();
        REQUIRE(core->vmlaunch() == V::Succeed);
        REQUIRE(core->in_non_root());
    }

    // After an exit: back in root and told so.
    void expect_exit(uint32_t reason) {
        CHECK(!core->in_non_root());
        CHECK(core->take_vmexit());
        CHECK(core->rip == kHostRip);
        CHECK(r(VM_EXIT_REASON) == reason);
    }
    void resume() {
        REQUIRE(core->vmresume() == V::Succeed);
        REQUIRE(core->in_non_root());
    }
};

} // namespace hvemu::x86::test
