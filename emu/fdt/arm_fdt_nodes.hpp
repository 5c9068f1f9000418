// Device-tree nodes that every Arm platform of hvemu describes the same way
// (the full-system aarch64-virt board and the hosted Arm VMs), laid out as
// QEMU's virt board writes them: /cpus with PSCI enable-method, /psci, the
// architected timer, the GICv3 and the PL011 with its APB clock.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "emu/fdt/fdt_writer.hpp"

namespace hvemu::emu {

// GICv3 interrupt specifier cells: <type number flags>.
constexpr uint32_t kFdtGicSpi = 0, kFdtGicPpi = 1;
constexpr uint32_t kFdtIrqLevelHigh = 4;
// PPI numbers (INTID - 16) of the architected timer and the GIC maintenance
// interrupt, as QEMU's virt board wires them.
constexpr uint32_t kFdtPpiSecPhysTimer = 13, kFdtPpiPhysTimer = 14, kFdtPpiVirtTimer = 11,
                   kFdtPpiHypTimer = 10, kFdtPpiGicMaint = 9;

// cpu@N with reg = the MPIDR affinity bits, enable-method = "psci".
void fdt_add_arm_cpus(FdtWriter& w, const std::vector<uint64_t>& mpidrs, const std::string& compatible);
// /psci with the 0.2+ function ids; method "smc" or "hvc".
void fdt_add_psci(FdtWriter& w, const std::string& method);
void fdt_add_arm_timer(FdtWriter& w, uint32_t gic_phandle);
// intc@<dist> with one redistributor region.
void fdt_add_gicv3(FdtWriter& w, uint32_t phandle, uint64_t dist_base, uint64_t dist_size, uint64_t redist_base,
                   uint64_t redist_size, bool maintenance_irq);
// The 24 MHz APB clock the PL011 refers to.
void fdt_add_apb_clock(FdtWriter& w, uint32_t phandle);
void fdt_add_pl011(FdtWriter& w, const std::string& node, uint64_t base, uint64_t size, uint32_t spi,
                   uint32_t gic_phandle, uint32_t clock_phandle);

} // namespace hvemu::emu
