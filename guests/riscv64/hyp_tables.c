// Page tables for the H-extension test: a G-stage (Sv39x4/Sv48x4) table that
// identity-maps devices and RAM and maps a window of test pages, and VS-stage
// (Sv39/Sv48) tables in guest memory (identity GPA = HPA) for VS and VU.
#include "hyp.h"

unsigned long host_g0, host_g1, host_g3, host_g4, host_g7, host_spare;
unsigned long g_root, vs_root, vs_root_u;

static char *pool;
static unsigned long alloc_pages(unsigned n, unsigned long align) {
    if (!pool) pool = __end;
    unsigned long p = ((unsigned long)pool + align - 1) & ~(align - 1);
    pool = (char *)(p + n * 4096ul);
    for (unsigned long i = 0; i < n * 512ul; i++) ((volatile uint64_t *)p)[i] = 0;
    return p;
}
static unsigned long alloc_page(void) { return alloc_pages(1, 4096); }

static unsigned long pte_to_pa(uint64_t pte) { return (pte >> 10) << 12; }
static uint64_t pa_to_pte(unsigned long pa, unsigned long flags) { return ((pa >> 12) << 10) | flags; }

// Index of va at `level`; the root of an x4 G stage has 2 more bits.
static unsigned idx(unsigned long va, int level, int x4_root) {
    unsigned long mask = (level == LEVELS - 1 && x4_root) ? 0x7ff : 0x1ff;
    return (unsigned)((va >> (12 + 9 * level)) & mask);
}

// The PTE slot for va at `level`, creating tables above it. Table memory
// is identity-mapped at both stages, so its addresses serve as GPA and HPA.
static volatile uint64_t *slot(unsigned long root, int x4, unsigned long va, int level) {
    unsigned long table = root;
    for (int l = LEVELS - 1; l > level; l--) {
        volatile uint64_t *e = (volatile uint64_t *)table + idx(va, l, x4);
        if (!(*e & PTE_V)) *e = pa_to_pte(alloc_page(), PTE_V);
        table = pte_to_pa(*e);
    }
    return (volatile uint64_t *)table + idx(va, level, x4);
}

void g_map_page(unsigned n, unsigned long hpa, unsigned long flags) {
    *slot(g_root, 1, GPA(n), 0) = flags ? pa_to_pte(hpa, flags | PTE_V) : 0;
}

static void vs_map_in(unsigned long root, unsigned p, unsigned long gpa, unsigned long flags) {
    *slot(root, 0, GVA(p), 0) = flags ? pa_to_pte(gpa, flags | PTE_V) : 0;
}
void vs_map_page(unsigned p, unsigned long gpa, unsigned long flags) { vs_map_in(vs_root, p, gpa, flags); }

// `addi a0, a0, K; ret` at a host page.
static void put_code(unsigned long hpa, unsigned k) {
    ((volatile uint32_t *)hpa)[0] = 0x00050513u | (k << 20);
    ((volatile uint32_t *)hpa)[1] = 0x00008067u;
}

