// The x86 decoder against two independent references: golden encodings
// (hand-assembled, with the operand fields the decoder must extract), one
// synthesized encoding per table line, and Capstone 4 as the length oracle
// on a million random byte strings in each of the 16-, 32- and 64-bit modes.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "isa/x86/disasm.hpp"
#include "isa/x86/exec.hpp"

using namespace hvemu::x86;

namespace {

unsigned bits_of(Mode m) { return m == Mode::Bits16 ? 16 : m == Mode::Bits32 ? 32 : 64; }

Insn dec(std::vector<uint8_t> b, Mode m = Mode::Bits64) {
    Insn i{};
    b.resize(std::max<size_t>(b.size(), 16), 0x90);
    REQUIRE(decode(b.data(), static_cast<unsigned>(b.size()), m, i));
    return i;
}

bool accepted(const Insn& i) { return i.fn != &op_undefined && i.fn != &op_too_long; }

struct Golden {
    std::vector<uint8_t> bytes;
    Mode mode;
    Handler fn;
    unsigned len;
    uint8_t opsz, adsz, reg, rm, index, scale, seg;
    int32_t disp;
    int64_t imm;
    const char* text;   // the assembly the bytes encode
};

constexpr uint8_t N = kNoReg;
constexpr Mode M16 = Mode::Bits16, M32 = Mode::Bits32, M64 = Mode::Bits64;

const Golden kGolden[] = {
    {{0x48, 0x8b, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12}, M64, &op_mov_gv_ev, 8, kSz64, kSz64, 0, 0, 1, 2, DS, 0x12345678, 0,
     "mov rax, [rax+rcx*4+0x12345678]"},
    {{0x44, 0x89, 0x44, 0x24, 0xf8}, M64, &op_mov_ev_gv, 5, kSz32, kSz64, 8, 4, N, 0, SS, -8, 0, "mov [rsp-8], r8d"},
    {{0x41, 0x89, 0x45, 0x00}, M64, &op_mov_ev_gv, 4, kSz32, kSz64, 0, 13, N, 0, DS, 0, 0, "mov [r13+0], eax"},
    {{0x8b, 0x05, 0x10, 0x00, 0x00, 0x00}, M64, &op_mov_gv_ev, 6, kSz32, kSz64, 0, kRip, N, 0, DS, 16, 0, "mov eax, [rip+16]"},
    {{0x8b, 0x05, 0x10, 0x00, 0x00, 0x00}, M32, &op_mov_gv_ev, 6, kSz32, kSz32, 0, N, N, 0, DS, 16, 0, "mov eax, [16]"},
    {{0x67, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00}, M64, &op_mov_gv_ev, 8, kSz32, kSz32, 0, N, N, 0, DS, 0x1000, 0,
     "mov eax, [dword 0x1000]"},
    {{0x8b, 0x42, 0x02}, M16, &op_mov_gv_ev, 3, kSz16, kSz16, 0, 5, 6, 0, SS, 2, 0, "mov ax, [bp+si+2]"},
    {{0x8b, 0x06, 0x34, 0x12}, M16, &op_mov_gv_ev, 4, kSz16, kSz16, 0, N, N, 0, DS, 0x1234, 0, "mov ax, [0x1234]"},
    {{0x66, 0x67, 0x8b, 0x04, 0x8b}, M16, &op_mov_gv_ev, 5, kSz32, kSz32, 0, 3, 1, 2, DS, 0, 0, "mov eax, [ebx+ecx*4]"},
    {{0x26, 0x8b, 0x07}, M16, &op_mov_gv_ev, 3, kSz16, kSz16, 0, 3, N, 0, ES, 0, 0, "mov ax, es:[bx]"},
    {{0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}, M64, &op_mov_gv_ev, 9, kSz64, kSz64, 0, N, N, 0, FS, 0x28, 0,
     "mov rax, fs:[0x28]"},
    {{0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}, M64, &op_mov_r_iv, 10, kSz64, kSz64, 0, N, N, 0, DS, 0, 0x0807060504030201,
     "mov rax, 0x0807060504030201"},
    {{0x41, 0xb7, 0x7f}, M64, &op_mov_rb_ib, 3, kSz8, kSz64, 15, N, N, 0, DS, 0, 0x7f, "mov r15b, 0x7f"},
    {{0x48, 0x83, 0xec, 0xf0}, M64, &op_grp1_ev_iz, 4, kSz64, kSz64, 5, 4, N, 0, DS, 0, -16, "sub rsp, -16"},
    {{0x81, 0xc3, 0x00, 0x80, 0x00, 0x00}, M32, &op_grp1_ev_iz, 6, kSz32, kSz32, 0, 3, N, 0, DS, 0, 0x8000, "add ebx, 0x8000"},
    {{0x66, 0x05, 0xff, 0xff}, M32, &op_add_ax_iz, 4, kSz16, kSz32, 0, N, N, 0, DS, 0, -1, "add ax, 0xffff"},
    {{0x0f, 0x85, 0xfa, 0xff, 0xff, 0xff}, M64, &op_jcc, 6, kSz64, kSz64, 0, N, N, 0, DS, 0, -6, "jne $+0"},
    {{0x66, 0xe8, 0x10, 0x00, 0x00, 0x00}, M64, &op_call_rel, 6, kSz64, kSz64, 0, N, N, 0, DS, 0, 16, "call $+22 (66 ignored)"},
    {{0xe8, 0x10, 0x00}, M16, &op_call_rel, 3, kSz16, kSz16, 0, N, N, 0, DS, 0, 16, "call $+19"},
    {{0x50}, M64, &op_push_r, 1, kSz64, kSz64, 0, N, N, 0, DS, 0, 0, "push rax"},
    {{0x66, 0x41, 0x57}, M64, &op_push_r, 3, kSz16, kSz64, 15, N, N, 0, DS, 0, 0, "push r15w"},
    {{0x40}, M32, &op_inc_r, 1, kSz32, kSz32, 0, N, N, 0, DS, 0, 0, "inc eax"},
    {{0xc8, 0x10, 0x00, 0x02}, M32, &op_enter, 4, kSz32, kSz32, 0, N, N, 0, DS, 2, 0x10, "enter 16, 2"},
    {{0xea, 0x00, 0x7c, 0x00, 0x00, 0x08, 0x00}, M32, &op_jmp_far_ap, 7, kSz32, kSz32, 0, N, N, 0, DS, 8, 0x7c00,
     "jmp 0x08:0x7c00"},
    {{0xea, 0x00, 0x7c, 0x00, 0xf0}, M16, &op_jmp_far_ap, 5, kSz16, kSz16, 0, N, N, 0, DS, 0xf000, 0x7c00,
     "jmp 0xf000:0x7c00"},
    {{0xa1, 1, 2, 3, 4, 5, 6, 7, 8}, M64, &op_mov_ax_moffs, 9, kSz32, kSz64, 0, N, N, 0, DS, 0, 0x0807060504030201,
     "mov eax, [moffs64]"},
    {{0xf3, 0x48, 0xab}, M64, &op_stos, 3, kSz64, kSz64, 0, N, N, 0, DS, 0, 0, "rep stosq"},
    {{0xf0, 0x0f, 0xb1, 0x0a}, M64, &op_cmpxchg, 4, kSz32, kSz64, 1, 2, N, 0, DS, 0, 0, "lock cmpxchg [rdx], ecx"},
    {{0x0f, 0x44, 0xc1}, M64, &op_cmovcc, 3, kSz32, kSz64, 0, 1, N, 0, DS, 0, 0, "cmove eax, ecx"},
    {{0xf3, 0x0f, 0x6f, 0x04, 0x24}, M64, &op_movdqu_load, 5, kSz128, kSz64, 0, 4, N, 0, SS, 0, 0, "movdqu xmm0, [rsp]"},
    {{0x66, 0x0f, 0x6f, 0x01}, M64, &op_movdqa_load, 4, kSz128, kSz64, 0, 1, N, 0, DS, 0, 0, "movdqa xmm0, [rcx]"},
    {{0x66, 0x48, 0x0f, 0x6e, 0xc0}, M64, &op_movd_load, 5, kSz64, kSz64, 0, 0, N, 0, DS, 0, 0, "movq xmm0, rax"},
    {{0x0f, 0x1f, 0x44, 0x00, 0x00}, M64, &op_nop_ev, 5, kSz32, kSz64, 0, 0, 0, 0, DS, 0, 0, "nop [rax+rax]"},
    {{0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}, M64, &op_nop_ev, 10, kSz16, kSz64, 0, 0, 0, 0, CS, 0, 0,
     "nop cs:[rax+rax+0]"},
    {{0xf3, 0x90}, M64, &op_pause, 2, kSz32, kSz64, 0, N, N, 0, DS, 0, 0, "pause"},
    {{0x0f, 0xba, 0xe8, 0x05}, M32, &op_bts_ev_ib, 4, kSz32, kSz32, 5, 0, N, 0, DS, 0, 5, "bts eax, 5"},
};

// Known Capstone 4 disagreements, each checked against the SDM (and
// Bochs). nullptr: no excuse, the model must match.
const char* capstone_exception(const uint8_t* b, Mode m, const Insn& i, unsigned cl) {
    bool p66 = false, p67 = false, rep = false;
    for (unsigned k = 0; k < 15; ++k) {
        const uint8_t x = b[k];
        if (x == 0x66) p66 = true;
        else if (x == 0x67) p67 = true;
        else if (x == 0xf2 || x == 0xf3) rep = true;
        else if (!(x == 0xf0 || x == 0x2e || x == 0x3e || x == 0x26 || x == 0x36 || x == 0x64 || x == 0x65 ||
                   (m == M64 && (x & 0xf0) == 0x40)))
            break;
    }
    const Handler f = i.fn;
    if (cl == 0) {
        // SDM: LFENCE is 0F AE E8-EF (likewise MFENCE F0-F7, SFENCE F8-FF);
        // Capstone 4 knows only E8/F0/F8.
        if (f == &op_fence) return "fence with rm != 0";
        // SDM: 0F 1F /0 is NOP r/m; Capstone 4 rejects the register form.
        if (f == &op_nop_ev) return "register-form NOP";
        // Capstone 4 rejects 66 0F D6 in 16-bit mode and after a segment prefix,
        // and likewise the other SSE2-only forms below (valid in every mode, SDM).
        if (f == &op_movq_store) return "MOVQ m64, xmm";
        if (f == &op_punpcklqdq || f == &op_punpckhqdq || f == &op_cvtdq2pd || f == &op_cvtpd2dq ||
            f == &op_cvttpd2dq || f == &op_pslldq_i || f == &op_psrldq_i)
            return "SSE2-only form";
        // Capstone 4 rejects MOV with moffs when 66 and F2/F3 are both present.
        if ((f == &op_mov_al_moffs || f == &op_mov_ax_moffs || f == &op_mov_moffs_al || f == &op_mov_moffs_ax) && p66 && rep)
            return "moffs MOV with 66 and F2/F3";
        // MOV Sreg with REX.R naming a register above 7: Capstone rejects the
        // bytes, the model decodes them and the handler raises #UD.
        if ((f == &op_mov_sreg_ew || f == &op_mov_ev_sreg) && i.reg > 7) return "REX.R MOV Sreg";
        return nullptr;
    }
    // SDM: in 64-bit mode near branches have 64-bit operand size whatever
    // 66 says (Intel; Capstone decodes AMD's 16-bit forms), and with F2/F3
    // present Capstone drops the 66 of PUSH imm / CALL rel in every mode.
    // Capstone 4 also shortens CALL/JMP rel32 after a 67 prefix in 64-bit mode.
    if ((p66 || p67) && (f == &op_jcc || f == &op_jmp_rel || f == &op_call_rel || f == &op_ret_iw || f == &op_push_i))
        return "66 on a near branch or PUSH imm";
    // Capstone 4 reads 67 0F 78 (VMREAD) as if it had a memory operand.
    if (p67 && (f == &op_vmread || f == &op_vmwrite)) return "67 VMREAD/VMWRITE";
    return nullptr;
}

} // namespace

