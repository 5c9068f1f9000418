// A64 data processing (immediate and register): arithmetic, logic, moves,
// bitfields, shifts, conditional select/compare, multiply/divide, CRC32.
// 32-bit forms compute on the low halves and zero-extend the result.
#include "isa/arm64/alu.hpp"

namespace hvemu::arm {

namespace {

__extension__ using u128 = unsigned __int128;
__extension__ using i128 = __int128;

template <bool X> uint64_t ones_mask(unsigned n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }

template <bool X, bool Sub, bool S> uint64_t add_sub(Pe& h, const Insn& i, uint64_t b, uint64_t pc) {
    uint32_t nzcv;
    const uint64_t r = add_with_carry<X>(h.x[i.rn], Sub ? ~b : b, Sub ? 1 : 0, nzcv);
    h.x[i.rd] = wrap<X>(r);
    if constexpr (S) set_nzcv(h, nzcv);
    return NEXT;
}

enum class Logic { And, Orr, Eor };
template <bool X, Logic Op, bool S> uint64_t logic(Pe& h, const Insn& i, uint64_t b, uint64_t pc) {
    const uint64_t a = h.x[i.rn];
    uint64_t r = Op == Logic::And ? (a & b) : Op == Logic::Orr ? (a | b) : (a ^ b);
    r = wrap<X>(r);
    h.x[i.rd] = r;
    if constexpr (S) set_nzcv(h, logic_flags<X>(r));
    return NEXT;
}

// SBFM/BFM/UBFM: immr = R, imms = S. S >= R extracts bits S:R to the
// bottom (SBFX/BFXIL/UBFX); S < R inserts bits S:0 at datasize - R
// (SBFIZ/BFI/UBFIZ).
enum class Bf { Signed, Insert, Unsigned };
template <bool X, Bf K> uint64_t bitfield(Pe& h, const Insn& i, uint64_t pc) {
    constexpr unsigned kBits = X ? 64 : 32;
    const unsigned r = i.aux & 0x3f, s = i.aux >> 8;
    const uint64_t src = wrap<X>(h.x[i.rn]);
    unsigned width, pos;
    uint64_t field;
    if (s >= r) {
        width = s - r + 1;
        pos = 0;
        field = (src >> r) & ones_mask<X>(width);
    } else {
        width = s + 1;
        pos = kBits - r;
        field = src & ones_mask<X>(width);
    }
    const uint64_t fmask = ones_mask<X>(width) << pos;
    uint64_t res;
    if constexpr (K == Bf::Insert) {
        res = (wrap<X>(h.x[i.rd]) & ~fmask) | (field << pos);
    } else {
        res = field << pos;
        if (K == Bf::Signed && ((field >> (width - 1)) & 1)) res |= ~ones_mask<X>(pos + width);
    }
    h.x[i.rd] = wrap<X>(res);
    return NEXT;
}

template <bool X> uint64_t extr(Pe& h, const Insn& i, uint64_t pc) {
    const unsigned lsb = i.amount;
    if constexpr (X) {
        const uint64_t lo = h.x[i.rm], hi = h.x[i.rn];
        h.x[i.rd] = lsb == 0 ? lo : (lo >> lsb) | (hi << (64 - lsb));
    } else {
        const uint64_t cat = (h.x[i.rn] << 32) | static_cast<uint32_t>(h.x[i.rm]);
        h.x[i.rd] = static_cast<uint32_t>(cat >> lsb);
    }
    return NEXT;
}

template <bool X, bool Sub, bool S> uint64_t adc_sbc(Pe& h, const Insn& i, uint64_t pc) {
    uint32_t nzcv;
    const uint64_t b = h.x[i.rm];
    const uint64_t r = add_with_carry<X>(h.x[i.rn], Sub ? ~b : b, (h.pstate.nzcv >> 29) & 1, nzcv);
    h.x[i.rd] = wrap<X>(r);
    if constexpr (S) set_nzcv(h, nzcv);
    return NEXT;
}

// CCMP/CCMN: the comparison's flags if the condition holds, else #nzcv.
template <bool X, bool Sub, bool Imm> uint64_t ccmp(Pe& h, const Insn& i, uint64_t pc) {
    if (cond_holds(h.pstate.nzcv, i.cond)) {
        const uint64_t b = Imm ? static_cast<uint64_t>(i.imm) : h.x[i.rm];
        uint32_t nzcv;
        add_with_carry<X>(h.x[i.rn], Sub ? ~b : b, Sub ? 1 : 0, nzcv);
        set_nzcv(h, nzcv);
    } else {
        set_nzcv(h, static_cast<uint32_t>(i.amount) << 28);
    }
    return NEXT;
}

enum class Sel { Sel, Inc, Inv, Neg };
template <bool X, Sel K> uint64_t csel(Pe& h, const Insn& i, uint64_t pc) {
    uint64_t r;
    if (cond_holds(h.pstate.nzcv, i.cond)) {
        r = h.x[i.rn];
    } else {
        const uint64_t m = h.x[i.rm];
        r = K == Sel::Sel ? m : K == Sel::Inc ? m + 1 : K == Sel::Inv ? ~m : 0 - m;
    }
    h.x[i.rd] = wrap<X>(r);
    return NEXT;
}

template <bool X, bool Signed> uint64_t div(Pe& h, const Insn& i, uint64_t pc) {
    // Division by zero gives 0; the most negative value / -1 wraps.
    if constexpr (X) {
        const uint64_t a = h.x[i.rn], b = h.x[i.rm];
        uint64_t r;
        if (b == 0) r = 0;
        else if (!Signed) r = a / b;
        else if (a == (1ull << 63) && b == ~0ull) r = a;
        else r = static_cast<uint64_t>(static_cast<int64_t>(a) / static_cast<int64_t>(b));
        h.x[i.rd] = r;
    } else {
        const uint32_t a = static_cast<uint32_t>(h.x[i.rn]), b = static_cast<uint32_t>(h.x[i.rm]);
        uint32_t r;
        if (b == 0) r = 0;
        else if (!Signed) r = a / b;
        else if (a == (1u << 31) && b == ~0u) r = a;
        else r = static_cast<uint32_t>(static_cast<int32_t>(a) / static_cast<int32_t>(b));
        h.x[i.rd] = r;
    }
    return NEXT;
}

template <bool X> uint64_t shiftv(Pe& h, const Insn& i, unsigned type, uint64_t pc) {
    h.x[i.rd] = shift_reg<X>(h.x[i.rn], type, static_cast<unsigned>(h.x[i.rm] & (X ? 63 : 31)));
    return NEXT;
}

// CRC32/CRC32C over `bytes` bytes of the value, reflected, no inversion.
uint64_t crc32(Pe& h, const Insn& i, unsigned bytes, uint32_t poly, uint64_t pc) {
    uint32_t crc = static_cast<uint32_t>(h.x[i.rn]);
    const uint64_t val = h.x[i.rm];
    for (unsigned b = 0; b < bytes; ++b) {
        crc ^= static_cast<uint8_t>(val >> (8 * b));
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (poly & (0u - (crc & 1)));
    }
    h.x[i.rd] = crc;
    return NEXT;
}
constexpr uint32_t kCrc32 = 0xEDB88320u, kCrc32c = 0x82F63B78u;

uint64_t rbit64(uint64_t v) {
    uint64_t r = 0;
    for (int b = 0; b < 64; ++b) r |= ((v >> b) & 1) << (63 - b);
    return r;
}
uint64_t rev16(uint64_t v) { return ((v & 0x00ff00ff00ff00ffull) << 8) | ((v >> 8) & 0x00ff00ff00ff00ffull); }
uint64_t rev32(uint64_t v) {
    return (static_cast<uint64_t>(__builtin_bswap32(static_cast<uint32_t>(v >> 32))) << 32) |
           __builtin_bswap32(static_cast<uint32_t>(v));
}

template <bool X> uint64_t clz(uint64_t v) {
    if constexpr (X) return v == 0 ? 64 : static_cast<uint64_t>(__builtin_clzll(v));
    else return static_cast<uint32_t>(v) == 0 ? 32 : static_cast<uint64_t>(__builtin_clz(static_cast<uint32_t>(v)));
}
// CountLeadingSignBits: leading bits below the sign bit equal to it.
template <bool X> uint64_t cls(uint64_t v) {
    if constexpr (X) return static_cast<uint64_t>(__builtin_clzll((v ^ (v << 1)) | 1));
    else {
        const uint32_t w = static_cast<uint32_t>(v);
        return static_cast<uint64_t>(__builtin_clz((w ^ (w << 1)) | 1));
    }
}

} // namespace

// ---- PC-relative, immediate forms --------------------------------------------

A64_OP(adr) { h.x[i.rd] = pc + static_cast<uint64_t>(i.imm); return NEXT; }
A64_OP(adrp) { h.x[i.rd] = (pc & ~0xfffull) + static_cast<uint64_t>(i.imm); return NEXT; }

#define IMM (static_cast<uint64_t>(i.imm))
A64_OP(add_imm_w) { return add_sub<false, false, false>(h, i, IMM, pc); }
A64_OP(adds_imm_w) { return add_sub<false, false, true>(h, i, IMM, pc); }
A64_OP(sub_imm_w) { return add_sub<false, true, false>(h, i, IMM, pc); }
A64_OP(subs_imm_w) { return add_sub<false, true, true>(h, i, IMM, pc); }
A64_OP(add_imm_x) { return add_sub<true, false, false>(h, i, IMM, pc); }
A64_OP(adds_imm_x) { return add_sub<true, false, true>(h, i, IMM, pc); }
A64_OP(sub_imm_x) { return add_sub<true, true, false>(h, i, IMM, pc); }
A64_OP(subs_imm_x) { return add_sub<true, true, true>(h, i, IMM, pc); }

A64_OP(and_imm_w) { return logic<false, Logic::And, false>(h, i, IMM, pc); }
A64_OP(orr_imm_w) { return logic<false, Logic::Orr, false>(h, i, IMM, pc); }
A64_OP(eor_imm_w) { return logic<false, Logic::Eor, false>(h, i, IMM, pc); }
A64_OP(ands_imm_w) { return logic<false, Logic::And, true>(h, i, IMM, pc); }
A64_OP(and_imm_x) { return logic<true, Logic::And, false>(h, i, IMM, pc); }
A64_OP(orr_imm_x) { return logic<true, Logic::Orr, false>(h, i, IMM, pc); }
A64_OP(eor_imm_x) { return logic<true, Logic::Eor, false>(h, i, IMM, pc); }
A64_OP(ands_imm_x) { return logic<true, Logic::And, true>(h, i, IMM, pc); }

A64_OP(movn_w) { h.x[i.rd] = static_cast<uint32_t>(~(IMM << i.amount)); return NEXT; }
A64_OP(movz_w) { h.x[i.rd] = static_cast<uint32_t>(IMM << i.amount); return NEXT; }
A64_OP(movk_w) {
    h.x[i.rd] = static_cast<uint32_t>((h.x[i.rd] & ~(0xffffull << i.amount)) | (IMM << i.amount));
    return NEXT;
}
A64_OP(movn_x) { h.x[i.rd] = ~(IMM << i.amount); return NEXT; }
A64_OP(movz_x) { h.x[i.rd] = IMM << i.amount; return NEXT; }
A64_OP(movk_x) { h.x[i.rd] = (h.x[i.rd] & ~(0xffffull << i.amount)) | (IMM << i.amount); return NEXT; }
#undef IMM

A64_OP(sbfm_w) { return bitfield<false, Bf::Signed>(h, i, pc); }
A64_OP(bfm_w) { return bitfield<false, Bf::Insert>(h, i, pc); }
A64_OP(ubfm_w) { return bitfield<false, Bf::Unsigned>(h, i, pc); }
A64_OP(sbfm_x) { return bitfield<true, Bf::Signed>(h, i, pc); }
A64_OP(bfm_x) { return bitfield<true, Bf::Insert>(h, i, pc); }
A64_OP(ubfm_x) { return bitfield<true, Bf::Unsigned>(h, i, pc); }
A64_OP(extr_w) { return extr<false>(h, i, pc); }
A64_OP(extr_x) { return extr<true>(h, i, pc); }

// ---- register forms ------------------------------------------------------------

#define SHIFTED(X) shift_reg<X>(h.x[i.rm], i.shift, i.amount)
A64_OP(and_w) { return logic<false, Logic::And, false>(h, i, SHIFTED(false), pc); }
A64_OP(bic_w) { return logic<false, Logic::And, false>(h, i, ~SHIFTED(false), pc); }
A64_OP(orr_w) { return logic<false, Logic::Orr, false>(h, i, SHIFTED(false), pc); }
A64_OP(orn_w) { return logic<false, Logic::Orr, false>(h, i, ~SHIFTED(false), pc); }
A64_OP(eor_w) { return logic<false, Logic::Eor, false>(h, i, SHIFTED(false), pc); }
A64_OP(eon_w) { return logic<false, Logic::Eor, false>(h, i, ~SHIFTED(false), pc); }
A64_OP(ands_w) { return logic<false, Logic::And, true>(h, i, SHIFTED(false), pc); }
A64_OP(bics_w) { return logic<false, Logic::And, true>(h, i, ~SHIFTED(false), pc); }
A64_OP(and_x) { return logic<true, Logic::And, false>(h, i, SHIFTED(true), pc); }
A64_OP(bic_x) { return logic<true, Logic::And, false>(h, i, ~SHIFTED(true), pc); }
A64_OP(orr_x) { return logic<true, Logic::Orr, false>(h, i, SHIFTED(true), pc); }
A64_OP(orn_x) { return logic<true, Logic::Orr, false>(h, i, ~SHIFTED(true), pc); }
A64_OP(eor_x) { return logic<true, Logic::Eor, false>(h, i, SHIFTED(true), pc); }
A64_OP(eon_x) { return logic<true, Logic::Eor, false>(h, i, ~SHIFTED(true), pc); }
A64_OP(ands_x) { return logic<true, Logic::And, true>(h, i, SHIFTED(true), pc); }
A64_OP(bics_x) { return logic<true, Logic::And, true>(h, i, ~SHIFTED(true), pc); }

A64_OP(add_w) { return add_sub<false, false, false>(h, i, SHIFTED(false), pc); }
A64_OP(adds_w) { return add_sub<false, false, true>(h, i, SHIFTED(false), pc); }
A64_OP(sub_w) { return add_sub<false, true, false>(h, i, SHIFTED(false), pc); }
A64_OP(subs_w) { return add_sub<false, true, true>(h, i, SHIFTED(false), pc); }
A64_OP(add_x) { return add_sub<true, false, false>(h, i, SHIFTED(true), pc); }
A64_OP(adds_x) { return add_sub<true, false, true>(h, i, SHIFTED(true), pc); }
A64_OP(sub_x) { return add_sub<true, true, false>(h, i, SHIFTED(true), pc); }
A64_OP(subs_x) { return add_sub<true, true, true>(h, i, SHIFTED(true), pc); }
#undef SHIFTED

#define EXTENDED extend_reg(h.x[i.rm], i.shift, i.amount)
A64_OP(add_ext_w) { return add_sub<false, false, false>(h, i, EXTENDED, pc); }
A64_OP(adds_ext_w) { return add_sub<false, false, true>(h, i, EXTENDED, pc); }
A64_OP(sub_ext_w) { return add_sub<false, true, false>(h, i, EXTENDED, pc); }
A64_OP(subs_ext_w) { return add_sub<false, true, true>(h, i, EXTENDED, pc); }
A64_OP(add_ext_x) { return add_sub<true, false, false>(h, i, EXTENDED, pc); }
A64_OP(adds_ext_x) { return add_sub<true, false, true>(h, i, EXTENDED, pc); }
A64_OP(sub_ext_x) { return add_sub<true, true, false>(h, i, EXTENDED, pc); }
A64_OP(subs_ext_x) { return add_sub<true, true, true>(h, i, EXTENDED, pc); }
#undef EXTENDED

A64_OP(adc_w) { return adc_sbc<false, false, false>(h, i, pc); }
A64_OP(adcs_w) { return adc_sbc<false, false, true>(h, i, pc); }
A64_OP(sbc_w) { return adc_sbc<false, true, false>(h, i, pc); }
A64_OP(sbcs_w) { return adc_sbc<false, true, true>(h, i, pc); }
A64_OP(adc_x) { return adc_sbc<true, false, false>(h, i, pc); }
A64_OP(adcs_x) { return adc_sbc<true, false, true>(h, i, pc); }
A64_OP(sbc_x) { return adc_sbc<true, true, false>(h, i, pc); }
A64_OP(sbcs_x) { return adc_sbc<true, true, true>(h, i, pc); }

A64_OP(ccmn_w) { return ccmp<false, false, false>(h, i, pc); }
A64_OP(ccmp_w) { return ccmp<false, true, false>(h, i, pc); }
A64_OP(ccmn_x) { return ccmp<true, false, false>(h, i, pc); }
A64_OP(ccmp_x) { return ccmp<true, true, false>(h, i, pc); }
A64_OP(ccmn_imm_w) { return ccmp<false, false, true>(h, i, pc); }
A64_OP(ccmp_imm_w) { return ccmp<false, true, true>(h, i, pc); }
A64_OP(ccmn_imm_x) { return ccmp<true, false, true>(h, i, pc); }
A64_OP(ccmp_imm_x) { return ccmp<true, true, true>(h, i, pc); }

A64_OP(csel_w) { return csel<false, Sel::Sel>(h, i, pc); }
A64_OP(csinc_w) { return csel<false, Sel::Inc>(h, i, pc); }
A64_OP(csinv_w) { return csel<false, Sel::Inv>(h, i, pc); }
A64_OP(csneg_w) { return csel<false, Sel::Neg>(h, i, pc); }
A64_OP(csel_x) { return csel<true, Sel::Sel>(h, i, pc); }
A64_OP(csinc_x) { return csel<true, Sel::Inc>(h, i, pc); }
A64_OP(csinv_x) { return csel<true, Sel::Inv>(h, i, pc); }
A64_OP(csneg_x) { return csel<true, Sel::Neg>(h, i, pc); }

A64_OP(udiv_w) { return div<false, false>(h, i, pc); }
A64_OP(sdiv_w) { return div<false, true>(h, i, pc); }
A64_OP(udiv_x) { return div<true, false>(h, i, pc); }
A64_OP(sdiv_x) { return div<true, true>(h, i, pc); }
A64_OP(lslv_w) { return shiftv<false>(h, i, 0, pc); }
A64_OP(lsrv_w) { return shiftv<false>(h, i, 1, pc); }
A64_OP(asrv_w) { return shiftv<false>(h, i, 2, pc); }
A64_OP(rorv_w) { return shiftv<false>(h, i, 3, pc); }
A64_OP(lslv_x) { return shiftv<true>(h, i, 0, pc); }
A64_OP(lsrv_x) { return shiftv<true>(h, i, 1, pc); }
A64_OP(asrv_x) { return shiftv<true>(h, i, 2, pc); }
A64_OP(rorv_x) { return shiftv<true>(h, i, 3, pc); }

A64_OP(crc32b) { return crc32(h, i, 1, kCrc32, pc); }
A64_OP(crc32h) { return crc32(h, i, 2, kCrc32, pc); }
A64_OP(crc32w) { return crc32(h, i, 4, kCrc32, pc); }
A64_OP(crc32x) { return crc32(h, i, 8, kCrc32, pc); }
A64_OP(crc32cb) { return crc32(h, i, 1, kCrc32c, pc); }
A64_OP(crc32ch) { return crc32(h, i, 2, kCrc32c, pc); }
A64_OP(crc32cw) { return crc32(h, i, 4, kCrc32c, pc); }
A64_OP(crc32cx) { return crc32(h, i, 8, kCrc32c, pc); }

A64_OP(rbit_w) { h.x[i.rd] = rbit64(h.x[i.rn]) >> 32; return NEXT; }
A64_OP(rev16_w) { h.x[i.rd] = static_cast<uint32_t>(rev16(h.x[i.rn])); return NEXT; }
A64_OP(rev_w) { h.x[i.rd] = __builtin_bswap32(static_cast<uint32_t>(h.x[i.rn])); return NEXT; }
A64_OP(clz_w) { h.x[i.rd] = clz<false>(h.x[i.rn]); return NEXT; }
A64_OP(cls_w) { h.x[i.rd] = cls<false>(h.x[i.rn]); return NEXT; }
A64_OP(rbit_x) { h.x[i.rd] = rbit64(h.x[i.rn]); return NEXT; }
A64_OP(rev16_x) { h.x[i.rd] = rev16(h.x[i.rn]); return NEXT; }
A64_OP(rev32_x) { h.x[i.rd] = rev32(h.x[i.rn]); return NEXT; }
A64_OP(rev_x) { h.x[i.rd] = __builtin_bswap64(h.x[i.rn]); return NEXT; }
A64_OP(clz_x) { h.x[i.rd] = clz<true>(h.x[i.rn]); return NEXT; }
A64_OP(cls_x) { h.x[i.rd] = cls<true>(h.x[i.rn]); return NEXT; }

A64_OP(madd_w) { h.x[i.rd] = static_cast<uint32_t>(h.x[i.ra] + h.x[i.rn] * h.x[i.rm]); return NEXT; }
A64_OP(msub_w) { h.x[i.rd] = static_cast<uint32_t>(h.x[i.ra] - h.x[i.rn] * h.x[i.rm]); return NEXT; }
A64_OP(madd_x) { h.x[i.rd] = h.x[i.ra] + h.x[i.rn] * h.x[i.rm]; return NEXT; }
A64_OP(msub_x) { h.x[i.rd] = h.x[i.ra] - h.x[i.rn] * h.x[i.rm]; return NEXT; }
#define SW(r) static_cast<int64_t>(static_cast<int32_t>(h.x[r]))
#define UW(r) static_cast<uint64_t>(static_cast<uint32_t>(h.x[r]))
A64_OP(smaddl) { h.x[i.rd] = h.x[i.ra] + static_cast<uint64_t>(SW(i.rn) * SW(i.rm)); return NEXT; }
A64_OP(smsubl) { h.x[i.rd] = h.x[i.ra] - static_cast<uint64_t>(SW(i.rn) * SW(i.rm)); return NEXT; }
A64_OP(umaddl) { h.x[i.rd] = h.x[i.ra] + UW(i.rn) * UW(i.rm); return NEXT; }
A64_OP(umsubl) { h.x[i.rd] = h.x[i.ra] - UW(i.rn) * UW(i.rm); return NEXT; }
#undef SW
#undef UW
A64_OP(smulh) {
    const i128 p = static_cast<i128>(static_cast<int64_t>(h.x[i.rn])) * static_cast<int64_t>(h.x[i.rm]);
    h.x[i.rd] = static_cast<uint64_t>(p >> 64);
    return NEXT;
}
A64_OP(umulh) {
    const u128 p = static_cast<u128>(h.x[i.rn]) * h.x[i.rm];
    h.x[i.rd] = static_cast<uint64_t>(p >> 64);
    return NEXT;
}

} // namespace hvemu::arm
