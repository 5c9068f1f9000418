// Device-tree nodes every hvemu platform writes the same way, whatever the
// architecture: /chosen and /memory.
#pragma once
#include <cstdint>
#include <string>

#include "emu/fdt/fdt_writer.hpp"

namespace hvemu::emu {

void fdt_add_chosen(FdtWriter& w, const std::string& stdout_path, const std::string& bootargs);
void fdt_add_memory(FdtWriter& w, uint64_t base, uint64_t size);

} // namespace hvemu::emu
