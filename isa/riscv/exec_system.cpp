// Zicsr, Zifencei, the privileged instructions and the H extension's
// instructions. Checks come first, in the specification's order.
#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {

// op: 0 write, 1 set, 2 clear. i.rs1 is the raw rs1/uimm field: zero means
// "no write" for set and clear.
template <unsigned L> uint64_t csr_insn(Hart& h, const Insn& i, uint64_t pc, uint64_t operand, int op) {
    const bool do_write = op == 0 || i.rs1 != 0;
    uint64_t old = 0;
    if (!h.csr_op(static_cast<uint16_t>(i.imm), operand, op, do_write, old)) return h.pc;
    h.x[i.rd] = old;
    return NEXT;
}

// HS-qualified instructions: virtual instruction from V=1; from U only
// HLV/HSV, and only with hstatus.HU.
bool hypervisor_allowed(Hart& h, bool load_store) {
    if (h.virt) {
        h.raise_virtual();
        return false;
    }
    if (h.priv == Priv::U && (!load_store || !(h.csr.hstatus & hstatus::HU))) {
        h.raise_illegal();
        return false;
    }
    return true;
}

template <class T, unsigned L> uint64_t hlv(Hart& h, const Insn& i, uint64_t pc, bool hlvx = false) {
    if (!hypervisor_allowed(h, true)) return h.pc;
    uint64_t v;
    if (!h.load_slow(h.x[i.rs1], sizeof(T), v, true, hlvx)) return h.pc;
    h.x[i.rd] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<T>(v)));
    return NEXT;
}

template <class T, unsigned L> uint64_t hsv(Hart& h, const Insn& i, uint64_t pc) {
    if (!hypervisor_allowed(h, true)) return h.pc;
    if (!h.store_slow(h.x[i.rs1], sizeof(T), static_cast<T>(h.x[i.rs2]), true)) return h.pc;
    return NEXT;
}

} // namespace

RV_OP(csrrw) { return csr_insn<L>(h, i, pc, h.x[i.rs1], 0); }
RV_OP(csrrs) { return csr_insn<L>(h, i, pc, h.x[i.rs1], 1); }
RV_OP(csrrc) { return csr_insn<L>(h, i, pc, h.x[i.rs1], 2); }
RV_OP(csrrwi) { return csr_insn<L>(h, i, pc, i.rs1, 0); }
RV_OP(csrrsi) { return csr_insn<L>(h, i, pc, i.rs1, 1); }
RV_OP(csrrci) { return csr_insn<L>(h, i, pc, i.rs1, 2); }

RV_OP(fence) { return NEXT; }

RV_OP(fence_i) {
    h.flush_decoded();
    return NEXT;
}

RV_OP(ecall) {
    const uint64_t c = h.priv == Priv::M ? cause::ECALL_M
                       : h.priv == Priv::U ? cause::ECALL_U
                       : h.virt ? cause::ECALL_VS : cause::ECALL_S;
    return h.raise(c);
}

RV_OP(ebreak) { return h.raise(cause::BREAKPOINT, pc, 0, 0, h.virt); }

RV_OP(mret) {
    if (h.priv != Priv::M) return h.raise_illegal();
    h.mret();
    return h.pc;
}

RV_OP(sret) {
    if (h.priv == Priv::U) return h.virt ? h.raise_virtual() : h.raise_illegal();
    if (!h.virt && h.priv == Priv::S && (h.csr.mstatus & mstatus::TSR)) return h.raise_illegal();
    if (h.virt && (h.csr.hstatus & hstatus::VTSR)) return h.raise_virtual();
    h.sret();
    return h.pc;
}

RV_OP(wfi) {
    if (h.priv != Priv::M && (h.csr.mstatus & mstatus::TW)) return h.raise_illegal();
    if (h.priv == Priv::U && !h.virt) return h.raise_illegal();
    if (h.virt && h.priv == Priv::U) return h.raise_virtual();
    if (h.virt && (h.csr.hstatus & hstatus::VTW)) return h.raise_virtual();
    h.enter_wfi();
    return NEXT;
}

RV_OP(sfence_vma) {
    if (h.priv == Priv::U) return h.virt ? h.raise_virtual() : h.raise_illegal();
    if (!h.virt && h.priv == Priv::S && (h.csr.mstatus & mstatus::TVM)) return h.raise_illegal();
    if (h.virt && (h.csr.hstatus & hstatus::VTVM)) return h.raise_virtual();
    h.sfence_vma(h.x[i.rs1], h.x[i.rs2], i.rs1 == 0, i.rs2 == 0);
    h.end_block();
    return NEXT;
}

RV_OP(hfence_vvma) {
    if (!hypervisor_allowed(h, false)) return h.pc;
    h.hfence_vvma(h.x[i.rs1], h.x[i.rs2], i.rs1 == 0, i.rs2 == 0);
    h.end_block();
    return NEXT;
}

RV_OP(hfence_gvma) {
    if (!hypervisor_allowed(h, false)) return h.pc;
    if (h.priv == Priv::S && (h.csr.mstatus & mstatus::TVM)) return h.raise_illegal();
    // rs1 holds the guest physical address shifted right by 2.
    h.hfence_gvma(h.x[i.rs1] << 2, h.x[i.rs2], i.rs1 == 0, i.rs2 == 0);
    h.end_block();
    return NEXT;
}

RV_OP(hlv_b) { return hlv<int8_t, L>(h, i, pc); }
RV_OP(hlv_bu) { return hlv<uint8_t, L>(h, i, pc); }
RV_OP(hlv_h) { return hlv<int16_t, L>(h, i, pc); }
RV_OP(hlv_hu) { return hlv<uint16_t, L>(h, i, pc); }
RV_OP(hlvx_hu) { return hlv<uint16_t, L>(h, i, pc, true); }
RV_OP(hlv_w) { return hlv<int32_t, L>(h, i, pc); }
RV_OP(hlv_wu) { return hlv<uint32_t, L>(h, i, pc); }
RV_OP(hlvx_wu) { return hlv<uint32_t, L>(h, i, pc, true); }
RV_OP(hlv_d) { return hlv<int64_t, L>(h, i, pc); }
RV_OP(hsv_b) { return hsv<uint8_t, L>(h, i, pc); }
RV_OP(hsv_h) { return hsv<uint16_t, L>(h, i, pc); }
RV_OP(hsv_w) { return hsv<uint32_t, L>(h, i, pc); }
RV_OP(hsv_d) { return hsv<uint64_t, L>(h, i, pc); }

#define RV_INSN RV_INSTANTIATE
#include "isa/riscv/insn_system.def"
#undef RV_INSN

} // namespace hvemu::rv
