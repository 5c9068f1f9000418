// The G-stage (guest-physical to host-physical) page table of a VM, written
// into host memory in the RISC-V format exactly as a hypervisor writes it:
// Sv39x4 or Sv48x4, a 16 KiB root, 4 KiB / 2 MiB / 1 GiB leaves chosen by
// alignment. Leaves carry V, U, A, D and the region's R/W/X (G-stage
// accesses count as U-mode; the hart implements Svade, so A and D must be
// preset). What is not mapped faults to the hypervisor: device ranges are
// left out so that accesses to them exit.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "emu/vmm/frame_allocator.hpp"
#include "isa/common/phys_mem.hpp"
#include "vcpu/exit_reason.hpp"

namespace hvemu::emu::vmm {

enum class GStageMode : uint8_t { Sv39x4 = 8, Sv48x4 = 9 };   // the hgatp MODE values
const char* to_string(GStageMode m);

// A mapping request the table cannot take (misaligned, out of range,
// overlapping, or permissions the format reserves).
class MappingError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class GStageBuilder {
public:
    GStageBuilder(isa::PhysMem& mem, FrameAllocator& frames, GStageMode mode);

    GStageMode mode() const { return mode_; }
    uint64_t hgatp_mode() const { return static_cast<uint64_t>(mode_); }
    uint64_t root() const { return root_; }
    // One past the highest guest-physical address the mode translates
    // (2^41 for Sv39x4, 2^50 for Sv48x4).
    uint64_t gpa_limit() const;

    // Map [gpa, gpa+size) to [hpa, hpa+size) with vcpu::mapping flags
    // (READ, WRITE, EXECUTE; USER, DEVICE and UNCACHED have no G-stage
    // bit). All three values must be 4 KiB aligned. Throws MappingError.
    void map(uint64_t gpa, uint64_t hpa, uint64_t size, vcpu::MappingFlags flags);

    // A software walk of the table (tests, loaders, debuggers).
    struct Leaf {
        uint64_t hpa = 0;        // the translation of the address asked for
        uint64_t pte = 0;
        uint64_t page_size = 0;  // 4 KiB, 2 MiB, 1 GiB (or 512 GiB)
        unsigned level = 0;      // 0 = 4 KiB leaf
    };
    std::optional<Leaf> translate(uint64_t gpa) const;

    // Leaves written so far, by level (0: 4 KiB, 1: 2 MiB, 2: 1 GiB, 3: 512 GiB).
    const std::array<uint64_t, 4>& leaves() const { return leaves_; }
    uint64_t table_frames() const { return tables_; }

private:
    unsigned levels() const { return mode_ == GStageMode::Sv39x4 ? 3 : 4; }
    unsigned index(uint64_t gpa, unsigned level) const;
    uint64_t read_pte(uint64_t table, unsigned idx) const;
    void write_pte(uint64_t table, unsigned idx, uint64_t pte);

    isa::PhysMem& mem_;
    FrameAllocator& frames_;
    GStageMode mode_;
    uint64_t root_ = 0;
    std::array<uint64_t, 4> leaves_{};
    uint64_t tables_ = 0;
};

} // namespace hvemu::emu::vmm
