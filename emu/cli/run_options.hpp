// The options of `hvemu run`, parsed from the command line with QEMU's
// spellings (-machine, -kernel, -bios, -m, -smp, -append are accepted with
// one dash as QEMU users type them). Bad input throws UsageError.
//
// Two modes: full-system (--machine riscv64-virt, the default) runs a
// bare-metal image on an emulated board; hosted (--arch riscv64|aarch64,
// or --config FILE) runs the image as a guest in a VM of the reference VMM.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu/machine/host_console.hpp"
#include "isa/common/timing_profile.hpp"

namespace hvemu::emu {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RunOptions {
    std::string machine;       // riscv64-virt, aarch64-virt; empty: from the kernel's ELF
    std::string bios = "none";
    std::string kernel;
    uint64_t ram_size = uint64_t{128} << 20;
    unsigned smp = 1;
    uint64_t max_insns = 0;    // 0: no limit
    uint64_t quantum = 1000;   // instructions per hart per scheduling round
    std::string append;
    bool stats = false;
    bool jit = true;           // --no-jit: RISC-V harts interpret every instruction
    std::string stats_json;    // --stats-json FILE: the run's statistics as JSON (emu/timing/run_stats.hpp)
    // --timing NAME|FILE: the timing profile, loaded (nullptr: the built-in defaults)
    std::shared_ptr<const isa::TimingProfile> timing;
    std::string dump_dtb;      // write the device tree here and exit (QEMU: dumpdtb=)
    ConsoleInput console_input = ConsoleInput::Auto;
    bool help = false;
    // GDB stub: -s (tcp::1234), --gdb [tcp:]HOST:PORT, -S (wait for the
    // debugger before the first instruction; implies -s without --gdb).
    std::string gdb_host;      // empty: no stub
    uint16_t gdb_port = 0;
    bool gdb_wait = false;

    // Hosted VM mode (--arch / --config).
    std::string arch;           // "riscv64" or "aarch64"
    std::string config;         // an Axvisor VM config file
    bool trace_exits = false;   // --trace exits
    std::string trace;          // --trace: the comma list (exits,irq,mmio,insn)
    std::string trace_file;     // --trace-file: text trace here instead of stderr
    std::string trace_json;     // --trace-json: Chrome/Perfetto trace-event JSON
    bool unmapped_fault = false;   // --unmapped-access fault (default: stop)
    unsigned pcpus = 0;         // --pcpus: physical CPUs (0: one per vCPU)
    std::string gstage;         // --gstage sv39x4 | sv48x4 (empty: sv39x4)
    bool kernel_addr_given = false;
    uint64_t kernel_addr = 0;   // --kernel-addr: load address of a raw image
    std::string dtb;            // --dtb: a device tree blob instead of the generated one
    bool memory_given = false, smp_given = false, quantum_given = false;
    bool hosted() const { return !arch.empty() || !config.empty(); }
};

// Parse the arguments after `run`.
RunOptions parse_run_options(const std::vector<std::string>& args);
std::string run_usage();

// "tcp::1234", "tcp:HOST:1234", "HOST:1234", ":1234", "1234"; an empty
// host is 127.0.0.1. Throws UsageError.
void parse_gdb_address(const std::string& text, std::string& host, uint16_t& port);

// "128M", "1G", "512" (MiB, as QEMU), "size=64M"; K/M/G/T suffixes are
// binary. Throws UsageError naming the option.
uint64_t parse_size(const std::string& text, const std::string& option);
// A decimal count; throws UsageError naming the option.
uint64_t parse_count(const std::string& text, const std::string& option);
// A decimal or 0x-prefixed hexadecimal address; throws UsageError.
uint64_t parse_address(const std::string& text, const std::string& option);

} // namespace hvemu::emu
