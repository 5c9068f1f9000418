// VMX with guests that execute: the decoder and the system handlers call
// the intercepts (exits with their information fields), and VM-entry event
// injection through the guest's IVT.
#include "tests/isa/x86_vmx_fixture.hpp"

using namespace hvemu::x86;
using namespace hvemu::x86::test;
namespace vx = hvemu::x86::vmx;

namespace {
// run() of one instruction; true when it ended in a VM exit.
bool run_to_exit(Core& c, uint64_t n = 1) {
    const StopReason s = c.run(n);
    return s == StopReason::VmExit || c.take_vmexit();
}
} // namespace

TEST_CASE("Guest instructions exit: CPUID, VMCALL, OUT, EPT violation", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    SECTION("CPUID") {
        f.mem.write_block(f.kGuestRip, "\x0f\xa2", 2);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK(run_to_exit(c));
        CHECK(f.r(VM_EXIT_REASON) == vx::Cpuid);
        CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 2);
        CHECK(f.r(GUEST_RIP) == f.kGuestRip);
        CHECK_FALSE(c.in_non_root());
    }
    SECTION("VMCALL") {
        f.mem.write_block(f.kGuestRip, "\x0f\x01\xc1", 3);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK(run_to_exit(c));
        CHECK(f.r(VM_EXIT_REASON) == vx::Vmcall);
        CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 3);
    }
    SECTION("OUT DX, AL with unconditional I/O exiting") {
        f.w(CPU_BASED_VM_EXEC_CONTROL, 0x84006172 | vx::proc::UncondIo);
        f.mem.write_block(f.kGuestRip, "\xba\xf8\x03\xee", 4);   // mov dx, 0x3f8; out dx, al
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK(run_to_exit(c, 2));
        CHECK(f.r(VM_EXIT_REASON) == vx::IoInstruction);
        CHECK(f.r(EXIT_QUALIFICATION) == (0x3f8ull << 16));
        CHECK(f.r(VM_EXIT_INSTRUCTION_LEN) == 1);
        CHECK(f.r(GUEST_RIP) == f.kGuestRip + 3);
    }
    SECTION("a load from a GPA EPT does not map") {
        // 4 KiB EPT table for the first 2 MiB: everything but page 0x9000
        const uint64_t pt = 0x30000;
        for (uint64_t i = 0; i < 512; ++i) f.put64(pt + 8 * i, i == 9 ? 0 : (i << 12) | 0x30 | 7);
        f.put64(f.kEpt + 0x2000, pt | 7);
        f.mem.write_block(f.kGuestRip, "\xa0\x10\x90", 3);   // mov al, [0x9010]
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK(run_to_exit(c));
        CHECK(f.r(VM_EXIT_REASON) == vx::EptViolation);
        CHECK(f.r(GUEST_PHYSICAL_ADDRESS) == 0x9010);
        CHECK(f.r(GUEST_LINEAR_ADDRESS) == 0x9010);
        CHECK(f.r(EXIT_QUALIFICATION) == (vx::eptq::Read | vx::eptq::LinearValid | vx::eptq::Final));
        CHECK(f.r(GUEST_RIP) == f.kGuestRip);
    }
}

TEST_CASE("Event injection delivers through the guest IVT", "[x86][vmx][unit]") {
    VmxFixture f;
    Core& c = *f.core;
    f.enter_vmx();
    f.valid_vmcs();
    f.put32(0x20 * 4, 0x7100);   // IVT[0x20] = 0000:7100
    f.put32(6 * 4, 0x7200);      // IVT[6] = 0000:7200
    f.put32(0x80 * 4, 0x7300);
    f.w(GUEST_RSP, 0x8000);
    f.w(GUEST_RFLAGS, 0x202);
    SECTION("external interrupt") {
        f.w(VM_ENTRY_INTR_INFO, vx::kIntrValid | 0x20);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK(c.rip == 0x7100);
        CHECK(c.gpr[4] == 0x8000 - 6);
        uint16_t frame[3] = {};
        f.mem.read_block(0x8000 - 6, frame, 6);
        CHECK(frame[0] == f.kGuestRip);
        CHECK((c.rflags & rflags::IF) == 0);
        // the valid bit is cleared on the next exit
        c.vm_exit(vx::Cpuid);
        CHECK((f.r(VM_ENTRY_INTR_INFO) & vx::kIntrValid) == 0);
    }
    SECTION("a hardware exception in the exception bitmap is still delivered") {
        f.w(EXCEPTION_BITMAP, 1u << 6);
        f.w(VM_ENTRY_INTR_INFO, vx::kIntrValid | 3u << 8 | 6);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK(c.in_non_root());
        CHECK(c.rip == 0x7200);
    }
    SECTION("a software interrupt returns past the instruction length") {
        f.w(VM_ENTRY_INTR_INFO, vx::kIntrValid | 4u << 8 | 0x80);
        f.w(VM_ENTRY_INSTRUCTION_LEN, 2);
        REQUIRE(c.vmlaunch() == V::Succeed);
        CHECK(c.rip == 0x7300);
        uint16_t ip = 0;
        f.mem.read_block(0x8000 - 6, &ip, 2);
        CHECK(ip == f.kGuestRip + 2);
    }
}
