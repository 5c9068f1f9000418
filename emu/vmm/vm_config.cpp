#include "emu/vmm/vm_config.hpp"

#include <fmt/format.h>

#include "emu/machine/riscv64_virt.hpp"

namespace hvemu::emu::vmm {

namespace {
constexpr uint64_t kMpidrAffinity = 0xff'00ff'ffffull;   // Aff3 (39:32), Aff2-Aff0 (23:0)
} // namespace

std::vector<MemoryRegionConfig> VmConfig::effective_memory() const {
    if (!memory.empty()) return memory;
    return {MemoryRegionConfig{default_ram_base(), ram_size}};
}

void validate(const VmConfig& cfg) {
    if (cfg.cpu_num < 1 || cfg.cpu_num > VmConfig::kMaxVCpus)
        throw ConfigError(fmt::format("a VM has 1 to {} vCPUs, not {}", VmConfig::kMaxVCpus, cfg.cpu_num));
    if (cfg.phys_cpus > cfg.cpu_num)
        throw ConfigError(fmt::format("{} physical CPUs for {} vCPUs: at most one per vCPU", cfg.phys_cpus, cfg.cpu_num));
    if (cfg.arch == GuestArch::Riscv64 && cfg.id > 0x3FFF)
        throw ConfigError(fmt::format("VM id {} does not fit the 14-bit VMID of hgatp", cfg.id));
    if (cfg.arch == GuestArch::Aarch64 && cfg.id > 0xFF)
        throw ConfigError(fmt::format("VM id {} does not fit the 8-bit VMID of VTTBR_EL2", cfg.id));
    if (!cfg.mpidrs.empty()) {
        if (cfg.arch != GuestArch::Aarch64) throw ConfigError("MPIDR affinities are for Arm VMs");
        if (cfg.mpidrs.size() != cfg.cpu_num)
            throw ConfigError(fmt::format("{} MPIDR affinities for {} vCPUs", cfg.mpidrs.size(), cfg.cpu_num));
        for (size_t i = 0; i < cfg.mpidrs.size(); i++) {
            if (cfg.mpidrs[i] & ~kMpidrAffinity)
                throw ConfigError(fmt::format("MPIDR {:#x} of vCPU {} has bits outside Aff3-Aff0", cfg.mpidrs[i], i));
            for (size_t j = 0; j < i; j++)
                if (cfg.mpidrs[j] == cfg.mpidrs[i])
                    throw ConfigError(fmt::format("vCPUs {} and {} have the same MPIDR {:#x}", j, i, cfg.mpidrs[i]));
        }
    }
    const auto mem = cfg.effective_memory();
    uint64_t total = 0;
    for (const MemoryRegionConfig& r : mem) {
        if (r.size == 0) throw ConfigError(fmt::format("memory region at {:#x} has size 0", r.gpa));
        if ((r.gpa | r.size) & 0xfff)
            throw ConfigError(fmt::format("memory region [{:#x}, +{:#x}) is not 4 KiB aligned", r.gpa, r.size));
        if (r.gpa + r.size < r.gpa) throw ConfigError(fmt::format("memory region at {:#x} wraps around", r.gpa));
        total += r.size;
        if (total > (uint64_t{64} << 30)) throw ConfigError("more than 64 GiB of guest RAM");
    }
    if (cfg.kernel_path.empty()) throw ConfigError("no kernel image given");
}

} // namespace hvemu::emu::vmm
