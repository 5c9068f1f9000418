// The x86_64-pc machine: wiring of the cores, the APICs and the ISA
// devices, the multiboot boot state, and the round-robin hooks.
#include "emu/machine/x86_64_pc.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace hvemu::emu {

namespace {
constexpr uint64_t kPage = isa::PhysMem::kPageSize;
constexpr uint64_t k4G = uint64_t{1} << 32;

uint64_t page_round_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

std::string size_text(uint64_t bytes) {
    if (bytes % (uint64_t{1} << 30) == 0) return fmt::format("{}G", bytes >> 30);
    if (bytes % (uint64_t{1} << 20) == 0) return fmt::format("{}M", bytes >> 20);
    return fmt::format("{}K", bytes >> 10);
}

const X86PcConfig& validated(const X86PcConfig& cfg) {
    if (cfg.num_cpus < 1 || cfg.num_cpus > X86Pc::kMaxCpus)
        throw ConfigError(fmt::format("x86_64-pc supports 1 to {} CPUs, not {}", X86Pc::kMaxCpus, cfg.num_cpus));
    if (cfg.ram_size < X86Pc::kMinRam || cfg.ram_size > X86Pc::kMaxRam)
        throw ConfigError(fmt::format("RAM size {} is out of range ({} to {})", size_text(cfg.ram_size),
                                      size_text(X86Pc::kMinRam), size_text(X86Pc::kMaxRam)));
    if (cfg.ram_size % kPage != 0)
        throw ConfigError(fmt::format("RAM size {} bytes is not a multiple of 4 KiB", cfg.ram_size));
    if (cfg.quantum == 0) throw ConfigError("the scheduling quantum must be at least one instruction");
    return cfg;
}

// The flat GDT the BSP starts with: null, 32-bit code (0x08), data (0x10).
constexpr uint64_t kGdt[3] = {0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull};
// Access rights (VMCS layout) of those descriptors as loaded: G, D/B, P, S, type.
constexpr uint16_t kFlatCode = 0xC09B, kFlatData = 0xC093;
constexpr uint64_t kCr0Pe = 1, kCr0Et = 1u << 4;
} // namespace

// ---- one CPU ------------------------------------------------------------

PcCpu::PcCpu(isa::PhysMem& mem, const x86::CoreConfig& cc)
    : core(mem, cc),
      lapic(dev::Lapic::Config{cc.apic_id, cc.bsp, cc.phys_addr_bits}, [this] { return core.cycles(); }) {}

void PcCpu::init() {
    core.deliver_init();
    init_pending_ = true;
    sipi_pending_.reset();
}

void PcCpu::sipi(uint8_t vector) {
    if (!init_pending_) {
        core.deliver_sipi(vector);
    } else if (!sipi_pending_) {
        sipi_pending_ = vector;   // a second one would find the AP running: ignored
    }
}

PcCpu::Stop PcCpu::run(uint64_t budget) {
    if (sipi_pending_) {
        // The INIT first: the core takes it before its first instruction
        // and stops in wait-for-SIPI.
        const uint64_t before = core.icount();
        core.run(1);
        budget -= std::min(budget, core.icount() - before);
        init_pending_ = false;
        core.deliver_sipi(*sipi_pending_);
        sipi_pending_.reset();
        if (budget == 0) return last = Stop::Budget;
    }
    init_pending_ = false;   // any run takes a pending INIT first
    switch (core.run(budget)) {
    case x86::StopReason::Budget: last = Stop::Budget; break;
    case x86::StopReason::Halt: last = Stop::Wfi; break;
    case x86::StopReason::Shutdown: last = Stop::Shutdown; break;
    default: last = Stop::Other; break;
    }
    return last;
}

// ---- the LAPIC window ---------------------------------------------------

// Every CPU sees its own local APIC at the same address: accesses go to
// the APIC of the CPU that is running.
class X86Pc::LapicWindow final : public isa::MmioTarget {
public:
    explicit LapicWindow(X86Pc& m) : m_(m) {}
    bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) override {
        return m_.cores_.at(m_.current_)->lapic.mmio_read(offset, width, value);
    }
    bool mmio_write(uint64_t offset, unsigned width, uint64_t value) override {
        return m_.cores_.at(m_.current_)->lapic.mmio_write(offset, width, value);
    }

private:
    X86Pc& m_;
};

// ---- the board ----------------------------------------------------------

