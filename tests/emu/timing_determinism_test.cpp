// Guest-visible time comes only from the cycle model: every bundled guest,
// full-system and hosted, run twice under a timing profile gives the same
// output, the same exit status and the same --stats-json, byte for byte.
// On RISC-V the second run may interpret every instruction (--no-jit): the
// block compiler must not change a count, a cycle or a byte of output.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/emu/guest_runs.hpp"

using hvemu::test::hvemu_runs::kGuests;
using hvemu::test::hvemu_runs::kHvemu;
using hvemu::test::hvemu_runs::slurp;
namespace fs = std::filesystem;

namespace {

struct Run {
    int status = -1;
    std::string out, stats;
};

Run run(const std::string& args, const fs::path& dir, int n) {
    const fs::path out = dir / ("out" + std::to_string(n)), json = dir / ("stats" + std::to_string(n) + ".json");
    const std::string cmd = "'" + kHvemu + "' run " + args + " --stats-json '" + json.string() + "' >'" + out.string() +
                            "' 2>/dev/null </dev/null";
    const int raw = std::system(cmd.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(json)};
}

std::vector<std::string> elfs(const std::string& sub) {
    std::vector<std::string> v;
    const fs::path d = kGuests + sub;
    if (fs::is_directory(d))
        for (const auto& e : fs::directory_iterator(d))
            if (e.path().extension() == ".elf") v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    return v;
}

void check_twice(const std::string& sub, const std::string& mode_args, const std::string& second_args = "") {
    REQUIRE(fs::exists(kHvemu));   // build `hvemu` and the guests (`guests`, `guests-vm`) first
    const std::vector<std::string> guests = elfs(sub);
    REQUIRE(!guests.empty());
    const fs::path dir = fs::temp_directory_path() / ("hvemu-determinism-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (const std::string& g : guests) {
        INFO(sub << ": " << g);
        // --max-insns bounds guests that wait for input or run forever.
        const std::string args = mode_args + " --kernel '" + g + "' --max-insns 20000000";
        const Run a = run(args, dir, 1), b = run(args + second_args, dir, 2);
        CHECK(a.status == b.status);
        CHECK(a.out == b.out);
        CHECK(!a.stats.empty());
        CHECK(a.stats == b.stats);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
}

} // namespace

TEST_CASE("Full-system riscv64 guests run twice give the same output and statistics", "[timing][determinism]") {
    check_twice("riscv64", "--machine riscv64-virt --bios none --smp 2 --timing riscv-inorder");
}

TEST_CASE("Full-system riscv64 guests compiled and interpreted give the same output and statistics",
          "[timing][determinism][jit]") {
    check_twice("riscv64", "--machine riscv64-virt --bios none --smp 2", " --no-jit");
    check_twice("riscv64", "--machine riscv64-virt --bios none --smp 2 --timing riscv-inorder", " --no-jit");
}

TEST_CASE("Full-system aarch64 guests run twice give the same output and statistics", "[timing][determinism]") {
    check_twice("aarch64", "--machine aarch64-virt --smp 2 --timing arm-kvm-nvhe");
}

TEST_CASE("Hosted riscv64 VM guests run twice give the same output and statistics", "[timing][determinism]") {
    check_twice("riscv64-vm", "--arch riscv64 --smp 2 --timing riscv-inorder");
}

TEST_CASE("Hosted riscv64 VM guests compiled and interpreted give the same output and statistics",
          "[timing][determinism][jit]") {
    check_twice("riscv64-vm", "--arch riscv64 --smp 2 --timing riscv-inorder", " --no-jit");
}

TEST_CASE("Hosted aarch64 VM guests run twice give the same output and statistics", "[timing][determinism]") {
    check_twice("aarch64-vm", "--arch aarch64 --smp 2 --timing arm-kvm-nvhe");
}

TEST_CASE("Full-system x86_64 guests run twice give the same output and statistics", "[timing][determinism]") {
    check_twice("x86_64", "--machine x86_64-pc --smp 2 --timing skylake-vmx");
}

TEST_CASE("Hosted x86_64 VM guests run twice give the same output and statistics", "[timing][determinism]") {
    check_twice("x86_64-vm", "--arch x86_64 --smp 2 --timing skylake-vmx");
}
