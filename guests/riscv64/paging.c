// S-mode paging (Sv39, or Sv48 with -DLEVELS=4): permissions, U/SUM/MXR,
// reserved encodings, misaligned superpages, non-canonical addresses,
// SFENCE.VMA after a PTE change, MPRV, and page faults taken to M or
// delegated to S with cause/tval/epc. Every leaf PTE has A and D set: with
// them clear QEMU updates them in hardware while hvemu faults (Svade), both
// allowed; the SPEC build checks hvemu's Svade faults and an access fault
// on a page-table read, where QEMU 7.2 reports a page fault instead.
#include "common.h"

#ifndef LEVELS
#define LEVELS 3
#endif

#define PTE_V 0x001ul
#define PTE_R 0x002ul
#define PTE_W 0x004ul
#define PTE_X 0x008ul
#define PTE_U 0x010ul
#define PTE_G 0x020ul
#define PTE_A 0x040ul
#define PTE_D 0x080ul
#define PTE_AD (PTE_A | PTE_D)

#define TEST_VA 0x40000000ul   // a 1 GiB window of 4 KiB test pages
#define HOLE 0x08000000ul      // no memory here

static char *pool;
static unsigned long alloc_page(void) {
    if (!pool) pool = __end;
    unsigned long p = (unsigned long)pool;
    pool += 4096;
    for (unsigned i = 0; i < 512; i++) ((volatile uint64_t *)p)[i] = 0;
    return p;
}

// Two roots share the test window's tables: root_s maps RAM for S (no U
// bit), root_u maps it for U (U bit; S cannot execute there).
static unsigned long root_s, root_u, win;   // win: the table below the window's gigapage entry
static unsigned vpn(unsigned long va, int level) { return (va >> (12 + 9 * level)) & 0x1ff; }
static unsigned long pte_to_pa(uint64_t pte) { return (pte >> 10) << 12; }
static uint64_t pa_to_pte(unsigned long pa, unsigned long flags) { return ((pa >> 12) << 10) | flags; }

// The PTE slot for va at `level` (0 = 4 KiB) below `table` (at level top),
// creating tables on the way.
static volatile uint64_t *slot_in(unsigned long table, int top, unsigned long va, int level) {
    for (int l = top; l > level; l--) {
        volatile uint64_t *e = (volatile uint64_t *)table + vpn(va, l);
        if (!(*e & PTE_V)) *e = pa_to_pte(alloc_page(), PTE_V);
        table = pte_to_pa(*e);
    }
    return (volatile uint64_t *)table + vpn(va, level);
}
// Slots in the test window (levels 1 and 0).
static volatile uint64_t *slot(unsigned long va, int level) { return slot_in(win, 1, va, level); }
static void map(unsigned long va, unsigned long pa, int level, unsigned long flags) {
    *slot(va, level) = pa_to_pte(pa, flags | PTE_V);
}
static void map_root(unsigned long root, unsigned long va, unsigned long pa, unsigned long flags) {
    *slot_in(root, LEVELS - 1, va, 2) = pa_to_pte(pa, flags | PTE_V);
}

static unsigned long satp_of(unsigned long root) { return ((LEVELS == 3 ? 8ul : 9ul) << 60) | (root >> 12); }
static void use_root(unsigned long root) {
    csr_write(satp, satp_of(root));
    __asm__ volatile("sfence.vma" ::: "memory");
}

// Page roles in the test window.
enum { P_R, P_RW, P_X, P_INVALID, P_URW, P_UX, P_W_ONLY, P_RESERVED, P_NONLEAF, P_RX, P_COUNT };
static unsigned long phys[P_COUNT];
static unsigned long va_of(int page) { return TEST_VA + (unsigned long)page * 4096; }

// `addi a0, a0, 1; ret` for the executable pages.
static void put_code(unsigned long pa) {
    ((volatile uint32_t *)pa)[0] = 0x00150513u;
    ((volatile uint32_t *)pa)[1] = 0x00008067u;
}

