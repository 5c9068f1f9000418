// The x86 vCPU on a VMX core: real-mode reset state and the controls taken
// from the capability MSRs, the state machine through VCpu<A>, each exit
// kind with the RIP it leaves (the contract in x86_vcpu.hpp), MMIO decode
// of MOV / ALU / XCHG forms, string I/O, CPUID / CR0 / XSETBV served
// inside, the injection rules (exceptions at once, IF and the STI shadow,
// interrupt-window exiting), host interrupts, time slices, the
// preemption-timer deadline, triple faults and entry failures.
#include <catch2/catch.hpp>

#include <cstring>

#include "isa/x86/vmcs_fields.hpp"
#include "isa/x86/vmx_defs.hpp"
#include "tests/vcpu/x86_vcpu_fixture.hpp"
#include "vcpu/mmio.hpp"
#include "vcpu/vcpu.hpp"

using namespace hvemu::vcpu;
using namespace hvemu::vcpu::x86;
using namespace hvemu::vcpu::x86::test;
namespace vf = hvemu::x86::vmcs;
namespace vmx = hvemu::x86::vmx;

namespace {
uint64_t vmcs(X86Fixture& f, uint32_t field) {
    uint64_t v = 0;
    REQUIRE(f.cpu().core().vmread(field, v) == hvemu::x86::Core::VmxStatus::Succeed);
    return v;
}
// A real-mode IVT entry: vector -> seg:0.
void ivt(X86Fixture& f, uint8_t vector, uint16_t seg) {
    f.put16(vector * 4u, 0);
    f.put16(vector * 4u + 2, seg);
}
} // namespace

TEST_CASE("x86 vCPU through VCpu<A>: real-mode reset, controls from the capability MSRs, VMCALL", "[vcpu][x86]") {
    X86Fixture f;
    auto c = VCpu<X86VCpu>::create(1, 0, CreateConfig{f.frames.get(), 0});
    REQUIRE(c.ok());
    VCpu<X86VCpu> v = std::move(c.value());
    CHECK(v.state() == VCpuState::Created);
    REQUIRE(v.setup(kEntry, f.ept->root(), {}).ok());
    CHECK(v.state() == VCpuState::Free);
    // mov ax, 0x42; mov di, 7; vmcall; hlt
    f.put(kEntry, {0xb8, 0x42, 0x00, 0xbf, 0x07, 0x00, 0x0f, 0x01, 0xc1, 0xf4});
    REQUIRE(v.bind().ok());
    CHECK(v.state() == VCpuState::Ready);
    const auto r = v.run();
    const auto& h = as<exit::Hypercall>(r);
    CHECK(h.nr == 0x42);
    CHECK(h.args[0] == 7);                        // RDI
    CHECK(v.arch().last_exit().trap_rip == 6);
    CHECK(v.arch().rip() == 9);                   // + the VMCALL's length
    CHECK(v.arch().cs_base() == kEntry);
    // What bind programmed: the controls the hypervisor asked for, allowed
    // by the capability MSRs, and the real-mode guest.
    CHECK(vmcs(f, vf::CPU_BASED_VM_EXEC_CONTROL) & vmx::proc::HltExiting);
    CHECK(vmcs(f, vf::CPU_BASED_VM_EXEC_CONTROL) & vmx::proc::IoBitmaps);
    CHECK(vmcs(f, vf::CPU_BASED_VM_EXEC_CONTROL) & vmx::proc::MsrBitmaps);
    const uint64_t p2 = vmcs(f, vf::SECONDARY_VM_EXEC_CONTROL);
    CHECK((p2 & (vmx::proc2::Ept | vmx::proc2::Unrestricted | vmx::proc2::Vpid)) ==
          (vmx::proc2::Ept | vmx::proc2::Unrestricted | vmx::proc2::Vpid));
    CHECK(vmcs(f, vf::VIRTUAL_PROCESSOR_ID) == 1);
    CHECK((vmcs(f, vf::EPT_POINTER) & ~0xfffull) == f.ept->root());
    CHECK(vmcs(f, vf::CR0_READ_SHADOW) == 0x60000010);
    CHECK((vmcs(f, vf::GUEST_CR0) & 0x21) == 0x20);       // NE forced, PE clear
    CHECK(vmcs(f, vf::GUEST_CR4) & (1u << 13));           // VMXE forced
    CHECK(vmcs(f, vf::GUEST_CS_SELECTOR) == 0x100);
    v.set_return_value(5);
    CHECK(v.arch().gpr(0) == 5);
    // Unbind (VMCLEAR) and bind again (VMPTRLD): the guest continues.
    REQUIRE(v.unbind().ok());
    CHECK(v.state() == VCpuState::Free);
    REQUIRE(v.bind().ok());
    const auto r2 = v.run();
    as<exit::Halt>(r2);
    CHECK(v.arch().rip() == 10);
    CHECK(v.arch().gpr(0) == 5);
    // A call in the wrong state makes the vCPU Invalid.
    REQUIRE(v.unbind().ok());
    CHECK_FALSE(v.run().ok());
    CHECK(v.state() == VCpuState::Invalid);
}

