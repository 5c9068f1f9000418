// VM entry (SDM Vol. 3C 26.3.2-26.6: load guest state, the MSR-load area,
// event injection) and VM exit (27.2-27.5: record the exit, save guest
// state, MSR areas, load host state), and the entry failure of 26.8.
#include <algorithm>
#include <cstring>

#include "isa/x86/vmx_state.hpp"

namespace hvemu::x86 {

using V = Core::VmxStatus;
using namespace vmx;
using namespace vmcs;

namespace {

// The segment registers in VMCS order (ES CS SS DS FS GS LDTR TR).
Segment& seg_of(SysState& s, int i) { return i < 6 ? s.seg[i] : i == 6 ? s.ldtr : s.tr; }
const Segment& seg_of(const SysState& s, int i) { return i < 6 ? s.seg[i] : i == 6 ? s.ldtr : s.tr; }

// The four fields of segment register i (VMCS order): each group's slots
// are consecutive (vmcs_fields.def lists them in encoding order).
struct SegSlots {
    Slot sel, base, limit, ar;
};
constexpr SegSlots seg_slots(int i) {
    return {Slot(S_GUEST_ES_SELECTOR + i), Slot(S_GUEST_ES_BASE + i), Slot(S_GUEST_ES_LIMIT + i),
            Slot(S_GUEST_ES_AR_BYTES + i)};
}
static_assert(S_GUEST_TR_SELECTOR == S_GUEST_ES_SELECTOR + 7 && S_GUEST_TR_BASE == S_GUEST_ES_BASE + 7 &&
              S_GUEST_TR_LIMIT == S_GUEST_ES_LIMIT + 7 && S_GUEST_TR_AR_BYTES == S_GUEST_ES_AR_BYTES + 7);

// The core keeps an unusable segment as one that is not present.
void load_seg(Segment& s, const Vmcs& v, int i) {
    const SegSlots f = seg_slots(i);
    const uint64_t ar = v[f.ar];
    s = Segment{uint16_t(v[f.sel]), v[f.base], uint32_t(v[f.limit]),
                uint16_t((ar & 0xf0ff) & ((ar & (1u << 16)) ? ~0x80u : ~0u))};
}

// Writes of guest-state fields by the VM exit. Hot: those of
// vmcs::hot_guest_field, whether one changed a bit the remembered
// guest-state checks read (Vmcs::guest_ok) collected as it goes. Cold: the
// others, any change of which also moves Vmcs::guest_gen on.
struct HotSaver {
    Vmcs& v;
    uint64_t changed = 0;
    void put(Slot s, uint64_t x) {
        changed |= (v.f[s] ^ x) & vmcs::kGuestMemo.m[s];
        v.f[s] = x;
    }
};
struct ColdSaver {
    Vmcs& v;
    uint64_t changed = 0;
    void put(Slot s, uint64_t x) {
        changed |= v.f[s] ^ x;
        v.f[s] = x;
    }
    ~ColdSaver() {
        if (changed) {
            v.guest_ok = false;
            ++v.guest_gen;
        }
    }
};

uint64_t proc2_of(const Vmcs& v) {
    return v[S_CPU_BASED_VM_EXEC_CONTROL] & proc::Secondary ? v[S_SECONDARY_VM_EXEC_CONTROL] : 0;
}

// A snapshot made from generation `gen` and inputs `key`, or none.
bool usable(const SysSnapshot& snap, uint64_t gen, const uint64_t (&key)[3]) {
    return snap.gen == gen && snap.key[0] == key[0] && snap.key[1] == key[1] && snap.key[2] == key[2];
}
void take(SysSnapshot& snap, const SysState& s, uint64_t gen, const uint64_t (&key)[3]) {
    std::memcpy(&snap.s, &s, sizeof s);
    snap.gen = gen;
    std::copy(std::begin(key), std::end(key), snap.key);
}
// Vmcs::round_trip, after `saved` or `loaded` was taken.
void note_round_trip(Vmcs& v) {
    v.round_trip = v.saved.gen == v.loaded.gen && std::memcmp(&v.saved.s, &v.loaded.s, sizeof(SysState)) == 0;
}

// A load of SysState from fields of generation `gen` under controls `ctl`
// (which may keep the core's EFER and PAT): the snapshot when it was made
// from the same, else `full` (field by field), which becomes the snapshot.
// Returns whether the snapshot was (re)taken.
template <class Full> bool load_sys(SysState& sys, SysSnapshot& snap, uint64_t gen, uint64_t ctl, Full full) {
    const uint64_t key[3] = {ctl, sys.efer, sys.pat};
    if (usable(snap, gen, key)) {
        std::memcpy(&sys, &snap.s, sizeof sys);
        return false;
    }
    full(sys);
    take(snap, sys, gen, key);
    return true;
}

// The control registers and MSRs a VM entry loads from the guest-state
// fields and a VM exit from the host-state ones (26.3.2.1, 27.5.1): CR0
// (ET fixed), CR3, CR4, the SYSENTER MSRs, and PAT and EFER when the
// controls say so. Returns whether EFER was loaded.
struct CrMsrSlots {
    Slot cr0, cr3, cr4, sysenter_cs, sysenter_esp, sysenter_eip, pat, efer;
};
constexpr CrMsrSlots kGuestCrMsr = {S_GUEST_CR0, S_GUEST_CR3, S_GUEST_CR4, S_GUEST_SYSENTER_CS,
                                    S_GUEST_SYSENTER_ESP, S_GUEST_SYSENTER_EIP, S_GUEST_IA32_PAT, S_GUEST_IA32_EFER};
constexpr CrMsrSlots kHostCrMsr = {S_HOST_CR0, S_HOST_CR3, S_HOST_CR4, S_HOST_IA32_SYSENTER_CS,
                                   S_HOST_IA32_SYSENTER_ESP, S_HOST_IA32_SYSENTER_EIP, S_HOST_IA32_PAT,
                                   S_HOST_IA32_EFER};
bool load_cr_msrs(SysState& c, const Vmcs& v, const CrMsrSlots& f, bool load_pat, bool load_efer) {
    c.cr0 = v[f.cr0] | 0x10;
    c.cr3 = v[f.cr3];
    c.cr4 = v[f.cr4];
    c.sysenter_cs = v[f.sysenter_cs];
    c.sysenter_esp = v[f.sysenter_esp];
    c.sysenter_eip = v[f.sysenter_eip];
    if (load_pat) c.pat = v[f.pat];
    if (load_efer) c.efer = v[f.efer];
    return load_efer;
}

// 26.3.2.1 and 26.3.2.2 for the guest's SysState, field by field.
void load_guest_sys(SysState& c, const Vmcs& v, uint64_t entryc) {
    if (!load_cr_msrs(c, v, kGuestCrMsr, entryc & entryc::LoadPat, entryc & entryc::LoadEfer)) {
        // LMA follows the IA-32e mode guest control; LME too when paging is on
        const bool ia32e = entryc & entryc::Ia32e;
        c.efer = (c.efer & ~uint64_t{1u << 10}) | (ia32e ? (1u << 10) : 0);
        if (c.cr0 & 0x80000000) c.efer = (c.efer & ~uint64_t{1u << 8}) | (ia32e ? (1u << 8) : 0);
    }
    for (int i = 0; i < 8; ++i) load_seg(seg_of(c, i), v, i);
    c.gdtr = {v[S_GUEST_GDTR_BASE], uint32_t(v[S_GUEST_GDTR_LIMIT])};
    c.idtr = {v[S_GUEST_IDTR_BASE], uint32_t(v[S_GUEST_IDTR_LIMIT])};
}

// 27.3.1 and 27.3.2 for the guest's SysState.
void save_guest_sys(const SysState& c, uint64_t exitc, ColdSaver& g) {
    g.put(S_GUEST_CR0, c.cr0);
    g.put(S_GUEST_CR3, c.cr3);
    g.put(S_GUEST_CR4, c.cr4);
    g.put(S_GUEST_SYSENTER_CS, c.sysenter_cs & 0xffffffff);
    g.put(S_GUEST_SYSENTER_ESP, c.sysenter_esp);
    g.put(S_GUEST_SYSENTER_EIP, c.sysenter_eip);
    if (exitc & exitc::SavePat) g.put(S_GUEST_IA32_PAT, c.pat);
    if (exitc & exitc::SaveEfer) g.put(S_GUEST_IA32_EFER, c.efer);
    for (int i = 0; i < 8; ++i) {
        const Segment& s = seg_of(c, i);
        const SegSlots f = seg_slots(i);
        g.put(f.sel, s.selector);
        g.put(f.base, s.base);
        g.put(f.limit, s.limit);
        g.put(f.ar, (s.attr & 0xf0ffu) | ((s.attr & 0x80) ? 0u : (1u << 16)));
    }
    g.put(S_GUEST_GDTR_BASE, c.gdtr.base);
    g.put(S_GUEST_GDTR_LIMIT, c.gdtr.limit);
    g.put(S_GUEST_IDTR_BASE, c.idtr.base);
    g.put(S_GUEST_IDTR_LIMIT, c.idtr.limit);
}

// 27.5.1-27.5.3 for the host's SysState: flat segments (27.5.2).
void load_host_sys_fields(SysState& c, const Vmcs& v, uint64_t exitc) {
    const bool host64 = exitc & exitc::HostLong;
    if (!load_cr_msrs(c, v, kHostCrMsr, exitc & exitc::LoadPat, exitc & exitc::LoadEfer)) {
        const uint64_t lm = (1u << 10) | (1u << 8);
        c.efer = (c.efer & ~lm) | (host64 ? lm : 0);
    }
    const uint16_t g = 1u << 15, db = 1u << 14;
    c.seg[CS] = {uint16_t(v[S_HOST_CS_SELECTOR]), 0, 0xffffffff,
                 uint16_t(0x9b | g | (host64 ? (1u << 13) : db))};
    c.seg[SS] = {uint16_t(v[S_HOST_SS_SELECTOR]), 0, 0xffffffff, uint16_t(0x93 | g | db)};
    const Slot data[] = {S_HOST_ES_SELECTOR, S_HOST_CS_SELECTOR, S_HOST_SS_SELECTOR, S_HOST_DS_SELECTOR,
                         S_HOST_FS_SELECTOR, S_HOST_GS_SELECTOR};
    for (int i : {int(ES), int(DS), int(FS), int(GS)}) {
        const uint16_t sel = uint16_t(v[data[i]]);
        c.seg[i] = {sel, 0, 0xffffffff, uint16_t(sel ? (0x93 | g | db) : 0)};   // null: unusable
    }
    c.seg[FS].base = v[S_HOST_FS_BASE];
    c.seg[GS].base = v[S_HOST_GS_BASE];
    c.tr = {uint16_t(v[S_HOST_TR_SELECTOR]), v[S_HOST_TR_BASE], 0x67, 0x8b};
    c.ldtr = {0, 0, 0, 0};   // unusable
    c.gdtr = {v[S_HOST_GDTR_BASE], 0xffff};
    c.idtr = {v[S_HOST_IDTR_BASE], 0xffff};
}

} // namespace

// 26.3.2 loading guest state. The SysState part comes from the snapshot
// of the last full load when the fields, the controls and the core's EFER
// and PAT (which the load may keep) are those it was made from.
[[gnu::always_inline]] inline bool VmxInternals::load_guest(Core& c, Vmcs& v, bool sys_in_place) {
    const uint64_t entryc = v[S_VM_ENTRY_CONTROLS];
    const bool ia32e = entryc & entryc::Ia32e;
    if (!sys_in_place &&
        load_sys(c, v.loaded, v.guest_gen, entryc, [&](SysState& sys) { load_guest_sys(sys, v, entryc); }))
        note_round_trip(v);
    if (entryc & entryc::LoadDebug) c.dr[7] = v[S_GUEST_DR7];
    c.rip = v[S_GUEST_RIP];
    c.gpr[4] = v[S_GUEST_RSP];
    c.rflags = v[S_GUEST_RFLAGS];
    c.cpl = (c.cr0 & 1) && !(c.rflags & rflags::VM) ? (c.seg[SS].attr >> 5) & 3 : (c.rflags & rflags::VM ? 3 : 0);
    // PDPTEs for PAE paging: from the VMCS with EPT, else from CR3
    if ((c.cr0 & 0x80000000) && (c.cr4 & (1u << 5)) && !ia32e) {
        if (proc2_of(v) & proc2::Ept) {
            c.pdpte[0] = v[S_GUEST_PDPTE0];
            c.pdpte[1] = v[S_GUEST_PDPTE1];
            c.pdpte[2] = v[S_GUEST_PDPTE2];
            c.pdpte[3] = v[S_GUEST_PDPTE3];
        } else if (!c.load_pdptes()) {
            return false;
        }
    }
    // interruptibility, NMI blocking, activity state
    const uint64_t intr = v[S_GUEST_INTERRUPTIBILITY_INFO];
    if (intr & (intr::BlockSti | intr::BlockMovSs)) c.set_interrupt_shadow();
    c.nmi_blocked = intr & intr::BlockNmi;
    const uint64_t act = v[S_GUEST_ACTIVITY_STATE];
    c.halted = act == HltState || act == WaitSipi || act == ShutdownState;
    c.waiting_sipi = act == WaitSipi;
    return true;
}

// 27.3 saving guest state. The SysState part is not written again while
// the core's equals, byte for byte, the one the last full save wrote out
// and those fields have not changed since.
[[gnu::always_inline]] inline void VmxInternals::save_guest(Core& c, Vmcs& v) {
    const uint64_t exitc = v[S_VM_EXIT_CONTROLS];
    const bool pae_legacy = (c.cr0 & 0x80000000) && (c.cr4 & (1u << 5)) && !c.long_mode();
    {
        ColdSaver g{v};
        if (exitc & exitc::SaveDebug) g.put(S_GUEST_DR7, c.dr[7]);
        if ((proc2_of(v) & proc2::Ept) && pae_legacy) {
            g.put(S_GUEST_PDPTE0, c.pdpte[0]);
            g.put(S_GUEST_PDPTE1, c.pdpte[1]);
            g.put(S_GUEST_PDPTE2, c.pdpte[2]);
            g.put(S_GUEST_PDPTE3, c.pdpte[3]);
        }
    }
    const SysState& sys = c;
    const uint64_t key[3] = {exitc & (exitc::SavePat | exitc::SaveEfer), 0, 0};
    if (!usable(v.saved, v.guest_gen, key) || std::memcmp(&v.saved.s, &sys, sizeof sys) != 0) {
        {
            ColdSaver g{v};
            save_guest_sys(sys, exitc, g);
        }
        take(v.saved, sys, v.guest_gen, key);
        note_round_trip(v);
    }
    // IA32_VMX_MISC bit 5: EFER.LMA goes into the IA-32e mode guest control
    v.set_ctl(S_VM_ENTRY_CONTROLS,
              (v[S_VM_ENTRY_CONTROLS] & ~uint64_t{entryc::Ia32e}) | (c.long_mode() ? entryc::Ia32e : 0));
    HotSaver g{v};
    g.put(S_GUEST_RIP, c.rip);
    g.put(S_GUEST_RSP, c.gpr[4]);
    g.put(S_GUEST_RFLAGS, c.rflags);
    uint64_t intr = 0;
    if (c.interrupt_shadow()) intr |= intr::BlockSti;   // the core does not tell STI from MOV SS
    if (c.nmi_blocked) intr |= intr::BlockNmi;
    if (!(c.rflags & rflags::IF)) intr &= ~uint64_t{intr::BlockSti};
    g.put(S_GUEST_INTERRUPTIBILITY_INFO, intr);
    g.put(S_GUEST_ACTIVITY_STATE, c.waiting_sipi ? WaitSipi : c.halted ? HltState : Active);
    g.put(S_GUEST_PENDING_DBG_EXCEPTIONS, 0);
    if ((exitc & exitc::SavePreemption) && st(c).preempt_on) {
        const Core::VmxState& s = st(c);
        const uint64_t now = c.cycles();
        g.put(S_VMX_PREEMPTION_TIMER_VALUE,
              now >= s.preempt_deadline ? 0 : (s.preempt_deadline - now) >> vmxcap::kPreemptionRate);
    }
    if (g.changed) v.guest_ok = false;
}

// 27.5 loading host state: the registers (27.5.1 RIP, RSP, RFLAGS, DR7;
// 27.5.3 CPL) and the activity state, then the SysState part as
// load_guest's (and PDPTEs for a PAE host).
void VmxInternals::load_host(Core& c, Vmcs& v) {
    load_host_regs(c, v);
    load_host_sys(c, v);
}

void VmxInternals::load_host_regs(Core& c, const Vmcs& v) {
    c.dr[7] = 0x400;
    c.rip = v[S_HOST_RIP];
    c.gpr[4] = v[S_HOST_RSP];
    c.rflags = rflags::FIXED1;
    c.cpl = 0;
    c.halted = false;
    c.waiting_sipi = false;
}

void VmxInternals::load_host_sys(Core& c, Vmcs& v) {
    const uint64_t exitc = v[S_VM_EXIT_CONTROLS];
    const bool host64 = exitc & exitc::HostLong;
    load_sys(c, v.host, v.host_gen, exitc, [&](SysState& sys) { load_host_sys_fields(sys, v, exitc); });
    if ((c.cr0 & 0x80000000) && (c.cr4 & (1u << 5)) && !host64) c.load_pdptes();
}

bool VmxInternals::msr_load_area(Core& c, uint64_t addr, uint32_t count, uint32_t& failed) {
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t e[2] = {};
        failed = i + 1;
        if (!c.mem().read_block(addr + 16 * i, e, 16)) return false;
        const uint32_t msr = uint32_t(e[0]);
        if (e[0] >> 32) return false;                                        // reserved bits
        if (msr == 0xc0000100 || msr == 0xc0000101) return false;            // FS/GS base
        if ((msr >> 8) == 0x8) return false;                                 // x2APIC range
        if (msr == 0x9b || msr == 0x79 || msr == 0x8b) return false;        // SMM monitor, microcode
        if (msr >= 0x480 && msr <= 0x492) return false;                      // VMX capabilities (read-only)
        if (!c.wrmsr(msr, e[1])) return false;
    }
    failed = 0;
    return true;
}

