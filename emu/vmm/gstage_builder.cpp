// Table geometry (privileged spec, "Two-Stage Address Translation"): the
// root is 2^2 times larger than a normal table, so its index takes two
// extra guest-physical address bits; every other level indexes 9 bits.
#include "emu/vmm/gstage_builder.hpp"

#include <fmt/format.h>

#include "isa/riscv/encoding.hpp"

namespace hvemu::emu::vmm {

namespace {
namespace pte = rv::pte;
constexpr uint64_t kPage = 4096;
constexpr unsigned kRootFrames = 4;   // 16 KiB
constexpr uint64_t kRootAlign = kRootFrames * kPage;

uint64_t level_size(unsigned level) { return kPage << (9 * level); }
bool is_leaf(uint64_t e) { return e & (pte::R | pte::W | pte::X); }
uint64_t pte_addr(uint64_t e) { return ((e & pte::PPN_MASK) >> pte::PPN_SHIFT) << 12; }
} // namespace

const char* to_string(GStageMode m) { return m == GStageMode::Sv39x4 ? "Sv39x4" : "Sv48x4"; }

GStageBuilder::GStageBuilder(isa::PhysMem& mem, FrameAllocator& frames, GStageMode mode)
    : mem_(mem), frames_(frames), mode_(mode) {
    root_ = frames_.alloc(kRootFrames, kRootAlign);
    tables_ = kRootFrames;
}

uint64_t GStageBuilder::gpa_limit() const { return uint64_t{1} << (12 + 9 * levels() + 2); }

unsigned GStageBuilder::index(uint64_t gpa, unsigned level) const {
    const unsigned bits = level == levels() - 1 ? 11 : 9;
    return static_cast<unsigned>((gpa >> (12 + 9 * level)) & ((1u << bits) - 1));
}

uint64_t GStageBuilder::read_pte(uint64_t table, unsigned idx) const {
    uint64_t v = 0;
    mem_.read_block(table + 8ull * idx, &v, 8);
    return v;
}

void GStageBuilder::write_pte(uint64_t table, unsigned idx, uint64_t e) { mem_.write_block(table + 8ull * idx, &e, 8); }

void GStageBuilder::map(uint64_t gpa, uint64_t hpa, uint64_t size, vcpu::MappingFlags flags) {
    namespace mf = vcpu::mapping;
    if ((gpa | hpa | size) & (kPage - 1))
        throw MappingError(fmt::format("G-stage mapping GPA {:#x} -> HPA {:#x} size {:#x} is not 4 KiB aligned", gpa,
                                       hpa, size));
    if (size == 0) return;
    if (gpa + size < gpa || gpa + size > gpa_limit())
        throw MappingError(fmt::format("guest range [{:#x}, {:#x}) lies beyond {} ({:#x})", gpa, gpa + size,
                                       to_string(mode_), gpa_limit()));
    if ((hpa + size - 1) >> 12 > rv::atp::PPN_MASK)
        throw MappingError(fmt::format("host address {:#x} is beyond the 56-bit physical address space", hpa));
    if (!(flags & (mf::READ | mf::WRITE | mf::EXECUTE)))
        throw MappingError(fmt::format("guest range at {:#x}: no access permission (flags {:#x})", gpa, flags));
    if ((flags & mf::WRITE) && !(flags & mf::READ))
        throw MappingError(fmt::format("guest range at {:#x}: write without read is reserved in RISC-V page tables", gpa));
    uint64_t leaf_bits = pte::V | pte::U | pte::A | pte::D;
    if (flags & mf::READ) leaf_bits |= pte::R;
    if (flags & mf::WRITE) leaf_bits |= pte::W;
    if (flags & mf::EXECUTE) leaf_bits |= pte::X;

    for (uint64_t off = 0; off < size;) {
        const uint64_t g = gpa + off, h = hpa + off, left = size - off;
        // The largest leaf that fits the alignment of both addresses and the
        // remaining size (1 GiB at most: larger leaves buy nothing here).
        unsigned leaf_level = 0;
        for (unsigned l = 2; l > 0; l--)
            if (((g | h) & (level_size(l) - 1)) == 0 && left >= level_size(l)) {
                leaf_level = l;
                break;
            }
        uint64_t table = root_;
        for (unsigned l = levels() - 1; l > leaf_level; l--) {
            const unsigned i = index(g, l);
            uint64_t e = read_pte(table, i);
            if (!(e & pte::V)) {
                const uint64_t next = frames_.alloc();
                tables_++;
                e = ((next >> 12) << pte::PPN_SHIFT) | pte::V;
                write_pte(table, i, e);
            } else if (is_leaf(e)) {
                throw MappingError(fmt::format("guest address {:#x} is already mapped (by a {} KiB page)", g,
                                               level_size(l) >> 10));
            }
            table = pte_addr(e);
        }
        const unsigned i = index(g, leaf_level);
        if (read_pte(table, i) & pte::V)
            throw MappingError(fmt::format("guest address {:#x} is already mapped", g));
        write_pte(table, i, ((h >> 12) << pte::PPN_SHIFT) | leaf_bits);
        leaves_[leaf_level]++;
        off += level_size(leaf_level);
    }
}

std::optional<GStageBuilder::Leaf> GStageBuilder::translate(uint64_t gpa) const {
    if (gpa >= gpa_limit()) return std::nullopt;
    uint64_t table = root_;
    for (unsigned l = levels(); l-- > 0;) {
        const uint64_t e = read_pte(table, index(gpa, l));
        if (!(e & pte::V)) return std::nullopt;
        if (is_leaf(e)) {
            const uint64_t sz = level_size(l);
            return Leaf{pte_addr(e) + (gpa & (sz - 1)), e, sz, l};
        }
        table = pte_addr(e);
    }
    return std::nullopt;
}

} // namespace hvemu::emu::vmm
