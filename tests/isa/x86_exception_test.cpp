// Event delivery: real-mode IVT, protected-mode and IA-32e IDT gates with
// error codes and stack switches (TSS RSP0, IST), #DF and the triple
// fault, the interrupt shadow, external interrupts, NMI, INIT and SIPI.
#include <catch2/catch.hpp>

#include "tests/isa/x86_sys_fixture.hpp"

using namespace x86test;

TEST_CASE("x86 real mode: INT n through the IVT", "[x86][sys][exception]") {
    Sys s;
    Core& c = s.c();
    c.seg[CS] = Segment{0x1000, 0x10000, 0xffff, 0x9b};
    c.seg[SS] = Segment{0, 0, 0xffff, 0x93};
    c.gpr[4] = 0x7000;
    c.rflags = rflags::FIXED1 | rflags::IF;
    s.wr(0x21 * 4, 0x2000'0040, 4);   // 2000:0040
    c.rip = 0x10;
    CHECK(c.deliver_event(0x21, Core::EventKind::SoftInt, false, 0, 0x12) == 0x40);
    CHECK(c.seg[CS].base == 0x20000);
    CHECK(c.gpr[4] == 0x7000 - 6);
    CHECK(s.rd(0x6ffa, 2) == 0x12);
    CHECK(s.rd(0x6ffc, 2) == 0x1000);
    CHECK(s.rd(0x6ffe, 2) == (rflags::FIXED1 | rflags::IF));
    CHECK((c.rflags & rflags::IF) == 0);
}

TEST_CASE("x86 protected mode: error codes are pushed for 8, 10-14, 17 only", "[x86][sys][exception]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    c.rip = 0x4444;
    c.raise(6);
    CHECK(c.rip == s.handler(6));
    CHECK(c.gpr[4] == 0x9000 - 12);
    CHECK(s.rd(c.gpr[4], 4) == 0x4444);
    c.gpr[4] = 0x9000;
    c.rip = 0x4444;
    c.raise_gp(0x28);
    CHECK(c.gpr[4] == 0x9000 - 16);
    CHECK(s.rd(c.gpr[4], 4) == 0x28);
    CHECK(s.rd(c.gpr[4] + 4, 4) == 0x4444);
    CHECK(s.rd(c.gpr[4] + 8, 4) == kCode32);
}

TEST_CASE("x86 INT n checks the gate DPL; gate faults carry the IDT error code", "[x86][sys][exception]") {
    Sys s;
    Core& c = s.c();
    s.enter_long();
    // Vector 0x80: DPL 0 gate. From CPL 3, INT 0x80 is #GP(0x80*8+2).
    c.seg[CS] = Segment{kUCode64, 0, 0xfffff, 0xa0fb};
    c.seg[SS] = Segment{kUData, 0, 0xfffff, 0xc0f3};
    c.cpl = 3;
    c.update_context();
    c.gpr[4] = 0x7000;
    c.rip = 0x5000;
    c.deliver_event(0x80, Core::EventKind::SoftInt, false, 0, 0x5002);
    CHECK(c.rip == s.handler(13));
    CHECK(c.cpl == 0);
    CHECK(s.rd(c.gpr[4]) == 0x80 * 8 + 2);
    // Stack switch to RSP0 = 0xa000: error, RIP, CS, RFLAGS, RSP, SS.
    CHECK(c.gpr[4] == 0xa000 - 48);
    CHECK(s.rd(0xa000 - 16) == 0x7000);
    CHECK(s.rd(0xa000 - 8) == kUData);
    CHECK(s.rd(0xa000 - 40) == 0x5000);   // a fault saves the faulting RIP
}

TEST_CASE("x86 IA-32e: IST stack, 16-byte alignment, external interrupt clears IF", "[x86][sys][exception]") {
    Sys s;
    Core& c = s.c();
    s.enter_long();
    // Vector 2 (NMI) on IST1.
    uint64_t lo = s.rd(kIdt + 2 * 16);
    s.wr(kIdt + 2 * 16, lo | (uint64_t{1} << 32));
    c.gpr[4] = 0x9008;
    c.rip = 0x1234;
    c.raise_nmi();
    c.check_interrupts();
    CHECK(c.rip == s.handler(2));
    CHECK(c.gpr[4] == 0xb000 - 40);
    CHECK(c.nmi_blocked);
    // A second NMI waits for IRET.
    c.raise_nmi();
    c.check_interrupts();
    CHECK(c.rip == s.handler(2));
    CHECK(c.gpr[4] == 0xb000 - 40);

    Apic apic;
    c.attach_apic(&apic);
    apic.pending = 0x31;
    c.rflags |= rflags::IF;
    c.gpr[4] = 0x9008;
    c.check_interrupts();
    CHECK(c.rip == s.handler(0x31));
    CHECK(c.gpr[4] == 0x9000 - 40);   // aligned down to 16 first
    CHECK((c.rflags & rflags::IF) == 0);
    CHECK(apic.pending == -1);
}

TEST_CASE("x86 double fault and triple fault", "[x86][sys][exception]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    SECTION("a #GP while delivering #GP becomes #DF with error code 0") {
        s.wr(kIdt + 13 * 8, 0);   // gate 13 not present: #NP(13*8+2+1) while delivering #GP
        c.raise_gp(0);
        // #GP then #NP: both contributory -> #DF
        CHECK(c.rip == s.handler(8));
        CHECK(s.rd(c.gpr[4], 4) == 0);
        CHECK(!c.shutdown);
    }
    SECTION("a benign exception then a contributory one is handled serially") {
        s.wr(kIdt + 6 * 8, 0);   // an invalid gate type: #GP(6*8+2+EXT)
        c.raise_ud();
        CHECK(c.rip == s.handler(13));
        CHECK(s.rd(c.gpr[4], 4) == 6 * 8 + 2 + 1);
    }
    SECTION("a fault while delivering #DF is a triple fault: shutdown") {
        s.wr(kIdt + 13 * 8, 0);
        s.wr(kIdt + 8 * 8, 0);
        c.raise_gp(0);
        CHECK(c.shutdown);
    }
}

