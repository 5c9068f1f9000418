// The Armv8-A processing element: A64 at EL0, EL1 and EL2 (no EL3, no
// AArch32), VMSAv8-64 stage 1 and stage 2 with 4 KiB granules, the generic
// timer, and the GICv3 CPU interface with its virtualization extension.
//
// It runs in two modes over the same code:
//  - full-system: every exception enters emulated code through VBAR_ELx;
//  - hosted (PeConfig::hosted): an exception taken to EL2 returns from
//    run() with StopReason::Trap after the entry has been performed as
//    hardware performs it (ESR_EL2, FAR_EL2, HPFAR_EL2, ELR_EL2, SPSR_EL2,
//    PSTATE = EL2h with DAIF masked), so C++ code plays the EL2 software: it
//    reads and writes system registers with sysreg_read()/sysreg_write()
//    and resumes the guest with eret().
//
// Ownership inside isa/arm64: the run loop, fetch/predecode, the decoder
// and the data-processing, branch, load/store and FP/SIMD-move handlers
// (core.cpp, decoder.cpp, exec_*.cpp); exceptions, system registers,
// system instructions, the MMU and TLBs, the timers and the GIC CPU
// interface (exception.cpp, sysreg*.cpp, exec_system.cpp, mmu.cpp,
// mem_access.cpp, timer.cpp, gic_cpuif.cpp).
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "isa/arm64/gic_port.hpp"
#include "isa/arm64/insn.hpp"
#include "isa/arm64/sysregs.hpp"
#include "isa/common/cycle_model.hpp"
#include "isa/common/hw_trace.hpp"
#include "isa/common/phys_mem.hpp"
#include "isa/common/tlb_model.hpp"

#ifndef HV_LIKELY
#define HV_LIKELY(x) __builtin_expect(!!(x), 1)
#define HV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#endif

namespace hvemu::arm {

struct PeConfig {
    uint64_t mpidr = 1ull << 31;       // MPIDR_EL1 (bit 31 RES1; Aff0 = the core)
    uint64_t reset_pc = 0;
    unsigned reset_el = 2;             // EL2h with DAIF masked, MMUs off
    bool hosted = false;               // exceptions to EL2 return from run()
    unsigned pa_bits = 44;             // ID_AA64MMFR0_EL1.PARange (32, 36, 40, 42, 44, 48)
    unsigned list_regs = 4;            // ICH_LR<n>_EL2 implemented (1-16)
    isa::Clocking clock = [] { isa::Clocking c; c.timebase_hz = 62'500'000; return c; }();   // CNTFRQ 62.5 MHz as QEMU virt
    isa::CycleCosts costs{};
};

enum class StopReason : uint8_t {
    Budget,      // the instruction budget of run() is used up
    Trap,        // hosted: an exception was taken to EL2; ESR_EL2 & co say which
    Wfi,         // WFI/WFE with nothing pending: the PE waits
    Requested,   // request_stop()
};

enum class Access : uint8_t { Read = 0, Write = 1, Exec = 2 };

// PSTATE as the PE keeps it. NZCV in bits 31:28 of nzcv (SPSR layout);
// daif in bits 9:6 (SPSR layout).
struct Pstate {
    uint32_t nzcv = 0;
    uint32_t daif = 0xf << 6;
    uint8_t el = 2;
    bool sp = true;        // SPSel: true = SP_ELx, false = SP_EL0
    bool ss = false;
    bool il = false;
};

// The outcome of a translation (one or both stages), or the fault.
enum class FaultKind : uint8_t {
    None, AddressSize, Translation, AccessFlag, Permission, Alignment, External,
};
struct Translation {
    uint64_t paddr = 0;
    FaultKind fault = FaultKind::None;
    uint8_t level = 0;        // level of the faulting walk
    bool stage2 = false;      // the fault is a stage-2 fault
    bool s1ptw = false;       // stage 2 fault on a stage-1 table walk
    uint64_t ipa = 0;         // faulting IPA (stage-2 faults)
    uint8_t attr = 0xff;      // MAIR attribute byte of the final mapping (0x00: Device-nGnRnE)
    bool ok() const { return fault == FaultKind::None; }
};

// One direct-mapped software TLB entry: (virtual page, context) -> host.
struct TlbEntry {
    uint64_t vpn = ~0ull;
    uint64_t ctx = ~0ull;
    uintptr_t addend = 0;    // host = vaddr + addend (RAM pages only)
    uint64_t ppage = 0;      // physical page address
    void* code = nullptr;    // fetch TLB: the decoded page
};

struct DecodedPage;

class Pe final : public isa::CodeObserver {
public:
    static constexpr unsigned kTlbSize = 256;

