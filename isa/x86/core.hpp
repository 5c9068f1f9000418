// The x86-64 core: real mode, protected mode and IA-32e mode with the
// segmentation they need, 32-bit, PAE and 4-level paging, exceptions and
// interrupts through the IDT, and VMX (VMXON, VMCS, VM entry with the SDM's
// checks, VM exits, EPT, VPID).
//
// It runs in two modes over the same code:
//  - full-system: VM exits load the VMCS host state and continue at
//    HOST_RIP in emulated root-mode code;
//  - hosted (CoreConfig::hosted): root mode is the C++ caller. The vCPU
//    calls vmxon()/vmptrld()/vmwrite()/vmlaunch() as host code would
//    execute those instructions; run() executes the guest in VMX non-root
//    operation and returns StopReason::VmExit on a VM exit, with the exit
//    reason, qualification, guest-linear and guest-physical address,
//    instruction length and information written to the current VMCS.
//
// Ownership inside isa/x86 (see each block):
//   x86-core: the run loop, fetch/predecode, the decoder and the
//             general-purpose/string/SSE-move/x87-state handlers
//             (core.cpp, decoder.cpp, insn_*.def, exec_*.cpp);
//   x86-sys:  modes, segmentation, descriptor tables, exceptions and
//             interrupts, control/debug registers, MSRs, CPUID, TSC,
//             port I/O, HLT, paging and the TLB (system.cpp, segment.cpp,
//             exception.cpp, msr.cpp, cpuid.cpp, mmu.cpp, mem_access.cpp);
//   x86-vmx:  VMX instructions, the VMCS, entry checks, exits, EPT, VPID,
//             event injection, interrupt/NMI windows, the preemption timer
//             (vmx*.cpp, vmcs*.{hpp,cpp}, ept.cpp).
// Each owner keeps its members in its own commented block of this header.
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
#include "isa/x86/sys_state.hpp"

#ifndef HV_LIKELY
#define HV_LIKELY(x) __builtin_expect(!!(x), 1)
#define HV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#endif

namespace hvemu::x86 {

// Port I/O and interrupt acknowledge go to the platform (machine or vCPU).
class IoBus {
public:
    virtual ~IoBus() = default;
    // false: nothing at that port (reads then return all ones, as a PC does)
    virtual bool io_read(uint16_t port, unsigned width, uint32_t& value) = 0;
    virtual bool io_write(uint16_t port, unsigned width, uint32_t value) = 0;
};

// The local APIC as the core sees it: the highest-priority deliverable
// interrupt, its acknowledge, and the APIC's MSRs (the x2APIC range and
// IA32_TSC_DEADLINE). The LAPIC device implements this; the core calls it
// at instruction boundaries.
class InterruptController {
public:
    virtual ~InterruptController() = default;
    virtual bool has_interrupt() = 0;             // an interrupt is ready (IRR above PPR)
    virtual uint8_t acknowledge() = 0;            // INTA: IRR -> ISR, returns the vector
    virtual bool x2apic_rdmsr(uint32_t msr, uint64_t& value) = 0;
    virtual bool x2apic_wrmsr(uint32_t msr, uint64_t value) = 0;
    // MOV CR8 reaches the TPR (CR8[3:0] = TPR[7:4]). false: no TPR here,
    // the core keeps CR8 itself.
    virtual bool tpr_read(uint8_t& tpr) { (void)tpr; return false; }
    virtual bool tpr_write(uint8_t tpr) { (void)tpr; return false; }
    // Core cycles to the next timer event (~0: none); the run loop ends a
    // block there so that the interrupt is taken at the first boundary.
    virtual uint64_t cycles_to_event() { return ~0ull; }
};

struct CoreConfig {
    uint32_t apic_id = 0;
    bool bsp = true;                  // the bootstrap processor (IA32_APIC_BASE.BSP)
    bool hosted = false;
    unsigned phys_addr_bits = 39;     // CPUID 0x80000008 EAX[7:0]
    isa::Clocking clock{};            // the TSC counts core cycles
    isa::CycleCosts costs{};
};

enum class StopReason : uint8_t {
    Budget,      // the instruction budget of run() is used up
    VmExit,      // hosted: a VM exit happened; the current VMCS says why
    Halt,        // HLT with nothing to wake it (or wait-for-SIPI)
    Requested,   // request_stop()
    Shutdown,    // a triple fault in root mode (or outside VMX): the machine resets
};

enum class Access : uint8_t { Read = 0, Write = 1, Exec = 2 };

// A linear -> physical translation (paging, and EPT for a guest), or the
// fault to raise.
struct Translation {
    uint64_t paddr = 0;
    uint8_t vector = 0xff;       // 0xff: ok; 14 (#PF) or the EPT outcome below
    uint32_t error_code = 0;     // #PF error code
    bool ept_violation = false;  // non-root: EPT violation (exit 48)
    bool ept_misconfig = false;  // non-root: EPT misconfiguration (exit 49)
    uint64_t gpa = 0;            // guest-physical address of an EPT fault
    uint64_t ept_qual = 0;       // exit qualification of an EPT violation
    bool ok() const { return vector == 0xff && !ept_violation && !ept_misconfig; }
};

struct TlbEntry {
    uint64_t vpn = ~0ull;
    uint64_t ctx = ~0ull;
    uintptr_t addend = 0;        // host = linear + addend (RAM pages only)
    uint64_t ppage = 0;
    void* code = nullptr;        // fetch TLB: the decoded page
};

struct DecodedPage;
struct Insn;
struct Vmcs;

// RFLAGS bits
namespace rflags {
constexpr uint64_t CF = 1u << 0, PF = 1u << 2, AF = 1u << 4, ZF = 1u << 6, SF = 1u << 7, TF = 1u << 8;
constexpr uint64_t IF = 1u << 9, DF = 1u << 10, OF = 1u << 11, IOPL = 3u << 12, NT = 1u << 14, RF = 1u << 16;
constexpr uint64_t VM = 1u << 17, AC = 1u << 18, VIF = 1u << 19, VIP = 1u << 20, ID = 1u << 21;
constexpr uint64_t FIXED1 = 1u << 1;
// The status flags (arithmetic results; VMsucceed and VMfail clear them).
constexpr uint64_t STATUS = CF | PF | AF | ZF | SF | OF;
} // namespace rflags

// The system state a VMCS holds (SysState) is a base: c.cr0, c.seg[CS] and
// the rest read as members, and the VMX transitions copy it as one block.
class Core final : public SysState, public isa::CodeObserver {
public:
    static constexpr unsigned kTlbSize = 256;

