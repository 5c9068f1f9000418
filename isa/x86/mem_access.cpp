// The memory slow paths of the core (TLB miss, MMIO, page-crossing
// accesses, and every access when the profile models caches, which they
// charge), system accesses by linear address, and the software TLB:
// contexts, fills, INVLPG and flushes.
#include <algorithm>
#include <cstring>

#include "isa/x86/core.hpp"
#include "isa/x86/paging_bits.hpp"

namespace hvemu::x86 {

using namespace paging;

namespace {

constexpr uint64_t kPage = isa::PhysMem::kPageSize;
constexpr uint64_t kPageOffset = kPage - 1;

unsigned tlb_slot(uint64_t linear) { return (linear >> 12) & (Core::kTlbSize - 1); }

// A side (root / non-root) of the TLB known to hold no entry: any paging
// configuration may start filling it (never a real configuration value).
constexpr uint64_t kTlbConfigEmpty = ~uint64_t{1};

// Bit 62 tags the data entries filled while the profile models caches: the
// fast paths compare with data_ctx and never hit them, so every data access
// reaches load_slow/store_slow, which use the entry without a walk and
// charge the caches (cached_entry). The tag (VPID, EPTP) stays below it.
constexpr uint64_t kCtxCached = 1ull << 62;

// The cache-tagged entry for a data access inside one page (the fast
// path's test, with the tagged context); nullptr: none.
const TlbEntry* cached_entry(const Core& c, const TlbEntry* tlb, uint64_t linear, unsigned size) {
    const TlbEntry& e = tlb[tlb_slot(linear)];
    const bool hit = e.vpn == (linear >> 12) && e.ctx == (c.data_ctx | kCtxCached) && size <= 8 &&
                     (linear & kPageOffset) + size <= kPage;
    return hit ? &e : nullptr;
}

} // namespace

// In non-root operation with EPT every guest-physical address goes through
// x86-vmx's EPT walk: the paging-structure accesses (walk) and the final one.
bool Core::ept_gpa(uint64_t gpa, Access acc, uint64_t linear, bool walk, uint64_t& hpa, Translation& t) {
    if (!ept_active()) {
        hpa = gpa;
        return true;
    }
    // Page-walk accesses are reads (A/D writes: writes) of guest-physical memory.
    // The modelled EPT TLB (timing only): a guest-physical page it holds
    // walks uncharged.
    const bool s2tlb = counting_ && walker.charge && walker.tlb_s2.enabled();
    const uint64_t eptp = s2tlb ? tlb_tag : 0;
    bool held = false;
    if (s2tlb) {
        held = walker.tlb_s2.lookup(gpa >> 12, eptp);
        (held ? walker.stats.tlb_s2_hits : walker.stats.tlb_s2_misses)++;
        if (held) walker.charge = false;
    }
    const Translation e = ept_translate(gpa, acc, true, linear, !walk, cpl == 3);
    if (held) walker.charge = true;
    if (s2tlb && !held && e.ok()) walker.tlb_s2.insert(gpa >> 12, eptp);
    if (!e.ok()) {
        t = e;
        return false;
    }
    hpa = e.paddr;
    return true;
}

// Read (acc Read/Exec) or write [linear, linear+size) split at the page
// boundary; both parts are translated before any byte is written. false:
// `fault` is the failed translation of `fault_linear` (nothing written).
bool Core::access_linear_(uint64_t linear, unsigned size, Access acc, bool user, uint64_t& v, Translation& fault,
                          uint64_t& fault_linear, bool fill) {
    if (size == 0 || size > 8) size = 8;
    const unsigned first = static_cast<unsigned>(std::min<uint64_t>(size, kPage - (linear & kPageOffset)));
    const unsigned n = first < size ? 2 : 1;
    uint64_t la[2] = {linear, linear + first};
    if (!long_mode()) la[1] &= 0xffffffffull;   // 32-bit linear addresses wrap
    const unsigned sz[2] = {first, size - first};
    uint64_t pa[2] = {};
    for (unsigned k = 0; k < n; ++k) {
        const Translation t = translate(la[k], acc, user);
        if (!t.ok()) {
            fault = t;
            fault_linear = la[k];
            return false;
        }
        pa[k] = t.paddr;
        if (fill) fill_tlb(la[k], acc, t);
    }
    // The caches' cost: each RAM part (MMIO is uncached).
    if (walker.caches.data_enabled())
        for (unsigned k = 0; k < n; ++k)
            if (mem_.ram_ptr(pa[k], sz[k])) add_cycles(walker.caches.data(pa[k], sz[k]));
    uint8_t bytes[8] = {};
    if (acc == Access::Write) {
        std::memcpy(bytes, &v, 8);
        unsigned off = 0;
        for (unsigned k = 0; k < n; ++k) {
            uint64_t part = 0;
            std::memcpy(&part, bytes + off, sz[k]);
            mem_.write(pa[k], sz[k], part);   // nothing there: the write is dropped, as on a PC
            mem_.note_write(pa[k], sz[k]);
            off += sz[k];
        }
        return true;
    }
    unsigned off = 0;
    for (unsigned k = 0; k < n; ++k) {
        uint64_t part = 0;
        if (!mem_.read(pa[k], sz[k], part)) part = ~uint64_t{0};   // nothing there: all ones
        std::memcpy(bytes + off, &part, sz[k]);
        off += sz[k];
    }
    v = 0;
    std::memcpy(&v, bytes, size);
    return true;
}

bool Core::load_slow(SegReg s, uint64_t ea, unsigned size, uint64_t& out) {
    ++tlb_misses;   // the fast path's (a cache-tagged entry too)
    uint64_t linear;
    if (!seg_linear(s, ea, size, Access::Read, linear)) return false;
    if (walker.caches.data_enabled())
        if (const TlbEntry* e = cached_entry(*this, tlb_r, linear, size)) {
            const uint64_t pa = e->ppage | (linear & kPageOffset);
            out = 0;
            std::memcpy(&out, reinterpret_cast<const void*>(linear + e->addend), size);   // little-endian host
            add_cycles(walker.caches.data(pa, size));
            return true;
        }
    Translation f;
    uint64_t fl = 0;
    if (!access_linear_(linear, size, Access::Read, cpl == 3, out, f, fl, true)) {
        raise_translation_fault(f, fl);
        return false;
    }
    return true;
}

bool Core::store_slow(SegReg s, uint64_t ea, unsigned size, uint64_t val) {
    ++tlb_misses;   // the fast path's (a cache-tagged entry too)
    uint64_t linear;
    if (!seg_linear(s, ea, size, Access::Write, linear)) return false;
    if (walker.caches.data_enabled())
        if (const TlbEntry* e = cached_entry(*this, tlb_w, linear, size)) {
            std::memcpy(reinterpret_cast<void*>(linear + e->addend), &val, size);   // little-endian host
            add_cycles(walker.caches.data(e->ppage | (linear & kPageOffset), size));
            return true;
        }
    Translation f;
    uint64_t fl = 0;
    if (!access_linear_(linear, size, Access::Write, cpl == 3, val, f, fl, true)) {
        raise_translation_fault(f, fl);
        return false;
    }
    return true;
}

bool Core::read_linear(uint64_t linear, unsigned size, uint64_t& v, bool user, Translation& fault) {
    uint64_t fl = 0;
    if (access_linear_(linear, size, Access::Read, user, v, fault, fl, false)) return true;
    fault.gpa = fault.ept_violation || fault.ept_misconfig ? fault.gpa : fl;
    return false;
}

bool Core::write_linear(uint64_t linear, unsigned size, uint64_t v, bool user, Translation& fault) {
    uint64_t fl = 0;
    if (access_linear_(linear, size, Access::Write, user, v, fault, fl, false)) return true;
    fault.gpa = fault.ept_violation || fault.ept_misconfig ? fault.gpa : fl;
    return false;
}

// ---- the software TLB --------------------------------------------------------

// A context names who may use an entry: the CPL class (user entries were
// checked with user permissions) and x86-vmx's tag. The paging
// configuration is not in it: a change of it flushes (update_context).
void Core::update_context() {
    const uint64_t config = (cr0 & (kCr0Pg | kCr0Wp | kCr0Pe)) ^ (cr4 & (kCr4Pae | kCr4Pse | kCr4Pge | kCr4Smep | kCr4Smap)) ^
                            ((efer & (kEferNxe | kEferLma)) << 40);
    // Root and non-root entries never share a context (x86-vmx's tag has
    // bit 0 set in non-root), so each side keeps the configuration its
    // entries were filled under: a VM entry or exit between a host and a
    // guest in different paging modes flushes nothing by itself.
    const bool guest = tlb_tag & 1;
    uint64_t& filled_under = guest ? tlb_config_guest_ : tlb_config_;
    if (HV_UNLIKELY(config != filled_under)) change_tlb_config(guest, config);
    set_ctx();
    end_block();   // CS, the mode or the translation may differ: the run loop re-reads them
}

[[gnu::noinline]] void Core::change_tlb_config(bool guest, uint64_t config) {
    uint64_t& filled_under = guest ? tlb_config_guest_ : tlb_config_;
    if (filled_under != kTlbConfigEmpty) {
        flush_tlb();   // both sides: the other one now holds nothing either
        (guest ? tlb_config_ : tlb_config_guest_) = kTlbConfigEmpty;
    }
    filled_under = config;
}

bool Core::fill_tlb(uint64_t linear, Access acc, const Translation& t) {
    if (!t.ok()) return false;
    const uint64_t vpn = linear >> 12;
    if (last_walk_.vpn != vpn) return false;   // not the walk that produced t
    const uint64_t ppage = t.paddr & ~kPageOffset;
    uint8_t* host = mem_.ram_ptr(ppage, kPage);
    if (!host) return false;                     // MMIO always takes the slow path
    if (acc == Access::Write && mem_.is_code_page(ppage)) return false;   // stores must reach note_write
    // SMAP depends on RFLAGS.AC, which the context does not name: supervisor
    // accesses to user pages stay on the slow path.
    if (cpl != 3 && (cr4 & kCr4Smap) && (cr0 & kCr0Pg)) {
        const Translation u = probe(linear, Access::Read, true);
        if (u.ok()) return false;
    }
    update_context();
    const unsigned which = acc == Access::Read ? 0 : acc == Access::Write ? 1 : 2;
    TlbEntry* tlb = which == 0 ? tlb_r : which == 1 ? tlb_w : tlb_x;
    const unsigned i = tlb_slot(linear);
    TlbEntry& e = tlb[i];
    e.vpn = vpn;
    e.ctx = acc == Access::Exec ? fetch_ctx : data_ctx | (walker.caches.data_enabled() ? kCtxCached : 0);
    e.addend = reinterpret_cast<uintptr_t>(host) - (linear & ~kPageOffset);
    e.ppage = ppage;
    e.code = nullptr;
    tlb_tag_[which][i] = {last_walk_.leaf_shift, last_walk_.global};
    note_tlb_fill(which, i);
    return true;
}

bool Core::tlb_model_lookup(uint64_t linear) {
    if (!walker.tlb.enabled()) return false;
    const bool hit = walker.tlb.lookup(linear >> 12, data_ctx);
    (hit ? walker.stats.tlb_hits : walker.stats.tlb_misses)++;
    return hit;
}

void Core::tlb_model_fill(uint64_t linear, bool global) {
    if (!walker.tlb.enabled()) return;
    const isa::TagStore::Entry old = walker.tlb.insert(linear >> 12, data_ctx, global);
    if (old.key == ~0ull) return;
    for (TlbEntry* tlb : {tlb_r, tlb_w, tlb_x}) {
        TlbEntry& e = tlb[tlb_slot(old.key << 12)];
        if (e.vpn == old.key && (e.ctx & ~kCtxCached) == old.ctx) e = TlbEntry{};
    }
}

// Clear the software TLB entries filled since the last clear (tlb_used_),
// all of them or (keep_global) the non-global ones. An entry never filled
// is already empty, so this clears exactly what a sweep of the whole TLB
// would.
void Core::clear_soft_tlb(bool keep_global) {
    if (!tlb_any_used_) return;
    TlbEntry* tlbs[3] = {tlb_r, tlb_w, tlb_x};
    for (unsigned w = 0; w < 3; ++w)
        for (unsigned word = 0; word < kTlbSize / 64; ++word) {
            uint64_t used = tlb_used_[w][word];
            while (used) {
                const unsigned bit = static_cast<unsigned>(__builtin_ctzll(used));
                used &= used - 1;
                const unsigned i = word * 64 + bit;
                if (keep_global && tlb_tag_[w][i].global) continue;
                tlbs[w][i] = TlbEntry{};
                tlb_tag_[w][i] = TlbTag{};
                tlb_used_[w][word] &= ~(uint64_t{1} << bit);
            }
        }
    if (!keep_global) tlb_any_used_ = false;
}

void Core::flush_soft_tlb() {
    clear_soft_tlb(false);
    end_block();
}

// The software TLB and the modelled structures: keep_global (MOV CR3)
// keeps global translations and the guest-physical (EPT) ones.
void Core::flush_tlb(bool keep_global) {
    if (keep_global) {
        walker.tlb.drop_if([](const isa::TagStore::Entry& e) { return !e.global; });
        walker.walk_cache.clear();
    } else {
        walker.flush();
    }
    clear_soft_tlb(keep_global);
    end_block();
}

// INVLPG: every entry of the page (or large page) holding `linear`,
// global or not, in every context.
void Core::invlpg(uint64_t linear) {
    walker.tlb.drop_if([linear](const isa::TagStore::Entry& m) { return m.key == linear >> 12; });
    walker.walk_cache.clear();   // INVLPG invalidates the paging-structure caches
    TlbEntry* tlbs[3] = {tlb_r, tlb_w, tlb_x};
    for (unsigned w = 0; w < 3; ++w)
        for (unsigned i = 0; i < kTlbSize; ++i) {
            TlbEntry& e = tlbs[w][i];
            if (e.vpn == ~0ull) continue;
            const unsigned sh = tlb_tag_[w][i].leaf_shift;
            if (((e.vpn << 12) >> sh) == (linear >> sh)) {
                const uint64_t vpn = e.vpn;
                walker.tlb.drop_if([vpn](const isa::TagStore::Entry& m) { return m.key == vpn; });
                e = TlbEntry{};
                tlb_tag_[w][i] = TlbTag{};
            }
        }
    end_block();
}

} // namespace hvemu::x86
