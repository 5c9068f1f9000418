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
    // A register as the packets carry it: register_size(regno) bytes in
    // target (little-endian) order. Targets with registers wider than 64
    // bits (vector registers) override both; the defaults go through the
    // 64-bit calls above.
    virtual bool read_register_bytes(unsigned thread, unsigned regno, uint8_t* dst) {
        const unsigned size = register_size(regno);
        const std::optional<uint64_t> v = size && size <= 8 ? read_register(thread, regno) : std::nullopt;
        if (!v) return false;
        for (unsigned i = 0; i < size; i++) dst[i] = static_cast<uint8_t>(*v >> (8 * i));
        return true;
    }
    virtual bool write_register_bytes(unsigned thread, unsigned regno, const uint8_t* src) {
        const unsigned size = register_size(regno);
        if (!size || size > 8) return false;
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) v |= uint64_t{src[i]} << (8 * i);
        return write_register(thread, regno, v);
    }

    // Memory: false when some byte is not accessible (RAM only: the
    // debugger never touches a device register by accident).
    virtual bool read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) = 0;
    virtual bool write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) = 0;

    virtual uint64_t pc(unsigned thread) = 0;
    // The register `c addr` / `s addr` write (the pc in GDB's numbering).
    virtual unsigned pc_regno() const { return 32; }

    // The data access the thread's next instruction makes (read and access
    // watchpoints); nullopt when it makes none or it cannot be told.
    struct MemAccess {
        uint64_t addr = 0;
        unsigned len = 0;
        bool read = false, write = false;
    };
    virtual std::optional<MemAccess> next_access(unsigned /*thread*/) { return std::nullopt; }
    // True where GDB expects a watchpoint to stop *before* the accessing
    // instruction and steps over it itself (AArch64: "non-steppable"
    // watchpoints); the stub then also stops before a store that
    // next_access() tells hits a write watchpoint. False: the stop comes
    // after the access.
    virtual bool watch_before_access() const { return false; }

    // Architecture-specific `monitor` commands; nullopt when unknown.
    virtual std::optional<std::string> monitor(unsigned /*thread*/, const std::string& /*cmd*/) { return std::nullopt; }
    // Their lines for `monitor help` (beyond the stub's own and `walk`).
    virtual std::string monitor_help() const { return {}; }
};

} // namespace hvemu::emu::debug