TEST_CASE("x86 vCPU: create and setup errors", "[vcpu][x86]") {
    X86Fixture f;
    CHECK_FALSE(X86VCpu::create(1, 0, CreateConfig{nullptr, 0}).ok());
    auto r = X86VCpu::create(1, 0, CreateConfig{f.frames.get(), 0});
    REQUIRE(r.ok());
    X86VCpu v = std::move(r.value());
    CHECK_FALSE(v.setup({}).ok());                 // no EPT root yet
    CHECK_FALSE(v.set_ept_root(0x1234).ok());      // misaligned
    CHECK_FALSE(v.set_entry(0x1'0000'0000).ok());  // not reachable in real mode
    CHECK_FALSE(v.bind().ok());                    // not set up
    CHECK_FALSE(v.inject_interrupt(256).ok());
}

TEST_CASE("x86 vCPU: port I/O exits, RIP past the instruction, IN merged into AL", "[vcpu][x86]") {
    X86Fixture f;
    // mov ax, 0x1241; out 0xe9, al; in al, 0x60; mov dx, 0x3f8; in ax, dx; hlt
    f.put(kEntry, {0xb8, 0x41, 0x12, 0xe6, 0xe9, 0xe4, 0x60, 0xba, 0xf8, 0x03, 0xed, 0xf4});
    X86VCpu v = f.bound();
    const auto w = as<exit::IoWrite>(v.run());
    CHECK(w.port == 0xe9);
    CHECK(w.width == AccessWidth::Byte);
    CHECK(w.data == 0x41);
    CHECK(v.rip() == 5);
    const auto rd = as<exit::IoRead>(v.run());
    CHECK(rd.port == 0x60);
    CHECK(v.rip() == 7);
    v.set_gpr(0, 0xff7f);                 // a byte read: only AL changes
    CHECK(v.gpr(0) == 0x127f);
    const auto rd2 = as<exit::IoRead>(v.run());
    CHECK(rd2.port == 0x3f8);
    CHECK(rd2.width == AccessWidth::Word);
    v.set_gpr(0, 0xabcd);
    CHECK(v.gpr(0) == 0xabcd);
    as<exit::Halt>(v.run());
    CHECK(v.rip() == 12);
}

TEST_CASE("x86 vCPU: REP OUTSB and INSB exit once per element", "[vcpu][x86]") {
    X86Fixture f;
    f.put(0x3000, {'h', 'i', '!'});
    // mov si, 0x3000; mov cx, 3; mov dx, 0xe9; rep outsb;
    // mov di, 0x3100; mov cx, 2; rep insb; hlt
    f.put(kEntry, {0xbe, 0x00, 0x30, 0xb9, 0x03, 0x00, 0xba, 0xe9, 0x00, 0xf3, 0x6e,
                   0xbf, 0x00, 0x31, 0xb9, 0x02, 0x00, 0xf3, 0x6c, 0xf4});
    X86VCpu v = f.bound();
    const char want[] = "hi!";
    for (int k = 0; k < 3; ++k) {
        const auto w = as<exit::IoWrite>(v.run());
        CHECK(w.port == 0xe9);
        CHECK(w.data == static_cast<uint8_t>(want[k]));
        CHECK(v.gpr(1) == static_cast<uint64_t>(2 - k));   // CX counts down
        CHECK(v.rip() == (k < 2 ? 9u : 11u));               // past REP OUTSB after the last element
    }
    CHECK(v.gpr(6) == 0x3003);
    for (int k = 0; k < 2; ++k) {
        as<exit::IoRead>(v.run());
        v.set_gpr(0, 0x70 + k);   // stored at ES:DI, not into AL
    }
    as<exit::Halt>(v.run());
    CHECK(f.get8(0x3100) == 0x70);
    CHECK(f.get8(0x3101) == 0x71);
    CHECK(v.gpr(7) == 0x3102);
}

