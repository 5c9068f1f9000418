// Where a VM's guest console goes and where its input comes from (every
// architecture's VM).
#pragma once
#include <cstdio>

#include "emu/machine/host_console.hpp"

namespace hvemu::emu::vmm {

struct ConsoleIo {
    std::FILE* out = stdout;
    HostConsole::Sink sink;            // instead of `out` when set
    int in_fd = 0;
    ConsoleInput input = ConsoleInput::Auto;
};

} // namespace hvemu::emu::vmm