TEST_CASE("x86 interrupt shadow after STI holds an interrupt for one instruction", "[x86][sys][exception]") {
    Sys s;
    Core& c = s.c();
    s.enter_protected();
    Apic apic;
    c.attach_apic(&apic);
    apic.pending = 0x40;
    c.rflags |= rflags::IF;
    c.set_interrupt_shadow();
    CHECK(c.interrupt_shadow());
    CHECK(c.irq_window_insns() == 2);
    c.check_interrupts();
    CHECK(apic.pending == 0x40);   // held back
    CHECK(c.wakeup_pending());
}

TEST_CASE("x86 INIT puts an AP in wait-for-SIPI; SIPI starts it at vector << 12", "[x86][sys][exception]") {
    CoreConfig cfg;
    cfg.bsp = false;
    cfg.apic_id = 1;
    Sys s(cfg);
    Core& c = s.c();
    s.enter_protected();
    c.deliver_init();
    c.check_interrupts();
    CHECK(c.waiting_sipi);
    CHECK(!c.protected_mode());
    c.raise_nmi();
    CHECK(!c.wakeup_pending());   // only a SIPI ends wait-for-SIPI
    c.deliver_sipi(0x9a);
    CHECK(!c.waiting_sipi);
    CHECK(c.seg[CS].selector == 0x9a00);
    CHECK(c.seg[CS].base == 0x9a000);
    CHECK(c.rip == 0);
}

TEST_CASE("x86 programs: INT3 in 64-bit mode and HLT, through the run loop", "[x86][sys][exception]") {
    Sys s;
    Core& c = s.c();
    s.enter_long();
    // handler 3: HLT
    s.wr(s.handler(3), 0xf4, 1);
    const uint8_t prog[] = {0xb0, 0x41, 0xe6, 0xe9, 0xcc};   // mov al,'A'; out 0xe9,al; int3
    s.mem.write_block(0x5000, prog, sizeof prog);
    c.rip = 0x5000;
    CHECK(c.run(100) == StopReason::Halt);
    REQUIRE(s.io.writes.size() == 1);
    CHECK(s.io.writes[0] == std::make_pair(uint16_t{0xe9}, uint32_t{0x41}));
    CHECK(c.rip == s.handler(3) + 1);
    CHECK(s.rd(c.gpr[4]) == 0x5005);   // INT3 saves the next RIP
}
