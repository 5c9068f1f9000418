// VM assembly pieces: guest memory (GPA -> HPA), image loading through it,
// and the guest device tree, parsed back with libfdt.
#include <catch2/catch.hpp>

#include <libfdt.h>

#include <cstring>
#include <string>

#include "emu/loader/elf_writer.hpp"
#include "emu/vmm/guest_fdt.hpp"
#include "emu/vmm/guest_loader.hpp"
#include "emu/vmm/guest_memory.hpp"

using namespace hvemu;
using namespace hvemu::emu;
using namespace hvemu::emu::vmm;

TEST_CASE("guest memory translates guest-physical addresses to the backing host RAM", "[vmm]") {
    isa::PhysMem host;
    GuestMemory gm(host);
    gm.add({0x8000'0000, 0x10'0000, 0x80'0000'0000, 7, "ram0"});
    gm.add({0x9000'0000, 0x1000, 0x90'0000'0000, 7, "ram1"});
    CHECK(gm.to_host(0x8000'0010) == 0x80'0000'0010);
    CHECK_FALSE(gm.to_host(0x800f'fff0, 0x20));   // runs off the region
    CHECK_FALSE(gm.to_host(0x1000'0000));
    const char msg[] = "hello";
    REQUIRE(gm.write(0x9000'0000, msg, sizeof msg));
    char back[sizeof msg] = {};
    REQUIRE(host.read_block(0x90'0000'0000, back, sizeof back));
    CHECK(std::string(back) == "hello");
    CHECK_FALSE(gm.write(0x9000'0ffe, msg, sizeof msg));
    CHECK_THROWS_AS(gm.add({0x8008'0000, 0x1000, 0xa0'0000'0000, 7, "overlap"}), std::invalid_argument);
    CHECK(gm.lowest() == 0x8000'0000);
    CHECK(gm.highest() == 0x9000'1000);
}

TEST_CASE("guest ELF loading writes segments at their guest addresses, checked as emu/loader checks", "[vmm]") {
    isa::PhysMem host;
    GuestMemory gm(host);
    gm.add({0x8000'0000, 0x20'0000, 0x80'0000'0000, 7, "ram0"});
    ElfWriterInput spec;
    spec.entry = 0x8010'0000;
    spec.segments.push_back({0x8010'0000, {0x13, 0, 0, 0, 0x73, 0, 0x10, 0x10}, 16});
    const auto elf = write_elf(spec);
    REQUIRE(is_elf(elf));
    const ElfImage img = load_guest_elf(gm, elf, "test.elf");
    CHECK(img.entry == 0x8010'0000);
    uint8_t b[16] = {};
    REQUIRE(host.read_block(0x80'0010'0000, b, 16));
    CHECK(b[0] == 0x13);
    CHECK(b[4] == 0x73);
    CHECK(b[12] == 0);   // zero-filled beyond filesz

    spec.segments[0].paddr = 0x7000'0000;
    spec.entry = 0x7000'0000;
    CHECK_THROWS_WITH(load_guest_elf(gm, write_elf(spec), "out.elf"), Catch::Contains("outside RAM"));
    CHECK_THROWS_WITH(load_guest_raw(gm, std::vector<uint8_t>(16, 1), 0x801f'fff8, "raw.bin"),
                      Catch::Contains("do not fit"));
    CHECK(load_guest_raw(gm, std::vector<uint8_t>(16, 1), 0x8000'0000, "raw.bin") == 16);
}

namespace {
std::string prop_str(const void* fdt, const char* path, const char* name) {
    const int off = fdt_path_offset(fdt, path);
    if (off < 0) return "<no node " + std::string(path) + ">";
    int len = 0;
    const void* p = fdt_getprop(fdt, off, name, &len);
    return p ? std::string(static_cast<const char*>(p)) : "<no property>";
}
uint64_t prop_u64(const void* fdt, const char* path, const char* name, int index) {
    const int off = fdt_path_offset(fdt, path);
    int len = 0;
    const auto* p = static_cast<const uint8_t*>(fdt_getprop(fdt, off, name, &len));
    if (!p || len < 8 * (index + 1)) return ~0ull;
    fdt64_t v;   // FDT cells are only 4-byte aligned
    std::memcpy(&v, p + 8 * index, sizeof v);
    return fdt64_to_cpu(v);
}
} // namespace

TEST_CASE("guest device tree: memory, harts, timebase, UART, PLIC, chosen", "[vmm][fdt]") {
    GuestFdtConfig c;
    c.num_harts = 2;
    c.memory = {{0x8000'0000, 0x800'0000}};
    c.uart_base = 0x1000'0000;
    c.uart_size = 0x100;
    c.uart_irq = 10;
    c.plic_base = 0x0c00'0000;
    c.plic_size = 0x60'0000;
    c.plic_ndev = 95;
    c.bootargs = "console=ttyS0";
    const std::vector<uint8_t> blob = build_guest_fdt(c);
    const void* fdt = blob.data();
    REQUIRE(fdt_check_header(fdt) == 0);
    CHECK(prop_str(fdt, "/memory@80000000", "device_type") == "memory");
    CHECK(prop_u64(fdt, "/memory@80000000", "reg", 0) == 0x8000'0000);
    CHECK(prop_u64(fdt, "/memory@80000000", "reg", 1) == 0x800'0000);
    CHECK(prop_str(fdt, "/cpus/cpu@1", "riscv,isa").find("rv64imafdc") == 0);
    CHECK(prop_str(fdt, "/cpus/cpu@1", "riscv,isa").find('h') == std::string::npos);   // no nested H
    CHECK(prop_str(fdt, "/cpus/cpu@0", "mmu-type") == "riscv,sv48");
    CHECK(fdt_path_offset(fdt, "/cpus/cpu@2") < 0);
    int len = 0;
    const auto* tb = static_cast<const fdt32_t*>(fdt_getprop(fdt, fdt_path_offset(fdt, "/cpus"), "timebase-frequency", &len));
    REQUIRE(tb);
    CHECK(fdt32_to_cpu(*tb) == 10'000'000);
    CHECK(prop_str(fdt, "/soc/serial@10000000", "compatible") == "ns16550a");
    CHECK(prop_str(fdt, "/chosen", "stdout-path") == "/soc/serial@10000000");
    CHECK(prop_str(fdt, "/chosen", "bootargs") == "console=ttyS0");
    CHECK(prop_str(fdt, "/soc/plic@c000000", "compatible") == "sifive,plic-1.0.0");
    const auto* ext = static_cast<const fdt32_t*>(
        fdt_getprop(fdt, fdt_path_offset(fdt, "/soc/plic@c000000"), "interrupts-extended", &len));
    REQUIRE(ext);
    REQUIRE(len == 4 * 8);   // two contexts per hart
    CHECK(fdt32_to_cpu(ext[1]) == 11);   // context 0: hart 0 M-mode
    CHECK(fdt32_to_cpu(ext[3]) == 9);    // context 1: hart 0 S-mode
}
