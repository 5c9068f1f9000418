// `--trace` and `--trace-json` on the full-system boards: a bare-metal
// hypervisor's VM exits and entries as the hardware model takes them,
// decoded, in order, with the guest's output unchanged by tracing.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "trace_json_check.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kHvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";

struct Run {
    int status = -1;
    std::string out, err, trace;
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

fs::path work_dir() {
    const fs::path d = fs::temp_directory_path() / fmt::format("hvemu-fstrace-{}", ::getpid());
    fs::create_directories(d);
    return d;
}

// Runs a bundled full-system guest with `extra` options; the text trace
// (if any) goes to a file read back into Run::trace.
Run run_board(const std::string& machine, const std::string& guest, const std::string& extra) {
    REQUIRE(fs::exists(kHvemu));
    const std::string kernel = std::string(HVEMU_BINARY_DIR) + "/guests/" + guest;
    INFO("guest " << kernel << " (build the guests target)");
    REQUIRE(fs::exists(kernel));
    const fs::path dir = work_dir();
    const fs::path out = dir / "out", err = dir / "err", trace = dir / "trace";
    fs::remove(trace);
    const std::string cmd = fmt::format("'{}' run --machine {} --bios none --kernel '{}' {} >'{}' 2>'{}' </dev/null", kHvemu,
                                        machine, kernel, extra, out.string(), err.string());
    const int rc = std::system(cmd.c_str());
    Run r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    if (fs::exists(trace)) r.trace = slurp(trace);
    return r;
}

std::string trace_file() { return (work_dir() / "trace").string(); }
std::string json_file() { return (work_dir() / "trace.json").string(); }

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> v;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}

// The lines that contain `what` (VM exits, VM entries...).
std::vector<std::string> with(const std::vector<std::string>& lines, const std::string& what) {
    std::vector<std::string> v;
    for (const auto& l : lines)
        if (l.find(what) != std::string::npos) v.push_back(l);
    return v;
}

uint64_t field(const std::string& line, const std::string& key) {
    std::smatch m;
    REQUIRE(std::regex_search(line, m, std::regex(" " + key + "=(0x[0-9a-f]+|[0-9]+)")));
    return std::strtoull(m[1].str().c_str(), nullptr, 0);
}

// `expected` appear in this order (not necessarily adjacent) among the lines.
void check_in_order(const std::vector<std::string>& lines, const std::vector<std::string>& expected) {
    size_t at = 0;
    for (const auto& e : expected) {
        while (at < lines.size() && lines[at].find(e) == std::string::npos) at++;
        INFO("expected, after the lines before it: " << e);
        REQUIRE(at < lines.size());
        at++;
    }
}

// Every VM exit follows a VM entry on its core, with no exit in between:
// the exits are taken from guest mode only.
void check_entries_pair_exits(const std::vector<std::string>& lines) {
    bool in_guest = false;
    size_t exits = 0;
    for (const auto& l : lines) {
        if (l.find("-> VM entry") != std::string::npos) in_guest = true;
        if (l.find("-> VM exit") != std::string::npos) {
            INFO(l);
            // x86: a failed VM entry exits from root operation
            if (l.find("entry_failure=true") == std::string::npos) CHECK(in_guest);
            in_guest = false;
            exits++;
        }
    }
    CHECK(exits > 3);
}

// The guest's output, its status and the JSON timeline with --trace-json.
void check_json_and_output(const std::string& machine, const std::string& guest, const Run& plain, long exits) {
    const Run j = run_board(machine, guest, "--trace-json '" + json_file() + "'");
    CHECK(j.status == plain.status);
    CHECK(j.out == plain.out);
    const auto s = hvemu::test::summarise_trace_json(json_file());
    INFO(s.error);
    REQUIRE(s.valid);
    long exit_events = 0, entries = 0;
    for (const auto& [k, v] : s.n)
        if (k.rfind("exit:", 0) == 0) exit_events += v;
    entries = s.n.count("ph:X") ? s.n.at("ph:X") : 0;
    CHECK(exit_events == exits);
    CHECK(s.n.count("run"));
    CHECK(entries >= exits - 1);   // a guest span per entry that an exit (or the end) closed
    CHECK(s.n.count("track:core_0") == 1);
    CHECK(s.n.count(fmt::format("end_status:{}", plain.status)) == 1);
}

} // namespace

