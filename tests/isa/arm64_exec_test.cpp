// A64 instructions executed on a PE at EL2 with the MMU off, in RAM: data
// processing with flags, branches, every load/store addressing mode, the
// exclusives and LSE atomics, and the FP/SIMD moves. Each program is
// assembled from the text in its comments; expected values are computed
// by hand (or, for CRCs, from the published algorithm).
#include <catch2/catch.hpp>

#include <cstring>
#include <initializer_list>
#include <memory>

#include "isa/arm64/pe.hpp"
#include "isa/common/phys_mem.hpp"

using namespace hvemu;
using namespace hvemu::arm;

namespace {

constexpr uint64_t kRam = 0x40000000;
constexpr uint64_t kRamSize = 0x200000;
constexpr uint64_t kData = kRam + 0x100000;   // scratch data (aligned accesses: MMU off is Device memory)

constexpr uint32_t kN = 8, kZ = 4, kC = 2, kV = 1;   // NZCV nibble

// A PE at EL2h, hosted (an exception to EL2 stops run() with Trap), that
// runs instruction words placed at kRam.
struct Machine {
    isa::PhysMem mem;
    std::unique_ptr<Pe> pe;
    Machine() {
        mem.add_ram(kRam, kRamSize);
        PeConfig cfg;
        cfg.reset_pc = kRam;
        cfg.hosted = true;
        pe = std::make_unique<Pe>(mem, cfg);
        pe->x[kSp] = kData + 0x8000;
    }
    void program(std::initializer_list<uint32_t> words, uint64_t at = kRam) {
        for (uint32_t w : words) {
            mem.write_block(at, &w, 4);
            at += 4;
        }
    }
    // Run the whole program: one instruction per word unless told.
    StopReason run(uint64_t n) { return pe->run(n); }
    uint64_t& x(unsigned r) { return pe->x[r]; }
    uint32_t nzcv() const { return pe->pstate.nzcv >> 28; }
    void put64(uint64_t a, uint64_t v) { mem.write_block(a, &v, 8); }
    uint64_t get64(uint64_t a) {
        uint64_t v = 0;
        mem.read_block(a, &v, 8);
        return v;
    }
    uint32_t get32(uint64_t a) {
        uint32_t v = 0;
        mem.read_block(a, &v, 4);
        return v;
    }
    unsigned esr_ec() const { return static_cast<unsigned>(pe->sys.esr_el2 >> 26) & 0x3f; }
};

} // namespace

TEST_CASE("A64 add/sub set NZCV as AddWithCarry says", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0xb1000422,   // adds x2, x1, #1
        0x6b050083,   // subs w3, w4, w5
        0xeb0600df,   // cmp x6, x6
        0xab080107,   // adds x7, x8, x8
        0x9a1f03e9,   // adc x9, xzr, xzr
        0x7100056a,   // subs w10, w11, #1
        0xd10083ff,   // sub sp, sp, #32
        0x8b2d4fec,   // add x12, sp, w13, uxtw #3
        0xcb1011ee,   // sub x14, x15, x16, lsl #4
        0xeb1203f1,   // negs x17, x18
        0x7a150293,   // sbcs w19, w20, w21
        0x310006df,   // cmn w22, #1
    });
    m.x(1) = 0x7fffffffffffffff;
    m.x(4) = 0; m.x(5) = 1;
    m.x(8) = 0x8000000000000000;
    m.x(11) = 0x80000000;
    m.x(13) = 0xffffffff00000002; m.x(15) = 0x1000; m.x(16) = 3;
    m.x(18) = 0;
    m.x(20) = 5; m.x(21) = 5;
    m.x(22) = 0xffffffff;
    const uint64_t sp0 = m.x(kSp);
    m.run(1);
    CHECK(m.x(2) == 0x8000000000000000);
    CHECK(m.nzcv() == (kN | kV));
    m.run(1);
    CHECK(m.x(3) == 0xffffffff);            // 0 - 1, zero-extended
    CHECK(m.nzcv() == kN);                  // borrow: C clear
    m.run(1);
    CHECK(m.nzcv() == (kZ | kC));
    m.run(1);
    CHECK(m.x(7) == 0);
    CHECK(m.nzcv() == (kZ | kC | kV));
    m.run(1);
    CHECK(m.x(9) == 1);                     // the carry of the previous adds
    m.run(1);
    CHECK(m.x(10) == 0x7fffffff);
    CHECK(m.nzcv() == (kC | kV));           // INT_MIN - 1 overflows
    m.run(2);
    CHECK(m.x(kSp) == sp0 - 32);
    CHECK(m.x(12) == sp0 - 32 + 16);        // uxtw takes the low word (2) << 3
    m.run(1);
    CHECK(m.x(14) == 0x1000 - 48);
    m.run(1);
    CHECK(m.x(17) == 0);
    CHECK(m.nzcv() == (kZ | kC));           // 0 - 0: no borrow
    m.run(1);
    CHECK(m.x(19) == 0);                    // 5 - 5 - !C(=1) = 0
    CHECK(m.nzcv() == (kZ | kC));
    m.run(1);
    CHECK(m.nzcv() == (kZ | kC));           // 0xffffffff + 1 wraps to 0 with carry
}

