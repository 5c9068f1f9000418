// The block compiler (jit.hpp): RV64I/M to x86-64, one small emitter per
// instruction.
//
// Registers in generated code (the threaded entry's arguments, SysV):
//   rdi  the hart           rcx  the chain's packed budget `left`
//   rsi  the slot, rdx the pc: on entry and when leaving to a slot
//   rax, rdx, r8, r9: scratch
//   rsi, r10, r11, rbx, rbp, r12-r15: the block's most used guest
//   registers, loaded after the entry checks and written back at every
//   exit (the callee-saved ones pushed and popped around the block), so a
//   loop that stays in its block keeps its registers in host registers.
#include "isa/riscv/jit.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <cstring>
#include <memory>
#include <vector>

#include "isa/riscv/decoded_page.hpp"
#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {
// The table ids of RV64I/M: insn_base.def opens the instruction table.
enum BaseId : uint16_t {
#define RV_INSN(id, ...) k_##id,
#include "isa/riscv/insn_base.def"
#undef RV_INSN
    kBaseCount
};
constexpr const char* kBaseNames[] = {
#define RV_INSN(id, name, ...) name,
#include "isa/riscv/insn_base.def"
#undef RV_INSN
};

// The base instruction a decoded slot executes (compressed ones expand).
uint16_t base_of(const Insn& slot) {
    const uint16_t b = slot.id == kInvalidId ? kInvalidId : insn_base(slot.id);
    return b < kBaseCount ? b : kInvalidId;
}

bool table_matches() {
    if (insn_table_size() < kBaseCount) return false;
    for (unsigned k = 0; k < kBaseCount; ++k)
        if (std::strcmp(insn_table()[k].name, kBaseNames[k]) != 0) return false;
    return true;
}
} // namespace

bool jit_translates(const Insn& slot) { return slot.fn != &op_cross_page && base_of(slot) != kInvalidId; }

BlockCompiler::BlockCompiler(const Hart& h) : h_(h), arena_(kArenaBytes) {
#if defined(__x86_64__)
    usable_ = arena_.usable() && table_matches();
#endif
    auto off = [&h](const void* field) {
        return static_cast<int32_t>(static_cast<const char*>(field) - reinterpret_cast<const char*>(&h));
    };
    x_off_ = off(&h.x[0]);
    chain_left_off_ = off(&h.chain_left);
    data_ctx_off_ = off(&h.data_ctx);
    tlb_r_off_ = off(&h.tlb_r[0]);
    tlb_w_off_ = off(&h.tlb_w[0]);
}

using namespace isa::x64;

// One block's code, assembled instruction by instruction; the exits are
// collected and placed after the body.
class BlockEmitter {
public:
    BlockEmitter(BlockCompiler& c, DecodedPage& page, uint64_t head_pc)
        : c_(c), a_(c.asm_), h_(c.h_), page_(page), head_pc_(head_pc), vpage_(head_pc & ~0xfffull) {}

    ExecFn compile(Insn& head);

private:
    struct Planned {
        Insn* slot;
        uint64_t pc;
        uint16_t op;       // BaseId
        uint64_t before;   // the budget charged for the instructions before it
    };
    // A static exit: continue at `target` with `charge` taken from left.
    struct Exit {
        Asm::Label label;
        uint64_t target;
        uint64_t charge;
    };
    // Leaving to the interpreter's entry of an instruction (its slow path,
    // or the budget does not cover the segment it starts).
    struct Slow {
        Asm::Label label;
        const Planned* at;
    };

    Mem X(unsigned r) const { return {RDI, c_.x_off_ + static_cast<int32_t>(8 * r)}; }
    // Guest register r where the block keeps it.
    Rm G(unsigned r) const { return cache_of_[r] >= 0 ? Rm(kCache[cache_of_[r]]) : Rm(X(r)); }
    void put(unsigned rd, Reg v);       // write guest rd (the sink: nothing)
    void allocate();
    void emit_enter();
    void emit_leave();
    Insn& slot_at(uint64_t pc) const { return page_.slots[(pc & 0xfff) >> 1]; }
    bool on_page(uint64_t pc) const { return (pc & ~0xfffull) == vpage_; }

