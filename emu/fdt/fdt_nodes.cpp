#include "emu/fdt/fdt_nodes.hpp"

#include <fmt/format.h>

namespace hvemu::emu {

void fdt_add_chosen(FdtWriter& w, const std::string& stdout_path, const std::string& bootargs) {
    w.begin_node("chosen");
    w.prop_string("stdout-path", stdout_path);
    if (!bootargs.empty()) w.prop_string("bootargs", bootargs);
    w.end_node();
}

void fdt_add_memory(FdtWriter& w, uint64_t base, uint64_t size) {
    w.begin_node(fmt::format("memory@{:x}", base));
    w.prop_string("device_type", "memory");
    w.prop_u64s("reg", {base, size});
    w.end_node();
}

} // namespace hvemu::emu
