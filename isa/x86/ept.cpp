// EPT (SDM Vol. 3C 28.3): the 4-level guest-physical walk with 1 GiB and
// 2 MiB pages, R/W/X permissions (execute-only allowed), memory-type and
// reserved-bit checks (misconfiguration), accessed/dirty flags when EPTP
// bit 6 enables them, and the EPT-violation exit qualification.
#include "isa/x86/vmx_state.hpp"

namespace hvemu::x86 {

using namespace vmx;
using namespace vmcs;
using X = VmxInternals;

namespace {

// Misconfigured (28.3.3.1): write without read, reserved bits, a leaf with
// memory type 2, 3 or 7, the large-page bit where there is none.
bool misconfigured(uint64_t e, int level, bool leaf, uint64_t rsvd_hi) {
    if ((e & 3) == ept::W) return true;
    if (e & rsvd_hi) return true;
    if (!leaf) return (e & 0xf8) != 0;                                  // bits 7:3 of a table pointer
    const unsigned mt = (e >> 3) & 7;
    if (mt == 2 || mt == 3 || mt == 7) return true;
    if (level == 3 && (e & 0x3ffff000)) return true;                    // 1 GiB page: bits 29:12
    if (level == 2 && (e & 0x1ff000)) return true;                      // 2 MiB page: bits 20:12
    return false;
}

} // namespace

Translation Core::ept_translate(uint64_t gpa, Access acc, bool linear_valid, uint64_t linear, bool final_access,
                                bool user) {
    Translation t;
    Vmcs& v = *vmx().cur;
    const uint64_t eptp = v[S_EPT_POINTER];
    const bool ad = eptp & ept::EptpAd;
    const unsigned pab = config().phys_addr_bits;
    const uint64_t addr_mask = ((uint64_t{1} << pab) - 1) & ~uint64_t{0xfff};
    const uint64_t rsvd_hi = ((uint64_t{1} << 52) - 1) & ~((uint64_t{1} << pab) - 1);
    uint64_t table = eptp & addr_mask;
    uint64_t perms = ept::R | ept::W | ept::X;
    const uint64_t want = acc == Access::Read ? ept::R : acc == Access::Write ? ept::W : ept::X;
    ++walks;
    auto fail = [&](bool misconfig, uint64_t perm_bits) {
        t.gpa = gpa;
        if (misconfig) {
            t.ept_misconfig = true;
            return t;
        }
        t.ept_violation = true;
        uint64_t q = (acc == Access::Read ? eptq::Read : acc == Access::Write ? eptq::Write : eptq::Fetch);
        q |= (perm_bits & 7) << 3;
        if (linear_valid) q |= eptq::LinearValid | (final_access ? eptq::Final : 0);
        t.ept_qual = q;
        return t;
    };
    for (int level = 4; level >= 1; --level) {
        const uint64_t ea = table + ((gpa >> (12 + 9 * (level - 1))) & 511) * 8;
        uint64_t e = 0;
        count_ref(true, ea);
        if (!mem().read(ea, 8, e)) e = 0;   // nothing there reads as not present
        if (!(e & 7)) return fail(false, 0);
        const bool leaf = level == 1 || ((level == 2 || level == 3) && (e & ept::Large));
        if (level == 4 && (e & ept::Large)) return fail(true, 0);
        if (misconfigured(e, level, leaf, rsvd_hi)) return fail(true, 0);
        perms &= e & 7;
        if (ad) {
            uint64_t ne = e | ept::Accessed;
            if (leaf && acc == Access::Write) ne |= ept::Dirty;
            if (ne != e && perms & want) {
                mem().write(ea, 8, ne);
                mem().note_write(ea, 8);
            }
        }
        if (leaf) {
            if (!(perms & want)) return fail(false, perms);
            const uint64_t page_mask = (uint64_t{1} << (12 + 9 * (level - 1))) - 1;
            t.paddr = (e & addr_mask & ~page_mask) | (gpa & page_mask);
            return t;
        }
        table = e & addr_mask;
    }
    return t;   // not reached
}

void Core::ept_exit(const Translation& t, uint64_t linear, bool linear_valid) {
    if (!non_root_ || (!t.ept_violation && !t.ept_misconfig)) return;
    X::ExitInfo e;
    e.reason = t.ept_misconfig ? EptMisconfig : EptViolation;
    e.qual = t.ept_misconfig ? 0 : t.ept_qual;
    e.gpa = t.gpa;
    e.set_gpa = true;
    if (t.ept_violation && (t.ept_qual & eptq::LinearValid)) {
        e.gla = linear;
        e.set_gla = true;
    }
    X::exit(*this, e);
}

} // namespace hvemu::x86
