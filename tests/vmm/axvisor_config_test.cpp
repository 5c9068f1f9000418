// Axvisor VM config files: the fields hvemu uses, warnings for what it does
// not support (never silently dropped), and clear errors for bad files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "emu/config/axvisor_config.hpp"
#include "emu/machine/riscv64_virt.hpp"

using namespace hvemu::emu;
using namespace hvemu::emu::config;

namespace {

AxvisorConfig parse(const std::string& text) { return parse_axvisor_config(text, "vm.toml", "/cfg"); }

bool has_warning(const AxvisorConfig& c, const std::string& part) {
    return std::any_of(c.warnings.begin(), c.warnings.end(),
                       [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

std::string warnings(const AxvisorConfig& c) {
    std::string s;
    for (const auto& w : c.warnings) s += w + "\n";
    return s;
}

const char* kMinimal = R"(
[base]
cpu_num = 2
[kernel]
kernel_path = "guest.elf"
memory_regions = [[0x8000_0000, 0x800_0000, 0x7, 0]]
)";

} // namespace

TEST_CASE("Axvisor config: Axvisor's own RISC-V Linux example is read, its unsupported parts reported",
          "[vmm][config]") {
    const AxvisorConfig c = parse(R"(
# Vm base info configs
[base]
id = 1
name = "linux-qemu"
vm_type = 1
cpu_num = 1
phys_cpu_ids = [0]

[kernel]
entry_point = 0x9000_0000
image_location = "fs"
kernel_path = "/guest/images/qemu_riscv64_linux/qemu-riscv64"
kernel_load_addr = 0x9000_0000
dtb_path = "linux-riscv64-qemu-smp1.dtb"
dtb_load_addr = 0x9200_0000
memory_regions = [
    [0x9000_0000, 0x4000_0000, 0x7, 2], # System RAM 1G MAP_IDENTICAL
]

[devices]
passthrough_devices = [
    ["/soc/virtio_mmio@10001000", 0x1000_1000, 0x1000_1000, 0x1000, 1],
]
passthrough_addresses = [
    [0x1000_0000, 0x1000],     # uart
    [0x1000_1000, 0x8000],     # virtio-mmio
]
excluded_devices = [
]
emu_devices = [
    ["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [2]],     # [context_num]
]
interrupt_mode = "passthrough"
)");
    const auto& vm = c.vm;
    CHECK(vm.id == 1);
    CHECK(vm.name == "linux-qemu");
    CHECK(vm.cpu_num == 1);
    CHECK(vm.phys_cpus == 1);
    CHECK(vm.entry_point == 0x9000'0000);
    CHECK(vm.kernel_path == "/guest/images/qemu_riscv64_linux/qemu-riscv64");   // absolute: kept
    CHECK(vm.kernel_load_addr == 0x9000'0000);
    CHECK(vm.dtb_path == "/cfg/linux-riscv64-qemu-smp1.dtb");                   // relative to the file
    CHECK(vm.dtb_load_addr == 0x9200'0000);
    REQUIRE(vm.memory.size() == 1);
    CHECK(vm.memory[0].gpa == 0x9000'0000);
    CHECK(vm.memory[0].size == 0x4000'0000);
    CHECK(vm.memory[0].flags == 7);
    CHECK(vm.memory[0].map == vmm::MapType::Reserved);
    CHECK(vm.plic);
    CHECK(vm.plic_base == 0x0c00'0000);
    CHECK(vm.plic_size == 0x60'0000);
    INFO(warnings(c));
    CHECK(has_warning(c, "vm.toml:23: [devices] passthrough_devices[0] '/soc/virtio_mmio@10001000': pass-through is not supported"));
    CHECK(has_warning(c, "passthrough_addresses[0] [0x10000000, +0x1000): no host device to pass through; served by hvemu's emulated device"));
    CHECK(has_warning(c, "passthrough_addresses[1] [0x10001000, +0x8000): pass-through is not supported"));
    CHECK(has_warning(c, "interrupt_mode \"passthrough\""));
    REQUIRE(c.warnings.size() == 4);
    CHECK(c.warnings.front().find("vm.toml:23:") == 0);   // in the order of the file
    CHECK(c.warnings.back().find("vm.toml:34:") == 0);
}

TEST_CASE("Axvisor config: devices, CPU sets and inline-table rows", "[vmm][config]") {
    const AxvisorConfig c = parse(R"(
[base]
id = 3
cpu_num = 4
phys_cpu_sets = [0x1, 0x2, 0x1, 0x2]
[kernel]
kernel_path = "img/guest.bin"
kernel_load_addr = 0x8020_0000
cmdline = "quiet"
memory_regions = [
  {gpa = 0x8000_0000, size = 0x400_0000, flags = 0x7, map_type = 0},
  [0x1_0000_0000, 0x20_0000, 0x3],
]
[devices]
emu_devices = [
  ["uart", 0x1000_1000, 0x1000, 12, 0x2, []],
  ["plic", 0x0d00_0000, 0x60_0000, 0, 0x1, [8]],
  ["vblk", 0x1000_8000, 0x1000, 0, 0xE1, []],
]
)");
    CHECK(c.vm.cpu_num == 4);
    CHECK(c.vm.phys_cpus == 2);
    CHECK(c.vm.kernel_path == "/cfg/img/guest.bin");
    CHECK(c.vm.bootargs == "quiet");
    REQUIRE(c.vm.memory.size() == 2);
    CHECK(c.vm.memory[1].gpa == 0x1'0000'0000);
    CHECK(c.vm.memory[1].flags == 3);
    CHECK(c.vm.memory[1].map == vmm::MapType::Alloc);
    CHECK(c.vm.uart_base == 0x1000'1000);
    CHECK(c.vm.uart_irq == 12);
    CHECK(c.vm.plic_base == 0x0d00'0000);
    INFO(warnings(c));
    CHECK(has_warning(c, "phys_cpu_sets: the VM gets 2 physical CPU(s); per-vCPU affinity is not honoured"));
    CHECK(has_warning(c, "emu_devices[2] 'vblk' (0xe1, virtio block): not supported (ignored)"));
}

TEST_CASE("Axvisor config: keys hvemu does not support or know are reported", "[vmm][config]") {
    const AxvisorConfig c = parse(std::string(kMinimal) + R"(
bios_path = "rustsbi.bin"
ramdisk_path = "initrd.img"
disk_path = "disk.img"
colour = "blue"
[extra]
x = 1
)");
    INFO(warnings(c));
    CHECK(has_warning(c, "[kernel] bios_path: not supported"));
    CHECK(has_warning(c, "[kernel] ramdisk_path: not supported"));
    CHECK(has_warning(c, "[kernel] disk_path: not supported"));
    CHECK(has_warning(c, "vm.toml:11: [kernel] colour: unknown key (ignored)"));
    CHECK(has_warning(c, "[extra]: unknown table or key (ignored)"));
    CHECK(c.vm.cpu_num == 2);
    CHECK(c.vm.plic);                        // the defaults: QEMU virt's UART and PLIC
    CHECK(c.vm.uart_base == 0x1000'0000);
}

TEST_CASE("Axvisor config: bad files give one clear error naming file, line and key", "[vmm][config]") {
    auto error_of = [](const std::string& text) -> std::string {
        try {
            parse(text);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "<no error>";
    };
    CHECK_THAT(error_of("[base\ncpu_num = 1\n"), Catch::StartsWith("vm.toml:1:"));
    CHECK_THAT(error_of("[kernel]\nkernel_path = \"k\"\nmemory_regions = [[0, 4096, 7, 0]]\n"),
               Catch::Contains("[base] table is missing"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\n"), Catch::Contains("[kernel] table is missing"));
    CHECK_THAT(error_of("[base]\nid = 1\n[kernel]\nkernel_path = \"k\"\nmemory_regions = [[0, 4096, 7, 0]]\n"),
               Catch::Contains("[base] cpu_num is missing"));
    CHECK_THAT(error_of("[base]\ncpu_num = \"two\"\n[kernel]\nkernel_path = \"k\"\nmemory_regions = []\n"),
               Catch::Contains("vm.toml:2: [base] cpu_num: expected an integer, found a string"));
    CHECK_THAT(error_of("[base]\ncpu_num = 0\n[kernel]\nkernel_path = \"k\"\nmemory_regions = []\n"),
               Catch::Contains("at least one vCPU"));
    CHECK_THAT(error_of("[base]\ncpu_num = 65\n[kernel]\nkernel_path = \"k\"\nmemory_regions = []\n"),
               Catch::Contains("too large"));
    CHECK_THAT(error_of("[base]\ncpu_num = -1\n[kernel]\nkernel_path = \"k\"\nmemory_regions = []\n"),
               Catch::Contains("is negative"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\n[kernel]\nmemory_regions = [[0, 4096, 7, 0]]\n"),
               Catch::Contains("[kernel] kernel_path is missing"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\n[kernel]\nkernel_path = \"k\"\nmemory_regions = []\n"),
               Catch::Contains("memory_regions is empty"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\n[kernel]\nkernel_path = \"k\"\nmemory_regions = [[0x8000_0100, 4096, 7, 0]]\n"),
               Catch::Contains("not 4 KiB aligned"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\n[kernel]\nkernel_path = \"k\"\nmemory_regions = [[0x8000_0000, 4096, 7, 5]]\n"),
               Catch::Contains("map_type 5"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\n[kernel]\nkernel_path = \"k\"\nmemory_regions = [[0x8000_0000, 4096, 2, 0]]\n"),
               Catch::Contains("lack READ"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\n[kernel]\nkernel_path = \"k\"\nmemory_regions = [[0x8000_0000, 4096]]\n"),
               Catch::Contains("memory_regions[0]: field 2 (flags) is missing"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\n[kernel]\nkernel_path = \"k\"\nmemory_regions = \"lots\"\n"),
               Catch::Contains("expected an array"));
    CHECK_THAT(error_of(std::string(kMinimal) + "image_location = \"tape\"\n"), Catch::Contains("image_location \"tape\""));
    CHECK_THAT(error_of(std::string(kMinimal) + "[devices]\ninterrupt_mode = \"magic\"\n"),
               Catch::Contains("interrupt_mode \"magic\""));
    CHECK_THAT(error_of(std::string(kMinimal) + "[devices]\nemu_devices = [[\"plic\", 0x0c00_0000, 0x1000, 0, 0x30, [4]]]\n"),
               Catch::Contains("leaves no room for the 4 contexts"));
    CHECK_THAT(error_of(std::string(kMinimal) + "[devices]\nemu_devices = [[\"uart\", 0x1000_0000, 0x1000, 200, 0x2, []]]\n"),
               Catch::Contains("irq 200 is not a PLIC source"));
    CHECK_THAT(error_of("[base]\ncpu_num = 2\nphys_cpu_ids = [0]\n[kernel]\nkernel_path = \"k\"\nmemory_regions = [[0, 4096, 7]]\n"),
               Catch::Contains("phys_cpu_ids has 1 entries for 2 vCPUs"));
    CHECK_THAT(error_of("[base]\ncpu_num = 1\nid = 0x10000\n[kernel]\nkernel_path = \"k\"\nmemory_regions = [[0, 4096, 7]]\n"),
               Catch::Contains("[base] id"));
}

TEST_CASE("Axvisor config: a missing file is an error naming it", "[vmm][config]") {
    CHECK_THROWS_WITH(load_axvisor_config("/nonexistent/vm.toml"), Catch::Contains("/nonexistent/vm.toml"));
}
