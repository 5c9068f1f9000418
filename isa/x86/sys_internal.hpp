// Shared by the x86 system files: faults as values (so that event delivery
// can apply the double-fault rules), descriptors, and stack accesses on a
// segment that need not be loaded yet (privilege changes).
#pragma once
#include <cstdint>

#include "isa/x86/core.hpp"

namespace hvemu::x86 {

// An exception found by a system operation, not yet raised.
struct Fault {
    uint8_t vector = 0xff;
    bool has_error = false;
    uint32_t error = 0;
    bool page = false;        // a failed translation: #PF (CR2 = linear) or an EPT exit
    uint64_t linear = 0;
    Translation t;
    bool none() const { return vector == 0xff && !page; }
};
inline Fault fault_of(uint8_t v, uint32_t e) {
    Fault f;
    f.vector = v;
    f.has_error = true;
    f.error = e;
    return f;
}
inline Fault gp_fault(uint32_t e) { return fault_of(13, e); }
inline Fault page_fault(const Translation& t, uint64_t linear) {
    Fault f;
    f.page = true;
    f.linear = linear;
    f.t = t;
    f.vector = t.vector;
    return f;
}
// Raise `f` for the current instruction; returns the new rip.
uint64_t raise_fault(Core& c, const Fault& f);

// A segment descriptor as stored (8 bytes; system descriptors of IA-32e
// mode have a second quadword).
struct Descriptor {
    uint64_t lo = 0, hi = 0;
    unsigned type() const { return (lo >> 40) & 0xf; }
    bool s() const { return (lo >> 44) & 1; }
    unsigned dpl() const { return (lo >> 45) & 3; }
    bool present() const { return (lo >> 47) & 1; }
    bool code() const { return s() && (type() & 8); }
    bool data() const { return s() && !(type() & 8); }
    bool conforming() const { return code() && (type() & 4); }
    bool readable() const { return code() ? (type() & 2) : true; }
    bool writable() const { return data() && (type() & 2); }
    bool l() const { return (lo >> 53) & 1; }
    bool db() const { return (lo >> 54) & 1; }
    uint64_t base() const { return ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (s() ? 0 : (hi & 0xffffffffull) << 32); }
    uint32_t limit() const {
        const uint32_t l = static_cast<uint32_t>((lo & 0xffff) | ((lo >> 32) & 0xf0000));
        return (lo >> 55) & 1 ? (l << 12) | 0xfff : l;
    }
    uint16_t attr() const { return static_cast<uint16_t>(((lo >> 40) & 0xff) | (((lo >> 52) & 0xf) << 12)); }
    // Gates: target selector, offset (IA-32e: 64-bit), IST.
    uint16_t gate_selector() const { return static_cast<uint16_t>(lo >> 16); }
    uint64_t gate_offset(bool wide) const {
        uint64_t o = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull);
        if (wide) o |= (hi & 0xffffffffull) << 32;
        return o;
    }
    unsigned gate_ist() const { return (lo >> 32) & 7; }
    unsigned gate_params() const { return (lo >> 32) & 0x1f; }
};

// Segment attr (VMCS access-rights layout) fields.
constexpr uint16_t kAttrP = 1u << 7, kAttrL = 1u << 13, kAttrDb = 1u << 14;
inline unsigned attr_dpl(uint16_t a) { return (a >> 5) & 3; }

struct SysInternals {
    // The descriptor `sel` names (GDT or LDT), system access. `wide`: read
    // 16 bytes (IA-32e system descriptors and gates). Fault: #GP(sel) past
    // the table limit (err_ext adds the EXT bit), or a page fault.
    static bool read_descriptor(Core& c, uint16_t sel, bool wide, Descriptor& d, Fault& f, uint32_t ext = 0);
    // Set the accessed bit of a code/data descriptor in memory.
    static void set_accessed(Core& c, uint16_t sel, Descriptor& d);
    static Segment to_segment(uint16_t sel, const Descriptor& d);
    // Stack accesses on `ss` (not necessarily loaded) at stack-address size
    // `asz`: n values of `size` bytes pushed below sp (v[0] first), all
    // checked before any is written. ss_err: the #SS error code.
    static bool push(Core& c, const Segment& ss, uint64_t& sp, unsigned asz, const uint64_t* v, unsigned n,
                     unsigned size, bool user, uint32_t ss_err, Fault& f);
    static bool pop(Core& c, const Segment& ss, uint64_t& sp, unsigned asz, uint64_t* v, unsigned n, unsigned size,
                    bool user, Fault& f);
    static uint64_t ip_mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }
    // Event-delivery state that lives in Core's private part.
    static uint64_t& shadow(Core& c) { return c.shadow_until_; }
    static bool& init_pending(Core& c) { return c.init_pending_; }
    static bool& intr(Core& c) { return c.intr_; }
    static bool& nmi_pending(Core& c) { return c.nmi_pending_; }
    static bool irq_masked(Core& c) { return c.irq_masked_; }
};

} // namespace hvemu::x86
