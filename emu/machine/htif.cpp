// Command word: device in bits 63:56, command in 55:48, payload in 47:0.
// As Spike does, the host clears tohost after taking a command and queues
// responses until the guest has consumed the previous one (fromhost == 0).
// Console output gets no response (current Spike sends none; a response
// would read as an input character to drivers such as OpenSBI's).
#include "emu/machine/htif.hpp"

#include <vector>

namespace hvemu::emu {

namespace {
constexpr uint64_t kDevSyscall = 0, kDevConsole = 1;
constexpr uint64_t kConsolePutc = 1;
constexpr uint64_t kSysWrite = 64, kSysExit = 93;
constexpr uint64_t kENOSYS = 38, kEBADF = 9, kEFAULT = 14;
constexpr uint64_t kPayloadMask = (uint64_t{1} << 48) - 1;
constexpr uint64_t kMaxWrite = 1 << 20;   // bound one write call
} // namespace

Htif::Htif(isa::PhysMem& mem, uint64_t tohost, std::optional<uint64_t> fromhost, Putchar out)
    : mem_(mem), tohost_(tohost), fromhost_(fromhost), out_(std::move(out)) {}

bool Htif::read64(uint64_t pa, uint64_t& v) const { return mem_.read_block(pa, &v, 8); }
bool Htif::write64(uint64_t pa, uint64_t v) { return mem_.write_block(pa, &v, 8); }

std::optional<uint64_t> Htif::poll() {
    std::optional<uint64_t> exit;
    uint64_t cmd = 0;
    if (read64(tohost_, cmd) && cmd != 0) {
        write64(tohost_, 0);
        exit = handle(cmd);
    }
    uint64_t fh = 1;
    if (!responses_.empty() && fromhost_ && read64(*fromhost_, fh) && fh == 0) {
        write64(*fromhost_, responses_.front());
        responses_.pop_front();
    }
    return exit;
}

void Htif::respond(uint64_t value) {
    if (fromhost_) responses_.push_back(value);
}

std::optional<uint64_t> Htif::handle(uint64_t cmd) {
    const uint64_t dev = cmd >> 56, op = (cmd >> 48) & 0xFF, payload = cmd & kPayloadMask;
    if (dev == kDevSyscall && op == 0) {
        if (payload & 1) return payload >> 1;   // exit(code)
        return syscall(payload);
    }
    if (dev == kDevConsole && op == kConsolePutc) {
        if (out_) out_(static_cast<uint8_t>(payload));
    }
    return std::nullopt;   // unknown devices and commands are ignored
}

// The syscall device: payload points at eight 64-bit words {number, args...};
// the result goes to word 0 and fromhost is set to 1.
std::optional<uint64_t> Htif::syscall(uint64_t magic) {
    uint64_t a[8] = {};
    if (!mem_.read_block(magic, a, sizeof(a))) return std::nullopt;   // a wild pointer: ignore
    uint64_t ret = static_cast<uint64_t>(-static_cast<int64_t>(kENOSYS));
    switch (a[0]) {
    case kSysExit: return a[1];
    case kSysWrite: {
        const uint64_t fd = a[1], buf = a[2], len = a[3];
        if (fd != 1 && fd != 2) {
            ret = static_cast<uint64_t>(-static_cast<int64_t>(kEBADF));
            break;
        }
        std::vector<uint8_t> data(len <= kMaxWrite ? len : 0);
        if (len > kMaxWrite || !mem_.read_block(buf, data.data(), len)) {
            ret = static_cast<uint64_t>(-static_cast<int64_t>(kEFAULT));
            break;
        }
        for (uint8_t c : data)
            if (out_) out_(c);
        ret = len;
        break;
    }
    default: break;
    }
    mem_.write_block(magic, &ret, sizeof(ret));
    respond(1);
    return std::nullopt;
}

} // namespace hvemu::emu
