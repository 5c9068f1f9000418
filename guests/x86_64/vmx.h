// VMX for the vmx guest: the VMX instructions with their status (VMsucceed,
// VMfailInvalid, VMfailValid), the VMCS field encodings it uses, the
// capability MSRs and the host side's entry/exit stub (vmx_run.S).
#pragma once
#include "rt/rt.h"

enum { VM_OK = 0, VM_FAIL_INVALID = 1, VM_FAIL_VALID = 2 };
// CF = 1: VMfailInvalid; ZF = 1: VMfailValid.
#define VMX_STATUS(insn, ...)                                                                      \
    ({ uint8_t __cf, __zf;                                                                          \
       __asm__ volatile(insn "; setc %0; setz %1" : "=qm"(__cf), "=qm"(__zf) : __VA_ARGS__ : "cc", "memory"); \
       __cf ? VM_FAIL_INVALID : __zf ? VM_FAIL_VALID : VM_OK; })
static inline int vmxon(uint64_t pa) { return VMX_STATUS("vmxon %2", "m"(pa)); }
static inline int vmclear(uint64_t pa) { return VMX_STATUS("vmclear %2", "m"(pa)); }
static inline int vmptrld(uint64_t pa) { return VMX_STATUS("vmptrld %2", "m"(pa)); }
static inline int vmwrite_status(uint64_t f, uint64_t v) { return VMX_STATUS("vmwrite %3, %2", "r"(f), "rm"(v)); }
static inline int vmxoff(void) { return VMX_STATUS("vmxoff", "i"(0)); }
static inline uint64_t vmread(uint64_t f) {
    uint64_t v = 0;
    __asm__ volatile("vmread %1, %0" : "+rm"(v) : "r"(f) : "cc");
    return v;
}
static inline int vmread_status(uint64_t f, uint64_t *v) { return VMX_STATUS("vmread %2, %3", "r"(f), "m"(*v)); }
static inline int invept_all(void) {
    struct { uint64_t eptp, zero; } d = {0, 0};
    return VMX_STATUS("invept %2, %3", "m"(d), "r"(2ul));
}

// Guest registers the stub loads before VM entry and saves after a VM exit
// (RSP, RIP and RFLAGS live in the VMCS).
struct vmx_gprs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};
// Enters the guest (VMLAUNCH, or VMRESUME if `launched`); returns VM_OK
// after a VM exit, or the VMfail kind of the failed entry instruction.
int vmx_run(struct vmx_gprs *g, int launched);

// ---- Capability MSRs
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_EXIT 0x483
#define MSR_VMX_ENTRY 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT 0x48f
#define MSR_VMX_TRUE_ENTRY 0x490

