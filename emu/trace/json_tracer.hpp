// `--trace-json FILE`: the Chrome/Perfetto trace-event format (a JSON
// object with "traceEvents"), for ui.perfetto.dev or chrome://tracing.
// One process for the VM, one thread (track) per vCPU; guest-run spans
// are complete events ("X"), exits, MMIO accesses and injected interrupts
// instant events ("i") with their fields in "args". Timestamps are model
// time in microseconds (cycles / (core_hz / 1e6)), never host time, so a
// run always gives the same file. The file is valid JSON however the run
// ends: finish() (or the destructor) closes what is open.
#pragma once
#include <cstdio>
#include <optional>
#include <string>

#include "emu/trace/json_writer.hpp"
#include "emu/trace/vmm_tracer.hpp"

namespace hvemu::emu::trace {

struct VmInfo {
    std::string name = "VM";
    unsigned vcpus = 1;
    unsigned pcpus = 1;
    uint64_t core_hz = 1'000'000'000;
    vmm::Isa isa = vmm::Isa::Riscv64;
};

class JsonTracer : public VmmTracer {
public:
    // Writes to `out` (not closed here); with insns, every instruction is
    // an instant event too (large files).
    JsonTracer(std::FILE* out, const VmInfo& vm, bool insns = false);
    ~JsonTracer() override;
    JsonTracer(const JsonTracer&) = delete;
    JsonTracer& operator=(const JsonTracer&) = delete;

    bool wants_insns() const override { return insns_; }
    void on_insn(unsigned v, uint64_t cycle, uint64_t pc, std::optional<uint32_t> raw) override;
    void on_run(unsigned v, unsigned p, uint64_t start, uint64_t end, uint64_t insns) override;
    void on_exit(const vmm::ExitRecord& r) override;
    void on_mmio(const MmioEvent& e) override;
    void on_irq(const IrqEvent& e) override;
    // The end of the run: an instant event on the VM with the status and
    // message, then the closing brackets. Idempotent.
    void finish(int status, const std::string& message);

private:
    void event(const char* ph, const std::string& name, unsigned tid, uint64_t cycle);
    void ts(uint64_t cycle);

    JsonWriter w_;
    double cycles_per_us_;
    bool insns_;
    vmm::Isa isa_;
    bool finished_ = false;
    std::optional<vmm::ExitRecord> last_;
    uint64_t last_cycle_ = 0;
};

} // namespace hvemu::emu::trace
