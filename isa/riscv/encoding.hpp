// RISC-V names: CSR numbers, register fields, trap causes, as the
// unprivileged and privileged specifications name them. No magic numbers
// elsewhere in isa/riscv.
#pragma once
#include <cstdint>

namespace hvemu::rv {

enum class Priv : uint8_t { U = 0, S = 1, M = 3 };

namespace csr {
// Unprivileged
constexpr uint16_t fflags = 0x001, frm = 0x002, fcsr = 0x003;
constexpr uint16_t cycle = 0xC00, time = 0xC01, instret = 0xC02;
constexpr uint16_t hpmcounter3 = 0xC03, hpmcounter31 = 0xC1F;
// Supervisor
constexpr uint16_t sstatus = 0x100, sie = 0x104, stvec = 0x105, scounteren = 0x106;
constexpr uint16_t senvcfg = 0x10A;
constexpr uint16_t sscratch = 0x140, sepc = 0x141, scause = 0x142, stval = 0x143, sip = 0x144;
constexpr uint16_t stimecmp = 0x14D;
constexpr uint16_t satp = 0x180;
// Hypervisor
constexpr uint16_t hstatus = 0x600, hedeleg = 0x602, hideleg = 0x603, hie = 0x604;
constexpr uint16_t htimedelta = 0x605, hcounteren = 0x606, hgeie = 0x607;
constexpr uint16_t henvcfg = 0x60A;
constexpr uint16_t htval = 0x643, hip = 0x644, hvip = 0x645, htinst = 0x64A;
constexpr uint16_t hgatp = 0x680, hgeip = 0xE12;
// Virtual supervisor
constexpr uint16_t vsstatus = 0x200, vsie = 0x204, vstvec = 0x205, vsscratch = 0x240;
constexpr uint16_t vsepc = 0x241, vscause = 0x242, vstval = 0x243, vsip = 0x244;
constexpr uint16_t vstimecmp = 0x24D, vsatp = 0x280;
// Machine
constexpr uint16_t mvendorid = 0xF11, marchid = 0xF12, mimpid = 0xF13, mhartid = 0xF14;
constexpr uint16_t mconfigptr = 0xF15;
constexpr uint16_t mstatus = 0x300, misa = 0x301, medeleg = 0x302, mideleg = 0x303;
constexpr uint16_t mie = 0x304, mtvec = 0x305, mcounteren = 0x306;
constexpr uint16_t menvcfg = 0x30A, mcountinhibit = 0x320;
constexpr uint16_t mhpmevent3 = 0x323, mhpmevent31 = 0x33F;
constexpr uint16_t mscratch = 0x340, mepc = 0x341, mcause = 0x342, mtval = 0x343, mip = 0x344;
constexpr uint16_t mtinst = 0x34A, mtval2 = 0x34B;
constexpr uint16_t pmpcfg0 = 0x3A0, pmpcfg15 = 0x3AF, pmpaddr0 = 0x3B0, pmpaddr63 = 0x3EF;
constexpr uint16_t mcycle = 0xB00, minstret = 0xB02;
constexpr uint16_t mhpmcounter3 = 0xB03, mhpmcounter31 = 0xB1F;
// Debug/trace (absent: accesses raise illegal instruction)
constexpr uint16_t tselect = 0x7A0;
} // namespace csr

// mstatus / sstatus / vsstatus fields
namespace mstatus {
constexpr uint64_t SIE = 1ull << 1, MIE = 1ull << 3, SPIE = 1ull << 5, UBE = 1ull << 6;
constexpr uint64_t MPIE = 1ull << 7, SPP = 1ull << 8;
constexpr uint64_t VS = 3ull << 9, MPP = 3ull << 11, FS = 3ull << 13, XS = 3ull << 15;
constexpr uint64_t MPRV = 1ull << 17, SUM = 1ull << 18, MXR = 1ull << 19;
constexpr uint64_t TVM = 1ull << 20, TW = 1ull << 21, TSR = 1ull << 22;
constexpr uint64_t UXL = 3ull << 32, SXL = 3ull << 34, SBE = 1ull << 36, MBE = 1ull << 37;
constexpr uint64_t GVA = 1ull << 38, MPV = 1ull << 39, SD = 1ull << 63;
constexpr unsigned MPP_SHIFT = 11, FS_SHIFT = 13;
constexpr uint64_t FS_OFF = 0, FS_INITIAL = 1, FS_CLEAN = 2, FS_DIRTY = 3;
// The bits sstatus (and vsstatus) expose.
constexpr uint64_t SSTATUS_MASK = SIE | SPIE | UBE | SPP | VS | FS | XS | SUM | MXR | UXL | SD;
} // namespace mstatus

namespace hstatus {
constexpr uint64_t VSBE = 1ull << 5, GVA = 1ull << 6, SPV = 1ull << 7, SPVP = 1ull << 8;
constexpr uint64_t HU = 1ull << 9, VGEIN = 0x3Full << 12;
constexpr uint64_t VTVM = 1ull << 20, VTW = 1ull << 21, VTSR = 1ull << 22;
constexpr uint64_t VSXL = 3ull << 32;
constexpr unsigned VGEIN_SHIFT = 12;
} // namespace hstatus

// Interrupt numbers (bit positions in mip/mie)
namespace irq {
constexpr unsigned SSI = 1, VSSI = 2, MSI = 3, STI = 5, VSTI = 6, MTI = 7;
constexpr unsigned SEI = 9, VSEI = 10, MEI = 11, SGEI = 12;
constexpr uint64_t bit(unsigned n) { return 1ull << n; }
constexpr uint64_t VS_MASK = bit(VSSI) | bit(VSTI) | bit(VSEI);
constexpr uint64_t S_MASK = bit(SSI) | bit(STI) | bit(SEI);
constexpr uint64_t M_MASK = bit(MSI) | bit(MTI) | bit(MEI);
constexpr uint64_t H_MASK = VS_MASK | bit(SGEI);
} // namespace irq

// Exception causes
namespace cause {
constexpr uint64_t INSN_MISALIGNED = 0, INSN_ACCESS = 1, ILLEGAL_INSN = 2, BREAKPOINT = 3;
constexpr uint64_t LOAD_MISALIGNED = 4, LOAD_ACCESS = 5, STORE_MISALIGNED = 6, STORE_ACCESS = 7;
constexpr uint64_t ECALL_U = 8, ECALL_S = 9, ECALL_VS = 10, ECALL_M = 11;
constexpr uint64_t INSN_PAGE_FAULT = 12, LOAD_PAGE_FAULT = 13, STORE_PAGE_FAULT = 15;
constexpr uint64_t INSN_GUEST_PAGE_FAULT = 20, LOAD_GUEST_PAGE_FAULT = 21;
constexpr uint64_t VIRTUAL_INSN = 22, STORE_GUEST_PAGE_FAULT = 23;
constexpr uint64_t INTERRUPT = 1ull << 63;
} // namespace cause

// satp / vsatp / hgatp
namespace atp {
constexpr uint64_t MODE_BARE = 0, MODE_SV39 = 8, MODE_SV48 = 9, MODE_SV57 = 10;
constexpr unsigned MODE_SHIFT = 60;
constexpr uint64_t PPN_MASK = (1ull << 44) - 1;
constexpr unsigned ASID_SHIFT = 44;
constexpr uint64_t ASID_MASK = 0xFFFF;  // satp.ASID, 16 bits
constexpr uint64_t VMID_MASK = 0x3FFF;  // hgatp.VMID, 14 bits
} // namespace atp

namespace pte {
constexpr uint64_t V = 1, R = 2, W = 4, X = 8, U = 16, G = 32, A = 64, D = 128;
constexpr unsigned PPN_SHIFT = 10;
constexpr uint64_t PPN_MASK = ((1ull << 44) - 1) << PPN_SHIFT;
constexpr uint64_t RESERVED_MASK = 0x7Full << 54; // bits 60:54 must be zero (no Svpbmt)
constexpr uint64_t PBMT_N_MASK = 0x7ull << 61;    // Svpbmt and Svnapot absent: reserved
} // namespace pte

namespace menvcfg {
constexpr uint64_t FIOM = 1, CBIE = 3ull << 4, CBCFE = 1ull << 6, CBZE = 1ull << 7;
constexpr uint64_t PBMTE = 1ull << 62, STCE = 1ull << 63;
} // namespace menvcfg

// Pseudo-instructions written to htinst/mtinst for guest-page faults taken
// on implicit VS-stage page-table accesses (privileged spec, "Transformed
// instruction or pseudoinstruction").
namespace tinst {
constexpr uint64_t PSEUDO_VS_READ_64 = 0x00003000;
constexpr uint64_t PSEUDO_VS_WRITE_64 = 0x00003020;
constexpr uint64_t PSEUDO_VS_READ_32 = 0x00002000;
constexpr uint64_t PSEUDO_VS_WRITE_32 = 0x00002020;
} // namespace tinst

namespace fflag {
constexpr uint32_t NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
}
namespace rm {
constexpr uint8_t RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4, DYN = 7;
}

} // namespace hvemu::rv
