// The shared VMM: rounds, slices, binding, sleeping and waking, time skips,
// exit records and statistics, MMIO dispatch, the end of a run.
#include "emu/vmm/vmm_core.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "vcpu/mmio.hpp"

namespace hvemu::emu::vmm {

namespace {
constexpr unsigned kInputPollRounds = 16;   // poll host console input every this many rounds
constexpr unsigned kInputChunk = 64;        // console bytes moved per poll at most

uint64_t width_mask(unsigned bytes) { return bytes >= 8 ? ~0ull : (uint64_t{1} << (8 * bytes)) - 1; }
} // namespace

VmmCore::VmmCore(unsigned num_vcpus, unsigned num_pcpus, const VmmOptions& opt, MmioBus& bus, GuestMemory& guest,
                 HostConsole& console)
    : opt_(opt), state_(num_vcpus, VState::Stopped), bus_(bus), guest_(guest), console_(console),
      bound_(num_pcpus, -1), vcpu_insns_(num_vcpus, 0) {
    if (opt_.quantum == 0) opt_.quantum = 1;
    if (opt_.timing) {
        for (size_t k = 0; k < ExitStats::kKinds; k++) handler_cost_[k] = opt_.timing->handler_cost(exit_kind_name(k));
        transition_cost_ = uint64_t{opt_.timing->costs.vm_exit} + opt_.timing->costs.vm_entry;
    }
    if (num_vcpus) state_[0] = VState::Runnable;   // the boot CPU; the others wait to be started
}

VmmCore::~VmmCore() = default;

int VmmCore::shell_status(uint64_t v) {
    if (v == 0) return 0;
    return (v & 0xff) ? static_cast<int>(v & 0xff) : 1;
}

std::string VmmCore::access_text(unsigned width, bool store) {
    return fmt::format("{} of {} byte{}", store ? "store" : "load", width, width == 1 ? "" : "s");
}

void VmmCore::finish(VmEnd end, int status, std::string message) {
    if (ended_) return;
    ended_ = true;
    result_ = {end, status, std::move(message)};
}

void VmmCore::wake(unsigned v) {
    if (v < state_.size() && state_[v] == VState::Sleeping) state_[v] = VState::Runnable;
}

bool VmmCore::wake_if_ready(unsigned v, unsigned p) {
    if (state_[v] == VState::Sleeping && has_wakeup(v, p)) wake(v);
    return state_[v] == VState::Runnable;
}

// Bind v on CPU p, first unbinding whatever stands in the way (v on another
// CPU, another vCPU on p).
void VmmCore::switch_to(unsigned p, unsigned v) {
    if (bound_[p] == static_cast<int>(v)) {
        make_current(p);
        return;
    }
    auto unbind_from = [&](unsigned q) {
        make_current(q);
        if (auto r = unbind_vcpu(static_cast<unsigned>(bound_[q])); !r)
            finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("unbinding vCPU {}: {}", bound_[q], r.error().message));
        bound_[q] = -1;
    };
    for (unsigned q = 0; q < bound_.size(); q++)
        if (bound_[q] == static_cast<int>(v)) unbind_from(q);
    if (bound_[p] >= 0) unbind_from(p);
    make_current(p);
    if (auto r = bind_vcpu(v); !r) {
        finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("binding vCPU {}: {}", v, r.error().message));
        return;
    }
    bound_[p] = static_cast<int>(v);
}

ExitRecord VmmCore::make_record(unsigned p, unsigned v, const vcpu::ExitReason& e) {
    ExitRecord r;
    r.vcpu = v;
    r.pcpu = p;
    r.cycle = pcpu_cycles(p);
    r.pc_after = vcpu_pc(v);
    r.exit = e;
    fill_record(r);
    uint32_t raw = 0;
    if (r.trap_pc && fetch_insn(v, *r.trap_pc, raw)) r.insn = raw;
    return r;
}

