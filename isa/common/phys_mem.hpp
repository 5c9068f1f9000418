// Host physical memory: one flat, sparse address space of RAM regions
// (mmap-backed, zero-filled) and MMIO regions served by callbacks.
// Shared by every hart of a machine. Knows nothing of translation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hvemu::isa {

// An MMIO target sees offsets relative to its region base. Widths are
// 1, 2, 4 or 8 bytes. Returning false signals a bus error (access fault).
class MmioTarget {
public:
    virtual ~MmioTarget() = default;
    virtual bool mmio_read(uint64_t offset, unsigned width, uint64_t& value) = 0;
    virtual bool mmio_write(uint64_t offset, unsigned width, uint64_t value) = 0;
};

// Called when a store hits a page that holds predecoded code.
// Told when a RAM page becomes code (its writable translations must go)
// and when a store hits such a page (its decoded copy must go).
class CodeObserver {
public:
    virtual ~CodeObserver() = default;
    virtual void code_page_marked(uint64_t page_paddr) = 0;
    virtual void code_page_written(uint64_t page_paddr) = 0;
};

// Told of every MMIO access (full-system tracing); `ok` false: a bus error.
class MmioObserver {
public:
    virtual ~MmioObserver() = default;
    virtual void on_mmio(uint64_t paddr, unsigned width, uint64_t value, bool store, bool ok,
                         const std::string& device) = 0;
};

class PhysMem {
public:
    static constexpr unsigned kPageShift = 12;
    static constexpr uint64_t kPageSize = uint64_t{1} << kPageShift;

    PhysMem() = default;
    ~PhysMem();
    PhysMem(const PhysMem&) = delete;
    PhysMem& operator=(const PhysMem&) = delete;

    // Regions must be page aligned and must not overlap; throws
    // std::invalid_argument otherwise.
    void add_ram(uint64_t base, uint64_t size, std::string name = "ram");
    void add_mmio(uint64_t base, uint64_t size, MmioTarget* target, std::string name);

    // Host pointer to [paddr, paddr+len) when it lies inside one RAM region.
    uint8_t* ram_ptr(uint64_t paddr, uint64_t len = 1) const;
    bool is_ram(uint64_t paddr, uint64_t len = 1) const { return ram_ptr(paddr, len) != nullptr; }

    // Aligned-or-not access of 1/2/4/8 bytes: RAM or MMIO. false = bus error.
    bool read(uint64_t paddr, unsigned width, uint64_t& value);
    bool write(uint64_t paddr, unsigned width, uint64_t value);

    // Bulk copies for loaders and debuggers (RAM only). false when any byte
    // of the range is not RAM.
    bool read_block(uint64_t paddr, void* dst, uint64_t len) const;
    bool write_block(uint64_t paddr, const void* src, uint64_t len);

    // Predecoded-code tracking: a page marked as code makes every store to
    // it call the observers (which drop their decoded copies). Stores from
    // a hart's fast path never reach such a page: harts refuse to cache
    // writable translations of code pages.
    void mark_code_page(uint64_t paddr);
    bool is_code_page(uint64_t paddr) const;
    void add_code_observer(CodeObserver* o) { observers_.push_back(o); }
    void remove_code_observer(CodeObserver* o);
    // Notify observers if [paddr, paddr+len) touches a code page; returns
    // true if it did.
    bool note_write(uint64_t paddr, uint64_t len);

    struct Region {
        uint64_t base = 0;
        uint64_t size = 0;
        uint8_t* host = nullptr;        // RAM
        MmioTarget* mmio = nullptr;     // MMIO
        std::string name;
        std::vector<uint8_t> code_pages; // RAM only: one flag per page
    };
    const std::vector<Region>& regions() const { return regions_; }
    // null: MMIO is not traced (looked at on the MMIO path only).
    MmioObserver* mmio_observer = nullptr;
    const Region* find(uint64_t paddr) const;

private:
    Region* find_mut(uint64_t paddr);
    std::vector<Region> regions_;   // sorted by base
    std::vector<CodeObserver*> observers_;
    mutable const Region* last_ = nullptr;
};

} // namespace hvemu::isa
