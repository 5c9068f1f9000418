// The Arm vCPU: a guest at EL1/EL0 run on a PhysCpu's PE with EL2 in C++,
// as Axvisor's arm_vcpu runs one on an nVHE host. It keeps the guest
// context while unbound, loads it on bind(), enters the guest with ERET on
// run() and decodes the exception that comes back to EL2 (ESR_EL2, FAR_EL2,
// HPFAR_EL2 and the vector it entered) into an ExitReason, serving PSCI
// itself.
//
// Where we deliberately differ from upstream (DESIGN.md, AXVISOR.md 3.2):
//  - MMIO reads honour ESR.SSE (signed_ext) and SF (reg_width 4 or 8);
//    aborts without a valid syndrome (writeback forms) are decoded from
//    the instruction instead of failing;
//  - inject_interrupt() queues per vCPU (any state, any thread) and fills
//    free list registers at the next entry; list registers, ICH_HCR/VMCR/
//    AP1R, FP/SIMD and the whole EL1 and timer state are part of the saved
//    context, so a vCPU can move between physical CPUs;
//  - PSCI VERSION, FEATURES, AFFINITY_INFO, MIGRATE_INFO_TYPE, CPU_SUSPEND
//    and SYSTEM_RESET are answered (upstream forwards them to the VMM as
//    hypercalls, which it rejects);
//  - a trapped SMC that is not PSCI answers SMCCC NOT_SUPPORTED (there is
//    no secure firmware to forward it to);
//  - WFI traps (HCR_EL2.TWI) and halts; unexpected exceptions are errors,
//    never a panic.
//
// PC advance before run() returns (the contract; tests check each line):
//   exit / cause                      guest pc after run()
//   MmioRead/MmioWrite (EC 0x24)      + 4 (ESR.IL = 1), + 2 if IL = 0; the
//                                     writeback of a decoded ISV = 0 access
//                                     is done too
//   SysRegRead/Write, SendIpi (0x18)  + 4
//   HVC (0x16): Hypercall, PSCI       already past the HVC (ELR_EL2): + 0
//   SMC (0x17): PSCI                  + 4 (ELR_EL2 holds the SMC itself)
//   Halt: WFI trap (0x01)             + 4; WFI without the trap: past it
//   Nothing after a trapped WFE       + 4 (a yield)
//   CpuUp, CpuDown, SystemDown        past the HVC / SMC as above
//   NestedPageFault, ExternalInterrupt, Nothing after an interrupt or a
//   time slice: not advanced (the instruction has not run)
// So a VMM completes an exit (set_gpr / set_return_value) and calls run()
// again without touching the PC.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "vcpu/arch_vcpu.hpp"
#include "vcpu/arm64/phys_cpu.hpp"
#include "vcpu/exit_reason.hpp"
#include "vcpu/result.hpp"

namespace hvemu::vcpu::arm64 {

struct CreateConfig {
    uint64_t mpidr = 0;       // the guest's MPIDR_EL1 affinity (VMPIDR_EL2 = 1 << 31 | mpidr)
    uint64_t dtb_addr = 0;    // x0 at entry
};

struct SetupConfig {
    bool passthrough_interrupt = false;   // false: HCR_EL2.IMO/FMO, interrupts come through list registers
    bool passthrough_timer = false;       // true: CNTHCTL_EL2.EL1PCTEN|EL1PCEN (EL1 owns CNTP); false: CNTP traps
    bool trap_wfi = true;                 // HCR_EL2.TWI: a WFI exits as Halt
    bool trap_wfe = false;                // HCR_EL2.TWE: a WFE exits as Nothing (a yield)
};

// What the vCPU needs from its VMM for PSCI calls it serves itself.
struct PsciHost {
    // AFFINITY_INFO for another vCPU: AFFINITY_ON/OFF/ON_PENDING or
    // INVALID_PARAMETERS for an unknown MPIDR. Empty: the vCPU answers ON
    // for itself and INVALID_PARAMETERS for others.
    std::function<int64_t(uint64_t mpidr)> affinity_info;
};

class ArmVCpu {
public:
    using CreateConfig = arm64::CreateConfig;
    using SetupConfig = arm64::SetupConfig;

    static constexpr uint64_t kDefaultBudget = 1'000'000;   // instructions per run() slice
    // Each queued interrupt goes into a list register with this priority, Group 1.
    static constexpr uint8_t kVirqPriority = 0xa0;

    static Result<ArmVCpu> create(VmId vm, VCpuId id, const CreateConfig& cfg);
    ArmVCpu(ArmVCpu&& o) noexcept;
    ArmVCpu& operator=(ArmVCpu&& o) noexcept;
    ArmVCpu(const ArmVCpu&) = delete;
    ArmVCpu& operator=(const ArmVCpu&) = delete;
    ~ArmVCpu();

