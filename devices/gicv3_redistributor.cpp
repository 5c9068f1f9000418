// GICR register decoding: PE i's frames start at i * 128 KiB; the RD_base
// frame holds control, identification and power management, the SGI_base
// frame the SGI and PPI state. No LPIs: GICR_CTLR, PROPBASER and
// PENDBASER are RAZ/WI. Access rules as in the distributor: misaligned is
// a bus error; unsupported widths and reserved offsets are RAZ/WI.
#include "devices/gicv3.hpp"
#include "devices/gicv3_regs.hpp"

namespace hvemu::dev {

using namespace gicv3;

uint64_t Gicv3::gicr_typer(unsigned cpu) const {
    const bool last = cpu + 1 == cpus_.size();
    return uint64_t{cpus_[cpu].affinity} << GICR_TYPER_Affinity_SHIFT | GICR_TYPER_CommonLPIAff_ALL |
           uint64_t{cpu} << GICR_TYPER_Processor_Number_SHIFT | (last ? GICR_TYPER_Last : 0);
}

uint32_t Gicv3::rd_read32(unsigned cpu, uint64_t off) const {
    if (off == GICR_IIDR) return GIC_IIDR;
    if (off == GICR_TYPER) return static_cast<uint32_t>(gicr_typer(cpu));
    if (off == GICR_TYPER + 4) return static_cast<uint32_t>(gicr_typer(cpu) >> 32);
    // Transitions are instant: ChildrenAsleep follows ProcessorSleep.
    if (off == GICR_WAKER) return cpus_[cpu].sleep ? GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep : 0;
    if (in(off, GIC_IDREGS, GIC_IDREGS_END - GIC_IDREGS)) return id_register(off, GICR_PIDR0);
    return 0;   // CTLR, STATUSR, PROPBASER, PENDBASER, reserved
}

void Gicv3::rd_write32(unsigned cpu, uint64_t off, uint32_t value) {
    if (off == GICR_WAKER) {
        cpus_[cpu].sleep = value & GICR_WAKER_ProcessorSleep;
        update();   // an awake PE takes part in 1-of-N routing
    }
}

uint32_t Gicv3::sgi_read32(unsigned cpu, uint64_t off) const {
    switch (off) {
    case GICR_IGROUPR0: return read_bits(Field::Group, cpu, 0);
    case GICR_ISENABLER0:
    case GICR_ICENABLER0: return read_bits(Field::Enable, cpu, 0);
    case GICR_ISPENDR0:
    case GICR_ICPENDR0: return read_bits(Field::Pending, cpu, 0);
    case GICR_ISACTIVER0:
    case GICR_ICACTIVER0: return read_bits(Field::Active, cpu, 0);
    case GICR_ICFGR0: return read_cfg(cpu, 0);
    case GICR_ICFGR1: return read_cfg(cpu, 16);
    default: return 0;   // IGRPMODR0 and NSACR (one security state), reserved
    }
}

void Gicv3::sgi_write32(unsigned cpu, uint64_t off, uint32_t value) {
    switch (off) {
    case GICR_IGROUPR0: write_bits(Field::Group, Op::Assign, cpu, 0, value); break;
    case GICR_ISENABLER0: write_bits(Field::Enable, Op::Set, cpu, 0, value); break;
    case GICR_ICENABLER0: write_bits(Field::Enable, Op::Clear, cpu, 0, value); break;
    case GICR_ISPENDR0: write_bits(Field::Pending, Op::Set, cpu, 0, value); break;
    case GICR_ICPENDR0: write_bits(Field::Pending, Op::Clear, cpu, 0, value); break;
    case GICR_ISACTIVER0: write_bits(Field::Active, Op::Set, cpu, 0, value); break;
    case GICR_ICACTIVER0: write_bits(Field::Active, Op::Clear, cpu, 0, value); break;
    case GICR_ICFGR1: write_cfg(cpu, 16, value); break;   // ICFGR0 (SGIs) is read-only
    default: break;
    }
}

bool Gicv3::redist_read(uint64_t offset, unsigned width, uint64_t& value) {
    value = 0;
    if (!aligned_access(offset, width)) return false;
    const uint64_t cpu = offset / kRedistStride;
    if (cpu >= cpus_.size()) return true;
    const auto c = static_cast<unsigned>(cpu);
    uint64_t off = offset % kRedistStride;
    if (off < GICR_SGI_BASE) {
        if (off == GICR_TYPER && width == 8) {
            value = gicr_typer(c);
        } else if (width == 4) {
            value = rd_read32(c, off);
        }
        return true;
    }
    off -= GICR_SGI_BASE;
    if (in(off, GICR_IPRIORITYR, kNumPrivate)) {
        if (width != 1 && width != 4) return true;
        const auto intid = static_cast<uint32_t>(off - GICR_IPRIORITYR);
        for (unsigned k = 0; k < width; k++) value |= uint64_t{read_priority(c, intid + k)} << (8 * k);
        return true;
    }
    if (width == 4) value = sgi_read32(c, off);
    return true;
}

bool Gicv3::redist_write(uint64_t offset, unsigned width, uint64_t value) {
    if (!aligned_access(offset, width)) return false;
    const uint64_t cpu = offset / kRedistStride;
    if (cpu >= cpus_.size()) return true;
    const auto c = static_cast<unsigned>(cpu);
    uint64_t off = offset % kRedistStride;
    if (off < GICR_SGI_BASE) {
        if (width == 4) rd_write32(c, off, static_cast<uint32_t>(value));
        return true;
    }
    off -= GICR_SGI_BASE;
    if (in(off, GICR_IPRIORITYR, kNumPrivate)) {
        if (width != 1 && width != 4) return true;
        const auto intid = static_cast<uint32_t>(off - GICR_IPRIORITYR);
        for (unsigned k = 0; k < width; k++) write_priority(c, intid + k, static_cast<uint8_t>(value >> (8 * k)));
        update();
        return true;
    }
    if (width == 4) sgi_write32(c, off, static_cast<uint32_t>(value));
    return true;
}

} // namespace hvemu::dev
