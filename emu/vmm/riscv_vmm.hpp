// The reference VMM for RISC-V VMs: the shared scheduler and exit
// bookkeeping (vmm_core.hpp) plus what is RISC-V's: the SBI services that
// are the VMM's (console, HSM through CpuUp/CpuDown and a hart-status
// callback, IPIs, remote fences), Halt (WFI, HSM suspend), SystemDown and
// hvemu's hypercalls (riscv_vmm_exits.cpp), and the PLIC waking vCPUs.
//
// How a run ends (VmResult.status is what `hvemu run` exits with), besides
// the shared policy of vmm_core.hpp (123 guest error, 124 --max-insns, 125
// deadlock):
//   SBI SRST shutdown, reason 0 (none), or legacy shutdown     0
//   SRST shutdown, reason 1 (system failure)                    1
//   SRST shutdown, reason 0xF0000000 + n (vendor range)         n & 0xff (1 when that is 0)
//   SRST shutdown, any other reason                             1
//   SRST cold/warm reboot (VM reset is not modelled)            0, with a message
//   the hvemu exit hypercall (hypercalls.hpp)                   status & 0xff (1 when that is 0)
//
// UnmappedAccess::Fault on RISC-V: the guest gets an access fault:
// vsepc = the faulting pc, vscause = 5 (load) or 7 (store), vstval = the
// faulting guest virtual address, vsstatus SPP/SPIE/SIE updated as for a
// trap, and the vCPU resumes at vstvec (its base: exceptions are never
// vectored).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "emu/vmm/riscv_vm.hpp"
#include "emu/vmm/vmm_for.hpp"

namespace hvemu::emu::vmm {

class RiscvVmm final : public VmmFor<RiscvVm, PhysCpu> {
public:
    RiscvVmm(RiscvVm& vm, const VmmOptions& opt);
    ~RiscvVmm() override;

private:
    // VmmCore hooks (riscv_vmm.cpp)
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

    // exits (riscv_vmm_exits.cpp)
    void handle_exit(unsigned v, const vcpu::ExitReason& e) override;
    void no_device(unsigned v, uint64_t addr, unsigned width, bool store, const char* why) override;
    void hypercall(unsigned v, const vcpu::exit::Hypercall& e);
    void send_ipi(unsigned v, const vcpu::exit::SendIpi& e);
    void cpu_up(unsigned v, const vcpu::exit::CpuUp& e);
    void system_down(unsigned v);
    void nested_page_fault(unsigned v, const vcpu::exit::NestedPageFault& e);
    int64_t hart_status(uint64_t hartid) const;
    void remote_fence(uint64_t mask, uint64_t base);

    std::vector<uint8_t> suspended_;      // asleep through HSM suspend (reported SUSPENDED)
};

} // namespace hvemu::emu::vmm
