// A64 exclusives (LDXR/STXR and pairs), load-acquire/store-release and the
// LSE atomics (LDADD..LDUMIN, SWP, CAS, CASP). PEs are interleaved on one
// host thread, so a read-modify-write is atomic by construction and every
// access is ordered: the acquire/release variants share the handlers.
#include "isa/arm64/alu.hpp"

namespace hvemu::arm {

namespace {

// A bus error on an MMIO atomic access: a synchronous external abort.
uint64_t external_abort(Pe& h, uint64_t va, uint64_t pc, bool write, unsigned size) {
    Translation t;
    t.fault = FaultKind::External;
    return h.data_abort(t, va, pc, write, size, false, 0, false, false);
}

template <class T> bool read_at(Pe& h, const uint8_t* host, uint64_t pa, T& out) {
    if (host) {
        std::memcpy(&out, host, sizeof(T));
        return true;
    }
    uint64_t v;
    if (!h.mem().read(pa, sizeof(T), v)) return false;
    out = static_cast<T>(v);
    return true;
}

template <class T> bool write_at(Pe& h, uint8_t* host, uint64_t pa, T v) {
    if (host) {
        std::memcpy(host, &v, sizeof(T));
        h.mem().note_write(pa, sizeof(T));
        return true;
    }
    return h.mem().write(pa, sizeof(T), static_cast<uint64_t>(v));
}

constexpr uint8_t dst(unsigned r) { return static_cast<uint8_t>(r == 31 ? kSink : r); }

template <class T> uint64_t ldxr(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rn];
    h.syn.valid = false;
    uint8_t* host;
    uint64_t pa;
    if (!h.atomic_address(va, sizeof(T), false, host, pa)) return h.pc;
    T v;
    if (!read_at(h, host, pa, v)) return external_abort(h, va, pc, false, sizeof(T));
    h.excl_addr = pa;
    h.excl_size = sizeof(T);
    h.x[i.rd] = v;
    return NEXT;
}

template <class T> uint64_t ldxp(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rn];
    h.syn.valid = false;
    uint8_t* host;
    uint64_t pa;
    if (!h.atomic_address(va, 2 * sizeof(T), false, host, pa)) return h.pc;
    T a, b;
    if (!read_at(h, host, pa, a) || !read_at(h, host ? host + sizeof(T) : nullptr, pa + sizeof(T), b))
        return external_abort(h, va, pc, false, 2 * sizeof(T));
    h.excl_addr = pa;
    h.excl_size = 2 * sizeof(T);
    h.x[i.rd] = a;
    h.x[i.ra] = b;
    return NEXT;
}

// The store happens only while the monitor holds exactly this location;
// Rs gets 0 on success, 1 on failure. The monitor is cleared either way.
template <class T, bool Pair> uint64_t stxr(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rn];
    constexpr unsigned kSize = Pair ? 2 * sizeof(T) : sizeof(T);
    h.syn.valid = false;
    uint8_t* host;
    uint64_t pa;
    if (!h.atomic_address(va, kSize, true, host, pa)) return h.pc;
    const bool ok = h.excl_addr == pa && h.excl_size == kSize;
    h.clear_exclusive();
    if (ok) {
        const T a = static_cast<T>(h.x[i.rd]), b = static_cast<T>(h.x[i.ra]);
        if (!write_at(h, host, pa, a)) return external_abort(h, va, pc, true, kSize);
        if (Pair && !write_at(h, host ? host + sizeof(T) : nullptr, pa + sizeof(T), b))
            return external_abort(h, va, pc, true, kSize);
    }
    h.x[i.rm] = ok ? 0 : 1;
    return NEXT;
}

// Load-acquire/store-release: single-register accesses with a valid
// syndrome (AR = 1); unaligned addresses fault whatever SCTLR_ELx.A says.
template <class T> uint64_t ldar(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rn];
    h.syn = {true, false, sizeof(T) == 8, true, static_cast<uint8_t>(i.raw & 31)};
    if (va & (sizeof(T) - 1)) {
        Translation t;
        t.fault = FaultKind::Alignment;
        return h.data_abort(t, va, pc, false, sizeof(T), false, i.raw & 31, sizeof(T) == 8, true);
    }
    T v;
    if (!h.load<T>(va, v)) return h.pc;
    h.x[i.rd] = v;
    return NEXT;
}

template <class T> uint64_t stlr(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rn];
    h.syn = {true, false, sizeof(T) == 8, true, static_cast<uint8_t>(i.raw & 31)};
    if (va & (sizeof(T) - 1)) {
        Translation t;
        t.fault = FaultKind::Alignment;
        return h.data_abort(t, va, pc, true, sizeof(T), false, i.raw & 31, sizeof(T) == 8, true);
    }
    if (!h.store<T>(va, static_cast<T>(h.x[i.rd]))) return h.pc;
    return NEXT;
}

