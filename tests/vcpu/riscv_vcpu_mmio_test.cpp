// MMIO exits of the RISC-V vCPU: guest-page faults on loads and stores
// decoded from the transformed instruction in htinst and, on a physical CPU
// that writes htinst = 0, from the instruction fetched at sepc. Both paths
// must give the same exits; 1,000 random accesses check it.
#include <catch2/catch.hpp>

#include <random>

#include "tests/vcpu/riscv_vcpu_fixture.hpp"
#include "vcpu/mmio.hpp"

using namespace hvemu::vcpu;
using namespace hvemu::vcpu::riscv;
using namespace hvemu::vcpu::riscv::test;
namespace rvc = hvemu::rv;

namespace {

// Two physical CPUs of one host: CPU 0 writes transformed instructions to
// htinst, CPU 1 writes 0. One vCPU of the VM on each.
struct TwoPaths {
    VmFixture f{{true, false}};
    std::vector<RiscvVCpu> v;
    TwoPaths() {
        for (unsigned i = 0; i < 2; ++i) {
            v.push_back(f.vcpu(i));
            f.cpu(i).make_current();
            REQUIRE(v[i].bind().ok());
        }
    }
    // Put one instruction (and a nop after it) at kEntry.
    void insn(uint32_t raw, unsigned len) {
        if (len == 2) {
            f.put16(kEntry, static_cast<uint16_t>(raw));
            f.put32(kEntry + 2, kNop);
        } else {
            f.put32(kEntry, raw);
            f.put32(kEntry + 4, kNop);
        }
    }
    ExitReason run(unsigned i, const std::array<uint64_t, 32>& regs, uint64_t pc = kEntry) {
        f.cpu(i).make_current();
        for (unsigned r = 1; r < 32; ++r) v[i].set_gpr(r, regs[r]);
        v[i].set_pc(pc);
        return run_ok(v[i]);
    }
};

struct Expect {
    bool store;
    unsigned width;
    bool signed_ext;
    unsigned reg;   // rd or rs2
};

bool same(const ExitReason& a, const ExitReason& b) {
    if (a.index() != b.index()) return false;
    if (auto* r = std::get_if<exit::MmioRead>(&a)) {
        auto& s = std::get<exit::MmioRead>(b);
        return r->addr == s.addr && r->width == s.width && r->reg == s.reg && r->reg_width == s.reg_width &&
               r->signed_ext == s.signed_ext;
    }
    if (auto* w = std::get_if<exit::MmioWrite>(&a)) {
        auto& s = std::get<exit::MmioWrite>(b);
        return w->addr == s.addr && w->width == s.width && w->data == s.data;
    }
    if (auto* n = std::get_if<exit::NestedPageFault>(&a)) {
        auto& s = std::get<exit::NestedPageFault>(b);
        return n->addr == s.addr && n->access_flags == s.access_flags;
    }
    return true;
}

bool last_trap_is_store(const RiscvVCpu& v) { return v.last_trap().scause == rvc::cause::STORE_GUEST_PAGE_FAULT; }

// Check an exit against what the instruction should produce, and complete
// a read the way a VMM does.
void check_exit(TwoPaths& t, unsigned cpu, const ExitReason& e, const Expect& x, uint64_t addr, unsigned len,
                const std::array<uint64_t, 32>& regs, uint64_t device_value) {
    INFO("cpu " << cpu << ": " << describe(e));
    RiscvVCpu& v = t.v[cpu];
    CHECK(v.pc() == kEntry + len);   // MMIO: pc + instruction length
    CHECK(v.last_trap().sepc == kEntry);
    if (cpu == 0) CHECK(v.last_trap().htinst != 0);
    else CHECK(v.last_trap().htinst == 0);
    if (x.store) {
        REQUIRE(std::holds_alternative<exit::MmioWrite>(e));
        const auto& w = std::get<exit::MmioWrite>(e);
        CHECK(w.addr == addr);
        CHECK(bytes(w.width) == x.width);
        CHECK(w.data == regs[x.reg]);   // the whole source register
        CHECK(last_trap_is_store(v));
    } else {
        REQUIRE(std::holds_alternative<exit::MmioRead>(e));
        const auto& r = std::get<exit::MmioRead>(e);
        CHECK(r.addr == addr);
        CHECK(bytes(r.width) == x.width);
        CHECK(r.reg == x.reg);
        CHECK(r.reg_width == AccessWidth::Qword);
        CHECK(r.signed_ext == x.signed_ext);
        v.set_gpr(r.reg, complete_mmio_read(r, device_value));
        // The architectural result of the load, computed independently.
        uint64_t want = 0;
        switch (x.width) {
        case 1: want = x.signed_ext ? static_cast<uint64_t>(static_cast<int8_t>(device_value)) : uint8_t(device_value); break;
        case 2: want = x.signed_ext ? static_cast<uint64_t>(static_cast<int16_t>(device_value)) : uint16_t(device_value); break;
        case 4: want = x.signed_ext ? static_cast<uint64_t>(static_cast<int32_t>(device_value)) : uint32_t(device_value); break;
        default: want = device_value; break;
        }
        CHECK(v.gpr(r.reg) == (r.reg == 0 ? 0 : want));
    }
}

} // namespace