// ---- VMCS fields
enum {
    GUEST_ES_SEL = 0x800, GUEST_CS_SEL = 0x802, GUEST_SS_SEL = 0x804, GUEST_DS_SEL = 0x806,
    GUEST_FS_SEL = 0x808, GUEST_GS_SEL = 0x80a, GUEST_LDTR_SEL = 0x80c, GUEST_TR_SEL = 0x80e,
    HOST_ES_SEL = 0xc00, HOST_CS_SEL = 0xc02, HOST_SS_SEL = 0xc04, HOST_DS_SEL = 0xc06,
    HOST_FS_SEL = 0xc08, HOST_GS_SEL = 0xc0a, HOST_TR_SEL = 0xc0c,
    IO_BITMAP_A = 0x2000, IO_BITMAP_B = 0x2002, MSR_BITMAP = 0x2004, EPT_POINTER = 0x201a,
    GUEST_PHYS_ADDR = 0x2400, VMCS_LINK = 0x2800, GUEST_EFER = 0x2806, HOST_EFER = 0x2c02,
    PIN_CONTROLS = 0x4000, PROC_CONTROLS = 0x4002, EXCEPTION_BITMAP = 0x4004, CR3_TARGET_COUNT = 0x400a,
    EXIT_CONTROLS = 0x400c, EXIT_MSR_STORE_COUNT = 0x400e, EXIT_MSR_LOAD_COUNT = 0x4010,
    ENTRY_CONTROLS = 0x4012, ENTRY_MSR_LOAD_COUNT = 0x4014, ENTRY_INTR_INFO = 0x4016,
    ENTRY_EXC_ERROR = 0x4018, ENTRY_INSN_LEN = 0x401a, PROC2_CONTROLS = 0x401e,
    VM_INSN_ERROR = 0x4400, EXIT_REASON = 0x4402, EXIT_INTR_INFO = 0x4404, EXIT_INTR_ERROR = 0x4406,
    IDT_VECTORING_INFO = 0x4408, EXIT_INSN_LEN = 0x440c, EXIT_INSN_INFO = 0x440e,
    GUEST_ES_LIMIT = 0x4800, GUEST_GDTR_LIMIT = 0x4810, GUEST_IDTR_LIMIT = 0x4812,
    GUEST_ES_AR = 0x4814, GUEST_INTERRUPTIBILITY = 0x4824, GUEST_ACTIVITY = 0x4826, GUEST_SYSENTER_CS = 0x482a,
    HOST_SYSENTER_CS = 0x4c00,
    CR0_MASK = 0x6000, CR4_MASK = 0x6002, CR0_SHADOW = 0x6004, CR4_SHADOW = 0x6006,
    EXIT_QUALIFICATION = 0x6400, GUEST_LINEAR_ADDR = 0x640a,
    GUEST_CR0 = 0x6800, GUEST_CR3 = 0x6802, GUEST_CR4 = 0x6804, GUEST_ES_BASE = 0x6806,
    GUEST_GDTR_BASE = 0x6816, GUEST_IDTR_BASE = 0x6818, GUEST_DR7 = 0x681a, GUEST_RSP = 0x681c,
    GUEST_RIP = 0x681e, GUEST_RFLAGS = 0x6820, GUEST_PENDING_DBG = 0x6822,
    GUEST_SYSENTER_ESP = 0x6824, GUEST_SYSENTER_EIP = 0x6826,
    HOST_CR0 = 0x6c00, HOST_CR3 = 0x6c02, HOST_CR4 = 0x6c04, HOST_FS_BASE = 0x6c06, HOST_GS_BASE = 0x6c08,
    HOST_TR_BASE = 0x6c0a, HOST_GDTR_BASE = 0x6c0c, HOST_IDTR_BASE = 0x6c0e,
    HOST_SYSENTER_ESP = 0x6c10, HOST_SYSENTER_EIP = 0x6c12, HOST_RSP = 0x6c14, HOST_RIP = 0x6c16,
};
// Segment n (ES 0, CS 1, SS 2, DS 3, FS 4, GS 5, LDTR 6, TR 7): fields are 2 apart.
#define GUEST_SEG_SEL(n) (GUEST_ES_SEL + 2 * (n))
#define GUEST_SEG_LIMIT(n) (GUEST_ES_LIMIT + 2 * (n))
#define GUEST_SEG_AR(n) (GUEST_ES_AR + 2 * (n))
#define GUEST_SEG_BASE(n) (GUEST_ES_BASE + 2 * (n))

// Controls
#define PIN_EXT_INT_EXITING (1u << 0)
#define PROC_INT_WINDOW (1u << 2)
#define PROC_HLT_EXITING (1u << 7)
#define PROC_CR3_LOAD (1u << 15)
#define PROC_CR3_STORE (1u << 16)
#define PROC_IO_BITMAPS (1u << 25)
#define PROC_MSR_BITMAPS (1u << 28)
#define PROC_SECONDARY (1u << 31)
#define PROC2_EPT (1u << 1)
#define PROC2_UNRESTRICTED (1u << 7)
#define EXIT_HOST_64 (1u << 9)
#define EXIT_ACK_INTR (1u << 15)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define ENTRY_IA32E (1u << 9)
#define ENTRY_LOAD_EFER (1u << 15)

// Exit reasons
enum {
    EXIT_EXCEPTION = 0, EXIT_EXT_INT = 1, EXIT_TRIPLE_FAULT = 2, EXIT_INT_WINDOW = 7, EXIT_CPUID = 10,
    EXIT_HLT = 12, EXIT_VMCALL = 18, EXIT_CR = 28, EXIT_IO = 30, EXIT_RDMSR = 31, EXIT_WRMSR = 32,
    EXIT_BAD_GUEST = 33, EXIT_EPT_VIOLATION = 48,
};
