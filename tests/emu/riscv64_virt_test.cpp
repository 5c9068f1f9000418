// The riscv64-virt machine end to end, with tiny guests assembled in the
// test: console output, the exit paths (sifive_test, HTIF, reset), boot
// registers, --max-insns, idle-time skipping, deadlock detection, IPIs and
// a UART interrupt through the PLIC.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "emu/fdt/fdt_writer.hpp"
#include "emu/loader/elf_writer.hpp"
#include "emu/machine/riscv64_virt.hpp"
#include "isa/riscv/encoding.hpp"
#include "tests/emu/data/rv_asm.hpp"

using namespace hvemu;
using namespace hvemu::emu;
using namespace hvemu::test;

namespace {

constexpr uint64_t kRam = RiscvVirt::kRamBase;
constexpr uint64_t kScratch = kRam + 0x10000;   // outside the program, survives a reset

struct Guest {
    RiscvVirtConfig cfg;
    std::string out;
    std::unique_ptr<RiscvVirt> m;

    explicit Guest(unsigned harts = 1, uint64_t max_insns = 0) {
        cfg.num_harts = harts;
        cfg.max_insns = max_insns;
        cfg.console_input = ConsoleInput::Off;
        cfg.console_sink = [this](uint8_t c) { out.push_back(static_cast<char>(c)); };
        m = std::make_unique<RiscvVirt>(cfg);
    }
    void load(const RvAsm& a, std::vector<ElfWriterSymbol> syms = {}) {
        ElfWriterInput in;
        in.entry = kRam;
        in.segments.push_back({kRam, a.bytes(), 0, 5});
        in.symbols = std::move(syms);
        m->load_kernel(write_elf(in), "test.elf");
    }
    RunResult run() { return m->run(); }
};

void exit_via_test(RvAsm& a, uint32_t code) {
    a.li(t0, RiscvVirt::kTestBase);
    a.li(t1, code ? (int64_t{code} << 16) | 0x3333 : 0x5555);
    a.sw(t1, t0, 0);
    a.hang();
}

} // namespace

TEST_CASE("a guest prints over the UART and passes through sifive_test", "[machine]") {
    Guest g;
    RvAsm a;
    a.li(t0, RiscvVirt::kUartBase);
    for (char c : std::string("hi\n")) {
        a.li(t1, c);
        a.sb(t1, t0, 0);
    }
    exit_via_test(a, 0);
    g.load(a);
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 0);
    CHECK(g.out == "hi\n");
}

TEST_CASE("sifive_test FAIL carries the guest's exit code", "[machine]") {
    Guest g;
    RvAsm a;
    exit_via_test(a, 5);
    g.load(a);
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 5);
}

TEST_CASE("every hart starts at the entry in M-mode with a0 = hartid and a1 = the DTB", "[machine]") {
    Guest g(2);
    RvAsm a;
    // scratch[hartid] = a1; hart 0 then waits a little and exits.
    a.slli(t0, a0, 3);
    a.li(t1, kScratch);
    a.add(t0, t0, t1);
    a.sd(a1, t0, 0);
    a.csrrs(t2, rv::csr::mstatus, zero);   // readable: we are in M-mode
    const size_t wait = a.here();
    a.bne(a0, zero, wait);   // hart 1 spins here
    a.li(t2, 2000);
    const size_t loop = a.here();
    a.addi(t2, t2, -1);
    a.bne(t2, zero, loop);
    exit_via_test(a, 0);
    g.load(a);
    const RunResult r = g.run();
    REQUIRE(r.end == RunEnd::GuestExit);
    uint64_t dtb0 = 0, dtb1 = 0;
    g.m->mem().read_block(kScratch, &dtb0, 8);
    g.m->mem().read_block(kScratch + 8, &dtb1, 8);
    CHECK(dtb0 == g.m->dtb_addr());
    CHECK(dtb1 == g.m->dtb_addr());
    // QEMU's placement: 2 MiB aligned below the end of the default 128 MiB.
    CHECK(g.m->dtb_addr() == kRam + (uint64_t{128} << 20) - (uint64_t{2} << 20));
    uint8_t magic[4];
    g.m->mem().read_block(g.m->dtb_addr(), magic, 4);
    CHECK(magic[0] == 0xd0);
    CHECK(magic[1] == 0x0d);
    CHECK(magic[2] == 0xfe);
    CHECK(magic[3] == 0xed);
}

