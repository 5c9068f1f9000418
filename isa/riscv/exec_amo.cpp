// A: LR/SC and the AMOs. Harts are interleaved on one host thread, so
// every AMO is atomic by construction; a reservation is dropped on any trap
// and whenever the machine switches harts (an allowed spurious SC failure).
#include <algorithm>

#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {

template <class T> bool aligned(uint64_t va) { return (va & (sizeof(T) - 1)) == 0; }

template <class T, unsigned L> uint64_t lr(Hart& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rs1];
    if (!aligned<T>(va)) return h.raise(cause::LOAD_MISALIGNED, va, 0, 0, h.virt);
    T v;
    if (!h.load<T>(va, v)) return h.pc;
    h.reservation = va;
    h.x[i.rd] = static_cast<uint64_t>(static_cast<int64_t>(v));
    return NEXT;
}

template <class T, unsigned L> uint64_t sc(Hart& h, const Insn& i, uint64_t pc) {
    const uint64_t va = h.x[i.rs1];
    if (!aligned<T>(va)) return h.raise(cause::STORE_MISALIGNED, va, 0, 0, h.virt);
    const bool ok = h.reservation == va;
    h.clear_reservation();
    if (ok && !h.store<T>(va, static_cast<T>(h.x[i.rs2]))) return h.pc;
    h.x[i.rd] = ok ? 0 : 1;
    return NEXT;
}

// Read-modify-write with `op(old, operand) -> new`; rd gets the old value
// sign-extended from the access width.
template <class T, unsigned L, class Op> uint64_t amo(Hart& h, const Insn& i, uint64_t pc, Op op) {
    const uint64_t va = h.x[i.rs1];
    uint8_t* host = nullptr;
    uint64_t mmio = 0;
    if (!h.amo_address(va, sizeof(T), host, mmio)) return h.pc;
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
    return NEXT;
}

using s32 = int32_t;
using u32 = uint32_t;
using s64 = int64_t;
using u64 = uint64_t;

} // namespace

RV_OP(lr_w) { return lr<s32, L>(h, i, pc); }
RV_OP(lr_d) { return lr<s64, L>(h, i, pc); }
RV_OP(sc_w) { return sc<u32, L>(h, i, pc); }
RV_OP(sc_d) { return sc<u64, L>(h, i, pc); }
RV_OP(amoswap_w) { return amo<u32, L>(h, i, pc, [](u32, u32 b) { return b; }); }
RV_OP(amoadd_w) { return amo<u32, L>(h, i, pc, [](u32 a, u32 b) { return a + b; }); }
RV_OP(amoxor_w) { return amo<u32, L>(h, i, pc, [](u32 a, u32 b) { return a ^ b; }); }
RV_OP(amoand_w) { return amo<u32, L>(h, i, pc, [](u32 a, u32 b) { return a & b; }); }
RV_OP(amoor_w) { return amo<u32, L>(h, i, pc, [](u32 a, u32 b) { return a | b; }); }
RV_OP(amomin_w) { return amo<u32, L>(h, i, pc, [](u32 a, u32 b) { return static_cast<u32>(std::min<s32>(a, b)); }); }
RV_OP(amomax_w) { return amo<u32, L>(h, i, pc, [](u32 a, u32 b) { return static_cast<u32>(std::max<s32>(a, b)); }); }
RV_OP(amominu_w) { return amo<u32, L>(h, i, pc, [](u32 a, u32 b) { return std::min(a, b); }); }
RV_OP(amomaxu_w) { return amo<u32, L>(h, i, pc, [](u32 a, u32 b) { return std::max(a, b); }); }
RV_OP(amoswap_d) { return amo<u64, L>(h, i, pc, [](u64, u64 b) { return b; }); }
RV_OP(amoadd_d) { return amo<u64, L>(h, i, pc, [](u64 a, u64 b) { return a + b; }); }
RV_OP(amoxor_d) { return amo<u64, L>(h, i, pc, [](u64 a, u64 b) { return a ^ b; }); }
RV_OP(amoand_d) { return amo<u64, L>(h, i, pc, [](u64 a, u64 b) { return a & b; }); }
RV_OP(amoor_d) { return amo<u64, L>(h, i, pc, [](u64 a, u64 b) { return a | b; }); }
RV_OP(amomin_d) { return amo<u64, L>(h, i, pc, [](u64 a, u64 b) { return static_cast<u64>(std::min<s64>(a, b)); }); }
RV_OP(amomax_d) { return amo<u64, L>(h, i, pc, [](u64 a, u64 b) { return static_cast<u64>(std::max<s64>(a, b)); }); }
RV_OP(amominu_d) { return amo<u64, L>(h, i, pc, [](u64 a, u64 b) { return std::min(a, b); }); }
RV_OP(amomaxu_d) { return amo<u64, L>(h, i, pc, [](u64 a, u64 b) { return std::max(a, b); }); }

#define RV_INSN RV_INSTANTIATE
#include "isa/riscv/insn_amo.def"
#undef RV_INSN

} // namespace hvemu::rv
