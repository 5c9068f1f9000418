// The RISC-V vCPU: a guest hart run in VS/VU mode on a PhysCpu's hart, as
// Axvisor's riscv_vcpu runs one on an H-extension CPU. It keeps the guest
// context while unbound, loads it on bind(), enters the guest with sret on
// run() and decodes the trap that comes back into an ExitReason, serving
// the SBI calls that are the vCPU's own.
//
// Where we deliberately differ from upstream (DESIGN.md):
//  - FP registers, hvip, vstimecmp/htimedelta, scounteren/senvcfg are part
//    of the saved context, so a vCPU can move between physical CPUs;
//  - inject_interrupt() queues (any state, any thread) and delivers into
//    hvip at the next entry; clear_interrupt() withdraws a level (VSEIP);
//  - HSM hart_start gives the started hart a0 = hartid, a1 = opaque;
//  - the SBI timer is vstimecmp (Sstc, henvcfg.STCE) on the model's clock;
//  - DBCN takes base_addr_hi as the upper XLEN bits (on RV64 it must be 0);
//  - unexpected traps are injected into the guest or reported as errors,
//    never a panic (see run()).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "vcpu/arch_vcpu.hpp"
#include "vcpu/exit_reason.hpp"
#include "vcpu/result.hpp"
#include "vcpu/riscv/phys_cpu.hpp"

namespace hvemu::vcpu::riscv {

struct CreateConfig {
    uint64_t hart_id = 0;            // a0 at entry
    uint64_t dtb_addr = 0x90000000;  // a1 at entry
};
struct SetupConfig {};

// What the vCPU needs from its VMM for SBI calls it serves itself. Every
// member may be empty.
struct SbiHost {
    std::function<void(uint8_t)> console_putchar;   // legacy putchar, DBCN write/write_byte (empty: dropped)
    std::function<int()> console_getchar;           // legacy getchar / DBCN read; -1 when no input
    // HSM hart_get_status for another hart: an SBI hart state (0 STARTED,
    // 1 STOPPED, 2 START_PENDING, ...) or a negative SBI error (e.g. -3 for
    // an unknown hartid). Empty: the vCPU answers its own hartid (STARTED)
    // and returns SBI_ERR_NOT_SUPPORTED for others.
    std::function<int64_t(uint64_t hartid)> hart_status;
    // RFENCE (and the legacy remote fences) for other harts: the vCPU fences
    // its own hart and calls this with the SBI hart mask so the VMM can
    // request_tlb_flush() on the vCPUs it names. Empty: local fence only.
    std::function<void(uint64_t hart_mask, uint64_t hart_mask_base)> remote_fence;
};

// SBI hart states (HSM).
namespace hsm_state {
constexpr int64_t STARTED = 0, STOPPED = 1, START_PENDING = 2, STOP_PENDING = 3, SUSPENDED = 4;
}

class RiscvVCpu {
public:
    using CreateConfig = riscv::CreateConfig;
    using SetupConfig = riscv::SetupConfig;

    static constexpr uint64_t kDefaultBudget = 1'000'000;   // instructions per run() slice

    static Result<RiscvVCpu> create(VmId vm, VCpuId id, const CreateConfig& cfg);
    RiscvVCpu(RiscvVCpu&& o) noexcept;
    RiscvVCpu& operator=(RiscvVCpu&& o) noexcept;
    RiscvVCpu(const RiscvVCpu&) = delete;
    RiscvVCpu& operator=(const RiscvVCpu&) = delete;
    ~RiscvVCpu();

