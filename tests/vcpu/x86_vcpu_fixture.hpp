// Test fixture for the x86 vCPU: host RAM for the hypervisor's frames and
// for guest RAM (GPA 0 - 1 MiB, with a device hole at kMmio that the EPT
// leaves unmapped), physical CPUs with VMX enabled, and vCPUs that start in
// real mode at kEntry (CS = 0x100, IP = 0) running hand-assembled 16-bit
// code.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "emu/vmm/ept_builder.hpp"
#include "emu/vmm/frame_allocator.hpp"
#include "isa/common/phys_mem.hpp"
#include "vcpu/x86/x86_vcpu.hpp"

namespace hvemu::vcpu::x86::test {

constexpr uint64_t kHyp = 0x2'0000'0000, kHypSize = 16ull << 20;
constexpr uint64_t kGuestHpa = 0x1'0000'0000;
constexpr uint64_t kGuestRamSize = 1ull << 20;
constexpr uint64_t kMmio = 0x10000;               // one unmapped page: accesses exit
constexpr uint64_t kEntry = 0x1000;               // CS 0x100, IP 0
constexpr uint64_t kStack = 0x8000;

struct X86Fixture {
    isa::PhysMem mem;
    std::unique_ptr<emu::vmm::FrameAllocator> ept_frames;
    std::unique_ptr<HostFrames> frames;
    std::unique_ptr<emu::vmm::EptBuilder> ept;
    std::vector<std::unique_ptr<PhysCpu>> cpus;

    explicit X86Fixture(unsigned ncpus = 1) {
        mem.add_ram(kHyp, kHypSize, "hyp");
        mem.add_ram(kGuestHpa, kGuestRamSize, "guest");
        ept_frames = std::make_unique<emu::vmm::FrameAllocator>(mem, kHyp, kHypSize / 2);
        frames = std::make_unique<HostFrames>(mem, kHyp + kHypSize / 2, kHypSize / 2);
        ept = std::make_unique<emu::vmm::EptBuilder>(mem, *ept_frames, 39);
        namespace mf = vcpu::mapping;
        const MappingFlags rwx = mf::READ | mf::WRITE | mf::EXECUTE;
        ept->map(0, kGuestHpa, kMmio, rwx);
        ept->map(kMmio + 0x1000, kGuestHpa + kMmio + 0x1000, kGuestRamSize - kMmio - 0x1000, rwx);
        for (unsigned i = 0; i < ncpus; ++i) {
            cpus.push_back(std::make_unique<PhysCpu>(mem, *frames, i));
            REQUIRE(cpus.back()->enabled());
        }
        cpus[0]->make_current();
    }
    ~X86Fixture() { PhysCpu::clear_current(); }

    PhysCpu& cpu(unsigned i = 0) { return *cpus[i]; }

    void put(uint64_t gpa, std::initializer_list<uint8_t> bytes) {
        for (uint8_t b : bytes) mem.write_block(kGuestHpa + gpa++, &b, 1);
    }
    void put16(uint64_t gpa, uint16_t v) { mem.write_block(kGuestHpa + gpa, &v, 2); }
    uint8_t get8(uint64_t gpa) const {
        uint8_t b = 0;
        mem.read_block(kGuestHpa + gpa, &b, 1);
        return b;
    }

    // A set-up vCPU (not bound) entering at `entry`.
    X86VCpu vcpu(uint64_t id = 0, uint64_t entry = kEntry) {
        auto r = X86VCpu::create(1, id, CreateConfig{frames.get(), static_cast<uint32_t>(id)});
        REQUIRE(r.ok());
        X86VCpu v = std::move(r.value());
        REQUIRE(v.set_entry(entry).ok());
        REQUIRE(v.set_ept_root(ept->root()).ok());
        REQUIRE(v.setup({}).ok());
        return v;
    }
    // Bound on CPU 0 with a stack.
    X86VCpu bound(uint64_t entry = kEntry) {
        X86VCpu v = vcpu(0, entry);
        REQUIRE(v.bind().ok());
        v.set_gpr(4, kStack);
        return v;
    }
};

// 16-bit code (real mode) used by the tests.
namespace r16 {
constexpr std::initializer_list<uint8_t> kVmcall = {0x0f, 0x01, 0xc1};
constexpr std::initializer_list<uint8_t> kHlt = {0xf4};
constexpr std::initializer_list<uint8_t> kSelf = {0xeb, 0xfe};   // jmp $
} // namespace r16

template <class T> const T& as(const Result<ExitReason>& r) {
    REQUIRE(r.ok());
    REQUIRE(std::holds_alternative<T>(r.value()));
    return std::get<T>(r.value());
}

} // namespace hvemu::vcpu::x86::test
