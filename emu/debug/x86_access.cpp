// The data access of an x86 instruction: the decoder gives the form and
// the memory operand; a table by the instruction line's id says how the
// instruction uses it (the ids are those of the insn_*.def tables).
#include "emu/debug/x86_access.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

#include "isa/x86/core.hpp"

namespace hvemu::emu::debug {

namespace {

using x86::Insn;
using x86::Mode;

enum class How : uint8_t {
    Read, Write, Rmw,                    // the ModRM memory operand (nothing when it is a register)
    None,                                // an address, no data access
    Push, Pop, Leave,                    // SS:[rSP - n] written, SS:[rSP] read, SS:[rBP] read
    SrcString, DstStringRead, DstStringWrite,   // seg:rSI read (DS unless overridden); ES:rDI
    MoffsRead, MoffsWrite, Xlat,
};

// Bytes: a count, or one of these.
constexpr int16_t kOpsz = 0;     // the operand size
constexpr int16_t kDesc = -1;    // a pseudo-descriptor: limit and a 4-byte base (8 in 64-bit mode)
constexpr int16_t kFar = -2;     // a far pointer: an offset of the operand size and a selector
constexpr int16_t kTwo = -3;     // two stack slots (far CALL/RET: the offset and CS)
constexpr int16_t kEight = -4;   // eight stack slots (PUSHA/POPA)
constexpr int16_t kNative = -5;  // 8 bytes in 64-bit mode, 4 otherwise (VMREAD/VMWRITE)
constexpr int16_t kCx8 = -6;     // CMPXCHG8B: 8, CMPXCHG16B (REX.W): 16
constexpr int16_t kEnv = -7;     // the x87 environment: 14 bytes (16-bit operand size) or 28
constexpr int16_t kSave = -8;    // the x87 state (FNSAVE/FRSTOR): 94 or 108

struct Rule {
    std::string_view id;
    How how;
    int16_t len;
};

// Lines whose use of memory the generic rule below does not tell.
constexpr Rule kRules[] = {
    // Moves and stores through ModRM
    {"mov_eb_gb", How::Write, kOpsz}, {"mov_ev_gv", How::Write, kOpsz}, {"mov_eb_ib", How::Write, kOpsz},
    {"mov_ev_iz", How::Write, kOpsz}, {"mov_ev_sreg", How::Write, 2}, {"mov_sreg_ew", How::Read, 2},
    {"setcc", How::Write, 1}, {"pop_ev", How::Write, kOpsz},
    {"movzx_b", How::Read, 1}, {"movsx_b", How::Read, 1}, {"movzx_w", How::Read, 2}, {"movsx_w", How::Read, 2},
    {"movsxd", How::Read, 4},
    // Read-modify-write forms the name does not tell
    {"grp2_ib", How::Rmw, kOpsz}, {"grp2_1", How::Rmw, kOpsz}, {"grp2_cl", How::Rmw, kOpsz},
    {"shld_ib", How::Rmw, kOpsz}, {"shld_cl", How::Rmw, kOpsz}, {"shrd_ib", How::Rmw, kOpsz},
    {"shrd_cl", How::Rmw, kOpsz}, {"not_", How::Rmw, kOpsz}, {"neg", How::Rmw, kOpsz},
    {"cmpxchg", How::Rmw, kOpsz}, {"xadd", How::Rmw, kOpsz}, {"cmpxchg8b", How::Rmw, kCx8},
    // Reads the name would call writes
    {"call_ev", How::Read, kOpsz}, {"jmp_ev", How::Read, kOpsz}, {"push_ev", How::Read, kOpsz},
    {"call_far_m", How::Read, kFar}, {"jmp_far_m", How::Read, kFar},
    {"les", How::Read, kFar}, {"lds", How::Read, kFar}, {"lss", How::Read, kFar}, {"lfs", How::Read, kFar},
    {"lgs", How::Read, kFar},
    // No data access
    {"lea", How::None, 0}, {"nop_ev", How::None, 0}, {"invlpg", How::None, 0}, {"undefined", How::None, 0},
    // System state in memory (XSAVE/XRSTOR: the legacy area and the header)
    {"lgdt", How::Read, kDesc}, {"lidt", How::Read, kDesc}, {"sgdt", How::Write, kDesc},
    {"sidt", How::Write, kDesc}, {"lldt", How::Read, 2}, {"ltr", How::Read, 2}, {"lmsw", How::Read, 2},
    {"sldt", How::Write, 2}, {"str", How::Write, 2}, {"smsw", How::Write, 2},
    {"vmptrld", How::Read, 8}, {"vmclear", How::Read, 8}, {"vmxon", How::Read, 8},
    {"vmptrst", How::Write, 8}, {"vmread", How::Write, kNative}, {"vmwrite", How::Read, kNative},
    {"invept", How::Read, 16}, {"invvpid", How::Read, 16},
    {"fxsave", How::Write, 512}, {"fxrstor", How::Read, 512}, {"xsave", How::Write, 576},
    {"xrstor", How::Read, 576}, {"ldmxcsr", How::Read, 4}, {"stmxcsr", How::Write, 4},
    {"x87_fldcw", How::Read, 2}, {"x87_fnstcw", How::Write, 2}, {"x87_fnstsw_m", How::Write, 2},
    {"x87_fldenv", How::Read, kEnv}, {"x87_fnstenv", How::Write, kEnv}, {"x87_frstor", How::Read, kSave},
    {"x87_fnsave", How::Write, kSave}, {"x87_fbld", How::Read, 10}, {"x87_fbstp", How::Write, 10},
    // SSE moves with a narrower memory operand than the register
    {"movss_load", How::Read, 4}, {"movss_store", How::Write, 4}, {"movsd_load", How::Read, 8},
    {"movsd_store", How::Write, 8}, {"movlps_load", How::Read, 8}, {"movlps_store", How::Write, 8},
    {"movhps_load", How::Read, 8}, {"movhps_store", How::Write, 8}, {"movq_load", How::Read, 8},
    {"movq_store", How::Write, 8}, {"movntps", How::Write, 16}, {"movntdq", How::Write, 16},
    {"movnti", How::Write, kOpsz},
    // SSE forms whose memory operand is not what the prefix makes the operand size
    {"ucomiss", How::Read, 4}, {"comiss", How::Read, 4}, {"ucomisd", How::Read, 8}, {"comisd", How::Read, 8},
    {"cvtps2pd", How::Read, 8}, {"cvtdq2pd", How::Read, 8}, {"cvtss2sd", How::Read, 4},
    {"cvtsd2ss", How::Read, 8}, {"cvttss2si", How::Read, 4}, {"cvtss2si", How::Read, 4},
    {"cvttsd2si", How::Read, 8}, {"cvtsd2si", How::Read, 8}, {"pinsrw", How::Read, 2},
    {"cvtsi2ss", How::Read, kOpsz}, {"cvtsi2sd", How::Read, kOpsz},
    {"clflush", How::None, 0},
    // The stack
    {"push_r", How::Push, kOpsz}, {"push_i", How::Push, kOpsz}, {"pushf", How::Push, kOpsz},
    {"push_es", How::Push, kOpsz}, {"push_cs", How::Push, kOpsz}, {"push_ss", How::Push, kOpsz},
    {"push_ds", How::Push, kOpsz}, {"push_fs", How::Push, kOpsz}, {"push_gs", How::Push, kOpsz},
    {"call_rel", How::Push, kOpsz}, {"enter", How::Push, kOpsz}, {"pusha", How::Push, kEight},
    {"call_far_ap", How::Push, kTwo},
    {"pop_r", How::Pop, kOpsz}, {"popf", How::Pop, kOpsz}, {"pop_es", How::Pop, kOpsz},
    {"pop_ss", How::Pop, kOpsz}, {"pop_ds", How::Pop, kOpsz}, {"pop_fs", How::Pop, kOpsz},
    {"pop_gs", How::Pop, kOpsz}, {"ret", How::Pop, kOpsz}, {"ret_iw", How::Pop, kOpsz},
    {"popa", How::Pop, kEight}, {"ret_far", How::Pop, kTwo}, {"ret_far_iw", How::Pop, kTwo},
    {"leave", How::Leave, kOpsz},
    // Strings, moffs, XLAT
    {"movs", How::SrcString, kOpsz}, {"lods", How::SrcString, kOpsz}, {"cmps", How::SrcString, kOpsz},
    {"outsb", How::SrcString, kOpsz}, {"outsw", How::SrcString, kOpsz},
    {"stos", How::DstStringWrite, kOpsz}, {"insb", How::DstStringWrite, kOpsz},
    {"insw", How::DstStringWrite, kOpsz}, {"scas", How::DstStringRead, kOpsz},
    {"mov_al_moffs", How::MoffsRead, kOpsz}, {"mov_ax_moffs", How::MoffsRead, kOpsz},
    {"mov_moffs_al", How::MoffsWrite, kOpsz}, {"mov_moffs_ax", How::MoffsWrite, kOpsz},
    {"xlat", How::Xlat, 1},
};

// Everything else with a ModRM memory operand: an SSE "_load"/"_store"
// line, an x87 store, or, as the timing classes read the ids, a line whose
// first operand is E (add_eb_gb, inc_e, bts_ev_ib) writes it unless it is
// a compare or a test; the rest read it.
Rule generic(std::string_view id, std::string_view mnemonic) {
    // x87: the width is in the line's name (x87_fld_m32), stores by mnemonic.
    if (id.starts_with("x87_")) {
        int16_t len = kOpsz;
        for (auto [suffix, n] : {std::pair{"_m16", 2}, {"_m32", 4}, {"_m64", 8}, {"_m80", 10}})
            if (id.ends_with(suffix)) len = static_cast<int16_t>(n);
        for (std::string_view st : {"fst", "fist", "fnst"})
            if (mnemonic.starts_with(st)) return {id, How::Write, len};
        return {id, How::Read, len};
    }
    // SSE scalar arithmetic and compares read one element.
    if (id.size() > 2 && (id.ends_with("ss") || id.ends_with("sd")) && !id.starts_with("movs") && id != "cmps")
        return {id, How::Read, static_cast<int16_t>(id.ends_with("ss") ? 4 : 8)};
    if (id.ends_with("_load")) return {id, How::Read, kOpsz};
    if (id.ends_with("_store")) return {id, How::Write, kOpsz};
    for (std::string_view st : {"fst", "fist", "fbstp", "fnst", "fnsave"})
        if (mnemonic.starts_with(st)) return {id, How::Write, kOpsz};
    if (mnemonic == "cmp" || mnemonic == "test" || id.starts_with("cmp") || id.starts_with("test") ||
        id.starts_with("bt_"))
        return {id, How::Read, kOpsz};
    const size_t u = id.find('_');
    const bool writes_e = u != std::string_view::npos && id.substr(u + 1).starts_with("e");
    return {id, writes_e ? How::Rmw : How::Read, kOpsz};
}

#define X86_INSN(id, ...) #id,
constexpr std::string_view kLineIds[] = {
#include "isa/x86/insn_tables.def"
};
#undef X86_INSN

Rule rule_of(const Insn& i) {
    const std::string_view id = kLineIds[i.id];
    for (const Rule& r : kRules)
        if (r.id == id) return r;
    return generic(id, x86::insn_table()[i.id].name);
}

uint64_t mask(unsigned sz) { return sz >= x86::kSz64 ? ~0ull : (uint64_t{1} << (8u << sz)) - 1; }

int64_t sext(uint64_t v, unsigned sz) {
    if (sz >= x86::kSz64) return static_cast<int64_t>(v);
    const uint64_t m = uint64_t{1} << ((8u << sz) - 1);
    v &= mask(sz);
    return static_cast<int64_t>((v ^ m) - m);
}

unsigned bytes_of(const Rule& r, const Insn& i) {
    const unsigned op = 1u << i.opsz;
    switch (r.len) {
    case kOpsz: return op;
    case kDesc: return i.mode() == Mode::Bits64 ? 10 : 6;
    case kFar: return op + 2;
    case kTwo: return 2 * op;
    case kEight: return 8 * op;
    case kNative: return i.mode() == Mode::Bits64 ? 8 : 4;
    case kCx8: return i.opsz == x86::kSz64 ? 16 : 8;
    case kEnv: return i.opsz == x86::kSz16 ? 14 : 28;
    case kSave: return i.opsz == x86::kSz16 ? 94 : 108;
    default: return static_cast<unsigned>(r.len);
    }
}

uint64_t linear(const X86AccessState& s, unsigned seg, uint64_t ea) {
    if (s.mode == Mode::Bits64) return ea + (seg == x86::FS || seg == x86::GS ? s.seg_base[seg] : 0);
    return (s.seg_base[seg] + ea) & 0xffffffffull;
}

// The ModRM (or SIB, or RIP-relative) effective address, as the core forms it.
uint64_t modrm_ea(const X86AccessState& s, const Insn& i) {
    uint64_t a = static_cast<uint64_t>(static_cast<int64_t>(i.disp));
    if (i.rm < 16) a += s.gpr[i.rm];
    else if (i.rm == x86::kRip) a += s.rip + i.len;
    if (i.index != x86::kNoReg) a += s.gpr[i.index] << i.scale;
    return a & mask(i.adsz);
}

uint64_t sp_mask(const X86AccessState& s) {
    if (s.mode == Mode::Bits64) return ~0ull;
    return s.stack32 ? 0xffffffffull : 0xffffull;
}

// The core runs a REP string instruction (and REP INS/OUTS) in steps of at
// most this many iterations (exec_string.cpp, exec_system.cpp).
constexpr uint64_t kRepChunk = 1024;

// The elements a string instruction reads or writes in this step.
std::optional<X86DataAccess> string_access(const X86AccessState& s, const Insn& i, const std::string_view id,
                                           bool src, bool write, const X86LinearReader& read) {
    const unsigned sz = 1u << i.opsz;
    const uint64_t am = mask(i.adsz);
    const bool rep = i.flags & (x86::iflag::Rep | x86::iflag::Repne);
    uint64_t n = rep ? std::min(s.gpr[1] & am, kRepChunk) : 1;
    if (n == 0) return std::nullopt;
    const unsigned seg = src ? i.seg : static_cast<unsigned>(x86::ES);
    const uint64_t first = s.gpr[src ? 6 : 7] & am;
    const bool down = s.rflags & (1u << 10);   // DF
    auto element = [&](uint64_t k) {
        const uint64_t off = down ? first - k * sz : first + k * sz;
        return linear(s, seg, off & am);
    };
    // REPE/REPNE CMPS and SCAS end at the first element that decides.
    const bool compares = id == "cmps" || id == "scas";
    if (rep && compares && read) {
        const bool repe = i.flags & x86::iflag::Rep;
        const uint64_t value_mask = mask(i.opsz);
        for (uint64_t k = 0; k < n; k++) {
            uint64_t a = 0, b = 0;
            const uint64_t di = linear(s, x86::ES, (down ? (s.gpr[7] & am) - k * sz : (s.gpr[7] & am) + k * sz) & am);
            if (!read(di, reinterpret_cast<uint8_t*>(&b), sz)) {
                n = k + 1;   // it faults there
                break;
            }
            if (id == "cmps") {
                if (!read(element(k), reinterpret_cast<uint8_t*>(&a), sz)) {
                    n = k + 1;
                    break;
                }
            } else {
                a = s.gpr[0] & value_mask;
            }
            if ((a == b) != repe) {
                n = k + 1;
                break;
            }
        }
    }
    X86DataAccess acc;
    acc.addr = down ? element(n - 1) : element(0);
    acc.len = static_cast<unsigned>(n * sz);
    acc.read = !write;
    acc.write = write;
    return acc;
}

} // namespace

std::optional<X86DataAccess> x86_data_access(const uint8_t* bytes, unsigned avail, const X86AccessState& s,
                                             const X86LinearReader& read) {
    Insn i{};
    if (!x86::decode(bytes, avail, s.mode, i) || i.id >= std::size(kLineIds)) return std::nullopt;
    const std::string_view id = kLineIds[i.id];
    const Rule r = rule_of(i);
    const unsigned len = bytes_of(r, i);
    const bool mem = i.flags & x86::iflag::Mem;
    auto make = [&](uint64_t addr, unsigned n, bool rd, bool wr) -> std::optional<X86DataAccess> {
        return X86DataAccess{addr, n, rd, wr};
    };
    switch (r.how) {
    case How::None: return std::nullopt;
    case How::Read:
    case How::Write:
    case How::Rmw: {
        if (!mem) return std::nullopt;
        uint64_t ea = modrm_ea(s, i);
        // BT/BTS/BTR/BTC with a register bit offset address a bit string:
        // the offset's whole operands are added to the address.
        if (id.starts_with("bt") && id.ends_with("_ev_gv")) {
            const int64_t off = sext(s.gpr[i.reg], i.opsz);
            ea = (ea + static_cast<uint64_t>((off >> (3 + i.opsz)) * (1 << i.opsz))) & mask(i.adsz);
        }
        return make(linear(s, i.seg, ea), len, r.how != How::Write, r.how != How::Read);
    }
    case How::Push: {
        const uint64_t m = sp_mask(s);
        return make(linear(s, x86::SS, (s.gpr[4] - len) & m), len, false, true);
    }
    case How::Pop: return make(linear(s, x86::SS, s.gpr[4] & sp_mask(s)), len, true, false);
    case How::Leave: return make(linear(s, x86::SS, s.gpr[5] & sp_mask(s)), len, true, false);
    case How::SrcString: return string_access(s, i, id, true, false, read);
    case How::DstStringRead: return string_access(s, i, id, false, false, read);
    case How::DstStringWrite: return string_access(s, i, id, false, true, read);
    case How::MoffsRead:
    case How::MoffsWrite:
        return make(linear(s, i.seg, static_cast<uint64_t>(i.imm) & mask(i.adsz)), len, r.how == How::MoffsRead,
                    r.how == How::MoffsWrite);
    case How::Xlat:
        return make(linear(s, i.seg, (s.gpr[3] + (s.gpr[0] & 0xff)) & mask(i.adsz)), 1, true, false);
    }
    return std::nullopt;
}

} // namespace hvemu::emu::debug
