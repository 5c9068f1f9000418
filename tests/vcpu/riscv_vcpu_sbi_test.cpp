// SBI calls from a guest: each extension the RISC-V vCPU serves, the exits
// it produces, a0/a1 and the pc advance of every call.
#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "tests/vcpu/riscv_vcpu_fixture.hpp"
#include "vcpu/riscv/sbi.hpp"

using namespace hvemu::vcpu;
using namespace hvemu::vcpu::riscv;
using namespace hvemu::vcpu::riscv::test;

namespace {

// A guest made of ecalls; each call() sets a7/a6/a0..a5 and runs one.
struct SbiGuest {
    VmFixture f;
    RiscvVCpu v;
    std::string out;
    std::string in;

    SbiGuest() : v(f.vcpu()) {
        for (unsigned i = 0; i < 256; ++i) f.put32(kEntry + 4 * i, kEcall);
        SbiHost host;
        host.console_putchar = [this](uint8_t c) { out.push_back(static_cast<char>(c)); };
        host.console_getchar = [this]() -> int {
            if (in.empty()) return -1;
            const int c = static_cast<unsigned char>(in.front());
            in.erase(in.begin());
            return c;
        };
        v.set_sbi_host(host);
        REQUIRE(v.bind().ok());
    }

    ExitReason call(uint64_t eid, uint64_t fid, std::array<uint64_t, 6> a = {}) {
        v.set_gpr(17, eid);
        v.set_gpr(16, fid);
        for (unsigned i = 0; i < 6; ++i) v.set_gpr(10 + i, a[i]);
        const uint64_t pc0 = v.pc();
        ExitReason e = run_ok(v);
        CHECK(v.last_trap().scause == hvemu::rv::cause::ECALL_VS);
        CHECK(v.last_trap().sepc == pc0);
        CHECK(v.pc() == pc0 + 4);   // every SBI call: +4
        return e;
    }
    int64_t a0() const { return static_cast<int64_t>(v.gpr(10)); }
    uint64_t a1() const { return v.gpr(11); }
};

bool is_nothing(const ExitReason& e) { return std::holds_alternative<exit::Nothing>(e); }

} // namespace

TEST_CASE("SBI BASE: version, implementation, probe, machine ids", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    CHECK(is_nothing(g.call(sbi::eid::BASE, sbi::base_fid::GET_SPEC_VERSION)));
    CHECK(g.a0() == 0);
    CHECK(g.a1() == 0x02000000);   // 2.0
    CHECK(is_nothing(g.call(sbi::eid::BASE, sbi::base_fid::GET_IMPL_ID)));
    CHECK(g.a1() == sbi::kImplId);
    CHECK(is_nothing(g.call(sbi::eid::BASE, sbi::base_fid::GET_IMPL_VERSION)));
    CHECK(g.a1() == sbi::kImplVersion);
    for (uint64_t eid : {sbi::eid::TIME, sbi::eid::IPI, sbi::eid::RFENCE, sbi::eid::HSM, sbi::eid::SRST,
                         sbi::eid::DBCN, sbi::eid::HYPERCALL, sbi::eid::LEGACY_PUTCHAR}) {
        CHECK(is_nothing(g.call(sbi::eid::BASE, sbi::base_fid::PROBE_EXTENSION, {eid})));
        CHECK(g.a0() == 0);
        CHECK(g.a1() == 1);
    }
    CHECK(is_nothing(g.call(sbi::eid::BASE, sbi::base_fid::PROBE_EXTENSION, {0x504D55})));   // PMU: absent
    CHECK(g.a0() == 0);
    CHECK(g.a1() == 0);
    for (uint64_t fid : {sbi::base_fid::GET_MVENDORID, sbi::base_fid::GET_MARCHID, sbi::base_fid::GET_MIMPID}) {
        CHECK(is_nothing(g.call(sbi::eid::BASE, fid)));
        CHECK(g.a0() == 0);
        CHECK(g.a1() == 0);
    }
    CHECK(is_nothing(g.call(sbi::eid::BASE, 99)));
    CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);
}

