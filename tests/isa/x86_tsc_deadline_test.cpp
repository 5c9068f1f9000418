// The LAPIC's TSC-deadline timer and CR8 as an x86 core sees them: WRMSR/
// RDMSR of IA32_TSC_DEADLINE (0x6E0) reach the LAPIC, the deadline is
// compared with the TSC (cycles plus IA32_TSC writes), the interrupt is
// taken at the first instruction boundary at or after it, and MOV CR8 is
// TPR[7:4]. A bare core on a LAPIC, code run in 64-bit mode.
#include <catch2/catch.hpp>

#include "devices/lapic.hpp"
#include "x86_sys_fixture.hpp"

namespace {

using namespace x86test;
namespace lp = hvemu::dev::lapic;

constexpr uint64_t kCode = 0x100;
constexpr uint8_t kVector = 0x40;
constexpr unsigned kSled = 2000;   // NOPs after the prologue
constexpr uint32_t kLvtDeadline = kVector | (lp::TIMER_TSC_DEADLINE << 17);
constexpr uint64_t kIf = 1u << 9;
constexpr uint8_t kNop = 0x90, kHlt = 0xf4;

struct Rig {
    Sys s;
    dev::Lapic apic;
    explicit Rig(bool attach = true)
        : apic(dev::Lapic::Config{0, true, 39}, [this] { return s.c().cycles(); }) {
        Core& c = s.c();
        apic.set_tsc_clock([this] { return s.c().cycles() + s.c().tsc_offset; });
        apic.follow_apic_base([this] { return s.c().apic_base; });
        apic.set_changed([this] { s.c().end_block(); });
        if (attach) c.attach_apic(&apic);
        s.enter_long();
        REQUIRE(apic.mmio_write(lp::SVR, 4, lp::SVR_ENABLE | 0xff));
        REQUIRE(apic.mmio_write(lp::LVT_TIMER, 4, kLvtDeadline));
        s.mem.write(s.handler(kVector), 1, kHlt);   // the timer handler stops the run
    }
    Core& c() { return s.c(); }
    // `prologue` at kCode, then the NOP sled and a HLT; returns the sled's address.
    uint64_t load(std::vector<uint8_t> prologue = {}) {
        prologue.insert(prologue.end(), kSled, kNop);
        prologue.push_back(kHlt);
        s.mem.write_block(kCode, prologue.data(), prologue.size());
        return kCode + prologue.size() - kSled - 1;
    }
    // The RIP the interrupt frame saved (no stack switch at CPL 0).
    uint64_t saved_rip() { return s.rd(c().gpr[4]); }
    bool took_timer() { return c().rip == s.handler(kVector) + 1 && apic.isr(kVector); }
};

// WRMSR of `value` to IA32_TSC_DEADLINE: MOV ECX, 0x6E0; MOV EAX/EDX, ...; WRMSR.
std::vector<uint8_t> wrmsr_deadline(uint64_t value) {
    const uint32_t lo = static_cast<uint32_t>(value), hi = static_cast<uint32_t>(value >> 32);
    std::vector<uint8_t> b = {0xb9, 0xe0, 0x06, 0x00, 0x00};
    b.push_back(0xb8);
    for (unsigned k = 0; k < 4; ++k) b.push_back(static_cast<uint8_t>(lo >> (8 * k)));
    b.push_back(0xba);
    for (unsigned k = 0; k < 4; ++k) b.push_back(static_cast<uint8_t>(hi >> (8 * k)));
    b.push_back(0x0f);
    b.push_back(0x30);
    return b;
}

// The first sled address whose boundary has TSC >= deadline, found by
// single-stepping the same code on a core without the LAPIC.
uint64_t first_boundary_at(uint64_t deadline, uint64_t tsc_offset = 0) {
    Rig r(false);
    r.c().tsc_offset = tsc_offset;
    const uint64_t sled = r.load();
    r.c().rip = sled;
    for (unsigned k = 0; k < kSled; ++k) {
        if (r.c().tsc() >= deadline) return r.c().rip;
        r.c().run(1);
    }
    FAIL("the deadline is beyond the sled");
    return 0;
}

} // namespace

