// The VM-entry checks one by one (SDM Vol. 3C 26.2-26.4): a table of single
// changes to a VMCS that enters, each with the VMfailValid error number or
// the entry-failure exit reason and qualification it must produce.
#include <functional>
#include <vector>

#include "tests/isa/x86_vmx_fixture.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::test;
namespace vx = hvemu::x86::vmx;

namespace {

struct EntryCase {
    const char* what;
    std::function<void(VmxFixture&)> change;
    uint32_t error;      // 7 or 8: VMfailValid; 0: entry failure
    uint32_t reason;     // entry failure: 33 or 34 (bit 31 added)
    uint64_t qual;
};

const std::vector<EntryCase>& entry_cases() {
    using namespace vx;
    static const std::vector<EntryCase> cases = {
        // 26.2.1 controls
        {"pin default1 bit 1 clear", [](VmxFixture& f) { f.w(PIN_BASED_VM_EXEC_CONTROL, 0x14); }, 7, 0, 0},
        {"posted interrupts", [](VmxFixture& f) { f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | pin::PostedInterrupts); }, 7, 0, 0},
        {"MONITOR exiting not offered", [](VmxFixture& f) { f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | proc::MonitorExiting); }, 7, 0, 0},
        {"proc default1 bit 1 clear", [](VmxFixture& f) { f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006170); }, 7, 0, 0},
        {"APIC virtualization not offered", [](VmxFixture& f) { f.w(SECONDARY_VM_EXEC_CONTROL, proc2::Ept | proc2::Unrestricted | proc2::VirtApic); }, 7, 0, 0},
        {"CR3-target count 5", [](VmxFixture& f) { f.w(CR3_TARGET_COUNT, 5); }, 7, 0, 0},
        {"I/O bitmap A misaligned", [](VmxFixture& f) {
             f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | proc::IoBitmaps); f.w(IO_BITMAP_A, 0x9008); f.w(IO_BITMAP_B, 0xa000); }, 7, 0, 0},
        {"MSR bitmap beyond the address width", [](VmxFixture& f) {
             f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | proc::MsrBitmaps); f.w(MSR_BITMAP, uint64_t{1} << 40); }, 7, 0, 0},
        {"virtual NMIs without NMI exiting", [](VmxFixture& f) { f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | pin::VirtualNmis); }, 7, 0, 0},
        {"NMI-window exiting without virtual NMIs", [](VmxFixture& f) { f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | proc::NmiWindow); }, 7, 0, 0},
        {"VPID 0 with VPID enabled", [](VmxFixture& f) { f.w(SECONDARY_VM_EXEC_CONTROL, proc2::Ept | proc2::Unrestricted | proc2::Vpid); }, 7, 0, 0},
        {"EPTP memory type WC", [](VmxFixture& f) { f.w(EPT_POINTER, f.kEpt | 1 | 3 << 3); }, 7, 0, 0},
        {"EPTP walk length 3", [](VmxFixture& f) { f.w(EPT_POINTER, f.kEpt | 6 | 2 << 3); }, 7, 0, 0},
        {"EPTP reserved bit 7", [](VmxFixture& f) { f.w(EPT_POINTER, f.kEpt | 6 | 3 << 3 | 0x80); }, 7, 0, 0},
        {"unrestricted guest without EPT", [](VmxFixture& f) { f.w(SECONDARY_VM_EXEC_CONTROL, proc2::Unrestricted); }, 7, 0, 0},
        {"exit default1 bit 0 clear", [](VmxFixture& f) { f.w(VM_EXIT_CONTROLS, 0x36dfa | exitc::HostLong); }, 7, 0, 0},
        {"save preemption timer without the timer", [](VmxFixture& f) { f.w(VM_EXIT_CONTROLS, 0x36dfb | exitc::HostLong | exitc::SavePreemption); }, 7, 0, 0},
        {"exit MSR-store area misaligned", [](VmxFixture& f) { f.w(VM_EXIT_MSR_STORE_COUNT, 1); f.w(VMEXIT_MSR_STORE_ADDR, 0x8008); }, 7, 0, 0},
        {"entry to SMM", [](VmxFixture& f) { f.w(VM_ENTRY_CONTROLS, 0x11fb | entryc::Smm); }, 7, 0, 0},
        {"entry MSR-load area beyond the width", [](VmxFixture& f) { f.w(VM_ENTRY_MSR_LOAD_COUNT, 2); f.w(VMENTRY_MSR_LOAD_ADDR, (uint64_t{1} << 39) - 16); }, 7, 0, 0},
        {"injection type 1", [](VmxFixture& f) { f.w(VM_ENTRY_INTR_INFO, kIntrValid | 1u << 8 | 0x20); }, 7, 0, 0},
        {"injected NMI with vector 3", [](VmxFixture& f) { f.w(VM_ENTRY_INTR_INFO, kIntrValid | 2u << 8 | 3); }, 7, 0, 0},
        {"hardware exception vector 32", [](VmxFixture& f) { f.w(VM_ENTRY_INTR_INFO, kIntrValid | 3u << 8 | 32); }, 7, 0, 0},
        {"error code for #GP in a real-mode unrestricted guest", [](VmxFixture& f) { f.w(VM_ENTRY_INTR_INFO, kIntrValid | kIntrErrorValid | 3u << 8 | 13); }, 7, 0, 0},
        {"no error code for #GP in protected mode", [](VmxFixture& f) { f.w(GUEST_CR0, 0x31); f.w(VM_ENTRY_INTR_INFO, kIntrValid | 3u << 8 | 13); }, 7, 0, 0},
        {"software interrupt of length 0", [](VmxFixture& f) { f.w(VM_ENTRY_INTR_INFO, kIntrValid | 4u << 8 | 0x80); }, 7, 0, 0},
        {"interruption info reserved bit 12", [](VmxFixture& f) { f.w(VM_ENTRY_INTR_INFO, kIntrValid | 1u << 12 | 0x20); }, 7, 0, 0},
        // 26.2.2 host state
        {"host CR0.PG clear", [](VmxFixture& f) { f.w(HOST_CR0, 0x31); }, 8, 0, 0},
        {"host CR4.VMXE clear", [](VmxFixture& f) { f.w(HOST_CR4, 0x20); }, 8, 0, 0},
        {"host CR4 unsupported bit (LA57)", [](VmxFixture& f) { f.w(HOST_CR4, 0x3020); }, 8, 0, 0},
        {"host CR3 beyond the width", [](VmxFixture& f) { f.w(HOST_CR3, uint64_t{1} << 45); }, 8, 0, 0},
        {"host CS selector RPL 1", [](VmxFixture& f) { f.w(HOST_CS_SELECTOR, 0x09); }, 8, 0, 0},
        {"host DS selector TI", [](VmxFixture& f) { f.w(HOST_DS_SELECTOR, 0x14); }, 8, 0, 0},
        {"host CS selector null", [](VmxFixture& f) { f.w(HOST_CS_SELECTOR, 0); }, 8, 0, 0},
        {"host TR selector null", [](VmxFixture& f) { f.w(HOST_TR_SELECTOR, 0); }, 8, 0, 0},
        {"host FS base not canonical", [](VmxFixture& f) { f.w(HOST_FS_BASE, 0x0000800000000000ull); }, 8, 0, 0},
        {"host SYSENTER_EIP not canonical", [](VmxFixture& f) { f.w(HOST_IA32_SYSENTER_EIP, 0x8000000000000000ull); }, 8, 0, 0},
        {"host RIP not canonical", [](VmxFixture& f) { f.w(HOST_RIP, 0x0001000000000000ull); }, 8, 0, 0},
        {"32-bit host while in IA-32e mode", [](VmxFixture& f) { f.w(VM_EXIT_CONTROLS, 0x36dfb); }, 8, 0, 0},
        {"64-bit host without CR4.PAE", [](VmxFixture& f) { f.w(HOST_CR4, 0x2000); }, 8, 0, 0},
        {"host EFER.LMA disagrees", [](VmxFixture& f) { f.w(VM_EXIT_CONTROLS, 0x36dfb | exitc::HostLong | exitc::LoadEfer); f.w(HOST_IA32_EFER, 0x100); }, 8, 0, 0},
        {"host PAT type 2", [](VmxFixture& f) { f.w(VM_EXIT_CONTROLS, 0x36dfb | exitc::HostLong | exitc::LoadPat); f.w(HOST_IA32_PAT, 0x02); }, 8, 0, 0},
        // 26.3.1 guest state
        {"guest CR0.NE clear", [](VmxFixture& f) { f.w(GUEST_CR0, 0x10); }, 0, 33, 0},
        {"guest CR0.PG without PE", [](VmxFixture& f) { f.w(GUEST_CR0, 0x80000030); }, 0, 33, 0},
        {"guest CR4.VMXE clear", [](VmxFixture& f) { f.w(GUEST_CR4, 0); }, 0, 33, 0},
        {"IA-32e guest without paging", [](VmxFixture& f) { f.w(VM_ENTRY_CONTROLS, 0x11fb | entryc::Ia32e); }, 0, 33, 0},
        {"guest CR3 beyond the width", [](VmxFixture& f) { f.w(GUEST_CR3, uint64_t{1} << 40); }, 0, 33, 0},
        {"guest EFER.LMA disagrees with IA-32e mode", [](VmxFixture& f) { f.w(VM_ENTRY_CONTROLS, 0x11fb | entryc::LoadEfer); f.w(GUEST_IA32_EFER, 0x400); }, 0, 33, 0},
        {"guest CS type data read-only", [](VmxFixture& f) { f.w(GUEST_CS_AR_BYTES, 0x91); }, 0, 33, 0},
        {"guest CS not present", [](VmxFixture& f) { f.w(GUEST_CS_AR_BYTES, 0x1b); }, 0, 33, 0},
        {"guest CS base above 4 GiB", [](VmxFixture& f) { f.w(GUEST_CS_BASE, uint64_t{1} << 32); }, 0, 33, 0},
        {"guest SS type code", [](VmxFixture& f) { f.w(GUEST_SS_AR_BYTES, 0x9b); }, 0, 33, 0},
        {"guest DS not accessed", [](VmxFixture& f) { f.w(GUEST_DS_AR_BYTES, 0x92); }, 0, 33, 0},
        {"guest ES limit and G disagree", [](VmxFixture& f) { f.w(GUEST_ES_LIMIT, 0x1fffff); }, 0, 33, 0},
        {"guest AR reserved bit 8", [](VmxFixture& f) { f.w(GUEST_FS_AR_BYTES, 0x193); }, 0, 33, 0},
        {"guest TR unusable", [](VmxFixture& f) { f.w(GUEST_TR_AR_BYTES, 0x1008b); }, 0, 33, 0},
        {"guest TR type 9 (available)", [](VmxFixture& f) { f.w(GUEST_TR_AR_BYTES, 0x89); }, 0, 33, 0},
        {"guest TR selector TI", [](VmxFixture& f) { f.w(GUEST_TR_SELECTOR, 4); }, 0, 33, 0},
        {"guest LDTR type 3", [](VmxFixture& f) { f.w(GUEST_LDTR_AR_BYTES, 0x83); }, 0, 33, 0},
        {"guest GDTR limit above 16 bits", [](VmxFixture& f) { f.w(GUEST_GDTR_LIMIT, 0x10000); }, 0, 33, 0},
        {"guest IDTR base not canonical", [](VmxFixture& f) { f.w(GUEST_IDTR_BASE, 0x0000800000000000ull); }, 0, 33, 0},
        {"guest RIP above 4 GiB outside 64-bit mode", [](VmxFixture& f) { f.w(GUEST_RIP, uint64_t{1} << 32); }, 0, 33, 0},
        {"guest RFLAGS bit 1 clear", [](VmxFixture& f) { f.w(GUEST_RFLAGS, 0); }, 0, 33, 0},
        {"guest RFLAGS reserved bit 3", [](VmxFixture& f) { f.w(GUEST_RFLAGS, 0xa); }, 0, 33, 0},
        {"guest RFLAGS.VM with CR0.PE clear", [](VmxFixture& f) { f.w(GUEST_RFLAGS, 0x20002); }, 0, 33, 0},
        {"injected interrupt with IF clear", [](VmxFixture& f) { f.w(VM_ENTRY_INTR_INFO, kIntrValid | 0x20); }, 0, 33, 0},
        {"activity state 4", [](VmxFixture& f) { f.w(GUEST_ACTIVITY_STATE, 4); }, 0, 33, 0},
        {"injection into wait-for-SIPI", [](VmxFixture& f) { f.w(GUEST_ACTIVITY_STATE, 3); f.w(GUEST_RFLAGS, 0x202); f.w(VM_ENTRY_INTR_INFO, kIntrValid | 0x20); }, 0, 33, 0},
        {"blocking by STI with IF clear", [](VmxFixture& f) { f.w(GUEST_INTERRUPTIBILITY_INFO, 1); }, 0, 33, 0},
        {"blocking by STI and MOV SS", [](VmxFixture& f) { f.w(GUEST_RFLAGS, 0x202); f.w(GUEST_INTERRUPTIBILITY_INFO, 3); }, 0, 33, 0},
        {"blocking by SMI outside SMM", [](VmxFixture& f) { f.w(GUEST_INTERRUPTIBILITY_INFO, 4); }, 0, 33, 0},
        {"interruptibility reserved bit 5", [](VmxFixture& f) { f.w(GUEST_INTERRUPTIBILITY_INFO, 0x20); }, 0, 33, 0},
        {"HLT activity with blocking by MOV SS", [](VmxFixture& f) { f.w(GUEST_ACTIVITY_STATE, 1); f.w(GUEST_INTERRUPTIBILITY_INFO, 2); }, 0, 33, 0},
        {"pending debug exceptions bit 4", [](VmxFixture& f) { f.w(GUEST_PENDING_DBG_EXCEPTIONS, 0x10); }, 0, 33, 0},
        {"pending BS without TF under blocking", [](VmxFixture& f) { f.w(GUEST_INTERRUPTIBILITY_INFO, 2); f.w(GUEST_PENDING_DBG_EXCEPTIONS, 0x4000); }, 0, 33, 0},
        {"NMI injection under virtual-NMI blocking", [](VmxFixture& f) {
             f.w(PIN_BASED_VM_EXEC_CONTROL, 0x16 | pin::NmiExiting | pin::VirtualNmis);
             f.w(GUEST_INTERRUPTIBILITY_INFO, 8); f.w(VM_ENTRY_INTR_INFO, kIntrValid | 2u << 8 | 2); }, 0, 33, 3},
        {"VMCS link pointer misaligned", [](VmxFixture& f) { f.w(VMCS_LINK_POINTER, 0x3008); }, 0, 33, 4},
        {"VMCS link pointer with a bad revision", [](VmxFixture& f) { f.w(VMCS_LINK_POINTER, 0x4000); }, 0, 33, 4},
        {"PDPTE reserved bits with EPT and PAE paging", [](VmxFixture& f) {
             f.w(GUEST_CR0, 0x80000031); f.w(GUEST_CR4, 0x2020); f.w(GUEST_CS_AR_BYTES, 0x9b);
             f.w(GUEST_PDPTE1, 0x1000 | 1 | 0x80); }, 0, 33, 2},
        // 26.4 MSR loading
        {"entry MSR-load of IA32_FS_BASE", [](VmxFixture& f) {
             f.put64(0x8000, 0x174); f.put64(0x8008, 0); f.put64(0x8010, 0xc0000100); f.put64(0x8018, 0);
             f.w(VM_ENTRY_MSR_LOAD_COUNT, 2); f.w(VMENTRY_MSR_LOAD_ADDR, 0x8000); }, 0, 34, 2},
        {"entry MSR-load entry with reserved bits", [](VmxFixture& f) {
             f.put64(0x8000, uint64_t{1} << 40 | 0x10); f.put64(0x8008, 0);
             f.w(VM_ENTRY_MSR_LOAD_COUNT, 1); f.w(VMENTRY_MSR_LOAD_ADDR, 0x8000); }, 0, 34, 1},
    };
    return cases;
}

} // namespace

