// The reference VMM for x86 VMs: the shared scheduler and exit bookkeeping
// (vmm_core.hpp) plus what is x86's (x86_vmm_exits.cpp): port I/O to the
// VM's port bus (16550, isa-debug-exit), the local APIC page and MSRs
// (IA32_APIC_BASE, x2APIC, TSC_DEADLINE) to the exiting vCPU's virtual
// LAPIC, other MSRs refused with #GP, interrupts the LAPICs hand over
// queued in the vCPUs (a halted vCPU wakes when it would take one), the
// LAPIC timer's deadline given to the vCPU as its VMX-preemption-timer
// deadline, INIT and start-up IPIs starting the other vCPUs in real mode at
// the SIPI vector, and hvemu's x86 hypercalls (VMCALL, function in RAX):
//   1 print: RBX = guest-physical address, RCX = length (at most 4096):
//            the bytes go to the console; RAX = 0, RCX = length (RAX = -1
//            for a buffer outside guest RAM or too long)
//   2 exit:  RBX = status: the VM ends with status (RBX << 1) | 1, the
//            convention of isa-debug-exit, so either way out gives a
//            guest's code the same shell status
//   other:   RAX = -1.
//
// How a run ends, besides the shared policy of vmm_core.hpp (123 guest
// error, 124 --max-insns, 125 deadlock): a write of v to isa-debug-exit
// (status (v << 1) | 1), the exit hypercall, a triple fault (123, with a
// message: VM reset is not modelled).
// UnmappedAccess::Fault on x86: what a PC does with an access nobody
// decodes: reads return all ones, writes are dropped.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "emu/vmm/vmm_for.hpp"
#include "emu/vmm/x86_vm.hpp"

namespace hvemu::emu::vmm {

class X86Vmm final : public VmmFor<X86Vm, X86PhysCpu> {
public:
    X86Vmm(X86Vm& vm, const VmmOptions& opt);
    ~X86Vmm() override;

    // Hypercall function numbers (RAX).
    static constexpr uint64_t kHcPrint = 1, kHcExit = 2;

private:
    // VmmCore hooks (x86_vmm.cpp)
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

    // exits (x86_vmm_exits.cpp)
    void handle_exit(unsigned v, const vcpu::ExitReason& e) override;
    void no_device(unsigned v, uint64_t addr, unsigned width, bool store, const char* why) override;
    void mmio_read_x86(unsigned v, const vcpu::exit::MmioRead& e);
    void mmio_write_x86(unsigned v, const vcpu::exit::MmioWrite& e);
    void io_read(unsigned v, const vcpu::exit::IoRead& e);
    void io_write(unsigned v, const vcpu::exit::IoWrite& e);
    void msr_read(unsigned v, const vcpu::exit::SysRegRead& e);
    void msr_write(unsigned v, const vcpu::exit::SysRegWrite& e);
    void hypercall(unsigned v, const vcpu::exit::Hypercall& e);
    void nested_page_fault(unsigned v, const vcpu::exit::NestedPageFault& e);
    void init_ipi(unsigned t);
    void startup_ipi(unsigned t, uint8_t vector);

    std::vector<bool> init_seen_;   // per vCPU: INIT received, a start-up IPI may start it
    bool in_read_ = false;          // an MMIO read that fell to no_device (Fault: all ones)
};

} // namespace hvemu::emu::vmm
