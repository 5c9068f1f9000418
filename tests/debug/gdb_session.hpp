// One gdb-multiarch batch session against hvemu's GDB stub, for the tests
// that drive the stub with a real GDB: tests/debug/gdb_session.sh starts
// `hvemu run` with the stub waiting (-S) on a free port, runs GDB with the
// given commands, and makes sure hvemu is gone afterwards.
#pragma once
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

namespace hvemu::test {

inline const std::string kHvemuBinary = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";

// A port no one listens on now: bind port 0 and let the kernel choose.
inline unsigned free_port() {
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

inline bool have_gdb() { return std::system("command -v gdb-multiarch >/dev/null 2>&1") == 0; }

// guests/<dir>/<name> in the build tree. The test fails (it is not skipped)
// when gdb-multiarch or the guest is missing: build.sh installs the one and
// the build makes the other.
inline std::string gdb_guest(const std::string& dir, const std::string& name) {
    const std::string elf = std::string(HVEMU_BINARY_DIR) + "/guests/" + dir + "/" + name;
    INFO("needs gdb-multiarch (Debian package gdb-multiarch) and the " << dir << " guests");
    REQUIRE(have_gdb());
    REQUIRE(std::filesystem::exists(elf));
    return elf;
}

// Runs one session: hvemu with `hvemu_args`, GDB with `gdb_commands` after
// it connected (`gdb_arch`, when given, is set before GDB reads the ELF).
// Returns everything both printed; the last line is "hvemu-status N".
inline std::string gdb_session(const std::string& elf, const std::string& gdb_commands, const std::string& hvemu_args,
                               const std::string& gdb_arch = "") {
    namespace fs = std::filesystem;
    const unsigned port = free_port();
    const fs::path cmds = fs::temp_directory_path() / fmt::format("hvemu-gdb-{}-{}.gdb", ::getpid(), port);
    {
        std::ofstream f(cmds);
        f << gdb_commands;
    }
    const fs::path out = cmds.string() + ".out";
    const std::string script = std::string(HVEMU_SOURCE_DIR) + "/tests/debug/gdb_session.sh";
    const std::string cmd = fmt::format("GDB_ARCH='{}' sh '{}' '{}' {} '{}' '{}' {} >'{}' 2>&1 </dev/null", gdb_arch,
                                        script, elf, port, cmds.string(), kHvemuBinary, hvemu_args, out.string());
    (void)std::system(cmd.c_str());
    std::ifstream f(out);
    std::stringstream s;
    s << f.rdbuf();
    fs::remove(cmds);
    fs::remove(out);
    return s.str();
}

} // namespace hvemu::test
