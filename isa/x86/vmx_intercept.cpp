// What makes non-root operation exit (SDM Vol. 3C ch. 25): the intercept
// checks the other handlers call, and the events at instruction boundaries
// (external interrupts, NMIs, interrupt/NMI windows, the preemption timer).
#include "isa/x86/insn.hpp"
#include "isa/x86/vmx_state.hpp"

namespace hvemu::x86 {

using namespace vmx;
using namespace vmcs;
using X = VmxInternals;

namespace {

Vmcs& vmcs_of(Core& c) { return *X::st(c).cur; }
uint32_t len_of(const Core& c) { return c.cur ? c.cur->len : 0; }
uint64_t procc(Core& c) { return vmcs_of(c)[S_CPU_BASED_VM_EXEC_CONTROL]; }
uint64_t proc2c(Core& c) {
    const Vmcs& v = vmcs_of(c);
    return v[S_CPU_BASED_VM_EXEC_CONTROL] & proc::Secondary ? v[S_SECONDARY_VM_EXEC_CONTROL] : 0;
}

// An instruction-caused exit: the instruction length always goes along.
bool insn_exit(Core& c, uint32_t reason, uint64_t qual = 0, uint32_t info = 0) {
    X::ExitInfo e;
    e.reason = reason;
    e.qual = qual;
    e.insn_len = len_of(c);
    e.insn_info = info;
    X::exit(c, e);
    return true;
}

bool bitmap_bit(Core& c, uint64_t page, unsigned bit) {
    uint8_t b = 0;
    c.mem().read_block(page + bit / 8, &b, 1);
    return (b >> (bit % 8)) & 1;
}

} // namespace

bool Core::intercept_exception(uint8_t vector, bool has_error, uint32_t error, uint64_t qual, uint8_t type) {
    if (!non_root_ || vector > 31) return false;
    VmxState& s = vmx();
    if (s.skip_intercept) {   // deliver_event's look at the event being injected
        s.skip_intercept = false;
        return false;
    }
    Vmcs& v = *s.cur;
    const uint64_t bitmap = v[S_EXCEPTION_BITMAP];
    bool take = (bitmap >> vector) & 1;
    if (vector == 14) {
        // 25.2: with bit 14 set a #PF exits when the error code matches;
        // with it clear, when it does not
        const bool match = (error & v[S_PAGE_FAULT_ERROR_CODE_MASK]) == (v[S_PAGE_FAULT_ERROR_CODE_MATCH] & 0xffffffff);
        take = take ? match : !match;
    }
    if (!take) return false;
    X::ExitInfo e;
    e.reason = ExceptionNmi;
    e.intr_info = vector | uint32_t(type) << 8 | (has_error ? kIntrErrorValid : 0) | kIntrValid;
    e.intr_error = has_error ? error : 0;
    e.qual = (vector == 14 || vector == 1) ? qual : 0;
    if (type == SoftException || type == PrivSoftException) e.insn_len = len_of(*this);
    X::exit(*this, e);
    return true;
}

bool Core::intercept_triple_fault() {
    if (!non_root_) return false;
    vm_exit(TripleFault);
    return true;
}

bool Core::intercept_init() {
    if (!non_root_) return false;
    vm_exit(Init);
    return true;
}

bool Core::intercept_sipi(uint8_t vector) {
    if (!non_root_ || !waiting_sipi) return false;
    vm_exit(Sipi, vector);
    return true;
}

// Boundary events in priority order (SDM 26.7 / 25.2): preemption timer,
// NMI (NMI exiting), NMI window, interrupt window, external interrupt.
bool Core::vmx_check_events() {
    // the controls of the VMCS entered (VmxInternals::arm)
    const uint32_t pinc = vmx_armed_pin_, pc = vmx_armed_proc_;
    if (!non_root_ || !(pinc | pc)) return false;
    VmxState& s = *vmx_;
    if ((pinc & pin::PreemptionTimer) && cycles() >= s.preempt_deadline) {
        (*s.cur)[S_VMX_PREEMPTION_TIMER_VALUE] = 0;
        vm_exit(PreemptionTimer);
        return true;
    }
    if ((pinc & pin::NmiExiting) && nmi_pending_ && ((pinc & pin::VirtualNmis) || !nmi_blocked)) {
        nmi_pending_ = false;
        X::ExitInfo e;
        e.reason = ExceptionNmi;
        e.intr_info = 2 | uint32_t(Nmi) << 8 | kIntrValid;
        X::exit(*this, e);
        return true;
    }
    if (pc) {
        const bool shadow = interrupt_shadow();
        if ((pc & proc::NmiWindow) && !nmi_blocked && !shadow) {
            vm_exit(NmiWindow);
            return true;
        }
        if ((pc & proc::IntWindow) && (rflags & rflags::IF) && !shadow) {
            vm_exit(InterruptWindow);
            return true;
        }
    }
    if ((pinc & pin::ExtIntExiting) && !irq_masked_ && (intr_ || (apic_ && apic_->has_interrupt()))) {
        X::ExitInfo e;
        e.reason = ExternalInterrupt;
        if (((*s.cur)[S_VM_EXIT_CONTROLS] & exitc::AckIntr) && apic_ && apic_->has_interrupt())
            e.intr_info = apic_->acknowledge() | uint32_t(ExtInt) << 8 | kIntrValid;
        halted = false;   // the exit saves the activity state first (HLT stays HLT)
        X::exit(*this, e);
        return true;
    }
    return false;
}

bool Core::intercept_cpuid() { return non_root_ && insn_exit(*this, Cpuid); }
bool Core::intercept_invd() { return non_root_ && insn_exit(*this, Invd); }
bool Core::intercept_xsetbv() { return non_root_ && insn_exit(*this, Xsetbv); }
bool Core::intercept_hlt() { return non_root_ && (procc(*this) & proc::HltExiting) && insn_exit(*this, Hlt); }
bool Core::intercept_pause() { return non_root_ && (procc(*this) & proc::PauseExiting) && insn_exit(*this, Pause); }
bool Core::intercept_rdpmc() { return false; }   // RDPMC exiting is not offered
bool Core::intercept_wbinvd() {
    return non_root_ && (proc2c(*this) & proc2::WbinvdExiting) && insn_exit(*this, Wbinvd);
}
bool Core::intercept_invlpg(uint64_t linear) {
    return non_root_ && (procc(*this) & proc::InvlpgExiting) && insn_exit(*this, Invlpg, linear);
}

// RDTSCP without "enable RDTSCP" is #UD in non-root (the handler's rip is
// then the exception's).
bool Core::intercept_rdtsc(bool rdtscp) {
    if (!non_root_) return false;
    if (rdtscp && !(proc2c(*this) & proc2::Rdtscp)) {
        rip = raise_ud();
        return true;
    }
    if (!(procc(*this) & proc::RdtscExiting)) return false;
    return insn_exit(*this, rdtscp ? Rdtscp : Rdtsc);
}

uint64_t Core::vmx_tsc_offset() const {
    if (!non_root_) return 0;
    const Vmcs& v = *vmx_->cur;
    return v[S_CPU_BASED_VM_EXEC_CONTROL] & proc::TscOffset ? v[S_TSC_OFFSET] : 0;
}

// ---- control registers (25.1.3, qualification Table 27-3)

uint64_t Core::vmx_cr_read_value(unsigned cr, uint64_t actual) const {
    if (!non_root_ || (cr != 0 && cr != 4)) return actual;
    const Vmcs& v = *vmx_->cur;
    const uint64_t mask = cr == 0 ? v[S_CR0_GUEST_HOST_MASK] : v[S_CR4_GUEST_HOST_MASK];
    const uint64_t shadow = cr == 0 ? v[S_CR0_READ_SHADOW] : v[S_CR4_READ_SHADOW];
    return (actual & ~mask) | (shadow & mask);
}

uint64_t Core::vmx_cr_write_value(unsigned cr, uint64_t old, uint64_t value) const {
    if (!non_root_ || (cr != 0 && cr != 4)) return value;
    const Vmcs& v = *vmx_->cur;
    const uint64_t mask = cr == 0 ? v[S_CR0_GUEST_HOST_MASK] : v[S_CR4_GUEST_HOST_MASK];
    return (old & mask) | (value & ~mask);
}

bool Core::intercept_cr_write(unsigned cr, unsigned reg, uint64_t value) {
    if (!non_root_) return false;
    Vmcs& v = vmcs_of(*this);
    bool take = false;
    switch (cr) {
    case 0: take = (value ^ v[S_CR0_READ_SHADOW]) & v[S_CR0_GUEST_HOST_MASK]; break;
    case 4: take = (value ^ v[S_CR4_READ_SHADOW]) & v[S_CR4_GUEST_HOST_MASK]; break;
    case 3:
        if (procc(*this) & proc::Cr3LoadExiting) {
            take = true;
            const Slot targets[] = {S_CR3_TARGET_VALUE0, S_CR3_TARGET_VALUE1, S_CR3_TARGET_VALUE2, S_CR3_TARGET_VALUE3};
            for (uint64_t n = 0; n < v[S_CR3_TARGET_COUNT] && n < 4; ++n)
                if (v[targets[n]] == value) take = false;
        }
        break;
    case 8: take = procc(*this) & proc::Cr8LoadExiting; break;
    default: break;
    }
    return take && insn_exit(*this, CrAccess, cr | uint64_t{reg} << 8);
}

bool Core::intercept_cr_read(unsigned cr, unsigned reg) {
    if (!non_root_) return false;
    const bool take = (cr == 3 && (procc(*this) & proc::Cr3StoreExiting)) || (cr == 8 && (procc(*this) & proc::Cr8StoreExiting));
    return take && insn_exit(*this, CrAccess, cr | 1u << 4 | uint64_t{reg} << 8);
}

bool Core::intercept_clts() {
    if (!non_root_) return false;
    Vmcs& v = vmcs_of(*this);
    const bool take = (v[S_CR0_GUEST_HOST_MASK] & 8) && (v[S_CR0_READ_SHADOW] & 8);
    return take && insn_exit(*this, CrAccess, 2u << 4);
}

bool Core::intercept_lmsw(uint16_t value, bool mem, uint64_t linear) {
    if (!non_root_) return false;
    Vmcs& v = vmcs_of(*this);
    const uint64_t mask = v[S_CR0_GUEST_HOST_MASK], shadow = v[S_CR0_READ_SHADOW];
    // PE can only be set by LMSW; MP, EM, TS follow the source
    const bool take = ((mask & 1) && !(shadow & 1) && (value & 1)) || ((mask & 0xe) & (value ^ shadow));
    if (!take) return false;
    X::ExitInfo e;
    e.reason = CrAccess;
    e.qual = 3u << 4 | (mem ? 1u << 6 : 0) | uint64_t{value} << 16;
    e.insn_len = len_of(*this);
    if (mem) {
        e.gla = linear;
        e.set_gla = true;
    }
    X::exit(*this, e);
    return true;
}

bool Core::intercept_dr(bool write, unsigned n, unsigned reg) {
    if (!non_root_ || !(procc(*this) & proc::MovDrExiting)) return false;
    return insn_exit(*this, DrAccess, (n & 7) | (write ? 0 : 1u << 4) | uint64_t{reg} << 8);
}

// ---- I/O (25.1.3, qualification Table 27-5, INS/OUTS info Table 27-8)

bool Core::intercept_io(uint16_t port, unsigned size, bool in, bool string, bool rep, bool imm, uint64_t linear,
                        unsigned addr_size, SegReg sg) {
    if (!non_root_) return false;
    Vmcs& v = vmcs_of(*this);
    const uint64_t pc = v[S_CPU_BASED_VM_EXEC_CONTROL];
    bool take = false;
    if (pc & proc::IoBitmaps) {
        for (unsigned k = 0; k < size && !take; ++k) {
            const unsigned p = port + k;
            if (p > 0xffff) take = true;   // wraps around the I/O space
            else take = bitmap_bit(*this, p < 0x8000 ? v[S_IO_BITMAP_A] : v[S_IO_BITMAP_B], p & 0x7fff);
        }
    } else {
        take = pc & proc::UncondIo;
    }
    if (!take) return false;
    X::ExitInfo e;
    e.reason = IoInstruction;
    e.qual = (size - 1) | (in ? 1u << 3 : 0) | (string ? 1u << 4 : 0) | (rep ? 1u << 5 : 0) | (imm ? 1u << 6 : 0) |
             uint64_t{port} << 16;
    e.insn_len = len_of(*this);
    if (string) {
        const unsigned asz = addr_size == 2 ? 0 : addr_size == 4 ? 1 : 2;
        e.insn_info = asz << 7 | (in ? 0u : unsigned(sg)) << 15;
        e.gla = linear;
        e.set_gla = true;
    }
    X::exit(*this, e);
    return true;
}

// ---- MSRs (25.1.3 and the MSR bitmap layout of 24.6.9)

bool Core::intercept_msr(uint32_t msr, bool write) {
    if (!non_root_) return false;
    Vmcs& v = vmcs_of(*this);
    bool take = true;
    if (v[S_CPU_BASED_VM_EXEC_CONTROL] & proc::MsrBitmaps) {
        const uint64_t base = v[S_MSR_BITMAP] + (write ? 0x800 : 0);
        if (msr <= 0x1fff) take = bitmap_bit(*this, base, msr);
        else if (msr >= 0xc0000000 && msr <= 0xc0001fff) take = bitmap_bit(*this, base + 0x400, msr & 0x1fff);
    }
    return take && insn_exit(*this, write ? Wrmsr : Rdmsr);
}

} // namespace hvemu::x86
