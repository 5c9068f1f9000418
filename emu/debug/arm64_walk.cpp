// The printed VMSAv8-64 table walk behind `monitor walk` (4 KiB granule).
#include "emu/debug/arm64_walk.hpp"

#include <functional>
#include <optional>

#include <fmt/format.h>

namespace hvemu::emu::debug {

namespace {

using arm::Pe;

constexpr unsigned kPageShift = 12, kStride = 9;
constexpr unsigned kMinTxsz = 16, kMaxTxsz = 39;
constexpr uint64_t kAddrMask = 0x0000'ffff'ffff'f000ull;   // next table / output address, bits 47:12
constexpr uint64_t kBaddrMask = 0x0000'ffff'ffff'fffeull;  // TTBR BADDR
constexpr uint64_t kSctlrM = 1;
constexpr unsigned kVtcrSl0Shift = 6;
constexpr unsigned kTcrT1szShift = 16;
constexpr uint64_t kTcrEpd0 = 1ull << 7, kTcrEpd1 = 1ull << 23, kTcrTbi0 = 1ull << 37, kTcrTbi1 = 1ull << 38;
constexpr uint64_t kTcrEl2Tbi = 1ull << 20;

constexpr unsigned shift_of(int level) { return kPageShift + kStride * static_cast<unsigned>(3 - level); }
constexpr uint64_t bit(uint64_t v, unsigned n) { return (v >> n) & 1; }

// The attributes of a descriptor in words.
std::string describe(uint64_t d, int level, bool stage2) {
    if (!(d & 1)) return "invalid";
    if (level < 3 && (d & 2)) {
        std::string s = fmt::format("table -> {:#x}", d & kAddrMask);
        if (!stage2) {
            if (bit(d, 63)) s += " NSTable";
            if (bit(d, 62)) s += " APTable.RO";
            if (bit(d, 61)) s += " APTable.noEL0";
            if (bit(d, 60)) s += " XNTable";
            if (bit(d, 59)) s += " PXNTable";
        }
        return s;
    }
    if (level == 0 || (level == 3 && !(d & 2))) return "reserved (a block at this level): translation fault";
    const uint64_t out = d & kAddrMask & ~((uint64_t{1} << shift_of(level)) - 1);
    std::string s = fmt::format("{} -> {:#x}", level == 3 ? "page" : "block", out);
    if (stage2) {
        s += fmt::format(" S2AP {}{} MemAttr {:#x} SH {}", bit(d, 6) ? 'r' : '-', bit(d, 7) ? 'w' : '-', (d >> 2) & 0xf,
                         (d >> 8) & 3);
        if (bit(d, 54)) s += " XN";
    } else {
        s += fmt::format(" AttrIndx {} SH {} {}{}", (d >> 2) & 7, (d >> 8) & 3, bit(d, 7) ? "RO" : "RW",
                         bit(d, 6) ? " EL0" : "");
        if (bit(d, 11)) s += " nG";
        if (bit(d, 53)) s += " PXN";
        if (bit(d, 54)) s += " UXN";
    }
    s += bit(d, 10) ? " AF" : " (AF 0: access flag fault)";
    return s;
}

// One stage from `base` (the start table) over `in_bits` bits of `addr`;
// prints every entry read; returns the output address or nullopt on a
// fault. to_pa maps a table address to the PA it is read from.
using ToPa = std::function<std::optional<uint64_t>(uint64_t)>;

std::optional<uint64_t> walk_stage(std::string& out, const char* tag, uint64_t table, unsigned in_bits, int start,
                                   uint64_t addr, bool stage2, const ToPa& to_pa, const isa::PhysMem& mem) {
    unsigned idx_bits = in_bits - shift_of(start);
    uint64_t base = table & ~((uint64_t{8} << idx_bits) - 1);
    for (int level = start; level <= 3; level++) {
        const unsigned shift = shift_of(level);
        const uint64_t idx = (addr >> shift) & ((uint64_t{1} << idx_bits) - 1);
        idx_bits = kStride;
        const uint64_t at = base + idx * 8;
        const std::optional<uint64_t> pa = to_pa(at);
        if (!pa) {
            out += fmt::format("  {} L{}: entry {:#x} at IPA {:#x}: stage 2 fault on the table walk\n", tag, level,
                               idx, at);
            return std::nullopt;
        }
        uint64_t d = 0;
        const std::string where = *pa != at ? fmt::format("{:#x} (PA {:#x})", at, *pa) : fmt::format("{:#x}", at);
        if (!mem.read_block(*pa, &d, 8)) {
            out += fmt::format("  {} L{}: entry {:#x} at {}: not RAM: external abort on the walk\n", tag, level, idx,
                               where);
            return std::nullopt;
        }
        out += fmt::format("  {} L{}: entry {:#x} at {} = {:#018x} {}\n", tag, level, idx, where, d,
                           describe(d, level, stage2));
        if (!(d & 1)) {
            out += fmt::format("  {}: translation fault, level {}\n", tag, level);
            return std::nullopt;
        }
        if (level < 3 && (d & 2)) {
            base = d & kAddrMask;
            continue;
        }
        if (level == 0 || (level == 3 && !(d & 2))) return std::nullopt;
        const uint64_t mask = (uint64_t{1} << shift) - 1;
        const uint64_t result = (d & kAddrMask & ~mask) | (addr & mask);
        out += fmt::format("  {}: {:#x} -> {:#x}\n", tag, addr, result);
        return result;
    }
    return std::nullopt;
}

// Stage 2 from VTTBR_EL2/VTCR_EL2 (start level from SL0, concatenated
// start tables when the IPA is wider than one table covers).
std::optional<uint64_t> stage2(std::string& out, Pe& pe, uint64_t ipa) {
    const uint64_t vtcr = pe.sys.vtcr_el2, vttbr = pe.sys.vttbr_el2;
    const unsigned t0sz = vtcr & 63, sl0 = (vtcr >> kVtcrSl0Shift) & 3;
    const int start = sl0 == 0 ? 2 : sl0 == 1 ? 1 : sl0 == 2 ? 0 : -1;
    out += fmt::format("  VTTBR_EL2 {:#x} (VMID {}) VTCR_EL2 {:#x}: T0SZ {}, SL0 {}\n", vttbr, vttbr >> 48, vtcr, t0sz,
                       sl0);
    const unsigned in_bits = 64 - t0sz;
    if (t0sz < kMinTxsz || t0sz > kMaxTxsz || start < 0 || in_bits < shift_of(start) ||
        in_bits - shift_of(start) > kStride + 4) {
        out += "  S2: this T0SZ/SL0 pair is not a valid configuration: translation fault\n";
        return std::nullopt;
    }
    if (ipa >> in_bits) {
        out += fmt::format("  S2: IPA {:#x} is beyond the {}-bit input range: translation fault\n", ipa, in_bits);
        return std::nullopt;
    }
    const auto identity = [](uint64_t a) -> std::optional<uint64_t> { return a; };
    return walk_stage(out, "S2", vttbr & kBaddrMask, in_bits, start, ipa, true, identity, pe.mem());
}

bool stage2_on(const Pe& pe) { return pe.sys.hcr_el2 & (arm::hcr::VM | arm::hcr::DC); }

std::string fault_name(arm::FaultKind k) {
    switch (k) {
    case arm::FaultKind::None: return "none";
    case arm::FaultKind::AddressSize: return "address size";
    case arm::FaultKind::Translation: return "translation";
    case arm::FaultKind::AccessFlag: return "access flag";
    case arm::FaultKind::Permission: return "permission";
    case arm::FaultKind::Alignment: return "alignment";
    case arm::FaultKind::External: return "external abort";
    }
    return "?";
}

} // namespace

std::string arm64_walk_report(Pe& pe, uint64_t va, unsigned el) {
    const arm::SysRegs& s = pe.sys;
    const bool el2 = el == 2;
    const bool s2 = !el2 && stage2_on(pe);
    std::string out = fmt::format("walk {:#x} at EL{} ({} regime{})\n", va, el, el2 ? "EL2" : "EL1&0",
                                  s2 ? ", stage 2 on" : "");
    std::optional<uint64_t> ipa;
    // HCR_EL2.DC and TGE turn the EL1&0 stage 1 off whatever SCTLR_EL1.M says.
    const bool s1 = el2 ? (s.sctlr_el2 & kSctlrM)
                        : (s.sctlr_el1 & kSctlrM) && !(s.hcr_el2 & (arm::hcr::DC | arm::hcr::TGE));
    if (!s1) {
        out += fmt::format("  S1: off (SCTLR_EL{}.M {}{}): {:#x} -> {:#x}\n", el2 ? 2 : 1,
                           el2 ? s.sctlr_el2 & kSctlrM : s.sctlr_el1 & kSctlrM,
                           !el2 && (s.hcr_el2 & (arm::hcr::DC | arm::hcr::TGE)) ? ", HCR_EL2.DC/TGE set" : "", va, va);
        ipa = va;
    } else {
        const bool upper = !el2 && bit(va, 55);
        const uint64_t tcr = el2 ? s.tcr_el2 : s.tcr_el1;
        const unsigned txsz = el2 ? tcr & 63 : upper ? (tcr >> kTcrT1szShift) & 63 : tcr & 63;
        const bool tbi = el2 ? tcr & kTcrEl2Tbi : tcr & (upper ? kTcrTbi1 : kTcrTbi0);
        const bool epd = !el2 && (tcr & (upper ? kTcrEpd1 : kTcrEpd0));
        const uint64_t ttbr = el2 ? s.ttbr0_el2 : upper ? s.ttbr1_el1 : s.ttbr0_el1;
        const char* ttbr_name = el2 ? "TTBR0_EL2" : upper ? "TTBR1_EL1" : "TTBR0_EL1";
        out += fmt::format("  {} {:#x}{} {} {:#x}: T{}SZ {}{}\n", ttbr_name, ttbr,
                           el2 ? "" : fmt::format(" (ASID {})", ttbr >> 48), el2 ? "TCR_EL2" : "TCR_EL1", tcr,
                           upper ? 1 : 0, txsz, tbi ? ", top byte ignored" : "");
        const unsigned va_bits = 64 - txsz;
        const unsigned top = tbi ? 55 : 63;
        const uint64_t hi = txsz >= kMinTxsz && txsz <= kMaxTxsz ? (va << (63 - top)) >> (63 - top + va_bits) : 0;
        const uint64_t want = upper ? (uint64_t{1} << (top + 1 - va_bits)) - 1 : 0;
        if (txsz < kMinTxsz || txsz > kMaxTxsz) {
            out += fmt::format("  S1: T{}SZ {} is out of range: translation fault\n", upper ? 1 : 0, txsz);
        } else if (hi != want) {
            out += fmt::format("  S1: {:#x} is outside the {}-bit range of {}: translation fault\n", va, va_bits,
                               ttbr_name);
        } else if (epd) {
            out += fmt::format("  S1: walks through {} are disabled (TCR_EL1.EPD{}): translation fault\n", ttbr_name,
                               upper ? 1 : 0);
        } else {
            const int start = 4 - static_cast<int>((va_bits - kPageShift + kStride - 1) / kStride);
            // The stage 1 tables are at IPAs: each read goes through stage 2.
            const auto to_pa = [&pe, s2](uint64_t a) -> std::optional<uint64_t> {
                if (!s2) return a;
                const arm::Translation t = pe.translate_s2(a, arm::Access::Read, true);
                return t.ok() ? std::optional<uint64_t>(t.paddr) : std::nullopt;
            };
            ipa = walk_stage(out, "S1", ttbr & kBaddrMask, va_bits, start, va, false, to_pa, pe.mem());
        }
    }
    std::optional<uint64_t> pa = ipa;
    if (ipa && s2) pa = stage2(out, pe, *ipa);
    const arm::Translation t = pe.translate(va, arm::Access::Read, el);
    if (t.ok())
        out += fmt::format("  pe: {:#x} -> {:#x}{}\n", va, t.paddr,
                           pa && *pa != t.paddr ? " (differs from the walk above)" : "");
    else
        out += fmt::format("  pe: {} fault, level {}{}{}\n", fault_name(t.fault), t.level,
                           t.stage2 ? fmt::format(", stage 2 (IPA {:#x})", t.ipa) : ", stage 1",
                           t.s1ptw ? ", on the stage 1 table walk" : "");
    return out;
}

} // namespace hvemu::emu::debug