TEST_CASE("MMIO: every 32-bit and compressed integer load/store through both decode paths", "[vcpu][riscv][mmio]") {
    TwoPaths t;
    struct Case {
        const char* name;
        uint32_t raw;
        unsigned len;
        Expect x;
        unsigned base;
        int32_t imm;
    };
    const Case cases[] = {
        {"lb", load(0, 10, 11, 5), 4, {false, 1, true, 10}, 11, 5},
        {"lh", load(1, 31, 1, -2), 4, {false, 2, true, 31}, 1, -2},
        {"lw", load(2, 5, 31, 0x7fc), 4, {false, 4, true, 5}, 31, 0x7fc},
        {"ld", load(3, 1, 2, -8), 4, {false, 8, true, 1}, 2, -8},
        {"lbu", load(4, 12, 13, 1), 4, {false, 1, false, 12}, 13, 1},
        {"lhu", load(5, 14, 14, 2), 4, {false, 2, false, 14}, 14, 2},
        {"lwu", load(6, 0, 15, 4), 4, {false, 4, false, 0}, 15, 4},   // rd = x0
        {"sb", store(0, 6, 7, 3), 4, {true, 1, false, 7}, 6, 3},
        {"sh", store(1, 8, 0, -6), 4, {true, 2, false, 0}, 8, -6},    // rs2 = x0
        {"sw", store(2, 9, 9, 12), 4, {true, 4, false, 9}, 9, 12},    // rs1 = rs2
        {"sd", store(3, 3, 30, -2048), 4, {true, 8, false, 30}, 3, -2048},
        {"c.lw", c_lw(9, 10, 124), 2, {false, 4, true, 9}, 10, 124},
        {"c.ld", c_ld(15, 8, 248), 2, {false, 8, true, 15}, 8, 248},
        {"c.sw", c_sw(11, 12, 4), 2, {true, 4, false, 11}, 12, 4},
        {"c.sd", c_sd(13, 14, 64), 2, {true, 8, false, 13}, 14, 64},
        {"c.lwsp", c_lwsp(20, 252), 2, {false, 4, true, 20}, 2, 252},
        {"c.ldsp", c_ldsp(31, 504), 2, {false, 8, true, 31}, 2, 504},
        {"c.swsp", c_swsp(0, 8), 2, {true, 4, false, 0}, 2, 8},
        {"c.sdsp", c_sdsp(17, 504), 2, {true, 8, false, 17}, 2, 504},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        std::array<uint64_t, 32> regs{};
        for (unsigned r = 1; r < 32; ++r) regs[r] = 0x1111111111111111ull * (r % 15 + 1) ^ 0x8000000000000080ull;
        const uint64_t addr = kMmio + 0x100;
        regs[c.base] = addr - static_cast<uint64_t>(static_cast<int64_t>(c.imm));
        t.insn(c.raw, c.len);
        const ExitReason e0 = t.run(0, regs);
        const ExitReason e1 = t.run(1, regs);
        CHECK(same(e0, e1));
        check_exit(t, 0, e0, c.x, addr, c.len, regs, 0xfedcba9876543281ull);
        check_exit(t, 1, e1, c.x, addr, c.len, regs, 0x0123456789abcdefull);
    }
}

