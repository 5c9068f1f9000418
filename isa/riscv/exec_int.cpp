// RV64I and M: one small function per instruction.
#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {
using u64 = uint64_t;
using i64 = int64_t;
inline i64 sx32(u64 v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }
inline u64 X(const Hart& h, uint8_t r) { return h.x[r]; }
#define RS1 X(h, i.rs1)
#define RS2 X(h, i.rs2)
#define IMM static_cast<u64>(i.imm)
#define WR(v) return (h.x[i.rd] = static_cast<u64>(v), NEXT)

// With C, targets are always 2-byte aligned once jalr clears bit 0, so
// jumps never raise instruction-address-misaligned.
template <unsigned L> inline u64 jump(Hart& h, const Insn& i, u64 pc, u64 target) {
    h.x[i.rd] = NEXT;
    return target;
}
template <unsigned L> inline u64 branch(const Insn& i, u64 pc, bool taken) { return taken ? pc + IMM : NEXT; }

template <class T, unsigned L> inline u64 load(Hart& h, const Insn& i, u64 pc) {
    T v;
    if (!h.load<T>(RS1 + IMM, v)) return h.pc;   // trapped: h.pc is the handler
    WR(static_cast<i64>(v));
}
template <class T, unsigned L> inline u64 store(Hart& h, const Insn& i, u64 pc) {
    if (!h.store<T>(RS1 + IMM, static_cast<T>(RS2))) return h.pc;
    return NEXT;
}
} // namespace

RV_OP(lui) { WR(IMM); }
RV_OP(auipc) { WR(pc + IMM); }
RV_OP(jal) { return jump<L>(h, i, pc, pc + IMM); }
RV_OP(jalr) { return jump<L>(h, i, pc, (RS1 + IMM) & ~1ull); }
RV_OP(beq) { return branch<L>(i, pc, RS1 == RS2); }
RV_OP(bne) { return branch<L>(i, pc, RS1 != RS2); }
RV_OP(blt) { return branch<L>(i, pc, static_cast<i64>(RS1) < static_cast<i64>(RS2)); }
RV_OP(bge) { return branch<L>(i, pc, static_cast<i64>(RS1) >= static_cast<i64>(RS2)); }
RV_OP(bltu) { return branch<L>(i, pc, RS1 < RS2); }
RV_OP(bgeu) { return branch<L>(i, pc, RS1 >= RS2); }
RV_OP(lb) { return load<int8_t, L>(h, i, pc); }
RV_OP(lh) { return load<int16_t, L>(h, i, pc); }
RV_OP(lw) { return load<int32_t, L>(h, i, pc); }
RV_OP(ld) { return load<int64_t, L>(h, i, pc); }
RV_OP(lbu) { return load<uint8_t, L>(h, i, pc); }
RV_OP(lhu) { return load<uint16_t, L>(h, i, pc); }
RV_OP(lwu) { return load<uint32_t, L>(h, i, pc); }
RV_OP(sb) { return store<uint8_t, L>(h, i, pc); }
RV_OP(sh) { return store<uint16_t, L>(h, i, pc); }
RV_OP(sw) { return store<uint32_t, L>(h, i, pc); }
RV_OP(sd) { return store<uint64_t, L>(h, i, pc); }
RV_OP(addi) { WR(RS1 + IMM); }
RV_OP(slti) { WR(static_cast<i64>(RS1) < i.imm); }
RV_OP(sltiu) { WR(RS1 < IMM); }
RV_OP(xori) { WR(RS1 ^ IMM); }
RV_OP(ori) { WR(RS1 | IMM); }
RV_OP(andi) { WR(RS1 & IMM); }
RV_OP(slli) { WR(RS1 << i.imm); }
RV_OP(srli) { WR(RS1 >> i.imm); }
RV_OP(srai) { WR(static_cast<i64>(RS1) >> i.imm); }
RV_OP(add) { WR(RS1 + RS2); }
RV_OP(sub) { WR(RS1 - RS2); }
RV_OP(sll) { WR(RS1 << (RS2 & 63)); }
RV_OP(slt) { WR(static_cast<i64>(RS1) < static_cast<i64>(RS2)); }
RV_OP(sltu) { WR(RS1 < RS2); }
RV_OP(xor_) { WR(RS1 ^ RS2); }
RV_OP(srl) { WR(RS1 >> (RS2 & 63)); }
RV_OP(sra) { WR(static_cast<i64>(RS1) >> (RS2 & 63)); }
RV_OP(or_) { WR(RS1 | RS2); }
RV_OP(and_) { WR(RS1 & RS2); }
RV_OP(addiw) { WR(sx32(RS1 + IMM)); }
RV_OP(slliw) { WR(sx32(RS1 << i.imm)); }
RV_OP(srliw) { WR(sx32(static_cast<uint32_t>(RS1) >> i.imm)); }
RV_OP(sraiw) { WR(static_cast<int32_t>(RS1) >> i.imm); }
RV_OP(addw) { WR(sx32(RS1 + RS2)); }
RV_OP(subw) { WR(sx32(RS1 - RS2)); }
RV_OP(sllw) { WR(sx32(RS1 << (RS2 & 31))); }
RV_OP(srlw) { WR(sx32(static_cast<uint32_t>(RS1) >> (RS2 & 31))); }
RV_OP(sraw) { WR(static_cast<int32_t>(RS1) >> (RS2 & 31)); }

