// The CSR file: access permission (privilege, read-only, V=1 redirection to
// the VS CSRs, virtual-instruction vs illegal-instruction), the WARL rules
// of every implemented CSR, and the CSR instructions' read-modify-write.
#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {

constexpr unsigned kGeilen = 7;   // guest external interrupt lines 1..7

enum class Denied { None, Illegal, Virtual };

// V=1 accesses to supervisor CSRs go to their VS counterparts.
uint16_t redirect_vs(uint16_t a) {
    switch (a) {
    case csr::sstatus: return csr::vsstatus;
    case csr::sie: return csr::vsie;
    case csr::stvec: return csr::vstvec;
    case csr::sscratch: return csr::vsscratch;
    case csr::sepc: return csr::vsepc;
    case csr::scause: return csr::vscause;
    case csr::stval: return csr::vstval;
    case csr::sip: return csr::vsip;
    case csr::satp: return csr::vsatp;
    case csr::stimecmp: return csr::vstimecmp;
    default: return a;
    }
}

bool is_counter(uint16_t a) { return a >= csr::cycle && a <= csr::hpmcounter31; }

constexpr uint64_t kMstatusWritable = mstatus::SIE | mstatus::MIE | mstatus::SPIE | mstatus::MPIE | mstatus::SPP |
                                      mstatus::MPP | mstatus::FS | mstatus::MPRV | mstatus::SUM | mstatus::MXR |
                                      mstatus::TVM | mstatus::TW | mstatus::TSR | mstatus::MPV | mstatus::GVA;
constexpr uint64_t kVsstatusWritable = mstatus::SIE | mstatus::SPIE | mstatus::SPP | mstatus::FS | mstatus::SUM |
                                       mstatus::MXR;
constexpr uint64_t kHstatusWritable = hstatus::GVA | hstatus::SPV | hstatus::SPVP | hstatus::HU | hstatus::VGEIN |
                                      hstatus::VTVM | hstatus::VTW | hstatus::VTSR;
// Exceptions HS may take (medeleg) and VS may take (hedeleg).
constexpr uint64_t kMedelegWritable = 0xB7FFull | (0xFull << 20);        // all but 11 (ecall M) and 14
constexpr uint64_t kHedelegWritable = 0xB1FFull;                           // 0-8, 12, 13, 15
constexpr uint64_t kMieWritable = irq::S_MASK | irq::M_MASK | irq::H_MASK;
constexpr uint64_t kSipWritable = irq::bit(irq::SSI);

uint64_t with_sd(uint64_t s) {
    const bool dirty = ((s & mstatus::FS) == mstatus::FS) || ((s & mstatus::XS) == mstatus::XS) ||
                       ((s & mstatus::VS) == mstatus::VS);
    return dirty ? (s | mstatus::SD) : (s & ~mstatus::SD);
}

bool atp_mode_ok(uint64_t mode) {
    return mode == atp::MODE_BARE || mode == atp::MODE_SV39 || mode == atp::MODE_SV48;
}

} // namespace

bool Hart::fs_enabled() const {
    if ((csr.mstatus & mstatus::FS) == 0) return false;
    return !virt || (csr.vsstatus & mstatus::FS) != 0;
}

void Hart::mark_fs_dirty() {
    csr.mstatus |= mstatus::FS | mstatus::SD;
    if (virt) csr.vsstatus |= mstatus::FS | mstatus::SD;
}

uint8_t Hart::effective_rm(uint8_t rm_field, bool& ok) const {
    const uint8_t r = rm_field == rm::DYN ? static_cast<uint8_t>(csr.frm) : rm_field;
    ok = r <= rm::RMM;
    return r;
}

uint64_t Hart::read_csr(uint16_t addr) {
    uint64_t v = 0;
    if (!csr_read(addr, v, Priv::M, false)) return 0;
    return v;
}

