// Two-stage translation. EL2 builds stage-2 tables (VTCR_EL2, VTTBR_EL2;
// IPA = PA for RAM and the PL011, nothing else), sets HCR_EL2.VM and runs
// EL1, which turns on its own stage-1 MMU and then:
//   - reads and writes an emulated device at unmapped IPAs: EL2 decodes
//     the syndrome (ISV, SAS, SSE, SRT, SF, WnR; FAR, HPFAR), completes
//     loads with the sign extension asked for (ldrsb/ldrsh/ldrsw into W
//     and X) and takes store data from the register, then steps over;
//   - accesses with no valid syndrome (post-index, pairs);
//   - writes a read-only page (stage-2 permission fault: EL2 makes it
//     writable and the store runs again);
//   - reads an unmapped RAM page (EL2 maps it and the load runs again);
//   - reads through a stage-1 table that stage 2 does not map (S1PTW);
//   - branches into an IPA stage 2 does not map (instruction abort).
#include "catch.h"

// ---- Stage 2 (EL2)
#define S2_TABLE 3ul
#define S2_BLOCK 1ul
#define S2_PAGE 3ul
#define S2_AF (1ul << 10)
#define S2_SH_INNER (3ul << 8)
#define S2_RO (1ul << 6)
#define S2_RW (3ul << 6)
#define S2_NORMAL (0xful << 2)   // MemAttr: Normal, outer and inner write-back
#define S2_DEVICE (0x1ul << 2)   // MemAttr: Device-nGnRE
#define S2_RAM (S2_AF | S2_SH_INNER | S2_NORMAL)

static uint64_t s2_l1[512] __attribute__((aligned(4096)));
static uint64_t s2_l2_low[512] __attribute__((aligned(4096)));
static uint64_t s2_l2_ram[512] __attribute__((aligned(4096)));
static uint64_t s2_l3[512] __attribute__((aligned(4096)));

// The 2 MiB at TEST_BASE are mapped with pages: EL1's stage-1 tables,
// then the test pages.
#define TEST_BASE 0x40400000ul
#define PG(n) (TEST_BASE + (n) * 0x1000ul)
#define RO_PAGE PG(16)        // stage 2: read-only
#define LAZY_PAGE PG(17)      // stage 2: unmapped until first touched
#define S1_TABLE_PAGE PG(18)  // a stage-1 level-3 table stage 2 maps on demand
#define DATA_PAGE PG(19)      // reached through that table
#define NOEXEC_PAGE PG(20)    // stage 2: unmapped, branched to
#define MMIO_IPA 0x0c000000ul // an emulated device: not mapped in stage 2
#define S1PTW_VA 0x60000000ul

