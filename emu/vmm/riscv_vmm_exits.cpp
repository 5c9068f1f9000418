// The VMM's exit handlers: one std::visit over ExitReason, each arm a line
// or a call. MMIO reads are completed with vcpu::complete_mmio_read (width
// and sign extension into the exit's register); the PC was advanced by
// the vCPU before run() returned (vcpu/exit_reason.hpp), so nothing here
// touches it except a fault delivered to the guest.
#include <fmt/format.h>

#include "emu/vmm/hypercalls.hpp"
#include "emu/vmm/riscv_vmm.hpp"
#include "isa/riscv/encoding.hpp"
#include "vcpu/riscv/sbi.hpp"

namespace hvemu::emu::vmm {

namespace {
namespace sbi = vcpu::riscv::sbi;
namespace ex = vcpu::exit;

template <class... F> struct Overloaded : F... {
    using F::operator()...;
};
template <class... F> Overloaded(F...) -> Overloaded<F...>;
} // namespace

void RiscvVmm::handle_exit(unsigned v, const vcpu::ExitReason& exit) {
    std::visit(Overloaded{
                   [&](const ex::MmioRead& e) { mmio_read(v, e); },
                   [&](const ex::MmioWrite& e) { mmio_write(v, e); },
                   [&](const ex::Hypercall& e) { hypercall(v, e); },
                   [&](const ex::SendIpi& e) { send_ipi(v, e); },
                   [&](const ex::CpuUp& e) { cpu_up(v, e); },
                   [&](const ex::CpuDown&) { state_[v] = VState::Stopped; },
                   [&](const ex::Halt&) {
                       state_[v] = VState::Sleeping;
                       suspended_[v] = vm_.vcpu(v).arch().last_trap().scause == rv::cause::ECALL_VS;
                   },
                   [&](const ex::SystemDown&) { system_down(v); },
                   [&](const ex::NestedPageFault& e) { nested_page_fault(v, e); },
                   [&](const ex::ExternalInterrupt&) {},   // no host devices interrupt a hosted VM; counted only
                   [&](const ex::Nothing&) {},              // served inside the vCPU
                   [&](const auto& e) {   // SysReg, port I/O, FailEntry: not RISC-V exits
                       finish(VmEnd::GuestError, kGuestErrorStatus,
                              fmt::format("vCPU {}: unexpected exit {}", v, vcpu::describe(vcpu::ExitReason{e})));
                   },
               },
               exit);
}

// An access nobody serves: stop, or deliver an access fault (see
// UnmappedAccess). A store that reaches here inside guest RAM hit a region
// mapped without write permission.
void RiscvVmm::no_device(unsigned v, uint64_t addr, unsigned width, bool store, const char* why) {
    RiscvVCpu& a = vm_.vcpu(v).arch();
    const auto& trap = a.last_trap();
    if (guest_.find(addr)) why = store ? "guest RAM mapped read-only" : "guest RAM mapped without read access";
    if (opt_.unmapped == UnmappedAccess::Stop || !a.bound_cpu() || !a.context().guest_s) {
        finish(VmEnd::GuestError, kGuestErrorStatus,
               fmt::format("vCPU {} at pc {:#x}: {} at guest-physical address {:#x}: {}{}", v, trap.sepc,
                           access_text(width, store), addr, why,
                           opt_.unmapped == UnmappedAccess::Fault ? " (the fault cannot be delivered to VU-mode code)" : ""));
        return;
    }
    // As the hart would take the trap in VS: the live VS CSRs are on the
    // physical CPU the vCPU is bound to.
    rv::Hart& h = a.bound_cpu()->hart();
    h.csr_write(rv::csr::vsepc, trap.sepc);
    h.csr_write(rv::csr::vscause, store ? rv::cause::STORE_ACCESS : rv::cause::LOAD_ACCESS);
    h.csr_write(rv::csr::vstval, trap.stval);
    uint64_t s = h.read_csr(rv::csr::vsstatus);
    s |= rv::mstatus::SPP;   // the fault came from VS (VU cannot be redirected, see above)
    s = (s & rv::mstatus::SIE) ? (s | rv::mstatus::SPIE) : (s & ~rv::mstatus::SPIE);
    s &= ~rv::mstatus::SIE;
    h.csr_write(rv::csr::vsstatus, s);
    a.set_pc(h.read_csr(rv::csr::vstvec) & ~3ull);
}

void RiscvVmm::hypercall(unsigned v, const ex::Hypercall& e) {
    VCpuT& vc = vm_.vcpu(v);
    auto ret = [&](int64_t err, uint64_t value = 0) {
        vc.set_return_value(static_cast<uint64_t>(err));
        vc.set_gpr(11, value);
    };
    switch (e.nr) {
    case hypercall::HVEMU_HC_PRINT: {
        const uint64_t gpa = e.args[0], len = e.args[1];
        if (len > hypercall::kPrintMax) return ret(sbi::ERR_INVALID_PARAM);
        std::string buf(len, '\0');
        if (!vm_.guest_mem().read(gpa, buf.data(), len)) return ret(sbi::ERR_INVALID_ADDRESS);
        for (char c : buf) vm_.console().put(static_cast<uint8_t>(c));
        return ret(sbi::SUCCESS, len);
    }
    case hypercall::HVEMU_HC_EXIT:
        ret(sbi::SUCCESS);
        return finish(VmEnd::Shutdown, shell_status(e.args[0]), "");
    default: return ret(sbi::ERR_NOT_SUPPORTED);
    }
}

// SBI IPI: the targets are the harts whose bits are set in the mask,
// counted from the mask base (base -1: every hart). Each gets VSSIP.
void RiscvVmm::send_ipi(unsigned v, const ex::SendIpi& e) {
    const uint64_t mask = e.target_cpu, base = e.target_cpu_aux;
    const unsigned n = vm_.num_vcpus();
    bool bad = false;
    for (unsigned bit = 0; bit < 64 && !e.send_to_all; bit++) {
        if (!((mask >> bit) & 1)) continue;
        if (base + bit >= n || base + bit < base) bad = true;
    }
    // The specification rejects the whole call when a hart is invalid.
    if (bad) return vm_.vcpu(v).set_return_value(static_cast<uint64_t>(sbi::ERR_INVALID_PARAM));
    for (unsigned t = 0; t < n; t++) {
        const bool named = e.send_to_all || (t >= base && t - base < 64 && ((mask >> (t - base)) & 1));
        if (!named) continue;
        (void)vm_.vcpu(t).inject_interrupt(e.vector);
        if (opt_.tracer) opt_.tracer->on_irq({t, e.vector, "ipi"});
        wake(t);
    }
}

// HSM hart_start: the target starts at entry_point with a0 = its hartid and
// a1 = the opaque argument (DESIGN.md: not x0/ra as upstream).
void RiscvVmm::cpu_up(unsigned v, const ex::CpuUp& e) {
    VCpuT& caller = vm_.vcpu(v);
    if (e.target_cpu >= vm_.num_vcpus())
        return caller.set_return_value(static_cast<uint64_t>(sbi::ERR_INVALID_PARAM));
    const unsigned t = static_cast<unsigned>(e.target_cpu);
    if (state_[t] != VState::Stopped)
        return caller.set_return_value(static_cast<uint64_t>(sbi::ERR_ALREADY_AVAILABLE));
    if (!vm_.guest_mem().to_host(e.entry_point, 2))
        return caller.set_return_value(static_cast<uint64_t>(sbi::ERR_INVALID_ADDRESS));
    VCpuT& target = vm_.vcpu(t);
    if (auto r = target.set_entry(e.entry_point); !r)
        return caller.set_return_value(static_cast<uint64_t>(sbi::ERR_INVALID_ADDRESS));
    target.set_gpr(10, e.target_cpu);
    target.set_gpr(11, e.arg);
    state_[t] = VState::Runnable;
    caller.set_return_value(sbi::SUCCESS);
}

void RiscvVmm::system_down(unsigned v) {
    const RiscvVCpu::ResetRequest r = vm_.vcpu(v).arch().last_reset();
    if (r.type != sbi::RESET_SHUTDOWN)
        return finish(VmEnd::Shutdown, 0,
                      fmt::format("vCPU {} asked for a {} reboot: VM reset is not modelled, the VM stops", v,
                                  r.type == sbi::RESET_COLD_REBOOT ? "cold" : "warm"));
    int status = 1;
    if (r.reason == 0) status = 0;
    else if (r.reason >= 0xF0000000u) status = shell_status(r.reason - 0xF0000000u);
    finish(VmEnd::Shutdown, status, "");
}

void RiscvVmm::nested_page_fault(unsigned v, const ex::NestedPageFault& e) {
    namespace mf = vcpu::mapping;
    const char* access = (e.access_flags & mf::EXECUTE) ? "instruction fetch"
                         : (e.access_flags & mf::WRITE) ? "write"
                                                        : "read";
    const bool ram = vm_.guest_mem().find(e.addr) != nullptr;
    finish(VmEnd::GuestError, kGuestErrorStatus,
           fmt::format("vCPU {} at pc {:#x}: nested page fault: {} at guest-physical address {:#x} ({})", v,
                       vm_.vcpu(v).arch().last_trap().sepc, access, e.addr,
                       ram ? "guest RAM without that permission, or an access the VMM cannot emulate"
                           : "no guest RAM there"));
}

} // namespace hvemu::emu::vmm
