// An Arm VM assembled on an emulated Arm host, as a hypervisor assembles
// one: guest RAM backed by host RAM, the VMSAv8-64 stage-2 table that maps
// it (device ranges left out so their accesses exit), the kernel and a
// device tree loaded, a PL011 and a GICv3 in virtual mode (its distributor
// and redistributors emulated on the MMIO bus, interrupts handed to the
// vCPUs' list registers), one ArmVCpu per guest CPU, and the host's
// physical CPUs to run them on. The run loop is ArmVmm (arm_vmm.hpp).
//
// The guest sees QEMU's aarch64 virt board (no EL2, no EL3, GICv3):
//   0x08000000  GICv3 distributor (64 KiB)
//   0x080A0000  GICv3 redistributors (128 KiB per vCPU)
//   0x09000000  PL011, SPI 1 (INTID 33)
//   0x40000000  RAM (-m); the device tree at its base, as QEMU places it
//               for an ELF kernel; raw images at RAM + 2 MiB
// vCPU i has MPIDR Aff1 = i / 16, Aff0 = i % 16 (QEMU virt with a GICv3)
// unless VmConfig::mpidrs names them (Axvisor's phys_cpu_ids),
// enters at the kernel's entry at EL1h with x0 = the device tree; the
// others wait for PSCI CPU_ON.
//
// Host physical layout as RiscvVm's: hypervisor frames at kHypRamBase,
// RAM of Alloc regions from kGuestRamBase (1 GiB-aligned plus the region's
// offset, so blocks line up), Identical regions at GPA == PA. The host's
// PEs have kPaBits of physical address, so the stage-2 table has the IPA
// size and start level ArmVCpu programs for them.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/gicv3.hpp"
#include "devices/pl011.hpp"
#include "emu/loader/elf.hpp"
#include "emu/machine/host_console.hpp"
#include "emu/vmm/console_io.hpp"
#include "emu/vmm/frame_allocator.hpp"
#include "emu/vmm/guest_memory.hpp"
#include "emu/vmm/mmio_bus.hpp"
#include "emu/vmm/stage2_builder.hpp"
#include "emu/vmm/vm_config.hpp"
#include "isa/common/phys_mem.hpp"
#include "vcpu/arm64/arm_vcpu.hpp"
#include "vcpu/arm64/phys_cpu.hpp"
#include "vcpu/vcpu.hpp"

namespace hvemu::emu::vmm {

using ArmVCpu = vcpu::arm64::ArmVCpu;
using ArmPhysCpu = vcpu::arm64::PhysCpu;
using ArmVCpuT = vcpu::VCpu<ArmVCpu>;

class ArmVm {
public:
    static constexpr uint64_t kHypRamBase = 0x40'0000'0000;
    static constexpr uint64_t kHypRamSize = uint64_t{64} << 20;
    static constexpr uint64_t kGuestRamBase = 0x80'0000'0000;
    static constexpr unsigned kPaBits = 44;
    static constexpr uint64_t kGicdBase = 0x08000000;
    static constexpr uint64_t kGicrBase = 0x080A0000;
    static constexpr uint64_t kUartBase = 0x09000000;
    static constexpr uint32_t kUartSpi = 1;                  // INTID 32 + 1
    static constexpr uint64_t kRawKernelOffset = uint64_t{2} << 20;

    // Builds and loads everything; throws ConfigError, LoadError, FdtError.
    // cfg.arch must be Aarch64.
    ArmVm(const VmConfig& cfg, const ConsoleIo& io = {});
    ~ArmVm();
    ArmVm(const ArmVm&) = delete;
    ArmVm& operator=(const ArmVm&) = delete;

    const VmConfig& config() const { return cfg_; }
    isa::PhysMem& host_mem() { return host_; }
    GuestMemory& guest_mem() { return guest_; }
    const Stage2Builder& stage2() const { return *stage2_; }
    MmioBus& bus() { return bus_; }
    HostConsole& console() { return console_; }
    dev::Pl011& uart() { return uart_; }
    dev::Gicv3& gic() { return gic_; }

    unsigned num_vcpus() const { return static_cast<unsigned>(vcpus_.size()); }
    ArmVCpuT& vcpu(unsigned i) { return *vcpus_.at(i); }
    const ArmVCpuT& vcpu(unsigned i) const { return *vcpus_.at(i); }
    unsigned num_pcpus() const { return static_cast<unsigned>(pcpus_.size()); }
    ArmPhysCpu& pcpu(unsigned i) { return *pcpus_.at(i); }
    const ArmPhysCpu& pcpu(unsigned i) const { return *pcpus_.at(i); }

    uint64_t mpidr(unsigned i) const { return mpidrs_.at(i); }
    // The vCPU whose MPIDR affinity (Aff3..Aff0) is `mpidr`.
    std::optional<unsigned> vcpu_of_mpidr(uint64_t mpidr) const;

    uint64_t entry() const { return entry_; }
    uint64_t dtb_addr() const { return dtb_addr_; }
    const std::vector<uint8_t>& dtb() const { return dtb_; }
    const ElfImage& kernel() const { return image_; }

    // Called after the virtual GIC handed `intid` to vCPU `v` (it is
    // queued in the vCPU): the VMM wakes the vCPU.
    std::function<void(unsigned vcpu, uint32_t intid)> on_virq;

private:
    void build_memory();
    void build_devices();
    void load_kernel();
    void place_dtb();
    void create_vcpus();

    VmConfig cfg_;
    isa::PhysMem host_;
    HostConsole console_;
    GuestMemory guest_;
    std::unique_ptr<FrameAllocator> frames_;
    std::unique_ptr<Stage2Builder> stage2_;
    std::vector<uint64_t> mpidrs_;
    dev::Pl011 uart_;
    dev::Gicv3 gic_;
    MmioBus bus_;
    std::vector<std::unique_ptr<ArmPhysCpu>> pcpus_;
    std::vector<arm::Pe*> shareable_;   // the physical CPUs' Inner Shareable domain
    std::vector<std::unique_ptr<ArmVCpuT>> vcpus_;
    ElfImage image_;
    uint64_t kernel_lo_ = 0, kernel_hi_ = 0;
    uint64_t entry_ = 0;
    std::vector<uint8_t> dtb_;
    uint64_t dtb_addr_ = 0;
};

} // namespace hvemu::emu::vmm