    void plan(Insn& head);
    static bool side_exit(const Planned& p);
    size_t segment_end(size_t from) const;
    void emit_budget_test(uint64_t need, Asm::Label& fail);
    struct Slow;
    Slow& slow_at(const Planned& p);
    void mark_head(uint64_t target);
    void emit_insn(const Planned& p);
    void emit_alu(const Planned& p);
    void emit_alu_imm(const Planned& p);
    void emit_w(const Planned& p);
    void emit_mul_div(const Planned& p);
    void emit_div(const Planned& p, bool is_signed, bool rem, unsigned w);
    void emit_branch(const Planned& p);
    void emit_mem(const Planned& p);
    void emit_jalr(const Planned& p);
    Exit& exit_to(uint64_t target, uint64_t charge);
    void emit_exit(Exit& e);
    void emit_stop(uint64_t target);
    void emit_charge(uint64_t charge);
    void store_value(unsigned rd, uint64_t value);

    BlockCompiler& c_;
    Asm& a_;
    const Hart& h_;
    DecodedPage& page_;
    const uint64_t head_pc_, vpage_;
    std::vector<Planned> insns_;
    // Exits and slow paths in the order they were asked for (stable
    // addresses: their labels are patched while the body grows).
    std::vector<std::unique_ptr<Exit>> exits_;
    std::vector<std::unique_ptr<Slow>> slows_;
    static constexpr Reg kCache[] = {RSI, R10, R11, RBX, RBP, R12, R13, R14, R15};
    static constexpr unsigned kFreeCache = 3;   // the first ones are caller-saved
    std::array<int8_t, 33> cache_of_{};          // guest register -> kCache index, or -1
    std::array<uint8_t, std::size(kCache)> guest_of_{};
    unsigned ncache_ = 0;
    uint32_t written_ = 0;                        // kCache entries the block writes
    Asm::Label body_;        // after the entry: a branch back to the head continues here
    Asm::Label budget_fail_, pc_fail_;
};

void BlockEmitter::plan(Insn& head) {
    uint64_t pc = head_pc_, charged = 0;
    for (unsigned n = 0; n < BlockCompiler::kMaxInsns && on_page(pc); ++n) {
        Insn& s = slot_at(pc);
        if (s.fn == &op_decode_slot) decode_slot(h_, page_, static_cast<unsigned>((pc & 0xfff) >> 1));
        if (&s != &head && !jit_translates(s)) break;
        const uint16_t op = base_of(s);
        insns_.push_back({&s, pc, op, charged});
        charged += s.step;
        pc += s.len;
        if (op == k_jal || op == k_jalr) break;
    }
}

// A conditional branch that can leave the block (one to the next
// instruction cannot).
bool BlockEmitter::side_exit(const Planned& p) {
    return p.op >= k_beq && p.op <= k_bgeu && static_cast<uint64_t>(p.slot->imm) != p.slot->len;
}

// The last instruction of the segment starting at `from`: the next side
// exit, or the block's last instruction.
size_t BlockEmitter::segment_end(size_t from) const {
    size_t k = from;
    while (k + 1 < insns_.size() && !side_exit(insns_[k])) ++k;
    return k;
}

// Every instruction up to the one charged `need` before it may start only
// while the budget left at the block's head covers `need`.
void BlockEmitter::emit_budget_test(uint64_t need, Asm::Label& fail) {
    if (need == 0) return;
    if (need <= INT32_MAX) {
        a_.alu(CMP, RCX, static_cast<int32_t>(need));
    } else {
        a_.mov_imm(R8, need);
        a_.alu(CMP, RCX, R8);
    }
    a_.jcc(L, fail);
}

BlockEmitter::Slow& BlockEmitter::slow_at(const Planned& p) {
    slows_.push_back(std::make_unique<Slow>());
    Slow& slow = *slows_.back();
    slow.at = &p;
    return slow;
}

