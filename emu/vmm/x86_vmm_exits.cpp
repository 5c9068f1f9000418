// The x86 VMM's exit handlers: one std::visit over ExitReason, each arm a
// line or a call. The vCPU advanced RIP before run() returned and applies
// each completion (set_gpr after IoRead / SysRegRead / MmioRead) with the
// instruction's semantics (x86_vcpu.hpp), so nothing here touches RIP.
#include <fmt/format.h>

#include "emu/vmm/hypercalls.hpp"
#include "emu/vmm/x86_vmm.hpp"
#include "vcpu/mmio.hpp"

namespace hvemu::emu::vmm {

namespace {
namespace ex = vcpu::exit;

template <class... F> struct Overloaded : F... {
    using F::operator()...;
};
template <class... F> Overloaded(F...) -> Overloaded<F...>;

constexpr uint32_t kMsrApicBase = dev::lapic::MSR_APIC_BASE, kMsrTscDeadline = dev::lapic::MSR_TSC_DEADLINE;
constexpr uint8_t kGp = 13;

bool lapic_msr(uint64_t msr) {
    return msr == kMsrApicBase || msr == kMsrTscDeadline ||
           (msr >= dev::lapic::MSR_X2APIC_FIRST && msr <= dev::lapic::MSR_X2APIC_LAST);
}
uint64_t ones(unsigned bytes) { return bytes >= 8 ? ~0ull : (uint64_t{1} << (8 * bytes)) - 1; }
} // namespace

void X86Vmm::handle_exit(unsigned v, const vcpu::ExitReason& exit) {
    std::visit(Overloaded{
                   [&](const ex::MmioRead& e) { mmio_read_x86(v, e); },
                   [&](const ex::MmioWrite& e) { mmio_write_x86(v, e); },
                   [&](const ex::IoRead& e) { io_read(v, e); },
                   [&](const ex::IoWrite& e) { io_write(v, e); },
                   [&](const ex::SysRegRead& e) { msr_read(v, e); },
                   [&](const ex::SysRegWrite& e) { msr_write(v, e); },
                   [&](const ex::Hypercall& e) { hypercall(v, e); },
                   [&](const ex::Halt&) {
                       if (!has_wakeup(v, 0)) state_[v] = VState::Sleeping;
                   },
                   [&](const ex::SystemDown&) {
                       finish(VmEnd::GuestError, kGuestErrorStatus,
                              fmt::format("vCPU {}: triple fault at RIP {:#x} (a PC resets; VM reset is not modelled)",
                                          v, vm_.vcpu(v).arch().last_exit().trap_rip));
                   },
                   [&](const ex::NestedPageFault& e) { nested_page_fault(v, e); },
                   [&](const ex::FailEntry& e) {
                       finish(VmEnd::GuestError, kGuestErrorStatus,
                              fmt::format("vCPU {}: VM entry failed (exit reason {}, qualification {:#x})", v,
                                          e.hardware_entry_failure_reason, vm_.vcpu(v).arch().last_exit().qualification));
                   },
                   [&](const ex::ExternalInterrupt&) {},   // no host devices interrupt a hosted VM; counted only
                   [&](const ex::Nothing&) {},              // served inside the vCPU
                   [&](const auto& e) {   // CpuUp, CpuDown, SendIpi: not x86 exits (the LAPIC's ICR is MMIO here)
                       finish(VmEnd::GuestError, kGuestErrorStatus,
                              fmt::format("vCPU {}: unexpected exit {}", v, vcpu::describe(vcpu::ExitReason{e})));
                   },
               },
               exit);
}

// An access nobody serves: stop, or (Fault) what a PC does: reads all ones,
// writes dropped.
void X86Vmm::no_device(unsigned v, uint64_t addr, unsigned width, bool store, const char* why) {
    if (opt_.unmapped == UnmappedAccess::Fault) {
        in_read_ = !store;
        return;
    }
    if (guest_.find(addr)) why = store ? "guest RAM mapped read-only" : "guest RAM mapped without read access";
    finish(VmEnd::GuestError, kGuestErrorStatus,
           fmt::format("vCPU {} at RIP {:#x}: {} at guest-physical address {:#x}: {}", v,
                       vm_.vcpu(v).arch().last_exit().trap_rip, access_text(width, store), addr, why));
}

// The local APIC page goes to the exiting vCPU's own LAPIC.
void X86Vmm::mmio_read_x86(unsigned v, const ex::MmioRead& e) {
    const unsigned w = vcpu::bytes(e.width);
    if (e.addr >= X86Vm::kLapicBase && e.addr + w <= X86Vm::kLapicBase + dev::Lapic::kSize) {
        uint64_t raw = ones(w);
        vm_.lapic(v).mmio_read(e.addr - X86Vm::kLapicBase, w, raw);
        if (opt_.tracer) opt_.tracer->on_mmio({e.addr, w, raw, false, "lapic"});
        return set_gpr(v, e.reg, vcpu::complete_mmio_read(e, raw));
    }
    in_read_ = false;
    mmio_read(v, e);
    if (in_read_) set_gpr(v, e.reg, vcpu::complete_mmio_read(e, ones(w)));
    in_read_ = false;
}

void X86Vmm::mmio_write_x86(unsigned v, const ex::MmioWrite& e) {
    const unsigned w = vcpu::bytes(e.width);
    if (e.addr >= X86Vm::kLapicBase && e.addr + w <= X86Vm::kLapicBase + dev::Lapic::kSize) {
        if (opt_.tracer) opt_.tracer->on_mmio({e.addr, w, e.data & ones(w), true, "lapic"});
        vm_.lapic(v).mmio_write(e.addr - X86Vm::kLapicBase, w, e.data & ones(w));
        return;
    }
    mmio_write(v, e);
}

// Ports no device decodes read all ones and drop writes, as on a PC.
void X86Vmm::io_read(unsigned v, const ex::IoRead& e) {
    uint32_t value = static_cast<uint32_t>(ones(vcpu::bytes(e.width)));
    vm_.ports().io_read(e.port, vcpu::bytes(e.width), value);
    set_gpr(v, 0, value);
}

void X86Vmm::io_write(unsigned, const ex::IoWrite& e) {
    vm_.ports().io_write(e.port, vcpu::bytes(e.width), static_cast<uint32_t>(e.data & ones(vcpu::bytes(e.width))));
}

// IA32_APIC_BASE, TSC_DEADLINE and the x2APIC range belong to the vCPU's
// LAPIC; any other MSR that exits does not exist for the guest: #GP.
void X86Vmm::msr_read(unsigned v, const ex::SysRegRead& e) {
    uint64_t value = 0;
    if (lapic_msr(e.addr) && vm_.lapic(v).rdmsr(static_cast<uint32_t>(e.addr), value)) return set_gpr(v, 0, value);
    vm_.vcpu(v).arch().fault_last_exit(kGp);
}

void X86Vmm::msr_write(unsigned v, const ex::SysRegWrite& e) {
    if (lapic_msr(e.addr) && vm_.lapic(v).wrmsr(static_cast<uint32_t>(e.addr), e.value)) return;
    vm_.vcpu(v).arch().fault_last_exit(kGp);
}

void X86Vmm::hypercall(unsigned v, const ex::Hypercall& e) {
    X86VCpuT& vc = vm_.vcpu(v);
    const uint64_t rbx = vc.arch().gpr(3), rcx = vc.arch().gpr(1);
    auto fail = [&] { vc.set_return_value(~0ull); };
    switch (e.nr) {
    case kHcPrint: {
        if (rcx > hypercall::kPrintMax) return fail();
        std::string buf(rcx, '\0');
        if (!vm_.guest_mem().read(rbx, buf.data(), rcx)) return fail();
        for (char c : buf) vm_.console().put(static_cast<uint8_t>(c));
        vc.set_return_value(0);
        return vc.set_gpr(1, rcx);
    }
    case kHcExit:
        vc.set_return_value(0);
        return finish(VmEnd::Shutdown, shell_status(dev::IsaDebugExit::status_of(rbx)), "");
    default: return fail();
    }
}

void X86Vmm::nested_page_fault(unsigned v, const ex::NestedPageFault& e) {
    namespace mf = vcpu::mapping;
    const char* access = (e.access_flags & mf::EXECUTE) ? "instruction fetch" : (e.access_flags & mf::WRITE) ? "write" : "read";
    const bool ram = vm_.guest_mem().find(e.addr) != nullptr;
    finish(VmEnd::GuestError, kGuestErrorStatus,
           fmt::format("vCPU {} at RIP {:#x}: nested page fault: {} at guest-physical address {:#x} ({})", v,
                       vm_.vcpu(v).arch().last_exit().trap_rip, access, e.addr,
                       ram ? "guest RAM without that permission, or an access the VMM cannot emulate"
                           : "no guest RAM or device there, or an instruction the vCPU cannot decode"));
}

} // namespace hvemu::emu::vmm
