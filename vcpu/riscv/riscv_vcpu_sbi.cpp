// SBI calls from the guest (VS ecall, scause 10): served here where they are
// the vCPU's own, turned into exits where they are the VMM's.
//
// Every call advances the pc by 4 (ecall has no compressed form) before
// run() returns, and sets a0 = error, a1 = value (legacy calls: a0 only).
//   legacy 0 set_timer, TIME set_timer   vstimecmp = stime, VSTIP withdrawn; Nothing
//   legacy 1/2 putchar/getchar           SbiHost console; getchar -1 when none; Nothing
//   legacy 3 clear_ipi                   hvip.VSSIP = 0; Nothing
//   legacy 4 send_ipi(*mask)             mask read at the guest VA a0; SendIpi as below
//   legacy 5/6/7 remote fences           as RFENCE; mask read at the guest VA a0
//   legacy 8 shutdown                    SystemDown (last_reset() = {0, 0})
//   BASE                                 spec 2.0, impl id/version, probe, mvendorid/marchid/mimpid
//   IPI send_ipi(mask, base)             SendIpi{target_cpu = hart mask, target_cpu_aux = mask base,
//                                        send_to_all = (base == -1), send_to_self = false (the mask
//                                        may name the caller), vector = 1 (inject_interrupt(1) = VSSIP
//                                        on each target)}; a0 = 0 (the VMM may set an error)
//   RFENCE fence_i/sfence_vma(_asid)     this hart: HFENCE.VVMA (and FENCE.I); other harts:
//                                        SbiHost::remote_fence; success; Nothing. HFENCE calls: not supported
//   HSM hart_start(id, addr, opaque)     CpuUp{id, addr, opaque}, a0 = 0 (the VMM may set an error);
//                                        the VMM starts the target with a0 = id, a1 = opaque
//   HSM hart_stop                        CpuDown{0}
//   HSM hart_get_status(id)              own hart: STARTED; others: SbiHost::hart_status, else
//                                        SBI_ERR_NOT_SUPPORTED; Nothing
//   HSM hart_suspend(type, addr, opaque) retentive: Halt, resumes after the ecall with a0 = 0;
//                                        non-retentive: Halt, resumes at addr with a0 = hartid,
//                                        a1 = opaque, vsatp = 0, SIE = 0; reserved types:
//                                        INVALID_PARAM, platform types: NOT_SUPPORTED (Nothing)
//   SRST system_reset(type, reason)      SystemDown, last_reset() = {type, reason}; bad type/reason:
//                                        INVALID_PARAM, vendor types: NOT_SUPPORTED (Nothing)
//   DBCN write/read(n, lo, hi)           guest-physical buffer through the G stage, at most 4096
//                                        bytes per call (a1 = bytes done); hi != 0 or an unmapped
//                                        buffer: SBI_ERR_INVALID_PARAM (the specification's code)
//   DBCN write_byte                      SbiHost console
//   0x485643 (Axvisor hypercall)         Hypercall{nr = a6, args = a0..a5}; the VMM sets a0
//   anything else                        a0 = SBI_ERR_NOT_SUPPORTED; Nothing
#include <algorithm>
#include <cstring>
#include <vector>

#include "vcpu/riscv/riscv_vcpu.hpp"
#include "vcpu/riscv/sbi.hpp"

