// The VMM's scheduling half: rounds, slices, binding, sleeping and waking,
// time skips, the end of a run. The exit handlers are in
// riscv_vmm_exits.cpp.
#include "emu/vmm/riscv_vmm.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "vcpu/riscv/sbi.hpp"

namespace hvemu::emu::vmm {

namespace {
constexpr unsigned kInputPollRounds = 16;   // poll host console input every this many rounds
constexpr uint32_t kWfi = 0x10500073;
} // namespace

RiscvVmm::RiscvVmm(RiscvVm& vm, const VmmOptions& opt)
    : vm_(vm), opt_(opt), state_(vm.num_vcpus(), VState::Stopped), suspended_(vm.num_vcpus(), 0),
      bound_(vm.num_pcpus(), -1), vcpu_insns_(vm.num_vcpus(), 0) {
    if (opt_.quantum == 0) opt_.quantum = 1;
    state_[0] = VState::Runnable;   // the boot hart; the others wait for HSM hart_start
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

void RiscvVmm::finish(VmEnd end, int status, std::string message) {
    if (ended_) return;
    ended_ = true;
    result_ = {end, status, std::move(message)};
}

void RiscvVmm::wake(unsigned v) {
    if (v < state_.size() && state_[v] == VState::Sleeping) {
        state_[v] = VState::Runnable;
        suspended_[v] = 0;
    }
}

bool RiscvVmm::wake_if_ready(unsigned v, unsigned p) {
    if (state_[v] == VState::Sleeping && vm_.vcpu(v).arch().has_wakeup(vm_.pcpu(p).time())) wake(v);
    return state_[v] == VState::Runnable;
}

// Bind v on CPU p, first unbinding whatever stands in the way (v on another
// CPU, another vCPU on p).
void RiscvVmm::switch_to(unsigned p, unsigned v) {
    PhysCpu& cpu = vm_.pcpu(p);
    if (bound_[p] == static_cast<int>(v)) {
        cpu.make_current();
        return;
    }
    auto unbind_from = [&](unsigned q) {
        vm_.pcpu(q).make_current();
        if (auto r = vm_.vcpu(static_cast<unsigned>(bound_[q])).unbind(); !r)
            finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("unbinding vCPU {}: {}", bound_[q], r.error().message));
        bound_[q] = -1;
    };
    for (unsigned q = 0; q < bound_.size(); q++)
        if (bound_[q] == static_cast<int>(v)) unbind_from(q);
    if (bound_[p] >= 0) unbind_from(p);
    cpu.make_current();
    if (auto r = vm_.vcpu(v).bind(); !r) {
        finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("binding vCPU {}: {}", v, r.error().message));
        return;
    }
    bound_[p] = static_cast<int>(v);
}

ExitRecord RiscvVmm::make_record(unsigned p, unsigned v, const vcpu::ExitReason& e) {
    RiscvVCpu& a = vm_.vcpu(v).arch();
    ExitRecord r;
    r.vcpu = v;
    r.pcpu = p;
    r.cycle = vm_.pcpu(p).cycles();
    r.pc_after = a.pc();
    r.scause = a.last_trap().scause;
    r.exit = e;
    if (r.scause) {
        r.trap_pc = a.last_trap().sepc;
    } else if (std::holds_alternative<vcpu::exit::Halt>(e)) {
        // A WFI stops the hart without a trap; the vCPU has stepped past it.
        uint32_t raw = 0;
        if (a.fetch_insn(r.pc_after - 4, raw) && raw == kWfi) r.trap_pc = r.pc_after - 4;
    }
    uint32_t raw = 0;
    if (r.trap_pc && a.fetch_insn(*r.trap_pc, raw)) r.insn = raw;
    return r;
}

