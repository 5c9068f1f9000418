// The architecture-neutral half of the reference VMM: scheduling vCPUs on
// the host's physical CPUs in rounds, sleeping and waking, time skips,
// exit bookkeeping (records, statistics, trace hooks, the debugger's
// hooks), MMIO dispatch to the VM's bus with the exit's width and sign
// extension, and how a run ends. An architecture's VMM (RiscvVmm, an Arm
// VMM) derives from it, supplies the hooks below and serves the exits that
// are its own (SBI / PSCI, IPIs, CpuUp, ...) in handle_exit().
//
// Scheduling is deterministic, on the calling thread: time advances in
// rounds of `quantum` cycles; in each round every physical CPU runs vCPUs
// up to the round's cycle target, so the CPUs' clocks (and the guest time
// derived from them) stay in step. With as many physical CPUs as vCPUs,
// vCPU i always runs on CPU i; with fewer, the CPUs take runnable vCPUs in
// round-robin order (a vCPU is unbound from one CPU before it is bound to
// another). A vCPU that halts sleeps until an interrupt is pending for
// it; when every vCPU sleeps, the clocks jump to the earliest guest timer
// deadline, or the run ends as a deadlock when no timer and no console
// input can wake anyone.
//
// Status policy (VmResult.status, what `hvemu run` exits with): the
// architecture's shutdown services choose a status; besides those:
//   guest error: an access no RAM or device claims (default policy), a
//   nested page fault, a vCPU error                             kGuestErrorStatus (123)
//   --max-insns reached                                         124
//   deadlock: every vCPU waits for what cannot come             125
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emu/machine/host_console.hpp"
#include "isa/common/timing_profile.hpp"
#include "emu/trace/vmm_tracer.hpp"
#include "emu/vmm/exit_trace.hpp"
#include "emu/vmm/guest_memory.hpp"
#include "emu/vmm/mmio_bus.hpp"
#include "vcpu/exit_reason.hpp"
#include "vcpu/result.hpp"

namespace hvemu::emu::vmm {

// What to do with a load or store to a guest-physical address where there
// is neither RAM nor a device.
//   Stop:  end the VM with a message naming the address, the access and the
//          guest pc (status 123).
//   Fault: give the guest the architecture's bus error instead (RISC-V: an
//          access fault through vstvec; see the architecture's VMM).
enum class UnmappedAccess : uint8_t { Stop, Fault };

struct VmmOptions {
    uint64_t quantum = 10'000;     // cycles per physical CPU per round
    uint64_t max_insns = 0;        // 0: no limit
    UnmappedAccess unmapped = UnmappedAccess::Stop;
    std::FILE* trace = nullptr;    // one line per exit (--trace exits)
    ExitHook hook;                 // every exit record (tests)
    trace::VmmTracer* tracer = nullptr;   // --trace / --trace-json events (emu/trace)
    // A debugger: when before_insn is set, vCPUs run one instruction per
    // run() and it is asked first; on_exit sees each exit before it is
    // served (the guest state as run() left it). false from either: the
    // debugger killed the VM (the run ends with status 0).
    std::function<bool(unsigned vcpu)> before_insn;
    std::function<bool(const ExitRecord&)> on_exit;
    // With before_insn: false while no debugger is connected, so vCPUs run
    // whole slices (before_insn is still called once per run(), to notice
    // a debugger connecting).
    std::function<bool()> debugger_attached;
    // The timing profile: its per-exit-type handler costs are charged to the
    // physical CPU after each exit is served (nullptr: handlers are free).
    std::shared_ptr<const isa::TimingProfile> timing;
};

enum class VmEnd : uint8_t { Shutdown, GuestError, MaxInsns, Deadlock };

struct VmResult {
    VmEnd end = VmEnd::Shutdown;
    int status = 0;
    std::string message;   // why the run ended, for anything but a plain shutdown
};

class VmmCore {
public:
    static constexpr int kGuestErrorStatus = 123;
    static constexpr int kMaxInsnsStatus = 124;
    static constexpr int kDeadlockStatus = 125;

    virtual ~VmmCore();
    VmmCore(const VmmCore&) = delete;
    VmmCore& operator=(const VmmCore&) = delete;

    // Runs until the VM ends. Call once.
    VmResult run();

    const ExitStats& stats() const { return stats_; }
    uint64_t instructions() const { return executed_; }
    uint64_t vcpu_instructions(unsigned v) const { return vcpu_insns_.at(v); }
    // "hvemu: ..." lines for --stats.
    std::string stats_report() const;

