// Axvisor VM config files for Arm and x86 VMs: how the architecture is
// chosen, what an Arm VM honours (phys_cpu_ids as MPIDRs, the GICv3 and
// PL011 where QEMU virt has them) and reports, and the bundled examples
// run end to end through `hvemu run --config`.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "emu/config/axvisor_config.hpp"
#include "emu/machine/riscv64_virt.hpp"

namespace fs = std::filesystem;
using namespace hvemu::emu;
using namespace hvemu::emu::config;
using hvemu::emu::vmm::GuestArch;

namespace {

AxvisorConfig parse(const std::string& text, const std::string& dir = "/cfg") {
    return parse_axvisor_config(text, "vm.toml", dir);
}

bool has_warning(const AxvisorConfig& c, const std::string& part) {
    return std::any_of(c.warnings.begin(), c.warnings.end(),
                       [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

std::string warnings(const AxvisorConfig& c) {
    std::string s;
    for (const auto& w : c.warnings) s += w + "\n";
    return s;
}

// An Axvisor-shaped Arm config (as their aarch64 QEMU configs are laid
// out), with hvemu's arch key.
std::string arm_config(const std::string& base_extra, const std::string& devices) {
    return R"(
[base]
id = 2
name = "arceos-qemu"
vm_type = 1
arch = "aarch64"
)" + base_extra + R"(
[kernel]
entry_point = 0x4020_0000
image_location = "fs"
kernel_path = "guest.bin"
kernel_load_addr = 0x4020_0000
dtb_load_addr = 0x4000_0000
memory_regions = [
  [0x4000_0000, 0x800_0000, 0x7, 0],
]
[devices]
)" + devices;
}

} // namespace

TEST_CASE("Axvisor config (aarch64): the architecture, MPIDRs and the kernel fields", "[vmm][config][arm]") {
    const AxvisorConfig c = parse(arm_config("cpu_num = 4\nphys_cpu_ids = [0x000, 0x001, 0x100, 0x1_0000_0002]\n",
                                             "interrupt_mode = \"emu\"\n"));
    INFO(warnings(c));
    CHECK(c.vm.arch == GuestArch::Aarch64);
    CHECK(c.vm.id == 2);
    CHECK(c.vm.cpu_num == 4);
    CHECK(c.vm.phys_cpus == 4);
    CHECK(c.vm.mpidrs == std::vector<uint64_t>{0x000, 0x001, 0x100, 0x1'0000'0002});
    CHECK(c.vm.entry_point == 0x4020'0000u);
    CHECK(c.vm.kernel_load_addr == 0x4020'0000u);
    CHECK(c.vm.dtb_load_addr == 0x4000'0000u);
    CHECK(c.vm.kernel_path == "/cfg/guest.bin");
    REQUIRE(c.vm.memory.size() == 1);
    CHECK(c.vm.memory[0].gpa == 0x4000'0000u);
    CHECK(c.warnings.empty());   // MPIDRs that are not 0..n-1 are honoured, not reported
    CHECK_NOTHROW(vmm::validate(c.vm));
}

TEST_CASE("Axvisor config (aarch64): the GICv3 and PL011 where QEMU virt has them are honoured", "[vmm][config][arm]") {
    SECTION("at their places: no warning") {
        const AxvisorConfig c = parse(arm_config("cpu_num = 2\n", R"(
emu_devices = [
  ["gppt-gicd", 0x0800_0000, 0x1_0000, 0, 0x21, []],
  ["gppt-gicr", 0x080a_0000, 0x4_0000, 0, 0x20, [2, 0x2_0000, 0]],
  ["console", 0x0900_0000, 0x1000, 33, 0x2, []],
]
interrupt_mode = "emu"
)"));
        INFO(warnings(c));
        CHECK(c.warnings.empty());
    }
    SECTION("elsewhere, another stride, a GICv2, an ITS: each reported") {
        const AxvisorConfig c = parse(arm_config("cpu_num = 1\n", R"(
emu_devices = [
  ["gicd", 0x0900_0000, 0x1_0000, 0, 0x21, []],
  ["gicr", 0x080a_0000, 0x2_0000, 0, 0x20, [1, 0x4_0000, 0]],
  ["vgic", 0x0800_0000, 0x1_0000, 0, 0x1, []],
  ["its", 0x0808_0000, 0x2_0000, 0, 0x22, [0x0808_0000]],
  ["uart", 0x0900_0000, 0x1000, 40, 0x2, []],
]
)"));
        INFO(warnings(c));
        CHECK(has_warning(c, "emu_devices[0] 'gicd' (0x21, GIC partial-passthrough distributor): the GICv3 distributor is at 0x8000000"));
        CHECK(has_warning(c, "emu_devices[1] 'gicr' (0x20, GIC partial-passthrough redistributor): redistributor stride 0x40000"));
        CHECK(has_warning(c, "emu_devices[2] 'vgic' (0x1, interrupt controller): a GICv2 is not emulated"));
        CHECK(has_warning(c, "emu_devices[3] 'its' (0x22, GIC partial-passthrough ITS): not supported"));
        CHECK(has_warning(c, "emu_devices[4] 'uart' (0x2, console): the PL011 raises INTID 33 (SPI 1), not 40"));
        CHECK(c.warnings.size() == 5);
    }
    SECTION("Axvisor's pass-through of the whole device tree and its interrupts are reported") {
        const AxvisorConfig c = parse(arm_config("cpu_num = 1\nphys_cpu_ids = [0]\n", R"(
passthrough_devices = [["/"]]
passthrough_addresses = [[0x0900_0000, 0x1000], [0x2804_1000, 0x1000]]
excluded_devices = [["/pcie@10000000"]]
interrupt_mode = "passthrough"
)"));
        INFO(warnings(c));
        CHECK(has_warning(c, "passthrough_devices[0] '/': device-tree pass-through is not supported"));
        CHECK(has_warning(c, "passthrough_addresses[0] [0x9000000, +0x1000): no host device to pass through; served by hvemu's"));
        CHECK(has_warning(c, "passthrough_addresses[1] [0x28041000, +0x1000): pass-through is not supported"));
        CHECK(has_warning(c, "excluded_devices"));
        CHECK(has_warning(c, "the emulated GICv3 delivers them"));
    }
}

TEST_CASE("Axvisor config: the architecture from [base] arch, the kernel's ELF header, or riscv64", "[vmm][config][arm]") {
    const char* body = R"(
[kernel]
kernel_path = "k.elf"
memory_regions = [[0x4000_0000, 0x100_0000, 0x7, 0]]
)";
    CHECK(parse(std::string("[base]\ncpu_num = 1\narch = \"x86_64\"\n") + body).vm.arch == GuestArch::X86_64);
    CHECK(parse(std::string("[base]\ncpu_num = 1\n") + body).vm.arch == GuestArch::Riscv64);   // no such file
    // An AArch64 ELF header beside the config: an Arm VM.
    const fs::path dir = fs::temp_directory_path() / fmt::format("hvemu-axcfg-{}", ::getpid());
    fs::create_directories(dir);
    {
        unsigned char h[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
        h[18] = 183;   // EM_AARCH64
        std::ofstream(dir / "k.elf", std::ios::binary).write(reinterpret_cast<const char*>(h), sizeof h);
    }
    CHECK(parse(std::string("[base]\ncpu_num = 1\n") + body, dir.string()).vm.arch == GuestArch::Aarch64);
    // The explicit key wins over the header.
    CHECK(parse(std::string("[base]\ncpu_num = 1\narch = \"riscv64\"\n") + body, dir.string()).vm.arch ==
          GuestArch::Riscv64);
    fs::remove_all(dir);
    try {
        parse(std::string("[base]\ncpu_num = 1\narch = \"mips\"\n") + body);
        FAIL("an unknown arch must be an error");
    } catch (const ConfigError& e) {
        CHECK_THAT(e.what(), Catch::StartsWith("vm.toml:3: [base] arch \"mips\" is not"));
    }
}

TEST_CASE("Axvisor config (aarch64): bad MPIDR lists are errors", "[vmm][config][arm]") {
    auto error_of = [](const std::string& base) -> std::string {
        try {
            parse(arm_config(base, ""));
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    };
    CHECK_THAT(error_of("cpu_num = 2\nphys_cpu_ids = [1, 1]\n"),
               Catch::Contains("[base] phys_cpu_ids: MPIDR 0x1 is given twice"));
    CHECK_THAT(error_of("cpu_num = 1\nphys_cpu_ids = [0x100_0000]\n"),
               Catch::Contains("[base] phys_cpu_ids: 0x1000000 is not an MPIDR affinity"));
    CHECK_THAT(error_of("cpu_num = 2\nphys_cpu_ids = [0]\n"), Catch::Contains("phys_cpu_ids has 1 entries for 2 vCPUs"));
    // validate() holds the same rules for configurations built in code.
    vmm::VmConfig v;
    v.arch = GuestArch::Aarch64;
    v.cpu_num = 2;
    v.kernel_path = "k";
    v.mpidrs = {3, 3};
    CHECK_THROWS_WITH(vmm::validate(v), Catch::Contains("same MPIDR 0x3"));
    v.mpidrs = {3};
    CHECK_THROWS_WITH(vmm::validate(v), Catch::Contains("1 MPIDR affinities for 2 vCPUs"));
    v.mpidrs = {0, 1};
    CHECK_NOTHROW(vmm::validate(v));
    v.arch = GuestArch::Riscv64;
    CHECK_THROWS_WITH(vmm::validate(v), Catch::Contains("for Arm VMs"));
}

// ---- end to end ------------------------------------------------------------------

namespace {

const std::string kHvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";
const std::string kExamples = std::string(HVEMU_SOURCE_DIR) + "/examples/";

struct Run {
    int status = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

Run run_hvemu(const std::string& args) {
    REQUIRE(fs::exists(kHvemu));
    const fs::path dir = fs::temp_directory_path() / fmt::format("hvemu-axcfg-run-{}", ::getpid());
    fs::create_directories(dir);
    const fs::path out = dir / "out", err = dir / "err";
    const std::string cmd = fmt::format("'{}' {} >'{}' 2>'{}' </dev/null", kHvemu, args, out.string(), err.string());
    const int rc = std::system(cmd.c_str());
    Run r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    fs::remove_all(dir);
    return r;
}

std::string guest(const std::string& arch_dir, const std::string& name) {
    const std::string p = std::string(HVEMU_BINARY_DIR) + "/guests/" + arch_dir + "/" + name;
    INFO("guest " << p << " (build the guests-vm target)");
    REQUIRE(fs::exists(p));
    return "'" + p + "'";
}

} // namespace

TEST_CASE("hvemu run --config examples/aarch64-hello.toml runs the Arm hello guest", "[cli][vmm][config][arm]") {
    const Run r = run_hvemu("run --config '" + kExamples + "aarch64-hello.toml' --kernel " +
                        guest("aarch64-vm", "hello.elf") + " --stats");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::StartsWith("Hello from an AArch64 VM guest."));
    CHECK_THAT(r.out, Catch::Contains("CurrentEL = EL1, MPIDR_EL1 = 0000000080000000"));
    CHECK_THAT(r.err, Catch::Contains("VM 'hello-aarch64': 1 vCPU(s)"));
    CHECK_THAT(r.err, !Catch::Contains("warning"));   // every entry of the example is honoured
}

TEST_CASE("hvemu run --config: an Arm VM's vCPUs show the MPIDRs phys_cpu_ids names", "[cli][vmm][config][arm]") {
    const fs::path dir = fs::temp_directory_path() / fmt::format("hvemu-axcfg-mpidr-{}", ::getpid());
    fs::create_directories(dir);
    const fs::path cfg = dir / "vm.toml";
    std::ofstream(cfg) << arm_config("cpu_num = 1\nphys_cpu_ids = [0x100]\n", "interrupt_mode = \"emu\"\n");
    const Run r = run_hvemu("run --config '" + cfg.string() + "' --kernel " + guest("aarch64-vm", "hello.elf"));
    fs::remove_all(dir);
    INFO(r.err);
    // The guest's own check wants Aff0 = 0, which 0x100 keeps; Aff1 = 1 shows.
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("MPIDR_EL1 = 0000000080000100"));
}

TEST_CASE("hvemu run --config examples/x86_64-hello.toml runs the x86 hello guest", "[cli][vmm][config]") {
    const Run r = run_hvemu("run --config '" + kExamples + "x86_64-hello.toml' --kernel " + guest("x86_64-vm", "hello.elf"));
    INFO(r.err);
    CHECK(r.status == 1);   // isa-debug-exit with 0: (0 << 1) | 1, a pass
    CHECK_THAT(r.out, Catch::StartsWith("Hello from an x86-64 VM guest."));
    CHECK_THAT(r.out, Catch::Contains("PASS: hello"));
    CHECK_THAT(r.err, !Catch::Contains("warning"));
}