    Core(isa::PhysMem& mem, const CoreConfig& cfg);
    ~Core() override;
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    // ---- Architectural state (public: handlers, tests, debuggers use it)
    // gpr: RAX RCX RDX RBX RSP RBP RSI RDI R8-R15 in encoding order.
    uint64_t gpr[16] = {};
    uint64_t rip = 0;
    uint64_t rflags = rflags::FIXED1;
    // seg, ldtr, tr, gdtr, idtr, cr0, cr3, cr4, efer, pat, sysenter_*: SysState
    uint64_t cr2 = 0, cr8 = 0;
    uint64_t dr[8] = {0, 0, 0, 0, 0, 0, 0xffff0ff0, 0x400};
    uint64_t xcr0 = 1;
    // SSE and x87 state (FXSAVE/FXRSTOR image fields)
    alignas(16) uint8_t xmm[16][16] = {};
    uint32_t mxcsr = 0x1f80;
    uint16_t fcw = 0x37f, fsw = 0, ftw = 0;   // ftw: the abridged tag (bit k: physical register k in use)
    uint8_t st[8][10] = {};                   // st[i] = ST(i), relative to FSW.TOP
    // The last non-control x87 instruction (FNSTENV/FNSAVE/FXSAVE): its
    // CS:offset, data segment:offset and opcode (11 bits).
    uint64_t fip = 0, fdp = 0;
    uint16_t fcs = 0, fds = 0, fop = 0;
    uint8_t cpl = 0;
    bool halted = false;          // HLT (or wait-for-SIPI when waiting_sipi)
    bool waiting_sipi = false;    // an AP after INIT

    const CoreConfig& config() const { return cfg_; }
    isa::PhysMem& mem() { return mem_; }

    // ---- Platform wiring (not owned)
    void attach_io(IoBus* io) { io_ = io; }
    void attach_apic(InterruptController* apic) { apic_ = apic; }
    IoBus* io() const { return io_; }
    InterruptController* apic() const { return apic_; }
    // Level of the INTR and NMI pins (an NMI is taken on the rising edge).
    void set_intr(bool level) { intr_ = level; end_block(); }
    void raise_nmi() { nmi_pending_ = true; end_block(); }
    void deliver_init();                 // INIT IPI
    void deliver_sipi(uint8_t vector);   // Startup IPI

