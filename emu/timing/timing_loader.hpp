// Timing profiles as TOML files (timing/*.toml in the source tree) read into
// an isa::TimingProfile. The shipped profiles are embedded in the binary at
// build time, so `--timing NAME` works wherever the binary is copied;
// anything that is not a shipped name is read as a file path.
//
// The format (every key optional; a missing one keeps the default of
// isa/common/timing_profile.hpp):
//   name, description, frequency_hz                 (top level)
//   [insn]   alu mul div load store branch_taken branch_not_taken csr fence
//            fp fp_div atomic                       (cycles, 1..255)
//   [trap]   entry return
//   [vm]     entry exit
//   [tlb] [tlb_stage2]   entries ways               (0 entries: not modelled)
//   [walk]   ref  cache_entries cache_ways cache_hit
//            through_cache (true: page-walk reads go through L1D/L2)
//   [cache.l1i] [cache.l1d] [cache.l2]   ways, line (bytes, default 64),
//            sets or size_kib (one of them; all powers of two), hit, miss
//            (cycles; see isa/common/cache_model.hpp for how they add up)
//   [exit_handler]  default, and one key per ExitReason name (Hypercall,
//            MmioRead, MmioWrite, SysRegRead, ..., SendIpi)
// Unknown tables or keys, wrong types and out-of-range values are errors
// (ConfigError: one line naming the file, the line and the key).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "isa/common/cycle_model.hpp"
#include "isa/common/timing_profile.hpp"

namespace hvemu::emu::timing {

// `source` names the text in messages.
isa::TimingProfile parse_timing_profile(std::string_view text, const std::string& source);
// A shipped profile's name ("skylake-vmx") or a file path.
isa::TimingProfile load_timing_profile(const std::string& name_or_path);
// The names of the shipped profiles, sorted.
std::vector<std::string> shipped_timing_profiles();
// The clocking a machine or VM runs with under the profile: its frequency,
// the timebase kept, the profile attached.
void apply_timing(isa::Clocking& clock, const std::shared_ptr<const isa::TimingProfile>& profile);

} // namespace hvemu::emu::timing
