// System instruction handlers: the checks in the SDM's order (#UD, then
// privilege, then the VM exit in non-root operation, then operand checks),
// then the semantics in system.cpp, segment.cpp, msr.cpp, cpuid.cpp.
#include "isa/x86/exec.hpp"
#include "isa/x86/paging_bits.hpp"

namespace hvemu::x86 {

using namespace x;
using namespace paging;

namespace {

unsigned io_width(const Insn& i) { return i.opsz == kSz8 ? 1 : i.opsz == kSz16 ? 2 : 4; }
unsigned iopl(const Core& c) { return (c.rflags & rflags::IOPL) >> 12; }
bool umip_blocks(const Core& c) { return (c.cr4 & kCr4Umip) && c.cpl > 0; }
bool real_or_v86(const Core& c) { return !c.protected_mode() || (c.rflags & rflags::VM); }
void set_edx_eax(Core& c, uint64_t v) {
    c.gpr[0] = v & 0xffffffffu;
    c.gpr[2] = v >> 32;
}

uint64_t do_in(Core& c, const Insn& i, uint64_t rip, uint16_t port, bool imm) {
    const unsigned w = io_width(i);
    X86_TRY(c.io_permitted(port, w));
    if (c.in_non_root() && c.intercept_io(port, w, true, false, false, imm)) return c.rip;
    set_reg(c, i, 0, i.opsz == kSz8 ? kSz8 : i.opsz == kSz16 ? kSz16 : kSz32, c.port_in(port, w));
    return NEXT;
}

uint64_t do_out(Core& c, const Insn& i, uint64_t rip, uint16_t port, bool imm) {
    const unsigned w = io_width(i);
    X86_TRY(c.io_permitted(port, w));
    if (c.in_non_root() && c.intercept_io(port, w, false, false, false, imm)) return c.rip;
    c.port_out(port, w, static_cast<uint32_t>(c.gpr[0] & mask(i.opsz == kSz8 ? kSz8 : i.opsz == kSz16 ? kSz16 : kSz32)));
    return NEXT;
}

// INS/OUTS, with REP: at most a slice of iterations per execution; the
// instruction restarts itself while the count is not zero.
uint64_t do_string_io(Core& c, const Insn& i, uint64_t rip, bool in) {
    const unsigned w = io_width(i);
    const uint16_t port = static_cast<uint16_t>(c.gpr[2]);
    const bool rep = i.flags & (iflag::Rep | iflag::Repne);
    const uint64_t am = mask(i.adsz);
    const unsigned idx = in ? 7 : 6;   // RDI / RSI
    const SegReg s = in ? ES : static_cast<SegReg>(i.seg);
    if (rep && (c.gpr[1] & am) == 0) return NEXT;
    X86_TRY(c.io_permitted(port, w));
    if (c.in_non_root()) {
        uint64_t lin = c.seg[s].base + (c.gpr[idx] & am);
        if (!c.code64()) lin &= 0xffffffffu;
        if (c.intercept_io(port, w, in, true, rep, false, lin, 1u << i.adsz, s)) return c.rip;
    }
    const int64_t step = (c.rflags & rflags::DF) ? -static_cast<int64_t>(w) : static_cast<int64_t>(w);
    auto advance = [&](unsigned r, int64_t d) {
        const uint64_t v = (c.gpr[r] + static_cast<uint64_t>(d)) & am;
        c.gpr[r] = i.adsz == kSz32 ? v : (c.gpr[r] & ~am) | v;
    };
    for (unsigned n = 0; n < 1024; ++n) {
        const uint64_t a = c.gpr[idx] & am;
        const unsigned sz = w == 1 ? kSz8 : w == 2 ? kSz16 : kSz32;
        if (in) {
            // The store is checked before the port is read (a fault leaves the device untouched).
            uint64_t lin;
            X86_TRY(c.seg_linear(ES, a, w, Access::Write, lin));
            const Translation t = c.translate(lin, Access::Write, c.cpl == 3);
            if (!t.ok()) return c.raise_translation_fault(t, lin);
            X86_TRY(store_sz(c, ES, a, sz, c.port_in(port, w)));
        } else {
            uint64_t v;
            X86_TRY(load_sz(c, s, a, sz, v));
            c.port_out(port, w, static_cast<uint32_t>(v));
        }
        advance(idx, step);
        if (!rep) return NEXT;
        advance(1, -1);
        if ((c.gpr[1] & am) == 0) return NEXT;
    }
    return rip;   // more to do: run again (interrupts may be taken in between)
}

} // namespace

// ---- port I/O

X86_OP(in_al_ib) { return do_in(c, i, rip, static_cast<uint8_t>(i.imm), true); }
X86_OP(in_ax_ib) { return do_in(c, i, rip, static_cast<uint8_t>(i.imm), true); }
X86_OP(out_ib_al) { return do_out(c, i, rip, static_cast<uint8_t>(i.imm), true); }
X86_OP(out_ib_ax) { return do_out(c, i, rip, static_cast<uint8_t>(i.imm), true); }
X86_OP(in_al_dx) { return do_in(c, i, rip, static_cast<uint16_t>(c.gpr[2]), false); }
X86_OP(in_ax_dx) { return do_in(c, i, rip, static_cast<uint16_t>(c.gpr[2]), false); }
X86_OP(out_dx_al) { return do_out(c, i, rip, static_cast<uint16_t>(c.gpr[2]), false); }
X86_OP(out_dx_ax) { return do_out(c, i, rip, static_cast<uint16_t>(c.gpr[2]), false); }
X86_OP(insb) { return do_string_io(c, i, rip, true); }
X86_OP(insw) { return do_string_io(c, i, rip, true); }
X86_OP(outsb) { return do_string_io(c, i, rip, false); }
X86_OP(outsw) { return do_string_io(c, i, rip, false); }

// ---- interrupts, HLT, IF

X86_OP(int1) { return c.deliver_event(1, Core::EventKind::PrivSoftException, false, 0, NEXT); }
X86_OP(int3) { return c.deliver_event(3, Core::EventKind::SoftException, false, 0, NEXT); }
X86_OP(int_ib) {
    if ((c.rflags & rflags::VM) && iopl(c) < 3) return c.raise_gp(0);
    return c.deliver_event(static_cast<uint8_t>(i.imm), Core::EventKind::SoftInt, false, 0, NEXT);
}
X86_OP(into) {
    if (!(c.rflags & rflags::OF)) return NEXT;
    return c.deliver_event(4, Core::EventKind::SoftException, false, 0, NEXT);
}
X86_OP(iret) {
    c.end_block();
    return c.iret(1u << i.opsz);
}
X86_OP(hlt) {
    if (c.cpl != 0) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_hlt()) return c.rip;
    c.halted = true;
    c.end_block();
    return NEXT;
}
X86_OP(cli) {
    if (c.protected_mode() && c.cpl > iopl(c)) return c.raise_gp(0);
    c.rflags &= ~rflags::IF;
    return NEXT;
}
X86_OP(sti) {
    if (c.protected_mode() && c.cpl > iopl(c)) return c.raise_gp(0);
    if (!(c.rflags & rflags::IF)) {
        c.set_interrupt_shadow();
        c.rflags |= rflags::IF;
        c.end_block();   // re-evaluate pending interrupts after the shadow
    }
    return NEXT;
}

