// Test fixture for the RISC-V vCPU: host RAM, a hand-built Sv39x4 G stage
// that maps guest RAM (GPA 0x80000000, 2 MiB) onto host RAM and leaves the
// MMIO window (GPA 0x10000000) unmapped, physical CPUs with and without
// htinst, a tiny code writer and the compressed load/store encoders.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "isa/common/phys_mem.hpp"
#include "tests/isa/rv_test_util.hpp"
#include "vcpu/riscv/riscv_vcpu.hpp"
#include "tests/vcpu/vcpu_test_util.hpp"
#include "vcpu/vcpu.hpp"

namespace hvemu::vcpu::riscv::test {

using namespace hvemu::rv::test;   // enc_i, enc_s, op::..., kEcall, ...

constexpr uint64_t kHostRam = 0x80000000, kHostRamSize = 64ull << 20;
constexpr uint64_t kGRoot = 0x80100000;           // 16 KiB aligned G-stage root
constexpr uint64_t kGTables = kGRoot + 0x4000;    // further G-stage tables (bump allocated)
constexpr uint64_t kGuestHpa = 0x82000000;        // guest RAM in host memory
constexpr uint64_t kGuestRam = 0x80000000, kGuestRamSize = 2ull << 20;
constexpr uint64_t kEntry = kGuestRam;            // guest code
constexpr uint64_t kHandler = kGuestRam + 0x1000; // guest trap handler (vstvec)
constexpr uint64_t kGuestData = kGuestRam + 0x10000;
constexpr uint64_t kMmio = 0x10000000;            // unmapped: accesses exit
constexpr uint64_t kVmId = 5;

constexpr uint64_t kGLeaf = rv::pte::V | rv::pte::R | rv::pte::W | rv::pte::X | rv::pte::U | rv::pte::A | rv::pte::D;

// ---- compressed encoders (unprivileged spec, "RVC" chapter) ---------------
// rd'/rs1'/rs2' are x8..x15.
inline uint16_t c_lw(unsigned rd, unsigned rs1, unsigned imm) {   // imm: 0..124, multiple of 4
    return static_cast<uint16_t>(2u << 13 | ((imm >> 3) & 7) << 10 | (rs1 - 8) << 7 | ((imm >> 2) & 1) << 6 |
                                 ((imm >> 6) & 1) << 5 | (rd - 8) << 2 | 0);
}
inline uint16_t c_ld(unsigned rd, unsigned rs1, unsigned imm) {   // imm: 0..248, multiple of 8
    return static_cast<uint16_t>(3u << 13 | ((imm >> 3) & 7) << 10 | (rs1 - 8) << 7 | ((imm >> 6) & 3) << 5 |
                                 (rd - 8) << 2 | 0);
}
inline uint16_t c_sw(unsigned rs2, unsigned rs1, unsigned imm) {
    return static_cast<uint16_t>(6u << 13 | ((imm >> 3) & 7) << 10 | (rs1 - 8) << 7 | ((imm >> 2) & 1) << 6 |
                                 ((imm >> 6) & 1) << 5 | (rs2 - 8) << 2 | 0);
}
inline uint16_t c_sd(unsigned rs2, unsigned rs1, unsigned imm) {
    return static_cast<uint16_t>(7u << 13 | ((imm >> 3) & 7) << 10 | (rs1 - 8) << 7 | ((imm >> 6) & 3) << 5 |
                                 (rs2 - 8) << 2 | 0);
}
inline uint16_t c_lwsp(unsigned rd, unsigned imm) {   // rd != 0; imm 0..252, multiple of 4
    return static_cast<uint16_t>(2u << 13 | ((imm >> 5) & 1) << 12 | rd << 7 | ((imm >> 2) & 7) << 4 |
                                 ((imm >> 6) & 3) << 2 | 2);
}
inline uint16_t c_ldsp(unsigned rd, unsigned imm) {   // rd != 0; imm 0..504, multiple of 8
    return static_cast<uint16_t>(3u << 13 | ((imm >> 5) & 1) << 12 | rd << 7 | ((imm >> 3) & 3) << 5 |
                                 ((imm >> 6) & 7) << 2 | 2);
}
inline uint16_t c_swsp(unsigned rs2, unsigned imm) {
    return static_cast<uint16_t>(6u << 13 | ((imm >> 2) & 0xf) << 9 | ((imm >> 6) & 3) << 7 | rs2 << 2 | 2);
}
inline uint16_t c_sdsp(unsigned rs2, unsigned imm) {
    return static_cast<uint16_t>(7u << 13 | ((imm >> 3) & 7) << 10 | ((imm >> 6) & 7) << 7 | rs2 << 2 | 2);
}

// A few 32-bit instructions.
inline uint32_t load(unsigned f3, unsigned rd, unsigned rs1, int32_t imm) { return enc_i(op::LOAD, f3, rd, rs1, imm); }
inline uint32_t store(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm) { return enc_s(op::STORE, f3, rs1, rs2, imm); }
inline uint32_t jal(unsigned rd, int32_t off) { return enc_j(op::JAL, rd, off); }
inline uint32_t jalr(unsigned rd, unsigned rs1, int32_t imm) { return enc_i(op::JALR, 0, rd, rs1, imm); }
inline uint32_t csrw(uint16_t c, unsigned rs1) { return csrrw(0, c, rs1); }
inline uint32_t csrs(uint16_t c, unsigned rs1) { return csrrs(0, c, rs1); }

// Host memory, a G stage and physical CPUs.
struct VmFixture {
    isa::PhysMem mem;
    uint64_t next_table = kGTables;
    std::vector<std::unique_ptr<PhysCpu>> cpus;

