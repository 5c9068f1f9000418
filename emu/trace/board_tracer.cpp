#include "emu/trace/board_tracer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "emu/trace/hw_event_text.hpp"

namespace hvemu::emu::trace {

namespace {
constexpr unsigned kPid = 1;
constexpr unsigned kBoardTid = 1000;   // the board-wide track (end of run)

std::FILE* open_out(const std::string& path, const char* option) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw std::runtime_error(fmt::format("cannot create the {} file '{}': {}", option, path, std::strerror(errno)));
    return f;
}
} // namespace

// One per core: tells the tracer which core an event comes from.
class BoardTracer::CoreSink final : public isa::HwTraceSink {
public:
    CoreSink(BoardTracer& t, unsigned core) : t_(t), core_(core) {}
    void on_hw_event(const isa::HwEvent& e) override { t_.on_hw_event(core_, e); }

private:
    BoardTracer& t_;
    unsigned core_;
};

BoardTracer::BoardTracer(const TraceRequest& req, const BoardInfo& info, CoreView view)
    : info_(info), view_(std::move(view)),
      cycles_per_us_(info.core_hz ? static_cast<double>(info.core_hz) / 1e6 : 1000.0),
      guest_since_(info.cores), guest_insns_since_(info.cores, 0) {
    set_ = req.what.empty() ? TraceSet{} : parse_trace_set(req.what);
    for (unsigned i = 0; i < info.cores; i++) sinks_.push_back(std::make_unique<CoreSink>(*this, i));
    if (set_.any()) {
        if (req.text_file.empty()) {
            text_ = stderr;
        } else {
            text_ = open_out(req.text_file, "--trace-file");
            own_text_ = true;
        }
    }
    if (req.json_file.empty()) return;
    try {
        json_out_ = open_out(req.json_file, "--trace-json");
    } catch (...) {
        if (own_text_) std::fclose(text_);
        throw;
    }
    json_ = std::make_unique<JsonWriter>(json_out_);
    JsonWriter& w = *json_;
    w.begin_object();
    w.key("displayTimeUnit");
    w.value("ns");
    w.key("otherData");
    w.begin_object();
    w.key("board");
    w.value(info.board);
    w.key("core_hz");
    w.value(info.core_hz);
    w.key("clock");
    w.value("model time: cycles / (core_hz / 1e6) microseconds");
    w.end_object();
    w.key("traceEvents");
    w.begin_array();
    auto meta = [&](const char* what, std::optional<unsigned> tid, const char* key, const std::string& name,
                    unsigned index) {
        w.begin_object();
        w.key("ph");
        w.value("M");
        w.key("pid");
        w.value(kPid);
        if (tid) {
            w.key("tid");
            w.value(*tid);
        }
        w.key("name");
        w.value(what);
        w.key("args");
        w.begin_object();
        w.key(key);
        if (std::string_view(key) == "name") w.value(name);
        else w.value(index);
        w.end_object();
        w.end_object();
    };
    meta("process_name", std::nullopt, "name", fmt::format("{} ({} cores)", info.board, info.cores), 0);
    for (unsigned i = 0; i < info.cores; i++) {
        meta("thread_name", i, "name", fmt::format("core {}", i), 0);
        meta("thread_sort_index", i, "sort_index", "", i);
    }
    meta("thread_name", kBoardTid, "name", info.board, 0);
    meta("thread_sort_index", kBoardTid, "sort_index", "", info.cores);
}

isa::HwTraceSink* BoardTracer::sink(unsigned core) { return sinks_.at(core).get(); }

BoardTracer::~BoardTracer() {
    finish(-1, "the run did not finish normally");
    if (json_out_) std::fclose(json_out_);
    if (own_text_) std::fclose(text_);
    else if (text_) std::fflush(text_);
}

std::string BoardTracer::where(unsigned core, uint64_t pc, uint64_t cycle) const {
    const std::string insn = view_.disasm ? view_.disasm(core, pc) : std::string();
    return fmt::format("core {} cycle {} pc {:#x}{}{}", core, cycle, pc, insn.empty() ? "" : " ", insn);
}

void BoardTracer::line(const std::string& s) {
    std::fputs(s.c_str(), text_);
    std::fputc('\n', text_);
}

void BoardTracer::ts(uint64_t cycle) { json_->value_fixed(static_cast<double>(cycle) / cycles_per_us_, 3); }

void BoardTracer::instant(unsigned core, uint64_t cycle, const char* cat, const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& args) {
    JsonWriter& w = *json_;
    w.begin_object();
    w.key("ph");
    w.value("i");
    w.key("cat");
    w.value(cat);
    w.key("s");
    w.value("t");
    w.key("name");
    w.value(name);
    w.key("pid");
    w.value(kPid);
    w.key("tid");
    w.value(core);
    w.key("ts");
    ts(cycle);
    w.key("args");
    w.begin_object();
    w.key("cycle");
    w.value(cycle);
    for (const auto& [k, v] : args) {
        w.key(k);
        w.value(v);
    }
    w.end_object();
    w.end_object();
}

