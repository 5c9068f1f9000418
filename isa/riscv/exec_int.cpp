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
#define WR(v) (h.x[i.rd] = static_cast<u64>(v), h.pc += i.len)

inline void jump(Hart& h, const Insn& i, u64 target) {
    if (target & 1) target &= ~1ull;   // jalr clears bit 0; with C, 2-byte alignment always holds
    const u64 link = h.pc + i.len;
    h.pc = target;
    h.x[i.rd] = link;
}
inline void branch(Hart& h, const Insn& i, bool taken) { h.pc += taken ? IMM : i.len; }

template <class T> inline void load(Hart& h, const Insn& i) {
    T v;
    if (!h.load<T>(RS1 + IMM, v)) return;
    WR(static_cast<i64>(v));
}
template <class T> inline void store(Hart& h, const Insn& i) {
    if (!h.store<T>(RS1 + IMM, static_cast<T>(RS2))) return;
    h.pc += i.len;
}
} // namespace

void op_lui(Hart& h, const Insn& i) { WR(IMM); }
void op_auipc(Hart& h, const Insn& i) { WR(h.pc + IMM); }
void op_jal(Hart& h, const Insn& i) { jump(h, i, h.pc + IMM); }
void op_jalr(Hart& h, const Insn& i) { jump(h, i, (RS1 + IMM) & ~1ull); }
void op_beq(Hart& h, const Insn& i) { branch(h, i, RS1 == RS2); }
void op_bne(Hart& h, const Insn& i) { branch(h, i, RS1 != RS2); }
void op_blt(Hart& h, const Insn& i) { branch(h, i, static_cast<i64>(RS1) < static_cast<i64>(RS2)); }
void op_bge(Hart& h, const Insn& i) { branch(h, i, static_cast<i64>(RS1) >= static_cast<i64>(RS2)); }
void op_bltu(Hart& h, const Insn& i) { branch(h, i, RS1 < RS2); }
void op_bgeu(Hart& h, const Insn& i) { branch(h, i, RS1 >= RS2); }
void op_lb(Hart& h, const Insn& i) { load<int8_t>(h, i); }
void op_lh(Hart& h, const Insn& i) { load<int16_t>(h, i); }
void op_lw(Hart& h, const Insn& i) { load<int32_t>(h, i); }
void op_ld(Hart& h, const Insn& i) { load<int64_t>(h, i); }
void op_lbu(Hart& h, const Insn& i) { load<uint8_t>(h, i); }
void op_lhu(Hart& h, const Insn& i) { load<uint16_t>(h, i); }
void op_lwu(Hart& h, const Insn& i) { load<uint32_t>(h, i); }
void op_sb(Hart& h, const Insn& i) { store<uint8_t>(h, i); }
void op_sh(Hart& h, const Insn& i) { store<uint16_t>(h, i); }
void op_sw(Hart& h, const Insn& i) { store<uint32_t>(h, i); }
void op_sd(Hart& h, const Insn& i) { store<uint64_t>(h, i); }
void op_addi(Hart& h, const Insn& i) { WR(RS1 + IMM); }
void op_slti(Hart& h, const Insn& i) { WR(static_cast<i64>(RS1) < i.imm); }
void op_sltiu(Hart& h, const Insn& i) { WR(RS1 < IMM); }
void op_xori(Hart& h, const Insn& i) { WR(RS1 ^ IMM); }
void op_ori(Hart& h, const Insn& i) { WR(RS1 | IMM); }
void op_andi(Hart& h, const Insn& i) { WR(RS1 & IMM); }
void op_slli(Hart& h, const Insn& i) { WR(RS1 << i.imm); }
void op_srli(Hart& h, const Insn& i) { WR(RS1 >> i.imm); }
void op_srai(Hart& h, const Insn& i) { WR(static_cast<i64>(RS1) >> i.imm); }
void op_add(Hart& h, const Insn& i) { WR(RS1 + RS2); }
void op_sub(Hart& h, const Insn& i) { WR(RS1 - RS2); }
void op_sll(Hart& h, const Insn& i) { WR(RS1 << (RS2 & 63)); }
void op_slt(Hart& h, const Insn& i) { WR(static_cast<i64>(RS1) < static_cast<i64>(RS2)); }
void op_sltu(Hart& h, const Insn& i) { WR(RS1 < RS2); }
void op_xor_(Hart& h, const Insn& i) { WR(RS1 ^ RS2); }
void op_srl(Hart& h, const Insn& i) { WR(RS1 >> (RS2 & 63)); }
void op_sra(Hart& h, const Insn& i) { WR(static_cast<i64>(RS1) >> (RS2 & 63)); }
void op_or_(Hart& h, const Insn& i) { WR(RS1 | RS2); }
void op_and_(Hart& h, const Insn& i) { WR(RS1 & RS2); }
void op_addiw(Hart& h, const Insn& i) { WR(sx32(RS1 + IMM)); }
void op_slliw(Hart& h, const Insn& i) { WR(sx32(RS1 << i.imm)); }
void op_srliw(Hart& h, const Insn& i) { WR(sx32(static_cast<uint32_t>(RS1) >> i.imm)); }
void op_sraiw(Hart& h, const Insn& i) { WR(static_cast<int32_t>(RS1) >> i.imm); }
void op_addw(Hart& h, const Insn& i) { WR(sx32(RS1 + RS2)); }
void op_subw(Hart& h, const Insn& i) { WR(sx32(RS1 - RS2)); }
void op_sllw(Hart& h, const Insn& i) { WR(sx32(RS1 << (RS2 & 31))); }
void op_srlw(Hart& h, const Insn& i) { WR(sx32(static_cast<uint32_t>(RS1) >> (RS2 & 31))); }
void op_sraw(Hart& h, const Insn& i) { WR(static_cast<int32_t>(RS1) >> (RS2 & 31)); }

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

