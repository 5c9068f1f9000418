// Zicsr, Zifencei, the privileged instructions and the H extension's
// instructions. Checks come first, in the specification's order.
#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {

// 0 write, 1 set, 2 clear. rs1_field is the raw rs1/uimm field: zero
// means "no write" for set/clear.
void csr_insn(Hart& h, const Insn& i, uint64_t operand, int op) {
    const bool do_write = op == 0 || i.rs1 != 0;
    uint64_t old = 0;
    const uint64_t pc = h.pc;
    if (!h.csr_op(static_cast<uint16_t>(i.imm), operand, op, do_write, i.rd != kSinkReg, old)) return;
    h.x[i.rd] = old;
    if (h.pc == pc) h.pc += i.len;
}

// HS-qualified instructions: virtual instruction from V=1, illegal from U.
bool hypervisor_allowed(Hart& h) {
    if (h.virt) {
        h.raise_virtual();
        return false;
    }
    if (h.priv == Priv::U && !(h.csr.hstatus & hstatus::HU)) {
        h.raise_illegal();
        return false;
    }
    return true;
}

template <class T> void hlv(Hart& h, const Insn& i, bool hlvx = false) {
    if (!hypervisor_allowed(h)) return;
    uint64_t v;
    if (!h.load_slow(h.x[i.rs1], sizeof(T), v, true, hlvx)) return;
    h.x[i.rd] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<T>(v)));
    h.pc += i.len;
}

template <class T> void hsv(Hart& h, const Insn& i) {
    if (!hypervisor_allowed(h)) return;
    if (!h.store_slow(h.x[i.rs1], sizeof(T), static_cast<T>(h.x[i.rs2]), true)) return;
    h.pc += i.len;
}

} // namespace

void op_csrrw(Hart& h, const Insn& i) { csr_insn(h, i, h.x[i.rs1], 0); }
void op_csrrs(Hart& h, const Insn& i) { csr_insn(h, i, h.x[i.rs1], 1); }
void op_csrrc(Hart& h, const Insn& i) { csr_insn(h, i, h.x[i.rs1], 2); }
void op_csrrwi(Hart& h, const Insn& i) { csr_insn(h, i, i.rs1, 0); }
void op_csrrsi(Hart& h, const Insn& i) { csr_insn(h, i, i.rs1, 1); }
void op_csrrci(Hart& h, const Insn& i) { csr_insn(h, i, i.rs1, 2); }

void op_fence(Hart& h, const Insn& i) { h.pc += i.len; }

void op_fence_i(Hart& h, const Insn& i) {
    h.flush_decoded();
    h.pc += i.len;
}

void op_ecall(Hart& h, const Insn&) {
    const uint64_t c = h.priv == Priv::M ? cause::ECALL_M
                       : h.priv == Priv::U ? cause::ECALL_U
                       : h.virt ? cause::ECALL_VS : cause::ECALL_S;
    h.raise(c);
}

void op_ebreak(Hart& h, const Insn&) { h.raise(cause::BREAKPOINT, h.pc, 0, 0, h.virt); }

void op_mret(Hart& h, const Insn&) {
    if (h.priv != Priv::M) return h.raise_illegal();
    h.mret();
}

void op_sret(Hart& h, const Insn&) {
    if (h.priv == Priv::U) return h.virt ? h.raise_virtual() : h.raise_illegal();
    if (!h.virt && h.priv == Priv::S && (h.csr.mstatus & mstatus::TSR)) return h.raise_illegal();
    if (h.virt && (h.csr.hstatus & hstatus::VTSR)) return h.raise_virtual();
    h.sret();
}

void op_wfi(Hart& h, const Insn& i) {
    if (h.priv != Priv::M && (h.csr.mstatus & mstatus::TW)) return h.raise_illegal();
    if (h.priv == Priv::U && !h.virt) return h.raise_illegal();
    if (h.virt && h.priv == Priv::U) return h.raise_virtual();
    if (h.virt && (h.csr.hstatus & hstatus::VTW)) return h.raise_virtual();
    h.pc += i.len;
    h.enter_wfi();
}

void op_sfence_vma(Hart& h, const Insn& i) {
    if (h.priv == Priv::U) return h.virt ? h.raise_virtual() : h.raise_illegal();
    if (!h.virt && h.priv == Priv::S && (h.csr.mstatus & mstatus::TVM)) return h.raise_illegal();
    if (h.virt && (h.csr.hstatus & hstatus::VTVM)) return h.raise_virtual();
    h.sfence_vma(h.x[i.rs1], h.x[i.rs2], i.rs1 == 0, i.rs2 == 0);
    h.end_block();
    h.pc += i.len;
}

void op_hfence_vvma(Hart& h, const Insn& i) {
    if (!hypervisor_allowed(h)) return;
    if (h.priv == Priv::U) return h.raise_illegal();   // HU grants HLV/HSV only
    h.hfence_vvma(h.x[i.rs1], h.x[i.rs2], i.rs1 == 0, i.rs2 == 0);
    h.end_block();
    h.pc += i.len;
}

void op_hfence_gvma(Hart& h, const Insn& i) {
    if (!hypervisor_allowed(h)) return;
    if (h.priv == Priv::U) return h.raise_illegal();
    if (h.priv == Priv::S && (h.csr.mstatus & mstatus::TVM)) return h.raise_illegal();
    h.hfence_gvma(h.x[i.rs1] << 2, h.x[i.rs2], i.rs1 == 0, i.rs2 == 0);   // rs1 holds the GPA >> 2
    h.end_block();
    h.pc += i.len;
}

void op_hlv_b(Hart& h, const Insn& i) { hlv<int8_t>(h, i); }
void op_hlv_bu(Hart& h, const Insn& i) { hlv<uint8_t>(h, i); }
void op_hlv_h(Hart& h, const Insn& i) { hlv<int16_t>(h, i); }
void op_hlv_hu(Hart& h, const Insn& i) { hlv<uint16_t>(h, i); }
void op_hlvx_hu(Hart& h, const Insn& i) { hlv<uint16_t>(h, i, true); }
void op_hlv_w(Hart& h, const Insn& i) { hlv<int32_t>(h, i); }
void op_hlv_wu(Hart& h, const Insn& i) { hlv<uint32_t>(h, i); }
void op_hlvx_wu(Hart& h, const Insn& i) { hlv<uint32_t>(h, i, true); }
void op_hlv_d(Hart& h, const Insn& i) { hlv<int64_t>(h, i); }
void op_hsv_b(Hart& h, const Insn& i) { hsv<uint8_t>(h, i); }
void op_hsv_h(Hart& h, const Insn& i) { hsv<uint16_t>(h, i); }
void op_hsv_w(Hart& h, const Insn& i) { hsv<uint32_t>(h, i); }
void op_hsv_d(Hart& h, const Insn& i) { hsv<uint64_t>(h, i); }

} // namespace hvemu::rv
