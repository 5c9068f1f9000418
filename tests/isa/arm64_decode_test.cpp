// The A64 decoder against two independent references: golden encodings
// (assembled from the assembly text in each line's comment, one or more per
// table line) and Capstone 4 as an oracle on millions of words.
#include <capstone/capstone.h>

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "isa/arm64/disasm.hpp"
#include "isa/arm64/pe.hpp"

using namespace hvemu::arm;

namespace {

struct Golden {
    uint32_t raw;
    Handler fn;
    const char* name;
};

const Golden kGolden[] = {
    {0x14000002, &op_b, "b"},   // b .+8
    {0x97fffffc, &op_bl, "bl"},   // bl .-16
    {0x54000201, &op_b_cond, "b.cond"},   // b.ne .+64
    {0x34000063, &op_cbz_w, "cbz"},   // cbz w3, .+12
    {0x35000063, &op_cbnz_w, "cbnz"},   // cbnz w3, .+12
    {0xb4ffffa3, &op_cbz_x, "cbz"},   // cbz x3, .-12
    {0xb5000024, &op_cbnz_x, "cbnz"},   // cbnz x4, .+4
    {0xb6400045, &op_tbz, "tbz"},   // tbz x5, #40, .+8
    {0x37180045, &op_tbnz, "tbnz"},   // tbnz w5, #3, .+8
    {0xd61f00e0, &op_br, "br"},   // br x7
    {0xd63f0100, &op_blr, "blr"},   // blr x8
    {0xd65f03c0, &op_ret, "ret"},   // ret
    {0x10000321, &op_adr, "adr"},   // adr x1, .+100
    {0x90000002, &op_adrp, "adrp"},   // adrp x2, . (page offset 0)
    {0x1100305f, &op_add_imm_w, "add"},   // add wsp, w2, #12
    {0x314007e1, &op_adds_imm_w, "adds"},   // adds w1, wsp, #1, lsl #12
    {0x51001041, &op_sub_imm_w, "sub"},   // sub w1, w2, #4
    {0x71001c83, &op_subs_imm_w, "subs"},   // subs w3, w4, #7
    {0x9100305f, &op_add_imm_x, "add"},   // add sp, x2, #12
    {0xb14007e1, &op_adds_imm_x, "adds"},   // adds x1, sp, #1, lsl #12
    {0xd1001041, &op_sub_imm_x, "sub"},   // sub x1, x2, #4
    {0xf1001c83, &op_subs_imm_x, "subs"},   // subs x3, x4, #7
    {0x12001c5f, &op_and_imm_w, "and"},   // and wsp, w2, #0xff
    {0x3204cc41, &op_orr_imm_w, "orr"},   // orr w1, w2, #0xf0f0f0f0
    {0x52000041, &op_eor_imm_w, "eor"},   // eor w1, w2, #0x1
    {0x721f3441, &op_ands_imm_w, "ands"},   // ands w1, w2, #0x7ffe
    {0x92401c5f, &op_and_imm_x, "and"},   // and sp, x2, #0xff
    {0xb204cc41, &op_orr_imm_x, "orr"},   // orr x1, x2, #0xf0f0f0f0f0f0f0f0
    {0xd2400041, &op_eor_imm_x, "eor"},   // eor x1, x2, #0x1
    {0xf27f3441, &op_ands_imm_x, "ands"},   // ands x1, x2, #0x7ffe
    {0x12a000a1, &op_movn_w, "movn"},   // movn w1, #5, lsl #16
    {0x52824681, &op_movz_w, "movz"},   // movz w1, #0x1234
    {0x72b7dde9, &op_movk_w, "movk"},   // movk w9, #0xbeef, lsl #16
    {0x92a000a1, &op_movn_x, "movn"},   // movn x1, #5, lsl #16
    {0xd2824681, &op_movz_x, "movz"},   // movz x1, #0x1234
    {0xf2b7dde9, &op_movk_x, "movk"},   // movk x9, #0xbeef, lsl #16
    {0x13031c41, &op_sbfm_w, "sbfm"},   // sbfm w1, w2, #3, #7
    {0x33080c41, &op_bfm_w, "bfm"},   // bfm w1, w2, #8, #3
    {0x53017841, &op_ubfm_w, "ubfm"},   // ubfm w1, w2, #1, #30
    {0x93431c41, &op_sbfm_x, "sbfm"},   // sbfm x1, x2, #3, #7
    {0xb3480c41, &op_bfm_x, "bfm"},   // bfm x1, x2, #8, #3
    {0xd3417841, &op_ubfm_x, "ubfm"},   // ubfm x1, x2, #1, #30
    {0x13832441, &op_extr_w, "extr"},   // extr w1, w2, w3, #9
    {0x93c32441, &op_extr_x, "extr"},   // extr x1, x2, x3, #9
    {0x0ac30c41, &op_and_w, "and"},   // and w1, w2, w3, ror #3
    {0x0ae30c41, &op_bic_w, "bic"},   // bic w1, w2, w3, ror #3
    {0x2ac30c41, &op_orr_w, "orr"},   // orr w1, w2, w3, ror #3
    {0x2ae30c41, &op_orn_w, "orn"},   // orn w1, w2, w3, ror #3
    {0x4ac30c41, &op_eor_w, "eor"},   // eor w1, w2, w3, ror #3
    {0x4ae30c41, &op_eon_w, "eon"},   // eon w1, w2, w3, ror #3
    {0x6ac30c41, &op_ands_w, "ands"},   // ands w1, w2, w3, ror #3
    {0x6ae30c41, &op_bics_w, "bics"},   // bics w1, w2, w3, ror #3
    {0x8ac30c41, &op_and_x, "and"},   // and x1, x2, x3, ror #3
    {0x8ae30c41, &op_bic_x, "bic"},   // bic x1, x2, x3, ror #3
    {0xaac30c41, &op_orr_x, "orr"},   // orr x1, x2, x3, ror #3
    {0xaae30c41, &op_orn_x, "orn"},   // orn x1, x2, x3, ror #3
    {0xcac30c41, &op_eor_x, "eor"},   // eor x1, x2, x3, ror #3
    {0xcae30c41, &op_eon_x, "eon"},   // eon x1, x2, x3, ror #3
    {0xeac30c41, &op_ands_x, "ands"},   // ands x1, x2, x3, ror #3
    {0xeae30c41, &op_bics_x, "bics"},   // bics x1, x2, x3, ror #3
    {0x0b831441, &op_add_w, "add"},   // add w1, w2, w3, asr #5
    {0x2b831441, &op_adds_w, "adds"},   // adds w1, w2, w3, asr #5
    {0x4b831441, &op_sub_w, "sub"},   // sub w1, w2, w3, asr #5
    {0x6b831441, &op_subs_w, "subs"},   // subs w1, w2, w3, asr #5
    {0x8b831441, &op_add_x, "add"},   // add x1, x2, x3, asr #5
    {0xab831441, &op_adds_x, "adds"},   // adds x1, x2, x3, asr #5
    {0xcb831441, &op_sub_x, "sub"},   // sub x1, x2, x3, asr #5
    {0xeb831441, &op_subs_x, "subs"},   // subs x1, x2, x3, asr #5
    {0x0b238be1, &op_add_ext_w, "add"},   // add w1, wsp, w3, sxtb #2
    {0x2b232441, &op_adds_ext_w, "adds"},   // adds w1, w2, w3, uxth #1
    {0x4b238be1, &op_sub_ext_w, "sub"},   // sub w1, wsp, w3, sxtb #2
    {0x6b232441, &op_subs_ext_w, "subs"},   // subs w1, w2, w3, uxth #1
    {0x8b238be1, &op_add_ext_x, "add"},   // add x1, sp, w3, sxtb #2
    {0xab232441, &op_adds_ext_x, "adds"},   // adds x1, x2, w3, uxth #1
    {0xcb238be1, &op_sub_ext_x, "sub"},   // sub x1, sp, w3, sxtb #2
    {0xeb232441, &op_subs_ext_x, "subs"},   // subs x1, x2, w3, uxth #1
    {0x1a030041, &op_adc_w, "adc"},   // adc w1, w2, w3
    {0x3a030041, &op_adcs_w, "adcs"},   // adcs w1, w2, w3
    {0x5a030041, &op_sbc_w, "sbc"},   // sbc w1, w2, w3
    {0x7a030041, &op_sbcs_w, "sbcs"},   // sbcs w1, w2, w3
    {0x9a030041, &op_adc_x, "adc"},   // adc x1, x2, x3
    {0xba030041, &op_adcs_x, "adcs"},   // adcs x1, x2, x3
    {0xda030041, &op_sbc_x, "sbc"},   // sbc x1, x2, x3
    {0xfa030041, &op_sbcs_x, "sbcs"},   // sbcs x1, x2, x3
    {0x3a420024, &op_ccmn_w, "ccmn"},   // ccmn w1, w2, #4, eq
    {0x7a42b02f, &op_ccmp_w, "ccmp"},   // ccmp w1, w2, #15, lt
    {0xba420024, &op_ccmn_x, "ccmn"},   // ccmn x1, x2, #4, eq
    {0xfa42b02f, &op_ccmp_x, "ccmp"},   // ccmp x1, x2, #15, lt
    {0x3a478822, &op_ccmn_imm_w, "ccmn"},   // ccmn w1, #7, #2, hi
    {0x7a5f1820, &op_ccmp_imm_w, "ccmp"},   // ccmp w1, #31, #0, ne
    {0xba478822, &op_ccmn_imm_x, "ccmn"},   // ccmn x1, #7, #2, hi
    {0xfa5f1820, &op_ccmp_imm_x, "ccmp"},   // ccmp x1, #31, #0, ne
    {0x1a83a041, &op_csel_w, "csel"},   // csel w1, w2, w3, ge
    {0x1a83a441, &op_csinc_w, "csinc"},   // csinc w1, w2, w3, ge
    {0x5a83a041, &op_csinv_w, "csinv"},   // csinv w1, w2, w3, ge
    {0x5a83a441, &op_csneg_w, "csneg"},   // csneg w1, w2, w3, ge
    {0x9a83a041, &op_csel_x, "csel"},   // csel x1, x2, x3, ge
    {0x9a83a441, &op_csinc_x, "csinc"},   // csinc x1, x2, x3, ge
    {0xda83a041, &op_csinv_x, "csinv"},   // csinv x1, x2, x3, ge
    {0xda83a441, &op_csneg_x, "csneg"},   // csneg x1, x2, x3, ge
    {0x1ac30841, &op_udiv_w, "udiv"},   // udiv w1, w2, w3
    {0x1ac30c41, &op_sdiv_w, "sdiv"},   // sdiv w1, w2, w3
    {0x1ac32041, &op_lslv_w, "lslv"},   // lslv w1, w2, w3
    {0x1ac32441, &op_lsrv_w, "lsrv"},   // lsrv w1, w2, w3
    {0x1ac32841, &op_asrv_w, "asrv"},   // asrv w1, w2, w3
    {0x1ac32c41, &op_rorv_w, "rorv"},   // rorv w1, w2, w3
    {0x9ac30841, &op_udiv_x, "udiv"},   // udiv x1, x2, x3
    {0x9ac30c41, &op_sdiv_x, "sdiv"},   // sdiv x1, x2, x3
    {0x9ac32041, &op_lslv_x, "lslv"},   // lslv x1, x2, x3
    {0x9ac32441, &op_lsrv_x, "lsrv"},   // lsrv x1, x2, x3
    {0x9ac32841, &op_asrv_x, "asrv"},   // asrv x1, x2, x3
    {0x9ac32c41, &op_rorv_x, "rorv"},   // rorv x1, x2, x3
    {0x1ac34041, &op_crc32b, "crc32b"},   // crc32b w1, w2, w3
    {0x1ac34441, &op_crc32h, "crc32h"},   // crc32h w1, w2, w3
    {0x1ac34841, &op_crc32w, "crc32w"},   // crc32w w1, w2, w3
    {0x9ac34c41, &op_crc32x, "crc32x"},   // crc32x w1, w2, x3
    {0x1ac35041, &op_crc32cb, "crc32cb"},   // crc32cb w1, w2, w3
    {0x1ac35441, &op_crc32ch, "crc32ch"},   // crc32ch w1, w2, w3
    {0x1ac35841, &op_crc32cw, "crc32cw"},   // crc32cw w1, w2, w3
    {0x9ac35c41, &op_crc32cx, "crc32cx"},   // crc32cx w1, w2, x3
    {0x5ac00041, &op_rbit_w, "rbit"},   // rbit w1, w2
    {0x5ac00441, &op_rev16_w, "rev16"},   // rev16 w1, w2
    {0x5ac00841, &op_rev_w, "rev"},   // rev w1, w2
    {0x5ac01041, &op_clz_w, "clz"},   // clz w1, w2
    {0x5ac01441, &op_cls_w, "cls"},   // cls w1, w2
    {0xdac00041, &op_rbit_x, "rbit"},   // rbit x1, x2
    {0xdac00441, &op_rev16_x, "rev16"},   // rev16 x1, x2
    {0xdac00841, &op_rev32_x, "rev32"},   // rev32 x1, x2
    {0xdac00c41, &op_rev_x, "rev"},   // rev x1, x2
    {0xdac01041, &op_clz_x, "clz"},   // clz x1, x2
    {0xdac01441, &op_cls_x, "cls"},   // cls x1, x2
    {0x1b031041, &op_madd_w, "madd"},   // madd w1, w2, w3, w4
    {0x1b039041, &op_msub_w, "msub"},   // msub w1, w2, w3, w4
    {0x9b031041, &op_madd_x, "madd"},   // madd x1, x2, x3, x4
    {0x9b039041, &op_msub_x, "msub"},   // msub x1, x2, x3, x4
    {0x9b231041, &op_smaddl, "smaddl"},   // smaddl x1, w2, w3, x4
    {0x9b239041, &op_smsubl, "smsubl"},   // smsubl x1, w2, w3, x4
    {0x9b437c41, &op_smulh, "smulh"},   // smulh x1, x2, x3
    {0x9ba31041, &op_umaddl, "umaddl"},   // umaddl x1, w2, w3, x4
    {0x9ba39041, &op_umsubl, "umsubl"},   // umsubl x1, w2, w3, x4
    {0x9bc37c41, &op_umulh, "umulh"},   // umulh x1, x2, x3
    {0x39002083, &op_strb_uimm, "strb"},   // strb w3, [x4, #8]
    {0x39402083, &op_ldrb_uimm, "ldrb"},   // ldrb w3, [x4, #8]
    {0x39802083, &op_ldrsb_x_uimm, "ldrsb"},   // ldrsb x3, [x4, #8]
    {0x39c02083, &op_ldrsb_w_uimm, "ldrsb"},   // ldrsb w3, [x4, #8]
    {0x79002083, &op_strh_uimm, "strh"},   // strh w3, [x4, #16]
    {0x79402083, &op_ldrh_uimm, "ldrh"},   // ldrh w3, [x4, #16]
    {0x79802083, &op_ldrsh_x_uimm, "ldrsh"},   // ldrsh x3, [x4, #16]
    {0x79c02083, &op_ldrsh_w_uimm, "ldrsh"},   // ldrsh w3, [x4, #16]
    {0xb9002083, &op_str_w_uimm, "str"},   // str w3, [x4, #32]
    {0xb9402083, &op_ldr_w_uimm, "ldr"},   // ldr w3, [x4, #32]
    {0xb9802083, &op_ldrsw_uimm, "ldrsw"},   // ldrsw x3, [x4, #32]
    {0xf9002083, &op_str_x_uimm, "str"},   // str x3, [x4, #64]
    {0xf9402083, &op_ldr_x_uimm, "ldr"},   // ldr x3, [x4, #64]
    {0xf9802020, &op_prfm_uimm, "prfm"},   // prfm pldl1keep, [x1, #64]
    {0x381fd3e3, &op_strb_unscaled, "sturb"},   // sturb w3, [sp, #-3]
    {0x385fd3e3, &op_ldrb_unscaled, "ldurb"},   // ldurb w3, [sp, #-3]
    {0x389fd3e3, &op_ldrsb_x_unscaled, "ldursb"},   // ldursb x3, [sp, #-3]
    {0x38dfd3e3, &op_ldrsb_w_unscaled, "ldursb"},   // ldursb w3, [sp, #-3]
    {0x781fd3e3, &op_strh_unscaled, "sturh"},   // sturh w3, [sp, #-3]
    {0x785fd3e3, &op_ldrh_unscaled, "ldurh"},   // ldurh w3, [sp, #-3]
    {0x789fd3e3, &op_ldrsh_x_unscaled, "ldursh"},   // ldursh x3, [sp, #-3]
    {0x78dfd3e3, &op_ldrsh_w_unscaled, "ldursh"},   // ldursh w3, [sp, #-3]
    {0xb81fd3e3, &op_str_w_unscaled, "stur"},   // stur w3, [sp, #-3]
    {0xb85fd3e3, &op_ldr_w_unscaled, "ldur"},   // ldur w3, [sp, #-3]
    {0xb89fd3e3, &op_ldrsw_unscaled, "ldursw"},   // ldursw x3, [sp, #-3]
    {0xf81fd3e3, &op_str_x_unscaled, "stur"},   // stur x3, [sp, #-3]
    {0xf85fd3e3, &op_ldr_x_unscaled, "ldur"},   // ldur x3, [sp, #-3]
    {0xf89ff033, &op_prfum, "prfum"},   // prfum pstl2strm, [x1, #-1]
    {0x381f0483, &op_strb_post, "strb"},   // strb w3, [x4], #-16
    {0x385f0483, &op_ldrb_post, "ldrb"},   // ldrb w3, [x4], #-16
    {0x389f0483, &op_ldrsb_x_post, "ldrsb"},   // ldrsb x3, [x4], #-16
    {0x38df0483, &op_ldrsb_w_post, "ldrsb"},   // ldrsb w3, [x4], #-16
    {0x781f0483, &op_strh_post, "strh"},   // strh w3, [x4], #-16
    {0x785f0483, &op_ldrh_post, "ldrh"},   // ldrh w3, [x4], #-16
    {0x789f0483, &op_ldrsh_x_post, "ldrsh"},   // ldrsh x3, [x4], #-16
    {0x78df0483, &op_ldrsh_w_post, "ldrsh"},   // ldrsh w3, [x4], #-16
    {0xb81f0483, &op_str_w_post, "str"},   // str w3, [x4], #-16
    {0xb85f0483, &op_ldr_w_post, "ldr"},   // ldr w3, [x4], #-16
    {0xb89f0483, &op_ldrsw_post, "ldrsw"},   // ldrsw x3, [x4], #-16
    {0xf81f0483, &op_str_x_post, "str"},   // str x3, [x4], #-16
    {0xf85f0483, &op_ldr_x_post, "ldr"},   // ldr x3, [x4], #-16
    {0x38005883, &op_strb_unpriv, "sttrb"},   // sttrb w3, [x4, #5]
    {0x38405883, &op_ldrb_unpriv, "ldtrb"},   // ldtrb w3, [x4, #5]
    {0x38805883, &op_ldrsb_x_unpriv, "ldtrsb"},   // ldtrsb x3, [x4, #5]
    {0x38c05883, &op_ldrsb_w_unpriv, "ldtrsb"},   // ldtrsb w3, [x4, #5]
    {0x78005883, &op_strh_unpriv, "sttrh"},   // sttrh w3, [x4, #5]
    {0x78405883, &op_ldrh_unpriv, "ldtrh"},   // ldtrh w3, [x4, #5]
    {0x78805883, &op_ldrsh_x_unpriv, "ldtrsh"},   // ldtrsh x3, [x4, #5]
    {0x78c05883, &op_ldrsh_w_unpriv, "ldtrsh"},   // ldtrsh w3, [x4, #5]
    {0xb8005883, &op_str_w_unpriv, "sttr"},   // sttr w3, [x4, #5]
    {0xb8405883, &op_ldr_w_unpriv, "ldtr"},   // ldtr w3, [x4, #5]
    {0xb8805883, &op_ldrsw_unpriv, "ldtrsw"},   // ldtrsw x3, [x4, #5]
    {0xf8005883, &op_str_x_unpriv, "sttr"},   // sttr x3, [x4, #5]
    {0xf8405883, &op_ldr_x_unpriv, "ldtr"},   // ldtr x3, [x4, #5]
    {0x38011c83, &op_strb_pre, "strb"},   // strb w3, [x4, #17]!
    {0x38411c83, &op_ldrb_pre, "ldrb"},   // ldrb w3, [x4, #17]!
    {0x38811c83, &op_ldrsb_x_pre, "ldrsb"},   // ldrsb x3, [x4, #17]!
    {0x38c11c83, &op_ldrsb_w_pre, "ldrsb"},   // ldrsb w3, [x4, #17]!
    {0x78011c83, &op_strh_pre, "strh"},   // strh w3, [x4, #17]!
    {0x78411c83, &op_ldrh_pre, "ldrh"},   // ldrh w3, [x4, #17]!
    {0x78811c83, &op_ldrsh_x_pre, "ldrsh"},   // ldrsh x3, [x4, #17]!
    {0x78c11c83, &op_ldrsh_w_pre, "ldrsh"},   // ldrsh w3, [x4, #17]!
    {0xb8011c83, &op_str_w_pre, "str"},   // str w3, [x4, #17]!
    {0xb8411c83, &op_ldr_w_pre, "ldr"},   // ldr w3, [x4, #17]!
    {0xb8811c83, &op_ldrsw_pre, "ldrsw"},   // ldrsw x3, [x4, #17]!
    {0xf8011c83, &op_str_x_pre, "str"},   // str x3, [x4, #17]!
    {0xf8411c83, &op_ldr_x_pre, "ldr"},   // ldr x3, [x4, #17]!
    {0x3825c883, &op_strb_reg, "strb"},   // strb w3, [x4, w5, sxtw]
    {0x3865c883, &op_ldrb_reg, "ldrb"},   // ldrb w3, [x4, w5, sxtw]
    {0x38a5c883, &op_ldrsb_x_reg, "ldrsb"},   // ldrsb x3, [x4, w5, sxtw]
    {0x38e5c883, &op_ldrsb_w_reg, "ldrsb"},   // ldrsb w3, [x4, w5, sxtw]
    {0x7825d883, &op_strh_reg, "strh"},   // strh w3, [x4, w5, sxtw #1]
    {0x7865d883, &op_ldrh_reg, "ldrh"},   // ldrh w3, [x4, w5, sxtw #1]
    {0x78a5d883, &op_ldrsh_x_reg, "ldrsh"},   // ldrsh x3, [x4, w5, sxtw #1]
    {0x78e5d883, &op_ldrsh_w_reg, "ldrsh"},   // ldrsh w3, [x4, w5, sxtw #1]
    {0xb825d883, &op_str_w_reg, "str"},   // str w3, [x4, w5, sxtw #2]
    {0xb865d883, &op_ldr_w_reg, "ldr"},   // ldr w3, [x4, w5, sxtw #2]
    {0xb8a5d883, &op_ldrsw_reg, "ldrsw"},   // ldrsw x3, [x4, w5, sxtw #2]
    {0xf825d883, &op_str_x_reg, "str"},   // str x3, [x4, w5, sxtw #3]
    {0xf865d883, &op_ldr_x_reg, "ldr"},   // ldr x3, [x4, w5, sxtw #3]
    {0xf8a27824, &op_prfm_reg, "prfm"},   // prfm pldl3keep, [x1, x2, lsl #3]
    {0x18000041, &op_ldr_w_lit, "ldr"},   // ldr w1, .+8
    {0x58ffffc1, &op_ldr_x_lit, "ldr"},   // ldr x1, .-8
    {0x98000c81, &op_ldrsw_lit, "ldrsw"},   // ldrsw x1, .+400
    {0xd8000108, &op_prfm_lit, "prfm"},   // prfm plil1keep, .+32
    {0x28010861, &op_stnp_w, "stnp"},   // stnp w1, w2, [x3, #8]
    {0x287f8be1, &op_ldnp_w, "ldnp"},   // ldnp w1, w2, [sp, #-4]
    {0xa8010861, &op_stnp_x, "stnp"},   // stnp x1, x2, [x3, #16]
    {0xa87f8be1, &op_ldnp_x, "ldnp"},   // ldnp x1, x2, [sp, #-8]
    {0x28be0be1, &op_stp_w_post, "stp"},   // stp w1, w2, [sp], #-16
    {0x28c08861, &op_ldp_w_post, "ldp"},   // ldp w1, w2, [x3], #4
    {0x68ff0861, &op_ldpsw_post, "ldpsw"},   // ldpsw x1, x2, [x3], #-8
    {0xa8be0be1, &op_stp_x_post, "stp"},   // stp x1, x2, [sp], #-32
    {0xa8c08861, &op_ldp_x_post, "ldp"},   // ldp x1, x2, [x3], #8
    {0x29008861, &op_stp_w, "stp"},   // stp w1, w2, [x3, #4]
    {0x29400861, &op_ldp_w, "ldp"},   // ldp w1, w2, [x3]
    {0x69410861, &op_ldpsw, "ldpsw"},   // ldpsw x1, x2, [x3, #8]
    {0xa9008861, &op_stp_x, "stp"},   // stp x1, x2, [x3, #8]
    {0xa9400861, &op_ldp_x, "ldp"},   // ldp x1, x2, [x3]
    {0x29bf7bfd, &op_stp_w_pre, "stp"},   // stp w29, w30, [sp, #-8]!
    {0x29c08861, &op_ldp_w_pre, "ldp"},   // ldp w1, w2, [x3, #4]!
    {0x69c08861, &op_ldpsw_pre, "ldpsw"},   // ldpsw x1, x2, [x3, #4]!
    {0xa9bf7bfd, &op_stp_x_pre, "stp"},   // stp x29, x30, [sp, #-16]!
    {0xa9c08861, &op_ldp_x_pre, "ldp"},   // ldp x1, x2, [x3, #8]!
    {0x08057c41, &op_stxr_b, "stxrb"},   // stxrb w5, w1, [x2]
    {0x085ffc41, &op_ldxr_b, "ldxrb"},   // ldaxrb w1, [x2]
    {0x089fffe1, &op_stlr_b, "stlrb"},   // stlrb w1, [sp]
    {0x08dffc41, &op_ldar_b, "ldarb"},   // ldarb w1, [x2]
    {0x48057c41, &op_stxr_h, "stxrh"},   // stxrh w5, w1, [x2]
    {0x485ffc41, &op_ldxr_h, "ldxrh"},   // ldaxrh w1, [x2]
    {0x489fffe1, &op_stlr_h, "stlrh"},   // stlrh w1, [sp]
    {0x48dffc41, &op_ldar_h, "ldarh"},   // ldarh w1, [x2]
    {0x88057c41, &op_stxr_w, "stxr"},   // stxr w5, w1, [x2]
    {0x885ffc41, &op_ldxr_w, "ldxr"},   // ldaxr w1, [x2]
    {0x889fffe1, &op_stlr_w, "stlr"},   // stlr w1, [sp]
    {0x88dffc41, &op_ldar_w, "ldar"},   // ldar w1, [x2]
    {0xc8057c41, &op_stxr_x, "stxr"},   // stxr w5, x1, [x2]
    {0xc85ffc41, &op_ldxr_x, "ldxr"},   // ldaxr x1, [x2]
    {0xc89fffe1, &op_stlr_x, "stlr"},   // stlr x1, [sp]
    {0xc8dffc41, &op_ldar_x, "ldar"},   // ldar x1, [x2]
    {0x88248861, &op_stxp_w, "stxp"},   // stlxp w4, w1, w2, [x3]
    {0x887f0861, &op_ldxp_w, "ldxp"},   // ldxp w1, w2, [x3]
    {0xc8240861, &op_stxp_x, "stxp"},   // stxp w4, x1, x2, [x3]
    {0xc87f8be1, &op_ldxp_x, "ldxp"},   // ldaxp x1, x2, [sp]
    {0x08e1fc62, &op_cas_b, "casb"},   // casalb w1, w2, [x3]
    {0x48e1fc62, &op_cas_h, "cash"},   // casalh w1, w2, [x3]
    {0x88e1fc62, &op_cas_w, "cas"},   // casal w1, w2, [x3]
    {0xc8e1fc62, &op_cas_x, "cas"},   // casal x1, x2, [x3]
    {0x08247c66, &op_casp_w, "casp"},   // casp w4, w5, w6, w7, [x3]
    {0x4864fc66, &op_casp_x, "casp"},   // caspal x4, x5, x6, x7, [x3]
    {0x38a10062, &op_ldadd_b, "ldaddb"},   // ldaddab w1, w2, [x3]
    {0x78a10062, &op_ldadd_h, "ldaddh"},   // ldaddah w1, w2, [x3]
    {0xb8a10062, &op_ldadd_w, "ldadd"},   // ldadda w1, w2, [x3]
    {0xf8a10062, &op_ldadd_x, "ldadd"},   // ldadda x1, x2, [x3]
    {0x38a11062, &op_ldclr_b, "ldclrb"},   // ldclrab w1, w2, [x3]
    {0x78a11062, &op_ldclr_h, "ldclrh"},   // ldclrah w1, w2, [x3]
    {0xb8a11062, &op_ldclr_w, "ldclr"},   // ldclra w1, w2, [x3]
    {0xf8a11062, &op_ldclr_x, "ldclr"},   // ldclra x1, x2, [x3]
    {0x38a12062, &op_ldeor_b, "ldeorb"},   // ldeorab w1, w2, [x3]
    {0x78a12062, &op_ldeor_h, "ldeorh"},   // ldeorah w1, w2, [x3]
    {0xb8a12062, &op_ldeor_w, "ldeor"},   // ldeora w1, w2, [x3]
    {0xf8a12062, &op_ldeor_x, "ldeor"},   // ldeora x1, x2, [x3]
    {0x38a13062, &op_ldset_b, "ldsetb"},   // ldsetab w1, w2, [x3]
    {0x78a13062, &op_ldset_h, "ldseth"},   // ldsetah w1, w2, [x3]
    {0xb8a13062, &op_ldset_w, "ldset"},   // ldseta w1, w2, [x3]
    {0xf8a13062, &op_ldset_x, "ldset"},   // ldseta x1, x2, [x3]
    {0x38a14062, &op_ldsmax_b, "ldsmaxb"},   // ldsmaxab w1, w2, [x3]
    {0x78a14062, &op_ldsmax_h, "ldsmaxh"},   // ldsmaxah w1, w2, [x3]
    {0xb8a14062, &op_ldsmax_w, "ldsmax"},   // ldsmaxa w1, w2, [x3]
    {0xf8a14062, &op_ldsmax_x, "ldsmax"},   // ldsmaxa x1, x2, [x3]
    {0x38a15062, &op_ldsmin_b, "ldsminb"},   // ldsminab w1, w2, [x3]
    {0x78a15062, &op_ldsmin_h, "ldsminh"},   // ldsminah w1, w2, [x3]
    {0xb8a15062, &op_ldsmin_w, "ldsmin"},   // ldsmina w1, w2, [x3]
    {0xf8a15062, &op_ldsmin_x, "ldsmin"},   // ldsmina x1, x2, [x3]
    {0x38a16062, &op_ldumax_b, "ldumaxb"},   // ldumaxab w1, w2, [x3]
    {0x78a16062, &op_ldumax_h, "ldumaxh"},   // ldumaxah w1, w2, [x3]
    {0xb8a16062, &op_ldumax_w, "ldumax"},   // ldumaxa w1, w2, [x3]
    {0xf8a16062, &op_ldumax_x, "ldumax"},   // ldumaxa x1, x2, [x3]
    {0x38a17062, &op_ldumin_b, "lduminb"},   // lduminab w1, w2, [x3]
    {0x78a17062, &op_ldumin_h, "lduminh"},   // lduminah w1, w2, [x3]
    {0xb8a17062, &op_ldumin_w, "ldumin"},   // ldumina w1, w2, [x3]
    {0xf8a17062, &op_ldumin_x, "ldumin"},   // ldumina x1, x2, [x3]
    {0x38a18062, &op_swp_b, "swpb"},   // swpab w1, w2, [x3]
    {0x78a18062, &op_swp_h, "swph"},   // swpah w1, w2, [x3]
    {0xb8a18062, &op_swp_w, "swp"},   // swpa w1, w2, [x3]
    {0xf8a18062, &op_swp_x, "swp"},   // swpa x1, x2, [x3]
    {0x3d000c83, &op_str_b_uimm, "str"},   // str b3, [x4, #3]
    {0x3d400c83, &op_ldr_b_uimm, "ldr"},   // ldr b3, [x4, #3]
    {0x7d000c83, &op_str_h_uimm, "str"},   // str h3, [x4, #6]
    {0x7d400c83, &op_ldr_h_uimm, "ldr"},   // ldr h3, [x4, #6]
    {0xbd000c83, &op_str_s_uimm, "str"},   // str s3, [x4, #12]
    {0xbd400c83, &op_ldr_s_uimm, "ldr"},   // ldr s3, [x4, #12]
    {0xfd000c83, &op_str_d_uimm, "str"},   // str d3, [x4, #24]
    {0xfd400c83, &op_ldr_d_uimm, "ldr"},   // ldr d3, [x4, #24]
    {0x3d800c83, &op_str_q_uimm, "str"},   // str q3, [x4, #48]
    {0x3dc00c83, &op_ldr_q_uimm, "ldr"},   // ldr q3, [x4, #48]
    {0x3c1ff083, &op_str_b_unscaled, "stur"},   // stur b3, [x4, #-1]
    {0x3c5ff083, &op_ldr_b_unscaled, "ldur"},   // ldur b3, [x4, #-1]
    {0x7c1ff083, &op_str_h_unscaled, "stur"},   // stur h3, [x4, #-1]
    {0x7c5ff083, &op_ldr_h_unscaled, "ldur"},   // ldur h3, [x4, #-1]
    {0xbc1ff083, &op_str_s_unscaled, "stur"},   // stur s3, [x4, #-1]
    {0xbc5ff083, &op_ldr_s_unscaled, "ldur"},   // ldur s3, [x4, #-1]
    {0xfc1ff083, &op_str_d_unscaled, "stur"},   // stur d3, [x4, #-1]
    {0xfc5ff083, &op_ldr_d_unscaled, "ldur"},   // ldur d3, [x4, #-1]
    {0x3c9ff083, &op_str_q_unscaled, "stur"},   // stur q3, [x4, #-1]
    {0x3cdff083, &op_ldr_q_unscaled, "ldur"},   // ldur q3, [x4, #-1]
    {0x3c020483, &op_str_b_post, "str"},   // str b3, [x4], #32
    {0x3c420483, &op_ldr_b_post, "ldr"},   // ldr b3, [x4], #32
    {0x7c020483, &op_str_h_post, "str"},   // str h3, [x4], #32
    {0x7c420483, &op_ldr_h_post, "ldr"},   // ldr h3, [x4], #32
    {0xbc020483, &op_str_s_post, "str"},   // str s3, [x4], #32
    {0xbc420483, &op_ldr_s_post, "ldr"},   // ldr s3, [x4], #32
    {0xfc020483, &op_str_d_post, "str"},   // str d3, [x4], #32
    {0xfc420483, &op_ldr_d_post, "ldr"},   // ldr d3, [x4], #32
    {0x3c820483, &op_str_q_post, "str"},   // str q3, [x4], #32
    {0x3cc20483, &op_ldr_q_post, "ldr"},   // ldr q3, [x4], #32
    {0x3c1e0fe3, &op_str_b_pre, "str"},   // str b3, [sp, #-32]!
    {0x3c5e0fe3, &op_ldr_b_pre, "ldr"},   // ldr b3, [sp, #-32]!
    {0x7c1e0fe3, &op_str_h_pre, "str"},   // str h3, [sp, #-32]!
    {0x7c5e0fe3, &op_ldr_h_pre, "ldr"},   // ldr h3, [sp, #-32]!
    {0xbc1e0fe3, &op_str_s_pre, "str"},   // str s3, [sp, #-32]!
    {0xbc5e0fe3, &op_ldr_s_pre, "ldr"},   // ldr s3, [sp, #-32]!
    {0xfc1e0fe3, &op_str_d_pre, "str"},   // str d3, [sp, #-32]!
    {0xfc5e0fe3, &op_ldr_d_pre, "ldr"},   // ldr d3, [sp, #-32]!
    {0x3c9e0fe3, &op_str_q_pre, "str"},   // str q3, [sp, #-32]!
    {0x3cde0fe3, &op_ldr_q_pre, "ldr"},   // ldr q3, [sp, #-32]!
    {0x3c257883, &op_str_b_reg, "str"},   // str b3, [x4, x5, lsl #0]
    {0x3c657883, &op_ldr_b_reg, "ldr"},   // ldr b3, [x4, x5, lsl #0]
    {0x7c257883, &op_str_h_reg, "str"},   // str h3, [x4, x5, lsl #1]
    {0x7c657883, &op_ldr_h_reg, "ldr"},   // ldr h3, [x4, x5, lsl #1]
    {0xbc257883, &op_str_s_reg, "str"},   // str s3, [x4, x5, lsl #2]
    {0xbc657883, &op_ldr_s_reg, "ldr"},   // ldr s3, [x4, x5, lsl #2]
    {0xfc257883, &op_str_d_reg, "str"},   // str d3, [x4, x5, lsl #3]
    {0xfc657883, &op_ldr_d_reg, "ldr"},   // ldr d3, [x4, x5, lsl #3]
    {0x3ca57883, &op_str_q_reg, "str"},   // str q3, [x4, x5, lsl #4]
    {0x3ce57883, &op_ldr_q_reg, "ldr"},   // ldr q3, [x4, x5, lsl #4]
    {0x1c000081, &op_ldr_s_lit, "ldr"},   // ldr s1, .+16
    {0x5c000081, &op_ldr_d_lit, "ldr"},   // ldr d1, .+16
    {0x9c000081, &op_ldr_q_lit, "ldr"},   // ldr q1, .+16
    {0x2c008861, &op_stnp_s, "stnp"},   // stnp s1, s2, [x3, #4]
    {0x2c400861, &op_ldnp_s, "ldnp"},   // ldnp s1, s2, [x3]
    {0x6c008861, &op_stnp_d, "stnp"},   // stnp d1, d2, [x3, #8]
    {0x6c400861, &op_ldnp_d, "ldnp"},   // ldnp d1, d2, [x3]
    {0xac008861, &op_stnp_q, "stnp"},   // stnp q1, q2, [x3, #16]
    {0xac400861, &op_ldnp_q, "ldnp"},   // ldnp q1, q2, [x3]
    {0x2c808861, &op_stp_s_post, "stp"},   // stp s1, s2, [x3], #4
    {0x2cc08861, &op_ldp_s_post, "ldp"},   // ldp s1, s2, [x3], #4
    {0x6c808861, &op_stp_d_post, "stp"},   // stp d1, d2, [x3], #8
    {0x6cc08861, &op_ldp_d_post, "ldp"},   // ldp d1, d2, [x3], #8
    {0xac808861, &op_stp_q_post, "stp"},   // stp q1, q2, [x3], #16
    {0xacc08861, &op_ldp_q_post, "ldp"},   // ldp q1, q2, [x3], #16
    {0x2d010be1, &op_stp_s, "stp"},   // stp s1, s2, [sp, #8]
    {0x2d7f8861, &op_ldp_s, "ldp"},   // ldp s1, s2, [x3, #-4]
    {0x6d010be1, &op_stp_d, "stp"},   // stp d1, d2, [sp, #16]
    {0x6d7f8861, &op_ldp_d, "ldp"},   // ldp d1, d2, [x3, #-8]
    {0xad010be1, &op_stp_q, "stp"},   // stp q1, q2, [sp, #32]
    {0xad7f8861, &op_ldp_q, "ldp"},   // ldp q1, q2, [x3, #-16]
    {0x2dbf27e8, &op_stp_s_pre, "stp"},   // stp s8, s9, [sp, #-8]!
    {0x2dc08861, &op_ldp_s_pre, "ldp"},   // ldp s1, s2, [x3, #4]!
    {0x6dbf27e8, &op_stp_d_pre, "stp"},   // stp d8, d9, [sp, #-16]!
    {0x6dc08861, &op_ldp_d_pre, "ldp"},   // ldp d1, d2, [x3, #8]!
    {0xadbf27e8, &op_stp_q_pre, "stp"},   // stp q8, q9, [sp, #-32]!
    {0xadc08861, &op_ldp_q_pre, "ldp"},   // ldp q1, q2, [x3, #16]!
    {0x4c0073e0, &op_st1_1, "st1"},   // st1 {v0.16b}, [sp]
    {0x4c407020, &op_ld1_1, "ld1"},   // ld1 {v0.16b}, [x1]
    {0x4c00a7e1, &op_st1_2, "st1"},   // st1 {v1.8h, v2.8h}, [sp]
    {0x4c40a421, &op_ld1_2, "ld1"},   // ld1 {v1.8h, v2.8h}, [x1]
    {0x4c006bfe, &op_st1_3, "st1"},   // st1 {v30.4s, v31.4s, v0.4s}, [sp]
    {0x4c40683e, &op_ld1_3, "ld1"},   // ld1 {v30.4s, v31.4s, v0.4s}, [x1]
    {0x4c002fe4, &op_st1_4, "st1"},   // st1 {v4.2d, v5.2d, v6.2d, v7.2d}, [sp]
    {0x4c402c24, &op_ld1_4, "ld1"},   // ld1 {v4.2d, v5.2d, v6.2d, v7.2d}, [x1]
    {0x4c827020, &op_st1_1_post, "st1"},   // st1 {v0.16b}, [x1], x2
    {0x4cdf7020, &op_ld1_1_post, "ld1"},   // ld1 {v0.16b}, [x1], #16
    {0x4c82a421, &op_st1_2_post, "st1"},   // st1 {v1.8h, v2.8h}, [x1], x2
    {0x4cdfa421, &op_ld1_2_post, "ld1"},   // ld1 {v1.8h, v2.8h}, [x1], #32
    {0x4c82683e, &op_st1_3_post, "st1"},   // st1 {v30.4s, v31.4s, v0.4s}, [x1], x2
    {0x4cdf683e, &op_ld1_3_post, "ld1"},   // ld1 {v30.4s, v31.4s, v0.4s}, [x1], #48
    {0x4c822c24, &op_st1_4_post, "st1"},   // st1 {v4.2d, v5.2d, v6.2d, v7.2d}, [x1], x2
    {0x4cdf2c24, &op_ld1_4_post, "ld1"},   // ld1 {v4.2d, v5.2d, v6.2d, v7.2d}, [x1], #64
    // LD2-LD4/ST2-ST4, single structures and LDnR (assembled with llvm-mc 14)
    {0x4c000841, &op_st4_m, "st4"},   // st4 {v1.4s, v2.4s, v3.4s, v4.4s}, [x2]
    {0x4c400841, &op_ld4_m, "ld4"},   // ld4 {v1.4s, v2.4s, v3.4s, v4.4s}, [x2]
    {0x4c9f0841, &op_st4_m_post, "st4"},   // st4 {v1.4s, v2.4s, v3.4s, v4.4s}, [x2], #64
    {0x4cdf0841, &op_ld4_m_post, "ld4"},   // ld4 {v1.4s, v2.4s, v3.4s, v4.4s}, [x2], #64
    {0x4c004841, &op_st3_m, "st3"},   // st3 {v1.4s, v2.4s, v3.4s}, [x2]
    {0x4c404841, &op_ld3_m, "ld3"},   // ld3 {v1.4s, v2.4s, v3.4s}, [x2]
    {0x4c9f4841, &op_st3_m_post, "st3"},   // st3 {v1.4s, v2.4s, v3.4s}, [x2], #48
    {0x4cdf4841, &op_ld3_m_post, "ld3"},   // ld3 {v1.4s, v2.4s, v3.4s}, [x2], #48
    {0x4c008841, &op_st2_m, "st2"},   // st2 {v1.4s, v2.4s}, [x2]
    {0x4c408841, &op_ld2_m, "ld2"},   // ld2 {v1.4s, v2.4s}, [x2]
    {0x4c9f8841, &op_st2_m_post, "st2"},   // st2 {v1.4s, v2.4s}, [x2], #32
    {0x4cdf8841, &op_ld2_m_post, "ld2"},   // ld2 {v1.4s, v2.4s}, [x2], #32
    {0x0d000c41, &op_st1_b_lane, "st1"},   // st1 {v1.b}[3], [x2]
    {0x0d200c41, &op_st2_b_lane, "st2"},   // st2 {v1.b, v2.b}[3], [x2]
    {0x0d002c41, &op_st3_b_lane, "st3"},   // st3 {v1.b, v2.b, v3.b}[3], [x2]
    {0x0d202c41, &op_st4_b_lane, "st4"},   // st4 {v1.b, v2.b, v3.b, v4.b}[3], [x2]
    {0x0d005041, &op_st1_h_lane, "st1"},   // st1 {v1.h}[2], [x2]
    {0x0d205041, &op_st2_h_lane, "st2"},   // st2 {v1.h, v2.h}[2], [x2]
    {0x0d007041, &op_st3_h_lane, "st3"},   // st3 {v1.h, v2.h, v3.h}[2], [x2]
    {0x0d207041, &op_st4_h_lane, "st4"},   // st4 {v1.h, v2.h, v3.h, v4.h}[2], [x2]
    {0x0d009041, &op_st1_s_lane, "st1"},   // st1 {v1.s}[1], [x2]
    {0x0d209041, &op_st2_s_lane, "st2"},   // st2 {v1.s, v2.s}[1], [x2]
    {0x0d00b041, &op_st3_s_lane, "st3"},   // st3 {v1.s, v2.s, v3.s}[1], [x2]
    {0x0d20b041, &op_st4_s_lane, "st4"},   // st4 {v1.s, v2.s, v3.s, v4.s}[1], [x2]
    {0x4d008441, &op_st1_d_lane, "st1"},   // st1 {v1.d}[1], [x2]
    {0x4d208441, &op_st2_d_lane, "st2"},   // st2 {v1.d, v2.d}[1], [x2]
    {0x4d00a441, &op_st3_d_lane, "st3"},   // st3 {v1.d, v2.d, v3.d}[1], [x2]
    {0x4d20a441, &op_st4_d_lane, "st4"},   // st4 {v1.d, v2.d, v3.d, v4.d}[1], [x2]
    {0x0d400c41, &op_ld1_b_lane, "ld1"},   // ld1 {v1.b}[3], [x2]
    {0x0d600c41, &op_ld2_b_lane, "ld2"},   // ld2 {v1.b, v2.b}[3], [x2]
    {0x0d402c41, &op_ld3_b_lane, "ld3"},   // ld3 {v1.b, v2.b, v3.b}[3], [x2]
    {0x0d602c41, &op_ld4_b_lane, "ld4"},   // ld4 {v1.b, v2.b, v3.b, v4.b}[3], [x2]
    {0x0d405041, &op_ld1_h_lane, "ld1"},   // ld1 {v1.h}[2], [x2]
    {0x0d605041, &op_ld2_h_lane, "ld2"},   // ld2 {v1.h, v2.h}[2], [x2]
    {0x0d407041, &op_ld3_h_lane, "ld3"},   // ld3 {v1.h, v2.h, v3.h}[2], [x2]
    {0x0d607041, &op_ld4_h_lane, "ld4"},   // ld4 {v1.h, v2.h, v3.h, v4.h}[2], [x2]
    {0x0d409041, &op_ld1_s_lane, "ld1"},   // ld1 {v1.s}[1], [x2]
    {0x0d609041, &op_ld2_s_lane, "ld2"},   // ld2 {v1.s, v2.s}[1], [x2]
    {0x0d40b041, &op_ld3_s_lane, "ld3"},   // ld3 {v1.s, v2.s, v3.s}[1], [x2]
    {0x0d60b041, &op_ld4_s_lane, "ld4"},   // ld4 {v1.s, v2.s, v3.s, v4.s}[1], [x2]
    {0x4d408441, &op_ld1_d_lane, "ld1"},   // ld1 {v1.d}[1], [x2]
    {0x4d608441, &op_ld2_d_lane, "ld2"},   // ld2 {v1.d, v2.d}[1], [x2]
    {0x4d40a441, &op_ld3_d_lane, "ld3"},   // ld3 {v1.d, v2.d, v3.d}[1], [x2]
    {0x4d60a441, &op_ld4_d_lane, "ld4"},   // ld4 {v1.d, v2.d, v3.d, v4.d}[1], [x2]
    {0x4d40c441, &op_ld1r, "ld1r"},   // ld1r {v1.8h}, [x2]
    {0x4d60c441, &op_ld2r, "ld2r"},   // ld2r {v1.8h, v2.8h}, [x2]
    {0x4d40e441, &op_ld3r, "ld3r"},   // ld3r {v1.8h, v2.8h, v3.8h}, [x2]
    {0x4d60e441, &op_ld4r, "ld4r"},   // ld4r {v1.8h, v2.8h, v3.8h, v4.8h}, [x2]
    {0x0d9f0c41, &op_st1_b_lane_post, "st1"},   // st1 {v1.b}[3], [x2], #1
    {0x0dbf0c41, &op_st2_b_lane_post, "st2"},   // st2 {v1.b, v2.b}[3], [x2], #2
    {0x0d9f2c41, &op_st3_b_lane_post, "st3"},   // st3 {v1.b, v2.b, v3.b}[3], [x2], #3
    {0x0dbf2c41, &op_st4_b_lane_post, "st4"},   // st4 {v1.b, v2.b, v3.b, v4.b}[3], [x2], #4
    {0x0d9f5041, &op_st1_h_lane_post, "st1"},   // st1 {v1.h}[2], [x2], #2
    {0x0dbf5041, &op_st2_h_lane_post, "st2"},   // st2 {v1.h, v2.h}[2], [x2], #4
    {0x0d9f7041, &op_st3_h_lane_post, "st3"},   // st3 {v1.h, v2.h, v3.h}[2], [x2], #6
    {0x0dbf7041, &op_st4_h_lane_post, "st4"},   // st4 {v1.h, v2.h, v3.h, v4.h}[2], [x2], #8
    {0x0d9f9041, &op_st1_s_lane_post, "st1"},   // st1 {v1.s}[1], [x2], #4
    {0x0dbf9041, &op_st2_s_lane_post, "st2"},   // st2 {v1.s, v2.s}[1], [x2], #8
    {0x0d9fb041, &op_st3_s_lane_post, "st3"},   // st3 {v1.s, v2.s, v3.s}[1], [x2], #12
    {0x0dbfb041, &op_st4_s_lane_post, "st4"},   // st4 {v1.s, v2.s, v3.s, v4.s}[1], [x2], #16
    {0x4d9f8441, &op_st1_d_lane_post, "st1"},   // st1 {v1.d}[1], [x2], #8
    {0x4dbf8441, &op_st2_d_lane_post, "st2"},   // st2 {v1.d, v2.d}[1], [x2], #16
    {0x4d9fa441, &op_st3_d_lane_post, "st3"},   // st3 {v1.d, v2.d, v3.d}[1], [x2], #24
    {0x4dbfa441, &op_st4_d_lane_post, "st4"},   // st4 {v1.d, v2.d, v3.d, v4.d}[1], [x2], #32
    {0x0ddf0c41, &op_ld1_b_lane_post, "ld1"},   // ld1 {v1.b}[3], [x2], #1
    {0x0dff0c41, &op_ld2_b_lane_post, "ld2"},   // ld2 {v1.b, v2.b}[3], [x2], #2
    {0x0ddf2c41, &op_ld3_b_lane_post, "ld3"},   // ld3 {v1.b, v2.b, v3.b}[3], [x2], #3
    {0x0dff2c41, &op_ld4_b_lane_post, "ld4"},   // ld4 {v1.b, v2.b, v3.b, v4.b}[3], [x2], #4
    {0x0ddf5041, &op_ld1_h_lane_post, "ld1"},   // ld1 {v1.h}[2], [x2], #2
    {0x0dff5041, &op_ld2_h_lane_post, "ld2"},   // ld2 {v1.h, v2.h}[2], [x2], #4
    {0x0ddf7041, &op_ld3_h_lane_post, "ld3"},   // ld3 {v1.h, v2.h, v3.h}[2], [x2], #6
    {0x0dff7041, &op_ld4_h_lane_post, "ld4"},   // ld4 {v1.h, v2.h, v3.h, v4.h}[2], [x2], #8
    {0x0ddf9041, &op_ld1_s_lane_post, "ld1"},   // ld1 {v1.s}[1], [x2], #4
    {0x0dff9041, &op_ld2_s_lane_post, "ld2"},   // ld2 {v1.s, v2.s}[1], [x2], #8
    {0x0ddfb041, &op_ld3_s_lane_post, "ld3"},   // ld3 {v1.s, v2.s, v3.s}[1], [x2], #12
    {0x0dffb041, &op_ld4_s_lane_post, "ld4"},   // ld4 {v1.s, v2.s, v3.s, v4.s}[1], [x2], #16
    {0x4ddf8441, &op_ld1_d_lane_post, "ld1"},   // ld1 {v1.d}[1], [x2], #8
    {0x4dff8441, &op_ld2_d_lane_post, "ld2"},   // ld2 {v1.d, v2.d}[1], [x2], #16
    {0x4ddfa441, &op_ld3_d_lane_post, "ld3"},   // ld3 {v1.d, v2.d, v3.d}[1], [x2], #24
    {0x4dffa441, &op_ld4_d_lane_post, "ld4"},   // ld4 {v1.d, v2.d, v3.d, v4.d}[1], [x2], #32
    {0x4ddfc441, &op_ld1r_post, "ld1r"},   // ld1r {v1.8h}, [x2], #2
    {0x4dffc441, &op_ld2r_post, "ld2r"},   // ld2r {v1.8h, v2.8h}, [x2], #4
    {0x4ddfe441, &op_ld3r_post, "ld3r"},   // ld3r {v1.8h, v2.8h, v3.8h}, [x2], #6
    {0x4dffe441, &op_ld4r_post, "ld4r"},   // ld4r {v1.8h, v2.8h, v3.8h, v4.8h}, [x2], #8
    {0x4f002641, &op_movi_32, "movi"},   // movi v1.4s, #0x12, lsl #8
    {0x0f018681, &op_movi_16, "movi"},   // movi v1.4h, #0x34
    {0x0f02d6c1, &op_movi_32_ones, "movi"},   // movi v1.2s, #0x56, msl #16
    {0x4f07e7e1, &op_movi_8, "movi"},   // movi v1.16b, #0xff
    {0x6f05e541, &op_movi_64, "movi"},   // movi v1.2d, #0xff00ff00ff00ff00
    {0x6f006422, &op_mvni_32, "mvni"},   // mvni v2.4s, #0x1, lsl #24
    {0x6f04a402, &op_mvni_16, "mvni"},   // mvni v2.8h, #0x80, lsl #8
    {0x2f00c4e2, &op_mvni_32_ones, "mvni"},   // mvni v2.2s, #0x7, msl #8
    {0x4f001423, &op_orr_vi_32, "orr"},   // orr v3.4s, #0x1
    {0x4f00b443, &op_orr_vi_16, "orr"},   // orr v3.8h, #0x2, lsl #8
    {0x2f005483, &op_bic_vi_32, "bic"},   // bic v3.2s, #0x4, lsl #16
    {0x2f009503, &op_bic_vi_16, "bic"},   // bic v3.4h, #0x8
    {0x4f03f604, &op_fmov_v_s, "fmov"},   // fmov v4.4s, #1.0
    {0x6f04f484, &op_fmov_v_d, "fmov"},   // fmov v4.2d, #-2.5
    {0x4e0e0441, &op_dup_elem, "dup"},   // dup v1.8h, v2.h[3]
    {0x4e040c41, &op_dup_gen, "dup"},   // dup v1.4s, w2
    {0x4e162c41, &op_smov, "smov"},   // smov x1, v2.h[5]
    {0x0e133c41, &op_umov, "umov"},   // umov w1, v2.b[9]
    {0x4e181c41, &op_ins_gen, "ins"},   // ins v1.d[1], x2
    {0x6e140441, &op_ins_elem, "ins"},   // ins v1.s[2], v2.s[0]
    {0x4e231c41, &op_and_v, "and"},   // and v1.16b, v2.16b, v3.16b
    {0x0e631c41, &op_bic_v, "bic"},   // bic v1.8b, v2.8b, v3.8b
    {0x4ea31c41, &op_orr_v, "orr"},   // orr v1.16b, v2.16b, v3.16b
    {0x4ee31c41, &op_orn_v, "orn"},   // orn v1.16b, v2.16b, v3.16b
    {0x2e231c41, &op_eor_v, "eor"},   // eor v1.8b, v2.8b, v3.8b
    {0x6e631c41, &op_bsl_v, "bsl"},   // bsl v1.16b, v2.16b, v3.16b
    {0x6ea31c41, &op_bit_v, "bit"},   // bit v1.16b, v2.16b, v3.16b
    {0x2ee31c41, &op_bif_v, "bif"},   // bif v1.8b, v2.8b, v3.8b
    {0x1e260041, &op_fmov_ws, "fmov"},   // fmov w1, s2
    {0x1e270041, &op_fmov_sw, "fmov"},   // fmov s1, w2
    {0x9e660041, &op_fmov_xd, "fmov"},   // fmov x1, d2
    {0x9e670041, &op_fmov_dx, "fmov"},   // fmov d1, x2
    {0x9eae0041, &op_fmov_xv1, "fmov"},   // fmov x1, v2.d[1]
    {0x9eaf0041, &op_fmov_v1x, "fmov"},   // fmov v1.d[1], x2
    {0x1e204041, &op_fmov_s, "fmov"},   // fmov s1, s2
    {0x1e604041, &op_fmov_d, "fmov"},   // fmov d1, d2
    {0x1e2c1001, &op_fmov_s_imm, "fmov"},   // fmov s1, #0.5
    {0x1e67f001, &op_fmov_d_imm, "fmov"},   // fmov d1, #31.0
};

// The tables this decoder test covers (the system table has its own test).
#define A64_INSN(id, ...) &op_##id,
const Handler kCovered[] = {
#include "isa/arm64/insn_branch.def"
#include "isa/arm64/insn_dp.def"
#include "isa/arm64/insn_ldst.def"
#include "isa/arm64/insn_simd.def"
};
#undef A64_INSN

bool covered(Handler fn) {
    for (Handler h : kCovered)
        if (h == fn) return true;
    return false;
}

// The mnemonics Capstone may print for a table mnemonic: the preferred
// disassembly of aliases (Arm ARM "alias conditions"), and the ordering
// variants (A/L) that share a table line.
const std::map<std::string, std::set<std::string>>& aliases() {
    static const std::map<std::string, std::set<std::string>> m = [] {
        std::map<std::string, std::set<std::string>> a = {
            {"add", {"mov"}}, {"adds", {"cmn"}}, {"sub", {"neg"}}, {"subs", {"cmp", "negs"}},
            {"orr", {"mov"}}, {"orn", {"mvn"}}, {"ands", {"tst"}},
            {"movn", {"mov"}}, {"movz", {"mov"}},
            {"sbfm", {"asr", "sbfiz", "sbfx", "sxtb", "sxth", "sxtw"}},
            {"ubfm", {"lsl", "lsr", "ubfiz", "ubfx", "uxtb", "uxth"}},
            {"bfm", {"bfi", "bfxil", "bfc"}}, {"extr", {"ror"}},
            {"csinc", {"cset", "cinc"}}, {"csinv", {"csetm", "cinv"}}, {"csneg", {"cneg"}},
            {"madd", {"mul"}}, {"msub", {"mneg"}}, {"smaddl", {"smull"}}, {"smsubl", {"smnegl"}},
            {"umaddl", {"umull"}}, {"umsubl", {"umnegl"}},
            {"lslv", {"lsl"}}, {"lsrv", {"lsr"}}, {"asrv", {"asr"}}, {"rorv", {"ror"}},
            {"sbc", {"ngc"}}, {"sbcs", {"ngcs"}},
            {"ins", {"mov"}}, {"umov", {"mov"}}, {"dup", {"mov"}},
            {"ldxr", {"ldaxr"}}, {"ldxrb", {"ldaxrb"}}, {"ldxrh", {"ldaxrh"}},
            {"stxr", {"stlxr"}}, {"stxrb", {"stlxrb"}}, {"stxrh", {"stlxrh"}},
            {"ldxp", {"ldaxp"}}, {"stxp", {"stlxp"}},
        };
        for (const char* op : {"ldadd", "ldclr", "ldeor", "ldset", "ldsmax", "ldsmin", "ldumax", "ldumin", "swp", "cas", "casp"})
            for (const char* sz : {"", "b", "h"}) {
                if (std::string(op) == "casp" && *sz) continue;
                const std::string base = std::string(op) + sz;
                for (const char* ord : {"", "a", "l", "al"}) {
                    a[base].insert(std::string(op) + ord + sz);
                    // Rt = XZR without acquire: the ST<op> alias.
                    if (op[0] == 'l' && op[1] == 'd' && (*ord == 0 || std::string(ord) == "l"))
                        a[base].insert("st" + std::string(op + 2) + ord + sz);
                }
            }
        return a;
    }();
    return m;
}

bool same_insn(const std::string& table, const std::string& cs) {
    if (table == cs) return true;
    if (table == "b.cond") return cs.rfind("b.", 0) == 0;
    auto it = aliases().find(table);
    return it != aliases().end() && it->second.count(cs) != 0;
}

class Capstone {
public:
    Capstone() {
        REQUIRE(cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h_) == CS_ERR_OK);
        insn_ = cs_malloc(h_);
    }
    ~Capstone() {
        cs_free(insn_, 1);
        cs_close(&h_);
    }
    // The mnemonic, or "" when Capstone rejects the word.
    std::string mnemonic(uint32_t raw) {
        const uint8_t b[4] = {uint8_t(raw), uint8_t(raw >> 8), uint8_t(raw >> 16), uint8_t(raw >> 24)};
        const uint8_t* p = b;
        size_t n = 4;
        uint64_t addr = 0x1000;
        if (!cs_disasm_iter(h_, &p, &n, &addr, insn_)) return {};
        return insn_->mnemonic;
    }

private:
    csh h_ = 0;
    cs_insn* insn_ = nullptr;
};

