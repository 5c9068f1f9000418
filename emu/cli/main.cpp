// hvemu: the command line. `hvemu run ...` builds a machine (or, with
// --arch/--config, a RISC-V or Arm VM of the reference VMM), loads the kernel and runs
// it; the exit status is the guest's exit code, 2 for bad input, 123 when
// a VM stops on a guest error, 124 when --max-insns stops the run, 125
// when every hart waits for an interrupt that can never come.
#include <chrono>
#include <memory>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "emu/cli/run_options.hpp"
#include "emu/debug/arm64_gdb_target.hpp"
#include "emu/debug/arm64_vm_target.hpp"
#include "emu/debug/gdb_server.hpp"
#include "emu/debug/riscv_gdb_target.hpp"
#include "emu/debug/x86_gdb_target.hpp"
#include "emu/debug/x86_vm_target.hpp"
#include "emu/config/axvisor_config.hpp"
#include "emu/fdt/fdt_writer.hpp"
#include "emu/loader/elf.hpp"
#include "emu/machine/aarch64_virt.hpp"
#include "emu/machine/board_tracing.hpp"
#include "emu/machine/riscv64_virt.hpp"
#include "emu/machine/x86_64_pc.hpp"
#include "emu/timing/run_stats.hpp"
#include "emu/timing/timing_loader.hpp"
#include "emu/trace/trace_session.hpp"
#include "emu/vmm/arm_vm.hpp"
#include "emu/vmm/arm_vmm.hpp"
#include "emu/vmm/riscv_vm.hpp"
#include "emu/vmm/riscv_vmm.hpp"
#include "emu/vmm/x86_vm.hpp"
#include "emu/vmm/x86_vmm.hpp"

namespace {

using namespace hvemu::emu;

constexpr int kExitBadInput = 2;
constexpr int kExitMaxInsns = 124;
constexpr int kExitDeadlock = 125;
constexpr int kExitInternal = 1;

void print_usage(std::FILE* f) {
    std::fputs("usage: hvemu run [--machine riscv64-virt|aarch64-virt|x86_64-pc] --bios none --kernel FILE [options]\n"
               "       hvemu run --arch riscv64|aarch64 --kernel FILE [-m SIZE] [--smp N] [--trace exits] [--stats]\n"
               "       hvemu run --config VM.toml [options]\n"
               "       hvemu run --help | hvemu --version\n",
               f);
}

// A guest status whose low 8 bits are 0 would read as success to the
// shell; report such failures as 1.
int shell_status(uint64_t code) {
    if (code == 0) return 0;
    return (code & 0xFF) != 0 ? static_cast<int>(code & 0xFF) : 1;
}

void write_dtb(const std::string& path, const std::vector<uint8_t>& dtb) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    const bool ok = f && std::fwrite(dtb.data(), 1, dtb.size(), f) == dtb.size();
    if ((f && std::fclose(f) != 0) || !ok) throw LoadError(fmt::format("cannot write the device tree to '{}'", path));
}

void print_run_line(uint64_t insns, unsigned cores, const char* what, double seconds) {
    std::fprintf(stderr, "hvemu: %llu instructions on %u %s in %.3f s (%.1f MIPS)\n",
                 static_cast<unsigned long long>(insns), cores, what, seconds,
                 seconds > 0 ? static_cast<double>(insns) / seconds / 1e6 : 0.0);
}

void print_stats(RiscvVirt& m, double seconds) {
    print_run_line(m.instructions(), m.num_harts(), "hart(s)", seconds);
    for (unsigned i = 0; i < m.num_harts(); i++) {
        auto& h = m.hart(i);
        std::fputs(fmt::format("hvemu: hart {}: instructions {} retired {} cycles {} time {}\n", i, h.icount(),
                               h.instret(), h.cycles(), h.time())
                       .c_str(),
                   stderr);
    }
}

