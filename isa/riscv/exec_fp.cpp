// The F and D instructions (insn_fd.def): register and CSR plumbing around
// the soft-float operations of fp_soft.hpp. Every instruction first needs
// the FP unit enabled; those with an rm field need a valid rounding mode;
// writing an f register or accruing flags marks the FP state dirty.
#include "isa/riscv/fp_soft.hpp"
#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

namespace {

using fp::F32;
using fp::F64;

// mstatus.FS (and vsstatus.FS under V=1) Off: illegal instruction.
bool fp_on(Hart& h) {
    if (h.fs_enabled()) [[likely]] return true;
    h.raise_illegal();
    return false;
}
// ... plus the rounding mode: the rm field, or frm for DYN; reserved
// values are illegal.
bool fp_on_rm(Hart& h, const Insn& i, uint8_t& rmode) {
    if (!fp_on(h)) return false;
    bool ok;
    rmode = h.effective_rm(i.rm, ok);
    if (ok) [[likely]] return true;
    h.raise_illegal();
    return false;
}

// Operands by format: single-precision inputs are unboxed (an improperly
// boxed value reads as the canonical NaN), results boxed.
template <class F> typename F::U get(const Hart& h, unsigned r);
template <> uint32_t get<F32>(const Hart& h, unsigned r) { return fp::unbox32(h.f[r]); }
template <> uint64_t get<F64>(const Hart& h, unsigned r) { return h.f[r]; }
void put(Hart& h, unsigned r, uint32_t v) { h.f[r] = fp::box32(v); }
void put(Hart& h, unsigned r, uint64_t v) { h.f[r] = v; }

// Retire an instruction that wrote an f register; returns the next pc.
template <unsigned L> uint64_t done_f(Hart& h, uint64_t pc, uint32_t flags) {
    if (flags) h.set_fflags(flags);
    h.mark_fs_dirty();
    return NEXT;
}
// Retire an instruction that wrote an x register (or nothing).
template <unsigned L> uint64_t done_x(Hart& h, uint64_t pc, uint32_t flags) {
    if (flags) {
        h.set_fflags(flags);
        h.mark_fs_dirty();
    }
    return NEXT;
}

template <class F> using BinaryOp = typename F::U (*)(typename F::U, typename F::U, uint8_t, uint32_t&);
template <class F> using RawOp = typename F::U (*)(typename F::U, typename F::U);
template <class F> using MinMaxOp = typename F::U (*)(typename F::U, typename F::U, uint32_t&);
template <class F> using CompareOp = bool (*)(typename F::U, typename F::U, uint32_t&);
template <class F> using ToIntOp = uint64_t (*)(typename F::U, uint8_t, uint32_t&);

// fadd, fsub, fmul, fdiv
template <class F, BinaryOp<F> Op, unsigned L> uint64_t binary(Hart& h, const Insn& i, uint64_t pc) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return h.pc;
    uint32_t flags = 0;
    put(h, i.rd, Op(get<F>(h, i.rs1), get<F>(h, i.rs2), rmode, flags));
    return done_f<L>(h, pc, flags);
}

// fmadd (a*b+c), fmsub (a*b-c), fnmsub (-(a*b)+c), fnmadd (-(a*b)-c): the
// negations are exact, so negating an operand first gives one rounding of
// the exact expression.
template <class F, bool kNegProduct, bool kNegAddend, unsigned L> uint64_t fused(Hart& h, const Insn& i, uint64_t pc) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return h.pc;
    typename F::U a = get<F>(h, i.rs1), c = get<F>(h, i.rs3);
    if (kNegProduct) a ^= F::kSign;
    if (kNegAddend) c ^= F::kSign;
    uint32_t flags = 0;
    put(h, i.rd, fp::fma<F>(a, get<F>(h, i.rs2), c, rmode, flags));
    return done_f<L>(h, pc, flags);
}

template <class F, unsigned L> uint64_t square_root(Hart& h, const Insn& i, uint64_t pc) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return h.pc;
    uint32_t flags = 0;
    put(h, i.rd, fp::sqrt<F>(get<F>(h, i.rs1), rmode, flags));
    return done_f<L>(h, pc, flags);
}

// fsgnj, fsgnjn, fsgnjx: no flags, no NaN rules.
template <class F, RawOp<F> Op, unsigned L> uint64_t sign_inject(Hart& h, const Insn& i, uint64_t pc) {
    if (!fp_on(h)) return h.pc;
    put(h, i.rd, Op(get<F>(h, i.rs1), get<F>(h, i.rs2)));
    return done_f<L>(h, pc, 0);
}

template <class F, MinMaxOp<F> Op, unsigned L> uint64_t min_max(Hart& h, const Insn& i, uint64_t pc) {
    if (!fp_on(h)) return h.pc;
    uint32_t flags = 0;
    put(h, i.rd, Op(get<F>(h, i.rs1), get<F>(h, i.rs2), flags));
    return done_f<L>(h, pc, flags);
}

