// The tracers a run asked for (`--trace`, `--trace-file`, `--trace-json`),
// their files, and the one VmmTracer the VMM is given.
#pragma once
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "emu/trace/json_tracer.hpp"
#include "emu/trace/text_tracer.hpp"

namespace hvemu::emu::trace {

struct TraceRequest {
    std::string what;        // --trace: comma list (empty: no text trace)
    std::string text_file;   // --trace-file (empty: stderr)
    std::string json_file;   // --trace-json (empty: none)
};

class TraceSession {
public:
    // Opens the files; throws std::runtime_error when one cannot be
    // created, std::invalid_argument for a bad --trace list.
    TraceSession(const TraceRequest& req, const VmInfo& vm);
    ~TraceSession();
    TraceSession(const TraceSession&) = delete;
    TraceSession& operator=(const TraceSession&) = delete;

    // nullptr when nothing is traced.
    VmmTracer* tracer() { return fan_.empty() ? nullptr : &fan_; }
    // Closes the JSON with the run's end; flushes the text.
    void finish(int status, const std::string& message);

private:
    std::FILE* text_out_ = nullptr;
    bool own_text_ = false;
    std::FILE* json_out_ = nullptr;
    std::unique_ptr<TextTracer> text_;
    std::unique_ptr<JsonTracer> json_;
    TracerFan fan_;
};

} // namespace hvemu::emu::trace
