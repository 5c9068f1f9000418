// The x86 vCPU: a guest run in VMX non-root operation on a PhysCpu's core,
// as Axvisor's x86_vcpu runs one on a VT-x CPU. It owns a VMCS and I/O and
// MSR bitmaps in host memory, programs them through the core's VMX
// instructions (VMCLEAR, VMPTRLD, VMWRITE, VMLAUNCH/VMRESUME) with controls
// chosen from the IA32_VMX_* capability MSRs, keeps the guest context while
// unbound, and decodes each VM exit (exit reason, qualification,
// instruction length and information) into an ExitReason.
//
// Guest start (set_entry): real mode as after INIT, unrestricted guest,
// CR0 = CD|NW|ET (read shadow; the real CR0 adds NE), CR4 = 0 (the real CR4
// adds VMXE), segments base 0 / limit 0xffff (CS 0x9b, data 0x93, TR 0x8b,
// LDTR 0x82), RFLAGS = 2, DR7 = 0x400, EFER = 0. The entry address gives CS
// and IP: below 1 MiB CS = gpa >> 4, IP = gpa & 0xf (a SIPI vector v
// enters at v << 12 as CS = v << 8, IP = 0); above, CS.base = gpa &
// ~0xffff with selector (base >> 4) & 0xffff and IP = gpa & 0xffff (the
// reset vector 0xfffffff0 is F000:FFF0 with base 0xffff0000).
//
// Controls (each adjusted to the allowed-0/allowed-1 bits of the TRUE
// capability MSRs, read with RDMSR on the physical CPU; a wanted bit the CPU
// does not offer is an error at bind):
//   pin        external-interrupt exiting, NMI exiting, preemption timer
//              while a timer deadline is set (set_timer_deadline)
//   primary    HLT exiting, I/O bitmaps, MSR bitmaps, secondary controls,
//              interrupt-window exiting while an interrupt waits
//   secondary  EPT, VPID (= vCPU id + 1), unrestricted guest, RDTSCP
//   exit       host address-space size, acknowledge interrupt on exit,
//              save/load PAT and EFER, save debug controls
//   entry      load PAT and EFER, load debug controls, IA-32e mode guest
//              (follows EFER.LMA)
//   exception bitmap 0 (every exception goes to the guest's IDT);
//   I/O bitmaps: every port exits (the VMM is the only device model);
//   MSR bitmap: EFER, FS/GS/KERNEL_GS base, STAR/LSTAR/CSTAR/FMASK,
//   TSC_AUX, PAT and SYSENTER_* pass through (VMCS state, or swapped by
//   bind/unbind); TSC reads pass; every other MSR exits;
//   CR0/CR4 guest/host masks: the VMX fixed bits (but PE and PG) and the
//   bits the CPU does not have, with read shadows holding the guest's view.
//
// Exits and the guest RIP when run() returns (the contract; tests check
// each line). "+len" is the VM-exit instruction length.
//   exit reason             ExitReason                    RIP
//   VMCALL (18)             Hypercall{RAX; RDI, RSI, RDX, +len
//                           RCX, R8, R9}
//   I/O (30) IN/OUT         IoRead{port, width} /         +len
//                           IoWrite{port, width, data}
//   I/O (30) INS/OUTS       one exit per element (REP:    +len after the last
//                           RCX counts down, RSI/RDI      element; before it
//                           step by DF): IoRead (the      unchanged, so the
//                           completion is stored at       instruction exits
//                           ES:RDI) / IoWrite (data read  again
//                           from DS:RSI)
//   RDMSR (31) / WRMSR (32) SysRegRead{ECX, reg 0} /      +len (2)
//                           SysRegWrite{ECX, EDX:EAX}
//   EPT violation (48) on   MmioRead{gpa, width, reg,     +len
//   a load or store         reg_width, signed_ext} /
//                           MmioWrite{gpa, width, data}
//     ALU with a memory     MmioRead into the latch       +len
//     source (op r, [m];    (reg kMmioLatch); the
//     CMP, TEST)            completion sets the register
//                           and the flags
//     read-modify-write     MmioRead into the latch,      unchanged, then
//     (ADD/OR/AND/SUB/XOR   then the next run() returns   +len with the
//     [m], src; XCHG)       MmioWrite of the result       MmioWrite
//                           without entering the guest
//     fetch, paging walk,   NestedPageFault{gpa, R/W/X}   unchanged
//     other instructions
//   HLT (12)                Halt                          +len (1)
//   external interrupt (1)  ExternalInterrupt{vector}     unchanged
//   NMI (0, type 2)         ExternalInterrupt{2}          unchanged
//   triple fault (2)        SystemDown                    unchanged
//   entry failure (b31)     FailEntry{basic reason 33/34} unchanged
//   CPUID (10), XSETBV (55),Nothing (served here)         +len
//   MOV CR0/CR4, CLTS, LMSW
//   (28), INVD (13)
//   interrupt window (7),   Nothing                       unchanged
//   preemption timer (52),
//   a used-up budget
//   VMX instructions        Nothing: #UD injected         unchanged
// Completing an exit: the VMM writes results with set_gpr, which, for the
// exit just returned, applies the instruction's semantics: after IoRead
// set_gpr(0, v) merges v into AL/AX or zero-extends into EAX (INS: stores
// v at ES:RDI instead); after SysRegRead set_gpr(0, v) sets EAX = v[31:0],
// EDX = v[63:32]; after MmioRead set_gpr(reg, v) with v from
// complete_mmio_read writes a byte or word into the low bits (AH..BH:
// bits 15:8) and zero-extends a dword. set_gpr(kMmioLatch, v) completes a
// read-modify-write read. An exit the VMM refuses (no such MSR, a bus
// error) is turned into a fault with fault_last_exit(): RIP back on the
// instruction, the exception injected at the next entry.
//
// Interrupts: inject_interrupt(v) queues (any state, any thread). At each
// entry one event is injected: an event whose delivery a VM exit
// interrupted (IDT-vectoring information) first, then a fault from
// fault_last_exit, then the queue head: vectors below 32 at once as
// hardware exceptions (2 as an NMI; error code 0 for 8, 10-14 and 17 in
// protected mode), others as external interrupts when RFLAGS.IF = 1 and
// no STI/MOV-SS blocking, else interrupt-window exiting is turned on and
// the window exit (Nothing) retries. An instruction the vCPU completes
// (RIP advanced) ends an STI/MOV-SS shadow, as on hardware.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "isa/x86/vmcs.hpp"
#include "vcpu/arch_vcpu.hpp"
#include "vcpu/exit_reason.hpp"
#include "vcpu/result.hpp"
#include "vcpu/x86/guest_access.hpp"
#include "vcpu/x86/host_frames.hpp"
#include "vcpu/x86/mmio_decode.hpp"
#include "vcpu/x86/phys_cpu.hpp"

