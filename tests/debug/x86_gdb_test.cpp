// The x86-64 GDB targets: the description GDB's amd64 code reads, register
// numbering and round trips (general, x87, SSE), memory through the
// debugger's paging walk, `monitor walk`, a vmexit-break stop, and Ctrl-C
// while a core runs. (x86_gdb_batch_test.cpp drives gdb-multiarch.)
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "emu/debug/gdb_packet.hpp"
#include "emu/debug/gdb_server.hpp"
#include "emu/debug/x86_gdb_target.hpp"
#include "tests/debug/stub_pipe.hpp"
#include "isa/x86/paging_bits.hpp"

using namespace hvemu;
using namespace hvemu::emu::debug;

namespace {

constexpr uint64_t kRam = 0x400000;

struct Rig {
    isa::PhysMem mem;
    std::unique_ptr<x86::Core> core;
    std::unique_ptr<X86GdbTarget> target;
    Rig() {
        mem.add_ram(0, kRam);
        core = std::make_unique<x86::Core>(mem, x86::CoreConfig{});
        core->reset();
        target = std::make_unique<X86GdbTarget>(std::vector<x86::Core*>{core.get()});
    }
    // 4-level paging: linear 0x7f0000201000 -> physical 0x3000 (4 KiB page),
    // tables at 0x100000.. ; long mode flags set directly.
    void long_mode_paging() {
        using namespace x86::paging;
        auto put = [&](uint64_t pa, uint64_t v) { mem.write_block(pa, &v, 8); };
        const uint64_t la = 0x7f0000201000;
        put(0x100000 + ((la >> 39) & 511) * 8, 0x101000 | kPteP | kPteRw);
        put(0x101000 + ((la >> 30) & 511) * 8, 0x102000 | kPteP | kPteRw);
        put(0x102000 + ((la >> 21) & 511) * 8, 0x103000 | kPteP | kPteRw);
        put(0x103000 + ((la >> 12) & 511) * 8, 0x3000 | kPteP | kPteRw | kPteA);
        core->cr3 = 0x100000;
        core->cr4 |= kCr4Pae;
        core->efer |= kEferLme | kEferLma;
        core->cr0 |= kCr0Pg | kCr0Pe;
    }
};

bool read_bytes(GdbTarget& t, unsigned regno, std::vector<uint8_t>& out) {
    out.assign(t.register_size(regno), 0);
    return t.read_register_bytes(0, regno, out.data());
}

} // namespace

TEST_CASE("x86 gdb target: the description numbers registers as GDB's amd64 code does", "[debug][x86][unit]") {
    const std::string xml = x86_target_xml();
    CHECK(xml.find("<architecture>i386:x86-64</architecture>") != std::string::npos);
    for (const char* f : {"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.segments",
                          "org.hvemu.x86.system", "org.hvemu.x86.vmx"})
        CHECK(xml.find(fmt::format("<feature name=\"{}\">", f)) != std::string::npos);
    // Well-formed enough for GDB's parser: features balanced, every reg
    // element closed, regnums 0..N-1 once each with the size the stub uses.
    auto count = [&](const std::string& s) {
        size_t n = 0;
        for (size_t p = xml.find(s); p != std::string::npos; p = xml.find(s, p + 1)) n++;
        return n;
    };
    CHECK(count("<feature ") == count("</feature>"));
    CHECK(count("<union ") == count("</union>"));
    CHECK(count("<flags ") == count("</flags>"));
    CHECK(count("<target ") == 1);
    CHECK(count("</target>") == 1);
    const std::regex reg("<reg name=\"([a-z0-9_]+)\" bitsize=\"(\\d+)\" type=\"[a-z0-9_]+\" regnum=\"(\\d+)\"[^>]*/>");
    std::set<unsigned> seen;
    std::map<std::string, unsigned> by_name;
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), reg); it != std::sregex_iterator(); ++it) {
        const unsigned bits = static_cast<unsigned>(std::stoul((*it)[2])), regnum = static_cast<unsigned>(std::stoul((*it)[3]));
        INFO((*it)[1]);
        CHECK(seen.insert(regnum).second);
        CHECK(x86_register_size(regnum) * 8 == bits);
        by_name[(*it)[1]] = regnum;
    }
    CHECK(seen.size() == count("<reg "));
    CHECK(*seen.rbegin() == seen.size() - 1);
    CHECK(x86_register_size(static_cast<unsigned>(seen.size())) == 0);
    // GDB's amd64 numbering (amd64-tdep.h): the g packet layout.
    CHECK(by_name.at("rax") == 0);
    CHECK(by_name.at("rbx") == 1);
    CHECK(by_name.at("rsp") == 7);
    CHECK(by_name.at("r15") == 15);
    CHECK(by_name.at("rip") == 16);
    CHECK(by_name.at("eflags") == 17);
    CHECK(by_name.at("gs") == 23);
    CHECK(by_name.at("st0") == 24);
    CHECK(by_name.at("fop") == 39);
    CHECK(by_name.at("xmm0") == 40);
    CHECK(by_name.at("mxcsr") == 56);
    CHECK(by_name.at("exit_reason") == x86reg::kVmx0);
    CHECK(by_name.count("guest_physical_address"));
    CHECK(by_name.count("idt_vectoring_info"));
    CHECK(by_name.count("vm_instruction_error"));
}

