// The memory slow paths of the PE (TLB miss, MMIO, page-crossing and
// misaligned accesses, exclusives and atomics, instruction fetch
// translation), how a translation fault becomes a Data or Instruction
// Abort (ISS, FAR, HPFAR_EL2, routing), and the software TLB: contexts,
// fills and invalidation.
#include <algorithm>
#include <bit>
#include <cstring>

#include "isa/arm64/vmsa.hpp"

namespace hvemu::arm {

using namespace vmsa;

namespace {

constexpr uint64_t kPage = isa::PhysMem::kPageSize;
constexpr uint64_t kPageOffset = kPage - 1;

// ISS fields of Data and Instruction Aborts.
constexpr uint32_t kIssIsv = 1u << 24, kIssSse = 1u << 21, kIssSf = 1u << 15, kIssAr = 1u << 14;
constexpr uint32_t kIssS1ptw = 1u << 7, kIssWnR = 1u << 6;
constexpr unsigned kIssSasShift = 22, kIssSrtShift = 16;

// The permission EL of an access: LDTR/STTR at EL1 check EL0 permissions.
unsigned perm_el(unsigned el, bool unpriv) { return unpriv && el == 1 ? 0 : el; }

// SCTLR_ELx of the regime the current EL translates in.
uint64_t regime_sctlr(const Pe& pe) { return pe.el() == 2 ? pe.sys.sctlr_el2 : pe.sys.sctlr_el1; }

// The EL an abort goes to: stage 2 faults to EL2; others to EL1, or to EL2
// from EL2 itself or from EL0 with HCR_EL2.TGE.
unsigned abort_target(const Pe& pe, const Translation& t) {
    if (t.stage2 || pe.el() == 2) return 2;
    return pe.el() == 0 && (pe.sys.hcr_el2 & kHcrTge) ? 2 : 1;
}

Translation external_abort() {
    Translation t;
    t.fault = FaultKind::External;
    t.level = kNotOnWalk;
    return t;
}

Translation alignment_fault() {
    Translation t;
    t.fault = FaultKind::Alignment;
    return t;
}

// One page-contained part of an access, translated and checked.
struct Part {
    uint64_t va = 0;
    unsigned size = 0;
    uint8_t* host = nullptr;   // RAM; nullptr for MMIO
    WalkResult w;
};

// Translate [va, va+size) for `acc`, split at the page boundary. false:
// `fault`/`fault_va` say what to raise. Bytes outside RAM and MMIO are an
// External abort.
bool prepare(Pe& pe, uint64_t va, unsigned size, Access acc, bool unpriv, Part (&parts)[2], unsigned& n,
             Translation& fault, uint64_t& fault_va) {
    const bool aligned = (va & (size - 1)) == 0;
    // SCTLR_ELx.A: checked before translation.
    if (!aligned && (regime_sctlr(pe) & kSctlrA)) {
        fault = alignment_fault();
        fault_va = va;
        return false;
    }
    const unsigned first = static_cast<unsigned>(std::min<uint64_t>(size, kPage - (va & kPageOffset)));
    n = first < size ? 2 : 1;
    WalkRequest req;
    req.acc = acc;
    req.el = perm_el(pe.el(), unpriv);
    req.aligned = aligned;
    for (unsigned k = 0; k < n; ++k) {
        Part& p = parts[k];
        p.va = k ? va + first : va;
        p.size = k ? size - first : first;
        p.w = walk(pe, p.va, req);
        if (!p.w.t.ok()) {
            fault = p.w.t;
            fault_va = p.va;
            return false;
        }
        p.host = pe.mem().ram_ptr(p.w.t.paddr, p.size);
        if (!p.host && !pe.mem().find(p.w.t.paddr)) {
            fault = external_abort();
            fault_va = p.va;
            return false;
        }
    }
    return true;
}

// MMIO parts are accessed whole (a Device access never crosses a page:
// it would be misaligned and fault first); RAM byte-wise across parts.
bool read_parts(isa::PhysMem& mem, const Part (&parts)[2], unsigned n, unsigned size, uint64_t& out) {
    uint8_t bytes[8] = {};
    unsigned off = 0;
    for (unsigned k = 0; k < n; ++k) {
        const Part& p = parts[k];
        if (p.host) {
            std::memcpy(bytes + off, p.host, p.size);
        } else {
            uint64_t v;
            if (!mem.read(p.w.t.paddr, p.size, v)) return false;
            std::memcpy(bytes + off, &v, p.size);   // little-endian host
        }
        off += p.size;
    }
    out = 0;
    std::memcpy(&out, bytes, size);
    return true;
}

bool write_parts(isa::PhysMem& mem, const Part (&parts)[2], unsigned n, uint64_t val) {
    uint8_t bytes[8];
    std::memcpy(bytes, &val, sizeof bytes);   // little-endian host
    unsigned off = 0;
    for (unsigned k = 0; k < n; ++k) {
        const Part& p = parts[k];
        if (p.host) {
            std::memcpy(p.host, bytes + off, p.size);
            mem.note_write(p.w.t.paddr, p.size);
        } else {
            uint64_t v = 0;
            std::memcpy(&v, bytes + off, p.size);
            if (!mem.write(p.w.t.paddr, p.size, v)) return false;
        }
        off += p.size;
    }
    return true;
}

bool valid_size(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8 || s == 16; }

// Bit 62 tags the data entries filled while the profile models caches: the
// fast paths compare with data_ctx and never hit them, so every data access
// reaches a slow path, which uses the entry without a walk and charges the
// caches (cached_entry). Context ids (ctx >> 2) never reach it.
constexpr uint64_t kCtxCached = 1ull << 62;

// The cache-tagged entry for a data access inside one page (the fast
// path's test, with the tagged context); nullptr: none.
const TlbEntry* cached_entry(const Pe& pe, const TlbEntry* tlb, uint64_t va, unsigned size) {
    const TlbEntry& e = tlb[tlb_index(va)];
    const bool hit = e.vpn == (va >> 12) && e.ctx == (pe.data_ctx | kCtxCached) && (va & kPageOffset) + size <= kPage;
    return hit ? &e : nullptr;
}

// The caches' cost of a prepared access: each RAM part (MMIO is uncached).
void charge_parts(Pe& pe, const Part (&parts)[2], unsigned n) {
    if (!pe.walker.caches.data_enabled()) return;
    for (unsigned k = 0; k < n; ++k)
        if (parts[k].host) pe.add_cycles(pe.walker.caches.data(parts[k].w.t.paddr, parts[k].size));
}

} // namespace

// ---- aborts -------------------------------------------------------------------

uint64_t Pe::data_abort(const Translation& t, uint64_t va, uint64_t at_pc, bool write, unsigned size,
                        bool sign_extend, uint8_t rt, bool sf, bool acq_rel) {
    const unsigned target = abort_target(*this, t);
    const uint32_t ec = target == el() ? esr::EC_DABT_CUR : esr::EC_DABT_LOW;
    uint32_t iss = fault_status(t);
    if (t.s1ptw) iss |= kIssS1ptw;
    // WnR: a stage 2 Permission fault on a stage 1 walk is the walk's
    // read; every other fault reports the access.
    if (write && !(t.s1ptw && t.fault == FaultKind::Permission)) iss |= kIssWnR;
    // The instruction syndrome is valid only for stage 2 faults (not on a
    // stage 1 walk) of single-register accesses without writeback; never
    // for External aborts (no FEAT_RAS) or aborts taken to EL1.
    if (syn.valid && t.stage2 && !t.s1ptw && t.fault != FaultKind::External) {
        const unsigned sas = static_cast<unsigned>(std::countr_zero(std::max(size, 1u)));
        iss |= kIssIsv | (std::min(sas, 3u) << kIssSasShift) | (sign_extend ? kIssSse : 0) |
               (uint32_t{std::min<uint8_t>(rt, 31)} << kIssSrtShift) | (sf ? kIssSf : 0) | (acq_rel ? kIssAr : 0);
    }
    return take_sync(ec, iss, at_pc, target, va, true, t.stage2 ? t.ipa : 0);
}

namespace {

uint64_t raise_data(Pe& pe, const Translation& t, uint64_t va, bool write, unsigned size) {
    return pe.data_abort(t, va, pe.pc, write, size, pe.syn.sign_extend, pe.syn.rt, pe.syn.sf, pe.syn.acq_rel);
}

uint64_t raise_insn(Pe& pe, const Translation& t, uint64_t va) {
    const unsigned target = abort_target(pe, t);
    const uint32_t ec = target == pe.el() ? esr::EC_IABT_CUR : esr::EC_IABT_LOW;
    const uint32_t iss = fault_status(t) | (t.s1ptw ? kIssS1ptw : 0);
    return pe.take_sync(ec, iss, pe.pc, target, va, true, t.stage2 ? t.ipa : 0);
}

} // namespace

// ---- loads, stores, atomics, fetch ----------------------------------------------

bool Pe::load_slow(uint64_t va, unsigned size, uint64_t& out, bool unpriv) {
    if (!valid_size(size) || size > 8) size = 8;
    if (walker.caches.data_enabled() && !unpriv)
        if (const TlbEntry* c = cached_entry(*this, tlb_r, va, size)) {
            uint64_t bits = 0;
            std::memcpy(&bits, reinterpret_cast<const void*>(va + c->addend), size);   // little-endian host
            add_cycles(walker.caches.data(c->ppage | (va & kPageOffset), size));
            out = bits;
            return true;
        }
    ++tlb_misses;
    Part parts[2];
    unsigned n = 0;
    Translation f;
    uint64_t fva = va;
    if (!prepare(*this, va, size, Access::Read, unpriv, parts, n, f, fva)) {
        raise_data(*this, f, fva, false, size);
        return false;
    }
    uint64_t value = 0;
    if (!read_parts(mem_, parts, n, size, value)) {
        raise_data(*this, external_abort(), va, false, size);
        return false;
    }
    charge_parts(*this, parts, n);
    if (!unpriv)
        for (unsigned k = 0; k < n; ++k) {
            last_walk_ = {parts[k].va >> 12, parts[k].w.leaf_shift, parts[k].w.global};
            fill_tlb(parts[k].va, Access::Read, parts[k].w.t);
        }
    out = value;
    return true;
}

bool Pe::store_slow(uint64_t va, unsigned size, uint64_t val, bool unpriv) {
    if (!valid_size(size) || size > 8) size = 8;
    if (walker.caches.data_enabled() && !unpriv)
        if (const TlbEntry* c = cached_entry(*this, tlb_w, va, size)) {
            std::memcpy(reinterpret_cast<void*>(va + c->addend), &val, size);   // little-endian host
            add_cycles(walker.caches.data(c->ppage | (va & kPageOffset), size));
            return true;
        }
    ++tlb_misses;
    Part parts[2];
    unsigned n = 0;
    Translation f;
    uint64_t fva = va;
    // Both parts are checked before any byte is written.
    if (!prepare(*this, va, size, Access::Write, unpriv, parts, n, f, fva)) {
        raise_data(*this, f, fva, true, size);
        return false;
    }
    if (!write_parts(mem_, parts, n, val)) {
        raise_data(*this, external_abort(), va, true, size);
        return false;
    }
    charge_parts(*this, parts, n);
    // After note_write: a page that held code is plain data again and may
    // be cached for writing (fill_tlb refuses pages still marked as code).
    if (!unpriv)
        for (unsigned k = 0; k < n; ++k) {
            last_walk_ = {parts[k].va >> 12, parts[k].w.leaf_shift, parts[k].w.global};
            fill_tlb(parts[k].va, Access::Write, parts[k].w.t);
        }
    return true;
}

bool Pe::atomic_address(uint64_t va, unsigned size, bool write, uint8_t*& host, uint64_t& paddr) {
    host = nullptr;
    paddr = 0;
    // Exclusives and atomics must be naturally aligned whatever the memory
    // type: an Alignment fault before translation.
    if (!valid_size(size) || (va & (size - 1))) {
        raise_data(*this, alignment_fault(), va, write, size);
        return false;
    }
    // A TLB entry exists only for Normal RAM with the permission needed.
    const TlbEntry& e = (write ? tlb_w : tlb_r)[tlb_index(va)];
    if (e.vpn == (va >> 12) && (e.ctx & ~kCtxCached) == data_ctx) {
        paddr = e.ppage | (va & kPageOffset);
        host = reinterpret_cast<uint8_t*>(va + e.addend);
        if (e.ctx != data_ctx) add_cycles(walker.caches.data(paddr, size));
        return true;
    }
    ++tlb_misses;
    const Access acc = write ? Access::Write : Access::Read;
    Part parts[2];
    unsigned n = 0;
    Translation f;
    uint64_t fva = va;
    if (!prepare(*this, va, size, acc, false, parts, n, f, fva)) {
        raise_data(*this, f, fva, write, size);
        return false;
    }
    host = parts[0].host;
    paddr = parts[0].w.t.paddr;
    charge_parts(*this, parts, n);
    last_walk_ = {va >> 12, parts[0].w.leaf_shift, parts[0].w.global};
    fill_tlb(va, acc, parts[0].w.t);
    return true;
}

bool Pe::fetch_translate(uint64_t va, uint64_t& paddr) {
    WalkRequest req;
    req.acc = Access::Exec;
    req.el = el();
    const WalkResult w = walk(*this, va, req);
    if (!w.t.ok()) {
        raise_insn(*this, w.t, va);
        return false;
    }
    paddr = w.t.paddr;
    if (!mem_.ram_ptr(paddr & ~kPageOffset, kPage)) {
        raise_insn(*this, external_abort(), va);
        return false;
    }
    // Cached without a decoded page; fetch_page() attaches it.
    last_walk_ = {va >> 12, w.leaf_shift, w.global};
    fill_tlb(va, Access::Exec, w.t);
    return true;
}

// ---- the TLB ----------------------------------------------------------------------
//
// A context is (configuration id << 2) | EL. The id names the exact values
// of every register a translation of the regime depends on (SCTLR, TCR,
// TTBRs, MAIR, HCR_EL2's VM/PTW/DC/TGE, VTCR_EL2, VTTBR_EL2), so no cached
// translation outlives a register change; TLBI is needed only for changes
// of the tables in memory, as on hardware. Ids are interned; when too many
// exist, the TLB is flushed and numbering starts over.

namespace {
constexpr size_t kMaxContexts = 4096;
static_assert(Pe::kCtxSctlrBits == (kSctlrM | kSctlrA | kSctlrWxn));
static_assert(Pe::kCtxHcrBits == (kHcrVm | kHcrPtw | kHcrDc | kHcrTge));
} // namespace

size_t Pe::MmuCtxKeyHash::operator()(const MmuCtxKey& k) const noexcept {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (uint64_t w : k) h = (h ^ w) * 0x100000001b3ull + (h >> 29);
    return static_cast<size_t>(h);
}

uint64_t Pe::mmu_ctx_intern(unsigned at_el) {
    const SysRegs& s = sys;
    const MmuCtxKey key = mmu_ctx_key(at_el);
    auto it = mmu_ctx_ids_.find(key);
    if (it == mmu_ctx_ids_.end()) {
        if (mmu_ctx_.size() >= kMaxContexts) {
            flush_tlb();
            mmu_ctx_.clear();
            mmu_ctx_ids_.clear();
            for (LastMmuCtx& l : mmu_ctx_last_) l = LastMmuCtx{};
        }
        MmuCtx c;
        if (at_el == 2) {
            c.el2 = true;
        } else {
            const uint64_t asid_ttbr = (s.tcr_el1 & kTcrA1) ? s.ttbr1_el1 : s.ttbr0_el1;
            c.asid = static_cast<uint16_t>((asid_ttbr >> kTtbrAsidShift) & ((s.tcr_el1 & kTcrAs) ? 0xffff : 0xff));
            c.vmid = static_cast<uint16_t>((s.vttbr_el2 >> kTtbrAsidShift) & ((s.vtcr_el2 & kVtcrVs) ? 0xffff : 0xff));
            c.s2 = stage2_enabled(*this);
        }
        it = mmu_ctx_ids_.emplace(key, static_cast<uint32_t>(mmu_ctx_.size())).first;
        mmu_ctx_.push_back(c);
    }
    mmu_ctx_last_[at_el == 2 ? 1 : 0] = {key, it->second};
    return (uint64_t{it->second} << 2) | at_el;
}

bool Pe::fill_tlb(uint64_t va, Access acc, const Translation& t) {
    if (!t.ok()) return false;
    update_context();   // tag the entry with the configuration that produced t
    const uint64_t ppage = t.paddr & ~kPageOffset;
    uint8_t* host = mem_.ram_ptr(ppage, kPage);
    if (!host) return false;   // MMIO always takes the slow path
    // The data fast paths check neither alignment nor memory type: only
    // Normal memory with SCTLR_ELx.A = 0 may be cached for them.
    if (acc != Access::Exec && (is_device(t.attr) || (regime_sctlr(*this) & kSctlrA))) return false;
    // Stores to code pages must reach note_write: never cache them.
    if (acc == Access::Write && mem_.is_code_page(ppage)) return false;
    const unsigned which = acc == Access::Read ? 0 : acc == Access::Write ? 1 : 2;
    TlbEntry* tlb = which == 0 ? tlb_r : which == 1 ? tlb_w : tlb_x;
    const unsigned i = tlb_index(va);
    TlbEntry& e = tlb[i];
    e.vpn = va >> 12;
    e.ctx = acc == Access::Exec ? fetch_ctx : data_ctx | (walker.caches.data_enabled() ? kCtxCached : 0);
    e.addend = reinterpret_cast<uintptr_t>(host) - (va & ~kPageOffset);
    e.ppage = ppage;
    e.code = nullptr;
    TlbTag& tag = tlb_tag_[which][i];
    if (last_walk_.vpn == e.vpn) tag = {last_walk_.leaf_shift, last_walk_.global, false};
    else tag = TlbTag{};   // unknown origin: dropped by any TLBI of its context
    last_walk_.vpn = ~0ull;
    return true;
}

void Pe::flush_tlb() {
    for (auto* tlb : {tlb_r, tlb_w, tlb_x})
        for (unsigned i = 0; i < kTlbSize; ++i) tlb[i] = TlbEntry{};
    walker.flush();
    end_block();
}

bool Pe::tlb_model_lookup(uint64_t va) {
    if (!walker.tlb.enabled()) return false;
    const bool hit = walker.tlb.lookup(va >> 12, data_ctx);
    (hit ? walker.stats.tlb_hits : walker.stats.tlb_misses)++;
    return hit;
}

void Pe::tlb_model_fill(uint64_t va) {
    if (!walker.tlb.enabled()) return;
    const isa::TagStore::Entry old = walker.tlb.insert(va >> 12, data_ctx);
    if (old.key == ~0ull) return;
    for (auto* tlb : {tlb_r, tlb_w, tlb_x}) {
        TlbEntry& e = tlb[tlb_index(old.key << 12)];
        if (e.vpn == old.key && (e.ctx & ~kCtxCached) == old.ctx) e = TlbEntry{};
    }
}

template <class Pred> void Pe::tlb_drop_where(Pred pred) {
    if (walker.tlb.enabled()) return flush_tlb();   // the model keeps no TLBI scopes
    TlbEntry* tlbs[3] = {tlb_r, tlb_w, tlb_x};
    for (unsigned w = 0; w < 3; ++w)
        for (unsigned i = 0; i < kTlbSize; ++i) {
            TlbEntry& e = tlbs[w][i];
            const uint64_t id = (e.ctx & ~kCtxCached) >> 2;
            if (e.vpn == ~0ull || id >= mmu_ctx_.size()) continue;
            if (pred(e, tlb_tag_[w][i], mmu_ctx_[id])) e = TlbEntry{};
        }
    end_block();
}

namespace {
// TLBI operands name ASIDs and VMIDs in 16 bits; with 8-bit ones in use
// the upper bits are ignored. Comparing the low 8 bits over-invalidates,
// which a cache may.
bool id_match(uint16_t a, uint16_t b) { return (a & 0xff) == (b & 0xff); }

// The entry may translate an address of the page of `va` (VA[55:12]).
bool covers(const TlbEntry& e, const auto& tag, uint64_t va) {
    if (tag.wild) return true;
    constexpr uint64_t kVpnBits = (uint64_t{1} << 44) - 1;
    return (((e.vpn ^ (va >> 12)) & kVpnBits) >> (tag.leaf_shift - 12)) == 0;
}

uint16_t current_vmid(const SysRegs& s) {
    return static_cast<uint16_t>((s.vttbr_el2 >> kTtbrAsidShift) & ((s.vtcr_el2 & kVtcrVs) ? 0xffff : 0xff));
}
} // namespace

void Pe::tlbi_all() { flush_tlb(); }

void Pe::tlbi_vmid(uint16_t vmid) { tlbi_local({.kind = TlbiOp::Vmid, .vmid = vmid}); }

void Pe::tlbi_ipa(uint64_t ipa) { tlbi_local({.kind = TlbiOp::Ipa, .addr = ipa, .vmid = current_vmid(sys)}); }

void Pe::tlbi_va(uint64_t va, uint16_t asid, bool all_asid, bool el2) {
    if (el2) return tlbi_local({.kind = TlbiOp::VaEl2, .addr = va});
    tlbi_local({.kind = TlbiOp::Va, .addr = va, .asid = asid, .vmid = current_vmid(sys), .all_asid = all_asid});
}

void Pe::tlbi_asid(uint16_t asid) { tlbi_local({.kind = TlbiOp::Asid, .asid = asid, .vmid = current_vmid(sys)}); }

void Pe::tlbi_local(const TlbiOp& op) {
    switch (op.kind) {
    case TlbiOp::Vmid:
        return tlb_drop_where(
            [&](const TlbEntry&, const TlbTag&, const MmuCtx& c) { return !c.el2 && id_match(c.vmid, op.vmid); });
    case TlbiOp::Va:
        return tlb_drop_where([&](const TlbEntry& e, const TlbTag& tag, const MmuCtx& c) {
            return !c.el2 && id_match(c.vmid, op.vmid) && covers(e, tag, op.addr) &&
                   (op.all_asid || tag.global || tag.wild || id_match(c.asid, op.asid));
        });
    case TlbiOp::Asid:
        return tlb_drop_where([&](const TlbEntry&, const TlbTag& tag, const MmuCtx& c) {
            return !c.el2 && id_match(c.vmid, op.vmid) && (tag.wild || (!tag.global && id_match(c.asid, op.asid)));
        });
    case TlbiOp::Ipa:
        // Entries are tagged by VA: an IPA invalidation drops every entry of
        // the VMID that went through stage 2, whatever the address.
        return tlb_drop_where([&](const TlbEntry&, const TlbTag&, const MmuCtx& c) {
            return !c.el2 && c.s2 && id_match(c.vmid, op.vmid);
        });
    case TlbiOp::AllEl1:
        return tlb_drop_where([](const TlbEntry&, const TlbTag&, const MmuCtx& c) { return !c.el2; });
    case TlbiOp::AllEl2:
        return tlb_drop_where([](const TlbEntry&, const TlbTag&, const MmuCtx& c) { return c.el2; });
    case TlbiOp::VaEl2:
        return tlb_drop_where(
            [&](const TlbEntry& e, const TlbTag& tag, const MmuCtx& c) { return c.el2 && covers(e, tag, op.addr); });
    }
}

void Pe::tlbi(const TlbiOp& op, bool broadcast) {
    bool self = false;
    if (broadcast && domain_)
        for (Pe* p : *domain_) {
            p->tlbi_local(op);
            self |= p == this;
        }
    if (!self) tlbi_local(op);
}

void Pe::ic_iallu(bool broadcast) {
    bool self = false;
    if (broadcast && domain_)
        for (Pe* p : *domain_) {
            p->flush_decoded();
            self |= p == this;
        }
    if (!self) flush_decoded();
}

} // namespace hvemu::arm
