// `monitor walk <va>` on AArch64: the translation of a virtual address
// printed entry by entry, re-reading the tables from TTBR0/1_EL1 with
// TCR_EL1 (or TTBR0_EL2 with TCR_EL2 at EL2) and, below EL2 with stage 2
// on, from VTTBR_EL2 with VTCR_EL2. Stage 1 tables sit at IPAs: each one
// is located through stage 2 (shown as its PA, not printed as a walk).
// The PE's own translate() gives the authoritative result, printed last.
#pragma once
#include <cstdint>
#include <string>

#include "isa/arm64/pe.hpp"

namespace hvemu::emu::debug {

// `el` is the exception level of the access (0-2): it selects the regime.
std::string arm64_walk_report(arm::Pe& pe, uint64_t va, unsigned el);

} // namespace hvemu::emu::debug
