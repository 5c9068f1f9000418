#include "emu/vmm/guest_memory.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace hvemu::emu::vmm {

const GuestRegion& GuestMemory::add(const GuestRegion& r) {
    if (r.size == 0 || ((r.gpa | r.size | r.hpa) & (isa::PhysMem::kPageSize - 1)))
        throw std::invalid_argument(fmt::format("guest memory region {} at {:#x} (size {:#x}) is not 4 KiB aligned",
                                                r.name, r.gpa, r.size));
    if (r.gpa + r.size < r.gpa) throw std::invalid_argument(fmt::format("guest memory region {} wraps around", r.name));
    for (const GuestRegion& o : regions_)
        if (r.gpa < o.gpa + o.size && o.gpa < r.gpa + r.size)
            throw std::invalid_argument(fmt::format("guest memory region {} [{:#x}, {:#x}) overlaps {} [{:#x}, {:#x})",
                                                    r.name, r.gpa, r.gpa + r.size, o.name, o.gpa, o.gpa + o.size));
    host_.add_ram(r.hpa, r.size, "guest:" + r.name);
    regions_.push_back(r);
    std::sort(regions_.begin(), regions_.end(), [](const GuestRegion& a, const GuestRegion& b) { return a.gpa < b.gpa; });
    return *find(r.gpa);
}

const GuestRegion* GuestMemory::find(uint64_t gpa) const {
    for (const GuestRegion& r : regions_)
        if (gpa - r.gpa < r.size) return &r;
    return nullptr;
}

std::optional<uint64_t> GuestMemory::to_host(uint64_t gpa, uint64_t len) const {
    const GuestRegion* r = find(gpa);
    if (!r || len > r->size || gpa - r->gpa > r->size - len) return std::nullopt;
    return r->hpa + (gpa - r->gpa);
}

bool GuestMemory::read(uint64_t gpa, void* dst, uint64_t len) const {
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        const GuestRegion* r = find(gpa);
        if (!r) return false;
        const uint64_t n = std::min(len, r->gpa + r->size - gpa);
        if (!host_.read_block(r->hpa + (gpa - r->gpa), out, n)) return false;
        gpa += n;
        out += n;
        len -= n;
    }
    return true;
}

bool GuestMemory::write(uint64_t gpa, const void* src, uint64_t len) {
    const auto* in = static_cast<const uint8_t*>(src);
    while (len) {
        const GuestRegion* r = find(gpa);
        if (!r) return false;
        const uint64_t n = std::min(len, r->gpa + r->size - gpa);
        if (!host_.write_block(r->hpa + (gpa - r->gpa), in, n)) return false;
        gpa += n;
        in += n;
        len -= n;
    }
    return true;
}

uint64_t GuestMemory::lowest() const { return regions_.empty() ? 0 : regions_.front().gpa; }
uint64_t GuestMemory::highest() const {
    uint64_t hi = 0;
    for (const GuestRegion& r : regions_) hi = std::max(hi, r.gpa + r.size);
    return hi;
}

} // namespace hvemu::emu::vmm