void print_stats(Aarch64Virt& m, double seconds) {
    print_run_line(m.instructions(), m.num_cpus(), "CPU(s)", seconds);
    for (unsigned i = 0; i < m.num_cpus(); i++) {
        auto& p = m.pe(i);
        std::fputs(fmt::format("hvemu: cpu {}: instructions {} cycles {} counter {}\n", i, p.icount(), p.cycles(),
                               p.counter())
                       .c_str(),
                   stderr);
    }
}

void print_stats(X86Pc& m, double seconds) {
    print_run_line(m.instructions(), m.num_cpus(), "CPU(s)", seconds);
    for (unsigned i = 0; i < m.num_cpus(); i++) {
        auto& c = m.cpu(i);
        std::fputs(fmt::format("hvemu: cpu {}: instructions {} cycles {} tsc {}\n", i, c.icount(), c.cycles(), c.tsc())
                       .c_str(),
                   stderr);
    }
}

// The timing statistics of a run's cores (--stats adds them to its lines;
// --stats-json writes them).
std::vector<timing::CoreStats> board_cores(RiscvVirt& m) {
    std::vector<timing::CoreStats> c;
    for (unsigned i = 0; i < m.num_harts(); i++) c.push_back(timing::core_stats(m.hart(i), "hart", i));
    return c;
}
std::vector<timing::CoreStats> board_cores(Aarch64Virt& m) {
    std::vector<timing::CoreStats> c;
    for (unsigned i = 0; i < m.num_cpus(); i++) c.push_back(timing::core_stats(m.pe(i), "cpu", i));
    return c;
}
std::vector<timing::CoreStats> board_cores(X86Pc& m) {
    std::vector<timing::CoreStats> c;
    for (unsigned i = 0; i < m.num_cpus(); i++) c.push_back(timing::core_stats(m.cpu(i), "cpu", i));
    return c;
}
void report_timing(const RunOptions& o, const char* machine, uint64_t core_hz, const std::vector<timing::CoreStats>& cores,
                   const vmm::VmmCore* vmm = nullptr, unsigned vcpus = 0) {
    if (o.stats) std::fputs(timing::stats_text(cores).c_str(), stderr);
    if (!o.stats_json.empty())
        timing::write_stats_json_file(o.stats_json, {vmm ? "hosted" : "full-system", machine, o.timing.get(), core_hz},
                                      cores, vmm, vcpus);
}

// The exit status of a full-system run.
int board_status(const RunResult& r) {
    switch (r.end) {
    case RunEnd::GuestExit: return shell_status(r.exit_code);
    case RunEnd::MaxInsns: std::fprintf(stderr, "hvemu: %s\n", r.message.c_str()); return kExitMaxInsns;
    case RunEnd::Deadlock: std::fprintf(stderr, "hvemu: %s\n", r.message.c_str()); return kExitDeadlock;
    }
    return kExitInternal;
}

// The board a kernel is for, from its ELF header (riscv64-virt when it
// cannot tell: the loader then reports what is wrong with the file).
std::string board_for_kernel(const std::string& path) {
    const std::vector<uint8_t> bytes = read_file(path);
    if (bytes.size() >= 20 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
        const uint16_t machine = static_cast<uint16_t>(bytes[18] | (bytes[19] << 8));
        if (machine == elf_machine::AARCH64) return "aarch64-virt";
        // x86-64, or i386 (e_machine 3: a 32-bit multiboot kernel)
        if (machine == elf_machine::X86_64 || machine == 3) return "x86_64-pc";
    }
    return "riscv64-virt";
}

// Runs a loaded board to its end: the timed run, --stats, the timing report,
// and the exit status (told to the debugger, when one is attached).
template <class Board>
int run_loaded_board(Board& machine, const RunOptions& o, const char* name, uint64_t core_hz,
                     debug::GdbServer* gdb = nullptr, trace::BoardTracer* tracer = nullptr) {
    const auto t0 = std::chrono::steady_clock::now();
    const RunResult r = machine.run();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fflush(stdout);
    if (o.stats) print_stats(machine, secs);
    report_timing(o, name, core_hz, board_cores(machine));
    const int status = board_status(r);
    if (tracer) tracer->finish(status, r.message);
    if (gdb) gdb->on_exit(status);
    return status;
}

