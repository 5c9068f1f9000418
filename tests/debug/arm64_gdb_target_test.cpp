// The AArch64 GDB target: the target description against GDB's register
// numbers, registers (128-bit vectors through the stub's p/P/g packets,
// cpsr as PSTATE, the virtualization feature), memory by virtual address
// through stage 1 and stage 2 tables built in RAM, the printed walk, and
// the data access of the next load/store for watchpoints.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <vector>

#include "emu/debug/arm64_access.hpp"
#include "emu/debug/arm64_gdb_target.hpp"
#include "emu/debug/gdb_packet.hpp"
#include "emu/debug/gdb_server.hpp"
#include "tests/isa/arm64_tables.hpp"

using namespace hvemu;
using namespace hvemu::emu::debug;

namespace {

constexpr uint64_t kRam = 0x4000'0000, kRamSize = 16ull << 20;
constexpr uint64_t kTablePool = kRam + (8ull << 20);
// Descriptor bits.
constexpr uint64_t kValid = 1, kTable = 2, kAf = 1ull << 10, kSh = 3ull << 8;
constexpr uint64_t kS1Rw = kAf | kSh;                                    // AttrIndx 0 (MAIR: Normal WB)
constexpr uint64_t kS2Rw = kAf | kSh | (1ull << 6) | (1ull << 7) | (0xfull << 2);

using Tables = arm::test::Arm64Tables;

struct Rig {
    isa::PhysMem mem;
    std::unique_ptr<arm::Pe> pe;
    std::unique_ptr<Arm64GdbTarget> target;
    Tables tables{mem, kTablePool};
    Rig() {
        mem.add_ram(kRam, kRamSize);
        arm::PeConfig cfg;
        cfg.reset_pc = kRam;
        cfg.pa_bits = 40;
        pe = std::make_unique<arm::Pe>(mem, cfg);
        pe->reset();
        target = std::make_unique<Arm64GdbTarget>(std::vector<arm::Pe*>{pe.get()});
    }
    // EL1 stage 1: 39-bit VA (T0SZ 25, start level 1) from TTBR0_EL1.
    uint64_t stage1(uint64_t table_offset = 0) {
        const uint64_t root = tables.alloc();
        pe->sys.tcr_el1 = 25 | (2ull << 32);
        pe->sys.ttbr0_el1 = root - table_offset;
        pe->sys.mair_el1 = 0xff;
        pe->sys.sctlr_el1 |= 1;
        pe->set_el(1, true);
        pe->update_context();
        return root;
    }
    std::string read(uint64_t addr, size_t len, bool physical = false) {
        std::string s(len, '\0');
        if (!target->read_memory(0, addr, reinterpret_cast<uint8_t*>(s.data()), len, physical)) return "<fault>";
        return s;
    }
};

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

} // namespace