    // ---- Running
    StopReason run(uint64_t max_insns);
    void request_stop() { stop_requested_ = true; block_end_ = true; }
    void end_block() { block_end_ = true; }
    void reset();                         // power-on: real mode at F000:FFF0
    void set_interrupts_masked(bool m) { irq_masked_ = m; }   // debugger single-step

    // ---- Counters and time
    // Cycles: the instruction classes' costs (fixed when a slot is decoded,
    // summed by the run loop), plus everything charged by add_cycles (traps,
    // page walks, VM transitions). Inside a block the loop publishes both in
    // in_block_: cycles in the high half, instructions in the low half.
    uint64_t icount() const { return icount_ + (in_block_ & 0xffffffffu); }
    uint64_t cycles() const { return insn_cycles_ + (in_block_ >> 32) + extra_cycles_; }
    void add_cycles(uint64_t c) { extra_cycles_ += c; }
    uint64_t tsc() const;                 // cycles + IA32_TSC adjustments (and the VMCS offset in non-root)

    // ---- Used by the instruction handlers
    // Memory access by effective address in segment `s` (segmentation,
    // paging, EPT applied). On a fault the exception (or VM exit) is taken
    // and they return false: the handler returns rip.
    template <class T> bool load(SegReg s, uint64_t ea, T& out);
    template <class T> bool store(SegReg s, uint64_t ea, T val);
    bool load_slow(SegReg s, uint64_t ea, unsigned size, uint64_t& out);
    bool store_slow(SegReg s, uint64_t ea, unsigned size, uint64_t val);
    // Linear -> physical for `acc` at the current CPL; pure.
    Translation translate(uint64_t linear, Access acc, bool user);
    // Raise an exception for the current instruction (rip = its address):
    // delivers through the IDT (or causes a VM exit per the exception
    // bitmap in non-root), handles double and triple faults. Returns the
    // new rip.
    uint64_t raise(uint8_t vector, bool has_error = false, uint32_t error = 0);
    uint64_t raise_ud() { return raise(6); }
    uint64_t raise_gp(uint32_t error = 0) { return raise(13, true, error); }

    // The instruction being executed.
    const Insn* cur = nullptr;

    // Mode helpers
    bool long_mode() const { return (efer & (1u << 10)) != 0; }           // EFER.LMA
    bool protected_mode() const { return (cr0 & 1) != 0; }
    bool code64() const { return long_mode() && (seg[CS].attr & (1u << 13)); }
    void update_context();               // after CR0/CR3/CR4/EFER/CPL/VMX transitions
    // The contexts of the CPL and tlb_tag (update_context without the
    // paging-configuration check, for a change of neither configuration nor tag).
    void set_ctx() { data_ctx = fetch_ctx = (cpl == 3 ? 1u : 0u) | (tlb_tag << 1); }
    void flush_tlb(bool keep_global = false);
    void flush_decoded();

    // Statistics
    uint64_t tlb_misses = 0, walks = 0;

    // CodeObserver
    void code_page_marked(uint64_t page_paddr) override;
    void code_page_written(uint64_t page_paddr) override;

    TlbEntry tlb_r[kTlbSize], tlb_w[kTlbSize], tlb_x[kTlbSize];
    uint64_t data_ctx = 0, fetch_ctx = 0;

    // ---- x86-core block
    // Predecoded code (core.cpp): decoded pages are keyed by physical page
    // and decode mode; stores to a code page drop its decoded copies. The
    // memory fast paths load<T>/store<T> and the handler helpers are in
    // exec.hpp (handlers include it).
    uint64_t decoded_pages() const { return decoded_.size(); }

