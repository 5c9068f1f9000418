// The A64 decoder: builds the instruction table from the insn_*.def lists
// and extracts operands per format. Decoding happens once per instruction
// slot of a code page (predecode), never per executed instruction.
//
// Operand conventions per format (register 31 becomes kZr when read,
// kSink when written, kSp where the encoding names the stack pointer):
//   None        nothing
//   Exc16       imm = imm16 (bits 20:5)                         SVC, HVC, BRK...
//   SysReg      rd = Rt, imm = op0:op1:CRn:CRm:op2 (bits 20:5, sysreg_enc())
//               Rt is written (kSink) when L (bit 21) is set, else read (kZr)
//   MsrImm      amount = CRm, aux = op1 << 3 | op2
//   Barrier     amount = CRm, aux = op2
//   Hint        amount = CRm:op2
//   BImm26      imm = byte displacement                          B, BL
//   BCond       imm = displacement, cond
//   CmpBr       rd = Rt (read), imm, size = sf                   CBZ, CBNZ
//   TestBr      rd = Rt (read), amount = bit number, imm         TBZ, TBNZ
//   BrReg       rn = Rn                                          BR, BLR, RET
//   PcRel       rd, imm = byte offset (ADR) or page offset (ADRP)
//   AddImm(S)   rd, rn, imm = imm12 << (12 * sh)
//   LogImm(S)   rd, rn, imm = DecodeBitMasks(N, imms, immr)
//   MovWide     rd, imm = imm16, amount = hw * 16
//   Bitfield    rd, rn, aux = immr | imms << 8
//   Extr        rd, rn, rm, amount = lsb
//   LogShift, AddShift   rd, rn, rm, shift = type, amount
//   AddExt(S)   rd, rn, rm, shift = option, amount = left shift
//   Reg2/3/4    rd, rn, rm, ra
//   CondSel     rd, rn, rm, cond
//   CondCmpReg  rn, rm, cond, amount = nzcv; CondCmpImm: imm = imm5 instead of rm
//   Ld*/St*     rd = Rt, ra = Rt2, rn = base (SP), rm = index, imm = byte
//               offset, shift = extend option, amount = index shift
//   Fp*         the same with Rt/Rt2 naming V registers (0-31 as is)
//   Excl*, Lse, Cas, Casp   rd = Rt, ra = Rt2 or Rs (CAS result), rm = Rs
//   Simd*, Fmov*, FpImm     V registers as is; aux = Q; size = element size
//   LdStMulti(Post)  rd = first Vt, amount = register count, size, aux = Q,
//               rm = Rm (post-index by register) or imm = bytes (Rm = 31)
//   LdStSingle(Post) rd = first Vt, amount = structure elements, size = log2
//               element bytes, aux = lane (Q for LDnR), rm / imm as above
#include <array>
#include <vector>

#include "isa/arm64/pe.hpp"

