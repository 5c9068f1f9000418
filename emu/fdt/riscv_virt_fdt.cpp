// Node names, compatibles and interrupt wiring follow QEMU's virt board:
// CLINT interrupts-extended = <&intcN 3 &intcN 7> (MSI, MTI), PLIC
// interrupts-extended = <&intcN 11 &intcN 9> (MEI, SEI), so PLIC context
// 2N is hart N's M-mode and 2N+1 its S-mode.
#include "emu/fdt/riscv_virt_fdt.hpp"

#include <fmt/format.h>

#include "emu/fdt/fdt_writer.hpp"

namespace hvemu::emu {

namespace {
constexpr uint32_t kIrqMsi = 3, kIrqMti = 7, kIrqSei = 9, kIrqMei = 11;
}

std::vector<uint8_t> build_riscv_virt_fdt(const RiscvVirtFdtConfig& cfg) {
    FdtWriter w;
    w.begin_node("");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_string("compatible", "riscv-virtio");
    w.prop_string("model", "riscv-virtio,qemu");

    const std::string uart_node = fmt::format("serial@{:x}", cfg.uart_base);
    w.begin_node("chosen");
    w.prop_string("stdout-path", "/soc/" + uart_node);
    if (!cfg.bootargs.empty()) w.prop_string("bootargs", cfg.bootargs);
    w.end_node();

    w.begin_node(fmt::format("memory@{:x}", cfg.ram_base));
    w.prop_string("device_type", "memory");
    w.prop_u64s("reg", {cfg.ram_base, cfg.ram_size});
    w.end_node();

    std::vector<uint32_t> cpu_phandle(cfg.num_harts), intc_phandle(cfg.num_harts);
    w.begin_node("cpus");
    w.prop_u32("#address-cells", 1);
    w.prop_u32("#size-cells", 0);
    w.prop_u32("timebase-frequency", cfg.timebase_hz);
    for (unsigned h = 0; h < cfg.num_harts; h++) {
        cpu_phandle[h] = w.alloc_phandle();
        intc_phandle[h] = w.alloc_phandle();
        w.begin_node(fmt::format("cpu@{:x}", h));
        w.prop_u32("phandle", cpu_phandle[h]);
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
        w.prop_u32("phandle", intc_phandle[h]);
        w.end_node();
        w.end_node();
    }
    w.begin_node("cpu-map");
    w.begin_node("cluster0");
    for (unsigned h = 0; h < cfg.num_harts; h++) {
        w.begin_node(fmt::format("core{}", h));
        w.prop_u32("cpu", cpu_phandle[h]);
        w.end_node();
    }
    w.end_node();
    w.end_node();
    w.end_node();   // cpus

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

    w.begin_node(uart_node);
    w.prop_u32("interrupts", cfg.uart_irq);
    w.prop_u32("interrupt-parent", plic_phandle);
    w.prop_u32("clock-frequency", cfg.uart_clock_hz);
    w.prop_u64s("reg", {cfg.uart_base, cfg.uart_size});
    w.prop_string("compatible", "ns16550a");
    w.end_node();

    std::vector<uint32_t> plic_ext, clint_ext;
    for (unsigned h = 0; h < cfg.num_harts; h++) {
        plic_ext.insert(plic_ext.end(), {intc_phandle[h], kIrqMei, intc_phandle[h], kIrqSei});
        clint_ext.insert(clint_ext.end(), {intc_phandle[h], kIrqMsi, intc_phandle[h], kIrqMti});
    }
    w.begin_node(fmt::format("plic@{:x}", cfg.plic_base));
    w.prop_u32("phandle", plic_phandle);
    w.prop_u32("riscv,ndev", cfg.plic_ndev);
    w.prop_u64s("reg", {cfg.plic_base, cfg.plic_size});
    w.prop_cells("interrupts-extended", plic_ext);
    w.prop_empty("interrupt-controller");
    w.prop_strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
    w.prop_u32("#address-cells", 0);
    w.prop_u32("#interrupt-cells", 1);
    w.end_node();

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
