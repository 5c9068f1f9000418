// A local APIC as an x86 core sees it: the xAPIC register page (MMIO at
// IA32_APIC_BASE, 0xFEE00000 by default) and the x2APIC MSRs 0x800-0x8FF,
// IA32_APIC_BASE (0x1B) for the mode, and IA32_TSC_DEADLINE (0x6E0).
//
// Identification: version register 0x00050014 -- an integrated APIC
// (version 0x14) with six LVT entries (max LVT 5: timer, thermal, perf,
// LINT0, LINT1, error), the value QEMU and Bochs report. A Skylake part
// has a seventh (CMCI) and EOI-broadcast suppression; this model has no
// machine-check banks, so neither is offered (SVR bit 12 is reserved).
//
// Interrupts: 256-bit IRR/ISR/TMR, TPR/PPR/APR priority classes, EOI (a
// level-triggered vector is broadcast to the IOAPICs through the EOI sink),
// the spurious vector, ESR. Fixed interrupts reach a software-disabled
// APIC no more (they are dropped); NMI, INIT and SIPI still do.
// The timer: one-shot, periodic and TSC-deadline, divide configuration,
// initial/current count. It counts the `now` clock (the core's cycle
// counter; no host time) divided by the divide configuration, so the
// APIC bus clock equals the core clock. IA32_TSC_DEADLINE is compared
// with the `tsc` clock (the TSC the software reads: cycles plus its
// offset; `now` when none is set). Timer expiry is evaluated lazily,
// whenever the APIC is looked at (has_interrupt, poll, register reads);
// next_timer_event() tells a machine when to look.
//
// Two ways to consume interrupts, over the same state (as dev::Gicv3):
//  (a) full system: the core calls has_interrupt()/acknowledge() at
//      instruction boundaries; `changed` is called when an interrupt may
//      have become deliverable (the machine wires it to Core::end_block);
//  (b) virtual (a hosted VM's vLAPIC; the guest's accesses arrive as MMIO
//      or MSR exits): with a virtual sink set, every interrupt that
//      becomes deliverable is acknowledged at once (IRR -> ISR) and handed
//      over with sink(vector); the VMM injects it. The guest's EOI write
//      ends it, after which the next one is handed over. PPR therefore
//      holds lower-priority interrupts back until the guest's EOI, as the
//      hardware would.
// IPIs written to the ICR (and x2APIC SELF IPI) go to the IPI sink as an
// ApicMessage; the machine hands them to the ApicBus (or a VMM turns them
// into its own routing). Received INIT/SIPI/NMI go to their sinks (the
// machine wires them to Core::deliver_init/deliver_sipi/raise_nmi).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "devices/apic_bus.hpp"
#include "devices/device.hpp"
#include "isa/x86/core.hpp"

namespace hvemu::dev {

namespace lapic {
// xAPIC MMIO offsets (x2APIC MSR = 0x800 + offset / 16)
constexpr uint32_t ID = 0x020, VERSION = 0x030, TPR = 0x080, APR = 0x090, PPR = 0x0A0, EOI = 0x0B0;
constexpr uint32_t RRD = 0x0C0, LDR = 0x0D0, DFR = 0x0E0, SVR = 0x0F0;
constexpr uint32_t ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, LVT_CMCI = 0x2F0;
constexpr uint32_t ICR_LO = 0x300, ICR_HI = 0x310;
constexpr uint32_t LVT_TIMER = 0x320, LVT_THERMAL = 0x330, LVT_PERF = 0x340, LVT_LINT0 = 0x350, LVT_LINT1 = 0x360,
                   LVT_ERROR = 0x370;
constexpr uint32_t TIMER_ICR = 0x380, TIMER_CCR = 0x390, TIMER_DCR = 0x3E0, SELF_IPI = 0x3F0;
// MSRs
constexpr uint32_t MSR_APIC_BASE = 0x1B, MSR_TSC_DEADLINE = 0x6E0;
constexpr uint32_t MSR_X2APIC_FIRST = 0x800, MSR_X2APIC_LAST = 0x8FF;
constexpr uint32_t MSR_ICR = 0x830, MSR_SELF_IPI = 0x83F;
// IA32_APIC_BASE bits
constexpr uint64_t BASE_BSP = 1u << 8, BASE_EXTD = 1u << 10, BASE_EN = 1u << 11;
// Register values and fields
constexpr uint32_t kVersion = 0x00050014;
constexpr uint32_t kNumLvt = 6;
constexpr uint32_t SVR_ENABLE = 1u << 8, SVR_FOCUS = 1u << 9;
constexpr uint32_t LVT_MASKED = 1u << 16, LVT_STATUS = 1u << 12, LVT_REMOTE_IRR = 1u << 14;
constexpr uint32_t LVT_LEVEL = 1u << 15, LVT_POLARITY = 1u << 13;
constexpr uint32_t TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2;   // LVT timer bits 18:17
// ESR bits
constexpr uint32_t ESR_SEND_ILLEGAL_VECTOR = 1u << 5, ESR_RECV_ILLEGAL_VECTOR = 1u << 6;
constexpr uint32_t ESR_ILLEGAL_REGISTER = 1u << 7;
} // namespace lapic

class Lapic final : public Device, public x86::InterruptController {
public:
    static constexpr uint64_t kDefaultBase = 0xFEE00000;
    static constexpr uint64_t kSize = 0x1000;

