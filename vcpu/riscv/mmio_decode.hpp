// Decoding the integer load or store behind a guest-page fault, for MMIO
// exits: from the transformed instruction the hart writes to htinst, or from
// the instruction bits fetched at sepc. Both end in the same record, so the
// two paths decode identically by construction of the shared table.
#pragma once
#include <cstdint>
#include <optional>

namespace hvemu::vcpu::riscv {

struct MemInsn {
    bool store = false;
    unsigned width = 0;        // bytes: 1, 2, 4, 8
    bool signed_ext = false;   // lb, lh, lw, ld (ld: as upstream; no effect at full width)
    unsigned reg = 0;          // rd of a load, rs2 of a store (architectural number, x0 possible)
    unsigned rs1 = 0;          // base register; in a transformed instruction: the Addr. Offset
    int64_t imm = 0;           // offset (0 in a transformed instruction)
    unsigned len = 4;          // length of the trapping instruction: 2 or 4
};

// An integer load or store (lb..ld, lbu..lwu, sb..sd and their compressed
// forms c.lw, c.ld, c.lwsp, c.ldsp, c.sw, c.sd, c.swsp, c.sdsp). `raw` is a
// 16-bit parcel when its low two bits are not 11. nullopt: anything else
// (FP loads/stores, AMOs, LR/SC, ...).
std::optional<MemInsn> decode_mem_insn(uint32_t raw);

// The same from a transformed instruction (htinst): bits 1:0 = 11 for a
// 32-bit original, 01 for a compressed one. nullopt for zero, for the
// pseudoinstructions and for what decode_mem_insn rejects.
std::optional<MemInsn> decode_transformed(uint64_t htinst);

// htinst/mtinst values of a guest-page fault on an implicit access of the
// VS-stage page-table walk.
bool is_pseudo_tinst(uint64_t tinst);

} // namespace hvemu::vcpu::riscv
