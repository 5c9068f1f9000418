// The x86_64-pc machine: multiboot header search and checks, ELF32/ELF64
// and a.out-kludge placement, the boot information structure, the BSP's
// multiboot entry state and the APs' wait-for-SIPI, port dispatch, the
// APIC windows, isa-debug-exit, bad kernels and configurations, and tiny
// hand-assembled guests end to end (UART output, exit status, SMP start
// through INIT-SIPI-SIPI).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "emu/loader/elf_writer.hpp"
#include "emu/loader/multiboot.hpp"
#include "emu/machine/x86_64_pc.hpp"

using namespace hvemu;
using namespace hvemu::emu;

namespace {

constexpr uint32_t kLoad = 0x100000;

void put32(std::vector<uint8_t>& v, size_t off, uint32_t x) {
    if (v.size() < off + 4) v.resize(off + 4);
    for (unsigned i = 0; i < 4; i++) v[off + i] = static_cast<uint8_t>(x >> (8 * i));
}
void put16(std::vector<uint8_t>& v, size_t off, uint16_t x) {
    if (v.size() < off + 2) v.resize(off + 2);
    v[off] = static_cast<uint8_t>(x);
    v[off + 1] = static_cast<uint8_t>(x >> 8);
}
uint32_t get32(const std::vector<uint8_t>& v, size_t off) {
    uint32_t x = 0;
    for (unsigned i = 0; i < 4; i++) x |= uint32_t{v.at(off + i)} << (8 * i);
    return x;
}

// A multiboot header (12 bytes, or 32 with the address fields).
std::vector<uint8_t> mb_header(uint32_t flags, std::vector<uint32_t> addrs = {}) {
    std::vector<uint8_t> h;
    put32(h, 0, multiboot::kHeaderMagic);
    put32(h, 4, flags);
    put32(h, 8, static_cast<uint32_t>(0u - multiboot::kHeaderMagic - flags));
    for (size_t i = 0; i < addrs.size(); i++) put32(h, 12 + 4 * i, addrs[i]);
    return h;
}

struct Seg32 {
    uint32_t vaddr, paddr;
    std::vector<uint8_t> data;
    uint32_t memsz = 0;   // 0: data.size()
};

// A minimal ELF32 executable: header, program headers, segment bytes.
std::vector<uint8_t> elf32(uint32_t entry, const std::vector<Seg32>& segs, uint16_t machine = 3) {
    std::vector<uint8_t> f(52, 0);
    const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    std::memcpy(f.data(), ident, sizeof(ident));
    put16(f, 16, 2);
    put16(f, 18, machine);
    put32(f, 20, 1);
    put32(f, 24, entry);
    put32(f, 28, 52);
    put16(f, 40, 52);
    put16(f, 42, 32);
    put16(f, 44, static_cast<uint16_t>(segs.size()));
    uint32_t off = 52 + 32 * static_cast<uint32_t>(segs.size());
    f.resize(off, 0);
    for (size_t i = 0; i < segs.size(); i++) {
        const size_t p = 52 + 32 * i;
        const Seg32& s = segs[i];
        put32(f, p, 1);
        put32(f, p + 4, off);
        put32(f, p + 8, s.vaddr);
        put32(f, p + 12, s.paddr);
        put32(f, p + 16, static_cast<uint32_t>(s.data.size()));
        put32(f, p + 20, s.memsz ? s.memsz : static_cast<uint32_t>(s.data.size()));
        put32(f, p + 24, 5);
        put32(f, p + 28, 0x1000);
        f.insert(f.end(), s.data.begin(), s.data.end());
        off += static_cast<uint32_t>(s.data.size());
    }
    return f;
}

// A kernel whose first segment (at kLoad) is the header then `code`.
std::vector<uint8_t> kernel32(const std::vector<uint8_t>& code, std::vector<Seg32> more = {}, uint32_t flags = 3) {
    std::vector<uint8_t> data = mb_header(flags);
    data.insert(data.end(), code.begin(), code.end());
    std::vector<Seg32> segs{{kLoad, kLoad, data, 0}};
    segs.insert(segs.end(), more.begin(), more.end());
    return elf32(kLoad + 12, segs);
}

struct Pc {
    X86PcConfig cfg;
    std::string out;
    std::unique_ptr<X86Pc> m;
    explicit Pc(unsigned cpus = 1, uint64_t max_insns = 1000000, std::string cmdline = {}) {
        cfg.num_cpus = cpus;
        cfg.max_insns = max_insns;
        cfg.cmdline = std::move(cmdline);
        cfg.console_input = ConsoleInput::Off;
        cfg.console_sink = [this](uint8_t c) { out.push_back(static_cast<char>(c)); };
        m = std::make_unique<X86Pc>(cfg);
    }
    uint32_t read32(uint64_t pa) {
        uint64_t v = 0;
        REQUIRE(m->mem().read(pa, 4, v));
        return static_cast<uint32_t>(v);
    }
    std::string cstring(uint64_t pa) {
        std::string s;
        uint64_t c = 0;
        while (m->mem().read(pa++, 1, c) && c != 0 && s.size() < 4096) s.push_back(static_cast<char>(c));
        return s;
    }
};

// Runs the hvemu binary; returns the exit status, stdout and stderr.
struct CliRun {
    int status = -1;
    std::string out, err;
};
CliRun run_cli(const std::vector<uint8_t>& kernel, const std::string& args) {
    namespace fs = std::filesystem;
    const std::string hvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";
    REQUIRE(fs::exists(hvemu));   // build the `hvemu` target before the tests
    const fs::path dir = fs::temp_directory_path() / ("hvemu-x86pc-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path k = dir / "kernel.elf", out = dir / "stdout", err = dir / "stderr";
    std::ofstream(k, std::ios::binary)
        .write(reinterpret_cast<const char*>(kernel.data()), static_cast<std::streamsize>(kernel.size()));
    const std::string cmd = "'" + hvemu + "' run " + args + " --kernel '" + k.string() + "' >'" + out.string() +
                            "' 2>'" + err.string() + "' </dev/null";
    const int raw = std::system(cmd.c_str());
    CliRun r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    auto slurp = [](const fs::path& p) {
        std::stringstream ss;
        ss << std::ifstream(p).rdbuf();
        return ss.str();
    };
    r.out = slurp(out);
    r.err = slurp(err);
    std::error_code ec;
    fs::remove_all(dir, ec);
    return r;
}

// x86 encodings used by the guests below.
void out_char(std::vector<uint8_t>& c, char ch) {
    c.insert(c.end(), {0xB0, static_cast<uint8_t>(ch), 0xEE});   // mov al, ch; out dx, al
}
void mov_dx_uart(std::vector<uint8_t>& c) { c.insert(c.end(), {0x66, 0xBA, 0xF8, 0x03}); }   // mov dx, 0x3f8
void exit_with(std::vector<uint8_t>& c, uint8_t v) {
    c.insert(c.end(), {0xB0, v, 0xE6, 0xF4, 0xF4, 0xEB, 0xFD});   // mov al, v; out 0xf4, al; hlt; jmp hlt
}

} // namespace

TEST_CASE("multiboot: the header is found in the first 8 KiB, aligned, with a valid checksum",
          "[emu][x86_64_pc][unit]") {
    std::vector<uint8_t> f(0x3000, 0);
    CHECK_FALSE(find_multiboot_header(f));
    auto bad = mb_header(3);
    bad[8] ^= 1;   // checksum off by one
    std::memcpy(f.data() + 0x100, bad.data(), bad.size());
    auto good = mb_header(0x10003, {0x100200, 0x100000, 0, 0, 0x100220});
    std::memcpy(f.data() + 0x201, good.data(), good.size());   // unaligned: not a header
    CHECK_FALSE(find_multiboot_header(f));
    std::memcpy(f.data() + 0x200, good.data(), good.size());
    auto h = find_multiboot_header(f);
    REQUIRE(h);
    CHECK(h->file_offset == 0x200);
    CHECK(h->flags == 0x10003);
    CHECK(h->header_addr == 0x100200);
    CHECK(h->load_addr == 0x100000);
    CHECK(h->entry_addr == 0x100220);
    std::vector<uint8_t> late(0x3000, 0);
    std::memcpy(late.data() + 0x2000, good.data(), good.size());   // past 8 KiB
    CHECK_FALSE(find_multiboot_header(late));
    std::vector<uint8_t> tail(0x1FF4, 0);
    tail.insert(tail.end(), good.begin(), good.begin() + 12);      // ends exactly at 8 KiB
    CHECK(find_multiboot_header(tail));
    std::vector<uint8_t> straddle(0x1FF8, 0);
    straddle.insert(straddle.end(), good.begin(), good.begin() + 12);   // must lie wholly inside
    CHECK_FALSE(find_multiboot_header(straddle));
}

TEST_CASE("multiboot: ELF32, ELF64 and a.out-kludge kernels are placed and entered", "[emu][x86_64_pc][unit]") {
    isa::PhysMem mem;
    mem.add_ram(0, 16 << 20);
    SECTION("ELF32: physical addresses, the entry translated from virtual") {
        std::vector<uint8_t> d = mb_header(3);
        d.resize(0x40, 0x90);
        const auto f = elf32(0xC0100010, {{0xC0100000, kLoad, d, 0x2000}});
        const MultibootImage img = load_multiboot(mem, f, "k.elf");
        CHECK(img.elf);
        CHECK(img.entry == kLoad + 0x10);
        REQUIRE(img.segments.size() == 1);
        CHECK(img.lowest() == kLoad);
        CHECK(img.highest() == kLoad + 0x2000);
        uint64_t v = 0;
        REQUIRE(mem.read(kLoad, 4, v));
        CHECK(v == multiboot::kHeaderMagic);
        REQUIRE(mem.read(kLoad + 0x1000, 8, v));
        CHECK(v == 0);   // bss zeroed
    }
    SECTION("ELF64 (EM_X86_64) below 4 GiB") {
        ElfWriterInput in;
        in.machine = elf_machine::X86_64;
        in.entry = kLoad + 12;
        std::vector<uint8_t> d = mb_header(0);
        d.push_back(0xF4);
        in.segments.push_back({kLoad, d, 0, 5});
        const MultibootImage img = load_multiboot(mem, write_elf(in), "k64.elf");
        CHECK(img.entry == kLoad + 12);
        uint64_t v = 0;
        REQUIRE(mem.read(kLoad + 12, 1, v));
        CHECK(v == 0xF4);
    }
    SECTION("a.out kludge: the header's addresses, not the file format") {
        std::vector<uint8_t> f(0x40, 0);
        auto h = mb_header(multiboot::HF_ADDRESSES, {0x200010, 0x200000, 0x200038, 0x201000, 0x200030});
        std::memcpy(f.data() + 0x10, h.data(), h.size());
        f[0x30] = 0xF4;
        f[0x38] = 0xAA;   // past load_end_addr: not loaded
        const MultibootImage img = load_multiboot(mem, f, "k.bin");
        CHECK_FALSE(img.elf);
        CHECK(img.entry == 0x200030);
        REQUIRE(img.segments.size() == 1);
        CHECK(img.segments[0].offset == 0);
        CHECK(img.segments[0].filesz == 0x38);
        CHECK(img.segments[0].memsz == 0x1000);
        uint64_t v = 0;
        REQUIRE(mem.read(0x200030, 1, v));
        CHECK(v == 0xF4);
        REQUIRE(mem.read(0x200038, 1, v));
        CHECK(v == 0);
    }
}

TEST_CASE("multiboot: bad kernels are LoadErrors naming the problem", "[emu][x86_64_pc][unit]") {
    isa::PhysMem mem;
    mem.add_ram(0, 16 << 20);
    auto fails = [&mem](const std::vector<uint8_t>& f, const char* needle) {
        try {
            load_multiboot(mem, f, "bad");
            FAIL("no LoadError for: " << needle);
        } catch (const LoadError& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(needle) != std::string::npos);
        }
    };
    const std::vector<uint8_t> code{0xF4};
    fails({}, "empty file");
    fails(std::vector<uint8_t>(100, 0), "no multiboot header");
    {
        ElfWriterInput in;   // a valid ELF without the header
        in.machine = elf_machine::X86_64;
        in.entry = kLoad;
        in.segments.push_back({kLoad, {0xF4}, 0, 5});
        fails(write_elf(in), "no multiboot header");
    }
    fails(kernel32(code, {}, 3 | (1u << 3)), "requires features");
    {
        auto f = kernel32(code);
        put16(f, 18, 40);   // EM_ARM
        fails(f, "ELF machine 40");
    }
    {
        auto f = kernel32(code);
        put16(f, 16, 1);   // ET_REL
        fails(f, "not an executable");
    }
    {
        auto f = kernel32(code);
        f.resize(60);   // the segment data is gone, the header with it
        fails(f, "no multiboot header");
    }
    {
        std::vector<uint8_t> d = mb_header(3);
        fails(elf32(kLoad + 12, {{kLoad, 0x7FFFF000, d, 0}}), "not in RAM");
        fails(elf32(0x5000000, {{kLoad, kLoad, d, 0}}), "entry point 0x5000000 is not in RAM");
        auto f = elf32(kLoad, {{kLoad, kLoad, d, 0}});
        put32(f, 52 + 4, 0x7FFFFFF0);   // segment offset outside the file
        fails(f, "outside the file");
        auto g = elf32(kLoad, {{kLoad, kLoad, d, 4}});   // filesz > memsz
        fails(g, "filesz");
    }
    {
        std::vector<uint8_t> f(0x40, 0);
        auto h = mb_header(multiboot::HF_ADDRESSES, {0x200000, 0x200010, 0, 0, 0x200020});
        std::memcpy(f.data(), h.data(), h.size());
        fails(f, "header_addr is below load_addr");
        h = mb_header(multiboot::HF_ADDRESSES, {0x200000, 0x1FFF00, 0, 0, 0x200020});
        std::memcpy(f.data(), h.data(), h.size());
        fails(f, "before the start of the file");
        h = mb_header(multiboot::HF_ADDRESSES, {0x200000, 0x200000, 0x200100, 0, 0x200020});
        std::memcpy(f.data(), h.data(), h.size());
        fails(f, "past the end of the file");
        h = mb_header(multiboot::HF_ADDRESSES, {0x200000, 0x200000, 0x200020, 0x200010, 0x200020});
        std::memcpy(f.data(), h.data(), h.size());
        fails(f, "bss_end_addr");
        h = mb_header(multiboot::HF_ADDRESSES, {0x200000, 0x200000, 0, 0, 0x7000000});
        std::memcpy(f.data(), h.data(), h.size());
        fails(f, "entry point");
    }
}