// ---- descriptor tables

X86_OP(sldt) {
    if (real_or_v86(c)) return c.raise_ud();
    if (umip_blocks(c)) return c.raise_gp(0);
    X86_TRY(write_rm(c, i, rip, c.ldtr.selector, (i.flags & iflag::Mem) ? kSz16 : i.opsz));
    return NEXT;
}
X86_OP(str) {
    if (real_or_v86(c)) return c.raise_ud();
    if (umip_blocks(c)) return c.raise_gp(0);
    X86_TRY(write_rm(c, i, rip, c.tr.selector, (i.flags & iflag::Mem) ? kSz16 : i.opsz));
    return NEXT;
}
X86_OP(lldt) {
    if (real_or_v86(c)) return c.raise_ud();
    if (c.cpl != 0) return c.raise_gp(0);
    uint64_t sel;
    X86_TRY(read_rm(c, i, rip, sel, kSz16));
    X86_TRY(c.lldt(static_cast<uint16_t>(sel)));
    return NEXT;
}
X86_OP(ltr) {
    if (real_or_v86(c)) return c.raise_ud();
    if (c.cpl != 0) return c.raise_gp(0);
    uint64_t sel;
    X86_TRY(read_rm(c, i, rip, sel, kSz16));
    X86_TRY(c.ltr(static_cast<uint16_t>(sel)));
    return NEXT;
}

