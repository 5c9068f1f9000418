// Paging: linear -> physical for no paging, 32-bit paging (4 MiB pages with
// CR4.PSE), PAE paging and 4-level paging, with the U/S, R/W, XD, WP, SMEP
// and SMAP checks, reserved-bit checks, accessed/dirty updates and the #PF
// error code. In VMX non-root operation every guest-physical address (the
// paging-structure entries and the final address) goes through EPT.
#include "isa/x86/core.hpp"
#include "isa/x86/paging_bits.hpp"

namespace hvemu::x86 {

using namespace paging;

namespace {

struct Level {
    uint64_t addr = 0;       // physical address of the entry
    uint64_t value = 0;
    unsigned size = 8;       // 4 for 32-bit paging
};

} // namespace

// Physical accesses of the page walker. In non-root operation with EPT
// the address is guest-physical (EPT hook: see phys_translate_).
bool Core::phys_read_(uint64_t gpa, unsigned size, uint64_t& v, uint64_t linear, Translation& t) {
    uint64_t pa = gpa;
    if (!ept_gpa(gpa, Access::Read, linear, true, pa, t)) return false;
    count_ref(false, pa);
    v = 0;
    if (!mem_.read(pa, size, v)) v = 0;   // nothing there: reads as zero (not present)
    return true;
}

bool Core::phys_write_(uint64_t gpa, unsigned size, uint64_t v, uint64_t linear, Translation& t) {
    uint64_t pa = gpa;
    if (!ept_gpa(gpa, Access::Write, linear, true, pa, t)) return false;
    mem_.write(pa, size, v);
    mem_.note_write(pa, size);
    return true;
}

// A translation through the timing model: a modelled TLB hit walks for the
// result alone, uncharged; otherwise every paging-structure reference of
// both stages is counted and charged (count_ref). probe() is not counted.
Translation Core::translate(uint64_t linear, Access acc, bool user) {
    const bool held = tlb_model_lookup(linear);
    refs_ = WalkRefs{};
    counting_ = true;
    walker.charge = !held;
    const Translation t = walk_(linear, acc, user, true);
    walker.charge = true;
    counting_ = false;
    if (!held && t.ok()) tlb_model_fill(linear, last_walk_.global);
    if (refs_.s1 || refs_.s2) {
        if (!held) walker.stats.walks++;
        walk_refs_s1 += refs_.s1;
        walk_refs_s2 += refs_.s2;
        add_cycles(refs_.cycles);
    }
    return t;
}

void Core::count_ref(bool stage2, uint64_t pa) {
    if (!counting_) return;
    (stage2 ? refs_.s2 : refs_.s1)++;
    refs_.cycles += walker.ref(stage2, pa);
}
Translation Core::probe(uint64_t linear, Access acc, bool user) { return walk_(linear, acc, user, false); }

Translation Core::walk_(uint64_t la, Access acc, bool user, bool update_ad) {
    Translation t;
    last_walk_ = LastWalk{};
    const bool wr = acc == Access::Write, ex = acc == Access::Exec;
    if (!(cr0 & kCr0Pg)) {
        const uint64_t gpa = long_mode() ? la : (la & 0xffffffffull);
        last_walk_ = {la >> 12, 12, false};
        uint64_t pa = gpa;
        if (!ept_gpa(gpa, acc, la, false, pa, t)) return t;
        t.paddr = pa;
        return t;
    }
    ++walks;
    const bool nxe = (efer & kEferNxe) != 0;
    const uint64_t maxpa = (uint64_t{1} << cfg_.phys_addr_bits) - 1;
    uint32_t err = (wr ? kPfW : 0) | (user ? kPfU : 0) | (ex && (nxe || (cr4 & kCr4Smep)) ? kPfI : 0);
    auto fault = [&](uint32_t bits) {
        t.vector = 14;
        t.error_code = err | bits;
        return t;
    };

    Level lv[4];
    unsigned n = 0;
    uint64_t base = 0;                 // physical address of the page or large page
    unsigned leaf_shift = 12;
    bool rw = true, us = true, xd = false;
    // 64-bit entry reserved bits: above MAXPHYADDR (to bit 51 for 4-level,
    // to bit 62 for PAE), and XD when EFER.NXE = 0.
    const uint64_t hi_limit = long_mode() ? (uint64_t{1} << 52) - 1 : (uint64_t{1} << 63) - 1;
    const uint64_t rsvd64 = (hi_limit & ~maxpa & ~uint64_t{0xfff}) | (nxe ? 0 : kPteXd);
    auto large_rsvd = [&](unsigned shift) { return ((uint64_t{1} << shift) - 1) & ~uint64_t{0x1fff}; };

    if (!(cr4 & kCr4Pae)) {
        // 32-bit paging: a page directory of 1024 4-byte entries.
        const uint32_t l32 = static_cast<uint32_t>(la);
        Level& pde = lv[n++];
        pde.size = 4;
        pde.addr = (cr3 & 0xfffff000u) + ((l32 >> 22) & 0x3ff) * 4;
        if (!phys_read_(pde.addr, 4, pde.value, la, t)) return t;
        if (!(pde.value & kPteP)) return fault(0);
        rw = pde.value & kPteRw;
        us = pde.value & kPteUs;
        if ((pde.value & kPtePs) && (cr4 & kCr4Pse)) {
            // 4 MiB page; PSE-36 puts PA[39:32] in bits 20:13, bit 21 is reserved.
            const uint64_t hi = (pde.value >> 13) & 0xff;
            const uint64_t pa = (pde.value & 0xffc00000u) | (hi << 32);
            if ((pde.value & (1u << 21)) || (pa & ~maxpa)) return fault(kPfP | kPfRsvd);
            base = pa;
            leaf_shift = 22;
        } else {
            Level& pte = lv[n++];
            pte.size = 4;
            pte.addr = (pde.value & 0xfffff000u) + ((l32 >> 12) & 0x3ff) * 4;
            if (!phys_read_(pte.addr, 4, pte.value, la, t)) return t;
            if (!(pte.value & kPteP)) return fault(0);
            rw = rw && (pte.value & kPteRw);
            us = us && (pte.value & kPteUs);
            base = pte.value & 0xfffff000u;
        }
    } else {
        unsigned level;                // 4: PML4, 3: PDPT, 2: PD, 1: PT
        uint64_t table;
        if (long_mode()) {
            level = 4;
            table = cr3 & maxpa & ~uint64_t{0xfff};
        } else {
            // PAE: the PDPTEs were loaded with CR3 (no R/W, U/S or XD in them).
            const uint64_t e = pdpte[(la >> 30) & 3];
            if (!(e & kPteP)) return fault(0);
            level = 2;
            table = e & maxpa & ~uint64_t{0xfff};
        }
        for (;; --level) {
            const unsigned shift = 12 + 9 * (level - 1);
            Level& l = lv[n++];
            l.addr = table + ((la >> shift) & 0x1ff) * 8;
            if (!phys_read_(l.addr, 8, l.value, la, t)) return t;
            const uint64_t e = l.value;
            if (!(e & kPteP)) return fault(0);
            if (e & rsvd64) return fault(kPfP | kPfRsvd);
            rw = rw && (e & kPteRw);
            us = us && (e & kPteUs);
            xd = xd || (nxe && (e & kPteXd));
            const bool ps = (e & kPtePs) != 0;
            if (level == 4 && ps) return fault(kPfP | kPfRsvd);
            if (level == 3 && ps && !long_mode()) return fault(kPfP | kPfRsvd);
            if ((level == 3 || level == 2) && ps) {
                if (e & large_rsvd(shift)) return fault(kPfP | kPfRsvd);
                base = e & maxpa & ~((uint64_t{1} << shift) - 1);
                leaf_shift = static_cast<uint8_t>(shift);
                break;
            }
            if (level == 1) {
                base = e & maxpa & ~uint64_t{0xfff};
                break;
            }
            table = e & maxpa & ~uint64_t{0xfff};
        }
    }

    // Permissions, as the SDM's "Access Rights" section orders them.
    const uint64_t leaf = lv[n - 1].value;
    if (user) {
        if (!us) return fault(kPfP);
        if (wr && !rw) return fault(kPfP);
        if (ex && xd) return fault(kPfP);
    } else {
        if (wr && !rw && (cr0 & kCr0Wp)) return fault(kPfP);
        if (ex && xd) return fault(kPfP);
        if (ex && us && (cr4 & kCr4Smep)) return fault(kPfP);
        if (!ex && us && (cr4 & kCr4Smap) && !(rflags & rflags::AC)) return fault(kPfP);
    }

    // Accessed on every entry used, dirty on the leaf of a write; only once
    // the access is known to succeed.
    // The A/D writes reuse the entries' translations: no walk references.
    if (update_ad) {
        const bool counting = counting_;
        counting_ = false;
        for (unsigned k = 0; k < n; ++k) {
            uint64_t v = lv[k].value | kPteA;
            if (k == n - 1 && wr) v |= kPteD;
            if (v != lv[k].value && !phys_write_(lv[k].addr, lv[k].size, v, la, t)) {
                counting_ = counting;
                return t;
            }
        }
        counting_ = counting;
    }

    const uint64_t off_mask = (uint64_t{1} << leaf_shift) - 1;
    const uint64_t gpa = base | (la & off_mask);
    const bool global = (cr4 & kCr4Pge) && (leaf & kPteG);
    uint64_t pa = gpa;
    if (!ept_gpa(gpa, acc, la, false, pa, t)) return t;
    t.paddr = pa;
    last_walk_ = {la >> 12, static_cast<uint8_t>(leaf_shift), global};
    return t;
}

// PAE: MOV CR3 (and CR0/CR4 changes that enable PAE paging) load the four
// PDPTEs; a reserved bit set in a present one is #GP for the instruction.
bool Core::load_pdptes() {
    const uint64_t maxpa = (uint64_t{1} << cfg_.phys_addr_bits) - 1;
    const uint64_t rsvd = kPdpteRsvd | (~maxpa & ~uint64_t{0xfff});
    uint64_t e[4];
    const uint64_t base = cr3 & 0xffffffe0u;
    for (unsigned k = 0; k < 4; ++k) {
        Translation t;
        if (!phys_read_(base + k * 8, 8, e[k], 0, t)) return false;
        if ((e[k] & kPteP) && (e[k] & rsvd)) return false;
    }
    for (unsigned k = 0; k < 4; ++k) pdpte[k] = e[k];
    return true;
}

} // namespace hvemu::x86
