// Axvisor's VM configuration files (the TOML of axvmconfig, as in
// axvisor/configs/vms/*.toml), read into a VmConfig:
//   [base]    id, name, vm_type, cpu_num, phys_cpu_ids | phys_cpu_sets
//   [kernel]  entry_point, image_location, kernel_path, kernel_load_addr,
//             dtb_path, dtb_load_addr, cmdline,
//             memory_regions = [[gpa, size, flags, map_type], ...]
//   [devices] emu_devices = [[name, gpa, length, irq, type, [cfg...]], ...],
//             interrupt_mode, passthrough_devices, passthrough_addresses,
//             excluded_devices
// Rows may also be written as inline tables with axvmconfig's field names
// ({gpa = ..., size = ..., flags = ..., map_type = ...}).
//
// What hvemu does with them:
//  - The architecture: [base] arch = "riscv64" | "aarch64" | "x86_64"
//    (hvemu's key; Axvisor builds per architecture), else the kernel's ELF
//    header, else riscv64. `hvemu run --arch` overrides it.
//  - Arm VMs have QEMU virt's devices at fixed places (arm_vm.hpp):
//    emu_devices naming the GICv3 distributor (0x21) or redistributors
//    (0x20) or a console (0x2) at those places are honoured, anything else
//    is reported; phys_cpu_ids are the physical CPUs' MPIDRs, and vCPU i
//    shows phys_cpu_ids[i] as its MPIDR (as Axvisor's vCPUs do).
//  - RISC-V: emu_devices of type 0x2 (console) place the 16550 UART (irq = its PLIC
//    source); type 0x1 (interrupt controller) and 0x30 (Axvisor's vPLIC,
//    cfg [contexts]) place the PLIC. The UART at 0x10000000 and the PLIC at
//    0x0c000000 are there by default (QEMU virt) unless the file moves them.
//  - Pass-through devices and addresses have no host device to reach in
//    a hosted VM: each entry is reported (the UART and PLIC ranges are
//    served by the emulated devices).
//  - phys_cpu_ids / phys_cpu_sets give the number of physical CPUs (the
//    distinct CPUs named); the per-vCPU affinity itself is reported as not
//    honoured when it differs from hvemu's placement.
//  - Relative file paths are relative to the config file's directory.
//  - Keys hvemu does not know or does not support (bios_*, ramdisk_*,
//    disk_path, other device types, unknown keys) are reported as warnings,
//    never silently dropped. Malformed files, wrong types and out-of-range
//    values are errors (ConfigError) naming file, line and key.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "emu/vmm/vm_config.hpp"

namespace hvemu::emu::config {

struct AxvisorConfig {
    vmm::VmConfig vm;
    std::vector<std::string> warnings;   // "file:line: [table] key: what is not supported"
};

// `name` is used in messages; `base_dir` resolves relative paths.
AxvisorConfig parse_axvisor_config(std::string_view text, const std::string& name, const std::string& base_dir);
AxvisorConfig load_axvisor_config(const std::string& path);

} // namespace hvemu::emu::config
