// A physical CPU of the emulated x86 host: one x86::Core in hosted mode,
// prepared as firmware and Axvisor's per-CPU hardware_enable prepare a real
// core (64-bit host mode, IA32_FEATURE_CONTROL locked with VMX outside SMX,
// CR0/CR4 within the VMX fixed bits, VMXON), onto which X86VCpu::bind()
// loads a guest (VMPTRLD of its VMCS).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "isa/common/cycle_model.hpp"
#include "isa/common/phys_mem.hpp"
#include "isa/x86/core.hpp"
#include "vcpu/x86/host_frames.hpp"

namespace hvemu::vcpu::x86 {

namespace hx = hvemu::x86;

// The host's local APIC as the core sees it in this model: a queue of host
// interrupt vectors (host devices raise them with PhysCpu::raise_host_irq).
// With external-interrupt exiting and "acknowledge interrupt on exit" the
// core acknowledges the oldest one into the VM-exit interruption info.
class HostApic final : public hx::InterruptController {
public:
    bool has_interrupt() override { return !q_.empty(); }
    uint8_t acknowledge() override {
        if (q_.empty()) return 0;
        const uint8_t v = q_.front();
        q_.pop_front();
        return v;
    }
    bool x2apic_rdmsr(uint32_t, uint64_t&) override { return false; }
    bool x2apic_wrmsr(uint32_t, uint64_t) override { return false; }
    void raise(uint8_t v) { q_.push_back(v); }

private:
    std::deque<uint8_t> q_;
};

// What the constructor programs (hardware_enable), from frames of `frames`:
//   a host page table (PML4 + one PDPT of 1 GiB identity pages: 512 GiB),
//   CR0 = PG|NE|PE|ET|WP, CR4 = PAE|VMXE, EFER = LME|LMA|NXE, 64-bit CS,
//   IA32_FEATURE_CONTROL = lock | VMX outside SMX (WRMSR),
//   the VMXON region with the revision of IA32_VMX_BASIC (RDMSR), VMXON;
//   the host state a VM exit loads: a GDT/TSS frame, a stack frame and an
//   exit stub (HOST_RIP) holding HLT. In hosted mode the core returns to
//   the caller on a VM exit before the stub runs.
// Construction failure (no frames, a VMXON that fails) leaves enabled()
// false with error() saying why. Not thread-safe: used by the thread it is
// current on.
class PhysCpu {
public:
    PhysCpu(isa::PhysMem& mem, HostFrames& frames, unsigned id, const isa::Clocking& clock = {},
            unsigned phys_addr_bits = 39);
    ~PhysCpu();
    PhysCpu(const PhysCpu&) = delete;
    PhysCpu& operator=(const PhysCpu&) = delete;

    hx::Core& core() { return *core_; }
    const hx::Core& core() const { return *core_; }
    unsigned id() const { return id_; }
    bool enabled() const { return enabled_; }
    const char* error() const { return error_; }

    void make_current();
    static PhysCpu* current();
    static void clear_current();

    // A host device's interrupt while a guest runs: the next run() of the
    // bound vCPU returns ExternalInterrupt{vector} (external-interrupt
    // exiting, acknowledged on exit).
    void raise_host_irq(uint8_t vector);
    bool host_irq_pending() { return apic_.has_interrupt(); }

    void add_cycles(uint64_t c) { core_->add_cycles(c); }
    uint64_t cycles() const { return core_->cycles(); }

    std::optional<std::pair<uint64_t, uint64_t>> loaded() const { return loaded_; }

    // The host state X86VCpu::bind() writes into a VMCS.
    struct HostState {
        uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0, pat = 0;
        uint64_t rip = 0, rsp = 0, gdtr = 0, idtr = 0, tr_base = 0;
        uint16_t cs = 0x08, ss = 0x10, tr = 0x18;
    };
    const HostState& host_state() const { return host_; }

private:
    friend class X86VCpu;
    bool enable(HostFrames& frames);

    std::unique_ptr<hx::Core> core_;
    HostApic apic_;
    unsigned id_;
    bool enabled_ = false;
    const char* error_ = "";
    uint64_t vmxon_pa_ = 0;
    HostState host_;
    std::optional<std::pair<uint64_t, uint64_t>> loaded_;
};

} // namespace hvemu::vcpu::x86
