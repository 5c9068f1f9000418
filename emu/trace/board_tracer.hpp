// `--trace` and `--trace-json` on a full-system board: what the hardware
// model itself does, as a bare-metal hypervisor running on the board sees
// it. Each core reports its VM exits, VM entries and interrupts through
// sink(core); the board's bus reports device accesses through on_mmio()
// (and an x86 board's port bus through on_port()); the
// run loop reports each instruction (insn tracing only) through on_insn().
//   exits  core 0 cycle 5123 pc 0x40080010 hvc #0x0 -> VM exit HVC64 esr_el2=0x5a000000 ec=0x16 ...
//          core 0 cycle 4977 pc 0x40080000 mov x0, #0x1 -> VM entry el=EL1 guest_pc=0x40080000
//   irq    core 1 cycle 9000 pc 0x80001234 wfi -> irq M timer cause=0x8000000000000007 to=M
//   mmio   core 0 cycle 812 pc 0x80000040 sb a0, 0(a1) -> mmio write addr=0x10000000 width=1 value=0x68 device=uart
//          core 0 cycle 903 pc 0x100123 out dx, al -> io write port=0x3f8 width=1 value=0x68 device=uart (x86 ports)
//   insn   core 0 cycle 811 pc 0x8000003c li a0, 104
// The JSON timeline has one track per core: a "guest" span from every VM
// entry to the VM exit that ends it, and every event as an instant event
// with its decoded fields. Time is model time, as for hosted VMs.
#pragma once
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emu/trace/json_writer.hpp"
#include "emu/trace/trace_session.hpp"
#include "emu/trace/trace_set.hpp"
#include "isa/common/hw_trace.hpp"
#include "devices/port_bus.hpp"
#include "isa/common/phys_mem.hpp"

namespace hvemu::emu::trace {

struct BoardInfo {
    std::string board;             // "riscv64-virt"
    vmm::Isa isa = vmm::Isa::Riscv64;
    unsigned cores = 1;
    uint64_t core_hz = 1'000'000'000;
};

// How the tracer looks at the board's cores (without disturbing them).
struct CoreView {
    std::function<uint64_t(unsigned core)> cycles;
    std::function<uint64_t(unsigned core)> pc;
    std::function<uint64_t(unsigned core)> icount;   // instructions retired
    // The instruction at pc as the core would fetch it now ("" when unreadable).
    std::function<std::string(unsigned core, uint64_t pc)> disasm;
    // The core the board is running (the one an MMIO access comes from).
    std::function<unsigned()> current;
};

class BoardTracer final : public isa::MmioObserver, public dev::PortObserver {
public:
    // Opens the files; throws std::runtime_error when one cannot be
    // created, std::invalid_argument for a bad --trace list.
    BoardTracer(const TraceRequest& req, const BoardInfo& info, CoreView view);
    ~BoardTracer() override;
    BoardTracer(const BoardTracer&) = delete;
    BoardTracer& operator=(const BoardTracer&) = delete;

    bool active() const { return set_.any() || json_; }
    bool wants_insns() const { return set_.insn; }
    bool wants_mmio() const { return set_.mmio || json_; }
    // The sink core `core` reports to.
    isa::HwTraceSink* sink(unsigned core);

    void on_hw_event(unsigned core, const isa::HwEvent& e);
    void on_insn(unsigned core);
    void on_mmio(uint64_t paddr, unsigned width, uint64_t value, bool store, bool ok,
                 const std::string& device) override;
    void on_port(uint16_t port, unsigned width, uint32_t value, bool write, bool ok,
                 const std::string& device) override;
    // Ends open spans, writes the end event, closes the JSON. Idempotent.
    void finish(int status, const std::string& message);

private:
    class CoreSink;
    std::string where(unsigned core, uint64_t pc, uint64_t cycle) const;
    void line(const std::string& s);
    void instant(unsigned core, uint64_t cycle, const char* cat, const std::string& name,
                 const std::vector<std::pair<std::string, std::string>>& args);
    void span_end(unsigned core, uint64_t cycle);
    void ts(uint64_t cycle);

    BoardInfo info_;
    CoreView view_;
    TraceSet set_;
    std::FILE* text_ = nullptr;
    bool own_text_ = false;
    std::FILE* json_out_ = nullptr;
    std::unique_ptr<JsonWriter> json_;
    double cycles_per_us_;
    bool finished_ = false;
    std::vector<std::unique_ptr<CoreSink>> sinks_;
    std::vector<std::optional<uint64_t>> guest_since_;   // per core: the cycle of its VM entry, while in a guest
    std::vector<uint64_t> guest_insns_since_;
};

} // namespace hvemu::emu::trace
