// String operations MOVS/STOS/LODS/CMPS/SCAS with REP/REPE/REPNE. A REP
// instruction runs in chunks: after kChunk iterations it returns its own
// rip, so interrupts and the run budget are seen between chunks; RCX, RSI
// and RDI are updated per iteration, so a fault leaves them architectural.
#include "isa/x86/exec.hpp"

namespace hvemu::x86 {

using namespace x;

namespace {

constexpr uint64_t kChunk = 1024;

enum class Str { Movs, Stos, Lods, Cmps, Scas };

template <Str K> uint64_t string_op(Core& c, const Insn& i, uint64_t rip) {
    const unsigned sz = i.opsz, asz = i.adsz;
    const uint64_t am = mask(asz);
    const uint64_t step = (c.rflags & rflags::DF) ? (0 - (uint64_t{1} << sz)) : (uint64_t{1} << sz);
    const auto src = static_cast<SegReg>(i.seg);
    const bool rep = i.flags & (iflag::Rep | iflag::Repne);
    uint64_t count = rep ? (c.gpr[1] & am) : 1;
    if (count == 0) return NEXT;
    const uint64_t n = std::min(count, kChunk);
    for (uint64_t k = 0; k < n; ++k) {
        const uint64_t si = c.gpr[6] & am, di = c.gpr[7] & am;
        bool stop = false;
        if constexpr (K == Str::Movs) {
            uint64_t v;
            X86_TRY(load_sz(c, src, si, sz, v));
            X86_TRY(store_sz(c, ES, di, sz, v));
            set_reg(c, i, 6, asz, si + step);
            set_reg(c, i, 7, asz, di + step);
        } else if constexpr (K == Str::Stos) {
            X86_TRY(store_sz(c, ES, di, sz, c.gpr[0]));
            set_reg(c, i, 7, asz, di + step);
        } else if constexpr (K == Str::Lods) {
            uint64_t v;
            X86_TRY(load_sz(c, src, si, sz, v));
            set_reg(c, i, 0, sz, v);
            set_reg(c, i, 6, asz, si + step);
        } else {
            uint64_t a, b;
            if constexpr (K == Str::Cmps) {
                X86_TRY(load_sz(c, src, si, sz, a));
                X86_TRY(load_sz(c, ES, di, sz, b));
                set_reg(c, i, 6, asz, si + step);
            } else {
                a = get_reg(c, i, 0, sz);
                X86_TRY(load_sz(c, ES, di, sz, b));
            }
            set_reg(c, i, 7, asz, di + step);
            set_status(c, flags_sub(a, b, (a - b) & mask(sz), sz));
            const bool zf = c.rflags & rflags::ZF;
            stop = (i.flags & iflag::Rep) ? !zf : (i.flags & iflag::Repne) ? zf : false;
        }
        if (!rep) return NEXT;
        --count;
        set_reg(c, i, 1, asz, count);
        if (stop || count == 0) return NEXT;
    }
    return rip;   // more to do: run this instruction again
}

} // namespace

X86_OP(movs) { return string_op<Str::Movs>(c, i, rip); }
X86_OP(stos) { return string_op<Str::Stos>(c, i, rip); }
X86_OP(lods) { return string_op<Str::Lods>(c, i, rip); }
X86_OP(cmps) { return string_op<Str::Cmps>(c, i, rip); }
X86_OP(scas) { return string_op<Str::Scas>(c, i, rip); }

} // namespace hvemu::x86
