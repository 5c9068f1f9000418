// Traps: routing of exceptions and interrupts to M, HS or VS through
// medeleg/mideleg/hedeleg/hideleg, trap entry, xRET, and interrupt priority.
#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {

uint64_t get(uint64_t reg, uint64_t mask) { return (reg & mask) / (mask & ~(mask << 1)); }
uint64_t set(uint64_t reg, uint64_t mask, uint64_t v) {
    return (reg & ~mask) | ((v * (mask & ~(mask << 1))) & mask);
}

// The spec's priority order among interrupts of one privilege level.
constexpr unsigned kPriority[] = {irq::MEI, irq::MSI, irq::MTI, irq::SEI, irq::SSI, irq::STI,
                                  irq::SGEI, irq::VSEI, irq::VSSI, irq::VSTI};

bool highest(uint64_t pending, uint64_t& cause_out) {
    for (unsigned n : kPriority) {
        if (pending & irq::bit(n)) {
            cause_out = cause::INTERRUPT | n;
            return true;
        }
    }
    return false;
}

} // namespace

void Hart::set_priv(Priv p, bool v) {
    priv = p;
    virt = v;
    update_context();
    end_block();
}

bool Hart::pending_interrupt(uint64_t& cause_out) const {
    const uint64_t pend = mip() & csr.mie;
    if (!pend) return false;
    // M level: not delegated.
    const uint64_t m = pend & ~csr.mideleg;
    const bool m_on = priv != Priv::M || (csr.mstatus & mstatus::MIE);
    if (m && m_on && highest(m, cause_out)) return true;
    // HS level: delegated by mideleg, not further by hideleg.
    const uint64_t hs = pend & csr.mideleg & ~(csr.hideleg & irq::VS_MASK);
    const bool hs_on = virt || priv == Priv::U || (priv == Priv::S && (csr.mstatus & mstatus::SIE));
    if (hs && priv != Priv::M && hs_on && highest(hs, cause_out)) return true;
    // VS level: delegated by hideleg too; only while V=1.
    const uint64_t vs = pend & csr.mideleg & csr.hideleg & irq::VS_MASK;
    const bool vs_on = virt && (priv == Priv::U || (csr.vsstatus & mstatus::SIE));
    if (vs && vs_on && highest(vs, cause_out)) return true;
    return false;
}

void Hart::take_trap(uint64_t cause_v, uint64_t tval, uint64_t tval2, uint64_t tinst, bool gva) {
    const bool interrupt = cause_v & cause::INTERRUPT;
    const uint64_t code = cause_v & ~cause::INTERRUPT;
    if (!cfg_.write_tinst) tinst = 0;
    clear_reservation();
    if (!free_entry_) extra_cycles_ += cfg_.costs.trap_entry;
    free_return_ = false;
    wfi_ = false;

    // Route: M unless delegated; delegated traps from V=1 go to VS when the
    // hypervisor delegates them further.
    Priv target = Priv::M;
    bool to_vs = false;
    if (priv != Priv::M) {
        const uint64_t deleg = interrupt ? csr.mideleg : csr.medeleg;
        if ((deleg >> code) & 1) {
            target = Priv::S;
            const uint64_t hdeleg = interrupt ? csr.hideleg : csr.hedeleg;
            to_vs = virt && ((hdeleg >> code) & 1);
        }
    }

    const uint64_t old_pc = pc;
    const uint64_t prev_priv = static_cast<uint64_t>(priv);
    if (hw_trace) {
        using K = isa::HwEvent::Kind;
        const uint64_t to = target == Priv::M ? 3 : 1;
        if (virt && !to_vs) hw_trace->on_hw_event({K::VmExit, old_pc, cause_v, {tval, tval2, tinst, to}});
        if (interrupt) hw_trace->on_hw_event({K::Irq, old_pc, cause_v, {tval, tval2, tinst, to_vs ? 1u : to}});
    }
    if (target == Priv::M) {
        csr.mcause = cause_v;
        csr.mepc = old_pc;
        csr.mtval = tval;
        csr.mtval2 = tval2;
        csr.mtinst = tinst;
        uint64_t s = csr.mstatus;
        s = set(s, mstatus::MPIE, get(s, mstatus::MIE));
        s &= ~mstatus::MIE;
        s = set(s, mstatus::MPP, prev_priv);
        s = set(s, mstatus::MPV, virt);
        s = set(s, mstatus::GVA, gva);
        csr.mstatus = s;
        const uint64_t base = csr.mtvec & ~3ull;
        pc = (interrupt && (csr.mtvec & 1)) ? base + 4 * code : base;
        set_priv(Priv::M, false);
    } else if (!to_vs) {
        csr.scause = cause_v;
        csr.sepc = old_pc;
        csr.stval = tval;
        csr.htval = tval2;
        csr.htinst = tinst;
        uint64_t h = csr.hstatus;
        h = set(h, hstatus::SPV, virt);
        if (virt) h = set(h, hstatus::SPVP, prev_priv == static_cast<uint64_t>(Priv::S));
        h = set(h, hstatus::GVA, gva);
        csr.hstatus = h;
        uint64_t s = csr.mstatus;
        s = set(s, mstatus::SPIE, get(s, mstatus::SIE));
        s &= ~mstatus::SIE;
        s = set(s, mstatus::SPP, prev_priv == static_cast<uint64_t>(Priv::S));
        csr.mstatus = s;
        const uint64_t base = csr.stvec & ~3ull;
        pc = (interrupt && (csr.stvec & 1)) ? base + 4 * code : base;
        set_priv(Priv::S, false);
    } else {
        // VS sees its own interrupt numbers: VSSI/VSTI/VSEI as SSI/STI/SEI.
        const uint64_t vcode = interrupt ? code - 1 : code;
        csr.vscause = interrupt ? (cause::INTERRUPT | vcode) : cause_v;
        csr.vsepc = old_pc;
        csr.vstval = tval;
        uint64_t s = csr.vsstatus;
        s = set(s, mstatus::SPIE, get(s, mstatus::SIE));
        s &= ~mstatus::SIE;
        s = set(s, mstatus::SPP, prev_priv == static_cast<uint64_t>(Priv::S));
        csr.vsstatus = s;
        const uint64_t base = csr.vstvec & ~3ull;
        pc = (interrupt && (csr.vstvec & 1)) ? base + 4 * vcode : base;
        set_priv(Priv::S, true);
    }
    if (cfg_.hosted && !to_vs) {
        trapped_ = true;
        block_end_ = true;
    }
}

