// The RISC-V vCPU's lifecycle, context switch and interrupts: bind/unbind
// between physical CPUs, more vCPUs than CPUs, the injection queue, the SBI
// timer on the model clock, host interrupts, WFI, traps it reflects into the
// guest and traps it reports.
#include <catch2/catch.hpp>

#include <cstring>

#include "tests/vcpu/riscv_vcpu_fixture.hpp"
#include "vcpu/riscv/sbi.hpp"

using namespace hvemu::vcpu;
using namespace hvemu::vcpu::riscv;
using namespace hvemu::vcpu::riscv::test;
namespace csr = hvemu::rv::csr;
namespace irq = hvemu::rv::irq;
namespace cause = hvemu::rv::cause;

namespace {

inline uint32_t csrsi(uint16_t c, unsigned uimm) { return enc_i(op::SYSTEM, 6, 0, uimm, c); }
inline uint32_t add(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(op::OP, 0, 0, rd, rs1, rs2); }
inline uint32_t fadd_d(unsigned rd, unsigned rs1, unsigned rs2) { return enc_r(0x53, 0, 0x01, rd, rs1, rs2); }
// x17 = the hypercall EID (0x485643 = 0x485 << 12 + 0x643).
const uint32_t kLuiHvc = enc_u(op::LUI, 17, 0x485);
const uint32_t kAddiHvc = addi(17, 17, 0x643);

uint64_t f64_bits(double d) {
    uint64_t b;
    std::memcpy(&b, &d, 8);
    return b;
}


// The trap handler at kHandler: a0 = scause, a1 = sepc, a2 = stval, then a
// hypercall, so the test sees what the guest saw.
void put_handler(VmFixture& f) {
    f.code(kHandler, {csrr(10, csr::scause), csrr(11, csr::sepc), csrr(12, csr::stval), kLuiHvc, kAddiHvc, kEcall,
                      jal(0, 0)});
}

} // namespace

TEST_CASE("RISC-V vCPU through VCpu<A>: lifecycle and a hypercall", "[vcpu][riscv]") {
    VmFixture f;
    f.code(kEntry, {kLuiHvc, kAddiHvc, addi(16, 0, 9), kEcall, jal(0, 0)});
    auto r = VCpu<RiscvVCpu>::create(kVmId, 0, CreateConfig{7, 0x88000000});
    REQUIRE(r.ok());
    VCpu<RiscvVCpu> v = std::move(r.value());
    REQUIRE(v.setup(kEntry, kGRoot, {}).ok());
    CHECK(v.arch().context().hgatp == (8ull << 60 | kVmId << 44 | kGRoot >> 12));
    REQUIRE(v.bind().ok());
    CHECK(f.cpu().loaded() == std::make_pair(kVmId, uint64_t{0}));
    auto e = v.run();
    REQUIRE(e.ok());
    auto hc = as<exit::Hypercall>(e.value());
    CHECK(hc.nr == 9);
    CHECK(hc.args[0] == 7);            // a0 = hart_id at entry
    CHECK(hc.args[1] == 0x88000000);   // a1 = dtb
    CHECK(v.arch().pc() == kEntry + 16);
    REQUIRE(v.unbind().ok());
    CHECK_FALSE(f.cpu().loaded());
    CHECK(f.cpu().hart().csr.hgatp == 0);
    CHECK(v.state() == VCpuState::Free);
}

TEST_CASE("RISC-V vCPU: configuration and binding errors", "[vcpu][riscv]") {
    VmFixture f;
    auto r = RiscvVCpu::create(kVmId, 0, {});
    REQUIRE(r.ok());
    RiscvVCpu v = std::move(r.value());
    CHECK(v.set_ept_root(kGRoot + 0x1000).error().kind == ErrorKind::InvalidInput);   // not 16 KiB aligned
    CHECK(v.set_ept_mode(10).error().kind == ErrorKind::InvalidInput);
    CHECK(v.bind().error().kind == ErrorKind::BadState);                                // not set up
    REQUIRE(v.set_ept_mode(9).ok());
    REQUIRE(v.set_ept_root(kGRoot).ok());
    REQUIRE(v.setup({}).ok());
    CHECK(v.context().hgatp == (9ull << 60 | kVmId << 44 | kGRoot >> 12));
    CHECK(v.inject_interrupt(3).error().kind == ErrorKind::InvalidInput);
    CHECK(v.clear_interrupt(0).error().kind == ErrorKind::InvalidInput);
    CHECK(v.run().error().kind == ErrorKind::BadState);   // not bound
    CHECK(v.unbind().error().kind == ErrorKind::BadState);

    PhysCpu::clear_current();
    auto b = v.bind();
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().message.find("current physical CPU") != std::string::npos);
    f.cpu().make_current();
    RiscvVCpu w = f.vcpu(1);
    REQUIRE(w.bind().ok());
    auto busy = v.bind();
    REQUIRE_FALSE(busy.ok());
    CHECK(busy.error().message.find("already holds vCPU 1") != std::string::npos);
    CHECK(w.bind().error().kind == ErrorKind::BadState);   // twice
    CHECK(w.set_ept_root(kGRoot).error().kind == ErrorKind::BadState);
    REQUIRE(w.unbind().ok());
    REQUIRE(v.bind().ok());
    // set_gpr ignores x0 and out-of-range numbers.
    v.set_gpr(0, 5);
    v.set_gpr(32, 5);
    CHECK(v.gpr(0) == 0);
    REQUIRE(v.unbind().ok());
}