TEST_CASE("A64 logic, moves, bitfields and shifts", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0xd2a24680,   // movz x0, #0x1234, lsl #16
        0xf2f7dde0,   // movk x0, #0xbeef, lsl #48
        0x12800001,   // movn w1, #0
        0x92801e02,   // movn x2, #0xf0
        0x92703c03,   // and x3, x0, #0xffff0000
        0x3200f3e4,   // orr w4, wzr, #0x55555555
        0xcac04005,   // eor x5, x0, x0, ror #16
        0x721f0086,   // ands w6, w4, #0x2
        0xea200007,   // bics x7, x0, x0
        0x2a2403e8,   // orn w8, wzr, w4
        0xd3507c09,   // ubfx x9, x0, #16, #16
        0x93442c4a,   // sbfx x10, x2, #4, #8
        0xb3780d8b,   // bfi x11, x12, #8, #4
        0x331c7dcd,   // bfxil w13, w14, #28, #4
        0x531f788f,   // lsl w15, w4, #1
        0x937cfc50,   // asr x16, x2, #60
        0x93c04011,   // ror x17, x0, #16
        0x13811092,   // extr w18, w4, w1, #4
        0x93401e93,   // sxtb x19, w20
        0x53003ed5,   // uxth w21, w22
        0x9ad82017,   // lslv x23, x0, x24
        0x1ad82839,   // asrv w25, w1, w24
        0x1adb2c9a,   // rorv w26, w4, w27
    });
    m.x(12) = 0xabc; m.x(11) = 0xffffffffffffffff; m.x(13) = 0x11111111; m.x(14) = 0xa0000000;
    m.x(20) = 0x80; m.x(22) = 0x123456789; m.x(24) = 68; m.x(27) = 33;
    m.run(23);
    CHECK(m.x(0) == 0xbeef000012340000);
    CHECK(m.x(1) == 0xffffffff);
    CHECK(m.x(2) == 0xffffffffffffff0f);
    CHECK(m.x(3) == 0x12340000);
    CHECK(m.x(4) == 0x55555555);
    CHECK(m.x(5) == (0xbeef000012340000ull ^ 0x0000beef00001234ull));
    CHECK(m.x(6) == 0);
    CHECK(m.nzcv() == kZ);                   // from bics x7 (= 0), the last flag setter
    CHECK(m.x(7) == 0);
    CHECK(m.x(8) == 0xaaaaaaaa);
    CHECK(m.x(9) == 0x1234);
    CHECK(m.x(10) == 0xfffffffffffffff0);    // bits 11:4 of ...ff0f = 0xf0, sign-extended
    CHECK(m.x(11) == 0xfffffffffffffcff);    // 0xc inserted at bits 11:8
    CHECK(m.x(13) == 0x1111111a);
    CHECK(m.x(15) == 0xaaaaaaaa);
    CHECK(m.x(16) == 0xffffffffffffffff);
    CHECK(m.x(17) == 0x0000beef00001234);
    CHECK(m.x(18) == 0x5fffffff);            // (w4:w1) >> 4, low word
    CHECK(m.x(19) == 0xffffffffffffff80);
    CHECK(m.x(21) == 0x6789);
    CHECK(m.x(23) == 0xbeef000012340000ull << 4);   // 68 mod 64 = 4
    CHECK(m.x(25) == 0xffffffff);
    CHECK(m.x(26) == 0xaaaaaaaa);            // ror by 33 mod 32 = 1
}

