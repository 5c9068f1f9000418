// hvemu's own hypercalls, on Axvisor's hypercall extension (SBI EID
// 0x485643 "HVC", nr = a6, arguments a0..a5). Results follow the SBI
// convention: a0 = error, a1 = value.
//
//   HVEMU_HC_PRINT  a0 = guest-physical address, a1 = length (at most 4096):
//                   the bytes go to the VM's console. a0 = 0, a1 = length;
//                   a0 = SBI_ERR_INVALID_ADDRESS when the buffer is not
//                   guest RAM, SBI_ERR_INVALID_PARAM when it is too long.
//   HVEMU_HC_EXIT   a0 = status: the VM ends at once; hvemu exits with
//                   status & 0xff (1 when that is 0 but the status is not).
//
// Every other number is answered SBI_ERR_NOT_SUPPORTED (-2): the VMM has
// none of Axvisor's own hypercalls (VM control, IVC).
#pragma once
#include <cstdint>

namespace hvemu::emu::vmm::hypercall {

constexpr uint64_t HVEMU_HC_PRINT = 0x68760001;   // "hv" 0001
constexpr uint64_t HVEMU_HC_EXIT = 0x68760002;
constexpr uint64_t kPrintMax = 4096;

} // namespace hvemu::emu::vmm::hypercall