// Known disagreements with Capstone 4 where the Arm ARM is on our side.
// Returns a reason, or nullptr when the word must agree.
const char* capstone_bug(uint32_t raw, const std::string& table, const std::string& cs) {
    (void)table;
    // Capstone 4 predates the Armv8.1 atomics: it rejects every LSE atomic
    // memory operation, CAS and CASP (the golden encodings cover them).
    if (cs.empty() && (raw & 0x3f200c00u) == 0x38200000u) return "LSE atomic";
    if (cs.empty() && (raw & 0x3fa07c00u) == 0x08a07c00u) return "CAS";
    if (cs.empty() && (raw & 0xbfa07c00u) == 0x08207c00u) return "CASP";
    // Its decoder applies the writeback-overlap rule (Rt == Rn) to LDTR/STTR,
    // which have no writeback.
    if (cs.empty() && (raw & 0x3b200c00u) == 0x38000800u && ((raw >> 5) & 31) == (raw & 31)) return "LDTR Rt == Rn";
    // It wants the bits that DUP (general) and INS (element) ignore (imm5
    // above the size marker, imm4 below the element index) to be zero.
    const uint32_t imm5 = (raw >> 16) & 31;
    const unsigned lsb = imm5 ? static_cast<unsigned>(__builtin_ctz(imm5)) : 0;
    if (cs.empty() && (raw & 0xbfe0fc00u) == 0x0e000c00u && (imm5 >> (lsb + 1)) != 0) return "DUP ignored bits";
    if (cs.empty() && (raw & 0xffe08400u) == 0x6e000400u && (((raw >> 11) & 15) & ((1u << lsb) - 1)) != 0)
        return "INS ignored bits";
    return nullptr;
}