TEST_CASE("SBI unknown extensions return NOT_SUPPORTED without an exit", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    for (uint64_t eid : {0x504D55ull, 0x0Aull, 0x12345678ull}) {
        CHECK(is_nothing(g.call(eid, 0, {7, 7})));
        CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);
    }
    // EIDs are 32-bit: junk above bit 31 is ignored.
    CHECK(is_nothing(g.call(0xFFFFFFFF00000010ull, sbi::base_fid::GET_SPEC_VERSION)));
    CHECK(g.a0() == 0);
    CHECK(g.a1() == 0x02000000);
}

TEST_CASE("SBI legacy console, timer and shutdown", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    CHECK(is_nothing(g.call(sbi::eid::LEGACY_PUTCHAR, 0, {'h'})));
    CHECK(is_nothing(g.call(sbi::eid::LEGACY_PUTCHAR, 0, {0x100 | 'i'})));
    CHECK(g.out == "hi");
    g.in = "x";
    CHECK(is_nothing(g.call(sbi::eid::LEGACY_GETCHAR, 0)));
    CHECK(g.a0() == 'x');
    CHECK(is_nothing(g.call(sbi::eid::LEGACY_GETCHAR, 0)));
    CHECK(g.a0() == -1);
    CHECK(is_nothing(g.call(sbi::eid::LEGACY_SET_TIMER, 0, {123456})));
    CHECK(g.a0() == 0);
    CHECK(g.v.timer_deadline() == std::nullopt);   // armed, but STIE is off in the guest
    CHECK(g.f.cpu().hart().csr.vstimecmp == 123456);
    as<exit::SystemDown>(g.call(sbi::eid::LEGACY_SHUTDOWN, 0));
    CHECK(g.v.last_reset().type == 0);
}

TEST_CASE("SBI TIME set_timer programs vstimecmp and withdraws VSTIP", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    REQUIRE(g.v.inject_interrupt(5).ok());
    CHECK((g.v.pending_interrupts(0) & (1u << 5)) != 0);
    CHECK(is_nothing(g.call(sbi::eid::TIME, 0, {1000})));
    CHECK(g.a0() == 0);
    CHECK(g.f.cpu().hart().csr.vstimecmp == 1000);
    CHECK((g.f.cpu().hart().csr.hvip & hvemu::rv::irq::bit(hvemu::rv::irq::VSTI)) == 0);
    CHECK((g.v.pending_interrupts(0) & (1u << 5)) == 0);
    CHECK((g.v.pending_interrupts(1000) & (1u << 5)) != 0);   // the comparator itself
    CHECK(is_nothing(g.call(sbi::eid::TIME, 1)));
    CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);
}

TEST_CASE("SBI IPI send_ipi becomes SendIpi with the hart mask", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    auto e = as<exit::SendIpi>(g.call(sbi::eid::IPI, 0, {0b1010, 4}));
    CHECK(e.target_cpu == 0b1010);
    CHECK(e.target_cpu_aux == 4);
    CHECK_FALSE(e.send_to_all);
    CHECK_FALSE(e.send_to_self);
    CHECK(e.vector == 1);
    CHECK(g.a0() == 0);
    auto all = as<exit::SendIpi>(g.call(sbi::eid::IPI, 0, {0, ~0ull}));
    CHECK(all.send_to_all);
    // Legacy send_ipi: the mask is read from guest memory at a0.
    g.f.put64(kGuestData, 0b110);
    auto leg = as<exit::SendIpi>(g.call(sbi::eid::LEGACY_SEND_IPI, 0, {kGuestData}));
    CHECK(leg.target_cpu == 0b110);
    CHECK(leg.target_cpu_aux == 0);
    CHECK(is_nothing(g.call(sbi::eid::LEGACY_SEND_IPI, 0, {kMmio})));
    CHECK(g.a0() == sbi::ERR_INVALID_ADDRESS);
    // Legacy clear_ipi withdraws VSSIP.
    REQUIRE(g.v.inject_interrupt(1).ok());
    CHECK(is_nothing(g.call(sbi::eid::LEGACY_CLEAR_IPI, 0)));
    CHECK((g.f.cpu().hart().csr.hvip & hvemu::rv::irq::bit(hvemu::rv::irq::VSSI)) == 0);
}