    enum class Mode : uint8_t { Disabled, XApic, X2Apic };

    struct Config {
        uint32_t apic_id = 0;      // initial APIC ID (xAPIC uses bits 7:0)
        bool bsp = false;          // IA32_APIC_BASE.BSP
        unsigned phys_addr_bits = 39;   // IA32_APIC_BASE bits above this are reserved
    };
    using Clock = std::function<uint64_t()>;   // the core's cycle counter (the TSC)

    Lapic(const Config& cfg, Clock now);
    void set_tsc_clock(Clock tsc) { tsc_ = std::move(tsc); }

    // ---- Wiring
    void set_ipi_sink(std::function<void(const ApicMessage&)> s) { ipi_ = std::move(s); }
    void set_eoi_sink(std::function<void(uint8_t vector)> s) { eoi_ = std::move(s); }
    void set_init_sink(std::function<void()> s) { init_ = std::move(s); }
    void set_sipi_sink(std::function<void(uint8_t vector)> s) { sipi_ = std::move(s); }
    void set_nmi_sink(std::function<void()> s) { nmi_ = std::move(s); }
    void set_changed(std::function<void()> s) { changed_ = std::move(s); }
    // (b) virtual mode; setting a sink hands over what is deliverable now.
    void set_virtual_sink(std::function<void(uint8_t vector)> s);

    // ---- Inputs
    // A message from the bus (IPI or IOAPIC). false: not accepted.
    bool accept(const ApicMessage& m);
    // The LINT0/LINT1 pins (pin 0 or 1).
    void set_lint(unsigned pin, bool level);
    // Whether this APIC is addressed by a message's destination (no
    // shorthand): physical ID match or broadcast, logical flat/cluster.
    bool addressed_by(const ApicMessage& m);
    // The arbitration priority (APR) for lowest-priority delivery.
    uint8_t arbitration_priority() const;

    // ---- MSRs: IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range.
    // false: #GP (wrong mode, reserved address or bits, read of a
    // write-only or write of a read-only register).
    bool rdmsr(uint32_t msr, uint64_t& value);
    bool wrmsr(uint32_t msr, uint64_t value);
    uint64_t apic_base() const { return apic_base_; }
    bool set_apic_base(uint64_t v);
    Mode mode() const;
    // When the core keeps IA32_APIC_BASE itself (x86::Core::apic_base),
    // the APIC follows it: `probe` is read whenever the APIC is used, and a
    // change is applied as the matching mode transition.
    void follow_apic_base(std::function<uint64_t()> probe);

    // ---- Timer
    // Evaluate the timer now (fires a due interrupt).
    void poll();
    // The `now` value at which the timer next fires, if armed and unmasked
    // (masked one-shot expiry changes nothing visible but the count).
    std::optional<uint64_t> next_timer_event() const;

    // ---- CR8 (TPR[7:4]) for the core's MOV CR8
    uint8_t tpr() const { return static_cast<uint8_t>(tpr_); }
    void set_tpr(uint8_t v);

    // ---- Inspection (tests, debugger)
    uint32_t id() const;
    uint8_t ppr() const;
    bool irr(uint8_t v) const { return test(irr_, v); }
    bool isr(uint8_t v) const { return test(isr_, v); }
    bool tmr(uint8_t v) const { return test(tmr_, v); }
    uint32_t esr() const { return esr_; }
    uint32_t read_register(uint32_t offset);   // by xAPIC offset, mode checks skipped

