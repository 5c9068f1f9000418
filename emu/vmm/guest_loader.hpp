// Loading guest images into a VM's RAM: ELF64 executables (segments at
// their physical addresses, which are guest-physical addresses here) and
// raw binaries at a given address. Every check of emu/loader applies;
// a bad image gives a LoadError naming the problem.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "emu/loader/elf.hpp"
#include "emu/vmm/guest_memory.hpp"

namespace hvemu::emu::vmm {

bool is_elf(std::span<const uint8_t> bytes);

// Segments copied (the part beyond filesz zeroed) through the VM's
// guest-physical to host-physical map; `machine` is the e_machine the VM
// runs (elf_machine::).
ElfImage load_guest_elf(GuestMemory& mem, std::span<const uint8_t> bytes, const std::string& what,
                        uint16_t machine = elf_machine::RISCV);

// A raw image at `gpa`; returns its size. Empty images and images that do
// not fit one RAM region are errors.
uint64_t load_guest_raw(GuestMemory& mem, std::span<const uint8_t> bytes, uint64_t gpa, const std::string& what);

} // namespace hvemu::emu::vmm
