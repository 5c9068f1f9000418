// `hvemu run --arch riscv64` and `--config`, run as a process: exit status,
// --stats exit counts, --trace exits lines, and one-line errors.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "emu/cli/run_options.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kHvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";
const std::string kGuests = std::string(HVEMU_BINARY_DIR) + "/guests/riscv64-vm/";

struct Run {
    int status = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

Run run_hvemu_cli(const std::string& args, const std::string& stdin_file = "/dev/null") {
    REQUIRE(fs::exists(kHvemu));
    const fs::path dir = fs::temp_directory_path() / fmt::format("hvemu-vmm-cli-{}", ::getpid());
    fs::create_directories(dir);
    const fs::path out = dir / "out", err = dir / "err";
    const std::string cmd = fmt::format("'{}' {} >'{}' 2>'{}' <'{}'", kHvemu, args, out.string(), err.string(), stdin_file);
    const int rc = std::system(cmd.c_str());
    Run r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    fs::remove_all(dir);
    return r;
}

std::string guest(const std::string& name) {
    const std::string p = kGuests + name;
    INFO("guest " << p << " (build the guests-vm target)");
    REQUIRE(fs::exists(p));
    return "'" + p + "'";
}

} // namespace

TEST_CASE("hvemu run --arch riscv64 --smp 4 --stats runs the SMP guest and counts exits per reason", "[cli][vmm]") {
    const Run r = run_hvemu_cli("run --arch riscv64 --kernel " + guest("smp.elf") + " --smp 4 --stats");
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("all other harts stopped"));
    CHECK_THAT(r.err, Catch::Contains("hvemu: VM 'riscv64': 4 vCPU(s) on 4 physical CPU(s), G-stage Sv39x4"));
    CHECK_THAT(r.err, Catch::Contains("hvemu:   CpuUp              4"));
    CHECK_THAT(r.err, Catch::Contains("hvemu:   SendIpi            11"));
    CHECK_THAT(r.err, Catch::Contains("hvemu: instructions "));
}

TEST_CASE("hvemu run --trace exits: vCPU, cycle, guest pc, the instruction, the decoded exit", "[cli][vmm]") {
    const Run r = run_hvemu_cli("run --arch riscv64 --kernel " + guest("uart.elf") + " --trace exits");
    CHECK(r.status == 0);
    std::istringstream lines(r.err);
    std::string line, lb;
    while (std::getline(lines, line))
        if (line.find(" lb a5, 7(a0) -> ") != std::string::npos) lb = line;
    CHECK_THAT(lb, Catch::Matches("vcpu 0 cycle [0-9]+ pc 0x[0-9a-f]+ lb a5, 7\\(a0\\) -> MmioRead addr=0x10000007 "
                                  "width=1 reg=15 reg_width=8 signed_ext=true"));
    CHECK_THAT(r.err, Catch::Contains("ecall -> SystemDown"));
}

TEST_CASE("hvemu run hosted: guest status, guest errors, reasons in one line", "[cli][vmm]") {
    CHECK(run_hvemu_cli("run --arch riscv64 --kernel " + guest("srst.elf")).status == 3);
    const Run u = run_hvemu_cli("run --arch riscv64 --kernel " + guest("unmapped.elf"));
    CHECK(u.status == 123);
    CHECK_THAT(u.err, Catch::Matches("hvemu: vCPU 0 at pc 0x[0-9a-f]+: load of 4 bytes at guest-physical address "
                                     "0x40000000: no RAM or device there\n"));
    CHECK(run_hvemu_cli("run --arch riscv64 --kernel " + guest("unmapped.elf") + " --unmapped-access fault").status == 0);
    CHECK(run_hvemu_cli("run --arch riscv64 --kernel " + guest("smp.elf") + " --smp 4 --pcpus 2 --gstage sv48x4").status == 0);
}

TEST_CASE("hvemu run hosted: bad options and bad files give one line and status 2", "[cli][vmm]") {
    const auto bad = [](const std::string& args, const std::string& part) {
        const Run r = run_hvemu_cli(args);
        INFO(args << "\n" << r.err);
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::StartsWith("hvemu: error: ") && Catch::Contains(part));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    };
    bad("run --arch mips64 --kernel k", "unknown architecture 'mips64'");
    bad("run --arch riscv64 --machine virt --kernel k", "--machine selects a full-system board");
    bad("run --kernel k --pcpus 2", "--pcpus is for hosted VMs");
    bad("run --arch riscv64 --kernel k --trace insns", "invalid value 'insns' for --trace");
    bad("run --arch riscv64 --kernel k --unmapped-access ignore", "--unmapped-access");
    bad("run --arch riscv64 --kernel /nonexistent/guest.elf", "cannot open '/nonexistent/guest.elf'");
    bad("run --arch riscv64 --smp 65 --kernel " + guest("hello.elf"), "1 to 64 vCPUs");
    bad("run --arch riscv64 --smp 2 --pcpus 3 --kernel " + guest("hello.elf"), "at most one per vCPU");
    bad("run --config /nonexistent/vm.toml", "/nonexistent/vm.toml");
    bad("run --config /dev/null --smp 2", "come from the config file");
}

TEST_CASE("hvemu run --config: Axvisor config files, warnings for what is not supported", "[cli][vmm]") {
    const fs::path dir = fs::temp_directory_path() / fmt::format("hvemu-vmm-cfg-{}", ::getpid());
    fs::create_directories(dir);
    const fs::path cfg = dir / "vm.toml";
    std::ofstream(cfg) << "[base]\nid = 1\nname = \"t\"\ncpu_num = 4\n[kernel]\nkernel_path = " << guest("smp.elf")
                       << "\n"
                          "memory_regions = [[0x8000_0000, 0x800_0000, 0x7, 0]]\ndisk_path = \"d.img\"\n";
    // TOML takes the single-quoted path as a literal string.
    const Run r = run_hvemu_cli("run --config '" + cfg.string() + "' --stats");
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("all other harts stopped"));
    CHECK_THAT(r.err, Catch::Contains("hvemu: warning: " + cfg.string() + ":8: [kernel] disk_path: not supported"));
    CHECK_THAT(r.err, Catch::Contains("VM 't': 4 vCPU(s)"));
    std::ofstream(cfg) << "[base]\ncpu_num = 1\n[kernel\n";
    const Run bad = run_hvemu_cli("run --config '" + cfg.string() + "'");
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Catch::StartsWith("hvemu: error: " + cfg.string() + ":3:"));
    fs::remove_all(dir);
}

TEST_CASE("the bundled example configs run their guests", "[cli][vmm]") {
    const std::string ex = std::string(HVEMU_SOURCE_DIR) + "/examples/";
    const Run hello = run_hvemu_cli("run --config '" + ex + "riscv64-hello.toml' --kernel " + guest("hello.elf"));
    CHECK(hello.status == 0);
    CHECK_THAT(hello.out, Catch::StartsWith("hello from hart 0"));
    const Run smp = run_hvemu_cli("run --config '" + ex + "riscv64-smp.toml' --kernel " + guest("smp.elf") + " --stats");
    CHECK(smp.status == 0);
    CHECK_THAT(smp.err, Catch::Contains("4 vCPU(s) on 2 physical CPU(s)"));
    const Run ax = run_hvemu_cli("run --config '" + ex + "axvisor-linux-riscv64-qemu.toml' --kernel " + guest("hello_0x90000000.bin"));
    CHECK(ax.status == 0);
    CHECK_THAT(ax.out, Catch::StartsWith("hello from hart 0"));
    CHECK_THAT(ax.err, Catch::Contains("passthrough_addresses[1]"));
}
