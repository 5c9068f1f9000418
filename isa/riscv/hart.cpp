// The hart's run loop, instruction fetch through the predecoded page cache,
// and time. Traps live in trap.cpp, CSRs in csr.cpp, translation in mmu.cpp.
#include "isa/riscv/hart.hpp"

#include "isa/riscv/decoded_page.hpp"
#include "isa/riscv/jit.hpp"

#include <algorithm>
#include <limits>

namespace hvemu::rv {

// The profile's cycles for one instruction of a class, fixed once: a
// decoded slot carries its step, so the dispatch only subtracts it. A jump
// is a branch that is always taken: its step holds the redirect.
static uint32_t class_cost(const isa::InsnCosts& c, Cls cls) {
    uint32_t v = c.alu;
    switch (cls) {
    case Cls::Alu: v = c.alu; break;
    case Cls::Mul: v = c.mul; break;
    case Cls::Div: v = c.div; break;
    case Cls::Load: case Cls::FpLoad: v = c.load; break;
    case Cls::Store: case Cls::FpStore: v = c.store; break;
    case Cls::Branch: case Cls::Jump: v = c.branch_not_taken; break;   // + the redirect when taken
    case Cls::Csr: case Cls::System: v = c.csr; break;
    case Cls::Fence: v = c.fence; break;
    case Cls::Fp: v = c.fp; break;
    case Cls::FpDiv: v = c.fp_div; break;
    case Cls::Amo: v = c.atomic; break;
    }
    // The profile loader allows 1..255; the bound keeps a step in 32 bits.
    return std::clamp<uint32_t>(v, 1, 1u << 16);
}

Hart::Hart(isa::PhysMem& mem, const HartConfig& cfg) : mem_(mem), cfg_(cfg) {
    if (cfg_.clock.profile) cfg_.costs = cfg_.clock.profile->costs;
    const isa::InsnCosts& ic = cfg_.costs.insn;
    for (unsigned k = 0; k < class_cycles_.size(); ++k) class_cycles_[k] = class_cost(ic, static_cast<Cls>(k));
    const uint32_t redirect = ic.branch_taken > ic.branch_not_taken ? ic.branch_taken - ic.branch_not_taken : 0;
    redirect_cycles_ = std::min<uint32_t>(redirect, 1u << 16);
    redirect_step_ = uint64_t{redirect_cycles_} << kInsnBits;
    timed_ = redirect_cycles_ != 0 ||
             std::any_of(class_cycles_.begin(), class_cycles_.end(), [](uint32_t c) { return c != 1; });
    walker.configure(cfg_.costs);
    fetch_charged_ = walker.caches.fetch_enabled();
    if (cfg_.pmp_entries != 0 && cfg_.pmp_entries != 16 && cfg_.pmp_entries != 64) cfg_.pmp_entries = 16;
    // Under I-side caches every fetch is charged in the slots' entries
    // (op_fetch_line), which compiled blocks would skip.
    if (cfg_.jit && !fetch_charged()) {
        jit_ = std::make_unique<BlockCompiler>(*this);
        if (!jit_->usable()) jit_.reset();
    }
    mem_.add_code_observer(this);
    reset();
}

Hart::~Hart() { mem_.remove_code_observer(this); }

void Hart::reset() {
    std::fill(std::begin(x), std::end(x), 0);
    std::fill(std::begin(f), std::end(f), 0);
    csr = CsrState{};
    csr.misa = (2ull << 62) | (1u << ('a' - 'a')) | (1u << ('c' - 'a')) | (1u << ('d' - 'a')) |
               (1u << ('f' - 'a')) | (1u << ('h' - 'a')) | (1u << ('i' - 'a')) | (1u << ('m' - 'a')) |
               (1u << ('s' - 'a')) | (1u << ('u' - 'a'));
    csr.mstatus = (2ull << 32) | (2ull << 34);   // UXL = SXL = 64
    csr.vsstatus = 2ull << 32;                   // VSXL view: UXL = 64
    csr.hstatus = 2ull << 32;                    // VSXL = 64
    csr.mideleg = irq::H_MASK;                   // VS-level and SGEI are read-only delegated
    pc = cfg_.reset_pc;
    priv = Priv::M;
    virt = false;
    wfi_ = false;
    reservation = ~0ull;
    icount_ = traps_ = extra_cycles_ = insn_cycles_ = 0;
    time_offset_ = 0;
    irq_lines_ = 0;
    mtimecmp_ = ~0ull;
    flush_decoded();
    flush_tlb();
    update_context();
}

// ---- time --------------------------------------------------------------

void Hart::set_time(uint64_t t) {
    time_offset_ = static_cast<int64_t>(t - cycles() / cfg_.clock.cycles_per_tick());
}

uint64_t Hart::cycles_until_time(uint64_t t) const {
    if (t == ~0ull) return std::numeric_limits<uint64_t>::max();
    const uint64_t now = time();
    if (now >= t) return 0;
    const uint64_t cpt = cfg_.clock.cycles_per_tick();
    const uint64_t ticks = t - now;
    if (ticks > std::numeric_limits<uint64_t>::max() / cpt) return std::numeric_limits<uint64_t>::max();
    // Cycles left in the current tick, then whole ticks.
    const uint64_t into_tick = cycles() % cpt;
    return ticks * cpt - into_tick;
}

uint64_t Hart::next_timer_deadline() const {
    // Only comparators still ahead matter: one already reached is a level
    // that stays pending; enabling it later ends the block anyway.
    uint64_t best = std::numeric_limits<uint64_t>::max();
    auto consider = [&best](uint64_t d) {
        if (d > 0) best = std::min(best, d);
    };
    consider(cycles_until_time(mtimecmp_));
    if (csr.menvcfg & menvcfg::STCE) consider(cycles_until_time(csr.stimecmp));
    if ((csr.henvcfg & menvcfg::STCE) && csr.vstimecmp != ~0ull && time() + csr.htimedelta < csr.vstimecmp)
        consider(cycles_until_time(csr.vstimecmp - csr.htimedelta));
    return best;
}

// ---- interrupt lines ------------------------------------------------------

void Hart::set_irq_line(unsigned irq_bit, bool level) {
    const uint64_t m = irq::bit(irq_bit);
    const uint64_t old = irq_lines_;
    irq_lines_ = level ? (irq_lines_ | m) : (irq_lines_ & ~m);
    if (old != irq_lines_) end_block();
}

void Hart::set_mtimecmp(uint64_t v) {
    mtimecmp_ = v;
    end_block();
}

void Hart::set_hgeip(uint64_t bits) {
    csr.hgeip = bits & 0xfe;   // GEILEN = 7: guest external interrupts 1..7
    end_block();
}

uint64_t Hart::mip() const {
    uint64_t v = csr.mip_sw | irq_lines_;
    const uint64_t t = time();
    if (t >= mtimecmp_) v |= irq::bit(irq::MTI);
    if (csr.menvcfg & menvcfg::STCE) {
        v &= ~irq::bit(irq::STI);
        if (t >= csr.stimecmp) v |= irq::bit(irq::STI);
    }
    v |= csr.hvip & irq::VS_MASK;
    if ((csr.henvcfg & menvcfg::STCE) && t + csr.htimedelta >= csr.vstimecmp) v |= irq::bit(irq::VSTI);
    const unsigned vgein = (csr.hstatus & hstatus::VGEIN) >> hstatus::VGEIN_SHIFT;
    if (vgein && ((csr.hgeip >> vgein) & 1)) v |= irq::bit(irq::VSEI);
    if (csr.hgeip & csr.hgeie) v |= irq::bit(irq::SGEI);
    return v;
}

// ---- decoded pages and fetch ---------------------------------------------

DecodedPage* Hart::decoded_page(uint64_t ppage) {
    auto it = decoded_.find(ppage);
    if (it != decoded_.end()) return it->second.get();
    const uint8_t* host = mem_.ram_ptr(ppage, isa::PhysMem::kPageSize);
    if (!host) return nullptr;
    auto page = std::make_unique<DecodedPage>();
    page->ppage = ppage;
    page->host = host;
    for (auto& s : page->slots) {
        s = Insn{};
        s.fn = &op_decode_slot;
    }
    page->slots[DecodedPage::kSlots].fn = &op_page_end;
    DecodedPage* p = page.get();
    decoded_.emplace(ppage, std::move(page));
    mem_.mark_code_page(ppage);
    return p;
}

void Hart::drop_decoded(uint64_t ppage) {
    auto it = decoded_.find(ppage);
    if (it == decoded_.end()) return;
    for (auto& e : tlb_x)
        if (e.code == it->second.get()) e = TlbEntry{};
    // The page may hold the instruction being executed: free it at the
    // next safe point, not now.
    retired_pages_.push_back(std::move(it->second));
    decoded_.erase(it);
    fetch_vbase_ = 1;
    fetch_slots_ = nullptr;
    end_block();
}

void Hart::code_page_written(uint64_t page_paddr) { drop_decoded(page_paddr); }

void Hart::flush_decoded() {
    for (auto& e : tlb_x) e.code = nullptr, e.vpn = ~0ull;
    for (auto& [pg, page] : decoded_) retired_pages_.push_back(std::move(page));
    decoded_.clear();
    fetch_vbase_ = 1;
    fetch_slots_ = nullptr;
    end_block();
}

bool Hart::fetch_page() {
    const uint64_t vbase = pc & ~0xfffull;
    TlbEntry& e = tlb_x[tlb_index(pc)];
    if (e.vpn == (pc >> 12) && e.ctx == fetch_ctx && e.code) {
        fetch_slots_ = static_cast<DecodedPage*>(e.code)->slots;
        fetch_vbase_ = vbase;
        return true;
    }
    if (pc & 1) {   // cannot happen with IALIGN=16 (xepc bit 0 is zero, jumps clear bit 0)
        raise(cause::INSN_MISALIGNED, pc);
        return false;
    }
    Translation t = translate(pc, Access::Exec, priv, virt);
    if (!t.ok()) {
        raise_translation_fault(t, pc, Access::Exec);
        return false;
    }
    const uint64_t ppage = t.paddr & ~0xfffull;
    DecodedPage* page = decoded_page(ppage);
    if (!page) {   // not RAM: nothing to execute there
        raise(cause::INSN_ACCESS, pc);
        return false;
    }
    if (fill_tlb(pc, Access::Exec, t, priv, virt) && e.vpn == (pc >> 12)) e.code = page;
    fetch_slots_ = page->slots;
    fetch_vbase_ = vbase;
    return true;
}

void decode_slot(const Hart& h, DecodedPage& page, unsigned idx) {
    Insn& slot = page.slots[idx];
    const unsigned off = idx * 2;
    uint16_t lo;
    std::memcpy(&lo, page.host + off, 2);
    if ((lo & 3) == 3 && off == 0xffe) {
        slot = Insn{};
        slot.fn = &op_cross_page;
        slot.raw = lo;
        slot.len = 4;
        slot.id = kCrossPageId;
    } else if ((lo & 3) == 3) {
        uint32_t raw;
        std::memcpy(&raw, page.host + off, 4);
        slot = decode(raw);
        h.cost_slot(slot);
    } else {
        slot = decode(lo);
        h.cost_slot(slot);
    }
    if (h.fetch_charged() && (off & (h.walker.caches.fetch_line_bytes() - 1)) < 4) slot.fn = &op_fetch_line;
}

ExecFn interp_entry(const Hart& h, const Insn& slot) {
    if (h.in_table(slot)) return h.entry_of(slot);
    return slot.id == kCrossPageId ? &op_cross_page : &op_illegal;
}

// The first execution of a slot: decode it and, where the block compiler
// is on, start a block here (a slot first reached by falling through lies
// inside the block compiled before it, so what gets here is a block head).
uint64_t op_decode_slot(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    Insn& slot = const_cast<Insn&>(i);
    DecodedPage& page = DecodedPage::of(slot, pc);
    decode_slot(h, page, static_cast<unsigned>((pc & 0xfff) >> 1));
    if (h.jit()) {
        if (ExecFn f = h.jit()->compile(page, slot, pc)) slot.fn = f;
    }
    return slot.fn(h, slot, pc, left);
}

uint64_t op_jit_head(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    Insn& slot = const_cast<Insn&>(i);
    ExecFn f = h.jit() ? h.jit()->compile(DecodedPage::of(slot, pc), slot, pc) : nullptr;
    slot.fn = f ? f : interp_entry(h, slot);
    return slot.fn(h, slot, pc, left);
}

uint64_t Hart::insn_step_of(uint16_t id, bool redirected) const {
    const Cls cls = id < insn_table_size() ? insn_table()[id].cls : Cls::Alu;
    return insn_step(class_cycles_[static_cast<unsigned>(cls)] + (redirected ? redirect_cycles_ : 0));
}

void Hart::cost_slot(Insn& slot) const {
    const bool jump = slot.id < insn_table_size() && insn_table()[slot.id].cls == Cls::Jump;
    slot.step = static_cast<uint32_t>(insn_step_of(slot.id, jump));
    if (slot.id < insn_table_size()) slot.fn = interp_entry(*this, slot);
}

// A 32-bit instruction whose upper half lies on the next virtual page: fetch
// the second half through translation on every execution (the other page
// can change without this one being written).
// The chain stops after it: the next instruction is on the other page.
// It costs what the whole instruction's class costs (a fetch fault: an ALU
// instruction's), and a redirect when it does not fall through.
namespace {
uint64_t cross_page(Hart& h, const Insn& i, uint64_t pc, uint16_t& id) {
    const uint64_t va2 = pc + 2;
    Translation t = h.translate(va2, Access::Exec, h.priv, h.virt);
    if (!t.ok()) return h.raise_translation_fault(t, va2, Access::Exec);
    uint64_t hi;
    if (!h.mem().is_ram(t.paddr, 2) || !h.mem().read(t.paddr, 2, hi)) return h.raise(cause::INSN_ACCESS, va2);
    const Insn full = decode(static_cast<uint32_t>(hi << 16 | (i.raw & 0xffff)));
    id = full.id;
    h.cur = &full;
    const uint64_t next = full.id == kInvalidId ? h.raise_illegal() : insn_table()[full.id].op(h, full, pc);
    h.cur = &i;
    return next;
}
} // namespace

uint64_t op_cross_page(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    h.publish(pc, &i, left);
    uint16_t id = kInvalidId;
    const uint64_t next = cross_page(h, i, pc, id);
    return chain_stop(h, next, left - h.insn_step_of(id, next != pc + 4));
}

uint64_t op_illegal(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    h.publish(pc, &i, left);
    return chain_stop(h, h.raise_illegal(), left - i.step - h.redirect_step());
}

// Not an instruction: the chain ran off the end of its page.
uint64_t op_page_end(Hart& h, const Insn&, uint64_t pc, uint64_t left) { return chain_stop(h, pc, left); }

// Under I-side caches: the instruction's fetch pays them (a fetch in the
// line fetched last costs nothing), then it runs as its own entry would.
// Chains run through it like any other entry, so the run loop need not
// come back for every instruction.
namespace {
// A fetch entering another line, or a slot outside the table: out of line,
// so that the common path has no stack frame.
[[gnu::noinline]] uint64_t fetch_line_slow(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    h.fetch_line(DecodedPage::of(i, pc).ppage | (pc & 0xfff));
    return h.entry_of(i)(h, i, pc, left);
}
} // namespace

uint64_t op_fetch_line(Hart& h, const Insn& i, uint64_t pc, uint64_t left) {
    const uint64_t pa = DecodedPage::of(i, pc).ppage | (pc & 0xfff);
    if (HV_LIKELY(h.walker.caches.same_fetch_line(pa) && h.in_table(i))) return h.entry_of(i)(h, i, pc, left);
    return fetch_line_slow(h, i, pc, left);
}

void Hart::fetch_line(uint64_t paddr) { add_cycles(walker.caches.fetch(paddr)); }

void Hart::fetch_at(const Insn& slot, uint64_t at, uint64_t next) {
    const uint64_t pa = DecodedPage::of(slot, at).ppage | (next & 0xfff);
    if (!walker.caches.same_fetch_line(pa)) fetch_line(pa);
}

// ---- the run loop -----------------------------------------------------------

void Hart::check_interrupts() {
    uint64_t c;
    if (!irq_masked_ && pending_interrupt(c)) {
        wfi_ = false;
        take_trap(c, 0, 0, 0, false);
    }
}

StopReason Hart::run(uint64_t max_insns) {
    const uint64_t end = icount_ + max_insns;
    stop_requested_ = false;
    trapped_ = false;
    retired_pages_.clear();
    // A safe point: no generated code runs. When the compiler's memory is
    // nearly used up, drop every decoded page (their slots point into it)
    // and start it afresh.
    if (jit_ && jit_->nearly_full()) {
        flush_decoded();
        retired_pages_.clear();
        jit_->reset();
    }
    while (icount_ < end) {
        if (wfi_) {
            if ((mip() & csr.mie) == 0) return StopReason::Wfi;
            wfi_ = false;
        }
        block_end_ = false;
        check_interrupts();
        if (trapped_) return StopReason::Trap;
        const uint64_t deadline = next_timer_deadline();   // cycles
        const uint64_t budget = end - icount_;             // instructions
        block_end_ = false;
        // The hot loop: each turn runs one chain of instructions on a code
        // page (dispatch.hpp); pc and the counts live in registers. The
        // block ends when n instructions reach the budget or c cycles the
        // timer deadline; a chain is given cycles, and each instruction
        // costs at least one, so it never runs past either.
        uint64_t p = pc, n = 0, c = 0, vbase = 1;
        Insn* slots = nullptr;
        while (n < budget && c < deadline && !block_end_) {
            if (HV_UNLIKELY((p & ~0xfffull) != vbase)) {
                pc = p;
                in_block_ = n;
                in_block_cycles_ = c;
                if (!fetch_page()) {   // the fetch trapped: pc is the trap vector
                    p = pc;
                    ++n;
                    c += 1 + redirect_cycles_;
                    continue;
                }
                vbase = fetch_vbase_;
                slots = fetch_slots_;
            }
            const Insn* i = &slots[(p & 0xfff) >> 1];
            if (HV_UNLIKELY(fetch_charged_)) fetch_at(*i, p, p);   // control arrives here
            const uint64_t chain = std::min({budget - n, deadline - c, kChainMax});   // cycles
            chain_insn_end_ = n + kInsnMask;
            chain_cycle_end_ = c + chain - 1;
            p = i->fn(*this, *i, p, chain_budget(chain));
            n += chain_insns(chain_left);
            c += chain_cycles(chain, chain_left);
        }
        pc = p;
        icount_ += n;
        insn_cycles_ += c;
        in_block_ = in_block_cycles_ = 0;
        retired_pages_.clear();
        if (trapped_) return StopReason::Trap;
        if (stop_requested_) return StopReason::Requested;
        if (wfi_ && (mip() & csr.mie) == 0) return StopReason::Wfi;
    }
    return StopReason::Budget;
}

} // namespace hvemu::rv
