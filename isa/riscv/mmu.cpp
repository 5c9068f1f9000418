// Address translation: the S/VS-stage walk (Bare, Sv39, Sv48), the G-stage
// walk (Bare, Sv39x4, Sv48x4), and PMP. A/D bits follow Svade: a clear A,
// or a clear D on a store, is a (guest-)page fault; the walk never writes.
// Everything here is pure: faults come back in Translation, raising is the
// caller's business (mem_access.cpp, the fetch path).
#include <bit>
#include <cstring>

#include "isa/riscv/hart.hpp"
#include "isa/riscv/transformed_insn.hpp"

namespace hvemu::rv {

namespace {

constexpr unsigned kPageShift = 12;
constexpr unsigned kVpnBits = 9;
constexpr uint64_t kPteSize = 8;
constexpr uint64_t kPmpAddrMask = (1ull << 54) - 1;   // pmpaddr holds physical address bits 55:2

// PMP configuration fields.
constexpr uint8_t kPmpR = 1, kPmpW = 2, kPmpX = 4, kPmpL = 0x80;
constexpr unsigned kPmpOff = 0, kPmpTor = 1, kPmpNa4 = 2;   // 3: NAPOT

uint64_t page_fault(Access a) {
    return a == Access::Exec ? cause::INSN_PAGE_FAULT : a == Access::Read ? cause::LOAD_PAGE_FAULT : cause::STORE_PAGE_FAULT;
}
uint64_t guest_page_fault(Access a) {
    return a == Access::Exec ? cause::INSN_GUEST_PAGE_FAULT
         : a == Access::Read ? cause::LOAD_GUEST_PAGE_FAULT
                             : cause::STORE_GUEST_PAGE_FAULT;
}
uint64_t access_fault(Access a) {
    return a == Access::Exec ? cause::INSN_ACCESS : a == Access::Read ? cause::LOAD_ACCESS : cause::STORE_ACCESS;
}

Translation fault(uint64_t cause_v, uint64_t tval2 = 0, uint64_t tinst = 0) {
    Translation t;
    t.cause = cause_v;
    t.tval2 = tval2;
    t.tinst = tinst;
    return t;
}

// Bits 63:54 are reserved (no Svpbmt, no Svnapot): set means page fault.
bool pte_reserved_bits(uint64_t pte) { return pte & (pte::RESERVED_MASK | pte::PBMT_N_MASK); }
uint64_t pte_ppn(uint64_t pte) { return (pte & pte::PPN_MASK) >> pte::PPN_SHIFT; }

// Checks shared by both stages before a PTE is interpreted: invalid,
// reserved W-without-R, reserved bits; and for a pointer, the D/A/U bits
// that are reserved in non-leaf PTEs.
bool pte_malformed(uint64_t pte) {
    if (!(pte & pte::V) || ((pte & pte::W) && !(pte & pte::R)) || pte_reserved_bits(pte)) return true;
    const bool leaf = pte & (pte::R | pte::X);
    return !leaf && (pte & (pte::D | pte::A | pte::U));
}

// Superpage leaf at level i: PPN bits below the level must be zero.
bool superpage_misaligned(uint64_t ppn, unsigned level) {
    return level > 0 && (ppn & ((1ull << (kVpnBits * level)) - 1));
}

// The physical address of a leaf at `level` for `addr` (VA or GPA).
uint64_t leaf_address(uint64_t ppn, unsigned level, uint64_t addr) {
    const uint64_t off_mask = (1ull << (kPageShift + kVpnBits * level)) - 1;
    return ((ppn << kPageShift) & ~off_mask) | (addr & off_mask);
}

// Read one PTE at a supervisor physical address: an implicit access, PMP
// checked as S-mode, RAM only (page tables in I/O regions are not walkable).
bool read_pte(Hart& h, uint64_t pa, uint64_t& pte) {
    if (!h.pmp_ok(pa, kPteSize, Access::Read, Priv::S)) return false;
    const uint8_t* p = h.mem().ram_ptr(pa, kPteSize);
    if (!p) return false;
    std::memcpy(&pte, p, sizeof pte);
    return true;
}

// A translation's page-table references per stage, and what the timing
// model charges for them (isa::WalkCharger).
struct Refs {
    unsigned s1 = 0, s2 = 0;
    uint64_t cycles = 0;
};

// What a G-stage walk is for.
enum class GUse : uint8_t {
    Explicit,   // the final guest physical address of an explicit access or fetch
    PteRead,    // an implicit read of a VS-stage PTE
    PteWrite,   // an implicit VS-stage A/D update (never made: Svade)
};

unsigned levels_of(uint64_t mode) { return mode == atp::MODE_SV39 ? 3 : mode == atp::MODE_SV48 ? 4 : 0; }

// G stage: guest physical -> supervisor physical. `acc` is the ORIGINAL
// access type: faults are reported for it, even for PTE reads, whose
// permissions are checked as the implicit read (or write) they are.
Translation walk_g(Hart& h, uint64_t gpa, Access acc, bool hlvx, GUse use, Refs& refs) {
    const uint64_t hgatp = h.csr.hgatp;
    const uint64_t mode = hgatp >> atp::MODE_SHIFT;
    if (mode == atp::MODE_BARE) {
        Translation t;
        t.paddr = gpa;
        return t;
    }
    const uint64_t pseudo = use == GUse::PteRead  ? tinst::PSEUDO_VS_READ_64
                          : use == GUse::PteWrite ? tinst::PSEUDO_VS_WRITE_64
                                                  : 0;
    const uint64_t gpf_cause = guest_page_fault(acc);
    auto gpf = [&] { return fault(gpf_cause, gpa >> 2, pseudo); };
    const unsigned levels = levels_of(mode);
    if (levels == 0) return gpf();   // cannot happen: the CSR code refuses other modes
    // Sv39x4/Sv48x4: the root table is 16 KiB, its index 2 bits wider.
    const unsigned width = kPageShift + kVpnBits * levels + 2;
    if (gpa >> width) return gpf();

    const Access perm = use == GUse::PteRead ? Access::Read : use == GUse::PteWrite ? Access::Write : acc;
    const bool mxr = h.csr.mstatus & mstatus::MXR;   // only the HS-level MXR acts on the G stage
    uint64_t a = ((hgatp & atp::PPN_MASK) & ~3ull) << kPageShift;
    for (int i = static_cast<int>(levels) - 1; i >= 0; --i) {
        const unsigned idx_bits = i == static_cast<int>(levels) - 1 ? kVpnBits + 2 : kVpnBits;
        const uint64_t idx = (gpa >> (kPageShift + kVpnBits * i)) & ((1ull << idx_bits) - 1);
        uint64_t pte;
        ++refs.s2;
        refs.cycles += h.walker.ref(true, a + idx * kPteSize);
        if (!read_pte(h, a + idx * kPteSize, pte)) return fault(access_fault(acc), 0, kTinstImplicitZero);
        if (pte_malformed(pte)) return gpf();
        if (!(pte & (pte::R | pte::X))) {
            a = pte_ppn(pte) << kPageShift;
            continue;
        }
        // Leaf: every G-stage access is a user-level access.
        if (!(pte & pte::U)) return gpf();
        bool allowed;
        if (perm == Access::Exec || (perm == Access::Read && hlvx)) allowed = pte & pte::X;
        else if (perm == Access::Read) allowed = (pte & pte::R) || (mxr && (pte & pte::X));
        else allowed = pte & pte::W;
        if (!allowed) return gpf();
        const uint64_t ppn = pte_ppn(pte);
        if (superpage_misaligned(ppn, i)) return gpf();
        if (!(pte & pte::A) || (perm == Access::Write && !(pte & pte::D))) return gpf();
        Translation t;
        t.paddr = leaf_address(ppn, i, gpa);
        return t;
    }
    return gpf();   // a pointer at level 0
}

// The G stage through the modelled stage-2 TLB (timing only): on a hit the
// walk runs for its result and is not charged.
Translation walk_g_tlb(Hart& h, uint64_t gpa, Access acc, bool hlvx, GUse use, Refs& refs) {
    isa::WalkCharger& w = h.walker;
    if (!w.tlb_s2.enabled() || !w.charge || (h.csr.hgatp >> atp::MODE_SHIFT) == atp::MODE_BARE)
        return walk_g(h, gpa, acc, hlvx, use, refs);
    const uint64_t vmid = (h.csr.hgatp >> atp::ASID_SHIFT) & atp::VMID_MASK;
    if (w.tlb_s2.lookup(gpa >> kPageShift, vmid)) {
        w.stats.tlb_s2_hits++;
        w.charge = false;
        Translation t = walk_g(h, gpa, acc, hlvx, use, refs);
        w.charge = true;
        return t;
    }
    w.stats.tlb_s2_misses++;
    Translation t = walk_g(h, gpa, acc, hlvx, use, refs);
    if (t.ok()) w.tlb_s2.insert(gpa >> kPageShift, vmid);
    return t;
}

// S/VS stage: virtual -> (guest) physical, for privilege p (S or U).
Translation walk_s(Hart& h, uint64_t va, Access acc, Priv p, bool v, bool hlvx, Refs& refs) {
    const uint64_t atp_v = v ? h.csr.vsatp : h.csr.satp;
    const uint64_t mode = atp_v >> atp::MODE_SHIFT;
    if (mode == atp::MODE_BARE) {
        Translation t;
        t.paddr = va;
        return t;
    }
    const uint64_t pf = page_fault(acc);
    const unsigned levels = levels_of(mode);
    if (levels == 0) return fault(pf);   // cannot happen: the CSR code refuses other modes
    // The VA must be sign-extended from its top translated bit.
    const unsigned va_bits = kPageShift + kVpnBits * levels;
    const uint64_t canonical = static_cast<uint64_t>(static_cast<int64_t>(va << (64 - va_bits)) >> (64 - va_bits));
    if (canonical != va) return fault(pf);

    // With V=1 the VS-level SUM applies; MXR of either level makes
    // executable VS-stage pages readable.
    const uint64_t st = v ? h.csr.vsstatus : h.csr.mstatus;
    const bool sum = st & mstatus::SUM;
    const bool mxr = (st | h.csr.mstatus) & mstatus::MXR;
    uint64_t a = (atp_v & atp::PPN_MASK) << kPageShift;
    bool global = false;
    for (int i = static_cast<int>(levels) - 1; i >= 0; --i) {
        const uint64_t pte_addr = a + ((va >> (kPageShift + kVpnBits * i)) & ((1ull << kVpnBits) - 1)) * kPteSize;
        uint64_t pa = pte_addr;
        if (v) {
            // The PTE address is guest physical: an implicit read through
            // the G stage, faults reported for the original access type.
            Translation g = walk_g_tlb(h, pte_addr, acc, false, GUse::PteRead, refs);
            if (!g.ok()) return g;
            pa = g.paddr;
        }
        uint64_t pte;
        ++refs.s1;
        refs.cycles += h.walker.ref(false, pa);
        if (!read_pte(h, pa, pte)) return fault(access_fault(acc), 0, kTinstImplicitZero);
        if (pte_malformed(pte)) return fault(pf);
        global = global || (pte & pte::G);   // a global pointer makes the whole subtree global
        if (!(pte & (pte::R | pte::X))) {
            a = pte_ppn(pte) << kPageShift;
            continue;
        }
        // Leaf: U-bit rules, then the access type.
        if (p == Priv::U) {
            if (!(pte & pte::U)) return fault(pf);
        } else if (pte & pte::U) {
            // S may read/write user pages with SUM, and never execute them.
            if (acc == Access::Exec || !sum) return fault(pf);
        }
        bool allowed;
        if (acc == Access::Exec || (acc == Access::Read && hlvx)) allowed = pte & pte::X;
        else if (acc == Access::Read) allowed = (pte & pte::R) || (mxr && (pte & pte::X));
        else allowed = pte & pte::W;
        if (!allowed) return fault(pf);
        const uint64_t ppn = pte_ppn(pte);
        if (superpage_misaligned(ppn, i)) return fault(pf);
        if (!(pte & pte::A) || (acc == Access::Write && !(pte & pte::D))) return fault(pf);
        Translation t;
        t.paddr = leaf_address(ppn, i, va);
        t.global = global;
        return t;
    }
    return fault(pf);   // a pointer at level 0
}

} // namespace

void Hart::count_walk(unsigned s1, unsigned s2, uint64_t cycles, bool charged) {
    if (!s1 && !s2) return;
    ++walks;
    walk_refs_s1 += s1;
    walk_refs_s2 += s2;
    if (charged) walker.stats.walks++;
    add_cycles(cycles);
}

Translation Hart::translate(uint64_t va, Access acc, Priv eff_priv, bool eff_virt, bool hlvx) {
    Refs refs;
    Translation t;
    bool held = false;
    if (eff_priv == Priv::M) {
        t.paddr = va;   // M-mode: no translation (MPRV with MPP=M never virtualizes)
    } else {
        // The modelled TLB: a translation it holds walks for its result
        // alone, uncharged.
        const uint64_t ctx = tlb_ctx(eff_priv, eff_virt, acc == Access::Exec);
        held = tlb_model_lookup(va, ctx);
        if (held) walker.charge = false;
        t = walk_s(*this, va, acc, eff_priv, eff_virt, hlvx, refs);
        if (t.ok() && eff_virt) {
            const bool global = t.global;
            t = walk_g_tlb(*this, t.paddr, acc, hlvx, GUse::Explicit, refs);
            t.global = global;
        }
        walker.charge = true;
        if (!held && t.ok()) tlb_model_fill(va, ctx, t.global);
    }
    count_walk(refs.s1, refs.s2, refs.cycles, !held);
    if (!t.ok()) return t;
    // Physical checks on the first byte; callers check the whole access
    // (pmp_ok with its size). HLVX needs read and execute permission.
    const bool pmp = pmp_ok(t.paddr, 1, acc, eff_priv) && (!hlvx || pmp_ok(t.paddr, 1, Access::Exec, eff_priv));
    if (!pmp || !mem_.find(t.paddr)) return fault(access_fault(acc));
    return t;
}

Translation Hart::translate_g(uint64_t gpa, Access acc, bool implicit_vs, bool for_write_pte) {
    Refs refs;
    const GUse use = !implicit_vs ? GUse::Explicit : for_write_pte ? GUse::PteWrite : GUse::PteRead;
    Translation t = walk_g_tlb(*this, gpa, acc, false, use, refs);
    count_walk(refs.s1, refs.s2, refs.cycles, true);
    return t;
}

bool Hart::pmp_ok(uint64_t paddr, unsigned size, Access acc, Priv p) const {
    const unsigned n = cfg_.pmp_entries;
    if (n == 0) return true;   // no PMP implemented: everything is allowed
    if (size == 0) size = 1;
    const uint64_t last = paddr + size - 1;
    if (last < paddr) return false;   // wraps around the address space
    for (unsigned i = 0; i < n && i < csr.pmpcfg.size(); ++i) {
        const uint8_t cfg = csr.pmpcfg[i];
        const unsigned a_field = (cfg >> 3) & 3;
        if (a_field == kPmpOff) continue;
        const uint64_t addr = csr.pmpaddr[i] & kPmpAddrMask;
        uint64_t lo, hi;   // [lo, hi)
        if (a_field == kPmpTor) {
            lo = i ? (csr.pmpaddr[i - 1] & kPmpAddrMask) << 2 : 0;
            hi = addr << 2;
        } else if (a_field == kPmpNa4) {
            lo = addr << 2;
            hi = lo + 4;
        } else {
            // NAPOT (3): trailing ones encode the size, 2^(ones+3) bytes.
            const unsigned ones = static_cast<unsigned>(std::countr_one(addr));
            lo = (addr & ~((1ull << ones) - 1)) << 2;
            hi = lo + (1ull << (ones + 3));
        }
        if (lo >= hi || last < lo || paddr >= hi) continue;   // no byte matches
        // The lowest-numbered matching entry decides; it must cover the
        // whole access.
        if (paddr < lo || last >= hi) return false;
        if (p == Priv::M && !(cfg & kPmpL)) return true;
        const uint8_t need = acc == Access::Read ? kPmpR : acc == Access::Write ? kPmpW : kPmpX;
        return cfg & need;
    }
    // No entry matches: M-mode succeeds, S and U fail (entries exist).
    return p == Priv::M;
}

} // namespace hvemu::rv