uint64_t Hart::raise(uint64_t cause_v, uint64_t tval, uint64_t tval2, uint64_t tinst, bool gva) {
    ++traps_;
    take_trap(cause_v, tval, tval2, tinst, gva);
    return pc;
}

uint64_t Hart::raise_illegal() { return raise(cause::ILLEGAL_INSN, cur ? cur->raw : 0); }
uint64_t Hart::raise_virtual() { return raise(cause::VIRTUAL_INSN, cur ? cur->raw : 0); }

// ---- xRET -----------------------------------------------------------------

void Hart::preempt_to_host() {
    free_entry_ = true;
    take_trap(cause::INTERRUPT | irq::SEI, 0, 0, 0, false);
    free_entry_ = false;
    free_return_ = true;
}

// The cost of an xRET, unless it resumes a preempted guest.
static uint64_t return_cost(bool& free_return, uint32_t cost) {
    const bool free = free_return;
    free_return = false;
    return free ? 0 : cost;
}

void Hart::mret() {
    uint64_t s = csr.mstatus;
    const Priv np = static_cast<Priv>(get(s, mstatus::MPP));
    const bool nv = np != Priv::M && get(s, mstatus::MPV);
    s = set(s, mstatus::MIE, get(s, mstatus::MPIE));
    s |= mstatus::MPIE;
    s = set(s, mstatus::MPP, static_cast<uint64_t>(Priv::U));
    s &= ~mstatus::MPV;
    if (np != Priv::M) s &= ~mstatus::MPRV;
    csr.mstatus = s;
    extra_cycles_ += return_cost(free_return_, cfg_.costs.trap_return);
    clear_reservation();
    pc = csr.mepc;
    set_priv(np, nv);
    if (hw_trace && nv) hw_trace->on_hw_event({isa::HwEvent::Kind::VmEntry, pc, 0, {}});
}

void Hart::sret() {
    extra_cycles_ += return_cost(free_return_, cfg_.costs.trap_return);
    clear_reservation();
    if (virt) {
        uint64_t s = csr.vsstatus;
        const Priv np = get(s, mstatus::SPP) ? Priv::S : Priv::U;
        s = set(s, mstatus::SIE, get(s, mstatus::SPIE));
        s |= mstatus::SPIE;
        s &= ~mstatus::SPP;
        csr.vsstatus = s;
        pc = csr.vsepc;
        set_priv(np, true);
        return;
    }
    uint64_t s = csr.mstatus;
    const Priv np = get(s, mstatus::SPP) ? Priv::S : Priv::U;
    const bool nv = csr.hstatus & hstatus::SPV;
    s = set(s, mstatus::SIE, get(s, mstatus::SPIE));
    s |= mstatus::SPIE;
    s &= ~mstatus::SPP;
    s &= ~mstatus::MPRV;   // the new privilege is below M
    csr.mstatus = s;
    csr.hstatus &= ~hstatus::SPV;
    pc = csr.sepc;
    set_priv(np, nv);
    if (hw_trace && nv) hw_trace->on_hw_event({isa::HwEvent::Kind::VmEntry, pc, 0, {}});
}

} // namespace hvemu::rv
