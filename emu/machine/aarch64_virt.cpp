// The aarch64-virt machine: wiring, boot, reset, and the firmware services
// a machine without EL3 provides in place of EL3 code (PSCI over SMC, as
// QEMU's built-in PSCI does, and Arm semihosting for the exit status).
#include "emu/machine/aarch64_virt.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "emu/fdt/aarch64_virt_fdt.hpp"
#include "vcpu/arm64/psci.hpp"

namespace hvemu::emu {

namespace {
constexpr uint64_t kPage = isa::PhysMem::kPageSize;

uint64_t page_round_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

std::string size_text(uint64_t bytes) {
    if (bytes % (uint64_t{1} << 30) == 0) return fmt::format("{}G", bytes >> 30);
    if (bytes % (uint64_t{1} << 20) == 0) return fmt::format("{}M", bytes >> 20);
    return fmt::format("{}K", bytes >> 10);
}

const Aarch64VirtConfig& validated(const Aarch64VirtConfig& cfg) {
    if (cfg.num_cpus < 1 || cfg.num_cpus > Aarch64Virt::kMaxCpus)
        throw ConfigError(
            fmt::format("aarch64-virt supports 1 to {} CPUs, not {}", Aarch64Virt::kMaxCpus, cfg.num_cpus));
    if (cfg.ram_size < Aarch64Virt::kMinRam || cfg.ram_size > Aarch64Virt::kMaxRam)
        throw ConfigError(fmt::format("RAM size {} is out of range ({} to {})", size_text(cfg.ram_size),
                                      size_text(Aarch64Virt::kMinRam), size_text(Aarch64Virt::kMaxRam)));
    if (cfg.ram_size % kPage != 0)
        throw ConfigError(fmt::format("RAM size {} bytes is not a multiple of 4 KiB", cfg.ram_size));
    if (cfg.quantum == 0) throw ConfigError("the scheduling quantum must be at least one instruction");
    return cfg;
}

std::vector<uint64_t> mpidrs(unsigned n) {
    std::vector<uint64_t> v;
    for (unsigned i = 0; i < n; i++) v.push_back(Aarch64Virt::mpidr_of(i));
    return v;
}

// Semihosting operations (Arm IHI 0078) the firmware serves.
constexpr uint64_t kSysWritec = 0x03, kSysWrite0 = 0x04, kSysWrite = 0x05, kSysExit = 0x18,
                   kSysExitExtended = 0x20;
constexpr uint64_t kAdpStoppedApplicationExit = 0x20026;
} // namespace

// ---- firmware ---------------------------------------------------------------

class Aarch64Virt::Firmware final : public arm::Pe::SmcHandler, public arm::Pe::SemihostHandler {
public:
    explicit Firmware(Aarch64Virt& m) : m_(m) {}

    // PSCI 1.1 over SMC. Anything else is an unknown SMC: -1 in x0, as
    // SMCCC requires of a caller that asks a service that is not there.
    bool smc(arm::Pe& pe) override {
        const unsigned caller = index_of(pe);
        const uint64_t fid = pe.x[0] & 0xffffffffu;
        int64_t ret = psci::kNotSupported;
        switch (fid) {
        case psci::kVersion: ret = static_cast<int64_t>(psci::kVersion1_1); break;
        case psci::kFeatures: ret = features(pe.x[1] & 0xffffffffu); break;
        case psci::kCpuOn32:
        case psci::kCpuOn64: {
            const bool is32 = fid == psci::kCpuOn32;
            const uint64_t mask = is32 ? 0xffffffffu : ~uint64_t{0};
            ret = m_.psci_cpu_on(caller, pe.x[1] & mask, pe.x[2] & mask, pe.x[3] & mask);
            break;
        }
        case psci::kCpuOff:
            m_.psci_cpu_off(caller);
            return true;
        case psci::kAffinityInfo32:
        case psci::kAffinityInfo64: ret = m_.psci_affinity_info(pe.x[1], pe.x[2]); break;
        case psci::kMigrateInfoType: ret = psci::kMigrateNotRequired; break;
        case psci::kCpuSuspend32:
        case psci::kCpuSuspend64:
            // A standby power state: like WFI (QEMU does the same).
            pe.enter_wfi();
            ret = psci::kSuccess;
            break;
        case psci::kSystemOff: m_.request_exit(0); return true;
        case psci::kSystemReset: m_.request_reset(); return true;
        default: break;
        }
        pe.x[0] = static_cast<uint64_t>(ret);
        return true;
    }

