// Boost.Program_options does the parsing. Guessing of abbreviated option
// names is off (with it, "-m" could be taken for "--machine"), and QEMU's
// single-dash long options are rewritten to "--name" before parsing.
#include "emu/cli/run_options.hpp"

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
         "machine model: riscv64-virt (alias: virt)")
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
        ("stats", "print instructions and cycles per hart to stderr at the end")
        ("nographic", "accepted for QEMU compatibility; the console is always stdio");
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
    os << "usage: hvemu run --machine riscv64-virt --bios none --kernel FILE [options]\n\n"
       << run_description()
       << "\nexit status: the guest's exit code (sifive_test or HTIF); 2 for bad input;\n"
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
    if (vm.count("machine")) {
        const std::string m = vm["machine"].as<std::string>();
        if (m == "riscv64-virt" || m == "virt") o.machine = "riscv64-virt";
        else throw UsageError(fmt::format("unknown machine '{}' (supported: riscv64-virt)", m));
    }
    if (vm.count("bios")) {
        o.bios = vm["bios"].as<std::string>();
        if (o.bios != "none")
            throw UsageError(fmt::format("unsupported bios '{}': only '--bios none' is supported", o.bios));
    }
    if (!vm.count("kernel")) throw UsageError("no kernel given (--kernel FILE)");
    o.kernel = vm["kernel"].as<std::string>();
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
    o.stats = vm.count("stats") != 0;
    return o;
}

} // namespace hvemu::emu
