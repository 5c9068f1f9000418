// x86 disassembly of one instruction (Capstone's Intel syntax: mnemonic,
// one space, operands). Used by traces and the debugger; the decoder tests
// use Capstone as an independent oracle for instruction lengths.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace hvemu::x86 {

// bits: 16, 32 or 64 (the decode mode). Bytes Capstone cannot decode give
// "unknown 0x<first byte>". `len` (if given) receives the length (0 then).
std::string disassemble(const uint8_t* bytes, size_t n, unsigned bits, uint64_t rip = 0, unsigned* len = nullptr);

// The instruction length Capstone decodes (0: it rejects the bytes).
unsigned disasm_length(const uint8_t* bytes, size_t n, unsigned bits);

} // namespace hvemu::x86
