// Boost.Program_options does the parsing. Guessing of abbreviated option
// names is off (with it, "-m" could be taken for "--machine"), and QEMU's
// single-dash long options are rewritten to "--name" before parsing.
#include "emu/cli/run_options.hpp"
#include "emu/timing/timing_loader.hpp"
#include "emu/trace/trace_set.hpp"

#include <array>
#include <cctype>
#include <sstream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

namespace hvemu::emu {

namespace po = boost::program_options;

namespace {

po::options_description run_description() {
    po::options_description d("hvemu run options");
    d.add_options()
        ("help,h", "show this help")
        ("machine,M", po::value<std::string>()->value_name("NAME"),
         "machine model: riscv64-virt, aarch64-virt or x86_64-pc (default, or 'virt': the board of the kernel's "
         "architecture)")
        ("bios", po::value<std::string>()->value_name("NAME"), "firmware: only 'none' is supported")
        ("kernel", po::value<std::string>()->value_name("FILE"), "the ELF image to run (required)")
        ("memory,m", po::value<std::string>()->value_name("SIZE"),
         "RAM size, e.g. 128M or 1G (no suffix: MiB; default 128M)")
        ("smp", po::value<std::string>()->value_name("N"), "number of harts (default 1)")
        ("max-insns", po::value<std::string>()->value_name("N"),
         "stop after N instructions (all harts together); exit status 124")
        ("quantum", po::value<std::string>()->value_name("N"),
         "instructions each hart runs per round of the deterministic interleaving (default 1000)")
        ("append", po::value<std::string>()->value_name("ARGS"), "kernel command line (/chosen/bootargs)")
        ("console-input", po::value<std::string>()->value_name("MODE"),
         "feed stdin to the UART: auto (when stdin is not a terminal), on, off")
        ("dumpdtb", po::value<std::string>()->value_name("FILE"),
         "write the machine's device tree blob to FILE and exit")
        ("stats", "print instructions and cycles per hart (hosted: per vCPU, and exits per reason) to stderr "
                  "at the end")
        ("stats-json", po::value<std::string>()->value_name("FILE"),
         "write the run's statistics (instructions, cycles, IPC, TLB and page-walk counts, cache hits where the "
         "profile models caches; hosted: exits per "
         "reason with their cycles) as JSON to FILE")
        ("timing", po::value<std::string>()->value_name("NAME|FILE"),
         "timing profile: riscv-inorder, riscv-inorder-caches, skylake-vmx, skylake-vmx-caches, arm-kvm-nvhe, arm-thin-hyp, or a profile "
         "file (TOML)")
        ("no-jit", "RISC-V: interpret every instruction instead of compiling hot blocks to host code (the "
                   "results, counts and cycles are the same; only slower)")
        ("nographic", "accepted for QEMU compatibility; the console is always stdio")
        ("gdb-default,s", "wait for a GDB connection on tcp::1234 (as --gdb tcp::1234)")
        ("gdb", po::value<std::string>()->value_name("HOST:PORT"),
         "wait for a GDB connection on HOST:PORT (tcp::PORT: 127.0.0.1)")
        ("gdb-wait,S", "do not start the guest before a debugger attaches (with -s when no --gdb is given)");
    po::options_description h("hosted VM mode (the image runs as a guest of the reference VMM)");
    h.add_options()
        ("arch", po::value<std::string>()->value_name("ARCH"), "run the kernel in a VM: riscv64, aarch64 or x86_64")
        ("config", po::value<std::string>()->value_name("FILE"),
         "run the VM an Axvisor VM config file (TOML) describes; --kernel overrides its kernel_path")
        ("trace", po::value<std::string>()->value_name("WHAT"),
         "a comma list of exits, irq, mmio, insn: one line per VM exit, injected interrupt, MMIO access "
         "served by the VMM, guest instruction (vCPU, cycle, guest pc, instruction, event), to stderr")
        ("trace-file", po::value<std::string>()->value_name("FILE"), "write the --trace lines to FILE")
        ("trace-json", po::value<std::string>()->value_name("FILE"),
         "write a Chrome/Perfetto trace-event timeline (ui.perfetto.dev) of the run to FILE")
        ("unmapped-access", po::value<std::string>()->value_name("POLICY"),
         "a guest access where there is no RAM and no device: stop (default: end the VM, status 123) or "
         "fault (the guest takes an access fault)")
        ("pcpus", po::value<std::string>()->value_name("N"),
         "physical CPUs of the emulated host (default: one per vCPU)")
        ("gstage", po::value<std::string>()->value_name("MODE"), "G-stage page table format: sv39x4 (default) or sv48x4")
        ("kernel-addr", po::value<std::string>()->value_name("ADDR"),
         "guest address of a raw (non-ELF) kernel image (default: RAM base + 2 MiB)")
        ("dtb", po::value<std::string>()->value_name("FILE"), "give the guest this device tree blob");
    d.add(h);
    return d;
}

// QEMU spells its long options with one dash.
std::string qemu_spelling(const std::string& arg) {
    static constexpr std::array<const char*, 6> kLong = {"machine", "kernel", "bios", "smp", "append", "nographic"};
    if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-') return arg;
    const std::string name = arg.substr(1, arg.find('=') - 1);
    for (const char* l : kLong)
        if (name == l) return "-" + arg;
    return arg;
}

} // namespace

void parse_gdb_address(const std::string& text, std::string& host, uint16_t& port) {
    std::string t = text;
    if (t.rfind("tcp:", 0) == 0) t = t.substr(4);
    const size_t colon = t.rfind(':');
    host = colon == std::string::npos ? "" : t.substr(0, colon);
    const std::string p = colon == std::string::npos ? t : t.substr(colon + 1);
    if (host.empty()) host = "127.0.0.1";
    const uint64_t n = parse_count(p, "--gdb");
    if (n == 0 || n > 65535) throw UsageError(fmt::format("invalid port in '{}' for --gdb", text));
    port = static_cast<uint16_t>(n);
}

uint64_t parse_count(const std::string& text, const std::string& option) {
    if (text.empty() || text.size() > 20)
        throw UsageError(fmt::format("invalid value '{}' for {}: expected a number", text, option));
    uint64_t v = 0;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
            throw UsageError(fmt::format("invalid value '{}' for {}: expected a number", text, option));
        const uint64_t d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) throw UsageError(fmt::format("value '{}' for {} is too large", text, option));
        v = v * 10 + d;
    }
    return v;
}

