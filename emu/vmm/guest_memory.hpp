// A VM's RAM as the VMM sees it: guest-physical regions, each backed by a
// host RAM region of the emulated host's PhysMem at a host-physical address
// the VMM chose. Loaders and SBI/hypercall services translate guest
// addresses here, as a hypervisor walks its own address-space map.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/common/phys_mem.hpp"
#include "vcpu/exit_reason.hpp"

namespace hvemu::emu::vmm {

struct GuestRegion {
    uint64_t gpa = 0;
    uint64_t size = 0;
    uint64_t hpa = 0;
    vcpu::MappingFlags flags = 0;
    std::string name;
};

// Where a VM's RAM regions go in host memory: allocated regions one after
// another from `alloc_base`, each at the next 1 GiB boundary plus the
// region's offset within 1 GiB, so that 2 MiB and 1 GiB leaves line up with
// the guest's; identity-mapped regions at HPA == GPA.
class HostPlacement {
public:
    explicit HostPlacement(uint64_t alloc_base) : next_(alloc_base) {}
    uint64_t place(uint64_t gpa, uint64_t size, bool allocate) {
        if (!allocate) return gpa;
        const uint64_t hpa = next_ + (gpa & (kGiB - 1));
        next_ = (hpa + size + kGiB - 1) & ~(kGiB - 1);
        return hpa;
    }

private:
    static constexpr uint64_t kGiB = uint64_t{1} << 30;
    uint64_t next_;
};

class GuestMemory {
public:
    explicit GuestMemory(isa::PhysMem& host) : host_(host) {}

    // Adds the host RAM at `hpa` and records the region. Regions must be
    // 4 KiB aligned and must not overlap (throws std::invalid_argument).
    const GuestRegion& add(const GuestRegion& r);

    const std::vector<GuestRegion>& regions() const { return regions_; }
    const GuestRegion* find(uint64_t gpa) const;

    // The host address of [gpa, gpa+len) when one region holds all of it.
    std::optional<uint64_t> to_host(uint64_t gpa, uint64_t len = 1) const;
    // Guest-physical copies; false when any byte lies outside guest RAM.
    bool read(uint64_t gpa, void* dst, uint64_t len) const;
    bool write(uint64_t gpa, const void* src, uint64_t len);

    // Lowest and one-past-highest guest RAM address.
    uint64_t lowest() const;
    uint64_t highest() const;

    isa::PhysMem& host() { return host_; }

private:
    isa::PhysMem& host_;
    std::vector<GuestRegion> regions_;
};

} // namespace hvemu::emu::vmm