TEST_CASE("riscv64-virt: a hypervisor's traps from V=1 to HS and M are traced with their CSRs", "[trace][fullsystem]") {
    const std::string guest = "riscv64/hyp_sv39.elf";
    const Run plain = run_board("riscv64-virt", guest, "");
    REQUIRE(plain.status == 0);
    const Run r = run_board("riscv64-virt", guest, "--trace exits --trace-file '" + trace_file() + "'");
    CHECK(r.status == plain.status);
    CHECK(r.out == plain.out);   // tracing does not change the run
    const auto lines = lines_of(r.trace);
    for (const auto& l : lines) {
        INFO(l);
        CHECK(std::regex_search(l, std::regex("^core 0 cycle [0-9]+ pc 0x[0-9a-f]+")));
    }
    check_in_order(lines, {"-> VM entry guest_pc=", "-> VM exit to M illegal instruction cause=0x2 ",
                           "-> VM exit to M ecall from VS cause=0xa ", "-> VM exit to M load guest-page fault cause=0x15",
                           "-> VM exit to M store guest-page fault cause=0x17", "-> VM exit to HS ecall from VS cause=0xa",
                           "-> VM exit to HS load guest-page fault cause=0x15"});
    check_entries_pair_exits(lines);
    // A guest-page fault of an explicit access: htinst is the transformed
    // load, store or AMO (bit 0 set; implicit VS-stage walks report a
    // pseudo-instruction instead), htval the guest-physical address >> 2
    // with tval's page offset.
    size_t explicit_faults = 0;
    for (const auto& l : with(lines, "guest-page fault")) {
        INFO(l);
        if (l.find("instruction guest-page fault") != std::string::npos || !(field(l, "htinst") & 1)) continue;
        explicit_faults++;
        CHECK((field(l, "htval") << 2 & 0xfff) == (field(l, "tval") & 0xffc));
        CHECK(std::regex_search(l, std::regex(" pc 0x[0-9a-f]+ (c\\.)?(f?[ls][bhwd]u? |lr\\.|sc\\.|amo)")));
    }
    CHECK(explicit_faults > 5);
    // An ecall exit shows the ecall, at the guest pc the trap reports.
    for (const auto& l : with(lines, "ecall from VS")) {
        INFO(l);
        CHECK(l.find(" ecall -> ") != std::string::npos);
        CHECK(std::regex_search(l, std::regex(" pc (0x[0-9a-f]+) .* guest_pc=\\1")));
    }
    check_json_and_output("riscv64-virt", guest, plain, static_cast<long>(with(lines, "-> VM exit").size()));
}

TEST_CASE("aarch64-virt: exceptions to EL2 from EL1 are traced with ESR_EL2 decoded", "[trace][fullsystem]") {
    const std::string guest = "aarch64/stage2.elf";
    const Run plain = run_board("aarch64-virt", guest, "");
    REQUIRE(plain.status == 0);
    const Run r = run_board("aarch64-virt", guest, "--trace exits --trace-file '" + trace_file() + "'");
    CHECK(r.status == plain.status);
    CHECK(r.out == plain.out);
    const auto lines = lines_of(r.trace);
    check_in_order(lines, {"-> VM entry el=EL1", "-> VM exit data abort from lower EL esr_el2=", "-> VM entry el=EL1",
                           "-> VM exit instruction abort from lower EL esr_el2=", "-> VM exit HVC64 esr_el2="});
    check_entries_pair_exits(lines);
    for (const auto& l : with(lines, "-> VM exit")) {
        INFO(l);
        const uint64_t esr = field(l, "esr_el2");
        CHECK(field(l, "ec") == esr >> 26);
        CHECK(field(l, "iss") == (esr & 0x1ffffff));
        CHECK(l.find("from=EL1") != std::string::npos);
    }
    // A stage-2 data abort with a valid syndrome (ISV): a single-register
    // load or store, and HPFAR_EL2 holds the faulting IPA's page (this
    // guest's stage 1 maps its devices flat, so the IPA is FAR_EL2).
    size_t isv = 0;
    for (const auto& l : with(lines, "data abort from lower EL")) {
        INFO(l);
        if (!(field(l, "iss") >> 24 & 1)) continue;
        isv++;
        CHECK(field(l, "hpfar_el2") == (field(l, "far_el2") >> 12 << 4));
        CHECK(std::regex_search(l, std::regex(" pc 0x[0-9a-f]+ (ld|st)(a|l)?(r|ur)[bhsw]* ")));
    }
    CHECK(isv > 5);
    for (const auto& l : with(lines, "HVC64")) CHECK(l.find(" hvc #") != std::string::npos);
    check_json_and_output("aarch64-virt", guest, plain, static_cast<long>(with(lines, "-> VM exit").size()));
}

