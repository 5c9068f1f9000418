// Test fixture for the RISC-V MMU tests: a hart over 64 MiB of RAM, page
// tables built by hand (S/VS stages and Sv39x4/Sv48x4 G stages), and guest
// RAM that a G stage maps to host RAM at a fixed offset.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "isa/common/phys_mem.hpp"
#include "isa/riscv/hart.hpp"

namespace hvemu::rv::mmu_test {

constexpr uint64_t kRam = 0x80000000, kRamSize = 64ull << 20;
constexpr uint64_t kHostTables = 0x80100000;   // host-physical page tables (bump allocated)
constexpr uint64_t kHostData = 0x81000000;     // host-physical data pages
constexpr uint64_t kGuestHpa = 0x82000000;     // guest RAM: GPA kGuestRam.. lives here
constexpr uint64_t kGuestRam = 0x80000000, kGuestRamSize = 8ull << 20;
constexpr uint64_t kGuestTables = kGuestRam;             // VS-stage tables (guest physical)
constexpr uint64_t kGuestData = kGuestRam + 0x400000;    // guest data pages (guest physical)
constexpr uint64_t kMmio = 0x10000000;

constexpr uint64_t V = pte::V, R = pte::R, W = pte::W, X = pte::X, U = pte::U, G = pte::G, A = pte::A, D = pte::D;
constexpr uint64_t RW = R | W | A | D, RWX = R | W | X | A | D;

inline uint64_t make_atp(uint64_t mode, uint64_t tag, uint64_t root) {
    return mode << atp::MODE_SHIFT | tag << atp::ASID_SHIFT | root >> 12;
}

// A page table in some address space (host physical for S and G stages,
// guest physical for the VS stage); `host_of` finds its bytes in RAM.
struct Tables {
    isa::PhysMem& mem;
    std::function<uint64_t(uint64_t)> host_of;
    std::function<uint64_t()> alloc;   // a zeroed 4 KiB table in the table's space
    unsigned levels;
    bool x4;
    uint64_t root;

    unsigned idx_bits(unsigned level) const { return (x4 && level == levels - 1) ? 11 : 9; }
    uint64_t index(uint64_t va, unsigned level) const {
        return (va >> (12 + 9 * level)) & ((1ull << idx_bits(level)) - 1);
    }
    uint64_t read(uint64_t addr) const {
        uint64_t v = 0;
        mem.read_block(host_of(addr), &v, 8);
        return v;
    }
    void write(uint64_t addr, uint64_t v) { mem.write_block(host_of(addr), &v, 8); }

    // The address (in the table's space) of the PTE for va at `level`,
    // creating pointer tables above it.
    uint64_t pte_addr(uint64_t va, unsigned level) {
        uint64_t a = root;
        for (unsigned i = levels - 1; i > level; --i) {
            const uint64_t at = a + index(va, i) * 8;
            uint64_t pte = read(at);
            if (!(pte & V) || (pte & (R | X))) {   // absent, or a superpage leaf to split off
                pte = (alloc() >> 12) << 10 | V;
                write(at, pte);
            }
            a = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
        }
        return a + index(va, level) * 8;
    }
    void map(uint64_t va, uint64_t pa, uint64_t flags, unsigned level = 0) {
        write(pte_addr(va, level), (pa >> 12) << 10 | flags | V);
    }
    void set(uint64_t va, unsigned level, uint64_t raw) { write(pte_addr(va, level), raw); }
};

// A hart over 64 MiB of RAM with a bump allocator for tables, guest RAM
// mapped by the G stage, and helpers to enter privilege levels.
struct Mmu {
    isa::PhysMem mem;
    std::unique_ptr<Hart> hart;
    uint64_t next_host_table = kHostTables;
    uint64_t next_guest_table = kGuestTables;

    explicit Mmu(HartConfig cfg = {}) {
        mem.add_ram(kRam, kRamSize);
        hart = std::make_unique<Hart>(mem, cfg);
        grant_all();
    }
    Hart& h() { return *hart; }

    uint64_t host_table(uint64_t size = 4096) {
        next_host_table = (next_host_table + size - 1) & ~(size - 1);
        const uint64_t t = next_host_table;
        next_host_table += size;
        return t;
    }
    uint64_t guest_table() {
        const uint64_t t = next_guest_table;
        next_guest_table += 4096;
        return t;
    }
    static uint64_t gpa_to_hpa(uint64_t gpa) { return gpa - kGuestRam + kGuestHpa; }

    Tables host_tables(unsigned levels, bool x4 = false) {
        const uint64_t root = host_table(x4 ? 16384 : 4096);
        return Tables{mem, [](uint64_t a) { return a; }, [this] { return host_table(); }, levels, x4, root};
    }
    Tables guest_tables(unsigned levels) {
        const uint64_t root = guest_table();
        return Tables{mem, gpa_to_hpa, [this] { return guest_table(); }, levels, false, root};
    }
    // G stage mapping all of guest RAM (2 MiB leaves, user, RWX).
    Tables g_stage(unsigned levels, uint64_t vmid = 1) {
        Tables g = host_tables(levels, true);
        for (uint64_t off = 0; off < kGuestRamSize; off += 0x200000) g.map(kGuestRam + off, kGuestHpa + off, RWX | U, 1);
        h().csr.hgatp = make_atp(levels == 3 ? atp::MODE_SV39 : atp::MODE_SV48, vmid, g.root);
        return g;
    }

    void grant_all() {
        h().csr.pmpaddr[0] = (1ull << 54) - 1;
        h().csr.pmpcfg[0] = 0x1f;   // NAPOT, RWX
        h().flush_tlb();
    }
    void enter(Priv p, bool v = false) {
        h().priv = p;
        h().virt = v;
        h().update_context();
    }
    uint64_t get64(uint64_t pa) const {
        uint64_t v = 0;
        mem.read_block(pa, &v, 8);
        return v;
    }
    void put64(uint64_t pa, uint64_t v) { mem.write_block(pa, &v, 8); }

    Translation tr(uint64_t va, Access acc, Priv p = Priv::S, bool v = false, bool hlvx = false) {
        return h().translate(va, acc, p, v, hlvx);
    }
};

inline bool cached(const TlbEntry* tlb, uint64_t va) {
    const TlbEntry& e = tlb[tlb_index(va)];
    return e.vpn == va >> 12;
}

struct Regs : isa::MmioTarget {
    uint64_t last = 0;
    bool mmio_read(uint64_t off, unsigned, uint64_t& v) override { v = 0x1000 + off; return true; }
    bool mmio_write(uint64_t, unsigned, uint64_t v) override { last = v; return true; }
};

} // namespace hvemu::rv::mmu_test
