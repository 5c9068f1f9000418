// paging: the guest's own stage-1 MMU. Identity map (devices in the first
// GiB, RAM as Normal memory in 2 MiB blocks) plus, at VA 0x80000000, a
// page-granular alias of a RAM buffer: a read-write page, a read-only page
// and an unmapped one. Writes through the alias show at the identity
// address; the read-only and unmapped pages fault at EL1 (ESR, FAR printed).
#include "rt/vm.h"

#define PT_TABLE 3ul
#define PT_BLOCK 1ul
#define PT_PAGE 3ul
#define PT_AF (1ul << 10)
#define PT_SH_INNER (3ul << 8)
#define PT_RO (2ul << 6)          // AP[2:1] = 10: read-only at EL1
#define PT_DEVICE (0ul << 2)      // MAIR index 0
#define PT_NORMAL (1ul << 2)      // MAIR index 1
#define ALIAS_VA 0x80000000ul

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2_ram[512] __attribute__((aligned(4096)));
static uint64_t l2_alias[512] __attribute__((aligned(4096)));
static uint64_t l3_alias[512] __attribute__((aligned(4096)));
static uint8_t target[3][4096] __attribute__((aligned(4096)));

static volatile unsigned faults;
static volatile uint64_t fault_esr, fault_far;

static void on_sync(struct vm_frame *f, uint64_t esr, uint64_t far) {
    unsigned ec = ESR_EC(esr);
    if (ec != 0x24 && ec != 0x25) {
        printf("unexpected exception: ESR=%08lx ELR=%lx\n", esr, f->elr);
        vm_exit(99);
    }
    faults++;
    fault_esr = esr;
    fault_far = far;
    f->elr += 4;
}

int main(void) {
    vm_set_sync_handler(on_sync);
    l1[0] = 0 | PT_BLOCK | PT_AF | PT_DEVICE;
    l1[1] = (uint64_t)l2_ram | PT_TABLE;
    l1[2] = (uint64_t)l2_alias | PT_TABLE;
    for (unsigned i = 0; i < 512; i++)
        l2_ram[i] = (RAM_BASE + ((uint64_t)i << 21)) | PT_BLOCK | PT_AF | PT_SH_INNER | PT_NORMAL;
    l2_alias[0] = (uint64_t)l3_alias | PT_TABLE;
    l3_alias[0] = (uint64_t)target[0] | PT_PAGE | PT_AF | PT_SH_INNER | PT_NORMAL;
    l3_alias[1] = (uint64_t)target[1] | PT_PAGE | PT_AF | PT_SH_INNER | PT_NORMAL | PT_RO;
    // l3_alias[2] stays invalid.
    target[1][8] = 0x42;
    dsb(sy);
    sysreg_write(mair_el1, 0x00ul | (0xfful << 8));
    sysreg_write(tcr_el1, 25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (2ul << 32));
    sysreg_write(ttbr0_el1, (uint64_t)l1);
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
    sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | (1ul << 0) | (1ul << 2) | (1ul << 12));
    isb();
    printf("MMU on: SCTLR_EL1.M=%lu\n", sysreg_read(sctlr_el1) & 1);
    volatile uint64_t *rw = (volatile uint64_t *)ALIAS_VA;
    rw[3] = 0x1122334455667788ul;
    printf("wrote through the alias, identity reads %lx\n", ((volatile uint64_t *)target[0])[3]);
    CHECK_EQ("alias write", ((volatile uint64_t *)target[0])[3], 0x1122334455667788ul);
    volatile uint8_t *ro = (volatile uint8_t *)(ALIAS_VA + 0x1000);
    printf("read-only page reads %x\n", ro[8]);
    CHECK_EQ("read-only read", ro[8], 0x42);
    ro[8] = 0x99;
    printf("write to the read-only page: %u fault(s), ESR=%08lx FAR=%lx\n", faults, fault_esr, fault_far);
    CHECK_EQ("permission fault", fault_esr & 0x3f, 0x0f);
    CHECK_EQ("WnR", (fault_esr >> 6) & 1, 1);
    CHECK_EQ("FAR", fault_far, ALIAS_VA + 0x1008);
    CHECK_EQ("unchanged", target[1][8], 0x42);
    faults = 0;
    uint64_t v = *(volatile uint64_t *)(ALIAS_VA + 0x2010);
    (void)v;
    printf("read of the unmapped page: %u fault(s), ESR=%08lx FAR=%lx\n", faults, fault_esr, fault_far);
    CHECK_EQ("translation fault level 3", fault_esr & 0x3f, 0x07);
    CHECK_EQ("FAR", fault_far, ALIAS_VA + 0x2010);
    vm_verdict("paging");
}
