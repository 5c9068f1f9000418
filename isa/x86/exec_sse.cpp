// SSE/SSE2 data moves and the integer operations compilers emit around
// them (PXOR/XORPS, PCMPEQB, PMOVMSKB), FXSAVE/FXRSTOR, XSAVE/XRSTOR and
// LDMXCSR/STMXCSR. The arithmetic is in exec_sse_fp.cpp, exec_sse_cvt.cpp
// and exec_sse_int.cpp.
#include "isa/x86/sse.hpp"

namespace hvemu::x86 {

using namespace x;

namespace {

constexpr uint32_t kMxcsrMask = sse::mxcsr::kWritable;   // DAZ supported

using sse::load128;
using sse::store128;
using sse::sse_ok;
uint64_t* xr(Core& c, unsigned r) { return reinterpret_cast<uint64_t*>(c.xmm[r & 15]); }


uint64_t mov_load(Core& c, const Insn& i, uint64_t rip, bool aligned) {
    X86_TRY(sse_ok(c));
    uint64_t v[2];
    X86_TRY(load128(c, i, rip, aligned, v));
    std::memcpy(c.xmm[i.reg & 15], v, 16);
    return NEXT;
}
uint64_t mov_store(Core& c, const Insn& i, uint64_t rip, bool aligned) {
    X86_TRY(sse_ok(c));
    uint64_t v[2];
    std::memcpy(v, c.xmm[i.reg & 15], 16);
    X86_TRY(store128(c, i, rip, aligned, v));
    return NEXT;
}
// MOVSS/MOVSD/MOVQ-style scalar moves of `bytes` (4 or 8): a memory
// source zeroes the rest of the register, a register source merges.
uint64_t scalar_load(Core& c, const Insn& i, uint64_t rip, unsigned bytes, bool zero_always) {
    X86_TRY(sse_ok(c));
    uint8_t* d = c.xmm[i.reg & 15];
    if (i.flags & iflag::Mem) {
        uint64_t v;
        X86_TRY(load_sz(c, static_cast<SegReg>(i.seg), ea(c, i, rip), bytes == 4 ? kSz32 : kSz64, v));
        std::memset(d, 0, 16);
        std::memcpy(d, &v, bytes);
    } else {
        uint8_t tmp[16];
        std::memcpy(tmp, c.xmm[i.rm & 15], bytes);
        if (zero_always) std::memset(d, 0, 16);
        std::memcpy(d, tmp, bytes);
    }
    return NEXT;
}
uint64_t scalar_store(Core& c, const Insn& i, uint64_t rip, unsigned bytes) {
    X86_TRY(sse_ok(c));
    uint64_t v = 0;
    std::memcpy(&v, c.xmm[i.reg & 15], bytes);
    if (i.flags & iflag::Mem) {
        X86_TRY(store_sz(c, static_cast<SegReg>(i.seg), ea(c, i, rip), bytes == 4 ? kSz32 : kSz64, v));
    } else {
        std::memcpy(c.xmm[i.rm & 15], &v, bytes);
    }
    return NEXT;
}

} // namespace

X86_OP(movups_load) { return mov_load(c, i, rip, false); }
X86_OP(movups_store) { return mov_store(c, i, rip, false); }
X86_OP(movaps_load) { return mov_load(c, i, rip, true); }
X86_OP(movaps_store) { return mov_store(c, i, rip, true); }
X86_OP(movdqa_load) { return mov_load(c, i, rip, true); }
X86_OP(movdqa_store) { return mov_store(c, i, rip, true); }
X86_OP(movdqu_load) { return mov_load(c, i, rip, false); }
X86_OP(movdqu_store) { return mov_store(c, i, rip, false); }
X86_OP(movntps) { return mov_store(c, i, rip, true); }
X86_OP(movntdq) { return mov_store(c, i, rip, true); }
X86_OP(movss_load) { return scalar_load(c, i, rip, 4, false); }
X86_OP(movsd_load) { return scalar_load(c, i, rip, 8, false); }
X86_OP(movss_store) { return scalar_store(c, i, rip, 4); }
X86_OP(movsd_store) { return scalar_store(c, i, rip, 8); }
X86_OP(movq_load) { return scalar_load(c, i, rip, 8, true); }
X86_OP(movq_store) {
    if (!(i.flags & iflag::Mem)) {   // MOVQ xmm/reg form zeroes the upper half
        X86_TRY(sse_ok(c));
        uint64_t v = xr(c, i.reg)[0];
        xr(c, i.rm)[0] = v;
        xr(c, i.rm)[1] = 0;
        return NEXT;
    }
    return scalar_store(c, i, rip, 8);
}
// MOVLPS/MOVHPS (and PD): one 8-byte half from or to memory.
X86_OP(movlps_load) {
    X86_TRY(sse_ok(c));
    uint64_t v;
    X86_TRY(c.load(static_cast<SegReg>(i.seg), ea(c, i, rip), v));
    xr(c, i.reg)[0] = v;
    return NEXT;
}
X86_OP(movhps_load) {
    X86_TRY(sse_ok(c));
    uint64_t v;
    X86_TRY(c.load(static_cast<SegReg>(i.seg), ea(c, i, rip), v));
    xr(c, i.reg)[1] = v;
    return NEXT;
}
X86_OP(movlps_store) {
    X86_TRY(sse_ok(c));
    X86_TRY(c.store(static_cast<SegReg>(i.seg), ea(c, i, rip), xr(c, i.reg)[0]));
    return NEXT;
}
X86_OP(movhps_store) {
    X86_TRY(sse_ok(c));
    X86_TRY(c.store(static_cast<SegReg>(i.seg), ea(c, i, rip), xr(c, i.reg)[1]));
    return NEXT;
}
// MOVD/MOVQ between XMM and general registers/memory (REX.W: 64 bits).
X86_OP(movd_load) {
    X86_TRY(sse_ok(c));
    const unsigned sz = i.opsz == kSz64 ? kSz64 : kSz32;
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, sz));
    xr(c, i.reg)[0] = v;
    xr(c, i.reg)[1] = 0;
    return NEXT;
}
X86_OP(movd_store) {
    X86_TRY(sse_ok(c));
    const unsigned sz = i.opsz == kSz64 ? kSz64 : kSz32;
    X86_TRY(write_rm(c, i, rip, xr(c, i.reg)[0] & mask(sz), sz));
    return NEXT;
}
X86_OP(movnti) {
    const unsigned sz = i.opsz == kSz64 ? kSz64 : kSz32;
    X86_TRY(write_rm(c, i, rip, get_reg(c, i, i.reg, sz), sz));
    return NEXT;
}
X86_OP(xorps) {
    X86_TRY(sse_ok(c));
    uint64_t v[2];
    X86_TRY(load128(c, i, rip, true, v));
    xr(c, i.reg)[0] ^= v[0];
    xr(c, i.reg)[1] ^= v[1];
    return NEXT;
}
X86_OP(pxor) { return op_xorps(c, i, rip); }
X86_OP(pcmpeqb) {
    X86_TRY(sse_ok(c));
    uint64_t v[2];
    X86_TRY(load128(c, i, rip, true, v));
    uint8_t* d = c.xmm[i.reg & 15];
    const auto* s = reinterpret_cast<const uint8_t*>(v);
    for (unsigned k = 0; k < 16; ++k) d[k] = d[k] == s[k] ? 0xff : 0;
    return NEXT;
}
X86_OP(pmovmskb) {
    X86_TRY(sse_ok(c));
    const uint8_t* s = c.xmm[i.rm & 15];
    uint64_t m = 0;
    for (unsigned k = 0; k < 16; ++k) m |= uint64_t{static_cast<uint8_t>(s[k] >> 7)} << k;
    set_reg(c, i, i.reg, i.opsz == kSz64 ? kSz64 : kSz32, m);
    return NEXT;
}

