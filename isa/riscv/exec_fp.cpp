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

// Retire an instruction that wrote an f register.
void done_f(Hart& h, const Insn& i, uint32_t flags) {
    if (flags) h.set_fflags(flags);
    h.mark_fs_dirty();
    h.pc += i.len;
}
// Retire an instruction that wrote an x register (or nothing).
void done_x(Hart& h, const Insn& i, uint32_t flags) {
    if (flags) {
        h.set_fflags(flags);
        h.mark_fs_dirty();
    }
    h.pc += i.len;
}

template <class F> using BinaryOp = typename F::U (*)(typename F::U, typename F::U, uint8_t, uint32_t&);
template <class F> using RawOp = typename F::U (*)(typename F::U, typename F::U);
template <class F> using MinMaxOp = typename F::U (*)(typename F::U, typename F::U, uint32_t&);
template <class F> using CompareOp = bool (*)(typename F::U, typename F::U, uint32_t&);
template <class F> using ToIntOp = uint64_t (*)(typename F::U, uint8_t, uint32_t&);

// fadd, fsub, fmul, fdiv
template <class F, BinaryOp<F> Op> void binary(Hart& h, const Insn& i) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return;
    uint32_t flags = 0;
    put(h, i.rd, Op(get<F>(h, i.rs1), get<F>(h, i.rs2), rmode, flags));
    done_f(h, i, flags);
}

// fmadd (a*b+c), fmsub (a*b-c), fnmsub (-(a*b)+c), fnmadd (-(a*b)-c): the
// negations are exact, so negating an operand first gives one rounding of
// the exact expression.
template <class F, bool kNegProduct, bool kNegAddend> void fused(Hart& h, const Insn& i) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return;
    typename F::U a = get<F>(h, i.rs1), c = get<F>(h, i.rs3);
    if (kNegProduct) a ^= F::kSign;
    if (kNegAddend) c ^= F::kSign;
    uint32_t flags = 0;
    put(h, i.rd, fp::fma<F>(a, get<F>(h, i.rs2), c, rmode, flags));
    done_f(h, i, flags);
}

template <class F> void square_root(Hart& h, const Insn& i) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return;
    uint32_t flags = 0;
    put(h, i.rd, fp::sqrt<F>(get<F>(h, i.rs1), rmode, flags));
    done_f(h, i, flags);
}

// fsgnj, fsgnjn, fsgnjx: no flags, no NaN rules.
template <class F, RawOp<F> Op> void sign_inject(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    put(h, i.rd, Op(get<F>(h, i.rs1), get<F>(h, i.rs2)));
    done_f(h, i, 0);
}

template <class F, MinMaxOp<F> Op> void min_max(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    uint32_t flags = 0;
    put(h, i.rd, Op(get<F>(h, i.rs1), get<F>(h, i.rs2), flags));
    done_f(h, i, flags);
}

template <class F, CompareOp<F> Op> void compare(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    uint32_t flags = 0;
    h.x[i.rd] = Op(get<F>(h, i.rs1), get<F>(h, i.rs2), flags) ? 1 : 0;
    done_x(h, i, flags);
}

template <class F> void classify(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    h.x[i.rd] = fp::classify<F>(get<F>(h, i.rs1));
    done_x(h, i, 0);
}

// fcvt.{w,wu,l,lu}.{s,d}
template <class F, ToIntOp<F> Op> void to_int(Hart& h, const Insn& i) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return;
    uint32_t flags = 0;
    h.x[i.rd] = Op(get<F>(h, i.rs1), rmode, flags);
    done_x(h, i, flags);
}

// fcvt.{s,d}.{w,wu,l,lu}: the source register's value narrowed to the
// source width, then widened with its signedness.
template <class F, bool kSigned, int kWidth> void from_int(Hart& h, const Insn& i) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return;
    const uint64_t v = h.x[i.rs1];
    uint32_t flags = 0;
    typename F::U r;
    if constexpr (kSigned) {
        r = fp::from_i64<F>(kWidth == 32 ? int64_t(int32_t(uint32_t(v))) : int64_t(v), rmode, flags);
    } else {
        r = fp::from_u64<F>(kWidth == 32 ? uint64_t(uint32_t(v)) : v, rmode, flags);
    }
    put(h, i.rd, r);
    done_f(h, i, flags);
}

} // namespace

