#include "vcpu/riscv/mmio_decode.hpp"

#include <array>
#include <string_view>
#include <vector>

#include "isa/riscv/encoding.hpp"
#include "isa/riscv/insn.hpp"

namespace hvemu::vcpu::riscv {

namespace {

struct Shape {
    bool known = false;
    bool store = false;
    unsigned width = 0;
    bool signed_ext = false;
};

// Base-instruction table index -> load/store shape, found by mnemonic once,
// so compressed forms (which decode to their base's index via insn_base)
// share the entry of the instruction they expand to.
const std::vector<Shape>& shapes() {
    static const std::vector<Shape> table = [] {
        struct Named { std::string_view name; Shape s; };
        constexpr Named kNamed[] = {
            {"lb", {true, false, 1, true}},  {"lh", {true, false, 2, true}},  {"lw", {true, false, 4, true}},
            {"ld", {true, false, 8, true}},  {"lbu", {true, false, 1, false}}, {"lhu", {true, false, 2, false}},
            {"lwu", {true, false, 4, false}}, {"sb", {true, true, 1, false}},  {"sh", {true, true, 2, false}},
            {"sw", {true, true, 4, false}},  {"sd", {true, true, 8, false}},
        };
        std::vector<Shape> t(rv::insn_table_size());
        const rv::InsnDesc* d = rv::insn_table();
        for (unsigned i = 0; i < t.size(); ++i)
            for (const auto& n : kNamed)
                if (d[i].len == 4 && n.name == d[i].name) t[i] = n.s;
        return t;
    }();
    return table;
}

} // namespace

std::optional<MemInsn> decode_mem_insn(uint32_t raw) {
    const bool wide = (raw & 3) == 3;
    const rv::Insn i = rv::decode(wide ? raw : (raw & 0xffff));
    if (i.id == rv::kInvalidId) return std::nullopt;
    const uint16_t base = rv::insn_base(i.id);
    if (base == rv::kInvalidId || base >= shapes().size()) return std::nullopt;
    const Shape& s = shapes()[base];
    if (!s.known) return std::nullopt;
    MemInsn m;
    m.store = s.store;
    m.width = s.width;
    m.signed_ext = s.signed_ext;
    // The decoder sends integer writes to x0 into its sink register.
    m.reg = s.store ? i.rs2 : (i.rd == rv::kSinkReg ? 0 : i.rd);
    m.rs1 = i.rs1;
    m.imm = i.imm;
    m.len = wide ? 4 : 2;
    return m;
}

bool is_pseudo_tinst(uint64_t tinst) {
    return tinst == rv::tinst::PSEUDO_VS_READ_64 || tinst == rv::tinst::PSEUDO_VS_WRITE_64 ||
           tinst == rv::tinst::PSEUDO_VS_READ_32 || tinst == rv::tinst::PSEUDO_VS_WRITE_32;
}

std::optional<MemInsn> decode_transformed(uint64_t htinst) {
    if (htinst == 0 || htinst > 0xffffffffull || is_pseudo_tinst(htinst)) return std::nullopt;
    if ((htinst & 1) == 0) return std::nullopt;   // bits 1:0 = 00 or 10: not an instruction
    const bool compressed = (htinst & 2) == 0;
    auto m = decode_mem_insn(static_cast<uint32_t>(htinst | 2));
    if (!m) return std::nullopt;
    m->len = compressed ? 2 : 4;
    return m;
}

} // namespace hvemu::vcpu::riscv
