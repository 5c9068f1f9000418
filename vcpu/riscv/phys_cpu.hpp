// A physical CPU of the emulated RISC-V host: one rv::Hart in hosted mode,
// prepared as M-mode firmware and Axvisor's per-CPU setup would prepare a
// real hart, onto which RiscvVCpu::bind() loads a guest context.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "isa/common/cycle_model.hpp"
#include "isa/common/phys_mem.hpp"
#include "isa/riscv/hart.hpp"

namespace hvemu::vcpu::riscv {

// Model switches of a physical CPU that real hardware fixes at design time.
struct PhysCpuOptions {
    // false: the hart writes htinst = 0 on every trap (allowed by the
    // specification; QEMU 7.2 does so), so MMIO exits are decoded by fetching
    // the trapping instruction instead of from the transformed instruction.
    bool write_tinst = true;
    bool jit = true;   // the hart compiles hot blocks to host code (rv::HartConfig::jit)
};

// What the constructor programs, as firmware and the hypervisor's per-CPU
// setup would:
//   M level: medeleg = every delegable exception, mideleg = SSI|STI|SEI,
//            mcounteren = all, menvcfg.STCE (Sstc), PMP entry 0 = all memory
//            RWX, mstatus.FS = Initial; the hart then sits in HS (S, V=0).
//   HS level (Axvisor's setup_csrs): hedeleg = {0,2,3,8,12,13,15},
//            hideleg = VSSIP|VSTIP|VSEIP, hvip = 0, hcounteren = all,
//            sie = SSIE|STIE|SEIE, henvcfg.STCE (the guest timer is vstimecmp).
// Not thread-safe: a PhysCpu is used by one thread at a time (the thread it
// is current on); host interrupts are raised from that thread too.
class PhysCpu {
public:
    PhysCpu(isa::PhysMem& mem, unsigned id, const isa::Clocking& clock = {});
    PhysCpu(isa::PhysMem& mem, unsigned id, const isa::Clocking& clock, const PhysCpuOptions& opts);
    ~PhysCpu();
    PhysCpu(const PhysCpu&) = delete;
    PhysCpu& operator=(const PhysCpu&) = delete;

    rv::Hart& hart() { return *hart_; }
    const rv::Hart& hart() const { return *hart_; }
    unsigned id() const { return id_; }

    void make_current();                  // this thread's physical CPU
    static PhysCpu* current();
    static void clear_current();          // this thread has no physical CPU

    // A host interrupt (e.g. a host device) pending while a guest runs: the
    // next run() returns ExternalInterrupt{vector} (the hart takes an
    // S-external interrupt to HS). Several queue up, one exit each, in order.
    void raise_host_irq(uint64_t vector);
    bool host_irq_pending() const { return !host_irqs_.empty(); }

    // Advance this CPU's model clock (used by a VMM when every vCPU waits).
    void add_cycles(uint64_t c) { hart_->add_cycles(c); }
    uint64_t cycles() const { return hart_->cycles(); }
    uint64_t time() const { return hart_->time(); }   // host timebase (no htimedelta)

    // Which vCPU is loaded here: (VM id, vCPU id), or none.
    std::optional<std::pair<uint64_t, uint64_t>> loaded() const { return loaded_; }

private:
    friend class RiscvVCpu;
    uint64_t take_host_irq();             // the oldest raised vector; drops the line when none is left

    std::unique_ptr<rv::Hart> hart_;
    unsigned id_;
    std::deque<uint64_t> host_irqs_;
    std::optional<std::pair<uint64_t, uint64_t>> loaded_;
};

} // namespace hvemu::vcpu::riscv
