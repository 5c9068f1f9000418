// A64 FP/SIMD register loads and stores (every addressing mode, pairs,
// LD1/ST1 multiple structures) and the moves compilers emit for copies and
// constants (MOVI/MVNI/ORR/BIC immediate, DUP, INS, UMOV/SMOV, vector
// logic, FMOV). Every handler first checks that FP/SIMD is enabled; the
// accesses report no instruction syndrome. Writing a B/H/S/D register or a
// 64-bit vector zeroes the rest of the 128-bit register.
#include "isa/arm64/alu.hpp"

namespace hvemu::arm {

namespace {

#define FP_CHECK()                             \
    do {                                       \
        if (!h.fp_enabled(pc)) return h.pc;    \
    } while (0)

enum class Mode { Off, Post, Pre, Reg, Lit };

template <Mode K> uint64_t address(Pe& h, const Insn& i, uint64_t pc) {
    if constexpr (K == Mode::Post) return h.x[i.rn];
    else if constexpr (K == Mode::Reg) return h.x[i.rn] + extend_reg(h.x[i.rm], i.shift, i.amount);
    else if constexpr (K == Mode::Lit) return pc + static_cast<uint64_t>(i.imm);
    else return h.x[i.rn] + static_cast<uint64_t>(i.imm);
}

template <Mode K> void writeback(Pe& h, const Insn& i, uint64_t va) {
    if constexpr (K == Mode::Post) h.x[i.rn] = va + static_cast<uint64_t>(i.imm);
    else if constexpr (K == Mode::Pre) h.x[i.rn] = va;
}

// One register's worth of memory (Bytes = 1..16) into lo/hi.
template <unsigned Bytes> bool read_reg(Pe& h, uint64_t va, uint64_t& lo, uint64_t& hi) {
    hi = 0;
    if constexpr (Bytes == 1) { uint8_t v; if (!h.load<uint8_t>(va, v)) return false; lo = v; }
    else if constexpr (Bytes == 2) { uint16_t v; if (!h.load<uint16_t>(va, v)) return false; lo = v; }
    else if constexpr (Bytes == 4) { uint32_t v; if (!h.load<uint32_t>(va, v)) return false; lo = v; }
    else if constexpr (Bytes == 8) { if (!h.load<uint64_t>(va, lo)) return false; }
    else { if (!h.load<uint64_t>(va, lo) || !h.load<uint64_t>(va + 8, hi)) return false; }
    return true;
}

template <unsigned Bytes> bool write_reg(Pe& h, uint64_t va, const uint64_t* r) {
    if constexpr (Bytes == 1) return h.store<uint8_t>(va, static_cast<uint8_t>(r[0]));
    else if constexpr (Bytes == 2) return h.store<uint16_t>(va, static_cast<uint16_t>(r[0]));
    else if constexpr (Bytes == 4) return h.store<uint32_t>(va, static_cast<uint32_t>(r[0]));
    else if constexpr (Bytes == 8) return h.store<uint64_t>(va, r[0]);
    else return h.store<uint64_t>(va, r[0]) && h.store<uint64_t>(va + 8, r[1]);
}

template <unsigned Bytes, Mode K> uint64_t fp_load(Pe& h, const Insn& i, uint64_t pc) {
    FP_CHECK();
    const uint64_t va = address<K>(h, i, pc);
    h.syn.valid = false;
    uint64_t lo, hi;
    if (!read_reg<Bytes>(h, va, lo, hi)) return h.pc;
    writeback<K>(h, i, va);
    h.v[i.rd][0] = lo;
    h.v[i.rd][1] = hi;
    return NEXT;
}

template <unsigned Bytes, Mode K> uint64_t fp_store(Pe& h, const Insn& i, uint64_t pc) {
    FP_CHECK();
    const uint64_t va = address<K>(h, i, pc);
    h.syn.valid = false;
    if (!write_reg<Bytes>(h, va, h.v[i.rd])) return h.pc;
    writeback<K>(h, i, va);
    return NEXT;
}

template <unsigned Bytes, Mode K> uint64_t fp_load_pair(Pe& h, const Insn& i, uint64_t pc) {
    FP_CHECK();
    const uint64_t va = address<K>(h, i, pc);
    h.syn.valid = false;
    uint64_t l1, h1, l2, h2;
    if (!read_reg<Bytes>(h, va, l1, h1) || !read_reg<Bytes>(h, va + Bytes, l2, h2)) return h.pc;
    writeback<K>(h, i, va);
    h.v[i.rd][0] = l1;
    h.v[i.rd][1] = h1;
    h.v[i.ra][0] = l2;
    h.v[i.ra][1] = h2;
    return NEXT;
}

template <unsigned Bytes, Mode K> uint64_t fp_store_pair(Pe& h, const Insn& i, uint64_t pc) {
    FP_CHECK();
    const uint64_t va = address<K>(h, i, pc);
    h.syn.valid = false;
    if (!write_reg<Bytes>(h, va, h.v[i.rd]) || !write_reg<Bytes>(h, va + Bytes, h.v[i.ra])) return h.pc;
    writeback<K>(h, i, va);
    return NEXT;
}

// ---- elements ---------------------------------------------------------------

uint64_t elem_mask(unsigned size) { return size >= 3 ? ~0ull : (1ull << (8u << size)) - 1; }

uint64_t get_elem(const Pe& h, unsigned r, unsigned size, unsigned idx) {
    const unsigned bit = idx << (size + 3);   // bit offset within 128
    return (h.v[r][bit >> 6] >> (bit & 63)) & elem_mask(size);
}

void set_elem(Pe& h, unsigned r, unsigned size, unsigned idx, uint64_t val) {
    const unsigned bit = idx << (size + 3);
    uint64_t& w = h.v[r][bit >> 6];
    const uint64_t m = elem_mask(size) << (bit & 63);
    w = (w & ~m) | ((val << (bit & 63)) & m);
}

uint64_t replicate(uint64_t val, unsigned size) {
    static constexpr uint64_t kRep[4] = {0x0101010101010101ull, 0x0001000100010001ull, 0x0000000100000001ull, 1};
    return (val & elem_mask(size)) * kRep[size];
}

void set_vec(Pe& h, const Insn& i, uint64_t lo, uint64_t hi) {
    h.v[i.rd][0] = lo;
    h.v[i.rd][1] = i.aux ? hi : 0;
}

// LD1/ST1 (multiple structures): `amount` consecutive registers (mod 32),
// each 8 or 16 bytes of contiguous memory; little-endian, so the element
// size does not matter. Post-index adds Rm, or the total size when Rm = 31.
template <bool Load, bool Post> uint64_t ldst1(Pe& h, const Insn& i, uint64_t pc) {
    FP_CHECK();
    h.syn.valid = false;
    const uint64_t va = h.x[i.rn];
    const bool q = i.aux;
    const unsigned bytes = q ? 16 : 8;
    uint64_t tmp[4][2];
    for (unsigned k = 0; k < i.amount; ++k) {
        const unsigned r = (i.rd + k) & 31;
        const uint64_t a = va + k * bytes;
        if constexpr (Load) {
            bool ok = q ? read_reg<16>(h, a, tmp[k][0], tmp[k][1]) : read_reg<8>(h, a, tmp[k][0], tmp[k][1]);
            if (!ok) return h.pc;
        } else {
            bool ok = q ? write_reg<16>(h, a, h.v[r]) : write_reg<8>(h, a, h.v[r]);
            if (!ok) return h.pc;
        }
    }
    if constexpr (Load)
        for (unsigned k = 0; k < i.amount; ++k) {
            const unsigned r = (i.rd + k) & 31;
            h.v[r][0] = tmp[k][0];
            h.v[r][1] = tmp[k][1];
        }
    if constexpr (Post) h.x[i.rn] = va + (i.rm == 31 ? static_cast<uint64_t>(i.imm) : h.x[i.rm]);
    return NEXT;
}



// An element of a 128-bit value held outside the register file.
void set_elem_of(uint64_t (&v)[2], unsigned size, unsigned idx, uint64_t val) {
    const unsigned bit = idx << (size + 3);
    uint64_t& w = v[bit >> 6];
    const uint64_t m = elem_mask(size) << (bit & 63);
    w = (w & ~m) | ((val << (bit & 63)) & m);
}

bool load_elem(Pe& h, uint64_t va, unsigned size, uint64_t& out) {
    switch (size) {
    case 0: { uint8_t v; if (!h.load<uint8_t>(va, v)) return false; out = v; return true; }
    case 1: { uint16_t v; if (!h.load<uint16_t>(va, v)) return false; out = v; return true; }
    case 2: { uint32_t v; if (!h.load<uint32_t>(va, v)) return false; out = v; return true; }
    default: return h.load<uint64_t>(va, out);
    }
}
bool store_elem(Pe& h, uint64_t va, unsigned size, uint64_t val) {
    switch (size) {
    case 0: return h.store<uint8_t>(va, static_cast<uint8_t>(val));
    case 1: return h.store<uint16_t>(va, static_cast<uint16_t>(val));
    case 2: return h.store<uint32_t>(va, static_cast<uint32_t>(val));
    default: return h.store<uint64_t>(va, val);
    }
}

uint64_t post_amount(const Pe& h, const Insn& i) { return i.rm == 31 ? static_cast<uint64_t>(i.imm) : h.x[i.rm]; }

// LD2-LD4/ST2-ST4 (multiple structures): element e of register t+s lives
// at (e * n + s) * esize; loads land in the registers only when every
// access succeeded.
template <bool Load, bool Post> uint64_t ldstn(Pe& h, const Insn& i, uint64_t pc) {
    FP_CHECK();
    h.syn.valid = false;
    const uint64_t va = h.x[i.rn];
    const unsigned n = i.amount, size = i.size, ebytes = 1u << size;
    const unsigned elems = (i.aux ? 16u : 8u) >> size;
    uint64_t tmp[4][2] = {};
    for (unsigned e = 0; e < elems; ++e)
        for (unsigned s = 0; s < n; ++s) {
            const uint64_t a = va + uint64_t{e * n + s} * ebytes;
            if constexpr (Load) {
                uint64_t v;
                if (!load_elem(h, a, size, v)) return h.pc;
                set_elem_of(tmp[s], size, e, v);
            } else {
                if (!store_elem(h, a, size, get_elem(h, (i.rd + s) & 31, size, e))) return h.pc;
            }
        }
    if constexpr (Load)
        for (unsigned s = 0; s < n; ++s) {
            const unsigned r = (i.rd + s) & 31;
            h.v[r][0] = tmp[s][0];
            h.v[r][1] = tmp[s][1];
        }
    if constexpr (Post) h.x[i.rn] = va + post_amount(h, i);
    return NEXT;
}

// LD1-LD4/ST1-ST4 (single structure): lane `aux` of registers t..t+n-1;
// the other lanes are kept.
template <bool Load, bool Post> uint64_t ldst_lane(Pe& h, const Insn& i, uint64_t pc) {
    FP_CHECK();
    h.syn.valid = false;
    const uint64_t va = h.x[i.rn];
    const unsigned n = i.amount, size = i.size, ebytes = 1u << size;
    uint64_t tmp[4] = {};
    for (unsigned s = 0; s < n; ++s) {
        const uint64_t a = va + uint64_t{s} * ebytes;
        if constexpr (Load) {
            if (!load_elem(h, a, size, tmp[s])) return h.pc;
        } else {
            if (!store_elem(h, a, size, get_elem(h, (i.rd + s) & 31, size, i.aux))) return h.pc;
        }
    }
    if constexpr (Load)
        for (unsigned s = 0; s < n; ++s) set_elem(h, (i.rd + s) & 31, size, i.aux, tmp[s]);
    if constexpr (Post) h.x[i.rn] = va + post_amount(h, i);
    return NEXT;
}

// LD1R-LD4R: one structure replicated to every lane (Q = aux).
template <bool Post> uint64_t ldnr(Pe& h, const Insn& i, uint64_t pc) {
    FP_CHECK();
    h.syn.valid = false;
    const uint64_t va = h.x[i.rn];
    const unsigned n = i.amount, size = i.size, ebytes = 1u << size;
    uint64_t tmp[4] = {};
    for (unsigned s = 0; s < n; ++s)
        if (!load_elem(h, va + uint64_t{s} * ebytes, size, tmp[s])) return h.pc;
    for (unsigned s = 0; s < n; ++s) {
        const unsigned r = (i.rd + s) & 31;
        const uint64_t lane = replicate(tmp[s], size);
        h.v[r][0] = lane;
        h.v[r][1] = i.aux ? lane : 0;
    }
    if constexpr (Post) h.x[i.rn] = va + post_amount(h, i);
    return NEXT;
}

} // namespace

// ---- loads and stores ---------------------------------------------------------

#define A64_FP_LDST(s, B)                                                                  \
    A64_OP(ldr_##s##_uimm) { return fp_load<B, Mode::Off>(h, i, pc); }                     \
    A64_OP(ldr_##s##_unscaled) { return fp_load<B, Mode::Off>(h, i, pc); }                 \
    A64_OP(ldr_##s##_post) { return fp_load<B, Mode::Post>(h, i, pc); }                    \
    A64_OP(ldr_##s##_pre) { return fp_load<B, Mode::Pre>(h, i, pc); }                      \
    A64_OP(ldr_##s##_reg) { return fp_load<B, Mode::Reg>(h, i, pc); }                      \
    A64_OP(str_##s##_uimm) { return fp_store<B, Mode::Off>(h, i, pc); }                    \
    A64_OP(str_##s##_unscaled) { return fp_store<B, Mode::Off>(h, i, pc); }                \
    A64_OP(str_##s##_post) { return fp_store<B, Mode::Post>(h, i, pc); }                   \
    A64_OP(str_##s##_pre) { return fp_store<B, Mode::Pre>(h, i, pc); }                     \
    A64_OP(str_##s##_reg) { return fp_store<B, Mode::Reg>(h, i, pc); }
A64_FP_LDST(b, 1)
A64_FP_LDST(h, 2)
A64_FP_LDST(s, 4)
A64_FP_LDST(d, 8)
A64_FP_LDST(q, 16)
#undef A64_FP_LDST

A64_OP(ldr_s_lit) { return fp_load<4, Mode::Lit>(h, i, pc); }
A64_OP(ldr_d_lit) { return fp_load<8, Mode::Lit>(h, i, pc); }
A64_OP(ldr_q_lit) { return fp_load<16, Mode::Lit>(h, i, pc); }

#define A64_FP_PAIR(s, B)                                                                  \
    A64_OP(stnp_##s) { return fp_store_pair<B, Mode::Off>(h, i, pc); }                     \
    A64_OP(ldnp_##s) { return fp_load_pair<B, Mode::Off>(h, i, pc); }                      \
    A64_OP(stp_##s) { return fp_store_pair<B, Mode::Off>(h, i, pc); }                      \
    A64_OP(ldp_##s) { return fp_load_pair<B, Mode::Off>(h, i, pc); }                       \
    A64_OP(stp_##s##_post) { return fp_store_pair<B, Mode::Post>(h, i, pc); }              \
    A64_OP(ldp_##s##_post) { return fp_load_pair<B, Mode::Post>(h, i, pc); }               \
    A64_OP(stp_##s##_pre) { return fp_store_pair<B, Mode::Pre>(h, i, pc); }                \
    A64_OP(ldp_##s##_pre) { return fp_load_pair<B, Mode::Pre>(h, i, pc); }
A64_FP_PAIR(s, 4)
A64_FP_PAIR(d, 8)
A64_FP_PAIR(q, 16)
#undef A64_FP_PAIR

A64_OP(ld1_1) { return ldst1<true, false>(h, i, pc); }
A64_OP(ld1_2) { return ldst1<true, false>(h, i, pc); }
A64_OP(ld1_3) { return ldst1<true, false>(h, i, pc); }
A64_OP(ld1_4) { return ldst1<true, false>(h, i, pc); }
A64_OP(st1_1) { return ldst1<false, false>(h, i, pc); }
A64_OP(st1_2) { return ldst1<false, false>(h, i, pc); }
A64_OP(st1_3) { return ldst1<false, false>(h, i, pc); }
A64_OP(st1_4) { return ldst1<false, false>(h, i, pc); }
A64_OP(ld1_1_post) { return ldst1<true, true>(h, i, pc); }
A64_OP(ld1_2_post) { return ldst1<true, true>(h, i, pc); }
A64_OP(ld1_3_post) { return ldst1<true, true>(h, i, pc); }
A64_OP(ld1_4_post) { return ldst1<true, true>(h, i, pc); }
A64_OP(st1_1_post) { return ldst1<false, true>(h, i, pc); }
A64_OP(st1_2_post) { return ldst1<false, true>(h, i, pc); }
A64_OP(st1_3_post) { return ldst1<false, true>(h, i, pc); }
A64_OP(st1_4_post) { return ldst1<false, true>(h, i, pc); }

// LD2-LD4/ST2-ST4, single structures and LDnR
A64_OP(st4_m) { return ldstn<false, false>(h, i, pc); }
A64_OP(ld4_m) { return ldstn<true, false>(h, i, pc); }
A64_OP(st4_m_post) { return ldstn<false, true>(h, i, pc); }
A64_OP(ld4_m_post) { return ldstn<true, true>(h, i, pc); }
A64_OP(st3_m) { return ldstn<false, false>(h, i, pc); }
A64_OP(ld3_m) { return ldstn<true, false>(h, i, pc); }
A64_OP(st3_m_post) { return ldstn<false, true>(h, i, pc); }
A64_OP(ld3_m_post) { return ldstn<true, true>(h, i, pc); }
A64_OP(st2_m) { return ldstn<false, false>(h, i, pc); }
A64_OP(ld2_m) { return ldstn<true, false>(h, i, pc); }
A64_OP(st2_m_post) { return ldstn<false, true>(h, i, pc); }
A64_OP(ld2_m_post) { return ldstn<true, true>(h, i, pc); }
A64_OP(st1_b_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st2_b_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st3_b_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st4_b_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st1_h_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st2_h_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st3_h_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st4_h_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st1_s_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st2_s_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st3_s_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st4_s_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st1_d_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st2_d_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st3_d_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(st4_d_lane) { return ldst_lane<false, false>(h, i, pc); }
A64_OP(ld1_b_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld2_b_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld3_b_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld4_b_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld1_h_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld2_h_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld3_h_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld4_h_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld1_s_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld2_s_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld3_s_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld4_s_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld1_d_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld2_d_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld3_d_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld4_d_lane) { return ldst_lane<true, false>(h, i, pc); }
A64_OP(ld1r) { return ldnr<false>(h, i, pc); }
A64_OP(ld2r) { return ldnr<false>(h, i, pc); }
A64_OP(ld3r) { return ldnr<false>(h, i, pc); }
A64_OP(ld4r) { return ldnr<false>(h, i, pc); }
A64_OP(st1_b_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st2_b_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st3_b_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st4_b_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st1_h_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st2_h_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st3_h_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st4_h_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st1_s_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st2_s_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st3_s_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st4_s_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st1_d_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st2_d_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st3_d_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(st4_d_lane_post) { return ldst_lane<false, true>(h, i, pc); }
A64_OP(ld1_b_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld2_b_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld3_b_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld4_b_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld1_h_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld2_h_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld3_h_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld4_h_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld1_s_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld2_s_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld3_s_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld4_s_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld1_d_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld2_d_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld3_d_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld4_d_lane_post) { return ldst_lane<true, true>(h, i, pc); }
A64_OP(ld1r_post) { return ldnr<true>(h, i, pc); }
A64_OP(ld2r_post) { return ldnr<true>(h, i, pc); }
A64_OP(ld3r_post) { return ldnr<true>(h, i, pc); }
A64_OP(ld4r_post) { return ldnr<true>(h, i, pc); }

// ---- modified immediates (the decoder expanded the pattern) -----------------

#define IMM (static_cast<uint64_t>(i.imm))
A64_OP(movi_32) { FP_CHECK(); set_vec(h, i, IMM, IMM); return NEXT; }
A64_OP(movi_16) { FP_CHECK(); set_vec(h, i, IMM, IMM); return NEXT; }
A64_OP(movi_32_ones) { FP_CHECK(); set_vec(h, i, IMM, IMM); return NEXT; }
A64_OP(movi_8) { FP_CHECK(); set_vec(h, i, IMM, IMM); return NEXT; }
A64_OP(movi_64) { FP_CHECK(); set_vec(h, i, IMM, IMM); return NEXT; }
A64_OP(fmov_v_s) { FP_CHECK(); set_vec(h, i, IMM, IMM); return NEXT; }
A64_OP(fmov_v_d) { FP_CHECK(); set_vec(h, i, IMM, IMM); return NEXT; }
A64_OP(mvni_32) { FP_CHECK(); set_vec(h, i, ~IMM, ~IMM); return NEXT; }
A64_OP(mvni_16) { FP_CHECK(); set_vec(h, i, ~IMM, ~IMM); return NEXT; }
A64_OP(mvni_32_ones) { FP_CHECK(); set_vec(h, i, ~IMM, ~IMM); return NEXT; }
A64_OP(orr_vi_32) { FP_CHECK(); set_vec(h, i, h.v[i.rd][0] | IMM, h.v[i.rd][1] | IMM); return NEXT; }
A64_OP(orr_vi_16) { FP_CHECK(); set_vec(h, i, h.v[i.rd][0] | IMM, h.v[i.rd][1] | IMM); return NEXT; }
A64_OP(bic_vi_32) { FP_CHECK(); set_vec(h, i, h.v[i.rd][0] & ~IMM, h.v[i.rd][1] & ~IMM); return NEXT; }
A64_OP(bic_vi_16) { FP_CHECK(); set_vec(h, i, h.v[i.rd][0] & ~IMM, h.v[i.rd][1] & ~IMM); return NEXT; }

// ---- copies between elements and general registers ---------------------------

A64_OP(dup_gen) {
    FP_CHECK();
    const uint64_t r = replicate(h.x[i.rn], i.size);
    set_vec(h, i, r, r);
    return NEXT;
}
A64_OP(dup_elem) {
    FP_CHECK();
    const uint64_t r = replicate(get_elem(h, i.rn, i.size, i.amount), i.size);
    set_vec(h, i, r, r);
    return NEXT;
}
A64_OP(ins_gen) {
    FP_CHECK();
    set_elem(h, i.rd, i.size, i.amount, h.x[i.rn]);
    return NEXT;
}
A64_OP(ins_elem) {
    FP_CHECK();
    set_elem(h, i.rd, i.size, i.amount, get_elem(h, i.rn, i.size, i.rm));
    return NEXT;
}
A64_OP(umov) {
    FP_CHECK();
    h.x[i.rd] = get_elem(h, i.rn, i.size, i.amount);
    return NEXT;
}
A64_OP(smov) {
    FP_CHECK();
    const unsigned bits = 8u << i.size;
    const uint64_t e = get_elem(h, i.rn, i.size, i.amount);
    const uint64_t s = static_cast<uint64_t>(static_cast<int64_t>(e << (64 - bits)) >> (64 - bits));
    h.x[i.rd] = i.aux ? s : static_cast<uint32_t>(s);
    return NEXT;
}

// ---- vector logic -------------------------------------------------------------

#define A64_VLOGIC(id, expr)                                                       \
    A64_OP(id) {                                                                   \
        FP_CHECK();                                                                \
        uint64_t out[2];                                                           \
        for (int k = 0; k < 2; ++k) {                                              \
            const uint64_t d = h.v[i.rd][k], n = h.v[i.rn][k], m = h.v[i.rm][k];   \
            (void)d;                                                               \
            out[k] = (expr);                                                       \
        }                                                                          \
        set_vec(h, i, out[0], out[1]);                                             \
        return NEXT;                                                               \
    }
A64_VLOGIC(and_v, n & m)
A64_VLOGIC(bic_v, n & ~m)
A64_VLOGIC(orr_v, n | m)
A64_VLOGIC(orn_v, n | ~m)
A64_VLOGIC(eor_v, n ^ m)
A64_VLOGIC(bsl_v, (d & n) | (~d & m))
A64_VLOGIC(bit_v, (n & m) | (d & ~m))
A64_VLOGIC(bif_v, (d & m) | (n & ~m))
#undef A64_VLOGIC

// ---- FMOV -------------------------------------------------------------------------

A64_OP(fmov_ws) { FP_CHECK(); h.x[i.rd] = static_cast<uint32_t>(h.v[i.rn][0]); return NEXT; }
A64_OP(fmov_sw) {
    FP_CHECK();
    h.v[i.rd][0] = static_cast<uint32_t>(h.x[i.rn]);
    h.v[i.rd][1] = 0;
    return NEXT;
}
A64_OP(fmov_xd) { FP_CHECK(); h.x[i.rd] = h.v[i.rn][0]; return NEXT; }
A64_OP(fmov_dx) {
    FP_CHECK();
    h.v[i.rd][0] = h.x[i.rn];
    h.v[i.rd][1] = 0;
    return NEXT;
}
A64_OP(fmov_xv1) { FP_CHECK(); h.x[i.rd] = h.v[i.rn][1]; return NEXT; }
A64_OP(fmov_v1x) { FP_CHECK(); h.v[i.rd][1] = h.x[i.rn]; return NEXT; }
A64_OP(fmov_s) {
    FP_CHECK();
    h.v[i.rd][0] = static_cast<uint32_t>(h.v[i.rn][0]);
    h.v[i.rd][1] = 0;
    return NEXT;
}
A64_OP(fmov_d) {
    FP_CHECK();
    h.v[i.rd][0] = h.v[i.rn][0];
    h.v[i.rd][1] = 0;
    return NEXT;
}
A64_OP(fmov_s_imm) { FP_CHECK(); h.v[i.rd][0] = IMM; h.v[i.rd][1] = 0; return NEXT; }
A64_OP(fmov_d_imm) { FP_CHECK(); h.v[i.rd][0] = IMM; h.v[i.rd][1] = 0; return NEXT; }
#undef IMM

} // namespace hvemu::arm
