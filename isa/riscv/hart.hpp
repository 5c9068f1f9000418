// The RISC-V hart: RV64IMAFDC + Zicsr + Zifencei + Zicntr + Sstc with the
// M, S, U privilege levels and the H extension (HS, VS, VU).
//
// It runs in two modes over the same code:
//  - full-system: every trap enters emulated code through mtvec/stvec/vstvec;
//  - hosted (HartConfig::hosted): a trap whose target is HS or M returns from
//    run() with StopReason::Trap after the trap entry has been performed as
//    hardware would (scause, stval, htval, htinst, sepc, hstatus.SPV/SPVP/GVA,
//    privilege = HS), so C++ code plays the HS-mode software: it reads CSRs
//    with csr_read(), writes them with csr_write(), and resumes the guest
//    with sret().
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "isa/common/cycle_model.hpp"
#include "isa/common/hw_trace.hpp"
#include "isa/common/phys_mem.hpp"
#include "isa/common/tlb_model.hpp"
#include "isa/riscv/encoding.hpp"
#include "isa/riscv/insn.hpp"

#define HV_LIKELY(x) __builtin_expect(!!(x), 1)
#define HV_UNLIKELY(x) __builtin_expect(!!(x), 0)

namespace hvemu::rv {

struct HartConfig {
    uint64_t hartid = 0;
    uint64_t reset_pc = 0x1000;
    bool hosted = false;          // traps to HS/M return from run()
    bool write_tinst = true;      // false: htinst/mtinst always read 0 after a trap (allowed by the spec)
    bool misaligned_ok = true;    // ordinary loads/stores may be misaligned (as QEMU); AMOs never.
                                  // false: data accesses never use the TLB fast path (it does not
                                  // check alignment), so every one is checked on the slow path
    unsigned pmp_entries = 16;    // 0, 16 or 64
    bool jit = true;              // compile hot RV64I/M blocks to host code where the host allows
                                  // (x86-64); false: interpret everything. Same results either way.
    isa::Clocking clock{};
    isa::CycleCosts costs{};
};

enum class StopReason : uint8_t {
    Budget,      // the instruction budget of run() is used up
    Trap,        // hosted: a trap to HS or M was taken; the trap CSRs say which
    Wfi,         // WFI with nothing pending: the hart waits for an interrupt
    Requested,   // request_stop() (a device, the debugger, the machine)
};

enum class Access : uint8_t { Read = 0, Write = 1, Exec = 2 };

// The CSR storage. Fields hold the architectural values; views (sstatus,
// sie, sip, vsip, ...) are computed by the CSR access code.
struct CsrState {
    // machine
    uint64_t mstatus = 0, misa = 0, medeleg = 0, mideleg = 0, mie = 0;
    uint64_t mip_sw = 0;    // software-writable mip bits: SSIP, STIP (no Sstc), SEIP
    uint64_t mtvec = 0, mcounteren = 0, menvcfg = 0, mcountinhibit = 0;
    uint64_t mscratch = 0, mepc = 0, mcause = 0, mtval = 0, mtinst = 0, mtval2 = 0;
    std::array<uint8_t, 64> pmpcfg{};
    std::array<uint64_t, 64> pmpaddr{};
    // supervisor
    uint64_t stvec = 0, scounteren = 0, senvcfg = 0, sscratch = 0, sepc = 0, scause = 0, stval = 0;
    uint64_t satp = 0, stimecmp = ~0ull;
    // hypervisor
    uint64_t hstatus = 0, hedeleg = 0, hideleg = 0, hvip = 0, hcounteren = 0, hgeie = 0, hgeip = 0;
    uint64_t htimedelta = 0, henvcfg = 0, htval = 0, htinst = 0, hgatp = 0;
    // virtual supervisor
    uint64_t vsstatus = 0, vstvec = 0, vsscratch = 0, vsepc = 0, vscause = 0, vstval = 0;
    uint64_t vsatp = 0, vstimecmp = ~0ull;
    // floating point
    uint32_t fflags = 0, frm = 0;
    // counters: value = raw counter + offset
    uint64_t mcycle_offset = 0, minstret_offset = 0;
};

// The result of a translation (both stages), or the fault to raise.
struct Translation {
    uint64_t paddr = 0;
    uint64_t cause = 0;     // 0 when ok (cause 0 is never a translation fault)
    uint64_t tval2 = 0;     // guest physical address >> 2 for guest-page faults
    uint64_t tinst = 0;     // pseudo-instruction for implicit VS-stage accesses
    bool global = false;    // the leaf was global (G bit)
    bool ok() const { return cause == 0; }  // cause 0 is never a translation fault
};

// One direct-mapped software TLB entry: (virtual page, context) -> host.
struct TlbEntry {
    uint64_t vpn = ~0ull;
    uint64_t ctx = ~0ull;
    uintptr_t addend = 0;    // host = vaddr + addend (RAM pages only)
    uint64_t ppage = 0;      // physical page address
    void* code = nullptr;    // fetch TLB: the decoded page
    bool global = false;
};

struct DecodedPage;
class BlockCompiler;
class Hart;
ExecFn interp_entry(const Hart& h, const Insn& slot);   // decoded_page.hpp

class Hart final : public isa::CodeObserver {
public:
    static constexpr unsigned kTlbSize = 256;
    // Full-system tracing: traps from V=1 to HS/M, entries into V=1, interrupts.
    isa::HwTraceSink* hw_trace = nullptr;

