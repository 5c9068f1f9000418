// The decoder: builds the instruction table from the insn_*.def lists and
// extracts operands per format. Decoding happens once per instruction slot
// of a code page (predecode), never per executed instruction.
#include <array>
#include <string_view>
#include <vector>

#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {

#define RV_INSN(id, name, match, mask, fmt, regs, cls) \
    {name, match, mask, Fmt::fmt, regs, Cls::cls, &xop_##id<4, false>, &xop_##id<4, true>, 4, &op_##id<4>},
#define RVC_INSN(id, name, match, mask, fmt, regs, cls, base) \
    {name, match, mask, Fmt::fmt, regs, Cls::cls, &xop_##base<2, false>, &xop_##base<2, true>, 2, &op_##base<2>},
const InsnDesc kTable[] = {
#include "isa/riscv/insn_base.def"
#include "isa/riscv/insn_system.def"
#include "isa/riscv/insn_amo.def"
#include "isa/riscv/insn_fd.def"
#include "isa/riscv/insn_rvc.def"
};
#undef RV_INSN
#undef RVC_INSN

constexpr unsigned kTableSize = sizeof(kTable) / sizeof(kTable[0]);

// Each row's identifier, and for compressed rows the identifier of the
// base instruction they expand to; resolved to indices once.
#define RV_INSN(id, ...) {#id, #id},
#define RVC_INSN(id, name, match, mask, fmt, regs, cls, base) {#id, #base},
const struct { const char* id; const char* base; } kIds[] = {
#include "isa/riscv/insn_base.def"
#include "isa/riscv/insn_system.def"
#include "isa/riscv/insn_amo.def"
#include "isa/riscv/insn_fd.def"
#include "isa/riscv/insn_rvc.def"
};
#undef RV_INSN
#undef RVC_INSN
static_assert(sizeof(kIds) / sizeof(kIds[0]) == kTableSize);

// Candidate lists: 32-bit encodings bucketed by opcode (bits 6:0),
// 16-bit encodings by (funct3, quadrant).
struct Index {
    std::array<std::vector<uint16_t>, 128> wide;
    std::array<std::vector<uint16_t>, 32> narrow;
    std::array<uint16_t, kTableSize> base;
    Index() {
        for (unsigned i = 0; i < kTableSize; ++i) {
            base[i] = static_cast<uint16_t>(i);
            for (unsigned j = 0; j < kTableSize; ++j)
                if (std::string_view(kIds[j].id) == kIds[i].base && kTable[j].len == 4) base[i] = static_cast<uint16_t>(j);
        }
        for (unsigned i = 0; i < kTableSize; ++i) {
            const InsnDesc& d = kTable[i];
            if (d.len == 4) wide[d.match & 0x7f].push_back(static_cast<uint16_t>(i));
            else narrow[((d.match >> 13) & 7) << 2 | (d.match & 3)].push_back(static_cast<uint16_t>(i));
        }
    }
};
const Index& index() {
    static const Index idx;
    return idx;
}

constexpr int64_t sext(uint64_t v, unsigned bits) {
    return static_cast<int64_t>(v << (64 - bits)) >> (64 - bits);
}
constexpr uint32_t bits(uint32_t raw, unsigned hi, unsigned lo) { return (raw >> lo) & ((1u << (hi - lo + 1)) - 1); }
constexpr uint32_t bit(uint32_t raw, unsigned n) { return (raw >> n) & 1; }

// Fill the operand fields of a 32-bit encoding; false when reserved.
bool fields32(Insn& in, Fmt fmt, uint32_t r) {
    in.rd = static_cast<uint8_t>(bits(r, 11, 7));
    in.rs1 = static_cast<uint8_t>(bits(r, 19, 15));
    in.rs2 = static_cast<uint8_t>(bits(r, 24, 20));
    in.rs3 = static_cast<uint8_t>(bits(r, 31, 27));
    in.rm = static_cast<uint8_t>(bits(r, 14, 12));
    switch (fmt) {
    case Fmt::I: case Fmt::LOAD: in.imm = sext(r >> 20, 12); break;
    case Fmt::I_SH: in.imm = bits(r, 25, 20); break;
    case Fmt::STORE: in.imm = sext(bits(r, 31, 25) << 5 | bits(r, 11, 7), 12); break;
    case Fmt::B:
        in.imm = sext(bit(r, 31) << 12 | bit(r, 7) << 11 | bits(r, 30, 25) << 5 | bits(r, 11, 8) << 1, 13);
        break;
    case Fmt::U: in.imm = sext(r & 0xfffff000u, 32); break;
    case Fmt::J:
        in.imm = sext(bit(r, 31) << 20 | bits(r, 19, 12) << 12 | bit(r, 20) << 11 | bits(r, 30, 21) << 1, 21);
        break;
    case Fmt::CSR: case Fmt::CSRI: case Fmt::FENCE: in.imm = r >> 20; break;
    default: in.imm = 0; break;
    }
    return true;
}

uint8_t creg(uint32_t v) { return static_cast<uint8_t>(8 + v); }

// Fill the operand fields of a compressed encoding as the base instruction
// it expands to; false when the encoding is reserved.
bool fields16(Insn& in, Fmt fmt, uint32_t r) {
    const uint8_t rd_full = static_cast<uint8_t>(bits(r, 11, 7));
    const uint8_t rs2_full = static_cast<uint8_t>(bits(r, 6, 2));
    const uint8_t rdp = creg(bits(r, 4, 2)), rs1p = creg(bits(r, 9, 7));
    const int64_t imm6 = sext(bit(r, 12) << 5 | bits(r, 6, 2), 6);
    in.rd = in.rs1 = in.rs2 = in.rs3 = 0;
    in.rm = 0;
    in.imm = 0;
    switch (fmt) {
    case Fmt::CIW:
        in.rd = rdp; in.rs1 = 2;
        in.imm = bits(r, 12, 11) << 4 | bits(r, 10, 7) << 6 | bit(r, 6) << 2 | bit(r, 5) << 3;
        return in.imm != 0;
    case Fmt::CL_W:
        in.rd = rdp; in.rs1 = rs1p;
        in.imm = bits(r, 12, 10) << 3 | bit(r, 6) << 2 | bit(r, 5) << 6;
        in.rm = 2;
        return true;
    case Fmt::CL_D:
        in.rd = rdp; in.rs1 = rs1p;
        in.imm = bits(r, 12, 10) << 3 | bits(r, 6, 5) << 6;
        in.rm = 3;
        return true;
    case Fmt::CS_W:
        in.rs1 = rs1p; in.rs2 = rdp;
        in.imm = bits(r, 12, 10) << 3 | bit(r, 6) << 2 | bit(r, 5) << 6;
        in.rm = 2;
        return true;
    case Fmt::CS_D:
        in.rs1 = rs1p; in.rs2 = rdp;
        in.imm = bits(r, 12, 10) << 3 | bits(r, 6, 5) << 6;
        in.rm = 3;
        return true;
    // c.nop (and its HINTs), c.j and c.jr expand to an rd of x0 but their
    // table lines name no rd: send the write to the sink explicitly.
    case Fmt::C_NOP: in.rd = kSinkReg; in.imm = imm6; return true;
    case Fmt::CI:
        in.rd = in.rs1 = rd_full; in.imm = imm6;
        return rd_full != 0;   // c.addiw with rd=0 is reserved (c.addi rd=0 is c.nop, matched earlier)
    case Fmt::CI_LI: in.rd = rd_full; in.imm = imm6; return true;
    case Fmt::CI_LUI:
        in.rd = rd_full; in.imm = imm6 * 4096;
        return in.imm != 0;
    case Fmt::CI_ADDI16SP:
        in.rd = in.rs1 = 2;
        in.imm = sext(bit(r, 12) << 9 | bit(r, 6) << 4 | bit(r, 5) << 6 | bits(r, 4, 3) << 7 | bit(r, 2) << 5, 10);
        return in.imm != 0;
    case Fmt::CI_SLLI: in.rd = in.rs1 = rd_full; in.imm = bit(r, 12) << 5 | bits(r, 6, 2); return true;
    case Fmt::CB_SH: in.rd = in.rs1 = rs1p; in.imm = bit(r, 12) << 5 | bits(r, 6, 2); return true;
    case Fmt::CB_ANDI: in.rd = in.rs1 = rs1p; in.imm = imm6; return true;
    case Fmt::CA: in.rd = in.rs1 = rs1p; in.rs2 = rdp; return true;
    case Fmt::CJ:
        in.rd = kSinkReg;
        in.imm = sext(bit(r, 12) << 11 | bit(r, 11) << 4 | bits(r, 10, 9) << 8 | bit(r, 8) << 10 | bit(r, 7) << 6 |
                          bit(r, 6) << 7 | bits(r, 5, 3) << 1 | bit(r, 2) << 5, 12);
        return true;
    case Fmt::CB_BR:
        in.rs1 = rs1p; in.rs2 = 0;
        in.imm = sext(bit(r, 12) << 8 | bits(r, 11, 10) << 3 | bits(r, 6, 5) << 6 | bits(r, 4, 3) << 1 | bit(r, 2) << 5, 9);
        return true;
    case Fmt::CI_LWSP:
        in.rd = rd_full; in.rs1 = 2;
        in.imm = bit(r, 12) << 5 | bits(r, 6, 4) << 2 | bits(r, 3, 2) << 6;
        in.rm = 2;
        return rd_full != 0;
    case Fmt::CI_LDSP:
        in.rd = rd_full; in.rs1 = 2;
        in.imm = bit(r, 12) << 5 | bits(r, 6, 5) << 3 | bits(r, 4, 2) << 6;
        in.rm = 3;
        return rd_full != 0;
    case Fmt::CI_FLDSP:
        in.rd = rd_full; in.rs1 = 2;
        in.imm = bit(r, 12) << 5 | bits(r, 6, 5) << 3 | bits(r, 4, 2) << 6;
        in.rm = 3;
        return true;
    case Fmt::CSS_SWSP:
        in.rs1 = 2; in.rs2 = rs2_full;
        in.imm = bits(r, 12, 9) << 2 | bits(r, 8, 7) << 6;
        in.rm = 2;
        return true;
    case Fmt::CSS_SDSP: case Fmt::CSS_FSDSP:
        in.rs1 = 2; in.rs2 = rs2_full;
        in.imm = bits(r, 12, 10) << 3 | bits(r, 9, 7) << 6;
        in.rm = 3;
        return true;
    case Fmt::CR_JR: in.rd = kSinkReg; in.rs1 = rd_full; return rd_full != 0;
    case Fmt::CR_JALR: in.rd = 1; in.rs1 = rd_full; return true;
    case Fmt::CR_MV: in.rd = rd_full; in.rs1 = 0; in.rs2 = rs2_full; return true;
    case Fmt::CR_ADD: in.rd = in.rs1 = rd_full; in.rs2 = rs2_full; return true;
    case Fmt::CR_EBREAK: return true;
    default: return false;
    }
}

Insn illegal(uint32_t raw) {
    Insn in{};
    in.fn = &op_illegal;
    in.raw = raw;
    in.id = kInvalidId;
    in.len = (raw & 3) == 3 ? 4 : 2;
    return in;
}

} // namespace

const InsnDesc* insn_table() { return kTable; }
uint16_t insn_base(uint16_t id) { return id < kTableSize ? index().base[id] : kInvalidId; }
unsigned insn_table_size() { return kTableSize; }

Insn decode(uint32_t raw) {
    const Index& idx = index();
    const bool wide = (raw & 3) == 3;
    if (!wide) raw &= 0xffff;
    if (wide && (raw & 0x1c) == 0x1c) return illegal(raw);   // 48-bit and longer encodings
    const auto& cands = wide ? idx.wide[raw & 0x7f] : idx.narrow[((raw >> 13) & 7) << 2 | (raw & 3)];
    for (uint16_t id : cands) {
        const InsnDesc& d = kTable[id];
        if ((raw & d.mask) != d.match) continue;
        Insn in{};
        in.fn = d.fn;
        in.raw = raw;
        in.id = id;
        in.len = d.len;
        if (!(wide ? fields32(in, d.fmt, raw) : fields16(in, d.fmt, raw))) return illegal(raw);
        if (d.regs[0] == 'x' && in.rd == 0) in.rd = kSinkReg;
        return in;
    }
    return illegal(raw);
}

} // namespace hvemu::rv
