// A core for the x87 instruction tests: 64-bit mode, flat segments, the
// first 1 GiB identity-mapped with 2 MiB pages, CR0.NE set, and a HLT
// handler for each of the 32 exception vectors (kHandler + 16 * vector).
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <memory>
#include <vector>

#include "isa/common/phys_mem.hpp"
#include "isa/x86/core.hpp"
#include "isa/x86/x87_float.hpp"

namespace hvemu::x86::test {

using x87::F80;

inline constexpr uint64_t kCode = 0x1000, kData = 0x8000, kStack = 0x7000, kIdt = 0x20000;
inline constexpr uint64_t kHandler = 0x3000;   // every vector's handler: HLT at kHandler + 16 * vector

struct X87Machine {
    hvemu::isa::PhysMem mem;
    std::unique_ptr<Core> core;
    X87Machine() {
        mem.add_ram(0, 0x400000);
        core = std::make_unique<Core>(mem, CoreConfig{});
        Core& c = *core;
        for (auto& s : c.seg) s = Segment{0x10, 0, 0xffffffff, 0x0093};
        c.seg[CS] = Segment{0x08, 0, 0xffffffff, 0x209b};
        c.cr0 = 0x80000011 | (1u << 5);   // PE, ET, NE, PG
        c.cr4 = (1u << 9) | (1u << 5);    // OSFXSR, PAE
        mem.write(0x10000, 8, 0x11000 | 3);
        mem.write(0x11000, 8, 0x12000 | 3);
        for (uint64_t k = 0; k < 512; ++k) mem.write(0x12000 + 8 * k, 8, (k << 21) | 0x83);
        c.cr3 = 0x10000;
        c.efer = (1u << 8) | (1u << 10);
        c.gdtr = DescTable{0x30000, 0x17};
        mem.write(0x30008, 8, 0x00209a0000000000ull);
        mem.write(0x30010, 8, 0x00cf92000000ffffull);
        c.idtr = DescTable{kIdt, 0xfff};
        for (uint64_t v = 0; v < 32; ++v) {
            const uint64_t h = kHandler + 16 * v;
            mem.write(kIdt + 16 * v, 8, (h & 0xffff) | (uint64_t{0x08} << 16) | (uint64_t{0x8e00} << 32));
            mem.write(kIdt + 16 * v + 8, 8, 0);
            mem.write(h, 1, 0xf4);
        }
        c.update_context();
        c.flush_tlb();
        c.rip = kCode;
        c.gpr[4] = kStack;
        c.gpr[6] = kData;
        c.fcw = 0x37f;
        c.ftw = 0;
    }
    StopReason run(std::vector<uint8_t> prog) {
        prog.push_back(0xf4);
        mem.write_block(kCode, prog.data(), prog.size());
        return core->run(10000);
    }
    uint64_t get(uint64_t pa, unsigned w) {
        uint64_t v = 0;
        mem.read(pa, w, v);
        return v;
    }
    // The vector whose handler stopped the run (its HLT), or -1.
    int vector() const {
        const uint64_t r = core->rip - 1;
        return r >= kHandler && r < kHandler + 32 * 16 ? static_cast<int>((r - kHandler) / 16) : -1;
    }
    F80 st(unsigned i) const {
        F80 v;
        std::memcpy(&v.sig, core->st[i], 8);
        std::memcpy(&v.se, core->st[i] + 8, 2);
        return v;
    }
    unsigned top() const { return (core->fsw >> 11) & 7; }
};

// An 80-bit value negated, and printed as sign-exponent:significand for
// comparisons that show both fields when they fail.
inline x87::F80 neg(x87::F80 a) { return x87::F80{a.sig, static_cast<uint16_t>(a.se ^ 0x8000)}; }
inline std::string str(x87::F80 a) {
    char b[40];
    std::snprintf(b, sizeof b, "%04x:%016llx", a.se, static_cast<unsigned long long>(a.sig));
    return b;
}
#define CHECK_F80(got, want) CHECK(hvemu::x86::test::str(got) == hvemu::x86::test::str(want))

} // namespace hvemu::x86::test
