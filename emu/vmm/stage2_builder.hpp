// The stage-2 (IPA to PA) translation table of an Arm VM, written into host
// memory in the VMSAv8-64 format exactly as a hypervisor writes it: 4 KiB
// granule, the start level and IPA size the vCPU programs into VTCR_EL2
// (ArmVCpu::start_level_for / ipa_bits_for), concatenated root tables when
// the start level resolves more than 9 bits, 4 KiB pages and 2 MiB / 1 GiB
// blocks chosen by alignment. Leaves are Normal write-back (or Device-nGnRE
// for DEVICE regions), inner shareable, AF set, S2AP from READ/WRITE and
// XN without EXECUTE. What is not mapped faults to EL2: device ranges are
// left out so that accesses to them exit.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "emu/vmm/frame_allocator.hpp"
#include "emu/vmm/gstage_builder.hpp"   // MappingError
#include "isa/common/phys_mem.hpp"
#include "vcpu/exit_reason.hpp"

namespace hvemu::emu::vmm {

class Stage2Builder {
public:
    // ipa_bits 25..48, start_level 0..2, as a valid VTCR_EL2 pairs them
    // (the root resolves 1 to 13 bits: at most 16 concatenated tables).
    // Throws MappingError for a pairing the format does not allow.
    Stage2Builder(isa::PhysMem& mem, FrameAllocator& frames, unsigned ipa_bits, unsigned start_level,
                  unsigned pa_bits = 48);

    unsigned ipa_bits() const { return ipa_bits_; }
    unsigned start_level() const { return start_level_; }
    uint64_t root() const { return root_; }             // for VTTBR_EL2.BADDR
    unsigned root_tables() const { return root_tables_; }   // concatenated tables at the start level
    uint64_t ipa_limit() const { return uint64_t{1} << ipa_bits_; }

    // Map [ipa, ipa+size) to [pa, pa+size) with vcpu::mapping flags (READ,
    // WRITE, EXECUTE, DEVICE). All 4 KiB aligned. Throws MappingError.
    void map(uint64_t ipa, uint64_t pa, uint64_t size, vcpu::MappingFlags flags);

    struct Leaf {
        uint64_t pa = 0;         // the translation of the address asked for
        uint64_t desc = 0;
        uint64_t block_size = 0;
        unsigned level = 3;      // 3: page, 2: 2 MiB block, 1: 1 GiB block
    };
    std::optional<Leaf> translate(uint64_t ipa) const;

    // Leaves written so far by level (index 1: 1 GiB, 2: 2 MiB, 3: 4 KiB).
    const std::array<uint64_t, 4>& leaves() const { return leaves_; }
    uint64_t table_frames() const { return tables_; }

private:
    unsigned index(uint64_t ipa, unsigned level) const;
    uint64_t read_desc(uint64_t table, unsigned idx) const;
    void write_desc(uint64_t table, unsigned idx, uint64_t d);

    isa::PhysMem& mem_;
    FrameAllocator& frames_;
    unsigned ipa_bits_, start_level_, pa_bits_;
    unsigned root_tables_ = 1;
    uint64_t root_ = 0;
    std::array<uint64_t, 4> leaves_{};
    uint64_t tables_ = 0;
};

} // namespace hvemu::emu::vmm
