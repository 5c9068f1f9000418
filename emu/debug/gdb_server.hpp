// The GDB remote stub. The machine's run loop drives it: while a debugger
// is attached (or may attach), harts / vCPUs run one instruction at a time
// and the loop calls before_insn() first; when that thread must stop (a
// breakpoint, the end of a step, Ctrl-C, a new connection) the stub sends
// the stop reply and serves GDB's packets, blocking, until GDB resumes.
// Hosted VMs also call on_vmexit() when a vCPU's run() returns an exit, so
// `monitor vmexit-break` can stop there with the guest state intact.
#pragma once
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "emu/debug/gdb_packet.hpp"
#include "emu/debug/gdb_target.hpp"

namespace hvemu::emu::debug {

class GdbServer {
public:
    // Listen on host:port (port 0: any; see port()). Throws std::runtime_error.
    GdbServer(GdbTarget& target, const std::string& host, uint16_t port);
    // Serve an already connected socket (tests use a socketpair).
    GdbServer(GdbTarget& target, int connected_fd);
    ~GdbServer();
    GdbServer(const GdbServer&) = delete;
    GdbServer& operator=(const GdbServer&) = delete;

    uint16_t port() const { return port_; }
    bool connected() const { return fd_ >= 0; }

    // -S: wait for a debugger and serve it until it resumes. false: killed.
    bool wait_for_attach();
    // Before each instruction of `thread`. false: the debugger killed the
    // target; the run loop ends the run.
    bool before_insn(unsigned thread);
    // Hosted VMs: vCPU `thread` is about to be handed exit `kind` (the
    // ExitReason index), described by `decoded`. false: killed.
    bool on_vmexit(unsigned thread, unsigned kind, const std::string& decoded);
    // The run ended with `status`: tell the debugger (W packet).
    void on_exit(int status);
    // True after before_insn(thread) returned true when the instruction
    // about to run must not take an interrupt: a single step, or the first
    // instruction after any resume of the stopped thread (GDB steps RISC-V
    // in software: a breakpoint after the instruction and a continue). The
    // run loop masks the hart's interrupts for it; `monitor step-interrupts
    // on` lets a step enter the handler instead.
    bool step_masks_interrupts(unsigned thread) const {
        const int t = static_cast<int>(thread);
        return !step_interrupts_ && ((step_armed_ && step_thread_ == t) || first_after_resume_ == t);
    }

    // `monitor stats` prints what this returns (when set).
    std::function<std::string()> stats;
    // The kind names `monitor vmexit-break` accepts, by ExitReason index.
    std::function<std::string(unsigned)> exit_kind_name;
    unsigned num_exit_kinds = 0;

private:
    enum class Resume : uint8_t { Continue, Step, Detach, Kill };
    Resume serve(unsigned thread, const std::string& stop_reply, bool announce);
    bool stop_here(unsigned thread, const std::string& stop_reply, bool announce = true);
    std::string handle(const std::string& pkt, unsigned& thread, bool& resume, Resume& how);
    std::string monitor(unsigned thread, const std::string& cmd);
    bool accept_pending(bool block);
    void send(const std::string& payload);
    bool poll_interrupt();
    void drop_connection();
    std::string stop_reply(unsigned thread, int signal, const std::string& extra = {}) const;
    int parse_thread(const std::string& id, unsigned current) const;

    GdbTarget& target_;
    int listen_fd_ = -1, fd_ = -1;
    uint16_t port_ = 0;
    PacketDecoder dec_;
    std::string pending_;                // received, not yet decoded
    size_t pending_pos_ = 0;
    std::string last_sent_;
    bool noack_ = false;
    std::set<uint64_t> breakpoints_;
    // Watchpoints. Write (Z2): checked before each instruction by
    // comparing the watched bytes with what they were when the thread last
    // resumed. Read (Z3) and access (Z4): the target tells what the next
    // instruction accesses; a hit stops before the one after it, or before
    // the accessing one (and so do Z2 hits it tells) where the target's
    // watch_before_access() says GDB expects that.
    struct Watch {
        uint64_t addr = 0, len = 0;
        char kind = '2';
        std::string seen;   // Z2: the bytes, or empty when unreadable
    };
    int watch_pending_ = -1;             // the thread whose last instruction hit a Z3/Z4
    std::string watch_reply_;
    bool check_access_watches(unsigned thread);
    std::vector<Watch> watches_;
    void refresh_watches(unsigned thread);
    bool watch_hit(unsigned thread, uint64_t& addr);
    unsigned g_thread_ = 0;              // Hg: registers and memory
    int step_thread_ = -1;               // stepping: stop before its next instruction
    bool step_armed_ = false;            // the stepping thread has been resumed once
    int skip_thread_ = -1;               // resumed from a breakpoint: do not stop there again at once
    uint64_t skip_pc_ = 0;
    uint64_t calls_ = 0;
    bool killed_ = false;
    bool step_interrupts_ = false;       // monitor step-interrupts
    int first_after_resume_ = -1;        // the thread whose next instruction is the first after a resume
    bool phys_memory_ = false;           // monitor phys: m/M take (guest) physical addresses
    // vmexit-break
    uint64_t vmexit_mask_ = 0;           // bit per ExitReason index
    std::string last_exit_;              // for `monitor exit`
};

} // namespace hvemu::emu::debug
