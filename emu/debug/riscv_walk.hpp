// `monitor walk <gva>`: a page-table walk printed entry by entry, for the
// VS-stage (or the S-stage without V) and the G-stage, by re-reading the
// page-table entries; the hart's own translate() gives the authoritative
// result, printed last.
#pragma once
#include <cstdint>
#include <string>

#include "isa/riscv/hart.hpp"

namespace hvemu::emu::debug {

// With `virt`, addr is a guest virtual address translated with vsatp then
// hgatp; otherwise with satp alone (or nothing in M mode). `priv` is the
// privilege of the access (U or S; M only without virt).
std::string riscv_walk_report(rv::Hart& h, uint64_t addr, rv::Priv priv, bool virt);

} // namespace hvemu::emu::debug
