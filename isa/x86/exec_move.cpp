// Data movement: MOV (all general forms), MOVZX/MOVSX/MOVSXD, LEA, XCHG,
// CMPXCHG/CMPXCHG8B/16B, XADD, BSWAP, CBW/CWD families, SETcc/CMOVcc,
// XLAT, segment register moves and far-pointer loads, and the flag moves.
// LOCK needs nothing more here: a core runs one instruction at a time and
// the machine interleaves cores only between instructions.
#include "isa/x86/exec.hpp"

namespace hvemu::x86 {

using namespace x;
__extension__ using u128 = unsigned __int128;

// ---- MOV

X86_OP(mov_eb_gb) { X86_TRY(write_rm(c, i, rip, get_reg(c, i, i.reg, i.opsz))); return NEXT; }
X86_OP(mov_ev_gv) { X86_TRY(write_rm(c, i, rip, get_reg(c, i, i.reg, i.opsz))); return NEXT; }
X86_OP(mov_gb_eb) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v));
    set_reg(c, i, i.reg, i.opsz, v);
    return NEXT;
}
X86_OP(mov_gv_ev) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v));
    set_reg(c, i, i.reg, i.opsz, v);
    return NEXT;
}
X86_OP(mov_eb_ib) { X86_TRY(write_rm(c, i, rip, static_cast<uint64_t>(i.imm))); return NEXT; }
X86_OP(mov_ev_iz) { X86_TRY(write_rm(c, i, rip, static_cast<uint64_t>(i.imm))); return NEXT; }
X86_OP(mov_rb_ib) { set_reg(c, i, i.reg, kSz8, static_cast<uint64_t>(i.imm)); return NEXT; }
X86_OP(mov_r_iv) { set_reg(c, i, i.reg, i.opsz, static_cast<uint64_t>(i.imm)); return NEXT; }
X86_OP(mov_al_moffs) {
    uint64_t v;
    X86_TRY(load_sz(c, static_cast<SegReg>(i.seg), static_cast<uint64_t>(i.imm) & mask(i.adsz), i.opsz, v));
    set_reg(c, i, 0, i.opsz, v);
    return NEXT;
}
X86_OP(mov_ax_moffs) { return op_mov_al_moffs(c, i, rip); }
X86_OP(mov_moffs_al) {
    X86_TRY(store_sz(c, static_cast<SegReg>(i.seg), static_cast<uint64_t>(i.imm) & mask(i.adsz), i.opsz,
                     get_reg(c, i, 0, i.opsz)));
    return NEXT;
}
X86_OP(mov_moffs_ax) { return op_mov_moffs_al(c, i, rip); }

X86_OP(movzx_b) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, kSz8));
    set_reg(c, i, i.reg, i.opsz, v);
    return NEXT;
}
X86_OP(movzx_w) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, kSz16));
    set_reg(c, i, i.reg, i.opsz, v);
    return NEXT;
}
X86_OP(movsx_b) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, kSz8));
    set_reg(c, i, i.reg, i.opsz, sext(v, kSz8));
    return NEXT;
}
X86_OP(movsx_w) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, kSz16));
    set_reg(c, i, i.reg, i.opsz, sext(v, kSz16));
    return NEXT;
}
// MOVSXD: sign-extends with REX.W; otherwise a plain 32/16-bit move.
X86_OP(movsxd) {
    const unsigned ssz = i.opsz == kSz64 ? kSz32 : i.opsz;
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, ssz));
    set_reg(c, i, i.reg, i.opsz, sext(v, ssz));
    return NEXT;
}
X86_OP(lea) {
    set_reg(c, i, i.reg, i.opsz, ea(c, i, rip));
    return NEXT;
}

// ---- exchanges

