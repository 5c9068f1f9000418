#include <fmt/format.h>

#include "vcpu/exit_reason.hpp"
#include "vcpu/result.hpp"
#include "vcpu/vcpu.hpp"

namespace hvemu::vcpu {

const char* to_string(ErrorKind k) {
    switch (k) {
    case ErrorKind::BadState: return "bad state";
    case ErrorKind::InvalidInput: return "invalid input";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::BadAddress: return "bad address";
    case ErrorKind::NotFound: return "not found";
    case ErrorKind::Internal: return "internal error";
    }
    return "?";
}

const char* to_string(VCpuState s) {
    switch (s) {
    case VCpuState::Invalid: return "Invalid";
    case VCpuState::Created: return "Created";
    case VCpuState::Free: return "Free";
    case VCpuState::Ready: return "Ready";
    case VCpuState::Running: return "Running";
    case VCpuState::Blocked: return "Blocked";
    }
    return "?";
}

bool width_from_bytes(unsigned n, AccessWidth& out) {
    switch (n) {
    case 1: out = AccessWidth::Byte; return true;
    case 2: out = AccessWidth::Word; return true;
    case 4: out = AccessWidth::Dword; return true;
    case 8: out = AccessWidth::Qword; return true;
    default: return false;
    }
}

namespace {
struct Kind {
    const char* operator()(const exit::Hypercall&) const { return "Hypercall"; }
    const char* operator()(const exit::MmioRead&) const { return "MmioRead"; }
    const char* operator()(const exit::MmioWrite&) const { return "MmioWrite"; }
    const char* operator()(const exit::SysRegRead&) const { return "SysRegRead"; }
    const char* operator()(const exit::SysRegWrite&) const { return "SysRegWrite"; }
    const char* operator()(const exit::IoRead&) const { return "IoRead"; }
    const char* operator()(const exit::IoWrite&) const { return "IoWrite"; }
    const char* operator()(const exit::ExternalInterrupt&) const { return "ExternalInterrupt"; }
    const char* operator()(const exit::NestedPageFault&) const { return "NestedPageFault"; }
    const char* operator()(const exit::Halt&) const { return "Halt"; }
    const char* operator()(const exit::CpuUp&) const { return "CpuUp"; }
    const char* operator()(const exit::CpuDown&) const { return "CpuDown"; }
    const char* operator()(const exit::SystemDown&) const { return "SystemDown"; }
    const char* operator()(const exit::Nothing&) const { return "Nothing"; }
    const char* operator()(const exit::FailEntry&) const { return "FailEntry"; }
    const char* operator()(const exit::SendIpi&) const { return "SendIpi"; }
};

struct Describe {
    std::string operator()(const exit::Hypercall& e) const {
        return fmt::format("Hypercall nr={:#x} args=[{:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}]", e.nr, e.args[0],
                           e.args[1], e.args[2], e.args[3], e.args[4], e.args[5]);
    }
    std::string operator()(const exit::MmioRead& e) const {
        return fmt::format("MmioRead addr={:#x} width={} reg={} reg_width={} signed_ext={}", e.addr, bytes(e.width),
                           e.reg, bytes(e.reg_width), e.signed_ext);
    }
    std::string operator()(const exit::MmioWrite& e) const {
        return fmt::format("MmioWrite addr={:#x} width={} data={:#x}", e.addr, bytes(e.width), e.data);
    }
    std::string operator()(const exit::SysRegRead& e) const {
        return fmt::format("SysRegRead addr={:#x} reg={}", e.addr, e.reg);
    }
    std::string operator()(const exit::SysRegWrite& e) const {
        return fmt::format("SysRegWrite addr={:#x} value={:#x}", e.addr, e.value);
    }
    std::string operator()(const exit::IoRead& e) const {
        return fmt::format("IoRead port={:#x} width={}", e.port, bytes(e.width));
    }
    std::string operator()(const exit::IoWrite& e) const {
        return fmt::format("IoWrite port={:#x} width={} data={:#x}", e.port, bytes(e.width), e.data);
    }
    std::string operator()(const exit::ExternalInterrupt& e) const {
        return fmt::format("ExternalInterrupt vector={:#x}", e.vector);
    }
    std::string operator()(const exit::NestedPageFault& e) const {
        return fmt::format("NestedPageFault addr={:#x} access_flags={:#x}", e.addr, e.access_flags);
    }
    std::string operator()(const exit::Halt&) const { return "Halt"; }
    std::string operator()(const exit::CpuUp& e) const {
        return fmt::format("CpuUp target_cpu={} entry_point={:#x} arg={:#x}", e.target_cpu, e.entry_point, e.arg);
    }
    std::string operator()(const exit::CpuDown& e) const { return fmt::format("CpuDown state={:#x}", e.state); }
    std::string operator()(const exit::SystemDown&) const { return "SystemDown"; }
    std::string operator()(const exit::Nothing&) const { return "Nothing"; }
    std::string operator()(const exit::FailEntry& e) const {
        return fmt::format("FailEntry hardware_entry_failure_reason={:#x}", e.hardware_entry_failure_reason);
    }
    std::string operator()(const exit::SendIpi& e) const {
        return fmt::format("SendIpi target_cpu={:#x} target_cpu_aux={:#x} send_to_all={} send_to_self={} vector={:#x}",
                           e.target_cpu, e.target_cpu_aux, e.send_to_all, e.send_to_self, e.vector);
    }
};
} // namespace

const char* exit_kind(const ExitReason& e) { return std::visit(Kind{}, e); }
std::string describe(const ExitReason& e) { return std::visit(Describe{}, e); }

} // namespace hvemu::vcpu
