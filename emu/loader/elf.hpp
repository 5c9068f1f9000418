// Loading guest images into physical memory: ELF64 executables (every
// header field checked before use) and raw binaries. A bad image gives a
// LoadError whose message is one line naming the problem.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "isa/common/phys_mem.hpp"

namespace hvemu::emu {

class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// ELF machine numbers we name in messages.
namespace elf_machine {
constexpr uint16_t X86_64 = 62, AARCH64 = 183, RISCV = 243;
} // namespace elf_machine

struct LoadedSegment {
    uint64_t offset = 0;   // in the file
    uint64_t paddr = 0;
    uint64_t filesz = 0;
    uint64_t memsz = 0;
};

struct ElfImage {
    uint64_t entry = 0;
    std::vector<LoadedSegment> segments;
    std::map<std::string, uint64_t, std::less<>> symbols;   // defined symbols of .symtab

    std::optional<uint64_t> symbol(std::string_view name) const {
        auto it = symbols.find(name);
        if (it == symbols.end()) return std::nullopt;
        return it->second;
    }
    // The lowest and one-past-highest physical address the segments cover.
    uint64_t lowest() const;
    uint64_t highest() const;
};

struct ElfOptions {
    uint16_t machine = elf_machine::RISCV;   // the e_machine the caller expects
    bool entry_must_be_ram = true;           // the entry point must lie in RAM
};

// Parse and check `bytes` (named `what` in messages), then copy every
// PT_LOAD segment to its physical address in `mem`, zero-filling the part
// beyond filesz. Nothing is written unless the whole image is valid.
ElfImage load_elf(isa::PhysMem& mem, std::span<const uint8_t> bytes, const ElfOptions& opt,
                  std::string_view what = "ELF");
ElfImage load_elf_file(isa::PhysMem& mem, const std::string& path, const ElfOptions& opt);

// Only parse and check (no memory needed except for the RAM checks, which
// use `mem` read-only).
ElfImage parse_elf(const isa::PhysMem& mem, std::span<const uint8_t> bytes, const ElfOptions& opt,
                   std::string_view what = "ELF");

// Copy a raw binary file to `addr`; returns its size.
uint64_t load_raw_file(isa::PhysMem& mem, const std::string& path, uint64_t addr);

// Read a whole file; LoadError when it cannot be read.
std::vector<uint8_t> read_file(const std::string& path);

// A human name for an ELF machine number ("x86-64", "AArch64", ...).
std::string elf_machine_name(uint16_t machine);

} // namespace hvemu::emu
