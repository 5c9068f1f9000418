// x86 general-purpose instruction semantics: short hand-assembled programs
// run in 64-bit mode (flat segments, identity-mapped 2 MiB pages) and in
// 32-bit flat protected mode; results and flags are checked against values
// computed by hand from the SDM's rules.
#include <catch2/catch.hpp>

#include <vector>

#include "isa/x86/exec.hpp"

using namespace hvemu::x86;
namespace rf = hvemu::x86::rflags;

namespace {

constexpr uint64_t kCode = 0x1000, kData = 0x8000, kStack = 0x7000;

struct Machine {
    hvemu::isa::PhysMem mem;
    std::unique_ptr<Core> core;

    explicit Machine(bool long_mode = true) {
        mem.add_ram(0, 0x400000);
        core = std::make_unique<Core>(mem, CoreConfig{});
        Core& c = *core;
        const uint16_t data_attr = long_mode ? 0x0093 : 0xc093;
        for (auto& s : c.seg) s = Segment{0x10, 0, 0xffffffff, data_attr};
        c.seg[CS] = Segment{0x08, 0, 0xffffffff, static_cast<uint16_t>(long_mode ? 0x209b : 0xc09b)};
        c.cr0 = 0x60000011 | (1u << 31) * long_mode;
        c.cr4 = 1u << 9;          // OSFXSR
        c.cr0 &= ~0x60000000ull;  // caches on
        if (long_mode) {
            // PML4 0x10000 -> PDPT 0x11000 -> PD 0x12000: 2 MiB pages over 0-1 GiB.
            put64(0x10000, 0x11000 | 3);
            put64(0x11000, 0x12000 | 3);
            for (uint64_t k = 0; k < 512; ++k) put64(0x12000 + 8 * k, (k << 21) | 0x83);
            c.cr3 = 0x10000;
            c.cr4 |= 1u << 5;     // PAE
            c.efer = (1u << 8) | (1u << 10);   // LME, LMA
        }
        // GDT at 0x30000: null, 0x08 code (64-bit or 32-bit), 0x10 data.
        c.gdtr = DescTable{0x30000, 0x17};
        put64(0x30008, long_mode ? 0x00209a0000000000ull : 0x00cf9a000000ffffull);
        put64(0x30010, 0x00cf92000000ffffull);
        c.update_context();
        c.flush_tlb();
        c.rip = kCode;
        c.gpr[4] = kStack;
    }
    void put64(uint64_t pa, uint64_t v) { mem.write(pa, 8, v); }
    uint64_t get(uint64_t pa, unsigned w) {
        uint64_t v = 0;
        mem.read(pa, w, v);
        return v;
    }
    // Loads the program followed by HLT and runs it to the HLT.
    StopReason run(std::vector<uint8_t> prog, uint64_t budget = 100000) {
        prog.push_back(0xf4);
        mem.write_block(kCode, prog.data(), prog.size());
        return core->run(budget);
    }
    Core& c() { return *core; }
};

constexpr uint64_t kArith = rf::CF | rf::PF | rf::AF | rf::ZF | rf::SF | rf::OF;

} // namespace

TEST_CASE("x86 exec: MOV, ADD/SUB/ADC/SBB flags and register width rules", "[x86][exec][unit]") {
    Machine m;
    m.c().gpr[0] = 0xffffffffffffffffull;
    // mov eax, 0x7fffffff ; add eax, 1   -> 0x80000000: OF SF AF, upper half zeroed
    REQUIRE(m.run({0xb8, 0xff, 0xff, 0xff, 0x7f, 0x83, 0xc0, 0x01}) == StopReason::Halt);
    CHECK(m.c().gpr[0] == 0x80000000);
    CHECK((m.c().rflags & kArith) == (rf::OF | rf::SF | rf::AF | rf::PF));
    CHECK(m.c().rip == kCode + 9);

    Machine m2;
    m2.c().gpr[3] = 0x1234567812345678ull;
    // mov bl, 0xff (byte: merges) ; add bl, 1 -> 0, CF ZF AF PF ; mov bh, 0x80 ; sub bh, 1 -> 0x7f: OF AF
    REQUIRE(m2.run({0xb3, 0xff, 0x80, 0xc3, 0x01}) == StopReason::Halt);
    CHECK(m2.c().gpr[3] == 0x1234567812345600ull);
    CHECK((m2.c().rflags & kArith) == (rf::CF | rf::ZF | rf::AF | rf::PF));
    Machine m3;
    m3.c().gpr[3] = 0x8000;
    REQUIRE(m3.run({0x80, 0xef, 0x01}) == StopReason::Halt);   // sub bh, 1
    CHECK(m3.c().gpr[3] == 0x7f00);
    CHECK((m3.c().rflags & kArith) == (rf::OF | rf::AF));

    // 64-bit: stc ; mov rax, -1 ; adc rax, 0 -> 0 with CF ; sbb rcx, rcx -> -1 (CF set)
    Machine m4;
    REQUIRE(m4.run({0xf9, 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, 0x48, 0x83, 0xd0, 0x00, 0x48, 0x19, 0xc9}) ==
            StopReason::Halt);
    CHECK(m4.c().gpr[0] == 0);
    CHECK(m4.c().gpr[1] == ~0ull);
    CHECK((m4.c().rflags & kArith) == (rf::CF | rf::SF | rf::PF | rf::AF));
}

