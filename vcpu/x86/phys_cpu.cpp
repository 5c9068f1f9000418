#include "vcpu/x86/phys_cpu.hpp"

#include "isa/x86/vmx_defs.hpp"

namespace hvemu::vcpu::x86 {

namespace {

thread_local PhysCpu* t_current = nullptr;

constexpr uint64_t kCr0Pe = 1, kCr0Et = 1u << 4, kCr0Ne = 1u << 5, kCr0Wp = 1u << 16, kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pae = 1u << 5, kCr4Vmxe = 1u << 13;
constexpr uint64_t kEferLme = 1u << 8, kEferLma = 1u << 10, kEferNxe = 1u << 11;
constexpr uint64_t kPteP = 1, kPteW = 2, kPtePs = 1u << 7;
constexpr uint8_t kHlt = 0xf4;

hx::CoreConfig core_config(unsigned id, const isa::Clocking& clock, unsigned pa_bits) {
    hx::CoreConfig c;
    c.apic_id = id;
    c.bsp = id == 0;
    c.hosted = true;
    c.phys_addr_bits = pa_bits;
    c.clock = clock;
    return c;
}

} // namespace

PhysCpu::PhysCpu(isa::PhysMem& mem, HostFrames& frames, unsigned id, const isa::Clocking& clock, unsigned pa_bits)
    : core_(std::make_unique<hx::Core>(mem, core_config(id, clock, pa_bits))), id_(id) {
    core_->attach_apic(&apic_);
    enabled_ = enable(frames);
}

PhysCpu::~PhysCpu() {
    if (t_current == this) t_current = nullptr;
    if (core_) core_->attach_apic(nullptr);
}

// Firmware's and hardware_enable's work, as root-mode code would do it.
bool PhysCpu::enable(HostFrames& frames) {
    hx::Core& c = *core_;
    isa::PhysMem& m = c.mem();
    const uint64_t pml4 = frames.alloc(), pdpt = frames.alloc(), gdt = frames.alloc(), stack = frames.alloc(),
                   stub = frames.alloc(), vmxon = frames.alloc();
    if (!vmxon) {
        error_ = "no host frames left for the physical CPU's VMX data";
        return false;
    }
    // Identity map of the first 512 GiB with 1 GiB pages.
    const uint64_t l4 = pdpt | kPteP | kPteW;
    m.write_block(pml4, &l4, 8);
    for (uint64_t i = 0; i < 512; ++i) {
        const uint64_t e = (i << 30) | kPteP | kPteW | kPtePs;
        m.write_block(pdpt + 8 * i, &e, 8);
    }
    m.write_block(stub, &kHlt, 1);
    // 64-bit host mode with the VMX fixed bits.
    c.cr3 = pml4;
    c.cr4 = kCr4Pae | kCr4Vmxe;
    c.efer = kEferLme | kEferLma | kEferNxe;
    c.cr0 = kCr0Pg | kCr0Wp | kCr0Ne | kCr0Et | kCr0Pe;
    c.seg[hx::CS] = hx::Segment{0x08, 0, 0xffffffff, 0xa09b};
    for (hx::SegReg s : {hx::SS, hx::DS, hx::ES, hx::FS, hx::GS}) c.seg[s] = hx::Segment{0x10, 0, 0xffffffff, 0xc093};
    c.tr = hx::Segment{0x18, gdt + 0x800, 0x67, 0x8b};
    c.gdtr = hx::DescTable{gdt, 0x7ff};
    c.idtr = hx::DescTable{gdt + 0x900, 0};
    c.cpl = 0;
    c.rflags = hx::rflags::FIXED1;
    c.rip = stub;
    c.gpr[4] = stack + HostFrames::kFrame;
    c.waiting_sipi = false;
    c.halted = false;
    c.update_context();
    c.flush_tlb();
    // IA32_FEATURE_CONTROL, then VMXON with IA32_VMX_BASIC's revision.
    if (!c.wrmsr(hx::vmx::msr::FeatureControl, hx::vmx::fc::Lock | hx::vmx::fc::VmxOutsideSmx)) {
        error_ = "IA32_FEATURE_CONTROL cannot be written";
        return false;
    }
    uint64_t basic = 0;
    if (!c.rdmsr(hx::vmx::msr::Basic, basic)) {
        error_ = "the CPU has no IA32_VMX_BASIC (no VMX)";
        return false;
    }
    const uint32_t rev = static_cast<uint32_t>(basic & 0x7fffffff);
    m.write_block(vmxon, &rev, 4);
    if (c.vmxon(vmxon) != hx::Core::VmxStatus::Succeed) {
        error_ = "VMXON failed";
        return false;
    }
    vmxon_pa_ = vmxon;
    uint64_t pat = 0;
    c.rdmsr(0x277, pat);
    host_ = HostState{c.cr0, c.cr3, c.cr4, c.efer, pat, stub, stack + HostFrames::kFrame, gdt, gdt + 0x900, gdt + 0x800};
    return true;
}

void PhysCpu::make_current() { t_current = this; }
PhysCpu* PhysCpu::current() { return t_current; }
void PhysCpu::clear_current() { t_current = nullptr; }

void PhysCpu::raise_host_irq(uint8_t vector) {
    apic_.raise(vector);
    core_->end_block();
}

} // namespace hvemu::vcpu::x86