TEST_CASE("multiboot: the boot information structure", "[emu][x86_64_pc][unit]") {
    MultibootInfoInput in;
    in.mem_lower_kib = 640;
    in.mem_upper_kib = 1024;
    in.cmdline = "console=ttyS0";
    in.mmap = {{0, 0xA0000, 1}, {0x100000, 0x100000, 1}};
    const uint32_t at = 0x9000;
    const auto v = build_multiboot_info(in, at);
    using namespace multiboot;
    CHECK(get32(v, MBI_FLAGS) == (IF_MEMORY | IF_BOOTDEV | IF_CMDLINE | IF_MODS | IF_MMAP | IF_LOADER_NAME));
    CHECK(get32(v, MBI_MEM_LOWER) == 640);
    CHECK(get32(v, MBI_MEM_UPPER) == 1024);
    CHECK(get32(v, MBI_MODS_COUNT) == 0);
    CHECK(get32(v, MBI_MMAP_LENGTH) == 48);
    const uint32_t mm = get32(v, MBI_MMAP_ADDR) - at;
    CHECK(get32(v, mm) == 20);
    CHECK(get32(v, mm + 24 + 4) == 0x100000);
    CHECK(get32(v, mm + 24 + 12) == 0x100000);
    CHECK(get32(v, mm + 24 + 20) == 1);
    const uint32_t cmd = get32(v, MBI_CMDLINE) - at;
    CHECK(std::string(reinterpret_cast<const char*>(v.data() + cmd)) == "console=ttyS0");
    const uint32_t name = get32(v, MBI_LOADER_NAME) - at;
    CHECK(std::string(reinterpret_cast<const char*>(v.data() + name)) == "hvemu");
    CHECK(v.size() % 4 == 0);
}