static void s2_build(void) {
    s2_l1[0] = (uint64_t)s2_l2_low | S2_TABLE;
    s2_l1[1] = (uint64_t)s2_l2_ram | S2_TABLE;
    s2_l2_low[PL011_BASE >> 21] = (PL011_BASE & ~0x1ffffful) | S2_BLOCK | S2_AF | S2_RW | S2_DEVICE;
    for (unsigned i = 0; i < 64; i++) s2_l2_ram[i] = (RAM_BASE + ((uint64_t)i << 21)) | S2_BLOCK | S2_RAM | S2_RW;
    s2_l2_ram[(TEST_BASE - RAM_BASE) >> 21] = (uint64_t)s2_l3 | S2_TABLE;
    for (unsigned i = 0; i < 16; i++) s2_l3[i] = PG(i) | S2_PAGE | S2_RAM | S2_RW;
    s2_l3[16] = RO_PAGE | S2_PAGE | S2_RAM | S2_RO;
    s2_l3[19] = DATA_PAGE | S2_PAGE | S2_RAM | S2_RW;
    dsb(sy);
    // T0SZ 25 (39-bit IPA), SL0 = 1 (start at level 1), write-back walks,
    // inner shareable, 4 KiB granule, PS = 40 bits, RES1 bit 31.
    sysreg_write(vtcr_el2, 25ul | (1ul << 6) | (1ul << 8) | (1ul << 10) | (3ul << 12) | (2ul << 16) | (1ul << 31));
    sysreg_write(vttbr_el2, (uint64_t)s2_l1 | (1ul << 48));   // VMID 1
    isb();
    __asm__ volatile("tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
}

static void s2_invalidate(uint64_t ipa) {
    __asm__ volatile("dsb ishst\n tlbi ipas2e1is, %0\n dsb ish\n tlbi vmalle1is\n dsb ish\n isb"
                     :: "r"(ipa >> 12) : "memory");
}

// ---- The emulated device and the EL2 fault handler
static const uint64_t device_value = 0x8182838485868788ul;
static uint64_t last_store;
static unsigned last_store_size;

static uint64_t extend(uint64_t v, unsigned size, int sse, int sf) {
    unsigned bits = 8u << size;
    if (bits < 64) v &= (1ul << bits) - 1;
    if (sse && bits < 64 && (v >> (bits - 1)) & 1) v |= ~0ul << bits;
    if (!sf) v &= 0xfffffffful;
    return v;
}

static void print_syndrome(uint64_t esr, uint64_t ipa) {
    printf("  [EL2] %s abort: ESR=%08lx FAR=%lx HPFAR=%lx (IPA page %lx) ",
           ESR_EC(esr) == EC_IABT_LOW ? "instruction" : "data", esr, sysreg_read(far_el2), sysreg_read(hpfar_el2), ipa);
    if (esr & ISS_ISV)
        printf("ISV SAS=%lu SSE=%d SRT=%lu SF=%d AR=%d ", ISS_SAS(esr), (esr & ISS_SSE) != 0, ISS_SRT(esr),
               (esr & ISS_SF) != 0, (esr & ISS_AR) != 0);
    else
        printf("no ISV ");
    printf("S1PTW=%d WnR=%d DFSC=%02lx\n", (esr & ISS_S1PTW) != 0, (esr & ISS_WNR) != 0, ISS_DFSC(esr));
}

static int on_abort(struct rt_frame *f, uint64_t esr) {
    unsigned ec = ESR_EC(esr);
    if (ec != EC_DABT_LOW && ec != EC_IABT_LOW) return 0;
    // HPFAR gives the faulting IPA's page; for an access (not a stage-1
    // walk) the offset in the page is FAR's.
    uint64_t page = (sysreg_read(hpfar_el2) >> 4) << 12;
    uint64_t ipa = page | (esr & ISS_S1PTW ? 0 : sysreg_read(far_el2) & 0xfff);
    print_syndrome(esr, page);
    exc_clear();   // every abort is printed here; the record is not needed
    if (ec == EC_IABT_LOW) return 0;   // back to the caller (x30)
    if ((ipa & ~0xfffful) == MMIO_IPA) {
        if (!(esr & ISS_ISV)) return 0;   // nothing to emulate with: skip it
        unsigned rt = ISS_SRT(esr), size = ISS_SAS(esr);
        if (esr & ISS_WNR) {
            last_store = rt == 31 ? 0 : extend(f->x[rt], size, 0, 1);
            last_store_size = 1u << size;
        } else if (rt != 31) {
            f->x[rt] = extend(device_value >> (8 * (ipa & 7)), size, (esr & ISS_SSE) != 0, (esr & ISS_SF) != 0);
        }
        return 0;   // step over it
    }
    if (page == RO_PAGE && (esr & ISS_WNR)) {
        CHECK_EQ("read-only page: permission fault, level 3", ISS_DFSC(esr), 0x0f);
        printf("  [EL2] making %lx writable\n", page);
        s2_l3[16] = RO_PAGE | S2_PAGE | S2_RAM | S2_RW;
    } else if (page == LAZY_PAGE || page == S1_TABLE_PAGE) {
        CHECK_EQ("unmapped page: translation fault, level 3", ISS_DFSC(esr), 0x07);
        CHECK_EQ("S1PTW set for the stage-1 table only", (esr & ISS_S1PTW) != 0, page == S1_TABLE_PAGE);
        printf("  [EL2] mapping %lx\n", page);
        s2_l3[(page - TEST_BASE) >> 12] = page | S2_PAGE | S2_RAM | S2_RW;
    } else {
        printf("  [EL2] unexpected stage-2 fault\n");
        rt_exit(90);
    }
    s2_invalidate(page);
    return 1;   // run it again
}

// ---- EL1
#define S1_TABLE 3ul
#define S1_BLOCK 1ul
#define S1_PAGE 3ul
#define S1_AF (1ul << 10)
#define S1_SH_INNER (3ul << 8)
#define S1_DEVICE (0ul << 2)   // AttrIndx 0
#define S1_NORMAL (1ul << 2)   // AttrIndx 1

static void el1_mmu_on(void) {
    uint64_t *l1 = (uint64_t *)PG(0), *l2 = (uint64_t *)PG(1), *l3 = (uint64_t *)PG(2);
    for (unsigned i = 0; i < 512; i++) l1[i] = l2[i] = l3[i] = 0;
    l1[0] = 0 | S1_BLOCK | S1_AF | S1_DEVICE;   // devices, as VA = IPA
    l1[1] = (uint64_t)l2 | S1_TABLE;
    for (unsigned i = 0; i < 64; i++) l2[i] = (RAM_BASE + ((uint64_t)i << 21)) | S1_BLOCK | S1_AF | S1_SH_INNER | S1_NORMAL;
    l2[(TEST_BASE - RAM_BASE) >> 21] = (uint64_t)l3 | S1_TABLE;
    for (unsigned i = 0; i < 512; i++) l3[i] = PG(i) | S1_PAGE | S1_AF | S1_SH_INNER | S1_NORMAL;
    l2[(S1PTW_VA - RAM_BASE) >> 21] = S1_TABLE_PAGE | S1_TABLE;
    dsb(sy);
    sysreg_write(mair_el1, 0x00ul | (0xfful << 8));
    // T0SZ 25, write-back walks, inner shareable, 4 KiB granule, EPD1, IPS 40 bits.
    sysreg_write(tcr_el1, 25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (2ul << 32));
    sysreg_write(ttbr0_el1, (uint64_t)l1);
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
    sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | (1ul << 0) | (1ul << 2) | (1ul << 12));
    isb();
}