TEST_CASE("RISC-V vCPU: the budget ends a slice with Nothing; WFI is Halt past the WFI", "[vcpu][riscv]") {
    VmFixture f;
    f.code(kEntry, {jal(0, 0)});
    RiscvVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    v.set_run_budget(1000);
    const uint64_t before = f.cpu().hart().instret();
    as<exit::Nothing>(run_ok(v));
    CHECK(v.pc() == kEntry);
    CHECK(f.cpu().hart().instret() - before == 1000);
    CHECK(v.last_trap().scause == 0);

    f.code(kEntry, {kNop, kWfi, jal(0, -4)});
    v.set_pc(kEntry);
    as<exit::Halt>(run_ok(v));
    CHECK(v.pc() == kEntry + 8);
    // Nothing pending: it halts again at once, and the hart is not left waiting.
    v.set_pc(kEntry + 4);
    as<exit::Halt>(run_ok(v));
    CHECK(v.pc() == kEntry + 8);
    CHECK_FALSE(f.cpu().hart().waiting_for_interrupt());
    REQUIRE(v.unbind().ok());
}

TEST_CASE("RISC-V vCPU: an interrupt injected while unbound is delivered at the next entry, on another CPU",
          "[vcpu][riscv]") {
    VmFixture f({true, true});
    put_handler(f);
    f.code(kEntry, {csrw(csr::stvec, 5), csrs(csr::sie, 6), csrsi(csr::sstatus, 2), kWfi, jal(0, -4)});
    RiscvVCpu v = f.vcpu();
    v.set_gpr(5, kHandler);
    v.set_gpr(6, 1u << irq::SSI);
    REQUIRE(v.bind().ok());
    as<exit::Halt>(run_ok(v));
    CHECK(v.pc() == kEntry + 16);
    CHECK_FALSE(v.has_wakeup(f.cpu().time()));
    REQUIRE(v.unbind().ok());

    REQUIRE(v.inject_interrupt(1).ok());
    CHECK(v.has_wakeup(f.cpu(1).time()));
    CHECK(v.pending_interrupts(0) == 1u << irq::SSI);

    f.cpu(1).make_current();
    REQUIRE(v.bind().ok());
    auto hc = as<exit::Hypercall>(run_ok(v));
    CHECK(hc.args[0] == (cause::INTERRUPT | irq::SSI));   // the guest's scause
    CHECK(hc.args[1] == kEntry + 16);                      // interrupted at the loop after the WFI
    // The guest clears sip.SSIP: hvip.VSSIP goes, and unbind keeps it gone.
    f.code(kHandler + 28, {csrrc(0, csr::sip, 6), kEcall});
    v.set_pc(kHandler + 28);
    as<exit::Hypercall>(run_ok(v));
    REQUIRE(v.unbind().ok());
    CHECK((v.context().hvip & irq::bit(irq::VSSI)) == 0);
    CHECK(v.pending_interrupts(0) == 0);

    // Withdrawn before delivery: nothing arrives.
    REQUIRE(v.inject_interrupt(9).ok());
    REQUIRE(v.clear_interrupt(9).ok());
    CHECK(v.pending_interrupts(0) == 0);
}

TEST_CASE("RISC-V vCPU: SBI set_timer fires VSTIP on the model clock, deterministically", "[vcpu][riscv]") {
    VmFixture f;
    put_handler(f);
    // Arm the timer through SBI TIME, then wait for it.
    f.code(kEntry, {csrw(csr::stvec, 5), csrs(csr::sie, 6), csrsi(csr::sstatus, 2), kEcall, kWfi, jal(0, -4)});
    RiscvVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    const uint64_t deadline = f.cpu().time() + 100;
    v.set_gpr(5, kHandler);
    v.set_gpr(6, 1u << irq::STI);
    v.set_gpr(17, sbi::eid::TIME);
    v.set_gpr(16, 0);
    v.set_gpr(10, deadline);
    as<exit::Nothing>(run_ok(v));   // the SBI call
    CHECK(v.pc() == kEntry + 16);
    as<exit::Halt>(run_ok(v));
    CHECK(v.timer_deadline() == deadline);
    CHECK_FALSE(v.has_wakeup(f.cpu().time()));
    // The VMM lets time pass, as when every vCPU waits.
    f.cpu().add_cycles(f.cpu().hart().cycles_until_time(deadline));
    CHECK(f.cpu().time() == deadline);
    CHECK(v.has_wakeup(f.cpu().time()));
    auto hc = as<exit::Hypercall>(run_ok(v));
    CHECK(hc.args[0] == (cause::INTERRUPT | irq::STI));
    CHECK(hc.args[1] == kEntry + 20);
    REQUIRE(v.unbind().ok());
    CHECK(v.context().vstimecmp == deadline);
}

