// System registers of the Arm PE: the HCR_EL2 trap controls one at a time
// with the ESR_EL2 the trap produces (EC 0x18 ISS: Op0, Op2, Op1, CRn,
// Rt, CRm, Direction), EL-based UNDEFINED, EL0 enables, WARL masks and the
// identification registers.
#include <catch2/catch.hpp>

#include "tests/isa/arm64_sys_fixture.hpp"

namespace hvemu::arm {
namespace {

using namespace test;

// The EC 0x18 ISS, assembled field by field as the Arm ARM lays it out.
uint32_t iss18(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt, bool read) {
    return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | rt << 5 | crm << 1 | (read ? 1u : 0u);
}

// Runs one instruction at EL1 with HCR_EL2 = hcr; true when it trapped to EL2.
bool traps(SysFixture& f, uint64_t hcr_bits, uint32_t insn) {
    f->sys.hcr_el2 = hcr::RW | hcr_bits;
    f->sys.esr_el2 = 0;
    f.run_at(1, {insn}, 1);
    return f->el() == 2;
}

TEST_CASE("arm64 HCR_EL2 trap controls with golden ESR_EL2 values", "[arm64][sysreg][unit]") {
    SysFixture f;
    Pe& pe = *f;
    SECTION("TID0 traps nothing in AArch64") {
        CHECK_FALSE(traps(f, hcr::TID0, mrs(1, reg::MIDR_EL1)));
        CHECK(pe.x[1] == pe.sys.vpidr_el2);
    }
    SECTION("TID1: REVIDR_EL1, AIDR_EL1") {
        CHECK_FALSE(traps(f, 0, mrs(1, reg::REVIDR_EL1)));
        CHECK(traps(f, hcr::TID1, mrs(1, reg::REVIDR_EL1)));
        CHECK(pe.sys.esr_el2 == 0x623C0021);
        CHECK(pe.sys.esr_el2 == esr_of(0x18, iss18(3, 0, 0, 0, 6, 1, true)));
        CHECK(pe.sys.elr_el2 == kCode);
        CHECK(traps(f, hcr::TID1, mrs(7, reg::AIDR_EL1)));
    }
    SECTION("TID2: CTR_EL0, CCSIDR_EL1, CLIDR_EL1, CSSELR_EL1") {
        CHECK(traps(f, hcr::TID2, mrs(2, reg::CTR_EL0)));
        CHECK(pe.sys.esr_el2 == 0x6232C041);
        CHECK(traps(f, hcr::TID2, msr(reg::CSSELR_EL1, 3)));
        CHECK(pe.sys.esr_el2 == esr_of(0x18, iss18(3, 2, 0, 0, 0, 3, false)));
        CHECK(traps(f, hcr::TID2, mrs(0, reg::CLIDR_EL1)));
        CHECK(traps(f, hcr::TID2, mrs(0, reg::CCSIDR_EL1)));
        CHECK_FALSE(traps(f, hcr::TID3, mrs(2, reg::CTR_EL0)));
    }
    SECTION("TID3: the ID group, named or not") {
        CHECK(traps(f, hcr::TID3, mrs(3, reg::ID_AA64MMFR0_EL1)));
        CHECK(pe.sys.esr_el2 == 0x6230006F);
        CHECK(traps(f, hcr::TID3, mrs(4, sysreg_enc(3, 0, 0, 3, 0))));   // MVFR0_EL1: RAZ here
        CHECK(pe.sys.esr_el2 == esr_of(0x18, iss18(3, 0, 0, 3, 0, 4, true)));
        pe.x[4] = 55;
        CHECK_FALSE(traps(f, 0, mrs(4, sysreg_enc(3, 0, 0, 3, 0))));
        CHECK(pe.x[4] == 0);
        CHECK_FALSE(traps(f, hcr::TID3, mrs(3, reg::MIDR_EL1)));
    }
    SECTION("TVM traps writes of the EL1 VM controls, not reads") {
        pe.x[4] = 0x1005;
        const uint64_t before = pe.sys.sctlr_el1;
        CHECK(traps(f, hcr::TVM, msr(reg::SCTLR_EL1, 4)));
        CHECK(pe.sys.esr_el2 == 0x62300480);
        CHECK(pe.sys.sctlr_el1 == before);
        for (uint32_t enc : {reg::TTBR0_EL1, reg::TTBR1_EL1, reg::TCR_EL1, reg::ESR_EL1, reg::FAR_EL1,
                             reg::AFSR0_EL1, reg::AFSR1_EL1, reg::MAIR_EL1, reg::AMAIR_EL1, reg::CONTEXTIDR_EL1}) {
            CAPTURE(enc);
            CHECK(traps(f, hcr::TVM, msr(enc, 4)));
            CHECK_FALSE(traps(f, hcr::TVM, mrs(4, enc)));
        }
        CHECK_FALSE(traps(f, hcr::TVM, msr(reg::VBAR_EL1, 4)));
    }
    SECTION("TRVM traps reads of the EL1 VM controls, not writes") {
        CHECK(traps(f, hcr::TRVM, mrs(5, reg::TTBR0_EL1)));
        CHECK(pe.sys.esr_el2 == 0x623008A1);
        CHECK_FALSE(traps(f, hcr::TRVM, msr(reg::TTBR0_EL1, 5)));
        CHECK(traps(f, hcr::TRVM, mrs(5, reg::CONTEXTIDR_EL1)));
    }
    SECTION("TACR: ACTLR_EL1") {
        CHECK(traps(f, hcr::TACR, mrs(6, reg::ACTLR_EL1)));
        CHECK(pe.sys.esr_el2 == esr_of(0x18, iss18(3, 0, 1, 0, 1, 6, true)));
    }
    SECTION("TSC: SMC from EL1, preferred return the SMC itself") {
        CHECK(traps(f, hcr::TSC, smc(0x42)));
        CHECK(pe.sys.esr_el2 == 0x5E000042);
        CHECK(pe.sys.elr_el2 == kCode);
        // Without TSC and no firmware hook: UNDEFINED at EL1.
        CHECK_FALSE(traps(f, 0, smc(0)));
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
        // With the machine's hook: served, execution continues after it.
        struct Psci final : Pe::SmcHandler {
            bool smc(Pe& p) override {
                p.x[0] = 0;
                return true;
            }
        } psci;
        pe.set_smc_handler(&psci);
        pe.x[0] = 0x84000000;
        CHECK_FALSE(traps(f, 0, smc(0)));
        CHECK(pe.pc == kCode + 4);
        CHECK(pe.x[0] == 0);
    }
    SECTION("TWI and TWE: EC 0x01 with TI") {
        CHECK(traps(f, hcr::TWI, kWfi));
        CHECK(pe.sys.esr_el2 == 0x07E00000);
        CHECK(traps(f, hcr::TWE, kWfe));
        CHECK(pe.sys.esr_el2 == 0x07E00001);
        CHECK_FALSE(traps(f, hcr::TWI, kWfe));
    }
    SECTION("TIDCP: the IMPLEMENTATION DEFINED space traps instead of being UNDEFINED") {
        const uint32_t impdef = sysreg_enc(3, 1, 15, 2, 0);
        CHECK_FALSE(traps(f, 0, mrs(1, impdef)));
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
        CHECK(traps(f, hcr::TIDCP, mrs(1, impdef)));
        CHECK(pe.sys.esr_el2 == esr_of(0x18, iss18(3, 1, 15, 2, 0, 1, true)));
    }
    SECTION("TTLB, TSW, TPU, TDZ") {
        CHECK(traps(f, hcr::TTLB, sys(0, 8, 7, 0, 31)));   // TLBI VMALLE1
        CHECK(pe.sys.esr_el2 == esr_of(0x18, iss18(1, 0, 8, 7, 0, 31, false)));
        CHECK_FALSE(traps(f, 0, sys(0, 8, 7, 0, 31)));
        CHECK(traps(f, hcr::TSW, sys(0, 7, 6, 2, 0)));      // DC ISW
        CHECK(traps(f, hcr::TPU, sys(0, 7, 5, 0, 0)));      // IC IALLU
        pe.x[1] = kRam + 0x100000;
        CHECK(traps(f, hcr::TDZ, sys(3, 7, 4, 1, 1)));      // DC ZVA
    }
}

TEST_CASE("arm64 system register access by EL", "[arm64][sysreg][unit]") {
    SysFixture f;
    Pe& pe = *f;
    SECTION("EL2 registers are UNDEFINED at EL1, EL1 registers at EL0") {
        f.run_at(1, {mrs(0, reg::HCR_EL2)}, 1);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
        f.run_at(0, {mrs(0, reg::SCTLR_EL1)}, 1);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
        uint64_t v;
        CHECK_FALSE(pe.sysreg_read(reg::VTTBR_EL2, v, 1));
        CHECK_FALSE(pe.sysreg_read(sysreg_enc(3, 0, 15, 15, 7), v, 2));   // not a register
    }
    SECTION("EL0 enables trap to EL1: SCTLR_EL1.UCT for CTR_EL0, UMA for DAIF") {
        pe.sys.sctlr_el1 &= ~(1ull << 15);
        f.run_at(0, {mrs(3, reg::CTR_EL0)}, 1);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.esr_el1 == esr_of(0x18, iss18(3, 3, 0, 0, 1, 3, true)));
        pe.sys.sctlr_el1 |= 1ull << 15;
        f.run_at(0, {mrs(3, reg::CTR_EL0)}, 1);
        CHECK(pe.el() == 0);
        CHECK(pe.x[3] == 0x8444c004);
        f.run_at(0, {msr_imm(3, 6, 2)}, 1);   // MSR DAIFSet, #2 with UMA = 0
        CHECK(pe.el() == 1);
        CHECK(pe.sys.esr_el1 == esr_of(0x18, iss18(0, 3, 4, 2, 6, 31, false)));
    }
    SECTION("TPIDRRO_EL0 is read-only at EL0") {
        pe.sys.tpidrro_el0 = 0x77;
        f.run_at(0, {mrs(1, reg::TPIDRRO_EL0), msr(reg::TPIDRRO_EL0, 1)}, 2);
        CHECK(pe.x[1] == 0x77);
        CHECK(pe.el() == 1);
        CHECK(pe.sys.elr_el1 == kCode + 4);
    }
    SECTION("SP_EL0 is UNDEFINED while it is the stack pointer; SPSel and DAIF") {
        f.run_at(1, {msr_imm(0, 5, 0), mrs(2, reg::SP_EL0)}, 2);
        CHECK(pe.sys.esr_el1 == esr_of(0, 0));
        CHECK(pe.sys.elr_el1 == kCode + 4);
        pe.x[kSp] = 0x5550;
        f.run_at(1, {mrs(2, reg::SP_EL0), msr_imm(3, 7, 0xf), mrs(3, reg::DAIF), mrs(4, reg::CurrentEL)}, 4);
        CHECK(pe.x[2] == pe.sys.sp_el0);
        CHECK(pe.x[3] == 0);
        CHECK(pe.x[4] == 4);
    }
    SECTION("the host API writes and reads EL1 state as EL2 would") {
        CHECK(pe.sysreg_write(reg::SP_EL1, 0xabc0));
        uint64_t v = 0;
        CHECK(pe.sysreg_read(reg::SP_EL1, v));
        CHECK(v == 0xabc0);
        pe.sys.spsr_el2 = 0x5;
        pe.eret();
        CHECK(pe.x[kSp] == 0xabc0);
    }
}

TEST_CASE("arm64 WARL masks and RES1 bits", "[arm64][sysreg][unit]") {
    SysFixture f;
    Pe& pe = *f;
    auto roundtrip = [&](uint32_t enc, uint64_t w) {
        REQUIRE(pe.sysreg_write(enc, w));
        uint64_t v = 0;
        REQUIRE(pe.sysreg_read(enc, v));
        return v;
    };
    CHECK(roundtrip(reg::HCR_EL2, 0) == hcr::RW);                      // RW is RAO
    CHECK(roundtrip(reg::HCR_EL2, ~0ull) == 0x3ffffffffull);           // no E2H, no later features
    CHECK(roundtrip(reg::SCTLR_EL1, 0) == 0x30d00800);
    CHECK(roundtrip(reg::SCTLR_EL1, ~0ull) == (0x30d00800 | 0x040dd21f));
    CHECK(roundtrip(reg::SCTLR_EL2, 0) == 0x30c50830);
    CHECK(roundtrip(reg::CPTR_EL2, 0) == 0x33ff);
    CHECK(roundtrip(reg::CPTR_EL2, ~0ull) == (0x33ff | 1ull << 10 | 1ull << 20 | 1ull << 31));
    CHECK(roundtrip(reg::CPACR_EL1, ~0ull) == (3ull << 20 | 1ull << 28));
    CHECK(roundtrip(reg::VBAR_EL1, 0x4000'07ff) == 0x4000'0000);
    CHECK(roundtrip(reg::VTCR_EL2, 0) == 0x80000000);
    CHECK(roundtrip(reg::TCR_EL2, 0) == 0x80800000);
    CHECK(roundtrip(reg::VTTBR_EL2, ~0ull) == 0x00fffffffffffffeull);   // 8-bit VMID
    CHECK(roundtrip(reg::SPSR_EL2, ~0ull) == 0xf03003dfull);
    CHECK(roundtrip(reg::VMPIDR_EL2, 0) == 1ull << 31);
    CHECK(roundtrip(reg::CNTKCTL_EL1, ~0ull) == 0x3ff);
    CHECK(roundtrip(reg::CSSELR_EL1, 2) == 2);
    uint64_t v = 0;
    REQUIRE(pe.sysreg_read(reg::CCSIDR_EL1, v));
    CHECK(v == 0x70ffe07a);   // L2 as selected
    CHECK_FALSE(pe.sysreg_write(reg::MIDR_EL1, 0));
    CHECK_FALSE(pe.sysreg_write(reg::CurrentEL, 0));
    CHECK_FALSE(pe.sysreg_read(reg::OSLAR_EL1, v));
    CHECK(pe.sysreg_write(reg::OSLAR_EL1, 0));
    REQUIRE(pe.sysreg_read(reg::OSLSR_EL1, v));
    CHECK(v == 0x8);   // OS lock implemented, unlocked
}

TEST_CASE("arm64 ID registers describe the model", "[arm64][sysreg][unit]") {
    SysFixture f(false, 40);
    Pe& pe = *f;
    uint64_t v = 0;
    REQUIRE(pe.sysreg_read(reg::ID_AA64PFR0_EL1, v, 1));
    CHECK((v & 0xf) == 1);           // EL0 AArch64 only
    CHECK(((v >> 4) & 0xf) == 1);    // EL1
    CHECK(((v >> 8) & 0xf) == 1);    // EL2
    CHECK(((v >> 12) & 0xf) == 0);   // no EL3
    CHECK(((v >> 16) & 0xf) == 0);   // FP
    CHECK(((v >> 20) & 0xf) == 0);   // AdvSIMD
    CHECK(((v >> 24) & 0xf) == 1);   // GIC system registers
    REQUIRE(pe.sysreg_read(reg::ID_AA64MMFR0_EL1, v, 1));
    CHECK((v & 0xf) == 2);           // 40-bit PA
    CHECK(((v >> 4) & 0xf) == 2);    // 16-bit ASID
    CHECK(((v >> 20) & 0xf) == 0);   // TGran16 0: no 16K granule
    CHECK(((v >> 24) & 0xf) == 0xf); // no 64K granule
    CHECK(((v >> 28) & 0xf) == 0);   // 4K granule
    REQUIRE(pe.sysreg_read(reg::ID_AA64MMFR1_EL1, v, 1));
    CHECK(v == 0);                   // no VHE, no PAN, 8-bit VMID
    REQUIRE(pe.sysreg_read(reg::ID_AA64ISAR0_EL1, v, 1));
    const unsigned atomic = (v >> 20) & 0xf;
    CHECK((atomic == 0 || atomic == 2));
    REQUIRE(pe.sysreg_read(reg::DCZID_EL0, v, 1));
    CHECK(v == 4);                   // 64-byte blocks, permitted
    pe.sys.hcr_el2 |= hcr::TDZ;
    REQUIRE(pe.sysreg_read(reg::DCZID_EL0, v, 1));
    CHECK(v == 0x14);
    REQUIRE(pe.sysreg_read(reg::MIDR_EL1, v, 2));
    CHECK(v == 0x411fd070);
    pe.sys.vpidr_el2 = 0x12345678;
    REQUIRE(pe.sysreg_read(reg::MIDR_EL1, v, 1));
    CHECK(v == 0x12345678);
}

TEST_CASE("arm64 DC ZVA zeroes a 64-byte block; AT writes PAR_EL1", "[arm64][sysreg][unit]") {
    SysFixture f;
    Pe& pe = *f;
    const uint64_t blk = kRam + 0x200000;
    for (unsigned k = 0; k < 24; ++k) f.mem.write(blk - 32 + 8 * k, 8, ~0ull);
    pe.x[1] = blk + 0x13;
    f.run_at(1, {sys(3, 7, 4, 1, 1)}, 1);
    uint64_t v = 0;
    for (unsigned k = 0; k < 24; ++k) {
        f.mem.read(blk - 32 + 8 * k, 8, v);
        CHECK(v == ((k >= 4 && k < 12) ? 0 : ~0ull));
    }
    pe.x[2] = kRam + 0x1234;
    f.run_at(1, {sys(0, 7, 8, 0, 2)}, 1);   // AT S1E1R with the MMU off: flat
    CHECK(pe.el() == 1);
    CHECK((pe.sys.par_el1 & 1) == 0);
    CHECK((pe.sys.par_el1 & 0x0000fffffffff000ull) == kRam + 0x1000);
    f.run_at(1, {sys(4, 7, 8, 0, 2)}, 1);   // AT S1E2R at EL1: UNDEFINED
    CHECK(pe.sys.esr_el1 == esr_of(0, 0));
}

} // namespace
} // namespace hvemu::arm
