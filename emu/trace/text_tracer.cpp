#include "emu/trace/text_tracer.hpp"

#include <fmt/format.h>


namespace hvemu::emu::trace {

std::string pc_text(uint64_t pc, std::optional<uint32_t> raw, vmm::Isa isa) {
    if (!raw) return fmt::format("pc {:#x}", pc);
    return fmt::format("pc {:#x} {}", pc, vmm::disassemble(isa, *raw, pc));
}

void TextTracer::line(const std::string& s) {
    std::fputs(s.c_str(), out_);
    std::fputc('\n', out_);
}

std::string TextTracer::exit_where() const {
    if (!last_) return "vcpu ? cycle ?";
    const vmm::ExitRecord& r = *last_;
    return fmt::format("vcpu {} cycle {} {}", r.vcpu, r.cycle,
                       r.trap_pc ? pc_text(*r.trap_pc, r.insn, r.isa) : pc_text(r.pc_after, std::nullopt));
}

void TextTracer::on_insn(unsigned v, uint64_t cycle, uint64_t pc, std::optional<uint32_t> raw) {
    if (what_.insn) line(fmt::format("vcpu {} cycle {} {}", v, cycle, pc_text(pc, raw, isa_)));
}

void TextTracer::on_run(unsigned, unsigned, uint64_t, uint64_t end, uint64_t) {
    if (end > latest_) latest_ = end;
}

void TextTracer::on_exit(const vmm::ExitRecord& r) {
    last_ = r;
    if (r.cycle > latest_) latest_ = r.cycle;
    if (what_.exits) line(vmm::format_trace_line(r));
}

void TextTracer::on_mmio(const MmioEvent& e) {
    if (!what_.mmio) return;
    line(fmt::format("{} -> mmio {} addr={:#x} width={} value={:#x} device={}", exit_where(),
                     e.store ? "write" : "read", e.addr, e.width, e.value, e.device));
}

void TextTracer::on_irq(const IrqEvent& e) {
    if (!what_.irq) return;
    // An IPI comes from the exit being served: its cycle, the sender and
    // its ecall. A PLIC interrupt may come from console input between
    // runs: the latest cycle any CPU reached, no sender.
    const bool ipi = std::string_view(e.source) == "ipi" && last_;
    std::string from = e.source;
    if (ipi)
        from += fmt::format(" of vcpu {} {}", last_->vcpu,
                            last_->trap_pc ? pc_text(*last_->trap_pc, last_->insn, last_->isa)
                                           : pc_text(last_->pc_after, std::nullopt));
    line(fmt::format("vcpu {} cycle {} irq {} (vector {}) from {}", e.target, ipi ? last_->cycle : latest_,
                     irq_name(e.vector, e.isa), e.vector, from));
}

} // namespace hvemu::emu::trace