// M
namespace {
__extension__ using u128 = unsigned __int128;
__extension__ using i128 = __int128;
inline u64 divu(u64 a, u64 b) { return b == 0 ? ~0ull : a / b; }
inline u64 remu(u64 a, u64 b) { return b == 0 ? a : a % b; }
inline i64 divs(i64 a, i64 b) { return b == 0 ? -1 : (a == INT64_MIN && b == -1) ? a : a / b; }
inline i64 rems(i64 a, i64 b) { return b == 0 ? a : (a == INT64_MIN && b == -1) ? 0 : a % b; }
inline int32_t divw(int32_t a, int32_t b) { return b == 0 ? -1 : (a == INT32_MIN && b == -1) ? a : a / b; }
inline int32_t remw(int32_t a, int32_t b) { return b == 0 ? a : (a == INT32_MIN && b == -1) ? 0 : a % b; }
inline uint32_t divuw(uint32_t a, uint32_t b) { return b == 0 ? ~0u : a / b; }
inline uint32_t remuw(uint32_t a, uint32_t b) { return b == 0 ? a : a % b; }
} // namespace

RV_OP(mul) { WR(RS1 * RS2); }
RV_OP(mulh) { WR(static_cast<u64>((static_cast<i128>(static_cast<i64>(RS1)) * static_cast<i64>(RS2)) >> 64)); }
RV_OP(mulhsu) { WR(static_cast<u64>((static_cast<i128>(static_cast<i64>(RS1)) * static_cast<i128>(RS2)) >> 64)); }
RV_OP(mulhu) { WR(static_cast<u64>((static_cast<u128>(RS1) * RS2) >> 64)); }
RV_OP(div) { WR(divs(static_cast<i64>(RS1), static_cast<i64>(RS2))); }
RV_OP(divu) { WR(divu(RS1, RS2)); }
RV_OP(rem) { WR(rems(static_cast<i64>(RS1), static_cast<i64>(RS2))); }
RV_OP(remu) { WR(remu(RS1, RS2)); }
RV_OP(mulw) { WR(sx32(RS1 * RS2)); }
RV_OP(divw) { WR(divw(static_cast<int32_t>(RS1), static_cast<int32_t>(RS2))); }
RV_OP(divuw) { WR(sx32(divuw(static_cast<uint32_t>(RS1), static_cast<uint32_t>(RS2)))); }
RV_OP(remw) { WR(remw(static_cast<int32_t>(RS1), static_cast<int32_t>(RS2))); }
RV_OP(remuw) { WR(sx32(remuw(static_cast<uint32_t>(RS1), static_cast<uint32_t>(RS2)))); }