TEST_CASE("x86_64-pc: the BSP starts in the multiboot state, the APs wait for SIPI", "[emu][x86_64_pc][unit]") {
    Pc pc(2, 1000, "quiet x=1");
    pc.m->load_kernel(kernel32({0xF4}), "k.elf");
    x86::Core& c = pc.m->cpu(0);
    CHECK(c.rip == kLoad + 12);
    CHECK((c.gpr[0] & 0xFFFFFFFF) == multiboot::kBootMagic);
    CHECK(c.gpr[3] == pc.m->info_addr());
    CHECK((c.cr0 & 0x80000001) == 1);   // PE on, PG off
    CHECK_FALSE(c.rflags & x86::rflags::IF);
    CHECK_FALSE(c.long_mode());
    CHECK(c.seg[x86::CS].selector == X86Pc::kCodeSelector);
    CHECK(c.seg[x86::CS].limit == 0xFFFFFFFF);
    CHECK(c.seg[x86::CS].attr == 0xC09B);
    for (auto s : {x86::DS, x86::ES, x86::SS, x86::FS, x86::GS}) {
        CHECK(c.seg[s].selector == X86Pc::kDataSelector);
        CHECK(c.seg[s].base == 0);
        CHECK(c.seg[s].attr == 0xC093);
    }
    CHECK(c.gdtr.base == pc.m->gdt_addr());
    CHECK(pc.read32(pc.m->gdt_addr() + 8) == 0x0000FFFF);
    CHECK(pc.read32(pc.m->gdt_addr() + 12) == 0x00CF9B00);
    CHECK(pc.read32(pc.m->gdt_addr() + 20) == 0x00CF9300);
    CHECK(pc.m->cpu(1).waiting_sipi);
    CHECK(pc.m->cpu(1).halted);
    // The info structure in memory.
    const uint32_t mbi = pc.m->info_addr();
    CHECK(mbi >= kLoad + 0x1000);   // after the kernel
    CHECK(pc.read32(mbi + multiboot::MBI_MEM_LOWER) == 640);
    CHECK(pc.read32(mbi + multiboot::MBI_MEM_UPPER) == (128u << 10) - 1024);
    CHECK(pc.cstring(pc.read32(mbi + multiboot::MBI_CMDLINE)) == "quiet x=1");
    CHECK(pc.cstring(pc.read32(mbi + multiboot::MBI_LOADER_NAME)) == "hvemu");
    const uint32_t mm = pc.read32(mbi + multiboot::MBI_MMAP_ADDR);
    CHECK(pc.read32(mbi + multiboot::MBI_MMAP_LENGTH) == 48);
    CHECK(pc.read32(mm + 4) == 0);
    CHECK(pc.read32(mm + 12) == 0xA0000);
    CHECK(pc.read32(mm + 24 + 4) == 0x100000);
    CHECK(pc.read32(mm + 24 + 12) == (128u << 20) - 0x100000);
    // The LAPIC and IOAPIC windows answer.
    CHECK(pc.read32(X86Pc::kLapicBase + dev::lapic::VERSION) == dev::lapic::kVersion);
    CHECK(pc.read32(X86Pc::kLapicBase + dev::lapic::ID) == 0);
    REQUIRE(pc.m->mem().write(X86Pc::kIoapicBase, 4, dev::ioapic::REG_VER));
    CHECK(pc.read32(X86Pc::kIoapicBase + dev::ioapic::IOWIN) == 0x00170020);
    CHECK(pc.m->lapic(1).apic_base() == 0xFEE00800);
    CHECK(pc.m->lapic(0).apic_base() == 0xFEE00900);
}

