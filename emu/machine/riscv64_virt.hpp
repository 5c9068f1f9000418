// The full-system riscv64-virt machine, modelled on QEMU's `virt` board:
// RAM at 0x80000000, a 16550 UART, the CLINT, the PLIC, the sifive_test
// finisher and HTIF, N harts run deterministically in round-robin quanta.
// Each hart starts in M-mode at the kernel's entry with a0 = hartid and
// a1 = the address of the device tree.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/clint.hpp"
#include "devices/plic.hpp"
#include "devices/sifive_test.hpp"
#include "devices/uart16550.hpp"
#include "emu/loader/elf.hpp"
#include "emu/machine/host_console.hpp"
#include "emu/machine/htif.hpp"
#include "emu/machine/round_robin_board.hpp"
#include "isa/common/phys_mem.hpp"
#include "isa/riscv/hart.hpp"

namespace hvemu::emu {

// A machine that cannot be built as configured (bad size, too many harts).
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RiscvVirtConfig {
    uint64_t ram_size = uint64_t{128} << 20;
    unsigned num_harts = 1;
    uint64_t max_insns = 0;       // 0: no limit
    uint64_t quantum = 1000;      // instructions (cycles) per hart per round
    std::string bootargs;         // /chosen/bootargs
    // Console: guest output to `console_out` (or `console_sink` when set),
    // input from `console_in_fd` as `console_input` says.
    std::FILE* console_out = stdout;
    HostConsole::Sink console_sink;
    int console_in_fd = 0;
    ConsoleInput console_input = ConsoleInput::Auto;
    isa::Clocking clock{};
    bool jit = true;              // harts compile hot blocks (rv::HartConfig::jit)
};

class RiscvVirt : public RoundRobinBoard<RiscvVirt, rv::Hart> {
    friend class RoundRobinBoard<RiscvVirt, rv::Hart>;


public:
    // QEMU virt memory map
    static constexpr uint64_t kTestBase = 0x100000;
    static constexpr uint64_t kClintBase = 0x2000000;
    static constexpr uint64_t kPlicBase = 0xc000000;
    static constexpr uint64_t kUartBase = 0x10000000;
    static constexpr uint64_t kRamBase = 0x80000000;
    static constexpr unsigned kUartIrq = 10;
    static constexpr unsigned kPlicSources = 95;
    static constexpr unsigned kMaxHarts = 64;
    static constexpr uint64_t kMinRam = uint64_t{2} << 20;
    static constexpr uint64_t kMaxRam = uint64_t{16} << 30;

    explicit RiscvVirt(const RiscvVirtConfig& cfg);
    ~RiscvVirt();
    RiscvVirt(const RiscvVirt&) = delete;
    RiscvVirt& operator=(const RiscvVirt&) = delete;

    // Load the kernel ELF (checked: machine RISC-V, segments and entry in
    // RAM), place the device tree and set every hart's boot registers.
    // Throws LoadError.
    void load_kernel_file(const std::string& path);
    void load_kernel(std::span<const uint8_t> elf, const std::string& name = "kernel");

    // Run until the guest exits, --max-insns is reached or every hart
    // waits forever (round_robin_board.hpp). before_insn (from the base) is
    // the debugger's hook.
    RunResult run();

    // ---- Inspection (tests, statistics)
    isa::PhysMem& mem() { return mem_; }
    rv::Hart& hart(unsigned i) { return *cores_.at(i); }
    unsigned num_harts() const { return num_cores(); }
    dev::Uart16550& uart() { return uart_; }
    dev::Plic& plic() { return plic_; }
    dev::Clint& clint() { return clint_; }
    uint64_t dtb_addr() const { return dtb_addr_; }
    const std::vector<uint8_t>& dtb() const { return dtb_; }
    const ElfImage& kernel() const { return image_; }
    uint64_t resets() const { return resets_; }

private:
    void boot_harts();                                // pc = entry, a0 = hartid, a1 = DTB
    void place_dtb();
    void set_irq(unsigned hart, unsigned irq_bit, bool level);
    // RoundRobinBoard hooks
    void after_slice(rv::Hart& h);
    std::optional<uint64_t> poll_exit();
    void reset_machine();
    bool feed_console_input();                        // true when bytes arrived
    bool console_wants_input() const { return uart_.rx_space() > 0; }
    std::optional<uint64_t> next_timer_cycles(rv::Hart& h) const;
    std::string core_label(unsigned i) const;
    bool core_on(unsigned) const { return true; }

    RiscvVirtConfig cfg_;
    isa::PhysMem mem_;
    dev::Uart16550 uart_;
    dev::Clint clint_;
    dev::Plic plic_;
    dev::SifiveTest test_;
    std::unique_ptr<Htif> htif_;

    std::vector<uint8_t> kernel_bytes_;   // kept for machine reset
    std::string kernel_name_;
    ElfImage image_;
    std::vector<uint8_t> dtb_;
    uint64_t dtb_addr_ = 0;
    bool loaded_ = false;
};

} // namespace hvemu::emu