// A load into a given register, so that SRT is known.
#define LOAD(insn, reg, addr)                                                       \
    ({                                                                              \
        register uint64_t __r __asm__(reg) = 0x5555555555555555ul;                  \
        __asm__ volatile(insn " [%1]" : "+r"(__r) : "r"(addr) : "memory");          \
        __r;                                                                        \
    })

static void mmio_loads(void) {
    uint64_t a = MMIO_IPA + 0x10;
    struct { const char *name; uint64_t got, want; } t[] = {
        {"ldrb w3", LOAD("ldrb w3,", "x3", a), 0x88},
        {"ldrh w4", LOAD("ldrh w4,", "x4", a), 0x8788},
        {"ldr w5", LOAD("ldr w5,", "x5", a), 0x85868788},
        {"ldr x6", LOAD("ldr x6,", "x6", a), 0x8182838485868788},
        {"ldrsb w7", LOAD("ldrsb w7,", "x7", a), 0xffffff88},
        {"ldrsb x8", LOAD("ldrsb x8,", "x8", a), 0xffffffffffffff88},
        {"ldrsh w9", LOAD("ldrsh w9,", "x9", a), 0xffff8788},
        {"ldrsh x10", LOAD("ldrsh x10,", "x10", a), 0xffffffffffff8788},
        {"ldrsw x11", LOAD("ldrsw x11,", "x11", a), 0xffffffff85868788},
        {"ldrb w12 +6", LOAD("ldrb w12,", "x12", a + 6), 0x82},
        {"ldar w13", LOAD("ldar w13,", "x13", a), 0x85868788},
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        printf("[EL1] %-12s -> %016lx\n", t[i].name, t[i].got);
        CHECK_EQ(t[i].name, t[i].got, t[i].want);
    }
}

static void mmio_stores(void) {
    uint64_t a = MMIO_IPA + 0x20, v = 0xfedcba9876543210ul;
    struct { const char *name; unsigned size; uint64_t want; } t[] = {
        {"strb w", 1, 0x10}, {"strh w", 2, 0x3210}, {"str w", 4, 0x76543210}, {"str x", 8, v}, {"stlr x", 8, v},
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        last_store = 0;
        last_store_size = 0;
        switch (i) {
        case 0: __asm__ volatile("strb %w0, [%1]" :: "r"(v), "r"(a) : "memory"); break;
        case 1: __asm__ volatile("strh %w0, [%1]" :: "r"(v), "r"(a) : "memory"); break;
        case 2: __asm__ volatile("str %w0, [%1]" :: "r"(v), "r"(a) : "memory"); break;
        case 3: __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(a) : "memory"); break;
        default: __asm__ volatile("stlr %0, [%1]" :: "r"(v), "r"(a) : "memory"); break;
        }
        printf("[EL1] %-8s -> device saw %u byte(s) %lx\n", t[i].name, last_store_size, last_store);
        CHECK_EQ(t[i].name, last_store, t[i].want);
        CHECK_EQ("store size", last_store_size, t[i].size);
    }
    // wzr as the source: SRT = 31.
    last_store = 1;
    __asm__ volatile("str wzr, [%0]" :: "r"(a) : "memory");
    CHECK_EQ("str wzr", last_store, 0);
}

