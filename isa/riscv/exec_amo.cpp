// A: LR/SC and the AMOs. Harts are interleaved on one host thread, so
// every AMO is atomic by construction; a reservation is dropped on any trap
// and whenever the machine switches harts (an allowed spurious SC failure).
#include <algorithm>

#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {

template <class T> bool aligned(uint64_t va) { return (va & (sizeof(T) - 1)) == 0; }

template <class T> void lr(Hart& h, const Insn& i) {
    const uint64_t va = h.x[i.rs1];
    if (!aligned<T>(va)) return h.raise(cause::LOAD_MISALIGNED, va, 0, 0, h.virt);
    T v;
    if (!h.load<T>(va, v)) return;
    h.reservation = va;
    h.x[i.rd] = static_cast<uint64_t>(static_cast<int64_t>(v));
    h.pc += i.len;
}

template <class T> void sc(Hart& h, const Insn& i) {
    const uint64_t va = h.x[i.rs1];
    if (!aligned<T>(va)) return h.raise(cause::STORE_MISALIGNED, va, 0, 0, h.virt);
    const bool ok = h.reservation == va;
    h.clear_reservation();
    if (ok && !h.store<T>(va, static_cast<T>(h.x[i.rs2]))) return;
    h.x[i.rd] = ok ? 0 : 1;
    h.pc += i.len;
}

// Read-modify-write with `op(old, operand) -> new`; rd gets the old value
// sign-extended from the access width.
template <class T, class Op> void amo(Hart& h, const Insn& i, Op op) {
    const uint64_t va = h.x[i.rs1];
    uint8_t* host = nullptr;
    uint64_t mmio = 0;
    if (!h.amo_address(va, sizeof(T), host, mmio)) return;
    T old;
    if (host) {
        std::memcpy(&old, host, sizeof(T));
    } else {
        uint64_t v;
        if (!h.mem().read(mmio, sizeof(T), v)) return h.raise(cause::STORE_ACCESS, va, 0, 0, h.virt);
        old = static_cast<T>(v);
    }
    const T nv = op(old, static_cast<T>(h.x[i.rs2]));
    if (host) {
        std::memcpy(host, &nv, sizeof(T));
        h.mem().note_write(mmio, sizeof(T));
    } else if (!h.mem().write(mmio, sizeof(T), static_cast<uint64_t>(nv))) {
        return h.raise(cause::STORE_ACCESS, va, 0, 0, h.virt);
    }
    h.x[i.rd] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(old)));
    h.pc += i.len;
}

using s32 = int32_t;
using u32 = uint32_t;
using s64 = int64_t;
using u64 = uint64_t;

} // namespace

void op_lr_w(Hart& h, const Insn& i) { lr<s32>(h, i); }
void op_lr_d(Hart& h, const Insn& i) { lr<s64>(h, i); }
void op_sc_w(Hart& h, const Insn& i) { sc<u32>(h, i); }
void op_sc_d(Hart& h, const Insn& i) { sc<u64>(h, i); }
void op_amoswap_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32, u32 b) { return b; }); }
void op_amoadd_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32 a, u32 b) { return a + b; }); }
void op_amoxor_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32 a, u32 b) { return a ^ b; }); }
void op_amoand_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32 a, u32 b) { return a & b; }); }
void op_amoor_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32 a, u32 b) { return a | b; }); }
void op_amomin_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32 a, u32 b) { return static_cast<u32>(std::min<s32>(a, b)); }); }
void op_amomax_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32 a, u32 b) { return static_cast<u32>(std::max<s32>(a, b)); }); }
void op_amominu_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32 a, u32 b) { return std::min(a, b); }); }
void op_amomaxu_w(Hart& h, const Insn& i) { amo<u32>(h, i, [](u32 a, u32 b) { return std::max(a, b); }); }
void op_amoswap_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64, u64 b) { return b; }); }
void op_amoadd_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64 a, u64 b) { return a + b; }); }
void op_amoxor_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64 a, u64 b) { return a ^ b; }); }
void op_amoand_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64 a, u64 b) { return a & b; }); }
void op_amoor_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64 a, u64 b) { return a | b; }); }
void op_amomin_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64 a, u64 b) { return static_cast<u64>(std::min<s64>(a, b)); }); }
void op_amomax_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64 a, u64 b) { return static_cast<u64>(std::max<s64>(a, b)); }); }
void op_amominu_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64 a, u64 b) { return std::min(a, b); }); }
void op_amomaxu_d(Hart& h, const Insn& i) { amo<u64>(h, i, [](u64 a, u64 b) { return std::max(a, b); }); }

} // namespace hvemu::rv