static void build(void) {
    win = alloc_page();
    for (int i = 0; i < P_COUNT; i++) {
        phys[i] = alloc_page();
        ((volatile uint64_t *)phys[i])[0] = 0x1111111111111111ul * (unsigned long)(i + 1);
    }
    put_code(phys[P_X]);
    put_code(phys[P_UX]);
    put_code(phys[P_RX]);
    // At the end of the RX page: c.nop, then the first half of a 32-bit
    // addi whose second half would be on the next page, which is unmapped.
    ((volatile uint16_t *)phys[P_RX])[2046] = 0x0001;
    ((volatile uint16_t *)phys[P_RX])[2047] = 0x0513;
    map(va_of(P_R), phys[P_R], 0, PTE_R | PTE_AD);
    map(va_of(P_RW), phys[P_RW], 0, PTE_R | PTE_W | PTE_AD);
    map(va_of(P_X), phys[P_X], 0, PTE_X | PTE_AD);
    *slot(va_of(P_INVALID), 0) = pa_to_pte(phys[P_INVALID], PTE_R | PTE_W | PTE_AD);  // V = 0
    map(va_of(P_URW), phys[P_URW], 0, PTE_U | PTE_R | PTE_W | PTE_AD);
    map(va_of(P_UX), phys[P_UX], 0, PTE_U | PTE_X | PTE_AD);
    map(va_of(P_W_ONLY), phys[P_W_ONLY], 0, PTE_W | PTE_AD);
    *slot(va_of(P_RESERVED), 0) = pa_to_pte(phys[P_RESERVED], PTE_V | PTE_R | PTE_W | PTE_AD) | (1ul << 60);
    map(va_of(P_NONLEAF), phys[P_NONLEAF], 0, 0);   // V=1, RWX=0 at the last level
    map(va_of(P_RX), phys[P_RX], 0, PTE_R | PTE_X | PTE_AD);
    // A 2 MiB superpage whose physical address is not 2 MiB aligned.
    map(TEST_VA + 0x200000ul, phys[P_RW], 1, PTE_R | PTE_W | PTE_AD);

    // Devices (UART, test device) and RAM identity-mapped with gigapages.
    root_s = alloc_page();
    root_u = alloc_page();
    map_root(root_s, 0x00000000ul, 0x00000000ul, PTE_R | PTE_W | PTE_AD);
    map_root(root_s, 0x80000000ul, 0x80000000ul, PTE_R | PTE_W | PTE_X | PTE_AD);
    map_root(root_u, 0x00000000ul, 0x00000000ul, PTE_R | PTE_W | PTE_AD);
    map_root(root_u, 0x80000000ul, 0x80000000ul, PTE_U | PTE_R | PTE_W | PTE_X | PTE_AD);
    *slot_in(root_s, LEVELS - 1, TEST_VA, 2) = pa_to_pte(win, PTE_V);
    *slot_in(root_u, LEVELS - 1, TEST_VA, 2) = pa_to_pte(win, PTE_V);
}

// ---- Accesses, run in S or U
static unsigned long do_load(unsigned long a) { return *(volatile uint64_t *)a; }
static unsigned long do_store(unsigned long a) {
    *(volatile uint64_t *)a = 0xabcdul;
    return 0;
}
static unsigned long do_fetch(unsigned long a) {
    register unsigned long a0 __asm__("a0") = 41;
    __asm__ volatile("jalr ra, 0(%1)" : "+r"(a0) : "r"(a) : "ra", "memory");
    return a0;
}

#ifndef SPEC
static const char *const page_names[] = {"R", "RW", "X", "invalid", "U+RW", "U+X", "W-only", "reserved-bit",
                                         "nonleaf-at-0", "RX"};

static void report(const char *who, const char *what, int page, unsigned long v) {
    printf("%s %-5s %-13s: ", who, what, page >= 0 ? page_names[page] : "");
    if (trap_m.count) {
        printf("M trap cause %lu tval=%lx epc=%lx\n", trap_m.cause, trap_m.tval, trap_m.epc);
    } else if (trap_s.count) {
        printf("S trap cause %lu tval=%lx epc=%lx SPP %lu\n", trap_s.cause, trap_s.tval, trap_s.epc,
               (trap_s.status >> 8) & 1);
    } else {
        printf("ok %lx\n", v);
    }
}

