// A hosted VM exit loads the host's RIP, RSP, RFLAGS and CPL and owes the
// rest of the host state (its SysState and the TLB-context switch) until
// something looks at root-mode state (Core::settle_host); a VMRESUME of the
// same VMCS with nothing changed then loads no SysState either. What is
// settled must be exactly what the exit would have loaded, whoever asks
// first; a VMREAD/VMWRITE does not need it.
#include <cstring>
#include <functional>
#include <vector>

#include "isa/x86/vmx_state.hpp"
#include "tests/isa/x86_vmx_fixture.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::test;
namespace vx = hvemu::x86::vmx;

namespace {

const SysState& sys(const VmxFixture& f) { return *f.core; }
bool same_sys(const VmxFixture& a, const VmxFixture& b) {
    return std::memcmp(&sys(a), &sys(b), sizeof(SysState)) == 0;
}

// Launched and back in root through a few round trips, with the guest in
// a state of its own (a DS base, CR4.OSXSAVE) that differs from the host's.
void steady_with_guest_state(VmxFixture& f) {
    f.launch();
    for (int i = 0; i < 3; ++i) {
        f.core->seg[DS].base = 0x4560;
        f.core->cr4 |= 1u << 18;
        f.core->vm_exit(vx::Cpuid, 0, 2);
        f.core->take_vmexit();
        f.resume();
    }
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.core->take_vmexit();
}

} // namespace

TEST_CASE("Hosted VM exit: the host's registers are loaded at once, its SysState is owed", "[x86][vmx][unit]") {
    VmxFixture f;
    steady_with_guest_state(f);
    REQUIRE(f.core->host_pending());
    CHECK(f.core->rip == VmxFixture::kHostRip);
    CHECK(f.core->gpr[4] == VmxFixture::kHostRsp);
    CHECK(f.core->rflags == rflags::FIXED1);
    CHECK(f.core->cpl == 0);
    CHECK(f.core->seg[DS].base == 0x4560);   // still the guest's
    // VMREAD and VMWRITE run on the owed state's checks and leave it owed
    CHECK(f.core->host_vmcs() != nullptr);
    CHECK(f.r(VM_EXIT_REASON) == vx::Cpuid);
    f.w(GUEST_RIP, VmxFixture::kGuestRip);
    CHECK(f.core->host_pending());
    f.core->settle_host();
    CHECK_FALSE(f.core->host_pending());
    CHECK(f.core->seg[DS].base == 0);
    CHECK(f.core->seg[CS].attr == 0xa09b);
    CHECK(f.core->cr3 == 0x20000);
    CHECK(f.core->tlb_tag == 0);
}

TEST_CASE("Hosted VM exit: what is settled is what the exit outside hosted mode loads", "[x86][vmx][unit]") {
    VmxFixture hosted(true), full(false);
    steady_with_guest_state(hosted);
    full.launch();
    for (int i = 0; i < 4; ++i) {
        full.core->seg[DS].base = 0x4560;
        full.core->cr4 |= 1u << 18;
        full.core->vm_exit(vx::Cpuid, 0, 2);
        if (i < 3) full.resume();
    }
    CHECK_FALSE(full.core->host_pending());
    hosted.core->settle_host();
    CHECK(same_sys(hosted, full));
    CHECK(hosted.core->tlb_tag == full.core->tlb_tag);
    CHECK(hosted.core->data_ctx == full.core->data_ctx);
    CHECK(hosted.core->rip == full.core->rip);
    CHECK(hosted.core->dr[7] == full.core->dr[7]);
}