// ---- MXCSR

X86_OP(ldmxcsr) {
    X86_TRY(sse_ok(c));
    uint32_t v;
    X86_TRY(c.load(static_cast<SegReg>(i.seg), ea(c, i, rip), v));
    if (v & ~kMxcsrMask) return c.raise_gp(0);
    c.mxcsr = v;
    return NEXT;
}
X86_OP(stmxcsr) {
    X86_TRY(sse_ok(c));
    X86_TRY(c.store(static_cast<SegReg>(i.seg), ea(c, i, rip), c.mxcsr));
    return NEXT;
}

// ---- FXSAVE/FXRSTOR (the 512-byte legacy image; XMM8-15 in 64-bit mode)

namespace {
// The x87 part of the legacy image (bytes 0-23 and ST0-ST7 at 32 + 16k):
// FCW, FSW, the abridged tag (the core keeps that form), FOP, and the last
// instruction and data pointers: 64-bit offsets under REX.W (FXSAVE64),
// else 32-bit offsets with their selectors.
void put_x87(const Core& c, const Insn& i, uint8_t* img) {
    std::memcpy(img + 0, &c.fcw, 2);
    std::memcpy(img + 2, &c.fsw, 2);
    img[4] = static_cast<uint8_t>(c.ftw);
    std::memcpy(img + 6, &c.fop, 2);
    if (i.opsz == 3) {
        std::memcpy(img + 8, &c.fip, 8);
        std::memcpy(img + 16, &c.fdp, 8);
    } else {
        std::memcpy(img + 8, &c.fip, 4);
        std::memcpy(img + 12, &c.fcs, 2);
        std::memcpy(img + 16, &c.fdp, 4);
        std::memcpy(img + 20, &c.fds, 2);
    }
    for (unsigned k = 0; k < 8; ++k) std::memcpy(img + 32 + 16 * k, c.st[k], 10);
}
void get_x87(Core& c, const Insn& i, const uint8_t* img) {
    std::memcpy(&c.fcw, img + 0, 2);
    std::memcpy(&c.fsw, img + 2, 2);
    c.ftw = img[4];
    std::memcpy(&c.fop, img + 6, 2);
    c.fop &= 0x7ff;
    c.fip = c.fdp = 0;
    if (i.opsz == 3) {
        std::memcpy(&c.fip, img + 8, 8);
        std::memcpy(&c.fdp, img + 16, 8);
    } else {
        std::memcpy(&c.fip, img + 8, 4);
        std::memcpy(&c.fcs, img + 12, 2);
        std::memcpy(&c.fdp, img + 16, 4);
        std::memcpy(&c.fds, img + 20, 2);
    }
    for (unsigned k = 0; k < 8; ++k) std::memcpy(c.st[k], img + 32 + 16 * k, 10);
}
bool fx_check(Core& c, uint64_t a) {
    if (c.cr0 & 4) return c.raise_ud(), false;
    if (c.cr0 & 8) return c.raise(7), false;
    if (a & 15) return c.raise_gp(0), false;
    return true;
}
} // namespace

