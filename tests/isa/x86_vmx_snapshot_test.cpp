// VM transitions copy the guest's and the host's SysState from a snapshot
// when the VMCS fields it came from are unchanged (Vmcs::saved, loaded,
// host). Whatever changes one of them in between must be seen: the guest
// changing its own state (the exit saves it), a VMWRITE of a guest- or
// host-state field, a debugger's write, a changed VM-exit or VM-entry
// control. Each case runs a few round trips first, so that the snapshots
// are in use when the change comes.
#include <cstring>
#include <functional>
#include <vector>

#include "isa/x86/vmx_state.hpp"
#include "tests/isa/x86_vmx_fixture.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::test;
namespace vx = hvemu::x86::vmx;

namespace {

void exit_cpuid(VmxFixture& f) {
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.expect_exit(vx::Cpuid);
}

// Launched, and three resumes: every snapshot has been taken and used.
void steady(VmxFixture& f) {
    f.launch();
    exit_cpuid(f);
    for (int i = 0; i < 3; ++i) {
        f.resume();
        exit_cpuid(f);
    }
}

struct GuestCase {
    const char* what;
    Field field;
    uint64_t value;                          // the field's value
    std::function<void(Core&)> in_guest;     // the guest making that change itself
    std::function<bool(const Core&)> loaded; // the core holds it
};

const std::vector<GuestCase>& guest_cases() {
    static const std::vector<GuestCase> cases = {
        {"DS base", GUEST_DS_BASE, 0x12340, [](Core& c) { c.seg[DS].base = 0x12340; },
         [](const Core& c) { return c.seg[DS].base == 0x12340; }},
        {"ES selector", GUEST_ES_SELECTOR, 0x1234, [](Core& c) { c.seg[ES].selector = 0x1234; },
         [](const Core& c) { return c.seg[ES].selector == 0x1234; }},
        {"FS limit", GUEST_FS_LIMIT, 0xfff, [](Core& c) { c.seg[FS].limit = 0xfff; },
         [](const Core& c) { return c.seg[FS].limit == 0xfff; }},
        {"GS unusable", GUEST_GS_AR_BYTES, 0x10013, [](Core& c) { c.seg[GS].attr = 0x13; },
         [](const Core& c) { return c.seg[GS].attr == 0x13; }},
        {"LDTR base", GUEST_LDTR_BASE, 0x8000, [](Core& c) { c.ldtr.base = 0x8000; },
         [](const Core& c) { return c.ldtr.base == 0x8000; }},
        {"TR limit", GUEST_TR_LIMIT, 0x67, [](Core& c) { c.tr.limit = 0x67; },
         [](const Core& c) { return c.tr.limit == 0x67; }},
        {"GDTR base", GUEST_GDTR_BASE, 0x9000, [](Core& c) { c.gdtr.base = 0x9000; },
         [](const Core& c) { return c.gdtr.base == 0x9000; }},
        {"IDTR limit", GUEST_IDTR_LIMIT, 0xfff, [](Core& c) { c.idtr.limit = 0xfff; },
         [](const Core& c) { return c.idtr.limit == 0xfff; }},
        {"CR3", GUEST_CR3, 0x5000, [](Core& c) { c.cr3 = 0x5000; }, [](const Core& c) { return c.cr3 == 0x5000; }},
        {"CR4.PSE", GUEST_CR4, 0x2010, [](Core& c) { c.cr4 = 0x2010; },
         [](const Core& c) { return c.cr4 == 0x2010; }},
        {"SYSENTER_EIP", GUEST_SYSENTER_EIP, 0xabc0, [](Core& c) { c.sysenter_eip = 0xabc0; },
         [](const Core& c) { return c.sysenter_eip == 0xabc0; }},
    };
    return cases;
}

} // namespace

