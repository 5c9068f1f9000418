// The device tree of the aarch64-virt machine, laid out as QEMU's
// `-machine virt,virtualization=on` describes itself: cpus (PSCI over SMC),
// memory, the architected timer, the GICv3, the PL011 and chosen.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvemu::emu {

struct Aarch64VirtFdtConfig {
    std::vector<uint64_t> mpidrs{0};
    uint64_t ram_base = 0, ram_size = 0;
    uint64_t gicd_base = 0, gicd_size = 0, gicr_base = 0, gicr_size = 0;
    uint64_t uart_base = 0, uart_size = 0;
    uint32_t uart_spi = 1;
    std::string psci_method = "smc";
    std::string bootargs;
};

std::vector<uint8_t> build_aarch64_virt_fdt(const Aarch64VirtFdtConfig& cfg);

} // namespace hvemu::emu
