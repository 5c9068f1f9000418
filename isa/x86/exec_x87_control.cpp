// x87 control and state instructions: the checks every x87 instruction
// starts with, FNINIT/FNCLEX, the control and status words, WAIT, the
// register-stack housekeeping (FFREE, FINCSTP, FDECSTP, FNOP) and the
// environment/state images of FNSTENV/FLDENV/FNSAVE/FRSTOR in their four
// layouts (16/32-bit operand size; protected or real/virtual-8086 mode).
#include "isa/x86/x87_stack.hpp"

namespace hvemu::x86 {

using namespace x;
using namespace x87;

namespace x87 {

namespace {
// FOP: the low 3 bits of the escape byte (D8-DF) and the ModRM byte,
// read back from the instruction (the decoded form keeps no ModRM.mod).
uint16_t read_fop(Core& c, uint64_t rip) {
    const uint64_t base = c.code64() ? 0 : c.seg[CS].base;
    for (unsigned k = 0; k + 1 < 15; ++k) {
        uint64_t b = 0, m = 0;
        Translation t;
        const uint64_t lin = c.code64() ? rip + k : static_cast<uint32_t>(base + rip + k);
        if (!c.read_linear(lin, 1, b, c.cpl == 3, t)) return 0;
        if ((b & 0xf8) != 0xd8) continue;
        const uint64_t lin2 = c.code64() ? lin + 1 : static_cast<uint32_t>(lin + 1);
        if (!c.read_linear(lin2, 1, m, c.cpl == 3, t)) return 0;
        return static_cast<uint16_t>(((b & 7) << 8) | (m & 0xff));
    }
    return 0;
}
} // namespace

bool begin(Core& c, const Insn& i, uint64_t rip, Kind k) {
    if (c.cr0 & (kCr0Em | kCr0Ts)) return c.raise(kVectorNm), false;
    if (k != Kind::NoWait && (c.fsw & sw::ES) && (c.cr0 & kCr0Ne)) return c.raise(kVectorMf), false;
    if (k == Kind::Arith) {
        c.fip = rip;
        c.fcs = c.seg[CS].selector;
        c.fop = read_fop(c, rip);
        if (i.flags & iflag::Mem) {
            c.fdp = ea(c, i, rip);
            c.fds = c.seg[i.seg].selector;
        }
    }
    return true;
}

} // namespace x87

namespace {

// FNINIT: registers keep their contents (st[] follows TOP back to 0).
void init(Core& c) {
    rotate(c, -static_cast<int>(top(c)));
    c.fcw = 0x37f;
    c.fsw = 0;
    c.ftw = 0;
    c.fip = c.fdp = 0;
    c.fcs = c.fds = c.fop = 0;
}
void load_cw(Core& c, uint16_t v) {
    c.fcw = static_cast<uint16_t>((v & 0x1f3f) | 0x40);   // bit 6 reads as 1, bits 7 and 13-15 as 0
    update_es(c);
}

// The full tag word of FNSTENV/FNSAVE: per physical register 00 valid,
// 01 zero, 10 special (NaN, infinity, denormal, unsupported), 11 empty.
uint16_t full_tag(const Core& c) {
    uint16_t t = 0;
    for (unsigned p = 0; p < 8; ++p) {
        unsigned tag = 3;
        if ((c.ftw >> p) & 1) {
            const Class k = classify(get(c, (p - top(c)) & 7));
            tag = k == Class::Zero ? 1 : k == Class::Normal ? 0 : 2;
        }
        t = static_cast<uint16_t>(t | (tag << (2 * p)));
    }
    return t;
}

struct EnvImage {
    uint8_t b[28] = {};
    unsigned size = 0;
};
void put16(uint8_t* p, uint32_t v) { p[0] = static_cast<uint8_t>(v), p[1] = static_cast<uint8_t>(v >> 8); }
void put32(uint8_t* p, uint32_t v) { put16(p, v), put16(p + 2, v >> 16); }
uint32_t get16(const uint8_t* p) { return p[0] | (uint32_t{p[1]} << 8); }
uint32_t get32(const uint8_t* p) { return get16(p) | (get16(p + 2) << 16); }

bool real_layout(const Core& c) { return !c.protected_mode() || (c.rflags & rflags::VM); }

// The 14- or 28-byte environment (SDM Vol.1 8.1.10, figures 8-9 to 8-12).
// Real mode keeps 20-bit linear pointers split over two fields; reserved
// halves are written as ones.
EnvImage store_env(const Core& c, const Insn& i) {
    EnvImage e;
    const bool o32 = i.opsz >= kSz32, real = real_layout(c);
    const uint32_t ip = real ? static_cast<uint32_t>(c.fcs * 16u + c.fip) : static_cast<uint32_t>(c.fip);
    const uint32_t dp = real ? static_cast<uint32_t>(c.fds * 16u + c.fdp) : static_cast<uint32_t>(c.fdp);
    const uint32_t w[7] = {
        c.fcw, c.fsw, full_tag(c),
        real ? (ip & 0xffff) : ip,
        real ? ((ip >> 16) << 12) | (c.fop & 0x7ff) : (uint32_t{c.fop & 0x7ffu} << 16) | c.fcs,
        real ? (dp & 0xffff) : dp,
        real ? (dp >> 16) << 12 : c.fds,
    };
    if (o32) {
        e.size = 28;
        for (unsigned k = 0; k < 7; ++k) {
            uint32_t v = w[k];
            if (k < 3 || (real && (k == 3 || k == 5)) || (!real && k == 6)) v |= 0xffff0000u;
            put32(e.b + 4 * k, v);
        }
    } else {
        e.size = 14;
        for (unsigned k = 0; k < 7; ++k) put16(e.b + 2 * k, w[k]);   // the low halves of the same fields
    }
    return e;
}

void load_env(Core& c, const Insn& i, const uint8_t* b) {
    const bool o32 = i.opsz >= kSz32, real = real_layout(c);
    uint32_t w[7];
    for (unsigned k = 0; k < 7; ++k) w[k] = o32 ? get32(b + 4 * k) : get16(b + 2 * k);
    const uint16_t fsw = static_cast<uint16_t>(w[1]);
    rotate(c, static_cast<int>((fsw >> sw::TopShift) & 7) - static_cast<int>(top(c)));
    c.fsw = fsw;
    uint16_t ftw = 0;
    for (unsigned p = 0; p < 8; ++p)
        if (((w[2] >> (2 * p)) & 3) != 3) ftw = static_cast<uint16_t>(ftw | (1u << p));
    c.ftw = ftw;
    if (real) {
        const uint32_t hi = o32 ? 0xffff : 0xf;
        c.fip = (w[3] & 0xffff) | (((w[4] >> 12) & hi) << 16);
        c.fop = static_cast<uint16_t>(w[4] & 0x7ff);
        c.fdp = (w[5] & 0xffff) | (((w[6] >> 12) & hi) << 16);
        c.fcs = c.fds = 0;   // the pointers are linear in this layout
    } else {
        c.fip = o32 ? w[3] : (w[3] & 0xffff);
        c.fcs = static_cast<uint16_t>(w[4]);
        c.fop = o32 ? static_cast<uint16_t>((w[4] >> 16) & 0x7ff) : c.fop;
        c.fdp = o32 ? w[5] : (w[5] & 0xffff);
        c.fds = static_cast<uint16_t>(w[6]);
    }
    load_cw(c, static_cast<uint16_t>(w[0]));
}

// Memory images are stored after probing their last byte (so a fault
// leaves memory as it was) and read whole before any state changes.
bool write_bytes(Core& c, const Insn& i, uint64_t a, const uint8_t* p, unsigned n) {
    const auto s = static_cast<SegReg>(i.seg);
    uint8_t probe;
    if (!c.load(s, (a + n - 1) & mask(i.adsz), probe) || !c.store(s, (a + n - 1) & mask(i.adsz), probe)) return false;
    for (unsigned k = 0; k < n; ++k)
        if (!c.store(s, (a + k) & mask(i.adsz), p[k])) return false;
    return true;
}
bool read_bytes(Core& c, const Insn& i, uint64_t a, uint8_t* p, unsigned n) {
    const auto s = static_cast<SegReg>(i.seg);
    for (unsigned k = 0; k < n; ++k)
        if (!c.load(s, (a + k) & mask(i.adsz), p[k])) return false;
    return true;
}

} // namespace

X86_OP(x87_fninit) {
    X86_TRY(begin(c, i, rip, Kind::NoWait));
    init(c);
    return NEXT;
}
X86_OP(x87_fnclex) {
    X86_TRY(begin(c, i, rip, Kind::NoWait));
    c.fsw &= static_cast<uint16_t>(~(sw::Exceptions | sw::SF | sw::ES | sw::B));
    return NEXT;
}
X86_OP(x87_fldcw) {
    X86_TRY(begin(c, i, rip, Kind::Control));
    uint16_t v;
    X86_TRY(c.load(static_cast<SegReg>(i.seg), ea(c, i, rip), v));
    load_cw(c, v);
    return NEXT;
}
X86_OP(x87_fnstcw) {
    X86_TRY(begin(c, i, rip, Kind::NoWait));
    X86_TRY(c.store(static_cast<SegReg>(i.seg), ea(c, i, rip), c.fcw));
    return NEXT;
}
X86_OP(x87_fnstsw_m) {
    X86_TRY(begin(c, i, rip, Kind::NoWait));
    X86_TRY(c.store(static_cast<SegReg>(i.seg), ea(c, i, rip), c.fsw));
    return NEXT;
}
X86_OP(x87_fnstsw_ax) {
    X86_TRY(begin(c, i, rip, Kind::NoWait));
    c.gpr[0] = (c.gpr[0] & ~0xffffull) | c.fsw;
    return NEXT;
}
// WAIT: #NM only when CR0.MP and TS are both set (EM does not matter).
X86_OP(x87_fwait) {
    if ((c.cr0 & (kCr0Mp | kCr0Ts)) == (kCr0Mp | kCr0Ts)) return c.raise(kVectorNm);
    if ((c.fsw & sw::ES) && (c.cr0 & kCr0Ne)) return c.raise(kVectorMf);
    return NEXT;
}
X86_OP(x87_fnop) {
    X86_TRY(begin(c, i, rip, Kind::Control));
    return NEXT;
}
X86_OP(x87_ffree) {
    X86_TRY(begin(c, i, rip, Kind::Control));
    set_empty(c, i.rm & 7);
    return NEXT;
}
X86_OP(x87_ffreep) {
    X86_TRY(begin(c, i, rip, Kind::Control));
    set_empty(c, i.rm & 7);
    pop(c);
    return NEXT;
}
X86_OP(x87_fincstp) {
    X86_TRY(begin(c, i, rip, Kind::Control));
    rotate(c, 1);
    c.fsw &= static_cast<uint16_t>(~sw::C1);
    return NEXT;
}
X86_OP(x87_fdecstp) {
    X86_TRY(begin(c, i, rip, Kind::Control));
    rotate(c, -1);
    c.fsw &= static_cast<uint16_t>(~sw::C1);
    return NEXT;
}

// FNSTENV: the environment, then every exception masked.
X86_OP(x87_fnstenv) {
    X86_TRY(begin(c, i, rip, Kind::NoWait));
    const EnvImage e = store_env(c, i);
    X86_TRY(write_bytes(c, i, ea(c, i, rip), e.b, e.size));
    c.fcw |= sw::Exceptions;
    update_es(c);
    return NEXT;
}
X86_OP(x87_fldenv) {
    X86_TRY(begin(c, i, rip, Kind::Control));
    uint8_t b[28];
    X86_TRY(read_bytes(c, i, ea(c, i, rip), b, i.opsz >= kSz32 ? 28 : 14));
    load_env(c, i, b);
    return NEXT;
}
// FNSAVE: the environment and ST(0)..ST(7), then FNINIT.
X86_OP(x87_fnsave) {
    X86_TRY(begin(c, i, rip, Kind::NoWait));
    const EnvImage e = store_env(c, i);
    uint8_t img[108];
    std::memcpy(img, e.b, e.size);
    for (unsigned k = 0; k < 8; ++k) std::memcpy(img + e.size + 10 * k, c.st[k], 10);
    X86_TRY(write_bytes(c, i, ea(c, i, rip), img, e.size + 80));
    init(c);
    return NEXT;
}
X86_OP(x87_frstor) {
    X86_TRY(begin(c, i, rip, Kind::Control));
    const unsigned n = i.opsz >= kSz32 ? 28 : 14;
    uint8_t img[108];
    X86_TRY(read_bytes(c, i, ea(c, i, rip), img, n + 80));
    load_env(c, i, img);
    for (unsigned k = 0; k < 8; ++k) std::memcpy(c.st[k], img + n + 10 * k, 10);
    return NEXT;
}

} // namespace hvemu::x86
