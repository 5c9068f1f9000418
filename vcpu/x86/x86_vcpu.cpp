// The x86 vCPU: lifecycle, VMCS programming from the capability MSRs, the
// context switch (bind/unbind), event injection and guest entry. Exit
// decoding: x86_vcpu_exits.cpp; what the vCPU serves itself (CPUID, CR0/CR4,
// XSETBV): x86_vcpu_served.cpp.
#include "vcpu/x86/x86_vcpu.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "isa/x86/vmcs.hpp"
#include "isa/x86/vmcs_fields.hpp"
#include "isa/x86/vmx_defs.hpp"

namespace hvemu::vcpu::x86 {

namespace vmx = hvemu::x86::vmx;
namespace vf = hvemu::x86::vmcs;
using VS = hx::Core::VmxStatus;

namespace {

constexpr uint64_t kCr0Pe = 1, kCr0Ne = 1u << 5, kCr0Pg = 1ull << 31;
constexpr uint64_t kCr0Reset = 0x60000010;   // CD | NW | ET
constexpr uint64_t kCr4Vmxe = 1u << 13;
constexpr uint64_t kGuestPat = 0x0007040600070406ull;
constexpr uint32_t kArCode = 0x9b, kArData = 0x93, kArTr = 0x8b, kArLdtr = 0x82;

// MSRs whose state is the VMCS's or swapped by bind/unbind: no exit.
constexpr uint32_t kPassThrough[] = {
    0x174, 0x175, 0x176,                                   // SYSENTER_CS/ESP/EIP
    0x277,                                                 // PAT
    0xc0000080,                                            // EFER
    0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,        // STAR, LSTAR, CSTAR, FMASK
    0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,        // FS/GS/KERNEL_GS base, TSC_AUX
};
constexpr uint32_t kReadPassThrough[] = {0x10};           // TSC

// The MSR bitmap bit of `msr` (read half; writes at +0x800).
bool msr_bit(uint32_t msr, uint64_t& byte, unsigned& bit) {
    uint64_t base;
    if (msr <= 0x1fff) base = 0;
    else if (msr >= 0xc0000000 && msr <= 0xc0001fff) base = 0x400;
    else return false;
    byte = base + (msr & 0x1fff) / 8;
    bit = msr & 7;
    return true;
}

} // namespace

// ---- lifecycle ----------------------------------------------------------------

X86VCpu::X86VCpu(VmId vm, VCpuId id, const CreateConfig& cfg)
    : vm_(vm), id_(id), apic_id_(cfg.apic_id), frames_(cfg.frames), irqs_(std::make_unique<IrqQueue>()) {}

Result<X86VCpu> X86VCpu::create(VmId vm, VCpuId id, const CreateConfig& cfg) {
    if (!cfg.frames) return make_error(ErrorKind::InvalidInput, "create: no host frame allocator for the VMCS");
    if (id > 0xfffe) return make_error(ErrorKind::InvalidInput, fmt::format("create: vCPU id {} needs a VPID above 65535", id));
    X86VCpu v(vm, id, cfg);
    v.vmcs_ = cfg.frames->alloc();
    v.io_bitmap_ = cfg.frames->alloc(2);
    v.msr_bitmap_ = cfg.frames->alloc();
    if (!v.vmcs_ || !v.io_bitmap_ || !v.msr_bitmap_)
        return make_error(ErrorKind::Unsupported, "create: no host frames left for the VMCS and bitmaps");
    isa::PhysMem& m = cfg.frames->mem();
    // Every port exits; every MSR exits but the pass-through ones.
    std::vector<uint8_t> ones(3 * HostFrames::kFrame, 0xff);
    m.write_block(v.io_bitmap_, ones.data(), 2 * HostFrames::kFrame);
    m.write_block(v.msr_bitmap_, ones.data(), HostFrames::kFrame);
    auto clear_bit = [&](uint64_t at, unsigned bit) {
        uint8_t b = 0;
        m.read_block(at, &b, 1);
        b &= static_cast<uint8_t>(~(1u << bit));
        m.write_block(at, &b, 1);
    };
    for (uint32_t msr : kPassThrough) {
        uint64_t byte;
        unsigned bit;
        if (!msr_bit(msr, byte, bit)) continue;
        clear_bit(v.msr_bitmap_ + byte, bit);
        clear_bit(v.msr_bitmap_ + 0x800 + byte, bit);
    }
    for (uint32_t msr : kReadPassThrough) {
        uint64_t byte;
        unsigned bit;
        if (msr_bit(msr, byte, bit)) clear_bit(v.msr_bitmap_ + byte, bit);
    }
    v.vpid_ = static_cast<uint16_t>(id + 1);
    v.ctx_.gpr[2] = 0x000506e3;   // EDX at reset: the processor signature
    return v;
}

X86VCpu::X86VCpu(X86VCpu&& o) noexcept
    : vm_(o.vm_), id_(o.id_), apic_id_(o.apic_id_), frames_(o.frames_), vmcs_(o.vmcs_), io_bitmap_(o.io_bitmap_),
      msr_bitmap_(o.msr_bitmap_), eptp_(o.eptp_), ept_set_(o.ept_set_), set_up_(o.set_up_),
      programmed_(o.programmed_), launched_(o.launched_), reset_pending_(o.reset_pending_), entry_(o.entry_),
      pending_rsp_(o.pending_rsp_), pending_rip_(o.pending_rip_), ctx_(o.ctx_), rip_(o.rip_), rflags_(o.rflags_),
      cs_base_(o.cs_base_), pin_(o.pin_), proc_(o.proc_), proc2_(o.proc2_), pin_vmcs_(o.pin_vmcs_),
      proc_vmcs_(o.proc_vmcs_), entry_intr_vmcs_(o.entry_intr_vmcs_), timer_ok_(o.timer_ok_), vpid_(o.vpid_),
      xcr0_(o.xcr0_), cpu_(o.cpu_), budget_(o.budget_), last_cycles_(o.last_cycles_), preempted_(o.preempted_),
      deadline_(o.deadline_),
      exit_(o.exit_), insn_error_(o.insn_error_), pending_(o.pending_), reinject_(o.reinject_), fault_(o.fault_),
      irqs_(std::move(o.irqs_)), flush_pending_(o.flush_pending_.load()) {
    o.cpu_ = nullptr;
}

X86VCpu& X86VCpu::operator=(X86VCpu&& o) noexcept {
    if (this == &o) return *this;
    if (cpu_) (void)unbind();
    this->~X86VCpu();
    new (this) X86VCpu(std::move(o));
    return *this;
}

X86VCpu::~X86VCpu() {
    if (cpu_) (void)unbind();
}

Result<void> X86VCpu::set_entry(uint64_t gpa) {
    if (gpa > 0xffffffffull) return make_error(ErrorKind::InvalidInput, fmt::format("set_entry: {:#x} is above 4 GiB (real mode)", gpa));
    entry_ = gpa;
    reset_pending_ = true;
    std::memset(ctx_.gpr, 0, sizeof ctx_.gpr);
    ctx_.gpr[2] = 0x000506e3;
    ctx_.cr2 = 0;
    pending_ = {};
    reinject_.reset();
    fault_.reset();
    pending_rsp_.reset();
    pending_rip_.reset();
    xcr0_ = 1;
    if (cpu_) {
        for (unsigned r = 0; r < 16; ++r) cpu_->core().gpr[r] = ctx_.gpr[r];
        write_reset_state();
    } else {
        // The mirrors say where it will start.
        const bool low = gpa < 0x100000;
        cs_base_ = low ? (gpa & ~uint64_t{0xf}) : (gpa & ~uint64_t{0xffff});
        rip_ = gpa - cs_base_;
        rflags_ = 2;
    }
    return {};
}

Result<void> X86VCpu::set_ept_root(uint64_t hpa) {
    if (hpa & 0xfff) return make_error(ErrorKind::InvalidInput, fmt::format("set_ept_root: EPT root {:#x} is not 4 KiB aligned", hpa));
    if (hpa >> 52) return make_error(ErrorKind::InvalidInput, fmt::format("set_ept_root: EPT root {:#x} is out of range", hpa));
    // Write-back, 4-level walk, accessed/dirty flags.
    eptp_ = hpa | 6 | (3u << 3) | vmx::ept::EptpAd;
    ept_set_ = true;
    if (cpu_ && programmed_) vw(vf::EPT_POINTER, eptp_);
    return {};
}

Result<void> X86VCpu::setup(const SetupConfig&) {
    if (cpu_) return make_error(ErrorKind::BadState, "setup: the vCPU is bound");
    if (!ept_set_) return make_error(ErrorKind::BadState, "setup: no EPT root (set_ept_root)");
    set_up_ = true;
    return {};
}

// ---- VMCS access -------------------------------------------------------------------

// Controls from the capability MSRs, as upstream's setup reads them: the
// TRUE MSRs when IA32_VMX_BASIC[55] says they exist. A wanted bit the CPU
// cannot set is an error (the hypervisor needs it).
Result<void> X86VCpu::program_vmcs() {
    hx::Core& c = cpu_->core();
    uint64_t basic = 0;
    if (!c.rdmsr(vmx::msr::Basic, basic)) return make_error(ErrorKind::Unsupported, "bind: the CPU has no VMX");
    const bool true_ctls = (basic >> 55) & 1;
    const uint32_t rev = static_cast<uint32_t>(basic & 0x7fffffff);
    c.mem().write_block(vmcs_, &rev, 4);
    std::string missing;
    auto adjust = [&](uint32_t msr, uint32_t want, const char* what) -> uint32_t {
        uint64_t cap = 0;
        c.rdmsr(msr, cap);
        const uint32_t allowed0 = static_cast<uint32_t>(cap), allowed1 = static_cast<uint32_t>(cap >> 32);
        if (want & ~allowed1) missing += fmt::format(" {} {:#x}", what, want & ~allowed1);
        return (want | allowed0) & allowed1;
    };
    uint64_t pin_cap = 0;
    c.rdmsr(true_ctls ? vmx::msr::TruePinbased : vmx::msr::Pinbased, pin_cap);
    timer_ok_ = (pin_cap >> 32) & vmx::pin::PreemptionTimer;
    pin_ = adjust(true_ctls ? vmx::msr::TruePinbased : vmx::msr::Pinbased,
                  vmx::pin::ExtIntExiting | vmx::pin::NmiExiting, "pin-based");
    proc_ = adjust(true_ctls ? vmx::msr::TrueProcbased : vmx::msr::Procbased,
                   vmx::proc::HltExiting | vmx::proc::IoBitmaps | vmx::proc::MsrBitmaps | vmx::proc::Secondary,
                   "processor-based");
    uint64_t p2cap = 0;
    c.rdmsr(vmx::msr::Procbased2, p2cap);
    const uint32_t want2 = vmx::proc2::Ept | vmx::proc2::Vpid | vmx::proc2::Unrestricted |
                           (static_cast<uint32_t>(p2cap >> 32) & vmx::proc2::Rdtscp);
    proc2_ = adjust(vmx::msr::Procbased2, want2, "secondary");
    const uint32_t exitc = adjust(true_ctls ? vmx::msr::TrueExit : vmx::msr::Exit,
                                  vmx::exitc::HostLong | vmx::exitc::AckIntr | vmx::exitc::SavePat |
                                      vmx::exitc::LoadPat | vmx::exitc::SaveEfer | vmx::exitc::LoadEfer |
                                      vmx::exitc::SaveDebug,
                                  "VM-exit");
    const uint32_t entryc = adjust(true_ctls ? vmx::msr::TrueEntry : vmx::msr::Entry,
                                   vmx::entryc::LoadPat | vmx::entryc::LoadEfer | vmx::entryc::LoadDebug, "VM-entry");
    if (!missing.empty())
        return make_error(ErrorKind::Unsupported, fmt::format("bind: the physical CPU lacks VMX controls:{}", missing));
    if (c.vmclear(vmcs_) != VS::Succeed || c.vmptrld(vmcs_) != VS::Succeed)
        return make_error(ErrorKind::Internal, fmt::format("bind: VMCLEAR/VMPTRLD of {:#x} failed", vmcs_));
    vw(vf::PIN_BASED_VM_EXEC_CONTROL, pin_);
    vw(vf::CPU_BASED_VM_EXEC_CONTROL, proc_);
    pin_vmcs_ = pin_;
    proc_vmcs_ = proc_;
    vw(vf::SECONDARY_VM_EXEC_CONTROL, proc2_);
    vw(vf::VM_EXIT_CONTROLS, exitc);
    vw(vf::VM_ENTRY_CONTROLS, entryc);
    vw(vf::EXCEPTION_BITMAP, 0);
    vw(vf::IO_BITMAP_A, io_bitmap_);
    vw(vf::IO_BITMAP_B, io_bitmap_ + HostFrames::kFrame);
    vw(vf::MSR_BITMAP, msr_bitmap_);
    vw(vf::EPT_POINTER, eptp_);
    vw(vf::VIRTUAL_PROCESSOR_ID, vpid_);
    vw(vf::VMCS_LINK_POINTER, ~0ull);
    vw(vf::CR3_TARGET_COUNT, 0);
    // CR0/CR4: the host owns the fixed bits (but PE/PG with unrestricted
    // guest) and the bits the CPU does not have.
    uint64_t f0 = 0, f1 = 0;
    c.rdmsr(vmx::msr::Cr0Fixed0, f0);
    c.rdmsr(vmx::msr::Cr0Fixed1, f1);
    vw(vf::CR0_GUEST_HOST_MASK, (f0 & ~(kCr0Pe | kCr0Pg)) | ~f1);
    c.rdmsr(vmx::msr::Cr4Fixed0, f0);
    c.rdmsr(vmx::msr::Cr4Fixed1, f1);
    vw(vf::CR4_GUEST_HOST_MASK, f0 | ~f1);
    programmed_ = true;
    launched_ = false;
    return {};
}

void X86VCpu::write_host_state() {
    const PhysCpu::HostState& h = cpu_->host_state();
    vw(vf::HOST_CR0, h.cr0);
    vw(vf::HOST_CR3, h.cr3);
    vw(vf::HOST_CR4, h.cr4);
    vw(vf::HOST_IA32_EFER, h.efer);
    vw(vf::HOST_IA32_PAT, h.pat);
    vw(vf::HOST_CS_SELECTOR, h.cs);
    vw(vf::HOST_SS_SELECTOR, h.ss);
    for (uint32_t f : {vf::HOST_DS_SELECTOR, vf::HOST_ES_SELECTOR, vf::HOST_FS_SELECTOR, vf::HOST_GS_SELECTOR})
        vw(f, h.ss);
    vw(vf::HOST_TR_SELECTOR, h.tr);
    vw(vf::HOST_FS_BASE, 0);
    vw(vf::HOST_GS_BASE, 0);
    vw(vf::HOST_TR_BASE, h.tr_base);
    vw(vf::HOST_GDTR_BASE, h.gdtr);
    vw(vf::HOST_IDTR_BASE, h.idtr);
    vw(vf::HOST_IA32_SYSENTER_CS, 0);
    vw(vf::HOST_IA32_SYSENTER_ESP, 0);
    vw(vf::HOST_IA32_SYSENTER_EIP, 0);
    vw(vf::HOST_RSP, h.rsp);
    vw(vf::HOST_RIP, h.rip);
}

// The INIT state at entry_ (see the header).
void X86VCpu::write_reset_state() {
    const bool low = entry_ < 0x100000;
    const uint64_t base = low ? (entry_ & ~uint64_t{0xf}) : (entry_ & ~uint64_t{0xffff});
    const uint64_t sel = (base >> 4) & 0xffff;
    const uint32_t segs[][4] = {
        {vf::GUEST_ES_SELECTOR, vf::GUEST_ES_BASE, vf::GUEST_ES_LIMIT, vf::GUEST_ES_AR_BYTES},
        {vf::GUEST_SS_SELECTOR, vf::GUEST_SS_BASE, vf::GUEST_SS_LIMIT, vf::GUEST_SS_AR_BYTES},
        {vf::GUEST_DS_SELECTOR, vf::GUEST_DS_BASE, vf::GUEST_DS_LIMIT, vf::GUEST_DS_AR_BYTES},
        {vf::GUEST_FS_SELECTOR, vf::GUEST_FS_BASE, vf::GUEST_FS_LIMIT, vf::GUEST_FS_AR_BYTES},
        {vf::GUEST_GS_SELECTOR, vf::GUEST_GS_BASE, vf::GUEST_GS_LIMIT, vf::GUEST_GS_AR_BYTES},
    };
    for (const auto& s : segs) {
        vw(s[0], 0);
        vw(s[1], 0);
        vw(s[2], 0xffff);
        vw(s[3], kArData);
    }
    vw(vf::GUEST_CS_SELECTOR, sel);
    vw(vf::GUEST_CS_BASE, base);
    vw(vf::GUEST_CS_LIMIT, 0xffff);
    vw(vf::GUEST_CS_AR_BYTES, kArCode);
    vw(vf::GUEST_TR_SELECTOR, 0);
    vw(vf::GUEST_TR_BASE, 0);
    vw(vf::GUEST_TR_LIMIT, 0xffff);
    vw(vf::GUEST_TR_AR_BYTES, kArTr);
    vw(vf::GUEST_LDTR_SELECTOR, 0);
    vw(vf::GUEST_LDTR_BASE, 0);
    vw(vf::GUEST_LDTR_LIMIT, 0xffff);
    vw(vf::GUEST_LDTR_AR_BYTES, kArLdtr);
    vw(vf::GUEST_GDTR_BASE, 0);
    vw(vf::GUEST_GDTR_LIMIT, 0xffff);
    vw(vf::GUEST_IDTR_BASE, 0);
    vw(vf::GUEST_IDTR_LIMIT, 0xffff);
    vw(vf::CR0_READ_SHADOW, kCr0Reset);
    vw(vf::GUEST_CR0, kCr0Reset | kCr0Ne);
    vw(vf::CR4_READ_SHADOW, 0);
    vw(vf::GUEST_CR4, kCr4Vmxe);
    vw(vf::GUEST_CR3, 0);
    vw(vf::GUEST_DR7, 0x400);
    vw(vf::GUEST_IA32_DEBUGCTL, 0);
    vw(vf::GUEST_IA32_EFER, 0);
    vw(vf::GUEST_IA32_PAT, kGuestPat);
    vw(vf::GUEST_SYSENTER_CS, 0);
    vw(vf::GUEST_SYSENTER_ESP, 0);
    vw(vf::GUEST_SYSENTER_EIP, 0);
    vw(vf::GUEST_RIP, entry_ - base);
    vw(vf::GUEST_RSP, 0);
    vw(vf::GUEST_RFLAGS, 2);
    vw(vf::GUEST_ACTIVITY_STATE, vmx::Active);
    vw(vf::GUEST_INTERRUPTIBILITY_INFO, 0);
    vw(vf::GUEST_PENDING_DBG_EXCEPTIONS, 0);
    vw(vf::VM_ENTRY_CONTROLS, vr(vf::VM_ENTRY_CONTROLS) & ~uint64_t{vmx::entryc::Ia32e});
    vw(vf::VM_ENTRY_INTR_INFO, 0);
    entry_intr_vmcs_ = 0;
    rip_ = entry_ - base;
    rflags_ = 2;
    cs_base_ = base;
    reset_pending_ = false;
    flush_pending_ = true;
}

// ---- context switch -------------------------------------------------------------

namespace {
// The state the core keeps under the same names as the vCPU's context and
// that VM entry and exit do not switch: CR2, CR8, the SYSCALL MSRs, TSC_AUX,
// the SSE and x87 state. One list for both directions.
template <class To, class From> void switch_shared_state(To& t, const From& f) {
    t.cr2 = f.cr2;
    t.cr8 = f.cr8;
    t.star = f.star;
    t.lstar = f.lstar;
    t.cstar = f.cstar;
    t.sfmask = f.sfmask;
    t.kernel_gs_base = f.kernel_gs_base;
    t.tsc_aux = f.tsc_aux;
    std::memcpy(t.xmm, f.xmm, sizeof t.xmm);
    t.mxcsr = f.mxcsr;
    t.fcw = f.fcw;
    t.fsw = f.fsw;
    t.ftw = f.ftw;
    t.fip = f.fip;
    t.fdp = f.fdp;
    t.fcs = f.fcs;
    t.fds = f.fds;
    t.fop = f.fop;
    std::memcpy(t.st, f.st, sizeof t.st);
}
} // namespace

void X86VCpu::load_context() {
    hx::Core& c = cpu_->core();
    for (unsigned r = 0; r < 16; ++r) c.gpr[r] = ctx_.gpr[r];
    for (unsigned k = 0; k < 4; ++k) c.dr[k] = ctx_.dr[k];
    c.dr[6] = ctx_.dr6;
    switch_shared_state(c, ctx_);
}

void X86VCpu::save_context() {
    hx::Core& c = cpu_->core();
    for (unsigned r = 0; r < 16; ++r) ctx_.gpr[r] = c.gpr[r];
    ctx_.gpr[4] = vr(vf::GUEST_RSP);
    for (unsigned k = 0; k < 4; ++k) ctx_.dr[k] = c.dr[k];
    ctx_.dr6 = c.dr[6];
    switch_shared_state(ctx_, c);
}

Result<void> X86VCpu::bind() {
    PhysCpu* cpu = PhysCpu::current();
    if (!cpu) return make_error(ErrorKind::BadState, "bind: this thread has no current physical CPU (PhysCpu::make_current)");
    if (cpu_) return make_error(ErrorKind::BadState, fmt::format("bind: vCPU {} is already bound to physical CPU {}", id_, cpu_->id()));
    if (!set_up_) return make_error(ErrorKind::BadState, "bind: the vCPU is not set up");
    if (!cpu->enabled())
        return make_error(ErrorKind::Unsupported, fmt::format("bind: physical CPU {} has no VMX: {}", cpu->id(), cpu->error()));
    if (cpu->loaded_)
        return make_error(ErrorKind::BadState, fmt::format("bind: physical CPU {} already holds vCPU {} of VM {}",
                                                           cpu->id(), cpu->loaded_->second, cpu->loaded_->first));
    cpu_ = cpu;
    if (!programmed_) {
        if (Result<void> r = program_vmcs(); !r) {
            cpu_ = nullptr;
            return r;
        }
    } else if (cpu->core().vmptrld(vmcs_) != VS::Succeed) {
        cpu_ = nullptr;
        return make_error(ErrorKind::Internal, fmt::format("bind: VMPTRLD of {:#x} failed", vmcs_));
    }
    cpu->loaded_ = std::make_pair(vm_, id_);
    // Guest time never runs backwards when a vCPU moves to a CPU behind.
    if (cpu->cycles() < last_cycles_) cpu->add_cycles(last_cycles_ - cpu->cycles());
    write_host_state();
    load_context();
    if (reset_pending_) write_reset_state();
    if (pending_rsp_) vw(vf::GUEST_RSP, *pending_rsp_);
    if (pending_rip_) vw(vf::GUEST_RIP, *pending_rip_);
    pending_rsp_.reset();
    pending_rip_.reset();
    // Translations tagged with this VPID may be stale (it ran elsewhere).
    flush_pending_ = true;
    return {};
}

Result<void> X86VCpu::unbind() {
    if (!cpu_) return make_error(ErrorKind::BadState, fmt::format("unbind: vCPU {} is not bound", id_));
    save_context();
    rip_ = vr(vf::GUEST_RIP);
    rflags_ = vr(vf::GUEST_RFLAGS);
    cs_base_ = vr(vf::GUEST_CS_BASE);
    // VMCLEAR writes the VMCS back to memory; the next entry is a VMLAUNCH.
    cpu_->core().vmclear(vmcs_);
    launched_ = false;
    last_cycles_ = cpu_->cycles();
    cpu_->loaded_.reset();
    cpu_ = nullptr;
    return {};
}

// ---- registers ------------------------------------------------------------------------

uint64_t X86VCpu::gpr(unsigned reg) const {
    if (reg >= 16) return 0;
    if (!cpu_) return reg == 4 && pending_rsp_ ? *pending_rsp_ : ctx_.gpr[reg];
    if (reg == 4) return vr(vf::GUEST_RSP);
    return cpu_->core().gpr[reg];
}

uint64_t X86VCpu::rip() const { return pending_rip_ ? *pending_rip_ : rip_; }
uint64_t X86VCpu::rflags() const { return rflags_; }
uint64_t X86VCpu::cs_base() const { return cs_base_; }

void X86VCpu::set_return_value(uint64_t value) {
    // RAX with no completion owed: the plain write (set_gpr's last case).
    if (cpu_ && pending_.kind == Pending::None) cpu_->core().gpr[0] = value;
    else set_gpr(0, value);
}

// The plain register write, and (see the header) the completion of the
// exit just returned.
void X86VCpu::set_gpr(unsigned reg, uint64_t value) {
    auto put = [&](unsigned r, uint64_t v) {
        if (r >= 16) return;
        if (r == 4) {
            if (cpu_) vw(vf::GUEST_RSP, v);
            else pending_rsp_ = v;
            return;
        }
        (cpu_ ? cpu_->core().gpr[r] : ctx_.gpr[r]) = v;
    };
    auto merge = [&](unsigned r, unsigned bytes, bool high, uint64_t v) {
        const uint64_t old = gpr(r);
        if (bytes == 1 && high) put(r, (old & ~uint64_t{0xff00}) | (v & 0xff) << 8);
        else if (bytes == 1) put(r, (old & ~uint64_t{0xff}) | (v & 0xff));
        else if (bytes == 2) put(r, (old & ~uint64_t{0xffff}) | (v & 0xffff));
        else if (bytes == 4) put(r, v & 0xffffffffull);
        else put(r, v);
    };
    Completion& p = pending_;
    if (reg == kMmioLatch) {
        if (p.kind == Pending::Rmw) {
            p.latch = value;
            p.latched = true;
        } else if (p.kind == Pending::AluRead) {
            finish_alu_read(value);
        }
        return;
    }
    switch (p.kind) {
    case Pending::PortIn:
        if (reg != 0) break;
        merge(0, p.bytes, false, value);
        p = {};
        return;
    case Pending::Ins:
        if (reg != 0 || !cpu_) break;
        (void)GuestAccess(cpu_->core().mem(), eptp_, paging()).write_linear(p.linear, &value, p.bytes, cpu_->core().mem());
        p = {};
        return;
    case Pending::RdMsr:
        if (reg != 0) break;
        put(0, value & 0xffffffffull);
        put(2, value >> 32);
        p = {};
        return;
    case Pending::MmioLoad:
        if (reg != p.reg) break;
        merge(p.reg, p.bytes, p.high_byte, value);
        p = {};
        return;
    default: break;
    }
    put(reg, value);
}

// ---- interrupts --------------------------------------------------------------------------

Result<void> X86VCpu::inject_interrupt(uint64_t vector) {
    if (vector > 255) return make_error(ErrorKind::InvalidInput, fmt::format("inject_interrupt: vector {} is not 0-255", vector));
    std::lock_guard<std::mutex> g(irqs_->lock);
    irqs_->q.push_back(static_cast<uint8_t>(vector));
    irqs_->nonempty.store(true, std::memory_order_release);
    return {};
}

size_t X86VCpu::queued_interrupts() const {
    std::lock_guard<std::mutex> g(irqs_->lock);
    return irqs_->q.size();
}

bool X86VCpu::has_wakeup() const {
    if (fault_ || reinject_) return true;
    std::lock_guard<std::mutex> g(irqs_->lock);
    if (irqs_->q.empty()) return false;
    return irqs_->q.front() < 32 || (rflags_ & hx::rflags::IF);
}

void X86VCpu::fault_last_exit(uint8_t vector, uint32_t error_code) {
    if (exit_.valid) {
        if (cpu_) vw(vf::GUEST_RIP, exit_.trap_rip);
        else pending_rip_ = exit_.trap_rip;
        rip_ = exit_.trap_rip;
    }
    pending_ = {};
    const bool errvec = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
    fault_ = Event{vector | uint32_t{vmx::HwException} << 8 | vmx::kIntrValid | (errvec ? vmx::kIntrErrorValid : 0u),
                   error_code, 0};
}

// One event per entry (see the header).
[[gnu::always_inline]] inline void X86VCpu::inject_events(hx::Vmcs* at) {
    uint32_t info = 0, error = 0, len = 0;
    auto drop_error_in_real_mode = [&](uint32_t i) {
        // Real-mode delivery pushes no error code (unrestricted guest).
        // CR0 is read only when an event goes in: most entries inject none.
        const bool pe = vr(at, vf::GUEST_CR0) & kCr0Pe;
        return pe ? i : (i & ~vmx::kIntrErrorValid);
    };
    bool window = false;
    if (reinject_) {
        info = drop_error_in_real_mode(reinject_->info & ~vmx::kIntrNmiUnblock);
        error = reinject_->error;
        len = reinject_->insn_len;
        reinject_.reset();
    } else if (fault_) {
        info = drop_error_in_real_mode(fault_->info);
        error = fault_->error;
        fault_.reset();
    }
    if (irqs_->nonempty.load(std::memory_order_acquire)) {
        std::lock_guard<std::mutex> g(irqs_->lock);
        if (!irqs_->q.empty()) {
            const uint8_t v = irqs_->q.front();
            const uint64_t rfl = vr(at, vf::GUEST_RFLAGS);
            const uint64_t blocking = vr(at, vf::GUEST_INTERRUPTIBILITY_INFO) & (vmx::intr::BlockSti | vmx::intr::BlockMovSs);
            if (info) {
                window = true;   // after the event already going in
            } else if (v < 32) {
                const bool errvec = v == 8 || (v >= 10 && v <= 14) || v == 17;
                const uint32_t type = v == 2 ? vmx::Nmi : vmx::HwException;
                info = drop_error_in_real_mode(v | type << 8 | vmx::kIntrValid | (errvec ? vmx::kIntrErrorValid : 0u));
                irqs_->q.pop_front();
            } else if ((rfl & hx::rflags::IF) && !blocking) {
                info = v | uint32_t{vmx::ExtInt} << 8 | vmx::kIntrValid;
                irqs_->q.pop_front();
            } else {
                window = true;
            }
        }
        irqs_->nonempty.store(!irqs_->q.empty(), std::memory_order_relaxed);
    }
    if (info | entry_intr_vmcs_) {
        vw(at, vf::VM_ENTRY_INTR_INFO, info);
        entry_intr_vmcs_ = info;
    }
    if (info & vmx::kIntrErrorValid) vw(at, vf::VM_ENTRY_EXCEPTION_ERROR_CODE, error);
    if (len) vw(at, vf::VM_ENTRY_INSTRUCTION_LEN, len);
    const uint32_t proc = proc_ | (window ? vmx::proc::IntWindow : 0u);
    if (proc != proc_vmcs_) {
        vw(at, vf::CPU_BASED_VM_EXEC_CONTROL, proc);
        proc_vmcs_ = proc;
    }
}

// ---- running ---------------------------------------------------------------------------

Result<ExitReason> X86VCpu::run() {
    if (!cpu_) return make_error(ErrorKind::BadState, fmt::format("run: vCPU {} is not bound", id_));
    if (cpu_ != PhysCpu::current())
        return make_error(ErrorKind::BadState, fmt::format("run: vCPU {} is bound to physical CPU {}, which is not this "
                                                           "thread's current CPU", id_, cpu_->id()));
    // The second half of a read-modify-write: no entry.
    if (pending_.kind == Pending::Rmw) return finish_rmw();
    pending_.kind = Pending::None;   // whoever sets a kind sets the rest
    exit_ = ExitInfo{};
    if (Result<void> r = enter_and_run(); !r) return r.error();
    return decode_exit();
}

Result<void> X86VCpu::enter_and_run() {
    hx::Core& c = cpu_->core();
    if (reset_pending_) write_reset_state();
    if (flush_pending_.load(std::memory_order_relaxed) && flush_pending_.exchange(false)) c.invvpid(1, vpid_, 0);
    hx::Vmcs* const at = c.host_vmcs();
    inject_events(at);
    // The VMX-preemption timer counts down at TSC >> rate (IA32_VMX_MISC[4:0]).
    uint32_t pin = pin_;
    if (deadline_ && timer_ok_) {
        uint64_t misc = 0;
        c.rdmsr(vmx::msr::Misc, misc);
        const unsigned rate = misc & 0x1f;
        const uint64_t now = c.cycles();
        const uint64_t left = *deadline_ > now ? *deadline_ - now : 0;
        // Rounded down: the exit comes at the deadline or just before it.
        vw(at, vf::VMX_PREEMPTION_TIMER_VALUE, std::min<uint64_t>(left >> rate, 0xffffffff));
        pin |= vmx::pin::PreemptionTimer;
    }
    // The core looks at the preemption timer between instruction blocks:
    // the slice stops at the deadline so that the exit is taken there.
    uint64_t budget = budget_;
    if (deadline_ && timer_ok_) {
        const uint64_t now = c.cycles();
        budget = std::max<uint64_t>(1, std::min(budget, *deadline_ > now ? *deadline_ - now : 1));
    }
    if (pin != pin_vmcs_) {
        vw(at, vf::PIN_BASED_VM_EXEC_CONTROL, pin);
        pin_vmcs_ = pin;
    }
    const uint64_t host_xcr0 = c.xcr0;
    c.xcr0 = xcr0_;
    // The timing profile's VM transitions (the hardware's VM entry and
    // exit); a guest taken off at the end of its slice resumes for free,
    // as its leaving cost nothing.
    if (!preempted_) c.add_cycles(c.config().costs.vm_entry);
    preempted_ = false;
    const VS s = launched_ ? c.vmresume() : c.vmlaunch();
    if (s == VS::Succeed) {
        launched_ = true;
        c.run(budget);
        for (unsigned k = 0; k < 64 && c.in_non_root() && deadline_ && timer_ok_ && c.cycles() >= *deadline_; ++k)
            c.run(1);   // the timer exit at the next instruction boundary
        if (c.in_non_root()) {
            // The slice ended inside the guest: take it off the CPU as a
            // host timer interrupt would (an external-interrupt exit with
            // nothing acknowledged). It costs no model time.
            c.vm_exit(vmx::ExternalInterrupt);
            exit_.reason = kSliceExit;
            preempted_ = true;
        } else {
            c.add_cycles(c.config().costs.vm_exit);
        }
        c.take_vmexit();
        if (c.halted) c.halted = false;   // the host's exit stub (HLT) ran
    } else if (s != VS::EntryFailed) {
        c.xcr0 = host_xcr0;
        insn_error_ = c.vm_instruction_error();
        return make_error(ErrorKind::Internal,
                          fmt::format("vCPU {}: {} failed (VM-instruction error {})", id_,
                                      launched_ ? "VMRESUME" : "VMLAUNCH", s == VS::FailValid ? insn_error_ : 0));
    }
    c.xcr0 = host_xcr0;
    return {};
}

bool X86VCpu::read_guest_linear(uint64_t linear, void* dst, unsigned len) const {
    if (!cpu_) return false;
    return GuestAccess(cpu_->core().mem(), eptp_, paging()).read_linear(linear, dst, len);
}

GuestPaging X86VCpu::paging() const {
    GuestPaging g;
    g.cr0 = vr(vf::GUEST_CR0);
    g.cr3 = vr(vf::GUEST_CR3);
    g.cr4 = vr(vf::GUEST_CR4);
    g.efer = vr(vf::GUEST_IA32_EFER);
    g.pdpte[0] = vr(vf::GUEST_PDPTE0);
    g.pdpte[1] = vr(vf::GUEST_PDPTE1);
    g.pdpte[2] = vr(vf::GUEST_PDPTE2);
    g.pdpte[3] = vr(vf::GUEST_PDPTE3);
    return g;
}

} // namespace hvemu::vcpu::x86