    Pe(isa::PhysMem& mem, const PeConfig& cfg);
    ~Pe() override;
    Pe(const Pe&) = delete;
    Pe& operator=(const Pe&) = delete;

    // ---- Architectural state (public: handlers, tests, debuggers use it)
    // x[0..30] X0-X30, x[kZr] = 0 always, x[kSink] swallows XZR writes,
    // x[kSp] the current stack pointer (SP_EL0 or SP_ELx per PSTATE.SP).
    uint64_t x[34] = {};
    alignas(16) uint64_t v[32][2] = {};   // V0-V31, little-endian halves
    uint64_t pc = 0;
    Pstate pstate;
    SysRegs sys;                        // see sysregs.hpp
    uint32_t fpcr = 0, fpsr = 0;

    const PeConfig& config() const { return cfg_; }
    isa::PhysMem& mem() { return mem_; }
    unsigned el() const { return pstate.el; }

    // ---- Running
    StopReason run(uint64_t max_insns);
    void request_stop() { stop_requested_ = true; end_block(); }
    bool waiting_for_interrupt() const { return wfi_; }
    void enter_wfi() { wfi_ = true; end_block(); }
    void set_interrupts_masked(bool m) { irq_masked_ = m; }   // debugger single-step
    bool interrupts_masked() const { return irq_masked_; }
    void reset();

    // ---- Counters and time
    // Cycles: the instruction classes' costs (summed by the run loop, from
    // costs fixed when a slot is decoded), plus everything charged by
    // add_cycles (traps, walks, a hosted hypervisor's transitions).
    // Inside a block the loop publishes both in in_block_: cycles in the
    // high half, instructions in the low half.
    uint64_t icount() const { return icount_ + (in_block_ & 0xffffffffu); }
    uint64_t cycles() const { return insn_cycles_ + (in_block_ >> 32) + extra_cycles_; }
    void add_cycles(uint64_t c) { extra_cycles_ += c; }
    uint64_t counter() const { return cycles() / cfg_.clock.cycles_per_tick(); }   // CNTPCT
    uint64_t cycles_until_count(uint64_t count) const;   // physical count; 0 when reached
    // Cycles until the next enabled timer condition (~0: none ahead); what
    // a machine whose cores all wait may skip.
    uint64_t next_timer_cycles() const { return next_timer_deadline(); }

    // ---- Interrupt lines
    // The GIC CPU interface's other side (nullptr: no GIC; ICC_* accesses
    // then read as idle). Not owned.
    void attach_gic(GicCpuPort* port) { gic_ = port; gic_changed(); }
    GicCpuPort* gic() const { return gic_; }
    // The pending set behind the port changed: re-evaluate IRQ.
    void gic_changed() { irq_dirty_ = true; end_block(); }

