// Decoding a VM exit into an ExitReason (the table in x86_vcpu.hpp): the
// exit reason dispatch, port I/O with its string forms, RDMSR/WRMSR, and
// EPT violations on device pages decoded into MMIO accesses.
#include <fmt/format.h>

#include "isa/x86/vmcs_fields.hpp"
#include "isa/x86/vmx_defs.hpp"
#include "vcpu/x86/x86_vcpu.hpp"

namespace hvemu::vcpu::x86 {

namespace vmx = hvemu::x86::vmx;
namespace vf = hvemu::x86::vmcs;

namespace {

uint64_t mask_of(unsigned bytes) { return bytes >= 8 ? ~0ull : (uint64_t{1} << (8 * bytes)) - 1; }
AccessWidth width_of(unsigned bytes) {
    AccessWidth w = AccessWidth::Byte;
    width_from_bytes(bytes, w);
    return w;
}

const char* reason_name(uint32_t r) {
    switch (r) {
    case vmx::ExceptionNmi: return "exception or NMI";
    case vmx::Init: return "INIT";
    case vmx::Sipi: return "SIPI";
    case vmx::NmiWindow: return "NMI window";
    case vmx::TaskSwitch: return "task switch";
    case vmx::Invlpg: return "INVLPG";
    case vmx::Rdtsc: return "RDTSC";
    case vmx::DrAccess: return "MOV DR";
    case vmx::EptMisconfig: return "EPT misconfiguration";
    default: return "unexpected exit";
    }
}

} // namespace

Error X86VCpu::unexpected(const char* what) const {
    return make_error(ErrorKind::Unsupported,
                      fmt::format("vCPU {}: {} (exit reason {}, qualification {:#x}, RIP {:#x}, GPA {:#x})", id_, what,
                                  exit_.reason & 0xffff, exit_.qualification, exit_.trap_rip, exit_.gpa));
}

void X86VCpu::inject_now(uint8_t vector, uint32_t error) {
    const bool errvec = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
    fault_ = Event{vector | uint32_t{vmx::HwException} << 8 | vmx::kIntrValid | (errvec ? vmx::kIntrErrorValid : 0u),
                   error, 0};
}

// ---- RIP past the exiting instruction

void X86VCpu::advance_rip(uint64_t len) { advance_rip(cpu_->core().host_vmcs(), len); }

void X86VCpu::advance_rip(hx::Vmcs* at, uint64_t len) {
    uint64_t rip = 0, intr = 0;
    {
        VmcsReads r(*this, at);
        rip = r(vf::GUEST_RIP) + len;
        // Outside 64-bit code RIP wraps at 4 GiB; below that, the mode does not matter.
        if (rip >> 32) {
            const bool cs_l = (r(vf::GUEST_CS_AR_BYTES) >> 13) & 1;
            const bool lma = r(vf::GUEST_IA32_EFER) & (1u << 10);
            if (!(cs_l && lma)) rip &= 0xffffffffull;
        }
        intr = r(vf::GUEST_INTERRUPTIBILITY_INFO);
    }
    vw(at, vf::GUEST_RIP, rip);
    rip_ = rip;
    // The instruction completed: an STI / MOV SS shadow is over.
    if (intr & (vmx::intr::BlockSti | vmx::intr::BlockMovSs))
        vw(at, vf::GUEST_INTERRUPTIBILITY_INFO, intr & ~uint64_t{vmx::intr::BlockSti | vmx::intr::BlockMovSs});
}

// ---- the exit reason

Result<ExitReason> X86VCpu::decode_exit() {
    hx::Vmcs* at = cpu_->core().host_vmcs();
    uint32_t full = 0;
    {
        VmcsReads r(*this, at);
        rip_ = r(vf::GUEST_RIP);
        rflags_ = r(vf::GUEST_RFLAGS);
        cs_base_ = r(vf::GUEST_CS_BASE);
        if (exit_.reason == kSliceExit) return ExitReason{exit::Nothing{}};
        full = static_cast<uint32_t>(r(vf::VM_EXIT_REASON));
        exit_.valid = true;
        exit_.reason = full;
        exit_.qualification = r(vf::EXIT_QUALIFICATION);
        exit_.gpa = r(vf::GUEST_PHYSICAL_ADDRESS);
        exit_.gla = r(vf::GUEST_LINEAR_ADDRESS);
        exit_.insn_len = static_cast<uint32_t>(r(vf::VM_EXIT_INSTRUCTION_LEN));
        exit_.insn_info = static_cast<uint32_t>(r(vf::VMX_INSTRUCTION_INFO));
        exit_.intr_info = static_cast<uint32_t>(r(vf::VM_EXIT_INTR_INFO));
        exit_.trap_rip = rip_;
        if (full & vmx::kEntryFailure) return ExitReason{exit::FailEntry{full & 0xffff}};
        // An event whose delivery this exit interrupted goes in again.
        const uint64_t idt = r(vf::IDT_VECTORING_INFO);
        if (idt & vmx::kIntrValid)
            reinject_ = Event{static_cast<uint32_t>(idt), static_cast<uint32_t>(r(vf::IDT_VECTORING_ERROR_CODE)),
                              exit_.insn_len};
    }
    switch (full & 0xffff) {
    case vmx::Vmcall: {
        // bound, and none of these is RSP: the core's registers (gpr())
        const uint64_t* g = cpu_->core().gpr;
        const exit::Hypercall h{g[0], {g[7], g[6], g[2], g[1], g[8], g[9]}};
        advance_rip(at, exit_.insn_len);
        return ExitReason{h};
    }
    case vmx::IoInstruction: return handle_io();
    case vmx::Rdmsr: {
        const uint32_t msr = static_cast<uint32_t>(gpr(1));
        advance_rip(exit_.insn_len);
        pending_ = Completion{};
        pending_.kind = Pending::RdMsr;
        return ExitReason{exit::SysRegRead{msr, 0}};
    }
    case vmx::Wrmsr: {
        const uint32_t msr = static_cast<uint32_t>(gpr(1));
        const uint64_t v = (gpr(2) & 0xffffffffull) << 32 | (gpr(0) & 0xffffffffull);
        advance_rip(exit_.insn_len);
        return ExitReason{exit::SysRegWrite{msr, v}};
    }
    case vmx::EptViolation: return handle_ept_violation();
    case vmx::Hlt: advance_rip(exit_.insn_len); return ExitReason{exit::Halt{}};
    case vmx::ExternalInterrupt:
        return ExitReason{exit::ExternalInterrupt{(exit_.intr_info & vmx::kIntrValid) ? (exit_.intr_info & 0xffu) : 0u}};
    case vmx::ExceptionNmi:
        if (((exit_.intr_info >> 8) & 7) == vmx::Nmi) return ExitReason{exit::ExternalInterrupt{2}};
        return unexpected("an exception the exception bitmap does not ask for");
    case vmx::TripleFault: return ExitReason{exit::SystemDown{}};
    case vmx::Cpuid: return handle_cpuid();
    case vmx::CrAccess: return handle_cr_access();
    case vmx::Xsetbv: return handle_xsetbv();
    case vmx::Invd: advance_rip(exit_.insn_len); return ExitReason{exit::Nothing{}};
    case vmx::InterruptWindow:   // the next entry injects (or asks again)
    case vmx::PreemptionTimer:   // the deadline the VMM set has come
        return ExitReason{exit::Nothing{}};
    case vmx::Vmclear: case vmx::Vmlaunch: case vmx::Vmptrld: case vmx::Vmptrst: case vmx::Vmread:
    case vmx::Vmresume: case vmx::Vmwrite: case vmx::Vmxoff: case vmx::Vmxon: case vmx::Invept:
    case vmx::Invvpid: case vmx::Vmfunc:
        inject_now(6);   // the guest's CPUID says there is no VMX
        return ExitReason{exit::Nothing{}};
    default: return unexpected(reason_name(full & 0xffff));
    }
}

// ---- port I/O (exit qualification Table 27-5, INS/OUTS information 27-8)

Result<ExitReason> X86VCpu::handle_io() {
    const uint64_t q = exit_.qualification;
    const unsigned size = static_cast<unsigned>(q & 7) + 1;
    const bool in = q & 8, string = q & 16, rep = q & 32;
    const uint16_t port = static_cast<uint16_t>(q >> 16);
    if (size != 1 && size != 2 && size != 4) return unexpected("I/O exit with a bad size");
    if (!string) {
        advance_rip(exit_.insn_len);
        if (in) {
            pending_ = Completion{};
            pending_.kind = Pending::PortIn;
            pending_.bytes = size;
            return ExitReason{exit::IoRead{port, width_of(size)}};
        }
        return ExitReason{exit::IoWrite{port, width_of(size), gpr(0) & mask_of(size)}};
    }
    // One element per exit: the index register steps, REP counts down,
    // and RIP moves on only after the last element.
    const unsigned asz = 2u << ((exit_.insn_info >> 7) & 3);   // 2, 4, 8
    const uint64_t am = mask_of(asz);
    auto step_reg = [&](unsigned r, int64_t d) {
        const uint64_t v = (gpr(r) + static_cast<uint64_t>(d)) & am;
        set_gpr(r, asz == 2 ? ((gpr(r) & ~am) | v) : v);
    };
    const unsigned idx = in ? 7 : 6;
    const int64_t step = (rflags_ & hx::rflags::DF) ? -static_cast<int64_t>(size) : static_cast<int64_t>(size);
    const uint64_t lin = exit_.gla;
    uint64_t data = 0;
    if (!in && !GuestAccess(cpu_->core().mem(), eptp_, paging()).read_linear(lin, &data, size))
        return ExitReason{exit::NestedPageFault{lin, mapping::READ}};
    step_reg(idx, step);
    bool last = true;
    if (rep) {
        step_reg(1, -1);
        last = (gpr(1) & am) == 0;
    }
    if (last) advance_rip(exit_.insn_len);
    if (in) {
        pending_ = Completion{};
        pending_.kind = Pending::Ins;
        pending_.bytes = size;
        pending_.linear = lin;
        return ExitReason{exit::IoRead{port, width_of(size)}};
    }
    return ExitReason{exit::IoWrite{port, width_of(size), data}};
}

// ---- EPT violations (qualification Table 28-7) -----------------------------------------

Result<ExitReason> X86VCpu::handle_ept_violation() {
    const uint64_t q = exit_.qualification, gpa = exit_.gpa;
    const MappingFlags rw = (q & vmx::eptq::Write) ? mapping::WRITE : mapping::READ;
    if (q & vmx::eptq::Fetch) return ExitReason{exit::NestedPageFault{gpa, mapping::EXECUTE}};
    // A guest paging-structure access (not the final address): no instruction to emulate.
    if ((q & vmx::eptq::LinearValid) && !(q & vmx::eptq::Final)) return ExitReason{exit::NestedPageFault{gpa, rw}};
    // Fetch the instruction through the guest's paging and the EPT (a
    // shorter read near the end of a mapped range).
    uint8_t bytes[15] = {};
    unsigned have = 15;
    const GuestAccess ga(cpu_->core().mem(), eptp_, paging());
    while (have && !ga.read_linear(cs_base_ + rip_, bytes, have)) --have;
    const uint64_t ar = vr(vf::GUEST_CS_AR_BYTES);
    const bool lma = vr(vf::GUEST_IA32_EFER) & (1u << 10);
    const hx::Mode mode = (lma && (ar & (1u << 13))) ? hx::Mode::Bits64 : (ar & (1u << 14)) ? hx::Mode::Bits32 : hx::Mode::Bits16;
    const std::optional<MmioInsn> m = have ? decode_mmio(bytes, have, mode) : std::nullopt;
    if (!m) return ExitReason{exit::NestedPageFault{gpa, rw}};
    const AccessWidth w = width_of(m->width);
    const uint64_t regval = m->high_byte ? (gpr(m->reg) >> 8) : gpr(m->reg);
    switch (m->op) {
    case MmioOp::Store:
        advance_rip(m->len);
        return ExitReason{exit::MmioWrite{gpa, w, regval & mask_of(m->width)}};
    case MmioOp::StoreImm:
        advance_rip(m->len);
        return ExitReason{exit::MmioWrite{gpa, w, m->imm}};
    case MmioOp::Load:
    case MmioOp::LoadZx:
    case MmioOp::LoadSx:
        pending_ = Completion{};
        pending_.kind = Pending::MmioLoad;
        pending_.reg = m->reg;
        pending_.bytes = m->dest_bytes;
        pending_.high_byte = m->high_byte;
        advance_rip(m->len);
        return ExitReason{exit::MmioRead{gpa, w, m->reg, width_of(m->dest_bytes), m->op == MmioOp::LoadSx}};
    case MmioOp::Alu:
        if (m->dest != AluDest::Mem) {   // the read now; the completion sets the register and flags
            pending_ = Completion{};
            pending_.kind = Pending::AluRead;
            pending_.insn = *m;
            pending_.gpa = gpa;
            advance_rip(m->len);
            return ExitReason{exit::MmioRead{gpa, w, kMmioLatch, w, false}};
        }
        [[fallthrough]];
    case MmioOp::Xchg:   // read-modify-write: the read now, the write at the next run()
        pending_ = Completion{};
        pending_.kind = Pending::Rmw;
        pending_.insn = *m;
        pending_.gpa = gpa;
        return ExitReason{exit::MmioRead{gpa, w, kMmioLatch, w, false}};
    }
    return ExitReason{exit::NestedPageFault{gpa, rw}};
}

void X86VCpu::set_status_flags(uint64_t flags) {
    using namespace hx::rflags;
    const uint64_t f = (vr(vf::GUEST_RFLAGS) & ~(CF | PF | AF | ZF | SF | OF)) | flags;
    vw(vf::GUEST_RFLAGS, f);
    rflags_ = f;
}

void X86VCpu::finish_alu_read(uint64_t value) {
    const MmioInsn m = pending_.insn;
    pending_ = {};
    if (!cpu_) return;
    const uint64_t mask = mask_of(m.width);
    const uint64_t regval = (m.high_byte ? (gpr(m.reg) >> 8) : gpr(m.reg)) & mask;
    const uint64_t other = m.src_imm ? m.imm : regval;
    const AluResult r = m.mem_left ? alu_apply(m.alu, value, other, m.width) : alu_apply(m.alu, other, value, m.width);
    set_status_flags(r.flags);
    if (m.dest != AluDest::Reg) return;
    const uint64_t old = gpr(m.reg);
    if (m.width == 1 && m.high_byte) set_gpr(m.reg, (old & ~uint64_t{0xff00}) | r.value << 8);
    else if (m.width < 4) set_gpr(m.reg, (old & ~mask) | r.value);
    else set_gpr(m.reg, r.value);
}

Result<ExitReason> X86VCpu::finish_rmw() {
    const Completion p = pending_;
    pending_ = {};
    exit_ = ExitInfo{};
    if (!p.latched)
        return make_error(ErrorKind::BadState,
                          fmt::format("vCPU {}: the MMIO read at {:#x} of a read-modify-write was not completed "
                                      "(set_gpr(kMmioLatch, value))", id_, p.gpa));
    const MmioInsn& m = p.insn;
    const uint64_t mask = mask_of(m.width);
    const uint64_t old = p.latch & mask;
    const uint64_t regval = (m.high_byte ? (gpr(m.reg) >> 8) : gpr(m.reg)) & mask;
    uint64_t result = regval;
    if (m.op == MmioOp::Alu) {
        const AluResult r = alu_apply(m.alu, old, m.src_imm ? m.imm : regval, m.width);
        result = r.value;
        set_status_flags(r.flags);
    } else {   // XCHG: the register gets the old memory value
        const uint64_t r = gpr(m.reg);
        if (m.width == 1 && m.high_byte) set_gpr(m.reg, (r & ~uint64_t{0xff00}) | old << 8);
        else if (m.width < 4) set_gpr(m.reg, (r & ~mask) | old);
        else set_gpr(m.reg, old);
    }
    advance_rip(m.len);
    return ExitReason{exit::MmioWrite{p.gpa, width_of(m.width), result}};
}

} // namespace hvemu::vcpu::x86
