// The statistics of a run for `--stats` (text, to stderr) and
// `--stats-json FILE`: per core instructions, cycles, IPC, the modelled
// TLBs' hits and misses per stage, page-walk references per stage, the walk
// cache, the caches' hits and misses per level where the profile models
// them; for hosted runs also instructions per vCPU and exits per reason
// with their count and cycles. Everything in it is model state, never host
// time, so two runs of the same guest give the same bytes.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "isa/common/timing_profile.hpp"
#include "isa/common/tlb_model.hpp"

namespace hvemu::rv {
class Hart;
}
namespace hvemu::arm {
class Pe;
}
namespace hvemu::x86 {
class Core;
}
namespace hvemu::emu::vmm {
class VmmCore;
}

namespace hvemu::emu::timing {

struct CoreStats {
    std::string kind;                 // "hart", "cpu" (full system), "pcpu" (a hosted VM's physical CPU)
    unsigned id = 0;
    uint64_t instructions = 0;        // attempted (traps included)
    uint64_t cycles = 0;
    uint64_t walk_refs_s1 = 0, walk_refs_s2 = 0;   // every walk's references (charged or not)
    isa::TranslationStats model;      // the timing model's counters
    // The caches the profile models (absent levels: enabled false).
    struct Cache {
        bool enabled = false;
        isa::CacheStats stats;
    };
    Cache l1i, l1d, l2;
    // RISC-V: blocks the block compiler made and the instructions in them
    // (host-side, not model state: in the text only, never in the JSON,
    // which must not depend on --no-jit).
    uint64_t compiled_blocks = 0, compiled_insns = 0;
};

CoreStats core_stats(const rv::Hart& h, const std::string& kind, unsigned id);
CoreStats core_stats(const arm::Pe& p, const std::string& kind, unsigned id);
CoreStats core_stats(const x86::Core& c, const std::string& kind, unsigned id);

// The profile a run used (nullptr: the built-in defaults, named "default").
struct RunInfo {
    std::string mode;                 // "full-system" or "hosted"
    std::string machine;              // riscv64-virt, aarch64-virt, riscv64 VM, ...
    const isa::TimingProfile* profile = nullptr;
    uint64_t core_hz = 0;
};

// "hvemu: hart 0: ipc 0.93 tlb hits 10 misses 2 ..." lines (only the
// structures the profile models).
std::string stats_text(const std::vector<CoreStats>& cores);
// The JSON document; vmm (hosted runs) adds vCPUs and exits.
void write_stats_json(std::FILE* out, const RunInfo& info, const std::vector<CoreStats>& cores,
                      const vmm::VmmCore* vmm, unsigned num_vcpus);
// The same into a file; throws ConfigError when it cannot be written.
void write_stats_json_file(const std::string& path, const RunInfo& info, const std::vector<CoreStats>& cores,
                           const vmm::VmmCore* vmm = nullptr, unsigned num_vcpus = 0);

} // namespace hvemu::emu::timing
