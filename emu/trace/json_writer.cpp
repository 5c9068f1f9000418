#include "emu/trace/json_writer.hpp"

#include <cinttypes>
#include <cmath>

namespace hvemu::emu::trace {

void JsonWriter::escape(std::FILE* out, std::string_view s) {
    std::fputc('"', out);
    for (unsigned char c : s) {
        switch (c) {
        case '"': std::fputs("\\\"", out); break;
        case '\\': std::fputs("\\\\", out); break;
        case '\n': std::fputs("\\n", out); break;
        case '\r': std::fputs("\\r", out); break;
        case '\t': std::fputs("\\t", out); break;
        default:
            // Control characters as \u escapes; bytes >= 0x80 that are not
            // UTF-8 would make the file invalid, so they are escaped too
            // (as the Latin-1 code point: the text is diagnostic).
            if (c < 0x20 || c >= 0x7f) std::fprintf(out, "\\u%04x", c);
            else std::fputc(c, out);
        }
    }
    std::fputc('"', out);
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!stack_.empty()) {
        if (stack_.back()) std::fputc(',', out_);
        stack_.back() = true;
    }
}

void JsonWriter::begin_object() {
    before_value();
    std::fputc('{', out_);
    stack_.push_back(false);
    closers_.push_back('}');
}
void JsonWriter::end_object() {
    std::fputc('}', out_);
    stack_.pop_back();
    closers_.pop_back();
}
void JsonWriter::begin_array() {
    before_value();
    std::fputc('[', out_);
    stack_.push_back(false);
    closers_.push_back(']');
}
void JsonWriter::end_array() {
    std::fputs("]\n", out_);
    stack_.pop_back();
    closers_.pop_back();
}
void JsonWriter::key(std::string_view k) {
    before_value();
    escape(out_, k);
    std::fputc(':', out_);
    after_key_ = true;
}
void JsonWriter::value(std::string_view s) {
    before_value();
    escape(out_, s);
}
void JsonWriter::value(uint64_t n) {
    before_value();
    std::fprintf(out_, "%" PRIu64, n);
}
void JsonWriter::value(int64_t n) {
    before_value();
    std::fprintf(out_, "%" PRId64, n);
}
void JsonWriter::value(bool b) {
    before_value();
    std::fputs(b ? "true" : "false", out_);
}
void JsonWriter::value_fixed(double d, int decimals) {
    before_value();
    if (!std::isfinite(d)) d = 0;
    std::fprintf(out_, "%.*f", decimals, d);
}

void JsonWriter::close_all() {
    if (after_key_) {
        std::fputs("null", out_);
        after_key_ = false;
    }
    while (!stack_.empty()) {
        std::fputc(closers_.back(), out_);
        closers_.pop_back();
        stack_.pop_back();
    }
    std::fflush(out_);
}

} // namespace hvemu::emu::trace