namespace hvemu::vcpu::x86 {

struct CreateConfig {
    HostFrames* frames = nullptr;   // where the VMCS and bitmaps go (required)
    uint32_t apic_id = 0;           // CPUID.1:EBX[31:24] and leaf 0xB
};
struct SetupConfig {};

class X86VCpu {
public:
    using CreateConfig = x86::CreateConfig;
    using SetupConfig = x86::SetupConfig;

    static constexpr uint64_t kDefaultBudget = 1'000'000;   // instructions per run() slice
    static constexpr unsigned kMmioLatch = 16;              // set_gpr register of a read-modify-write read
    static constexpr uint64_t kResetVector = 0xfffffff0;
    static constexpr uint32_t kSliceExit = 0xffff;          // last_exit().reason of a used-up budget
    // CPUID 0x40000000: EBX, ECX, EDX = "hvemu" (NUL-padded), EAX = 0x40000001.
    static constexpr uint32_t kHypervisorLeaf = 0x40000000;

    static Result<X86VCpu> create(VmId vm, VCpuId id, const CreateConfig& cfg);
    X86VCpu(X86VCpu&& o) noexcept;
    X86VCpu& operator=(X86VCpu&& o) noexcept;
    X86VCpu(const X86VCpu&) = delete;
    X86VCpu& operator=(const X86VCpu&) = delete;
    ~X86VCpu();

    // ---- ArchVCpu
    Result<void> set_entry(uint64_t gpa);      // the INIT state at `gpa` (see above); also later, for CpuUp/SIPI
    Result<void> set_ept_root(uint64_t hpa);   // EPTP = root | WB | 4-level walk | A/D; 4 KiB aligned
    Result<void> setup(const SetupConfig&);
    Result<void> bind();                       // VMPTRLD onto PhysCpu::current() (VMCS programmed on the first bind)
    Result<void> unbind();                     // VMCLEAR: the VMCS image back in memory
    Result<ExitReason> run();
    void set_gpr(unsigned reg, uint64_t value);   // 0 RAX .. 15 R15 (4 = RSP: the VMCS); see "Completing an exit"
    Result<void> inject_interrupt(uint64_t vector);   // 0-255
    void set_return_value(uint64_t value);        // RAX

