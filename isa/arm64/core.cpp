// The PE's run loop and instruction fetch through the predecoded page cache.
// Exceptions live in exception.cpp, translation in mmu.cpp, system
// registers and timers in their own files.
#include <algorithm>
#include <cstddef>

#include "isa/arm64/pe.hpp"

namespace hvemu::arm {

// A predecoded physical code page: one slot per 32-bit instruction. Slots
// start as op_decode_slot and decode themselves on first execution.
struct DecodedPage {
    static constexpr unsigned kSlots = 1024;
    uint64_t ppage = 0;
    const uint8_t* host = nullptr;   // the RAM page (stable: RAM never moves)
    Insn slots[kSlots];
    uint8_t cost[kSlots];            // cycles of each slot (1 until decoded); the run loop finds them after slots
};
static_assert(offsetof(DecodedPage, cost) == offsetof(DecodedPage, slots) + sizeof(Insn) * DecodedPage::kSlots);

namespace {
// Exception classes and fault status codes the fetch path raises itself.
constexpr uint32_t kEcPcAlign = 0x22;
constexpr uint32_t kEcInsnAbortLower = 0x20;
constexpr uint32_t kEcInsnAbortSame = 0x21;
constexpr uint32_t kFscExternal = 0x10;   // synchronous external abort, not on a walk
} // namespace

// The profile's cost of each instruction class, fixed once: a decoded slot
// carries its cost, so the run loop only adds it.
static uint8_t class_cost(const isa::InsnCosts& c, Cls cls) {
    uint32_t v = c.alu;
    switch (cls) {
    case Cls::Alu: v = c.alu; break;
    case Cls::Mul: v = c.mul; break;
    case Cls::Div: v = c.div; break;
    case Cls::Load: case Cls::FpLoad: v = c.load; break;
    case Cls::Store: case Cls::FpStore: v = c.store; break;
    case Cls::BranchCond: case Cls::Branch: v = c.branch_not_taken; break;   // + the redirect when taken
    case Cls::System: v = c.csr; break;
    case Cls::Barrier: v = c.fence; break;
    case Cls::Fp: v = c.fp; break;
    case Cls::Atomic: v = c.atomic; break;
    }
    return static_cast<uint8_t>(std::clamp<uint32_t>(v, 1, 255));
}

Pe::Pe(isa::PhysMem& mem, const PeConfig& cfg) : mem_(mem), cfg_(cfg) {
    if (cfg_.clock.profile) cfg_.costs = cfg_.clock.profile->costs;
    const isa::InsnCosts& ic = cfg_.costs.insn;
    for (unsigned k = 0; k <= static_cast<unsigned>(Cls::Atomic); ++k) cost_by_class_.push_back(class_cost(ic, static_cast<Cls>(k)));
    redirect_penalty_ = ic.branch_taken > ic.branch_not_taken ? ic.branch_taken - ic.branch_not_taken : 0;
    redirect_word_ = uint64_t{redirect_penalty_} << 32;
    unit_costs_ = redirect_penalty_ == 0 &&
                  std::all_of(cost_by_class_.begin(), cost_by_class_.end(), [](uint8_t c) { return c == 1; });
    walker.configure(cfg_.costs);
    mem_.add_code_observer(this);
    reset();
}

Pe::~Pe() { mem_.remove_code_observer(this); }

// ---- decoded pages and fetch ---------------------------------------------

DecodedPage* Pe::decoded_page(uint64_t ppage) {
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
    std::fill(std::begin(page->cost), std::end(page->cost), uint8_t{1});   // until decoded: the minimum
    DecodedPage* p = page.get();
    decoded_.emplace(ppage, std::move(page));
    mem_.mark_code_page(ppage);
    return p;
}

void Pe::drop_decoded(uint64_t ppage) {
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

void Pe::code_page_marked(uint64_t page_paddr) {
    // Stores to a code page must take the slow path (which notifies us).
    for (auto& e : tlb_w)
        if (e.vpn != ~0ull && e.ppage == page_paddr) e = TlbEntry{};
}

void Pe::code_page_written(uint64_t page_paddr) { drop_decoded(page_paddr); }

void Pe::flush_decoded() {
    for (auto& e : tlb_x) e.code = nullptr, e.vpn = ~0ull;
    for (auto& [pg, page] : decoded_) retired_pages_.push_back(std::move(page));
    decoded_.clear();
    fetch_vbase_ = 1;
    fetch_slots_ = nullptr;
    end_block();
}

// The fetch TLB holds the decoded page (no modelled I-cache): the whole
// fetch, inline in the run loop; everything else is fetch_page_slow().
inline bool Pe::fetch_page() {
    const TlbEntry& e = tlb_x[tlb_index(pc)];
    if (HV_LIKELY(!(pc & 3) && e.vpn == (pc >> 12) && e.ctx == fetch_ctx && e.code && !walker.caches.fetch_enabled())) {
        fetch_slots_ = static_cast<DecodedPage*>(e.code)->slots;
        fetch_vbase_ = pc & ~0xfffull;
        return true;
    }
    return fetch_page_slow();
}

bool Pe::fetch_page_slow() {
    if (pc & 3) {
        take_sync(kEcPcAlign, 0, pc, 0, pc, true);
        return false;
    }
    const uint64_t vbase = pc & ~0xfffull;
    TlbEntry& e = tlb_x[tlb_index(pc)];
    if (e.vpn == (pc >> 12) && e.ctx == fetch_ctx && e.code) {
        fetch_slots_ = static_cast<DecodedPage*>(e.code)->slots;
        fetch_vbase_ = vbase;
        if (HV_UNLIKELY(walker.caches.fetch_enabled())) {
            add_cycles(walker.caches.fetch(e.ppage | (pc & 0xfff)));
            fetch_vbase_ = 1;   // see below
        }
        return true;
    }
    uint64_t paddr;
    if (!fetch_translate(pc, paddr)) return false;
    const uint64_t ppage = paddr & ~0xfffull;
    DecodedPage* page = decoded_page(ppage);
    if (!page) {   // not RAM: nothing to execute there
        take_sync(pstate.el == 0 ? kEcInsnAbortLower : kEcInsnAbortSame, kFscExternal, pc, 0, pc, true);
        return false;
    }
    // fetch_translate() may have cached the translation: attach the page.
    if (e.vpn == (pc >> 12) && e.ctx == fetch_ctx && e.ppage == ppage) e.code = page;
    fetch_slots_ = page->slots;
    fetch_vbase_ = vbase;
    if (walker.caches.fetch_enabled()) {
        // Modelled I-caches: the run loop comes back here at every
        // instruction (vbase none), and a fetch entering a new line pays.
        add_cycles(walker.caches.fetch(paddr));
        fetch_vbase_ = 1;
    }
    return true;
}

uint64_t op_decode_slot(Pe& h, const Insn& i, uint64_t pc) {
    Insn& slot = const_cast<Insn&>(i);
    // Find the page this slot belongs to: slots are laid out in order.
    const unsigned off = static_cast<unsigned>(pc & 0xfff);
    auto* page = reinterpret_cast<DecodedPage*>(reinterpret_cast<uint8_t*>(&slot - off / 4) -
                                                offsetof(DecodedPage, slots));
    uint32_t raw;
    std::memcpy(&raw, page->host + off, 4);
    slot = decode(raw);
    page->cost[off / 4] = h.insn_cost(slot.id);
    h.add_cycles(page->cost[off / 4] - 1u);   // the run loop took 1 for this slot before its cost was known
    h.cur = &slot;
    return slot.fn(h, slot, pc);
}

uint64_t op_undefined(Pe& h, const Insn&, uint64_t pc) { return h.undefined(pc); }

uint8_t Pe::insn_cost(uint16_t id) const {
    if (id >= insn_table_size()) return cost_by_class_[static_cast<unsigned>(Cls::Alu)];
    return cost_by_class_[static_cast<unsigned>(insn_table()[id].cls)];
}

// ---- the run loop -----------------------------------------------------------

namespace {
constexpr uint64_t kMaxBlockCycles = uint64_t{1} << 30;   // keeps the packed count below 2^32 per half
} // namespace

// The hot loop: pc and the count live in registers; per instruction one
// page compare, one limit test and one indirect call. A misaligned pc never
// equals vbase, so fetch_page() sees it. The count is packed: cycles in the
// high half, instructions in the low half, so one add and one store keep
// both published (in_block_). Timed: a slot's cycles are its class cost,
// fixed at decode and stored after the page's slots, plus the redirect of
// a non-sequential next pc; untimed (a profile where everything costs one
// cycle), each instruction is a constant step. The block ends on cycles;
// each instruction costs at least one, so it never runs more instructions
// than the budget either. Returns the count; p is the next pc.
template <bool kTimed> uint64_t Pe::run_block(uint64_t& pc_io) {
    uint64_t p = pc_io, acc = 0, vbase = 1;
    Insn* slots = nullptr;
    while (acc < block_cap_) {
        if (HV_UNLIKELY((p & ~0xffcull) != vbase)) {
            pc = p;
            in_block_ = acc;
            if (!fetch_page()) {   // the fetch faulted: pc is the exception vector
                p = pc;
                vbase = 1;
                acc += (uint64_t{1} << 32) + 1 + redirect_word_;
                continue;
            }
            vbase = fetch_vbase_;
            slots = fetch_slots_;
        }
        const unsigned idx = static_cast<unsigned>(p & 0xfff) >> 2;
        const Insn* i = &slots[idx];
        // A slot not decoded yet counts 1; op_decode_slot charges the rest.
        const uint64_t step =
            kTimed ? (uint64_t{reinterpret_cast<const uint8_t*>(slots + DecodedPage::kSlots)[idx]} << 32) + 1
                   : (uint64_t{1} << 32) + 1;
        pc = p;
        cur = i;
        in_block_ = acc;
        const uint64_t next = i->fn(*this, *i, p);
        if constexpr (kTimed) acc += step + (-static_cast<uint64_t>(next != p + 4) & redirect_word_);
        else acc += step;
        p = next;
    }
    pc_io = p;
    return acc;
}

StopReason Pe::run(uint64_t max_insns) {
    const uint64_t end = icount_ + max_insns;
    stop_requested_ = false;
    trapped_ = false;
    retired_pages_.clear();
    while (icount_ < end) {
        block_end_ = false;
        // Takes a pending unmasked interrupt, and ends a WFI wait when a
        // wake-up event is pending.
        check_interrupts();
        if (trapped_) return StopReason::Trap;
        if (stop_requested_) return StopReason::Requested;
        if (wfi_) return StopReason::Wfi;
        const uint64_t budget = std::min(end - icount_, next_timer_deadline());
        block_end_ = false;
        // end_block() zeroes the limit: one compare in the loop tests both.
        block_cap_ = std::min<uint64_t>(budget, kMaxBlockCycles) << 32;
        uint64_t p = pc;
        const uint64_t acc = unit_costs_ ? run_block<false>(p) : run_block<true>(p);
        pc = p;
        icount_ += acc & 0xffffffffu;
        insn_cycles_ += acc >> 32;
        in_block_ = 0;
        retired_pages_.clear();
        if (trapped_) return StopReason::Trap;
        if (stop_requested_) return StopReason::Requested;
        if (wfi_) {
            check_interrupts();
            if (trapped_) return StopReason::Trap;
            if (wfi_) return StopReason::Wfi;
        }
    }
    return StopReason::Budget;
}

} // namespace hvemu::arm
