// The generic timer: the system counter (derived from the model's cycle
// count), the EL1 physical (CNTP), virtual (CNTV) and EL2 physical (CNTHP)
// timers, and the PPI lines they drive through the GIC port.
#include "isa/arm64/pe.hpp"

#include <limits>

namespace hvemu::arm {

namespace {

constexpr uint32_t kPpi[3] = {cnt::PPI_CNTP, cnt::PPI_CNTV, cnt::PPI_CNTHP};
constexpr unsigned kCntp = 0, kCntv = 1, kCnthp = 2;

uint64_t sext32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }

} // namespace

uint64_t Pe::cycles_until_count(uint64_t count) const {
    const uint64_t now = counter();
    if (now >= count) return 0;
    const uint64_t cpt = cfg_.clock.cycles_per_tick();
    const uint64_t ticks = count - now;
    if (ticks > std::numeric_limits<uint64_t>::max() / cpt) return std::numeric_limits<uint64_t>::max();
    return ticks * cpt - cycles() % cpt;   // whole ticks less what passed of the current one
}

bool Pe::timer_fired(unsigned which) const {
    const uint64_t ctl = which == kCntp ? sys.cntp_ctl : which == kCntv ? sys.cntv_ctl : sys.cnthp_ctl;
    if (!(ctl & cnt::ENABLE)) return false;
    if (which == kCntv) return counter() - sys.cntvoff_el2 >= sys.cntv_cval;
    return counter() >= (which == kCntp ? sys.cntp_cval : sys.cnthp_cval);
}

void Pe::timer_sync_slow() {
    if (!gic_) {
        timer_lines_ = 0;
        return;
    }
    const uint64_t ctls[3] = {sys.cntp_ctl, sys.cntv_ctl, sys.cnthp_ctl};
    uint8_t lines = 0;
    for (unsigned t = 0; t < 3; ++t)
        if (!(ctls[t] & cnt::IMASK) && timer_fired(t)) lines |= 1u << t;
    const uint8_t changed = lines ^ timer_lines_;
    timer_lines_ = lines;
    for (unsigned t = 0; t < 3; ++t)
        if (changed & (1u << t)) gic_->set_ppi_level(kPpi[t], lines & (1u << t));
}

// Cycles until the next unmasked, enabled timer that has not fired yet
// fires. One already fired is a level that stays; enabling or
// reprogramming a timer ends the block, so the deadline is recomputed.
uint64_t Pe::next_timer_deadline_slow() const {
    uint64_t best = std::numeric_limits<uint64_t>::max();
    const uint64_t now = counter();
    auto consider = [&](uint64_t ctl, uint64_t ticks_left) {
        if ((ctl & (cnt::ENABLE | cnt::IMASK)) != cnt::ENABLE || ticks_left == 0) return;
        const uint64_t d = cycles_until_count(now + ticks_left < now ? ~0ull : now + ticks_left);
        if (d > 0 && d < best) best = d;
    };
    auto left = [](uint64_t at, uint64_t cval) { return at >= cval ? 0 : cval - at; };
    consider(sys.cntp_ctl, left(now, sys.cntp_cval));
    consider(sys.cntv_ctl, left(now - sys.cntvoff_el2, sys.cntv_cval));
    consider(sys.cnthp_ctl, left(now, sys.cnthp_cval));
    return best;
}

uint64_t Pe::timer_reg(uint32_t enc) const {
    const uint64_t pct = counter(), vct = pct - sys.cntvoff_el2;
    auto ctl = [this](uint64_t c, unsigned t) { return (c & 3) | (timer_fired(t) ? cnt::ISTATUS : 0); };
    switch (enc) {
    case reg::CNTFRQ_EL0: return cfg_.clock.timebase_hz;
    case reg::CNTPCT_EL0: return pct;
    case reg::CNTVCT_EL0: return vct;
    case reg::CNTVOFF_EL2: return sys.cntvoff_el2;
    case reg::CNTHCTL_EL2: return sys.cnthctl_el2;
    case reg::CNTP_CTL_EL0: return ctl(sys.cntp_ctl, kCntp);
    case reg::CNTP_CVAL_EL0: return sys.cntp_cval;
    case reg::CNTP_TVAL_EL0: return static_cast<uint32_t>(sys.cntp_cval - pct);
    case reg::CNTV_CTL_EL0: return ctl(sys.cntv_ctl, kCntv);
    case reg::CNTV_CVAL_EL0: return sys.cntv_cval;
    case reg::CNTV_TVAL_EL0: return static_cast<uint32_t>(sys.cntv_cval - vct);
    case reg::CNTHP_CTL_EL2: return ctl(sys.cnthp_ctl, kCnthp);
    case reg::CNTHP_CVAL_EL2: return sys.cnthp_cval;
    case reg::CNTHP_TVAL_EL2: return static_cast<uint32_t>(sys.cnthp_cval - pct);
    default: return 0;
    }
}

void Pe::set_timer_reg(uint32_t enc, uint64_t value) {
    const uint64_t pct = counter(), vct = pct - sys.cntvoff_el2;
    switch (enc) {
    case reg::CNTFRQ_EL0: return;   // the frequency is the model's: writes are ignored
    case reg::CNTVOFF_EL2: sys.cntvoff_el2 = value; break;
    case reg::CNTHCTL_EL2: sys.cnthctl_el2 = value & 0xff; break;
    case reg::CNTP_CTL_EL0: sys.cntp_ctl = value & 3; break;
    case reg::CNTP_CVAL_EL0: sys.cntp_cval = value; break;
    case reg::CNTP_TVAL_EL0: sys.cntp_cval = pct + sext32(value); break;
    case reg::CNTV_CTL_EL0: sys.cntv_ctl = value & 3; break;
    case reg::CNTV_CVAL_EL0: sys.cntv_cval = value; break;
    case reg::CNTV_TVAL_EL0: sys.cntv_cval = vct + sext32(value); break;
    case reg::CNTHP_CTL_EL2: sys.cnthp_ctl = value & 3; break;
    case reg::CNTHP_CVAL_EL2: sys.cnthp_cval = value; break;
    case reg::CNTHP_TVAL_EL2: sys.cnthp_cval = pct + sext32(value); break;
    default: return;
    }
    timer_sync();
    irq_dirty_ = true;
    end_block();
}

} // namespace hvemu::arm