TEST_CASE("x86_64-pc: VMX VM exits and entries are traced with reason, qualification and GPA", "[trace][fullsystem]") {
    const std::string guest = "x86_64/vmx.elf";
    const Run plain = run_board("x86_64-pc", guest, "");
    REQUIRE(plain.out.find("PASS: vmx") != std::string::npos);
    const Run r = run_board("x86_64-pc", guest, "--trace exits,irq --trace-file '" + trace_file() + "'");
    CHECK(r.status == plain.status);
    CHECK(r.out == plain.out);
    const auto lines = lines_of(r.trace);
    check_in_order(lines, {"-> VM entry (VMLAUNCH)", "cpuid -> VM exit CPUID reason=10 ", "-> VM entry (VMRESUME)",
                           "hlt -> VM exit HLT reason=12 ", "vmcall -> VM exit VMCALL reason=18 ",
                           "-> VM exit I/O instruction reason=30 ", "-> VM exit RDMSR reason=31 ",
                           "-> VM exit WRMSR reason=32 ", "-> VM exit EPT violation reason=48 ",
                           "-> VM exit external interrupt reason=1 ", "-> irq vector 65",
                           "-> VM exit entry failure: invalid guest state reason=33 "});
    check_entries_pair_exits(lines);
    for (const auto& l : with(lines, "EPT violation")) {
        INFO(l);
        CHECK(field(l, "gpa") != 0);
        CHECK((field(l, "qualification") & 0x7) != 0);   // read, write or fetch
    }
    for (const auto& l : with(lines, "VMCALL reason")) CHECK(field(l, "insn_len") == 3);
    check_json_and_output("x86_64-pc", guest, plain, static_cast<long>(with(lines, "-> VM exit").size()));
}

TEST_CASE("full-system insn and mmio traces show each instruction and device access", "[trace][fullsystem]") {
    const std::string guest = "riscv64/hello.elf";
    const Run plain = run_board("riscv64-virt", guest, "");
    const Run r = run_board("riscv64-virt", guest, "--trace insn,mmio --trace-file '" + trace_file() + "'");
    CHECK(r.status == plain.status);
    CHECK(r.out == plain.out);
    const auto lines = lines_of(r.trace);
    const auto mmio = with(lines, "-> mmio write");
    REQUIRE(!mmio.empty());
    CHECK(mmio.front().find("device=uart") != std::string::npos);
    CHECK(with(lines, "-> ").size() < lines.size());   // instruction lines have no event
    // Each store to the UART comes right after its instruction's line.
    for (size_t i = 1; i < lines.size(); i++)
        if (lines[i].find("-> mmio write") != std::string::npos) {
            INFO(lines[i - 1] << "\n" << lines[i]);
            CHECK(lines[i].substr(0, lines[i].find(" -> ")).find(lines[i - 1].substr(lines[i - 1].find(" pc "))) !=
                  std::string::npos);
        }
}

namespace {
// The numbers of `key`=N in the lines, in order.
std::vector<uint64_t> fields(const std::vector<std::string>& lines, const std::string& key) {
    std::vector<uint64_t> v;
    for (const auto& l : lines) v.push_back(field(l, key));
    return v;
}
} // namespace