TEST_CASE("x86 gdb target: general, segment, x87 and SSE registers round trip", "[debug][x86][unit]") {
    Rig r;
    X86GdbTarget& t = *r.target;
    for (unsigned i = 0; i < 16; i++) r.core->gpr[i] = 0x1000 + i;   // encoding order
    // GDB order rax rbx rcx rdx rsi rdi rbp rsp = encoding 0 3 1 2 6 7 5 4.
    CHECK(t.read_register(0, 1) == 0x1003u);
    CHECK(t.read_register(0, 2) == 0x1001u);
    CHECK(t.read_register(0, 4) == 0x1006u);
    CHECK(t.read_register(0, 7) == 0x1004u);
    CHECK(t.read_register(0, 12) == 0x100cu);
    CHECK(t.write_register(0, 6, 0xdeadbeefcafe));   // rbp
    CHECK(r.core->gpr[5] == 0xdeadbeefcafe);
    CHECK(t.write_register(0, x86reg::kRip, 0x7000));
    CHECK(r.core->rip == 0x7000);
    CHECK(t.read_register(0, x86reg::kRip) == 0x7000u);
    // eflags: the reserved bits stay as the architecture fixes them.
    CHECK(t.write_register(0, x86reg::kEflags, 0xffffffff));
    CHECK(r.core->rflags == 0x3f7fd7);
    // Segments: the selector is shown; a load needs a descriptor (refused).
    r.core->seg[x86::SS].selector = 0x18;
    CHECK(t.read_register(0, x86reg::kCs + 1) == 0x18u);
    CHECK_FALSE(t.write_register(0, x86reg::kCs + 1, 0x20));
    CHECK(t.write_register(0, x86reg::kFsBase, 0xffff800000001000));
    CHECK(r.core->seg[x86::FS].base == 0xffff800000001000);
    CHECK(t.read_register(0, x86reg::kGsBase) == r.core->seg[x86::GS].base);
    // Control registers and EFER: shown, not written.
    r.core->cr3 = 0x123000;
    CHECK(t.read_register(0, x86reg::kCr3) == 0x123000u);
    CHECK_FALSE(t.write_register(0, x86reg::kCr3, 0));
    CHECK(t.write_register(0, x86reg::kCr2, 0xabc));
    CHECK(r.core->cr2 == 0xabc);
    // Outside VMX operation the VMCS fields are unavailable.
    CHECK_FALSE(t.read_register(0, x86reg::kVmx0));

    // xmm: 128 bits in target order.
    std::vector<uint8_t> b(16);
    for (unsigned i = 0; i < 16; i++) b[i] = static_cast<uint8_t>(0xa0 + i);
    CHECK(t.write_register_bytes(0, x86reg::kXmm0 + 3, b.data()));
    CHECK(std::memcmp(r.core->xmm[3], b.data(), 16) == 0);
    std::vector<uint8_t> back;
    CHECK(read_bytes(t, x86reg::kXmm0 + 3, back));
    CHECK(back == b);
    // st0: 80 bits; 1.0 is mantissa 0x8000000000000000, exponent 0x3fff.
    const uint8_t one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};
    CHECK(t.write_register_bytes(0, x86reg::kSt0, one));
    CHECK(std::memcmp(r.core->st[0], one, 10) == 0);
    CHECK(read_bytes(t, x86reg::kSt0, back));
    CHECK(back == std::vector<uint8_t>(one, one + 10));
    // The tag word: abridged in the model, full for GDB. ST0 = physical
    // register TOP (7 here) holds 1.0 (valid), the rest are empty.
    r.core->fsw = 7 << 11;
    r.core->ftw = 0x80;
    CHECK(t.read_register(0, x86reg::kFtag) == 0x3fffu);
    CHECK(t.write_register(0, x86reg::kFtag, 0xffff));
    CHECK(r.core->ftw == 0);
    CHECK(t.write_register(0, x86reg::kFctrl, 0x37f));
    CHECK(r.core->fcw == 0x37f);
    CHECK(t.write_register(0, x86reg::kMxcsr, 0x1fa0));
    CHECK(r.core->mxcsr == 0x1fa0);
    CHECK(t.read_register(0, x86reg::kMxcsr) == 0x1fa0u);
}