// A same-page static target becomes a block head: the next time it runs,
// it compiles (loops get their own block).
void BlockEmitter::mark_head(uint64_t target) {
    if (!on_page(target)) return;
    const unsigned idx = static_cast<unsigned>((target & 0xfff) >> 1);
    Insn& s = page_.slots[idx];
    if (s.fn == &op_decode_slot) decode_slot(h_, page_, idx);
    if (jit_translates(s) && s.fn == interp_entry(h_, s)) s.fn = &op_jit_head;
}

void BlockEmitter::put(unsigned rd, Reg v) {
    if (rd != kSinkReg) a_.mov(G(rd), v);
}

void BlockEmitter::store_value(unsigned rd, uint64_t value) {
    if (rd == kSinkReg) return;
    const auto v = static_cast<int64_t>(value);
    if (cache_of_[rd] >= 0) {
        a_.mov_imm(kCache[cache_of_[rd]], value);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        a_.mov_simm(X(rd), static_cast<int32_t>(v));
    } else {
        a_.mov_imm(RAX, value);
        a_.mov(X(rd), RAX);
    }
}

namespace {
// The guest registers an instruction reads and writes.
struct Uses {
    bool rd, rs1, rs2;
};
Uses uses(uint16_t op) {
    switch (op) {
    case k_lui: case k_auipc: case k_jal: return {true, false, false};
    case k_beq: case k_bne: case k_blt: case k_bge: case k_bltu: case k_bgeu:
    case k_sb: case k_sh: case k_sw: case k_sd: return {false, true, true};
    case k_jalr: case k_lb: case k_lh: case k_lw: case k_ld: case k_lbu: case k_lhu: case k_lwu:
    case k_addi: case k_slti: case k_sltiu: case k_xori: case k_ori: case k_andi: case k_slli: case k_srli:
    case k_srai: case k_addiw: case k_slliw: case k_srliw: case k_sraiw: return {true, true, false};
    default: return {true, true, true};
    }
}
} // namespace

// The guest registers used at least twice get host registers, the most
// used first.
void BlockEmitter::allocate() {
    cache_of_.fill(-1);
    std::array<unsigned, 33> count{};
    for (const Planned& p : insns_) {
        const Uses u = uses(p.op);
        const Insn& i = *p.slot;
        if (u.rd && i.rd != kSinkReg) count[i.rd]++;
        if (u.rs1 && i.rs1 != 0) count[i.rs1]++;
        if (u.rs2 && i.rs2 != 0) count[i.rs2]++;
    }
    std::array<uint8_t, 32> order{};
    for (unsigned r = 0; r < 32; ++r) order[r] = static_cast<uint8_t>(r);
    std::stable_sort(order.begin(), order.end(), [&count](uint8_t a, uint8_t b) { return count[a] > count[b]; });
    ncache_ = 0;
    for (uint8_t r : order) {
        if (count[r] < 2 || ncache_ == std::size(kCache)) break;
        cache_of_[r] = static_cast<int8_t>(ncache_);
        guest_of_[ncache_++] = r;
    }
    written_ = 0;
    for (const Planned& p : insns_)
        if (uses(p.op).rd && p.slot->rd != kSinkReg && cache_of_[p.slot->rd] >= 0)
            written_ |= 1u << cache_of_[p.slot->rd];
}

void BlockEmitter::emit_enter() {
    for (unsigned k = kFreeCache; k < ncache_; ++k) a_.push(kCache[k]);
    for (unsigned k = 0; k < ncache_; ++k) a_.mov(kCache[k], X(guest_of_[k]));
}

// Before leaving the block: the written guest registers back to the hart
// (all of them at every exit: one not yet written still holds what was
// loaded), the callee-saved registers restored. Flags survive it.
void BlockEmitter::emit_leave() {
    for (unsigned k = 0; k < ncache_; ++k)
        if (written_ & (1u << k)) a_.mov(X(guest_of_[k]), kCache[k]);
    for (unsigned k = ncache_; k-- > kFreeCache;) a_.pop(kCache[k]);
}