struct Tally {
    uint64_t words = 0, accepted = 0, rejected = 0, excused = 0;
    std::vector<std::string> failures;
    void fail(std::string s) {
        if (failures.size() < 20) failures.push_back(std::move(s));
        else failures.back() = "... and more";
    }
};

std::string hex(uint32_t v) {
    char b[16];
    snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

void check_word(Capstone& cs, uint32_t raw, Tally& t) {
    ++t.words;
    const Insn in = decode(raw);
    const std::string c = cs.mnemonic(raw);
    if (in.id == kInvalidId) {
        ++t.rejected;
        return;
    }
    const InsnDesc& d = insn_table()[in.id];
    if (!covered(d.fn)) return;
    ++t.accepted;
    if (c.empty()) {
        if (capstone_bug(raw, d.name, c)) { ++t.excused; return; }
        t.fail(hex(raw) + ": model decodes '" + d.name + "', Capstone rejects it");
    } else if (!same_insn(d.name, c)) {
        if (capstone_bug(raw, d.name, c)) { ++t.excused; return; }
        t.fail(hex(raw) + ": model decodes '" + d.name + "', Capstone says '" + c + "'");
    }
}

} // namespace

TEST_CASE("A64 golden encodings decode to their table line", "[arm64][decode][unit]") {
    std::set<Handler> hit;
    for (const Golden& g : kGolden) {
        const Insn in = decode(g.raw);
        INFO(hex(g.raw) << " expected " << g.name);
        REQUIRE(in.id != kInvalidId);
        // Loads and stores based on SP run through the SP alignment check first.
        CHECK(insn_table()[in.id].fn == g.fn);
        CHECK((in.fn == g.fn || (in.fn == &op_sp_checked && in.rn == kSp)));
        CHECK(std::string(insn_table()[in.id].name) == g.name);
        CHECK(in.raw == g.raw);
        hit.insert(insn_table()[in.id].fn);
    }
    // Every line of the covered tables has a golden encoding.
    unsigned missing = 0;
    for (unsigned k = 0; k < insn_table_size(); ++k)
        if (covered(insn_table()[k].fn) && !hit.count(insn_table()[k].fn)) {
            ++missing;
            UNSCOPED_INFO("no golden encoding for table line " << k << " (" << insn_table()[k].name << ")");
        }
    CHECK(missing == 0);
}

