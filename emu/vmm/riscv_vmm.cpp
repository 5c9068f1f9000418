// The RISC-V VMM's hooks into the shared scheduler: physical CPUs are
// harts, vCPUs are VCpu<RiscvVCpu>, guest time is the hart's time CSR, the
// console UART is the 16550. The exit handlers are in riscv_vmm_exits.cpp.
#include "emu/vmm/riscv_vmm.hpp"

#include <fmt/format.h>

#include "vcpu/riscv/sbi.hpp"

namespace hvemu::emu::vmm {

namespace {
constexpr uint32_t kWfi = 0x10500073;
} // namespace

RiscvVmm::RiscvVmm(RiscvVm& vm, const VmmOptions& opt)
    : VmmFor(vm, opt),
      suspended_(vm.num_vcpus(), 0) {
    for (unsigned i = 0; i < vm_.num_vcpus(); i++) {
        vcpu::riscv::SbiHost host;
        host.console_putchar = [this](uint8_t c) { vm_.console().put(c); };
        host.console_getchar = [this]() -> int {
            uint8_t b;
            return vm_.console().read_ready(&b, 1) == 1 ? b : -1;
        };
        host.hart_status = [this](uint64_t hartid) { return hart_status(hartid); };
        host.remote_fence = [this](uint64_t mask, uint64_t base) { remote_fence(mask, base); };
        vm_.vcpu(i).arch().set_sbi_host(std::move(host));
    }
    vm_.on_external_irq = [this](unsigned v, bool level) {
        if (level && opt_.tracer) opt_.tracer->on_irq({v, 9, "plic"});
        if (level) wake(v);
    };
}

RiscvVmm::~RiscvVmm() { vm_.on_external_irq = nullptr; }

uint64_t RiscvVmm::pcpu_icount(unsigned p) const { return vm_.pcpu(p).hart().icount(); }

vcpu::Result<vcpu::ExitReason> RiscvVmm::run_vcpu(unsigned v, uint64_t budget) {
    vm_.vcpu(v).arch().set_run_budget(budget);
    return vm_.vcpu(v).run();
}

uint64_t RiscvVmm::vcpu_pc(unsigned v) const { return vm_.vcpu(v).arch().pc(); }
bool RiscvVmm::fetch_insn(unsigned v, uint64_t pc, uint32_t& raw) const { return vm_.vcpu(v).arch().fetch_insn(pc, raw); }

bool RiscvVmm::slice_ended(unsigned v, const vcpu::ExitReason& e) const {
    return std::holds_alternative<vcpu::exit::Nothing>(e) && vm_.vcpu(v).arch().last_trap().scause == 0;
}

void RiscvVmm::fill_record(ExitRecord& r) const {
    const RiscvVCpu& a = vm_.vcpu(r.vcpu).arch();
    r.scause = a.last_trap().scause;
    if (r.scause) {
        r.trap_pc = a.last_trap().sepc;
    } else if (std::holds_alternative<vcpu::exit::Halt>(r.exit)) {
        // A WFI stops the hart without a trap; the vCPU has stepped past it.
        uint32_t raw = 0;
        if (a.fetch_insn(r.pc_after - 4, raw) && raw == kWfi) r.trap_pc = r.pc_after - 4;
    }
}

bool RiscvVmm::has_wakeup(unsigned v, unsigned p) const { return vm_.vcpu(v).arch().has_wakeup(vm_.pcpu(p).time()); }
std::optional<uint64_t> RiscvVmm::timer_deadline(unsigned v) const { return vm_.vcpu(v).arch().timer_deadline(); }
uint64_t RiscvVmm::cycles_until(unsigned p, uint64_t deadline) const {
    return vm_.pcpu(p).hart().cycles_until_time(deadline);
}

std::string RiscvVmm::describe_vm() const {
    return fmt::format("VM '{}': {} vCPU(s) on {} physical CPU(s), G-stage {}", vm_.config().name, vm_.num_vcpus(),
                       vm_.num_pcpus(), to_string(vm_.gstage().mode()));
}

int64_t RiscvVmm::hart_status(uint64_t hartid) const {
    if (hartid >= state_.size()) return vcpu::riscv::sbi::ERR_INVALID_PARAM;
    if (state_[hartid] == VState::Stopped) return vcpu::riscv::hsm_state::STOPPED;
    if (state_[hartid] == VState::Sleeping && suspended_[hartid]) return vcpu::riscv::hsm_state::SUSPENDED;
    return vcpu::riscv::hsm_state::STARTED;
}

void RiscvVmm::remote_fence(uint64_t mask, uint64_t base) {
    for (unsigned v = 0; v < vm_.num_vcpus(); v++) {
        const bool named = base == ~0ull || (v >= base && v - base < 64 && ((mask >> (v - base)) & 1));
        if (named && static_cast<int>(v) != current_vcpu_) vm_.vcpu(v).arch().request_tlb_flush();
    }
}

} // namespace hvemu::emu::vmm
