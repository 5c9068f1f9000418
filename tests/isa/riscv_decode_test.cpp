// Decoding: every encoding the hart knows decodes to its table entry with
// the operand fields the specification gives it. The golden encodings were
// produced once with llvm-mc (the H-extension ones, which LLVM 14 lacks, by
// hand from the specification's tables); the expected fields are written from
// the assembly text, not from the decoder. Compressed encodings are also
// checked exhaustively against an independent expansion to 32 bits.
#include <catch2/catch.hpp>

#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "isa/riscv/hart.hpp"
#include "tests/isa/rv_test_util.hpp"

namespace hvemu::rv {
namespace {

constexpr int64_t kAny = INT64_MIN;   // field not checked

struct Golden {
    uint32_t raw;
    const char* name;
    int64_t rd, rs1, rs2, rs3, imm, rm;
};

// {encoding, table mnemonic, rd, rs1, rs2, rs3, imm, rm}; rd 32 is the
// sink register an integer rd of x0 is redirected to.
const Golden kGolden[] = {
    {0xfffff537, "lui", 10, kAny, kAny, kAny, -4096, kAny},  // lui x10, 0xfffff
    {0x800002b7, "lui", 5, kAny, kAny, kAny, -2147483648, kAny},  // lui x5, 0x80000
    {0x12345fb7, "lui", 31, kAny, kAny, kAny, 305418240, kAny},  // lui x31, 0x12345
    {0x00001037, "lui", 32, kAny, kAny, kAny, 4096, kAny},  // lui x0, 1
    {0x7ffff497, "auipc", 9, kAny, kAny, kAny, 2147479552, kAny},  // auipc x9, 0x7ffff
    {0xabcde097, "auipc", 1, kAny, kAny, kAny, -1412571136, kAny},  // auipc x1, 0xabcde
    {0x800000ef, "jal", 1, kAny, kAny, kAny, -1048576, kAny},  // jal x1, -1048576
    {0x7ffff0ef, "jal", 1, kAny, kAny, kAny, 1048574, kAny},  // jal x1, 1048574
    {0x002000ef, "jal", 1, kAny, kAny, kAny, 2, kAny},  // jal x1, 2
    {0xfffff0ef, "jal", 1, kAny, kAny, kAny, -2, kAny},  // jal x1, -2
    {0x001000ef, "jal", 1, kAny, kAny, kAny, 2048, kAny},  // jal x1, 2048
    {0x7fe000ef, "jal", 1, kAny, kAny, kAny, 2046, kAny},  // jal x1, 2046
    {0x000010ef, "jal", 1, kAny, kAny, kAny, 4096, kAny},  // jal x1, 4096
    {0x000ff0ef, "jal", 1, kAny, kAny, kAny, 1044480, kAny},  // jal x1, 1044480
    {0x554550ef, "jal", 1, kAny, kAny, kAny, 349524, kAny},  // jal x1, 349524
    {0xd54d50ef, "jal", 1, kAny, kAny, kAny, -174764, kAny},  // jal x1, -174764
    {0x0010006f, "jal", 32, kAny, kAny, kAny, 2048, kAny},  // jal x0, 2048
    {0x800782e7, "jalr", 5, 15, kAny, kAny, -2048, kAny},  // jalr x5, -2048(x15)
    {0x7ff50567, "jalr", 10, 10, kAny, kAny, 2047, kAny},  // jalr x10, 2047(x10)
    {0x00008067, "jalr", 32, 1, kAny, kAny, 0, kAny},  // jalr x0, 0(x1)
    {0x81428063, "beq", kAny, 5, 20, kAny, -4096, kAny},  // beq x5, x20, -4096
    {0x7f428fe3, "beq", kAny, 5, 20, kAny, 4094, kAny},  // beq x5, x20, 4094
    {0x014280e3, "beq", kAny, 5, 20, kAny, 2048, kAny},  // beq x5, x20, 2048
    {0x01428163, "beq", kAny, 5, 20, kAny, 2, kAny},  // beq x5, x20, 2
    {0xff428fe3, "beq", kAny, 5, 20, kAny, -2, kAny},  // beq x5, x20, -2
    {0x7f428063, "beq", kAny, 5, 20, kAny, 2016, kAny},  // beq x5, x20, 2016
    {0x01428f63, "beq", kAny, 5, 20, kAny, 30, kAny},  // beq x5, x20, 30
    {0xab4285e3, "beq", kAny, 5, 20, kAny, -1366, kAny},  // beq x5, x20, -1366
    {0xab5315e3, "bne", kAny, 6, 21, kAny, -1366, kAny},  // bne x6, x21, -1366
    {0xab63c5e3, "blt", kAny, 7, 22, kAny, -1366, kAny},  // blt x7, x22, -1366
    {0xab7455e3, "bge", kAny, 8, 23, kAny, -1366, kAny},  // bge x8, x23, -1366
    {0xab84e5e3, "bltu", kAny, 9, 24, kAny, -1366, kAny},  // bltu x9, x24, -1366
    {0xab9575e3, "bgeu", kAny, 10, 25, kAny, -1366, kAny},  // bgeu x10, x25, -1366
    {0x80088183, "lb", 3, 17, kAny, kAny, -2048, kAny},  // lb x3, -2048(x17)
    {0x7ff88183, "lb", 3, 17, kAny, kAny, 2047, kAny},  // lb x3, 2047(x17)
    {0xfff88183, "lb", 3, 17, kAny, kAny, -1, kAny},  // lb x3, -1(x17)
    {0x55588183, "lb", 3, 17, kAny, kAny, 1365, kAny},  // lb x3, 1365(x17)
    {0xfff91203, "lh", 4, 18, kAny, kAny, -1, kAny},  // lh x4, -1(x18)
    {0xfff9a283, "lw", 5, 19, kAny, kAny, -1, kAny},  // lw x5, -1(x19)
    {0xfffa3303, "ld", 6, 20, kAny, kAny, -1, kAny},  // ld x6, -1(x20)
    {0xfffac383, "lbu", 7, 21, kAny, kAny, -1, kAny},  // lbu x7, -1(x21)
    {0xfffb5403, "lhu", 8, 22, kAny, kAny, -1, kAny},  // lhu x8, -1(x22)
    {0xfffbe483, "lwu", 9, 23, kAny, kAny, -1, kAny},  // lwu x9, -1(x23)
    {0x81958023, "sb", kAny, 11, 25, kAny, -2048, kAny},  // sb x25, -2048(x11)
    {0x7f958fa3, "sb", kAny, 11, 25, kAny, 2047, kAny},  // sb x25, 2047(x11)
    {0x7f958023, "sb", kAny, 11, 25, kAny, 2016, kAny},  // sb x25, 2016(x11)
    {0x01958fa3, "sb", kAny, 11, 25, kAny, 31, kAny},  // sb x25, 31(x11)
    {0xff958fa3, "sb", kAny, 11, 25, kAny, -1, kAny},  // sb x25, -1(x11)
    {0x2b9582a3, "sb", kAny, 11, 25, kAny, 677, kAny},  // sb x25, 677(x11)
    {0xaba612a3, "sh", kAny, 12, 26, kAny, -1371, kAny},  // sh x26, -1371(x12)
    {0xabb6a2a3, "sw", kAny, 13, 27, kAny, -1371, kAny},  // sw x27, -1371(x13)
    {0xabc732a3, "sd", kAny, 14, 28, kAny, -1371, kAny},  // sd x28, -1371(x14)
    {0x800f0093, "addi", 1, 30, kAny, kAny, -2048, kAny},  // addi x1, x30, -2048
    {0x7fff0093, "addi", 1, 30, kAny, kAny, 2047, kAny},  // addi x1, x30, 2047
    {0xffff0093, "addi", 1, 30, kAny, kAny, -1, kAny},  // addi x1, x30, -1
    {0x000f0093, "addi", 1, 30, kAny, kAny, 0, kAny},  // addi x1, x30, 0
    {0x5a5f0093, "addi", 1, 30, kAny, kAny, 1445, kAny},  // addi x1, x30, 1445
    {0xfffea113, "slti", 2, 29, kAny, kAny, -1, kAny},  // slti x2, x29, -1
    {0x5a5ea113, "slti", 2, 29, kAny, kAny, 1445, kAny},  // slti x2, x29, 1445
    {0xfffe3193, "sltiu", 3, 28, kAny, kAny, -1, kAny},  // sltiu x3, x28, -1
    {0x5a5e3193, "sltiu", 3, 28, kAny, kAny, 1445, kAny},  // sltiu x3, x28, 1445
    {0xfffdc213, "xori", 4, 27, kAny, kAny, -1, kAny},  // xori x4, x27, -1
    {0x5a5dc213, "xori", 4, 27, kAny, kAny, 1445, kAny},  // xori x4, x27, 1445
    {0xfffd6293, "ori", 5, 26, kAny, kAny, -1, kAny},  // ori x5, x26, -1
    {0x5a5d6293, "ori", 5, 26, kAny, kAny, 1445, kAny},  // ori x5, x26, 1445
    {0xfffcf313, "andi", 6, 25, kAny, kAny, -1, kAny},  // andi x6, x25, -1
    {0x5a5cf313, "andi", 6, 25, kAny, kAny, 1445, kAny},  // andi x6, x25, 1445
    {0xfffc039b, "addiw", 7, 24, kAny, kAny, -1, kAny},  // addiw x7, x24, -1
    {0x5a5c039b, "addiw", 7, 24, kAny, kAny, 1445, kAny},  // addiw x7, x24, 1445
    {0x00069613, "slli", 12, 13, kAny, kAny, 0, kAny},  // slli x12, x13, 0
    {0x00169613, "slli", 12, 13, kAny, kAny, 1, kAny},  // slli x12, x13, 1
    {0x01f69613, "slli", 12, 13, kAny, kAny, 31, kAny},  // slli x12, x13, 31
    {0x02069613, "slli", 12, 13, kAny, kAny, 32, kAny},  // slli x12, x13, 32
    {0x03f69613, "slli", 12, 13, kAny, kAny, 63, kAny},  // slli x12, x13, 63
    {0x0006d613, "srli", 12, 13, kAny, kAny, 0, kAny},  // srli x12, x13, 0
    {0x0016d613, "srli", 12, 13, kAny, kAny, 1, kAny},  // srli x12, x13, 1
    {0x0216d613, "srli", 12, 13, kAny, kAny, 33, kAny},  // srli x12, x13, 33
    {0x03f6d613, "srli", 12, 13, kAny, kAny, 63, kAny},  // srli x12, x13, 63
    {0x4006d613, "srai", 12, 13, kAny, kAny, 0, kAny},  // srai x12, x13, 0
    {0x4016d613, "srai", 12, 13, kAny, kAny, 1, kAny},  // srai x12, x13, 1
    {0x4216d613, "srai", 12, 13, kAny, kAny, 33, kAny},  // srai x12, x13, 33
    {0x43f6d613, "srai", 12, 13, kAny, kAny, 63, kAny},  // srai x12, x13, 63
    {0x0006961b, "slliw", 12, 13, kAny, kAny, 0, kAny},  // slliw x12, x13, 0
    {0x0016961b, "slliw", 12, 13, kAny, kAny, 1, kAny},  // slliw x12, x13, 1
    {0x01f6961b, "slliw", 12, 13, kAny, kAny, 31, kAny},  // slliw x12, x13, 31
    {0x0006d61b, "srliw", 12, 13, kAny, kAny, 0, kAny},  // srliw x12, x13, 0
    {0x0076d61b, "srliw", 12, 13, kAny, kAny, 7, kAny},  // srliw x12, x13, 7
    {0x01f6d61b, "srliw", 12, 13, kAny, kAny, 31, kAny},  // srliw x12, x13, 31
    {0x4006d61b, "sraiw", 12, 13, kAny, kAny, 0, kAny},  // sraiw x12, x13, 0
    {0x4136d61b, "sraiw", 12, 13, kAny, kAny, 19, kAny},  // sraiw x12, x13, 19
    {0x41f6d61b, "sraiw", 12, 13, kAny, kAny, 31, kAny},  // sraiw x12, x13, 31
    {0x002081b3, "add", 3, 1, 2, kAny, kAny, kAny},  // add x3, x1, x2
    {0x40920433, "sub", 8, 4, 9, kAny, kAny, kAny},  // sub x8, x4, x9
    {0x010396b3, "sll", 13, 7, 16, kAny, kAny, kAny},  // sll x13, x7, x16
    {0x01752933, "slt", 18, 10, 23, kAny, kAny, kAny},  // slt x18, x10, x23
    {0x01e6bbb3, "sltu", 23, 13, 30, kAny, kAny, kAny},  // sltu x23, x13, x30
    {0x00584e33, "xor", 28, 16, 5, kAny, kAny, kAny},  // xor x28, x16, x5
    {0x00c9d0b3, "srl", 1, 19, 12, kAny, kAny, kAny},  // srl x1, x19, x12
    {0x413b5333, "sra", 6, 22, 19, kAny, kAny, kAny},  // sra x6, x22, x19
    {0x01ace5b3, "or", 11, 25, 26, kAny, kAny, kAny},  // or x11, x25, x26
    {0x001e7833, "and", 16, 28, 1, kAny, kAny, kAny},  // and x16, x28, x1
    {0x008f8abb, "addw", 21, 31, 8, kAny, kAny, kAny},  // addw x21, x31, x8
    {0x40f10d3b, "subw", 26, 2, 15, kAny, kAny, kAny},  // subw x26, x2, x15
    {0x01629fbb, "sllw", 31, 5, 22, kAny, kAny, kAny},  // sllw x31, x5, x22
    {0x01d4523b, "srlw", 4, 8, 29, kAny, kAny, kAny},  // srlw x4, x8, x29
    {0x4045d4bb, "sraw", 9, 11, 4, kAny, kAny, kAny},  // sraw x9, x11, x4
    {0x02b70733, "mul", 14, 14, 11, kAny, kAny, kAny},  // mul x14, x14, x11
    {0x032899b3, "mulh", 19, 17, 18, kAny, kAny, kAny},  // mulh x19, x17, x18
    {0x039a2c33, "mulhsu", 24, 20, 25, kAny, kAny, kAny},  // mulhsu x24, x20, x25
    {0x020bbeb3, "mulhu", 29, 23, 0, kAny, kAny, kAny},  // mulhu x29, x23, x0
    {0x027d4133, "div", 2, 26, 7, kAny, kAny, kAny},  // div x2, x26, x7
    {0x02eed3b3, "divu", 7, 29, 14, kAny, kAny, kAny},  // divu x7, x29, x14
    {0x03506633, "rem", 12, 0, 21, kAny, kAny, kAny},  // rem x12, x0, x21
    {0x03c1f8b3, "remu", 17, 3, 28, kAny, kAny, kAny},  // remu x17, x3, x28
    {0x02330b3b, "mulw", 22, 6, 3, kAny, kAny, kAny},  // mulw x22, x6, x3
    {0x02a4cdbb, "divw", 27, 9, 10, kAny, kAny, kAny},  // divw x27, x9, x10
    {0x0316523b, "divuw", 4, 12, 17, kAny, kAny, kAny},  // divuw x4, x12, x17
    {0x0387e2bb, "remw", 5, 15, 24, kAny, kAny, kAny},  // remw x5, x15, x24
    {0x03f9753b, "remuw", 10, 18, 31, kAny, kAny, kAny},  // remuw x10, x18, x31
    {0x00208033, "add", 32, 1, 2, kAny, kAny, kAny},  // add x0, x1, x2
    {0x0310000f, "fence", kAny, kAny, kAny, kAny, 49, kAny},  // fence rw, w
    {0x0ff0000f, "fence", kAny, kAny, kAny, kAny, 255, kAny},  // fence iorw, iorw
    {0x8330000f, "fence", kAny, kAny, kAny, kAny, 2099, kAny},  // fence.tso
    {0x0000100f, "fence.i", kAny, kAny, kAny, kAny, kAny, kAny},  // fence.i
    {0x00000073, "ecall", kAny, kAny, kAny, kAny, kAny, kAny},  // ecall
    {0x00100073, "ebreak", kAny, kAny, kAny, kAny, kAny, kAny},  // ebreak
    {0x30059573, "csrrw", 10, 11, kAny, kAny, 768, kAny},  // csrrw x10, 0x300, x11
    {0xffffa0f3, "csrrs", 1, 31, kAny, kAny, 4095, kAny},  // csrrs x1, 0xfff, x31
    {0x1802b073, "csrrc", 32, 5, kAny, kAny, 384, kAny},  // csrrc x0, 0x180, x5
    {0x7c0fd573, "csrrwi", 10, 31, kAny, kAny, 1984, kAny},  // csrrwi x10, 0x7c0, 31
    {0x0010e5f3, "csrrsi", 11, 1, kAny, kAny, 1, kAny},  // csrrsi x11, 0x001, 1
    {0xc0087673, "csrrci", 12, 16, kAny, kAny, 3072, kAny},  // csrrci x12, 0xc00, 16
    {0x10200073, "sret", kAny, kAny, kAny, kAny, kAny, kAny},  // sret
    {0x30200073, "mret", kAny, kAny, kAny, kAny, kAny, kAny},  // mret
    {0x10500073, "wfi", kAny, kAny, kAny, kAny, kAny, kAny},  // wfi
    {0x12b50073, "sfence.vma", kAny, 10, 11, kAny, kAny, kAny},  // sfence.vma x10, x11
    {0x12000073, "sfence.vma", kAny, 0, 0, kAny, kAny, kAny},  // sfence.vma x0, x0
    {0x1005a52f, "lr.w", 10, 11, kAny, kAny, kAny, kAny},  // lr.w x10, (x11)
    {0x1006b62f, "lr.d", 12, 13, kAny, kAny, kAny, kAny},  // lr.d x12, (x13)
    {0x18f8272f, "sc.w", 14, 16, 15, kAny, kAny, kAny},  // sc.w x14, x15, (x16)
    {0x1929b8af, "sc.d", 17, 19, 18, kAny, kAny, kAny},  // sc.d x17, x18, (x19)
    {0x1605a52f, "lr.w", 10, 11, kAny, kAny, kAny, kAny},  // lr.w.aqrl x10, (x11)
    {0x1606b62f, "lr.d", 12, 13, kAny, kAny, kAny, kAny},  // lr.d.aqrl x12, (x13)
    {0x1ef8272f, "sc.w", 14, 16, 15, kAny, kAny, kAny},  // sc.w.aqrl x14, x15, (x16)
    {0x1f29b8af, "sc.d", 17, 19, 18, kAny, kAny, kAny},  // sc.d.aqrl x17, x18, (x19)
    {0x0f44a2af, "amoswap.w", 5, 9, 20, kAny, kAny, kAny},  // amoswap.w.aqrl x5, x20, (x9)
    {0x0f44b2af, "amoswap.d", 5, 9, 20, kAny, kAny, kAny},  // amoswap.d.aqrl x5, x20, (x9)
    {0x0755232f, "amoadd.w", 6, 10, 21, kAny, kAny, kAny},  // amoadd.w.aqrl x6, x21, (x10)
    {0x0755332f, "amoadd.d", 6, 10, 21, kAny, kAny, kAny},  // amoadd.d.aqrl x6, x21, (x10)
    {0x2765a3af, "amoxor.w", 7, 11, 22, kAny, kAny, kAny},  // amoxor.w.aqrl x7, x22, (x11)
    {0x2765b3af, "amoxor.d", 7, 11, 22, kAny, kAny, kAny},  // amoxor.d.aqrl x7, x22, (x11)
    {0x6776242f, "amoand.w", 8, 12, 23, kAny, kAny, kAny},  // amoand.w.aqrl x8, x23, (x12)
    {0x6776342f, "amoand.d", 8, 12, 23, kAny, kAny, kAny},  // amoand.d.aqrl x8, x23, (x12)
    {0x4786a4af, "amoor.w", 9, 13, 24, kAny, kAny, kAny},  // amoor.w.aqrl x9, x24, (x13)
    {0x4786b4af, "amoor.d", 9, 13, 24, kAny, kAny, kAny},  // amoor.d.aqrl x9, x24, (x13)
    {0x8797252f, "amomin.w", 10, 14, 25, kAny, kAny, kAny},  // amomin.w.aqrl x10, x25, (x14)
    {0x8797352f, "amomin.d", 10, 14, 25, kAny, kAny, kAny},  // amomin.d.aqrl x10, x25, (x14)
    {0xa7a7a5af, "amomax.w", 11, 15, 26, kAny, kAny, kAny},  // amomax.w.aqrl x11, x26, (x15)
    {0xa7a7b5af, "amomax.d", 11, 15, 26, kAny, kAny, kAny},  // amomax.d.aqrl x11, x26, (x15)
    {0xc7b8262f, "amominu.w", 12, 16, 27, kAny, kAny, kAny},  // amominu.w.aqrl x12, x27, (x16)
    {0xc7b8362f, "amominu.d", 12, 16, 27, kAny, kAny, kAny},  // amominu.d.aqrl x12, x27, (x16)
    {0xe7c8a6af, "amomaxu.w", 13, 17, 28, kAny, kAny, kAny},  // amomaxu.w.aqrl x13, x28, (x17)
    {0xe7c8b6af, "amomaxu.d", 13, 17, 28, kAny, kAny, kAny},  // amomaxu.d.aqrl x13, x28, (x17)
    {0x80022187, "flw", 3, 4, kAny, kAny, -2048, kAny},  // flw f3, -2048(x4)
    {0x7e532fa7, "fsw", kAny, 6, 5, kAny, 2047, kAny},  // fsw f5, 2047(x6)
    {0xf83100c3, "fmadd.s", 1, 2, 3, 31, kAny, 0},  // fmadd.s f1, f2, f3, f31, rne
    {0xf83110c7, "fmsub.s", 1, 2, 3, 31, kAny, 1},  // fmsub.s f1, f2, f3, f31, rtz
    {0xf83120cb, "fnmsub.s", 1, 2, 3, 31, kAny, 2},  // fnmsub.s f1, f2, f3, f31, rdn
    {0xf83130cf, "fnmadd.s", 1, 2, 3, 31, kAny, 3},  // fnmadd.s f1, f2, f3, f31, rup
    {0x009443d3, "fadd.s", 7, 8, 9, kAny, kAny, 4},  // fadd.s f7, f8, f9, rmm
    {0x089473d3, "fsub.s", 7, 8, 9, kAny, kAny, 7},  // fsub.s f7, f8, f9, dyn
    {0x109413d3, "fmul.s", 7, 8, 9, kAny, kAny, 1},  // fmul.s f7, f8, f9, rtz
    {0x189403d3, "fdiv.s", 7, 8, 9, kAny, kAny, 0},  // fdiv.s f7, f8, f9, rne
    {0x5805b553, "fsqrt.s", 10, 11, kAny, kAny, kAny, 3},  // fsqrt.s f10, f11, rup
    {0x20e68653, "fsgnj.s", 12, 13, 14, kAny, kAny, kAny},  // fsgnj.s f12, f13, f14
    {0x20e69653, "fsgnjn.s", 12, 13, 14, kAny, kAny, kAny},  // fsgnjn.s f12, f13, f14
    {0x20e6a653, "fsgnjx.s", 12, 13, 14, kAny, kAny, kAny},  // fsgnjx.s f12, f13, f14
    {0x28e68653, "fmin.s", 12, 13, 14, kAny, kAny, kAny},  // fmin.s f12, f13, f14
    {0x28e69653, "fmax.s", 12, 13, 14, kAny, kAny, kAny},  // fmax.s f12, f13, f14
    {0xa11827d3, "feq.s", 15, 16, 17, kAny, kAny, kAny},  // feq.s x15, f16, f17
    {0xa11817d3, "flt.s", 15, 16, 17, kAny, kAny, kAny},  // flt.s x15, f16, f17
    {0xa11807d3, "fle.s", 15, 16, 17, kAny, kAny, kAny},  // fle.s x15, f16, f17
    {0xc0099953, "fcvt.w.s", 18, 19, kAny, kAny, kAny, 1},  // fcvt.w.s x18, f19, rtz
    {0xd00aaa53, "fcvt.s.w", 20, 21, kAny, kAny, kAny, 2},  // fcvt.s.w f20, x21, rdn
    {0xc0199953, "fcvt.wu.s", 18, 19, kAny, kAny, kAny, 1},  // fcvt.wu.s x18, f19, rtz
    {0xd01aaa53, "fcvt.s.wu", 20, 21, kAny, kAny, kAny, 2},  // fcvt.s.wu f20, x21, rdn
    {0xc0299953, "fcvt.l.s", 18, 19, kAny, kAny, kAny, 1},  // fcvt.l.s x18, f19, rtz
    {0xd02aaa53, "fcvt.s.l", 20, 21, kAny, kAny, kAny, 2},  // fcvt.s.l f20, x21, rdn
    {0xc0399953, "fcvt.lu.s", 18, 19, kAny, kAny, kAny, 1},  // fcvt.lu.s x18, f19, rtz
    {0xd03aaa53, "fcvt.s.lu", 20, 21, kAny, kAny, kAny, 2},  // fcvt.s.lu f20, x21, rdn
    {0xe00b8b53, "fmv.x.w", 22, 23, kAny, kAny, kAny, kAny},  // fmv.x.w x22, f23
    {0xf00c8c53, "fmv.w.x", 24, 25, kAny, kAny, kAny, kAny},  // fmv.w.x f24, x25
    {0xe00d9d53, "fclass.s", 26, 27, kAny, kAny, kAny, kAny},  // fclass.s x26, f27
    {0x80023187, "fld", 3, 4, kAny, kAny, -2048, kAny},  // fld f3, -2048(x4)
    {0x7e533fa7, "fsd", kAny, 6, 5, kAny, 2047, kAny},  // fsd f5, 2047(x6)
    {0xfa3100c3, "fmadd.d", 1, 2, 3, 31, kAny, 0},  // fmadd.d f1, f2, f3, f31, rne
    {0xfa3110c7, "fmsub.d", 1, 2, 3, 31, kAny, 1},  // fmsub.d f1, f2, f3, f31, rtz
    {0xfa3120cb, "fnmsub.d", 1, 2, 3, 31, kAny, 2},  // fnmsub.d f1, f2, f3, f31, rdn
    {0xfa3130cf, "fnmadd.d", 1, 2, 3, 31, kAny, 3},  // fnmadd.d f1, f2, f3, f31, rup
    {0x029443d3, "fadd.d", 7, 8, 9, kAny, kAny, 4},  // fadd.d f7, f8, f9, rmm
    {0x0a9473d3, "fsub.d", 7, 8, 9, kAny, kAny, 7},  // fsub.d f7, f8, f9, dyn
    {0x129413d3, "fmul.d", 7, 8, 9, kAny, kAny, 1},  // fmul.d f7, f8, f9, rtz
    {0x1a9403d3, "fdiv.d", 7, 8, 9, kAny, kAny, 0},  // fdiv.d f7, f8, f9, rne
    {0x5a05b553, "fsqrt.d", 10, 11, kAny, kAny, kAny, 3},  // fsqrt.d f10, f11, rup
    {0x22e68653, "fsgnj.d", 12, 13, 14, kAny, kAny, kAny},  // fsgnj.d f12, f13, f14
    {0x22e69653, "fsgnjn.d", 12, 13, 14, kAny, kAny, kAny},  // fsgnjn.d f12, f13, f14
    {0x22e6a653, "fsgnjx.d", 12, 13, 14, kAny, kAny, kAny},  // fsgnjx.d f12, f13, f14
    {0x2ae68653, "fmin.d", 12, 13, 14, kAny, kAny, kAny},  // fmin.d f12, f13, f14
    {0x2ae69653, "fmax.d", 12, 13, 14, kAny, kAny, kAny},  // fmax.d f12, f13, f14
    {0xa31827d3, "feq.d", 15, 16, 17, kAny, kAny, kAny},  // feq.d x15, f16, f17
    {0xa31817d3, "flt.d", 15, 16, 17, kAny, kAny, kAny},  // flt.d x15, f16, f17
    {0xa31807d3, "fle.d", 15, 16, 17, kAny, kAny, kAny},  // fle.d x15, f16, f17
    {0xc2099953, "fcvt.w.d", 18, 19, kAny, kAny, kAny, 1},  // fcvt.w.d x18, f19, rtz
    {0xd20a8a53, "fcvt.d.w", 20, 21, kAny, kAny, kAny, kAny},  // fcvt.d.w f20, x21
    {0xc2199953, "fcvt.wu.d", 18, 19, kAny, kAny, kAny, 1},  // fcvt.wu.d x18, f19, rtz
    {0xd21a8a53, "fcvt.d.wu", 20, 21, kAny, kAny, kAny, kAny},  // fcvt.d.wu f20, x21
    {0xc2299953, "fcvt.l.d", 18, 19, kAny, kAny, kAny, 1},  // fcvt.l.d x18, f19, rtz
    {0xd22aaa53, "fcvt.d.l", 20, 21, kAny, kAny, kAny, 2},  // fcvt.d.l f20, x21, rdn
    {0xc2399953, "fcvt.lu.d", 18, 19, kAny, kAny, kAny, 1},  // fcvt.lu.d x18, f19, rtz
    {0xd23aaa53, "fcvt.d.lu", 20, 21, kAny, kAny, kAny, 2},  // fcvt.d.lu f20, x21, rdn
    {0xe20b8b53, "fmv.x.d", 22, 23, kAny, kAny, kAny, kAny},  // fmv.x.d x22, f23
    {0xf20c8c53, "fmv.d.x", 24, 25, kAny, kAny, kAny, kAny},  // fmv.d.x f24, x25
    {0xe20d9d53, "fclass.d", 26, 27, kAny, kAny, kAny, kAny},  // fclass.d x26, f27
    {0x401140d3, "fcvt.s.d", 1, 2, kAny, kAny, kAny, 4},  // fcvt.s.d f1, f2, rmm
    {0x420201d3, "fcvt.d.s", 3, 4, kAny, kAny, kAny, kAny},  // fcvt.d.s f3, f4
    {0xe2008053, "fmv.x.d", 32, 1, kAny, kAny, kAny, kAny},  // fmv.x.d x0, f1
    {0x22b50073, "hfence.vvma", kAny, 10, 11, kAny, kAny, kAny},  // by hand
    {0x22000073, "hfence.vvma", kAny, 0, 0, kAny, kAny, kAny},  // by hand
    {0x62d60073, "hfence.gvma", kAny, 12, 13, kAny, kAny, kAny},  // by hand
    {0x6003cef3, "hlv.b", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x6013cef3, "hlv.bu", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x6403cef3, "hlv.h", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x6413cef3, "hlv.hu", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x6433cef3, "hlvx.hu", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x6803cef3, "hlv.w", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x6813cef3, "hlv.wu", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x6833cef3, "hlvx.wu", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x6c03cef3, "hlv.d", 29, 7, kAny, kAny, kAny, kAny},  // by hand
    {0x63e34073, "hsv.b", kAny, 6, 30, kAny, kAny, kAny},  // by hand
    {0x67e34073, "hsv.h", kAny, 6, 30, kAny, kAny, kAny},  // by hand
    {0x6be34073, "hsv.w", kAny, 6, 30, kAny, kAny, kAny},  // by hand
    {0x6fe34073, "hsv.d", kAny, 6, 30, kAny, kAny, kAny},  // by hand
    {0x0044, "c.addi4spn", 9, 2, kAny, kAny, 4, kAny},  // c.addi4spn x9, x2, 4
    {0x0028, "c.addi4spn", 10, 2, kAny, kAny, 8, kAny},  // c.addi4spn x10, x2, 8
    {0x0810, "c.addi4spn", 12, 2, kAny, kAny, 16, kAny},  // c.addi4spn x12, x2, 16
    {0x1000, "c.addi4spn", 8, 2, kAny, kAny, 32, kAny},  // c.addi4spn x8, x2, 32
    {0x0080, "c.addi4spn", 8, 2, kAny, kAny, 64, kAny},  // c.addi4spn x8, x2, 64
    {0x0100, "c.addi4spn", 8, 2, kAny, kAny, 128, kAny},  // c.addi4spn x8, x2, 128
    {0x0200, "c.addi4spn", 8, 2, kAny, kAny, 256, kAny},  // c.addi4spn x8, x2, 256
    {0x0400, "c.addi4spn", 8, 2, kAny, kAny, 512, kAny},  // c.addi4spn x8, x2, 512
    {0x1ffc, "c.addi4spn", 15, 2, kAny, kAny, 1020, kAny},  // c.addi4spn x15, x2, 1020
    {0x0ad4, "c.addi4spn", 13, 2, kAny, kAny, 340, kAny},  // c.addi4spn x13, x2, 340
    {0x1528, "c.addi4spn", 10, 2, kAny, kAny, 680, kAny},  // c.addi4spn x10, x2, 680
    {0x6380, "c.ld", 8, 15, kAny, kAny, 0, kAny},  // c.ld x8, 0(x15)
    {0xe380, "c.sd", kAny, 15, 8, kAny, 0, kAny},  // c.sd x8, 0(x15)
    {0x2704, "c.fld", 9, 14, kAny, kAny, 8, kAny},  // c.fld f9, 8(x14)
    {0x6704, "c.ld", 9, 14, kAny, kAny, 8, kAny},  // c.ld x9, 8(x14)
    {0xe704, "c.sd", kAny, 14, 9, kAny, 8, kAny},  // c.sd x9, 8(x14)
    {0x6a88, "c.ld", 10, 13, kAny, kAny, 16, kAny},  // c.ld x10, 16(x13)
    {0xaa88, "c.fsd", kAny, 13, 10, kAny, 16, kAny},  // c.fsd f10, 16(x13)
    {0xea88, "c.sd", kAny, 13, 10, kAny, 16, kAny},  // c.sd x10, 16(x13)
    {0x7190, "c.ld", 12, 11, kAny, kAny, 32, kAny},  // c.ld x12, 32(x11)
    {0xf190, "c.sd", kAny, 11, 12, kAny, 32, kAny},  // c.sd x12, 32(x11)
    {0x63a0, "c.ld", 8, 15, kAny, kAny, 64, kAny},  // c.ld x8, 64(x15)
    {0xe3a0, "c.sd", kAny, 15, 8, kAny, 64, kAny},  // c.sd x8, 64(x15)
    {0x63c0, "c.ld", 8, 15, kAny, kAny, 128, kAny},  // c.ld x8, 128(x15)
    {0xe3c0, "c.sd", kAny, 15, 8, kAny, 128, kAny},  // c.sd x8, 128(x15)
    {0x7c7c, "c.ld", 15, 8, kAny, kAny, 248, kAny},  // c.ld x15, 248(x8)
    {0xfc7c, "c.sd", kAny, 8, 15, kAny, 248, kAny},  // c.sd x15, 248(x8)
    {0x3554, "c.fld", 13, 10, kAny, kAny, 168, kAny},  // c.fld f13, 168(x10)
    {0x7554, "c.ld", 13, 10, kAny, kAny, 168, kAny},  // c.ld x13, 168(x10)
    {0xb554, "c.fsd", kAny, 10, 13, kAny, 168, kAny},  // c.fsd f13, 168(x10)
    {0xf554, "c.sd", kAny, 10, 13, kAny, 168, kAny},  // c.sd x13, 168(x10)
    {0x4380, "c.lw", 8, 15, kAny, kAny, 0, kAny},  // c.lw x8, 0(x15)
    {0xc380, "c.sw", kAny, 15, 8, kAny, 0, kAny},  // c.sw x8, 0(x15)
    {0x4344, "c.lw", 9, 14, kAny, kAny, 4, kAny},  // c.lw x9, 4(x14)
    {0xc344, "c.sw", kAny, 14, 9, kAny, 4, kAny},  // c.sw x9, 4(x14)
    {0x4688, "c.lw", 10, 13, kAny, kAny, 8, kAny},  // c.lw x10, 8(x13)
    {0xc688, "c.sw", kAny, 13, 10, kAny, 8, kAny},  // c.sw x10, 8(x13)
    {0x4990, "c.lw", 12, 11, kAny, kAny, 16, kAny},  // c.lw x12, 16(x11)
    {0xc990, "c.sw", kAny, 11, 12, kAny, 16, kAny},  // c.sw x12, 16(x11)
    {0x5380, "c.lw", 8, 15, kAny, kAny, 32, kAny},  // c.lw x8, 32(x15)
    {0xd380, "c.sw", kAny, 15, 8, kAny, 32, kAny},  // c.sw x8, 32(x15)
    {0x43a0, "c.lw", 8, 15, kAny, kAny, 64, kAny},  // c.lw x8, 64(x15)
    {0xc3a0, "c.sw", kAny, 15, 8, kAny, 64, kAny},  // c.sw x8, 64(x15)
    {0x5c7c, "c.lw", 15, 8, kAny, kAny, 124, kAny},  // c.lw x15, 124(x8)
    {0xdc7c, "c.sw", kAny, 8, 15, kAny, 124, kAny},  // c.sw x15, 124(x8)
    {0x4974, "c.lw", 13, 10, kAny, kAny, 84, kAny},  // c.lw x13, 84(x10)
    {0xc974, "c.sw", kAny, 10, 13, kAny, 84, kAny},  // c.sw x13, 84(x10)
    {0x0001, "c.nop", 32, 0, kAny, kAny, 0, kAny},  // c.nop
    {0x1501, "c.addi", 10, 10, kAny, kAny, -32, kAny},  // c.addi x10, -32
    {0x3f81, "c.addiw", 31, 31, kAny, kAny, -32, kAny},  // c.addiw x31, -32
    {0x5101, "c.li", 2, 0, kAny, kAny, -32, kAny},  // c.li x2, -32
    {0x9881, "c.andi", 9, 9, kAny, kAny, -32, kAny},  // c.andi x9, -32
    {0x057d, "c.addi", 10, 10, kAny, kAny, 31, kAny},  // c.addi x10, 31
    {0x2ffd, "c.addiw", 31, 31, kAny, kAny, 31, kAny},  // c.addiw x31, 31
    {0x417d, "c.li", 2, 0, kAny, kAny, 31, kAny},  // c.li x2, 31
    {0x88fd, "c.andi", 9, 9, kAny, kAny, 31, kAny},  // c.andi x9, 31
    {0x0505, "c.addi", 10, 10, kAny, kAny, 1, kAny},  // c.addi x10, 1
    {0x157d, "c.addi", 10, 10, kAny, kAny, -1, kAny},  // c.addi x10, -1
    {0x0541, "c.addi", 10, 10, kAny, kAny, 16, kAny},  // c.addi x10, 16
    {0x1541, "c.addi", 10, 10, kAny, kAny, -16, kAny},  // c.addi x10, -16
    {0x2081, "c.addiw", 1, 1, kAny, kAny, 0, kAny},  // c.addiw x1, 0
    {0x7101, "c.addi16sp", 2, 2, kAny, kAny, -512, kAny},  // c.addi16sp x2, -512
    {0x617d, "c.addi16sp", 2, 2, kAny, kAny, 496, kAny},  // c.addi16sp x2, 496
    {0x6141, "c.addi16sp", 2, 2, kAny, kAny, 16, kAny},  // c.addi16sp x2, 16
    {0x6105, "c.addi16sp", 2, 2, kAny, kAny, 32, kAny},  // c.addi16sp x2, 32
    {0x6121, "c.addi16sp", 2, 2, kAny, kAny, 64, kAny},  // c.addi16sp x2, 64
    {0x6109, "c.addi16sp", 2, 2, kAny, kAny, 128, kAny},  // c.addi16sp x2, 128
    {0x6111, "c.addi16sp", 2, 2, kAny, kAny, 256, kAny},  // c.addi16sp x2, 256
    {0x717d, "c.addi16sp", 2, 2, kAny, kAny, -16, kAny},  // c.addi16sp x2, -16
    {0x6171, "c.addi16sp", 2, 2, kAny, kAny, 336, kAny},  // c.addi16sp x2, 336
    {0x6585, "c.lui", 11, kAny, kAny, kAny, 4096, kAny},  // c.lui x11, 1
    {0x65fd, "c.lui", 11, kAny, kAny, kAny, 126976, kAny},  // c.lui x11, 31
    {0x75fd, "c.lui", 11, kAny, kAny, kAny, -4096, kAny},  // c.lui x11, 1048575
    {0x7581, "c.lui", 11, kAny, kAny, kAny, -131072, kAny},  // c.lui x11, 1048544
    {0x65c1, "c.lui", 11, kAny, kAny, kAny, 65536, kAny},  // c.lui x11, 16
    {0x75bd, "c.lui", 11, kAny, kAny, kAny, -69632, kAny},  // c.lui x11, 1048559
    {0x8005, "c.srli", 8, 8, kAny, kAny, 1, kAny},  // c.srli x8, 1
    {0x8785, "c.srai", 15, 15, kAny, kAny, 1, kAny},  // c.srai x15, 1
    {0x0f86, "c.slli", 31, 31, kAny, kAny, 1, kAny},  // c.slli x31, 1
    {0x807d, "c.srli", 8, 8, kAny, kAny, 31, kAny},  // c.srli x8, 31
    {0x0ffe, "c.slli", 31, 31, kAny, kAny, 31, kAny},  // c.slli x31, 31
    {0x9001, "c.srli", 8, 8, kAny, kAny, 32, kAny},  // c.srli x8, 32
    {0x1f82, "c.slli", 31, 31, kAny, kAny, 32, kAny},  // c.slli x31, 32
    {0x907d, "c.srli", 8, 8, kAny, kAny, 63, kAny},  // c.srli x8, 63
    {0x97fd, "c.srai", 15, 15, kAny, kAny, 63, kAny},  // c.srai x15, 63
    {0x1ffe, "c.slli", 31, 31, kAny, kAny, 63, kAny},  // c.slli x31, 63
    {0x8055, "c.srli", 8, 8, kAny, kAny, 21, kAny},  // c.srli x8, 21
    {0x0fd6, "c.slli", 31, 31, kAny, kAny, 21, kAny},  // c.slli x31, 21
    {0x9029, "c.srli", 8, 8, kAny, kAny, 42, kAny},  // c.srli x8, 42
    {0x1faa, "c.slli", 31, 31, kAny, kAny, 42, kAny},  // c.slli x31, 42
    {0x8c99, "c.sub", 9, 9, 14, kAny, kAny, kAny},  // c.sub x9, x14
    {0x8cb9, "c.xor", 9, 9, 14, kAny, kAny, kAny},  // c.xor x9, x14
    {0x8cd9, "c.or", 9, 9, 14, kAny, kAny, kAny},  // c.or x9, x14
    {0x8cf9, "c.and", 9, 9, 14, kAny, kAny, kAny},  // c.and x9, x14
    {0x9c99, "c.subw", 9, 9, 14, kAny, kAny, kAny},  // c.subw x9, x14
    {0x9cb9, "c.addw", 9, 9, 14, kAny, kAny, kAny},  // c.addw x9, x14
    {0xb001, "c.j", 32, kAny, kAny, kAny, -2048, kAny},  // c.j -2048
    {0xaffd, "c.j", 32, kAny, kAny, kAny, 2046, kAny},  // c.j 2046
    {0xa009, "c.j", 32, kAny, kAny, kAny, 2, kAny},  // c.j 2
    {0xbffd, "c.j", 32, kAny, kAny, kAny, -2, kAny},  // c.j -2
    {0xa801, "c.j", 32, kAny, kAny, kAny, 16, kAny},  // c.j 16
    {0xa005, "c.j", 32, kAny, kAny, kAny, 32, kAny},  // c.j 32
    {0xa081, "c.j", 32, kAny, kAny, kAny, 64, kAny},  // c.j 64
    {0xa041, "c.j", 32, kAny, kAny, kAny, 128, kAny},  // c.j 128
    {0xa201, "c.j", 32, kAny, kAny, kAny, 256, kAny},  // c.j 256
    {0xa401, "c.j", 32, kAny, kAny, kAny, 512, kAny},  // c.j 512
    {0xa101, "c.j", 32, kAny, kAny, kAny, 1024, kAny},  // c.j 1024
    {0xa46d, "c.j", 32, kAny, kAny, kAny, 682, kAny},  // c.j 682
    {0xbb91, "c.j", 32, kAny, kAny, kAny, -684, kAny},  // c.j -684
    {0xd201, "c.beqz", kAny, 12, 0, kAny, -256, kAny},  // c.beqz x12, -256
    {0xf281, "c.bnez", kAny, 13, 0, kAny, -256, kAny},  // c.bnez x13, -256
    {0xce7d, "c.beqz", kAny, 12, 0, kAny, 254, kAny},  // c.beqz x12, 254
    {0xeefd, "c.bnez", kAny, 13, 0, kAny, 254, kAny},  // c.bnez x13, 254
    {0xc209, "c.beqz", kAny, 12, 0, kAny, 2, kAny},  // c.beqz x12, 2
    {0xde7d, "c.beqz", kAny, 12, 0, kAny, -2, kAny},  // c.beqz x12, -2
    {0xc601, "c.beqz", kAny, 12, 0, kAny, 8, kAny},  // c.beqz x12, 8
    {0xca01, "c.beqz", kAny, 12, 0, kAny, 16, kAny},  // c.beqz x12, 16
    {0xc205, "c.beqz", kAny, 12, 0, kAny, 32, kAny},  // c.beqz x12, 32
    {0xc221, "c.beqz", kAny, 12, 0, kAny, 64, kAny},  // c.beqz x12, 64
    {0xc241, "c.beqz", kAny, 12, 0, kAny, 128, kAny},  // c.beqz x12, 128
    {0xc64d, "c.beqz", kAny, 12, 0, kAny, 170, kAny},  // c.beqz x12, 170
    {0xda31, "c.beqz", kAny, 12, 0, kAny, -172, kAny},  // c.beqz x12, -172
    {0x6082, "c.ldsp", 1, 2, kAny, kAny, 0, kAny},  // c.ldsp x1, 0(x2)
    {0xe002, "c.sdsp", kAny, 2, 0, kAny, 0, kAny},  // c.sdsp x0, 0(x2)
    {0x20a2, "c.fldsp", 1, 2, kAny, kAny, 8, kAny},  // c.fldsp f1, 8(x2)
    {0x6122, "c.ldsp", 2, 2, kAny, kAny, 8, kAny},  // c.ldsp x2, 8(x2)
    {0xe406, "c.sdsp", kAny, 2, 1, kAny, 8, kAny},  // c.sdsp x1, 8(x2)
    {0x61c2, "c.ldsp", 3, 2, kAny, kAny, 16, kAny},  // c.ldsp x3, 16(x2)
    {0xa80a, "c.fsdsp", kAny, 2, 2, kAny, 16, kAny},  // c.fsdsp f2, 16(x2)
    {0xe80a, "c.sdsp", kAny, 2, 2, kAny, 16, kAny},  // c.sdsp x2, 16(x2)
    {0x7282, "c.ldsp", 5, 2, kAny, kAny, 32, kAny},  // c.ldsp x5, 32(x2)
    {0xf012, "c.sdsp", kAny, 2, 4, kAny, 32, kAny},  // c.sdsp x4, 32(x2)
    {0x6486, "c.ldsp", 9, 2, kAny, kAny, 64, kAny},  // c.ldsp x9, 64(x2)
    {0xe0a2, "c.sdsp", kAny, 2, 8, kAny, 64, kAny},  // c.sdsp x8, 64(x2)
    {0x688a, "c.ldsp", 17, 2, kAny, kAny, 128, kAny},  // c.ldsp x17, 128(x2)
    {0xe142, "c.sdsp", kAny, 2, 16, kAny, 128, kAny},  // c.sdsp x16, 128(x2)
    {0x6112, "c.ldsp", 2, 2, kAny, kAny, 256, kAny},  // c.ldsp x2, 256(x2)
    {0xe202, "c.sdsp", kAny, 2, 0, kAny, 256, kAny},  // c.sdsp x0, 256(x2)
    {0x717e, "c.ldsp", 2, 2, kAny, kAny, 504, kAny},  // c.ldsp x2, 504(x2)
    {0xfffe, "c.sdsp", kAny, 2, 31, kAny, 504, kAny},  // c.sdsp x31, 504(x2)
    {0x3aba, "c.fldsp", 21, 2, kAny, kAny, 424, kAny},  // c.fldsp f21, 424(x2)
    {0x7bba, "c.ldsp", 23, 2, kAny, kAny, 424, kAny},  // c.ldsp x23, 424(x2)
    {0xb756, "c.fsdsp", kAny, 2, 21, kAny, 424, kAny},  // c.fsdsp f21, 424(x2)
    {0xf756, "c.sdsp", kAny, 2, 21, kAny, 424, kAny},  // c.sdsp x21, 424(x2)
    {0x4082, "c.lwsp", 1, 2, kAny, kAny, 0, kAny},  // c.lwsp x1, 0(x2)
    {0xc002, "c.swsp", kAny, 2, 0, kAny, 0, kAny},  // c.swsp x0, 0(x2)
    {0x4112, "c.lwsp", 2, 2, kAny, kAny, 4, kAny},  // c.lwsp x2, 4(x2)
    {0xc206, "c.swsp", kAny, 2, 1, kAny, 4, kAny},  // c.swsp x1, 4(x2)
    {0x41a2, "c.lwsp", 3, 2, kAny, kAny, 8, kAny},  // c.lwsp x3, 8(x2)
    {0xc40a, "c.swsp", kAny, 2, 2, kAny, 8, kAny},  // c.swsp x2, 8(x2)
    {0x42c2, "c.lwsp", 5, 2, kAny, kAny, 16, kAny},  // c.lwsp x5, 16(x2)
    {0xc812, "c.swsp", kAny, 2, 4, kAny, 16, kAny},  // c.swsp x4, 16(x2)
    {0x5482, "c.lwsp", 9, 2, kAny, kAny, 32, kAny},  // c.lwsp x9, 32(x2)
    {0xd022, "c.swsp", kAny, 2, 8, kAny, 32, kAny},  // c.swsp x8, 32(x2)
    {0x4886, "c.lwsp", 17, 2, kAny, kAny, 64, kAny},  // c.lwsp x17, 64(x2)
    {0xc0c2, "c.swsp", kAny, 2, 16, kAny, 64, kAny},  // c.swsp x16, 64(x2)
    {0x410a, "c.lwsp", 2, 2, kAny, kAny, 128, kAny},  // c.lwsp x2, 128(x2)
    {0xc102, "c.swsp", kAny, 2, 0, kAny, 128, kAny},  // c.swsp x0, 128(x2)
    {0x517e, "c.lwsp", 2, 2, kAny, kAny, 252, kAny},  // c.lwsp x2, 252(x2)
    {0xdffe, "c.swsp", kAny, 2, 31, kAny, 252, kAny},  // c.swsp x31, 252(x2)
    {0x559a, "c.lwsp", 11, 2, kAny, kAny, 164, kAny},  // c.lwsp x11, 164(x2)
    {0xd326, "c.swsp", kAny, 2, 9, kAny, 164, kAny},  // c.swsp x9, 164(x2)
    {0x8082, "c.jr", 32, 1, kAny, kAny, 0, kAny},  // c.jr x1
    {0x8f82, "c.jr", 32, 31, kAny, kAny, 0, kAny},  // c.jr x31
    {0x9282, "c.jalr", 1, 5, kAny, kAny, 0, kAny},  // c.jalr x5
    {0x852e, "c.mv", 10, 0, 11, kAny, kAny, kAny},  // c.mv x10, x11
    {0x967e, "c.add", 12, 12, 31, kAny, kAny, kAny},  // c.add x12, x31
    {0x9002, "c.ebreak", kAny, kAny, kAny, kAny, kAny, kAny},  // c.ebreak
};

std::string describe(const Golden& g) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "0x%08x %s", g.raw, g.name);
    return buf;
}

