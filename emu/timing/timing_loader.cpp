// Reading timing profiles: strict (every key known, every value in range),
// with messages that name the file, the line and the key.
#include "emu/timing/timing_loader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "emu/machine/riscv64_virt.hpp"   // ConfigError
#include "emu/timing/timing_profiles_data.hpp"

namespace hvemu::emu::timing {

namespace {

// The exit types a handler cost may name (vcpu/exit_reason.hpp).
constexpr const char* kExitNames[] = {"Hypercall",   "MmioRead",   "MmioWrite",       "SysRegRead",
                                      "SysRegWrite", "IoRead",     "IoWrite",         "ExternalInterrupt",
                                      "NestedPageFault", "Halt",   "CpuUp",           "CpuDown",
                                      "SystemDown",  "Nothing",    "FailEntry",       "SendIpi"};

class Reader {
public:
    explicit Reader(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const toml::node* n, const std::string& msg) const {
        if (n && n->source().begin.line) throw ConfigError(fmt::format("{}:{}: {}", source_, n->source().begin.line, msg));
        throw ConfigError(fmt::format("{}: {}", source_, msg));
    }
    uint64_t uint(const toml::node& n, const std::string& what, uint64_t lo, uint64_t hi) const {
        const auto* i = n.as_integer();
        if (!i) fail(&n, fmt::format("{}: expected an integer", what));
        const int64_t v = i->get();
        if (v < 0 || static_cast<uint64_t>(v) < lo || static_cast<uint64_t>(v) > hi)
            fail(&n, fmt::format("{}: {} is out of range ({}..{})", what, v, lo, hi));
        return static_cast<uint64_t>(v);
    }
    std::string str(const toml::node& n, const std::string& what) const {
        const auto* s = n.as_string();
        if (!s) fail(&n, fmt::format("{}: expected a string", what));
        return s->get();
    }
    bool boolean(const toml::node& n, const std::string& what) const {
        const auto* b = n.as_boolean();
        if (!b) fail(&n, fmt::format("{}: expected true or false", what));
        return b->get();
    }
    const toml::table& table(const toml::node& n, const std::string& what) const {
        const auto* t = n.as_table();
        if (!t) fail(&n, fmt::format("{}: expected a table", what));
        return *t;
    }

private:
    std::string source_;
};

constexpr uint64_t kMaxCost = 100'000'000;   // cycles: a sanity bound for one event

void read_insn(const Reader& r, const toml::table& t, isa::InsnCosts& c) {
    struct Field { const char* key; uint32_t* v; };
    const Field fields[] = {{"alu", &c.alu}, {"mul", &c.mul}, {"div", &c.div}, {"load", &c.load},
                            {"store", &c.store}, {"branch_taken", &c.branch_taken},
                            {"branch_not_taken", &c.branch_not_taken}, {"csr", &c.csr}, {"fence", &c.fence},
                            {"fp", &c.fp}, {"fp_div", &c.fp_div}, {"atomic", &c.atomic}};
    for (const auto& [k, node] : t) {
        const auto* f = std::find_if(std::begin(fields), std::end(fields), [&](const Field& x) { return k.str() == x.key; });
        if (f == std::end(fields)) r.fail(&node, fmt::format("[insn] {}: unknown instruction class", k.str()));
        *f->v = static_cast<uint32_t>(r.uint(node, fmt::format("[insn] {}", k.str()), 1, 255));
    }
    if (c.branch_taken < c.branch_not_taken)
        r.fail(t.get("branch_taken"), "[insn] branch_taken: must not be below branch_not_taken");
}

using Fields = std::initializer_list<std::pair<const char*, uint32_t*>>;

void read_pair(const Reader& r, std::string_view key, const toml::node& node, const char* table, Fields fields,
               uint64_t hi = kMaxCost) {
    const auto* f = std::find_if(fields.begin(), fields.end(), [&](const auto& x) { return key == x.first; });
    if (f == fields.end()) r.fail(&node, fmt::format("[{}] {}: unknown key", table, key));
    *f->second = static_cast<uint32_t>(r.uint(node, fmt::format("[{}] {}", table, key), 0, hi));
}

void read_pairs(const Reader& r, const toml::table& t, const char* table, Fields fields, uint64_t hi = kMaxCost) {
    for (const auto& [k, node] : t) read_pair(r, k.str(), node, table, fields, hi);
}

void read_walk(const Reader& r, const toml::table& t, isa::CycleCosts& c, uint32_t& cache_entries, uint32_t& cache_ways) {
    for (const auto& [k, node] : t) {
        if (k.str() == "through_cache") c.walk_through_cache = r.boolean(node, "[walk] through_cache");
        else read_pair(r, k.str(), node, "walk",
                       {{"ref", &c.tlb_walk_ref}, {"cache_entries", &cache_entries}, {"cache_ways", &cache_ways},
                        {"cache_hit", &c.walk_cache_hit}});
    }
}

bool pow2(uint64_t v) { return v && !(v & (v - 1)); }

// One [cache.<level>] table: ways, line (bytes, default 64), hit, miss, and
// the size as sets or as size_kib (exactly one of them).
void read_cache_level(const Reader& r, const toml::table& t, const std::string& level, isa::CacheGeometry& g) {
    const std::string table = "cache." + level;
    uint32_t sets = 0, size_kib = 0;
    const toml::node* sets_node = nullptr;
    const toml::node* size_node = nullptr;
    g.line = 64;
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        const std::string what = fmt::format("[{}] {}", table, key);
        auto power_of_two = [&](uint64_t lo, uint64_t hi) {
            const uint64_t v = r.uint(node, what, lo, hi);
            if (!pow2(v)) r.fail(&node, fmt::format("{}: {} is not a power of two", what, v));
            return static_cast<uint32_t>(v);
        };
        if (key == "sets") {
            sets = power_of_two(1, 1u << 20);
            sets_node = &node;
        } else if (key == "size_kib") {
            size_kib = static_cast<uint32_t>(r.uint(node, what, 1, 1u << 20));
            size_node = &node;
        } else if (key == "ways") {
            g.ways = power_of_two(1, 64);   // a lookup scans the set: keep it short
        } else if (key == "line") {
            g.line = power_of_two(4, 4096);
        } else if (key == "hit") {
            g.hit = static_cast<uint32_t>(r.uint(node, what, 0, kMaxCost));
        } else if (key == "miss") {
            g.miss = static_cast<uint32_t>(r.uint(node, what, 0, kMaxCost));
        } else {
            r.fail(&node, fmt::format("{}: unknown key (sets or size_kib, ways, line, hit, miss)", what));
        }
    }
    if (sets_node && size_node) r.fail(size_node, fmt::format("[{}] size_kib: give sets or size_kib, not both", table));
    if (!g.ways) r.fail(&t, fmt::format("[{}] ways: missing", table));
    if (size_node) {
        const uint64_t bytes = uint64_t{size_kib} * 1024, per_set = uint64_t{g.ways} * g.line;
        if (bytes % per_set || !pow2(bytes / per_set))
            r.fail(size_node, fmt::format("[{}] size_kib: {} KiB in {} ways of {}-byte lines is not a power-of-two number of sets",
                                          table, size_kib, g.ways, g.line));
        sets = static_cast<uint32_t>(bytes / per_set);
    }
    if (!sets) r.fail(&t, fmt::format("[{}] sets: missing (give sets or size_kib)", table));
    g.sets = sets;
}

void read_caches(const Reader& r, const toml::table& t, isa::CycleCosts& c) {
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        isa::CacheGeometry* g = key == "l1i" ? &c.l1i : key == "l1d" ? &c.l1d : key == "l2" ? &c.l2 : nullptr;
        if (!g) r.fail(&node, fmt::format("[cache] {}: unknown cache (l1i, l1d, l2)", key));
        read_cache_level(r, r.table(node, fmt::format("[cache.{}]", key)), key, *g);
    }
}

