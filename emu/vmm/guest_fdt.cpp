#include "emu/vmm/guest_fdt.hpp"

#include <fmt/format.h>

#include "emu/fdt/fdt_writer.hpp"

namespace hvemu::emu::vmm {

namespace {
constexpr uint32_t kIrqSei = 9, kIrqMei = 11;
}

std::vector<uint8_t> build_guest_fdt(const GuestFdtConfig& cfg) {
    FdtWriter w;
    w.begin_node("");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_string("compatible", "hvemu,riscv-vm");
    w.prop_string("model", "hvemu RISC-V virtual machine");

    const std::string uart_node = fmt::format("serial@{:x}", cfg.uart_base);
    w.begin_node("chosen");
    w.prop_string("stdout-path", "/soc/" + uart_node);
    if (!cfg.bootargs.empty()) w.prop_string("bootargs", cfg.bootargs);
    w.end_node();

    for (const auto& [base, size] : cfg.memory) {
        w.begin_node(fmt::format("memory@{:x}", base));
        w.prop_string("device_type", "memory");
        w.prop_u64s("reg", {base, size});
        w.end_node();
    }

    std::vector<uint32_t> intc(cfg.num_harts);
    w.begin_node("cpus");
    w.prop_u32("#address-cells", 1);
    w.prop_u32("#size-cells", 0);
    w.prop_u32("timebase-frequency", cfg.timebase_hz);
    for (unsigned h = 0; h < cfg.num_harts; h++) {
        const uint32_t cpu_ph = w.alloc_phandle();
        intc[h] = w.alloc_phandle();
        w.begin_node(fmt::format("cpu@{:x}", h));
        w.prop_u32("phandle", cpu_ph);
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
        w.prop_u32("phandle", intc[h]);
        w.end_node();
        w.end_node();
    }
    w.end_node();   // cpus

    const uint32_t plic_ph = cfg.have_plic ? w.alloc_phandle() : 0;
    w.begin_node("soc");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_string("compatible", "simple-bus");
    w.prop_empty("ranges");

    w.begin_node(uart_node);
    if (cfg.have_plic) {
        w.prop_u32("interrupts", cfg.uart_irq);
        w.prop_u32("interrupt-parent", plic_ph);
    }
    w.prop_u32("clock-frequency", cfg.uart_clock_hz);
    w.prop_u64s("reg", {cfg.uart_base, cfg.uart_size});
    w.prop_string("compatible", "ns16550a");
    w.end_node();

    if (cfg.have_plic) {
        std::vector<uint32_t> ext;
        for (unsigned h = 0; h < cfg.num_harts; h++) ext.insert(ext.end(), {intc[h], kIrqMei, intc[h], kIrqSei});
        w.begin_node(fmt::format("plic@{:x}", cfg.plic_base));
        w.prop_u32("phandle", plic_ph);
        w.prop_u32("riscv,ndev", cfg.plic_ndev);
        w.prop_u64s("reg", {cfg.plic_base, cfg.plic_size});
        w.prop_cells("interrupts-extended", ext);
        w.prop_empty("interrupt-controller");
        w.prop_strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
        w.prop_u32("#address-cells", 0);
        w.prop_u32("#interrupt-cells", 1);
        w.end_node();
    }
    w.end_node();   // soc
    w.end_node();   // root
    return w.finish();
}

} // namespace hvemu::emu::vmm
