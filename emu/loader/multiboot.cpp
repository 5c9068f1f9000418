// Multiboot v1 loading with every field checked before use (the file may
// be truncated or hostile): header search, the a.out-kludge addresses or
// the ELF32/ELF64 program headers, and the boot information layout.
#include "emu/loader/multiboot.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace hvemu::emu {

using namespace multiboot;

namespace {

constexpr uint64_t k4G = uint64_t{1} << 32;
constexpr uint16_t kEm386 = 3, kEmX86_64 = 62;
constexpr uint32_t kPtLoad = 1;
constexpr uint16_t kEtExec = 2;

template <class T> T le(std::span<const uint8_t> b, uint64_t off) {
    T v = 0;
    for (unsigned i = 0; i < sizeof(T); i++) v |= static_cast<T>(static_cast<T>(b[off + i]) << (8 * i));
    return v;
}

bool inside(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

struct Reader {
    std::span<const uint8_t> b;
    std::string_view what;
    [[noreturn]] void fail(const std::string& msg) const { throw LoadError(fmt::format("{}: {}", what, msg)); }
    template <class T> T get(uint64_t off) const {
        if (!inside(off, sizeof(T), b.size())) fail("truncated file");
        return le<T>(b, off);
    }
};

void put32(std::vector<uint8_t>& v, size_t off, uint32_t x) {
    for (unsigned i = 0; i < 4; i++) v[off + i] = static_cast<uint8_t>(x >> (8 * i));
}
void put64(std::vector<uint8_t>& v, size_t off, uint64_t x) {
    put32(v, off, static_cast<uint32_t>(x));
    put32(v, off + 4, static_cast<uint32_t>(x >> 32));
}

void check_placement(const Reader& r, const isa::PhysMem& mem, uint64_t paddr, uint64_t memsz) {
    if (paddr >= k4G || memsz > k4G - paddr)
        r.fail(fmt::format("segment at {:#x} (size {:#x}) is not below 4 GiB", paddr, memsz));
    if (memsz && !mem.is_ram(paddr, memsz))
        r.fail(fmt::format("segment [{:#x}, {:#x}) is not in RAM", paddr, paddr + memsz));
}

// The a.out kludge: the header says where the file goes.
void place_by_addresses(const Reader& r, const isa::PhysMem& mem, MultibootImage& img) {
    const MultibootHeader& h = img.header;
    if (h.header_addr < h.load_addr) r.fail("multiboot header_addr is below load_addr");
    const uint64_t before = h.header_addr - h.load_addr;
    if (before > h.file_offset) r.fail("multiboot load_addr lies before the start of the file");
    const uint64_t load_off = h.file_offset - before;
    const uint64_t avail = r.b.size() - load_off;
    uint64_t filesz = avail;
    if (h.load_end_addr != 0) {
        if (h.load_end_addr < h.load_addr) r.fail("multiboot load_end_addr is below load_addr");
        filesz = uint64_t{h.load_end_addr} - h.load_addr;
        if (filesz > avail) r.fail("multiboot load_end_addr extends past the end of the file");
    }
    uint64_t memsz = filesz;
    if (h.bss_end_addr != 0) {
        if (uint64_t{h.bss_end_addr} < h.load_addr + filesz) r.fail("multiboot bss_end_addr is below load_end_addr");
        memsz = uint64_t{h.bss_end_addr} - h.load_addr;
    }
    check_placement(r, mem, h.load_addr, memsz);
    img.segments.push_back({load_off, h.load_addr, filesz, memsz});
    img.entry = h.entry_addr;
}

void place_by_elf(const Reader& r, const isa::PhysMem& mem, MultibootImage& img) {
    const auto& b = r.b;
    if (b.size() < 4 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
        r.fail("not an ELF file and the multiboot header gives no load addresses (flag 16)");
    if (b.size() < 16) r.fail("truncated ELF identification");
    const bool is64 = b[4] == 2;
    if (b[4] != 1 && b[4] != 2) r.fail(fmt::format("invalid ELF class {}", b[4]));
    if (b[5] != 1) r.fail("big-endian ELF; a little-endian ELF is required");
    const uint16_t type = r.get<uint16_t>(16), machine = r.get<uint16_t>(18);
    if (type != kEtExec) r.fail(fmt::format("ELF type {} is not an executable (ET_EXEC)", type));
    const uint16_t want = is64 ? kEmX86_64 : kEm386;
    if (machine != want)
        r.fail(fmt::format("ELF machine {} ({}); a {} multiboot kernel must be {}", machine, elf_machine_name(machine),
                           is64 ? "64-bit" : "32-bit", elf_machine_name(want)));
    const uint64_t entry = is64 ? r.get<uint64_t>(24) : r.get<uint32_t>(24);
    const uint64_t phoff = is64 ? r.get<uint64_t>(32) : r.get<uint32_t>(28);
    const uint16_t phentsize = r.get<uint16_t>(is64 ? 54 : 42), phnum = r.get<uint16_t>(is64 ? 56 : 44);
    const unsigned want_ph = is64 ? 56 : 32;
    if (phnum == 0) r.fail("no program headers");
    if (phentsize != want_ph) r.fail(fmt::format("program header size {} (expected {})", phentsize, want_ph));
    if (!inside(phoff, uint64_t{phnum} * phentsize, b.size())) r.fail("program headers lie outside the file");

    bool entry_mapped = false;
    uint64_t entry_pa = entry;
    for (unsigned i = 0; i < phnum; i++) {
        const uint64_t p = phoff + uint64_t{i} * phentsize;
        const uint32_t ptype = r.get<uint32_t>(p);
        uint64_t off, vaddr, paddr, filesz, memsz;
        if (is64) {
            off = r.get<uint64_t>(p + 8);
            vaddr = r.get<uint64_t>(p + 16);
            paddr = r.get<uint64_t>(p + 24);
            filesz = r.get<uint64_t>(p + 32);
            memsz = r.get<uint64_t>(p + 40);
        } else {
            off = r.get<uint32_t>(p + 4);
            vaddr = r.get<uint32_t>(p + 8);
            paddr = r.get<uint32_t>(p + 12);
            filesz = r.get<uint32_t>(p + 16);
            memsz = r.get<uint32_t>(p + 20);
        }
        if (ptype != kPtLoad || memsz == 0) continue;
        if (filesz > memsz) r.fail(fmt::format("segment {} has filesz {:#x} > memsz {:#x}", i, filesz, memsz));
        if (!inside(off, filesz, b.size())) r.fail(fmt::format("segment {} lies outside the file", i));
        check_placement(r, mem, paddr, memsz);
        img.segments.push_back({off, paddr, filesz, memsz});
        // The entry is a virtual address; a loader runs it at the
        // physical address of the segment holding it (as GRUB does).
        if (!entry_mapped && entry >= vaddr && entry - vaddr < memsz) {
            entry_pa = paddr + (entry - vaddr);
            entry_mapped = true;
        }
    }
    if (img.segments.empty()) r.fail("no loadable segments");
    if (entry_pa >= k4G) r.fail(fmt::format("entry point {:#x} is not below 4 GiB", entry_pa));
    img.entry = static_cast<uint32_t>(entry_pa);
    img.elf = true;
}

} // namespace

uint64_t MultibootImage::lowest() const {
    uint64_t lo = ~uint64_t{0};
    for (const auto& s : segments) lo = std::min(lo, s.paddr);
    return segments.empty() ? 0 : lo;
}

uint64_t MultibootImage::highest() const {
    uint64_t hi = 0;
    for (const auto& s : segments) hi = std::max(hi, s.paddr + s.memsz);
    return hi;
}

std::optional<MultibootHeader> find_multiboot_header(std::span<const uint8_t> bytes) {
    const uint64_t end = std::min<uint64_t>(bytes.size(), kSearchBytes);
    for (uint64_t off = 0; off + 12 <= end; off += 4) {
        if (le<uint32_t>(bytes, off) != kHeaderMagic) continue;
        const uint32_t flags = le<uint32_t>(bytes, off + 4), sum = le<uint32_t>(bytes, off + 8);
        if (static_cast<uint32_t>(kHeaderMagic + flags + sum) != 0) continue;
        MultibootHeader h;
        h.file_offset = static_cast<uint32_t>(off);
        h.flags = flags;
        if ((flags & HF_ADDRESSES) && inside(off, 32, bytes.size())) {
            h.header_addr = le<uint32_t>(bytes, off + 12);
            h.load_addr = le<uint32_t>(bytes, off + 16);
            h.load_end_addr = le<uint32_t>(bytes, off + 20);
            h.bss_end_addr = le<uint32_t>(bytes, off + 24);
            h.entry_addr = le<uint32_t>(bytes, off + 28);
        }
        return h;
    }
    return std::nullopt;
}

MultibootImage parse_multiboot(const isa::PhysMem& mem, std::span<const uint8_t> bytes, std::string_view what) {
    const Reader r{bytes, what};
    if (bytes.empty()) r.fail("empty file");
    const auto h = find_multiboot_header(bytes);
    if (!h) {
        // Name the ELF's architecture: a kernel for another board lands
        // here only when the board was chosen by hand.
        std::string kind;
        if (bytes.size() >= 20 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F')
            kind = fmt::format("{} ELF: ", elf_machine_name(le<uint16_t>(bytes, 18)));
        r.fail(kind + "no multiboot header in the first 8 KiB (x86_64-pc boots multiboot v1 kernels)");
    }
    // Bits 0-15 are requirements: refuse what cannot be met. Video mode
    // information (bit 2) is ignored as QEMU ignores it: there is no display.
    const uint32_t unmet = h->flags & 0xFFFF & ~(HF_PAGE_ALIGN | HF_MEMORY_INFO | HF_VIDEO_MODE);
    if (unmet) r.fail(fmt::format("the multiboot header requires features this loader lacks (flags {:#x})", unmet));
    MultibootImage img;
    img.header = *h;
    if (h->flags & HF_ADDRESSES) {
        if (!inside(h->file_offset, 32, bytes.size())) r.fail("truncated multiboot header");
        place_by_addresses(r, mem, img);
    } else {
        place_by_elf(r, mem, img);
    }
    if (!mem.is_ram(img.entry, 1)) r.fail(fmt::format("entry point {:#x} is not in RAM", img.entry));
    return img;
}

MultibootImage load_multiboot(isa::PhysMem& mem, std::span<const uint8_t> bytes, std::string_view what) {
    MultibootImage img = parse_multiboot(mem, bytes, what);
    static const uint8_t zeros[4096] = {};
    for (const LoadedSegment& s : img.segments) {
        mem.write_block(s.paddr, bytes.data() + s.offset, s.filesz);
        for (uint64_t a = s.paddr + s.filesz, left = s.memsz - s.filesz; left > 0;) {
            const uint64_t n = std::min<uint64_t>(left, sizeof(zeros));
            mem.write_block(a, zeros, n);
            a += n;
            left -= n;
        }
    }
    return img;
}

std::vector<uint8_t> build_multiboot_info(const MultibootInfoInput& in, uint32_t at) {
    constexpr uint32_t kEntry = 24;   // size field + 20 bytes
    const uint32_t mmap_off = MBI_SIZE;
    const uint32_t cmd_off = mmap_off + kEntry * static_cast<uint32_t>(in.mmap.size());
    const uint32_t name_off = cmd_off + static_cast<uint32_t>(in.cmdline.size()) + 1;
    const uint32_t end = (name_off + static_cast<uint32_t>(in.loader_name.size()) + 1 + 3) & ~3u;
    std::vector<uint8_t> v(end, 0);
    put32(v, MBI_FLAGS, IF_MEMORY | IF_BOOTDEV | IF_CMDLINE | IF_MODS | IF_MMAP | IF_LOADER_NAME);
    put32(v, MBI_MEM_LOWER, in.mem_lower_kib);
    put32(v, MBI_MEM_UPPER, in.mem_upper_kib);
    put32(v, MBI_BOOT_DEVICE, 0x8000FFFF);   // no boot disk: BIOS drive 0x80, no partition
    put32(v, MBI_CMDLINE, at + cmd_off);
    put32(v, MBI_MODS_COUNT, 0);
    put32(v, MBI_MODS_ADDR, 0);
    put32(v, MBI_MMAP_LENGTH, kEntry * static_cast<uint32_t>(in.mmap.size()));
    put32(v, MBI_MMAP_ADDR, at + mmap_off);
    put32(v, MBI_LOADER_NAME, at + name_off);
    for (size_t i = 0; i < in.mmap.size(); i++) {
        const size_t e = mmap_off + kEntry * i;
        put32(v, e, kEntry - 4);   // the size field does not count itself
        put64(v, e + 4, in.mmap[i].base);
        put64(v, e + 12, in.mmap[i].length);
        put32(v, e + 20, in.mmap[i].type);
    }
    std::memcpy(v.data() + cmd_off, in.cmdline.data(), in.cmdline.size());
    std::memcpy(v.data() + name_off, in.loader_name.data(), in.loader_name.size());
    return v;
}

} // namespace hvemu::emu