    // ---- inherent
    uint64_t gpr(unsigned reg) const;
    uint64_t rip() const;
    uint64_t rflags() const;
    uint64_t cs_base() const;
    VmId vm_id() const { return vm_; }
    VCpuId id() const { return id_; }
    uint32_t apic_id() const { return apic_id_; }
    PhysCpu* bound_cpu() const { return cpu_; }
    void set_run_budget(uint64_t insns) { budget_ = insns ? insns : 1; }
    // A VM exit at the latest when the physical CPU's cycle counter reaches
    // `cycles` (the VMX-preemption timer), e.g. the guest's LAPIC timer;
    // nullopt: none.
    void set_timer_deadline(std::optional<uint64_t> cycles) { deadline_ = cycles; }
    // The instruction of the last exit faults instead of completing.
    void fault_last_exit(uint8_t vector, uint32_t error_code = 0);
    // Whether an interrupt waits that the guest would take (queued, and an
    // exception/NMI or RFLAGS.IF = 1): what ends a guest's HLT.
    bool has_wakeup() const;
    size_t queued_interrupts() const;
    // Flush this vCPU's VPID-tagged translations at the next entry. Any thread.
    void request_tlb_flush() { flush_pending_ = true; }
    // Guest memory as the guest sees it now (bound only): read by linear
    // address (its paging and the EPT), e.g. an instruction at CS.base+RIP.
    bool read_guest_linear(uint64_t linear, void* dst, unsigned len) const;

    // The raw exit behind the last run(), for traces and debuggers.
    struct ExitInfo {
        bool valid = false;           // a VM exit of the guest (not a used-up budget, not an RMW write)
        uint32_t reason = 0;          // VM_EXIT_REASON (kSliceExit: a used-up budget)
        uint64_t qualification = 0;
        uint64_t gpa = 0, gla = 0;
        uint32_t insn_len = 0, insn_info = 0, intr_info = 0;
        uint64_t trap_rip = 0;        // guest RIP at the exit (before any advance)
    };
    const ExitInfo& last_exit() const { return exit_; }
    uint32_t vm_instruction_error() const { return insn_error_; }

    // The guest's XCR0 (XSETBV), swapped with the host's around each entry.
    uint64_t guest_xcr0() const { return xcr0_; }

    // What the vCPU keeps while unbound (the VMCS holds the rest).
    struct Context {
        uint64_t gpr[16] = {};
        uint64_t cr2 = 0, cr8 = 0, dr[4] = {}, dr6 = 0xffff0ff0;
        uint64_t star = 0, lstar = 0, cstar = 0, sfmask = 0, kernel_gs_base = 0, tsc_aux = 0;
        alignas(16) uint8_t xmm[16][16] = {};
        uint32_t mxcsr = 0x1f80;
        uint16_t fcw = 0x37f, fsw = 0, ftw = 0;   // ftw: the abridged tag, as the core keeps it
        uint64_t fip = 0, fdp = 0;               // the x87 last instruction and data pointers
        uint16_t fcs = 0, fds = 0, fop = 0;
        uint8_t st[8][10] = {};
    };
    const Context& context() const { return ctx_; }

private:
    X86VCpu(VmId vm, VCpuId id, const CreateConfig& cfg);

    // x86_vcpu.cpp: VMCS programming, context switch, entry
    Result<void> program_vmcs();
    void write_reset_state();
    void write_host_state();
    void save_context();
    void load_context();
    Result<void> enter_and_run();
    inline void inject_events(hx::Vmcs* at);   // at: Core::host_vmcs(); defined in x86_vcpu.cpp, its only user
    // VMREAD/VMWRITE as the host issues them: the mode checked by
    // Core::host_vmcs (`at`: one check for a run of accesses in a handler),
    // the field validated by vmcs_read/vmcs_write, RFLAGS as VMsucceed
    // leaves it; whatever those refuse runs as the instruction itself, for
    // its exact failure.
    uint64_t vr(uint32_t field) const { return vr(cpu_->core().host_vmcs(), field); }
    void vw(uint32_t field, uint64_t value) { vw(cpu_->core().host_vmcs(), field, value); }
    uint64_t vr(const hx::Vmcs* at, uint32_t field) const { return VmcsReads(*this, at)(field); }
    void vw(hx::Vmcs* at, uint32_t field, uint64_t value) {
        hx::Core& c = cpu_->core();
        if (!at || hx::vmcs_write(*at, field, value)) c.vmwrite(field, value);
        else c.rflags &= ~hx::rflags::STATUS;
    }
    // A handler's run of VMREADs from `at` (Core::host_vmcs): each field
    // straight from the VMCS, RFLAGS cleared once at the end as the last
    // VMsucceed leaves it; with no `at`, or a field vmcs_read refuses, the
    // instruction itself for its exact failure (whose RFLAGS stand unless
    // a later read succeeds). vr is a run of one.
    class VmcsReads {
    public:
        VmcsReads(const X86VCpu& v, const hx::Vmcs* at) : v_(v), at_(at) {}
        ~VmcsReads() {
            if (succeeded_last_) v_.cpu_->core().rflags &= ~hx::rflags::STATUS;
        }
        VmcsReads(const VmcsReads&) = delete;
        VmcsReads& operator=(const VmcsReads&) = delete;
        uint64_t operator()(uint32_t field) {
            uint64_t x = 0;
            succeeded_last_ = at_ && !hx::vmcs_read(*at_, field, x);
            if (!succeeded_last_) v_.cpu_->core().vmread(field, x);
            return x;
        }

