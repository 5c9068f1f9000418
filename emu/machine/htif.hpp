// HTIF, the Spike / riscv-tests host interface: the guest writes commands
// to the 64-bit word at its `tohost` symbol and the host answers through
// `fromhost`. Supported: exit (device 0, payload bit 0 set), the syscall
// device's write/exit calls, and console output (device 1, command 1).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "isa/common/phys_mem.hpp"

namespace hvemu::emu {

class Htif {
public:
    using Putchar = std::function<void(uint8_t)>;

    Htif(isa::PhysMem& mem, uint64_t tohost, std::optional<uint64_t> fromhost, Putchar out);

    // Look at tohost once; returns the exit code when the guest asked to end.
    std::optional<uint64_t> poll();

private:
    std::optional<uint64_t> handle(uint64_t cmd);
    std::optional<uint64_t> syscall(uint64_t magic);
    void respond(uint64_t value);
    bool read64(uint64_t pa, uint64_t& v) const;
    bool write64(uint64_t pa, uint64_t v);

    isa::PhysMem& mem_;
    uint64_t tohost_;
    std::optional<uint64_t> fromhost_;
    Putchar out_;
    std::deque<uint64_t> responses_;   // waiting for the guest to clear fromhost
};

} // namespace hvemu::emu
