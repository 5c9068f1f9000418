// The device tree of the riscv64-virt machine, laid out as QEMU's virt
// board describes itself so that firmware and kernels built for QEMU find
// the same nodes (cpus, memory, soc/{serial,clint,plic,test}, chosen).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hvemu::emu {

struct RiscvVirtFdtConfig {
    unsigned num_harts = 1;
    uint64_t ram_base = 0, ram_size = 0;
    std::string isa = "rv64imafdch_zicsr_zifencei_zicntr_sstc";
    std::string mmu_type = "riscv,sv48";
    uint32_t timebase_hz = 10'000'000;
    uint64_t uart_base = 0, uart_size = 0;
    uint32_t uart_irq = 0, uart_clock_hz = 3'686'400;
    uint64_t clint_base = 0, clint_size = 0;
    uint64_t plic_base = 0, plic_size = 0;
    uint32_t plic_ndev = 0;
    uint64_t test_base = 0, test_size = 0;
    std::string bootargs;   // /chosen/bootargs when not empty
};

// The flattened blob (totalsize bytes).
std::vector<uint8_t> build_riscv_virt_fdt(const RiscvVirtFdtConfig& cfg);

} // namespace hvemu::emu
