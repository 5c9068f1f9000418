#include "vcpu/arm64/phys_cpu.hpp"

#include "vcpu/arm64/arm_regs.hpp"

namespace hvemu::vcpu::arm64 {

namespace {

arm::PeConfig pe_config(unsigned id, const isa::Clocking& clock, const PhysCpuOptions& opts) {
    arm::PeConfig c;
    // Aff0 = the core within a cluster of 16 (GICv3 target lists), Aff1 = the cluster.
    c.mpidr = 1ull << 31 | uint64_t{id / 16} << 8 | (id % 16);
    c.reset_el = 2;
    c.hosted = true;
    c.pa_bits = opts.pa_bits;
    c.list_regs = opts.list_regs;
    c.clock = clock;
    return c;
}

} // namespace

// ---- HostGic --------------------------------------------------------------------

arm::GicPending HostGic::highest_pending() {
    if (npending_ == 0) return {};   // the common case, asked at every guest entry
    for (uint32_t i = 0; i < kIntids; ++i)
        if (pending_[i] && !active_[i]) return {i, kPriority};
    return {};
}

void HostGic::activate(uint32_t intid) {
    if (intid >= kIntids) return;
    active_[intid] = true;
    // A level interrupt whose line is still high stays pending.
    set_pending(intid, intid < 32 && level_[intid]);
    changed();
}

void HostGic::deactivate(uint32_t intid) {
    if (intid >= kIntids) return;
    active_[intid] = false;
    if (intid < 32 && level_[intid]) set_pending(intid, true);
    changed();
}

void HostGic::set_ppi_level(uint32_t intid, bool level) {
    if (intid >= 32 || level_[intid] == level) return;
    level_[intid] = level;
    set_pending(intid, level);
    changed();
}

void HostGic::raise(uint32_t intid) {
    if (intid >= kIntids) return;
    set_pending(intid, true);
    changed();
}

void HostGic::set_active(uint32_t intid, bool a) {
    if (intid >= kIntids) return;
    active_[intid] = a;
    changed();
}

void HostGic::set_pending(uint32_t intid, bool p) {
    if (pending_[intid] == p) return;
    pending_[intid] = p;
    p ? ++npending_ : --npending_;
}

void HostGic::changed() {
    if (pe_) pe_->gic_changed();
}

// ---- PhysCpu ----------------------------------------------------------------------

PhysCpu::PhysCpu(isa::PhysMem& mem, unsigned id, const isa::Clocking& clock, const PhysCpuOptions& opts)
    : gic_(pe_raw_), pe_(std::make_unique<arm::Pe>(mem, pe_config(id, clock, opts))), id_(id), opts_(opts) {
    pe_raw_ = pe_.get();
    arm::Pe& p = *pe_;
    p.attach_gic(&gic_);
    // Firmware and hardware_enable: EL2 with the exception vectors, EL1 in
    // AArch64, no stage 2 until a guest is loaded, no FP traps.
    p.sysreg_write(sr::VBAR_EL2, kVectorBase);
    p.sysreg_write(sr::HCR_EL2, hcr::RW);
    p.sysreg_write(sr::CPTR_EL2, 0);
    p.sysreg_write(sr::CNTHCTL_EL2, cnthctl::EL1PCTEN | cnthctl::EL1PCEN);
    p.sysreg_write(sr::CNTVOFF_EL2, 0);
    // The host's GIC CPU interface: every priority unmasked, Group 1 on,
    // EOImode 1.
    p.sysreg_write(sr::ICC_PMR_EL1, 0xff);
    p.sysreg_write(sr::ICC_CTLR_EL1, 1u << 1);
    p.sysreg_write(sr::ICC_IGRPEN1_EL1, 1);
}

PhysCpu::~PhysCpu() {
    if (current_ == this) current_ = nullptr;
    if (pe_) pe_->attach_gic(nullptr);
    pe_raw_ = nullptr;
}

} // namespace hvemu::vcpu::arm64
