// Test fixture for the Arm vCPU: host RAM, a hand-built VMSAv8-64 stage-2
// table (44-bit IPA, start level 0, 4 KiB granule) that maps guest RAM
// (IPA 0x40000000, 2 MiB, one level-2 block) onto host RAM and leaves the
// MMIO window (IPA 0x09000000) unmapped, physical CPUs, and a few A64
// encoders.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "isa/common/phys_mem.hpp"
#include "vcpu/arm64/arm_regs.hpp"
#include "vcpu/arm64/arm_vcpu.hpp"
#include "tests/vcpu/vcpu_test_util.hpp"
#include "vcpu/vcpu.hpp"

namespace hvemu::vcpu::arm64::test {

constexpr uint64_t kHostRam = 0x80000000, kHostRamSize = 64ull << 20;
constexpr uint64_t kS2Root = 0x80100000;            // stage-2 level-0 table
constexpr uint64_t kS2Tables = kS2Root + 0x1000;    // further tables (bump allocated)
constexpr uint64_t kGuestHpa = 0x82000000;          // guest RAM in host memory
constexpr uint64_t kGuestRam = 0x40000000, kGuestRamSize = 2ull << 20;
constexpr uint64_t kEntry = kGuestRam;
constexpr uint64_t kGuestData = kGuestRam + 0x10000;
constexpr uint64_t kMmio = 0x09000000;              // unmapped: accesses exit
constexpr uint64_t kVmId = 5;
constexpr uint64_t kDtb = 0x44000000;

// Stage-2 descriptor bits (VMSAv8-64): valid, table/page, MemAttr = Normal
// write-back, S2AP, SH = inner, AF.
constexpr uint64_t kS2Valid = 1, kS2Table = 3, kS2Page = 3, kS2Block = 1;
constexpr uint64_t kS2Normal = 0xfull << 2, kS2Read = 1ull << 6, kS2Write = 2ull << 6, kS2Inner = 3ull << 8,
                   kS2Af = 1ull << 10;
constexpr uint64_t kS2Rw = kS2Normal | kS2Read | kS2Write | kS2Inner | kS2Af;
constexpr uint64_t kS2Ro = kS2Normal | kS2Read | kS2Inner | kS2Af;

// ---- A64 encoders (Arm ARM C4) ---------------------------------------------
namespace a64 {
inline uint32_t movz(unsigned rd, uint16_t imm, unsigned hw = 0) { return 0xD2800000u | hw << 21 | uint32_t{imm} << 5 | rd; }
inline uint32_t movk(unsigned rd, uint16_t imm, unsigned hw) { return 0xF2800000u | hw << 21 | uint32_t{imm} << 5 | rd; }
inline uint32_t add_imm(unsigned rd, unsigned rn, unsigned imm12) { return 0x91000000u | imm12 << 10 | rn << 5 | rd; }
// Load/store, register forms: size 0-3, opc 0 STR, 1 LDR, 2 LDRS to X, 3 LDRS to W.
inline uint32_t ldst_uimm(unsigned size, unsigned opc, unsigned rt, unsigned rn, unsigned offset) {
    return size << 30 | 0x39000000u | opc << 22 | (offset >> size) << 10 | rn << 5 | rt;
}
inline uint32_t ldst_imm9(unsigned size, unsigned opc, unsigned rt, unsigned rn, int imm9, unsigned idx) {
    return size << 30 | 0x38000000u | opc << 22 | (static_cast<uint32_t>(imm9) & 0x1ff) << 12 | idx << 10 | rn << 5 | rt;
}
inline uint32_t ldst_post(unsigned size, unsigned opc, unsigned rt, unsigned rn, int imm) { return ldst_imm9(size, opc, rt, rn, imm, 1); }
inline uint32_t ldst_pre(unsigned size, unsigned opc, unsigned rt, unsigned rn, int imm) { return ldst_imm9(size, opc, rt, rn, imm, 3); }
inline uint32_t ldst_unscaled(unsigned size, unsigned opc, unsigned rt, unsigned rn, int imm) { return ldst_imm9(size, opc, rt, rn, imm, 0); }
inline uint32_t ldst_reg(unsigned size, unsigned opc, unsigned rt, unsigned rn, unsigned rm, unsigned option, bool s) {
    return size << 30 | 0x38200800u | opc << 22 | rm << 16 | option << 13 | (s ? 1u : 0u) << 12 | rn << 5 | rt;
}
inline uint32_t ldp_x(unsigned rt, unsigned rt2, unsigned rn) { return 0xA9400000u | rt2 << 10 | rn << 5 | rt; }
inline uint32_t hvc(uint16_t imm) { return 0xD4000002u | uint32_t{imm} << 5; }
inline uint32_t smc(uint16_t imm) { return 0xD4000003u | uint32_t{imm} << 5; }
inline uint32_t msr(uint32_t enc, unsigned rt) { return 0xD5000000u | enc << 5 | rt; }
inline uint32_t mrs(unsigned rt, uint32_t enc) { return 0xD5200000u | enc << 5 | rt; }
inline uint32_t br(unsigned rn) { return 0xD61F0000u | rn << 5; }
inline uint32_t fmov_d_x(unsigned rd, unsigned rn) { return 0x9E670000u | rn << 5 | rd; }
constexpr uint32_t kWfi = 0xD503207F, kWfe = 0xD503205F, kNop = 0xD503201F, kSelf = 0x14000000;   // b .
} // namespace a64

struct VmFixture {
    isa::PhysMem mem;
    uint64_t next_table = kS2Tables;
    std::vector<std::unique_ptr<PhysCpu>> cpus;