void RiscvVmm::run_slice(unsigned p, unsigned v, uint64_t target) {
    switch_to(p, v);
    PhysCpu& cpu = vm_.pcpu(p);
    VCpuT& vc = vm_.vcpu(v);
    while (!ended_ && state_[v] == VState::Runnable && cpu.cycles() < target) {
        uint64_t budget = target - cpu.cycles();
        if (opt_.max_insns) budget = std::min(budget, opt_.max_insns - executed_);
        if (opt_.before_insn) {
            if (!opt_.before_insn(v)) {
                finish(VmEnd::Shutdown, 0, "killed by the debugger");
                return;
            }
            if (!opt_.debugger_attached || opt_.debugger_attached()) budget = 1;
        }
        const uint64_t start_cycle = cpu.cycles();
        if (opt_.tracer && opt_.tracer->wants_insns()) {
            budget = 1;   // one instruction per run(), each reported before it runs
            uint32_t raw = 0;
            const uint64_t pc = vc.arch().pc();
            opt_.tracer->on_insn(v, start_cycle, pc, vc.arch().fetch_insn(pc, raw) ? std::optional<uint32_t>(raw) : std::nullopt);
        }
        vc.arch().set_run_budget(budget);
        const uint64_t before = cpu.hart().icount();
        vcpu::Result<vcpu::ExitReason> r = vc.run();
        const uint64_t ran = cpu.hart().icount() - before;
        if (opt_.tracer) opt_.tracer->on_run(v, p, start_cycle, cpu.cycles(), ran);
        executed_ += ran;
        vcpu_insns_[v] += ran;
        ran_this_round_ = true;
        if (!r) {
            finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("vCPU {}: {}", v, r.error().message));
            return;
        }
        const vcpu::ExitReason& e = r.value();
        if (std::holds_alternative<vcpu::exit::Nothing>(e) && vc.arch().last_trap().scause == 0) {
            stats_.slices++;   // the budget ran out: not an exit
        } else {
            ExitRecord rec = make_record(p, v, e);
            stats_.count(rec);
            if (opt_.trace) std::fprintf(opt_.trace, "%s\n", format_trace_line(rec).c_str());
            if (opt_.hook) opt_.hook(rec);
            if (opt_.tracer) opt_.tracer->on_exit(rec);
            if (opt_.on_exit && !opt_.on_exit(rec)) {
                finish(VmEnd::Shutdown, 0, "killed by the debugger");
                return;
            }
            current_vcpu_ = static_cast<int>(v);
            handle_exit(v, e);
            current_vcpu_ = -1;
        }
        if (opt_.max_insns && executed_ >= opt_.max_insns)
            finish(VmEnd::MaxInsns, kMaxInsnsStatus,
                   fmt::format("stopped after {} instructions: the --max-insns limit was reached", executed_));
    }
}

void RiscvVmm::run_round(uint64_t target) {
    const unsigned n = vm_.num_vcpus(), np = vm_.num_pcpus();
    unsigned picked = 0;
    for (unsigned p = 0; p < np && !ended_; p++) {
        PhysCpu& cpu = vm_.pcpu(p);
        if (np == n) {
            // One CPU per vCPU: vCPU p stays on CPU p.
            if (wake_if_ready(p, p)) run_slice(p, p, target);
        } else {
            while (!ended_ && cpu.cycles() < target && picked < n) {
                const unsigned v = (rr_ + picked++) % n;
                if (wake_if_ready(v, p)) run_slice(p, v, target);
            }
        }
        if (!ended_ && cpu.cycles() < target) cpu.add_cycles(target - cpu.cycles());   // idle: time passes
    }
    if (np != n) rr_ = (rr_ + std::max(picked, 1u)) % n;
}

// Every vCPU sleeps or is stopped and none ran: jump the clocks to the
// earliest guest timer deadline. false when there is none.
bool RiscvVmm::idle_advance() {
    std::optional<uint64_t> deadline;
    for (unsigned v = 0; v < vm_.num_vcpus(); v++) {
        if (state_[v] != VState::Sleeping) continue;
        if (auto d = vm_.vcpu(v).arch().timer_deadline(); d && (!deadline || *d < *deadline)) deadline = d;
    }
    if (!deadline) return false;
    uint64_t advanced = 0;
    for (unsigned p = 0; p < vm_.num_pcpus(); p++) {
        PhysCpu& cpu = vm_.pcpu(p);
        const uint64_t c = cpu.hart().cycles_until_time(*deadline);
        if (c != std::numeric_limits<uint64_t>::max()) cpu.add_cycles(c);
        advanced |= c;
    }
    // A deadline already reached that woke nobody: let its vCPUs run (a
    // spurious wake-up is allowed; WFI halts them again) rather than spin.
    if (!advanced)
        for (unsigned v = 0; v < vm_.num_vcpus(); v++)
            if (state_[v] == VState::Sleeping && vm_.vcpu(v).arch().timer_deadline() == deadline) wake(v);
    return true;
}