namespace {
// SGDT/SIDT: limit, then a 64-bit base in 64-bit mode, otherwise 32 bits.
uint64_t store_table(Core& c, const Insn& i, uint64_t rip, const DescTable& t) {
    if (umip_blocks(c)) return c.raise_gp(0);
    const SegReg s = static_cast<SegReg>(i.seg);
    const uint64_t a = ea(c, i, rip);
    X86_TRY(c.store(s, a, static_cast<uint16_t>(t.limit)));
    if (c.code64()) X86_TRY(c.store(s, (a + 2) & mask(i.adsz), t.base));
    else X86_TRY(c.store(s, (a + 2) & mask(i.adsz), static_cast<uint32_t>(t.base)));
    return NEXT;
}
// LGDT/LIDT: a 16-bit operand size loads a 24-bit base.
uint64_t load_table(Core& c, const Insn& i, uint64_t rip, DescTable& t) {
    if (c.cpl != 0) return c.raise_gp(0);
    const SegReg s = static_cast<SegReg>(i.seg);
    const uint64_t a = ea(c, i, rip);
    uint16_t limit;
    uint64_t base;
    X86_TRY(c.load(s, a, limit));
    if (c.code64()) {
        X86_TRY(c.load(s, (a + 2) & mask(i.adsz), base));
        if (static_cast<uint64_t>(static_cast<int64_t>(base << 16) >> 16) != base) return c.raise_gp(0);
    } else {
        uint32_t b;
        X86_TRY(c.load(s, (a + 2) & mask(i.adsz), b));
        base = i.opsz == kSz16 ? (b & 0xffffff) : b;
    }
    t.base = base;
    t.limit = limit;
    return NEXT;
}
} // namespace

X86_OP(sgdt) { return store_table(c, i, rip, c.gdtr); }
X86_OP(sidt) { return store_table(c, i, rip, c.idtr); }
X86_OP(lgdt) { return load_table(c, i, rip, c.gdtr); }
X86_OP(lidt) { return load_table(c, i, rip, c.idtr); }

// ---- control registers

X86_OP(smsw) {
    if (umip_blocks(c)) return c.raise_gp(0);
    const uint64_t cr0 = c.in_non_root() ? c.vmx_cr_read_value(0, c.cr0) : c.cr0;
    X86_TRY(write_rm(c, i, rip, cr0, (i.flags & iflag::Mem) ? kSz16 : i.opsz));
    return NEXT;
}
X86_OP(lmsw) {
    if (c.cpl != 0) return c.raise_gp(0);
    uint64_t v;
    X86_TRY(read_rm(c, i, rip, v, kSz16));
    if (c.in_non_root()) {
        uint64_t lin = 0;
        if (i.flags & iflag::Mem) lin = c.seg[i.seg].base + ea(c, i, rip);
        if (c.intercept_lmsw(static_cast<uint16_t>(v), i.flags & iflag::Mem, lin)) return c.rip;
    }
    // LMSW sets PE but never clears it; it changes PE, MP, EM, TS only.
    uint64_t n = (c.cr0 & ~uint64_t{0xe}) | (v & 0xf) | (c.cr0 & 1);
    if (c.in_non_root()) n = c.vmx_cr_write_value(0, c.cr0, n);
    X86_TRY(c.write_cr(0, n));
    return NEXT;
}
X86_OP(clts) {
    if (c.cpl != 0) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_clts()) return c.rip;
    uint64_t n = c.cr0 & ~kCr0Ts;
    if (c.in_non_root()) n = c.vmx_cr_write_value(0, c.cr0, n);
    c.cr0 = n;
    return NEXT;
}

