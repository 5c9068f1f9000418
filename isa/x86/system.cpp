// Control registers (MOV CRn with the reserved-bit, paging-mode and
// IA-32e activation rules), debug registers, EFER, and port I/O with the
// IOPL / TSS I/O-permission-bitmap check.
#include "isa/x86/paging_bits.hpp"
#include "isa/x86/sys_internal.hpp"

namespace hvemu::x86 {

using namespace paging;

namespace {

constexpr uint64_t kCr0Writable = kCr0Pe | kCr0Mp | kCr0Em | kCr0Ts | kCr0Ne | kCr0Wp | kCr0Am | kCr0Nw | kCr0Cd |
                                  kCr0Pg;
constexpr uint64_t kEferValid = kEferSce | kEferLme | kEferLma | kEferNxe;

bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer) {
    return (cr0 & kCr0Pg) && (cr4 & kCr4Pae) && !(efer & kEferLma);
}

} // namespace

// In VMX operation CR0 and CR4 must keep the bits IA32_VMX_CRn_FIXED0 sets
// and may set only those FIXED1 allows (CR4.VMXE among them).
bool Core::cr_fixed_ok(unsigned cr, uint64_t v) const {
    if (!in_vmx()) return true;
    uint64_t f0 = 0, f1 = ~0ull;
    const uint32_t base = cr == 0 ? 0x486 : 0x488;
    if (!vmx_rdmsr(base, f0) || !vmx_rdmsr(base + 1, f1)) return true;
    if (in_non_root()) return true;   // the guest's fixed bits are the VMCS masks' business (x86-vmx)
    return (v & f0) == f0 && (v & ~f1) == 0;
}

bool Core::write_cr(unsigned n, uint64_t v) {
    if (cpl != 0) {
        raise_gp(0);
        return false;
    }
    switch (n) {
    case 0: {
        if ((v >> 32) || !cr_fixed_ok(0, (v & kCr0Writable) | kCr0Et)) {
            raise_gp(0);
            return false;
        }
        v = (v & kCr0Writable) | kCr0Et;
        if (((v & kCr0Pg) && !(v & kCr0Pe)) || ((v & kCr0Nw) && !(v & kCr0Cd))) {
            raise_gp(0);
            return false;
        }
        uint64_t new_efer = efer;
        const bool pg_on = (v & kCr0Pg) && !(cr0 & kCr0Pg);
        const bool pg_off = !(v & kCr0Pg) && (cr0 & kCr0Pg);
        if (pg_on && (efer & kEferLme)) {
            // IA-32e mode activation: needs PAE and a non-64-bit CS.
            if (!(cr4 & kCr4Pae) || (seg[CS].attr & (1u << 13))) {
                raise_gp(0);
                return false;
            }
            new_efer |= kEferLma;
        }
        if (pg_off && long_mode()) {
            if (code64()) {
                raise_gp(0);
                return false;
            }
            new_efer &= ~kEferLma;
        }
        const uint64_t old_cr0 = cr0, old_efer = efer;
        cr0 = v;
        efer = new_efer;
        if (pae_paging(cr0, cr4, efer) && (pg_on || ((old_cr0 ^ v) & (kCr0Cd | kCr0Nw))) && !load_pdptes()) {
            cr0 = old_cr0;
            efer = old_efer;
            raise_gp(0);
            return false;
        }
        if (!(cr0 & kCr0Pe)) cpl = 0;
        update_context();
        return true;
    }
    case 2:
        cr2 = v;
        return true;
    case 3: {
        const uint64_t maxpa = (uint64_t{1} << cfg_.phys_addr_bits) - 1;
        if (long_mode() && (v & ~maxpa)) {
            raise_gp(0);
            return false;
        }
        if (!long_mode()) v &= 0xffffffffull;
        const uint64_t old = cr3;
        cr3 = v;
        if (pae_paging(cr0, cr4, efer) && !load_pdptes()) {
            cr3 = old;
            raise_gp(0);
            return false;
        }
        flush_tlb(true);   // global pages survive a CR3 load
        return true;
    }
    case 4: {
        if ((v & ~kCr4Valid) || (long_mode() && !(v & kCr4Pae)) || !cr_fixed_ok(4, v)) {
            raise_gp(0);
            return false;
        }
        const uint64_t old = cr4;
        cr4 = v;
        if (pae_paging(cr0, cr4, efer) && ((old ^ v) & (kCr4Pae | kCr4Pse | kCr4Pge | kCr4Smep)) && !load_pdptes()) {
            cr4 = old;
            raise_gp(0);
            return false;
        }
        update_context();
        return true;
    }
    case 8:
        if (v & ~uint64_t{0xf}) {
            raise_gp(0);
            return false;
        }
        // CR8 is the LAPIC's TPR[7:4] (TPR[3:0] cleared); a lower TPR may
        // let a pending interrupt in at the next boundary.
        cr8 = v;
        if (apic_ && apic_->tpr_write(static_cast<uint8_t>(v << 4))) end_block();
        return true;
    default:
        raise_ud();
        return false;
    }
}

