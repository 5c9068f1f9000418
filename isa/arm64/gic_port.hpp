// The wire between a processing element's GICv3 CPU interface (in the PE
// model) and the redistributor/distributor that holds the interrupt state
// (a device, or a vCPU's model of the host GIC). The PE calls it on ICC_*
// register accesses and timer level changes; the other side tells the PE
// that its pending set changed with Pe::gic_changed().
//
// Interrupts are INTIDs: SGIs 0-15, PPIs 16-31, SPIs 32-1019; 1023 = none.
// Only Group 1 (non-secure) is modelled: this PE has no EL3.
#pragma once
#include <cstdint>

namespace hvemu::arm {

constexpr uint32_t kIntidNone = 1023;

struct GicPending {
    uint32_t intid = kIntidNone;   // kIntidNone: nothing pending and enabled
    uint8_t priority = 0xff;
};

class GicCpuPort {
public:
    virtual ~GicCpuPort() = default;
    // The highest-priority interrupt that is pending, enabled (in the
    // distributor, redistributor and group enable) and not active, routed
    // to this PE. Priority masking (PMR, running priority) is the CPU
    // interface's job, not this side's.
    virtual GicPending highest_pending() = 0;
    // ICC_IAR1_EL1 acknowledged `intid`: pending -> active (a level
    // interrupt whose line is still high becomes active and pending).
    virtual void activate(uint32_t intid) = 0;
    // Deactivation (ICC_EOIR1_EL1 with EOImode 0, or ICC_DIR_EL1).
    virtual void deactivate(uint32_t intid) = 0;
    // A write of ICC_SGI1R_EL1 by this PE (the raw 64-bit value).
    virtual void send_sgi(uint64_t sgi1r) = 0;
    // A PPI's line, driven by the PE itself: the generic timers (CNTP 30,
    // CNTV 27, CNTHP 26) and the GIC maintenance interrupt (25).
    virtual void set_ppi_level(uint32_t intid, bool level) = 0;
};

} // namespace hvemu::arm