// Permission check for an access from (p, v). Returns what the access
// raises, if anything, and the CSR actually addressed.
static Denied check_access(const Hart& h, uint16_t& a, bool write, Priv p, bool v) {
    const unsigned level = (a >> 8) & 3;      // lowest privilege: 0 U, 1 S, 2 H/VS, 3 M
    const bool read_only = (a >> 10) == 3;
    if (write && read_only) return Denied::Illegal;
    const auto& c = h.csr;
    if (level == 3 && p != Priv::M) return Denied::Illegal;
    if (level == 2) {
        if (p == Priv::U && !v) return Denied::Illegal;
        if (v) return Denied::Virtual;                   // HS would be allowed: virtual instruction
    }
    if (level == 1) {
        if (p == Priv::U) return v ? Denied::Virtual : Denied::Illegal;
    }
    // Counters: mcounteren, hcounteren, scounteren.
    if (is_counter(a)) {
        const uint64_t bit = 1ull << (a - csr::cycle);
        if (p != Priv::M && !(c.mcounteren & bit)) return Denied::Illegal;
        if (v && (!(c.hcounteren & bit) || (p == Priv::U && !(c.scounteren & bit)))) return Denied::Virtual;
        if (!v && p == Priv::U && !(c.scounteren & bit)) return Denied::Illegal;
    }
    // Floating-point CSRs need FS (and vsstatus.FS when V=1).
    if (a == csr::fflags || a == csr::frm || a == csr::fcsr) {
        if (!h.fs_enabled()) return Denied::Illegal;
    }
    // Sstc: stimecmp needs menvcfg.STCE and mcounteren.TM; vstimecmp (and
    // stimecmp from VS) also henvcfg.STCE and hcounteren.TM.
    if (a == csr::stimecmp || a == csr::vstimecmp) {
        if (p != Priv::M && (!(c.menvcfg & menvcfg::STCE) || !(c.mcounteren & 2))) return Denied::Illegal;
        if (v && (!(c.henvcfg & menvcfg::STCE) || !(c.hcounteren & 2))) return Denied::Virtual;
    }
    // satp under TVM/VTVM; hgatp under TVM.
    if (a == csr::satp) {
        if (!v && p == Priv::S && (c.mstatus & mstatus::TVM)) return Denied::Illegal;
        if (v && p == Priv::S && (c.hstatus & hstatus::VTVM)) return Denied::Virtual;
    }
    if (a == csr::hgatp && !v && p == Priv::S && (c.mstatus & mstatus::TVM)) return Denied::Illegal;
    if (v && level == 1) a = redirect_vs(a);
    return Denied::None;
}

// Raw read of an implemented CSR (no permission checks). false: absent.
static bool read_raw(Hart& h, uint16_t a, uint64_t& v) {
    auto& c = h.csr;
    switch (a) {
    case csr::fflags: v = c.fflags; return true;
    case csr::frm: v = c.frm; return true;
    case csr::fcsr: v = c.frm << 5 | c.fflags; return true;
    case csr::cycle: case csr::mcycle: v = h.cycles() + c.mcycle_offset; return true;
    case csr::instret: case csr::minstret: v = h.instret() + c.minstret_offset; return true;
    case csr::time: v = h.virt ? h.time() + c.htimedelta : h.time(); return true;
    case csr::sstatus: v = with_sd(c.mstatus & mstatus::SSTATUS_MASK); return true;
    case csr::sie: v = c.mie & c.mideleg & irq::S_MASK; return true;
    case csr::stvec: v = c.stvec; return true;
    case csr::scounteren: v = c.scounteren; return true;
    case csr::senvcfg: v = c.senvcfg; return true;
    case csr::sscratch: v = c.sscratch; return true;
    case csr::sepc: v = c.sepc; return true;
    case csr::scause: v = c.scause; return true;
    case csr::stval: v = c.stval; return true;
    case csr::sip: v = h.mip() & c.mideleg & irq::S_MASK; return true;
    case csr::stimecmp: v = c.stimecmp; return true;
    case csr::satp: v = c.satp; return true;
    case csr::hstatus: v = c.hstatus; return true;
    case csr::hedeleg: v = c.hedeleg; return true;
    case csr::hideleg: v = c.hideleg; return true;
    case csr::hie: v = c.mie & irq::H_MASK; return true;
    case csr::htimedelta: v = c.htimedelta; return true;
    case csr::hcounteren: v = c.hcounteren; return true;
    case csr::hgeie: v = c.hgeie; return true;
    case csr::henvcfg: v = c.henvcfg; return true;
    case csr::htval: v = c.htval; return true;
    case csr::hip: v = h.mip() & irq::H_MASK; return true;
    case csr::hvip: v = c.hvip; return true;
    case csr::htinst: v = c.htinst; return true;
    case csr::hgatp: v = c.hgatp; return true;
    case csr::hgeip: v = c.hgeip; return true;
    case csr::vsstatus: v = with_sd(c.vsstatus); return true;
    case csr::vsie: v = (c.mie & c.hideleg & irq::VS_MASK) >> 1; return true;
    case csr::vstvec: v = c.vstvec; return true;
    case csr::vsscratch: v = c.vsscratch; return true;
    case csr::vsepc: v = c.vsepc; return true;
    case csr::vscause: v = c.vscause; return true;
    case csr::vstval: v = c.vstval; return true;
    case csr::vsip: v = (h.mip() & c.hideleg & irq::VS_MASK) >> 1; return true;
    case csr::vstimecmp: v = c.vstimecmp; return true;
    case csr::vsatp: v = c.vsatp; return true;
    case csr::mvendorid: case csr::marchid: case csr::mimpid: case csr::mconfigptr: v = 0; return true;
    case csr::mhartid: v = h.hartid(); return true;
    case csr::mstatus: v = with_sd(c.mstatus); return true;
    case csr::misa: v = c.misa; return true;
    case csr::medeleg: v = c.medeleg; return true;
    case csr::mideleg: v = c.mideleg; return true;
    case csr::mie: v = c.mie; return true;
    case csr::mtvec: v = c.mtvec; return true;
    case csr::mcounteren: v = c.mcounteren; return true;
    case csr::menvcfg: v = c.menvcfg; return true;
    case csr::mcountinhibit: v = 0; return true;
    case csr::mscratch: v = c.mscratch; return true;
    case csr::mepc: v = c.mepc; return true;
    case csr::mcause: v = c.mcause; return true;
    case csr::mtval: v = c.mtval; return true;
    case csr::mip: v = h.mip(); return true;
    case csr::mtinst: v = c.mtinst; return true;
    case csr::mtval2: v = c.mtval2; return true;
    default: break;
    }
    if ((a >= csr::hpmcounter3 && a <= csr::hpmcounter31) || (a >= csr::mhpmcounter3 && a <= csr::mhpmcounter31) ||
        (a >= csr::mhpmevent3 && a <= csr::mhpmevent31)) {
        v = 0;   // no programmable counters: read-only zero (WARL)
        return true;
    }
    if (a >= csr::pmpcfg0 && a <= csr::pmpcfg15) {
        const unsigned n = a - csr::pmpcfg0;
        if (n & 1) return false;               // RV64: odd pmpcfg registers do not exist
        if (n * 4 >= h.config().pmp_entries && h.config().pmp_entries != 0) { v = 0; return true; }
        v = 0;
        for (unsigned i = 0; i < 8 && n * 4 + i < h.config().pmp_entries; ++i)
            v |= uint64_t{c.pmpcfg[n * 4 + i]} << (8 * i);
        return true;
    }
    if (a >= csr::pmpaddr0 && a <= csr::pmpaddr63) {
        const unsigned n = a - csr::pmpaddr0;
        v = n < h.config().pmp_entries ? c.pmpaddr[n] : 0;
        return true;
    }
    return false;
}