TEST_CASE("VM-entry checks: each bad control, host or guest field fails as the SDM says", "[x86][vmx][unit]") {
    {
        VmxFixture f;
        f.enter_vmx();
        f.valid_vmcs();
        REQUIRE(f.core->vmlaunch() == V::Succeed);   // the baseline enters
    }
    for (const EntryCase& ec : entry_cases()) {
        INFO(ec.what);
        VmxFixture f;
        Core& c = *f.core;
        f.enter_vmx();
        f.valid_vmcs();
        ec.change(f);
        const V s = c.vmlaunch();
        if (ec.error) {
            CHECK(s == V::FailValid);
            CHECK(c.vm_instruction_error() == ec.error);
            CHECK(c.in_vmx());
            CHECK_FALSE(c.in_non_root());
        } else {
            CHECK(s == V::EntryFailed);
            CHECK(f.r(VM_EXIT_REASON) == (ec.reason | vx::kEntryFailure));
            CHECK(f.r(EXIT_QUALIFICATION) == ec.qual);
            CHECK_FALSE(c.in_non_root());
            CHECK(c.rip == f.kHostRip);
            CHECK(c.gpr[4] == f.kHostRsp);
            CHECK(c.vmlaunch() != V::FailValid);   // still clear: no error 4
        }
    }
}
