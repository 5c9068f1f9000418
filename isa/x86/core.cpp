// The core's run loop, reset state and instruction fetch through the
// predecoded page cache. x86 instructions have any length and alignment:
// a decoded page maps each byte offset to its decoded record (decoded on
// first execution); an instruction that crosses into the next page, or
// ends at the CS limit, runs uncached through exec_uncached().
#include <algorithm>
#include <cstddef>

#include "isa/x86/exec.hpp"

namespace hvemu::x86 {

// A predecoded physical code page in one decode mode.
struct DecodedPage {
    static constexpr unsigned kChunk = 128;
    uint64_t ppage = 0;
    unsigned mode = 0;
    const uint8_t* host = nullptr;   // the RAM page (stable: RAM never moves)
    const Insn* slot[4096];          // by byte offset; &kUndecoded until decoded
    uint8_t cost[4096];              // by byte offset: the slot's cycles (1 until decoded)
    std::vector<std::unique_ptr<Insn[]>> chunks;
    unsigned used = kChunk;          // records used in the last chunk
    Insn* alloc() {
        if (used == kChunk) {
            chunks.push_back(std::make_unique<Insn[]>(kChunk));
            used = 0;
        }
        return &chunks.back()[used++];
    }
};

namespace {

const Insn kUndecoded = [] {
    Insn i{};
    i.fn = &op_decode_slot;
    i.id = kInvalidId;
    return i;
}();

unsigned decode_mode(const Core& c) {
    if (c.code64()) return static_cast<unsigned>(Mode::Bits64);
    return (c.seg[CS].attr & (1u << 14)) ? static_cast<unsigned>(Mode::Bits32) : static_cast<unsigned>(Mode::Bits16);
}

bool canonical(uint64_t a) { return static_cast<uint64_t>(static_cast<int64_t>(a << 16) >> 16) == a; }

} // namespace

Core::Core(isa::PhysMem& mem, const CoreConfig& cfg) : mem_(mem), cfg_(cfg), scratch_(std::make_unique<Insn>()) {
    if (cfg_.clock.profile) {
        cfg_.costs = cfg_.clock.profile->costs;
    } else {
        // No profile: one cycle per instruction and nothing else (the x86
        // model's historic time, which the reference comparisons rely on).
        cfg_.costs.trap_entry = cfg_.costs.trap_return = 0;
    }
    const isa::InsnCosts& ic = cfg_.costs.insn;
    redirect_penalty_ = ic.branch_taken > ic.branch_not_taken ? ic.branch_taken - ic.branch_not_taken : 0;
    const uint32_t all[] = {ic.alu, ic.mul, ic.div, ic.load, ic.store, ic.branch_not_taken, ic.csr, ic.fence, ic.fp, ic.atomic};
    unit_costs_ = redirect_penalty_ == 0 && std::all_of(std::begin(all), std::end(all), [](uint32_t c) { return c <= 1; });
    walker.configure(cfg_.costs);
    mem_.add_code_observer(this);
    reset();
}

Core::~Core() { mem_.remove_code_observer(this); }

// Power-on state (SDM Vol. 3 9.1.1, Table 9-1).
void Core::reset() {
    host_pending_ = nullptr;   // all of it is loaded anew
    for (auto& r : gpr) r = 0;
    gpr[2] = 0x000806f0;   // EDX: family/model/stepping as CPUID leaf 1 EAX reports
    uint32_t sig[4] = {};
    cpuid(1, 0, sig);
    if (sig[0]) gpr[2] = sig[0];
    rip = 0xfff0;
    rflags = rflags::FIXED1;
    for (auto& s : seg) s = Segment{0, 0, 0xffff, 0x93};
    seg[CS] = Segment{0xf000, 0xffff0000, 0xffff, 0x9b};
    ldtr = Segment{0, 0, 0xffff, 0x82};
    tr = Segment{0, 0, 0xffff, 0x8b};
    gdtr = DescTable{0, 0xffff};
    idtr = DescTable{0, 0xffff};
    cr0 = 0x60000010;
    cr2 = cr3 = cr4 = cr8 = 0;
    for (unsigned k = 0; k < 6; ++k) dr[k] = 0;
    dr[6] = 0xffff0ff0;
    dr[7] = 0x400;
    efer = 0;
    xcr0 = 1;
    std::memset(xmm, 0, sizeof xmm);
    mxcsr = 0x1f80;
    fcw = 0x40;     // power-on x87 state (FINIT sets 0x37f)
    fsw = ftw = 0;
    std::memset(st, 0, sizeof st);
    cpl = 0;
    halted = false;
    waiting_sipi = !cfg_.bsp;
    reset_sys();   // MSRs, shutdown and event state (system.cpp)
    update_context();
    flush_tlb();
    flush_decoded();
}

// ---- decoded pages and fetch ---------------------------------------------

DecodedPage* Core::decoded_page(uint64_t ppage, unsigned mode) {
    const uint64_t key = ppage | mode;
    auto it = decoded_.find(key);
    if (it != decoded_.end()) return it->second.get();
    const uint8_t* host = mem_.ram_ptr(ppage, isa::PhysMem::kPageSize);
    if (!host) return nullptr;
    auto page = std::make_unique<DecodedPage>();
    page->ppage = ppage;
    page->mode = mode;
    page->host = host;
    std::fill(std::begin(page->slot), std::end(page->slot), &kUndecoded);
    std::fill(std::begin(page->cost), std::end(page->cost), uint8_t{1});
    DecodedPage* p = page.get();
    decoded_.emplace(key, std::move(page));
    mem_.mark_code_page(ppage);
    return p;
}

void Core::drop_decoded(uint64_t ppage) {
    bool any = false;
    for (unsigned mode = 0; mode < 3; ++mode) {
        auto it = decoded_.find(ppage | mode);
        if (it == decoded_.end()) continue;
        for (auto& e : tlb_x)
            if (e.code == it->second.get()) e = TlbEntry{};
        // The page may hold the instruction being executed: free it at the
        // next safe point, not now.
        retired_pages_.push_back(std::move(it->second));
        decoded_.erase(it);
        any = true;
    }
    if (!any) return;
    fetch_vbase_ = 1;
    fetch_page_ = nullptr;
    end_block();
}

void Core::code_page_marked(uint64_t page_paddr) {
    // Stores to a code page must take the slow path (which notifies us).
    for (auto& e : tlb_w)
        if (e.vpn != ~0ull && e.ppage == page_paddr) e = TlbEntry{};
}

void Core::code_page_written(uint64_t page_paddr) { drop_decoded(page_paddr); }

void Core::flush_decoded() {
    for (auto& e : tlb_x) e.code = nullptr;
    for (auto& [key, page] : decoded_) retired_pages_.push_back(std::move(page));
    decoded_.clear();
    fetch_vbase_ = 1;
    fetch_page_ = nullptr;
    end_block();
}

// Make the page of linear address `lin` current. A fault (#PF, EPT exit,
// non-canonical #GP, not RAM) is raised here: rip then holds the handler.
bool Core::fetch_page(uint64_t lin) {
    const unsigned mode = decode_mode(*this);
    if (mode == static_cast<unsigned>(Mode::Bits64) && !canonical(lin)) {
        rip = raise_gp(0);
        return false;
    }
    TlbEntry& e = tlb_x[tlb_index(lin)];
    DecodedPage* page = nullptr;
    if (e.vpn == (lin >> 12) && e.ctx == fetch_ctx && e.code &&
        static_cast<DecodedPage*>(e.code)->mode == mode) {
        page = static_cast<DecodedPage*>(e.code);
    } else {
        const Translation t = translate(lin, Access::Exec, cpl == 3);
        if (!t.ok()) {
            rip = raise_translation_fault(t, lin);
            return false;
        }
        const uint64_t ppage = t.paddr & ~0xfffull;
        page = decoded_page(ppage, mode);
        if (!page) {   // not RAM: nothing to execute there
            rip = raise_gp(0);
            return false;
        }
        e.vpn = lin >> 12;
        e.ctx = fetch_ctx;
        e.ppage = ppage;
        e.addend = 0;
        e.code = page;
        note_tlb_fill(2, tlb_index(lin));
    }
    fetch_page_ = page;
    fetch_vbase_ = lin & ~0xfffull;
    if (HV_UNLIKELY(walker.caches.fetch_enabled())) fetch_line(page->ppage | (lin & 0xfff));
    return true;
}

// Out of line: fetch_page stays as lean as without caches.
[[gnu::noinline]] void Core::fetch_line(uint64_t paddr) {
    // Modelled I-caches: the run loop comes back to fetch_page at every
    // instruction (vbase none), and a fetch entering a new line pays.
    add_cycles(walker.caches.fetch(paddr));
    fetch_vbase_ = 1;
}

// Decode the slot at the current offset of the current page and run it.
uint64_t op_decode_slot(Core& c, const Insn&, uint64_t rip) {
    DecodedPage* page = c.fetch_page_;
    const uint64_t lin = rip + c.seg[CS].base;
    const unsigned off = static_cast<unsigned>(lin & 0xfff);
    Insn* slot = page->alloc();
    if (!decode(page->host + off, 4096 - off, static_cast<Mode>(page->mode), *slot)) {
        page->used--;   // give the record back: this one runs uncached
        return c.exec_uncached(rip, lin);
    }
    page->slot[off] = slot;
    page->cost[off] = c.insn_cost(*slot);
    c.cur = slot;
    const uint64_t next = slot->fn(c, *slot, rip);
    // The run loop takes 1 for this slot before its cost is known; the rest
    // after it ran, so that it reads the TSC as every later execution does.
    c.add_cycles(page->cost[off] - 1u);
    return next;
}

// An instruction the page cache cannot hold: its bytes continue on the
// next page (fetched through its own translation), or it may pass the CS
// limit. Decoded each time into scratch_.
uint64_t Core::exec_uncached(uint64_t r, uint64_t lin) {
    const unsigned mode = decode_mode(*this);
    uint8_t bytes[16] = {};
    unsigned have = 0;
    const unsigned first = std::min(15u, static_cast<unsigned>(0x1000 - (lin & 0xfff)));
    Insn& i = *scratch_;
    // First page bytes (the caller made its page current).
    std::memcpy(bytes, fetch_page_->host + (lin & 0xfff), first);
    have = first;
    if (!decode(bytes, have, static_cast<Mode>(mode), i)) {
        const uint64_t next = (lin & ~0xfffull) + 0x1000;
        const uint64_t nlin = mode == static_cast<unsigned>(Mode::Bits64) ? next : (next & 0xffffffffull);
        const Translation t = translate(nlin, Access::Exec, cpl == 3);
        if (!t.ok()) return raise_translation_fault(t, nlin);
        const uint8_t* host = mem_.ram_ptr(t.paddr & ~0xfffull, isa::PhysMem::kPageSize);
        if (!host) return raise_gp(0);
        std::memcpy(bytes + first, host, 15 - first);
        if (walker.caches.fetch_enabled()) add_cycles(walker.caches.fetch(t.paddr & ~0xfffull));   // its second line
        have = 15;
        decode(bytes, have, static_cast<Mode>(mode), i);
    }
    if (mode != static_cast<unsigned>(Mode::Bits64) && r + i.len - 1 > seg[CS].limit) return raise_gp(0);
    cur = &i;
    const uint64_t next = i.fn(*this, i, r);
    add_cycles(insn_cost(i) - 1u);   // the run loop counts 1 for an uncached instruction
    return next;
}

uint64_t op_undefined(Core& c, const Insn&, uint64_t) { return c.raise_ud(); }
uint64_t op_too_long(Core& c, const Insn&, uint64_t) { return c.raise_gp(0); }

// ---- the run loop -----------------------------------------------------------

namespace {
constexpr uint64_t kMaxBlockInsns = uint64_t{1} << 23;   // x 255 cycles keeps the packed cycles below 2^32
} // namespace

// The hot loop: per instruction one page compare, one CS-limit compare,
// one flag test and one indirect call. Handlers that change CS, the mode
// or the paging state end the block. The count is packed: cycles in the
// high half, instructions in the low half, published in in_block_ so that
// cycles() (RDTSC, the LAPIC) is exact mid-block. Timed: a slot costs the
// cycles fixed at its decode (DecodedPage::cost), plus the redirect
// penalty when the next rip is not the sequential one (a taken branch, a
// trap, an exit); untimed, every instruction is one cycle.
template <bool kTimed> uint64_t Core::run_block(uint64_t budget) {
    const uint64_t csbase = seg[CS].base;
    const bool m64 = code64();
    const uint64_t linmask = m64 ? ~0ull : 0xffffffffull;
    const uint64_t lim = m64 ? ~0ull : (seg[CS].limit >= 14 ? seg[CS].limit - 14 : 0);
    const uint64_t redirect = uint64_t{redirect_penalty_} << 32;
    constexpr uint64_t kOne = (uint64_t{1} << 32) + 1;
    uint64_t p = rip, acc = 0, vbase = 1;
    const Insn* const* slots = nullptr;
    const uint8_t* costs = nullptr;
    // The last block's page while the fetch TLB still maps it there in this
    // context and mode (what fetch_page would find): no call.
    if (fetch_page_ && fetch_vbase_ != 1) {
        const TlbEntry& e = tlb_x[tlb_index(fetch_vbase_)];
        if (e.code == fetch_page_ && e.vpn == fetch_vbase_ >> 12 && e.ctx == fetch_ctx &&
            fetch_page_->mode == decode_mode(*this)) {
            vbase = fetch_vbase_;
            slots = fetch_page_->slot;
            costs = fetch_page_->cost;
        }
    }
    while ((acc & 0xffffffffu) < budget && !block_end_) {
        const uint64_t lin = (p + csbase) & linmask;
        rip = p;
        in_block_ = acc;
        if (HV_UNLIKELY((lin & ~0xfffull) != vbase || p > lim)) {
            if ((lin & ~0xfffull) != vbase || !fetch_page_) {
                if (!fetch_page(lin)) {   // the fetch faulted: rip is the handler's
                    p = rip;
                    vbase = 1;
                    acc += kOne + (kTimed ? redirect : 0);
                    continue;
                }
                vbase = fetch_vbase_;
                slots = fetch_page_->slot;
                costs = fetch_page_->cost;
            }
            if (p > lim) {   // near the CS limit: check this instruction's end
                const uint64_t from = p;
                p = exec_uncached(p, lin);
                acc += kOne;
                if (kTimed && p != from + cur->len) acc += redirect;
                continue;
            }
        }
        const unsigned off = static_cast<unsigned>(lin & 0xfff);
        const Insn* i = slots[off];
        cur = i;
        const uint64_t from = p;
        // A slot not decoded yet counts 1 here; op_decode_slot charges the rest.
        const uint64_t step = kTimed ? (uint64_t{costs[off]} << 32) + 1 : kOne;
        p = i->fn(*this, *i, p);
        if constexpr (kTimed) {
            // cur: the decoded slot (op_decode_slot replaces the placeholder)
            acc += step + (-static_cast<uint64_t>(p != from + cur->len) & redirect);
        } else {
            acc += kOne;
        }
    }
    rip = p;
    return acc;
}

StopReason Core::run(uint64_t max_insns) {
    settle_host();
    const uint64_t end = icount_ + max_insns;
    stop_requested_ = false;
    retired_pages_.clear();
    while (icount_ < end) {
        block_end_ = false;
        // Delivers a pending NMI/INTR/INIT or ends HLT.
        check_interrupts();
        // Hosted: a VM exit (from an event, or the last block) returns to
        // the C++ root-mode code.
        if (take_vmexit()) return StopReason::VmExit;
        if (shutdown) return StopReason::Shutdown;
        if (stop_requested_) return StopReason::Requested;
        if (halted || waiting_sipi) return StopReason::Halt;
        const uint64_t window = irq_window_insns();
        uint64_t budget = std::min(end - icount_, kMaxBlockInsns);
        if (HV_UNLIKELY(window < budget)) budget = window ? window : 1;
        block_end_ = false;
        const uint64_t acc = unit_costs_ ? run_block<false>(budget) : run_block<true>(budget);
        icount_ += acc & 0xffffffffu;
        insn_cycles_ += acc >> 32;
        in_block_ = 0;
        retired_pages_.clear();
        if (take_vmexit()) return StopReason::VmExit;
        if (shutdown) return StopReason::Shutdown;
        if (stop_requested_) return StopReason::Requested;
        if (halted) {
            check_interrupts();
            if (halted) return StopReason::Halt;
        }
    }
    return StopReason::Budget;
}

} // namespace hvemu::x86
