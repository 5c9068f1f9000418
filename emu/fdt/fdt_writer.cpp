// libfdt's sequential writer fails with -FDT_ERR_NOSPACE when its buffer
// is full; we then double the buffer with fdt_resize() and retry.
#include "emu/fdt/fdt_writer.hpp"

#include <libfdt.h>

#include <fmt/format.h>

namespace hvemu::emu {

namespace {
constexpr size_t kInitialSize = 4096;
constexpr size_t kMaxSize = 16u << 20;
} // namespace

FdtWriter::FdtWriter() : buf_(kInitialSize) {
    check(fdt_create(buf_.data(), static_cast<int>(buf_.size())), "fdt_create");
    check(fdt_finish_reservemap(buf_.data()), "fdt_finish_reservemap");
}

void FdtWriter::check(int err, const char* what) {
    if (err < 0) throw FdtError(fmt::format("device tree: {} failed: {}", what, fdt_strerror(err)));
}

template <class F> void FdtWriter::with_space(F&& op, const char* what) {
    for (;;) {
        const int err = op();
        if (err != -FDT_ERR_NOSPACE) {
            check(err, what);
            return;
        }
        if (buf_.size() * 2 > kMaxSize) check(err, what);
        std::vector<uint8_t> bigger(buf_.size() * 2);
        check(fdt_resize(buf_.data(), bigger.data(), static_cast<int>(bigger.size())), "fdt_resize");
        buf_.swap(bigger);
    }
}

void FdtWriter::begin_node(const std::string& name) {
    with_space([&] { return fdt_begin_node(buf_.data(), name.c_str()); }, "begin_node");
    depth_++;
}

void FdtWriter::end_node() {
    if (depth_ == 0) throw FdtError("device tree: end_node without begin_node");
    with_space([&] { return fdt_end_node(buf_.data()); }, "end_node");
    depth_--;
}

void FdtWriter::prop_raw(const char* name, const void* data, size_t len) {
    with_space([&] { return fdt_property(buf_.data(), name, data, static_cast<int>(len)); }, name);
}

void FdtWriter::prop_empty(const char* name) { prop_raw(name, nullptr, 0); }

void FdtWriter::prop_u32(const char* name, uint32_t v) { prop_cells(name, {v}); }

void FdtWriter::prop_cells(const char* name, const std::vector<uint32_t>& cells) {
    std::vector<fdt32_t> be;
    be.reserve(cells.size());
    for (uint32_t c : cells) be.push_back(cpu_to_fdt32(c));
    prop_raw(name, be.data(), be.size() * sizeof(fdt32_t));
}

void FdtWriter::prop_u64s(const char* name, std::initializer_list<uint64_t> values) {
    std::vector<uint32_t> cells;
    for (uint64_t v : values) {
        cells.push_back(static_cast<uint32_t>(v >> 32));
        cells.push_back(static_cast<uint32_t>(v));
    }
    prop_cells(name, cells);
}

void FdtWriter::prop_string(const char* name, std::string_view s) { prop_strings(name, {s}); }

void FdtWriter::prop_strings(const char* name, std::initializer_list<std::string_view> list) {
    std::string joined;
    for (std::string_view s : list) {
        joined.append(s);
        joined.push_back('\0');
    }
    prop_raw(name, joined.data(), joined.size());
}

std::vector<uint8_t> FdtWriter::finish() {
    if (depth_ != 0) throw FdtError("device tree: unclosed node");
    with_space([&] { return fdt_finish(buf_.data()); }, "fdt_finish");
    buf_.resize(fdt_totalsize(buf_.data()));
    check(fdt_check_header(buf_.data()), "fdt_check_header");
    return std::move(buf_);
}

} // namespace hvemu::emu
