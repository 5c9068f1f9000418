// GICv3 interrupt state: inputs (SPI and PPI lines, SGIs), the highest
// pending interrupt per PE, the CPU-interface port, and the virtual-mode
// hand-over. Register decoding lives in gicv3_distributor.cpp and
// gicv3_redistributor.cpp.
#include "devices/gicv3.hpp"

#include "devices/gicv3_regs.hpp"

namespace hvemu::dev {

using namespace gicv3;

namespace {
// Affinity bytes of an MPIDR packed as GICR_TYPER and IROUTER compare them.
uint32_t pack_affinity(uint64_t mpidr) {
    return static_cast<uint32_t>((mpidr & 0xFFFFFF) | (((mpidr >> 32) & 0xFF) << 24));
}
uint32_t irouter_affinity(uint64_t route) {
    return static_cast<uint32_t>((route & 0xFFFFFF) | (((route >> 32) & 0xFF) << 24));
}
// A level line held high while the VMM ends it at once would otherwise
// loop for ever; the rest waits for the next state change.
constexpr unsigned kMaxUpdateRounds = 64;
} // namespace

// ---- The port a PE's CPU interface talks to.
class Gicv3::CpuPort final : public arm::GicCpuPort {
public:
    CpuPort(Gicv3& gic, unsigned cpu) : gic_(gic), cpu_(cpu) {}
    arm::GicPending highest_pending() override { return gic_.highest_pending(cpu_); }
    void activate(uint32_t intid) override {
        if (Irq* q = gic_.irq_at(cpu_, intid)) {
            // A level interrupt whose line is still high stays pending.
            q->latch = false;
            q->active = true;
            gic_.update();
        }
    }
    void deactivate(uint32_t intid) override {
        if (Irq* q = gic_.irq_at(cpu_, intid)) {
            q->active = false;
            gic_.update();
        }
    }
    void send_sgi(uint64_t sgi1r) override { gic_.send_sgi(cpu_, sgi1r); }
    void set_ppi_level(uint32_t intid, bool level) override { gic_.set_ppi(cpu_, intid, level); }

private:
    Gicv3& gic_;
    unsigned cpu_;
};

// ---- The two MMIO windows.
class Gicv3::DistFrame final : public Device {
public:
    explicit DistFrame(Gicv3& gic) : gic_(gic) {}
    std::string_view name() const override { return "gicv3-dist"; }
    uint64_t size() const override { return kDistSize; }
    void reset() override { gic_.reset(); }
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override {
        return gic_.dist_read(offset, width, value);
    }
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override {
        return gic_.dist_write(offset, width, value);
    }

private:
    Gicv3& gic_;
};

class Gicv3::RedistFrames final : public Device {
public:
    explicit RedistFrames(Gicv3& gic) : gic_(gic) {}
    std::string_view name() const override { return "gicv3-redist"; }
    uint64_t size() const override { return uint64_t{gic_.num_cpus()} * kRedistStride; }
    void reset() override { gic_.reset(); }
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override {
        return gic_.redist_read(offset, width, value);
    }
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override {
        return gic_.redist_write(offset, width, value);
    }

private:
    Gicv3& gic_;
};

std::vector<uint64_t> Gicv3::virt_mpidrs(unsigned num_cpus) {
    std::vector<uint64_t> v;
    for (unsigned i = 0; i < num_cpus; i++) v.push_back(((i / 16) << 8) | (i % 16));
    return v;
}

Gicv3::Gicv3(Config cfg) {
    if (cfg.mpidr.empty()) cfg.mpidr = virt_mpidrs(1);
    unsigned spis = (cfg.num_spis + 31) / 32 * 32;
    if (spis > kMaxSpis) spis = kMaxSpis;   // 988 is not a multiple of 32: INTIDs stop at 1019
    spis_.resize(spis);
    cpus_.resize(cfg.mpidr.size());
    for (unsigned i = 0; i < cpus_.size(); i++) {
        cpus_[i].affinity = pack_affinity(cfg.mpidr[i]);
        cpus_[i].port = std::make_unique<CpuPort>(*this, i);
    }
    dist_ = std::make_unique<DistFrame>(*this);
    redist_ = std::make_unique<RedistFrames>(*this);
    reset();
}

Gicv3::~Gicv3() = default;

void Gicv3::reset() {
    // Input lines keep their levels: they belong to the devices driving them.
    for (auto& c : cpus_) {
        for (unsigned i = 0; i < kNumPrivate; i++) {
            const bool level = c.irq[i].level;
            c.irq[i] = Irq{};
            c.irq[i].level = level;
            c.irq[i].edge = i < 16;   // SGIs are always edge-triggered; PPIs reset to level
        }
        c.sleep = true;
    }
    for (auto& s : spis_) {
        const bool level = s.irq.level;
        s.irq = Irq{};
        s.irq.level = level;
        s.route = 0;
    }
    ctlr_ = 0;
    update();
}

arm::GicCpuPort& Gicv3::cpu_port(unsigned cpu) { return *cpus_.at(cpu).port; }

Gicv3::Irq* Gicv3::irq_at(unsigned cpu, uint32_t intid) {
    return const_cast<Irq*>(static_cast<const Gicv3*>(this)->irq_at(cpu, intid));
}

const Gicv3::Irq* Gicv3::irq_at(unsigned cpu, uint32_t intid) const {
    if (intid < kNumPrivate) return cpu < cpus_.size() ? &cpus_[cpu].irq[intid] : nullptr;
    if (intid < num_intids()) return &spis_[intid - kNumPrivate].irq;
    return nullptr;
}

bool Gicv3::routed_to(const Spi& s, unsigned cpu) const {
    if (s.route & GICD_IROUTER_IRM) return !cpus_[cpu].sleep;   // 1 of N: any awake PE
    return irouter_affinity(s.route) == cpus_[cpu].affinity;
}

bool Gicv3::deliverable(const Irq& q) const {
    return q.group1 && q.enabled && q.pending() && !q.active && !q.handed;
}

arm::GicPending Gicv3::highest_pending(unsigned cpu) const {
    arm::GicPending best;
    if (cpu >= cpus_.size() || !(ctlr_ & GICD_CTLR_EnableGrp1)) return best;
    // Ascending INTID with a strict comparison: ties go to the lowest INTID.
    auto consider = [&best](const Irq& q, uint32_t intid) {
        if (best.intid == arm::kIntidNone || q.priority < best.priority) {
            best.intid = intid;
            best.priority = q.priority;
        }
    };
    for (uint32_t i = 0; i < kNumPrivate; i++) {
        if (deliverable(cpus_[cpu].irq[i])) consider(cpus_[cpu].irq[i], i);
    }
    for (uint32_t s = 0; s < spis_.size(); s++) {
        if (deliverable(spis_[s].irq) && routed_to(spis_[s], cpu)) consider(spis_[s].irq, kNumPrivate + s);
    }
    return best;
}

bool Gicv3::is_pending(unsigned cpu, uint32_t intid) const {
    const Irq* q = irq_at(cpu, intid);
    return q && q->pending();
}

bool Gicv3::is_active(unsigned cpu, uint32_t intid) const {
    const Irq* q = irq_at(cpu, intid);
    return q && q->active;
}

bool Gicv3::is_enabled(unsigned cpu, uint32_t intid) const {
    const Irq* q = irq_at(cpu, intid);
    return q && q->enabled;
}

// ---- Inputs

void Gicv3::set_spi(uint32_t intid, bool level) {
    if (intid < kNumPrivate || intid >= num_intids()) return;
    Irq& q = spis_[intid - kNumPrivate].irq;
    if (q.level == level) return;
    q.level = level;
    if (level && q.edge) q.latch = true;
    if (!level) q.handed = false;
    update();
}

void Gicv3::set_ppi(unsigned cpu, uint32_t intid, bool level) {
    if (cpu >= cpus_.size() || intid < 16 || intid >= kNumPrivate) return;
    Irq& q = cpus_[cpu].irq[intid];
    if (q.level == level) return;
    q.level = level;
    if (level && q.edge) q.latch = true;
    if (!level) q.handed = false;
    update();
}

void Gicv3::send_sgi(unsigned from_cpu, uint64_t sgi1r) {
    const auto intid = static_cast<uint32_t>((sgi1r >> SGI1R_INTID_SHIFT) & 0xF);
    const bool irm = (sgi1r >> SGI1R_IRM_SHIFT) & 1;
    const auto targets = static_cast<uint32_t>((sgi1r >> SGI1R_TargetList_SHIFT) & 0xFFFF);
    const auto rs = static_cast<uint32_t>((sgi1r >> SGI1R_RS_SHIFT) & 0xF);
    // Aff3.Aff2.Aff1 of the targets, in the packed layout.
    const uint32_t upper = static_cast<uint32_t>(((sgi1r >> SGI1R_Aff1_SHIFT) & 0xFF) << 8 |
                                                 ((sgi1r >> SGI1R_Aff2_SHIFT) & 0xFF) << 16 |
                                                 ((sgi1r >> SGI1R_Aff3_SHIFT) & 0xFF) << 24);
    for (unsigned c = 0; c < cpus_.size(); c++) {
        bool hit;
        if (irm) {
            hit = c != from_cpu;
        } else {
            const uint32_t aff = cpus_[c].affinity;
            const uint32_t aff0 = aff & 0xFF;
            hit = (aff & ~0xFFu) == upper && aff0 / 16 == rs && ((targets >> (aff0 % 16)) & 1);
        }
        // ICC_SGI1R_EL1 generates Group 1 SGIs; a target that configured
        // this SGI as Group 0 does not receive it.
        Irq& q = cpus_[c].irq[intid];
        if (hit && q.group1) q.latch = true;
    }
    update();
}

// ---- Outputs

void Gicv3::set_virtual_sink(VirtualSink s) {
    sink_ = std::move(s);
    update();
}

void Gicv3::eoi(unsigned vcpu, uint32_t intid) {
    if (Irq* q = irq_at(vcpu, intid)) {
        q->handed = false;
        update();
    }
}

void Gicv3::hand_over() {
    if (!sink_) return;
    const VirtualSink sink = sink_;   // the callee may replace sink_
    for (unsigned c = 0; c < cpus_.size(); c++) {
        // At most num_intids() per vCPU and pass, so a sink that ends
        // interrupts from inside the call cannot loop for ever.
        for (uint32_t n = 0; n < num_intids(); n++) {
            const arm::GicPending p = highest_pending(c);
            if (p.intid == arm::kIntidNone) break;
            Irq& q = *irq_at(c, p.intid);
            q.latch = false;
            if (!q.edge && q.level) q.handed = true;
            sink(c, p.intid);
        }
    }
}

void Gicv3::update() {
    if (updating_) {
        again_ = true;
        return;
    }
    updating_ = true;
    unsigned rounds = 0;
    do {
        again_ = false;
        hand_over();
        for (unsigned c = 0; c < cpus_.size(); c++) {
            const arm::GicPending now = highest_pending(c);
            arm::GicPending& was = cpus_[c].reported;
            if (now.intid == was.intid && now.priority == was.priority) continue;
            was = now;
            if (notifier_) notifier_(c);
        }
    } while (again_ && ++rounds < kMaxUpdateRounds);
    updating_ = false;
}

// ---- Register helpers shared by the distributor and redistributor frames

uint32_t Gicv3::read_bits(Field f, unsigned cpu, uint32_t first) const {
    uint32_t v = 0;
    for (uint32_t i = 0; i < 32; i++) {
        const Irq* q = irq_at(cpu, first + i);
        if (!q) continue;
        bool b = false;
        switch (f) {
        case Field::Group: b = q->group1; break;
        case Field::Enable: b = q->enabled; break;
        case Field::Pending: b = q->pending(); break;
        case Field::Active: b = q->active; break;
        }
        if (b) v |= 1u << i;
    }
    return v;
}

void Gicv3::write_bits(Field f, Op op, unsigned cpu, uint32_t first, uint32_t value) {
    for (uint32_t i = 0; i < 32; i++) {
        Irq* q = irq_at(cpu, first + i);
        const bool bit = (value >> i) & 1;
        if (!q || (op != Op::Assign && !bit)) continue;   // set/clear registers ignore zeros
        const bool v = op == Op::Clear ? false : bit;
        switch (f) {
        case Field::Group: q->group1 = v; break;
        case Field::Enable: q->enabled = v; break;
        case Field::Pending: q->latch = v; break;   // a level line stays pending while high
        case Field::Active: q->active = v; break;
        }
    }
    update();
}

uint8_t Gicv3::read_priority(unsigned cpu, uint32_t intid) const {
    const Irq* q = irq_at(cpu, intid);
    return q ? q->priority : 0;
}

void Gicv3::write_priority(unsigned cpu, uint32_t intid, uint8_t prio) {
    if (Irq* q = irq_at(cpu, intid)) q->priority = prio;
}

uint32_t Gicv3::read_cfg(unsigned cpu, uint32_t first) const {
    uint32_t v = 0;
    for (uint32_t i = 0; i < 16; i++) {
        const Irq* q = irq_at(cpu, first + i);
        if (q && q->edge) v |= 2u << (2 * i);
    }
    return v;
}

void Gicv3::write_cfg(unsigned cpu, uint32_t first, uint32_t value) {
    for (uint32_t i = 0; i < 16; i++) {
        const uint32_t intid = first + i;
        Irq* q = irq_at(cpu, intid);
        if (!q || intid < 16) continue;   // SGIs are edge-triggered, read-only
        q->edge = (value >> (2 * i + 1)) & 1;
    }
    update();
}

} // namespace hvemu::dev
