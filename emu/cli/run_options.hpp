// The options of `hvemu run`, parsed from the command line with QEMU's
// spellings (-machine, -kernel, -bios, -m, -smp, -append are accepted with
// one dash as QEMU users type them). Bad input throws UsageError.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu/machine/host_console.hpp"

namespace hvemu::emu {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RunOptions {
    std::string machine = "riscv64-virt";
    std::string bios = "none";
    std::string kernel;
    uint64_t ram_size = uint64_t{128} << 20;
    unsigned smp = 1;
    uint64_t max_insns = 0;    // 0: no limit
    uint64_t quantum = 1000;   // instructions per hart per scheduling round
    std::string append;
    bool stats = false;
    std::string dump_dtb;      // write the device tree here and exit (QEMU: dumpdtb=)
    ConsoleInput console_input = ConsoleInput::Auto;
    bool help = false;
};

// Parse the arguments after `run`.
RunOptions parse_run_options(const std::vector<std::string>& args);
std::string run_usage();

// "128M", "1G", "512" (MiB, as QEMU), "size=64M"; K/M/G/T suffixes are
// binary. Throws UsageError naming the option.
uint64_t parse_size(const std::string& text, const std::string& option);
// A decimal count; throws UsageError naming the option.
uint64_t parse_count(const std::string& text, const std::string& option);

} // namespace hvemu::emu