static void access_all(const char *who, unsigned long mode) {
    for (int p = 0; p < P_COUNT; p++) {
        trap_clear();
        unsigned long v = rt_enter(mode, do_load, va_of(p));
        report(who, "load", p, v);
        trap_clear();
        v = rt_enter(mode, do_store, va_of(p));
        report(who, "store", p, v);
        trap_clear();
        v = rt_enter(mode, do_fetch, va_of(p));
        report(who, "fetch", p, v);
    }
}

static void one(const char *who, const char *what, unsigned long mode, unsigned long (*fn)(unsigned long),
                unsigned long va) {
    trap_clear();
    unsigned long v = rt_enter(mode, fn, va);
    report(who, what, -1, v);
}

static void test_all(void) {
    use_root(root_s);
    printf("satp mode %lu\n", csr_read(satp) >> 60);
    access_all("S", RT_MODE_S);
    csr_set(mstatus, MSTATUS_SUM);
    access_all("S+SUM", RT_MODE_S);
    csr_clear(mstatus, MSTATUS_SUM);
    csr_set(mstatus, MSTATUS_MXR);
    one("S+MXR", "load X page", RT_MODE_S, do_load, va_of(P_X));
    csr_clear(mstatus, MSTATUS_MXR);
    use_root(root_u);
    access_all("U", RT_MODE_U);
    csr_set(mstatus, MSTATUS_MXR);
    one("U+MXR", "load U+X page", RT_MODE_U, do_load, va_of(P_UX));
    csr_clear(mstatus, MSTATUS_MXR);
    use_root(root_s);

    one("S", "superpage misaligned", RT_MODE_S, do_load, TEST_VA + 0x200000ul);
    one("S", "unmapped in window", RT_MODE_S, do_load, TEST_VA + 0x400000ul);
    one("S", "non-canonical", RT_MODE_S, do_load, 0x4000000000000000ul);
    one("S", "non-canonical store", RT_MODE_S, do_store, 0x0000800000000000ul);
    one("S", "high canonical unmapped", RT_MODE_S, do_load, 0xffffffffc0000000ul);
    // A misaligned load inside a mapped page works (as in the bare case);
    // one that crosses into an unmapped page faults at the unmapped byte's
    // page... or at the access address: both are allowed, so not compared.
    one("S", "misaligned in page", RT_MODE_S, do_load, va_of(P_RW) + 3);
    // An instruction straddling into an unmapped page: the fault's tval is
    // the start of that page, epc the instruction's address.
    one("S", "fetch straddling into unmapped", RT_MODE_S, do_fetch, va_of(P_RX) + 4092);

    // Faults delegated to S (the S handler runs with root_s).
    csr_write(medeleg, (1ul << 12) | (1ul << 13) | (1ul << 15));
    one("S deleg", "load invalid", RT_MODE_S, do_load, va_of(P_INVALID));
    one("S deleg", "store R", RT_MODE_S, do_store, va_of(P_R));
    one("S deleg", "fetch RW", RT_MODE_S, do_fetch, va_of(P_RW));
    one("S deleg", "load U page", RT_MODE_S, do_load, va_of(P_URW));
    csr_write(medeleg, 0);

    // SFENCE.VMA after a PTE change: the new mapping is used.
    one("S", "before remap", RT_MODE_S, do_load, va_of(P_RW));
    map(va_of(P_RW), phys[P_R], 0, PTE_R | PTE_W | PTE_AD);
    __asm__ volatile("sfence.vma %0, zero" :: "r"(va_of(P_RW)) : "memory");
    one("S", "after remap", RT_MODE_S, do_load, va_of(P_RW));
    *slot(va_of(P_RW), 0) = 0;
    __asm__ volatile("sfence.vma" ::: "memory");
    one("S", "after unmap", RT_MODE_S, do_load, va_of(P_RW));
    map(va_of(P_RW), phys[P_RW], 0, PTE_R | PTE_W | PTE_AD);
    __asm__ volatile("sfence.vma" ::: "memory");

    // MPRV: M-mode loads and stores translated with MPP's privilege.
    unsigned long v;
    trap_clear();
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, RT_MODE_S);
    __asm__ volatile("csrs mstatus, %1\n\tld %0, 0(%2)\n\tcsrc mstatus, %1"
                     : "=&r"(v) : "r"(MSTATUS_MPRV), "r"(va_of(P_R)) : "memory");
    report("M+MPRV(S)", "load", P_R, v);
    trap_clear();
    __asm__ volatile("csrs mstatus, %1\n\tsd %2, 0(%3)\n\tcsrc mstatus, %1"
                     : "=&r"(v) : "r"(MSTATUS_MPRV), "r"(1ul), "r"(va_of(P_R)) : "memory");
    report("M+MPRV(S)", "store", P_R, 0);
    trap_clear();
    csr_clear(mstatus, MSTATUS_MPP);   // MPP = U
    __asm__ volatile("csrs mstatus, %1\n\tld %0, 0(%2)\n\tcsrc mstatus, %1"
                     : "=&r"(v) : "r"(MSTATUS_MPRV), "r"(va_of(P_URW)) : "memory");
    report("M+MPRV(U)", "load", P_URW, v);
    trap_clear();
    __asm__ volatile("csrs mstatus, %1\n\tld %0, 0(%2)\n\tcsrc mstatus, %1"
                     : "=&r"(v) : "r"(MSTATUS_MPRV), "r"(va_of(P_RW)) : "memory");
    report("M+MPRV(U)", "load", P_RW, v);
    csr_set(mstatus, MSTATUS_MPP);

    // Bare mode again.
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    one("S bare", "load phys", RT_MODE_S, do_load, phys[P_R]);
}
#endif

