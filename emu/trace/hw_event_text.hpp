// The decoded text of a full-system hardware event (isa::HwEvent): what a
// `--trace` line shows after "->", and the event's name and fields for
// the JSON timeline.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "emu/vmm/exit_trace.hpp"
#include "isa/common/hw_trace.hpp"

namespace hvemu::emu::trace {

struct HwEventText {
    std::string name;                                       // "VM exit HVC64", "VM entry", "irq M timer"
    std::vector<std::pair<std::string, std::string>> args;  // decoded fields, in order
    std::string line() const;                               // name then key=value ...
};

HwEventText describe_hw_event(vmm::Isa isa, const isa::HwEvent& e);

// Names of the causes the decoding shows (nullptr when unnamed).
const char* riscv_cause_name(uint64_t cause);
const char* arm_ec_name(unsigned ec);
const char* vmx_exit_name(unsigned basic_reason);

} // namespace hvemu::emu::trace
