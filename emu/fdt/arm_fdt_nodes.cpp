#include "emu/fdt/arm_fdt_nodes.hpp"

#include <fmt/format.h>

namespace hvemu::emu {

void fdt_add_arm_cpus(FdtWriter& w, const std::vector<uint64_t>& mpidrs, const std::string& compatible) {
    w.begin_node("cpus");
    w.prop_u32("#address-cells", 1);
    w.prop_u32("#size-cells", 0);
    for (uint64_t mpidr : mpidrs) {
        const uint32_t aff = static_cast<uint32_t>(mpidr & 0xff'ffffu);
        w.begin_node(fmt::format("cpu@{:x}", aff));
        w.prop_string("device_type", "cpu");
        w.prop_string("compatible", compatible);
        w.prop_u32("reg", aff);
        if (mpidrs.size() > 1) w.prop_string("enable-method", "psci");
        w.end_node();
    }
    w.end_node();
}

void fdt_add_psci(FdtWriter& w, const std::string& method) {
    w.begin_node("psci");
    w.prop_strings("compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"});
    w.prop_string("method", method);
    w.prop_u32("cpu_suspend", 0xc4000001);
    w.prop_u32("cpu_off", 0x84000002);
    w.prop_u32("cpu_on", 0xc4000003);
    w.prop_u32("migrate", 0xc4000005);
    w.end_node();
}

void fdt_add_arm_timer(FdtWriter& w, uint32_t gic_phandle) {
    w.begin_node("timer");
    w.prop_u32("interrupt-parent", gic_phandle);
    w.prop_cells("interrupts", {kFdtGicPpi, kFdtPpiSecPhysTimer, kFdtIrqLevelHigh,   //
                                kFdtGicPpi, kFdtPpiPhysTimer, kFdtIrqLevelHigh,      //
                                kFdtGicPpi, kFdtPpiVirtTimer, kFdtIrqLevelHigh,      //
                                kFdtGicPpi, kFdtPpiHypTimer, kFdtIrqLevelHigh});
    w.prop_empty("always-on");
    w.prop_strings("compatible", {"arm,armv8-timer", "arm,armv7-timer"});
    w.end_node();
}

void fdt_add_gicv3(FdtWriter& w, uint32_t phandle, uint64_t dist_base, uint64_t dist_size, uint64_t redist_base,
                   uint64_t redist_size, bool maintenance_irq) {
    w.begin_node(fmt::format("intc@{:x}", dist_base));
    w.prop_u32("phandle", phandle);
    w.prop_u64s("reg", {dist_base, dist_size, redist_base, redist_size});
    w.prop_u32("#redistributor-regions", 1);
    w.prop_string("compatible", "arm,gic-v3");
    w.prop_empty("ranges");
    w.prop_u32("#size-cells", 2);
    w.prop_u32("#address-cells", 2);
    w.prop_empty("interrupt-controller");
    w.prop_u32("#interrupt-cells", 3);
    if (maintenance_irq) w.prop_cells("interrupts", {kFdtGicPpi, kFdtPpiGicMaint, kFdtIrqLevelHigh});
    w.end_node();
}

void fdt_add_apb_clock(FdtWriter& w, uint32_t phandle) {
    w.begin_node("apb-pclk");
    w.prop_u32("phandle", phandle);
    w.prop_string("clock-output-names", "clk24mhz");
    w.prop_u32("clock-frequency", 24'000'000);
    w.prop_u32("#clock-cells", 0);
    w.prop_string("compatible", "fixed-clock");
    w.end_node();
}

void fdt_add_pl011(FdtWriter& w, const std::string& node, uint64_t base, uint64_t size, uint32_t spi,
                   uint32_t gic_phandle, uint32_t clock_phandle) {
    w.begin_node(node);
    w.prop_strings("clock-names", {"uartclk", "apb_pclk"});
    w.prop_cells("clocks", {clock_phandle, clock_phandle});
    w.prop_u32("interrupt-parent", gic_phandle);
    w.prop_cells("interrupts", {kFdtGicSpi, spi, kFdtIrqLevelHigh});
    w.prop_u64s("reg", {base, size});
    w.prop_strings("compatible", {"arm,pl011", "arm,primecell"});
    w.end_node();
}

} // namespace hvemu::emu
