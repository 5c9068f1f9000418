// What the three hosted VMs (RiscvVm, ArmVm, X86Vm) share while they are
// built and torn down: the configuration check, the translation of the
// builders' errors into ConfigError (what `hvemu run` reports as a bad
// configuration), and handing the physical CPUs back on destruction.
#pragma once
#include <memory>
#include <stdexcept>
#include <vector>

#include "emu/machine/riscv64_virt.hpp"   // ConfigError
#include "emu/vmm/frame_allocator.hpp"
#include "emu/vmm/gstage_builder.hpp"     // MappingError
#include "emu/vmm/vm_config.hpp"

namespace hvemu::emu::vmm {

// The configuration, validated, when it is one for `arch`.
inline const VmConfig& checked_config(const VmConfig& cfg, GuestArch arch, const char* needs) {
    if (cfg.arch != arch) throw ConfigError(needs);
    validate(cfg);
    return cfg;
}

// Runs f; a region or device the configuration places badly (overlaps,
// misalignment, no frames left for the tables) becomes a ConfigError.
template <class F> void as_config_error(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        throw ConfigError(e.what());
    } catch (const MappingError& e) {
        throw ConfigError(e.what());
    } catch (const OutOfFrames& e) {
        throw ConfigError(e.what());
    }
}

// vCPUs bound to a physical CPU give it back before the CPUs go away (each
// unbind runs with its CPU current, as a VMM thread on that CPU would).
template <class PCpu, class VCpuT>
void unbind_all(std::vector<std::unique_ptr<PCpu>>& pcpus, std::vector<std::unique_ptr<VCpuT>>& vcpus) {
    for (auto& p : pcpus) {
        p->make_current();
        for (auto& v : vcpus)
            if (v->arch().bound_cpu() == p.get()) (void)v->unbind();
    }
    PCpu::clear_current();
}

} // namespace hvemu::emu::vmm
