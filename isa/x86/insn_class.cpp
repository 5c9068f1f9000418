// The timing class of each instruction-table line (by its handler id, so
// one line of the tables is one class), and what a decoded instruction
// costs under the core's profile. Memory operands decide between ALU and
// load/store: a form whose first operand is E (r/m) writes it, a form that
// only reads r/m loads, a read-modify-write pays both.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <string_view>

#include "isa/x86/core.hpp"
#include "isa/x86/insn.hpp"

namespace hvemu::x86 {

namespace {

// How a table line uses memory and the pipeline.
enum class Kind : uint8_t {
    Alu,       // register work; with a memory r/m operand: a load (or RMW when it writes E)
    Mul, Div,
    Load,      // always reads memory (POP, LODS, moffs loads, SSE loads, LEAVE, ...)
    Store,     // always writes memory (PUSH, STOS, moffs stores, SSE stores, ...)
    Move,      // MOV-like: E destination = store, E source = load, no ALU work
    Branch,    // a conditional or unconditional branch, call or return
    System,    // CR/DR/MSR/CPUID/TSC/port I/O/descriptor tables/VMX/...
    Fence,     // LFENCE/MFENCE/SFENCE, serializing flushes
    Fp,        // SSE/x87 work
    FpDiv,     // x87 division, square root, remainder and transcendentals; SSE divide and square root
    Atomic,    // XCHG with memory, CMPXCHG/XADD
};

// Table lines by id; anything not named is Alu.
struct Rule {
    std::string_view id;
    Kind kind;
};
constexpr Rule kRules[] = {
    {"mul", Kind::Mul}, {"imul1", Kind::Mul}, {"imul_gv_ev", Kind::Mul}, {"imul_gv_ev_i", Kind::Mul},
    {"div", Kind::Div}, {"idiv", Kind::Div},
    {"jcc", Kind::Branch}, {"jcxz", Kind::Branch}, {"jmp_rel", Kind::Branch}, {"jmp_ev", Kind::Branch},
    {"call_rel", Kind::Branch}, {"call_ev", Kind::Branch}, {"ret", Kind::Branch}, {"ret_iw", Kind::Branch},
    {"loop", Kind::Branch}, {"loope", Kind::Branch}, {"loopne", Kind::Branch},
    {"jmp_far_ap", Kind::System}, {"jmp_far_m", Kind::System}, {"call_far_ap", Kind::System},
    {"call_far_m", Kind::System}, {"ret_far", Kind::System}, {"ret_far_iw", Kind::System},
    {"fence", Kind::Fence}, {"wbinvd", Kind::Fence}, {"invd", Kind::Fence},
    {"cpuid", Kind::System}, {"rdmsr", Kind::System}, {"wrmsr", Kind::System}, {"rdtsc", Kind::System},
    {"rdtscp", Kind::System}, {"mov_r_cr", Kind::System}, {"mov_cr_r", Kind::System}, {"mov_r_dr", Kind::System},
    {"mov_dr_r", Kind::System}, {"clts", Kind::System}, {"lmsw", Kind::System}, {"smsw", Kind::System},
    {"in_al_ib", Kind::System}, {"in_ax_ib", Kind::System}, {"out_ib_al", Kind::System},
    {"out_ib_ax", Kind::System}, {"in_al_dx", Kind::System}, {"in_ax_dx", Kind::System},
    {"out_dx_al", Kind::System}, {"out_dx_ax", Kind::System}, {"insb", Kind::System}, {"insw", Kind::System},
    {"outsb", Kind::System}, {"outsw", Kind::System}, {"hlt", Kind::System}, {"cli", Kind::System},
    {"sti", Kind::System}, {"int1", Kind::System}, {"int3", Kind::System}, {"int_ib", Kind::System},
    {"into", Kind::System}, {"iret", Kind::System}, {"sldt", Kind::System}, {"str", Kind::System},
    {"lldt", Kind::System}, {"ltr", Kind::System}, {"sgdt", Kind::System}, {"sidt", Kind::System},
    {"lgdt", Kind::System}, {"lidt", Kind::System}, {"invlpg", Kind::System}, {"clac", Kind::System},
    {"stac", Kind::System}, {"xgetbv", Kind::System}, {"xsetbv", Kind::System}, {"swapgs", Kind::System},
    {"syscall", Kind::System}, {"sysret", Kind::System}, {"mov_sreg_ew", Kind::System}, {"pop_ss", Kind::System},
    {"pop_ds", Kind::System}, {"pop_es", Kind::System}, {"pop_fs", Kind::System}, {"pop_gs", Kind::System},
    {"lds", Kind::System}, {"les", Kind::System}, {"lfs", Kind::System}, {"lgs", Kind::System},
    {"lss", Kind::System}, {"popf", Kind::System}, {"ud2", Kind::System},
    {"vmcall", Kind::System}, {"vmlaunch", Kind::System}, {"vmresume", Kind::System}, {"vmxoff", Kind::System},
    {"vmfunc", Kind::System}, {"vmptrld", Kind::System}, {"vmptrst", Kind::System}, {"vmclear", Kind::System},
    {"vmxon", Kind::System}, {"vmread", Kind::System}, {"vmwrite", Kind::System}, {"invept", Kind::System},
    {"invvpid", Kind::System}, {"xsave", Kind::System}, {"xrstor", Kind::System},
    {"fxsave", Kind::Fp}, {"fxrstor", Kind::Fp}, {"ldmxcsr", Kind::Fp}, {"stmxcsr", Kind::Fp},
    {"pxor", Kind::Fp}, {"xorps", Kind::Fp},
    {"pcmpeqb", Kind::Fp}, {"pmovmskb", Kind::Fp},
    {"pmullw", Kind::Mul}, {"pmulhw", Kind::Mul}, {"pmulhuw", Kind::Mul}, {"pmuludq", Kind::Mul},
    {"pmaddwd", Kind::Mul}, {"psadbw", Kind::Mul}, {"maskmovdqu", Kind::Store}, {"clflush", Kind::Fence},
    {"xchg_eb_gb", Kind::Atomic}, {"xchg_ev_gv", Kind::Atomic}, {"cmpxchg", Kind::Atomic},
    {"cmpxchg8b", Kind::Atomic}, {"xadd", Kind::Atomic},
    {"push_r", Kind::Store}, {"push_i", Kind::Store}, {"push_ev", Kind::Store}, {"push_es", Kind::Store},
    {"push_cs", Kind::Store}, {"push_ss", Kind::Store}, {"push_ds", Kind::Store}, {"push_fs", Kind::Store},
    {"push_gs", Kind::Store}, {"pusha", Kind::Store}, {"pushf", Kind::Store}, {"stos", Kind::Store},
    {"movs", Kind::Store}, {"enter", Kind::Store}, {"mov_moffs_al", Kind::Store}, {"mov_moffs_ax", Kind::Store},
    {"movnti", Kind::Store}, {"movntdq", Kind::Store}, {"movntps", Kind::Store},
    {"pop_r", Kind::Load}, {"pop_ev", Kind::Load}, {"popa", Kind::Load}, {"lods", Kind::Load},
    {"scas", Kind::Load}, {"cmps", Kind::Load}, {"leave", Kind::Load}, {"xlat", Kind::Load},
    {"mov_al_moffs", Kind::Load}, {"mov_ax_moffs", Kind::Load},
    {"mov_eb_gb", Kind::Move}, {"mov_ev_gv", Kind::Move}, {"mov_eb_ib", Kind::Move}, {"mov_ev_iz", Kind::Move},
    {"mov_gb_eb", Kind::Move}, {"mov_gv_ev", Kind::Move}, {"mov_ev_sreg", Kind::Move}, {"movzx_b", Kind::Move},
    {"movzx_w", Kind::Move}, {"movsx_b", Kind::Move}, {"movsx_w", Kind::Move}, {"movsxd", Kind::Move},
    {"cmovcc", Kind::Move}, {"setcc", Kind::Move}, {"lea", Kind::Alu}, {"nop_ev", Kind::Alu},
};

// SSE floating-point lines (insn_sse_arith.def): CVT*, and a stem with a
// PS/PD/SS/SD suffix. Packed integer lines are ALU work (the default).
constexpr std::string_view kSseFpStems[] = {"add",    "sub",    "mul",   "min",   "max",   "rcp",   "rsqrt",
                                            "cmp",    "comi",   "ucomi", "and",   "andn",  "or",    "unpckl",
                                            "unpckh", "shuf",   "movhl", "movlh", "movmsk"};
bool sse_fp(std::string_view id, bool& divide) {
    divide = false;
    if (id.starts_with("cvt")) return true;
    if (id.size() < 4) return false;
    const std::string_view suffix = id.substr(id.size() - 2), stem = id.substr(0, id.size() - 2);
    if (suffix != "ps" && suffix != "pd" && suffix != "ss" && suffix != "sd") return false;
    divide = stem == "div" || stem == "sqrt";
    return divide || std::find(std::begin(kSseFpStems), std::end(kSseFpStems), stem) != std::end(kSseFpStems);
}

Kind kind_of(std::string_view id) {
    for (const Rule& r : kRules)
        if (r.id == id) return r.kind;
    if (bool divide; sse_fp(id, divide)) return divide ? Kind::FpDiv : Kind::Fp;
    if (id.starts_with("x87_")) {   // the x87 table (insn_x87.def)
        for (std::string_view slow : {"div", "sqrt", "prem", "2x", "tan", "sin", "cos", "yl2x"})
            if (id.find(slow) != std::string_view::npos) return Kind::FpDiv;
        return Kind::Fp;
    }
    // SSE moves: *_load / *_store; anything else from the SSE table is FP work.
    if (id.size() > 5 && id.substr(id.size() - 5) == "_load") return Kind::Load;
    if (id.size() > 6 && id.substr(id.size() - 6) == "_store") return Kind::Store;
    return Kind::Alu;
}

// Whether a line's first operand is its r/m operand (E...): with a memory
// operand, that is a write. CMP, TEST and BT only read it.
bool writes_rm(std::string_view id) {
    if (id.starts_with("cmp") || id.starts_with("test") || id.starts_with("bt_")) return false;
    const size_t u = id.find('_');
    if (u == std::string_view::npos) return id == "neg" || id == "not_";
    const std::string_view rest = id.substr(u + 1);
    return rest.starts_with("e") || id.starts_with("grp2") || id.starts_with("shld") || id.starts_with("shrd") ||
           id == "not_";
}

struct LineClass {
    Kind kind;
    bool writes;
};

#define X86_INSN(id, ...) {kind_of(#id), writes_rm(#id)},
const LineClass* line_classes() {
    static const LineClass table[] = {
#include "isa/x86/insn_tables.def"
    };
    static_assert(sizeof(table) / sizeof(table[0]) > 0);
    return table;
}
#undef X86_INSN

} // namespace

uint8_t Core::insn_cost(const Insn& i) const {
    const isa::InsnCosts& c = cfg_.costs.insn;
    uint32_t v = c.alu;
    if (i.id < insn_table_size()) {
        LineClass lc = line_classes()[i.id];
        const std::string_view name = insn_table()[i.id].name;
        if (name == "cmp" || name == "test") lc.writes = false;   // group 1 CMP shares its id with ADD..XOR
        const bool mem = i.flags & iflag::Mem;
        switch (lc.kind) {
        case Kind::Alu:
            v = mem ? (lc.writes ? c.load + c.store : std::max(c.load, c.alu)) : c.alu;
            break;
        case Kind::Mul: v = mem ? std::max(c.mul, c.load) + 1 : c.mul; break;
        case Kind::Div: v = mem ? std::max(c.div, c.load) + 1 : c.div; break;
        case Kind::Load: v = c.load; break;
        case Kind::Store: v = c.store; break;
        case Kind::Move: v = mem ? (lc.writes ? c.store : c.load) : c.alu; break;
        case Kind::Branch: v = mem ? std::max(c.branch_not_taken, c.load) : c.branch_not_taken; break;
        case Kind::System: v = c.csr; break;
        case Kind::Fence: v = c.fence; break;
        case Kind::Fp: v = c.fp; break;
        case Kind::FpDiv: v = c.fp_div; break;
        case Kind::Atomic: v = (mem || (i.flags & iflag::Lock)) ? c.atomic : c.alu; break;
        }
        if ((i.flags & iflag::Lock) && mem) v = std::max(v, c.atomic);
    }
    // Without a profile: one cycle per instruction.
    if (unit_costs_) return 1;
    return static_cast<uint8_t>(std::clamp<uint32_t>(v, 1, 255));
}

} // namespace hvemu::x86
