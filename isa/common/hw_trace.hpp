// What a core reports, in full-system mode, to whoever traces it: the VM
// exits and VM entries its hardware virtualization takes, and the
// interrupts it takes. A core holds a HwTraceSink pointer (null: not
// traced) and looks at it only on its trap, exception and VM-transition
// paths, so tracing off costs nothing per instruction.
#pragma once
#include <cstdint>

namespace hvemu::isa {

struct HwEvent {
    enum class Kind : uint8_t { VmExit, VmEntry, Irq };
    Kind kind = Kind::VmExit;
    // VmExit / Irq: the pc of the interrupted or trapping instruction;
    // VmEntry: the guest pc entered.
    uint64_t pc = 0;
    // VmExit: RISC-V the cause (scause/mcause), Arm ESR_EL2, x86 the exit
    // reason. Irq: RISC-V the cause, Arm the vector offset (0x80 IRQ, 0x100
    // FIQ), x86 the vector.
    uint64_t cause = 0;
    // Per architecture:
    //   RISC-V  tval, htval/mtval2, htinst/mtinst, target privilege (1 HS, 3 M)
    //   Arm     FAR_EL2, HPFAR_EL2, the EL taken from, the target EL;
    //           Irq: the INTID the GIC CPU interface signals (1023: none),
    //           1 when virtual (ICH list registers, HCR_EL2.VI), the EL
    //           taken from, the target EL
    //   x86     qualification, guest-physical address, guest linear address,
    //           instruction length; Irq: 1 for an NMI, 0 for an external
    //           interrupt
    uint64_t f[4] = {};
};

class HwTraceSink {
public:
    virtual ~HwTraceSink() = default;
    virtual void on_hw_event(const HwEvent& e) = 0;
};

} // namespace hvemu::isa