TEST_CASE("Hosted VM exit: every look at root-mode state settles first", "[x86][vmx][unit]") {
    struct Look {
        const char* what;
        std::function<void(VmxFixture&)> look;
        bool settles;
    };
    const std::vector<Look> looks = {
        {"RDMSR of EFER sees the host's",
         [](VmxFixture& f) {
             uint64_t v = 0;
             REQUIRE(f.core->rdmsr(0xc0000080, v));
             CHECK(v == 0x500);
         },
         true},
        {"RDMSR of a VMX capability", [](VmxFixture& f) { uint64_t v; f.core->rdmsr(vx::msr::Basic, v); }, false},
        {"WRMSR", [](VmxFixture& f) { CHECK(f.core->wrmsr(0x174, 8)); }, true},
        {"CPUID sees the host's CR4 (no OSXSAVE)",
         [](VmxFixture& f) {
             uint32_t r[4] = {};
             f.core->cpuid(1, 0, r);
             CHECK_FALSE(r[2] & (1u << 27));
         },
         true},
        {"VMPTRLD", [](VmxFixture& f) { CHECK(f.core->vmptrld(VmxFixture::kVmcs2) == V::Succeed); }, true},
        {"VMCLEAR", [](VmxFixture& f) { CHECK(f.core->vmclear(VmxFixture::kVmcs) == V::Succeed); }, true},
        {"INVVPID", [](VmxFixture& f) { f.core->invvpid(2, 1, 0); }, true},
        {"INVEPT", [](VmxFixture& f) { f.core->invept(2, 0); }, true},
        {"running root-mode code", [](VmxFixture& f) { f.core->run(1); }, true},
        {"VMLAUNCH of the launched VMCS (VMfailValid)",
         [](VmxFixture& f) {
             CHECK(f.core->vmlaunch() == V::FailValid);
             CHECK((f.core->rflags & rflags::ZF) != 0);   // on the host's RFLAGS
         },
         true},
    };
    for (const Look& l : looks) {
        CAPTURE(l.what);
        VmxFixture f;
        steady_with_guest_state(f);
        REQUIRE(f.core->host_pending());
        l.look(f);
        CHECK(f.core->host_pending() == !l.settles);
        if (l.settles) CHECK(f.core->seg[DS].base == 0);
    }
}

TEST_CASE("Hosted VM entry: a failed guest-state check loads the host state it owes", "[x86][vmx][unit]") {
    VmxFixture f;
    steady_with_guest_state(f);
    f.w(GUEST_RFLAGS, 0);   // bit 1 must be 1
    REQUIRE(f.core->vmresume() == V::EntryFailed);
    CHECK_FALSE(f.core->host_pending());
    CHECK_FALSE(f.core->in_non_root());
    CHECK(f.core->rip == VmxFixture::kHostRip);
    CHECK(f.core->seg[DS].base == 0);
    CHECK(f.core->seg[CS].attr == 0xa09b);
    CHECK((f.r(VM_EXIT_REASON) & 0xffff) == vx::EntryFailGuest);
}

TEST_CASE("Hosted VM entry: a resume in place and one after settling give the guest the same state", "[x86][vmx][unit]") {
    VmxFixture a, b;
    steady_with_guest_state(a);
    steady_with_guest_state(b);
    b.core->settle_host();   // b takes the full load, a may resume in place
    REQUIRE(a.core->host_pending());
    a.resume();
    b.resume();
    CHECK(same_sys(a, b));
    CHECK(a.core->seg[DS].base == 0x4560);
    CHECK(a.core->rip == b.core->rip);
    CHECK(a.core->cpl == b.core->cpl);
    CHECK(a.core->tlb_tag == b.core->tlb_tag);
    CHECK(a.core->data_ctx == b.core->data_ctx);
}

TEST_CASE("Hosted VM entry: a resume in place still loads what the fields say when saving and loading differ",
          "[x86][vmx][unit]") {
    // VM-entry loads EFER, VM exit does not save it: a change the guest
    // makes to EFER is lost at the next entry (SDM 26.3.2.1), in place or not.
    VmxFixture f;
    f.enter_vmx();
    f.valid_vmcs();
    f.w(VM_ENTRY_CONTROLS, 0x11fb | vx::entryc::LoadEfer);
    f.w(GUEST_IA32_EFER, 0);
    REQUIRE(f.core->vmlaunch() == V::Succeed);
    for (int i = 0; i < 3; ++i) {
        f.core->vm_exit(vx::Cpuid, 0, 2);
        f.core->take_vmexit();
        f.resume();
        CHECK(f.core->efer == 0);
    }
    f.core->efer |= 1u << 11;   // the guest sets NXE
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.core->take_vmexit();
    CHECK(f.r(GUEST_IA32_EFER) == 0);
    f.resume();
    CHECK(f.core->efer == 0);
}

TEST_CASE("Hosted VM entry: core state the exit cannot save is not kept by a resume in place", "[x86][vmx][unit]") {
    // Access-rights bits 11:8 are reserved in the VMCS: the save drops
    // them, so the next entry loads the segment without them.
    VmxFixture f;
    steady_with_guest_state(f);
    f.resume();
    f.core->seg[DS].attr = 0x193;
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.core->take_vmexit();
    CHECK(f.r(GUEST_DS_AR_BYTES) == 0x93);
    f.resume();
    CHECK(f.core->seg[DS].attr == 0x93);
}