TEST_CASE("MMIO: 1,000 random loads and stores decode identically through htinst and fetch", "[vcpu][riscv][mmio]") {
    TwoPaths t;
    std::mt19937_64 rng(20240531);
    auto pick = [&](uint64_t n) { return static_cast<unsigned>(rng() % n); };
    unsigned seen_compressed = 0, seen_store = 0, seen_signed = 0;
    for (unsigned trial = 0; trial < 1000; ++trial) {
        std::array<uint64_t, 32> regs{};
        for (unsigned r = 1; r < 32; ++r) regs[r] = rng();
        uint32_t raw = 0;
        unsigned len = 4, base = 0;
        int64_t imm = 0;
        Expect x{};
        const unsigned kind = pick(19);
        if (kind < 7) {   // loads: lb lh lw ld lbu lhu lwu
            const unsigned f3 = kind;
            x = {false, 1u << (f3 & 3), f3 < 4, pick(32)};
            base = 1 + pick(31);
            imm = static_cast<int64_t>(pick(4096)) - 2048;
            raw = load(f3, x.reg, base, static_cast<int32_t>(imm));
        } else if (kind < 11) {   // stores: sb sh sw sd
            const unsigned f3 = kind - 7;
            x = {true, 1u << f3, false, pick(32)};
            base = 1 + pick(31);
            imm = static_cast<int64_t>(pick(4096)) - 2048;
            raw = store(f3, base, x.reg, static_cast<int32_t>(imm));
        } else {
            len = 2;
            const unsigned r1 = 8 + pick(8), r2 = 8 + pick(8);
            switch (kind) {
            case 11: imm = 4 * pick(32); x = {false, 4, true, r2}; base = r1; raw = c_lw(r2, r1, unsigned(imm)); break;
            case 12: imm = 8 * pick(32); x = {false, 8, true, r2}; base = r1; raw = c_ld(r2, r1, unsigned(imm)); break;
            case 13: imm = 4 * pick(32); x = {true, 4, false, r2}; base = r1; raw = c_sw(r2, r1, unsigned(imm)); break;
            case 14: imm = 8 * pick(32); x = {true, 8, false, r2}; base = r1; raw = c_sd(r2, r1, unsigned(imm)); break;
            case 15: imm = 4 * pick(64); x = {false, 4, true, 1 + pick(31)}; base = 2; raw = c_lwsp(x.reg, unsigned(imm)); break;
            case 16: imm = 8 * pick(64); x = {false, 8, true, 1 + pick(31)}; base = 2; raw = c_ldsp(x.reg, unsigned(imm)); break;
            case 17: imm = 4 * pick(64); x = {true, 4, false, pick(32)}; base = 2; raw = c_swsp(x.reg, unsigned(imm)); break;
            default: imm = 8 * pick(64); x = {true, 8, false, pick(32)}; base = 2; raw = c_sdsp(x.reg, unsigned(imm)); break;
            }
        }
        // An address in the MMIO window, aligned or not, inside one page.
        uint64_t off = pick(0x1000 - 8);
        if (pick(2)) off &= ~uint64_t{x.width - 1};
        const uint64_t addr = kMmio + 0x1000 * pick(16) + off;
        regs[base] = addr - static_cast<uint64_t>(imm);
        INFO("trial " << trial << " raw " << std::hex << raw << " addr " << addr);
        t.insn(raw, len);
        const ExitReason e0 = t.run(0, regs);
        const ExitReason e1 = t.run(1, regs);
        REQUIRE(same(e0, e1));
        const uint64_t dev = rng();
        check_exit(t, 0, e0, x, addr, len, regs, dev);
        check_exit(t, 1, e1, x, addr, len, regs, dev);
        seen_compressed += len == 2;
        seen_store += x.store;
        seen_signed += x.signed_ext;
    }
    CHECK(seen_compressed > 200);
    CHECK(seen_store > 200);
    CHECK(seen_signed > 200);
}

