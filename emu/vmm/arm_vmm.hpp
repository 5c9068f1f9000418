// The reference VMM for Arm VMs: the shared scheduler and exit bookkeeping
// (vmm_core.hpp) plus what is Arm's (arm_vmm_exits.cpp): PSCI CPU_ON /
// CPU_OFF through CpuUp / CpuDown (by MPIDR) and AFFINITY_INFO through the
// vCPUs' PSCI host callback, SGIs (SendIpi) through the virtual GIC,
// trapped system registers (the EL1 physical timer CNTP_* and CNTPCT,
// emulated; anything else UNDEFINED for the guest), Halt (WFI, CPU_SUSPEND)
// and waking on the virtual GIC's interrupts and timer deadlines,
// SystemDown and hvemu's hypercalls (hypercalls.hpp). Interrupts the
// virtual GIC hands over go to the vCPUs' queues (ArmVm), and a level
// interrupt the guest has finished (no longer in a list register) is given
// back to the GIC with eoi().
//
// How a run ends, besides the shared policy of vmm_core.hpp (123 guest
// error, 124 --max-insns, 125 deadlock):
//   PSCI SYSTEM_OFF                        0
//   PSCI SYSTEM_RESET (not modelled)       0, with a message
//   the hvemu exit hypercall               status & 0xff (1 when that is 0)
//
// UnmappedAccess::Fault on Arm: the guest takes a synchronous external
// abort at EL1 (ESR_EL1.EC 0x25 from EL1 / 0x24 from EL0, DFSC 0x10, WnR;
// FAR_EL1 = the faulting virtual address; ELR_EL1 = the access), through
// VBAR_EL1 as the architecture enters EL1 (SPSR_EL1 = the PSTATE then,
// DAIF masked). An UNDEFINED system register access is delivered the same
// way with EC 0x00.
//
// The emulated physical timer (CNTHCTL_EL2 traps CNTP_* and CNTPCT at EL1):
// CNTPCT reads the host counter; CNTP_CVAL/TVAL/CTL behave as the
// architecture's, ISTATUS included; while its condition holds (enabled,
// not masked, CVAL reached) PPI 30 is high at the virtual GIC. It is
// re-evaluated before each run of the vCPU and when the VMM looks for
// wake-ups, so it fires within one scheduling quantum of its deadline.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "emu/vmm/arm_vm.hpp"
#include "emu/vmm/vmm_for.hpp"

namespace hvemu::emu::vmm {

class ArmVmm final : public VmmFor<ArmVm, ArmPhysCpu> {
public:
    ArmVmm(ArmVm& vm, const VmmOptions& opt);
    ~ArmVmm() override;

private:
    // VmmCore hooks (arm_vmm.cpp)
    uint64_t pcpu_icount(unsigned p) const override;
    vcpu::Result<vcpu::ExitReason> run_vcpu(unsigned v, uint64_t budget) override;
    uint64_t vcpu_pc(unsigned v) const override;
    bool fetch_insn(unsigned v, uint64_t pc, uint32_t& raw) const override;
    bool slice_ended(unsigned v, const vcpu::ExitReason& e) const override;
    void fill_record(ExitRecord& r) const override;
    bool has_wakeup(unsigned v, unsigned p) const override;
    std::optional<uint64_t> timer_deadline(unsigned v) const override;
    uint64_t cycles_until(unsigned p, uint64_t deadline) const override;
    std::string describe_vm() const override;

    // exits (arm_vmm_exits.cpp)
    void handle_exit(unsigned v, const vcpu::ExitReason& e) override;
    void no_device(unsigned v, uint64_t addr, unsigned width, bool store, const char* why) override;
    void hypercall(unsigned v, const vcpu::exit::Hypercall& e);
    void send_ipi(unsigned v, const vcpu::exit::SendIpi& e);
    void cpu_up(unsigned v, const vcpu::exit::CpuUp& e);
    void system_down(unsigned v);
    void nested_page_fault(unsigned v, const vcpu::exit::NestedPageFault& e);
    void sysreg_read(unsigned v, const vcpu::exit::SysRegRead& e);
    void sysreg_write(unsigned v, const vcpu::exit::SysRegWrite& e);
    int64_t affinity_info(uint64_t mpidr) const;
    // Deliver a synchronous exception to the guest's EL1 (see above);
    // false when the vCPU is not bound (nothing changed).
    bool inject_sync(unsigned v, uint32_t ec, uint32_t iss, uint64_t far, uint64_t elr);
    // Level interrupts handed to vCPU v that left its list registers go
    // back to the GIC (eoi).
    void retire_handed(unsigned v);
    // The emulated CNTP of vCPU v: its line at the GIC, on `counter`.
    void update_ptimer(unsigned v, uint64_t counter) const;
    uint64_t counter_of(unsigned v) const;

    struct PTimer {
        uint64_t ctl = 0, cval = 0;
        bool line = false;
    };

    std::vector<std::vector<uint32_t>> handed_;   // per vCPU: level interrupts in its list registers
    mutable std::vector<PTimer> ptimer_;   // per vCPU (its line follows the clock, also from const hooks)
    const char* irq_source_ = "gic";              // what on_virq reports ("ipi" while an SGI is sent)
};

} // namespace hvemu::emu::vmm
