// The x86 GDB targets' shared part: description, registers, memory, monitor.
#include "emu/debug/x86_regs.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "emu/debug/gdb_packet.hpp"
#include "emu/debug/x86_access.hpp"
#include "isa/x86/paging_bits.hpp"
#include "isa/x86/vmx_state.hpp"

namespace hvemu::emu::debug {

using x86::Core;
namespace vf = x86::vmcs;

namespace {

constexpr uint64_t kPage = 0x1000;

constexpr const char* kGprNames[16] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                       "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
constexpr const char* kSegNames[6] = {"cs", "ss", "ds", "es", "fs", "gs"};
// GDB's segment order (cs ss ds es fs gs) as x86::SegReg.
constexpr unsigned kGdbSeg[6] = {x86::CS, x86::SS, x86::DS, x86::ES, x86::FS, x86::GS};
constexpr const char* kX87Ctl[8] = {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"};
constexpr const char* kSysNames[6] = {"cr0", "cr2", "cr3", "cr4", "cr8", "efer"};

constexpr std::array<X86VmxRegInfo, 14> kVmxRegs = {{
    {"exit_reason", vf::VM_EXIT_REASON},
    {"exit_qualification", vf::EXIT_QUALIFICATION},
    {"guest_physical_address", vf::GUEST_PHYSICAL_ADDRESS},
    {"guest_linear_address", vf::GUEST_LINEAR_ADDRESS},
    {"exit_intr_info", vf::VM_EXIT_INTR_INFO},
    {"exit_intr_error_code", vf::VM_EXIT_INTR_ERROR_CODE},
    {"idt_vectoring_info", vf::IDT_VECTORING_INFO},
    {"idt_vectoring_error_code", vf::IDT_VECTORING_ERROR_CODE},
    {"vm_instruction_error", vf::VM_INSTRUCTION_ERROR},
    {"exit_instruction_length", vf::VM_EXIT_INSTRUCTION_LEN},
    {"guest_cr0", vf::GUEST_CR0},
    {"guest_cr3", vf::GUEST_CR3},
    {"guest_cr4", vf::GUEST_CR4},
    {"guest_rip", vf::GUEST_RIP},
}};

// The flags types GDB's i386 code expects by these names.
constexpr const char* kEflagsType =
    "<flags id=\"i386_eflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
    "<field name=\"ID\" start=\"21\" end=\"21\"/></flags>\n";
constexpr const char* kSseTypes =
    "<vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/>"
    "<vector id=\"v8h\" type=\"ieee_half\" count=\"8\"/>"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/><vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/><vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/><vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
    "<union id=\"vec128\"><field name=\"v8_bfloat16\" type=\"v8bf16\"/><field name=\"v8_half\" type=\"v8h\"/>"
    "<field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
    "<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>"
    "<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>"
    "<field name=\"uint128\" type=\"uint128\"/></union>\n"
    "<flags id=\"i386_mxcsr\" size=\"4\">"
    "<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
    "<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
    "<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
    "<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
    "<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
    "<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
    "<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/></flags>\n";

std::string reg(const char* name, unsigned bits, const char* type, unsigned regnum, const char* group = nullptr) {
    return fmt::format("<reg name=\"{}\" bitsize=\"{}\" type=\"{}\" regnum=\"{}\"{}/>\n", name, bits, type, regnum,
                       group ? fmt::format(" group=\"{}\"", group) : std::string());
}

// The tag of one x87 register from its 80-bit contents.
unsigned x87_class(const uint8_t r[10]) {
    uint64_t mant = 0;
    std::memcpy(&mant, r, 8);
    const unsigned exp = (r[8] | r[9] << 8) & 0x7fff;
    if (exp == 0x7fff) return 2;                    // special: infinity, NaN
    if (exp == 0) return mant == 0 ? 1 : 2;         // zero, or denormal (special)
    return mant >> 63 ? 0 : 2;                      // valid, or unnormal (special)
}

} // namespace

const std::array<X86VmxRegInfo, 14>& x86_vmx_registers() { return kVmxRegs; }

std::string x86_target_xml() {
    std::string x = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
                    "<architecture>i386:x86-64</architecture>\n<feature name=\"org.gnu.gdb.i386.core\">\n";
    x += kEflagsType;
    for (unsigned i = 0; i < 16; i++)
        x += reg(kGprNames[i], 64, i == 6 || i == 7 ? "data_ptr" : "int64", i);
    x += reg("rip", 64, "code_ptr", x86reg::kRip);
    x += reg("eflags", 32, "i386_eflags", x86reg::kEflags);
    for (unsigned i = 0; i < 6; i++) x += reg(kSegNames[i], 32, "int32", x86reg::kCs + i);
    for (unsigned i = 0; i < 8; i++) x += reg(fmt::format("st{}", i).c_str(), 80, "i387_ext", x86reg::kSt0 + i);
    for (unsigned i = 0; i < 8; i++) x += reg(kX87Ctl[i], 32, "int", x86reg::kFctrl + i, "float");
    x += "</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n";
    x += kSseTypes;
    for (unsigned i = 0; i < 16; i++) x += reg(fmt::format("xmm{}", i).c_str(), 128, "vec128", x86reg::kXmm0 + i);
    x += reg("mxcsr", 32, "i386_mxcsr", x86reg::kMxcsr, "vector");
    x += "</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n";
    x += reg("fs_base", 64, "int", x86reg::kFsBase);
    x += reg("gs_base", 64, "int", x86reg::kGsBase);
    x += "</feature>\n<feature name=\"org.hvemu.x86.system\">\n";
    for (unsigned i = 0; i < 6; i++) x += reg(kSysNames[i], 64, "int", x86reg::kCr0 + i, "system");
    x += "</feature>\n<feature name=\"org.hvemu.x86.vmx\">\n";
    for (unsigned i = 0; i < kVmxRegs.size(); i++) x += reg(kVmxRegs[i].name, 64, "int", x86reg::kVmx0 + i, "system");
    x += "</feature>\n</target>\n";
    return x;
}

unsigned x86_register_size(unsigned regno) {
    using namespace x86reg;
    if (regno < kRip) return 8;
    if (regno == kRip) return 8;
    if (regno < kSt0) return 4;   // eflags, segment selectors
    if (regno < kFctrl) return 10;
    if (regno < kXmm0) return 4;
    if (regno < kMxcsr) return 16;
    if (regno == kMxcsr) return 4;
    if (regno < kVmx0 + kVmxRegs.size()) return 8;
    return 0;
}

uint16_t x87_full_tag(uint16_t abridged, uint16_t fsw, const uint8_t st[8][10]) {
    const unsigned top = (fsw >> 11) & 7;
    uint16_t full = 0;
    for (unsigned phys = 0; phys < 8; phys++) {
        const unsigned tag = (abridged >> phys) & 1 ? x87_class(st[(phys - top) & 7]) : 3;
        full |= static_cast<uint16_t>(tag << (2 * phys));
    }
    return full;
}

uint16_t x87_abridged_tag(uint16_t full) {
    uint16_t a = 0;
    for (unsigned phys = 0; phys < 8; phys++)
        if (((full >> (2 * phys)) & 3) != 3) a |= static_cast<uint16_t>(1u << phys);
    return a;
}

std::optional<uint64_t> x86_vmcs_peek(Core& core, uint32_t field) {
    if (!core.in_vmx()) return std::nullopt;
    const x86::Vmcs* v = x86::VmxInternals::cur(core);
    const int slot = x86::vmcs_slot(field);
    if (!v || slot < 0) return std::nullopt;
    return v->f[static_cast<size_t>(slot)];
}

bool x86_vmcs_poke(Core& core, uint32_t field, uint64_t value) {
    if (!core.in_vmx()) return false;
    x86::Vmcs* v = x86::VmxInternals::cur(core);
    const int slot = x86::vmcs_slot(field);
    if (!v || slot < 0) return false;
    v->f[static_cast<size_t>(slot)] = value;
    return true;
}

std::optional<X86PagingState> x86_vmcs_guest_paging(Core& core) {
    auto f = [&core](uint32_t field) { return x86_vmcs_peek(core, field).value_or(0); };
    if (!x86_vmcs_peek(core, vf::GUEST_CR0)) return std::nullopt;
    X86PagingState s;
    s.cr0 = f(vf::GUEST_CR0);
    s.cr3 = f(vf::GUEST_CR3);
    s.cr4 = f(vf::GUEST_CR4);
    s.efer = f(vf::GUEST_IA32_EFER);
    // IA-32e mode guest decides LMA when EFER is not saved on exit.
    if (f(vf::VM_ENTRY_CONTROLS) & x86::vmx::entryc::Ia32e) s.efer |= x86::paging::kEferLma;
    else s.efer &= ~x86::paging::kEferLma;
    for (unsigned i = 0; i < 4; i++) s.pdpte[i] = f(vf::GUEST_PDPTE0 + 2 * i);
    const bool secondary = f(vf::CPU_BASED_VM_EXEC_CONTROL) & x86::vmx::proc::Secondary;
    s.ept = secondary && (f(vf::SECONDARY_VM_EXEC_CONTROL) & x86::vmx::proc2::Ept);
    s.eptp = f(vf::EPT_POINTER);
    s.pa_bits = core.config().phys_addr_bits;
    return s;
}

// ---- registers ----------------------------------------------------------------------------

std::optional<uint64_t> X86GdbTargetBase::read_register(unsigned thread, unsigned regno) {
    using namespace x86reg;
    if (regno < kRip) return get_gpr(thread, kGdbGpr[regno]);
    if (regno == kRip) return get_item(thread, Item::Rip);
    if (regno == kEflags) return get_item(thread, Item::Rflags);
    if (regno >= kCs && regno <= kGs) {
        const auto s = get_segment(thread, kGdbSeg[regno - kCs]);
        return s ? std::optional<uint64_t>(s->selector) : std::nullopt;
    }
    if (regno >= kFctrl && regno <= kFop) {
        const auto f = fpu(thread);
        if (!f) return std::nullopt;
        if (regno == kFctrl) return *f->fcw;
        if (regno == kFstat) return *f->fsw;
        if (regno == kFtag) return x87_full_tag(*f->ftw, *f->fsw, f->st);
        return 0;   // the last instruction and operand pointers and opcode are not kept
    }
    if (regno == kMxcsr) {
        const auto f = fpu(thread);
        return f ? std::optional<uint64_t>(*f->mxcsr) : std::nullopt;
    }
    if (regno == kFsBase || regno == kGsBase) {
        const auto s = get_segment(thread, regno == kFsBase ? x86::FS : x86::GS);
        return s ? std::optional<uint64_t>(s->base) : std::nullopt;
    }
    static constexpr Item kSys[6] = {Item::Cr0, Item::Cr2, Item::Cr3, Item::Cr4, Item::Cr8, Item::Efer};
    if (regno >= kCr0 && regno <= kEfer) return get_item(thread, kSys[regno - kCr0]);
    if (regno >= kVmx0 && regno < kVmx0 + kVmxRegs.size()) {
        Core* c = vmx_core(thread);
        return c ? x86_vmcs_peek(*c, kVmxRegs[regno - kVmx0].field) : std::nullopt;
    }
    if (regno >= kXmm0 && regno < kMxcsr) {   // the low half (read_register_bytes has all of it)
        const auto f = fpu(thread);
        if (!f) return std::nullopt;
        uint64_t v = 0;
        std::memcpy(&v, f->xmm[regno - kXmm0], 8);
        return v;
    }
    return std::nullopt;
}

bool X86GdbTargetBase::write_register(unsigned thread, unsigned regno, uint64_t value) {
    using namespace x86reg;
    if (regno < kRip) return set_gpr(thread, kGdbGpr[regno], value);
    if (regno == kRip) return set_item(thread, Item::Rip, value);
    if (regno == kEflags) return set_item(thread, Item::Rflags, (value & 0x3f7fd5) | x86::rflags::FIXED1);
    if (regno >= kCs && regno <= kGs) {
        // A selector load needs its descriptor: only the value it has is accepted.
        const auto s = get_segment(thread, kGdbSeg[regno - kCs]);
        return s && s->selector == (value & 0xffff);
    }
    if (regno == kFsBase || regno == kGsBase) return set_segment_base(thread, regno == kFsBase ? x86::FS : x86::GS, value);
    if (regno == kCr2) return set_item(thread, Item::Cr2, value);
    if ((regno >= kFctrl && regno <= kFop) || regno == kMxcsr) {
        const auto f = fpu(thread);
        if (!f || !f->writable) return false;
        switch (regno) {
        case kFctrl: *f->fcw = static_cast<uint16_t>(value); return true;
        case kFstat: *f->fsw = static_cast<uint16_t>(value); return true;
        case kFtag: *f->ftw = x87_abridged_tag(static_cast<uint16_t>(value)); return true;
        case kMxcsr: *f->mxcsr = static_cast<uint32_t>(value) & 0xffff; return true;
        default: return value == 0;   // not kept: reads as 0
        }
    }
    if (regno >= kXmm0 && regno < kMxcsr) {
        uint8_t b[16] = {};
        std::memcpy(b, &value, 8);
        return write_register_bytes(thread, regno, b);
    }
    return false;   // control registers, EFER and the VMCS belong to the code being debugged
}

bool X86GdbTargetBase::read_register_bytes(unsigned thread, unsigned regno, uint8_t* dst) {
    using namespace x86reg;
    const bool st = regno >= kSt0 && regno < kFctrl, xmm = regno >= kXmm0 && regno < kMxcsr;
    if (!st && !xmm) return GdbTarget::read_register_bytes(thread, regno, dst);
    const auto f = fpu(thread);
    if (!f) return false;
    if (st) std::memcpy(dst, f->st[regno - kSt0], 10);
    else std::memcpy(dst, f->xmm[regno - kXmm0], 16);
    return true;
}

bool X86GdbTargetBase::write_register_bytes(unsigned thread, unsigned regno, const uint8_t* src) {
    using namespace x86reg;
    const bool st = regno >= kSt0 && regno < kFctrl, xmm = regno >= kXmm0 && regno < kMxcsr;
    if (!st && !xmm) return GdbTarget::write_register_bytes(thread, regno, src);
    const auto f = fpu(thread);
    if (!f || !f->writable) return false;
    if (st) std::memcpy(f->st[regno - kSt0], src, 10);
    else std::memcpy(f->xmm[regno - kXmm0], src, 16);
    return true;
}

// ---- memory -------------------------------------------------------------------------------

bool X86GdbTargetBase::access(unsigned thread, uint64_t addr, uint8_t* buf, size_t len, bool physical, bool write) {
    std::optional<X86PagingState> pg;
    if (!physical && !(pg = paging(thread))) return false;
    isa::PhysMem& mem = host_mem();
    while (len) {
        const size_t chunk = std::min<size_t>(len, kPage - (addr & (kPage - 1)));
        const std::optional<uint64_t> pa = physical ? phys_to_host(thread, addr, chunk) : x86_translate(mem, *pg, addr);
        if (!pa) return false;
        // RAM only: a device register is never touched by accident.
        const bool ok = write ? mem.write_block(*pa, buf, chunk) : mem.read_block(*pa, buf, chunk);
        if (!ok) return false;
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

std::optional<GdbTarget::MemAccess> X86GdbTargetBase::next_access(unsigned thread) {
    X86AccessState s;
    const auto cs = get_segment(thread, x86::CS);
    const auto rip = get_item(thread, Item::Rip);
    const auto rflags = get_item(thread, Item::Rflags), efer = get_item(thread, Item::Efer);
    if (!cs || !rip || !rflags || !efer) return std::nullopt;
    const bool lma = *efer & x86::paging::kEferLma, vm86 = *rflags & (1u << 17);
    if (lma && (cs->attr & (1u << 13))) s.mode = x86::Mode::Bits64;
    else s.mode = !vm86 && (cs->attr & (1u << 14)) ? x86::Mode::Bits32 : x86::Mode::Bits16;
    s.rip = *rip;
    s.rflags = *rflags;
    for (unsigned r = 0; r < 16; r++) {
        const auto v = get_gpr(thread, r);
        if (!v) return std::nullopt;
        s.gpr[r] = *v;
    }
    for (unsigned g = 0; g < 6; g++) {
        const auto seg = get_segment(thread, g);
        if (!seg) return std::nullopt;
        s.seg_base[g] = seg->base;
        if (g == x86::SS) s.stack32 = seg->attr & (1u << 14);
    }
    // Up to 15 bytes, fewer where the next page is not readable.
    uint8_t bytes[15] = {};
    const uint64_t at = pc(thread);
    unsigned avail = 15;
    if (!read_memory(thread, at, bytes, avail, false)) {
        avail = static_cast<unsigned>(std::min<uint64_t>(15, kPage - (at & (kPage - 1))));
        if (!read_memory(thread, at, bytes, avail, false)) return std::nullopt;
    }
    const auto a = x86_data_access(bytes, avail, s, [&](uint64_t addr, uint8_t* dst, size_t len) {
        return read_memory(thread, addr, dst, len, false);
    });
    if (!a) return std::nullopt;
    MemAccess m;
    m.addr = a->addr;
    m.len = a->len;
    m.read = a->read;
    m.write = a->write;
    return m;
}

bool X86GdbTargetBase::read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) {
    return access(thread, addr, dst, len, physical, false);
}

bool X86GdbTargetBase::write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) {
    return access(thread, addr, const_cast<uint8_t*>(src), len, physical, true);   // only read when writing
}

// ---- monitor ------------------------------------------------------------------------------

std::string X86GdbTargetBase::monitor_help() const {
    return "  walk guest <addr>                       the current VMCS's guest translation (root operation)\n"
           "  vmcs                                    the current VMCS: exit information, guest state, controls\n";
}

namespace {

std::string vmcs_report(Core& c) {
    static constexpr std::pair<const char*, uint32_t> kMore[] = {
        {"guest_rsp", vf::GUEST_RSP},
        {"guest_rflags", vf::GUEST_RFLAGS},
        {"guest_cs_selector", vf::GUEST_CS_SELECTOR},
        {"guest_ia32_efer", vf::GUEST_IA32_EFER},
        {"pin_based_controls", vf::PIN_BASED_VM_EXEC_CONTROL},
        {"primary_controls", vf::CPU_BASED_VM_EXEC_CONTROL},
        {"secondary_controls", vf::SECONDARY_VM_EXEC_CONTROL},
        {"entry_controls", vf::VM_ENTRY_CONTROLS},
        {"ept_pointer", vf::EPT_POINTER},
    };
    std::string out = fmt::format("current VMCS at {:#x}, {} operation\n", c.vmptrst(), c.in_non_root() ? "non-root" : "root");
    auto line = [&](const char* name, uint32_t field) {
        const auto v = x86_vmcs_peek(c, field);
        out += v ? fmt::format("{:<25} {:#018x}\n", name, *v) : fmt::format("{:<25} (unreadable)\n", name);
    };
    for (const auto& r : kVmxRegs) line(r.name, r.field);
    for (const auto& [name, field] : kMore) line(name, field);
    return out;
}

} // namespace

std::optional<std::string> X86GdbTargetBase::monitor(unsigned thread, const std::string& cmd) {
    std::istringstream in(cmd);
    std::string word, arg;
    in >> word >> arg;
    if (word != "walk" && word != "vmcs") return std::nullopt;
    Core* vc = vmx_core(thread);
    if (word == "vmcs") {
        if (!vc || !x86_vmcs_peek(*vc, vf::VM_EXIT_REASON)) return std::string("no current VMCS\n");
        return vmcs_report(*vc);
    }
    std::optional<X86PagingState> pg;
    if (arg == "guest") {
        in >> arg;
        if (vc) pg = x86_vmcs_guest_paging(*vc);
        if (!pg) return std::string("no current VMCS\n");
    } else {
        pg = paging(thread);
        if (!pg) return fmt::format("thread {} has no translation state now\n", thread + 1);
    }
    if (arg.rfind("0x", 0) == 0 || arg.rfind("0X", 0) == 0) arg = arg.substr(2);
    const auto addr = parse_hex_u64(arg);
    if (!addr) return std::string("usage: monitor walk [guest] <hex address>\n");
    return x86_walk_report(host_mem(), *pg, *addr);
}

} // namespace hvemu::emu::debug