static bool pmp_locked(const Hart& h, unsigned i) { return h.csr.pmpcfg[i] & 0x80; }

// Raw write with the WARL rules. false: absent or read-only.
static bool write_raw(Hart& h, uint16_t a, uint64_t v) {
    auto& c = h.csr;
    switch (a) {
    case csr::fflags: c.fflags = v & 0x1f; h.mark_fs_dirty(); return true;
    case csr::frm: c.frm = v & 7; h.mark_fs_dirty(); return true;
    case csr::fcsr: c.fflags = v & 0x1f; c.frm = (v >> 5) & 7; h.mark_fs_dirty(); return true;
    case csr::mcycle: c.mcycle_offset = v - h.cycles(); return true;
    case csr::minstret:
        // The write happens before this instruction retires: compensate.
        c.minstret_offset = v - h.instret() - 1;
        return true;
    case csr::sstatus: {
        const uint64_t m = kMstatusWritable & mstatus::SSTATUS_MASK;
        c.mstatus = (c.mstatus & ~m) | (v & m);
        h.update_context();
        return true;
    }
    case csr::sie: {
        const uint64_t m = c.mideleg & irq::S_MASK;
        c.mie = (c.mie & ~m) | (v & m);
        return true;
    }
    case csr::stvec: if ((v & 3) < 2) c.stvec = v; return true;
    case csr::scounteren: c.scounteren = v & 0xffffffff; return true;
    case csr::senvcfg: c.senvcfg = v & menvcfg::FIOM; return true;
    case csr::sscratch: c.sscratch = v; return true;
    case csr::sepc: c.sepc = v & ~1ull; return true;
    case csr::scause: c.scause = v; return true;
    case csr::stval: c.stval = v; return true;
    case csr::sip: {
        const uint64_t m = c.mideleg & kSipWritable;
        c.mip_sw = (c.mip_sw & ~m) | (v & m);
        return true;
    }
    case csr::stimecmp: c.stimecmp = v; return true;
    case csr::satp: case csr::vsatp: {
        const uint64_t mode = v >> atp::MODE_SHIFT;
        if (!atp_mode_ok(mode)) return true;   // unsupported mode: the write is ignored
        uint64_t& reg = a == csr::satp ? c.satp : c.vsatp;
        const uint64_t nv = v & ((0xFull << atp::MODE_SHIFT) | (atp::ASID_MASK << atp::ASID_SHIFT) | atp::PPN_MASK);
        const bool same_tag = ((reg ^ nv) >> atp::ASID_SHIFT) == 0;
        if (same_tag && reg != nv) h.flush_tlb();   // new root under the same ASID: drop stale entries
        reg = nv;
        h.update_context();
        return true;
    }
    case csr::hstatus: {
        uint64_t nv = (c.hstatus & ~kHstatusWritable) | (v & kHstatusWritable);
        if (((nv & hstatus::VGEIN) >> hstatus::VGEIN_SHIFT) > kGeilen) nv = (nv & ~hstatus::VGEIN) | (c.hstatus & hstatus::VGEIN);
        c.hstatus = nv;
        h.update_context();
        return true;
    }
    case csr::hedeleg: c.hedeleg = v & kHedelegWritable; return true;
    case csr::hideleg: c.hideleg = v & irq::VS_MASK; return true;
    case csr::hie: c.mie = (c.mie & ~irq::H_MASK) | (v & irq::H_MASK); return true;
    case csr::htimedelta: c.htimedelta = v; return true;
    case csr::hcounteren: c.hcounteren = v & 0xffffffff; return true;
    case csr::hgeie: c.hgeie = v & (((1ull << kGeilen) - 1) << 1); return true;
    case csr::henvcfg: c.henvcfg = v & (menvcfg::FIOM | (c.menvcfg & menvcfg::STCE)); return true;
    case csr::htval: c.htval = v; return true;
    case csr::hip: c.hvip = (c.hvip & ~irq::bit(irq::VSSI)) | (v & irq::bit(irq::VSSI)); return true;
    case csr::hvip: c.hvip = v & irq::VS_MASK; return true;
    case csr::htinst: c.htinst = v; return true;
    case csr::hgatp: {
        const uint64_t mode = v >> atp::MODE_SHIFT;
        if (!atp_mode_ok(mode)) return true;
        const uint64_t nv = v & ((0xFull << atp::MODE_SHIFT) | (atp::VMID_MASK << atp::ASID_SHIFT) | (atp::PPN_MASK & ~3ull));
        const bool same_tag = ((c.hgatp ^ nv) >> atp::ASID_SHIFT) == 0;
        if (same_tag && c.hgatp != nv) h.flush_tlb();
        c.hgatp = nv;
        h.update_context();
        return true;
    }
    case csr::vsstatus:
        c.vsstatus = (c.vsstatus & ~kVsstatusWritable) | (v & kVsstatusWritable);
        h.update_context();
        return true;
    case csr::vsie: {
        const uint64_t m = c.hideleg & irq::VS_MASK;
        c.mie = (c.mie & ~m) | ((v << 1) & m);
        return true;
    }
    case csr::vstvec: if ((v & 3) < 2) c.vstvec = v; return true;
    case csr::vsscratch: c.vsscratch = v; return true;
    case csr::vsepc: c.vsepc = v & ~1ull; return true;
    case csr::vscause: c.vscause = v; return true;
    case csr::vstval: c.vstval = v; return true;
    case csr::vsip: {
        const uint64_t m = c.hideleg & irq::bit(irq::VSSI);
        c.hvip = (c.hvip & ~m) | ((v << 1) & m);
        return true;
    }
    case csr::vstimecmp: c.vstimecmp = v; return true;
    case csr::mstatus: {
        uint64_t nv = (c.mstatus & ~kMstatusWritable) | (v & kMstatusWritable);
        if (((nv & mstatus::MPP) >> mstatus::MPP_SHIFT) == 2) nv = (nv & ~mstatus::MPP) | (c.mstatus & mstatus::MPP);
        c.mstatus = nv;
        h.update_context();
        return true;
    }
    case csr::misa: return true;   // WARL: extensions cannot be switched off
    case csr::medeleg: c.medeleg = v & kMedelegWritable; return true;
    case csr::mideleg: c.mideleg = (v & irq::S_MASK) | irq::H_MASK; return true;
    case csr::mie: c.mie = v & kMieWritable; return true;
    case csr::mtvec: if ((v & 3) < 2) c.mtvec = v; return true;
    case csr::mcounteren: c.mcounteren = v & 0xffffffff; return true;
    case csr::menvcfg:
        c.menvcfg = v & (menvcfg::FIOM | menvcfg::STCE);
        if (!(c.menvcfg & menvcfg::STCE)) c.henvcfg &= ~menvcfg::STCE;
        return true;
    case csr::mcountinhibit: return true;
    case csr::mscratch: c.mscratch = v; return true;
    case csr::mepc: c.mepc = v & ~1ull; return true;
    case csr::mcause: c.mcause = v; return true;
    case csr::mtval: c.mtval = v; return true;
    case csr::mip: {
        uint64_t m = irq::bit(irq::SSI) | irq::bit(irq::SEI);
        if (!(c.menvcfg & menvcfg::STCE)) m |= irq::bit(irq::STI);
        c.mip_sw = (c.mip_sw & ~m) | (v & m);
        c.hvip = (c.hvip & ~irq::bit(irq::VSSI)) | (v & irq::bit(irq::VSSI));
        return true;
    }
    case csr::mtinst: c.mtinst = v; return true;
    case csr::mtval2: c.mtval2 = v; return true;
    case csr::mvendorid: case csr::marchid: case csr::mimpid: case csr::mhartid: case csr::mconfigptr:
        return false;
    default: break;
    }
    if ((a >= csr::mhpmcounter3 && a <= csr::mhpmcounter31) || (a >= csr::mhpmevent3 && a <= csr::mhpmevent31))
        return true;
    if (a >= csr::pmpcfg0 && a <= csr::pmpcfg15) {
        const unsigned n = a - csr::pmpcfg0;
        if (n & 1) return false;
        for (unsigned i = 0; i < 8; ++i) {
            const unsigned e = n * 4 + i;
            if (e >= h.config().pmp_entries || pmp_locked(h, e)) continue;
            uint8_t cfg = static_cast<uint8_t>(v >> (8 * i)) & 0x9f;   // bits 6:5 reserved
            if ((cfg & 3) == 2) cfg &= ~2;                                // R=0 W=1 is reserved
            c.pmpcfg[e] = cfg;
        }
        h.flush_tlb();
        return true;
    }
    if (a >= csr::pmpaddr0 && a <= csr::pmpaddr63) {
        const unsigned n = a - csr::pmpaddr0;
        if (n >= h.config().pmp_entries) return true;
        if (pmp_locked(h, n)) return true;
        // A locked TOR entry above also locks this address.
        if (n + 1 < h.config().pmp_entries && pmp_locked(h, n + 1) && ((c.pmpcfg[n + 1] >> 3) & 3) == 1) return true;
        c.pmpaddr[n] = v & ((1ull << 54) - 1);
        h.flush_tlb();
        return true;
    }
    return false;
}

