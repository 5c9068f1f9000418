// CPUID: a Skylake-like Intel part describing exactly what this core
// implements (VMX, no SVM; SSE/SSE2 only as the x86-64 baseline; XSAVE
// state x87 and SSE only; no PCID, no FSGSBASE).
#include <cstring>

#include "isa/x86/core.hpp"

namespace hvemu::x86 {

namespace {

constexpr uint32_t kMaxBasic = 0xd, kMaxExt = 0x80000008;
constexpr uint32_t kSignature = 0x000506e3;   // family 6, model 0x5e, stepping 3

// leaf 1 EDX
constexpr uint32_t kFpu = 1u << 0, kDe = 1u << 2, kPse = 1u << 3, kTsc = 1u << 4, kMsr = 1u << 5, kPae = 1u << 6;
constexpr uint32_t kCx8 = 1u << 8, kApic = 1u << 9, kMtrr = 1u << 12, kPge = 1u << 13, kCmov = 1u << 15;
constexpr uint32_t kPat = 1u << 16, kPse36 = 1u << 17, kClfsh = 1u << 19, kFxsr = 1u << 24, kSse = 1u << 25,
                   kSse2 = 1u << 26;
// leaf 1 ECX
constexpr uint32_t kVmx = 1u << 5, kX2apic = 1u << 21, kTscDeadline = 1u << 24, kXsave = 1u << 26, kOsxsave = 1u << 27;
// leaf 7 EBX/ECX
constexpr uint32_t kSmep = 1u << 7, kSmap = 1u << 20, kUmip = 1u << 2;
// 0x80000001
constexpr uint32_t kLahf64 = 1u << 0;
constexpr uint32_t kSyscall = 1u << 11, kNx = 1u << 20, kPage1g = 1u << 26, kRdtscp = 1u << 27, kLm = 1u << 29;

void str4(const char* s, uint32_t& r) { std::memcpy(&r, s, 4); }

} // namespace

void Core::cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4]) {
    settle_host();   // CPUID reads CR4
    uint32_t& a = out[0];
    uint32_t& b = out[1];
    uint32_t& c = out[2];
    uint32_t& d = out[3];
    a = b = c = d = 0;
    // Leaves past the maximum return the highest basic leaf (Intel).
    if ((leaf > kMaxBasic && leaf < 0x80000000u) || leaf > kMaxExt) {
        leaf = kMaxBasic;
        sub = 0;
    }
    switch (leaf) {
    case 0:
        a = kMaxBasic;
        str4("Genu", b);
        str4("ineI", d);
        str4("ntel", c);
        break;
    case 1:
        a = kSignature;
        b = (cfg_.apic_id << 24) | (1u << 16) | (8u << 8);   // one logical processor, CLFLUSH line 64
        // x2APIC and the TSC-deadline timer are the LAPIC's.
        c = kVmx | kXsave | ((cr4 & (1u << 18)) ? kOsxsave : 0) | (apic_ ? kX2apic | kTscDeadline : 0);
        d = kFpu | kDe | kPse | kTsc | kMsr | kPae | kCx8 | (apic_ ? kApic : 0) | kMtrr | kPge | kCmov | kPat | kPse36 |
            kClfsh | kFxsr | kSse | kSse2;
        break;
    case 7:
        if (sub == 0) {
            b = kSmep | kSmap;
            c = kUmip;
        }
        break;
    case 0xb:
        // One thread per core, one core per package: x2APIC ID = apic_id.
        c = sub & 0xff;
        if (sub == 0) {
            a = 0;
            b = 1;
            c |= 1u << 8;   // SMT level
        } else if (sub == 1) {
            a = 0;
            b = 1;
            c |= 2u << 8;   // core level
        }
        d = cfg_.apic_id;
        break;
    case 0xd:
        if (sub == 0) {
            a = 3;                                           // x87 and SSE state
            b = 576;                                         // legacy area + XSAVE header
            c = 576;
        }
        break;
    case 0x80000000: a = kMaxExt; break;
    case 0x80000001:
        c = kLahf64;
        d = kSyscall | kNx | kPage1g | kRdtscp | kLm;
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
        static const char brand[49] = "hvemu x86-64 virtual processor                  ";
        const unsigned k = leaf - 0x80000002;
        std::memcpy(out, brand + 16 * k, 16);
        if (k == 2) out[3] &= 0x00ffffff;   // NUL-terminated
        break;
    }
    case 0x80000008: a = cfg_.phys_addr_bits | (48u << 8); break;
    default: break;
    }
}

} // namespace hvemu::x86
