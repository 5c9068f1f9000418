// The reference VMM for RISC-V VMs: schedules the vCPUs on the host's
// physical CPUs and serves their exits (one std::visit over ExitReason in
// riscv_vmm_exits.cpp): MMIO to the emulated devices, the SBI services
// that are the VMM's (console, HSM through CpuUp/CpuDown and a hart-status
// callback, IPIs), Halt, SystemDown and hvemu's hypercalls.
//
// Scheduling is deterministic, on the calling thread: time advances in
// rounds of `quantum` cycles; in each round every physical CPU runs vCPUs
// up to the round's cycle target, so the CPUs' clocks (and the guest time
// derived from them) stay in step. With as many physical CPUs as vCPUs,
// vCPU i always runs on CPU i; with fewer, the CPUs take runnable vCPUs in
// round-robin order (a vCPU is unbound from one CPU before it is bound to
// another). A vCPU that halts (WFI, HSM suspend) sleeps until an interrupt
// is pending and enabled for it; when every vCPU sleeps, the clocks jump
// to the earliest guest timer deadline, or the run ends as a deadlock when
// no timer and no console input can wake anyone.
//
// How a run ends (VmResult.status is what `hvemu run` exits with):
//   SBI SRST shutdown, reason 0 (none), or legacy shutdown     0
//   SRST shutdown, reason 1 (system failure)                    1
//   SRST shutdown, reason 0xF0000000 + n (vendor range)         n & 0xff (1 when that is 0)
//   SRST shutdown, any other reason                             1
//   SRST cold/warm reboot (VM reset is not modelled)            0, with a message
//   the hvemu exit hypercall (hypercalls.hpp)                   status & 0xff (1 when that is 0)
//   guest error: an access no RAM or device claims (default
//   policy), a nested page fault, a vCPU error                  kGuestErrorStatus (123)
//   --max-insns reached                                         124
//   deadlock: every vCPU waits for what cannot come             125
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "emu/trace/vmm_tracer.hpp"
#include "emu/vmm/exit_trace.hpp"
#include "emu/vmm/riscv_vm.hpp"

namespace hvemu::emu::vmm {

// What to do with a load or store to a guest-physical address where there
// is neither RAM nor a device.
//   Stop:  end the VM with a message naming the address, the access and the
//          guest pc (status 123).
//   Fault: give the guest an access fault instead, as a bus error would on
//          hardware: vsepc = the faulting pc, vscause = 5 (load) or 7
//          (store), vstval = the faulting guest virtual address, vsstatus
//          SPP/SPIE/SIE updated as for a trap, and the vCPU resumes at
//          vstvec (its base: exceptions are never vectored).
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
};

enum class VmEnd : uint8_t { Shutdown, GuestError, MaxInsns, Deadlock };

struct VmResult {
    VmEnd end = VmEnd::Shutdown;
    int status = 0;
    std::string message;   // why the run ended, for anything but a plain shutdown
};

class RiscvVmm {
public:
    static constexpr int kGuestErrorStatus = 123;
    static constexpr int kMaxInsnsStatus = 124;
    static constexpr int kDeadlockStatus = 125;

    RiscvVmm(RiscvVm& vm, const VmmOptions& opt);
    ~RiscvVmm();
    RiscvVmm(const RiscvVmm&) = delete;
    RiscvVmm& operator=(const RiscvVmm&) = delete;

    // Runs until the VM ends. Call once.
    VmResult run();

    const ExitStats& stats() const { return stats_; }
    uint64_t instructions() const { return executed_; }
    uint64_t vcpu_instructions(unsigned v) const { return vcpu_insns_.at(v); }
    // "hvemu: ..." lines for --stats.
    std::string stats_report() const;

    enum class VState : uint8_t { Stopped, Runnable, Sleeping };
    VState state(unsigned v) const { return state_.at(v); }

private:
    // scheduling (riscv_vmm.cpp)
    void run_round(uint64_t target);
    void run_slice(unsigned p, unsigned v, uint64_t target);
    void switch_to(unsigned p, unsigned v);
    bool wake_if_ready(unsigned v, unsigned p);
    bool idle_advance();
    bool feed_console();
    void wake(unsigned v);
    void finish(VmEnd end, int status, std::string message);
    ExitRecord make_record(unsigned p, unsigned v, const vcpu::ExitReason& e);
    std::string where(unsigned v) const;

    // exits (riscv_vmm_exits.cpp)
    void handle_exit(unsigned v, const vcpu::ExitReason& e);
    void mmio_read(unsigned v, const vcpu::exit::MmioRead& e);
    void mmio_write(unsigned v, const vcpu::exit::MmioWrite& e);
    void no_device(unsigned v, uint64_t addr, unsigned width, bool store, const char* why);
    void hypercall(unsigned v, const vcpu::exit::Hypercall& e);
    void send_ipi(unsigned v, const vcpu::exit::SendIpi& e);
    void cpu_up(unsigned v, const vcpu::exit::CpuUp& e);
    void system_down(unsigned v);
    void nested_page_fault(unsigned v, const vcpu::exit::NestedPageFault& e);
    int64_t hart_status(uint64_t hartid) const;
    void remote_fence(uint64_t mask, uint64_t base);

    RiscvVm& vm_;
    VmmOptions opt_;
    std::vector<VState> state_;
    std::vector<uint8_t> suspended_;      // asleep through HSM suspend (reported SUSPENDED)
    std::vector<int> bound_;              // per physical CPU: the bound vCPU or -1
    std::vector<uint64_t> vcpu_insns_;
    unsigned rr_ = 0;                     // round-robin start (fewer CPUs than vCPUs)
    bool ended_ = false;
    VmResult result_;
    ExitStats stats_;
    uint64_t executed_ = 0;
    bool ran_this_round_ = false;
    int current_vcpu_ = -1;               // the vCPU whose exit is being served
};

} // namespace hvemu::emu::vmm