TEST_CASE("x86 TSC deadline: a future deadline fires at the first boundary at or after it",
          "[x86][sys][lapic][tsc_deadline][unit]") {
    for (uint64_t ahead : {1u, 37u, 500u, 1234u}) {
        CAPTURE(ahead);
        Rig r;
        const uint64_t sled = r.load();
        r.c().rip = sled;
        r.c().rflags |= kIf;
        const uint64_t deadline = r.c().tsc() + ahead;
        REQUIRE(r.c().wrmsr(lp::MSR_TSC_DEADLINE, deadline));
        uint64_t v = 0;
        REQUIRE(r.c().rdmsr(lp::MSR_TSC_DEADLINE, v));
        CHECK(v == deadline);
        CHECK(r.c().run(100000) == StopReason::Halt);
        REQUIRE(r.took_timer());
        CHECK(r.saved_rip() == first_boundary_at(deadline));
        // Fired: disarmed, the MSR reads 0.
        REQUIRE(r.c().rdmsr(lp::MSR_TSC_DEADLINE, v));
        CHECK(v == 0);
    }
}

TEST_CASE("x86 TSC deadline: compared with the TSC, IA32_TSC writes included", "[x86][sys][lapic][tsc_deadline][unit]") {
    Rig r;
    const uint64_t sled = r.load();
    r.c().rip = sled;
    r.c().rflags |= kIf;
    REQUIRE(r.c().wrmsr(0x10, uint64_t{1} << 40));   // IA32_TSC
    const uint64_t deadline = r.c().tsc() + 300;
    REQUIRE(r.c().wrmsr(lp::MSR_TSC_DEADLINE, deadline));
    CHECK(r.c().run(100000) == StopReason::Halt);
    REQUIRE(r.took_timer());
    CHECK(r.saved_rip() == first_boundary_at(deadline, r.c().tsc_offset));
}

TEST_CASE("x86 TSC deadline: a WRMSR of a past deadline fires after the WRMSR", "[x86][sys][lapic][tsc_deadline][unit]") {
    Rig r;
    const uint64_t sled = r.load(wrmsr_deadline(1));
    r.c().rip = kCode;
    r.c().rflags |= kIf;
    CHECK(r.c().run(100000) == StopReason::Halt);
    REQUIRE(r.took_timer());
    CHECK(r.saved_rip() == sled);
}

TEST_CASE("x86 TSC deadline: writing 0 disarms", "[x86][sys][lapic][tsc_deadline][unit]") {
    Rig r;
    const uint64_t sled = r.load(wrmsr_deadline(0));
    REQUIRE(r.c().wrmsr(lp::MSR_TSC_DEADLINE, r.c().tsc() + 50));   // due inside the sled
    r.c().rip = kCode;
    r.c().rflags |= kIf;
    CHECK(r.c().run(100000) == StopReason::Halt);
    CHECK(r.c().rip == sled + kSled + 1);   // ran to the HLT at the end
    CHECK_FALSE(r.apic.isr(kVector));
    CHECK_FALSE(r.apic.irr(kVector));
    CHECK_FALSE(r.apic.next_timer_event());
}

TEST_CASE("x86 TSC deadline: a timer mode change disarms; other modes ignore the MSR",
          "[x86][sys][lapic][tsc_deadline][unit]") {
    Rig r;
    const uint64_t sled = r.load();
    r.c().rip = sled;
    r.c().rflags |= kIf;
    REQUIRE(r.c().wrmsr(lp::MSR_TSC_DEADLINE, r.c().tsc() + 50));
    REQUIRE(r.apic.mmio_write(lp::LVT_TIMER, 4, kVector | (lp::TIMER_ONESHOT << 17)));
    uint64_t v = 1;
    REQUIRE(r.c().rdmsr(lp::MSR_TSC_DEADLINE, v));
    CHECK(v == 0);
    // One-shot mode: the write is ignored (no #GP), the MSR still reads 0.
    CHECK(r.c().wrmsr(lp::MSR_TSC_DEADLINE, r.c().tsc() + 10));
    REQUIRE(r.c().rdmsr(lp::MSR_TSC_DEADLINE, v));
    CHECK(v == 0);
    CHECK(r.c().run(100000) == StopReason::Halt);
    CHECK(r.c().rip == sled + kSled + 1);
    CHECK_FALSE(r.apic.isr(kVector));
    // Back to TSC-deadline mode: still disarmed until written.
    REQUIRE(r.apic.mmio_write(lp::LVT_TIMER, 4, kLvtDeadline));
    REQUIRE(r.c().rdmsr(lp::MSR_TSC_DEADLINE, v));
    CHECK(v == 0);
    CHECK_FALSE(r.apic.next_timer_event());
}