// --trace / --trace-json on a board (the hardware's own VM exits). After
// the GDB stub: insn tracing chains behind its per-instruction hook.
template <class Board>
std::unique_ptr<trace::BoardTracer> board_tracer(Board& machine, const RunOptions& o, uint64_t core_hz) {
    const trace::TraceRequest req{o.trace, o.trace_file, o.trace_json};
    return attach_tracer(machine, req, core_hz);
}

// The GDB stub of a board whose cores are the target's threads: listening,
// waiting for the debugger under -S, and stopping the cores where it asks
// (stepping with their interrupts masked when it says so). nullptr when
// the debugger went away before attaching (the run then ends quietly).
template <class Board, class CoreOf>
std::unique_ptr<debug::GdbServer> start_board_gdb(Board& machine, debug::GdbTarget& target, const RunOptions& o,
                                                  CoreOf core_of) {
    auto gdb = std::make_unique<debug::GdbServer>(target, o.gdb_host, o.gdb_port);
    std::fprintf(stderr, "hvemu: gdb stub listening on %s:%u\n", o.gdb_host.c_str(), gdb->port());
    if (o.gdb_wait && !gdb->wait_for_attach()) return nullptr;
    machine.before_insn = [g = gdb.get(), &machine, core_of](unsigned i) {
        const bool alive = g->before_insn(i);
        core_of(machine, i).set_interrupts_masked(g->step_masks_interrupts(i));
        return alive;
    };
    return gdb;
}

int run_aarch64_virt(const RunOptions& o) {
    Aarch64VirtConfig cfg;
    cfg.ram_size = o.ram_size;
    cfg.num_cpus = o.smp;
    cfg.max_insns = o.max_insns;
    cfg.quantum = o.quantum;
    cfg.bootargs = o.append;
    cfg.console_input = o.console_input;
    timing::apply_timing(cfg.clock, o.timing);
    Aarch64Virt machine(cfg);
    machine.load_kernel_file(o.kernel);
    if (!o.dump_dtb.empty()) {
        write_dtb(o.dump_dtb, machine.dtb());
        return 0;
    }

    // The GDB stub: threads are PEs.
    std::unique_ptr<debug::Arm64GdbTarget> gdb_target;
    std::unique_ptr<debug::GdbServer> gdb;
    if (!o.gdb_host.empty()) {
        std::vector<hvemu::arm::Pe*> pes;
        for (unsigned i = 0; i < machine.num_cpus(); i++) pes.push_back(&machine.pe(i));
        gdb_target = std::make_unique<debug::Arm64GdbTarget>(std::move(pes));
        gdb_target->powered = [&machine](unsigned i) { return machine.cpu_on(i); };
        gdb = start_board_gdb(machine, *gdb_target, o, [](Aarch64Virt& m, unsigned i) -> auto& { return m.pe(i); });
        if (!gdb) return 0;
    }

    const auto tracer = board_tracer(machine, o, cfg.clock.core_hz);
    return run_loaded_board(machine, o, "aarch64-virt", cfg.clock.core_hz, gdb.get(), tracer.get());
}

