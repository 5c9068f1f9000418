// The VMCS store. Hardware keeps a VMCS in memory in an implementation-
// specific format and caches the active ones on the processor; so does the
// model: an active VMCS lives in a C++ cache keyed by its physical address,
// VMCLEAR writes it back into its region (after the revision identifier and
// abort indicator) and drops it from the cache, and VMPTRLD of a VMCS that
// is not cached reads that image back.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "isa/common/phys_mem.hpp"
#include "isa/x86/sys_state.hpp"
#include "isa/x86/vmcs_fields.hpp"
#include "isa/x86/vmx_defs.hpp"

namespace hvemu::x86 {

namespace vmcs {
// The bits of each field that the remembered guest-state checks read
// (VmxInternals::check_guest; Vmcs::guest_ok): every guest-state field
// whole, but RIP and RSP (RIP is checked at every entry, RSP never),
// RFLAGS but its status, IOPL, NT, RF, AC, VIF, VIP and ID bits (no check
// reads them), and the preemption timer value; of the controls, the
// secondary-controls bit of the primary ones, the secondary controls and
// the VM-entry controls (the event-injection fields and the pin-based
// controls are read by the checks that run at every entry).
// CF PF AF ZF SF DF OF, IOPL, NT, RF, AC, VIF, VIP, ID
constexpr uint64_t kRflagsUnchecked = 0x3d7cd5;
constexpr uint64_t guest_memo_bits(unsigned s) {
    switch (kSlotEncoding[s]) {
    case GUEST_RIP: case GUEST_RSP: case VMX_PREEMPTION_TIMER_VALUE: return 0;
    case GUEST_RFLAGS: return ~kRflagsUnchecked;
    case CPU_BASED_VM_EXEC_CONTROL: return vmx::proc::Secondary;
    case SECONDARY_VM_EXEC_CONTROL: case VM_ENTRY_CONTROLS: return ~uint64_t{0};
    default: return kSlotKind[s] == FieldKind::Guest ? ~uint64_t{0} : 0;
    }
}
struct MemoMasks {
    uint64_t m[kSlotCount];
};
constexpr MemoMasks make_guest_memo_masks() {
    MemoMasks t{};
    for (unsigned i = 0; i < kSlotCount; ++i) t.m[i] = guest_memo_bits(i);
    return t;
}
inline constexpr MemoMasks kGuestMemo = make_guest_memo_masks();

// The guest-state fields every VM exit saves and every VM entry loads one
// by one (vmx_transition.cpp); a write of any other guest-state field
// counts as a change of the guest's SysState (Vmcs::guest_gen).
constexpr bool hot_guest_field(unsigned s) {
    switch (kSlotEncoding[s]) {
    case GUEST_RIP: case GUEST_RSP: case GUEST_RFLAGS: case GUEST_INTERRUPTIBILITY_INFO: case GUEST_ACTIVITY_STATE:
    case GUEST_PENDING_DBG_EXCEPTIONS: case VMX_PREEMPTION_TIMER_VALUE: return true;
    default: return false;
    }
}
// 1: a write changes Vmcs::guest_gen, 2: Vmcs::host_gen.
struct GenMasks {
    uint8_t m[kSlotCount];
};
constexpr GenMasks make_gen_masks() {
    GenMasks t{};
    for (unsigned i = 0; i < kSlotCount; ++i)
        t.m[i] = kSlotKind[i] == FieldKind::Guest && !hot_guest_field(i) ? 1 : kSlotKind[i] == FieldKind::Host ? 2 : 0;
    return t;
}
inline constexpr GenMasks kGen = make_gen_masks();
} // namespace vmcs

// The SysState a VM transition with this VMCS left in the core, and what it
// was made from: the generation of the fields it came from or went to, and
// the other inputs (controls, the core's EFER and PAT before it).
struct SysSnapshot {
    SysState s;
    uint64_t gen = 0;   // 0: none (generations start at 1)
    uint64_t key[3] = {};
};

struct Vmcs {
    std::array<uint64_t, vmcs::kSlotCount> f{};
    bool launched = false;
    // The guest-state checks that read only VMCS fields (all but RIP's, the
    // event injection's and the VMCS link pointer's read of memory) passed
    // with the bits of vmcs::kGuestMemo those fields hold now. Whoever
    // changes one of those bits clears it (vmcs_write, set_ctl, the VM
    // exit's save of guest state, a debugger through VmxInternals::cur).
    bool guest_ok = false;
    // The VM-entry checks of the control and host-state fields that depend
    // on nothing else (vmx_entry_checks.cpp) passed with the values those
    // fields hold now. Whoever changes a control or host-state field clears
    // it (vmcs_write, set_ctl; a debugger's write through VmxInternals::cur).
    bool ctl_host_ok = false;
    // Generations of the guest-state fields but the hot ones
    // (vmcs::hot_guest_field) and of the host-state fields: whoever changes
    // one of them moves its generation on (vmcs_write; the VM exit's save;
    // a debugger through VmxInternals::cur). A VM transition whose fields
    // and other inputs are those of a snapshot copies the snapshot's
    // SysState instead of converting field by field (vmx_transition.cpp):
    // `saved` is the guest's SysState the last full save wrote out (the
    // fields hold what saving it gives), `loaded` what the last full load
    // of the guest's fields made, `host` the same for the host's.
    uint64_t guest_gen = 1, host_gen = 1;
    SysSnapshot saved, loaded, host;
    // `loaded` was made from the fields `saved` wrote and equals it: a
    // full load of those fields gives back the SysState saved
    // (VmxInternals::resume_in_place). Kept whenever either is taken.
    bool round_trip = false;
    uint64_t& operator[](vmcs::Slot s) { return f[s]; }
    uint64_t operator[](vmcs::Slot s) const { return f[s]; }
    // A write of a control field by the processor itself (VM exit).
    void set_ctl(vmcs::Slot s, uint64_t v) {
        if (f[s] != v) ctl_host_ok = false;
        if ((f[s] ^ v) & vmcs::kGuestMemo.m[s]) guest_ok = false;
        f[s] = v;
    }
};

// VMREAD / VMWRITE of `field` in `v`, once the instruction's #UD, #GP and
// VMfailInvalid checks have passed: 0, or the VM-instruction error it
// fails with (VMfailValid; nothing changed).
inline uint32_t vmcs_read(const Vmcs& v, uint64_t field, uint64_t& value) {
    bool high = false;
    const int slot = vmcs_slot(field, high);
    if (slot < 0) return vmx::ErrUnsupportedField;
    value = high ? v.f[size_t(slot)] >> 32 : v.f[size_t(slot)];
    return 0;
}
inline uint32_t vmcs_write(Vmcs& v, uint64_t field, uint64_t value) {
    bool high = false;
    const int slot = vmcs_slot(field, high);
    if (slot < 0) return vmx::ErrUnsupportedField;
    const FieldKind kind = vmcs::kSlotKind[slot];
    if (kind == FieldKind::Ro) return vmx::ErrReadOnlyField;   // IA32_VMX_MISC bit 29 is 0
    uint64_t& dst = v.f[size_t(slot)];
    uint64_t now = value;
    if (high) {
        now = (dst & 0xffffffffull) | (value & 0xffffffffull) << 32;
    } else {
        switch (vmcs::kSlotWidth[slot]) {
        case FieldWidth::W16: now = value & 0xffff; break;
        case FieldWidth::W32: now = value & 0xffffffffull; break;
        case FieldWidth::W64:
            // a 32-bit VMWRITE of the full form leaves the high half zero,
            // which is what a 32-bit register operand already is
        case FieldWidth::Natural: break;
        }
    }
    if ((kind == FieldKind::Ctl || kind == FieldKind::Host) && dst != now) v.ctl_host_ok = false;
    if ((dst ^ now) & vmcs::kGuestMemo.m[slot]) v.guest_ok = false;
    if (dst != now) {
        if (vmcs::kGen.m[slot] == 1) ++v.guest_gen;
        else if (vmcs::kGen.m[slot] == 2) ++v.host_gen;
    }
    dst = now;
    return 0;
}

class VmcsStore {
public:
    // The active VMCS at `pa`: the cached one, else the image in memory (a
    // region never VMCLEARed reads as all fields zero, launch state clear).
    Vmcs& load(isa::PhysMem& mem, uint64_t pa);
    // VMCLEAR: write the image back to memory, launch state clear.
    void clear(isa::PhysMem& mem, uint64_t pa);
    // Whether `pa` holds an active (cached) VMCS.
    bool active(uint64_t pa) const { return cache_.count(pa) != 0; }
    void drop_all() { cache_.clear(); }

    // Memory image layout after the 8-byte header.
    static constexpr uint64_t kImageMagicOffset = 8;
    static constexpr uint64_t kImageLaunchOffset = 12;
    static constexpr uint64_t kImageFieldsOffset = 16;
    static constexpr uint32_t kImageMagic = 0x434d5648;   // "HVMC"

private:
    std::unordered_map<uint64_t, std::unique_ptr<Vmcs>> cache_;
};
static_assert(VmcsStore::kImageFieldsOffset + 8 * vmcs::kSlotCount <= 4096);

} // namespace hvemu::x86
