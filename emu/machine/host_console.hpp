// The host side of a machine's console: guest output goes to a FILE (or a
// callback), guest input is read from a file descriptor without blocking
// the run, and only when the machine wants it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>

namespace hvemu::emu {

// Whether the console reads host input: Auto reads stdin only when it is
// not a terminal (a pipe or a file), so an interactive shell is left alone.
enum class ConsoleInput : uint8_t { Auto, On, Off };

class HostConsole {
public:
    using Sink = std::function<void(uint8_t)>;

    // Output to `out` (or to `sink` when given); input from `in_fd`.
    HostConsole(std::FILE* out, Sink sink, int in_fd, ConsoleInput mode);

    void put(uint8_t byte);
    void flush();

    // Input is wanted and the descriptor has not reached end of file.
    bool input_open() const { return input_open_; }
    // Up to `max` bytes that are ready now (never blocks).
    size_t read_ready(uint8_t* buf, size_t max);
    // Block until input is ready or closed; false when closed.
    bool wait_input();

private:
    std::FILE* out_;
    Sink sink_;
    int in_fd_;
    bool input_open_;
    bool dirty_ = false;
};

} // namespace hvemu::emu