    // ---- x86-sys block
    // A triple fault outside VMX non-root operation sets `shutdown`; the run
    // loop then returns StopReason::Shutdown.
    bool shutdown = false;
    // MSR state (msr.cpp); tsc() = cycles() + tsc_offset (IA32_TSC writes).
    // apic_base: IA32_APIC_BASE without BSP (from CoreConfig::bsp).
    uint64_t star = 0, lstar = 0, cstar = 0, sfmask = 0, kernel_gs_base = 0;
    uint64_t tsc_offset = 0, tsc_adjust = 0, tsc_aux = 0, apic_base = 0xfee00800;
    uint64_t mtrr_def_type = 0, mtrr_fixed[11] = {}, mtrr_var[16] = {};
    uint64_t feature_control = 0, misc_enable = 1;
    uint64_t exceptions_taken = 0;
    // Full-system tracing: VM exits, VM entries, external interrupts delivered.
    isa::HwTraceSink* hw_trace = nullptr;
    // Extra TLB context bits (x86-vmx: VPID/EPT identity in non-root);
    // call update_context() after changing it.
    uint64_t tlb_tag = 0;
    // PAE paging: the four PDPTEs, loaded from CR3 by MOV CR3/CR0/CR4 (and
    // by VM entry from the VMCS with EPT).
    uint64_t pdpte[4] = {};
    bool load_pdptes();                          // false: a reserved bit is set
    // translate() without side effects (no A/D updates): debuggers.
    Translation probe(uint64_t linear, Access acc, bool user);

    // Interrupts at instruction boundaries (exception.cpp). The run loop
    // calls check_interrupts() before each block (it delivers a pending
    // NMI/INTR/INIT, or ends HLT) and caps the block at irq_window_insns()
    // instructions (1 while an STI/MOV SS shadow holds an interrupt back).
    void check_interrupts() {
        if (irq_masked_) return;
        // Non-root with external-interrupt exiting and no timer or window
        // to look at: nothing acts unless an event is pending (the APIC is
        // asked first either way, once).
        if (vmx_events_only_ && !nmi_pending_ && !init_pending_ && !intr_ && !(apic_ && apic_->has_interrupt()))
            return;
        check_pending_events();
    }
    bool wakeup_pending();                       // would end HLT now
    uint64_t irq_window_insns() const {
        if (shadow_until_ > icount()) return shadow_until_ - icount();
        // The block ends by the APIC's next timer event (every instruction
        // costs a cycle or more), so that its interrupt is taken at the
        // first boundary at or after it.
        return apic_ ? apic_->cycles_to_event() : ~0ull;
    }
    void set_interrupt_shadow();                 // STI (IF 0 -> 1), MOV SS, POP SS
    bool interrupt_shadow() const { return shadow_until_ > icount(); }
    bool nmi_blocked = false;                    // NMI delivered, no IRET yet
    // Event delivery through the IVT/IDT (also VM-entry event injection).
    // ret_rip is what the frame saves (the faulting instruction for a
    // fault, the next one for a trap/INT n). Returns the new rip.
    enum class EventKind : uint8_t { Exception, External, Nmi, SoftInt, SoftException, PrivSoftException };
    uint64_t deliver_event(uint8_t vector, EventKind kind, bool has_error, uint32_t error, uint64_t ret_rip);
    // A failed translate(): CR2 and #PF (or the EPT VM exit). New rip.
    uint64_t raise_translation_fault(const Translation& t, uint64_t linear);
    uint64_t triple_fault();                     // Shutdown (x86-vmx: the exit in non-root)
    void reset_sys();                            // power-on values of the state above (reset() calls it)
    // The vector the INTR pin delivers when no InterruptController answers
    // (the 8259's INTA reply; the platform sets it with set_intr).
    uint8_t intr_vector = 0x20;

    // Segmentation (segment.cpp). All return false / the new rip after
    // taking the exception (#GP/#SS/#NP/#TS with the selector error code).
    bool load_segment(SegReg s, uint16_t sel);   // MOV/POP Sreg, LxS
    bool seg_linear(SegReg s, uint64_t ea, unsigned size, Access acc, uint64_t& linear);
    uint64_t far_jump(uint16_t sel, uint64_t offset, uint64_t next);
    uint64_t far_call(uint16_t sel, uint64_t offset, unsigned opsize, uint64_t next);
    uint64_t far_ret(unsigned opsize, uint16_t imm);
    uint64_t iret(unsigned opsize);
    bool lldt(uint16_t sel);
    bool ltr(uint16_t sel);
    unsigned stack_addr_size() const;            // 2, 4 or 8 (SS.B, 64-bit mode)
    bool push_sys(uint64_t v, unsigned size);    // on SS:RSP, exceptions raised
    bool pop_sys(uint64_t& v, unsigned size);

