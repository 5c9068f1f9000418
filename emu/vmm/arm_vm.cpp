#include "emu/vmm/arm_vm.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "emu/vmm/arm_guest_fdt.hpp"
#include "emu/vmm/guest_loader.hpp"
#include "emu/vmm/vm_build.hpp"
#include "vcpu/arm64/psci.hpp"

namespace hvemu::emu::vmm {

namespace {

const VmConfig& checked(const VmConfig& cfg) {
    return checked_config(cfg, GuestArch::Aarch64, "an Arm VM needs a configuration for aarch64");
}
} // namespace

ArmVm::ArmVm(const VmConfig& cfg, const ConsoleIo& io)
    : cfg_(checked(cfg)), console_(io.out, io.sink, io.in_fd, io.input), guest_(host_),
      mpidrs_(cfg_.mpidrs.empty() ? dev::Gicv3::virt_mpidrs(cfg_.cpu_num) : cfg_.mpidrs), gic_(dev::Gicv3::Config{dev::Gicv3::kVirtSpis, mpidrs_}) {
    build_memory();
    build_devices();
    load_kernel();
    place_dtb();
    create_vcpus();
}

ArmVm::~ArmVm() {
    gic_.set_virtual_sink(nullptr);
    unbind_all(pcpus_, vcpus_);
    console_.flush();
}

std::optional<unsigned> ArmVm::vcpu_of_mpidr(uint64_t mpidr) const {
    const uint64_t aff = mpidr & psci::kMpidrAffinityMask;
    for (unsigned i = 0; i < mpidrs_.size(); i++)
        if (mpidrs_[i] == aff) return i;
    return std::nullopt;
}

void ArmVm::build_memory() {
    host_.add_ram(kHypRamBase, kHypRamSize, "hypervisor");
    frames_ = std::make_unique<FrameAllocator>(host_, kHypRamBase, kHypRamSize);
    as_config_error([&] {
        stage2_ = std::make_unique<Stage2Builder>(host_, *frames_, ArmVCpu::ipa_bits_for(kPaBits),
                                                  ArmVCpu::start_level_for(kPaBits), kPaBits);
    });
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
            stage2_->map(r.gpa, r.hpa, r.size, r.flags);
            guest_.add(r);
        });
    }
}

void ArmVm::build_devices() {
    const uint64_t gicr_size = dev::Gicv3::kRedistStride * cfg_.cpu_num;
    struct Window {
        const char* what;
        uint64_t base, size;
        dev::Device& d;
    };
    const Window windows[] = {
        {"the GICv3 distributor", kGicdBase, dev::Gicv3::kDistSize, gic_.distributor()},
        {"the GICv3 redistributors", kGicrBase, gicr_size, gic_.redistributors()},
        {"the PL011", kUartBase, dev::Pl011::kSize, uart_},
    };
    for (const Window& w : windows) {
        for (const GuestRegion& r : guest_.regions())
            if (w.base < r.gpa + r.size && r.gpa < w.base + w.size)
                throw ConfigError(fmt::format("{} at {:#x} overlaps guest RAM [{:#x}, {:#x})", w.what, w.base, r.gpa,
                                              r.gpa + r.size));
        as_config_error([&] { bus_.add(w.base, w.size, w.d); });
    }
    uart_.set_tx([this](uint8_t b) { console_.put(b); });
    uart_.irq().connect(gic_.spi_sink(32 + kUartSpi));
}

void ArmVm::load_kernel() {
    const std::vector<uint8_t> bytes = read_file(cfg_.kernel_path);
    if (is_elf(bytes)) {
        image_ = load_guest_elf(guest_, bytes, cfg_.kernel_path, elf_machine::AARCH64);
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
    if (!guest_.to_host(entry_, 4))
        throw LoadError(fmt::format("{}: entry point {:#x} is outside guest RAM", cfg_.kernel_path, entry_));
    if (entry_ & 3) throw LoadError(fmt::format("{}: entry point {:#x} is not 4-byte aligned", cfg_.kernel_path, entry_));
}

void ArmVm::place_dtb() {
    if (!cfg_.dtb_path.empty()) {
        dtb_ = read_file(cfg_.dtb_path);
        if (dtb_.size() < 4 || dtb_[0] != 0xd0 || dtb_[1] != 0x0d || dtb_[2] != 0xfe || dtb_[3] != 0xed)
            throw LoadError(fmt::format("{}: not a device tree blob (bad magic)", cfg_.dtb_path));
    } else {
        ArmGuestFdtConfig f;
        f.mpidrs = mpidrs_;
        for (const GuestRegion& r : guest_.regions()) f.memory.emplace_back(r.gpa, r.size);
        f.gicd_base = kGicdBase;
        f.gicd_size = dev::Gicv3::kDistSize;
        f.gicr_base = kGicrBase;
        f.gicr_size = dev::Gicv3::kRedistStride * cfg_.cpu_num;
        f.uart_base = kUartBase;
        f.uart_size = dev::Pl011::kSize;
        f.uart_spi = kUartSpi;
        f.bootargs = cfg_.bootargs;
        dtb_ = build_arm_guest_fdt(f);
    }
    // As QEMU places it for a kernel that is not a Linux image: at the base
    // of the first RAM region.
    dtb_addr_ = cfg_.dtb_load_addr.value_or(guest_.regions().front().gpa);
    if (!guest_.to_host(dtb_addr_, dtb_.size()))
        throw LoadError(fmt::format("the device tree ({} bytes) does not fit in guest RAM at {:#x}", dtb_.size(),
                                    dtb_addr_));
    if (dtb_addr_ < kernel_hi_ && kernel_lo_ < dtb_addr_ + dtb_.size())
        throw LoadError(fmt::format("the device tree at {:#x} overlaps the kernel image [{:#x}, {:#x}); load the "
                                    "kernel higher or give another dtb address",
                                    dtb_addr_, kernel_lo_, kernel_hi_));
    guest_.write(dtb_addr_, dtb_.data(), dtb_.size());
}

void ArmVm::create_vcpus() {
    for (unsigned p = 0; p < cfg_.effective_phys_cpus(); p++)
        pcpus_.push_back(std::make_unique<ArmPhysCpu>(host_, p, cfg_.clock,
                                                      vcpu::arm64::PhysCpuOptions{.pa_bits = kPaBits}));
    // A guest's TLBI ...IS reaches every physical CPU, as on a real host.
    for (auto& p : pcpus_) shareable_.push_back(&p->pe());
    for (auto& p : pcpus_) p->pe().set_shareable_domain(&shareable_);
    for (unsigned i = 0; i < cfg_.cpu_num; i++) {
        vcpu::Result<ArmVCpuT> v = ArmVCpuT::create(cfg_.id, i, {.mpidr = mpidrs_[i], .dtb_addr = dtb_addr_});
        if (!v) throw ConfigError(fmt::format("vCPU {}: {}", i, v.error().message));
        auto vp = std::make_unique<ArmVCpuT>(std::move(v.value()));
        if (auto r = vp->setup(entry_, stage2_->root(), {}); !r)
            throw ConfigError(fmt::format("vCPU {}: {}", i, r.error().message));
        vcpus_.push_back(std::move(vp));
    }
    // Interrupts the guest's GIC makes pending go to the vCPUs' list registers.
    gic_.set_virtual_sink([this](unsigned v, uint32_t intid) {
        if (v >= vcpus_.size()) return;
        (void)vcpus_[v]->inject_interrupt(intid);
        if (on_virq) on_virq(v, intid);
    });
}

} // namespace hvemu::emu::vmm
