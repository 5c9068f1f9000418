// The aarch64-virt machine end to end, with tiny guests assembled in the
// test: PL011 output, the exit paths (semihosting SYS_EXIT, PSCI
// SYSTEM_OFF), the boot state, PSCI CPU_ON/CPU_OFF/AFFINITY_INFO, the device
// tree, --max-insns, deadlock detection and bad input.
#include <catch2/catch.hpp>

#include <libfdt.h>

#include <cstring>
#include <string>

#include "emu/loader/elf_writer.hpp"
#include "emu/machine/aarch64_virt.hpp"
#include "tests/emu/data/a64_asm.hpp"
#include "vcpu/arm64/psci.hpp"

using namespace hvemu;
using namespace hvemu::emu;
using namespace hvemu::test;

namespace {

constexpr uint64_t kRam = Aarch64Virt::kRamBase;
constexpr uint64_t kLoad = kRam + 0x80000;      // clear of the device tree at the start of RAM
constexpr uint64_t kScratch = kRam + 0x100000;

struct Guest {
    Aarch64VirtConfig cfg;
    std::string out;
    std::unique_ptr<Aarch64Virt> m;

    // A default budget turns a guest that loops in its exception vectors
    // into a clean failure instead of a hung test.
    explicit Guest(unsigned cpus = 1, uint64_t max_insns = 10000000) {
        cfg.num_cpus = cpus;
        cfg.max_insns = max_insns;
        cfg.console_input = ConsoleInput::Off;
        cfg.console_sink = [this](uint8_t c) { out.push_back(static_cast<char>(c)); };
        m = std::make_unique<Aarch64Virt>(cfg);
    }
    void load(const A64Asm& a, uint64_t at = kLoad) {
        ElfWriterInput in;
        in.machine = elf_machine::AARCH64;
        in.entry = at;
        in.segments.push_back({at, a.bytes(), 0, 5});
        m->load_kernel(write_elf(in), "test.elf");
    }
    RunResult run() { return m->run(); }
    uint64_t read64(uint64_t pa) {
        uint64_t v = 0;
        REQUIRE(m->mem().read(pa, 8, v));
        return v;
    }
};

void print(A64Asm& a, const std::string& s) {
    a.mov(9, Aarch64Virt::kUartBase);
    for (char c : s) {
        a.mov(10, static_cast<uint8_t>(c));
        a.strb(10, 9);
    }
}

// SYS_EXIT with ADP_Stopped_ApplicationExit and `code` (block at kScratch + 0x800).
void semihost_exit(A64Asm& a, uint64_t code) {
    a.mov(11, kScratch + 0x800);
    a.mov(12, 0x20026);
    a.str(12, 11, 0);
    a.mov(12, code);
    a.str(12, 11, 8);
    a.mov(0, 0x18);
    a.add(1, 11, 0);
    a.hlt(0xf000);
    a.hang();
}

void call_psci(A64Asm& a, uint64_t fid, uint64_t x1 = 0, uint64_t x2 = 0, uint64_t x3 = 0) {
    a.mov(0, fid);
    a.mov(1, x1);
    a.mov(2, x2);
    a.mov(3, x3);
    a.smc();
}

} // namespace

TEST_CASE("aarch64-virt: a guest prints over the PL011 and exits through semihosting", "[machine][arm]") {
    Guest g;
    A64Asm a;
    print(a, "hi\n");
    semihost_exit(a, 7);
    g.load(a);
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 7);
    CHECK(g.out == "hi\n");
}

TEST_CASE("aarch64-virt: PE 0 boots at EL2 with x0 = the device tree at the start of RAM", "[machine][arm]") {
    Guest g(2);
    A64Asm a;
    a.mov(20, kScratch);
    a.str(0, 20, 0);           // x0 at entry
    a.mrs_currentel(1);
    a.str(1, 20, 8);
    a.mrs_mpidr(1);
    a.str(1, 20, 16);
    call_psci(a, psci::kSystemOff);
    a.hang();
    g.load(a);
    CHECK(g.m->pe(0).el() == 2);
    CHECK_FALSE(g.m->cpu_on(1));   // secondaries wait for CPU_ON
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 0);
    CHECK(g.read64(kScratch) == kRam);
    CHECK(g.read64(kScratch + 8) == (2u << 2));             // CurrentEL.EL = 2
    CHECK(g.read64(kScratch + 16) == ((1ull << 31) | 0));   // MPIDR_EL1: Aff0 = 0, bit 31 RES1

    // The device tree is QEMU virt's: PSCI over SMC, two cpus, the GICv3 and
    // the PL011.
    std::vector<uint8_t> dtb(g.m->dtb());
    REQUIRE(fdt_check_header(dtb.data()) == 0);
    const int psci_node = fdt_path_offset(dtb.data(), "/psci");
    REQUIRE(psci_node >= 0);
    CHECK(std::string(static_cast<const char*>(fdt_getprop(dtb.data(), psci_node, "method", nullptr))) == "smc");
    CHECK(fdt_path_offset(dtb.data(), "/cpus/cpu@1") >= 0);
    CHECK(fdt_path_offset(dtb.data(), "/intc@8000000") >= 0);
    CHECK(fdt_path_offset(dtb.data(), "/pl011@9000000") >= 0);
    uint8_t magic[4];
    REQUIRE(g.m->mem().read_block(kRam, magic, 4));
    CHECK(std::memcmp(magic, dtb.data(), 4) == 0);
}

