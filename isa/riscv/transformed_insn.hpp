// The value the H extension writes to htinst/mtinst for a trap caused by an
// explicit memory access: the "transformed instruction" of the privileged
// specification (loads, stores, AMOs, HLV/HLVX/HSV; compressed ones are
// expanded first and reported with bits 1:0 = 01).
#pragma once
#include <cstdint>

namespace hvemu::rv {

// The transformation of `raw` (a 16-bit parcel when raw & 3 != 3) with the
// Addr. Offset field (bits 19:15) set to `addr_offset`, the distance from
// the instruction's original virtual address to the faulting one (nonzero
// only for the second part of a misaligned access). Zero for instructions
// that have no defined transformation.
uint32_t transformed_insn(uint32_t raw, uint64_t addr_offset);

// Translation::tinst marker for a fault raised by an implicit access that
// the specification does not describe with a pseudoinstruction (an access
// fault while reading a page-table entry): the trap writes zero there, never
// the transformed instruction. Values with bits 1:0 = 10 are never valid
// trap-instruction values, so the marker cannot collide with a real one.
constexpr uint64_t kTinstImplicitZero = 0x2;

} // namespace hvemu::rv