    // Control and debug registers (system.cpp): MOV CRn/DRn with their
    // checks. false: the exception (#GP/#UD) was raised.
    bool write_cr(unsigned n, uint64_t v);
    bool read_cr(unsigned n, uint64_t& v);
    bool write_dr(unsigned n, uint64_t v);
    bool read_dr(unsigned n, uint64_t& v);
    bool set_efer(uint64_t v);                   // WRMSR EFER rules; false: reserved/illegal
    // MSRs (msr.cpp): false = no such MSR or a reserved value (#GP is the
    // caller's). Non-root bitmaps are the caller's too.
    bool rdmsr(uint32_t msr, uint64_t& v);
    bool wrmsr(uint32_t msr, uint64_t v);
    // CPUID (cpuid.cpp): exactly what this core implements.
    void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
    // Port I/O (system.cpp): CPL > IOPL (or VM86) consults the TSS I/O
    // bitmap; false: #GP(0) was raised.
    bool io_permitted(uint16_t port, unsigned width);
    uint32_t port_in(uint16_t port, unsigned width);
    void port_out(uint16_t port, unsigned width, uint32_t value);
    // System memory access by linear address (descriptor tables, TSS, page
    // walks use physical): supervisor, no fault raised; false on a fault
    // with `fault` filled (CR2 untouched).
    bool read_linear(uint64_t linear, unsigned size, uint64_t& v, bool user, Translation& fault);
    bool write_linear(uint64_t linear, unsigned size, uint64_t v, bool user, Translation& fault);
    void invlpg(uint64_t linear);
    // Cache a successful translation of the page of `linear` in tlb_r/w/x
    // (RAM only; never writable for code pages); tagged with the last walk.
    bool fill_tlb(uint64_t linear, Access acc, const Translation& t);

    // ---- x86-vmx block
    // VMX (vmx*.cpp, vmcs.cpp, ept.cpp). Outcome of a VMX instruction:
    // VMsucceed, VMfailInvalid, VMfailValid (error in VM_INSTRUCTION_ERROR),
    // a VM-entry failure (a VM exit with reason bit 31: the host state is
    // loaded), or the fault the instruction raised in root operation.
    enum class VmxStatus : uint8_t { Succeed, FailInvalid, FailValid, EntryFailed, Ud, Gp };
    bool in_vmx() const { return vmx_on_; }
    bool in_non_root() const { return non_root_; }
    // Host-mode API: the VMX instructions as root-mode code at CPL 0 executes
    // them (the checks use this core's CR0/CR4/EFER/CS). vmlaunch/vmresume
    // return Succeed when the guest was entered: run() then executes it and
    // (hosted) returns StopReason::VmExit on its VM exit. No rip advance.
    VmxStatus vmxon(uint64_t pa);
    VmxStatus vmxoff();
    VmxStatus vmclear(uint64_t pa);
    VmxStatus vmptrld(uint64_t pa);
    uint64_t vmptrst() const { return current_vmcs_pa_; }
    VmxStatus vmread(uint64_t field, uint64_t& value);
    VmxStatus vmwrite(uint64_t field, uint64_t value);
    // Host code in C++ issuing VMREADs/VMWRITEs: the current VMCS when those
    // instructions' #UD/#GP/VMfailInvalid checks pass, else null (no side
    // effect). vmcs_read/vmcs_write (vmcs.hpp) then do the rest of each
    // instruction (the caller clears RFLAGS as VMsucceed does) without
    // re-deriving the mode.
    Vmcs* host_vmcs() { return host_pending_ ? host_pending_ : host_vmcs_checked(); }
    // Hosted: a VM exit whose host has no emulated code to run (the VMM is
    // C++) loads the host's RIP, RSP, RFLAGS and CPL but leaves the guest's
    // SysState in the core, owing that part of the load of host state (SDM
    // 27.5) and the TLB-context switch; a VMRESUME of the same VMCS with
    // nothing changed that the loads read then loads no SysState either
    // (vm_entry). Whatever looks at the rest of root-mode state first
    // settles: run(), the VMX instructions but VMREAD/VMWRITE (whose checks
    // the owed host state is known to pass), RDMSR/WRMSR, CPUID. Code
    // reading the SysState members of a hosted core between a VM exit and
    // the next entry calls settle_host() first.
    void settle_host() {
        if (HV_UNLIKELY(host_pending_ != nullptr)) settle_host_now();
    }
    bool host_pending() const { return host_pending_ != nullptr; }
    VmxStatus vmlaunch() { return vm_entry(true); }
    VmxStatus vmresume() { return vm_entry(false); }
    VmxStatus invept(uint64_t type, uint64_t eptp);
    VmxStatus invvpid(uint64_t type, uint16_t vpid, uint64_t linear);
    uint32_t vm_instruction_error() const;
    // VMsucceed / VMfail(error): FailValid, or FailInvalid without a
    // current VMCS; RFLAGS as the SDM says. vmxon_check: the #UD/#GP
    // conditions of VMXON outside VMX operation (Succeed: none).
    VmxStatus vmx_succeed();
    VmxStatus vmx_fail(uint32_t error);
    VmxStatus vmxon_check() const;
    // IA32_VMX_* capability MSRs (0x480-0x491); false: not one of them.
    bool vmx_rdmsr(uint32_t msr, uint64_t& v) const;