    Hart(isa::PhysMem& mem, const HartConfig& cfg);
    ~Hart() override;
    Hart(const Hart&) = delete;
    Hart& operator=(const Hart&) = delete;

    // ---- Architectural state (public: handlers, tests and debuggers use it)
    uint64_t x[33] = {};    // x[32] is the sink for writes to x0
    uint64_t f[32] = {};    // NaN-boxed
    uint64_t pc = 0;
    Priv priv = Priv::M;
    bool virt = false;      // V
    CsrState csr;

    const HartConfig& config() const { return cfg_; }
    isa::PhysMem& mem() { return mem_; }
    uint64_t hartid() const { return cfg_.hartid; }

    // ---- Running
    // Execute at most max_insns instructions (interrupts are checked
    // first). Returns why it stopped.
    StopReason run(uint64_t max_insns);
    void request_stop() { stop_requested_ = true; block_end_ = true; }
    bool waiting_for_interrupt() const { return wfi_; }
    void enter_wfi() { wfi_ = true; end_block(); }
    // Debugger single-step: while masked, run() takes no interrupt (they
    // stay pending), so a step does not wander into a handler.
    void set_interrupts_masked(bool m) { irq_masked_ = m; }
    bool interrupts_masked() const { return irq_masked_; }
    void reset();

    // ---- Counters and time (Zicntr, Sstc)
    // Cycles: the instruction classes' costs (fixed when a slot is decoded,
    // summed by the threaded dispatch), plus everything charged by
    // add_cycles (traps, walks, a hosted hypervisor's transitions).
    // Inside a block the counts live in registers; in_block_ and
    // in_block_cycles_ hold them whenever a handler that can observe them
    // runs (publish()).
    uint64_t icount() const { return icount_ + in_block_; }  // instructions attempted
    uint64_t instret() const { return icount() - traps_; }   // retired
    uint64_t cycles() const { return insn_cycles_ + in_block_cycles_ + extra_cycles_; }
    uint64_t time() const { return cycles() / cfg_.clock.cycles_per_tick() + time_offset_; }
    void set_time(uint64_t t);                             // mtime write
    void add_cycles(uint64_t c) { extra_cycles_ += c; }
    // Cycles until time() reaches t (0 when already there).
    uint64_t cycles_until_time(uint64_t t) const;

    // ---- Interrupt lines from the platform (level sensitive)
    void set_irq_line(unsigned irq_bit, bool level);       // MEIP, SEIP, MSIP, MTIP (external)
    void set_mtimecmp(uint64_t v);                         // CLINT comparator for MTIP
    uint64_t mtimecmp() const { return mtimecmp_; }
    void set_hgeip(uint64_t bits);                         // guest external interrupt lines
    uint64_t mip() const;                                  // effective mip (all sources)

