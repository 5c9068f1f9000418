// The RISC-V disassembler against llvm-objdump: tests/data/riscv_disasm/*.S
// are assembled and disassembled at build time (tests/riscv_disasm.cmake);
// every line of the listings must come out of disassemble() unchanged. The
// H extension, which llvm-objdump 14 does not know, has golden text here.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "isa/riscv/csr_names.hpp"
#include "isa/riscv/disasm.hpp"
#include "isa/riscv/encoding.hpp"
#include "isa/riscv/insn.hpp"

#ifndef HVEMU_RISCV_DISASM_DIR
#define HVEMU_RISCV_DISASM_DIR HVEMU_BINARY_DIR "/tests/riscv_disasm"
#endif

using namespace hvemu::rv;

namespace {

struct Line {
    uint64_t addr;
    uint32_t raw;
    std::string text;  // as disassemble() writes it: one space after the mnemonic, no <symbol>
};

bool is_hex(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The instruction lines of an llvm-objdump listing, such as
// "      1a: 73 90 05 68  \tcsrrw\tzero, hgatp, a1".
std::vector<Line> read_listing(const std::string& path) {
    std::ifstream in(path);
    std::vector<Line> lines;
    std::string s;
    while (std::getline(in, s)) {
        const size_t colon = s.find(':'), tab = s.find('\t');
        if (colon == std::string::npos || tab == std::string::npos || tab < colon) continue;
        const std::string addr = s.substr(s.find_first_not_of(' '), colon - s.find_first_not_of(' '));
        if (!is_hex(addr)) continue;
        Line l{std::stoull(addr, nullptr, 16), 0, {}};
        unsigned nbytes = 0;
        bool ok = true;
        for (size_t p = colon + 1; p < tab; ++p) {
            if (s[p] == ' ') continue;
            const std::string byte = s.substr(p, 2);
            if (!is_hex(byte) || nbytes == 4) { ok = false; break; }
            l.raw |= static_cast<uint32_t>(std::stoul(byte, nullptr, 16)) << (8 * nbytes++);
            ++p;
        }
        if (!ok || (nbytes != 2 && nbytes != 4)) continue;
        l.text = s.substr(tab + 1);
        if (const size_t t = l.text.find('\t'); t != std::string::npos) l.text[t] = ' ';
        if (const size_t sym = l.text.rfind(" <"); sym != std::string::npos && l.text.back() == '>')
            l.text.erase(sym);
        l.text.erase(l.text.find_last_not_of(" \t") + 1);
        lines.push_back(l);
    }
    return lines;
}

std::string listing(const char* name, bool aliases) {
    return std::string(HVEMU_RISCV_DISASM_DIR) + "/" + name + (aliases ? ".alias.txt" : ".noalias.txt");
}

// H-extension encodings (hext.S): llvm-objdump 14 prints <unknown>.
struct Golden {
    uint32_t raw;
    const char* plain;
    const char* alias;
};
constexpr Golden kHext[] = {
    {0x6005c573, "hlv.b a0, (a1)", "hlv.b a0, (a1)"},
    {0x60104ff3, "hlv.bu t6, (zero)", "hlv.bu t6, (zero)"},
    {0x64014473, "hlv.h s0, (sp)", "hlv.h s0, (sp)"},
    {0x641dc0f3, "hlv.hu ra, (s11)", "hlv.hu ra, (s11)"},
    {0x6432c8f3, "hlvx.hu a7, (t0)", "hlvx.hu a7, (t0)"},
    {0x6805c573, "hlv.w a0, (a1)", "hlv.w a0, (a1)"},
    {0x68054073, "hlv.w zero, (a0)", "hlv.w zero, (a0)"},
    {0x6816c973, "hlv.wu s2, (a3)", "hlv.wu s2, (a3)"},
    {0x6831c273, "hlvx.wu tp, (gp)", "hlvx.wu tp, (gp)"},
    {0x6c0545f3, "hlv.d a1, (a0)", "hlv.d a1, (a0)"},
    {0x6c0d4e73, "hlv.d t3, (s10)", "hlv.d t3, (s10)"},
    {0x62b54073, "hsv.b a1, (a0)", "hsv.b a1, (a0)"},
    {0x66014073, "hsv.h zero, (sp)", "hsv.h zero, (sp)"},
    {0x6bf54073, "hsv.w t6, (a0)", "hsv.w t6, (a0)"},
    {0x6eb54073, "hsv.d a1, (a0)", "hsv.d a1, (a0)"},
    {0x6e14c073, "hsv.d ra, (s1)", "hsv.d ra, (s1)"},
    {0x22000073, "hfence.vvma zero, zero", "hfence.vvma"},
    {0x22050073, "hfence.vvma a0, zero", "hfence.vvma a0"},
    {0x22b50073, "hfence.vvma a0, a1", "hfence.vvma a0, a1"},
    {0x22b00073, "hfence.vvma zero, a1", "hfence.vvma zero, a1"},
    {0x62000073, "hfence.gvma zero, zero", "hfence.gvma"},
    {0x62050073, "hfence.gvma a0, zero", "hfence.gvma a0"},
    {0x62b50073, "hfence.gvma a0, a1", "hfence.gvma a0, a1"},
    {0x633f0073, "hfence.gvma t5, s3", "hfence.gvma t5, s3"},
};

// CSRs our table names that llvm-objdump 14 prints as numbers (AIA,
// Smrnmi, Smcntrpmf, Zcmt and debug registers it does not know).
const std::set<uint16_t> kNewerCsrs = {
    0x017, 0x150, 0x151, 0x15C, 0x250, 0x251, 0x25C, 0x308, 0x309, 0x321, 0x322, 0x350, 0x351, 0x35C,
    0x608, 0x609, 0x646, 0x647, 0x740, 0x741, 0x742, 0x744, 0x7A4, 0x7A5, 0x7AA, 0xDB0, 0xEB0, 0xFB0,
};

// What disassemble() must print for a listing line.
std::string expected(const Line& l, bool aliases) {
    if (l.text == "<unknown>") {
        for (const Golden& g : kHext)
            if (g.raw == l.raw) return aliases ? g.alias : g.plain;
        return "<no golden text for this encoding>";
    }
    const Insn in = decode(l.raw);
    if (in.id == kInvalidId) return l.text;
    const Fmt f = insn_table()[in.id].fmt;
    const uint16_t csr = static_cast<uint16_t>(l.raw >> 20);
    if ((f != Fmt::CSR && f != Fmt::CSRI) || !kNewerCsrs.count(csr)) return l.text;
    // llvm-objdump prints the number where we print the name.
    std::string t = l.text;
    const std::string num = std::to_string(csr);
    for (size_t p = t.find(' '); p != std::string::npos; p = t.find(' ', p + 1)) {
        const size_t end = t.find(',', p);
        if (t.compare(p + 1, (end == std::string::npos ? t.size() : end) - p - 1, num) == 0)
            return t.replace(p + 1, num.size(), csr_name(csr));
    }
    return t;
}

void check_listing(const char* name, bool aliases, size_t min_lines) {
    const std::string path = listing(name, aliases);
    const std::vector<Line> lines = read_listing(path);
    INFO("listing " << path << " (built with hvemu_tests by tests/riscv_disasm.cmake)");
    REQUIRE(lines.size() >= min_lines);
    DisasmOptions opt;
    opt.aliases = aliases;
    for (const Line& l : lines) {
        INFO(std::hex << "0x" << l.addr << ": raw 0x" << l.raw << ", llvm-objdump: " << l.text);
        CHECK(disassemble(l.raw, l.addr, opt) == expected(l, aliases));
    }
}

bool starts_with_word(const std::string& text, const std::string& word) {
    return text.compare(0, word.size(), word) == 0 &&
           (text.size() == word.size() || text[word.size()] == ' ' || text[word.size()] == '.' ||
            text.compare(word.size(), 2, "64") == 0);
}

} // namespace

TEST_CASE("RISC-V disassembly matches llvm-objdump -M no-aliases", "[riscv][disasm]") {
    SECTION("RV64G") { check_listing("rv64g", false, 900); }
    SECTION("RV64C mixed with 32-bit encodings") { check_listing("rv64c", false, 180); }
    SECTION("every CSR number") { check_listing("csr_all", false, 4096); }
    SECTION("H extension (golden text)") { check_listing("hext", false, std::size(kHext)); }
}

TEST_CASE("RISC-V disassembly with aliases matches llvm-objdump", "[riscv][disasm]") {
    SECTION("RV64G") { check_listing("rv64g", true, 900); }
    SECTION("RV64C shown as the instructions it expands to") { check_listing("rv64c", true, 180); }
    SECTION("every CSR number") { check_listing("csr_all", true, 4096); }
    SECTION("H extension (golden text)") { check_listing("hext", true, std::size(kHext)); }
}

TEST_CASE("the listings cover every instruction table entry", "[riscv][disasm]") {
    std::vector<bool> seen(insn_table_size());
    for (const char* name : {"rv64g", "rv64c", "hext"})
        for (const Line& l : read_listing(listing(name, false)))
            if (const Insn in = decode(l.raw); in.id != kInvalidId) seen[in.id] = true;
    for (unsigned id = 0; id < insn_table_size(); ++id) {
        INFO("entry " << id << ": " << insn_table()[id].name << " is in no tests/data/riscv_disasm/*.S");
        CHECK(seen[id]);
    }
}

TEST_CASE("H-extension instructions print in the specification's syntax", "[riscv][disasm]") {
    DisasmOptions alias;
    alias.aliases = true;
    for (const Golden& g : kHext) {
        INFO(std::hex << "raw 0x" << g.raw);
        CHECK(disassemble(g.raw, 0) == g.plain);
        CHECK(disassemble(g.raw, 0, alias) == g.alias);
    }
}

TEST_CASE("every instruction table entry decodes to itself and prints its mnemonic", "[riscv][disasm]") {
    const InsnDesc* t = insn_table();
    // Fill the don't-care bits of each encoding several ways: some fills hit
    // reserved corners (c.addi4spn with a zero immediate, rounding mode 5).
    std::vector<uint32_t> fills = {0, 0xffffffff, 0x55555555, 0xaaaaaaaa, 0x12345678, 0x9abcdef0};
    uint32_t x = 0x2545f491;
    for (int k = 0; k < 32; ++k) fills.push_back(x = x * 1664525 + 1013904223);
    for (unsigned id = 0; id < insn_table_size(); ++id) {
        const InsnDesc& d = t[id];
        INFO("entry " << id << ": " << d.name);
        const uint32_t width = d.len == 2 ? 0xffff : 0xffffffff;
        CHECK((d.match & ~d.mask) == 0);
        bool reached = false;
        for (uint32_t fill : fills) {
            const uint32_t raw = (d.match | (fill & ~d.mask)) & width;
            const Insn in = decode(raw);
            if (in.id != id) continue;
            reached = true;
            const std::string text = disassemble(raw, 0x80000000);
            INFO(std::hex << "raw 0x" << raw << ": " << text);
            const bool reserved_rm = text.rfind("unknown ", 0) == 0 &&
                                     (d.fmt == Fmt::R4 || d.fmt == Fmt::R_RM || d.fmt == Fmt::R1_RM) &&
                                     (((raw >> 12) & 7) == 5 || ((raw >> 12) & 7) == 6);
            CHECK((starts_with_word(text, d.name) || reserved_rm || text == "unimp"));
        }
        CHECK(reached);
    }
}

TEST_CASE("any encoding disassembles to some text", "[riscv][disasm]") {
    DisasmOptions alias;
    alias.aliases = true;
    auto check = [&](uint32_t raw) {
        const Insn in = decode(raw);
        const std::string plain = disassemble(raw, 0xfffffffffffff000ull);
        const std::string aliased = disassemble(raw, 0x1000, alias);
        REQUIRE(!plain.empty());
        REQUIRE(!aliased.empty());
        if (in.id == kInvalidId) REQUIRE((plain.rfind("unknown 0x", 0) == 0 || plain == "c.unimp"));
    };
    for (uint32_t raw = 0; raw < 0x10000; ++raw)
        if ((raw & 3) != 3) check(raw);
    uint32_t x = 1;
    for (int k = 0; k < 200000; ++k) check((x = x * 1664525 + 1013904223) | 3);
}

TEST_CASE("unknown and defined-illegal encodings", "[riscv][disasm]") {
    CHECK(disassemble(0xffffffff, 0) == "unknown 0xffffffff");
    CHECK(disassemble(0x0000001f, 0) == "unknown 0x0000001f");   // a 48-bit instruction's first parcel
    CHECK(disassemble(0x00000000, 0) == "c.unimp");
    CHECK(disassemble(0x12340000, 0) == "c.unimp");              // the upper half is the next parcel
    CHECK(disassemble(0x0000, 0, DisasmOptions{true}) == "unimp");
    CHECK(disassemble(0x6101, 0) == "unknown 0x00006101");       // c.addi16sp with a zero immediate
    CHECK(disassemble(0x0005d553, 0) == "unknown 0x0005d553");   // fadd.s with reserved rounding mode 5
    CHECK(disassemble(0xc0001073, 0) == "unimp");
}

TEST_CASE("CSR names map to numbers and back", "[riscv][disasm]") {
    for (const CsrName& c : csr_names()) {
        INFO(c.name);
        REQUIRE(csr_number(c.name) == c.number);
        REQUIRE(csr_name(c.number) == c.name);
    }
    // Every CSR encoding.hpp names has a name.
    for (uint16_t n : std::initializer_list<uint16_t>{csr::fflags, csr::frm, csr::fcsr, csr::cycle, csr::time, csr::instret, csr::hpmcounter3,
                       csr::hpmcounter31, csr::sstatus, csr::sie, csr::stvec, csr::scounteren, csr::senvcfg,
                       csr::sscratch, csr::sepc, csr::scause, csr::stval, csr::sip, csr::stimecmp, csr::satp,
                       csr::hstatus, csr::hedeleg, csr::hideleg, csr::hie, csr::htimedelta, csr::hcounteren,
                       csr::hgeie, csr::henvcfg, csr::htval, csr::hip, csr::hvip, csr::htinst, csr::hgatp,
                       csr::hgeip, csr::vsstatus, csr::vsie, csr::vstvec, csr::vsscratch, csr::vsepc,
                       csr::vscause, csr::vstval, csr::vsip, csr::vstimecmp, csr::vsatp, csr::mvendorid,
                       csr::marchid, csr::mimpid, csr::mhartid, csr::mconfigptr, csr::mstatus, csr::misa,
                       csr::medeleg, csr::mideleg, csr::mie, csr::mtvec, csr::mcounteren, csr::menvcfg,
                       csr::mcountinhibit, csr::mhpmevent3, csr::mhpmevent31, csr::mscratch, csr::mepc,
                       csr::mcause, csr::mtval, csr::mip, csr::mtinst, csr::mtval2, csr::pmpcfg0, csr::pmpcfg15 - 1,
                       csr::pmpaddr0, csr::pmpaddr63, csr::mcycle, csr::minstret, csr::mhpmcounter3,
                       csr::mhpmcounter31, csr::tselect}) {
        INFO(std::hex << "CSR 0x" << n);
        CHECK(csr_name(n) != nullptr);
    }
    CHECK(csr_number("hgatp") == csr::hgatp);
    CHECK(csr_number("pmpaddr17") == csr::pmpaddr0 + 17);
    CHECK(csr_number("mhpmevent9") == csr::mhpmevent3 + 6);
    CHECK(csr_number("sptbr") == csr::satp);
    CHECK(csr_number("dscratch") == 0x7B2);
    CHECK(std::string(csr_name(0x7B2)) == "dscratch0");
    CHECK(csr_name(csr::pmpcfg0 + 1) == nullptr);   // RV32 only
    CHECK(csr_name(0xC80) == nullptr);              // cycleh: RV32 only
    CHECK(!csr_number("nosuchcsr"));
}
