// The load/store forms as a table (Arm ARM C4.1.66, "Loads and Stores":
// size 111 V=0 ...), then the opc/size rules shared by every form.
#include "vcpu/arm64/mmio_decode.hpp"

namespace hvemu::vcpu::arm64 {

namespace {

struct Form {
    const char* name;
    uint32_t match, mask;
    LdStMode mode;
};

// bits 29:24 = 111000 (register forms, bit 21 and bits 11:10 tell which) or
// 111001 (unsigned offset); bit 26 (V) = 0 in both: no SIMD&FP.
constexpr Form kForms[] = {
    {"ldst_imm_unscaled", 0x38000000, 0x3f200c00, LdStMode::Unscaled},
    {"ldst_imm_post",     0x38000400, 0x3f200c00, LdStMode::PostIndex},
    {"ldst_imm_unpriv",   0x38000800, 0x3f200c00, LdStMode::Unprivileged},
    {"ldst_imm_pre",      0x38000c00, 0x3f200c00, LdStMode::PreIndex},
    {"ldst_reg_offset",   0x38200800, 0x3f200c00, LdStMode::RegisterOffset},
    {"ldst_uimm",         0x39000000, 0x3f000000, LdStMode::UnsignedOffset},
};

int64_t sext(uint64_t v, unsigned bits) { return static_cast<int64_t>(v << (64 - bits)) >> (64 - bits); }

} // namespace

uint64_t LdStInsn::address(uint64_t base, uint64_t index) const {
    switch (mode) {
    case LdStMode::PostIndex: return base;
    case LdStMode::RegisterOffset: {
        uint64_t x = index;
        switch (option) {
        case 2: x = static_cast<uint32_t>(index); break;                          // UXTW
        case 6: x = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(index))); break;   // SXTW
        default: break;                                                            // LSL (UXTX), SXTX
        }
        return base + (x << shift);
    }
    default: return base + static_cast<uint64_t>(imm);
    }
}

std::optional<LdStInsn> decode_ldst(uint32_t raw) {
    const Form* form = nullptr;
    for (const Form& f : kForms)
        if ((raw & f.mask) == f.match) {
            form = &f;
            break;
        }
    if (!form) return std::nullopt;

    LdStInsn m;
    m.name = form->name;
    m.mode = form->mode;
    const unsigned size_log2 = raw >> 30, opc = (raw >> 22) & 3;
    m.size = 1u << size_log2;
    m.rt = raw & 0x1f;
    m.rn = (raw >> 5) & 0x1f;
    switch (opc) {
    case 0: m.store = true; m.reg_width = size_log2 == 3 ? 8 : 4; break;
    case 1: m.reg_width = size_log2 == 3 ? 8 : 4; break;
    case 2:   // LDRSB/LDRSH/LDRSW to Xt; size 3 is PRFM
        if (size_log2 == 3) return std::nullopt;
        m.signed_ext = true;
        m.reg_width = 8;
        break;
    case 3:   // LDRSB/LDRSH to Wt; sizes 2 and 3 are unallocated
        if (size_log2 >= 2) return std::nullopt;
        m.signed_ext = true;
        m.reg_width = 4;
        break;
    }
    switch (m.mode) {
    case LdStMode::UnsignedOffset: m.imm = static_cast<int64_t>(((raw >> 10) & 0xfff) << size_log2); break;
    case LdStMode::RegisterOffset: {
        m.rm = (raw >> 16) & 0x1f;
        m.option = (raw >> 13) & 7;
        if (!(m.option & 2)) return std::nullopt;   // options 0, 1, 4, 5 are unallocated here
        m.shift = ((raw >> 12) & 1) ? size_log2 : 0;
        break;
    }
    default: m.imm = sext((raw >> 12) & 0x1ff, 9); break;
    }
    // Writeback onto the transfer register is CONSTRAINED UNPREDICTABLE:
    // not emulated.
    if (m.writeback() && m.rn == m.rt && m.rn != 31) return std::nullopt;
    return m;
}

} // namespace hvemu::vcpu::arm64
