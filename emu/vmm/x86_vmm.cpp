// The x86 VMM's hooks into the shared scheduler: physical CPUs are VMX
// cores, vCPUs are VCpu<X86VCpu>, guest time is the core's cycle counter
// (the TSC and the LAPIC timer's clock), the console UART is the 16550.
// The exit handlers are in x86_vmm_exits.cpp.
#include "emu/vmm/x86_vmm.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace hvemu::emu::vmm {

X86Vmm::X86Vmm(X86Vm& vm, const VmmOptions& opt)
    : VmmFor(vm, opt),
      init_seen_(vm.num_vcpus(), false) {
    vm_.on_virq = [this](unsigned v, uint8_t vector) {
        if (opt_.tracer) opt_.tracer->on_irq({v, vector, "lapic", Isa::X86_64});
        if (vm_.vcpu(v).arch().has_wakeup()) wake(v);
    };
    vm_.on_init = [this](unsigned t) { init_ipi(t); };
    vm_.on_sipi = [this](unsigned t, uint8_t vector) { startup_ipi(t, vector); };
    vm_.debug_exit().set_exit([this](uint64_t status) { finish(VmEnd::Shutdown, shell_status(status), ""); });
}

X86Vmm::~X86Vmm() {
    vm_.on_virq = nullptr;
    vm_.on_init = nullptr;
    vm_.on_sipi = nullptr;
    vm_.debug_exit().set_exit({});
}

uint64_t X86Vmm::pcpu_icount(unsigned p) const { return vm_.pcpu(p).core().icount(); }

// Before each entry: the LAPIC's timer evaluated (a due interrupt is
// handed over and queued) and its next expiry as the vCPU's deadline.
vcpu::Result<vcpu::ExitReason> X86Vmm::run_vcpu(unsigned v, uint64_t budget) {
    dev::Lapic& l = vm_.lapic(v);
    l.poll();
    X86VCpu& a = vm_.vcpu(v).arch();
    a.set_timer_deadline(l.next_timer_event());
    a.set_run_budget(budget);
    return vm_.vcpu(v).run();
}

uint64_t X86Vmm::vcpu_pc(unsigned v) const { return vm_.vcpu(v).arch().rip(); }

bool X86Vmm::fetch_insn(unsigned v, uint64_t pc, uint32_t& raw) const {
    const X86VCpu& a = vm_.vcpu(v).arch();
    raw = 0;
    return a.read_guest_linear(a.cs_base() + pc, &raw, 4);
}

bool X86Vmm::slice_ended(unsigned v, const vcpu::ExitReason& e) const {
    return std::holds_alternative<vcpu::exit::Nothing>(e) && vm_.vcpu(v).arch().last_exit().reason == X86VCpu::kSliceExit;
}

void X86Vmm::fill_record(ExitRecord& r) const {
    const X86VCpu::ExitInfo& x = vm_.vcpu(r.vcpu).arch().last_exit();
    r.isa = Isa::X86_64;
    r.scause = x.valid ? x.reason : 0;
    if (x.valid) r.trap_pc = x.trap_rip;
}

bool X86Vmm::has_wakeup(unsigned v, unsigned) const {
    vm_.lapic(v).poll();   // a due timer interrupt is handed over (and queued) now
    return vm_.vcpu(v).arch().has_wakeup();
}

std::optional<uint64_t> X86Vmm::timer_deadline(unsigned v) const { return vm_.lapic(v).next_timer_event(); }

uint64_t X86Vmm::cycles_until(unsigned p, uint64_t deadline) const {
    const uint64_t now = vm_.pcpu(p).cycles();
    return deadline > now ? deadline - now : 0;
}


std::string X86Vmm::describe_vm() const {
    const auto& l = vm_.ept().leaves();
    return fmt::format("VM '{}': {} vCPU(s) on {} physical CPU(s), EPT 4-level ({} x 1 GiB, {} x 2 MiB, {} x 4 KiB)",
                       vm_.config().name, vm_.num_vcpus(), vm_.num_pcpus(), l[2], l[1], l[0]);
}

// INIT: the target waits for a start-up IPI (a running one stops first).
void X86Vmm::init_ipi(unsigned t) {
    if (t >= num_vcpus() || t == 0) return;   // the BSP ignores INIT here (no VM reset)
    state_[t] = VState::Stopped;
    init_seen_[t] = true;
}

// A start-up IPI after INIT starts the target in real mode at vector << 12
// (CS = vector << 8, IP = 0); later ones are ignored, as by a running CPU.
void X86Vmm::startup_ipi(unsigned t, uint8_t vector) {
    if (t >= num_vcpus() || !init_seen_[t] || state_[t] != VState::Stopped) return;
    init_seen_[t] = false;
    if (auto r = vm_.vcpu(t).set_entry(uint64_t{vector} << 12); !r)
        return finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("starting vCPU {}: {}", t, r.error().message));
    state_[t] = VState::Runnable;
}

} // namespace hvemu::emu::vmm