TEST_CASE("x86_64-pc: ports dispatch to the 16550 and isa-debug-exit; the UART interrupts through the IOAPIC",
          "[emu][x86_64_pc][unit]") {
    Pc pc;
    dev::PortBus& p = pc.m->ports();
    CHECK(p.io_write(0x3f8, 1, 'x'));
    uint32_t v = 0;
    CHECK(p.io_read(0x3fd, 1, v));
    CHECK((v & 0x60) == 0x60);
    CHECK_FALSE(p.io_read(0x60, 1, v));
    CHECK(v == 0xFF);
    CHECK(p.unknown_reads() == 1);
    CHECK(p.io_write(0xf4, 1, 0x10));
    CHECK(pc.m->debug_exit().status() == 0x21);
    // UART IRQ 4 -> IOAPIC pin 4 -> LAPIC 0, vector 0x24.
    REQUIRE(pc.m->mem().write(X86Pc::kLapicBase + dev::lapic::SVR, 4, 0x1FF));
    REQUIRE(pc.m->mem().write(X86Pc::kIoapicBase, 4, dev::ioapic::REG_REDTBL + 8));
    REQUIRE(pc.m->mem().write(X86Pc::kIoapicBase + dev::ioapic::IOWIN, 4, 0x24));
    CHECK(p.io_write(0x3f9, 1, 1));   // IER: received data
    pc.m->uart().push_rx('a');
    CHECK(pc.m->lapic(0).irr(0x24));
}

