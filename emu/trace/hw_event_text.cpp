#include "emu/trace/hw_event_text.hpp"

#include <fmt/format.h>

namespace hvemu::emu::trace {

namespace {
std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }
const char* named(const char* n) { return n ? n : "?"; }
} // namespace

std::string HwEventText::line() const {
    std::string s = name;
    for (const auto& [k, v] : args) s += fmt::format(" {}={}", k, v);
    return s;
}

const char* riscv_cause_name(uint64_t cause) {
    if (cause >> 63) {
        switch (cause & ~(uint64_t{1} << 63)) {
        case 1: return "S software";
        case 2: return "VS software";
        case 3: return "M software";
        case 5: return "S timer";
        case 6: return "VS timer";
        case 7: return "M timer";
        case 9: return "S external";
        case 10: return "VS external";
        case 11: return "M external";
        case 12: return "S guest external";
        default: return nullptr;
        }
    }
    switch (cause) {
    case 0: return "instruction misaligned";
    case 1: return "instruction access fault";
    case 2: return "illegal instruction";
    case 3: return "breakpoint";
    case 4: return "load misaligned";
    case 5: return "load access fault";
    case 6: return "store misaligned";
    case 7: return "store access fault";
    case 8: return "ecall from U/VU";
    case 9: return "ecall from HS";
    case 10: return "ecall from VS";
    case 11: return "ecall from M";
    case 12: return "instruction page fault";
    case 13: return "load page fault";
    case 15: return "store page fault";
    case 20: return "instruction guest-page fault";
    case 21: return "load guest-page fault";
    case 22: return "virtual instruction";
    case 23: return "store guest-page fault";
    default: return nullptr;
    }
}

const char* arm_ec_name(unsigned ec) {
    switch (ec) {
    case 0x00: return "unknown";
    case 0x01: return "WFx";
    case 0x07: return "FP/SIMD access";
    case 0x0e: return "illegal state";
    case 0x15: return "SVC64";
    case 0x16: return "HVC64";
    case 0x17: return "SMC64";
    case 0x18: return "MSR/MRS";
    case 0x20: return "instruction abort from lower EL";
    case 0x21: return "instruction abort";
    case 0x22: return "PC alignment";
    case 0x24: return "data abort from lower EL";
    case 0x25: return "data abort";
    case 0x26: return "SP alignment";
    case 0x2c: return "FP exception";
    case 0x3c: return "BRK";
    default: return nullptr;
    }
}

const char* vmx_exit_name(unsigned r) {
    switch (r) {
    case 0: return "exception or NMI";
    case 1: return "external interrupt";
    case 2: return "triple fault";
    case 3: return "INIT";
    case 4: return "SIPI";
    case 7: return "interrupt window";
    case 8: return "NMI window";
    case 9: return "task switch";
    case 10: return "CPUID";
    case 12: return "HLT";
    case 14: return "INVLPG";
    case 16: return "RDTSC";
    case 18: return "VMCALL";
    case 19: return "VMCLEAR";
    case 20: return "VMLAUNCH";
    case 21: return "VMPTRLD";
    case 22: return "VMPTRST";
    case 23: return "VMREAD";
    case 24: return "VMRESUME";
    case 25: return "VMWRITE";
    case 26: return "VMXOFF";
    case 27: return "VMXON";
    case 28: return "control-register access";
    case 29: return "MOV DR";
    case 30: return "I/O instruction";
    case 31: return "RDMSR";
    case 32: return "WRMSR";
    case 33: return "entry failure: invalid guest state";
    case 34: return "entry failure: MSR loading";
    case 37: return "monitor trap flag";
    case 43: return "TPR below threshold";
    case 44: return "APIC access";
    case 48: return "EPT violation";
    case 49: return "EPT misconfiguration";
    case 50: return "INVEPT";
    case 52: return "VMX-preemption timer";
    case 53: return "INVVPID";
    case 54: return "WBINVD";
    case 55: return "XSETBV";
    default: return nullptr;
    }
}

