// The hosted VM-exit round trip benchmark: one guest per architecture that
// loops on a hypercall, and the loop a VMM would run against it. The
// harness (vmexit_roundtrip.cpp) times any Guest; each architecture's file
// (vmexit_<arch>.cpp) builds its memory, physical CPU and vCPU.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <variant>

#include "vcpu/exit_reason.hpp"
#include "vcpu/vcpu.hpp"

namespace hvemu::bench {

// The hypercall number every guest passes (a6 / x0 / RAX).
constexpr uint64_t kHypercallNr = 7;

// A bound vCPU whose guest does nothing but the hypercall in a loop.
class Guest {
public:
    virtual ~Guest() = default;
    // `n` round trips; false (with a message) when an exit is not the hypercall.
    virtual bool round_trips(uint64_t n) = 0;
};

// The VMM's side of `n` round trips: run, expect exit::Hypercall{kHypercallNr},
// complete it with return value 0, as a handler that serves it at once.
template <class A> bool hypercall_loop(vcpu::VCpu<A>& v, uint64_t n) {
    for (uint64_t k = 0; k < n; ++k) {
        vcpu::Result<vcpu::ExitReason> r = v.run();
        if (!r) {
            std::fprintf(stderr, "vmexit_roundtrip: run failed: %s\n", r.error().message.c_str());
            return false;
        }
        const auto* hc = std::get_if<vcpu::exit::Hypercall>(&r.value());
        if (!hc || hc->nr != kHypercallNr) {
            std::fprintf(stderr, "vmexit_roundtrip: unexpected exit %s\n", vcpu::describe(r.value()).c_str());
            return false;
        }
        v.set_return_value(0);
    }
    return true;
}

// Each returns a bound guest ready to loop, or null (with a message).
std::unique_ptr<Guest> make_riscv64_guest();   // ecall (SBI hypercall extension); j back
std::unique_ptr<Guest> make_arm64_guest();     // mov x0, #nr; hvc #0; b back (EL1)
std::unique_ptr<Guest> make_x86_64_guest();    // mov ax, nr; vmcall; jmp back (real mode)

} // namespace hvemu::bench
