// The timing tests' runs of the hvemu binary on bundled guests (output,
// --stats text, --stats-json), and the comparison of a guest under a profile
// and under the same profile with caches: the caches change time only, the
// hit rates are plausible and reported, and the run is deterministic.
#pragma once
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "isa/common/cache_model.hpp"

// Its own namespace: other test helpers have a GuestRun of their own.
namespace hvemu::test::hvemu_runs {

namespace fs = std::filesystem;

inline const std::string kHvemu = std::string(HVEMU_BINARY_DIR) + "/emu/hvemu";
inline const std::string kGuests = std::string(HVEMU_BINARY_DIR) + "/guests/";

inline std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

struct BinaryRun {
    int status = -1;
    std::string out, stats, text;   // stdout, --stats-json, stderr (--stats)
};

inline BinaryRun run_binary(const std::string& args, const fs::path& dir, const std::string& tag) {
    const fs::path out = dir / ("out-" + tag), err = dir / ("err-" + tag), json = dir / ("stats-" + tag + ".json");
    const std::string cmd = "'" + kHvemu + "' run " + args + " --max-insns 20000000 --stats --stats-json '" +
                            json.string() + "' >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
    const int raw = std::system(cmd.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(json), slurp(err)};
}

inline uint64_t json_cycles(const std::string& j) {   // the run's: the first "cycles" is the top level's
    std::smatch m;
    REQUIRE(std::regex_search(j, m, std::regex(R"re("cycles":(\d+))re")));
    return std::stoull(m[1]);
}

// A level's counts summed over the cores.
inline isa::CacheStats json_cache(const std::string& j, const std::string& level) {
    isa::CacheStats s;
    const std::regex re("\"" + level + R"re(":\{"accesses":(\d+),"hits":(\d+),"misses":(\d+))re");
    for (auto it = std::sregex_iterator(j.begin(), j.end(), re); it != std::sregex_iterator(); ++it) {
        s.accesses += std::stoull((*it)[1]);
        s.hits += std::stoull((*it)[2]);
        s.misses += std::stoull((*it)[3]);
    }
    return s;
}

inline void compare_with_caches(const std::string& mode_args, const std::string& guest, const std::string& plain_profile,
                                const std::string& cache_profile) {
    REQUIRE(fs::exists(kHvemu));   // build `hvemu` and the guests first
    REQUIRE(fs::exists(kGuests + guest));
    const fs::path dir = fs::temp_directory_path() / ("hvemu-cache-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string args = mode_args + " --kernel '" + kGuests + guest + "'";
    const BinaryRun plain = run_binary(args + " --timing " + plain_profile, dir, "plain");
    const BinaryRun a = run_binary(args + " --timing " + cache_profile, dir, "a");
    const BinaryRun b = run_binary(args + " --timing " + cache_profile, dir, "b");
    INFO(guest << "\n" << a.stats);
    // The caches change time only.
    CHECK(a.status == plain.status);
    CHECK(a.out == plain.out);
    CHECK(json_cycles(a.stats) > json_cycles(plain.stats));
    for (const char* level : {"l1i", "l1d", "l2"}) {
        INFO(level);
        const isa::CacheStats s = json_cache(a.stats, level);
        CHECK(s.accesses > 0);
        CHECK(s.hits + s.misses == s.accesses);
        if (std::string(level) != "l2") CHECK(s.hits * 10 > s.accesses * 8);   // small programs: L1 hit rates over 80%
        CHECK(json_cache(plain.stats, level).accesses == 0);
        // --stats names the level's hit rate.
        CHECK_THAT(a.text, Catch::Contains(std::string(" ") + level + " hits "));
        CHECK_THAT(plain.text, !Catch::Contains(std::string(" ") + level + " hits "));
    }
    // Deterministic: the same statistics, byte for byte.
    CHECK(a.status == b.status);
    CHECK(a.out == b.out);
    CHECK(a.stats == b.stats);
    std::error_code ec;
    fs::remove_all(dir, ec);
}

} // namespace hvemu::test::hvemu_runs