    // ---- Host-mode API (what EL2 software does on real hardware)
    // System register access by encoding (sysregs.hpp) with the rules of
    // `el`. false (nothing changed) where the access would be UNDEFINED or
    // trap.
    bool sysreg_read(uint32_t enc, uint64_t& value, unsigned el = 2);
    bool sysreg_write(uint32_t enc, uint64_t value, unsigned el = 2);
    void eret();                       // ERET as executed at EL2
    // Leave the guest at an instruction boundary as a host preemption would
    // (an IRQ taken to EL2), at no cycle cost, with a free next ERET.
    void preempt_to_host();
    // The guest was taken off by preempt_to_host() and not resumed yet: its
    // resumption costs no model time (a hosted vCPU charges no VM entry).
    bool resuming_preempted() const { return free_return_; }
    // TLB maintenance as the TLBI instructions do it (exec_system.cpp).
    void tlbi_all();                                   // everything, every VMID
    void tlbi_vmid(uint16_t vmid);                     // VMALLS12E1 for a VMID
    void tlbi_ipa(uint64_t ipa);                       // IPAS2E1 (current VMID)
    void tlbi_va(uint64_t va, uint16_t asid, bool all_asid, bool el2);
    void flush_tlb();                                  // the software TLB only
    void flush_decoded();                              // IC IALLU

    // ---- Used by the instruction handlers
    // Memory access by virtual address for the current EL and regime. On a
    // fault the exception is taken, pc holds its vector, and they return
    // false: the handler returns pc.
    template <class T> bool load(uint64_t va, T& out);
    template <class T> bool store(uint64_t va, T val);
    bool load_slow(uint64_t va, unsigned size, uint64_t& out, bool unpriv = false);
    bool store_slow(uint64_t va, unsigned size, uint64_t val, bool unpriv = false);
    // Exclusives and atomics: translate for `write` (atomics translate as
    // stores), check alignment (size bytes, naturally aligned), raise the
    // abort on a fault. On success host points at RAM (or is nullptr for
    // MMIO: use PhysMem::read/write on paddr).
    bool atomic_address(uint64_t va, unsigned size, bool write, uint8_t*& host, uint64_t& paddr);
    // The exclusive monitor (LDXR/STXR): per PE, by physical address.
    uint64_t excl_addr = ~0ull;
    unsigned excl_size = 0;
    void clear_exclusive() { excl_addr = ~0ull; }

    // Translate va for `acc` at `el` in the current regime; pure (no
    // exception, no TLB fill). Used by AT, the debugger and the slow paths.
    Translation translate(uint64_t va, Access acc, unsigned el, bool unpriv = false);
    // Stage 2 alone (IPA -> PA) for the current VTTBR/VTCR; pure.
    Translation translate_s2(uint64_t ipa, Access acc, bool s1ptw = false);

    // Instruction fetch translation for the page of `va` (fetch_page()):
    // false = the instruction abort (or PC alignment fault) was taken and pc
    // holds its vector.
    bool fetch_translate(uint64_t va, uint64_t& paddr);

    // Exceptions (exception.cpp). Each takes the exception for the current
    // instruction at `pc` and returns the new pc (also stored in this->pc).
    // target_el 0 = route as the architecture says (EL1, or EL2 when the
    // PE is at EL2 or HCR_EL2.TGE is set); 1 or 2 = that level (traps to
    // EL2 controlled by HCR_EL2/CPTR_EL2/CNTHCTL_EL2/ICH_HCR_EL2).
    uint64_t take_sync(uint32_t ec, uint32_t iss, uint64_t pc, unsigned target_el,
                       uint64_t far = 0, bool far_valid = false, uint64_t hpfar_ipa = 0);
    uint64_t undefined(uint64_t pc);                    // EC 0x00, routed per TGE
    uint64_t data_abort(const Translation& t, uint64_t va, uint64_t pc, bool write,
                        unsigned size, bool sign_extend, uint8_t rt, bool sf, bool acq_rel);
    // FP/SIMD access check (CPACR_EL1.FPEN, CPTR_EL2.TFP): true = allowed;
    // false = the trap was taken and pc holds the vector.
    bool fp_enabled(uint64_t pc);

    // The instruction being executed (valid inside a handler).
    const Insn* cur = nullptr;
    // The load/store about to run reports its syndrome through these when
    // it aborts (ISV, SAS, SSE, SRT, SF, AR), set by the handler before the
    // access; cleared for accesses that have no valid syndrome (pairs,
    // writeback, SIMD).
    struct AccessSyndrome {
        bool valid = false;
        bool sign_extend = false;
        bool sf = false;
        bool acq_rel = false;
        uint8_t rt = 0;
    } syn;