void BlockEmitter::emit_charge(uint64_t charge) {
    if (charge <= INT32_MAX) {
        a_.alu(SUB, RCX, static_cast<int32_t>(charge));
    } else {
        a_.mov_imm(R8, charge);
        a_.alu(SUB, RCX, R8);
    }
}

// Stop the chain: hand the budget back and return the pc to continue at.
void BlockEmitter::emit_stop(uint64_t target) {
    a_.mov(Mem{RDI, c_.chain_left_off_}, RCX);
    a_.mov_imm(RAX, target);
    a_.ret();
}

BlockEmitter::Exit& BlockEmitter::exit_to(uint64_t target, uint64_t charge) {
    exits_.push_back(std::make_unique<Exit>());
    Exit& e = *exits_.back();
    e.target = target;
    e.charge = charge;
    mark_head(target);
    return e;
}

// As go_at: charge, stop when the budget is spent or the target is off the
// page, else run the target slot. A branch back to the head stays in the
// block (registers and all) while the budget covers another pass.
void BlockEmitter::emit_exit(Exit& e) {
    a_.bind(e.label);
    if (e.target == head_pc_) {
        const uint64_t need = insns_[segment_end(0)].before;
        emit_charge(e.charge);
        Asm::Label go, fail;
        a_.jcc(NS, go);
        emit_leave();
        emit_stop(e.target);
        a_.bind(go);
        if (need > INT32_MAX) {
            a_.mov_imm(R8, need);
            a_.alu(CMP, RCX, R8);
        } else {
            a_.alu(CMP, RCX, static_cast<int32_t>(need));
        }
        a_.jcc(GE, body_);
        emit_leave();
        a_.jmp(budget_fail_);   // the head, interpreted
        return;
    }
    emit_leave();
    emit_charge(e.charge);
    if (!on_page(e.target)) {
        emit_stop(e.target);
        return;
    }
    Asm::Label go;
    a_.jcc(NS, go);
    emit_stop(e.target);
    a_.bind(go);
    a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(&slot_at(e.target)));
    a_.mov_imm(RDX, e.target);
    a_.jmp(Mem{RSI, 0});
}

ExecFn BlockEmitter::compile(Insn& head) {
    plan(head);
    if (insns_.empty() || !jit_translates(head)) return nullptr;
    allocate();
    a_.clear();

    // Entry: the block's pcs are baked in, so it runs only at the virtual
    // address it was compiled for (a page mapped twice interprets), and
    // only when the budget lets every instruction but the last start.
    const Planned& last = insns_.back();
    const auto hp = static_cast<int64_t>(head_pc_);
    if (hp >= INT32_MIN && hp <= INT32_MAX) {
        a_.alu(CMP, RDX, static_cast<int32_t>(hp));
    } else {
        a_.mov_imm(RAX, head_pc_);
        a_.alu(CMP, RDX, RAX);
    }
    a_.jcc(NE, pc_fail_);
    emit_budget_test(insns_[segment_end(0)].before, budget_fail_);
    emit_enter();
    a_.bind(body_);

    // The budget is tested per segment (up to and including the next side
    // exit), so a chain ending inside a long block interprets at most one
    // segment of it.
    for (size_t k = 0; k < insns_.size(); ++k) {
        emit_insn(insns_[k]);
        if (side_exit(insns_[k]) && k + 1 < insns_.size())
            emit_budget_test(insns_[segment_end(k + 1)].before, slow_at(insns_[k + 1]).label);
    }
    const uint16_t end_op = last.op;
    if (end_op != k_jal && end_op != k_jalr) {
        // Fell off the block's end: on to the next instruction (left to the
        // interpreter when it is not one the compiler knows).
        const uint64_t next = last.pc + last.slot->len;
        Exit& e = exit_to(next, last.before + last.slot->step);
        a_.jmp(e.label);
    }

    for (const auto& e : exits_) emit_exit(*e);
    for (const auto& s : slows_) {
        a_.bind(s->label);
        emit_leave();
        if (s->at->before) {
            // Spent exactly before it (a segment the budget does not
            // cover): the chain stops there, as the interpreter's would.
            emit_charge(s->at->before);
            Asm::Label go;
            a_.jcc(NS, go);
            emit_stop(s->at->pc);
            a_.bind(go);
        }
        a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(s->at->slot));
        a_.mov_imm(RDX, s->at->pc);
        a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(interp_entry(h_, *s->at->slot)));
        a_.jmp(RAX);
    }
    const auto head_interp = reinterpret_cast<uintptr_t>(interp_entry(h_, head));
    a_.bind(budget_fail_);
    a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(&head));
    a_.mov_imm(RDX, head_pc_);
    a_.bind(pc_fail_);   // rsi and rdx as the block was entered
    a_.mov_imm(RAX, head_interp);
    a_.jmp(RAX);

    void* code = c_.arena_.place(a_.code.data(), a_.size());
    if (!code) return nullptr;
    c_.blocks_++;
    c_.insns_ += insns_.size();
    return reinterpret_cast<ExecFn>(code);
}

