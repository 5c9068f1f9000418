// paging: Sv39 inside the guest. Under a hypervisor every access is then
// translated twice (VS-stage by these tables, G-stage by the
// hypervisor's). RAM and the UART are identity-mapped with 1 GiB pages;
// 4 KiB pages alias a data page (read-write), the same page again
// (read-only), and the UART (so device accesses go through both stages).
// A store to the read-only alias and a load from an unmapped address
// give the guest its own page faults. A and D are preset in every leaf:
// hardware need not set them (Svade).
#include "rt/vm.h"

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define SATP_SV39 (8ul << 60)

#define VA_ALIAS_RW 0x100000000ul
#define VA_ALIAS_RO 0x100001000ul
#define VA_UNMAPPED 0x100002000ul
#define VA_UART 0x100003000ul

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static volatile uint64_t data_page[512] __attribute__((aligned(4096)));

static uint64_t pte(unsigned long pa, unsigned long flags) { return ((pa >> 12) << 10) | flags | PTE_V; }

static volatile unsigned long faults, last_cause, last_tval;

static void on_fault(struct vm_frame *f, unsigned long cause, unsigned long tval) {
    (void)f;
    faults++;
    last_cause = cause;
    last_tval = tval;
    unsigned long epc = csr_read(sepc);
    csr_write(sepc, epc + vm_insn_len(epc));
}

static void uart_putc_at(unsigned long base, char c) {
    while ((mmio_r8(base + 5) & 0x20) == 0) {
    }
    mmio_w8(base, (uint8_t)c);
}

int main(unsigned long hartid, unsigned long dtb) {
    (void)hartid;
    (void)dtb;
    vm_set_exc_handler(on_fault);
    const unsigned long rwx = PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
    const unsigned long rw = PTE_R | PTE_W | PTE_A | PTE_D;

    root[0] = pte(0x00000000ul, rw);           // devices: 1 GiB, identity
    root[2] = pte(0x80000000ul, rwx);          // RAM: 1 GiB, identity
    root[4] = pte((unsigned long)l1, 0);       // 0x1_0000_0000: a table
    l1[0] = pte((unsigned long)l0, 0);
    l0[0] = pte((unsigned long)data_page, rw);
    l0[1] = pte((unsigned long)data_page, PTE_R | PTE_A);
    l0[3] = pte(VM_UART_BASE, rw);

    data_page[0] = 0x1111;
    __asm__ volatile("sfence.vma" ::: "memory");
    csr_write(satp, SATP_SV39 | ((unsigned long)root >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    printf("Sv39 on: satp mode %lu\n", csr_read(satp) >> 60);

    volatile uint64_t *rw_alias = (volatile uint64_t *)VA_ALIAS_RW;
    volatile uint64_t *ro_alias = (volatile uint64_t *)VA_ALIAS_RO;
    printf("alias read: %lx\n", (unsigned long)rw_alias[0]);
    rw_alias[1] = 0xc0ffee;
    printf("identity read after alias write: %lx\n", (unsigned long)data_page[1]);
    printf("read-only alias read: %lx\n", (unsigned long)ro_alias[1]);

    ro_alias[2] = 0xbad;
    printf("store to read-only page: faults %lu, scause %lu, stval %lx, data %lx\n", faults, last_cause,
           last_tval, (unsigned long)data_page[2]);
    (void)*(volatile uint64_t *)OPAQUE(VA_UNMAPPED);
    printf("load from unmapped page: faults %lu, scause %lu, stval %lx\n", faults, last_cause, last_tval);

    const char *msg = "through the UART alias\n";
    for (const char *p = msg; *p; p++) uart_putc_at(VA_UART, *p);

    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    printf("Sv39 off\n");
    vm_exit(0);
}