    explicit VmFixture(std::vector<bool> write_tinst = {true}) {
        mem.add_ram(kHostRam, kHostRamSize);
        // Guest RAM as one 2 MiB megapage (level 1).
        map(kGuestRam, kGuestHpa, kGLeaf, 1);
        for (unsigned i = 0; i < write_tinst.size(); ++i)
            cpus.push_back(std::make_unique<PhysCpu>(mem, i, isa::Clocking{}, PhysCpuOptions{write_tinst[i]}));
        cpus[0]->make_current();
    }
    ~VmFixture() { PhysCpu::clear_current(); }

    PhysCpu& cpu(unsigned i = 0) { return *cpus[i]; }

    uint64_t rd64(uint64_t hpa) const {
        uint64_t v = 0;
        mem.read_block(hpa, &v, 8);
        return v;
    }
    void wr64(uint64_t hpa, uint64_t v) { mem.write_block(hpa, &v, 8); }

    // Sv39x4: three levels, an 11-bit index at the root.
    void map(uint64_t gpa, uint64_t hpa, uint64_t flags, unsigned level = 0) {
        uint64_t table = kGRoot;
        for (unsigned l = 2; l > level; --l) {
            const unsigned bits = l == 2 ? 11 : 9;
            const uint64_t at = table + ((gpa >> (12 + 9 * l)) & ((1ull << bits) - 1)) * 8;
            uint64_t pte = rd64(at);
            if (!(pte & rv::pte::V)) {
                const uint64_t t = next_table;
                next_table += 0x1000;
                pte = (t >> 12) << 10 | rv::pte::V;
                wr64(at, pte);
            }
            table = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
        }
        const unsigned bits = level == 2 ? 11 : 9;
        wr64(table + ((gpa >> (12 + 9 * level)) & ((1ull << bits) - 1)) * 8, (hpa >> 12) << 10 | flags);
    }

    static uint64_t hpa(uint64_t gpa) { return gpa - kGuestRam + kGuestHpa; }
    void put32(uint64_t gpa, uint32_t w) { mem.write_block(hpa(gpa), &w, 4); }
    void put16(uint64_t gpa, uint16_t w) { mem.write_block(hpa(gpa), &w, 2); }
    void put64(uint64_t gpa, uint64_t v) { mem.write_block(hpa(gpa), &v, 8); }
    uint64_t get64(uint64_t gpa) const { return rd64(hpa(gpa)); }
    // 32-bit words from `at` on; returns the address after them.
    uint64_t code(uint64_t at, std::initializer_list<uint32_t> words) {
        for (uint32_t w : words) {
            put32(at, w);
            at += 4;
        }
        return at;
    }

    // A vCPU set up for this VM (not bound).
    RiscvVCpu vcpu(uint64_t id = 0, uint64_t entry = kEntry) {
        auto r = RiscvVCpu::create(kVmId, id, CreateConfig{id, 0x90000000});
        REQUIRE(r.ok());
        RiscvVCpu v = std::move(r.value());
        REQUIRE(v.set_entry(entry).ok());
        REQUIRE(v.set_ept_root(kGRoot).ok());
        REQUIRE(v.setup({}).ok());
        return v;
    }
};

using vcpu::test::as;
using vcpu::test::run_ok;
using vcpu::test::run_to_exit;

} // namespace hvemu::vcpu::riscv::test