void BlockEmitter::emit_insn(const Planned& p) {
    const Insn& i = *p.slot;
    switch (p.op) {
    case k_lui: store_value(i.rd, static_cast<uint64_t>(i.imm)); return;
    case k_auipc: store_value(i.rd, p.pc + static_cast<uint64_t>(i.imm)); return;
    case k_jal: {
        store_value(i.rd, p.pc + i.len);
        Exit& e = exit_to(p.pc + static_cast<uint64_t>(i.imm), p.before + i.step);
        a_.jmp(e.label);
        return;
    }
    case k_jalr: emit_jalr(p); return;
    case k_beq: case k_bne: case k_blt: case k_bge: case k_bltu: case k_bgeu: emit_branch(p); return;
    case k_lb: case k_lh: case k_lw: case k_ld: case k_lbu: case k_lhu: case k_lwu:
    case k_sb: case k_sh: case k_sw: case k_sd: emit_mem(p); return;
    case k_addi: case k_slti: case k_sltiu: case k_xori: case k_ori: case k_andi:
    case k_slli: case k_srli: case k_srai: emit_alu_imm(p); return;
    case k_add: case k_sub: case k_sll: case k_slt: case k_sltu: case k_xor_: case k_srl: case k_sra:
    case k_or_: case k_and_: emit_alu(p); return;
    case k_addiw: case k_slliw: case k_srliw: case k_sraiw: case k_addw: case k_subw: case k_sllw:
    case k_srlw: case k_sraw: emit_w(p); return;
    default: emit_mul_div(p); return;
    }
}

namespace {
Alu alu_of(uint16_t op) {
    switch (op) {
    case k_addi: case k_add: case k_addiw: case k_addw: return ADD;
    case k_sub: case k_subw: return SUB;
    case k_xori: case k_xor_: return XOR;
    case k_ori: case k_or_: return OR;
    default: return AND;
    }
}
Shift shift_of(uint16_t op) {
    switch (op) {
    case k_slli: case k_sll: case k_slliw: case k_sllw: return SHL;
    case k_srli: case k_srl: case k_srliw: case k_srlw: return SHR;
    default: return SAR;
    }
}
} // namespace

void BlockEmitter::emit_alu_imm(const Planned& p) {
    const Insn& i = *p.slot;
    const auto imm = static_cast<int32_t>(i.imm);   // 12 bits, or a shift amount
    if (p.op == k_slti || p.op == k_sltiu) {
        a_.mov(RAX, G(i.rs1));
        a_.alu(CMP, RAX, imm);
        a_.setcc(p.op == k_slti ? L : B, RAX);
        a_.movzx8(RAX, RAX);
        put(i.rd, RAX);
        return;
    }
    // A host-register destination is computed in place.
    const Reg d = cache_of_[i.rd] >= 0 ? kCache[cache_of_[i.rd]] : RAX;
    if (d == RAX || i.rd != i.rs1) a_.mov(d, G(i.rs1));
    if (p.op == k_slli || p.op == k_srli || p.op == k_srai) a_.shift(shift_of(p.op), d, static_cast<uint8_t>(imm));
    else a_.alu(alu_of(p.op), d, imm);
    if (d == RAX) put(i.rd, RAX);
}