TEST_CASE("A64 multiply, divide, bit counts, conditional select and CRC32", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0x9b017c02,   // mul x2, x0, x1
        0x1b019003,   // msub w3, w0, w1, w4
        0x9b267c05,   // smull x5, w0, w6
        0x9ba67c07,   // umull x7, w0, w6
        0x9b497d28,   // smulh x8, x9, x9
        0x9bc97d2a,   // umulh x10, x9, x9
        0x1acd0d8b,   // sdiv w11, w12, w13
        0x9adf080e,   // udiv x14, x0, xzr
        0x9ad10e0f,   // sdiv x15, x16, x17
        0xdac01012,   // clz x18, x0
        0x5ac014d3,   // cls w19, w6
        0x5ac00014,   // rbit w20, w0
        0xdac00c15,   // rev x21, x0
        0x5ac00416,   // rev16 w22, w0
        0xdac00817,   // rev32 x23, x0
        0xeb01001f,   // cmp x0, x1
        0x9a81b018,   // csel x24, x0, x1, lt
        0x9a81a419,   // csinc x25, x0, x1, ge
        0x1a9f17fa,   // cset w26, eq
        0xda80c41b,   // csneg x27, x0, x0, gt
        0xfa43b80f,   // ccmp x0, #3, #0xf, lt
        0xfa410002,   // ccmp x0, x1, #2, eq
    });
    m.x(0) = 3; m.x(1) = 5; m.x(4) = 100; m.x(6) = 0xfffffffe;
    m.x(9) = 0xffffffffffffffff;
    m.x(12) = 0x80000000; m.x(13) = 0xffffffff;
    m.x(16) = static_cast<uint64_t>(-7); m.x(17) = 2;
    m.run(22);
    CHECK(m.x(2) == 15);
    CHECK(m.x(3) == 85);
    CHECK(m.x(5) == static_cast<uint64_t>(-6));     // 3 * -2
    CHECK(m.x(7) == 3ull * 0xfffffffe);
    CHECK(m.x(8) == 0);                             // -1 * -1 = 1: high half 0
    CHECK(m.x(10) == 0xfffffffffffffffe);
    CHECK(m.x(11) == 0x80000000);                   // INT_MIN / -1 wraps
    CHECK(m.x(14) == 0);                            // division by zero gives 0
    CHECK(m.x(15) == static_cast<uint64_t>(-3));    // rounds toward zero
    CHECK(m.x(18) == 62);
    CHECK(m.x(19) == 30);                           // 0xfffffffe: 30 sign copies below bit 31
    CHECK(m.x(20) == 0xc0000000);
    CHECK(m.x(21) == 0x0300000000000000);
    CHECK(m.x(22) == 0x0300);
    CHECK(m.x(23) == 0x03000000);
    CHECK(m.x(24) == 3);                            // 3 < 5
    CHECK(m.x(25) == 6);                            // not ge: x1 + 1
    CHECK(m.x(26) == 0);
    CHECK(m.x(27) == static_cast<uint64_t>(-3));    // not gt: -x0
    // ccmp x0, #3 (lt holds): 3 - 3 -> Z C; then eq holds: 3 - 5 -> N.
    CHECK(m.nzcv() == kN);
}

TEST_CASE("A64 CCMP takes #nzcv when the condition fails", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0xeb00001f,   // cmp x0, x0
        0xba411809,   // ccmn x0, #1, #0x9, ne
    });
    m.run(2);
    CHECK(m.nzcv() == (kN | kV));
}

TEST_CASE("A64 CRC32 and CRC32C match the standard checks", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0x12800000,   // mov w0, #-1
        0x9ac14c00,   // crc32x w0, w0, x1
        0x2a2003e0,   // mvn w0, w0
        0x12800002,   // mov w2, #-1
        0x9ac15c42,   // crc32cx w2, w2, x1
        0x2a2203e2,   // mvn w2, w2
        0x12800003,   // mov w3, #-1
        0x1ac44063,   // crc32b w3, w3, w4
        0x1ac54463,   // crc32h w3, w3, w5
        0x1ac64863,   // crc32w w3, w3, w6
        0x2a2303e3,   // mvn w3, w3
    });
    m.x(1) = 0x3837363534333231;     // "12345678"
    m.x(4) = 0x31; m.x(5) = 0x3332; m.x(6) = 0x37363534;   // "1234567" in pieces
    m.run(11);
    CHECK(m.x(0) == 0x9ae0daaf);     // zlib crc32("12345678")
    CHECK(m.x(2) == 0x6087809a);     // crc32c("12345678") (Castagnoli)
    CHECK(m.x(3) == 0x5003699f);     // zlib crc32("1234567")
}