    enum class VState : uint8_t { Stopped, Runnable, Sleeping };
    VState state(unsigned v) const { return state_.at(v); }

protected:
    VmmCore(unsigned num_vcpus, unsigned num_pcpus, const VmmOptions& opt, MmioBus& bus, GuestMemory& guest,
            HostConsole& console);

    // ---- what an architecture provides ----------------------------------------
    // Physical CPUs: clocks, the thread's current CPU, retired instructions.
    virtual uint64_t pcpu_cycles(unsigned p) const = 0;
    virtual void pcpu_add_cycles(unsigned p, uint64_t c) = 0;
    virtual uint64_t pcpu_icount(unsigned p) const = 0;
    virtual void make_current(unsigned p) = 0;
    virtual void clear_current() = 0;
    // vCPUs (through VCpu<A>, so the state machine holds).
    virtual vcpu::Result<void> bind_vcpu(unsigned v) = 0;
    virtual vcpu::Result<void> unbind_vcpu(unsigned v) = 0;
    virtual vcpu::Result<vcpu::ExitReason> run_vcpu(unsigned v, uint64_t budget) = 0;
    virtual void set_gpr(unsigned v, unsigned reg, uint64_t value) = 0;
    virtual uint64_t vcpu_pc(unsigned v) const = 0;
    virtual bool fetch_insn(unsigned v, uint64_t pc, uint32_t& raw) const = 0;
    // true when run() returned on a used-up budget rather than an exit.
    virtual bool slice_ended(unsigned v, const vcpu::ExitReason& e) const = 0;
    // The architecture's part of an exit record: trap cause, trap pc, bits.
    virtual void fill_record(ExitRecord& r) const = 0;
    // Interrupts of a sleeping vCPU: whether one is pending for it now (on
    // physical CPU p's clock), and its timer deadline in the unit
    // cycles_until() takes.
    virtual bool has_wakeup(unsigned v, unsigned p) const = 0;
    virtual std::optional<uint64_t> timer_deadline(unsigned v) const = 0;
    virtual uint64_t cycles_until(unsigned p, uint64_t deadline) const = 0;   // max(): never
    // The console's UART: how many bytes it can take, and taking them.
    virtual unsigned uart_rx_space() const = 0;
    virtual void uart_push_rx(uint8_t b) = 0;
    // The first line of stats_report() after "hvemu: VM ...".
    virtual std::string describe_vm() const = 0;
    // Serve one exit (one std::visit over ExitReason).
    virtual void handle_exit(unsigned v, const vcpu::ExitReason& e) = 0;
    // An access nobody serves (see UnmappedAccess).
    virtual void no_device(unsigned v, uint64_t addr, unsigned width, bool store, const char* why) = 0;

    // ---- services for the architecture's exit handlers -----------------------
    void finish(VmEnd end, int status, std::string message);
    bool ended() const { return ended_; }
    void wake(unsigned v);
    // MMIO to the bus; a read is completed into the exit's register with
    // vcpu::complete_mmio_read (width and sign extension).
    void mmio_read(unsigned v, const vcpu::exit::MmioRead& e);
    void mmio_write(unsigned v, const vcpu::exit::MmioWrite& e);
    unsigned num_vcpus() const { return static_cast<unsigned>(state_.size()); }
    unsigned num_pcpus() const { return static_cast<unsigned>(bound_.size()); }
    std::string where(unsigned v) const;
    // "store of 4 bytes"
    static std::string access_text(unsigned width, bool store);
    // A status for the shell: the low 8 bits, 1 when they are 0 but the value is not.
    static int shell_status(uint64_t v);

    VmmOptions opt_;
    std::vector<VState> state_;
    int current_vcpu_ = -1;               // the vCPU whose exit is being served
    MmioBus& bus_;
    GuestMemory& guest_;
    HostConsole& console_;

private:
    void run_round(uint64_t target);
    void run_slice(unsigned p, unsigned v, uint64_t target);
    void switch_to(unsigned p, unsigned v);
    bool wake_if_ready(unsigned v, unsigned p);
    bool idle_advance();
    bool feed_console();
    ExitRecord make_record(unsigned p, unsigned v, const vcpu::ExitReason& e);
    uint64_t max_cycles() const;

    std::vector<int> bound_;              // per physical CPU: the bound vCPU or -1
    std::vector<uint64_t> vcpu_insns_;
    unsigned rr_ = 0;                     // round-robin start (fewer CPUs than vCPUs)
    bool ended_ = false;
    VmResult result_;
    ExitStats stats_;
    std::array<uint64_t, ExitStats::kKinds> handler_cost_{};   // from opt_.timing
    uint64_t transition_cost_ = 0;                             // the profile's VM exit + entry
    uint64_t executed_ = 0;
    bool ran_this_round_ = false;
};

} // namespace hvemu::emu::vmm