    // InterruptController
    bool has_interrupt() override;
    uint8_t acknowledge() override;
    bool x2apic_rdmsr(uint32_t msr, uint64_t& value) override { return rdmsr(msr, value); }
    bool x2apic_wrmsr(uint32_t msr, uint64_t value) override { return wrmsr(msr, value); }
    bool tpr_read(uint8_t& v) override {
        v = tpr();
        return true;
    }
    bool tpr_write(uint8_t v) override {
        set_tpr(v);
        return true;
    }
    uint64_t cycles_to_event() override;

    // Device (the xAPIC page; offsets from the APIC base). Accesses are
    // 32-bit registers on 16-byte boundaries; narrower reads return part
    // of the register, writes other than 32/64-bit at the register's
    // offset are ignored. In x2APIC mode or globally disabled the page
    // reads as all ones and ignores writes.
    std::string_view name() const override { return "lapic"; }
    uint64_t size() const override { return kSize; }
    void reset() override;   // power-on (IA32_APIC_BASE too)
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override;
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    using Bits = std::array<uint32_t, 8>;
    static bool test(const Bits& b, uint8_t v) { return (b[v >> 5] >> (v & 31)) & 1; }
    static void set(Bits& b, uint8_t v, bool on) {
        if (on) b[v >> 5] |= 1u << (v & 31);
        else b[v >> 5] &= ~(1u << (v & 31));
    }
    static int highest(const Bits& b);   // -1: none

    void reset_registers();              // power-up state but ID and APIC base (INIT, disable)
    void apply_base(uint64_t v);         // a valid IA32_APIC_BASE value takes effect
    void sync_base();                    // follow the core's IA32_APIC_BASE
    bool sw_enabled() const { return (svr_ & lapic::SVR_ENABLE) != 0; }
    bool hw_enabled() const { return (apic_base_ & lapic::BASE_EN) != 0; }
    bool x2apic() const { return (apic_base_ & lapic::BASE_EXTD) != 0; }
    uint32_t ldr() const;
    uint32_t& lvt(unsigned i) { return lvt_[i]; }
    static unsigned lvt_index(uint32_t offset) { return (offset - lapic::LVT_TIMER) >> 4; }   // timer..error: 0..5

    // Register access by xAPIC offset; `x2` applies the x2APIC rules.
    // false: the register is not there (xAPIC: ESR illegal register; x2APIC: #GP).
    bool reg_read(uint32_t offset, bool x2, uint64_t& value);
    bool reg_write(uint32_t offset, bool x2, uint64_t value);
    void write_lvt(unsigned i, uint32_t v);
    void write_svr(uint32_t v);
    void write_eoi();
    void send_icr(uint64_t icr);
    void error(uint32_t bits);
    void raise_local(uint32_t lvt_value, bool edge_only);   // an LVT source fires
    void set_irr(uint8_t vector, bool level);
    void update();                       // something may now be deliverable

    // Timer
    unsigned timer_mode() const { return (lvt_[0] >> 17) & 3; }
    uint64_t divisor() const;
    uint64_t tsc_now() const { return tsc_ ? tsc_() : now_(); }
    void start_count(uint32_t initial);
    uint32_t current_count();
    void fire_timer();

    Config cfg_;
    Clock now_, tsc_;
    std::function<void(const ApicMessage&)> ipi_;
    std::function<void(uint8_t)> eoi_, sipi_, vsink_;
    std::function<void()> init_, nmi_, changed_;
    std::function<uint64_t()> base_probe_;

    uint64_t apic_base_ = 0;
    uint32_t id_ = 0;                    // xAPIC ID register (bits 31:24) or x2APIC ID
    uint32_t tpr_ = 0, ldr_ = 0, dfr_ = 0xFFFFFFFF, svr_ = 0xFF, esr_ = 0, esr_pending_ = 0;
    uint64_t icr_ = 0;
    Bits irr_{}, isr_{}, tmr_{};
    std::array<uint32_t, lapic::kNumLvt> lvt_{};
    bool lint_level_[2] = {false, false};
    // Timer: counting (one-shot/periodic) from timer_start_, next expiry at timer_next_.
    uint32_t timer_initial_ = 0, dcr_ = 0;
    bool timer_armed_ = false;
    uint64_t timer_start_ = 0, timer_next_ = 0, tsc_deadline_ = 0;
    bool handing_over_ = false;
};

} // namespace hvemu::dev
