// Local APIC semantics after the Intel SDM, Vol. 3A, chapter "Advanced
// Programmable Interrupt Controller": priorities, acceptance, EOI, the
// LVT sources, the timer, IPIs, and the xAPIC/x2APIC register interfaces.
#include "devices/lapic.hpp"

namespace hvemu::dev {

using namespace lapic;

namespace {
// Per LVT entry (timer, thermal, perf, LINT0, LINT1, error): the bits
// software writes, and the bits defined at all (writing any other bit in
// x2APIC mode is a #GP).
constexpr uint32_t kLvtWritable[kNumLvt] = {0x000700FF, 0x000107FF, 0x000107FF, 0x0001A7FF, 0x0001A7FF, 0x000100FF};
constexpr uint32_t kLvtDefined[kNumLvt] = {0x000710FF, 0x000117FF, 0x000117FF, 0x0001F7FF, 0x0001F7FF, 0x000110FF};
constexpr unsigned kLvtTimer = 0, kLvtLint0 = 3, kLvtError = 5;
constexpr uint32_t kIcrWritable = 0x000CCFFF;               // vector, mode, dest mode, level, trigger, shorthand
constexpr uint64_t kX2IcrDefined = 0xFFFFFFFF000CDFFFull;  // plus the read-only delivery status
constexpr uint32_t kSvrDefined = 0x3FF;
constexpr uint32_t kDcrDefined = 0xB;

apic::Delivery delivery_of(uint32_t lvt_value) { return static_cast<apic::Delivery>((lvt_value >> 8) & 7); }
} // namespace

Lapic::Lapic(const Config& cfg, Clock now) : cfg_(cfg), now_(std::move(now)) { reset(); }

void Lapic::reset() {
    apic_base_ = kDefaultBase | BASE_EN | (cfg_.bsp ? BASE_BSP : 0);
    id_ = cfg_.apic_id << 24;
    reset_registers();
}

void Lapic::reset_registers() {
    tpr_ = ldr_ = esr_ = esr_pending_ = 0;
    dfr_ = 0xFFFFFFFF;
    svr_ = 0xFF;
    icr_ = 0;
    irr_ = {};
    isr_ = {};
    tmr_ = {};
    lvt_.fill(LVT_MASKED);
    timer_initial_ = dcr_ = 0;
    timer_armed_ = false;
    timer_start_ = timer_next_ = tsc_deadline_ = 0;
}

Lapic::Mode Lapic::mode() const {
    if (!hw_enabled()) return Mode::Disabled;
    return x2apic() ? Mode::X2Apic : Mode::XApic;
}

uint32_t Lapic::id() const { return x2apic() ? cfg_.apic_id : id_ >> 24; }

uint32_t Lapic::ldr() const {
    // x2APIC: cluster (ID[31:4]) in bits 31:16, one bit for ID[3:0].
    if (x2apic()) return ((cfg_.apic_id >> 4) << 16) | (1u << (cfg_.apic_id & 0xF));
    return ldr_;
}

int Lapic::highest(const Bits& b) {
    for (int w = 7; w >= 0; w--)
        if (b[w]) return w * 32 + 31 - __builtin_clz(b[w]);
    return -1;
}

// ---- priorities ---------------------------------------------------------

uint8_t Lapic::ppr() const {
    const int isrv = highest(isr_);
    const uint32_t isr_class = isrv < 0 ? 0 : static_cast<uint32_t>(isrv) & 0xF0;
    return static_cast<uint8_t>((tpr_ & 0xF0) >= isr_class ? tpr_ : isr_class);
}

uint8_t Lapic::arbitration_priority() const {
    const int isrv = highest(isr_), irrv = highest(irr_);
    const uint32_t isr_class = isrv < 0 ? 0 : static_cast<uint32_t>(isrv) & 0xF0;
    const uint32_t irr_class = irrv < 0 ? 0 : static_cast<uint32_t>(irrv) & 0xF0;
    const uint32_t tpr_class = tpr_ & 0xF0;
    if (tpr_class >= irr_class && tpr_class > isr_class) return static_cast<uint8_t>(tpr_);
    uint32_t m = tpr_class > isr_class ? tpr_class : isr_class;
    if (irr_class > m) m = irr_class;
    return static_cast<uint8_t>(m);
}

void Lapic::set_tpr(uint8_t v) {
    tpr_ = v;
    update();
}

// ---- delivery -----------------------------------------------------------

bool Lapic::has_interrupt() {
    sync_base();
    poll();
    if (!hw_enabled() || !sw_enabled()) return false;
    const int irrv = highest(irr_);
    return irrv >= 0 && (static_cast<uint32_t>(irrv) & 0xF0) > (ppr() & 0xF0u);
}

uint8_t Lapic::acknowledge() {
    // The priority may have risen since has_interrupt(): a spurious
    // interrupt then, which sets no ISR bit.
    if (!has_interrupt()) return static_cast<uint8_t>(svr_ & 0xFF);
    const uint8_t v = static_cast<uint8_t>(highest(irr_));
    set(irr_, v, false);
    set(isr_, v, true);
    return v;
}

void Lapic::update() {
    if (vsink_) {
        if (handing_over_) return;
        handing_over_ = true;
        while (has_interrupt()) vsink_(acknowledge());
        handing_over_ = false;
        return;
    }
    if (changed_) changed_();
}

void Lapic::set_virtual_sink(std::function<void(uint8_t vector)> s) {
    vsink_ = std::move(s);
    update();
}

void Lapic::set_irr(uint8_t vector, bool level) {
    set(irr_, vector, true);
    set(tmr_, vector, level);
    update();
}

bool Lapic::accept(const ApicMessage& m) {
    sync_base();
    if (!hw_enabled()) return false;
    switch (m.mode) {
    case apic::Delivery::Fixed:
    case apic::Delivery::LowestPriority:
        if (!sw_enabled()) return false;
        if (m.vector < 16) {
            error(ESR_RECV_ILLEGAL_VECTOR);
            return false;
        }
        set_irr(m.vector, m.level);
        return true;
    case apic::Delivery::Nmi:
        if (nmi_) nmi_();
        return true;
    case apic::Delivery::Init:
        if (m.level && !m.assert) return true;   // INIT level de-assert: nothing on this generation
        reset_registers();
        if (init_) init_();
        return true;
    case apic::Delivery::StartUp:
        if (sipi_) sipi_(m.vector);
        return true;
    default:
        return false;   // SMI (no SMM), ExtINT (no 8259)
    }
}

bool Lapic::addressed_by(const ApicMessage& m) {
    sync_base();
    if (!hw_enabled()) return false;
    const uint32_t broadcast = m.x2apic ? apic::kX2apicBroadcast : apic::kXapicBroadcast;
    if (m.dest == broadcast) return true;
    if (!m.logical) return m.dest == id();
    const uint32_t l = ldr();
    if (x2apic()) return (m.dest >> 16) == (l >> 16) && (m.dest & l & 0xFFFF) != 0;
    const uint32_t d = m.dest & 0xFF, ld = l >> 24;
    if ((dfr_ >> 28) == 0xF) return (d & ld) != 0;                 // flat
    return (d >> 4) == (ld >> 4) && (d & ld & 0xF) != 0;           // cluster
}

void Lapic::write_eoi() {
    const int v = highest(isr_);
    if (v < 0) return;
    const uint8_t vec = static_cast<uint8_t>(v);
    set(isr_, vec, false);
    if (tmr(vec) && eoi_) eoi_(vec);
    // A level-triggered LINT source waits for this EOI (remote IRR).
    for (unsigned pin = 0; pin < 2; pin++) {
        uint32_t& l = lvt(kLvtLint0 + pin);
        if ((l & LVT_REMOTE_IRR) && (l & 0xFF) == vec) {
            l &= ~LVT_REMOTE_IRR;
            set_lint(pin, lint_level_[pin]);   // still asserted: again
        }
    }
    update();
}

void Lapic::error(uint32_t bits) {
    esr_pending_ |= bits;
    const uint32_t l = lvt_[kLvtError];
    if (l & LVT_MASKED) return;
    const uint8_t v = static_cast<uint8_t>(l & 0xFF);
    // An illegal error vector only records itself (no interrupt loop).
    if (v < 16) esr_pending_ |= ESR_RECV_ILLEGAL_VECTOR;
    else if (sw_enabled()) set_irr(v, false);
}

void Lapic::raise_local(uint32_t l, bool edge_only) {
    if (l & LVT_MASKED) return;
    switch (delivery_of(l)) {
    case apic::Delivery::Fixed: {
        const uint8_t v = static_cast<uint8_t>(l & 0xFF);
        if (v < 16) {
            error(ESR_RECV_ILLEGAL_VECTOR);
            return;
        }
        set_irr(v, !edge_only && (l & LVT_LEVEL));
        return;
    }
    case apic::Delivery::Nmi:
        if (nmi_) nmi_();
        return;
    case apic::Delivery::Init:
        reset_registers();
        if (init_) init_();
        return;
    default: return;   // SMI, ExtINT: nothing to deliver them to
    }
}

void Lapic::set_lint(unsigned pin, bool level) {
    if (pin > 1) return;
    uint32_t& l = lvt(kLvtLint0 + pin);
    const bool low_active = (l & LVT_POLARITY) != 0;
    const bool was = lint_level_[pin] != low_active;
    lint_level_[pin] = level;
    const bool now = level != low_active;
    if (!hw_enabled() || (l & LVT_MASKED)) return;
    // Only fixed delivery on LINT0 is level-sensitive; the rest is edge.
    const bool level_mode = pin == 0 && delivery_of(l) == apic::Delivery::Fixed && (l & LVT_LEVEL);
    if (level_mode) {
        if (now && !(l & LVT_REMOTE_IRR)) {
            l |= LVT_REMOTE_IRR;
            raise_local(l, false);
        }
    } else if (now && !was) {
        raise_local(l, true);
    }
}

// ---- IPIs ---------------------------------------------------------------

void Lapic::send_icr(uint64_t icr) {
    ApicMessage m;
    m.vector = static_cast<uint8_t>(icr & 0xFF);
    m.mode = static_cast<apic::Delivery>((icr >> 8) & 7);
    m.logical = (icr >> 11) & 1;
    m.assert = (icr >> 14) & 1;
    m.level = (icr >> 15) & 1;
    m.shorthand = static_cast<apic::Shorthand>((icr >> 18) & 3);
    m.x2apic = x2apic();
    m.dest = m.x2apic ? static_cast<uint32_t>(icr >> 32) : static_cast<uint32_t>(icr >> 56);
    m.source = this;
    const bool to_self = m.shorthand == apic::Shorthand::Self || m.shorthand == apic::Shorthand::AllIncludingSelf;
    switch (m.mode) {
    case apic::Delivery::Fixed:
    case apic::Delivery::LowestPriority:
        if (m.vector < 16) {
            error(ESR_SEND_ILLEGAL_VECTOR);
            return;
        }
        // Lowest priority to oneself is not a valid combination.
        if (m.mode == apic::Delivery::LowestPriority && to_self) return;
        break;
    case apic::Delivery::Smi:
    case apic::Delivery::Nmi:
    case apic::Delivery::Init: break;
    case apic::Delivery::StartUp:
        if (m.shorthand == apic::Shorthand::Self) return;
        break;
    default: return;   // 011 reserved; ExtINT cannot be sent as an IPI
    }
    if (ipi_) ipi_(m);
}

// ---- timer --------------------------------------------------------------

uint64_t Lapic::divisor() const {
    const uint32_t v = ((dcr_ >> 1) & 4) | (dcr_ & 3);
    return v == 7 ? 1 : uint64_t{2} << v;
}

void Lapic::start_count(uint32_t initial) {
    if (timer_mode() == TIMER_TSC_DEADLINE) return;   // ignored in TSC-deadline mode
    timer_initial_ = initial;
    timer_armed_ = initial != 0;
    timer_start_ = now_();
    timer_next_ = timer_start_ + initial * divisor();
}

uint32_t Lapic::current_count() {
    poll();
    if (timer_mode() == TIMER_TSC_DEADLINE || !timer_armed_ || timer_initial_ == 0) return 0;
    const uint64_t elapsed = (now_() - timer_start_) / divisor();
    if (timer_mode() == TIMER_PERIODIC) return static_cast<uint32_t>(timer_initial_ - elapsed % timer_initial_);
    return elapsed >= timer_initial_ ? 0 : static_cast<uint32_t>(timer_initial_ - elapsed);
}

void Lapic::fire_timer() { raise_local(lvt_[kLvtTimer] & (LVT_MASKED | 0xFF), true); }

void Lapic::poll() {
    if (!hw_enabled()) return;
    const uint64_t t = now_();
    if (timer_mode() == TIMER_TSC_DEADLINE) {
        if (tsc_deadline_ != 0 && tsc_now() >= tsc_deadline_) {
            tsc_deadline_ = 0;   // one shot: disarmed
            fire_timer();
        }
        return;
    }
    if (!timer_armed_ || t < timer_next_) return;
    if (timer_mode() == TIMER_PERIODIC) {
        // Periods that passed unseen fold into one interrupt (one IRR bit).
        const uint64_t period = timer_initial_ * divisor();
        timer_next_ += ((t - timer_next_) / period + 1) * period;
    } else {
        timer_armed_ = false;
    }
    fire_timer();
}

std::optional<uint64_t> Lapic::next_timer_event() const {
    if (!hw_enabled() || (lvt_[kLvtTimer] & LVT_MASKED)) return std::nullopt;
    if (timer_mode() == TIMER_TSC_DEADLINE) {
        if (tsc_deadline_ == 0) return std::nullopt;
        // From the TSC's time to the `now` clock's.
        const uint64_t tsc = tsc_now(), now = now_();
        return tsc_deadline_ > tsc ? now + (tsc_deadline_ - tsc) : now;
    }
    if (!timer_armed_) return std::nullopt;
    return timer_next_;
}

uint64_t Lapic::cycles_to_event() {
    poll();
    const auto at = next_timer_event();
    if (!at) return ~0ull;
    const uint64_t now = now_();
    return *at > now ? *at - now : 0;
}

// ---- MSRs and IA32_APIC_BASE -------------------------------------------

bool Lapic::set_apic_base(uint64_t v) {
    const uint64_t reserved = 0x2FFull | ~((uint64_t{1} << cfg_.phys_addr_bits) - 1);
    if (v & reserved) return false;
    const bool en = v & BASE_EN, extd = v & BASE_EXTD;
    // The valid transitions of SDM "x2APIC state transitions".
    if (extd && !en) return false;
    if (x2apic() && hw_enabled() && en && !extd) return false;   // x2APIC -> xAPIC: only through disabled
    if (!hw_enabled() && en && extd) return false;               // disabled -> x2APIC: only through xAPIC
    apply_base((v & ~BASE_BSP) | (apic_base_ & BASE_BSP));      // BSP is the hardware's
    return true;
}

void Lapic::apply_base(uint64_t v) {
    const bool was_enabled = hw_enabled();
    apic_base_ = v;
    if (!hw_enabled()) {
        reset_registers();
    } else if (!was_enabled) {
        id_ = cfg_.apic_id << 24;
    }
    update();
}

void Lapic::follow_apic_base(std::function<uint64_t()> probe) {
    base_probe_ = std::move(probe);
    sync_base();
}

void Lapic::sync_base() {
    if (!base_probe_) return;
    const uint64_t v = (base_probe_() & ~BASE_BSP) | (apic_base_ & BASE_BSP);
    if (v != apic_base_) apply_base(v);
}

bool Lapic::rdmsr(uint32_t msr, uint64_t& value) {
    sync_base();
    if (msr == MSR_APIC_BASE) {
        value = apic_base_;
        return true;
    }
    if (msr == MSR_TSC_DEADLINE) {
        poll();
        value = timer_mode() == TIMER_TSC_DEADLINE ? tsc_deadline_ : 0;
        return true;
    }
    if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || mode() != Mode::X2Apic) return false;
    return reg_read((msr - MSR_X2APIC_FIRST) << 4, true, value);
}

