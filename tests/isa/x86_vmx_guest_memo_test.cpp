// VM entry remembers that the guest-state checks which read only VMCS
// fields passed (Vmcs::guest_ok): a VMRESUME after a change of such a field
// (by VMWRITE, by a debugger, or by the VM exit's own save of guest state)
// must check again and fail exactly as a first VMLAUNCH would, with the
// same exit qualification; the checks of RIP, of the event to inject and
// of the VMCS link pointer's memory run at every entry; an unchanged resume
// keeps entering.
#include <functional>
#include <vector>

#include "isa/x86/vmx_state.hpp"
#include "tests/isa/x86_vmx_fixture.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::test;
namespace vx = hvemu::x86::vmx;

namespace {

constexpr uint32_t kFailGuest = vx::EntryFailGuest | vx::kEntryFailure;

// Launch, exit, and resume: the VMCS has passed every check once.
void entered_and_exited(VmxFixture& f) {
    f.launch();
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.expect_exit(vx::Cpuid);
}

// Resume and exit again: what was written has passed the checks.
void reenter(VmxFixture& f) {
    f.resume();
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.expect_exit(vx::Cpuid);
}

bool remembered(VmxFixture& f) { return VmxInternals::st(*f.core).cur->guest_ok; }

// A guest that runs with virtual NMIs, NMI blocking and an NMI to inject:
// the NMI-injection check fails with qualification 3.
void nmi_under_virtual_nmi_blocking(VmxFixture& f) {
    f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | vx::pin::NmiExiting | vx::pin::VirtualNmis);
    f.w(GUEST_INTERRUPTIBILITY_INFO, vx::intr::BlockNmi);
    f.w(VM_ENTRY_INTR_INFO, vx::kIntrValid | uint32_t{vx::Nmi} << 8 | 2);
}

struct MemoCase {
    const char* what;
    std::function<void(VmxFixture&)> change;
    uint64_t qual;
};

// Enters `f` after `change`, expecting the failure: reason 33 with `qual`.
void expect_guest_failure(VmxFixture& f, uint64_t qual) {
    CHECK(f.core->vmresume() == V::EntryFailed);
    CHECK_FALSE(f.core->in_non_root());
    CHECK(f.core->rip == VmxFixture::kHostRip);
    CHECK(f.r(VM_EXIT_REASON) == kFailGuest);
    CHECK(f.r(EXIT_QUALIFICATION) == qual);
}

} // namespace