int run_x86_64_pc(const RunOptions& o) {
    if (!o.dump_dtb.empty()) throw UsageError("x86_64-pc has no device tree (--dumpdtb)");
    X86PcConfig cfg;
    cfg.ram_size = o.ram_size;
    cfg.num_cpus = o.smp;
    cfg.max_insns = o.max_insns;
    cfg.quantum = o.quantum;
    cfg.cmdline = o.append;
    cfg.console_input = o.console_input;
    timing::apply_timing(cfg.clock, o.timing);
    X86Pc machine(cfg);
    machine.load_kernel_file(o.kernel);

    // The GDB stub: threads are CPUs.
    std::unique_ptr<debug::X86GdbTarget> gdb_target;
    std::unique_ptr<debug::GdbServer> gdb;
    if (!o.gdb_host.empty()) {
        std::vector<hvemu::x86::Core*> cores;
        for (unsigned i = 0; i < machine.num_cpus(); i++) cores.push_back(&machine.cpu(i));
        gdb_target = std::make_unique<debug::X86GdbTarget>(std::move(cores));
        gdb = start_board_gdb(machine, *gdb_target, o, [](X86Pc& m, unsigned i) -> auto& { return m.cpu(i); });
        if (!gdb) return 0;
    }
    const auto tracer = board_tracer(machine, o, cfg.clock.core_hz);
    return run_loaded_board(machine, o, "x86_64-pc", cfg.clock.core_hz, gdb.get(), tracer.get());
}

// The VM the options (and the config file, when given) describe.
vmm::VmConfig hosted_config(const RunOptions& o) {
    vmm::VmConfig cfg;
    if (!o.config.empty()) {
        config::AxvisorConfig ax = config::load_axvisor_config(o.config);
        for (const std::string& w : ax.warnings) std::fprintf(stderr, "hvemu: warning: %s\n", w.c_str());
        cfg = std::move(ax.vm);
    } else {
        cfg.cpu_num = o.smp;
        cfg.ram_size = o.ram_size;
        cfg.name = o.arch.empty() ? "riscv64" : o.arch;
    }
    // --arch, else the config file's architecture (riscv64 without either).
    if (o.arch == "riscv64") cfg.arch = vmm::GuestArch::Riscv64;
    if (o.arch == "x86_64") cfg.arch = vmm::GuestArch::X86_64;
    if (o.arch == "aarch64") cfg.arch = vmm::GuestArch::Aarch64;
    if (cfg.arch == vmm::GuestArch::Aarch64) cfg.clock.timebase_hz = 62'500'000;   // CNTFRQ as QEMU's virt board
    if (!o.kernel.empty()) cfg.kernel_path = o.kernel;
    if (o.pcpus) cfg.phys_cpus = o.pcpus;
    if (o.gstage == "sv48x4") cfg.gstage = vmm::GStageMode::Sv48x4;
    if (o.kernel_addr_given) cfg.kernel_load_addr = o.kernel_addr;
    if (!o.dtb.empty()) cfg.dtb_path = o.dtb;
    if (!o.append.empty()) cfg.bootargs = o.append;
    cfg.hart_jit = o.jit;
    timing::apply_timing(cfg.clock, o.timing);
    return cfg;
}

// What differs between the architectures' hosted runs: the VM, its VMM,
// the debugger's view of it, and how a debugger's single step masks
// interrupts on the physical CPU a vCPU is bound to.
struct RiscvHosted {
    using Vm = vmm::RiscvVm;
    using Vmm = vmm::RiscvVmm;
    using Target = debug::RiscvVmTarget;
    static constexpr vmm::Isa kIsa = vmm::Isa::Riscv64;
    static void mask_interrupts(Vm& vm, unsigned v, bool m) {
        if (auto* cpu = vm.vcpu(v).arch().bound_cpu()) cpu->hart().set_interrupts_masked(m);
    }
};
struct ArmHosted {
    using Vm = vmm::ArmVm;
    using Vmm = vmm::ArmVmm;
    using Target = debug::ArmVmTarget;
    static constexpr vmm::Isa kIsa = vmm::Isa::Arm64;
    static void mask_interrupts(Vm& vm, unsigned v, bool m) {
        if (auto* cpu = vm.vcpu(v).arch().bound_cpu()) cpu->pe().set_interrupts_masked(m);
    }
};

