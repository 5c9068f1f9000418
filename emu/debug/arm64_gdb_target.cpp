// The AArch64 GDB target: description, registers, memory and monitor commands.
#include "emu/debug/arm64_gdb_target.hpp"

#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "emu/debug/arm64_access.hpp"
#include "emu/debug/arm64_walk.hpp"
#include "emu/debug/gdb_packet.hpp"
#include "isa/arm64/gic_regs.hpp"

namespace hvemu::emu::debug {

using arm::Pe;

namespace {

constexpr unsigned kPage = 0x1000;

// The vector register as GDB's AArch64 code expects it: a union whose
// members d/s/h/b/q view the 128 bits as lanes (f float, u unsigned, s
// signed). GDB builds the q/d/s/h/b pseudo-registers from v0-v31 itself.
constexpr const char* kVectorTypes =
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
    "<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
    "<vector id=\"v2i\" type=\"int64\" count=\"2\"/>\n"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
    "<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n"
    "<vector id=\"v4i\" type=\"int32\" count=\"4\"/>\n"
    "<vector id=\"v8f\" type=\"ieee_half\" count=\"8\"/>\n"
    "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n"
    "<vector id=\"v8i\" type=\"int16\" count=\"8\"/>\n"
    "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n"
    "<vector id=\"v16i\" type=\"int8\" count=\"16\"/>\n"
    "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/>\n"
    "<vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
    "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
    "<field name=\"s\" type=\"v2i\"/></union>\n"
    "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
    "<field name=\"s\" type=\"v4i\"/></union>\n"
    "<union id=\"vnh\"><field name=\"f\" type=\"v8f\"/><field name=\"u\" type=\"v8u\"/>"
    "<field name=\"s\" type=\"v8i\"/></union>\n"
    "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
    "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
    "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
    "<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/><field name=\"q\" type=\"vnq\"/></union>\n";

// PSTATE fields as GDB prints cpsr: [ EL=2 SP=1 I F Z ... ].
constexpr const char* kCpsrFlags =
    "<flags id=\"hvemu_cpsr\" size=\"4\">"
    "<field name=\"SP\" start=\"0\" end=\"0\" type=\"bool\"/>"
    "<field name=\"EL\" start=\"2\" end=\"3\" type=\"uint32\"/>"
    "<field name=\"F\" start=\"6\" end=\"6\" type=\"bool\"/>"
    "<field name=\"I\" start=\"7\" end=\"7\" type=\"bool\"/>"
    "<field name=\"A\" start=\"8\" end=\"8\" type=\"bool\"/>"
    "<field name=\"D\" start=\"9\" end=\"9\" type=\"bool\"/>"
    "<field name=\"IL\" start=\"20\" end=\"20\" type=\"bool\"/>"
    "<field name=\"SS\" start=\"21\" end=\"21\" type=\"bool\"/>"
    "<field name=\"V\" start=\"28\" end=\"28\" type=\"bool\"/>"
    "<field name=\"C\" start=\"29\" end=\"29\" type=\"bool\"/>"
    "<field name=\"Z\" start=\"30\" end=\"30\" type=\"bool\"/>"
    "<field name=\"N\" start=\"31\" end=\"31\" type=\"bool\"/>"
    "</flags>\n";

std::vector<A64SysRegInfo> make_virt_registers() {
    using namespace arm::reg;
    std::vector<A64SysRegInfo> r = {
        // EL2: what the last exception to EL2 says, and the VM's configuration
        {"esr_el2", ESR_EL2, -1},     {"far_el2", FAR_EL2, -1},       {"hpfar_el2", HPFAR_EL2, -1},
        {"elr_el2", ELR_EL2, -1},     {"spsr_el2", SPSR_EL2, -1},     {"hcr_el2", HCR_EL2, -1},
        {"vttbr_el2", VTTBR_EL2, -1}, {"vtcr_el2", VTCR_EL2, -1},     {"sctlr_el2", SCTLR_EL2, -1},
        {"vbar_el2", VBAR_EL2, -1},   {"ttbr0_el2", TTBR0_EL2, -1},   {"tcr_el2", TCR_EL2, -1},
        {"mair_el2", MAIR_EL2, -1},   {"cptr_el2", CPTR_EL2, -1},     {"cnthctl_el2", CNTHCTL_EL2, -1},
        {"cntvoff_el2", CNTVOFF_EL2, -1}, {"vmpidr_el2", VMPIDR_EL2, -1}, {"sp_el2", 0, 2},
        // EL1: the guest kernel's view
        {"sctlr_el1", SCTLR_EL1, -1}, {"ttbr0_el1", TTBR0_EL1, -1},   {"ttbr1_el1", TTBR1_EL1, -1},
        {"tcr_el1", TCR_EL1, -1},     {"mair_el1", MAIR_EL1, -1},     {"vbar_el1", VBAR_EL1, -1},
        {"esr_el1", ESR_EL1, -1},     {"far_el1", FAR_EL1, -1},       {"elr_el1", ELR_EL1, -1},
        {"spsr_el1", SPSR_EL1, -1},   {"sp_el0", 0, 0},               {"sp_el1", 0, 1},
        // GICv3 virtual CPU interface
        {"ich_hcr_el2", arm::gic::ICH_HCR_EL2, -1}, {"ich_vmcr_el2", arm::gic::ICH_VMCR_EL2, -1},
        {"ich_misr_el2", arm::gic::ICH_MISR_EL2, -1},
    };
    static const char* const kLrNames[4] = {"ich_lr0_el2", "ich_lr1_el2", "ich_lr2_el2", "ich_lr3_el2"};
    for (unsigned n = 0; n < 4; n++) r.push_back({kLrNames[n], arm::gic::ich_lr_enc(n), -1});
    return r;
}

std::optional<uint64_t> read_sys(Pe& pe, const A64SysRegInfo& info) {
    if (info.sp_el >= 0) return pe.sp_el(static_cast<unsigned>(info.sp_el));
    uint64_t v = 0;
    if (!pe.sysreg_read(info.enc, v, 2)) return std::nullopt;
    return v;
}

bool write_sys(Pe& pe, const A64SysRegInfo& info, uint64_t value) {
    if (info.sp_el >= 0) {
        pe.sp_el(static_cast<unsigned>(info.sp_el)) = value;
        return true;
    }
    // As EL2 software would write it: WARL rules and the MMU context follow.
    return pe.sysreg_write(info.enc, value, 2);
}

} // namespace

const std::vector<A64SysRegInfo>& arm64_virt_registers() {
    static const std::vector<A64SysRegInfo> regs = make_virt_registers();
    return regs;
}

std::string arm64_target_xml() {
    std::string x = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
                    "<architecture>aarch64</architecture>\n<feature name=\"org.gnu.gdb.aarch64.core\">\n";
    x += kCpsrFlags;
    for (unsigned i = 0; i < 31; i++)
        x += fmt::format("<reg name=\"x{}\" bitsize=\"64\" type=\"int\" regnum=\"{}\"/>\n", i, i);
    x += "<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>\n"
         "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n"
         "<reg name=\"cpsr\" bitsize=\"32\" type=\"hvemu_cpsr\" regnum=\"33\"/>\n</feature>\n"
         "<feature name=\"org.gnu.gdb.aarch64.fpu\">\n";
    x += kVectorTypes;
    for (unsigned i = 0; i < 32; i++)
        x += fmt::format("<reg name=\"v{}\" bitsize=\"128\" type=\"aarch64v\" regnum=\"{}\"/>\n", i, a64reg::kV0 + i);
    x += fmt::format("<reg name=\"fpsr\" bitsize=\"32\" type=\"int\" regnum=\"{}\" group=\"float\"/>\n"
                     "<reg name=\"fpcr\" bitsize=\"32\" type=\"int\" regnum=\"{}\" group=\"float\"/>\n</feature>\n"
                     "<feature name=\"org.hvemu.arm64.virt\">\n",
                     a64reg::kFpsr, a64reg::kFpcr);
    const auto& sys = arm64_virt_registers();
    for (unsigned i = 0; i < sys.size(); i++)
        x += fmt::format("<reg name=\"{}\" bitsize=\"64\" type=\"{}\" regnum=\"{}\" group=\"system\"/>\n",
                         sys[i].name, sys[i].sp_el >= 0 ? "data_ptr" : "int", a64reg::kSys0 + i);
    x += "</feature>\n</target>\n";
    return x;
}

uint32_t arm64_cpsr(const Pe& pe) {
    const arm::Pstate& p = pe.pstate;
    return (p.nzcv & static_cast<uint32_t>(arm::spsr::NZCV)) | (p.ss ? static_cast<uint32_t>(arm::spsr::SS) : 0) |
           (p.il ? static_cast<uint32_t>(arm::spsr::IL) : 0) | (p.daif & static_cast<uint32_t>(arm::spsr::DAIF)) |
           static_cast<uint32_t>(p.el) << 2 | (p.el && p.sp ? 1u : 0u);
}

bool arm64_set_cpsr(Pe& pe, uint64_t cpsr) {
    const unsigned m = cpsr & 0x1f;
    const unsigned el = (m >> 2) & 3, sp = m & 1;
    // A64 only (M[4] = 0), M[1] is RES0, EL0 has no SP_EL0 choice, no EL3.
    if ((m & 0x10) || (m & 2) || el > 2 || (el == 0 && sp)) return false;
    pe.pstate.nzcv = static_cast<uint32_t>(cpsr & arm::spsr::NZCV);
    pe.pstate.daif = static_cast<uint32_t>(cpsr & arm::spsr::DAIF);
    pe.pstate.ss = cpsr & arm::spsr::SS;
    pe.pstate.il = cpsr & arm::spsr::IL;
    if (el != pe.pstate.el || (el && (sp != 0) != pe.pstate.sp)) pe.set_el(el, sp != 0);
    pe.end_block();
    return true;
}

std::string Arm64GdbTarget::thread_name(unsigned thread) const {
    const bool off = powered && !powered(thread);
    return fmt::format("cpu {}{}", thread, off ? " (off)" : "");
}

unsigned Arm64GdbTarget::register_size(unsigned regno) const {
    if (regno < a64reg::kCpsr) return 8;
    if (regno == a64reg::kCpsr || regno == a64reg::kFpsr || regno == a64reg::kFpcr) return 4;
    if (regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) return 16;
    if (regno >= a64reg::kSys0 && regno < a64reg::kSys0 + arm64_virt_registers().size()) return 8;
    return 0;
}

std::optional<uint64_t> Arm64GdbTarget::read_register(unsigned thread, unsigned regno) {
    Pe* p = pe(thread);
    if (!p) return std::nullopt;
    if (regno < 31) return p->x[regno];
    switch (regno) {
    case a64reg::kSp: return p->x[arm::kSp];
    case a64reg::kPc: return p->pc;
    case a64reg::kCpsr: return arm64_cpsr(*p);
    case a64reg::kFpsr: return p->fpsr;
    case a64reg::kFpcr: return p->fpcr;
    default: break;
    }
    if (regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) return p->v[regno - a64reg::kV0][0];   // the low half
    const auto& sys = arm64_virt_registers();
    if (regno >= a64reg::kSys0 && regno < a64reg::kSys0 + sys.size()) return read_sys(*p, sys[regno - a64reg::kSys0]);
    return std::nullopt;
}

bool Arm64GdbTarget::write_register(unsigned thread, unsigned regno, uint64_t value) {
    Pe* p = pe(thread);
    if (!p) return false;
    if (regno < 31) {
        p->x[regno] = value;
        return true;
    }
    switch (regno) {
    case a64reg::kSp: p->x[arm::kSp] = value; return true;
    case a64reg::kPc:
        p->pc = value;
        p->end_block();
        return true;
    case a64reg::kCpsr: return arm64_set_cpsr(*p, value);
    case a64reg::kFpsr: p->fpsr = static_cast<uint32_t>(value); return true;
    case a64reg::kFpcr: p->fpcr = static_cast<uint32_t>(value); return true;
    default: break;
    }
    if (regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) {
        p->v[regno - a64reg::kV0][0] = value;
        p->v[regno - a64reg::kV0][1] = 0;   // as a write of Dn clears the upper half
        return true;
    }
    const auto& sys = arm64_virt_registers();
    if (regno >= a64reg::kSys0 && regno < a64reg::kSys0 + sys.size())
        return write_sys(*p, sys[regno - a64reg::kSys0], value);
    return false;
}

bool Arm64GdbTarget::read_register_bytes(unsigned thread, unsigned regno, uint8_t* dst) {
    Pe* p = pe(thread);
    if (p && regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) {
        std::memcpy(dst, p->v[regno - a64reg::kV0], 16);   // the host is little-endian as AArch64 is
        return true;
    }
    return GdbTarget::read_register_bytes(thread, regno, dst);
}

bool Arm64GdbTarget::write_register_bytes(unsigned thread, unsigned regno, const uint8_t* src) {
    Pe* p = pe(thread);
    if (p && regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) {
        std::memcpy(p->v[regno - a64reg::kV0], src, 16);
        return true;
    }
    return GdbTarget::write_register_bytes(thread, regno, src);
}

bool Arm64GdbTarget::access(unsigned thread, uint64_t addr, uint8_t* buf, size_t len, bool physical, bool write) {
    Pe* p = pe(thread);
    if (!p) return false;
    while (len) {
        const size_t chunk = std::min<size_t>(len, kPage - (addr & (kPage - 1)));
        uint64_t pa = addr;
        if (!physical) {
            // A debugger may write what the guest can only read: translate for
            // reading. Stopped at EL0, it may read the kernel's half of the
            // EL1&0 regime too.
            arm::Translation t = p->translate(addr, arm::Access::Read, p->el());
            if (t.fault == arm::FaultKind::Permission && p->el() == 0) t = p->translate(addr, arm::Access::Read, 1);
            if (!t.ok()) return false;
            pa = t.paddr;
        }
        const bool ok = write ? p->mem().write_block(pa, buf, chunk) : p->mem().read_block(pa, buf, chunk);
        if (!ok) return false;   // not RAM: a device register is never touched by accident
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

bool Arm64GdbTarget::read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) {
    return access(thread, addr, dst, len, physical, false);
}

bool Arm64GdbTarget::write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) {
    // access() only reads from buf when writing.
    return access(thread, addr, const_cast<uint8_t*>(src), len, physical, true);
}

std::optional<GdbTarget::MemAccess> Arm64GdbTarget::next_access(unsigned thread) {
    Pe* p = pe(thread);
    if (!p) return std::nullopt;
    uint32_t raw = 0;
    if (!read_memory(thread, p->pc, reinterpret_cast<uint8_t*>(&raw), 4, false)) return std::nullopt;
    const auto a = a64_data_access(raw, p->pc, [p](unsigned r) { return r == 31 ? p->x[arm::kSp] : p->x[r]; });
    if (!a) return std::nullopt;
    MemAccess m;
    m.addr = a->addr;
    m.len = a->len;
    m.read = a->read;
    m.write = a->write;
    return m;
}

namespace {

std::string el_report(const Pe& p) {
    const uint64_t h = p.sys.hcr_el2;
    std::string masked;
    for (const auto& [bit, name] :
         {std::pair{arm::spsr::D, 'D'}, {arm::spsr::A, 'A'}, {arm::spsr::I, 'I'}, {arm::spsr::F, 'F'}})
        if (p.pstate.daif & bit) masked += name;
    std::string out = fmt::format("EL{}{} (cpsr {:#x}), masked: {}\n", p.el(), p.el() && p.pstate.sp ? "h" : "t",
                                  arm64_cpsr(p), masked.empty() ? "none" : masked);
    if (p.el() < 2)
        out += fmt::format("HCR_EL2 {:#x}: stage 2 {}, TGE {}, IMO {}, FMO {}{}\n", h,
                           h & arm::hcr::VM ? "on" : "off", h & arm::hcr::TGE ? 1 : 0, h & arm::hcr::IMO ? 1 : 0,
                           h & arm::hcr::FMO ? 1 : 0, p.waiting_for_interrupt() ? ", waiting for an interrupt" : "");
    else if (p.waiting_for_interrupt())
        out += "waiting for an interrupt\n";
    return out;
}

std::string sysregs_report(Pe& p) {
    std::string out;
    const auto& sys = arm64_virt_registers();
    for (unsigned i = 0; i < sys.size(); i++) {
        const auto v = read_sys(p, sys[i]);
        out += v ? fmt::format("{:<13} {:#018x}\n", sys[i].name, *v)
                 : fmt::format("{:<13} (unreadable)\n", sys[i].name);
    }
    return out;
}

} // namespace

std::optional<std::string> Arm64GdbTarget::monitor(unsigned thread, const std::string& cmd) {
    std::istringstream in(cmd);
    std::string word, arg;
    in >> word >> arg;
    if (word != "walk" && word != "el" && word != "sysregs") return std::nullopt;
    Pe* p = pe(thread);
    if (!p) return fmt::format("thread {} has no PE\n", thread + 1);
    if (word == "el") return el_report(*p);
    if (word == "sysregs") return sysregs_report(*p);
    if (arg.rfind("0x", 0) == 0 || arg.rfind("0X", 0) == 0) arg = arg.substr(2);
    const auto addr = parse_hex_u64(arg);
    if (!addr) return std::string("usage: monitor walk <hex address>\n");
    return arm64_walk_report(*p, *addr, p->el());
}

} // namespace hvemu::emu::debug