TEST_CASE("x86_64-pc: bad configurations and kernels", "[emu][x86_64_pc][unit]") {
    X86PcConfig cfg;
    cfg.console_input = ConsoleInput::Off;
    cfg.num_cpus = 0;
    CHECK_THROWS_AS(X86Pc(cfg), ConfigError);
    cfg.num_cpus = 1;
    cfg.ram_size = uint64_t{4} << 30;
    CHECK_THROWS_AS(X86Pc(cfg), ConfigError);
    cfg.ram_size = (uint64_t{64} << 20) + 1;
    CHECK_THROWS_AS(X86Pc(cfg), ConfigError);
    Pc pc;
    CHECK_THROWS_AS(pc.m->run(), std::logic_error);
    CHECK_THROWS_AS(pc.m->load_kernel(std::vector<uint8_t>(64, 0), "zeros"), LoadError);
    // A kernel that ends at the top of RAM leaves no room for the info.
    std::vector<uint8_t> d = mb_header(3);
    d.push_back(0xF4);
    CHECK_THROWS_AS(pc.m->load_kernel(elf32(kLoad + 12, {{kLoad, kLoad, d, 127u << 20}}), "big"),
                    LoadError);
    CHECK_THROWS_AS(pc.m->load_kernel_file("/nonexistent/kernel.elf"), LoadError);
}

