// GICD register decoding. With affinity routing on, the registers of
// INTIDs 0-31 (banked per PE) live in the redistributors: here they RAZ/WI,
// as do ITARGETSR, SPENDSGIR/CPENDSGIR, GICD_SGIR and the Secure-only
// registers of a GIC with one security state. Registers are 32 bits;
// IPRIORITYR also takes bytes and IROUTER doublewords. A misaligned access
// is a bus error; an access of a width the register does not support, or to
// a reserved offset, reads as zero and ignores writes (as QEMU does, so
// guests do not take unexpected aborts).
#include "devices/gicv3.hpp"
#include "devices/gicv3_regs.hpp"

namespace hvemu::dev {

using namespace gicv3;

bool Gicv3::dist_read(uint64_t off, unsigned width, uint64_t& value) {
    value = 0;
    if (!aligned_access(off, width)) return false;

    if (in(off, GICD_IPRIORITYR, 0x400)) {
        const auto intid = static_cast<uint32_t>(off - GICD_IPRIORITYR);
        if (intid < kNumPrivate || (width != 1 && width != 4)) return true;
        for (unsigned k = 0; k < width; k++) value |= uint64_t{read_priority(0, intid + k)} << (8 * k);
        return true;
    }
    if (in(off, GICD_IROUTER, GICD_IROUTER_END - GICD_IROUTER)) {
        const auto intid = static_cast<uint32_t>((off - GICD_IROUTER) / 8);
        if (intid < kNumPrivate || intid >= num_intids() || (width != 4 && width != 8)) return true;
        const uint64_t route = spis_[intid - kNumPrivate].route;
        value = width == 8 ? route : (off & 4) ? route >> 32 : route & 0xFFFFFFFF;
        return true;
    }
    if (width != 4) return true;

    const auto bits = [&](uint64_t base, Field f) {
        const auto first = static_cast<uint32_t>((off - base) * 8);
        return first < kNumPrivate ? 0u : read_bits(f, 0, first);
    };
    uint32_t v = 0;
    if (off == GICD_CTLR) {
        v = ctlr_ | GICD_CTLR_ARE | GICD_CTLR_DS;
    } else if (off == GICD_TYPER) {
        const uint32_t it_lines = (num_intids() + 31) / 32 - 1;
        v = it_lines | (15u << GICD_TYPER_IDbits_SHIFT) | GICD_TYPER_A3V;   // 16-bit INTIDs, 1 of N
    } else if (off == GICD_IIDR) {
        v = GIC_IIDR;
    } else if (in(off, GICD_IGROUPR, 0x80)) {
        v = bits(GICD_IGROUPR, Field::Group);
    } else if (in(off, GICD_ISENABLER, 0x100)) {
        v = bits(off < GICD_ICENABLER ? GICD_ISENABLER : GICD_ICENABLER, Field::Enable);
    } else if (in(off, GICD_ISPENDR, 0x100)) {
        v = bits(off < GICD_ICPENDR ? GICD_ISPENDR : GICD_ICPENDR, Field::Pending);
    } else if (in(off, GICD_ISACTIVER, 0x100)) {
        v = bits(off < GICD_ICACTIVER ? GICD_ISACTIVER : GICD_ICACTIVER, Field::Active);
    } else if (in(off, GICD_ICFGR, 0x100)) {
        const auto first = static_cast<uint32_t>((off - GICD_ICFGR) * 4);
        v = first < kNumPrivate ? 0 : read_cfg(0, first);
    } else if (in(off, GIC_IDREGS, GIC_IDREGS_END - GIC_IDREGS)) {
        v = id_register(off, GICD_PIDR0);
    }
    // Everything else (TYPER2, STATUSR, ITARGETSR, IGRPMODR, NSACR, SGIR,
    // the SGI pending registers, reserved space) reads as zero.
    value = v;
    return true;
}

bool Gicv3::dist_write(uint64_t off, unsigned width, uint64_t value) {
    if (!aligned_access(off, width)) return false;

    if (in(off, GICD_IPRIORITYR, 0x400)) {
        const auto intid = static_cast<uint32_t>(off - GICD_IPRIORITYR);
        if (intid < kNumPrivate || (width != 1 && width != 4)) return true;
        for (unsigned k = 0; k < width; k++) write_priority(0, intid + k, static_cast<uint8_t>(value >> (8 * k)));
        update();
        return true;
    }
    if (in(off, GICD_IROUTER, GICD_IROUTER_END - GICD_IROUTER)) {
        const auto intid = static_cast<uint32_t>((off - GICD_IROUTER) / 8);
        if (intid < kNumPrivate || intid >= num_intids() || (width != 4 && width != 8)) return true;
        uint64_t& route = spis_[intid - kNumPrivate].route;
        uint64_t r = value;
        if (width == 4) {
            r = (off & 4) ? (route & 0xFFFFFFFFull) | (value << 32)
                          : (route & ~0xFFFFFFFFull) | (value & 0xFFFFFFFFull);
        }
        route = r & GICD_IROUTER_MASK;
        update();
        return true;
    }
    if (width != 4) return true;

    const auto v = static_cast<uint32_t>(value);
    const auto bits = [&](uint64_t base, Field f, Op op) {
        const auto first = static_cast<uint32_t>((off - base) * 8);
        if (first >= kNumPrivate) write_bits(f, op, 0, first, v);
    };
    if (off == GICD_CTLR) {
        // DS and ARE are RAO/WI; only the group enables are writable.
        ctlr_ = v & (GICD_CTLR_EnableGrp0 | GICD_CTLR_EnableGrp1);
        update();
    } else if (in(off, GICD_IGROUPR, 0x80)) {
        bits(GICD_IGROUPR, Field::Group, Op::Assign);
    } else if (in(off, GICD_ISENABLER, 0x80)) {
        bits(GICD_ISENABLER, Field::Enable, Op::Set);
    } else if (in(off, GICD_ICENABLER, 0x80)) {
        bits(GICD_ICENABLER, Field::Enable, Op::Clear);
    } else if (in(off, GICD_ISPENDR, 0x80)) {
        bits(GICD_ISPENDR, Field::Pending, Op::Set);
    } else if (in(off, GICD_ICPENDR, 0x80)) {
        bits(GICD_ICPENDR, Field::Pending, Op::Clear);
    } else if (in(off, GICD_ISACTIVER, 0x80)) {
        bits(GICD_ISACTIVER, Field::Active, Op::Set);
    } else if (in(off, GICD_ICACTIVER, 0x80)) {
        bits(GICD_ICACTIVER, Field::Active, Op::Clear);
    } else if (in(off, GICD_ICFGR, 0x100)) {
        const auto first = static_cast<uint32_t>((off - GICD_ICFGR) * 4);
        if (first >= kNumPrivate) write_cfg(0, first, v);
    }
    // Read-only and RAZ/WI registers ignore writes.
    return true;
}

} // namespace hvemu::dev
