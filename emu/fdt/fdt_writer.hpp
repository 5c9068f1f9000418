// A small C++ front end to libfdt's sequential-write API: nodes are opened
// and closed in order, properties are added to the open node, and
// finish() returns the flattened blob. Errors throw FdtError.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hvemu::emu {

class FdtError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class FdtWriter {
public:
    FdtWriter();

    void begin_node(const std::string& name);
    void end_node();

    void prop_empty(const char* name);
    void prop_u32(const char* name, uint32_t v);
    void prop_cells(const char* name, const std::vector<uint32_t>& cells);
    // 64-bit values as two cells each (#address-cells = #size-cells = 2).
    void prop_u64s(const char* name, std::initializer_list<uint64_t> values);
    void prop_string(const char* name, std::string_view s);
    void prop_strings(const char* name, std::initializer_list<std::string_view> list);

    uint32_t alloc_phandle() { return next_phandle_++; }

    std::vector<uint8_t> finish();

private:
    void prop_raw(const char* name, const void* data, size_t len);
    void check(int err, const char* what);
    template <class F> void with_space(F&& op, const char* what);

    std::vector<uint8_t> buf_;
    uint32_t next_phandle_ = 1;
    int depth_ = 0;
};

} // namespace hvemu::emu
