// The GDB stub of a test over a socketpair: packets written to the client
// end, the stub serving the other; replies() ends the stub and returns
// everything it sent.
#pragma once
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "emu/debug/gdb_packet.hpp"
#include "emu/debug/gdb_server.hpp"

namespace hvemu::emu::debug::test {

struct StubPipe {
    std::unique_ptr<GdbServer> server;
    int client = -1;

    void open(GdbTarget& target) {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        client = sv[0];
        server = std::make_unique<GdbServer>(target, sv[1]);
    }
    ~StubPipe() {
        if (client >= 0) ::close(client);
    }
    void send(const std::string& s) { REQUIRE(::write(client, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
    std::string replies() {
        server.reset();
        std::string out;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(client, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
        return out;
    }
};

// Whether the stub sent `payload` as one packet.
inline bool has_packet(const std::string& s, const std::string& payload) {
    return s.find(frame_packet(payload)) != std::string::npos;
}

} // namespace hvemu::emu::debug::test