TEST_CASE("A64 table lines are well formed", "[arm64][decode][unit]") {
    for (unsigned k = 0; k < insn_table_size(); ++k) {
        const InsnDesc& d = insn_table()[k];
        INFO("line " << k << " " << d.name);
        CHECK((d.match & ~d.mask) == 0);
        CHECK(d.fn != nullptr);
        // An earlier line that is strictly more general would shadow it.
        for (unsigned j = 0; j < k; ++j) {
            const InsnDesc& e = insn_table()[j];
            const bool shadows = (e.mask & d.mask) == e.mask && (d.match & e.mask) == e.match;
            CHECK_FALSE(shadows);
        }
    }
}

TEST_CASE("A64 unallocated encodings decode to the undefined handler", "[arm64][decode][unit]") {
    for (uint32_t raw : {0x00000000u, 0xffffffffu, 0x12c00000u /* logical imm W with N=1 */,
                         0x0bc00000u /* add shifted, shift type 3 */, 0x0b201800u /* add extended, imm3 = 6 */,
                         0x38204800u /* ldrb register, option 010 ok */}) {
        const Insn in = decode(raw);
        if (raw == 0x38204800u) {   // sanity: a legal neighbour decodes
            CHECK(in.id != kInvalidId);
            continue;
        }
        INFO(hex(raw));
        CHECK(in.id == kInvalidId);
        CHECK(in.fn == &op_undefined);
    }
    CHECK(decode(0x38200800u | (1u << 13)).id == kInvalidId);   // ldrb register, option 001 (reserved)
}

