// --trace-json: the timeline of a bundled SMP guest parses as JSON and
// holds the run's events (one track per vCPU, an exit event per exit of
// the VMM's statistics, the IPIs); the writer escapes and closes properly.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "../vmm/vm_guest_fixture.hpp"
#include "emu/trace/json_tracer.hpp"
#include "emu/trace/json_writer.hpp"
#include "trace_json_check.hpp"

using namespace hvemu::test;
namespace tr = hvemu::emu::trace;

namespace {
std::string temp_json(const char* name) {
    return (std::filesystem::temp_directory_path() / fmt::format("hvemu-trace-{}-{}.json", name, ::getpid())).string();
}
} // namespace

TEST_CASE("trace JSON of the smp guest on 4 vCPUs: tracks, exits as the statistics count them, IPIs", "[trace]") {
    const std::string path = temp_json("smp");
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    GuestRun run;
    {
        tr::JsonTracer json(f, tr::VmInfo{"riscv64", 4, 4, 1'000'000'000});
        GuestSetup setup = with_config([](VmConfig& c) { c.cpu_num = 4; });
        setup.vmm.tracer = &json;
        run = run_vm_guest("smp.elf", setup);
        json.finish(run.result.status, run.result.message);
    }
    std::fclose(f);
    REQUIRE(run.result.status == 0);
    const TraceSummary s = summarise_trace_json(path);
    INFO(s.error);
    REQUIRE(s.valid);
    ExitStats stats;
    for (const ExitRecord& r : run.exits) stats.count(r);
    for (size_t k = 0; k < ExitStats::kKinds; k++) {
        const std::string key = std::string("exit:") + exit_kind_name(k);
        INFO(key);
        CHECK((s.n.count(key) ? s.n.at(key) : 0) == static_cast<long>(stats.by_kind[k]));
    }
    CHECK(s.n.at("exit:CpuUp") == 4);   // three harts started, one refused (already started)
    CHECK(s.n.at("exit:SendIpi") >= 1);
    CHECK(s.n.at("process") == 1);
    for (int v = 0; v < 4; v++) CHECK(s.n.at(fmt::format("track:vCPU_{}", v)) == 1);
    // Every IPI the guest sent reached a vCPU as VSSIP, on that vCPU's track.
    long ipis = 0;
    for (const auto& [k, n] : s.n)
        if (k.rfind("irq:irq_VSSIP:", 0) == 0) ipis += n;
    CHECK(ipis >= s.n.at("exit:SendIpi"));
    CHECK(s.n.at("run") > 0);
    CHECK(s.n.at("end_status:0") == 1);
    std::filesystem::remove(path);
}

TEST_CASE("trace JSON is the same for the same run (model time only)", "[trace]") {
    auto once = [](const std::string& path) {
        std::FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        {
            tr::JsonTracer json(f, tr::VmInfo{"riscv64", 1, 1, 1'000'000'000});
            GuestSetup setup;
            setup.vmm.tracer = &json;
            run_vm_guest("uart.elf", setup);
        }
        std::fclose(f);
        std::FILE* r = std::fopen(path.c_str(), "rb");
        std::string s;
        char buf[4096];
        size_t got;
        while ((got = std::fread(buf, 1, sizeof buf, r)) > 0) s.append(buf, got);
        std::fclose(r);
        std::filesystem::remove(path);
        return s;
    };
    const std::string a = once(temp_json("det-a")), b = once(temp_json("det-b"));
    CHECK(!a.empty());
    CHECK(a == b);
}

TEST_CASE("trace JSON stays valid when the run ends with a guest error", "[trace]") {
    const std::string path = temp_json("err");
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    {
        tr::JsonTracer json(f, tr::VmInfo{"riscv64", 1, 1, 1'000'000'000});
        GuestSetup setup;
        setup.vmm.tracer = &json;
        const GuestRun run = run_vm_guest("unmapped.elf", setup);
        CHECK(run.result.status == 123);
        json.finish(run.result.status, run.result.message);
    }
    std::fclose(f);
    const TraceSummary s = summarise_trace_json(path);
    INFO(s.error);
    CHECK(s.valid);
    CHECK(s.n.count("end_status:123") == 1);
    std::filesystem::remove(path);
}

TEST_CASE("JsonWriter escapes strings and close_all ends a cut-short document", "[trace]") {
    const std::string path = temp_json("writer");
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    {
        tr::JsonWriter w(f);
        w.begin_object();
        w.key("traceEvents");
        w.begin_array();
        w.begin_object();
        w.key("ph");
        w.value("i");
        w.key("name");
        static const char kNasty[] = "quote\" back\\ nl\n tab\t ctl\x01 high\xff nul\0x";
        w.value(std::string_view(kNasty, sizeof kNasty - 1));
        w.key("args");
        w.begin_object();
        w.key("dangling");
        w.close_all();   // mid-object, after a key
    }
    std::fclose(f);
    const TraceSummary s = summarise_trace_json(path);
    INFO(s.error);
    CHECK(s.valid);
    CHECK(s.n.at("ph:i") == 1);
    std::filesystem::remove(path);
}