    // Non-root intercepts, called by the other handlers when in_non_root():
    // each returns true when it took a VM exit (the handler then returns
    // c.rip: HOST_RIP, or in hosted mode the run loop stops with
    // StopReason::VmExit via take_vmexit()). rip must be the instruction's
    // address and `cur` the instruction (its length goes into the exit).
    // Exceptions: called by raise()/deliver_event for vectors 0-31 (type is
    // the VMX interruption type: 3 hardware, 5 INT1, 6 INT3/INTO; NMI 2 via
    // intercept_nmi). qual: #PF linear address, #DB DR6-style bits.
    bool intercept_exception(uint8_t vector, bool has_error, uint32_t error, uint64_t qual = 0, uint8_t type = 3);
    bool intercept_triple_fault();
    bool intercept_init();                       // INIT in non-root always exits
    bool intercept_sipi(uint8_t vector);         // SIPI in wait-for-SIPI activity state
    // Pending events before each block: NMI/INTR (external-interrupt and
    // NMI exiting, ack on exit via the APIC), interrupt/NMI windows, the
    // preemption timer. True: a VM exit was taken. check_interrupts() calls
    // it first when in_non_root().
    bool vmx_check_events();
    bool vmx_events_armed() const { return (vmx_armed_pin_ | vmx_armed_proc_) != 0; }
    bool intercept_cpuid();
    bool intercept_hlt();
    bool intercept_invd();
    bool intercept_wbinvd();
    bool intercept_pause();
    bool intercept_invlpg(uint64_t linear);
    bool intercept_rdtsc(bool rdtscp);
    bool intercept_rdpmc();
    bool intercept_xsetbv();
    // MOV to/from CR0/3/4/8 (reg = register number), CLTS, LMSW (source
    // value; mem: memory operand at `linear`).
    bool intercept_cr_write(unsigned cr, unsigned reg, uint64_t value);
    bool intercept_cr_read(unsigned cr, unsigned reg);
    bool intercept_clts();
    bool intercept_lmsw(uint16_t value, bool mem, uint64_t linear);
    // What a guest reads from CR0/CR4 (host-owned bits from the read
    // shadows), and the value a non-exiting write leaves (host-owned bits
    // unchanged). Identity outside non-root.
    uint64_t vmx_cr_read_value(unsigned cr, uint64_t actual) const;
    uint64_t vmx_cr_write_value(unsigned cr, uint64_t old, uint64_t value) const;
    bool intercept_dr(bool write, unsigned n, unsigned reg);
    // IN/OUT/INS/OUTS: size 1/2/4; imm: port from an immediate; for string
    // forms `linear` is the memory operand's linear address, addr_size
    // 2/4/8 and seg the segment of OUTS.
    bool intercept_io(uint16_t port, unsigned size, bool in, bool string, bool rep, bool imm,
                      uint64_t linear = 0, unsigned addr_size = 8, SegReg seg = DS);
    bool intercept_msr(uint32_t msr, bool write);
    // TSC as the guest sees it: the VMCS TSC offset in non-root.
    uint64_t vmx_tsc_offset() const;
    // EPT: guest-physical -> host-physical for `acc` (translate() calls it
    // in non-root with EPT, for each guest paging-structure access with
    // final=false, and for the final address). linear_valid/linear fill
    // the qualification. On failure t.ept_violation/ept_misconfig, t.gpa
    // and t.ept_qual are set.
    bool ept_active() const { return non_root_ && ept_on_; }
    Translation ept_translate(uint64_t gpa, Access acc, bool linear_valid, uint64_t linear, bool final_access,
                             bool user = false);
    // Take the EPT VM exit (48/49) of a failed translation.
    void ept_exit(const Translation& t, uint64_t linear, bool linear_valid);
    // Hosted: a VM exit happened since the last call (run() returns VmExit).
    bool take_vmexit() { bool v = vmexit_stop_; vmexit_stop_ = false; return v; }
    // Generic VM exit (tests, and the intercepts above).
    void vm_exit(uint32_t reason, uint64_t qual = 0, uint32_t insn_len = 0, uint32_t insn_info = 0);
    // IDT-vectoring: set while an event is delivered through the IDT in
    // non-root (interruption-information layout, bit 31 valid); a VM exit
    // during the delivery reports it. deliver_event sets and clears it.
    uint32_t vmx_vectoring = 0, vmx_vectoring_error = 0;
    struct VmxState;
    struct VmxStateDeleter { void operator()(VmxState*) const; };