TEST_CASE("A64 branches", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0x10000000,   // adr x0, .
        0xf0000001,   // adrp x1, #0x3000
        0x14000002,   // b .+8
        0xd2800022,   // mov x2, #1
        0x94000002,   // bl .+8
        0xd2800023,   // mov x3, #1
        0xb4000044,   // cbz x4, .+8
        0xd2800025,   // mov x5, #1
        0x35000046,   // cbnz w6, .+8
        0xd2800027,   // mov x7, #1
        0xb6f80048,   // tbz x8, #63, .+8
        0xd2800029,   // mov x9, #1
        0x3700004a,   // tbnz w10, #0, .+8
        0xd280002b,   // mov x11, #1
        0xf100059f,   // cmp x12, #1
        0x54000048,   // b.hi .+8
        0xd280002d,   // mov x13, #1
        0x1000006e,   // adr x14, .+12
        0xd63f01c0,   // blr x14
        0xd280002f,   // mov x15, #1
        0xd2800050,   // mov x16, #2
    });
    m.x(6) = 0x100000000;   // low word zero: cbnz w6 falls through
    m.x(8) = 1ull << 63;
    m.x(10) = 1;
    m.x(12) = 2;
    m.run(15);
    CHECK(m.x(0) == kRam);
    CHECK(m.x(1) == kRam + 0x3000);
    CHECK(m.x(2) == 0);
    CHECK(m.x(3) == 0);
    CHECK(m.x(5) == 0);
    CHECK(m.x(7) == 1);
    CHECK(m.x(9) == 1);
    CHECK(m.x(11) == 0);
    CHECK(m.x(13) == 0);
    CHECK(m.x(15) == 0);
    CHECK(m.x(16) == 2);
    CHECK(m.x(30) == kRam + 0x4c);   // blr at kRam + 0x48 links the next instruction
    CHECK(m.pe->pc == kRam + 0x54);
}

TEST_CASE("A64 loads and stores in every addressing mode", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0xf9000401,   // str x1, [x0, #8]
        0xf9400402,   // ldr x2, [x0, #8]
        0xb81fc001,   // stur w1, [x0, #-4]
        0xb85fc003,   // ldur w3, [x0, #-4]
        0xf8010c01,   // str x1, [x0, #16]!
        0xf85f0404,   // ldr x4, [x0], #-16
        0x38256801,   // strb w1, [x0, x5]
        0x38656806,   // ldrb w6, [x0, x5]
        0x7827d801,   // strh w1, [x0, w7, sxtw #1]
        0x78a7d808,   // ldrsh x8, [x0, w7, sxtw #1]
        0x39c00409,   // ldrsb w9, [x0, #1]
        0xb980080a,   // ldrsw x10, [x0, #8]
        0x79c0100b,   // ldrsh w11, [x0, #8]
        0x1800006c,   // ldr w12, .+12
        0x5800004d,   // ldr x13, .+8
        0x14000003,   // b .+12
        0x89abcdef,   // .word 0x89abcdef
        0x01234567,   // .word 0x01234567
        0xf8018801,   // sttr x1, [x0, #24]
        0xf841880e,   // ldtr x14, [x0, #24]
        0x3881880f,   // ldtrsb x15, [x0, #24]
        0xf8307801,   // str x1, [x0, x16, lsl #3]
        0xf8707811,   // ldr x17, [x0, x16, lsl #3]
        0xf9802000,   // prfm pldl1keep, [x0, #64]
        0x785fec12,   // ldrh w18, [x0, #-2]!
        0x38002401,   // strb w1, [x0], #2
    });
    const uint64_t base = kData + 0x100;
    m.x(0) = base;
    m.x(1) = 0x8182838485868788;
    m.x(5) = 32;
    m.x(7) = static_cast<uint32_t>(-4);   // sxtw: -4 halfwords = -8 bytes
    m.x(16) = 5;
    m.run(2);
    CHECK(m.get64(base + 8) == 0x8182838485868788);
    CHECK(m.x(2) == 0x8182838485868788);
    m.run(2);
    CHECK(m.get32(base - 4) == 0x85868788);
    CHECK(m.x(3) == 0x85868788);
    m.run(1);
    CHECK(m.x(0) == base + 16);           // pre-index writes the base back
    CHECK(m.get64(base + 16) == 0x8182838485868788);
    m.run(1);
    CHECK(m.x(4) == 0x8182838485868788);
    CHECK(m.x(0) == base);                // post-index: loaded at base + 16, then -16
    m.run(2);
    CHECK(m.x(6) == 0x88);
    m.run(2);
    CHECK((m.get64(base - 8) & 0xffff) == 0x8788);
    CHECK(m.x(8) == 0xffffffffffff8788);
    m.run(3);
    CHECK(m.x(9) == 0);                   // byte at base + 1 is zero (untouched)
    CHECK(m.x(10) == 0xffffffff85868788);
    CHECK(m.x(11) == 0xffff8788);         // sign-extended to 32 bits only
    m.run(3);
    CHECK(m.x(12) == 0x89abcdef);
    CHECK(m.x(13) == 0x0123456789abcdef);
    m.run(3);
    CHECK(m.x(14) == 0x8182838485868788);
    CHECK(m.x(15) == 0xffffffffffffff88);
    m.run(3);
    CHECK(m.get64(base + 40) == 0x8182838485868788);
    CHECK(m.x(17) == 0x8182838485868788);
    m.run(2);
    CHECK(m.x(0) == base + 0);            // ldrh pre-index -2, strb post-index +2
    CHECK(m.x(18) == 0x8586);             // halfword at base - 2
    CHECK((m.get64(base - 8) >> 48) == 0x8588);   // strb wrote 0x88 at base - 2
}