template <class F, CompareOp<F> Op, unsigned L> uint64_t compare(Hart& h, const Insn& i, uint64_t pc) {
    if (!fp_on(h)) return h.pc;
    uint32_t flags = 0;
    h.x[i.rd] = Op(get<F>(h, i.rs1), get<F>(h, i.rs2), flags) ? 1 : 0;
    return done_x<L>(h, pc, flags);
}

template <class F, unsigned L> uint64_t classify(Hart& h, const Insn& i, uint64_t pc) {
    if (!fp_on(h)) return h.pc;
    h.x[i.rd] = fp::classify<F>(get<F>(h, i.rs1));
    return done_x<L>(h, pc, 0);
}

// fcvt.{w,wu,l,lu}.{s,d}
template <class F, ToIntOp<F> Op, unsigned L> uint64_t to_int(Hart& h, const Insn& i, uint64_t pc) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return h.pc;
    uint32_t flags = 0;
    h.x[i.rd] = Op(get<F>(h, i.rs1), rmode, flags);
    return done_x<L>(h, pc, flags);
}

// fcvt.{s,d}.{w,wu,l,lu}: the source register's value narrowed to the
// source width, then widened with its signedness.
template <class F, bool kSigned, int kWidth, unsigned L> uint64_t from_int(Hart& h, const Insn& i, uint64_t pc) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return h.pc;
    const uint64_t v = h.x[i.rs1];
    uint32_t flags = 0;
    typename F::U r;
    if constexpr (kSigned) {
        r = fp::from_i64<F>(kWidth == 32 ? int64_t(int32_t(uint32_t(v))) : int64_t(v), rmode, flags);
    } else {
        r = fp::from_u64<F>(kWidth == 32 ? uint64_t(uint32_t(v)) : v, rmode, flags);
    }
    put(h, i.rd, r);
    return done_f<L>(h, pc, flags);
}

} // namespace

// ---- loads and stores: raw bits; flw boxes, fsw stores the low half

RV_OP(flw) {
    if (!fp_on(h)) return h.pc;
    uint32_t v;
    if (!h.load<uint32_t>(h.x[i.rs1] + uint64_t(i.imm), v)) return h.pc;
    h.f[i.rd] = fp::box32(v);
    return done_f<L>(h, pc, 0);
}
RV_OP(fld) {
    if (!fp_on(h)) return h.pc;
    uint64_t v;
    if (!h.load<uint64_t>(h.x[i.rs1] + uint64_t(i.imm), v)) return h.pc;
    h.f[i.rd] = v;
    return done_f<L>(h, pc, 0);
}
RV_OP(fsw) {
    if (!fp_on(h)) return h.pc;
    if (!h.store<uint32_t>(h.x[i.rs1] + uint64_t(i.imm), uint32_t(h.f[i.rs2]))) return h.pc;
    return NEXT;
}
RV_OP(fsd) {
    if (!fp_on(h)) return h.pc;
    if (!h.store<uint64_t>(h.x[i.rs1] + uint64_t(i.imm), h.f[i.rs2])) return h.pc;
    return NEXT;
}

// ---- arithmetic

RV_OP(fadd_s) { return binary<F32, fp::add<F32>, L>(h, i, pc); }
RV_OP(fsub_s) { return binary<F32, fp::sub<F32>, L>(h, i, pc); }
RV_OP(fmul_s) { return binary<F32, fp::mul<F32>, L>(h, i, pc); }
RV_OP(fdiv_s) { return binary<F32, fp::div<F32>, L>(h, i, pc); }
RV_OP(fsqrt_s) { return square_root<F32, L>(h, i, pc); }
RV_OP(fadd_d) { return binary<F64, fp::add<F64>, L>(h, i, pc); }
RV_OP(fsub_d) { return binary<F64, fp::sub<F64>, L>(h, i, pc); }
RV_OP(fmul_d) { return binary<F64, fp::mul<F64>, L>(h, i, pc); }
RV_OP(fdiv_d) { return binary<F64, fp::div<F64>, L>(h, i, pc); }
RV_OP(fsqrt_d) { return square_root<F64, L>(h, i, pc); }

RV_OP(fmadd_s) { return fused<F32, false, false, L>(h, i, pc); }
RV_OP(fmsub_s) { return fused<F32, false, true, L>(h, i, pc); }
RV_OP(fnmsub_s) { return fused<F32, true, false, L>(h, i, pc); }
RV_OP(fnmadd_s) { return fused<F32, true, true, L>(h, i, pc); }
RV_OP(fmadd_d) { return fused<F64, false, false, L>(h, i, pc); }
RV_OP(fmsub_d) { return fused<F64, false, true, L>(h, i, pc); }
RV_OP(fnmsub_d) { return fused<F64, true, false, L>(h, i, pc); }
RV_OP(fnmadd_d) { return fused<F64, true, true, L>(h, i, pc); }

// ---- sign injection, min/max, compares, classify

