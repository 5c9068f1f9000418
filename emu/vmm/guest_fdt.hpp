// The device tree a VM's guest finds in a1 at entry: its memory, its harts
// (riscv,isa without H, mmu-type), the timebase, and the devices the VMM
// emulates, laid out as QEMU's virt board lays them out (the UART as
// ns16550a, the PLIC with context 2h / 2h+1 = hart h's M / S external
// interrupt), plus /chosen stdout-path and bootargs.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hvemu::emu::vmm {

struct GuestFdtConfig {
    unsigned num_harts = 1;
    std::vector<std::pair<uint64_t, uint64_t>> memory;   // (base, size) per RAM region
    std::string isa = "rv64imafdc_zicsr_zifencei_zicntr_sstc";
    std::string mmu_type = "riscv,sv48";
    uint32_t timebase_hz = 10'000'000;
    uint64_t uart_base = 0, uart_size = 0;
    uint32_t uart_irq = 0, uart_clock_hz = 3'686'400;
    bool have_plic = true;
    uint64_t plic_base = 0, plic_size = 0;
    uint32_t plic_ndev = 0;
    std::string bootargs;
};

std::vector<uint8_t> build_guest_fdt(const GuestFdtConfig& cfg);

} // namespace hvemu::emu::vmm