TEST_CASE("A64 load/store pairs", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0xa9bf0be1,   // stp x1, x2, [sp, #-16]!
        0xa8c113e3,   // ldp x3, x4, [sp], #16
        0x29010801,   // stp w1, w2, [x0, #8]
        0x29411805,   // ldp w5, w6, [x0, #8]
        0x69412007,   // ldpsw x7, x8, [x0, #8]
        0xa8020402,   // stnp x2, x1, [x0, #32]
        0xa8422809,   // ldnp x9, x10, [x0, #32]
        0xa8bf0801,   // stp x1, x2, [x0], #-16
        0xa9c1300b,   // ldp x11, x12, [x0, #16]!
    });
    const uint64_t sp0 = m.x(kSp);
    m.x(0) = kData;
    m.x(1) = 0x1111111122222222;
    m.x(2) = 0x80000000fffffffe;
    m.run(2);
    CHECK(m.get64(sp0 - 16) == 0x1111111122222222);
    CHECK(m.get64(sp0 - 8) == 0x80000000fffffffe);
    CHECK(m.x(3) == 0x1111111122222222);
    CHECK(m.x(4) == 0x80000000fffffffe);
    CHECK(m.x(kSp) == sp0);
    m.run(3);
    CHECK(m.x(5) == 0x22222222);
    CHECK(m.x(6) == 0xfffffffe);
    CHECK(m.x(7) == 0x22222222);
    CHECK(m.x(8) == 0xfffffffffffffffe);
    m.run(2);
    CHECK(m.x(9) == 0x80000000fffffffe);
    CHECK(m.x(10) == 0x1111111122222222);
    m.run(2);
    CHECK(m.x(0) == kData);
    CHECK(m.x(11) == 0x1111111122222222);
    CHECK(m.x(12) == 0x80000000fffffffe);
}

TEST_CASE("A64 exclusives and acquire/release", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0xc85ffc01,   // ldaxr x1, [x0]
        0x91000421,   // add x1, x1, #1
        0xc802fc01,   // stlxr w2, x1, [x0]
        0xc8037c01,   // stxr w3, x1, [x0]
        0xc87f14c4,   // ldxp x4, x5, [x6]
        0xc82710c5,   // stxp w7, x5, x4, [x6]
        0x085f7c08,   // ldxrb w8, [x0]
        0x48097c08,   // stxrh w9, w8, [x0]
        0x889ffd41,   // stlr w1, [x10]
        0xc8dffd4b,   // ldar x11, [x10]
        0x48dffc0c,   // ldarh w12, [x0]
    });
    m.x(0) = kData;
    m.x(6) = kData + 0x10;
    m.x(10) = kData + 0x20;
    m.put64(kData, 41);
    m.put64(kData + 0x10, 0xaaaa);
    m.put64(kData + 0x18, 0xbbbb);
    m.put64(kData + 0x20, ~0ull);
    m.run(3);
    CHECK(m.x(2) == 0);                   // the monitor held: stored
    CHECK(m.get64(kData) == 42);
    m.run(1);
    CHECK(m.x(3) == 1);                   // the store cleared the monitor
    m.run(2);
    CHECK(m.x(7) == 0);
    CHECK(m.get64(kData + 0x10) == 0xbbbb);
    CHECK(m.get64(kData + 0x18) == 0xaaaa);
    m.run(2);
    CHECK(m.x(9) == 1);                   // a different size fails
    m.run(3);
    CHECK(m.get64(kData + 0x20) == 0xffffffff0000002a);
    CHECK(m.x(11) == 0xffffffff0000002a);
    CHECK(m.x(12) == 42);
}

