// What instruction handlers include: the memory fast paths (segment check,
// then the software TLB; everything else in load_slow/store_slow), operand
// access by size, effective addresses, the stack and the RFLAGS arithmetic.
#pragma once
#include "isa/x86/core.hpp"
#include "isa/x86/insn.hpp"

namespace hvemu::x86 {

inline unsigned tlb_index(uint64_t lin) { return (lin >> 12) & (Core::kTlbSize - 1); }

// Segment types the fast path handles itself: present data segments,
// expand-up (and writable for stores). Everything else (code segments,
// expand-down, null, limits) is load_slow/store_slow's business.
constexpr uint16_t kSegFastMask = 0x9c, kSegFastRead = 0x90;
constexpr uint16_t kSegFastWMask = 0x9e, kSegFastWrite = 0x92;

template <class T> inline bool Core::load(SegReg s, uint64_t ea, T& out) {
    uint64_t lin;
    if (HV_LIKELY(code64())) {
        lin = s >= FS ? ea + seg[s].base : ea;
    } else {
        const Segment& g = seg[s];
        if (HV_UNLIKELY((g.attr & kSegFastMask) != kSegFastRead || ea + (sizeof(T) - 1) > g.limit)) goto slow;
        lin = static_cast<uint32_t>(g.base + ea);
    }
    {
        const TlbEntry& e = tlb_r[tlb_index(lin)];
        if (HV_LIKELY(e.vpn == (lin >> 12) && e.ctx == data_ctx && ((lin & 0xfff) + sizeof(T)) <= 0x1000)) {
            std::memcpy(&out, reinterpret_cast<const void*>(lin + e.addend), sizeof(T));
            return true;
        }
    }
slow:
    uint64_t v;
    if (!load_slow(s, ea, sizeof(T), v)) return false;
    out = static_cast<T>(v);
    return true;
}

template <class T> inline bool Core::store(SegReg s, uint64_t ea, T val) {
    uint64_t lin;
    if (HV_LIKELY(code64())) {
        lin = s >= FS ? ea + seg[s].base : ea;
    } else {
        const Segment& g = seg[s];
        if (HV_UNLIKELY((g.attr & kSegFastWMask) != kSegFastWrite || ea + (sizeof(T) - 1) > g.limit)) goto slow;
        lin = static_cast<uint32_t>(g.base + ea);
    }
    {
        const TlbEntry& e = tlb_w[tlb_index(lin)];
        if (HV_LIKELY(e.vpn == (lin >> 12) && e.ctx == data_ctx && ((lin & 0xfff) + sizeof(T)) <= 0x1000)) {
            std::memcpy(reinterpret_cast<void*>(lin + e.addend), &val, sizeof(T));
            return true;
        }
    }
slow:
    return store_slow(s, ea, sizeof(T), static_cast<uint64_t>(val));
}

// A memory access (or other check) that raised an exception: raise() has
// set rip to the handler's (or the VM exit's) continuation.
#define X86_TRY(expr)                  \
    do {                               \
        if (HV_UNLIKELY(!(expr))) return c.rip; \
    } while (0)

namespace x {   // handler helpers

constexpr uint64_t kSizeMask[5] = {0xff, 0xffff, 0xffffffff, ~0ull, ~0ull};
inline uint64_t mask(unsigned sz) { return kSizeMask[sz]; }
inline unsigned bits(unsigned sz) { return 8u << sz; }
inline uint64_t sext(uint64_t v, unsigned sz) {
    const unsigned sh = 64 - bits(sz);
    return sz >= 3 ? v : static_cast<uint64_t>(static_cast<int64_t>(v << sh) >> sh);
}

// Effective address of the memory operand, wrapped to the address size.
inline uint64_t ea(const Core& c, const Insn& i, uint64_t rip) {
    uint64_t a = static_cast<uint64_t>(static_cast<int64_t>(i.disp));
    if (i.rm < 16) a += c.gpr[i.rm];
    else if (i.rm == kRip) a += rip + i.len;
    if (i.index != kNoReg) a += c.gpr[i.index] << i.scale;
    return a & mask(i.adsz);
}

// Byte registers: without REX, 4-7 are AH, CH, DH, BH.
inline uint8_t* byte_reg(Core& c, const Insn& i, unsigned r) {
    if (r >= 4 && r < 8 && !(i.flags & iflag::Rex)) return reinterpret_cast<uint8_t*>(&c.gpr[r - 4]) + 1;
    return reinterpret_cast<uint8_t*>(&c.gpr[r]);
}
inline uint64_t get_reg(Core& c, const Insn& i, unsigned r, unsigned sz) {
    if (sz == kSz8) return *byte_reg(c, i, r);
    return c.gpr[r] & mask(sz);
}
// 32-bit writes zero the upper half; 8- and 16-bit writes merge.
inline void set_reg(Core& c, const Insn& i, unsigned r, unsigned sz, uint64_t v) {
    switch (sz) {
    case kSz8: *byte_reg(c, i, r) = static_cast<uint8_t>(v); break;
    case kSz16: c.gpr[r] = (c.gpr[r] & ~0xffffull) | (v & 0xffff); break;
    case kSz32: c.gpr[r] = v & 0xffffffff; break;
    default: c.gpr[r] = v; break;
    }
}

inline bool load_sz(Core& c, SegReg s, uint64_t a, unsigned sz, uint64_t& v) {
    switch (sz) {
    case kSz8: { uint8_t t; if (!c.load(s, a, t)) return false; v = t; return true; }
    case kSz16: { uint16_t t; if (!c.load(s, a, t)) return false; v = t; return true; }
    case kSz32: { uint32_t t; if (!c.load(s, a, t)) return false; v = t; return true; }
    default: return c.load(s, a, v);
    }
}
inline bool store_sz(Core& c, SegReg s, uint64_t a, unsigned sz, uint64_t v) {
    switch (sz) {
    case kSz8: return c.store(s, a, static_cast<uint8_t>(v));
    case kSz16: return c.store(s, a, static_cast<uint16_t>(v));
    case kSz32: return c.store(s, a, static_cast<uint32_t>(v));
    default: return c.store(s, a, v);
    }
}

// The r/m operand at the instruction's operand size (or `sz`).
inline bool read_rm(Core& c, const Insn& i, uint64_t rip, uint64_t& v, unsigned sz) {
    if (i.flags & iflag::Mem) return load_sz(c, static_cast<SegReg>(i.seg), ea(c, i, rip), sz, v);
    v = get_reg(c, i, i.rm, sz);
    return true;
}
inline bool read_rm(Core& c, const Insn& i, uint64_t rip, uint64_t& v) { return read_rm(c, i, rip, v, i.opsz); }
inline bool write_rm(Core& c, const Insn& i, uint64_t rip, uint64_t v, unsigned sz) {
    if (i.flags & iflag::Mem) return store_sz(c, static_cast<SegReg>(i.seg), ea(c, i, rip), sz, v);
    set_reg(c, i, i.rm, sz, v);
    return true;
}
inline bool write_rm(Core& c, const Insn& i, uint64_t rip, uint64_t v) { return write_rm(c, i, rip, v, i.opsz); }

// ---- the stack (SS:RSP with the stack address size)
inline uint64_t sp_mask(const Core& c) {
    if (c.code64()) return ~0ull;
    return (c.seg[SS].attr & (1u << 14)) ? 0xffffffffull : 0xffffull;
}
inline void set_sp(Core& c, uint64_t m, uint64_t v) { c.gpr[4] = (c.gpr[4] & ~m) | (v & m); }
// push/pop of 2, 4 or 8 bytes (sz as log2); RSP changes only on success.
inline bool push(Core& c, unsigned sz, uint64_t v) {
    const uint64_t m = sp_mask(c);
    const uint64_t sp = (c.gpr[4] - (1u << sz)) & m;
    if (!store_sz(c, SS, sp, sz, v)) return false;
    set_sp(c, m, sp);
    return true;
}
inline bool pop(Core& c, unsigned sz, uint64_t& v) {
    const uint64_t m = sp_mask(c);
    const uint64_t sp = c.gpr[4] & m;
    if (!load_sz(c, SS, sp, sz, v)) return false;
    set_sp(c, m, sp + (1u << sz));
    return true;
}

// ---- RFLAGS (computed eagerly)
constexpr uint64_t kStatus = rflags::STATUS;
inline uint64_t szp(uint64_t r, unsigned sz) {
    r &= mask(sz);
    uint64_t f = 0;
    if (r == 0) f |= rflags::ZF;
    if ((r >> (bits(sz) - 1)) & 1) f |= rflags::SF;
    if (!__builtin_parity(static_cast<unsigned>(r & 0xff))) f |= rflags::PF;
    return f;
}
inline void set_status(Core& c, uint64_t f) { c.rflags = (c.rflags & ~kStatus) | f; }
// a + b + cin = r
inline uint64_t flags_add(uint64_t a, uint64_t b, uint64_t r, unsigned sz) {
    const unsigned top = bits(sz) - 1;
    uint64_t f = szp(r, sz) | ((a ^ b ^ r) & rflags::AF);
    if ((((a & b) | ((a | b) & ~r)) >> top) & 1) f |= rflags::CF;
    if ((((a ^ r) & (b ^ r)) >> top) & 1) f |= rflags::OF;
    return f;
}
// a - b - bin = r
inline uint64_t flags_sub(uint64_t a, uint64_t b, uint64_t r, unsigned sz) {
    const unsigned top = bits(sz) - 1;
    uint64_t f = szp(r, sz) | ((a ^ b ^ r) & rflags::AF);
    if ((((~a & b) | ((~a | b) & r)) >> top) & 1) f |= rflags::CF;
    if ((((a ^ b) & (a ^ r)) >> top) & 1) f |= rflags::OF;
    return f;
}
inline uint64_t flags_logic(uint64_t r, unsigned sz) { return szp(r, sz); }

// Condition codes (the low nibble of Jcc/SETcc/CMOVcc).
inline bool cond(uint64_t f, unsigned cc) {
    bool r;
    switch (cc >> 1) {
    case 0: r = f & rflags::OF; break;
    case 1: r = f & rflags::CF; break;
    case 2: r = f & rflags::ZF; break;
    case 3: r = f & (rflags::CF | rflags::ZF); break;
    case 4: r = f & rflags::SF; break;
    case 5: r = f & rflags::PF; break;
    case 6: r = !(f & rflags::SF) != !(f & rflags::OF); break;
    default: r = (f & rflags::ZF) || (!(f & rflags::SF) != !(f & rflags::OF)); break;
    }
    return r != (cc & 1);
}

// A near branch target wrapped to the operand size (16-bit IP wraps).
inline uint64_t branch_target(const Insn& i, uint64_t t) { return i.opsz == kSz16 ? (t & 0xffff) : i.opsz == kSz32 ? (t & 0xffffffff) : t; }

} // namespace x

} // namespace hvemu::x86