X86_OP(fxsave) {
    const uint64_t a = ea(c, i, rip);
    X86_TRY(fx_check(c, a));
    const auto s = static_cast<SegReg>(i.seg);
    alignas(8) uint8_t img[512] = {};
    put_x87(c, i, img);
    std::memcpy(img + 24, &c.mxcsr, 4);
    std::memcpy(img + 28, &kMxcsrMask, 4);
    const unsigned nx = c.code64() ? 16 : 8;
    if (c.cr4 & (1u << 9))
        for (unsigned k = 0; k < nx; ++k) std::memcpy(img + 160 + 16 * k, c.xmm[k], 16);
    // Probe both ends first so a fault does not leave half an image.
    uint8_t probe;
    X86_TRY(c.load(s, (a + 511) & mask(i.adsz), probe));
    X86_TRY(c.store(s, (a + 511) & mask(i.adsz), probe));
    for (unsigned k = 0; k < 512; k += 8) {
        uint64_t v;
        std::memcpy(&v, img + k, 8);
        X86_TRY(c.store(s, (a + k) & mask(i.adsz), v));
    }
    return NEXT;
}
X86_OP(fxrstor) {
    const uint64_t a = ea(c, i, rip);
    X86_TRY(fx_check(c, a));
    const auto s = static_cast<SegReg>(i.seg);
    alignas(8) uint8_t img[512];
    for (unsigned k = 0; k < 512; k += 8) {
        uint64_t v;
        X86_TRY(c.load(s, (a + k) & mask(i.adsz), v));
        std::memcpy(img + k, &v, 8);
    }
    uint32_t mx;
    std::memcpy(&mx, img + 24, 4);
    if (mx & ~kMxcsrMask) return c.raise_gp(0);
    get_x87(c, i, img);
    if (c.cr4 & (1u << 9)) {
        c.mxcsr = mx;
        const unsigned nx = c.code64() ? 16 : 8;
        for (unsigned k = 0; k < nx; ++k) std::memcpy(c.xmm[k], img + 160 + 16 * k, 16);
    }
    return NEXT;
}

// ---- XSAVE/XRSTOR (standard format; components 0 = x87 and 1 = SSE, the
// only ones XCR0 can enable here). XINUSE is reported conservatively: every
// requested component is saved as in use, which the SDM allows.