template <class H> int run_vm(const RunOptions& o, const vmm::VmConfig& cfg) {
    vmm::ConsoleIo io;
    io.input = o.console_input;
    typename H::Vm vm(cfg, io);
    if (!o.dump_dtb.empty()) {
        write_dtb(o.dump_dtb, vm.dtb());
        return 0;
    }
    vmm::VmmOptions vo;
    vo.quantum = o.quantum_given ? o.quantum : vmm::VmmOptions{}.quantum;
    vo.max_insns = o.max_insns;
    vo.unmapped = o.unmapped_fault ? vmm::UnmappedAccess::Fault : vmm::UnmappedAccess::Stop;
    vo.timing = o.timing;
    vo.trace = o.trace_exits ? stderr : nullptr;
    // --trace / --trace-json: the session prints the exit lines itself.
    std::unique_ptr<trace::TraceSession> tracing;
    try {
        tracing = std::make_unique<trace::TraceSession>(
            trace::TraceRequest{o.trace, o.trace_file, o.trace_json},
            trace::VmInfo{vm.config().name, vm.num_vcpus(), vm.num_pcpus(), vm.config().clock.core_hz, H::kIsa});
    } catch (const std::exception& e) {
        throw UsageError(e.what());
    }
    vo.tracer = tracing->tracer();
    if (vo.tracer) vo.trace = nullptr;

    // The GDB stub: threads are vCPUs; vCPUs run one instruction per run()
    // while it is there, and every exit is shown to it before it is served.
    std::unique_ptr<typename H::Target> gdb_target;
    std::unique_ptr<debug::GdbServer> gdb;
    typename H::Vmm* vmm_ptr = nullptr;
    if (!o.gdb_host.empty()) {
        gdb_target = std::make_unique<typename H::Target>(vm);
        gdb = std::make_unique<debug::GdbServer>(*gdb_target, o.gdb_host, o.gdb_port);
        gdb->exit_kind_name = [](unsigned k) { return std::string(vmm::exit_kind_name(k)); };
        gdb->num_exit_kinds = static_cast<unsigned>(vmm::ExitStats::kKinds);
        gdb->stats = [&vmm_ptr]() { return vmm_ptr ? vmm_ptr->stats_report() : std::string(); };
        std::fprintf(stderr, "hvemu: gdb stub listening on %s:%u\n", o.gdb_host.c_str(), gdb->port());
        // -S waits before the first instruction, when vCPU 0 is bound
        // (memory by guest address needs its translation state).
        vo.before_insn = [&gdb, &vm, wait = o.gdb_wait](unsigned v) mutable {
            if (wait) {
                wait = false;
                if (!gdb->wait_for_attach()) return false;
            }
            const bool alive = gdb->before_insn(v);
            H::mask_interrupts(vm, v, gdb->step_masks_interrupts(v));
            return alive;
        };
        vo.debugger_attached = [&gdb]() { return gdb->connected(); };
        vo.on_exit = [&gdb](const vmm::ExitRecord& rec) {
            const unsigned kind = static_cast<unsigned>(rec.exit.index());
            std::string line = vmm::format_trace_line(rec);   // "vcpu N cycle ...": the stub names the vCPU
            if (const size_t at = line.find("cycle "); at != std::string::npos) line.erase(0, at);
            return gdb->on_vmexit(rec.vcpu, kind, line);
        };
    }
    typename H::Vmm vmm(vm, vo);
    vmm_ptr = &vmm;
    const auto t0 = std::chrono::steady_clock::now();
    const vmm::VmResult r = vmm.run();
    tracing->finish(r.status, r.message);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fflush(stdout);
    if (!r.message.empty()) std::fprintf(stderr, "hvemu: %s\n", r.message.c_str());
    if (o.stats) {
        std::fputs(vmm.stats_report().c_str(), stderr);
        std::fprintf(stderr, "hvemu: %.3f s (%.1f MIPS)\n", secs,
                     secs > 0 ? static_cast<double>(vmm.instructions()) / secs / 1e6 : 0.0);
    }
    std::vector<timing::CoreStats> cores;
    for (unsigned p = 0; p < vm.num_pcpus(); p++) {
        if constexpr (H::kIsa == vmm::Isa::Arm64) cores.push_back(timing::core_stats(vm.pcpu(p).pe(), "pcpu", p));
        else cores.push_back(timing::core_stats(vm.pcpu(p).hart(), "pcpu", p));
    }
    report_timing(o, H::kIsa == vmm::Isa::Arm64 ? "aarch64 VM" : "riscv64 VM", vm.config().clock.core_hz, cores, &vmm,
                  vm.num_vcpus());
    if (gdb) gdb->on_exit(r.status);
    return r.status;
}