TEST_CASE("x86_64-pc: a 32-bit multiboot guest prints through the 16550 and exits through port 0xf4",
          "[emu][x86_64_pc][unit]") {
    Pc pc;
    std::vector<uint8_t> c;
    // cmp eax, 0x2BADB002; jne bad
    c.insert(c.end(), {0x3D, 0x02, 0xB0, 0xAD, 0x2B, 0x75, 0x00});
    const size_t jne1 = c.size() - 1;
    // cmp dword [ebx + 4], 640; jne bad
    c.insert(c.end(), {0x81, 0x7B, 0x04, 0x80, 0x02, 0x00, 0x00, 0x75, 0x00});
    const size_t jne2 = c.size() - 1;
    mov_dx_uart(c);
    out_char(c, 'O');
    out_char(c, 'K');
    out_char(c, '\n');
    exit_with(c, 0x10);
    const size_t bad = c.size();
    c[jne1] = static_cast<uint8_t>(bad - (jne1 + 1));
    c[jne2] = static_cast<uint8_t>(bad - (jne2 + 1));
    mov_dx_uart(c);
    out_char(c, '?');
    exit_with(c, 0x7F);
    pc.m->load_kernel(kernel32(c), "hello.elf");
    const RunResult r = pc.m->run();
    INFO(r.message);
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(pc.out == "OK\n");
    CHECK(r.exit_code == 0x21);
}