TEST_CASE("A64 LSE atomics", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0xf8210002,   // ldadd x1, x2, [x0]
        0xf8e31004,   // ldclral x3, x4, [x0]
        0xb8652006,   // ldeorl w5, w6, [x0]
        0xf8273008,   // ldset x7, x8, [x0]
        0xf829400a,   // ldsmax x9, x10, [x0]
        0x382b500c,   // ldsminb w11, w12, [x0]
        0xf82d600e,   // ldumax x13, x14, [x0]
        0xf82f7010,   // ldumin x15, x16, [x0]
        0xf8f18012,   // swpal x17, x18, [x0]
        0xc8b37c14,   // cas x19, x20, [x0]
        0xc8f57c16,   // casa x21, x22, [x0]
        0x48387fba,   // casp x24, x25, x26, x27, [x29]
        0x7821001f,   // staddh w1, [x0]
    });
    m.x(0) = kData;
    m.x(29) = kData + 0x10;
    m.put64(kData, 0x100);
    m.x(1) = 0x0f;                 // 0x100 + 0xf = 0x10f
    m.x(3) = 0x3;                  // clear bits 1:0 -> 0x10c
    m.x(5) = 0xffffffff;           // low word inverted: 0xfffffef3 (upper word 0)
    m.x(7) = 0x1ull << 40;         // set bit 40
    m.x(9) = 5;                    // signed max(0x100fffffef3, 5) keeps memory
    m.x(11) = 0x80;                // byte smin(0xf3 = -13, 0x80 = -128) = 0x80
    m.x(13) = ~0ull;               // unsigned max: all ones
    m.x(15) = 7;                   // unsigned min: 7
    m.x(17) = 0x1234;
    m.x(19) = 0x1235; m.x(20) = 1;             // compare fails
    m.x(21) = 0x1234; m.x(22) = 0x5678;         // compare succeeds
    m.put64(kData + 0x10, 10);
    m.put64(kData + 0x18, 20);
    m.x(24) = 10; m.x(25) = 20; m.x(26) = 30; m.x(27) = 40;
    m.run(1);
    CHECK(m.x(2) == 0x100);
    CHECK(m.get64(kData) == 0x10f);
    m.run(1);
    CHECK(m.x(4) == 0x10f);
    CHECK(m.get64(kData) == 0x10c);
    m.run(1);
    CHECK(m.x(6) == 0x10c);
    CHECK(m.get64(kData) == 0xfffffef3);
    m.run(1);
    CHECK(m.get64(kData) == 0x100fffffef3);
    m.run(1);
    CHECK(m.x(10) == 0x100fffffef3);
    CHECK(m.get64(kData) == 0x100fffffef3);
    m.run(1);
    CHECK(m.x(12) == 0xf3);
    CHECK(m.get64(kData) == 0x100fffffe80);
    m.run(1);
    CHECK(m.get64(kData) == ~0ull);
    m.run(1);
    CHECK(m.x(16) == ~0ull);
    CHECK(m.get64(kData) == 7);
    m.run(1);
    CHECK(m.x(18) == 7);
    CHECK(m.get64(kData) == 0x1234);
    m.run(1);
    CHECK(m.x(19) == 0x1234);      // the old value, memory unchanged
    CHECK(m.get64(kData) == 0x1234);
    m.run(1);
    CHECK(m.x(21) == 0x1234);
    CHECK(m.get64(kData) == 0x5678);
    m.run(1);
    CHECK(m.get64(kData + 0x10) == 30);
    CHECK(m.get64(kData + 0x18) == 40);
    CHECK(m.x(24) == 10);
    CHECK(m.x(25) == 20);
    m.run(1);
    CHECK(m.get64(kData) == 0x5678 + 0x0f);
}

