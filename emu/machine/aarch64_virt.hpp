// The full-system aarch64-virt machine, modelled on QEMU's
// `-machine virt,virtualization=on -cpu cortex-a57`: RAM at 0x40000000, the
// GICv3 distributor at 0x08000000 and redistributors from 0x080A0000, a
// PL011 at 0x09000000 (SPI 1), PSCI served as firmware over SMC, and
// semihosting (HLT #0xF000) for the exit status. N PEs, run in
// deterministic rounds (round_robin_board.hpp).
//
// Boot: PE 0 starts at EL2h (DAIF masked, MMUs off) at the kernel's entry
// with x0 = the device tree's address; the device tree sits at the start
// of RAM, as QEMU places it for ELF kernels. The other PEs are powered off
// until PSCI CPU_ON starts them, at the caller's EL with x0 = the context.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/gicv3.hpp"
#include "devices/pl011.hpp"
#include "emu/loader/elf.hpp"
#include "emu/machine/host_console.hpp"
#include "emu/machine/round_robin_board.hpp"
#include "emu/machine/riscv64_virt.hpp"   // ConfigError
#include "isa/arm64/pe.hpp"

namespace hvemu::emu {

struct Aarch64VirtConfig {
    uint64_t ram_size = uint64_t{128} << 20;
    unsigned num_cpus = 1;
    uint64_t max_insns = 0;       // 0: no limit
    uint64_t quantum = 1000;      // instructions (cycles) per PE per round
    std::string bootargs;         // /chosen/bootargs
    std::FILE* console_out = stdout;
    HostConsole::Sink console_sink;
    int console_in_fd = 0;
    ConsoleInput console_input = ConsoleInput::Auto;
    isa::Clocking clock = [] { isa::Clocking c; c.timebase_hz = 62'500'000; return c; }();
};

class Aarch64Virt : public RoundRobinBoard<Aarch64Virt, arm::Pe> {
    friend class RoundRobinBoard<Aarch64Virt, arm::Pe>;

public:
    // QEMU virt memory map
    static constexpr uint64_t kGicdBase = 0x08000000, kGicdSize = 0x10000;
    static constexpr uint64_t kGicrBase = 0x080A0000, kGicrStride = 0x20000;
    static constexpr uint64_t kUartBase = 0x09000000;
    static constexpr uint64_t kRamBase = 0x40000000;
    static constexpr unsigned kUartSpi = 1;          // INTID 33
    static constexpr unsigned kMaxCpus = 123;        // what the redistributor window holds
    static constexpr uint64_t kMinRam = uint64_t{2} << 20;
    static constexpr uint64_t kMaxRam = uint64_t{16} << 30;

    explicit Aarch64Virt(const Aarch64VirtConfig& cfg);
    ~Aarch64Virt();
    Aarch64Virt(const Aarch64Virt&) = delete;
    Aarch64Virt& operator=(const Aarch64Virt&) = delete;

    // Load the kernel ELF (checked: machine AArch64, segments and entry in
    // RAM), place the device tree and boot PE 0. Throws LoadError.
    void load_kernel_file(const std::string& path);
    void load_kernel(std::span<const uint8_t> elf, const std::string& name = "kernel");

    RunResult run();

    // ---- Inspection (tests, statistics)
    isa::PhysMem& mem() { return mem_; }
    arm::Pe& pe(unsigned i) { return *cores_.at(i); }
    unsigned num_cpus() const { return num_cores(); }
    bool cpu_on(unsigned i) const { return powered_.at(i); }
    dev::Pl011& uart() { return uart_; }
    dev::Gicv3& gic() { return gic_; }
    uint64_t dtb_addr() const { return kRamBase; }
    const std::vector<uint8_t>& dtb() const { return dtb_; }
    const ElfImage& kernel() const { return image_; }
    uint64_t resets() const { return resets_; }
    static uint64_t mpidr_of(unsigned cpu);          // Aff0 = cpu % 16, Aff1 = cpu / 16 (GICv3 targets 16 per cluster)

private:
    class Firmware;                                  // PSCI over SMC and semihosting
    void place_dtb();
    void boot();
    std::optional<unsigned> cpu_by_mpidr(uint64_t mpidr) const;
    // PSCI, called by the firmware on behalf of PE `caller`
    int64_t psci_cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context);
    void psci_cpu_off(unsigned caller);
    int64_t psci_affinity_info(uint64_t target, uint64_t level) const;
    // RoundRobinBoard hooks
    void after_slice(arm::Pe& pe);
    std::optional<uint64_t> poll_exit() { return std::nullopt; }
    void reset_machine();
    bool feed_console_input();
    bool console_wants_input() const { return uart_.rx_space() > 0; }
    std::optional<uint64_t> next_timer_cycles(arm::Pe& pe) const;
    std::string core_label(unsigned i) const;
    bool core_on(unsigned i) const { return powered_[i]; }

    Aarch64VirtConfig cfg_;
    isa::PhysMem mem_;
    dev::Pl011 uart_;
    dev::Gicv3 gic_;
    std::unique_ptr<Firmware> firmware_;
    std::vector<bool> powered_;
    std::vector<arm::Pe*> shareable_;    // the Inner Shareable domain: every core

    std::vector<uint8_t> kernel_bytes_;   // kept for machine reset
    std::string kernel_name_;
    ElfImage image_;
    std::vector<uint8_t> dtb_;
    bool loaded_ = false;
};

} // namespace hvemu::emu