void VmmCore::run_slice(unsigned p, unsigned v, uint64_t target) {
    // A CPU whose last slice overshot the round (costly instructions under
    // a timing profile) is ahead, not idle: the round counts as progress.
    if (pcpu_cycles(p) >= target) ran_this_round_ = true;
    switch_to(p, v);
    while (!ended_ && state_[v] == VState::Runnable && pcpu_cycles(p) < target) {
        uint64_t budget = target - pcpu_cycles(p);
        if (opt_.max_insns) budget = std::min(budget, opt_.max_insns - executed_);
        if (opt_.before_insn) {
            if (!opt_.before_insn(v)) {
                finish(VmEnd::Shutdown, 0, "killed by the debugger");
                return;
            }
            if (!opt_.debugger_attached || opt_.debugger_attached()) budget = 1;
        }
        const uint64_t start_cycle = pcpu_cycles(p);
        if (opt_.tracer && opt_.tracer->wants_insns()) {
            budget = 1;   // one instruction per run(), each reported before it runs
            uint32_t raw = 0;
            const uint64_t pc = vcpu_pc(v);
            opt_.tracer->on_insn(v, start_cycle, pc, fetch_insn(v, pc, raw) ? std::optional<uint32_t>(raw) : std::nullopt);
        }
        const uint64_t before = pcpu_icount(p);
        vcpu::Result<vcpu::ExitReason> r = run_vcpu(v, budget);
        const uint64_t ran = pcpu_icount(p) - before;
        if (opt_.tracer) opt_.tracer->on_run(v, p, start_cycle, pcpu_cycles(p), ran);
        executed_ += ran;
        vcpu_insns_[v] += ran;
        ran_this_round_ = true;
        if (!r) {
            finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("vCPU {}: {}", v, r.error().message));
            return;
        }
        const vcpu::ExitReason& e = r.value();
        if (slice_ended(v, e)) {
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
            // The native handler's model time (the vCPU charged the VM exit
            // and charges the entry).
            const size_t k = e.index();
            if (handler_cost_[k]) pcpu_add_cycles(p, handler_cost_[k]);
            stats_.cycles_by_kind[k] += handler_cost_[k] + transition_cost_;
        }
        if (opt_.max_insns && executed_ >= opt_.max_insns)
            finish(VmEnd::MaxInsns, kMaxInsnsStatus,
                   fmt::format("stopped after {} instructions: the --max-insns limit was reached", executed_));
    }
}

void VmmCore::run_round(uint64_t target) {
    const unsigned n = num_vcpus(), np = num_pcpus();
    unsigned picked = 0;
    for (unsigned p = 0; p < np && !ended_; p++) {
        if (np == n) {
            // One CPU per vCPU: vCPU p stays on CPU p.
            if (wake_if_ready(p, p)) run_slice(p, p, target);
        } else {
            while (!ended_ && pcpu_cycles(p) < target && picked < n) {
                const unsigned v = (rr_ + picked++) % n;
                if (wake_if_ready(v, p)) run_slice(p, v, target);
            }
        }
        if (!ended_ && pcpu_cycles(p) < target) pcpu_add_cycles(p, target - pcpu_cycles(p));   // idle: time passes
    }
    if (np != n) rr_ = (rr_ + std::max(picked, 1u)) % n;
}

// Every vCPU sleeps or is stopped and none ran: jump the clocks to the
// earliest guest timer deadline. false when there is none.
bool VmmCore::idle_advance() {
    std::optional<uint64_t> deadline;
    for (unsigned v = 0; v < num_vcpus(); v++) {
        if (state_[v] != VState::Sleeping) continue;
        if (auto d = timer_deadline(v); d && (!deadline || *d < *deadline)) deadline = d;
    }
    if (!deadline) return false;
    uint64_t advanced = 0;
    for (unsigned p = 0; p < num_pcpus(); p++) {
        const uint64_t c = cycles_until(p, *deadline);
        if (c != std::numeric_limits<uint64_t>::max()) pcpu_add_cycles(p, c);
        advanced |= c;
    }
    // A deadline already reached that woke nobody: let its vCPUs run (a
    // spurious wake-up is allowed; WFI halts them again) rather than spin.
    if (!advanced)
        for (unsigned v = 0; v < num_vcpus(); v++)
            if (state_[v] == VState::Sleeping && timer_deadline(v) == deadline) wake(v);
    return true;
}