// ---- loads and stores: raw bits; flw boxes, fsw stores the low half

void op_flw(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    uint32_t v;
    if (!h.load<uint32_t>(h.x[i.rs1] + uint64_t(i.imm), v)) return;
    h.f[i.rd] = fp::box32(v);
    done_f(h, i, 0);
}
void op_fld(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    uint64_t v;
    if (!h.load<uint64_t>(h.x[i.rs1] + uint64_t(i.imm), v)) return;
    h.f[i.rd] = v;
    done_f(h, i, 0);
}
void op_fsw(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    if (!h.store<uint32_t>(h.x[i.rs1] + uint64_t(i.imm), uint32_t(h.f[i.rs2]))) return;
    h.pc += i.len;
}
void op_fsd(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    if (!h.store<uint64_t>(h.x[i.rs1] + uint64_t(i.imm), h.f[i.rs2])) return;
    h.pc += i.len;
}

// ---- arithmetic

void op_fadd_s(Hart& h, const Insn& i) { binary<F32, fp::add<F32>>(h, i); }
void op_fsub_s(Hart& h, const Insn& i) { binary<F32, fp::sub<F32>>(h, i); }
void op_fmul_s(Hart& h, const Insn& i) { binary<F32, fp::mul<F32>>(h, i); }
void op_fdiv_s(Hart& h, const Insn& i) { binary<F32, fp::div<F32>>(h, i); }
void op_fsqrt_s(Hart& h, const Insn& i) { square_root<F32>(h, i); }
void op_fadd_d(Hart& h, const Insn& i) { binary<F64, fp::add<F64>>(h, i); }
void op_fsub_d(Hart& h, const Insn& i) { binary<F64, fp::sub<F64>>(h, i); }
void op_fmul_d(Hart& h, const Insn& i) { binary<F64, fp::mul<F64>>(h, i); }
void op_fdiv_d(Hart& h, const Insn& i) { binary<F64, fp::div<F64>>(h, i); }
void op_fsqrt_d(Hart& h, const Insn& i) { square_root<F64>(h, i); }

void op_fmadd_s(Hart& h, const Insn& i) { fused<F32, false, false>(h, i); }
void op_fmsub_s(Hart& h, const Insn& i) { fused<F32, false, true>(h, i); }
void op_fnmsub_s(Hart& h, const Insn& i) { fused<F32, true, false>(h, i); }
void op_fnmadd_s(Hart& h, const Insn& i) { fused<F32, true, true>(h, i); }
void op_fmadd_d(Hart& h, const Insn& i) { fused<F64, false, false>(h, i); }
void op_fmsub_d(Hart& h, const Insn& i) { fused<F64, false, true>(h, i); }
void op_fnmsub_d(Hart& h, const Insn& i) { fused<F64, true, false>(h, i); }
void op_fnmadd_d(Hart& h, const Insn& i) { fused<F64, true, true>(h, i); }

// ---- sign injection, min/max, compares, classify

void op_fsgnj_s(Hart& h, const Insn& i) { sign_inject<F32, fp::sgnj<F32>>(h, i); }
void op_fsgnjn_s(Hart& h, const Insn& i) { sign_inject<F32, fp::sgnjn<F32>>(h, i); }
void op_fsgnjx_s(Hart& h, const Insn& i) { sign_inject<F32, fp::sgnjx<F32>>(h, i); }
void op_fsgnj_d(Hart& h, const Insn& i) { sign_inject<F64, fp::sgnj<F64>>(h, i); }
void op_fsgnjn_d(Hart& h, const Insn& i) { sign_inject<F64, fp::sgnjn<F64>>(h, i); }
void op_fsgnjx_d(Hart& h, const Insn& i) { sign_inject<F64, fp::sgnjx<F64>>(h, i); }

void op_fmin_s(Hart& h, const Insn& i) { min_max<F32, fp::min<F32>>(h, i); }
void op_fmax_s(Hart& h, const Insn& i) { min_max<F32, fp::max<F32>>(h, i); }
void op_fmin_d(Hart& h, const Insn& i) { min_max<F64, fp::min<F64>>(h, i); }
void op_fmax_d(Hart& h, const Insn& i) { min_max<F64, fp::max<F64>>(h, i); }

