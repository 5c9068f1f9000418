#include "isa/common/phys_mem.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace hvemu::isa {

PhysMem::~PhysMem() {
    for (auto& r : regions_)
        if (r.host) munmap(r.host, r.size);
}

static void check_region(uint64_t base, uint64_t size, const std::vector<PhysMem::Region>& regions,
                         const std::string& name) {
    if (size == 0 || (base | size) & (PhysMem::kPageSize - 1))
        throw std::invalid_argument("region " + name + " is not page aligned or empty");
    if (base + size < base) throw std::invalid_argument("region " + name + " wraps around");
    for (const auto& r : regions)
        if (base < r.base + r.size && r.base < base + size)
            throw std::invalid_argument("region " + name + " overlaps " + r.name);
}

void PhysMem::add_ram(uint64_t base, uint64_t size, std::string name) {
    check_region(base, size, regions_, name);
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("cannot reserve " + std::to_string(size >> 20) + " MiB of RAM");
    Region r;
    r.base = base;
    r.size = size;
    r.host = static_cast<uint8_t*>(p);
    r.name = std::move(name);
    r.code_pages.assign(size >> kPageShift, 0);
    regions_.push_back(std::move(r));
    std::sort(regions_.begin(), regions_.end(), [](const Region& a, const Region& b) { return a.base < b.base; });
    last_ = nullptr;
}

void PhysMem::add_mmio(uint64_t base, uint64_t size, MmioTarget* target, std::string name) {
    check_region(base, size, regions_, name);
    Region r;
    r.base = base;
    r.size = size;
    r.mmio = target;
    r.name = std::move(name);
    regions_.push_back(std::move(r));
    std::sort(regions_.begin(), regions_.end(), [](const Region& a, const Region& b) { return a.base < b.base; });
    last_ = nullptr;
}

const PhysMem::Region* PhysMem::find(uint64_t paddr) const {
    if (last_ && paddr - last_->base < last_->size) return last_;
    for (const auto& r : regions_)
        if (paddr - r.base < r.size) return last_ = &r;
    return nullptr;
}

PhysMem::Region* PhysMem::find_mut(uint64_t paddr) { return const_cast<Region*>(find(paddr)); }

uint8_t* PhysMem::ram_ptr(uint64_t paddr, uint64_t len) const {
    const Region* r = find(paddr);
    if (!r || !r->host || len > r->size || paddr - r->base > r->size - len) return nullptr;
    return r->host + (paddr - r->base);
}

bool PhysMem::read(uint64_t paddr, unsigned width, uint64_t& value) {
    const Region* r = find(paddr);
    if (!r || width > r->size || paddr - r->base > r->size - width) return false;
    if (r->host) {
        value = 0;
        std::memcpy(&value, r->host + (paddr - r->base), width);
        return true;
    }
    const bool ok = r->mmio->mmio_read(paddr - r->base, width, value);
    if (mmio_observer) mmio_observer->on_mmio(paddr, width, value, false, ok, r->name);
    return ok;
}

bool PhysMem::write(uint64_t paddr, unsigned width, uint64_t value) {
    Region* r = find_mut(paddr);
    if (!r || width > r->size || paddr - r->base > r->size - width) return false;
    if (r->host) {
        std::memcpy(r->host + (paddr - r->base), &value, width);
        note_write(paddr, width);
        return true;
    }
    const bool ok = r->mmio->mmio_write(paddr - r->base, width, value);
    if (mmio_observer) mmio_observer->on_mmio(paddr, width, value, true, ok, r->name);
    return ok;
}

bool PhysMem::read_block(uint64_t paddr, void* dst, uint64_t len) const {
    if (len == 0) return true;
    const uint8_t* p = ram_ptr(paddr, len);
    if (!p) return false;
    std::memcpy(dst, p, len);
    return true;
}

bool PhysMem::write_block(uint64_t paddr, const void* src, uint64_t len) {
    if (len == 0) return true;
    uint8_t* p = ram_ptr(paddr, len);
    if (!p) return false;
    std::memcpy(p, src, len);
    note_write(paddr, len);
    return true;
}

void PhysMem::mark_code_page(uint64_t paddr) {
    Region* r = find_mut(paddr);
    if (!r || !r->host) return;
    uint8_t& flag = r->code_pages[(paddr - r->base) >> kPageShift];
    if (flag) return;
    flag = 1;
    uint64_t page = paddr & ~(kPageSize - 1);
    for (auto* o : observers_) o->code_page_marked(page);
}

bool PhysMem::is_code_page(uint64_t paddr) const {
    const Region* r = find(paddr);
    return r && r->host && r->code_pages[(paddr - r->base) >> kPageShift];
}

void PhysMem::remove_code_observer(CodeObserver* o) {
    observers_.erase(std::remove(observers_.begin(), observers_.end(), o), observers_.end());
}

bool PhysMem::note_write(uint64_t paddr, uint64_t len) {
    if (len == 0) return false;
    bool hit = false;
    uint64_t first = paddr >> kPageShift, last = (paddr + len - 1) >> kPageShift;
    for (uint64_t pg = first; pg <= last; ++pg) {
        Region* r = find_mut(pg << kPageShift);
        if (!r || !r->host) continue;
        uint8_t& flag = r->code_pages[((pg << kPageShift) - r->base) >> kPageShift];
        if (!flag) continue;
        flag = 0;
        hit = true;
        for (auto* o : observers_) o->code_page_written(pg << kPageShift);
    }
    return hit;
}

} // namespace hvemu::isa
