// The interrupt events an x86 core reports to its trace sink: an NMI is an
// irq event (vector 2, marked NMI), as an external interrupt is, and the
// board trace shows it as one.
#include <catch2/catch.hpp>

#include <vector>

#include "emu/trace/hw_event_text.hpp"
#include "isa/x86/core.hpp"

using namespace hvemu;

namespace {

struct Recorder final : isa::HwTraceSink {
    std::vector<isa::HwEvent> events;
    void on_hw_event(const isa::HwEvent& e) override { events.push_back(e); }
};

} // namespace

TEST_CASE("x86 core: an NMI taken is reported as an irq event with the NMI mark", "[trace][x86][unit]") {
    isa::PhysMem mem;
    mem.add_ram(0, 0x100000);
    x86::Core core(mem, x86::CoreConfig{});
    core.reset();
    // Real mode at 0000:1000 (nops, then jmp $); the IVT sends vector 2 to 0000:2000.
    core.seg[x86::CS].selector = 0;
    core.seg[x86::CS].base = 0;
    core.rip = 0x1000;
    const uint8_t code[] = {0x90, 0x90, 0xeb, 0xfe};
    mem.write_block(0x1000, code, sizeof code);
    const uint8_t handler[] = {0xeb, 0xfe};
    mem.write_block(0x2000, handler, sizeof handler);
    const uint16_t ivt2[2] = {0x2000, 0x0000};
    mem.write_block(2 * 4, ivt2, sizeof ivt2);
    Recorder rec;
    core.hw_trace = &rec;
    core.run(1);
    CHECK(rec.events.empty());   // no event without one
    core.raise_nmi();
    core.run(2);
    REQUIRE(rec.events.size() == 1);
    const isa::HwEvent& e = rec.events[0];
    CHECK(e.kind == isa::HwEvent::Kind::Irq);
    CHECK(e.cause == 2);
    CHECK(e.f[0] == 1);          // NMI
    CHECK(e.pc == 0x1001);       // the instruction it interrupted
    CHECK(core.rip >= 0x2000);   // delivered through the IVT
    const auto t = emu::trace::describe_hw_event(emu::vmm::Isa::X86_64, e);
    CHECK(t.line() == "irq NMI vector=0x2");
    // An external interrupt's event reads as before.
    isa::HwEvent ext{isa::HwEvent::Kind::Irq, 0x1000, 0x41, {0, 0, 0, 0}};
    CHECK(emu::trace::describe_hw_event(emu::vmm::Isa::X86_64, ext).line() == "irq vector 65 vector=0x41");
}
