// A RISC-V VM assembled on an emulated host, as a hypervisor assembles one:
// guest RAM backed by host RAM, the G-stage table that maps it (device
// ranges left out so their accesses exit), the kernel and device tree
// loaded, the emulated UART and PLIC, and one RISC-V vCPU per guest hart
// set up against the table, plus the host's physical CPUs to run them on.
// The run loop is RiscvVmm (riscv_vmm.hpp).
//
// Host physical memory layout (addresses of our choosing, far above what
// guests use, so identity-mapped regions do not collide with them):
//   kHypRamBase   hypervisor frames (G-stage tables)
//   kGuestRamBase guest RAM of Alloc regions, each at the next 1 GiB
//                 boundary plus the region's offset within 1 GiB, so that
//                 2 MiB and 1 GiB leaves line up with the guest's
//   GPA           Identical / Reserved regions (GPA == HPA)
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "devices/plic.hpp"
#include "devices/uart16550.hpp"
#include "emu/loader/elf.hpp"
#include "emu/machine/host_console.hpp"
#include "emu/vmm/console_io.hpp"
#include "emu/vmm/frame_allocator.hpp"
#include "emu/vmm/gstage_builder.hpp"
#include "emu/vmm/guest_memory.hpp"
#include "emu/vmm/mmio_bus.hpp"
#include "emu/vmm/vm_config.hpp"
#include "isa/common/phys_mem.hpp"
#include "vcpu/riscv/phys_cpu.hpp"
#include "vcpu/riscv/riscv_vcpu.hpp"
#include "vcpu/vcpu.hpp"

namespace hvemu::emu::vmm {

using RiscvVCpu = vcpu::riscv::RiscvVCpu;
using PhysCpu = vcpu::riscv::PhysCpu;
using VCpuT = vcpu::VCpu<RiscvVCpu>;

class RiscvVm {
public:
    static constexpr uint64_t kHypRamBase = 0x40'0000'0000;
    static constexpr uint64_t kHypRamSize = uint64_t{64} << 20;
    static constexpr uint64_t kGuestRamBase = 0x80'0000'0000;
    static constexpr uint64_t kUartWindow = 0x1000;   // the 16550's 8 registers, one page as QEMU maps it

    // Builds and loads everything; throws ConfigError, LoadError, FdtError.
    RiscvVm(const VmConfig& cfg, const ConsoleIo& io = {});
    ~RiscvVm();
    RiscvVm(const RiscvVm&) = delete;
    RiscvVm& operator=(const RiscvVm&) = delete;

    const VmConfig& config() const { return cfg_; }
    isa::PhysMem& host_mem() { return host_; }
    GuestMemory& guest_mem() { return guest_; }
    const GStageBuilder& gstage() const { return *gstage_; }
    MmioBus& bus() { return bus_; }
    HostConsole& console() { return console_; }
    dev::Uart16550& uart() { return uart_; }
    dev::Plic& plic() { return plic_; }

    unsigned num_vcpus() const { return static_cast<unsigned>(vcpus_.size()); }
    VCpuT& vcpu(unsigned i) { return *vcpus_.at(i); }
    unsigned num_pcpus() const { return static_cast<unsigned>(pcpus_.size()); }
    PhysCpu& pcpu(unsigned i) { return *pcpus_.at(i); }

    uint64_t entry() const { return entry_; }
    uint64_t dtb_addr() const { return dtb_addr_; }
    const std::vector<uint8_t>& dtb() const { return dtb_; }
    const ElfImage& kernel() const { return image_; }   // segments empty for a raw image

    // Called when the PLIC raises or lowers vCPU `i`'s supervisor external
    // interrupt (after the injection): the VMM wakes the vCPU.
    std::function<void(unsigned vcpu, bool level)> on_external_irq;

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
    std::unique_ptr<GStageBuilder> gstage_;
    dev::Uart16550 uart_;
    dev::Plic plic_;
    MmioBus bus_;
    std::vector<std::unique_ptr<PhysCpu>> pcpus_;
    std::vector<std::unique_ptr<VCpuT>> vcpus_;
    ElfImage image_;
    uint64_t kernel_lo_ = 0, kernel_hi_ = 0;
    uint64_t entry_ = 0;
    std::vector<uint8_t> dtb_;
    uint64_t dtb_addr_ = 0;
};

} // namespace hvemu::emu::vmm
