// The riscv64-virt machine: wiring, boot and reset. The run loop is
// RoundRobinBoard's (round_robin_board.hpp).
#include "emu/machine/riscv64_virt.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "emu/fdt/riscv_virt_fdt.hpp"
#include "isa/riscv/encoding.hpp"

namespace hvemu::emu {

namespace {
constexpr uint64_t kPage = isa::PhysMem::kPageSize;
constexpr uint64_t kDtbAlign = uint64_t{2} << 20;   // QEMU puts the DTB on a 2 MiB boundary

uint64_t page_round_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

std::string size_text(uint64_t bytes);

// Checked before any member is built from it (a huge hart count must not
// allocate anything).
const RiscvVirtConfig& validated(const RiscvVirtConfig& cfg) {
    if (cfg.num_harts < 1 || cfg.num_harts > RiscvVirt::kMaxHarts)
        throw ConfigError(
            fmt::format("riscv64-virt supports 1 to {} harts, not {}", RiscvVirt::kMaxHarts, cfg.num_harts));
    if (cfg.ram_size < RiscvVirt::kMinRam || cfg.ram_size > RiscvVirt::kMaxRam)
        throw ConfigError(fmt::format("RAM size {} is out of range ({} to {})", size_text(cfg.ram_size),
                                      size_text(RiscvVirt::kMinRam), size_text(RiscvVirt::kMaxRam)));
    if (cfg.ram_size % kPage != 0)
        throw ConfigError(fmt::format("RAM size {} bytes is not a multiple of 4 KiB", cfg.ram_size));
    if (cfg.quantum == 0) throw ConfigError("the scheduling quantum must be at least one instruction");
    return cfg;
}

std::string size_text(uint64_t bytes) {
    if (bytes % (uint64_t{1} << 30) == 0) return fmt::format("{}G", bytes >> 30);
    if (bytes % (uint64_t{1} << 20) == 0) return fmt::format("{}M", bytes >> 20);
    return fmt::format("{}K", bytes >> 10);
}
} // namespace

RiscvVirt::RiscvVirt(const RiscvVirtConfig& cfg)
    : RoundRobinBoard(cfg.console_sink, cfg.console_out, cfg.console_in_fd, cfg.console_input, cfg.quantum,
                      cfg.max_insns),
      cfg_(validated(cfg)),
      clint_(cfg.num_harts,
             dev::Clint::Callbacks{
                 .now = [this] { return cores_.empty() ? 0 : cores_[current_]->time(); },
                 .set_time =
                     [this](uint64_t t) {
                         for (auto& h : cores_) h->set_time(t);
                     },
                 .on_mtimecmp =
                     [this](unsigned h, uint64_t v) { cores_.at(h)->set_mtimecmp(v); },
                 .on_msip = [this](unsigned h, bool level) { set_irq(h, rv::irq::MSI, level); },
             }),
      plic_(cfg.num_harts) {
    mem_.add_ram(kRamBase, cfg.ram_size, "ram");
    mem_.add_mmio(kTestBase, page_round_up(test_.size()), &test_, "sifive_test");
    mem_.add_mmio(kClintBase, page_round_up(clint_.size()), &clint_, "clint");
    mem_.add_mmio(kPlicBase, page_round_up(plic_.size()), &plic_, "plic");
    mem_.add_mmio(kUartBase, page_round_up(uart_.size()), &uart_, "uart");

    for (unsigned i = 0; i < cfg.num_harts; i++) {
        rv::HartConfig hc;
        hc.hartid = i;
        hc.reset_pc = kRamBase;
        hc.clock = cfg.clock;
        hc.jit = cfg.jit;
        cores_.push_back(std::make_unique<rv::Hart>(mem_, hc));
    }

    uart_.set_tx([this](uint8_t b) { console_.put(b); });
    uart_.irq().connect(plic_.source_sink(kUartIrq));
    for (unsigned h = 0; h < cfg.num_harts; h++) {
        plic_.context_irq(2 * h).connect([this, h](bool level) { set_irq(h, rv::irq::MEI, level); });
        plic_.context_irq(2 * h + 1).connect([this, h](bool level) { set_irq(h, rv::irq::SEI, level); });
    }
    test_.set_handler([this](dev::SifiveTest::Action a, uint32_t status) {
        if (a == dev::SifiveTest::Action::Exit)
            request_exit(status);
        else
            request_reset();
    });
}

RiscvVirt::~RiscvVirt() {
    console_.flush();
    cores_.clear();   // the cores leave mem_ (a member of ours) before it goes
}

void RiscvVirt::set_irq(unsigned hart, unsigned irq_bit, bool level) {
    // The hart ends its block on a change, so a running hart takes a newly
    // raised interrupt right after the access that raised it.
    cores_.at(hart)->set_irq_line(irq_bit, level);
}

void RiscvVirt::load_kernel_file(const std::string& path) { load_kernel(read_file(path), path); }

void RiscvVirt::load_kernel(std::span<const uint8_t> elf, const std::string& name) {
    kernel_bytes_.assign(elf.begin(), elf.end());
    kernel_name_ = name;
    ElfOptions opt;
    opt.machine = elf_machine::RISCV;
    image_ = load_elf(mem_, kernel_bytes_, opt, kernel_name_);
    place_dtb();

    htif_.reset();
    if (auto tohost = image_.symbol("tohost"); tohost && mem_.is_ram(*tohost, 8)) {
        std::optional<uint64_t> fromhost = image_.symbol("fromhost");
        if (fromhost && !mem_.is_ram(*fromhost, 8)) fromhost.reset();
        htif_ = std::make_unique<Htif>(mem_, *tohost, fromhost, [this](uint8_t c) { console_.put(c); });
    }
    for (auto& h : cores_) h->reset();
    boot_harts();
    loaded_ = true;
    rebase_rounds();
}

void RiscvVirt::place_dtb() {
    RiscvVirtFdtConfig f;
    f.num_harts = num_harts();
    f.ram_base = kRamBase;
    f.ram_size = cfg_.ram_size;
    f.timebase_hz = static_cast<uint32_t>(cfg_.clock.timebase_hz);
    f.uart_base = kUartBase;
    f.uart_size = uart_.size();
    f.uart_irq = kUartIrq;
    f.clint_base = kClintBase;
    f.clint_size = clint_.size();
    f.plic_base = kPlicBase;
    f.plic_size = plic_.size();
    f.plic_ndev = kPlicSources;
    f.test_base = kTestBase;
    f.test_size = test_.size();
    f.bootargs = cfg_.bootargs;
    dtb_ = build_riscv_virt_fdt(f);

    // As QEMU: as high as possible, 2 MiB aligned, so the kernel is unlikely
    // to overwrite it.
    const uint64_t end = kRamBase + cfg_.ram_size;
    dtb_addr_ = (end - dtb_.size()) & ~(kDtbAlign - 1);
    if (dtb_addr_ < kRamBase) dtb_addr_ = (end - dtb_.size()) & ~uint64_t{7};
    for (const LoadedSegment& s : image_.segments)
        if (s.paddr < dtb_addr_ + dtb_.size() && dtb_addr_ < s.paddr + s.memsz)
            throw LoadError(fmt::format("{}: segment at [{:#x}, {:#x}) overlaps the device tree at {:#x}; "
                                        "give the machine more memory (-m)",
                                        kernel_name_, s.paddr, s.paddr + s.memsz, dtb_addr_));
    mem_.write_block(dtb_addr_, dtb_.data(), dtb_.size());
}

void RiscvVirt::boot_harts() {
    for (auto& hp : cores_) {
        rv::Hart& h = *hp;
        h.pc = image_.entry;
        h.x[10] = h.hartid();   // a0
        h.x[11] = dtb_addr_;    // a1
    }
}

void RiscvVirt::reset_machine() {
    // Harts first: the devices' reset then drives every interrupt line to
    // its reset level, which the harts hear.
    for (auto& h : cores_) h->reset();
    uart_.reset();
    clint_.reset();
    plic_.reset();
    ElfOptions opt;
    image_ = load_elf(mem_, kernel_bytes_, opt, kernel_name_);
    place_dtb();
    boot_harts();
    if (htif_) {
        const uint64_t tohost = *image_.symbol("tohost");
        std::optional<uint64_t> fromhost = image_.symbol("fromhost");
        if (fromhost && !mem_.is_ram(*fromhost, 8)) fromhost.reset();
        htif_ = std::make_unique<Htif>(mem_, tohost, fromhost, [this](uint8_t c) { console_.put(c); });
    }
}

bool RiscvVirt::feed_console_input() {
    uint8_t buf[dev::Uart16550::kFifoDepth];
    const unsigned space = uart_.rx_space();
    if (space == 0 || !console_.input_open()) return false;
    const size_t n = console_.read_ready(buf, std::min<size_t>(space, sizeof(buf)));
    for (size_t i = 0; i < n; i++) uart_.push_rx(buf[i]);
    return n != 0;
}

std::optional<uint64_t> RiscvVirt::next_timer_cycles(rv::Hart& h) const {
    const uint64_t now = h.time();
    const uint64_t cpt = std::max<uint64_t>(1, cfg_.clock.cycles_per_tick());
    // Comparators this far ahead are "never" (the reset value is ~0).
    const uint64_t horizon = (std::numeric_limits<uint64_t>::max() - h.cycles()) / cpt / 2;
    std::optional<uint64_t> best;
    auto consider = [&](uint64_t ticks_ahead) {
        if (ticks_ahead == 0 || ticks_ahead > horizon) return;
        const uint64_t c = h.cycles_until_time(now + ticks_ahead);
        if (c != 0 && (!best || c < *best)) best = c;
    };
    if (h.mtimecmp() > now) consider(h.mtimecmp() - now);
    if (h.csr.menvcfg & rv::menvcfg::STCE) {
        if (h.csr.stimecmp > now) consider(h.csr.stimecmp - now);
        // vstimecmp compares against the guest's time, time + htimedelta.
        const uint64_t vs_now = now + h.csr.htimedelta;
        if ((h.csr.henvcfg & rv::menvcfg::STCE) && h.csr.vstimecmp > vs_now) consider(h.csr.vstimecmp - vs_now);
    }
    return best;
}

void RiscvVirt::after_slice(rv::Hart& h) {
    // Another hart runs next: a reservation must not survive its stores
    // (an allowed spurious SC failure).
    if (num_harts() > 1) h.clear_reservation();
}

std::optional<uint64_t> RiscvVirt::poll_exit() { return htif_ ? htif_->poll() : std::nullopt; }

std::string RiscvVirt::core_label(unsigned i) const {
    const rv::Hart& h = *cores_[i];
    return fmt::format("hart {} pc={:#x}", h.hartid(), h.pc);
}

RunResult RiscvVirt::run() {
    if (!loaded_) throw std::logic_error("RiscvVirt::run() before load_kernel()");
    return run_rounds();
}

} // namespace hvemu::emu
