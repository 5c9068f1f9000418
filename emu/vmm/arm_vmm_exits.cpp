// The Arm VMM's exit handlers: one std::visit over ExitReason, each arm a
// line or a call. MMIO reads are completed by the shared core (width and
// sign extension into the exit's register); the vCPU advanced the PC
// before run() returned (arm_vcpu.hpp), so nothing here touches it except
// an exception delivered to the guest.
#include <fmt/format.h>

#include "emu/vmm/arm_vmm.hpp"
#include "emu/vmm/hypercalls.hpp"
#include "vcpu/arm64/arm_regs.hpp"
#include "vcpu/arm64/psci.hpp"

namespace hvemu::emu::vmm {

namespace {
namespace a64 = vcpu::arm64;
namespace ex = vcpu::exit;

template <class... F> struct Overloaded : F... {
    using F::operator()...;
};
template <class... F> Overloaded(F...) -> Overloaded<F...>;

// Trapped EL1 physical timer registers, as MSR/MRS ISS encodings.
constexpr uint64_t kCntpct = a64::sysiss::addr(3, 3, 14, 0, 1);
constexpr uint64_t kCntpTval = a64::sysiss::addr(3, 3, 14, 2, 0);
constexpr uint64_t kCntpCtl = a64::sysiss::addr(3, 3, 14, 2, 1);
constexpr uint64_t kCntpCval = a64::sysiss::addr(3, 3, 14, 2, 2);
constexpr uint64_t kCtlEnable = 1, kCtlImask = 2, kCtlIstatus = 4;

constexpr uint32_t kEcUnknown = 0x00, kEcDabtLow = 0x24, kEcDabtCur = 0x25;
constexpr uint32_t kDfscSyncExternal = 0x10, kIssWnR = 1u << 6;
constexpr uint64_t kVecCurrentSp0 = 0x000, kVecCurrentSpx = 0x200, kVecLower64 = 0x400;
} // namespace

void ArmVmm::handle_exit(unsigned v, const vcpu::ExitReason& exit) {
    std::visit(Overloaded{
                   [&](const ex::MmioRead& e) { mmio_read(v, e); },
                   [&](const ex::MmioWrite& e) { mmio_write(v, e); },
                   [&](const ex::SysRegRead& e) { sysreg_read(v, e); },
                   [&](const ex::SysRegWrite& e) { sysreg_write(v, e); },
                   [&](const ex::Hypercall& e) { hypercall(v, e); },
                   [&](const ex::SendIpi& e) { send_ipi(v, e); },
                   [&](const ex::CpuUp& e) { cpu_up(v, e); },
                   [&](const ex::CpuDown&) { state_[v] = VState::Stopped; },
                   [&](const ex::Halt&) { state_[v] = VState::Sleeping; },
                   [&](const ex::SystemDown&) { system_down(v); },
                   [&](const ex::NestedPageFault& e) { nested_page_fault(v, e); },
                   [&](const ex::ExternalInterrupt&) {},   // no host devices interrupt a hosted VM; counted only
                   [&](const ex::Nothing&) {},              // served inside the vCPU
                   [&](const auto& e) {   // port I/O, FailEntry: not Arm exits
                       finish(VmEnd::GuestError, kGuestErrorStatus,
                              fmt::format("vCPU {}: unexpected exit {}", v, vcpu::describe(vcpu::ExitReason{e})));
                   },
               },
               exit);
}

bool ArmVmm::inject_sync(unsigned v, uint32_t ec, uint32_t iss, uint64_t far, uint64_t elr) {
    ArmVCpu& a = vm_.vcpu(v).arch();
    if (!a.bound_cpu()) return false;
    arm::Pe& pe = a.bound_cpu()->pe();
    const uint64_t old = a.pstate();
    uint64_t vbar = 0;
    pe.sysreg_read(a64::sr::VBAR_EL1, vbar, 2);
    const uint64_t offset = a64::spsr::el(old) == 0 ? kVecLower64 : (old & 1) ? kVecCurrentSpx : kVecCurrentSp0;
    pe.sysreg_write(a64::sr::ESR_EL1, uint64_t{ec} << a64::esr::EC_SHIFT | a64::esr::IL | iss, 2);
    pe.sysreg_write(a64::sr::FAR_EL1, far, 2);
    pe.sysreg_write(a64::sr::ELR_EL1, elr, 2);
    pe.sysreg_write(a64::sr::SPSR_EL1, old, 2);
    a.set_pc(vbar + offset);
    a.set_pstate(a64::spsr::EL1H_DAIF_MASKED);
    return true;
}

// An access nobody serves: stop, or a synchronous external abort for the
// guest (see UnmappedAccess). A store that reaches here inside guest RAM
// hit a region mapped without write permission.
void ArmVmm::no_device(unsigned v, uint64_t addr, unsigned width, bool store, const char* why) {
    const ArmVCpu& a = vm_.vcpu(v).arch();
    const ArmVCpu::TrapInfo t = a.last_trap();
    if (guest_.find(addr)) why = store ? "guest RAM mapped read-only" : "guest RAM mapped without read access";
    if (opt_.unmapped == UnmappedAccess::Fault) {
        const uint32_t ec = a64::spsr::el(a.pstate()) == 0 ? kEcDabtLow : kEcDabtCur;
        if (inject_sync(v, ec, kDfscSyncExternal | (store ? kIssWnR : 0), t.far, t.elr)) return;
    }
    finish(VmEnd::GuestError, kGuestErrorStatus,
           fmt::format("vCPU {} at pc {:#x}: {} at guest-physical address {:#x}: {}", v, t.elr,
                       access_text(width, store), addr, why));
}

void ArmVmm::sysreg_read(unsigned v, const ex::SysRegRead& e) {
    const uint64_t now = counter_of(v);
    const PTimer& t = ptimer_[v];
    uint64_t value = 0;
    switch (e.addr) {
    case kCntpct: value = now; break;
    case kCntpCval: value = t.cval; break;
    case kCntpTval: value = (t.cval - now) & 0xffffffffu; break;
    case kCntpCtl:
        value = t.ctl | (((t.ctl & kCtlEnable) && now >= t.cval) ? kCtlIstatus : 0);
        break;
    default:
        if (!inject_sync(v, kEcUnknown, 0, 0, vm_.vcpu(v).arch().last_trap().elr))
            finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("vCPU {}: system register read {:#x}", v, e.addr));
        return;
    }
    set_gpr(v, e.reg, value);
}