uint64_t parse_address(const std::string& text, const std::string& option) {
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        const std::string hex = text.substr(2);
        if (hex.empty() || hex.size() > 16)
            throw UsageError(fmt::format("invalid address '{}' for {}", text, option));
        uint64_t v = 0;
        for (char c : hex) {
            if (!std::isxdigit(static_cast<unsigned char>(c)))
                throw UsageError(fmt::format("invalid address '{}' for {}", text, option));
            v = v << 4 | static_cast<uint64_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
        }
        return v;
    }
    return parse_count(text, option);
}

uint64_t parse_size(const std::string& text, const std::string& option) {
    std::string t = text.rfind("size=", 0) == 0 ? text.substr(5) : text;
    unsigned shift = 20;   // QEMU: a plain number is in MiB
    if (!t.empty() && !std::isdigit(static_cast<unsigned char>(t.back()))) {
        switch (std::toupper(static_cast<unsigned char>(t.back()))) {
        case 'B': shift = 0; break;
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: throw UsageError(fmt::format("invalid size '{}' for {}: unknown suffix", text, option));
        }
        t.pop_back();
    }
    if (t.empty()) throw UsageError(fmt::format("invalid size '{}' for {}", text, option));
    const uint64_t n = parse_count(t, option);
    if (n > (UINT64_MAX >> shift)) throw UsageError(fmt::format("size '{}' for {} is too large", text, option));
    return n << shift;
}