    explicit VmFixture(unsigned ncpus = 1, PhysCpuOptions opts = {}) {
        mem.add_ram(kHostRam, kHostRamSize);
        map(kGuestRam, kGuestHpa, kS2Rw | kS2Block, 2);
        for (unsigned i = 0; i < ncpus; ++i) cpus.push_back(std::make_unique<PhysCpu>(mem, i, isa::Clocking{}, opts));
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

    // A stage-2 leaf at `level` (3: 4 KiB page, 2: 2 MiB block, 1: 1 GiB block).
    void map(uint64_t ipa, uint64_t hpa, uint64_t desc, unsigned level = 3) {
        uint64_t table = kS2Root;
        for (unsigned l = 0; l < level; ++l) {
            const uint64_t at = table + ((ipa >> (39 - 9 * l)) & (l == 0 ? 0x1f : 0x1ff)) * 8;
            uint64_t d = rd64(at);
            if (!(d & kS2Valid)) {
                d = next_table | kS2Table;
                next_table += 0x1000;
                wr64(at, d);
            }
            table = d & 0x0000fffffffff000ull;
        }
        wr64(table + ((ipa >> (39 - 9 * level)) & 0x1ff) * 8, hpa | desc);
    }

    static uint64_t hpa(uint64_t gpa) { return gpa - kGuestRam + kGuestHpa; }
    void put32(uint64_t gpa, uint32_t w) { mem.write_block(hpa(gpa), &w, 4); }
    void put64(uint64_t gpa, uint64_t v) { mem.write_block(hpa(gpa), &v, 8); }
    uint64_t get64(uint64_t gpa) const { return rd64(hpa(gpa)); }
    uint64_t code(uint64_t at, std::initializer_list<uint32_t> words) {
        for (uint32_t w : words) {
            put32(at, w);
            at += 4;
        }
        return at;
    }

    ArmVCpu vcpu(uint64_t id = 0, uint64_t entry = kEntry, SetupConfig sc = {}) {
        auto r = ArmVCpu::create(kVmId, id, CreateConfig{id, kDtb});
        REQUIRE(r.ok());
        ArmVCpu v = std::move(r.value());
        REQUIRE(v.set_entry(entry).ok());
        REQUIRE(v.set_ept_root(kS2Root).ok());
        REQUIRE(v.setup(sc).ok());
        return v;
    }
};

inline uint64_t sysreg(PhysCpu& c, uint32_t enc) {
    uint64_t v = 0;
    c.pe().sysreg_read(enc, v, 2);
    return v;
}

using vcpu::test::as;
using vcpu::test::run_ok;
using vcpu::test::run_to_exit;

} // namespace hvemu::vcpu::arm64::test