const char* name_of(const Insn& in) { return in.id == kInvalidId ? "<illegal>" : insn_table()[in.id].name; }

} // namespace

TEST_CASE("every golden encoding decodes to its table entry with the right fields", "[decode]") {
    for (const Golden& g : kGolden) {
        INFO(describe(g));
        const Insn in = decode(g.raw);
        REQUIRE(in.id != kInvalidId);
        CHECK(std::string(name_of(in)) == g.name);
        CHECK(in.raw == g.raw);
        CHECK(in.len == ((g.raw & 3) == 3 ? 4 : 2));
        CHECK(in.fn == insn_table()[in.id].fn);
        if (g.rd != kAny) CHECK(int64_t{in.rd} == g.rd);
        if (g.rs1 != kAny) CHECK(int64_t{in.rs1} == g.rs1);
        if (g.rs2 != kAny) CHECK(int64_t{in.rs2} == g.rs2);
        if (g.rs3 != kAny) CHECK(int64_t{in.rs3} == g.rs3);
        if (g.imm != kAny) CHECK(in.imm == g.imm);
        if (g.rm != kAny) CHECK(int64_t{in.rm} == g.rm);
    }
}

TEST_CASE("the golden list covers every entry of the instruction table", "[decode]") {
    std::set<std::string> seen;
    for (const Golden& g : kGolden) seen.insert(g.name);
    for (unsigned i = 0; i < insn_table_size(); ++i) {
        INFO(insn_table()[i].name);
        CHECK(seen.count(insn_table()[i].name) == 1);
    }
}