    private:
        const X86VCpu& v_;
        const hx::Vmcs* at_;
        bool succeeded_last_ = false;
    };
    void advance_rip(uint64_t len);   // RIP past the exiting instruction
    void advance_rip(hx::Vmcs* at, uint64_t len);   // the same with host_vmcs() already taken
    // x86_vcpu_exits.cpp: decoding
    Result<ExitReason> decode_exit();
    Result<ExitReason> handle_io();
    Result<ExitReason> handle_ept_violation();
    Result<ExitReason> finish_rmw();
    void finish_alu_read(uint64_t value);   // CMP/TEST/op r, [m]: flags and the register
    void set_status_flags(uint64_t flags);
    Result<ExitReason> handle_cpuid();
    Result<ExitReason> handle_cr_access();
    Result<ExitReason> handle_xsetbv();
    bool write_cr0(uint64_t value);   // false: #GP injected instead
    bool write_cr4(uint64_t value);
    void load_pdptes();
    void inject_now(uint8_t vector, uint32_t error = 0);
    GuestPaging paging() const;
    Error unexpected(const char* what) const;

    VmId vm_;
    VCpuId id_;
    uint32_t apic_id_;
    HostFrames* frames_;
    uint64_t vmcs_ = 0, io_bitmap_ = 0, msr_bitmap_ = 0;
    uint64_t eptp_ = 0;
    bool ept_set_ = false, set_up_ = false, programmed_ = false, launched_ = false;
    bool reset_pending_ = true;
    uint64_t entry_ = kResetVector;
    std::optional<uint64_t> pending_rsp_, pending_rip_;
    Context ctx_;
    // Mirrors of VMCS guest state, valid between exits (bound or not).
    uint64_t rip_ = 0, rflags_ = 2, cs_base_ = 0;
    // Controls chosen at the first bind (the dynamic bits added per entry).
    uint32_t pin_ = 0, proc_ = 0, proc2_ = 0;
    // What this vCPU last wrote to the pin- and processor-based controls
    // and to the VM-entry interruption information (whose valid bit a VM
    // exit clears): an entry writes only what differs, as VMMs keep a
    // shadow of the fields they own.
    uint32_t pin_vmcs_ = 0, proc_vmcs_ = 0, entry_intr_vmcs_ = 0;
    bool timer_ok_ = false;
    uint16_t vpid_ = 0;
    uint64_t xcr0_ = 1;
    PhysCpu* cpu_ = nullptr;
    uint64_t budget_ = kDefaultBudget;
    uint64_t last_cycles_ = 0;
    bool preempted_ = false;   // the last run ended on its budget: resuming costs no VM entry
    std::optional<uint64_t> deadline_;
    ExitInfo exit_{};
    uint32_t insn_error_ = 0;

    // The completion the VMM owes for the exit just returned (set_gpr).
    enum class Pending : uint8_t { None, PortIn, Ins, RdMsr, MmioLoad, AluRead, Rmw };
    struct Completion {
        Pending kind = Pending::None;
        unsigned reg = 0, bytes = 0;   // destination register and size
        bool high_byte = false;
        uint64_t linear = 0;           // INS: where the element goes
        MmioInsn insn{};               // Rmw: the instruction
        uint64_t gpa = 0;
        bool latched = false;
        uint64_t latch = 0;
    } pending_;
    // Events for the next entry.
    struct Event { uint32_t info = 0, error = 0, insn_len = 0; };
    std::optional<Event> reinject_, fault_;
    struct IrqQueue {
        mutable std::mutex lock;
        std::deque<uint8_t> q;
        // q is not empty (written under the lock): an entry with nothing
        // queued does not take the lock.
        std::atomic<bool> nonempty{false};
    };
    std::unique_ptr<IrqQueue> irqs_;
    std::atomic<bool> flush_pending_{false};
};

static_assert(ArchVCpu<X86VCpu>);

} // namespace hvemu::vcpu::x86