    bool semihost(arm::Pe& pe) override {
        const uint64_t op = pe.x[0] & 0xffffffffu;
        const uint64_t arg = pe.x[1];
        switch (op) {
        case kSysWritec: {
            uint64_t c = 0;
            if (m_.mem_.read(arg, 1, c)) m_.console_.put(static_cast<uint8_t>(c));
            return true;
        }
        case kSysWrite0:
            for (uint64_t a = arg, c = 0; m_.mem_.read(a, 1, c) && c != 0; a++) m_.console_.put(static_cast<uint8_t>(c));
            return true;
        case kSysWrite: {
            // {fd, buffer, length}: fds 1 and 2 go to the console.
            uint64_t fd = 0, buf = 0, len = 0;
            if (!m_.mem_.read(arg, 8, fd) || !m_.mem_.read(arg + 8, 8, buf) || !m_.mem_.read(arg + 16, 8, len)) {
                pe.x[0] = ~uint64_t{0};
                return true;
            }
            uint64_t left = len;
            if (fd == 1 || fd == 2) {
                for (uint64_t c = 0; left > 0 && m_.mem_.read(buf + (len - left), 1, c); left--)
                    m_.console_.put(static_cast<uint8_t>(c));
            }
            pe.x[0] = left;   // bytes not written
            return true;
        }
        case kSysExit:
        case kSysExitExtended: {
            // AArch64: X1 points at {reason, subcode}.
            uint64_t reason = 0, code = 0;
            if (!m_.mem_.read(arg, 8, reason)) reason = 0;
            if (!m_.mem_.read(arg + 8, 8, code)) code = 1;
            m_.request_exit(reason == kAdpStoppedApplicationExit ? code : 1);
            return true;
        }
        default:
            pe.x[0] = ~uint64_t{0};   // -1: not supported
            return true;
        }
    }

private:
    unsigned index_of(const arm::Pe& pe) const {
        for (unsigned i = 0; i < m_.num_cpus(); i++)
            if (&m_.pe(i) == &pe) return i;
        return 0;
    }
    static int64_t features(uint64_t fid) {
        switch (fid) {
        case psci::kVersion: case psci::kFeatures: case psci::kCpuOn32: case psci::kCpuOn64:
        case psci::kCpuOff: case psci::kAffinityInfo32: case psci::kAffinityInfo64:
        case psci::kMigrateInfoType: case psci::kCpuSuspend32: case psci::kCpuSuspend64:
        case psci::kSystemOff: case psci::kSystemReset:
            return psci::kSuccess;
        default: return psci::kNotSupported;
        }
    }

