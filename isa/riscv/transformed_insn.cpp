// Transformed instructions for htinst/mtinst (privileged spec, H extension,
// "Transformed Instruction or Pseudoinstruction for mtinst or htinst").
#include "isa/riscv/transformed_insn.hpp"

namespace hvemu::rv {

namespace {

constexpr uint32_t kOpLoad = 0x03, kOpLoadFp = 0x07, kOpStore = 0x23, kOpStoreFp = 0x27;
constexpr uint32_t kOpAmo = 0x2f, kOpSystem = 0x73;
constexpr uint32_t kRs1Field = 0x1fu << 15;

uint32_t addr_offset_field(uint64_t off) { return static_cast<uint32_t>(off & 0x1f) << 15; }

// A basic load keeps funct3, rd and opcode; rs1 becomes the Addr. Offset and
// the immediate is zeroed.
uint32_t load_form(uint32_t opcode, uint32_t funct3, uint32_t rd) { return funct3 << 12 | rd << 7 | opcode; }
// A basic store keeps rs2, funct3 and opcode; the immediate is zeroed.
uint32_t store_form(uint32_t opcode, uint32_t funct3, uint32_t rs2) { return rs2 << 20 | funct3 << 12 | opcode; }

// The 32-bit transformation (Addr. Offset still zero) of a compressed load
// or store, or 0 when the parcel is not one.
uint32_t expand_compressed(uint32_t raw) {
    const uint32_t quadrant = raw & 3;
    const uint32_t funct3 = (raw >> 13) & 7;
    const uint32_t rd_prime = ((raw >> 2) & 7) + 8;   // rd' / rs2' of CL/CS formats
    const uint32_t rd_full = (raw >> 7) & 0x1f;        // rd of CI (…SP loads)
    const uint32_t rs2_full = (raw >> 2) & 0x1f;       // rs2 of CSS (…SP stores)
    if (quadrant == 0) {
        switch (funct3) {
        case 1: return load_form(kOpLoadFp, 3, rd_prime);    // c.fld
        case 2: return load_form(kOpLoad, 2, rd_prime);      // c.lw
        case 3: return load_form(kOpLoad, 3, rd_prime);      // c.ld
        case 5: return store_form(kOpStoreFp, 3, rd_prime);  // c.fsd
        case 6: return store_form(kOpStore, 2, rd_prime);    // c.sw
        case 7: return store_form(kOpStore, 3, rd_prime);    // c.sd
        default: return 0;
        }
    }
    if (quadrant == 2) {
        switch (funct3) {
        case 1: return load_form(kOpLoadFp, 3, rd_full);     // c.fldsp
        case 2: return load_form(kOpLoad, 2, rd_full);       // c.lwsp
        case 3: return load_form(kOpLoad, 3, rd_full);       // c.ldsp
        case 5: return store_form(kOpStoreFp, 3, rs2_full);  // c.fsdsp
        case 6: return store_form(kOpStore, 2, rs2_full);    // c.swsp
        case 7: return store_form(kOpStore, 3, rs2_full);    // c.sdsp
        default: return 0;
        }
    }
    return 0;
}

} // namespace

uint32_t transformed_insn(uint32_t raw, uint64_t addr_offset) {
    if ((raw & 3) != 3) {
        const uint32_t t = expand_compressed(raw & 0xffff);
        // Bit 1 cleared marks the trapping instruction as compressed.
        return t ? ((t | addr_offset_field(addr_offset)) & ~2u) : 0;
    }
    const uint32_t opcode = raw & 0x7f;
    const uint32_t funct3 = (raw >> 12) & 7;
    switch (opcode) {
    case kOpLoad:
    case kOpLoadFp:
        return load_form(opcode, funct3, (raw >> 7) & 0x1f) | addr_offset_field(addr_offset);
    case kOpStore:
    case kOpStoreFp:
        return store_form(opcode, funct3, (raw >> 20) & 0x1f) | addr_offset_field(addr_offset);
    case kOpAmo:
        return (raw & ~kRs1Field) | addr_offset_field(addr_offset);
    case kOpSystem: {
        // HLV/HLVX/HSV: funct3 = 100 and funct7 = 0110xxx.
        const uint32_t funct7 = raw >> 25;
        if (funct3 == 4 && (funct7 & 0x78) == 0x30) return (raw & ~kRs1Field) | addr_offset_field(addr_offset);
        return 0;
    }
    default:
        return 0;
    }
}

} // namespace hvemu::rv