    // ---- x86-timing block
    // The cycle model (insn_class.cpp, mmu.cpp, ept.cpp, mem_access.cpp).
    // Costs come from CoreConfig::clock.profile when one is attached (else
    // CoreConfig::costs, whose trap costs the x86 core does not charge: one
    // cycle per instruction and nothing else, its historic behaviour).
    // The cycles one executed instruction costs, fixed when its slot is
    // decoded: its class (ALU, MUL, DIV, load, store, branch, system, fence,
    // FP, atomic) with a memory operand where it has one.
    uint8_t insn_cost(const Insn& i) const;
    const isa::CycleCosts& costs() const { return cfg_.costs; }
    // The timing model's translation structures and counters: a charged walk
    // pays walk_ref per paging-structure reference (guest paging: stage 1,
    // EPT: stage 2; a 4-level walk under 4-level EPT makes 24), or the walk
    // cache's price; a modelled TLB hit walks uncharged. Its caches (when
    // the profile models them) charge each RAM data access (data entries
    // of tlb_r/w are then tagged so that the fast paths miss and the slow
    // paths charge), each fetch entering a new line, and (through_cache)
    // each walk reference.
    isa::WalkCharger walker;
    // Every counted walk's references per stage (charged or not).
    uint64_t walk_refs_s1 = 0, walk_refs_s2 = 0;
    // The modelled TLB (timing only): whether it holds the page of `linear`
    // in the current context (counting the hit or miss; false when not
    // modelled), and its fill after a walk. A page it evicts leaves the
    // software TLB too, so a fast-path hit is always a modelled hit.
    bool tlb_model_lookup(uint64_t linear);
    void tlb_model_fill(uint64_t linear, bool global);
    // The software TLB only (the modelled one keeps its translations, as
    // VPID-tagged hardware TLB entries survive VM transitions).
    void flush_soft_tlb();
    // ---- end x86-timing block

private:
    isa::PhysMem& mem_;
    CoreConfig cfg_;
    IoBus* io_ = nullptr;
    InterruptController* apic_ = nullptr;
    uint64_t icount_ = 0, extra_cycles_ = 0, in_block_ = 0, insn_cycles_ = 0;
    bool block_end_ = false, stop_requested_ = false, irq_masked_ = false;
    bool intr_ = false, nmi_pending_ = false;

    // ---- x86-core private block
    friend uint64_t op_decode_slot(Core&, const Insn&, uint64_t);
    DecodedPage* decoded_page(uint64_t ppage, unsigned mode);
    void drop_decoded(uint64_t ppage);
    bool fetch_page(uint64_t lin);      // refill fetch_* below; false: a fault was raised (rip set)
    uint64_t exec_uncached(uint64_t rip, uint64_t lin);   // page-crossing instruction or CS limit edge
    std::unordered_map<uint64_t, std::unique_ptr<DecodedPage>> decoded_;   // key: ppage | mode
    std::vector<std::unique_ptr<DecodedPage>> retired_pages_;
    DecodedPage* fetch_page_ = nullptr;  // the page the run loop executes from
    uint64_t fetch_vbase_ = 1;           // its linear page (1: none)
    std::unique_ptr<Insn> scratch_;      // the uncached instruction being executed

