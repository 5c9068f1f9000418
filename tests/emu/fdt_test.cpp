// The riscv64-virt device tree, parsed back with libfdt: the nodes and
// properties firmware and kernels look for, and the interrupt wiring.
#include <catch2/catch.hpp>

#include <libfdt.h>

#include <cstring>
#include <string>
#include <vector>

#include "emu/fdt/fdt_writer.hpp"
#include "emu/fdt/riscv_virt_fdt.hpp"

using namespace hvemu::emu;

namespace {

RiscvVirtFdtConfig virt_config(unsigned harts) {
    RiscvVirtFdtConfig c;
    c.num_harts = harts;
    c.ram_base = 0x80000000;
    c.ram_size = 128u << 20;
    c.uart_base = 0x10000000;
    c.uart_size = 0x100;
    c.uart_irq = 10;
    c.clint_base = 0x2000000;
    c.clint_size = 0x10000;
    c.plic_base = 0xc000000;
    c.plic_size = 0x600000;
    c.plic_ndev = 95;
    c.test_base = 0x100000;
    c.test_size = 0x1000;
    c.bootargs = "console=ttyS0 earlycon";
    return c;
}

struct Tree {
    std::vector<uint8_t> blob;
    const void* fdt() const { return blob.data(); }
    int node(const char* path) const {
        const int off = fdt_path_offset(fdt(), path);
        INFO(path);
        REQUIRE(off >= 0);
        return off;
    }
    std::string str(const char* path, const char* prop) const {
        int len = 0;
        const char* v = static_cast<const char*>(fdt_getprop(fdt(), node(path), prop, &len));
        REQUIRE(v);
        return std::string(v, static_cast<size_t>(len > 0 ? len - 1 : 0));
    }
    std::vector<uint32_t> cells(const char* path, const char* prop) const {
        int len = 0;
        const fdt32_t* v = static_cast<const fdt32_t*>(fdt_getprop(fdt(), node(path), prop, &len));
        REQUIRE(v);
        std::vector<uint32_t> out;
        for (int i = 0; i < len / 4; i++) out.push_back(fdt32_to_cpu(v[i]));
        return out;
    }
    bool has(const char* path, const char* prop) const {
        return fdt_getprop(fdt(), node(path), prop, nullptr) != nullptr;
    }
};

} // namespace

TEST_CASE("the virt device tree has QEMU's nodes and properties", "[fdt]") {
    const Tree t{build_riscv_virt_fdt(virt_config(2))};
    REQUIRE(fdt_check_header(t.fdt()) == 0);
    CHECK(fdt_totalsize(t.fdt()) == t.blob.size());

    CHECK(t.cells("/", "#address-cells") == std::vector<uint32_t>{2});
    CHECK(t.str("/chosen", "stdout-path") == "/soc/serial@10000000");
    CHECK(t.str("/chosen", "bootargs") == "console=ttyS0 earlycon");
    CHECK(t.str("/memory@80000000", "device_type") == "memory");
    CHECK(t.cells("/memory@80000000", "reg") == std::vector<uint32_t>{0, 0x80000000, 0, 128u << 20});

    CHECK(t.cells("/cpus", "timebase-frequency") == std::vector<uint32_t>{10000000});
    for (const char* cpu : {"/cpus/cpu@0", "/cpus/cpu@1"}) {
        CHECK(t.str(cpu, "device_type") == "cpu");
        CHECK(t.str(cpu, "riscv,isa").rfind("rv64imafdch", 0) == 0);
        CHECK(t.str(cpu, "mmu-type") == "riscv,sv48");
        CHECK(t.str(cpu, "status") == "okay");
    }
    CHECK(t.cells("/cpus/cpu@1", "reg") == std::vector<uint32_t>{1});
    CHECK(t.str("/cpus/cpu@0/interrupt-controller", "compatible") == "riscv,cpu-intc");
    CHECK(t.has("/cpus/cpu@0/interrupt-controller", "interrupt-controller"));

    CHECK(t.str("/soc", "compatible") == "simple-bus");
    CHECK(t.str("/soc/serial@10000000", "compatible") == "ns16550a");
    CHECK(t.cells("/soc/serial@10000000", "interrupts") == std::vector<uint32_t>{10});
    CHECK(t.cells("/soc/serial@10000000", "clock-frequency") == std::vector<uint32_t>{3686400});
    CHECK(t.cells("/soc/serial@10000000", "reg") == std::vector<uint32_t>{0, 0x10000000, 0, 0x100});
    CHECK(t.str("/soc/clint@2000000", "compatible").rfind("sifive,clint0", 0) == 0);
    CHECK(t.str("/soc/plic@c000000", "compatible").rfind("sifive,plic-1.0.0", 0) == 0);
    CHECK(t.cells("/soc/plic@c000000", "riscv,ndev") == std::vector<uint32_t>{95});
    CHECK(t.str("/soc/test@100000", "compatible").rfind("sifive,test1", 0) == 0);
    CHECK(t.str("/poweroff", "compatible") == "syscon-poweroff");
    CHECK(t.str("/reboot", "compatible") == "syscon-reboot");
}

TEST_CASE("interrupt wiring: UART -> PLIC, PLIC contexts and CLINT -> hart intcs", "[fdt]") {
    const Tree t{build_riscv_virt_fdt(virt_config(2))};
    const uint32_t intc0 = fdt_get_phandle(t.fdt(), t.node("/cpus/cpu@0/interrupt-controller"));
    const uint32_t intc1 = fdt_get_phandle(t.fdt(), t.node("/cpus/cpu@1/interrupt-controller"));
    const uint32_t plic = fdt_get_phandle(t.fdt(), t.node("/soc/plic@c000000"));
    REQUIRE(intc0 != 0);
    REQUIRE(intc1 != 0);
    REQUIRE(plic != 0);
    CHECK(t.cells("/soc/serial@10000000", "interrupt-parent") == std::vector<uint32_t>{plic});
    // context 2h = M external (11), 2h+1 = S external (9)
    CHECK(t.cells("/soc/plic@c000000", "interrupts-extended") ==
          std::vector<uint32_t>{intc0, 11, intc0, 9, intc1, 11, intc1, 9});
    // MSI (3) and MTI (7) per hart
    CHECK(t.cells("/soc/clint@2000000", "interrupts-extended") ==
          std::vector<uint32_t>{intc0, 3, intc0, 7, intc1, 3, intc1, 7});
    const uint32_t test = fdt_get_phandle(t.fdt(), t.node("/soc/test@100000"));
    CHECK(t.cells("/poweroff", "regmap") == std::vector<uint32_t>{test});
}

TEST_CASE("no bootargs: /chosen has none; many harts grow the blob", "[fdt]") {
    RiscvVirtFdtConfig c = virt_config(64);
    c.bootargs.clear();
    const Tree t{build_riscv_virt_fdt(c)};
    REQUIRE(fdt_check_header(t.fdt()) == 0);
    CHECK_FALSE(t.has("/chosen", "bootargs"));
    t.node("/cpus/cpu@3f");
    CHECK(t.cells("/soc/plic@c000000", "interrupts-extended").size() == 64u * 4);
}

TEST_CASE("FdtWriter rejects unbalanced nodes", "[fdt]") {
    FdtWriter w;
    CHECK_THROWS_AS(w.end_node(), FdtError);
    w.begin_node("");
    CHECK_THROWS_AS(w.finish(), FdtError);
}