// The guest span that a VM exit (or the end of the run) closes.
void BoardTracer::span_end(unsigned core, uint64_t cycle) {
    if (!json_ || !guest_since_[core]) return;
    const uint64_t start = *guest_since_[core];
    guest_since_[core].reset();
    JsonWriter& w = *json_;
    w.begin_object();
    w.key("ph");
    w.value("X");
    w.key("cat");
    w.value("run");
    w.key("name");
    w.value("guest");
    w.key("pid");
    w.value(kPid);
    w.key("tid");
    w.value(core);
    w.key("ts");
    ts(start);
    w.key("dur");
    json_->value_fixed(static_cast<double>(cycle >= start ? cycle - start : 0) / cycles_per_us_, 3);
    w.key("args");
    w.begin_object();
    w.key("start_cycle");
    w.value(start);
    w.key("cycles");
    w.value(cycle >= start ? cycle - start : 0);
    if (view_.icount) {
        w.key("insns");
        w.value(view_.icount(core) - guest_insns_since_[core]);
    }
    w.end_object();
    w.end_object();
}

void BoardTracer::on_hw_event(unsigned core, const isa::HwEvent& e) {
    if (finished_) return;
    using K = isa::HwEvent::Kind;
    const uint64_t cycle = view_.cycles ? view_.cycles(core) : 0;
    const bool shown = e.kind == K::Irq ? set_.irq : set_.exits;
    if (!shown && !json_) return;
    const HwEventText t = describe_hw_event(info_.isa, e);
    const std::string at = where(core, e.pc, cycle);
    if (shown && text_) line(fmt::format("{} -> {}", at, t.line()));
    if (!json_) return;
    if (e.kind == K::VmExit) span_end(core, cycle);
    auto args = t.args;
    args.insert(args.begin(), {"at", at});
    instant(core, cycle, e.kind == K::VmExit ? "exit" : e.kind == K::VmEntry ? "entry" : "irq", t.name, args);
    if (e.kind == K::VmEntry) {
        guest_since_[core] = cycle;
        guest_insns_since_[core] = view_.icount ? view_.icount(core) : 0;
    }
}

void BoardTracer::on_insn(unsigned core) {
    if (finished_ || !set_.insn) return;
    const uint64_t cycle = view_.cycles ? view_.cycles(core) : 0;
    const uint64_t pc = view_.pc ? view_.pc(core) : 0;
    const std::string at = where(core, pc, cycle);
    if (text_) line(at);
    if (json_) instant(core, cycle, "insn", "insn", {{"at", at}});
}

void BoardTracer::on_mmio(uint64_t paddr, unsigned width, uint64_t value, bool store, bool ok,
                          const std::string& device) {
    if (finished_ || !wants_mmio()) return;
    const unsigned core = view_.current ? view_.current() : 0;
    if (core >= info_.cores) return;
    const uint64_t cycle = view_.cycles ? view_.cycles(core) : 0;
    const uint64_t pc = view_.pc ? view_.pc(core) : 0;
    const std::string at = where(core, pc, cycle);
    const std::string what = fmt::format("mmio {} addr={:#x} width={} value={:#x} device={}{}", store ? "write" : "read",
                                         paddr, width, value, device, ok ? "" : " bus-error");
    if (set_.mmio && text_) line(fmt::format("{} -> {}", at, what));
    if (json_)
        instant(core, cycle, "mmio", fmt::format("mmio {} {}", store ? "write" : "read", device),
                {{"at", at}, {"addr", fmt::format("{:#x}", paddr)}, {"width", fmt::format("{}", width)},
                 {"value", fmt::format("{:#x}", value)}, {"device", device}, {"ok", ok ? "true" : "false"}});
}

void BoardTracer::on_port(uint16_t port, unsigned width, uint32_t value, bool write, bool ok,
                          const std::string& device) {
    if (finished_ || !wants_mmio()) return;
    const unsigned core = view_.current ? view_.current() : 0;
    if (core >= info_.cores) return;
    const uint64_t cycle = view_.cycles ? view_.cycles(core) : 0;
    const uint64_t pc = view_.pc ? view_.pc(core) : 0;
    const std::string at = where(core, pc, cycle);
    const char* dir = write ? "write" : "read";
    const std::string dev = ok ? device : "none";
    if (set_.mmio && text_)
        line(fmt::format("{} -> io {} port={:#x} width={} value={:#x} device={}", at, dir, port, width, value, dev));
    if (json_)
        instant(core, cycle, "mmio", fmt::format("io {} {}", dir, dev),
                {{"at", at}, {"port", fmt::format("{:#x}", port)}, {"width", fmt::format("{}", width)},
                 {"value", fmt::format("{:#x}", value)}, {"device", dev}, {"ok", ok ? "true" : "false"}});
}

void BoardTracer::finish(int status, const std::string& message) {
    if (finished_) return;
    finished_ = true;
    if (json_) {
        uint64_t last = 0;
        for (unsigned i = 0; i < info_.cores; i++) {
            const uint64_t c = view_.cycles ? view_.cycles(i) : 0;
            span_end(i, c);
            if (c > last) last = c;
        }
        JsonWriter& w = *json_;
        w.begin_object();
        w.key("ph");
        w.value("i");
        w.key("s");
        w.value("p");
        w.key("cat");
        w.value("vm");
        w.key("name");
        w.value("end");
        w.key("pid");
        w.value(kPid);
        w.key("tid");
        w.value(kBoardTid);
        w.key("ts");
        ts(last);
        w.key("args");
        w.begin_object();
        w.key("status");
        w.value(status);
        w.key("message");
        w.value(message);
        w.end_object();
        w.end_object();
        w.close_all();
        std::fputc('\n', json_out_);
        std::fflush(json_out_);
    }
    if (text_) std::fflush(text_);
}

} // namespace hvemu::emu::trace