namespace hvemu::vcpu::riscv {

using namespace hvemu::rv;

namespace {

constexpr uint64_t kDbcnMaxBytes = 4096;
constexpr uint64_t kPage = 4096;

bool extension_available(uint64_t eid) {
    switch (eid) {
    case sbi::eid::LEGACY_SET_TIMER: case sbi::eid::LEGACY_PUTCHAR: case sbi::eid::LEGACY_GETCHAR:
    case sbi::eid::LEGACY_CLEAR_IPI: case sbi::eid::LEGACY_SEND_IPI: case sbi::eid::LEGACY_REMOTE_FENCE_I:
    case sbi::eid::LEGACY_REMOTE_SFENCE_VMA: case sbi::eid::LEGACY_REMOTE_SFENCE_VMA_ASID:
    case sbi::eid::LEGACY_SHUTDOWN: case sbi::eid::BASE: case sbi::eid::TIME: case sbi::eid::IPI:
    case sbi::eid::RFENCE: case sbi::eid::HSM: case sbi::eid::SRST: case sbi::eid::DBCN: case sbi::eid::HYPERCALL:
        return true;
    default: return false;
    }
}

} // namespace

// Guest-physical copies through the G stage (the guest's VS stage plays no
// part: DBCN buffers are physical addresses). guest_phys_write with a null
// source only checks that the whole range is writable guest RAM.
bool RiscvVCpu::guest_phys_read(uint64_t gpa, void* dst, uint64_t len) {
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        const uint64_t chunk = std::min(len, kPage - (gpa & (kPage - 1)));
        const Translation t = h().translate_g(gpa, Access::Read);
        if (!t.ok() || !h().mem().read_block(t.paddr, out, chunk)) return false;
        gpa += chunk;
        out += chunk;
        len -= chunk;
    }
    return true;
}

bool RiscvVCpu::guest_phys_write(uint64_t gpa, const void* src, uint64_t len) {
    const auto* in = static_cast<const uint8_t*>(src);
    // Check every page first: nothing is written unless all of it can be.
    std::vector<std::pair<uint64_t, uint64_t>> parts;   // host address, length
    for (uint64_t a = gpa, left = len; left;) {
        const uint64_t chunk = std::min(left, kPage - (a & (kPage - 1)));
        const Translation t = h().translate_g(a, Access::Write);
        if (!t.ok() || !h().mem().is_ram(t.paddr, chunk)) return false;
        parts.emplace_back(t.paddr, chunk);
        a += chunk;
        left -= chunk;
    }
    if (!in) return true;   // a check only
    for (const auto& [pa, n] : parts) {
        h().mem().write_block(pa, in, n);
        in += n;
    }
    return true;
}