X86Pc::X86Pc(const X86PcConfig& cfg)
    : RoundRobinBoard(cfg.console_sink, cfg.console_out, cfg.console_in_fd, cfg.console_input, cfg.quantum,
                      cfg.max_insns),
      cfg_(validated(cfg)),
      lapic_window_(std::make_unique<LapicWindow>(*this)) {
    mem_.add_ram(0, cfg.ram_size, "ram");
    mem_.add_mmio(kIoapicBase, dev::IoApic::kSize, &ioapic_, "ioapic");
    mem_.add_mmio(kLapicBase, dev::Lapic::kSize, lapic_window_.get(), "lapic");
    ports_.map(kUartPort, 8, &uart_, "uart16550", 1);
    ports_.map(kDebugExitPort, dev::IsaDebugExit::kSize, &debug_exit_, "isa-debug-exit", 4);

    for (unsigned i = 0; i < cfg.num_cpus; i++) {
        x86::CoreConfig cc;
        cc.apic_id = i;
        cc.bsp = i == 0;
        cc.clock = cfg.clock;
        cores_.push_back(std::make_unique<PcCpu>(mem_, cc));
        PcCpu& c = *cores_.back();
        x86::Core* core = &c.core;
        c.core.attach_io(&ports_);
        c.core.attach_apic(&c.lapic);
        c.lapic.follow_apic_base([core] { return core->apic_base; });
        // IA32_TSC_DEADLINE compares with the TSC (cycles plus IA32_TSC
        // writes), not a nested guest's offset one.
        c.lapic.set_tsc_clock([core] { return core->cycles() + core->tsc_offset; });
        c.lapic.set_ipi_sink([this](const dev::ApicMessage& m) { apic_bus_.deliver(m); });
        c.lapic.set_eoi_sink([this](uint8_t v) { ioapic_.eoi(v); });
        c.lapic.set_init_sink([&c] { c.init(); });
        c.lapic.set_sipi_sink([&c](uint8_t v) { c.sipi(v); });
        c.lapic.set_nmi_sink([core] { core->raise_nmi(); });
        c.lapic.set_changed([core] { core->end_block(); });
        apic_bus_.attach(&c.lapic);
    }
    ioapic_.set_sink([this](const dev::ApicMessage& m) { apic_bus_.deliver(m); });
    uart_.set_tx([this](uint8_t b) { console_.put(b); });
    uart_.irq().connect([this](bool level) { ioapic_.set_irq(kUartIrq, level); });
    debug_exit_.set_exit([this](uint64_t status) { request_exit(status); });
}

X86Pc::~X86Pc() {
    console_.flush();
    cores_.clear();   // the cores leave mem_ (a member of ours) before it goes
}

void X86Pc::load_kernel_file(const std::string& path) { load_kernel(read_file(path), path); }

void X86Pc::load_kernel(std::span<const uint8_t> image, const std::string& name) {
    // Check everything before anything is written or kept.
    const MultibootImage parsed = parse_multiboot(mem_, image, name);
    (void)parsed;
    kernel_bytes_.assign(image.begin(), image.end());
    kernel_name_ = name;
    image_ = load_multiboot(mem_, kernel_bytes_, kernel_name_);
    place_boot_info();
    boot();
    loaded_ = true;
    rebase_rounds();
}

std::vector<MemoryMapEntry> X86Pc::memory_map() const {
    return {{0, kLowMemEnd, multiboot::kMemAvailable},
            {kHighMemStart, cfg_.ram_size - kHighMemStart, multiboot::kMemAvailable}};
}

void X86Pc::place_boot_info() {
    MultibootInfoInput in;
    in.mem_lower_kib = static_cast<uint32_t>(kLowMemEnd >> 10);
    in.mem_upper_kib = static_cast<uint32_t>((cfg_.ram_size - kHighMemStart) >> 10);
    in.cmdline = cfg_.cmdline;
    in.mmap = memory_map();
    // The page after the kernel (as QEMU places it): the GDT, then the info.
    const uint64_t at = page_round_up(std::max<uint64_t>(image_.highest(), 0x1000));
    const uint64_t info_at = at + sizeof(kGdt) + 8;
    info_ = build_multiboot_info(in, static_cast<uint32_t>(info_at));
    const uint64_t end = info_at + info_.size();
    if (end > cfg_.ram_size || end > k4G)
        throw LoadError(fmt::format("{}: no room for the multiboot information after the kernel (ends at {:#x}, "
                                    "RAM ends at {:#x})",
                                    kernel_name_, image_.highest(), cfg_.ram_size));
    gdt_addr_ = static_cast<uint32_t>(at);
    info_addr_ = static_cast<uint32_t>(info_at);
    uint8_t gdt[sizeof(kGdt) + 8] = {};
    for (size_t i = 0; i < 3; i++)
        for (unsigned b = 0; b < 8; b++) gdt[8 * i + b] = static_cast<uint8_t>(kGdt[i] >> (8 * b));
    mem_.write_block(gdt_addr_, gdt, sizeof(gdt));
    mem_.write_block(info_addr_, info_.data(), info_.size());
}

