// Input readiness is checked with poll() and a zero timeout rather than by
// setting O_NONBLOCK, which would change the descriptor for the process
// that shares it (the user's shell).
#include "emu/machine/host_console.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace hvemu::emu {

HostConsole::HostConsole(std::FILE* out, Sink sink, int in_fd, ConsoleInput mode)
    : out_(out), sink_(std::move(sink)), in_fd_(in_fd) {
    switch (mode) {
    case ConsoleInput::On: input_open_ = in_fd >= 0; break;
    case ConsoleInput::Off: input_open_ = false; break;
    case ConsoleInput::Auto: input_open_ = in_fd >= 0 && !::isatty(in_fd); break;
    }
}

void HostConsole::put(uint8_t byte) {
    if (sink_) {
        sink_(byte);
    } else if (out_) {
        std::fputc(byte, out_);
        dirty_ = true;
    }
}

void HostConsole::flush() {
    if (dirty_ && out_) std::fflush(out_);
    dirty_ = false;
}

size_t HostConsole::read_ready(uint8_t* buf, size_t max) {
    if (!input_open_ || max == 0) return 0;
    pollfd p{in_fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, 0);
    if (r <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) return 0;
    const ssize_t n = ::read(in_fd_, buf, max);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) input_open_ = false;   // end of input
    return 0;
}

bool HostConsole::wait_input() {
    while (input_open_) {
        flush();
        pollfd p{in_fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, -1);
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) input_open_ = false;
    }
    return false;
}

} // namespace hvemu::emu
