#include "vcpu/riscv/phys_cpu.hpp"

namespace hvemu::vcpu::riscv {

namespace {

thread_local PhysCpu* t_current = nullptr;

constexpr uint64_t kPmpAllMemory = (uint64_t{1} << 54) - 1;   // NAPOT over the whole address space
constexpr uint8_t kPmpNapotRwx = 0x1f;

// Axvisor's per-CPU hedeleg: instruction misaligned, illegal instruction,
// breakpoint, ecall from VU, and the three VS-stage page faults.
constexpr uint64_t kHedeleg = (1ull << rv::cause::INSN_MISALIGNED) | (1ull << rv::cause::ILLEGAL_INSN) |
                              (1ull << rv::cause::BREAKPOINT) | (1ull << rv::cause::ECALL_U) |
                              (1ull << rv::cause::INSN_PAGE_FAULT) | (1ull << rv::cause::LOAD_PAGE_FAULT) |
                              (1ull << rv::cause::STORE_PAGE_FAULT);

rv::HartConfig hart_config(unsigned id, const isa::Clocking& clock, const PhysCpuOptions& opts) {
    rv::HartConfig c;
    c.hartid = id;
    c.hosted = true;
    c.write_tinst = opts.write_tinst;
    c.jit = opts.jit;
    c.clock = clock;
    return c;
}

} // namespace

PhysCpu::PhysCpu(isa::PhysMem& mem, unsigned id, const isa::Clocking& clock)
    : PhysCpu(mem, id, clock, PhysCpuOptions{}) {}

PhysCpu::PhysCpu(isa::PhysMem& mem, unsigned id, const isa::Clocking& clock, const PhysCpuOptions& opts)
    : hart_(std::make_unique<rv::Hart>(mem, hart_config(id, clock, opts))), id_(id) {
    rv::Hart& h = *hart_;
    using namespace rv;
    // What M-mode firmware leaves behind before it enters the hypervisor in
    // HS: every delegable trap goes to HS (the hosted hart then returns to
    // us), counters and Sstc are available, PMP grants all memory, FP is on.
    h.csr_write(csr::medeleg, ~0ull, Priv::M);
    h.csr_write(csr::mideleg, irq::S_MASK, Priv::M);
    h.csr_write(csr::mcounteren, ~0ull, Priv::M);
    h.csr_write(csr::menvcfg, menvcfg::STCE, Priv::M);
    h.csr_write(csr::pmpaddr0, kPmpAllMemory, Priv::M);
    h.csr_write(csr::pmpcfg0, kPmpNapotRwx, Priv::M);
    h.csr_write(csr::mstatus, h.read_csr(csr::mstatus) | (mstatus::FS_INITIAL << mstatus::FS_SHIFT), Priv::M);
    h.set_priv(Priv::S, false);
    // Axvisor's setup_csrs, with henvcfg.STCE because the guest timer is
    // vstimecmp here.
    h.csr_write(csr::hedeleg, kHedeleg);
    h.csr_write(csr::hideleg, irq::VS_MASK);
    h.csr_write(csr::hvip, 0);
    h.csr_write(csr::hcounteren, ~0ull);
    h.csr_write(csr::sie, irq::S_MASK);
    h.csr_write(csr::henvcfg, menvcfg::STCE);
    h.csr_write(csr::hgatp, 0);
}

PhysCpu::~PhysCpu() {
    if (t_current == this) t_current = nullptr;
}

void PhysCpu::make_current() { t_current = this; }
PhysCpu* PhysCpu::current() { return t_current; }
void PhysCpu::clear_current() { t_current = nullptr; }

void PhysCpu::raise_host_irq(uint64_t vector) {
    host_irqs_.push_back(vector);
    hart_->set_irq_line(rv::irq::SEI, true);
}

uint64_t PhysCpu::take_host_irq() {
    uint64_t v = 0;
    if (!host_irqs_.empty()) {
        v = host_irqs_.front();
        host_irqs_.pop_front();
    }
    if (host_irqs_.empty()) hart_->set_irq_line(rv::irq::SEI, false);
    return v;
}

} // namespace hvemu::vcpu::riscv
