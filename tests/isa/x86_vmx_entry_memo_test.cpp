// VM entry remembers that the control and host-state checks passed
// (Vmcs::ctl_host_ok): a VMRESUME after a change of one of those fields
// must check again and fail exactly as a first VMLAUNCH would; one after a
// VM exit that changes nothing there enters.
#include <functional>
#include <vector>

#include "isa/x86/vmx_state.hpp"
#include "tests/isa/x86_vmx_fixture.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::test;
namespace vx = hvemu::x86::vmx;

namespace {

// Launch, exit, and resume: the VMCS has passed every check once.
void entered_and_exited(VmxFixture& f) {
    f.launch();
    f.core->vm_exit(vx::Cpuid, 0, 2);
    f.expect_exit(vx::Cpuid);
}

struct MemoCase {
    const char* what;
    std::function<void(VmxFixture&)> change;
    uint32_t error;
};

} // namespace

TEST_CASE("VM entry: a VMRESUME after a control or host field changed checks it again", "[x86][vmx][unit]") {
    const std::vector<MemoCase> cases = {
        {"pin default1 bit clear", [](VmxFixture& f) { f.w(PIN_BASED_VM_EXEC_CONTROL, 0x14); }, 7},
        {"EPTP walk length 3", [](VmxFixture& f) { f.w(EPT_POINTER, f.kEpt | 6 | 2 << 3); }, 7},
        {"high half of the I/O bitmap address", [](VmxFixture& f) {
             f.w(CPU_BASED_VM_EXEC_CONTROL, 0x04006172 | vx::proc::Secondary | vx::proc::IoBitmaps);
             f.w(IO_BITMAP_A | 1, 0x80000000u); }, 7},
        {"host CR0.PG clear", [](VmxFixture& f) { f.w(HOST_CR0, 0x31); }, 8},
        {"host CS selector RPL 1", [](VmxFixture& f) { f.w(HOST_CS_SELECTOR, 0x09); }, 8},
        {"a debugger's write of the host CR4", [](VmxFixture& f) {
             VmxInternals::cur(*f.core)->f[size_t(vmcs_slot(HOST_CR4))] = 0; }, 8},
        {"injection of vector 40 as an exception", [](VmxFixture& f) {
             f.w(VM_ENTRY_INTR_INFO, vx::kIntrValid | uint32_t{vx::HwException} << 8 | 40); }, 7},
    };
    for (const MemoCase& mc : cases) {
        INFO(mc.what);
        VmxFixture f;
        entered_and_exited(f);
        mc.change(f);
        CHECK(f.core->vmresume() == V::FailValid);
        CHECK(f.core->vm_instruction_error() == mc.error);
        CHECK_FALSE(f.core->in_non_root());
    }
}

TEST_CASE("VM entry: VMRESUME after an exit and unchanged controls enters, again and again", "[x86][vmx][unit]") {
    VmxFixture f;
    entered_and_exited(f);
    for (int k = 0; k < 3; ++k) {
        f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16);   // the same value: nothing changed
        f.resume();
        f.core->vm_exit(vx::Cpuid, 0, 2);
        f.expect_exit(vx::Cpuid);
    }
    // A host-mode change is the processor's, not the VMCS's: still checked.
    // (Root-mode state is written once the exit's owed host state is in.)
    f.core->settle_host();
    f.core->efer &= ~uint64_t{1u << 10};
    CHECK(f.core->vmresume() == V::FailValid);
    CHECK(f.core->vm_instruction_error() == 8);
}