TEST_CASE("MMIO: FP loads/stores, AMOs and LR are nested page faults, not emulated", "[vcpu][riscv][mmio]") {
    TwoPaths t;
    const uint32_t kFsOn = enc_u(op::LUI, 7, 2);   // x7 = 0x2000 = sstatus.FS Initial
    struct Case {
        const char* name;
        uint32_t raw;
        uint32_t flags;
    };
    const Case cases[] = {
        {"fld", enc_i(0x07, 3, 1, 6, 0), mapping::READ},
        {"fsd", enc_s(0x27, 3, 6, 1, 0), mapping::WRITE},
        {"amoadd.w", enc_r(op::AMO, 2, 0, 10, 6, 11), mapping::WRITE},
        {"lr.d", enc_r(op::AMO, 3, 0x08, 10, 6, 0), mapping::READ},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        t.f.code(kEntry, {kFsOn, csrs(hvemu::rv::csr::sstatus, 7), c.raw, kNop});
        std::array<uint64_t, 32> regs{};
        regs[6] = kMmio + 0x40;
        for (unsigned i = 0; i < 2; ++i) {
            const ExitReason e = t.run(i, regs);
            REQUIRE(std::holds_alternative<exit::NestedPageFault>(e));
            CHECK(std::get<exit::NestedPageFault>(e).addr == kMmio + 0x40);
            CHECK(std::get<exit::NestedPageFault>(e).access_flags == c.flags);
            CHECK(t.v[i].pc() == kEntry + 8);   // not advanced
        }
    }
}

TEST_CASE("Instruction guest-page faults are NestedPageFault{EXECUTE}, pc unchanged", "[vcpu][riscv][mmio]") {
    TwoPaths t;
    std::array<uint64_t, 32> regs{};
    for (unsigned i = 0; i < 2; ++i) {
        const ExitReason e = t.run(i, regs, 0x90000000);
        REQUIRE(std::holds_alternative<exit::NestedPageFault>(e));
        CHECK(std::get<exit::NestedPageFault>(e).addr == 0x90000000);
        CHECK(std::get<exit::NestedPageFault>(e).access_flags == mapping::EXECUTE);
        CHECK(t.v[i].pc() == 0x90000000);
        CHECK(t.v[i].last_trap().scause == hvemu::rv::cause::INSN_GUEST_PAGE_FAULT);
    }
    // A jump into the MMIO window.
    t.f.code(kEntry, {jalr(0, 6, 0x10)});
    regs[6] = kMmio;
    for (unsigned i = 0; i < 2; ++i) {
        const ExitReason e = t.run(i, regs);
        REQUIRE(std::holds_alternative<exit::NestedPageFault>(e));
        CHECK(std::get<exit::NestedPageFault>(e).addr == kMmio + 0x10);
        CHECK(t.v[i].pc() == kMmio + 0x10);
    }
}

