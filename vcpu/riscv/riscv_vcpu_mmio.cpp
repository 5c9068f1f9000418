// Guest-page faults (scause 20, 21, 23): MMIO exits for integer loads and
// stores, NestedPageFault for everything else.
#include <fmt/format.h>

#include "vcpu/riscv/mmio_decode.hpp"
#include "vcpu/riscv/riscv_vcpu.hpp"

namespace hvemu::vcpu::riscv {

using namespace hvemu::rv;

Result<ExitReason> RiscvVCpu::handle_guest_page_fault() {
    Hart& hh = h();
    const uint64_t c = trap_.scause;
    const uint64_t gpa = (trap_.htval << 2) | (trap_.stval & 3);
    const Access acc = c == cause::INSN_GUEST_PAGE_FAULT   ? Access::Exec
                       : c == cause::LOAD_GUEST_PAGE_FAULT ? Access::Read
                                                           : Access::Write;

    // A fault on the guest's own page-table walk (its page tables are not
    // in mapped guest RAM): the hardware says so with a pseudoinstruction in
    // htinst. A hart that writes htinst = 0 does not, so redo the guest's
    // VS-stage walk to tell (the walk is pure: it raises nothing).
    uint64_t pseudo = is_pseudo_tinst(trap_.htinst) ? trap_.htinst : 0;
    if (!pseudo && trap_.htinst == 0 && (hh.csr.vsatp >> atp::MODE_SHIFT) != atp::MODE_BARE) {
        const Translation t = hh.translate(trap_.stval, acc, ctx_.guest_s ? Priv::S : Priv::U, true);
        if (!t.ok() && is_pseudo_tinst(t.tinst)) pseudo = t.tinst;
    }
    if (pseudo) {
        const bool write = pseudo == tinst::PSEUDO_VS_WRITE_64 || pseudo == tinst::PSEUDO_VS_WRITE_32;
        return ExitReason{exit::NestedPageFault{gpa, write ? mapping::WRITE : mapping::READ}};
    }
    if (acc == Access::Exec) return ExitReason{exit::NestedPageFault{gpa, mapping::EXECUTE}};

    const MappingFlags flags = acc == Access::Read ? mapping::READ : mapping::WRITE;
    std::optional<MemInsn> m;
    uint64_t split_offset = 0;   // the fault hit the second page of a misaligned access
    if (trap_.htinst != 0) {
        m = decode_transformed(trap_.htinst);
        if (m) split_offset = m->rs1;   // the transformed instruction's Addr. Offset field
    } else {
        // No transformed instruction: read the trapping one through the
        // guest's translation (HLVX, as upstream's exception-table fetch).
        uint32_t raw = 0;
        if (!fetch_insn(trap_.sepc, raw))
            return make_error(ErrorKind::Internal,
                              fmt::format("vCPU {}: {} guest-page fault at gpa {:#x}: cannot read the trapping "
                                          "instruction at sepc {:#x}",
                                          id_, acc == Access::Read ? "load" : "store", gpa, trap_.sepc));
        m = decode_mem_insn(raw);
        if (m) split_offset = trap_.stval - (hh.x[m->rs1] + static_cast<uint64_t>(m->imm));
    }
    // FP loads/stores, AMOs, LR/SC, and accesses split across a page
    // boundary are not emulated: the VMM sees the fault.
    if (!m || m->store != (acc == Access::Write) || split_offset != 0)
        return ExitReason{exit::NestedPageFault{gpa, flags}};

    ctx_.pc += m->len;
    AccessWidth w = AccessWidth::Qword;
    width_from_bytes(m->width, w);
    if (!m->store) return ExitReason{exit::MmioRead{gpa, w, m->reg, AccessWidth::Qword, m->signed_ext}};
    // The whole source register, as upstream: devices take the low `width`
    // bytes.
    return ExitReason{exit::MmioWrite{gpa, w, m->reg ? hh.x[m->reg] : 0}};
}

} // namespace hvemu::vcpu::riscv