void BlockEmitter::emit_alu(const Planned& p) {
    const Insn& i = *p.slot;
    if (p.op == k_slt || p.op == k_sltu) {
        a_.mov(RAX, G(i.rs1));
        a_.alu(CMP, RAX, G(i.rs2));
        a_.setcc(p.op == k_slt ? L : B, RAX);
        a_.movzx8(RAX, RAX);
        put(i.rd, RAX);
        return;
    }
    const bool shift = p.op == k_sll || p.op == k_srl || p.op == k_sra;
    // In place in rd's host register, unless writing it first would
    // clobber rs2 before it is read (a shift reads rs2 first).
    const bool in_place = cache_of_[i.rd] >= 0 && (shift || i.rd != i.rs2 || i.rd == i.rs1);
    const Reg d = in_place ? kCache[cache_of_[i.rd]] : RAX;
    if (shift) {   // the count in cl (x86 masks it to 63, as RISC-V does)
        a_.mov(R9, RCX);
        a_.mov(RCX, G(i.rs2), 4);
        if (d == RAX || i.rd != i.rs1) a_.mov(d, G(i.rs1));
        a_.shift_cl(shift_of(p.op), d);
        a_.mov(RCX, R9);
    } else {
        if (d == RAX || i.rd != i.rs1) a_.mov(d, G(i.rs1));
        a_.alu(alu_of(p.op), d, G(i.rs2));
    }
    if (d == RAX) put(i.rd, RAX);
}

// The W forms: 32-bit operations (x86 masks 32-bit shift counts to 31, as
// RISC-V does), the result sign-extended.
void BlockEmitter::emit_w(const Planned& p) {
    const Insn& i = *p.slot;
    a_.mov(RAX, G(i.rs1), 4);
    switch (p.op) {
    case k_addiw: a_.alu(ADD, RAX, static_cast<int32_t>(i.imm), 4); break;
    case k_slliw: case k_srliw: case k_sraiw:
        a_.shift(shift_of(p.op), RAX, static_cast<uint8_t>(i.imm), 4);
        break;
    case k_sllw: case k_srlw: case k_sraw:
        a_.mov(R9, RCX);
        a_.mov(RCX, G(i.rs2), 4);
        a_.shift_cl(shift_of(p.op), RAX, 4);
        a_.mov(RCX, R9);
        break;
    default: a_.alu(alu_of(p.op), RAX, G(i.rs2), 4); break;
    }
    a_.movsxd(RAX, RAX);
    put(i.rd, RAX);
}

void BlockEmitter::emit_mul_div(const Planned& p) {
    const Insn& i = *p.slot;
    switch (p.op) {
    case k_mul:
        a_.mov(RAX, G(i.rs1));
        a_.imul(RAX, G(i.rs2));
        put(i.rd, RAX);
        return;
    case k_mulw:
        a_.mov(RAX, G(i.rs1), 4);
        a_.imul(RAX, G(i.rs2), 4);
        a_.movsxd(RAX, RAX);
        put(i.rd, RAX);
        return;
    case k_mulh: case k_mulhu:
        a_.mov(RAX, G(i.rs1));
        a_.mul(G(i.rs2), p.op == k_mulh);
        put(i.rd, RDX);
        return;
    case k_mulhsu:   // the unsigned high half, less rs2 when rs1 is negative
        a_.mov(RAX, G(i.rs1));
        a_.mul(G(i.rs2), false);
        a_.mov(RAX, G(i.rs1));
        a_.shift(SAR, RAX, 63);
        a_.alu(AND, RAX, G(i.rs2));
        a_.alu(SUB, RDX, RAX);
        put(i.rd, RDX);
        return;
    case k_div: emit_div(p, true, false, 8); return;
    case k_divu: emit_div(p, false, false, 8); return;
    case k_rem: emit_div(p, true, true, 8); return;
    case k_remu: emit_div(p, false, true, 8); return;
    case k_divw: emit_div(p, true, false, 4); return;
    case k_divuw: emit_div(p, false, false, 4); return;
    case k_remw: emit_div(p, true, true, 4); return;
    case k_remuw: emit_div(p, false, true, 4); return;
    default: return;   // plan() admits no other id
    }
}