TEST_CASE("MMIO with guest paging: GPA from htval, fetch through the VS stage, faults on the guest's walk",
          "[vcpu][riscv][mmio]") {
    TwoPaths t;
    namespace pte = hvemu::rv::pte;
    // Guest Sv39 tables in guest RAM: VA 0x80000000 -> itself (1 GiB),
    // VA 0x40000000 -> the MMIO window (4 KiB), and VA 0xC0000000 under a
    // table the G stage does not map (GPA 0x70000000).
    const uint64_t root = kGuestRam + 0x100000, l1 = root + 0x1000, l0 = root + 0x2000;
    const uint64_t kRwxad = pte::V | pte::R | pte::W | pte::X | pte::A | pte::D;
    t.f.put64(root + 2 * 8, (kGuestRam >> 12) << 10 | kRwxad);
    t.f.put64(root + 1 * 8, (l1 >> 12) << 10 | pte::V);
    t.f.put64(l1, (l0 >> 12) << 10 | pte::V);
    t.f.put64(l0, (kMmio >> 12) << 10 | pte::V | pte::R | pte::W | pte::A | pte::D);
    t.f.put64(root + 3 * 8, (0x70000000ull >> 12) << 10 | pte::V);
    const uint64_t satp = 8ull << 60 | root >> 12;

    // Paging on, then a compressed load through VA 0x40000006.
    std::array<uint64_t, 32> regs{};
    regs[5] = satp;
    regs[8] = 0x40000000;
    t.f.code(kEntry, {csrw(hvemu::rv::csr::satp, 5)});
    t.f.put16(kEntry + 4, c_lw(9, 8, 4));
    t.f.put16(kEntry + 6, 0x0001);   // c.nop
    for (unsigned i = 0; i < 2; ++i) {
        regs[8] = 0x40000002;   // misaligned by 2: GPA low bits come from stval
        const ExitReason e = t.run(i, regs);
        REQUIRE(std::holds_alternative<exit::MmioRead>(e));
        const auto& r = std::get<exit::MmioRead>(e);
        CHECK(r.addr == kMmio + 6);
        CHECK(r.reg == 9);
        CHECK(bytes(r.width) == 4);
        CHECK(t.v[i].pc() == kEntry + 6);
        CHECK(t.v[i].last_trap().stval == 0x40000006);
    }
    // A load whose VS-stage walk reads a PTE in unmapped guest memory:
    // htinst is the pseudoinstruction 0x3000 (or 0 on CPU 1).
    t.f.code(kEntry, {csrw(hvemu::rv::csr::satp, 5), load(3, 10, 11, 0), store(3, 11, 10, 0)});
    regs[11] = 0xC0000000;
    for (unsigned i = 0; i < 2; ++i) {
        const ExitReason e = t.run(i, regs);
        REQUIRE(std::holds_alternative<exit::NestedPageFault>(e));
        CHECK(std::get<exit::NestedPageFault>(e).addr == 0x70000000);
        CHECK(std::get<exit::NestedPageFault>(e).access_flags == mapping::READ);
        CHECK(t.v[i].pc() == kEntry + 4);
        CHECK(t.v[i].last_trap().htinst == (i == 0 ? hvemu::rv::tinst::PSEUDO_VS_READ_64 : 0));
    }
}

TEST_CASE("complete_mmio_read extends per width, sign and register width", "[vcpu][mmio]") {
    exit::MmioRead r{0, AccessWidth::Byte, 1, AccessWidth::Qword, true};
    CHECK(complete_mmio_read(r, 0x1ff) == 0xffffffffffffffffull);
    r.signed_ext = false;
    CHECK(complete_mmio_read(r, 0x1ff) == 0xff);
    r = {0, AccessWidth::Word, 1, AccessWidth::Dword, true};   // AArch64 LDRSH Wt
    CHECK(complete_mmio_read(r, 0x8001) == 0xffff8001ull);
    r = {0, AccessWidth::Dword, 1, AccessWidth::Qword, true};
    CHECK(complete_mmio_read(r, 0x80000000) == 0xffffffff80000000ull);
    r = {0, AccessWidth::Qword, 1, AccessWidth::Qword, false};
    CHECK(complete_mmio_read(r, 0x8000000000000000ull) == 0x8000000000000000ull);
}