TEST_CASE("arm64 gdb target: the description numbers registers as GDB's AArch64 code does", "[debug][arm64][unit]") {
    Rig r;
    const std::string xml = r.target->target_xml();
    // Well formed: every element closes, in order.
    std::vector<std::string> open;
    const std::regex tag(R"(<(/?)([A-Za-z_!?][A-Za-z_.-]*)[^>]*?(/?)>)");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), tag); it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[2];
        if (name[0] == '?' || name[0] == '!') continue;
        if ((*it)[1] == "/") {
            REQUIRE(!open.empty());
            CHECK(open.back() == name);
            open.pop_back();
        } else if ((*it)[3] != "/") {
            open.push_back(name);
        }
    }
    CHECK(open.empty());
    CHECK(has(xml, "<architecture>aarch64</architecture>"));
    CHECK(has(xml, "<feature name=\"org.gnu.gdb.aarch64.core\">"));
    CHECK(has(xml, "<feature name=\"org.gnu.gdb.aarch64.fpu\">"));
    CHECK(has(xml, "<feature name=\"org.hvemu.arm64.virt\">"));

    // Every register: its number, and its size agrees with register_size().
    std::map<std::string, unsigned> num;
    const std::regex reg(R"re(<reg name="([a-z0-9_]+)" bitsize="(\d+)"[^>]*regnum="(\d+)")re");
    unsigned count = 0;
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), reg); it != std::sregex_iterator(); ++it, ++count) {
        const unsigned n = static_cast<unsigned>(std::stoul((*it)[3]));
        INFO((*it)[1]);
        CHECK(num.emplace((*it)[1], n).second);
        CHECK(r.target->register_size(n) * 8 == std::stoul((*it)[2]));
        CHECK(n == count);   // numbered densely in document order
    }
    CHECK(count == a64reg::kSys0 + arm64_virt_registers().size());
    CHECK(r.target->register_size(count) == 0);
    for (unsigned i = 0; i < 31; i++) CHECK(num.at("x" + std::to_string(i)) == i);
    CHECK(num.at("sp") == 31);
    CHECK(num.at("pc") == 32);
    CHECK(num.at("cpsr") == 33);
    for (unsigned i = 0; i < 32; i++) CHECK(num.at("v" + std::to_string(i)) == 34 + i);
    CHECK(num.at("fpsr") == 66);
    CHECK(num.at("fpcr") == 67);
    for (const char* name : {"esr_el2", "far_el2", "hpfar_el2", "hcr_el2", "vttbr_el2", "vtcr_el2", "elr_el2",
                             "spsr_el2", "sctlr_el1", "ttbr0_el1", "ttbr1_el1", "tcr_el1", "vbar_el1", "esr_el1",
                             "far_el1", "elr_el1", "spsr_el1", "sp_el0", "sp_el1", "sp_el2", "vbar_el2",
                             "sctlr_el2", "ich_hcr_el2", "ich_lr0_el2", "ich_lr3_el2"})
        CHECK(num.count(name) == 1);
}

