// Device-tree nodes that every RISC-V platform of hvemu describes the same
// way (the full-system riscv64-virt board and the hosted VMs): /cpus with
// their interrupt controllers, the ns16550a UART and the PLIC, laid out as
// QEMU's virt board lays them out.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "emu/fdt/fdt_nodes.hpp"
#include "emu/fdt/fdt_writer.hpp"

namespace hvemu::emu {

// Local interrupt numbers of the cpu-intc (mip bits).
constexpr uint32_t kFdtIrqMsi = 3, kFdtIrqMti = 7, kFdtIrqSei = 9, kFdtIrqMei = 11;

struct FdtCpus {
    std::vector<uint32_t> cpu;    // phandle of cpu@N
    std::vector<uint32_t> intc;   // phandle of cpu@N/interrupt-controller
};
struct FdtCpuConfig {
    unsigned num_harts = 1;
    uint32_t timebase_hz = 10'000'000;
    std::string isa;
    std::string mmu_type;
    bool cpu_map = false;         // /cpus/cpu-map/cluster0/coreN as QEMU writes it
};
FdtCpus fdt_add_cpus(FdtWriter& w, const FdtCpuConfig& cfg);

// The UART; irq 0 means no interrupt wiring.
void fdt_add_ns16550(FdtWriter& w, const std::string& node, uint64_t base, uint64_t size, uint32_t clock_hz,
                     uint32_t irq = 0, uint32_t plic_phandle = 0);
// The PLIC with contexts 2N (M-external) and 2N+1 (S-external) per hart.
void fdt_add_plic(FdtWriter& w, uint32_t phandle, uint64_t base, uint64_t size, uint32_t ndev,
                  const std::vector<uint32_t>& intc);

} // namespace hvemu::emu
