// The ArchVCpu concept: a C++ rendering of Axvisor's AxArchVCpu trait. One
// implementation per architecture (vcpu/riscv, later vcpu/arm64, vcpu/x86)
// programs the hardware model exactly as the Rust crate programs hardware.
//
// Call order (VCpu<A> enforces it): create -> set_entry -> set_ept_root ->
// setup -> bind -> run* -> unbind. set_entry may be called again later
// (CpuUp restarts a stopped vCPU at a new entry). set_gpr, inject_interrupt
// and set_return_value may be called in any state; an interrupt injected
// while the vCPU is not running is queued and delivered at the next entry.
#pragma once
#include <concepts>
#include <cstdint>

#include "vcpu/exit_reason.hpp"
#include "vcpu/result.hpp"

namespace hvemu::vcpu {

using VmId = uint64_t;
using VCpuId = uint64_t;

template <class A>
concept ArchVCpu = requires(A a, const typename A::CreateConfig& cc, const typename A::SetupConfig& sc,
                            uint64_t value, unsigned reg) {
    typename A::CreateConfig;
    typename A::SetupConfig;
    { A::create(VmId{}, VCpuId{}, cc) } -> std::same_as<Result<A>>;
    { a.set_entry(value) } -> std::same_as<Result<void>>;      // guest physical address
    { a.set_ept_root(value) } -> std::same_as<Result<void>>;   // host physical address of the stage-2 root
    { a.setup(sc) } -> std::same_as<Result<void>>;
    { a.bind() } -> std::same_as<Result<void>>;
    { a.unbind() } -> std::same_as<Result<void>>;
    { a.run() } -> std::same_as<Result<ExitReason>>;
    { a.set_gpr(reg, value) } -> std::same_as<void>;            // architectural register number
    { a.inject_interrupt(value) } -> std::same_as<Result<void>>;
    { a.set_return_value(value) } -> std::same_as<void>;        // a0 / x0 / rax
};

} // namespace hvemu::vcpu