TEST_CASE("x86_64-pc: the BSP starts an AP with INIT-SIPI-SIPI through the LAPIC ICR", "[emu][x86_64_pc][unit]") {
    Pc pc(2);
    std::vector<uint8_t> bsp;
    auto mov_mem = [&bsp](uint32_t addr, uint32_t v) {   // mov dword [addr], v
        bsp.insert(bsp.end(), {0xC7, 0x05});
        for (unsigned i = 0; i < 4; i++) bsp.push_back(static_cast<uint8_t>(addr >> (8 * i)));
        for (unsigned i = 0; i < 4; i++) bsp.push_back(static_cast<uint8_t>(v >> (8 * i)));
    };
    const uint32_t icr = X86Pc::kLapicBase + dev::lapic::ICR_LO, icr_hi = X86Pc::kLapicBase + dev::lapic::ICR_HI;
    mov_mem(X86Pc::kLapicBase + dev::lapic::SVR, 0x1FF);
    mov_mem(icr_hi, 0x01000000);
    mov_mem(icr, 0x0000C500);   // INIT, level, assert
    mov_mem(icr, 0x00004608);   // SIPI: start at 0x8000
    mov_mem(icr, 0x00004608);
    bsp.insert(bsp.end(), {0xF4, 0xEB, 0xFD});   // hlt loop with IF = 0
    // The AP, in real mode at 0x0800:0000.
    std::vector<uint8_t> ap{0xBA, 0xF8, 0x03};   // mov dx, 0x3f8 (16-bit)
    ap.insert(ap.end(), {0xB0, 'A', 0xEE, 0xB0, 'P', 0xEE});
    ap.insert(ap.end(), {0xB0, 0x20, 0xE6, 0xF4, 0xF4, 0xEB, 0xFD});
    pc.m->load_kernel(kernel32(bsp, {{0x8000, 0x8000, ap, 0}}), "smp.elf");
    const RunResult r = pc.m->run();
    INFO(r.message);
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(pc.out == "AP");
    CHECK(r.exit_code == 0x41);
    CHECK(pc.m->cpu(0).halted);
}

TEST_CASE("x86_64-pc: HLT with interrupts off on every CPU ends as a deadlock", "[emu][x86_64_pc][unit]") {
    Pc pc(2);
    pc.m->load_kernel(kernel32({0xF4, 0xEB, 0xFD}), "hlt.elf");
    const RunResult r = pc.m->run();
    CHECK(r.end == RunEnd::Deadlock);
    CHECK(r.message.find("wait-for-SIPI") != std::string::npos);
}

