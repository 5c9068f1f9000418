#include "emu/trace/trace_set.hpp"

#include <fmt/format.h>

#include "emu/trace/vmm_tracer.hpp"

namespace hvemu::emu::trace {

TraceSet parse_trace_set(const std::string& text) {
    TraceSet s;
    size_t pos = 0;
    do {
        const size_t comma = text.find(',', pos);
        const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        pos = comma == std::string::npos ? std::string::npos : comma + 1;
        if (item == "exits") s.exits = true;
        else if (item == "irq") s.irq = true;
        else if (item == "mmio") s.mmio = true;
        else if (item == "insn") s.insn = true;
        else if (item == "all") s.exits = s.irq = s.mmio = s.insn = true;
        else
            throw std::invalid_argument(
                fmt::format("invalid value '{}' for --trace (a comma list of exits, irq, mmio, insn)", item));
    } while (pos != std::string::npos);
    return s;
}

const char* irq_name(uint64_t vector, vmm::Isa isa) {
    if (isa == vmm::Isa::Arm64) return vector < 16 ? "SGI" : vector < 32 ? "PPI" : vector < 1020 ? "SPI" : "?";
    switch (vector) {
    case 1: return "VSSIP";
    case 5: return "VSTIP";
    case 9: return "VSEIP";
    default: return "?";
    }
}

} // namespace hvemu::emu::trace