namespace {
bool valid_cr(unsigned n) { return n == 0 || n == 2 || n == 3 || n == 4 || n == 8; }
unsigned cr_size(const Core& c) { return c.code64() ? kSz64 : kSz32; }
} // namespace

X86_OP(mov_r_cr) {
    if (!valid_cr(i.reg)) return c.raise_ud();
    if (c.cpl != 0) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_cr_read(i.reg, i.rm)) return c.rip;
    uint64_t v;
    X86_TRY(c.read_cr(i.reg, v));
    if (c.in_non_root()) v = c.vmx_cr_read_value(i.reg, v);
    set_reg(c, i, i.rm, cr_size(c), v);
    return NEXT;
}
X86_OP(mov_cr_r) {
    if (!valid_cr(i.reg)) return c.raise_ud();
    if (c.cpl != 0) return c.raise_gp(0);
    uint64_t v = c.gpr[i.rm] & mask(cr_size(c));
    if (c.in_non_root()) {
        if (c.intercept_cr_write(i.reg, i.rm, v)) return c.rip;
        if (i.reg == 0 || i.reg == 4) v = c.vmx_cr_write_value(i.reg, i.reg == 0 ? c.cr0 : c.cr4, v);
    }
    X86_TRY(c.write_cr(i.reg, v));
    c.end_block();
    return NEXT;
}
X86_OP(mov_r_dr) {
    if (i.reg > 7 || ((i.reg == 4 || i.reg == 5) && (c.cr4 & kCr4De))) return c.raise_ud();
    if (c.cpl != 0) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_dr(false, i.reg, i.rm)) return c.rip;
    uint64_t v;
    X86_TRY(c.read_dr(i.reg, v));
    set_reg(c, i, i.rm, cr_size(c), v);
    return NEXT;
}
X86_OP(mov_dr_r) {
    if (i.reg > 7 || ((i.reg == 4 || i.reg == 5) && (c.cr4 & kCr4De))) return c.raise_ud();
    if (c.cpl != 0) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_dr(true, i.reg, i.rm)) return c.rip;
    X86_TRY(c.write_dr(i.reg, c.gpr[i.rm] & mask(cr_size(c))));
    return NEXT;
}

// ---- TLB and caches

X86_OP(invlpg) {
    if (c.cpl != 0) return c.raise_gp(0);
    uint64_t lin = ea(c, i, rip) + c.seg[i.seg].base;
    if (!c.code64()) lin &= 0xffffffffu;
    if (c.in_non_root() && c.intercept_invlpg(lin)) return c.rip;
    c.invlpg(lin);
    return NEXT;
}
X86_OP(invd) {
    if (c.cpl != 0) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_invd()) return c.rip;
    return NEXT;
}
X86_OP(wbinvd) {
    if (c.cpl != 0) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_wbinvd()) return c.rip;
    return NEXT;
}

// ---- CPUID, TSC, MSRs

X86_OP(cpuid) {
    if (c.in_non_root() && c.intercept_cpuid()) return c.rip;
    uint32_t r[4];
    c.cpuid(static_cast<uint32_t>(c.gpr[0]), static_cast<uint32_t>(c.gpr[1]), r);
    c.gpr[0] = r[0];
    c.gpr[3] = r[1];
    c.gpr[1] = r[2];
    c.gpr[2] = r[3];
    return NEXT;
}
X86_OP(rdtsc) {
    if ((c.cr4 & kCr4Tsd) && c.cpl != 0 && c.protected_mode()) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_rdtsc(false)) return c.rip;
    set_edx_eax(c, c.tsc());
    return NEXT;
}
X86_OP(rdtscp) {
    if ((c.cr4 & kCr4Tsd) && c.cpl != 0 && c.protected_mode()) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_rdtsc(true)) return c.rip;
    set_edx_eax(c, c.tsc());
    c.gpr[1] = c.tsc_aux & 0xffffffffu;
    return NEXT;
}
X86_OP(rdmsr) {
    if (c.cpl != 0) return c.raise_gp(0);
    const uint32_t m = static_cast<uint32_t>(c.gpr[1]);
    if (c.in_non_root() && c.intercept_msr(m, false)) return c.rip;
    uint64_t v;
    if (!c.rdmsr(m, v)) return c.raise_gp(0);
    set_edx_eax(c, v);
    return NEXT;
}
X86_OP(wrmsr) {
    if (c.cpl != 0) return c.raise_gp(0);
    const uint32_t m = static_cast<uint32_t>(c.gpr[1]);
    if (c.in_non_root() && c.intercept_msr(m, true)) return c.rip;
    const uint64_t v = (c.gpr[2] << 32) | (c.gpr[0] & 0xffffffffu);
    if (!c.wrmsr(m, v)) return c.raise_gp(0);
    c.end_block();
    return NEXT;
}

