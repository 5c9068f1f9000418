// A GICv3 distributor and its redistributors as QEMU's virt board shows
// them to EL2 software (virtualization=on, no EL3): one security state
// (GICD_CTLR.DS = 1), affinity routing always on (ARE RAO/WI), no LPIs, no
// ITS, no GICv2 compatibility. The distributor is a 64 KiB frame (virt:
// 0x08000000); each PE has a 128 KiB redistributor (RD_base + SGI_base,
// virt: from 0x080A0000). Only Group 1 interrupts are delivered: Group 0
// would be FIQs, which the PE model does not take.
//
// Interrupt state per INTID: enable, pending (an edge/software latch, plus
// the line level for level-sensitive interrupts), active, priority, group,
// trigger mode, and for SPIs a route (GICD_IROUTER: an affinity, or IRM = 1
// for "any PE whose redistributor is awake"). Priorities keep all 8 bits
// (the CPU interface applies its own priority bits), as QEMU's do. Where
// this model differs from QEMU: 1-of-N routing is implemented (GICD_TYPER.
// No1N = 0; QEMU ignores IRM), and ITLinesNumber follows the specification
// (32 * (N + 1) covers every implemented INTID).
//
// Two ways to consume interrupts, over the same state:
//
// (a) Full system: PE i's GICv3 CPU interface talks to cpu_port(i)
//     (highest_pending / activate / deactivate / send_sgi / set_ppi_level),
//     and the notifier is called with i whenever the highest-priority
//     pending interrupt of PE i changes (the machine wires it to
//     Pe::gic_changed()).
//
// (b) Virtual (a hosted VM's vGIC; the guest's GICD/GICR accesses arrive as
//     MMIO exits): a virtual sink is set, and every interrupt that becomes
//     pending, enabled and routed to vCPU v is handed over at once with
//     sink(v, intid); the VMM passes it on with inject_interrupt(intid).
//     Handing over consumes the pending state like an acknowledge, but the
//     interrupt does not become active here (its active state lives in the
//     vCPU's list register):
//       - edge (and SGIs, and ISPENDR writes): the latch is cleared, so each
//         new edge is handed over again;
//       - level: the interrupt is held back while it is handed over, until
//         either the VMM calls eoi(v, intid) (on the guest's EOI, e.g. from
//         a maintenance interrupt) and the line is still high -- then it is
//         handed over again -- or the line drops, after which the next rise
//         hands it over again. A VMM that never calls eoi() therefore sees
//         one delivery per assertion of a level line.
//     In this mode cpu_port() is not used.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "devices/device.hpp"
#include "isa/arm64/gic_port.hpp"

namespace hvemu::dev {

class Gicv3 {
public:
    static constexpr uint64_t kDistSize = 0x10000;
    static constexpr uint64_t kRedistStride = 0x20000;
    static constexpr unsigned kNumPrivate = 32;    // SGIs 0-15, PPIs 16-31
    static constexpr unsigned kMaxSpis = 988;      // INTIDs 32..1019
    static constexpr unsigned kVirtSpis = 256;     // QEMU virt's count

    struct Config {
        unsigned num_spis = kVirtSpis;   // rounded up to a multiple of 32
        std::vector<uint64_t> mpidr;     // one per PE; only the affinity fields count
    };
    // QEMU virt's PE affinities with a GICv3: 16 PEs per cluster.
    static std::vector<uint64_t> virt_mpidrs(unsigned num_cpus);

    explicit Gicv3(Config cfg);
    ~Gicv3();
    Gicv3(const Gicv3&) = delete;
    Gicv3& operator=(const Gicv3&) = delete;

    unsigned num_cpus() const { return static_cast<unsigned>(cpus_.size()); }
    unsigned num_spis() const { return static_cast<unsigned>(spis_.size()); }
    uint32_t num_intids() const { return kNumPrivate + num_spis(); }

    // The two MMIO windows, to map at the distributor base and the first
    // redistributor base. Resetting either resets the whole GIC.
    Device& distributor() { return *dist_; }
    Device& redistributors() { return *redist_; }   // size num_cpus * kRedistStride
    void reset();

    // ---- Inputs
    // An SPI line (32 <= intid < num_intids(); others are ignored).
    void set_spi(uint32_t intid, bool level);
    IrqLine::Sink spi_sink(uint32_t intid) {
        return [this, intid](bool level) { set_spi(intid, level); };
    }
    // A PPI line (16..31) of one PE.
    void set_ppi(unsigned cpu, uint32_t intid, bool level);
    // A write of ICC_SGI1R_EL1 (raw value) by PE `from_cpu`: TargetList with
    // Aff3.Aff2.Aff1 and RS, or IRM = 1 for every PE but the sender. Only
    // targets whose SGI is configured as Group 1 receive it.
    void send_sgi(unsigned from_cpu, uint64_t sgi1r);