bool Core::read_cr(unsigned n, uint64_t& v) {
    if (cpl != 0) {
        raise_gp(0);
        return false;
    }
    switch (n) {
    case 0: v = cr0; return true;
    case 2: v = cr2; return true;
    case 3: v = cr3; return true;
    case 4: v = cr4; return true;
    case 8: {
        uint8_t tpr = 0;
        v = apic_ && apic_->tpr_read(tpr) ? tpr >> 4 : cr8;
        return true;
    }
    default: raise_ud(); return false;
    }
}

// DR4/DR5 alias DR6/DR7 unless CR4.DE makes them #UD.
bool Core::write_dr(unsigned n, uint64_t v) {
    if (n == 4 || n == 5) {
        if (cr4 & kCr4De) {
            raise_ud();
            return false;
        }
        n += 2;
    }
    if (cpl != 0) {
        raise_gp(0);
        return false;
    }
    if (n >= 6 && (v >> 32)) {
        raise_gp(0);
        return false;
    }
    if (n == 6) v = (v & 0x0000e00f) | 0xffff0ff0;
    else if (n == 7) v = (v & 0xffff2bff) | 0x400;
    else if (!code64()) v &= 0xffffffffull;
    dr[n] = v;
    return true;
}

bool Core::read_dr(unsigned n, uint64_t& v) {
    if (n == 4 || n == 5) {
        if (cr4 & kCr4De) {
            raise_ud();
            return false;
        }
        n += 2;
    }
    if (cpl != 0) {
        raise_gp(0);
        return false;
    }
    v = dr[n];
    return true;
}

bool Core::set_efer(uint64_t v) {
    if (v & ~kEferValid) return false;
    if ((cr0 & kCr0Pg) && ((v ^ efer) & kEferLme)) return false;   // LME changes only with paging off
    efer = (v & ~kEferLma) | (efer & kEferLma);                     // LMA is the processor's
    update_context();
    return true;
}

// ---- port I/O -------------------------------------------------------------------------

bool Core::io_permitted(uint16_t port, unsigned width) {
    if (!protected_mode()) return true;
    const unsigned iopl = (rflags & rflags::IOPL) >> 12;
    if (!(rflags & rflags::VM) && cpl <= iopl) return true;
    // The I/O permission bitmap of a 32-bit/64-bit TSS: every bit of the
    // accessed ports must be clear, and within the TSS limit.
    const unsigned type = tr.attr & 0xf;
    if ((type != 9 && type != 0xb) || tr.limit < 0x67) {
        raise_gp(0);
        return false;
    }
    Translation t;
    uint64_t base = 0;
    if (!read_linear(tr.base + 0x66, 2, base, false, t)) {
        raise_translation_fault(t, t.gpa);
        return false;
    }
    const uint64_t at = base + port / 8;
    if (at + 1 > tr.limit) {
        raise_gp(0);
        return false;
    }
    uint64_t bits = 0;
    if (!read_linear(tr.base + at, 2, bits, false, t)) {
        raise_translation_fault(t, t.gpa);
        return false;
    }
    const uint64_t mask = ((1u << width) - 1) << (port & 7);
    if (bits & mask) {
        raise_gp(0);
        return false;
    }
    return true;
}

uint32_t Core::port_in(uint16_t port, unsigned width) {
    const uint32_t ones = width >= 4 ? 0xffffffffu : (1u << (width * 8)) - 1;
    uint32_t v = 0;
    if (!io_ || !io_->io_read(port, width, v)) return ones;   // nothing there: all ones, as a PC
    return v & ones;
}

void Core::port_out(uint16_t port, unsigned width, uint32_t value) {
    if (io_) io_->io_write(port, width, value);
}

} // namespace hvemu::x86