namespace {
constexpr uint64_t kXsaveComponents = 3;   // x87 | SSE

bool xsave_check(Core& c, uint64_t a) {
    if (!(c.cr4 & (1u << 18))) return c.raise_ud(), false;   // CR4.OSXSAVE
    if (c.cr0 & 8) return c.raise(7), false;                  // CR0.TS
    if (a & 63) return c.raise_gp(0), false;
    return true;
}
uint64_t rfbm(const Core& c) { return c.xcr0 & ((c.gpr[2] << 32) | (c.gpr[0] & 0xffffffffu)) & kXsaveComponents; }
} // namespace

X86_OP(xsave) {
    const uint64_t a = ea(c, i, rip);
    X86_TRY(xsave_check(c, a));
    const auto s = static_cast<SegReg>(i.seg);
    const uint64_t m = rfbm(c);
    uint64_t bv;
    X86_TRY(c.load(s, (a + 512) & mask(i.adsz), bv));
    // Probe the end of the area first so a fault leaves memory unchanged.
    uint8_t probe;
    X86_TRY(c.load(s, (a + 575) & mask(i.adsz), probe));
    X86_TRY(c.store(s, (a + 575) & mask(i.adsz), probe));
    auto put = [&](unsigned off, const void* src, unsigned len) {
        for (unsigned k = 0; k < len; ++k) {
            uint8_t b;
            std::memcpy(&b, static_cast<const uint8_t*>(src) + k, 1);
            if (!c.store(s, (a + off + k) & mask(i.adsz), b)) return false;
        }
        return true;
    };
    if (m & 1) {
        uint8_t img[160] = {};
        put_x87(c, i, img);
        X86_TRY(put(0, img, 24));
        for (unsigned k = 0; k < 8; ++k) X86_TRY(put(32 + 16 * k, img + 32 + 16 * k, 10));
    }
    if (m & 2) {
        X86_TRY(put(24, &c.mxcsr, 4) && put(28, &kMxcsrMask, 4));
        const unsigned nx = c.code64() ? 16 : 8;
        for (unsigned k = 0; k < nx; ++k) X86_TRY(put(160 + 16 * k, c.xmm[k], 16));
    }
    bv = (bv & ~m) | m;
    X86_TRY(c.store(s, (a + 512) & mask(i.adsz), bv));
    return NEXT;
}

X86_OP(xrstor) {
    const uint64_t a = ea(c, i, rip);
    X86_TRY(xsave_check(c, a));
    const auto s = static_cast<SegReg>(i.seg);
    const uint64_t m = rfbm(c);
    uint64_t hdr[8];
    for (unsigned k = 0; k < 8; ++k) X86_TRY(c.load(s, (a + 512 + 8 * k) & mask(i.adsz), hdr[k]));
    // Standard format only (no XSAVEC): XCOMP_BV and the reserved header
    // bytes must be zero, XSTATE_BV must not name a disabled component.
    if (hdr[1] != 0 || (hdr[0] & ~c.xcr0)) return c.raise_gp(0);
    for (unsigned k = 2; k < 8; ++k)
        if (hdr[k] != 0) return c.raise_gp(0);
    alignas(8) uint8_t img[512];
    for (unsigned k = 0; k < 512; k += 8) {
        uint64_t v;
        X86_TRY(c.load(s, (a + k) & mask(i.adsz), v));
        std::memcpy(img + k, &v, 8);
    }
    uint32_t mx;
    std::memcpy(&mx, img + 24, 4);
    if ((m & 2) && (mx & ~kMxcsrMask)) return c.raise_gp(0);
    if (m & 1) {
        if (hdr[0] & 1) {
            get_x87(c, i, img);
        } else {   // the x87 initial configuration: every register empty
            c.fcw = 0x37f;
            c.fsw = 0;
            c.ftw = 0;
            c.fop = 0;
            c.fip = c.fdp = 0;
            c.fcs = c.fds = 0;
            std::memset(c.st, 0, sizeof c.st);
        }
    }
    if (m & 2) {
        c.mxcsr = mx;
        const unsigned nx = c.code64() ? 16 : 8;
        for (unsigned k = 0; k < nx; ++k) {
            if (hdr[0] & 2) std::memcpy(c.xmm[k], img + 160 + 16 * k, 16);
            else std::memset(c.xmm[k], 0, 16);
        }
    }
    return NEXT;
}

} // namespace hvemu::x86