X86_OP(xchg_eb_gb) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v));
    X86_TRY(write_rm(c, i, rip, get_reg(c, i, i.reg, i.opsz)));
    set_reg(c, i, i.reg, i.opsz, v);
    return NEXT;
}
X86_OP(xchg_ev_gv) { return op_xchg_eb_gb(c, i, rip); }
// 90+r; 90 itself (no REX.B) is NOP, not XCHG EAX,EAX (no zero extension).
X86_OP(xchg_ax_r) {
    if (i.reg == 0) return NEXT;
    const uint64_t a = get_reg(c, i, 0, i.opsz);
    set_reg(c, i, 0, i.opsz, get_reg(c, i, i.reg, i.opsz));
    set_reg(c, i, i.reg, i.opsz, a);
    return NEXT;
}
X86_OP(xadd) {
    const unsigned sz = i.opsz;
    uint64_t d;
    const uint64_t a_ = (i.flags & iflag::Mem) ? ea(c, i, rip) : 0;
    const auto s = static_cast<SegReg>(i.seg);
    if (i.flags & iflag::Mem) X86_TRY(load_sz(c, s, a_, sz, d));
    else d = get_reg(c, i, i.rm, sz);
    const uint64_t src = get_reg(c, i, i.reg, sz);
    const uint64_t r = (d + src) & mask(sz);
    if (i.flags & iflag::Mem) X86_TRY(store_sz(c, s, a_, sz, r));
    set_status(c, flags_add(d, src, r, sz));
    set_reg(c, i, i.reg, sz, d);
    if (!(i.flags & iflag::Mem)) set_reg(c, i, i.rm, sz, r);
    return NEXT;
}
// CMPXCHG: compare the accumulator with the destination (flags of CMP);
// equal: destination = source; else accumulator = destination. A memory
// destination is always written (with its own value on a mismatch).
X86_OP(cmpxchg) {
    const unsigned sz = i.opsz;
    uint64_t d;
    const uint64_t a_ = (i.flags & iflag::Mem) ? ea(c, i, rip) : 0;
    const auto s = static_cast<SegReg>(i.seg);
    if (i.flags & iflag::Mem) X86_TRY(load_sz(c, s, a_, sz, d));
    else d = get_reg(c, i, i.rm, sz);
    const uint64_t acc = get_reg(c, i, 0, sz);
    const uint64_t r = (acc - d) & mask(sz);
    const bool eq = acc == d;
    const uint64_t nv = eq ? get_reg(c, i, i.reg, sz) : d;
    if (i.flags & iflag::Mem) X86_TRY(store_sz(c, s, a_, sz, nv));
    else if (eq) set_reg(c, i, i.rm, sz, nv);
    set_status(c, flags_sub(acc, d, r, sz));
    if (!eq) set_reg(c, i, 0, sz, d);
    return NEXT;
}
// CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W; 16-byte aligned or #GP).
X86_OP(cmpxchg8b) {
    const uint64_t a_ = ea(c, i, rip);
    const auto s = static_cast<SegReg>(i.seg);
    if (i.opsz == kSz64) {
        if (a_ & 15) return c.raise_gp(0);
        uint64_t lo, hi;
        X86_TRY(c.load(s, a_, lo));
        X86_TRY(c.load(s, (a_ + 8) & mask(i.adsz), hi));
        const bool eq = lo == c.gpr[0] && hi == c.gpr[2];
        const uint64_t nlo = eq ? c.gpr[3] : lo, nhi = eq ? c.gpr[1] : hi;
        X86_TRY(c.store(s, (a_ + 8) & mask(i.adsz), nhi));
        X86_TRY(c.store(s, a_, nlo));
        c.rflags = eq ? (c.rflags | rflags::ZF) : (c.rflags & ~rflags::ZF);
        if (!eq) c.gpr[0] = lo, c.gpr[2] = hi;
        return NEXT;
    }
    uint64_t m;
    X86_TRY(c.load(s, a_, m));
    const uint64_t edx_eax = ((c.gpr[2] & 0xffffffff) << 32) | (c.gpr[0] & 0xffffffff);
    const bool eq = m == edx_eax;
    const uint64_t nv = eq ? (((c.gpr[1] & 0xffffffff) << 32) | (c.gpr[3] & 0xffffffff)) : m;
    X86_TRY(c.store(s, a_, nv));
    c.rflags = eq ? (c.rflags | rflags::ZF) : (c.rflags & ~rflags::ZF);
    if (!eq) {
        c.gpr[0] = m & 0xffffffff;
        c.gpr[2] = m >> 32;
    }
    return NEXT;
}
X86_OP(bswap) {
    const uint64_t v = c.gpr[i.reg];
    if (i.opsz == kSz64) c.gpr[i.reg] = __builtin_bswap64(v);
    else if (i.opsz == kSz32) c.gpr[i.reg] = __builtin_bswap32(static_cast<uint32_t>(v));
    else c.gpr[i.reg] &= ~0xffffull;   // undefined for 16 bits; zero as current CPUs do
    return NEXT;
}

// ---- sign extension of the accumulator

X86_OP(cbw) {
    const unsigned half = i.opsz - 1u;
    set_reg(c, i, 0, i.opsz, sext(get_reg(c, i, 0, half), half));
    return NEXT;
}
X86_OP(cwd) {
    const bool neg = (get_reg(c, i, 0, i.opsz) >> (bits(i.opsz) - 1)) & 1;
    set_reg(c, i, 2, i.opsz, neg ? ~0ull : 0);
    return NEXT;
}

// ---- conditions

X86_OP(setcc) { X86_TRY(write_rm(c, i, rip, cond(c.rflags, i.cc) ? 1 : 0, kSz8)); return NEXT; }
// The source is read (and may fault) either way; a 32-bit destination is
// zero-extended even when the condition is false.
X86_OP(cmovcc) {
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v));
    set_reg(c, i, i.reg, i.opsz, cond(c.rflags, i.cc) ? v : get_reg(c, i, i.reg, i.opsz));
    return NEXT;
}
X86_OP(xlat) {
    const uint64_t a = (c.gpr[3] + (c.gpr[0] & 0xff)) & mask(i.adsz);
    uint8_t v;
    X86_TRY(c.load(static_cast<SegReg>(i.seg), a, v));
    set_reg(c, i, 0, kSz8, v);
    return NEXT;
}