bool Lapic::wrmsr(uint32_t msr, uint64_t value) {
    sync_base();
    if (msr == MSR_APIC_BASE) return set_apic_base(value);
    if (msr == MSR_TSC_DEADLINE) {
        // Writes outside TSC-deadline mode are ignored; 0 disarms; a
        // deadline already passed fires at once.
        if (timer_mode() != TIMER_TSC_DEADLINE) return true;
        tsc_deadline_ = value;
        poll();
        return true;
    }
    if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || mode() != Mode::X2Apic) return false;
    return reg_write((msr - MSR_X2APIC_FIRST) << 4, true, value);
}

// ---- registers ----------------------------------------------------------

uint32_t Lapic::read_register(uint32_t offset) {
    uint64_t v = 0;
    if (!reg_read(offset, x2apic(), v)) return 0;
    return static_cast<uint32_t>(v);
}

bool Lapic::reg_read(uint32_t off, bool x2, uint64_t& value) {
    value = 0;
    if (off >= ISR && off < ESR) {
        const Bits& b = off < TMR ? isr_ : off < IRR ? tmr_ : irr_;
        value = b[(off >> 4) & 7];
        return true;
    }
    if (off >= LVT_TIMER && off <= LVT_ERROR) {
        const unsigned i = lvt_index(off);
        if (i == kLvtTimer) poll();   // the delivery status is always idle: delivery is instant
        value = lvt_[i];
        return true;
    }
    switch (off) {
    case ID: value = x2 ? cfg_.apic_id : id_; return true;
    case VERSION: value = kVersion; return true;
    case TPR: value = tpr_; return true;
    case APR:
        if (x2) return false;
        value = arbitration_priority();
        return true;
    case PPR: value = ppr(); return true;
    case EOI: return !x2;   // write-only: x2APIC #GP, xAPIC reads 0
    case RRD: return !x2;   // remote read is gone: reads 0
    case LDR: value = ldr(); return true;
    case DFR:
        if (x2) return false;
        value = dfr_;
        return true;
    case SVR: value = svr_; return true;
    case ESR: value = esr_; return true;
    case ICR_LO: value = x2 ? icr_ : (icr_ & 0xFFFFFFFF); return true;
    case ICR_HI:
        if (x2) return false;
        value = icr_ >> 32;
        return true;
    case TIMER_ICR: value = timer_initial_; return true;
    case TIMER_CCR: value = current_count(); return true;
    case TIMER_DCR: value = dcr_; return true;
    default: return false;   // includes LVT CMCI (none) and SELF IPI (write-only)
    }
}

