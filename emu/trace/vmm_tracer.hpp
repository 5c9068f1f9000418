// What a VMM tells a tracer while it runs a VM: guest-run spans, exits,
// the MMIO accesses it completed, the interrupts it injected and (when
// asked) every guest instruction. The text and JSON tracers implement it;
// the VMM calls it through VmmOptions::tracer.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emu/vmm/exit_trace.hpp"

namespace hvemu::emu::trace {

// An MMIO access the VMM served for the exit it is handling.
struct MmioEvent {
    uint64_t addr = 0;
    unsigned width = 0;
    uint64_t value = 0;      // read: what the device returned; write: what was stored
    bool store = false;
    std::string_view device;
};

// An interrupt the VMM injected into a vCPU.
struct IrqEvent {
    unsigned target = 0;     // the vCPU
    uint64_t vector = 0;     // RISC-V: 1 VSSIP, 5 VSTIP, 9 VSEIP; Arm: the INTID
    const char* source = ""; // "ipi" (an SBI IPI / SGI of the exiting vCPU), "plic" or "gic"
    vmm::Isa isa = vmm::Isa::Riscv64;
};

class VmmTracer {
public:
    virtual ~VmmTracer() = default;
    // true: the VMM runs one instruction per run() and reports each.
    virtual bool wants_insns() const { return false; }
    // The instruction at `pc` is about to run on vCPU v (raw: nullopt when
    // it cannot be read).
    virtual void on_insn(unsigned v, uint64_t cycle, uint64_t pc, std::optional<uint32_t> raw) {
        (void)v, (void)cycle, (void)pc, (void)raw;
    }
    // vCPU v ran on physical CPU p from cycle `start` to `end` (one run()).
    virtual void on_run(unsigned v, unsigned p, uint64_t start, uint64_t end, uint64_t insns) {
        (void)v, (void)p, (void)start, (void)end, (void)insns;
    }
    // Called before the VMM serves the exit; on_mmio/on_irq that follow
    // belong to it (except PLIC interrupts raised by console input).
    virtual void on_exit(const vmm::ExitRecord& r) { (void)r; }
    virtual void on_mmio(const MmioEvent& e) { (void)e; }
    virtual void on_irq(const IrqEvent& e) { (void)e; }
};

// Several tracers as one (text and JSON at once).
class TracerFan : public VmmTracer {
public:
    void add(VmmTracer* t) {
        if (t) all_.push_back(t);
    }
    bool empty() const { return all_.empty(); }
    bool wants_insns() const override {
        for (auto* t : all_)
            if (t->wants_insns()) return true;
        return false;
    }
    void on_insn(unsigned v, uint64_t c, uint64_t pc, std::optional<uint32_t> raw) override {
        for (auto* t : all_) t->on_insn(v, c, pc, raw);
    }
    void on_run(unsigned v, unsigned p, uint64_t s, uint64_t e, uint64_t n) override {
        for (auto* t : all_) t->on_run(v, p, s, e, n);
    }
    void on_exit(const vmm::ExitRecord& r) override {
        for (auto* t : all_) t->on_exit(r);
    }
    void on_mmio(const MmioEvent& e) override {
        for (auto* t : all_) t->on_mmio(e);
    }
    void on_irq(const IrqEvent& e) override {
        for (auto* t : all_) t->on_irq(e);
    }

private:
    std::vector<VmmTracer*> all_;
};

// The name of an injected interrupt: RISC-V "VSSIP", "VSTIP", "VSEIP";
// Arm "SGI", "PPI", "SPI" by INTID.
const char* irq_name(uint64_t vector, vmm::Isa isa = vmm::Isa::Riscv64);

} // namespace hvemu::emu::trace