TEST_CASE("HTIF: console output and exit through tohost", "[machine][htif]") {
    Guest g;
    const uint64_t tohost = kRam + 0x1000, fromhost = kRam + 0x1008;
    RvAsm a;
    a.li(t0, tohost);
    for (char c : std::string("ok")) {
        const size_t wait = a.here();
        a.ld(t2, t0, 0);
        a.bne(t2, zero, wait);   // the host clears tohost when it takes a command
        a.li(t1, (int64_t{1} << 56) | (int64_t{1} << 48) | c);
        a.sd(t1, t0, 0);
    }
    const size_t wait = a.here();
    a.ld(t2, t0, 0);
    a.bne(t2, zero, wait);
    a.li(t1, (42 << 1) | 1);
    a.sd(t1, t0, 0);
    a.hang();
    ElfWriterInput in;
    in.entry = kRam;
    in.segments.push_back({kRam, a.bytes(), 0, 5});
    in.segments.push_back({tohost, std::vector<uint8_t>(16, 0), 0, 6});
    in.symbols = {{"tohost", tohost}, {"fromhost", fromhost}};
    g.m->load_kernel(write_elf(in), "htif.elf");
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 42);
    CHECK(g.out == "ok");
}

TEST_CASE("a max-insns limit stops a runaway guest", "[machine]") {
    Guest g(2, 12345);
    RvAsm a;
    a.hang();
    g.load(a);
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::MaxInsns);
    CHECK(g.m->instructions() == 12345);
    CHECK(r.message.find("max-insns") != std::string::npos);
}

TEST_CASE("all harts waiting with no interrupt possible is a deadlock, not a hang", "[machine]") {
    Guest g(2);
    RvAsm a;
    const size_t top = a.here();
    a.wfi();
    a.j(top);
    g.load(a);
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::Deadlock);
    CHECK(r.message.find("waiting for interrupts") != std::string::npos);
}

TEST_CASE("a hart waiting for its timer skips idle time and wakes at mtimecmp", "[machine][timer]") {
    Guest g;
    constexpr int64_t kTicks = 10'000'000 * 100;   // 100 s of model time
    RvAsm a;
    a.li(t0, RiscvVirt::kClintBase);
    a.li(t1, 0xBFF8);
    a.add(t1, t1, t0);
    a.ld(t2, t1, 0);                         // mtime
    a.li(s0, kTicks);
    a.add(t2, t2, s0);
    a.li(t1, 0x4000);
    a.add(t1, t1, t0);
    a.sd(t2, t1, 0);                         // mtimecmp = mtime + 100 s
    a.li(t1, int64_t{1} << rv::irq::MTI);
    a.csrrs(zero, rv::csr::mie, t1);         // MTIE; mstatus.MIE stays 0: WFI wakes, no trap
    const size_t sleep = a.here();
    a.wfi();
    a.li(t1, 0xBFF8);
    a.add(t1, t1, t0);
    a.ld(s0, t1, 0);
    a.bltu(s0, t2, sleep);                   // spurious wake-up: sleep again
    exit_via_test(a, 0);
    g.load(a);
    const RunResult r = g.run();
    REQUIRE(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 0);
    CHECK(g.m->hart(0).time() >= static_cast<uint64_t>(kTicks));
    CHECK(g.m->instructions() < 1000);       // it slept instead of spinning
}