TEST_CASE("A64 FP/SIMD moves and immediates", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0x4f02e740,   // movi v0.16b, #0x5a
        0x6f05e4c1,   // movi v1.2d, #0xff00ff0000ffff00
        0x6f002642,   // mvni v2.4s, #0x12, lsl #8
        0x0f01c683,   // movi v3.2s, #0x34, msl #8
        0x0f005423,   // orr v3.2s, #0x1, lsl #16
        0x6f0797e1,   // bic v1.8h, #0xff
        0x4e020c24,   // dup v4.8h, w1
        0x4e0c0425,   // dup v5.4s, v1.s[1]
        0x4e081c44,   // ins v4.d[0], x2
        0x6e1c2486,   // ins v6.s[3], v4.s[1]
        0x0e1a3c83,   // umov w3, v4.h[6]
        0x4e083c84,   // mov x4, v4.d[0]
        0x4e1f2c05,   // smov x5, v0.b[15]
        0x9e670047,   // fmov d7, x2
        0x9e6600e6,   // fmov x6, d7
        0x9eaf0027,   // fmov v7.d[1], x1
        0x9eae00e7,   // fmov x7, v7.d[1]
        0x1e270048,   // fmov s8, w2
        0x1e260108,   // fmov w8, s8
        0x1e6f1009,   // fmov d9, #1.5
        0x1e30100a,   // fmov s10, #-2.0
        0x4f03f40b,   // fmov v11.4s, #0.5
        0x4ea01c0c,   // mov v12.16b, v0.16b
        0x6e211c0d,   // eor v13.16b, v0.16b, v1.16b
        0x0e211c0e,   // and v14.8b, v0.8b, v1.8b
        0x6e611c0f,   // bsl v15.16b, v0.16b, v1.16b
        0x1e604030,   // fmov d16, d1
    });
    auto& v = m.pe->v;
    m.x(1) = 0xbeef;
    m.x(2) = 0x0123456789abcdef;
    v[15][0] = 0xffffffff00000000;
    v[15][1] = 0x00000000ffffffff;
    v[14][1] = 0x1234;
    m.run(27);
    CHECK(v[0][0] == 0x5a5a5a5a5a5a5a5a);
    CHECK(v[0][1] == 0x5a5a5a5a5a5a5a5a);
    CHECK(v[1][0] == 0xff00ff000000ff00);      // after bic #0xff per halfword
    CHECK(v[1][1] == 0xff00ff000000ff00);
    CHECK(v[2][0] == 0xffffedffffffedff);
    CHECK(v[2][1] == 0xffffedffffffedff);
    CHECK(v[3][0] == 0x000134ff000134ff);      // msl shifts ones in; orr sets bit 16
    CHECK(v[3][1] == 0);                        // 64-bit forms clear the upper half
    CHECK(v[4][0] == 0x0123456789abcdef);
    CHECK(v[4][1] == 0xbeefbeefbeefbeef);
    CHECK(v[5][0] == 0xff00ff00ff00ff00);
    CHECK(v[5][1] == 0xff00ff00ff00ff00);
    CHECK(v[6][1] == 0x0123456700000000);       // element 3 = v4.s[1]
    CHECK(m.x(3) == 0xbeef);
    CHECK(m.x(4) == 0x0123456789abcdef);
    CHECK(m.x(5) == 0x5a);
    CHECK(m.x(6) == 0x0123456789abcdef);
    CHECK(m.x(7) == 0xbeef);
    CHECK(v[7][0] == 0x0123456789abcdef);       // fmov to the upper half keeps the lower
    CHECK(v[8][0] == 0x89abcdef);
    CHECK(v[8][1] == 0);
    CHECK(m.x(8) == 0x89abcdef);
    CHECK(v[9][0] == 0x3ff8000000000000);       // 1.5
    CHECK(v[10][0] == 0xc0000000);              // -2.0f
    CHECK(v[11][0] == 0x3f0000003f000000);      // 0.5f x 4
    CHECK(v[11][1] == 0x3f0000003f000000);
    CHECK(v[12][0] == v[0][0]);
    CHECK(v[13][0] == (0x5a5a5a5a5a5a5a5aull ^ 0xff00ff000000ff00ull));
    CHECK(v[14][0] == (0x5a5a5a5a5a5a5a5aull & 0xff00ff000000ff00ull));
    CHECK(v[14][1] == 0);
    CHECK(v[15][0] == ((0xffffffff00000000ull & 0x5a5a5a5a5a5a5a5aull) | (0x00000000ffffffffull & 0xff00ff000000ff00ull)));
    CHECK(v[16][0] == 0xff00ff000000ff00);
    CHECK(v[16][1] == 0);
}

TEST_CASE("A64 FP/SIMD loads and stores", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0x3dc00000,   // ldr q0, [x0]
        0x3d800800,   // str q0, [x0, #32]
        0xfd400401,   // ldr d1, [x0, #8]
        0xbc404402,   // ldr s2, [x0], #4
        0x7c5fec03,   // ldr h3, [x0, #-2]!
        0x3c616804,   // ldr b4, [x0, x1]
        0xadbf0440,   // stp q0, q1, [x2, #-32]!
        0x6cc11845,   // ldp d5, d6, [x2], #16
        0x4cdfa070,   // ld1 {v16.16b, v17.16b}, [x3], #32
        0x4c002c90,   // st1 {v16.2d, v17.2d, v18.2d, v19.2d}, [x4]
        0x0cc57074,   // ld1 {v20.8b}, [x3], x5
        0x91000129,   // add x9, x9, #0
        0x91000129,   // add x9, x9, #0
        0x9c000075,   // ldr q21, .+12
        0x14000006,   // b .+24
        0x00000000,   // .word 0
        0x03020100,   // .word 0x03020100
        0x07060504,   // .word 0x07060504
        0x0b0a0908,   // .word 0x0b0a0908
        0x0f0e0d0c,   // .word 0x0f0e0d0c
        0xbc217882,   // str s2, [x4, x1, lsl #2]
        0x3cdf0056,   // ldur q22, [x2, #-16]
    });
    auto& v = m.pe->v;
    for (unsigned k = 0; k < 64; ++k) {
        const uint8_t b = static_cast<uint8_t>(0x10 + k);
        m.mem.write_block(kData + k, &b, 1);
    }
    m.x(0) = kData;
    m.x(1) = 3;
    m.x(2) = kData + 0x1000;
    m.x(3) = kData;
    m.x(4) = kData + 0x2000;
    m.x(5) = 8;
    v[18][0] = 0x1818181818181818; v[18][1] = 0x2828282828282828;
    v[19][0] = 0x1919191919191919; v[19][1] = 0x2929292929292929;
    v[4][1] = 0xdead;
    m.run(2);
    CHECK(v[0][0] == 0x1716151413121110);
    CHECK(v[0][1] == 0x1f1e1d1c1b1a1918);
    CHECK(m.get64(kData + 40) == 0x1f1e1d1c1b1a1918);
    m.run(4);
    CHECK(v[1][0] == 0x1f1e1d1c1b1a1918);
    CHECK(v[1][1] == 0);
    CHECK(v[2][0] == 0x13121110);
    CHECK(m.x(0) == kData + 2);
    CHECK(v[3][0] == 0x1312);
    CHECK(v[4][0] == 0x15);
    CHECK(v[4][1] == 0);                        // scalar loads clear the rest
    m.run(2);
    CHECK(m.x(2) == kData + 0x1000 - 32 + 16);
    CHECK(m.get64(kData + 0x1000 - 16) == 0x1f1e1d1c1b1a1918);
    CHECK(v[5][0] == 0x1716151413121110);
    CHECK(v[6][0] == 0x1f1e1d1c1b1a1918);
    m.run(2);
    CHECK(m.x(3) == kData + 32);
    CHECK(v[17][0] == 0x2726252423222120);
    CHECK(m.get64(kData + 0x2000 + 8) == 0x1f1e1d1c1b1a1918);
    CHECK(m.get64(kData + 0x2000 + 48) == 0x1919191919191919);
    CHECK(m.get64(kData + 0x2000 + 56) == 0x2929292929292929);
    m.run(1);
    CHECK(v[20][0] == 0x1716151413121110);     // str q0 above rewrote kData + 32
    CHECK(v[20][1] == 0);
    CHECK(m.x(3) == kData + 40);
    m.run(4);
    CHECK(v[21][0] == 0x0706050403020100);
    CHECK(v[21][1] == 0x0f0e0d0c0b0a0908);
    m.run(2);
    CHECK(m.get32(kData + 0x2000 + 12) == 0x13121110);
    CHECK(v[22][0] == 0x1716151413121110);
    CHECK(v[22][1] == 0x1f1e1d1c1b1a1918);
}

