// Table geometry (Arm ARM D8, 4 KiB granule): level l resolves IPA bits
// [12 + 9*(3-l) + 8 : 12 + 9*(3-l)]; the start level resolves whatever is
// left above, up to 4 extra bits through concatenated tables (the root is
// then 2^n tables, aligned to its size).
#include "emu/vmm/stage2_builder.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "isa/arm64/vmsa.hpp"

namespace hvemu::emu::vmm {

namespace {
namespace v = arm::vmsa;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kMemAttrNormalWb = 0xf, kMemAttrDeviceNgnre = 0x1;   // stage 2 MemAttr[3:0]
constexpr uint64_t kShInner = 3;

unsigned shift_of(unsigned level) { return 12 + 9 * (3 - level); }
uint64_t level_size(unsigned level) { return uint64_t{1} << shift_of(level); }
} // namespace

Stage2Builder::Stage2Builder(isa::PhysMem& mem, FrameAllocator& frames, unsigned ipa_bits, unsigned start_level,
                             unsigned pa_bits)
    : mem_(mem), frames_(frames), ipa_bits_(ipa_bits), start_level_(start_level), pa_bits_(pa_bits) {
    if (start_level > 2 || ipa_bits > 48 || ipa_bits <= shift_of(start_level))
        throw MappingError(fmt::format("stage 2: a {}-bit IPA cannot start at level {}", ipa_bits, start_level));
    const unsigned root_bits = ipa_bits - shift_of(start_level);
    if (root_bits > 13)
        throw MappingError(fmt::format("stage 2: a {}-bit IPA needs {} root tables at level {} (at most 16)", ipa_bits,
                                       1u << (root_bits - 9), start_level));
    root_tables_ = root_bits > 9 ? 1u << (root_bits - 9) : 1;
    root_ = frames_.alloc(root_tables_, root_tables_ * kPage);
    tables_ = root_tables_;
}

unsigned Stage2Builder::index(uint64_t ipa, unsigned level) const {
    const unsigned bits = level == start_level_ ? ipa_bits_ - shift_of(level) : 9;
    return static_cast<unsigned>((ipa >> shift_of(level)) & ((uint64_t{1} << bits) - 1));
}

uint64_t Stage2Builder::read_desc(uint64_t table, unsigned idx) const {
    uint64_t d = 0;
    mem_.read_block(table + 8ull * idx, &d, 8);
    return d;
}

void Stage2Builder::write_desc(uint64_t table, unsigned idx, uint64_t d) { mem_.write_block(table + 8ull * idx, &d, 8); }

void Stage2Builder::map(uint64_t ipa, uint64_t pa, uint64_t size, vcpu::MappingFlags flags) {
    namespace mf = vcpu::mapping;
    if ((ipa | pa | size) & (kPage - 1))
        throw MappingError(fmt::format("stage-2 mapping IPA {:#x} -> PA {:#x} size {:#x} is not 4 KiB aligned", ipa,
                                       pa, size));
    if (size == 0) return;
    if (ipa + size < ipa || ipa + size > ipa_limit())
        throw MappingError(fmt::format("guest range [{:#x}, {:#x}) lies beyond the {}-bit IPA space", ipa, ipa + size,
                                       ipa_bits_));
    if (pa + size < pa || (pa_bits_ < 64 && ((pa + size - 1) >> pa_bits_) != 0))
        throw MappingError(fmt::format("host address {:#x} is beyond the {}-bit physical address space", pa + size - 1,
                                       pa_bits_));
    if (!(flags & (mf::READ | mf::WRITE | mf::EXECUTE)))
        throw MappingError(fmt::format("guest range at {:#x}: no access permission (flags {:#x})", ipa, flags));
    const uint64_t attr = (flags & mf::DEVICE) ? kMemAttrDeviceNgnre : kMemAttrNormalWb;
    uint64_t leaf_bits = v::kDescValid | attr << v::kAttrIndxShift | kShInner << v::kShShift | v::kAf;
    if (flags & mf::READ) leaf_bits |= v::kS2apRead;
    if (flags & mf::WRITE) leaf_bits |= v::kS2apWrite;
    if (!(flags & mf::EXECUTE)) leaf_bits |= v::kUxn;

    for (uint64_t off = 0; off < size;) {
        const uint64_t g = ipa + off, h = pa + off, left = size - off;
        // The largest leaf the alignment of both addresses and the size
        // allow: blocks exist at levels 1 and 2 only, and never above the
        // start level.
        unsigned leaf_level = 3;
        for (unsigned l = std::max(start_level_, 1u); l < 3; l++)
            if (((g | h) & (level_size(l) - 1)) == 0 && left >= level_size(l)) {
                leaf_level = l;
                break;
            }
        uint64_t table = root_;
        for (unsigned l = start_level_; l < leaf_level; l++) {
            const unsigned i = index(g, l);
            uint64_t d = read_desc(table, i);
            if (!(d & v::kDescValid)) {
                const uint64_t next = frames_.alloc();
                tables_++;
                d = next | v::kDescValid | v::kDescTable;
                write_desc(table, i, d);
            } else if (!(d & v::kDescTable)) {
                throw MappingError(fmt::format("guest address {:#x} is already mapped (by a {} KiB block)", g,
                                               level_size(l) >> 10));
            }
            table = d & v::kDescAddr;
        }
        const unsigned i = index(g, leaf_level);
        if (read_desc(table, i) & v::kDescValid)
            throw MappingError(fmt::format("guest address {:#x} is already mapped", g));
        write_desc(table, i, h | leaf_bits | (leaf_level == 3 ? v::kDescTable : 0));
        leaves_[leaf_level]++;
        off += level_size(leaf_level);
    }
}

std::optional<Stage2Builder::Leaf> Stage2Builder::translate(uint64_t ipa) const {
    if (ipa >= ipa_limit()) return std::nullopt;
    uint64_t table = root_;
    for (unsigned l = start_level_; l <= 3; l++) {
        const uint64_t d = read_desc(table, index(ipa, l));
        if (!(d & v::kDescValid)) return std::nullopt;
        const bool table_desc = (d & v::kDescTable) && l < 3;
        if (!table_desc) {
            if (l == 0) return std::nullopt;   // level-0 blocks do not exist (4 KiB granule)
            const uint64_t sz = level_size(l);
            return Leaf{(d & v::kDescAddr & ~(sz - 1)) + (ipa & (sz - 1)), d, sz, l};
        }
        table = d & v::kDescAddr;
    }
    return std::nullopt;
}

} // namespace hvemu::emu::vmm
