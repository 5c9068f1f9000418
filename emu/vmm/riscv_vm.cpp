#include "emu/vmm/riscv_vm.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "emu/fdt/fdt_writer.hpp"
#include "emu/machine/riscv64_virt.hpp"
#include "emu/vmm/guest_fdt.hpp"
#include "emu/vmm/guest_loader.hpp"
#include "emu/vmm/vm_build.hpp"

namespace hvemu::emu::vmm {

namespace {
constexpr uint64_t kDtbAlign = uint64_t{2} << 20;   // as QEMU
constexpr uint64_t kRawKernelOffset = uint64_t{2} << 20;   // raw kernels: RAM base + 2 MiB (OpenSBI's jump address)

const VmConfig& checked(const VmConfig& cfg) {
    return checked_config(cfg, GuestArch::Riscv64, "a RISC-V VM needs a configuration for riscv64");
}
} // namespace

RiscvVm::RiscvVm(const VmConfig& cfg, const ConsoleIo& io)
    : cfg_(checked(cfg)), console_(io.out, io.sink, io.in_fd, io.input), guest_(host_), plic_(cfg.cpu_num) {
    build_memory();
    build_devices();
    load_kernel();
    place_dtb();
    create_vcpus();
}

RiscvVm::~RiscvVm() {
    unbind_all(pcpus_, vcpus_);
    console_.flush();
}

void RiscvVm::build_memory() {
    host_.add_ram(kHypRamBase, kHypRamSize, "hypervisor");
    frames_ = std::make_unique<FrameAllocator>(host_, kHypRamBase, kHypRamSize);
    gstage_ = std::make_unique<GStageBuilder>(host_, *frames_, cfg_.gstage);
    HostPlacement placement(kGuestRamBase);
    unsigned n = 0;
    for (const MemoryRegionConfig& m : cfg_.effective_memory()) {
        GuestRegion r;
        r.gpa = m.gpa;
        r.size = m.size;
        r.flags = m.flags;
        r.name = fmt::format("ram{}", n++);
        r.hpa = placement.place(m.gpa, m.size, m.map == MapType::Alloc);
        as_config_error([&] {
            guest_.add(r);
            gstage_->map(r.gpa, r.hpa, r.size, r.flags);
        });
    }
}

void RiscvVm::build_devices() {
    auto overlaps_ram = [&](uint64_t base, uint64_t size) {
        for (const GuestRegion& r : guest_.regions())
            if (base < r.gpa + r.size && r.gpa < base + size) return true;
        return false;
    };
    try {
        if (overlaps_ram(cfg_.uart_base, kUartWindow))
            throw ConfigError(fmt::format("the UART at {:#x} overlaps guest RAM", cfg_.uart_base));
        bus_.add(cfg_.uart_base, kUartWindow, uart_);
        if (cfg_.plic) {
            if (overlaps_ram(cfg_.plic_base, cfg_.plic_size))
                throw ConfigError(fmt::format("the PLIC at {:#x} overlaps guest RAM", cfg_.plic_base));
            bus_.add(cfg_.plic_base, cfg_.plic_size, plic_);
        }
    } catch (const std::invalid_argument& e) {
        throw ConfigError(e.what());
    }
    uart_.set_tx([this](uint8_t b) { console_.put(b); });
    if (cfg_.plic) {
        if (cfg_.uart_irq == 0 || cfg_.uart_irq > dev::Plic::kMaxSource)
            throw ConfigError(fmt::format("UART interrupt {} is not a PLIC source (1 to {})", cfg_.uart_irq,
                                          dev::Plic::kMaxSource));
        uart_.irq().connect(plic_.source_sink(cfg_.uart_irq));
        // Context 2h+1 is hart h's S-mode external interrupt: for a vCPU,
        // its VSEIP. The M-mode contexts (2h) lead nowhere in a VM.
        for (unsigned h = 0; h < cfg_.cpu_num; h++)
            plic_.context_irq(2 * h + 1).connect([this, h](bool level) {
                if (h >= vcpus_.size()) return;   // before the vCPUs exist nothing is enabled
                RiscvVCpu& v = vcpus_[h]->arch();
                (void)(level ? v.inject_interrupt(9) : v.clear_interrupt(9));
                if (on_external_irq) on_external_irq(h, level);
            });
    }
}

void RiscvVm::load_kernel() {
    const std::vector<uint8_t> bytes = read_file(cfg_.kernel_path);
    if (is_elf(bytes)) {
        image_ = load_guest_elf(guest_, bytes, cfg_.kernel_path);
        entry_ = cfg_.entry_point.value_or(image_.entry);
        kernel_lo_ = image_.lowest();
        kernel_hi_ = image_.highest();
    } else {
        const uint64_t at = cfg_.kernel_load_addr.value_or(guest_.lowest() + kRawKernelOffset);
        const uint64_t n = load_guest_raw(guest_, bytes, at, cfg_.kernel_path);
        entry_ = cfg_.entry_point.value_or(at);
        kernel_lo_ = at;
        kernel_hi_ = at + n;
    }
    if (!guest_.to_host(entry_, 2))
        throw LoadError(fmt::format("{}: entry point {:#x} is outside guest RAM", cfg_.kernel_path, entry_));
}

void RiscvVm::place_dtb() {
    if (!cfg_.dtb_path.empty()) {
        dtb_ = read_file(cfg_.dtb_path);
        if (dtb_.size() < 4 || dtb_[0] != 0xd0 || dtb_[1] != 0x0d || dtb_[2] != 0xfe || dtb_[3] != 0xed)
            throw LoadError(fmt::format("{}: not a device tree blob (bad magic)", cfg_.dtb_path));
    } else {
        GuestFdtConfig f;
        f.num_harts = cfg_.cpu_num;
        for (const GuestRegion& r : guest_.regions()) f.memory.emplace_back(r.gpa, r.size);
        f.mmu_type = "riscv,sv48";
        f.timebase_hz = static_cast<uint32_t>(cfg_.clock.timebase_hz);
        f.uart_base = cfg_.uart_base;
        f.uart_size = uart_.size();
        f.uart_irq = cfg_.uart_irq;
        f.have_plic = cfg_.plic;
        f.plic_base = cfg_.plic_base;
        f.plic_size = cfg_.plic_size;
        f.plic_ndev = dev::Plic::kMaxSource;
        f.bootargs = cfg_.bootargs;
        dtb_ = build_guest_fdt(f);
    }
    const GuestRegion& first = guest_.regions().front();
    if (cfg_.dtb_load_addr) {
        dtb_addr_ = *cfg_.dtb_load_addr;
    } else {
        // As QEMU: high in the first RAM region (below 4 GiB), 2 MiB aligned.
        const uint64_t end = std::min(first.gpa + first.size, std::max(first.gpa, uint64_t{4} << 30));
        dtb_addr_ = end > dtb_.size() ? ((end - dtb_.size()) & ~(kDtbAlign - 1)) : 0;
        if (dtb_addr_ < first.gpa) dtb_addr_ = (end - dtb_.size()) & ~uint64_t{7};
    }
    if (!guest_.to_host(dtb_addr_, dtb_.size()))
        throw LoadError(fmt::format("the device tree ({} bytes) does not fit in guest RAM at {:#x}", dtb_.size(),
                                    dtb_addr_));
    if (dtb_addr_ < kernel_hi_ && kernel_lo_ < dtb_addr_ + dtb_.size())
        throw LoadError(fmt::format("the device tree at {:#x} overlaps the kernel image [{:#x}, {:#x}); give the VM "
                                    "more memory (-m) or another dtb address",
                                    dtb_addr_, kernel_lo_, kernel_hi_));
    guest_.write(dtb_addr_, dtb_.data(), dtb_.size());
}

void RiscvVm::create_vcpus() {
    for (unsigned p = 0; p < cfg_.effective_phys_cpus(); p++)
        pcpus_.push_back(std::make_unique<PhysCpu>(host_, p, cfg_.clock,
                                                   vcpu::riscv::PhysCpuOptions{.write_tinst = cfg_.hart_writes_tinst,
                                                                               .jit = cfg_.hart_jit}));
    for (unsigned i = 0; i < cfg_.cpu_num; i++) {
        vcpu::Result<VCpuT> v = VCpuT::create(cfg_.id, i, {.hart_id = i, .dtb_addr = dtb_addr_});
        if (!v) throw ConfigError(fmt::format("vCPU {}: {}", i, v.error().message));
        auto vp = std::make_unique<VCpuT>(std::move(v.value()));
        if (auto r = vp->arch().set_ept_mode(gstage_->hgatp_mode()); !r)
            throw ConfigError(fmt::format("vCPU {}: {}", i, r.error().message));
        if (auto r = vp->setup(entry_, gstage_->root(), {}); !r)
            throw ConfigError(fmt::format("vCPU {}: {}", i, r.error().message));
        vcpus_.push_back(std::move(vp));
    }
}

} // namespace hvemu::emu::vmm