    // ---- ArchVCpu
    // Guest pc, as PSCI CPU_ON starts a core: EL1h, DAIF masked, MMU and
    // caches off (SCTLR_EL1 reset value). Also later, for CpuUp.
    Result<void> set_entry(uint64_t gpa);
    Result<void> set_ept_root(uint64_t hpa);   // VTTBR_EL2 = VMID (= vm id, 8 bits) << 48 | root; 4 KiB aligned
    // HCR_EL2, CNTHCTL_EL2, VMPIDR_EL2 from the config (see the header of
    // arm_vcpu.cpp); VTCR_EL2 is composed at bind from the CPU's PARange.
    Result<void> setup(const SetupConfig& cfg);
    Result<void> bind();     // onto PhysCpu::current(); error if none or it is busy
    Result<void> unbind();   // context back into this object, stage 2 and the guest timer off
    // Enter the guest until an exit this vCPU does not handle itself, or
    // until the instruction budget runs out (Nothing, last_trap() zero).
    // ESR_EL2.EC: 0x24 MMIO (arm_vcpu_mmio.cpp), 0x20 NestedPageFault
    // {EXECUTE}, 0x16/0x17 PSCI or Hypercall (arm_vcpu_psci.cpp), 0x18
    // SysReg or SendIpi, 0x01 Halt (WFI) / Nothing (WFE); an IRQ to EL2:
    // the maintenance interrupt and the guest's timers are served inside
    // (Nothing), anything else is ExternalInterrupt{INTID}; any other
    // exception: an Error of kind Unsupported naming EC, ISS and ELR.
    Result<ExitReason> run();
    void set_gpr(unsigned reg, uint64_t value);   // X0-X30; 31 (XZR) ignored
    // vector = the virtual INTID (SGI 0-15, PPI 16-31, SPI 32-1019).
    // Unsupported with passthrough_interrupt (the guest owns the GIC then).
    Result<void> inject_interrupt(uint64_t vector);
    void set_return_value(uint64_t value);        // x0

    // ---- inherent
    uint64_t gpr(unsigned reg) const;              // 31 reads 0
    uint64_t pc() const { return ctx_.pc; }
    void set_pc(uint64_t v) { ctx_.pc = v; }
    uint64_t pstate() const { return ctx_.spsr; }   // SPSR_EL2 layout
    // For a VMM that delivers an exception to the guest's EL1 itself
    // (set_pc to the vector, set_pstate to the new PSTATE).
    void set_pstate(uint64_t v) { ctx_.spsr = v; }
    uint64_t mpidr() const { return mpidr_; }
    VmId vm_id() const { return vm_; }
    VCpuId id() const { return id_; }
    PhysCpu* bound_cpu() const { return cpu_; }
    void set_run_budget(uint64_t insns) { budget_ = insns ? insns : 1; }
    void set_psci_host(PsciHost h) { psci_ = std::move(h); }
    uint64_t hcr() const { return ctx_.hcr; }
    uint64_t vtcr() const { return ctx_.vtcr; }     // 0 until the first bind
    uint64_t vttbr() const { return ctx_.vttbr; }

    // VTCR_EL2 for a CPU with `pa_bits` of physical address (AXVISOR.md
    // 3.2): PARange >= 44 -> start level 0, else start level 1; 4 KiB
    // granule, inner shareable, write-back read/write-allocate; PS =
    // PARange. The IPA size is 48 bits from level 0 and 39 from level 1 as
    // upstream, but never more than the PA size: an IPA wider than PARange
    // is a level-0 translation fault (upstream's 48-bit IPA on a 44-bit PE
    // faults here and in QEMU). The VMM builds the stage-2 table to match:
    // ipa_bits_for() and start_level_for().
    static uint64_t vtcr_for(unsigned pa_bits);
    static unsigned ipa_bits_for(unsigned pa_bits) {
        const unsigned cap = pa_bits >= 44 ? 48 : 39;
        return pa_bits < cap ? pa_bits : cap;
    }
    static unsigned start_level_for(unsigned pa_bits) { return pa_bits >= 44 ? 0 : 1; }

    // The exception behind the last exit, for traces and debuggers. All
    // zero after an exit without one (time slice, WFI without the trap).
    struct TrapInfo {
        uint64_t esr = 0, far = 0, hpfar = 0, elr = 0, spsr = 0;
        uint64_t vector = 0;   // offset from VBAR_EL2: 0x400 sync, 0x480 IRQ, ...
        uint32_t intid = 0;    // IRQ exits: the acknowledged INTID
    };
    const TrapInfo& last_trap() const { return trap_; }
    // PSCI SYSTEM_OFF or SYSTEM_RESET: which one the last SystemDown was.
    enum class SystemEvent : uint8_t { None, Off, Reset };
    SystemEvent last_system_event() const { return system_event_; }

    // The instruction at guest virtual address `gva`, read through the
    // guest's stage 1 and stage 2 (bound only).
    bool fetch_insn(uint64_t gva, uint32_t& raw) const;