// RISC-V division never traps: by zero gives all ones (the quotient) or the
// dividend (the remainder); the overflowing signed case (MIN / -1) gives
// MIN and 0. x86 would fault on both, so they are branched around.
void BlockEmitter::emit_div(const Planned& p, bool is_signed, bool rem, unsigned w) {
    const Insn& i = *p.slot;
    Asm::Label zero, minus1, store;
    a_.mov(RAX, G(i.rs1), w);
    a_.mov(R8, G(i.rs2), w);
    a_.test(R8, R8, w);
    a_.jcc(E, zero);
    if (is_signed) {
        a_.alu(CMP, R8, -1, w);
        a_.jcc(E, minus1);
    }
    if (is_signed) w == 8 ? a_.cqo() : a_.cdq();
    else a_.alu(XOR, RDX, RDX, 4);
    a_.div(R8, is_signed, w);
    if (rem) a_.mov(RAX, RDX);
    a_.jmp(store);
    a_.bind(zero);   // the quotient is all ones, the remainder the dividend
    if (!rem) a_.mov_imm(RAX, ~0ull);
    a_.jmp(store);
    if (is_signed) {
        a_.bind(minus1);   // x / -1 = -x (MIN stays MIN), x % -1 = 0
        if (rem) a_.alu(XOR, RAX, RAX, 4);
        else a_.neg(RAX, w);
    }
    a_.bind(store);
    if (w == 4) a_.movsxd(RAX, RAX);
    put(i.rd, RAX);
}

void BlockEmitter::emit_branch(const Planned& p) {
    const Insn& i = *p.slot;
    Cond taken = E;
    switch (p.op) {
    case k_beq: taken = E; break;
    case k_bne: taken = NE; break;
    case k_blt: taken = L; break;
    case k_bge: taken = GE; break;
    case k_bltu: taken = B; break;
    default: taken = AE; break;
    }
    // A branch to the next instruction goes there either way and, as in
    // the interpreter (which cannot tell), pays no redirect.
    if (static_cast<uint64_t>(i.imm) == i.len) return;
    a_.mov(RAX, G(i.rs1));
    a_.alu(CMP, RAX, G(i.rs2));
    Exit& e = exit_to(p.pc + static_cast<uint64_t>(i.imm), p.before + i.step + h_.redirect_step());
    a_.jcc(taken, e.label);
}

// As go_at with a computed target: off the page (or out of budget) the
// chain stops, else the target's slot runs.
void BlockEmitter::emit_jalr(const Planned& p) {
    const Insn& i = *p.slot;
    a_.mov(RDX, G(i.rs1));
    if (i.imm) a_.alu(ADD, RDX, static_cast<int32_t>(i.imm));
    a_.alu(AND, RDX, -2);
    store_value(i.rd, p.pc + i.len);   // after reading rs1: rd may be rs1
    emit_leave();
    emit_charge(p.before + i.step);
    Asm::Label stop;
    a_.jcc(S, stop);
    a_.mov(RSI, RDX);
    a_.shift(SHR, RSI, 12);
    a_.mov_imm(R8, vpage_ >> 12);
    a_.alu(CMP, RSI, R8);
    a_.jcc(NE, stop);
    a_.mov(RSI, RDX);
    a_.alu(AND, RSI, 0xffe, 4);
    a_.shift(SHL, RSI, 4, 4);   // 32-byte slots, one per 2 bytes
    static_assert(sizeof(Insn) == 32);
    a_.mov_imm(R8, reinterpret_cast<uintptr_t>(&page_.slots[0]));
    a_.alu(ADD, RSI, R8);
    a_.jmp(Mem{RSI, 0});
    a_.bind(stop);
    a_.mov(Mem{RDI, c_.chain_left_off_}, RCX);
    a_.mov(RAX, RDX);
    a_.ret();
}

