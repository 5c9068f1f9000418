// The VmmCore hooks every hosted VM answers the same way, written once for
// a VM class: its physical CPUs' clocks and current-CPU switch, its vCPUs'
// bind/unbind and registers (through VCpu<A>), and its console UART. An
// architecture's VMM derives from VmmFor<ItsVm, ItsPhysCpu> and provides
// the rest (what differs: run budget, pc, exits, interrupts, timers).
#pragma once
#include <cstdint>

#include "emu/vmm/vmm_core.hpp"

namespace hvemu::emu::vmm {

template <class Vm, class PCpu> class VmmFor : public VmmCore {
protected:
    VmmFor(Vm& vm, const VmmOptions& opt)
        : VmmCore(vm.num_vcpus(), vm.num_pcpus(), opt, vm.bus(), vm.guest_mem(), vm.console()), vm_(vm) {}

    uint64_t pcpu_cycles(unsigned p) const override { return vm_.pcpu(p).cycles(); }
    void pcpu_add_cycles(unsigned p, uint64_t c) override { vm_.pcpu(p).add_cycles(c); }
    void make_current(unsigned p) override { vm_.pcpu(p).make_current(); }
    void clear_current() override { PCpu::clear_current(); }
    vcpu::Result<void> bind_vcpu(unsigned v) override { return vm_.vcpu(v).bind(); }
    vcpu::Result<void> unbind_vcpu(unsigned v) override { return vm_.vcpu(v).unbind(); }
    void set_gpr(unsigned v, unsigned reg, uint64_t value) override { vm_.vcpu(v).set_gpr(reg, value); }
    unsigned uart_rx_space() const override { return vm_.uart().rx_space(); }
    void uart_push_rx(uint8_t b) override { vm_.uart().push_rx(b); }

    Vm& vm_;
};

} // namespace hvemu::emu::vmm