    // ---- Host-mode API (what HS-mode software does on real hardware)
    // CSR access with the privilege rules of `as` (default: HS, V=0).
    // Returns false (and changes nothing) where the access would raise
    // illegal-instruction.
    bool csr_read(uint16_t addr, uint64_t& value, Priv as = Priv::S, bool as_virt = false);
    bool csr_write(uint16_t addr, uint64_t value, Priv as = Priv::S, bool as_virt = false);
    uint64_t read_csr(uint16_t addr);                      // read as M; 0 when absent
    void sret();                                           // SRET as executed in HS
    // Take the hart out of a guest at an instruction boundary as a host
    // preemption would (the trap entry of an S-external interrupt to HS),
    // at no cycle cost, and make the next xRET free as well: slicing a run
    // (scheduling budgets, a debugger stepping, instruction traces) must
    // not change model time.
    void preempt_to_host();
    // The guest was taken off by preempt_to_host() and not resumed yet: its
    // resumption costs no model time (a hosted vCPU charges no VM entry).
    bool resuming_preempted() const { return free_return_; }
    void mret();
    void hfence_gvma(uint64_t gpa = 0, uint64_t vmid = 0, bool all_addr = true, bool all_vmid = true);
    void hfence_vvma(uint64_t gva = 0, uint64_t asid = 0, bool all_addr = true, bool all_asid = true);
    void sfence_vma(uint64_t va = 0, uint64_t asid = 0, bool all_addr = true, bool all_asid = true);
    // HLV/HLVX/HSV as executed from HS: guest virtual accesses through both
    // stages with hstatus.SPVP privilege. On a fault the trap is NOT taken;
    // the fault is returned in `t` (cause/tval2/tinst) for the caller.
    bool hlv(uint64_t gva, unsigned width, uint64_t& value, Translation& t, bool hlvx = false);
    bool hsv(uint64_t gva, unsigned width, uint64_t value, Translation& t);

    // ---- Used by the instruction handlers
    // Memory access by virtual address with the current effective privilege
    // (mstatus.MPRV applied). false: a trap was raised; the handler returns.
    template <class T> bool load(uint64_t va, T& out);
    template <class T> bool store(uint64_t va, T val);
    // The TLB-hit halves of load/store: false (nothing done) on a miss.
    template <class T> bool load_fast(uint64_t va, T& out) const;
    template <class T> bool store_fast(uint64_t va, T val);
    // Under data caches: the same through an entry tagged kCtxCached, which
    // pays the caches (mem_access.cpp).
    static constexpr uint64_t kCtxCached = 1ull << 62;
    template <class T> bool load_cached(uint64_t va, T& out);
    template <class T> bool store_cached(uint64_t va, T val);
    // The cache-tagged entry of `tlb` for a size-byte access at va that stays
    // in one page (the fast path's test, with the tagged context), or null;
    // and what an access through it pays the data caches.
    const TlbEntry* cached_entry(const TlbEntry* tlb, uint64_t va, unsigned size) const;
    void charge_cached(const TlbEntry& e, uint64_t va, unsigned size) {
        add_cycles(walker.caches.data(e.ppage | (va & 0xfff), size));
    }
    bool load_slow(uint64_t va, unsigned size, uint64_t& out, bool hlv = false, bool hlvx = false);
    bool store_slow(uint64_t va, unsigned size, uint64_t val, bool hsv = false);
    // Atomic read-modify-write: translate for store (AMO faults are store
    // faults) and check alignment; on a fault raise it and return false.
    // On success `paddr` is the physical address and `host` points at it
    // for RAM, or is nullptr for MMIO (the caller uses PhysMem::read/write).
    bool amo_address(uint64_t va, unsigned size, uint8_t*& host, uint64_t& paddr);

    // Translate va for `acc` (size bytes, fully inside one page) with the
    // given effective privilege/virtualization. Pure: raises nothing.
    Translation translate(uint64_t va, Access acc, Priv eff_priv, bool eff_virt, bool hlvx = false);
    // Guest-physical to host-physical (G stage only) for acc; pure.
    Translation translate_g(uint64_t gpa, Access acc, bool implicit_vs = false, bool for_write_pte = false);
    bool pmp_ok(uint64_t paddr, unsigned size, Access acc, Priv p) const;

    // Raise a synchronous exception for the current instruction: performs
    // trap routing and entry (or stops, hosted). tval2 = GPA>>2, tinst = the
    // transformed instruction or pseudo-instruction, gva = tval holds a
    // guest virtual address.
    // Returns the pc after the trap (what a handler returns).
    uint64_t raise(uint64_t cause, uint64_t tval = 0, uint64_t tval2 = 0, uint64_t tinst = 0, bool gva = false);
    uint64_t raise_illegal();                               // tval = the instruction bits
    uint64_t raise_virtual();                               // virtual instruction exception
    uint64_t raise_translation_fault(const Translation& t, uint64_t va, Access acc, bool hlv_access = false);