TEST_CASE("x86 vCPU: RDMSR/WRMSR exits advance RIP; a refused MSR becomes #GP", "[vcpu][x86]") {
    X86Fixture f;
    ivt(f, 13, 0x200);
    f.put(0x2000, r16::kVmcall);   // the #GP handler
    // mov ecx, 0x4b564dff; rdmsr; wrmsr; rdmsr; (pass-through) mov ecx, 0xc0000080; rdmsr; vmcall
    f.put(kEntry, {0x66, 0xb9, 0xff, 0x4d, 0x56, 0x4b, 0x0f, 0x32, 0x0f, 0x30, 0x0f, 0x32});
    f.put(kEntry + 12, {0x66, 0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32, 0x0f, 0x01, 0xc1});
    X86VCpu v = f.bound();
    const auto r = as<exit::SysRegRead>(v.run());
    CHECK(r.addr == 0x4b564dff);
    CHECK(v.rip() == 8);
    v.set_gpr(0, 0x1122334455667788ull);   // EDX:EAX
    CHECK(v.gpr(0) == 0x55667788);
    CHECK(v.gpr(2) == 0x11223344);
    const auto w = as<exit::SysRegWrite>(v.run());
    CHECK(w.addr == 0x4b564dff);
    CHECK(w.value == 0x1122334455667788ull);
    CHECK(v.rip() == 10);
    as<exit::SysRegRead>(v.run());
    v.fault_last_exit(13);                 // no such MSR: the RDMSR faults instead
    CHECK(v.rip() == 10);
    as<exit::Hypercall>(v.run());          // from the #GP handler
    CHECK(v.cs_base() == 0x2000);
    // The handler's frame returns to the RDMSR.
    uint16_t ret_ip = 0;
    f.mem.read_block(kGuestHpa + v.gpr(4), &ret_ip, 2);
    CHECK(ret_ip == 10);
}

TEST_CASE("x86 vCPU: EFER passes through the MSR bitmap", "[vcpu][x86]") {
    X86Fixture f;
    f.put(kEntry, {0x66, 0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32, 0x0f, 0x01, 0xc1});
    X86VCpu v = f.bound();
    as<exit::Hypercall>(v.run());
    CHECK(v.gpr(0) == 0);   // EFER of the real-mode guest
}

