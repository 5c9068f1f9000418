// The GICv3 CPU interface of the PE (IHI 0069): the physical interface
// (ICC_*), the virtual interface that EL1 reaches through the same
// encodings when HCR_EL2.IMO/FMO are set (ICV_*, served from the list
// registers without leaving the guest), and the EL2 controls (ICH_*).
//
// The GIC behind the port has security disabled (GICD_CTLR.DS = 1, no EL3)
// and every interrupt it holds is Group 1: the Group 0 registers exist and
// keep what software writes, but no Group 0 interrupt is ever pending, so
// ICC_IAR0/HPPIR0 read 1023 and the Group 0 SGI forms (SGI0R, and ASGI1R,
// which generates Group 0 SGIs when DS = 1) reach no PE. ICC_SRE_ELx.SRE
// is fixed at 1. Priorities have 5 bits (7:3) in both interfaces, as
// GIC-500 and QEMU's default: one active priority register per group, bit
// n standing for group priority n << 3.
#include <algorithm>

#include "isa/arm64/gic_regs.hpp"
#include "isa/arm64/pe.hpp"

namespace hvemu::arm {

using namespace gic;
using GicAccess = Pe::GicAccess;

namespace {

constexpr unsigned kPriBits = 5;
constexpr uint32_t kPriMask = (0xffu << (8 - kPriBits)) & 0xff;   // implemented priority bits
constexpr unsigned kAprShift = 8 - kPriBits;                      // group priority -> APR bit
constexpr unsigned kAprRegs = 1;                                  // AP0R0/AP1R0 only with 5 bits
constexpr unsigned kMinBpr0 = 7 - kPriBits;                       // 2
constexpr unsigned kMinBpr1 = kMinBpr0 + 1;                       // 3
constexpr uint32_t kIdle = 0xff;                                  // running priority when idle

// ICC_CTLR_EL1/ICV_CTLR_EL1 read-only part: A3V, IDbits 0 (16 bits), PRIbits.
constexpr uint64_t kCtlrFixed = CTLR_A3V | (uint64_t{kPriBits - 1} << CTLR_PRIBITS_SHIFT);
constexpr uint64_t kSreEl1 = SRE_SRE | SRE_DFB | SRE_DIB;
constexpr uint64_t kSreEl2 = kSreEl1 | SRE_ENABLE;
constexpr uint64_t kHcrWritable = HCR_EN | HCR_UIE | HCR_LRENPIE | HCR_NPIE | HCR_VGRP0EIE |
                                  HCR_VGRP0DIE | HCR_VGRP1EIE | HCR_VGRP1DIE | HCR_TC |
                                  HCR_TALL0 | HCR_TALL1 | HCR_TDIR | HCR_EOICOUNT;
constexpr uint64_t kLrWritable = LR_VINTID | LR_PINTID | (uint64_t{kPriMask} << LR_PRIORITY_SHIFT) |
                                 LR_GROUP | LR_HW | LR_STATE;
constexpr uint64_t kVmcrWritable = VMCR_VENG0 | VMCR_VENG1 | VMCR_VCBPR | VMCR_VEOIM |
                                   (7ull << VMCR_VBPR1_SHIFT) | (7ull << VMCR_VBPR0_SHIFT) |
                                   (uint64_t{kPriMask} << VMCR_VPMR_SHIFT);
// The maintenance interrupt enables that depend on no list register.
constexpr uint64_t kHcrControlIrqs = HCR_LRENPIE | HCR_VGRP0EIE | HCR_VGRP0DIE | HCR_VGRP1EIE | HCR_VGRP1DIE;
// ListRegs is filled in per PE; 16-bit IDs, no SEIS, A3V, TDIR supported,
// no direct vLPI injection (nV4).
constexpr uint64_t kVtrFixed = VTR_TDS | VTR_NV4 | VTR_A3V |
                               (uint64_t{kPriBits - 1} << VTR_PREBITS_SHIFT) |
                               (uint64_t{kPriBits - 1} << VTR_PRIBITS_SHIFT);

// ---- The register table -----------------------------------------------------

enum class Rg : uint8_t {
    IAR, EOIR, HPPIR, BPR, AP, DIR, RPR, SGI1R, SGI_G0, CTLR, SRE_EL1, IGRPEN, PMR,
    SRE_EL2, ABSENT, ICH_AP, ICH_HCR, ICH_VTR, ICH_MISR, ICH_EISR, ICH_ELRSR, ICH_VMCR, ICH_LR,
};
// Which EL1 trap (ICH_HCR_EL2) and redirection (HCR_EL2) rules apply.
enum class Rule : uint8_t { G0, G1, Common, Dir, Sgi, None };
enum : uint8_t { R = 1, W = 2, RW = 3 };

struct RegDesc {
    uint32_t enc;
    Rg reg;
    uint8_t n;        // index (APR, LR); ICH_AP: 4 + n for AP1R
    uint8_t rw;
    uint8_t min_el;   // 3: not implemented here (EL3, FEAT_NMI): UNDEFINED
    Rule rule;
};

constexpr RegDesc kRegs[] = {
    {ICC_PMR_EL1,       Rg::PMR,       0, RW, 1, Rule::Common},
    {ICC_IAR0_EL1,      Rg::IAR,       0, R,  1, Rule::G0},
    {ICC_EOIR0_EL1,     Rg::EOIR,      0, W,  1, Rule::G0},
    {ICC_HPPIR0_EL1,    Rg::HPPIR,     0, R,  1, Rule::G0},
    {ICC_BPR0_EL1,      Rg::BPR,       0, RW, 1, Rule::G0},
    {ICC_AP0R0_EL1,     Rg::AP,        0, RW, 1, Rule::G0},
    {ICC_AP0R0_EL1 + 1, Rg::AP,        1, RW, 1, Rule::G0},
    {ICC_AP0R0_EL1 + 2, Rg::AP,        2, RW, 1, Rule::G0},
    {ICC_AP0R0_EL1 + 3, Rg::AP,        3, RW, 1, Rule::G0},
    {ICC_AP1R0_EL1,     Rg::AP,        0, RW, 1, Rule::G1},
    {ICC_AP1R0_EL1 + 1, Rg::AP,        1, RW, 1, Rule::G1},
    {ICC_AP1R0_EL1 + 2, Rg::AP,        2, RW, 1, Rule::G1},
    {ICC_AP1R0_EL1 + 3, Rg::AP,        3, RW, 1, Rule::G1},
    {ICC_NMIAR1_EL1,    Rg::ABSENT,    0, R,  3, Rule::None},
    {ICC_DIR_EL1,       Rg::DIR,       0, W,  1, Rule::Dir},
    {ICC_RPR_EL1,       Rg::RPR,       0, R,  1, Rule::Common},
    {ICC_SGI1R_EL1,     Rg::SGI1R,     0, W,  1, Rule::Sgi},
    {ICC_ASGI1R_EL1,    Rg::SGI_G0,    0, W,  1, Rule::Sgi},
    {ICC_SGI0R_EL1,     Rg::SGI_G0,    0, W,  1, Rule::Sgi},
    {ICC_IAR1_EL1,      Rg::IAR,       0, R,  1, Rule::G1},
    {ICC_EOIR1_EL1,     Rg::EOIR,      0, W,  1, Rule::G1},
    {ICC_HPPIR1_EL1,    Rg::HPPIR,     0, R,  1, Rule::G1},
    {ICC_BPR1_EL1,      Rg::BPR,       0, RW, 1, Rule::G1},
    {ICC_CTLR_EL1,      Rg::CTLR,      0, RW, 1, Rule::Common},
    {ICC_SRE_EL1,       Rg::SRE_EL1,   0, RW, 1, Rule::None},
    {ICC_IGRPEN0_EL1,   Rg::IGRPEN,    0, RW, 1, Rule::G0},
    {ICC_IGRPEN1_EL1,   Rg::IGRPEN,    0, RW, 1, Rule::G1},
    {ICC_SRE_EL2,       Rg::SRE_EL2,   0, RW, 2, Rule::None},
    {ICC_CTLR_EL3,      Rg::ABSENT,    0, RW, 3, Rule::None},
    {ICC_SRE_EL3,       Rg::ABSENT,    0, RW, 3, Rule::None},
    {ICC_IGRPEN1_EL3,   Rg::ABSENT,    0, RW, 3, Rule::None},
    {ICH_AP0R0_EL2,     Rg::ICH_AP,    0, RW, 2, Rule::None},
    {ICH_AP0R0_EL2 + 1, Rg::ICH_AP,    1, RW, 2, Rule::None},
    {ICH_AP0R0_EL2 + 2, Rg::ICH_AP,    2, RW, 2, Rule::None},
    {ICH_AP0R0_EL2 + 3, Rg::ICH_AP,    3, RW, 2, Rule::None},
    {ICH_AP1R0_EL2,     Rg::ICH_AP,    4, RW, 2, Rule::None},
    {ICH_AP1R0_EL2 + 1, Rg::ICH_AP,    5, RW, 2, Rule::None},
    {ICH_AP1R0_EL2 + 2, Rg::ICH_AP,    6, RW, 2, Rule::None},
    {ICH_AP1R0_EL2 + 3, Rg::ICH_AP,    7, RW, 2, Rule::None},
    {ICH_HCR_EL2,       Rg::ICH_HCR,   0, RW, 2, Rule::None},
    {ICH_VTR_EL2,       Rg::ICH_VTR,   0, R,  2, Rule::None},
    {ICH_MISR_EL2,      Rg::ICH_MISR,  0, R,  2, Rule::None},
    {ICH_EISR_EL2,      Rg::ICH_EISR,  0, R,  2, Rule::None},
    {ICH_ELRSR_EL2,     Rg::ICH_ELRSR, 0, R,  2, Rule::None},
    {ICH_VMCR_EL2,      Rg::ICH_VMCR,  0, RW, 2, Rule::None},
};

const RegDesc* find_reg(uint32_t enc, RegDesc& lr_slot) {
    for (const RegDesc& d : kRegs)
        if (d.enc == enc) return &d;
    for (unsigned n = 0; n < 16; ++n) {
        if (enc == ich_lr_enc(n)) {
            lr_slot = {enc, Rg::ICH_LR, uint8_t(n), RW, 2, Rule::None};
            return &lr_slot;
        }
    }
    return nullptr;
}

// The interrupt group a per-group register (IAR, EOIR, HPPIR, BPR, AP,
// IGRPEN) belongs to.
unsigned group_of(const RegDesc& d) { return d.rule == Rule::G1 ? 1 : 0; }

// ---- Priority arithmetic ------------------------------------------------------

bool is_special(uint32_t intid) { return intid >= 1020 && intid <= 1023; }

// The running priority: the lowest set bit of the active priority registers.
uint32_t running_priority(uint64_t ap0, uint64_t ap1) {
    uint32_t a = uint32_t(ap0 | ap1);
    return a ? uint32_t(__builtin_ctz(a)) << kAprShift : kIdle;
}

// The group-priority mask for a binary point as BPR0 defines it (bits
// bpr..0 are subpriority); BPR1 values are one larger for the same split.
uint32_t group_mask_bpr0(unsigned bpr) { return (~0u << (bpr + 1)) & 0xff; }

// Drop the priority of the highest active priority in `ap` (its lowest set bit).
void drop_lowest(uint64_t& ap) { ap &= ap - 1; }

unsigned lowest_bit(uint64_t ap) { return ap ? unsigned(__builtin_ctzll(ap)) : 64; }

uint64_t field(uint64_t v, unsigned shift, uint64_t mask) { return (v >> shift) & mask; }

uint32_t lr_vintid(uint64_t lr) { return uint32_t(lr & LR_VINTID); }
uint32_t lr_pintid(uint64_t lr) { return uint32_t(field(lr, LR_PINTID_SHIFT, 0x1fff)); }
uint32_t lr_priority(uint64_t lr) { return uint32_t(field(lr, LR_PRIORITY_SHIFT, 0xff)); }
unsigned lr_group(uint64_t lr) { return (lr & LR_GROUP) ? 1 : 0; }
uint64_t lr_state(uint64_t lr) { return lr & LR_STATE; }

} // namespace

// ---- The CPU interface, over the PE's registers and its GIC port ----------------

class GicCpuif {
public:
    explicit GicCpuif(Pe& pe) : pe_(pe), s_(pe.sys), port_(pe.gic()) {}