namespace hvemu::arm {

namespace {

enum class Fmt : uint8_t {
    None, Exc16, SysReg, MsrImm, Barrier, Hint,
    BImm26, BCond, CmpBr, TestBr, BrReg,
    PcRel, PcRelPage, AddImm, AddImmS, LogImm, LogImmS, MovWide, Bitfield, Extr,
    LogShift, AddShift, AddExt, AddExtS, Reg2, Reg3, Reg4, CondSel, CondCmpReg, CondCmpImm,
    LdUImm, StUImm, LdImm9, StImm9, LdReg, StReg, LdLit, LdPair, StPair, PrfUImm, PrfImm9, PrfReg, PrfLit,
    FpUImm, FpImm9, FpReg, FpLit, FpPair,
    ExclLd, ExclSt, Lse, Cas, Casp,
    SimdImm, SimdDup, SimdDupElem, SimdIns, SimdInsElem, SimdToGen, Simd3, FmovToFp, FmovToGen, FpReg2, FpImm,
    LdStMulti, LdStMultiPost, LdStSingle, LdStSinglePost,
};

#define A64_INSN(id, name, match, mask, fmt, cls) {name, match, mask, static_cast<uint8_t>(Fmt::fmt), Cls::cls, &op_##id},
const InsnDesc kTable[] = {
#include "isa/arm64/insn_tables.def"
};
#undef A64_INSN

constexpr unsigned kTableSize = sizeof(kTable) / sizeof(kTable[0]);
static_assert(kTableSize < kInvalidId);

// Candidate lists bucketed by bits 31:21 of the encoding: an entry is in
// every bucket its match/mask allows, in table order.
constexpr unsigned kKeyShift = 21;
struct Index {
    std::array<std::vector<uint16_t>, 1u << (32 - kKeyShift)> bucket;
    Index() {
        for (unsigned k = 0; k < bucket.size(); ++k) {
            const uint32_t hi = static_cast<uint32_t>(k) << kKeyShift;
            for (unsigned i = 0; i < kTableSize; ++i) {
                const uint32_t m = kTable[i].mask & (~0u << kKeyShift);
                if ((hi & m) == (kTable[i].match & m)) bucket[k].push_back(static_cast<uint16_t>(i));
            }
        }
    }
};
const Index& index() {
    static const Index idx;
    return idx;
}

constexpr int64_t sext(uint64_t v, unsigned bits) { return static_cast<int64_t>(v << (64 - bits)) >> (64 - bits); }
constexpr uint32_t bits(uint32_t raw, unsigned hi, unsigned lo) { return (raw >> lo) & ((1u << (hi - lo + 1)) - 1); }
constexpr uint32_t bit(uint32_t raw, unsigned n) { return (raw >> n) & 1; }

// Register 31 as read (zero register), written (sink) or as the SP.
constexpr uint8_t rz(uint32_t r) { return static_cast<uint8_t>(r); }
constexpr uint8_t rw(uint32_t r) { return static_cast<uint8_t>(r == 31 ? kSink : r); }
constexpr uint8_t rsp(uint32_t r) { return static_cast<uint8_t>(r == 31 ? kSp : r); }

uint64_t ones(unsigned n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }

uint64_t ror(uint64_t v, unsigned r, unsigned esize) {
    r %= esize;
    if (r == 0) return v;
    return ((v >> r) | (v << (esize - r))) & ones(esize);
}

// DecodeBitMasks (Arm ARM, shared pseudocode) for logical immediates; false
// when the encoding is reserved.
bool decode_bit_masks(unsigned n, unsigned imms, unsigned immr, unsigned datasize, uint64_t& out) {
    const unsigned combined = (n << 6) | (~imms & 0x3f);
    if (combined == 0) return false;
    const unsigned len = 31 - static_cast<unsigned>(__builtin_clz(combined));
    if (len < 1) return false;
    const unsigned levels = static_cast<unsigned>(ones(len));
    if ((imms & levels) == levels) return false;
    const unsigned s = imms & levels, r = immr & levels;
    const unsigned esize = 1u << len;
    if (esize > datasize) return false;
    const uint64_t elem = ror(ones(s + 1), r, esize);
    uint64_t v = 0;
    for (unsigned i = 0; i < datasize; i += esize) v |= elem << i;
    out = v;
    return true;
}

// AdvSIMDExpandImm: the 64-bit pattern of a modified immediate.
uint64_t simd_expand_imm(unsigned op, unsigned cmode, uint64_t imm8) {
    auto rep32 = [](uint64_t v) { return v | (v << 32); };
    auto rep16 = [](uint64_t v) { return v | (v << 16) | (v << 32) | (v << 48); };
    switch (cmode >> 1) {
    case 0: return rep32(imm8);
    case 1: return rep32(imm8 << 8);
    case 2: return rep32(imm8 << 16);
    case 3: return rep32(imm8 << 24);
    case 4: return rep16(imm8);
    case 5: return rep16(imm8 << 8);
    case 6: return (cmode & 1) ? rep32(imm8 << 16 | 0xffff) : rep32(imm8 << 8 | 0xff);
    default: break;
    }
    if ((cmode & 1) == 0 && op == 0) return imm8 * 0x0101010101010101ull;
    if ((cmode & 1) == 0) {
        uint64_t v = 0;
        for (unsigned b = 0; b < 8; ++b)
            if ((imm8 >> b) & 1) v |= 0xffull << (8 * b);
        return v;
    }
    const uint64_t a = (imm8 >> 7) & 1, b = (imm8 >> 6) & 1, cdefgh = imm8 & 0x3f;
    if (op == 0) {
        const uint64_t s = a << 31 | (b ^ 1) << 30 | (b ? 0x1full << 25 : 0) | cdefgh << 19;
        return rep32(s);
    }
    return a << 63 | (b ^ 1) << 62 | (b ? 0xffull << 54 : 0) | cdefgh << 48;
}

// VFPExpandImm for single (size 2) and double (size 3).
uint64_t fp_expand_imm(unsigned size, uint64_t imm8) {
    const uint64_t v = simd_expand_imm(size == 3 ? 1 : 0, 0xf, imm8);
    return size == 3 ? v : (v & 0xffffffffu);
}

// Element size (log2) and index of a SIMD element from imm5; false when
// imm5 names no size.
bool elem_of(uint32_t imm5, unsigned& size, unsigned& index) {
    if ((imm5 & 0xf) == 0) return false;
    size = static_cast<unsigned>(__builtin_ctz(imm5));
    index = imm5 >> (size + 1);
    return true;
}

// The CONSTRAINED UNPREDICTABLE pairs this PE makes UNDEFINED: a load of
// both halves into one register, and writeback (bit 23) into a transfer
// register.
bool pair_ok(uint32_t r, bool load) {
    const uint32_t rt = bits(r, 4, 0), rn = bits(r, 9, 5), rt2 = bits(r, 14, 10);
    if (load && rt == rt2) return false;
    return !(bit(r, 23) && rn != 31 && (rn == rt || rn == rt2));
}

// Fill the operand fields; false when the encoding is reserved.
bool fields(Insn& in, Fmt fmt, uint32_t r) {
    const uint32_t rd = bits(r, 4, 0), rn = bits(r, 9, 5), rm = bits(r, 20, 16), ra = bits(r, 14, 10);
    const unsigned sf = bit(r, 31);
    in.size = static_cast<uint8_t>(sf);
    switch (fmt) {
    case Fmt::None: return true;
    case Fmt::Exc16: in.imm = bits(r, 20, 5); return true;
    case Fmt::SysReg:
        in.rd = bit(r, 21) ? rw(rd) : rz(rd);
        in.imm = bits(r, 20, 5);
        return true;
    case Fmt::MsrImm:
        in.amount = static_cast<uint8_t>(bits(r, 11, 8));
        in.aux = static_cast<uint16_t>(bits(r, 18, 16) << 3 | bits(r, 7, 5));
        return true;
    case Fmt::Barrier:
        in.amount = static_cast<uint8_t>(bits(r, 11, 8));
        in.aux = static_cast<uint16_t>(bits(r, 7, 5));
        return true;
    case Fmt::Hint: in.amount = static_cast<uint8_t>(bits(r, 11, 5)); return true;

    case Fmt::BImm26: in.imm = sext(bits(r, 25, 0), 26) * 4; return true;
    case Fmt::BCond:
        in.imm = sext(bits(r, 23, 5), 19) * 4;
        in.cond = static_cast<uint8_t>(bits(r, 3, 0));
        return true;
    case Fmt::CmpBr: in.rd = rz(rd); in.imm = sext(bits(r, 23, 5), 19) * 4; return true;
    case Fmt::TestBr:
        in.rd = rz(rd);
        in.amount = static_cast<uint8_t>(sf << 5 | bits(r, 23, 19));
        in.imm = sext(bits(r, 18, 5), 14) * 4;
        return true;
    case Fmt::BrReg: in.rn = rz(rn); return true;

    case Fmt::PcRel: in.rd = rw(rd); in.imm = sext(bits(r, 23, 5) << 2 | bits(r, 30, 29), 21); return true;
    case Fmt::PcRelPage:
        in.rd = rw(rd);
        in.imm = sext(bits(r, 23, 5) << 2 | bits(r, 30, 29), 21) * 4096;
        return true;
    case Fmt::AddImm: case Fmt::AddImmS:
        in.rd = fmt == Fmt::AddImm ? rsp(rd) : rw(rd);
        in.rn = rsp(rn);
        in.imm = static_cast<int64_t>(bits(r, 21, 10)) << (bit(r, 22) * 12);
        return true;
    case Fmt::LogImm: case Fmt::LogImmS: {
        in.rd = fmt == Fmt::LogImm ? rsp(rd) : rw(rd);
        in.rn = rz(rn);
        uint64_t m;
        if (!decode_bit_masks(bit(r, 22), bits(r, 15, 10), bits(r, 21, 16), sf ? 64 : 32, m)) return false;
        in.imm = static_cast<int64_t>(m);
        return true;
    }
    case Fmt::MovWide:
        in.rd = rw(rd);
        in.imm = bits(r, 20, 5);
        in.amount = static_cast<uint8_t>(bits(r, 22, 21) * 16);
        return true;
    case Fmt::Bitfield:
        in.rd = rw(rd);
        in.rn = rz(rn);
        in.aux = static_cast<uint16_t>(bits(r, 21, 16) | bits(r, 15, 10) << 8);
        return true;
    case Fmt::Extr:
        in.rd = rw(rd); in.rn = rz(rn); in.rm = rz(rm);
        in.amount = static_cast<uint8_t>(bits(r, 15, 10));
        return true;
    case Fmt::LogShift: case Fmt::AddShift:
        in.rd = rw(rd); in.rn = rz(rn); in.rm = rz(rm);
        in.shift = static_cast<uint8_t>(bits(r, 23, 22));
        in.amount = static_cast<uint8_t>(bits(r, 15, 10));
        return !(fmt == Fmt::AddShift && in.shift == 3);
    case Fmt::AddExt: case Fmt::AddExtS:
        in.rd = fmt == Fmt::AddExt ? rsp(rd) : rw(rd);
        in.rn = rsp(rn); in.rm = rz(rm);
        in.shift = static_cast<uint8_t>(bits(r, 15, 13));
        in.amount = static_cast<uint8_t>(bits(r, 12, 10));
        return in.amount <= 4;
    case Fmt::Reg2: in.rd = rw(rd); in.rn = rz(rn); return true;
    case Fmt::Reg3: in.rd = rw(rd); in.rn = rz(rn); in.rm = rz(rm); return true;
    case Fmt::Reg4: in.rd = rw(rd); in.rn = rz(rn); in.rm = rz(rm); in.ra = rz(ra); return true;
    case Fmt::CondSel:
        in.rd = rw(rd); in.rn = rz(rn); in.rm = rz(rm);
        in.cond = static_cast<uint8_t>(bits(r, 15, 12));
        return true;
    case Fmt::CondCmpReg: case Fmt::CondCmpImm:
        in.rn = rz(rn); in.rm = rz(rm);
        in.imm = rm;
        in.cond = static_cast<uint8_t>(bits(r, 15, 12));
        in.amount = static_cast<uint8_t>(bits(r, 3, 0));
        return true;

    // Loads and stores: size is the access size (log2).
    case Fmt::LdUImm: case Fmt::StUImm: case Fmt::PrfUImm:
        in.rd = fmt == Fmt::LdUImm ? rw(rd) : rz(rd);
        in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(bits(r, 31, 30));
        in.imm = static_cast<int64_t>(bits(r, 21, 10)) << in.size;
        return true;
    case Fmt::LdImm9: case Fmt::StImm9: case Fmt::PrfImm9:
        in.rd = fmt == Fmt::LdImm9 ? rw(rd) : rz(rd);
        in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(bits(r, 31, 30));
        in.imm = sext(bits(r, 20, 12), 9);
        // Writeback (pre/post-index, bit 10) into the transfer register is
        // CONSTRAINED UNPREDICTABLE; this PE makes it UNDEFINED.
        return !(bit(r, 10) && rn == rd && rn != 31);
    case Fmt::LdReg: case Fmt::StReg: case Fmt::PrfReg:
        in.rd = fmt == Fmt::LdReg ? rw(rd) : rz(rd);
        in.rn = rsp(rn); in.rm = rz(rm);
        in.size = static_cast<uint8_t>(bits(r, 31, 30));
        in.shift = static_cast<uint8_t>(bits(r, 15, 13));
        in.amount = static_cast<uint8_t>(bit(r, 12) ? in.size : 0);
        return (in.shift & 2) != 0;
    case Fmt::LdLit: case Fmt::PrfLit:
        in.rd = rw(rd);
        in.imm = sext(bits(r, 23, 5), 19) * 4;
        return true;
    case Fmt::LdPair: case Fmt::StPair: {
        const bool ld = fmt == Fmt::LdPair;
        in.rd = ld ? rw(rd) : rz(rd);
        in.ra = ld ? rw(ra) : rz(ra);
        in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(bits(r, 31, 30) == 2 ? 3 : 2);
        in.imm = sext(bits(r, 21, 15), 7) * (int64_t{1} << in.size);
        return pair_ok(r, ld);
    }
    case Fmt::FpUImm: case Fmt::FpImm9: case Fmt::FpReg: {
        in.rd = rz(rd);
        in.rn = rsp(rn);
        const unsigned sz = bits(r, 31, 30);
        in.size = static_cast<uint8_t>(bit(r, 23) && sz == 0 ? 4 : sz);
        if (fmt == Fmt::FpUImm) in.imm = static_cast<int64_t>(bits(r, 21, 10)) << in.size;
        else if (fmt == Fmt::FpImm9) in.imm = sext(bits(r, 20, 12), 9);
        else {
            in.rm = rz(rm);
            in.shift = static_cast<uint8_t>(bits(r, 15, 13));
            in.amount = static_cast<uint8_t>(bit(r, 12) ? in.size : 0);
            return (in.shift & 2) != 0;
        }
        return true;
    }
    case Fmt::FpLit:
        in.rd = rz(rd);
        in.size = static_cast<uint8_t>(2 + bits(r, 31, 30));
        in.imm = sext(bits(r, 23, 5), 19) * 4;
        return true;
    case Fmt::FpPair:
        in.rd = rz(rd); in.ra = rz(ra); in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(2 + bits(r, 31, 30));
        in.imm = sext(bits(r, 21, 15), 7) * (int64_t{1} << in.size);
        return !(bit(r, 22) && rd == ra);

    case Fmt::ExclLd:
        in.rd = rw(rd); in.ra = rw(ra); in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(bits(r, 31, 30));
        return !(bit(r, 21) && rd == ra);   // LDXP into one register: UNDEFINED here
    case Fmt::ExclSt:
        in.rd = rz(rd); in.ra = rz(ra); in.rn = rsp(rn); in.rm = rw(rm);
        in.size = static_cast<uint8_t>(bits(r, 31, 30));
        return true;
    case Fmt::Lse:
        in.rd = rw(rd); in.rm = rz(rm); in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(bits(r, 31, 30));
        return true;
    case Fmt::Cas:
        in.rd = rz(rd); in.rm = rz(rm); in.ra = rw(rm); in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(bits(r, 31, 30));
        return true;
    case Fmt::Casp:
        // Register pairs: the handler maps the odd halves (31 = XZR).
        in.rd = static_cast<uint8_t>(rd); in.rm = static_cast<uint8_t>(rm); in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(2 + bit(r, 30));
        return (rd & 1) == 0 && (rm & 1) == 0;

    case Fmt::SimdImm:
        in.rd = rz(rd);
        in.aux = static_cast<uint16_t>(bit(r, 30));
        in.imm = static_cast<int64_t>(simd_expand_imm(bit(r, 29), bits(r, 15, 12), bits(r, 18, 16) << 5 | bits(r, 9, 5)));
        return true;
    case Fmt::SimdDup: case Fmt::SimdDupElem: case Fmt::SimdIns: case Fmt::SimdToGen: case Fmt::SimdInsElem: {
        unsigned size, index;
        if (!elem_of(rm, size, index)) return false;
        const unsigned q = bit(r, 30);
        in.size = static_cast<uint8_t>(size);
        in.amount = static_cast<uint8_t>(index);
        in.aux = static_cast<uint16_t>(q);
        in.rd = rz(rd);
        in.rn = rz(rn);
        if (fmt == Fmt::SimdDup) return size <= 3 && !(size == 3 && !q);
        if (fmt == Fmt::SimdDupElem) return size <= 3 && !(size == 3 && !q);
        if (fmt == Fmt::SimdIns) return size <= 3;
        if (fmt == Fmt::SimdInsElem) {
            if (size > 3) return false;
            in.rm = static_cast<uint8_t>(bits(r, 14, 11) >> size);   // source index
            return true;
        }
        // UMOV (bit 12 set) and SMOV: the destination is Rd.
        in.rd = rw(rd);
        if (bit(r, 12)) return q ? size == 3 : size <= 2;
        return q ? size <= 2 : size <= 1;
    }
    case Fmt::Simd3:
        in.rd = rz(rd); in.rn = rz(rn); in.rm = rz(rm);
        in.aux = static_cast<uint16_t>(bit(r, 30));
        return true;
    case Fmt::FmovToFp: in.rd = rz(rd); in.rn = rz(rn); return true;
    case Fmt::FmovToGen: in.rd = rw(rd); in.rn = rz(rn); return true;
    case Fmt::FpReg2: in.rd = rz(rd); in.rn = rz(rn); return true;
    case Fmt::FpImm:
        in.rd = rz(rd);
        in.size = static_cast<uint8_t>(bit(r, 22) ? 3 : 2);
        in.imm = static_cast<int64_t>(fp_expand_imm(in.size, bits(r, 20, 13)));
        return true;
    case Fmt::LdStMulti: case Fmt::LdStMultiPost: {
        // Registers per opcode: LD4 0000, LD1x4 0010, LD3 0100, LD1x3 0110,
        // LD1x1 0111, LD2 1000, LD1x2 1010.
        static constexpr uint8_t kRegs[16] = {4, 0, 4, 0, 3, 0, 3, 1, 2, 0, 2, 0, 0, 0, 0, 0};
        const unsigned op = bits(r, 15, 12);
        in.rd = rz(rd);
        in.rn = rsp(rn);
        in.size = static_cast<uint8_t>(bits(r, 11, 10));
        in.aux = static_cast<uint16_t>(bit(r, 30));
        in.amount = kRegs[op];
        in.rm = rz(rm);
        in.imm = int64_t{in.amount} * (bit(r, 30) ? 16 : 8);
        // LD2-LD4/ST2-ST4 have no 1D arrangement.
        if ((op == 0 || op == 4 || op == 8) && in.size == 3 && !bit(r, 30)) return false;
        return in.amount != 0;
    }
    case Fmt::LdStSingle: case Fmt::LdStSinglePost: {
        // amount = structure elements (1-4), size = log2 element bytes,
        // aux = lane index (or Q for the replicating forms), imm = the
        // post-index by immediate.
        const unsigned opc = bits(r, 15, 13), s_bit = bit(r, 12), sz = bits(r, 11, 10), q = bit(r, 30);
        in.rd = rz(rd);
        in.rn = rsp(rn);
        in.rm = rz(rm);
        in.amount = static_cast<uint8_t>((((opc & 1) << 1) | bit(r, 21)) + 1);
        switch (opc >> 1) {
        case 0: in.size = 0; in.aux = static_cast<uint16_t>(q << 3 | s_bit << 2 | sz); break;
        case 1: in.size = 1; in.aux = static_cast<uint16_t>(q << 2 | s_bit << 1 | (sz >> 1)); break;
        case 2:
            if (sz == 0) { in.size = 2; in.aux = static_cast<uint16_t>(q << 1 | s_bit); }
            else { in.size = 3; in.aux = static_cast<uint16_t>(q); }
            break;
        default: in.size = static_cast<uint8_t>(sz); in.aux = static_cast<uint16_t>(q); break;
        }
        in.imm = int64_t{in.amount} << in.size;
        return true;
    }
    }
    return false;
}

// Loads and stores whose rn is their base address (not prefetches, whose
// SP base is exempt from the SP alignment check, and not literal loads).
bool sp_based_access(Fmt f) {
    switch (f) {
    case Fmt::LdUImm: case Fmt::StUImm: case Fmt::LdImm9: case Fmt::StImm9: case Fmt::LdReg: case Fmt::StReg:
    case Fmt::LdPair: case Fmt::StPair: case Fmt::FpUImm: case Fmt::FpImm9: case Fmt::FpReg: case Fmt::FpPair:
    case Fmt::ExclLd: case Fmt::ExclSt: case Fmt::Lse: case Fmt::Cas: case Fmt::Casp:
    case Fmt::LdStMulti: case Fmt::LdStMultiPost: case Fmt::LdStSingle: case Fmt::LdStSinglePost:
        return true;
    default: return false;
    }
}

Insn undefined_insn(uint32_t raw) {
    Insn in{};
    in.fn = &op_undefined;
    in.raw = raw;
    in.id = kInvalidId;
    return in;
}

} // namespace

const InsnDesc* insn_table() { return kTable; }
unsigned insn_table_size() { return kTableSize; }

Insn decode(uint32_t raw) {
    for (uint16_t id : index().bucket[raw >> kKeyShift]) {
        const InsnDesc& d = kTable[id];
        if ((raw & d.mask) != d.match) continue;
        Insn in{};
        in.fn = d.fn;
        in.raw = raw;
        in.id = id;
        if (!fields(in, static_cast<Fmt>(d.fmt), raw)) return undefined_insn(raw);
        if (in.rn == kSp && sp_based_access(static_cast<Fmt>(d.fmt))) in.fn = &op_sp_checked;
        return in;
    }
    return undefined_insn(raw);
}

} // namespace hvemu::arm
