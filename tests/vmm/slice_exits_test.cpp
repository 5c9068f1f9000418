// Time slices are not exits: a hosted VM run with a one-cycle quantum, or
// under a debugger that runs every vCPU one instruction per run(), takes
// exactly the exits (kind by kind, in order) of a run with the default
// quantum, and a slice end is never counted, traced or reported as an
// ExternalInterrupt (no host device interrupts a hosted VM).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "emu/vmm/arm_vm.hpp"
#include "emu/vmm/arm_vmm.hpp"
#include "emu/vmm/riscv_vm.hpp"
#include "emu/vmm/riscv_vmm.hpp"
#include "emu/vmm/x86_vm.hpp"
#include "emu/vmm/x86_vmm.hpp"

using namespace hvemu;
using namespace hvemu::emu::vmm;

namespace {

struct SliceRun {
    std::string out;
    std::vector<size_t> kinds;   // ExitReason index of every exit record, in order
    ExitStats stats;
    VmResult result;
};

enum class Mode { Default, Quantum1, Debugger };

template <class Vm, class Vmm> SliceRun run_guest(GuestArch arch, const std::string& dir, const std::string& file, Mode mode) {
    const std::string path = std::string(HVEMU_BINARY_DIR) + "/guests/" + dir + "/" + file;
    INFO("guest " << path << " (build the guests-vm target)");
    REQUIRE(std::filesystem::exists(path));
    SliceRun run;
    VmConfig cfg;
    cfg.arch = arch;
    cfg.kernel_path = path;
    ConsoleIo io;
    io.out = nullptr;
    io.sink = [&run](uint8_t c) { run.out += static_cast<char>(c); };
    io.input = emu::ConsoleInput::Off;
    Vm vm(cfg, io);
    VmmOptions opt;
    opt.hook = [&run](const ExitRecord& r) { run.kinds.push_back(r.exit.index()); };
    if (mode == Mode::Quantum1) opt.quantum = 1;
    if (mode == Mode::Debugger) {
        // What the GDB stub does while a debugger is attached: one
        // instruction per run(), every exit shown to it first.
        opt.before_insn = [](unsigned) { return true; };
        opt.debugger_attached = [] { return true; };
        opt.on_exit = [](const ExitRecord&) { return true; };
    }
    Vmm vmm(vm, opt);
    run.result = vmm.run();
    run.stats = vmm.stats();
    return run;
}

template <class Vm, class Vmm> void check_slicing(GuestArch arch, const std::string& dir, const std::string& file) {
    const size_t ext = vcpu::ExitReason(std::in_place_type<vcpu::exit::ExternalInterrupt>).index();
    const SliceRun base = run_guest<Vm, Vmm>(arch, dir, file, Mode::Default);
    INFO(dir << "/" << file);
    REQUIRE(base.result.end == VmEnd::Shutdown);
    REQUIRE(base.stats.exits > 0);
    CHECK(base.stats.by_kind[ext] == 0);
    for (Mode m : {Mode::Quantum1, Mode::Debugger}) {
        INFO((m == Mode::Quantum1 ? "quantum 1" : "one instruction per run(), as under a debugger"));
        const SliceRun sliced = run_guest<Vm, Vmm>(arch, dir, file, m);
        CHECK(sliced.result.end == base.result.end);
        CHECK(sliced.result.status == base.result.status);
        CHECK(sliced.out == base.out);
        CHECK(sliced.stats.exits == base.stats.exits);
        CHECK(sliced.stats.by_kind == base.stats.by_kind);
        CHECK(sliced.kinds == base.kinds);
        CHECK(sliced.stats.by_kind[ext] == 0);
        // The extra run() calls are there, and counted as slices.
        CHECK(sliced.stats.slices > base.stats.slices + 100);
    }
}

} // namespace

TEST_CASE("slices: hosted x86 exits per reason do not depend on the quantum or a debugger", "[vmm][x86][slices]") {
    check_slicing<X86Vm, X86Vmm>(GuestArch::X86_64, "x86_64-vm", "hello.elf");
    check_slicing<X86Vm, X86Vmm>(GuestArch::X86_64, "x86_64-vm", "hypercall.elf");
}

TEST_CASE("slices: hosted Arm exits per reason do not depend on the quantum or a debugger", "[vmm][arm64][slices]") {
    check_slicing<ArmVm, ArmVmm>(GuestArch::Aarch64, "aarch64-vm", "hello.elf");
    check_slicing<ArmVm, ArmVmm>(GuestArch::Aarch64, "aarch64-vm", "hypercall.elf");
}

TEST_CASE("slices: hosted RISC-V exits per reason do not depend on the quantum or a debugger", "[vmm][riscv][slices]") {
    check_slicing<RiscvVm, RiscvVmm>(GuestArch::Riscv64, "riscv64-vm", "hello.elf");
    check_slicing<RiscvVm, RiscvVmm>(GuestArch::Riscv64, "riscv64-vm", "hypercall.elf");
}