TEST_CASE("the table is consistent: match within mask, length from the low bits", "[decode]") {
    for (unsigned i = 0; i < insn_table_size(); ++i) {
        const InsnDesc& d = insn_table()[i];
        INFO(d.name);
        CHECK((d.match & ~d.mask) == 0);
        CHECK(d.len == ((d.match & 3) == 3 ? 4 : 2));
        CHECK((d.mask & 3) == 3);
        CHECK(d.fn != nullptr);
        CHECK(std::string_view(d.regs).size() == 4);
        CHECK((d.len == 2) == (std::string_view(d.name).substr(0, 2) == "c."));
    }
}

TEST_CASE("reserved and unknown encodings decode as illegal", "[decode]") {
    const uint32_t illegal[] = {
        0x0000,       // the all-zero parcel
        0x0004,       // c.addi4spn x9, sp, 0: nzuimm = 0
        0x001c,       // c.addi4spn x15, sp, 0
        0x4002,       // c.lwsp x0, 0(sp)
        0x5056,       // c.lwsp x0, 52(sp)
        0x6002,       // c.ldsp x0, 0(sp)
        0x7006,       // c.ldsp x0, 32+64(sp)
        0x8002,       // c.jr x0
        0x6501,       // c.lui a0, 0
        0x6001,       // c.lui x0, 0
        0x6101,       // c.addi16sp sp, 0
        0x2001,       // c.addiw x0, 0
        0x2005,       // c.addiw x0, 1
        0x307d,       // c.addiw x0, -1
        0x8000,       // quadrant 0, funct3 100: reserved
        0x9ffc,       // quadrant 0, funct3 100: reserved
        0x9c41,       // c.subw/c.addw group, funct2 10: reserved
        0x9c61,       // funct2 11: reserved
        0x9fe1,       // c.subw/c.addw group, bit 12 with funct2 11
        0x0000001f,   // 48-bit encoding
        0xffffffff,   // 48-bit prefix with all ones (bits 4:0 = 11111)
        0x0000003f,   // 64-bit encoding
        0x0000007f,   // >= 80-bit encoding
        0x0000005f,   // 48-bit
        0x0000000b, 0x0000002b, 0x0000005b, 0x0000007b,   // custom-0..3
        0x00000057, 0x00000077, 0x0000006b,               // OP-V, OP-P (reserved), reserved
        0x80000033,   // OP with funct7 = 1000000
        0x0200101b,   // slliw with shamt[5] = 1
        0x0200501b,   // srliw with shamt[5] = 1
        0x4200501b,   // sraiw with shamt[5] = 1
        0x80001013,   // slli with funct6 = 100000
        0x00002067,   // jalr with funct3 = 010
        0x00002063,   // branch funct3 = 010
        0x00007003,   // load funct3 = 111
        0x00004023,   // store funct3 = 100
        0x00004073,   // SYSTEM funct3 = 100 without an H encoding
        0x60204073,   // hlv.b with rs2 = 2
        0x00100173,   // ebreak with rd = 2
        0x00008073,   // ecall with rs1 = 1
        0x30200173,   // mret with rd = 2
        0x10200073 | (1u << 15),   // sret with rs1 = 1
        0x10500073 | (1u << 7),    // wfi with rd = 1
        0x12000173,   // sfence.vma with rd = 2
        0x62004173,   // hsv.b with rd = 2
        0x1000302f | (1u << 20),   // lr.d with rs2 = 1
        0x0000402f,   // AMO funct3 = 100
        0x1800102f,   // sc with funct3 = 001
        0xf800202f,   // AMO funct5 = 11111
    };
    for (uint32_t raw : illegal) {
        INFO("raw = " << std::hex << raw);
        const Insn in = decode(raw);
        CHECK(in.id == kInvalidId);
        CHECK(in.raw == ((raw & 3) == 3 ? raw : (raw & 0xffff)));
        CHECK(in.len == ((raw & 3) == 3 ? 4 : 2));
        CHECK(in.fn != nullptr);
    }
}

