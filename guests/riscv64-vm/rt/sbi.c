// SBI calls from S-mode (VS-mode under a hypervisor).
#include "vm.h"

struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
                       unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    register unsigned long r0 __asm__("a0") = a0;
    register unsigned long r1 __asm__("a1") = a1;
    register unsigned long r2 __asm__("a2") = a2;
    register unsigned long r3 __asm__("a3") = a3;
    register unsigned long r4 __asm__("a4") = a4;
    register unsigned long r5 __asm__("a5") = a5;
    register unsigned long r6 __asm__("a6") = fid;
    register unsigned long r7 __asm__("a7") = eid;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(r1)
                     : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
                     : "memory");
    struct sbiret r = {(long)r0, (long)r1};
    return r;
}

// Legacy calls return their result in a0 only.
static long legacy(unsigned long eid, unsigned long a0) {
    register unsigned long r0 __asm__("a0") = a0;
    register unsigned long r7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r7) : "memory", "a1");
    return (long)r0;
}

void sbi_legacy_putchar(int c) { legacy(1, (unsigned long)(unsigned char)c); }
long sbi_legacy_getchar(void) { return legacy(2, 0); }
void sbi_legacy_set_timer(uint64_t stime) { legacy(0, stime); }
_Noreturn void sbi_legacy_shutdown(void) {
    legacy(8, 0);
    for (;;) wfi();
}

long sbi_probe(unsigned long eid) { return sbi_call(SBI_EXT_BASE, 3, eid, 0, 0, 0, 0, 0).value; }
long sbi_spec_version(void) { return sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0, 0, 0).value; }
void sbi_set_timer(uint64_t stime) { sbi_call(SBI_EXT_TIME, 0, stime, 0, 0, 0, 0, 0); }

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base) {
    return sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0, 0).error;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque) {
    return sbi_call(SBI_EXT_HSM, 0, hartid, start_addr, opaque, 0, 0, 0).error;
}

_Noreturn void sbi_hart_stop(void) {
    sbi_call(SBI_EXT_HSM, 1, 0, 0, 0, 0, 0, 0);
    for (;;) wfi();
}

long sbi_hart_status(unsigned long hartid) {
    struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0, 0, 0, 0);
    return r.error ? r.error : r.value;
}

// The buffer is addressed physically: the guests run with satp = 0 here
// or identity-map their RAM.
long sbi_dbcn_write(const char *buf, unsigned long len) {
    struct sbiret r = sbi_call(SBI_EXT_DBCN, 0, len, (unsigned long)buf, 0, 0, 0, 0);
    return r.error ? r.error : r.value;
}

long sbi_dbcn_write_byte(uint8_t b) { return sbi_call(SBI_EXT_DBCN, 2, b, 0, 0, 0, 0, 0).error; }

long sbi_system_reset(unsigned long type, unsigned long reason) {
    return sbi_call(SBI_EXT_SRST, 0, type, reason, 0, 0, 0, 0).error;
}

// An SBI that refuses the vendor reason (OpenSBI 1.1 does) still gets
// "system failure", then the legacy shutdown.
_Noreturn void vm_exit(int code) {
    if (code == 0) {
        sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE);
    } else {
        sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_EXIT(code & 0xff));
        sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
    }
    sbi_legacy_shutdown();
}

__attribute__((weak)) void vm_secondary_main(unsigned long hartid, unsigned long opaque) {
    (void)hartid;
    (void)opaque;
}