TEST_CASE("x86_64-pc: port I/O is traced as the mmio kind, with port, width, direction and value",
          "[trace][fullsystem]") {
    const std::string guest = "x86_64/hello.elf";
    const Run plain = run_board("x86_64-pc", guest, "");
    REQUIRE(plain.out.find("PASS: hello") != std::string::npos);
    const Run r = run_board("x86_64-pc", guest, "--trace mmio --trace-file '" + trace_file() + "'");
    CHECK(r.status == plain.status);
    CHECK(r.out == plain.out);
    const auto lines = lines_of(r.trace);
    // What the guest printed is what went to the UART's transmit register
    // (port 0x3f8 while LCR.DLAB, bit 7 of port 0x3fb, is clear), one OUT
    // at a time.
    std::string sent;
    bool dlab = false;
    for (const auto& l : with(lines, "-> io write port=0x3f")) {
        INFO(l);
        CHECK(l.find(" width=1 ") != std::string::npos);
        CHECK(l.find(" device=uart16550") != std::string::npos);
        CHECK(std::regex_search(l, std::regex(" pc 0x[0-9a-f]+ out dx, al -> ")));
        const uint64_t port = field(l, "port"), value = field(l, "value");
        if (port == 0x3fb) dlab = value & 0x80;
        if (port == 0x3f8 && !dlab) sent += static_cast<char>(value);
    }
    INFO("sent " << sent.size() << " bytes, printed " << plain.out.size());
    CHECK(sent == plain.out);
    // A port no device decodes (the legacy PIC's mask registers).
    CHECK(!with(lines, "-> io write port=0x21 width=1 value=0xff device=none").empty());
    // The line status register is polled (IN), and reads "transmitter empty".
    const auto lsr = with(lines, "-> io read port=0x3fd width=1 ");
    REQUIRE(!lsr.empty());
    for (const auto& l : lsr) CHECK((field(l, "value") & 0x20) != 0);
    // The run ends with a write to isa-debug-exit.
    REQUIRE(!lines.empty());
    CHECK(lines.back().find("-> io write port=0xf4 ") != std::string::npos);
    CHECK(lines.back().find("device=isa-debug-exit") != std::string::npos);
}

TEST_CASE("aarch64-virt: IRQs are traced with the INTID the GIC CPU interface signals", "[trace][fullsystem]") {
    // The generic timers: CNTHP (PPI 26) to EL2, then CNTP (30) and CNTV (27)
    // at EL1; the guest checks each acknowledge returned its timer's INTID.
    const Run plain = run_board("aarch64-virt", "aarch64/timer.elf", "");
    REQUIRE(plain.status == 0);
    const Run r = run_board("aarch64-virt", "aarch64/timer.elf", "--trace irq --trace-file '" + trace_file() + "'");
    CHECK(r.out == plain.out);
    const auto irqs = with(lines_of(r.trace), "-> irq IRQ ");
    const std::vector<uint64_t> want = {26, 26, 26, 30, 30, 30, 27, 27, 27};
    CHECK(fields(irqs, "intid") == want);
    for (const auto& l : irqs) {
        INFO(l);
        CHECK(l.find(" virtual=false ") != std::string::npos);
        CHECK(l.find(field(l, "intid") == 26 ? " to=EL2" : " to=EL1") != std::string::npos);
    }
    // The virtual CPU interface: list registers with vINTIDs 40 (priority
    // 0xa0) and 41 (0x90) are taken by EL1 highest priority first, as the
    // guest's acknowledges saw them.
    const Run v = run_board("aarch64-virt", "aarch64/vgic.elf", "--trace irq --trace-file '" + trace_file() + "'");
    REQUIRE(v.status == 0);
    std::smatch m;
    REQUIRE(std::regex_search(v.out, m, std::regex("took 2 virtual interrupts: ([0-9]+) ([0-9]+)")));
    const auto virt = with(with(lines_of(v.trace), "-> irq IRQ "), " virtual=true ");
    REQUIRE(virt.size() >= 2);
    CHECK(field(virt[0], "intid") == std::stoull(m[1].str()));
    CHECK(field(virt[1], "intid") == std::stoull(m[2].str()));
    CHECK(field(virt[0], "intid") == 41);
    for (const auto& l : virt) CHECK(l.find(" to=EL1") != std::string::npos);
    // The maintenance interrupt (PPI 25) is physical, to EL2.
    const auto maint = with(lines_of(v.trace), " intid=25 ");
    REQUIRE(!maint.empty());
    CHECK(maint.front().find(" virtual=false from=EL") != std::string::npos);
}
