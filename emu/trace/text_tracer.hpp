// `--trace exits,irq,mmio,insn`: one text line per event, each with the
// vCPU, the cycle, the guest pc and its instruction, then the event.
//   exits  vcpu 0 cycle 1234 pc 0x80200010 sb a0, 0(a5) -> MmioWrite addr=...
//   mmio   vcpu 0 cycle 1234 pc 0x80200010 sb a0, 0(a5) -> mmio write addr=0x10000000 width=1 value=0x68 device=uart16550
//   irq    vcpu 2 cycle 1234 irq VSSIP (vector 1) from ipi of vcpu 0 pc 0x80200180 ecall
//          vcpu 0 cycle 3091 irq VSEIP (vector 9) from plic
//   insn   vcpu 0 cycle 1234 pc 0x80200000 auipc sp, 0x1
#pragma once
#include <cstdio>
#include <optional>
#include <string>

#include "emu/trace/trace_set.hpp"
#include "emu/trace/vmm_tracer.hpp"

namespace hvemu::emu::trace {

// "pc 0x80200010 sb a0, 0(a5)" (just "pc ..." without the bits).
std::string pc_text(uint64_t pc, std::optional<uint32_t> raw, vmm::Isa isa = vmm::Isa::Riscv64);

class TextTracer : public VmmTracer {
public:
    TextTracer(std::FILE* out, TraceSet what, vmm::Isa isa = vmm::Isa::Riscv64) : out_(out), what_(what), isa_(isa) {}
    bool wants_insns() const override { return what_.insn; }
    void on_insn(unsigned v, uint64_t cycle, uint64_t pc, std::optional<uint32_t> raw) override;
    void on_run(unsigned v, unsigned p, uint64_t start, uint64_t end, uint64_t insns) override;
    void on_exit(const vmm::ExitRecord& r) override;
    void on_mmio(const MmioEvent& e) override;
    void on_irq(const IrqEvent& e) override;

private:
    void line(const std::string& s);
    std::string exit_where() const;   // "vcpu 0 cycle 1234 pc 0x... insn" of the exit being served

    std::FILE* out_;
    TraceSet what_;
    vmm::Isa isa_;
    std::optional<vmm::ExitRecord> last_;
    uint64_t latest_ = 0;   // the latest cycle seen on any CPU
};

} // namespace hvemu::emu::trace
