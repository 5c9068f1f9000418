// Integer arithmetic and logic: the eight ALU operations in their ModRM,
// accumulator and group-1 forms, INC/DEC/NEG/NOT/TEST, shifts and rotates
// (group 2, SHLD/SHRD), MUL/IMUL/DIV/IDIV, bit tests and scans, and the
// BCD adjustments. Flags are computed eagerly per the SDM's flag rules.
#include "isa/x86/exec.hpp"

namespace hvemu::x86 {

using namespace x;
__extension__ using u128 = unsigned __int128;
__extension__ using i128 = __int128;

namespace {

// The group-1 operation order: ADD OR ADC SBB AND SUB XOR CMP.
uint64_t alu(Core& c, unsigned op, uint64_t a, uint64_t b, unsigned sz) {
    const uint64_t m = mask(sz);
    a &= m;
    b &= m;
    uint64_t r, f;
    const uint64_t cf = c.rflags & rflags::CF;
    switch (op) {
    case 0: r = (a + b) & m; f = flags_add(a, b, r, sz); break;
    case 1: r = a | b; f = flags_logic(r, sz); break;
    case 2: r = (a + b + cf) & m; f = flags_add(a, b, r, sz); break;
    case 3: r = (a - b - cf) & m; f = flags_sub(a, b, r, sz); break;
    case 4: r = a & b; f = flags_logic(r, sz); break;
    case 5: case 7: r = (a - b) & m; f = flags_sub(a, b, r, sz); break;
    default: r = a ^ b; f = flags_logic(r, sz); break;
    }
    set_status(c, f);
    return r;
}

// op r/m, reg (or imm): read-modify-write of the r/m operand.
uint64_t alu_rm(Core& c, const Insn& i, uint64_t rip, unsigned op, uint64_t b) {
    const unsigned sz = i.opsz;
    if (i.flags & iflag::Mem) {
        const uint64_t a_ = ea(c, i, rip);
        const auto s = static_cast<SegReg>(i.seg);
        uint64_t a;
        X86_TRY(load_sz(c, s, a_, sz, a));
        const uint64_t r = alu(c, op, a, b, sz);
        if (op != 7) X86_TRY(store_sz(c, s, a_, sz, r));
        return NEXT;
    }
    const uint64_t r = alu(c, op, get_reg(c, i, i.rm, sz), b, sz);
    if (op != 7) set_reg(c, i, i.rm, sz, r);
    return NEXT;
}

uint64_t alu_e_g(Core& c, const Insn& i, uint64_t rip, unsigned op) {
    return alu_rm(c, i, rip, op, get_reg(c, i, i.reg, i.opsz));
}
uint64_t alu_g_e(Core& c, const Insn& i, uint64_t rip, unsigned op) {
    uint64_t b;
    X86_TRY(read_rm(c, i, rip, b));
    const uint64_t r = alu(c, op, get_reg(c, i, i.reg, i.opsz), b, i.opsz);
    if (op != 7) set_reg(c, i, i.reg, i.opsz, r);
    return NEXT;
}
uint64_t alu_a_i(Core& c, const Insn& i, uint64_t rip, unsigned op) {
    const uint64_t r = alu(c, op, get_reg(c, i, 0, i.opsz), static_cast<uint64_t>(i.imm), i.opsz);
    if (op != 7) set_reg(c, i, 0, i.opsz, r);
    return NEXT;
}

} // namespace

#define ALU_FORMS(name, op)                                                 \
    X86_OP(name##_eb_gb) { return alu_e_g(c, i, rip, op); }                \
    X86_OP(name##_ev_gv) { return alu_e_g(c, i, rip, op); }                \
    X86_OP(name##_gb_eb) { return alu_g_e(c, i, rip, op); }                \
    X86_OP(name##_gv_ev) { return alu_g_e(c, i, rip, op); }                \
    X86_OP(name##_al_ib) { return alu_a_i(c, i, rip, op); }                \
    X86_OP(name##_ax_iz) { return alu_a_i(c, i, rip, op); }
ALU_FORMS(add, 0)
ALU_FORMS(or, 1)
ALU_FORMS(adc, 2)
ALU_FORMS(sbb, 3)
ALU_FORMS(and, 4)
ALU_FORMS(sub, 5)
ALU_FORMS(xor, 6)
ALU_FORMS(cmp, 7)
#undef ALU_FORMS

X86_OP(grp1_eb_ib) { return alu_rm(c, i, rip, i.reg & 7, static_cast<uint64_t>(i.imm)); }
X86_OP(grp1_ev_iz) { return alu_rm(c, i, rip, i.reg & 7, static_cast<uint64_t>(i.imm)); }

// ---- TEST, INC/DEC, NOT/NEG

namespace {
uint64_t test(Core& c, const Insn& i, uint64_t rip, uint64_t b) {
    uint64_t a;
    X86_TRY(read_rm(c, i, rip, a));
    set_status(c, flags_logic(a & b, i.opsz));
    return NEXT;
}
// Read-modify-write of r/m with fn(value) -> result.
template <class F> uint64_t rmw(Core& c, const Insn& i, uint64_t rip, F fn) {
    const unsigned sz = i.opsz;
    if (i.flags & iflag::Mem) {
        const uint64_t a_ = ea(c, i, rip);
        const auto s = static_cast<SegReg>(i.seg);
        uint64_t a;
        X86_TRY(load_sz(c, s, a_, sz, a));
        X86_TRY(store_sz(c, s, a_, sz, fn(a)));
        return NEXT;
    }
    set_reg(c, i, i.rm, sz, fn(get_reg(c, i, i.rm, sz)));
    return NEXT;
}
uint64_t incdec(Core& c, uint64_t a, unsigned sz, bool dec) {
    const uint64_t r = (dec ? a - 1 : a + 1) & mask(sz);
    const uint64_t f = dec ? flags_sub(a, 1, r, sz) : flags_add(a, 1, r, sz);
    c.rflags = (c.rflags & ~(kStatus & ~rflags::CF)) | (f & ~rflags::CF);
    return r;
}
} // namespace

X86_OP(test_eb_gb) { return test(c, i, rip, get_reg(c, i, i.reg, i.opsz)); }
X86_OP(test_ev_gv) { return test(c, i, rip, get_reg(c, i, i.reg, i.opsz)); }
X86_OP(test_eb_ib) { return test(c, i, rip, static_cast<uint64_t>(i.imm)); }
X86_OP(test_ev_iz) { return test(c, i, rip, static_cast<uint64_t>(i.imm)); }
X86_OP(test_al_ib) {
    set_status(c, flags_logic(c.gpr[0] & static_cast<uint64_t>(i.imm), i.opsz));
    return NEXT;
}
X86_OP(test_ax_iz) {
    set_status(c, flags_logic(c.gpr[0] & static_cast<uint64_t>(i.imm), i.opsz));
    return NEXT;
}
X86_OP(inc_e) { return rmw(c, i, rip, [&](uint64_t a) { return incdec(c, a, i.opsz, false); }); }
X86_OP(dec_e) { return rmw(c, i, rip, [&](uint64_t a) { return incdec(c, a, i.opsz, true); }); }
X86_OP(inc_r) {
    set_reg(c, i, i.reg, i.opsz, incdec(c, get_reg(c, i, i.reg, i.opsz), i.opsz, false));
    return NEXT;
}
X86_OP(dec_r) {
    set_reg(c, i, i.reg, i.opsz, incdec(c, get_reg(c, i, i.reg, i.opsz), i.opsz, true));
    return NEXT;
}
X86_OP(not_) { return rmw(c, i, rip, [&](uint64_t a) { return ~a & mask(i.opsz); }); }
X86_OP(neg) {
    return rmw(c, i, rip, [&](uint64_t a) {
        const uint64_t r = (0 - a) & mask(i.opsz);
        set_status(c, flags_sub(0, a, r, i.opsz));
        return r;
    });
}

// ---- shifts and rotates

namespace {
// Group 2 on `a` by `count` (already masked to 5 or 6 bits). Returns the
// result; flags are left alone for a zero count.
uint64_t shift(Core& c, unsigned op, uint64_t a, unsigned count, unsigned sz) {
    const unsigned n = bits(sz);
    const uint64_t m = mask(sz);
    a &= m;
    if (count == 0) return a;
    const uint64_t msb = 1ull << (n - 1);
    uint64_t f = c.rflags & kStatus, r = a;
    auto setf = [&](uint64_t bit, bool v) { f = v ? (f | bit) : (f & ~bit); };
    switch (op & 7) {
    case 0: {   // ROL
        const unsigned k = count % n;
        r = k ? ((a << k) | (a >> (n - k))) & m : a;
        setf(rflags::CF, r & 1);
        setf(rflags::OF, ((r & msb) != 0) != ((r & 1) != 0));
        break;
    }
    case 1: {   // ROR
        const unsigned k = count % n;
        r = k ? ((a >> k) | (a << (n - k))) & m : a;
        setf(rflags::CF, r & msb);
        setf(rflags::OF, ((r & msb) != 0) != ((r & (msb >> 1)) != 0));
        break;
    }
    case 2: {   // RCL: rotate n+1 bits through CF
        const unsigned k = count % (n + 1);
        bool cf = c.rflags & rflags::CF;
        for (unsigned j = 0; j < k; ++j) {
            const bool out = r & msb;
            r = ((r << 1) | (cf ? 1 : 0)) & m;
            cf = out;
        }
        setf(rflags::CF, cf);
        setf(rflags::OF, ((r & msb) != 0) != cf);
        break;
    }
    case 3: {   // RCR
        const unsigned k = count % (n + 1);
        bool cf = c.rflags & rflags::CF;
        setf(rflags::OF, ((a & msb) != 0) != cf);
        for (unsigned j = 0; j < k; ++j) {
            const bool out = r & 1;
            r = (r >> 1) | (cf ? msb : 0);
            cf = out;
        }
        setf(rflags::CF, cf);
        break;
    }
    case 4: case 6:   // SHL/SAL
        r = count < 64 ? (a << count) & m : 0;
        setf(rflags::CF, count <= n && ((a >> (n - count)) & 1));
        setf(rflags::OF, ((r & msb) != 0) != ((f & rflags::CF) != 0));
        f = (f & ~(rflags::ZF | rflags::SF | rflags::PF | rflags::AF)) | szp(r, sz);
        break;
    case 5:   // SHR
        r = count < 64 ? a >> count : 0;
        setf(rflags::CF, count <= 64 && ((a >> (count - 1)) & 1));
        setf(rflags::OF, a & msb);
        f = (f & ~(rflags::ZF | rflags::SF | rflags::PF | rflags::AF)) | szp(r, sz);
        break;
    case 7: {   // SAR
        const int64_t sa = static_cast<int64_t>(sext(a, sz));
        r = static_cast<uint64_t>(sa >> std::min(count, 63u)) & m;
        setf(rflags::CF, (sa >> std::min(count - 1, 63u)) & 1);
        setf(rflags::OF, false);
        f = (f & ~(rflags::ZF | rflags::SF | rflags::PF | rflags::AF)) | szp(r, sz);
        break;
    }
    }
    set_status(c, f);
    return r;
}
uint64_t grp2(Core& c, const Insn& i, uint64_t rip, unsigned count) {
    count &= i.opsz == kSz64 ? 0x3f : 0x1f;
    return rmw(c, i, rip, [&](uint64_t a) { return shift(c, i.reg, a, count, i.opsz); });
}

// SHLD/SHRD: shift r/m, filling from reg.
uint64_t shxd(Core& c, const Insn& i, uint64_t rip, unsigned count, bool left) {
    const unsigned sz = i.opsz, n = bits(sz);
    count &= sz == kSz64 ? 0x3f : 0x1f;
    if (count == 0) return NEXT;
    const uint64_t b = get_reg(c, i, i.reg, sz), m = mask(sz);
    return rmw(c, i, rip, [&](uint64_t a) {
        a &= m;
        uint64_t r;
        bool cf;
        if (left) {
            const u128 v = (u128{a} << n) | b;
            r = static_cast<uint64_t>((v << count) >> n) & m;
            cf = (v >> (2 * n - count)) & 1;
        } else {
            const u128 v = (u128{b} << n) | a;
            r = static_cast<uint64_t>(v >> count) & m;
            cf = (v >> (count - 1)) & 1;
        }
        uint64_t f = szp(r, sz);
        if (cf) f |= rflags::CF;
        if (((r ^ a) >> (n - 1)) & 1) f |= rflags::OF;
        set_status(c, f);
        return r;
    });
}
} // namespace

X86_OP(grp2_ib) { return grp2(c, i, rip, static_cast<unsigned>(i.imm)); }
X86_OP(grp2_1) { return grp2(c, i, rip, 1); }
X86_OP(grp2_cl) { return grp2(c, i, rip, static_cast<unsigned>(c.gpr[1] & 0xff)); }
X86_OP(shld_ib) { return shxd(c, i, rip, static_cast<unsigned>(i.imm), true); }
X86_OP(shld_cl) { return shxd(c, i, rip, static_cast<unsigned>(c.gpr[1] & 0xff), true); }
X86_OP(shrd_ib) { return shxd(c, i, rip, static_cast<unsigned>(i.imm), false); }
X86_OP(shrd_cl) { return shxd(c, i, rip, static_cast<unsigned>(c.gpr[1] & 0xff), false); }

// ---- multiply and divide

namespace {
void mul_flags(Core& c, bool overflow, uint64_t low, unsigned sz) {
    uint64_t f = szp(low, sz);
    if (overflow) f |= rflags::CF | rflags::OF;
    set_status(c, f);
}
// Store a double-width result: AX (8-bit), DX:AX, EDX:EAX, RDX:RAX.
void set_wide(Core& c, const Insn& i, unsigned sz, u128 v) {
    if (sz == kSz8) {
        set_reg(c, i, 0, kSz16, static_cast<uint64_t>(v) & 0xffff);
        return;
    }
    set_reg(c, i, 0, sz, static_cast<uint64_t>(v));
    set_reg(c, i, 2, sz, static_cast<uint64_t>(v >> bits(sz)));
}
} // namespace

X86_OP(mul) {
    const unsigned sz = i.opsz;
    uint64_t b;
    X86_TRY(read_rm(c, i, rip, b));
    const u128 r = u128{get_reg(c, i, 0, sz)} * b;
    set_wide(c, i, sz, r);
    mul_flags(c, (r >> bits(sz)) != 0, static_cast<uint64_t>(r), sz);
    return NEXT;
}
X86_OP(imul1) {
    const unsigned sz = i.opsz;
    uint64_t b;
    X86_TRY(read_rm(c, i, rip, b));
    const i128 r = i128{static_cast<int64_t>(sext(get_reg(c, i, 0, sz), sz))} * static_cast<int64_t>(sext(b, sz));
    set_wide(c, i, sz, static_cast<u128>(r));
    const uint64_t low = static_cast<uint64_t>(r) & mask(sz);
    mul_flags(c, i128{static_cast<int64_t>(sext(low, sz))} != r, low, sz);
    return NEXT;
}
namespace {
uint64_t imul2(Core& c, const Insn& i, uint64_t rip, uint64_t a, uint64_t b) {
    const unsigned sz = i.opsz;
    const i128 r = i128{static_cast<int64_t>(sext(a, sz))} * static_cast<int64_t>(sext(b, sz));
    const uint64_t low = static_cast<uint64_t>(r) & mask(sz);
    set_reg(c, i, i.reg, sz, low);
    mul_flags(c, i128{static_cast<int64_t>(sext(low, sz))} != r, low, sz);
    return NEXT;
}
} // namespace
X86_OP(imul_gv_ev) {
    uint64_t b;
    X86_TRY(read_rm(c, i, rip, b));
    return imul2(c, i, rip, get_reg(c, i, i.reg, i.opsz), b);
}
X86_OP(imul_gv_ev_i) {
    uint64_t a;
    X86_TRY(read_rm(c, i, rip, a));
    return imul2(c, i, rip, a, static_cast<uint64_t>(i.imm));
}

X86_OP(div) {
    const unsigned sz = i.opsz, n = bits(sz);
    uint64_t d;
    X86_TRY(read_rm(c, i, rip, d));
    if (d == 0) return c.raise(0);
    const u128 num = sz == kSz8 ? u128{c.gpr[0] & 0xffff} : (u128{get_reg(c, i, 2, sz)} << n) | get_reg(c, i, 0, sz);
    const u128 q = num / d, r = num % d;
    if (q > mask(sz)) return c.raise(0);
    if (sz == kSz8) {
        set_reg(c, i, 0, kSz16, (static_cast<uint64_t>(r) << 8) | static_cast<uint64_t>(q));
    } else {
        set_reg(c, i, 0, sz, static_cast<uint64_t>(q));
        set_reg(c, i, 2, sz, static_cast<uint64_t>(r));
    }
    return NEXT;
}
X86_OP(idiv) {
    const unsigned sz = i.opsz, n = bits(sz);
    uint64_t d_;
    X86_TRY(read_rm(c, i, rip, d_));
    const int64_t d = static_cast<int64_t>(sext(d_, sz));
    if (d == 0) return c.raise(0);
    i128 num;
    if (sz == kSz8) num = static_cast<int16_t>(c.gpr[0] & 0xffff);
    else num = static_cast<i128>((u128{get_reg(c, i, 2, sz)} << n) | get_reg(c, i, 0, sz)) << (128 - 2 * n) >> (128 - 2 * n);
    const i128 q = num / d, r = num % d;
    const i128 lo = -(i128{1} << (n - 1)), hi = (i128{1} << (n - 1)) - 1;
    if (q < lo || q > hi) return c.raise(0);
    const uint64_t uq = static_cast<uint64_t>(q) & mask(sz), ur = static_cast<uint64_t>(r) & mask(sz);
    if (sz == kSz8) {
        set_reg(c, i, 0, kSz16, (ur << 8) | uq);
    } else {
        set_reg(c, i, 0, sz, uq);
        set_reg(c, i, 2, sz, ur);
    }
    return NEXT;
}

// ---- bit test and scan

namespace {
// op: 0 BT, 1 BTS, 2 BTR, 3 BTC. A register bit offset addresses memory
// beyond the operand (signed, in operand-size units); an immediate or a
// register destination takes it modulo the width.
uint64_t bt(Core& c, const Insn& i, uint64_t rip, unsigned op, uint64_t offset, bool from_reg) {
    const unsigned sz = i.opsz, n = bits(sz);
    uint64_t a_ = 0;
    if (i.flags & iflag::Mem) {
        a_ = ea(c, i, rip);
        if (from_reg) {
            const int64_t off = static_cast<int64_t>(sext(offset, sz));
            a_ = (a_ + static_cast<uint64_t>((off >> (3 + sz)) * (1 << sz))) & mask(i.adsz);
        }
    }
    const unsigned bit = static_cast<unsigned>(offset & (n - 1));
    uint64_t v;
    if (i.flags & iflag::Mem) X86_TRY(load_sz(c, static_cast<SegReg>(i.seg), a_, sz, v));
    else v = get_reg(c, i, i.rm, sz);
    const bool old = (v >> bit) & 1;
    c.rflags = old ? (c.rflags | rflags::CF) : (c.rflags & ~rflags::CF);
    if (op == 0) return NEXT;
    const uint64_t r = op == 1 ? (v | (1ull << bit)) : op == 2 ? (v & ~(1ull << bit)) : (v ^ (1ull << bit));
    if (i.flags & iflag::Mem) X86_TRY(store_sz(c, static_cast<SegReg>(i.seg), a_, sz, r));
    else set_reg(c, i, i.rm, sz, r);
    return NEXT;
}
} // namespace

X86_OP(bt_ev_gv) { return bt(c, i, rip, 0, get_reg(c, i, i.reg, i.opsz), true); }
X86_OP(bts_ev_gv) { return bt(c, i, rip, 1, get_reg(c, i, i.reg, i.opsz), true); }
X86_OP(btr_ev_gv) { return bt(c, i, rip, 2, get_reg(c, i, i.reg, i.opsz), true); }
X86_OP(btc_ev_gv) { return bt(c, i, rip, 3, get_reg(c, i, i.reg, i.opsz), true); }
X86_OP(bt_ev_ib) { return bt(c, i, rip, 0, static_cast<uint64_t>(i.imm), false); }
X86_OP(bts_ev_ib) { return bt(c, i, rip, 1, static_cast<uint64_t>(i.imm), false); }
X86_OP(btr_ev_ib) { return bt(c, i, rip, 2, static_cast<uint64_t>(i.imm), false); }
X86_OP(btc_ev_ib) { return bt(c, i, rip, 3, static_cast<uint64_t>(i.imm), false); }

// BSF/BSR: a zero source sets ZF and leaves the destination unchanged.
X86_OP(bsf) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v));
    if (v == 0) {
        set_status(c, rflags::ZF);
        return NEXT;
    }
    set_status(c, 0);
    set_reg(c, i, i.reg, i.opsz, static_cast<uint64_t>(__builtin_ctzll(v)));
    return NEXT;
}
X86_OP(bsr) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v));
    if (v == 0) {
        set_status(c, rflags::ZF);
        return NEXT;
    }
    set_status(c, 0);
    set_reg(c, i, i.reg, i.opsz, static_cast<uint64_t>(63 - __builtin_clzll(v)));
    return NEXT;
}

// ---- BCD (legacy modes only)

X86_OP(daa) {
    uint8_t al = static_cast<uint8_t>(c.gpr[0]);
    const uint8_t old = al;
    const bool oldcf = c.rflags & rflags::CF;
    uint64_t f = 0;
    if ((al & 0xf) > 9 || (c.rflags & rflags::AF)) {
        al = static_cast<uint8_t>(al + 6);
        f |= rflags::AF;
    }
    if (old > 0x99 || oldcf) {
        al = static_cast<uint8_t>(al + 0x60);
        f |= rflags::CF;
    }
    set_reg(c, i, 0, kSz8, al);
    set_status(c, f | szp(al, kSz8));
    return NEXT;
}
X86_OP(das) {
    uint8_t al = static_cast<uint8_t>(c.gpr[0]);
    const uint8_t old = al;
    const bool oldcf = c.rflags & rflags::CF;
    uint64_t f = 0;
    if ((al & 0xf) > 9 || (c.rflags & rflags::AF)) {
        al = static_cast<uint8_t>(al - 6);
        f |= rflags::AF;
    }
    if (old > 0x99 || oldcf) {
        al = static_cast<uint8_t>(al - 0x60);
        f |= rflags::CF;
    }
    set_reg(c, i, 0, kSz8, al);
    set_status(c, f | szp(al, kSz8));
    return NEXT;
}
namespace {
uint64_t ascii_adjust(Core& c, const Insn& i, uint64_t rip, bool sub) {
    uint64_t ax = c.gpr[0] & 0xffff;
    uint64_t f = c.rflags & ~(rflags::AF | rflags::CF);
    if ((ax & 0xf) > 9 || (c.rflags & rflags::AF)) {
        ax = (sub ? ax - 0x106 : ax + 0x106) & 0xffff;
        f |= rflags::AF | rflags::CF;
    }
    ax &= 0xff0f;
    set_reg(c, i, 0, kSz16, ax);
    c.rflags = f;
    return NEXT;
}
} // namespace
X86_OP(aaa) { return ascii_adjust(c, i, rip, false); }
X86_OP(aas) { return ascii_adjust(c, i, rip, true); }
X86_OP(aam) {
    const uint8_t base = static_cast<uint8_t>(i.imm);
    if (base == 0) return c.raise(0);
    const uint8_t al = static_cast<uint8_t>(c.gpr[0]);
    const uint64_t r = (uint64_t{static_cast<uint8_t>(al / base)} << 8) | (al % base);
    set_reg(c, i, 0, kSz16, r);
    set_status(c, szp(r, kSz8));
    return NEXT;
}
X86_OP(aad) {
    const uint8_t al = static_cast<uint8_t>(c.gpr[0]), ah = static_cast<uint8_t>(c.gpr[0] >> 8);
    const uint8_t r = static_cast<uint8_t>(al + ah * static_cast<uint8_t>(i.imm));
    set_reg(c, i, 0, kSz16, r);
    set_status(c, szp(r, kSz8));
    return NEXT;
}

} // namespace hvemu::x86
