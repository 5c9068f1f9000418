#include "emu/vmm/x86_vm.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "emu/vmm/guest_loader.hpp"
#include "emu/vmm/vm_build.hpp"

namespace hvemu::emu::vmm {

namespace {

const VmConfig& checked(const VmConfig& cfg) {
    return checked_config(cfg, GuestArch::X86_64, "an x86 VM needs a configuration for x86_64");
}
} // namespace

X86Vm::X86Vm(const VmConfig& cfg, const ConsoleIo& io)
    : cfg_(checked(cfg)), console_(io.out, io.sink, io.in_fd, io.input), guest_(host_) {
    build_memory();
    build_devices();
    load_kernel();
    create_vcpus();
}

X86Vm::~X86Vm() {
    for (auto& l : lapics_) {
        l->set_virtual_sink(nullptr);
        l->set_ipi_sink(nullptr);
    }
    unbind_all(pcpus_, vcpus_);
    console_.flush();
}

void X86Vm::build_memory() {
    host_.add_ram(kHypRamBase, kHypRamSize, "hypervisor");
    frames_ = std::make_unique<FrameAllocator>(host_, kHypRamBase, kHypRamSize / 2);
    vmx_frames_ = std::make_unique<vcpu::x86::HostFrames>(host_, kHypRamBase + kHypRamSize / 2, kHypRamSize / 2);
    as_config_error([&] { ept_ = std::make_unique<EptBuilder>(host_, *frames_, kPaBits); });
    std::vector<MemoryRegionConfig> regions = cfg_.effective_memory();
    // The reset region unless a configured region covers the reset vector.
    const bool has_reset = std::any_of(regions.begin(), regions.end(), [](const MemoryRegionConfig& m) {
        return m.gpa <= kResetBase + kResetSize - 16 && kResetBase + kResetSize <= m.gpa + m.size;
    });
    if (!has_reset) regions.push_back(MemoryRegionConfig{kResetBase, kResetSize});
    HostPlacement placement(kGuestRamBase);
    unsigned n = 0;
    for (const MemoryRegionConfig& m : regions) {
        if (m.gpa < kLapicBase + dev::Lapic::kSize && kLapicBase < m.gpa + m.size)
            throw ConfigError(fmt::format("guest RAM [{:#x}, {:#x}) overlaps the local APIC page at {:#x}", m.gpa,
                                          m.gpa + m.size, kLapicBase));
        GuestRegion r;
        r.gpa = m.gpa;
        r.size = m.size;
        r.flags = m.flags;
        r.name = m.gpa == kResetBase ? "reset" : fmt::format("ram{}", n++);
        r.hpa = placement.place(m.gpa, m.size, m.map == MapType::Alloc);
        as_config_error([&] {
            ept_->map(r.gpa, r.hpa, r.size, r.flags);
            guest_.add(r);
        });
    }
}

void X86Vm::build_devices() {
    as_config_error([&] {
        ports_.map(kUartPort, 8, &uart_, "uart16550");
        ports_.map(kDebugExitPort, static_cast<uint32_t>(dev::IsaDebugExit::kSize), &debug_exit_, "isa-debug-exit", 4);
    });
    uart_.set_tx([this](uint8_t b) { console_.put(b); });
    for (unsigned i = 0; i < cfg_.cpu_num; i++) {
        dev::Lapic::Config lc;
        lc.apic_id = i;
        lc.bsp = i == 0;
        lc.phys_addr_bits = kPaBits;
        auto l = std::make_unique<dev::Lapic>(lc, [this, i] { return cycles_of(i); });
        apic_bus_.attach(l.get());
        l->set_ipi_sink([this](const dev::ApicMessage& m) { apic_bus_.deliver(m); });
        l->set_init_sink([this, i] {
            if (on_init) on_init(i);
        });
        l->set_sipi_sink([this, i](uint8_t v) {
            if (on_sipi) on_sipi(i, v);
        });
        l->set_nmi_sink([this, i] {
            if (i < vcpus_.size()) (void)vcpus_[i]->inject_interrupt(2);
            if (on_virq) on_virq(i, 2);
        });
        lapics_.push_back(std::move(l));
    }
}

void X86Vm::load_kernel() {
    const std::vector<uint8_t> bytes = read_file(cfg_.kernel_path);
    if (!is_elf(bytes)) throw LoadError(fmt::format("{}: an x86 VM boots an ELF64 image (with a reset page)", cfg_.kernel_path));
    image_ = load_guest_elf(guest_, bytes, cfg_.kernel_path, elf_machine::X86_64);
    entry_ = cfg_.entry_point.value_or(image_.entry);
    if (entry_ > 0xffffffffull)
        throw LoadError(fmt::format("{}: entry point {:#x} is above 4 GiB: the vCPU starts in real mode", cfg_.kernel_path, entry_));
    if (!guest_.to_host(entry_, 1))
        throw LoadError(fmt::format("{}: entry point {:#x} is outside guest RAM", cfg_.kernel_path, entry_));
}

void X86Vm::create_vcpus() {
    for (unsigned p = 0; p < cfg_.effective_phys_cpus(); p++) {
        auto cpu = std::make_unique<X86PhysCpu>(host_, *vmx_frames_, p, cfg_.clock, kPaBits);
        if (!cpu->enabled()) throw ConfigError(fmt::format("physical CPU {}: {}", p, cpu->error()));
        pcpus_.push_back(std::move(cpu));
    }
    for (unsigned i = 0; i < cfg_.cpu_num; i++) {
        vcpu::Result<X86VCpuT> v = X86VCpuT::create(cfg_.id, i, {.frames = vmx_frames_.get(), .apic_id = i});
        if (!v) throw ConfigError(fmt::format("vCPU {}: {}", i, v.error().message));
        auto vp = std::make_unique<X86VCpuT>(std::move(v.value()));
        if (auto r = vp->setup(entry_, ept_->root(), {}); !r)
            throw ConfigError(fmt::format("vCPU {}: {}", i, r.error().message));
        vcpus_.push_back(std::move(vp));
        // The LAPIC hands each deliverable interrupt to the vCPU's queue.
        lapics_[i]->set_virtual_sink([this, i](uint8_t vector) {
            if (i >= vcpus_.size()) return;
            (void)vcpus_[i]->inject_interrupt(vector);
            if (on_virq) on_virq(i, vector);
        });
    }
}

uint64_t X86Vm::cycles_of(unsigned i) const {
    if (i < vcpus_.size())
        if (const X86PhysCpu* c = vcpus_[i]->arch().bound_cpu()) return c->cycles();
    uint64_t c = 0;
    for (const auto& p : pcpus_) c = std::max(c, p->cycles());
    return c;
}

} // namespace hvemu::emu::vmm