TEST_CASE("A64 operand extraction", "[arm64][decode][unit]") {
    // add sp, x2, #12: destination SP, source X2.
    Insn in = decode(0x9100305f);
    CHECK(in.rd == kSp);
    CHECK(in.rn == 2);
    CHECK(in.imm == 12);
    // add x0, x1, w2, uxtb #4
    in = decode(0x8b221020);
    CHECK(in.rd == 0);
    CHECK(in.rm == 2);
    CHECK(in.shift == 0);
    CHECK(in.amount == 4);
    // adds x1, sp, #1, lsl #12
    in = decode(0xb14007e1);
    CHECK(in.rd == 1);
    CHECK(in.rn == kSp);
    CHECK(in.imm == 4096);
    // subs xzr, x1, x2 (cmp): the write goes to the sink, reads of XZR give kZr.
    in = decode(0xeb02003f);
    CHECK(in.rd == kSink);
    CHECK(in.rn == 1);
    // orr x0, xzr, x1 (mov)
    in = decode(0xaa0103e0);
    CHECK(in.rn == kZr);
    // and x0, x1, #0xff00ff00ff00ff00
    in = decode(0x92089c20);
    CHECK(static_cast<uint64_t>(in.imm) == 0xff00ff00ff00ff00ull);
    // orr w1, w2, #0xf0f0f0f0
    in = decode(0x3204cc41);
    CHECK(static_cast<uint64_t>(in.imm) == 0xf0f0f0f0ull);
    // b.ne .-8
    in = decode(0x54ffffc1);
    CHECK(in.cond == 1);
    CHECK(in.imm == -8);
    // tbnz w5, #3, .+8
    in = decode(0x37180045);
    CHECK(in.amount == 3);
    CHECK(in.imm == 8);
    // ldr x3, [x4, #24]
    in = decode(0xf9400c83);
    CHECK(in.size == 3);
    CHECK(in.imm == 24);
    // ldp x29, x30, [sp], #16
    in = decode(0xa8c17bfd);
    CHECK(in.rd == 29);
    CHECK(in.ra == 30);
    CHECK(in.rn == kSp);
    CHECK(in.imm == 16);
    // movi v1.4s, #0x12, lsl #8
    in = decode(0x4f002641);
    CHECK(static_cast<uint64_t>(in.imm) == 0x0000120000001200ull);
    CHECK(in.aux == 1);
    // fmov d1, #31.0
    in = decode(0x1e67f001);
    double d;
    uint64_t bits = static_cast<uint64_t>(in.imm);
    std::memcpy(&d, &bits, 8);
    CHECK(d == 31.0);
}