TEST_CASE("major opcodes without instructions decode as illegal for any other bits", "[decode]") {
    const std::set<uint32_t> used = {0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37,
                                     0x3b, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73};
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (uint32_t opc = 3; opc < 128; opc += 4) {
        INFO("opcode = " << std::hex << opc);
        for (int k = 0; k < 512; ++k) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const uint32_t raw = (static_cast<uint32_t>(seed >> 32) & ~0x7fu) | opc;
            const Insn in = decode(raw);
            if (!used.count(opc) || (opc & 0x1c) == 0x1c) CHECK(in.id == kInvalidId);
            if (in.id != kInvalidId) {
                const InsnDesc& d = insn_table()[in.id];
                CHECK((raw & d.mask) == d.match);
                CHECK(d.len == 4);
            }
        }
    }
}

TEST_CASE("no 32-bit encoding matches two table entries", "[decode]") {
    // A table with overlapping 32-bit lines would make the decoder depend
    // on line order; compressed lines overlap on purpose (c.nop / c.addi...).
    uint64_t seed = 12345;
    for (int k = 0; k < 100000; ++k) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t raw = static_cast<uint32_t>(seed >> 32) | 3;
        // Bias toward real encodings: take the fixed bits of a random entry.
        const InsnDesc& pick = insn_table()[(seed >> 8) % insn_table_size()];
        if (pick.len == 4 && (k & 1)) raw = (raw & ~pick.mask) | pick.match;
        unsigned matches = 0, which = 0;
        for (unsigned i = 0; i < insn_table_size(); ++i) {
            const InsnDesc& d = insn_table()[i];
            if (d.len == 4 && (raw & d.mask) == d.match) ++matches, which = i;
        }
        const Insn in = decode(raw);
        const bool ok = matches == 0 ? in.id == kInvalidId : matches == 1 && (in.id == kInvalidId || in.id == which);
        if (!ok) {
            INFO("raw = 0x" << std::hex << raw << ": " << std::dec << matches << " entries match, decoded as "
                            << name_of(in));
            FAIL("ambiguous or wrong decode");
        }
    }
}

