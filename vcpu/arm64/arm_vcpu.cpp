// The Arm vCPU: lifecycle, context switch (bind/unbind), guest entry and
// exception dispatch, system register traps, the interrupt queue and the
// list registers. MMIO: arm_vcpu_mmio.cpp; PSCI and HVC/SMC:
// arm_vcpu_psci.cpp.
//
// setup() programs, as Axvisor's arm_vcpu does:
//   HCR_EL2     VM | TSC | RW, plus IMO | FMO unless passthrough_interrupt,
//               TWI with trap_wfi, TWE with trap_wfe
//   CNTHCTL_EL2 EL1PCTEN | EL1PCEN only with passthrough_timer (else CNTP traps)
//   VMPIDR_EL2  1 << 31 | mpidr
//   ICH_HCR_EL2 En (virtual CPU interface on) unless passthrough_interrupt
// and the guest starts at EL1h with DAIF masked (SPSR 0x3c5), SCTLR_EL1 =
// 0x30C50830, x0 = the device tree.
#include "vcpu/arm64/arm_vcpu.hpp"

#include <cstring>

#include <fmt/format.h>

#include "vcpu/arm64/arm_regs.hpp"
#include "vcpu/arm64/psci.hpp"

namespace hvemu::vcpu::arm64 {

namespace {

// The EL1/EL0, timer and EL2 registers of the saved context, in load order
// (EL2 controls first, so the EL1 registers land in a configured regime).
// optional: registers an implementation may leave out (IMPLEMENTATION
// DEFINED or debug); a PE without them is not an error.
struct SysRegSlot {
    uint32_t enc;
    uint64_t ArmVCpu::Context::*field;
    bool optional;
};
using C = ArmVCpu::Context;
constexpr SysRegSlot kContextRegs[] = {
    {sr::HCR_EL2, &C::hcr, false},          {sr::VTTBR_EL2, &C::vttbr, false},
    {sr::VTCR_EL2, &C::vtcr, false},        {sr::VMPIDR_EL2, &C::vmpidr, false},
    {sr::CNTHCTL_EL2, &C::cnthctl, false},  {sr::CNTVOFF_EL2, &C::cntvoff, false},
    {sr::SCTLR_EL1, &C::sctlr_el1, false},  {sr::ACTLR_EL1, &C::actlr_el1, true},
    {sr::CPACR_EL1, &C::cpacr_el1, false},  {sr::TTBR0_EL1, &C::ttbr0_el1, false},
    {sr::TTBR1_EL1, &C::ttbr1_el1, false},  {sr::TCR_EL1, &C::tcr_el1, false},
    {sr::MAIR_EL1, &C::mair_el1, false},    {sr::AMAIR_EL1, &C::amair_el1, true},
    {sr::VBAR_EL1, &C::vbar_el1, false},    {sr::ELR_EL1, &C::elr_el1, false},
    {sr::SPSR_EL1, &C::spsr_el1, false},    {sr::ESR_EL1, &C::esr_el1, false},
    {sr::FAR_EL1, &C::far_el1, false},      {sr::PAR_EL1, &C::par_el1, false},
    {sr::SP_EL0, &C::sp_el0, false},        {sr::SP_EL1, &C::sp_el1, false},
    {sr::TPIDR_EL0, &C::tpidr_el0, false},  {sr::TPIDR_EL1, &C::tpidr_el1, false},
    {sr::TPIDRRO_EL0, &C::tpidrro_el0, false}, {sr::CONTEXTIDR_EL1, &C::contextidr_el1, false},
    {sr::AFSR0_EL1, &C::afsr0_el1, true},   {sr::AFSR1_EL1, &C::afsr1_el1, true},
    {sr::MDSCR_EL1, &C::mdscr_el1, true},   {sr::CNTKCTL_EL1, &C::cntkctl_el1, false},
    {sr::CNTV_CVAL_EL0, &C::cntv_cval, false}, {sr::CNTV_CTL_EL0, &C::cntv_ctl, false},
    {sr::CNTP_CVAL_EL0, &C::cntp_cval, false}, {sr::CNTP_CTL_EL0, &C::cntp_ctl, false},
    {sr::ICH_VMCR_EL2, &C::ich_vmcr, false},
};

constexpr uint64_t kHostHcr = hcr::RW;
constexpr uint64_t kHostCnthctl = cnthctl::EL1PCTEN | cnthctl::EL1PCEN;
constexpr uint32_t kMaxIntid = 1019;
constexpr uint64_t kTimerEnable = 1, kTimerImask = 2;

unsigned parange_bits(unsigned code) {
    static constexpr unsigned kBits[] = {32, 36, 40, 42, 44, 48, 52};
    return code < 7 ? kBits[code] : 48;
}
unsigned parange_code(unsigned bits) {
    if (bits >= 52) return 6;
    if (bits >= 48) return 5;
    if (bits >= 44) return 4;
    if (bits >= 42) return 3;
    if (bits >= 40) return 2;
    if (bits >= 36) return 1;
    return 0;
}

uint64_t virq_lr(uint32_t intid) {
    return ich_lr::STATE_PENDING | ich_lr::GROUP1 | uint64_t{ArmVCpu::kVirqPriority} << ich_lr::PRIORITY_SHIFT | intid;
}

// The guest's timers as list-register hardware interrupts: index 0 CNTV, 1 CNTP.
constexpr uint32_t kTimerIntid[2] = {ppi::VIRT_TIMER, ppi::PHYS_TIMER};

const char* ec_name(uint32_t e) {
    switch (e) {
    case 0x00: return "unknown reason";
    case 0x01: return "WFI/WFE";
    case 0x07: return "SIMD/FP access";
    case 0x0e: return "illegal execution state";
    case 0x15: return "SVC";
    case 0x16: return "HVC";
    case 0x17: return "SMC";
    case 0x18: return "MSR/MRS/system instruction";
    case 0x20: return "instruction abort from a lower EL";
    case 0x21: return "instruction abort at EL2";
    case 0x22: return "PC alignment fault";
    case 0x24: return "data abort from a lower EL";
    case 0x25: return "data abort at EL2";
    case 0x26: return "SP alignment fault";
    case 0x2f: return "SError";
    case 0x30: case 0x31: return "breakpoint";
    case 0x32: case 0x33: return "software step";
    case 0x34: case 0x35: return "watchpoint";
    case 0x3c: return "BRK";
    default: return "unexpected exception class";
    }
}

} // namespace

// ---- lifecycle ----------------------------------------------------------------

ArmVCpu::ArmVCpu(VmId vm, VCpuId id, const CreateConfig& cfg)
    : vm_(vm), id_(id), mpidr_(cfg.mpidr & psci::kMpidrAffinityMask), irqs_(std::make_unique<IrqQueue>()) {
    ctx_.x[0] = cfg.dtb_addr;
    ctx_.spsr = spsr::EL1H_DAIF_MASKED;
    ctx_.sctlr_el1 = kSctlrEl1Reset;
    ctx_.vmpidr = 1ull << 31 | mpidr_;
}

Result<ArmVCpu> ArmVCpu::create(VmId vm, VCpuId id, const CreateConfig& cfg) {
    if (cfg.mpidr & ~psci::kMpidrAffinityMask)
        return make_error(ErrorKind::InvalidInput,
                          fmt::format("create: mpidr {:#x} has bits outside Aff3..Aff0", cfg.mpidr));
    return ArmVCpu(vm, id, cfg);
}

ArmVCpu::ArmVCpu(ArmVCpu&& o) noexcept
    : vm_(o.vm_), id_(o.id_), mpidr_(o.mpidr_), ctx_(o.ctx_), setup_(o.setup_), ept_root_set_(o.ept_root_set_),
      set_up_(o.set_up_), cpu_(o.cpu_), budget_(o.budget_), last_cycles_(o.last_cycles_), hw_waiting_(o.hw_waiting_),
      after_maintenance_(o.after_maintenance_), trap_(o.trap_), system_event_(o.system_event_),
      psci_(std::move(o.psci_)), irqs_(std::move(o.irqs_)), queued_(o.queued_.load()),
      flush_pending_(o.flush_pending_.load()) {
    o.cpu_ = nullptr;
}

ArmVCpu& ArmVCpu::operator=(ArmVCpu&& o) noexcept {
    if (this == &o) return *this;
    if (cpu_) (void)unbind();
    vm_ = o.vm_;
    id_ = o.id_;
    mpidr_ = o.mpidr_;
    ctx_ = o.ctx_;
    setup_ = o.setup_;
    ept_root_set_ = o.ept_root_set_;
    set_up_ = o.set_up_;
    cpu_ = o.cpu_;
    budget_ = o.budget_;
    last_cycles_ = o.last_cycles_;
    hw_waiting_ = o.hw_waiting_;
    after_maintenance_ = o.after_maintenance_;
    trap_ = o.trap_;
    system_event_ = o.system_event_;
    psci_ = std::move(o.psci_);
    irqs_ = std::move(o.irqs_);
    queued_.store(o.queued_.load());
    flush_pending_.store(o.flush_pending_.load());
    o.cpu_ = nullptr;
    return *this;
}

// A vCPU destroyed while bound leaves its physical CPU free (context lost).
ArmVCpu::~ArmVCpu() {
    if (cpu_) (void)unbind();
}

Result<void> ArmVCpu::set_entry(uint64_t gpa) {
    if (gpa & 3) return make_error(ErrorKind::InvalidInput, fmt::format("set_entry: entry {:#x} is not 4-byte aligned", gpa));
    // As PSCI CPU_ON starts a core: EL1h, interrupts masked, MMU and caches off.
    ctx_.pc = gpa;
    ctx_.spsr = spsr::EL1H_DAIF_MASKED;
    ctx_.sctlr_el1 = kSctlrEl1Reset;
    if (cpu_) write_reg(sr::SCTLR_EL1, kSctlrEl1Reset);
    return {};
}

Result<void> ArmVCpu::set_ept_root(uint64_t hpa) {
    if (cpu_) return make_error(ErrorKind::BadState, "set_ept_root: the vCPU is bound");
    if (hpa & 0xfff) return make_error(ErrorKind::InvalidInput, fmt::format("set_ept_root: stage-2 root {:#x} is not 4 KiB aligned", hpa));
    if (hpa >> 48) return make_error(ErrorKind::InvalidInput, fmt::format("set_ept_root: stage-2 root {:#x} is out of range", hpa));
    ctx_.vttbr = (vm_ & 0xff) << 48 | hpa;
    ept_root_set_ = true;
    return {};
}

Result<void> ArmVCpu::setup(const SetupConfig& cfg) {
    if (cpu_) return make_error(ErrorKind::BadState, "setup: the vCPU is bound");
    if (!ept_root_set_) return make_error(ErrorKind::BadState, "setup: no stage-2 root (set_ept_root)");
    setup_ = cfg;
    ctx_.hcr = hcr::VM | hcr::TSC | hcr::RW;
    if (!cfg.passthrough_interrupt) ctx_.hcr |= hcr::IMO | hcr::FMO;
    if (cfg.trap_wfi) ctx_.hcr |= hcr::TWI;
    if (cfg.trap_wfe) ctx_.hcr |= hcr::TWE;
    ctx_.cnthctl = cfg.passthrough_timer ? (cnthctl::EL1PCTEN | cnthctl::EL1PCEN) : 0;
    ctx_.vmpidr = 1ull << 31 | mpidr_;
    ctx_.ich_hcr = cfg.passthrough_interrupt ? 0 : ich_hcr::En;
    set_up_ = true;
    return {};
}

uint64_t ArmVCpu::vtcr_for(unsigned pa_bits) {
    const uint64_t t0sz = 64 - ipa_bits_for(pa_bits);
    const uint64_t sl0 = start_level_for(pa_bits) == 0 ? vtcr::SL0_LEVEL0 : vtcr::SL0_LEVEL1;
    return t0sz << vtcr::T0SZ_SHIFT | sl0 << vtcr::SL0_SHIFT | vtcr::IRGN0_WBRAWA | vtcr::ORGN0_WBRAWA |
           vtcr::SH0_INNER | vtcr::TG0_4K | uint64_t{parange_code(pa_bits)} << vtcr::PS_SHIFT | vtcr::RES1;
}

// ---- context switch -------------------------------------------------------------

uint64_t ArmVCpu::reg(uint32_t enc) const {
    uint64_t v = 0;
    pe().sysreg_read(enc, v, 2);
    return v;
}

void ArmVCpu::write_reg(uint32_t enc, uint64_t v) const { pe().sysreg_write(enc, v, 2); }

unsigned ArmVCpu::list_regs() const {
    uint64_t vtr = 0;
    if (pe().sysreg_read(sr::ICH_VTR_EL2, vtr, 2)) return static_cast<unsigned>(vtr & 0x1f) + 1;
    return cpu_->options().list_regs;
}

void ArmVCpu::load_context() {
    arm::Pe& p = pe();
    for (unsigned r = 0; r < 31; ++r) p.x[r] = ctx_.x[r];
    std::memcpy(p.v, ctx_.v, sizeof ctx_.v);
    p.fpcr = ctx_.fpcr;
    p.fpsr = ctx_.fpsr;
    for (const SysRegSlot& s : kContextRegs) p.sysreg_write(s.enc, ctx_.*s.field, 2);
    for (unsigned n = 0; n < 4; ++n) p.sysreg_write(sr::ich_ap1r_el2(n), ctx_.ich_ap1r[n], 2);
    const unsigned nlr = list_regs();
    for (unsigned n = 0; n < nlr && n < 16; ++n) p.sysreg_write(sr::ich_lr_el2(n), ctx_.ich_lr[n], 2);
    p.sysreg_write(sr::ICH_HCR_EL2, ctx_.ich_hcr, 2);
    // A guest timer interrupt the guest is still handling stays active at
    // the physical GIC, as it was when the vCPU left.
    for (unsigned t = 0; t < 2; ++t) {
        bool in_lr = (hw_waiting_ >> t) & 1;
        for (unsigned n = 0; n < nlr && n < 16; ++n) {
            const uint64_t lr = ctx_.ich_lr[n];
            if ((lr & ich_lr::STATE_MASK) && (lr & ich_lr::HW) && ((lr >> ich_lr::PINTID_SHIFT) & 0x1fff) == kTimerIntid[t])
                in_lr = true;
        }
        if (in_lr) cpu_->gic().set_active(kTimerIntid[t], true);
    }
}

void ArmVCpu::save_context() {
    arm::Pe& p = pe();
    for (unsigned r = 0; r < 31; ++r) ctx_.x[r] = p.x[r];
    std::memcpy(ctx_.v, p.v, sizeof ctx_.v);
    ctx_.fpcr = p.fpcr;
    ctx_.fpsr = p.fpsr;
    for (const SysRegSlot& s : kContextRegs) {
        uint64_t v = 0;
        if (p.sysreg_read(s.enc, v, 2)) ctx_.*s.field = v;
    }
    for (unsigned n = 0; n < 4; ++n) {
        uint64_t v = 0;
        if (p.sysreg_read(sr::ich_ap1r_el2(n), v, 2)) ctx_.ich_ap1r[n] = v;
    }
    const unsigned nlr = list_regs();
    for (unsigned n = 0; n < nlr && n < 16; ++n) ctx_.ich_lr[n] = reg(sr::ich_lr_el2(n));
    ctx_.ich_hcr = reg(sr::ICH_HCR_EL2);
}

Result<void> ArmVCpu::bind() {
    PhysCpu* cpu = PhysCpu::current();
    if (!cpu) return make_error(ErrorKind::BadState, "bind: this thread has no current physical CPU (PhysCpu::make_current)");
    if (cpu_)
        return make_error(ErrorKind::BadState, fmt::format("bind: vCPU {} is already bound to physical CPU {}", id_, cpu_->id()));
    if (!set_up_) return make_error(ErrorKind::BadState, "bind: the vCPU is not set up");
    if (cpu->loaded_)
        return make_error(ErrorKind::BadState, fmt::format("bind: physical CPU {} already holds vCPU {} of VM {}",
                                                           cpu->id(), cpu->loaded_->second, cpu->loaded_->first));
    cpu_ = cpu;
    cpu->loaded_ = std::make_pair(vm_, id_);
    // Each PE keeps its own clock: a vCPU arriving from a CPU that is ahead
    // moves this one forward, so guest time never runs backwards.
    if (cpu->cycles() < last_cycles_) cpu->add_cycles(last_cycles_ - cpu->cycles());
    if (!ctx_.vtcr) {
        uint64_t mmfr0 = 0;
        const unsigned bits = pe().sysreg_read(sr::ID_AA64MMFR0_EL1, mmfr0, 2) ? parange_bits(mmfr0 & 0xf)
                                                                                 : cpu->options().pa_bits;
        ctx_.vtcr = vtcr_for(bits);
    }
    load_context();
    // Translations cached for this VMID (by another vCPU of the VM, or by
    // this one before it moved) may be stale, as upstream flushes on entry.
    pe().tlbi_vmid(static_cast<uint16_t>(vm_ & 0xff));
    return {};
}

Result<void> ArmVCpu::unbind() {
    if (!cpu_) return make_error(ErrorKind::BadState, fmt::format("unbind: vCPU {} is not bound", id_));
    save_context();
    // Leave nothing of this guest active on the physical CPU: no stage 2,
    // no guest timers, no virtual interrupts, and the guest's timer
    // interrupts no longer held active at the GIC.
    write_reg(sr::HCR_EL2, kHostHcr);
    write_reg(sr::VTTBR_EL2, 0);
    write_reg(sr::CNTV_CTL_EL0, 0);
    write_reg(sr::CNTP_CTL_EL0, 0);
    write_reg(sr::CNTHCTL_EL2, kHostCnthctl);
    write_reg(sr::CNTVOFF_EL2, 0);
    write_reg(sr::ICH_HCR_EL2, 0);
    const unsigned nlr = list_regs();
    for (unsigned n = 0; n < nlr && n < 16; ++n) write_reg(sr::ich_lr_el2(n), 0);
    for (uint32_t t : kTimerIntid) cpu_->gic().set_active(t, false);
    last_cycles_ = cpu_->cycles();
    cpu_->loaded_.reset();
    cpu_ = nullptr;
    return {};
}

// ---- registers ---------------------------------------------------------------------

void ArmVCpu::set_gpr(unsigned reg, uint64_t value) {
    if (reg >= 31) return;   // XZR
    if (cpu_) pe().x[reg] = value;
    else ctx_.x[reg] = value;
}

uint64_t ArmVCpu::gpr(unsigned reg) const {
    if (reg >= 31) return 0;
    return cpu_ ? pe().x[reg] : ctx_.x[reg];
}

void ArmVCpu::set_return_value(uint64_t value) { set_gpr(0, value); }

bool ArmVCpu::fetch_insn(uint64_t gva, uint32_t& raw) const {
    if (!cpu_ || (gva & 3)) return false;
    const arm::Translation t = pe().translate(gva, arm::Access::Exec, spsr::el(ctx_.spsr));
    if (!t.ok()) return false;
    return pe().mem().read_block(t.paddr, &raw, 4);
}

// ---- interrupts ------------------------------------------------------------------------

Result<void> ArmVCpu::inject_interrupt(uint64_t vector) {
    if (vector > kMaxIntid)
        return make_error(ErrorKind::InvalidInput, fmt::format("inject_interrupt: INTID {} is not an SGI, PPI or SPI (0-1019)", vector));
    if (setup_.passthrough_interrupt)
        return make_error(ErrorKind::Unsupported, "inject_interrupt: interrupts are passed through; raise them at the GIC");
    std::lock_guard<std::mutex> g(irqs_->lock);
    irqs_->q.push_back(static_cast<uint32_t>(vector));
    queued_.fetch_add(1, std::memory_order_relaxed);
    return {};
}

size_t ArmVCpu::queued_interrupts() const { return queued_.load(std::memory_order_relaxed); }

// Put one interrupt into the list registers: merged into an entry that
// already holds its vINTID (pending stays pending; active becomes active
// and pending, as the GIC does for an edge), else into a free entry.
// false: no free entry.
bool ArmVCpu::place_virq(uint64_t value) {
    const unsigned nlr = list_regs();
    const uint64_t vintid = value & ich_lr::VINTID_MASK;
    int free_lr = -1;
    for (unsigned n = 0; n < nlr; ++n) {
        const uint64_t lr = reg(sr::ich_lr_el2(n));
        const uint64_t state = lr & ich_lr::STATE_MASK;
        if (!state) {
            if (free_lr < 0) free_lr = static_cast<int>(n);
            continue;
        }
        if ((lr & ich_lr::VINTID_MASK) != vintid) continue;
        if (!(state & ich_lr::STATE_PENDING) && !(lr & ich_lr::HW)) write_reg(sr::ich_lr_el2(n), lr | ich_lr::STATE_PENDING);
        return true;
    }
    if (free_lr < 0) return false;
    write_reg(sr::ich_lr_el2(static_cast<unsigned>(free_lr)), value);
    return true;
}

// At each entry: the queue into free list registers, and when it does not
// fit, a maintenance interrupt to come back when entries free up (UIE: at
// most one entry in use; with a single list register NPIE: none pending).
// After a maintenance interrupt that freed nothing the request is dropped
// for one entry, so a guest that keeps every entry active is not
// interrupted forever; the queue then waits for the next exit.
void ArmVCpu::fill_list_registers() {
    if (setup_.passthrough_interrupt) return;
    const bool maintenance = after_maintenance_;
    after_maintenance_ = false;
    if (!hw_waiting_ && queued_.load(std::memory_order_relaxed) == 0 && !maintenance) return;
    place_waiting(maintenance);
}

void ArmVCpu::place_waiting(bool maintenance) {
    unsigned placed = 0;
    for (unsigned t = 0; t < 2; ++t) {
        if (!((hw_waiting_ >> t) & 1)) continue;
        const uint64_t lr = ich_lr::STATE_PENDING | ich_lr::HW | ich_lr::GROUP1 |
                            uint64_t{kVirqPriority} << ich_lr::PRIORITY_SHIFT |
                            uint64_t{kTimerIntid[t]} << ich_lr::PINTID_SHIFT | kTimerIntid[t];
        if (!place_virq(lr)) break;
        hw_waiting_ &= ~(1u << t);
        placed++;
    }
    bool leftover = hw_waiting_ != 0;
    {
        std::lock_guard<std::mutex> g(irqs_->lock);
        // In order; an entry that finds no room stays queued, but later
        // ones may still merge into an entry that holds their vINTID.
        for (auto it = irqs_->q.begin(); it != irqs_->q.end();) {
            if (!place_virq(virq_lr(*it))) {
                ++it;
                continue;
            }
            it = irqs_->q.erase(it);
            queued_.fetch_sub(1, std::memory_order_relaxed);
            placed++;
        }
        leftover = leftover || !irqs_->q.empty();
    }
    uint64_t h = (reg(sr::ICH_HCR_EL2) | ich_hcr::En) & ~(ich_hcr::UIE | ich_hcr::NPIE);
    if (leftover && !(maintenance && placed == 0)) h |= list_regs() >= 2 ? ich_hcr::UIE : ich_hcr::NPIE;
    write_reg(sr::ICH_HCR_EL2, h);
}

// The guest's timer fired at the physical GIC: hand it to the guest as a
// hardware interrupt (HW = 1, pINTID = vINTID), left active at the
// physical GIC until the guest deactivates the virtual one.
void ArmVCpu::inject_hw_timer(uint32_t intid) {
    const unsigned t = intid == ppi::VIRT_TIMER ? 0 : 1;
    cpu_->gic().set_active(intid, true);
    hw_waiting_ |= 1u << t;
}

bool ArmVCpu::has_wakeup(uint64_t host_counter) const {
    if (queued_interrupts() || hw_waiting_) return true;
    const unsigned nlr = cpu_ ? list_regs() : 16;
    for (unsigned n = 0; n < nlr; ++n) {
        const uint64_t lr = cpu_ ? reg(sr::ich_lr_el2(n)) : ctx_.ich_lr[n];
        if (lr & ich_lr::STATE_PENDING) return true;
    }
    if (auto d = timer_deadline(); d && host_counter >= *d) return true;
    return false;
}

std::optional<uint64_t> ArmVCpu::timer_deadline() const {
    const uint64_t ctl = cpu_ ? reg(sr::CNTV_CTL_EL0) : ctx_.cntv_ctl;
    const uint64_t cval = cpu_ ? reg(sr::CNTV_CVAL_EL0) : ctx_.cntv_cval;
    std::optional<uint64_t> d;
    if ((ctl & kTimerEnable) && !(ctl & kTimerImask)) d = cval + ctx_.cntvoff;
    if (setup_.passthrough_timer) {
        const uint64_t pctl = cpu_ ? reg(sr::CNTP_CTL_EL0) : ctx_.cntp_ctl;
        const uint64_t pcval = cpu_ ? reg(sr::CNTP_CVAL_EL0) : ctx_.cntp_cval;
        if ((pctl & kTimerEnable) && !(pctl & kTimerImask) && (!d || pcval < *d)) d = pcval;
    }
    return d;
}

// ---- running -------------------------------------------------------------------------------

// ELR_EL2 and SPSR_EL2 are plain EL2 storage (an MSR at EL2 has no side
// effect): ELR_EL2 is written directly, and SPSR_EL2 through its WARL mask
// only when it differs (writing back the value it holds changes nothing).
void ArmVCpu::enter_guest() {
    arm::SysRegs& s = pe().sys;
    s.elr_el2 = ctx_.pc;
    if (s.spsr_el2 != ctx_.spsr) write_reg(sr::SPSR_EL2, ctx_.spsr);
    pe().eret();
}

Error ArmVCpu::unexpected(const char* what) const {
    const uint32_t e = esr::ec(trap_.esr);
    return make_error(ErrorKind::Unsupported,
                      fmt::format("vCPU {}: unhandled {} from the guest: EC {:#x} ({}), ISS {:#x}, ELR {:#x}, FAR {:#x}",
                                  id_, what, e, ec_name(e), esr::iss(trap_.esr), trap_.elr, trap_.far));
}

Result<ExitReason> ArmVCpu::run() {
    if (!cpu_) return make_error(ErrorKind::BadState, fmt::format("run: vCPU {} is not bound", id_));
    if (cpu_ != PhysCpu::current())
        return make_error(ErrorKind::BadState,
                          fmt::format("run: vCPU {} is bound to physical CPU {}, which is not this thread's current CPU",
                                      id_, cpu_->id()));
    if (flush_pending_.load(std::memory_order_relaxed) && flush_pending_.exchange(false, std::memory_order_relaxed))
        pe().tlbi_vmid(static_cast<uint16_t>(vm_ & 0xff));
    fill_list_registers();
    // The timing profile's VM transitions: what the hypervisor's world
    // switch would cost on each entry and exit (free around a preemption,
    // so slicing a run does not change model time).
    if (!pe().resuming_preempted()) pe().add_cycles(pe().config().costs.vm_entry);
    enter_guest();
    const arm::StopReason stop = pe().run(budget_);
    if (stop == arm::StopReason::Trap) pe().add_cycles(pe().config().costs.vm_exit);
    if (stop != arm::StopReason::Trap) {
        // The slice ended inside the guest (budget, WFI without the trap, a
        // stop request): take it off the PE as a host interrupt would.
        const bool wfi = stop == arm::StopReason::Wfi || pe().waiting_for_interrupt();
        trap_ = TrapInfo{};
        pe().preempt_to_host();
        ctx_.pc = reg(sr::ELR_EL2);
        ctx_.spsr = reg(sr::SPSR_EL2);
        return wfi ? ExitReason{exit::Halt{}} : ExitReason{exit::Nothing{}};
    }
    return decode_trap();
}

Result<ExitReason> ArmVCpu::decode_trap() {
    // The syndrome registers are plain EL2 storage: read as an MRS at EL2 reads them.
    const arm::SysRegs& s = pe().sys;
    trap_.intid = 0;
    trap_.esr = s.esr_el2;
    trap_.far = s.far_el2;
    trap_.hpfar = s.hpfar_el2;
    trap_.elr = s.elr_el2;
    trap_.spsr = s.spsr_el2;
    trap_.vector = pe().pc - s.vbar_el2;
    ctx_.pc = trap_.elr;
    ctx_.spsr = trap_.spsr;

    switch (trap_.vector) {
    case vec::LOWER_IRQ:
    case vec::LOWER_FIQ: return handle_irq();
    case vec::LOWER_SERROR: return unexpected("SError");
    case vec::LOWER_SYNC: break;
    default:
        return make_error(ErrorKind::Internal,
                          fmt::format("vCPU {}: an exception was taken from EL2 itself (vector offset {:#x}, ESR {:#x})",
                                      id_, trap_.vector, trap_.esr));
    }
    const uint32_t iss = esr::iss(trap_.esr);
    switch (esr::ec(trap_.esr)) {
    case ec::DABT_LOW: return handle_data_abort();
    case ec::IABT_LOW: {
        const uint64_t ipa = (trap_.hpfar & 0xffffffffff0ull) << 8 | (trap_.far & 0xfff);
        return ExitReason{exit::NestedPageFault{ipa, mapping::EXECUTE}};
    }
    case ec::HVC64: return handle_hvc();
    case ec::SMC64: return handle_smc();
    case ec::SYS64: return handle_sysreg(iss);
    case ec::WFX:
        ctx_.pc += 4;
        // WFE is a yield (it may complete at any time); WFI waits for an interrupt.
        if (iss & 1) return ExitReason{exit::Nothing{}};
        return ExitReason{exit::Halt{}};
    default: return unexpected("exception");
    }
}

// An IRQ (or FIQ) taken to EL2 while the guest ran: acknowledge it at the
// physical CPU interface as the host's handler does, then serve what is
// the vCPU's (the maintenance interrupt, the guest's own timers) and hand
// the rest to the VMM.
Result<ExitReason> ArmVCpu::handle_irq() {
    const uint32_t intid = static_cast<uint32_t>(reg(sr::ICC_IAR1_EL1) & 0xffffff);
    trap_.intid = intid;
    if (intid > kMaxIntid) return ExitReason{exit::Nothing{}};   // spurious: it went away
    write_reg(sr::ICC_EOIR1_EL1, intid);                          // priority drop (EOImode 1)
    if (intid == ppi::MAINTENANCE) {
        write_reg(sr::ICC_DIR_EL1, intid);
        after_maintenance_ = true;   // the next entry refills the list registers
        return ExitReason{exit::Nothing{}};
    }
    if (intid == ppi::VIRT_TIMER || (intid == ppi::PHYS_TIMER && setup_.passthrough_timer)) {
        inject_hw_timer(intid);
        return ExitReason{exit::Nothing{}};
    }
    write_reg(sr::ICC_DIR_EL1, intid);
    return ExitReason{exit::ExternalInterrupt{intid}};
}

// MSR/MRS trapped to EL2 (EC 0x18). The PC moves past the instruction for
// every outcome. ICC_SGI1R_EL1 writes become SendIpi; reads of it are RAZ.
Result<ExitReason> ArmVCpu::handle_sysreg(uint32_t iss) {
    const unsigned rt = sysiss::rt(iss);
    const bool read = iss & sysiss::READ;
    const uint64_t addr = iss & sysiss::ADDR_MASK;
    ctx_.pc += 4;
    if (addr == sysiss::ICC_SGI1R_EL1) {
        if (read) {
            set_gpr(rt, 0);
            return ExitReason{exit::Nothing{}};
        }
        const uint64_t v = gpr(rt);
        // IRM = 1: every PE but the sender (the GIC's rule), so send_to_self is false.
        return ExitReason{exit::SendIpi{sgi1r::aff3(v) << 24 | sgi1r::aff2(v) << 16 | sgi1r::aff1(v) << 8,
                                        sgi1r::target_list(v), sgi1r::irm(v), false, sgi1r::intid(v)}};
    }
    if (read) return ExitReason{exit::SysRegRead{addr, rt}};
    return ExitReason{exit::SysRegWrite{addr, gpr(rt)}};
}

} // namespace hvemu::vcpu::arm64