// An x86 VM (no debugger or device tree yet).
int run_x86_vm(const RunOptions& o, const vmm::VmConfig& cfg) {
    if (!o.dump_dtb.empty()) throw UsageError("an x86 VM has no device tree (--dumpdtb)");
    vmm::ConsoleIo io;
    io.input = o.console_input;
    vmm::X86Vm vm(cfg, io);
    vmm::VmmOptions vo;
    vo.quantum = o.quantum_given ? o.quantum : vmm::VmmOptions{}.quantum;
    vo.max_insns = o.max_insns;
    vo.unmapped = o.unmapped_fault ? vmm::UnmappedAccess::Fault : vmm::UnmappedAccess::Stop;
    vo.timing = o.timing;
    vo.trace = o.trace_exits ? stderr : nullptr;
    std::unique_ptr<trace::TraceSession> tracing;
    try {
        tracing = std::make_unique<trace::TraceSession>(
            trace::TraceRequest{o.trace, o.trace_file, o.trace_json},
            trace::VmInfo{vm.config().name, vm.num_vcpus(), vm.num_pcpus(), vm.config().clock.core_hz, vmm::Isa::X86_64});
    } catch (const std::exception& e) {
        throw UsageError(e.what());
    }
    vo.tracer = tracing->tracer();
    if (vo.tracer) vo.trace = nullptr;
    // The GDB stub, as run_vm wires it: threads are vCPUs.
    std::unique_ptr<debug::X86VmTarget> gdb_target;
    std::unique_ptr<debug::GdbServer> gdb;
    vmm::X86Vmm* vmm_ptr = nullptr;
    if (!o.gdb_host.empty()) {
        gdb_target = std::make_unique<debug::X86VmTarget>(vm);
        gdb = std::make_unique<debug::GdbServer>(*gdb_target, o.gdb_host, o.gdb_port);
        gdb->exit_kind_name = [](unsigned k) { return std::string(vmm::exit_kind_name(k)); };
        gdb->num_exit_kinds = static_cast<unsigned>(vmm::ExitStats::kKinds);
        gdb->stats = [&vmm_ptr]() { return vmm_ptr ? vmm_ptr->stats_report() : std::string(); };
        std::fprintf(stderr, "hvemu: gdb stub listening on %s:%u\n", o.gdb_host.c_str(), gdb->port());
        vo.before_insn = [&gdb, &vm, wait = o.gdb_wait](unsigned v) mutable {
            if (wait) {
                wait = false;
                if (!gdb->wait_for_attach()) return false;
            }
            const bool alive = gdb->before_insn(v);
            if (auto* cpu = vm.vcpu(v).arch().bound_cpu()) cpu->core().set_interrupts_masked(gdb->step_masks_interrupts(v));
            return alive;
        };
        vo.debugger_attached = [&gdb]() { return gdb->connected(); };
        vo.on_exit = [&gdb](const vmm::ExitRecord& rec) {
            std::string line = vmm::format_trace_line(rec);
            if (const size_t at = line.find("cycle "); at != std::string::npos) line.erase(0, at);
            return gdb->on_vmexit(rec.vcpu, static_cast<unsigned>(rec.exit.index()), line);
        };
    }
    vmm::X86Vmm vmm(vm, vo);
    vmm_ptr = &vmm;
    const auto t0 = std::chrono::steady_clock::now();
    const vmm::VmResult r = vmm.run();
    tracing->finish(r.status, r.message);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fflush(stdout);
    if (!r.message.empty()) std::fprintf(stderr, "hvemu: %s\n", r.message.c_str());
    if (o.stats) {
        std::fputs(vmm.stats_report().c_str(), stderr);
        std::fprintf(stderr, "hvemu: %.3f s (%.1f MIPS)\n", secs,
                     secs > 0 ? static_cast<double>(vmm.instructions()) / secs / 1e6 : 0.0);
    }
    std::vector<timing::CoreStats> cores;
    for (unsigned p = 0; p < vm.num_pcpus(); p++) cores.push_back(timing::core_stats(vm.pcpu(p).core(), "pcpu", p));
    report_timing(o, "x86_64 VM", vm.config().clock.core_hz, cores, &vmm, vm.num_vcpus());
    if (gdb) gdb->on_exit(r.status);
    return r.status;
}

