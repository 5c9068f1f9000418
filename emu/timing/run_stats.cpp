// Run statistics from the cores' counters and the VMM's exit bookkeeping.
#include "emu/timing/run_stats.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "emu/machine/riscv64_virt.hpp"   // ConfigError
#include "emu/trace/json_writer.hpp"
#include "emu/vmm/vmm_core.hpp"
#include "isa/arm64/pe.hpp"
#include "isa/riscv/hart.hpp"
#include "isa/riscv/jit.hpp"
#include "isa/x86/core.hpp"

namespace hvemu::emu::timing {

namespace {

// What every core model counts the same way.
template <class Core> CoreStats counters(const Core& c, const std::string& kind, unsigned id) {
    CoreStats s;
    s.kind = kind;
    s.id = id;
    s.instructions = c.icount();
    s.cycles = c.cycles();
    s.walk_refs_s1 = c.walk_refs_s1;
    s.walk_refs_s2 = c.walk_refs_s2;
    s.model = c.walker.stats;
    const isa::CacheHierarchy& h = c.walker.caches;
    s.l1i = {h.l1i.enabled(), h.l1i.stats};
    s.l1d = {h.l1d.enabled(), h.l1d.stats};
    s.l2 = {h.l2.enabled(), h.l2.stats};
    return s;
}

} // namespace

CoreStats core_stats(const rv::Hart& h, const std::string& kind, unsigned id) {
    CoreStats s = counters(h, kind, id);
    if (const rv::BlockCompiler* jit = h.jit()) {
        s.compiled_blocks = jit->blocks_compiled();
        s.compiled_insns = jit->insns_compiled();
    }
    return s;
}
CoreStats core_stats(const arm::Pe& p, const std::string& kind, unsigned id) { return counters(p, kind, id); }
CoreStats core_stats(const x86::Core& c, const std::string& kind, unsigned id) { return counters(c, kind, id); }

namespace {

double ratio(uint64_t a, uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

void write_core(trace::JsonWriter& w, const CoreStats& c) {
    w.begin_object();
    w.key(c.kind);
    w.value(c.id);
    w.key("instructions");
    w.value(c.instructions);
    w.key("cycles");
    w.value(c.cycles);
    w.key("ipc");
    w.value_fixed(ratio(c.instructions, c.cycles), 4);
    w.key("tlb");
    w.begin_object();
    w.key("hits");
    w.value(c.model.tlb_hits);
    w.key("misses");
    w.value(c.model.tlb_misses);
    w.key("stage2_hits");
    w.value(c.model.tlb_s2_hits);
    w.key("stage2_misses");
    w.value(c.model.tlb_s2_misses);
    w.end_object();
    w.key("walks");
    w.begin_object();
    w.key("charged");
    w.value(c.model.walks);
    w.key("refs_stage1");
    w.value(c.model.walk_refs_s1);
    w.key("refs_stage2");
    w.value(c.model.walk_refs_s2);
    w.key("walk_cache_hits");
    w.value(c.model.walk_cache_hits);
    w.key("cycles");
    w.value(c.model.walk_cycles);
    w.key("all_refs_stage1");
    w.value(c.walk_refs_s1);
    w.key("all_refs_stage2");
    w.value(c.walk_refs_s2);
    w.end_object();
    if (c.l1i.enabled || c.l1d.enabled || c.l2.enabled) {
        w.key("caches");
        w.begin_object();
        for (const auto& [name, level] : {std::pair{"l1i", &c.l1i}, std::pair{"l1d", &c.l1d}, std::pair{"l2", &c.l2}}) {
            if (!level->enabled) continue;
            w.key(name);
            w.begin_object();
            w.key("accesses");
            w.value(level->stats.accesses);
            w.key("hits");
            w.value(level->stats.hits);
            w.key("misses");
            w.value(level->stats.misses);
            w.key("hit_rate");
            w.value_fixed(ratio(level->stats.hits, level->stats.accesses), 4);
            w.end_object();
        }
        w.end_object();
    }
    w.end_object();
}

} // namespace

std::string stats_text(const std::vector<CoreStats>& cores) {
    std::string out;
    for (const CoreStats& c : cores) {
        const isa::TranslationStats& m = c.model;
        out += fmt::format("hvemu: {} {}: ipc {:.3f}", c.kind, c.id, ratio(c.instructions, c.cycles));
        if (m.tlb_hits || m.tlb_misses) out += fmt::format(" tlb hits {} misses {}", m.tlb_hits, m.tlb_misses);
        if (m.tlb_s2_hits || m.tlb_s2_misses)
            out += fmt::format(" stage-2 tlb hits {} misses {}", m.tlb_s2_hits, m.tlb_s2_misses);
        out += fmt::format(" walks {} refs s1 {} s2 {}", m.walks, m.walk_refs_s1, m.walk_refs_s2);
        if (m.walk_cache_hits) out += fmt::format(" walk-cache hits {}", m.walk_cache_hits);
        out += fmt::format(" walk cycles {}", m.walk_cycles);
        for (const auto& [name, level] : {std::pair{"l1i", &c.l1i}, std::pair{"l1d", &c.l1d}, std::pair{"l2", &c.l2}})
            if (level->enabled)
                out += fmt::format(" {} hits {:.1f}% of {}", name, 100.0 * ratio(level->stats.hits, level->stats.accesses),
                                   level->stats.accesses);
        if (c.compiled_blocks)
            out += fmt::format(" compiled blocks {} ({} instructions)", c.compiled_blocks, c.compiled_insns);
        out += '\n';
    }
    return out;
}

void write_stats_json(std::FILE* out, const RunInfo& info, const std::vector<CoreStats>& cores,
                      const vmm::VmmCore* vmm, unsigned num_vcpus) {
    trace::JsonWriter w(out);
    w.begin_object();
    w.key("mode");
    w.value(info.mode);
    w.key("machine");
    w.value(info.machine);
    w.key("timing_profile");
    w.value(info.profile ? info.profile->name : std::string("default"));
    w.key("core_hz");
    w.value(info.core_hz);
    uint64_t insns = 0, cycles = 0;
    for (const CoreStats& c : cores) {
        insns += c.instructions;
        cycles = std::max(cycles, c.cycles);
    }
    w.key("instructions");
    w.value(vmm ? vmm->instructions() : insns);
    w.key("cycles");
    w.value(cycles);
    w.key("cores");
    w.begin_array();
    for (const CoreStats& c : cores) write_core(w, c);
    w.end_array();
    if (vmm) {
        w.key("vcpus");
        w.begin_array();
        for (unsigned v = 0; v < num_vcpus; v++) {
            w.begin_object();
            w.key("vcpu");
            w.value(v);
            w.key("instructions");
            w.value(vmm->vcpu_instructions(v));
            w.end_object();
        }
        w.end_array();
        const vmm::ExitStats& s = vmm->stats();
        w.key("exits");
        w.begin_object();
        w.key("total");
        w.value(s.exits);
        w.key("slices");
        w.value(s.slices);
        w.key("by_reason");
        w.begin_object();
        for (size_t k = 0; k < vmm::ExitStats::kKinds; k++) {
            if (!s.by_kind[k]) continue;
            w.key(vmm::exit_kind_name(k));
            w.begin_object();
            w.key("count");
            w.value(s.by_kind[k]);
            w.key("cycles");
            w.value(s.cycles_by_kind[k]);
            w.end_object();
        }
        w.end_object();
        w.end_object();
    }
    w.end_object();
    std::fputc('\n', out);
}

void write_stats_json_file(const std::string& path, const RunInfo& info, const std::vector<CoreStats>& cores,
                           const vmm::VmmCore* vmm, unsigned num_vcpus) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw ConfigError(fmt::format("--stats-json: cannot write '{}'", path));
    write_stats_json(f, info, cores, vmm, num_vcpus);
    if (std::fclose(f) != 0) throw ConfigError(fmt::format("--stats-json: cannot write '{}'", path));
}

} // namespace hvemu::emu::timing