void ArmVmm::sysreg_write(unsigned v, const ex::SysRegWrite& e) {
    const uint64_t now = counter_of(v);
    PTimer& t = ptimer_[v];
    switch (e.addr) {
    case kCntpCval: t.cval = e.value; break;
    // TVAL is a signed 32-bit distance from now.
    case kCntpTval: t.cval = now + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(e.value))); break;
    case kCntpCtl: t.ctl = e.value & (kCtlEnable | kCtlImask); break;
    default:   // CNTPCT is read-only; everything else is not emulated
        if (!inject_sync(v, kEcUnknown, 0, 0, vm_.vcpu(v).arch().last_trap().elr))
            finish(VmEnd::GuestError, kGuestErrorStatus, fmt::format("vCPU {}: system register write {:#x}", v, e.addr));
        return;
    }
    update_ptimer(v, now);
}

void ArmVmm::hypercall(unsigned v, const ex::Hypercall& e) {
    ArmVCpuT& vc = vm_.vcpu(v);
    auto ret = [&](int64_t status) { vc.set_return_value(static_cast<uint64_t>(status)); };
    switch (e.nr) {
    case hypercall::ARM_HC_PRINT: {
        const uint64_t gpa = e.args[0], len = e.args[1];
        if (len > hypercall::kPrintMax) return ret(hypercall::kSmcccInvalidParameter);
        std::string buf(len, '\0');
        if (!vm_.guest_mem().read(gpa, buf.data(), len)) return ret(hypercall::kSmcccInvalidParameter);
        for (char c : buf) vm_.console().put(static_cast<uint8_t>(c));
        ret(0);
        return vc.set_gpr(1, len);
    }
    case hypercall::ARM_HC_EXIT:
        ret(0);
        return finish(VmEnd::Shutdown, shell_status(e.args[0]), "");
    default: return ret(hypercall::kSmcccNotSupported);
    }
}

// ICC_SGI1R_EL1 as the guest wrote it, sent through the virtual GIC: the
// targets that enabled the SGI get it in their list registers (ArmVm's
// sink), and are woken.
void ArmVmm::send_ipi(unsigned v, const ex::SendIpi& e) {
    const uint64_t aff1 = (e.target_cpu >> 8) & 0xff, aff2 = (e.target_cpu >> 16) & 0xff,
                   aff3 = (e.target_cpu >> 24) & 0xff;
    const uint64_t sgi1r = (e.vector & 0xf) << 24 | aff1 << 16 | aff2 << 32 | aff3 << 48 |
                           uint64_t{e.send_to_all} << 40 | (e.target_cpu_aux & 0xffff);
    irq_source_ = "ipi";
    vm_.gic().send_sgi(v, sgi1r);
    irq_source_ = "gic";
}

// PSCI CPU_ON: the vCPU set x0 = SUCCESS; the target (by MPIDR) starts at
// entry_point with x0 = the context id.
void ArmVmm::cpu_up(unsigned v, const ex::CpuUp& e) {
    ArmVCpuT& caller = vm_.vcpu(v);
    auto fail = [&](int64_t err) { caller.set_return_value(static_cast<uint64_t>(err)); };
    const std::optional<unsigned> t = vm_.vcpu_of_mpidr(e.target_cpu);
    if (!t) return fail(psci::kInvalidParameters);
    if (state_[*t] != VState::Stopped) return fail(psci::kAlreadyOn);
    if (!vm_.guest_mem().to_host(e.entry_point, 4)) return fail(psci::kInvalidAddress);
    ArmVCpuT& target = vm_.vcpu(*t);
    if (auto r = target.set_entry(e.entry_point); !r) return fail(psci::kInvalidAddress);
    target.set_gpr(0, e.arg);
    state_[*t] = VState::Runnable;
}

void ArmVmm::system_down(unsigned v) {
    if (vm_.vcpu(v).arch().last_system_event() == ArmVCpu::SystemEvent::Reset)
        return finish(VmEnd::Shutdown, 0,
                      fmt::format("vCPU {} asked for a system reset: VM reset is not modelled, the VM stops", v));
    finish(VmEnd::Shutdown, 0, "");
}

void ArmVmm::nested_page_fault(unsigned v, const ex::NestedPageFault& e) {
    namespace mf = vcpu::mapping;
    const char* access = (e.access_flags & mf::EXECUTE) ? "instruction fetch"
                         : (e.access_flags & mf::WRITE) ? "write"
                                                        : "read";
    const bool ram = vm_.guest_mem().find(e.addr) != nullptr;
    finish(VmEnd::GuestError, kGuestErrorStatus,
           fmt::format("vCPU {} at pc {:#x}: nested page fault: {} at guest-physical address {:#x} ({})", v,
                       vm_.vcpu(v).arch().last_trap().elr, access, e.addr,
                       ram ? "guest RAM without that permission, or an access the VMM cannot emulate"
                           : "no guest RAM or device there"));
}

} // namespace hvemu::emu::vmm