    Aarch64Virt& m_;
};

// ---- the board --------------------------------------------------------------

uint64_t Aarch64Virt::mpidr_of(unsigned cpu) { return (uint64_t{1} << 31) | ((cpu / 16) << 8) | (cpu % 16); }

Aarch64Virt::Aarch64Virt(const Aarch64VirtConfig& cfg)
    : RoundRobinBoard(cfg.console_sink, cfg.console_out, cfg.console_in_fd, cfg.console_input, cfg.quantum,
                      cfg.max_insns),
      cfg_(validated(cfg)),
      gic_(dev::Gicv3::Config{dev::Gicv3::kVirtSpis, mpidrs(cfg.num_cpus)}),
      firmware_(std::make_unique<Firmware>(*this)),
      powered_(cfg.num_cpus, false) {
    mem_.add_ram(kRamBase, cfg.ram_size, "ram");
    mem_.add_mmio(kGicdBase, kGicdSize, &gic_.distributor(), "gicv3-dist");
    mem_.add_mmio(kGicrBase, kGicrStride * cfg.num_cpus, &gic_.redistributors(), "gicv3-redist");
    mem_.add_mmio(kUartBase, page_round_up(uart_.size()), &uart_, "pl011");

    for (unsigned i = 0; i < cfg.num_cpus; i++) {
        arm::PeConfig pc;
        pc.mpidr = mpidr_of(i);
        pc.reset_pc = kRamBase;
        pc.reset_el = 2;
        pc.clock = cfg.clock;
        cores_.push_back(std::make_unique<arm::Pe>(mem_, pc));
        arm::Pe& pe = *cores_.back();
        pe.set_smc_handler(firmware_.get());
        pe.set_semihost_handler(firmware_.get());
        pe.attach_gic(&gic_.cpu_port(i));
        shareable_.push_back(&pe);
    }
    // TLBI ...IS and IC IALLUIS reach every core.
    for (auto& c : cores_) c->set_shareable_domain(&shareable_);
    gic_.set_notifier([this](unsigned cpu) {
        if (cpu < cores_.size()) cores_[cpu]->gic_changed();
    });
    uart_.set_tx([this](uint8_t b) { console_.put(b); });
    uart_.irq().connect([this](bool level) { gic_.set_spi(32 + kUartSpi, level); });
}

Aarch64Virt::~Aarch64Virt() {
    console_.flush();
    cores_.clear();   // the cores leave mem_ (a member of ours) before it goes
}

void Aarch64Virt::load_kernel_file(const std::string& path) { load_kernel(read_file(path), path); }

void Aarch64Virt::load_kernel(std::span<const uint8_t> elf, const std::string& name) {
    kernel_bytes_.assign(elf.begin(), elf.end());
    kernel_name_ = name;
    ElfOptions opt;
    opt.machine = elf_machine::AARCH64;
    image_ = load_elf(mem_, kernel_bytes_, opt, kernel_name_);
    place_dtb();
    boot();
    loaded_ = true;
    rebase_rounds();
}

void Aarch64Virt::place_dtb() {
    Aarch64VirtFdtConfig f;
    f.mpidrs = mpidrs(num_cpus());
    f.ram_base = kRamBase;
    f.ram_size = cfg_.ram_size;
    f.gicd_base = kGicdBase;
    f.gicd_size = kGicdSize;
    f.gicr_base = kGicrBase;
    f.gicr_size = kGicrStride * num_cpus();
    f.uart_base = kUartBase;
    f.uart_size = uart_.size();
    f.uart_spi = kUartSpi;
    f.psci_method = "smc";
    f.bootargs = cfg_.bootargs;
    dtb_ = build_aarch64_virt_fdt(f);
    // As QEMU for an ELF kernel: at the start of RAM, if the kernel leaves
    // room there.
    for (const LoadedSegment& s : image_.segments)
        if (s.paddr < kRamBase + dtb_.size() && kRamBase < s.paddr + s.memsz)
            throw LoadError(fmt::format("{}: segment at [{:#x}, {:#x}) overlaps the device tree at {:#x}; "
                                        "link the kernel above {:#x}",
                                        kernel_name_, s.paddr, s.paddr + s.memsz, kRamBase,
                                        kRamBase + page_round_up(dtb_.size())));
    mem_.write_block(kRamBase, dtb_.data(), dtb_.size());
}

void Aarch64Virt::boot() {
    for (auto& p : cores_) p->reset();
    std::fill(powered_.begin(), powered_.end(), false);
    arm::Pe& pe = *cores_[0];
    pe.pc = image_.entry;
    pe.x[0] = kRamBase;   // the device tree
    powered_[0] = true;
}

void Aarch64Virt::reset_machine() {
    uart_.reset();
    gic_.reset();
    ElfOptions opt;
    opt.machine = elf_machine::AARCH64;
    image_ = load_elf(mem_, kernel_bytes_, opt, kernel_name_);
    place_dtb();
    boot();
}

std::optional<unsigned> Aarch64Virt::cpu_by_mpidr(uint64_t mpidr) const {
    const uint64_t aff = mpidr & 0xff00ffffffull;   // Aff3, Aff2, Aff1, Aff0
    for (unsigned i = 0; i < num_cpus(); i++)
        if ((mpidr_of(i) & 0xff00ffffffull) == aff) return i;
    return std::nullopt;
}

int64_t Aarch64Virt::psci_cpu_on(unsigned caller, uint64_t target, uint64_t entry, uint64_t context) {
    const auto t = cpu_by_mpidr(target);
    if (!t) return psci::kInvalidParameters;
    if (powered_[*t]) return psci::kAlreadyOn;
    if (!mem_.is_ram(entry, 4) || (entry & 3) != 0) return psci::kInvalidParameters;
    // The target starts in the caller's exception level, AArch64, with its
    // MMU off and DAIF masked, x0 = the context id (as QEMU's PSCI does).
    arm::Pe& p = *cores_[*t];
    const unsigned el = cores_[caller]->el();
    const uint64_t clock = p.cycles();
    p.reset();
    if (p.cycles() < clock) p.add_cycles(clock - p.cycles());   // its clock has followed the rounds
    p.set_el(el, true);
    p.pc = entry;
    p.x[0] = context;
    powered_[*t] = true;
    return psci::kSuccess;
}

void Aarch64Virt::psci_cpu_off(unsigned caller) {
    powered_[caller] = false;
    cores_[caller]->request_stop();
}

int64_t Aarch64Virt::psci_affinity_info(uint64_t target, uint64_t level) const {
    if (level != 0) return psci::kInvalidParameters;
    const auto t = cpu_by_mpidr(target);
    if (!t) return psci::kInvalidParameters;
    return powered_[*t] ? psci::kAffinityOn : psci::kAffinityOff;
}

void Aarch64Virt::after_slice(arm::Pe& pe) {
    // Another PE runs next: its stores must clear this one's exclusive
    // monitor (an allowed spurious STXR failure).
    if (num_cpus() > 1) pe.clear_exclusive();
}

bool Aarch64Virt::feed_console_input() {
    uint8_t buf[dev::Pl011::kFifoDepth];
    const unsigned space = uart_.rx_space();
    if (space == 0 || !console_.input_open()) return false;
    const size_t n = console_.read_ready(buf, std::min<size_t>(space, sizeof(buf)));
    for (size_t i = 0; i < n; i++) uart_.push_rx(buf[i]);
    return n != 0;
}

std::optional<uint64_t> Aarch64Virt::next_timer_cycles(arm::Pe& pe) const {
    const uint64_t c = pe.next_timer_cycles();
    if (c == 0 || c == std::numeric_limits<uint64_t>::max()) return std::nullopt;
    return c;
}

std::string Aarch64Virt::core_label(unsigned i) const {
    const arm::Pe& p = *cores_[i];
    return fmt::format("cpu {} pc={:#x} EL{}{}", i, p.pc, p.pstate.el, powered_[i] ? "" : " (off)");
}

RunResult Aarch64Virt::run() {
    if (!loaded_) throw std::logic_error("Aarch64Virt::run() before load_kernel()");
    return run_rounds();
}

} // namespace hvemu::emu
