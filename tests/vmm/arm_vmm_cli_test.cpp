// `hvemu run --arch aarch64`, run as a process: the guests' output and
// status, --stats exit counts, --trace exits lines with A64 disassembly
// and ESR_EL2, --trace-json, --dumpdtb, and one-line errors.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace {

const std::string kHvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";
const std::string kGuests = std::string(HVEMU_BINARY_DIR) + "/guests/aarch64-vm/";

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

fs::path scratch() {
    const fs::path dir = fs::temp_directory_path() / fmt::format("hvemu-arm-cli-{}", ::getpid());
    fs::create_directories(dir);
    return dir;
}

Run hvemu(const std::string& args) {
    REQUIRE(fs::exists(kHvemu));
    const fs::path dir = scratch();
    const fs::path out = dir / "out", err = dir / "err";
    const std::string cmd = fmt::format("'{}' {} >'{}' 2>'{}' </dev/null", kHvemu, args, out.string(), err.string());
    const int rc = std::system(cmd.c_str());
    Run r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

std::string guest(const std::string& name) {
    const std::string p = kGuests + name;
    INFO("guest " << p << " (build the guests-vm target)");
    REQUIRE(fs::exists(p));
    return "'" + p + "'";
}

} // namespace

TEST_CASE("hvemu run --arch aarch64 --smp 4 --stats: the SMP guest, exits per reason", "[cli][vmm][arm]") {
    const Run r = hvemu("run --arch aarch64 --smp 4 --kernel " + guest("smp.elf") + " --stats");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find("PASS: smp\n") != std::string::npos);
    CHECK(r.err.find("4 vCPU(s) on 4 physical CPU(s), stage 2 44-bit IPA from level 0") != std::string::npos);
    CHECK(std::regex_search(r.err, std::regex("hvemu:   CpuUp +4\\b")));
    CHECK(std::regex_search(r.err, std::regex("hvemu:   CpuDown +3\\b")));
    CHECK(std::regex_search(r.err, std::regex("hvemu:   SendIpi +4\\b")));
    CHECK(std::regex_search(r.err, std::regex("hvemu:   SystemDown +1\\b")));
}

TEST_CASE("hvemu run --arch aarch64 --trace exits: A64 disassembly and the decoded exit", "[cli][vmm][arm]") {
    const Run r = hvemu("run --arch aarch64 --kernel " + guest("hello.elf") + " --trace exits");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find("PASS: hello") != std::string::npos);
    CHECK(r.err.find(" hvc #0 -> Nothing") != std::string::npos);
    CHECK(r.err.find("-> MmioWrite addr=0x9000000 width=4") != std::string::npos);
    CHECK(r.err.find(" str w") != std::string::npos);
    CHECK(r.err.find(" hvc #0 -> SystemDown") != std::string::npos);
}

TEST_CASE("hvemu run --arch aarch64 --trace-json: exits carry esr_el2 and A64 instructions", "[cli][vmm][arm]") {
    const fs::path json = scratch() / "trace.json";
    const Run r = hvemu("run --arch aarch64 --kernel " + guest("hello.elf") + " --trace-json '" + json.string() + "'");
    CHECK(r.status == 0);
    const std::string j = slurp(json);
    CHECK(j.find("\"esr_el2\":\"0x5a000000\"") != std::string::npos);   // HVC64, IL, imm 0
    CHECK(j.find("\"insn\":\"hvc #0\"") != std::string::npos);
    CHECK(j.find("\"scause\"") == std::string::npos);
}

TEST_CASE("hvemu run --arch aarch64 --dumpdtb: QEMU virt's nodes with PSCI over HVC", "[cli][vmm][arm]") {
    const fs::path dtb = scratch() / "vm.dtb";
    const Run r = hvemu("run --arch aarch64 --smp 2 --kernel " + guest("hello.elf") + " --dumpdtb '" + dtb.string() + "'");
    CHECK(r.status == 0);
    const std::string b = slurp(dtb);
    REQUIRE(b.size() > 64);
    CHECK(static_cast<unsigned char>(b[0]) == 0xd0);
    CHECK(static_cast<unsigned char>(b[3]) == 0xed);
    CHECK(b.find("arm,gic-v3") != std::string::npos);
    CHECK(b.find("arm,pl011") != std::string::npos);
    CHECK(b.find(std::string("hvc\0", 4)) != std::string::npos);
}

TEST_CASE("hvemu run --arch aarch64: the exit hypercall's status, bad options in one line", "[cli][vmm][arm]") {
    const Run ok = hvemu("run --arch aarch64 --kernel " + guest("hypercall.elf"));
    CHECK(ok.status == 0);
    CHECK(ok.out.find("printed by the hvemu print hypercall\n") != std::string::npos);
    const Run gstage = hvemu("run --arch aarch64 --gstage sv48x4 --kernel " + guest("hello.elf"));
    CHECK(gstage.status == 2);
    CHECK(gstage.err.find("--gstage") != std::string::npos);
    const Run arch = hvemu("run --arch arm --kernel " + guest("hello.elf"));
    CHECK(arch.status == 2);
    CHECK(arch.err.find("supported: riscv64, aarch64") != std::string::npos);
    const Run missing = hvemu("run --arch aarch64 --kernel /nonexistent.elf");
    CHECK(missing.status == 2);
}
