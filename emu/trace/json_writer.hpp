// A small streaming JSON writer: values go straight to a FILE as they are
// produced, strings escaped per RFC 8259, commas placed by a nesting
// stack. The caller keeps objects and arrays balanced; close_all() ends
// whatever is still open, so a file cut short by an error stays valid.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

namespace hvemu::emu::trace {

class JsonWriter {
public:
    explicit JsonWriter(std::FILE* out) : out_(out) {}
    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    void key(std::string_view k);   // inside an object, before its value
    void value(std::string_view s);
    void value(const char* s) { value(std::string_view(s)); }
    void value(uint64_t n);
    void value(int64_t n);
    void value(unsigned n) { value(uint64_t{n}); }
    void value(int n) { value(int64_t{n}); }
    void value(bool b);
    // A number with a fixed count of decimals (timestamps); never NaN.
    void value_fixed(double d, int decimals);
    void close_all();
    unsigned depth() const { return static_cast<unsigned>(stack_.size()); }

    static void escape(std::FILE* out, std::string_view s);

private:
    void before_value();
    std::FILE* out_;
    std::vector<bool> stack_;   // per open container: a value was written (comma needed)
    std::vector<char> closers_; // per open container: '}' or ']'
    bool after_key_ = false;
};

} // namespace hvemu::emu::trace
