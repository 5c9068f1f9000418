// x86 read and access watchpoints: the data access the next instruction
// makes (x86_access.hpp) in each addressing form, and Z3/Z4 over the stub
// against a running core, stopping after the access.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <vector>

#include "emu/debug/gdb_packet.hpp"
#include "emu/debug/gdb_server.hpp"
#include "emu/debug/x86_access.hpp"
#include "emu/debug/x86_gdb_target.hpp"
#include "tests/debug/stub_pipe.hpp"

using namespace hvemu;
using namespace hvemu::emu::debug;

namespace {

// The access of `code` in `s`, with `mem` (linear address -> byte) for the
// compares of REPE/REPNE.
std::optional<X86DataAccess> access(std::vector<uint8_t> code, const X86AccessState& s,
                                    const std::map<uint64_t, uint8_t>& mem = {}) {
    return x86_data_access(code.data(), static_cast<unsigned>(code.size()), s,
                           [&](uint64_t addr, uint8_t* dst, size_t len) {
                               for (size_t k = 0; k < len; k++) {
                                   const auto it = mem.find(addr + k);
                                   if (it == mem.end()) return false;
                                   dst[k] = it->second;
                               }
                               return true;
                           });
}

void check(const std::optional<X86DataAccess>& a, uint64_t addr, unsigned len, bool read, bool write) {
    REQUIRE(a);
    CHECK(a->addr == addr);
    CHECK(a->len == len);
    CHECK(a->read == read);
    CHECK(a->write == write);
}

constexpr unsigned RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;

} // namespace

TEST_CASE("x86 watch: the ModRM memory operand in 64-bit mode, by instruction kind", "[debug][x86][unit]") {
    X86AccessState s;
    s.rip = 0x1000;
    s.gpr[RBX] = 0x2000;
    s.gpr[RCX] = 3;
    s.gpr[RDI] = 0x5000;
    s.gpr[RSI] = 0x6000;
    s.gpr[RDX] = 0x6100;
    s.seg_base[x86::FS] = 0x7000;
    s.seg_base[x86::DS] = 0x99000;   // ignored in 64-bit mode
    // mov rax, [rip + 0x100]: from the next instruction's address
    check(access({0x48, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00}, s), 0x1107, 8, true, false);
    // mov [rbx + rcx*4 + 0x10], eax
    check(access({0x89, 0x44, 0x8b, 0x10}, s), 0x201c, 4, false, true);
    // add dword [rdi], 1 (read-modify-write); cmp byte [rsi], 0 (read only)
    check(access({0x83, 0x07, 0x01}, s), 0x5000, 4, true, true);
    check(access({0x80, 0x3e, 0x00}, s), 0x6000, 1, true, false);
    // mov rax, fs:[0x28]: the FS base applies
    check(access({0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00}, s), 0x7028, 8, true, false);
    // lock xadd [rdx], ecx; movzx eax, byte [rbx]; mov word [rdi], 0x1234 (66 prefix)
    check(access({0xf0, 0x0f, 0xc1, 0x0a}, s), 0x6100, 4, true, true);
    check(access({0x0f, 0xb6, 0x03}, s), 0x2000, 1, true, false);
    check(access({0x66, 0xc7, 0x07, 0x34, 0x12}, s), 0x5000, 2, false, true);
    // a 32-bit address (67): the upper half of RBX is dropped
    s.gpr[RBX] = 0x100002000;
    check(access({0x67, 0x8b, 0x03}, s), 0x2000, 4, true, false);
    // bt [rbx], rcx with a bit offset of 200: the bit string goes on to qword 3
    s.gpr[RBX] = 0x2000;
    s.gpr[RCX] = 200;
    check(access({0x48, 0x0f, 0xa3, 0x0b}, s), 0x2018, 8, true, false);
    // setcc, movaps store, movss load
    check(access({0x0f, 0x94, 0x07}, s), 0x5000, 1, false, true);
    check(access({0x0f, 0x29, 0x06}, s), 0x6000, 16, false, true);
    check(access({0xf3, 0x0f, 0x10, 0x06}, s), 0x6000, 4, true, false);
    // SSE scalar forms read one element whatever the prefix makes the
    // operand size: ucomisd xmm0, [rsi] (66), addss xmm0, [rsi], mulsd
    // xmm1, [rsi]; cvtsi2sd xmm0, dword [rsi] reads the integer
    check(access({0x66, 0x0f, 0x2e, 0x06}, s), 0x6000, 8, true, false);
    check(access({0xf3, 0x0f, 0x58, 0x06}, s), 0x6000, 4, true, false);
    check(access({0xf2, 0x0f, 0x59, 0x0e}, s), 0x6000, 8, true, false);
    check(access({0xf2, 0x0f, 0x2a, 0x06}, s), 0x6000, 4, true, false);
    // x87: fld dword [rsi], fstp qword [rdi], fld tword [rsi], fistp word
    // [rdi], fnstenv [rdi] (28 bytes), fnsave [rdi] (108), fldcw [rsi]
    check(access({0xd9, 0x06}, s), 0x6000, 4, true, false);
    check(access({0xdd, 0x1f}, s), 0x5000, 8, false, true);
    check(access({0xdb, 0x2e}, s), 0x6000, 10, true, false);
    check(access({0xdf, 0x1f}, s), 0x5000, 2, false, true);
    check(access({0xd9, 0x37}, s), 0x5000, 28, false, true);
    check(access({0xdd, 0x37}, s), 0x5000, 108, false, true);
    check(access({0xd9, 0x2e}, s), 0x6000, 2, true, false);
    // no data access: lea, a register operand, nop with ModRM memory
    CHECK_FALSE(access({0x48, 0x8d, 0x43, 0x08}, s));
    CHECK_FALSE(access({0x89, 0xc8}, s));
    CHECK_FALSE(access({0x0f, 0x1f, 0x40, 0x00}, s));
}

