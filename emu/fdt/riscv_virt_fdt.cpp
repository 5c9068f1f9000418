// Node names, compatibles and interrupt wiring follow QEMU's virt board:
// CLINT interrupts-extended = <&intcN 3 &intcN 7> (MSI, MTI), PLIC
// interrupts-extended = <&intcN 11 &intcN 9> (MEI, SEI), so PLIC context
// 2N is hart N's M-mode and 2N+1 its S-mode.
#include "emu/fdt/riscv_virt_fdt.hpp"

#include <fmt/format.h>

#include "emu/fdt/fdt_writer.hpp"
#include "emu/fdt/riscv_fdt_nodes.hpp"

namespace hvemu::emu {

std::vector<uint8_t> build_riscv_virt_fdt(const RiscvVirtFdtConfig& cfg) {
    FdtWriter w;
    w.begin_node("");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_string("compatible", "riscv-virtio");
    w.prop_string("model", "riscv-virtio,qemu");

    const std::string uart_node = fmt::format("serial@{:x}", cfg.uart_base);
    fdt_add_chosen(w, "/soc/" + uart_node, cfg.bootargs);
    fdt_add_memory(w, cfg.ram_base, cfg.ram_size);
    const FdtCpus cpus = fdt_add_cpus(w, {cfg.num_harts, cfg.timebase_hz, cfg.isa, cfg.mmu_type, true});

    const uint32_t plic_phandle = w.alloc_phandle();
    const uint32_t test_phandle = w.alloc_phandle();
    w.begin_node("soc");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_string("compatible", "simple-bus");
    w.prop_empty("ranges");

    w.begin_node(fmt::format("test@{:x}", cfg.test_base));
    w.prop_u32("phandle", test_phandle);
    w.prop_u64s("reg", {cfg.test_base, cfg.test_size});
    w.prop_strings("compatible", {"sifive,test1", "sifive,test0", "syscon"});
    w.end_node();

    fdt_add_ns16550(w, uart_node, cfg.uart_base, cfg.uart_size, cfg.uart_clock_hz, cfg.uart_irq, plic_phandle);
    fdt_add_plic(w, plic_phandle, cfg.plic_base, cfg.plic_size, cfg.plic_ndev, cpus.intc);

    std::vector<uint32_t> clint_ext;
    for (uint32_t ic : cpus.intc) clint_ext.insert(clint_ext.end(), {ic, kFdtIrqMsi, ic, kFdtIrqMti});
    w.begin_node(fmt::format("clint@{:x}", cfg.clint_base));
    w.prop_cells("interrupts-extended", clint_ext);
    w.prop_u64s("reg", {cfg.clint_base, cfg.clint_size});
    w.prop_strings("compatible", {"sifive,clint0", "riscv,clint0"});
    w.end_node();
    w.end_node();   // soc

    w.begin_node("poweroff");
    w.prop_u32("value", 0x5555);
    w.prop_u32("offset", 0);
    w.prop_u32("regmap", test_phandle);
    w.prop_string("compatible", "syscon-poweroff");
    w.end_node();

    w.begin_node("reboot");
    w.prop_u32("value", 0x7777);
    w.prop_u32("offset", 0);
    w.prop_u32("regmap", test_phandle);
    w.prop_string("compatible", "syscon-reboot");
    w.end_node();

    w.end_node();   // root
    return w.finish();
}

} // namespace hvemu::emu