    // The instruction being executed (valid inside a handler).
    const Insn* cur = nullptr;

    // Mark the end of a "block": interrupts, context and the fetch page are
    // re-evaluated before the next instruction.
    void end_block() { block_end_ = true; }
    // Recompute translation contexts after priv/V/status/atp changes.
    void update_context();
    void flush_tlb();                                      // everything
    void flush_decoded();                                  // FENCE.I

    // LR/SC reservation
    uint64_t reservation = ~0ull;
    void clear_reservation() { reservation = ~0ull; }

    // xRET/trap helpers for handlers and the host API
    void set_priv(Priv p, bool v);
    bool fs_enabled() const;                               // mstatus.FS (and vsstatus.FS when V=1) != Off
    void mark_fs_dirty();
    uint8_t effective_rm(uint8_t rm_field, bool& ok) const;// resolve DYN; ok=false when reserved
    void set_fflags(uint32_t flags) { csr.fflags |= flags; }

    // CSR instruction semantics (exec_csr)
    bool csr_op(uint16_t addr, uint64_t wval, int op, bool do_write, uint64_t& old);

    // Statistics
    uint64_t tlb_misses = 0, walks = 0;
    // Page-table references per stage (S/VS stage, G stage) of every walk:
    // a VS-stage walk under the G stage makes up to (n+1)(m+1)-1.
    uint64_t walk_refs_s1 = 0, walk_refs_s2 = 0;
    // The timing model's translation structures and counters (charged walks).
    isa::WalkCharger walker;
    // The modelled TLB (timing only, walker.tlb): whether it holds the page
    // of va for context ctx (counting the hit or miss; false when not
    // modelled), and filling it after a walk. A page it evicts leaves the
    // software TLB too, so a fast-path hit is always a modelled hit.
    bool tlb_model_lookup(uint64_t va, uint64_t ctx);
    void tlb_model_fill(uint64_t va, uint64_t ctx, bool global);
    uint64_t tlb_ctx(Priv eff_priv, bool eff_virt, bool exec) const;   // the software TLB's context tag
    void count_walk(unsigned s1, unsigned s2, uint64_t cycles, bool charged);

    // CodeObserver
    void code_page_marked(uint64_t page_paddr) override;
    void code_page_written(uint64_t page_paddr) override;

    // Interrupts: the highest-priority pending and enabled interrupt, with
    // its target; returns false when none.
    bool pending_interrupt(uint64_t& cause_out) const;
    void take_trap(uint64_t cause, uint64_t tval, uint64_t tval2, uint64_t tinst, bool gva);

    TlbEntry tlb_r[kTlbSize], tlb_w[kTlbSize], tlb_x[kTlbSize];
    uint64_t data_ctx = 0, fetch_ctx = 0;