TEST_CASE("x86 decoder: golden encodings with their operand fields", "[x86][decode][unit]") {
    for (const Golden& g : kGolden) {
        INFO(g.text);
        const Insn i = dec(g.bytes, g.mode);
        CHECK(i.fn == g.fn);
        CHECK(i.len == g.len);
        CHECK(int(i.opsz) == int(g.opsz));
        CHECK(int(i.adsz) == int(g.adsz));
        CHECK(int(i.reg) == int(g.reg));
        CHECK(int(i.rm) == int(g.rm));
        CHECK(int(i.index) == int(g.index));
        CHECK(int(i.scale) == int(g.scale));
        CHECK(int(i.disp) == int(g.disp));
        CHECK(i.imm == g.imm);
        if (i.flags & iflag::Mem) CHECK(int(i.seg) == int(g.seg));
        std::vector<uint8_t> b = g.bytes;
        b.resize(16, 0x90);
        const unsigned cl = disasm_length(b.data(), b.size(), bits_of(g.mode));
        if (cl != g.len) CHECK(capstone_exception(b.data(), g.mode, i, cl) != nullptr);
    }
}

TEST_CASE("x86 decoder: undefined, locked and over-long encodings", "[x86][decode][unit]") {
    CHECK(dec({0x0f, 0x0b}).fn == &op_ud2);
    CHECK(dec({0x0f, 0x04}).fn == &op_undefined);                   // no such opcode
    CHECK(dec({0xf0, 0x01, 0xc8}).fn == &op_undefined);             // LOCK with a register destination
    CHECK(dec({0xf0, 0x89, 0x08}).fn == &op_undefined);             // LOCK MOV
    CHECK(dec({0xf0, 0x01, 0x08}).fn == &op_add_ev_gv);             // LOCK ADD [rax], ecx
    CHECK(dec({0x06}).fn == &op_undefined);                         // PUSH ES in 64-bit mode
    CHECK(dec({0x06}, M32).fn == &op_push_es);
    CHECK(dec({0x63, 0xc1}).fn == &op_movsxd);
    CHECK(dec({0x63, 0xc1}, M32).fn == &op_undefined);              // ARPL: not implemented (#UD)
    CHECK(dec({0x41, 0x90}).fn == &op_xchg_ax_r);                   // xchg r8d, eax
    CHECK(dec({0x41, 0x90}).reg == 8);
    CHECK(dec({0x40, 0x66, 0x90}).flags == dec({0x66, 0x90}).flags);   // REX before a legacy prefix is ignored
    // 15 bytes is the limit: 14 prefixes + NOP decodes, 15 + NOP is #GP.
    std::vector<uint8_t> b(14, 0x66);
    b.push_back(0x90);
    CHECK(dec(b).fn == &op_xchg_ax_r);
    CHECK(dec(b).len == 15);
    b.insert(b.begin(), 0x66);
    CHECK(dec(b).fn == &op_too_long);
    // Not enough bytes: the decoder asks for more.
    const uint8_t part[] = {0x48, 0xb8, 1, 2};
    Insn i{};
    CHECK_FALSE(decode(part, sizeof part, M64, i));
}

