// The cost of a hosted VM-exit round trip: a RISC-V guest that loops on a
// hypercall (an SBI ecall to Axvisor's hypercall extension), and a C++
// handler that completes it at once, as a VMM's exit loop would:
//
//     guest:  loop: ecall; j loop          (a7 = 0x485643, a6 = nr)
//     host:   for (;;) { e = vcpu.run(); check Hypercall; set_return_value(0); }
//
// One round trip = VCpu::run() entering the guest (sret), two guest
// instructions, the ecall's trap to HS, its decode into
// exit::Hypercall, and the handler. Prints host nanoseconds per round trip
// (best of --runs) and, where the kernel lets a process count its own
// instructions (perf_event_open), host instructions per round trip.
//
// Usage: vmexit_roundtrip [round_trips (default 2000000)] [runs (default 5)]
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <variant>

#include "isa/common/phys_mem.hpp"
#include "vcpu/riscv/riscv_vcpu.hpp"
#include "vcpu/riscv/sbi.hpp"
#include "vcpu/vcpu.hpp"

namespace {

using namespace hvemu;
using vcpu::riscv::PhysCpu;
using vcpu::riscv::RiscvVCpu;

constexpr uint64_t kHostRam = 0x80000000, kHostRamSize = 16ull << 20;
constexpr uint64_t kGRoot = 0x80000000;         // Sv39x4 root: 16 KiB, 16 KiB aligned
constexpr uint64_t kGLevel1 = kGRoot + 0x4000;  // the level-1 table under it
constexpr uint64_t kGuestHpa = 0x80200000;      // guest RAM in host memory (2 MiB aligned)
constexpr uint64_t kGuestRam = 0x80000000;      // guest-physical, one 2 MiB megapage
constexpr uint64_t kHypercallNr = 7;

// V R W X U A D
constexpr uint64_t kLeaf = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 6 | 1u << 7;
constexpr uint32_t kEcall = 0x00000073;
constexpr uint32_t kJumpBack4 = 0xffdff06f;   // jal x0, -4

void write64(isa::PhysMem& mem, uint64_t at, uint64_t v) { mem.write_block(at, &v, 8); }

// Guest RAM [kGuestRam, +2 MiB) -> kGuestHpa as one level-1 leaf.
void build_gstage(isa::PhysMem& mem) {
    write64(mem, kGRoot + ((kGuestRam >> 30) & 0x7ff) * 8, (kGLevel1 >> 12) << 10 | 1);
    write64(mem, kGLevel1 + ((kGuestRam >> 21) & 0x1ff) * 8, (kGuestHpa >> 12) << 10 | kLeaf);
    const uint32_t code[] = {kEcall, kJumpBack4};
    mem.write_block(kGuestHpa, code, sizeof code);
}

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

// n round trips; false (with a message) when an exit is not the hypercall.
bool round_trips(vcpu::VCpu<RiscvVCpu>& v, uint64_t n) {
    for (uint64_t k = 0; k < n; ++k) {
        vcpu::Result<vcpu::ExitReason> r = v.run();
        if (!r) {
            std::fprintf(stderr, "vmexit_roundtrip: run failed: %s\n", r.error().message.c_str());
            return false;
        }
        const auto* hc = std::get_if<vcpu::exit::Hypercall>(&r.value());
        if (!hc || hc->nr != kHypercallNr) {
            std::fprintf(stderr, "vmexit_roundtrip: unexpected exit %s\n", vcpu::describe(r.value()).c_str());
            return false;
        }
        v.set_return_value(0);
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 2'000'000;
    const unsigned runs = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0)) : 5;
    if (n == 0 || runs == 0) {
        std::fprintf(stderr, "usage: vmexit_roundtrip [round_trips > 0] [runs > 0]\n");
        return 2;
    }

    isa::PhysMem mem;
    mem.add_ram(kHostRam, kHostRamSize);
    build_gstage(mem);
    PhysCpu cpu(mem, 0);
    cpu.make_current();

    auto created = vcpu::VCpu<RiscvVCpu>::create(1, 0, vcpu::riscv::CreateConfig{0, 0});
    if (!created) {
        std::fprintf(stderr, "vmexit_roundtrip: %s\n", created.error().message.c_str());
        return 1;
    }
    vcpu::VCpu<RiscvVCpu> v = std::move(created.value());
    if (auto r = v.setup(kGuestRam, kGRoot, {}); !r) {
        std::fprintf(stderr, "vmexit_roundtrip: setup: %s\n", r.error().message.c_str());
        return 1;
    }
    if (auto r = v.bind(); !r) {
        std::fprintf(stderr, "vmexit_roundtrip: bind: %s\n", r.error().message.c_str());
        return 1;
    }
    v.set_gpr(17, vcpu::riscv::sbi::eid::HYPERCALL);   // a7: extension
    v.set_gpr(16, kHypercallNr);                        // a6: hypercall number

    if (!round_trips(v, n / 10 + 1)) return 1;   // warm up: decoded pages, TLBs, caches
    double best_ns = 1e30;
    for (unsigned r = 0; r < runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!round_trips(v, n)) return 1;
        const std::chrono::duration<double, std::nano> dt = std::chrono::steady_clock::now() - t0;
        best_ns = std::min(best_ns, dt.count() / static_cast<double>(n));
    }
    std::printf("riscv64 SBI hypercall (ecall -> exit::Hypercall -> C++ -> guest): %.1f ns per round trip "
                "(best of %u runs of %llu)\n",
                best_ns, runs, static_cast<unsigned long long>(n));
    InsnCounter counter;
    if (counter.ok()) {
        counter.start();
        if (!round_trips(v, n)) return 1;
        const uint64_t insns = counter.stop();
        std::printf("riscv64 SBI hypercall: %.0f host instructions per round trip\n",
                    static_cast<double>(insns) / static_cast<double>(n));
    } else {
        std::printf("riscv64 SBI hypercall: host instruction count unavailable (perf events not permitted)\n");
    }
    (void)v.unbind();
    PhysCpu::clear_current();
    return 0;
}
