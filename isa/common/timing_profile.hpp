// A timing profile: the numbers of the cycle model, as the model uses them.
// Profiles are data files (timing/*.toml, read by emu/timing); this header
// knows nothing of files. Every cost is in core cycles.
//
// What each number is charged for:
//  - insn: one retired-or-trapping instruction of the class (at least 1);
//    a conditional branch costs branch_not_taken, and any instruction that
//    redirects the fetch (a taken branch, a jump, a trap entry, an xRET)
//    pays branch_taken - branch_not_taken on top;
//  - trap entry/return: the hardware's exception entry and xRET/ERET;
//  - vm entry/exit: charged by a hosted vCPU at each run() that enters the
//    guest and at each exit: the transition the hosted hypervisor does not
//    execute as instructions (VMX: the hardware VM entry/exit; Arm, RISC-V:
//    the world switch a hypervisor does in software);
//  - tlb/walk: a translation missing the modelled TLB walks the tables and
//    pays walk_ref per page-table memory reference (a two-stage walk makes
//    up to (n+1)(m+1)-1), or walk_cache_hit for a reference the page-walk
//    cache holds; a stage-2 TLB hit skips a G-stage/stage-2 walk;
//  - cache (optional): with l1i/l1d/l2 configured, every data access
//    (loads, stores, AMOs; page-walk references with walk_through_cache)
//    and every instruction fetch that enters a new line costs, on top of
//    the instruction's class, the L1's hit, or its miss plus the L2's hit,
//    or both misses (cache_model.hpp);
//  - exit_handler: the hosted VMM's native C++ handler, per exit type.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hvemu::isa {

// Cycles per instruction class.
struct InsnCosts {
    uint32_t alu = 1, mul = 1, div = 1, load = 1, store = 1;
    uint32_t branch_taken = 1, branch_not_taken = 1;
    uint32_t csr = 1;       // CSR / system register access and other system instructions
    uint32_t fence = 1;     // FENCE, FENCE.I, SFENCE/HFENCE; DMB/DSB/ISB, TLBI
    uint32_t fp = 1, fp_div = 1, atomic = 1;
};

// A set-associative structure; entries == 0: not modelled.
struct Geometry {
    uint32_t entries = 0;
    uint32_t ways = 0;      // 0 or entries: fully associative
    bool enabled() const { return entries != 0; }
};

// One cache level; sets == 0: not modelled. sets, ways and line are
// powers of two (the loader checks). hit: the cycles of an access this
// level serves; miss: what a miss here costs before the next level (or,
// for the last level, memory) answers.
struct CacheGeometry {
    uint32_t sets = 0, ways = 0, line = 64;
    uint32_t hit = 0, miss = 0;
    bool enabled() const { return sets != 0; }
    uint64_t size_bytes() const { return uint64_t{sets} * ways * line; }
};

// The in-model costs a core applies. The defaults are the model's
// historic behaviour: one cycle per instruction, fixed trap costs, no TLB
// model and free page walks.
struct CycleCosts {
    InsnCosts insn{};
    uint32_t trap_entry = 20;      // pipeline flush + vector fetch
    uint32_t trap_return = 10;     // xRET
    uint32_t vm_entry = 0;
    uint32_t vm_exit = 0;
    Geometry tlb{};                // last-level TLB, combined (all stages) translations
    Geometry tlb_stage2{};         // stage-2 / G-stage TLB (guest-physical pages)
    Geometry walk_cache{};         // page-walk cache, keyed by page-table entry address
    uint32_t tlb_walk_ref = 0;     // per page-walk memory reference
    uint32_t walk_cache_hit = 0;   // per reference served by the walk cache
    CacheGeometry l1i{}, l1d{}, l2{}; // per-core caches (l2 unified, behind both L1s)
    bool walk_through_cache = false;  // page-walk references are data accesses to L1D/L2
};

struct TimingProfile {
    std::string name = "default";
    std::string description;
    uint64_t core_hz = 1'000'000'000;
    CycleCosts costs{};
    // The hosted VMM's handler cost per exit type, by ExitReason name
    // ("Hypercall", "MmioRead", ...); others cost exit_handler_default.
    std::vector<std::pair<std::string, uint32_t>> exit_handler;
    uint32_t exit_handler_default = 0;

    uint32_t handler_cost(const std::string& exit_name) const {
        for (const auto& [n, c] : exit_handler)
            if (n == exit_name) return c;
        return exit_handler_default;
    }
};

} // namespace hvemu::isa
