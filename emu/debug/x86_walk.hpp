// The debugger's x86 translation: guest paging (none, 32-bit, PAE with the
// PDPTE registers, 4-level) and, below it, the EPT (4 levels, 2 MiB and
// 1 GiB pages), read from memory without side effects (no accessed or
// dirty flags, no TLB fill, no fault). The debugger reads and writes
// guest memory through it, and `monitor walk` prints it entry by entry.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "isa/common/phys_mem.hpp"

namespace hvemu::emu::debug {

// What selects a translation: the paging registers of the code being
// debugged, and the EPT under it when it runs as a VMX guest.
struct X86PagingState {
    uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
    uint64_t pdpte[4] = {};   // PAE paging: the PDPTE registers
    bool ept = false;
    uint64_t eptp = 0;
    unsigned pa_bits = 39;    // MAXPHYADDR
};

// Guest-physical -> host-physical through the EPT (identity without it).
// `report` (when given) receives one line per entry read.
std::optional<uint64_t> x86_ept_translate(const isa::PhysMem& mem, const X86PagingState& s, uint64_t gpa,
                                          std::string* report = nullptr);

// Linear -> host-physical through both stages. Presence is all that is
// checked: a debugger reads (and writes) what the guest may only read, or
// not at all from its current privilege.
std::optional<uint64_t> x86_translate(const isa::PhysMem& mem, const X86PagingState& s, uint64_t linear);

// `monitor walk`: the paging walk with every entry read (tables at
// guest-physical addresses shown with the host address the EPT gives),
// then the EPT walk of the result.
std::string x86_walk_report(const isa::PhysMem& mem, const X86PagingState& s, uint64_t linear);

} // namespace hvemu::emu::debug
