// The disassembler: an instruction is printed by its table entry's format
// and register classes, from the operand fields decode() extracted (for a
// compressed encoding, the fields of the instruction it expands to). The
// alias printer then picks the pseudo-instruction llvm-objdump would show.
#include "isa/riscv/disasm.hpp"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "isa/riscv/csr_names.hpp"
#include "isa/riscv/encoding.hpp"

namespace hvemu::rv {

namespace {

constexpr const char* kGpr[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
    "a6",   "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
constexpr const char* kFpr[32] = {
    "ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",  "fs0",  "fs1",  "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",  "fs8",  "fs9",  "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};
// Rounding modes 5 and 6 are reserved: an encoding using them is illegal.
constexpr const char* kRm[8] = {"rne", "rtz", "rdn", "rup", "rmm", nullptr, nullptr, "dyn"};

// `unimp` is csrrw zero, cycle, zero (a write to a read-only CSR, so it
// always traps); assemblers and objdump call it by that name.
constexpr uint32_t kUnimp = 0xc0001073;

// The operands of one instruction as printed.
struct Ops {
    const InsnDesc* d;
    uint32_t raw;
    uint64_t pc;
    unsigned rd, rs1, rs2, rs3;
    int64_t imm;
};

// "mnemonic op1, op2, ...".
class Text {
public:
    explicit Text(std::string_view mnemonic) : s_(mnemonic) {}
    Text& op(std::string_view v) {
        s_ += first_ ? " " : ", ";
        first_ = false;
        s_ += v;
        return *this;
    }
    Text& num(int64_t v) { return op(std::to_string(v)); }
    operator std::string() const { return s_; }

private:
    std::string s_;
    bool first_ = true;
};

// Register `n` in operand slot `slot` (0 rd, 1 rs1, 2 rs2, 3 rs3), named by
// the register file the table gives that slot.
const char* reg(const Ops& o, unsigned slot, unsigned n) { return o.d->regs[slot] == 'f' ? kFpr[n] : kGpr[n]; }
const char* rd(const Ops& o) { return reg(o, 0, o.rd); }
const char* rs1(const Ops& o) { return reg(o, 1, o.rs1); }
const char* rs2(const Ops& o) { return reg(o, 2, o.rs2); }
const char* rs3(const Ops& o) { return reg(o, 3, o.rs3); }

std::string mem(int64_t offset, unsigned base) { return fmt::format("{}({})", offset, kGpr[base]); }
std::string target(const Ops& o) { return fmt::format("{:#x}", o.pc + static_cast<uint64_t>(o.imm)); }
std::string upper(int64_t imm) { return std::to_string((static_cast<uint64_t>(imm) >> 12) & 0xfffff); }
uint16_t csr_of(const Ops& o) { return static_cast<uint16_t>(o.imm & 0xfff); }

std::string csr_text(uint16_t number) {
    const char* name = csr_name(number);
    return name ? std::string(name) : std::to_string(number);
}

std::string fence_set(unsigned bits) {
    if (bits == 0) return "0";
    std::string s;
    if (bits & 8) s += 'i';
    if (bits & 4) s += 'o';
    if (bits & 2) s += 'r';
    if (bits & 1) s += 'w';
    return s;
}

std::string unknown(uint32_t raw) { return fmt::format("unknown {:#010x}", raw); }

// fcvt.d.s, fcvt.d.w and fcvt.d.wu are exact, so their rm field changes
// nothing; assemblers encode rne and objdump then prints no rounding mode.
bool exact_conversion(std::string_view name) {
    return name == "fcvt.d.s" || name == "fcvt.d.w" || name == "fcvt.d.wu";
}

// Append the rounding mode of an R4/R_RM/R1_RM encoding; false when it is
// one of the reserved values.
bool add_rm(Text& t, const Ops& o, bool omit_dyn) {
    const unsigned rm = (o.raw >> 12) & 7;
    if (!kRm[rm]) return false;
    if ((omit_dyn && rm == rm::DYN) || (exact_conversion(o.d->name) && rm == rm::RNE)) return true;
    t.op(kRm[rm]);
    return true;
}

// One mnemonic per encoding (llvm-objdump -M no-aliases). omit_dyn leaves
// out a dynamic rounding mode (the alias printer's choice).
std::string plain(const Ops& o, bool omit_dyn = false) {
    const InsnDesc& d = *o.d;
    Text t(d.name);
    switch (d.fmt) {
    case Fmt::R: return t.op(rd(o)).op(rs1(o)).op(rs2(o));
    case Fmt::R4:
        t.op(rd(o)).op(rs1(o)).op(rs2(o)).op(rs3(o));
        return add_rm(t, o, omit_dyn) ? std::string(t) : unknown(o.raw);
    case Fmt::R_RM:
        t.op(rd(o)).op(rs1(o)).op(rs2(o));
        return add_rm(t, o, omit_dyn) ? std::string(t) : unknown(o.raw);
    case Fmt::R1_RM:
        t.op(rd(o)).op(rs1(o));
        return add_rm(t, o, omit_dyn) ? std::string(t) : unknown(o.raw);
    case Fmt::R1:  // hlv.* and hlvx.* address memory through rs1
        return d.cls == Cls::Load ? t.op(rd(o)).op(fmt::format("({})", rs1(o))) : t.op(rd(o)).op(rs1(o));
    case Fmt::R2:  // hsv.* store rs2 at (rs1); the fences take rs1, rs2
        return d.cls == Cls::Store ? t.op(rs2(o)).op(fmt::format("({})", rs1(o))) : t.op(rs1(o)).op(rs2(o));
    case Fmt::I:
        if (d.cls == Cls::Jump) return t.op(rd(o)).op(mem(o.imm, o.rs1));  // jalr
        return t.op(rd(o)).op(rs1(o)).num(o.imm);
    case Fmt::I_SH: return t.op(rd(o)).op(rs1(o)).num(o.imm);
    case Fmt::LOAD: return t.op(rd(o)).op(mem(o.imm, o.rs1));
    case Fmt::STORE: return t.op(rs2(o)).op(mem(o.imm, o.rs1));
    case Fmt::B: return t.op(rs1(o)).op(rs2(o)).op(target(o));
    case Fmt::U: return t.op(rd(o)).op(upper(o.imm));
    case Fmt::J: return t.op(rd(o)).op(target(o));
    case Fmt::CSR: return t.op(rd(o)).op(csr_text(csr_of(o))).op(rs1(o));
    case Fmt::CSRI: return t.op(rd(o)).op(csr_text(csr_of(o))).num(o.rs1);
    case Fmt::AMO:
    case Fmt::LR: {
        static constexpr const char* kOrdering[4] = {"", ".rl", ".aq", ".aqrl"};
        Text a(std::string(d.name) + kOrdering[(o.raw >> 25) & 3]);
        a.op(rd(o));
        if (d.fmt == Fmt::AMO) a.op(rs2(o));
        return a.op(fmt::format("({})", rs1(o)));
    }
    case Fmt::FENCE: {
        const unsigned fm = o.raw >> 28, pred = (o.raw >> 24) & 15, succ = (o.raw >> 20) & 15;
        if (fm == 8 && pred == 3 && succ == 3) return "fence.tso";
        return t.op(fence_set(pred)).op(fence_set(succ));
    }
    case Fmt::NONE: return t;
    // Compressed: the operands the assembler syntax shows, taken from the
    // expanded fields.
    case Fmt::CR_MV:
    case Fmt::CR_ADD: return t.op(rd(o)).op(rs2(o));
    case Fmt::CR_JR:
    case Fmt::CR_JALR: return t.op(rs1(o));
    case Fmt::CR_EBREAK: return t;
    case Fmt::C_NOP: return o.imm ? t.num(o.imm) : t;
    case Fmt::CI:
    case Fmt::CI_LI:
    case Fmt::CB_ANDI: return t.op(rd(o)).num(o.imm);
    case Fmt::CI_LUI: return t.op(rd(o)).op(upper(o.imm));
    case Fmt::CI_ADDI16SP: return t.op(rd(o)).num(o.imm);
    case Fmt::CI_SLLI:
    case Fmt::CB_SH:  // a shift by 0 is the RV128 hint c.slli64 (c.srli64, c.srai64)
        if (o.imm == 0) return Text(std::string(d.name) + "64").op(rd(o));
        return t.op(rd(o)).num(o.imm);
    case Fmt::CI_LWSP:
    case Fmt::CI_LDSP:
    case Fmt::CI_FLDSP:
    case Fmt::CL_W:
    case Fmt::CL_D: return t.op(rd(o)).op(mem(o.imm, o.rs1));
    case Fmt::CSS_SWSP:
    case Fmt::CSS_SDSP:
    case Fmt::CSS_FSDSP:
    case Fmt::CS_W:
    case Fmt::CS_D: return t.op(rs2(o)).op(mem(o.imm, o.rs1));
    case Fmt::CIW: return t.op(rd(o)).op(rs1(o)).num(o.imm);
    case Fmt::CA: return t.op(rd(o)).op(rs2(o));
    case Fmt::CB_BR: return t.op(rs1(o)).op(target(o));
    case Fmt::CJ: return t.op(target(o));
    }
    return unknown(o.raw);
}

// The pseudo-instruction llvm-objdump prints for a 32-bit encoding, or its
// plain form when there is none.
std::string aliased(const Ops& o) {
    const std::string_view n = o.d->name;
    const char* const* x = kGpr;
    if (n == "addi") {
        if (o.rd == 0 && o.rs1 == 0 && o.imm == 0) return "nop";
        if (o.rs1 == 0) return Text("li").op(x[o.rd]).num(o.imm);
        if (o.imm == 0) return Text("mv").op(x[o.rd]).op(x[o.rs1]);
    } else if (n == "addiw" && o.imm == 0) {
        return Text("sext.w").op(x[o.rd]).op(x[o.rs1]);
    } else if (n == "xori" && o.imm == -1) {
        return Text("not").op(x[o.rd]).op(x[o.rs1]);
    } else if ((n == "sub" || n == "subw") && o.rs1 == 0) {
        return Text(n == "sub" ? "neg" : "negw").op(x[o.rd]).op(x[o.rs2]);
    } else if (n == "sltiu" && o.imm == 1) {
        return Text("seqz").op(x[o.rd]).op(x[o.rs1]);
    } else if (n == "sltu" && o.rs1 == 0) {
        return Text("snez").op(x[o.rd]).op(x[o.rs2]);
    } else if (n == "slt" && (o.rs1 == 0 || o.rs2 == 0)) {
        if (o.rs2 == 0) return Text("sltz").op(x[o.rd]).op(x[o.rs1]);
        return Text("sgtz").op(x[o.rd]).op(x[o.rs2]);
    } else if ((n == "beq" || n == "bne") && o.rs2 == 0) {
        return Text(n == "beq" ? "beqz" : "bnez").op(x[o.rs1]).op(target(o));
    } else if (n == "bge" && (o.rs1 == 0 || o.rs2 == 0)) {
        if (o.rs1 == 0) return Text("blez").op(x[o.rs2]).op(target(o));
        return Text("bgez").op(x[o.rs1]).op(target(o));
    } else if (n == "blt" && (o.rs1 == 0 || o.rs2 == 0)) {
        if (o.rs2 == 0) return Text("bltz").op(x[o.rs1]).op(target(o));
        return Text("bgtz").op(x[o.rs2]).op(target(o));
    } else if (n == "jal" && o.rd <= 1) {
        return Text(o.rd == 0 ? "j" : "jal").op(target(o));
    } else if (n == "jalr") {
        const std::string base = o.imm ? mem(o.imm, o.rs1) : x[o.rs1];
        if (o.rd == 0) return o.rs1 == 1 && o.imm == 0 ? std::string("ret") : std::string(Text("jr").op(base));
        if (o.rd == 1) return Text("jalr").op(base);
        if (o.imm == 0) return Text("jalr").op(x[o.rd]).op(x[o.rs1]);
    } else if (n == "fence" && o.raw >> 28 == 0 && ((o.raw >> 20) & 0xff) == 0xff) {
        return "fence";
    } else if (o.d->fmt == Fmt::CSR || o.d->fmt == Fmt::CSRI) {
        const uint16_t c = csr_of(o);
        const bool fp = c == csr::fflags || c == csr::frm || c == csr::fcsr;
        const char* fp_suffix = c == csr::fflags ? "flags" : c == csr::frm ? "rm" : "csr";
        const std::string name = csr_text(c);
        if (n == "csrrs" && o.rs1 == 0) {
            if (c == csr::cycle || c == csr::time || c == csr::instret) return Text("rd" + name).op(x[o.rd]);
            if (fp) return Text(std::string("fr") + fp_suffix).op(x[o.rd]);
            return Text("csrr").op(x[o.rd]).op(name);
        }
        if (n == "csrrw" && fp) {
            Text t(std::string("fs") + fp_suffix);
            if (o.rd != 0) t.op(x[o.rd]);
            return t.op(x[o.rs1]);
        }
        if (n == "csrrwi" && (c == csr::fflags || c == csr::frm)) {
            Text t(std::string("fs") + fp_suffix + "i");
            if (o.rd != 0) t.op(x[o.rd]);
            return t.num(o.rs1);
        }
        if (o.rd == 0) {
            Text t(n == "csrrw" ? "csrw" : n == "csrrs" ? "csrs" : n == "csrrc" ? "csrc"
                 : n == "csrrwi" ? "csrwi" : n == "csrrsi" ? "csrsi" : "csrci");
            t.op(name);
            return o.d->fmt == Fmt::CSR ? t.op(x[o.rs1]) : t.num(o.rs1);
        }
    } else if (n == "sfence.vma" || n == "hfence.vvma" || n == "hfence.gvma") {
        if (o.rs2 == 0) return o.rs1 == 0 ? Text(n) : Text(n).op(x[o.rs1]);
    } else if (n.starts_with("fsgnj") && o.rs1 == o.rs2) {
        // fsgnj.s -> fmv.s, fsgnjn.s -> fneg.s, fsgnjx.s -> fabs.s
        const std::string_view op = n.substr(5, n.size() - 7);
        const char* alias = op.empty() ? "fmv" : op == "n" ? "fneg" : "fabs";
        return Text(std::string(alias) + std::string(n.substr(n.size() - 2))).op(kFpr[o.rd]).op(kFpr[o.rs1]);
    }
    return plain(o, /*omit_dyn=*/true);
}

// The instruction each compressed encoding expands to: the base column of
// insn_rvc.def. Its ids spell the mnemonic with '_' for '.' and a trailing
// '_' where the mnemonic is a C++ keyword (xor_, or_, and_).
struct Expansion {
    std::string_view compressed;
    std::string_view base_id;
};
#define RVC_INSN(id, name, match, mask, fmt, regs, cls, base) {name, #base},
constexpr Expansion kExpansions[] = {
#include "isa/riscv/insn_rvc.def"
};
#undef RVC_INSN

std::string mnemonic_of_id(std::string_view id) {
    std::string m(id);
    if (!m.empty() && m.back() == '_') m.pop_back();
    for (char& c : m)
        if (c == '_') c = '.';
    return m;
}

// For each compressed table entry, the index of the 32-bit entry it expands
// to; -1 for the others.
const std::vector<int>& base_entries() {
    static const std::vector<int> bases = [] {
        const InsnDesc* t = insn_table();
        std::vector<int> v(insn_table_size(), -1);
        for (unsigned i = 0; i < v.size(); ++i) {
            if (t[i].len != 2) continue;
            for (const Expansion& e : kExpansions) {
                if (e.compressed != t[i].name) continue;
                const std::string base = mnemonic_of_id(e.base_id);
                for (unsigned j = 0; j < v.size() && v[i] < 0; ++j)
                    if (t[j].len == 4 && base == t[j].name) v[i] = static_cast<int>(j);
            }
        }
        return v;
    }();
    return bases;
}

// Compressed hints that llvm-objdump keeps compressed even with aliases:
// those writing x0, shifts by 0 and c.nop with an immediate.
bool hint(const Ops& o) {
    const Fmt f = o.d->fmt;
    if (o.d->regs[0] == 'x' && o.rd == 0) return true;
    if ((f == Fmt::CI_SLLI || f == Fmt::CB_SH) && o.imm == 0) return true;
    return f == Fmt::C_NOP && o.imm != 0;
}

std::string compressed_aliased(const Ops& o, uint16_t id) {
    if (hint(o)) return plain(o);
    if (o.d->fmt == Fmt::CR_MV) return Text("mv").op(kGpr[o.rd]).op(kGpr[o.rs2]);
    const int base = base_entries()[id];
    if (base < 0) return plain(o);
    Ops b = o;
    b.d = &insn_table()[base];
    return aliased(b);
}

} // namespace

const char* gpr_name(unsigned n) { return n < 32 ? kGpr[n] : "?"; }
const char* fpr_name(unsigned n) { return n < 32 ? kFpr[n] : "?"; }

std::string disassemble(const Insn& insn, uint64_t pc, const DisasmOptions& opt) {
    const bool wide = (insn.raw & 3) == 3;
    const uint32_t raw = wide ? insn.raw : insn.raw & 0xffff;
    if (!wide && raw == 0) return opt.aliases ? "unimp" : "c.unimp";  // the all-zero parcel: defined illegal
    if (raw == kUnimp) return "unimp";
    if (insn.id == kInvalidId || insn.id >= insn_table_size()) return unknown(raw);
    Ops o{&insn_table()[insn.id], raw, pc, insn.rd == kSinkReg ? 0u : insn.rd, insn.rs1, insn.rs2, insn.rs3, insn.imm};
    if (o.rd >= 32 || o.rs1 >= 32 || o.rs2 >= 32 || o.rs3 >= 32) return unknown(raw);
    if (!opt.aliases) return plain(o);
    return o.d->len == 2 ? compressed_aliased(o, insn.id) : aliased(o);
}

std::string disassemble(uint32_t raw, uint64_t pc, const DisasmOptions& opt) {
    if ((raw & 3) != 3) raw &= 0xffff;
    return disassemble(decode(raw), pc, opt);
}

} // namespace hvemu::rv
