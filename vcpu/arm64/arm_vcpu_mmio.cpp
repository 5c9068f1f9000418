// Data aborts taken to EL2 (EC 0x24): MMIO exits for single-register
// loads and stores that hit unmapped stage-2 space, NestedPageFault for
// everything else.
//
//   stage-2 translation fault, ISV = 1   MmioRead{IPA, 1 << SAS, SRT, SF ? 8 : 4, SSE}
//                                         or MmioWrite{IPA, 1 << SAS, X[SRT]}; pc + 4 (+2 if IL = 0)
//   stage-2 translation fault, ISV = 0   the instruction at ELR_EL2 is fetched through the guest's
//                                         stage 1 and stage 2 and decoded (mmio_decode.hpp): the same
//                                         exits, the base register written back, pc + 4
//   a fault on the stage-1 walk (S1PTW), NestedPageFault{IPA, READ or WRITE (WnR)}, pc unchanged
//   permission/access-flag/address-size
//   faults, undecodable instructions
// IPA = HPFAR_EL2.FIPA << 12 | FAR_EL2[11:0].
#include <fmt/format.h>

#include "vcpu/arm64/arm_regs.hpp"
#include "vcpu/arm64/arm_vcpu.hpp"
#include "vcpu/arm64/mmio_decode.hpp"

namespace hvemu::vcpu::arm64 {

namespace {
AccessWidth width_of(unsigned bytes) {
    AccessWidth w = AccessWidth::Qword;
    width_from_bytes(bytes, w);
    return w;
}
} // namespace

Result<ExitReason> ArmVCpu::handle_data_abort() {
    const uint32_t iss = esr::iss(trap_.esr);
    const uint64_t ipa = (trap_.hpfar & 0xffffffffff0ull) << 8 | (trap_.far & 0xfff);
    const bool write = iss & dabt::WnR;
    if (!dabt::translation_fault(iss) || (iss & dabt::S1PTW))
        return ExitReason{exit::NestedPageFault{ipa, write ? mapping::WRITE : mapping::READ}};
    if (!(iss & dabt::ISV)) return decode_without_syndrome(ipa, write);

    const unsigned rt = dabt::srt(iss);
    const AccessWidth w = width_of(1u << dabt::sas(iss));
    ctx_.pc += (trap_.esr & esr::IL) ? 4 : 2;
    if (write) return ExitReason{exit::MmioWrite{ipa, w, gpr(rt)}};
    return ExitReason{exit::MmioRead{ipa, w, rt, (iss & dabt::SF) ? AccessWidth::Qword : AccessWidth::Dword,
                                     (iss & dabt::SSE) != 0}};
}

// The guest's stack pointer for the exception level it trapped from
// (SPSR_EL2.M: EL1h uses SP_EL1, EL1t and EL0t SP_EL0).
uint64_t ArmVCpu::guest_sp() const {
    return reg((ctx_.spsr & spsr::M_MASK) == spsr::M_EL1H ? sr::SP_EL1 : sr::SP_EL0);
}

void ArmVCpu::set_guest_sp(uint64_t v) {
    write_reg((ctx_.spsr & spsr::M_MASK) == spsr::M_EL1H ? sr::SP_EL1 : sr::SP_EL0, v);
}

Result<ExitReason> ArmVCpu::decode_without_syndrome(uint64_t ipa, bool write) {
    const MappingFlags flags = write ? mapping::WRITE : mapping::READ;
    uint32_t raw = 0;
    if (!fetch_insn(trap_.elr, raw))
        return make_error(ErrorKind::Internal,
                          fmt::format("vCPU {}: data abort at IPA {:#x} without a syndrome: cannot read the "
                                      "instruction at ELR {:#x}",
                                      id_, ipa, trap_.elr));
    const std::optional<LdStInsn> m = decode_ldst(raw);
    if (!m || m->store != write) return ExitReason{exit::NestedPageFault{ipa, flags}};
    const uint64_t base = m->rn == 31 ? guest_sp() : gpr(m->rn);
    // The fault must be this access's first byte: an access split across
    // pages that faulted on its second page is not emulated.
    if (m->address(base, gpr(m->rm)) != trap_.far) return ExitReason{exit::NestedPageFault{ipa, flags}};
    if (m->writeback()) {
        if (m->rn == 31) set_guest_sp(m->new_base(base));
        else set_gpr(m->rn, m->new_base(base));
    }
    ctx_.pc += 4;
    const AccessWidth w = width_of(m->size);
    if (write) return ExitReason{exit::MmioWrite{ipa, w, gpr(m->rt)}};
    return ExitReason{exit::MmioRead{ipa, w, m->rt, width_of(m->reg_width), m->signed_ext}};
}

} // namespace hvemu::vcpu::arm64
