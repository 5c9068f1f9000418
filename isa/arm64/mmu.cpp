// VMSAv8-64 address translation: the stage 1 walk (EL1&0 regime with
// TTBR0/TTBR1, EL2 regime with TTBR0_EL2), the stage 2 walk (VTTBR_EL2,
// concatenated start tables), the stage 2 walk of every stage 1 table
// access, memory attributes, permissions, and the AT instructions.
// 4 KiB granule only (ID_AA64MMFR0_EL1.TGran16/64 say not implemented; a
// TGx naming another size is treated as 4 KiB, the permitted choice of an
// implemented size). No hardware Access flag or dirty state: AF = 0 is an
// Access flag fault. Everything here is pure; raising is mem_access.cpp's.
#include <algorithm>
#include <cstring>

#include "isa/arm64/vmsa.hpp"

namespace hvemu::arm {

using namespace vmsa;

namespace {

constexpr unsigned kPageShift = 12;
constexpr unsigned kStride = 9;     // index bits per level
constexpr unsigned kMinTxsz = 16;   // 48-bit VA / IPA
constexpr unsigned kMaxTxsz = 39;   // without FEAT_TTST

// The output size a PS/IPS encoding names, limited to the implemented PA
// size (a larger encoding behaves as the implemented maximum).
unsigned oa_bits(uint64_t ps, unsigned pamax) {
    static constexpr unsigned kSizes[8] = {32, 36, 40, 42, 44, 48, 48, 48};
    return std::min(kSizes[ps & 7], pamax);
}

// Level `level` translates address bits [shift_of(level)+8 : shift_of(level)].
constexpr unsigned shift_of(int level) { return kPageShift + kStride * static_cast<unsigned>(3 - level); }

Translation fault(FaultKind k, int level, bool stage2 = false, uint64_t ipa = 0) {
    Translation t;
    t.fault = k;
    t.level = static_cast<uint8_t>(level);
    t.stage2 = stage2;
    t.ipa = ipa;
    return t;
}

// Read one descriptor from RAM (little-endian). Tables in MMIO or outside
// memory are not walkable: an External abort on the walk.
bool read_desc(Pe& pe, uint64_t pa, uint64_t& desc) {
    const uint8_t* p = pe.mem().ram_ptr(pa, 8);
    if (!p) return false;
    std::memcpy(&desc, p, 8);
    return true;
}

// Shareability of a MAIR attribute as the result reports it: Device and
// Normal Non-cacheable memory are Outer Shareable.
uint8_t effective_sh(uint8_t attr, uint8_t sh) { return is_device(attr) || attr == 0x44 ? 2 : sh; }

// Stage 2 MemAttr[3:0] as a MAIR attribute byte.
uint8_t s2_attr(unsigned memattr) {
    if ((memattr >> 2) == 0) return static_cast<uint8_t>((memattr & 3) << 2);   // Device-nGnRnE..GRE
    // Normal: outer in [3:2], inner in [1:0]; 01 NC, 10 WT, 11 WB.
    auto nibble = [](unsigned c) -> uint8_t { return c == 1 ? 0x4 : c == 2 ? 0xa : 0xf; };
    return static_cast<uint8_t>(nibble(memattr >> 2) << 4 | nibble(memattr & 3));
}

// Cacheability class of a Normal MAIR nibble: 0 NC, 1 WT, 2 WB.
unsigned cache_class(unsigned n) { return n == 0x4 ? 0 : (n >> 2) == 0 || (n >> 2) == 2 ? 1 : 2; }

// Stage 1 and stage 2 attributes combined: the stronger memory type, the
// weaker cacheability (FWB not implemented).
uint8_t combine_attr(uint8_t s1, uint8_t s2) {
    if (is_device(s1) || is_device(s2)) {
        if (is_device(s1) && is_device(s2)) return std::min(s1, s2);   // nGnRnE < nGnRE < nGRE < GRE
        return is_device(s1) ? s1 : s2;
    }
    auto half = [](unsigned a, unsigned b) { return cache_class(b) < cache_class(a) ? b : a; };
    return static_cast<uint8_t>(half(s1 >> 4, s2 >> 4) << 4 | half(s1 & 0xf, s2 & 0xf));
}

struct Refs {
    unsigned s1 = 0, s2 = 0;
    uint64_t cycles = 0;   // what the timing model charges for them (WalkCharger)
};

// ---- stage 2 ----------------------------------------------------------------

WalkResult stage2_walk(Pe& pe, uint64_t ipa, Access acc, bool s1ptw, bool aligned, Refs& refs) {
    WalkResult r;
    const SysRegs& s = pe.sys;
    const unsigned pamax = pe.config().pa_bits;
    auto fail = [&](FaultKind k, int level) {
        r.t = fault(k, level, true, ipa);
        r.t.s1ptw = s1ptw;
        return r;
    };
    // Configuration faults (level 0): T0SZ out of range (this PE faults
    // rather than clamping, as QEMU does), an invalid or inconsistent SL0,
    // an IPA size beyond the PA size, an IPA beyond the input size.
    const unsigned t0sz = s.vtcr_el2 & 63;
    if (t0sz < kMinTxsz || t0sz > kMaxTxsz) return fail(FaultKind::Translation, 0);
    const unsigned ia_bits = 64 - t0sz;
    const unsigned sl0 = (s.vtcr_el2 >> kVtcrSl0Shift) & 3;
    const int start = sl0 == 0 ? 2 : sl0 == 1 ? 1 : sl0 == 2 ? 0 : -1;
    if (start < 0 || (start == 0 && pamax < 44)) return fail(FaultKind::Translation, 0);
    const unsigned levels = static_cast<unsigned>(3 - start);
    const unsigned min_ia = levels * kStride + kPageShift + 1;
    const unsigned max_ia = min_ia + kStride - 1 + (start > 0 ? 4 : 0);   // up to 16 concatenated tables
    if (ia_bits < min_ia || ia_bits > max_ia || ia_bits > pamax) return fail(FaultKind::Translation, 0);
    if (ipa >> ia_bits) return fail(FaultKind::Translation, 0);

    const unsigned oa = oa_bits(s.vtcr_el2 >> kVtcrPsShift, pamax);
    unsigned idx_bits = ia_bits - shift_of(start);
    uint64_t base = (s.vttbr_el2 & kTtbrBaddr) & ~((uint64_t{8} << idx_bits) - 1);
    if (base >> oa) return fail(FaultKind::AddressSize, 0);
    for (int level = start; level <= 3; ++level) {
        const unsigned shift = shift_of(level);
        const uint64_t idx = (ipa >> shift) & ((uint64_t{1} << idx_bits) - 1);
        idx_bits = kStride;
        uint64_t desc;
        ++refs.s2;
        refs.cycles += pe.walker.ref(true, base + idx * 8);
        if (!read_desc(pe, base + idx * 8, desc)) return fail(FaultKind::External, level);
        if (!(desc & kDescValid)) return fail(FaultKind::Translation, level);
        const bool table_or_page = desc & kDescTable;
        if (level < 3 && table_or_page) {
            base = desc & kDescAddr;
            if (base >> oa) return fail(FaultKind::AddressSize, level);
            continue;
        }
        // A block at level 0, or the reserved level 3 encoding.
        if (level == 0 || (level == 3 && !table_or_page)) return fail(FaultKind::Translation, level);
        const uint64_t out = desc & kDescAddr & ~((uint64_t{1} << shift) - 1);
        if (out >> oa) return fail(FaultKind::AddressSize, level);
        if (!(desc & kAf)) return fail(FaultKind::AccessFlag, level);
        const uint8_t attr = s2_attr(static_cast<unsigned>(desc >> kAttrIndxShift) & 0xf);
        if (!aligned && acc != Access::Exec && is_device(attr)) return fail(FaultKind::Alignment, level);
        bool ok;
        if (s1ptw) ok = (desc & kS2apRead) && !((s.hcr_el2 & kHcrPtw) && is_device(attr));
        else if (acc == Access::Exec) ok = !(desc & kUxn);
        else if (acc == Access::Read) ok = desc & kS2apRead;
        else ok = desc & kS2apWrite;
        if (!ok) return fail(FaultKind::Permission, level);
        r.t.paddr = out | (ipa & ((uint64_t{1} << shift) - 1));
        r.t.attr = attr;
        r.t.ipa = ipa;
        r.leaf_shift = static_cast<uint8_t>(shift);
        r.sh = static_cast<uint8_t>((desc >> kShShift) & 3);
        return r;
    }
    return fail(FaultKind::Translation, 3);   // not reached
}

// ---- stage 1 ----------------------------------------------------------------

struct S1Params {
    bool el2 = false;
    unsigned txsz = 0;
    bool tbi = false;
    bool upper = false;     // TTBR1 (VA bit 55 set)
    bool disabled = false;  // EPDx
    uint64_t ttbr = 0, mair = 0;
    uint64_t sctlr = 0;
    unsigned oa = 48;
};

S1Params s1_params(const Pe& pe, uint64_t va, bool el2) {
    const SysRegs& s = pe.sys;
    S1Params p;
    p.el2 = el2;
    if (el2) {
        p.txsz = s.tcr_el2 & 63;
        p.tbi = s.tcr_el2 & kTcrEl2Tbi;
        p.ttbr = s.ttbr0_el2;
        p.mair = s.mair_el2;
        p.sctlr = s.sctlr_el2;
        p.oa = oa_bits(s.tcr_el2 >> kTcrEl2PsShift, pe.config().pa_bits);
        return p;
    }
    p.upper = (va >> 55) & 1;
    p.txsz = p.upper ? (s.tcr_el1 >> kTcrT1szShift) & 63 : s.tcr_el1 & 63;
    p.tbi = s.tcr_el1 & (p.upper ? kTcrTbi1 : kTcrTbi0);
    p.disabled = s.tcr_el1 & (p.upper ? kTcrEpd1 : kTcrEpd0);
    p.ttbr = p.upper ? s.ttbr1_el1 : s.ttbr0_el1;
    p.mair = s.mair_el1;
    p.sctlr = s.sctlr_el1;
    p.oa = oa_bits(s.tcr_el1 >> kTcrIpsShift, pe.config().pa_bits);
    return p;
}

bool stage1_enabled(const Pe& pe, bool el2) {
    if (el2) return pe.sys.sctlr_el2 & kSctlrM;
    return (pe.sys.sctlr_el1 & kSctlrM) && !(pe.sys.hcr_el2 & (kHcrDc | kHcrTge));
}

// The stage 1 permission check (Armv8.0: no PAN, no FEAT_XNX). `el` 0 is
// an EL0 (or unprivileged) access; ap_ro/ap_noel0 and the XN bits already
// include the table descriptors' limits.
bool s1_permits(const S1Params& p, Access acc, unsigned el, bool ap_ro, bool ap_el0, bool uxn, bool pxn) {
    const bool wxn = p.sctlr & kSctlrWxn;
    if (p.el2) {
        const bool w = !ap_ro;
        return acc == Access::Exec ? !(uxn || (w && wxn)) : acc == Access::Read || w;
    }
    const bool user_w = ap_el0 && !ap_ro;
    if (el == 0) {
        if (acc == Access::Exec) return !(uxn || (user_w && wxn));
        return ap_el0 && (acc == Access::Read || !ap_ro);
    }
    const bool priv_w = !ap_ro;
    if (acc == Access::Exec) return !(pxn || (priv_w && wxn) || user_w);
    return acc == Access::Read || priv_w;
}

// Stage 2 through the modelled stage-2 TLB (timing only): on a hit the
// walk runs for its result and is not charged.
WalkResult stage2(Pe& pe, uint64_t ipa, Access acc, bool s1ptw, bool aligned, Refs& refs) {
    isa::WalkCharger& w = pe.walker;
    if (!w.tlb_s2.enabled() || !w.charge) return stage2_walk(pe, ipa, acc, s1ptw, aligned, refs);
    const uint64_t vmid = (pe.sys.vttbr_el2 >> kTtbrAsidShift) & 0xffff;
    if (w.tlb_s2.lookup(ipa >> 12, vmid)) {
        w.stats.tlb_s2_hits++;
        w.charge = false;
        WalkResult r = stage2_walk(pe, ipa, acc, s1ptw, aligned, refs);
        w.charge = true;
        return r;
    }
    w.stats.tlb_s2_misses++;
    WalkResult r = stage2_walk(pe, ipa, acc, s1ptw, aligned, refs);
    if (r.t.ok()) w.tlb_s2.insert(ipa >> 12, vmid);
    return r;
}

WalkResult stage1(Pe& pe, uint64_t va, const WalkRequest& req, bool s2_walks, Refs& refs) {
    WalkResult r;
    const bool el2 = req.el == 2;
    const unsigned pamax = pe.config().pa_bits;
    if (!stage1_enabled(pe, el2)) {
        // The flat map: VA bits [top:PAMax] must be zero (top 55 with TBI).
        const S1Params p = s1_params(pe, va, el2);
        const uint64_t top_mask = p.tbi ? (uint64_t{1} << 56) - 1 : ~uint64_t{0};
        if ((va & top_mask) >> pamax) {
            r.t = fault(FaultKind::AddressSize, 0);
            return r;
        }
        r.t.paddr = va & ((uint64_t{1} << pamax) - 1);
        const bool dc = !el2 && (pe.sys.hcr_el2 & kHcrDc);
        r.t.attr = dc || req.acc == Access::Exec ? kAttrNormalWb : kAttrDevice;
        r.sh = effective_sh(r.t.attr, 0);
        r.leaf_shift = 12;
        if (!req.aligned && req.acc != Access::Exec && is_device(r.t.attr)) r.t = fault(FaultKind::Alignment, 0);
        return r;
    }
    const S1Params p = s1_params(pe, va, el2);
    if (p.txsz < kMinTxsz || p.txsz > kMaxTxsz) {
        r.t = fault(FaultKind::Translation, 0);
        return r;
    }
    const unsigned va_bits = 64 - p.txsz;
    // VA bits [top:va_bits] must all equal the range select bit.
    const unsigned top = p.tbi ? 55 : 63;
    const uint64_t hi = (va << (63 - top)) >> (63 - top + va_bits);
    const uint64_t want = p.upper ? (uint64_t{1} << (top + 1 - va_bits)) - 1 : 0;
    if (hi != want || p.disabled) {
        r.t = fault(FaultKind::Translation, 0);
        return r;
    }
    const int start = 4 - static_cast<int>((va_bits - kPageShift + kStride - 1) / kStride);
    unsigned idx_bits = va_bits - shift_of(start);
    uint64_t base = (p.ttbr & kTtbrBaddr) & ~((uint64_t{8} << idx_bits) - 1);
    if (base >> p.oa) {
        r.t = fault(FaultKind::AddressSize, 0);
        return r;
    }
    bool ap_ro = false, ap_el0 = true, uxn = false, pxn = false;
    for (int level = start; level <= 3; ++level) {
        const unsigned shift = shift_of(level);
        const uint64_t idx = (va >> shift) & ((uint64_t{1} << idx_bits) - 1);
        idx_bits = kStride;
        const uint64_t desc_ipa = base + idx * 8;
        uint64_t desc_pa = desc_ipa;
        if (s2_walks) {
            // The descriptor address is an IPA: a stage 2 walk for the read.
            WalkResult s2 = stage2(pe, desc_ipa, req.acc, true, true, refs);
            if (!s2.t.ok()) return s2;
            desc_pa = s2.t.paddr;
        }
        uint64_t desc;
        ++refs.s1;
        refs.cycles += pe.walker.ref(false, desc_pa);
        if (!read_desc(pe, desc_pa, desc)) {
            r.t = fault(FaultKind::External, level);
            return r;
        }
        if (!(desc & kDescValid)) {
            r.t = fault(FaultKind::Translation, level);
            return r;
        }
        const bool table_or_page = desc & kDescTable;
        if (level < 3 && table_or_page) {
            base = desc & kDescAddr;
            if (base >> p.oa) {
                r.t = fault(FaultKind::AddressSize, level);
                return r;
            }
            // Hierarchical limits (APTable[0] and PXNTable are RES0 at EL2).
            ap_ro |= (desc & kApTableRo) != 0;
            uxn |= (desc & kXnTable) != 0;
            if (!el2) {
                ap_el0 &= !(desc & kApTableNoEl0);
                pxn |= (desc & kPxnTable) != 0;
            }
            continue;
        }
        if (level == 0 || (level == 3 && !table_or_page)) {
            r.t = fault(FaultKind::Translation, level);
            return r;
        }
        const uint64_t out = desc & kDescAddr & ~((uint64_t{1} << shift) - 1);
        if (out >> p.oa) {
            r.t = fault(FaultKind::AddressSize, level);
            return r;
        }
        if (!(desc & kAf)) {
            r.t = fault(FaultKind::AccessFlag, level);
            return r;
        }
        const unsigned attr_idx = static_cast<unsigned>(desc >> kAttrIndxShift) & 7;
        r.t.attr = static_cast<uint8_t>(p.mair >> (8 * attr_idx));
        if (!req.aligned && req.acc != Access::Exec && is_device(r.t.attr)) {
            r.t = fault(FaultKind::Alignment, level);
            return r;
        }
        ap_ro |= (desc & kApRo) != 0;
        ap_el0 &= (desc & kApEl0) != 0;
        uxn |= (desc & kUxn) != 0;
        pxn |= (desc & kPxn) != 0;
        if (!s1_permits(p, req.acc, req.el, ap_ro, ap_el0, uxn, pxn)) {
            r.t = fault(FaultKind::Permission, level);
            return r;
        }
        r.t.paddr = out | (va & ((uint64_t{1} << shift) - 1));
        r.t.level = static_cast<uint8_t>(level);
        r.global = el2 || !(desc & kNg);
        r.leaf_shift = static_cast<uint8_t>(shift);
        r.sh = effective_sh(r.t.attr, static_cast<uint8_t>((desc >> kShShift) & 3));
        return r;
    }
    r.t = fault(FaultKind::Translation, 3);   // not reached
    return r;
}

void count(Pe& pe, const Refs& refs) {
    if (!refs.s1 && !refs.s2) return;
    ++pe.walks;
    pe.walk_refs_s1 += refs.s1;
    pe.walk_refs_s2 += refs.s2;
    pe.add_cycles(refs.cycles);
}

} // namespace

// ---- the walker's interface (vmsa.hpp) ----------------------------------------

namespace vmsa {

bool stage2_enabled(const Pe& pe) { return pe.sys.hcr_el2 & (kHcrVm | kHcrDc); }

uint8_t fault_status(const Translation& t) {
    const uint8_t lvl = t.level & 3;
    switch (t.fault) {
    case FaultKind::AddressSize: return kFscAddressSize | lvl;
    case FaultKind::Translation: return kFscTranslation | lvl;
    case FaultKind::AccessFlag: return kFscAccessFlag | lvl;
    case FaultKind::Permission: return kFscPermission | lvl;
    case FaultKind::Alignment: return kFscAlignment;
    case FaultKind::External: return t.level == kNotOnWalk ? kFscExternal : kFscExternalWalk | lvl;
    case FaultKind::None: break;
    }
    return 0;
}

WalkResult walk(Pe& pe, uint64_t va, const WalkRequest& req) {
    Refs refs;
    const bool s2 = req.el != 2 && stage2_enabled(pe);
    // The modelled TLB (timing only): a translation it holds walks for its
    // result alone, uncharged.
    const bool held = req.stage2 && pe.tlb_model_lookup(va);
    if (held) pe.walker.charge = false;
    WalkResult r = stage1(pe, va, req, s2, refs);
    if (r.t.ok() && s2 && req.stage2) {
        WalkResult r2 = stage2(pe, r.t.paddr, req.acc, false, req.aligned, refs);
        if (r2.t.ok()) {
            r2.t.attr = combine_attr(r.t.attr, r2.t.attr);
            r2.t.level = r.t.level;
            r2.global = r.global;
            r2.leaf_shift = std::min(r.leaf_shift, r2.leaf_shift);
            r2.sh = effective_sh(r2.t.attr, std::max(r.sh, r2.sh));
        }
        r = r2;
    }
    pe.walker.charge = true;
    if (req.stage2 && !held && r.t.ok()) pe.tlb_model_fill(va);
    if (!held && (refs.s1 || refs.s2)) pe.walker.stats.walks++;
    count(pe, refs);
    return r;
}

WalkResult walk_s2(Pe& pe, uint64_t ipa, Access acc, bool s1ptw, bool aligned) {
    Refs refs;
    WalkResult r;
    if (!stage2_enabled(pe)) {
        r.t.paddr = ipa;
        r.t.ipa = ipa;
        return r;
    }
    r = stage2(pe, ipa, acc, s1ptw, aligned, refs);
    if (refs.s2) pe.walker.stats.walks++;
    count(pe, refs);
    return r;
}

} // namespace vmsa

// ---- Pe -----------------------------------------------------------------------

Translation Pe::translate(uint64_t va, Access acc, unsigned el, bool unpriv) {
    WalkRequest req;
    req.acc = acc;
    req.el = unpriv && el == 1 ? 0 : el;
    return walk(*this, va, req).t;
}

Translation Pe::translate_s2(uint64_t ipa, Access acc, bool s1ptw) { return walk_s2(*this, ipa, acc, s1ptw, true).t; }

// AT: the PAR_EL1 formats. Success: PA[47:12], ATTR[63:56], SH[8:7], NS
// (bit 9; UNKNOWN for a Non-secure regime, set as QEMU sets it). Fault:
// F, FST[6:1], PTW[8], S[9]. Bit 11 is RES1 in both, as QEMU keeps it.
bool Pe::at(AtOp op, uint64_t va) {
    constexpr uint64_t kParF = 1, kParPtw = 1ull << 8, kParS = 1ull << 9, kParNs = 1ull << 9, kParRes1 = 1ull << 11;
    WalkRequest req;
    bool stage12 = false;
    switch (op) {
    case AtOp::S1E1R: req = {Access::Read, 1, true, false}; break;
    case AtOp::S1E1W: req = {Access::Write, 1, true, false}; break;
    case AtOp::S1E0R: req = {Access::Read, 0, true, false}; break;
    case AtOp::S1E0W: req = {Access::Write, 0, true, false}; break;
    case AtOp::S12E1R: req = {Access::Read, 1, true, true}, stage12 = true; break;
    case AtOp::S12E1W: req = {Access::Write, 1, true, true}, stage12 = true; break;
    case AtOp::S12E0R: req = {Access::Read, 0, true, true}, stage12 = true; break;
    case AtOp::S12E0W: req = {Access::Write, 0, true, true}, stage12 = true; break;
    case AtOp::S1E2R: req = {Access::Read, 2, true, false}; break;
    case AtOp::S1E2W: req = {Access::Write, 2, true, false}; break;
    }
    const WalkResult r = walk(*this, va, req);
    const Translation& t = r.t;
    if (t.ok()) {
        sys.par_el1 = kParRes1 | kParNs | (t.paddr & kDescAddr) | uint64_t{t.attr} << 56 | uint64_t(r.sh & 3) << 7;
        return true;
    }
    // A stage 2 fault on the stage 1 walk of AT S1E0*/S1E1* executed at
    // EL1 is not reported in PAR: it is a Data Abort to EL2 (CM = 1,
    // WnR = 1, S1PTW = 1, HPFAR_EL2 = the table's IPA).
    if (!stage12 && req.el != 2 && el() == 1 && t.stage2 && t.s1ptw) {
        constexpr uint32_t kIssCm = 1u << 8, kIssS1ptw = 1u << 7, kIssWnR = 1u << 6;
        take_sync(esr::EC_DABT_LOW, kIssCm | kIssS1ptw | kIssWnR | fault_status(t), pc, 2, va, true, t.ipa);
        return false;
    }
    sys.par_el1 = kParRes1 | kParF | uint64_t{fault_status(t)} << 1 | (t.s1ptw ? kParPtw : 0) |
                  (t.stage2 ? kParS : 0);
    return true;
}

} // namespace hvemu::arm
