// The AArch64 GDB target for the PEs of a full-system machine (threads =
// PEs): x0-x30, sp, pc and cpsr (the `g` packet), v0-v31 (128-bit) with
// fpsr and fpcr, and a virtualization feature with the EL2 syndrome and
// translation registers and the EL1 state a hypervisor developer looks at.
// Memory by virtual address goes through the PE's current regime (stage 1,
// and stage 2 below EL2 when it is on); physical addresses are host
// physical. `monitor walk`, `monitor el` and `monitor sysregs` add the
// translation tables, the exception level and the system registers.
#pragma once
#include <functional>
#include <vector>

#include "emu/debug/gdb_target.hpp"
#include "isa/arm64/pe.hpp"

namespace hvemu::emu::debug {

// GDB's AArch64 register numbers, then the virtualization feature.
namespace a64reg {
constexpr unsigned kSp = 31, kPc = 32, kCpsr = 33, kV0 = 34, kFpsr = 66, kFpcr = 67;
constexpr unsigned kSys0 = 68;   // the first register of org.hvemu.arm64.virt
} // namespace a64reg

std::string arm64_target_xml();

// The virtualization feature's registers in order (kSys0 + index).
struct A64SysRegInfo {
    const char* name;   // as GDB shows it: esr_el2, ich_lr0_el2 ...
    uint32_t enc;       // for writes through Pe::sysreg_write (0: a stack pointer, see sp_el)
    int sp_el;          // SP_EL<n> (-1: a system register)
};
const std::vector<A64SysRegInfo>& arm64_virt_registers();

// PSTATE in the SPSR layout (what GDB calls cpsr): NZCV, SS, IL, DAIF, M.
uint32_t arm64_cpsr(const arm::Pe& pe);
// Set PSTATE from that layout; false (nothing changed) for an AArch32 or
// reserved M, or an EL the PE does not have.
bool arm64_set_cpsr(arm::Pe& pe, uint64_t cpsr);

class Arm64GdbTarget final : public GdbTarget {
public:
    explicit Arm64GdbTarget(std::vector<arm::Pe*> pes) : pes_(std::move(pes)) {}

    // When set, tells whether PE i is powered on (its thread name says so).
    std::function<bool(unsigned)> powered;

    std::string target_xml() const override { return arm64_target_xml(); }
    unsigned num_threads() const override { return static_cast<unsigned>(pes_.size()); }
    std::string thread_name(unsigned thread) const override;

    unsigned num_g_registers() const override { return a64reg::kV0; }
    unsigned register_size(unsigned regno) const override;
    std::optional<uint64_t> read_register(unsigned thread, unsigned regno) override;
    bool write_register(unsigned thread, unsigned regno, uint64_t value) override;
    bool read_register_bytes(unsigned thread, unsigned regno, uint8_t* dst) override;
    bool write_register_bytes(unsigned thread, unsigned regno, const uint8_t* src) override;

    bool read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) override;
    bool write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) override;
    uint64_t pc(unsigned thread) override { return thread < pes_.size() ? pes_[thread]->pc : 0; }
    std::optional<MemAccess> next_access(unsigned thread) override;
    bool watch_before_access() const override { return true; }
    // walk <va>, el, sysregs.
    std::optional<std::string> monitor(unsigned thread, const std::string& cmd) override;
    std::string monitor_help() const override {
        return "  el                                      the exception level, DAIF and the HCR_EL2 routing\n"
               "  sysregs                                 the virtualization feature's registers\n";
    }

private:
    arm::Pe* pe(unsigned thread) const { return thread < pes_.size() ? pes_[thread] : nullptr; }
    bool access(unsigned thread, uint64_t addr, uint8_t* buf, size_t len, bool physical, bool write);
    std::vector<arm::Pe*> pes_;
};

} // namespace hvemu::emu::debug
