#include "emu/machine/board_tracing.hpp"

#include "emu/debug/arm64_gdb_target.hpp"
#include "emu/debug/riscv_gdb_target.hpp"
#include "emu/debug/x86_gdb_target.hpp"
#include "isa/arm64/disasm.hpp"
#include "isa/riscv/disasm.hpp"
#include "isa/x86/disasm.hpp"

namespace hvemu::emu {

namespace {

uint64_t pc_of(const rv::Hart& h) { return h.pc; }
uint64_t pc_of(const arm::Pe& p) { return p.pc; }
uint64_t pc_of(const x86::Core& c) { return c.rip; }

// Common to the three boards: the view of the cores, the sinks, the bus
// and the per-instruction hook. `Reader` reads guest memory the way the
// debugger does (the core's current translation, without side effects).
template <class Board, class CoreOf, class Disasm>
std::unique_ptr<trace::BoardTracer> attach(Board& b, const trace::TraceRequest& req, const char* name, vmm::Isa isa,
                                           uint64_t core_hz, CoreOf core_of, Disasm disasm) {
    if (req.what.empty() && req.json_file.empty()) return nullptr;
    trace::CoreView view;
    view.cycles = [&b, core_of](unsigned i) { return core_of(b, i).cycles(); };
    view.icount = [&b, core_of](unsigned i) { return core_of(b, i).icount(); };
    view.pc = [&b, core_of](unsigned i) { return pc_of(core_of(b, i)); };
    view.current = [&b] { return b.current_core(); };
    view.disasm = disasm;
    auto t = std::make_unique<trace::BoardTracer>(req, trace::BoardInfo{name, isa, b.num_cores(), core_hz}, view);
    for (unsigned i = 0; i < b.num_cores(); i++) core_of(b, i).hw_trace = t->sink(i);
    if (t->wants_mmio()) b.mem().mmio_observer = t.get();
    if (t->wants_insns()) {
        // Behind the debugger's hook, when there is one: the line is the
        // instruction that runs once the stub lets the core go on.
        trace::BoardTracer* tp = t.get();
        b.before_insn = [tp, prev = std::move(b.before_insn)](unsigned i) {
            if (prev && !prev(i)) return false;
            tp->on_insn(i);
            return true;
        };
    }
    return t;
}

} // namespace

std::unique_ptr<trace::BoardTracer> attach_tracer(RiscvVirt& b, const trace::TraceRequest& req, uint64_t core_hz) {
    std::vector<rv::Hart*> harts;
    for (unsigned i = 0; i < b.num_harts(); i++) harts.push_back(&b.hart(i));
    auto mem = std::make_shared<debug::RiscvHartsTarget>(std::move(harts));
    auto core_of = [](RiscvVirt& m, unsigned i) -> rv::Hart& { return m.hart(i); };
    auto disasm = [mem](unsigned i, uint64_t pc) -> std::string {
        uint8_t x[4] = {};
        if (!mem->read_memory(i, pc, x, 2, false)) return {};
        uint32_t raw = x[0] | uint32_t{x[1]} << 8;
        if ((raw & 3) == 3) {
            if (!mem->read_memory(i, pc + 2, x + 2, 2, false)) return {};
            raw |= uint32_t{x[2]} << 16 | uint32_t{x[3]} << 24;
        }
        return rv::disassemble(raw, pc, {.aliases = true});
    };
    auto t = attach(b, req, "riscv64-virt", vmm::Isa::Riscv64, core_hz, core_of, disasm);
    return t;
}

std::unique_ptr<trace::BoardTracer> attach_tracer(Aarch64Virt& b, const trace::TraceRequest& req, uint64_t core_hz) {
    std::vector<arm::Pe*> pes;
    for (unsigned i = 0; i < b.num_cpus(); i++) pes.push_back(&b.pe(i));
    auto mem = std::make_shared<debug::Arm64GdbTarget>(std::move(pes));
    auto core_of = [](Aarch64Virt& m, unsigned i) -> arm::Pe& { return m.pe(i); };
    auto disasm = [mem](unsigned i, uint64_t pc) -> std::string {
        uint8_t x[4] = {};
        if (!mem->read_memory(i, pc, x, 4, false)) return {};
        return arm::disassemble(x[0] | uint32_t{x[1]} << 8 | uint32_t{x[2]} << 16 | uint32_t{x[3]} << 24, pc);
    };
    return attach(b, req, "aarch64-virt", vmm::Isa::Arm64, core_hz, core_of, disasm);
}

std::unique_ptr<trace::BoardTracer> attach_tracer(X86Pc& b, const trace::TraceRequest& req, uint64_t core_hz) {
    std::vector<x86::Core*> cores;
    for (unsigned i = 0; i < b.num_cpus(); i++) cores.push_back(&b.cpu(i));
    auto mem = std::make_shared<debug::X86GdbTarget>(std::move(cores));
    auto core_of = [](X86Pc& m, unsigned i) -> x86::Core& { return m.cpu(i); };
    auto disasm = [mem, &b](unsigned i, uint64_t rip) -> std::string {
        const x86::Core& c = b.cpu(i);
        uint8_t bytes[15] = {};
        size_t n = 0;   // as many bytes as can be read, up to the longest instruction
        while (n < sizeof bytes && mem->read_memory(i, rip + n, bytes + n, 1, false)) n++;
        if (n == 0) return {};
        const unsigned bits = c.code64() ? 64 : !c.protected_mode() ? 16 : (c.seg[x86::CS].attr & (1u << 14)) ? 32 : 16;
        return x86::disassemble(bytes, n, bits, rip);
    };
    auto t = attach(b, req, "x86_64-pc", vmm::Isa::X86_64, core_hz, core_of, disasm);
    if (t && t->wants_mmio()) b.ports().observer = t.get();   // port I/O: the mmio kind too
    return t;
}

} // namespace hvemu::emu