TEST_CASE("A64 unallocated encodings and misaligned PCs raise exceptions", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0x91000421,   // add x1, x1, #1
        0x00000000,   // .word 0x00000000
    });
    CHECK(m.run(5) == StopReason::Trap);
    CHECK(m.x(1) == 1);
    CHECK(m.esr_ec() == 0x00);                 // unknown reason
    CHECK(m.pe->sys.elr_el2 == kRam + 4);

    Machine b;
    b.program({
        0xd61f0040,   // br x2
    });
    b.x(2) = kRam + 0x102;
    CHECK(b.run(5) == StopReason::Trap);
    CHECK(b.esr_ec() == 0x22);                 // PC alignment fault
    CHECK(b.pe->sys.far_el2 == kRam + 0x102);
    CHECK(b.pe->sys.elr_el2 == kRam + 0x102);
}

TEST_CASE("A64 stores into decoded code are seen by the next fetch", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0x91000421,   // add x1, x1, #1
        0xb9000043,   // str w3, [x2]
        0x17fffffe,   // b .-8
    });
    m.x(2) = kRam;
    m.x(3) = 0x91000842;   // add x2, x2, #2
    m.run(3);
    CHECK(m.x(1) == 1);
    m.run(1);              // the rewritten first instruction
    CHECK(m.x(1) == 1);
    CHECK(m.x(2) == kRam + 2);
}

TEST_CASE("A64 single-register accesses publish their abort syndrome", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0x79800007,   // ldrsh x7, [x0]
        0xa9400801,   // ldp x1, x2, [x0]
        0xb8004c09,   // str w9, [x0, #4]!
    });
    m.x(0) = kData;
    m.run(1);
    CHECK(m.pe->syn.valid);
    CHECK(m.pe->syn.rt == 7);
    CHECK(m.pe->syn.sign_extend);
    CHECK(m.pe->syn.sf);
    m.run(1);
    CHECK_FALSE(m.pe->syn.valid);               // pairs have no syndrome
    m.run(1);
    CHECK_FALSE(m.pe->syn.valid);               // nor writeback forms
}

TEST_CASE("A64 a load from an unbacked address aborts without writing the register", "[arm64][exec][unit]") {
    Machine m;
    m.program({
        0xf9400005,   // ldr x5, [x0]
    });
    m.x(0) = 0x10000000;   // no RAM or device there
    m.x(5) = 0x5555;
    CHECK(m.run(2) == StopReason::Trap);
    CHECK(m.x(5) == 0x5555);
    const unsigned ec = m.esr_ec();
    CHECK(ec == 0x25);                          // data abort, same EL
    CHECK(m.pe->sys.elr_el2 == kRam);
}