TEST_CASE("x86 exec: memory operands, LEA, MOVZX/MOVSX, XCHG, stack", "[x86][exec][unit]") {
    Machine m;
    m.mem.write(kData, 8, 0x80ff);
    m.c().gpr[6] = kData;
    // movzx eax, byte [rsi+1] ; movsx rcx, word [rsi] ; lea rdx, [rsi+rax*2+8] ; push rcx ; pop rbx ;
    // xchg [rsi+8], rdx ; inc dword [rsi]
    REQUIRE(m.run({0x0f, 0xb6, 0x46, 0x01, 0x48, 0x0f, 0xbf, 0x0e, 0x48, 0x8d, 0x54, 0x46, 0x08, 0x51, 0x5b,
                   0x48, 0x87, 0x56, 0x08, 0xff, 0x06}) == StopReason::Halt);
    CHECK(m.c().gpr[0] == 0x80);
    CHECK(m.c().gpr[1] == 0xffffffffffff80ffull);
    CHECK(m.c().gpr[3] == 0xffffffffffff80ffull);
    CHECK(m.c().gpr[2] == 0);                                 // old [rsi+8]
    CHECK(m.get(kData + 8, 8) == kData + 0x100 + 8);
    CHECK(m.get(kData, 4) == 0x8100);
    CHECK(m.c().gpr[4] == kStack);
    CHECK(m.get(kStack - 8, 8) == 0xffffffffffff80ffull);
}

TEST_CASE("x86 exec: CALL/RET, Jcc, LOOP, SETcc, CMOVcc", "[x86][exec][unit]") {
    Machine m;
    // mov ecx, 5 ; xor eax, eax ; l: add eax, ecx ; loop l ; call f ; hlt ; f: cmp eax, 15 ; sete bl ;
    // mov edx, 7 ; cmovne eax, edx ; jne skip ; mov esi, 1 ; skip: ret
    const std::vector<uint8_t> p = {0xb9, 0x05, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0xe2, 0xfc, 0xe8, 0x01, 0, 0, 0, 0xf4,
                                    0x83, 0xf8, 0x0f, 0x0f, 0x94, 0xc3, 0xba, 0x07, 0, 0, 0, 0x0f, 0x45, 0xc2, 0x75,
                                    0x05, 0xbe, 0x01, 0, 0, 0, 0xc3};
    REQUIRE(m.run(p) == StopReason::Halt);
    CHECK(m.c().gpr[0] == 15);
    CHECK(m.c().gpr[1] == 0);
    CHECK((m.c().gpr[3] & 0xff) == 1);
    CHECK(m.c().gpr[6] == 1);
    CHECK(m.c().gpr[4] == kStack);
    CHECK(m.c().rip == kCode + 17);
}