TEST_CASE("an IPI through the CLINT wakes another hart", "[machine][smp]") {
    Guest g(2);
    RvAsm a;
    a.li(t0, RiscvVirt::kClintBase);
    const size_t hart1 = 64;                 // byte offset of hart 1's code
    a.bne(a0, zero, hart1);
    // hart 0: spin a while so hart 1 is asleep, then msip[1] = 1 and wait.
    a.li(t2, 5000);
    const size_t loop = a.here();
    a.addi(t2, t2, -1);
    a.bne(t2, zero, loop);
    a.li(t1, 1);
    a.sw(t1, t0, 4);
    a.hang();
    while (a.here() < hart1) a.emit(0x00000013);   // nop
    // hart 1: MSIE, sleep, then pass.
    a.li(t1, int64_t{1} << rv::irq::MSI);
    a.csrrs(zero, rv::csr::mie, t1);
    a.wfi();
    exit_via_test(a, 9);
    g.load(a);
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 9);
    CHECK(g.m->clint().msip(1));
}

TEST_CASE("a received byte reaches the hart as MEI through the PLIC (source 10)", "[machine][plic]") {
    Guest g;
    RvAsm a;
    a.li(t0, RiscvVirt::kPlicBase);
    a.li(t1, 1);
    a.sw(t1, t0, 4 * 10);                    // priority[10] = 1
    a.li(t1, 1 << 10);
    a.li(t2, 0x2000);
    a.add(t2, t2, t0);
    a.sw(t1, t2, 0);                         // context 0 enables source 10
    a.li(t0, RiscvVirt::kUartBase);
    a.li(t1, 1);
    a.sb(t1, t0, 1);                         // IER.ERBFI
    a.li(t1, int64_t{1} << rv::irq::MEI);
    a.csrrs(zero, rv::csr::mie, t1);
    a.wfi();
    a.li(t2, RiscvVirt::kPlicBase + 0x200004);
    a.lw(t1, t2, 0);                         // claim (before reading the byte drops the line)
    a.lbu(s0, t0, 0);                        // the byte
    a.sw(t1, t2, 0);                         // complete
    // exit code = claim << 8 | byte
    a.slli(t1, t1, 8);
    a.add(t1, t1, s0);
    a.slli(t1, t1, 16);
    a.li(t2, 0x3333);
    a.add(t1, t1, t2);
    a.li(t0, RiscvVirt::kTestBase);
    a.sw(t1, t0, 0);
    a.hang();
    g.load(a);
    g.m->uart().push_rx('x');
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == ((10u << 8) | 'x'));
}

TEST_CASE("sifive_test RESET restarts the machine from the kernel", "[machine]") {
    Guest g;
    RvAsm a;
    a.li(t0, kScratch);
    a.ld(t1, t0, 0);
    a.addi(t1, t1, 1);
    a.sd(t1, t0, 0);                         // boots++ (RAM outside the image survives)
    a.li(t2, 2);
    const size_t done = 64;
    a.beq(t1, t2, done);
    a.li(t0, RiscvVirt::kTestBase);
    a.li(t1, 0x7777);
    a.sw(t1, t0, 0);
    a.hang();
    while (a.here() < done) a.emit(0x00000013);
    exit_via_test(a, 0);
    g.load(a);
    const RunResult r = g.run();
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(r.exit_code == 0);
    CHECK(g.m->resets() == 1);
}

TEST_CASE("machine configuration is checked", "[machine]") {
    RiscvVirtConfig c;
    c.console_input = ConsoleInput::Off;
    c.num_harts = 0;
    CHECK_THROWS_AS(RiscvVirt(c), ConfigError);
    c.num_harts = RiscvVirt::kMaxHarts + 1;
    CHECK_THROWS_AS(RiscvVirt(c), ConfigError);
    c.num_harts = 1;
    c.ram_size = 4096;
    CHECK_THROWS_AS(RiscvVirt(c), ConfigError);
    c.ram_size = (uint64_t{128} << 20) + 1;
    CHECK_THROWS_AS(RiscvVirt(c), ConfigError);
}

TEST_CASE("a kernel that would cover the device tree is refused", "[machine]") {
    RiscvVirtConfig c;
    c.console_input = ConsoleInput::Off;
    c.ram_size = uint64_t{4} << 20;
    RiscvVirt m(c);
    ElfWriterInput in;
    in.entry = kRam;
    in.segments.push_back({kRam, {0x6f, 0, 0, 0}, uint64_t{4} << 20, 7});   // the whole RAM
    CHECK_THROWS_AS(m.load_kernel(write_elf(in), "big.elf"), LoadError);
}