bool VmxInternals::msr_store_area(Core& c, uint64_t addr, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t msr = 0, rsvd = 0;
        if (!c.mem().read_block(addr + 16 * i, &msr, 4) || !c.mem().read_block(addr + 16 * i + 4, &rsvd, 4))
            return false;
        uint64_t val = 0;
        if (rsvd || (msr >> 8) == 0x8 || !c.rdmsr(msr, val)) return false;
        if (!c.mem().write_block(addr + 16 * i + 8, &val, 8)) return false;
    }
    return true;
}

// VPID/EPTP identity of the translations the TLB holds. Without VPID,
// entries and exits flush (the SDM's VPID 0 rule); with one, the guest's
// translations stay, tagged, in the software and the modelled TLB (the SDM
// lets a processor keep them across VM exits and entries), as the host's
// do (tag 0), so a guest resumed after an exit does not walk again.
// Decoded code stays: it is keyed by host-physical page and decode mode,
// neither of which a transition changes, and the fetch TLB that points at
// it is tagged by the context like every other translation.
void VmxInternals::update_tlb_tag(Core& c) {
    uint64_t tag = 0;
    if (c.non_root_) {
        Vmcs& v = *st(c).cur;
        const uint64_t p2 = proc2_of(v);
        const uint64_t vpid = p2 & proc2::Vpid ? (v[S_VIRTUAL_PROCESSOR_ID] & 0xffff) : 0;
        const uint64_t ep = p2 & proc2::Ept ? (v[S_EPT_POINTER] >> 12) & 0xfffffffffull : 0;
        tag = 1 | vpid << 1 | ep << 17;
        if (!vpid) c.flush_tlb();
    } else if (!((c.tlb_tag >> 1) & 0xffff)) {
        c.flush_tlb();
    }
    c.tlb_tag = tag;
    c.update_context();
}