    void end_block() { block_end_ = true; block_cap_ = 0; }
    // Recompute translation contexts after EL/regime/register changes
    // (inline below: exception entry and ERET run it every time).
    void update_context();
    // The bits of SCTLR_ELx (M, A, WXN) and HCR_EL2 (VM, PTW, DC, TGE) that
    // name a translation context, beside whole TCR/TTBR/MAIR/VTCR/VTTBR.
    static constexpr uint64_t kCtxSctlrBits = 1ull << 0 | 1ull << 1 | 1ull << 19;
    static constexpr uint64_t kCtxHcrBits = hcr::VM | hcr::PTW | hcr::DC | hcr::TGE;
    // Switch PSTATE.EL/SP (banks SP_ELx into x[kSp]).
    void set_el(unsigned el, bool sp_elx);

    // GIC CPU interface (gic_cpuif.cpp): ICC_*, ICV_* and ICH_* accesses.
    // false: `enc` is not a GIC register. `ok` false: UNDEFINED at that EL.
    // A trap to EL2 is the caller's business (HCR_EL2.IMO/FMO redirect
    // ICC_* to ICV_* at EL1 instead).
    bool gic_sysreg(uint32_t enc, bool write, uint64_t& value, unsigned el, bool& ok);
    // Interrupt lines as the CPU interface presents them to the PE: a
    // physical IRQ (highest pending vs PMR, running priority, IGRPEN1) and a
    // virtual IRQ (list registers vs ICH_VMCR, ICH_HCR_EL2.En). Recomputes
    // the maintenance interrupt line as a side effect.
    bool gic_irq_line();
    bool gic_virq_line();
    // The INTID an IRQ (group 1) or FIQ (group 0) exception is taken for,
    // physical or virtual: what the board trace reports.
    uint32_t gic_signalled_intid(bool virt, unsigned group);

    // Statistics
    uint64_t tlb_misses = 0, walks = 0;
    // The timing model's translation structures and counters (charged walks).
    isa::WalkCharger walker;
    // The cycles one executed instruction of `id` costs under the profile.
    uint8_t insn_cost(uint16_t id) const;

    // CodeObserver
    void code_page_marked(uint64_t page_paddr) override;
    void code_page_written(uint64_t page_paddr) override;

    TlbEntry tlb_r[kTlbSize], tlb_w[kTlbSize], tlb_x[kTlbSize];
    uint64_t data_ctx = 0, fetch_ctx = 0;

    // ---- arm-gic: GIC CPU interface access outcome (gic_cpuif.cpp)
    // What an MRS/MSR of a GIC register at `el` does. TrapEl2: the access
    // traps to EL2 with EC 0x18 (ICH_HCR_EL2.TC/TALL0/TALL1/TDIR, or
    // ICC_SGI*R_EL1 at EL1 with HCR_EL2.IMO/FMO set); nothing changed.
    // Undefined: no such access at that EL (wrong direction, EL0, ICH_* at
    // EL1, unimplemented APR). NotGic: `enc` is not a GIC register.
    // gic_sysreg() is this with TrapEl2 reported as ok = false.
    enum class GicAccess : uint8_t { NotGic, Done, Undefined, TrapEl2 };
    GicAccess gic_access(uint32_t enc, bool write, uint64_t& value, unsigned el);
    // The virtual FIQ line: Group 0 list registers (ICH_VMCR_EL2.VENG0).
    bool gic_vfiq_line();
    // ---- end arm-gic

