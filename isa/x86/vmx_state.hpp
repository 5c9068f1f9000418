// VMX state private to the vmx*.cpp / ept.cpp files: the VMCS store, the
// current VMCS, and what the capability MSRs publish (the entry checks
// test the controls against the same numbers).
#pragma once
#include <cstdint>

#include "isa/x86/core.hpp"
#include "isa/x86/vmcs.hpp"
#include "isa/x86/vmx_defs.hpp"

namespace hvemu::x86 {

namespace vmxcap {
using namespace vmx;
constexpr uint32_t kRevision = 0x00000012;
// Allowed-0 settings (bits that must be 1): the "default1" bits of
// Appendix A.2; the TRUE MSRs relax the ones the SDM lets them relax.
constexpr uint32_t kPinDefault1 = 0x00000016;
constexpr uint32_t kProcDefault1 = 0x0401e172, kTrueProcDefault1 = 0x04006172;
constexpr uint32_t kExitDefault1 = 0x00036dff, kTrueExitDefault1 = 0x00036dfb;
constexpr uint32_t kEntryDefault1 = 0x000011ff, kTrueEntryDefault1 = 0x000011fb;
// Allowed-1 settings: what the model implements.
constexpr uint32_t kPinAllowed1 = kPinDefault1 | pin::ExtIntExiting | pin::NmiExiting | pin::VirtualNmis |
                                  pin::PreemptionTimer;
constexpr uint32_t kProcAllowed1 = kProcDefault1 | proc::IntWindow | proc::TscOffset | proc::HltExiting |
                                   proc::InvlpgExiting | proc::RdtscExiting | proc::Cr3LoadExiting |
                                   proc::Cr3StoreExiting | proc::Cr8LoadExiting | proc::Cr8StoreExiting |
                                   proc::NmiWindow | proc::MovDrExiting | proc::UncondIo | proc::IoBitmaps |
                                   proc::MsrBitmaps | proc::PauseExiting | proc::Secondary;
constexpr uint32_t kProc2Allowed1 = proc2::Ept | proc2::Rdtscp | proc2::Vpid | proc2::WbinvdExiting |
                                    proc2::Unrestricted;
constexpr uint32_t kExitAllowed1 = kExitDefault1 | exitc::SaveDebug | exitc::HostLong | exitc::AckIntr |
                                   exitc::SavePat | exitc::LoadPat | exitc::SaveEfer | exitc::LoadEfer |
                                   exitc::SavePreemption;
constexpr uint32_t kEntryAllowed1 = kEntryDefault1 | entryc::LoadDebug | entryc::Ia32e | entryc::LoadPat |
                                    entryc::LoadEfer;
constexpr unsigned kPreemptionRate = 5;        // the timer counts down at TSC >> 5
constexpr unsigned kCr3Targets = 4;
constexpr unsigned kMaxMsrList = 512;          // IA32_VMX_MISC bits 27:25 = 0
constexpr uint64_t kCr0Fixed0 = 0x80000021, kCr0Fixed1 = 0xffffffff;
constexpr uint64_t kCr4Fixed0 = 0x2000;
// CR4 bits the core implements (VME..OSXMMEXCPT, VMXE, OSXSAVE).
constexpr uint64_t kCr4Fixed1 = 0x000427ff;
// IA32_VMX_EPT_VPID_CAP: execute-only, 4-level walk, UC and WB, 2 MiB and
// 1 GiB pages, INVEPT (single, all), A/D flags, INVVPID (all four types).
constexpr uint64_t kEptVpidCap = (1ull << 0) | (1ull << 6) | (1ull << 8) | (1ull << 14) | (1ull << 16) |
                                 (1ull << 17) | (1ull << 20) | (1ull << 21) | (1ull << 25) | (1ull << 26) |
                                 (1ull << 32) | (1ull << 40) | (1ull << 41) | (1ull << 42) | (1ull << 43);
} // namespace vmxcap

struct Core::VmxState {
    VmcsStore store;
    Vmcs* cur = nullptr;                 // the current VMCS (current_vmcs_pa_)
    uint64_t vmxon_pa = ~0ull;
    bool injecting = false;              // VM-entry event injection in progress
    bool skip_intercept = false;         // the injected exception does not consult the bitmap
    bool host_nmi_blocked = false;       // root-mode NMI blocking across non-root
    bool preempt_on = false;
    uint64_t preempt_deadline = 0;       // cycles() at which the timer reaches 0
    uint64_t preempt_start = 0;          // cycles() at VM entry
};

// Helpers shared by the VMX files (friends of Core).
struct VmxInternals {
    static Core::VmxState& st(Core& c) { return c.vmx(); }
    // The current VMCS for code outside the VMX files (a debugger), which may
    // write any field: its memo of passed checks and its snapshots are dropped.
    static Vmcs* cur(Core& c) {
        Vmcs* v = c.vmx().cur;
        if (v) {
            v->ctl_host_ok = v->guest_ok = false;
            ++v->guest_gen;
            ++v->host_gen;
        }
        return v;
    }
    static bool& non_root(Core& c) { return c.non_root_; }
    static bool& ept_on(Core& c) { return c.ept_on_; }
    static bool& exit_stop(Core& c) { return c.vmexit_stop_; }
    static void end_block(Core& c) { c.block_end_ = true; }
    static bool& nmi_pending(Core& c) { return c.nmi_pending_; }
    static bool intr_line(Core& c) { return c.intr_; }
    // vmx_entry_checks.cpp: 0 = pass, else the VM-instruction error (7/8);
    // guest checks: true = pass, else qual is the exit qualification.
    // check_controls and check_host read only control and host-state
    // fields (and the fixed physical-address width): Vmcs::ctl_host_ok
    // remembers that they passed; check_injection (it reads the guest's
    // CR0) and check_host_mode (the processor's mode: whether it is in
    // IA-32e mode) run at every entry.
    static uint32_t check_controls(Core& c, const Vmcs& v);
    static uint32_t check_injection(const Vmcs& v);         // inline below: none without an event
    static uint32_t check_injected_event(const Vmcs& v);
    static uint32_t check_host(Core& c, const Vmcs& v);
    static uint32_t check_host_mode(const Vmcs& v, bool long_mode);   // inline below
    // check_guest with `memo` (Vmcs::guest_ok) runs only the checks that
    // read RIP, the event-injection fields or memory (the VMCS link
    // pointer's revision); their order among the others is the SDM's, so
    // the exit qualification of a failure is the same either way. Inline
    // below: with no event to inject and no link pointer, RIP's alone.
    static bool check_guest(Core& c, const Vmcs& v, uint64_t& qual, bool memo = false);
    static bool check_guest_all(Core& c, const Vmcs& v, uint64_t& qual, bool memo);
    static bool rip_ok(const Vmcs& v);   // 26.3.1.4: RIP within the guest's address size
    // vmx_transition.cpp (load_guest and save_guest are defined inline
    // there, in the VM entry and exit that are their only callers)
    // false: PDPTE load failed. sys_in_place: the core already holds the
    // SysState the fields give (resume_in_place).
    static inline bool load_guest(Core& c, Vmcs& v, bool sys_in_place = false);
    // A VMRESUME of the VMCS whose host state the core owes
    // (Core::settle_host) that may skip loading it and the guest's
    // SysState: see vmx_transition.cpp.
    static bool resume_in_place(Core& c, Vmcs& v);
    static inline void save_guest(Core& c, Vmcs& v);
    static void load_host(Core& c, Vmcs& v);   // load_host_regs, then load_host_sys
    static void load_host_regs(Core& c, const Vmcs& v);
    static void load_host_sys(Core& c, Vmcs& v);
    // The VM-entry / VM-exit MSR-load and the VM-exit MSR-store areas
    // (26.4, 27.4, 27.6); false: an entry was refused (failed_index: which,
    // from 1). Most VMCSs have none.
    static bool msr_load(Core& c, uint64_t addr, uint32_t count, uint32_t& failed_index) {
        failed_index = 0;
        return count == 0 || msr_load_area(c, addr, count, failed_index);
    }
    static bool msr_store(Core& c, uint64_t addr, uint32_t count) {
        return count == 0 || msr_store_area(c, addr, count);
    }
    static bool msr_load_area(Core& c, uint64_t addr, uint32_t count, uint32_t& failed_index);
    static bool msr_store_area(Core& c, uint64_t addr, uint32_t count);
    static void inject(Core& c, Vmcs& v);
    static void entry_failed(Core& c, Vmcs& v, uint32_t reason, uint64_t qual);
    // A VM exit with every information field (27.2).
    struct ExitInfo {
        uint32_t reason = 0;
        uint64_t qual = 0;
        uint32_t insn_len = 0, insn_info = 0;
        uint32_t intr_info = 0, intr_error = 0;
        uint64_t gla = 0, gpa = 0;
        bool set_gla = false, set_gpa = false;
    };
    static void exit(Core& c, const ExitInfo& e);
    static void update_tlb_tag(Core& c);
    static void arm(Core& c);
};

inline bool canonical(uint64_t a) { return int64_t(a << 16) >> 16 == int64_t(a); }

inline uint32_t VmxInternals::check_injection(const Vmcs& v) {
    return v[vmcs::S_VM_ENTRY_INTR_INFO] & vmx::kIntrValid ? check_injected_event(v) : 0;
}

// 26.2.4: the address-space size against the mode VMLAUNCH/VMRESUME runs in.
inline uint32_t VmxInternals::check_host_mode(const Vmcs& v, bool long_mode) {
    const bool host64 = v[vmcs::S_VM_EXIT_CONTROLS] & vmx::exitc::HostLong;
    const bool ia32e_guest = v[vmcs::S_VM_ENTRY_CONTROLS] & vmx::entryc::Ia32e;
    const bool ok = long_mode ? host64 : !(ia32e_guest || host64);
    return ok ? 0u : uint32_t{vmx::ErrEntryHostState};
}

inline bool VmxInternals::rip_ok(const Vmcs& v) {
    const bool ia32e = v[vmcs::S_VM_ENTRY_CONTROLS] & vmx::entryc::Ia32e;
    const bool cs_l = v[vmcs::S_GUEST_CS_AR_BYTES] & (1u << 13);
    const uint64_t rip = v[vmcs::S_GUEST_RIP];
    return ia32e && cs_l ? canonical(rip) : !(rip >> 32);
}

inline bool VmxInternals::check_guest(Core& c, const Vmcs& v, uint64_t& qual, bool memo) {
    if (memo && !(v[vmcs::S_VM_ENTRY_INTR_INFO] & vmx::kIntrValid) && v[vmcs::S_VMCS_LINK_POINTER] == ~0ull)
        return rip_ok(v);
    return check_guest_all(c, v, qual, memo);
}

} // namespace hvemu::x86