std::string run_usage() {
    std::ostringstream os;
    os << "usage: hvemu run [--machine riscv64-virt|aarch64-virt|x86_64-pc] --bios none --kernel FILE [options]\n"
          "       hvemu run --arch riscv64|aarch64|x86_64 --kernel FILE [-m SIZE] [--smp N] [--trace exits] [--stats]\n"
          "       hvemu run --config VM.toml [--kernel FILE] [options]\n\n"
       << run_description()
       << "\nexit status: the guest's exit code (full-system: sifive_test, HTIF, Arm semihosting SYS_EXIT,\n"
          "isa-debug-exit at port 0xf4 ((v << 1) | 1) or PSCI SYSTEM_OFF (0); hosted: SBI system reset or PSCI SYSTEM_OFF (0),\n"
          "0 for a shutdown without a reason, 1 for system failure, n for vendor reason 0xF0000000+n);\n"
          "2 for bad input; 123 when the VM stops on a guest error (an access nothing serves);\n"
          "124 when --max-insns stops the run; 125 when every hart waits forever.\n";
    return os.str();
}

RunOptions parse_run_options(const std::vector<std::string>& raw) {
    std::vector<std::string> args;
    for (const auto& a : raw) args.push_back(qemu_spelling(a));

    po::options_description desc = run_description();
    po::options_description hidden;
    hidden.add_options()("positional", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(desc).add(hidden);
    po::positional_options_description pos;
    pos.add("positional", -1);

    po::variables_map vm;
    try {
        const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
        po::store(po::command_line_parser(args).options(all).positional(pos).style(style).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }

    RunOptions o;
    if (vm.count("help")) {
        o.help = true;
        return o;
    }
    if (vm.count("positional"))
        throw UsageError(fmt::format("unexpected argument '{}'", vm["positional"].as<std::vector<std::string>>()[0]));
    if (vm.count("arch")) {
        o.arch = vm["arch"].as<std::string>();
        if (o.arch != "riscv64" && o.arch != "aarch64" && o.arch != "x86_64")
            throw UsageError(fmt::format("unknown architecture '{}' for --arch (supported: riscv64, aarch64, x86_64)", o.arch));
    }
    if (vm.count("config")) o.config = vm["config"].as<std::string>();
    if (o.hosted()) {
        if (vm.count("machine")) throw UsageError("--machine selects a full-system board; it does not go with --arch/--config");
        if (vm.count("bios")) throw UsageError("--bios is for full-system boards; a VM's kernel is entered directly");
    } else {
        for (const char* opt : {"unmapped-access", "pcpus", "gstage", "kernel-addr", "dtb"})
            if (vm.count(opt)) throw UsageError(fmt::format("--{} is for hosted VMs (--arch or --config)", opt));
    }
    if (vm.count("machine")) {
        const std::string m = vm["machine"].as<std::string>();
        // "virt" (QEMU's name for both boards) is resolved from the kernel's ELF.
        if (m == "riscv64-virt" || m == "aarch64-virt" || m == "x86_64-pc") o.machine = m;
        else if (m == "virt") o.machine.clear();
        else throw UsageError(fmt::format("unknown machine '{}' (supported: riscv64-virt, aarch64-virt, x86_64-pc)", m));
    } else {
        o.machine.clear();
    }
    if (vm.count("bios")) {
        o.bios = vm["bios"].as<std::string>();
        if (o.bios != "none")
            throw UsageError(fmt::format("unsupported bios '{}': only '--bios none' is supported", o.bios));
    }
    if (!vm.count("kernel") && o.config.empty()) throw UsageError("no kernel given (--kernel FILE)");
    if (vm.count("kernel")) o.kernel = vm["kernel"].as<std::string>();
    if (!o.config.empty() && (vm.count("memory") || vm.count("smp")))
        throw UsageError("with --config, the memory (memory_regions) and vCPUs (cpu_num) come from the config file");
    o.memory_given = vm.count("memory") != 0;
    o.smp_given = vm.count("smp") != 0;
    if (vm.count("memory")) o.ram_size = parse_size(vm["memory"].as<std::string>(), "-m");
    if (vm.count("smp")) {
        std::string s = vm["smp"].as<std::string>();
        if (s.rfind("cpus=", 0) == 0) s = s.substr(5);
        const uint64_t n = parse_count(s, "--smp");
        if (n == 0 || n > 4096) throw UsageError(fmt::format("invalid hart count '{}' for --smp", s));
        o.smp = static_cast<unsigned>(n);
    }
    if (vm.count("max-insns")) {
        o.max_insns = parse_count(vm["max-insns"].as<std::string>(), "--max-insns");
        if (o.max_insns == 0) throw UsageError("--max-insns must be at least 1");
    }
    if (vm.count("quantum")) {
        o.quantum = parse_count(vm["quantum"].as<std::string>(), "--quantum");
        o.quantum_given = true;
        if (o.quantum == 0 || o.quantum > 100'000'000) throw UsageError("--quantum must be between 1 and 100000000");
    }
    if (vm.count("append")) o.append = vm["append"].as<std::string>();
    if (vm.count("console-input")) {
        const std::string c = vm["console-input"].as<std::string>();
        if (c == "auto") o.console_input = ConsoleInput::Auto;
        else if (c == "on") o.console_input = ConsoleInput::On;
        else if (c == "off") o.console_input = ConsoleInput::Off;
        else throw UsageError(fmt::format("invalid value '{}' for --console-input (auto, on or off)", c));
    }
    if (vm.count("dumpdtb")) o.dump_dtb = vm["dumpdtb"].as<std::string>();
    if (vm.count("trace")) {
        const std::string t = vm["trace"].as<std::string>();
        try {
            o.trace_exits = trace::parse_trace_set(t).exits;
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
        o.trace = t;
    }
    if (vm.count("trace-file")) o.trace_file = vm["trace-file"].as<std::string>();
    if (vm.count("trace-json")) o.trace_json = vm["trace-json"].as<std::string>();
    if (vm.count("unmapped-access")) {
        const std::string u = vm["unmapped-access"].as<std::string>();
        if (u == "fault") o.unmapped_fault = true;
        else if (u != "stop") throw UsageError(fmt::format("invalid value '{}' for --unmapped-access (stop or fault)", u));
    }
    if (vm.count("pcpus")) {
        const uint64_t n = parse_count(vm["pcpus"].as<std::string>(), "--pcpus");
        if (n == 0 || n > 4096) throw UsageError("--pcpus must be at least 1");
        o.pcpus = static_cast<unsigned>(n);
    }
    if (vm.count("gstage")) {
        if (o.arch == "aarch64")
            throw UsageError("--gstage selects a RISC-V G-stage format; an Arm VM's stage 2 follows its physical CPUs");
        if (o.arch == "x86_64") throw UsageError("--gstage selects a RISC-V G-stage format; an x86 VM's EPT has 4 levels");
        o.gstage = vm["gstage"].as<std::string>();
        if (o.gstage != "sv39x4" && o.gstage != "sv48x4")
            throw UsageError(fmt::format("invalid value '{}' for --gstage (sv39x4 or sv48x4)", o.gstage));
    }
    if (vm.count("kernel-addr")) {
        o.kernel_addr_given = true;
        o.kernel_addr = parse_address(vm["kernel-addr"].as<std::string>(), "--kernel-addr");
    }
    if (vm.count("dtb")) o.dtb = vm["dtb"].as<std::string>();
    o.stats = vm.count("stats") != 0;
    o.jit = vm.count("no-jit") == 0;
    if (vm.count("stats-json")) o.stats_json = vm["stats-json"].as<std::string>();
    if (vm.count("timing"))
        o.timing = std::make_shared<const isa::TimingProfile>(timing::load_timing_profile(vm["timing"].as<std::string>()));
    if (vm.count("gdb")) parse_gdb_address(vm["gdb"].as<std::string>(), o.gdb_host, o.gdb_port);
    else if (vm.count("gdb-default") || vm.count("gdb-wait")) parse_gdb_address("tcp::1234", o.gdb_host, o.gdb_port);
    o.gdb_wait = vm.count("gdb-wait") != 0;
    return o;
}

} // namespace hvemu::emu