TEST_CASE("VM exit: a change the guest made to its SysState is saved, and loaded again", "[x86][vmx][unit]") {
    for (const GuestCase& k : guest_cases()) {
        CAPTURE(k.what);
        VmxFixture f;
        steady(f);
        f.resume();
        k.in_guest(*f.core);
        exit_cpuid(f);
        CHECK(f.r(k.field) == k.value);
        f.resume();
        CHECK(k.loaded(*f.core));
        // and it stays through further round trips with no change
        exit_cpuid(f);
        f.resume();
        CHECK(k.loaded(*f.core));
        exit_cpuid(f);
        CHECK(f.r(k.field) == k.value);
    }
}

TEST_CASE("VM entry: a VMWRITE of a guest-state field between exits is loaded", "[x86][vmx][unit]") {
    for (const GuestCase& k : guest_cases()) {
        CAPTURE(k.what);
        VmxFixture f;
        steady(f);
        f.w(k.field, k.value);
        f.resume();
        CHECK(k.loaded(*f.core));
        exit_cpuid(f);
        CHECK(f.r(k.field) == k.value);
    }
}

TEST_CASE("VM entry: a debugger's write of a guest-state field is loaded", "[x86][vmx][unit]") {
    VmxFixture f;
    steady(f);
    VmxInternals::cur(*f.core)->f[size_t(vmcs_slot(GUEST_GS_BASE))] = 0x4440;
    f.resume();
    CHECK(f.core->seg[GS].base == 0x4440);
}

TEST_CASE("VM exit: a host-state field written between exits is loaded", "[x86][vmx][unit]") {
    VmxFixture f;
    steady(f);
    f.w(HOST_FS_BASE, 0x7770);
    f.w(HOST_CR3, 0x30000);
    f.w(HOST_DS_SELECTOR, 0);
    f.resume();
    exit_cpuid(f);
    f.core->settle_host();   // the host state the hosted exit owes (x86_vmx_owed_host_test.cpp)
    CHECK(f.core->seg[FS].base == 0x7770);
    CHECK(f.core->cr3 == 0x30000);
    CHECK(f.core->seg[DS].attr == 0);   // a null selector: unusable
    // and the debugger's way
    f.resume();
    VmxInternals::cur(*f.core)->f[size_t(vmcs_slot(HOST_GS_BASE))] = 0x8880;
    exit_cpuid(f);
    f.core->settle_host();
    CHECK(f.core->seg[GS].base == 0x8880);
}

TEST_CASE("VM exit and entry: changed controls change what is saved and loaded", "[x86][vmx][unit]") {
    VmxFixture f;
    steady(f);
    // saving PAT from the next exit on
    f.w(VM_EXIT_CONTROLS, 0x36dfb | vx::exitc::HostLong | vx::exitc::SavePat);
    f.resume();
    f.core->pat = 0x0606060606060606ull;
    exit_cpuid(f);
    CHECK(f.r(GUEST_IA32_PAT) == 0x0606060606060606ull);
    // loading the host's PAT from the next exit on
    f.w(HOST_IA32_PAT, 0x0404040404040404ull);
    f.w(VM_EXIT_CONTROLS, 0x36dfb | vx::exitc::HostLong | vx::exitc::SavePat | vx::exitc::LoadPat);
    f.resume();
    exit_cpuid(f);
    f.core->settle_host();
    CHECK(f.core->pat == 0x0404040404040404ull);
    // loading the guest's PAT from the next entry on
    f.w(GUEST_IA32_PAT, 0x0707070707070707ull);
    f.w(VM_ENTRY_CONTROLS, 0x11fb | vx::entryc::LoadPat);
    f.resume();
    CHECK(f.core->pat == 0x0707070707070707ull);
}

TEST_CASE("VM entry: a resume with nothing changed gives the guest the SysState it left", "[x86][vmx][unit]") {
    VmxFixture f;
    steady(f);
    f.resume();
    f.core->seg[DS].base = 0x100;   // a change, so that the exit saves field by field
    SysState left;
    std::memcpy(&left, static_cast<SysState*>(f.core.get()), sizeof left);
    for (int i = 0; i < 3; ++i) {
        exit_cpuid(f);
        f.resume();
        CHECK(std::memcmp(&left, static_cast<SysState*>(f.core.get()), sizeof left) == 0);
    }
}
