// The RISC-V guest of the round trip benchmark: VS-mode code that loops on
// an SBI ecall to Axvisor's hypercall extension (a7 = 0x485643, a6 = nr),
// which the vCPU turns into exit::Hypercall; G-stage Sv39x4.
#include <optional>

#include "bench/vmexit_roundtrip.hpp"
#include "isa/common/phys_mem.hpp"
#include "vcpu/riscv/riscv_vcpu.hpp"
#include "vcpu/riscv/sbi.hpp"

namespace hvemu::bench {
namespace {

using vcpu::riscv::PhysCpu;
using vcpu::riscv::RiscvVCpu;

constexpr uint64_t kHostRam = 0x80000000, kHostRamSize = 16ull << 20;
constexpr uint64_t kGRoot = 0x80000000;         // Sv39x4 root: 16 KiB, 16 KiB aligned
constexpr uint64_t kGLevel1 = kGRoot + 0x4000;  // the level-1 table under it
constexpr uint64_t kGuestHpa = 0x80200000;      // guest RAM in host memory (2 MiB aligned)
constexpr uint64_t kGuestRam = 0x80000000;      // guest-physical, one 2 MiB megapage

// V R W X U A D
constexpr uint64_t kLeaf = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 6 | 1u << 7;
constexpr uint32_t kEcall = 0x00000073;
constexpr uint32_t kJumpBack4 = 0xffdff06f;   // jal x0, -4

void write64(isa::PhysMem& mem, uint64_t at, uint64_t v) { mem.write_block(at, &v, 8); }

class RiscvGuest final : public Guest {
public:
    RiscvGuest() : cpu_(make_mem(mem_), 0) { cpu_.make_current(); }
    ~RiscvGuest() override {
        if (v_) (void)v_->unbind();
        PhysCpu::clear_current();
    }

    bool start() {
        auto created = vcpu::VCpu<RiscvVCpu>::create(1, 0, vcpu::riscv::CreateConfig{0, 0});
        if (!created) return fail("create", created.error());
        v_.emplace(std::move(created.value()));
        if (auto r = v_->setup(kGuestRam, kGRoot, {}); !r) return fail("setup", r.error());
        if (auto r = v_->bind(); !r) return fail("bind", r.error());
        v_->set_gpr(17, vcpu::riscv::sbi::eid::HYPERCALL);   // a7: extension
        v_->set_gpr(16, kHypercallNr);                       // a6: hypercall number
        return true;
    }
    bool round_trips(uint64_t n) override { return hypercall_loop(*v_, n); }

private:
    // Guest RAM [kGuestRam, +2 MiB) -> kGuestHpa as one level-1 leaf.
    static isa::PhysMem& make_mem(isa::PhysMem& mem) {
        mem.add_ram(kHostRam, kHostRamSize);
        write64(mem, kGRoot + ((kGuestRam >> 30) & 0x7ff) * 8, (kGLevel1 >> 12) << 10 | 1);
        write64(mem, kGLevel1 + ((kGuestRam >> 21) & 0x1ff) * 8, (kGuestHpa >> 12) << 10 | kLeaf);
        const uint32_t code[] = {kEcall, kJumpBack4};
        mem.write_block(kGuestHpa, code, sizeof code);
        return mem;
    }
    static bool fail(const char* what, const vcpu::Error& e) {
        std::fprintf(stderr, "vmexit_roundtrip: riscv64 %s: %s\n", what, e.message.c_str());
        return false;
    }

    isa::PhysMem mem_;
    PhysCpu cpu_;
    std::optional<vcpu::VCpu<RiscvVCpu>> v_;
};

} // namespace

std::unique_ptr<Guest> make_riscv64_guest() {
    auto g = std::make_unique<RiscvGuest>();
    if (!g->start()) return nullptr;
    return g;
}

} // namespace hvemu::bench