TEST_CASE("VM entry: a VMRESUME after a guest-state field changed checks it again", "[x86][vmx][unit]") {
    const std::vector<MemoCase> cases = {
        {"CR0.PG without PE", [](VmxFixture& f) { f.w(GUEST_CR0, 0x80000030); }, 0},
        {"CR4.VMXE clear", [](VmxFixture& f) { f.w(GUEST_CR4, 0); }, 0},
        {"CR3 beyond the address width", [](VmxFixture& f) { f.w(GUEST_CR3, uint64_t{1} << 60); }, 0},
        {"DR7 high half with debug controls loaded",
         [](VmxFixture& f) {
             f.w(VM_ENTRY_CONTROLS, 0x11fb | vx::entryc::LoadDebug);
             reenter(f);
             f.w(GUEST_DR7, uint64_t{1} << 40);
         }, 0},
        {"SYSENTER_ESP not canonical", [](VmxFixture& f) { f.w(GUEST_SYSENTER_ESP, uint64_t{1} << 50); }, 0},
        {"DEBUGCTL reserved bit with debug controls loaded",
         [](VmxFixture& f) {
             f.w(VM_ENTRY_CONTROLS, 0x11fb | vx::entryc::LoadDebug);
             reenter(f);
             f.w(GUEST_IA32_DEBUGCTL, 1u << 2);
         }, 0},
        {"CS code not accessed", [](VmxFixture& f) { f.w(GUEST_CS_AR_BYTES, 0x9a); }, 0},
        {"SS base above 4 GiB", [](VmxFixture& f) { f.w(GUEST_SS_BASE, uint64_t{1} << 33); }, 0},
        {"DS limit with G clear above 1 MiB", [](VmxFixture& f) { f.w(GUEST_DS_LIMIT, 0x200000); }, 0},
        {"ES AR reserved bit 8", [](VmxFixture& f) { f.w(GUEST_ES_AR_BYTES, 0x93 | 0x100); }, 0},
        {"TR type 1 (an available 16-bit TSS)", [](VmxFixture& f) { f.w(GUEST_TR_AR_BYTES, 0x81); }, 0},
        {"LDTR usable with TI set in its selector", [](VmxFixture& f) { f.w(GUEST_LDTR_SELECTOR, 4); }, 0},
        {"GDTR limit above 0xffff", [](VmxFixture& f) { f.w(GUEST_GDTR_LIMIT, 0x10000); }, 0},
        {"IDTR base not canonical", [](VmxFixture& f) { f.w(GUEST_IDTR_BASE, uint64_t{1} << 52); }, 0},
        {"RFLAGS bit 1 clear", [](VmxFixture& f) { f.w(GUEST_RFLAGS, 0); }, 0},
        {"RFLAGS reserved bit 15", [](VmxFixture& f) { f.w(GUEST_RFLAGS, 2 | 1u << 15); }, 0},
        {"RFLAGS.VM with CR0.PE clear", [](VmxFixture& f) { f.w(GUEST_RFLAGS, 2 | rflags::VM); }, 0},
        {"RIP above 4 GiB outside 64-bit mode", [](VmxFixture& f) { f.w(GUEST_RIP, uint64_t{1} << 32); }, 0},
        {"activity state 4", [](VmxFixture& f) { f.w(GUEST_ACTIVITY_STATE, 4); }, 0},
        {"STI and MOV SS blocking", [](VmxFixture& f) { f.w(GUEST_INTERRUPTIBILITY_INFO, 3); }, 0},
        {"STI blocking with IF clear", [](VmxFixture& f) { f.w(GUEST_INTERRUPTIBILITY_INFO, vx::intr::BlockSti); }, 0},
        {"pending debug exceptions reserved bit", [](VmxFixture& f) { f.w(GUEST_PENDING_DBG_EXCEPTIONS, 1u << 4); }, 0},
        {"the link pointer at a region without the revision",
         [](VmxFixture& f) { f.w(VMCS_LINK_POINTER, 0x8000); }, 4},
        {"the link pointer's revision changed in memory, no VMWRITE",
         [](VmxFixture& f) {
             f.put32(0x8000, f.revision);
             f.w(VMCS_LINK_POINTER, 0x8000);
             reenter(f);
             f.put32(0x8000, f.revision + 1);
         }, 4},
        {"NMI injection under virtual-NMI blocking", nmi_under_virtual_nmi_blocking, 3},
        {"NMI injection under blocking, and a bad pending debug exception after it",
         [](VmxFixture& f) {
             nmi_under_virtual_nmi_blocking(f);
             f.w(GUEST_PENDING_DBG_EXCEPTIONS, 1u << 4);
         }, 3},
        {"NMI injection alone after blocking was entered with (remembered)",
         [](VmxFixture& f) {
             f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | vx::pin::NmiExiting | vx::pin::VirtualNmis);
             f.w(GUEST_INTERRUPTIBILITY_INFO, vx::intr::BlockNmi);
             reenter(f);
             REQUIRE(remembered(f));
             f.w(VM_ENTRY_INTR_INFO, vx::kIntrValid | uint32_t{vx::Nmi} << 8 | 2);
             REQUIRE(remembered(f));
         }, 3},
        {"an external interrupt injected with IF clear (remembered state)",
         [](VmxFixture& f) { f.w(VM_ENTRY_INTR_INFO, vx::kIntrValid | uint32_t{vx::ExtInt} << 8 | 0x30); }, 0},
        {"a bad PDPTE with PAE paging under EPT",
         [](VmxFixture& f) {
             f.w(GUEST_CR0, 0x80000031);
             f.w(GUEST_CR4, 0x2020);
             f.w(GUEST_CS_AR_BYTES, 0xc09b);
             f.w(GUEST_CS_LIMIT, 0xffffffff);
             f.w(GUEST_PDPTE0, 1 | 1u << 1);
         }, 2},
        {"unrestricted guest turned off under a real-mode CR0",
         [](VmxFixture& f) { f.w(SECONDARY_VM_EXEC_CONTROL, vx::proc2::Ept); }, 0},
        {"EFER loaded with LMA outside IA-32e mode",
         [](VmxFixture& f) {
             f.w(VM_ENTRY_CONTROLS, 0x11fb | vx::entryc::LoadEfer);
             f.w(GUEST_IA32_EFER, 1u << 10);
         }, 0},
        {"a debugger's write of the guest CR4",
         [](VmxFixture& f) { VmxInternals::cur(*f.core)->f[size_t(vmcs_slot(GUEST_CR4))] = 0; }, 0},
    };
    for (const MemoCase& mc : cases) {
        INFO(mc.what);
        VmxFixture f;
        entered_and_exited(f);
        CHECK(remembered(f));
        mc.change(f);
        expect_guest_failure(f, mc.qual);
    }
}

TEST_CASE("VM entry: the VM exit's save of a changed guest state is checked again", "[x86][vmx][unit]") {
    VmxFixture f;
    entered_and_exited(f);
    f.resume();
    // The guest leaves itself halted with SS.DPL 3: the exit saves both.
    f.core->halted = true;
    f.core->seg[SS].attr = uint16_t(f.core->seg[SS].attr | 3u << 5);
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.expect_exit(vx::Cpuid);
    CHECK_FALSE(remembered(f));
    expect_guest_failure(f, 0);
}

TEST_CASE("VM entry: VMRESUME after an exit and an unchanged guest state enters, again and again",
          "[x86][vmx][unit]") {
    VmxFixture f;
    entered_and_exited(f);
    for (int k = 0; k < 3; ++k) {
        CHECK(remembered(f));
        // the same CR0, a new RIP, RFLAGS status bits no check reads: the
        // remembered checks still hold
        f.w(GUEST_CR0, 0x30);
        f.w(GUEST_RIP, VmxFixture::kGuestRip + 2 * k);
        f.w(GUEST_RFLAGS, 2 | rflags::CF | rflags::ZF);
        CHECK(remembered(f));
        f.resume();
        CHECK(f.core->rip == VmxFixture::kGuestRip + 2 * k);
        f.core->vm_exit(vx::Cpuid, 0, 2);
        f.expect_exit(vx::Cpuid);
    }
    // A VMWRITE that changes a checked bit drops the memory; a valid value
    // enters again and is remembered again.
    f.w(GUEST_RFLAGS, 2 | rflags::IF);
    CHECK_FALSE(remembered(f));
    f.resume();
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.expect_exit(vx::Cpuid);
    CHECK(remembered(f));
}