TEST_CASE("x86 watch: the stack of PUSH, POP, CALL, RET and LEAVE", "[debug][x86][unit]") {
    X86AccessState s;
    s.gpr[RSP] = 0x8000;
    s.gpr[RBP] = 0x8100;
    s.gpr[RAX] = 0x3000;
    check(access({0x50}, s), 0x7ff8, 8, false, true);                      // push rax
    check(access({0x66, 0x50}, s), 0x7ffe, 2, false, true);                // push ax
    check(access({0x5b}, s), 0x8000, 8, true, false);                      // pop rbx
    check(access({0xe8, 0x00, 0x00, 0x00, 0x00}, s), 0x7ff8, 8, false, true);   // call rel32
    check(access({0xc3}, s), 0x8000, 8, true, false);                      // ret
    check(access({0xc9}, s), 0x8100, 8, true, false);                      // leave: from RBP
    check(access({0x9c}, s), 0x7ff8, 8, false, true);                      // pushf
    // the explicit operand of PUSH m / POP m / CALL m
    check(access({0xff, 0x30}, s), 0x3000, 8, true, false);                // push qword [rax]
    check(access({0x8f, 0x00}, s), 0x3000, 8, false, true);                // pop qword [rax]
    check(access({0xff, 0x10}, s), 0x3000, 8, true, false);                // call [rax]
    // 16-bit stack outside 64-bit mode: SP wraps, SS base added
    X86AccessState r;
    r.mode = x86::Mode::Bits16;
    r.gpr[RSP] = 0x12340000;
    r.seg_base[x86::SS] = 0x20000;
    check(access({0x50}, r), 0x2fffe, 2, false, true);                     // push ax
    r.stack32 = true;
    r.mode = x86::Mode::Bits32;
    check(access({0x50}, r), (0x20000 + 0x12340000 - 4) & 0xffffffff, 4, false, true);
}

