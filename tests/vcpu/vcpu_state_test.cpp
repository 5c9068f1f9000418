// VCpu<A> state machine and call order, with a mock architecture that logs
// every call (as axvcpu's MockArchVCpu does).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "vcpu/vcpu.hpp"

using namespace hvemu::vcpu;

namespace {

struct MockArch {
    struct CreateConfig { bool fail_create = false; };
    struct SetupConfig { bool fail_setup = false; };
    std::vector<std::string>* log = nullptr;
    bool fail_bind = false;
    bool fail_run = false;

    static Result<MockArch> create(VmId, VCpuId, const CreateConfig& c) {
        if (c.fail_create) return make_error(ErrorKind::InvalidInput, "create refused");
        return MockArch{};
    }
    void note(std::string s) { if (log) log->push_back(std::move(s)); }
    Result<void> set_entry(uint64_t e) { note("set_entry " + std::to_string(e)); return {}; }
    Result<void> set_ept_root(uint64_t r) { note("set_ept_root " + std::to_string(r)); return {}; }
    Result<void> setup(const SetupConfig& c) {
        note("setup");
        if (c.fail_setup) return make_error(ErrorKind::Internal, "setup failed");
        return {};
    }
    Result<void> bind() { note("bind"); if (fail_bind) return make_error(ErrorKind::Internal, "bind failed"); return {}; }
    Result<void> unbind() { note("unbind"); return {}; }
    Result<ExitReason> run() {
        note("run");
        if (fail_run) return make_error(ErrorKind::Internal, "run failed");
        return ExitReason{exit::Halt{}};
    }
    void set_gpr(unsigned r, uint64_t v) { note("set_gpr " + std::to_string(r) + " " + std::to_string(v)); }
    Result<void> inject_interrupt(uint64_t v) { note("inject " + std::to_string(v)); return {}; }
    void set_return_value(uint64_t v) { note("ret " + std::to_string(v)); }
};
static_assert(ArchVCpu<MockArch>);

VCpu<MockArch> make(std::vector<std::string>& log, VCpuId id = 0) {
    auto r = VCpu<MockArch>::create(1, id, {});
    REQUIRE(r.ok());
    r.value().arch().log = &log;
    return std::move(r.value());
}

} // namespace

TEST_CASE("vCPU lifecycle runs the architecture calls in Axvisor's order", "[vcpu]") {
    std::vector<std::string> log;
    auto v = make(log);
    CHECK(v.state() == VCpuState::Created);
    CHECK(v.is_bsp());
    REQUIRE(v.setup(0x80200000, 0x1000, {}).ok());
    CHECK(v.state() == VCpuState::Free);
    REQUIRE(v.bind().ok());
    CHECK(v.state() == VCpuState::Ready);
    auto r = v.run();
    REQUIRE(r.ok());
    CHECK(std::holds_alternative<exit::Halt>(r.value()));
    CHECK(v.state() == VCpuState::Ready);
    REQUIRE(v.unbind().ok());
    CHECK(v.state() == VCpuState::Free);
    CHECK(log == std::vector<std::string>{"set_entry 2149580800", "set_ept_root 4096", "setup", "bind", "run",
                                          "unbind"});
}

TEST_CASE("a call in the wrong state makes the vCPU Invalid", "[vcpu]") {
    std::vector<std::string> log;
    SECTION("run before bind") {
        auto v = make(log);
        REQUIRE(v.setup(0, 0, {}).ok());
        auto r = v.run();
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::BadState);
        CHECK(v.state() == VCpuState::Invalid);
        CHECK_FALSE(v.bind().ok());   // Invalid accepts nothing
    }
    SECTION("bind before setup") {
        auto v = make(log);
        CHECK_FALSE(v.bind().ok());
        CHECK(v.state() == VCpuState::Invalid);
        CHECK(log.empty());
    }
    SECTION("setup twice") {
        auto v = make(log);
        REQUIRE(v.setup(0, 0, {}).ok());
        CHECK_FALSE(v.setup(0, 0, {}).ok());
        CHECK(v.state() == VCpuState::Invalid);
    }
    SECTION("unbind while Free") {
        auto v = make(log);
        REQUIRE(v.setup(0, 0, {}).ok());
        CHECK_FALSE(v.unbind().ok());
        CHECK(v.state() == VCpuState::Invalid);
    }
}

TEST_CASE("a failing architecture call makes the vCPU Invalid", "[vcpu]") {
    std::vector<std::string> log;
    SECTION("setup") {
        auto v = make(log);
        CHECK_FALSE(v.setup(0, 0, {true}).ok());
        CHECK(v.state() == VCpuState::Invalid);
    }
    SECTION("bind") {
        auto v = make(log);
        v.arch().fail_bind = true;
        REQUIRE(v.setup(0, 0, {}).ok());
        CHECK_FALSE(v.bind().ok());
        CHECK(v.state() == VCpuState::Invalid);
    }
    SECTION("run") {
        auto v = make(log);
        v.arch().fail_run = true;
        REQUIRE(v.setup(0, 0, {}).ok());
        REQUIRE(v.bind().ok());
        CHECK_FALSE(v.run().ok());
        CHECK(v.state() == VCpuState::Invalid);
    }
    SECTION("create") {
        auto r = VCpu<MockArch>::create(1, 0, {true});
        CHECK_FALSE(r.ok());
    }
}

TEST_CASE("set_entry, set_gpr, inject_interrupt and set_return_value work in any state", "[vcpu]") {
    std::vector<std::string> log;
    auto v = make(log, 3);
    CHECK_FALSE(v.is_bsp());
    CHECK(v.set_entry(7).ok());
    v.set_gpr(10, 1);
    CHECK(v.inject_interrupt(5).ok());
    v.set_return_value(9);
    CHECK(v.state() == VCpuState::Created);
    CHECK(log == std::vector<std::string>{"set_entry 7", "set_gpr 10 1", "inject 5", "ret 9"});
}

TEST_CASE("exits describe themselves with every field", "[vcpu]") {
    ExitReason e = exit::MmioRead{0x10000005, AccessWidth::Byte, 10, AccessWidth::Qword, true};
    CHECK(std::string(exit_kind(e)) == "MmioRead");
    CHECK(describe(e) == "MmioRead addr=0x10000005 width=1 reg=10 reg_width=8 signed_ext=true");
    e = exit::SendIpi{0x100, 0x3, false, true, 1};
    CHECK(describe(e) == "SendIpi target_cpu=0x100 target_cpu_aux=0x3 send_to_all=false send_to_self=true vector=0x1");
}
