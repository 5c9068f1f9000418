// The hypervisor's software view of a guest's memory while it is stopped at
// a VM exit: guest-physical -> host-physical through the EPT it built, and
// guest-linear -> guest-physical through the guest's own paging (no paging,
// 32-bit, PAE with the VMCS PDPTEs, 4-level), every paging-structure read
// itself translated through the EPT, as a hypervisor reads a guest's
// instruction or string operand.
#pragma once
#include <cstdint>
#include <optional>

#include "isa/common/phys_mem.hpp"

namespace hvemu::vcpu::x86 {

struct GuestPaging {
    uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
    uint64_t pdpte[4] = {};   // PAE paging: the VMCS's GUEST_PDPTEn
};

class GuestAccess {
public:
    GuestAccess(const isa::PhysMem& mem, uint64_t eptp, const GuestPaging& paging) : mem_(mem), eptp_(eptp), pg_(paging) {}

    // EPT walk (4 levels, 1 GiB / 2 MiB leaves); nullopt: not mapped or
    // without the permission (write) asked for.
    std::optional<uint64_t> gpa_to_hpa(uint64_t gpa, bool write = false) const;
    // The guest's translation of `linear`; nullopt: not present (or not
    // writable for `write`), or a paging structure outside guest RAM.
    std::optional<uint64_t> linear_to_gpa(uint64_t linear, bool write = false) const;
    // Copies by guest-linear address (page by page); false on a fault.
    bool read_linear(uint64_t linear, void* dst, unsigned len) const;
    bool write_linear(uint64_t linear, const void* src, unsigned len, isa::PhysMem& wmem) const;
    bool read_gpa(uint64_t gpa, void* dst, unsigned len) const;

private:
    bool read_table(uint64_t gpa, uint64_t& e, unsigned size = 8) const;
    const isa::PhysMem& mem_;
    uint64_t eptp_;
    GuestPaging pg_;
};

} // namespace hvemu::vcpu::x86