    GicAccess access(uint32_t enc, bool write, uint64_t& value, unsigned el);
    // What an acknowledge would return now, read-only (traces).
    uint32_t signalled_intid(bool virt, unsigned group) const {
        if (virt) return static_cast<uint32_t>(virt_hppir(group));
        return port_ && group == 1 ? port_->highest_pending().intid : kIntidNone;
    }
    bool irq_line();
    bool virtual_line(unsigned group);
    void update_maintenance();

private:
    bool traps_to_el2(const RegDesc& d) const;
    bool virtualized(const RegDesc& d) const;
    void physical(const RegDesc& d, bool write, uint64_t& value);
    void virtual_cpuif(const RegDesc& d, bool write, uint64_t& value);
    void hyp(const RegDesc& d, bool write, uint64_t& value);

    // physical interface
    unsigned bpr0() const { return std::max<unsigned>(s_.icc_bpr0 & 7, kMinBpr0); }
    unsigned bpr1() const { return std::max<unsigned>(s_.icc_bpr1 & 7, kMinBpr1); }
    uint32_t phys_group1_mask() const;
    bool phys_can_signal(const GicPending& p) const;
    uint64_t phys_hppir1();
    uint64_t phys_iar1();
    void phys_eoir1(uint32_t intid);
    void phys_dir(uint32_t intid);