    // ---- (a) Full system
    arm::GicCpuPort& cpu_port(unsigned cpu);
    using Notifier = std::function<void(unsigned cpu)>;
    void set_notifier(Notifier n) { notifier_ = std::move(n); }

    // ---- (b) Virtual
    using VirtualSink = std::function<void(unsigned vcpu, uint32_t intid)>;
    // Setting a sink hands over everything already deliverable.
    void set_virtual_sink(VirtualSink s);
    // The guest ended (deactivated) `intid` on `vcpu`.
    void eoi(unsigned vcpu, uint32_t intid);

    // ---- Inspection (tests, debugger). `cpu` selects the banked SGI/PPI.
    arm::GicPending highest_pending(unsigned cpu) const;
    bool is_pending(unsigned cpu, uint32_t intid) const;
    bool is_active(unsigned cpu, uint32_t intid) const;
    bool is_enabled(unsigned cpu, uint32_t intid) const;

private:
    struct Irq {
        bool enabled = false;
        bool latch = false;    // edge or software-set pending state
        bool level = false;    // input line
        bool active = false;
        bool group1 = false;
        bool edge = false;     // ICFGR: edge-triggered
        bool handed = false;   // virtual mode: a level interrupt given to a vCPU, not yet EOId
        uint8_t priority = 0;
        bool pending() const { return latch || (!edge && level); }
    };
    class CpuPort;
    struct Cpu {
        std::array<Irq, kNumPrivate> irq{};
        uint32_t affinity = 0;        // Aff3.Aff2.Aff1.Aff0, as in GICR_TYPER[63:32]
        bool sleep = true;            // GICR_WAKER.ProcessorSleep
        arm::GicPending reported;     // last highest-pending value announced
        std::unique_ptr<CpuPort> port;
    };
    struct Spi {
        Irq irq;
        uint64_t route = 0;   // GICD_IROUTER
    };
    enum class Field : uint8_t { Group, Enable, Pending, Active };
    enum class Op : uint8_t { Assign, Set, Clear };

    Irq* irq_at(unsigned cpu, uint32_t intid);
    const Irq* irq_at(unsigned cpu, uint32_t intid) const;
    bool routed_to(const Spi& s, unsigned cpu) const;
    bool deliverable(const Irq& q) const;

    // Register helpers shared by both frames; intids below 32 are cpu's.
    uint32_t read_bits(Field f, unsigned cpu, uint32_t first) const;
    void write_bits(Field f, Op op, unsigned cpu, uint32_t first, uint32_t value);
    uint8_t read_priority(unsigned cpu, uint32_t intid) const;
    void write_priority(unsigned cpu, uint32_t intid, uint8_t prio);
    uint32_t read_cfg(unsigned cpu, uint32_t first) const;
    void write_cfg(unsigned cpu, uint32_t first, uint32_t value);

    // A state change: hand over (virtual mode) and tell PEs whose highest
    // pending interrupt changed. Re-entrant calls are folded into the
    // running one.
    void update();
    void hand_over();

    // MMIO (gicv3_distributor.cpp, gicv3_redistributor.cpp)
    class DistFrame;
    class RedistFrames;
    bool dist_read(uint64_t offset, unsigned width, uint64_t& value);
    bool dist_write(uint64_t offset, unsigned width, uint64_t value);
    bool redist_read(uint64_t offset, unsigned width, uint64_t& value);
    bool redist_write(uint64_t offset, unsigned width, uint64_t value);
    uint32_t rd_read32(unsigned cpu, uint64_t off) const;
    void rd_write32(unsigned cpu, uint64_t off, uint32_t value);
    uint32_t sgi_read32(unsigned cpu, uint64_t off) const;
    void sgi_write32(unsigned cpu, uint64_t off, uint32_t value);
    uint64_t gicr_typer(unsigned cpu) const;

    std::vector<Cpu> cpus_;
    std::vector<Spi> spis_;
    uint32_t ctlr_ = 0;        // GICD_CTLR group enables
    Notifier notifier_;
    VirtualSink sink_;
    bool updating_ = false, again_ = false;
    std::unique_ptr<Device> dist_, redist_;
};

} // namespace hvemu::dev
