// Multiboot (version 1) kernels, loaded as `qemu -kernel` loads them: the
// header is found in the first 8 KiB of the file, the image is placed by
// the header's address fields (flag 16, the "a.out kludge") or else by its
// ELF program headers (ELF32 for i386, and ELF64 for x86-64 as GRUB also
// takes them, every address below 4 GiB), and the boot information
// structure (memory sizes, command line, memory map, loader name) is
// built for the entry state the specification defines: EAX = 0x2BADB002,
// EBX = the structure's physical address.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "emu/loader/elf.hpp"
#include "isa/common/phys_mem.hpp"

namespace hvemu::emu {

namespace multiboot {
constexpr uint32_t kHeaderMagic = 0x1BADB002;
constexpr uint32_t kBootMagic = 0x2BADB002;    // in EAX at the entry
constexpr uint32_t kSearchBytes = 8192;
// Header flags: bits 0-15 are requirements a loader must meet or refuse.
constexpr uint32_t HF_PAGE_ALIGN = 1u << 0, HF_MEMORY_INFO = 1u << 1, HF_VIDEO_MODE = 1u << 2;
constexpr uint32_t HF_ADDRESSES = 1u << 16;
// Info flags
constexpr uint32_t IF_MEMORY = 1u << 0, IF_BOOTDEV = 1u << 1, IF_CMDLINE = 1u << 2, IF_MODS = 1u << 3;
constexpr uint32_t IF_MMAP = 1u << 6, IF_LOADER_NAME = 1u << 9;
// Info structure offsets (the fields up to the VBE block)
constexpr uint32_t MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_BOOT_DEVICE = 12, MBI_CMDLINE = 16;
constexpr uint32_t MBI_MODS_COUNT = 20, MBI_MODS_ADDR = 24, MBI_MMAP_LENGTH = 44, MBI_MMAP_ADDR = 48;
constexpr uint32_t MBI_LOADER_NAME = 64, MBI_SIZE = 88;
constexpr uint32_t kMemAvailable = 1, kMemReserved = 2;   // memory map entry types
} // namespace multiboot

struct MultibootHeader {
    uint32_t file_offset = 0;    // where the magic is in the file
    uint32_t flags = 0;
    // Valid with HF_ADDRESSES:
    uint32_t header_addr = 0, load_addr = 0, load_end_addr = 0, bss_end_addr = 0, entry_addr = 0;
};

// The first header with a valid checksum in the first 8 KiB (32-bit
// aligned), if any.
std::optional<MultibootHeader> find_multiboot_header(std::span<const uint8_t> bytes);

struct MultibootImage {
    MultibootHeader header;
    uint32_t entry = 0;                      // physical
    std::vector<LoadedSegment> segments;
    bool elf = false;                        // placed by ELF program headers
    uint64_t lowest() const;
    uint64_t highest() const;
};

// Parse and check (LoadError naming the problem), nothing written.
MultibootImage parse_multiboot(const isa::PhysMem& mem, std::span<const uint8_t> bytes, std::string_view what);
// Parse, check, then copy the image into `mem` (zero-filling bss).
MultibootImage load_multiboot(isa::PhysMem& mem, std::span<const uint8_t> bytes, std::string_view what);

struct MemoryMapEntry {
    uint64_t base = 0;
    uint64_t length = 0;
    uint32_t type = multiboot::kMemAvailable;
};

struct MultibootInfoInput {
    uint32_t mem_lower_kib = 0;     // conventional memory below 1 MiB
    uint32_t mem_upper_kib = 0;     // from 1 MiB to the first hole
    std::string cmdline;
    std::string loader_name = "hvemu";
    std::vector<MemoryMapEntry> mmap;
};

// The boot information structure and everything it points to, laid out to
// sit at physical address `at`: the structure, the memory map, the command
// line and the loader name (no modules: mods_count = 0).
std::vector<uint8_t> build_multiboot_info(const MultibootInfoInput& in, uint32_t at);

} // namespace hvemu::emu
