// hello: console output over SBI, the legacy console_putchar first, then
// the debug console extension (DBCN write and write_byte) when the SBI
// implementation offers it. OpenSBI 1.1 does not; the same text then goes
// through legacy putchar, so the output is identical everywhere.
#include "rt/vm.h"

static const char dbcn_msg[] = "hello over SBI DBCN write\n";
static const char byte_msg[] = "hello over SBI DBCN write_byte\n";

static unsigned long len(const char *s) {
    unsigned long n = 0;
    while (s[n]) n++;
    return n;
}

int main(unsigned long hartid, unsigned long dtb) {
    printf("hello from hart %lu over SBI legacy putchar\n", hartid);
    // The device tree blob starts with the big-endian magic 0xd00dfeed.
    const volatile uint8_t *fdt = (const volatile uint8_t *)dtb;
    printf("device tree magic: %s\n",
           fdt[0] == 0xd0 && fdt[1] == 0x0d && fdt[2] == 0xfe && fdt[3] == 0xed ? "ok" : "bad");
    if (sbi_probe(SBI_EXT_DBCN)) {
        long n = sbi_dbcn_write(dbcn_msg, len(dbcn_msg));
        if (n != (long)len(dbcn_msg)) printf("DBCN write returned %ld\n", n);
        for (const char *p = byte_msg; *p; p++) sbi_dbcn_write_byte((uint8_t)*p);
    } else {
        vm_puts(dbcn_msg);
        vm_puts(byte_msg);
    }
    vm_puts("bye\n");
    vm_exit(0);
}
