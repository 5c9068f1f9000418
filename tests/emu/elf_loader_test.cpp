// The ELF loader on good, truncated, mutated and hostile images: every bad
// image gives a LoadError with a one-line message, never a crash or a read
// outside the buffer (run these under the sanitizer build too).
#include <catch2/catch.hpp>

#include <elf.h>

#include <cstddef>
#include <cstring>
#include <random>

#include "emu/loader/elf.hpp"
#include "emu/loader/elf_writer.hpp"

using namespace hvemu;
using namespace hvemu::emu;

namespace {

constexpr uint64_t kRam = 0x80000000, kRamSize = 1 << 20;

struct Mem {
    isa::PhysMem mem;
    Mem() { mem.add_ram(kRam, kRamSize); }
};

ElfWriterInput sample() {
    ElfWriterInput in;
    in.entry = kRam;
    in.segments.push_back({kRam, {0x13, 0, 0, 0, 0x6f, 0, 0, 0}, 0, 5});                 // nop; j .
    in.segments.push_back({kRam + 0x1000, {1, 2, 3, 4, 5, 6, 7, 8}, 0x100, 6});         // data + bss
    in.symbols = {{"tohost", kRam + 0x1000}, {"fromhost", kRam + 0x1008}, {"main", kRam}};
    return in;
}

template <class T> void poke(std::vector<uint8_t>& b, size_t off, T v) { std::memcpy(b.data() + off, &v, sizeof(T)); }

std::string load_error(const std::vector<uint8_t>& bytes, uint16_t machine = elf_machine::RISCV) {
    Mem m;
    ElfOptions opt;
    opt.machine = machine;
    try {
        load_elf(m.mem, bytes, opt, "t.elf");
    } catch (const LoadError& e) {
        return e.what();
    }
    return "";
}

constexpr size_t kPh0 = sizeof(Elf64_Ehdr);   // the first program header
constexpr size_t kPh1 = kPh0 + sizeof(Elf64_Phdr);

} // namespace

TEST_CASE("a valid ELF loads its segments, zero-fills bss and finds tohost/fromhost", "[elf]") {
    Mem m;
    // Garbage where bss goes: the loader must clear it.
    std::vector<uint8_t> junk(0x100, 0xAA);
    m.mem.write_block(kRam + 0x1000, junk.data(), junk.size());
    const ElfImage img = load_elf(m.mem, write_elf(sample()), ElfOptions{}, "t.elf");
    CHECK(img.entry == kRam);
    REQUIRE(img.segments.size() == 2);
    CHECK(img.symbol("tohost") == kRam + 0x1000);
    CHECK(img.symbol("fromhost") == kRam + 0x1008);
    CHECK_FALSE(img.symbol("nothere"));
    CHECK(img.lowest() == kRam);
    CHECK(img.highest() == kRam + 0x1100);
    uint8_t buf[0x100];
    m.mem.read_block(kRam + 0x1000, buf, sizeof(buf));
    CHECK(buf[0] == 1);
    CHECK(buf[7] == 8);
    for (size_t i = 8; i < sizeof(buf); i++) REQUIRE(buf[i] == 0);
    uint32_t insn = 0;
    m.mem.read_block(kRam + 4, &insn, 4);
    CHECK(insn == 0x6f);
}

TEST_CASE("an ELF without a section table loads without symbols", "[elf]") {
    ElfWriterInput in = sample();
    in.symbols.clear();
    Mem m;
    const ElfImage img = load_elf(m.mem, write_elf(in), ElfOptions{}, "t.elf");
    CHECK(img.symbols.empty());
}

TEST_CASE("every truncation of a valid ELF is a LoadError", "[elf]") {
    const std::vector<uint8_t> good = write_elf(sample());
    for (size_t len = 0; len < good.size(); len++) {
        std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<ptrdiff_t>(len));
        INFO("length " << len);
        CHECK_FALSE(load_error(cut).empty());
    }
}