    // ---- ArchVCpu
    Result<void> set_entry(uint64_t gpa);           // guest pc (also later, for CpuUp)
    Result<void> set_ept_root(uint64_t hpa);        // hgatp = mode | VMID (= vm id) | root >> 12; root 16 KiB aligned
    Result<void> set_ept_mode(uint64_t hgatp_mode); // 8 = Sv39x4 (default), 9 = Sv48x4: must match the table built
    Result<void> setup(const SetupConfig&);         // guest enters in VS with SIE=SPIE=0; hstatus SPV=1, SPVP=1
    Result<void> bind();                            // onto PhysCpu::current(); error if none or it is busy
    Result<void> unbind();                          // context back into this object, hgatp = 0
    // Enter the guest until an exit this vCPU does not handle itself, or
    // until the instruction budget runs out (then Nothing: the VMM may
    // schedule something else and call run() again). Must be called on the
    // thread whose current PhysCpu holds this vCPU.
    //
    // Trap decode (scause):
    //   10 VS ecall         SBI (riscv_vcpu_sbi.cpp): handled inside (Nothing)
    //                       or the exits listed there; pc + 4 in every case.
    //   21/23 load/store    MmioRead / MmioWrite, pc + instruction length
    //   guest-page fault    (2 or 4); decoded from htinst when it holds a
    //                       transformed instruction, else by fetching the
    //                       instruction at sepc through the guest's own
    //                       translation (HLVX). A fault on the guest's
    //                       VS-stage page-table walk, FP loads/stores, AMOs,
    //                       LR/SC and split accesses: NestedPageFault{gpa,
    //                       READ or WRITE}, pc not advanced.
    //   20 fetch GPF        NestedPageFault{gpa, EXECUTE} (READ when the walk
    //                       of the guest's own page table faulted).
    //   S-external irq      ExternalInterrupt{vector of PhysCpu::raise_host_irq}.
    //   WFI (hart waits)    Halt, pc already past the WFI. The VMM runs the
    //                       vCPU again once has_wakeup() (or earlier: a WFI
    //                       may end spuriously).
    //   22 virtual insn     injected into the guest as illegal instruction
    //                       (vstval = the instruction bits); Nothing.
    //   4/6 misaligned      injected into the guest as is (AMOs only: plain
    //                       loads/stores handle misalignment); Nothing.
    //   anything else       (access faults: a G-stage mapping onto no host
    //                       memory; unexpected interrupts) an Error of kind
    //                       Unsupported naming cause, sepc, stval and htval.
    //   budget used up      Nothing, last_trap() all zero: a time slice ended.
    // Between run() calls the hart sits in HS with the guest's pc in sepc: a
    // slice that ends inside the guest is closed by a host-interrupt trap
    // entry, as a preemption timer would on hardware.
    Result<ExitReason> run();
    void set_gpr(unsigned reg, uint64_t value);     // x0 ignored, reg > 31 ignored
    // 1 = VSSIP (software), 5 = VSTIP (timer), 9 = VSEIP (external), the
    // S-level interrupt numbers the guest sees; others: InvalidInput.
    Result<void> inject_interrupt(uint64_t vector);
    void set_return_value(uint64_t value);          // a0

    // ---- inherent
    // Withdraw a pending (queued or delivered) VSSIP/VSTIP/VSEIP at the next
    // entry: for level sources such as the VMM's PLIC.
    Result<void> clear_interrupt(uint64_t vector);
    uint64_t gpr(unsigned reg) const;               // x0 reads 0
    uint64_t fpr(unsigned reg) const;               // f0..f31 (NaN-boxed bits)
    void set_fpr(unsigned reg, uint64_t value);
    uint64_t pc() const;
    void set_pc(uint64_t);
    void set_sbi_host(SbiHost h);
    VmId vm_id() const { return vm_; }
    VCpuId id() const { return id_; }
    uint64_t hart_id() const { return hart_id_; }
    PhysCpu* bound_cpu() const { return cpu_; }
    void set_run_budget(uint64_t insns) { budget_ = insns ? insns : 1; }

    // The raw trap of the last exit (scause, stval, htval, htinst, sepc), for
    // traces and debuggers. Zero after an exit without a trap (budget, WFI).
    struct TrapInfo { uint64_t scause, stval, htval, htinst, sepc; };
    const TrapInfo& last_trap() const { return trap_; }
    // The reset type and reason of the last SRST call (0 shutdown, 1 cold
    // reboot, 2 warm reboot); legacy shutdown reports {0, 0}.
    struct ResetRequest { uint32_t type = 0, reason = 0; };
    const ResetRequest& last_reset() const { return reset_; }