// Which boundary events need a look in non-root (vmx_check_events).
void VmxInternals::arm(Core& c) {
    uint32_t pinc = 0, procc = 0;
    if (c.non_root_) {
        const Vmcs& v = *st(c).cur;
        pinc = uint32_t(v[S_PIN_BASED_VM_EXEC_CONTROL]);
        procc = uint32_t(v[S_CPU_BASED_VM_EXEC_CONTROL]);
    }
    c.vmx_armed_pin_ = pinc & (pin::ExtIntExiting | pin::NmiExiting | pin::VirtualNmis | pin::PreemptionTimer);
    c.vmx_armed_proc_ = procc & (proc::IntWindow | proc::NmiWindow);
    c.vmx_events_only_ = (pinc & pin::ExtIntExiting) && !(pinc & pin::PreemptionTimer) && !c.vmx_armed_proc_;
    c.block_end_ = true;
}

// 26.6 event injection through the guest IDT.
void VmxInternals::inject(Core& c, Vmcs& v) {
    const uint64_t info = v[S_VM_ENTRY_INTR_INFO];
    if (!(info & kIntrValid)) return;
    const uint8_t vector = info & 0xff;
    const unsigned type = (info >> 8) & 7;
    const bool has_error = info & kIntrErrorValid;
    const uint32_t error = uint32_t(v[S_VM_ENTRY_EXCEPTION_ERROR_CODE]);
    Core::EventKind kind = Core::EventKind::External;
    uint64_t ret = c.rip;
    switch (type) {
    case ExtInt: kind = Core::EventKind::External; break;
    case Nmi: kind = Core::EventKind::Nmi; break;
    case HwException: kind = Core::EventKind::Exception; break;
    case SoftInt: kind = Core::EventKind::SoftInt; break;
    case PrivSoftException: kind = Core::EventKind::PrivSoftException; break;
    case SoftException: kind = Core::EventKind::SoftException; break;
    default: return;
    }
    if (type >= SoftInt) ret += v[S_VM_ENTRY_INSTRUCTION_LEN];
    if (type == Nmi) c.nmi_blocked = true;
    c.halted = false;
    // a VM exit during the delivery reports the injected event as IDT vectoring
    Core::VmxState& s = st(c);
    s.injecting = true;
    s.skip_intercept = vector < 32 && (type == HwException || type == SoftException || type == PrivSoftException);
    c.vmx_vectoring = uint32_t(info & 0x80000fff);
    c.vmx_vectoring_error = error;
    c.rip = c.deliver_event(vector, kind, has_error, error, ret);
    s.injecting = false;
    s.skip_intercept = false;
    c.vmx_vectoring = 0;
}