TEST_CASE("x86 gdb target: memory by linear address through 4-level paging, and monitor walk",
          "[debug][x86][unit]") {
    Rig r;
    r.long_mode_paging();
    X86GdbTarget& t = *r.target;
    const uint64_t v = 0x1122334455667788;
    r.mem.write_block(0x3008, &v, 8);
    uint64_t got = 0;
    CHECK(t.read_memory(0, 0x7f0000201008, reinterpret_cast<uint8_t*>(&got), 8, false));
    CHECK(got == v);
    const uint64_t w = 0xfeedface;
    CHECK(t.write_memory(0, 0x7f0000201010, reinterpret_cast<const uint8_t*>(&w), 8, false));
    got = 0;
    r.mem.read_block(0x3010, &got, 8);
    CHECK(got == w);
    CHECK_FALSE(t.read_memory(0, 0x7f0000202000, reinterpret_cast<uint8_t*>(&got), 8, false));   // not mapped
    CHECK(t.read_memory(0, 0x3008, reinterpret_cast<uint8_t*>(&got), 8, true));                  // physical
    CHECK(got == v);
    // The walk reads no accessed/dirty flags into the tables.
    uint64_t pte = 0;
    r.mem.read_block(0x100000 + ((0x7f0000201000 >> 39) & 511) * 8, &pte, 8);
    CHECK_FALSE(pte & x86::paging::kPteA);

    const std::string walk = *t.monitor(0, "walk 0x7f0000201008");
    INFO(walk);
    CHECK(walk.find("4-level paging, CR3 0x100000, no EPT") != std::string::npos);
    CHECK(walk.find("PML4 entry 0xfe at 0x1007f0 = 0x0000000000101003 P RW") != std::string::npos);
    CHECK(walk.find("PDPT entry 0x0 at 0x101000") != std::string::npos);
    CHECK(walk.find("PD   entry 0x1 at 0x102008") != std::string::npos);
    CHECK(walk.find("PT   entry 0x1 at 0x103008 = 0x0000000000003023 P RW A") != std::string::npos);
    CHECK(walk.find("paging: 0x7f0000201008 -> 0x3008") != std::string::npos);
    const std::string miss = *t.monitor(0, "walk 7f0000202000");
    CHECK(miss.find("PT   entry 0x2 at 0x103010 = 0x0000000000000000 -") != std::string::npos);
    CHECK(miss.find("not present: a page fault") != std::string::npos);
    CHECK(t.monitor(0, "walk zz")->find("usage: monitor walk") != std::string::npos);
    CHECK(t.monitor(0, "vmcs") == std::string("no current VMCS\n"));
    CHECK_FALSE(t.monitor(0, "nosuch"));
}