static bool exists(Hart& h, uint16_t a) {
    uint64_t dummy;
    return read_raw(h, a, dummy);   // reads have no side effects
}

bool Hart::csr_read(uint16_t addr, uint64_t& value, Priv as, bool as_virt) {
    uint16_t a = addr;
    if (!exists(*this, a)) return false;
    if (check_access(*this, a, false, as, as_virt) != Denied::None) return false;
    return read_raw(*this, a, value);
}

bool Hart::csr_write(uint16_t addr, uint64_t value, Priv as, bool as_virt) {
    uint16_t a = addr;
    if (!exists(*this, a)) return false;
    if (check_access(*this, a, true, as, as_virt) != Denied::None) return false;
    const bool ok = write_raw(*this, a, value);
    end_block();
    return ok;
}

// op: 0 write, 1 set, 2 clear. Raises the exception itself; false then.
bool Hart::csr_op(uint16_t addr, uint64_t wval, int op, bool do_write, uint64_t& old) {
    uint16_t a = addr;
    if (!exists(*this, a)) {
        raise_illegal();
        return false;
    }
    const Denied d = check_access(*this, a, do_write, priv, virt);
    if (d == Denied::Illegal) { raise_illegal(); return false; }
    if (d == Denied::Virtual) { raise_virtual(); return false; }
    uint64_t cur_v = 0;
    read_raw(*this, a, cur_v);
    old = cur_v;
    if (do_write) {
        // CSRRS/CSRRC on mip modify the software-writable SEIP, not the
        // value ORed with the external line that rd receives.
        uint64_t base = cur_v;
        if (a == csr::mip) base = (base & ~irq::bit(irq::SEI)) | (csr.mip_sw & irq::bit(irq::SEI));
        const uint64_t nv = op == 0 ? wval : op == 1 ? (base | wval) : (base & ~wval);
        if (!write_raw(*this, a, nv)) {
            raise_illegal();
            return false;
        }
        end_block();
    }
    return true;
}

} // namespace hvemu::rv
