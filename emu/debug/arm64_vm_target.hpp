// The GDB target for a hosted Arm VM (threads = vCPUs), with the register
// layout and target description of the full-system Arm target
// (arm64_gdb_target.hpp): x0-x30, sp, pc, cpsr, v0-v31, fpsr, fpcr and the
// virtualization feature. Registers are the guest's: pc and cpsr from the
// vCPU (its PSTATE in the SPSR layout), sp the guest's SP_EL0 / SP_EL1 as
// its PSTATE selects, the rest from the physical CPU the vCPU is bound to
// or from its saved context (read-only then). The virtualization feature
// shows the bound CPU's EL2 registers as the last exit left them.
// Memory by virtual address goes through the guest's stage 1 and stage 2
// (bound vCPUs only); "physical" addresses are guest-physical (guest RAM).
#pragma once
#include "emu/debug/gdb_target.hpp"
#include "emu/vmm/arm_vm.hpp"

namespace hvemu::emu::debug {

class ArmVmTarget final : public GdbTarget {
public:
    explicit ArmVmTarget(vmm::ArmVm& vm) : vm_(vm) {}

    std::string target_xml() const override;
    unsigned num_threads() const override { return vm_.num_vcpus(); }
    std::string thread_name(unsigned thread) const override;

    unsigned num_g_registers() const override;
    unsigned register_size(unsigned regno) const override;
    std::optional<uint64_t> read_register(unsigned thread, unsigned regno) override;
    bool write_register(unsigned thread, unsigned regno, uint64_t value) override;
    bool read_register_bytes(unsigned thread, unsigned regno, uint8_t* dst) override;
    bool write_register_bytes(unsigned thread, unsigned regno, const uint8_t* src) override;

    bool read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) override;
    bool write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) override;
    uint64_t pc(unsigned thread) override;
    std::optional<MemAccess> next_access(unsigned thread) override;
    bool watch_before_access() const override { return true; }
    // walk <va>: the guest's translation (stage 1, then stage 2).
    std::optional<std::string> monitor(unsigned thread, const std::string& cmd) override;

private:
    arm::Pe* live_pe(unsigned thread) const;
    uint64_t& guest_sp(unsigned thread);
    bool access(unsigned thread, uint64_t addr, uint8_t* buf, size_t len, bool physical, bool write);
    vmm::ArmVm& vm_;
};

} // namespace hvemu::emu::debug