TEST_CASE("x86_64-pc: the LAPIC timer wakes a HLT and its interrupt goes through the IDT",
          "[emu][x86_64_pc][unit]") {
    Pc pc;
    const uint32_t idt = 0x200000, idtr = 0x201000;
    std::vector<uint8_t> c;
    auto mov_mem = [&c](uint32_t addr, uint32_t v) {
        c.insert(c.end(), {0xC7, 0x05});
        for (unsigned i = 0; i < 4; i++) c.push_back(static_cast<uint8_t>(addr >> (8 * i)));
        for (unsigned i = 0; i < 4; i++) c.push_back(static_cast<uint8_t>(v >> (8 * i)));
    };
    c.insert(c.end(), {0x0F, 0x01, 0x1D, 0x00, 0x10, 0x20, 0x00});   // lidt [idtr]
    mov_mem(X86Pc::kLapicBase + dev::lapic::SVR, 0x1FF);
    mov_mem(X86Pc::kLapicBase + dev::lapic::TIMER_DCR, 0xB);      // divide by 1
    mov_mem(X86Pc::kLapicBase + dev::lapic::LVT_TIMER, 0x30);     // one-shot, vector 0x30
    mov_mem(X86Pc::kLapicBase + dev::lapic::TIMER_ICR, 50000);
    c.insert(c.end(), {0xFB, 0xF4, 0xEB, 0xFD});                   // sti; hlt; jmp hlt
    const uint32_t handler = kLoad + 12 + static_cast<uint32_t>(c.size());
    mov_dx_uart(c);
    out_char(c, 'T');
    exit_with(c, 0x30);
    // The IDT: an interrupt gate for vector 0x30 to the handler; the IDTR image.
    std::vector<uint8_t> table(0x31 * 8, 0);
    put16(table, 0x30 * 8, static_cast<uint16_t>(handler));
    put16(table, 0x30 * 8 + 2, X86Pc::kCodeSelector);
    put16(table, 0x30 * 8 + 4, 0x8E00);
    put16(table, 0x30 * 8 + 6, static_cast<uint16_t>(handler >> 16));
    std::vector<uint8_t> reg;
    put16(reg, 0, static_cast<uint16_t>(table.size() - 1));
    put32(reg, 2, idt);
    pc.m->load_kernel(kernel32(c, {{idt, idt, table, 0}, {idtr, idtr, reg, 0}}), "timer.elf");
    const RunResult r = pc.m->run();
    INFO(r.message);
    CHECK(r.end == RunEnd::GuestExit);
    CHECK(pc.out == "T");
    CHECK(r.exit_code == 0x61);
    CHECK(pc.m->cpu(0).cycles() >= 50000);   // time passed while it waited
    CHECK(pc.m->instructions() < 100);       // and no instructions did
    CHECK(pc.m->lapic(0).isr(0x30));
}

TEST_CASE("x86_64-pc: hvemu run picks the board from the kernel and returns the debug-exit status",
          "[emu][x86_64_pc][unit]") {
    std::vector<uint8_t> c;
    mov_dx_uart(c);
    out_char(c, 'h');
    out_char(c, 'i');
    exit_with(c, 0x10);
    const auto k = kernel32(c);
    for (const char* args : {"--machine x86_64-pc --bios none", "-machine x86_64-pc -m 64M -smp 2", ""}) {
        INFO(args);
        const CliRun r = run_cli(k, args);
        INFO(r.err);
        CHECK(r.status == 0x21);
        CHECK(r.out == "hi");
    }
    const CliRun bad = run_cli(elf32(kLoad, {{kLoad, kLoad, {0xF4}, 0}}), "");
    CHECK(bad.status == 2);
    CHECK(bad.err.find("no multiboot header") != std::string::npos);
    const CliRun dtb = run_cli(k, "--machine x86_64-pc --dumpdtb x.dtb");
    CHECK(dtb.status == 2);
    const CliRun big = run_cli(k, "--machine x86_64-pc -m 8G");
    CHECK(big.status == 2);
    CHECK(big.err.find("RAM size") != std::string::npos);
}
