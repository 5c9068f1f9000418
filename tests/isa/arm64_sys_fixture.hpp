// A PE with RAM for the exception, system register and timer tests, small
// A64 encoders for the instructions they run, and a GIC port that records
// the PPI levels the PE drives.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "isa/arm64/pe.hpp"

namespace hvemu::arm::test {

constexpr uint64_t kRam = 0x4000'0000, kRamSize = 16ull << 20;
constexpr uint64_t kCode = kRam + 0x10000;
constexpr uint64_t kVbarEl1 = kRam + 0x4000, kVbarEl2 = kRam + 0x8000;
constexpr uint64_t kIl = 1ull << 25;

constexpr uint64_t esr_of(uint32_t ec, uint32_t iss) { return uint64_t{ec} << 26 | kIl | iss; }

// Encoders.
constexpr uint32_t mrs(unsigned rt, uint32_t enc) { return 0xD5200000u | enc << 5 | rt; }
constexpr uint32_t msr(uint32_t enc, unsigned rt) { return 0xD5000000u | enc << 5 | rt; }
constexpr uint32_t sys(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt) {
    return 0xD5080000u | op1 << 16 | crn << 12 | crm << 8 | op2 << 5 | rt;
}
constexpr uint32_t movz(unsigned rd, unsigned imm16, unsigned hw = 0) { return 0xD2800000u | hw << 21 | imm16 << 5 | rd; }
constexpr uint32_t svc(unsigned imm) { return 0xD4000001u | imm << 5; }
constexpr uint32_t hvc(unsigned imm) { return 0xD4000002u | imm << 5; }
constexpr uint32_t smc(unsigned imm) { return 0xD4000003u | imm << 5; }
constexpr uint32_t brk(unsigned imm) { return 0xD4200000u | imm << 5; }
constexpr uint32_t hlt(unsigned imm) { return 0xD4400000u | imm << 5; }
constexpr uint32_t msr_imm(unsigned op1, unsigned op2, unsigned crm) { return 0xD500401Fu | op1 << 16 | crm << 8 | op2 << 5; }
constexpr uint32_t kEret = 0xD69F03E0, kWfi = 0xD503207F, kWfe = 0xD503205F, kNop = 0xD503201F;
constexpr uint32_t kIsb = 0xD5033FDF, kBSelf = 0x14000000;

// Records PPI levels; can hold one pending interrupt.
struct PpiRecorder final : GicCpuPort {
    std::array<bool, 32> level{};
    std::vector<std::pair<uint32_t, bool>> changes;
    GicPending pending{};
    GicPending highest_pending() override { return pending; }
    void activate(uint32_t) override {}
    void deactivate(uint32_t) override {}
    void send_sgi(uint64_t) override {}
    void set_ppi_level(uint32_t intid, bool l) override {
        if (intid < 32) level[intid] = l;
        changes.emplace_back(intid, l);
    }
};

struct SysFixture {
    isa::PhysMem mem;
    std::unique_ptr<Pe> pe;

    explicit SysFixture(bool hosted = false, unsigned pa_bits = 44) {
        mem.add_ram(kRam, kRamSize);
        PeConfig cfg;
        cfg.reset_pc = kCode;
        cfg.hosted = hosted;
        cfg.pa_bits = pa_bits;
        cfg.mpidr = (1ull << 31) | 3;
        pe = std::make_unique<Pe>(mem, cfg);
        pe->sys.vbar_el1 = kVbarEl1;
        pe->sys.vbar_el2 = kVbarEl2;
        // Vectors: every slot branches to itself so that a run parks there.
        for (uint64_t v = 0; v < 0x800; v += 0x80) {
            put(kVbarEl1 + v, {kBSelf});
            put(kVbarEl2 + v, {kBSelf});
        }
    }
    void put(uint64_t addr, std::initializer_list<uint32_t> words) {
        for (uint32_t w : words) {
            mem.write(addr, 4, w);
            addr += 4;
        }
    }
    // Places code at kCode, enters `el` (SP_ELx), runs n instructions.
    StopReason run_at(unsigned el, std::initializer_list<uint32_t> code, uint64_t n) {
        put(kCode, code);
        pe->set_el(el, el != 0);
        pe->pc = kCode;
        return pe->run(n);
    }
    Pe& operator*() { return *pe; }
    Pe* operator->() { return pe.get(); }
};

} // namespace hvemu::arm::test
