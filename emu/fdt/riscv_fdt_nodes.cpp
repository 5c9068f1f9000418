#include "emu/fdt/riscv_fdt_nodes.hpp"

#include <fmt/format.h>

namespace hvemu::emu {

FdtCpus fdt_add_cpus(FdtWriter& w, const FdtCpuConfig& cfg) {
    FdtCpus ph;
    w.begin_node("cpus");
    w.prop_u32("#address-cells", 1);
    w.prop_u32("#size-cells", 0);
    w.prop_u32("timebase-frequency", cfg.timebase_hz);
    for (unsigned h = 0; h < cfg.num_harts; h++) {
        ph.cpu.push_back(w.alloc_phandle());
        ph.intc.push_back(w.alloc_phandle());
        w.begin_node(fmt::format("cpu@{:x}", h));
        w.prop_u32("phandle", ph.cpu.back());
        w.prop_string("device_type", "cpu");
        w.prop_u32("reg", h);
        w.prop_string("status", "okay");
        w.prop_string("compatible", "riscv");
        w.prop_string("riscv,isa", cfg.isa);
        w.prop_string("mmu-type", cfg.mmu_type);
        w.begin_node("interrupt-controller");
        w.prop_u32("#interrupt-cells", 1);
        w.prop_empty("interrupt-controller");
        w.prop_string("compatible", "riscv,cpu-intc");
        w.prop_u32("phandle", ph.intc.back());
        w.end_node();
        w.end_node();
    }
    if (cfg.cpu_map) {
        w.begin_node("cpu-map");
        w.begin_node("cluster0");
        for (unsigned h = 0; h < cfg.num_harts; h++) {
            w.begin_node(fmt::format("core{}", h));
            w.prop_u32("cpu", ph.cpu[h]);
            w.end_node();
        }
        w.end_node();
        w.end_node();
    }
    w.end_node();   // cpus
    return ph;
}

void fdt_add_ns16550(FdtWriter& w, const std::string& node, uint64_t base, uint64_t size, uint32_t clock_hz,
                     uint32_t irq, uint32_t plic_phandle) {
    w.begin_node(node);
    if (irq) {
        w.prop_u32("interrupts", irq);
        w.prop_u32("interrupt-parent", plic_phandle);
    }
    w.prop_u32("clock-frequency", clock_hz);
    w.prop_u64s("reg", {base, size});
    w.prop_string("compatible", "ns16550a");
    w.end_node();
}

void fdt_add_plic(FdtWriter& w, uint32_t phandle, uint64_t base, uint64_t size, uint32_t ndev,
                  const std::vector<uint32_t>& intc) {
    std::vector<uint32_t> ext;
    for (uint32_t ic : intc) ext.insert(ext.end(), {ic, kFdtIrqMei, ic, kFdtIrqSei});
    w.begin_node(fmt::format("plic@{:x}", base));
    w.prop_u32("phandle", phandle);
    w.prop_u32("riscv,ndev", ndev);
    w.prop_u64s("reg", {base, size});
    w.prop_cells("interrupts-extended", ext);
    w.prop_empty("interrupt-controller");
    w.prop_strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
    w.prop_u32("#address-cells", 0);
    w.prop_u32("#interrupt-cells", 1);
    w.end_node();
}

} // namespace hvemu::emu
