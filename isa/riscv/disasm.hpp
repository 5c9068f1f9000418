// The RISC-V disassembler, driven by the instruction tables (Capstone 4 has
// no RISC-V). Text is what `llvm-objdump -d -M no-aliases` prints (or, with
// aliases, what plain `llvm-objdump -d` prints), with the tab after the
// mnemonic written as one space and without the `<symbol+off>` suffix.
// H-extension instructions, which llvm-objdump 14 does not know, are printed
// in the specification's syntax: `hlv.w a0, (a1)`, `hsv.d a1, (a0)`.
#pragma once
#include <cstdint>
#include <string>

#include "isa/riscv/insn.hpp"

namespace hvemu::rv {

struct DisasmOptions {
    // Pseudo-instructions (li, mv, ret, j, nop, csrr, fmv.d...), compressed
    // instructions shown as the instruction they expand to, and `dyn`
    // rounding modes left out: the traces' choice. Off: one mnemonic per
    // encoding, as the tables and the specification name them.
    bool aliases = false;
};

// Disassemble one encoding fetched at pc (a 16-bit parcel when raw & 3 != 3;
// the upper half is then ignored). Branch and jump targets are printed as
// absolute addresses. Unknown or reserved encodings give "unknown 0x%08x".
std::string disassemble(uint32_t raw, uint64_t pc, const DisasmOptions& opt = {});

// The same for an instruction decode() already produced.
std::string disassemble(const Insn& insn, uint64_t pc, const DisasmOptions& opt = {});

// ABI register names: x10 -> "a0", f8 -> "fs0". n must be below 32.
const char* gpr_name(unsigned n);
const char* fpr_name(unsigned n);

} // namespace hvemu::rv