    // Interrupts, for a VMM deciding whether a halted vCPU can run (from
    // the thread that runs the vCPU). Queued, in a list register pending,
    // or the guest's virtual timer condition met at `host_counter`.
    bool has_wakeup(uint64_t host_counter) const;
    // The host counter value at which the guest's virtual timer fires, or
    // nullopt when it is disabled or masked.
    std::optional<uint64_t> timer_deadline() const;
    size_t queued_interrupts() const;
    // Make the next entry invalidate this VM's stage-1/2 TLB entries on the
    // physical CPU it runs on. Any thread.
    void request_tlb_flush() { flush_pending_ = true; }

    // The saved guest context (valid while unbound; while bound the PE
    // holds the live values, except pc/spsr, which are always here between
    // run() calls). Public for debuggers and tests.
    struct Context {
        uint64_t x[31] = {};
        uint64_t v[32][2] = {};
        uint32_t fpcr = 0, fpsr = 0;
        uint64_t pc = 0, spsr = 0;
        // EL1/EL0 system registers
        uint64_t sp_el0 = 0, sp_el1 = 0, elr_el1 = 0, spsr_el1 = 0, sctlr_el1 = 0, actlr_el1 = 0, cpacr_el1 = 0;
        uint64_t ttbr0_el1 = 0, ttbr1_el1 = 0, tcr_el1 = 0, esr_el1 = 0, far_el1 = 0, par_el1 = 0;
        uint64_t mair_el1 = 0, amair_el1 = 0, vbar_el1 = 0, contextidr_el1 = 0, tpidr_el0 = 0, tpidr_el1 = 0;
        uint64_t tpidrro_el0 = 0, afsr0_el1 = 0, afsr1_el1 = 0, mdscr_el1 = 0, cntkctl_el1 = 0;
        // Timers
        uint64_t cntv_ctl = 0, cntv_cval = 0, cntp_ctl = 0, cntp_cval = 0, cntvoff = 0;
        // EL2 controls for this guest
        uint64_t hcr = 0, vttbr = 0, vtcr = 0, vmpidr = 0, cnthctl = 0;
        // GICv3 virtual CPU interface
        uint64_t ich_hcr = 0, ich_vmcr = 0, ich_ap1r[4] = {}, ich_lr[16] = {};
    };
    const Context& context() const { return ctx_; }

private:
    ArmVCpu(VmId vm, VCpuId id, const CreateConfig& cfg);

    // run() pieces (arm_vcpu.cpp)
    void enter_guest();
    Result<ExitReason> decode_trap();
    Result<ExitReason> handle_irq();
    Result<ExitReason> handle_sysreg(uint32_t iss);
    void fill_list_registers();
    [[gnu::noinline]] void place_waiting(bool after_maintenance);   // fill_list_registers() when there is work
    bool place_virq(uint64_t lr_value);
    void inject_hw_timer(uint32_t intid);
    Error unexpected(const char* what) const;
    // MMIO (arm_vcpu_mmio.cpp)
    Result<ExitReason> handle_data_abort();
    Result<ExitReason> decode_without_syndrome(uint64_t ipa, bool write);
    uint64_t guest_sp() const;
    void set_guest_sp(uint64_t v);
    // PSCI (arm_vcpu_psci.cpp)
    Result<ExitReason> handle_hvc();
    Result<ExitReason> handle_smc();
    Result<ExitReason> handle_psci(uint64_t fid);
    void set_x0(int64_t v) { set_gpr(0, static_cast<uint64_t>(v)); }

    arm::Pe& pe() const { return cpu_->pe(); }
    uint64_t reg(uint32_t enc) const;                 // EL2 read on the bound PE
    void write_reg(uint32_t enc, uint64_t v) const;   // EL2 write on the bound PE
    unsigned list_regs() const;
    void save_context();
    void load_context();

    VmId vm_;
    VCpuId id_;
    uint64_t mpidr_;
    Context ctx_;
    SetupConfig setup_{};
    bool ept_root_set_ = false;
    bool set_up_ = false;
    PhysCpu* cpu_ = nullptr;
    uint64_t budget_ = kDefaultBudget;
    uint64_t last_cycles_ = 0;         // PE cycles at the last unbind: guest time never runs backwards
    unsigned hw_waiting_ = 0;          // bit 0 CNTV (27), bit 1 CNTP (30): fired, waiting for a list register
    bool after_maintenance_ = false;   // the last exit was the maintenance interrupt
    TrapInfo trap_{};
    SystemEvent system_event_ = SystemEvent::None;
    PsciHost psci_;
    // The interrupt queue: virtual INTIDs waiting for a list register.
    struct IrqQueue {
        mutable std::mutex lock;
        std::deque<uint32_t> q;
    };
    std::unique_ptr<IrqQueue> irqs_;
    std::atomic<size_t> queued_{0};
    std::atomic<bool> flush_pending_{false};
};

static_assert(ArchVCpu<ArmVCpu>);

} // namespace hvemu::vcpu::arm64
