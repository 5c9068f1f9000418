// SBI numbers (RISC-V Supervisor Binary Interface specification v2.0):
// extension and function IDs the RISC-V vCPU serves, and error codes.
#pragma once
#include <cstdint>

namespace hvemu::vcpu::riscv::sbi {

// Error codes (sbiret.error, in a0).
constexpr int64_t SUCCESS = 0, ERR_FAILED = -1, ERR_NOT_SUPPORTED = -2, ERR_INVALID_PARAM = -3;
constexpr int64_t ERR_DENIED = -4, ERR_INVALID_ADDRESS = -5, ERR_ALREADY_AVAILABLE = -6;
constexpr int64_t ERR_ALREADY_STARTED = -7, ERR_ALREADY_STOPPED = -8;

// Extension IDs (a7). Legacy (v0.1) extensions are 0x00..0x0F.
namespace eid {
constexpr uint32_t LEGACY_SET_TIMER = 0x00, LEGACY_PUTCHAR = 0x01, LEGACY_GETCHAR = 0x02;
constexpr uint32_t LEGACY_CLEAR_IPI = 0x03, LEGACY_SEND_IPI = 0x04, LEGACY_REMOTE_FENCE_I = 0x05;
constexpr uint32_t LEGACY_REMOTE_SFENCE_VMA = 0x06, LEGACY_REMOTE_SFENCE_VMA_ASID = 0x07;
constexpr uint32_t LEGACY_SHUTDOWN = 0x08;
constexpr uint32_t BASE = 0x10;
constexpr uint32_t TIME = 0x54494D45;    // "TIME"
constexpr uint32_t IPI = 0x735049;       // "sPI"
constexpr uint32_t RFENCE = 0x52464E43;  // "RFNC"
constexpr uint32_t HSM = 0x48534D;       // "HSM"
constexpr uint32_t SRST = 0x53525354;    // "SRST"
constexpr uint32_t DBCN = 0x4442434E;    // "DBCN"
constexpr uint32_t HYPERCALL = 0x485643; // "HVC": Axvisor's hypercall extension
} // namespace eid

namespace base_fid {
constexpr uint64_t GET_SPEC_VERSION = 0, GET_IMPL_ID = 1, GET_IMPL_VERSION = 2, PROBE_EXTENSION = 3;
constexpr uint64_t GET_MVENDORID = 4, GET_MARCHID = 5, GET_MIMPID = 6;
}
namespace rfence_fid {
constexpr uint64_t FENCE_I = 0, SFENCE_VMA = 1, SFENCE_VMA_ASID = 2;   // 3..6: HFENCE (nested): not supported
}
namespace hsm_fid {
constexpr uint64_t HART_START = 0, HART_STOP = 1, HART_GET_STATUS = 2, HART_SUSPEND = 3;
}
namespace dbcn_fid {
constexpr uint64_t WRITE = 0, READ = 1, WRITE_BYTE = 2;
}

// Spec version 2.0: major in bits 30:24, minor in 23:0.
constexpr uint64_t kSpecVersion = 2ull << 24;
// Implementation ID: hvemu is not in the specification's registry; this is
// "HVEM" in ASCII, well outside the registered range.
constexpr uint64_t kImplId = 0x4856454D;
constexpr uint64_t kImplVersion = 0x000001;   // 0.1 as major << 16 | minor

// HSM suspend types.
constexpr uint64_t SUSPEND_RETENTIVE = 0x00000000, SUSPEND_NON_RETENTIVE = 0x80000000;
// SRST reset types.
constexpr uint64_t RESET_SHUTDOWN = 0, RESET_COLD_REBOOT = 1, RESET_WARM_REBOOT = 2;

} // namespace hvemu::vcpu::riscv::sbi