    // ---- Threaded dispatch (dispatch.hpp)
    // A chain's instructions keep pc, the instruction and the packed count
    // in registers; a handler that may trap, read counters or touch devices
    // publishes them first (pc, cur, icount(), cycles()).
    inline void publish(uint64_t at, const Insn* i, uint64_t left);   // dispatch.hpp
    bool block_ended() const { return block_end_; }
    uint64_t chain_left = 0;    // the chain's packed budget when it stopped
    // A taken branch's extra cost in a chain's budget (branch_taken -
    // branch_not_taken, as a step without the instruction).
    uint64_t redirect_step() const { return redirect_step_; }
    // Fix a freshly decoded slot's step (its class's cycles) and, under
    // class costs, make it run the charging entry.
    void cost_slot(Insn& slot) const;
    // A step (dispatch.hpp) for one instruction of table entry `id`
    // (kInvalidId: an ALU instruction), redirected or not.
    uint64_t insn_step_of(uint16_t id, bool redirected) const;
    // Whether slots charge their class costs (the T = true entries).
    bool timed() const { return timed_; }
    // Whether fetches pay modelled I-side caches, and the block compiler
    // is off. A fetch can enter another line than the instruction before it
    // only at a line's first two slots, which run through op_fetch_line,
    // or where control arrives otherwise: the chain's first instruction
    // and every target of go_at (dispatch.hpp), which call fetch_at.
    bool fetch_charged() const { return fetch_charged_; }
    void fetch_at(const Insn& slot, uint64_t at, uint64_t next);   // slot at `at`; next on its page
    // The I-side caches' cost of a fetch at paddr (none while it stays in
    // the line fetched last).
    void fetch_line(uint64_t paddr);
    // What slot `i` runs in the interpreter (interp_entry), inline.
    bool in_table(const Insn& i) const { return i.id < table_size_; }
    ExecFn entry_of(const Insn& i) const {
        if (HV_LIKELY(in_table(i))) return timed_ ? table_[i.id].tfn : table_[i.id].fn;
        return interp_entry(*this, i);
    }
    // The block compiler (jit.hpp); nullptr when off or the host has none.
    BlockCompiler* jit() const { return jit_.get(); }

private:
    bool fill_tlb(uint64_t va, Access acc, const Translation& t, Priv eff_priv, bool eff_virt);
    bool fetch_page();                                     // refill fetch_base_/fetch_slots_
    DecodedPage* decoded_page(uint64_t ppage);
    void drop_decoded(uint64_t ppage);
    void check_interrupts();
    uint64_t next_timer_deadline() const;                  // cycles from now to the next timer event