    // virtual interface
    unsigned list_regs() const { return std::clamp(pe_.config().list_regs, 1u, 16u); }
    unsigned vbpr0() const { return std::max<unsigned>(field(s_.ich_vmcr, VMCR_VBPR0_SHIFT, 7), kMinBpr0); }
    unsigned vbpr1() const { return std::max<unsigned>(field(s_.ich_vmcr, VMCR_VBPR1_SHIFT, 7), kMinBpr1); }
    uint32_t vpmr() const { return uint32_t(field(s_.ich_vmcr, VMCR_VPMR_SHIFT, 0xff)); }
    uint32_t virt_group_mask(unsigned group) const;
    uint32_t virt_running_priority() const { return running_priority(s_.ich_ap0r[0], s_.ich_ap1r[0]); }
    uint64_t& virt_apr(unsigned group) { return group ? s_.ich_ap1r[0] : s_.ich_ap0r[0]; }
    bool group_enabled(unsigned group) const { return s_.ich_vmcr & (group ? VMCR_VENG1 : VMCR_VENG0); }
    int highest_pending_lr() const;
    bool virt_can_signal(uint64_t lr) const;
    int find_active_lr(uint32_t intid) const;
    void deactivate_lr(unsigned n);
    void count_eoi();
    uint64_t virt_iar(unsigned group);
    uint64_t virt_hppir(unsigned group) const;
    void virt_eoir(unsigned group, uint32_t intid);
    void virt_dir(uint32_t intid);
    uint64_t virt_bpr(unsigned group) const;
    void set_virt_bpr(unsigned group, uint64_t value);
    uint64_t vmcr() const;
    void set_vmcr(uint64_t value);

