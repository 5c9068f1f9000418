#include "emu/debug/arm64_vm_target.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "emu/debug/arm64_access.hpp"
#include "emu/debug/arm64_gdb_target.hpp"
#include "emu/debug/arm64_walk.hpp"
#include "emu/debug/gdb_packet.hpp"
#include "vcpu/arm64/arm_regs.hpp"

namespace hvemu::emu::debug {

namespace {
constexpr uint64_t kPage = 4096;
namespace a64 = vcpu::arm64;
} // namespace

std::string ArmVmTarget::target_xml() const { return arm64_target_xml(); }

std::string ArmVmTarget::thread_name(unsigned thread) const {
    if (thread >= vm_.num_vcpus()) return "?";
    return fmt::format("vcpu {}{}", thread, vm_.vcpu(thread).arch().bound_cpu() ? "" : " (not started)");
}

unsigned ArmVmTarget::num_g_registers() const { return a64reg::kV0; }

unsigned ArmVmTarget::register_size(unsigned regno) const {
    if (regno < a64reg::kCpsr) return 8;
    if (regno == a64reg::kCpsr || regno == a64reg::kFpsr || regno == a64reg::kFpcr) return 4;
    if (regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) return 16;
    if (regno >= a64reg::kSys0 && regno < a64reg::kSys0 + arm64_virt_registers().size()) return 8;
    return 0;
}

arm::Pe* ArmVmTarget::live_pe(unsigned thread) const {
    if (thread >= vm_.num_vcpus()) return nullptr;
    a64::PhysCpu* cpu = vm_.vcpu(thread).arch().bound_cpu();
    return cpu ? &cpu->pe() : nullptr;
}

// Bound vCPUs only (the caller checks): SP_EL1 at EL1h, SP_EL0 otherwise.
uint64_t& ArmVmTarget::guest_sp(unsigned thread) {
    arm::Pe* p = live_pe(thread);
    const uint64_t ps = vm_.vcpu(thread).arch().pstate();
    const unsigned bank = a64::spsr::el(ps) != 0 && (ps & 1) ? 1 : 0;
    return p->sp_el(bank);
}

std::optional<uint64_t> ArmVmTarget::read_register(unsigned thread, unsigned regno) {
    if (thread >= vm_.num_vcpus()) return std::nullopt;
    const vmm::ArmVCpu& v = vm_.vcpu(thread).arch();
    arm::Pe* p = live_pe(thread);
    const auto& ctx = v.context();
    if (regno < 31) return v.gpr(regno);
    switch (regno) {
    case a64reg::kSp: {
        if (p) return guest_sp(thread);
        const uint64_t ps = v.pstate();
        return a64::spsr::el(ps) != 0 && (ps & 1) ? ctx.sp_el1 : ctx.sp_el0;
    }
    case a64reg::kPc: return v.pc();
    case a64reg::kCpsr: return v.pstate() & 0xffffffffu;
    case a64reg::kFpsr: return p ? p->fpsr : ctx.fpsr;
    case a64reg::kFpcr: return p ? p->fpcr : ctx.fpcr;
    default: break;
    }
    if (regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) return p ? p->v[regno - a64reg::kV0][0] : ctx.v[regno - a64reg::kV0][0];
    const auto& sys = arm64_virt_registers();
    if (p && regno >= a64reg::kSys0 && regno < a64reg::kSys0 + sys.size()) {
        const A64SysRegInfo& info = sys[regno - a64reg::kSys0];
        if (info.sp_el >= 0) return p->sp_el(static_cast<unsigned>(info.sp_el));
        uint64_t value = 0;
        if (p->sysreg_read(info.enc, value, 2)) return value;
    }
    return std::nullopt;
}

bool ArmVmTarget::write_register(unsigned thread, unsigned regno, uint64_t value) {
    if (thread >= vm_.num_vcpus()) return false;
    vmm::ArmVCpu& v = vm_.vcpu(thread).arch();
    arm::Pe* p = live_pe(thread);
    if (regno < 31) {
        v.set_gpr(regno, value);
        return true;
    }
    if (regno == a64reg::kPc) {
        v.set_pc(value);
        return true;
    }
    if (!p) return false;   // the saved context of a vCPU that never ran stays as it is
    switch (regno) {
    case a64reg::kSp: guest_sp(thread) = value; return true;
    case a64reg::kFpsr: p->fpsr = static_cast<uint32_t>(value); return true;
    case a64reg::kFpcr: p->fpcr = static_cast<uint32_t>(value); return true;
    default: break;
    }
    if (regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) {
        p->v[regno - a64reg::kV0][0] = value;
        p->v[regno - a64reg::kV0][1] = 0;
        return true;
    }
    return false;   // cpsr and the EL2 registers belong to the hypervisor
}

bool ArmVmTarget::read_register_bytes(unsigned thread, unsigned regno, uint8_t* dst) {
    if (thread < vm_.num_vcpus() && regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) {
        arm::Pe* p = live_pe(thread);
        std::memcpy(dst, p ? p->v[regno - a64reg::kV0] : vm_.vcpu(thread).arch().context().v[regno - a64reg::kV0], 16);
        return true;
    }
    return GdbTarget::read_register_bytes(thread, regno, dst);
}

bool ArmVmTarget::write_register_bytes(unsigned thread, unsigned regno, const uint8_t* src) {
    if (regno >= a64reg::kV0 && regno < a64reg::kV0 + 32) {
        arm::Pe* p = live_pe(thread);
        if (!p) return false;
        std::memcpy(p->v[regno - a64reg::kV0], src, 16);
        return true;
    }
    return GdbTarget::write_register_bytes(thread, regno, src);
}

uint64_t ArmVmTarget::pc(unsigned thread) { return thread < vm_.num_vcpus() ? vm_.vcpu(thread).arch().pc() : 0; }

bool ArmVmTarget::access(unsigned thread, uint64_t addr, uint8_t* buf, size_t len, bool physical, bool write) {
    if (thread >= vm_.num_vcpus()) return false;
    arm::Pe* p = live_pe(thread);
    if (!physical && !p) return false;
    const unsigned el = a64::spsr::el(vm_.vcpu(thread).arch().pstate());
    while (len) {
        const size_t chunk = std::min<size_t>(len, kPage - (addr & (kPage - 1)));
        std::optional<uint64_t> pa;
        if (physical) {
            pa = vm_.guest_mem().to_host(addr, chunk);
        } else {
            // Translate for reading (a debugger may write what the guest
            // only reads), through the guest's EL1&0 regime and stage 2.
            arm::Translation t = p->translate(addr, arm::Access::Read, el);
            if (t.fault == arm::FaultKind::Permission && el == 0) t = p->translate(addr, arm::Access::Read, 1);
            if (t.ok()) pa = t.paddr;
        }
        if (!pa) return false;
        isa::PhysMem& mem = vm_.host_mem();
        const bool ok = write ? mem.write_block(*pa, buf, chunk) : mem.read_block(*pa, buf, chunk);
        if (!ok) return false;   // not RAM: a device register is never touched by accident
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

bool ArmVmTarget::read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) {
    return access(thread, addr, dst, len, physical, false);
}

bool ArmVmTarget::write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) {
    return access(thread, addr, const_cast<uint8_t*>(src), len, physical, true);   // only read when writing
}

std::optional<GdbTarget::MemAccess> ArmVmTarget::next_access(unsigned thread) {
    if (!live_pe(thread)) return std::nullopt;
    const uint64_t at = pc(thread);
    uint32_t raw = 0;
    if (!read_memory(thread, at, reinterpret_cast<uint8_t*>(&raw), 4, false)) return std::nullopt;
    const auto a = a64_data_access(raw, at, [this, thread](unsigned r) {
        return r == 31 ? read_register(thread, a64reg::kSp).value_or(0) : vm_.vcpu(thread).arch().gpr(r);
    });
    if (!a) return std::nullopt;
    return MemAccess{a->addr, a->len, a->read, a->write};
}

std::optional<std::string> ArmVmTarget::monitor(unsigned thread, const std::string& cmd) {
    std::istringstream in(cmd);
    std::string word, arg;
    in >> word >> arg;
    if (word != "walk") return std::nullopt;
    arm::Pe* p = live_pe(thread);
    if (!p) return fmt::format("vcpu {} is not on a physical CPU (it has not run)\n", thread);
    if (arg.rfind("0x", 0) == 0 || arg.rfind("0X", 0) == 0) arg = arg.substr(2);
    const auto addr = parse_hex_u64(arg);
    if (!addr) return std::string("usage: monitor walk <hex address>\n");
    return arm64_walk_report(*p, *addr, a64::spsr::el(vm_.vcpu(thread).arch().pstate()));
}

} // namespace hvemu::emu::debug