    // Read the guest instruction at guest virtual address `gva` through the
    // guest's translation (HLVX); bound only. For tracers and debuggers.
    bool fetch_insn(uint64_t gva, uint32_t& raw) const;

    // Interrupt state, for a VMM deciding whether a halted vCPU can run
    // (from the thread that runs the vCPU: these read its hart when bound).
    // VS interrupts pending (hvip with the queue applied, plus the vstimecmp
    // comparator against `host_time`), as sip bits (1, 5, 9).
    uint64_t pending_interrupts(uint64_t host_time) const;
    // Whether a pending interrupt is enabled in the guest's sie (what ends a
    // WFI; sstatus.SIE does not matter for that).
    bool has_wakeup(uint64_t host_time) const;
    // The host time (PhysCpu::time()) at which the guest timer fires, or
    // nullopt when no timer is armed or it is masked in sie.
    std::optional<uint64_t> timer_deadline() const;
    // Make the next entry flush this vCPU's guest TLB entries on whatever
    // physical CPU it runs (remote SFENCE.VMA / FENCE.I requests). Any thread.
    void request_tlb_flush() { flush_pending_.store(true, std::memory_order_relaxed); }

    // The saved guest context (valid while unbound; while bound the hart
    // holds the live values). Public for debuggers and tests.
    struct Context {
        uint64_t x[32] = {};
        uint64_t f[32] = {};
        uint32_t fflags = 0, frm = 0;
        uint64_t pc = 0;
        bool guest_s = true;                  // the guest runs in VS (true) or VU
        uint64_t hstatus = 0;                 // the hypervisor's per-guest hstatus (VTW, VTSR, HU, ...)
        uint64_t vsstatus = 0, vsie = 0, vstvec = 0, vsscratch = 0, vsepc = 0, vscause = 0, vstval = 0;
        uint64_t vsatp = 0, vstimecmp = ~0ull, htimedelta = 0;
        uint64_t hvip = 0;                    // VSSIP/VSTIP/VSEIP as hvip bits (2, 6, 10)
        uint64_t scounteren = 0, senvcfg = 0; // not banked by the hardware: swapped by us
        uint64_t hgatp = 0;
    };
    const Context& context() const { return ctx_; }

private:
    RiscvVCpu(VmId vm, VCpuId id, const CreateConfig& cfg);

    // run() pieces (riscv_vcpu.cpp)
    void enter_guest();
    void leave_guest_after_stop();
    Result<ExitReason> decode_trap();
    void inject_exception(uint64_t cause, uint64_t tval);
    void apply_interrupt_queue();
    // MMIO (riscv_vcpu_mmio.cpp)
    Result<ExitReason> handle_guest_page_fault();
    // SBI (riscv_vcpu_sbi.cpp)
    Result<ExitReason> handle_sbi();
    bool guest_phys_read(uint64_t gpa, void* dst, uint64_t len);
    bool guest_phys_write(uint64_t gpa, const void* src, uint64_t len);
    void fence_local();

    rv::Hart& h() const { return cpu_->hart(); }
    uint64_t compose_hgatp() const;
    void save_context();
    void load_context();

    VmId vm_;
    VCpuId id_;
    uint64_t hart_id_;
    Context ctx_;
    uint64_t ept_root_ = 0;
    uint64_t ept_mode_ = 8;     // rv::atp::MODE_SV39 (Sv39x4 for hgatp)
    bool ept_root_set_ = false;
    bool set_up_ = false;
    PhysCpu* cpu_ = nullptr;
    uint64_t budget_ = kDefaultBudget;
    uint64_t last_host_time_ = 0;   // PhysCpu time at the last unbind: guest time never runs backwards
    TrapInfo trap_{};
    ResetRequest reset_{};
    SbiHost sbi_;
    // Interrupt queue: bits to set in hvip (low 32 bits) and to clear (high
    // 32 bits), applied at the next entry. Atomic so any thread may inject.
    std::atomic<uint64_t> irq_queue_{0};
    std::atomic<bool> flush_pending_{false};
};

static_assert(ArchVCpu<RiscvVCpu>);

} // namespace hvemu::vcpu::riscv
