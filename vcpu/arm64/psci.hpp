// PSCI (Arm DEN0022) function identifiers and return codes: served by the
// Arm vCPU over HVC and trapped SMC, and by the aarch64-virt machine's
// firmware over SMC.
#pragma once
#include <cstdint>

namespace hvemu::psci {

// Function identifiers: SMC32 (0x8400_00xx) and SMC64 (0xC400_00xx)
// calling conventions; the low five bits name the function.
constexpr uint64_t kBase32 = 0x84000000, kBase64 = 0xC4000000, kFunctionMask = 0x1f;
constexpr uint64_t kVersion = 0x84000000;
constexpr uint64_t kCpuSuspend32 = 0x84000001, kCpuSuspend64 = 0xC4000001;
constexpr uint64_t kCpuOff = 0x84000002;
constexpr uint64_t kCpuOn32 = 0x84000003, kCpuOn64 = 0xC4000003;
constexpr uint64_t kAffinityInfo32 = 0x84000004, kAffinityInfo64 = 0xC4000004;
constexpr uint64_t kMigrate32 = 0x84000005, kMigrate64 = 0xC4000005;
constexpr uint64_t kMigrateInfoType = 0x84000006;
constexpr uint64_t kMigrateInfoUpCpu32 = 0x84000007, kMigrateInfoUpCpu64 = 0xC4000007;
constexpr uint64_t kSystemOff = 0x84000008;
constexpr uint64_t kSystemReset = 0x84000009;
constexpr uint64_t kFeatures = 0x8400000A;

// A function id in either PSCI range (the value in W0/X0).
inline bool is_psci(uint64_t fid) {
    const uint64_t base = fid & ~kFunctionMask;
    return base == kBase32 || base == kBase64;
}
inline bool is_smc64(uint64_t fid) { return (fid & ~kFunctionMask) == kBase64; }

// Return codes.
constexpr int64_t kSuccess = 0, kNotSupported = -1, kInvalidParameters = -2, kDenied = -3, kAlreadyOn = -4;
constexpr int64_t kOnPending = -5, kInternalFailure = -6, kNotPresent = -7, kDisabled = -8, kInvalidAddress = -9;

// AFFINITY_INFO answers.
constexpr int64_t kAffinityOn = 0, kAffinityOff = 1, kAffinityOnPending = 2;

constexpr uint64_t kVersion1_1 = 0x00010001;     // PSCI_VERSION: major 1, minor 1
constexpr int64_t kMigrateNotRequired = 2;       // MIGRATE_INFO_TYPE: no Trusted OS to migrate
constexpr uint64_t kMpidrAffinityMask = 0xff00ffffffull;   // Aff3, Aff2, Aff1, Aff0 of an MPIDR

// SMCCC: the answer to a function nobody implements.
constexpr int64_t kSmcccNotSupported = -1;

} // namespace hvemu::psci