int run_hosted(const RunOptions& o) {
    const vmm::VmConfig cfg = hosted_config(o);
    if (cfg.arch == vmm::GuestArch::X86_64) return run_x86_vm(o, cfg);
    return cfg.arch == vmm::GuestArch::Aarch64 ? run_vm<ArmHosted>(o, cfg) : run_vm<RiscvHosted>(o, cfg);
}

int run_command(const std::vector<std::string>& args) {
    const RunOptions o = parse_run_options(args);
    if (o.help) {
        std::fputs(run_usage().c_str(), stdout);
        return 0;
    }
    if (o.hosted()) return run_hosted(o);
    const std::string board = o.machine.empty() ? board_for_kernel(o.kernel) : o.machine;
    if (board == "aarch64-virt") return run_aarch64_virt(o);
    if (board == "x86_64-pc") return run_x86_64_pc(o);
    RiscvVirtConfig cfg;
    cfg.ram_size = o.ram_size;
    cfg.num_harts = o.smp;
    cfg.max_insns = o.max_insns;
    cfg.quantum = o.quantum;
    cfg.bootargs = o.append;
    cfg.console_input = o.console_input;
    cfg.jit = o.jit;
    timing::apply_timing(cfg.clock, o.timing);
    RiscvVirt machine(cfg);
    machine.load_kernel_file(o.kernel);
    if (!o.dump_dtb.empty()) {
        write_dtb(o.dump_dtb, machine.dtb());
        return 0;
    }

    // The GDB stub: threads are harts.
    std::unique_ptr<debug::RiscvHartsTarget> gdb_target;
    std::unique_ptr<debug::GdbServer> gdb;
    if (!o.gdb_host.empty()) {
        std::vector<hvemu::rv::Hart*> harts;
        for (unsigned i = 0; i < machine.num_harts(); i++) harts.push_back(&machine.hart(i));
        gdb_target = std::make_unique<debug::RiscvHartsTarget>(std::move(harts));
        gdb = start_board_gdb(machine, *gdb_target, o, [](RiscvVirt& m, unsigned i) -> auto& { return m.hart(i); });
        if (!gdb) return 0;
    }

    const auto tracer = board_tracer(machine, o, cfg.clock.core_hz);
    return run_loaded_board(machine, o, "riscv64-virt", cfg.clock.core_hz, gdb.get(), tracer.get());
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty()) {
            print_usage(stderr);
            return kExitBadInput;
        }
        if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
            std::fputs(run_usage().c_str(), stdout);
            std::fputs("\nother commands: hvemu --version\n", stdout);
            return 0;
        }
        if (args[0] == "--version") {
            std::puts("hvemu 0.1");
            return 0;
        }
        if (args[0] != "run") throw UsageError(fmt::format("unknown command '{}' (try 'hvemu --help')", args[0]));
        return run_command({args.begin() + 1, args.end()});
    } catch (const UsageError& e) {
        std::fprintf(stderr, "hvemu: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const LoadError& e) {
        std::fprintf(stderr, "hvemu: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "hvemu: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const FdtError& e) {
        std::fprintf(stderr, "hvemu: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hvemu: internal error: %s\n", e.what());
        return kExitInternal;
    }
}