TEST_CASE("x86 gdb target: the EPT stage of the debugger's walk", "[debug][x86][unit]") {
    isa::PhysMem mem;
    mem.add_ram(0, kRam);
    auto put = [&](uint64_t pa, uint64_t v) { mem.write_block(pa, &v, 8); };
    // EPT (4 KiB pages): gpa 0x5000 -> hpa 0x9000, and the guest's page
    // tables at gpa 0x6000 / 0x7000 -> hpa 0xa000 / 0xb000.
    put(0x10000, 0x11000 | 7);
    put(0x11000, 0x12000 | 7);
    put(0x12000, 0x13000 | 7);
    put(0x13000 + 5 * 8, 0x9000 | 7 | 6 << 3);
    put(0x13000 + 6 * 8, 0xa000 | 7 | 6 << 3);
    put(0x13000 + 7 * 8, 0xb000 | 7 | 6 << 3);
    // 32-bit paging: CR3 = gpa 0x6000; PDE 0 -> PT at gpa 0x7000; PTE 4 -> gpa 0x5000.
    const uint32_t pde = 0x7000 | 3, pte = 0x5000 | 3;
    mem.write_block(0xa000, &pde, 4);
    mem.write_block(0xb000 + 4 * 4, &pte, 4);
    X86PagingState s;
    s.cr0 = x86::paging::kCr0Pg | x86::paging::kCr0Pe;
    s.cr3 = 0x6000;
    s.ept = true;
    s.eptp = 0x10000 | 3 << 3 | 6;
    CHECK(x86_translate(mem, s, 0x4123) == std::optional<uint64_t>(0x9123));
    CHECK_FALSE(x86_translate(mem, s, 0x8000));   // PTE 8: empty
    const std::string out = x86_walk_report(mem, s, 0x4123);
    INFO(out);
    CHECK(out.find("32-bit paging, CR3 0x6000, EPTP 0x1001e") != std::string::npos);
    CHECK(out.find("PD   entry 0x0 at 0x6000 (host 0xa000) = 0x0000000000007003 P RW") != std::string::npos);
    CHECK(out.find("PT   entry 0x4 at 0x7010 (host 0xb010)") != std::string::npos);
    CHECK(out.find("paging: 0x4123 -> 0x5123") != std::string::npos);
    CHECK(out.find("EPT PT   entry 0x5 at 0x13028 = 0x0000000000009037 RWX MT6") != std::string::npos);
    CHECK(out.find("EPT: 0x5123 -> 0x9123") != std::string::npos);
    s.eptp = 0x20000;   // an empty EPT
    CHECK(x86_walk_report(mem, s, 0x4123).find("not mapped by the EPT") != std::string::npos);
}

namespace {
// The stub over a socketpair with the core as its machine.
struct StubRig : Rig, test::StubPipe {
    StubRig() { open(*target); }
};
const auto& has = test::has_packet;
} // namespace

TEST_CASE("x86 gdb target: registers over the stub, and a vmexit-break on a chosen kind", "[debug][x86][unit]") {
    StubRig r;
    r.core->gpr[3] = 0x55aa;   // rbx
    r.server->exit_kind_name = [](unsigned k) { return k == 7 ? std::string("IoWrite") : std::string("Hypercall"); };
    r.server->num_exit_kinds = 8;
    r.send(frame_packet("p1") + frame_packet("P10=0020000000000000") + frame_packet("p18") +
           frame_packet("qRcmd," + to_hex("vmexit-break IoWrite")) + frame_packet("c") + frame_packet("k"));
    CHECK(r.server->wait_for_attach());
    CHECK(r.core->rip == 0x2000);                              // P10: rip
    CHECK(r.server->on_vmexit(0, 0, "Hypercall nr=1"));        // not chosen: runs on
    CHECK_FALSE(r.server->on_vmexit(0, 7, "IoWrite port=0x3f8"));   // stops; then killed
    const std::string out = r.replies();
    CHECK(has(out, "aa55000000000000"));
    CHECK(has(out, std::string(20, '0')));                     // p18: st0, 80 bits
    CHECK(has(out, "T05vmexit:7;thread:1;"));
}

TEST_CASE("x86 gdb target: Ctrl-C stops a running core", "[debug][x86][unit]") {
    StubRig r;
    const uint8_t spin[2] = {0xeb, 0xfe};   // jmp $
    r.mem.write_block(0x1000, spin, 2);
    r.core->seg[x86::CS].selector = 0;
    r.core->seg[x86::CS].base = 0;
    r.core->rip = 0x1000;
    r.send(frame_packet("c"));
    CHECK(r.server->wait_for_attach());
    std::atomic<bool> done{false};
    std::thread interrupter([&] {
        ::usleep(50'000);
        r.send("\x03");   // GDB's interrupt, while the core runs
        for (int i = 0; i < 400 && !done; i++) ::usleep(10'000);
        r.send(frame_packet("k"));
    });
    uint64_t n = 0;
    bool alive = true;
    while (alive && n < 100'000'000) {
        alive = r.server->before_insn(0);
        if (alive) r.core->run(1);
        n++;
    }
    done = true;
    interrupter.join();
    CHECK_FALSE(alive);          // stopped by Ctrl-C, then killed
    CHECK(r.core->rip == 0x1000);
    CHECK(has(r.replies(), "T02thread:1;"));
}
