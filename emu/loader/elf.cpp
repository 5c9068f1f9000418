// ELF64 parsing with every field checked before it is used: the input may
// be truncated, mutated or hostile, and must give a LoadError, never a
// read outside the buffer. Offsets and sizes are added only through
// overflow-safe helpers.
#include "emu/loader/elf.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace hvemu::emu {

namespace {

constexpr uint64_t kMaxFileSize = uint64_t{2} << 30;   // no guest image is this large

template <class T> T le(const uint8_t* p) {
    T v = 0;
    for (unsigned i = 0; i < sizeof(T); i++) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
    return v;
}

// [off, off+len) lies inside [0, size).
bool inside(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

// a * b without overflow; false when it would overflow.
bool mul_ok(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_mul_overflow(a, b, &out); }

struct Reader {
    std::span<const uint8_t> b;
    std::string_view what;

    [[noreturn]] void fail(const std::string& msg) const { throw LoadError(fmt::format("{}: {}", what, msg)); }
    template <class T> T get(uint64_t off) const {
        if (!inside(off, sizeof(T), b.size())) fail("truncated file");
        return le<T>(b.data() + off);
    }
};

struct Ehdr {
    uint16_t type, machine, ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
    uint32_t version;
    uint64_t entry, phoff, shoff;
};

Ehdr read_ehdr(const Reader& r, const ElfOptions& opt) {
    const auto& b = r.b;
    if (b.size() < SELFMAG || std::memcmp(b.data(), ELFMAG, SELFMAG) != 0)
        r.fail(b.size() < SELFMAG ? fmt::format("not an ELF file (only {} bytes)", b.size())
                                  : std::string("not an ELF file (bad magic number)"));
    if (b.size() < EI_NIDENT) r.fail("truncated ELF identification");
    if (b[EI_CLASS] == ELFCLASS32) r.fail("32-bit ELF (ELFCLASS32); a 64-bit ELF is required");
    if (b[EI_CLASS] != ELFCLASS64) r.fail(fmt::format("invalid ELF class {}", b[EI_CLASS]));
    if (b[EI_DATA] == ELFDATA2MSB) r.fail("big-endian ELF; a little-endian ELF is required");
    if (b[EI_DATA] != ELFDATA2LSB) r.fail(fmt::format("invalid ELF data encoding {}", b[EI_DATA]));
    if (b[EI_VERSION] != EV_CURRENT) r.fail(fmt::format("unsupported ELF version {}", b[EI_VERSION]));
    if (b.size() < sizeof(Elf64_Ehdr))
        r.fail(fmt::format("truncated ELF header ({} of {} bytes)", b.size(), sizeof(Elf64_Ehdr)));

    Ehdr h{};
    h.type = r.get<uint16_t>(offsetof(Elf64_Ehdr, e_type));
    h.machine = r.get<uint16_t>(offsetof(Elf64_Ehdr, e_machine));
    h.version = r.get<uint32_t>(offsetof(Elf64_Ehdr, e_version));
    h.entry = r.get<uint64_t>(offsetof(Elf64_Ehdr, e_entry));
    h.phoff = r.get<uint64_t>(offsetof(Elf64_Ehdr, e_phoff));
    h.shoff = r.get<uint64_t>(offsetof(Elf64_Ehdr, e_shoff));
    h.ehsize = r.get<uint16_t>(offsetof(Elf64_Ehdr, e_ehsize));
    h.phentsize = r.get<uint16_t>(offsetof(Elf64_Ehdr, e_phentsize));
    h.phnum = r.get<uint16_t>(offsetof(Elf64_Ehdr, e_phnum));
    h.shentsize = r.get<uint16_t>(offsetof(Elf64_Ehdr, e_shentsize));
    h.shnum = r.get<uint16_t>(offsetof(Elf64_Ehdr, e_shnum));
    h.shstrndx = r.get<uint16_t>(offsetof(Elf64_Ehdr, e_shstrndx));

    if (h.machine != opt.machine)
        r.fail(fmt::format("ELF is for {} (e_machine {}), not {} (e_machine {})", elf_machine_name(h.machine),
                           h.machine, elf_machine_name(opt.machine), opt.machine));
    if (h.type != ET_EXEC && h.type != ET_DYN)
        r.fail(fmt::format("not an executable (e_type {}{})", h.type,
                           h.type == ET_REL ? ", a relocatable object" : h.type == ET_CORE ? ", a core file" : ""));
    if (h.version != EV_CURRENT) r.fail(fmt::format("unsupported ELF version {} in e_version", h.version));
    if (h.ehsize != sizeof(Elf64_Ehdr)) r.fail(fmt::format("bad ELF header size {} (e_ehsize)", h.ehsize));
    return h;
}

struct Phdr {
    uint32_t type;
    uint64_t offset, paddr, filesz, memsz;
};

std::vector<Phdr> read_phdrs(const Reader& r, const Ehdr& h) {
    if (h.phnum == 0) r.fail("no program headers");
    if (h.phnum == PN_XNUM) r.fail("extended program header numbering is not supported");
    if (h.phentsize != sizeof(Elf64_Phdr))
        r.fail(fmt::format("bad program header entry size {} (e_phentsize)", h.phentsize));
    uint64_t table = 0;
    if (!mul_ok(h.phnum, sizeof(Elf64_Phdr), table) || !inside(h.phoff, table, r.b.size()))
        r.fail(fmt::format("program header table (offset {:#x}, {} entries) lies outside the file", h.phoff,
                           h.phnum));
    std::vector<Phdr> out;
    for (unsigned i = 0; i < h.phnum; i++) {
        const uint64_t p = h.phoff + uint64_t{i} * sizeof(Elf64_Phdr);
        Phdr ph{};
        ph.type = r.get<uint32_t>(p + offsetof(Elf64_Phdr, p_type));
        ph.offset = r.get<uint64_t>(p + offsetof(Elf64_Phdr, p_offset));
        ph.paddr = r.get<uint64_t>(p + offsetof(Elf64_Phdr, p_paddr));
        ph.filesz = r.get<uint64_t>(p + offsetof(Elf64_Phdr, p_filesz));
        ph.memsz = r.get<uint64_t>(p + offsetof(Elf64_Phdr, p_memsz));
        if (ph.type != PT_LOAD) continue;
        if (ph.filesz > ph.memsz)
            r.fail(fmt::format("segment {}: file size {:#x} exceeds memory size {:#x}", i, ph.filesz, ph.memsz));
        if (!inside(ph.offset, ph.filesz, r.b.size()))
            r.fail(fmt::format("segment {}: file bytes [{:#x}, +{:#x}) lie outside the file ({} bytes)", i,
                               ph.offset, ph.filesz, r.b.size()));
        if (ph.paddr + ph.memsz < ph.paddr)
            r.fail(fmt::format("segment {}: address {:#x} + size {:#x} overflows", i, ph.paddr, ph.memsz));
        out.push_back(ph);
    }
    return out;
}

void check_segments_in_ram(const Reader& r, const isa::PhysMem& mem, std::vector<Phdr>& segs) {
    std::erase_if(segs, [](const Phdr& p) { return p.memsz == 0; });
    if (segs.empty()) r.fail("no loadable segments");
    for (const Phdr& p : segs)
        if (!mem.is_ram(p.paddr, p.memsz))
            r.fail(fmt::format("segment at [{:#x}, {:#x}) is outside RAM", p.paddr, p.paddr + p.memsz));
    std::vector<Phdr> sorted = segs;
    std::sort(sorted.begin(), sorted.end(), [](const Phdr& a, const Phdr& b) { return a.paddr < b.paddr; });
    for (size_t i = 1; i < sorted.size(); i++)
        if (sorted[i].paddr < sorted[i - 1].paddr + sorted[i - 1].memsz)
            r.fail(fmt::format("segments at {:#x} and {:#x} overlap", sorted[i - 1].paddr, sorted[i].paddr));
}

struct Shdr {
    uint32_t type, link;
    uint64_t offset, size, entsize;
};

// Symbols of the (only) SHT_SYMTAB section; no section table: none.
void read_symbols(const Reader& r, const Ehdr& h, std::map<std::string, uint64_t, std::less<>>& syms) {
    if (h.shoff == 0) return;   // stripped of its section table
    if (h.shnum == 0) r.fail("extended section numbering is not supported");
    if (h.shentsize != sizeof(Elf64_Shdr))
        r.fail(fmt::format("bad section header entry size {} (e_shentsize)", h.shentsize));
    uint64_t table = 0;
    if (!mul_ok(h.shnum, sizeof(Elf64_Shdr), table) || !inside(h.shoff, table, r.b.size()))
        r.fail(fmt::format("section header table (offset {:#x}, {} entries) lies outside the file", h.shoff,
                           h.shnum));
    if (h.shstrndx != SHN_UNDEF && h.shstrndx >= h.shnum)
        r.fail(fmt::format("section name table index {} is out of range (e_shstrndx)", h.shstrndx));

    std::vector<Shdr> sh(h.shnum);
    for (unsigned i = 0; i < h.shnum; i++) {
        const uint64_t p = h.shoff + uint64_t{i} * sizeof(Elf64_Shdr);
        sh[i].type = r.get<uint32_t>(p + offsetof(Elf64_Shdr, sh_type));
        sh[i].link = r.get<uint32_t>(p + offsetof(Elf64_Shdr, sh_link));
        sh[i].offset = r.get<uint64_t>(p + offsetof(Elf64_Shdr, sh_offset));
        sh[i].size = r.get<uint64_t>(p + offsetof(Elf64_Shdr, sh_size));
        sh[i].entsize = r.get<uint64_t>(p + offsetof(Elf64_Shdr, sh_entsize));
        if (sh[i].type != SHT_NOBITS && sh[i].type != SHT_NULL && !inside(sh[i].offset, sh[i].size, r.b.size()))
            r.fail(fmt::format("section {}: bytes [{:#x}, +{:#x}) lie outside the file", i, sh[i].offset,
                               sh[i].size));
    }
    const Shdr* symtab = nullptr;
    for (const Shdr& s : sh) {
        if (s.type != SHT_SYMTAB) continue;
        if (symtab) r.fail("more than one symbol table");
        symtab = &s;
    }
    if (!symtab) return;
    if (symtab->entsize != sizeof(Elf64_Sym))
        r.fail(fmt::format("bad symbol entry size {} in .symtab", symtab->entsize));
    if (symtab->size % sizeof(Elf64_Sym) != 0) r.fail(".symtab size is not a multiple of its entry size");
    if (symtab->link == 0 || symtab->link >= h.shnum || sh[symtab->link].type != SHT_STRTAB)
        r.fail(fmt::format("symbol table links to section {}, which is not a string table", symtab->link));
    const Shdr& strtab = sh[symtab->link];
    const uint8_t* str = r.b.data() + strtab.offset;

    for (uint64_t off = 0; off < symtab->size; off += sizeof(Elf64_Sym)) {
        const uint64_t p = symtab->offset + off;
        const uint32_t name = r.get<uint32_t>(p + offsetof(Elf64_Sym, st_name));
        const uint8_t info = r.get<uint8_t>(p + offsetof(Elf64_Sym, st_info));
        const uint16_t shndx = r.get<uint16_t>(p + offsetof(Elf64_Sym, st_shndx));
        const uint64_t value = r.get<uint64_t>(p + offsetof(Elf64_Sym, st_value));
        if (name == 0 || shndx == SHN_UNDEF) continue;
        if (name >= strtab.size) r.fail(fmt::format("symbol name offset {} lies outside the string table", name));
        const void* nul = std::memchr(str + name, 0, strtab.size - name);
        if (!nul) r.fail("symbol name runs past the end of the string table");
        std::string s(reinterpret_cast<const char*>(str + name), static_cast<const uint8_t*>(nul) - (str + name));
        const bool global = ELF64_ST_BIND(info) != STB_LOCAL;
        auto it = syms.find(s);
        if (it == syms.end()) syms.emplace(std::move(s), value);
        else if (global) it->second = value;   // a global definition wins over locals of the same name
    }
}

} // namespace

std::string elf_machine_name(uint16_t machine) {
    switch (machine) {
    case EM_386: return "i386";
    case EM_ARM: return "32-bit Arm";
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_RISCV: return "RISC-V";
    case EM_MIPS: return "MIPS";
    case EM_PPC: return "PowerPC";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "s390";
    case EM_SPARCV9: return "SPARC V9";
    case EM_LOONGARCH: return "LoongArch";
    default: return fmt::format("machine {}", machine);
    }
}

uint64_t ElfImage::lowest() const {
    uint64_t lo = ~0ull;
    for (const auto& s : segments) lo = std::min(lo, s.paddr);
    return lo;
}

uint64_t ElfImage::highest() const {
    uint64_t hi = 0;
    for (const auto& s : segments) hi = std::max(hi, s.paddr + s.memsz);
    return hi;
}

ElfImage parse_elf(const isa::PhysMem& mem, std::span<const uint8_t> bytes, const ElfOptions& opt,
                   std::string_view what) {
    const Reader r{bytes, what};
    const Ehdr h = read_ehdr(r, opt);
    std::vector<Phdr> segs = read_phdrs(r, h);
    check_segments_in_ram(r, mem, segs);
    ElfImage img;
    img.entry = h.entry;
    if (opt.entry_must_be_ram && !mem.is_ram(h.entry, 2))
        r.fail(fmt::format("entry point {:#x} is outside RAM", h.entry));
    read_symbols(r, h, img.symbols);
    for (const Phdr& p : segs) img.segments.push_back({p.offset, p.paddr, p.filesz, p.memsz});
    return img;
}

ElfImage load_elf(isa::PhysMem& mem, std::span<const uint8_t> bytes, const ElfOptions& opt, std::string_view what) {
    ElfImage img = parse_elf(mem, bytes, opt, what);   // checked everything
    const Reader r{bytes, what};
    static const std::vector<uint8_t> zeros(64 * 1024, 0);
    for (const LoadedSegment& p : img.segments) {
        if (p.filesz && !mem.write_block(p.paddr, bytes.data() + p.offset, p.filesz))
            r.fail(fmt::format("cannot write segment at {:#x}", p.paddr));
        for (uint64_t done = p.filesz; done < p.memsz;) {
            const uint64_t n = std::min<uint64_t>(zeros.size(), p.memsz - done);
            if (!mem.write_block(p.paddr + done, zeros.data(), n))
                r.fail(fmt::format("cannot write segment at {:#x}", p.paddr));
            done += n;
        }
    }
    return img;
}

std::vector<uint8_t> read_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw LoadError(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw LoadError(fmt::format("cannot stat '{}': {}", path, std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) throw LoadError(fmt::format("'{}' is not a regular file", path));
    if (static_cast<uint64_t>(st.st_size) > kMaxFileSize)
        throw LoadError(fmt::format("'{}' is too large ({} bytes)", path, st.st_size));
    std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < data.size()) {
        const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw LoadError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    data.resize(got);
    return data;
}

ElfImage load_elf_file(isa::PhysMem& mem, const std::string& path, const ElfOptions& opt) {
    const std::vector<uint8_t> bytes = read_file(path);
    return load_elf(mem, bytes, opt, path);
}

uint64_t load_raw_file(isa::PhysMem& mem, const std::string& path, uint64_t addr) {
    const std::vector<uint8_t> bytes = read_file(path);
    if (bytes.empty()) throw LoadError(fmt::format("{}: empty file", path));
    if (!mem.is_ram(addr, bytes.size()))
        throw LoadError(fmt::format("{}: {} bytes at {:#x} do not fit in RAM", path, bytes.size(), addr));
    mem.write_block(addr, bytes.data(), bytes.size());
    return bytes.size();
}

} // namespace hvemu::emu