TEST_CASE("x86 watch: string instructions use rSI and rDI, with REP the iterations of one step",
          "[debug][x86][unit]") {
    X86AccessState s;
    s.gpr[RSI] = 0x4000;
    s.gpr[RDI] = 0x5000;
    check(access({0x48, 0xa5}, s), 0x4000, 8, true, false);   // movsq: the source
    check(access({0xaa}, s), 0x5000, 1, false, true);         // stosb
    check(access({0xad}, s), 0x4000, 4, true, false);         // lodsd
    check(access({0xae}, s), 0x5000, 1, true, false);         // scasb reads ES:rDI
    s.gpr[RCX] = 10;
    check(access({0xf3, 0xaa}, s), 0x5000, 10, false, true);  // rep stosb
    check(access({0xf3, 0x48, 0xab}, s), 0x5000, 80, false, true);
    s.rflags = 1u << 10;                                       // DF: downwards, ending at rDI
    check(access({0xf3, 0xaa}, s), 0x5000 - 9, 10, false, true);
    s.rflags = 0;
    s.gpr[RCX] = 5000;                                         // one step runs 1024 iterations
    check(access({0xf3, 0xaa}, s), 0x5000, 1024, false, true);
    s.gpr[RCX] = 0;                                            // no iteration, no access
    CHECK_FALSE(access({0xf3, 0xaa}, s));
    // repne scasb (strlen): up to and including the NUL it stops at
    std::map<uint64_t, uint8_t> mem;
    const char text[] = "abc\0xyz";
    for (unsigned k = 0; k < sizeof text; k++) mem[0x5000 + k] = static_cast<uint8_t>(text[k]);
    s.gpr[RCX] = ~0ull;
    s.gpr[RAX] = 0;
    check(access({0xf2, 0xae}, s, mem), 0x5000, 4, true, false);
    // repe cmpsb: up to the first difference (source at rSI)
    for (unsigned k = 0; k < 8; k++) mem[0x4000 + k] = static_cast<uint8_t>(k < 5 ? text[k] : 0);
    mem[0x4002] = 'C';
    s.gpr[RCX] = 8;
    check(access({0xf3, 0xa6}, s, mem), 0x4000, 3, true, false);
    // segment override on the source; ES for the destination
    X86AccessState p;
    p.mode = x86::Mode::Bits32;
    p.gpr[RSI] = 0x10;
    p.gpr[RDI] = 0x20;
    p.seg_base[x86::DS] = 0x1000;
    p.seg_base[x86::FS] = 0x2000;
    p.seg_base[x86::ES] = 0x3000;
    check(access({0xa4}, p), 0x1010, 1, true, false);
    check(access({0x64, 0xa4}, p), 0x2010, 1, true, false);
    check(access({0x64, 0xaa}, p), 0x3020, 1, false, true);   // STOS: ES, no override
}

TEST_CASE("x86 watch: 16- and 32-bit addressing, segment bases, moffs and XLAT", "[debug][x86][unit]") {
    X86AccessState s;
    s.mode = x86::Mode::Bits16;
    s.seg_base[x86::DS] = 0x10000;
    s.seg_base[x86::SS] = 0x20000;
    s.gpr[RBX] = 0x100;
    s.gpr[RSI] = 0x20;
    s.gpr[RBP] = 0x300;
    check(access({0x8b, 0x40, 0x04}, s), 0x10124, 2, true, false);   // mov ax, [bx+si+4]
    check(access({0x89, 0x46, 0x02}, s), 0x20302, 2, false, true);   // mov [bp+2], ax: SS
    check(access({0xa1, 0x00, 0x20}, s), 0x12000, 2, true, false);   // mov ax, [0x2000]
    check(access({0xa2, 0x00, 0x20}, s), 0x12000, 1, false, true);   // mov [0x2000], al
    s.gpr[RAX] = 0x7;
    check(access({0xd7}, s), 0x10107, 1, true, false);               // xlat
    s.mode = x86::Mode::Bits32;
    s.gpr[RBX] = 0xfffffff0;
    check(access({0x8b, 0x43, 0x20}, s), (0x10000 + 0x10) & 0xffffffff, 4, true, false);   // wraps at 4 GiB
}

namespace {

constexpr uint64_t kRam = 0x400000;

// One core in real mode at 0x1000 (CS base 0), and the stub over a socketpair.
struct WatchRig : test::StubPipe {
    isa::PhysMem mem;
    std::unique_ptr<x86::Core> core;
    std::unique_ptr<X86GdbTarget> target;
    WatchRig() {
        mem.add_ram(0, kRam);
        core = std::make_unique<x86::Core>(mem, x86::CoreConfig{});
        core->reset();
        core->seg[x86::CS].selector = 0;
        core->seg[x86::CS].base = 0;
        core->rip = 0x1000;
        target = std::make_unique<X86GdbTarget>(std::vector<x86::Core*>{core.get()});
        open(*target);
    }
    // Runs until the stub ends the run (killed) or `limit` instructions.
    unsigned run(unsigned limit) {
        unsigned n = 0;
        for (; n < limit; n++) {
            if (!server->before_insn(0)) break;
            core->run(1);
        }
        return n;
    }
};

const auto& has = test::has_packet;

} // namespace

