// The printed page-table walk behind `monitor walk`.
#include "emu/debug/riscv_walk.hpp"

#include <functional>
#include <optional>

#include <fmt/format.h>

namespace hvemu::emu::debug {

namespace {

constexpr uint64_t kPpnMask = (uint64_t{1} << 44) - 1;

unsigned levels_of(uint64_t atp) {
    switch (atp >> 60) {
    case 8: return 3;
    case 9: return 4;
    case 10: return 5;
    default: return 0;   // bare (or a mode this walker does not know)
    }
}

std::string pte_flags(uint64_t pte) {
    std::string f;
    const char* names = "VRWXUGAD";
    for (unsigned b = 0; b < 8; b++) f += (pte >> b) & 1 ? names[b] : '-';
    return f;
}

// One stage: prints every entry read; returns the output address, or
// nullopt when the walk faults. to_host maps a page-table address (for
// the VS-stage: guest physical) to the host physical address it is at.
std::optional<uint64_t> walk_stage(std::string& out, const char* tag, uint64_t atp, uint64_t addr, bool gstage,
                                   const std::function<std::optional<uint64_t>(uint64_t)>& to_host,
                                   const isa::PhysMem& mem) {
    const unsigned levels = levels_of(atp);
    if (!levels) {
        out += fmt::format("  {}: bare ({:#x} -> {:#x})\n", tag, addr, addr);
        return addr;
    }
    uint64_t base = (atp & kPpnMask) << 12;
    for (int level = static_cast<int>(levels) - 1; level >= 0; level--) {
        const unsigned shift = 12 + 9 * static_cast<unsigned>(level);
        const uint64_t idx_mask = gstage && level == static_cast<int>(levels) - 1 ? 0x7ff : 0x1ff;
        const uint64_t idx = (addr >> shift) & idx_mask;
        const uint64_t pte_addr = base + idx * 8;
        const std::optional<uint64_t> host = to_host(pte_addr);
        uint64_t pte = 0;
        if (!host || !mem.read_block(*host, &pte, 8)) {
            out += fmt::format("  {} L{}: entry {:#x} at {:#x}: not readable\n", tag, level, idx, pte_addr);
            return std::nullopt;
        }
        const std::string at = host && *host != pte_addr ? fmt::format("{:#x} (host {:#x})", pte_addr, *host)
                                                         : fmt::format("{:#x}", pte_addr);
        out += fmt::format("  {} L{}: entry {:#x} at {} = {:#018x} {} ppn {:#x}\n", tag, level, idx, at, pte,
                           pte_flags(pte), (pte >> 10) & kPpnMask);
        const bool v = pte & 1, r = (pte >> 1) & 1, w = (pte >> 2) & 1, x = (pte >> 3) & 1;
        if (!v || (!r && w)) {
            out += fmt::format("  {}: invalid entry: page fault\n", tag);
            return std::nullopt;
        }
        if (r || x) {
            const uint64_t mask = (uint64_t{1} << shift) - 1;
            const uint64_t result = ((((pte >> 10) & kPpnMask) << 12) & ~mask) | (addr & mask);
            out += fmt::format("  {}: {:#x} -> {:#x}\n", tag, addr, result);
            return result;
        }
        base = ((pte >> 10) & kPpnMask) << 12;
    }
    out += fmt::format("  {}: no leaf at level 0: page fault\n", tag);
    return std::nullopt;
}

} // namespace

std::string riscv_walk_report(rv::Hart& h, uint64_t addr, rv::Priv priv, bool virt) {
    const bool two_stage = virt, machine_mode = !virt && priv == rv::Priv::M;
    std::string out = fmt::format("walk {:#x}\n", addr);
    const isa::PhysMem& mem = h.mem();
    const auto identity = [](uint64_t a) -> std::optional<uint64_t> { return a; };
    std::optional<uint64_t> final_pa;
    if (!two_stage) {
        if (machine_mode) {
            out += "  M mode: no translation\n";
            final_pa = addr;
        } else {
            out += fmt::format("  satp {:#x}\n", h.csr.satp);
            final_pa = walk_stage(out, "S ", h.csr.satp, addr, false, identity, mem);
        }
    } else {
        out += fmt::format("  vsatp {:#x} hgatp {:#x}\n", h.csr.vsatp, h.csr.hgatp);
        // The VS-stage tables are at guest physical addresses: each one
        // goes through the G-stage (the hart's translation, not printed).
        const auto g_of = [&h](uint64_t gpa) -> std::optional<uint64_t> {
            const rv::Translation t = h.translate_g(gpa, rv::Access::Read, true);
            return t.ok() ? std::optional<uint64_t>(t.paddr) : std::nullopt;
        };
        const std::optional<uint64_t> gpa = walk_stage(out, "VS", h.csr.vsatp, addr, false, g_of, mem);
        if (gpa) final_pa = walk_stage(out, "G ", h.csr.hgatp, *gpa, true, identity, mem);
    }
    const rv::Translation t = machine_mode ? rv::Translation{addr, 0, 0, 0, false}
                                           : h.translate(addr, rv::Access::Read, priv, virt);
    if (t.ok())
        out += fmt::format("  hart: {:#x} -> {:#x}{}\n", addr, t.paddr,
                           final_pa && *final_pa != t.paddr ? " (differs from the walk above)" : "");
    else
        out += fmt::format("  hart: fault, cause {}\n", t.cause);
    return out;
}

} // namespace hvemu::emu::debug