bool RiscvVmm::feed_console() {
    dev::Uart16550& uart = vm_.uart();
    HostConsole& con = vm_.console();
    uint8_t buf[dev::Uart16550::kFifoDepth];
    const unsigned space = uart.rx_space();
    if (space == 0 || !con.input_open()) return false;
    const size_t got = con.read_ready(buf, std::min<size_t>(space, sizeof(buf)));
    for (size_t i = 0; i < got; i++) uart.push_rx(buf[i]);
    return got != 0;
}

std::string RiscvVmm::where(unsigned v) const {
    const RiscvVCpu& a = vm_.vcpu(v).arch();
    const char* s = state_[v] == VState::Stopped ? "stopped" : state_[v] == VState::Sleeping ? "waiting" : "runnable";
    return fmt::format("vCPU {} {} at pc {:#x}", v, s, a.pc());
}

VmResult RiscvVmm::run() {
    uint64_t target = 0;
    for (unsigned p = 0; p < vm_.num_pcpus(); p++) target = std::max(target, vm_.pcpu(p).cycles());
    for (uint64_t round = 0; !ended_; round++) {
        ran_this_round_ = false;
        target += opt_.quantum;
        run_round(target);
        vm_.console().flush();
        if (ended_) break;
        const bool idle = !ran_this_round_;
        const bool input = (idle || round % kInputPollRounds == 0) && feed_console();
        if (!idle || input) continue;
        if (idle_advance()) {
            target = 0;
            for (unsigned p = 0; p < vm_.num_pcpus(); p++) target = std::max(target, vm_.pcpu(p).cycles());
            continue;
        }
        if (vm_.uart().rx_space() > 0 && vm_.console().wait_input()) continue;
        std::string all;
        for (unsigned v = 0; v < vm_.num_vcpus(); v++) all += (v ? ", " : "") + where(v);
        finish(VmEnd::Deadlock, kDeadlockStatus,
               fmt::format("every vCPU waits for an interrupt that can never come ({})", all));
    }
    // Leave the CPUs empty: unbind whatever is still bound.
    for (unsigned p = 0; p < bound_.size(); p++) {
        if (bound_[p] < 0) continue;
        vm_.pcpu(p).make_current();
        (void)vm_.vcpu(static_cast<unsigned>(bound_[p])).unbind();
        bound_[p] = -1;
    }
    PhysCpu::clear_current();
    vm_.console().flush();
    return result_;
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

std::string RiscvVmm::stats_report() const {
    std::string out;
    uint64_t cycles = 0;
    for (unsigned p = 0; p < vm_.num_pcpus(); p++) cycles = std::max(cycles, vm_.pcpu(p).cycles());
    out += fmt::format("hvemu: VM '{}': {} vCPU(s) on {} physical CPU(s), G-stage {}\n", vm_.config().name,
                       vm_.num_vcpus(), vm_.num_pcpus(), to_string(vm_.gstage().mode()));
    out += fmt::format("hvemu: instructions {} cycles {}\n", executed_, cycles);
    for (unsigned v = 0; v < vm_.num_vcpus(); v++)
        out += fmt::format("hvemu: vcpu {}: instructions {}\n", v, vcpu_insns_[v]);
    out += fmt::format("hvemu: exits {} (and {} time slices)\n", stats_.exits, stats_.slices);
    for (size_t k = 0; k < ExitStats::kKinds; k++) {
        if (!stats_.by_kind[k]) continue;
        out += fmt::format("hvemu:   {:<18} {}\n", exit_kind_name(k), stats_.by_kind[k]);
    }
    return out;
}

} // namespace hvemu::emu::vmm
