// A bare x86 core on 16 MiB of RAM with helpers to build descriptor
// tables, an IDT whose handlers are distinct addresses, and page tables.
#pragma once
#include <cstring>
#include <vector>

#include "isa/common/phys_mem.hpp"
#include "isa/x86/core.hpp"
#include "isa/x86/exec.hpp"

namespace x86test {

using namespace hvemu;
using namespace hvemu::x86;

constexpr uint64_t kGdt = 0x1000, kIdt = 0x2000, kTss = 0x3000;
constexpr uint64_t kHandlers = 0x10000;   // handler of vector v at kHandlers + v * 16
constexpr uint16_t kCode32 = 0x08, kData = 0x10, kCode64 = 0x18, kUData = 0x23, kUCode64 = 0x2b, kAbsent = 0x30;
constexpr uint16_t kUCode32 = 0x3b, kTssSel = 0x40, kRoData = 0x50, kExecOnly = 0x58;

struct Io : IoBus {
    std::vector<std::pair<uint16_t, uint32_t>> writes;
    bool io_read(uint16_t port, unsigned, uint32_t& v) override {
        v = port == 0x60 ? 0x5a : 0;
        return port == 0x60;
    }
    bool io_write(uint16_t port, unsigned, uint32_t v) override {
        writes.emplace_back(port, v);
        return true;
    }
};

struct Apic : InterruptController {
    int pending = -1;
    bool has_interrupt() override { return pending >= 0; }
    uint8_t acknowledge() override {
        const uint8_t v = static_cast<uint8_t>(pending);
        pending = -1;
        return v;
    }
    uint64_t last_msr = 0, last_value = 0;
    bool x2apic_rdmsr(uint32_t msr, uint64_t& v) override {
        v = msr == 0x802 ? 7 : 0;
        return msr == 0x802 || msr == 0x808;
    }
    bool x2apic_wrmsr(uint32_t msr, uint64_t v) override {
        last_msr = msr;
        last_value = v;
        return msr == 0x808;
    }
};

inline uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
    return (limit & 0xffffull) | (uint64_t{base & 0xffffff} << 16) | (uint64_t{access} << 40) |
           (uint64_t{(limit >> 16) & 0xfu} << 48) | (static_cast<uint64_t>(flags & 0xfu) << 52) | (uint64_t{base >> 24} << 56);
}

struct Sys {
    isa::PhysMem mem;
    std::unique_ptr<Core> core;
    Io io;
    explicit Sys(CoreConfig cfg = {}) {
        mem.add_ram(0, 16u << 20);
        core = std::make_unique<Core>(mem, cfg);
        core->attach_io(&io);
        uint64_t gdt[12] = {0,
                            seg_desc(0, 0xfffff, 0x9a, 0xc),   // 0x08 code32
                            seg_desc(0, 0xfffff, 0x92, 0xc),   // 0x10 data
                            seg_desc(0, 0xfffff, 0x9a, 0xa),   // 0x18 code64
                            seg_desc(0, 0xfffff, 0xf2, 0xc),   // 0x20 user data
                            seg_desc(0, 0xfffff, 0xfa, 0xa),   // 0x28 user code64
                            seg_desc(0, 0xfffff, 0x12, 0xc),   // 0x30 not present
                            seg_desc(0, 0xfffff, 0xfa, 0xc),   // 0x38 user code32
                            seg_desc(kTss, 0x67 + 0x2000 / 8 + 1, 0x89, 0),   // 0x40 TSS (with an I/O bitmap)
                            0,
                            seg_desc(0, 0xfff, 0x90, 0x4),     // 0x50 read-only data, limit 0xfff
                            seg_desc(0, 0xfffff, 0x98, 0xc)};  // 0x58 execute-only code
        mem.write_block(kGdt, gdt, sizeof gdt);
        core->gdtr = DescTable{kGdt, sizeof gdt - 1};
    }
    Core& c() { return *core; }
    uint64_t rd(uint64_t pa, unsigned w = 8) {
        uint64_t v = 0;
        mem.read(pa, w, v);
        return v;
    }
    void wr(uint64_t pa, uint64_t v, unsigned w = 8) { mem.write(pa, w, v); }

    // Protected mode, flat, CPL 0, a 32-bit IDT of interrupt gates.
    void enter_protected() {
        Core& k = c();
        REQUIRE(k.write_cr(0, k.cr0 | 1));
        k.far_jump(kCode32, 0x100, 0);
        REQUIRE(k.load_segment(SS, kData));
        REQUIRE(k.load_segment(DS, kData));
        REQUIRE(k.load_segment(ES, kData));
        for (unsigned v = 0; v < 256; ++v) {
            const uint32_t off = static_cast<uint32_t>(kHandlers + v * 16);
            const uint64_t gate = (off & 0xffff) | (uint64_t{kCode32} << 16) | (uint64_t{0x8e} << 40) |
                                  (uint64_t{off >> 16} << 48);
            wr(kIdt + v * 8, gate);
        }
        k.idtr = DescTable{kIdt, 256 * 8 - 1};
        k.gpr[4] = 0x9000;
    }
    // IA-32e mode with identity-mapped 2 MiB pages for the first 16 MiB and
    // a 64-bit IDT; the TSS holds RSP0 = 0xa000 and IST1 = 0xb000.
    static constexpr uint64_t kPml4 = 0x100000;
    void enter_long() {
        enter_protected();
        Core& k = c();
        wr(kPml4, (kPml4 + 0x1000) | 7);
        wr(kPml4 + 0x1000, (kPml4 + 0x2000) | 7);
        for (unsigned i = 0; i < 8; ++i) wr(kPml4 + 0x2000 + i * 8, (uint64_t{i} << 21) | 0x87);
        REQUIRE(k.write_cr(4, k.cr4 | (1u << 5)));
        REQUIRE(k.wrmsr(0xc0000080, (1u << 8) | (1u << 0) | (1u << 11)));
        REQUIRE(k.write_cr(3, kPml4));
        REQUIRE(k.write_cr(0, k.cr0 | 0x80000000u));
        k.far_jump(kCode64, 0x100, 0);
        for (unsigned v = 0; v < 256; ++v) {
            const uint64_t off = kHandlers + v * 16;
            const uint64_t lo = (off & 0xffff) | (uint64_t{kCode64} << 16) | (uint64_t{0x8e} << 40) |
                                (uint64_t{(off >> 16) & 0xffff} << 48);
            wr(kIdt + v * 16, lo);
            wr(kIdt + v * 16 + 8, off >> 32);
        }
        k.idtr = DescTable{kIdt, 256 * 16 - 1};
        // 64-bit TSS descriptor (two GDT slots at 0x40)
        wr(kGdt + 0x40, seg_desc(kTss, 0x67 + 0x2000 / 8 + 1, 0x89, 0));
        wr(kGdt + 0x48, 0);
        wr(kTss + 4, 0xa000);     // RSP0
        wr(kTss + 0x24, 0xb000);  // IST1
        wr(kTss + 0x66, 0x68, 2); // I/O bitmap offset
        REQUIRE(k.ltr(kTssSel));
        k.gpr[4] = 0x9000;
    }
    uint64_t handler(unsigned v) const { return kHandlers + v * 16; }
};

} // namespace x86test
