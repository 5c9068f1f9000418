// The `hvemu` command line, run as a process: bad input gives one line
// "hvemu: error: ..." on stderr and exit status 2; a guest's exit code
// becomes the exit status; --max-insns gives 124; QEMU spellings work.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "emu/cli/run_options.hpp"
#include "emu/loader/elf_writer.hpp"
#include "tests/emu/data/rv_asm.hpp"

using namespace hvemu::emu;
using namespace hvemu::test;
namespace fs = std::filesystem;

namespace {

const std::string kHvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";

struct Scratch {
    fs::path dir;
    Scratch() {
        dir = fs::temp_directory_path() / ("hvemu-cli-test-" + std::to_string(::getpid()));
        fs::create_directories(dir);
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
        const fs::path p = dir / name;
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                 static_cast<std::streamsize>(bytes.size()));
        return p.string();
    }
};

struct Result {
    int status = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

Result run_hvemu(const Scratch& s, const std::string& args) {
    REQUIRE(fs::exists(kHvemu));   // build the `hvemu` target before the tests
    const fs::path out = s.dir / "stdout", err = s.dir / "stderr";
    const std::string cmd = "'" + kHvemu + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
    const int raw = std::system(cmd.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

// A guest that prints "ok\n" and exits with `code` through sifive_test.
std::vector<uint8_t> exit_guest(uint32_t code, uint64_t entry = 0x80000000, uint16_t machine = 243) {
    RvAsm a;
    a.li(t0, 0x10000000);
    for (char c : std::string("ok\n")) {
        a.li(t1, c);
        a.sb(t1, t0, 0);
    }
    a.li(t0, 0x100000);
    a.li(t1, code ? (int64_t{code} << 16) | 0x3333 : 0x5555);
    a.sw(t1, t0, 0);
    a.hang();
    ElfWriterInput in;
    in.machine = machine;
    in.entry = entry;
    in.segments.push_back({0x80000000, a.bytes(), 0, 5});
    return write_elf(in);
}

void check_bad_input(const Result& r, const std::string& what) {
    INFO("stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.rfind("hvemu: error: ", 0) == 0);
    CHECK(r.err.find(what) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

} // namespace

TEST_CASE("hvemu runs a guest and exits with its exit code", "[cli]") {
    Scratch s;
    const std::string elf = s.write("g.elf", exit_guest(3));
    const Result r = run_hvemu(s, "run --machine riscv64-virt --bios none --kernel '" + elf + "'");
    CHECK(r.status == 3);
    CHECK(r.out == "ok\n");
    CHECK(r.err.empty());
}

TEST_CASE("QEMU spellings: -machine virt -bios none -kernel -m -smp", "[cli]") {
    Scratch s;
    const std::string elf = s.write("g.elf", exit_guest(0));
    const Result r = run_hvemu(s, "run -machine virt -bios none -kernel '" + elf + "' -m 64M -smp 2 -nographic --stats");
    CHECK(r.status == 0);
    CHECK(r.out == "ok\n");   // hart 0 exits within its first quantum, before hart 1 runs
    CHECK(r.err.find("hart 1: instructions") != std::string::npos);
}

TEST_CASE("the max-insns option stops a runaway guest with status 124", "[cli]") {
    Scratch s;
    RvAsm a;
    a.hang();
    ElfWriterInput in;
    in.entry = 0x80000000;
    in.segments.push_back({0x80000000, a.bytes(), 0, 5});
    const std::string elf = s.write("loop.elf", write_elf(in));
    const Result r = run_hvemu(s, "run --kernel '" + elf + "' --max-insns 100000");
    CHECK(r.status == 124);
    CHECK(r.err.find("max-insns") != std::string::npos);
}

TEST_CASE("bad input: one line on stderr and exit status 2", "[cli]") {
    Scratch s;
    const std::string good = s.write("g.elf", exit_guest(0));
    SECTION("no arguments") { CHECK(run_hvemu(s, "").status == 2); }
    SECTION("unknown command") { check_bad_input(run_hvemu(s, "fly"), "unknown command"); }
    SECTION("unknown flag") { check_bad_input(run_hvemu(s, "run --kernel '" + good + "' --frobnicate"), "frobnicate"); }
    SECTION("missing kernel option") { check_bad_input(run_hvemu(s, "run --machine riscv64-virt"), "no kernel"); }
    SECTION("missing file") {
        check_bad_input(run_hvemu(s, "run --kernel '" + (s.dir / "absent.elf").string() + "'"), "cannot open");
    }
    SECTION("an ELF for another architecture") {
        const std::string x86 = s.write("x86.elf", exit_guest(0, 0x80000000, 62));
        check_bad_input(run_hvemu(s, "run --kernel '" + x86 + "'"), "x86-64");
    }
    SECTION("a truncated ELF") {
        std::vector<uint8_t> b = exit_guest(0);
        b.resize(100);
        check_bad_input(run_hvemu(s, "run --kernel '" + s.write("cut.elf", b) + "'"), "cut.elf");
    }
    SECTION("not an ELF") {
        check_bad_input(run_hvemu(s, "run --kernel '" + s.write("text.elf", {'h', 'i', '\n'}) + "'"), "not an ELF");
    }
    SECTION("entry point outside RAM") {
        const std::string e = s.write("entry.elf", exit_guest(0, 0x1000));
        check_bad_input(run_hvemu(s, "run --kernel '" + e + "'"), "entry point 0x1000 is outside RAM");
    }
    SECTION("bad -m size") {
        check_bad_input(run_hvemu(s, "run --kernel '" + good + "' -m lots"), "-m");
        check_bad_input(run_hvemu(s, "run --kernel '" + good + "' -m 1K"), "RAM size");
        check_bad_input(run_hvemu(s, "run --kernel '" + good + "' -m 99999999999G"), "too large");
    }
    SECTION("unsupported bios and machine") {
        check_bad_input(run_hvemu(s, "run --kernel '" + good + "' --bios opensbi"), "bios");
        check_bad_input(run_hvemu(s, "run --kernel '" + good + "' --machine pc"), "unknown machine");
    }
    SECTION("bad --smp and --max-insns") {
        check_bad_input(run_hvemu(s, "run --kernel '" + good + "' --smp 0"), "--smp");
        check_bad_input(run_hvemu(s, "run --kernel '" + good + "' --smp 1000"), "harts");
        check_bad_input(run_hvemu(s, "run --kernel '" + good + "' --max-insns -5"), "max-insns");
    }
    SECTION("a missing option value") { check_bad_input(run_hvemu(s, "run --kernel"), "kernel"); }
}

TEST_CASE("run options: sizes, counts and spellings", "[cli]") {
    CHECK(parse_size("128M", "-m") == 128ull << 20);
    CHECK(parse_size("1G", "-m") == 1ull << 30);
    CHECK(parse_size("512", "-m") == 512ull << 20);   // QEMU: no suffix means MiB
    CHECK(parse_size("size=64m", "-m") == 64ull << 20);
    CHECK(parse_size("8192K", "-m") == 8ull << 20);
    CHECK_THROWS_AS(parse_size("", "-m"), UsageError);
    CHECK_THROWS_AS(parse_size("M", "-m"), UsageError);
    CHECK_THROWS_AS(parse_size("12Q", "-m"), UsageError);
    CHECK_THROWS_AS(parse_size("-1M", "-m"), UsageError);
    CHECK_THROWS_AS(parse_size("99999999999999999999", "-m"), UsageError);
    CHECK(parse_count("18446744073709551615", "n") == ~0ull);
    CHECK_THROWS_AS(parse_count("18446744073709551616", "n"), UsageError);

    const RunOptions o = parse_run_options(
        {"-M", "virt", "-kernel", "k.elf", "-m", "256", "-smp", "cpus=4", "-append", "console=ttyS0", "--stats"});
    CHECK(o.machine.empty());   // "virt": the board of the kernel's architecture
    CHECK(o.kernel == "k.elf");
    CHECK(parse_run_options({"-M", "aarch64-virt", "-kernel", "k.elf"}).machine == "aarch64-virt");
    CHECK(parse_run_options({"--machine", "riscv64-virt", "-kernel", "k.elf"}).machine == "riscv64-virt");
    CHECK_THROWS_AS(parse_run_options({"-M", "sifive_u", "-kernel", "k.elf"}), UsageError);
    CHECK(o.ram_size == 256ull << 20);
    CHECK(o.smp == 4);
    CHECK(o.append == "console=ttyS0");
    CHECK(o.stats);
    // No guessing of abbreviations: "--ker" is not --kernel.
    CHECK_THROWS_AS(parse_run_options({"--ker", "k.elf"}), UsageError);
    CHECK_THROWS_AS(parse_run_options({"--kernel", "a", "b"}), UsageError);
    CHECK(parse_run_options({"--kernel", "a", "--quantum", "50"}).quantum == 50);
    CHECK_THROWS_AS(parse_run_options({"--kernel", "a", "--quantum", "0"}), UsageError);
}