// ---- XCR0, SMAP flag

X86_OP(xgetbv) {
    if (!(c.cr4 & kCr4Osxsave)) return c.raise_ud();
    if (static_cast<uint32_t>(c.gpr[1]) != 0) return c.raise_gp(0);
    set_edx_eax(c, c.xcr0);
    return NEXT;
}
X86_OP(xsetbv) {
    if (!(c.cr4 & kCr4Osxsave)) return c.raise_ud();
    if (c.cpl != 0) return c.raise_gp(0);
    if (c.in_non_root() && c.intercept_xsetbv()) return c.rip;
    const uint64_t v = (c.gpr[2] << 32) | (c.gpr[0] & 0xffffffffu);
    // Only x87 (bit 0, always set) and SSE state exist.
    if (static_cast<uint32_t>(c.gpr[1]) != 0 || !(v & 1) || (v & ~uint64_t{3})) return c.raise_gp(0);
    c.xcr0 = v;
    return NEXT;
}
X86_OP(clac) {
    if (c.cpl != 0 || (c.rflags & rflags::VM)) return c.raise_ud();
    c.rflags &= ~rflags::AC;
    return NEXT;
}
X86_OP(stac) {
    if (c.cpl != 0 || (c.rflags & rflags::VM)) return c.raise_ud();
    c.rflags |= rflags::AC;
    return NEXT;
}

// ---- SYSCALL/SYSRET/SWAPGS (IA-32e mode)

X86_OP(syscall) {
    if (!(c.efer & kEferSce) || !c.code64()) return c.raise_ud();
    const uint16_t sel = static_cast<uint16_t>(c.star >> 32) & 0xfffc;
    c.gpr[1] = NEXT;
    c.gpr[11] = c.rflags & ~rflags::RF;
    c.seg[CS] = Segment{sel, 0, 0xffffffff, 0xa09b};          // 64-bit code, DPL 0
    c.seg[SS] = Segment{static_cast<uint16_t>(sel + 8), 0, 0xffffffff, 0xc093};
    c.cpl = 0;
    c.rflags = (c.rflags & ~(c.sfmask | rflags::RF)) | rflags::FIXED1;
    c.update_context();
    return c.lstar;
}
X86_OP(sysret) {
    if (!(c.efer & kEferSce)) return c.raise_ud();
    if (c.cpl != 0 || !c.code64()) return c.raise_gp(0);
    const bool to64 = i.opsz == kSz64;
    const uint64_t target = to64 ? c.gpr[1] : (c.gpr[1] & 0xffffffffu);
    if (to64 && static_cast<uint64_t>(static_cast<int64_t>(target << 16) >> 16) != target) return c.raise_gp(0);
    const uint16_t base = static_cast<uint16_t>(c.star >> 48);
    c.seg[CS] = to64 ? Segment{static_cast<uint16_t>((base + 16) | 3), 0, 0xffffffff, 0xa0fb}
                     : Segment{static_cast<uint16_t>(base | 3), 0, 0xffffffff, 0xc0fb};
    c.seg[SS].selector = static_cast<uint16_t>((base + 8) | 3);   // SS keeps its cached base/limit, DPL 3
    c.seg[SS].attr = 0xc0f3;
    c.cpl = 3;
    c.rflags = (c.gpr[11] & 0x3c7fd7) | rflags::FIXED1;
    c.update_context();
    return target;
}
X86_OP(swapgs) {
    if (c.cpl != 0) return c.raise_gp(0);
    std::swap(c.seg[GS].base, c.kernel_gs_base);
    return NEXT;
}

} // namespace hvemu::x86
