// hvemu's own hypercalls, one service under each architecture's calling
// convention.
//
// RISC-V: Axvisor's hypercall extension (SBI EID 0x485643 "HVC", nr = a6,
// arguments a0..a5); results follow the SBI convention, a0 = error,
// a1 = value.
//   HVEMU_HC_PRINT  a0 = guest-physical address, a1 = length (at most 4096):
//                   the bytes go to the VM's console. a0 = 0, a1 = length;
//                   a0 = SBI_ERR_INVALID_ADDRESS when the buffer is not
//                   guest RAM, SBI_ERR_INVALID_PARAM when it is too long.
//   HVEMU_HC_EXIT   a0 = status: the VM ends at once; hvemu exits with
//                   status & 0xff (1 when that is 0 but the status is not).
//   Every other number is answered SBI_ERR_NOT_SUPPORTED (-2): the VMM has
//   none of Axvisor's own hypercalls (VM control, IVC).
//
// Arm: HVC with an SMCCC function id in the vendor-specific hypervisor
// service range (x0 = 0xc600_0000 + n, arguments x1..x6); results in x0
// (SMCCC status) and x1.
//   ARM_HC_PRINT    x1 = guest-physical address, x2 = length (at most
//                   4096): x0 = 0, x1 = length; x0 = -3 (INVALID_PARAMETER)
//                   for a buffer outside guest RAM or too long.
//   ARM_HC_EXIT     x1 = status, as HVEMU_HC_EXIT.
//   Every other non-PSCI HVC: x0 = -1 (SMCCC NOT_SUPPORTED).
#pragma once
#include <cstdint>

namespace hvemu::emu::vmm::hypercall {

constexpr uint64_t HVEMU_HC_PRINT = 0x68760001;   // "hv" 0001
constexpr uint64_t HVEMU_HC_EXIT = 0x68760002;
constexpr uint64_t ARM_HC_PRINT = 0xc6000001;     // SMCCC: fast call, SMC64, vendor hypervisor service, function 1
constexpr uint64_t ARM_HC_EXIT = 0xc6000002;
constexpr uint64_t kPrintMax = 4096;

constexpr int64_t kSmcccNotSupported = -1, kSmcccInvalidParameter = -3;

} // namespace hvemu::emu::vmm::hypercall