TEST_CASE("mutated ELFs load or give a LoadError, never anything else", "[elf]") {
    const std::vector<uint8_t> good = write_elf(sample());
    std::mt19937_64 rng(12345);
    auto try_load = [](const std::vector<uint8_t>& b) {
        Mem m;
        try {
            load_elf(m.mem, b, ElfOptions{}, "t.elf");
        } catch (const LoadError& e) {
            REQUIRE(std::string(e.what()).find('\n') == std::string::npos);
        }
    };
    SECTION("every single byte, several values") {
        for (size_t off = 0; off < good.size(); off++)
            for (uint8_t v : {uint8_t{0x00}, uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
                std::vector<uint8_t> b = good;
                b[off] = v;
                try_load(b);
            }
    }
    SECTION("random multi-byte damage") {
        for (int n = 0; n < 3000; n++) {
            std::vector<uint8_t> b = good;
            const int hits = 1 + static_cast<int>(rng() % 8);
            for (int k = 0; k < hits; k++) b[rng() % b.size()] = static_cast<uint8_t>(rng());
            try_load(b);
        }
    }
    SECTION("64-bit fields set to extreme values") {
        const size_t fields[] = {offsetof(Elf64_Ehdr, e_entry), offsetof(Elf64_Ehdr, e_phoff),
                                 offsetof(Elf64_Ehdr, e_shoff),
                                 kPh0 + offsetof(Elf64_Phdr, p_offset), kPh0 + offsetof(Elf64_Phdr, p_paddr),
                                 kPh0 + offsetof(Elf64_Phdr, p_filesz), kPh0 + offsetof(Elf64_Phdr, p_memsz),
                                 kPh1 + offsetof(Elf64_Phdr, p_offset), kPh1 + offsetof(Elf64_Phdr, p_memsz)};
        for (size_t f : fields)
            for (uint64_t v : {uint64_t{0}, ~uint64_t{0}, ~uint64_t{0} - 7, uint64_t{1} << 63, uint64_t{0xFFFFFFFF}}) {
                std::vector<uint8_t> b = good;
                poke<uint64_t>(b, f, v);
                try_load(b);
            }
    }
}

TEST_CASE("bad ELF images are named precisely", "[elf]") {
    const std::vector<uint8_t> good = write_elf(sample());
    REQUIRE(load_error(good).empty());
    auto mutate = [&](auto f) {
        std::vector<uint8_t> b = good;
        f(b);
        return load_error(b);
    };
    CHECK_THAT(load_error({}), Catch::Contains("not an ELF file"));
    CHECK_THAT(mutate([](auto& b) { b[1] = 'X'; }), Catch::Contains("bad magic"));
    CHECK_THAT(mutate([](auto& b) { b[EI_CLASS] = ELFCLASS32; }), Catch::Contains("32-bit"));
    CHECK_THAT(mutate([](auto& b) { b[EI_DATA] = ELFDATA2MSB; }), Catch::Contains("big-endian"));
    CHECK_THAT(mutate([](auto& b) { b[EI_VERSION] = 7; }), Catch::Contains("version"));
    CHECK_THAT(mutate([](auto& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_machine), EM_X86_64); }),
               Catch::Contains("x86-64") && Catch::Contains("RISC-V"));
    CHECK_THAT(load_error(good, elf_machine::AARCH64), Catch::Contains("RISC-V") && Catch::Contains("AArch64"));
    CHECK_THAT(mutate([](auto& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_type), ET_REL); }),
               Catch::Contains("relocatable"));
    CHECK_THAT(mutate([](auto& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_ehsize), 52); }),
               Catch::Contains("e_ehsize"));
    CHECK_THAT(mutate([](auto& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_phnum), 0); }),
               Catch::Contains("no program headers"));
    CHECK_THAT(mutate([](auto& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_phentsize), 32); }),
               Catch::Contains("e_phentsize"));
    CHECK_THAT(mutate([](auto& b) { poke<uint64_t>(b, offsetof(Elf64_Ehdr, e_phoff), 1 << 20); }),
               Catch::Contains("program header table"));
    CHECK_THAT(mutate([](auto& b) { poke<uint64_t>(b, kPh1 + offsetof(Elf64_Phdr, p_memsz), 4); }),
               Catch::Contains("exceeds memory size"));
    CHECK_THAT(mutate([](auto& b) { poke<uint64_t>(b, kPh0 + offsetof(Elf64_Phdr, p_offset), 1 << 20); }),
               Catch::Contains("outside the file"));
    CHECK_THAT(mutate([](auto& b) { poke<uint64_t>(b, kPh0 + offsetof(Elf64_Phdr, p_paddr), 0x1000); }),
               Catch::Contains("outside RAM"));
    CHECK_THAT(mutate([](auto& b) { poke<uint64_t>(b, kPh0 + offsetof(Elf64_Phdr, p_paddr), ~uint64_t{0} - 3); }),
               Catch::Contains("overflows"));
    CHECK_THAT(mutate([](auto& b) { poke<uint64_t>(b, kPh1 + offsetof(Elf64_Phdr, p_paddr), kRam + 4); }),
               Catch::Contains("overlap"));
    CHECK_THAT(mutate([](auto& b) { poke<uint64_t>(b, offsetof(Elf64_Ehdr, e_entry), 0x1000); }),
               Catch::Contains("entry point 0x1000 is outside RAM"));
    CHECK_THAT(mutate([](auto& b) { poke<uint64_t>(b, offsetof(Elf64_Ehdr, e_shoff), b.size()); }),
               Catch::Contains("section header table"));
    CHECK_THAT(mutate([](auto& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_shentsize), 40); }),
               Catch::Contains("e_shentsize"));
    CHECK_THAT(mutate([](auto& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_shstrndx), 99); }),
               Catch::Contains("e_shstrndx"));
    // Section 1 is .symtab (see elf_writer.cpp): break its string table link.
    const uint64_t shoff = [&] {
        uint64_t v;
        std::memcpy(&v, good.data() + offsetof(Elf64_Ehdr, e_shoff), 8);
        return v;
    }();
    const size_t symtab = shoff + sizeof(Elf64_Shdr);
    CHECK_THAT(mutate([&](auto& b) { poke<uint32_t>(b, symtab + offsetof(Elf64_Shdr, sh_link), 1); }),
               Catch::Contains("not a string table"));
    CHECK_THAT(mutate([&](auto& b) { poke<uint64_t>(b, symtab + offsetof(Elf64_Shdr, sh_entsize), 16); }),
               Catch::Contains("entry size"));
    // The first real symbol's name offset far past the string table.
    const uint64_t symoff = [&] {
        uint64_t v;
        std::memcpy(&v, good.data() + symtab + offsetof(Elf64_Shdr, sh_offset), 8);
        return v;
    }();
    CHECK_THAT(mutate([&](auto& b) { poke<uint32_t>(b, symoff + sizeof(Elf64_Sym), 0x7fffffff); }),
               Catch::Contains("string table"));
}

TEST_CASE("files: a missing file, a directory and raw binaries", "[elf]") {
    Mem m;
    CHECK_THROWS_WITH(load_elf_file(m.mem, "/nonexistent/prog.elf", ElfOptions{}),
                      Catch::Contains("cannot open '/nonexistent/prog.elf'"));
    CHECK_THROWS_WITH(load_elf_file(m.mem, "/", ElfOptions{}), Catch::Contains("not a regular file"));
    CHECK_THROWS_AS(load_raw_file(m.mem, "/nonexistent.bin", kRam), LoadError);
}