// ---- threaded entries (dispatch.hpp) ----------------------------------------
// ALU, M: cannot trap, fall through. Jumps continue at their target (their
// step holds the redirect); branches fall through or, taken, pay the
// redirect. Loads and stores: the TLB hit inline; a miss (slow path, MMIO,
// faults) runs the handler through exec_plain.
namespace {
template <Handler F, unsigned L, bool T> inline u64 x_seq(Hart& h, const Insn& i, u64 pc, u64 left) {
    F(h, i, pc);
    return next_seq<L, T>(h, i, pc, left);
}
template <Handler F, unsigned L, bool T> inline u64 x_jump(Hart& h, const Insn& i, u64 pc, u64 left) {
    return next_at<T>(h, i, pc, F(h, i, pc), left);
}
template <Handler F, unsigned L, bool T> inline u64 x_branch(Hart& h, const Insn& i, u64 pc, u64 left) {
    const u64 next = F(h, i, pc);
    if (next == pc + L) return next_seq<L, T>(h, i, pc, left);   // not taken: no page test
    return next_taken<T>(h, i, pc, next, left);
}
// A load or store the fast path missed: under data caches most hit an
// entry tagged for them and pay the caches here, without the slow path's
// publishing; the rest (a TLB miss, MMIO, a fault) run the generic entry.
template <class T, Handler F, unsigned L, bool Tm>
[[gnu::noinline]] u64 x_load_cached(Hart& h, const Insn& i, u64 pc, u64 left) {
    T v;
    if (!h.load_cached<T>(RS1 + IMM, v)) return exec_plain<F, L, Tm>(h, i, pc, left);
    h.x[i.rd] = static_cast<u64>(static_cast<i64>(v));
    return next_seq<L, Tm>(h, i, pc, left);
}
template <class T, Handler F, unsigned L, bool Tm>
[[gnu::noinline]] u64 x_store_cached(Hart& h, const Insn& i, u64 pc, u64 left) {
    if (!h.store_cached<T>(RS1 + IMM, static_cast<T>(RS2))) return exec_plain<F, L, Tm>(h, i, pc, left);
    return next_seq<L, Tm>(h, i, pc, left);
}
template <class T, Handler F, unsigned L, bool Tm> inline u64 x_load(Hart& h, const Insn& i, u64 pc, u64 left) {
    T v;
    if (HV_UNLIKELY(!h.load_fast<T>(RS1 + IMM, v))) return x_load_cached<T, F, L, Tm>(h, i, pc, left);
    h.x[i.rd] = static_cast<u64>(static_cast<i64>(v));
    return next_seq<L, Tm>(h, i, pc, left);
}
template <class T, Handler F, unsigned L, bool Tm> inline u64 x_store(Hart& h, const Insn& i, u64 pc, u64 left) {
    if (HV_UNLIKELY(!h.store_fast<T>(RS1 + IMM, static_cast<T>(RS2)))) return x_store_cached<T, F, L, Tm>(h, i, pc, left);
    return next_seq<L, Tm>(h, i, pc, left);
}
using mem_lb = int8_t;
using mem_lh = int16_t;
using mem_lw = int32_t;
using mem_ld = int64_t;
using mem_lbu = uint8_t;
using mem_lhu = uint16_t;
using mem_lwu = uint32_t;
using mem_sb = uint8_t;
using mem_sh = uint16_t;
using mem_sw = uint32_t;
using mem_sd = uint64_t;
} // namespace

#define RV_X_Alu(id) return x_seq<&op_##id<L>, L, T>(h, i, pc, left);
#define RV_X_Mul(id) RV_X_Alu(id)
#define RV_X_Div(id) RV_X_Alu(id)
#define RV_X_Jump(id) return x_jump<&op_##id<L>, L, T>(h, i, pc, left);
#define RV_X_Branch(id) return x_branch<&op_##id<L>, L, T>(h, i, pc, left);
#define RV_X_Load(id) return x_load<mem_##id, &op_##id<L>, L, T>(h, i, pc, left);
#define RV_X_Store(id) return x_store<mem_##id, &op_##id<L>, L, T>(h, i, pc, left);
#define RV_INSN(id, name, match, mask, fmt, regs, cls) \
    template <unsigned L, bool T> u64 xop_##id(Hart& h, const Insn& i, u64 pc, u64 left) { RV_X_##cls(id) }
#include "isa/riscv/insn_base.def"
#undef RV_INSN

#define RV_INSN(id, ...)                                                        \
    RV_INSTANTIATE(id)                                                          \
    template u64 xop_##id<2, false>(Hart&, const Insn&, u64, u64);              \
    template u64 xop_##id<4, false>(Hart&, const Insn&, u64, u64);              \
    template u64 xop_##id<2, true>(Hart&, const Insn&, u64, u64);               \
    template u64 xop_##id<4, true>(Hart&, const Insn&, u64, u64);
#include "isa/riscv/insn_base.def"
#undef RV_INSN

} // namespace hvemu::rv