TEST_CASE("x86 watch: Z3 stops after the load, Z4 after the store, and a read watchpoint ignores the store",
          "[debug][x86][unit]") {
    WatchRig r;
    // A nop after each stop, so each access is the second instruction
    // after a resume (the next test has them back to back).
    const uint8_t code[] = {
        0x90,                     // 1000: nop
        0xa1, 0x00, 0x20,         // 1001: mov ax, [0x2000]
        0x90,                     // 1004: nop
        0x89, 0x1e, 0x00, 0x20,   // 1005: mov [0x2000], bx
        0x90,                     // 1009: nop
        0x8b, 0x0e, 0x10, 0x20,   // 100a: mov cx, [0x2010]
        0xeb, 0xfe,               // 100e: jmp $
    };
    r.mem.write_block(0x1000, code, sizeof code);
    const uint16_t v = 0xbeef;
    r.mem.write_block(0x2000, &v, 2);
    r.core->gpr[3] = 0x1234;   // bx
    // Z3 on the word: the load hits (stop at the nop, ax loaded). Then Z4 as
    // well: the store is no read, so only Z4 stops, after it.
    r.send(frame_packet("Z3,2000,2") + frame_packet("c") + frame_packet("p10") + frame_packet("p0") +
           frame_packet("Z4,2000,2") + frame_packet("c") + frame_packet("p10") + frame_packet("z3,2000,2") +
           frame_packet("z4,2000,2") + frame_packet("Z3,2011,1") + frame_packet("c") + frame_packet("p10") +
           frame_packet("k"));
    REQUIRE(r.server->wait_for_attach());
    r.run(1000);
    const std::string out = r.replies();
    INFO(out);
    CHECK(has(out, "T05rwatch:2000;thread:1;"));
    CHECK(has(out, "0410000000000000"));   // rip after the load
    CHECK(has(out, "efbe000000000000"));   // ax: the load ran before the stop
    CHECK(has(out, "T05awatch:2000;thread:1;"));
    CHECK(has(out, "0910000000000000"));   // rip after the store
    CHECK(has(out, "T05rwatch:2011;thread:1;"));   // a byte inside the word read at 0x2010
    CHECK(has(out, "0e10000000000000"));
    CHECK(out.find("rwatch:2000") == out.rfind("rwatch:2000"));   // the store did not stop the Z3
    CHECK(r.core->gpr[3] == 0x1234);
    uint16_t after = 0;
    r.mem.read_block(0x2000, &after, 2);
    CHECK(after == 0x1234);
}

TEST_CASE("x86 watch: the first instruction after a resume is watched too", "[debug][x86][unit]") {
    WatchRig r;
    const uint8_t code[] = {
        0xa1, 0x00, 0x20,         // 1000: mov ax, [0x2000]
        0x89, 0x1e, 0x00, 0x20,   // 1003: mov [0x2000], bx
        0xeb, 0xfe,               // 1007: jmp $
    };
    r.mem.write_block(0x1000, code, sizeof code);
    r.core->gpr[3] = 0x1234;   // bx
    // Z4: the load stops with rip at the store; continuing runs the store
    // first, and it stops again right after it.
    r.send(frame_packet("Z4,2000,2") + frame_packet("c") + frame_packet("p10") + frame_packet("c") +
           frame_packet("p10") + frame_packet("k"));
    REQUIRE(r.server->wait_for_attach());
    r.run(1000);
    const std::string out = r.replies();
    INFO(out);
    CHECK(has(out, "0310000000000000"));   // rip after the load
    CHECK(has(out, "0710000000000000"));   // rip after the store
    const size_t first = out.find("awatch:2000");
    REQUIRE(first != std::string::npos);
    CHECK(out.find("awatch:2000", first + 1) != std::string::npos);
}

TEST_CASE("x86 watch: a full-system core tells the access through its segments and paging",
          "[debug][x86][unit]") {
    isa::PhysMem mem;
    mem.add_ram(0, kRam);
    x86::Core core(mem, x86::CoreConfig{});
    core.reset();
    X86GdbTarget target({&core});
    // Real mode: CS:IP = f000:fff0 at reset; code at the linear address.
    const uint8_t load[] = {0x8b, 0x47, 0x02};   // mov ax, [bx+2]
    core.seg[x86::CS].base = 0x10000;
    core.rip = 0x100;
    mem.write_block(0x10100, load, sizeof load);
    core.seg[x86::DS].base = 0x30000;
    core.gpr[3] = 0x40;
    auto a = target.next_access(0);
    REQUIRE(a);
    CHECK(a->addr == 0x30042);
    CHECK(a->len == 2);
    CHECK(a->read);
    CHECK_FALSE(a->write);
    // 32-bit code (CS.D): the same bytes are mov eax, [edi+2]
    core.seg[x86::CS].attr |= 1u << 14;
    core.cr0 |= 1;
    core.gpr[7] = 0x80;
    a = target.next_access(0);
    REQUIRE(a);
    CHECK(a->addr == 0x30082);
    CHECK(a->len == 4);
    // Code that cannot be read: nothing to tell.
    core.rip = kRam;
    CHECK_FALSE(target.next_access(0));
}
