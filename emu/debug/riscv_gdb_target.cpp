// The RISC-V GDB target: description, registers and memory for harts and vCPUs.
#include "emu/debug/riscv_gdb_target.hpp"

#include <fmt/format.h>

#include <sstream>

#include "emu/debug/gdb_packet.hpp"
#include "emu/debug/riscv_walk.hpp"
#include "emu/vmm/riscv_vm.hpp"
#include "isa/riscv/insn.hpp"

namespace hvemu::emu::debug {

namespace {
const char* const kXNames[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0",
                                 "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                                 "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
const char* const kFNames[32] = {"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0",
                                 "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5",
                                 "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
const char* const kVirtNames[] = {"scause", "stval", "htval", "htinst", "hstatus", "hgatp", "vsatp"};
} // namespace

std::string riscv_target_xml() {
    std::string x = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
                    "<architecture>riscv:rv64</architecture>\n<feature name=\"org.gnu.gdb.riscv.cpu\">\n";
    for (unsigned i = 0; i < 32; i++) {
        const char* type = i == 1 ? "code_ptr" : (i == 2 || i == 8) ? "data_ptr" : "int";
        x += fmt::format("<reg name=\"{}\" bitsize=\"64\" type=\"{}\" regnum=\"{}\"/>\n", kXNames[i], type, i);
    }
    x += "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n</feature>\n"
         "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
         "<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/>"
         "<field name=\"double\" type=\"ieee_double\"/></union>\n";
    for (unsigned i = 0; i < 32; i++)
        x += fmt::format("<reg name=\"{}\" bitsize=\"64\" type=\"riscv_double\" regnum=\"{}\"/>\n", kFNames[i],
                         rvreg::kF0 + i);
    x += "<reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"66\" group=\"float\"/>\n"
         "<reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"67\" group=\"float\"/>\n"
         "<reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"68\" group=\"float\"/>\n</feature>\n"
         "<feature name=\"org.hvemu.riscv.virt\">\n";
    for (unsigned i = 0; i < std::size(kVirtNames); i++)
        x += fmt::format("<reg name=\"{}\" bitsize=\"64\" type=\"int\" regnum=\"{}\" group=\"system\"/>\n",
                         kVirtNames[i], rvreg::kScause + i);
    x += "</feature>\n</target>\n";
    return x;
}

unsigned RiscvGdbTargetBase::register_size(unsigned regno) const {
    if (regno < rvreg::kF0 + 32) return 8;
    if (regno >= rvreg::kFflags && regno <= rvreg::kFcsr) return 4;
    if (regno >= rvreg::kScause && regno < rvreg::kCount) return 8;
    return 0;
}

std::optional<uint64_t> RiscvGdbTargetBase::read_register(unsigned thread, unsigned regno) {
    if (!thread_alive(thread) || register_size(regno) == 0) return std::nullopt;
    return get(thread, regno);
}

bool RiscvGdbTargetBase::write_register(unsigned thread, unsigned regno, uint64_t value) {
    if (!thread_alive(thread) || register_size(regno) == 0) return false;
    return set(thread, regno, value);
}

bool RiscvGdbTargetBase::access(unsigned thread, uint64_t addr, uint8_t* buf, size_t len, bool physical,
                                bool write) {
    rv::Hart* h = live_hart(thread);
    if (!h) return false;
    while (len) {
        const size_t chunk = std::min<size_t>(len, 0x1000 - (addr & 0xfff));
        auto pa = to_host_phys(thread, addr, write, physical);
        if (!pa) return false;
        const bool ok = write ? h->mem().write_block(*pa, buf, chunk) : h->mem().read_block(*pa, buf, chunk);
        if (!ok) return false;
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

bool RiscvGdbTargetBase::read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) {
    return access(thread, addr, dst, len, physical, false);
}

bool RiscvGdbTargetBase::write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len,
                                      bool physical) {
    // access() only reads from buf when writing.
    return access(thread, addr, const_cast<uint8_t*>(src), len, physical, true);
}

std::optional<GdbTarget::MemAccess> RiscvGdbTargetBase::next_access(unsigned thread) {
    const uint64_t at = pc(thread);
    uint8_t b[4] = {};
    if (!read_memory(thread, at, b, 2, false)) return std::nullopt;
    uint32_t raw = static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8;
    if ((raw & 3) == 3) {
        if (!read_memory(thread, at + 2, b + 2, 2, false)) return std::nullopt;
        raw |= static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
    }
    const rv::Insn i = rv::decode(raw);
    if (i.id == rv::kInvalidId) return std::nullopt;
    const rv::InsnDesc& d = rv::insn_table()[i.id];
    const bool load = d.cls == rv::Cls::Load || d.cls == rv::Cls::FpLoad;
    const bool store = d.cls == rv::Cls::Store || d.cls == rv::Cls::FpStore;
    const bool amo = d.cls == rv::Cls::Amo;
    if (!load && !store && !amo) return std::nullopt;
    // The width from the mnemonic: lb/sb, lh, lw/flw/c.lwsp, ld/fsd, amoadd.w, lr.d ...
    std::string name = d.name;
    if (name.rfind("c.", 0) == 0) name = name.substr(2);
    unsigned len = 0;
    const size_t dot = name.find('.');
    const char w = amo ? (dot != std::string::npos && dot + 1 < name.size() ? name[dot + 1] : '?')
                       : name.size() > (name[0] == 'f' ? 2u : 1u) ? name[name[0] == 'f' ? 2 : 1] : '?';
    switch (w) {
    case 'b': len = 1; break;
    case 'h': len = 2; break;
    case 'w': len = 4; break;
    case 'd': len = 8; break;
    case 'q': len = 16; break;
    default: return std::nullopt;
    }
    const auto base = read_register(thread, i.rs1);
    if (!base) return std::nullopt;
    MemAccess a;
    a.addr = *base + (amo ? 0 : static_cast<uint64_t>(i.imm));
    a.len = len;
    a.read = load || (amo && name.rfind("sc", 0) != 0);
    a.write = store || (amo && name.rfind("lr", 0) != 0);
    return a;
}

std::optional<std::string> RiscvGdbTargetBase::monitor(unsigned thread, const std::string& cmd) {
    std::istringstream in(cmd);
    std::string word, arg;
    in >> word >> arg;
    if (word != "walk") return std::nullopt;
    if (arg.rfind("0x", 0) == 0 || arg.rfind("0X", 0) == 0) arg = arg.substr(2);
    const auto addr = parse_hex_u64(arg);
    if (!addr) return std::string("usage: monitor walk <hex address>\n");
    rv::Hart* h = live_hart(thread);
    if (!h) return fmt::format("thread {} has no hart now\n", thread + 1);
    return riscv_walk_report(*h, *addr, access_priv(thread), access_virt(thread));
}

// ---- full-system harts

std::string RiscvHartsTarget::thread_name(unsigned thread) const { return fmt::format("hart {}", thread); }

std::optional<uint64_t> RiscvHartsTarget::get(unsigned thread, unsigned regno) {
    rv::Hart& h = *harts_.at(thread);
    if (regno < 32) return regno == 0 ? 0 : h.x[regno];
    if (regno == rvreg::kPc) return h.pc;
    if (regno < rvreg::kF0 + 32) return h.f[regno - rvreg::kF0];
    switch (regno) {
    case rvreg::kFflags: return h.csr.fflags;
    case rvreg::kFrm: return h.csr.frm;
    case rvreg::kFcsr: return (h.csr.frm << 5) | h.csr.fflags;
    case rvreg::kScause: return h.csr.scause;
    case rvreg::kStval: return h.csr.stval;
    case rvreg::kHtval: return h.csr.htval;
    case rvreg::kHtinst: return h.csr.htinst;
    case rvreg::kHstatus: return h.csr.hstatus;
    case rvreg::kHgatp: return h.csr.hgatp;
    case rvreg::kVsatp: return h.csr.vsatp;
    default: return std::nullopt;
    }
}

bool RiscvHartsTarget::set(unsigned thread, unsigned regno, uint64_t value) {
    rv::Hart& h = *harts_.at(thread);
    if (regno < 32) {
        if (regno) h.x[regno] = value;
        return true;
    }
    if (regno == rvreg::kPc) {
        h.pc = value;
        h.end_block();
        return true;
    }
    if (regno < rvreg::kF0 + 32) {
        h.f[regno - rvreg::kF0] = value;
        return true;
    }
    switch (regno) {
    case rvreg::kFflags: h.csr.fflags = static_cast<uint32_t>(value & 0x1f); return true;
    case rvreg::kFrm: h.csr.frm = static_cast<uint32_t>(value & 7); return true;
    case rvreg::kFcsr:
        h.csr.fflags = static_cast<uint32_t>(value & 0x1f);
        h.csr.frm = static_cast<uint32_t>((value >> 5) & 7);
        return true;
    default: return false;   // the virtualization registers are read-only here
    }
}

std::optional<uint64_t> RiscvHartsTarget::to_host_phys(unsigned thread, uint64_t addr, bool write,
                                                       bool physical) {
    if (physical) return addr;
    (void)write;   // a debugger may write what the guest can only read: translate for reading
    rv::Hart& h = *harts_.at(thread);
    const rv::Translation t = h.translate(addr, rv::Access::Read, h.priv, h.virt);
    if (!t.ok()) return std::nullopt;
    return t.paddr;
}

// ---- hosted vCPUs

unsigned RiscvVmTarget::num_threads() const { return const_cast<vmm::RiscvVm&>(vm_).num_vcpus(); }

std::string RiscvVmTarget::thread_name(unsigned thread) const { return fmt::format("vcpu {}", thread); }

rv::Hart* RiscvVmTarget::live_hart(unsigned thread) {
    if (thread >= num_threads()) return nullptr;
    vcpu::riscv::PhysCpu* cpu = vm_.vcpu(thread).arch().bound_cpu();
    return cpu ? &cpu->hart() : nullptr;
}

std::optional<uint64_t> RiscvVmTarget::get(unsigned thread, unsigned regno) {
    const vcpu::riscv::RiscvVCpu& v = vm_.vcpu(thread).arch();
    if (regno < 32) return v.gpr(regno);
    if (regno == rvreg::kPc) return v.pc();
    if (regno < rvreg::kF0 + 32) return v.fpr(regno - rvreg::kF0);
    const rv::Hart* h = live_hart(thread);
    const auto& ctx = v.context();
    const uint64_t fflags = h ? h->csr.fflags : ctx.fflags, frm = h ? h->csr.frm : ctx.frm;
    switch (regno) {
    case rvreg::kFflags: return fflags;
    case rvreg::kFrm: return frm;
    case rvreg::kFcsr: return (frm << 5) | fflags;
    // The trap CSRs as the hypervisor saw them at the last exit.
    case rvreg::kScause: return v.last_trap().scause;
    case rvreg::kStval: return v.last_trap().stval;
    case rvreg::kHtval: return v.last_trap().htval;
    case rvreg::kHtinst: return v.last_trap().htinst;
    case rvreg::kHstatus: return h ? h->csr.hstatus : ctx.hstatus;
    case rvreg::kHgatp: return h ? h->csr.hgatp : ctx.hgatp;
    case rvreg::kVsatp: return h ? h->csr.vsatp : ctx.vsatp;
    default: return std::nullopt;
    }
}

bool RiscvVmTarget::set(unsigned thread, unsigned regno, uint64_t value) {
    vcpu::riscv::RiscvVCpu& v = vm_.vcpu(thread).arch();
    if (regno < 32) {
        v.set_gpr(regno, value);
        return true;
    }
    if (regno == rvreg::kPc) {
        v.set_pc(value);
        return true;
    }
    if (regno < rvreg::kF0 + 32) {
        v.set_fpr(regno - rvreg::kF0, value);
        return true;
    }
    return false;   // FP status and the virtualization registers are read-only from the debugger for now
}

rv::Priv RiscvVmTarget::access_priv(unsigned thread) {
    return vm_.vcpu(thread).arch().context().guest_s ? rv::Priv::S : rv::Priv::U;
}

std::optional<uint64_t> RiscvVmTarget::to_host_phys(unsigned thread, uint64_t addr, bool write, bool physical) {
    rv::Hart* h = live_hart(thread);
    if (!h) return std::nullopt;
    (void)write;   // as above: translate for reading
    const rv::Access acc = rv::Access::Read;
    if (physical) {
        const rv::Translation t = h->translate_g(addr, acc);
        return t.ok() ? std::optional<uint64_t>(t.paddr) : std::nullopt;
    }
    const bool guest_s = vm_.vcpu(thread).arch().context().guest_s;
    const rv::Translation t = h->translate(addr, acc, guest_s ? rv::Priv::S : rv::Priv::U, true);
    return t.ok() ? std::optional<uint64_t>(t.paddr) : std::nullopt;
}

} // namespace hvemu::emu::debug
