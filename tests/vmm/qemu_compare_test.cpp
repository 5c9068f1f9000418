// The VM guests that use only SBI and QEMU virt's devices boot the same
// ELF under qemu-system-riscv64 with Debian's OpenSBI (fw_jump, which starts
// its payload at 0x80200000 in S-mode) and print the same: hvemu's output
// must be exactly what QEMU prints after OpenSBI's banner (OpenSBI's
// console turns "\n" into "\r\n"; carriage returns are dropped first). These tests fail
// with a clear message, rather than being skipped, when QEMU or OpenSBI is
// missing (Debian packages qemu-system-misc and opensbi).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace {

const std::string kHvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";
const std::string kGuests = std::string(HVEMU_BINARY_DIR) + "/guests/riscv64-vm/";
const std::string kOpenSbi = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin";

struct Run {
    int status = -1;
    std::string out;
};

Run run(const std::string& cmd, const std::string& stdin_file) {
    const fs::path out = fs::temp_directory_path() / fmt::format("hvemu-qemu-cmp-{}.out", ::getpid());
    const std::string full = fmt::format("timeout 120 {} >'{}' 2>&1 <'{}'", cmd, out.string(), stdin_file);
    const int rc = std::system(full.c_str());
    Run r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    std::ifstream f(out);
    std::stringstream s;
    s << f.rdbuf();
    r.out = s.str();
    fs::remove(out);
    return r;
}

void compare(const std::string& name, unsigned smp = 1, const std::string& input = "") {
    const std::string elf = kGuests + name + ".elf";
    INFO("guest " << elf);
    REQUIRE(fs::exists(elf));
    REQUIRE(fs::exists(kHvemu));
    INFO("qemu-system-riscv64 (Debian package qemu-system-misc) and " << kOpenSbi << " (package opensbi) are needed");
    REQUIRE(std::system("command -v qemu-system-riscv64 >/dev/null 2>&1") == 0);
    REQUIRE(fs::exists(kOpenSbi));
    std::string in = "/dev/null";
    const fs::path in_file = fs::temp_directory_path() / fmt::format("hvemu-qemu-cmp-{}.in", ::getpid());
    if (!input.empty()) {
        std::ofstream(in_file, std::ios::binary) << input;
        in = in_file.string();
    }
    const Run q = run(fmt::format("qemu-system-riscv64 -machine virt -smp {} -m 128M -bios '{}' -kernel '{}' "
                                  "-nographic -monitor none",
                                  smp, kOpenSbi, elf),
                      in);
    const Run h = run(fmt::format("'{}' run --arch riscv64 --smp {} --kernel '{}'", kHvemu, smp, elf), in);
    if (!input.empty()) fs::remove(in_file);
    // OpenSBI's console driver writes "\r\n" for "\n"; the UART by itself does not.
    std::string qout;
    for (char c : q.out)
        if (c != '\r') qout += c;
    INFO("QEMU output:\n" << qout);
    INFO("hvemu output:\n" << h.out);
    CHECK(q.status == 0);
    CHECK(h.status == 0);
    REQUIRE_FALSE(h.out.empty());
    // QEMU's console starts with OpenSBI's banner; the guest's part follows it.
    REQUIRE(qout.size() >= h.out.size());
    CHECK(qout.substr(qout.size() - h.out.size()) == h.out);
    CHECK(qout.find("OpenSBI") != std::string::npos);
}

} // namespace

TEST_CASE("QEMU + OpenSBI and hvemu print the same: hello (SBI console)", "[vmm][qemu]") { compare("hello"); }
TEST_CASE("QEMU + OpenSBI and hvemu print the same: uart (16550 by MMIO)", "[vmm][qemu]") { compare("uart"); }
TEST_CASE("QEMU + OpenSBI and hvemu print the same: paging (Sv39 in the guest)", "[vmm][qemu]") { compare("paging"); }
TEST_CASE("QEMU + OpenSBI and hvemu print the same: timer (SBI timer interrupts)", "[vmm][qemu]") { compare("timer"); }
TEST_CASE("QEMU + OpenSBI and hvemu print the same: uart_irq (PLIC, input from a file)", "[vmm][qemu]") {
    compare("uart_irq", 1, "\nhello plic\nsecond Line\nquit\n");
}
TEST_CASE("QEMU + OpenSBI and hvemu print the same: smp (HSM and IPIs on four harts)", "[vmm][qemu]") {
    compare("smp", 4);
}