TEST_CASE("x86 exec: shifts and rotates set CF/OF per the SDM", "[x86][exec][unit]") {
    Machine m;
    // mov eax, 0x80000001 ; shl eax, 1 -> 2, CF=1, OF = MSB^CF = 1
    REQUIRE(m.run({0xb8, 0x01, 0, 0, 0x80, 0xd1, 0xe0}) == StopReason::Halt);
    CHECK(m.c().gpr[0] == 2);
    CHECK((m.c().rflags & (rf::CF | rf::OF | rf::ZF)) == (rf::CF | rf::OF));
    Machine m2;
    // mov al, 0x81 ; sar al, 1 -> 0xc0, CF=1 ; stc ; rcr bl(=0), 1 -> 0x80, CF=0, OF=1
    REQUIRE(m2.run({0xb0, 0x81, 0xd0, 0xf8, 0xf9, 0xb3, 0x00, 0xd0, 0xdb}) == StopReason::Halt);
    CHECK((m2.c().gpr[0] & 0xff) == 0xc0);
    CHECK((m2.c().gpr[3] & 0xff) == 0x80);
    CHECK((m2.c().rflags & (rf::CF | rf::OF)) == rf::OF);
    Machine m3;
    // mov eax, 0x12345678 ; mov edx, 0x9abcdef0 ; shld eax, edx, 8 -> 0x3456789a, CF = bit 24 of old eax = 0
    REQUIRE(m3.run({0xb8, 0x78, 0x56, 0x34, 0x12, 0xba, 0xf0, 0xde, 0xbc, 0x9a, 0x0f, 0xa4, 0xd0, 0x08}) ==
            StopReason::Halt);
    CHECK(m3.c().gpr[0] == 0x3456789a);
    CHECK((m3.c().rflags & rf::CF) == 0);
    Machine m4;
    // mov eax, 0x80000000 ; rol eax, 1 -> 1, CF=1, OF = MSB(r) ^ CF = 1
    REQUIRE(m4.run({0xb8, 0, 0, 0, 0x80, 0xd1, 0xc0}) == StopReason::Halt);
    CHECK(m4.c().gpr[0] == 1);
    CHECK((m4.c().rflags & (rf::CF | rf::OF)) == (rf::CF | rf::OF));
}

TEST_CASE("x86 exec: MUL/IMUL/DIV/IDIV and #DE", "[x86][exec][unit]") {
    Machine m;
    // mov rax, -1 ; mov rcx, 2 ; mul rcx -> rdx:rax = 1:fffffffffffffffe, CF=OF=1
    REQUIRE(m.run({0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, 0x48, 0xc7, 0xc1, 0x02, 0, 0, 0, 0x48, 0xf7, 0xe1}) ==
            StopReason::Halt);
    CHECK(m.c().gpr[0] == 0xfffffffffffffffeull);
    CHECK(m.c().gpr[2] == 1);
    CHECK((m.c().rflags & (rf::CF | rf::OF)) == (rf::CF | rf::OF));
    Machine m2;
    // mov eax, -7 ; cdq ; mov ecx, 2 ; idiv ecx -> eax -3, edx -1 ; imul ebx, eax, 100 -> -300, no overflow
    REQUIRE(m2.run({0xb8, 0xf9, 0xff, 0xff, 0xff, 0x99, 0xb9, 0x02, 0, 0, 0, 0xf7, 0xf9, 0x6b, 0xd8, 0x64}) ==
            StopReason::Halt);
    CHECK(m2.c().gpr[0] == 0xfffffffd);
    CHECK(m2.c().gpr[2] == 0xffffffff);
    CHECK(m2.c().gpr[3] == 0xfffffed4);
    CHECK((m2.c().rflags & (rf::CF | rf::OF)) == 0);
    Machine m3;
    // IDT at 0x20000 with a #DE gate to 0x3000 (hlt there); div ecx with ecx = 0
    Core& c = m3.c();
    c.idtr = DescTable{0x20000, 0xfff};
    const uint64_t handler = 0x3000;
    m3.put64(0x20000, (handler & 0xffff) | (uint64_t{0x08} << 16) | (uint64_t{0x8e00} << 32) |
                          (((handler >> 16) & 0xffff) << 48));
    m3.put64(0x20008, handler >> 32);
    m3.mem.write(handler, 1, 0xf4);
    REQUIRE(m3.run({0x31, 0xc9, 0xf7, 0xf1}) == StopReason::Halt);
    CHECK(c.rip == handler + 1);
    CHECK(m3.get(kStack - 40, 8) == kCode + 2);   // the saved RIP is the DIV itself
}