TEST_CASE("SBI RFENCE fences locally and tells the VMM about other harts", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    std::vector<std::pair<uint64_t, uint64_t>> remote;
    SbiHost host;
    host.remote_fence = [&](uint64_t m, uint64_t b) { remote.emplace_back(m, b); };
    g.v.set_sbi_host(host);
    for (uint64_t fid : {0, 1, 2}) {
        CHECK(is_nothing(g.call(sbi::eid::RFENCE, fid, {0b11, 0, 0x1000, 0x1000, 1})));
        CHECK(g.a0() == 0);
    }
    CHECK(remote.size() == 3);
    CHECK(remote[0] == std::make_pair(uint64_t{0b11}, uint64_t{0}));
    for (uint64_t fid : {3, 4, 5, 6}) {   // HFENCE for nested hypervisors
        CHECK(is_nothing(g.call(sbi::eid::RFENCE, fid)));
        CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);
    }
    g.f.put64(kGuestData, 1);
    CHECK(is_nothing(g.call(sbi::eid::LEGACY_REMOTE_SFENCE_VMA, 0, {kGuestData, 0, ~0ull})));
    CHECK(g.a0() == 0);
    CHECK(remote.size() == 4);
}

TEST_CASE("SBI HSM: start, stop, status, suspend", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    auto up = as<exit::CpuUp>(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_START, {2, 0x80200000, 0xabcd}));
    CHECK(up.target_cpu == 2);
    CHECK(up.entry_point == 0x80200000);
    CHECK(up.arg == 0xabcd);
    CHECK(g.a0() == 0);
    as<exit::CpuDown>(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_STOP));

    CHECK(is_nothing(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_GET_STATUS, {0})));   // itself
    CHECK(g.a0() == 0);
    CHECK(g.a1() == hsm_state::STARTED);
    CHECK(is_nothing(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_GET_STATUS, {3})));   // no VMM answer
    CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);
    SbiHost host;
    host.hart_status = [](uint64_t id) -> int64_t { return id == 3 ? hsm_state::STOPPED : sbi::ERR_INVALID_PARAM; };
    g.v.set_sbi_host(host);
    CHECK(is_nothing(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_GET_STATUS, {3})));
    CHECK(g.a0() == 0);
    CHECK(g.a1() == hsm_state::STOPPED);
    CHECK(is_nothing(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_GET_STATUS, {9})));
    CHECK(g.a0() == sbi::ERR_INVALID_PARAM);

    // Retentive suspend: Halt, resumes after the ecall with a0 = 0.
    const uint64_t pc0 = g.v.pc();
    as<exit::Halt>(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_SUSPEND, {sbi::SUSPEND_RETENTIVE}));
    CHECK(g.a0() == 0);
    CHECK(g.v.pc() == pc0 + 4);
    // Reserved and platform-specific types.
    CHECK(is_nothing(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_SUSPEND, {0x00000005})));
    CHECK(g.a0() == sbi::ERR_INVALID_PARAM);
    CHECK(is_nothing(g.call(sbi::eid::HSM, sbi::hsm_fid::HART_SUSPEND, {0x10000000})));
    CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);
    CHECK(is_nothing(g.call(sbi::eid::HSM, 7)));
    CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);

    // Non-retentive suspend: Halt; wakes at resume_addr with a0 = hartid, a1 = opaque.
    g.v.set_gpr(17, sbi::eid::HSM);
    g.v.set_gpr(16, sbi::hsm_fid::HART_SUSPEND);
    g.v.set_gpr(10, sbi::SUSPEND_NON_RETENTIVE);
    g.v.set_gpr(11, kEntry + 0x100);
    g.v.set_gpr(12, 0x77);
    as<exit::Halt>(run_ok(g.v));
    CHECK(g.v.pc() == kEntry + 0x100);
    CHECK(g.v.gpr(10) == 0);   // hart id
    CHECK(g.v.gpr(11) == 0x77);
}

