#include "emu/vmm/arm_guest_fdt.hpp"

#include <fmt/format.h>

#include "emu/fdt/arm_fdt_nodes.hpp"
#include "emu/fdt/fdt_nodes.hpp"
#include "emu/fdt/fdt_writer.hpp"

namespace hvemu::emu::vmm {

std::vector<uint8_t> build_arm_guest_fdt(const ArmGuestFdtConfig& cfg) {
    FdtWriter w;
    const uint32_t gic = w.alloc_phandle();
    const uint32_t clk = w.alloc_phandle();
    w.begin_node("");
    w.prop_u32("interrupt-parent", gic);
    w.prop_u32("#size-cells", 2);
    w.prop_u32("#address-cells", 2);
    w.prop_string("compatible", "linux,dummy-virt");
    w.prop_string("model", "hvemu Arm virtual machine");

    const std::string uart_node = fmt::format("pl011@{:x}", cfg.uart_base);
    fdt_add_chosen(w, "/" + uart_node, cfg.bootargs);
    for (const auto& [base, size] : cfg.memory) fdt_add_memory(w, base, size);
    fdt_add_psci(w, "hvc");
    fdt_add_arm_cpus(w, cfg.mpidrs, "arm,cortex-a57");
    fdt_add_arm_timer(w, gic);
    fdt_add_gicv3(w, gic, cfg.gicd_base, cfg.gicd_size, cfg.gicr_base, cfg.gicr_size, false);
    fdt_add_apb_clock(w, clk);
    fdt_add_pl011(w, uart_node, cfg.uart_base, cfg.uart_size, cfg.uart_spi, gic, clk);
    w.end_node();
    return w.finish();
}

} // namespace hvemu::emu::vmm