void op_feq_s(Hart& h, const Insn& i) { compare<F32, fp::eq<F32>>(h, i); }
void op_flt_s(Hart& h, const Insn& i) { compare<F32, fp::lt<F32>>(h, i); }
void op_fle_s(Hart& h, const Insn& i) { compare<F32, fp::le<F32>>(h, i); }
void op_feq_d(Hart& h, const Insn& i) { compare<F64, fp::eq<F64>>(h, i); }
void op_flt_d(Hart& h, const Insn& i) { compare<F64, fp::lt<F64>>(h, i); }
void op_fle_d(Hart& h, const Insn& i) { compare<F64, fp::le<F64>>(h, i); }

void op_fclass_s(Hart& h, const Insn& i) { classify<F32>(h, i); }
void op_fclass_d(Hart& h, const Insn& i) { classify<F64>(h, i); }

// ---- conversions

void op_fcvt_w_s(Hart& h, const Insn& i) { to_int<F32, fp::to_i32<F32>>(h, i); }
void op_fcvt_wu_s(Hart& h, const Insn& i) { to_int<F32, fp::to_u32<F32>>(h, i); }
void op_fcvt_l_s(Hart& h, const Insn& i) { to_int<F32, fp::to_i64<F32>>(h, i); }
void op_fcvt_lu_s(Hart& h, const Insn& i) { to_int<F32, fp::to_u64<F32>>(h, i); }
void op_fcvt_w_d(Hart& h, const Insn& i) { to_int<F64, fp::to_i32<F64>>(h, i); }
void op_fcvt_wu_d(Hart& h, const Insn& i) { to_int<F64, fp::to_u32<F64>>(h, i); }
void op_fcvt_l_d(Hart& h, const Insn& i) { to_int<F64, fp::to_i64<F64>>(h, i); }
void op_fcvt_lu_d(Hart& h, const Insn& i) { to_int<F64, fp::to_u64<F64>>(h, i); }

void op_fcvt_s_w(Hart& h, const Insn& i) { from_int<F32, true, 32>(h, i); }
void op_fcvt_s_wu(Hart& h, const Insn& i) { from_int<F32, false, 32>(h, i); }
void op_fcvt_s_l(Hart& h, const Insn& i) { from_int<F32, true, 64>(h, i); }
void op_fcvt_s_lu(Hart& h, const Insn& i) { from_int<F32, false, 64>(h, i); }
void op_fcvt_d_w(Hart& h, const Insn& i) { from_int<F64, true, 32>(h, i); }
void op_fcvt_d_wu(Hart& h, const Insn& i) { from_int<F64, false, 32>(h, i); }
void op_fcvt_d_l(Hart& h, const Insn& i) { from_int<F64, true, 64>(h, i); }
void op_fcvt_d_lu(Hart& h, const Insn& i) { from_int<F64, false, 64>(h, i); }

void op_fcvt_s_d(Hart& h, const Insn& i) {
    uint8_t rmode;
    if (!fp_on_rm(h, i, rmode)) return;
    uint32_t flags = 0;
    put(h, i.rd, fp::f64_to_f32(get<F64>(h, i.rs1), rmode, flags));
    done_f(h, i, flags);
}
void op_fcvt_d_s(Hart& h, const Insn& i) {
    uint8_t rmode;                      // exact, but a reserved rm is still illegal
    if (!fp_on_rm(h, i, rmode)) return;
    uint32_t flags = 0;
    put(h, i.rd, fp::f32_to_f64(get<F32>(h, i.rs1), flags));
    done_f(h, i, flags);
}

// ---- moves between register files: raw bits, no NaN rules

void op_fmv_x_w(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    h.x[i.rd] = uint64_t(int64_t(int32_t(uint32_t(h.f[i.rs1]))));
    h.pc += i.len;
}
void op_fmv_w_x(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    h.f[i.rd] = fp::box32(uint32_t(h.x[i.rs1]));
    done_f(h, i, 0);
}
void op_fmv_x_d(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    h.x[i.rd] = h.f[i.rs1];
    h.pc += i.len;
}
void op_fmv_d_x(Hart& h, const Insn& i) {
    if (!fp_on(h)) return;
    h.f[i.rd] = h.x[i.rs1];
    done_f(h, i, 0);
}

} // namespace hvemu::rv
