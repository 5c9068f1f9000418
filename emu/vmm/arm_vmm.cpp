// The Arm VMM's hooks into the shared scheduler: physical CPUs are PEs at
// EL2, vCPUs are VCpu<ArmVCpu>, guest time is the host counter (CNTPCT),
// the console UART is the PL011. The exit handlers are in arm_vmm_exits.cpp.
#include "emu/vmm/arm_vmm.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "vcpu/arm64/arm_regs.hpp"
#include "vcpu/arm64/psci.hpp"

namespace hvemu::emu::vmm {

namespace {
namespace a64 = vcpu::arm64;
constexpr uint32_t kWfi = 0xd503207f;
constexpr uint64_t kTimerEnable = 1, kTimerImask = 2;
} // namespace

ArmVmm::ArmVmm(ArmVm& vm, const VmmOptions& opt)
    : VmmFor(vm, opt),
      handed_(vm.num_vcpus()), ptimer_(vm.num_vcpus()) {
    for (unsigned i = 0; i < vm_.num_vcpus(); i++)
        vm_.vcpu(i).arch().set_psci_host({.affinity_info = [this](uint64_t mpidr) { return affinity_info(mpidr); }});
    vm_.on_virq = [this](unsigned v, uint32_t intid) {
        if (opt_.tracer) opt_.tracer->on_irq({v, intid, irq_source_, Isa::Arm64});
        // SGIs are edges; PPIs and SPIs may be levels the GIC holds until eoi().
        if (intid >= 16 && std::find(handed_[v].begin(), handed_[v].end(), intid) == handed_[v].end())
            handed_[v].push_back(intid);
        wake(v);
    };
}

ArmVmm::~ArmVmm() {
    vm_.on_virq = nullptr;
    for (unsigned i = 0; i < vm_.num_vcpus(); i++) vm_.vcpu(i).arch().set_psci_host({});
}

uint64_t ArmVmm::pcpu_icount(unsigned p) const { return vm_.pcpu(p).pe().icount(); }

vcpu::Result<vcpu::ExitReason> ArmVmm::run_vcpu(unsigned v, uint64_t budget) {
    update_ptimer(v, counter_of(v));
    retire_handed(v);
    vm_.vcpu(v).arch().set_run_budget(budget);
    return vm_.vcpu(v).run();
}

uint64_t ArmVmm::vcpu_pc(unsigned v) const { return vm_.vcpu(v).arch().pc(); }
bool ArmVmm::fetch_insn(unsigned v, uint64_t pc, uint32_t& raw) const { return vm_.vcpu(v).arch().fetch_insn(pc, raw); }

// A used-up budget returns Nothing without an exception behind it; the
// PSCI calls, the maintenance interrupt and the guest's timer also return
// Nothing, but they were real exits to EL2.
bool ArmVmm::slice_ended(unsigned v, const vcpu::ExitReason& e) const {
    return std::holds_alternative<vcpu::exit::Nothing>(e) && vm_.vcpu(v).arch().last_trap().vector == 0;
}

void ArmVmm::fill_record(ExitRecord& r) const {
    const ArmVCpu& a = vm_.vcpu(r.vcpu).arch();
    const ArmVCpu::TrapInfo& t = a.last_trap();
    r.isa = Isa::Arm64;
    if (t.vector == a64::vec::LOWER_SYNC) {
        r.scause = t.esr;   // ESR_EL2 describes synchronous exceptions only: 0 for an interrupt
        // ELR_EL2 of an HVC is the preferred return address, past it.
        r.trap_pc = a64::esr::ec(t.esr) == a64::ec::HVC64 ? t.elr - 4 : t.elr;
    } else if (t.vector != 0) {
        r.trap_pc = t.elr;   // an interrupt: the instruction that has not run yet
    } else if (std::holds_alternative<vcpu::exit::Halt>(r.exit)) {
        // A WFI that stopped the PE without trapping; the vCPU is past it.
        uint32_t raw = 0;
        if (a.fetch_insn(r.pc_after - 4, raw) && raw == kWfi) r.trap_pc = r.pc_after - 4;
    }
}

uint64_t ArmVmm::counter_of(unsigned v) const {
    const ArmPhysCpu* cpu = vm_.vcpu(v).arch().bound_cpu();
    if (cpu) return cpu->counter();
    uint64_t c = 0;
    for (unsigned p = 0; p < vm_.num_pcpus(); p++) c = std::max(c, vm_.pcpu(p).counter());
    return c;
}

bool ArmVmm::has_wakeup(unsigned v, unsigned p) const {
    const uint64_t now = vm_.pcpu(p).counter();
    // The emulated CNTP raises PPI 30 at the GIC, which queues it in the vCPU.
    update_ptimer(v, now);
    return vm_.vcpu(v).arch().has_wakeup(now);
}

std::optional<uint64_t> ArmVmm::timer_deadline(unsigned v) const {
    std::optional<uint64_t> d = vm_.vcpu(v).arch().timer_deadline();
    const PTimer& t = ptimer_[v];
    if ((t.ctl & kTimerEnable) && !(t.ctl & kTimerImask) && !t.line && (!d || t.cval < *d)) d = t.cval;
    return d;
}

uint64_t ArmVmm::cycles_until(unsigned p, uint64_t deadline) const {
    return vm_.pcpu(p).pe().cycles_until_count(deadline);
}


std::string ArmVmm::describe_vm() const {
    return fmt::format("VM '{}': {} vCPU(s) on {} physical CPU(s), stage 2 {}-bit IPA from level {}",
                       vm_.config().name, vm_.num_vcpus(), vm_.num_pcpus(), vm_.stage2().ipa_bits(),
                       vm_.stage2().start_level());
}

int64_t ArmVmm::affinity_info(uint64_t mpidr) const {
    const std::optional<unsigned> t = vm_.vcpu_of_mpidr(mpidr);
    if (!t) return psci::kInvalidParameters;
    return state_[*t] == VState::Stopped ? psci::kAffinityOff : psci::kAffinityOn;
}

void ArmVmm::retire_handed(unsigned v) {
    std::vector<uint32_t>& h = handed_[v];
    if (h.empty()) return;
    const ArmVCpu& a = vm_.vcpu(v).arch();
    if (a.queued_interrupts()) return;   // still on its way to a list register
    std::vector<uint32_t> done;
    for (uint32_t intid : h) {
        bool held = false;
        for (unsigned n = 0; n < 16 && !held; n++) {
            uint64_t lr = 0;
            if (a.bound_cpu()) {
                if (!a.bound_cpu()->pe().sysreg_read(a64::sr::ich_lr_el2(n), lr, 2)) break;
            } else {
                lr = a.context().ich_lr[n];
            }
            held = (lr & a64::ich_lr::STATE_MASK) && (lr & a64::ich_lr::VINTID_MASK) == intid;
        }
        if (!held) done.push_back(intid);
    }
    for (uint32_t intid : done) {
        h.erase(std::find(h.begin(), h.end(), intid));
        vm_.gic().eoi(v, intid);   // may hand it over again (a level still high)
    }
}

void ArmVmm::update_ptimer(unsigned v, uint64_t counter) const {
    PTimer& t = ptimer_[v];
    const bool line = (t.ctl & kTimerEnable) && !(t.ctl & kTimerImask) && counter >= t.cval;
    if (line == t.line) return;
    t.line = line;
    vm_.gic().set_ppi(v, a64::ppi::PHYS_TIMER, line);
}

} // namespace hvemu::emu::vmm
