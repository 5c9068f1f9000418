// The data access an x86 instruction makes, from its decoded form and the
// registers it reads: what read and access watchpoints compare against.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include "isa/x86/insn.hpp"

namespace hvemu::emu::debug {

// What the address of an access depends on.
struct X86AccessState {
    x86::Mode mode = x86::Mode::Bits64;   // the decode mode (CS.L, CS.D)
    uint64_t rip = 0;                     // offset in CS (RIP-relative operands)
    uint64_t gpr[16] = {};                // encoding order, 4 = RSP
    uint64_t rflags = 0;                  // DF: the direction of string instructions
    uint64_t seg_base[6] = {};            // x86::SegReg order
    bool stack32 = false;                 // SS.B: ESP, not SP (outside 64-bit mode)
};

struct X86DataAccess {
    uint64_t addr = 0;   // linear
    unsigned len = 0;    // bytes
    bool read = false, write = false;
};

// Reads `len` bytes at linear address `addr` (false: not readable); used to
// tell where a REPE/REPNE CMPS or SCAS stops.
using X86LinearReader = std::function<bool(uint64_t addr, uint8_t* dst, size_t len)>;

// The access of the instruction at `bytes` (`avail` readable), or nullopt
// when it makes none or it is not told. Told: the explicit ModRM memory
// operand (a load, a store or a read-modify-write, by the table line of
// the instruction), moffs and XLAT, the string instructions (SI/DI, with
// REP the iterations the core runs in one step: at most 1024, and for
// REPE/REPNE CMPS/SCAS up to the element that ends the loop), and the stack
// for PUSH/POP/CALL/RET/ENTER/LEAVE/PUSHF/POPF/PUSHA/POPA without a memory
// operand. An instruction that makes two accesses is told by one: the
// explicit operand (PUSH m reads m, POP m writes m), the source of MOVS and
// CMPS.
std::optional<X86DataAccess> x86_data_access(const uint8_t* bytes, unsigned avail, const X86AccessState& s,
                                             const X86LinearReader& read);

} // namespace hvemu::emu::debug
