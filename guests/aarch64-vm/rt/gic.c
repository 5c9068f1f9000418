// GICv3 set-up for the VM guests: the distributor and redistributor as
// the virt board lays them out, and the CPU interface's registers (which
// a hypervisor may back with its virtual interface).
#include "vm.h"

#define GICD_CTLR 0x0000
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ICPENDR0 0x0280
#define GICR_IPRIORITYR 0x0400

static void dist_wait(void) {
    while (mmio_r32(GICD_BASE + GICD_CTLR) & (1u << 31)) {
    }
}

void gic_dist_init(void) {
    mmio_w32(GICD_BASE + GICD_CTLR, 0);
    dist_wait();
    mmio_w32(GICD_BASE + GICD_CTLR, 1u << 4);                 // ARE
    dist_wait();
    mmio_w32(GICD_BASE + GICD_CTLR, (1u << 4) | (1u << 1));   // ARE, EnableGrp1
    dist_wait();
}

void gic_cpu_init(unsigned cpu) {
    unsigned long rd = GICR_BASE + cpu * GICR_STRIDE;
    mmio_w32(rd + GICR_WAKER, mmio_r32(rd + GICR_WAKER) & ~(1u << 1));
    while (mmio_r32(rd + GICR_WAKER) & (1u << 2)) {
    }
    mmio_w32(rd + GICR_SGI + GICR_IGROUPR0, ~0u);
    mmio_w32(rd + GICR_SGI + GICR_ICENABLER0, ~0u);
    mmio_w32(rd + GICR_SGI + GICR_ICPENDR0, ~0u);
    for (unsigned i = 0; i < 32; i += 4) mmio_w32(rd + GICR_SGI + GICR_IPRIORITYR + i, 0x80808080u);
    sysreg_write(S3_0_C12_C12_5, 7);    // ICC_SRE_EL1: system registers
    isb();
    sysreg_write(S3_0_C4_C6_0, 0xff);   // ICC_PMR_EL1
    sysreg_write(S3_0_C12_C12_3, 0);    // ICC_BPR1_EL1
    sysreg_write(S3_0_C12_C12_4, 0);    // ICC_CTLR_EL1: EOImode 0
    sysreg_write(S3_0_C12_C12_7, 1);    // ICC_IGRPEN1_EL1
    isb();
}

void gic_enable_ppi(unsigned cpu, unsigned intid, uint8_t prio) {
    unsigned long sgi = GICR_BASE + cpu * GICR_STRIDE + GICR_SGI;
    mmio_w8(sgi + GICR_IPRIORITYR + intid, prio);
    mmio_w32(sgi + GICR_ISENABLER0, 1u << intid);
    dsb(sy);
}

void gic_send_sgi(unsigned intid, unsigned target_list) {
    dsb(sy);
    sysreg_write(S3_0_C12_C11_5, ((uint64_t)(intid & 15) << 24) | (target_list & 0xffff));   // ICC_SGI1R_EL1
    isb();
}