TEST_CASE("aarch64-virt: PSCI CPU_ON starts a secondary, CPU_OFF stops it", "[machine][arm]") {
    Guest g(2);
    A64Asm a;
    // The secondary's code comes first in the image: it stores its x0 and
    // its MPIDR, then turns itself off.
    const size_t secondary = a.here();
    a.mov(20, kScratch);
    a.str(0, 20, 0);
    a.mrs_mpidr(1);
    a.str(1, 20, 8);
    a.mrs_currentel(1);
    a.str(1, 20, 24);
    call_psci(a, psci::kCpuOff);
    a.hang();   // never reached
    const size_t primary = a.here();
    call_psci(a, psci::kCpuOn64, Aarch64Virt::mpidr_of(1), kLoad + 4 * secondary, 0x55);
    a.mov(21, kScratch + 16);
    a.str(0, 21, 0);   // CPU_ON's result
    // Wait for the secondary's store, then for AFFINITY_INFO to say OFF.
    a.mov(20, kScratch);
    const size_t wait = a.here();
    a.ldr(1, 20, 0);
    a.cbz(1, wait);
    const size_t wait_off = a.here();
    call_psci(a, psci::kAffinityInfo64, Aarch64Virt::mpidr_of(1), 0);
    a.cbz(0, wait_off);   // 0 = ON
    print(a, "ok\n");
    call_psci(a, psci::kCpuOn64, 0x8000ff, kLoad, 0);   // no such CPU
    a.mov(21, kScratch + 32);
    a.str(0, 21, 0);
    call_psci(a, psci::kCpuOn64, Aarch64Virt::mpidr_of(0), kLoad, 0);   // itself: already on
    a.mov(21, kScratch + 40);
    a.str(0, 21, 0);
    call_psci(a, psci::kVersion);
    a.mov(21, kScratch + 48);
    a.str(0, 21, 0);
    call_psci(a, psci::kSystemOff);
    a.hang();

    ElfWriterInput in;
    in.machine = elf_machine::AARCH64;
    in.entry = kLoad + 4 * primary;
    in.segments.push_back({kLoad, a.bytes(), 0, 5});
    g.m->load_kernel(write_elf(in), "smp.elf");
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 0);
    CHECK(g.out == "ok\n");
    CHECK(g.read64(kScratch) == 0x55);                            // x0 = the context id
    CHECK(g.read64(kScratch + 8) == Aarch64Virt::mpidr_of(1));
    CHECK(g.read64(kScratch + 16) == 0);                          // SUCCESS
    CHECK(g.read64(kScratch + 24) == (2u << 2));                  // started at the caller's EL
    CHECK(static_cast<int64_t>(g.read64(kScratch + 32)) == psci::kInvalidParameters);
    CHECK(static_cast<int64_t>(g.read64(kScratch + 40)) == psci::kAlreadyOn);
    CHECK(g.read64(kScratch + 48) == psci::kVersion1_1);
    CHECK_FALSE(g.m->cpu_on(1));
}

TEST_CASE("aarch64-virt: --max-insns and deadlock end the run", "[machine][arm]") {
    {
        Guest g(1, 5000);
        A64Asm a;
        a.hang();
        g.load(a);
        const RunResult r = g.run();
        CHECK(r.end == RunEnd::MaxInsns);
        CHECK(g.m->instructions() == 5000);
    }
    {
        Guest g;
        A64Asm a;
        a.wfi();   // interrupts masked and none can come
        a.hang();
        g.load(a);
        const RunResult r = g.run();
        CHECK(r.end == RunEnd::Deadlock);
        CHECK(r.message.find("cpu 0") != std::string::npos);
    }
}

TEST_CASE("aarch64-virt: bad configurations and kernels are clean errors", "[machine][arm]") {
    Aarch64VirtConfig c;
    c.num_cpus = 0;
    CHECK_THROWS_AS(Aarch64Virt(c), ConfigError);
    c.num_cpus = Aarch64Virt::kMaxCpus + 1;
    CHECK_THROWS_AS(Aarch64Virt(c), ConfigError);
    c.num_cpus = 1;
    c.ram_size = 4096;
    CHECK_THROWS_AS(Aarch64Virt(c), ConfigError);

    Guest g;
    A64Asm a;
    a.hang();
    // A RISC-V ELF is refused by the loader.
    ElfWriterInput in;
    in.machine = elf_machine::RISCV;
    in.entry = kLoad;
    in.segments.push_back({kLoad, a.bytes(), 0, 5});
    CHECK_THROWS_AS(g.m->load_kernel(write_elf(in), "rv.elf"), LoadError);
    // A kernel over the device tree at the start of RAM is refused.
    CHECK_THROWS_AS(g.load(a, kRam), LoadError);
}