TEST_CASE("RISC-V vCPU: host interrupts exit as ExternalInterrupt without advancing the pc", "[vcpu][riscv]") {
    VmFixture f;
    f.code(kEntry, {kNop, kLuiHvc, kAddiHvc, kEcall});
    RiscvVCpu v = f.vcpu();
    REQUIRE(v.bind().ok());
    f.cpu().raise_host_irq(33);
    f.cpu().raise_host_irq(34);
    CHECK(as<exit::ExternalInterrupt>(run_ok(v)).vector == 33);
    CHECK(v.pc() == kEntry);
    CHECK(v.last_trap().scause == (cause::INTERRUPT | irq::SEI));
    CHECK(as<exit::ExternalInterrupt>(run_ok(v)).vector == 34);
    CHECK(v.pc() == kEntry);
    CHECK_FALSE(f.cpu().host_irq_pending());
    as<exit::Hypercall>(run_ok(v));
    CHECK(v.pc() == kEntry + 16);
    REQUIRE(v.unbind().ok());
}

TEST_CASE("RISC-V vCPU: a virtual-instruction trap reaches the guest as illegal instruction", "[vcpu][riscv]") {
    VmFixture f;
    put_handler(f);
    const uint32_t bad = csrr(10, csr::hstatus);
    f.code(kEntry, {csrw(csr::stvec, 5), bad});
    RiscvVCpu v = f.vcpu();
    v.set_gpr(5, kHandler);
    REQUIRE(v.bind().ok());
    as<exit::Nothing>(run_ok(v));
    CHECK(v.last_trap().scause == cause::VIRTUAL_INSN);
    CHECK(v.pc() == kHandler);
    auto hc = as<exit::Hypercall>(run_ok(v));
    CHECK(hc.args[0] == cause::ILLEGAL_INSN);
    CHECK(hc.args[1] == kEntry + 4);
    CHECK(hc.args[2] == bad);
    REQUIRE(v.unbind().ok());
}

TEST_CASE("RISC-V vCPU: a trap it cannot place is a clear error, not a crash", "[vcpu][riscv]") {
    VmFixture f;
    // A G-stage mapping onto host addresses with nothing behind them.
    f.map(0xA0000000, 0x40000000, kGLeaf);
    f.code(kEntry, {load(3, 10, 6, 0)});
    RiscvVCpu v = f.vcpu();
    v.set_gpr(6, 0xA0000000);
    REQUIRE(v.bind().ok());
    auto r = v.run();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Unsupported);
    CHECK(r.error().message.find("load access fault") != std::string::npos);
    CHECK(r.error().message.find("sepc 0x80000000") != std::string::npos);
    CHECK(r.error().message.find("stval 0xa0000000") != std::string::npos);
    REQUIRE(v.unbind().ok());
}

TEST_CASE("RISC-V vCPU: migrating between physical CPUs keeps GPRs, FP state and time", "[vcpu][riscv]") {
    VmFixture f({true, true});
    f.code(kEntry, {enc_u(op::LUI, 7, 2), csrs(csr::sstatus, 7), kLuiHvc, kAddiHvc,
                    /* loop: */ addi(10, 10, 1), fadd_d(1, 1, 2), csrr(12, csr::time), kEcall, jal(0, -16)});
    RiscvVCpu v = f.vcpu();
    v.set_gpr(10, 0);
    v.set_fpr(1, f64_bits(0.0));
    v.set_fpr(2, f64_bits(1.5));
    f.cpu(1).add_cycles(1'000'000);   // CPU 1 is ahead in time
    uint64_t last_time = 0;
    for (unsigned round = 1; round <= 6; ++round) {
        PhysCpu& c = f.cpu(round % 2);
        c.make_current();
        REQUIRE(v.bind().ok());
        CHECK(v.bound_cpu() == &c);
        as<exit::Hypercall>(run_to_exit(v));
        CHECK(v.gpr(10) == round);
        CHECK(v.fpr(1) == f64_bits(1.5 * round));
        CHECK(v.gpr(12) >= last_time);   // guest time never runs backwards
        last_time = v.gpr(12);
        REQUIRE(v.unbind().ok());
        CHECK(v.bound_cpu() == nullptr);
    }
    CHECK((v.context().vsstatus & hvemu::rv::mstatus::FS) != 0);
}

