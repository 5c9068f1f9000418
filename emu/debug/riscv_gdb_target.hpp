// The RISC-V GDB target: x0-x31 and pc (the `g` packet), f0-f31 with
// fflags/frm/fcsr, and a virtualization feature (scause, stval, htval,
// htinst, hstatus, hgatp, vsatp). Two views share it: the harts of a
// full-system machine, and the vCPUs of a hosted VM (where memory by
// "virtual" address goes through both stages and "physical" means guest
// physical).
#pragma once
#include <vector>

#include "emu/debug/gdb_target.hpp"
#include "isa/riscv/hart.hpp"

namespace hvemu::emu::vmm { class RiscvVm; }

namespace hvemu::emu::debug {

namespace rvreg {
constexpr unsigned kPc = 32, kF0 = 33, kFflags = 66, kFrm = 67, kFcsr = 68;
// The virtualization feature, in this order.
constexpr unsigned kScause = 69, kStval = 70, kHtval = 71, kHtinst = 72, kHstatus = 73, kHgatp = 74, kVsatp = 75;
constexpr unsigned kCount = 76;
} // namespace rvreg

std::string riscv_target_xml();

// Register and memory access common to both views.
class RiscvGdbTargetBase : public GdbTarget {
public:
    std::string target_xml() const override { return riscv_target_xml(); }
    unsigned num_g_registers() const override { return rvreg::kF0; }
    unsigned register_size(unsigned regno) const override;
    std::optional<uint64_t> read_register(unsigned thread, unsigned regno) override;
    bool write_register(unsigned thread, unsigned regno, uint64_t value) override;
    bool read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) override;
    bool write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) override;
    uint64_t pc(unsigned thread) override { return read_register(thread, rvreg::kPc).value_or(0); }
    std::optional<MemAccess> next_access(unsigned thread) override;
    // `monitor walk <addr>`.
    std::optional<std::string> monitor(unsigned thread, const std::string& cmd) override;

protected:
    // The hart that holds the thread's state now (nullptr: none; a vCPU
    // that is not bound).
    virtual rv::Hart* live_hart(unsigned thread) = 0;
    // Per-view register access beyond the hart's plain fields.
    virtual std::optional<uint64_t> get(unsigned thread, unsigned regno) = 0;
    virtual bool set(unsigned thread, unsigned regno, uint64_t value) = 0;
    // Translate addr for a debugger access of one page or less.
    virtual std::optional<uint64_t> to_host_phys(unsigned thread, uint64_t addr, bool write, bool physical) = 0;
    // The privilege and V of the thread's debugger accesses by virtual address.
    virtual rv::Priv access_priv(unsigned thread) = 0;
    virtual bool access_virt(unsigned thread) = 0;

private:
    bool access(unsigned thread, uint64_t addr, uint8_t* buf, size_t len, bool physical, bool write);
};

// Full-system: thread i is hart i; virtual addresses use the hart's
// current privilege and V; physical addresses are host physical.
class RiscvHartsTarget final : public RiscvGdbTargetBase {
public:
    explicit RiscvHartsTarget(std::vector<rv::Hart*> harts) : harts_(std::move(harts)) {}
    unsigned num_threads() const override { return static_cast<unsigned>(harts_.size()); }
    std::string thread_name(unsigned thread) const override;

protected:
    rv::Hart* live_hart(unsigned thread) override { return thread < harts_.size() ? harts_[thread] : nullptr; }
    std::optional<uint64_t> get(unsigned thread, unsigned regno) override;
    bool set(unsigned thread, unsigned regno, uint64_t value) override;
    std::optional<uint64_t> to_host_phys(unsigned thread, uint64_t addr, bool write, bool physical) override;
    rv::Priv access_priv(unsigned thread) override { return harts_.at(thread)->priv; }
    bool access_virt(unsigned thread) override { return harts_.at(thread)->virt; }

private:
    std::vector<rv::Hart*> harts_;
};

// Hosted: thread i is vCPU i of the VM.
class RiscvVmTarget final : public RiscvGdbTargetBase {
public:
    explicit RiscvVmTarget(vmm::RiscvVm& vm) : vm_(vm) {}
    unsigned num_threads() const override;
    std::string thread_name(unsigned thread) const override;

protected:
    rv::Hart* live_hart(unsigned thread) override;
    std::optional<uint64_t> get(unsigned thread, unsigned regno) override;
    bool set(unsigned thread, unsigned regno, uint64_t value) override;
    std::optional<uint64_t> to_host_phys(unsigned thread, uint64_t addr, bool write, bool physical) override;
    rv::Priv access_priv(unsigned thread) override;
    bool access_virt(unsigned) override { return true; }

private:
    vmm::RiscvVm& vm_;
};

} // namespace hvemu::emu::debug