// One encoding per table line, synthesized from the line's fields: the
// decoder must pick that very line (nothing earlier shadows it) and
// Capstone must agree on the length.
TEST_CASE("x86 decoder: every table line decodes to itself with Capstone's length", "[x86][decode][unit]") {
    const InsnDesc* t = insn_table();
    unsigned checked = 0;
    for (unsigned k = 0; k < insn_table_size(); ++k) {
        const InsnDesc& d = t[k];
        for (int memform = 0; memform < 2; ++memform) {
            if (d.mod == ModKind::None && memform) continue;
            if (d.mod == ModKind::Mem && !memform) continue;
            if (d.mod == ModKind::Reg && memform) continue;
            const Mode m = (d.flags & fflag::I64) ? M32 : M64;
            std::vector<uint8_t> b;
            if (d.pfx == Pfx::P66) b.push_back(0x66);
            if (d.pfx == Pfx::PF3) b.push_back(0xf3);
            if (d.pfx == Pfx::PF2) b.push_back(0xf2);
            if (d.flags & fflag::Lk && memform && d.mod != ModKind::None) b.push_back(0xf0);
            if (d.map != Map::M1) b.push_back(0x0f);
            if (d.map == Map::M0F38) b.push_back(0x38);
            if (d.map == Map::M0F3A) b.push_back(0x3a);
            b.push_back(static_cast<uint8_t>(d.opcode + ((d.flags & fflag::R) ? 3 : 0) + ((d.flags & fflag::Cc) ? 5 : 0)));
            if (d.mod != ModKind::None) {
                const unsigned reg = d.reg >= 0 ? static_cast<unsigned>(d.reg) : 2;
                if (memform) {
                    b.push_back(static_cast<uint8_t>(0x40 | (reg << 3) | 3));   // [rbx+disp8]
                    b.push_back(0x10);
                } else {
                    b.push_back(static_cast<uint8_t>(0xc0 | (reg << 3) | (d.rm >= 0 ? d.rm : 1)));
                }
            }
            for (unsigned n = 0; n < 10; ++n) b.push_back(static_cast<uint8_t>(0x11 * (n + 1)));
            INFO("line " << k << " " << d.name << (memform ? " (memory form)" : ""));
            const Insn i = dec(b, m);
            CHECK(i.fn == d.fn);
            CHECK(i.id == (d.fn == &op_undefined ? kInvalidId : k));
            if (d.fn != &op_undefined) {
                const unsigned cl = disasm_length(b.data(), b.size(), bits_of(m));
                if (cl != i.len) CHECK(capstone_exception(b.data(), m, i, cl) != nullptr);
            }
            ++checked;
        }
    }
    CHECK(checked > 300);
}

