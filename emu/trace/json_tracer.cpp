#include "emu/trace/json_tracer.hpp"

#include <fmt/format.h>

#include "emu/trace/text_tracer.hpp"

namespace hvemu::emu::trace {

namespace {
constexpr unsigned kPid = 1;
constexpr unsigned kVmTid = 1000;   // the VM-wide track (end of run)

// describe() prints "Kind key=value key=value": each pair becomes an arg.
void describe_args(JsonWriter& w, const vcpu::ExitReason& e) {
    const std::string d = vcpu::describe(e);
    size_t pos = d.find(' ');
    while (pos != std::string::npos) {
        const size_t start = pos + 1;
        pos = d.find(' ', start);
        const std::string item = d.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        w.key(item.substr(0, eq));
        w.value(item.substr(eq + 1));
    }
}
} // namespace

JsonTracer::JsonTracer(std::FILE* out, const VmInfo& vm, bool insns)
    : w_(out), cycles_per_us_(vm.core_hz ? static_cast<double>(vm.core_hz) / 1e6 : 1000.0), insns_(insns), isa_(vm.isa) {
    w_.begin_object();
    w_.key("displayTimeUnit");
    w_.value("ns");
    w_.key("otherData");
    w_.begin_object();
    w_.key("vm");
    w_.value(vm.name);
    w_.key("core_hz");
    w_.value(vm.core_hz);
    w_.key("clock");
    w_.value("model time: cycles / (core_hz / 1e6) microseconds");
    w_.end_object();
    w_.key("traceEvents");
    w_.begin_array();
    auto meta = [&](const char* what, unsigned tid, const std::string& name, bool with_tid) {
        w_.begin_object();
        w_.key("ph");
        w_.value("M");
        w_.key("pid");
        w_.value(kPid);
        if (with_tid) {
            w_.key("tid");
            w_.value(tid);
        }
        w_.key("name");
        w_.value(what);
        w_.key("args");
        w_.begin_object();
        w_.key("name");
        w_.value(name);
        w_.end_object();
        w_.end_object();
    };
    meta("process_name", 0, fmt::format("VM {} ({} vCPUs on {} physical CPUs)", vm.name, vm.vcpus, vm.pcpus), false);
    // Tracks in order: vCPU 0..n-1, then the VM-wide one.
    auto sort_index = [&](unsigned tid, unsigned index) {
        w_.begin_object();
        w_.key("ph");
        w_.value("M");
        w_.key("pid");
        w_.value(kPid);
        w_.key("tid");
        w_.value(tid);
        w_.key("name");
        w_.value("thread_sort_index");
        w_.key("args");
        w_.begin_object();
        w_.key("sort_index");
        w_.value(index);
        w_.end_object();
        w_.end_object();
    };
    for (unsigned v = 0; v < vm.vcpus; v++) {
        meta("thread_name", v, fmt::format("vCPU {}", v), true);
        sort_index(v, v);
    }
    meta("thread_name", kVmTid, "VM", true);
    sort_index(kVmTid, vm.vcpus);
}

JsonTracer::~JsonTracer() { finish(-1, ""); }

void JsonTracer::ts(uint64_t cycle) {
    w_.key("ts");
    w_.value_fixed(static_cast<double>(cycle) / cycles_per_us_, 3);
}

// Opens an event object and leaves it open for more keys.
void JsonTracer::event(const char* ph, const std::string& name, unsigned tid, uint64_t cycle) {
    if (cycle > last_cycle_) last_cycle_ = cycle;
    w_.begin_object();
    w_.key("ph");
    w_.value(ph);
    w_.key("pid");
    w_.value(kPid);
    w_.key("tid");
    w_.value(tid);
    w_.key("name");
    w_.value(name);
    ts(cycle);
    if (ph[0] == 'i') {
        w_.key("s");
        w_.value("t");
    }
}

void JsonTracer::on_insn(unsigned v, uint64_t cycle, uint64_t pc, std::optional<uint32_t> raw) {
    if (!insns_ || finished_) return;
    event("i", "insn", v, cycle);
    w_.key("cat");
    w_.value("insn");
    w_.key("args");
    w_.begin_object();
    w_.key("pc");
    w_.value(fmt::format("{:#x}", pc));
    if (raw) {
        w_.key("insn");
        w_.value(vmm::disassemble(isa_, *raw, pc));
    }
    w_.end_object();
    w_.end_object();
}

void JsonTracer::on_run(unsigned v, unsigned p, uint64_t start, uint64_t end, uint64_t insns) {
    if (finished_) return;
    event("X", "guest", v, start);
    if (end > last_cycle_) last_cycle_ = end;
    w_.key("cat");
    w_.value("run");
    w_.key("dur");
    w_.value_fixed(static_cast<double>(end - start) / cycles_per_us_, 3);
    w_.key("args");
    w_.begin_object();
    w_.key("pcpu");
    w_.value(p);
    w_.key("insns");
    w_.value(insns);
    w_.key("cycles");
    w_.value(end - start);
    w_.end_object();
    w_.end_object();
}

void JsonTracer::on_exit(const vmm::ExitRecord& r) {
    last_ = r;
    if (finished_) return;
    event("i", vmm::exit_kind_name(r.exit.index()), r.vcpu, r.cycle);
    w_.key("cat");
    w_.value("exit");
    w_.key("args");
    w_.begin_object();
    describe_args(w_, r.exit);
    w_.key("pcpu");
    w_.value(r.pcpu);
    w_.key("cycle");
    w_.value(r.cycle);
    if (r.trap_pc) {
        w_.key("pc");
        w_.value(fmt::format("{:#x}", *r.trap_pc));
    }
    if (r.insn && r.trap_pc) {
        w_.key("insn");
        w_.value(vmm::disassemble(r.isa, *r.insn, *r.trap_pc));
    }
    w_.key("pc_after");
    w_.value(fmt::format("{:#x}", r.pc_after));
    w_.key(vmm::cause_name(r.isa));
    w_.value(fmt::format("{:#x}", r.scause));
    w_.key("text");
    w_.value(vcpu::describe(r.exit));
    w_.end_object();
    w_.end_object();
}

void JsonTracer::on_mmio(const MmioEvent& e) {
    if (finished_) return;
    const unsigned v = last_ ? last_->vcpu : 0;
    event("i", fmt::format("mmio {} {}", e.store ? "write" : "read", e.device), v, last_ ? last_->cycle : last_cycle_);
    w_.key("cat");
    w_.value("mmio");
    w_.key("args");
    w_.begin_object();
    w_.key("addr");
    w_.value(fmt::format("{:#x}", e.addr));
    w_.key("width");
    w_.value(e.width);
    w_.key("value");
    w_.value(fmt::format("{:#x}", e.value));
    w_.key("device");
    w_.value(e.device);
    w_.end_object();
    w_.end_object();
}

void JsonTracer::on_irq(const IrqEvent& e) {
    if (finished_) return;
    const bool ipi = std::string_view(e.source) == "ipi" && last_;
    event("i", fmt::format("irq {}", irq_name(e.vector, e.isa)), e.target, ipi ? last_->cycle : last_cycle_);
    w_.key("cat");
    w_.value("irq");
    w_.key("args");
    w_.begin_object();
    w_.key("vector");
    w_.value(e.vector);
    w_.key("target");
    w_.value(e.target);
    w_.key("source");
    w_.value(e.source);
    if (ipi) {
        w_.key("from_vcpu");
        w_.value(last_->vcpu);
    }
    w_.end_object();
    w_.end_object();
}

void JsonTracer::finish(int status, const std::string& message) {
    if (finished_) return;
    finished_ = true;
    // An event left open by an error in the middle is closed by close_all.
    if (w_.depth() == 2) {
        event("i", "end", kVmTid, last_cycle_);
        w_.key("cat");
        w_.value("vm");
        w_.key("args");
        w_.begin_object();
        w_.key("status");
        w_.value(status);
        w_.key("message");
        w_.value(message);
        w_.end_object();
        w_.end_object();
    }
    w_.close_all();
}

} // namespace hvemu::emu::trace
