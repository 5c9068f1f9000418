// GICv3 distributor and redistributor register offsets and fields, named
// as the GIC architecture specification (IHI 0069) names them.
#pragma once
#include <cstdint>

namespace hvemu::dev::gicv3 {

// Distributor (GICD), a 64 KiB frame.
constexpr uint64_t GICD_CTLR = 0x0000;
constexpr uint64_t GICD_TYPER = 0x0004;
constexpr uint64_t GICD_IIDR = 0x0008;
constexpr uint64_t GICD_TYPER2 = 0x000C;
constexpr uint64_t GICD_STATUSR = 0x0010;
constexpr uint64_t GICD_IGROUPR = 0x0080;
constexpr uint64_t GICD_ISENABLER = 0x0100;
constexpr uint64_t GICD_ICENABLER = 0x0180;
constexpr uint64_t GICD_ISPENDR = 0x0200;
constexpr uint64_t GICD_ICPENDR = 0x0280;
constexpr uint64_t GICD_ISACTIVER = 0x0300;
constexpr uint64_t GICD_ICACTIVER = 0x0380;
constexpr uint64_t GICD_IPRIORITYR = 0x0400;
constexpr uint64_t GICD_ITARGETSR = 0x0800;
constexpr uint64_t GICD_ICFGR = 0x0C00;
constexpr uint64_t GICD_IGRPMODR = 0x0D00;
constexpr uint64_t GICD_NSACR = 0x0E00;
constexpr uint64_t GICD_SGIR = 0x0F00;
constexpr uint64_t GICD_IROUTER = 0x6000;    // + 8 * INTID, INTIDs 32..1019
constexpr uint64_t GICD_IROUTER_END = 0x7FE0;
constexpr uint64_t GICD_PIDR2 = 0xFFE8;

// GICD_CTLR with one security state (DS = 1).
constexpr uint32_t GICD_CTLR_EnableGrp0 = 1u << 0;
constexpr uint32_t GICD_CTLR_EnableGrp1 = 1u << 1;
constexpr uint32_t GICD_CTLR_ARE = 1u << 4;
constexpr uint32_t GICD_CTLR_DS = 1u << 6;
constexpr uint32_t GICD_CTLR_RWP = 1u << 31;

// GICD_TYPER fields
constexpr unsigned GICD_TYPER_IDbits_SHIFT = 19;
constexpr uint32_t GICD_TYPER_LPIS = 1u << 17;
constexpr uint32_t GICD_TYPER_A3V = 1u << 24;
constexpr uint32_t GICD_TYPER_No1N = 1u << 25;

// GICD_IROUTER<n>
constexpr uint64_t GICD_IROUTER_IRM = uint64_t{1} << 31;
constexpr uint64_t GICD_IROUTER_MASK = 0xFF'80FF'FFFFull;   // Aff3, IRM, Aff2, Aff1, Aff0

// Redistributor: two 64 KiB frames per PE.
constexpr uint64_t GICR_FRAME_SIZE = 0x10000;
constexpr uint64_t GICR_STRIDE = 2 * GICR_FRAME_SIZE;
constexpr uint64_t GICR_SGI_BASE = GICR_FRAME_SIZE;

// RD_base frame
constexpr uint64_t GICR_CTLR = 0x0000;
constexpr uint64_t GICR_IIDR = 0x0004;
constexpr uint64_t GICR_TYPER = 0x0008;
constexpr uint64_t GICR_STATUSR = 0x0010;
constexpr uint64_t GICR_WAKER = 0x0014;
constexpr uint64_t GICR_PROPBASER = 0x0070;
constexpr uint64_t GICR_PENDBASER = 0x0078;
constexpr uint64_t GICR_PIDR2 = 0xFFE8;

constexpr uint32_t GICR_WAKER_ProcessorSleep = 1u << 1;
constexpr uint32_t GICR_WAKER_ChildrenAsleep = 1u << 2;

constexpr uint64_t GICR_TYPER_Last = 1u << 4;
constexpr unsigned GICR_TYPER_Processor_Number_SHIFT = 8;
constexpr uint64_t GICR_TYPER_CommonLPIAff_ALL = 1u << 24;
constexpr unsigned GICR_TYPER_Affinity_SHIFT = 32;

// SGI_base frame (offsets within it)
constexpr uint64_t GICR_IGROUPR0 = 0x0080;
constexpr uint64_t GICR_ISENABLER0 = 0x0100;
constexpr uint64_t GICR_ICENABLER0 = 0x0180;
constexpr uint64_t GICR_ISPENDR0 = 0x0200;
constexpr uint64_t GICR_ICPENDR0 = 0x0280;
constexpr uint64_t GICR_ISACTIVER0 = 0x0300;
constexpr uint64_t GICR_ICACTIVER0 = 0x0380;
constexpr uint64_t GICR_IPRIORITYR = 0x0400;   // 32 bytes, INTIDs 0..31
constexpr uint64_t GICR_ICFGR0 = 0x0C00;
constexpr uint64_t GICR_ICFGR1 = 0x0C04;
constexpr uint64_t GICR_IGRPMODR0 = 0x0D00;
constexpr uint64_t GICR_NSACR = 0x0E00;

// CoreSight identification block shared by both frames (PIDR4 first).
constexpr uint64_t GIC_IDREGS = 0xFFD0;
constexpr uint64_t GIC_IDREGS_END = 0x10000;
constexpr uint8_t GICD_PIDR0 = 0x92, GICR_PIDR0 = 0x93;
constexpr uint32_t GIC_IIDR = 0x43B;   // Arm, r0p0, ProductID 0: as QEMU's (a GIC-500 r0p0)

// The ID register at `off` (GIC_IDREGS <= off < GIC_IDREGS_END, word
// aligned): PIDR4-7, PIDR0-3, CIDR0-3 of an Arm GICv3 (PIDR2.ArchRev = 3).
inline uint32_t id_register(uint64_t off, uint8_t pidr0) {
    constexpr uint8_t kIds[12] = {0x44, 0x00, 0x00, 0x00, 0x00, 0xB4, 0x3B, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
    const auto i = static_cast<unsigned>((off - GIC_IDREGS) / 4);
    return i == 4 ? pidr0 : kIds[i % 12];
}

// Access rules shared by both frames: 1, 2, 4 or 8 bytes, naturally aligned.
inline bool aligned_access(uint64_t off, unsigned width) {
    return (width == 1 || width == 2 || width == 4 || width == 8) && (off & (width - 1)) == 0;
}
inline bool in(uint64_t off, uint64_t base, uint64_t len) { return off >= base && off < base + len; }

// ICC_SGI1R_EL1 fields
constexpr unsigned SGI1R_TargetList_SHIFT = 0;
constexpr unsigned SGI1R_Aff1_SHIFT = 16;
constexpr unsigned SGI1R_INTID_SHIFT = 24;
constexpr unsigned SGI1R_Aff2_SHIFT = 32;
constexpr unsigned SGI1R_IRM_SHIFT = 40;
constexpr unsigned SGI1R_RS_SHIFT = 44;
constexpr unsigned SGI1R_Aff3_SHIFT = 48;

} // namespace hvemu::dev::gicv3