    // ---- arm-sys: machine hooks, system register and timer helpers
    // (exception.cpp, sysreg*.cpp, exec_system.cpp, timer.cpp)
    // There is no EL3: an SMC that HCR_EL2.TSC does not trap goes to the
    // machine (PSCI firmware). true = served: execution resumes at pc + 4;
    // false, or no handler = UNDEFINED.
    class SmcHandler {
    public:
        virtual ~SmcHandler() = default;
        virtual bool smc(Pe& pe) = 0;
    };
    void set_smc_handler(SmcHandler* h) { smc_handler_ = h; }
    SmcHandler* smc_handler() const { return smc_handler_; }
    // Semihosting (HLT #0xF000): the operation is in W0, its block in X1.
    // true = served (result in X0), resumes at pc + 4; otherwise UNDEFINED.
    class SemihostHandler {
    public:
        virtual ~SemihostHandler() = default;
        virtual bool semihost(Pe& pe) = 0;
    };
    void set_semihost_handler(SemihostHandler* h) { semihost_handler_ = h; }
    SemihostHandler* semihost_handler() const { return semihost_handler_; }
    // MRS/MSR of `enc` at the current EL for the instruction at pc: the
    // access, or the trap/UNDEFINED exception. Returns the next pc.
    uint64_t sysreg_insn(uint32_t enc, bool write, uint8_t rt, uint64_t pc);
    // Re-evaluate the timer conditions and drive their PPIs on a change.
    void timer_sync() {
        // Every timer disabled and no line high: nothing can change (the
        // common case, asked at every guest entry).
        if (HV_LIKELY(gic_ && !timer_lines_ && !((sys.cntp_ctl | sys.cntv_ctl | sys.cnthp_ctl) & cnt::ENABLE))) return;
        timer_sync_slow();
    }
    void timer_sync_slow();
    // A timer's condition (ISTATUS): 0 CNTP, 1 CNTV, 2 CNTHP.
    bool timer_fired(unsigned which) const;
    // The EL an exception with target_el 0 goes to from the current EL.
    unsigned route_el(unsigned target_el) const;
    // Something would wake a WFI (pending regardless of PSTATE masks).
    bool wakeup_pending();
    // SP_ELn wherever it lives now (x[kSp] when it is the current SP).
    uint64_t& sp_el(unsigned n);
    // Generic timer registers by encoding (CNT*_EL0/EL2 in sysregs.hpp).
    uint64_t timer_reg(uint32_t enc) const;
    void set_timer_reg(uint32_t enc, uint64_t value);
    // The event register (SEV/SEVL set it, WFE consumes it).
    bool event_register = false;
    uint64_t exceptions_taken = 0;
    // Full-system tracing: exceptions to EL2 from EL1/EL0, ERETs below EL2, IRQ/FIQ.
    isa::HwTraceSink* hw_trace = nullptr;
    // ---- end arm-sys

    // ---- arm-mmu: address translation instructions, TLB maintenance,
    // walk statistics (mmu.cpp, mem_access.cpp)
    enum class AtOp : uint8_t { S1E1R, S1E1W, S1E0R, S1E0W, S12E1R, S12E1W, S12E0R, S12E0W, S1E2R, S1E2W };
    // AT <op>, <Xt> for the instruction at pc: writes PAR_EL1 (success or
    // fault format). false: the instruction took an exception instead (a
    // stage 2 fault on the stage 1 walk of AT S1E0* or S1E1* at EL1 is a
    // Data Abort to EL2); pc then holds the vector.
    bool at(AtOp op, uint64_t va);
    // TLBI ASIDE1: the non-global EL1&0 entries of `asid` (current VMID).
    void tlbi_asid(uint16_t asid);
    // Walk memory references per stage; `walks` counts translations that
    // made any. A 4-level stage 1 under a 4-level stage 2 makes 4 + 4 * 5
    // = 24 references, (n+1)(m+1)-1.
    uint64_t walk_refs_s1 = 0, walk_refs_s2 = 0;
    // The modelled TLB (timing only, walker.tlb): whether it holds the page
    // of va for the current context (counting the hit or miss; false when
    // not modelled), and filling it after a walk. A page it evicts leaves
    // the software TLB too, so a fast-path hit is always a modelled hit; a
    // TLBI empties both (the model does not track TLBI scopes).
    bool tlb_model_lookup(uint64_t va);
    void tlb_model_fill(uint64_t va);
    // update_context() must follow every change of EL or of SCTLR_EL1/EL2,
    // TCR_EL1/EL2, TTBR0_EL1/TTBR1_EL1/TTBR0_EL2, MAIR_EL1/EL2, HCR_EL2,
    // VTCR_EL2 or VTTBR_EL2: a context names the whole configuration, so
    // only page-table memory changes need TLBI.
    // ---- end arm-mmu

