// A physical CPU of the emulated Arm host: one arm::Pe in hosted mode at
// EL2 (exceptions taken to EL2 return to us), with the host side of its
// GICv3 (the redistributor a real host has), onto which ArmVCpu::bind()
// loads a guest context. As the RISC-V PhysCpu, it is prepared as firmware
// and Axvisor's per-CPU setup (hardware_enable) would prepare a real core.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "isa/arm64/gic_port.hpp"
#include "isa/arm64/pe.hpp"
#include "isa/common/cycle_model.hpp"
#include "isa/common/phys_mem.hpp"

namespace hvemu::vcpu::arm64 {

// Model switches of a physical CPU that real hardware fixes at design time.
struct PhysCpuOptions {
    unsigned pa_bits = 44;      // ID_AA64MMFR0_EL1.PARange (32, 36, 40, 42, 44, 48)
    unsigned list_regs = 4;     // ICH_LR<n>_EL2 implemented
};

// The host's interrupt state for one PE: SGIs and PPIs (levels the PE
// drives: timers, maintenance) and SPIs the host's devices raise. Every
// interrupt is enabled, Group 1, one priority; the lowest INTID wins.
class HostGic final : public arm::GicCpuPort {
public:
    explicit HostGic(arm::Pe*& pe) : pe_(pe) {}
    arm::GicPending highest_pending() override;
    void activate(uint32_t intid) override;
    void deactivate(uint32_t intid) override;
    void send_sgi(uint64_t) override {}            // the host sends no SGIs in this model
    void set_ppi_level(uint32_t intid, bool level) override;

    // An edge on `intid` (SPI 32-1019 or SGI/PPI): pending until acknowledged.
    void raise(uint32_t intid);
    bool pending(uint32_t intid) const { return intid < kIntids && pending_[intid]; }
    bool active(uint32_t intid) const { return intid < kIntids && active_[intid]; }
    bool level(uint32_t intid) const { return intid < 32 && level_[intid]; }
    // For a hypervisor that hands a physical interrupt to a guest (a list
    // register with HW = 1) and takes it back on unbind.
    void set_active(uint32_t intid, bool a);

    static constexpr uint32_t kIntids = 1020;
    static constexpr uint8_t kPriority = 0x80;

private:
    void changed();
    void set_pending(uint32_t intid, bool p);   // keeps npending_
    arm::Pe*& pe_;
    std::array<bool, kIntids> pending_{}, active_{};
    uint32_t npending_ = 0;   // entries of pending_ set
    std::array<bool, 32> level_{};
};

// What the constructor programs, as firmware and Axvisor's hardware_enable
// would: the PE sits at EL2h with DAIF masked; VBAR_EL2 = kVectorBase (no
// code there: in hosted mode the vector offset tells the exception kind);
// HCR_EL2 = RW (EL1 is AArch64) and no VM; CPTR_EL2 = 0 (no FP traps);
// CNTHCTL_EL2 = EL1PCTEN | EL1PCEN (the host's default); the physical
// CPU interface: ICC_SRE_EL2 = 7, ICC_PMR_EL1 = 0xff, ICC_IGRPEN1_EL1 = 1,
// ICC_CTLR_EL1.EOImode = 1 (priority drop and deactivation apart, so a
// physical interrupt handed to a guest stays active until the guest ends it).
// Not thread-safe: used by the thread it is current on.
class PhysCpu {
public:
    static constexpr uint64_t kVectorBase = 0;

    PhysCpu(isa::PhysMem& mem, unsigned id, const isa::Clocking& clock = {}, const PhysCpuOptions& opts = {});
    ~PhysCpu();
    PhysCpu(const PhysCpu&) = delete;
    PhysCpu& operator=(const PhysCpu&) = delete;

    arm::Pe& pe() { return *pe_; }
    const arm::Pe& pe() const { return *pe_; }
    HostGic& gic() { return gic_; }
    unsigned id() const { return id_; }
    const PhysCpuOptions& options() const { return opts_; }

    void make_current() { current_ = this; }
    static PhysCpu* current() { return current_; }   // asked at every run()
    static void clear_current() { current_ = nullptr; }

    // A host device's interrupt (an SPI, 32-1019) while a guest runs: the
    // PE takes an IRQ to EL2 and the vCPU's run() returns
    // ExternalInterrupt{intid} after acknowledging it.
    void raise_host_irq(uint32_t intid) { gic_.raise(intid); }

    void add_cycles(uint64_t c) { pe_->add_cycles(c); }
    uint64_t cycles() const { return pe_->cycles(); }
    uint64_t counter() const { return pe_->counter(); }   // CNTPCT: the host timebase

    std::optional<std::pair<uint64_t, uint64_t>> loaded() const { return loaded_; }

private:
    friend class ArmVCpu;
    static inline thread_local PhysCpu* current_ = nullptr;   // this thread's
    arm::Pe* pe_raw_ = nullptr;      // what the GIC port reaches (set once the PE exists)
    HostGic gic_;
    std::unique_ptr<arm::Pe> pe_;
    unsigned id_;
    PhysCpuOptions opts_;
    std::optional<std::pair<uint64_t, uint64_t>> loaded_;
};

} // namespace hvemu::vcpu::arm64
