// What a VM is made of: its architecture, vCPUs, guest RAM regions, the
// kernel and device tree, the emulated devices. Filled from the command
// line or from an Axvisor VM config file (emu/config), checked by
// validate(). The device fields (UART, PLIC, G-stage) are RISC-V's; an Arm
// VM has QEMU virt's fixed layout (arm_vm.hpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emu/vmm/gstage_builder.hpp"
#include "isa/common/cycle_model.hpp"
#include "vcpu/exit_reason.hpp"

namespace hvemu::emu::vmm {

// Axvisor's VmMemMappingType. Alloc: RAM the VMM allocates anywhere in host
// memory. Identical / Reserved: host RAM at the same address as the guest
// sees (GPA == HPA).
enum class MapType : uint8_t { Alloc = 0, Identical = 1, Reserved = 2 };

struct MemoryRegionConfig {
    uint64_t gpa = 0;
    uint64_t size = 0;
    vcpu::MappingFlags flags = vcpu::mapping::READ | vcpu::mapping::WRITE | vcpu::mapping::EXECUTE;
    MapType map = MapType::Alloc;
};

enum class GuestArch : uint8_t { Riscv64, Aarch64, X86_64 };

struct VmConfig {
    static constexpr unsigned kMaxVCpus = 64;
    static constexpr uint64_t kDefaultRamBase = 0x80000000;          // QEMU virt (riscv64)
    static constexpr uint64_t kDefaultArmRamBase = 0x40000000;       // QEMU virt (aarch64)
    static constexpr uint64_t kDefaultX86RamBase = 0;                // a PC's RAM starts at 0

    GuestArch arch = GuestArch::Riscv64;

    uint64_t id = 1;                 // the VMID in hgatp (Arm: VTTBR_EL2, 8 bits)
    std::string name = "vm";
    unsigned cpu_num = 1;            // vCPUs; vCPU i has hartid i
    unsigned phys_cpus = 0;          // physical CPUs of the emulated host (0: one per vCPU)
    // Arm: vCPU i's MPIDR affinity (Aff3 in bits 39:32, Aff2-Aff0 in 23:0),
    // one per vCPU, distinct; empty: QEMU virt's (Aff1 = i / 16, Aff0 = i % 16).
    std::vector<uint64_t> mpidrs;

    std::vector<MemoryRegionConfig> memory;   // empty: ram_size at the architecture's default base
    uint64_t ram_size = uint64_t{128} << 20;

    std::string kernel_path;                  // ELF, or a raw image at kernel_load_addr
    std::optional<uint64_t> kernel_load_addr; // raw images (default: the lowest RAM + 2 MiB)
    std::optional<uint64_t> entry_point;      // default: ELF entry / raw load address
    std::string dtb_path;                     // empty: hvemu builds the device tree
    std::optional<uint64_t> dtb_load_addr;    // default: high in the first RAM region, 2 MiB aligned
    std::string bootargs;

    uint64_t uart_base = 0x10000000;          // 16550, QEMU virt
    uint32_t uart_irq = 10;
    bool plic = true;
    uint64_t plic_base = 0x0c000000;
    uint64_t plic_size = 0x600000;

    GStageMode gstage = GStageMode::Sv39x4;
    isa::Clocking clock{};
    // false: the host's harts leave htinst = 0 on guest-page faults (as QEMU
    // 7.2 does), so the vCPU decodes MMIO by fetching the instruction.
    bool hart_writes_tinst = true;
    bool hart_jit = true;                     // the host's RISC-V harts compile hot blocks

    // The RAM regions in effect (memory, or the default region).
    std::vector<MemoryRegionConfig> effective_memory() const;
    uint64_t default_ram_base() const {
        return arch == GuestArch::Aarch64 ? kDefaultArmRamBase : arch == GuestArch::X86_64 ? kDefaultX86RamBase : kDefaultRamBase;
    }
    unsigned effective_phys_cpus() const { return phys_cpus ? phys_cpus : cpu_num; }
};

// Throws ConfigError (emu/machine/riscv64_virt.hpp) naming the first problem.
void validate(const VmConfig& cfg);

} // namespace hvemu::emu::vmm