TEST_CASE("RISC-V vCPU: three vCPUs time-share one physical CPU", "[vcpu][riscv]") {
    VmFixture f;
    f.code(kEntry, {addi(10, 10, 1), add(11, 11, 12), jal(0, -8)});
    std::vector<RiscvVCpu> vs;
    for (uint64_t i = 0; i < 3; ++i) {
        vs.push_back(f.vcpu(i));
        vs.back().set_gpr(10, 0);
        vs.back().set_gpr(11, 0);
        vs.back().set_gpr(12, i + 1);
        vs.back().set_run_budget(30 + 3 * i);   // whole loop iterations: 10, 11, 12 per slice
    }
    for (unsigned slice = 0; slice < 5; ++slice)
        for (auto& v : vs) {
            REQUIRE(v.bind().ok());
            as<exit::Nothing>(run_ok(v));
            REQUIRE(v.unbind().ok());
        }
    for (uint64_t i = 0; i < 3; ++i) {
        CHECK(vs[i].gpr(10) == 5 * (10 + i));
        CHECK(vs[i].gpr(11) == 5 * (10 + i) * (i + 1));
        CHECK(vs[i].pc() == kEntry);
    }
}

TEST_CASE("RISC-V vCPU: HSM hart_start, and the started vCPU gets a0 = hartid, a1 = opaque", "[vcpu][riscv]") {
    VmFixture f({true, true});
    const uint64_t secondary = kEntry + 0x200;
    f.code(kEntry, {kEcall});
    f.code(secondary, {kLuiHvc, kAddiHvc, kEcall});
    RiscvVCpu boot = f.vcpu(0);
    RiscvVCpu ap = f.vcpu(1, 0);
    REQUIRE(boot.bind().ok());
    boot.set_gpr(17, sbi::eid::HSM);
    boot.set_gpr(16, sbi::hsm_fid::HART_START);
    boot.set_gpr(10, 1);
    boot.set_gpr(11, secondary);
    boot.set_gpr(12, 0x1234);
    auto up = as<exit::CpuUp>(run_ok(boot));
    // The VMM's part of CpuUp.
    REQUIRE(ap.set_entry(up.entry_point).ok());
    ap.set_gpr(10, up.target_cpu);
    ap.set_gpr(11, up.arg);
    f.cpu(1).make_current();
    REQUIRE(ap.bind().ok());
    auto hc = as<exit::Hypercall>(run_ok(ap));
    CHECK(hc.args[0] == 1);
    CHECK(hc.args[1] == 0x1234);
    REQUIRE(ap.unbind().ok());
    f.cpu(0).make_current();
    REQUIRE(boot.unbind().ok());
}

TEST_CASE("RISC-V vCPU: a requested TLB flush reaches a vCPU that stays bound", "[vcpu][riscv]") {
    namespace pte = hvemu::rv::pte;
    VmFixture f;
    // Guest Sv39: code identity-mapped (1 GiB), VA 0x40000000 -> data page A.
    const uint64_t root = kGuestRam + 0x100000, l1 = root + 0x1000, l0 = root + 0x2000;
    const uint64_t page_a = kGuestRam + 0x20000, page_b = kGuestRam + 0x21000;
    const uint64_t leaf = pte::V | pte::R | pte::W | pte::A | pte::D;
    f.put64(root + 2 * 8, (kGuestRam >> 12) << 10 | leaf | pte::X);
    f.put64(root + 1 * 8, (l1 >> 12) << 10 | pte::V);
    f.put64(l1, (l0 >> 12) << 10 | pte::V);
    f.put64(l0, (page_a >> 12) << 10 | leaf);
    f.put64(page_a, 0xA);
    f.put64(page_b, 0xB);
    f.code(kEntry, {csrw(csr::satp, 5), /* loop: */ load(3, 10, 6, 0), kLuiHvc, kAddiHvc, kEcall, jal(0, -16)});
    RiscvVCpu v = f.vcpu();
    v.set_gpr(5, 8ull << 60 | root >> 12);
    v.set_gpr(6, 0x40000000);
    REQUIRE(v.bind().ok());
    as<exit::Hypercall>(run_ok(v));
    CHECK(v.gpr(10) == 0xA);
    // Another hart of the guest remaps the page (a guest PTE write)...
    f.put64(l0, (page_b >> 12) << 10 | leaf);
    as<exit::Hypercall>(run_ok(v));
    CHECK(v.gpr(10) == 0xA);   // ...this hart still uses its cached translation
    // ...and asks for a remote SFENCE.VMA; the VMM forwards it.
    v.request_tlb_flush();
    as<exit::Hypercall>(run_ok(v));
    CHECK(v.gpr(10) == 0xB);
    REQUIRE(v.unbind().ok());
}