static void build_vs(unsigned long root, unsigned long ram_flags) {
    // Devices and RAM identity-mapped with gigapages.
    *slot(root, 0, 0x00000000ul, 2) = pa_to_pte(0x00000000ul, PTE_V | PTE_R | PTE_W | PTE_AD);
    *slot(root, 0, 0x80000000ul, 2) = pa_to_pte(0x80000000ul, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD | ram_flags);
    unsigned long u = ram_flags & PTE_U;
    vs_map_in(root, V_OK, GPA(0), PTE_R | PTE_W | PTE_AD | u);
    vs_map_in(root, V_GRO, GPA(1), PTE_R | PTE_W | PTE_AD | u);
    vs_map_in(root, V_GNONE, GPA(2), PTE_R | PTE_W | PTE_AD | u);
    vs_map_in(root, V_GNOX, GPA(3), PTE_R | PTE_W | PTE_X | PTE_AD | u);
    vs_map_in(root, V_GX, GPA(4), PTE_R | PTE_W | PTE_X | PTE_AD | u);
    vs_map_in(root, V_VSNONE, 0, 0);
    vs_map_in(root, V_WIDE, GPA_WIDE + (host_g0 - 0x80000000ul), PTE_R | PTE_W | PTE_AD | u);
    vs_map_in(root, V_WIDER, GPA_WIDER + (host_g0 - 0x80000000ul), PTE_R | PTE_W | PTE_AD | u);
    vs_map_in(root, V_TOOWIDE, GPA_TOOWIDE, PTE_R | PTE_W | PTE_AD | u);
    vs_map_in(root, V_VSRO, GPA(0), PTE_R | PTE_A | u);
    vs_map_in(root, V_VSXONLY, GPA(4), PTE_X | PTE_A | u);
    vs_map_in(root, V_VSU, GPA(0), PTE_R | PTE_W | PTE_AD | PTE_U);
    vs_map_in(root, V_GXONLY, GPA(6), PTE_R | PTE_W | PTE_X | PTE_AD | u);
    vs_map_in(root, V_XEND, GPA(7), PTE_R | PTE_W | PTE_X | PTE_AD | u);
    vs_map_in(root, V_AFTER, GPA(8), PTE_R | PTE_W | PTE_X | PTE_AD | u);
    // The gigabyte at GVA_WALK: its next-level table is at a GPA the G stage
    // does not map, so every access faults during the VS-stage walk.
    *slot(root, 0, GVA_WALK, 2) = pa_to_pte(GPA_WALK_HOLE, PTE_V);
}

void hyp_build_tables(void) {
    host_g0 = alloc_page();
    host_g1 = alloc_page();
    host_g3 = alloc_page();
    host_g4 = alloc_page();
    host_spare = alloc_page();
    host_g7 = alloc_page();
    ((volatile uint64_t *)host_g0)[0] = 0x0000000000000a11ul;
    ((volatile uint64_t *)host_g1)[0] = 0x0000000000000b22ul;
    ((volatile uint64_t *)host_spare)[0] = 0x0000000000000c33ul;
    put_code(host_g3, 3);
    put_code(host_g4, 4);
    // c.nop, then the first half of a 32-bit addi that runs into g8.
    ((volatile uint16_t *)host_g7)[2046] = 0x0001;
    ((volatile uint16_t *)host_g7)[2047] = 0x0513;

    // G stage: the root of an x4 mode is 16 KiB, 16 KiB aligned. G-stage
    // leaves need U (all G-stage accesses are user-level).
    g_root = alloc_pages(4, 16384);
    unsigned long gu = PTE_U | PTE_AD;
    *slot(g_root, 1, 0x00000000ul, 2) = pa_to_pte(0x00000000ul, PTE_V | PTE_R | PTE_W | gu);
    *slot(g_root, 1, 0x80000000ul, 2) = pa_to_pte(0x80000000ul, PTE_V | PTE_R | PTE_W | PTE_X | gu);
    *slot(g_root, 1, GPA_WIDE, 2) = pa_to_pte(0x80000000ul, PTE_V | PTE_R | PTE_W | gu);
    *slot(g_root, 1, GPA_WIDER, 2) = pa_to_pte(0x80000000ul, PTE_V | PTE_R | PTE_W | gu);
    g_map_page(0, host_g0, PTE_R | PTE_W | gu);
    g_map_page(1, host_g1, PTE_R | gu);
    g_map_page(3, host_g3, PTE_R | PTE_W | gu);
    g_map_page(4, host_g4, PTE_R | PTE_W | PTE_X | gu);
    g_map_page(6, host_g4, PTE_X | gu);
    g_map_page(7, host_g7, PTE_R | PTE_W | PTE_X | gu);

    vs_root = alloc_page();
    build_vs(vs_root, 0);
    vs_root_u = alloc_page();
    build_vs(vs_root_u, PTE_U);
}

unsigned long hgatp_value(unsigned long vmid) {
    return ((LEVELS == 3 ? 8ul : 9ul) << 60) | (vmid << 44) | (g_root >> 12);
}
unsigned long vsatp_value(unsigned long root, unsigned long asid) {
    return ((LEVELS == 3 ? 8ul : 9ul) << 60) | (asid << 44) | (root >> 12);
}
