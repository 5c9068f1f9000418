#include "emu/vmm/guest_fdt.hpp"

#include <fmt/format.h>

#include "emu/fdt/fdt_writer.hpp"
#include "emu/fdt/riscv_fdt_nodes.hpp"

namespace hvemu::emu::vmm {

std::vector<uint8_t> build_guest_fdt(const GuestFdtConfig& cfg) {
    FdtWriter w;
    w.begin_node("");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_string("compatible", "hvemu,riscv-vm");
    w.prop_string("model", "hvemu RISC-V virtual machine");

    const std::string uart_node = fmt::format("serial@{:x}", cfg.uart_base);
    fdt_add_chosen(w, "/soc/" + uart_node, cfg.bootargs);
    for (const auto& [base, size] : cfg.memory) fdt_add_memory(w, base, size);
    const FdtCpus cpus = fdt_add_cpus(w, {cfg.num_harts, cfg.timebase_hz, cfg.isa, cfg.mmu_type, false});

    const uint32_t plic_ph = cfg.have_plic ? w.alloc_phandle() : 0;
    w.begin_node("soc");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_string("compatible", "simple-bus");
    w.prop_empty("ranges");

    fdt_add_ns16550(w, uart_node, cfg.uart_base, cfg.uart_size, cfg.uart_clock_hz, cfg.have_plic ? cfg.uart_irq : 0,
                    plic_ph);
    if (cfg.have_plic) fdt_add_plic(w, plic_ph, cfg.plic_base, cfg.plic_size, cfg.plic_ndev, cpus.intc);
    w.end_node();   // soc
    w.end_node();   // root
    return w.finish();
}

} // namespace hvemu::emu::vmm