    // maintenance
    uint64_t eisr() const;
    uint64_t elrsr() const;
    uint64_t misr() const;
    uint64_t misr_controls() const;   // the MISR bits that depend on no list register
    bool maintenance_level() const;

    Pe& pe_;
    SysRegs& s_;
    GicCpuPort* port_;
};

GicAccess GicCpuif::access(uint32_t enc, bool write, uint64_t& value, unsigned el) {
    RegDesc lr_slot{};
    const RegDesc* d = find_reg(enc, lr_slot);
    if (!d) return GicAccess::NotGic;
    if (el < d->min_el || !(d->rw & (write ? W : R))) return GicAccess::Undefined;
    if (d->reg == Rg::ICH_LR && d->n >= list_regs()) return GicAccess::Undefined;
    if ((d->reg == Rg::AP || d->reg == Rg::ICH_AP) && (d->n & 3) >= kAprRegs) return GicAccess::Undefined;
    if (el == 1 && traps_to_el2(*d)) return GicAccess::TrapEl2;

    if (d->min_el == 2 && d->reg != Rg::SRE_EL2) hyp(*d, write, value);
    else if (el == 1 && virtualized(*d)) virtual_cpuif(*d, write, value);
    else physical(*d, write, value);

    // Anything but a plain read may have moved an interrupt line.
    if (write || d->reg == Rg::IAR) {
        update_maintenance();
        pe_.gic_changed();
    }
    return GicAccess::Done;
}

// EL1 accesses that ICH_HCR_EL2 traps, and the SGI registers, which have no
// virtual form and trap whenever EL2 has taken the interrupts over.
bool GicCpuif::traps_to_el2(const RegDesc& d) const {
    uint64_t h = s_.ich_hcr;
    switch (d.rule) {
    case Rule::G0: return h & HCR_TALL0;
    case Rule::G1: return h & HCR_TALL1;
    case Rule::Common: return h & HCR_TC;
    case Rule::Dir: return h & (HCR_TC | HCR_TDIR);
    case Rule::Sgi: return (h & HCR_TC) || (s_.hcr_el2 & (hcr::IMO | hcr::FMO));
    case Rule::None: return false;
    }
    return false;
}

bool GicCpuif::virtualized(const RegDesc& d) const {
    switch (d.rule) {
    case Rule::G0: return s_.hcr_el2 & hcr::FMO;
    case Rule::G1: return s_.hcr_el2 & hcr::IMO;
    case Rule::Common:
    case Rule::Dir: return s_.hcr_el2 & (hcr::IMO | hcr::FMO);
    default: return false;
    }
}

// ---- Physical interface (ICC_*) -------------------------------------------------

uint32_t GicCpuif::phys_group1_mask() const {
    return (s_.icc_ctlr_el1 & CTLR_CBPR) ? group_mask_bpr0(bpr0()) : group_mask_bpr0(bpr1() - 1);
}

// Group 1 enabled, above the priority mask, and preempting the running
// priority by its group priority.
bool GicCpuif::phys_can_signal(const GicPending& p) const {
    if (p.intid == kIntidNone || !(s_.icc_igrpen1 & 1)) return false;
    uint32_t prio = p.priority & kPriMask;
    if (prio >= (s_.icc_pmr & kPriMask)) return false;
    uint32_t rp = running_priority(s_.icc_ap0r[0], s_.icc_ap1r[0]);
    if (rp == kIdle) return true;
    uint32_t m = phys_group1_mask();
    return (prio & m) < (rp & m);
}

uint64_t GicCpuif::phys_hppir1() {
    if (!port_ || !(s_.icc_igrpen1 & 1)) return kIntidNone;
    return port_->highest_pending().intid;
}

uint64_t GicCpuif::phys_iar1() {
    if (!port_) return kIntidNone;
    GicPending p = port_->highest_pending();
    if (!phys_can_signal(p) || is_special(p.intid)) return kIntidNone;
    port_->activate(p.intid);
    uint32_t gprio = (p.priority & kPriMask) & phys_group1_mask();
    s_.icc_ap1r[0] |= uint64_t{1} << (gprio >> kAprShift);
    return p.intid;
}

// Priority drop of the highest active priority when it is Group 1 (a Group
// 0 one cannot be ended here), then deactivation unless EOImode splits it.
void GicCpuif::phys_eoir1(uint32_t intid) {
    if (intid >= 1020) return;                 // special INTIDs; no LPIs
    unsigned b0 = lowest_bit(s_.icc_ap0r[0] & 0xffffffff);
    unsigned b1 = lowest_bit(s_.icc_ap1r[0] & 0xffffffff);
    if (b1 == 64 || b0 <= b1) return;          // nothing active in Group 1 on top
    drop_lowest(s_.icc_ap1r[0]);
    if (!(s_.icc_ctlr_el1 & CTLR_EOIMODE) && port_) port_->deactivate(intid);
}

void GicCpuif::phys_dir(uint32_t intid) {
    if (intid >= 1020 || !(s_.icc_ctlr_el1 & CTLR_EOIMODE)) return;
    if (port_) port_->deactivate(intid);
}

void GicCpuif::physical(const RegDesc& d, bool write, uint64_t& value) {
    const unsigned g = group_of(d);
    uint64_t* const igrpen = g ? &s_.icc_igrpen1 : &s_.icc_igrpen0;
    uint64_t* const apr = g ? s_.icc_ap1r : s_.icc_ap0r;
    const uint32_t intid = uint32_t(value & 0xffffff);
    if (!write) {
        switch (d.reg) {
        case Rg::PMR: value = s_.icc_pmr & kPriMask; break;
        case Rg::IAR: value = g ? phys_iar1() : kIntidNone; break;
        case Rg::HPPIR: value = g ? phys_hppir1() : kIntidNone; break;
        case Rg::BPR:
            // CBPR: BPR1 reads as BPR0 + 1, saturated.
            value = !g ? bpr0() : (s_.icc_ctlr_el1 & CTLR_CBPR) ? std::min(bpr0() + 1, 7u) : bpr1();
            break;
        case Rg::AP: value = apr[d.n & 3] & 0xffffffff; break;
        case Rg::RPR: value = running_priority(s_.icc_ap0r[0], s_.icc_ap1r[0]); break;
        case Rg::CTLR: value = kCtlrFixed | (s_.icc_ctlr_el1 & (CTLR_CBPR | CTLR_EOIMODE)); break;
        case Rg::SRE_EL1: value = kSreEl1; break;
        case Rg::SRE_EL2: value = kSreEl2; break;
        case Rg::IGRPEN: value = *igrpen & 1; break;
        default: value = 0; break;
        }
        return;
    }
    switch (d.reg) {
    case Rg::PMR: s_.icc_pmr = value & kPriMask; break;
    case Rg::EOIR: if (g) phys_eoir1(intid); break;     // no Group 0 interrupt is ever active
    case Rg::BPR:
        if (!g) s_.icc_bpr0 = std::max<uint64_t>(value & 7, kMinBpr0);
        else if (!(s_.icc_ctlr_el1 & CTLR_CBPR)) s_.icc_bpr1 = std::max<uint64_t>(value & 7, kMinBpr1);
        break;
    case Rg::AP: apr[d.n & 3] = value & 0xffffffff; break;
    case Rg::DIR: phys_dir(intid); break;
    case Rg::SGI1R: if (port_) port_->send_sgi(value); break;
    case Rg::SGI_G0: break;                             // Group 0 SGIs: no target has one
    case Rg::CTLR: s_.icc_ctlr_el1 = value & (CTLR_CBPR | CTLR_EOIMODE); break;
    case Rg::IGRPEN: *igrpen = value & 1; break;
    default: break;                                      // SRE: fixed
    }
}

// ---- Virtual interface (ICV_*) ------------------------------------------------------

uint32_t GicCpuif::virt_group_mask(unsigned group) const {
    if (group == 0 || (s_.ich_vmcr & VMCR_VCBPR)) return group_mask_bpr0(vbpr0());
    return group_mask_bpr0(vbpr1() - 1);
}

// The highest-priority pending list register of an enabled group
// (HighestPriorityVirtualInterrupt); -1 when none. Priority 0xff never wins.
int GicCpuif::highest_pending_lr() const {
    int best = -1;
    uint32_t best_prio = kIdle;
    for (unsigned n = 0; n < list_regs(); ++n) {
        uint64_t lr = s_.ich_lr[n];
        if (lr_state(lr) != LR_PENDING || !group_enabled(lr_group(lr))) continue;
        if (lr_priority(lr) < best_prio) {
            best_prio = lr_priority(lr);
            best = int(n);
        }
    }
    return best;
}

bool GicCpuif::virt_can_signal(uint64_t lr) const {
    if (!(s_.ich_hcr & HCR_EN)) return false;
    uint32_t prio = lr_priority(lr);
    if (prio >= vpmr()) return false;
    uint32_t rp = virt_running_priority();
    if (rp == kIdle) return true;
    uint32_t m = virt_group_mask(lr_group(lr));
    return (prio & m) < (rp & m);
}

int GicCpuif::find_active_lr(uint32_t intid) const {
    for (unsigned n = 0; n < list_regs(); ++n)
        if ((s_.ich_lr[n] & LR_ACTIVE) && lr_vintid(s_.ich_lr[n]) == intid) return int(n);
    return -1;
}

// Active -> invalid (active+pending -> pending); a hardware interrupt is
// deactivated in the physical distributor as well.
void GicCpuif::deactivate_lr(unsigned n) {
    uint64_t& lr = s_.ich_lr[n];
    if ((lr & LR_HW) && lr_pintid(lr) < 1020 && port_) port_->deactivate(lr_pintid(lr));
    lr &= ~LR_ACTIVE;
}

// A deactivation with no list register to apply to: EL2 learns of it
// through EOIcount (and the LRENP maintenance interrupt).
void GicCpuif::count_eoi() {
    uint64_t c = (field(s_.ich_hcr, HCR_EOICOUNT_SHIFT, 0x1f) + 1) & 0x1f;
    s_.ich_hcr = (s_.ich_hcr & ~HCR_EOICOUNT) | (c << HCR_EOICOUNT_SHIFT);
}

uint64_t GicCpuif::virt_iar(unsigned group) {
    int n = highest_pending_lr();
    if (n < 0) return kIntidNone;
    uint64_t& lr = s_.ich_lr[n];
    if (lr_group(lr) != group || !virt_can_signal(lr)) return kIntidNone;
    uint32_t intid = lr_vintid(lr) & 0xffffff;
    if (is_special(intid)) {                   // a bogus entry is dropped, its ID returned
        lr &= ~LR_PENDING;
        return intid;
    }
    lr = (lr & ~LR_STATE) | LR_ACTIVE;
    uint32_t gprio = lr_priority(lr) & virt_group_mask(group);
    virt_apr(group) |= uint64_t{1} << (gprio >> kAprShift);
    return intid;
}

uint64_t GicCpuif::virt_hppir(unsigned group) const {
    int n = highest_pending_lr();
    if (n < 0 || lr_group(s_.ich_lr[n]) != group) return kIntidNone;
    return lr_vintid(s_.ich_lr[n]) & 0xffffff;
}

// Priority drop of the highest active virtual priority (Group 0 first at
// equal priority), then deactivation of the matching list register unless
// VEOIM splits it off to ICV_DIR_EL1.
void GicCpuif::virt_eoir(unsigned group, uint32_t intid) {
    if (is_special(intid)) return;
    unsigned b0 = lowest_bit(s_.ich_ap0r[0] & 0xffffffff);
    unsigned b1 = lowest_bit(s_.ich_ap1r[0] & 0xffffffff);
    if (b0 == 64 && b1 == 64) return;          // nothing active: the list is not checked
    uint32_t dropped;
    if (b0 <= b1) {
        drop_lowest(s_.ich_ap0r[0]);
        dropped = b0 << kAprShift;
    } else {
        drop_lowest(s_.ich_ap1r[0]);
        dropped = b1 << kAprShift;
    }
    if (s_.ich_vmcr & VMCR_VEOIM) return;
    int n = find_active_lr(intid);
    if (n < 0) {
        if (intid < 8192) count_eoi();
        return;
    }
    uint64_t lr = s_.ich_lr[n];
    if (lr_group(lr) == group && (lr_priority(lr) & virt_group_mask(group)) == dropped)
        deactivate_lr(unsigned(n));
}

void GicCpuif::virt_dir(uint32_t intid) {
    if (intid >= 1020 || !(s_.ich_vmcr & VMCR_VEOIM)) return;
    int n = find_active_lr(intid);
    if (n < 0) count_eoi();
    else deactivate_lr(unsigned(n));
}

uint64_t GicCpuif::virt_bpr(unsigned group) const {
    if (!group) return vbpr0();
    return (s_.ich_vmcr & VMCR_VCBPR) ? std::min(vbpr0() + 1, 7u) : vbpr1();
}

void GicCpuif::set_virt_bpr(unsigned group, uint64_t value) {
    if (group && (s_.ich_vmcr & VMCR_VCBPR)) return;
    unsigned shift = group ? VMCR_VBPR1_SHIFT : VMCR_VBPR0_SHIFT;
    uint64_t v = std::max<uint64_t>(value & 7, group ? kMinBpr1 : kMinBpr0);
    s_.ich_vmcr = (s_.ich_vmcr & ~(7ull << shift)) | (v << shift);
}

// VFIQEn is RES1 with AArch64 at EL1; the binary points read at least their minimum.
uint64_t GicCpuif::vmcr() const {
    uint64_t v = s_.ich_vmcr & kVmcrWritable & ~((7ull << VMCR_VBPR0_SHIFT) | (7ull << VMCR_VBPR1_SHIFT));
    return v | VMCR_VFIQEN | (uint64_t{vbpr0()} << VMCR_VBPR0_SHIFT) | (uint64_t{vbpr1()} << VMCR_VBPR1_SHIFT);
}

void GicCpuif::set_vmcr(uint64_t value) {
    s_.ich_vmcr = value & kVmcrWritable;
    s_.ich_vmcr = vmcr();
}

void GicCpuif::virtual_cpuif(const RegDesc& d, bool write, uint64_t& value) {
    const unsigned g = group_of(d);
    const uint32_t intid = uint32_t(value & 0xffffff);
    const uint64_t eng = g ? VMCR_VENG1 : VMCR_VENG0;
    if (!write) {
        switch (d.reg) {
        case Rg::PMR: value = vpmr(); break;
        case Rg::IAR: value = virt_iar(g); break;
        case Rg::HPPIR: value = virt_hppir(g); break;
        case Rg::BPR: value = virt_bpr(g); break;
        case Rg::AP: value = virt_apr(g) & 0xffffffff; break;
        case Rg::RPR: value = virt_running_priority(); break;
        case Rg::CTLR:
            value = kCtlrFixed | ((s_.ich_vmcr & VMCR_VEOIM) ? CTLR_EOIMODE : 0) |
                    ((s_.ich_vmcr & VMCR_VCBPR) ? CTLR_CBPR : 0);
            break;
        case Rg::IGRPEN: value = (s_.ich_vmcr & eng) ? 1 : 0; break;
        default: value = 0; break;
        }
        return;
    }
    switch (d.reg) {
    case Rg::PMR:
        s_.ich_vmcr = (s_.ich_vmcr & ~(0xffull << VMCR_VPMR_SHIFT)) | ((value & kPriMask) << VMCR_VPMR_SHIFT);
        break;
    case Rg::EOIR: virt_eoir(g, intid); break;
    case Rg::BPR: set_virt_bpr(g, value); break;
    case Rg::AP: virt_apr(g) = value & 0xffffffff; break;
    case Rg::DIR: virt_dir(intid); break;
    case Rg::CTLR:
        s_.ich_vmcr &= ~(VMCR_VEOIM | VMCR_VCBPR);
        if (value & CTLR_EOIMODE) s_.ich_vmcr |= VMCR_VEOIM;
        if (value & CTLR_CBPR) s_.ich_vmcr |= VMCR_VCBPR;
        break;
    case Rg::IGRPEN: s_.ich_vmcr = (value & 1) ? (s_.ich_vmcr | eng) : (s_.ich_vmcr & ~eng); break;
    default: break;
    }
}

// ---- EL2 controls (ICH_*) ---------------------------------------------------------

// List registers that will raise the EOI maintenance interrupt: invalid,
// software (HW = 0) and asking for it (EOI = 1).
uint64_t GicCpuif::eisr() const {
    uint64_t v = 0;
    for (unsigned n = 0; n < list_regs(); ++n) {
        uint64_t lr = s_.ich_lr[n];
        if (!lr_state(lr) && !(lr & LR_HW) && (lr & LR_EOI)) v |= uint64_t{1} << n;
    }
    return v;
}

// List registers free for reuse: invalid and not waiting to report an EOI.
uint64_t GicCpuif::elrsr() const {
    uint64_t v = 0;
    for (unsigned n = 0; n < list_regs(); ++n) {
        uint64_t lr = s_.ich_lr[n];
        if (!lr_state(lr) && ((lr & LR_HW) || !(lr & LR_EOI))) v |= uint64_t{1} << n;
    }
    return v;
}

// One pass over the list registers. EOI: an entry eisr() would report.
uint64_t GicCpuif::misr() const {
    unsigned valid = 0;
    bool pending = false, eoi = false;
    const unsigned nlr = list_regs();
    for (unsigned n = 0; n < nlr; ++n) {
        const uint64_t lr = s_.ich_lr[n];
        valid += lr_state(lr) != 0;
        pending |= lr_state(lr) == LR_PENDING;
        eoi |= (lr & (LR_STATE | LR_HW | LR_EOI)) == LR_EOI;
    }
    const uint64_t h = s_.ich_hcr;
    uint64_t v = misr_controls();
    if (eoi) v |= MISR_EOI;
    if ((h & HCR_UIE) && valid <= 1) v |= MISR_U;
    if ((h & HCR_NPIE) && !pending) v |= MISR_NP;
    return v;
}

uint64_t GicCpuif::misr_controls() const {
    const uint64_t h = s_.ich_hcr, vm = s_.ich_vmcr;
    uint64_t v = 0;
    if ((h & HCR_LRENPIE) && (h & HCR_EOICOUNT)) v |= MISR_LRENP;
    if ((h & HCR_VGRP0EIE) && (vm & VMCR_VENG0)) v |= MISR_VGRP0E;
    if ((h & HCR_VGRP0DIE) && !(vm & VMCR_VENG0)) v |= MISR_VGRP0D;
    if ((h & HCR_VGRP1EIE) && (vm & VMCR_VENG1)) v |= MISR_VGRP1E;
    if ((h & HCR_VGRP1DIE) && !(vm & VMCR_VENG1)) v |= MISR_VGRP1D;
    return v;
}

// ICH_HCR_EL2.En and MISR != 0, asked at every guest entry: without UIE
// and NPIE, and with no list register asking for an EOI maintenance
// interrupt, only the control bits can raise it.
bool GicCpuif::maintenance_level() const {
    const uint64_t h = s_.ich_hcr;
    if (!(h & HCR_EN)) return false;
    if (!(h & (HCR_UIE | HCR_NPIE))) {
        uint64_t any = 0;
        const unsigned nlr = list_regs();
        for (unsigned n = 0; n < nlr; ++n) any |= s_.ich_lr[n];
        if (!(any & LR_EOI)) return (h & kHcrControlIrqs) && misr_controls() != 0;
    }
    return misr() != 0;
}

void GicCpuif::hyp(const RegDesc& d, bool write, uint64_t& value) {
    uint64_t* const apr = (d.n & 4) ? &s_.ich_ap1r[d.n & 3] : &s_.ich_ap0r[d.n & 3];
    if (!write) {
        switch (d.reg) {
        case Rg::ICH_AP: value = *apr & 0xffffffff; break;
        case Rg::ICH_HCR: value = s_.ich_hcr & kHcrWritable; break;
        case Rg::ICH_VTR: value = kVtrFixed | (list_regs() - 1); break;
        case Rg::ICH_MISR: value = misr(); break;
        case Rg::ICH_EISR: value = eisr(); break;
        case Rg::ICH_ELRSR: value = elrsr(); break;
        case Rg::ICH_VMCR: value = vmcr(); break;
        case Rg::ICH_LR: value = s_.ich_lr[d.n] & kLrWritable; break;
        default: value = 0; break;
        }
        return;
    }
    switch (d.reg) {
    case Rg::ICH_AP: *apr = value & 0xffffffff; break;
    case Rg::ICH_HCR: s_.ich_hcr = value & kHcrWritable; break;
    case Rg::ICH_VMCR: set_vmcr(value); break;
    case Rg::ICH_LR: s_.ich_lr[d.n] = value & kLrWritable; break;
    default: break;
    }
}

// ---- Lines -------------------------------------------------------------------------

// The maintenance interrupt is a level: ICH_HCR_EL2.En and any MISR bit.
// Driven on change only, as the port may answer with gic_changed().
void GicCpuif::update_maintenance() {
    const bool level = maintenance_level();
    if (level == pe_.gic_maint_level_ || !port_) return;
    pe_.gic_maint_level_ = level;
    port_->set_ppi_level(kMaintenancePpi, level);
}

bool GicCpuif::irq_line() {
    update_maintenance();
    return port_ && phys_can_signal(port_->highest_pending());
}

bool GicCpuif::virtual_line(unsigned group) {
    update_maintenance();
    int n = highest_pending_lr();
    return n >= 0 && lr_group(s_.ich_lr[n]) == group && virt_can_signal(s_.ich_lr[n]);
}

// ---- Pe entry points -----------------------------------------------------------------

Pe::GicAccess Pe::gic_access(uint32_t enc, bool write, uint64_t& value, unsigned el) {
    return GicCpuif(*this).access(enc, write, value, el);
}

bool Pe::gic_sysreg(uint32_t enc, bool write, uint64_t& value, unsigned el, bool& ok) {
    GicAccess r = gic_access(enc, write, value, el);
    ok = r == GicAccess::Done;
    return r != GicAccess::NotGic;
}

uint32_t Pe::gic_signalled_intid(bool virt, unsigned group) { return GicCpuif(*this).signalled_intid(virt, group); }

bool Pe::gic_irq_line() { return GicCpuif(*this).irq_line(); }
bool Pe::gic_virq_line() { return GicCpuif(*this).virtual_line(1); }
bool Pe::gic_vfiq_line() { return GicCpuif(*this).virtual_line(0); }

} // namespace hvemu::arm