Result<ExitReason> RiscvVCpu::handle_sbi() {
    uint64_t* x = h().x;
    const uint64_t a0 = x[10], a1 = x[11], a2 = x[12];
    // EIDs and FIDs are 32-bit signed integers in XLEN registers.
    const uint32_t eid = static_cast<uint32_t>(x[17]);
    const uint32_t fid = static_cast<uint32_t>(x[16]);
    ctx_.pc += 4;

    const ExitReason nothing{exit::Nothing{}};
    auto ret = [&](int64_t err, uint64_t value = 0) {
        x[10] = static_cast<uint64_t>(err);
        x[11] = value;
    };
    auto legacy_ret = [&](int64_t v) { x[10] = static_cast<uint64_t>(v); };
    auto putc = [&](uint8_t ch) {
        if (sbi_.console_putchar) sbi_.console_putchar(ch);
    };
    auto getc = [&]() -> int { return sbi_.console_getchar ? sbi_.console_getchar() : -1; };
    auto set_timer = [&](uint64_t stime) {
        h().csr_write(csr::vstimecmp, stime);
        // A timer injected by hand is withdrawn too: the guest has answered it.
        h().csr_write(csr::hvip, h().read_csr(csr::hvip) & ~irq::bit(irq::VSTI));
        uint64_t old = irq_queue_.load(std::memory_order_relaxed);
        while (!irq_queue_.compare_exchange_weak(old, old & ~irq::bit(irq::VSTI), std::memory_order_relaxed)) {}
    };
    auto fence = [&](bool fence_i, uint64_t mask, uint64_t base) {
        fence_local();
        if (fence_i) h().flush_decoded();
        if (sbi_.remote_fence) sbi_.remote_fence(mask, base);
    };
    // Legacy calls pass the hart mask by guest virtual address.
    auto legacy_mask = [&](uint64_t& mask) {
        Translation t;
        return h().hlv(a0, 8, mask, t);
    };

    switch (eid) {
    case sbi::eid::LEGACY_SET_TIMER:
        set_timer(a0);
        legacy_ret(sbi::SUCCESS);
        return nothing;
    case sbi::eid::LEGACY_PUTCHAR:
        putc(static_cast<uint8_t>(a0));
        legacy_ret(sbi::SUCCESS);
        return nothing;
    case sbi::eid::LEGACY_GETCHAR:
        legacy_ret(getc());
        return nothing;
    case sbi::eid::LEGACY_CLEAR_IPI:
        h().csr_write(csr::hvip, h().read_csr(csr::hvip) & ~irq::bit(irq::VSSI));
        legacy_ret(sbi::SUCCESS);
        return nothing;
    case sbi::eid::LEGACY_SEND_IPI: {
        uint64_t mask = 0;
        if (!legacy_mask(mask)) {
            legacy_ret(sbi::ERR_INVALID_ADDRESS);
            return nothing;
        }
        legacy_ret(sbi::SUCCESS);
        return ExitReason{exit::SendIpi{mask, 0, false, false, irq::SSI}};
    }
    case sbi::eid::LEGACY_REMOTE_FENCE_I:
    case sbi::eid::LEGACY_REMOTE_SFENCE_VMA:
    case sbi::eid::LEGACY_REMOTE_SFENCE_VMA_ASID: {
        uint64_t mask = 0;
        if (!legacy_mask(mask)) {
            legacy_ret(sbi::ERR_INVALID_ADDRESS);
            return nothing;
        }
        fence(eid == sbi::eid::LEGACY_REMOTE_FENCE_I, mask, 0);
        legacy_ret(sbi::SUCCESS);
        return nothing;
    }
    case sbi::eid::LEGACY_SHUTDOWN:
        reset_ = {};
        legacy_ret(sbi::SUCCESS);
        return ExitReason{exit::SystemDown{}};

    case sbi::eid::BASE:
        switch (fid) {
        case sbi::base_fid::GET_SPEC_VERSION: ret(sbi::SUCCESS, sbi::kSpecVersion); break;
        case sbi::base_fid::GET_IMPL_ID: ret(sbi::SUCCESS, sbi::kImplId); break;
        case sbi::base_fid::GET_IMPL_VERSION: ret(sbi::SUCCESS, sbi::kImplVersion); break;
        case sbi::base_fid::PROBE_EXTENSION: ret(sbi::SUCCESS, extension_available(static_cast<uint32_t>(a0)) ? 1 : 0); break;
        case sbi::base_fid::GET_MVENDORID: ret(sbi::SUCCESS, h().read_csr(csr::mvendorid)); break;
        case sbi::base_fid::GET_MARCHID: ret(sbi::SUCCESS, h().read_csr(csr::marchid)); break;
        case sbi::base_fid::GET_MIMPID: ret(sbi::SUCCESS, h().read_csr(csr::mimpid)); break;
        default: ret(sbi::ERR_NOT_SUPPORTED); break;
        }
        return nothing;

    case sbi::eid::TIME:
        if (fid != 0) {
            ret(sbi::ERR_NOT_SUPPORTED);
            return nothing;
        }
        set_timer(a0);
        ret(sbi::SUCCESS);
        return nothing;

    case sbi::eid::IPI:
        if (fid != 0) {
            ret(sbi::ERR_NOT_SUPPORTED);
            return nothing;
        }
        ret(sbi::SUCCESS);
        return ExitReason{exit::SendIpi{a0, a1, a1 == ~0ull, false, irq::SSI}};

    case sbi::eid::RFENCE:
        if (fid > sbi::rfence_fid::SFENCE_VMA_ASID) {
            ret(sbi::ERR_NOT_SUPPORTED);   // HFENCE.*: no nested virtualization
            return nothing;
        }
        fence(fid == sbi::rfence_fid::FENCE_I, a0, a1);
        ret(sbi::SUCCESS);
        return nothing;

    case sbi::eid::HSM:
        switch (fid) {
        case sbi::hsm_fid::HART_START:
            ret(sbi::SUCCESS);
            return ExitReason{exit::CpuUp{a0, a1, a2}};
        case sbi::hsm_fid::HART_STOP:
            ret(sbi::SUCCESS);
            return ExitReason{exit::CpuDown{0}};
        case sbi::hsm_fid::HART_GET_STATUS:
            if (a0 == hart_id_) {
                ret(sbi::SUCCESS, static_cast<uint64_t>(hsm_state::STARTED));
            } else if (sbi_.hart_status) {
                const int64_t s = sbi_.hart_status(a0);
                if (s < 0) ret(s);
                else ret(sbi::SUCCESS, static_cast<uint64_t>(s));
            } else {
                ret(sbi::ERR_NOT_SUPPORTED);
            }
            return nothing;
        case sbi::hsm_fid::HART_SUSPEND: {
            const uint32_t type = static_cast<uint32_t>(a0);
            if (type == sbi::SUSPEND_RETENTIVE) {
                ret(sbi::SUCCESS);
                return ExitReason{exit::Halt{}};
            }
            if (type == sbi::SUSPEND_NON_RETENTIVE) {
                // The hart's state is lost: it wakes at resume_addr as a
                // started hart would (S-mode, translation and SIE off).
                (void)set_entry(a1 & ~1ull);
                x[10] = hart_id_;
                x[11] = a2;
                return ExitReason{exit::Halt{}};
            }
            const bool platform = (type >= 0x10000000 && type <= 0x7fffffff) || type >= 0x90000000;
            ret(platform ? sbi::ERR_NOT_SUPPORTED : sbi::ERR_INVALID_PARAM);
            return nothing;
        }
        default: ret(sbi::ERR_NOT_SUPPORTED); return nothing;
        }

    case sbi::eid::SRST: {
        if (fid != 0) {
            ret(sbi::ERR_NOT_SUPPORTED);
            return nothing;
        }
        const uint32_t type = static_cast<uint32_t>(a0), reason = static_cast<uint32_t>(a1);
        if (type >= 0xF0000000) {
            ret(sbi::ERR_NOT_SUPPORTED);
            return nothing;
        }
        // Reasons 0 (none) and 1 (system failure) are defined; 0xE0000000
        // and up belong to SBI implementations and vendors.
        if (type > sbi::RESET_WARM_REBOOT || (reason > 1 && reason < 0xE0000000)) {
            ret(sbi::ERR_INVALID_PARAM);
            return nothing;
        }
        reset_ = {type, reason};
        ret(sbi::SUCCESS);
        return ExitReason{exit::SystemDown{}};
    }

    case sbi::eid::DBCN:
        switch (fid) {
        case sbi::dbcn_fid::WRITE: {
            // RV64: the address is a2:a1 (upper:lower XLEN bits), so the
            // upper half must be zero.
            const uint64_t n = std::min(a0, kDbcnMaxBytes);
            std::vector<uint8_t> buf(n);
            if (a2 != 0 || !guest_phys_read(a1, buf.data(), n)) {
                ret(sbi::ERR_INVALID_PARAM);
                return nothing;
            }
            for (uint8_t ch : buf) putc(ch);
            ret(sbi::SUCCESS, n);
            return nothing;
        }
        case sbi::dbcn_fid::READ: {
            const uint64_t n = std::min(a0, kDbcnMaxBytes);
            // Validate the whole buffer before consuming any input.
            if (a2 != 0 || !guest_phys_write(a1, nullptr, n)) {
                ret(sbi::ERR_INVALID_PARAM);
                return nothing;
            }
            std::vector<uint8_t> buf;
            while (buf.size() < n) {
                const int ch = getc();
                if (ch < 0) break;
                buf.push_back(static_cast<uint8_t>(ch));
            }
            if (!guest_phys_write(a1, buf.data(), buf.size())) {
                ret(sbi::ERR_INVALID_PARAM);
                return nothing;
            }
            ret(sbi::SUCCESS, buf.size());
            return nothing;
        }
        case sbi::dbcn_fid::WRITE_BYTE:
            putc(static_cast<uint8_t>(a0));
            ret(sbi::SUCCESS);
            return nothing;
        default: ret(sbi::ERR_NOT_SUPPORTED); return nothing;
        }

    case sbi::eid::HYPERCALL:
        return ExitReason{exit::Hypercall{x[16], {x[10], x[11], x[12], x[13], x[14], x[15]}}};

    default:
        ret(sbi::ERR_NOT_SUPPORTED);
        return nothing;
    }
}

} // namespace hvemu::vcpu::riscv
