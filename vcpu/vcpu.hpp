// VCpu<A>: an architecture vCPU wrapped in Axvisor's state machine
//   Created --setup--> Free --bind--> Ready --run--> Running --> Ready
//   Ready --unbind--> Free
// A call in the wrong state, or a call whose architecture part fails, moves
// the vCPU to Invalid and returns the error; an Invalid vCPU accepts nothing.
#pragma once
#include <optional>
#include <string>
#include <utility>

#include "vcpu/arch_vcpu.hpp"

namespace hvemu::vcpu {

enum class VCpuState : uint8_t { Invalid = 0, Created = 1, Free = 2, Ready = 3, Running = 4, Blocked = 5 };
const char* to_string(VCpuState s);

template <ArchVCpu A> class VCpu {
public:
    static Result<VCpu> create(VmId vm, VCpuId id, const typename A::CreateConfig& cfg,
                               std::optional<uint64_t> phys_cpu_set = std::nullopt) {
        Result<A> arch = A::create(vm, id, cfg);
        if (!arch) return arch.error();
        return VCpu(vm, id, phys_cpu_set, std::move(arch.value()));
    }

    VmId vm_id() const { return vm_; }
    VCpuId id() const { return id_; }
    bool is_bsp() const { return id_ == 0; }
    std::optional<uint64_t> phys_cpu_set() const { return phys_cpu_set_; }
    VCpuState state() const { return state_; }
    A& arch() { return arch_; }
    const A& arch() const { return arch_; }

    // set_entry, set_ept_root and setup, in that order.
    Result<void> setup(uint64_t entry, uint64_t ept_root, const typename A::SetupConfig& cfg) {
        return transition(VCpuState::Created, VCpuState::Free, "setup", [&]() -> Result<void> {
            if (auto r = arch_.set_entry(entry); !r) return r;
            if (auto r = arch_.set_ept_root(ept_root); !r) return r;
            return arch_.setup(cfg);
        });
    }
    Result<void> bind() { return transition(VCpuState::Free, VCpuState::Ready, "bind", [&] { return arch_.bind(); }); }
    Result<void> unbind() {
        return transition(VCpuState::Ready, VCpuState::Free, "unbind", [&] { return arch_.unbind(); });
    }
    Result<ExitReason> run() {
        if (state_ != VCpuState::Ready) return bad_state("run", VCpuState::Ready);
        state_ = VCpuState::Running;
        Result<ExitReason> r = arch_.run();
        state_ = r ? VCpuState::Ready : VCpuState::Invalid;
        return r;
    }

    // These bypass the state machine, as upstream.
    Result<void> set_entry(uint64_t entry) { return arch_.set_entry(entry); }
    void set_gpr(unsigned reg, uint64_t value) { arch_.set_gpr(reg, value); }
    Result<void> inject_interrupt(uint64_t vector) { return arch_.inject_interrupt(vector); }
    void set_return_value(uint64_t value) { arch_.set_return_value(value); }

private:
    VCpu(VmId vm, VCpuId id, std::optional<uint64_t> set, A&& arch)
        : vm_(vm), id_(id), phys_cpu_set_(set), arch_(std::move(arch)) {}

    Error bad_state(const char* call, VCpuState want) {
        Error e{ErrorKind::BadState, std::string(call) + " needs state " + to_string(want) + ", vCPU is " +
                                         to_string(state_)};
        state_ = VCpuState::Invalid;
        return e;
    }

    template <class F> Result<void> transition(VCpuState from, VCpuState to, const char* call, F&& f) {
        if (state_ != from) return bad_state(call, from);
        Result<void> r = f();
        state_ = r ? to : VCpuState::Invalid;
        return r;
    }

    VmId vm_;
    VCpuId id_;
    std::optional<uint64_t> phys_cpu_set_;
    VCpuState state_ = VCpuState::Created;
    A arch_;
};

} // namespace hvemu::vcpu
