// What the GDB stub needs from a machine, independent of the architecture:
// threads (harts or vCPUs, numbered from 0 here and from 1 on the wire),
// registers in the order of the target description, memory by virtual
// address (through every translation stage in force) or by physical
// address, the pc for breakpoints and steps, and a `monitor` hook for the
// architecture's own commands.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace hvemu::emu::debug {

class GdbTarget {
public:
    virtual ~GdbTarget() = default;

    // The target description (qXfer:features:read:target.xml).
    virtual std::string target_xml() const = 0;
    virtual unsigned num_threads() const = 0;
    virtual bool thread_alive(unsigned thread) const { return thread < num_threads(); }
    virtual std::string thread_name(unsigned thread) const = 0;

    // Registers: `g` carries registers 0 .. num_g_registers()-1; the rest
    // are read with `p`. register_size() is 0 for a number that does not exist.
    virtual unsigned num_g_registers() const = 0;
    virtual unsigned register_size(unsigned regno) const = 0;
    virtual std::optional<uint64_t> read_register(unsigned thread, unsigned regno) = 0;
    virtual bool write_register(unsigned thread, unsigned regno, uint64_t value) = 0;

    // Memory: false when some byte is not accessible (RAM only: the
    // debugger never touches a device register by accident).
    virtual bool read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) = 0;
    virtual bool write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) = 0;

    virtual uint64_t pc(unsigned thread) = 0;

    // The data access the thread's next instruction makes (read and access
    // watchpoints); nullopt when it makes none or it cannot be told.
    struct MemAccess {
        uint64_t addr = 0;
        unsigned len = 0;
        bool read = false, write = false;
    };
    virtual std::optional<MemAccess> next_access(unsigned /*thread*/) { return std::nullopt; }

    // Architecture-specific `monitor` commands; nullopt when unknown.
    virtual std::optional<std::string> monitor(unsigned /*thread*/, const std::string& /*cmd*/) { return std::nullopt; }
};

} // namespace hvemu::emu::debug
