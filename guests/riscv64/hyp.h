// Shared by the H-extension test program: the two-stage memory layout (guest
// virtual test pages, their guest physical pages, and the host pages behind
// them) and the table builders.
#pragma once
#include "common.h"

#ifndef LEVELS
#define LEVELS 3   // 3: Sv39 + Sv39x4, 4: Sv48 + Sv48x4
#endif

#define PTE_V 0x001ul
#define PTE_R 0x002ul
#define PTE_W 0x004ul
#define PTE_X 0x008ul
#define PTE_U 0x010ul
#define PTE_A 0x040ul
#define PTE_D 0x080ul
#define PTE_AD (PTE_A | PTE_D)

// Guest virtual test pages (VS stage, 4 KiB each, from GVA_WIN).
#define GVA_WIN 0x40000000ul
enum {
    V_OK,        // -> GPA g0 (G: RW)
    V_GRO,       // -> GPA g1 (G: read-only)
    V_GNONE,     // -> GPA g2 (G: unmapped)
    V_GNOX,      // -> GPA g3 (G: RW, not executable), holds code
    V_GX,        // -> GPA g4 (G: RWX), holds code
    V_VSNONE,    // VS: invalid
    V_WIDE,      // -> GPA 2^39 + x (Sv39x4; 2^48 + x for Sv48x4): RAM
    V_WIDER,     // -> GPA 2^40 + x (the top GPA bit of Sv39x4; 2^49 for Sv48x4): RAM
    V_TOOWIDE,   // -> GPA 2^41 (beyond the G stage's reach)
    V_VSRO,      // VS: read-only -> g0
    V_VSXONLY,   // VS: execute-only -> g4
    V_VSU,       // VS: U page -> g0
    V_GXONLY,    // -> GPA g6 (G: execute-only), holds code
    V_XEND,      // -> GPA g7 (G: RWX), code whose last instruction runs into...
    V_AFTER,     // -> GPA g8 (G: unmapped)
    V_COUNT
};
#define GVA(p) (GVA_WIN + (unsigned long)(p) * 4096)

// Guest physical test pages (G stage, from GPA_WIN).
#define GPA_WIN 0xc0000000ul
#define GPA(n) (GPA_WIN + (unsigned long)(n) * 4096)
#define GPA_WALK_HOLE GPA(5)           // a VS page table "there", but unmapped in G
// GPAs above the VS stage's VA width, mapped to RAM by G-stage gigapages:
// 2^39 and 2^40 (Sv39x4 takes 41 bits), or 2^48 and 2^49 (Sv48x4: 50 bits).
#define GPA_WIDE (LEVELS == 3 ? (1ul << 39) : (1ul << 48))
#define GPA_WIDER (LEVELS == 3 ? (1ul << 40) : (1ul << 49))
// Just beyond the G stage's reach: 2^41 for Sv39x4, 2^50 for Sv48x4.
#define GPA_TOOWIDE (LEVELS == 3 ? (1ul << 41) : (1ul << 50))
// Guest virtual gigabyte whose VS-level table lives at GPA_WALK_HOLE.
#define GVA_WALK 0xc0000000ul

// Host pages behind g0, g1, g3, g4, g7, and a spare for remapping g0.
extern unsigned long host_g0, host_g1, host_g3, host_g4, host_g7, host_spare;
extern unsigned long g_root, vs_root, vs_root_u;

void hyp_build_tables(void);
unsigned long hgatp_value(unsigned long vmid);
unsigned long vsatp_value(unsigned long root, unsigned long asid);
// Change the G-stage leaf of guest physical page n (of GPA_WIN) / the VS
// leaf of guest virtual page p. The caller fences.
void g_map_page(unsigned n, unsigned long hpa, unsigned long flags);
void vs_map_page(unsigned p, unsigned long gpa, unsigned long flags);