bool VmmCore::feed_console() {
    uint8_t buf[kInputChunk];
    const unsigned space = uart_rx_space();
    if (space == 0 || !console_.input_open()) return false;
    const size_t got = console_.read_ready(buf, std::min<size_t>(space, sizeof(buf)));
    for (size_t i = 0; i < got; i++) uart_push_rx(buf[i]);
    return got != 0;
}

std::string VmmCore::where(unsigned v) const {
    const char* s = state_[v] == VState::Stopped ? "stopped" : state_[v] == VState::Sleeping ? "waiting" : "runnable";
    return fmt::format("vCPU {} {} at pc {:#x}", v, s, vcpu_pc(v));
}

uint64_t VmmCore::max_cycles() const {
    uint64_t c = 0;
    for (unsigned p = 0; p < num_pcpus(); p++) c = std::max(c, pcpu_cycles(p));
    return c;
}

VmResult VmmCore::run() {
    uint64_t target = max_cycles();
    for (uint64_t round = 0; !ended_; round++) {
        ran_this_round_ = false;
        target += opt_.quantum;
        run_round(target);
        console_.flush();
        if (ended_) break;
        const bool idle = !ran_this_round_;
        const bool input = (idle || round % kInputPollRounds == 0) && feed_console();
        if (!idle || input) continue;
        if (idle_advance()) {
            target = max_cycles();
            continue;
        }
        if (uart_rx_space() > 0 && console_.wait_input()) continue;
        std::string all;
        for (unsigned v = 0; v < num_vcpus(); v++) all += (v ? ", " : "") + where(v);
        finish(VmEnd::Deadlock, kDeadlockStatus,
               fmt::format("every vCPU waits for an interrupt that can never come ({})", all));
    }
    // Leave the CPUs empty: unbind whatever is still bound.
    for (unsigned p = 0; p < bound_.size(); p++) {
        if (bound_[p] < 0) continue;
        make_current(p);
        (void)unbind_vcpu(static_cast<unsigned>(bound_[p]));
        bound_[p] = -1;
    }
    clear_current();
    console_.flush();
    return result_;
}

// ---- MMIO ---------------------------------------------------------------------------

void VmmCore::mmio_read(unsigned v, const vcpu::exit::MmioRead& e) {
    const unsigned w = vcpu::bytes(e.width);
    const MmioBus::Slot* s = bus_.find(e.addr, w);
    uint64_t raw = 0;
    if (!s) return no_device(v, e.addr, w, false, "no RAM or device there");
    if (!s->device->mmio_read(e.addr - s->base, w, raw))
        return no_device(v, e.addr, w, false, "the device refuses the access");
    set_gpr(v, e.reg, vcpu::complete_mmio_read(e, raw));
    if (opt_.tracer) opt_.tracer->on_mmio({e.addr, w, raw, false, s->device->name()});
}

void VmmCore::mmio_write(unsigned v, const vcpu::exit::MmioWrite& e) {
    const unsigned w = vcpu::bytes(e.width);
    const MmioBus::Slot* s = bus_.find(e.addr, w);
    if (!s) return no_device(v, e.addr, w, true, "no RAM or device there");
    if (opt_.tracer) opt_.tracer->on_mmio({e.addr, w, e.data & width_mask(w), true, s->device->name()});
    if (!s->device->mmio_write(e.addr - s->base, w, e.data & width_mask(w)))
        no_device(v, e.addr, w, true, "the device refuses the access");
}

// ---- statistics -----------------------------------------------------------------------

std::string VmmCore::stats_report() const {
    std::string out;
    out += fmt::format("hvemu: {}\n", describe_vm());
    out += fmt::format("hvemu: instructions {} cycles {}\n", executed_, max_cycles());
    for (unsigned v = 0; v < num_vcpus(); v++) out += fmt::format("hvemu: vcpu {}: instructions {}\n", v, vcpu_insns_[v]);
    out += fmt::format("hvemu: exits {} (and {} time slices)\n", stats_.exits, stats_.slices);
    for (size_t k = 0; k < ExitStats::kKinds; k++) {
        if (!stats_.by_kind[k]) continue;
        out += fmt::format("hvemu:   {:<18} {} (cycles {})\n", exit_kind_name(k), stats_.by_kind[k],
                           stats_.cycles_by_kind[k]);
    }
    return out;
}

} // namespace hvemu::emu::vmm