void VmxInternals::entry_failed(Core& c, Vmcs& v, uint32_t reason, uint64_t qual) {
    v[S_VM_EXIT_REASON] = reason | kEntryFailure;
    v[S_EXIT_QUALIFICATION] = qual;
    v[S_VM_EXIT_INTR_INFO] = 0;
    if (c.hw_trace) c.hw_trace->on_hw_event({isa::HwEvent::Kind::VmExit, c.rip, reason | kEntryFailure, {qual, 0, 0, 0}});
    load_host(c, v);
    uint32_t idx = 0;
    msr_load(c, v[S_VMEXIT_MSR_LOAD_ADDR], uint32_t(v[S_VM_EXIT_MSR_LOAD_COUNT]), idx);
    c.non_root_ = false;
    c.ept_on_ = false;
    update_tlb_tag(c);
    arm(c);
}

// The core owes the host state of `v` (its last VM exit's) and still holds
// the SysState that exit saved. A VMRESUME of `v` need load neither when
// nothing those loads read has changed since, and the full load of the
// guest's fields gives back what the save wrote out of the core:
// - the core's EFER and PAT are still the guest's, and the host snapshot
//   was made from the host fields and controls as they are now and those
//   EFER and PAT (the load it owes would copy it);
// - the guest's fields are still those the exit wrote (no generation
//   since), the snapshot of their last full load was made from them and
//   from the controls and EFER and PAT the owed host load leaves, and it
//   equals what the save wrote (Vmcs::round_trip);
// - the controls and host fields have not changed since the entry before
//   (ctl_host_ok), so the checks of the processor's mode pass as then.
bool VmxInternals::resume_in_place(Core& c, Vmcs& v) {
    if (!v.ctl_host_ok || !v.round_trip || v.saved.gen != v.guest_gen) return false;
    const uint64_t exitc = v[S_VM_EXIT_CONTROLS];
    const uint64_t host_key[3] = {exitc, c.efer, c.pat};
    if (!usable(v.host, v.host_gen, host_key)) return false;
    const uint64_t guest_key[3] = {v[S_VM_ENTRY_CONTROLS], v.host.s.efer, v.host.s.pat};
    return usable(v.loaded, v.guest_gen, guest_key);
}