TEST_CASE("x86 vCPU: MMIO exits decoded from the instruction", "[vcpu][x86]") {
    X86Fixture f;
    // mov ax, 0x1000; mov ds, ax   (DS base = kMmio)
    f.put(kEntry, {0xb8, 0x00, 0x10, 0x8e, 0xd8});
    uint64_t at = kEntry + 5;
    auto code = [&](std::initializer_list<uint8_t> b) {
        f.put(at, b);
        at += b.size();
    };
    code({0xc6, 0x06, 0x10, 0x00, 0x5a});               // mov byte [0x10], 0x5a
    code({0xbb, 0x34, 0x12, 0x89, 0x1e, 0x20, 0x00});   // mov bx, 0x1234; mov [0x20], bx
    code({0xa1, 0x22, 0x00});                           // mov ax, [0x22]
    code({0x8a, 0x26, 0x25, 0x00});                     // mov ah, [0x25]
    code({0x66, 0x0f, 0xbe, 0x0e, 0x26, 0x00});         // movsx ecx, byte [0x26]
    code({0x83, 0x0e, 0x40, 0x00, 0x03});               // or word [0x40], 3
    code({0x87, 0x1e, 0x50, 0x00});                     // xchg [0x50], bx
    code({0xf6, 0x06, 0x60, 0x00, 0x01});               // test byte [0x60], 1
    code({0xf4});
    X86VCpu v = f.bound();
    const auto st = as<exit::MmioWrite>(v.run());
    CHECK(st.addr == kMmio + 0x10);
    CHECK(st.width == AccessWidth::Byte);
    CHECK(st.data == 0x5a);
    CHECK(v.rip() == 10);
    const auto st2 = as<exit::MmioWrite>(v.run());
    CHECK(st2.addr == kMmio + 0x20);
    CHECK(st2.width == AccessWidth::Word);
    CHECK(st2.data == 0x1234);
    CHECK(v.rip() == 17);
    // mov ax, [0x22]: a word into AX
    v.set_gpr(0, 0xdead0000ffffull);
    const auto ld = as<exit::MmioRead>(v.run());
    CHECK(ld.addr == kMmio + 0x22);
    CHECK(ld.reg == 0);
    CHECK(ld.width == AccessWidth::Word);
    CHECK(v.rip() == 20);
    v.set_gpr(ld.reg, complete_mmio_read(ld, 0xbeef));
    CHECK(v.gpr(0) == 0xdead0000beefull);   // the upper bits stay
    // mov ah, [0x25]: bits 15:8 of RAX
    const auto ah = as<exit::MmioRead>(v.run());
    CHECK(ah.reg == 0);
    v.set_gpr(ah.reg, complete_mmio_read(ah, 0x77));
    CHECK(v.gpr(0) == 0xdead000077efull);
    // movsx ecx, byte [0x26]: sign-extended to 32 bits, zero above
    const auto sx = as<exit::MmioRead>(v.run());
    CHECK(sx.reg == 1);
    CHECK(sx.signed_ext);
    CHECK(sx.reg_width == AccessWidth::Dword);
    v.set_gpr(sx.reg, complete_mmio_read(sx, 0x80));
    CHECK(v.gpr(1) == 0xffffff80ull);
    CHECK(v.rip() == 30);
    // or word [0x40], 3: the read into the latch (RIP unchanged), then the write
    const auto rmw = as<exit::MmioRead>(v.run());
    CHECK(rmw.reg == X86VCpu::kMmioLatch);
    CHECK(rmw.addr == kMmio + 0x40);
    CHECK(v.rip() == 30);
    v.set_gpr(rmw.reg, complete_mmio_read(rmw, 0x8100));
    const auto rmw_w = as<exit::MmioWrite>(v.run());
    CHECK(rmw_w.data == 0x8103);
    CHECK(v.rip() == 35);
    CHECK((v.rflags() & hvemu::x86::rflags::SF) != 0);
    // xchg [0x50], bx
    const auto xr = as<exit::MmioRead>(v.run());
    v.set_gpr(xr.reg, complete_mmio_read(xr, 0x5555));
    const auto xw = as<exit::MmioWrite>(v.run());
    CHECK(xw.data == 0x1234);
    CHECK(v.gpr(3) == 0x5555);
    CHECK(v.rip() == 39);
    // test byte [0x60], 1: flags only
    const auto t = as<exit::MmioRead>(v.run());
    CHECK(v.rip() == 44);
    v.set_gpr(t.reg, complete_mmio_read(t, 0x02));
    CHECK((v.rflags() & hvemu::x86::rflags::ZF) != 0);
    as<exit::Halt>(v.run());
}

TEST_CASE("x86 vCPU: an instruction fetch from unmapped memory is a nested page fault", "[vcpu][x86]") {
    X86Fixture f;
    // jmp 0x1000:0 (far jump into the device hole)
    f.put(kEntry, {0xea, 0x00, 0x00, 0x00, 0x10});
    X86VCpu v = f.bound();
    const auto n = as<exit::NestedPageFault>(v.run());
    CHECK(n.addr == kMmio);
    CHECK(n.access_flags == mapping::EXECUTE);
    CHECK(v.rip() == 0);   // not advanced
}