// LSE read-modify-write: Rt gets the old value (zero-extended), memory
// gets op(old, Rs).
template <class T, class Op> uint64_t rmw(Pe& h, const Insn& i, uint64_t pc, Op op) {
    const uint64_t va = h.x[i.rn];
    h.syn.valid = false;
    uint8_t* host;
    uint64_t pa;
    if (!h.atomic_address(va, sizeof(T), true, host, pa)) return h.pc;
    const T operand = static_cast<T>(h.x[i.rm]);
    T old;
    if (!read_at(h, host, pa, old)) return external_abort(h, va, pc, false, sizeof(T));
    if (!write_at(h, host, pa, static_cast<T>(op(old, operand)))) return external_abort(h, va, pc, true, sizeof(T));
    h.x[i.rd] = old;
    return NEXT;
}

template <class T> uint64_t cas(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rn];
    h.syn.valid = false;
    uint8_t* host;
    uint64_t pa;
    if (!h.atomic_address(va, sizeof(T), true, host, pa)) return h.pc;
    const T expect = static_cast<T>(h.x[i.rm]), nv = static_cast<T>(h.x[i.rd]);
    T old;
    if (!read_at(h, host, pa, old)) return external_abort(h, va, pc, false, sizeof(T));
    if (old == expect && !write_at(h, host, pa, nv)) return external_abort(h, va, pc, true, sizeof(T));
    h.x[i.ra] = old;
    return NEXT;
}

// CASP: Rs:Rs+1 compared with the pair in memory, Rt:Rt+1 stored when
// equal; the first register of each pair is the lower address.
template <class T> uint64_t casp(Pe& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rn];
    h.syn.valid = false;
    uint8_t* host;
    uint64_t pa;
    if (!h.atomic_address(va, 2 * sizeof(T), true, host, pa)) return h.pc;
    const unsigned s = i.rm, t = i.rd;   // even; s + 1 or t + 1 may be 31 (XZR)
    const T e0 = static_cast<T>(h.x[s]), e1 = static_cast<T>(h.x[s + 1]);
    const T n0 = static_cast<T>(h.x[t]), n1 = static_cast<T>(h.x[t + 1]);
    uint8_t* host1 = host ? host + sizeof(T) : nullptr;
    T o0, o1;
    if (!read_at(h, host, pa, o0) || !read_at(h, host1, pa + sizeof(T), o1))
        return external_abort(h, va, pc, false, 2 * sizeof(T));
    if (o0 == e0 && o1 == e1) {
        if (!write_at(h, host, pa, n0) || !write_at(h, host1, pa + sizeof(T), n1))
            return external_abort(h, va, pc, true, 2 * sizeof(T));
    }
    h.x[dst(s)] = o0;
    h.x[dst(s + 1)] = o1;
    return NEXT;
}

template <class T> T smax(T a, T b) {
    using S = std::make_signed_t<T>;
    return static_cast<S>(a) > static_cast<S>(b) ? a : b;
}
template <class T> T smin(T a, T b) {
    using S = std::make_signed_t<T>;
    return static_cast<S>(a) < static_cast<S>(b) ? a : b;
}

} // namespace

#define A64_EXCL(s, T)                                                  \
    A64_OP(ldxr_##s) { return ldxr<T>(h, i, pc); }                      \
    A64_OP(stxr_##s) { return stxr<T, false>(h, i, pc); }               \
    A64_OP(ldar_##s) { return ldar<T>(h, i, pc); }                      \
    A64_OP(stlr_##s) { return stlr<T>(h, i, pc); }                      \
    A64_OP(cas_##s) { return cas<T>(h, i, pc); }                        \
    A64_OP(ldadd_##s) { return rmw<T>(h, i, pc, [](T a, T b) { return static_cast<T>(a + b); }); } \
    A64_OP(ldclr_##s) { return rmw<T>(h, i, pc, [](T a, T b) { return static_cast<T>(a & ~b); }); } \
    A64_OP(ldeor_##s) { return rmw<T>(h, i, pc, [](T a, T b) { return static_cast<T>(a ^ b); }); } \
    A64_OP(ldset_##s) { return rmw<T>(h, i, pc, [](T a, T b) { return static_cast<T>(a | b); }); } \
    A64_OP(ldsmax_##s) { return rmw<T>(h, i, pc, smax<T>); }            \
    A64_OP(ldsmin_##s) { return rmw<T>(h, i, pc, smin<T>); }            \
    A64_OP(ldumax_##s) { return rmw<T>(h, i, pc, [](T a, T b) { return a > b ? a : b; }); } \
    A64_OP(ldumin_##s) { return rmw<T>(h, i, pc, [](T a, T b) { return a < b ? a : b; }); } \
    A64_OP(swp_##s) { return rmw<T>(h, i, pc, [](T, T b) { return b; }); }
A64_EXCL(b, uint8_t)
A64_EXCL(h, uint16_t)
A64_EXCL(w, uint32_t)
A64_EXCL(x, uint64_t)
#undef A64_EXCL

A64_OP(ldxp_w) { return ldxp<uint32_t>(h, i, pc); }
A64_OP(ldxp_x) { return ldxp<uint64_t>(h, i, pc); }
A64_OP(stxp_w) { return stxr<uint32_t, true>(h, i, pc); }
A64_OP(stxp_x) { return stxr<uint64_t, true>(h, i, pc); }
A64_OP(casp_w) { return casp<uint32_t>(h, i, pc); }
A64_OP(casp_x) { return casp<uint64_t>(h, i, pc); }

} // namespace hvemu::arm