namespace {
HwEventText riscv(const isa::HwEvent& e) {
    using K = isa::HwEvent::Kind;
    const char* to = e.f[3] == 3 ? "M" : "HS";
    switch (e.kind) {
    case K::VmExit:
        return {fmt::format("VM exit to {} {}", to, named(riscv_cause_name(e.cause))),
                {{"cause", hex(e.cause)}, {"tval", hex(e.f[0])}, {"htval", hex(e.f[1])}, {"htinst", hex(e.f[2])},
                 {"guest_pc", hex(e.pc)}}};
    case K::VmEntry: return {"VM entry", {{"guest_pc", hex(e.pc)}}};
    case K::Irq:
        return {fmt::format("irq {}", named(riscv_cause_name(e.cause))),
                {{"cause", hex(e.cause)}, {"to", e.f[3] == 3 ? "M" : "S"}}};
    }
    return {};
}

HwEventText arm(const isa::HwEvent& e) {
    using K = isa::HwEvent::Kind;
    switch (e.kind) {
    case K::VmExit: {
        if (e.cause == 0)   // an asynchronous exception routed to EL2: no syndrome
            return {"VM exit interrupt", {{"from", fmt::format("EL{}", e.f[2])}, {"guest_pc", hex(e.pc)}}};
        const unsigned ec = static_cast<unsigned>(e.cause >> 26) & 0x3f;
        return {fmt::format("VM exit {}", named(arm_ec_name(ec))),
                {{"esr_el2", hex(e.cause)}, {"ec", hex(ec)}, {"iss", hex(e.cause & 0x1ffffff)},
                 {"far_el2", hex(e.f[0])}, {"hpfar_el2", hex(e.f[1])}, {"from", fmt::format("EL{}", e.f[2])},
                 {"guest_pc", hex(e.pc)}}};
    }
    case K::VmEntry: return {"VM entry", {{"el", fmt::format("EL{}", e.cause)}, {"guest_pc", hex(e.pc)}}};
    case K::Irq:
        return {e.cause == 0x100 ? "irq FIQ" : "irq IRQ",
                {{"intid", fmt::format("{}", e.f[0])}, {"virtual", e.f[1] ? "true" : "false"},
                 {"from", fmt::format("EL{}", e.f[2])}, {"to", fmt::format("EL{}", e.f[3])}}};
    }
    return {};
}

HwEventText x86(const isa::HwEvent& e) {
    using K = isa::HwEvent::Kind;
    switch (e.kind) {
    case K::VmExit: {
        const unsigned basic = static_cast<unsigned>(e.cause & 0xffff);
        return {fmt::format("VM exit {}", named(vmx_exit_name(basic))),
                {{"reason", fmt::format("{}", basic)}, {"qualification", hex(e.f[0])}, {"gpa", hex(e.f[1])},
                 {"gla", hex(e.f[2])}, {"insn_len", fmt::format("{}", e.f[3])}, {"guest_rip", hex(e.pc)},
                 {"entry_failure", (e.cause >> 31) & 1 ? "true" : "false"}}};
    }
    case K::VmEntry: return {e.cause ? "VM entry (VMLAUNCH)" : "VM entry (VMRESUME)", {{"guest_rip", hex(e.pc)}}};
    case K::Irq:
        if (e.f[0] == 1) return {"irq NMI", {{"vector", hex(e.cause)}}};
        return {fmt::format("irq vector {}", e.cause), {{"vector", hex(e.cause)}}};
    }
    return {};
}
} // namespace

HwEventText describe_hw_event(vmm::Isa isa, const isa::HwEvent& e) {
    return isa == vmm::Isa::Arm64 ? arm(e) : isa == vmm::Isa::X86_64 ? x86(e) : riscv(e);
}

} // namespace hvemu::emu::trace