void Lapic::write_lvt(unsigned i, uint32_t v) {
    uint32_t& l = lvt(i);
    const uint32_t old = l;
    uint32_t keep = l & LVT_REMOTE_IRR;
    uint32_t nv = (v & kLvtWritable[i]) | keep;
    if (!sw_enabled()) nv |= LVT_MASKED;   // masks stay set while software-disabled
    l = nv;
    if (i == kLvtTimer && ((old ^ nv) >> 17 & 3)) {
        // A mode change disarms the timer.
        timer_armed_ = false;
        tsc_deadline_ = 0;
    }
    // An unmasked level-sensitive LINT0 whose line is already high fires.
    if (i == kLvtLint0 && (old & LVT_MASKED) && !(nv & LVT_MASKED)) set_lint(0, lint_level_[0]);
}

void Lapic::write_svr(uint32_t v) {
    svr_ = v & kSvrDefined;
    if (!sw_enabled())
        for (auto& l : lvt_) l |= LVT_MASKED;
    update();
}

bool Lapic::reg_write(uint32_t off, bool x2, uint64_t value) {
    // x2APIC: the upper half is reserved except in the ICR.
    if (x2 && off != ICR_LO && (value >> 32) != 0) return false;
    const uint32_t v = static_cast<uint32_t>(value);
    if (off >= LVT_TIMER && off <= LVT_ERROR) {
        const unsigned i = lvt_index(off);
        if (x2 && (v & ~kLvtDefined[i])) return false;
        if (i == kLvtTimer) poll();   // settle the old mode first
        write_lvt(i, v);
        return true;
    }
    switch (off) {
    case ID:
        if (x2) return false;
        id_ = v & 0xFF000000;
        return true;
    case TPR:
        if (x2 && (v & ~0xFFu)) return false;
        set_tpr(static_cast<uint8_t>(v));
        return true;
    case EOI:
        if (x2 && v != 0) return false;
        write_eoi();
        return true;
    case LDR:
        if (x2) return false;
        ldr_ = v & 0xFF000000;
        return true;
    case DFR:
        if (x2) return false;
        dfr_ = (v & 0xF0000000) | 0x0FFFFFFF;
        return true;
    case SVR:
        if (x2 && (v & ~kSvrDefined)) return false;
        write_svr(v);
        return true;
    case ESR:
        if (x2 && v != 0) return false;
        // A write latches the errors seen since the last one.
        esr_ = esr_pending_;
        esr_pending_ = 0;
        return true;
    case ICR_LO:
        if (x2) {
            if (value & ~kX2IcrDefined) return false;
            icr_ = value & (0xFFFFFFFF00000000ull | kIcrWritable);
        } else {
            icr_ = (icr_ & 0xFFFFFFFF00000000ull) | (v & kIcrWritable);
        }
        send_icr(icr_);
        return true;
    case ICR_HI:
        if (x2) return false;
        icr_ = (icr_ & 0xFFFFFFFFull) | (uint64_t{v & 0xFF000000} << 32);
        return true;
    case TIMER_ICR: start_count(v); return true;
    case TIMER_DCR: {
        if (x2 && (v & ~kDcrDefined)) return false;
        // Keep the count where it is; only the rate changes.
        const uint32_t c = current_count();
        dcr_ = v & kDcrDefined;
        if (timer_armed_) {
            const uint64_t t = now_();
            timer_start_ = t - uint64_t{timer_initial_ - c} * divisor();
            timer_next_ = t + uint64_t{c} * divisor();
        }
        return true;
    }
    case SELF_IPI: {
        if (!x2) return false;
        if (v & ~0xFFu) return false;
        ApicMessage m;
        m.vector = static_cast<uint8_t>(v);
        m.shorthand = apic::Shorthand::Self;
        m.x2apic = true;
        m.source = this;
        if (m.vector < 16) error(ESR_SEND_ILLEGAL_VECTOR);
        else if (ipi_) ipi_(m);
        else accept(m);
        return true;
    }
    case VERSION: case APR: case PPR: case RRD: case TIMER_CCR:
        return !x2;   // read-only: xAPIC ignores the write, x2APIC #GP
    default:
        if (off >= ISR && off < ESR) return !x2;   // ISR/TMR/IRR are read-only
        return false;
    }
}

bool Lapic::mmio_read(uint64_t offset, unsigned width, uint64_t& value) {
    sync_base();
    if (mode() != Mode::XApic) {
        value = width >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1;
        return true;
    }
    uint64_t reg = 0;
    const uint32_t off = static_cast<uint32_t>(offset & 0xFF0);
    if ((offset & 0xF) < 4 && offset < kSize) {
        if (!reg_read(off, false, reg)) {
            error(ESR_ILLEGAL_REGISTER);
            reg = 0;
        }
        reg = (reg & 0xFFFFFFFF) >> (8 * (offset & 3));
    }
    value = width >= 8 ? reg : reg & ((uint64_t{1} << (8 * width)) - 1);
    return true;
}

bool Lapic::mmio_write(uint64_t offset, unsigned width, uint64_t value) {
    sync_base();
    if (mode() != Mode::XApic || offset >= kSize) return true;
    if ((offset & 0xF) != 0 || width < 4) return true;   // not a register write: ignored
    if (!reg_write(static_cast<uint32_t>(offset), false, value & 0xFFFFFFFF)) error(ESR_ILLEGAL_REGISTER);
    return true;
}

} // namespace hvemu::dev
