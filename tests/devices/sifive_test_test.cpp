// The sifive_test finisher: PASS, FAIL with a code, RESET; anything else is
// ignored.
#include <catch2/catch.hpp>

#include "devices/sifive_test.hpp"

using hvemu::dev::SifiveTest;

TEST_CASE("sifive_test decodes pass, fail and reset", "[sifive_test]") {
    int calls = 0;
    SifiveTest::Action last_action{};
    uint32_t last_status = 99;
    SifiveTest t([&](SifiveTest::Action a, uint32_t s) {
        calls++;
        last_action = a;
        last_status = s;
    });
    t.mmio_write(0, 4, 0x5555);
    CHECK(calls == 1);
    CHECK(last_action == SifiveTest::Action::Exit);
    CHECK(last_status == 0);
    t.mmio_write(0, 4, (7u << 16) | 0x3333);
    CHECK(last_status == 7);
    t.mmio_write(0, 4, 0x7777);
    CHECK(last_action == SifiveTest::Action::Reset);
    t.mmio_write(0, 4, 0x1234);                 // unknown: ignored
    t.mmio_write(4, 4, 0x5555);                 // other offsets: ignored
    CHECK(calls == 3);
    uint64_t v = 1;
    CHECK(t.mmio_read(0, 4, v));
    CHECK(v == 0);
}
