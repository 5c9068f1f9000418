// The event classes `--trace` selects: a comma list of exits, irq, mmio,
// insn (or "all").
#pragma once
#include <stdexcept>
#include <string>

namespace hvemu::emu::trace {

struct TraceSet {
    bool exits = false, irq = false, mmio = false, insn = false;
    bool any() const { return exits || irq || mmio || insn; }
};

// Throws std::invalid_argument naming the bad item.
TraceSet parse_trace_set(const std::string& text);

} // namespace hvemu::emu::trace
