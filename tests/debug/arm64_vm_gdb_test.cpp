// gdb-multiarch in batch mode against hvemu's GDB stub on a hosted Arm VM
// (tests/debug/gdb_session.sh runs one session): vCPUs as threads, break
// at main in the guest, the guest's registers (EL1), a step, vmexit-break
// on an MMIO exit with ESR_EL2 in the virtualization feature, and
// `monitor walk` through the guest's translation.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace {

const std::string kHvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";
const std::string kScript = std::string(HVEMU_SOURCE_DIR) + "/tests/debug/gdb_session.sh";

unsigned free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

bool have_gdb() { return std::system("command -v gdb-multiarch >/dev/null 2>&1") == 0; }
bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

std::string session(const std::string& name, const std::string& gdb_commands, const std::string& args) {
    const std::string elf = std::string(HVEMU_BINARY_DIR) + "/guests/aarch64-vm/" + name;
    INFO("needs gdb-multiarch (Debian package gdb-multiarch) and the aarch64-vm guests");
    REQUIRE(have_gdb());
    REQUIRE(fs::exists(elf));
    const fs::path cmds = fs::temp_directory_path() / fmt::format("hvemu-gdb-a64vm-{}-{}.gdb", ::getpid(), free_port());
    {
        std::ofstream f(cmds);
        f << "set architecture aarch64\n" << gdb_commands;
    }
    const fs::path out = cmds.string() + ".out";
    const std::string cmd = fmt::format("sh '{}' '{}' {} '{}' '{}' {} >'{}' 2>&1 </dev/null", kScript, elf,
                                        free_port(), cmds.string(), kHvemu, args, out.string());
    (void)std::system(cmd.c_str());
    std::ifstream f(out);
    std::stringstream s;
    s << f.rdbuf();
    fs::remove(cmds);
    fs::remove(out);
    return s.str();
}

} // namespace

TEST_CASE("gdb-multiarch: hosted Arm VM, break at main, EL1 registers, vmexit-break on MMIO with ESR_EL2",
          "[debug][gdb][arm64]") {
    const std::string out = session("hello.elf", R"GDB(info threads
break *main
continue
printf "at-main %d\n", $pc == (long)&main
printf "el %d\n", ($cpsr >> 2) & 3
set $x9 = 0x1234abcd
printf "x9 %lx\n", $x9
set $before = $pc
stepi
printf "stepped %d\n", $pc == $before + 4
monitor vmexit-break MmioWrite
continue
printf "ec %lx\n", $esr_el2 >> 26
printf "wnr %ld\n", ($esr_el2 >> 6) & 1
printf "hpfar %lx\n", $hpfar_el2
monitor walk 0x40200000
monitor vmexit-break off
monitor exit
continue
)GDB",
                                    "--arch aarch64 --smp 2");
    INFO(out);
    CHECK(contains(out, "vcpu 0"));
    CHECK(contains(out, "vcpu 1"));
    CHECK(contains(out, "at-main 1"));
    CHECK(contains(out, "el 1"));
    CHECK(contains(out, "x9 1234abcd"));
    CHECK(contains(out, "stepped 1"));
    CHECK(contains(out, "MmioWrite"));
    CHECK(contains(out, "ec 24"));          // a data abort from EL1
    CHECK(contains(out, "wnr 1"));
    CHECK(contains(out, "hpfar 90000"));    // the PL011 at 0x09000000, IPA >> 12 << 4
    CHECK(contains(out, "0x40200000"));
    CHECK(contains(out, "hvemu-status 0"));
}
