// ExitReason: why VCpu::run() returned, one struct per exit, field for field
// as Axvisor's AxVCpuExitReason.
//
// Who advances the guest PC before run() returns (the contract every
// architecture implements and the tests check):
//   exit              RISC-V                 AArch64                x86
//   Hypercall         SBI ecall: +4          HVC: already past      VMCALL: +length
//   MmioRead/Write    +2/+4 (insn length)    +2/+4 (ESR.IL)         +length
//   SysRegRead/Write  (never produced)       +4                     RDMSR/WRMSR: +2
//   IoRead/IoWrite    (never produced)       (never produced)       +length
//   CpuUp, CpuDown    SBI ecall: +4          HVC/SMC: past          -
//   SendIpi           SBI ecall: +4          MSR: +4                -
//   SystemDown        SBI ecall: +4          HVC/SMC: past          +length
//   Halt              HSM suspend, WFI: +4   WFI/WFE: +4            HLT: +1
//   NestedPageFault, ExternalInterrupt, FailEntry: not advanced
//   Nothing: whatever the vCPU handled itself is complete (an SBI call it
//            served: +4; a trap reflected into the guest: pc = vstvec)
// So a VMM completes an exit (set_gpr / set_return_value) and calls run()
// again without touching the PC.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <variant>

namespace hvemu::vcpu {

enum class AccessWidth : uint8_t { Byte = 1, Word = 2, Dword = 4, Qword = 8 };
inline unsigned bytes(AccessWidth w) { return static_cast<unsigned>(w); }
bool width_from_bytes(unsigned n, AccessWidth& out);

namespace mapping {
constexpr uint32_t READ = 1, WRITE = 2, EXECUTE = 4, USER = 8, DEVICE = 0x10, UNCACHED = 0x20;
}
using MappingFlags = uint32_t;

namespace exit {
struct Hypercall { uint64_t nr; std::array<uint64_t, 6> args; };
struct MmioRead { uint64_t addr; AccessWidth width; unsigned reg; AccessWidth reg_width; bool signed_ext; };
struct MmioWrite { uint64_t addr; AccessWidth width; uint64_t data; };
struct SysRegRead { uint64_t addr; unsigned reg; };
struct SysRegWrite { uint64_t addr; uint64_t value; };
struct IoRead { uint16_t port; AccessWidth width; };
struct IoWrite { uint16_t port; AccessWidth width; uint64_t data; };
struct ExternalInterrupt { uint64_t vector; };
struct NestedPageFault { uint64_t addr; MappingFlags access_flags; };
struct Halt {};
struct CpuUp { uint64_t target_cpu; uint64_t entry_point; uint64_t arg; };
struct CpuDown { uint64_t state; };
struct SystemDown {};
struct Nothing {};
struct FailEntry { uint64_t hardware_entry_failure_reason; };
struct SendIpi { uint64_t target_cpu; uint64_t target_cpu_aux; bool send_to_all; bool send_to_self; uint64_t vector; };
} // namespace exit

using ExitReason = std::variant<exit::Hypercall, exit::MmioRead, exit::MmioWrite, exit::SysRegRead, exit::SysRegWrite,
                                exit::IoRead, exit::IoWrite, exit::ExternalInterrupt, exit::NestedPageFault,
                                exit::Halt, exit::CpuUp, exit::CpuDown, exit::SystemDown, exit::Nothing,
                                exit::FailEntry, exit::SendIpi>;

// "MmioRead", "Hypercall", ...: the kind's name, for traces and statistics.
const char* exit_kind(const ExitReason& e);
// One line with every field, e.g. "MmioRead addr=0x10000005 width=1 reg=10 reg_width=8 signed=0".
std::string describe(const ExitReason& e);

} // namespace hvemu::vcpu