TEST_CASE("x86 vCPU: HLT halts past it; CPUID, CR0 and XSETBV are served inside", "[vcpu][x86]") {
    X86Fixture f;
    uint64_t at = kEntry;
    auto code = [&](std::initializer_list<uint8_t> b) {
        f.put(at, b);
        at += b.size();
    };
    code({0x66, 0xb8, 0x00, 0x00, 0x00, 0x40, 0x0f, 0xa2});   // mov eax, 0x40000000; cpuid
    code({0x0f, 0x01, 0xc1});                                 // vmcall (report)
    code({0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xa2});   // mov eax, 1; cpuid
    code({0x0f, 0x01, 0xc1});
    code({0x0f, 0x20, 0xc0, 0x66, 0x83, 0xc8, 0x20, 0x0f, 0x22, 0xc0});   // mov eax, cr0; or eax, 0x20; mov cr0, eax
    code({0x0f, 0x20, 0xc0, 0x0f, 0x01, 0xc1});                           // mov eax, cr0; vmcall
    code({0x0f, 0x20, 0xe0, 0x66, 0x0d, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x22, 0xe0});   // cr4 |= OSXSAVE
    code({0x66, 0x31, 0xc9, 0x66, 0x31, 0xd2, 0x66, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xd1});   // xsetbv 3
    code({0xf4});
    X86VCpu v = f.bound();
    const auto n1 = as<exit::Nothing>(v.run());   // CPUID
    (void)n1;
    CHECK(v.rip() == 8);
    as<exit::Hypercall>(v.run());
    char sig[13] = {};
    const uint32_t regs[3] = {static_cast<uint32_t>(v.gpr(3)), static_cast<uint32_t>(v.gpr(1)),
                              static_cast<uint32_t>(v.gpr(2))};
    std::memcpy(sig, regs, 12);
    CHECK(std::string(sig) == "hvemu");
    CHECK(v.gpr(0) == 0x40000001);
    as<exit::Nothing>(v.run());
    as<exit::Hypercall>(v.run());
    CHECK((v.gpr(1) >> 31) == 1);          // hypervisor present
    CHECK(((v.gpr(1) >> 5) & 1) == 0);     // no VMX for the guest
    as<exit::Nothing>(v.run());            // MOV to CR0 (NE is the host's)
    as<exit::Hypercall>(v.run());
    CHECK(v.gpr(0) == 0x60000030);         // the guest reads back what it wrote
    as<exit::Nothing>(v.run());            // XSETBV (CR4.OSXSAVE does not exit)
    CHECK(v.guest_xcr0() == 3);
    const uint64_t before = v.rip();
    as<exit::Halt>(v.run());
    CHECK(v.last_exit().trap_rip == before);
    CHECK(v.rip() == before + 1);
}

TEST_CASE("x86 vCPU: injection rules and interrupt-window exiting", "[vcpu][x86]") {
    X86Fixture f;
    ivt(f, 0x30, 0x200);
    ivt(f, 0x05, 0x300);
    f.put(0x2000, r16::kVmcall);   // vector 0x30
    f.put(0x3000, {0xb8, 0x05, 0x00, 0x0f, 0x01, 0xc1});   // vector 5: mov ax, 5; vmcall
    // cli; vmcall; sti; nop; vmcall
    f.put(kEntry, {0xfa, 0x0f, 0x01, 0xc1, 0xfb, 0x90, 0x0f, 0x01, 0xc1});
    X86VCpu v = f.bound();
    as<exit::Hypercall>(v.run());
    CHECK(v.rip() == 4);
    REQUIRE(v.inject_interrupt(0x30).ok());
    REQUIRE(v.inject_interrupt(5).ok());
    CHECK(v.queued_interrupts() == 2);
    CHECK_FALSE(v.has_wakeup());           // IF = 0 and the head is not an exception
    // IF = 0: the interrupt waits, interrupt-window exiting is turned on;
    // the window opens after STI and the NOP in its shadow.
    const auto w = as<exit::Nothing>(v.run());
    (void)w;
    CHECK((v.last_exit().reason & 0xffff) == vmx::InterruptWindow);
    CHECK(v.rip() == 6);
    as<exit::Hypercall>(v.run());          // from the 0x30 handler
    CHECK(v.cs_base() == 0x2000);
    CHECK(v.queued_interrupts() == 1);
    // An exception vector goes in at once (IF is 0 inside the handler).
    const auto e = as<exit::Hypercall>(v.run());
    CHECK(e.nr == 5);
    CHECK(v.cs_base() == 0x3000);
    CHECK(v.queued_interrupts() == 0);
}

