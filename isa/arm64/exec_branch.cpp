// A64 branches: immediate, conditional, compare/test and branch, register.
// A target with bits 1:0 set faults on its fetch (PC alignment), not here.
#include "isa/arm64/alu.hpp"

namespace hvemu::arm {

A64_OP(b) { (void)h; return pc + static_cast<uint64_t>(i.imm); }
A64_OP(bl) {
    h.x[30] = pc + 4;
    return pc + static_cast<uint64_t>(i.imm);
}
A64_OP(b_cond) { return cond_holds(h.pstate.nzcv, i.cond) ? pc + static_cast<uint64_t>(i.imm) : NEXT; }

A64_OP(cbz_w) { return static_cast<uint32_t>(h.x[i.rd]) == 0 ? pc + static_cast<uint64_t>(i.imm) : NEXT; }
A64_OP(cbnz_w) { return static_cast<uint32_t>(h.x[i.rd]) != 0 ? pc + static_cast<uint64_t>(i.imm) : NEXT; }
A64_OP(cbz_x) { return h.x[i.rd] == 0 ? pc + static_cast<uint64_t>(i.imm) : NEXT; }
A64_OP(cbnz_x) { return h.x[i.rd] != 0 ? pc + static_cast<uint64_t>(i.imm) : NEXT; }
A64_OP(tbz) { return ((h.x[i.rd] >> i.amount) & 1) == 0 ? pc + static_cast<uint64_t>(i.imm) : NEXT; }
A64_OP(tbnz) { return ((h.x[i.rd] >> i.amount) & 1) != 0 ? pc + static_cast<uint64_t>(i.imm) : NEXT; }

A64_OP(br) { (void)pc; return h.x[i.rn]; }
A64_OP(blr) {
    const uint64_t target = h.x[i.rn];   // read before the link: BLR X30
    h.x[30] = pc + 4;
    return target;
}
A64_OP(ret) { (void)pc; return h.x[i.rn]; }

} // namespace hvemu::arm
