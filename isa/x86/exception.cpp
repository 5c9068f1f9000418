// Exceptions and interrupts: delivery through the real-mode IVT and the
// protected-mode / IA-32e IDT (interrupt and trap gates, privilege change
// with the stack from the TSS, IST), error codes, the double-fault rules
// and the triple fault, and the events taken at instruction boundaries
// (NMI, INTR from the InterruptController or the pin, INIT, SIPI) with
// the STI/MOV SS interrupt shadow.
#include "isa/x86/paging_bits.hpp"
#include "isa/x86/sys_internal.hpp"

namespace hvemu::x86 {

namespace {

constexpr uint8_t kDF = 8, kTS = 10, kNP = 11, kSS = 12, kGP = 13, kPF = 14;

// VMX interruption types: 0 external, 2 NMI, 3 hardware exception, 4
// software interrupt, 5 privileged software exception, 6 software exception.
uint8_t vmx_type(Core::EventKind k) {
    switch (k) {
    case Core::EventKind::External: return 0;
    case Core::EventKind::Nmi: return 2;
    case Core::EventKind::SoftInt: return 4;
    case Core::EventKind::PrivSoftException: return 5;
    case Core::EventKind::SoftException: return 6;
    default: return 3;
    }
}

bool contributory(uint8_t v) { return v == 0 || (v >= 10 && v <= 13); }

// The SDM's double-fault table: a second exception while delivering the
// first is a #DF when both are contributory or the first is a #PF and the
// second contributory or a #PF; otherwise they are handled serially.
bool makes_double_fault(uint8_t first, uint8_t second) {
    if (contributory(first)) return contributory(second);
    if (first == kPF) return contributory(second) || second == kPF;
    return false;
}

struct Delivery {
    Core& c;
    uint8_t vector;
    Core::EventKind kind;
    bool has_error;
    uint32_t error;
    uint64_t ret_rip;
    uint32_t ext() const {
        return kind == Core::EventKind::SoftInt || kind == Core::EventKind::SoftException ? 0 : 1;
    }
    uint32_t idt_err() const { return vector * 8u + 2 + ext(); }

