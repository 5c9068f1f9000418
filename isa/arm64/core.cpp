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
};

namespace {
// Exception classes and fault status codes the fetch path raises itself.
constexpr uint32_t kEcPcAlign = 0x22;
constexpr uint32_t kEcInsnAbortLower = 0x20;
constexpr uint32_t kEcInsnAbortSame = 0x21;
constexpr uint32_t kFscExternal = 0x10;   // synchronous external abort, not on a walk
} // namespace

Pe::Pe(isa::PhysMem& mem, const PeConfig& cfg) : mem_(mem), cfg_(cfg) {
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

bool Pe::fetch_page() {
    if (pc & 3) {
        take_sync(kEcPcAlign, 0, pc, 0, pc, true);
        return false;
    }
    const uint64_t vbase = pc & ~0xfffull;
    TlbEntry& e = tlb_x[tlb_index(pc)];
    if (e.vpn == (pc >> 12) && e.ctx == fetch_ctx && e.code) {
        fetch_slots_ = static_cast<DecodedPage*>(e.code)->slots;
        fetch_vbase_ = vbase;
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
    h.cur = &slot;
    return slot.fn(h, slot, pc);
}

uint64_t op_undefined(Pe& h, const Insn&, uint64_t pc) { return h.undefined(pc); }

// ---- the run loop -----------------------------------------------------------

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
        // The hot loop: pc and the count live in registers; per instruction
        // one page compare, one flag test and one indirect call. A
        // misaligned pc never equals vbase, so fetch_page() sees it.
        uint64_t p = pc, n = 0, vbase = 1;
        Insn* slots = nullptr;
        while (n < budget && !block_end_) {
            if (HV_UNLIKELY((p & ~0xffcull) != vbase)) {
                pc = p;
                in_block_ = n;
                if (!fetch_page()) {   // the fetch faulted: pc is the exception vector
                    p = pc;
                    vbase = 1;
                    ++n;
                    continue;
                }
                vbase = fetch_vbase_;
                slots = fetch_slots_;
            }
            const Insn* i = &slots[(p & 0xfff) >> 2];
            pc = p;
            cur = i;
            in_block_ = n;
            p = i->fn(*this, *i, p);
            ++n;
        }
        pc = p;
        icount_ += n;
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