TEST_CASE("A64 decoder agrees with Capstone on targeted samples of every table line", "[arm64][decode][capstone]") {
    Capstone cs;
    Tally t;
    std::mt19937_64 rng(0x5eed1234);
    for (unsigned k = 0; k < insn_table_size(); ++k) {
        const InsnDesc& d = insn_table()[k];
        if (!covered(d.fn)) continue;
        for (int n = 0; n < 4000; ++n) check_word(cs, d.match | (static_cast<uint32_t>(rng()) & ~d.mask), t);
    }
    INFO(t.words << " words, " << t.accepted << " accepted, " << t.excused << " excused Capstone bugs");
    for (const auto& f : t.failures) UNSCOPED_INFO(f);
    CHECK(t.failures.empty());
}

TEST_CASE("A64 decoder agrees with Capstone on random words", "[arm64][decode][capstone]") {
    Capstone cs;
    Tally t;
    std::mt19937_64 rng(0xa64a64);
    for (int n = 0; n < 2'000'000; ++n) check_word(cs, static_cast<uint32_t>(rng()), t);
    INFO(t.words << " words, " << t.accepted << " accepted, " << t.rejected << " rejected, " << t.excused
                 << " excused Capstone bugs");
    for (const auto& f : t.failures) UNSCOPED_INFO(f);
    CHECK(t.failures.empty());
    CHECK(t.accepted > 100'000);
}

TEST_CASE("A64 disassembly through Capstone", "[arm64][decode][unit]") {
    CHECK(disassemble(0x8b020020) == "add x0, x1, x2");
    CHECK(disassemble(0xd65f03c0) == "ret");
    CHECK(disassemble(0x14000002, 0x1000) == "b #0x1008");
    CHECK(disassemble(0xffffffff) == "unknown 0xffffffff");
    CHECK(disassemble_mnemonic(0xa9bf7bfd) == "stp");
}