// Random byte strings (biased towards prefixes and the 0F map): whenever the
// decoder accepts an instruction, Capstone must decode the same length.
// Known Capstone 4 disagreements are listed as exceptions below.
TEST_CASE("x86 decoder: instruction lengths agree with Capstone on random bytes", "[x86][decode][capstone]") {
    std::mt19937_64 rng(0x86c0de);
    const uint8_t kPrefixes[] = {0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36, 0x48, 0x41, 0x4c};
    for (const Mode m : {M16, M32, M64}) {
        unsigned long accepted_n = 0, mismatches = 0, cs_rejects = 0, excused = 0;
        std::string first;
        for (unsigned n = 0; n < 1'000'000; ++n) {
            uint8_t b[16];
            const uint64_t r1 = rng(), r2 = rng();
            std::memcpy(b, &r1, 8);
            std::memcpy(b + 8, &r2, 8);
            const uint64_t sel = rng();
            unsigned p = 0;
            for (unsigned k = 0; k < (sel & 3); ++k) b[p++] = kPrefixes[(sel >> (8 + 4 * k)) % sizeof kPrefixes];
            if ((sel >> 40) % 3 == 0) b[p] = 0x0f;
            Insn i{};
            REQUIRE(decode(b, 16, m, i));
            if (!accepted(i)) continue;
            ++accepted_n;
            const unsigned cl = disasm_length(b, 16, bits_of(m));
            if (cl == i.len) continue;
            if (capstone_exception(b, m, i, cl)) {
                ++excused;
                continue;
            }
            if (cl == 0) ++cs_rejects;
            else ++mismatches;
            if (first.empty()) {
                for (unsigned k = 0; k < 16; ++k) first += fmt::format("{:02x} ", b[k]);
                first += fmt::format("model {} capstone {} ({})", int(i.len), cl, i.id < insn_table_size() ? insn_table()[i.id].name : "?");
            }
        }
        INFO("mode " << bits_of(m) << ": first disagreement " << first);
        CHECK(accepted_n > 500'000);
        CHECK(excused < accepted_n / 100);
        CHECK(mismatches == 0);
        CHECK(cs_rejects == 0);
    }
}
