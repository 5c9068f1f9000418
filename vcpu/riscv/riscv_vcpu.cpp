// The RISC-V vCPU: lifecycle, context switch (bind/unbind), guest entry and
// trap dispatch, interrupt queue. MMIO decode: riscv_vcpu_mmio.cpp; SBI:
// riscv_vcpu_sbi.cpp.
#include "vcpu/riscv/riscv_vcpu.hpp"

#include <fmt/format.h>

namespace hvemu::vcpu::riscv {

using namespace hvemu::rv;

namespace {

// inject_interrupt vectors (the S-level numbers the guest sees) -> hvip bit.
bool hvip_bit(uint64_t vector, uint64_t& bit) {
    switch (vector) {
    case irq::SSI: bit = irq::bit(irq::VSSI); return true;
    case irq::STI: bit = irq::bit(irq::VSTI); return true;
    case irq::SEI: bit = irq::bit(irq::VSEI); return true;
    default: return false;
    }
}

const char* cause_name(uint64_t c) {
    if (c & cause::INTERRUPT) {
        switch (c & ~cause::INTERRUPT) {
        case irq::SSI: return "supervisor software interrupt";
        case irq::STI: return "supervisor timer interrupt";
        case irq::SEI: return "supervisor external interrupt";
        case irq::SGEI: return "supervisor guest external interrupt";
        default: return "interrupt";
        }
    }
    switch (c) {
    case cause::INSN_MISALIGNED: return "instruction address misaligned";
    case cause::INSN_ACCESS: return "instruction access fault";
    case cause::ILLEGAL_INSN: return "illegal instruction";
    case cause::BREAKPOINT: return "breakpoint";
    case cause::LOAD_MISALIGNED: return "load address misaligned";
    case cause::LOAD_ACCESS: return "load access fault";
    case cause::STORE_MISALIGNED: return "store/AMO address misaligned";
    case cause::STORE_ACCESS: return "store/AMO access fault";
    case cause::ECALL_U: return "environment call from U/VU";
    case cause::ECALL_S: return "environment call from HS";
    case cause::ECALL_VS: return "environment call from VS";
    case cause::ECALL_M: return "environment call from M";
    case cause::INSN_PAGE_FAULT: return "instruction page fault";
    case cause::LOAD_PAGE_FAULT: return "load page fault";
    case cause::STORE_PAGE_FAULT: return "store/AMO page fault";
    case cause::INSN_GUEST_PAGE_FAULT: return "instruction guest-page fault";
    case cause::LOAD_GUEST_PAGE_FAULT: return "load guest-page fault";
    case cause::VIRTUAL_INSN: return "virtual instruction";
    case cause::STORE_GUEST_PAGE_FAULT: return "store/AMO guest-page fault";
    default: return "unknown cause";
    }
}

} // namespace

// ---- lifecycle ----------------------------------------------------------------

RiscvVCpu::RiscvVCpu(VmId vm, VCpuId id, const CreateConfig& cfg) : vm_(vm), id_(id), hart_id_(cfg.hart_id) {
    ctx_.x[10] = cfg.hart_id;
    ctx_.x[11] = cfg.dtb_addr;
    ctx_.hstatus = hstatus::SPV | hstatus::SPVP;
}

Result<RiscvVCpu> RiscvVCpu::create(VmId vm, VCpuId id, const CreateConfig& cfg) { return RiscvVCpu(vm, id, cfg); }

RiscvVCpu::RiscvVCpu(RiscvVCpu&& o) noexcept
    : vm_(o.vm_), id_(o.id_), hart_id_(o.hart_id_), ctx_(o.ctx_), ept_root_(o.ept_root_), ept_mode_(o.ept_mode_),
      ept_root_set_(o.ept_root_set_), set_up_(o.set_up_), cpu_(o.cpu_), budget_(o.budget_),
      last_host_time_(o.last_host_time_), trap_(o.trap_), reset_(o.reset_), sbi_(std::move(o.sbi_)),
      irq_queue_(o.irq_queue_.load()), flush_pending_(o.flush_pending_.load()) {
    o.cpu_ = nullptr;
}

RiscvVCpu& RiscvVCpu::operator=(RiscvVCpu&& o) noexcept {
    if (this == &o) return *this;
    if (cpu_) (void)unbind();
    vm_ = o.vm_;
    id_ = o.id_;
    hart_id_ = o.hart_id_;
    ctx_ = o.ctx_;
    ept_root_ = o.ept_root_;
    ept_mode_ = o.ept_mode_;
    ept_root_set_ = o.ept_root_set_;
    set_up_ = o.set_up_;
    cpu_ = o.cpu_;
    budget_ = o.budget_;
    last_host_time_ = o.last_host_time_;
    trap_ = o.trap_;
    reset_ = o.reset_;
    sbi_ = std::move(o.sbi_);
    irq_queue_.store(o.irq_queue_.load());
    flush_pending_.store(o.flush_pending_.load());
    o.cpu_ = nullptr;
    return *this;
}

// A vCPU destroyed while bound leaves its physical CPU free (context lost).
RiscvVCpu::~RiscvVCpu() {
    if (cpu_) (void)unbind();
}

Result<void> RiscvVCpu::set_entry(uint64_t gpa) {
    if (gpa & 1) return make_error(ErrorKind::InvalidInput, fmt::format("set_entry: entry {:#x} is not 2-byte aligned", gpa));
    // The state SBI HSM hart_start defines for a starting hart: S-mode,
    // translation off, interrupts disabled. (a0/a1 are the VMM's set_gpr.)
    ctx_.pc = gpa;
    ctx_.guest_s = true;
    if (cpu_) {
        h().csr_write(csr::vsatp, 0);
        h().csr_write(csr::vsstatus, h().read_csr(csr::vsstatus) & ~(mstatus::SIE | mstatus::SPIE));
    } else {
        ctx_.vsatp = 0;
        ctx_.vsstatus &= ~(mstatus::SIE | mstatus::SPIE);
    }
    return {};
}

Result<void> RiscvVCpu::set_ept_root(uint64_t hpa) {
    if (cpu_) return make_error(ErrorKind::BadState, "set_ept_root: the vCPU is bound");
    // Sv39x4/Sv48x4 roots are 16 KiB tables, 16 KiB aligned.
    if (hpa & 0x3fff)
        return make_error(ErrorKind::InvalidInput, fmt::format("set_ept_root: G-stage root {:#x} is not 16 KiB aligned", hpa));
    if ((hpa >> 12) > atp::PPN_MASK)
        return make_error(ErrorKind::InvalidInput, fmt::format("set_ept_root: G-stage root {:#x} is out of range", hpa));
    ept_root_ = hpa;
    ept_root_set_ = true;
    ctx_.hgatp = compose_hgatp();
    return {};
}

Result<void> RiscvVCpu::set_ept_mode(uint64_t hgatp_mode) {
    if (cpu_) return make_error(ErrorKind::BadState, "set_ept_mode: the vCPU is bound");
    if (hgatp_mode != atp::MODE_SV39 && hgatp_mode != atp::MODE_SV48)
        return make_error(ErrorKind::InvalidInput,
                          fmt::format("set_ept_mode: hgatp mode {} is not 8 (Sv39x4) or 9 (Sv48x4)", hgatp_mode));
    ept_mode_ = hgatp_mode;
    if (ept_root_set_) ctx_.hgatp = compose_hgatp();
    return {};
}

uint64_t RiscvVCpu::compose_hgatp() const {
    return ept_mode_ << atp::MODE_SHIFT | (vm_ & atp::VMID_MASK) << atp::ASID_SHIFT | ept_root_ >> 12;
}

Result<void> RiscvVCpu::setup(const SetupConfig&) {
    if (cpu_) return make_error(ErrorKind::BadState, "setup: the vCPU is bound");
    if (!ept_root_set_) return make_error(ErrorKind::BadState, "setup: no G-stage root (set_ept_root)");
    // As upstream: the guest starts in VS with interrupts off (SPP = S,
    // SIE = SPIE = 0); hstatus SPV = 1, SPVP = 1 (VSXL = 64 is fixed).
    ctx_.guest_s = true;
    ctx_.vsstatus &= ~(mstatus::SIE | mstatus::SPIE);
    ctx_.hstatus |= hstatus::SPV | hstatus::SPVP;
    ctx_.hgatp = compose_hgatp();
    set_up_ = true;
    return {};
}

// ---- context switch -------------------------------------------------------------

void RiscvVCpu::load_context() {
    Hart& hh = h();
    for (unsigned r = 1; r < 32; ++r) hh.x[r] = ctx_.x[r];
    for (unsigned r = 0; r < 32; ++r) hh.f[r] = ctx_.f[r];
    hh.csr_write(csr::fcsr, uint64_t{ctx_.frm} << 5 | ctx_.fflags);
    hh.csr_write(csr::vsstatus, ctx_.vsstatus);
    hh.csr_write(csr::vsie, ctx_.vsie);
    hh.csr_write(csr::vstvec, ctx_.vstvec);
    hh.csr_write(csr::vsscratch, ctx_.vsscratch);
    hh.csr_write(csr::vsepc, ctx_.vsepc);
    hh.csr_write(csr::vscause, ctx_.vscause);
    hh.csr_write(csr::vstval, ctx_.vstval);
    hh.csr_write(csr::vsatp, ctx_.vsatp);
    hh.csr_write(csr::vstimecmp, ctx_.vstimecmp);
    hh.csr_write(csr::htimedelta, ctx_.htimedelta);
    hh.csr_write(csr::hvip, ctx_.hvip);
    hh.csr_write(csr::hstatus, ctx_.hstatus);
    hh.csr_write(csr::scounteren, ctx_.scounteren);
    hh.csr_write(csr::senvcfg, ctx_.senvcfg);
    hh.csr_write(csr::hgatp, ctx_.hgatp);
}

void RiscvVCpu::save_context() {
    Hart& hh = h();
    for (unsigned r = 1; r < 32; ++r) ctx_.x[r] = hh.x[r];
    for (unsigned r = 0; r < 32; ++r) ctx_.f[r] = hh.f[r];
    const uint64_t fcsr = hh.read_csr(csr::fcsr);
    ctx_.fflags = static_cast<uint32_t>(fcsr & 0x1f);
    ctx_.frm = static_cast<uint32_t>((fcsr >> 5) & 7);
    ctx_.vsstatus = hh.read_csr(csr::vsstatus);
    ctx_.vsie = hh.read_csr(csr::vsie);
    ctx_.vstvec = hh.read_csr(csr::vstvec);
    ctx_.vsscratch = hh.read_csr(csr::vsscratch);
    ctx_.vsepc = hh.read_csr(csr::vsepc);
    ctx_.vscause = hh.read_csr(csr::vscause);
    ctx_.vstval = hh.read_csr(csr::vstval);
    ctx_.vsatp = hh.read_csr(csr::vsatp);
    ctx_.vstimecmp = hh.read_csr(csr::vstimecmp);
    ctx_.htimedelta = hh.read_csr(csr::htimedelta);
    ctx_.hvip = hh.read_csr(csr::hvip);
    ctx_.hstatus = hh.read_csr(csr::hstatus);
    ctx_.scounteren = hh.read_csr(csr::scounteren);
    ctx_.senvcfg = hh.read_csr(csr::senvcfg);
}

Result<void> RiscvVCpu::bind() {
    PhysCpu* cpu = PhysCpu::current();
    if (!cpu) return make_error(ErrorKind::BadState, "bind: this thread has no current physical CPU (PhysCpu::make_current)");
    if (cpu_)
        return make_error(ErrorKind::BadState,
                          fmt::format("bind: vCPU {} is already bound to physical CPU {}", id_, cpu_->id()));
    if (!set_up_) return make_error(ErrorKind::BadState, "bind: the vCPU is not set up");
    if (cpu->loaded_)
        return make_error(ErrorKind::BadState, fmt::format("bind: physical CPU {} already holds vCPU {} of VM {}",
                                                           cpu->id(), cpu->loaded_->second, cpu->loaded_->first));
    cpu_ = cpu;
    cpu->loaded_ = std::make_pair(vm_, id_);
    // Each hart keeps its own model clock. A vCPU arriving from a CPU that
    // is ahead in time moves this one forward, so guest time (host time +
    // htimedelta) never runs backwards across a migration.
    if (cpu->time() < last_host_time_) cpu->add_cycles(cpu->hart().cycles_until_time(last_host_time_));
    load_context();
    // Translations cached for this VMID (by another vCPU of the VM, or by
    // this one before it moved) may be stale: fence them, as upstream.
    h().hfence_gvma(0, vm_ & atp::VMID_MASK, true, false);
    return {};
}

Result<void> RiscvVCpu::unbind() {
    if (!cpu_) return make_error(ErrorKind::BadState, fmt::format("unbind: vCPU {} is not bound", id_));
    save_context();
    Hart& hh = h();
    // Leave nothing of this guest active on the physical CPU.
    hh.csr_write(csr::hgatp, 0);
    hh.csr_write(csr::hvip, 0);
    hh.csr_write(csr::vstimecmp, ~0ull);
    hh.csr_write(csr::htimedelta, 0);
    last_host_time_ = cpu_->time();
    cpu_->loaded_.reset();
    cpu_ = nullptr;
    return {};
}

// ---- registers ---------------------------------------------------------------------

void RiscvVCpu::set_gpr(unsigned reg, uint64_t value) {
    if (reg == 0 || reg >= 32) return;
    if (cpu_) h().x[reg] = value;
    else ctx_.x[reg] = value;
}

uint64_t RiscvVCpu::gpr(unsigned reg) const {
    if (reg == 0 || reg >= 32) return 0;
    return cpu_ ? h().x[reg] : ctx_.x[reg];
}

uint64_t RiscvVCpu::fpr(unsigned reg) const {
    if (reg >= 32) return 0;
    return cpu_ ? h().f[reg] : ctx_.f[reg];
}

void RiscvVCpu::set_fpr(unsigned reg, uint64_t value) {
    if (reg >= 32) return;
    if (cpu_) h().f[reg] = value;
    else ctx_.f[reg] = value;
}

void RiscvVCpu::set_return_value(uint64_t value) { set_gpr(10, value); }
uint64_t RiscvVCpu::pc() const { return ctx_.pc; }
void RiscvVCpu::set_pc(uint64_t v) { ctx_.pc = v & ~1ull; }
void RiscvVCpu::set_sbi_host(SbiHost host) { sbi_ = std::move(host); }

bool RiscvVCpu::fetch_insn(uint64_t gva, uint32_t& raw) const {
    if (!cpu_) return false;
    Translation t;
    uint64_t lo = 0, hi = 0;
    if (!h().hlv(gva, 2, lo, t, true)) return false;
    if ((lo & 3) != 3) {
        raw = static_cast<uint32_t>(lo & 0xffff);
        return true;
    }
    if (!h().hlv(gva + 2, 2, hi, t, true)) return false;
    raw = static_cast<uint32_t>((hi & 0xffff) << 16 | (lo & 0xffff));
    return true;
}

// ---- interrupts ------------------------------------------------------------------------

Result<void> RiscvVCpu::inject_interrupt(uint64_t vector) {
    uint64_t bit;
    if (!hvip_bit(vector, bit))
        return make_error(ErrorKind::InvalidInput,
                          fmt::format("inject_interrupt: vector {} is not 1 (VSSIP), 5 (VSTIP) or 9 (VSEIP)", vector));
    uint64_t old = irq_queue_.load(std::memory_order_relaxed);
    while (!irq_queue_.compare_exchange_weak(old, (old | bit) & ~(bit << 32), std::memory_order_relaxed)) {}
    return {};
}

Result<void> RiscvVCpu::clear_interrupt(uint64_t vector) {
    uint64_t bit;
    if (!hvip_bit(vector, bit))
        return make_error(ErrorKind::InvalidInput,
                          fmt::format("clear_interrupt: vector {} is not 1 (VSSIP), 5 (VSTIP) or 9 (VSEIP)", vector));
    uint64_t old = irq_queue_.load(std::memory_order_relaxed);
    while (!irq_queue_.compare_exchange_weak(old, (old | bit << 32) & ~bit, std::memory_order_relaxed)) {}
    return {};
}

void RiscvVCpu::apply_interrupt_queue() {
    // A plain load first: the locked exchange only when something is queued.
    if (irq_queue_.load(std::memory_order_relaxed) == 0) return;
    const uint64_t q = irq_queue_.exchange(0, std::memory_order_relaxed);
    if (!q) return;
    const uint64_t set = q & irq::VS_MASK, clear = (q >> 32) & irq::VS_MASK;
    h().csr_write(csr::hvip, (h().read_csr(csr::hvip) & ~clear) | set);
}

uint64_t RiscvVCpu::pending_interrupts(uint64_t host_time) const {
    const uint64_t q = irq_queue_.load(std::memory_order_relaxed);
    uint64_t hvip = cpu_ ? h().csr.hvip : ctx_.hvip;
    hvip = (hvip & ~((q >> 32) & irq::VS_MASK)) | (q & irq::VS_MASK);
    const uint64_t cmp = cpu_ ? h().csr.vstimecmp : ctx_.vstimecmp;
    const uint64_t delta = cpu_ ? h().csr.htimedelta : ctx_.htimedelta;
    if (host_time + delta >= cmp) hvip |= irq::bit(irq::VSTI);
    return hvip >> 1;   // hvip bit 2/6/10 -> sip bit 1/5/9
}

bool RiscvVCpu::has_wakeup(uint64_t host_time) const {
    const uint64_t vsie = cpu_ ? (h().csr.mie & h().csr.hideleg & irq::VS_MASK) >> 1 : ctx_.vsie;
    return (pending_interrupts(host_time) & vsie) != 0;
}

std::optional<uint64_t> RiscvVCpu::timer_deadline() const {
    const uint64_t vsie = cpu_ ? (h().csr.mie & h().csr.hideleg & irq::VS_MASK) >> 1 : ctx_.vsie;
    const uint64_t cmp = cpu_ ? h().csr.vstimecmp : ctx_.vstimecmp;
    const uint64_t delta = cpu_ ? h().csr.htimedelta : ctx_.htimedelta;
    if (cmp == ~0ull || !(vsie & irq::bit(irq::STI))) return std::nullopt;
    return cmp - delta;
}

// ---- running -------------------------------------------------------------------------------

// The exit path runs once per VM exit, so it touches the trap CSRs' fields
// directly rather than through csr_write()/read_csr() and their access
// checks: sepc (ctx_.pc is always even), hstatus.SPV/SPVP and sstatus.SPP
// (mstatus.SPP) are plain bits that change no translation context.
void RiscvVCpu::enter_guest() {
    Hart& hh = h();
    hh.csr.sepc = ctx_.pc;
    uint64_t hs = hh.csr.hstatus | hstatus::SPV;
    hh.csr.hstatus = ctx_.guest_s ? (hs | hstatus::SPVP) : (hs & ~hstatus::SPVP);
    const uint64_t ms = hh.csr.mstatus;
    hh.csr.mstatus = ctx_.guest_s ? (ms | mstatus::SPP) : (ms & ~mstatus::SPP);
    hh.sret();
}

// The hart stopped inside the guest (budget, WFI, a stop request): take the
// guest off it as a host interrupt would, so that between run() calls the
// hart is always in HS with the guest pc in sepc. The trap entry also ends
// the hart's WFI state, which must not leak into the next vCPU bound here.
// It costs no model time (nor does the entry that resumes the guest), so
// how a run is sliced does not change what the guest sees.
void RiscvVCpu::leave_guest_after_stop() {
    Hart& hh = h();
    hh.preempt_to_host();
    ctx_.pc = hh.read_csr(csr::sepc);
    ctx_.guest_s = hh.read_csr(csr::sstatus) & mstatus::SPP;
}

void RiscvVCpu::inject_exception(uint64_t cause_v, uint64_t tval) {
    Hart& hh = h();
    hh.csr_write(csr::vsepc, ctx_.pc);
    hh.csr_write(csr::vscause, cause_v);
    hh.csr_write(csr::vstval, tval);
    uint64_t s = hh.read_csr(csr::vsstatus);
    s = ctx_.guest_s ? (s | mstatus::SPP) : (s & ~mstatus::SPP);
    s = (s & mstatus::SIE) ? (s | mstatus::SPIE) : (s & ~mstatus::SPIE);
    s &= ~mstatus::SIE;
    hh.csr_write(csr::vsstatus, s);
    ctx_.pc = hh.read_csr(csr::vstvec) & ~3ull;
    ctx_.guest_s = true;
}

void RiscvVCpu::fence_local() {
    h().hfence_vvma(0, 0, true, true);
}

Result<ExitReason> RiscvVCpu::run() {
    if (!cpu_) return make_error(ErrorKind::BadState, fmt::format("run: vCPU {} is not bound", id_));
    if (cpu_ != PhysCpu::current())
        return make_error(ErrorKind::BadState, fmt::format("run: vCPU {} is bound to physical CPU {}, which is not this "
                                                           "thread's current CPU",
                                                           id_, cpu_->id()));
    trap_ = TrapInfo{};
    if (flush_pending_.load(std::memory_order_relaxed) && flush_pending_.exchange(false, std::memory_order_relaxed))
        fence_local();
    apply_interrupt_queue();
    // The timing profile's VM transitions: what the hypervisor's world
    // switch would cost on each entry and exit (free around a preemption,
    // so slicing a run does not change model time).
    if (!h().resuming_preempted()) h().add_cycles(h().config().costs.vm_entry);
    enter_guest();
    const StopReason stop = h().run(budget_);
    if (stop == StopReason::Trap) h().add_cycles(h().config().costs.vm_exit);
    if (stop != StopReason::Trap) {
        const bool wfi = stop == StopReason::Wfi || h().waiting_for_interrupt();
        leave_guest_after_stop();
        if (wfi) return ExitReason{exit::Halt{}};
        return ExitReason{exit::Nothing{}};
    }
    return decode_trap();
}

Result<ExitReason> RiscvVCpu::decode_trap() {
    Hart& hh = h();
    if (hh.priv == Priv::M)
        return make_error(ErrorKind::Internal, fmt::format("vCPU {}: a guest trap reached M mode (mcause {:#x}, mepc {:#x})",
                                                           id_, hh.csr.mcause, hh.csr.mepc));
    const CsrState& tc = hh.csr;   // the trap to HS just wrote these (see enter_guest)
    trap_.scause = tc.scause;
    trap_.stval = tc.stval;
    trap_.htval = tc.htval;
    trap_.htinst = tc.htinst;
    trap_.sepc = tc.sepc;
    ctx_.pc = trap_.sepc;
    ctx_.guest_s = tc.mstatus & mstatus::SPP;

    const uint64_t c = trap_.scause;
    if (c == (cause::INTERRUPT | irq::SEI)) return ExitReason{exit::ExternalInterrupt{cpu_->take_host_irq()}};
    switch (c) {
    case cause::ECALL_VS: return handle_sbi();
    case cause::INSN_GUEST_PAGE_FAULT:
    case cause::LOAD_GUEST_PAGE_FAULT:
    case cause::STORE_GUEST_PAGE_FAULT: return handle_guest_page_fault();
    case cause::VIRTUAL_INSN:
        // What the guest would see without the H extension's help: the
        // instruction is illegal for it.
        inject_exception(cause::ILLEGAL_INSN, trap_.stval);
        return ExitReason{exit::Nothing{}};
    case cause::LOAD_MISALIGNED:
    case cause::STORE_MISALIGNED:
        inject_exception(c, trap_.stval);
        return ExitReason{exit::Nothing{}};
    default: break;
    }
    return make_error(ErrorKind::Unsupported,
                      fmt::format("vCPU {}: unhandled guest trap: scause {:#x} ({}), sepc {:#x}, stval {:#x}, htval {:#x}",
                                  id_, c, cause_name(c), trap_.sepc, trap_.stval, trap_.htval));
}

} // namespace hvemu::vcpu::riscv