// ---- flags

X86_OP(clc) { c.rflags &= ~rflags::CF; return NEXT; }
X86_OP(stc) { c.rflags |= rflags::CF; return NEXT; }
X86_OP(cmc) { c.rflags ^= rflags::CF; return NEXT; }
X86_OP(cld) { c.rflags &= ~rflags::DF; return NEXT; }
X86_OP(std_) { c.rflags |= rflags::DF; return NEXT; }
X86_OP(lahf) {
    c.gpr[0] = (c.gpr[0] & ~0xff00ull) | (((c.rflags & 0xd5) | 2) << 8);
    return NEXT;
}
X86_OP(sahf) {
    c.rflags = (c.rflags & ~0xd5ull) | ((c.gpr[0] >> 8) & 0xd5);
    return NEXT;
}

// ---- segment registers

X86_OP(mov_ev_sreg) {
    const unsigned s = i.reg;
    if (s > GS) return c.raise_ud();
    const uint16_t sel = c.seg[s].selector;
    if (i.flags & iflag::Mem) X86_TRY(c.store(static_cast<SegReg>(i.seg), ea(c, i, rip), sel));
    else set_reg(c, i, i.rm, i.opsz, sel);   // 32/64-bit: zero-extended
    return NEXT;
}
X86_OP(mov_sreg_ew) {
    const unsigned s = i.reg;
    if (s > GS || s == CS) return c.raise_ud();
    uint64_t sel;
    X86_TRY(read_rm(c, i, rip, sel, kSz16));
    X86_TRY(c.load_segment(static_cast<SegReg>(s), static_cast<uint16_t>(sel)));
    if (s == SS) c.set_interrupt_shadow();
    c.end_block();
    return NEXT;
}
namespace {
uint64_t push_seg(Core& c, const Insn& i, uint64_t rip, SegReg s) {
    X86_TRY(push(c, i.opsz, c.seg[s].selector));
    return NEXT;
}
// The selector is loaded before RSP moves: a faulting load leaves RSP alone.
uint64_t pop_seg(Core& c, const Insn& i, uint64_t rip, SegReg s) {
    const uint64_t m = sp_mask(c);
    uint64_t v;
    X86_TRY(load_sz(c, SS, c.gpr[4] & m, i.opsz, v));
    X86_TRY(c.load_segment(s, static_cast<uint16_t>(v)));
    set_sp(c, m, c.gpr[4] + (1u << i.opsz));
    if (s == SS) c.set_interrupt_shadow();
    c.end_block();
    return NEXT;
}
// LES/LDS/LSS/LFS/LGS: offset then selector from memory.
uint64_t load_far(Core& c, const Insn& i, uint64_t rip, SegReg s) {
    const uint64_t a = ea(c, i, rip);
    const auto sg = static_cast<SegReg>(i.seg);
    uint64_t off;
    uint16_t sel;
    X86_TRY(load_sz(c, sg, a, i.opsz, off));
    X86_TRY(c.load(sg, (a + (1u << i.opsz)) & mask(i.adsz), sel));
    X86_TRY(c.load_segment(s, sel));
    set_reg(c, i, i.reg, i.opsz, off);
    if (s == SS) c.set_interrupt_shadow();
    c.end_block();
    return NEXT;
}
} // namespace
X86_OP(push_es) { return push_seg(c, i, rip, ES); }
X86_OP(push_cs) { return push_seg(c, i, rip, CS); }
X86_OP(push_ss) { return push_seg(c, i, rip, SS); }
X86_OP(push_ds) { return push_seg(c, i, rip, DS); }
X86_OP(push_fs) { return push_seg(c, i, rip, FS); }
X86_OP(push_gs) { return push_seg(c, i, rip, GS); }
X86_OP(pop_es) { return pop_seg(c, i, rip, ES); }
X86_OP(pop_ss) { return pop_seg(c, i, rip, SS); }
X86_OP(pop_ds) { return pop_seg(c, i, rip, DS); }
X86_OP(pop_fs) { return pop_seg(c, i, rip, FS); }
X86_OP(pop_gs) { return pop_seg(c, i, rip, GS); }
X86_OP(les) { return load_far(c, i, rip, ES); }
X86_OP(lds) { return load_far(c, i, rip, DS); }
X86_OP(lss) { return load_far(c, i, rip, SS); }
X86_OP(lfs) { return load_far(c, i, rip, FS); }
X86_OP(lgs) { return load_far(c, i, rip, GS); }

// ---- miscellany

X86_OP(pause) { return NEXT; }
X86_OP(nop_ev) { return NEXT; }
X86_OP(fence) { return NEXT; }
X86_OP(ud2) { return c.raise_ud(); }

} // namespace hvemu::x86
