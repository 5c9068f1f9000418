// The EPT (guest-physical to host-physical) of an x86 VM, written into host
// memory in the Intel format exactly as a hypervisor writes it: a 4-level
// table (PML4, PDPT, PD, PT), 4 KiB pages and 2 MiB / 1 GiB pages chosen by
// alignment, leaves with R/W/X from the region's flags and memory type
// write-back (uncached for DEVICE | UNCACHED regions), "ignore PAT" clear.
// What is not mapped is an EPT violation: device ranges are left out so
// that accesses to them exit.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "emu/vmm/frame_allocator.hpp"
#include "emu/vmm/gstage_builder.hpp"   // MappingError
#include "isa/common/phys_mem.hpp"
#include "vcpu/exit_reason.hpp"

namespace hvemu::emu::vmm {

class EptBuilder {
public:
    static constexpr uint64_t kGpaLimit = uint64_t{1} << 48;

    // `pa_bits`: the host's physical-address width (leaf addresses must fit).
    EptBuilder(isa::PhysMem& mem, FrameAllocator& frames, unsigned pa_bits = 39);

    uint64_t root() const { return root_; }   // the PML4 (EPTP bits 51:12)

    // Map [gpa, gpa+size) to [hpa, hpa+size) with vcpu::mapping flags. All
    // 4 KiB aligned; throws MappingError (overlap, range, no permission).
    void map(uint64_t gpa, uint64_t hpa, uint64_t size, vcpu::MappingFlags flags);

    struct Leaf {
        uint64_t hpa = 0;
        uint64_t entry = 0;
        uint64_t page_size = 0;   // 4 KiB, 2 MiB, 1 GiB
    };
    std::optional<Leaf> translate(uint64_t gpa) const;

    // Leaves written by size (index 0: 4 KiB, 1: 2 MiB, 2: 1 GiB).
    const std::array<uint64_t, 3>& leaves() const { return leaves_; }
    uint64_t table_frames() const { return tables_; }

private:
    uint64_t read_entry(uint64_t table, unsigned idx) const;
    void write_entry(uint64_t table, unsigned idx, uint64_t e);

    isa::PhysMem& mem_;
    FrameAllocator& frames_;
    unsigned pa_bits_;
    uint64_t root_ = 0;
    std::array<uint64_t, 3> leaves_{};
    uint64_t tables_ = 0;
};

} // namespace hvemu::emu::vmm
