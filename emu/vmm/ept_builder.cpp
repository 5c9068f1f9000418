// Table geometry (SDM Vol. 3C 28.3.2): level 4 (PML4) .. 1 (PT), each
// resolving 9 bits above bit 12 + 9 * (level - 1); 1 GiB pages at level 3,
// 2 MiB pages at level 2 (bit 7); a table pointer carries R/W/X all set so
// that the leaves decide.
#include "emu/vmm/ept_builder.hpp"

#include <fmt/format.h>

namespace hvemu::emu::vmm {

namespace {
constexpr uint64_t kR = 1, kW = 2, kX = 4, kLarge = 1u << 7;
constexpr uint64_t kMemTypeWb = 6u << 3, kMemTypeUc = 0;
constexpr uint64_t kAddr = 0x000ffffffffff000ull;
constexpr uint64_t kPage = 4096;

unsigned shift_of(unsigned level) { return 12 + 9 * (level - 1); }
uint64_t level_size(unsigned level) { return uint64_t{1} << shift_of(level); }
unsigned index_of(uint64_t gpa, unsigned level) { return static_cast<unsigned>((gpa >> shift_of(level)) & 511); }
} // namespace

EptBuilder::EptBuilder(isa::PhysMem& mem, FrameAllocator& frames, unsigned pa_bits)
    : mem_(mem), frames_(frames), pa_bits_(pa_bits) {
    root_ = frames_.alloc();
    tables_ = 1;
}

uint64_t EptBuilder::read_entry(uint64_t table, unsigned idx) const {
    uint64_t e = 0;
    mem_.read_block(table + 8ull * idx, &e, 8);
    return e;
}

void EptBuilder::write_entry(uint64_t table, unsigned idx, uint64_t e) { mem_.write_block(table + 8ull * idx, &e, 8); }

void EptBuilder::map(uint64_t gpa, uint64_t hpa, uint64_t size, vcpu::MappingFlags flags) {
    namespace mf = vcpu::mapping;
    if ((gpa | hpa | size) & (kPage - 1))
        throw MappingError(fmt::format("EPT mapping GPA {:#x} -> HPA {:#x} size {:#x} is not 4 KiB aligned", gpa, hpa, size));
    if (size == 0) return;
    if (gpa + size < gpa || gpa + size > kGpaLimit)
        throw MappingError(fmt::format("guest range [{:#x}, {:#x}) lies beyond the 48-bit guest-physical space", gpa, gpa + size));
    if (hpa + size < hpa || ((hpa + size - 1) >> pa_bits_) != 0)
        throw MappingError(fmt::format("host address {:#x} is beyond the {}-bit physical address space", hpa + size - 1, pa_bits_));
    if (!(flags & (mf::READ | mf::WRITE | mf::EXECUTE)))
        throw MappingError(fmt::format("guest range at {:#x}: no access permission (flags {:#x})", gpa, flags));
    if ((flags & mf::WRITE) && !(flags & mf::READ))
        throw MappingError(fmt::format("guest range at {:#x}: EPT has no write-only pages", gpa));
    uint64_t leaf_bits = ((flags & (mf::DEVICE | mf::UNCACHED)) ? kMemTypeUc : kMemTypeWb);
    if (flags & mf::READ) leaf_bits |= kR;
    if (flags & mf::WRITE) leaf_bits |= kW;
    if (flags & mf::EXECUTE) leaf_bits |= kX;
    for (uint64_t off = 0; off < size;) {
        const uint64_t g = gpa + off, h = hpa + off, left = size - off;
        unsigned leaf_level = 1;
        for (unsigned l = 3; l > 1; --l)
            if (((g | h) & (level_size(l) - 1)) == 0 && left >= level_size(l)) {
                leaf_level = l;
                break;
            }
        uint64_t table = root_;
        for (unsigned l = 4; l > leaf_level; --l) {
            const unsigned i = index_of(g, l);
            uint64_t e = read_entry(table, i);
            if (!(e & 7)) {
                e = frames_.alloc() | kR | kW | kX;
                tables_++;
                write_entry(table, i, e);
            } else if (e & kLarge) {
                throw MappingError(fmt::format("guest address {:#x} is already mapped (by a {} KiB page)", g, level_size(l) >> 10));
            }
            table = e & kAddr;
        }
        const unsigned i = index_of(g, leaf_level);
        if (read_entry(table, i) & 7) throw MappingError(fmt::format("guest address {:#x} is already mapped", g));
        write_entry(table, i, h | leaf_bits | (leaf_level > 1 ? kLarge : 0));
        leaves_[leaf_level - 1]++;
        off += level_size(leaf_level);
    }
}

std::optional<EptBuilder::Leaf> EptBuilder::translate(uint64_t gpa) const {
    if (gpa >= kGpaLimit) return std::nullopt;
    uint64_t table = root_;
    for (unsigned l = 4; l >= 1; --l) {
        const uint64_t e = read_entry(table, index_of(gpa, l));
        if (!(e & 7)) return std::nullopt;
        if (l == 1 || (e & kLarge)) {
            const uint64_t sz = level_size(l);
            return Leaf{((e & kAddr) & ~(sz - 1)) | (gpa & (sz - 1)), e, sz};
        }
        table = e & kAddr;
    }
    return std::nullopt;
}

} // namespace hvemu::emu::vmm
