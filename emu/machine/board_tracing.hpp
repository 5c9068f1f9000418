// Wires a BoardTracer (`--trace`, `--trace-json` on a full-system board)
// into a board: each core's hardware-event sink, the bus's MMIO observer
// (and the x86 port bus's observer) and, for insn tracing, the run loop's
// per-instruction hook. The tracer
// must be destroyed before the board (declare it after the board).
#pragma once
#include <memory>

#include "emu/machine/aarch64_virt.hpp"
#include "emu/machine/riscv64_virt.hpp"
#include "emu/machine/x86_64_pc.hpp"
#include "emu/trace/board_tracer.hpp"

namespace hvemu::emu {

// nullptr when the request traces nothing. Insn tracing chains behind a
// before_insn already set (the GDB stub's: attach the stub first), so the
// line comes after the stub let the instruction run.
std::unique_ptr<trace::BoardTracer> attach_tracer(RiscvVirt& b, const trace::TraceRequest& req, uint64_t core_hz);
std::unique_ptr<trace::BoardTracer> attach_tracer(Aarch64Virt& b, const trace::TraceRequest& req, uint64_t core_hz);
std::unique_ptr<trace::BoardTracer> attach_tracer(X86Pc& b, const trace::TraceRequest& req, uint64_t core_hz);

} // namespace hvemu::emu