TEST_CASE("x86 vCPU: host interrupts, time slices and the timer deadline leave RIP alone", "[vcpu][x86]") {
    X86Fixture f;
    f.put(kEntry, r16::kSelf);
    X86VCpu v = f.bound();
    v.set_run_budget(100);
    as<exit::Nothing>(v.run());
    CHECK(v.last_exit().reason == X86VCpu::kSliceExit);
    CHECK(v.rip() == 0);
    f.cpu().raise_host_irq(0x41);
    const auto x = as<exit::ExternalInterrupt>(v.run());
    CHECK(x.vector == 0x41);
    CHECK(v.rip() == 0);
    v.set_run_budget(1'000'000);
    v.set_timer_deadline(f.cpu().cycles() + 500);
    as<exit::Nothing>(v.run());
    CHECK((v.last_exit().reason & 0xffff) == vmx::PreemptionTimer);
    CHECK(f.cpu().cycles() >= 500);
    CHECK(v.rip() == 0);
}

TEST_CASE("x86 vCPU: a triple fault is SystemDown, a bad guest state FailEntry", "[vcpu][x86]") {
    X86Fixture f;
    SECTION("triple fault") {
        // lidt [0x100] with limit 0, then int3: #GP, #DF, shutdown
        f.put(0x1100, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
        f.put(kEntry, {0x0f, 0x01, 0x1e, 0x00, 0x01, 0xcc});
        X86VCpu v = f.bound();
        as<exit::SystemDown>(v.run());
    }
    SECTION("entry failure") {
        f.put(kEntry, r16::kHlt);
        X86VCpu v = f.bound();
        as<exit::Halt>(v.run());
        // RFLAGS bit 1 clear is an invalid guest state (SDM 26.3.1.4).
        REQUIRE(f.cpu().core().vmwrite(vf::GUEST_RFLAGS, 0) == hvemu::x86::Core::VmxStatus::Succeed);
        const auto fe = as<exit::FailEntry>(v.run());
        CHECK(fe.hardware_entry_failure_reason == vmx::EntryFailGuest);
    }
}

TEST_CASE("x86 vCPU: the context moves between physical CPUs", "[vcpu][x86]") {
    X86Fixture f(2);
    // mov bx, 0x77; vmcall; inc bx; vmcall
    f.put(kEntry, {0xbb, 0x77, 0x00, 0x0f, 0x01, 0xc1, 0x43, 0x0f, 0x01, 0xc1});
    X86VCpu v = f.bound();
    as<exit::Hypercall>(v.run());
    REQUIRE(v.unbind().ok());
    CHECK(v.gpr(3) == 0x77);
    f.cpu(1).make_current();
    REQUIRE(v.bind().ok());
    CHECK(v.bound_cpu() == &f.cpu(1));
    as<exit::Hypercall>(v.run());
    CHECK(v.gpr(3) == 0x78);
    CHECK(v.rip() == 10);
}

TEST_CASE("x86 vCPU: a start-up IPI entry is real mode at vector << 12", "[vcpu][x86]") {
    X86Fixture f;
    f.put(0x8000, {0x8c, 0xc8, 0x0f, 0x01, 0xc1});   // mov ax, cs; vmcall
    X86VCpu v = f.vcpu(1, 0x8000);
    REQUIRE(v.bind().ok());
    as<exit::Hypercall>(v.run());
    CHECK(v.gpr(0) == 0x800);
    CHECK(v.rip() == 5);
}
