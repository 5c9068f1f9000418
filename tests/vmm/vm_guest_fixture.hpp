// Running a bundled VM guest (guests/riscv64-vm) in-process under the
// reference VMM, with its console captured and every exit recorded.
#pragma once
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "emu/vmm/riscv_vm.hpp"
#include "emu/vmm/riscv_vmm.hpp"

namespace hvemu::test {

using namespace hvemu::emu::vmm;

inline std::string vm_guest_path(const std::string& name) {
    return std::string(HVEMU_BINARY_DIR) + "/guests/riscv64-vm/" + name;
}

struct GuestRun {
    std::string out;
    std::vector<ExitRecord> exits;
    VmResult result;
    emu::ElfImage image;
    std::string stats;
};

struct GuestSetup {
    std::function<void(VmConfig&)> config;
    VmmOptions vmm;
    std::string input;   // fed to the UART (console input)
};

inline GuestSetup with_config(std::function<void(VmConfig&)> f) {
    GuestSetup s;
    s.config = std::move(f);
    return s;
}
inline GuestSetup with_input(std::string input) {
    GuestSetup s;
    s.input = std::move(input);
    return s;
}
inline GuestSetup with_unmapped(UnmappedAccess u) {
    GuestSetup s;
    s.vmm.unmapped = u;
    return s;
}

inline GuestRun run_vm_guest(const std::string& file, const GuestSetup& setup = {}) {
    const std::string path = vm_guest_path(file);
    INFO("guest " << path << " (build the guests-vm target)");
    REQUIRE(std::filesystem::exists(path));
    GuestRun run;
    VmConfig cfg;
    cfg.kernel_path = path;
    if (setup.config) setup.config(cfg);
    ConsoleIo io;
    io.out = nullptr;
    io.sink = [&run](uint8_t c) { run.out += static_cast<char>(c); };
    io.input = emu::ConsoleInput::Off;
    int fd = -1;
    std::string input_file;
    if (!setup.input.empty()) {
        input_file = (std::filesystem::temp_directory_path() / fmt::format("hvemu-vm-input-{}", ::getpid())).string();
        std::ofstream(input_file, std::ios::binary) << setup.input;
        fd = ::open(input_file.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        io.in_fd = fd;
        io.input = emu::ConsoleInput::On;
    }
    {
        RiscvVm vm(cfg, io);
        VmmOptions opt = setup.vmm;
        opt.hook = [&run](const ExitRecord& r) { run.exits.push_back(r); };
        RiscvVmm vmm(vm, opt);
        run.result = vmm.run();
        run.image = vm.kernel();
        run.stats = vmm.stats_report();
    }
    if (fd >= 0) {
        ::close(fd);
        std::filesystem::remove(input_file);
    }
    return run;
}

// One line per exit: the kind and fields that matter, and the PC advance.
// The register of an MMIO read is left out unless asked for (it is the
// compiler's choice except in inline assembly).
inline std::string exit_sig(const ExitRecord& r, bool with_reg = false) {
    namespace ex = hvemu::vcpu::exit;
    std::string s;
    if (const auto* e = std::get_if<ex::MmioRead>(&r.exit)) {
        s = fmt::format("MmioRead {:#x} w{} {}", e->addr, hvemu::vcpu::bytes(e->width), e->signed_ext ? "s" : "u");
        if (with_reg) s += fmt::format(" x{}", e->reg);
    } else if (const auto* w = std::get_if<ex::MmioWrite>(&r.exit)) {
        s = fmt::format("MmioWrite {:#x} w{} {:#x}", w->addr, hvemu::vcpu::bytes(w->width), w->data);
    } else {
        s = hvemu::vcpu::describe(r.exit);
    }
    return s + (r.trap_pc ? fmt::format(" +{}", r.pc_advance()) : " +?");
}

inline std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& l : v) s += l + "\n";
    return s;
}

inline std::vector<std::string> sigs(const std::vector<ExitRecord>& exits, bool with_reg = false) {
    std::vector<std::string> v;
    for (const auto& r : exits) v.push_back(exit_sig(r, with_reg));
    return v;
}

// The length of the trapping instruction, from its bits.
inline uint64_t insn_len(const ExitRecord& r) { return r.insn && (*r.insn & 3) != 3 ? 2 : 4; }

} // namespace hvemu::test