Core::VmxStatus Core::vm_entry(bool launch) {
    // The owed host state is settled unless this entry may skip it; it has
    // CR0.PE, RFLAGS 2, CPL 0 and CS.L equal to EFER.LMA (the entry checks
    // of its fields), so the instruction's #UD/#GP checks pass.
    bool in_place = false;
    if (host_pending_) {
        in_place = !launch && host_pending_ == vmx_->cur && VmxInternals::resume_in_place(*this, *host_pending_);
        if (!in_place) settle_host_now();
    }
    if (!in_place) {
        if (!vmx_on_ || non_root_ || !(cr0 & 1) || (rflags & rflags::VM) ||
            (long_mode() && !(seg[CS].attr & (1u << 13))))
            return V::Ud;
        if (cpl > 0) return V::Gp;
    }
    VmxState& s = vmx();
    // A failure from here on is the host's: its state first.
    auto fail = [&](uint32_t e) {
        settle_host();
        return vmx_fail(e);
    };
    if (!s.cur) return fail(0);
    Vmcs& v = *s.cur;
    if (launch && v.launched) return fail(ErrVmlaunchNotClear);
    if (!launch && !v.launched) return fail(ErrVmresumeNotLaunched);
    // Every control/host check fails with one error number (7 / 8), so the
    // remembered part may be skipped without changing which error comes.
    const bool memo = v.ctl_host_ok;
    if (!memo)
        if (uint32_t e = VmxInternals::check_controls(*this, v)) return fail(e);
    if (uint32_t e = VmxInternals::check_injection(v)) return fail(e);
    if (!memo)
        if (uint32_t e = VmxInternals::check_host(*this, v)) return fail(e);
    v.ctl_host_ok = true;
    // In place, the processor's mode is the owed host state's: its EFER.LMA.
    const bool host_long = in_place ? (v.host.s.efer & (1u << 10)) != 0 : long_mode();
    if (uint32_t e = VmxInternals::check_host_mode(v, host_long)) return fail(e);
    uint64_t qual = 0;
    // The remembered guest-state checks all fail with exit reason 33 and
    // qualification 0, and check_guest keeps the others in their places.
    if (!VmxInternals::check_guest(*this, v, qual, v.guest_ok)) {
        settle_host();
        VmxInternals::entry_failed(*this, v, EntryFailGuest, qual);
        return V::EntryFailed;
    }
    v.guest_ok = true;
    s.host_nmi_blocked = nmi_blocked;
    host_pending_ = nullptr;   // in place: the guest's SysState is the core's
    if (!VmxInternals::load_guest(*this, v, in_place)) {
        VmxInternals::entry_failed(*this, v, EntryFailGuest, 2);
        return V::EntryFailed;
    }
    uint32_t idx = 0;
    if (!VmxInternals::msr_load(*this, v[S_VMENTRY_MSR_LOAD_ADDR], uint32_t(v[S_VM_ENTRY_MSR_LOAD_COUNT]), idx)) {
        VmxInternals::entry_failed(*this, v, EntryFailMsr, idx);
        return V::EntryFailed;
    }
    if (launch) v.launched = true;
    non_root_ = true;
    ept_on_ = proc2_of(v) & proc2::Ept;
    vmexit_stop_ = false;
    s.preempt_on = v[S_PIN_BASED_VM_EXEC_CONTROL] & pin::PreemptionTimer;
    if (s.preempt_on) {
        // the timer counts down by one each time TSC bit `rate` flips
        const uint64_t now = cycles();
        const uint64_t rate = vmxcap::kPreemptionRate;
        const uint64_t next_tick = ((now >> rate) + 1) << rate;
        const uint64_t value = v[S_VMX_PREEMPTION_TIMER_VALUE] & 0xffffffff;
        s.preempt_deadline = value == 0 ? now : next_tick + ((value - 1) << rate);
    }
    if (in_place && ((tlb_tag >> 1) & 0xffff)) {
        // The exit left the guest's context, tagged by a VPID, as it was;
        // its tag and paging configuration have not changed since (the
        // controls and SysState are those of then), only maybe the CPL.
        set_ctx();
    } else {
        VmxInternals::update_tlb_tag(*this);
    }
    VmxInternals::arm(*this);   // ends the block, as update_context does
    // The hardware transition (full system; a hosted vCPU charges its own).
    if (!cfg_.hosted) add_cycles(cfg_.costs.vm_entry);
    if (hw_trace) hw_trace->on_hw_event({isa::HwEvent::Kind::VmEntry, rip, launch ? 1u : 0u, {}});
    if (v[S_VM_ENTRY_INTR_INFO] & kIntrValid) VmxInternals::inject(*this, v);
    return V::Succeed;
}