TEST_CASE("SBI SRST: reset types and reasons", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    as<exit::SystemDown>(g.call(sbi::eid::SRST, 0, {sbi::RESET_SHUTDOWN, 0}));
    CHECK(g.v.last_reset().type == 0);
    as<exit::SystemDown>(g.call(sbi::eid::SRST, 0, {sbi::RESET_COLD_REBOOT, 1}));
    CHECK(g.v.last_reset().type == 1);
    CHECK(g.v.last_reset().reason == 1);
    as<exit::SystemDown>(g.call(sbi::eid::SRST, 0, {sbi::RESET_WARM_REBOOT, 0xE0000001}));
    CHECK(g.v.last_reset().type == 2);
    CHECK(is_nothing(g.call(sbi::eid::SRST, 0, {3, 0})));
    CHECK(g.a0() == sbi::ERR_INVALID_PARAM);
    CHECK(is_nothing(g.call(sbi::eid::SRST, 0, {0, 2})));
    CHECK(g.a0() == sbi::ERR_INVALID_PARAM);
    CHECK(is_nothing(g.call(sbi::eid::SRST, 0, {0xF0000000, 0})));
    CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);
}

TEST_CASE("SBI DBCN reads and writes guest-physical buffers through the G stage", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    const char msg[] = "hello, dbcn";
    g.f.mem.write_block(VmFixture::hpa(kGuestData), msg, sizeof msg - 1);
    CHECK(is_nothing(g.call(sbi::eid::DBCN, sbi::dbcn_fid::WRITE, {sizeof msg - 1, kGuestData, 0})));
    CHECK(g.a0() == 0);
    CHECK(g.a1() == sizeof msg - 1);
    CHECK(g.out == "hello, dbcn");
    CHECK(is_nothing(g.call(sbi::eid::DBCN, sbi::dbcn_fid::WRITE_BYTE, {'!'})));
    CHECK(g.out == "hello, dbcn!");
    // A buffer across the end of guest RAM, in the MMIO hole, or with a
    // non-zero upper address half.
    CHECK(is_nothing(g.call(sbi::eid::DBCN, sbi::dbcn_fid::WRITE, {16, kGuestRam + kGuestRamSize - 8, 0})));
    CHECK(g.a0() == sbi::ERR_INVALID_PARAM);
    CHECK(is_nothing(g.call(sbi::eid::DBCN, sbi::dbcn_fid::WRITE, {4, kMmio, 0})));
    CHECK(g.a0() == sbi::ERR_INVALID_PARAM);
    CHECK(is_nothing(g.call(sbi::eid::DBCN, sbi::dbcn_fid::WRITE, {4, kGuestData, 1})));
    CHECK(g.a0() == sbi::ERR_INVALID_PARAM);
    CHECK(g.out == "hello, dbcn!");

    g.in = "abc";
    CHECK(is_nothing(g.call(sbi::eid::DBCN, sbi::dbcn_fid::READ, {8, kGuestData + 0x100, 0})));
    CHECK(g.a0() == 0);
    CHECK(g.a1() == 3);
    char back[4] = {};
    g.f.mem.read_block(VmFixture::hpa(kGuestData + 0x100), back, 3);
    CHECK(std::string(back) == "abc");
    CHECK(is_nothing(g.call(sbi::eid::DBCN, sbi::dbcn_fid::READ, {8, kMmio, 0})));
    CHECK(g.a0() == sbi::ERR_INVALID_PARAM);
    CHECK(is_nothing(g.call(sbi::eid::DBCN, 3)));
    CHECK(g.a0() == sbi::ERR_NOT_SUPPORTED);
}

TEST_CASE("SBI hypercall extension becomes Hypercall{a6, a0..a5}", "[vcpu][riscv][sbi]") {
    SbiGuest g;
    auto e = as<exit::Hypercall>(g.call(sbi::eid::HYPERCALL, 3, {10, 11, 12, 13, 14, 15}));
    CHECK(e.nr == 3);
    CHECK(e.args == std::array<uint64_t, 6>{10, 11, 12, 13, 14, 15});
    g.v.set_return_value(0x55);
    CHECK(g.v.gpr(10) == 0x55);
}