RV_OP(fsgnj_s) { return sign_inject<F32, fp::sgnj<F32>, L>(h, i, pc); }
RV_OP(fsgnjn_s) { return sign_inject<F32, fp::sgnjn<F32>, L>(h, i, pc); }
RV_OP(fsgnjx_s) { return sign_inject<F32, fp::sgnjx<F32>, L>(h, i, pc); }
RV_OP(fsgnj_d) { return sign_inject<F64, fp::sgnj<F64>, L>(h, i, pc); }
RV_OP(fsgnjn_d) { return sign_inject<F64, fp::sgnjn<F64>, L>(h, i, pc); }
RV_OP(fsgnjx_d) { return sign_inject<F64, fp::sgnjx<F64>, L>(h, i, pc); }

RV_OP(fmin_s) { return min_max<F32, fp::min<F32>, L>(h, i, pc); }
RV_OP(fmax_s) { return min_max<F32, fp::max<F32>, L>(h, i, pc); }
RV_OP(fmin_d) { return min_max<F64, fp::min<F64>, L>(h, i, pc); }
RV_OP(fmax_d) { return min_max<F64, fp::max<F64>, L>(h, i, pc); }

RV_OP(feq_s) { return compare<F32, fp::eq<F32>, L>(h, i, pc); }
RV_OP(flt_s) { return compare<F32, fp::lt<F32>, L>(h, i, pc); }
RV_OP(fle_s) { return compare<F32, fp::le<F32>, L>(h, i, pc); }
RV_OP(feq_d) { return compare<F64, fp::eq<F64>, L>(h, i, pc); }
RV_OP(flt_d) { return compare<F64, fp::lt<F64>, L>(h, i, pc); }
RV_OP(fle_d) { return compare<F64, fp::le<F64>, L>(h, i, pc); }

RV_OP(fclass_s) { return classify<F32, L>(h, i, pc); }
RV_OP(fclass_d) { return classify<F64, L>(h, i, pc); }

// ---- conversions

RV_OP(fcvt_w_s) { return to_int<F32, fp::to_i32<F32>, L>(h, i, pc); }
RV_OP(fcvt_wu_s) { return to_int<F32, fp::to_u32<F32>, L>(h, i, pc); }
RV_OP(fcvt_l_s) { return to_int<F32, fp::to_i64<F32>, L>(h, i, pc); }
RV_OP(fcvt_lu_s) { return to_int<F32, fp::to_u64<F32>, L>(h, i, pc); }
RV_OP(fcvt_w_d) { return to_int<F64, fp::to_i32<F64>, L>(h, i, pc); }
RV_OP(fcvt_wu_d) { return to_int<F64, fp::to_u32<F64>, L>(h, i, pc); }
RV_OP(fcvt_l_d) { return to_int<F64, fp::to_i64<F64>, L>(h, i, pc); }
RV_OP(fcvt_lu_d) { return to_int<F64, fp::to_u64<F64>, L>(h, i, pc); }

RV_OP(fcvt_s_w) { return from_int<F32, true, 32, L>(h, i, pc); }
RV_OP(fcvt_s_wu) { return from_int<F32, false, 32, L>(h, i, pc); }
RV_OP(fcvt_s_l) { return from_int<F32, true, 64, L>(h, i, pc); }
RV_OP(fcvt_s_lu) { return from_int<F32, false, 64, L>(h, i, pc); }
RV_OP(fcvt_d_w) { return from_int<F64, true, 32, L>(h, i, pc); }
RV_OP(fcvt_d_wu) { return from_int<F64, false, 32, L>(h, i, pc); }
RV_OP(fcvt_d_l) { return from_int<F64, true, 64, L>(h, i, pc); }
RV_OP(fcvt_d_lu) { return from_int<F64, false, 64, L>(h, i, pc); }

RV_OP(fcvt_s_d) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return h.pc;
    uint32_t flags = 0;
    put(h, i.rd, fp::f64_to_f32(get<F64>(h, i.rs1), rmode, flags));
    return done_f<L>(h, pc, flags);
}
RV_OP(fcvt_d_s) {
    uint8_t rmode;                      // exact, but a reserved rm is still illegal
    if (!fp_on_rm(h, i, rmode)) return h.pc;
    uint32_t flags = 0;
    put(h, i.rd, fp::f32_to_f64(get<F32>(h, i.rs1), flags));
    return done_f<L>(h, pc, flags);
}

// ---- moves between register files: raw bits, no NaN rules

RV_OP(fmv_x_w) {
    if (!fp_on(h)) return h.pc;
    h.x[i.rd] = uint64_t(int64_t(int32_t(uint32_t(h.f[i.rs1]))));
    return NEXT;
}
RV_OP(fmv_w_x) {
    if (!fp_on(h)) return h.pc;
    h.f[i.rd] = fp::box32(uint32_t(h.x[i.rs1]));
    return done_f<L>(h, pc, 0);
}
RV_OP(fmv_x_d) {
    if (!fp_on(h)) return h.pc;
    h.x[i.rd] = h.f[i.rs1];
    return NEXT;
}
RV_OP(fmv_d_x) {
    if (!fp_on(h)) return h.pc;
    h.f[i.rd] = h.x[i.rs1];
    return done_f<L>(h, pc, 0);
}

#define RV_INSN RV_INSTANTIATE
#include "isa/riscv/insn_fd.def"
#undef RV_INSN

} // namespace hvemu::rv
