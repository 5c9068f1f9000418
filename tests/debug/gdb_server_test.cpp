// The GDB stub over a socketpair: scripted packets in, replies checked.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include "emu/debug/gdb_server.hpp"
#include "emu/debug/riscv_gdb_target.hpp"

using namespace hvemu;
using namespace hvemu::emu::debug;

namespace {
constexpr uint64_t kBase = 0x80000000;
constexpr uint32_t kAddiA0 = 0x00150513;   // addi a0, a0, 1

struct Rig {
    isa::PhysMem mem;
    std::unique_ptr<rv::Hart> hart;
    std::unique_ptr<RiscvHartsTarget> target;
    std::unique_ptr<GdbServer> server;
    int client = -1;
    Rig() {
        mem.add_ram(kBase, 0x10000);
        for (unsigned i = 0; i < 16; i++) {
            uint32_t w = kAddiA0;
            mem.write_block(kBase + 4 * i, &w, 4);
        }
        rv::HartConfig cfg;
        cfg.reset_pc = kBase;
        hart = std::make_unique<rv::Hart>(mem, cfg);
        hart->reset();
        target = std::make_unique<RiscvHartsTarget>(std::vector<rv::Hart*>{hart.get()});
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        client = sv[0];
        server = std::make_unique<GdbServer>(*target, sv[1]);
    }
    ~Rig() { ::close(client); }
    void script(std::initializer_list<std::string> packets) {
        std::string all;
        for (const auto& p : packets) all += p == "\x03" ? p : frame_packet(p);
        REQUIRE(::write(client, all.data(), all.size()) == static_cast<ssize_t>(all.size()));
    }
    // Everything the stub sent, with acks.
    std::string replies() {
        server.reset();   // closes the stub's end
        std::string out;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(client, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
        return out;
    }
    // The run loop in debug mode: returns false when killed.
    bool run(unsigned n) {
        for (unsigned i = 0; i < n; i++) {
            if (!server->before_insn(0)) return false;
            hart->run(1);
        }
        return true;
    }
};

bool has(const std::string& s, const std::string& payload) { return s.find(frame_packet(payload)) != std::string::npos; }
} // namespace

TEST_CASE("gdb stub: attach, registers, memory, description, threads", "[gdb]") {
    Rig r;
    r.hart->x[10] = 0x1234;
    r.script({"qSupported:multiprocess+", "?", "p20", "pa", "m80000000,4", "qfThreadInfo", "qsThreadInfo", "qC",
              "qXfer:features:read:target.xml:0,40", "Pa=ff00000000000000", "p99", "m0,4", "vMustReplyEmpty",
              "qRcmd," + to_hex("help"), "D"});
    CHECK(r.server->wait_for_attach());
    CHECK(r.hart->x[10] == 0xff);
    const std::string out = r.replies();
    CHECK(has(out, "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+"));
    CHECK(has(out, "T05thread:1;"));
    CHECK(has(out, "0000008000000000"));   // pc, little-endian
    CHECK(has(out, "3412000000000000"));   // a0
    CHECK(has(out, "13051500"));           // the addi
    CHECK(has(out, "m1"));
    CHECK(has(out, "l"));
    CHECK(has(out, "QC1"));
    CHECK(out.find("$m<?xml") != std::string::npos);
    CHECK(has(out, "E01"));                // p99: no such register
    CHECK(has(out, "E14"));                // m0,4: not RAM
    CHECK(out.find(to_hex("hvemu monitor commands")) != std::string::npos);
}

TEST_CASE("gdb stub: breakpoint, continue, step, kill", "[gdb]") {
    Rig r;
    r.script({"Z0,80000008,4", "c", "s", "s", "g", "z0,80000008,4", "k"});
    CHECK(r.server->wait_for_attach());
    // Runs to the breakpoint (two instructions), steps twice, then is killed.
    CHECK_FALSE(r.run(100));
    CHECK(r.hart->pc == kBase + 16);
    CHECK(r.hart->x[10] == 4);
    const std::string out = r.replies();
    size_t stops = 0;
    for (size_t p = out.find(frame_packet("T05thread:1;")); p != std::string::npos;
         p = out.find(frame_packet("T05thread:1;"), p + 1))
        stops++;
    CHECK(stops == 3);   // breakpoint, step, step
}

TEST_CASE("gdb stub: a vmexit-break stops with the vmexit key", "[gdb]") {
    Rig r;
    r.server->exit_kind_name = [](unsigned k) { return k == 1 ? std::string("MmioRead") : std::string("Other"); };
    r.server->num_exit_kinds = 2;
    r.script({"qRcmd," + to_hex("vmexit-break MmioRead"), "c", "qRcmd," + to_hex("exit"), "c", "qRcmd," + to_hex("vmexit-break nosuch"), "k"});
    CHECK(r.server->wait_for_attach());
    CHECK(r.server->on_vmexit(0, 0, "Other"));        // not selected: no stop
    CHECK(r.server->on_vmexit(0, 1, "MmioRead addr=0x10000000"));
    CHECK_FALSE(r.server->on_vmexit(0, 1, "again"));
    const std::string out = r.replies();
    CHECK(has(out, "T05vmexit:1;thread:1;"));
    CHECK(out.find(to_hex("vcpu 0: MmioRead addr=0x10000000")) != std::string::npos);
    CHECK(out.find(to_hex("unknown exit kind 'nosuch'")) != std::string::npos);
}

TEST_CASE("gdb stub: garbage on the wire is nacked and survived", "[gdb]") {
    Rig r;
    const std::string junk = "$g#00xyz$$$#}}}*+-$m1,2#zz";
    REQUIRE(::write(r.client, junk.data(), junk.size()) == static_cast<ssize_t>(junk.size()));
    r.script({"qC", "D"});
    CHECK(r.server->wait_for_attach());
    const std::string out = r.replies();
    CHECK(out.find('-') != std::string::npos);
    CHECK(has(out, "QC1"));
}

TEST_CASE("gdb stub: a write watchpoint stops after the store", "[gdb]") {
    Rig r;
    const uint32_t sd_a0_t0 = 0x00a2b023;   // sd a0, 0(t0)
    r.mem.write_block(kBase + 8, &sd_a0_t0, 4);
    r.hart->x[5] = kBase + 0x1000;
    r.script({"Z2,80001000,8", "c", "z2,80001000,8", "k"});
    CHECK(r.server->wait_for_attach());
    CHECK_FALSE(r.run(100));
    CHECK(r.hart->pc == kBase + 12);   // stopped after the store
    CHECK(has(r.replies(), "T05watch:80001000;thread:1;"));
}

TEST_CASE("gdb stub: a step masks interrupts unless step-interrupts is on", "[gdb]") {
    Rig r;
    r.script({"s", "qRcmd," + to_hex("step-interrupts on"), "s", "k"});
    CHECK(r.server->wait_for_attach());
    CHECK(r.server->before_insn(0));
    CHECK(r.server->step_masks_interrupts(0));   // the first step: masked
    r.hart->run(1);
    CHECK(r.server->before_insn(0));             // stopped; step-interrupts on; stepped again
    CHECK_FALSE(r.server->step_masks_interrupts(0));
    r.hart->run(1);
    CHECK_FALSE(r.server->before_insn(0));       // killed
    (void)r.replies();
}

TEST_CASE("gdb stub: monitor walk prints the translation", "[gdb]") {
    Rig r;
    r.script({"qRcmd," + to_hex("walk 80000010"), "qRcmd," + to_hex("walk zz"), "qRcmd," + to_hex("phys on"),
              "m80000000,4", "D"});
    CHECK(r.server->wait_for_attach());
    const std::string out = r.replies();
    CHECK(out.find(to_hex("hart: 0x80000010 -> 0x80000010")) != std::string::npos);
    CHECK(out.find(to_hex("usage: monitor walk")) != std::string::npos);
    CHECK(out.find(to_hex("memory by physical address")) != std::string::npos);
    CHECK(has(out, "13051500"));   // the addi, read by physical address
}

TEST_CASE("gdb stub: read and access watchpoints stop after the load", "[gdb]") {
    Rig r;
    const uint32_t ld_a1_t0 = 0x0002b583;   // ld a1, 0(t0)
    r.mem.write_block(kBase + 8, &ld_a1_t0, 4);
    r.hart->x[5] = kBase + 0x1004;
    SECTION("Z3") {
        r.script({"Z3,80001000,8", "Z2,80001000,8", "c", "k"});
        CHECK(r.server->wait_for_attach());
        CHECK_FALSE(r.run(100));
        CHECK(r.hart->pc == kBase + 12);
        CHECK(has(r.replies(), "T05rwatch:80001000;thread:1;"));
    }
    SECTION("Z4, not overlapping: runs on") {
        r.script({"Z4,80001100,4", "c"});
        CHECK(r.server->wait_for_attach());
        CHECK(r.run(16));
        (void)r.replies();
    }
}
