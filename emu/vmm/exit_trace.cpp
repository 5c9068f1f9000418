#include "emu/vmm/exit_trace.hpp"

#include <utility>

#include <fmt/format.h>

#include "isa/riscv/disasm.hpp"

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

std::string format_trace_line(const ExitRecord& r) {
    std::string where;
    if (r.trap_pc) {
        where = r.insn ? fmt::format("pc {:#x} {}", *r.trap_pc, rv::disassemble(*r.insn, *r.trap_pc, {.aliases = true}))
                       : fmt::format("pc {:#x}", *r.trap_pc);
    } else {
        where = fmt::format("pc {:#x}", r.pc_after);
    }
    return fmt::format("vcpu {} cycle {} {} -> {}", r.vcpu, r.cycle, where, vcpu::describe(r.exit));
}

} // namespace hvemu::emu::vmm
