#include "vcpu/x86/guest_access.hpp"

#include <cstring>

namespace hvemu::vcpu::x86 {

namespace {
constexpr uint64_t kAddr = 0x000ffffffffff000ull;
constexpr uint64_t kP = 1, kW = 2, kPs = 1u << 7;
constexpr uint64_t kCr0Pg = 1ull << 31, kCr4Pae = 1u << 5, kCr4Pse = 1u << 4, kEferLma = 1u << 10;
} // namespace

std::optional<uint64_t> GuestAccess::gpa_to_hpa(uint64_t gpa, bool write) const {
    uint64_t table = eptp_ & kAddr;
    for (int level = 4; level >= 1; --level) {
        const unsigned shift = 12 + 9 * (level - 1);
        uint64_t e = 0;
        if (!mem_.read_block(table + ((gpa >> shift) & 511) * 8, &e, 8)) return std::nullopt;
        if (!(e & 1) || (write && !(e & 2))) return std::nullopt;
        if (level == 1 || ((level == 2 || level == 3) && (e & kPs))) {
            const uint64_t mask = (uint64_t{1} << shift) - 1;
            return ((e & kAddr) & ~mask) | (gpa & mask);
        }
        table = e & kAddr;
    }
    return std::nullopt;
}

bool GuestAccess::read_gpa(uint64_t gpa, void* dst, unsigned len) const {
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        const unsigned n = std::min<unsigned>(len, 0x1000 - (gpa & 0xfff));
        const std::optional<uint64_t> hpa = gpa_to_hpa(gpa);
        if (!hpa || !mem_.read_block(*hpa, out, n)) return false;
        gpa += n;
        out += n;
        len -= n;
    }
    return true;
}

bool GuestAccess::read_table(uint64_t gpa, uint64_t& e, unsigned size) const {
    e = 0;
    return read_gpa(gpa, &e, size);
}

std::optional<uint64_t> GuestAccess::linear_to_gpa(uint64_t lin, bool write) const {
    if (!(pg_.cr0 & kCr0Pg)) return lin & 0xffffffffull;
    uint64_t e = 0;
    auto ok = [&](uint64_t entry) { return (entry & kP) && (!write || (entry & kW)); };
    if (pg_.efer & kEferLma) {   // 4-level
        uint64_t table = pg_.cr3 & kAddr;
        for (int level = 4; level >= 1; --level) {
            const unsigned shift = 12 + 9 * (level - 1);
            if (!read_table(table + ((lin >> shift) & 511) * 8, e) || !ok(e)) return std::nullopt;
            if (level == 1 || ((level == 2 || level == 3) && (e & kPs))) {
                const uint64_t mask = (uint64_t{1} << shift) - 1;
                return ((e & kAddr) & ~mask) | (lin & mask);
            }
            table = e & kAddr;
        }
        return std::nullopt;
    }
    lin &= 0xffffffffull;
    if (pg_.cr4 & kCr4Pae) {   // PAE: PDPTE, PD, PT
        const uint64_t pdpte = pg_.pdpte[(lin >> 30) & 3];
        if (!(pdpte & kP)) return std::nullopt;
        if (!read_table((pdpte & kAddr) + ((lin >> 21) & 511) * 8, e) || !ok(e)) return std::nullopt;
        if (e & kPs) return ((e & kAddr) & ~uint64_t{0x1fffff}) | (lin & 0x1fffff);
        if (!read_table((e & kAddr) + ((lin >> 12) & 511) * 8, e) || !ok(e)) return std::nullopt;
        return (e & kAddr) | (lin & 0xfff);
    }
    // 32-bit paging (4 MiB pages with CR4.PSE; PSE-36 bits ignored)
    if (!read_table((pg_.cr3 & 0xfffff000) + ((lin >> 22) & 1023) * 4, e, 4) || !ok(e)) return std::nullopt;
    if ((e & kPs) && (pg_.cr4 & kCr4Pse)) return (e & 0xffc00000) | (lin & 0x3fffff);
    if (!read_table((e & 0xfffff000) + ((lin >> 12) & 1023) * 4, e, 4) || !ok(e)) return std::nullopt;
    return (e & 0xfffff000) | (lin & 0xfff);
}

bool GuestAccess::read_linear(uint64_t lin, void* dst, unsigned len) const {
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        const unsigned n = std::min<unsigned>(len, 0x1000 - (lin & 0xfff));
        const std::optional<uint64_t> gpa = linear_to_gpa(lin);
        if (!gpa || !read_gpa(*gpa, out, n)) return false;
        lin += n;
        out += n;
        len -= n;
    }
    return true;
}

bool GuestAccess::write_linear(uint64_t lin, const void* src, unsigned len, isa::PhysMem& wmem) const {
    auto* in = static_cast<const uint8_t*>(src);
    while (len) {
        const unsigned n = std::min<unsigned>(len, 0x1000 - (lin & 0xfff));
        const std::optional<uint64_t> gpa = linear_to_gpa(lin, true);
        if (!gpa) return false;
        const std::optional<uint64_t> hpa = gpa_to_hpa(*gpa, true);
        if (!hpa || (((*hpa) & 0xfff) + n > 0x1000) || !wmem.write_block(*hpa, in, n)) return false;
        lin += n;
        in += n;
        len -= n;
    }
    return true;
}

} // namespace hvemu::vcpu::x86