TEST_CASE("x86 exec: REP string operations update RCX/RSI/RDI and resume", "[x86][exec][unit]") {
    Machine m;
    for (unsigned k = 0; k < 3000; ++k) m.mem.write(kData + k, 1, k & 0xff);
    Core& c = m.c();
    c.gpr[6] = kData;
    c.gpr[7] = kData + 0x10000;
    c.gpr[1] = 3000;
    // rep movsb ; mov al, 0xaa ; mov ecx, 100 ; rep stosb ; lea rdi, [rip-?] via mov
    REQUIRE(m.run({0xf3, 0xa4, 0xb0, 0xaa, 0xb9, 0x64, 0, 0, 0, 0xf3, 0xaa}) == StopReason::Halt);
    CHECK(c.gpr[1] == 0);
    CHECK(c.gpr[6] == kData + 3000);
    CHECK(c.gpr[7] == kData + 0x10000 + 3100);
    bool same = true;
    for (unsigned k = 0; k < 3000; ++k) same &= m.get(kData + 0x10000 + k, 1) == (k & 0xff);
    CHECK(same);
    CHECK(m.get(kData + 0x10000 + 3000, 1) == 0xaa);
    CHECK(m.get(kData + 0x10000 + 3099, 1) == 0xaa);
    CHECK(m.get(kData + 0x10000 + 3100, 1) == 0);

    // repne scasb finds the first 0x07: RCX counts down to the match
    Machine m2;
    for (unsigned k = 0; k < 64; ++k) m2.mem.write(kData + k, 1, k);
    m2.c().gpr[7] = kData;
    m2.c().gpr[1] = 64;
    m2.c().gpr[0] = 7;
    REQUIRE(m2.run({0xf2, 0xae}) == StopReason::Halt);
    CHECK(m2.c().gpr[7] == kData + 8);
    CHECK(m2.c().gpr[1] == 64 - 8);
    CHECK((m2.c().rflags & rf::ZF) != 0);

    // std ; rep stosd going down
    Machine m3;
    m3.c().gpr[7] = kData + 12;
    m3.c().gpr[1] = 4;
    m3.c().gpr[0] = 0x11223344;
    REQUIRE(m3.run({0xfd, 0xf3, 0xab}) == StopReason::Halt);
    CHECK(m3.c().gpr[7] == kData - 4);
    CHECK(m3.get(kData, 4) == 0x11223344);
    CHECK(m3.get(kData + 12, 4) == 0x11223344);
}

TEST_CASE("x86 exec: LOCK CMPXCHG, XADD, CMPXCHG16B, BSF/BSR, BT", "[x86][exec][unit]") {
    Machine m;
    m.put64(kData, 5);
    Core& c = m.c();
    c.gpr[6] = kData;
    c.gpr[0] = 5;
    c.gpr[1] = 9;
    // lock cmpxchg [rsi], rcx (equal: stores 9, ZF) ; lock cmpxchg [rsi], rcx again (not equal: rax = 9)
    REQUIRE(m.run({0xf0, 0x48, 0x0f, 0xb1, 0x0e, 0xf0, 0x48, 0x0f, 0xb1, 0x0e}) == StopReason::Halt);
    CHECK(m.get(kData, 8) == 9);
    CHECK(c.gpr[0] == 9);
    CHECK((c.rflags & rf::ZF) == 0);   // the second compare: 5 != 9

    Machine m2;
    m2.put64(kData, 40);
    m2.c().gpr[6] = kData;
    m2.c().gpr[2] = 2;
    m2.c().gpr[3] = 0x100;
    // lock xadd [rsi], edx -> mem 42, edx 40 ; bsf eax, ebx -> 8 ; bsr ecx, ebx -> 8 ; bt ebx, 8 -> CF
    REQUIRE(m2.run({0xf0, 0x0f, 0xc1, 0x16, 0x0f, 0xbc, 0xc3, 0x0f, 0xbd, 0xcb, 0x0f, 0xba, 0xe3, 0x08}) ==
            StopReason::Halt);
    CHECK(m2.get(kData, 4) == 42);
    CHECK(m2.c().gpr[2] == 40);
    CHECK(m2.c().gpr[0] == 8);
    CHECK(m2.c().gpr[1] == 8);
    CHECK((m2.c().rflags & rf::CF) != 0);

    Machine m3;
    Core& c3 = m3.c();
    m3.put64(kData, 1);
    m3.put64(kData + 8, 2);
    c3.gpr[6] = kData;
    c3.gpr[0] = 1, c3.gpr[2] = 2, c3.gpr[3] = 0xb, c3.gpr[1] = 0xc;
    REQUIRE(m3.run({0xf0, 0x48, 0x0f, 0xc7, 0x0e}) == StopReason::Halt);   // lock cmpxchg16b [rsi]
    CHECK(m3.get(kData, 8) == 0xb);
    CHECK(m3.get(kData + 8, 8) == 0xc);
    CHECK((c3.rflags & rf::ZF) != 0);
}

