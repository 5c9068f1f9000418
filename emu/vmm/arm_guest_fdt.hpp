// The device tree an Arm VM's guest finds in x0 at entry, laid out as
// QEMU's aarch64 virt board describes itself without EL2: cpus with PSCI
// over HVC, memory, the architected timer, the GICv3 (no maintenance
// interrupt: the guest has no EL2), the PL011 and /chosen.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hvemu::emu::vmm {

struct ArmGuestFdtConfig {
    std::vector<uint64_t> mpidrs{0};
    std::vector<std::pair<uint64_t, uint64_t>> memory;   // (base, size) per RAM region
    uint64_t gicd_base = 0, gicd_size = 0, gicr_base = 0, gicr_size = 0;
    uint64_t uart_base = 0, uart_size = 0;
    uint32_t uart_spi = 1;
    std::string bootargs;
};

std::vector<uint8_t> build_arm_guest_fdt(const ArmGuestFdtConfig& cfg);

} // namespace hvemu::emu::vmm
