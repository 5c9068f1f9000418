#include "emu/vmm/exit_trace.hpp"

#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "isa/arm64/disasm.hpp"
#include "isa/riscv/disasm.hpp"
#include "isa/x86/disasm.hpp"

namespace hvemu::emu::vmm {

namespace {
template <size_t... I> const char* kind_name(size_t k, std::index_sequence<I...>) {
    static const std::array<const char*, sizeof...(I)> names = {
        vcpu::exit_kind(vcpu::ExitReason(std::in_place_index<I>))...};
    return k < names.size() ? names[k] : "?";
}
} // namespace

const char* exit_kind_name(size_t index) {
    return kind_name(index, std::make_index_sequence<std::variant_size_v<vcpu::ExitReason>>{});
}

std::string disassemble(Isa isa, uint32_t raw, uint64_t pc) {
    // x86: the record keeps the first 4 bytes; a longer instruction shows as unknown.
    if (isa == Isa::X86_64) {
        uint8_t b[4];
        std::memcpy(b, &raw, 4);
        return x86::disassemble(b, 4, 64, pc);
    }
    return isa == Isa::Arm64 ? arm::disassemble(raw, pc) : rv::disassemble(raw, pc, {.aliases = true});
}

const char* cause_name(Isa isa) {
    return isa == Isa::Arm64 ? "esr_el2" : isa == Isa::X86_64 ? "exit_reason" : "scause";
}

std::string format_trace_line(const ExitRecord& r) {
    std::string where;
    if (r.trap_pc) {
        where = r.insn ? fmt::format("pc {:#x} {}", *r.trap_pc, disassemble(r.isa, *r.insn, *r.trap_pc))
                       : fmt::format("pc {:#x}", *r.trap_pc);
    } else {
        where = fmt::format("pc {:#x}", r.pc_after);
    }
    return fmt::format("vcpu {} cycle {} {} -> {}", r.vcpu, r.cycle, where, vcpu::describe(r.exit));
}

} // namespace hvemu::emu::vmm
