// The full-system x86_64-pc machine, modelled on the parts of QEMU's `pc`
// board that bare-metal test kernels use (`qemu-system-x86_64 -kernel
// K.elf -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04`):
// a 16550 at port 0x3f8 (IRQ 4 through the IOAPIC), isa-debug-exit at
// port 0xf4, an IOAPIC at 0xFEC00000 and a local APIC per CPU at
// 0xFEE00000 (each CPU sees its own), N CPUs run in deterministic rounds
// (round_robin_board.hpp).
//
// Memory: RAM from 0 to ram_size, all of it RAM: there is no VGA, BIOS
// ROM or option ROM, so the PC's 640 KiB-1 MiB hole is RAM too (stores to
// 0xB8000 land in memory harmlessly). The multiboot memory map still
// reports only [0, 640 KiB) and [1 MiB, ram_size) as available, as a PC's
// firmware would. RAM ends below 3 GiB, clear of the APIC windows.
// Unknown I/O ports read all ones and ignore writes (counted).
//
// Boot: a multiboot v1 kernel (emu/loader/multiboot.hpp) as `-kernel`
// loads it; the boot information (and a flat GDT) sits on the page after
// the kernel. The BSP starts as the multiboot specification says: 32-bit
// protected mode, CS = 0x08 and DS/ES/FS/GS/SS = 0x10 flat 4 GiB, paging
// off, interrupts off, EAX = 0x2BADB002, EBX = the info's address. The
// APs wait for SIPI; INIT-SIPI-SIPI through the LAPIC ICR starts them.
// A triple fault resets the machine (QEMU's default) and reloads the
// kernel.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/apic_bus.hpp"
#include "devices/ioapic.hpp"
#include "devices/isa_debug_exit.hpp"
#include "devices/lapic.hpp"
#include "devices/port_bus.hpp"
#include "devices/uart16550.hpp"
#include "emu/loader/multiboot.hpp"
#include "emu/machine/host_console.hpp"
#include "emu/machine/riscv64_virt.hpp"   // ConfigError
#include "emu/machine/round_robin_board.hpp"
#include "isa/x86/core.hpp"

namespace hvemu::emu {

struct X86PcConfig {
    uint64_t ram_size = uint64_t{128} << 20;
    unsigned num_cpus = 1;
    uint64_t max_insns = 0;       // 0: no limit
    uint64_t quantum = 1000;      // instructions (cycles) per CPU per round
    std::string cmdline;          // the multiboot command line (-append)
    std::FILE* console_out = stdout;
    HostConsole::Sink console_sink;
    int console_in_fd = 0;
    ConsoleInput console_input = ConsoleInput::Auto;
    isa::Clocking clock{};
};

// One CPU of the PC: the core and its local APIC, with what the
// round-robin loop expects of a core.
class PcCpu {
public:
    enum class Stop : uint8_t { Budget, Wfi, Shutdown, Other };

    PcCpu(isa::PhysMem& mem, const x86::CoreConfig& cc);
    PcCpu(const PcCpu&) = delete;
    PcCpu& operator=(const PcCpu&) = delete;

    Stop run(uint64_t budget);
    uint64_t cycles() const { return core.cycles(); }
    uint64_t icount() const { return core.icount(); }
    void add_cycles(uint64_t c) { core.add_cycles(c); }
    bool waiting_for_interrupt() const { return core.halted; }
    void request_stop() { core.request_stop(); }

    // INIT and SIPI from the local APIC. The core takes an INIT at its
    // next instruction boundary but a SIPI at once; a waiting AP acts on
    // an INIT on receipt, so a SIPI that follows an INIT not yet taken
    // waits until the INIT has been (the usual INIT-SIPI-SIPI from another
    // CPU's slice would otherwise start the AP and then reset it).
    void init();
    void sipi(uint8_t vector);

    x86::Core core;
    dev::Lapic lapic;
    Stop last = Stop::Budget;

private:
    bool init_pending_ = false;
    std::optional<uint8_t> sipi_pending_;
};

class X86Pc : public RoundRobinBoard<X86Pc, PcCpu> {
    friend class RoundRobinBoard<X86Pc, PcCpu>;

public:
    static constexpr uint16_t kUartPort = 0x3f8, kDebugExitPort = 0xf4;
    static constexpr unsigned kUartIrq = 4;          // IOAPIC pin (ISA IRQ 4)
    static constexpr uint64_t kIoapicBase = dev::IoApic::kDefaultBase;
    static constexpr uint64_t kLapicBase = dev::Lapic::kDefaultBase;
    static constexpr uint64_t kLowMemEnd = 0xA0000, kHighMemStart = 0x100000;
    static constexpr unsigned kMaxCpus = 64;
    static constexpr uint64_t kMinRam = uint64_t{2} << 20;
    static constexpr uint64_t kMaxRam = uint64_t{3} << 30;
    static constexpr uint16_t kCodeSelector = 0x08, kDataSelector = 0x10;

    explicit X86Pc(const X86PcConfig& cfg);
    ~X86Pc();
    X86Pc(const X86Pc&) = delete;
    X86Pc& operator=(const X86Pc&) = delete;

    // Load a multiboot kernel, build the boot information and start the
    // BSP. Throws LoadError.
    void load_kernel_file(const std::string& path);
    void load_kernel(std::span<const uint8_t> image, const std::string& name = "kernel");

    RunResult run();

    // ---- Inspection (tests, statistics)
    isa::PhysMem& mem() { return mem_; }
    x86::Core& cpu(unsigned i) { return cores_.at(i)->core; }
    dev::Lapic& lapic(unsigned i) { return cores_.at(i)->lapic; }
    unsigned num_cpus() const { return num_cores(); }
    dev::IoApic& ioapic() { return ioapic_; }
    dev::Uart16550& uart() { return uart_; }
    dev::PortBus& ports() { return ports_; }
    dev::IsaDebugExit& debug_exit() { return debug_exit_; }
    dev::ApicBus& apic_bus() { return apic_bus_; }
    const MultibootImage& kernel() const { return image_; }
    uint32_t info_addr() const { return info_addr_; }
    uint32_t gdt_addr() const { return gdt_addr_; }
    const std::vector<uint8_t>& info() const { return info_; }
    uint64_t resets() const { return resets_; }
    // The memory map reported to the kernel.
    std::vector<MemoryMapEntry> memory_map() const;

private:
    class LapicWindow;                     // 0xFEE00000: the running CPU's LAPIC
    void place_boot_info();
    void boot();
    // RoundRobinBoard hooks
    void after_slice(PcCpu& c);
    std::optional<uint64_t> poll_exit() { return std::nullopt; }
    void reset_machine();
    bool feed_console_input();
    bool console_wants_input() const { return uart_.rx_space() > 0; }
    std::optional<uint64_t> next_timer_cycles(PcCpu& c);
    std::string core_label(unsigned i) const;
    bool core_on(unsigned) const { return true; }

    X86PcConfig cfg_;
    isa::PhysMem mem_;
    dev::Uart16550 uart_;
    dev::IsaDebugExit debug_exit_;
    dev::IoApic ioapic_;
    dev::ApicBus apic_bus_;
    dev::PortBus ports_;
    std::unique_ptr<LapicWindow> lapic_window_;

    std::vector<uint8_t> kernel_bytes_;    // kept for machine reset
    std::string kernel_name_;
    MultibootImage image_;
    std::vector<uint8_t> info_;
    uint32_t info_addr_ = 0, gdt_addr_ = 0;
    bool loaded_ = false;
};

} // namespace hvemu::emu
