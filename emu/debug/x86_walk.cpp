// The debugger's x86 walker: guest paging over the EPT, printed or not.
#include "emu/debug/x86_walk.hpp"

#include <fmt/format.h>

#include "isa/x86/paging_bits.hpp"

namespace hvemu::emu::debug {

namespace {

using namespace hvemu::x86::paging;

// EPT entry bits (SDM Vol. 3C 29.3.2).
constexpr uint64_t kEptR = 1, kEptW = 2, kEptX = 4, kEptLarge = 1u << 7, kEptA = 1u << 8, kEptD = 1u << 9;

uint64_t addr_mask(const X86PagingState& s) { return ((uint64_t{1} << s.pa_bits) - 1) & ~uint64_t{0xfff}; }

std::string ept_flags(uint64_t e, bool leaf) {
    std::string f;
    f += e & kEptR ? 'R' : '-';
    f += e & kEptW ? 'W' : '-';
    f += e & kEptX ? 'X' : '-';
    if (leaf) f += fmt::format(" MT{}", (e >> 3) & 7);
    if (e & kEptLarge) f += " PS";
    if (e & kEptA) f += " A";
    if (e & kEptD) f += " D";
    return f;
}

std::string pte_flags(uint64_t e, bool leaf) {
    std::string f = e & kPteP ? "P" : "-";
    if (e & kPteRw) f += " RW";
    if (e & kPteUs) f += " US";
    if (e & kPtePwt) f += " PWT";
    if (e & kPtePcd) f += " PCD";
    if (e & kPteA) f += " A";
    if (leaf && (e & kPteD)) f += " D";
    if (e & kPtePs) f += " PS";
    if (leaf && (e & kPteG)) f += " G";
    if (e & kPteXd) f += " XD";
    return f;
}

// One step of a walk: the level's name, the entry size and index width.
struct Level {
    const char* name;
    unsigned shift;     // the bits of the linear address this level maps
    bool may_be_leaf;   // PS allowed here
};

class Walker {
public:
    Walker(const isa::PhysMem& mem, const X86PagingState& s, std::string* out) : mem_(mem), s_(s), out_(out) {}

    std::optional<uint64_t> ept(uint64_t gpa, bool print) {
        if (!s_.ept) return gpa;
        uint64_t table = s_.eptp & addr_mask(s_);
        static const char* const kNames[5] = {"", "EPT PT  ", "EPT PD  ", "EPT PDPT", "EPT PML4"};
        for (int level = 4; level >= 1; --level) {
            const unsigned shift = 12 + 9 * static_cast<unsigned>(level - 1);
            const uint64_t idx = (gpa >> shift) & 511, ea = table + idx * 8;
            uint64_t e = 0;
            if (!mem_.read_block(ea, &e, 8)) {
                if (print) line(fmt::format("{} entry {:#x} at {:#x}: not in RAM", kNames[level], idx, ea));
                return std::nullopt;
            }
            const bool leaf = level == 1 || ((level == 2 || level == 3) && (e & kEptLarge));
            if (print)
                line(fmt::format("{} entry {:#x} at {:#x} = {:#018x} {}", kNames[level], idx, ea, e, ept_flags(e, leaf)));
            if (!(e & 7)) {
                if (print) line("EPT: not present: an EPT violation");
                return std::nullopt;
            }
            if (leaf) {
                const uint64_t page = (uint64_t{1} << shift) - 1;
                const uint64_t hpa = (e & addr_mask(s_) & ~page) | (gpa & page);
                if (print) line(fmt::format("EPT: {:#x} -> {:#x}", gpa, hpa));
                return hpa;
            }
            table = e & addr_mask(s_);
        }
        return std::nullopt;
    }