    // ---- arm-gaps: Inner Shareable broadcast of TLB and instruction cache
    // maintenance (mem_access.cpp, exec_system.cpp)
    // A TLB maintenance operation with its scope spelled out: the VMID and
    // ASID it names are the issuer's, whatever the receiving PE runs now.
    struct TlbiOp {
        enum Kind : uint8_t {
            Vmid,     // VMALLE1, VMALLS12E1: EL1&0 entries of vmid
            Va,       // VAE1, VALE1 (asid; global entries too), VAAE1, VAALE1 (all_asid)
            Asid,     // ASIDE1: non-global EL1&0 entries of asid
            Ipa,      // IPAS2E1, IPAS2LE1: stage 2 entries of vmid for addr
            AllEl1,   // ALLE1: EL1&0 entries of every VMID
            AllEl2,   // ALLE2: EL2 entries
            VaEl2,    // VAE2, VALE2
        };
        Kind kind = AllEl1;
        uint64_t addr = 0;          // VA (Va, VaEl2) or IPA (Ipa)
        uint16_t asid = 0, vmid = 0;
        bool all_asid = false;
    };
    // The PEs an Inner Shareable operation reaches (this one among them),
    // owned by the machine; nullptr: this PE alone. The machine runs one PE
    // at a time, so a broadcast is complete before any other PE executes
    // its next instruction (what the issuer's DSB ISH waits for).
    void set_shareable_domain(const std::vector<Pe*>* pes) { domain_ = pes; }
    const std::vector<Pe*>* shareable_domain() const { return domain_; }
    // op on this PE, or on every PE of the domain when broadcast.
    void tlbi(const TlbiOp& op, bool broadcast);
    // IC IALLU / IALLUIS: the decoded pages of this PE or of the domain.
    void ic_iallu(bool broadcast);
    // ---- end arm-gaps

private:
    // ---- arm-gaps
    void tlbi_local(const TlbiOp& op);
    const std::vector<Pe*>* domain_ = nullptr;
    // ---- end arm-gaps
    // ---- arm-mmu: translation contexts and TLB entry tags (mem_access.cpp)
    struct MmuCtx {                     // what TLBI matches a context against
        bool el2 = false;               // the EL2 regime
        bool s2 = false;                // stage 2 enabled
        uint16_t asid = 0, vmid = 0;
    };
    using MmuCtxKey = std::array<uint64_t, 9>;
    struct MmuCtxKeyHash {
        size_t operator()(const MmuCtxKey& k) const noexcept;
    };
    std::vector<MmuCtx> mmu_ctx_;       // by context id (ctx >> 2)
    std::unordered_map<MmuCtxKey, uint32_t, MmuCtxKeyHash> mmu_ctx_ids_;
    // The last context found per regime (EL1&0, EL2): ERET and exception
    // entry flip between two contexts, which then need no hash lookup.
    struct LastMmuCtx { MmuCtxKey key{}; uint32_t id = ~0u; } mmu_ctx_last_[2];
    struct TlbTag {                     // per TLB entry, beside tlb_r/w/x
        uint8_t leaf_shift = 12;        // the entry covers a 2^leaf_shift leaf
        bool global = false;
        bool wild = true;               // unknown: every TLBI of its context drops it
    };
    TlbTag tlb_tag_[3][kTlbSize];
    struct LastWalk {                   // the slow paths' last successful walk, for fill_tlb
        uint64_t vpn = ~0ull;
        uint8_t leaf_shift = 12;
        bool global = false;
    } last_walk_;
    uint64_t mmu_ctx_of(unsigned el);
    MmuCtxKey mmu_ctx_key(unsigned el) const;   // the register values that name the context
    uint64_t mmu_ctx_intern(unsigned el);       // mmu_ctx_of() when it is not the last one found
    template <class Pred> void tlb_drop_where(Pred pred);
    // ---- end arm-mmu
    // ---- arm-sys: exception entry and hooks
    uint64_t enter_exception(unsigned target, unsigned type, uint64_t elr);
    uint64_t& sp_bank(unsigned el, bool spx);   // the stored copy
    SmcHandler* smc_handler_ = nullptr;
    SemihostHandler* semihost_handler_ = nullptr;
    uint8_t timer_lines_ = 0;           // PPI levels last driven (bit per timer)
    // ---- end arm-sys
    friend struct PeInternals;          // exception/sysreg/timer/gic code reaches the state below
    // ---- arm-gic: CPU interface internals (gic_cpuif.cpp)
    friend class GicCpuif;
    bool gic_maint_level_ = false;      // level last driven on the maintenance PPI
    // ---- end arm-gic
    bool fill_tlb(uint64_t va, Access acc, const Translation& t);
    bool fetch_page();                  // refill fetch_vbase_/fetch_slots_
    bool fetch_page_slow();
    DecodedPage* decoded_page(uint64_t ppage);
    void drop_decoded(uint64_t ppage);
    void check_interrupts();            // IRQ/FIQ/virtual interrupts and timers
    uint64_t next_timer_deadline() const {
        if (!((sys.cntp_ctl | sys.cntv_ctl | sys.cnthp_ctl) & cnt::ENABLE)) return ~0ull;   // no timer enabled
        return next_timer_deadline_slow();
    }
    uint64_t next_timer_deadline_slow() const;