TEST_CASE("x86 TSC deadline: the MSR needs a LAPIC", "[x86][sys][lapic][tsc_deadline][unit]") {
    Rig r(false);
    uint64_t v = 0;
    CHECK_FALSE(r.c().rdmsr(lp::MSR_TSC_DEADLINE, v));
    CHECK_FALSE(r.c().wrmsr(lp::MSR_TSC_DEADLINE, 1));
}

TEST_CASE("x86 CPUID.1:ECX[24] reports the TSC-deadline timer with a LAPIC", "[x86][sys][cpuid][tsc_deadline][unit]") {
    uint32_t out[4];
    Rig with;
    with.c().cpuid(1, 0, out);
    CHECK(((out[2] >> 24) & 1) == 1);
    Rig without(false);
    without.c().cpuid(1, 0, out);
    CHECK(((out[2] >> 24) & 1) == 0);
}

TEST_CASE("x86 CR8 is the LAPIC's TPR[7:4]", "[x86][sys][lapic][cr8][unit]") {
    Rig r;
    Core& c = r.c();
    REQUIRE(c.write_cr(8, 5));
    CHECK(r.apic.tpr() == 0x50);
    CHECK(r.apic.read_register(lp::TPR) == 0x50);
    uint64_t v = 0;
    REQUIRE(c.read_cr(8, v));
    CHECK(v == 5);
    // A TPR written through the xAPIC page shows in CR8 (bits 3:0 dropped).
    REQUIRE(r.apic.mmio_write(lp::TPR, 4, 0x7c));
    REQUIRE(c.read_cr(8, v));
    CHECK(v == 7);
    // Reserved CR8 bits: #GP, TPR unchanged.
    c.rip = kCode;
    CHECK_FALSE(c.write_cr(8, 0x10));
    CHECK(r.apic.tpr() == 0x7c);
}

TEST_CASE("x86 CR8: a raised TPR holds a lower-priority interrupt back, MOV CR8 lowering it lets it in",
          "[x86][sys][lapic][cr8][unit]") {
    Rig r;
    Core& c = r.c();
    // MOV RAX, CR8; MOV CR8, RBX (RBX = 0); then the sled.
    const uint64_t sled = r.load({0x44, 0x0f, 0x20, 0xc0, 0x44, 0x0f, 0x22, 0xc3});
    c.mem().write(r.s.handler(0x45), 1, kHlt);
    REQUIRE(c.write_cr(8, 5));   // class 5 masks vector 0x45 (class 4)
    dev::ApicMessage m;
    m.vector = 0x45;
    REQUIRE(r.apic.accept(m));
    CHECK(r.apic.irr(0x45));
    CHECK_FALSE(r.apic.has_interrupt());
    c.gpr[3] = 0;
    c.rip = kCode;
    c.rflags |= kIf;
    CHECK(c.run(100000) == StopReason::Halt);
    CHECK(c.gpr[0] == 5);                       // read back through MOV from CR8
    CHECK(c.rip == r.s.handler(0x45) + 1);      // taken once CR8 dropped to 0
    CHECK(r.saved_rip() == sled);               // right after the MOV to CR8
    CHECK(r.apic.isr(0x45));
    CHECK(r.apic.tpr() == 0);
}