TEST_CASE("x86 exec: SSE moves, PXOR, PCMPEQB/PMOVMSKB, FXSAVE", "[x86][exec][unit]") {
    Machine m;
    for (unsigned k = 0; k < 16; ++k) m.mem.write(kData + k, 1, k == 5 ? 0 : 0x41 + k);
    Core& c = m.c();
    c.gpr[6] = kData;
    // movdqu xmm1, [rsi] ; pxor xmm0, xmm0 ; pcmpeqb xmm0, xmm1 ; pmovmskb eax, xmm0 ; movups [rsi+32], xmm1
    REQUIRE(m.run({0xf3, 0x0f, 0x6f, 0x0e, 0x66, 0x0f, 0xef, 0xc0, 0x66, 0x0f, 0x74, 0xc1, 0x66, 0x0f, 0xd7, 0xc0,
                   0x0f, 0x11, 0x4e, 0x20}) == StopReason::Halt);
    CHECK(c.gpr[0] == (1u << 5));
    CHECK(m.get(kData + 32, 8) == m.get(kData, 8));
    CHECK(m.get(kData + 40, 8) == m.get(kData + 8, 8));
    Machine m2;
    m2.c().gpr[6] = kData + 8;   // misaligned MOVAPS: #GP(0) -> handler at 0x3000
    m2.c().idtr = DescTable{0x20000, 0xfff};
    m2.put64(0x20000 + 16 * 13, 0x3000 | (uint64_t{0x08} << 16) | (uint64_t{0x8e00} << 32));
    m2.mem.write(0x3000, 1, 0xf4);
    REQUIRE(m2.run({0x0f, 0x28, 0x06}) == StopReason::Halt);
    CHECK(m2.c().rip == 0x3001);
    Machine m3;
    m3.c().mxcsr = 0x1fa0;
    m3.c().gpr[6] = kData;
    REQUIRE(m3.run({0x0f, 0xae, 0x06}) == StopReason::Halt);   // fxsave [rsi]
    CHECK(m3.get(kData + 24, 4) == 0x1fa0);
    CHECK(m3.get(kData, 2) == m3.c().fcw);
}

TEST_CASE("x86 exec: 32-bit protected mode, 16-bit operand prefix, PUSHF/POPF", "[x86][exec][unit]") {
    Machine m(false);
    Core& c = m.c();
    // mov eax, 0xffff ; add ax, 1 (66) -> ax 0, CF ZF ; pushfd ; pop ebx ; push 0x8d5 ; popfd
    REQUIRE(m.run({0xb8, 0xff, 0xff, 0, 0, 0x66, 0x83, 0xc0, 0x01, 0x9c, 0x5b, 0x68, 0xd5, 0x08, 0, 0, 0x9d}) ==
            StopReason::Halt);
    CHECK(c.gpr[0] == 0);
    CHECK((c.gpr[3] & (rf::CF | rf::ZF)) == (rf::CF | rf::ZF));
    CHECK((c.rflags & kArith) == kArith);
    CHECK(c.gpr[4] == kStack);
}

TEST_CASE("x86 exec: self-modifying code is seen on the next execution", "[x86][exec][unit]") {
    Machine m;
    Core& c = m.c();
    // l: mov eax, 1 ; mov byte [rip-6+1], 2 (rewrites the immediate) ; dec ecx ; jnz l
    c.gpr[1] = 2;
    REQUIRE(m.run({0xb8, 0x01, 0, 0, 0, 0xc6, 0x05, 0xf5, 0xff, 0xff, 0xff, 0x02, 0xff, 0xc9, 0x75, 0xf0}) ==
            StopReason::Halt);
    CHECK(c.gpr[0] == 2);
}
