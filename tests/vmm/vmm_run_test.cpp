// How a VM run ends when the guest does not shut it down: a deadlock (every
// vCPU waits for an interrupt nothing can raise), the instruction limit,
// and bad VM configurations; and the VM's memory and device layout.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "emu/machine/riscv64_virt.hpp"
#include "emu/vmm/riscv_vm.hpp"
#include "emu/vmm/riscv_vmm.hpp"

using namespace hvemu;
using namespace hvemu::emu;
using namespace hvemu::emu::vmm;

namespace {

// A raw image of 32-bit instructions in a scratch file.
struct RawImage {
    std::string path;
    explicit RawImage(const std::vector<uint32_t>& insns) {
        path = (std::filesystem::temp_directory_path() / fmt::format("hvemu-vmm-raw-{}-{}", ::getpid(), counter()++))
                   .string();
        std::ofstream f(path, std::ios::binary);
        for (uint32_t i : insns) f.write(reinterpret_cast<const char*>(&i), 4);
    }
    ~RawImage() { std::filesystem::remove(path); }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

constexpr uint32_t kWfi = 0x10500073, kJumpSelf = 0x0000006f, kJumpBack4 = 0xffdff06f;

ConsoleIo quiet() {
    ConsoleIo io;
    io.out = nullptr;
    io.sink = [](uint8_t) {};
    io.input = ConsoleInput::Off;
    return io;
}

VmResult run_raw(const RawImage& img, unsigned cpus = 1, uint64_t max_insns = 0) {
    VmConfig cfg;
    cfg.kernel_path = img.path;
    cfg.cpu_num = cpus;
    RiscvVm vm(cfg, quiet());
    VmmOptions opt;
    opt.max_insns = max_insns;
    RiscvVmm vmm(vm, opt);
    return vmm.run();
}

} // namespace

TEST_CASE("VM deadlock: a vCPU waiting with no interrupt enabled ends the run with status 125", "[vmm]") {
    const RawImage img({kWfi, kJumpBack4});
    const VmResult r = run_raw(img);
    CHECK(r.end == VmEnd::Deadlock);
    CHECK(r.status == RiscvVmm::kDeadlockStatus);
    CHECK_THAT(r.message, Catch::Contains("every vCPU waits for an interrupt that can never come"));
    CHECK_THAT(r.message, Catch::Contains("vCPU 0 waiting at pc 0x80200004"));
}

TEST_CASE("VM instruction limit: a spinning guest stops with status 124", "[vmm]") {
    const RawImage img({kJumpSelf});
    const VmResult r = run_raw(img, 2, 5000);
    CHECK(r.end == VmEnd::MaxInsns);
    CHECK(r.status == RiscvVmm::kMaxInsnsStatus);
}

TEST_CASE("VM layout: raw kernels at RAM + 2 MiB, the device tree high in RAM, guest RAM in host RAM above the "
          "hypervisor's",
          "[vmm]") {
    const RawImage img({kJumpSelf});
    VmConfig cfg;
    cfg.kernel_path = img.path;
    cfg.cpu_num = 2;
    RiscvVm vm(cfg, quiet());
    CHECK(vm.entry() == 0x8020'0000);
    CHECK(vm.dtb_addr() == 0x87e0'0000);   // 128 MiB: as QEMU, 2 MiB aligned below the top
    CHECK(vm.num_vcpus() == 2);
    CHECK(vm.num_pcpus() == 2);
    REQUIRE(vm.guest_mem().regions().size() == 1);
    const GuestRegion& ram = vm.guest_mem().regions()[0];
    CHECK(ram.hpa == RiscvVm::kGuestRamBase);
    // RAM is mapped with 2 MiB leaves (128 MiB at a 2 MiB-aligned address); devices are not mapped.
    CHECK(vm.gstage().leaves()[1] == 64);
    CHECK(vm.gstage().translate(0x8000'1000)->hpa == RiscvVm::kGuestRamBase + 0x1000);
    CHECK_FALSE(vm.gstage().translate(0x1000'0000));
    CHECK_FALSE(vm.gstage().translate(0x0c00'0000));
    // The vCPUs start at the entry with a0 = hartid, a1 = the device tree.
    CHECK(vm.vcpu(1).arch().gpr(10) == 1);
    CHECK(vm.vcpu(1).arch().gpr(11) == vm.dtb_addr());
    CHECK(vm.vcpu(0).arch().pc() == 0x8020'0000);
}

TEST_CASE("VM configurations that cannot be built are clear errors", "[vmm]") {
    const RawImage img({kJumpSelf});
    auto error_of = [&](auto&& tweak) -> std::string {
        VmConfig cfg;
        cfg.kernel_path = img.path;
        tweak(cfg);
        try {
            RiscvVm vm(cfg, quiet());
        } catch (const std::exception& e) {
            return e.what();
        }
        return "<no error>";
    };
    CHECK_THAT(error_of([](VmConfig& c) { c.cpu_num = 0; }), Catch::Contains("1 to 64 vCPUs"));
    CHECK_THAT(error_of([](VmConfig& c) { c.cpu_num = 2, c.phys_cpus = 3; }), Catch::Contains("at most one per vCPU"));
    CHECK_THAT(error_of([](VmConfig& c) { c.memory = {{0x8000'0000, 0x10'0000}, {0x8008'0000, 0x10'0000}}; }),
               Catch::Contains("overlaps"));
    CHECK_THAT(error_of([](VmConfig& c) { c.memory = {{0x1000'0000, 0x10'0000}}; c.kernel_load_addr = 0x1000'0000; }),
               Catch::Contains("UART at 0x10000000 overlaps guest RAM"));
    CHECK_THAT(error_of([](VmConfig& c) { c.kernel_path = "/nonexistent/kernel"; }), Catch::Contains("cannot open"));
    CHECK_THAT(error_of([](VmConfig& c) { c.kernel_load_addr = 0x4000'0000; }), Catch::Contains("do not fit in guest RAM"));
    CHECK_THAT(error_of([](VmConfig& c) { c.entry_point = 0x1234; }), Catch::Contains("entry point 0x1234 is outside guest RAM"));
    CHECK_THAT(error_of([](VmConfig& c) { c.dtb_load_addr = 0x8020'0000; }), Catch::Contains("overlaps the kernel"));
    CHECK_THAT(error_of([](VmConfig& c) { c.memory = {{0x8000'0000, 0x100'0000, 7, MapType::Identical}}; }),
               Catch::Contains("<no error>"));   // identity-mapped: host RAM at the guest's address
}