void read_geometry(const Reader& r, const toml::table& t, const char* table, isa::Geometry& g) {
    read_pairs(r, t, table, {{"entries", &g.entries}, {"ways", &g.ways}}, 1u << 20);
    if (g.ways && g.entries % g.ways)
        r.fail(t.get("ways"), fmt::format("[{}] ways: {} entries do not divide into {} ways", table, g.entries, g.ways));
}

void read_handlers(const Reader& r, const toml::table& t, isa::TimingProfile& p) {
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        const uint32_t v = static_cast<uint32_t>(r.uint(node, fmt::format("[exit_handler] {}", key), 0, kMaxCost));
        if (key == "default") {
            p.exit_handler_default = v;
            continue;
        }
        if (std::find_if(std::begin(kExitNames), std::end(kExitNames), [&](const char* n) { return key == n; }) ==
            std::end(kExitNames))
            r.fail(&node, fmt::format("[exit_handler] {}: unknown exit type (Hypercall, MmioRead, MmioWrite, ...)", key));
        p.exit_handler.emplace_back(key, v);
    }
}

} // namespace

isa::TimingProfile parse_timing_profile(std::string_view text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
    }
    const Reader r(source);
    isa::TimingProfile p;
    isa::CycleCosts& c = p.costs;
    uint32_t cache_entries = 0, cache_ways = 0;
    for (const auto& [k, node] : root) {
        const std::string key(k.str());
        if (key == "name") p.name = r.str(node, "name");
        else if (key == "description") p.description = r.str(node, "description");
        else if (key == "frequency_hz") p.core_hz = r.uint(node, "frequency_hz", 1'000'000, 100'000'000'000);
        else if (key == "insn") read_insn(r, r.table(node, "[insn]"), c.insn);
        else if (key == "trap") read_pairs(r, r.table(node, "[trap]"), "trap", {{"entry", &c.trap_entry}, {"return", &c.trap_return}});
        else if (key == "vm") read_pairs(r, r.table(node, "[vm]"), "vm", {{"entry", &c.vm_entry}, {"exit", &c.vm_exit}});
        else if (key == "tlb") read_geometry(r, r.table(node, "[tlb]"), "tlb", c.tlb);
        else if (key == "tlb_stage2") read_geometry(r, r.table(node, "[tlb_stage2]"), "tlb_stage2", c.tlb_stage2);
        else if (key == "walk") read_walk(r, r.table(node, "[walk]"), c, cache_entries, cache_ways);
        else if (key == "exit_handler") read_handlers(r, r.table(node, "[exit_handler]"), p);
        else if (key == "cache") read_caches(r, r.table(node, "[cache]"), c);
        else r.fail(&node, fmt::format("{}: unknown key", key));
    }
    if (c.walk_through_cache && !c.l1d.enabled() && !c.l2.enabled()) {
        const toml::node* walk = root.get("walk");
        r.fail(walk && walk->as_table() ? walk->as_table()->get("through_cache") : nullptr,
               "[walk] through_cache: no [cache.l1d] or [cache.l2] to go through");
    }
    if (cache_ways && cache_entries % cache_ways)
        r.fail(nullptr, fmt::format("[walk] cache_ways: {} entries do not divide into {} ways", cache_entries, cache_ways));
    c.walk_cache = {cache_entries, cache_ways};
    return p;
}

std::vector<std::string> shipped_timing_profiles() {
    std::vector<std::string> names;
    for (const EmbeddedProfile& e : embedded_profiles()) names.emplace_back(e.name);
    std::sort(names.begin(), names.end());
    return names;
}

isa::TimingProfile load_timing_profile(const std::string& name_or_path) {
    for (const EmbeddedProfile& e : embedded_profiles())
        if (name_or_path == e.name) return parse_timing_profile(e.text, fmt::format("timing profile '{}'", e.name));
    std::ifstream in(name_or_path, std::ios::binary);
    if (!in) {
        std::string names;
        for (const std::string& n : shipped_timing_profiles()) names += (names.empty() ? "" : ", ") + n;
        throw ConfigError(fmt::format("--timing {}: no such profile ({}) and no such file", name_or_path, names));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_timing_profile(ss.str(), name_or_path);
}

void apply_timing(isa::Clocking& clock, const std::shared_ptr<const isa::TimingProfile>& profile) {
    if (!profile) return;
    clock.core_hz = profile->core_hz;
    clock.profile = profile;
}

} // namespace hvemu::emu::timing
