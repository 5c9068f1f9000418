// The GDB stub: sockets, the blocking command loop and the packet handlers.
#include "emu/debug/gdb_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace hvemu::emu::debug {

namespace {
constexpr uint64_t kPollEvery = 4096;   // before_insn calls between checks for Ctrl-C / a new debugger
constexpr int kSigInt = 2, kSigTrap = 5;

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

// "addr,len" (hex) from the start of s; the rest after `stop` in rest.
bool parse_addr_len(std::string_view s, uint64_t& addr, uint64_t& len) {
    const size_t comma = s.find(',');
    if (comma == std::string_view::npos) return false;
    auto a = parse_hex_u64(s.substr(0, comma)), l = parse_hex_u64(s.substr(comma + 1));
    if (!a || !l) return false;
    addr = *a;
    len = *l;
    return true;
}
} // namespace

GdbServer::GdbServer(GdbTarget& target, const std::string& host, uint16_t port) : target_(target) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error(fmt::format("gdb: socket: {}", std::strerror(errno)));
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    const std::string h = host.empty() || host == "localhost" ? "127.0.0.1" : host;
    if (::inet_pton(AF_INET, h.c_str(), &a.sin_addr) != 1) {
        ::close(listen_fd_);
        throw std::runtime_error(fmt::format("gdb: '{}' is not an IPv4 address", host));
    }
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(listen_fd_, 1) < 0) {
        const std::string err = std::strerror(errno);
        ::close(listen_fd_);
        throw std::runtime_error(fmt::format("gdb: cannot listen on {}:{}: {}", h, port, err));
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
}

GdbServer::GdbServer(GdbTarget& target, int connected_fd) : target_(target), fd_(connected_fd) {}

GdbServer::~GdbServer() {
    if (fd_ >= 0) ::close(fd_);
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

bool GdbServer::accept_pending(bool block) {
    if (fd_ >= 0) return true;
    if (listen_fd_ < 0) return false;
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, block ? -1 : 0) <= 0) return false;
    fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd_ < 0) return false;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    noack_ = false;
    dec_ = PacketDecoder{};
    return true;
}

void GdbServer::drop_connection() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    breakpoints_.clear();
    watches_.clear();
    watch_pending_ = -1;
    step_thread_ = -1;
    vmexit_mask_ = 0;
}

