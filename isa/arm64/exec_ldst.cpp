// A64 loads and stores of general-purpose registers: single registers in
// every addressing mode (unsigned offset, unscaled, pre/post-index,
// register offset, literal, unprivileged) and pairs. Single-register
// accesses without writeback publish their syndrome in h.syn first, so a
// data abort reports ISV = 1 with the register and width.
#include <type_traits>

#include "isa/arm64/alu.hpp"

namespace hvemu::arm {

namespace {

enum class Mode { Off, Post, Pre, Reg, Unpriv, Lit };

// Extension of the loaded value: zero, sign to 64 bits, sign to 32 bits.
enum class Ext { Zero, Sx64, Sx32 };

template <class T, Ext E> uint64_t extend(T v) {
    if constexpr (E == Ext::Zero) return static_cast<uint64_t>(v);
    else if constexpr (E == Ext::Sx64) return static_cast<uint64_t>(static_cast<int64_t>(v));
    else return static_cast<uint32_t>(static_cast<int32_t>(v));
}

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

template <Mode K> void syndrome(Pe& h, const Insn& i, bool sign, bool sf) {
    if constexpr (K == Mode::Post || K == Mode::Pre) {
        h.syn.valid = false;
    } else {
        h.syn.valid = true;
        h.syn.sign_extend = sign;
        h.syn.sf = sf;
        h.syn.acq_rel = false;
        h.syn.rt = static_cast<uint8_t>(i.raw & 31);
    }
}

// T is the memory type (signed for the sign-extending loads); Sf says
// whether the destination is an X register.
template <class T, Ext E, bool Sf, Mode K> uint64_t load(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = address<K>(h, i, pc);
    syndrome<K>(h, i, E != Ext::Zero, Sf);
    T v;
    if constexpr (K == Mode::Unpriv) {
        uint64_t raw;
        if (!h.load_slow(va, sizeof(T), raw, true)) return h.pc;
        v = static_cast<T>(raw);
    } else if (!h.load<T>(va, v)) {
        return h.pc;
    }
    writeback<K>(h, i, va);
    h.x[i.rd] = extend<T, E>(v);
    return NEXT;
}

template <class T, Mode K> uint64_t store(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = address<K>(h, i, pc);
    syndrome<K>(h, i, false, sizeof(T) == 8);
    const T v = static_cast<T>(h.x[i.rd]);
    if constexpr (K == Mode::Unpriv) {
        if (!h.store_slow(va, sizeof(T), static_cast<uint64_t>(v), true)) return h.pc;
    } else if (!h.store<T>(va, v)) {
        return h.pc;
    }
    writeback<K>(h, i, va);
    return NEXT;
}

// Pairs: no valid syndrome. Both registers are written only when both
// loads succeed.
template <class T, Ext E, Mode K> uint64_t load_pair(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = address<K>(h, i, pc);
    h.syn.valid = false;
    T a, b;
    if (!h.load<T>(va, a) || !h.load<T>(va + sizeof(T), b)) return h.pc;
    writeback<K>(h, i, va);
    h.x[i.rd] = extend<T, E>(a);
    h.x[i.ra] = extend<T, E>(b);
    return NEXT;
}

template <class T, Mode K> uint64_t store_pair(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = address<K>(h, i, pc);
    h.syn.valid = false;
    if (!h.store<T>(va, static_cast<T>(h.x[i.rd])) || !h.store<T>(va + sizeof(T), static_cast<T>(h.x[i.ra])))
        return h.pc;
    writeback<K>(h, i, va);
    return NEXT;
}

} // namespace

// Every addressing mode of one single-register load or store.
#define A64_LOAD(id, T, E, SF)                                                                    \
    A64_OP(id##_uimm) { return load<T, Ext::E, SF, Mode::Off>(h, i, pc); }                        \
    A64_OP(id##_unscaled) { return load<T, Ext::E, SF, Mode::Off>(h, i, pc); }                    \
    A64_OP(id##_post) { return load<T, Ext::E, SF, Mode::Post>(h, i, pc); }                       \
    A64_OP(id##_pre) { return load<T, Ext::E, SF, Mode::Pre>(h, i, pc); }                         \
    A64_OP(id##_unpriv) { return load<T, Ext::E, SF, Mode::Unpriv>(h, i, pc); }                   \
    A64_OP(id##_reg) { return load<T, Ext::E, SF, Mode::Reg>(h, i, pc); }
#define A64_STORE(id, T)                                                                          \
    A64_OP(id##_uimm) { return store<T, Mode::Off>(h, i, pc); }                                   \
    A64_OP(id##_unscaled) { return store<T, Mode::Off>(h, i, pc); }                               \
    A64_OP(id##_post) { return store<T, Mode::Post>(h, i, pc); }                                  \
    A64_OP(id##_pre) { return store<T, Mode::Pre>(h, i, pc); }                                    \
    A64_OP(id##_unpriv) { return store<T, Mode::Unpriv>(h, i, pc); }                              \
    A64_OP(id##_reg) { return store<T, Mode::Reg>(h, i, pc); }

A64_STORE(strb, uint8_t)
A64_LOAD(ldrb, uint8_t, Zero, false)
A64_LOAD(ldrsb_x, int8_t, Sx64, true)
A64_LOAD(ldrsb_w, int8_t, Sx32, false)
A64_STORE(strh, uint16_t)
A64_LOAD(ldrh, uint16_t, Zero, false)
A64_LOAD(ldrsh_x, int16_t, Sx64, true)
A64_LOAD(ldrsh_w, int16_t, Sx32, false)
A64_STORE(str_w, uint32_t)
A64_LOAD(ldr_w, uint32_t, Zero, false)
A64_LOAD(ldrsw, int32_t, Sx64, true)
A64_STORE(str_x, uint64_t)
A64_LOAD(ldr_x, uint64_t, Zero, true)
#undef A64_LOAD
#undef A64_STORE

A64_OP(ldr_w_lit) { return load<uint32_t, Ext::Zero, false, Mode::Lit>(h, i, pc); }
A64_OP(ldr_x_lit) { return load<uint64_t, Ext::Zero, true, Mode::Lit>(h, i, pc); }
A64_OP(ldrsw_lit) { return load<int32_t, Ext::Sx64, true, Mode::Lit>(h, i, pc); }

// Prefetches are hints: no access, no fault.
A64_OP(prfm_uimm) { (void)h; (void)i; return NEXT; }
A64_OP(prfum) { (void)h; (void)i; return NEXT; }
A64_OP(prfm_reg) { (void)h; (void)i; return NEXT; }
A64_OP(prfm_lit) { (void)h; (void)i; return NEXT; }

// Pairs: signed offset, post-index, pre-index; the non-temporal forms
// (LDNP/STNP) are plain offset accesses.
#define A64_PAIR(suffix, T, E)                                                                    \
    A64_OP(stnp_##suffix) { return store_pair<T, Mode::Off>(h, i, pc); }                          \
    A64_OP(ldnp_##suffix) { return load_pair<T, Ext::E, Mode::Off>(h, i, pc); }                   \
    A64_OP(stp_##suffix) { return store_pair<T, Mode::Off>(h, i, pc); }                           \
    A64_OP(ldp_##suffix) { return load_pair<T, Ext::E, Mode::Off>(h, i, pc); }                    \
    A64_OP(stp_##suffix##_post) { return store_pair<T, Mode::Post>(h, i, pc); }                   \
    A64_OP(ldp_##suffix##_post) { return load_pair<T, Ext::E, Mode::Post>(h, i, pc); }            \
    A64_OP(stp_##suffix##_pre) { return store_pair<T, Mode::Pre>(h, i, pc); }                     \
    A64_OP(ldp_##suffix##_pre) { return load_pair<T, Ext::E, Mode::Pre>(h, i, pc); }
A64_PAIR(w, uint32_t, Zero)
A64_PAIR(x, uint64_t, Zero)
#undef A64_PAIR
A64_OP(ldpsw) { return load_pair<int32_t, Ext::Sx64, Mode::Off>(h, i, pc); }
A64_OP(ldpsw_post) { return load_pair<int32_t, Ext::Sx64, Mode::Post>(h, i, pc); }
A64_OP(ldpsw_pre) { return load_pair<int32_t, Ext::Sx64, Mode::Pre>(h, i, pc); }

} // namespace hvemu::arm
