#include "emu/trace/trace_session.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace hvemu::emu::trace {

namespace {
std::FILE* open_out(const std::string& path, const char* option) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw std::runtime_error(fmt::format("cannot create the {} file '{}': {}", option, path, std::strerror(errno)));
    return f;
}
} // namespace

TraceSession::TraceSession(const TraceRequest& req, const VmInfo& vm) {
    const TraceSet set = req.what.empty() ? TraceSet{} : parse_trace_set(req.what);
    if (set.any()) {
        if (req.text_file.empty()) {
            text_out_ = stderr;
        } else {
            text_out_ = open_out(req.text_file, "--trace-file");
            own_text_ = true;
        }
        text_ = std::make_unique<TextTracer>(text_out_, set, vm.isa);
        fan_.add(text_.get());
    }
    if (!req.json_file.empty()) {
        try {
            json_out_ = open_out(req.json_file, "--trace-json");
        } catch (...) {
            if (own_text_) std::fclose(text_out_);
            throw;
        }
        json_ = std::make_unique<JsonTracer>(json_out_, vm, set.insn);
        fan_.add(json_.get());
    }
}

TraceSession::~TraceSession() {
    json_.reset();   // closes the JSON (status -1: the run did not finish normally)
    if (json_out_) std::fclose(json_out_);
    if (own_text_) std::fclose(text_out_);
    else if (text_out_) std::fflush(text_out_);
}

void TraceSession::finish(int status, const std::string& message) {
    if (json_) json_->finish(status, message);
    if (json_out_) std::fflush(json_out_);
    if (text_out_) std::fflush(text_out_);
}

} // namespace hvemu::emu::trace