void op_mul(Hart& h, const Insn& i) { WR(RS1 * RS2); }
void op_mulh(Hart& h, const Insn& i) { WR(static_cast<u64>((static_cast<i128>(static_cast<i64>(RS1)) * static_cast<i64>(RS2)) >> 64)); }
void op_mulhsu(Hart& h, const Insn& i) { WR(static_cast<u64>((static_cast<i128>(static_cast<i64>(RS1)) * static_cast<i128>(RS2)) >> 64)); }
void op_mulhu(Hart& h, const Insn& i) { WR(static_cast<u64>((static_cast<u128>(RS1) * RS2) >> 64)); }
void op_div(Hart& h, const Insn& i) { WR(divs(static_cast<i64>(RS1), static_cast<i64>(RS2))); }
void op_divu(Hart& h, const Insn& i) { WR(divu(RS1, RS2)); }
void op_rem(Hart& h, const Insn& i) { WR(rems(static_cast<i64>(RS1), static_cast<i64>(RS2))); }
void op_remu(Hart& h, const Insn& i) { WR(remu(RS1, RS2)); }
void op_mulw(Hart& h, const Insn& i) { WR(sx32(RS1 * RS2)); }
void op_divw(Hart& h, const Insn& i) { WR(divw(static_cast<int32_t>(RS1), static_cast<int32_t>(RS2))); }
void op_divuw(Hart& h, const Insn& i) { WR(sx32(divuw(static_cast<uint32_t>(RS1), static_cast<uint32_t>(RS2)))); }
void op_remw(Hart& h, const Insn& i) { WR(remw(static_cast<int32_t>(RS1), static_cast<int32_t>(RS2))); }
void op_remuw(Hart& h, const Insn& i) { WR(sx32(remuw(static_cast<uint32_t>(RS1), static_cast<uint32_t>(RS2)))); }

} // namespace hvemu::rv