    // ---- x86-sys private block
    friend struct SysInternals;                  // exception/segment/mmu helpers
    uint64_t shadow_until_ = 0;                  // interrupts held back while icount() < this
    bool init_pending_ = false;
    struct TlbTag { uint8_t leaf_shift = 12; bool global = false; };
    TlbTag tlb_tag_[3][kTlbSize];                // beside tlb_r/w/x: INVLPG and CR3 flush need them
    // Entries of tlb_r/w/x filled since they were last cleared (a superset of
    // the valid ones): a flush visits only these, so that the flushes of
    // every VM entry and exit cost what was filled, not the whole TLB.
    uint64_t tlb_used_[3][kTlbSize / 64] = {};
    bool tlb_any_used_ = false;                  // some bit of tlb_used_ is set
    void note_tlb_fill(unsigned which, unsigned i) {
        tlb_used_[which][i >> 6] |= uint64_t{1} << (i & 63);
        tlb_any_used_ = true;
    }
    void clear_soft_tlb(bool keep_global);       // the used entries (mem_access.cpp)
    struct LastWalk { uint64_t vpn = ~0ull; uint8_t leaf_shift = 12; bool global = false; } last_walk_;
    uint64_t tlb_config_ = ~0ull;                // paging configuration the TLB was filled under
    uint64_t tlb_config_guest_ = ~0ull;          // the same for the non-root entries (tlb_tag bit 0)
    void change_tlb_config(bool guest, uint64_t config);   // update_context's rare path
    Translation walk_(uint64_t linear, Access acc, bool user, bool update_ad);
    bool phys_read_(uint64_t gpa, unsigned size, uint64_t& v, uint64_t linear, Translation& t);
    bool phys_write_(uint64_t gpa, unsigned size, uint64_t v, uint64_t linear, Translation& t);
    // Guest-physical -> host-physical: EPT in non-root operation, identity
    // otherwise. false: `t` holds the EPT violation/misconfiguration.
    bool ept_gpa(uint64_t gpa, Access acc, uint64_t linear, bool walk, uint64_t& hpa, Translation& t);
    bool access_linear_(uint64_t linear, unsigned size, Access acc, bool user, uint64_t& v, Translation& fault,
                        uint64_t& fault_linear, bool fill);
    void enter_init_state();
    uint64_t ept_fault_exit(const Translation& t, uint64_t linear);
    bool cr_fixed_ok(unsigned cr, uint64_t v) const;   // VMX operation: IA32_VMX_CRn_FIXED0/1, CR4.VMXE

    // ---- x86-vmx private block
    friend struct VmxInternals;                  // vmx*.cpp / ept.cpp helpers
    VmxStatus vm_entry(bool launch);
    VmxState& vmx() { return HV_LIKELY(vmx_ != nullptr) ? *vmx_ : make_vmx(); }
    VmxState& make_vmx();
    std::unique_ptr<VmxState, VmxStateDeleter> vmx_;
    bool vmx_on_ = false, non_root_ = false, ept_on_ = false;
    // The controls of the VMCS entered that ask for boundary events
    // (VmxInternals::arm; none in root): pin-based external-interrupt and
    // NMI exiting, virtual NMIs, the preemption timer; the windows.
    uint32_t vmx_armed_pin_ = 0, vmx_armed_proc_ = 0;
    bool vmx_events_only_ = false;               // external-interrupt exiting, no timer, no window (check_interrupts)
    void check_pending_events();                 // check_interrupts past its quick test
    Vmcs* host_vmcs_checked();                   // host_vmcs with no host state owed
    Vmcs* host_pending_ = nullptr;               // settle_host: the VMCS whose host state is owed
    [[gnu::noinline]] void settle_host_now();
    bool vmexit_stop_ = false;
    uint64_t current_vmcs_pa_ = ~0ull;

    // ---- x86-timing private block
    struct WalkRefs { uint64_t s1 = 0, s2 = 0, cycles = 0; };
    WalkRefs refs_;                              // the translation being walked
    bool counting_ = false;                      // inside a translate() whose references count
    std::vector<uint8_t> cost_by_class_;         // by InsnClass; at least 1 each
    uint32_t redirect_penalty_ = 0;              // branch_taken - branch_not_taken
    bool unit_costs_ = true;                     // every class costs 1, no redirect penalty
    void count_ref(bool stage2, uint64_t pa);
    void fetch_line(uint64_t paddr);             // the I-side caches' cost of a fetch at paddr (core.cpp)
    template <bool kTimed> uint64_t run_block(uint64_t budget);
};

} // namespace hvemu::x86