// The software TLB's hit path, as Hart::load_fast/store_fast: the entry of
// the access's first byte must hold the page of its last byte (so an access
// crossing a page misses) in the current data context.
void BlockEmitter::emit_mem(const Planned& p) {
    const Insn& i = *p.slot;
    unsigned size = 8;
    bool store = false, sign = true;
    switch (p.op) {
    case k_lb: size = 1; break;
    case k_lh: size = 2; break;
    case k_lw: size = 4; break;
    case k_ld: size = 8; break;
    case k_lbu: size = 1, sign = false; break;
    case k_lhu: size = 2, sign = false; break;
    case k_lwu: size = 4, sign = false; break;
    case k_sb: size = 1, store = true; break;
    case k_sh: size = 2, store = true; break;
    case k_sw: size = 4, store = true; break;
    default: size = 8, store = true; break;
    }
    Slow& slow = slow_at(p);
    const int32_t tlb = store ? c_.tlb_w_off_ : c_.tlb_r_off_;
    if (cache_of_[i.rs1] >= 0) {
        a_.lea(RAX, Mem{kCache[cache_of_[i.rs1]], static_cast<int32_t>(i.imm)});
    } else {
        a_.mov(RAX, G(i.rs1));
        if (i.imm) a_.alu(ADD, RAX, static_cast<int32_t>(i.imm));
    }
    a_.mov(R8, RAX);
    a_.shift(SHR, R8, 12);
    a_.movzx8(R8, R8);
    static_assert(Hart::kTlbSize == 256, "the index is one byte");
    a_.imul_imm(R8, R8, static_cast<int8_t>(sizeof(TlbEntry)));
    a_.alu(ADD, R8, RDI);
    if (size > 1) a_.lea(R9, Mem{RAX, static_cast<int32_t>(size - 1)});
    else a_.mov(R9, RAX);
    a_.shift(SHR, R9, 12);
    a_.alu(CMP, R9, Mem{R8, tlb + static_cast<int32_t>(offsetof(TlbEntry, vpn))});
    a_.jcc(NE, slow.label);
    a_.mov(R9, Mem{RDI, c_.data_ctx_off_});
    a_.alu(CMP, R9, Mem{R8, tlb + static_cast<int32_t>(offsetof(TlbEntry, ctx))});
    a_.jcc(NE, slow.label);
    a_.alu(ADD, RAX, Mem{R8, tlb + static_cast<int32_t>(offsetof(TlbEntry, addend))});
    if (store) {
        Reg v = R9;
        if (cache_of_[i.rs2] >= 0) v = kCache[cache_of_[i.rs2]];
        else a_.mov(R9, G(i.rs2));
        a_.mov(Mem{RAX, 0}, v, size);
        return;
    }
    // Straight into rd's host register, if it has one.
    const Reg d = cache_of_[i.rd] >= 0 ? kCache[cache_of_[i.rd]] : R9;
    if (size == 8) a_.mov(d, Mem{RAX, 0});
    else if (sign) a_.movsx(d, Mem{RAX, 0}, size);
    else a_.movzx(d, Mem{RAX, 0}, size);
    if (d == R9) put(i.rd, R9);
}

ExecFn BlockCompiler::compile(DecodedPage& page, Insn& head, uint64_t pc) {
    if (!usable_ || !jit_translates(head)) return nullptr;
    BlockEmitter e(*this, page, pc);
    return e.compile(head);
}

} // namespace hvemu::rv
