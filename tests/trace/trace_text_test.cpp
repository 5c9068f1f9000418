// --trace exits,irq,mmio,insn: the text lines of known guests, exactly for
// the first exits of uart.elf; the hvemu binary with --trace-file and
// --trace-json.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "../vmm/vm_guest_fixture.hpp"
#include "emu/trace/text_tracer.hpp"
#include "emu/trace/trace_set.hpp"
#include "trace_json_check.hpp"

using namespace hvemu::test;
namespace tr = hvemu::emu::trace;

namespace {
// The trace lines of a guest run in-process.
std::vector<std::string> trace_lines(const std::string& guest, const std::string& what, unsigned vcpus = 1) {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    {
        tr::TextTracer text(f, tr::parse_trace_set(what));
        GuestSetup setup = with_config([vcpus](VmConfig& c) { c.cpu_num = vcpus; });
        setup.vmm.tracer = &text;
        run_vm_guest(guest, setup);
    }
    std::rewind(f);
    std::vector<std::string> lines;
    std::string cur;
    for (int c; (c = std::fgetc(f)) != EOF;) {
        if (c == '\n') lines.push_back(std::move(cur)), cur.clear();
        else cur += static_cast<char>(c);
    }
    std::fclose(f);
    return lines;
}

std::string first(const std::vector<std::string>& v, size_t n) {
    std::string s;
    for (size_t i = 0; i < n && i < v.size(); i++) s += v[i] + "\n";
    return s;
}
} // namespace

TEST_CASE("the --trace list names exits or irq or mmio or insn or all and nothing else", "[trace]") {
    const tr::TraceSet s = tr::parse_trace_set("exits,mmio");
    CHECK((s.exits && s.mmio && !s.irq && !s.insn));
    const tr::TraceSet a = tr::parse_trace_set("all");
    CHECK((a.exits && a.mmio && a.irq && a.insn));
    CHECK_THROWS_WITH(tr::parse_trace_set("exits,insns"), Catch::Contains("invalid value 'insns' for --trace"));
    CHECK_THROWS(tr::parse_trace_set(""));
    CHECK_THROWS(tr::parse_trace_set("exits,"));
}

TEST_CASE("text trace of uart.elf: the first exits and MMIO accesses, exactly", "[trace]") {
    CHECK(first(trace_lines("uart.elf", "exits,mmio"), 6) ==
          "vcpu 0 cycle 206 pc 0x80200410 lbu a2, 0(a1) -> MmioRead addr=0x10000005 width=1 reg=12 reg_width=8 "
          "signed_ext=false\n"
          "vcpu 0 cycle 206 pc 0x80200410 lbu a2, 0(a1) -> mmio read addr=0x10000005 width=1 value=0x60 "
          "device=uart16550\n"
          "vcpu 0 cycle 240 pc 0x8020041e sb a0, 0(a1) -> MmioWrite addr=0x10000000 width=1 data=0x68\n"
          "vcpu 0 cycle 240 pc 0x8020041e sb a0, 0(a1) -> mmio write addr=0x10000000 width=1 value=0x68 "
          "device=uart16550\n"
          "vcpu 0 cycle 286 pc 0x80200410 lbu a2, 0(a1) -> MmioRead addr=0x10000005 width=1 reg=12 reg_width=8 "
          "signed_ext=false\n"
          "vcpu 0 cycle 286 pc 0x80200410 lbu a2, 0(a1) -> mmio read addr=0x10000005 width=1 value=0x60 "
          "device=uart16550\n");
    // The exit lines are the ones `--trace exits` always printed.
    const GuestRun run = run_vm_guest("uart.elf");
    const std::vector<std::string> exits = trace_lines("uart.elf", "exits");
    REQUIRE(exits.size() == run.exits.size());
    for (size_t i = 0; i < exits.size(); i++) CHECK(exits[i] == format_trace_line(run.exits[i]));
}

TEST_CASE("text trace: insn lines precede the instructions, one per executed instruction", "[trace]") {
    const std::vector<std::string> lines = trace_lines("uart.elf", "insn");
    REQUIRE(lines.size() > 10);
    CHECK(lines[0] == "vcpu 0 cycle 0 pc 0x80200000 li t0, 8");
    for (const std::string& l : lines) CHECK_THAT(l, Catch::Matches("vcpu 0 cycle [0-9]+ pc 0x[0-9a-f]+ .+"));
}

TEST_CASE("text trace: the smp guest's IPIs reach their targets as VSSIP", "[trace]") {
    const std::vector<std::string> lines = trace_lines("smp.elf", "irq", 4);
    REQUIRE(!lines.empty());
    for (const std::string& l : lines)
        CHECK_THAT(l, Catch::Matches("vcpu [0-3] cycle [0-9]+ irq VSSIP \\(vector 1\\) from ipi of vcpu [0-3] pc "
                                     "0x[0-9a-f]+ ecall"));
}

TEST_CASE("hvemu run --trace-json and --trace-file write the timeline and the lines", "[trace][cli]") {
    const std::string hvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";
    REQUIRE(std::filesystem::exists(hvemu));
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("hvemu-trace-cli-{}", ::getpid());
    std::filesystem::create_directories(dir);
    const std::string json = (dir / "smp.json").string(), text = (dir / "trace.txt").string();
    const std::string cmd = fmt::format("'{}' run --arch riscv64 --smp 4 --kernel '{}' --trace exits,irq --trace-file "
                                        "'{}' --trace-json '{}' >/dev/null 2>&1 </dev/null",
                                        hvemu, vm_guest_path("smp.elf"), text, json);
    CHECK(std::system(cmd.c_str()) == 0);
    const TraceSummary s = summarise_trace_json(json);
    INFO(s.error);
    REQUIRE(s.valid);
    CHECK(s.n.at("exit:CpuUp") == 4);   // three harts started, one refused (already started)
    CHECK(s.n.at("exit:SendIpi") >= 1);
    for (int v = 0; v < 4; v++) CHECK(s.n.at(fmt::format("track:vCPU_{}", v)) == 1);
    std::ifstream in(text);
    std::stringstream body;
    body << in.rdbuf();
    CHECK_THAT(body.str(), Catch::Contains("-> CpuUp target_cpu=1"));
    CHECK_THAT(body.str(), Catch::Contains("irq VSSIP (vector 1) from ipi of vcpu"));
    // A guest error still leaves a complete file.
    const std::string cmd2 = fmt::format("'{}' run --arch riscv64 --kernel '{}' --trace-json '{}' >/dev/null 2>&1 </dev/null",
                                         hvemu, vm_guest_path("unmapped.elf"), json);
    CHECK(WEXITSTATUS(std::system(cmd2.c_str())) == 123);
    const TraceSummary e = summarise_trace_json(json);
    INFO(e.error);
    CHECK(e.valid);
    CHECK(e.n.count("end_status:123") == 1);
    std::filesystem::remove_all(dir);
}