    isa::PhysMem& mem_;
    PeConfig cfg_;
    GicCpuPort* gic_ = nullptr;
    uint64_t icount_ = 0, extra_cycles_ = 0;
    uint64_t in_block_ = 0;
    uint64_t insn_cycles_ = 0;                   // class costs of past blocks
    std::vector<uint8_t> cost_by_class_;         // by Cls; at least 1 each
    uint32_t redirect_penalty_ = 0;              // branch_taken - branch_not_taken
    uint64_t redirect_word_ = 0;                 // the same in the run loop's packed count
    bool unit_costs_ = true;                     // every class costs 1, no redirect: the untimed loop
    template <bool kTimed> uint64_t run_block(uint64_t& pc_io);
    bool block_end_ = false;
    uint64_t block_cap_ = 0;            // the run loop's limit on its packed count; end_block() zeroes it
    bool stop_requested_ = false;
    bool trapped_ = false;              // hosted: an exception to EL2 was taken in this run
    bool wfi_ = false;
    bool irq_masked_ = false;
    bool irq_dirty_ = true;
    bool free_entry_ = false, free_return_ = false;
    uint64_t fetch_vbase_ = 1;
    Insn* fetch_slots_ = nullptr;
    std::unordered_map<uint64_t, std::unique_ptr<DecodedPage>> decoded_;
    std::vector<std::unique_ptr<DecodedPage>> retired_pages_;
};

// ---- fast paths -----------------------------------------------------------

// A context is named by the exact values of the registers its regime's
// translations depend on (mem_access.cpp interns them).
inline Pe::MmuCtxKey Pe::mmu_ctx_key(unsigned at_el) const {
    const SysRegs& s = sys;
    if (at_el == 2) return {1, s.sctlr_el2 & kCtxSctlrBits, s.tcr_el2, s.ttbr0_el2, s.mair_el2, 0, 0, 0, 0};
    return {0, s.sctlr_el1 & kCtxSctlrBits, s.tcr_el1, s.ttbr0_el1, s.ttbr1_el1, s.mair_el1,
            s.hcr_el2 & kCtxHcrBits, s.vtcr_el2, s.vttbr_el2};
}

// ERET and exception entry flip between the same two contexts: those are
// found by comparing the registers with the last key of the regime, word
// by word in registers (one regime per branch), before any hashing.
// Each regime's slot only ever holds that regime's keys, so word 0 (the
// regime) and the words an EL2 key leaves zero need no compare.
inline uint64_t Pe::mmu_ctx_of(unsigned at_el) {
    auto last_is = [](const MmuCtxKey& key, const LastMmuCtx& last, size_t words) {
        bool same = last.id != ~0u;
        for (size_t k = 1; k < words; ++k) same = same && last.key[k] == key[k];
        return same;
    };
    if (at_el == 2) {
        if (HV_LIKELY(last_is(mmu_ctx_key(2), mmu_ctx_last_[1], 5))) return (uint64_t{mmu_ctx_last_[1].id} << 2) | 2;
    } else {
        if (HV_LIKELY(last_is(mmu_ctx_key(at_el), mmu_ctx_last_[0], 9))) return (uint64_t{mmu_ctx_last_[0].id} << 2) | at_el;
    }
    return mmu_ctx_intern(at_el);
}

inline void Pe::update_context() {
    const uint64_t ctx = mmu_ctx_of(el());
    if (ctx != data_ctx || ctx != fetch_ctx) {
        data_ctx = fetch_ctx = ctx;
        end_block();   // the run loop's current code page may translate differently now
    }
}

inline unsigned tlb_index(uint64_t va) { return (va >> 12) & (Pe::kTlbSize - 1); }

// TLB entries are only filled for Normal memory where unaligned access is
// permitted (SCTLR_ELx.A = 0), so the fast path needs no alignment check.
template <class T> inline bool Pe::load(uint64_t va, T& out) {
    const TlbEntry& e = tlb_r[tlb_index(va)];
    if (HV_LIKELY(e.vpn == (va >> 12) && e.ctx == data_ctx && ((va & 0xfff) + sizeof(T)) <= 0x1000)) {
        std::memcpy(&out, reinterpret_cast<const void*>(va + e.addend), sizeof(T));
        return true;
    }
    uint64_t val;
    if (!load_slow(va, sizeof(T), val)) return false;
    out = static_cast<T>(val);
    return true;
}

template <class T> inline bool Pe::store(uint64_t va, T val) {
    const TlbEntry& e = tlb_w[tlb_index(va)];
    if (HV_LIKELY(e.vpn == (va >> 12) && e.ctx == data_ctx && ((va & 0xfff) + sizeof(T)) <= 0x1000)) {
        std::memcpy(reinterpret_cast<void*>(va + e.addend), &val, sizeof(T));
        return true;
    }
    return store_slow(va, sizeof(T), static_cast<uint64_t>(val));
}

// Handlers are declared from the instruction tables:
//     A64_OP(add_imm) { h.x[i.rd] = h.x[i.rn] + i.imm; return NEXT; }
// A handler that takes an exception returns what the raising call returns.
#define A64_OP(id) uint64_t op_##id(Pe& h, const Insn& i, uint64_t pc)
#undef NEXT   // the other architecture's handler macro, in a file that includes both
#define NEXT (pc + 4)
#define A64_INSN(id, ...) uint64_t op_##id(Pe&, const Insn&, uint64_t);
#include "isa/arm64/insn_tables.def"
#undef A64_INSN
uint64_t op_undefined(Pe&, const Insn&, uint64_t pc);
uint64_t op_decode_slot(Pe&, const Insn&, uint64_t pc);   // lazily decodes the slot, then runs it
// A load/store with SP as its base: the SP alignment check (SCTLR_ELx.SA/SA0), then the
// instruction's own handler (sp_align.cpp). The decoder installs it.
uint64_t op_sp_checked(Pe&, const Insn&, uint64_t pc);

} // namespace hvemu::arm
