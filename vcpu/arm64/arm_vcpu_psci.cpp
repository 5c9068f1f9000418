// HVC (EC 0x16) and trapped SMC (EC 0x17, HCR_EL2.TSC): PSCI served here,
// other HVCs handed to the VMM as hypercalls.
//
// HVC: ELR_EL2 already points past the HVC; SMC: ELR_EL2 is the SMC
// itself, so the pc moves on by 4 first. Then, by the function id in W0:
//   VERSION                 x0 = 1.1; Nothing
//   FEATURES(fid)           x0 = 0 for the functions below, NOT_SUPPORTED otherwise; Nothing
//   CPU_SUSPEND             served as a standby (as WFI): Halt, resumes after the call with x0 = 0
//   CPU_OFF                 CpuDown{0} (the call has no argument)
//   CPU_ON(mpidr, entry,    CpuUp{mpidr (affinity bits), entry, context}, x0 = SUCCESS; the VMM
//          context)         overwrites x0 with ALREADY_ON/INVALID_PARAMETERS/... and starts the
//                           target with set_entry(entry), set_gpr(0, context)
//   AFFINITY_INFO(mpidr, 0) PsciHost::affinity_info; without it ON for this vCPU, INVALID_PARAMETERS
//                           otherwise; levels other than 0: INVALID_PARAMETERS; Nothing
//   MIGRATE_INFO_TYPE       x0 = 2 (no Trusted OS); Nothing
//   SYSTEM_OFF              SystemDown, last_system_event() = Off
//   SYSTEM_RESET            SystemDown, last_system_event() = Reset (the VMM decides what a reset is)
//   other PSCI functions    x0 = NOT_SUPPORTED; Nothing
// Outside the PSCI range an HVC is Hypercall{nr = x0, args = x1..x6} (the
// VMM sets x0), and an SMC answers SMCCC NOT_SUPPORTED (no secure firmware).
// SMC32 functions take 32-bit arguments (the upper halves are ignored).
#include "vcpu/arm64/arm_vcpu.hpp"
#include "vcpu/arm64/psci.hpp"

namespace hvemu::vcpu::arm64 {

namespace {
bool served(uint64_t fid) {
    switch (fid) {
    case psci::kVersion: case psci::kFeatures: case psci::kCpuSuspend32: case psci::kCpuSuspend64:
    case psci::kCpuOff: case psci::kCpuOn32: case psci::kCpuOn64: case psci::kAffinityInfo32:
    case psci::kAffinityInfo64: case psci::kMigrateInfoType: case psci::kSystemOff: case psci::kSystemReset:
        return true;
    default: return false;
    }
}
} // namespace

Result<ExitReason> ArmVCpu::handle_hvc() {
    const uint64_t* x = pe().x;   // run() only: the vCPU is bound
    const uint64_t x0 = x[0];
    if (psci::is_psci(x0 & 0xffffffffu)) return handle_psci(x0 & 0xffffffffu);
    return ExitReason{exit::Hypercall{x0, {x[1], x[2], x[3], x[4], x[5], x[6]}}};
}

Result<ExitReason> ArmVCpu::handle_smc() {
    ctx_.pc += 4;
    const uint64_t fid = gpr(0) & 0xffffffffu;
    if (psci::is_psci(fid)) return handle_psci(fid);
    set_x0(psci::kSmcccNotSupported);
    return ExitReason{exit::Nothing{}};
}

Result<ExitReason> ArmVCpu::handle_psci(uint64_t fid) {
    const bool smc64 = psci::is_smc64(fid);
    auto arg = [&](unsigned r) { return smc64 ? gpr(r) : gpr(r) & 0xffffffffu; };
    switch (fid) {
    case psci::kVersion: set_x0(static_cast<int64_t>(psci::kVersion1_1)); break;
    case psci::kFeatures: set_x0(served(arg(1) & 0xffffffffu) ? psci::kSuccess : psci::kNotSupported); break;
    case psci::kCpuSuspend32:
    case psci::kCpuSuspend64:
        set_x0(psci::kSuccess);
        return ExitReason{exit::Halt{}};
    case psci::kCpuOff: return ExitReason{exit::CpuDown{0}};
    case psci::kCpuOn32:
    case psci::kCpuOn64:
        set_x0(psci::kSuccess);
        return ExitReason{exit::CpuUp{arg(1) & psci::kMpidrAffinityMask, arg(2), arg(3)}};
    case psci::kAffinityInfo32:
    case psci::kAffinityInfo64: {
        const uint64_t target = arg(1) & psci::kMpidrAffinityMask;
        if (arg(2) != 0) set_x0(psci::kInvalidParameters);
        else if (psci_.affinity_info) set_x0(psci_.affinity_info(target));
        else set_x0(target == mpidr_ ? psci::kAffinityOn : psci::kInvalidParameters);
        break;
    }
    case psci::kMigrateInfoType: set_x0(psci::kMigrateNotRequired); break;
    case psci::kSystemOff:
        system_event_ = SystemEvent::Off;
        return ExitReason{exit::SystemDown{}};
    case psci::kSystemReset:
        system_event_ = SystemEvent::Reset;
        return ExitReason{exit::SystemDown{}};
    default: set_x0(psci::kNotSupported); break;
    }
    return ExitReason{exit::Nothing{}};
}

} // namespace hvemu::vcpu::arm64
