// The x86 decoder: legacy prefixes, REX, the opcode maps, ModRM/SIB,
// displacements and immediates, operand and address size per mode. The
// opcode forms come from the insn_*.def tables (one line per form), indexed
// by (map, opcode). Decoding happens once per predecoded slot, never per
// executed instruction.
#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "isa/x86/core.hpp"
#include "isa/x86/insn.hpp"

namespace hvemu::x86 {

namespace {

using namespace fflag;

#define X86_INSN(id, name, map, op, pfx, reg, rm, mod, imm, flags) \
    {name, Map::map, op, Pfx::pfx, reg, rm, ModKind::mod, Imm::imm, static_cast<uint16_t>(flags), &op_##id},
const InsnDesc kTable[] = {
#include "isa/x86/insn_tables.def"
};
#undef X86_INSN

constexpr unsigned kTableSize = sizeof(kTable) / sizeof(kTable[0]);
static_assert(kTableSize < kInvalidId);

// Candidate lines per (map, opcode), in table order; an opcode+r line is
// in the 8 buckets it covers, a condition line in 16.
struct Index {
    std::array<std::vector<uint16_t>, 4 * 256> bucket;
    std::array<bool, 4 * 256> modrm{};   // the opcode has a ModRM byte
    Index() {
        for (unsigned t = 0; t < kTableSize; ++t) {
            const InsnDesc& d = kTable[t];
            const unsigned n = (d.flags & Cc) ? 16 : (d.flags & R) ? 8 : 1;
            for (unsigned k = 0; k < n; ++k) {
                const unsigned key = static_cast<unsigned>(d.map) * 256 + d.opcode + k;
                bucket[key].push_back(static_cast<uint16_t>(t));
                if (d.mod != ModKind::None) modrm[key] = true;
            }
        }
    }
};
const Index& index() {
    static const Index idx;
    return idx;
}

int64_t read_le(const uint8_t* b, unsigned n, bool sign) {
    uint64_t v = 0;
    for (unsigned k = 0; k < n; ++k) v |= uint64_t{b[k]} << (8 * k);
    if (sign && n < 8) {
        const unsigned sh = 64 - 8 * n;
        return static_cast<int64_t>(v << sh) >> sh;
    }
    return static_cast<int64_t>(v);
}

} // namespace

const InsnDesc* insn_table() { return kTable; }
unsigned insn_table_size() { return kTableSize; }

bool decode(const uint8_t* bytes, unsigned avail, Mode mode, Insn& out) {
    // Work on a zero-padded copy: the longest parse (15 prefixes, 3 opcode
    // bytes, ModRM, SIB, disp32, imm64) stays inside it; lengths beyond
    // what was available are sorted out at the end.
    uint8_t b[40] = {};
    std::memcpy(b, bytes, std::min(avail, 16u));
    const bool m64 = mode == Mode::Bits64;

    unsigned p = 0;
    bool has66 = false, has67 = false, lock = false;
    uint8_t rep = 0, segovr = 0xff, rex = 0;
    for (; p < 15; ++p) {
        const uint8_t x = b[p];
        if (m64 && (x & 0xf0) == 0x40) {
            rex = x;
            continue;
        }
        switch (x) {
        case 0x26: case 0x2e: case 0x36: case 0x3e: segovr = static_cast<uint8_t>((x >> 3) & 3); break;
        case 0x64: segovr = FS; break;
        case 0x65: segovr = GS; break;
        case 0x66: has66 = true; break;
        case 0x67: has67 = true; break;
        case 0xf0: lock = true; break;
        case 0xf2: case 0xf3: rep = x; break;
        default: goto opcode;
        }
        rex = 0;   // a REX prefix counts only right before the opcode
    }
opcode:
    Insn& i = out;
    i = Insn{};
    i.fn = &op_undefined;
    i.id = kInvalidId;
    i.index = kNoReg;
    i.rm = kNoReg;
    i.seg = segovr == 0xff ? static_cast<uint8_t>(DS) : segovr;
    i.flags = static_cast<uint8_t>(static_cast<unsigned>(mode) << iflag::ModeShift);
    if (lock) i.flags |= iflag::Lock;
    if (rep == 0xf3) i.flags |= iflag::Rep;
    if (rep == 0xf2) i.flags |= iflag::Repne;
    if (rex) i.flags |= iflag::Rex;
    if (segovr != 0xff) i.flags |= iflag::SegOvr;
    if (p >= 15) {
        i.len = 15;
        if (avail < 15) return false;
        i.fn = &op_too_long;
        return true;
    }

    unsigned map = 0;
    uint8_t op = b[p++];
    if (op == 0x0f) {
        op = b[p++];
        map = 1;
        if (op == 0x38 || op == 0x3a) {
            map = op == 0x38 ? 2 : 3;
            op = b[p++];
        }
    }
    const unsigned key = map * 256 + op;
    const Index& idx = index();
    const bool has_modrm = idx.modrm[key];
    uint8_t modrm = 0;
    if (has_modrm) modrm = b[p++];
    const unsigned mod = modrm >> 6, mreg = (modrm >> 3) & 7, mrm = modrm & 7;

    const InsnDesc* d = nullptr;
    unsigned t = 0;
    for (uint16_t k : idx.bucket[key]) {
        const InsnDesc& e = kTable[k];
        switch (e.pfx) {
        case Pfx::Any: break;
        case Pfx::NP: if (has66 || rep) continue; break;
        case Pfx::P66: if (!has66 || rep) continue; break;
        case Pfx::PF3: if (rep != 0xf3) continue; break;
        case Pfx::PF2: if (rep != 0xf2) continue; break;
        }
        if ((e.flags & I64) && m64) continue;
        if ((e.flags & O64) && !m64) continue;
        if (e.reg >= 0 && static_cast<unsigned>(e.reg) != mreg) continue;
        if (e.mod == ModKind::Mem && mod == 3) continue;
        if (e.mod == ModKind::Reg && mod != 3) continue;
        if (e.rm >= 0 && (mod != 3 || static_cast<unsigned>(e.rm) != mrm)) continue;
        d = &e;
        t = k;
        break;
    }

    // Operand and address size.
    const bool size66 = has66 && !(d && d->pfx == Pfx::P66);
    const bool rexw = (rex & 8) != 0;
    uint8_t opsz;
    if (!d) opsz = kSz32;
    else if (d->flags & B) opsz = kSz8;
    else if (d->flags & S128) opsz = kSz128;
    else if (d->flags & W16) opsz = kSz16;
    else if (d->flags & S32) opsz = kSz32;
    else if (m64) {
        if (rexw && !(d->flags & NoRexW)) opsz = kSz64;
        else if (d->flags & F64) opsz = kSz64;
        else if (d->flags & D64) opsz = size66 ? kSz16 : kSz64;
        else opsz = size66 ? kSz16 : kSz32;
    } else {
        const bool d32 = mode == Mode::Bits32;
        opsz = (d32 != size66) ? kSz32 : kSz16;
    }
    const uint8_t adsz = m64 ? (has67 ? kSz32 : kSz64) : ((mode == Mode::Bits32) != has67) ? kSz32 : kSz16;
    i.opsz = opsz;
    i.adsz = adsz;

    // ModRM operands.
    if (has_modrm) {
        i.reg = static_cast<uint8_t>(mreg | ((rex & 4) << 1));
        if (mod == 3) {
            i.rm = static_cast<uint8_t>(mrm | ((rex & 1) << 3));
        } else {
            i.flags |= iflag::Mem;
            bool ss = false;
            if (adsz == kSz16) {
                static constexpr uint8_t kBase[8] = {3, 3, 5, 5, 6, 7, 5, 3};      // BX BX BP BP SI DI BP BX
                static constexpr uint8_t kIndex[8] = {6, 7, 6, 7, kNoReg, kNoReg, kNoReg, kNoReg};
                if (mod == 0 && mrm == 6) {
                    i.disp = static_cast<int32_t>(read_le(b + p, 2, false));
                    p += 2;
                } else {
                    i.rm = kBase[mrm];
                    i.index = kIndex[mrm];
                    ss = mrm == 2 || mrm == 3 || mrm == 6;
                    if (mod == 1) i.disp = static_cast<int32_t>(read_le(b + p++, 1, true));
                    if (mod == 2) {
                        i.disp = static_cast<int32_t>(read_le(b + p, 2, true));
                        p += 2;
                    }
                }
            } else {
                unsigned base = mrm;
                bool disp32 = mod == 2;
                if (mrm == 4) {
                    const uint8_t sib = b[p++];
                    const unsigned ix = ((sib >> 3) & 7) | ((rex & 2) << 2);
                    if (ix != 4) {
                        i.index = static_cast<uint8_t>(ix);
                        i.scale = sib >> 6;
                    }
                    base = sib & 7;
                    if (base == 5 && mod == 0) {
                        base = kNoReg;
                        disp32 = true;
                    }
                } else if (mrm == 5 && mod == 0) {
                    base = m64 ? kRip : kNoReg;
                    disp32 = true;
                }
                if (base < 8) {
                    base |= (rex & 1) << 3;
                    ss = base == 4 || base == 5;   // rSP/rBP (not R12/R13)
                }
                i.rm = static_cast<uint8_t>(base);
                if (mod == 1) i.disp = static_cast<int32_t>(read_le(b + p++, 1, true));
                if (disp32) {
                    i.disp = static_cast<int32_t>(read_le(b + p, 4, true));
                    p += 4;
                }
            }
            if (segovr == 0xff && ss) i.seg = SS;
        }
    }

    if (d) {
        if (d->flags & R) i.reg = static_cast<uint8_t>((op & 7) | ((rex & 1) << 3));
        if (d->flags & Cc) i.cc = op & 15;
        // Immediates.
        const unsigned zbytes = opsz == kSz16 ? 2 : 4;
        switch (d->imm) {
        case Imm::None: break;
        case Imm::Ib: i.imm = read_le(b + p, 1, false); p += 1; break;
        case Imm::Ibs: case Imm::Jb: i.imm = read_le(b + p, 1, true); p += 1; break;
        case Imm::Iw: i.imm = read_le(b + p, 2, false); p += 2; break;
        case Imm::Iz: case Imm::Jz: i.imm = read_le(b + p, zbytes, true); p += zbytes; break;
        case Imm::Iv: {
            const unsigned n = 1u << opsz;
            i.imm = read_le(b + p, n, false);
            p += n;
            break;
        }
        case Imm::Moffs: {
            const unsigned n = 1u << adsz;
            i.imm = read_le(b + p, n, false);
            p += n;
            break;
        }
        case Imm::Ap:
            i.imm = read_le(b + p, zbytes, false);
            p += zbytes;
            i.disp = static_cast<int32_t>(read_le(b + p, 2, false));
            p += 2;
            break;
        case Imm::IwIb:
            i.imm = read_le(b + p, 2, false);
            i.disp = b[p + 2];
            p += 3;
            break;
        }
        // LOCK needs a lockable form with a memory destination.
        if (!lock || ((d->flags & Lk) && mod != 3 && has_modrm)) {
            i.fn = d->fn;
            if (d->fn != &op_undefined) i.id = static_cast<uint16_t>(t);
        }
    }

    i.len = static_cast<uint8_t>(std::min(p, 15u));
    if (p > 15) {
        if (avail < 15) return false;
        i.fn = &op_too_long;
        i.id = kInvalidId;
        return true;
    }
    return p <= avail;
}

} // namespace hvemu::x86
