// GICv3 programmed directly: the distributor, each CPU's redistributor
// (QEMU virt layout) and the CPU interface's system registers. With no
// EL3 the GIC runs with security disabled (GICD_CTLR.DS = 1); all
// interrupts here are Group 1.
#pragma once
#include "rt/rt.h"

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_ISENABLER 0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000   // the SGI/PPI frame
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0 0x0200
#define GICR_ICPENDR0 0x0280
#define GICR_IPRIORITYR 0x0400

#define INTID_SPURIOUS 1023
#define PPI_MAINTENANCE 25
#define PPI_HYP_TIMER 26
#define PPI_VIRT_TIMER 27
#define PPI_PHYS_TIMER 30

// Distributor: affinity routing on, Group 1 enabled (once, by CPU 0).
void gic_dist_init(void);
// This CPU's redistributor awake, SGIs/PPIs Group 1, and the CPU
// interface on (PMR 0xff, BPR 0, Group 1 enabled, EOImode 0).
void gic_cpu_init(unsigned cpu);
void gic_enable_ppi(unsigned cpu, unsigned intid, uint8_t prio);
void gic_disable_ppi(unsigned cpu, unsigned intid);
// SGI `intid` to the CPUs in target_list of Aff3.Aff2.Aff1 = 0.0.0.
void gic_send_sgi(unsigned intid, unsigned target_list);
static inline unsigned gic_ack(void) { return (unsigned)sysreg_read(S3_0_C12_C12_0) & 0xffffff; }   // ICC_IAR1_EL1
static inline void gic_eoi(unsigned intid) { sysreg_write(S3_0_C12_C12_1, intid); }                 // ICC_EOIR1_EL1
static inline unsigned long gicr_base(unsigned cpu) { return GICR_BASE + cpu * GICR_STRIDE; }