    bool real_mode(Fault& f);
    bool protected_mode(Fault& f);
    bool long_mode(Fault& f);
    void finish(bool interrupt_gate);
};

// RFLAGS after entering a handler.
void Delivery::finish(bool interrupt_gate) {
    c.rflags &= ~(rflags::TF | rflags::NT | rflags::RF | rflags::VM);
    if (interrupt_gate) c.rflags &= ~rflags::IF;
    c.halted = false;
    c.update_context();
}

bool Delivery::real_mode(Fault& f) {
    if (vector * 4u + 3 > c.idtr.limit) {
        f = gp_fault(idt_err());
        return false;
    }
    uint64_t vec = 0;
    Translation t;
    if (!c.read_linear(c.idtr.base + vector * 4u, 4, vec, false, t)) {
        f = page_fault(t, t.gpa);
        return false;
    }
    const uint64_t frame[3] = {c.rflags & 0xffff, c.seg[CS].selector, ret_rip & 0xffff};
    uint64_t sp = c.gpr[4];
    if (!SysInternals::push(c, c.seg[SS], sp, 2, frame, 3, 2, false, 0, f)) return false;
    c.gpr[4] = (c.gpr[4] & ~0xffffull) | (sp & 0xffff);
    c.seg[CS].selector = static_cast<uint16_t>(vec >> 16);
    c.seg[CS].base = (vec >> 16) << 4;
    c.rip = vec & 0xffff;
    c.rflags &= ~(rflags::AC);
    finish(true);
    return true;
}

// The gate's target code segment and, for an inner privilege, the stack
// from the TSS. Shared by protected mode and IA-32e mode.
bool Delivery::protected_mode(Fault& f) {
    if (vector * 8u + 7 > c.idtr.limit) {
        f = gp_fault(idt_err());
        return false;
    }
    Descriptor g;
    Translation t;
    if (!c.read_linear(c.idtr.base + vector * 8u, 8, g.lo, false, t)) {
        f = page_fault(t, t.gpa);
        return false;
    }
    const unsigned type = g.type();
    const bool gate32 = type == 0xe || type == 0xf;
    if (g.s() || !(gate32 || type == 0x6 || type == 0x7)) {   // task gates: not implemented
        f = gp_fault(idt_err());
        return false;
    }
    if (kind == Core::EventKind::SoftInt || kind == Core::EventKind::SoftException) {
        if (g.dpl() < c.cpl) {
            f = gp_fault(idt_err());
            return false;
        }
    }
    if (!g.present()) {
        f = fault_of(kNP, idt_err());
        return false;
    }
    const uint16_t sel = g.gate_selector();
    if ((sel & 0xfffc) == 0) {
        f = gp_fault(ext());
        return false;
    }
    Descriptor d;
    if (!SysInternals::read_descriptor(c, sel, false, d, f, ext())) return false;
    if (!d.code() || d.dpl() > c.cpl) {
        f = gp_fault((sel & 0xfffcu) | ext());
        return false;
    }
    if (!d.present()) {
        f = fault_of(kNP, (sel & 0xfffcu) | ext());
        return false;
    }
    const unsigned size = gate32 ? 4 : 2;
    uint64_t offset = g.gate_offset(false);
    if (!gate32) offset &= 0xffff;
    if (offset > d.limit()) {
        f = gp_fault(0);
        return false;
    }
    const unsigned new_cpl = d.conforming() ? c.cpl : d.dpl();
    uint64_t frame[6];
    unsigned n = 0;
    Segment ss = c.seg[SS];
    uint64_t sp = c.gpr[4];
    unsigned asz = c.stack_addr_size();
    if (new_cpl < c.cpl) {
        // Inner privilege: SS:ESP for new_cpl from the 32-bit (or 16-bit) TSS.
        const bool tss32 = (c.tr.attr & 0xf) == 0xb || (c.tr.attr & 0xf) == 9;
        const uint32_t at = tss32 ? 4 + 8 * new_cpl : 2 + 4 * new_cpl;
        const unsigned w = tss32 ? 4 : 2;
        if (at + 2 * w - 1 > c.tr.limit) {
            f = fault_of(kTS, (c.tr.selector & 0xfffcu) | ext());
            return false;
        }
        uint64_t nsp = 0, nss = 0;
        if (!c.read_linear(c.tr.base + at, w, nsp, false, t) || !c.read_linear(c.tr.base + at + w, 2, nss, false, t)) {
            f = page_fault(t, t.gpa);
            return false;
        }
        const uint16_t ssel = static_cast<uint16_t>(nss);
        const uint32_t terr = (ssel & 0xfffcu) | ext();
        if ((ssel & 0xfffc) == 0) {
            f = fault_of(kTS, ext());
            return false;
        }
        Descriptor sd;
        Fault sf;
        if (!SysInternals::read_descriptor(c, ssel, false, sd, sf, ext())) {
            f = sf.page ? sf : fault_of(kTS, terr);
            return false;
        }
        if ((ssel & 3u) != new_cpl || sd.dpl() != new_cpl || !sd.writable()) {
            f = fault_of(kTS, terr);
            return false;
        }
        if (!sd.present()) {
            f = fault_of(kSS, terr);
            return false;
        }
        frame[n++] = c.seg[SS].selector;
        frame[n++] = c.gpr[4] & (size == 4 ? 0xffffffffull : 0xffff);
        ss = SysInternals::to_segment(ssel, sd);
        sp = nsp;
        asz = sd.db() ? 4 : 2;
        f = Fault{};
        frame[n++] = c.rflags;
        frame[n++] = c.seg[CS].selector;
        frame[n++] = ret_rip;
        if (has_error) frame[n++] = error;
        if (!SysInternals::push(c, ss, sp, asz, frame, n, size, false, terr, f)) return false;
        SysInternals::set_accessed(c, ssel, sd);
        c.seg[SS] = ss;
    } else {
        frame[n++] = c.rflags;
        frame[n++] = c.seg[CS].selector;
        frame[n++] = ret_rip;
        if (has_error) frame[n++] = error;
        if (!SysInternals::push(c, ss, sp, asz, frame, n, size, c.cpl == 3, 0, f)) return false;
    }
    const uint64_t m = SysInternals::ip_mask(asz);
    c.gpr[4] = (c.gpr[4] & ~m) | (sp & m);
    SysInternals::set_accessed(c, sel, d);
    c.seg[CS] = SysInternals::to_segment(static_cast<uint16_t>((sel & 0xfffc) | new_cpl), d);
    c.cpl = static_cast<uint8_t>(new_cpl);
    c.rip = offset;
    finish((type & 1) == 0);
    return true;
}

bool Delivery::long_mode(Fault& f) {
    if (vector * 16u + 15 > c.idtr.limit) {
        f = gp_fault(idt_err());
        return false;
    }
    Descriptor g;
    Translation t;
    if (!c.read_linear(c.idtr.base + vector * 16u, 8, g.lo, false, t) ||
        !c.read_linear(c.idtr.base + vector * 16u + 8, 8, g.hi, false, t)) {
        f = page_fault(t, t.gpa);
        return false;
    }
    const unsigned type = g.type();
    if (g.s() || (type != 0xe && type != 0xf)) {
        f = gp_fault(idt_err());
        return false;
    }
    if ((kind == Core::EventKind::SoftInt || kind == Core::EventKind::SoftException) && g.dpl() < c.cpl) {
        f = gp_fault(idt_err());
        return false;
    }
    if (!g.present()) {
        f = fault_of(kNP, idt_err());
        return false;
    }
    const uint16_t sel = g.gate_selector();
    if ((sel & 0xfffc) == 0) {
        f = gp_fault(ext());
        return false;
    }
    Descriptor d;
    if (!SysInternals::read_descriptor(c, sel, false, d, f, ext())) return false;
    if (!d.code() || d.dpl() > c.cpl || !d.l() || d.db()) {
        f = gp_fault((sel & 0xfffcu) | ext());
        return false;
    }
    if (!d.present()) {
        f = fault_of(kNP, (sel & 0xfffcu) | ext());
        return false;
    }
    const uint64_t offset = g.gate_offset(true);
    if (static_cast<uint64_t>(static_cast<int64_t>(offset << 16) >> 16) != offset) {
        f = gp_fault(ext());
        return false;
    }
    const unsigned new_cpl = d.conforming() ? c.cpl : d.dpl();
    uint64_t sp = c.gpr[4];
    const unsigned ist = g.gate_ist();
    const bool switch_stack = new_cpl < c.cpl || ist != 0;
    if (switch_stack) {
        // The 64-bit TSS: RSP0-2 at 4, IST1-7 at 0x24.
        const uint32_t at = ist ? 0x24 + 8 * (ist - 1) : 4 + 8 * new_cpl;
        if (at + 7 > c.tr.limit) {
            f = fault_of(kTS, (c.tr.selector & 0xfffcu) | ext());
            return false;
        }
        if (!c.read_linear(c.tr.base + at, 8, sp, false, t)) {
            f = page_fault(t, t.gpa);
            return false;
        }
    }
    sp &= ~uint64_t{15};   // IA-32e mode aligns the new stack frame
    uint64_t frame[6];
    unsigned n = 0;
    frame[n++] = c.seg[SS].selector;
    frame[n++] = c.gpr[4];
    frame[n++] = c.rflags;
    frame[n++] = c.seg[CS].selector;
    frame[n++] = ret_rip;
    if (has_error) frame[n++] = error;
    Segment ss = c.seg[SS];
    if (!SysInternals::push(c, ss, sp, 8, frame, n, 8, new_cpl == 3, 0, f)) return false;
    if (new_cpl < c.cpl) c.seg[SS] = Segment{static_cast<uint16_t>(new_cpl), 0, 0, static_cast<uint16_t>((new_cpl << 5) | 0x13)};
    c.gpr[4] = sp;
    SysInternals::set_accessed(c, sel, d);
    c.seg[CS] = SysInternals::to_segment(static_cast<uint16_t>((sel & 0xfffc) | new_cpl), d);
    c.cpl = static_cast<uint8_t>(new_cpl);
    c.rip = offset;
    finish(type == 0xe);
    return true;
}

} // namespace

uint64_t Core::raise(uint8_t vector, bool has_error, uint32_t error) {
    return deliver_event(vector, EventKind::Exception, has_error, error, rip);
}

uint64_t Core::raise_translation_fault(const Translation& t, uint64_t linear) {
    if (t.ept_violation || t.ept_misconfig) return ept_fault_exit(t, linear);
    // A #PF that exits leaves CR2 alone (the qualification has the address).
    if (in_non_root() && intercept_exception(14, true, t.error_code, linear)) return rip;
    cr2 = linear;
    return raise(t.vector == 0xff ? 14 : t.vector, true, t.error_code);
}

uint64_t Core::deliver_event(uint8_t vector, EventKind kind, bool has_error, uint32_t error, uint64_t ret_rip) {
    // Error codes exist only for exceptions (#DF, #TS, #NP, #SS, #GP, #PF, #AC).
    if (kind != EventKind::Exception) has_error = false;
    ++exceptions_taken;
    if (hw_trace && (kind == EventKind::External || kind == EventKind::Nmi))
        hw_trace->on_hw_event({isa::HwEvent::Kind::Irq, ret_rip, vector, {kind == EventKind::Nmi ? 1u : 0u, 0, 0, 0}});
    if (in_non_root() && vector < 32 && kind != EventKind::External && kind != EventKind::Nmi &&
        kind != EventKind::SoftInt && intercept_exception(vector, has_error, error, vector == 14 ? cr2 : 0, vmx_type(kind)))
        return rip;
    for (unsigned round = 0; round < 8; ++round) {
        Delivery d{*this, vector, kind, has_error, error, ret_rip};
        Fault f;
        bool ok;
        if (in_non_root()) {
            vmx_vectoring = (1u << 31) | vector | (uint32_t{vmx_type(kind)} << 8) | (has_error ? 1u << 11 : 0);
            vmx_vectoring_error = error;
        }
        if (!protected_mode()) ok = d.real_mode(f);
        else if (long_mode()) ok = d.long_mode(f);
        else ok = d.protected_mode(f);
        if (in_non_root() && f.page && (f.t.ept_violation || f.t.ept_misconfig)) {
            ept_fault_exit(f.t, f.linear);   // reports the vectoring information
            vmx_vectoring = 0;
            return rip;
        }
        vmx_vectoring = 0;
        if (ok) {
            add_cycles(cfg_.costs.trap_entry);
            end_block();
            return rip;
        }
        // A fault while delivering: #DF, the triple fault, or the new fault.
        if (f.page && (f.t.ept_violation || f.t.ept_misconfig)) return ept_fault_exit(f.t, f.linear);
        const uint8_t second = f.page ? kPF : f.vector;
        const bool first_exc = kind == EventKind::Exception;
        if (first_exc && vector == kDF) return triple_fault();
        if (f.page) cr2 = f.linear;
        const bool dbl = first_exc && makes_double_fault(vector, second);
        // In non-root operation the second exception may exit on its own.
        if (in_non_root() && !dbl && intercept_exception(second, f.has_error || f.page, f.page ? f.t.error_code : f.error,
                                                         f.page ? f.linear : 0, 3))
            return rip;
        if (in_non_root() && dbl && intercept_exception(kDF, true, 0, 0, 3)) return rip;
        kind = EventKind::Exception;
        ret_rip = rip;
        vector = dbl ? kDF : second;
        has_error = dbl || f.has_error || f.page;
        error = dbl ? 0 : f.page ? f.t.error_code : f.error;
    }
    return triple_fault();
}

uint64_t Core::triple_fault() {
    if (in_non_root() && intercept_triple_fault()) return rip;
    shutdown = true;
    end_block();
    return rip;
}

uint64_t Core::ept_fault_exit(const Translation& t, uint64_t linear) {
    ept_exit(t, linear, true);
    return rip;
}

// ---- events at instruction boundaries -----------------------------------------------------

void Core::set_interrupt_shadow() {
    // Blocks interrupts until the instruction after this one has completed.
    shadow_until_ = icount() + 2;
}

bool Core::wakeup_pending() {
    if (init_pending_) return true;
    if (waiting_sipi) return false;
    if (nmi_pending_) return true;
    if (!(rflags & rflags::IF)) return false;
    return intr_ || (apic_ && apic_->has_interrupt());
}

void Core::check_pending_events() {
    if (in_non_root() && vmx_check_events()) return;
    if (init_pending_) {
        if (in_non_root()) {
            init_pending_ = false;
            intercept_init();
            return;
        }
        if (in_vmx()) return;   // INIT is blocked in VMX root operation
        init_pending_ = false;
        enter_init_state();
        return;
    }
    if (waiting_sipi) return;
    if (shadow_until_ > icount()) return;
    if (nmi_pending_ && !nmi_blocked) {
        nmi_pending_ = false;
        nmi_blocked = true;
        halted = false;
        deliver_event(2, EventKind::Nmi, false, 0, rip);
        return;
    }
    if (!(rflags & rflags::IF)) return;
    if (apic_ && apic_->has_interrupt()) {
        halted = false;
        deliver_event(apic_->acknowledge(), EventKind::External, false, 0, rip);
        return;
    }
    if (intr_) {
        // The 8259 answers INTA with its vector; the pin stays asserted
        // until the platform lowers it.
        halted = false;
        deliver_event(intr_vector, EventKind::External, false, 0, rip);
    }
}

void Core::deliver_init() {
    init_pending_ = true;
    end_block();
}

void Core::deliver_sipi(uint8_t vector) {
    if (in_non_root() && intercept_sipi(vector)) return;
    if (!waiting_sipi) return;   // a SIPI outside wait-for-SIPI is ignored
    waiting_sipi = false;
    halted = false;
    seg[CS].selector = static_cast<uint16_t>(vector << 8);
    seg[CS].base = uint64_t{vector} << 12;
    rip = 0;
    end_block();
}

// INIT: the processor state of the SDM's INIT column (MSRs, caches and
// x87/SSE state are kept); the BSP restarts at the reset vector, an AP
// waits for a SIPI.
void Core::enter_init_state() {
    using namespace paging;
    for (auto& r : gpr) r = 0;
    gpr[2] = 0x000506e3;   // EDX: family/model/stepping, as CPUID leaf 1 EAX
    rflags = rflags::FIXED1;
    rip = 0xfff0;
    cr0 = (cr0 & (kCr0Cd | kCr0Nw)) | kCr0Et;
    cr2 = cr3 = cr4 = 0;
    efer = 0;
    cpl = 0;
    for (unsigned s = 0; s < 6; ++s) seg[s] = Segment{0, 0, 0xffff, static_cast<uint16_t>(s == CS ? 0x9b : 0x93)};
    seg[CS].selector = 0xf000;
    seg[CS].base = 0xffff0000;
    gdtr = idtr = DescTable{0, 0xffff};
    ldtr = Segment{0, 0, 0xffff, 0x82};
    tr = Segment{0, 0, 0xffff, 0x8b};
    dr[0] = dr[1] = dr[2] = dr[3] = 0;
    dr[6] = 0xffff0ff0;
    dr[7] = 0x400;
    nmi_blocked = false;
    shadow_until_ = 0;
    halted = !cfg_.bsp;
    waiting_sipi = !cfg_.bsp;
    flush_tlb();
    update_context();
}

} // namespace hvemu::x86
