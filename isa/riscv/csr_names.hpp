// CSR names <-> numbers for the disassembler and the debugger, spelled as
// the specifications and assemblers (llvm-objdump) spell them. RV64 view:
// the RV32-only high halves (cycleh, mstatush, pmpcfg1...) are not named.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hvemu::rv {

struct CsrName {
    uint16_t number;
    std::string_view name;
};

// The canonical name of a CSR number, or nullptr when the number has none.
const char* csr_name(uint16_t number);

// The number of a CSR name: canonical names and the older spellings
// assemblers accept (sptbr, sbadaddr, mbadaddr, dscratch). Case-sensitive.
std::optional<uint16_t> csr_number(std::string_view name);

// Every canonical name, ordered by number.
std::span<const CsrName> csr_names();

} // namespace hvemu::rv