#ifdef SPEC
// Svade: a leaf with A=0 (any access) or D=0 (a store) raises a page fault.
// A PTE read that hits no memory is an access fault for the original access.
static void test_spec(void) {
    put_code(phys[P_RW]);
    map(va_of(P_RW), phys[P_RW], 0, PTE_R | PTE_W | PTE_X | PTE_D);   // A = 0
    map(va_of(P_R), phys[P_R], 0, PTE_R | PTE_W | PTE_A);             // D = 0
    // The gigabyte at 0xc0000000 points at a next-level table in the hole.
    unsigned long hole_va = 0xc0000000ul;
    *slot_in(root_s, LEVELS - 1, hole_va, 2) = pa_to_pte(HOLE, PTE_V);
    use_root(root_s);
    trap_clear();
    unsigned long v = rt_enter(RT_MODE_S, do_load, va_of(P_RW));
    (void)v;
    printf("A=0 load: trap %lu cause %lu tval=page+%lx\n", trap_m.count, trap_m.cause, trap_m.tval - va_of(P_RW));
    trap_clear();
    v = rt_enter(RT_MODE_S, do_fetch, va_of(P_RW));
    printf("A=0 fetch: trap %lu cause %lu tval=page+%lx\n", trap_m.count, trap_m.cause, trap_m.tval - va_of(P_RW));
    trap_clear();
    v = rt_enter(RT_MODE_S, do_load, va_of(P_R));
    printf("D=0 load: trap %lu value %lx\n", trap_m.count, v);
    trap_clear();
    rt_enter(RT_MODE_S, do_store, va_of(P_R) + 8);
    printf("D=0 store: trap %lu cause %lu tval=page+%lx\n", trap_m.count, trap_m.cause, trap_m.tval - va_of(P_R));
    trap_clear();
    rt_enter(RT_MODE_S, do_load, hole_va + 0x10);
    printf("PTE in no memory, load: trap %lu cause %lu tval=%lx\n", trap_m.count, trap_m.cause, trap_m.tval);
    trap_clear();
    rt_enter(RT_MODE_S, do_store, hole_va + 0x18);
    printf("PTE in no memory, store: trap %lu cause %lu tval=%lx\n", trap_m.count, trap_m.cause, trap_m.tval);
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
}
#endif

int main(void) {
    catch_install();
    build();
#ifdef SPEC
    test_spec();
#else
    test_all();
#endif
    printf("paging done\n");
    return 0;
}
