// The ELF checks of emu/loader run against a view of the guest-physical
// address space: a PhysMem with the VM's RAM regions at their guest
// addresses (address space only: its pages are never touched, so it costs
// no memory). The segments are then copied through GuestMemory.
#include "emu/vmm/guest_loader.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace hvemu::emu::vmm {

bool is_elf(std::span<const uint8_t> bytes) {
    return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
}

ElfImage load_guest_elf(GuestMemory& mem, std::span<const uint8_t> bytes, const std::string& what, uint16_t machine) {
    isa::PhysMem view;
    for (const GuestRegion& r : mem.regions()) view.add_ram(r.gpa, r.size, r.name);
    ElfOptions opt;
    opt.machine = machine;
    opt.entry_must_be_ram = true;
    ElfImage img = parse_elf(view, bytes, opt, what);
    static const std::vector<uint8_t> zeros(64 * 1024, 0);
    for (const LoadedSegment& s : img.segments) {
        if (s.filesz && !mem.write(s.paddr, bytes.data() + s.offset, s.filesz))
            throw LoadError(fmt::format("{}: cannot write the segment at {:#x}", what, s.paddr));
        for (uint64_t done = s.filesz; done < s.memsz;) {
            const uint64_t n = std::min<uint64_t>(zeros.size(), s.memsz - done);
            if (!mem.write(s.paddr + done, zeros.data(), n))
                throw LoadError(fmt::format("{}: cannot write the segment at {:#x}", what, s.paddr));
            done += n;
        }
    }
    return img;
}

uint64_t load_guest_raw(GuestMemory& mem, std::span<const uint8_t> bytes, uint64_t gpa, const std::string& what) {
    if (bytes.empty()) throw LoadError(fmt::format("{}: empty image", what));
    if (!mem.to_host(gpa, bytes.size()))
        throw LoadError(fmt::format("{}: {} bytes at guest address {:#x} do not fit in guest RAM", what, bytes.size(),
                                    gpa));
    mem.write(gpa, bytes.data(), bytes.size());
    return bytes.size();
}

} // namespace hvemu::emu::vmm