void GdbServer::send(const std::string& payload) {
    if (fd_ < 0) return;
    last_sent_ = frame_packet(payload);
    const char* p = last_sent_.data();
    size_t left = last_sent_.size();
    while (left) {
        const ssize_t n = ::send(fd_, p, left, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            drop_connection();
            return;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

bool GdbServer::poll_interrupt() {
    bool intr = false;
    while (pending_pos_ < pending_.size())
        intr |= dec_.feed(static_cast<uint8_t>(pending_[pending_pos_++])) == PacketDecoder::Event::Interrupt;
    if (intr) return true;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    uint8_t buf[256];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
        drop_connection();
        return false;
    }
    for (ssize_t i = 0; i < n; i++) intr |= dec_.feed(buf[i]) == PacketDecoder::Event::Interrupt;
    return intr;
}

std::string GdbServer::stop_reply(unsigned thread, int signal, const std::string& extra) const {
    return fmt::format("T{:02x}{}thread:{:x};", signal, extra, thread + 1);
}

bool GdbServer::wait_for_attach() {
    if (!accept_pending(true)) return true;
    const bool alive = stop_here(0, stop_reply(0, kSigTrap), false);
    step_armed_ = false;   // called before the run loop: no instruction is pending
    return alive;
}

bool GdbServer::stop_here(unsigned thread, const std::string& reply, bool announce) {
    const Resume how = serve(thread, reply, announce);
    if (how == Resume::Kill) killed_ = true;
    return !killed_;
}

bool GdbServer::before_insn(unsigned thread) {
    if (killed_) return false;
    if (fd_ < 0) {
        if (listen_fd_ < 0 || ++calls_ % kPollEvery) return true;
        if (!accept_pending(false)) return true;
        return stop_here(thread, stop_reply(thread, kSigTrap), false);   // GDB expects a stopped target on connect
    }
    if (first_after_resume_ == static_cast<int>(thread)) first_after_resume_ = -1;   // that instruction ran
    // A stop here serves GDB until it resumes; then this instruction still
    // gets the checks after that stop's, as the one GDB resumed at: a
    // breakpoint on it, or a watchpoint that stops before its access, does
    // not stop it again, but a watchpoint that stops after its access sees
    // it (a watched access right after a stop is not missed).
    bool resumed_here = false;
    auto stop = [&](const std::string& reply) {
        if (!stop_here(thread, reply)) return false;
        resumed_here = true;
        return true;
    };
    if (watch_pending_ == static_cast<int>(thread)) {
        watch_pending_ = -1;
        if (step_thread_ == static_cast<int>(thread)) step_thread_ = -1;   // one stop ends the step too
        if (!stop(stop_reply(thread, kSigTrap, watch_reply_))) return false;
    } else if (step_thread_ == static_cast<int>(thread)) {
        if (step_armed_) {
            step_thread_ = -1;
            if (!stop(stop_reply(thread, kSigTrap))) return false;
        } else {
            step_armed_ = true;
        }
    }
    const uint64_t pc = target_.pc(thread);
    if (skip_thread_ == static_cast<int>(thread)) {
        skip_thread_ = -1;
        resumed_here = resumed_here || pc == skip_pc_;
    }
    if (!resumed_here && !breakpoints_.empty() && breakpoints_.count(pc) && !stop(stop_reply(thread, kSigTrap)))
        return false;
    if (uint64_t waddr = 0; !watches_.empty() && watch_hit(thread, waddr) &&
                            !stop(stop_reply(thread, kSigTrap, fmt::format("watch:{:x};", waddr))))
        return false;
    if (!watches_.empty() && check_access_watches(thread) && target_.watch_before_access()) {
        watch_pending_ = -1;   // stop before the access, not after it
        if (!resumed_here && !stop(stop_reply(thread, kSigTrap, watch_reply_))) return false;
    }
    if (++calls_ % kPollEvery == 0 && poll_interrupt()) return stop_here(thread, stop_reply(thread, kSigInt));
    return true;
}

void GdbServer::refresh_watches(unsigned thread) {
    for (Watch& w : watches_) {
        if (w.kind != '2') continue;
        w.seen.assign(w.len, '\0');
        if (!target_.read_memory(thread, w.addr, reinterpret_cast<uint8_t*>(w.seen.data()), w.len, false))
            w.seen.clear();
    }
}

bool GdbServer::check_access_watches(unsigned thread) {
    // Write watchpoints are told by the access too when the stop comes
    // before it (the value comparison cannot see a store in advance).
    const bool writes = target_.watch_before_access();
    bool any = false;
    for (const Watch& w : watches_) any |= w.kind != '2' || writes;
    if (!any) return false;
    const auto a = target_.next_access(thread);
    if (!a) return false;
    for (const Watch& w : watches_) {
        if (a->addr >= w.addr + w.len || w.addr >= a->addr + a->len) continue;
        if (w.kind == '2' && (!writes || !a->write)) continue;
        if (w.kind == '3' && !a->read) continue;
        watch_pending_ = static_cast<int>(thread);
        watch_reply_ = fmt::format("{}:{:x};", w.kind == '2' ? "watch" : w.kind == '3' ? "rwatch" : "awatch", w.addr);
        return true;
    }
    return false;
}

bool GdbServer::watch_hit(unsigned thread, uint64_t& addr) {
    std::string now;
    for (Watch& w : watches_) {
        if (w.kind != '2') continue;
        now.assign(w.len, '\0');
        if (!target_.read_memory(thread, w.addr, reinterpret_cast<uint8_t*>(now.data()), w.len, false)) continue;
        if (now == w.seen) continue;
        const bool was_readable = !w.seen.empty();
        w.seen = now;
        if (!was_readable) continue;   // it became readable (a mapping changed): not a write
        addr = w.addr;
        return true;
    }
    return false;
}

bool GdbServer::on_vmexit(unsigned thread, unsigned kind, const std::string& decoded) {
    last_exit_ = fmt::format("vcpu {}: {}", thread, decoded);
    if (killed_) return false;
    if (fd_ < 0 || kind >= 64 || !((vmexit_mask_ >> kind) & 1)) return true;
    const bool alive = stop_here(thread, stop_reply(thread, kSigTrap, fmt::format("vmexit:{:x};", kind)));
    // Stopped between instructions (the exiting one is done): a step is
    // the next instruction, not one already under way.
    if (step_thread_ == static_cast<int>(thread)) step_armed_ = false;
    if (skip_thread_ == static_cast<int>(thread)) skip_thread_ = -1;   // a breakpoint there has not been hit
    return alive;
}

void GdbServer::on_exit(int status) {
    if (fd_ < 0) return;
    send(fmt::format("W{:02x}", status & 0xff));
    drop_connection();
}

GdbServer::Resume GdbServer::serve(unsigned thread, const std::string& reply, bool announce) {
    std::string last_stop = reply;
    g_thread_ = thread;
    step_thread_ = -1;   // any stop ends a pending step (a breakpoint or VM exit during it)
    // A debugger that just connected asks with '?'; one that resumed us
    // waits for this stop reply.
    if (announce) send(reply);
    while (fd_ >= 0) {
        // Bytes after a resume packet stay in pending_ for the next stop.
        if (pending_pos_ >= pending_.size()) {
            char buf[4096];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            pending_.assign(buf, static_cast<size_t>(n));
            pending_pos_ = 0;
        }
        while (pending_pos_ < pending_.size() && fd_ >= 0) {
            switch (dec_.feed(static_cast<uint8_t>(pending_[pending_pos_++]))) {
            case PacketDecoder::Event::Packet: {
                if (!noack_) ::send(fd_, "+", 1, MSG_NOSIGNAL);
                bool resume = false;
                Resume how = Resume::Continue;
                unsigned t = thread;
                const std::string pkt = dec_.packet();
                if (pkt == "?") {
                    send(last_stop);
                    continue;
                }
                std::string r = handle(pkt, t, resume, how);
                if (!resume) {
                    send(r);
                    continue;
                }
                if (how == Resume::Detach) {
                    send("OK");
                    drop_connection();
                    return how;
                }
                if (how == Resume::Kill) {
                    drop_connection();
                    return how;
                }
                if (!watches_.empty()) refresh_watches(thread);
                // Resuming: do not stop again at this breakpoint before
                // the thread has moved.
                skip_thread_ = static_cast<int>(thread);
                skip_pc_ = target_.pc(thread);
                first_after_resume_ = static_cast<int>(thread);
                if (how == Resume::Step) {
                    step_thread_ = static_cast<int>(t);
                    // The stopped thread's pending instruction runs when
                    // we return: that is the step. Another thread steps
                    // at its next instruction.
                    step_armed_ = t == thread;
                    if (t != thread) skip_thread_ = -1;
                }
                return how;
            }
            case PacketDecoder::Event::Bad:
                if (!noack_) ::send(fd_, "-", 1, MSG_NOSIGNAL);
                break;
            case PacketDecoder::Event::Nack:
                if (!last_sent_.empty()) ::send(fd_, last_sent_.data(), last_sent_.size(), MSG_NOSIGNAL);
                break;
            default: break;   // acks; Ctrl-C while stopped means nothing
            }
        }
    }
    drop_connection();   // the debugger went away: run on
    return Resume::Detach;
}

int GdbServer::parse_thread(const std::string& id, unsigned current) const {
    if (id == "-1" || id == "0" || id.empty()) return static_cast<int>(current);
    auto v = parse_hex_u64(id);
    if (!v || *v == 0 || *v > target_.num_threads() || !target_.thread_alive(static_cast<unsigned>(*v - 1)))
        return -1;
    return static_cast<int>(*v - 1);
}

std::string GdbServer::handle(const std::string& pkt, unsigned& thread, bool& resume, Resume& how) {
    if (pkt.empty()) return {};
    const char c = pkt[0];
    const std::string arg = pkt.substr(1);
    switch (c) {
    case 'g': {
        std::string out;
        for (unsigned r = 0; r < target_.num_g_registers(); r++) {
            std::string bytes(target_.register_size(r), '\0');   // unreadable: zeros
            target_.read_register_bytes(g_thread_, r, reinterpret_cast<uint8_t*>(bytes.data()));
            out += to_hex(bytes);
        }
        return out;
    }
    case 'G': {
        size_t off = 0;
        for (unsigned r = 0; r < target_.num_g_registers(); r++) {
            const unsigned sz = target_.register_size(r);
            if (off + 2 * sz > arg.size()) break;
            auto bytes = from_hex(std::string_view(arg).substr(off, 2 * sz));
            if (!bytes) return "E01";
            target_.write_register_bytes(g_thread_, r, reinterpret_cast<const uint8_t*>(bytes->data()));
            off += 2 * sz;
        }
        return "OK";
    }
    case 'p': {
        auto r = parse_hex_u64(arg);
        if (!r || *r > 0xffff) return "E01";
        const auto regno = static_cast<unsigned>(*r);
        std::string bytes(target_.register_size(regno), '\0');
        if (bytes.empty()) return "E01";
        // A register that exists but cannot be read now: "unavailable".
        if (!target_.read_register_bytes(g_thread_, regno, reinterpret_cast<uint8_t*>(bytes.data())))
            return std::string(2 * bytes.size(), 'x');
        return to_hex(bytes);
    }
    case 'P': {
        const size_t eq = arg.find('=');
        if (eq == std::string::npos) return "E01";
        auto r = parse_hex_u64(arg.substr(0, eq));
        if (!r || *r > 0xffff) return "E01";
        const unsigned sz = target_.register_size(static_cast<unsigned>(*r));
        auto bytes = from_hex(std::string_view(arg).substr(eq + 1));
        if (!sz || !bytes || bytes->size() != sz ||
            !target_.write_register_bytes(g_thread_, static_cast<unsigned>(*r),
                                          reinterpret_cast<const uint8_t*>(bytes->data())))
            return "E01";
        return "OK";
    }
    case 'm': {
        uint64_t addr, len;
        if (!parse_addr_len(arg, addr, len)) return "E01";
        len = std::min<uint64_t>(len, PacketDecoder::kMaxPacket / 2);
        std::string bytes(len, '\0');
        if (!target_.read_memory(g_thread_, addr, reinterpret_cast<uint8_t*>(bytes.data()), len, phys_memory_))
            return "E14";
        return to_hex(bytes);
    }
    case 'M': {
        const size_t colon = arg.find(':');
        uint64_t addr, len;
        if (colon == std::string::npos || !parse_addr_len(std::string_view(arg).substr(0, colon), addr, len))
            return "E01";
        auto bytes = from_hex(std::string_view(arg).substr(colon + 1));
        if (!bytes || bytes->size() != len) return "E01";
        if (!target_.write_memory(g_thread_, addr, reinterpret_cast<const uint8_t*>(bytes->data()), len, phys_memory_))
            return "E14";
        return "OK";
    }
    case 'Z':
    case 'z': {
        // Z0 software and Z1 hardware breakpoints are both checked against
        // the pc before each instruction: guest memory is never patched.
        if (pkt.size() < 3 || pkt[1] < '0' || pkt[1] > '4' || pkt[2] != ',') return {};
        const std::string rest = pkt.substr(3);
        auto addr = parse_hex_u64(rest.substr(0, rest.find(',')));
        if (!addr) return "E01";
        if (pkt[1] >= '2') {
            const size_t comma = rest.find(',');
            auto len = comma == std::string::npos ? std::nullopt : parse_hex_u64(rest.substr(comma + 1));
            if (!len || *len == 0 || *len > 64) return "E01";
            auto same = [&](const Watch& w) { return w.addr == *addr && w.len == *len && w.kind == pkt[1]; };
            watches_.erase(std::remove_if(watches_.begin(), watches_.end(), same), watches_.end());
            if (c == 'Z') {
                constexpr size_t kMaxWatches = 16;
                if (watches_.size() >= kMaxWatches) return "E01";
                watches_.push_back({*addr, *len, pkt[1], {}});
                refresh_watches(g_thread_);
            }
            return "OK";
        }
        if (c == 'Z') breakpoints_.insert(*addr);
        else breakpoints_.erase(*addr);
        return "OK";
    }
    case 'c':
    case 's':
        if (!arg.empty()) {
            auto a = parse_hex_u64(arg);
            if (!a) return "E01";
            target_.write_register(thread, target_.pc_regno(), *a);   // rarely used
        }
        resume = true;
        how = c == 's' ? Resume::Step : Resume::Continue;
        thread = g_thread_;
        return {};
    case 'H': {
        if (arg.size() < 1) return "E01";
        const int t = parse_thread(arg.substr(1), g_thread_);
        if (t < 0) return "E01";
        if (arg[0] == 'g') g_thread_ = static_cast<unsigned>(t);
        return "OK";
    }
    case 'T': return parse_thread(arg, 0) >= 0 && arg != "0" && arg != "-1" ? "OK" : "E01";
    case 'k':
        resume = true;
        how = Resume::Kill;
        return {};
    case 'D':
        resume = true;
        how = Resume::Detach;
        return {};
    default: break;
    }
    if (starts_with(pkt, "qSupported"))
        return fmt::format("PacketSize={:x};qXfer:features:read+;QStartNoAckMode+;vContSupported+",
                           PacketDecoder::kMaxPacket);
    if (pkt == "QStartNoAckMode") {
        noack_ = true;   // this packet was acked already; the OK is the last acked exchange
        return "OK";
    }
    if (starts_with(pkt, "qXfer:features:read:target.xml:")) {
        uint64_t off, len;
        constexpr std::string_view kPrefix = "qXfer:features:read:target.xml:";
        if (!parse_addr_len(std::string_view(pkt).substr(kPrefix.size()), off, len)) return "E01";
        const std::string xml = target_.target_xml();
        if (off >= xml.size()) return "l";
        len = std::min<uint64_t>(len, PacketDecoder::kMaxPacket / 2);
        const std::string part = xml.substr(off, len);
        return (off + part.size() >= xml.size() ? "l" : "m") + part;
    }
    if (pkt == "qfThreadInfo") {
        std::string out = "m";
        for (unsigned t = 0; t < target_.num_threads(); t++) out += fmt::format("{}{:x}", t ? "," : "", t + 1);
        return out;
    }
    if (pkt == "qsThreadInfo") return "l";
    if (pkt == "qC") return fmt::format("QC{:x}", g_thread_ + 1);
    if (pkt == "qAttached") return "1";
    if (starts_with(pkt, "qThreadExtraInfo,")) {
        const int t = parse_thread(pkt.substr(17), g_thread_);
        if (t < 0) return "E01";
        return to_hex(target_.thread_name(static_cast<unsigned>(t)));
    }
    if (starts_with(pkt, "qRcmd,")) {
        auto cmd = from_hex(std::string_view(pkt).substr(6));
        if (!cmd) return "E01";
        return to_hex(monitor(g_thread_, *cmd));
    }
    if (pkt == "vCont?") return "vCont;c;C;s;S";
    if (starts_with(pkt, "vCont;")) {
        // Actions in order; the first that names a thread (or none) wins
        // per thread. All threads run on continue; one thread steps.
        std::stringstream ss(pkt.substr(6));
        std::string action;
        how = Resume::Continue;
        while (std::getline(ss, action, ';')) {
            if (action.empty()) continue;
            const size_t colon = action.find(':');
            const std::string tid = colon == std::string::npos ? "" : action.substr(colon + 1);
            if (action[0] == 's' || action[0] == 'S') {
                const int t = parse_thread(tid, g_thread_);
                if (t < 0) return "E01";
                how = Resume::Step;
                thread = static_cast<unsigned>(t);
                break;
            }
        }
        if (how == Resume::Continue) thread = g_thread_;
        resume = true;
        return {};
    }
    return {};   // unsupported: the empty reply
}

std::string GdbServer::monitor(unsigned thread, const std::string& cmd) {
    std::istringstream in(cmd);
    std::string word;
    in >> word;
    if (word == "help" || word.empty())
        return "hvemu monitor commands:\n"
               "  vmexit-break on|off|<kind>[,<kind>...]  stop when a vCPU exits (hosted VMs)\n"
               "  exit                                    the last VM exit, decoded\n"
               "  stats                                   exit counts\n"
               "  walk <addr>                             both stages of the translation, every entry read\n"
               "  step-interrupts on|off                  let a single step enter an interrupt handler\n"
               "  phys on|off                             memory by (guest) physical address\n" +
               target_.monitor_help();
    if (word == "phys") {
        std::string what;
        in >> what;
        if (what == "on") phys_memory_ = true;
        else if (what == "off") phys_memory_ = false;
        else if (!what.empty()) return "usage: monitor phys on|off\n";
        return fmt::format("memory by {} address\n", phys_memory_ ? "physical" : "virtual");
    }
    if (word == "step-interrupts") {
        std::string what;
        in >> what;
        if (what == "on") step_interrupts_ = true;
        else if (what == "off") step_interrupts_ = false;
        else if (!what.empty()) return "usage: monitor step-interrupts on|off\n";
        return fmt::format("step-interrupts {}\n", step_interrupts_ ? "on" : "off");
    }
    if (word == "vmexit-break") {
        std::string what;
        in >> what;
        if (what == "on") vmexit_mask_ = ~0ull;
        else if (what == "off") vmexit_mask_ = 0;
        else {
            uint64_t mask = 0;
            std::stringstream kinds(what);
            std::string k;
            while (std::getline(kinds, k, ',')) {
                bool found = false;
                for (unsigned i = 0; i < num_exit_kinds && exit_kind_name; i++) {
                    if (strcasecmp(exit_kind_name(i).c_str(), k.c_str()) == 0) {
                        mask |= uint64_t{1} << i;
                        found = true;
                    }
                }
                if (!found) return fmt::format("unknown exit kind '{}'\n", k);
            }
            if (!mask) return "usage: monitor vmexit-break on|off|<kind>[,<kind>...]\n";
            vmexit_mask_ = mask;
        }
        return fmt::format("vmexit-break {}\n", vmexit_mask_ ? "on" : "off");
    }
    if (word == "exit") return last_exit_.empty() ? "no VM exit yet\n" : last_exit_ + "\n";
    if (word == "stats") return stats ? stats() : "no statistics for this machine\n";
    if (auto r = target_.monitor(thread, cmd)) return *r;
    return fmt::format("unknown monitor command '{}' (try 'monitor help')\n", word);
}

} // namespace hvemu::emu::debug