// ---- compressed: exhaustive check against an independent expansion --------

namespace {

using namespace rv::test;

// Gather an immediate from a parcel the way the specification's format
// tables write it: `spec` lists the immediate bits held by parcel bits
// top, top-1, ... (e.g. top 12, "5:4|9:6|2|3" for C.ADDI4SPN).
uint32_t gather(uint16_t p, int top, std::string_view spec) {
    uint32_t imm = 0;
    int pos = top;
    auto take = [&](int immbit) {
        imm |= ((p >> pos) & 1u) << immbit;
        --pos;
    };
    size_t i = 0;
    while (i < spec.size()) {
        size_t j = spec.find('|', i);
        if (j == std::string_view::npos) j = spec.size();
        const std::string_view part = spec.substr(i, j - i);
        const size_t colon = part.find(':');
        if (colon == std::string_view::npos) {
            take(std::stoi(std::string(part)));
        } else {
            const int hi = std::stoi(std::string(part.substr(0, colon)));
            const int lo = std::stoi(std::string(part.substr(colon + 1)));
            for (int b = hi; b >= lo; --b) take(b);
        }
        i = j + 1;
    }
    return imm;
}

int32_t sext(uint32_t v, unsigned bits) { return static_cast<int32_t>(v << (32 - bits)) >> (32 - bits); }

// The 32-bit instruction a 16-bit parcel expands to (RV64C, the
// specification's "RVC Instruction Set Listings"); nullopt when reserved.
// HINT encodings expand to the base instruction they are written as.
std::optional<uint32_t> expand(uint16_t p) {
    const unsigned q = p & 3, f3 = p >> 13;
    const unsigned r_full = (p >> 7) & 31, rs2_full = (p >> 2) & 31;
    const unsigned rs1p = 8 + ((p >> 7) & 7), rs2p = 8 + ((p >> 2) & 7);
    const bool b12 = (p >> 12) & 1;
    const int32_t imm6 = sext(gather(p, 12, "5") | gather(p, 6, "4:0"), 6);
    const uint32_t shamt = gather(p, 12, "5") | gather(p, 6, "4:0");
    if (q == 0) {
        switch (f3) {
        case 0: {
            const uint32_t nz = gather(p, 12, "5:4|9:6|2|3");
            if (nz == 0) return std::nullopt;
            return addi(rs2p, 2, static_cast<int32_t>(nz));
        }
        case 1: return enc_i(0x07, 3, rs2p, rs1p, static_cast<int32_t>(gather(p, 12, "5:3") | gather(p, 6, "7:6")));
        case 2: return enc_i(op::LOAD, 2, rs2p, rs1p, static_cast<int32_t>(gather(p, 12, "5:3") | gather(p, 6, "2|6")));
        case 3: return enc_i(op::LOAD, 3, rs2p, rs1p, static_cast<int32_t>(gather(p, 12, "5:3") | gather(p, 6, "7:6")));
        case 4: return std::nullopt;
        case 5: return enc_s(0x27, 3, rs1p, rs2p, static_cast<int32_t>(gather(p, 12, "5:3") | gather(p, 6, "7:6")));
        case 6: return enc_s(op::STORE, 2, rs1p, rs2p, static_cast<int32_t>(gather(p, 12, "5:3") | gather(p, 6, "2|6")));
        case 7: return enc_s(op::STORE, 3, rs1p, rs2p, static_cast<int32_t>(gather(p, 12, "5:3") | gather(p, 6, "7:6")));
        }
    }
    if (q == 1) {
        switch (f3) {
        case 0: return addi(r_full, r_full, imm6);   // c.nop, c.addi and their HINTs
        case 1:
            if (r_full == 0) return std::nullopt;
            return enc_i(op::OP_IMM_32, 0, r_full, r_full, imm6);
        case 2: return addi(r_full, 0, imm6);
        case 3:
            if (r_full == 2) {
                const int32_t nz = sext(gather(p, 12, "9") | gather(p, 6, "4|6|8:7|5"), 10);
                if (nz == 0) return std::nullopt;
                return addi(2, 2, nz);
            } else {
                const int32_t nz = sext(gather(p, 12, "17") | gather(p, 6, "16:12"), 18);
                if (nz == 0) return std::nullopt;
                return enc_u(op::LUI, r_full, static_cast<uint32_t>(nz) >> 12);
            }
        case 4: {
            const unsigned f2 = (p >> 10) & 3;
            if (f2 == 0) return enc_i(op::OP_IMM, 5, rs1p, rs1p, static_cast<int32_t>(shamt));
            if (f2 == 1) return enc_i(op::OP_IMM, 5, rs1p, rs1p, static_cast<int32_t>(0x400 | shamt));
            if (f2 == 2) return enc_i(op::OP_IMM, 7, rs1p, rs1p, imm6);
            const unsigned f = (p >> 5) & 3;
            if (!b12) {
                const unsigned f3s[] = {0, 4, 6, 7};
                return enc_r(op::OP, f3s[f], f == 0 ? 0x20 : 0, rs1p, rs1p, rs2p);
            }
            if (f == 0) return enc_r(op::OP_32, 0, 0x20, rs1p, rs1p, rs2p);
            if (f == 1) return enc_r(op::OP_32, 0, 0, rs1p, rs1p, rs2p);
            return std::nullopt;
        }
        case 5: return enc_j(op::JAL, 0, sext(gather(p, 12, "11|4|9:8|10|6|7|3:1|5"), 12));
        case 6:
        case 7: {
            const int32_t off = sext(gather(p, 12, "8|4:3") | gather(p, 6, "7:6|2:1|5"), 9);
            return enc_b(op::BRANCH, f3 == 6 ? 0 : 1, rs1p, 0, off);
        }
        }
    }
    if (q == 2) {
        switch (f3) {
        case 0: return enc_i(op::OP_IMM, 1, r_full, r_full, static_cast<int32_t>(shamt));
        case 1: return enc_i(0x07, 3, r_full, 2, static_cast<int32_t>(gather(p, 12, "5") | gather(p, 6, "4:3|8:6")));
        case 2:
            if (r_full == 0) return std::nullopt;
            return enc_i(op::LOAD, 2, r_full, 2, static_cast<int32_t>(gather(p, 12, "5") | gather(p, 6, "4:2|7:6")));
        case 3:
            if (r_full == 0) return std::nullopt;
            return enc_i(op::LOAD, 3, r_full, 2, static_cast<int32_t>(gather(p, 12, "5") | gather(p, 6, "4:3|8:6")));
        case 4:
            if (!b12) {
                if (rs2_full == 0) {
                    if (r_full == 0) return std::nullopt;
                    return enc_i(op::JALR, 0, 0, r_full, 0);
                }
                return enc_r(op::OP, 0, 0, r_full, 0, rs2_full);
            }
            if (rs2_full == 0) return r_full == 0 ? kEbreak : enc_i(op::JALR, 0, 1, r_full, 0);
            return enc_r(op::OP, 0, 0, r_full, r_full, rs2_full);
        case 5: return enc_s(0x27, 3, 2, rs2_full, static_cast<int32_t>(gather(p, 12, "5:3|8:6")));
        case 6: return enc_s(op::STORE, 2, 2, rs2_full, static_cast<int32_t>(gather(p, 12, "5:2|7:6")));
        case 7: return enc_s(op::STORE, 3, 2, rs2_full, static_cast<int32_t>(gather(p, 12, "5:3|8:6")));
        }
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("the test's encoders agree with the golden encodings", "[decode]") {
    // The expansion below builds 32-bit words with these encoders.
    CHECK(enc_r(op::OP, 0, 0x20, 5, 6, 7) == 0x407302b3);                      // sub t0, t1, t2
    CHECK(enc_i(op::JALR, 0, 5, 15, -2048) == 0x800782e7);                     // jalr t0, -2048(a5)
    CHECK(enc_s(op::STORE, 3, 14, 28, -2048) == 0x81c73023);                   // sd t3, -2048(a4)
    CHECK(enc_b(op::BRANCH, 0, 5, 20, -4096) == 0x81428063);                   // beq t0, s4, -4096
    CHECK(enc_j(op::JAL, 1, -1048576) == 0x800000ef);                          // jal ra, -1048576
    CHECK(enc_u(op::LUI, 10, 0xfffff) == 0xfffff537);                          // lui a0, 0xfffff
}

TEST_CASE("every 16-bit parcel decodes; legal ones are c.* entries equal to their expansion", "[decode][rvc]") {
    // Catch assertions are expensive; collect the first mismatch per parcel
    // and report only failures.
    unsigned legal = 0, failures = 0;
    for (uint32_t p = 0; p < 0x10000; ++p) {
        const Insn in = decode(p);
        const char* why = nullptr;
        std::optional<uint32_t> wide;
        if (in.fn == nullptr) {
            why = "no handler";
        } else if ((p & 3) == 3) {   // the low half of a 32-bit encoding
            if (in.len != 4) why = "32-bit parcel with length 2";
        } else if (in.len != 2 || in.raw != p) {
            why = "length or raw";
        } else if (!(wide = expand(static_cast<uint16_t>(p)))) {
            if (in.id != kInvalidId) why = "reserved encoding decoded as legal";
        } else if (in.id == kInvalidId) {
            why = "legal encoding decoded as illegal";
        } else {
            ++legal;
            const InsnDesc& d = insn_table()[in.id];
            const Insn base = decode(*wide);
            const InsnDesc* bd = base.id == kInvalidId ? nullptr : &insn_table()[base.id];
            if (std::string_view(d.name).substr(0, 2) != "c." || d.len != 2) why = "not a c.* entry";
            else if ((p & d.mask) != d.match) why = "entry does not match";
            else if (!bd) why = "expansion is illegal";
            else if (insn_base(in.id) != base.id) why = "base instruction";
            else if (in.imm != base.imm) why = "imm";
            else if (bd->fmt != Fmt::U && bd->fmt != Fmt::J && in.rs1 != base.rs1) why = "rs1";
            else if ((bd->fmt == Fmt::R || bd->fmt == Fmt::STORE || bd->fmt == Fmt::B) && in.rs2 != base.rs2) why = "rs2";
            else if (bd->fmt != Fmt::STORE && bd->fmt != Fmt::B && in.rd != base.rd) why = "rd";
            else if ((bd->fmt == Fmt::LOAD || bd->fmt == Fmt::STORE) && in.rm != base.rm) why = "access width";
        }
        if (why && ++failures <= 20) {
            INFO("parcel 0x" << std::hex << p << " decoded as " << name_of(in) << " (rd " << std::dec << int{in.rd}
                             << " rs1 " << int{in.rs1} << " rs2 " << int{in.rs2} << " imm " << in.imm << ")");
            const Insn base = decode(wide ? *wide : 0u);
            INFO("expands to 0x" << std::hex << (wide ? *wide : 0u) << " " << name_of(base) << " (rd " << std::dec
                                 << int{base.rd} << " rs1 " << int{base.rs1} << " rs2 " << int{base.rs2} << " imm "
                                 << base.imm << ")");
            FAIL_CHECK(why);
        }
    }
    CHECK(failures == 0);
    // 3 quadrants x 16384 parcels, minus the reserved ones.
    CHECK(legal > 40000);
}

TEST_CASE("compressed jumps and HINTs never target x0", "[decode][rvc]") {
    // c.j, c.jr and the c.nop HINTs expand to jal/jalr/addi with rd = x0:
    // the write must go to the sink, not to x0.
    CHECK(decode(0xa001).rd == kSinkReg);   // c.j 0
    CHECK(decode(0x8082).rd == kSinkReg);   // c.jr ra (ret)
    CHECK(decode(0x0001).rd == kSinkReg);   // c.nop
    CHECK(decode(0x107d).rd == kSinkReg);   // c.nop -1 (HINT)
    CHECK(decode(0x4001).rd == kSinkReg);   // c.li x0, 0 (HINT)
    CHECK(decode(0x9002 | (1 << 7)).rd == 1);   // c.jalr ra links in ra
}

} // namespace hvemu::rv
