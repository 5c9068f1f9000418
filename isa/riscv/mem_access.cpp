// The memory slow paths of the hart (TLB miss, MMIO, misaligned, HLV/HSV,
// AMO addresses), the software TLB (fill, contexts, fences) and how a
// translation fault becomes a trap (tval, htval/mtval2, htinst/mtinst, GVA).
#include <algorithm>
#include <cstring>

#include "isa/riscv/hart.hpp"
#include "isa/riscv/transformed_insn.hpp"

namespace hvemu::rv {

namespace {

constexpr uint64_t kPage = isa::PhysMem::kPageSize;
constexpr uint64_t kPageOffset = kPage - 1;

// ---- effective privilege --------------------------------------------------

struct Eff {
    Priv p;
    bool v;
};

// Explicit loads and stores: mstatus.MPRV in M-mode substitutes MPP (and
// MPV, unless MPP=M).
Eff data_eff(const Hart& h) {
    const uint64_t s = h.csr.mstatus;
    if (h.priv != Priv::M || !(s & mstatus::MPRV)) return {h.priv, h.virt};
    const uint64_t mpp = (s & mstatus::MPP) >> mstatus::MPP_SHIFT;
    const Priv p = mpp == 3 ? Priv::M : mpp == 1 ? Priv::S : Priv::U;
    return {p, p != Priv::M && (s & mstatus::MPV)};
}

// HLV/HLVX/HSV: V=1 with the privilege hstatus.SPVP names; MPRV ignored.
Eff hlv_eff(const Hart& h) { return {(h.csr.hstatus & hstatus::SPVP) ? Priv::S : Priv::U, true}; }

// ---- translation contexts -------------------------------------------------
//
// A context is everything a cached translation depends on besides the page
// tables themselves (fences cover those) and PMP (changes flush the TLB):
//   bits 1:0 privilege, 2 V, 3 SUM, 4 stage-1 MXR, 5 G-stage MXR,
//   11:8 satp/vsatp MODE, 15:12 hgatp MODE, 31:16 ASID, 45:32 VMID.
// Fields that cannot change the outcome are left zero (SUM and MXR with a
// Bare stage or for fetches, SUM in U-mode, ASID under Bare), so toggling
// them costs no TLB misses. Bit 63 is never set: ~0 marks an empty entry.
constexpr uint64_t kCtxV = 1ull << 2, kCtxSum = 1ull << 3, kCtxMxr = 1ull << 4, kCtxGMxr = 1ull << 5;
constexpr unsigned kCtxS1ModeShift = 8, kCtxGModeShift = 12, kCtxAsidShift = 16, kCtxVmidShift = 32;

uint64_t make_ctx(const Hart& h, Priv p, bool v, bool exec) {
    uint64_t ctx = static_cast<uint64_t>(p) | (v ? kCtxV : 0);
    if (p == Priv::M) return ctx;   // no translation, PMP only
    const uint64_t atp_v = v ? h.csr.vsatp : h.csr.satp;
    const uint64_t mode = atp_v >> atp::MODE_SHIFT;
    ctx |= mode << kCtxS1ModeShift;
    if (mode != atp::MODE_BARE) {
        ctx |= ((atp_v >> atp::ASID_SHIFT) & atp::ASID_MASK) << kCtxAsidShift;
        const uint64_t st = v ? h.csr.vsstatus : h.csr.mstatus;
        if (!exec && p == Priv::S && (st & mstatus::SUM)) ctx |= kCtxSum;
        if (!exec && ((st | h.csr.mstatus) & mstatus::MXR)) ctx |= kCtxMxr;
    }
    if (v) {
        const uint64_t gmode = h.csr.hgatp >> atp::MODE_SHIFT;
        ctx |= gmode << kCtxGModeShift;
        ctx |= ((h.csr.hgatp >> atp::ASID_SHIFT) & atp::VMID_MASK) << kCtxVmidShift;
        if (!exec && gmode != atp::MODE_BARE && (h.csr.mstatus & mstatus::MXR)) ctx |= kCtxGMxr;
    }
    return ctx;
}

// Hart::kCtxCached tags the data entries filled while the profile models
// caches: the fast paths compare with data_ctx and never hit them, so every
// data access reaches a path that charges the caches (load_cached and
// store_cached, or the slow paths through cached_entry). Fences and the
// predicates below ignore the bit.
constexpr uint64_t kCtxCached = Hart::kCtxCached;

bool ctx_virt(uint64_t ctx) { return ctx & kCtxV; }
uint64_t ctx_asid(uint64_t ctx) { return (ctx >> kCtxAsidShift) & atp::ASID_MASK; }
uint64_t ctx_vmid(uint64_t ctx) { return (ctx >> kCtxVmidShift) & atp::VMID_MASK; }
uint64_t ctx_s1mode(uint64_t ctx) { return (ctx >> kCtxS1ModeShift) & 0xF; }

bool entry_used(const TlbEntry& e) { return e.vpn != ~0ull; }

// Whether an entry may hold a translation of the page containing va. An
// entry is one 4 KiB piece of a leaf that may be a superpage, and TlbEntry
// does not record the leaf size, so an address fence also drops every piece
// that could belong to the largest superpage the entry's mode allows
// (1 GiB for Sv39, 512 GiB for Sv48). Over-flushing is allowed.
bool may_cover(const TlbEntry& e, uint64_t va) {
    const uint64_t vpn = va >> 12;
    const uint64_t mode = ctx_s1mode(e.ctx);
    const unsigned shift = mode == atp::MODE_SV39 ? 18 : mode == atp::MODE_SV48 ? 27 : 0;
    return (e.vpn >> shift) == (vpn >> shift);
}

template <class Pred> void flush_where(Hart& h, Pred pred) {
    for (auto* tlb : {h.tlb_r, h.tlb_w, h.tlb_x})
        for (unsigned i = 0; i < Hart::kTlbSize; ++i)
            if (entry_used(tlb[i]) && pred(tlb[i])) tlb[i] = TlbEntry{};
    // The modelled TLB drops what the same fence drops; the stage-2 TLB and
    // the walk cache keep no scopes: any fence empties them.
    h.walker.tlb.drop_if([&](const isa::TagStore::Entry& m) {
        TlbEntry e;
        e.vpn = m.key;
        e.ctx = m.ctx;
        e.global = m.global;
        return pred(e);
    });
    h.walker.tlb_s2.clear();
    h.walker.walk_cache.clear();
}

// ---- faults ---------------------------------------------------------------

uint64_t misaligned_cause(Access a) { return a == Access::Read ? cause::LOAD_MISALIGNED : cause::STORE_MISALIGNED; }
uint64_t access_fault(Access a) {
    return a == Access::Exec ? cause::INSN_ACCESS : a == Access::Read ? cause::LOAD_ACCESS : cause::STORE_ACCESS;
}
bool is_guest_page_fault(uint64_t c) {
    return c == cause::INSN_GUEST_PAGE_FAULT || c == cause::LOAD_GUEST_PAGE_FAULT || c == cause::STORE_GUEST_PAGE_FAULT;
}

Translation fault_of(uint64_t c) {
    Translation t;
    t.cause = c;
    return t;
}

// A fault found while preparing an access: what to raise and where.
struct AccessFault {
    Translation t;
    uint64_t tval = 0;     // the virtual address of the faulting part
    uint64_t offset = 0;   // tval minus the access's original address
};

// The trap-instruction value for a fault (before HartConfig::write_tinst).
uint64_t tinst_for(const Hart& h, const Translation& t, Access acc, uint64_t offset) {
    if (t.tinst == kTinstImplicitZero) return 0;
    if (t.tinst) return t.tinst;   // pseudoinstruction of an implicit VS-stage access
    if (acc == Access::Exec || !h.cur) return 0;
    return transformed_insn(h.cur->raw, offset);
}

void raise_fault(Hart& h, const AccessFault& f, Access acc, bool hlv_access) {
    // Every cause raised here puts a virtual address in tval: it is a guest
    // virtual address whenever the access was made with V=1 (HLV/HSV too).
    const bool eff_virt = hlv_access || (acc == Access::Exec ? h.virt : data_eff(h).v);
    const uint64_t tval2 = is_guest_page_fault(f.t.cause) ? f.t.tval2 : 0;
    h.raise(f.t.cause, f.tval, tval2, tinst_for(h, f.t, acc, f.offset), eff_virt);
}

// One page-contained part of an access, translated and checked.
struct Part {
    uint64_t va = 0;
    uint64_t pa = 0;
    unsigned size = 0;
    uint8_t* host = nullptr;   // RAM; nullptr for MMIO
    Translation t;
};

// Translate and check [va, va+size) for acc, split at the page boundary.
// hlvx: execute permission instead of read (and PMP read+execute);
// rmw: an AMO, which needs PMP read permission besides write.
bool prepare(Hart& h, uint64_t va, unsigned size, Access acc, Eff e, bool hlvx, bool rmw, Part (&parts)[2],
             unsigned& n, AccessFault& f) {
    const bool misaligned = va & (size - 1);
    if (misaligned && !h.config().misaligned_ok) {
        f = {fault_of(misaligned_cause(acc)), va, 0};
        return false;
    }
    const unsigned first = static_cast<unsigned>(std::min<uint64_t>(size, kPage - (va & kPageOffset)));
    n = first < size ? 2 : 1;
    for (unsigned k = 0; k < n; ++k) {
        Part& p = parts[k];
        p.va = k ? va + first : va;
        p.size = k ? size - first : first;
        p.t = h.translate(p.va, acc, e.p, e.v, hlvx);
        if (!p.t.ok()) {
            f = {p.t, p.va, p.va - va};
            return false;
        }
        p.pa = p.t.paddr;
        const bool pmp = h.pmp_ok(p.pa, p.size, acc, e.p) && (!hlvx || h.pmp_ok(p.pa, p.size, Access::Exec, e.p)) &&
                         (!rmw || h.pmp_ok(p.pa, p.size, Access::Read, e.p));
        p.host = h.mem().ram_ptr(p.pa, p.size);
        // MMIO must be accessed naturally aligned and whole.
        if (!pmp || (!p.host && (misaligned || !h.mem().find(p.pa)))) {
            f = {fault_of(access_fault(acc)), p.va, p.va - va};
            return false;
        }
    }
    return true;
}

// The caches' cost of a prepared access: each RAM part (MMIO is uncached).
void charge_parts(Hart& h, const Part (&parts)[2], unsigned n) {
    if (!h.walker.caches.data_enabled()) return;
    for (unsigned k = 0; k < n; ++k)
        if (parts[k].host) h.add_cycles(h.walker.caches.data(parts[k].pa, parts[k].size));
}

bool is_lr(const Insn* i) {
    return i && (i->raw & 3) == 3 && (i->raw & 0x7f) == 0x2f && (i->raw >> 27) == 0x02;
}

bool valid_width(unsigned w) { return w == 1 || w == 2 || w == 4 || w == 8; }

// Perform a prepared read: MMIO as one naturally aligned access (prepare
// refused the rest), RAM byte-wise across the parts. false: bus error.
bool read_parts(isa::PhysMem& mem, const Part (&parts)[2], unsigned n, unsigned size, uint64_t& out) {
    if (!parts[0].host) return mem.read(parts[0].pa, size, out);
    uint8_t bytes[8] = {};
    std::memcpy(bytes, parts[0].host, parts[0].size);
    if (n == 2) std::memcpy(bytes + parts[0].size, parts[1].host, parts[1].size);
    std::memcpy(&out, bytes, sizeof out);   // little-endian host
    return true;
}

// Perform a prepared write. RAM writes are reported to the code observers
// (a store to a predecoded page drops its decoded copy). false: bus error.
bool write_parts(isa::PhysMem& mem, const Part (&parts)[2], unsigned n, unsigned size, uint64_t val) {
    if (!parts[0].host) return mem.write(parts[0].pa, size, val);
    uint8_t bytes[8];
    std::memcpy(bytes, &val, sizeof bytes);   // little-endian host
    std::memcpy(parts[0].host, bytes, parts[0].size);
    if (n == 2) std::memcpy(parts[1].host, bytes + parts[0].size, parts[1].size);
    for (unsigned k = 0; k < n; ++k) mem.note_write(parts[k].pa, parts[k].size);
    return true;
}

// The fault as the host API returns it: no instruction, so the
// trap-instruction value is a pseudoinstruction or 0; paddr carries the
// faulting guest virtual address (what tval would hold).
Translation host_fault(const AccessFault& flt) {
    Translation t = flt.t;
    if (t.tinst == kTinstImplicitZero) t.tinst = 0;
    if (!is_guest_page_fault(t.cause)) t.tval2 = 0;
    t.paddr = flt.tval;
    return t;
}

} // namespace

// ---- loads and stores -----------------------------------------------------

bool Hart::load_slow(uint64_t va, unsigned size, uint64_t& out, bool hlv, bool hlvx) {
    if (walker.caches.data_enabled() && !hlv)
        if (const TlbEntry* c = cached_entry(tlb_r, va, size)) {
            uint64_t v = 0;
            std::memcpy(&v, reinterpret_cast<const void*>(va + c->addend), size);   // little-endian host
            charge_cached(*c, va, size);
            out = v;
            return true;
        }
    ++tlb_misses;
    const Eff e = hlv ? hlv_eff(*this) : data_eff(*this);
    Part parts[2];
    unsigned n = 0;
    AccessFault flt;
    if (!prepare(*this, va, size, Access::Read, e, hlvx, false, parts, n, flt)) {
        raise_fault(*this, flt, Access::Read, hlv);
        return false;
    }
    uint64_t v = 0;
    if (!read_parts(mem_, parts, n, size, v)) {
        raise_fault(*this, {fault_of(cause::LOAD_ACCESS), va, 0}, Access::Read, hlv);
        return false;
    }
    charge_parts(*this, parts, n);
    // HLVX reads with execute permission: never cache it as a read entry.
    if (!hlvx)
        for (unsigned k = 0; k < n; ++k) fill_tlb(parts[k].va, Access::Read, parts[k].t, e.p, e.v);
    out = v;
    return true;
}

bool Hart::store_slow(uint64_t va, unsigned size, uint64_t val, bool hsv) {
    if (walker.caches.data_enabled() && !hsv)
        if (const TlbEntry* c = cached_entry(tlb_w, va, size)) {
            std::memcpy(reinterpret_cast<void*>(va + c->addend), &val, size);   // little-endian host
            charge_cached(*c, va, size);
            return true;
        }
    ++tlb_misses;
    const Eff e = hsv ? hlv_eff(*this) : data_eff(*this);
    Part parts[2];
    unsigned n = 0;
    AccessFault flt;
    // Both parts are checked before any byte is written.
    if (!prepare(*this, va, size, Access::Write, e, false, false, parts, n, flt)) {
        raise_fault(*this, flt, Access::Write, hsv);
        return false;
    }
    if (!write_parts(mem_, parts, n, size, val)) {
        raise_fault(*this, {fault_of(cause::STORE_ACCESS), va, 0}, Access::Write, hsv);
        return false;
    }
    charge_parts(*this, parts, n);
    // After note_write: a page that held code is plain data again and may
    // be cached for writing (fill_tlb refuses pages still marked as code).
    for (unsigned k = 0; k < n; ++k) fill_tlb(parts[k].va, Access::Write, parts[k].t, e.p, e.v);
    return true;
}

bool Hart::amo_address(uint64_t va, unsigned size, uint8_t*& host, uint64_t& mmio_paddr) {
    ++tlb_misses;
    host = nullptr;
    mmio_paddr = 0;
    // LR is a load (load faults, read permission); SC and AMOs are stores.
    const Access acc = is_lr(cur) ? Access::Read : Access::Write;
    if (!valid_width(size) || (va & (size - 1))) {
        raise_fault(*this, {fault_of(misaligned_cause(acc)), va, 0}, acc, false);
        return false;
    }
    Part parts[2];
    unsigned n = 0;
    AccessFault flt;
    if (!prepare(*this, va, size, acc, data_eff(*this), false, acc == Access::Write, parts, n, flt)) {
        raise_fault(*this, flt, acc, false);
        return false;
    }
    // The caller writes RAM through `host` and then reports the write with
    // note_write(mmio_paddr, size): the physical address is given for RAM too.
    host = parts[0].host;
    mmio_paddr = parts[0].pa;
    charge_parts(*this, parts, n);
    return true;
}

// ---- HLV/HSV for the host ------------------------------------------------

bool Hart::hlv(uint64_t gva, unsigned width, uint64_t& value, Translation& t, bool hlvx) {
    Part parts[2];
    unsigned n = 0;
    AccessFault flt;
    if (!valid_width(width)) {
        flt = {fault_of(cause::LOAD_ACCESS), gva, 0};
    } else if (prepare(*this, gva, width, Access::Read, hlv_eff(*this), hlvx, false, parts, n, flt)) {
        uint64_t v = 0;
        if (read_parts(mem_, parts, n, width, v)) {
            value = v;
            t = parts[0].t;
            return true;
        }
        flt = {fault_of(cause::LOAD_ACCESS), gva, 0};
    }
    t = host_fault(flt);
    return false;
}

bool Hart::hsv(uint64_t gva, unsigned width, uint64_t value, Translation& t) {
    Part parts[2];
    unsigned n = 0;
    AccessFault flt;
    if (!valid_width(width)) {
        flt = {fault_of(cause::STORE_ACCESS), gva, 0};
    } else if (prepare(*this, gva, width, Access::Write, hlv_eff(*this), false, false, parts, n, flt)) {
        if (write_parts(mem_, parts, n, width, value)) {
            t = parts[0].t;
            return true;
        }
        flt = {fault_of(cause::STORE_ACCESS), gva, 0};
    }
    t = host_fault(flt);
    return false;
}

uint64_t Hart::raise_translation_fault(const Translation& t, uint64_t va, Access acc, bool hlv_access) {
    raise_fault(*this, {t, va, 0}, acc, hlv_access);
    return pc;
}

// ---- the TLB --------------------------------------------------------------

bool Hart::fill_tlb(uint64_t va, Access acc, const Translation& t, Priv eff_priv, bool eff_virt) {
    const uint64_t ppage = t.paddr & ~kPageOffset;
    uint8_t* host = mem_.ram_ptr(ppage, kPage);
    if (!host) return false;   // MMIO always takes the slow path
    // The load/store fast paths do not check alignment: a hart that must
    // trap on misaligned accesses keeps data accesses on the slow path.
    if (!cfg_.misaligned_ok && acc != Access::Exec) return false;
    // Only a page with one PMP outcome for all its bytes may be cached.
    if (!pmp_ok(ppage, kPage, acc, eff_priv)) return false;
    // Stores to code pages must reach note_write: never cache them.
    if (acc == Access::Write && mem_.is_code_page(ppage)) return false;
    TlbEntry* tlb = acc == Access::Read ? tlb_r : acc == Access::Write ? tlb_w : tlb_x;
    TlbEntry& e = tlb[tlb_index(va)];
    e.vpn = va >> 12;
    e.ctx = make_ctx(*this, eff_priv, eff_virt, acc == Access::Exec) |
            (acc != Access::Exec && walker.caches.data_enabled() ? kCtxCached : 0);
    e.addend = reinterpret_cast<uintptr_t>(host) - (va & ~kPageOffset);
    e.ppage = ppage;
    e.code = nullptr;
    e.global = t.global;
    return true;
}

uint64_t Hart::tlb_ctx(Priv eff_priv, bool eff_virt, bool exec) const { return make_ctx(*this, eff_priv, eff_virt, exec); }

bool Hart::tlb_model_lookup(uint64_t va, uint64_t ctx) {
    if (!walker.tlb.enabled()) return false;
    const bool hit = walker.tlb.lookup(va >> 12, ctx);
    (hit ? walker.stats.tlb_hits : walker.stats.tlb_misses)++;
    return hit;
}

void Hart::tlb_model_fill(uint64_t va, uint64_t ctx, bool global) {
    if (!walker.tlb.enabled()) return;
    const isa::TagStore::Entry old = walker.tlb.insert(va >> 12, ctx, global);
    if (old.key == ~0ull) return;
    for (auto* tlb : {tlb_r, tlb_w, tlb_x}) {
        TlbEntry& e = tlb[tlb_index(old.key << 12)];
        if (e.vpn == old.key && (e.ctx & ~kCtxCached) == old.ctx) e = TlbEntry{};
    }
}

void Hart::update_context() {
    const Eff d = data_eff(*this);
    data_ctx = make_ctx(*this, d.p, d.v, false);
    fetch_ctx = make_ctx(*this, priv, virt, true);
}

void Hart::flush_tlb() {
    for (auto* tlb : {tlb_r, tlb_w, tlb_x})
        for (unsigned i = 0; i < kTlbSize; ++i) tlb[i] = TlbEntry{};
    walker.flush();
}

void Hart::sfence_vma(uint64_t va, uint64_t asid, bool all_addr, bool all_asid) {
    // With V=1 the operands are guest virtual addresses and VS-level ASIDs
    // of the current virtual machine: the same as HFENCE.VVMA.
    if (virt) return hfence_vvma(va, asid, all_addr, all_asid);
    asid &= atp::ASID_MASK;
    flush_where(*this, [&](const TlbEntry& e) {
        return !ctx_virt(e.ctx) && (all_asid || (!e.global && ctx_asid(e.ctx) == asid)) &&
               (all_addr || may_cover(e, va));
    });
}

void Hart::hfence_vvma(uint64_t gva, uint64_t asid, bool all_addr, bool all_asid) {
    const uint64_t vmid = (csr.hgatp >> atp::ASID_SHIFT) & atp::VMID_MASK;
    asid &= atp::ASID_MASK;
    flush_where(*this, [&](const TlbEntry& e) {
        return ctx_virt(e.ctx) && ctx_vmid(e.ctx) == vmid && (all_asid || (!e.global && ctx_asid(e.ctx) == asid)) &&
               (all_addr || may_cover(e, gva));
    });
}

void Hart::hfence_gvma(uint64_t gpa, uint64_t vmid, bool all_addr, bool all_vmid) {
    // Entries are tagged by guest virtual address: a guest-physical fence
    // drops every V=1 entry of the VMID, whatever the address.
    (void)gpa;
    (void)all_addr;
    vmid &= atp::VMID_MASK;
    flush_where(*this, [&](const TlbEntry& e) { return ctx_virt(e.ctx) && (all_vmid || ctx_vmid(e.ctx) == vmid); });
}

void Hart::code_page_marked(uint64_t page_paddr) {
    for (auto& e : tlb_w)
        if (entry_used(e) && e.ppage == page_paddr) e = TlbEntry{};
}

} // namespace hvemu::rv