// 27.2-27.5.
void VmxInternals::exit(Core& c, const ExitInfo& e) {
    Core::VmxState& s = st(c);
    Vmcs& v = *s.cur;
    v[S_VM_EXIT_REASON] = e.reason;
    v[S_EXIT_QUALIFICATION] = e.qual;
    v[S_VM_EXIT_INSTRUCTION_LEN] = e.insn_len;
    v[S_VMX_INSTRUCTION_INFO] = e.insn_info;
    v[S_VM_EXIT_INTR_INFO] = e.intr_info;
    v[S_VM_EXIT_INTR_ERROR_CODE] = e.intr_error;
    if (e.set_gla) v[S_GUEST_LINEAR_ADDRESS] = e.gla;
    if (e.set_gpa) v[S_GUEST_PHYSICAL_ADDRESS] = e.gpa;
    if (c.vmx_vectoring & kIntrValid) {
        v[S_IDT_VECTORING_INFO] = c.vmx_vectoring & 0x80000fffu;
        v[S_IDT_VECTORING_ERROR_CODE] = c.vmx_vectoring_error;
    } else {
        v[S_IDT_VECTORING_INFO] = 0;
    }
    c.vmx_vectoring = 0;
    v.set_ctl(S_VM_ENTRY_INTR_INFO, v[S_VM_ENTRY_INTR_INFO] & ~uint64_t{kIntrValid});
    if (c.hw_trace)
        c.hw_trace->on_hw_event({isa::HwEvent::Kind::VmExit, c.rip, e.reason,
                                 {e.qual, e.set_gpa ? e.gpa : 0, e.set_gla ? e.gla : 0, e.insn_len}});
    save_guest(c, v);
    msr_store(c, v[S_VMEXIT_MSR_STORE_ADDR], uint32_t(v[S_VM_EXIT_MSR_STORE_COUNT]));
    // Hosted, with no MSR to load after it: the host's SysState is owed
    // (Core::settle_host); its registers are loaded now.
    const bool owe = c.config().hosted && v[S_VM_EXIT_MSR_LOAD_COUNT] == 0;
    load_host_regs(c, v);
    if (owe) c.host_pending_ = &v;
    else load_host_sys(c, v);
    uint32_t idx = 0;
    if (!msr_load(c, v[S_VMEXIT_MSR_LOAD_ADDR], uint32_t(v[S_VM_EXIT_MSR_LOAD_COUNT]), idx)) {
        // VMX abort (27.7): indicator 1 in the VMCS region, then shutdown
        uint32_t abort = 1;
        c.mem().write_block(c.vmptrst() + 4, &abort, 4);
        c.shutdown = true;
    }
    // an exit due to an NMI leaves NMIs blocked; otherwise the host's blocking
    c.nmi_blocked = (e.reason == ExceptionNmi && ((e.intr_info >> 8) & 7) == Nmi) || s.host_nmi_blocked;
    s.preempt_on = false;
    c.non_root_ = false;
    c.ept_on_ = false;
    if (!owe) update_tlb_tag(c);
    arm(c);
    if (c.config().hosted) c.vmexit_stop_ = true;
    else c.add_cycles(c.costs().vm_exit);   // the hardware transition (a hosted vCPU charges its own)
}

void Core::settle_host_now() {
    Vmcs& v = *host_pending_;
    host_pending_ = nullptr;
    VmxInternals::load_host_sys(*this, v);
    VmxInternals::update_tlb_tag(*this);
}

void Core::vm_exit(uint32_t reason, uint64_t qual, uint32_t insn_len, uint32_t insn_info) {
    if (!non_root_) return;
    VmxInternals::ExitInfo e;
    e.reason = reason;
    e.qual = qual;
    e.insn_len = insn_len;
    e.insn_info = insn_info;
    VmxInternals::exit(*this, e);
}

} // namespace hvemu::x86
