// VMSAv8-64 translation tables built in test RAM: 4 KiB granule, tables
// allocated from a pool as they are needed. Shared by the Arm MMU, TLBI
// and debugger tests.
#pragma once
#include <cstdint>
#include <vector>

#include "isa/common/phys_mem.hpp"

namespace hvemu::arm::test {

struct Arm64Tables {
    static constexpr uint64_t kValid = 1, kTableOrPage = 2;

    isa::PhysMem& mem;
    uint64_t next;               // where the next table goes
    // When the tables are addressed by IPA (stage 1 under stage 2):
    // PA = IPA + table_offset for every table allocated here.
    uint64_t table_offset = 0;

    // `pages` zeroed pages aligned to their size (concatenated stage 2 roots).
    uint64_t alloc(unsigned pages = 1) {
        const uint64_t align = 0x1000ull * pages;
        next = (next + align - 1) & ~(align - 1);
        const uint64_t a = next;
        next += align;
        const std::vector<uint8_t> zero(align, 0);
        mem.write_block(a, zero.data(), zero.size());
        return a;
    }
    uint64_t rd(uint64_t pa) {
        uint64_t d = 0;
        mem.read_block(pa, &d, 8);
        return d;
    }
    void wr(uint64_t pa, uint64_t d) { mem.write_block(pa, &d, 8); }

    // The descriptor slot (a PA) for `addr` at `level`, creating tables down
    // to it; root is a PA. in_bits: the regime's input size (the start level
    // indexes what is left of it).
    uint64_t slot(uint64_t root, int start, unsigned in_bits, uint64_t addr, int level) {
        uint64_t table = root;
        for (int l = start;; ++l) {
            const unsigned shift = 12 + 9 * (3 - l);
            const unsigned bits = l == start ? in_bits - shift : 9;
            const uint64_t s = table + ((addr >> shift) & ((1ull << bits) - 1)) * 8;
            if (l == level) return s;
            uint64_t d = rd(s);
            if (!(d & kValid)) {
                d = (alloc() - table_offset) | kValid | kTableOrPage;   // the descriptor holds the IPA
                wr(s, d);
            }
            table = (d & 0x0000fffffffff000ull) + table_offset;
        }
    }
    // addr -> out at `level` (3: a page, 1 or 2: a block).
    void map(uint64_t root, int start, unsigned in_bits, uint64_t addr, uint64_t out, uint64_t attrs, int level = 3) {
        wr(slot(root, start, in_bits, addr, level), out | attrs | kValid | (level == 3 ? kTableOrPage : 0));
    }
    // 2 MiB blocks mapping [base, base + size) to itself.
    void identity(uint64_t root, int start, unsigned in_bits, uint64_t base, uint64_t size, uint64_t attrs) {
        for (uint64_t a = base; a < base + size; a += 2ull << 20) map(root, start, in_bits, a, a, attrs, 2);
    }
};

} // namespace hvemu::arm::test