void X86Pc::boot() {
    for (auto& c : cores_) {
        c->core.reset();
        c->lapic.reset();
        c->last = PcCpu::Stop::Budget;
    }
    // APs: wait-for-SIPI (the state after INIT).
    for (unsigned i = 1; i < num_cores(); i++) {
        cores_[i]->core.halted = true;
        cores_[i]->core.waiting_sipi = true;
    }
    // The BSP: the multiboot machine state.
    x86::Core& c = cores_[0]->core;
    c.halted = false;
    c.waiting_sipi = false;
    for (auto& r : c.gpr) r = 0;
    c.gpr[0] = multiboot::kBootMagic;   // EAX
    c.gpr[3] = info_addr_;               // EBX
    c.rip = image_.entry;
    c.rflags = x86::rflags::FIXED1;      // IF = 0, VM = 0
    c.cr0 = kCr0Pe | kCr0Et;             // protected mode, paging and caches as after a BIOS
    c.cr3 = c.cr4 = 0;
    c.efer = 0;
    c.cpl = 0;
    for (unsigned s = 0; s < 6; s++) c.seg[s] = x86::Segment{kDataSelector, 0, 0xFFFFFFFF, kFlatData};
    c.seg[x86::CS] = x86::Segment{kCodeSelector, 0, 0xFFFFFFFF, kFlatCode};
    c.gdtr = x86::DescTable{gdt_addr_, sizeof(kGdt) - 1};
    c.idtr = x86::DescTable{0, 0x3FF};
    c.update_context();
    c.flush_tlb();
}

void X86Pc::reset_machine() {
    uart_.reset();
    ioapic_.reset();
    debug_exit_.reset();
    image_ = load_multiboot(mem_, kernel_bytes_, kernel_name_);
    place_boot_info();
    boot();
}

void X86Pc::after_slice(PcCpu& c) {
    // A triple fault: the machine resets (QEMU without -no-reboot).
    if (c.last == PcCpu::Stop::Shutdown) {
        c.last = PcCpu::Stop::Budget;
        request_reset();
    }
}

bool X86Pc::feed_console_input() {
    uint8_t buf[dev::Uart16550::kFifoDepth];
    const unsigned space = uart_.rx_space();
    if (space == 0 || !console_.input_open()) return false;
    const size_t n = console_.read_ready(buf, std::min<size_t>(space, sizeof(buf)));
    for (size_t i = 0; i < n; i++) uart_.push_rx(buf[i]);
    return n != 0;
}

std::optional<uint64_t> X86Pc::next_timer_cycles(PcCpu& c) {
    // Only a timer that can wake the CPU counts: a HLT with IF = 0, or
    // wait-for-SIPI, ignores it (the run then ends as a deadlock instead of
    // skipping from tick to tick forever).
    if (c.core.waiting_sipi || (c.core.halted && !(c.core.rflags & x86::rflags::IF))) return std::nullopt;
    c.lapic.poll();
    const auto at = c.lapic.next_timer_event();
    const uint64_t now = c.core.cycles();
    if (!at || *at <= now) return std::nullopt;
    return *at - now;
}

std::string X86Pc::core_label(unsigned i) const {
    const x86::Core& c = cores_[i]->core;
    const char* state = c.waiting_sipi ? " (wait-for-SIPI)" : c.halted ? " (HLT)" : "";
    return fmt::format("cpu {} rip={:#x}{}{}", i, c.rip, (c.rflags & x86::rflags::IF) ? "" : " IF=0", state);
}

RunResult X86Pc::run() {
    if (!loaded_) throw std::logic_error("X86Pc::run() before load_kernel()");
    return run_rounds();
}

} // namespace hvemu::emu
