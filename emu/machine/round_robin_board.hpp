// The deterministic run loop every full-system board shares (riscv64-virt,
// aarch64-virt): N cores of one architecture, run in round-robin rounds.
//
// Time: every core has its own cycle counter and its guest-visible time
// derives from it. To keep the cores' clocks together the board runs in
// rounds: each round raises a common cycle target by one quantum and runs
// every core up to it; a core waiting for an interrupt (WFI) has its clock
// moved to the target, since time passes while it waits. When every core
// waits and none ran, nothing can change but time, so the board jumps all
// clocks to the earliest timer event ahead; with none ahead (and no
// console input to wait for) the run ends as a deadlock instead of hanging.
//
// A board derives from RoundRobinBoard<Board, Core> (CRTP) and provides:
//   void after_slice(Core&)                   e.g. drop an LR/SC or exclusive reservation
//   std::optional<uint64_t> poll_exit()       an exit status from a polled device (HTIF)
//   void reset_machine()                      a reset the guest requested
//   bool feed_console_input()                 true when bytes reached the UART
//   bool console_wants_input()                the UART has room for input
//   std::optional<uint64_t> next_timer_cycles(Core&)   cycles to its next timer event
//   std::string core_label(unsigned i)        "hart 0 pc=0x..." for the deadlock message
//   bool core_on(unsigned i)                  false: powered off (PSCI CPU_OFF); its clock
//                                             follows the rounds, it runs nothing
// The board's destructor must clear cores_ first: cores detach from the
// board's physical memory, which is a member of the board and so goes
// before this base's members.
// Core provides run(budget) -> StopReason (with ::Wfi), cycles(),
// icount(), add_cycles(), waiting_for_interrupt(), request_stop().
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "emu/machine/host_console.hpp"

namespace hvemu::emu {

enum class RunEnd : uint8_t {
    GuestExit,   // a finisher device, HTIF, semihosting or PSCI; exit_code holds the status
    MaxInsns,    // --max-insns reached
    Deadlock,    // every core waits for an interrupt that cannot come
};

struct RunResult {
    RunEnd end = RunEnd::GuestExit;
    uint64_t exit_code = 0;
    std::string message;          // one line for MaxInsns / Deadlock
};

template <class Board, class Core> class RoundRobinBoard {
public:
    // Debugger hook: when set, cores run one instruction at a time and this
    // is called (with the core's index) before each; it may block. false
    // ends the run as a guest exit with status 0 (the debugger killed it).
    std::function<bool(unsigned core)> before_insn;

    uint64_t instructions() const { return executed_; }   // all cores, all resets
    unsigned num_cores() const { return static_cast<unsigned>(cores_.size()); }
    unsigned current_core() const { return current_; }   // the core being run (tracing)

protected:
    RoundRobinBoard(HostConsole::Sink sink, std::FILE* out, int in_fd, ConsoleInput input, uint64_t quantum,
                    uint64_t max_insns)
        : console_(out, std::move(sink), in_fd, input), quantum_(quantum), max_insns_(max_insns) {}

    // The guest asked to stop (exit device) or to reset: the running core
    // stops at once, the board acts at the end of the round.
    void request_exit(uint64_t code) {
        exit_requested_ = true;
        exit_code_ = code;
        if (!cores_.empty()) cores_[current_]->request_stop();
    }
    void request_reset() {
        reset_requested_ = true;
        if (!cores_.empty()) cores_[current_]->request_stop();
    }

    // Rounds start from the cores' clocks (after a load or a reset).
    void rebase_rounds() {
        round_target_ = 0;
        for (auto& c : cores_) round_target_ = std::max(round_target_, c->cycles());
    }

    RunResult run_rounds() {
        Board& self = static_cast<Board&>(*this);
        const uint64_t max = max_insns_;
        for (uint64_t round = 0;; round++) {
            round_target_ += quantum_;
            bool any_ran = false, all_waiting = true;
            for (unsigned i = 0; i < num_cores() && !exit_requested_ && !reset_requested_; i++) {
                Core& c = *cores_[i];
                current_ = i;
                if (max && executed_ >= max) break;
                if (!self.core_on(i)) {
                    if (c.cycles() < round_target_) c.add_cycles(round_target_ - c.cycles());
                    continue;
                }
                if (c.cycles() < round_target_) {
                    uint64_t budget = round_target_ - c.cycles();
                    if (max) budget = std::min(budget, max - executed_);
                    const uint64_t before = c.icount();
                    const auto why = before_insn ? run_debug(i, budget) : c.run(budget);
                    self.after_slice(c);
                    const uint64_t ran = c.icount() - before;
                    executed_ += ran;
                    any_ran |= ran != 0;
                    if (why == decltype(why)::Wfi && c.cycles() < round_target_)
                        c.add_cycles(round_target_ - c.cycles());   // time passes while it waits
                }
                all_waiting &= c.waiting_for_interrupt();
            }
            current_ = 0;
            if (!exit_requested_) {
                if (auto code = self.poll_exit()) {
                    exit_requested_ = true;
                    exit_code_ = *code;
                }
            }
            console_.flush();
            if (exit_requested_) {
                exit_requested_ = false;
                return {RunEnd::GuestExit, exit_code_, {}};
            }
            if (reset_requested_) {
                reset_requested_ = false;
                resets_++;
                self.reset_machine();
                rebase_rounds();
                continue;
            }
            if (max && executed_ >= max)
                return {RunEnd::MaxInsns, 0,
                        fmt::format("stopped after {} instructions: the --max-insns limit was reached", executed_)};
            const bool idle = !any_ran && all_waiting;
            const bool input = (idle || round % kInputPollRounds == 0) && self.feed_console_input();
            if (!idle || input) continue;
            if (skip_to_next_timer()) continue;
            if (self.console_wants_input() && console_.wait_input()) continue;
            std::string where;
            for (unsigned i = 0; i < num_cores(); i++) where += (i ? ", " : "") + self.core_label(i);
            return {RunEnd::Deadlock, 0,
                    fmt::format("all cores are waiting for interrupts that can never come ({})", where)};
        }
    }

    HostConsole console_;
    std::vector<std::unique_ptr<Core>> cores_;
    unsigned current_ = 0;                // the core being run
    uint64_t executed_ = 0;
    uint64_t resets_ = 0;

private:
    static constexpr unsigned kInputPollRounds = 64;   // poll host input every this many rounds

    // One instruction at a time, asking the debugger before each.
    auto run_debug(unsigned i, uint64_t budget) {
        Core& c = *cores_[i];
        decltype(c.run(1)) why{};   // Budget
        for (uint64_t n = 0; n < budget && why == decltype(why){} && !exit_requested_ && !reset_requested_; n++) {
            if (!before_insn(i)) {
                exit_requested_ = true;
                exit_code_ = 0;
                break;
            }
            why = c.run(1);
        }
        return why;
    }

    bool skip_to_next_timer() {
        Board& self = static_cast<Board&>(*this);
        std::optional<uint64_t> best;
        for (auto& c : cores_)
            if (auto n = self.next_timer_cycles(*c); n && (!best || *n < *best)) best = n;
        if (!best) return false;
        for (auto& c : cores_) c->add_cycles(*best);
        round_target_ += *best;
        return true;
    }

    uint64_t quantum_, max_insns_;
    uint64_t round_target_ = 0;           // cycle count every core runs up to this round
    bool exit_requested_ = false, reset_requested_ = false;
    uint64_t exit_code_ = 0;
};

} // namespace hvemu::emu
