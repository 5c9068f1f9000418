// The x86 guest of the round trip benchmark: real-mode code (unrestricted
// guest) that loops on a VMCALL with the hypercall number in AX, which the
// vCPU turns into exit::Hypercall; a 4-level EPT with one 2 MiB page.
#include <optional>

#include "bench/vmexit_roundtrip.hpp"
#include "isa/common/phys_mem.hpp"
#include "vcpu/x86/x86_vcpu.hpp"

namespace hvemu::bench {
namespace {

using vcpu::x86::HostFrames;
using vcpu::x86::PhysCpu;
using vcpu::x86::X86VCpu;

constexpr uint64_t kHyp = 0x2'0000'0000, kHypSize = 4ull << 20;   // VMX data and the EPT
constexpr uint64_t kGuestHpa = 0x1'0000'0000;                     // guest RAM in host memory (2 MiB aligned)
constexpr uint64_t kGuestRamSize = 2ull << 20;                    // GPA 0 - 2 MiB
constexpr uint64_t kEntry = 0x1000;                               // CS 0x100, IP 0

// EPT entries: read, write, execute; a 2 MiB leaf adds memory type WB and the page-size bit.
constexpr uint64_t kRwx = 7, kLeaf2M = kRwx | 6u << 3 | 1u << 7;
// mov ax, nr; vmcall; jmp back (rel8 -8 from the end of the jmp)
constexpr uint8_t kCode[] = {0xb8, kHypercallNr, 0x00, 0x0f, 0x01, 0xc1, 0xeb, 0xf8};

void write64(isa::PhysMem& mem, uint64_t at, uint64_t v) { mem.write_block(at, &v, 8); }

class X86Guest final : public Guest {
public:
    X86Guest() : frames_(make_mem(mem_), kHyp, kHypSize), cpu_(mem_, frames_, 0) { cpu_.make_current(); }
    ~X86Guest() override {
        if (v_) (void)v_->unbind();
        PhysCpu::clear_current();
    }

    bool start() {
        if (!cpu_.enabled()) {
            std::fprintf(stderr, "vmexit_roundtrip: x86_64 physical CPU: %s\n", cpu_.error());
            return false;
        }
        // GPA [0, 2 MiB) -> kGuestHpa: PML4 [0] -> PDPT [0] -> PD [0] 2 MiB page.
        const uint64_t pml4 = frames_.alloc(), pdpt = frames_.alloc(), pd = frames_.alloc();
        write64(mem_, pml4, pdpt | kRwx);
        write64(mem_, pdpt, pd | kRwx);
        write64(mem_, pd, kGuestHpa | kLeaf2M);
        mem_.write_block(kGuestHpa + kEntry, kCode, sizeof kCode);

        auto created = vcpu::VCpu<X86VCpu>::create(1, 0, vcpu::x86::CreateConfig{&frames_, 0});
        if (!created) return fail("create", created.error());
        v_.emplace(std::move(created.value()));
        if (auto r = v_->setup(kEntry, pml4, {}); !r) return fail("setup", r.error());
        if (auto r = v_->bind(); !r) return fail("bind", r.error());
        return true;
    }
    bool round_trips(uint64_t n) override { return hypercall_loop(*v_, n); }

private:
    static isa::PhysMem& make_mem(isa::PhysMem& mem) {
        mem.add_ram(kHyp, kHypSize, "hyp");
        mem.add_ram(kGuestHpa, kGuestRamSize, "guest");
        return mem;
    }
    static bool fail(const char* what, const vcpu::Error& e) {
        std::fprintf(stderr, "vmexit_roundtrip: x86_64 %s: %s\n", what, e.message.c_str());
        return false;
    }

    isa::PhysMem mem_;
    HostFrames frames_;
    PhysCpu cpu_;
    std::optional<vcpu::VCpu<X86VCpu>> v_;
};

} // namespace

std::unique_ptr<Guest> make_x86_64_guest() {
    auto g = std::make_unique<X86Guest>();
    if (!g->start()) return nullptr;
    return g;
}

} // namespace hvemu::bench
