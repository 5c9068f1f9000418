// A64 disassembly of one instruction word (Capstone's text, as objdump
// prints it: mnemonic, one space, operands). Used by traces and the
// debugger; the decoder tests use it as an independent oracle.
#pragma once
#include <cstdint>
#include <string>

namespace hvemu::arm {

// Disassemble `raw` fetched at `pc` (branch targets print as absolute
// addresses). Encodings Capstone does not know give "unknown 0x%08x".
std::string disassemble(uint32_t raw, uint64_t pc = 0);

// Only the mnemonic ("" when the encoding is unknown to Capstone).
std::string disassemble_mnemonic(uint32_t raw);

} // namespace hvemu::arm
