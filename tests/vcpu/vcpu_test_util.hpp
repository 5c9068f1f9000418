// What the vCPU tests of every architecture share: run() that must
// succeed, running to the next real exit, and taking an exit as the kind
// the test expects.
#pragma once
#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "vcpu/exit_reason.hpp"

namespace hvemu::vcpu::test {

// run() with a check that it succeeded.
template <class V> ExitReason run_ok(V& v) {
    auto r = v.run();
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return r.value();
}

// Run until an exit other than Nothing (at most `limit` slices).
template <class V> ExitReason run_to_exit(V& v, unsigned limit = 100) {
    for (unsigned i = 0; i < limit; ++i) {
        ExitReason e = run_ok(v);
        if (!std::holds_alternative<exit::Nothing>(e)) return e;
    }
    FAIL("no exit");
    return exit::Nothing{};
}

// The exit as kind T (a failed check when it is another).
template <class T> T as(const ExitReason& e) {
    INFO(describe(e));
    REQUIRE(std::holds_alternative<T>(e));
    return std::get<T>(e);
}

} // namespace hvemu::vcpu::test