TEST_CASE("arm64 gdb target: general, vector, PSTATE and system registers", "[debug][arm64][unit]") {
    Rig r;
    Arm64GdbTarget& t = *r.target;
    arm::Pe& pe = *r.pe;
    pe.x[7] = 0x1122334455667788;
    pe.x[arm::kSp] = 0x4010'0000;
    pe.v[3][0] = 0x0706050403020100;
    pe.v[3][1] = 0x0f0e0d0c0b0a0908;
    pe.fpsr = 0x08000000;
    CHECK(t.read_register(0, 7) == 0x1122334455667788u);
    CHECK(t.read_register(0, a64reg::kSp) == 0x4010'0000u);
    CHECK(t.read_register(0, a64reg::kPc) == kRam);
    CHECK(t.read_register(0, a64reg::kFpsr) == 0x08000000u);
    uint8_t v[16];
    REQUIRE(t.read_register_bytes(0, a64reg::kV0 + 3, v));
    for (unsigned i = 0; i < 16; i++) CHECK(v[i] == i);
    CHECK_FALSE(t.read_register(1, 0));   // no second PE

    // After reset: EL2h with DAIF masked.
    CHECK(t.read_register(0, a64reg::kCpsr) == (0x3c0u | 0x9));
    pe.pstate.nzcv = 0x6u << 28;   // Z C
    CHECK(t.read_register(0, a64reg::kCpsr) == (0x60000000u | 0x3c0 | 0x9));
    // cpsr writes move the PE: EL1h banks the stack pointers.
    const uint64_t sp2 = pe.x[arm::kSp];
    pe.sys.sp_el1 = 0x4020'0000;
    REQUIRE(t.write_register(0, a64reg::kCpsr, 0x80000000u | 0x5));
    CHECK(pe.el() == 1);
    CHECK(pe.pstate.daif == 0);
    CHECK(pe.pstate.nzcv == 0x80000000u);
    CHECK(pe.x[arm::kSp] == 0x4020'0000u);
    const unsigned sp_el2 = a64reg::kSys0 + 17;
    REQUIRE(std::string(arm64_virt_registers()[17].name) == "sp_el2");
    CHECK(t.read_register(0, sp_el2) == sp2);
    CHECK_FALSE(t.write_register(0, a64reg::kCpsr, 0x10));   // AArch32 user: no
    CHECK_FALSE(t.write_register(0, a64reg::kCpsr, 0x1));    // EL0 with SP_ELx: reserved
    CHECK_FALSE(t.write_register(0, a64reg::kCpsr, 0xd));    // EL3: not implemented
    CHECK(pe.el() == 1);

    // The virtualization feature, by name.
    auto regno = [](const char* name) {
        const auto& s = arm64_virt_registers();
        for (unsigned i = 0; i < s.size(); i++)
            if (std::string(s[i].name) == name) return a64reg::kSys0 + i;
        FAIL("no register " << name);
        return 0u;
    };
    pe.sys.esr_el2 = 0x5a000042;
    pe.sys.hpfar_el2 = 0x90000 >> 8;
    pe.sys.ich_lr[2] = 0x5000'0000'0000'0021ull;
    CHECK(t.read_register(0, regno("esr_el2")) == 0x5a000042u);
    CHECK(t.read_register(0, regno("hpfar_el2")) == 0x900u);
    CHECK(t.read_register(0, regno("ich_lr2_el2")) == 0x5000'0000'0000'0021ull);
    REQUIRE(t.write_register(0, regno("vbar_el1"), 0x4000'8000));
    CHECK(pe.sys.vbar_el1 == 0x4000'8000u);
    REQUIRE(t.write_register(0, regno("sp_el0"), 0x1234));
    CHECK(pe.sys.sp_el0 == 0x1234u);   // not the current stack pointer at EL1h: the banked copy
    CHECK(t.read_register(0, regno("sp_el1")) == 0x4020'0000u);

    const std::string sysregs = *t.monitor(0, "sysregs");
    CHECK(has(sysregs, "esr_el2       0x000000005a000042"));
    const std::string el = *t.monitor(0, "el");
    CHECK(has(el, "EL1h"));
    CHECK(has(el, "stage 2 off"));
}

TEST_CASE("arm64 gdb target: 128-bit vector registers through p, P and g", "[debug][arm64][unit]") {
    Rig r;
    r.pe->v[0][0] = 0x8877665544332211;
    r.pe->v[0][1] = 0x00ffeeddccbbaa99;
    r.pe->x[1] = 0xabcdef;
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    const std::string script = frame_packet("p22") + frame_packet("P23=000102030405060708090a0b0c0d0e0f") +
                               frame_packet("p43") + frame_packet("P42=01000000") + frame_packet("g") +
                               frame_packet("p21") + frame_packet("qRcmd," + to_hex("help")) + frame_packet("k");
    REQUIRE(::write(sv[0], script.data(), script.size()) == static_cast<ssize_t>(script.size()));
    {
        GdbServer server(*r.target, sv[1]);
        CHECK_FALSE(server.wait_for_attach());   // killed by the script
    }
    std::string out;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(sv[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(sv[0]);
    INFO(out);
    CHECK(has(out, "$112233445566778899aabbccddeeff00#"));   // v0, little-endian
    CHECK(r.pe->v[1][0] == 0x0706050403020100u);
    CHECK(r.pe->v[1][1] == 0x0f0e0d0c0b0a0908u);
    CHECK(has(out, "$00000000#"));   // fpcr (0x43), 4 bytes
    CHECK(r.pe->fpsr == 1u);
    // g: x0-x30, sp, pc (8 bytes each) and cpsr (4).
    const std::regex g(R"(\$([0-9a-f]+)#)");
    bool found = false;
    for (auto it = std::sregex_iterator(out.begin(), out.end(), g); it != std::sregex_iterator(); ++it)
        if ((*it)[1].length() == 2 * (33 * 8 + 4)) {
            found = true;
            CHECK((*it)[1].str().substr(16, 16) == "efcdab0000000000");   // x1
            CHECK((*it)[1].str().substr(32 * 16, 16) == "0000004000000000");   // pc
        }
    CHECK(found);
    CHECK(has(out, to_hex("  el  ")));   // the target's monitor lines in help
}

TEST_CASE("arm64 gdb target: memory by virtual address through stage 1, then stage 2", "[debug][arm64][unit]") {
    Rig r;
    const uint64_t data = kRam + 0x20'0000;
    r.mem.write_block(data + 0xff8, "0123456789abcdef", 16);   // across a page boundary
    const uint64_t root = r.stage1();
    r.tables.map(root, 1, 39, 0x1000'0000, data, kS1Rw);
    r.tables.map(root, 1, 39, 0x1000'1000, data + 0x1000, kS1Rw);
    r.tables.map(root, 1, 39, 0x2000'0000, kRam + 0x40'0000, kS1Rw, 2);   // a 2 MiB block

    CHECK(r.read(0x1000'0ff8, 16) == "0123456789abcdef");
    CHECK(r.read(0x1000'2000, 4) == "<fault>");   // unmapped
    CHECK(r.read(data + 0xffc, 4, true) == "4567");
    CHECK(r.read(0x1000, 4, true) == "<fault>");   // not RAM
    REQUIRE(r.target->write_memory(0, 0x2012'3450, reinterpret_cast<const uint8_t*>("gdb!"), 4, false));
    CHECK(r.read(kRam + 0x52'3450, 4, true) == "gdb!");

    std::string walk = *r.target->monitor(0, "walk 0x10000ffc");
    INFO(walk);
    CHECK(has(walk, "TTBR0_EL1"));
    CHECK(has(walk, "S1 L1: entry 0x0 at "));
    CHECK(has(walk, "S1 L3: entry 0x0 at "));
    CHECK(has(walk, "page -> 0x40200000"));
    CHECK(has(walk, "S1: 0x10000ffc -> 0x40200ffc"));
    CHECK(has(walk, "pe: 0x10000ffc -> 0x40200ffc\n"));
    walk = *r.target->monitor(0, "walk 20123450");
    CHECK(has(walk, "S1 L2: entry 0x100 at "));
    CHECK(has(walk, "block -> 0x40400000"));
    CHECK(has(walk, "pe: 0x20123450 -> 0x40523450\n"));
    walk = *r.target->monitor(0, "walk 0x30000000");
    CHECK(has(walk, "invalid"));
    CHECK(has(walk, "pe: translation fault, level 2, stage 1"));
    CHECK(*r.target->monitor(0, "walk zz") == "usage: monitor walk <hex address>\n");
    // Stopped at EL0, the debugger still reads the EL1-only page the walk
    // says EL0 may not.
    REQUIRE(r.target->write_register(0, a64reg::kCpsr, 0));   // EL0t
    CHECK(r.read(0x1000'0ff8, 4) == "0123");
    CHECK(has(*r.target->monitor(0, "walk 0x10000ff8"), "pe: permission fault, level 3, stage 1"));
    REQUIRE(r.target->write_register(0, a64reg::kCpsr, 5));   // EL1h

    // Stage 2: the guest's RAM at IPA 0 is host RAM + 4 MiB; the stage 1
    // tables are now guest tables (at IPAs) over the same layout.
    constexpr uint64_t kIpaOffset = kRam;   // table IPA = table PA - kRam
    r.tables.next = kRam + (12ull << 20);
    const uint64_t s2root = r.tables.alloc(2);
    r.pe->sys.vtcr_el2 = 24 | (1u << 6) | (2u << 16);   // T0SZ 24, SL0 1 (two concatenated tables), PS 40 bits
    r.pe->sys.vttbr_el2 = s2root | 7ull << 48;
    r.pe->sys.hcr_el2 |= 1;   // VM
    for (uint64_t off = 0; off < kRamSize; off += 2ull << 20)
        r.tables.map(s2root, 1, 40, off, kRam + off, kS2Rw, 2);   // IPA [0, 16 MiB) -> RAM
    const uint64_t groot = r.stage1(kIpaOffset);
    r.tables.table_offset = kIpaOffset;   // the guest's tables are addressed by IPA
    r.tables.map(groot, 1, 39, 0x1000'0000, data - kIpaOffset, kS1Rw, 3);
    r.tables.table_offset = 0;
    r.pe->update_context();
    CHECK(r.read(0x1000'0ff8, 8) == "01234567");
    walk = *r.target->monitor(0, "walk 0x10000ff8");
    INFO(walk);
    CHECK(has(walk, "stage 2 on"));
    CHECK(has(walk, "VTTBR_EL2"));
    CHECK(has(walk, "(VMID 7)"));
    CHECK(has(walk, "(PA 0x4"));                              // a stage 1 table read located by stage 2
    CHECK(has(walk, "S1: 0x10000ff8 -> 0x200ff8"));           // the IPA
    CHECK(has(walk, "S2 L1: entry 0x0 at "));
    CHECK(has(walk, "S2 L2: entry 0x1 at "));
    CHECK(has(walk, "S2: 0x200ff8 -> 0x40200ff8"));
    CHECK(has(walk, "pe: 0x10000ff8 -> 0x40200ff8\n"));
    CHECK(has(*r.target->monitor(0, "el"), "stage 2 on"));
}

TEST_CASE("arm64 gdb target: the data access of the next load or store", "[debug][arm64][unit]") {
    uint64_t regs[32] = {};
    for (unsigned i = 0; i < 31; i++) regs[i] = 0x1000 * (i + 1);
    regs[31] = 0x9000'0000;   // SP
    regs[11] = 3;
    regs[14] = 0xffff'fffe;   // -2 as a W register
    const auto x = [&regs](unsigned n) { return regs[n]; };
    struct Case {
        uint32_t raw;
        const char* text;
        uint64_t addr;
        unsigned len;
        bool read, write;
    };
    const Case cases[] = {
        {0xf9400441, "ldr x1, [x2, #8]", 0x3008, 8, true, false},
        {0xb81f0fe3, "str w3, [sp, #-16]!", 0x8fff'fff0, 4, false, true},
        {0x384014a4, "ldrb w4, [x5], #1", 0x6000, 1, true, false},
        {0xa9421d06, "ldp x6, x7, [x8, #32]", 0x9020, 16, true, false},
        {0xadbf07e0, "stp q0, q1, [sp, #-32]!", 0x8fff'ffe0, 32, false, true},
        {0xf86b7949, "ldr x9, [x10, x11, lsl #3]", 0xb018, 8, true, false},
        {0xb8aed9ac, "ldrsw x12, [x13, w14, sxtw #2]", 0xe000 - 8, 4, true, false},
        {0x885f7e0f, "ldxr w15, [x16]", 0x11000, 4, true, false},
        {0xc89ffe51, "stlr x17, [x18]", 0x13000, 8, false, true},
        {0xf83302b4, "ldadd x19, x20, [x21]", 0x16000, 8, true, true},
        {0x3dc006c2, "ldr q2, [x22, #16]", 0x17010, 16, true, false},
        {0xfc1f82e3, "stur d3, [x23, #-8]", 0x17ff8, 8, false, true},
        {0x58000098, "ldr x24, pc+16", 0x4000'0010, 8, true, false},
        {0xc87f0861, "ldxp x1, x2, [x3]", 0x4000, 16, true, false},
        {0x88e1fc62, "casal w1, w2, [x3]", 0x4000, 4, true, true},
        {0xf8bfc041, "ldapr x1, [x2]", 0x3000, 8, true, false},
        {0x7c0030a4, "stur h4, [x5, #3]", 0x6003, 2, false, true},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const auto a = a64_data_access(c.raw, 0x4000'0000, x);
        REQUIRE(a);
        CHECK(a->addr == c.addr);
        CHECK(a->len == c.len);
        CHECK(a->read == c.read);
        CHECK(a->write == c.write);
    }
    CHECK_FALSE(a64_data_access(0xf9800000, 0, x));   // prfm
    CHECK_FALSE(a64_data_access(0x91000420, 0, x));   // add x0, x1, #1
    CHECK_FALSE(a64_data_access(0x4c407000, 0, x));   // ld1 {v0.16b}, [x0]: not told

    // Through the target: the instruction at pc, read from guest memory.
    Rig r;
    const uint32_t ldr = 0xf9400441;   // ldr x1, [x2, #8]
    r.mem.write_block(kRam, &ldr, 4);
    r.pe->x[2] = kRam + 0x100;
    const auto m = r.target->next_access(0);
    REQUIRE(m);
    CHECK(m->addr == kRam + 0x108);
    CHECK(m->len == 8);
    CHECK(m->read);
}

TEST_CASE("arm64 gdb target: breakpoint, step and memory over the stub with a running PE", "[debug][arm64][unit]") {
    Rig r;
    // add x0, x0, #1 (x8), then b .
    for (unsigned i = 0; i < 8; i++) {
        const uint32_t add = 0x91000400;
        r.mem.write_block(kRam + 4 * i, &add, 4);
    }
    const uint32_t hang = 0x14000000;
    r.mem.write_block(kRam + 32, &hang, 4);
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    const std::string script = frame_packet("Z0,40000010,4") + frame_packet("c") + frame_packet("p0") +
                               frame_packet("s") + frame_packet("p20") + frame_packet("m40000000,4") +
                               frame_packet("k");
    REQUIRE(::write(sv[0], script.data(), script.size()) == static_cast<ssize_t>(script.size()));
    unsigned ran = 0;
    {
        GdbServer server(*r.target, sv[1]);
        REQUIRE(server.wait_for_attach());
        for (; ran < 100; ran++) {
            if (!server.before_insn(0)) break;
            r.pe->set_interrupts_masked(server.step_masks_interrupts(0));
            r.pe->run(1);
        }
    }
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(sv[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(sv[0]);
    INFO(out);
    CHECK(ran == 5);   // four adds, then the step's one
    CHECK(has(out, "$T05thread:1;#"));
    CHECK(has(out, "$0400000000000000#"));   // x0 at the breakpoint
    CHECK(has(out, "$1400004000000000#"));   // pc after the step
    CHECK(has(out, "$00040091#"));           // the add's encoding from memory
    CHECK(r.pe->x[0] == 5);
}

TEST_CASE("arm64 gdb target: watchpoints stop before the access, as GDB expects on AArch64", "[debug][arm64][unit]") {
    Rig r;
    const uint32_t code[] = {
        0x91000400,   // add x0, x0, #1
        0xf9000040,   // str x0, [x2]
        0xf9400043,   // ldr x3, [x2]
        0x14000000,   // b .
    };
    r.mem.write_block(kRam, code, sizeof code);
    r.pe->x[2] = kRam + 0x800;
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    // A write watchpoint stops before the store; GDB then removes it and
    // resumes (stepping over the store); a read watchpoint stops before the load.
    const std::string script = frame_packet("Z2,40000800,8") + frame_packet("c") + frame_packet("p20") +
                               frame_packet("z2,40000800,8") + frame_packet("Z3,40000800,8") + frame_packet("c") +
                               frame_packet("p20") + frame_packet("k");
    REQUIRE(::write(sv[0], script.data(), script.size()) == static_cast<ssize_t>(script.size()));
    uint64_t stored_at_first_stop = ~0ull;
    {
        GdbServer server(*r.target, sv[1]);
        REQUIRE(server.wait_for_attach());
        for (unsigned i = 0; i < 100; i++) {
            if (!server.before_insn(0)) break;
            if (r.pe->pc == kRam + 4 && stored_at_first_stop == ~0ull)
                r.mem.read_block(kRam + 0x800, &stored_at_first_stop, 8);
            r.pe->run(1);
        }
    }
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(sv[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(sv[0]);
    INFO(out);
    CHECK(has(out, "$T05watch:40000800;thread:1;#"));
    CHECK(has(out, "$0400004000000000#"));   // pc: the store, not yet run
    CHECK(stored_at_first_stop == 0);
    CHECK(has(out, "$T05rwatch:40000800;thread:1;#"));
    CHECK(has(out, "$0800004000000000#"));   // pc: the load
    CHECK(r.pe->x[3] == 0);                   // killed before the load ran
}
