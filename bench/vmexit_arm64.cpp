// The Arm guest of the round trip benchmark: EL1 code (MMU off) that loops
// on an HVC with the hypercall number in x0, which the vCPU turns into
// exit::Hypercall; stage 2 from level 0 (PARange 44), one 2 MiB block.
#include <optional>

#include "bench/vmexit_roundtrip.hpp"
#include "isa/common/phys_mem.hpp"
#include "vcpu/arm64/arm_vcpu.hpp"

namespace hvemu::bench {
namespace {

using vcpu::arm64::ArmVCpu;
using vcpu::arm64::PhysCpu;

constexpr uint64_t kHostRam = 0x80000000, kHostRamSize = 16ull << 20;
constexpr uint64_t kS2Root = 0x80000000;           // level 0
constexpr uint64_t kS2Level1 = kS2Root + 0x1000;
constexpr uint64_t kS2Level2 = kS2Root + 0x2000;
constexpr uint64_t kGuestHpa = 0x80200000;         // guest RAM in host memory (2 MiB aligned)
constexpr uint64_t kGuestRam = 0x40000000;         // IPA
constexpr uint64_t kVmId = 1;

// Stage-2 descriptors: table; block with MemAttr Normal WB, S2AP RW, SH inner, AF.
constexpr uint64_t kTable = 3;
constexpr uint64_t kBlock = 1 | 0xfull << 2 | 3ull << 6 | 3ull << 8 | 1ull << 10;
constexpr uint32_t kMovX0Nr = 0xD2800000u | kHypercallNr << 5;   // movz x0, #nr
constexpr uint32_t kHvc0 = 0xD4000002u;                          // hvc #0
constexpr uint32_t kBackTwo = 0x17FFFFFEu;                       // b . - 8

void write64(isa::PhysMem& mem, uint64_t at, uint64_t v) { mem.write_block(at, &v, 8); }

class ArmGuest final : public Guest {
public:
    ArmGuest() : cpu_(make_mem(mem_), 0) { cpu_.make_current(); }
    ~ArmGuest() override {
        if (v_) (void)v_->unbind();
        PhysCpu::clear_current();
    }

    bool start() {
        auto created = vcpu::VCpu<ArmVCpu>::create(kVmId, 0, vcpu::arm64::CreateConfig{0, 0});
        if (!created) return fail("create", created.error());
        v_.emplace(std::move(created.value()));
        if (auto r = v_->setup(kGuestRam, kS2Root, {}); !r) return fail("setup", r.error());
        if (auto r = v_->bind(); !r) return fail("bind", r.error());
        return true;
    }
    bool round_trips(uint64_t n) override { return hypercall_loop(*v_, n); }

private:
    // IPA [kGuestRam, +2 MiB) -> kGuestHpa: level 0 [0] -> level 1 [1] -> level 2 [0] block.
    static isa::PhysMem& make_mem(isa::PhysMem& mem) {
        mem.add_ram(kHostRam, kHostRamSize);
        write64(mem, kS2Root + ((kGuestRam >> 39) & 0x1f) * 8, kS2Level1 | kTable);
        write64(mem, kS2Level1 + ((kGuestRam >> 30) & 0x1ff) * 8, kS2Level2 | kTable);
        write64(mem, kS2Level2 + ((kGuestRam >> 21) & 0x1ff) * 8, kGuestHpa | kBlock);
        const uint32_t code[] = {kMovX0Nr, kHvc0, kBackTwo};
        mem.write_block(kGuestHpa, code, sizeof code);
        return mem;
    }
    static bool fail(const char* what, const vcpu::Error& e) {
        std::fprintf(stderr, "vmexit_roundtrip: arm64 %s: %s\n", what, e.message.c_str());
        return false;
    }

    isa::PhysMem mem_;
    PhysCpu cpu_;
    std::optional<vcpu::VCpu<ArmVCpu>> v_;
};

} // namespace

std::unique_ptr<Guest> make_arm64_guest() {
    auto g = std::make_unique<ArmGuest>();
    if (!g->start()) return nullptr;
    return g;
}

} // namespace hvemu::bench
