// mmio_sext: sign-extending loads (ldrsb/ldrsh/ldrsw into W and X) from
// device registers whose top bit is set, next to the zero-extending ones.
// Under a hypervisor each is an MMIO exit whose completion must honour the
// access size, sign extension and register width (ESR_EL2 SAS/SSE/SF).
//   PL011 UARTFR (0x018) idle: 0x90 (TXFE, RXFE); CellID1/CellID3 (0xff4,
//   0xffc): 0xf0, 0xb1; UARTIBRD (0x024) after writing 0x8001.
//   GICD_IPRIORITYR8 (0x420, SPIs 32-35) after writing 0xa0a0a0a0.
#include "rt/vm.h"

#define LOAD(insn, addr)                                                     \
    ({                                                                       \
        uint64_t __r = 0x5555555555555555ul;                                 \
        __asm__ volatile(insn " [%1]" : "+r"(__r) : "r"(addr) : "memory");   \
        __r;                                                                 \
    })

struct load {
    const char *what;
    uint64_t got, want;
};

static void report(const struct load *t, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        printf("%-28s = %016lx\n", t[i].what, t[i].got);
        CHECK_EQ(t[i].what, t[i].got, t[i].want);
    }
}

int main(void) {
    unsigned long fr = PL011_BASE + 0x18, cell1 = PL011_BASE + 0xff4, cell3 = PL011_BASE + 0xffc;
    unsigned long ibrd = PL011_BASE + 0x24, prio = GICD_BASE + 0x420;
    struct load uart[] = {
        {"ldrb w, UARTFR", LOAD("ldrb %w0,", fr), 0x90},
        {"ldrsb w, UARTFR", LOAD("ldrsb %w0,", fr), 0xffffff90},
        {"ldrsb x, UARTFR", LOAD("ldrsb %0,", fr), 0xffffffffffffff90},
        {"ldrsb w, CellID1", LOAD("ldrsb %w0,", cell1), 0xfffffff0},
        {"ldrsb x, CellID3", LOAD("ldrsb %0,", cell3), 0xffffffffffffffb1},
        {"ldr w, CellID3", LOAD("ldr %w0,", cell3), 0xb1},
        {"ldrsw x, CellID3", LOAD("ldrsw %0,", cell3), 0xb1},
    };
    report(uart, sizeof uart / sizeof uart[0]);
    uint32_t old_ibrd = mmio_r32(ibrd);
    mmio_w32(ibrd, 0x8001);
    struct load half[] = {
        {"ldrh w, UARTIBRD", LOAD("ldrh %w0,", ibrd), 0x8001},
        {"ldrsh w, UARTIBRD", LOAD("ldrsh %w0,", ibrd), 0xffff8001},
        {"ldrsh x, UARTIBRD", LOAD("ldrsh %0,", ibrd), 0xffffffffffff8001},
    };
    report(half, sizeof half / sizeof half[0]);
    mmio_w32(ibrd, old_ibrd);
    mmio_w32(prio, 0xa0a0a0a0u);
    struct load word[] = {
        {"ldr w, GICD_IPRIORITYR8", LOAD("ldr %w0,", prio), 0xa0a0a0a0},
        {"ldrsw x, GICD_IPRIORITYR8", LOAD("ldrsw %0,", prio), 0xffffffffa0a0a0a0},
        {"ldrsb x, IPRIORITYR byte 33", LOAD("ldrsb %0,", prio + 1), 0xffffffffffffffa0},
    };
    report(word, sizeof word / sizeof word[0]);
    vm_verdict("mmio_sext");
}
