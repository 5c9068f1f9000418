// Little-endian field writers keep the output independent of the host.
#include "emu/loader/elf_writer.hpp"

#include <elf.h>

#include <cstddef>

namespace hvemu::emu {

namespace {

struct Out {
    std::vector<uint8_t> b;
    template <class T> void put_at(size_t off, T v) {
        if (b.size() < off + sizeof(T)) b.resize(off + sizeof(T));
        for (unsigned i = 0; i < sizeof(T); i++) b[off + i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
    }
    void align(size_t a) { b.resize((b.size() + a - 1) / a * a); }
    size_t append(const std::vector<uint8_t>& d) {
        const size_t off = b.size();
        b.insert(b.end(), d.begin(), d.end());
        return off;
    }
};

} // namespace

std::vector<uint8_t> write_elf(const ElfWriterInput& in) {
    Out o;
    o.b.assign(sizeof(Elf64_Ehdr), 0);
    o.b[EI_MAG0] = ELFMAG0;
    o.b[EI_MAG1] = ELFMAG1;
    o.b[EI_MAG2] = ELFMAG2;
    o.b[EI_MAG3] = ELFMAG3;
    o.b[EI_CLASS] = ELFCLASS64;
    o.b[EI_DATA] = ELFDATA2LSB;
    o.b[EI_VERSION] = EV_CURRENT;
    o.put_at<uint16_t>(offsetof(Elf64_Ehdr, e_type), ET_EXEC);
    o.put_at<uint16_t>(offsetof(Elf64_Ehdr, e_machine), in.machine);
    o.put_at<uint32_t>(offsetof(Elf64_Ehdr, e_version), EV_CURRENT);
    o.put_at<uint64_t>(offsetof(Elf64_Ehdr, e_entry), in.entry);
    o.put_at<uint64_t>(offsetof(Elf64_Ehdr, e_phoff), sizeof(Elf64_Ehdr));
    o.put_at<uint16_t>(offsetof(Elf64_Ehdr, e_ehsize), sizeof(Elf64_Ehdr));
    o.put_at<uint16_t>(offsetof(Elf64_Ehdr, e_phentsize), sizeof(Elf64_Phdr));
    o.put_at<uint16_t>(offsetof(Elf64_Ehdr, e_phnum), static_cast<uint16_t>(in.segments.size()));

    const size_t phoff = o.b.size();
    o.b.resize(phoff + in.segments.size() * sizeof(Elf64_Phdr));
    for (size_t i = 0; i < in.segments.size(); i++) {
        const ElfWriterSegment& s = in.segments[i];
        o.align(8);
        const size_t data_off = o.append(s.data);
        const size_t p = phoff + i * sizeof(Elf64_Phdr);
        o.put_at<uint32_t>(p + offsetof(Elf64_Phdr, p_type), PT_LOAD);
        o.put_at<uint32_t>(p + offsetof(Elf64_Phdr, p_flags), s.flags);
        o.put_at<uint64_t>(p + offsetof(Elf64_Phdr, p_offset), data_off);
        o.put_at<uint64_t>(p + offsetof(Elf64_Phdr, p_vaddr), s.paddr);
        o.put_at<uint64_t>(p + offsetof(Elf64_Phdr, p_paddr), s.paddr);
        o.put_at<uint64_t>(p + offsetof(Elf64_Phdr, p_filesz), s.data.size());
        o.put_at<uint64_t>(p + offsetof(Elf64_Phdr, p_memsz), s.memsz ? s.memsz : s.data.size());
        o.put_at<uint64_t>(p + offsetof(Elf64_Phdr, p_align), 8);
    }
    if (in.symbols.empty()) return o.b;

    // .strtab and .symtab (entry 0 is the null symbol)
    std::vector<uint8_t> strtab{0};
    std::vector<uint8_t> symtab(sizeof(Elf64_Sym), 0);
    for (const auto& s : in.symbols) {
        const size_t name = strtab.size();
        strtab.insert(strtab.end(), s.name.begin(), s.name.end());
        strtab.push_back(0);
        Out e;
        e.put_at<uint32_t>(offsetof(Elf64_Sym, st_name), static_cast<uint32_t>(name));
        e.put_at<uint8_t>(offsetof(Elf64_Sym, st_info), ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT));
        e.put_at<uint16_t>(offsetof(Elf64_Sym, st_shndx), SHN_ABS);
        e.put_at<uint64_t>(offsetof(Elf64_Sym, st_value), s.value);
        e.b.resize(sizeof(Elf64_Sym));
        symtab.insert(symtab.end(), e.b.begin(), e.b.end());
    }
    const std::vector<uint8_t> shstrtab = {0, '.', 's', 'y', 'm', 't', 'a', 'b', 0, '.', 's', 't', 'r', 't', 'a',
                                           'b', 0, '.', 's', 'h', 's', 't', 'r', 't', 'a', 'b', 0};
    o.align(8);
    const size_t symtab_off = o.append(symtab);
    const size_t strtab_off = o.append(strtab);
    const size_t shstrtab_off = o.append(shstrtab);
    o.align(8);
    const size_t shoff = o.b.size();
    struct Sec {
        uint32_t name, type, link, info;
        size_t off, size, entsize;
    };
    const Sec secs[4] = {
        {0, SHT_NULL, 0, 0, 0, 0, 0},
        {1, SHT_SYMTAB, 2, 1, symtab_off, symtab.size(), sizeof(Elf64_Sym)},
        {9, SHT_STRTAB, 0, 0, strtab_off, strtab.size(), 0},
        {17, SHT_STRTAB, 0, 0, shstrtab_off, shstrtab.size(), 0},
    };
    o.b.resize(shoff + 4 * sizeof(Elf64_Shdr));
    for (unsigned i = 0; i < 4; i++) {
        const size_t p = shoff + i * sizeof(Elf64_Shdr);
        o.put_at<uint32_t>(p + offsetof(Elf64_Shdr, sh_name), secs[i].name);
        o.put_at<uint32_t>(p + offsetof(Elf64_Shdr, sh_type), secs[i].type);
        o.put_at<uint64_t>(p + offsetof(Elf64_Shdr, sh_offset), secs[i].off);
        o.put_at<uint64_t>(p + offsetof(Elf64_Shdr, sh_size), secs[i].size);
        o.put_at<uint32_t>(p + offsetof(Elf64_Shdr, sh_link), secs[i].link);
        o.put_at<uint32_t>(p + offsetof(Elf64_Shdr, sh_info), secs[i].info);
        o.put_at<uint64_t>(p + offsetof(Elf64_Shdr, sh_entsize), secs[i].entsize);
    }
    o.put_at<uint64_t>(offsetof(Elf64_Ehdr, e_shoff), shoff);
    o.put_at<uint16_t>(offsetof(Elf64_Ehdr, e_shentsize), sizeof(Elf64_Shdr));
    o.put_at<uint16_t>(offsetof(Elf64_Ehdr, e_shnum), 4);
    o.put_at<uint16_t>(offsetof(Elf64_Ehdr, e_shstrndx), 3);
    return o.b;
}

} // namespace hvemu::emu