static void no_syndrome(void) {
    uint64_t a = MMIO_IPA + 0x30, b = a, x, y;
    printf("[EL1] ldr x, [xN], #8 (post-index: no syndrome)\n");
    __asm__ volatile("ldr %0, [%1], #8" : "=r"(x), "+r"(b) :: "memory");
    printf("[EL1] ldp (pair: no syndrome)\n");
    __asm__ volatile("ldp %0, %1, [%2]" : "=&r"(x), "=r"(y) : "r"(a) : "memory");
    (void)x;
    (void)y;
}

static unsigned long el1_main(unsigned long arg) {
    (void)arg;
    el1_mmu_on();
    printf("[EL1] stage 1 on: SCTLR_EL1.M=%lu, TTBR0_EL1=%lx\n", sysreg_read(sctlr_el1) & 1, sysreg_read(ttbr0_el1));
    mmio_loads();
    mmio_stores();
    no_syndrome();
    volatile uint64_t *ro = (volatile uint64_t *)RO_PAGE;
    printf("[EL1] read-only page reads %lx\n", ro[1]);
    CHECK_EQ("read-only page content", ro[1], 0x0123456789abcdeful);
    ro[1] = 0x1111;
    printf("[EL1] after the write: %lx\n", ro[1]);
    CHECK_EQ("write after fix-up", ro[1], 0x1111);
    volatile uint64_t *lazy = (volatile uint64_t *)(LAZY_PAGE + 0x18);
    uint64_t v = *lazy;
    printf("[EL1] lazily mapped page reads %lx\n", v);
    CHECK_EQ("lazy page content", v, 0xabcdef0123456789ul);
    v = *(volatile uint64_t *)(S1PTW_VA + 0x40);
    printf("[EL1] VA %lx (through a table stage 2 maps on demand) reads %lx\n", S1PTW_VA + 0x40, v);
    CHECK_EQ("S1PTW data", v, 0x5151515151515151ul);
    printf("[EL1] branching to %lx\n", NOEXEC_PAGE);
    __asm__ volatile("blr %0" :: "r"(NOEXEC_PAGE) : "x30", "memory");
    printf("[EL1] back from the instruction abort\n");
    return 0x5a;
}

int main(void) {
    catch_install();
    fix_hook_el2 = on_abort;
    // Content EL1 will find (written here, through EL2's flat view).
    ((volatile uint64_t *)RO_PAGE)[1] = 0x0123456789abcdeful;
    ((volatile uint64_t *)LAZY_PAGE)[3] = 0xabcdef0123456789ul;
    uint64_t *l3 = (uint64_t *)S1_TABLE_PAGE;
    for (unsigned i = 0; i < 512; i++) l3[i] = 0;
    l3[0] = DATA_PAGE | S1_PAGE | S1_AF | S1_SH_INNER | S1_NORMAL;
    ((volatile uint64_t *)DATA_PAGE)[8] = 0x5151515151515151ul;
    dsb(sy);
    s2_build();
    sysreg_write(hcr_el2, HCR_RW | HCR_VM);
    isb();
    printf("[EL2] stage 2 on: VTCR_EL2=%lx VTTBR_EL2=%lx\n", sysreg_read(vtcr_el2), sysreg_read(vttbr_el2) & ~0xffful & ((1ul << 48) - 1));
    unsigned long r = rt_enter_el1(el1_main, 0);
    printf("[EL2] EL1 returned %lx\n", r);
    CHECK_EQ("EL1 result", r, 0x5a);
    sysreg_write(hcr_el2, HCR_RW);
    isb();
    rt_verdict("stage2");
}
