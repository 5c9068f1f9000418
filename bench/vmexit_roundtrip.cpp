// The cost of a hosted VM-exit round trip on each architecture: a guest
// that loops on a hypercall, and a C++ handler that completes it at once,
// as a VMM's exit loop would:
//
//     host:   for (;;) { e = vcpu.run(); check Hypercall; set_return_value(0); }
//
// One round trip = VCpu::run() entering the guest (sret / ERET / VMRESUME),
// two or three guest instructions, the hypercall's trap to the host level
// (HS / EL2 / VMX root), its decode into exit::Hypercall, and the handler.
// Prints host nanoseconds per round trip (best of `runs`) and, where the
// kernel lets a process count its own instructions (perf_event_open), host
// instructions per round trip.
//
// Usage: vmexit_roundtrip [--arch riscv64|arm64|x86_64] [--callgrind]
//                         [round_trips (default 2000000)] [runs (default 5)]
//   --arch       only this architecture (repeatable; default: all)
//   --callgrind  after the fixed warm-up, exactly one batch of round_trips
//                and nothing else, so that under an instruction-counting
//                tool the counts of two round_trips values differ by
//                exactly their difference in round trips
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/vmexit_roundtrip.hpp"

namespace {

using namespace hvemu::bench;

constexpr uint64_t kWarmup = 10000;   // decoded pages, TLBs, host caches

struct Arch {
    const char* name;
    const char* what;   // the hypercall, for the report
    std::unique_ptr<Guest> (*make)();
};
const Arch kArchs[] = {
    {"riscv64", "SBI hypercall (ecall -> exit::Hypercall -> C++ -> sret)", make_riscv64_guest},
    {"arm64", "HVC from EL1 (hvc -> exit::Hypercall -> C++ -> eret)", make_arm64_guest},
    {"x86_64", "VMCALL (vmcall -> exit::Hypercall -> C++ -> vmresume)", make_x86_64_guest},
};

// Host instructions retired by this thread in user space, where permitted.
class InsnCounter {
public:
    InsnCounter() {
        perf_event_attr a{};
        a.type = PERF_TYPE_HARDWARE;
        a.size = sizeof a;
        a.config = PERF_COUNT_HW_INSTRUCTIONS;
        a.disabled = 1;
        a.exclude_kernel = 1;
        a.exclude_hv = 1;
        fd_ = static_cast<int>(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
    }
    ~InsnCounter() {
        if (fd_ >= 0) close(fd_);
    }
    bool ok() const { return fd_ >= 0; }
    void start() {
        ioctl(fd_, PERF_EVENT_IOC_RESET, 0);
        ioctl(fd_, PERF_EVENT_IOC_ENABLE, 0);
    }
    uint64_t stop() {
        ioctl(fd_, PERF_EVENT_IOC_DISABLE, 0);
        uint64_t v = 0;
        if (read(fd_, &v, sizeof v) != static_cast<ssize_t>(sizeof v)) return 0;
        return v;
    }

private:
    int fd_ = -1;
};

// Time (and count) one architecture; false when its guest fails.
bool measure(const Arch& a, uint64_t n, unsigned runs, bool callgrind) {
    std::unique_ptr<Guest> g = a.make();
    if (!g || !g->round_trips(kWarmup)) return false;
    if (callgrind) {
        if (!g->round_trips(n)) return false;
        std::printf("%-8s %llu round trips after %llu warm-up\n", a.name, static_cast<unsigned long long>(n),
                    static_cast<unsigned long long>(kWarmup));
        return true;
    }
    double best_ns = 1e30;
    for (unsigned r = 0; r < runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!g->round_trips(n)) return false;
        const std::chrono::duration<double, std::nano> dt = std::chrono::steady_clock::now() - t0;
        best_ns = std::min(best_ns, dt.count() / static_cast<double>(n));
    }
    std::string insns = "host instructions: perf events not permitted";
    InsnCounter counter;
    if (counter.ok()) {
        counter.start();
        if (!g->round_trips(n)) return false;
        insns = std::to_string(static_cast<uint64_t>(static_cast<double>(counter.stop()) / static_cast<double>(n) + 0.5)) +
                " host instructions";
    }
    std::printf("%-8s %-58s %7.1f ns per round trip (best of %u x %llu), %s\n", a.name, a.what, best_ns, runs,
                static_cast<unsigned long long>(n), insns.c_str());
    return true;
}

int usage() {
    std::fprintf(stderr, "usage: vmexit_roundtrip [--arch riscv64|arm64|x86_64]... [--callgrind] "
                         "[round_trips > 0] [runs > 0]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<const Arch*> chosen;
    bool callgrind = false;
    std::vector<uint64_t> numbers;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--callgrind") {
            callgrind = true;
        } else if (arg == "--arch" && i + 1 < argc) {
            const std::string name = argv[++i];
            const auto it = std::find_if(std::begin(kArchs), std::end(kArchs), [&](const Arch& a) { return name == a.name; });
            if (it == std::end(kArchs)) return usage();
            chosen.push_back(&*it);
        } else if (!arg.empty() && arg[0] != '-' && numbers.size() < 2) {
            numbers.push_back(std::strtoull(arg.c_str(), nullptr, 0));
        } else {
            return usage();
        }
    }
    const uint64_t n = numbers.size() > 0 ? numbers[0] : 2'000'000;
    const uint64_t runs = numbers.size() > 1 ? numbers[1] : 5;
    if (n == 0 || runs == 0 || runs > 1000) return usage();
    if (chosen.empty())
        for (const Arch& a : kArchs) chosen.push_back(&a);
    for (const Arch* a : chosen)
        if (!measure(*a, n, static_cast<unsigned>(runs), callgrind)) return 1;
    return 0;
}
