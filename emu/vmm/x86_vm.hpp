// An x86 VM assembled on an emulated x86 host, as a hypervisor assembles
// one: guest RAM backed by host RAM, the EPT that maps it (device ranges
// left out so their accesses exit), every PT_LOAD segment of the ELF64
// guest loaded (including a reset page near 4 GiB), a 16550 at port 0x3f8,
// QEMU's isa-debug-exit at port 0xf4, one virtual local APIC per vCPU (its
// xAPIC page at 0xFEE00000 served from EPT-violation exits, its x2APIC and
// IA32_APIC_BASE MSRs from MSR exits) joined by an APIC bus, one X86VCpu
// per guest CPU, and the host's physical CPUs (VMX enabled) to run them.
// The run loop is X86Vmm (x86_vmm.hpp).
//
// The guest sees a PC: RAM from 0 (-m), a 64 KiB reset region at
// 0xFFFF0000 (the segment at 0xFFFFF000 of the guests goes there), the
// local APIC page at 0xFEE00000. vCPU 0 (APIC ID 0, the BSP) starts in
// real mode at the ELF entry (the reset vector 0xFFFFFFF0: F000:FFF0); the
// others (APIC ID = vCPU index) wait for INIT and a start-up IPI, then
// start in real mode at the SIPI vector's page.
//
// Host physical layout: hypervisor frames at kHypRamBase (EPT tables, then
// VMXON regions, VMCSs, bitmaps and the host page tables), guest RAM from
// kGuestRamBase, each region at the next 1 GiB boundary plus its offset
// within 1 GiB so that large EPT pages line up; all below 2^kPaBits.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "devices/apic_bus.hpp"
#include "devices/isa_debug_exit.hpp"
#include "devices/lapic.hpp"
#include "devices/port_bus.hpp"
#include "devices/uart16550.hpp"
#include "emu/loader/elf.hpp"
#include "emu/machine/host_console.hpp"
#include "emu/vmm/console_io.hpp"
#include "emu/vmm/ept_builder.hpp"
#include "emu/vmm/frame_allocator.hpp"
#include "emu/vmm/guest_memory.hpp"
#include "emu/vmm/mmio_bus.hpp"
#include "emu/vmm/vm_config.hpp"
#include "isa/common/phys_mem.hpp"
#include "vcpu/vcpu.hpp"
#include "vcpu/x86/host_frames.hpp"
#include "vcpu/x86/phys_cpu.hpp"
#include "vcpu/x86/x86_vcpu.hpp"

namespace hvemu::emu::vmm {

using X86VCpu = vcpu::x86::X86VCpu;
using X86PhysCpu = vcpu::x86::PhysCpu;
using X86VCpuT = vcpu::VCpu<X86VCpu>;

class X86Vm {
public:
    static constexpr uint64_t kHypRamBase = 0x40'0000'0000;
    static constexpr uint64_t kHypRamSize = uint64_t{64} << 20;   // half EPT tables, half VMX frames
    static constexpr uint64_t kGuestRamBase = 0x50'0000'0000;
    static constexpr unsigned kPaBits = 39;
    static constexpr uint64_t kResetBase = 0xffff0000, kResetSize = 0x10000;
    static constexpr uint64_t kLapicBase = dev::Lapic::kDefaultBase;
    static constexpr uint16_t kUartPort = 0x3f8;
    static constexpr uint16_t kDebugExitPort = dev::IsaDebugExit::kDefaultPort;

    // Builds and loads everything; throws ConfigError, LoadError. cfg.arch
    // must be X86_64.
    X86Vm(const VmConfig& cfg, const ConsoleIo& io = {});
    ~X86Vm();
    X86Vm(const X86Vm&) = delete;
    X86Vm& operator=(const X86Vm&) = delete;

    const VmConfig& config() const { return cfg_; }
    isa::PhysMem& host_mem() { return host_; }
    GuestMemory& guest_mem() { return guest_; }
    const EptBuilder& ept() const { return *ept_; }
    MmioBus& bus() { return bus_; }             // MMIO devices shared by the vCPUs (none yet: the LAPIC is per vCPU)
    dev::PortBus& ports() { return ports_; }
    HostConsole& console() { return console_; }
    dev::Uart16550& uart() { return uart_; }
    dev::IsaDebugExit& debug_exit() { return debug_exit_; }

    unsigned num_vcpus() const { return static_cast<unsigned>(vcpus_.size()); }
    X86VCpuT& vcpu(unsigned i) { return *vcpus_.at(i); }
    const X86VCpuT& vcpu(unsigned i) const { return *vcpus_.at(i); }
    dev::Lapic& lapic(unsigned i) { return *lapics_.at(i); }
    const dev::Lapic& lapic(unsigned i) const { return *lapics_.at(i); }
    unsigned num_pcpus() const { return static_cast<unsigned>(pcpus_.size()); }
    X86PhysCpu& pcpu(unsigned i) { return *pcpus_.at(i); }
    const X86PhysCpu& pcpu(unsigned i) const { return *pcpus_.at(i); }

    uint64_t entry() const { return entry_; }
    const ElfImage& kernel() const { return image_; }
    // The clock vCPU i's local APIC counts: the cycles of the physical CPU
    // it is bound to (else the most advanced one).
    uint64_t cycles_of(unsigned i) const;

    // Wired by the VMM: the virtual LAPIC of vCPU `v` handed it `vector`
    // (already queued in the vCPU); INIT and start-up IPIs that reached it.
    std::function<void(unsigned v, uint8_t vector)> on_virq;
    std::function<void(unsigned v)> on_init;
    std::function<void(unsigned v, uint8_t vector)> on_sipi;

private:
    void build_memory();
    void build_devices();
    void load_kernel();
    void create_vcpus();

    VmConfig cfg_;
    isa::PhysMem host_;
    HostConsole console_;
    GuestMemory guest_;
    std::unique_ptr<FrameAllocator> frames_;
    std::unique_ptr<vcpu::x86::HostFrames> vmx_frames_;
    std::unique_ptr<EptBuilder> ept_;
    dev::Uart16550 uart_;
    dev::IsaDebugExit debug_exit_;
    dev::PortBus ports_;
    MmioBus bus_;
    dev::ApicBus apic_bus_;
    std::vector<std::unique_ptr<dev::Lapic>> lapics_;
    std::vector<std::unique_ptr<X86PhysCpu>> pcpus_;
    std::vector<std::unique_ptr<X86VCpuT>> vcpus_;
    ElfImage image_;
    uint64_t entry_ = 0;
};

} // namespace hvemu::emu::vmm