    isa::PhysMem& mem_;
    HartConfig cfg_;
    uint64_t icount_ = 0, traps_ = 0, extra_cycles_ = 0;
    uint64_t insn_cycles_ = 0;  // class costs of past blocks
    int64_t time_offset_ = 0;
    uint64_t in_block_ = 0, in_block_cycles_ = 0;
    // What publish() subtracts the running chain's packed budget from.
    uint64_t chain_insn_end_ = 0, chain_cycle_end_ = 0;
    std::array<uint32_t, static_cast<unsigned>(Cls::Amo) + 1> class_cycles_{};   // at least 1 each
    uint32_t redirect_cycles_ = 0;     // branch_taken - branch_not_taken
    uint64_t redirect_step_ = 0;
    bool fetch_charged_ = false;       // walker.caches.fetch_enabled()
    bool timed_ = false;               // some class costs more than 1, or a redirect costs: charging entries
    bool block_end_ = false;
    bool stop_requested_ = false;
    bool trapped_ = false;      // hosted: a trap to HS/M was taken in this run
    bool wfi_ = false;
    bool irq_masked_ = false;
    bool free_entry_ = false, free_return_ = false;   // preempt_to_host()
    uint64_t irq_lines_ = 0;    // MEIP, SEIP, MSIP, MTIP from the platform
    uint64_t mtimecmp_ = ~0ull;
    // fetch state
    uint64_t fetch_vbase_ = 1;  // virtual page base of fetch_slots_ (1 = none)
    Insn* fetch_slots_ = nullptr;
    std::unordered_map<uint64_t, std::unique_ptr<DecodedPage>> decoded_;
    std::vector<std::unique_ptr<DecodedPage>> retired_pages_;   // freed at the next safe point
    std::unique_ptr<BlockCompiler> jit_;
    const InsnDesc* table_ = insn_table();        // entry_of's
    unsigned table_size_ = insn_table_size();
};

// ---- fast paths -----------------------------------------------------------

inline unsigned tlb_index(uint64_t va) { return (va >> 12) & (Hart::kTlbSize - 1); }

template <class T> inline bool Hart::load_fast(uint64_t va, T& out) const {
    // The tag compare with the access's last byte also rejects an access
    // that crosses into the next page (that page's entry has another index).
    const TlbEntry& e = tlb_r[tlb_index(va)];
    if (HV_LIKELY(e.vpn == ((va + sizeof(T) - 1) >> 12) && e.ctx == data_ctx)) {
        std::memcpy(&out, reinterpret_cast<const void*>(va + e.addend), sizeof(T));
        return true;
    }
    return false;
}

template <class T> inline bool Hart::store_fast(uint64_t va, T val) {
    // The tag compare with the access's last byte also rejects an access
    // that crosses into the next page (that page's entry has another index).
    const TlbEntry& e = tlb_w[tlb_index(va)];
    if (HV_LIKELY(e.vpn == ((va + sizeof(T) - 1) >> 12) && e.ctx == data_ctx)) {
        std::memcpy(reinterpret_cast<void*>(va + e.addend), &val, sizeof(T));
        return true;
    }
    return false;
}

inline const TlbEntry* Hart::cached_entry(const TlbEntry* tlb, uint64_t va, unsigned size) const {
    const TlbEntry& e = tlb[tlb_index(va)];
    return e.vpn == ((va + size - 1) >> 12) && e.ctx == (data_ctx | kCtxCached) ? &e : nullptr;
}

template <class T> inline bool Hart::load_cached(uint64_t va, T& out) {
    const TlbEntry* e = cached_entry(tlb_r, va, sizeof(T));
    if (!e) return false;
    std::memcpy(&out, reinterpret_cast<const void*>(va + e->addend), sizeof(T));
    charge_cached(*e, va, sizeof(T));
    return true;
}

template <class T> inline bool Hart::store_cached(uint64_t va, T val) {
    const TlbEntry* e = cached_entry(tlb_w, va, sizeof(T));
    if (!e) return false;
    std::memcpy(reinterpret_cast<void*>(va + e->addend), &val, sizeof(T));
    charge_cached(*e, va, sizeof(T));
    return true;
}

template <class T> inline bool Hart::load(uint64_t va, T& out) {
    if (HV_LIKELY(load_fast<T>(va, out))) return true;
    uint64_t v;
    if (!load_slow(va, sizeof(T), v)) return false;
    out = static_cast<T>(v);
    return true;
}

template <class T> inline bool Hart::store(uint64_t va, T val) {
    if (HV_LIKELY(store_fast<T>(va, val))) return true;
    return store_slow(va, sizeof(T), static_cast<uint64_t>(val));
}

// Handlers are declared from the instruction tables. Each is a template on
// the instruction length L (2 or 4), so the fall-through address `pc + L`
// is a constant add, not a load:
//     RV_OP(add) { h.x[i.rd] = h.x[i.rs1] + h.x[i.rs2]; return NEXT; }
// A handler that traps returns what raise() returns (the new pc).
#define RV_OP(id) template <unsigned L> uint64_t op_##id(Hart& h, const Insn& i, uint64_t pc)
#undef NEXT   // the other architecture's handler macro, in a file that includes both
#define NEXT (pc + L)
#define RV_INSN(id, ...) template <unsigned L> uint64_t op_##id(Hart&, const Insn&, uint64_t);
#define RVC_INSN(id, ...)
#include "isa/riscv/insn_base.def"
#include "isa/riscv/insn_system.def"
#include "isa/riscv/insn_amo.def"
#include "isa/riscv/insn_fd.def"
#undef RV_INSN
#undef RVC_INSN
// Threaded entries (what decoded slots run), declared from the same
// tables, each for unit costs (T = false) and class costs (T = true):
// RV64I/M's are defined in exec_int.cpp, the others wrap the handler in
// exec_plain (dispatch.hpp).
#define RV_INSN(id, ...) template <unsigned L, bool T> uint64_t xop_##id(Hart&, const Insn&, uint64_t, uint64_t);
#define RVC_INSN(id, ...)
#include "isa/riscv/insn_base.def"
#undef RV_INSN
#undef RVC_INSN
// Explicit instantiation of a file's handlers for both lengths: each exec
// file ends with RV_INSN defined as RV_INSTANTIATE and its .def included.
#define RV_INSTANTIATE(id, ...)                                            \
    template uint64_t op_##id<2>(Hart&, const Insn&, uint64_t);           \
    template uint64_t op_##id<4>(Hart&, const Insn&, uint64_t);
uint64_t op_illegal(Hart&, const Insn&, uint64_t pc, uint64_t left);
uint64_t op_decode_slot(Hart&, const Insn&, uint64_t pc, uint64_t left);   // lazily decodes the slot, then runs it
uint64_t op_cross_page(Hart&, const Insn&, uint64_t pc, uint64_t left);    // a 32-bit instruction straddling a page
uint64_t op_page_end(Hart&, const Insn&, uint64_t pc, uint64_t left);      // the sentinel after a page's last slot
uint64_t op_fetch_line(Hart&, const Insn&, uint64_t pc, uint64_t left);    // a slot's entry under I-side caches

} // namespace hvemu::rv

#include "isa/riscv/dispatch.hpp"