    // Linear -> guest-physical.
    std::optional<uint64_t> paging(uint64_t la) {
        if (!(s_.cr0 & kCr0Pg)) {
            const uint64_t gpa = s_.efer & kEferLma ? la : la & 0xffffffffull;
            if (out_) line(fmt::format("paging off: {:#x} -> {:#x}", la, gpa));
            return gpa;
        }
        if (!(s_.cr4 & kCr4Pae)) return legacy(la & 0xffffffffull);
        uint64_t table = 0;
        static const Level kLong[4] = {{"PML4", 39, false}, {"PDPT", 30, true}, {"PD  ", 21, true}, {"PT  ", 12, false}};
        static const Level kPae[2] = {{"PD  ", 21, true}, {"PT  ", 12, false}};
        const Level* levels = kLong;
        unsigned n = 4;
        if (!(s_.efer & kEferLma)) {
            la &= 0xffffffffull;
            const uint64_t pdpte = s_.pdpte[(la >> 30) & 3];
            if (out_) line(fmt::format("PDPTE{} (register) = {:#018x} {}", (la >> 30) & 3, pdpte, pte_flags(pdpte, false)));
            if (!(pdpte & kPteP)) return not_present();
            table = pdpte & addr_mask(s_);
            levels = kPae;
            n = 2;
        } else {
            table = s_.cr3 & addr_mask(s_);
        }
        for (unsigned i = 0; i < n; i++) {
            const Level& l = levels[i];
            const uint64_t idx = (la >> l.shift) & 511;
            uint64_t e = 0;
            if (!read_entry(l.name, idx, table + idx * 8, 8, e)) return std::nullopt;
            if (!(e & kPteP)) return not_present();
            if (l.shift == 12 || (l.may_be_leaf && (e & kPtePs))) {
                const uint64_t page = (uint64_t{1} << l.shift) - 1;
                return leaf(la, (e & addr_mask(s_) & ~page) | (la & page));
            }
            table = e & addr_mask(s_);
        }
        return std::nullopt;
    }

private:
    // 32-bit paging: 4-byte entries, 4 MiB pages with CR4.PSE (PSE-36).
    std::optional<uint64_t> legacy(uint64_t la) {
        uint64_t pde = 0;
        const uint64_t di = (la >> 22) & 0x3ff;
        if (!read_entry("PD  ", di, (s_.cr3 & 0xfffff000) + di * 4, 4, pde)) return std::nullopt;
        if (!(pde & kPteP)) return not_present();
        if ((s_.cr4 & kCr4Pse) && (pde & kPtePs))
            return leaf(la, (pde & 0xffc00000) | ((pde >> 13) & 0xff) << 32 | (la & 0x3fffff));
        uint64_t pte = 0;
        const uint64_t ti = (la >> 12) & 0x3ff;
        if (!read_entry("PT  ", ti, (pde & 0xfffff000) + ti * 4, 4, pte)) return std::nullopt;
        if (!(pte & kPteP)) return not_present();
        return leaf(la, (pte & 0xfffff000) | (la & 0xfff));
    }

    // A paging-structure entry at guest-physical `gpa` (through the EPT).
    bool read_entry(const char* name, uint64_t idx, uint64_t gpa, unsigned size, uint64_t& e) {
        const std::optional<uint64_t> hpa = ept(gpa, false);
        e = 0;
        const bool ok = hpa && mem_.read_block(*hpa, &e, size);
        if (!out_) return ok;
        const std::string at = hpa && *hpa != gpa ? fmt::format("{:#x} (host {:#x})", gpa, *hpa) : fmt::format("{:#x}", gpa);
        if (!ok) line(fmt::format("{} entry {:#x} at {}: {}", name, idx, at, hpa ? "not in RAM" : "not mapped by the EPT"));
        else line(fmt::format("{} entry {:#x} at {} = {:#018x} {}", name, idx, at, e, pte_flags(e, true)));
        return ok;
    }

    std::optional<uint64_t> not_present() {
        if (out_) line("not present: a page fault");
        return std::nullopt;
    }
    std::optional<uint64_t> leaf(uint64_t la, uint64_t gpa) {
        if (out_) line(fmt::format("paging: {:#x} -> {:#x}", la, gpa));
        return gpa;
    }
    void line(const std::string& s) {
        if (out_) *out_ += "  " + s + "\n";
    }

    const isa::PhysMem& mem_;
    const X86PagingState& s_;
    std::string* out_;
};

const char* mode_name(const X86PagingState& s) {
    if (!(s.cr0 & kCr0Pg)) return "no paging";
    if (!(s.cr4 & kCr4Pae)) return "32-bit paging";
    return s.efer & kEferLma ? "4-level paging" : "PAE paging";
}

} // namespace

std::optional<uint64_t> x86_ept_translate(const isa::PhysMem& mem, const X86PagingState& s, uint64_t gpa,
                                          std::string* report) {
    return Walker(mem, s, report).ept(gpa, report != nullptr);
}

std::optional<uint64_t> x86_translate(const isa::PhysMem& mem, const X86PagingState& s, uint64_t linear) {
    Walker w(mem, s, nullptr);
    const std::optional<uint64_t> gpa = w.paging(linear);
    return gpa ? w.ept(*gpa, false) : std::nullopt;
}

std::string x86_walk_report(const isa::PhysMem& mem, const X86PagingState& s, uint64_t linear) {
    std::string out = fmt::format("walk {:#x}: {}, CR3 {:#x}", linear, mode_name(s), s.cr3);
    out += s.ept ? fmt::format(", EPTP {:#x}\n", s.eptp) : ", no EPT\n";
    Walker w(mem, s, &out);
    const std::optional<uint64_t> gpa = w.paging(linear);
    if (gpa && s.ept) w.ept(*gpa, true);
    return out;
}

} // namespace hvemu::emu::debug
